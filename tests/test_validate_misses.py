"""`trunkline validate` findings that testers showed were missing or wrong on edited seed manifests.

Each test changes one thing in the seed's NNCP + NAD (or in `trunkline plan` output) and checks the
exact findings: (file, field, message key).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_validate_manifests import check, config, nad, network_map, seed_nncp, write
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


def nncp_with_explicit_trunk() -> dict[str, Any]:
    doc = seed_nncp()
    doc["spec"]["desiredState"]["interfaces"][0]["bridge"]["port"][0]["vlan"] = {
        "mode": "trunk",
        "trunk-tags": [{"id": 40}],
    }
    return doc


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
