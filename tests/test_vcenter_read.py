"""The live vCenter reader against VMware's simulator (govmomi vcsim, tests/vcsim/main.go).

The tests create port groups, security policies and VM NICs through the vSphere API (pyVmomi) and check
that the reader returns exactly them, plus the simulator's own hosts, switches and VMs (compared with a
separate attribute-by-attribute pyVmomi walk of the same simulator).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pyVim.connect import Disconnect
from pyVmomi import vim

from tests.vcsim_fixture import TLS_INSTANCE_UUID, Vcsim, vcsim, vcsim_tls  # noqa: F401  (fixtures)
from trunkline.errors import BadInputError
from trunkline.vsphere.model import (
    AccessVlan,
    Datacenter,
    Inventory,
    NoVlan,
    PhysicalNic,
    PortGroup,
    PrivateVlan,
    SecurityPolicy,
    Teaming,
    TrunkVlan,
    VlanRange,
)
from trunkline.vsphere.vcenter import read_inventory

DVS = vim.dvs.VmwareDistributedVirtualSwitch
MAC_ON_VLAN_40 = "00:50:56:aa:40:01"
MAC_ON_STD_40 = "00:50:56:aa:40:02"


def _bool(value: bool | None) -> vim.BoolPolicy:
    return vim.BoolPolicy(inherited=value is None, value=value)


def _security(promiscuous: bool | None, mac_changes: bool | None, forged: bool | None) -> Any:
    return DVS.SecurityPolicy(
        inherited=False,
        allowPromiscuous=_bool(promiscuous),
        macChanges=_bool(mac_changes),
        forgedTransmits=_bool(forged),
    )


def _dvpg(name: str, vlan: Any, security: Any = None) -> Any:
    return vim.dvs.DistributedVirtualPortgroup.ConfigSpec(
        name=name,
        type="earlyBinding",
        numPorts=8,
        defaultPortConfig=DVS.VmwarePortConfigPolicy(vlan=vlan, securityPolicy=security),
    )


def _wait(task: Any) -> Any:
    from pyVim.task import WaitForTask

    WaitForTask(task)
    return task.info.result


def _view(content: Any, kind: Any) -> list[Any]:
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    try:
        return list(view.view)
    finally:
        view.DestroyView()


@dataclass
class Created:
    """What the tests created, and the reader's answer afterwards."""

    inventory: Inventory
    dvs: str
    host: str
    vm: str
    dvpg: dict[str, str]  # name -> moid
    networks: dict[str, str]  # standard port group name -> Network moid
    walk: dict[str, Any]  # an attribute-by-attribute pyVmomi walk, for comparison


