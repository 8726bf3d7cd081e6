"""`trunkline plan` as a user runs it: the bundled seed example, options, exit codes, `validate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli
from tests.support.manifests import SEED_CONFIG as SEED_NAD_CONFIG  # the blog's VLAN-40 NAD config
from trunkline.openshift.validate import validate_directory

SEED_BRIDGE = {  # the seed's NNCP interface, verbatim
    "name": "vlan-trunk",
    "description": "Linux bridge with ens34 as a port",
    "type": "linux-bridge",
    "state": "up",
    "ipv4": {"enabled": False},
    "bridge": {"options": {"stp": {"enabled": False}}, "port": [{"name": "ens34"}]},
}


def _docs(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_seed_example_vlan_40_nad_and_nncp_match_the_seed(tmp_path):
    out = tmp_path / "plan"
    result = run_cli("plan", "-o", str(out), "--nic-map", "vmnic1=ens34")
    assert result.returncode == 0, result.stderr
    nads = {d["metadata"]["name"]: d for d in _docs(out / "nads.yaml")}
    nad = nads["vm-vlan-40"]
    assert nad["metadata"]["annotations"] == {
        "k8s.v1.cni.cncf.io/resourceName": "bridge.network.kubevirt.io/vlan-trunk"
    }
    assert json.loads(nad["spec"]["config"]) == {**SEED_NAD_CONFIG, "mtu": 1500}
    (nncp,) = _docs(out / "nncp.yaml")
    assert nncp["apiVersion"] == "nmstate.io/v1" and nncp["kind"] == "NodeNetworkConfigurationPolicy"
    assert nncp["metadata"]["name"] == "vlan-trunk-ens34-policy"
    assert nncp["spec"]["nodeSelector"] == {
        "node-role.kubernetes.io/worker": "",
        "trunkline.io/node-group": "workers",
    }
    assert nncp["spec"]["maxUnavailable"] == 1
    bridge = next(i for i in nncp["spec"]["desiredState"]["interfaces"] if i["name"] == "vlan-trunk")
    # the seed's bridge, plus the port's explicit VLAN trunk, the MTU and IPv6 off
    port = bridge["bridge"]["port"][0]
    assert port.pop("vlan") == {
        "mode": "trunk",
        "trunk-tags": [{"id": 10}, {"id": 20}, {"id": 30}, {"id": 40}],
    }
    assert bridge.pop("mtu") == 1500
    assert bridge.pop("ipv6") == {"enabled": False}
    assert bridge == SEED_BRIDGE
    assert _docs(out / "prereqs/nmstate.yaml") == [
        {"apiVersion": "nmstate.io/v1", "kind": "NMState", "metadata": {"name": "nmstate"}, "spec": {}}
    ]


def test_plan_prints_a_summary_and_where_the_report_is(tmp_path):
    out = tmp_path / "plan"
    result = run_cli("plan", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"trunkline plan: 4 NAD(s), 1 NNCP(s), 1 NetworkMap(s), 5 VM patch(es) written to {out}/",
        "findings: 0 error(s), 0 warning(s), 1 note(s); 0 about unmapped items",
        f"read {out}/REPORT.md for the mapping, the apply order and every finding",
    ]
    assert sorted(p.name for p in (out / "vms").iterdir()) == [
        "app01.json",
        "db01.json",
        "monitor01.json",
        "vlan40-client.json",
        "web01.json",
    ]


def test_default_output_directory_is_trunkline_plan(tmp_path):
    result = run_cli("plan", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "trunkline-plan/REPORT.md").is_file()


def test_strict_exits_1_when_an_uplink_is_unmapped_and_still_writes(tmp_path):
    inv = tmp_path / "inv.yaml"
    from trunkline.vsphere.sources import example_text

    data = yaml.safe_load(example_text())
    data["nic_map"] = {}
    inv.write_text(yaml.safe_dump(data))
    out = tmp_path / "plan"
    result = run_cli("plan", str(inv), "-o", str(out), "--strict")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"trunkline: error: --strict: 1 finding(s) about unmapped items (see {out}/REPORT.md)"
    )
    assert "| vmnic1 (Uplink 1) | vmnic1 (placeholder) |" in (out / "REPORT.md").read_text()
    assert run_cli("plan", str(inv), "-o", str(out)).returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--nic-map", "vmnic1"], "--nic-map 'vmnic1': write UPLINK=NIC"),
        (["--backend", "sriov"], "--backend 'sriov': use linux-bridge, ovn-localnet, cudn-localnet"),
        (["--bridge", "a-very-long-bridge-name"], "--bridge 'a-very-long-bridge-name'"),
        (["--mtv-provider", "nope.example=p"], "--mtv-provider nope.example=...: no vCenter of that name"),
        (["--mtv-map", "vm-vlan-10=nad"], "--mtv-map 'vm-vlan-10=nad'"),
        (["--max-unavailable", "lots"], "--max-unavailable 'lots'"),
        (["/nonexistent/inv.yaml"], "/nonexistent/inv.yaml"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "plan"
    result = run_cli("plan", "-o", str(out), *args)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("trunkline: error: ") and message in line
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_nic_map_file_and_mtv_options_reach_the_manifests(tmp_path):
    nic_map = tmp_path / "nics.yaml"
    nic_map.write_text(
        "groups:\n"
        "  - name: rack-a\n"
        "    nodeSelector: {node-role.kubernetes.io/worker: '', zone: a}\n"
        "    nics: {vmnic1: ens1f0}\n"
    )
    out = tmp_path / "plan"
    result = run_cli(
        "plan",
        "-o",
        str(out),
        "--nic-map-file",
        str(nic_map),
        "--mtv-provider",
        "vsphere-lab",
        "--mtv-namespace",
        "mtv",
        "--namespace",
        "vm-nets",
        "--cni-type",
        "bridge",
        "--bridge",
        "br-trunk",
        "--mtv-map",
        "vm-vlan-30=ignored",
    )
    assert result.returncode == 0, result.stderr
    (nncp,) = _docs(out / "nncp.yaml")
    assert nncp["metadata"]["name"] == "rack-a-br-trunk-ens1f0-policy"
    assert nncp["spec"]["nodeSelector"] == {
        "node-role.kubernetes.io/worker": "",
        "zone": "a",
        "trunkline.io/node-group": "rack-a",
    }
    configs = {
        json.loads(d["spec"]["config"])["name"]: json.loads(d["spec"]["config"])
        for d in _docs(out / "nads.yaml")
    }
    assert sorted(configs) == ["vm-vlan-10", "vm-vlan-20", "vm-vlan-40"]
    assert configs["vm-vlan-10"]["type"] == "bridge" and configs["vm-vlan-10"]["bridge"] == "br-trunk"
    (nmap,) = _docs(out / "networkmaps.yaml")
    assert nmap["metadata"] == {"name": "vcsa-lab-example", "namespace": "mtv"}
    assert nmap["spec"]["provider"]["source"] == {"name": "vsphere-lab", "namespace": "mtv"}
    assert {"source": {"id": "dvportgroup-25"}, "destination": {"type": "ignored"}} in nmap["spec"]["map"]
    assert {
        "source": {"id": "dvportgroup-23"},
        "destination": {"type": "multus", "namespace": "vm-nets", "name": "vm-vlan-10"},
    } in nmap["spec"]["map"]


NNS = """
apiVersion: v1
kind: List
items:
- apiVersion: nmstate.io/v1beta1
  kind: NodeNetworkState
  metadata: {name: worker-0}
  status:
    currentState:
      interfaces:
      - name: br-ex
        type: ovs-interface
        state: up
        ipv4: {enabled: true, address: [{ip: 192.0.2.20, prefix-length: 24}]}
      - {name: ens33, type: ethernet, state: up, controller: ovs-system}
      - {name: ens34, type: ethernet, state: up}
      - {name: ens35, type: ethernet, state: down}
      routes:
        running:
        - {destination: 0.0.0.0/0, next-hop-interface: br-ex, next-hop-address: 192.0.2.1}
