// SPDX-License-Identifier: Apache-2.0
/*
 * trunkline counter: counts every frame an interface receives (XDP, TC ingress) or sends (TC
 * egress), per outer VLAN ID and per IP protocol / EtherType, in packets and bytes. It never changes
 * or drops a frame: XDP returns XDP_PASS, TC returns TC_ACT_UNSPEC (tcx: TCX_NEXT), so the next
 * program and the stack see the frame as it was.
 *
 * Maps, keys and the structs userspace reads are documented in counter.h.
 *
 * Every entry exists twice: tl_count_* counts, tl_count_*_macs counts and learns (VLAN, source MAC)
 * pairs. The learning code is compiled only into the *_macs entries, so the default entries run the
 * same instructions as without MAC learning; userspace loads one set (libbpf autoload), so the
 * verifier checks only the programs in use.
 *
 * Counting rules (docs/design.md):
 *  - VLAN: the outer tag (0x8100 or 0x88a8; on TC the tag the kernel holds in skb metadata is the
 *    outer one); untagged frames have their own slot. A frame whose first tag is cut short is untagged.
 *  - Protocol: the IPv4 protocol field (every fragment); for IPv6 the next header after walking
 *    hop-by-hop, routing, destination-options and fragment headers (at most TL_IPV6_EXT_MAX; a
 *    longer chain is counted under the next header reached; the walk stops after a fragment header,
 *    so every fragment counts under the protocol its fragment header names). ESP and AH count as
 *    themselves. Non-IP frames count under their EtherType (after at most TL_VLAN_MAX tags).
 *  - Truncated: the frame ends inside a header the slot depends on: a VLAN tag (4 bytes), the IPv4
 *    fixed header (20 bytes), the IPv6 fixed header (40 bytes), or the first 8 bytes of an IPv6
 *    extension header being walked.
 *  - Bytes: the whole frame (XDP generic entry: data_end - data, the kernel linearizes the frame
 *    for it; XDP multi-buffer entry: bpf_xdp_get_buff_len, all buffers of the frame; TC: skb->len,
 *    plus 4 per frame when the tag sits in metadata). A TC GSO/GRO aggregate counts as
 *    gso_segs frames; its bytes are skb->len + (gso_segs - 1) * header bytes, the header bytes being
 *    everything up to the end of the TCP header (data offset) or UDP header, or up to the transport
 *    header for other protocols: each wire segment repeats those headers.
 *  - MAC learning (the *_macs entries): every counted frame also counts towards
 *    the (source MAC, VLAN slot, direction) pair, with the same packets and bytes: in tl_macs, or
 *    pending in this CPU's tl_mac_cache slot when the pair was this CPU's last one in that slot. A new
 *    pair counts one insert in tl_mac_stats; when the LRU map is full the kernel evicts old pairs,
 *    and a pair that cannot be inserted at all counts under TL_MAC_FAILED. Learning never changes the
 *    other maps' counts.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "counter.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct tl_counter);
	__uint(max_entries, TL_DIRECTIONS * TL_VLAN_SLOTS);
} tl_vlans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct tl_counter);
	__uint(max_entries, TL_DIRECTIONS * TL_PROTOCOL_SLOTS);
} tl_protocols SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct tl_ethertype_key);
	__type(value, struct tl_counter);
	__uint(max_entries, TL_ETHERTYPE_ENTRIES);
} tl_ethertypes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct tl_counter);
	__uint(max_entries, TL_DIRECTIONS);
} tl_truncated SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct tl_mac_key);
	__type(value, struct tl_mac_value);
	__uint(max_entries, TL_MAC_ENTRIES);
} tl_macs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct tl_mac_slot);
	__uint(max_entries, TL_MAC_CACHE_SLOTS);
} tl_mac_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, TL_DIRECTIONS * TL_MAC_STATS);
} tl_mac_stats SEC(".maps");

#define TL_KIND_PROTOCOL 0
#define TL_KIND_ETHERTYPE 1
#define TL_KIND_TRUNCATED 2

#define TL_OFF_MAX 0x3fff /* keeps offsets bounded for the verifier; far beyond any header chain */

