"""Check a manifests directory (``trunkline plan`` output or hand-written) for the mistakes engineers
make when they rebuild vSphere networks on OpenShift Virtualization.

Pure checks over :class:`~trunkline.openshift.manifests.Document` objects (plus, optionally, the nodes'
reported network state); :func:`validate_directory` is the I/O edge. Each :class:`Finding` names the
file, the line the object starts on, the field, a stable message key (for scripts and tests) and a
sentence saying what is wrong and how to fix it.

Facts checked, and where they come from:

* Object names: NAD names and namespaces are DNS-1123 labels of at most 63 characters; other names
  DNS-1123 subdomains (Kubernetes "Object Names and IDs").
* Bridge CNI config keys and types: containernetworking/plugins ``plugins/main/bridge`` (``NetConf``:
  ``bridge``, ``isGateway``, ``isDefaultGateway``, ``forceAddress``, ``ipMasq``, ``ipMasqBackend``,
  ``mtu``, ``hairpinMode``, ``promiscMode``, ``vlan`` 0-4094, ``vlanTrunk`` entries ``id`` or
  ``minID``+``maxID`` each 1-4094, ``preserveDefaultVlan`` (default true), ``macspoofchk``,
  ``enabledad``, ``disableContainerInterface``, ``portIsolation``; ``vlan`` and ``vlanTrunk`` are
  mutually exclusive; ``hairpinMode`` and ``promiscMode`` too; ``ipam`` required, ``{}`` for L2 only).
  The plugin ignores keys it does not know, so a misspelt key silently does nothing.
* OVN-Kubernetes secondary network config: ovn-kubernetes ``NetConf`` (``topology`` layer2 / layer3 /
  localnet, ``netAttachDefName`` = ``<namespace>/<name>``, ``mtu``, ``subnets``, ``excludeSubnets``,
  ``vlanID`` (localnet only), ``allowPersistentIPs``, ``physicalNetworkName`` (defaults to ``name``),
  ``role``, ``joinSubnet``); the localnet must match an NNCP ``ovn.bridge-mappings[].localnet``.
* Uplink VLANs: kubernetes-nmstate gives a ``linux-bridge`` port without a ``vlan`` key the trunk
  2-4094 (VLAN 1 stays the untagged port VLAN); ``vlan: {}`` gives it no trunk. The bridge CNI never
  configures the uplink, so a NAD's VLAN must be in its uplink port's ``trunk-tags``; an untagged NAD
  needs untagged frames to pass the uplink (nmstate ``BridgePortVlanConfig``: ``mode``, ``trunk-tags``
  ``[{id}|{id-range: {min, max}}]``, ``tag``, ``enable-native``).
* Interface names are at most 15 bytes (``IFNAMSIZ`` - 1, ``include/uapi/linux/if.h``).
* KubeVirt interface models: ``e1000``, ``e1000e``, ``igb``, ``ne2k_pci``, ``pcnet``, ``rtl8139``,
  ``virtio`` (KubeVirt API ``Interface.model``); Multus networks are ``<namespace>/<name>``.
* MTV ``NetworkMap`` (``forklift.konveyor.io/v1beta1``): destinations ``multus`` (a NAD in the VMs'
  target namespace or ``default``), ``pod`` or ``ignored``.
* The NNCP kind exists only after kubernetes-nmstate processed the ``NMState`` instance, so both cannot
  be applied by one kustomization.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeGuard

from trunkline.openshift import cudn_validate
from trunkline.openshift.manifests import (
    BRIDGE_CNI_TYPES,
    BRIDGE_RESOURCE_PREFIX,
    OVN_CNI_TYPE,
    RESOURCE_NAME_ANNOTATION,
    Document,
    Kind,
    load_manifests,
    merge_ranges,
)
from trunkline.openshift.nodestate import CLUSTER_BRIDGES, NodeState

# --------------------------------------------------------------------------------------------------
# Reference facts (sources in the module docstring)
# --------------------------------------------------------------------------------------------------

#: CNI keys every plugin config may hold (CNI spec ``types.NetConf`` and runtime-injected keys).
CNI_COMMON_KEYS = frozenset(
    {"cniVersion", "name", "type", "capabilities", "ipam", "dns", "args", "runtimeConfig", "prevResult"}
)
#: Keys of a CNI network configuration list (``plugins`` holds the plugin configs).
CNI_LIST_KEYS = frozenset({"cniVersion", "cniVersions", "name", "plugins", "disableCheck", "disableGC"})
#: CNI spec versions a runtime accepts.
CNI_VERSIONS = frozenset({"0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"})

#: Bridge CNI options and their JSON types (containernetworking/plugins ``bridge.go`` ``NetConf``).
BRIDGE_OPTION_TYPES: dict[str, type | tuple[type, ...]] = {
    "bridge": str,
    "isGateway": bool,
    "isDefaultGateway": bool,
    "forceAddress": bool,
    "ipMasq": bool,
    "ipMasqBackend": str,
    "mtu": int,
    "hairpinMode": bool,
    "promiscMode": bool,
    "vlan": int,
    "vlanTrunk": list,
    "preserveDefaultVlan": bool,
    "macspoofchk": bool,
    "enabledad": bool,
    "disableContainerInterface": bool,
    "portIsolation": bool,
}
#: Other CNI ``type`` values a NAD may name: the containernetworking/plugins reference plugins
#: (``plugins/main``, ``plugins/meta``) and the ones OpenShift ships (``cnv-tuning``, SR-IOV,
#: ``route-override``). trunkline checks their common keys only.
OTHER_CNI_TYPES = frozenset(
    {
        "bandwidth", "cnv-tuning", "dummy", "firewall", "host-device", "ib-sriov", "ipvlan", "loopback",
        "macvlan", "portmap", "ptp", "route-override", "sbr", "sriov", "tap", "tuning", "vlan", "vrf",
    }
)  # fmt: skip

#: OVN-Kubernetes secondary network options (ovn-kubernetes ``pkg/cni/types`` ``NetConf``).
OVN_OPTION_TYPES: dict[str, type | tuple[type, ...]] = {
    "topology": str,
    "netAttachDefName": str,
    "mtu": int,
    "subnets": str,
    "excludeSubnets": str,
    "joinSubnet": str,
    "vlanID": int,
    "allowPersistentIPs": bool,
    "physicalNetworkName": str,
    "role": str,
    "deviceID": str,
    "logFile": str,
    "logLevel": str,
    "logfile-maxsize": int,
    "logfile-maxbackups": int,
    "logfile-maxage": int,
}
OVN_TOPOLOGIES = frozenset({"layer2", "layer3", "localnet"})

#: KubeVirt ``Interface.model`` values.
KUBEVIRT_MODELS = frozenset({"e1000", "e1000e", "igb", "ne2k_pci", "pcnet", "rtl8139", "virtio"})
#: MTV NetworkMap destination types.
NETWORK_MAP_TYPES = frozenset({"multus", "pod", "ignored"})

#: Bridges OVN-Kubernetes owns on every node (the external bridge, the integration bridge, the OVS
#: datapath): an NNCP must not create or take over a bridge of that name.
RESERVED_BRIDGES = frozenset({"br-ex", "br-int", "ovs-system"})
#: Bond modes OpenShift Virtualization does not support under a VM bridge (DESIGN; nmstate accepts the
#: names and the kernel's numbers).
UNSUPPORTED_BOND_MODES = frozenset({"balance-rr", "balance-tlb", "balance-alb", "0", "5", "6"})

#: kubernetes-nmstate's trunk on a linux-bridge port that has no ``vlan`` key.
NMSTATE_DEFAULT_TRUNK = ((2, 4094),)
#: The bridge's default port VLAN (Linux ``default_pvid``): an untagged NAD's VM port is in it.
DEFAULT_PVID = 1

IFNAMSIZ_MAX = 15
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$")


def is_dns1123_label(value: str) -> bool:
    """Whether *value* is a DNS-1123 label: ``[a-z0-9]([-a-z0-9]*[a-z0-9])?``, at most 63 characters."""
    return len(value) <= 63 and bool(_DNS1123_LABEL.match(value))


def is_dns1123_subdomain(value: str) -> bool:
    """Whether *value* is a DNS-1123 subdomain: dot-separated labels, at most 253 characters."""
    return 0 < len(value) <= 253 and all(_DNS1123_LABEL.match(part) for part in value.split("."))


def interface_name_problem(name: str) -> str | None:
    """Why *name* cannot be a Linux interface name, or ``None`` (kernel ``dev_valid_name``)."""
    if not name:
        return "is empty"
    if len(name.encode()) > IFNAMSIZ_MAX:
        return f"is {len(name.encode())} characters; Linux allows at most {IFNAMSIZ_MAX}"
    if name in (".", "..") or "/" in name or any(c.isspace() for c in name) or ":" in name:
        return "holds '/', ':' or white space, or is '.' or '..'"
    return None


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _type_ok(value: Any, expected: type | tuple[type, ...]) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    if int in types and _is_int(value):
        return True
    return any(isinstance(value, t) and not (t is not bool and isinstance(value, bool)) for t in types)


def _json_type(expected: type | tuple[type, ...]) -> str:
    names = {bool: "boolean", int: "integer", str: "string", list: "list", dict: "object"}
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(names.get(t, t.__name__) for t in types)


def format_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    """``((2, 4094),)`` -> ``"2-4094"``; ``((40, 40), (50, 52))`` -> ``"40, 50-52"``; empty -> ``"none"``."""
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in ranges]
    return ", ".join(parts) if parts else "none"


def subtract_ranges(
    wanted: Iterable[tuple[int, int]], allowed: Iterable[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    """The parts of the inclusive ranges *wanted* that are not in *allowed*, merged."""
    missing: list[tuple[int, int]] = []
    allowed_m = merge_ranges(allowed)
    for first, last in merge_ranges(wanted):
        start = first
        for a, b in allowed_m:
            if b < start or a > last:
                continue
            if a > start:
                missing.append((start, a - 1))
            start = max(start, b + 1)
            if start > last:
                break
        if start <= last:
            missing.append((start, last))
    return merge_ranges(missing)


# --------------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in a manifests directory.

    Attributes:
        file: the file, relative to the directory (POSIX form).
        line: 1-based line of the field in *file* (of its deepest part present there: a key inside the
            ``spec.config`` JSON string points at ``config:``), else of the object.
        object: ``Kind namespace/name`` of the object (or ``Kind name`` when cluster-scoped).
        field: dotted path of the field at fault (``spec.config.vlan``,
            ``spec.desiredState.interfaces[0].bridge.port[0].vlan``).
        key: stable message key (``nad-name-invalid``, ``vlan-not-on-uplink``, ...).
        message: what is wrong and how to fix it, one sentence.
    """

    file: str
    line: int
    object: str
    field: str
    key: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready mapping."""
        return asdict(self)


@dataclass(frozen=True)
class ValidationResult:
    """What :func:`validate_directory` found.

    Attributes:
        directory: the directory checked, as given.
        documents: number of objects read.
        kinds: number of objects per kind (``Kind`` value -> count).
        findings: the findings, sorted by file, line, field.
        single_file: a single file was checked alone (references to objects in other files unchecked).
        notes: facts that are not findings (CUDN selectors that depend on labels, not checkable offline).
    """

    directory: str
    documents: int
    kinds: dict[str, int]
    findings: tuple[Finding, ...]
    single_file: bool = False
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """``True`` when there is no finding."""
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready mapping (``--json``)."""
        return {
            "directory": self.directory,
            "documents": self.documents,
            "kinds": self.kinds,
            "findings": [f.as_dict() for f in self.findings],
            "notes": list(self.notes),
        }


