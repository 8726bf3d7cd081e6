"""The learned (VLAN, source MAC) pairs of a counter, as read from its kernel map (pure: no I/O).

The counter (``counter.bpf.c``, ``tl_macs``) keeps, per interface, direction, VLAN slot and source
MAC, the frames' packets and bytes and when the pair was first and last seen. The map is an LRU hash
of bounded size: when it is full the kernel evicts the least recently used pairs without telling
anyone, so the counter also counts every new pair it inserts. More pairs inserted than pairs in the
map means some were evicted: the view is *partial* (pairs seen earlier may be missing, and a pair seen
again after its eviction counts only from its return).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from trunkline.xdp.stats import Direction


class MacEntry(NamedTuple):
    """One learned pair: frames with source MAC *mac* on VLAN *vlan*, in one direction (immutable; a
    named tuple because a full table builds 32,768 of them per read).

    Attributes:
        direction: ``rx`` (received: the MAC lives across the trunk) or ``tx`` (sent: on this node).
        vlan: the outer VLAN ID (0-4095) or ``None`` for untagged frames (the counter's VLAN slot).
        mac: source MAC address, lowercase ``aa:bb:cc:dd:ee:ff``.
        packets, bytes: cumulative since the pair was inserted (bytes as the counter counts them).
        first_seen, last_seen: Unix seconds, converted from the kernel's CLOCK_MONOTONIC (coarse: one
            scheduler tick, 1-4 ms, of resolution).
    """

    direction: Direction
    vlan: int | None
    mac: str
    packets: int
    bytes: int
    first_seen: float
    last_seen: float


@dataclass(frozen=True)
class MacTable:
    """One read of a counter's learned pairs.

    Attributes:
        entries: the pairs, sorted by direction, VLAN (untagged first), then MAC.
        inserts: new pairs the kernel inserted since the counter was loaded (both directions).
        live: pairs in the map now (``len(entries)``).
        capacity: the map's size (``max_entries``), shared by both directions.
        failed: frames whose new pair the kernel could not insert (not learned; normally 0).
        inserts_by_direction: ``{"rx": n, "tx": n}``, the directions' shares of *inserts*.
    """

    entries: tuple[MacEntry, ...]
    inserts: int
    live: int
    capacity: int
    failed: int = 0
    inserts_by_direction: Mapping[Direction, int] = field(default_factory=dict)

    @property
    def partial(self) -> bool:
        """Whether pairs were evicted (inserts > live) or not inserted (failed > 0): the view misses some."""
        return self.inserts > self.live or self.failed > 0

    @property
    def evicted(self) -> int:
        """Pairs inserted and no longer in the map."""
        return max(self.inserts - self.live, 0)

    def of(self, direction: Direction) -> tuple[MacEntry, ...]:
        """The entries of one direction."""
        return tuple(e for e in self.entries if e.direction == direction)


def sort_key(entry: MacEntry) -> tuple[int, int, str]:
    """Order of :attr:`MacTable.entries` within a direction: untagged first, then VLAN ID, then MAC."""
    return (0 if entry.vlan is None else 1, entry.vlan or 0, entry.mac)


def by_vlan(entries: Iterable[MacEntry]) -> dict[int | None, list[MacEntry]]:
    """*entries* grouped per VLAN (``None`` = untagged; untagged first, then by VLAN ID), most packets
    first within a VLAN (then by MAC)."""
    groups: dict[int | None, list[MacEntry]] = {}
    for entry in sorted(entries, key=sort_key):
        groups.setdefault(entry.vlan, []).append(entry)
    for rows in groups.values():
        rows.sort(key=lambda e: (-e.packets, e.mac))
    return groups


def table_fields(table: MacTable) -> dict[str, Any]:
    """The ``mac_table`` object of ``count --json`` records (whole table, both directions)."""
    return {"inserts": table.inserts, "live": table.live, "capacity": table.capacity,
            "partial": table.partial, "failed": table.failed}


def entry_fields(entry: MacEntry) -> dict[str, Any]:
    """One row of a record's ``macs`` list (times rounded to milliseconds)."""
    return {"vlan": entry.vlan, "mac": entry.mac, "packets": entry.packets, "bytes": entry.bytes,
            "first_seen": round(entry.first_seen, 3), "last_seen": round(entry.last_seen, 3)}


def partial_note(table: MacTable) -> str:
    """One line saying how partial the view is, or ``""`` when it is complete."""
    if not table.partial:
        return ""
    parts = []
    if table.evicted:
        parts.append(f"{table.evicted:,} of {table.inserts:,} pairs learned were evicted")
    if table.failed:
        parts.append(f"{table.failed:,} frames could not be learned")
    return (f"MAC table partial: {'; '.join(parts)} (table holds {table.capacity:,} pairs): "
            f"pairs seen earlier may be missing; use a larger --mac-table-size")
