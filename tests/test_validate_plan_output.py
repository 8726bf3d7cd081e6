"""`trunkline validate` passes what `trunkline plan` writes: the bundled example on both backends and
both CNI type names, with a node-state export, and random inventories (hypothesis)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import run_cli
from tests.support.strategies import inventories
from trunkline.openshift.manifests import Kind, load_manifests
from trunkline.openshift.nicmap import node_groups
from trunkline.openshift.objects import read_nad
from trunkline.openshift.plan import PlanOptions, build_plan
from trunkline.openshift.render import render_files
from trunkline.openshift.validate import validate_directory
from trunkline.vsphere.model import Inventory

NNS = Path(__file__).parent.parent / "docs" / "examples" / "nns.yaml"

#: validate keys that may appear in plan output only where the plan itself reported the same problem
#: (plan finding code): untagged port groups and tagged VLAN 1 on one uplink.
REPORTED_BY_PLAN = {"vlan-untagged-on-uplink": "native-vlan", "nic-placeholder": "unmapped-uplink"}


def plan_example(out: Path, *options: str) -> Path:
    proc = run_cli("plan", "--nic-map", "vmnic1=ens34", "-o", str(out), *options)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.parametrize(
    "options",
    [(), ("--cni-type", "bridge"), ("--backend", "ovn-localnet"), ("--namespace", "vms")],
    ids=["cnv-bridge", "bridge", "ovn-localnet", "namespace-vms"],
)
def test_validate_passes_plan_output_for_the_bundled_example(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    out = plan_example(tmp_path / "out", *options)
    target = "vms" if "vms" in options else "default"
    proc = run_cli("validate", str(out), "--target-namespace", target, "--node-state", str(NNS), "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["findings"] == []
    assert report["kinds"]["NetworkAttachmentDefinition"] == 4
    assert report["kinds"]["VirtualMachinePatch"] >= 1


def test_plan_nads_read_back_with_their_vlans(tmp_path: Path) -> None:
    out = plan_example(tmp_path / "out")
    vlans = {d.name: read_nad(d.body) for d in load_manifests(out) if d.kind is Kind.NAD}
    assert {name: (v.tagged, v.untagged, v.bridge, p) for name, (v, p) in vlans.items() if v} == {
        f"vm-vlan-{n}": (((n, n),), False, "vlan-trunk", []) for n in (10, 20, 30, 40)
    }


def test_validate_catches_a_hand_edit_of_plan_output(tmp_path: Path) -> None:
    out = plan_example(tmp_path / "out")
    nads = out / "nads.yaml"
    docs = list(yaml.safe_load_all(nads.read_text()))
    for doc in docs:
        config = json.loads(doc["spec"]["config"])
        if config.get("vlan") == 40:
            doc["spec"]["config"] = json.dumps({**config, "vlan": 41})
    nads.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    result = validate_directory(out)
    assert [(f.file, f.field, f.key) for f in result.findings] == [
        ("nads.yaml", "spec.config.vlan", "vlan-not-on-uplink")
    ]
    assert [d.name for d in load_manifests(out) if d.kind is Kind.NNCP] == ["vlan-trunk-ens34-policy"]


def _realistic(inv: Inventory) -> bool:
    """vCenter managed object ids are unique within a vCenter (the generator may repeat a standard
    switch network's id in two datacenters, which no vCenter does)."""
    for vc in inv.vcenters:
        owner: dict[str, str] = {}
        for dc in vc.datacenters:
            for pg in dc.port_groups:
                if pg.network and owner.setdefault(pg.network, dc.id) != dc.id:
                    return False
    return True


def _validate_files(files: dict[str, str]) -> list[Any]:
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in files.items():
            path = Path(tmp, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return list(validate_directory(Path(tmp)).findings)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    inv=inventories(),
    backend=st.sampled_from(["linux-bridge", "ovn-localnet"]),
    cni_type=st.sampled_from(["cnv-bridge", "bridge"]),
)
def test_validate_passes_plan_output_for_random_inventories(
    inv: Inventory, backend: str, cni_type: str
) -> None:
    assume(_realistic(inv))
    options = PlanOptions(backend=backend, cni_type=cni_type, node_groups=node_groups(inv.nic_map, None, {}))
    plan = build_plan(inv, options)
    reported = {f.code for f in plan.findings}
    findings = _validate_files(render_files(plan))
    unexplained = [
        (f.file, f.field, f.key, f.message) for f in findings if REPORTED_BY_PLAN.get(f.key) not in reported
    ]
    assert unexplained == []