def _kind_name(doc: Document) -> str:
    """The kind the document names itself (``DaemonSet``, ``ServiceAccount``, ... for the kinds
    :class:`~trunkline.openshift.manifests.Kind` calls other), else the Kind's value."""
    kind = doc.body.get("kind")
    return kind if doc.kind is Kind.OTHER and isinstance(kind, str) and kind else doc.kind.value


def _object_label(doc: Document) -> str:
    kind = doc.body.get("kind") if isinstance(doc.body.get("kind"), str) else doc.kind.value
    # a merge patch carries no name: `trunkline plan` names its file after the VM
    name = doc.name or (PurePosixPath(doc.file).stem if doc.kind is Kind.VM_PATCH else "(no name)")
    return f"{kind} {doc.namespace}/{name}" if doc.namespace else f"{kind} {name}"


class _Collector:
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, doc: Document, fld: str, key: str, message: str) -> None:
        self.findings.append(Finding(doc.file, doc.line_of(fld), _object_label(doc), fld, key, message))


# --------------------------------------------------------------------------------------------------
# What the NNCPs build
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UplinkPort:
    """A port of a bridge an NNCP creates, and the VLANs it lets through.

    ``tagged``: VLAN IDs allowed tagged on the wire; ``untagged_vlan``: the bridge VLAN that untagged
    wire frames belong to (``None``: untagged frames are dropped); ``source``: how that was decided.
    """

    name: str
    path: str
    tagged: tuple[tuple[int, int], ...]
    untagged_vlan: int | None
    source: str


@dataclass(frozen=True)
class BridgeDef:
    """A Linux or OVS bridge one NNCP creates."""

    doc: Document
    path: str
    name: str
    type: str
    mtu: int | None
    ports: tuple[UplinkPort, ...]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _bridge_ports(bridge: dict[str, Any]) -> tuple[str, list[Any]]:
    for key in ("port", "ports"):
        if isinstance(bridge.get(key), list):
            return key, bridge[key]
    return "port", []


def _port_vlans(vlan: Any, has_key: bool) -> tuple[tuple[tuple[int, int], ...], int | None, str]:
    """(tagged ranges, untagged VLAN, source) of an nmstate linux-bridge port ``vlan`` value."""
    if not has_key:
        return NMSTATE_DEFAULT_TRUNK, DEFAULT_PVID, "no `vlan` key: kubernetes-nmstate's default trunk 2-4094"
    conf = _mapping(vlan)
    if not conf:
        return (), DEFAULT_PVID, "`vlan: {}`: no trunk"
    mode = conf.get("mode", "trunk")
    tag = conf.get("tag") if _is_int(conf.get("tag")) else None
    if mode == "access":
        return (), tag, f"access port (tag {tag})"
    tagged: list[tuple[int, int]] = []
    for entry in _list(conf.get("trunk-tags")):
        entry = _mapping(entry)
        if _is_int(entry.get("id")):
            tagged.append((entry["id"], entry["id"]))
        rng = _mapping(entry.get("id-range"))
        if _is_int(rng.get("min")) and _is_int(rng.get("max")) and rng["min"] <= rng["max"]:
            tagged.append((rng["min"], rng["max"]))
    native = tag if conf.get("enable-native") is True and tag is not None else None
    merged = merge_ranges(tagged)
    source = f"trunk-tags {format_ranges(merged)}" + (
        f", native VLAN {native}" if native else ", no native VLAN"
    )
    return merged, native, source


def nncp_bridges(docs: Iterable[Document]) -> list[BridgeDef]:
    """Every ``linux-bridge`` / ``ovs-bridge`` the NNCPs in *docs* create (``state`` not absent)."""
    out = []
    for doc in docs:
        if doc.kind is not Kind.NNCP:
            continue
        for i, iface in enumerate(
            _list(_mapping(_mapping(doc.body.get("spec")).get("desiredState")).get("interfaces"))
        ):
            iface = _mapping(iface)
            if iface.get("type") not in ("linux-bridge", "ovs-bridge") or iface.get("state") == "absent":
                continue
            if not isinstance(iface.get("name"), str):
                continue
            path = f"spec.desiredState.interfaces[{i}]"
            key, ports_raw = _bridge_ports(_mapping(iface.get("bridge")))
            ports = []
            for j, port in enumerate(ports_raw):
                port = _mapping(port)
                if not isinstance(port.get("name"), str):
                    continue
                tagged, untagged, source = _port_vlans(port.get("vlan"), "vlan" in port)
                if iface["type"] == "ovs-bridge":
                    tagged, untagged, source = ((1, 4094),), DEFAULT_PVID, "OVS bridge port (all VLANs)"
                ports.append(UplinkPort(port["name"], f"{path}.bridge.{key}[{j}]", tagged, untagged, source))
            mtu = iface.get("mtu") if _is_int(iface.get("mtu")) else None
            out.append(BridgeDef(doc, path, iface["name"], iface["type"], mtu, tuple(ports)))
    return out


def nncp_interface_mtus(doc: Document) -> dict[str, int]:
    """Interface name -> ``mtu`` declared in the NNCP *doc*'s desiredState."""
    out = {}
    for iface in _list(_mapping(_mapping(doc.body.get("spec")).get("desiredState")).get("interfaces")):
        iface = _mapping(iface)
        if isinstance(iface.get("name"), str) and _is_int(iface.get("mtu")):
            out[iface["name"]] = iface["mtu"]
    return out


