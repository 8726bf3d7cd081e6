"""Inventories and helpers for the plan tests, built directly from the model (no reader involved), and
the plan indexes built from them."""

from __future__ import annotations

import json
from typing import Any

import yaml

from trunkline.openshift.nad import nad_manifests
from trunkline.openshift.nicmap import node_groups
from trunkline.openshift.plan import Plan, PlanOptions, build_plan
from trunkline.planindex import PlanIndex, build_index
from trunkline.vsphere.model import Inventory
from trunkline.vsphere.sources import example_text, load_inventory


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


# ---- a large estate for the CUDN backend ----

CUDN = {"backend": "cudn-localnet", "target_namespaces": ("vms",)}
ACCESS = 400  # access VLANs 2..401 on DSwitch
CUDNS = ACCESS + 5  # + native-1, flat, jumbo-500, storage-v6, odd-700


def estate(port_groups_per_switch: int = ACCESS) -> Inventory:
    """Three distributed switches: DSwitch (MTU 1500, vmnic1 -> ens34) with access VLANs 2..401, VLAN 1,
    an untagged port group, a trunk, VLAN 4095 and a private VLAN; Jumbo (MTU 9000, vmnic2 -> ens35);
    Odd (MTU 1000, vmnic3 -> ens36). One VM per port group."""
    switches = [
        {"id": sid, "name": name, "kind": "distributed", "mtu": mtu, "uplinks": ["uplink1"]}
        for sid, name, mtu in (("dvs-1", "DSwitch", 1500), ("dvs-2", "Jumbo", 9000), ("dvs-3", "Odd", 1000))
    ]
    pgs: list[dict[str, Any]] = []

    def pg(name: str, vlan: Any, switch: str = "dvs-1") -> None:
        pgs.append({"id": f"dvportgroup-{101 + len(pgs)}", "name": name, "switch": switch, "vlan": vlan})

    for vid in range(2, 2 + port_groups_per_switch):
        pg(f"access-{vid}", vid)
    pg("native-1", 1)
    pg("flat", 0)
    pg("trunk-a", "100-199,300")
    pg("guest-tagging", 4095)
    pg("pvlan-7", {"type": "pvlan", "secondary": 7, "primary": 5, "pvlan_type": "isolated"})
    pg("jumbo-500", 500, "dvs-2")
    pg("storage-v6", 600, "dvs-2")
    pg("odd-700", 700, "dvs-3")
    pg("odd-v6", 701, "dvs-3")
    hosts = [
        {
            "id": f"host-{h}",
            "name": f"esx{h}.example",
            "nics": [{"name": f"vmnic{i}", "switch": f"dvs-{i}", "uplink": "uplink1"} for i in (1, 2, 3)],
        }
        for h in (1, 2)
    ]
    vms = [
        {
            "id": f"vm-{i}",
            "name": f"vm{i}",
            "nics": [{"label": "Network adapter 1", "mac": f"00:50:56:00:{i // 256:02x}:{i % 256:02x}",
                      "adapter": "vmxnet3", "network": p["id"]}],
        }
        for i, p in enumerate(pgs)
    ]  # fmt: skip
    return Inventory.model_validate(
        {
            "nic_map": {"vmnic1": "ens34", "vmnic2": "ens35", "vmnic3": "ens36"},
            "vcenters": [
                {
                    "name": "vc1.example",
                    "datacenters": [
                        {"id": "datacenter-1", "name": "DC1", "hosts": hosts, "switches": switches,
                         "port_groups": pgs, "vms": vms}
                    ],
                }
            ],
        }
    )  # fmt: skip


SUBNETS = {"storage-v6": ("192.0.2.0/24", "2001:db8:600::/64"), "odd-v6": ("2001:db8:701::/64",)}


def estate_plan(**options: Any) -> Plan:
    """The plan of :func:`estate` with the CUDN backend and :data:`SUBNETS`."""
    return plan_for(estate(), **{**CUDN, "subnets": SUBNETS, **options})


def plan_index(inv: Inventory | None = None) -> PlanIndex:
    """The plan index of *inv* (default: the bundled example) planned with default options."""
    inv = inv or load_inventory()
    plan = build_plan(inv, PlanOptions(node_groups=node_groups(inv.nic_map, None, {})))
    return build_index(plan, inv)


def big_inventory(nics: int) -> Inventory:
    """The bundled example with its VMs replaced by *nics* // 2 powered-on VMs of two NICs each."""
    data = yaml.safe_load(example_text())
    dc = data["vcenters"][0]["datacenters"][0]
    networks = ["dvportgroup-23", "dvportgroup-24", "dvportgroup-25", "dvportgroup-26"]
    dc["vms"] = [
        {"id": f"vm-{v}", "name": f"app-{v:05d}-with-a-longer-name-as-real-estates-have",
         "power_state": "poweredOn",
         "nics": [{"label": f"Network adapter {k + 1}",
                   "mac": f"00:50:56:{v >> 8:02x}:{v & 0xFF:02x}:{k:02x}",
                   "adapter": "vmxnet3", "network": networks[(v + k) % 4]} for k in range(2)]}
        for v in range(nics // 2)
    ]
    return Inventory.model_validate(data)
