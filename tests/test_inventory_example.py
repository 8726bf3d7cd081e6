"""The bundled example design: it loads, and it is the two-host VLAN trunk design the docs describe."""

from __future__ import annotations

from trunkline.examples import bundled_inventory
from trunkline.vsphere.model import AccessVlan, NoVlan, SecurityPolicy, TrunkVlan, VlanRange
from trunkline.vsphere.sources import example_text, load_inventory
from trunkline.vsphere.yamlfile import dump_inventory


def test_example_is_one_vcenter_one_datacenter_one_cluster_two_hosts() -> None:
    inv = load_inventory()
    assert [v.name for v in inv.vcenters] == ["vcsa.lab.example"]
    (dc,) = inv.vcenters[0].datacenters
    assert (dc.id, dc.name) == ("datacenter-3", "Datacenter")
    assert [(c.id, c.name) for c in dc.clusters] == [("domain-c8", "Cluster")]
    assert [(h.id, h.name, h.cluster) for h in dc.hosts] == [
        ("host-12", "esxi01.lab.example", "domain-c8"),
        ("host-15", "esxi02.lab.example", "domain-c8"),
    ]
    assert inv.nic_map == {"vmnic1": "ens34"}


def test_example_hosts_have_vmnic0_management_and_vmnic1_trunk_on_dswitch() -> None:
    dc = load_inventory().vcenters[0].datacenters[0]
    for host in dc.hosts:
        assert [(n.name, n.switch, n.uplink) for n in host.nics] == [
            ("vmnic0", f"{host.id}/vSwitch0", "vmnic0"),
            ("vmnic1", "dvs-21", "Uplink 1"),
        ]
        assert [(k.name, k.port_group, k.services) for k in host.vmkernel_nics] == [
            ("vmk0", f"{host.id}/vSwitch0/Management Network", ("management",))
        ]


def test_example_switches_are_vswitch0_per_host_and_dswitch_mtu_1500() -> None:
    dc = load_inventory().vcenters[0].datacenters[0]
    assert [(s.id, s.name, s.kind, s.host, s.mtu, s.uplinks) for s in dc.switches] == [
        ("host-12/vSwitch0", "vSwitch0", "standard", "host-12", 1500, ("vmnic0",)),
        ("host-15/vSwitch0", "vSwitch0", "standard", "host-15", 1500, ("vmnic0",)),
        ("dvs-21", "DSwitch", "distributed", None, 1500, ("Uplink 1",)),
    ]
    dswitch = dc.switches[2]
    assert dswitch.security == SecurityPolicy(promiscuous=False, mac_changes=False, forged_transmits=False)


def test_example_port_groups_carry_vlans_10_to_40_and_reject_forged_transmits() -> None:
    dc = load_inventory().vcenters[0].datacenters[0]
    table = [(p.id, p.name, p.switch, p.vlan, p.uplink_portgroup) for p in dc.port_groups]
    assert table == [
        ("host-12/vSwitch0/Management Network", "Management Network", "host-12/vSwitch0", NoVlan(), False),
        ("host-15/vSwitch0/Management Network", "Management Network", "host-15/vSwitch0", NoVlan(), False),
        (
            "dvportgroup-22",
            "DSwitch-DVUplinks-21",
            "dvs-21",
            TrunkVlan(ranges=(VlanRange(start=0, end=4094),)),
            True,
        ),
        ("dvportgroup-23", "vm-vlan-10", "dvs-21", AccessVlan(id=10), False),
        ("dvportgroup-24", "vm-vlan-20", "dvs-21", AccessVlan(id=20), False),
        ("dvportgroup-25", "vm-vlan-30", "dvs-21", AccessVlan(id=30), False),
        ("dvportgroup-26", "vm-vlan-40", "dvs-21", AccessVlan(id=40), False),
    ]
    for pg in dc.port_groups[3:]:
        assert pg.security.forged_transmits is False
        assert pg.network == pg.id


def test_example_has_a_vmxnet3_vm_on_vlan_40() -> None:
    dc = load_inventory().vcenters[0].datacenters[0]
    on_40 = [
        (vm.name, nic.adapter, nic.mac) for vm in dc.vms for nic in vm.nics if nic.network == "dvportgroup-26"
    ]
    assert on_40 == [("vlan40-client", "vmxnet3", "00:50:56:a1:40:05")]
    assert sorted({nic.network for vm in dc.vms for nic in vm.nics}) == [
        "dvportgroup-23",
        "dvportgroup-24",
        "dvportgroup-25",
        "dvportgroup-26",
    ]


def test_example_file_is_in_canonical_form_below_its_header_comment() -> None:
    text = example_text()
    body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))
    assert dump_inventory(load_inventory()) == body


def test_bundled_inventory_is_the_design_commands_read_by_default() -> None:
    path = bundled_inventory()
    assert (path.parent.name, path.name) == ("vlan-trunk", "inventory.yaml")
    assert load_inventory(path) == load_inventory()
