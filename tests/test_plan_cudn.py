"""`trunkline plan --backend cudn-localnet`: ClusterUserDefinedNetworks, their NNCPs, NetworkMaps, VM
patches and findings, for the bundled example and a large estate with every VLAN form."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import run_cli
from tests.support.plan import CUDN, CUDNS, dvs_inventory, estate_plan, nad_configs, plan_for
from trunkline.cli import app
from trunkline.errors import BadInputError
from trunkline.openshift import cudn
from trunkline.openshift.kubevirt import vm_patch
from trunkline.openshift.render import render_files, write_plan
from trunkline.vsphere.sources import load_inventory


def by_name(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs}


# ---- the bundled example --------------------------------------------------------------------------


def test_bundled_example_gives_one_cudn_per_port_group_and_the_ovs_bridge_mapping():
    plan = plan_for(load_inventory(), **CUDN)
    cudns = cudn.cudn_manifests(plan)
    assert [c["metadata"]["name"] for c in cudns] == ["vm-vlan-10", "vm-vlan-20", "vm-vlan-30", "vm-vlan-40"]
    assert cudns[0] == {
        "apiVersion": "k8s.ovn.org/v1",
        "kind": "ClusterUserDefinedNetwork",
        "metadata": {"name": "vm-vlan-10"},
        "spec": {
            "namespaceSelector": {
                "matchExpressions": [
                    {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["vms"]}
                ]
            },
            "network": {
                "topology": "Localnet",
                "localnet": {
                    "role": "Secondary",
                    "physicalNetworkName": "vlan-trunk",
                    "vlan": {"mode": "Access", "access": {"id": 10}},
                    "mtu": 1500,
                    "ipam": {"mode": "Disabled"},
                },
            },
        },
    }
    assert [c["spec"]["network"]["localnet"]["vlan"]["access"]["id"] for c in cudns] == [10, 20, 30, 40]
    (nncp,) = cudn.nncp_manifests(plan)
    assert nncp["spec"]["desiredState"]["ovn"] == {
        "bridge-mappings": [{"localnet": "vlan-trunk", "bridge": "vlan-trunk", "state": "present"}]
    }
    bridge = next(i for i in nncp["spec"]["desiredState"]["interfaces"] if i["name"] == "vlan-trunk")
    assert bridge["type"] == "ovs-bridge" and bridge["bridge"]["port"] == [{"name": "ens34"}]
    assert [(f.severity, f.code) for f in plan.findings] == [("info", "vmkernel-only")]
    files = render_files(plan, "out")
    assert "nads.yaml" not in files and nad_configs(plan)  # NADs come from the CUDN controller only
    assert yaml.safe_load(files["kustomization.yaml"])["resources"] == [
        "nncp.yaml", "cudns.yaml", "networkmaps.yaml"
    ]
    assert list(yaml.safe_load_all(files["prereqs/namespace.yaml"])) == [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "vms"}}
    ]
    (nmap,) = cudn.network_maps(plan)
    assert nmap["metadata"]["name"] == "vcsa-lab-example"
    assert nmap["spec"]["map"][0] == {
        "source": {"id": "dvportgroup-23"},
        "destination": {"type": "multus", "namespace": "vms", "name": "vm-vlan-10"},
    }
    web = next(vm for vm in plan.vms if vm.name == "web01")
    assert vm_patch(web)["spec"]["template"]["spec"]["networks"] == [
        {"name": "net-0", "multus": {"networkName": "vms/vm-vlan-10"}}
    ]


def test_br_ex_maps_every_physical_network_to_br_ex_and_creates_no_bridge():
    plan = plan_for(load_inventory(), **CUDN, localnet_bridge="br-ex")
    assert cudn.nncp_manifests(plan) == [
        {
            "apiVersion": "nmstate.io/v1",
            "kind": "NodeNetworkConfigurationPolicy",
            "metadata": {"name": "vlan-trunk-br-ex-policy"},
            "spec": {
                "nodeSelector": {"node-role.kubernetes.io/worker": "",
                                 "trunkline.io/node-group": "workers"},
                "maxUnavailable": 1,
                "desiredState": {
                    "ovn": {
                        "bridge-mappings": [{"localnet": "vlan-trunk", "bridge": "br-ex", "state": "present"}]
                    }
                },
            },
        }
    ]
    assert "mapping of each physical network to `br-ex`" in render_files(plan)["REPORT.md"]


def test_br_ex_needs_no_node_nic_for_the_uplinks():
    inv = dvs_inventory([{"name": "web", "vlan": 40}], nic_map={})
    assert "unmapped-uplink" in [f.code for f in plan_for(inv, **CUDN).findings]
    assert "unmapped-uplink" not in [f.code for f in plan_for(inv, **CUDN, localnet_bridge="br-ex").findings]


# ---- a large estate with every VLAN form ---------------------------------------------------------


def test_large_estate_findings_are_exactly_what_a_cudn_cannot_carry():
    plan = estate_plan()
    assert [(f.severity, f.code, f.subject, f.unmapped) for f in plan.findings] == [
        ("error", "cudn-mtu", "port group 'odd-v6' (DC1, switch Odd)", True),
        ("error", "cudn-trunk", "port group 'trunk-a' (DC1, switch DSwitch)", True),
        ("error", "cudn-vlan-4095", "port group 'guest-tagging' (DC1, switch DSwitch)", True),
        ("error", "private-vlan", "port group 'pvlan-7' (DC1, switch DSwitch)", True),
        ("warning", "subnet-unused", "--subnet odd-v6", False),  # its CUDN is refused for its MTU
        ("warning", "vm-nic-unmapped",
         "port group 'guest-tagging': VLAN 4095 (guest tagging): trunk 1-4094 (CUDN Localnet: one access "
         "VLAN only)", True),
        ("warning", "vm-nic-unmapped", "port group 'odd-v6': MTU 1000: outside the CUDN's bounds", True),
        ("warning", "vm-nic-unmapped", "port group 'pvlan-7': private VLAN", True),
        ("warning", "vm-nic-unmapped",
         "port group 'trunk-a': trunk 100-199,300 (CUDN Localnet: one access VLAN only)", True),
    ]  # fmt: skip
    messages = {f.code: f.message for f in plan.findings}
    assert messages["cudn-mtu"] == (
        "MTU 1000 is outside 1280-65536 with an IPv6 subnet (the IPv6 minimum link MTU); set the switch MTU "
        "on vSphere within it, or use --backend linux-bridge"
    )
    assert "use --backend linux-bridge (bridge CNI vlanTrunk)" in messages["cudn-trunk"]
    assert "use --backend linux-bridge (bridge CNI vlanTrunk)" in messages["cudn-vlan-4095"]


def test_large_estate_cudns_carry_access_vlans_vlan_1_untagged_and_jumbo_mtu():
    cudns = by_name(cudn.cudn_manifests(estate_plan()))
    assert len(cudns) == CUDNS
    loc = {name: c["spec"]["network"]["localnet"] for name, c in cudns.items()}
    assert loc["access-401"] == {
        "role": "Secondary", "physicalNetworkName": "vlan-trunk",
        "vlan": {"mode": "Access", "access": {"id": 401}}, "mtu": 1500, "ipam": {"mode": "Disabled"},
    }  # fmt: skip
    assert loc["native-1"]["vlan"] == {"mode": "Access", "access": {"id": 1}}
    assert loc["flat"] == {
        "role": "Secondary", "physicalNetworkName": "vlan-trunk", "mtu": 1500, "ipam": {"mode": "Disabled"}
    }
    assert loc["jumbo-500"] == {
        "role": "Secondary", "physicalNetworkName": "br-jumbo",
        "vlan": {"mode": "Access", "access": {"id": 500}}, "mtu": 9000, "ipam": {"mode": "Disabled"},
    }  # fmt: skip
    assert loc["storage-v6"] == {
        "role": "Secondary", "physicalNetworkName": "br-jumbo",
        "vlan": {"mode": "Access", "access": {"id": 600}}, "mtu": 9000,
        "subnets": ["192.0.2.0/24", "2001:db8:600::/64"],
        "ipam": {"mode": "Enabled", "lifecycle": "Persistent"},
    }  # fmt: skip
    assert loc["odd-700"]["mtu"] == 1000  # IPv4 only (no subnets): 576 is the floor
    assert not {"trunk-a", "guest-tagging", "pvlan-7", "odd-v6"} & set(cudns)


def test_each_bridge_gets_its_own_physical_network_and_nncp():
    plan = estate_plan()
    mappings = {
        n["metadata"]["name"]: n["spec"]["desiredState"]["ovn"]["bridge-mappings"]
        for n in cudn.nncp_manifests(plan)
    }
    assert mappings == {
        "br-jumbo-ens35-policy": [{"localnet": "br-jumbo", "bridge": "br-jumbo", "state": "present"}],
        "br-odd-ens36-policy": [{"localnet": "br-odd", "bridge": "br-odd", "state": "present"}],
        "vlan-trunk-ens34-policy": [{"localnet": "vlan-trunk", "bridge": "vlan-trunk", "state": "present"}],
    }


def test_mtu_below_the_crd_minimum_is_a_finding():
    plan = plan_for(dvs_inventory([{"name": "tiny", "vlan": 5}], mtu=500), **CUDN)
    (f,) = [f for f in plan.findings if f.code == "cudn-mtu"]
    assert f.message == (
        "MTU 500 is outside 576-65536; set the switch MTU on vSphere within it, or use --backend linux-bridge"
    )
    assert cudn.cudn_manifests(plan) == []


def test_several_target_namespaces_select_all_and_patches_name_the_nad_without_namespace():
    plan = estate_plan(target_namespaces=("team-b", "team-a"))
    first = cudn.cudn_manifests(plan)[0]
    assert first["spec"]["namespaceSelector"]["matchExpressions"][0]["values"] == ["team-a", "team-b"]
    maps = cudn.network_maps(plan)
    assert [m["metadata"]["name"] for m in maps] == ["vc1-example-team-a", "vc1-example-team-b"]
    assert {e["destination"]["namespace"] for e in maps[0]["spec"]["map"]} == {"team-a"}
    vm0 = next(vm for vm in plan.vms if vm.name == "vm0")
    assert vm_patch(vm0)["spec"]["template"]["spec"]["networks"] == [
        {"name": "net-0", "multus": {"networkName": "access-2"}}
    ]


# ---- options ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"target_namespaces": ()}, "--backend cudn-localnet: give the namespaces the VMs migrate into"),
        ({"target_namespaces": ("default",)}, "--target-namespace default: namespace 'default': OpenShift "
         "forbids CUDNs in 'default' and 'openshift-*' namespaces"),
        ({"target_namespaces": ("openshift-mtv",)}, "--target-namespace openshift-mtv: namespace"),
        ({"subnets": {"web": ("10.0.0.0/24", "10.1.0.0/24")}}, "--subnet web=10.0.0.0/24,10.1.0.0/24: two "
         "subnets must be one IPv4 and one IPv6"),
        ({"subnets": {"web": ("10.0.0.300/24",)}}, "--subnet web=10.0.0.300/24: '10.0.0.300/24' is not a "
         "CIDR"),
        ({"subnets": {"web": ("::ffff:10.0.0.0/120",)}}, "is not a CIDR"),
    ],
)  # fmt: skip
def test_bad_options_are_bad_input(options, message):
    with pytest.raises(BadInputError, match=message.replace("*", r"\*").replace("(", r"\(")):
        plan_for(dvs_inventory([{"name": "web", "vlan": 40}]), **{**CUDN, **options})


def test_cli_writes_cudns_and_says_so(tmp_path):
    out = tmp_path / "plan"
    result = CliRunner().invoke(
        app, ["plan", "--backend", "cudn-localnet", "--target-namespace", "vms", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"trunkline plan: 4 CUDN(s), 1 NNCP(s), 1 NetworkMap(s), 5 VM patch(es) written to {out}/"
    )
    assert (out / "cudns.yaml").is_file() and not (out / "nads.yaml").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--backend", "cudn-localnet", "--namespace", "a", "--target-namespace", "b"],
         "--namespace: with --backend cudn-localnet the NADs are created in the --target-namespace"),
        (["--target-namespace", "vms"], "--target-namespace: only for --backend cudn-localnet; leave it out"),
        (["--backend", "cudn-localnet", "--target-namespace", "vms", "--localnet-bridge", "br-int"],
         "--localnet-bridge 'br-int': use own or br-ex"),
        (["--backend", "cudn-localnet", "--target-namespace", "vms", "--subnet", "web"],
         "--subnet 'web': write PORTGROUP=CIDR or PORTGROUP=CIDR4,CIDR6"),
    ],
)  # fmt: skip
def test_cli_option_mistakes_exit_2_with_one_line(tmp_path, args, message):
    result = run_cli("plan", *args, "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line == f"trunkline: error: {message}" or line.startswith(f"trunkline: error: {message}")
    assert not (tmp_path / "out").exists()


def test_namespace_alone_is_the_one_target_namespace(tmp_path):
    out = tmp_path / "plan"
    args = ["plan", "--backend", "cudn-localnet", "--namespace", "vms", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    first = next(yaml.safe_load_all((out / "cudns.yaml").read_text()))
    assert first["spec"]["namespaceSelector"]["matchExpressions"][0]["values"] == ["vms"]


# ---- output ----------------------------------------------------------------------------------------


def _tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_output_is_byte_identical_on_rerun_and_written_atomically(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_plan(estate_plan(), out, "out")
    first = _tree(out)
    write_plan(estate_plan(), out, "out")
    assert _tree(out) == first
    assert json.loads(first["vms/vm0.json"])["spec"]["template"]["spec"]["networks"] == [
        {"name": "net-0", "multus": {"networkName": "vms/access-2"}}
    ]

    def boom(plan: Any) -> list[dict[str, Any]]:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(cudn, "cudn_manifests", boom)
    with pytest.raises(RuntimeError):
        write_plan(estate_plan(), out, "out")
    assert _tree(out) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_report_explains_order_status_immutability_and_replacement():
    report = render_files(estate_plan(), "out")["REPORT.md"]
    assert "oc wait clusteruserdefinednetwork --all --for=condition=NetworkCreated" in report
    assert "`NetworkAttachmentDefinitionSyncError`" in report
    assert "`spec.network` cannot be changed once created" in report
    assert "stop those VMs (`virtctl stop`)" in report
    assert "The Localnet topology of the CUDN API needs OpenShift 4.19 or later" in report
    assert "| DC1 | DSwitch | access-2 | 2 | CUDN access-2 | vlan-trunk | 1500 |" in report


def test_lab_says_plainly_it_cannot_test_a_cudn_plan(tmp_path):
    out = tmp_path / "plan"
    write_plan(plan_for(load_inventory(), **CUDN), out, "plan")
    result = run_cli("lab", str(out))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"trunkline: error: {out}: holds 4 ClusterUserDefinedNetwork(s) and no NAD: the lab cannot test the "
        "cudn-localnet backend (OVN-Kubernetes creates those NADs in a cluster, and the lab runs only the "
        "bridge CNI); check the plan with `trunkline validate`, or run the lab on a linux-bridge plan"
    )


def test_verify_reads_the_planned_vlans_from_the_cudns(tmp_path):
    from trunkline.verify import read_nads

    out = tmp_path / "plan"
    write_plan(estate_plan(target_namespaces=("team-a", "team-b")), out, "plan")
    nads = {n.name: n for n in read_nads(out)}
    assert len(nads) == 2 * CUDNS
    assert (nads["team-a/access-2"].ranges, nads["team-a/access-2"].untagged) == (((2, 2),), False)
    assert (nads["team-b/flat"].ranges, nads["team-b/flat"].untagged) == ((), True)
    assert nads["team-b/jumbo-500"].plugin == "ovn-k8s-cni-overlay"


def test_a_subnet_for_no_port_group_is_a_warning():
    plan = plan_for(dvs_inventory([{"name": "web", "vlan": 40}]), **CUDN, subnets={"wbe": ("192.0.2.0/24",)})
    assert [(f.code, f.subject) for f in plan.findings] == [("subnet-unknown-network", "--subnet wbe")]


def test_kubectl_kustomize_builds_the_cudn_plan(tmp_path):
    out = tmp_path / "out"
    write_plan(plan_for(load_inventory(), backend="cudn-localnet", target_namespaces=("b", "a")), out)
    main = subprocess.run(["kubectl", "kustomize", str(out)], capture_output=True, text=True, timeout=120)
    assert main.returncode == 0, main.stderr
    kinds = sorted(d["kind"] for d in yaml.safe_load_all(main.stdout))
    expected = ["ClusterUserDefinedNetwork"] * 4 + ["NetworkMap"] * 2 + ["NodeNetworkConfigurationPolicy"]
    assert kinds == expected
    pre = subprocess.run(["kubectl", "kustomize", str(out / "prereqs")], capture_output=True, text=True,
                         timeout=120)
    assert pre.returncode == 0, pre.stderr
    assert [(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(pre.stdout)] == [
        ("Namespace", "a"), ("Namespace", "b"), ("NMState", "nmstate")
    ]
