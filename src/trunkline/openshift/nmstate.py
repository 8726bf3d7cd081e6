"""NodeNetworkConfigurationPolicies (``nmstate.io/v1``, cluster-scoped): one per node group and bridge.

desiredState follows the nmstate API (nmstate.io "Linux Bridge", "OVS Bridge", "Bond", "OVN bridge
mappings"):

* the uplink NIC(s) as ``ethernet`` interfaces, up, with the switch's MTU; several NICs join a ``bond``
  (``link-aggregation.mode`` 802.3ad / balance-xor / active-backup, ``port`` list);
* linux-bridge backend: a ``linux-bridge`` with STP off, IPv4 and IPv6 off, the NIC or bond as its only
  port (a bridge's ``port`` list replaces the existing ports) and that port's VLAN filtering written
  out: ``mode: trunk`` with ``trunk-tags`` (``{id}`` / ``{id-range: {min, max}}``) covering every VLAN the
  NADs use, and, where port groups are untagged, ``enable-native: true`` with ``tag`` 1, the bridge's
  default PVID in which the bridge CNI leaves untagged VM ports (``mode: access`` with ``tag`` 1 when
  nothing is tagged). kubernetes-nmstate's implicit default trunk (2-4094, no VLAN 1) is not relied on;
* ovn-localnet backend: an ``ovs-bridge`` with the NIC or bond as port (OVS ports pass every VLAN) and
  an ``ovn.bridge-mappings`` entry ``{localnet: <bridge>, bridge: <bridge>, state: present}``.
"""

from __future__ import annotations

from typing import Any

from trunkline.openshift.naming import sanitise
from trunkline.openshift.plan.model import NATIVE_VLAN, BridgeDecision, NodeLayout, Plan

API_VERSION = "nmstate.io/v1"


def trunk_tags(ranges: tuple[tuple[int, int], ...]) -> list[dict[str, Any]]:
    """nmstate ``trunk-tags`` for inclusive VLAN ranges."""
    return [{"id": a} if a == b else {"id-range": {"min": a, "max": b}} for a, b in ranges]


def port_vlan(bridge: BridgeDecision) -> dict[str, Any]:
    """The uplink port's ``vlan`` stanza for a Linux bridge."""
    if bridge.vlan_ids:
        vlan: dict[str, Any] = {"mode": "trunk", "trunk-tags": trunk_tags(bridge.vlan_ids)}
        if bridge.untagged:
            vlan["enable-native"] = True
            vlan["tag"] = NATIVE_VLAN
        return vlan
    return {"mode": "access", "tag": NATIVE_VLAN}


def policy_name(bridge: BridgeDecision, layout: NodeLayout) -> str:
    """``<bridge>-<nic or bond>-policy`` (the seed's ``vlan-trunk-ens34-policy``), prefixed with the node
    group's name for groups from a NIC map file."""
    port = layout.bond_name or (layout.nics[0] if layout.nics else "noport")
    base = f"{bridge.name}-{port}-policy"
    if not layout.group.default:
        base = f"{layout.group.name}-{base}"
    return sanitise(base)


def desired_state(bridge: BridgeDecision, layout: NodeLayout, backend: str) -> dict[str, Any]:
    """The NNCP ``desiredState`` for one bridge on one node group."""
    interfaces: list[dict[str, Any]] = [
        {"name": nic, "type": "ethernet", "state": "up", "mtu": bridge.mtu} for nic in layout.nics
    ]
    port = layout.bond_name or (layout.nics[0] if layout.nics else None)
    if layout.bond_name:
        agg: dict[str, Any] = {"mode": layout.bond, "port": list(layout.nics)}
        options: dict[str, Any] = {"miimon": "100"}
        if layout.bond == "active-backup" and layout.primary:
            options["primary"] = layout.primary
        if layout.bond == "balance-xor":
            # vSphere's IP hash picks the uplink from source and destination IP; the kernel's layer2+3
            # policy hashes the same (plus MACs), falling back to layer 2 for non-IP frames
            # (nmstate: link-aggregation.options.xmit_hash_policy; kernel Documentation/networking/bonding)
            options["xmit_hash_policy"] = "layer2+3"
        agg["options"] = options
        interfaces.append(
            {
                "name": layout.bond_name,
                "type": "bond",
                "state": "up",
                "mtu": bridge.mtu,
                "ipv4": {"enabled": False},
                "ipv6": {"enabled": False},
                "link-aggregation": agg,
            }
        )
    ports_text = " and ".join(layout.nics) if layout.nics else "no port"
    if backend != "linux-bridge":  # ovn-localnet, cudn-localnet: OVS bridge and bridge mapping
        interfaces.append(
            {
                "name": bridge.name,
                "description": f"OVS bridge with {port or ports_text} as a port, for OVN localnet",
                "type": "ovs-bridge",
                "state": "up",
                "bridge": {
                    "allow-extra-patch-ports": True,
                    "options": {"stp": False},
                    "port": [{"name": port}] if port else [],
                },
            }
        )
        mapping = {"localnet": bridge.localnet, "bridge": bridge.name, "state": "present"}
        return {"interfaces": interfaces, "ovn": {"bridge-mappings": [mapping]}}
    interfaces.append(
        {
            "name": bridge.name,
            "description": f"Linux bridge with {port or ports_text} as a port",
            "type": "linux-bridge",
            "state": "up",
            "mtu": bridge.mtu,
            "ipv4": {"enabled": False},
            "ipv6": {"enabled": False},
            "bridge": {
                "options": {"stp": {"enabled": False}},
                "port": [{"name": port, "vlan": port_vlan(bridge)}] if port else [],
            },
        }
    )
    return {"interfaces": interfaces}


def nncp_manifests(plan: Plan) -> list[dict[str, Any]]:
    """Every NNCP of *plan*, sorted by name."""
    out = []
    for bridge in plan.bridges:
        for layout in bridge.layouts:
            out.append(
                {
                    "apiVersion": API_VERSION,
                    "kind": "NodeNetworkConfigurationPolicy",
                    "metadata": {"name": policy_name(bridge, layout)},
                    "spec": {
                        "nodeSelector": layout.group.selector,
                        "maxUnavailable": plan.options.max_unavailable,
                        "desiredState": desired_state(bridge, layout, plan.options.backend),
                    },
                }
            )
    return sorted(out, key=lambda m: m["metadata"]["name"])


def nmstate_instance() -> dict[str, Any]:
    """The ``NMState`` instance kubernetes-nmstate needs before any NNCP (name ``nmstate``, empty spec)."""
    return {"apiVersion": API_VERSION, "kind": "NMState", "metadata": {"name": "nmstate"}, "spec": {}}
