"""`trunkline validate` findings that testers showed were missing or wrong on edited seed manifests.

Each test changes one thing in the seed's NNCP + NAD (or in `trunkline plan` output) and checks the
exact findings: (file, field, message key).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_validate_manifests import check, config, nad, seed_nncp, write
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
