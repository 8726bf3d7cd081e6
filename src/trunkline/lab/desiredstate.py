"""The subset of nmstate's desiredState that trunkline's NNCPs use, parsed and applied with pyroute2.

Supported (everything else is refused with :class:`~trunkline.errors.BadInputError`, naming the key):

* ``interfaces[]`` of ``type: linux-bridge`` with ``state: up``, ``mtu``, ``description``,
  ``ipv4``/``ipv6`` ``{enabled: false}``, ``bridge.options.stp.enabled``, and ``bridge.port[]`` entries
  ``{name, vlan}`` where ``vlan`` is ``{mode: trunk, trunk-tags: [{id} | {id-range: {min, max}}],
  enable-native, tag}``, ``{mode: access, tag}``, ``{}`` (no VLAN filtering) or absent;
* ``interfaces[]`` of ``type: ethernet`` with ``state: up``, ``mtu``, ``description``, ``ipv4``/``ipv6``
  disabled (the node's NICs).

What each port's ``vlan`` means is read by :func:`trunkline.openshift.objects.read_port_vlans`, the
reading ``validate`` uses (the table of shapes and their upstream sources is there and in docs/design.md):
the lab builds exactly the tagged VLANs and the untagged (PVID) VLAN of that reading, or refuses the port
with the reading's first problem. A bridge is VLAN-filtering when one of its ports has VLAN configuration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trunkline.errors import BadInputError
from trunkline.openshift.objects import read_port_vlans
from trunkline.vlanranges import contains


@dataclass(frozen=True)
class PortVlan:
    """VLANs of one bridge port: tagged ranges (inclusive ``(min, max)``) and the untagged native VLAN."""

    tagged: tuple[tuple[int, int], ...] = ()
    native: int | None = None

    def allows(self, vid: int) -> bool:
        """Whether frames of VLAN *vid* pass this port (tagged or as its native VLAN)."""
        return vid == self.native or contains(self.tagged, vid)


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


def _mapped(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _refuse(where, f"{value!r} (not a mapping)")
    return value


def _listed(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _refuse(where, f"{value!r} (not a list)")
    return value


def _ip_disabled(where: str, iface: dict[str, Any]) -> None:
    for fam in ("ipv4", "ipv6"):
        conf = iface.get(fam)
        if conf is not None and (
            not isinstance(conf, dict) or conf.get("enabled", False) or set(conf) - {"enabled"}
        ):
            raise _refuse(where, f"{fam} {conf!r} (only {{enabled: false}})")


def _port_vlan(where: str, port: dict[str, Any], path: str, bridge_up: bool) -> PortVlan | None:
    """The VLANs the lab gives *port* (``None``: no VLAN configuration), as validate reads them."""
    vlans, problems = read_port_vlans(port, path, bridge_up)
    if problems:
        raise BadInputError(
            f"{where}: {problems[0].field}: {problems[0].message}; fix the NNCP (`trunkline validate` "
            "lists every problem)"
        )
    if not vlans.filtering:
        return None
    return PortVlan(tagged=vlans.tagged, native=vlans.untagged)


def parse_desired_state(
    states: list[tuple[str, dict[str, Any]]], locate: Callable[[int, str], str] | None = None
) -> NodeState:
    """Merge the desiredState of each ``(NNCP name, desiredState)`` into one :class:`NodeState`.

    *locate* ``(index of the NNCP, field path)`` -> ``file:line`` names where a refused field is.

    Raises:
        BadInputError: anything outside the supported subset (see the module docstring), or a port VLAN
            ``validate`` reports, naming the NNCP (and its file and line), the interface and the key.
    """
    node = NodeState()
    for k, (nncp, state) in enumerate(states):
        _check_keys(f"NNCP {nncp}: desiredState", state, {"interfaces"})
        for i, iface in enumerate(_listed(state.get("interfaces"), f"NNCP {nncp}: desiredState.interfaces")):
            if not isinstance(iface, dict):
                raise _refuse(f"NNCP {nncp}: interfaces[{i}]", f"{iface!r} (not a mapping)")
            name = str(iface.get("name", ""))
            path = f"spec.desiredState.interfaces[{i}]"
            place = f"{locate(k, path)}: " if locate else ""
            where = f"{place}NNCP {nncp}: interfaces[{i}] {name}"
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
                br = _mapped(iface.get("bridge"), where + ".bridge")
                _check_keys(where + ".bridge", br, {"options", "port"})
                options = _mapped(br.get("options"), where + ".bridge.options")
                _check_keys(where + ".bridge.options", options, {"stp"})
                stp = bool(_mapped(options.get("stp"), where + ".bridge.options.stp").get("enabled", True))
                ports = []
                for j, port in enumerate(_listed(br.get("port"), where + ".bridge.port")):
                    ppath = f"{path}.bridge.port[{j}]"
                    pwhere = f"{locate(k, ppath)}: NNCP {nncp}" if locate else where
                    if not isinstance(port, dict) or not isinstance(port.get("name"), str):
                        raise BadInputError(
                            f"{pwhere}: bridge.port[{j}] has no name; name the NIC (e.g. ens34)"
                        )
                    _check_keys(where + ".bridge.port", port, {"name", "vlan"})
                    vlan = _port_vlan(pwhere, port, ppath, st == "up" and iface.get("state") == "up")
                    ports.append(BridgePort(port["name"], vlan))
                if len(ports) > 1:
                    raise _refuse(where, f"{len(ports)} ports (the lab wires one uplink port per bridge)")
                node.bridges.append(Bridge(name, tuple(ports), stp, mtu))
            else:
                raise _refuse(where, f"type {kind!r}")
    return node