struct tl_parse {
	__u32 vlan;   /* VLAN slot: 0..4095 or TL_VLAN_UNTAGGED */
	__u32 kind;   /* TL_KIND_* */
	__u32 key;    /* protocol: family * 256 + number; EtherType: the EtherType */
	__u32 l4_off; /* protocol: offset of the transport header */
};

/* Copy len bytes at offset off of the frame into to: direct packet access when the bytes are in the
 * linear part, the load_bytes helper otherwise (non-linear skb, multi-buffer XDP). 0 or -errno. */
static __always_inline int tl_load(void *ctx, const int is_xdp, __u32 off, void *to, const __u32 len)
{
	void *data, *data_end;

	if (is_xdp) {
		data = (void *)(long)((struct xdp_md *)ctx)->data;
		data_end = (void *)(long)((struct xdp_md *)ctx)->data_end;
	} else {
		data = (void *)(long)((struct __sk_buff *)ctx)->data;
		data_end = (void *)(long)((struct __sk_buff *)ctx)->data_end;
	}
	if (off > TL_OFF_MAX)
		return -1;
	if (data + off + len <= data_end) {
		__builtin_memcpy(to, data + off, len);
		return 0;
	}
	if (is_xdp)
		return bpf_xdp_load_bytes(ctx, off, to, len);
	return bpf_skb_load_bytes(ctx, off, to, len);
}

static __always_inline int tl_is_vlan(__u16 ethertype_be)
{
	return ethertype_be == bpf_htons(ETH_P_8021Q) || ethertype_be == bpf_htons(ETH_P_8021AD);
}

/* The shared parser. len: the frame's length in bytes (all of it, not only the linear part);
 * vlan_slot/tags: the outer VLAN slot and the number of tags already known from skb metadata. */
static __always_inline void tl_parse(void *ctx, const int is_xdp, __u32 len, __u32 vlan_slot, int tags,
				     struct tl_parse *p)
{
	__u32 off = ETH_HLEN;
	__u16 proto_be;
	__u8 buf[4];
	int i;

	p->vlan = vlan_slot;
	p->kind = TL_KIND_TRUNCATED;
	p->key = 0;
	p->l4_off = 0;

	if (len < ETH_HLEN || tl_load(ctx, is_xdp, 12, &proto_be, 2))
		return;

#pragma unroll
	for (i = 0; i < TL_VLAN_MAX; i++) {
		if (tags >= TL_VLAN_MAX || !tl_is_vlan(proto_be))
			break;
		if (off + 4 > len || tl_load(ctx, is_xdp, off, buf, 4))
			return;
		if (tags == 0)
			p->vlan = ((__u32)buf[0] << 8 | buf[1]) & 0x0fff;
		proto_be = *(__u16 *)&buf[2];
		off += 4;
		tags++;
	}

	if (proto_be == bpf_htons(ETH_P_IP)) {
		/* The fixed header is 20 bytes: IHL in byte 0, protocol in byte 9. */
		if (off + 20 > len || tl_load(ctx, is_xdp, off, buf, 1) || tl_load(ctx, is_xdp, off + 9, buf + 1, 1))
			return;
		p->kind = TL_KIND_PROTOCOL;
		p->key = TL_IPV4 * 256 + buf[1];
		p->l4_off = off + (buf[0] & 0x0f) * 4;
		return;
	}
	if (proto_be == bpf_htons(ETH_P_IPV6)) {
		__u8 nexthdr;

		/* The fixed header is 40 bytes: next header in byte 6. */
		if (off + 40 > len || tl_load(ctx, is_xdp, off + 6, &nexthdr, 1))
			return;
		off += 40;
#pragma unroll
		for (i = 0; i < TL_IPV6_EXT_MAX; i++) {
			/* hop-by-hop 0, routing 43, fragment 44, destination options 60 (RFC 8200 section 4) */
			if (nexthdr != 0 && nexthdr != 43 && nexthdr != 44 && nexthdr != 60)
				break;
			if (off + 8 > len || tl_load(ctx, is_xdp, off, buf, 2))
				return;
			if (nexthdr == 44) { /* every fragment counts under the protocol its fragment header names */
				nexthdr = buf[0];
				off += 8;
				break;
			}
			nexthdr = buf[0];
			off += ((__u32)buf[1] + 1) * 8;
		}
		p->kind = TL_KIND_PROTOCOL;
		p->key = TL_IPV6 * 256 + nexthdr;
		p->l4_off = off;
		return;
	}
	p->kind = TL_KIND_ETHERTYPE;
	p->key = bpf_ntohs(proto_be);
}

