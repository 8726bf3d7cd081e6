"""Plan and validate agree on VLAN 1 where untagged port groups use it as the uplink's native VLAN."""

from __future__ import annotations

from tests.conftest import run_cli
from tests.support.plan import dvs_inventory, plan_for
from trunkline.openshift.render import write_plan
from trunkline.openshift.validate import validate_directory

PGS = [
    {"name": "flat", "vlan": 0},
    {"name": "all", "vlan": 4095},
    {"name": "tr", "vlan": {"type": "trunk", "ranges": [{"start": 1, "end": 10}]}},
    {"name": "one", "vlan": 1},
    {"name": "web", "vlan": 40},
]


def test_every_nad_carrying_vlan_1_next_to_untagged_port_groups_is_a_plan_finding_validate_agrees(tmp_path):
    plan = plan_for(dvs_inventory(PGS, nic_map={"vmnic1": "ens34"}))
    native = sorted(f.subject for f in plan.findings if f.code == "native-vlan")
    assert native == ["NAD default/all", "NAD default/one", "NAD default/tr"]
    write_plan(plan, tmp_path / "out")
    result = validate_directory(tmp_path / "out")
    flagged = sorted(
        f"NAD {f.object.split(' ', 1)[1]}" for f in result.findings if f.key == "vlan-untagged-on-uplink"
    )
    assert flagged == native
    assert [f.key for f in result.findings if f.key != "vlan-untagged-on-uplink"] == []
    validated = run_cli("validate", str(tmp_path / "out"))
    assert validated.returncode == 1
    assert "3 findings" in validated.stdout