def nncp_localnets(docs: Iterable[Document]) -> dict[str, tuple[Document, str]]:
    """OVN localnet name -> (NNCP, OVS bridge) from ``spec.desiredState.ovn.bridge-mappings``."""
    out: dict[str, tuple[Document, str]] = {}
    for doc in docs:
        if doc.kind is not Kind.NNCP:
            continue
        ovn = _mapping(_mapping(_mapping(doc.body.get("spec")).get("desiredState")).get("ovn"))
        for mapping in _list(ovn.get("bridge-mappings")):
            mapping = _mapping(mapping)
            if isinstance(mapping.get("localnet"), str) and mapping.get("state", "present") != "absent":
                out.setdefault(mapping["localnet"], (doc, str(mapping.get("bridge", ""))))
    return out


# --------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------


@dataclass
class _Context:
    docs: list[Document]
    bridges: dict[str, list[BridgeDef]] = field(default_factory=dict)
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
    ) -> _Context:
        ctx = cls(docs=docs, target_namespace=target_namespace, node_states=node_states)
        ctx.kinds = frozenset(d.kind for d in docs)
        for bridge in nncp_bridges(docs):
            ctx.bridges.setdefault(bridge.name, []).append(bridge)
        ctx.localnets = nncp_localnets(docs)
        for doc in docs:
            if doc.kind is Kind.NAD and doc.name:
                ctx.nads.setdefault((doc.namespace or "default", doc.name), doc)
        for key, cudn in cudn_validate.provided_nads(docs).items():  # a CUDN's NADs, one per namespace
            ctx.nads.setdefault(key, cudn)
        ctx.cudn_names = frozenset(cudn_validate.cudns(docs))
        return ctx

    def usable_namespaces(self) -> tuple[str, ...] | None:
        if self.target_namespace is None:
            return None
        return tuple(sorted({self.target_namespace, "default"}))


#: apiVersions the API server serves per kind (kubernetes-nmstate CRDs: NNCP and NMState ``v1`` and
#: ``v1beta1``, ``v1alpha1`` removed; Multus NetworkAttachmentDefinition CRD ``v1``; Forklift
#: ``NetworkMap`` ``v1beta1``; core ``Namespace`` ``v1``).
API_VERSIONS: dict[Kind, tuple[str, ...]] = {
    Kind.NNCP: ("nmstate.io/v1", "nmstate.io/v1beta1"),
    Kind.NMSTATE: ("nmstate.io/v1", "nmstate.io/v1beta1"),
    Kind.NAD: ("k8s.cni.cncf.io/v1",),
    Kind.CUDN: ("k8s.ovn.org/v1",),
    Kind.NETWORK_MAP: ("forklift.konveyor.io/v1beta1",),
    Kind.NAMESPACE: ("v1",),
}
#: Kinds whose objects must name their namespace (NADs have their own finding; a hand-written
#: VirtualMachine is usually applied with ``-n``), and cluster-scoped ones (their CRDs' ``scope``).
NAMESPACED_KINDS = frozenset({Kind.NETWORK_MAP})
CLUSTER_SCOPED_KINDS = frozenset({Kind.NNCP, Kind.NMSTATE, Kind.NAMESPACE, Kind.CUDN})


def _check_api_version(out: _Collector, doc: Document) -> None:
    versions = API_VERSIONS.get(doc.kind)
    api = doc.body.get("apiVersion")
    if versions is None or api in versions:
        return
    out.add(
        doc,
        "apiVersion",
        "api-version",
        f"apiVersion is {api!r}; the API server serves {doc.kind.value} as {' or '.join(versions)} only "
        "and `oc apply` fails with 'no matches for kind': write "
        f"{versions[0]}",
    )


def _check_kind_and_scope(out: _Collector, doc: Document) -> None:
    """Typo'd kinds of the objects trunkline knows, and namespaces on the wrong scope."""
    kind = doc.body.get("kind")
    if doc.kind is Kind.OTHER and isinstance(kind, str):
        known = [k.value for k in Kind if k not in (Kind.VM_PATCH, Kind.OTHER)]
        close = difflib.get_close_matches(kind, known, n=1, cutoff=0.8)
        if close and kind != "List":
            out.add(
                doc,
                "kind",
                "kind-unknown",
                f"unknown kind {kind!r}; did you mean {close[0]!r}? As written the API server rejects it "
                "and nothing here checks it",
            )
        return
    if doc.kind in CLUSTER_SCOPED_KINDS and "namespace" in _mapping(doc.body.get("metadata")):
        out.add(
            doc,
            "metadata.namespace",
            "namespace-on-cluster-scoped",
            f"{doc.kind.value} is cluster-scoped: it has no namespace; remove metadata.namespace",
        )
    elif doc.kind in NAMESPACED_KINDS and doc.namespace is None:
        out.add(
            doc,
            "metadata.namespace",
            "namespace-missing",
            f"no namespace: the {doc.kind.value} lands in whatever project is current when applied; "
            "write its namespace (the MTV namespace, openshift-mtv by default)",
        )


def _check_bridge_conflicts(out: _Collector, ctx: _Context) -> None:
    """Two NNCPs creating the same bridge for the same nodes (equal node selectors) fight each other."""
    for name, defs in sorted(ctx.bridges.items()):
        seen: dict[str, BridgeDef] = {}
        for bridge in defs:
            selector = json.dumps(
                _mapping(bridge.doc.body.get("spec")).get("nodeSelector") or {}, sort_keys=True
            )
            first = seen.setdefault(selector, bridge)
            if first is not bridge and first.doc is not bridge.doc:
                out.add(
                    bridge.doc,
                    f"{bridge.path}.name",
                    "bridge-defined-twice",
                    f"NNCP {first.doc.name} ({first.doc.file}) already creates bridge {name} on the same "
                    "nodes; the policies overwrite each other: merge them or give them disjoint "
                    "nodeSelectors",
                )


def _selector(doc: Document) -> dict[str, Any]:
    return _mapping(_mapping(doc.body.get("spec")).get("nodeSelector"))


def _selectors_overlap(a: Document, b: Document) -> bool:
    """Whether two NNCPs certainly select common nodes: one's nodeSelector is part of the other's (every
    node the stricter one picks, the looser one picks too; an empty selector picks every node)."""
    sa, sb = _selector(a).items(), _selector(b).items()
    return sa <= sb or sb <= sa


def _check_nic_in_two_bridges(out: _Collector, ctx: _Context) -> None:
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


def _check_duplicates(out: _Collector, docs: list[Document]) -> None:
    seen: dict[tuple[str, str | None, str], Document] = {}
    for doc in docs:
        if doc.kind in (Kind.OTHER, Kind.VM_PATCH, Kind.KUSTOMIZATION) or not doc.name:
            continue
        ident = (doc.kind.value, doc.namespace, doc.name)
        if ident in seen:
            first = seen[ident]
            out.add(
                doc,
                "metadata.name",
                "duplicate-object",
                f"{doc.kind.value} {doc.name} is defined twice (also at {first.where}); the later one "
                "silently replaces the earlier: keep one",
            )
        else:
            seen[ident] = doc


# ---- NNCP ----------------------------------------------------------------------------------------


def _check_nncp(out: _Collector, doc: Document, ctx: _Context) -> None:
    if doc.name is None or not is_dns1123_subdomain(doc.name):
        out.add(
            doc,
            "metadata.name",
            "name-invalid",
            f"NNCP name {doc.name!r} is not a DNS-1123 subdomain (lower case letters, digits, '-', '.')",
        )
    spec = _mapping(doc.body.get("spec"))
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
    interfaces = _mapping(spec.get("desiredState")).get("interfaces")
    desired = _mapping(spec.get("desiredState"))
    if not isinstance(interfaces, list):
        # an NNCP holding only OVN bridge mappings (a localnet on br-ex) is fine
        if not _mapping(desired.get("ovn")).get("bridge-mappings"):
            out.add(
                doc,
                "spec.desiredState",
                "nncp-empty",
                "desiredState has neither interfaces nor ovn.bridge-mappings; the policy configures nothing",
            )
        interfaces = []
    mtus = nncp_interface_mtus(doc)
    for i, iface in enumerate(interfaces):
        path = f"spec.desiredState.interfaces[{i}]"
        iface = _mapping(iface)
        name = _checked_name(out, doc, path, iface, "interface")
        if name is None:
            continue
        if "mtu" in iface and not (_is_int(iface["mtu"]) and 68 <= iface["mtu"] <= 65535):
            out.add(doc, f"{path}.mtu", "mtu-invalid", f"mtu {iface['mtu']!r} is not an integer 68-65535")
        if iface.get("type") in ("linux-bridge", "ovs-bridge"):
            if name in RESERVED_BRIDGES and iface.get("state") != "absent":
                out.add(
                    doc,
                    f"{path}.name",
                    "bridge-name-reserved",
                    f"bridge name {name!r} belongs to OVN-Kubernetes (br-ex, br-int, ovs-system); this "
                    "policy would take over the cluster network's bridge and cut the node off: choose "
                    "another name",
                )
            _check_bridge_ports(out, doc, path, iface, mtus)
            _check_bridge_bonds(out, doc, path, iface, interfaces)
        bond = _mapping(iface.get("link-aggregation"))
        for key in ("port", "ports"):
            for j, port in enumerate(_list(bond.get(key))):
                if isinstance(port, str) and (problem := interface_name_problem(port)):
                    out.add(
                        doc,
                        f"{path}.link-aggregation.{key}[{j}]",
                        "interface-name-invalid",
                        f"bond port name {port!r} {problem}",
                    )
    if ctx.node_states is None:  # with the node state, a name no node has is `nic-missing`
        _check_placeholder_nics(out, doc, interfaces)
    ovn = _mapping(_mapping(spec.get("desiredState")).get("ovn"))
    for j, mapping in enumerate(_list(ovn.get("bridge-mappings"))):
        mapping = _mapping(mapping)
        path = f"spec.desiredState.ovn.bridge-mappings[{j}]"
        if not isinstance(mapping.get("localnet"), str) or not mapping.get("localnet"):
            out.add(doc, f"{path}.localnet", "ovn-mapping-invalid", "bridge mapping without a localnet name")
        bridge = mapping.get("bridge")
        if mapping.get("state", "present") != "absent" and not isinstance(bridge, str):
            out.add(
                doc, f"{path}.bridge", "ovn-mapping-invalid", "bridge mapping without the OVS bridge name"
            )
        elif isinstance(bridge, str) and (problem := interface_name_problem(bridge)):
            out.add(doc, f"{path}.bridge", "interface-name-invalid", f"OVS bridge name {bridge!r} {problem}")


