"""MAC learning in the counter, through BPF_PROG_TEST_RUN on crafted frames: the learned (VLAN, source
MAC) pairs, their counts and directions are exact, learning never changes the other counts, and a map
filled past its bound says how many pairs it lost.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.bpf.frames import (
    ETH_P_8021AD,
    ETH_P_8021Q,
    ETH_P_ARP,
    ETH_P_IP,
    ETH_P_IPV6,
    eth,
    ipv4,
    ipv6,
    tcp,
    udp,
)
from tests.bpf.runner import PROGRAMS, run, skb_ctx
from trunkline.errors import BadInputError, EnvironmentProblem
from trunkline.xdp import libbpf
from trunkline.xdp.counter import CounterObject
from trunkline.xdp.macs import MacEntry, MacTable
from trunkline.xdp.mactable import TL_MAC_CACHE_SLOTS, TL_MAC_ENTRIES
from trunkline.xdp.stats import Cell

pytestmark = pytest.mark.privileged

ENTRIES = ("xdp", "xdp_frags", "tc_rx", "tc_tx")


def with_source(frame: bytes, mac: str) -> bytes:
    """*frame* with its source MAC replaced by *mac*."""
    return frame[:6] + bytes.fromhex(mac.replace(":", "")) + frame[12:]


def vm_mac(i: int) -> str:
    """A VMware-style MAC (00:50:56 prefix) numbered *i*."""
    return f"00:50:56:{i >> 16 & 0xff:02x}:{i >> 8 & 0xff:02x}:{i & 0xff:02x}"


def send(obj: CounterObject, entry: str, frames: list[bytes]) -> None:
    fd = obj.prog_fd(PROGRAMS[entry][0])
    for frame in frames:
        libbpf.bpf_prog_test_run_opts(fd, frame)


def pairs(table: MacTable) -> dict[tuple[str, int | None, str], tuple[int, int]]:
    return {(e.direction, e.vlan, e.mac): (e.packets, e.bytes) for e in table.entries}


@pytest.fixture
def learning() -> Iterator[CounterObject]:
    obj = CounterObject(learn_macs=True)
    yield obj
    obj.close()


UNTAGGED = eth(ETH_P_IP, ipv4(17, udp()))                                  # 60 bytes
TAGGED_10 = eth(ETH_P_IPV6, ipv6(17, udp()), tags=((ETH_P_8021Q, 10),))    # 84 bytes
QINQ_20 = eth(ETH_P_ARP, bytes(28), tags=((ETH_P_8021AD, 20), (ETH_P_8021Q, 7)))  # 50 bytes


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_entry_learns_its_frames_pairs_exactly(learning: CounterObject, entry: str) -> None:
    a, b = "00:50:56:0a:00:01", "02:5a:00:00:00:0b"
    frames = ([with_source(UNTAGGED, a)] * 3 + [with_source(TAGGED_10, a)] * 2 + [with_source(TAGGED_10, b)]
              + [with_source(QINQ_20, b)] * 4)
    start = time.time()
    send(learning, entry, frames)
    table = learning.read_macs()
    direction = PROGRAMS[entry][1]
    assert pairs(table) == {
        (direction, None, a): (3, 180),
        (direction, 10, a): (2, 168),
        (direction, 10, b): (1, 84),
        (direction, 20, b): (4, 200),
    }
    assert (table.inserts, table.live, table.failed, table.partial) == (4, 4, 0, False)
    assert table.capacity == TL_MAC_ENTRIES
    assert dict(table.inserts_by_direction) == {"rx": 4 if direction == "rx" else 0,
                                                "tx": 4 if direction == "tx" else 0}
    for e in table.entries:  # coarse kernel clock: a scheduler tick (<= 10 ms) of resolution
        assert start - 0.05 <= e.first_seen <= e.last_seen <= time.time() + 0.05


@pytest.mark.parametrize("entry", ENTRIES)
def test_learning_leaves_every_other_count_as_without_it(learning: CounterObject, entry: str) -> None:
    plain = CounterObject()
    try:
        frames = [with_source(f, vm_mac(i)) for i, f in enumerate([UNTAGGED, TAGGED_10, QINQ_20] * 20)]
        send(plain, entry, frames)
        send(learning, entry, frames)
        assert learning.read(2) == plain.read(2)
        assert sum(e.packets for e in learning.read_macs().entries) == len(frames)
    finally:
        plain.close()


def test_a_tc_gso_aggregate_counts_towards_its_pair_as_its_wire_frames(learning: CounterObject) -> None:
    # 3 TCP segments of 1000 payload bytes in one buffer: each wire frame repeats the 54 header bytes.
    frame = with_source(eth(ETH_P_IP, ipv4(6, tcp(b"d" * 3000))), "00:50:56:0a:00:09")
    _, rx, _ = run(learning, "tc_rx", frame, ctx=skb_ctx(gso_segs=3, gso_size=1000))
    assert rx.vlans == {None: Cell(3, 3 * 54 + 3000)}
    assert pairs(learning.read_macs()) == {("rx", None, "00:50:56:0a:00:09"): (3, 3 * 54 + 3000)}


def test_pairs_interleaved_beyond_the_per_cpu_cache_count_exactly(learning: CounterObject) -> None:
    # 3 x 128 pairs on 2 VLANs, sent round-robin 5 times: each cache slot changes pair again and again,
    # so counts move between the per-CPU slots and the map all the time.
    macs = [vm_mac(i) for i in range(3 * TL_MAC_CACHE_SLOTS)]
    frames = [with_source(UNTAGGED if i % 2 else TAGGED_10, mac) for i, mac in enumerate(macs)]
    send(learning, "tc_rx", frames * 5)
    table = learning.read_macs()
    assert pairs(table) == {("rx", None if i % 2 else 10, mac): (5, 5 * (60 if i % 2 else 84))
                            for i, mac in enumerate(macs)}
    assert (table.inserts, table.live, table.partial) == (len(macs), len(macs), False)


def test_a_map_filled_past_its_bound_reports_inserts_and_live_and_counts_the_rest_exactly() -> None:
    obj = CounterObject(learn_macs=True, mac_capacity=64)
    try:
        frames = [with_source(TAGGED_10, vm_mac(i)) for i in range(1000)]
        send(obj, "xdp", frames)
        table = obj.read_macs()
        counts = obj.read(1)[0]
    finally:
        obj.close()
    assert table.capacity == 64
    assert table.inserts == 1000
    assert 0 < table.live <= 64 and table.live == len(table.entries)
    assert table.partial and table.evicted == 1000 - table.live
    assert all(e.packets == 1 and e.bytes == 84 and e.vlan == 10 for e in table.entries)
    assert counts.vlans == {10: counts.protocols[("ipv6", 17)]}
    assert counts.protocols[("ipv6", 17)].packets == 1000
    assert counts.protocols[("ipv6", 17)].bytes == 84_000


def test_mac_entry_and_table_shapes_follow_the_contract(learning: CounterObject) -> None:
    send(learning, "xdp", [with_source(UNTAGGED, "00:50:56:AB:CD:EF")])
    (entry,) = learning.read_macs().entries
    assert isinstance(entry, MacEntry)
    assert (entry.direction, entry.vlan, entry.mac, entry.packets, entry.bytes) == (
        "rx", None, "00:50:56:ab:cd:ef", 1, 60)
    assert isinstance(entry.first_seen, float)


def test_without_learning_read_macs_says_how_to_turn_it_on_and_snapshots_carry_no_table() -> None:
    obj = CounterObject()
    try:
        with pytest.raises(EnvironmentProblem, match="learn_macs=True"):
            obj.read_macs()
    finally:
        obj.close()


@pytest.mark.parametrize("size", [0, 1 << 23])
def test_mac_table_size_out_of_range_is_bad_input(size: int) -> None:
    with pytest.raises(BadInputError, match=f"--mac-table-size {size}: MAC table size out of range; use 1"):
        CounterObject(learn_macs=True, mac_capacity=size)
