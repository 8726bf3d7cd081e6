"""`trunkline validate` catches each mistake class on small hand-written manifest directories.

Every test writes a directory that is the seed's NNCP + NAD (which passes) with one mistake, and checks
the exact findings: (file, field, message key).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.manifests import (
    NNS,
    SEED_DIR,
    check,
    config,
    nad,
    network_map,
    seed_nncp,
    vm_patch,
    write,
)
from trunkline.openshift.manifests import Kind, load_manifests
from trunkline.openshift.nodestate import load_node_states
from trunkline.openshift.objects import read_nad
from trunkline.openshift.validate import validate_directory

# --------------------------------------------------------------------------------------------------
# The good directory
# --------------------------------------------------------------------------------------------------


def test_seed_nncp_and_nad_pass() -> None:
    result = validate_directory(SEED_DIR)
    assert result.findings == ()
    assert result.kinds == {"NetworkAttachmentDefinition": 1, "NodeNetworkConfigurationPolicy": 1}


def test_seed_passes_on_the_command_line_with_node_state_and_exit_0() -> None:
    proc = run_cli(
        "validate",
        str(SEED_DIR),
        "--node-state",
        str(NNS),
        "--target-namespace",
        "openshift-nmstate",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["findings"] == []


def test_seed_nad_vlans_read_back_for_verify() -> None:
    [doc] = [d for d in load_manifests(SEED_DIR) if d.kind is Kind.NAD]
    vlans, problems = read_nad(doc.body)
    assert vlans is not None and problems == []
    assert (doc.name, doc.namespace, vlans.backend, vlans.bridge) == (
        "vm-vlan-40",
        "openshift-nmstate",
        "bridge",
        "vlan-trunk",
    )
    assert (vlans.tagged, vlans.untagged, vlans.field) == (((40, 40),), False, "spec.config.vlan")


# --------------------------------------------------------------------------------------------------
# NAD names, namespaces and config JSON
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["VM_VLAN_40", "-vlan40", "v" * 64])
def test_nad_name_not_dns1123_label(tmp_path: Path, name: str) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(), name=name)})
    assert check(d) == {("nad.yaml", "metadata.name", "nad-name-invalid")}


def test_nad_outside_the_vms_namespace_and_default(tmp_path: Path) -> None:
    # the seed's NAD lives in openshift-nmstate: VMs in another namespace cannot use it
    assert check(SEED_DIR, target_namespace="vms") == {
        ("nad.yaml", "metadata.namespace", "nad-namespace-unusable")
    }
    assert check(SEED_DIR, target_namespace="openshift-nmstate") == set()


def test_nad_without_namespace(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(), namespace=None)})
    assert check(d) == {("nad.yaml", "metadata.namespace", "nad-namespace-missing")}


def test_nad_config_invalid_json_names_the_position(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad('{"type": "cnv-bridge", "vlan": 40,}')})
    [finding] = validate_directory(d).findings
    assert (finding.file, finding.field, finding.key) == ("nad.yaml", "spec.config", "nad-config-json")
    assert "line 1 column 35" in finding.message


def test_nad_config_as_yaml_mapping_is_not_a_string(tmp_path: Path) -> None:
    doc = nad(config())
    doc["spec"]["config"] = config()
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": doc})
    assert check(d) == {("nad.yaml", "spec.config", "nad-config-not-string")}


def test_misspelt_bridge_option_is_reported_because_the_plugin_ignores_it(tmp_path: Path) -> None:
    d = write(
        tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(macspoofchk=None, macspoofcheck=True))}
    )
    assert check(d) == {("nad.yaml", "spec.config.macspoofcheck", "cni-key-unknown")}


def test_wrongly_cased_bridge_option(tmp_path: Path) -> None:
    d = write(
        tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(macspoofchk=None, macSpoofChk=True))}
    )
    assert check(d) == {("nad.yaml", "spec.config.macSpoofChk", "cni-key-case")}


def test_vlan_as_string_is_a_type_mismatch(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(vlan="40"))})
    assert check(d) == {("nad.yaml", "spec.config.vlan", "cni-type-mismatch")}


def test_vlan_4095_is_out_of_range(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(vlan=4095))})
    assert ("nad.yaml", "spec.config.vlan", "vlan-out-of-range") in check(d)


@pytest.mark.parametrize(
    ("trunk", "expected"),
    [
        ([{"minID": 100}], ("spec.config.vlanTrunk[0]", "vlan-trunk-invalid")),
        ([{"minID": 300, "maxID": 200}], ("spec.config.vlanTrunk[0]", "vlan-trunk-invalid")),
        ([{"id": 0}], ("spec.config.vlanTrunk[0].id", "vlan-out-of-range")),
        ([{"minID": 1, "maxID": 4095}], ("spec.config.vlanTrunk[0]", "vlan-out-of-range")),
        ([{"id": 10, "vlan": 3}], ("spec.config.vlanTrunk[0].vlan", "cni-key-unknown")),
    ],
)
def test_bad_vlan_trunk_entries(tmp_path: Path, trunk: list[Any], expected: tuple[str, str]) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(vlan=None, vlanTrunk=trunk))})
    assert ("nad.yaml", *expected) in check(d)


def test_vlan_and_vlan_trunk_together(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(vlanTrunk=[{"id": 41}]))})
    assert check(d) == {("nad.yaml", "spec.config.vlanTrunk", "cni-vlan-and-trunk")}


def test_tagged_nad_without_preserve_default_vlan(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(preserveDefaultVlan=None))})
    assert check(d) == {("nad.yaml", "spec.config.preserveDefaultVlan", "preserve-default-vlan-implicit")}
    untagged = write(
        tmp_path / "u",
        {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(vlan=None, preserveDefaultVlan=None))},
    )
    assert check(untagged) == set()


def test_missing_ipam_and_cni_version(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(ipam=None, cniVersion="0.3.2"))})
    assert check(d) == {
        ("nad.yaml", "spec.config.ipam", "cni-ipam-missing"),
        ("nad.yaml", "spec.config.cniVersion", "cni-version-invalid"),
    }


# --------------------------------------------------------------------------------------------------
# resourceName and bridges
# --------------------------------------------------------------------------------------------------


def test_resource_name_naming_another_bridge(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(), bridge="br1")})
    assert check(d) == {
        ("nad.yaml", "metadata.annotations.k8s.v1.cni.cncf.io/resourceName", "nad-resource-name-mismatch")
    }


def test_resource_name_missing(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(), bridge=None)})
    assert check(d) == {
        ("nad.yaml", "metadata.annotations.k8s.v1.cni.cncf.io/resourceName", "nad-resource-name-missing")
    }


def test_nad_bridge_that_no_nncp_creates(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(bridge="br1"), bridge="br1")})
    [finding] = validate_directory(d).findings
    assert (finding.file, finding.field, finding.key) == (
        "nad.yaml",
        "spec.config.bridge",
        "nad-bridge-unknown",
    )
    assert "linux-bridge 'br1'" in finding.message


# --------------------------------------------------------------------------------------------------
# VLANs the uplink port does not allow
# --------------------------------------------------------------------------------------------------


def nncp_with_port_vlan(vlan: Any) -> dict[str, Any]:
    doc = seed_nncp()
    doc["spec"]["desiredState"]["interfaces"][0]["bridge"]["port"][0]["vlan"] = vlan
    return doc


def test_vlan_outside_the_explicit_uplink_trunk(tmp_path: Path) -> None:
    port_vlan = {"mode": "trunk", "trunk-tags": [{"id-range": {"min": 100, "max": 200}}]}
    d = write(tmp_path, {"nncp.yaml": nncp_with_port_vlan(port_vlan), "nad.yaml": nad(config())})
    [finding] = validate_directory(d).findings
    assert (finding.file, finding.field, finding.key) == (
        "nad.yaml",
        "spec.config.vlan",
        "vlan-not-on-uplink",
    )
    assert "VLAN 40 is not allowed on uplink ens34 of bridge vlan-trunk" in finding.message
    assert "trunk-tags 100-200" in finding.message


def test_empty_port_vlan_removes_the_default_trunk(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": nncp_with_port_vlan({}), "nad.yaml": nad(config())})
    assert check(d) == {("nad.yaml", "spec.config.vlan", "vlan-not-on-uplink")}


def test_vlan_1_is_not_in_kubernetes_nmstate_default_trunk(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(vlan=1))})
    assert check(d) == {("nad.yaml", "spec.config.vlan", "vlan-untagged-on-uplink")}


def test_trunk_ranges_partly_outside_the_uplink_trunk(tmp_path: Path) -> None:
    port_vlan = {"mode": "trunk", "trunk-tags": [{"id": 101}, {"id-range": {"min": 200, "max": 250}}]}
    trunk = [{"id": 101}, {"minID": 200, "maxID": 299}]
    d = write(
        tmp_path,
        {"nncp.yaml": nncp_with_port_vlan(port_vlan), "nad.yaml": nad(config(vlan=None, vlanTrunk=trunk))},
    )
    [finding] = validate_directory(d).findings
    assert (finding.field, finding.key) == ("spec.config.vlanTrunk", "vlan-not-on-uplink")
    assert finding.message.startswith("VLAN 251-299 is not allowed")


def test_untagged_nad_rides_the_default_pvid_of_an_explicit_trunk(tmp_path: Path) -> None:
    # NetworkManager gives every port the bridge's default PVID 1 besides its own VLANs (bridge-port.vlans)
    port_vlan = {"mode": "trunk", "trunk-tags": [{"id": 40}]}
    d = write(
        tmp_path,
        {"nncp.yaml": nncp_with_port_vlan(port_vlan), "nad.yaml": nad(config(vlan=None), name="untagged")},
    )
    assert check(d) == set()
    other_native = {**port_vlan, "enable-native": True, "tag": 40}
    d2 = write(
        tmp_path / "native",
        {"nncp.yaml": nncp_with_port_vlan(other_native), "nad.yaml": nad(config(vlan=None), name="untagged")},
    )
    assert check(d2) == {("nad.yaml", "spec.config.vlan", "untagged-not-on-uplink")}
    tags_vlan_1 = {"mode": "trunk", "trunk-tags": [{"id-range": {"min": 1, "max": 40}}]}
    d3 = write(
        tmp_path / "one",
        {"nncp.yaml": nncp_with_port_vlan(tags_vlan_1), "nad.yaml": nad(config(vlan=None), name="untagged")},
    )
    assert check(d3) == {("nad.yaml", "spec.config.vlan", "untagged-not-on-uplink")}


def test_malformed_uplink_port_vlan(tmp_path: Path) -> None:
    port_vlan = {"mode": "trunk", "trunk-tags": [{"id": 5000}, {"range": 3}]}
    d = write(tmp_path, {"nncp.yaml": nncp_with_port_vlan(port_vlan), "nad.yaml": nad(config())})
    base = "spec.desiredState.interfaces[0].bridge.port[0].vlan"
    assert {
        ("nncp.yaml", f"{base}.trunk-tags[0].id", "vlan-out-of-range"),
        ("nncp.yaml", f"{base}.trunk-tags[1]", "port-vlan-invalid"),
    } <= check(d)


# --------------------------------------------------------------------------------------------------
# MTU and interface names
# --------------------------------------------------------------------------------------------------


def test_nad_mtu_larger_than_the_bridge(tmp_path: Path) -> None:
    nncp = seed_nncp()
    nncp["spec"]["desiredState"]["interfaces"][0]["mtu"] = 1500
    d = write(tmp_path, {"nncp.yaml": nncp, "nad.yaml": nad(config(mtu=9000))})
    [finding] = validate_directory(d).findings
    assert (finding.file, finding.field, finding.key) == ("nad.yaml", "spec.config.mtu", "mtu-exceeds-bridge")
    assert "mtu 9000 is larger than the 1500 of bridge vlan-trunk" in finding.message


def test_nad_mtu_larger_than_the_uplink_nic_in_node_state(tmp_path: Path) -> None:
    nncp = seed_nncp()
    nncp["spec"]["desiredState"]["interfaces"][0]["bridge"]["port"][0]["name"] = "ens35"
    d = write(tmp_path, {"nncp.yaml": nncp, "nad.yaml": nad(config(mtu=9000))})
    found = check(d, node_states=load_node_states(NNS))
    assert ("nad.yaml", "spec.config.mtu", "mtu-exceeds-bridge") in found


def test_bridge_mtu_larger_than_its_port(tmp_path: Path) -> None:
    nncp = seed_nncp()
    nncp["spec"]["desiredState"]["interfaces"][0]["mtu"] = 9000
    nncp["spec"]["desiredState"]["interfaces"].append(
        {"name": "ens34", "type": "ethernet", "state": "up", "mtu": 1500}
    )
    d = write(tmp_path, {"nncp.yaml": nncp, "nad.yaml": nad(config(mtu=1500))})
    assert check(d) == {("nncp.yaml", "spec.desiredState.interfaces[0].mtu", "mtu-exceeds-port")}


def test_interface_names_over_15_characters(tmp_path: Path) -> None:
    nncp = seed_nncp()
    long_name = "vlan-trunk-bridge"  # 17 characters
    nncp["spec"]["desiredState"]["interfaces"][0]["name"] = long_name
    d = write(tmp_path, {"nncp.yaml": nncp, "nad.yaml": nad(config(bridge=long_name), bridge=long_name)})
    assert check(d) == {
        ("nncp.yaml", "spec.desiredState.interfaces[0].name", "interface-name-invalid"),
        ("nad.yaml", "spec.config.bridge", "interface-name-invalid"),
    }


# --------------------------------------------------------------------------------------------------
# KubeVirt patches and MTV NetworkMaps
# --------------------------------------------------------------------------------------------------


def test_vmxnet3_model_in_a_vm_patch(tmp_path: Path) -> None:
    d = write(
        tmp_path,
        {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config()), "vms/web-01.yaml": vm_patch("vmxnet3")},
    )
    [finding] = validate_directory(d).findings
    assert (finding.file, finding.field, finding.key) == (
        "vms/web-01.yaml",
        "spec.template.spec.domain.devices.interfaces[0].model",
        "kubevirt-model-invalid",
    )
    assert "vmxnet3" in finding.message and "virtio" in finding.message
    assert finding.object == "VirtualMachinePatch web-01"


def test_vm_patch_with_unknown_nad_bad_mac_and_foreign_namespace(tmp_path: Path) -> None:
    d = write(
        tmp_path,
        {
            "nncp.yaml": seed_nncp(),
            "nad.yaml": nad(config()),
            "vms/web-01.yaml": vm_patch("virtio", network="other/vm-vlan-41", mac="00:50:56"),
        },
    )
    assert check(d, target_namespace="vms") == {
        ("vms/web-01.yaml", "spec.template.spec.networks[0].multus.networkName", "kubevirt-nad-unknown"),
        ("vms/web-01.yaml", "spec.template.spec.networks[0].multus.networkName", "nad-namespace-unusable"),
        (
            "vms/web-01.yaml",
            "spec.template.spec.domain.devices.interfaces[0].macAddress",
            "kubevirt-mac-invalid",
        ),
    }


def test_network_map_destinations_missing_or_outside_the_target_namespace(tmp_path: Path) -> None:
    nads = [nad(config()), nad(config(name="vm-vlan-41", vlan=41), name="vm-vlan-41", namespace="team-a")]
    nmap = network_map(
        [
            {"type": "multus", "namespace": "default", "name": "vm-vlan-40"},  # fine
            {"type": "multus", "namespace": "default", "name": "vm-vlan-99"},  # no such NAD
            {"type": "multus", "namespace": "team-a", "name": "vm-vlan-41"},  # exists, wrong namespace
            {"type": "pod"},
            {"type": "bridge", "name": "x"},  # not an MTV type
        ]
    )
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nads.yaml": nads, "networkmap.yaml": nmap})
    assert check(d, target_namespace="vms") == {
        ("networkmap.yaml", "spec.map[1].destination", "networkmap-nad-unknown"),
        ("networkmap.yaml", "spec.map[2].destination.namespace", "nad-namespace-unusable"),
        ("networkmap.yaml", "spec.map[4].destination.type", "networkmap-type-invalid"),
        ("nads.yaml", "metadata.namespace", "nad-namespace-unusable"),
    }
    # with the VMs in team-a, the NAD there is usable
    assert ("networkmap.yaml", "spec.map[2].destination.namespace", "nad-namespace-unusable") not in check(
        d, target_namespace="team-a"
    )


# --------------------------------------------------------------------------------------------------
# OVN-Kubernetes localnet
# --------------------------------------------------------------------------------------------------


def ovn_nncp() -> dict[str, Any]:
    return {
        "apiVersion": "nmstate.io/v1",
        "kind": "NodeNetworkConfigurationPolicy",
        "metadata": {"name": "ovs-trunk"},
        "spec": {
            "desiredState": {
                "interfaces": [
                    {
                        "name": "ovs-trunk",
                        "type": "ovs-bridge",
                        "state": "up",
                        "bridge": {"port": [{"name": "ens34"}]},
                    }
                ],
                "ovn": {
                    "bridge-mappings": [
                        {"localnet": "physnet-trunk", "bridge": "ovs-trunk", "state": "present"}
                    ]
                },
            }
        },
    }


def ovn_nad(**changes: Any) -> dict[str, Any]:
    cfg = {
        "cniVersion": "0.3.1",
        "name": "vm-vlan-40",
        "type": "ovn-k8s-cni-overlay",
        "topology": "localnet",
        "netAttachDefName": "default/vm-vlan-40",
        "vlanID": 40,
        "mtu": 1500,
        "physicalNetworkName": "physnet-trunk",
    }
    cfg.update(changes)
    return nad({k: v for k, v in cfg.items() if v is not None}, bridge=None)


def test_ovn_localnet_nad_passes(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": ovn_nncp(), "nad.yaml": ovn_nad()})
    assert check(d) == set()


def test_ovn_localnet_on_br_ex_needs_only_a_bridge_mapping(tmp_path: Path) -> None:
    nncp = ovn_nncp()
    nncp["spec"]["desiredState"] = {
        "ovn": {"bridge-mappings": [{"localnet": "physnet-trunk", "bridge": "br-ex", "state": "present"}]}
    }
    d = write(tmp_path, {"nncp.yaml": nncp, "nad.yaml": ovn_nad()})
    assert check(d) == set()
    nncp["spec"]["desiredState"] = {}
    d2 = write(tmp_path / "empty", {"nncp.yaml": nncp, "nad.yaml": ovn_nad()})
    assert check(d2) == {
        ("nncp.yaml", "spec.desiredState", "nncp-empty"),
        ("nad.yaml", "spec.config.physicalNetworkName", "ovn-localnet-unmapped"),
    }


def test_ovn_localnet_mistakes(tmp_path: Path) -> None:
    bad = ovn_nad(netAttachDefName="default/other", physicalNetworkName="physnet-x", vlanID=4095, vlan=40)
    bad["metadata"]["annotations"] = {
        "k8s.v1.cni.cncf.io/resourceName": "bridge.network.kubevirt.io/ovs-trunk"
    }
    d = write(tmp_path, {"nncp.yaml": ovn_nncp(), "nad.yaml": bad})
    assert check(d) == {
        ("nad.yaml", "spec.config.netAttachDefName", "ovn-nad-name-mismatch"),
        ("nad.yaml", "spec.config.physicalNetworkName", "ovn-localnet-unmapped"),
        ("nad.yaml", "spec.config.vlanID", "vlan-out-of-range"),
        ("nad.yaml", "spec.config.vlan", "cni-key-unknown"),
        ("nad.yaml", "metadata.annotations.k8s.v1.cni.cncf.io/resourceName", "ovn-resource-name"),
    }


# --------------------------------------------------------------------------------------------------
# kustomizations
# --------------------------------------------------------------------------------------------------


def test_kustomization_with_missing_file_unlisted_nad_and_nmstate_with_nncp(tmp_path: Path) -> None:
    nmstate = {"apiVersion": "nmstate.io/v1", "kind": "NMState", "metadata": {"name": "nmstate"}, "spec": {}}
    d = write(
        tmp_path,
        {
            "kustomization.yaml": {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": ["nmstate.yaml", "nncp.yaml", "gone.yaml"],
            },
            "nmstate.yaml": nmstate,
            "nncp.yaml": seed_nncp(),
            "nad.yaml": nad(config()),
        },
    )
    assert check(d) == {
        ("kustomization.yaml", "resources[2]", "kustomization-resource-missing"),
        ("kustomization.yaml", "resources", "kustomization-order"),
        ("nad.yaml", "metadata.name", "kustomization-resource-unlisted"),
    }


# --------------------------------------------------------------------------------------------------
# --node-state
# --------------------------------------------------------------------------------------------------


def nncp_on(nic: str, selector: dict[str, str] | None = None) -> dict[str, Any]:
    doc = seed_nncp()
    doc["spec"]["desiredState"]["interfaces"][0]["bridge"]["port"][0]["name"] = nic
    if selector is not None:
        doc["spec"]["nodeSelector"] = selector
    return doc


@pytest.mark.parametrize(
    ("nic", "key", "nodes"),
    [
        ("ens33", "nic-owned-by-br-ex", "worker-0, worker-1"),
        ("ens35", "nic-down", "worker-0"),
        ("ens36", "nic-carries-node-traffic", "worker-1"),
        ("ens99", "nic-missing", "worker-0, worker-1"),
    ],
)
def test_node_state_rejects_nncp_nics(tmp_path: Path, nic: str, key: str, nodes: str) -> None:
    d = write(tmp_path, {"nncp.yaml": nncp_on(nic), "nad.yaml": nad(config())})
    findings = [f for f in validate_directory(d, node_states=load_node_states(NNS)).findings if f.key == key]
    assert [(f.file, f.field) for f in findings] == [
        ("nncp.yaml", "spec.desiredState.interfaces[0].bridge.port[0].name")
    ]
    assert f"on node {nodes};" in findings[0].message


def test_node_selector_limits_the_nodes_checked(tmp_path: Path) -> None:
    # ens35 is down on worker-0 only; selecting worker-1 leaves nothing to report but a missing NIC there.
    d = write(
        tmp_path,
        {"nncp.yaml": nncp_on("ens35", {"kubernetes.io/hostname": "worker-1"}), "nad.yaml": nad(config())},
    )
    assert check(d, node_states=load_node_states(NNS)) == {
        ("nncp.yaml", "spec.desiredState.interfaces[0].bridge.port[0].name", "nic-missing")
    }
    d2 = write(
        tmp_path / "none",
        {"nncp.yaml": nncp_on("ens34", {"node-role.kubernetes.io/infra": ""}), "nad.yaml": nad(config())},
    )
    assert check(d2, node_states=load_node_states(NNS)) == {
        ("nncp.yaml", "spec.nodeSelector", "nncp-selects-no-node")
    }


# --------------------------------------------------------------------------------------------------
# Command line: exit codes, output, bad input
# --------------------------------------------------------------------------------------------------


def test_findings_exit_1_with_a_table_naming_file_and_field(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(vlan=4095))})
    proc = run_cli("validate", str(d))
    assert proc.returncode == 1
    lines = (d / "nad.yaml").read_text().splitlines()
    config_line = 1 + next(i for i, text in enumerate(lines) if text.strip().startswith("config:"))
    assert f"nad.yaml:{config_line}" in proc.stdout
    assert "spec.config.vlan" in proc.stdout and "vlan-out-of-range" in proc.stdout
    assert proc.stderr.startswith("trunkline: error: ")
    assert f"1 finding in {d};" in proc.stderr


def test_json_output_lists_findings(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(vlan=4095))})
    proc = run_cli("validate", str(d), "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["documents"] == 2
    [finding] = report["findings"]
    assert (finding["file"], finding["field"], finding["key"]) == (
        "nad.yaml",
        "spec.config.vlan",
        "vlan-out-of-range",
    )
    # a key inside the config JSON string points at the `config:` line
    assert (d / "nad.yaml").read_text().splitlines()[finding["line"] - 1].strip().startswith("config: ")


def test_multi_document_file_and_list_name_their_lines(tmp_path: Path) -> None:
    listed = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [nad(config(), name="ok-one"), nad(config(vlan=5000), name="bad")],
    }
    d = write(tmp_path, {"all.yaml": [seed_nncp(), listed]})
    [finding] = [f for f in validate_directory(d).findings if f.key == "vlan-out-of-range"]
    assert finding.object == "NetworkAttachmentDefinition default/bad"
    text = (d / "all.yaml").read_text().splitlines()
    assert text[finding.line - 1].strip().startswith("config: ")
    [bad] = [doc for doc in load_manifests(d) if doc.name == "bad"]
    assert text[bad.line - 1].lstrip("- ").startswith("apiVersion")
    assert bad.line < finding.line


def test_findings_point_at_the_line_of_the_field(tmp_path: Path) -> None:
    port_vlan = {"mode": "trunk", "trunk-tags": [{"id": 40}, {"id": 5000}]}
    d = write(tmp_path, {"nncp.yaml": nncp_with_port_vlan(port_vlan), "nad.yaml": nad(config())})
    [finding] = validate_directory(d).findings
    assert finding.field == "spec.desiredState.interfaces[0].bridge.port[0].vlan.trunk-tags[1].id"
    assert (d / "nncp.yaml").read_text().splitlines()[finding.line - 1].strip() == "- id: 5000"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("kind: NetworkAttachmentDefinition\nmetadata:\n  name: [unclosed\n", "broken.yaml:4"),
        ('{"kind": "NetworkAttachmentDefinition",\n "metadata": {]}\n', "broken.yaml:2"),
        ("\tkind: x\n", "broken.yaml:1"),
    ],
)
def test_unparseable_file_is_bad_input_exit_2(tmp_path: Path, text: str, where: str) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "broken.yaml": text})
    proc = run_cli("validate", str(d))
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"trunkline: error: {where}: not valid YAML/JSON")


def test_missing_directory_and_bad_node_state_are_bad_input(tmp_path: Path) -> None:
    proc = run_cli("validate", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "no such directory" in proc.stderr
    (tmp_path / "nns.yaml").write_text("kind: Pod\n")
    proc = run_cli("validate", str(SEED_DIR), "--node-state", str(tmp_path / "nns.yaml"))
    assert proc.returncode == 2 and "holds no NodeNetworkState object" in proc.stderr


def test_two_nncps_creating_the_same_bridge_for_the_same_nodes(tmp_path: Path) -> None:
    other = nncp_on("ens35")
    other["metadata"]["name"] = "vlan-trunk-ens35-policy"
    d = write(tmp_path, {"a.yaml": seed_nncp(), "b.yaml": other, "nad.yaml": nad(config())})
    assert check(d) == {("b.yaml", "spec.desiredState.interfaces[0].name", "bridge-defined-twice")}
    other["spec"]["nodeSelector"] = {"kubernetes.io/hostname": "worker-1"}
    d2 = write(tmp_path / "disjoint", {"a.yaml": seed_nncp(), "b.yaml": other, "nad.yaml": nad(config())})
    assert check(d2) == set()


def test_nncp_port_list_would_drop_a_port_the_bridge_has_now(tmp_path: Path) -> None:
    export = tmp_path / "nns.yaml"
    export.write_text(
        "kind: NodeNetworkState\nmetadata: {name: n1}\nstatus:\n  currentState:\n    interfaces:\n"
        "    - {name: vlan-trunk, type: linux-bridge, state: up,\n"
        "       bridge: {port: [{name: ens34}, {name: ens35}]}}\n"
        "    - {name: ens34, type: ethernet, state: up, controller: vlan-trunk}\n"
        "    - {name: ens35, type: ethernet, state: up, controller: vlan-trunk}\n"
    )
    d = write(tmp_path / "m", {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config())})
    [finding] = validate_directory(d, node_states=load_node_states(export)).findings
    assert (finding.field, finding.key) == (
        "spec.desiredState.interfaces[0].bridge.port",
        "bridge-ports-replaced",
    )
    assert "already has port ens35 on node n1" in finding.message


def test_json_vm_patch_finding_points_at_the_model_line(tmp_path: Path) -> None:
    d = write(
        tmp_path,
        {
            "nncp.yaml": seed_nncp(),
            "nad.yaml": nad(config()),
            "vms/web-01.json": json.dumps(vm_patch("vmxnet3"), indent=2),
        },
    )
    [finding] = validate_directory(d).findings
    assert finding.file == "vms/web-01.json"
    assert (d / "vms/web-01.json").read_text().splitlines()[finding.line - 1].strip() == '"model": "vmxnet3",'


def test_broken_json_file_names_line_and_column(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "vms/x.json": '{\n  "spec": {,}\n}\n'})
    proc = run_cli("validate", str(d))
    assert proc.returncode == 2
    assert proc.stderr.startswith("trunkline: error: vms/x.json:2: not valid JSON (")
    assert "column 12" in proc.stderr
