"""The counter's parser and counting rules, exercised through BPF_PROG_TEST_RUN on crafted frames.

Every test runs the real object (the shipped counter.bpf.o) in this kernel: the XDP entry and both TC
entries, and asserts the exact VLAN slot, protocol/EtherType/truncated slot, packets and bytes.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bpf.frames import (
    ETH_P_8021AD,
    ETH_P_8021Q,
    ETH_P_ARP,
    ETH_P_IP,
    ETH_P_IPV6,
    eth,
    expected_slot,
    ext,
    frag,
    icmp_echo,
    ipv4,
    ipv6,
    tcp,
    udp,
)
from tests.bpf.runner import PROGRAMS, TC_ACT_UNSPEC, XDP_PASS, diff, run, skb_ctx, tc_test_run_refuses
from trunkline.xdp import libbpf
from trunkline.xdp.counter import CounterObject
from trunkline.xdp.ethertypes import LLC, RESERVED
from trunkline.xdp.stats import Cell

pytestmark = pytest.mark.privileged

ALL_PROGRAMS = ("xdp", "xdp_frags", "tc_rx", "tc_tx")


@pytest.fixture(scope="module")
def obj() -> Iterator[CounterObject]:
    o = CounterObject()
    yield o
    o.close()


def landed(obj: CounterObject, program: str, frame: bytes) -> tuple[int | None, str, object]:
    """Run one frame through *program*; assert it passed, one packet and len(frame) bytes; return its slot.

    Frames the TC test run refuses (see tc_test_run_refuses) return expected_slot(frame) unchecked.
    """
    if program.startswith("tc") and tc_test_run_refuses(frame):
        with pytest.raises(OSError) as err:
            run(obj, program, frame)
        assert err.value.errno == errno.EINVAL
        return expected_slot(frame)
    verdict, rx, tx = run(obj, program, frame)
    assert verdict == (XDP_PASS if program.startswith("xdp") else TC_ACT_UNSPEC)
    counted, silent = (tx, rx) if program == "tc_tx" else (rx, tx)
    assert silent.total() == Cell() and silent.classified() == Cell()
    assert counted.total() == Cell(1, len(frame)) == counted.classified()
    return counted.slot()


CASES = {
    "ipv4_icmp": (eth(ETH_P_IP, ipv4(1, icmp_echo())), (None, "protocol", ("ipv4", 1))),
    "ipv4_tcp": (eth(ETH_P_IP, ipv4(6, tcp())), (None, "protocol", ("ipv4", 6))),
    "ipv4_udp": (eth(ETH_P_IP, ipv4(17, udp())), (None, "protocol", ("ipv4", 17))),
    "ipv4_protocol_0": (eth(ETH_P_IP, ipv4(0, bytes(8))), (None, "protocol", ("ipv4", 0))),
    "ipv4_protocol_255": (eth(ETH_P_IP, ipv4(255, bytes(8))), (None, "protocol", ("ipv4", 255))),
    "ipv4_esp": (eth(ETH_P_IP, ipv4(50, bytes(16))), (None, "protocol", ("ipv4", 50))),
    "ipv4_ah": (eth(ETH_P_IP, ipv4(51, bytes(16))), (None, "protocol", ("ipv4", 51))),
    "ipv4_later_fragment": (eth(ETH_P_IP, ipv4(17, bytes(16), fragment_offset=1480)),
                            (None, "protocol", ("ipv4", 17))),
    "ipv6_icmpv6": (eth(ETH_P_IPV6, ipv6(58, bytes(8))), (None, "protocol", ("ipv6", 58))),
    "ipv6_tcp": (eth(ETH_P_IPV6, ipv6(6, tcp())), (None, "protocol", ("ipv6", 6))),
    "ipv6_hop_by_hop_udp": (eth(ETH_P_IPV6, ipv6(0, ext(17) + udp())), (None, "protocol", ("ipv6", 17))),
    "ipv6_hop_routing_destopts_tcp": (eth(ETH_P_IPV6, ipv6(0, ext(43, 1) + ext(60, 2) + ext(6) + tcp())),
                                      (None, "protocol", ("ipv6", 6))),
    "ipv6_first_fragment_udp": (eth(ETH_P_IPV6, ipv6(44, frag(17, 0) + udp())),
                                (None, "protocol", ("ipv6", 17))),
    "ipv6_later_fragment_udp": (eth(ETH_P_IPV6, ipv6(44, frag(17, 1232, more=False) + bytes(32))),
                                (None, "protocol", ("ipv6", 17))),
    "ipv6_fragment_names_destopts": (eth(ETH_P_IPV6, ipv6(44, frag(60, 0) + ext(6) + tcp())),
                                     (None, "protocol", ("ipv6", 60))),
    "ipv6_esp_after_hop_by_hop": (eth(ETH_P_IPV6, ipv6(0, ext(50) + bytes(16))),
                                  (None, "protocol", ("ipv6", 50))),
    "ipv6_ah_is_not_walked": (eth(ETH_P_IPV6, ipv6(51, bytes(12))), (None, "protocol", ("ipv6", 51))),
    "ipv6_no_next_header": (eth(ETH_P_IPV6, ipv6(59)), (None, "protocol", ("ipv6", 59))),
    # 9 destination-options headers: the walk stops after 8, at the 9th header's type (60).
    "ipv6_chain_longer_than_bound": (eth(ETH_P_IPV6, ipv6(60, ext(60) * 8 + ext(17) + udp())),
                                     (None, "protocol", ("ipv6", 60))),
    "ipv6_chain_at_bound": (eth(ETH_P_IPV6, ipv6(60, ext(60) * 7 + ext(17) + udp())),
                            (None, "protocol", ("ipv6", 17))),
    "vlan_40_ipv4_icmp": (eth(ETH_P_IP, ipv4(1, icmp_echo()), tags=((ETH_P_8021Q, 40),)),
                          (40, "protocol", ("ipv4", 1))),
    "qinq_outer_100_inner_40_udp": (eth(ETH_P_IP, ipv4(17, udp()),
                                        tags=((ETH_P_8021AD, 100), (ETH_P_8021Q, 40))),
                                    (100, "protocol", ("ipv4", 17))),
    "vlan_0_priority_tag_ipv6": (eth(ETH_P_IPV6, ipv6(58, bytes(8)), tags=((ETH_P_8021Q, 0),)),
                                 (0, "protocol", ("ipv6", 58))),
    "vlan_4095": (eth(ETH_P_IP, ipv4(6, tcp()), tags=((ETH_P_8021Q, 4095),)),
                  (4095, "protocol", ("ipv4", 6))),
    "three_tags_count_by_third_tpid": (eth(ETH_P_IP, ipv4(17, udp()),
                                           tags=((ETH_P_8021AD, 7), (ETH_P_8021Q, 8), (ETH_P_8021Q, 9))),
                                       (7, "ethertype", ETH_P_8021Q)),
    "arp": (eth(ETH_P_ARP, bytes(28)), (None, "ethertype", ETH_P_ARP)),
    "arp_on_vlan_40": (eth(ETH_P_ARP, bytes(28), tags=((ETH_P_8021Q, 40),)), (40, "ethertype", ETH_P_ARP)),
    "lldp": (eth(0x88CC, bytes(46)), (None, "ethertype", 0x88CC)),
    "ieee_802_3_length_field": (eth(0x0026, bytes(46)), (None, "ethertype", LLC)),
}


@pytest.mark.parametrize("program", ALL_PROGRAMS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_frame_lands_in_its_vlan_and_protocol_slot(obj: CounterObject, program: str, case: str) -> None:
    frame, slot = CASES[case]
    assert landed(obj, program, frame) == slot
    assert expected_slot(frame) == slot  # the reference model agrees, so the property test can rely on it


# (frame, bytes that decide its slot: cut shorter, it is truncated)
CUT_CASES = {
    "ipv4_udp": (eth(ETH_P_IP, ipv4(17, udp())), 14 + 20),
    "vlan_40_ipv4_udp": (eth(ETH_P_IP, ipv4(17, udp()), tags=((ETH_P_8021Q, 40),)), 18 + 20),
    "qinq_ipv6_tcp": (eth(ETH_P_IPV6, ipv6(6, tcp()), tags=((ETH_P_8021AD, 100), (ETH_P_8021Q, 40))),
                      22 + 40),
    "ipv6_hop_by_hop_fragment_udp": (eth(ETH_P_IPV6, ipv6(0, ext(44, 1) + frag(17) + udp())),
                                     14 + 40 + 16 + 8),
    "arp": (eth(ETH_P_ARP, bytes(28)), 14),
}


@pytest.mark.parametrize("program", ALL_PROGRAMS)
@pytest.mark.parametrize("case", sorted(CUT_CASES))
def test_frame_cut_at_every_byte_is_truncated_until_its_headers_are_complete(
        obj: CounterObject, program: str, case: str) -> None:
    # Every cut from 14 bytes to the whole frame runs once between two reads of the maps; the counts
    # must be exactly the sum of the slots each cut lands in.
    frame, needed = CUT_CASES[case]
    full_vlan, full_kind, full_key = expected_slot(frame)
    cuts = [frame[:n] for n in range(14, len(frame) + 1)]
    if program.startswith("tc"):
        cuts = [c for c in cuts if not tc_test_run_refuses(c)]
    fd = obj.prog_fd(PROGRAMS[program][0])
    before = obj.read(2)
    for cut in cuts:
        libbpf.bpf_prog_test_run_opts(fd, cut)
    d = 1 if program == "tc_tx" else 0
    after = diff(before[d], obj.read(2)[d], PROGRAMS[program][1])

    def cell(frames: list[bytes]) -> Cell:
        return Cell(len(frames), sum(map(len, frames)))

    truncated = [c for c in cuts if len(c) < needed]
    complete = [c for c in cuts if len(c) >= needed]
    assert after.truncated == cell(truncated)
    whole = cell(complete)
    if full_kind == "protocol":
        assert (after.protocols, after.ethertypes) == ({full_key: whole}, {})
    else:
        assert (after.protocols, after.ethertypes) == ({}, {full_key: whole})
    # The outer tag counts once its 4 bytes are in the frame; before that the frame is untagged.
    untagged = [c for c in cuts if full_vlan is None or len(c) < 18]
    tagged = [c for c in cuts if full_vlan is not None and len(c) >= 18]
    assert after.vlans == {k: v for k, v in ((None, cell(untagged)), (full_vlan, cell(tagged))) if v}


def test_tc_counts_a_gso_aggregate_as_its_wire_frames(obj: CounterObject) -> None:
    # 3 TCP segments of 1000 payload bytes in one buffer: each wire frame repeats the 54 header bytes.
    frame = eth(ETH_P_IP, ipv4(6, tcp(b"d" * 3000)))
    verdict, rx, _ = run(obj, "tc_rx", frame, ctx=skb_ctx(gso_segs=3, gso_size=1000))
    assert verdict == TC_ACT_UNSPEC
    assert rx.protocols == {("ipv4", 6): Cell(3, len(frame) + 2 * 54)}
    assert rx.vlans == {None: Cell(3, 3 * 54 + 3000)}


def test_tc_counts_a_udp_gso_aggregate_with_udp_headers_repeated(obj: CounterObject) -> None:
    frame = eth(ETH_P_IPV6, ipv6(17, udp(b"u" * 2400)))
    _, _, tx = run(obj, "tc_tx", frame, ctx=skb_ctx(gso_segs=2, gso_size=1200))
    assert tx.protocols == {("ipv6", 17): Cell(2, 2 * (14 + 40 + 8 + 1200))}


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_all_256_protocol_numbers_have_their_own_slot(obj: CounterObject, family: str) -> None:
    # Number n carries 8 + n payload bytes, so a slot shared by two numbers or a missing slot shows.
    fd = obj.prog_fd("tl_count_xdp")
    before = obj.read(1)[0]
    expected = {}
    for number in range(256):
        payload = bytes(8 + number)
        if family == "ipv4":
            frame, slot = eth(ETH_P_IP, ipv4(number, payload)), ("ipv4", number)
        elif number in (0, 43, 44, 60):  # extension headers are walked: these end at "no next header"
            frame, slot = eth(ETH_P_IPV6, ipv6(number, ext(59) + payload)), ("ipv6", 59)
        else:
            frame, slot = eth(ETH_P_IPV6, ipv6(number, payload)), ("ipv6", number)
        libbpf.bpf_prog_test_run_opts(fd, frame)
        expected[slot] = expected.get(slot, Cell()) + Cell(1, len(frame))
    assert diff(before, obj.read(1)[0], "rx").protocols == expected


def test_multi_buffer_jumbo_frame_counts_all_its_bytes(obj: CounterObject) -> None:
    # 9000-byte frames (MTU 9000 trunks) span several buffers in BPF_PROG_TEST_RUN for xdp.frags.
    frame = eth(ETH_P_8021Q, bytes([0, 40]) + (ETH_P_IPV6).to_bytes(2, "big") + ipv6(17, udp(bytes(8938))))
    assert len(frame) == 9004
    _, rx, _ = run(obj, "xdp_frags", frame)
    assert rx.vlans == {40: Cell(1, 9004)}
    assert rx.protocols == {("ipv6", 17): Cell(1, 9004)}


def test_ethertypes_beyond_the_hash_size_count_under_other() -> None:
    # A fresh object: the EtherType hash holds 4096 entries; the "other" and 802.3 slots and the
    # reserved EtherTypes' slots (rx and tx each) exist from the start, so that many fewer distinct EtherTypes
    # get their own slot and later new ones count as other.
    free = 4096 - 2 * (2 + len(RESERVED))
    fresh = CounterObject()
    try:
        fd = fresh.prog_fd("tl_count_xdp")
        for ethertype in range(0x0900, 0x0900 + free + 6):  # clear of IP, the VLAN TPIDs, the reserved
            libbpf.bpf_prog_test_run_opts(fd, eth(ethertype, bytes(46)))
        libbpf.bpf_prog_test_run_opts(fd, eth(0x0900, bytes(46)))  # one already known still has its slot
        counts = fresh.read(1)[0]
    finally:
        fresh.close()
    assert counts.ethertypes[0x10000] == Cell(6, 6 * 60)
    assert counts.ethertypes[0x0900] == Cell(2, 120)
    assert len(counts.ethertypes) == free + 1
    assert sum(counts.ethertypes.values(), Cell()) == counts.vlans[None] == Cell(free + 7, (free + 7) * 60)


def test_repeated_runs_count_every_repetition(obj: CounterObject) -> None:
    frame = eth(ETH_P_IPV6, ipv6(17, udp()), tags=((ETH_P_8021Q, 10),))
    _, rx, _ = run(obj, "xdp", frame, repeat=1000)
    assert rx.vlans == {10: Cell(1000, 1000 * len(frame))}
    assert rx.protocols == {("ipv6", 17): Cell(1000, 1000 * len(frame))}


def _random_frame() -> st.SearchStrategy[bytes]:
    tpid = st.sampled_from([ETH_P_8021Q, ETH_P_8021AD])
    tags = st.lists(st.tuples(tpid, st.integers(0, 4095)), max_size=3).map(tuple)
    ip_payload = st.binary(max_size=64)
    v6_chain = st.lists(st.tuples(st.sampled_from([0, 43, 60, 44]), st.integers(0, 2)), max_size=10)

    def v6(chain: list[tuple[int, int]], last: int, tail: bytes) -> bytes:
        body, nhs = b"", [nh for nh, _ in chain] + [last]
        for (nh, units), following in zip(chain, nhs[1:], strict=True):
            body += frag(following) if nh == 44 else ext(following, units)
        return ipv6(nhs[0], body + tail)

    l3 = st.one_of(
        st.builds(lambda p, t: (ETH_P_IP, ipv4(p, t)), st.integers(0, 255), ip_payload),
        st.builds(lambda c, last, t: (ETH_P_IPV6, v6(c, last, t)), v6_chain, st.integers(0, 255), ip_payload),
        st.tuples(st.integers(0, 0xFFFF), st.binary(max_size=64)),
    )
    whole = st.builds(lambda tg, et_payload: eth(*et_payload, tags=tg), tags, l3)
    return st.one_of(whole.flatmap(lambda f: st.integers(14, len(f)).map(lambda n: f[:n])),
                     st.binary(min_size=14, max_size=200))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=_random_frame(), program=st.sampled_from(ALL_PROGRAMS))
def test_any_frame_passes_and_lands_in_exactly_one_slot_of_each_kind(
        obj: CounterObject, frame: bytes, program: str) -> None:
    # landed() asserts the verdict, and that the VLAN slots and the protocol + EtherType + truncated
    # slots each sum to the one frame; the slot itself must be the one the counting rules name.
    assert landed(obj, program, frame) == expected_slot(frame)