def _check_bridge_bonds(
    out: _Collector, doc: Document, path: str, bridge: dict[str, Any], interfaces: list[Any]
) -> None:
    """Bonds of the same NNCP that are ports of the Linux bridge *bridge*, in a mode OpenShift
    Virtualization does not support under a VM bridge (DESIGN: modes 0, 5 and 6)."""
    if bridge.get("type") != "linux-bridge":
        return
    _, ports = _bridge_ports(_mapping(bridge.get("bridge")))
    port_names = {_mapping(p).get("name") for p in ports}
    for i, iface in enumerate(interfaces):
        iface = _mapping(iface)
        if iface.get("type") != "bond" or iface.get("name") not in port_names:
            continue
        mode = _mapping(iface.get("link-aggregation")).get("mode")
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


def _check_placeholder_nics(out: _Collector, doc: Document, interfaces: list[Any]) -> None:
    """vSphere uplink names (``vmnic1``, ``Uplink 1``) where a node NIC name belongs: ``trunkline plan``
    keeps them as placeholders for uplinks the NIC map does not cover."""
    for fld, name in _nncp_physical_ports(interfaces):
        if _PLACEHOLDER_NIC.match(name):
            out.add(
                doc,
                fld,
                "nic-placeholder",
                f"{name!r} is a vSphere uplink name, not a node NIC; map it (`trunkline plan --nic-map "
                f"{name.replace(' ', '')}=ens34`, a NIC map file or --node-state) or write the node's NIC",
            )


def _checked_name(out: _Collector, doc: Document, path: str, item: dict[str, Any], what: str) -> str | None:
    """The ``name`` of an NNCP interface or bridge port at *path*, after reporting a missing or invalid one
    (``None`` when missing)."""
    name = item.get("name")
    if not isinstance(name, str):
        out.add(doc, f"{path}.name", "interface-name-missing", f"{what} without a name")
        return None
    problem = interface_name_problem(name)
    if problem:
        out.add(doc, f"{path}.name", "interface-name-invalid", f"{what} name {name!r} {problem}")
    return name


def _check_bridge_ports(
    out: _Collector, doc: Document, path: str, iface: dict[str, Any], mtus: dict[str, int]
) -> None:
    key, ports = _bridge_ports(_mapping(iface.get("bridge")))
    bridge_mtu = iface.get("mtu") if _is_int(iface.get("mtu")) else None
    for j, port in enumerate(ports):
        ppath = f"{path}.bridge.{key}[{j}]"
        port = _mapping(port)
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
        if "vlan" in port and iface.get("type") == "linux-bridge":
            _check_port_vlan(out, doc, f"{ppath}.vlan", port["vlan"])


def _check_port_vlan(out: _Collector, doc: Document, path: str, vlan: Any) -> None:
    if vlan is None:
        return
    if not isinstance(vlan, dict):
        out.add(
            doc,
            path,
            "port-vlan-invalid",
            "port vlan must be a mapping (mode, trunk-tags, tag, enable-native)",
        )
        return
    allowed = {"mode", "trunk-tags", "tag", "enable-native"}
    for k in sorted(set(vlan) - allowed):
        out.add(
            doc,
            f"{path}.{k}",
            "port-vlan-key-unknown",
            f"unknown port vlan key {k!r}; nmstate accepts {', '.join(sorted(allowed))}",
        )
    mode = vlan.get("mode")
    if vlan and mode not in ("trunk", "access"):
        out.add(doc, f"{path}.mode", "port-vlan-invalid", f"mode {mode!r} must be 'trunk' or 'access'")
    if "tag" in vlan and not (_is_int(vlan["tag"]) and 1 <= vlan["tag"] <= 4094):
        out.add(doc, f"{path}.tag", "vlan-out-of-range", f"tag {vlan['tag']!r} is not a VLAN ID 1-4094")
    if mode == "access" and "tag" not in vlan:
        out.add(doc, f"{path}.tag", "port-vlan-invalid", "an access port needs its VLAN in 'tag'")
    if vlan.get("enable-native") is True and "tag" not in vlan:
        out.add(doc, f"{path}.tag", "port-vlan-invalid", "enable-native needs the native VLAN in 'tag'")
    tags = vlan.get("trunk-tags")
    if mode == "trunk" and not isinstance(tags, list):
        out.add(doc, f"{path}.trunk-tags", "port-vlan-invalid", "a trunk port needs a trunk-tags list")
    for i, entry in enumerate(_list(tags)):
        epath = f"{path}.trunk-tags[{i}]"
        entry = _mapping(entry)
        if "id" in entry:
            if not (_is_int(entry["id"]) and 1 <= entry["id"] <= 4094):
                out.add(
                    doc, f"{epath}.id", "vlan-out-of-range", f"id {entry['id']!r} is not a VLAN ID 1-4094"
                )
        elif "id-range" in entry:
            rng = _mapping(entry["id-range"])
            lo, hi = rng.get("min"), rng.get("max")
            if not (_is_int(lo) and _is_int(hi) and 1 <= lo <= hi <= 4094):
                out.add(
                    doc,
                    f"{epath}.id-range",
                    "vlan-out-of-range",
                    f"id-range {lo!r}-{hi!r} is not an ordered range within 1-4094",
                )
        else:
            out.add(
                doc, epath, "port-vlan-invalid", "a trunk-tags entry needs 'id' or 'id-range: {min, max}'"
            )


# ---- NAD -----------------------------------------------------------------------------------------


