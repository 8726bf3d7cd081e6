/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trunkline counter: the structs and map layout shared by the kernel side (counter.bpf.c) and
 * userspace (trunkline/xdp/counter.py, which mirrors every struct here with ctypes; a test checks
 * that the Python sizes equal the sizes the object's BTF reports).
 *
 * Every map value is a struct tl_counter {packets, bytes}, one per *possible* CPU (per-CPU maps):
 * userspace sums the per-CPU values. Bytes are the frame as on the wire without the FCS, VLAN tags
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

#endif
