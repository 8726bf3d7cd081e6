"""Checks against the nodes' reported network state (``--node-state``): the NICs an NNCP uses exist, are
up, belong to no other bridge (``br-ex`` above all) and carry no node traffic; bridges it replaces."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from trunkline.openshift.manifests import Document, Kind
from trunkline.openshift.nodestate import CLUSTER_BRIDGES, NodeState
from trunkline.openshift.objects import bridge_ports, nncp_interfaces
from trunkline.openshift.validate.context import Context, mapping, nncp_physical_ports, selected_nodes
from trunkline.openshift.validate.findings import Collector


def check_node_states(out: Collector, ctx: Context) -> None:
    """Every NNCP against the node states it selects."""
    states = ctx.node_states or []
    for doc in ctx.docs:
        if doc.kind is not Kind.NNCP:
            continue
        nodes = selected_nodes(doc, states)
        if not nodes:
            out.add(
                doc,
                "spec.nodeSelector",
                "nncp-selects-no-node",
                "the nodeSelector matches no node in the node-state export; fix the labels",
            )
            continue
        interfaces = nncp_interfaces(doc.body)
        virtual = {
            mapping(i).get("name")
            for i in interfaces
            if mapping(i).get("type") not in ("ethernet", None) and mapping(i).get("state") != "absent"
        }
        owners = {mapping(i).get("name") for i in interfaces}
        for path, nic in nncp_physical_ports(interfaces):
            if nic in virtual:
                continue
            problems: dict[tuple[str, str], list[str]] = defaultdict(list)
            for state in nodes:
                iface = state.interface(nic)
                if iface is None:
                    problems[("nic-missing", f"{nic} does not exist")].append(state.node)
                    continue
                if iface.state != "up":
                    problems[("nic-down", f"{nic} is {iface.state}")].append(state.node)
                chain = state.owner_chain(nic)
                if any(c in CLUSTER_BRIDGES for c in chain):
                    problems[
                        (
                            "nic-owned-by-br-ex",
                            f"{nic} is a port of {' -> '.join(chain)}, the cluster network's bridge; "
                            "taking it cuts the node off",
                        )
                    ].append(state.node)
                elif chain and chain[0] not in owners:
                    problems[("nic-owned", f"{nic} is already a port of {chain[0]}")].append(state.node)
                elif nic in state.default_route_interfaces or iface.addresses:
                    problems[
                        ("nic-carries-node-traffic", f"{nic} holds the node's addresses or default route")
                    ].append(state.node)
            for (key, text), node_names in sorted(problems.items()):
                out.add(
                    doc,
                    path,
                    key,
                    f"{text} on node {', '.join(sorted(node_names))}; choose another NIC "
                    "(see `trunkline plan --node-state`)",
                )
        _check_existing_bridges(out, doc, interfaces, nodes)


def _check_existing_bridges(
    out: Collector, doc: Document, interfaces: list[Any], nodes: list[NodeState]
) -> None:
    """An NNCP's bridge ``port`` list replaces the ports of a bridge that already exists on the node."""
    for i, iface in enumerate(interfaces):
        iface = mapping(iface)
        if iface.get("type") != "linux-bridge" or iface.get("state") == "absent":
            continue
        key, ports = bridge_ports(mapping(iface.get("bridge")))
        if "bridge" not in iface or key not in mapping(iface.get("bridge")):
            continue
        wanted = {mapping(p).get("name") for p in ports}
        dropped: dict[str, list[str]] = defaultdict(list)
        taken: dict[str, list[str]] = defaultdict(list)
        for state in nodes:
            current = state.interface(str(iface.get("name")))
            if current is not None and current.type != "linux-bridge":
                taken[current.type].append(state.node)
            if current is None or current.type != "linux-bridge":
                continue
            for port in current.ports:
                if port not in wanted:
                    dropped[port].append(state.node)
        for kind, node_names in sorted(taken.items()):
            out.add(
                doc,
                f"spec.desiredState.interfaces[{i}].name",
                "bridge-name-taken",
                f"node {', '.join(sorted(node_names))} already has a {kind} called {iface.get('name')}; the "
                "linux-bridge would replace it (OVN-Kubernetes' bridges among them): choose another name",
            )
        for port, node_names in sorted(dropped.items()):
            out.add(
                doc,
                f"spec.desiredState.interfaces[{i}].bridge.{key}",
                "bridge-ports-replaced",
                f"bridge {iface.get('name')} already has port {port} on node "
                f"{', '.join(sorted(node_names))}; the NNCP's port list replaces the existing ports, so it "
                "would be removed: list it too",
            )
