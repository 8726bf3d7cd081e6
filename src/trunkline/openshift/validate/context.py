"""What the checks share: the directory's objects read once (bridges per NNCP, NADs, localnets) and the
options (target namespace, node states, single file)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from trunkline.openshift import cudn_validate
from trunkline.openshift.manifests import Document, Kind
from trunkline.openshift.nodestate import NodeState
from trunkline.openshift.objects import (
    Bridge,
    BridgePort,
    Problem,
    bridge_ports,
    is_int,
    nncp_interfaces,
    read_bridges,
)


def mapping(value: Any) -> dict[str, Any]:
    """*value* when it is a mapping, else ``{}`` (malformed parts are reported where they are checked)."""
    return value if isinstance(value, dict) else {}


def listed(value: Any) -> list[Any]:
    """*value* when it is a list, else ``[]``."""
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class BridgeDef:
    """A Linux or OVS bridge one NNCP creates (:class:`~trunkline.openshift.objects.Bridge`) and its NNCP."""

    doc: Document
    bridge: Bridge

    @property
    def name(self) -> str:
        return self.bridge.name

    @property
    def path(self) -> str:
        return self.bridge.path

    @property
    def type(self) -> str:
        return self.bridge.type

    @property
    def mtu(self) -> int | None:
        return self.bridge.mtu

    @property
    def ports(self) -> tuple[BridgePort, ...]:
        return self.bridge.ports


def read_nncps(docs: Iterable[Document]) -> Iterator[tuple[Document, list[Bridge], list[Problem]]]:
    """``(NNCP, its bridges, the problems of their ports)`` for every NNCP of *docs*."""
    for doc in docs:
        if doc.kind is Kind.NNCP:
            bridges, problems = read_bridges(doc.body)
            yield doc, bridges, problems


def nncp_bridges(docs: Iterable[Document]) -> list[BridgeDef]:
    """Every ``linux-bridge`` / ``ovs-bridge`` the NNCPs in *docs* create (``state`` not absent)."""
    return [BridgeDef(doc, b) for doc, bridges, _ in read_nncps(docs) for b in bridges]


def nncp_interface_mtus(doc: Document) -> dict[str, int]:
    """Interface name -> ``mtu`` declared in the NNCP *doc*'s desiredState."""
    out = {}
    for iface in nncp_interfaces(doc.body):
        iface = mapping(iface)
        if isinstance(iface.get("name"), str) and is_int(iface.get("mtu")):
            out[iface["name"]] = iface["mtu"]
    return out


def nncp_localnets(docs: Iterable[Document]) -> dict[str, tuple[Document, str]]:
    """OVN localnet name -> (NNCP, OVS bridge) from ``spec.desiredState.ovn.bridge-mappings``."""
    out: dict[str, tuple[Document, str]] = {}
    for doc in docs:
        if doc.kind is not Kind.NNCP:
            continue
        ovn = mapping(mapping(mapping(doc.body.get("spec")).get("desiredState")).get("ovn"))
        for entry in listed(ovn.get("bridge-mappings")):
            entry = mapping(entry)
            if isinstance(entry.get("localnet"), str) and entry.get("state", "present") != "absent":
                out.setdefault(entry["localnet"], (doc, str(entry.get("bridge", ""))))
    return out


@dataclass
class Context:
    """The objects of one directory, read once, and the check options."""

    docs: list[Document]
    bridges: dict[str, list[BridgeDef]] = field(default_factory=dict)
    port_problems: dict[int, list[Problem]] = field(default_factory=dict)
    localnets: dict[str, tuple[Document, str]] = field(default_factory=dict)
    nads: dict[tuple[str, str], Document] = field(default_factory=dict)
    target_namespace: str | None = None
    node_states: list[NodeState] | None = None
    #: one file checked alone: references to kinds it does not hold (its NADs' bridges when it holds no
    #: NNCP, the NADs a NetworkMap names when it holds no NAD) cannot be checked
    single_file: bool = False

    kinds: frozenset[Kind] = frozenset()
    cudn_names: frozenset[str] = frozenset()

    def lacks(self, kind: Kind) -> bool:
        """Whether references to *kind* cannot be resolved: a single file holding no object of it."""
        return self.single_file and kind not in self.kinds

    @classmethod
    def build(
        cls, docs: list[Document], target_namespace: str | None, node_states: list[NodeState] | None
    ) -> Context:
        """Read the NNCPs' bridges, the localnets and the NADs of *docs*."""
        ctx = cls(docs=docs, target_namespace=target_namespace, node_states=node_states)
        ctx.kinds = frozenset(d.kind for d in docs)
        for doc, bridges, problems in read_nncps(docs):
            ctx.port_problems[id(doc)] = problems
            for bridge in bridges:
                ctx.bridges.setdefault(bridge.name, []).append(BridgeDef(doc, bridge))
        ctx.localnets = nncp_localnets(docs)
        for doc in docs:
            if doc.kind is Kind.NAD and doc.name:
                ctx.nads.setdefault((doc.namespace or "default", doc.name), doc)
        for key, cudn in cudn_validate.provided_nads(docs).items():  # a CUDN's NADs, one per namespace
            ctx.nads.setdefault(key, cudn)
        ctx.cudn_names = frozenset(cudn_validate.cudns(docs))
        return ctx

    def usable_namespaces(self) -> tuple[str, ...] | None:
        """The namespaces a VM's NADs may live in (its own and ``default``), ``None`` when unknown."""
        if self.target_namespace is None:
            return None
        return tuple(sorted({self.target_namespace, "default"}))


def selector(doc: Document) -> dict[str, Any]:
    """``spec.nodeSelector`` of an NNCP, or ``{}``."""
    return mapping(mapping(doc.body.get("spec")).get("nodeSelector"))


def selected_nodes(doc: Document, states: list[NodeState]) -> list[NodeState]:
    """The nodes of *states* the NNCP *doc* selects (every node when a state has no labels)."""
    wanted = selector(doc)
    return [s for s in states if s.labels is None or all(s.labels.get(k) == v for k, v in wanted.items())]


def nncp_physical_ports(interfaces: list[Any]) -> Iterator[tuple[str, str]]:
    """``(field, name)`` of every NIC an NNCP's *interfaces* use: bridge ports, bond ports, ethernets."""
    for i, iface in enumerate(interfaces):
        iface = mapping(iface)
        path = f"spec.desiredState.interfaces[{i}]"
        if iface.get("state") == "absent":
            continue
        if iface.get("type") in ("linux-bridge", "ovs-bridge"):
            key, ports = bridge_ports(mapping(iface.get("bridge")))
            for j, port in enumerate(ports):
                name = mapping(port).get("name")
                if isinstance(name, str) and name != iface.get("name"):
                    yield f"{path}.bridge.{key}[{j}].name", name
        bond = mapping(iface.get("link-aggregation"))
        for key in ("port", "ports", "slaves"):
            for j, port in enumerate(listed(bond.get(key))):
                if isinstance(port, str):
                    yield f"{path}.link-aggregation.{key}[{j}]", port
        if iface.get("type") == "ethernet" and isinstance(iface.get("name"), str):
            yield f"{path}.name", iface["name"]