@pytest.fixture(scope="module")
def created(vcsim: Vcsim) -> Iterator[Created]:  # noqa: F811
    si = vcsim.connect()
    try:
        content = si.RetrieveContent()
        dvs = _view(content, vim.DistributedVirtualSwitch)[0]
        vlan_id = DVS.VlanIdSpec
        trunk = DVS.TrunkVlanSpec
        specs = [
            _dvpg("vm-vlan-40", vlan_id(inherited=False, vlanId=40), _security(False, False, False)),
            _dvpg("vm-untagged", vlan_id(inherited=False, vlanId=0)),
            _dvpg(
                "vm-trunk",
                trunk(
                    inherited=False,
                    vlanId=[
                        vim.NumericRange(start=100, end=199),
                        vim.NumericRange(start=300, end=300),
                        vim.NumericRange(start=1000, end=1099),
                    ],
                ),
                _security(True, None, None),
            ),
            _dvpg("vm-pvlan-201", DVS.PvlanSpec(inherited=False, pvlanId=201)),
            _dvpg(
                "web%2fdb %5c 100%25",
                vlan_id(inherited=False, vlanId=100),
                DVS.SecurityPolicy(inherited=True),
            ),
        ]
        _wait(dvs.AddDVPortgroup_Task(specs))
        dvpg = {pg.name: pg._moId for pg in _view(content, vim.dvs.DistributedVirtualPortgroup)}

        host = next(h for h in _view(content, vim.HostSystem) if h.name == "DC0_H0")
        netsys = host.configManager.networkSystem
        std = [
            ("std-untagged", 0, vim.host.NetworkPolicy.SecurityPolicy()),
            (
                "std-vlan-40",
                40,
                vim.host.NetworkPolicy.SecurityPolicy(forgedTransmits=False, macChanges=False),
            ),
            ("std-all-vlans", 4095, vim.host.NetworkPolicy.SecurityPolicy(allowPromiscuous=True)),
        ]
        for name, vlan, security in std:
            netsys.AddPortGroup(
                vim.host.PortGroup.Specification(
                    name=name,
                    vlanId=vlan,
                    vswitchName="vSwitch0",
                    policy=vim.host.NetworkPolicy(security=security),
                )
            )
        networks = {n.name: n._moId for n in _view(content, vim.Network) if type(n) is vim.Network}

        vm = next(v for v in _view(content, vim.VirtualMachine) if v.runtime.host._moId == host._moId)
        dv_backing = vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo(
            port=vim.dvs.PortConnection(switchUuid=dvs.uuid, portgroupKey=dvpg["vm-vlan-40"])
        )
        std_network = vim.Network(networks["std-vlan-40"], si._stub)
        std_backing = vim.vm.device.VirtualEthernetCard.NetworkBackingInfo(
            deviceName="std-vlan-40", network=std_network
        )
        changes = [
            vim.vm.device.VirtualDeviceSpec(
                operation="add",
                device=vim.vm.device.VirtualVmxnet3(
                    key=-1,
                    backing=dv_backing,
                    addressType="manual",
                    macAddress=MAC_ON_VLAN_40,
                    connectable=vim.vm.device.VirtualDevice.ConnectInfo(connected=True, startConnected=True),
                ),
            ),
            vim.vm.device.VirtualDeviceSpec(
                operation="add",
                device=vim.vm.device.VirtualE1000e(
                    key=-2,
                    backing=std_backing,
                    addressType="manual",
                    macAddress=MAC_ON_STD_40,
                    connectable=vim.vm.device.VirtualDevice.ConnectInfo(
                        connected=False, startConnected=False
                    ),
                ),
            ),
        ]
        _wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=changes)))

        walk = _naive_walk(content)
        inventory = read_inventory([vcsim.url], user=vcsim.user, password=vcsim.password)
        yield Created(
            inventory=inventory,
            dvs=dvs._moId,
            host=host._moId,
            vm=vm._moId,
            dvpg=dvpg,
            networks=networks,
            walk=walk,
        )
    finally:
        Disconnect(si)


def _naive_walk(content: Any) -> dict[str, Any]:
    """Hosts' NICs and VMs' NICs read attribute by attribute (the slow way), to compare with the reader."""
    hosts = {
        h._moId: {
            "name": h.name,
            "nics": {p.device: (p.mac, p.linkSpeed.speedMb) for p in h.config.network.pnic},
        }
        for h in _view(content, vim.HostSystem)
    }
    vms = {}
    for v in _view(content, vim.VirtualMachine):
        nics = [
            (d.deviceInfo.label, d.macAddress)
            for d in v.config.hardware.device
            if isinstance(d, vim.vm.device.VirtualEthernetCard)
        ]
        vms[v._moId] = {
            "name": v.name,
            "power": v.runtime.powerState,
            "host": v.runtime.host._moId,
            "nics": nics,
        }
    return {"hosts": hosts, "vms": vms}


def _dc(created: Created) -> Datacenter:
    (vcenter,) = created.inventory.vcenters
    (dc,) = vcenter.datacenters
    return dc


def _pg(created: Created, name: str) -> PortGroup:
    matches = [p for p in _dc(created).port_groups if p.name == name]
    assert len(matches) == 1, [p.name for p in _dc(created).port_groups]
    return matches[0]


def test_vcenter_is_keyed_by_its_instance_uuid(created: Created, vcsim: Vcsim) -> None:  # noqa: F811
    si = vcsim.connect()
    try:
        about = si.RetrieveContent().about
        (vcenter,) = created.inventory.vcenters
        assert (vcenter.name, vcenter.instance_uuid, vcenter.version) == (
            f"127.0.0.1:{vcsim.port}",
            about.instanceUuid,
            about.version,
        )
        assert _dc(created).name == "DC0"
    finally:
        Disconnect(si)


