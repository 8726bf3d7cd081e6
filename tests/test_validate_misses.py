"""`trunkline validate` findings that testers showed were missing or wrong on edited seed manifests.

Each test changes one thing in the seed's NNCP + NAD (or in `trunkline plan` output) and checks the
exact findings: (file, field, message key).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli
from tests.support.manifests import (
    NNS,
    check,
    config,
    nad,
    network_map,
    nncp_with_explicit_trunk,
    seed_nncp,
    vm_patch,
    write,
)
from trunkline.openshift.nodestate import NodeState, load_node_states
from trunkline.openshift.validate import validate_directory

# --------------------------------------------------------------------------------------------------
# CNI type
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cni_type", "hint"), [("foo", ""), ("cnv-brdge", "did you mean 'cnv-bridge'? ")])
def test_unknown_cni_type_is_a_finding_naming_the_known_types(
    tmp_path: Path, cni_type: str, hint: str
) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(type=cni_type))})
    [finding] = validate_directory(d).findings
    assert (finding.file, finding.field, finding.key) == ("nad.yaml", "spec.config.type", "cni-type-unknown")
    assert f"CNI type {cni_type!r} is no plugin OpenShift runs" in finding.message
    assert f"; {hint}trunkline checks bridge, cnv-bridge, ovn-k8s-cni-overlay" in finding.message


def test_unknown_cni_type_still_has_its_vlan_checked(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(type="foo", vlan=5000))})
    assert check(d) == {
        ("nad.yaml", "spec.config.type", "cni-type-unknown"),
        ("nad.yaml", "spec.config.vlan", "vlan-out-of-range"),
    }


def test_other_reference_plugin_in_a_chain_is_not_unknown(tmp_path: Path) -> None:
    chained = {
        "cniVersion": "0.3.1",
        "name": "vm-vlan-40",
        "plugins": [config(cniVersion=None, name=None), {"type": "tuning"}],
    }
    chained["plugins"][0]["name"] = "vm-vlan-40"
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(chained)})
    assert check(d) == set()


# --------------------------------------------------------------------------------------------------
# An invalid VLAN setting is reported once, not also as an uplink mismatch
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"vlan": 5000}, ("spec.config.vlan", "vlan-out-of-range")),
        ({"vlan": -1}, ("spec.config.vlan", "vlan-out-of-range")),
        ({"vlan": "40"}, ("spec.config.vlan", "cni-type-mismatch")),
        ({"vlan": True}, ("spec.config.vlan", "cni-type-mismatch")),
        ({"vlan": None, "vlanTrunk": "40"}, ("spec.config.vlanTrunk", "cni-type-mismatch")),
    ],
)
def test_invalid_nad_vlan_is_not_also_untagged_not_on_uplink(
    tmp_path: Path, changes: dict[str, Any], expected: tuple[str, str]
) -> None:
    d = write(tmp_path, {"nncp.yaml": nncp_with_explicit_trunk(), "nad.yaml": nad(config(**changes))})
    assert check(d) == {("nad.yaml", *expected)}


# --------------------------------------------------------------------------------------------------
# apiVersion, kind and scope
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "api", "served"),
    [
        ("nad.yaml", "k8s.cni.cncf.io/v2", "k8s.cni.cncf.io/v1"),
        ("nncp.yaml", "nmstate.io/v1alpha1", "nmstate.io/v1 or nmstate.io/v1beta1"),
    ],
)
def test_api_version_the_server_does_not_serve(tmp_path: Path, file: str, api: str, served: str) -> None:
    docs = {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config())}
    docs[file]["apiVersion"] = api
    [finding] = validate_directory(write(tmp_path, docs)).findings
    assert (finding.file, finding.field, finding.key) == (file, "apiVersion", "api-version")
    assert f"as {served} only" in finding.message


def test_network_map_in_another_api_version_without_namespace(tmp_path: Path) -> None:
    nmap = network_map([{"type": "multus", "name": "vm-vlan-40", "namespace": "default"}])
    nmap["apiVersion"] = "forklift.konveyor.io/v1"
    del nmap["metadata"]["namespace"]
    d = write(
        tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(), namespace="default"), "map.yaml": nmap}
    )
    assert check(d) == {
        ("map.yaml", "apiVersion", "api-version"),
        ("map.yaml", "metadata.namespace", "namespace-missing"),
    }


def test_nncp_with_a_namespace_is_cluster_scoped(tmp_path: Path) -> None:
    nncp = seed_nncp()
    nncp["metadata"]["namespace"] = "openshift-nmstate"
    d = write(tmp_path, {"nncp.yaml": nncp, "nad.yaml": nad(config())})
    assert check(d) == {("nncp.yaml", "metadata.namespace", "namespace-on-cluster-scoped")}


def test_misspelt_kind_asks_did_you_mean(tmp_path: Path) -> None:
    bad = nad(config())
    bad["kind"] = "NetworkAttachmentDefinitio"
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": bad})
    [finding] = validate_directory(d).findings
    assert (finding.file, finding.field, finding.key) == ("nad.yaml", "kind", "kind-unknown")
    assert finding.message.startswith(
        "unknown kind 'NetworkAttachmentDefinitio'; did you mean 'NetworkAttachmentDefinition'?"
    )


def test_unrelated_kind_is_not_a_typo(tmp_path: Path) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}}
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config()), "cm.yaml": cm})
    assert check(d) == set()


# --------------------------------------------------------------------------------------------------
# NNCP bridges, bonds and NIC names
# --------------------------------------------------------------------------------------------------


def nncp_bridge(name: str, nic: str, policy: str) -> dict[str, Any]:
    doc = seed_nncp()
    doc["metadata"]["name"] = policy
    bridge = doc["spec"]["desiredState"]["interfaces"][0]
    bridge["name"] = name
    bridge["bridge"]["port"][0]["name"] = nic
    return doc


PORT0 = "spec.desiredState.interfaces[0].bridge.port[0].name"


def test_same_nic_as_port_of_two_bridges_on_the_same_nodes(tmp_path: Path) -> None:
    d = write(
        tmp_path,
        {
            "nncp.yaml": seed_nncp(),
            "nad.yaml": nad(config()),
            "other.yaml": nncp_bridge("vlan-trunk-2", "ens34", "second-policy"),
        },
    )
    [finding] = validate_directory(d).findings
    assert (finding.file, finding.field, finding.key) == ("other.yaml", PORT0, "nic-in-two-bridges")
    assert finding.message.startswith(
        "ens34 is already a port of bridge vlan-trunk (NNCP vlan-trunk-ens34-policy"
    )


def test_same_nic_on_disjoint_nodes_is_fine(tmp_path: Path) -> None:
    first = seed_nncp()
    first["spec"]["nodeSelector"] = {"kubernetes.io/hostname": "worker-0"}
    second = nncp_bridge("vlan-trunk-2", "ens34", "second-policy")
    second["spec"]["nodeSelector"] = {"kubernetes.io/hostname": "worker-1"}
    d = write(tmp_path, {"nncp.yaml": first, "nad.yaml": nad(config()), "other.yaml": second})
    assert check(d) == set()


def test_bridge_listing_itself_or_named_like_its_nic(tmp_path: Path) -> None:
    d = write(
        tmp_path, {"nncp.yaml": nncp_bridge("ens34", "ens34", "p"), "nad.yaml": nad(config(), bridge=None)}
    )
    assert ("nncp.yaml", PORT0, "bridge-port-is-itself") in check(d)


@pytest.mark.parametrize("name", ["br-ex", "br-int", "ovs-system"])
def test_bridge_named_like_ovn_kubernetes_bridges(tmp_path: Path, name: str) -> None:
    nad_doc = nad(config(bridge=name), bridge=name)
    d = write(tmp_path, {"nncp.yaml": nncp_bridge(name, "ens34", "p"), "nad.yaml": nad_doc})
    assert check(d) == {("nncp.yaml", "spec.desiredState.interfaces[0].name", "bridge-name-reserved")}


def test_linux_bridge_named_like_an_ovs_bridge_on_the_node(tmp_path: Path) -> None:
    states = load_node_states(NNS)
    renamed = [
        NodeState(
            s.node,
            tuple(replace(i, name="br-phys") if i.name == "br-ex" else i for i in s.interfaces),
            s.default_route_interfaces,
            s.labels,
        )
        for s in states
    ]
    d = write(
        tmp_path,
        {
            "nncp.yaml": nncp_bridge("br-phys", "ens34", "p"),
            "nad.yaml": nad(config(bridge="br-phys"), bridge="br-phys"),
        },
    )
    findings = [
        f for f in validate_directory(d, node_states=renamed).findings if f.key == "bridge-name-taken"
    ]
    assert [(f.file, f.field) for f in findings] == [("nncp.yaml", "spec.desiredState.interfaces[0].name")]
    assert findings[0].message.startswith("node worker-0, worker-1 already has a ovs-bridge called br-phys")


@pytest.mark.parametrize("mode", ["balance-rr", "balance-tlb", "balance-alb", 0])
def test_bond_mode_unsupported_under_a_vm_bridge(tmp_path: Path, mode: Any) -> None:
    nncp = nncp_bridge("vlan-trunk", "bond0", "p")
    nncp["spec"]["desiredState"]["interfaces"].append(
        {
            "name": "bond0",
            "type": "bond",
            "state": "up",
            "link-aggregation": {"mode": mode, "port": ["ens34", "ens35"]},
        }
    )
    d = write(tmp_path, {"nncp.yaml": nncp, "nad.yaml": nad(config())})
    assert check(d) == {
        ("nncp.yaml", "spec.desiredState.interfaces[1].link-aggregation.mode", "bond-mode-unsupported")
    }


def test_supported_bond_mode_passes(tmp_path: Path) -> None:
    nncp = nncp_bridge("vlan-trunk", "bond0", "p")
    nncp["spec"]["desiredState"]["interfaces"].append(
        {
            "name": "bond0",
            "type": "bond",
            "state": "up",
            "link-aggregation": {"mode": "802.3ad", "port": ["ens34"]},
        }
    )
    assert check(write(tmp_path, {"nncp.yaml": nncp, "nad.yaml": nad(config())})) == set()


@pytest.mark.parametrize("nic", ["vmnic1", "Uplink1"])
def test_vsphere_uplink_placeholder_as_nncp_nic(tmp_path: Path, nic: str) -> None:
    d = write(tmp_path, {"nncp.yaml": nncp_bridge("vlan-trunk", nic, "p"), "nad.yaml": nad(config())})
    assert check(d) == {("nncp.yaml", PORT0, "nic-placeholder")}
    # with the node state the same NIC is simply missing there
    assert check(d, node_states=load_node_states(NNS)) == {("nncp.yaml", PORT0, "nic-missing")}


# --------------------------------------------------------------------------------------------------
# VM patches, kustomizations, Lists
# --------------------------------------------------------------------------------------------------


def test_vm_network_name_without_namespace(tmp_path: Path) -> None:
    d = write(
        tmp_path,
        {
            "nncp.yaml": seed_nncp(),
            "nad.yaml": nad(config()),
            "vms/web01.yaml": vm_patch("virtio", network="vm-vlan-40"),
        },
    )
    assert check(d) == {
        (
            "vms/web01.yaml",
            "spec.template.spec.networks[0].multus.networkName",
            "kubevirt-network-namespace-missing",
        )
    }


@pytest.mark.parametrize("resource", ["/etc/passwd", "../outside.yaml", "sub/../../outside.yaml"])
def test_kustomization_resource_outside_the_directory(tmp_path: Path, resource: str) -> None:
    (tmp_path / "outside.yaml").write_text("kind: ConfigMap\n")
    kust = {"resources": ["nncp.yaml", "nad.yaml", resource]}
    d = write(
        tmp_path / "dir", {"kustomization.yaml": kust, "nncp.yaml": seed_nncp(), "nad.yaml": nad(config())}
    )
    assert check(d) == {("kustomization.yaml", "resources[2]", "kustomization-resource-outside")}


def test_kustomization_file_in_a_parent_of_a_nested_kustomization(tmp_path: Path) -> None:
    d = write(
        tmp_path,
        {
            "kustomization.yaml": {"resources": ["overlay"]},
            "overlay/kustomization.yaml": {"resources": ["../nncp.yaml", "../nad.yaml"]},
            "nncp.yaml": seed_nncp(),
            "nad.yaml": nad(config()),
        },
    )
    assert check(d) == {
        ("overlay/kustomization.yaml", "resources[0]", "kustomization-resource-outside"),
        ("overlay/kustomization.yaml", "resources[1]", "kustomization-resource-outside"),
    }


def test_unlisted_file_is_reported_once_not_per_object(tmp_path: Path) -> None:
    nads = [nad(config(name=f"vm-vlan-{v}", vlan=v), name=f"vm-vlan-{v}") for v in (10, 20, 30, 40)]
    d = write(
        tmp_path,
        {"kustomization.yaml": {"resources": ["nncp.yaml"]}, "nncp.yaml": seed_nncp(), "nads.yaml": nads},
    )
    findings = [f for f in validate_directory(d).findings if f.key == "kustomization-resource-unlisted"]
    assert [(f.file, f.object) for f in findings] == [
        ("nads.yaml", "NetworkAttachmentDefinition default/vm-vlan-10")
    ]


def test_empty_list_item_is_named_in_plain_words(tmp_path: Path) -> None:
    text = yaml.safe_dump(
        {"apiVersion": "v1", "kind": "List", "items": [nad(config()), None]}, sort_keys=False
    )
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nads.yaml": text})
    proc = run_cli("validate", str(d))
    assert proc.returncode == 2
    line = 1 + text.splitlines().index("- null")
    assert proc.stderr.startswith(
        f"trunkline: error: nads.yaml:{line}: item 2 of the List is empty, not a Kubernetes object"
    )
    assert "NoneType" not in proc.stderr
