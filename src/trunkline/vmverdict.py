"""Per-VM verdicts: the plan index joined with the (VLAN, source MAC) pairs a trunk counter learned (pure).

Input: the index's VM NICs (:mod:`trunkline.planindex`), the learned pairs of one or more trunk NICs
(anything shaped like :class:`trunkline.xdp.macs.MacEntry`), and the NADs' VLANs as the directory holds
them. Output, per VM NIC, one verdict (JSON ``state``, fixed in the design):

* ``seen``: the MAC is on an expected VLAN (and on no other);
* ``wrong-vlan``: the MAC is seen only on VLANs it is not expected on. An error (``verify`` exits 1);
* ``on-several-vlans``: on an expected VLAN and on others. A warning;
* ``not-seen``: nothing from the MAC. The message says whether the expected VLAN carried any frame
  ("the VLAN is live but this VM sent nothing") or none ("the VLAN is silent here"), and says when
  silence is expected: powered-off or suspended VMs, templates, disconnected NICs.

The **expected** VLANs are the port group's in vSphere; the NAD's VLANs are shown beside them, and a
NAD that carries other VLANs than the port group is an error of the plan (``nad_mismatch``), whatever
the wire shows.

**Direction** says where the MAC's owner runs: a pair *received* (``rx``) on the trunk came across it,
from a VM still on vSphere or on another node; a pair *sent* (``tx``) left this node, so the VM runs
here. VLAN 0 (priority-tagged) is untagged, as IEEE 802.1Q treats it.

MACs that belong to no NIC of the index (routers, physical hosts, VMs outside the plan) are counted per
VLAN, and the busiest listed (:class:`StrangerVlan`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from trunkline.planindex import IndexNic, VlanSet

State = Literal["seen", "wrong-vlan", "on-several-vlans", "not-seen"]
STATES: tuple[State, ...] = ("seen", "wrong-vlan", "on-several-vlans", "not-seen")
ANOMALIES: tuple[State, ...] = ("wrong-vlan", "on-several-vlans")
BUSIEST = 5
"""Unplanned MACs listed per VLAN (the count covers them all)."""

WHERE = {
    "rx": "received: across the trunk (still on vSphere, or on another node)",
    "tx": "sent: runs on this node",
}


class LearnedPair(Protocol):
    """One learned (direction, VLAN, source MAC) pair: :class:`trunkline.xdp.macs.MacEntry`."""

    @property
    def direction(self) -> str: ...
    @property
    def vlan(self) -> int | None: ...
    @property
    def mac(self) -> str: ...
    @property
    def packets(self) -> int: ...
    @property
    def bytes(self) -> int: ...
    @property
    def last_seen(self) -> float: ...


def vlan_text(vlan: int | None) -> str:
    """``40`` / ``untagged`` / ``0 (priority)``."""
    return "untagged" if vlan is None else ("0 (priority)" if vlan == 0 else str(vlan))


@dataclass(frozen=True)
class Sighting:
    """A MAC on one VLAN in one direction, summed over the trunk NICs it was seen on."""

    vlan: int | None
    direction: str
    packets: int
    bytes: int
    last_seen: float
    interfaces: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"vlan": self.vlan, "direction": self.direction, "packets": self.packets, "bytes": self.bytes,
                "last_seen": round(self.last_seen, 3), "interfaces": list(self.interfaces)}


@dataclass(frozen=True)
class NicVerdict:
    """The verdict on one VM NIC.

    Attributes:
        nic: the index entry. state: see the module docstring.
        sightings: where its MAC was seen (VLAN, direction), untagged first, then by VLAN, rx before tx.
        nad_vlans: the NAD's VLANs as the directory holds them (``None``: no NAD).
        nad_mismatch: the NAD carries other VLANs than the port group (an error of the plan).
        vlan_live: for ``not-seen``: whether an expected VLAN carried any frame in the window.
    """

    nic: IndexNic
    state: State
    sightings: tuple[Sighting, ...]
    nad_vlans: VlanSet | None
    nad_mismatch: bool
    vlan_live: bool

    @property
    def seen_vlans(self) -> tuple[int | None, ...]:
        """The VLANs the MAC was seen on (each once), untagged first."""
        return tuple(dict.fromkeys(s.vlan for s in self.sightings))

    @property
    def directions(self) -> tuple[str, ...]:
        """``rx`` and/or ``tx``, in that order."""
        return tuple(d for d in ("rx", "tx") if any(s.direction == d for s in self.sightings))

    @property
    def severity(self) -> Literal["error", "warning", "ok", "info"]:
        if self.state == "wrong-vlan" or self.nad_mismatch:
            return "error"
        if self.state == "on-several-vlans":
            return "warning"
        return "ok" if self.state == "seen" else "info"

    def seen_text(self, unexpected_only: bool = False) -> str:
        """``VLAN 20 (sent: runs on this node)`` / ``VLANs 10, 20 (received: ...)``; only the VLANs outside
        the expected ones with *unexpected_only*."""
        shown = [s for s in self.sightings
                 if not (unexpected_only and _norm(s.vlan) in self.nic.expected)]
        vlans = list(dict.fromkeys(s.vlan for s in shown))
        where = "; ".join(WHERE[d] for d in ("rx", "tx") if any(s.direction == d for s in shown))
        return f"VLAN{'s' if len(vlans) > 1 else ''} {', '.join(vlan_text(v) for v in vlans)} ({where})"

    def message(self) -> str:
        """The one-line explanation shown beside the verdict."""
        n = self.nic
        expected = n.expected.describe()
        if self.state == "seen":
            text = f"seen on {self.seen_text()}"
            if n.quiet_reason:
                text += f"; the inventory says {n.quiet_reason}: it has changed since, or the MAC is reused"
        elif self.state == "wrong-vlan":
            text = (f"VM {n.vm} {n.nic} ({n.mac}) expected on VLAN {expected} (port group {n.port_group}), "
                    f"seen only on {self.seen_text()}")
        elif self.state == "on-several-vlans":
            text = f"on VLAN {expected} as expected, and also on {self.seen_text(unexpected_only=True)}"
        elif n.mac is None:
            text = "not seen: the inventory has no MAC for this NIC, so it cannot be checked"
        elif n.expected.empty:
            text = "not seen: its port group is unknown, so no VLAN is expected"
        elif n.quiet_reason:
            what = ("the NIC is disconnected" if n.quiet_reason == "disconnected"
                    else f"the VM is {n.quiet_reason}")
            text = f"not seen, as expected: {what}"
        elif self.vlan_live:
            text = f"not seen: VLAN {expected} is live but this VM sent nothing in the window"
        else:
            text = f"not seen: VLAN {expected} is silent here (not on this trunk, or idle)"
        if self.nad_mismatch and self.nad_vlans is not None:
            text += (f"; plan error: NAD {n.nad} carries VLAN {self.nad_vlans.describe()}, the port group "
                     f"VLAN {expected}")
        return text

    def to_json(self) -> dict[str, Any]:
        n = self.nic
        return {
            "state": self.state, "vm": n.vm, "target": n.target, "nic": n.nic, "mac": n.mac,
            "port_group": n.port_group, "expected_vlans": n.expected.to_json(),
            "expected": n.expected.describe(), "nad": n.nad,
            "nad_vlans": None if self.nad_vlans is None else self.nad_vlans.describe(),
            "nad_mismatch": self.nad_mismatch, "seen_vlans": list(self.seen_vlans),
            "directions": list(self.directions), "sightings": [s.to_json() for s in self.sightings],
            "power_state": n.power_state, "connected": n.connected, "template": n.template,
            "expected_quiet": n.quiet_reason, "vlan_live": self.vlan_live, "severity": self.severity,
            "message": self.message(),
        }


@dataclass(frozen=True)
class StrangerVlan:
    """MACs on one VLAN that belong to no NIC of the index: how many, and the busiest (most packets)."""

    vlan: int | None
    count: int
    busiest: tuple[Sighting, ...]
    macs: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"vlan": self.vlan, "count": self.count,
                "busiest": [{"mac": m, **s.to_json()} for m, s in zip(self.macs, self.busiest, strict=True)]}


@dataclass(frozen=True)
class VmVerdicts:
    """Every NIC's verdict (index order) and the unplanned MACs per VLAN (untagged first)."""

    nics: tuple[NicVerdict, ...]
    strangers: tuple[StrangerVlan, ...]

    def counts(self) -> dict[State, int]:
        """NICs per state, every state present (0 when none)."""
        out: dict[State, int] = dict.fromkeys(STATES, 0)
        for v in self.nics:
            out[v.state] += 1
        return out

    @property
    def errors(self) -> tuple[NicVerdict, ...]:
        """``wrong-vlan`` NICs and NICs whose NAD disagrees with the port group."""
        return tuple(v for v in self.nics if v.severity == "error")


