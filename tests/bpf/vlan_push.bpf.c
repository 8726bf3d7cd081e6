// SPDX-License-Identifier: Apache-2.0
/*
 * Test helper (not shipped): a TC egress program that pushes VLAN tag 40 onto every frame with
 * bpf_skb_vlan_push. With tx-vlan-offload on, the kernel keeps the tag in skb metadata, so the peer
 * receives it as a NIC that strips tags in hardware would deliver it (docs/design.md, test trick).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int push_vlan_40(struct __sk_buff *skb)
{
	if (!skb->vlan_present)
		bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 40);
	return TC_ACT_UNSPEC;
}
