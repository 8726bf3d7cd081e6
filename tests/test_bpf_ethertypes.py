"""No flood of odd EtherTypes or 802.3 lengths can push the well-known EtherTypes out of their own rows.

The counter's EtherType hash has room for 4,096 (EtherType, direction) keys; the reserved ones
(``ethertypes.RESERVED``: ARP, LLDP, Slow Protocols/LACP, 802.1X, PTP, MPLS, PPPoE, FCoE...) exist
from the start, and every 802.3 frame, whatever its length field, counts under one key (``LLC``).
Checked with the real object through BPF_PROG_TEST_RUN (both directions), and with real frames over
a veth pair to a TC counter.
"""

from __future__ import annotations

import random
import time

import pytest

from tests.bpf.frames import ETH_P_8021AD, ETH_P_8021Q, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, eth
from tests.netns import VethPair
from tests.watch_traffic import Sender, arp_request, ethernet, in_netns, quiet_ipv6
from trunkline.xdp import libbpf
from trunkline.xdp.counter import CounterObject
from trunkline.xdp.ethertypes import LLC, MAX_LENGTH, OTHER, RESERVED, name
from trunkline.xdp.stats import Cell

pytestmark = pytest.mark.privileged

LLDP, SLOW_PROTOCOLS = 0x88CC, 0x8809
PARSED = {ETH_P_IP, ETH_P_IPV6, ETH_P_8021Q, ETH_P_8021AD}  # counted as protocols, or read as tags


def junk(count: int, seed: int) -> list[int]:
    """Every 802.3 length value (0-1500), then *count* distinct random EtherTypes that are neither
    reserved nor parsed: more than the hash can take."""
    pool = [v for v in range(MAX_LENGTH + 1, 0x10000) if v not in PARSED and v not in RESERVED]
    return [*range(MAX_LENGTH + 1), *random.Random(seed).sample(pool, count)]


def reserved_frame(ethertype: int) -> bytes:
    """A 60-byte frame counted under *ethertype*: the VLAN TPIDs as a third tag, beyond the two parsed."""
    if ethertype in (ETH_P_8021Q, ETH_P_8021AD):
        return eth(ethertype, bytes(38), tags=((ETH_P_8021Q, 10), (ETH_P_8021AD, 20)))
    return eth(ethertype, bytes(46))


def test_after_a_flood_every_reserved_ethertype_still_counts_under_its_own_name_in_both_directions() -> None:
    fresh = CounterObject()  # a fresh hash, empty but for the reserved keys
    try:
        xdp, tc_tx = fresh.prog_fd("tl_count_xdp"), fresh.prog_fd("tl_count_tc_tx")
        flood = junk(5000, seed=13)
        for value in flood:
            libbpf.bpf_prog_test_run_opts(xdp, eth(value, bytes(46)))
        for value in RESERVED:
            for fd in (xdp, tc_tx):
                libbpf.bpf_prog_test_run_opts(fd, reserved_frame(value))
        rx, tx = fresh.read(2)
    finally:
        fresh.close()
    assert rx.ethertypes[OTHER].packets > 0  # the flood did fill the hash
    for value in RESERVED:
        assert (rx.ethertypes[value], tx.ethertypes[value]) == (Cell(1, 60), Cell(1, 60)), name(value)
    assert sum(rx.ethertypes.values(), Cell()) == rx.vlans[None] + rx.vlans[10] == Cell(
        len(flood) + len(RESERVED), 60 * (len(flood) + len(RESERVED)))
    assert set(tx.ethertypes) == set(RESERVED)


