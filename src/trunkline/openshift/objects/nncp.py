"""NNCP bridges and their ports: what each ``linux-bridge``/``ovs-bridge`` port lets through.

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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trunkline.facts import DEFAULT_PVID, NMSTATE_DEFAULT_TRUNK
from trunkline.openshift.objects.common import Problem, _list, _mapping, _u16, is_int
from trunkline.vlanranges import Ranges, contains, format_ranges, merge_ranges

#: nmstate's port ``vlan`` keys.
PORT_VLAN_KEYS = frozenset({"mode", "trunk-tags", "tag", "enable-native"})


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
