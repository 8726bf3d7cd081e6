"""RVTools rows that used to stop the whole read: each is now a finding naming sheet, row and column, and
the rest of the workbook is read."""

from __future__ import annotations

from pathlib import Path

from tests.support.rvtools_corpus import seed_rows, write_workbook
from trunkline.vsphere.rvtools import read_rvtools

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


def test_the_same_row_twice_is_accepted(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"].append(dict(rows["dvPort"][4]))
    inventory = read_rvtools(write_workbook(tmp_path / "twice.xlsx", rows))
    assert len(inventory.vcenters[0].datacenters[0].port_groups) == 8
    assert inventory.findings == ()


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
    import pytest

    from trunkline.errors import BadInputError

    path = write_workbook(tmp_path / "empty.xlsx", {})
    with pytest.raises(BadInputError) as err:
        read_rvtools(path)
    assert str(err.value) == (
        f"{path}: no vCenter found: sheets vInfo, vHost, vSwitch and dvSwitch have no rows; "
        "export the inventory again with RVTools while connected to vCenter"
    )
