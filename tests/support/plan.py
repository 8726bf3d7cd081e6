"""Inventories and helpers for the plan tests, built directly from the model (no reader involved)."""

from __future__ import annotations

import json
from typing import Any

from trunkline.openshift.nad import nad_manifests
from trunkline.openshift.nicmap import node_groups
from trunkline.openshift.plan import Plan, PlanOptions, build_plan
from trunkline.vsphere.model import Inventory


def seed_like(**overrides: Any) -> Inventory:
    """The seed's design: a distributed switch on vmnic1 (trunk) with a VLAN-40 port group, vSwitch0 on
    vmnic0 for management, one VM on VLAN 40."""
    data: dict[str, Any] = {
        "nic_map": {"vmnic1": "ens34"},
        "vcenters": [
            {
                "name": "vcenter.lab",
                "datacenters": [
                    {
                        "id": "datacenter-1",
                        "name": "DC1",
                        "hosts": [
                            {
                                "id": f"host-{i}",
                                "name": f"esxi-{i}.lab",
                                "nics": [
                                    {"name": "vmnic0", "switch": f"host-{i}/vSwitch0", "uplink": "vmnic0"},
                                    {"name": "vmnic1", "switch": "dvs-21", "uplink": "uplink1"},
                                ],
                                "vmkernel_nics": [
                                    {"name": "vmk0", "port_group": f"host-{i}/vSwitch0/Management Network"}
                                ],
                            }
                            for i in (1, 2)
                        ],
                        "switches": [
                            {
                                "id": "dvs-21",
                                "name": "DSwitch",
                                "kind": "distributed",
                                "mtu": 1500,
                                "uplinks": ["uplink1"],
                            },
                        ]
                        + [
                            {
                                "id": f"host-{i}/vSwitch0",
                                "name": "vSwitch0",
                                "kind": "standard",
                                "host": f"host-{i}",
                                "uplinks": ["vmnic0"],
                            }
                            for i in (1, 2)
                        ],
                        "port_groups": [
                            {"id": "dvportgroup-40", "name": "vm-vlan-40", "switch": "dvs-21", "vlan": 40},
                            {
                                "id": "dvportgroup-22",
                                "name": "DSwitch-DVUplinks",
                                "switch": "dvs-21",
                                "uplink_portgroup": True,
                                "vlan": "0-4094",
                            },
                        ]
                        + [
                            {
                                "id": f"host-{i}/vSwitch0/Management Network",
                                "name": "Management Network",
                                "switch": f"host-{i}/vSwitch0",
                                "network": "network-11",
                                "vlan": 0,
                            }
                            for i in (1, 2)
                        ],
                        "vms": [
                            {
                                "id": "vm-101",
                                "name": "web-01",
                                "nics": [
                                    {
                                        "label": "Network adapter 1",
                                        "mac": "00:50:56:BB:00:01",
                                        "adapter": "vmxnet3",
                                        "network": "dvportgroup-40",
                                    }
                                ],
                            },
                        ],
                    }
                ],
            }
        ],
    }
    data.update(overrides)
    return Inventory.model_validate(data)


def dvs_inventory(
    port_groups: list[dict[str, Any]],
    *,
    mtu: int | None = 1500,
    hosts: int = 2,
    nics: tuple[str, ...] = ("vmnic1",),
    switch: dict[str, Any] | None = None,
    vms: list[dict[str, Any]] | None = None,
    vcenter: str = "vc1.example",
    nic_map: dict[str, str] | None = None,
) -> Inventory:
    """One vCenter, one datacenter, one distributed switch ``dvs-1`` (``DSwitch``) whose uplinks
    ``uplink1..N`` are the hosts' *nics*; *port_groups* are dicts of PortGroup fields (``switch`` and
    ``id`` filled in when missing)."""
    return Inventory.model_validate(
        {
            "nic_map": {"vmnic1": "ens34"} if nic_map is None else nic_map,
            "vcenters": [
                dvs_vcenter(
                    port_groups, mtu=mtu, hosts=hosts, nics=nics, switch=switch, vms=vms, vcenter=vcenter
                )
            ],
        }
    )


def dvs_vcenter(
    port_groups: list[dict[str, Any]],
    *,
    mtu: int | None = 1500,
    hosts: int = 2,
    nics: tuple[str, ...] = ("vmnic1",),
    switch: dict[str, Any] | None = None,
    vms: list[dict[str, Any]] | None = None,
    vcenter: str = "vc1.example",
) -> dict[str, Any]:
    """The vCenter dict of :func:`dvs_inventory`."""
    uplinks = [f"uplink{i + 1}" for i in range(len(nics))]
    sw: dict[str, Any] = {
        "id": "dvs-1",
        "name": "DSwitch",
        "kind": "distributed",
        "mtu": mtu,
        "uplinks": uplinks,
    }
    sw.update(switch or {})
    pgs = []
    for i, pg in enumerate(port_groups):
        pg = dict(pg)
        pg.setdefault("id", f"dvportgroup-{100 + i}")
        pg.setdefault("switch", "dvs-1")
        pgs.append(pg)
    return {
        "name": vcenter,
        "datacenters": [
            {
                "id": "datacenter-1",
                "name": "DC1",
                "hosts": [
                    {
                        "id": f"host-{h}",
                        "name": f"esx{h}.example",
                        "nics": [
                            {"name": nic, "switch": "dvs-1", "uplink": uplinks[j]}
                            for j, nic in enumerate(nics)
                        ],
                    }
                    for h in range(1, hosts + 1)
                ],
                "switches": [sw],
                "port_groups": pgs,
                "vms": vms or [],
            }
        ],
    }


def plan_for(inv: Inventory, cli_map: dict[str, str] | None = None, **options: Any) -> Plan:
    """build_plan with the inventory's nic_map (plus *cli_map*) as the one worker group."""
    groups = node_groups(inv.nic_map, options.pop("file_groups", None), cli_map or {})
    return build_plan(inv, PlanOptions(node_groups=groups, **options))


def nad_configs(plan: Plan) -> dict[str, dict[str, Any]]:
    """NAD name -> parsed spec.config."""
    return {m["metadata"]["name"]: json.loads(m["spec"]["config"]) for m in nad_manifests(plan)}


def bridge_iface(nncp: dict[str, Any], name: str = "vlan-trunk") -> dict[str, Any]:
    """The interface *name* of an NNCP's desiredState."""
    return next(i for i in nncp["spec"]["desiredState"]["interfaces"] if i["name"] == name)


def codes(plan: Plan) -> list[str]:
    """The finding codes of *plan*, in order."""
    return [f.code for f in plan.findings]