def _check_nad(out: _Collector, doc: Document, ctx: _Context) -> None:
    name = doc.name
    if name is None or not is_dns1123_label(name):
        out.add(
            doc,
            "metadata.name",
            "nad-name-invalid",
            f"NAD name {name!r} is not a DNS-1123 label (at most 63 of a-z, 0-9, '-', starting and "
            "ending with a letter or digit)",
        )
    if doc.namespace is None:
        out.add(
            doc,
            "metadata.namespace",
            "nad-namespace-missing",
            "no namespace: the NAD lands in whatever project is current when applied; write 'default' "
            "(usable from every namespace) or the VMs' namespace",
        )
    elif not is_dns1123_label(doc.namespace):
        out.add(
            doc,
            "metadata.namespace",
            "nad-namespace-invalid",
            f"namespace {doc.namespace!r} is not a DNS-1123 label",
        )
    elif (usable := ctx.usable_namespaces()) is not None and doc.namespace not in usable:
        out.add(
            doc,
            "metadata.namespace",
            "nad-namespace-unusable",
            f"NAD namespace {doc.namespace!r} is neither the VMs' namespace {ctx.target_namespace!r} nor "
            "'default'; VMs cannot attach to it: move it",
        )
    spec = _mapping(doc.body.get("spec"))
    raw = spec.get("config")
    if raw is None:
        out.add(doc, "spec.config", "nad-config-missing", "no spec.config: Multus has no CNI config to run")
        return
    if not isinstance(raw, str):
        out.add(
            doc,
            "spec.config",
            "nad-config-not-string",
            "spec.config must be a JSON string (quote the JSON object), not a YAML mapping",
        )
        return
    try:
        config = json.loads(raw)
    except ValueError as exc:
        out.add(doc, "spec.config", "nad-config-json", f"spec.config is not valid JSON: {exc}")
        return
    if not isinstance(config, dict):
        out.add(doc, "spec.config", "nad-config-json", "spec.config must be a JSON object")
        return
    annotations = _mapping(_mapping(doc.body.get("metadata")).get("annotations"))
    resource = annotations.get(RESOURCE_NAME_ANNOTATION)
    if isinstance(config.get("plugins"), list):
        _check_unknown_keys(
            out, doc, "spec.config", config, CNI_LIST_KEYS, "a CNI network configuration list"
        )
        _check_cni_version(out, doc, "spec.config.cniVersion", config.get("cniVersion"))
        plugins = [(f"spec.config.plugins[{i}]", _mapping(p)) for i, p in enumerate(config["plugins"])]
        inherited_version = True
    else:
        plugins = [("spec.config", config)]
        inherited_version = False
    found_bridge = found_ovn = False
    for path, plugin in plugins:
        cni_type = plugin.get("type")
        if not isinstance(cni_type, str):
            out.add(
                doc, f"{path}.type", "cni-type-missing", "CNI config without a 'type' (the plugin to run)"
            )
            continue
        if not inherited_version:
            _check_cni_version(out, doc, f"{path}.cniVersion", plugin.get("cniVersion"))
        if cni_type in BRIDGE_CNI_TYPES:
            found_bridge = True
            _check_bridge_config(out, doc, path, plugin, ctx, resource)
        elif cni_type == OVN_CNI_TYPE:
            found_ovn = True
            _check_ovn_config(out, doc, path, plugin, ctx)
        elif cni_type not in OTHER_CNI_TYPES:
            _check_unknown_cni_type(out, doc, path, plugin, cni_type)
    if found_ovn and isinstance(resource, str) and resource.startswith(BRIDGE_RESOURCE_PREFIX):
        out.add(
            doc,
            f"metadata.annotations.{RESOURCE_NAME_ANNOTATION}",
            "ovn-resource-name",
            "an OVN localnet NAD must not request a Linux bridge resource: bridge-marker advertises only "
            "Linux bridges, so VMs would never be scheduled; remove the annotation",
        )
    if found_bridge and resource is None:
        out.add(
            doc,
            f"metadata.annotations.{RESOURCE_NAME_ANNOTATION}",
            "nad-resource-name-missing",
            "no resourceName annotation: VMs may be scheduled on nodes without the bridge; add "
            f"'{RESOURCE_NAME_ANNOTATION}: {BRIDGE_RESOURCE_PREFIX}<bridge>'",
        )


def _check_unknown_cni_type(
    out: _Collector, doc: Document, path: str, config: dict[str, Any], cni_type: str
) -> None:
    """A ``type`` no plugin on the node answers to: Multus fails every pod attaching to the NAD. Report it,
    then check the bridge options the config holds anyway (a misspelt ``cnv-brdge`` is still meant to be
    a bridge config, and its ``vlan`` still has to be a VLAN ID)."""
    checked = sorted(BRIDGE_CNI_TYPES | {OVN_CNI_TYPE})
    close = difflib.get_close_matches(cni_type, [*checked, *sorted(OTHER_CNI_TYPES)], n=1, cutoff=0.75)
    hint = f"did you mean {close[0]!r}? " if close else ""
    out.add(
        doc,
        f"{path}.type",
        "cni-type-unknown",
        f"CNI type {cni_type!r} is no plugin OpenShift runs, so Multus fails every pod attached to this NAD; "
        f"{hint}trunkline checks {', '.join(checked)} (VM bridges and OVN localnets)",
    )
    _check_bridge_values(out, doc, path, config)


def _check_cni_version(out: _Collector, doc: Document, path: str, version: Any) -> None:
    if version is None:
        out.add(doc, path, "cni-version-missing", 'no cniVersion; write "0.3.1" as OpenShift documents')
    elif version not in CNI_VERSIONS:
        out.add(
            doc,
            path,
            "cni-version-invalid",
            f"cniVersion {version!r} is not a CNI spec version ({', '.join(sorted(CNI_VERSIONS))})",
        )


def _check_unknown_keys(
    out: _Collector, doc: Document, path: str, config: Mapping[str, Any], known: Iterable[str], what: str
) -> None:
    known_set = set(known)
    by_lower = {k.lower(): k for k in known_set}
    for key in sorted(set(config) - known_set):
        proper = by_lower.get(key.lower())
        if proper:
            out.add(
                doc,
                f"{path}.{key}",
                "cni-key-case",
                f"key {key!r} is spelt {proper!r} upstream; Go's JSON decoding ignores case so it works, "
                "but other tools do not: write it as documented",
            )
        else:
            out.add(
                doc,
                f"{path}.{key}",
                "cni-key-unknown",
                f"{what} has no option {key!r}; the plugin ignores it silently",
            )


def _check_types(
    out: _Collector, doc: Document, path: str, config: Mapping[str, Any], types: Mapping[str, Any]
) -> None:
    for key, expected in types.items():
        if key in config and not _type_ok(config[key], expected):
            out.add(
                doc,
                f"{path}.{key}",
                "cni-type-mismatch",
                f"{key} is {json.dumps(config[key])}; it must be a JSON {_json_type(expected)}",
            )


def _check_bridge_values(out: _Collector, doc: Document, path: str, config: Mapping[str, Any]) -> bool:
    """Types and ranges of the bridge CNI options *config* holds. Returns whether its VLAN settings
    (``vlan``, ``vlanTrunk``, ``preserveDefaultVlan``) are valid, i.e. what the NAD puts on the uplink
    is known."""
    before = len(out.findings)
    _check_types(out, doc, path, config, BRIDGE_OPTION_TYPES)
    vlan = config.get("vlan")
    if _is_int(vlan) and not 0 <= vlan <= 4094:
        out.add(
            doc,
            f"{path}.vlan",
            "vlan-out-of-range",
            f"vlan {vlan} is outside 0-4094 (4095 is vSphere's 'all VLANs': use vlanTrunk 1-4094)",
        )
    trunk_ranges = _check_vlan_trunk(out, doc, f"{path}.vlanTrunk", config.get("vlanTrunk"))
    if _is_int(vlan) and vlan > 0 and trunk_ranges:
        out.add(
            doc,
            f"{path}.vlanTrunk",
            "cni-vlan-and-trunk",
            "vlan and vlanTrunk cannot be set together (the plugin refuses the config); keep one",
        )
    if ((_is_int(vlan) and vlan > 0) or trunk_ranges) and "preserveDefaultVlan" not in config:
        out.add(
            doc,
            f"{path}.preserveDefaultVlan",
            "preserve-default-vlan-implicit",
            "a tagged NAD without preserveDefaultVlan keeps the bridge's default VLAN 1 untagged on the VM "
            "port in plugin versions that know the option (default true), and not in older ones: write "
            '"preserveDefaultVlan": false',
        )
    vlan_keys = (f"{path}.vlan", f"{path}.vlanTrunk", f"{path}.preserveDefaultVlan")
    valid = not any(
        f.field.startswith(vlan_keys) and f.key != "preserve-default-vlan-implicit"
        for f in out.findings[before:]
    )
    if config.get("hairpinMode") is True and config.get("promiscMode") is True:
        out.add(
            doc,
            f"{path}.promiscMode",
            "cni-hairpin-and-promisc",
            "hairpinMode and promiscMode cannot both be true (the plugin refuses the config)",
        )
    mtu = config.get("mtu")
    if _is_int(mtu) and not 68 <= mtu <= 65535:
        out.add(doc, f"{path}.mtu", "mtu-invalid", f"mtu {mtu} is not within 68-65535")
    return valid


