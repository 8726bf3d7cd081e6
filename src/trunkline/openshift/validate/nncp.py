"""NodeNetworkConfigurationPolicy checks: names, node selectors, MTUs, bridge ports and their VLANs (read
by :func:`trunkline.openshift.objects.read_bridges`), bonds, OVN bridge mappings, reserved bridge names,
vSphere uplink placeholders, and bridges or NICs claimed twice.

Sources: nmstate's schema (bridge ``port`` list, port ``vlan``, bond ``link-aggregation``, ``ovn.bridge-
mappings``); Linux ``dev_valid_name``; OpenShift Virtualization's supported bond modes under a VM bridge.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from trunkline.facts import is_reserved_interface
from trunkline.openshift.manifests import Document
from trunkline.openshift.naming import ifname_problem, is_subdomain
from trunkline.openshift.objects import bridge_ports, is_int
from trunkline.openshift.validate.context import (
    BridgeDef,
    Context,
    listed,
    mapping,
    nncp_interface_mtus,
    nncp_physical_ports,
    selector,
)
from trunkline.openshift.validate.findings import Collector

#: Bond modes OpenShift Virtualization does not support under a VM bridge (DESIGN; nmstate accepts the
#: names and the kernel's numbers).
UNSUPPORTED_BOND_MODES = frozenset({"balance-rr", "balance-tlb", "balance-alb", "0", "5", "6"})


def check_nncp(out: Collector, doc: Document, ctx: Context) -> None:
    """Every check of one NNCP."""
    if doc.name is None or not is_subdomain(doc.name):
        out.add(
            doc,
            "metadata.name",
            "name-invalid",
            f"NNCP name {doc.name!r} is not a DNS-1123 subdomain (lower case letters, digits, '-', '.')",
        )
    spec = mapping(doc.body.get("spec"))
    selector = spec.get("nodeSelector")
    if selector is not None and (
        not isinstance(selector, dict) or not all(isinstance(v, str) for v in selector.values())
    ):
        out.add(
            doc,
            "spec.nodeSelector",
            "node-selector-invalid",
            "nodeSelector must map label names to strings (write '' for label-only selectors)",
        )
    interfaces = mapping(spec.get("desiredState")).get("interfaces")
    desired = mapping(spec.get("desiredState"))
    if not isinstance(interfaces, list):
        # an NNCP holding only OVN bridge mappings (a localnet on br-ex) is fine
        if not mapping(desired.get("ovn")).get("bridge-mappings"):
            out.add(
                doc,
                "spec.desiredState",
                "nncp-empty",
                "desiredState has neither interfaces nor ovn.bridge-mappings; the policy configures nothing",
            )
        interfaces = []
    mtus = nncp_interface_mtus(doc)
    out.problems(doc, ctx.port_problems.get(id(doc), ()))
    for i, iface in enumerate(interfaces):
        path = f"spec.desiredState.interfaces[{i}]"
        iface = mapping(iface)
        name = _checked_name(out, doc, path, iface, "interface")
        if name is None:
            continue
        if "mtu" in iface and not (is_int(iface["mtu"]) and 68 <= iface["mtu"] <= 65535):
            out.add(doc, f"{path}.mtu", "mtu-invalid", f"mtu {iface['mtu']!r} is not an integer 68-65535")
        if iface.get("type") in ("linux-bridge", "ovs-bridge"):
            if is_reserved_interface(name) and iface.get("state") != "absent":
                out.add(
                    doc,
                    f"{path}.name",
                    "bridge-name-reserved",
                    f"bridge name {name!r} belongs to OVN-Kubernetes (br-ex, br-int, br-local, ovs-system); "
                    "this "
                    "policy would take over the cluster network's bridge and cut the node off: choose "
                    "another name",
                )
            _checkbridge_ports(out, doc, path, iface, mtus)
            _check_bridge_bonds(out, doc, path, iface, interfaces)
        bond = mapping(iface.get("link-aggregation"))
        for key in ("port", "ports"):
            for j, port in enumerate(listed(bond.get(key))):
                if isinstance(port, str) and (problem := ifname_problem(port)):
                    out.add(
                        doc,
                        f"{path}.link-aggregation.{key}[{j}]",
                        "interface-name-invalid",
                        f"bond port name {port!r} {problem}",
                    )
    if ctx.node_states is None:  # with the node state, a name no node has is `nic-missing`
        _check_placeholder_nics(out, doc, interfaces)
    ovn = mapping(mapping(spec.get("desiredState")).get("ovn"))
    for j, raw in enumerate(listed(ovn.get("bridge-mappings"))):
        entry = mapping(raw)
        path = f"spec.desiredState.ovn.bridge-mappings[{j}]"
        if not isinstance(entry.get("localnet"), str) or not entry.get("localnet"):
            out.add(doc, f"{path}.localnet", "ovn-mapping-invalid", "bridge mapping without a localnet name")
        bridge = entry.get("bridge")
        if entry.get("state", "present") != "absent" and not isinstance(bridge, str):
            out.add(
                doc, f"{path}.bridge", "ovn-mapping-invalid", "bridge mapping without the OVS bridge name"
            )
        elif isinstance(bridge, str) and (problem := ifname_problem(bridge)):
            out.add(doc, f"{path}.bridge", "interface-name-invalid", f"OVS bridge name {bridge!r} {problem}")


def _check_bridge_bonds(
    out: Collector, doc: Document, path: str, bridge: dict[str, Any], interfaces: list[Any]
) -> None:
    """Bonds of the same NNCP that are ports of the Linux bridge *bridge*, in a mode OpenShift
    Virtualization does not support under a VM bridge (DESIGN: modes 0, 5 and 6)."""
    if bridge.get("type") != "linux-bridge":
        return
    _, ports = bridge_ports(mapping(bridge.get("bridge")))
    port_names = {mapping(p).get("name") for p in ports}
    for i, iface in enumerate(interfaces):
        iface = mapping(iface)
        if iface.get("type") != "bond" or iface.get("name") not in port_names:
            continue
        mode = mapping(iface.get("link-aggregation")).get("mode")
        if str(mode) in UNSUPPORTED_BOND_MODES:
            out.add(
                doc,
                f"spec.desiredState.interfaces[{i}].link-aggregation.mode",
                "bond-mode-unsupported",
                f"bond {iface['name']} (a port of VM bridge {bridge.get('name')}) uses mode {mode}; "
                "OpenShift Virtualization does not support balance-rr, balance-tlb or balance-alb (modes "
                "0, 5, 6) under a VM bridge: use 802.3ad, balance-xor or active-backup",
            )


_PLACEHOLDER_NIC = re.compile(r"^(vmnic\d+|uplink ?\d+)$", re.IGNORECASE)


def _check_placeholder_nics(out: Collector, doc: Document, interfaces: list[Any]) -> None:
    """vSphere uplink names (``vmnic1``, ``Uplink 1``) where a node NIC name belongs: ``trunkline plan``
    keeps them as placeholders for uplinks the NIC map does not cover."""
    for fld, name in nncp_physical_ports(interfaces):
        if _PLACEHOLDER_NIC.match(name):
            out.add(
                doc,
                fld,
                "nic-placeholder",
                f"{name!r} is a vSphere uplink name, not a node NIC; map it (`trunkline plan --nic-map "
                f"{name.replace(' ', '')}=ens34`, a NIC map file or --node-state) or write the node's NIC",
            )


def _checked_name(out: Collector, doc: Document, path: str, item: dict[str, Any], what: str) -> str | None:
    """The ``name`` of an NNCP interface or bridge port at *path*, after reporting a missing or invalid one
    (``None`` when missing)."""
    name = item.get("name")
    if not isinstance(name, str):
        out.add(doc, f"{path}.name", "interface-name-missing", f"{what} without a name")
        return None
    problem = ifname_problem(name)
    if problem:
        out.add(doc, f"{path}.name", "interface-name-invalid", f"{what} name {name!r} {problem}")
    return name


def _checkbridge_ports(
    out: Collector, doc: Document, path: str, iface: dict[str, Any], mtus: dict[str, int]
) -> None:
    key, ports = bridge_ports(mapping(iface.get("bridge")))
    bridge_mtu = iface.get("mtu") if is_int(iface.get("mtu")) else None
    for j, port in enumerate(ports):
        ppath = f"{path}.bridge.{key}[{j}]"
        port = mapping(port)
        name = _checked_name(out, doc, ppath, port, "bridge port")
        if name is None:
            continue
        if name == iface.get("name") and iface.get("type") == "linux-bridge":
            out.add(
                doc,
                f"{ppath}.name",
                "bridge-port-is-itself",
                f"bridge {name} lists itself as its port (or is named like its uplink NIC); a Linux bridge "
                "cannot enslave itself and the NIC cannot be both: name the bridge differently (vlan-trunk)",
            )
        port_mtu = mtus.get(name)
        if bridge_mtu is not None and port_mtu is not None and bridge_mtu > port_mtu:
            out.add(
                doc,
                f"{path}.mtu",
                "mtu-exceeds-port",
                f"bridge {iface['name']} has mtu {bridge_mtu} but its port {name} has {port_mtu}; frames "
                f"above {port_mtu} bytes cannot leave the node: raise the port's mtu or lower the bridge's",
            )


def check_bridge_conflicts(out: Collector, ctx: Context) -> None:
    """Two NNCPs creating the same bridge for the same nodes (equal node selectors) fight each other."""
    for name, defs in sorted(ctx.bridges.items()):
        seen: dict[str, BridgeDef] = {}
        for bridge in defs:
            nodes = json.dumps(mapping(bridge.doc.body.get("spec")).get("nodeSelector") or {}, sort_keys=True)
            first = seen.setdefault(nodes, bridge)
            if first is not bridge and first.doc is not bridge.doc:
                out.add(
                    bridge.doc,
                    f"{bridge.path}.name",
                    "bridge-defined-twice",
                    f"NNCP {first.doc.name} ({first.doc.file}) already creates bridge {name} on the same "
                    "nodes; the policies overwrite each other: merge them or give them disjoint "
                    "nodeSelectors",
                )


def _selectors_overlap(a: Document, b: Document) -> bool:
    """Whether two NNCPs certainly select common nodes: one's nodeSelector is part of the other's (every
    node the stricter one picks, the looser one picks too; an empty selector picks every node)."""
    sa, sb = selector(a).items(), selector(b).items()
    return sa <= sb or sb <= sa


def check_nic_in_two_bridges(out: Collector, ctx: Context) -> None:
    """One NIC as the port of two bridges on the same nodes: nmstate moves it to whichever policy is
    applied last, and the other bridge loses its uplink."""
    seen: dict[str, list[BridgeDef]] = defaultdict(list)
    bridges = sorted(
        (b for defs in ctx.bridges.values() for b in defs), key=lambda b: (b.doc.file, b.doc.line, b.path)
    )
    for bridge in bridges:
        for port in bridge.ports:
            if port.name == bridge.name:
                continue
            for first in seen[port.name]:
                if first.name != bridge.name and _selectors_overlap(first.doc, bridge.doc):
                    out.add(
                        bridge.doc,
                        f"{port.path}.name",
                        "nic-in-two-bridges",
                        f"{port.name} is already a port of bridge {first.name} (NNCP {first.doc.name}, "
                        f"{first.doc.file}) on the same nodes; a NIC can be the port of one bridge only: "
                        "use another NIC or one bridge",
                    )
                    break
            seen[port.name].append(bridge)