def test_distributed_port_group_with_vlan_id_40(created: Created) -> None:
    pg = _pg(created, "vm-vlan-40")
    assert pg == PortGroup(
        id=created.dvpg["vm-vlan-40"],
        name="vm-vlan-40",
        switch=created.dvs,
        network=created.dvpg["vm-vlan-40"],
        vlan=AccessVlan(id=40),
        security=SecurityPolicy(promiscuous=False, mac_changes=False, forged_transmits=False),
        teaming=Teaming(),
    )


def test_distributed_vlan_id_0_is_untagged(created: Created) -> None:
    assert _pg(created, "vm-untagged").vlan == NoVlan()


def test_distributed_trunk_keeps_every_range(created: Created) -> None:
    pg = _pg(created, "vm-trunk")
    assert pg.vlan == TrunkVlan(
        ranges=(VlanRange(start=100, end=199), VlanRange(start=300, end=300), VlanRange(start=1000, end=1099))
    )
    assert pg.security == SecurityPolicy(promiscuous=True, mac_changes=None, forged_transmits=None)


def test_private_vlan_keeps_secondary_id_and_unknown_primary_from_vcsim(created: Created) -> None:
    # vcsim 0.24.2 keeps no private-VLAN map, so the primary is unknown (None); see test_vcenter_api_answers.
    assert _pg(created, "vm-pvlan-201").vlan == PrivateVlan(secondary=201, primary=None, pvlan_type=None)


def test_escaped_names_are_unescaped_and_inherited_security_is_none(created: Created) -> None:
    pg = _pg(created, "web/db \\ 100%")
    assert pg.id == created.dvpg["web%2fdb %5c 100%25"]
    assert (pg.vlan, pg.security) == (AccessVlan(id=100), SecurityPolicy())


def test_uplink_port_group_is_flagged_and_trunks_0_to_4094(created: Created) -> None:
    uplinks = [p for p in _dc(created).port_groups if p.uplink_portgroup]
    assert [(p.name, p.vlan) for p in uplinks] == [
        (
            "DVS0-DVUplinks-" + created.dvs.removeprefix("dvs-"),
            TrunkVlan(ranges=(VlanRange(start=0, end=4094),)),
        )
    ]


def test_distributed_switch_uplinks_and_mtu(created: Created) -> None:
    (dvs,) = [s for s in _dc(created).switches if s.kind == "distributed"]
    assert (dvs.id, dvs.name, dvs.uplinks, dvs.mtu) == (created.dvs, "DVS0", ("uplink1", "uplink2"), 9000)


def test_standard_port_groups_vlan_0_40_4095_with_security(created: Created) -> None:
    prefix = f"{created.host}/vSwitch0"
    expected = {
        "std-untagged": (NoVlan(), SecurityPolicy()),
        "std-vlan-40": (AccessVlan(id=40), SecurityPolicy(mac_changes=False, forged_transmits=False)),
        "std-all-vlans": (AccessVlan(id=4095), SecurityPolicy(promiscuous=True)),
    }
    for name, (vlan, security) in expected.items():
        pg = _pg(created, name)
        assert (pg.id, pg.switch, pg.network, pg.vlan, pg.security) == (
            f"{prefix}/{name}",
            prefix,
            created.networks[name],
            vlan,
            security,
        )


def test_every_host_with_vmnic0_on_vswitch0_and_vmnic1_as_dvs_uplink1(created: Created) -> None:
    hosts = {h.id: h for h in _dc(created).hosts}
    assert set(hosts) == set(created.walk["hosts"])
    for moid, walked in created.walk["hosts"].items():
        host = hosts[moid]
        assert host.name == walked["name"]
        (mac0, speed0), (mac1, speed1) = walked["nics"]["vmnic0"], walked["nics"]["vmnic1"]
        assert host.nics == (
            PhysicalNic(
                name="vmnic0", mac=mac0, speed_mbps=speed0, switch=f"{moid}/vSwitch0", uplink="vmnic0"
            ),
            PhysicalNic(name="vmnic1", mac=mac1, speed_mbps=speed1, switch=created.dvs, uplink="uplink1"),
        )
        assert [(v.name, v.port_group, v.services) for v in host.vmkernel_nics] == [
            ("vmk0", f"{moid}/vSwitch0/Management Network", ("management",))
        ]