def _check_bridge_config(
    out: _Collector, doc: Document, path: str, config: dict[str, Any], ctx: _Context, resource: Any
) -> None:
    known = CNI_COMMON_KEYS | set(BRIDGE_OPTION_TYPES)
    _check_unknown_keys(out, doc, path, config, known, "the bridge CNI plugin")
    if "ipam" not in config:
        out.add(
            doc,
            f"{path}.ipam",
            "cni-ipam-missing",
            "the bridge plugin requires 'ipam'; write \"ipam\": {} for an L2-only network",
        )
    elif not isinstance(config["ipam"], dict):
        out.add(doc, f"{path}.ipam", "cni-type-mismatch", "ipam must be a JSON object ({} for L2 only)")
    if not isinstance(config.get("name"), str):
        out.add(doc, f"{path}.name", "cni-name-missing", "the CNI config needs a 'name' (the network's name)")
    vlans_valid = _check_bridge_values(out, doc, path, config)
    bridge = config.get("bridge")
    if bridge is None:
        out.add(
            doc,
            f"{path}.bridge",
            "cni-bridge-missing",
            "no 'bridge': the plugin uses (and creates) 'cni0', a bridge with no uplink; "
            "name the NNCP's bridge",
        )
        return
    if not isinstance(bridge, str):
        return
    problem = interface_name_problem(bridge)
    if problem:
        out.add(doc, f"{path}.bridge", "interface-name-invalid", f"bridge name {bridge!r} {problem}")
    if isinstance(resource, str):
        field_name = f"metadata.annotations.{RESOURCE_NAME_ANNOTATION}"
        if not resource.startswith(BRIDGE_RESOURCE_PREFIX):
            out.add(
                doc,
                field_name,
                "nad-resource-name-invalid",
                f"resourceName {resource!r} must be '{BRIDGE_RESOURCE_PREFIX}<bridge>' for a Linux bridge",
            )
        elif resource[len(BRIDGE_RESOURCE_PREFIX) :] != bridge:
            out.add(
                doc,
                field_name,
                "nad-resource-name-mismatch",
                f"resourceName names bridge {resource[len(BRIDGE_RESOURCE_PREFIX) :]!r} but the config uses "
                f"{bridge!r}; VMs get scheduled by the wrong bridge: make them equal",
            )
    defs = [b for b in ctx.bridges.get(bridge, []) if b.type == "linux-bridge"]
    if not defs and ctx.lacks(Kind.NNCP):
        return
    if not defs:
        ovs = [b for b in ctx.bridges.get(bridge, []) if b.type == "ovs-bridge"]
        hint = " (an OVS bridge of that name exists: the bridge CNI needs a Linux bridge)" if ovs else ""
        out.add(
            doc,
            f"{path}.bridge",
            "nad-bridge-unknown",
            f"no NNCP in this directory creates linux-bridge {bridge!r}{hint}; the plugin would create an "
            "isolated bridge with no uplink",
        )
        return
    if vlans_valid:
        _check_nad_vlans_on_uplinks(out, doc, path, config, defs)
    mtu = config.get("mtu")
    if _is_int(mtu):
        _check_nad_mtu(out, doc, f"{path}.mtu", mtu, defs, ctx)


def _check_vlan_trunk(out: _Collector, doc: Document, path: str, trunk: Any) -> tuple[tuple[int, int], ...]:
    if trunk is None:
        return ()
    if not isinstance(trunk, list):
        return ()  # reported as a type mismatch
    ranges: list[tuple[int, int]] = []
    for i, entry in enumerate(trunk):
        epath = f"{path}[{i}]"
        if not isinstance(entry, dict):
            out.add(
                doc,
                epath,
                "vlan-trunk-invalid",
                'a vlanTrunk entry must be {"id": N} or {"minID": A, "maxID": B}',
            )
            continue
        for k in sorted(set(entry) - {"id", "minID", "maxID"}):
            out.add(
                doc,
                f"{epath}.{k}",
                "cni-key-unknown",
                f"vlanTrunk entries have no key {k!r} (id, minID, maxID)",
            )
        lo, hi, single = entry.get("minID"), entry.get("maxID"), entry.get("id")
        if ("minID" in entry) != ("maxID" in entry):
            out.add(doc, epath, "vlan-trunk-invalid", "minID and maxID must be given together")
        elif "minID" in entry:
            if not (_is_int(lo) and _is_int(hi) and 1 <= lo <= 4094 and 1 <= hi <= 4094):
                out.add(doc, epath, "vlan-out-of-range", f"trunk range {lo!r}-{hi!r} is not within 1-4094")
            elif lo > hi:
                out.add(doc, epath, "vlan-trunk-invalid", f"minID {lo} is greater than maxID {hi}")
            else:
                ranges.append((lo, hi))
        if "id" in entry:
            if not (_is_int(single) and 1 <= single <= 4094):
                out.add(doc, f"{epath}.id", "vlan-out-of-range", f"trunk id {single!r} is not within 1-4094")
            else:
                ranges.append((single, single))
        if not entry:
            out.add(doc, epath, "vlan-trunk-invalid", "empty vlanTrunk entry")
    return merge_ranges(ranges)


def _nad_needs(config: Mapping[str, Any]) -> tuple[tuple[tuple[int, int], ...], bool]:
    """(tagged VLAN ranges, needs untagged) a bridge CNI config puts on the uplink."""
    vlan = config.get("vlan")
    trunk = config.get("vlanTrunk")
    if isinstance(trunk, list) and trunk:
        ranges: list[tuple[int, int]] = []
        for entry in trunk:
            entry = _mapping(entry)
            if _is_int(entry.get("id")) and 1 <= entry["id"] <= 4094:
                ranges.append((entry["id"], entry["id"]))
            lo, hi = entry.get("minID"), entry.get("maxID")
            if _is_int(lo) and _is_int(hi) and 1 <= lo <= hi <= 4094:
                ranges.append((lo, hi))
        return merge_ranges(ranges), config.get("preserveDefaultVlan", True) is True
    if _is_int(vlan) and 1 <= vlan <= 4094:
        return ((vlan, vlan),), False
    return (), True


def _check_nad_vlans_on_uplinks(
    out: _Collector, doc: Document, path: str, config: Mapping[str, Any], defs: list[BridgeDef]
) -> None:
    tagged, untagged = _nad_needs(config)
    fld = (
        f"{path}.vlanTrunk"
        if isinstance(config.get("vlanTrunk"), list) and config["vlanTrunk"]
        else f"{path}.vlan"
    )
    for bridge in defs:
        for port in bridge.ports:
            where = f"uplink {port.name} of bridge {bridge.name} (NNCP {bridge.doc.name}, {bridge.doc.file})"
            missing = subtract_ranges(tagged, port.tagged)
            native = port.untagged_vlan
            if native is not None and subtract_ranges(missing, [(native, native)]) != missing:
                out.add(
                    doc,
                    fld,
                    "vlan-untagged-on-uplink",
                    f"VLAN {native} is the untagged VLAN of {where}; its frames leave the node without a "
                    "tag: give the uplink an explicit trunk that tags it",
                )
                missing = subtract_ranges(missing, [(native, native)])
            if missing:
                out.add(
                    doc,
                    fld,
                    "vlan-not-on-uplink",
                    f"VLAN {format_ranges(missing)} is not allowed on {where}: {port.source}; add it to the "
                    "port's vlan.trunk-tags",
                )
            if untagged and native != DEFAULT_PVID:
                got = "drops untagged frames" if native is None else f"maps untagged frames to VLAN {native}"
                out.add(
                    doc,
                    fld,
                    "untagged-not-on-uplink",
                    f"the NAD sends untagged frames (bridge VLAN {DEFAULT_PVID}) but {where} {got} "
                    f"({port.source}); set enable-native: true with tag: {DEFAULT_PVID} on the port",
                )


def _check_nad_mtu(
    out: _Collector, doc: Document, path: str, mtu: int, defs: list[BridgeDef], ctx: _Context
) -> None:
    for bridge in defs:
        limits: list[tuple[int, str]] = []
        if bridge.mtu is not None:
            limits.append((bridge.mtu, f"bridge {bridge.name} (NNCP {bridge.doc.name})"))
        port_mtus = nncp_interface_mtus(bridge.doc)
        for port in bridge.ports:
            if port.name in port_mtus:
                limits.append((port_mtus[port.name], f"uplink {port.name} (NNCP {bridge.doc.name})"))
            elif ctx.node_states:
                for state in _selected_nodes(bridge.doc, ctx.node_states):
                    iface = state.interface(port.name)
                    if iface is not None and iface.mtu is not None:
                        limits.append((iface.mtu, f"uplink {port.name} on node {state.node} (node state)"))
        for limit, what in limits:
            if mtu > limit:
                out.add(
                    doc,
                    path,
                    "mtu-exceeds-bridge",
                    f"mtu {mtu} is larger than the {limit} of {what}; VM frames above {limit} bytes are "
                    "dropped: lower the NAD's mtu or raise the bridge's and uplink's",
                )
                break


