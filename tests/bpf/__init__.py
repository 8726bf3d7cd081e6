"""Helpers for the eBPF counter's tests: frame builders, the counting rules as a reference model, and
a TC program that pushes VLAN tags into skb metadata (``vlan_push.bpf.c``)."""
