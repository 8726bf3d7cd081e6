"""The subset of nmstate's desiredState that trunkline's NNCPs use, parsed and applied with pyroute2.

Supported (everything else is refused with :class:`~trunkline.errors.BadInputError`, naming the key):

* ``interfaces[]`` of ``type: linux-bridge`` with ``state: up``, ``mtu``, ``description``,
  ``ipv4``/``ipv6`` ``{enabled: false}``, ``bridge.options.stp.enabled``, and ``bridge.port[]`` entries
  ``{name, vlan}`` where ``vlan`` is ``{mode: trunk, trunk-tags: [{id} | {id-range: {min, max}}],
  enable-native, tag}``, ``{mode: access, tag}``, ``{}`` (no VLAN filtering) or absent;
* ``interfaces[]`` of ``type: ethernet`` with ``state: up``, ``mtu``, ``description``, ``ipv4``/``ipv6``
  disabled (the node's NICs).

Semantics follow nmstate's and kubernetes-nmstate's documentation: a port without a ``vlan`` key gets
kubernetes-nmstate's default trunk of VLANs 2-4094 (its webhook adds it); ``vlan: {}`` leaves the port
without VLAN configuration. A bridge is VLAN-filtering when one of its ports has VLAN configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trunkline.errors import BadInputError

#: kubernetes-nmstate's default trunk for bridge ports without a ``vlan`` key (docs/design.md).
DEFAULT_TRUNK = ((2, 4094),)


@dataclass(frozen=True)
class PortVlan:
    """VLANs of one bridge port: tagged ranges (inclusive ``(min, max)``) and the untagged native VLAN."""

    tagged: tuple[tuple[int, int], ...] = ()
    native: int | None = None

    def allows(self, vid: int) -> bool:
        """Whether frames of VLAN *vid* pass this port (tagged or as its native VLAN)."""
        return vid == self.native or any(lo <= vid <= hi for lo, hi in self.tagged)


@dataclass(frozen=True)
class BridgePort:
    """A port of a bridge: the interface name and its VLANs (``None``: no VLAN configuration)."""

    name: str
    vlan: PortVlan | None


@dataclass(frozen=True)
class Bridge:
    """A ``linux-bridge`` interface of the desiredState."""

    name: str
    ports: tuple[BridgePort, ...]
    stp: bool = False
    mtu: int | None = None

    @property
    def vlan_filtering(self) -> bool:
        return any(p.vlan is not None for p in self.ports)


@dataclass(frozen=True)
class Ethernet:
    """An ``ethernet`` interface (a node NIC): name and MTU."""

    name: str
    mtu: int | None = None


@dataclass(frozen=True)
class NodeState:
    """The node's desired network state: bridges and NICs, merged from every NNCP, with their origin."""

    bridges: list[Bridge] = field(default_factory=list)
    ethernets: list[Ethernet] = field(default_factory=list)

    def bridge(self, name: str) -> Bridge | None:
        return next((b for b in self.bridges if b.name == name), None)

    @property
    def nics(self) -> list[str]:
        """Names of the node NICs: every bridge port that is not itself a bridge of this state."""
        names = {b.name for b in self.bridges}
        out = [p.name for b in self.bridges for p in b.ports if p.name not in names]
        out += [e.name for e in self.ethernets if e.name not in out]
        return out

    def mtu_of(self, nic: str) -> int | None:
        return next((e.mtu for e in self.ethernets if e.name == nic), None)


def _refuse(where: str, what: str) -> BadInputError:
    return BadInputError(
        f"{where}: {what} is outside what `trunkline lab` applies (linux-bridge with ports, "
        "port VLAN trunk/access, stp, mtu, state up, ipv4/ipv6 disabled; ethernet NICs); "
        "remove it or test that part on a cluster"
    )