def _check_ovn_config(
    out: _Collector, doc: Document, path: str, config: dict[str, Any], ctx: _Context
) -> None:
    known = CNI_COMMON_KEYS | set(OVN_OPTION_TYPES)
    _check_unknown_keys(out, doc, path, config, known, "OVN-Kubernetes")
    _check_types(out, doc, path, config, OVN_OPTION_TYPES)
    topology = config.get("topology")
    if topology not in OVN_TOPOLOGIES:
        out.add(
            doc,
            f"{path}.topology",
            "ovn-topology-invalid",
            f"topology {topology!r} must be one of {', '.join(sorted(OVN_TOPOLOGIES))} (localnet for a "
            "physical network)",
        )
    expected = f"{doc.namespace or 'default'}/{doc.name}"
    nad_name = config.get("netAttachDefName")
    if nad_name is None:
        out.add(
            doc,
            f"{path}.netAttachDefName",
            "ovn-nad-name-missing",
            f"OVN-Kubernetes needs netAttachDefName {expected!r}",
        )
    elif nad_name != expected:
        out.add(
            doc,
            f"{path}.netAttachDefName",
            "ovn-nad-name-mismatch",
            f"netAttachDefName is {nad_name!r} but this NAD is {expected!r}; OVN-Kubernetes rejects it",
        )
    vlan = config.get("vlanID")
    if "vlanID" in config:
        if topology != "localnet":
            out.add(
                doc, f"{path}.vlanID", "ovn-vlan-not-localnet", "vlanID applies only to topology localnet"
            )
        elif _is_int(vlan) and not 1 <= vlan <= 4094:
            out.add(
                doc,
                f"{path}.vlanID",
                "vlan-out-of-range",
                f"vlanID {vlan} is outside 1-4094; trunks and vSphere's 4095 need the bridge CNI",
            )
    if topology == "localnet":
        physical = config.get("physicalNetworkName", config.get("name"))
        if isinstance(physical, str) and physical not in ctx.localnets and not ctx.lacks(Kind.NNCP):
            fld = f"{path}.physicalNetworkName" if "physicalNetworkName" in config else f"{path}.name"
            out.add(
                doc,
                fld,
                "ovn-localnet-unmapped",
                f"no NNCP in this directory maps localnet {physical!r} to an OVS bridge "
                "(spec.desiredState.ovn.bridge-mappings); pods attached to it get no connectivity",
            )


# ---- KubeVirt ------------------------------------------------------------------------------------


def _check_vm(out: _Collector, doc: Document, ctx: _Context) -> None:
    vm_spec = _mapping(_mapping(_mapping(doc.body.get("spec")).get("template")).get("spec"))
    base = "spec.template.spec"
    devices = _mapping(_mapping(vm_spec.get("domain")).get("devices"))
    interfaces = _list(devices.get("interfaces"))
    networks = _list(vm_spec.get("networks"))
    network_names = {_mapping(n).get("name") for n in networks}
    for i, iface in enumerate(interfaces):
        ipath = f"{base}.domain.devices.interfaces[{i}]"
        iface = _mapping(iface)
        model = iface.get("model")
        if model is not None and model not in KUBEVIRT_MODELS:
            hint = " (vSphere's vmxnet3 has no KubeVirt equivalent)" if model == "vmxnet3" else ""
            out.add(
                doc,
                f"{ipath}.model",
                "kubevirt-model-invalid",
                f"model {model!r} is not a KubeVirt interface model{hint}; use virtio or one of "
                f"{', '.join(sorted(KUBEVIRT_MODELS - {'virtio'}))}",
            )
        mac = iface.get("macAddress")
        if mac is not None and (not isinstance(mac, str) or not _MAC.match(mac)):
            out.add(
                doc,
                f"{ipath}.macAddress",
                "kubevirt-mac-invalid",
                f"macAddress {mac!r} is not six hex octets (aa:bb:cc:dd:ee:ff)",
            )
        if iface.get("name") not in network_names:
            out.add(
                doc,
                f"{ipath}.name",
                "kubevirt-network-missing",
                f"interface {iface.get('name')!r} has no network of the same name in {base}.networks",
            )
    usable = ctx.usable_namespaces()
    for j, network in enumerate(networks):
        npath = f"{base}.networks[{j}]"
        multus = _mapping(_mapping(network).get("multus"))
        ref = multus.get("networkName")
        if ref is None:
            continue
        if not isinstance(ref, str):
            out.add(
                doc, f"{npath}.multus.networkName", "kubevirt-network-invalid", "networkName must be a string"
            )
            continue
        prefix, _, name = ref.rpartition("/")
        ns = prefix or None
        if ns is None and name not in ctx.cudn_names:  # a CUDN's NAD is in every namespace it selects
            out.add(
                doc,
                f"{npath}.multus.networkName",
                "kubevirt-network-namespace-missing",
                f"networkName {ref!r} has no namespace, so KubeVirt looks for the NAD in the VM's own "
                f"namespace, not in 'default': write '<namespace>/{name}'",
            )
            ns = ctx.target_namespace
        if ctx.nads and not _nad_exists(ctx, ns, name):
            out.add(
                doc,
                f"{npath}.multus.networkName",
                "kubevirt-nad-unknown",
                f"network {ref!r} names no NAD in this directory; write '<namespace>/<name>' of one",
            )
        if usable is not None and ns is not None and ns not in usable:
            out.add(
                doc,
                f"{npath}.multus.networkName",
                "nad-namespace-unusable",
                f"NAD namespace {ns!r} is neither the VMs' namespace {ctx.target_namespace!r} nor 'default'",
            )


def _nad_exists(ctx: _Context, namespace: str | None, name: str) -> bool:
    if namespace is not None:
        return (namespace, name) in ctx.nads
    return any(n == name for _, n in ctx.nads)


# ---- NetworkMap ----------------------------------------------------------------------------------


def _check_network_map(out: _Collector, doc: Document, ctx: _Context) -> None:
    spec = _mapping(doc.body.get("spec"))
    provider = _mapping(spec.get("provider"))
    for side in ("source", "destination"):
        ref = _mapping(provider.get(side))
        if not isinstance(ref.get("name"), str):
            out.add(
                doc,
                f"spec.provider.{side}.name",
                "networkmap-provider-missing",
                f"spec.provider.{side} needs the name (and namespace) of an MTV Provider",
            )
    entries = spec.get("map")
    if not isinstance(entries, list):
        out.add(doc, "spec.map", "networkmap-map-missing", "spec.map must be a list of source -> destination")
        return
    seen: dict[str, int] = {}
    usable = ctx.usable_namespaces()
    for i, entry in enumerate(entries):
        path = f"spec.map[{i}]"
        entry = _mapping(entry)
        src = _mapping(entry.get("source"))
        ident = src.get("id") or src.get("name")
        if not isinstance(ident, str):
            out.add(
                doc,
                f"{path}.source",
                "networkmap-source-missing",
                "source needs the vSphere network's id (dvportgroup-20, network-45) or name",
            )
        elif ident in seen:
            out.add(
                doc,
                f"{path}.source",
                "networkmap-source-duplicate",
                f"vSphere network {ident!r} is mapped twice (also spec.map[{seen[ident]}]); keep one",
            )
        else:
            seen[ident] = i
        dest = _mapping(entry.get("destination"))
        dtype = dest.get("type")
        if dtype not in NETWORK_MAP_TYPES:
            out.add(
                doc,
                f"{path}.destination.type",
                "networkmap-type-invalid",
                f"destination type {dtype!r} must be one of {', '.join(sorted(NETWORK_MAP_TYPES))}",
            )
            continue
        if dtype != "multus":
            continue
        name, ns = dest.get("name"), dest.get("namespace")
        if not isinstance(name, str):
            out.add(
                doc,
                f"{path}.destination.name",
                "networkmap-nad-missing",
                "a multus destination needs the NAD's name",
            )
            continue
        if not isinstance(ns, str):
            out.add(
                doc,
                f"{path}.destination.namespace",
                "networkmap-nad-namespace-missing",
                "a multus destination needs the NAD's namespace",
            )
            continue
        if (ns, name) not in ctx.nads and not ctx.lacks(Kind.NAD):
            out.add(
                doc,
                f"{path}.destination",
                "networkmap-nad-unknown",
                f"destination NAD {ns}/{name} is not defined in this directory; "
                "MTV would fail the migration plan",
            )
        if usable is not None and ns not in usable:
            out.add(
                doc,
                f"{path}.destination.namespace",
                "nad-namespace-unusable",
                f"NAD namespace {ns!r} is neither the VMs' namespace {ctx.target_namespace!r} nor 'default'; "
                "MTV cannot attach VMs to it",
            )


# ---- kustomization -------------------------------------------------------------------------------


