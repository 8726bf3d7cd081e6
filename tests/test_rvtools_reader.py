"""The RVTools reader, on workbooks the tests write with openpyxl in the column layouts of real exports.

Layouts: ``V4`` is the header row of each tab as RVTools 4.x writes it (column names and order as in
RVTools 4.x exports reproduced by public tools); ``V3`` is the older layout trunkline must also read:
no ``NIC label``, ``Switch``, ``VM ID``, ``Object ID`` or ``VI SDK UUID`` columns, ``IP Address``
instead of ``IPv4 Address``/``IPv6 Address``, and columns in another order. Only the cells trunkline
reads are filled; the rest stay empty as unused columns.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.rvtools_corpus import LOC, SEED_V4_YAML, V3, V4, VC, seed_rows, write_workbook
from trunkline.errors import BadInputError
from trunkline.vsphere.model import AccessVlan, NoVlan, PrivateVlan, TrunkVlan, VlanRange
from trunkline.vsphere.rvtools import adapter_type, parse_dvport_vlan, read_rvtools, unescape_name
from trunkline.vsphere.yamlfile import dump_inventory, parse_inventory, reference_problems


def _v3_expected() -> str:
    """The 4.x answer with the ids a 3.x export cannot carry written ``<kind>:<name>``, no instance UUID."""
    text = SEED_V4_YAML.replace("  instance_uuid: 6f1c2a4e-3b7d-4c1e-9a52-8d0e7b3f4a10\n", "")
    for old, new in [
        ("host-12", "host:esxi01.lab.example"),
        ("host-15", "host:esxi02.lab.example"),
        ("dvs-21", "dvs:DSwitch"),
        ("dvportgroup-22", "dvportgroup:DSwitch/DSwitch-DVUplinks-21"),
        ("dvportgroup-23", "dvportgroup:DSwitch/vm-vlan-10"),
        ("dvportgroup-24", "dvportgroup:DSwitch/vm-vlan-20"),
        ("dvportgroup-25", "dvportgroup:DSwitch/vm-vlan-30"),
        ("dvportgroup-26", "dvportgroup:DSwitch/vm-vlan-40"),
        ("dvportgroup-27", "dvportgroup:DSwitch/vm-trunk"),
        ("vm-103", "vm:db01"),
        ("vm-105", "vm:vlan40-client"),
        ("vm-101", "vm:web01"),
    ]:
        text = text.replace(old, new)
    return text


def test_rvtools_4x_export_of_the_seed_reads_as_the_seed_inventory(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "rvtools4.xlsx", seed_rows())
    assert dump_inventory(read_rvtools(path)) == SEED_V4_YAML


def test_rvtools_3x_layout_without_ids_labels_or_switch_reads_the_same_design(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "rvtools3.xlsx", seed_rows(), V3)
    assert dump_inventory(read_rvtools(path)) == _v3_expected()


def test_header_spelling_and_spacing_variations_are_accepted(tmp_path: Path) -> None:
    layout = {sheet: list(headers) for sheet, headers in V4.items()}
    layout["vNetwork"][layout["vNetwork"].index("NIC label")] = "NIC Label"
    layout["vNetwork"][layout["vNetwork"].index("Starts Connected")] = "Starts  connected"
    layout["vPort"][layout["vPort"].index("Port Group")] = "Portgroup"
    rows = seed_rows()
    for row in rows["vNetwork"]:
        row["NIC Label"] = row.pop("NIC label")
        row["Starts  connected"] = row.pop("Starts Connected")
    for row in rows["vPort"]:
        row["Portgroup"] = row.pop("Port Group")
    path = write_workbook(tmp_path / "variant.xlsx", rows, layout)
    assert dump_inventory(read_rvtools(path)) == SEED_V4_YAML


def test_two_vcenters_in_one_export_with_the_same_moids_stay_apart(tmp_path: Path) -> None:
    rows = seed_rows()
    second = {"VI SDK Server": "vcsa2.lab.example", "VI SDK UUID": "0a4b7c2d-1111-4222-8333-944455556666"}
    for sheet in list(rows):
        rows[sheet] += [{**row, **second} for row in rows[sheet]]
    inv = read_rvtools(write_workbook(tmp_path / "two.xlsx", rows))
    assert [(v.name, v.instance_uuid) for v in inv.vcenters] == [
        ("vcsa.lab.example", "6f1c2a4e-3b7d-4c1e-9a52-8d0e7b3f4a10"),
        ("vcsa2.lab.example", "0a4b7c2d-1111-4222-8333-944455556666"),
    ]
    for vc in inv.vcenters:
        (dc,) = vc.datacenters
        assert [p.id for p in dc.port_groups if p.name == "vm-vlan-40"] == ["dvportgroup-26"]
        assert [v.name for v in dc.vms] == ["db01", "vlan40-client", "web01"]


def test_standard_port_groups_vlan_4095_and_same_named_networks_join_across_hosts(tmp_path: Path) -> None:
    rows = seed_rows()
    for host in ("esxi01.lab.example", "esxi02.lab.example"):
        rows["vPort"] += [
            {"Host": host, **LOC, "Port Group": "VM Network", "Switch": "vSwitch0", "VLAN": 40, **VC},
            {"Host": host, **LOC, "Port Group": "All VLANs", "Switch": "vSwitch0", "VLAN": 4095,
             "Forged Transmits": "True", **VC},
        ]  # fmt: skip
    rows["vNetwork"].append(
        {"VM": "web01", "NIC label": "Network adapter 2", "Adapter": "E1000", "Network": "VM Network",
         "Switch": "vSwitch0", "Connected": True, "Starts Connected": False,
         "Mac Address": "00:50:56:a1:10:02", "Host": "esxi01.lab.example", "VM ID": "vm-101", **VC}
    )  # fmt: skip
    dc = read_rvtools(write_workbook(tmp_path / "std.xlsx", rows)).vcenters[0].datacenters[0]
    std = [(p.id, p.network, p.vlan) for p in dc.port_groups if p.switch.endswith("/vSwitch0")]
    assert std == [
        ("host-12/vSwitch0/All VLANs", "network:All VLANs", AccessVlan(id=4095)),
        ("host-12/vSwitch0/Management Network", "network:Management Network", NoVlan()),
        ("host-12/vSwitch0/VM Network", "network:VM Network", AccessVlan(id=40)),
        ("host-15/vSwitch0/All VLANs", "network:All VLANs", AccessVlan(id=4095)),
        ("host-15/vSwitch0/Management Network", "network:Management Network", NoVlan()),
        ("host-15/vSwitch0/VM Network", "network:VM Network", AccessVlan(id=40)),
    ]
    assert [p.security.forged_transmits for p in dc.port_groups if p.name == "All VLANs"] == [True, True]
    web = next(v for v in dc.vms if v.name == "web01")
    nic = web.nics[1]
    assert (nic.label, nic.adapter, nic.network, nic.connected, nic.start_connected) == (
        "Network adapter 2",
        "e1000",
        "network:VM Network",
        True,
        False,
    )


def test_private_vlan_and_unknown_network_are_kept_not_dropped(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"].append(
        {"Port": "pvlan-iso", "Switch": "DSwitch", "VLAN": "PVLAN 101", "Object ID": "dvportgroup-28", **VC}
    )
    rows["vNetwork"].append(
        {"VM": "db01", "NIC label": "Network adapter 2", "Adapter": "Vmxnet3", "Network": "nsx-seg-web",
         "Switch": "", "Mac Address": "00:50:56:a1:20:04", "Host": "esxi02.lab.example", "VM ID": "vm-103",
         **VC}
    )  # fmt: skip
    dc = read_rvtools(write_workbook(tmp_path / "pvlan.xlsx", rows)).vcenters[0].datacenters[0]
    assert [p.vlan for p in dc.port_groups if p.name == "pvlan-iso"] == [PrivateVlan(secondary=101)]
    assert [(o.id, o.name) for o in dc.opaque_networks] == [("network:nsx-seg-web", "nsx-seg-web")]
    assert next(v for v in dc.vms if v.name == "db01").nics[1].network == "network:nsx-seg-web"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", NoVlan()),
        ("0", NoVlan()),
        ("40", AccessVlan(id=40)),
        ("0-4094", TrunkVlan(ranges=(VlanRange(start=0, end=4094),))),
        ("100-199, 300", TrunkVlan(ranges=(VlanRange(start=100, end=199), VlanRange(start=300, end=300)))),
        ("1,1,1,1", TrunkVlan(ranges=(VlanRange(start=1, end=1),))),
        ("300, 100-150, 120-199,200",
         TrunkVlan(ranges=(VlanRange(start=100, end=200), VlanRange(start=300, end=300)))),
        ("PVLAN 101", PrivateVlan(secondary=101)),
        ("Private VLAN 100/101", PrivateVlan(primary=100, secondary=101)),
    ],
)
def test_dvport_vlan_text_becomes_the_vlan_policy(text: str, expected: object) -> None:
    assert parse_dvport_vlan(text) == expected


def test_dvport_vlan_type_column_tells_a_one_vlan_trunk_from_a_vlan_id() -> None:
    assert parse_dvport_vlan("300", "Trunk") == TrunkVlan(ranges=(VlanRange(start=300, end=300),))


def test_adapter_names_of_all_versions_become_device_types() -> None:
    names = ("Vmxnet3", "E1000E", "vim.vm.device.VirtualVmxnet3", "SriovEthernetCard", "")
    got = [adapter_type(a) for a in names]
    assert got == ["vmxnet3", "e1000e", "vmxnet3", "sriov", None]


def test_escaped_names_are_shown_as_people_see_them() -> None:
    assert unescape_name("web%2fapp %5c 100%25 %252f") == "web/app \\ 100% %2f"


def test_missing_sheets_are_one_error_naming_every_tab_and_what_it_gives(tmp_path: Path) -> None:
    layout = {s: h for s, h in V4.items() if s not in ("dvPort", "vNIC")}
    path = write_workbook(tmp_path / "nodvport.xlsx", seed_rows(), layout)
    with pytest.raises(BadInputError) as err:
        read_rvtools(path)
    assert str(err.value) == (
        f"{path}: the export lacks 2 tab(s) a plan needs: 'vNIC' (the hosts' physical NICs (uplinks)); "
        "'dvPort' (the distributed port groups and their VLANs); export all tabs with RVTools (File > "
        "Export all to Excel); `trunkline inventory show` shows what the present tabs hold"
    )


def test_missing_column_names_sheet_and_column(tmp_path: Path) -> None:
    layout = {s: [h for h in hs if not (s == "vPort" and h == "VLAN")] for s, hs in V4.items()}
    path = write_workbook(tmp_path / "novlan.xlsx", seed_rows(), layout)
    with pytest.raises(BadInputError) as err:
        read_rvtools(path)
    assert str(err.value) == (
        f"{path}: sheet 'vPort' has no column 'VLAN' (or 'VLAN ID'); "
        "export the workbook again with RVTools, whose exports have it"
    )


def test_vlan_5000_in_dvport_is_a_finding_on_its_row_and_the_rest_is_read(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"][3]["VLAN"] = 5000
    inv = read_rvtools(write_workbook(tmp_path / "v5000.xlsx", rows))
    (finding,) = inv.findings
    assert (finding.severity, finding.code, finding.place.text()) == (
        "warning",
        "vlan-odd",
        "sheet 'dvPort' row 5 column 'VLAN'",
    )
    assert finding.message == (
        "port group 'vm-vlan-30': VLAN ID 5000 is out of range 0-4094; its VLAN is unknown and it gets no "
        "NAD; edit the inventory file `trunkline inventory read` wrote, then run `trunkline plan` on it: "
        "set its 'vlan'"
    )
    dc = inv.vcenters[0].datacenters[0]
    assert [(p.name, p.vlan.type) for p in dc.port_groups if p.name.startswith("vm-vlan")] == [
        ("vm-vlan-10", "vlan"), ("vm-vlan-20", "vlan"), ("vm-vlan-30", "unknown"), ("vm-vlan-40", "vlan"),
    ]  # fmt: skip


def test_not_a_workbook_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_text("VM,Powerstate\n", encoding="utf-8")
    with pytest.raises(BadInputError) as err:
        read_rvtools(path)
    assert str(err.value) == (
        f"{path}: is named .xlsx but is not an Excel workbook (an .xlsx is a ZIP archive; this file is not); "
        "export the inventory from RVTools as .xlsx (File > Export all to Excel)"
    )


@pytest.mark.parametrize("layout", ["V4", "V3"])
def test_rvtools_inventory_passes_the_file_checks_and_round_trips(tmp_path: Path, layout: str) -> None:
    rows = seed_rows()
    rows["dvPort"].append(
        {"Port": "pvlan-iso", "Switch": "DSwitch", "VLAN": "PVLAN 101", "Object ID": "dvportgroup-28", **VC}
    )
    rows["vNetwork"].append(
        {"VM": "db01", "NIC label": "Network adapter 2", "Adapter": "Vmxnet3", "Network": "nsx-seg-web",
         "Mac Address": "00:50:56:a1:20:04", "Host": "esxi02.lab.example", "VM ID": "vm-103", **VC}
    )  # fmt: skip
    inv = read_rvtools(write_workbook(tmp_path / "x.xlsx", rows, V4 if layout == "V4" else V3))
    assert list(reference_problems(inv)) == []
    assert parse_inventory(dump_inventory(inv)) == inv