"""


def test_node_state_proposes_a_free_nic_for_an_unmapped_uplink_and_says_why(tmp_path):
    from trunkline.vsphere.sources import example_text

    data = yaml.safe_load(example_text())
    data["nic_map"] = {}
    inv = tmp_path / "inv.yaml"
    inv.write_text(yaml.safe_dump(data))
    nns = tmp_path / "nns.yaml"
    nns.write_text(NNS)
    out = tmp_path / "plan"
    result = run_cli("plan", str(inv), "-o", str(out), "--node-state", str(nns), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    (nncp,) = _docs(out / "nncp.yaml")
    assert nncp["metadata"]["name"] == "vlan-trunk-ens34-policy"
    report = (out / "REPORT.md").read_text()
    assert (
        "| info | nic-proposal | uplink vmnic1 | mapped to ens34 from node state: ens34 on 1 node(s)"
        in report
    )


def test_validate_finds_nothing_in_our_own_output_on_both_backends(tmp_path):
    for backend in ("linux-bridge", "ovn-localnet"):
        out = tmp_path / backend
        assert run_cli("plan", "-o", str(out), "--backend", backend).returncode == 0
        result = validate_directory(out, target_namespace="default")
        assert result.findings == ()
        assert result.kinds["NetworkAttachmentDefinition"] == 4


def test_node_state_warns_when_a_mapped_nic_belongs_to_br_ex(tmp_path):
    nns = tmp_path / "nns.yaml"
    nns.write_text(NNS)
    out = tmp_path / "plan"
    result = run_cli("plan", "-o", str(out), "--nic-map", "vmnic1=ens33", "--node-state", str(nns))
    assert result.returncode == 0, result.stderr
    report = (out / "REPORT.md").read_text()
    assert (
        "| warning | nic-rejected | node NIC ens33 (uplink vmnic1, bridge vlan-trunk, node group workers) |"
        in report
    )
    assert "worker-0: rejected: port of ovs-system" in report


def test_sigterm_while_writing_exits_130_and_leaves_no_temporary_directory(tmp_path, monkeypatch):
    import os
    import signal

    from trunkline import atomicwrite
    from trunkline.cli import main

    real = atomicwrite._write_new

    def killed(path, data):
        os.kill(os.getpid(), signal.SIGTERM)
        return real(path, data)

    monkeypatch.setattr(atomicwrite, "_write_new", killed)
    with pytest.raises(SystemExit) as exc:
        main(["plan", "-o", str(tmp_path / "out")])
    assert exc.value.code == 130
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