/* The common case without helper calls or per-byte bounds checks: at least TL_FAST_LEN bytes in the
 * linear part (every untruncated frame on the wire is at least 60 bytes without FCS), no IPv6
 * extension header. tl_fast_l3 is inlined once per VLAN tag count, so every offset is a constant the
 * verifier checks against the one TL_FAST_LEN test. Returns 1 when it filled *p, 0 when tl_parse must
 * decide. Same rules as tl_parse. */
#define TL_FAST_LEN 60
static __always_inline int tl_fast_l3(void *data, void *data_end, const __u32 off, __u16 proto_be,
				      struct tl_parse *p)
{
	__u8 *l3 = data + off;

	if (proto_be == bpf_htons(ETH_P_IP)) { /* off + 20 <= 42 < TL_FAST_LEN */
		p->kind = TL_KIND_PROTOCOL;
		p->key = TL_IPV4 * 256 + l3[9];
		p->l4_off = off + (l3[0] & 0x0f) * 4;
		return 1;
	}
	if (proto_be == bpf_htons(ETH_P_IPV6)) {
		if (off + 40 > TL_FAST_LEN && (void *)(l3 + 40) > data_end)
			return 0;
		if (l3[6] == 0 || l3[6] == 43 || l3[6] == 44 || l3[6] == 60)
			return 0;
		p->kind = TL_KIND_PROTOCOL;
		p->key = TL_IPV6 * 256 + l3[6];
		p->l4_off = off + 40;
		return 1;
	}
	p->kind = TL_KIND_ETHERTYPE;
	p->key = bpf_ntohs(proto_be);
	return 1;
}

static __always_inline int tl_parse_fast(void *data, void *data_end, __u32 vlan_slot, int tags,
					 struct tl_parse *p)
{
	__u16 proto_be;

	if (data + TL_FAST_LEN > data_end)
		return 0;
	p->vlan = vlan_slot;
	p->l4_off = 0;
	proto_be = *(__u16 *)(data + 12);
	if (tags >= TL_VLAN_MAX || !tl_is_vlan(proto_be))
		return tl_fast_l3(data, data_end, ETH_HLEN, proto_be, p);
	if (tags == 0)
		p->vlan = bpf_ntohs(*(__u16 *)(data + 14)) & 0x0fff;
	proto_be = *(__u16 *)(data + 16);
	if (tags + 1 >= TL_VLAN_MAX || !tl_is_vlan(proto_be))
		return tl_fast_l3(data, data_end, ETH_HLEN + 4, proto_be, p);
	proto_be = *(__u16 *)(data + 20);
	if (tl_is_vlan(proto_be))
		return 0; /* a third tag: tl_parse counts it by EtherType */
	return tl_fast_l3(data, data_end, ETH_HLEN + 8, proto_be, p);
}

static __always_inline void tl_add(void *map, __u32 key, __u64 packets, __u64 bytes)
{
	struct tl_counter *c = bpf_map_lookup_elem(map, &key);

	if (c) {
		c->packets += packets;
		c->bytes += bytes;
	}
}

