"""Counter snapshots and the arithmetic on them (pure: no kernel, no I/O).

A :class:`Snapshot` is what one read of a counter's per-CPU maps gives, already summed over all
possible CPUs, for one interface and one direction. Counts are cumulative since the counter was attached.

Counting rules (``docs/design.md``): every frame lands in exactly one VLAN slot and in exactly one of
a (family, protocol) slot, an EtherType slot, or ``truncated``. So ``sum(vlans) == total`` and
``sum(protocols) + sum(ethertypes) + truncated == total``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Direction = Literal["rx", "tx"]
Family = Literal["ipv4", "ipv6"]
Hook = Literal["xdp", "tc"]


@dataclass(frozen=True, slots=True)
class Cell:
    """A packet count and a byte count (bytes as on the wire, without FCS, VLAN tags included)."""

    packets: int = 0
    bytes: int = 0

    def __add__(self, other: Cell) -> Cell:
        return Cell(self.packets + other.packets, self.bytes + other.bytes)

    def __sub__(self, other: Cell) -> Cell:
        return Cell(self.packets - other.packets, self.bytes - other.bytes)

    def __bool__(self) -> bool:
        return bool(self.packets or self.bytes)


@dataclass(frozen=True)
class Snapshot:
    """Cumulative counts of one interface and direction at one instant.

    Attributes:
        interface: interface name (``ens34``).
        ifindex: the kernel's interface index.
        direction: ``rx`` or ``tx`` (the XDP hook only has ``rx``).
        hook: ``xdp`` or ``tc``.
        mode: XDP attach mode ``generic`` / ``native``; ``None`` for TC.
        monotonic_ns: ``time.monotonic_ns()`` when the maps were read (for rates).
        time: ``time.time()`` when the maps were read (Unix seconds, for records).
        vlans: outer VLAN ID (0-4095) or ``None`` (untagged) -> counts. Only non-zero rows.
        protocols: (family, IP protocol number 0-255) -> counts. Only non-zero rows.
        ethertypes: EtherType of non-IP frames -> counts. Only non-zero rows.
        truncated: frames cut short before the headers that decide their slot.
    """

    interface: str
    ifindex: int
    direction: Direction
    hook: Hook
    mode: str | None
    monotonic_ns: int
    time: float
    vlans: Mapping[int | None, Cell] = field(default_factory=dict)
    protocols: Mapping[tuple[Family, int], Cell] = field(default_factory=dict)
    ethertypes: Mapping[int, Cell] = field(default_factory=dict)
    truncated: Cell = Cell()

    @property
    def total(self) -> Cell:
        """All frames: the sum of the VLAN slots."""
        out = Cell()
        for cell in self.vlans.values():
            out = out + cell
        return out
