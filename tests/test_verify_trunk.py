"""`trunkline verify` end to end: VLAN-tagged frames into a veth end, checked against a directory of NADs.

`trunkline verify` runs as a user runs it (a subprocess) inside ns_b, counting on ns_b's end with the
TC hook; once it says it is counting, ns_a writes tagged and untagged frames through an AF_PACKET socket
(tags inside the frame). IPv6 is off on both ends so nothing else crosses.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import cli_env
from tests.netns import VethPair, sh
from tests.watch_traffic import Sender, quiet_ipv6

pytestmark = pytest.mark.privileged


def verify_while_sending(pair: VethPair, args: list[str], send: list[tuple[int | None, int]],
                         duration: float = 2.0, stack: bool = False,
                         then: Callable[[subprocess.Popen[str]], None] | None = None,
                         ) -> subprocess.CompletedProcess[str]:
    """Run `trunkline verify ARGS --duration D` in ns_b; once it counts, send (vlan, count) UDP frames
    through AF_PACKET (or, with *stack*, untagged datagrams through ns_a's IP stack), then call *then*."""
    quiet_ipv6(pair)
    sender = Sender(pair)
    cmd = ["ip", "netns", "exec", pair.ns_b, sys.executable, "-m", "trunkline", "verify", *args,
           "--duration", str(duration)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    try:
        assert proc.stderr is not None
        first = ""
        while not first.endswith("\n") or not first.splitlines()[-1].startswith("counting received frames"):
            line = proc.stderr.readline()
            assert line, first + proc.stderr.read()  # exited before counting
            first += line
        for vlan, count in send:
            if stack:
                sender.stack_udp(count)
            else:
                sender.udp(count, vlan=vlan)
        if then is not None:
            then(proc)
        out, rest = proc.communicate(timeout=60)
    finally:
        sender.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, first + rest)


def test_unmapped_vlan_fails_and_silent_nads_warn(veth_pair: VethPair, plan_dir: Path) -> None:
    frame = 14 + 20 + 8 + 60  # Ethernet + IPv4 + UDP + Sender.udp's payload; a tag adds 4
    res = verify_while_sending(veth_pair, [str(plan_dir), veth_pair.if_b, "--json"],
                               [(40, 4), (99, 2), (None, 3), (105, 1)])
    assert res.returncode == 1, res.stderr
    assert res.stderr.strip().splitlines()[-1] == (
        f"trunkline: error: traffic on VLAN 99 which no NAD in {plan_dir} maps; "
        "add a port group/NAD for it or check the trunk")
    record = json.loads(res.stdout)
    assert record["ok"] is False
    assert record["unmapped"] == [99]
    assert [s["nad"] for s in record["silent"]] == ["vms/vlan50"]
    assert record["untagged"] == {"packets": 3, "bytes": 3 * frame}
    rows = [(r["vlan"], r["status"], r["packets"], r["bytes"], r["nads"]) for r in record["vlans"]]
    assert rows == [
        (None, "untagged", 3, 3 * frame, ["vms/flat"]),
        (40, "mapped", 4, 4 * (frame + 4), ["vms/vlan40"]),
        (50, "silent", 0, 0, ["vms/vlan50"]),
        (99, "unmapped", 2, 2 * (frame + 4), []),
        (105, "mapped", 1, frame + 4, ["vms/lab-trunk"]),
    ]
    assert record["hook"] == "tc" and record["interfaces"] == [veth_pair.if_b]


def test_all_traffic_mapped_exits_0_with_a_table_naming_the_tc_hook(veth_pair: VethPair,
                                                                   plan_dir: Path) -> None:
    res = verify_while_sending(veth_pair, [str(plan_dir), veth_pair.if_b], [(40, 2), (50, 1), (100, 3)])
    assert res.returncode == 0, res.stderr
    assert res.stderr.startswith(f"counting received frames on {veth_pair.if_b} for 2 s (TC hook: sees VLAN")
    lines = {line.split("│")[1].strip(): line for line in res.stdout.splitlines() if line.count("│") >= 5}
    assert set(lines) >= {"40", "50", "100"}
    assert "mapped" in lines["40"] and "vms/vlan40" in lines["40"]
    assert "mapped" in lines["100"] and "vms/lab-trunk" in lines["100"]
    assert "warning" not in res.stdout  # every NAD saw traffic


def test_idle_trunk_fails_as_wrong_interface_or_no_traffic(veth_pair: VethPair, plan_dir: Path) -> None:
    res = verify_while_sending(veth_pair, [str(plan_dir), veth_pair.if_b, "--json"], [], duration=0.5)
    assert res.returncode == 1, res.stderr
    assert res.stderr.strip().splitlines()[-1] == (
        f"trunkline: error: saw no frames at all on {veth_pair.if_b} in 0.5 s: "
        "wrong interface, or no traffic?")
    record = json.loads(res.stdout)
    assert (record["ok"], record["blind"]) == (False, True)
    assert [s["nad"] for s in record["silent"]] == ["vms/lab-trunk", "vms/vlan40", "vms/vlan50"]
    assert record["untagged"] == {"packets": 0, "bytes": 0}


def test_only_untagged_frames_fail_with_no_tagged_frames_line(veth_pair: VethPair, plan_dir: Path) -> None:
    res = verify_while_sending(veth_pair, [str(plan_dir), veth_pair.if_b], [(None, 3)], duration=1.0)
    assert res.returncode == 1, res.stderr
    line = f"saw no tagged frames on {veth_pair.if_b} in 1 s: wrong interface, or no traffic?"
    assert res.stderr.strip().splitlines()[-1] == f"trunkline: error: {line}"
    assert f"error: {line}" in res.stdout.splitlines()
    assert "warning: NAD vms/vlan40 (VLAN 40) saw no traffic" in res.stdout


def test_sigterm_ends_the_window_early_and_reports(veth_pair: VethPair, plan_dir: Path) -> None:
    start = time.monotonic()
    res = verify_while_sending(veth_pair, [str(plan_dir), veth_pair.if_b, "--json"], [(40, 3)],
                               duration=120, then=lambda proc: proc.send_signal(signal.SIGTERM))
    assert time.monotonic() - start < 60
    assert res.returncode == 0, res.stderr
    assert [(r["vlan"], r["packets"]) for r in json.loads(res.stdout)["vlans"] if r["packets"]] == [(40, 3)]


def test_interface_vanishing_reports_what_was_counted_then_exits_3(veth_pair: VethPair,
                                                                   plan_dir: Path) -> None:
    def delete(proc: subprocess.Popen[str]) -> None:
        sh("ip", "-n", veth_pair.ns_b, "link", "del", veth_pair.if_b)

    res = verify_while_sending(veth_pair, [str(plan_dir), veth_pair.if_b, "--json"], [(40, 5), (99, 1)],
                               duration=3, then=delete)
    assert res.returncode == 3, res.stderr
    record = json.loads(res.stdout)
    assert [(r["vlan"], r["packets"]) for r in record["vlans"] if r["packets"]] == [(40, 5), (99, 1)]
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith(f"trunkline: error: interface {veth_pair.if_b} ") and "vanished" in last


def test_unknown_interface_is_bad_input(plan_dir: Path) -> None:
    from tests.conftest import run_cli

    res = run_cli("verify", str(plan_dir), "tlnosuch0")
    assert res.returncode == 2
    assert res.stderr == ("trunkline: error: unknown interface 'tlnosuch0': name an existing interface "
                          "(see `ip link`)\n")


@pytest.fixture
def example_plan(tmp_path: Path) -> Path:
    """The plan `trunkline plan` writes for the bundled example (NADs for VLANs 10, 20, 30 and 40)."""
    from tests.conftest import run_cli

    out = tmp_path / "example-plan"
    res = run_cli("plan", "-o", str(out))
    assert res.returncode == 0, res.stderr
    return out


def test_bundled_example_plan_leaves_out_vlan_99(veth_pair: VethPair, example_plan: Path) -> None:
    res = verify_while_sending(veth_pair, [str(example_plan), veth_pair.if_b, "--json"],
                               [(10, 2), (20, 1), (40, 3), (99, 5)])
    assert res.returncode == 1, res.stderr
    record = json.loads(res.stdout)
    assert record["unmapped"] == [99]
    assert [s["nad"] for s in record["silent"]] == ["default/vm-vlan-30"]
    assert [(r["vlan"], r["status"], r["packets"]) for r in record["vlans"]] == [
        (10, "mapped", 2), (20, "mapped", 1), (30, "silent", 0), (40, "mapped", 3), (99, "unmapped", 5)]


@pytest.mark.parametrize(("hook", "seen_as"), [("tc", 40), ("xdp", None)])
def test_tag_in_metadata_is_seen_by_tc_and_not_by_xdp(veth_pair: VethPair, example_plan: Path, tmp_path: Path,
                                                      hook: str, seen_as: int | None) -> None:
    """A NIC that strips tags delivers them as metadata (DESIGN's test trick: ns_a's TC egress pushes
    VLAN 40 with bpf_skb_vlan_push). `verify` counts with TC by default because XDP misses such tags."""
    try:
        from tests.bpf.net import vlan_push_egress
    except ImportError:
        pytest.fail("tests/bpf/net.py vlan_push_egress (the bpf part's test helper) is missing")
    with vlan_push_egress(veth_pair.ns_a, veth_pair.if_a, tmp_path):
        res = verify_while_sending(veth_pair, [str(example_plan), veth_pair.if_b, "--json", "--hook", hook],
                                   [(None, 4)], stack=True)
    assert res.returncode == (0 if seen_as else 1), res.stderr  # XDP: no tagged frame, a blind window
    record = json.loads(res.stdout)
    frame = 14 + 20 + 8 + 60
    seen = [(r["vlan"], r["packets"], r["bytes"]) for r in record["vlans"] if r["packets"]]
    assert seen == [(seen_as, 4, 4 * (frame + 4 if seen_as else frame))]
    silent = [s["nad"] for s in record["silent"]]
    assert ("default/vm-vlan-40" in silent) is (seen_as is None)