def _key(vlan: int | None) -> int:
    return -1 if vlan is None else vlan


def _norm(vlan: int | None) -> int | None:
    """VLAN 0 is untagged for matching (802.1Q priority tag)."""
    return None if vlan == 0 else vlan


def nad_mismatch(expected: VlanSet, nad: VlanSet | None) -> bool:
    """Whether a NAD carrying *nad* puts the VM on other VLANs than its port group (*expected*).

    An access or untagged port group needs the same access VLAN or untagged NAD; a trunk port group a
    NAD trunk with the same ranges. Port groups passing every VLAN (4095) are not compared: the guest
    picks its VLANs.
    """
    if nad is None or expected.every or expected.empty:
        return False
    return expected.ranges != nad.ranges or (not expected.ranges and not nad.untagged)


def judge(
    nics: Sequence[IndexNic],
    pairs: Iterable[tuple[str, LearnedPair]],
    nad_vlans: Mapping[str, VlanSet] | None = None,
    live_vlans: Iterable[int | None] = (),
    since: float | None = None,
    busiest: int = BUSIEST,
) -> VmVerdicts:
    """The verdict of every NIC in *nics*.

    Args:
        nics: the index's VM NICs (or one node group's).
        pairs: ``(interface, learned pair)`` for every pair the trunk counters hold.
        nad_vlans: NAD ``namespace/name`` -> its VLANs as the directory holds it (default: the index's).
        live_vlans: VLANs known to carry frames in the window besides those the pairs show (the per-VLAN
            counters; they are complete when the MAC table is not).
        since: ignore pairs last seen before this Unix time (the anomaly window); ``None``: all.
        busiest: unplanned MACs listed per VLAN.

    Returns:
        :class:`VmVerdicts`. Pure.
    """
    acc: dict[str, dict[tuple[int | None, str], list[Any]]] = {}
    live: set[int | None] = {_norm(v) for v in live_vlans}
    for interface, pair in pairs:
        if since is not None and pair.last_seen < since:
            continue
        live.add(_norm(pair.vlan))
        slot = acc.setdefault(pair.mac, {}).setdefault((pair.vlan, pair.direction), [0, 0, 0.0, []])
        slot[0] += pair.packets
        slot[1] += pair.bytes
        slot[2] = max(slot[2], pair.last_seen)
        if interface not in slot[3]:
            slot[3].append(interface)
    sightings = {
        mac: tuple(Sighting(vlan, d, p, b, last, tuple(sorted(ifs)))
                   for (vlan, d), (p, b, last, ifs) in sorted(slots.items(), key=lambda kv: (_key(kv[0][0]),
                                                                                            kv[0][1])))
        for mac, slots in acc.items()
    }
    verdicts = []
    for nic in nics:
        seen = sightings.get(nic.mac or "", ()) if nic.mac else ()
        inside = [s for s in seen if _norm(s.vlan) in nic.expected]
        if not seen:
            state: State = "not-seen"
        elif len(inside) == len(seen):
            state = "seen"
        elif inside:
            state = "on-several-vlans"
        else:
            state = "wrong-vlan"
        nad = (nad_vlans or {}).get(nic.nad or "", nic.nad_vlans) if nic.nad else None
        vlan_live = any(v in nic.expected for v in live)
        verdicts.append(NicVerdict(nic, state, seen, nad, nad_mismatch(nic.expected, nad), vlan_live))
    planned = {n.mac for n in nics if n.mac}
    strangers: dict[int | None, list[tuple[str, Sighting]]] = {}
    for mac, seen in sightings.items():
        if mac in planned:
            continue
        for vlan in dict.fromkeys(s.vlan for s in seen):
            on = [s for s in seen if s.vlan == vlan]
            total = Sighting(vlan, "+".join(s.direction for s in on), sum(s.packets for s in on),
                             sum(s.bytes for s in on), max(s.last_seen for s in on),
                             tuple(sorted({i for s in on for i in s.interfaces})))
            strangers.setdefault(vlan, []).append((mac, total))
    rows = []
    for vlan in sorted(strangers, key=_key):
        found = sorted(strangers[vlan], key=lambda ms: (-ms[1].packets, ms[0]))
        top = found[:busiest]
        rows.append(StrangerVlan(vlan, len(found), tuple(s for _, s in top), tuple(m for m, _ in top)))
    return VmVerdicts(tuple(verdicts), tuple(rows))