def test_every_vm_with_its_nics_and_macs(created: Created) -> None:
    vms = {v.id: v for v in _dc(created).vms}
    assert set(vms) == set(created.walk["vms"])
    for moid, walked in created.walk["vms"].items():
        vm = vms[moid]
        assert (vm.name, vm.power_state, vm.host) == (walked["name"], walked["power"], walked["host"])
        assert [(n.label, n.mac) for n in vm.nics] == walked["nics"]


def test_added_nics_point_at_their_port_groups_with_exact_macs(created: Created) -> None:
    (vm,) = [v for v in _dc(created).vms if v.id == created.vm]
    added = [(n.mac, n.adapter, n.network, n.connected, n.start_connected) for n in vm.nics[-2:]]
    assert added == [
        (MAC_ON_VLAN_40, "vmxnet3", created.dvpg["vm-vlan-40"], True, True),
        (MAC_ON_STD_40, "e1000e", created.networks["std-vlan-40"], False, False),
    ]


def test_every_vm_nic_network_is_a_known_port_group(created: Created) -> None:
    networks = {p.network for p in _dc(created).port_groups}
    for vm in _dc(created).vms:
        for nic in vm.nics:
            assert nic.network in networks, (vm.name, nic)


def test_datacenter_filter_reads_the_same_datacenter(created: Created, vcsim: Vcsim) -> None:  # noqa: F811
    only = read_inventory([vcsim.url], user=vcsim.user, password=vcsim.password, datacenter="DC0")
    assert only == created.inventory


def test_unknown_datacenter_is_bad_input_naming_the_known_ones(vcsim: Vcsim) -> None:  # noqa: F811
    with pytest.raises(BadInputError) as caught:
        read_inventory([vcsim.url], user=vcsim.user, password=vcsim.password, datacenter="DC9")
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        f"vCenter 127.0.0.1:{vcsim.port} has no datacenter 'DC9' (it has: DC0); check --datacenter"
    )


def test_the_same_vcenter_twice_is_bad_input(vcsim: Vcsim) -> None:  # noqa: F811
    with pytest.raises(BadInputError, match="are the same vCenter"):
        read_inventory([vcsim.url, vcsim.url], user=vcsim.user, password=vcsim.password)


def test_sessions_are_logged_out_also_after_an_error(vcsim: Vcsim) -> None:  # noqa: F811
    si = vcsim.connect()
    try:
        manager = si.RetrieveContent().sessionManager
        before = len(manager.sessionList)
        read_inventory([vcsim.url], user=vcsim.user, password=vcsim.password)
        with pytest.raises(BadInputError):
            read_inventory([vcsim.url], user=vcsim.user, password=vcsim.password, datacenter="nope")
        assert len(manager.sessionList) == before
    finally:
        Disconnect(si)


def test_two_vcenters_are_merged_and_keyed_apart(vcsim: Vcsim, vcsim_tls: Vcsim) -> None:  # noqa: F811
    inventory = read_inventory(
        [vcsim.url, f"127.0.0.1:{vcsim_tls.port}"],
        user=vcsim.user,
        password=vcsim.password,
        ca_file=vcsim_tls.cafile,
    )
    first, second = inventory.vcenters
    assert (first.instance_uuid, second.instance_uuid) == (content_uuid(vcsim), TLS_INSTANCE_UUID)
    # the same moids on both simulators, told apart by the vCenter they belong to
    assert first.datacenters[0].id == second.datacenters[0].id == "datacenter-2"
    assert [h.name for h in second.datacenters[0].hosts] == ["DC0_H0"]
    assert len(first.datacenters[0].hosts) == 4


def content_uuid(sim: Vcsim) -> str:
    """The simulator's AboutInfo.instanceUuid, asked through pyVmomi."""
    si = sim.connect()
    try:
        return str(si.RetrieveContent().about.instanceUuid)
    finally:
        Disconnect(si)
