"""One typed reading of the OpenShift objects trunkline writes and reads back.

Every command that reads manifests (``validate``, ``lab``, ``verify``) reads NNCP bridge ports, NAD CNI
configs, VirtualMachine interfaces and networks, and NetworkMap entries through these functions, so that
they agree on what an object means. A reading never stops at the first bad field: it returns what it could
read and a list of :class:`Problem` (field path relative to the object, stable key, message with the fix).
``validate`` turns problems into findings with file and line; ``lab`` and ``verify`` turn the first one
into the project's one-line error (exit 2).

**Bridge port VLANs** (:func:`read_port_vlans`), one meaning per shape (the table in docs/design.md):

========================================  ==================  ===========  ==========================
shape                                     tagged on the wire  untagged ->  source
========================================  ==================  ===========  ==========================
no ``vlan`` key, bridge ``state: up``     2-4094              VLAN 1       kubernetes-nmstate
                                                                           ``ApplyDefaultVlanFiltering``
                                                                           + NM default PVID
no ``vlan`` key, bridge not ``up``        none                VLAN 1       kubernetes-nmstate adds the
                                                                           trunk to ``up`` bridges only
``vlan: {}``                              none                VLAN 1       nmstate: no VLAN config on
                                                                           the port
``mode: access, tag: N``                  none                VLAN N       nmstate: N is PVID, untagged
``mode: trunk`` + ``trunk-tags``          the tags            VLAN 1       NM adds the bridge's default
                                                                           PVID (1) to every port
``mode: trunk``, tags holding VLAN 1      the tags            dropped      NM: VLAN 1 already listed
``mode: trunk``, ``enable-native: true``, the tags            VLAN N       nmstate: N is PVID, untagged
``tag: N``
``trunk-tags`` (or ``tag``) without mode  none (ignored)      VLAN 1       nmstate sends no VLAN for a
                                                                           port without ``mode``
========================================  ==================  ===========  ==========================

Sources: kubernetes-nmstate ``pkg/bridge`` (``ApplyDefaultVlanFiltering`` sets ``mode: trunk`` and
``trunk-tags: [{id-range: {min: 2, max: 4094}}]`` on each port of an ``up`` linux-bridge whose ``vlan`` is
unset or null); nmstate ``BridgePortVlanConfig`` (keys ``mode``, ``trunk-tags``, ``tag``, ``enable-native``;
trunk-tag entries ``{id}`` or ``{id-range: {min, max}}``, ``id`` read first; numbers may be written as
strings; it refuses ``tag`` in trunk mode without ``enable-native: true``, ``enable-native`` or
``trunk-tags`` in access mode, trunk mode without ``trunk-tags`` and overlapping tags) and its
NetworkManager backend (trunk tags become tagged VLANs, the ``tag`` the PVID; a port without ``mode``
gets no VLAN); NetworkManager ``bridge-port.vlans`` ("the port will also have the default-pvid VLAN
configured on the bridge", ``bridge.vlan-default-pvid`` 1) and the Linux bridge's ``default_pvid`` 1.
A bridge is VLAN-filtering when one of its ports has VLAN configuration; a bridge without (every port
``vlan: {}``) forwards frames as they come, so a tagged NAD's tag is never applied: its VLAN is not carried.
A trunk whose tags hold VLAN 1 and that names no native VLAN gets no default PVID (NetworkManager adds
the default PVID only to ports whose VLAN list lacks it): VLAN 1 is tagged, untagged frames are dropped.
OVS bridge ports carry every VLAN (OVS: a port without ``tag`` or ``trunks`` trunks all VLANs).

**NAD configs** (:func:`read_cni_vlans`): bridge CNI (containernetworking/plugins ``plugins/main/bridge``:
``vlan`` 0-4094, ``vlanTrunk`` entries ``{id}`` and/or ``{minID, maxID}`` (both or neither), each 1-4094,
``minID <= maxID``; ``vlan`` and ``vlanTrunk`` together are refused; ``preserveDefaultVlan`` defaults to
true and keeps the VM's untagged frames in the default VLAN 1 on a trunk); OVN-Kubernetes localnet
(``vlanID`` 1-4094, none = untagged; ``physicalNetworkName`` defaults to the network ``name``).

**VM interfaces** (:func:`read_vm`): KubeVirt ``Interface`` (``name``, ``model`` in
:data:`~trunkline.facts.KUBEVIRT_MODELS`, ``macAddress`` in a form Go's ``net.ParseMAC`` reads as 6 bytes,
``state`` ``up``/``down``/``absent`` with ``absent`` for bridge binding only) and ``Network`` (``multus.
networkName: <ns>/<name>`` or ``pod: {}``). **NetworkMaps** (:func:`read_network_map`): MTV ``spec.map[]``
entries, source by ``id`` or ``name``, destination ``{type: multus|pod|ignored, namespace, name}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from trunkline.facts import (
    DEFAULT_PVID,
    KUBEVIRT_INTERFACE_STATES,
    KUBEVIRT_MODELS,
    NMSTATE_DEFAULT_TRUNK,
    is_mac,
)
from trunkline.vlanranges import Ranges, contains, format_ranges, merge_ranges

#: CNI ``type`` values of the bridge plugin (OpenShift ships it as ``cnv-bridge``; upstream ``bridge``).
BRIDGE_CNI_TYPES = frozenset({"bridge", "cnv-bridge"})
#: CNI ``type`` of OVN-Kubernetes secondary networks (``topology: localnet`` for a physical network).
OVN_CNI_TYPE = "ovn-k8s-cni-overlay"
#: nmstate's port ``vlan`` keys.
PORT_VLAN_KEYS = frozenset({"mode", "trunk-tags", "tag", "enable-native"})
#: MTV NetworkMap destination types.
NETWORK_MAP_TYPES = frozenset({"multus", "pod", "ignored"})


@dataclass(frozen=True)
class Problem:
    """Why (part of) an object cannot be read as written.

    Attributes:
        field: dotted path of the field at fault within the object (``spec.config.vlanTrunk[0]``).
        key: stable key (``port-vlan-invalid``, ``vlan-trunk-invalid``, ...).
        message: what is wrong and how to fix it.
    """

    field: str
    key: str
    message: str


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def is_int(value: Any) -> TypeGuard[int]:
    """Whether *value* is a JSON integer (``bool`` is not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _u16(value: Any) -> int | None:
    """An nmstate number: an integer, or a string of decimal digits (nmstate's ``u16_or_string``)."""
    if is_int(value):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


# --------------------------------------------------------------------------------------------------
# NNCP bridge ports
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortVlans:
    """What one bridge port lets through (see the table in the module docstring).

    Attributes:
        shape: ``no-vlan-key``, ``no-vlan-key-not-up``, ``vlan-empty``, ``access``, ``trunk``,
            ``trunk-native``, ``no-mode``, ``ovs`` or ``invalid``.
        tagged: VLAN IDs allowed tagged on the wire.
        untagged: the bridge VLAN untagged wire frames belong to, ``None`` when they are dropped.
        filtering: the port has VLAN configuration (which makes its bridge VLAN-filtering).
        source: how this was decided, for messages.
    """

    shape: str
    tagged: Ranges
    untagged: int | None
    filtering: bool
    source: str

    def allows(self, vid: int) -> bool:
        """Whether frames of VLAN *vid* pass this port (tagged, or untagged as its native VLAN)."""
        return vid == self.untagged or contains(self.tagged, vid)


def read_port_vlans(
    port: Mapping[str, Any], path: str, bridge_up: bool = True
) -> tuple[PortVlans, list[Problem]]:
    """The VLANs of one nmstate ``linux-bridge`` port mapping *port* at *path* (``...bridge.port[0]``).

    *bridge_up*: the bridge says ``state: up`` (kubernetes-nmstate adds its default trunk only then).
    Returns the reading and its problems (field paths under *path*).
    """
    problems: list[Problem] = []
    vpath = f"{path}.vlan"
    vlan = port.get("vlan")
    if vlan is None:  # absent or null: kubernetes-nmstate's Vlan pointer is nil either way
        if bridge_up:
            return PortVlans(
                "no-vlan-key",
                NMSTATE_DEFAULT_TRUNK,
                DEFAULT_PVID,
                True,
                "no `vlan` key: kubernetes-nmstate's default trunk 2-4094, untagged frames in VLAN 1",
            ), problems
        return PortVlans(
            "no-vlan-key-not-up",
            (),
            DEFAULT_PVID,
            False,
            "no `vlan` key on a bridge without `state: up`: kubernetes-nmstate adds no trunk",
        ), problems
    if not isinstance(vlan, dict):
        problems.append(
            Problem(
                vpath,
                "port-vlan-invalid",
                "port vlan must be a mapping (mode, trunk-tags, tag, enable-native)",
            )
        )
        return PortVlans("invalid", (), None, True, "unreadable `vlan`"), problems
    if not vlan:
        return PortVlans(
            "vlan-empty", (), DEFAULT_PVID, False, "`vlan: {}`: no VLAN configuration, no trunk"
        ), problems
    for key in sorted(set(vlan) - PORT_VLAN_KEYS):
        problems.append(
            Problem(
                f"{vpath}.{key}",
                "port-vlan-key-unknown",
                f"unknown port vlan key {key!r}; nmstate accepts {', '.join(sorted(PORT_VLAN_KEYS))} and "
                "refuses the policy",
            )
        )
    mode = vlan.get("mode")
    tag = _u16(vlan.get("tag"))
    native = vlan.get("enable-native")
    if native is not None and not isinstance(native, bool) and native not in ("true", "false"):
        problems.append(
            Problem(f"{vpath}.enable-native", "port-vlan-invalid", "enable-native must be true or false")
        )
    native_on = native is True or native == "true"
    if "tag" in vlan and (tag is None or not 1 <= tag <= 4094):
        problems.append(
            Problem(f"{vpath}.tag", "vlan-out-of-range", f"tag {vlan['tag']!r} is not a VLAN ID 1-4094")
        )
        tag = None
    tags, tag_problems = _trunk_tags(vlan.get("trunk-tags"), f"{vpath}.trunk-tags")
    problems += tag_problems
    if mode == "access":
        if "tag" not in vlan:
            problems.append(
                Problem(f"{vpath}.tag", "port-vlan-invalid", "an access port needs its VLAN in 'tag'")
            )
        if native_on:
            problems.append(
                Problem(
                    f"{vpath}.enable-native",
                    "port-vlan-invalid",
                    "nmstate refuses enable-native in access mode",
                )
            )
        if _list(vlan.get("trunk-tags")):
            problems.append(
                Problem(
                    f"{vpath}.trunk-tags", "port-vlan-invalid", "nmstate refuses trunk-tags in access mode"
                )
            )
        return PortVlans("access", (), tag, True, f"access port (tag {tag})"), problems
    if mode == "trunk":
        if not isinstance(vlan.get("trunk-tags"), list):
            problems.append(
                Problem(f"{vpath}.trunk-tags", "port-vlan-invalid", "a trunk port needs a trunk-tags list")
            )
        if native_on and "tag" not in vlan:
            problems.append(
                Problem(f"{vpath}.tag", "port-vlan-invalid", "enable-native needs the native VLAN in 'tag'")
            )
        if "tag" in vlan and not native_on and tag:
            problems.append(
                Problem(
                    f"{vpath}.tag",
                    "port-vlan-invalid",
                    "nmstate refuses 'tag' in trunk mode without enable-native: true; add it or remove tag",
                )
            )
        if native_on and tag is not None:
            source = f"trunk-tags {format_ranges(tags, 'none')}, native VLAN {tag}"
            return PortVlans("trunk-native", tags, tag, True, source), problems
        if contains(tags, DEFAULT_PVID):  # the list names VLAN 1 itself: NM adds no default PVID
            source = f"trunk-tags {format_ranges(tags, 'none')}, untagged frames dropped (VLAN 1 is tagged)"
            return PortVlans("trunk", tags, None, True, source), problems
        source = (
            f"trunk-tags {format_ranges(tags, 'none')}, untagged frames in the default VLAN {DEFAULT_PVID}"
        )
        return PortVlans("trunk", tags, DEFAULT_PVID, True, source), problems
    if mode is None:
        problems.append(
            Problem(
                f"{vpath}.mode",
                "port-vlan-mode-missing",
                "no mode: nmstate configures no VLAN on this port, so its trunk-tags and tag are ignored; "
                "write mode: trunk or mode: access",
            )
        )
        return PortVlans("no-mode", (), DEFAULT_PVID, True, "no `mode`: nmstate sets no VLAN"), problems
    problems.append(
        Problem(f"{vpath}.mode", "port-vlan-invalid", f"mode {mode!r} must be 'trunk' or 'access'")
    )
    return PortVlans("invalid", (), None, True, f"mode {mode!r}"), problems


def _trunk_tags(raw: Any, path: str) -> tuple[Ranges, list[Problem]]:
    problems: list[Problem] = []
    ranges: list[tuple[int, int]] = []
    if raw is not None and not isinstance(raw, list):
        return (), [Problem(path, "port-vlan-invalid", "trunk-tags must be a list of {id} or {id-range}")]
    seen: set[int] = set()
    for i, entry in enumerate(_list(raw)):
        epath = f"{path}[{i}]"
        if not isinstance(entry, dict) or not ({"id", "id-range"} & set(entry)):
            problems.append(
                Problem(epath, "port-vlan-invalid", "a trunk-tags entry needs 'id' or 'id-range: {min, max}'")
            )
            continue
        if "id" in entry:
            if "id-range" in entry:
                problems.append(
                    Problem(
                        epath,
                        "port-vlan-invalid",
                        "entry has both id and id-range; nmstate reads id only: keep one",
                    )
                )
            vid = _u16(entry["id"])
            if vid is None or not 1 <= vid <= 4094:
                problems.append(
                    Problem(f"{epath}.id", "vlan-out-of-range", f"id {entry['id']!r} is not a VLAN ID 1-4094")
                )
                continue
            first = last = vid
        else:
            rng = entry["id-range"]
            rpath = f"{epath}.id-range"
            if not isinstance(rng, dict):
                problems.append(Problem(rpath, "port-vlan-invalid", "id-range must be {min: A, max: B}"))
                continue
            for key in sorted(set(rng) - {"min", "max"}):
                problems.append(
                    Problem(
                        f"{rpath}.{key}", "port-vlan-key-unknown", f"id-range has no key {key!r} (min, max)"
                    )
                )
            missing = [k for k in ("min", "max") if k not in rng]
            if missing:
                problems.append(
                    Problem(
                        rpath,
                        "port-vlan-invalid",
                        f"id-range needs both min and max; {' and '.join(missing)} missing",
                    )
                )
                continue
            lo, hi = _u16(rng["min"]), _u16(rng["max"])
            if lo is None or hi is None or not 1 <= lo <= hi <= 4094:
                problems.append(
                    Problem(
                        rpath,
                        "vlan-out-of-range",
                        f"id-range {rng['min']!r}-{rng['max']!r} is not an ordered range within 1-4094",
                    )
                )
                continue
            first, last = lo, hi
        span = set(range(first, last + 1))
        if span & seen:
            problems.append(
                Problem(
                    epath,
                    "port-vlan-invalid",
                    f"VLAN {min(span & seen)} is listed twice; nmstate refuses overlapping trunk tags",
                )
            )
        seen |= span
        ranges.append((first, last))
    return merge_ranges(ranges), problems


@dataclass(frozen=True)
class BridgePort:
    """A port of a bridge an NNCP creates, and what it lets through."""

    name: str
    path: str
    vlans: PortVlans


@dataclass(frozen=True)
class Bridge:
    """A ``linux-bridge`` or ``ovs-bridge`` an NNCP creates (its ``state`` is not ``absent``).

    ``ports_key``: ``port`` or ``ports`` (nmstate's alias), as written; ``stp``: STP enabled (nmstate's
    default when unset is on).
    """

    name: str
    path: str
    type: str
    state: str | None
    mtu: int | None
    ports_key: str
    ports: tuple[BridgePort, ...]
    stp: bool

    @property
    def vlan_filtering(self) -> bool:
        """Whether the bridge filters VLANs: one of its ports has VLAN configuration (nmstate)."""
        return any(p.vlans.filtering for p in self.ports)


def bridge_ports(bridge: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """``(key, ports)`` of an nmstate ``bridge`` mapping: ``port`` or its alias ``ports``."""
    for key in ("port", "ports"):
        if isinstance(bridge.get(key), list):
            return key, bridge[key]
    return "port", []


def nncp_interfaces(body: Mapping[str, Any]) -> list[Any]:
    """``spec.desiredState.interfaces`` of an NNCP body, or ``[]``."""
    return _list(_mapping(_mapping(_mapping(body).get("spec")).get("desiredState")).get("interfaces"))


def read_bridges(body: Mapping[str, Any]) -> tuple[list[Bridge], list[Problem]]:
    """Every bridge the NNCP *body* creates, with its ports' VLANs, and the problems of those ports.

    Interfaces without a string ``name`` and ports without one are left out of the reading and reported.
    """
    bridges: list[Bridge] = []
    problems: list[Problem] = []
    for i, iface in enumerate(nncp_interfaces(body)):
        iface = _mapping(iface)
        kind = iface.get("type")
        if kind not in ("linux-bridge", "ovs-bridge") or iface.get("state") == "absent":
            continue
        path = f"spec.desiredState.interfaces[{i}]"
        if not isinstance(iface.get("name"), str):
            continue  # reported with every interface's name (validate's name check)
        conf = _mapping(iface.get("bridge"))
        key, raw_ports = bridge_ports(conf)
        ports = []
        for j, port in enumerate(raw_ports):
            ppath = f"{path}.bridge.{key}[{j}]"
            port = _mapping(port)
            if not isinstance(port.get("name"), str):
                continue  # reported by the name check
            if kind == "ovs-bridge":
                vlans = PortVlans("ovs", ((1, 4094),), DEFAULT_PVID, True, "OVS bridge port (all VLANs)")
            else:
                vlans, port_problems = read_port_vlans(port, ppath, iface.get("state") == "up")
                problems += port_problems
            ports.append(BridgePort(port["name"], ppath, vlans))
        mtu = iface["mtu"] if is_int(iface.get("mtu")) else None
        stp_conf = _mapping(_mapping(conf.get("options")).get("stp"))
        stp = stp_conf.get("enabled", True) is not False
        state = iface.get("state") if isinstance(iface.get("state"), str) else None
        bridges.append(Bridge(iface["name"], path, str(kind), state, mtu, key, tuple(ports), stp))
    return bridges, problems


# --------------------------------------------------------------------------------------------------
# NAD configs
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CniVlans:
    """What one CNI plugin config puts on the node's uplink.

    Attributes:
        backend: ``bridge`` (bridge CNI), ``ovn-localnet``, or the CNI ``type`` for anything else.
        plugin: the CNI ``type`` as written.
        bridge: the Linux bridge (bridge CNI) or the localnet's physical network name (OVN), if given.
        tagged: tagged VLAN IDs.
        untagged: the VM's untagged frames leave the node untagged (no ``vlan`` or ``vlan: 0``; a
            ``vlanTrunk`` with ``preserveDefaultVlan`` true, its upstream default; a localnet without
            ``vlanID``). Always false for other plugins.
        field: the field holding the VLAN setting (``spec.config.vlan``, ``...vlanTrunk``, ``...vlanID``).
    """

    backend: str
    plugin: str
    bridge: str | None
    tagged: Ranges
    untagged: bool
    field: str

    @property
    def carries_vlans(self) -> bool:
        """Whether the plugin puts VM frames on the trunk (bridge CNI or OVN localnet)."""
        return self.backend in ("bridge", "ovn-localnet")


def read_cni_vlans(config: Mapping[str, Any], path: str) -> tuple[CniVlans, list[Problem]]:
    """The VLANs of one CNI plugin *config* at *path* (``spec.config`` or ``spec.config.plugins[1]``),
    and the problems of its VLAN settings (types, ranges, exclusive keys; see the module docstring)."""
    problems: list[Problem] = []
    cni_type = config.get("type")
    plugin = cni_type if isinstance(cni_type, str) else ""
    if cni_type in BRIDGE_CNI_TYPES:
        bridge = config.get("bridge") if isinstance(config.get("bridge"), str) else None
        vlan = config.get("vlan", 0)
        if "vlan" in config and not is_int(vlan):
            problems.append(
                Problem(
                    f"{path}.vlan",
                    "cni-type-mismatch",
                    f"vlan is {json.dumps(vlan)}; it must be a JSON integer",
                )
            )
            vlan = 0
        elif not 0 <= vlan <= 4094:
            problems.append(
                Problem(
                    f"{path}.vlan",
                    "vlan-out-of-range",
                    f"vlan {vlan} is outside 0-4094 (4095 is vSphere's 'all VLANs': use vlanTrunk 1-4094)",
                )
            )
            vlan = 0
        trunk, trunk_problems = _vlan_trunk(config.get("vlanTrunk"), f"{path}.vlanTrunk")
        problems += trunk_problems
        preserve = config.get("preserveDefaultVlan", True)
        if not isinstance(preserve, bool):
            problems.append(
                Problem(
                    f"{path}.preserveDefaultVlan",
                    "cni-type-mismatch",
                    f"preserveDefaultVlan is {json.dumps(preserve)}; it must be a JSON boolean",
                )
            )
            preserve = True
        if "vlanTrunk" in config:
            if vlan:
                problems.append(
                    Problem(
                        f"{path}.vlanTrunk",
                        "cni-vlan-and-trunk",
                        "vlan and vlanTrunk cannot be set together (the plugin refuses the config); keep one",
                    )
                )
            return CniVlans("bridge", plugin, bridge, trunk, preserve, f"{path}.vlanTrunk"), problems
        if vlan:
            return CniVlans("bridge", plugin, bridge, ((vlan, vlan),), False, f"{path}.vlan"), problems
        return CniVlans("bridge", plugin, bridge, (), True, f"{path}.vlan"), problems
    if cni_type == OVN_CNI_TYPE and config.get("topology") == "localnet":
        physical = config.get("physicalNetworkName", config.get("name"))
        net = physical if isinstance(physical, str) else None
        vlan = config.get("vlanID")
        fld = f"{path}.vlanID"
        if vlan is None:
            return CniVlans("ovn-localnet", plugin, net, (), True, fld), problems
        if not is_int(vlan):
            problems.append(
                Problem(fld, "cni-type-mismatch", f"vlanID is {json.dumps(vlan)}; it must be a JSON integer")
            )
            return CniVlans("ovn-localnet", plugin, net, (), False, fld), problems
        if not 1 <= vlan <= 4094:
            problems.append(
                Problem(
                    fld,
                    "vlan-out-of-range",
                    f"vlanID {vlan} is outside 1-4094; trunks and vSphere's 4095 need the bridge CNI",
                )
            )
            return CniVlans("ovn-localnet", plugin, net, (), False, fld), problems
        return CniVlans("ovn-localnet", plugin, net, ((vlan, vlan),), False, fld), problems
    backend = "ovn" if cni_type == OVN_CNI_TYPE else (plugin or "unknown")
    return CniVlans(backend, plugin, None, (), False, f"{path}.type"), problems


def _vlan_trunk(trunk: Any, path: str) -> tuple[Ranges, list[Problem]]:
    if trunk is None:
        return (), []
    if not isinstance(trunk, list):
        return (), [
            Problem(path, "cni-type-mismatch", f"vlanTrunk is {json.dumps(trunk)}; it must be a JSON list")
        ]
    problems: list[Problem] = []
    ranges: list[tuple[int, int]] = []
    for i, entry in enumerate(trunk):
        epath = f"{path}[{i}]"
        if not isinstance(entry, dict) or not entry:
            problems.append(
                Problem(
                    epath,
                    "vlan-trunk-invalid",
                    'a vlanTrunk entry must be {"id": N} or {"minID": A, "maxID": B}',
                )
            )
            continue
        for key in sorted(set(entry) - {"id", "minID", "maxID"}):
            problems.append(
                Problem(
                    f"{epath}.{key}",
                    "cni-key-unknown",
                    f"vlanTrunk entries have no key {key!r} (id, minID, maxID)",
                )
            )
        if ("minID" in entry) != ("maxID" in entry):
            gone = "maxID" if "minID" in entry else "minID"
            problems.append(
                Problem(
                    epath,
                    "vlan-trunk-invalid",
                    f"minID and maxID go together ({gone} is missing); the plugin refuses the config",
                )
            )
        elif "minID" in entry:
            lo, hi = entry["minID"], entry["maxID"]
            if not (is_int(lo) and is_int(hi) and 1 <= lo <= 4094 and 1 <= hi <= 4094):
                problems.append(
                    Problem(epath, "vlan-out-of-range", f"trunk range {lo!r}-{hi!r} is not within 1-4094")
                )
            elif lo > hi:
                problems.append(
                    Problem(epath, "vlan-trunk-invalid", f"minID {lo} is greater than maxID {hi}")
                )
            else:
                ranges.append((lo, hi))
        if "id" in entry:
            single = entry["id"]
            if not (is_int(single) and 1 <= single <= 4094):
                problems.append(
                    Problem(f"{epath}.id", "vlan-out-of-range", f"trunk id {single!r} is not within 1-4094")
                )
            else:
                ranges.append((single, single))
    return merge_ranges(ranges), problems


def parse_nad_config(spec: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The CNI config of a NAD ``spec`` (``spec.config``, a JSON string), or ``None`` with the problem."""
    raw = spec.get("config")
    if raw is None:
        return None, [
            Problem("spec.config", "nad-config-missing", "no spec.config: Multus has no CNI config to run")
        ]
    if not isinstance(raw, str):
        return None, [
            Problem(
                "spec.config",
                "nad-config-not-string",
                "spec.config must be a JSON string (quote the JSON object), not a YAML mapping",
            )
        ]
    try:
        config = json.loads(raw)
    except ValueError as exc:
        return None, [Problem("spec.config", "nad-config-json", f"spec.config is not valid JSON: {exc}")]
    if not isinstance(config, dict):
        return None, [Problem("spec.config", "nad-config-json", "spec.config must be a JSON object")]
    return config, []


def plugin_configs(config: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(path, plugin config)`` of a CNI config: each of a conflist's ``plugins``, else the config."""
    if isinstance(config.get("plugins"), list):
        return [(f"spec.config.plugins[{i}]", _mapping(p)) for i, p in enumerate(config["plugins"])]
    return [("spec.config", dict(config))]


def read_nad(body: Mapping[str, Any]) -> tuple[CniVlans | None, list[Problem]]:
    """What the NAD *body* puts on the uplink: its first VLAN-carrying plugin (bridge CNI or OVN localnet),
    else its first plugin; ``None`` when its config cannot be read. Problems of every plugin's VLAN
    settings are returned."""
    config, problems = parse_nad_config(_mapping(_mapping(body).get("spec")))
    if config is None:
        return None, problems
    readings = []
    for path, plugin in plugin_configs(config):
        reading, plugin_problems = read_cni_vlans(plugin, path)
        problems += plugin_problems
        readings.append(reading)
    chosen = next((r for r in readings if r.carries_vlans), readings[0] if readings else None)
    return chosen, problems


# --------------------------------------------------------------------------------------------------
# KubeVirt VM interfaces and networks
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VmInterface:
    """One ``spec.template.spec.domain.devices.interfaces[]`` entry.

    ``binding``: ``bridge``, ``masquerade``, ``sriov``, ... (the binding key present), else ``None``;
    ``state``: ``up`` (also when unset), ``down`` or ``absent``.
    """

    name: str | None
    path: str
    model: str | None
    mac: str | None
    binding: str | None
    state: str


@dataclass(frozen=True)
class VmNetwork:
    """One ``spec.template.spec.networks[]`` entry: ``multus`` (``nad``: ``ns/name``) or ``pod``."""

    name: str | None
    path: str
    kind: str | None
    nad: str | None


_BINDINGS = ("bridge", "masquerade", "sriov", "slirp", "macvtap", "passt", "binding")


def read_vm(body: Mapping[str, Any]) -> tuple[list[VmInterface], list[VmNetwork], list[Problem]]:
    """The interfaces and networks of a VirtualMachine (or of ``trunkline plan``'s merge patch), with the
    problems of each field (model, MAC, state, interface without network, networkName type)."""
    base = "spec.template.spec"
    vm_spec = _mapping(_mapping(_mapping(_mapping(body).get("spec")).get("template")).get("spec"))
    devices = _mapping(_mapping(vm_spec.get("domain")).get("devices"))
    problems: list[Problem] = []
    networks: list[VmNetwork] = []
    for j, net in enumerate(_list(vm_spec.get("networks"))):
        npath = f"{base}.networks[{j}]"
        net = _mapping(net)
        name = net.get("name") if isinstance(net.get("name"), str) else None
        if "multus" in net:
            ref = _mapping(net.get("multus")).get("networkName")
            if not isinstance(ref, str):
                problems.append(
                    Problem(
                        f"{npath}.multus.networkName",
                        "kubevirt-network-invalid",
                        "networkName must be a string",
                    )
                )
                ref = None
            networks.append(VmNetwork(name, npath, "multus", ref))
        else:
            networks.append(VmNetwork(name, npath, "pod" if "pod" in net else None, None))
    names = {n.name for n in networks}
    interfaces: list[VmInterface] = []
    for i, iface in enumerate(_list(devices.get("interfaces"))):
        ipath = f"{base}.domain.devices.interfaces[{i}]"
        iface = _mapping(iface)
        name = iface.get("name") if isinstance(iface.get("name"), str) else None
        model = iface.get("model")
        if model is not None and model not in KUBEVIRT_MODELS:
            hint = " (vSphere's vmxnet3 has no KubeVirt equivalent)" if model == "vmxnet3" else ""
            problems.append(
                Problem(
                    f"{ipath}.model",
                    "kubevirt-model-invalid",
                    f"model {model!r} is not a KubeVirt interface model{hint}; use virtio or one of "
                    f"{', '.join(m for m in KUBEVIRT_MODELS if m != 'virtio')}",
                )
            )
        mac = iface.get("macAddress")
        if mac is not None and (not isinstance(mac, str) or not is_mac(mac)):
            problems.append(
                Problem(
                    f"{ipath}.macAddress",
                    "kubevirt-mac-invalid",
                    f"macAddress {mac!r} is no MAC KubeVirt accepts (aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff or "
                    "aabb.ccdd.eeff)",
                )
            )
        binding = next((b for b in _BINDINGS if b in iface), None)
        state = iface.get("state", "up")
        if state not in KUBEVIRT_INTERFACE_STATES:
            problems.append(
                Problem(
                    f"{ipath}.state",
                    "kubevirt-state-invalid",
                    f"state {state!r} is none of KubeVirt's {', '.join(KUBEVIRT_INTERFACE_STATES)}; "
                    "the API server rejects the VM",
                )
            )
            state = "up"
        elif state == "absent" and binding != "bridge":
            problems.append(
                Problem(
                    f"{ipath}.state",
                    "kubevirt-state-absent-binding",
                    "state 'absent' (hot-unplug) is accepted for bridge binding only; use 'down' to keep "
                    "the NIC with its link down",
                )
            )
        if name not in names:
            problems.append(
                Problem(
                    f"{ipath}.name",
                    "kubevirt-network-missing",
                    f"interface {iface.get('name')!r} has no network of the same name in {base}.networks",
                )
            )
        interfaces.append(
            VmInterface(
                name,
                ipath,
                model if isinstance(model, str) else None,
                mac if isinstance(mac, str) else None,
                binding,
                str(state),
            )
        )
    return interfaces, networks, problems


# --------------------------------------------------------------------------------------------------
# MTV NetworkMaps
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapEntry:
    """One ``spec.map[]`` entry: the vSphere network (``source``: id or name) and its destination."""

    path: str
    source: str | None
    type: str | None
    namespace: str | None
    name: str | None


def read_network_map(body: Mapping[str, Any]) -> tuple[list[MapEntry], list[Problem]]:
    """The entries of an MTV NetworkMap with the problems of its providers and entries (missing fields,
    unknown destination types, a vSphere network mapped twice)."""
    spec = _mapping(_mapping(body).get("spec"))
    problems: list[Problem] = []
    provider = _mapping(spec.get("provider"))
    for side in ("source", "destination"):
        if not isinstance(_mapping(provider.get(side)).get("name"), str):
            problems.append(
                Problem(
                    f"spec.provider.{side}.name",
                    "networkmap-provider-missing",
                    f"spec.provider.{side} needs the name (and namespace) of an MTV Provider",
                )
            )
    entries_raw = spec.get("map")
    if not isinstance(entries_raw, list):
        problems.append(
            Problem("spec.map", "networkmap-map-missing", "spec.map must be a list of source -> destination")
        )
        return [], problems
    entries: list[MapEntry] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries_raw):
        path = f"spec.map[{i}]"
        entry = _mapping(entry)
        src = _mapping(entry.get("source"))
        ident = src.get("id") or src.get("name")
        if not isinstance(ident, str):
            problems.append(
                Problem(
                    f"{path}.source",
                    "networkmap-source-missing",
                    "source needs the vSphere network's id (dvportgroup-20, network-45) or name",
                )
            )
            ident = None
        elif ident in seen:
            problems.append(
                Problem(
                    f"{path}.source",
                    "networkmap-source-duplicate",
                    f"vSphere network {ident!r} is mapped twice (also spec.map[{seen[ident]}]); keep one",
                )
            )
        else:
            seen[ident] = i
        dest = _mapping(entry.get("destination"))
        dtype = dest.get("type")
        name, ns = dest.get("name"), dest.get("namespace")
        if dtype not in NETWORK_MAP_TYPES:
            problems.append(
                Problem(
                    f"{path}.destination.type",
                    "networkmap-type-invalid",
                    f"destination type {dtype!r} must be one of {', '.join(sorted(NETWORK_MAP_TYPES))}",
                )
            )
            dtype = None
        elif dtype == "multus" and not isinstance(name, str):
            problems.append(
                Problem(
                    f"{path}.destination.name",
                    "networkmap-nad-missing",
                    "a multus destination needs the NAD's name",
                )
            )
        elif dtype == "multus" and not isinstance(ns, str):
            problems.append(
                Problem(
                    f"{path}.destination.namespace",
                    "networkmap-nad-namespace-missing",
                    "a multus destination needs the NAD's namespace",
                )
            )
        entries.append(
            MapEntry(
                path,
                ident,
                dtype,
                ns if isinstance(ns, str) else None,
                name if isinstance(name, str) else None,
            )
        )
    return entries, problems
