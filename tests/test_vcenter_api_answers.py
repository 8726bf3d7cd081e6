"""What vcsim 0.24.2 cannot serve, tested against vSphere API answers written BY HAND.

Each answer below is built from the vSphere Web Services API reference (data object types and their
fields, as pyVmomi decodes them); none comes from a server. vcsim returns every object in one
``RetrievePropertiesEx`` page and keeps no private-VLAN map or LACP groups, so paging, the private-VLAN
primary ID and LAGs are checked here. Everything else is checked against the simulator
(test_vcenter_read.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from pyVmomi import vim, vmodl

from trunkline.vsphere.model import AccessVlan, LacpGroup, PrivateVlan, SecurityPolicy, Teaming
from trunkline.vsphere.vcenter import build_vcenter, retrieve_all, unescape_name

PC = vmodl.query.PropertyCollector
DVS = vim.dvs.VmwareDistributedVirtualSwitch


def _content(obj: Any, **props: Any) -> Any:
    return PC.ObjectContent(obj=obj, propSet=[vmodl.DynamicProperty(name=k, val=v) for k, v in props.items()])


class HandWrittenCollector:
    """A PropertyCollector answering from hand-written pages (as a vCenter does when an answer is larger
    than its page size: RetrieveResult.token set on every page but the last)."""

    def __init__(self, pages: list[list[Any]], fail_on_page: int | None = None) -> None:
        self.pages = pages
        self.fail_on_page = fail_on_page
        self.calls: list[str] = []

    def _page(self, index: int) -> Any:
        token = f"page-{index + 1}" if index + 1 < len(self.pages) else None
        return PC.RetrieveResult(token=token, objects=self.pages[index])

    def RetrievePropertiesEx(self, specSet: list[Any], options: Any) -> Any:  # noqa: N802, N803
        self.calls.append("RetrievePropertiesEx")
        return self._page(0)

    def ContinueRetrievePropertiesEx(self, token: str) -> Any:  # noqa: N802
        self.calls.append(f"ContinueRetrievePropertiesEx({token})")
        index = int(token.split("-")[1])
        if index == self.fail_on_page:
            raise vmodl.fault.SystemError(reason="connection lost")
        return self._page(index)

    def CancelRetrievePropertiesEx(self, token: str) -> None:  # noqa: N802
        self.calls.append(f"CancelRetrievePropertiesEx({token})")


def _vms(first: int, count: int) -> list[Any]:
    return [_content(vim.VirtualMachine(f"vm-{i}"), name=f"vm{i}") for i in range(first, first + count)]


def test_paging_reads_every_page_with_continue_retrieve_properties_ex() -> None:
    collector = HandWrittenCollector([_vms(0, 100), _vms(100, 100), _vms(200, 7)])
    objects = retrieve_all(collector, PC.FilterSpec(), page_size=100)
    assert [o.obj._moId for o in objects] == [f"vm-{i}" for i in range(207)]
    assert collector.calls == [
        "RetrievePropertiesEx",
        "ContinueRetrievePropertiesEx(page-1)",
        "ContinueRetrievePropertiesEx(page-2)",
    ]


def test_paging_error_cancels_the_unread_pages() -> None:
    collector = HandWrittenCollector([_vms(0, 10), _vms(10, 10), _vms(20, 10)], fail_on_page=2)
    with pytest.raises(vmodl.fault.SystemError):
        retrieve_all(collector, PC.FilterSpec())
    assert collector.calls[-1] == "CancelRetrievePropertiesEx(page-2)"


def test_empty_answer_is_no_objects() -> None:
    class Empty(HandWrittenCollector):
        def RetrievePropertiesEx(self, specSet: list[Any], options: Any) -> Any:  # noqa: N802, N803
            return None  # what pyVmomi returns when the server finds nothing

    assert retrieve_all(Empty([]), PC.FilterSpec()) == []


def _datacenter_with(dvs_config: Any, *port_groups: tuple[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    dc = vim.Datacenter("datacenter-2")
    net = vim.Folder("group-n5")
    objects: list[tuple[str, str, dict[str, Any]]] = [
        ("Datacenter", "datacenter-2", {"name": "DC", "vmFolder": vim.Folder("group-v4")}),
        ("Folder", "group-n5", {"name": "network", "parent": dc}),
        (
            "VmwareDistributedVirtualSwitch",
            "dvs-21",
            {"name": "dvs", "parent": net, "uuid": "50 0a", "config": dvs_config},
        ),
    ]
    for moid, setting in port_groups:
        config = vim.dvs.DistributedVirtualPortgroup.ConfigInfo(
            key=moid,
            name=moid,
            distributedVirtualSwitch=vim.DistributedVirtualSwitch("dvs-21"),
            defaultPortConfig=setting,
        )
        objects.append(("DistributedVirtualPortgroup", moid, {"name": moid, "parent": net, "config": config}))
    return objects


def test_private_vlan_primary_and_type_come_from_the_switch_pvlan_map() -> None:
    # Hand-written: VMwareDVSConfigInfo.pvlanConfig (VMwareDVSPvlanMapEntry) and PvlanSpec port groups.
    pvlan_map = [
        DVS.PvlanMapEntry(primaryVlanId=200, secondaryVlanId=200, pvlanType="promiscuous"),
        DVS.PvlanMapEntry(primaryVlanId=200, secondaryVlanId=201, pvlanType="isolated"),
        DVS.PvlanMapEntry(primaryVlanId=200, secondaryVlanId=202, pvlanType="community"),
    ]
    config = DVS.ConfigInfo(name="dvs", pvlanConfig=pvlan_map, maxMtu=1500)
    objects = _datacenter_with(
        config,
        *[
            (f"dvportgroup-{i}", DVS.VmwarePortConfigPolicy(vlan=DVS.PvlanSpec(pvlanId=i)))
            for i in (200, 201, 202, 203)
        ],
    )
    (dc,) = build_vcenter("vc", "uuid", "8.0.2", objects).datacenters
    assert [(p.id, p.vlan) for p in dc.port_groups] == [
        ("dvportgroup-200", PrivateVlan(secondary=200, primary=200, pvlan_type="promiscuous")),
        ("dvportgroup-201", PrivateVlan(secondary=201, primary=200, pvlan_type="isolated")),
        ("dvportgroup-202", PrivateVlan(secondary=202, primary=200, pvlan_type="community")),
        ("dvportgroup-203", PrivateVlan(secondary=203, primary=None, pvlan_type=None)),  # not in the map
    ]


def test_lacp_groups_and_explicit_failover_order_of_a_distributed_switch() -> None:
    # Hand-written: VMwareDVSConfigInfo.lacpGroupConfig (VMwareDvsLacpGroupConfig) and a default port
    # config with VmwareUplinkPortTeamingPolicy; values as the vSphere Client sets them.
    lag = DVS.LacpGroupConfig(
        key="lag1-key",
        name="lag1",
        mode="passive",
        uplinkNum=2,
        loadbalanceAlgorithm="srcDestIpTcpUdpPortVlan",
    )
    teaming = DVS.UplinkPortTeamingPolicy(
        inherited=False,
        policy=vim.StringPolicy(inherited=False, value="failover_explicit"),
        uplinkPortOrder=DVS.UplinkPortOrderPolicy(
            inherited=False, activeUplinkPort=["lag1"], standbyUplinkPort=["uplink3"]
        ),
    )
    security = DVS.SecurityPolicy(
        inherited=False,
        allowPromiscuous=vim.BoolPolicy(inherited=False, value=False),
        macChanges=vim.BoolPolicy(inherited=True, value=True),  # inherited: the value is the switch's
        forgedTransmits=vim.BoolPolicy(inherited=False, value=True),
    )
    setting = DVS.VmwarePortConfigPolicy(
        uplinkTeamingPolicy=teaming, securityPolicy=security, vlan=DVS.VlanIdSpec(vlanId=40)
    )
    config = DVS.ConfigInfo(
        name="dvs",
        lacpGroupConfig=[lag],
        maxMtu=9000,
        defaultPortConfig=setting,
        uplinkPortPolicy=vim.DistributedVirtualSwitch.NameArrayUplinkPortPolicy(
            uplinkPortName=["uplink1", "uplink2", "uplink3"]
        ),
    )
    (dc,) = build_vcenter(
        "vc", "uuid", "8.0.2", _datacenter_with(config, ("dvportgroup-40", setting))
    ).datacenters
    (switch,) = dc.switches
    assert switch.lacp_groups == (
        LacpGroup(
            name="lag1",
            key="lag1-key",
            mode="passive",
            uplink_count=2,
            load_balance="srcDestIpTcpUdpPortVlan",
        ),
    )
    assert (switch.mtu, switch.uplinks) == (9000, ("uplink1", "uplink2", "uplink3"))
    (pg,) = dc.port_groups
    assert pg.teaming == Teaming(policy="failover_explicit", active=("lag1",), standby=("uplink3",))
    assert pg.security == SecurityPolicy(promiscuous=False, mac_changes=None, forged_transmits=True)
    assert pg.vlan == AccessVlan(id=40)


def test_nsx_backed_port_group_and_opaque_network() -> None:
    # Hand-written: DVPortgroupConfigInfo.backingType "nsx" (vSphere 7) and an OpaqueNetwork summary.
    objects = _datacenter_with(DVS.ConfigInfo(name="dvs"), ("dvportgroup-9", DVS.VmwarePortConfigPolicy()))
    objects[-1][2]["config"].backingType = "nsx"
    objects.append(
        (
            "OpaqueNetwork",
            "network-o7",
            {
                "name": "seg-web",
                "parent": vim.Folder("group-n5"),
                "summary": vim.OpaqueNetwork.Summary(
                    name="seg-web", opaqueNetworkId="6f1c", opaqueNetworkType="nsx.LogicalSwitch"
                ),
            },
        )
    )
    (dc,) = build_vcenter("vc", None, None, objects).datacenters
    assert [(p.id, p.nsx) for p in dc.port_groups] == [("dvportgroup-9", True)]
    assert [(o.id, o.name, o.network_type) for o in dc.opaque_networks] == [
        ("network-o7", "seg-web", "nsx.LogicalSwitch")
    ]


@pytest.mark.parametrize(
    ("escaped", "shown"),
    [
        ("a%2fb", "a/b"),
        ("a%5cb", "a\\b"),
        ("100%25", "100%"),
        ("%252f", "%2f"),
        ("A%2Fb", "A/b"),
        ("plain", "plain"),
    ],
)
def test_names_are_unescaped_once(escaped: str, shown: str) -> None:
    assert unescape_name(escaped) == shown
