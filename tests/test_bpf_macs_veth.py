"""MAC learning end to end: frames from known MACs across a veth pair between two network namespaces,
with VLAN tags in the frame and in skb metadata, learned exactly by every hook and direction.

The frames come from source MACs no interface here owns, so nothing else the namespaces send (IPv6
multicast listener reports, ...) can land in the pairs the tests check.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bpf.frames import ETH_P_8021AD, ETH_P_8021Q, ETH_P_IP, ETH_P_IPV6, eth, ipv4, ipv6, udp
from tests.bpf.net import counter_in, send_raw, vlan_push_egress
from tests.conftest import require
from tests.netns import VethPair, privileged_problem
from trunkline.xdp.counter import Counter
from trunkline.xdp.macs import MacTable

pytestmark = pytest.mark.privileged

WEB01, DB01, ROUTER = "00:50:56:0a:00:01", "00:50:56:0a:00:02", "02:5a:00:00:00:fe"
OURS = {WEB01, DB01, ROUTER}


@pytest.fixture(scope="module")
def pair() -> Iterator[VethPair]:
    require(privileged_problem())
    with VethPair() as p:
        yield p


def frame_from(pair: VethPair, mac: str, payload_frame: bytes) -> bytes:
    """*payload_frame* addressed to the receiving veth, from *mac*."""
    dst = bytes.fromhex(VethPair.mac(pair.ns_b, pair.if_b).replace(":", ""))
    return dst + bytes.fromhex(mac.replace(":", "")) + payload_frame[12:]


def learned(counter: Counter) -> dict[tuple[str, int | None, str], tuple[int, int]]:
    table: MacTable = counter.read_macs()
    return {(e.direction, e.vlan, e.mac): (e.packets, e.bytes) for e in table.entries if e.mac in OURS}


@pytest.mark.parametrize("xdp_mode", ["generic", "native"])
def test_tagged_and_untagged_frames_from_known_macs_are_learned_exactly_per_hook_and_direction(
        pair: VethPair, xdp_mode: str) -> None:
    v4 = eth(ETH_P_IP, ipv4(17, udp(b"w" * 50), src=pair.ip_a, dst=pair.ip_b))              # 92 bytes
    v6_10 = eth(ETH_P_IPV6, ipv6(17, udp(b"d" * 30)), tags=((ETH_P_8021Q, 10),))          # 96 bytes
    v4_20 = eth(ETH_P_IP, ipv4(1, bytes(30)), tags=((ETH_P_8021Q, 20),))                    # 68 bytes
    qinq_30 = eth(ETH_P_IP, ipv4(17, udp()), tags=((ETH_P_8021AD, 30), (ETH_P_8021Q, 99)))  # 68 bytes
    frames = ([frame_from(pair, WEB01, v4)] * 5 + [frame_from(pair, WEB01, v6_10)] * 3
              + [frame_from(pair, DB01, v4_20)] * 4 + [frame_from(pair, ROUTER, qinq_30)] * 2
              + [frame_from(pair, DB01, v6_10)] * 6)
    with counter_in(pair.ns_b, pair.if_b, hook="xdp", mode=xdp_mode, learn_macs=True) as xdp, \
            counter_in(pair.ns_b, pair.if_b, hook="tc", learn_macs=True) as tc, \
            counter_in(pair.ns_a, pair.if_a, hook="tc", learn_macs=True) as sender:
        send_raw(pair.ns_a, pair.if_a, frames)
        expected = {
            (None, WEB01): (5, 5 * 92),
            (10, WEB01): (3, 3 * 96),
            (20, DB01): (4, 4 * 68),
            (30, ROUTER): (2, 2 * 68),
            (10, DB01): (6, 6 * 96),
        }
        # Received: XDP sees the tags in the frame; the kernel moves the outer tag into metadata before
        # TC ingress, and TC adds its 4 bytes back, so both hooks learn the same pairs and bytes.
        assert learned(xdp) == {("rx", vlan, mac): cell for (vlan, mac), cell in expected.items()}
        assert learned(tc) == {("rx", vlan, mac): cell for (vlan, mac), cell in expected.items()}
        assert learned(sender) == {("tx", vlan, mac): cell for (vlan, mac), cell in expected.items()}
        table = tc.read_macs()
        assert table.inserts == table.live and not table.partial


def test_tags_held_in_metadata_are_learned_by_tc_and_untagged_by_xdp(pair: VethPair, tmp_path: Path) -> None:
    require(None if shutil.which("clang") else "needs clang (quickstart.sh installs it)")
    frame = frame_from(pair, WEB01, eth(ETH_P_IP, ipv4(17, udp(b"m" * 100), src=pair.ip_a, dst=pair.ip_b)))
    assert len(frame) == 142
    with counter_in(pair.ns_b, pair.if_b, hook="tc", learn_macs=True) as tc, \
            counter_in(pair.ns_b, pair.if_b, hook="xdp", learn_macs=True) as xdp:
        with vlan_push_egress(pair.ns_a, pair.if_a, tmp_path):  # tag 40 travels as metadata
            send_raw(pair.ns_a, pair.if_a, [frame] * 7)
        assert learned(tc) == {("rx", 40, WEB01): (7, 7 * 146)}
        assert learned(xdp) == {("rx", None, WEB01): (7, 7 * 142)}
        snapshot = tc.read()[0]
        assert snapshot.macs is not None and snapshot.macs.of("rx") == tc.read_macs().of("rx")


def test_a_counter_without_learning_has_no_mac_table(pair: VethPair) -> None:
    from trunkline.errors import EnvironmentProblem

    with counter_in(pair.ns_b, pair.if_b, hook="tc") as tc:
        assert all(s.macs is None for s in tc.read())
        with pytest.raises(EnvironmentProblem, match="MAC learning is off"):
            tc.read_macs()
