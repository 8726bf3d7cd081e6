"""`trunkline verify` end to end: VLAN-tagged frames into a veth end, checked against a directory of NADs.

`trunkline verify` runs as a user runs it (a subprocess) inside ns_b, counting on ns_b's end with the
TC hook; once it says it is counting, ns_a writes tagged and untagged frames through an AF_PACKET socket
(tags inside the frame). IPv6 is off on both ends so nothing else crosses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import cli_env
from tests.netns import VethPair
from tests.watch_traffic import Sender, quiet_ipv6

pytestmark = pytest.mark.privileged


def nad(name: str, config: dict[str, object]) -> dict[str, object]:
    body = {"cniVersion": "0.3.1", "name": name, "type": "cnv-bridge", "bridge": "br-trunk", **config}
    return {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
            "metadata": {"name": name, "namespace": "vms", "annotations": {
                "k8s.v1.cni.cncf.io/resourceName": "bridge.network.kubevirt.io/br-trunk"}},
            "spec": {"config": json.dumps(body)}}


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    """Hand-written NADs: access VLANs 40 and 50, trunk 100-110 without the default VLAN, one untagged."""
    plan = tmp_path / "plan"
    (plan / "nads").mkdir(parents=True)
    (plan / "nads" / "vlan40.yaml").write_text(yaml.safe_dump(nad("vlan40", {"vlan": 40})))
    (plan / "nads" / "vlan50.yaml").write_text(yaml.safe_dump(nad("vlan50", {"vlan": 50})))
    (plan / "nads" / "lab-trunk.yaml").write_text(yaml.safe_dump(nad(
        "lab-trunk", {"vlanTrunk": [{"minID": 100, "maxID": 110}], "preserveDefaultVlan": False})))
    (plan / "flat.yaml").write_text(yaml.safe_dump(nad("flat", {})))
    (plan / "kustomization.yaml").write_text("resources: [flat.yaml, nads/vlan40.yaml]\n")
    return plan


def verify_while_sending(pair: VethPair, args: list[str], send: list[tuple[int | None, int]],
                         duration: float = 2.0) -> subprocess.CompletedProcess[str]:
    """Run `trunkline verify ARGS --duration D` in ns_b; once it counts, send (vlan, count) UDP frames."""
    quiet_ipv6(pair)
    sender = Sender(pair)
    cmd = ["ip", "netns", "exec", pair.ns_b, sys.executable, "-m", "trunkline", "verify", *args,
           "--duration", str(duration)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        assert first.startswith("counting received frames"), first + proc.stderr.read()
        for vlan, count in send:
            sender.udp(count, vlan=vlan)
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
    assert "TC hook" in res.stderr.splitlines()[0]
    lines = {line.split("│")[1].strip(): line for line in res.stdout.splitlines() if line.count("│") >= 5}
    assert set(lines) >= {"40", "50", "100"}
    assert "mapped" in lines["40"] and "vms/vlan40" in lines["40"]
    assert "mapped" in lines["100"] and "vms/lab-trunk" in lines["100"]
    assert "warning" not in res.stdout  # every NAD saw traffic


def test_idle_trunk_warns_about_every_nad_and_passes(veth_pair: VethPair, plan_dir: Path) -> None:
    res = verify_while_sending(veth_pair, [str(plan_dir), veth_pair.if_b, "--json"], [], duration=0.5)
    assert res.returncode == 0, res.stderr
    record = json.loads(res.stdout)
    assert [s["nad"] for s in record["silent"]] == ["vms/lab-trunk", "vms/vlan40", "vms/vlan50"]
    assert record["untagged"] == {"packets": 0, "bytes": 0}


def test_unknown_interface_is_bad_input(plan_dir: Path) -> None:
    from tests.conftest import run_cli

    res = run_cli("verify", str(plan_dir), "tlnosuch0")
    assert res.returncode == 2
    assert res.stderr.startswith("trunkline: error: unknown interface 'tlnosuch0'")
