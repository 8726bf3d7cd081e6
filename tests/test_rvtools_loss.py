"""RVTools rows that used to be lost silently: each is now a one-line error naming sheet, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_rvtools_reader import seed_rows, write_workbook
from trunkline.errors import BadInputError
from trunkline.vsphere.rvtools import read_rvtools

FIX = "fix the cell or export the workbook again"


def _error(path: Path) -> str:
    with pytest.raises(BadInputError) as err:
        read_rvtools(path)
    return str(err.value)


def test_same_object_id_with_another_vlan_names_both_rows(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"].append({**rows["dvPort"][4], "VLAN": 41})  # vm-vlan-40 again (row 6), now VLAN 41
    path = write_workbook(tmp_path / "dup.xlsx", rows)
    assert _error(path) == (
        f"{path}: sheet 'dvPort' row 8 column 'Object ID': Object ID 'dvportgroup-26' is also in row 6 with "
        f"another port group or VLAN; keep the right row; {FIX}"
    )


def test_the_same_row_twice_is_accepted(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"].append(dict(rows["dvPort"][4]))
    inventory = read_rvtools(write_workbook(tmp_path / "twice.xlsx", rows))
    assert len(inventory.vcenters[0].datacenters[0].port_groups) == 8


def test_blank_dvport_vlan_is_an_error_not_untagged(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"][1]["VLAN"] = None
    path = write_workbook(tmp_path / "blank.xlsx", rows)
    assert _error(path) == (
        f"{path}: sheet 'dvPort' row 3 column 'VLAN': port group 'vm-vlan-10' has no VLAN "
        f"(0 for untagged, an ID or ranges); {FIX}"
    )


def test_host_nic_on_an_unknown_switch_is_an_error_not_dropped(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["vNIC"][1]["Switch"] = "DSwitch-typo"
    path = write_workbook(tmp_path / "switch.xlsx", rows)
    assert _error(path) == (
        f"{path}: sheet 'vNIC' row 3 column 'Switch': switch 'DSwitch-typo' is neither a vSwitch of host "
        f"'esxi01.lab.example' (sheet 'vSwitch') nor a distributed switch (sheet 'dvSwitch'); {FIX}"
    )


def test_workbook_with_only_headers_is_no_vcenter_found(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "empty.xlsx", {})
    assert _error(path) == (
        f"{path}: no vCenter found: sheets vInfo, vHost, vSwitch and dvSwitch have no rows; "
        "export the inventory again with RVTools while connected to vCenter"
    )
