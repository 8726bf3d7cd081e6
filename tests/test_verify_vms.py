"""`trunkline verify` per VM NIC, end to end: frames from the bundled example's VM MACs through a veth pair.

`trunkline verify PLAN IFACE --json` runs in ns_b (TC hook, MAC learning) on a plan written by `trunkline
plan` (with its index). Once it counts, ns_a sends tagged frames with the VMs' source MACs into ns_b
(received: the VM is across the trunk), and ns_b sends one out (sent: the VM runs on this node).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli_env
from tests.netns import VethPair
from tests.watch_traffic import ETH_P_IP, Sender, ethernet, in_netns, ipv4_udp, quiet_ipv6

pytestmark = pytest.mark.privileged

WEB01, APP01_1, APP01_2 = "00:50:56:a1:10:01", "00:50:56:a1:10:02", "00:50:56:a1:20:02"
DB01, MONITOR01, CLIENT40 = "00:50:56:a1:20:03", "00:50:56:a1:30:04", "00:50:56:a1:40:05"
STRANGERS = ["02:00:5e:00:00:01", "02:00:5e:00:00:02", "02:00:5e:00:00:03"]


@pytest.fixture(scope="module")
def example_plan(bundled_plan: Path) -> Path:
    return bundled_plan


def _verify(pair: VethPair, plan: Path, received: list[tuple[str, int, int]],
            sent: list[tuple[str, int, int]], as_json: bool = True, extra: tuple[str, ...] = (),
            ) -> subprocess.CompletedProcess[str]:
    """verify (--json) for 2 s; (source MAC, VLAN, frames) received from ns_a and sent out of ns_b."""
    quiet_ipv6(pair)
    sender = Sender(pair)
    cmd = ["ip", "netns", "exec", pair.ns_b, sys.executable, "-m", "trunkline", "verify", str(plan),
           pair.if_b, *(["--json"] if as_json else []), "--duration", "2", *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    with in_netns(pair.ns_b):
        out_sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        out_sock.bind((pair.if_b, 0))
    try:
        assert proc.stderr is not None
        err = ""
        while "counting received frames" not in err:
            line = proc.stderr.readline()
            assert line, err + proc.stderr.read()
            err += line
        payload = ipv4_udp(pair.ip_a, pair.ip_b, b"v" * 60)
        for mac, vlan, count in received:
            sender.raw(ethernet(sender.mac_b, mac, ETH_P_IP, payload, vlan), count)
        for mac, vlan, count in sent:
            for _ in range(count):
                out_sock.send(ethernet(sender.mac_a, mac, ETH_P_IP, payload, vlan))
        out, rest = proc.communicate(timeout=60)
    finally:
        sender.close()
        out_sock.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err + rest)


def test_every_verdict_and_the_exit_code_from_real_frames(veth_pair: VethPair, example_plan: Path) -> None:
    received = [(WEB01, 10, 3), (APP01_1, 20, 2), (APP01_2, 20, 2), (APP01_2, 30, 1), (MONITOR01, 30, 2),
                (STRANGERS[0], 10, 1), (STRANGERS[1], 10, 5), (STRANGERS[2], 10, 2)]
    res = _verify(veth_pair, example_plan, received, sent=[(DB01, 20, 4)])
    assert res.returncode == 1, res.stderr
    doc = json.loads(res.stdout)
    got = {(v["vm"], v["nic"]): (v["state"], v["seen_vlans"], v["directions"]) for v in doc["vm_nics"]}
    assert got == {
        ("app01", "Network adapter 1"): ("wrong-vlan", [20], ["rx"]),
        ("app01", "Network adapter 2"): ("on-several-vlans", [20, 30], ["rx"]),
        ("db01", "Network adapter 1"): ("seen", [20], ["tx"]),
        ("monitor01", "Network adapter 1"): ("seen", [30], ["rx"]),
        ("vlan40-client", "Network adapter 1"): ("not-seen", [], []),
        ("web01", "Network adapter 1"): ("seen", [10], ["rx"]),
    }
    assert doc["vm_counts"] == {"seen": 3, "wrong-vlan": 1, "on-several-vlans": 1, "not-seen": 1}
    assert doc["ok"] is False
    by = {(v["vm"], v["nic"]): v for v in doc["vm_nics"]}
    assert by[("web01", "Network adapter 1")]["sightings"] == [
        {"vlan": 10, "direction": "rx", "packets": 3, "bytes": 3 * 106, "interfaces": [veth_pair.if_b],
         "last_seen": by[("web01", "Network adapter 1")]["sightings"][0]["last_seen"]}]
    assert by[("db01", "Network adapter 1")]["message"] == "seen on VLAN 20 (sent: runs on this node)"
    assert by[("vlan40-client", "Network adapter 1")]["message"] == (
        "not seen: VLAN 40 is silent here (not on this trunk, or idle)")
    assert by[("monitor01", "Network adapter 1")]["message"].endswith(
        "the inventory says powered off: it has changed since, or the MAC is reused")
    (strangers,) = doc["unplanned_macs"]
    assert (strangers["vlan"], strangers["count"]) == (10, 3)
    assert [(r["mac"], r["packets"], r["direction"]) for r in strangers["busiest"]] == [
        (STRANGERS[1], 5, "rx"), (STRANGERS[2], 2, "rx"), (STRANGERS[0], 1, "rx")]
    assert res.stderr.strip().splitlines()[-1] == (
        "trunkline: error: VM app01 Network adapter 1 (00:50:56:a1:10:02) expected on VLAN 10 (port group "
        "vm-vlan-10), seen only on VLAN 20 (received: across the trunk (still on vSphere, or on another "
        f"node)); check the VM's NAD and the switch port ({example_plan})")


def test_all_on_their_vlans_exits_0(veth_pair: VethPair, example_plan: Path) -> None:
    res = _verify(veth_pair, example_plan, [(WEB01, 10, 2), (DB01, 20, 2)], sent=[(CLIENT40, 40, 2)])
    doc = json.loads(res.stdout)
    assert res.returncode == 0, res.stderr
    assert doc["vm_counts"] == {"seen": 3, "wrong-vlan": 0, "on-several-vlans": 0, "not-seen": 3}
    assert doc["ok"] is True


def test_hand_written_nads_list_the_macs_seen(veth_pair: VethPair, plan_dir: Path) -> None:
    res = _verify(veth_pair, plan_dir, [(STRANGERS[0], 40, 2)], sent=[])
    doc = json.loads(res.stdout)
    assert "vm_nics" not in doc
    assert [(m["direction"], m["vlan"], m["mac"], m["packets"]) for m in doc["macs"]] == [
        ("rx", 40, STRANGERS[0], 2)]
    assert res.returncode == 0, res.stderr


def test_table_names_the_vm_on_the_wrong_vlan_and_the_unplanned_macs(veth_pair: VethPair,
                                                                     example_plan: Path) -> None:
    res = _verify(veth_pair, example_plan, [(APP01_1, 20, 2), (STRANGERS[0], 20, 4)],
                  sent=[(DB01, 20, 1)], as_json=False)
    assert res.returncode == 1
    lines = res.stdout.splitlines()
    assert ("error: VM app01 Network adapter 1 (00:50:56:a1:10:02) expected on VLAN 10 (port group "
            "vm-vlan-10), seen only on VLAN 20 (received: across the trunk (still on vSphere, or on another "
            "node))") in lines
    assert "VM NICs: 1 seen, 1 wrong-vlan, 0 on-several-vlans, 4 not-seen" in lines
    assert ("note: VM web01 Network adapter 1: not seen: VLAN 10 is silent here (not on this trunk, or "
            "idle)") in lines
    assert ("VLAN 20: 1 MAC(s) of no VM NIC in the plan (routers, hosts, VMs outside the plan); busiest: "
            f"{STRANGERS[0]} (4 rx)") in lines


def test_a_mac_table_filled_past_its_bound_says_the_view_is_partial(veth_pair: VethPair,
                                                                    example_plan: Path) -> None:
    many = [(f"02:00:5e:00:01:{i:02x}", 10, 1) for i in range(40)]
    res = _verify(veth_pair, example_plan, [*many, (WEB01, 10, 2)], sent=[],
                  extra=("--mac-table-size", "16"))
    doc = json.loads(res.stdout)
    (table,) = doc["mac_tables"]
    assert (table["interface"], table["capacity"], table["partial"]) == (veth_pair.if_b, 16, True)
    assert table["inserts"] == 41 and table["live"] <= 16
    assert doc["vlans"][0]["vlan"] == 10 and doc["vlans"][0]["packets"] == 42  # the VLAN counts stay exact
    res = _verify(veth_pair, example_plan, many, sent=[], as_json=False,
                  extra=("--mac-table-size", "16"))
    warned = [line for line in res.stdout.splitlines()
              if line.startswith(f"warning: {veth_pair.if_b}: MAC table partial: ")]
    assert len(warned) == 1 and warned[0].endswith("not-seen verdicts may be wrong"), res.stdout
