"""Read NodeNetworkState objects (``oc get nns -o yaml``) and propose which NICs can carry the trunk.

kubernetes-nmstate reports every node's network as a cluster-scoped ``NodeNetworkState``
(``nmstate.io/v1beta1`` / ``v1``) named after the node, whose ``status.currentState`` is nmstate's
state: ``interfaces`` (``name``, ``type``, ``state``, ``mac-address``, ``mtu``, ``ipv4``/``ipv6``,
``controller`` on ports in nmstate 2.x, ``bridge.port`` on Linux and OVS bridges,
``link-aggregation.port``/``slaves`` on bonds, ``vlan.base-iface`` on VLAN interfaces) and
``routes.running`` (kubernetes-nmstate "User Guide: reporting"; nmstate API reference).

The export may be one object, a ``kind: List`` with ``items`` (``oc get nns -o yaml``), or several
YAML documents. ``Node`` objects in the same export (``oc get nodes,nns -o yaml``) give the node labels
that NNCP node selectors are matched against; without them the labels are unknown.

On OpenShift with OVN-Kubernetes the machine-network NIC is a port of the OVS bridge ``br-ex``
(the kernel shows it with ``master ovs-system``) and the default route leaves through ``br-ex``: such
a NIC cannot also be a port of a VM bridge.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trunkline.errors import BadInputError
from trunkline.facts import RESERVED_BRIDGES
from trunkline.openshift.manifests import describe_value, expand_lists, read_yaml_file

#: Bridges OpenShift's cluster network owns (trunkline.facts): a NIC under one of them is taken.
CLUSTER_BRIDGES = RESERVED_BRIDGES

_DEFAULT_DESTINATIONS = ("0.0.0.0/0", "::/0")


@dataclass(frozen=True)
class NodeInterface:
    """One interface of a node as nmstate reports it.

    Attributes:
        name: kernel interface name (``ens34``).
        type: nmstate type (``ethernet``, ``linux-bridge``, ``ovs-bridge``, ``ovs-interface``, ``bond``,
            ``vlan``, ``unknown``, ...).
        state: nmstate state (``up``, ``down``, ``ignore``, ...).
        mac: MAC address as reported (upper case in nmstate), or ``None``.
        mtu: MTU in bytes, or ``None`` when not reported.
        controller: the bridge or bond this interface is a port of, or ``None``. Taken from the
            interface's ``controller`` (nmstate 2.x) or ``master`` key, else from the port lists of the
            other interfaces.
        addresses: IP addresses (without prefix length) other than IPv6 link-local ones.
        ports: ports of a bridge or bond (empty for other types).
        base_iface: for a VLAN interface, its parent; else ``None``.
    """

    name: str
    type: str
    state: str
    mac: str | None = None
    mtu: int | None = None
    controller: str | None = None
    addresses: tuple[str, ...] = ()
    ports: tuple[str, ...] = ()
    base_iface: str | None = None


@dataclass(frozen=True)
class NodeState:
    """The reported network state of one node.

    Attributes:
        node: node name (the NodeNetworkState's ``metadata.name``).
        interfaces: interfaces in the order reported.
        default_route_interfaces: interfaces a default route (``0.0.0.0/0``, ``::/0``) leaves through.
        labels: the node's labels when the export holds its ``Node`` object (or labels on the
            NodeNetworkState itself), else ``None`` (unknown).
    """

    node: str
    interfaces: tuple[NodeInterface, ...]
    default_route_interfaces: frozenset[str] = frozenset()
    labels: dict[str, str] | None = field(default=None, compare=False)

    def interface(self, name: str) -> NodeInterface | None:
        """The interface called *name*, or ``None``."""
        for iface in self.interfaces:
            if iface.name == name:
                return iface
        return None

    def owner_chain(self, name: str) -> tuple[str, ...]:
        """Controllers above *name*, nearest first (``ens33`` -> ``("br-ex",)``; a bond port ->
        ``("bond0", "br-ex")`` when the bond is a port of ``br-ex``)."""
        chain: list[str] = []
        iface = self.interface(name)
        while iface is not None and iface.controller and iface.controller not in chain:
            chain.append(iface.controller)
            iface = self.interface(iface.controller)
        return tuple(chain)


@dataclass(frozen=True)
class NicProposal:
    """trunkline's verdict on one ethernet NIC of one node as the VM bridge's uplink.

    Attributes:
        node: node name.
        interface: NIC name.
        chosen: ``True`` when the NIC is up, owned by no bridge or bond and carries no IP address and
            no default route.
        reason: why it was chosen or rejected, one sentence for the report.
        mac, mtu: as reported (``None`` when not reported).
        labels: the node's labels when known (see :class:`NodeState`).
    """

    node: str
    interface: str
    chosen: bool
    reason: str
    mac: str | None = None
    mtu: int | None = None
    labels: dict[str, str] | None = field(default=None, compare=False)


# --------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _addresses(iface: dict[str, Any]) -> tuple[str, ...]:
    out: list[str] = []
    for family in ("ipv4", "ipv6"):
        conf = iface.get(family)
        if not isinstance(conf, dict) or conf.get("enabled") is False:
            continue
        for entry in conf.get("address") or []:
            ip = entry.get("ip") if isinstance(entry, dict) else None
            if not isinstance(ip, str):
                continue
            try:
                if ipaddress.ip_address(ip).is_link_local:
                    continue
            except ValueError:
                pass
            out.append(ip)
    return tuple(out)


def _port_names(ports: Any) -> tuple[str, ...]:
    names: list[str] = []
    for port in ports or []:
        if isinstance(port, dict) and isinstance(port.get("name"), str):
            names.append(port["name"])
        elif isinstance(port, str):
            names.append(port)
    return tuple(names)


def _ports(iface: dict[str, Any]) -> tuple[str, ...]:
    bridge = iface.get("bridge")
    if isinstance(bridge, dict) and isinstance(bridge.get("port"), list):
        return _port_names(bridge["port"])
    bond = iface.get("link-aggregation")
    if isinstance(bond, dict):
        for key in ("port", "ports", "slaves"):
            if isinstance(bond.get(key), list):
                return _port_names(bond[key])
    return ()


def _interfaces(raw: list[Any], where: str) -> tuple[NodeInterface, ...]:
    parsed: list[dict[str, Any]] = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or not _str(entry.get("name")):
            raise BadInputError(
                f"{where}: status.currentState.interfaces[{i}] has no name; give an unedited "
                "`oc get nns -o yaml` export"
            )
        parsed.append(entry)
    owner_of: dict[str, str] = {}
    for entry in parsed:
        for port in _ports(entry):
            if port != entry["name"]:  # an OVS bridge lists its own internal port
                owner_of.setdefault(port, entry["name"])
    out = []
    for entry in parsed:
        name = entry["name"]
        mtu = entry.get("mtu")
        vlan = entry.get("vlan")
        controller = _str(entry.get("controller")) or _str(entry.get("master")) or owner_of.get(name)
        out.append(
            NodeInterface(
                name=name,
                type=_str(entry.get("type")) or "unknown",
                state=_str(entry.get("state")) or "unknown",
                mac=_str(entry.get("mac-address")),
                mtu=mtu if isinstance(mtu, int) and not isinstance(mtu, bool) else None,
                controller=controller if controller != name else None,
                addresses=_addresses(entry),
                ports=_ports(entry),
                base_iface=_str(vlan.get("base-iface")) if isinstance(vlan, dict) else None,
            )
        )
    return tuple(out)


def _default_routes(current: dict[str, Any]) -> frozenset[str]:
    routes = current.get("routes")
    running = routes.get("running") if isinstance(routes, dict) else None
    out = set()
    for route in running or []:
        if not isinstance(route, dict):
            continue
        if route.get("destination") in _DEFAULT_DESTINATIONS and _str(route.get("next-hop-interface")):
            out.add(route["next-hop-interface"])
    return frozenset(out)


def _labels(meta: dict[str, Any]) -> dict[str, str] | None:
    labels = meta.get("labels")
    if not isinstance(labels, dict):
        return None
    return {str(k): "" if v is None else str(v) for k, v in labels.items()}


def parse_node_states(objects: Iterable[tuple[dict[str, Any], int]], source: str) -> list[NodeState]:
    """NodeStates from parsed Kubernetes objects ``(object, line)`` of the export *source*.

    ``NodeNetworkState`` objects give the states; ``Node`` objects give labels; others are ignored.

    Raises:
        BadInputError: no NodeNetworkState at all, or one without ``metadata.name`` or
            ``status.currentState.interfaces``.
    """
    node_labels: dict[str, dict[str, str]] = {}
    nns: list[tuple[dict[str, Any], int]] = []
    for obj, line in objects:
        kind = obj.get("kind")
        meta = _mapping(obj.get("metadata"))
        if kind == "Node" and _str(meta.get("name")):
            node_labels[meta["name"]] = _labels(meta) or {}
        elif kind == "NodeNetworkState":
            nns.append((obj, line))
    if not nns:
        raise BadInputError(
            f"{source}: holds no NodeNetworkState object; export them with `oc get nns -o yaml > FILE`"
        )
    states = []
    for obj, line in nns:
        where = f"{source}:{line}"
        meta = _mapping(obj.get("metadata"))
        name = _str(meta.get("name"))
        current = _mapping(obj.get("status")).get("currentState")
        if name is None:
            raise BadInputError(f"{where}: NodeNetworkState without metadata.name; give an unedited export")
        if not isinstance(current, dict) or not isinstance(current.get("interfaces"), list):
            raise BadInputError(
                f"{where}: NodeNetworkState {name} has no status.currentState.interfaces; is "
                "kubernetes-nmstate running on that node? Export again with `oc get nns -o yaml`"
            )
        labels = node_labels.get(name, _labels(meta))
        states.append(
            NodeState(
                node=name,
                interfaces=_interfaces(current["interfaces"], where),
                default_route_interfaces=_default_routes(current),
                labels=labels,
            )
        )
    return sorted(states, key=lambda s: s.node)


def load_node_states(path: Path) -> list[NodeState]:
    """Read an export of NodeNetworkState objects (``oc get nns -o yaml``) from *path*.

    Returns one :class:`NodeState` per node, sorted by node name.

    Raises:
        BadInputError: unreadable file, not YAML/JSON (naming the line), a document that is not an
            object, or no usable NodeNetworkState (see :func:`parse_node_states`).
    """
    objects: list[tuple[dict[str, Any], int]] = []
    for _raw, item, line in expand_lists(read_yaml_file(path)):
        if not isinstance(item, dict):
            raise BadInputError(
                f"{path}:{line}: expected a Kubernetes object, found {describe_value(item)}; "
                "export with `oc get nns -o yaml`"
            )
        objects.append((item, line))
    return parse_node_states(objects, str(path))


# --------------------------------------------------------------------------------------------------
# Proposal
# --------------------------------------------------------------------------------------------------


def judge_nic(state: NodeState, iface: NodeInterface) -> tuple[bool, str]:
    """Whether ethernet NIC *iface* of *state* can be the VM bridge's uplink, and why (one sentence)."""
    if iface.state != "up":
        return False, f"rejected: state is {iface.state}, not up"
    chain = state.owner_chain(iface.name)
    if chain:
        cluster = [c for c in chain if c in CLUSTER_BRIDGES]
        owner = state.interface(chain[0])
        kind = owner.type if owner is not None else "controller"
        path = " -> ".join(chain)
        if cluster:
            return False, f"rejected: port of {path}, the cluster network's bridge (OVN-Kubernetes)"
        return False, f"rejected: already a port of {kind} {path}"
    if iface.name in state.default_route_interfaces:
        return False, "rejected: carries the node's default route"
    if iface.addresses:
        return False, f"rejected: holds IP address {', '.join(iface.addresses)} (node traffic)"
    vlans_on_top = sorted(
        other.name for other in state.interfaces if other.base_iface == iface.name and other.state == "up"
    )
    if vlans_on_top:
        return False, f"rejected: base of VLAN interface {', '.join(vlans_on_top)}"
    return True, "chosen: ethernet, up, port of no bridge or bond, no IP address, no default route"


def propose_trunk_nics(states: Iterable[NodeState]) -> list[NicProposal]:
    """Judge every ethernet NIC of every node as a trunk uplink (see :func:`judge_nic`).

    Returns one :class:`NicProposal` per ethernet interface (chosen or rejected, with the reason),
    sorted by node then interface name. Non-ethernet interfaces (bridges, bonds, VLANs, veths, OVS
    internals) are not candidates and are not listed.
    """
    out = []
    for state in states:
        for iface in state.interfaces:
            if iface.type != "ethernet":
                continue
            chosen, reason = judge_nic(state, iface)
            out.append(
                NicProposal(
                    node=state.node,
                    interface=iface.name,
                    chosen=chosen,
                    reason=reason,
                    mac=iface.mac,
                    mtu=iface.mtu,
                    labels=state.labels,
                )
            )
    return sorted(out, key=lambda p: (p.node, p.interface))
