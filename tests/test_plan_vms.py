"""VM patches: never partial (a JSON merge patch replaces lists whole), and explained in REPORT.md."""

from __future__ import annotations

import json

from tests.support.plan import dvs_inventory, plan_for
from trunkline.openshift.render import write_plan

PGS = [{"name": "web", "vlan": 40}, {"name": "pv", "vlan": {"type": "pvlan", "secondary": 7}}]


def _vm(name: str, *networks: str, adapter: str = "vmxnet3") -> dict:
    return {
        "id": f"vm-{name}",
        "name": name,
        "nics": [
            {"label": f"Network adapter {i + 1}", "mac": f"00:50:56:00:01:{i:02x}", "network": net,
             "adapter": adapter}
            for i, net in enumerate(networks)
        ],
    }


def test_vm_with_a_nic_left_unmapped_gets_no_patch_and_a_finding_naming_it(tmp_path):
    vms = [_vm("app", "dvportgroup-100", "dvportgroup-101"), _vm("ok", "dvportgroup-100")]
    inv = dvs_inventory(PGS, vms=vms)
    plan = plan_for(inv)
    app = next(vm for vm in plan.vms if vm.name == "app")
    assert (app.has_patch, app.unmapped) == (False, ("Network adapter 2",))
    (finding,) = [f for f in plan.findings if f.code == "vm-patch-withheld"]
    assert finding.subject == "VM 'app'"
    assert finding.message.startswith("no patch written: NIC(s) Network adapter 2 have no OpenShift network")
    write_plan(plan, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out/vms").iterdir()) == ["ok.json"]


def test_vm_whose_other_nic_is_ignored_by_choice_still_gets_its_patch(tmp_path):
    inv = dvs_inventory(PGS, vms=[_vm("app", "dvportgroup-100", "dvportgroup-101")])
    plan = plan_for(inv, network_choices={"pv": "ignored"})
    (app,) = plan.vms
    assert app.has_patch
    write_plan(plan, tmp_path / "out")
    patch = json.loads((tmp_path / "out/vms/app.json").read_text())
    assert patch["spec"]["template"]["spec"]["networks"] == [
        {"name": "net-0", "multus": {"networkName": "default/web"}}
    ]


def test_report_has_a_vm_section_with_patch_mac_model_change_and_provider(tmp_path):
    vms = [_vm("ok", "dvportgroup-100"), _vm("old", "dvportgroup-100", adapter="e1000e")]
    inv = dvs_inventory(PGS, vms=vms)
    write_plan(plan_for(inv), tmp_path / "out", "out")
    text = (tmp_path / "out/REPORT.md").read_text()
    assert (
        "| ok | vms/ok.json | Network adapter 1 | 00:50:56:00:01:00 | vmxnet3 -> virtio (guest needs virtio "
        "drivers) | NAD default/web |" in text
    )
    row = "| old | vms/old.json | Network adapter 1 | 00:50:56:00:01:00 | e1000e -> e1000e | NAD default/web"
    assert row in text
    assert "its source vSphere Provider in `openshift-mtv`: `vc1-example` (vCenter vc1.example)" in text
    assert "Windows: install the virtio-win drivers" in text
    assert "A running VM picks the change up at its next restart" in text
    assert text.index("Install these operators first") < text.index("oc apply -k out/prereqs")
    assert 'for f in out/vms/*.json; do oc patch vm' in text


def test_report_without_vm_patches_shows_no_patch_loop(tmp_path):
    inv = dvs_inventory(PGS, vms=[_vm("app", "dvportgroup-100", "dvportgroup-101")])
    write_plan(plan_for(inv), tmp_path / "out", "out")
    text = (tmp_path / "out/REPORT.md").read_text()
    assert "vms/*.json; do" not in text
    assert "No VM patches: no VM has all its NICs on mapped networks (see Findings)." in text
    assert "| app | none (a NIC is unmapped) | Network adapter 2 |" in text


def test_error_findings_put_a_banner_on_top_of_the_report_and_the_summary(tmp_path):
    from tests.conftest import run_cli

    inv_file = tmp_path / "inv.json"
    nsx = dvs_inventory([{"name": "web", "vlan": 40}, {"name": "seg", "vlan": 41, "nsx": True}])
    inv_file.write_text(nsx.model_dump_json())
    result = run_cli("plan", str(inv_file), "-o", str(tmp_path / "out"))
    assert result.returncode == 0
    text = (tmp_path / "out/REPORT.md").read_text()
    lines = text.splitlines()
    assert lines[2].startswith("> **1 error(s): read [Findings](#findings-")
    report = tmp_path / "out/REPORT.md"
    assert f"trunkline plan: 1 error(s): read the Findings in {report} before applying" in result.stdout


def test_vlan_0_is_called_untagged_as_inventory_show_does(tmp_path):
    write_plan(plan_for(dvs_inventory([{"name": "flat", "vlan": 0}])), tmp_path / "out")
    assert "| DC1 | DSwitch | flat | untagged | default/flat |" in (tmp_path / "out/REPORT.md").read_text()
