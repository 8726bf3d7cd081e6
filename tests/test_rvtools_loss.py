"""RVTools rows that used to stop the whole read: each is now a finding naming sheet, row and column, and
the rest of the workbook is read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.rvtools_corpus import seed_rows, write_workbook
from trunkline.vsphere.rvtools import read_rvtools

Rows = dict[str, list[dict[str, Any]]]
EDIT = "edit the inventory file `trunkline inventory read` wrote, then run `trunkline plan` on it"


def _findings(path: Path) -> list[tuple[str, str, str, str]]:
    inv = read_rvtools(path)
    return [(f.severity, f.code, f.place.text(), f.message) for f in inv.findings]


def test_same_object_id_with_another_vlan_names_both_rows_and_keeps_the_first(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"].append({**rows["dvPort"][4], "VLAN": 41})  # vm-vlan-40 again (row 6), now VLAN 41
    path = write_workbook(tmp_path / "dup.xlsx", rows)
    assert _findings(path) == [
        ("warning", "duplicate-object-id", "sheet 'dvPort' row 8 column 'Object ID'",
         "Object ID 'dvportgroup-26' is also in row 6 with another port group or VLAN; the inventory keeps "
         f"row 6: if this row is the right one, {EDIT}"),
    ]  # fmt: skip
    dc = read_rvtools(path).vcenters[0].datacenters[0]
    assert [p.vlan for p in dc.port_groups if p.id == "dvportgroup-26"][0].id == 40  # type: ignore[union-attr]


def test_the_same_row_twice_is_read_once_with_a_note_on_the_copy(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"].append(dict(rows["dvPort"][4]))
    inventory = read_rvtools(write_workbook(tmp_path / "twice.xlsx", rows))
    assert len(inventory.vcenters[0].datacenters[0].port_groups) == 8
    assert [(f.severity, f.code, f.place.text(), f.message) for f in inventory.findings] == [
        ("info", "duplicate-row", "sheet 'dvPort' row 8 column 'Port'",
         "distributed port group 'vm-vlan-40' is also in row 6 (an identical copy): the inventory keeps "
         "row 6"),
    ]  # fmt: skip


def test_blank_dvport_vlan_on_a_port_group_with_vms_is_a_finding_not_untagged(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"][1]["VLAN"] = None
    path = write_workbook(tmp_path / "blank.xlsx", rows)
    assert _findings(path) == [
        ("warning", "vlan-blank", "sheet 'dvPort' row 3 column 'VLAN'",
         "port group 'vm-vlan-10' has a blank VLAN cell (RVTools 4.4 leaves trunk port groups blank), so its "
         f"VLANs are unknown and it gets no NAD; {EDIT}: set its 'vlan' to the VLAN ID or trunk ranges such "
         'as "100-199,300"'),
    ]  # fmt: skip


def test_host_nic_on_an_unknown_switch_is_a_finding_and_the_nic_is_kept(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["vNIC"][1]["Switch"] = "DSwitch-typo"
    path = write_workbook(tmp_path / "switch.xlsx", rows)
    assert _findings(path) == [
        ("error", "unknown-switch", "sheet 'vNIC' row 3 column 'Switch'",
         "vmnic1 of host 'esxi01.lab.example' is on switch 'DSwitch-typo', neither a vSwitch of that host "
         "(sheet 'vSwitch') nor a distributed switch (sheet 'dvSwitch'): the NIC is kept without a switch; "
         f"{EDIT}"),
    ]  # fmt: skip
    host = read_rvtools(path).vcenters[0].datacenters[0].hosts[0]
    assert [(n.name, n.switch) for n in host.nics] == [("vmnic0", "host-12/vSwitch0"), ("vmnic1", None)]


def test_workbook_with_only_headers_is_no_vcenter_found(tmp_path: Path) -> None:
    from trunkline.errors import BadInputError

    path = write_workbook(tmp_path / "empty.xlsx", {})
    with pytest.raises(BadInputError) as err:
        read_rvtools(path)
    assert str(err.value) == (
        f"{path}: no vCenter found: sheets vInfo, vHost, vSwitch and dvSwitch have no rows; "
        "export the inventory again with RVTools while connected to vCenter"
    )


def _set(sheet: str, index: int, **cells: Any) -> Callable[[Rows], None]:
    return lambda r: r[sheet][index].update(cells)


def _again(sheet: str, index: int, **cells: Any) -> Callable[[Rows], None]:
    return lambda r: r[sheet].append({**r[sheet][index], **cells})


_ALL = "2 hosts, 2 switches, 7 port groups, 3 VMs (4 NICs)"  # vSwitch0 and its port group count once
_UNKNOWN_HOST = "host 'esxi02.lab.example' is not in sheet 'vHost'"
_DUP = "is also in row 2 with other values: the inventory keeps row 2; if this row is the right one, " + EDIT
_BLANK = "of this row is blank: the row is left out; write the name in the export, or " + EDIT

#: An odd row -> (its change to the seed workbook, every finding: severity, code, place, message start,
#: message end; the inventory's counts).
ODD_ROWS: dict[str, tuple[Callable[[Rows], None], list[tuple[str, str, str, str, str]], str]] = {
    "vmk-on-unknown-port-group": (_set("vSC_VMK", 0, **{"Port Group": "Mgmt-typo"}), [
        ("warning", "unknown-portgroup", "sheet 'vSC_VMK' row 2 column 'Port Group'",
         "vmkernel NIC 'vmk0' of host 'esxi01.lab.example' is on port group 'Mgmt-typo', which neither",
         "the NIC is kept without a port group; export all tabs again, or " + EDIT)], _ALL),
    "vmk-device-twice": (_again("vSC_VMK", 0, **{"IP Address": "192.0.2.99"}), [
        ("warning", "duplicate-row", "sheet 'vSC_VMK' row 4 column 'Device'",
         "vmkernel NIC 'vmk0' of host 'esxi01.lab.example' ", _DUP)], _ALL),
    "vnetwork-blank-vm": (_set("vNetwork", 0, VM=None, **{"VM ID": None}), [
        ("warning", "name-blank", "sheet 'vNetwork' row 2 column 'VM'", "the VM name ('VM') ", _BLANK)],
        "2 hosts, 2 switches, 7 port groups, 3 VMs (3 NICs)"),
    "vport-blank-port-group": (_set("vPort", 0, **{"Port Group": None}), [
        ("warning", "name-blank", "sheet 'vPort' row 2 column 'Port Group'", "the port group name", _BLANK),
        ("warning", "unknown-portgroup", "sheet 'vSC_VMK' row 2 column 'Port Group'",
         "vmkernel NIC 'vmk0' of host 'esxi01.lab.example' is on port group 'Management Network'",
         "the NIC is kept without a port group; export all tabs again, or " + EDIT)],
        "2 hosts, 2 switches, 7 port groups, 3 VMs (4 NICs)"),
    "dvport-blank-port": (_set("dvPort", 3, Port=" "), [
        ("warning", "name-blank", "sheet 'dvPort' row 5 column 'Port'", "the distributed port group name",
         _BLANK)], "2 hosts, 2 switches, 6 port groups, 3 VMs (4 NICs)"),
    "vnic-blank-device": (_set("vNIC", 1, **{"Network Device": None}), [
        ("warning", "name-blank", "sheet 'vNIC' row 3 column 'Network Device'", "the physical NIC name",
         _BLANK)], _ALL),
    "vhost-blank-host": (_set("vHost", 1, Host=None), [
        ("warning", "name-blank", "sheet 'vHost' row 3 column 'Host'", "the host name ('Host') ", _BLANK),
        *[("error", "unknown-host", f"sheet {s!r} row {n} column 'Host'", _UNKNOWN_HOST, "")
          for s, n in [("vSwitch", 3), ("vPort", 3), ("vNIC", 4), ("vNIC", 5), ("vSC_VMK", 3)]]],
        "1 host, 2 switches, 7 port groups, 3 VMs (4 NICs)"),
    "vm-nic-on-unknown-switch": (_set("vNetwork", 0, Switch="DSwitch-old"), [
        ("warning", "unknown-switch", "sheet 'vNetwork' row 2 column 'Switch'",
         "a NIC of VM 'web01' is on switch 'DSwitch-old', which neither sheet 'vSwitch' nor 'dvSwitch' "
         "lists: the NIC is mapped by its port group name 'vm-vlan-10' alone", EDIT)],
        _ALL),
    "vm-nic-label-twice": (_again("vNetwork", 0, **{"Mac Address": "00:50:56:a1:10:99"}), [
        ("warning", "duplicate-row", "sheet 'vNetwork' row 6 column 'NIC label'",
         "NIC 'Network adapter 1' of VM 'web01' ", _DUP)], _ALL),
    "vm-mac-twice": (_again("vNetwork", 0, **{"NIC label": "Network adapter 2"}), [
        ("warning", "mac-duplicate", "sheet 'vNetwork' row 6 column 'Mac Address'",
         "Network adapter 2 of VM 'web01' has MAC 00:50:56:a1:10:01, as row 2 of the same VM has; both NICs "
         "are kept", EDIT)], "2 hosts, 2 switches, 7 port groups, 3 VMs (5 NICs)"),
    "vinfo-vm-id-twice": (_again("vInfo", 0, VM="web01-clone"), [
        ("warning", "duplicate-object-id", "sheet 'vInfo' row 5 column 'VM ID'",
         "VM ID 'vm-101' of VM 'web01-clone' is also in row 2 (VM 'web01'); the inventory keeps row 2",
         EDIT)],
        _ALL),
    "dvswitch-object-id-twice": (_again("dvSwitch", 0, Switch="DSwitch-2"), [
        ("warning", "duplicate-object-id", "sheet 'dvSwitch' row 3 column 'Object ID'",
         "Object ID 'dvs-21' is also in row 2 (distributed switch 'DSwitch') with another switch 'DSwitch-2'",
         EDIT)], _ALL),
    "vswitch-twice-other-mtu": (_again("vSwitch", 0, MTU=9000), [
        ("warning", "duplicate-row", "sheet 'vSwitch' row 4 column 'Switch'",
         "vSwitch 'vSwitch0' of host 'esxi01.lab.example' ", _DUP)],
        _ALL),
    "odd-power-and-template": (_set("vInfo", 0, Powerstate="hibernating", Template="maybe"), [
        ("warning", "cell-odd", "sheet 'vInfo' row 2 column 'Powerstate'",
         "VM 'web01': 'hibernating' is not a power state", EDIT + ": set its 'power_state'"),
        ("warning", "cell-odd", "sheet 'vInfo' row 2 column 'Template'",
         "VM 'web01': 'maybe' is neither True nor False", EDIT + ": set its 'template'")],
        _ALL),
    "uplink-of-unknown-host": (_again("vNIC", 1, Host="esxi99.lab.example", **{"Uplink port": "Uplink 7"}), [
        ("error", "unknown-host", "sheet 'vNIC' row 6 column 'Host'",
         "host 'esxi99.lab.example' is not in sheet 'vHost': this row is left out", EDIT)],
        _ALL),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(ODD_ROWS))
def test_an_odd_row_is_a_finding_on_it_and_the_rest_is_read_and_planned(tmp_path: Path, case: str) -> None:
    from trunkline.openshift.plan import PlanOptions, build_plan
    from trunkline.vsphere.summary import counts_text

    change, expected, counts = ODD_ROWS[case]
    rows = seed_rows()
    change(rows)
    inv = read_rvtools(write_workbook(tmp_path / "odd.xlsx", rows))
    got = [(f.severity, f.code, f.place.text(), f.message) for f in inv.findings]
    assert [g[:3] for g in got] == [e[:3] for e in expected]
    for (*_, message), (*_, start, end) in zip(got, expected, strict=True):
        assert (message.startswith(start), message.endswith(end)) == (True, True), message
    assert counts_text(inv) == f"1 vCenter, 1 datacenter, {counts}"
    (dc,) = inv.vcenters[0].datacenters
    names = [o.name for kind in ("hosts", "switches", "port_groups", "vms") for o in getattr(dc, kind)]
    assert "" not in names and all(n.name for h in dc.hosts for n in h.nics)
    assert [v.id for v in dc.vms] == ["vm-103", "vm-105", "vm-101"]
    dvs = next(s for s in dc.switches if s.kind == "distributed")
    assert (dvs.name, dvs.uplinks) == ("DSwitch", ("Uplink 1",))
    plan = build_plan(inv, PlanOptions())
    assert {f.code for f in plan.findings} >= {f.code for f in inv.findings}


def test_a_date_in_a_numeric_cell_is_a_finding_never_a_number(tmp_path: Path) -> None:
    import datetime

    rows = seed_rows()
    rows["vSwitch"][0]["MTU"] = datetime.datetime(2020, 1, 9)  # Excel shows 1500 formatted as a date
    inv = read_rvtools(write_workbook(tmp_path / "date.xlsx", rows))
    assert _findings(tmp_path / "date.xlsx") == [
        ("warning", "cell-odd", "sheet 'vSwitch' row 2 column 'MTU'",
         f"a date or time (2020-01-09 00:00:00) is not a number: read as unknown; fix the cell in the "
         f"export, or {EDIT}: write the value"),
    ]  # fmt: skip
    (dc,) = inv.vcenters[0].datacenters
    assert [(s.name, s.host, s.mtu) for s in dc.switches] == [
        ("vSwitch0", "host-12", None), ("vSwitch0", "host-15", 1500), ("DSwitch", None, 1500)
    ]  # fmt: skip


def test_an_odd_vport_vlan_cell_is_its_own_finding_never_a_vote(tmp_path: Path) -> None:
    rows = seed_rows()
    for row in list(rows["vPort"]):
        rows["vPort"].append({**row, "Port Group": "VM Network"})
    rows["vPort"][2]["VLAN"] = 20
    rows["vPort"][3]["VLAN"] = True  # esxi02: a boolean where a VLAN ID belongs
    inv = read_rvtools(write_workbook(tmp_path / "odd.xlsx", rows))
    assert [(f.severity, f.code, f.place.text(), f.message) for f in inv.findings] == [
        ("warning", "vlan-odd", "sheet 'vPort' row 5 column 'VLAN'",
         "port group 'VM Network' on host 'esxi02.lab.example': True is not a number, not a VLAN ID: its "
         f"VLAN is unknown; {EDIT}: set its 'vlan' (0 = untagged)"),
    ]  # fmt: skip
    (dc,) = inv.vcenters[0].datacenters
    assert [(p.id, p.vlan.type) for p in dc.port_groups if p.name == "VM Network"] == [
        ("host-12/vSwitch0/VM Network", "vlan"), ("host-15/vSwitch0/VM Network", "unknown")
    ]  # fmt: skip


def test_a_private_vlan_naming_one_id_is_a_finding_on_its_unknown_primary(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"][3]["VLAN"] = "Private VLAN: 100"
    inv = read_rvtools(write_workbook(tmp_path / "pvlan.xlsx", rows))
    assert [(f.severity, f.code, f.place.text(), f.message) for f in inv.findings] == [
        ("warning", "pvlan-primary-unknown", "sheet 'dvPort' row 5 column 'VLAN'",
         "port group 'vm-vlan-30': private VLAN 'Private VLAN: 100' names one VLAN ID (100, read as the "
         f"secondary), so its primary VLAN is unknown; {EDIT}: set its 'vlan' primary (the switch's private "
         "VLAN map in vSphere names it)"),
    ]  # fmt: skip
    (dc,) = inv.vcenters[0].datacenters
    (pg,) = [p for p in dc.port_groups if p.name == "vm-vlan-30"]
    assert pg.vlan.model_dump() == {"type": "pvlan", "secondary": 100, "primary": None, "pvlan_type": None}
    assert len(dc.port_groups) == 8


def test_a_repeating_trunk_cell_is_read_merged_and_plans(tmp_path: Path) -> None:
    from trunkline.openshift.plan import PlanOptions, build_plan
    from trunkline.vsphere.yamlfile import vlan_policy_problems

    rows = seed_rows()
    rows["dvPort"][5]["VLAN"] = "1,1,1,1,100-199,150-160,300"
    inv = read_rvtools(write_workbook(tmp_path / "trunk.xlsx", rows))
    (dc,) = inv.vcenters[0].datacenters
    (pg,) = [p for p in dc.port_groups if p.name == "vm-trunk"]
    assert [(r.start, r.end) for r in pg.vlan.ranges] == [(1, 1), (100, 199), (300, 300)]  # type: ignore[union-attr]
    assert (inv.findings, list(vlan_policy_problems(inv))) == ((), [])
    (net,) = [n for n in build_plan(inv, PlanOptions()).networks if n.name == "vm-trunk"]
    assert (net.target, net.nad, net.vlan_ids) == ("multus", "vm-trunk", ((1, 1), (100, 199), (300, 300)))


def test_a_formula_without_a_saved_value_is_named_as_such_not_as_a_blank_cell(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"][1]["VLAN"] = "=5*2"  # openpyxl saves the formula and no value, as Excel never ran it
    path = write_workbook(tmp_path / "formula.xlsx", rows)
    inv = read_rvtools(path)
    assert [(f.severity, f.code, f.place.text(), f.message) for f in inv.findings] == [
        ("warning", "formula-no-value", "sheet 'dvPort' row 3 column 'VLAN'",
         "the cell holds the formula '=5*2' without a saved value, so its value is unknown: open the "
         "workbook in Excel and save it (Excel saves each formula's value), then read it again"),
    ]  # fmt: skip
    (dc,) = inv.vcenters[0].datacenters
    assert [(p.name, p.vlan.type) for p in dc.port_groups if p.name.startswith("vm-vlan")] == [
        ("vm-vlan-10", "unknown"), ("vm-vlan-20", "vlan"), ("vm-vlan-30", "vlan"), ("vm-vlan-40", "vlan")
    ]  # fmt: skip
