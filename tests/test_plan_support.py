"""Inventories for the plan tests, built directly from the model (no reader involved)."""

from __future__ import annotations

from typing import Any

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