def _check_kustomizations(out: _Collector, ctx: _Context, directory: Path | None) -> None:
    kustomizations = [d for d in ctx.docs if d.kind is Kind.KUSTOMIZATION]
    listed: set[str] = set()
    for doc in kustomizations:
        base = PurePosixPath(doc.file).parent
        kinds_here: set[Kind] = set()
        for i, res in enumerate(_list(doc.body.get("resources"))):
            if not isinstance(res, str):
                continue
            if res.startswith(("http://", "https://")) or "://" in res or res.startswith("github.com/"):
                continue
            rel = _normalise(str(PurePosixPath(base, res)))
            if res.startswith("/") or rel.startswith(".."):
                out.add(
                    doc,
                    f"resources[{i}]",
                    "kustomization-resource-outside",
                    f"resource {res!r} is "
                    + ("an absolute path" if res.startswith("/") else "outside the directory checked")
                    + "; kustomize loads files only from within the kustomization's directory (and "
                    "validate checks only this one): copy it in and list it by a relative path",
                )
                continue
            if directory is not None and (directory / rel).is_file() and not _within(rel, str(base)):
                out.add(
                    doc,
                    f"resources[{i}]",
                    "kustomization-resource-outside",
                    f"resource {res!r} is a file outside the kustomization's directory; kustomize refuses "
                    "to load it (only directories holding a kustomization may be outside): move the file in",
                )
            listed.add(rel)
            if directory is not None and not (directory / rel).exists():
                out.add(
                    doc,
                    f"resources[{i}]",
                    "kustomization-resource-missing",
                    f"resource {res!r} does not exist; `oc apply -k` fails",
                )
            kinds_here |= {d.kind for d in ctx.docs if d.file == rel or d.file.startswith(rel + "/")}
        if Kind.NNCP in kinds_here and Kind.NMSTATE in kinds_here:
            out.add(
                doc,
                "resources",
                "kustomization-order",
                "lists an NMState instance and NNCPs together; the NNCP kind exists only once "
                "kubernetes-nmstate processed the NMState: apply them in two steps with `oc wait` between",
            )
    if not kustomizations:
        return
    reported: set[str] = set()
    for doc in ctx.docs:
        if doc.file in reported:
            continue
        if doc.kind in (Kind.NNCP, Kind.NAD, Kind.NETWORK_MAP) and not _is_listed(doc.file, listed):
            reported.add(doc.file)
            out.add(
                doc,
                "metadata.name",
                "kustomization-resource-unlisted",
                f"{doc.file} is in no kustomization's resources; `oc apply -k` would skip it",
            )


def _normalise(path: str) -> str:
    """``a/./b/../c`` -> ``a/c``; ``..`` parts that climb above the start are kept (``../x``)."""
    parts: list[str] = []
    for part in PurePosixPath(path).parts:
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append(part)
        elif part not in (".", "/"):
            parts.append(part)
    return "/".join(parts) or "."


def _within(rel: str, base: str) -> bool:
    return base in ("", ".") or rel == base or rel.startswith(base.rstrip("/") + "/")


def _is_listed(file: str, listed: set[str]) -> bool:
    return any(file == rel or file.startswith(rel.rstrip("/") + "/") or rel == "." for rel in listed)


# ---- node state ----------------------------------------------------------------------------------


def _selected_nodes(doc: Document, states: list[NodeState]) -> list[NodeState]:
    selector = _mapping(_mapping(doc.body.get("spec")).get("nodeSelector"))
    picked = []
    for state in states:
        if state.labels is None or all(state.labels.get(k) == v for k, v in selector.items()):
            picked.append(state)
    return picked


def _check_node_states(out: _Collector, ctx: _Context) -> None:
    states = ctx.node_states or []
    for doc in ctx.docs:
        if doc.kind is not Kind.NNCP:
            continue
        nodes = _selected_nodes(doc, states)
        if not nodes:
            out.add(
                doc,
                "spec.nodeSelector",
                "nncp-selects-no-node",
                "the nodeSelector matches no node in the node-state export; fix the labels",
            )
            continue
        interfaces = _list(_mapping(_mapping(doc.body.get("spec")).get("desiredState")).get("interfaces"))
        virtual = {
            _mapping(i).get("name")
            for i in interfaces
            if _mapping(i).get("type") not in ("ethernet", None) and _mapping(i).get("state") != "absent"
        }
        owners = {_mapping(i).get("name") for i in interfaces}
        for path, nic in _nncp_physical_ports(interfaces):
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
    out: _Collector, doc: Document, interfaces: list[Any], nodes: list[NodeState]
) -> None:
    """An NNCP's bridge ``port`` list replaces the ports of a bridge that already exists on the node."""
    for i, iface in enumerate(interfaces):
        iface = _mapping(iface)
        if iface.get("type") != "linux-bridge" or iface.get("state") == "absent":
            continue
        key, ports = _bridge_ports(_mapping(iface.get("bridge")))
        if "bridge" not in iface or key not in _mapping(iface.get("bridge")):
            continue
        wanted = {_mapping(p).get("name") for p in ports}
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


def _nncp_physical_ports(interfaces: list[Any]) -> Iterator[tuple[str, str]]:
    for i, iface in enumerate(interfaces):
        iface = _mapping(iface)
        path = f"spec.desiredState.interfaces[{i}]"
        if iface.get("state") == "absent":
            continue
        if iface.get("type") in ("linux-bridge", "ovs-bridge"):
            key, ports = _bridge_ports(_mapping(iface.get("bridge")))
            for j, port in enumerate(ports):
                name = _mapping(port).get("name")
                if isinstance(name, str) and name != iface.get("name"):
                    yield f"{path}.bridge.{key}[{j}].name", name
        bond = _mapping(iface.get("link-aggregation"))
        for key in ("port", "ports", "slaves"):
            for j, port in enumerate(_list(bond.get(key))):
                if isinstance(port, str):
                    yield f"{path}.link-aggregation.{key}[{j}]", port
        if iface.get("type") == "ethernet" and isinstance(iface.get("name"), str):
            yield f"{path}.name", iface["name"]


# --------------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------------


def validate_documents(
    docs: list[Document],
    *,
    target_namespace: str | None = None,
    node_states: list[NodeState] | None = None,
    directory: Path | None = None,
    single_file: bool = False,
) -> list[Finding]:
    """Every finding for the manifests *docs* (pure, apart from checking that kustomization resources
    exist under *directory* when given).

    Args:
        docs: the documents of one directory (:func:`~trunkline.openshift.manifests.load_manifests`).
        target_namespace: the namespace the VMs will run in (NADs must be there or in ``default``);
            ``None`` skips that check.
        node_states: the nodes' reported network state; ``None`` skips the per-node NIC checks.
        directory: the directory the documents came from.
        single_file: *docs* are one file checked alone: references to kinds the file does not hold
            (bridges of NNCPs, NADs) are not reported as missing.

    Returns:
        Findings sorted by file, line, field and key; the same input gives the same list.
    """
    ctx = _Context.build(docs, target_namespace, node_states)
    ctx.single_file = single_file
    out = _Collector()
    _check_duplicates(out, docs)
    _check_bridge_conflicts(out, ctx)
    _check_nic_in_two_bridges(out, ctx)
    for doc in docs:
        _check_kind_and_scope(out, doc)
        _check_api_version(out, doc)
        if doc.kind is Kind.NNCP:
            _check_nncp(out, doc, ctx)
        elif doc.kind is Kind.NAD:
            _check_nad(out, doc, ctx)
        elif doc.kind in (Kind.VM_PATCH, Kind.VIRTUAL_MACHINE):
            _check_vm(out, doc, ctx)
        elif doc.kind is Kind.NETWORK_MAP:
            _check_network_map(out, doc, ctx)
        elif doc.kind is Kind.CUDN:
            localnets = None if ctx.lacks(Kind.NNCP) else set(ctx.localnets)
            for problem in cudn_validate.cudn_problems(doc, localnets):
                out.add(doc, problem.field, problem.key, problem.message)
    for doc, fld, key, message in [
        *cudn_validate.reference_problems(docs, target_namespace), *cudn_validate.conflicts(docs)
    ]:
        out.add(doc, fld, key, message)
    _check_kustomizations(out, ctx, directory)
    if node_states is not None:
        _check_node_states(out, ctx)
    return sorted(set(out.findings))


def validate_directory(
    directory: Path,
    *,
    target_namespace: str | None = None,
    node_states: list[NodeState] | None = None,
) -> ValidationResult:
    """Load the manifests under *directory* (or the one file *directory* names: checked alone, see
    :attr:`ValidationResult.single_file`) and check them (see :func:`validate_documents`).

    Raises:
        BadInputError: the directory is missing or empty, or a file does not parse (naming file and line).
    """
    docs = load_manifests(directory)
    findings = validate_documents(
        docs,
        target_namespace=target_namespace,
        node_states=node_states,
        directory=directory if directory.is_dir() else None,
        single_file=directory.is_file(),
    )
    kinds: dict[str, int] = defaultdict(int)
    for doc in docs:
        kinds[_kind_name(doc)] += 1
    return ValidationResult(
        directory=str(directory),
        documents=len(docs),
        kinds=dict(sorted(kinds.items())),
        findings=tuple(findings),
        single_file=directory.is_file(),
        notes=tuple(cudn_validate.notes(docs)),
    )
