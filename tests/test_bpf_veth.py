"""The counter end to end: real frames across a veth pair between two network namespaces.

GRO/GSO/TSO are off on the veths (tests/netns.py) unless a test turns them on, so one buffer is one
wire frame. Counts are asserted per protocol for the traffic each test sends; other protocols (for
example IPv6 multicast listener reports when a link comes up) may appear beside them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bpf.frames import ETH_P_8021Q, ETH_P_IP, ETH_P_IPV6, eth, ipv4, ipv6, udp
from tests.bpf.net import (
    counter_in,
    ping,
    send_raw,
    send_udp,
    socket_in,
    tc_filters,
    tcp_out_segs,
    tcp_syn_rst,
    udp_sinks,
    vlan_push_egress,
    xdp_attached,
)
from tests.conftest import cli_env, require
from tests.netns import VethPair, privileged_problem, sh
from trunkline.errors import EnvironmentProblem
from trunkline.xdp import libbpf
from trunkline.xdp.counter import Counter, InterfaceGone
from trunkline.xdp.stats import Cell, Snapshot

pytestmark = pytest.mark.privileged

N = 20  # frames per kind of traffic: small enough to be quick, large enough to catch off-by-one


@pytest.fixture(scope="module")
def pair() -> Iterator[VethPair]:
    require(privileged_problem())
    with VethPair() as p:
        yield p


def protocol(snapshot: Snapshot, family: str, number: int) -> Cell:
    return snapshot.protocols.get((family, number), Cell())  # type: ignore[call-overload,no-any-return]


def delta(after: list[Snapshot], before: list[Snapshot], direction: str, family: str, number: int) -> Cell:
    a = next(s for s in after if s.direction == direction)
    b = next(s for s in before if s.direction == direction)
    return protocol(a, family, number) - protocol(b, family, number)


# ICMP echo request: 14 + 20 + 8 + 56 bytes; UDP with 100 bytes: 14 + 20 + 8 + 100; TCP SYN from Linux:
# 14 + 20 + 40 (options); RST: 14 + 20 + 20. IPv6 adds 20 bytes to each.
@pytest.mark.parametrize("hook", ["xdp", "tc"])
def test_known_traffic_is_counted_exactly_per_protocol_and_direction(pair: VethPair, hook: str) -> None:
    with counter_in(pair.ns_b, pair.if_b, hook=hook) as counter, \
            udp_sinks(pair.ns_b, [pair.ip_b, pair.ip6_b]), udp_sinks(pair.ns_a, [pair.ip_a]):
        before = counter.read()
        ping(pair.ns_a, pair.ip_b, N)
        send_udp(pair.ns_a, pair.ip_b, N, size=100, port=9)
        send_udp(pair.ns_a, pair.ip6_b, N, size=100, port=9)
        tcp_syn_rst(pair.ns_a, pair.ip_b, N)
        tcp_syn_rst(pair.ns_a, pair.ip6_b, N)
        send_udp(pair.ns_b, pair.ip_a, N, size=200, port=9)
        after = counter.read()
    assert [s.direction for s in after] == (["rx"] if hook == "xdp" else ["rx", "tx"])
    assert delta(after, before, "rx", "ipv4", 1) == Cell(N, N * 98)
    assert delta(after, before, "rx", "ipv4", 17) == Cell(N, N * 142)
    assert delta(after, before, "rx", "ipv6", 17) == Cell(N, N * 162)
    assert delta(after, before, "rx", "ipv4", 6) == Cell(N, N * 74)
    assert delta(after, before, "rx", "ipv6", 6) == Cell(N, N * 94)
    if hook == "tc":
        assert delta(after, before, "tx", "ipv4", 1) == Cell(N, N * 98)  # echo replies
        assert delta(after, before, "tx", "ipv4", 6) == Cell(N, N * 54)  # RSTs
        assert delta(after, before, "tx", "ipv6", 6) == Cell(N, N * 74)
        assert delta(after, before, "tx", "ipv4", 17) == Cell(N, N * 242)
    for snapshot in after:  # the counting rules' two sums
        assert sum(snapshot.vlans.values(), Cell()) == snapshot.total
        classified = sum([*snapshot.protocols.values(), *snapshot.ethertypes.values()], snapshot.truncated)
        assert classified == snapshot.total


def test_xdp_and_tc_agree_on_received_bytes(pair: VethPair) -> None:
    with counter_in(pair.ns_b, pair.if_b, hook="xdp") as xdp, \
            counter_in(pair.ns_b, pair.if_b, hook="tc") as tc:
        xb, tb = xdp.read(), tc.read()
        send_udp(pair.ns_a, pair.ip_b, N, size=1000)
        send_udp(pair.ns_a, pair.ip6_b, N, size=1400)
        ping(pair.ns_a, pair.ip_b, N)
        xa, ta = xdp.read(), tc.read()
    for family, number in (("ipv4", 17), ("ipv6", 17), ("ipv4", 1)):
        from_xdp = delta(xa, xb, "rx", family, number)
        assert from_xdp.packets == N
        assert from_xdp == delta(ta, tb, "rx", family, number)


def test_vlan_tagged_frames_from_af_packet_count_under_their_vlan_id(pair: VethPair) -> None:
    mac_a, mac_b = VethPair.mac(pair.ns_a, pair.if_a), VethPair.mac(pair.ns_b, pair.if_b)
    payload = ipv4(17, udp(b"v" * 50), src=pair.ip_a, dst=pair.ip_b)
    frame = eth(ETH_P_IP, payload, tags=((ETH_P_8021Q, 40),))
    frame = bytes.fromhex(mac_b.replace(":", "")) + bytes.fromhex(mac_a.replace(":", "")) + frame[12:]
    with counter_in(pair.ns_b, pair.if_b, hook="xdp") as xdp, \
            counter_in(pair.ns_b, pair.if_b, hook="tc") as tc, \
            counter_in(pair.ns_a, pair.if_a, hook="tc") as sender:
        send_raw(pair.ns_a, pair.if_a, [frame] * N)
        expected = Cell(N, N * len(frame))
        # The receiving kernel moves the tag into metadata before TC ingress: TC adds its 4 bytes back.
        assert xdp.read()[0].vlans.get(40) == expected
        assert tc.read()[0].vlans.get(40) == expected
        assert next(s for s in sender.read() if s.direction == "tx").vlans.get(40) == expected
        assert protocol(tc.read()[0], "ipv4", 17) == expected


def test_frames_cut_inside_the_ip_header_count_as_truncated_on_both_hooks(pair: VethPair) -> None:
    # BPF_PROG_TEST_RUN refuses such skbs for TC (tests/test_bpf_program.py), a real TC hook sees them.
    mac_a, mac_b = VethPair.mac(pair.ns_a, pair.if_a), VethPair.mac(pair.ns_b, pair.if_b)
    macs = bytes.fromhex(mac_b.replace(":", "") + mac_a.replace(":", ""))
    cut_v4 = macs + eth(ETH_P_IP, ipv4(17, udp()))[12:30]  # 30 bytes: 16 of the 20-byte IPv4 header
    cut_v6 = macs + eth(ETH_P_IPV6, ipv6(17, udp()))[12:50]  # 50 bytes: 36 of the 40-byte IPv6 header
    with counter_in(pair.ns_b, pair.if_b, hook="xdp") as xdp, \
            counter_in(pair.ns_b, pair.if_b, hook="tc") as tc:
        xb, tb = xdp.read()[0], tc.read()[0]
        send_raw(pair.ns_a, pair.if_a, [cut_v4] * 3 + [cut_v6] * 2)
        xa, ta = xdp.read()[0], tc.read()[0]
    for before, after in ((xb, xa), (tb, ta)):
        assert after.truncated - before.truncated == Cell(5, 3 * 30 + 2 * 50)


def test_tag_held_in_metadata_is_counted_by_tc_and_invisible_to_xdp(pair: VethPair, tmp_path: Path) -> None:
    require(None if shutil.which("clang") else "needs clang (quickstart.sh installs it)")
    with counter_in(pair.ns_b, pair.if_b, hook="tc") as tc, \
            counter_in(pair.ns_b, pair.if_b, hook="xdp") as xdp:
        tb, xb = tc.read()[0], xdp.read()[0]
        with vlan_push_egress(pair.ns_a, pair.if_a, tmp_path):
            send_udp(pair.ns_a, pair.ip_b, N, size=100)
        ta, xa = tc.read()[0], xdp.read()[0]
    # 142-byte frames, 146 on the wire with their tag.
    assert ta.vlans.get(40, Cell()) - tb.vlans.get(40, Cell()) == Cell(N, N * 146)
    assert protocol(ta, "ipv4", 17) - protocol(tb, "ipv4", 17) == Cell(N, N * 146)
    assert xa.vlans.get(40, Cell()) == xb.vlans.get(40, Cell())
    assert protocol(xa, "ipv4", 17) - protocol(xb, "ipv4", 17) == Cell(N, N * 142)


def test_tc_counts_tso_bursts_as_wire_segments() -> None:
    require(privileged_problem())
    payload = b"t" * 2_000_000
    with VethPair(offloads=True) as pair:
        server = socket_in(pair.ns_a, socket.AF_INET, socket.SOCK_STREAM)
        server.bind((pair.ip_a, 5001))
        server.listen(1)
        client = socket_in(pair.ns_b, socket.AF_INET, socket.SOCK_STREAM)
        client.connect((pair.ip_a, 5001))
        conn, _ = server.accept()
        received: list[int] = []

        def drain() -> None:
            while sum(received) < len(payload):
                chunk = conn.recv(1 << 20)
                if not chunk:
                    return
                received.append(len(chunk))

        try:
            with counter_in(pair.ns_b, pair.if_b, hook="tc") as tc:
                before, segs_before = tc.read()[1], tcp_out_segs(pair.ns_b)
                reader = threading.Thread(target=drain)
                reader.start()
                client.sendall(payload)
                reader.join(timeout=30)
                deadline = time.monotonic() + 5  # until the hook has seen every segment TCP sent
                while True:
                    after, segs_after = tc.read()[1], tcp_out_segs(pair.ns_b)
                    seen = protocol(after, "ipv4", 6).packets - protocol(before, "ipv4", 6).packets
                    if seen == segs_after - segs_before or time.monotonic() > deadline:
                        break
                    time.sleep(0.02)
        finally:
            for s in (client, conn, server):
                s.close()
    assert sum(received) == len(payload)
    sent = protocol(after, "ipv4", 6) - protocol(before, "ipv4", 6)
    segments = segs_after - segs_before
    # Every wire segment repeats Ethernet + IPv4 + TCP with timestamps: 14 + 20 + 32 bytes.
    assert sent == Cell(segments, len(payload) + segments * 66)
    assert segments >= len(payload) // 1448


# -- lifecycle ------------------------------------------------------------------------------------

HOLDER = """
import sys, time
from trunkline.xdp.counter import Counter
c = Counter(sys.argv[1], hook=sys.argv[2], tc_attach=sys.argv[3]).open()
print("ready", flush=True)
time.sleep(600)
"""


def start_holder(pair: VethPair, hook: str, tc_attach: str = "auto") -> subprocess.Popen[str]:
    """A process holding an open Counter on pair.if_b (returns once it is attached)."""
    cmd = ["ip", "netns", "exec", pair.ns_b, sys.executable, "-c", HOLDER, pair.if_b, hook, tc_attach]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
    return proc


def start_cli(pair: VethPair, hook: str) -> subprocess.Popen[str]:
    """`trunkline count IFACE --hook HOOK --json` in ns_b (returns after its first record: attached)."""
    cmd = ["ip", "netns", "exec", pair.ns_b, sys.executable, "-m", "trunkline", "count", pair.if_b,
           "--hook", hook, "--json", "--interval", "0.2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("{"), proc.stderr.read() if proc.stderr else ""
    return proc


def bpf_links_of(pid: int) -> list[str]:
    """Ids of the bpf_links process *pid* holds, from /proc/PID/fdinfo (a link's fdinfo has link_id)."""
    ids = []
    for info in Path(f"/proc/{pid}/fdinfo").iterdir():
        with contextlib.suppress(OSError):
            for line in info.read_text().splitlines():
                if line.startswith("link_id:"):
                    ids.append(line.split()[1])
    return ids


def link_exists(link_id: str) -> bool:
    """Whether the kernel still has the bpf_link with this id."""
    try:
        os.close(libbpf.bpf_link_get_fd_by_id(int(link_id)))
    except OSError as exc:
        assert exc.errno == errno.ENOENT, exc
        return False
    return True


def sigkill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()


@pytest.mark.parametrize("hook", ["xdp", "tc"])
@pytest.mark.parametrize("holder", ["trunkline count", "Counter"])
def test_sigkill_of_a_process_holding_a_counter_leaves_nothing_attached(veth_pair: VethPair, hook: str,
                                                                        holder: str) -> None:
    proc = start_cli(veth_pair, hook) if holder == "trunkline count" else start_holder(veth_pair, hook)
    links = bpf_links_of(proc.pid)  # `ip netns exec` execs the command: same pid
    assert len(links) == (1 if hook == "xdp" else 2)
    assert all(link_exists(link) for link in links)
    assert xdp_attached(veth_pair.ns_b, veth_pair.if_b) == (hook == "xdp")
    sigkill(proc)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(link_exists(link) for link in links):
        time.sleep(0.05)
    assert not any(link_exists(link) for link in links)
    assert not xdp_attached(veth_pair.ns_b, veth_pair.if_b)
    assert "trunkline-" not in tc_filters(veth_pair.ns_b, veth_pair.if_b)


def test_tc_fallback_filters_left_by_a_killed_process_are_removed_by_the_next_counter(
        veth_pair: VethPair) -> None:
    proc = start_holder(veth_pair, "tc", "netlink")
    assert bpf_links_of(proc.pid) == []
    filters = tc_filters(veth_pair.ns_b, veth_pair.if_b)
    assert filters.count("trunkline-") == 2 and f"trunkline-{proc.pid}-rx" in filters
    sigkill(proc)
    assert tc_filters(veth_pair.ns_b, veth_pair.if_b).count("trunkline-") == 2  # netlink filters outlive it
    with counter_in(veth_pair.ns_b, veth_pair.if_b, hook="tc", tc_attach="netlink") as counter:
        assert counter.tc_attach == "netlink"
        filters = tc_filters(veth_pair.ns_b, veth_pair.if_b)
        assert filters.count("trunkline-") == 2 and f"trunkline-{os.getpid()}-rx" in filters
        before = counter.read()
        ping(veth_pair.ns_a, veth_pair.ip_b, N)
        after = counter.read()
        assert delta(after, before, "rx", "ipv4", 1) == Cell(N, N * 98)
        assert delta(after, before, "tx", "ipv4", 1) == Cell(N, N * 98)
    assert "trunkline-" not in tc_filters(veth_pair.ns_b, veth_pair.if_b)


def test_second_xdp_counter_is_refused_and_the_first_keeps_counting(veth_pair: VethPair) -> None:
    with counter_in(veth_pair.ns_b, veth_pair.if_b, hook="xdp") as first:
        with pytest.raises(EnvironmentProblem, match="already has an XDP program"), \
                counter_in(veth_pair.ns_b, veth_pair.if_b, hook="xdp"):
            pass
        with pytest.raises(EnvironmentProblem, match="already has an XDP program"), \
                counter_in(veth_pair.ns_b, veth_pair.if_b, hook="xdp", mode="native"):
            pass
        assert xdp_attached(veth_pair.ns_b, veth_pair.if_b)
        ping(veth_pair.ns_a, veth_pair.ip_b, 3)
        assert protocol(first.read()[0], "ipv4", 1).packets == 3


def test_second_tc_counter_coexists_and_both_count_the_same_frames(veth_pair: VethPair) -> None:
    with counter_in(veth_pair.ns_b, veth_pair.if_b, hook="tc") as one, \
            counter_in(veth_pair.ns_b, veth_pair.if_b, hook="tc") as two:
        ping(veth_pair.ns_a, veth_pair.ip_b, N)
        first, second = one.read(), two.read()
    for a, b in zip(first, second, strict=True):
        assert protocol(a, "ipv4", 1) == protocol(b, "ipv4", 1) == Cell(N, N * 98)


@pytest.mark.parametrize(("hook", "mode"), [("xdp", "generic"), ("xdp", "native"), ("tc", "generic")])
def test_jumbo_frames_on_an_mtu_9000_link_count_whole(hook: str, mode: str) -> None:
    require(privileged_problem())
    with VethPair(mtu=9000) as pair, counter_in(pair.ns_b, pair.if_b, hook=hook, mode=mode) as counter, \
            udp_sinks(pair.ns_b, [pair.ip_b]):
        send_udp(pair.ns_a, pair.ip_b, N, size=8000)
        # 14 + 20 + 8 + 8000 bytes: native XDP sees them through its multi-buffer (xdp.frags) entry.
        assert protocol(counter.read()[0], "ipv4", 17) == Cell(N, N * 8042)
        if hook == "xdp":
            assert counter.program == ("tl_count_xdp_frags" if mode == "native" else "tl_count_xdp")


def test_native_xdp_counts_like_generic(veth_pair: VethPair) -> None:
    with counter_in(veth_pair.ns_b, veth_pair.if_b, hook="xdp", mode="native") as counter:
        assert counter.mode == "native"
        # MTU 1500 fits one buffer: the single-buffer entry, and a warning about the MTU cap it brings
        assert counter.program == "tl_count_xdp"
        assert [w for w in counter.warnings if "single-buffer" in w] == [
            f"native XDP on {veth_pair.if_b} with the single-buffer program (MTU 1500): while it runs, many "
            "drivers refuse to raise the MTU above what fits one buffer (about 3506 bytes), so an NNCP that "
            "sets a larger MTU fails; stop the counter first, or count in generic mode"]
        # veth caps the peer's MTU while a single-buffer program runs natively (veth_xdp_set)
        raised = sh("ip", "-n", veth_pair.ns_a, "link", "set", veth_pair.if_a, "mtu", "9000", check=False)
        assert raised.returncode != 0
        shown = sh("ip", "-n", veth_pair.ns_b, "link", "show", veth_pair.if_b).stdout
        assert " xdp " in shown and "xdpgeneric" not in shown  # `ip link` names native mode "xdp"
        send_udp(veth_pair.ns_a, veth_pair.ip_b, N, size=100)
        assert protocol(counter.read()[0], "ipv4", 17) == Cell(N, N * 142)


@pytest.mark.parametrize(("hook", "tc_attach"), [("xdp", "auto"), ("tc", "tcx"), ("tc", "netlink")])
def test_deleting_the_interface_mid_run_raises_interface_gone_with_counts_so_far(
        veth_pair: VethPair, hook: str, tc_attach: str) -> None:
    with counter_in(veth_pair.ns_b, veth_pair.if_b, hook=hook, tc_attach=tc_attach) as counter:
        ping(veth_pair.ns_a, veth_pair.ip_b, N)
        sh("ip", "-n", veth_pair.ns_b, "link", "del", veth_pair.if_b)
        with pytest.raises(InterfaceGone, match=veth_pair.if_b) as gone:
            counter.read()
    assert gone.value.exit_code == 3
    assert [s.direction for s in gone.value.last] == list(counter.directions)
    assert protocol(gone.value.last[0], "ipv4", 1) == Cell(N, N * 98)


@pytest.mark.parametrize("hook", ["xdp", "tc"])
def test_moving_the_interface_to_another_namespace_mid_run_raises_interface_gone(
        veth_pair: VethPair, hook: str) -> None:
    other = f"tlt-{veth_pair.tag}-c"
    sh("ip", "netns", "add", other)
    try:
        with counter_in(veth_pair.ns_b, veth_pair.if_b, hook=hook) as counter:
            ping(veth_pair.ns_a, veth_pair.ip_b, N)
            sh("ip", "-n", veth_pair.ns_b, "link", "set", veth_pair.if_b, "netns", other)
            with pytest.raises(InterfaceGone, match=veth_pair.if_b) as gone:
                counter.read()
        assert protocol(gone.value.last[0], "ipv4", 1) == Cell(N, N * 98)
    finally:
        sh("ip", "netns", "del", other, check=False)


def test_xdp_on_a_port_of_a_bridge_that_has_xdp_names_the_stacked_device(veth_pair: VethPair) -> None:
    bridge = f"tlbr{veth_pair.tag}"[:15]
    sh("ip", "-n", veth_pair.ns_b, "link", "add", bridge, "type", "bridge")
    sh("ip", "-n", veth_pair.ns_b, "link", "set", veth_pair.if_b, "master", bridge)
    with counter_in(veth_pair.ns_b, bridge, hook="xdp"), pytest.raises(EnvironmentProblem) as refused, \
            counter_in(veth_pair.ns_b, veth_pair.if_b, hook="xdp"):
        pass
    assert refused.value.message == (
        f"the kernel refused XDP on {veth_pair.if_b}: a device stacked with it (the bridge or bond it "
        "belongs to, or one of its ports) has an XDP program, maybe another counter of this run: count on "
        "only one of them, or use --hook tc")


def test_interface_without_ethernet_frames_is_refused(veth_pair: VethPair) -> None:
    from trunkline.errors import BadInputError

    sh("ip", "-n", veth_pair.ns_b, "tuntap", "add", "dev", "tltun0", "mode", "tun")
    with pytest.raises(BadInputError, match="tltun0 carries no Ethernet frames"), \
            counter_in(veth_pair.ns_b, "tltun0"):
        pass
    assert not xdp_attached(veth_pair.ns_b, "tltun0")


def test_unknown_interface_is_bad_input() -> None:
    from trunkline.errors import BadInputError

    with pytest.raises(BadInputError, match="unknown interface 'tl-no-such0'"):
        Counter("tl-no-such0").open()


def test_native_xdp_takes_the_multi_buffer_entry_when_the_peer_mtu_is_too_large() -> None:
    require(privileged_problem())
    with VethPair() as pair:
        # this side at 1500, the peer at 9000: veth refuses the single-buffer program (ERANGE)
        sh("ip", "-n", pair.ns_a, "link", "set", pair.if_a, "mtu", "9000")
        with counter_in(pair.ns_b, pair.if_b, hook="xdp", mode="native") as counter, \
                udp_sinks(pair.ns_b, [pair.ip_b]):
            assert counter.program == "tl_count_xdp_frags"
            assert not [w for w in counter.warnings if "single-buffer" in w]
            send_udp(pair.ns_a, pair.ip_b, N, size=100)
            assert protocol(counter.read()[0], "ipv4", 17) == Cell(N, N * 142)