static __always_inline void tl_count(const struct tl_parse *p, __u32 dir, __u64 packets, __u64 bytes)
{
	tl_add(&tl_vlans, dir * TL_VLAN_SLOTS + p->vlan, packets, bytes);
	if (p->kind == TL_KIND_PROTOCOL) {
		tl_add(&tl_protocols, dir * TL_PROTOCOL_SLOTS + p->key, packets, bytes);
	} else if (p->kind == TL_KIND_ETHERTYPE) {
		struct tl_ethertype_key k = {.ethertype = p->key, .direction = dir};
		struct tl_counter *c = bpf_map_lookup_elem(&tl_ethertypes, &k);

		if (!c) {
			struct tl_counter init = {.packets = packets, .bytes = bytes};

			if (bpf_map_update_elem(&tl_ethertypes, &k, &init, BPF_NOEXIST) == 0)
				return;
			/* Another CPU inserted it meanwhile (EEXIST), or the hash is full (E2BIG). */
			c = bpf_map_lookup_elem(&tl_ethertypes, &k);
			if (!c) {
				k.ethertype = TL_ETHERTYPE_OTHER;
				c = bpf_map_lookup_elem(&tl_ethertypes, &k);
			}
		}
		if (c) {
			c->packets += packets;
			c->bytes += bytes;
		}
	} else {
		tl_add(&tl_truncated, dir, packets, bytes);
	}
}

static __always_inline void tl_mac_stat(__u32 dir, __u32 which)
{
	__u32 key = dir * TL_MAC_STATS + which;
	__u64 *n = bpf_map_lookup_elem(&tl_mac_stats, &key);

	if (n)
		*n += 1;
}

/* Add packets/bytes (seen at now) to the pair *k in tl_macs, inserting it when it is not there
 * (first_seen = now). */
static __always_inline void tl_mac_add(const struct tl_mac_key *k, __u64 packets, __u64 bytes, __u64 now)
{
	struct tl_mac_value *v = bpf_map_lookup_elem(&tl_macs, k), init;

	if (!v) {
		init.packets = packets;
		init.bytes = bytes;
		init.first_seen_ns = now;
		init.last_seen_ns = now;
		if (bpf_map_update_elem(&tl_macs, k, &init, BPF_NOEXIST) == 0) {
			tl_mac_stat(k->direction, TL_MAC_INSERTS);
			return;
		}
		v = bpf_map_lookup_elem(&tl_macs, k); /* another CPU inserted it meanwhile (EEXIST) */
		if (!v) {
			tl_mac_stat(k->direction, TL_MAC_FAILED);
			return;
		}
	}
	__sync_fetch_and_add(&v->packets, packets);
	__sync_fetch_and_add(&v->bytes, bytes);
	if (v->last_seen_ns < now)
		v->last_seen_ns = now;
}

/* Which cache slot a pair uses: the MAC's last two bytes (the part that differs between VMs of one
 * vendor prefix), the VLAN slot and the direction. */
static __always_inline __u32 tl_mac_slot_index(const struct tl_mac_key *k)
{
	return ((__u32)k->mac[5] ^ (__u32)k->mac[4] << 3 ^ (__u32)k->vlan * 37 ^ k->direction << 6) &
	       (TL_MAC_CACHE_SLOTS - 1);
}

/* Learn the frame: the pair (source MAC, VLAN slot, direction) gets packets/bytes. Frames shorter than
 * the two MAC addresses are not learned (AF_PACKET and BPF_PROG_TEST_RUN refuse them anyway). */
static __always_inline void tl_learn(void *ctx, const int is_xdp, __u32 vlan, __u32 dir, __u64 packets,
				     __u64 bytes)
{
	struct tl_mac_key k = {.vlan = vlan, .direction = dir};
	struct tl_mac_slot *slot;
	__u32 index;
	__u64 now;

	if (tl_load(ctx, is_xdp, 6, k.mac, 6))
		return;
	now = bpf_ktime_get_coarse_ns();
	index = tl_mac_slot_index(&k);
	slot = bpf_map_lookup_elem(&tl_mac_cache, &index);
	if (!slot) {
		tl_mac_add(&k, packets, bytes, now);
		return;
	}
	if (*(__u64 *)&slot->key == *(__u64 *)&k && *((__u32 *)&slot->key + 2) == *((__u32 *)&k + 2)) {
		slot->packets += packets; /* per-CPU: no atomic needed */
		slot->bytes += bytes;
		slot->last_seen_ns = now;
		return;
	}
	if (slot->packets) /* the slot's pair leaves the cache: its pending counts go to tl_macs */
		tl_mac_add(&slot->key, slot->packets, slot->bytes, slot->last_seen_ns);
	tl_mac_add(&k, packets, bytes, now);
	slot->key = k;
	slot->packets = 0;
	slot->bytes = 0;
	slot->last_seen_ns = now;
}

