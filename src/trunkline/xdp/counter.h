/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trunkline counter: the structs and map layout shared by the kernel side (counter.bpf.c) and
 * userspace (trunkline/xdp/counter.py, which mirrors every struct here with ctypes; a test checks
 * that the Python sizes equal the sizes the object's BTF reports).
 *
 * Every counting map's value is a struct tl_counter {packets, bytes}, one per *possible* CPU (per-CPU
 * maps): userspace sums the per-CPU values. Bytes are the frame as on the wire without the FCS, VLAN tags
 * included (a tag held in skb metadata adds its 4 bytes back).
 *
 * Direction (TL_RX = 0 received, TL_TX = 1 sent) is part of every key. The XDP entry only ever
 * counts TL_RX; the TC entries count TL_RX on ingress and TL_TX on egress.
 *
 * Maps (every frame lands in exactly one slot of tl_vlans, and in exactly one slot of tl_protocols,
 * tl_ethertypes or tl_truncated):
 *
 *   tl_vlans       PERCPU_ARRAY, key __u32 = direction * TL_VLAN_SLOTS + slot,
 *                  slot = outer VLAN ID 0..4095, or TL_VLAN_UNTAGGED (4096) for untagged frames.
 *                  max_entries 2 * 4097.
 *   tl_protocols   PERCPU_ARRAY, key __u32 = direction * 512 + family * 256 + protocol,
 *                  family TL_IPV4 = 0 / TL_IPV6 = 1, protocol the IP protocol number 0..255
 *                  (all 256 numbers). max_entries 1024.
 *   tl_ethertypes  PERCPU_HASH, key struct tl_ethertype_key {ethertype, direction}: non-IP frames
 *                  by the EtherType after the VLAN tags (values below 0x0600 are 802.3 length
 *                  fields and are counted as they are). max_entries TL_ETHERTYPE_ENTRIES; when the
 *                  hash is full, the frame is counted under ethertype TL_ETHERTYPE_OTHER (0x10000),
 *                  whose two keys userspace inserts before attaching.
 *   tl_truncated   PERCPU_ARRAY, key __u32 = direction: frames cut short before the header field
 *                  that decides their slot. max_entries 2.
 *
 * MAC learning (only the tl_count_*_macs entries learn; userspace loads those or the plain ones, and
 * gives the MAC maps one entry when it does not learn):
 *
 *   tl_macs        LRU_HASH (one value shared by all CPUs, updated with atomic adds), key struct
 *                  tl_mac_key {source MAC, VLAN slot, direction}, value struct tl_mac_value {packets,
 *                  bytes, first and last seen in CLOCK_MONOTONIC ns (bpf_ktime_get_coarse_ns: one
 *                  scheduler tick of resolution)}. Every counted frame of at least 12 bytes counts
 *                  towards the pair of its source MAC and VLAN slot (the same slot as tl_vlans) with the
 *                  same packets and bytes. max_entries TL_MAC_ENTRIES by default, set by userspace at
 *                  load time. Not per-CPU on purpose: a per-CPU value would cost 32 bytes per possible
 *                  CPU per pair (128 MiB for 32,768 pairs on 128 CPUs). When the map is full the kernel
 *                  evicts the least recently used pairs to make room, silently.
 *   tl_mac_cache   PERCPU_ARRAY of struct tl_mac_slot, TL_MAC_CACHE_SLOTS per CPU, direct-mapped by
 *                  tl_mac_slot_index(): a frame whose pair is not in its slot goes to tl_macs and
 *                  the pair takes the slot; the packets and bytes of its next frames on this CPU wait
 *                  there (no hash lookup, no atomic add) until another pair takes the slot, which
 *                  adds them to tl_macs. A pair's counts = its tl_macs value + the pending counts of
 *                  every CPU's slot holding its key (userspace reads tl_macs first, then the slots,
 *                  so a read never counts a frame twice; a read during traffic may lag by the counts
 *                  being moved at that instant). last_seen = the latest of both.
 *   tl_mac_stats   PERCPU_ARRAY of __u64, key = direction * TL_MAC_STATS + TL_MAC_INSERTS (pairs
 *                  inserted into tl_macs, a pair re-inserted after its eviction included) or
 *                  TL_MAC_FAILED (frames whose pair could not be inserted, not learned). Pairs inserted
 *                  minus pairs in tl_macs = pairs evicted: the learned view is partial.
 */
#ifndef TRUNKLINE_COUNTER_H
#define TRUNKLINE_COUNTER_H

#define TL_RX 0
#define TL_TX 1
#define TL_DIRECTIONS 2

#define TL_VLAN_UNTAGGED 4096
#define TL_VLAN_SLOTS 4097

#define TL_IPV4 0
#define TL_IPV6 1
#define TL_PROTOCOL_SLOTS 512 /* per direction: 2 families x 256 protocol numbers */

#define TL_ETHERTYPE_ENTRIES 4096
#define TL_ETHERTYPE_OTHER 0x10000

/* At most this many IPv6 extension headers are walked; a longer chain is counted under the
 * next-header value reached at that point. */
#define TL_IPV6_EXT_MAX 8
/* At most this many VLAN tags (in the frame plus in skb metadata) are read. */
#define TL_VLAN_MAX 2

struct tl_counter {
	__u64 packets;
	__u64 bytes;
};

struct tl_ethertype_key {
	__u32 ethertype;
	__u32 direction;
};

/* Default max_entries of tl_macs: twice the 16,384 pairs the map must hold, because the kernel's LRU
 * hash keeps up to 128 free entries per CPU in per-CPU free lists and may evict before every entry is
 * used (LOCAL_FREE_TARGET in kernel/bpf/bpf_lru_list.c). */
#define TL_MAC_ENTRIES 32768
#define TL_MAC_STATS 2
#define TL_MAC_INSERTS 0
#define TL_MAC_FAILED 1

struct tl_mac_key {
	__u8 mac[6];       /* source MAC address, as in the frame */
	__u16 vlan;        /* VLAN slot: 0..4095, or TL_VLAN_UNTAGGED */
	__u32 direction;   /* TL_RX or TL_TX */
};

struct tl_mac_value {
	__u64 packets;
	__u64 bytes;
	__u64 first_seen_ns; /* CLOCK_MONOTONIC (coarse), when the pair was inserted */
	__u64 last_seen_ns;  /* CLOCK_MONOTONIC (coarse), the pair's latest frame */
};

/* Pending counts of one cache slot: 128 slots x 40 bytes per possible CPU (640 KiB on 128 CPUs). */
#define TL_MAC_CACHE_SLOTS 128

struct tl_mac_slot {
	struct tl_mac_key key; /* the pair whose counts wait here (all zero: none yet) */
	__u32 pad;
	__u64 packets;         /* pending: not yet added to the pair's tl_macs value */
	__u64 bytes;
	__u64 last_seen_ns;    /* the pair's latest frame on this CPU */
};

#endif
