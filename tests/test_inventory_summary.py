"""`inventory show`'s tables, as rows of text, for the bundled seed example."""

from __future__ import annotations

import io

from rich.console import Console

from trunkline.vsphere.model import AccessVlan, PortGroup, PrivateVlan, TrunkVlan, VlanRange
from trunkline.vsphere.sources import load_inventory
from trunkline.vsphere.summary import host_rows, port_group_rows, render, switch_rows, vlan_text, vm_rows


def _dc():  # type: ignore[no-untyped-def]
    return load_inventory().vcenters[0].datacenters[0]


def test_switches_group_same_named_standard_switches_across_hosts() -> None:
    assert switch_rows(_dc()) == [
        ("DSwitch", "distributed", "2 hosts", "1500", "Uplink 1", "reject"),
        ("vSwitch0", "standard", "2 hosts", "1500", "vmnic0", "reject"),
    ]


def test_port_groups_show_vlan_forged_transmits_and_nic_count() -> None:
    assert port_group_rows(_dc()) == [
        ("Management Network", "vSwitch0, 2 hosts", "untagged", "reject", "0"),
        ("DSwitch-DVUplinks-21", "DSwitch (uplinks)", "trunk 0-4094", "reject", "0"),
        ("vm-vlan-10", "DSwitch", "10", "reject", "2"),
        ("vm-vlan-20", "DSwitch", "20", "reject", "2"),
        ("vm-vlan-30", "DSwitch", "30", "reject", "1"),
        ("vm-vlan-40", "DSwitch", "40", "reject", "1"),
    ]


def test_hosts_tell_the_management_nic_from_the_vm_trunk() -> None:
    assert host_rows(_dc()) == [
        ("esxi01.lab.example", "vmnic0", "1G", "vSwitch0", "vmnic0", "vmk0 Management Network"),
        ("", "vmnic1", "1G", "DSwitch", "Uplink 1", "VMs: 10, 20, 30, 40"),
        ("esxi02.lab.example", "vmnic0", "1G", "vSwitch0", "vmnic0", "vmk0 Management Network"),
        ("", "vmnic1", "1G", "DSwitch", "Uplink 1", "VMs: 10, 20, 30, 40"),
    ]


def test_vms_per_port_group_with_adapter_and_disconnected_marked() -> None:
    assert vm_rows(_dc()) == [
        ("vm-vlan-10", "10", "web01 (vmxnet3), app01 (vmxnet3)"),
        ("vm-vlan-20", "20", "app01 (vmxnet3), db01 (e1000e)"),
        # powered off with Connected false but connecting at power on: not disconnected
        ("vm-vlan-30", "30", "monitor01 (e1000)"),
        ("vm-vlan-40", "40", "vlan40-client (vmxnet3)"),
    ]


def test_vlan_text_says_each_policy_as_people_do() -> None:
    def pg(vlan: object) -> PortGroup:
        return PortGroup(id="p", name="p", switch="s", vlan=vlan)

    assert [
        vlan_text(pg(0)),
        vlan_text(pg(4095)),
        vlan_text(pg(TrunkVlan(ranges=(VlanRange(start=100, end=199), VlanRange(start=300, end=300))))),
        vlan_text(pg(PrivateVlan(primary=100, secondary=101, pvlan_type="isolated"))),
        vlan_text(pg(AccessVlan(id=40))),
    ] == ["untagged", "4095 (all, guest tags)", "trunk 100-199,300", "pvlan 100/101 isolated", "40"]


def test_summary_fits_80_columns() -> None:
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(render(load_inventory()))
    assert max(len(line) for line in out.getvalue().splitlines()) <= 80


def test_a_port_group_with_many_vms_names_eight_and_counts_the_rest() -> None:
    inv = load_inventory()
    dc = inv.vcenters[0].datacenters[0]
    template = dc.vms[4]  # vlan40-client, on vm-vlan-40
    vms = tuple(template.model_copy(update={"id": f"vm-{i}", "name": f"vm{i:02d}"}) for i in range(11))
    many = dc.model_copy(update={"vms": vms})
    assert vm_rows(many) == [
        (
            "vm-vlan-40",
            "40",
            ", ".join(f"vm{i:02d} (vmxnet3)" for i in range(8)) + " (+3 more)",
        )
    ]


def test_a_terminal_too_narrow_for_the_columns_gets_them_stacked_never_dropped() -> None:
    console = Console(file=io.StringIO(), width=40, highlight=False)
    console.print(render(load_inventory()))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert max(len(line) for line in lines) <= 40
    at = lines.index("Hosts")
    assert [line.strip() for line in lines[at + 1 : at + 7]] == [
        "Host: esxi01.lab.example",
        "NIC: vmnic0",
        "Speed: 1G",
        "Switch: vSwitch0",
        "Uplink: vmnic0",
        "Carries: vmk0 Management Network",
    ]


def test_vmkernel_nics_are_never_host_nic_rows() -> None:
    dc = _dc()
    host = dc.hosts[0]
    lonely = host.model_copy(
        update={"vmkernel_nics": (*host.vmkernel_nics, host.vmkernel_nics[0].model_copy(update={"name": "vmk9"}))}  # noqa: E501
    )
    moved = dc.model_copy(update={"hosts": (lonely, *dc.hosts[1:]), "switches": dc.switches})
    rows = host_rows(moved)
    assert [r[1] for r in rows].count("vmk9") == 0
    assert all(not r[1].startswith("vmk") for r in rows)