def _check_keys(where: str, obj: dict[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        raise _refuse(where, f"key {extra[0]!r}")


def _ip_disabled(where: str, iface: dict[str, Any]) -> None:
    for fam in ("ipv4", "ipv6"):
        conf = iface.get(fam)
        if conf is not None and (
            not isinstance(conf, dict) or conf.get("enabled", False) or set(conf) - {"enabled"}
        ):
            raise _refuse(where, f"{fam} {conf!r} (only {{enabled: false}})")


def _port_vlan(where: str, port: dict[str, Any]) -> PortVlan | None:
    if "vlan" not in port:
        return PortVlan(tagged=DEFAULT_TRUNK)
    vlan = port["vlan"] or {}
    if not isinstance(vlan, dict):
        raise _refuse(where, f"vlan {vlan!r}")
    if not vlan:
        return None
    _check_keys(where + ".vlan", vlan, {"mode", "trunk-tags", "enable-native", "tag"})
    mode, tag = vlan.get("mode"), vlan.get("tag")
    if mode == "access":
        if not isinstance(tag, int) or not 1 <= tag <= 4094:
            raise BadInputError(f"{where}.vlan: access mode needs tag 1-4094, got {tag!r}; fix the NNCP")
        return PortVlan(native=tag)
    if mode != "trunk":
        raise _refuse(where + ".vlan", f"mode {mode!r}")
    ranges: list[tuple[int, int]] = []
    for entry in vlan.get("trunk-tags") or []:
        if isinstance(entry, dict) and set(entry) == {"id"}:
            ranges.append((int(entry["id"]), int(entry["id"])))
        elif isinstance(entry, dict) and set(entry) == {"id-range"}:
            rng = entry["id-range"] or {}
            ranges.append((int(rng["min"]), int(rng["max"])))
        else:
            raise _refuse(where + ".vlan.trunk-tags", f"entry {entry!r}")
    for lo, hi in ranges:
        if not 1 <= lo <= hi <= 4094:
            raise BadInputError(
                f"{where}.vlan.trunk-tags: VLAN range {lo}-{hi} is not within 1-4094; fix the NNCP"
            )
    native = int(tag) if vlan.get("enable-native") and tag is not None else None
    return PortVlan(tagged=tuple(ranges), native=native)


def parse_desired_state(states: list[tuple[str, dict[str, Any]]]) -> NodeState:
    """Merge the desiredState of each ``(NNCP name, desiredState)`` into one :class:`NodeState`.

    Raises:
        BadInputError: anything outside the supported subset (see the module docstring), naming the NNCP,
            the interface and the key.
    """
    node = NodeState()
    for nncp, state in states:
        _check_keys(f"NNCP {nncp}: desiredState", state, {"interfaces"})
        for i, iface in enumerate(state.get("interfaces") or []):
            name = str(iface.get("name", ""))
            where = f"NNCP {nncp}: interfaces[{i}] {name}"
            kind, st = iface.get("type"), iface.get("state", "up")
            if st != "up":
                raise _refuse(where, f"state {st!r}")
            _ip_disabled(where, iface)
            mtu = iface.get("mtu")
            if kind == "ethernet":
                _check_keys(where, iface, {"name", "type", "state", "mtu", "description", "ipv4", "ipv6"})
                node.ethernets.append(Ethernet(name, mtu))
            elif kind == "linux-bridge":
                _check_keys(
                    where, iface, {"name", "type", "state", "mtu", "description", "ipv4", "ipv6", "bridge"}
                )
                br = iface.get("bridge") or {}
                _check_keys(where + ".bridge", br, {"options", "port"})
                options = br.get("options") or {}
                _check_keys(where + ".bridge.options", options, {"stp"})
                stp = bool((options.get("stp") or {}).get("enabled", True))
                ports = []
                for port in br.get("port") or []:
                    _check_keys(where + ".bridge.port", port, {"name", "vlan"})
                    ports.append(
                        BridgePort(str(port["name"]), _port_vlan(f"{where}.port {port['name']}", port))
                    )
                if len(ports) > 1:
                    raise _refuse(where, f"{len(ports)} ports (the lab wires one uplink port per bridge)")
                node.bridges.append(Bridge(name, tuple(ports), stp, mtu))
            else:
                raise _refuse(where, f"type {kind!r}")
    return node