def test_real_arp_lldp_and_lacp_frames_keep_their_rows_after_a_flood_over_veth(veth_pair: VethPair) -> None:
    from trunkline.xdp.counter import Counter

    quiet_ipv6(veth_pair)
    sender = Sender(veth_pair)
    try:
        with in_netns(veth_pair.ns_b), Counter(veth_pair.if_b, hook="tc") as counter:
            for value in junk(4500, seed=7):
                sender.raw(ethernet(sender.mac_b, sender.mac_a, value, bytes(46)))
            arp = sender.raw(ethernet(sender.mac_b, sender.mac_a, ETH_P_ARP,
                                      arp_request(sender.mac_a, veth_pair.ip_a, veth_pair.ip_b)), count=2)
            lldp = sender.raw(ethernet("01:80:c2:00:00:0e", sender.mac_a, LLDP, bytes(46)), count=3)
            lacp = sender.raw(ethernet("01:80:c2:00:00:02", sender.mac_a, SLOW_PROTOCOLS,
                                       bytes([1, 1]) + bytes(108)), count=4)
            deadline = time.monotonic() + 10
            while (rx := counter.read()[0]).ethertypes.get(SLOW_PROTOCOLS, Cell()).packets < 4 \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        sender.close()
    assert rx.ethertypes[ETH_P_ARP] == Cell(2, 2 * arp)
    assert rx.ethertypes[LLDP] == Cell(3, 3 * lldp)
    assert rx.ethertypes[SLOW_PROTOCOLS] == Cell(4, 4 * lacp)
    assert rx.ethertypes[OTHER].packets > 0
    assert [name(v) for v in (ETH_P_ARP, LLDP, SLOW_PROTOCOLS)] == ["ARP", "LLDP", "Slow-Protocols"]


def test_every_802_3_length_takes_one_key_so_lengths_cannot_fill_the_hash() -> None:
    # All 1,501 lengths, then exactly as many distinct EtherTypes as the hash has free keys after the
    # reserved ones and the one 802.3 key: none of them lands in "other".
    free = 4096 - 2 * (2 + len(RESERVED))
    fresh = CounterObject()
    try:
        xdp = fresh.prog_fd("tl_count_xdp")
        for length in range(MAX_LENGTH + 1):
            libbpf.bpf_prog_test_run_opts(xdp, eth(length, bytes(46)))
        pool = [v for v in range(MAX_LENGTH + 1, 0x10000) if v not in PARSED and v not in RESERVED]
        for value in pool[:free]:
            libbpf.bpf_prog_test_run_opts(xdp, eth(value, bytes(46)))
        rx = fresh.read(1)[0]
    finally:
        fresh.close()
    assert rx.ethertypes[LLC] == Cell(MAX_LENGTH + 1, 60 * (MAX_LENGTH + 1))
    assert OTHER not in rx.ethertypes
    assert len(rx.ethertypes) == 1 + free


def test_802_3_frames_keep_their_row_after_a_flood_of_every_ethertype_over_veth(veth_pair: VethPair) -> None:
    from trunkline.xdp.counter import Counter

    quiet_ipv6(veth_pair)
    sender = Sender(veth_pair)
    flood = [v for v in range(0x0600, 0x10000) if v not in PARSED]  # every EtherType the hash could take
    stp = bytes([0x42, 0x42, 0x03]) + bytes(35)  # LLC (STP's SAPs, UI) and a 35-byte BPDU: length 38
    try:
        with in_netns(veth_pair.ns_b), Counter(veth_pair.if_b, hook="xdp") as counter:
            for value in flood:
                sender.raw(ethernet(sender.mac_b, sender.mac_a, value, bytes(46)))
            llc = sender.raw(ethernet("01:80:c2:00:00:00", sender.mac_a, len(stp), stp + bytes(8)), count=5)
            deadline = time.monotonic() + 20
            while sum((rx := counter.read()[0]).ethertypes.values(), Cell()).packets < len(flood) + 5 \
                    and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        sender.close()
    assert rx.ethertypes[OTHER].packets > 0  # the flood did fill the hash
    assert rx.ethertypes[LLC] == Cell(5, 5 * llc)
    assert name(LLC) == "802.3-LLC"