static __always_inline int tl_xdp(struct xdp_md *ctx, const int frags, const int learn)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct tl_parse p;
	/* Without frags support the frame is all in [data, data_end). */
	__u64 len = frags ? bpf_xdp_get_buff_len(ctx) : (__u64)(data_end - data);

	if (!tl_parse_fast(data, data_end, TL_VLAN_UNTAGGED, 0, &p))
		tl_parse(ctx, 1, len, TL_VLAN_UNTAGGED, 0, &p);
	tl_count(&p, TL_RX, 1, len);
	if (learn)
		tl_learn(ctx, 1, p.vlan, TL_RX, 1, len);
	return XDP_PASS;
}

/* Generic (skb) mode: a program without frags support, so the kernel linearizes the skb for it and
 * the program still sees whole frames. A frags-aware program in generic mode made kernel 6.18 hand
 * TC ingress (and everything after) an skb whose data started at the network header, not the
 * Ethernet header: trunkline must not change what others see. */
SEC("xdp")
int tl_count_xdp(struct xdp_md *ctx)
{
	return tl_xdp(ctx, 0, 0);
}

SEC("xdp")
int tl_count_xdp_macs(struct xdp_md *ctx)
{
	return tl_xdp(ctx, 0, 1);
}

/* Native (driver) mode: multi-buffer aware, so jumbo frames (MTU 9000 trunks) are counted whole. */
SEC("xdp.frags")
int tl_count_xdp_frags(struct xdp_md *ctx)
{
	return tl_xdp(ctx, 1, 0);
}

SEC("xdp.frags")
int tl_count_xdp_frags_macs(struct xdp_md *ctx)
{
	return tl_xdp(ctx, 1, 1);
}

static __always_inline int tl_tc(struct __sk_buff *skb, __u32 dir, const int learn)
{
	struct tl_parse p;
	__u32 vlan_slot = TL_VLAN_UNTAGGED, tag_bytes = 0, segs = 1, len = skb->len;
	__u64 bytes;
	int tags = 0;

	if (skb->vlan_present) {
		vlan_slot = skb->vlan_tci & 0x0fff;
		tag_bytes = 4;
		tags = 1;
	}
	if (!tl_parse_fast((void *)(long)skb->data, (void *)(long)skb->data_end, vlan_slot, tags, &p))
		tl_parse(skb, 0, len, vlan_slot, tags, &p);
	bytes = len + tag_bytes;
	if (skb->gso_size) {
		__u32 hdr = p.l4_off, gso_size = skb->gso_size;

		if (p.kind == TL_KIND_PROTOCOL) {
			__u8 proto = p.key & 0xff, doff = 0;

			if (proto == 6 && tl_load(skb, 0, hdr + 12, &doff, 1) == 0)
				hdr += (doff >> 4) * 4;
			else if (proto == 17)
				hdr += 8;
		}
		segs = skb->gso_segs;
		if (!segs && len > hdr) /* untrusted source: the kernel fills gso_segs in later */
			segs = (len - hdr + gso_size - 1) / gso_size;
		if (!segs || hdr > len)
			segs = 1;
		bytes = (__u64)len + (__u64)(segs - 1) * hdr + (__u64)segs * tag_bytes;
	}
	tl_count(&p, dir, segs, bytes);
	if (learn)
		tl_learn(skb, 0, p.vlan, dir, segs, bytes);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int tl_count_tc_rx(struct __sk_buff *skb)
{
	return tl_tc(skb, TL_RX, 0);
}

SEC("tc")
int tl_count_tc_tx(struct __sk_buff *skb)
{
	return tl_tc(skb, TL_TX, 0);
}

SEC("tc")
int tl_count_tc_rx_macs(struct __sk_buff *skb)
{
	return tl_tc(skb, TL_RX, 1);
}

SEC("tc")
int tl_count_tc_tx_macs(struct __sk_buff *skb)
{
	return tl_tc(skb, TL_TX, 1);
}
