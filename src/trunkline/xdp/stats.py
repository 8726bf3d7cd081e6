"""Counter snapshots and the arithmetic on them (pure: no kernel, no I/O).

A :class:`Snapshot` is what one read of a counter's per-CPU maps gives, already summed over all
possible CPUs, for one interface and one direction. Counts are cumulative since the counter was attached.

Counting rules (``docs/design.md``): every frame lands in exactly one VLAN slot and in exactly one of
a (family, protocol) slot, an EtherType slot, or ``truncated``. So ``sum(vlans) == total`` and
``sum(protocols) + sum(ethertypes) + truncated == total``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

if TYPE_CHECKING:
    from trunkline.xdp.macs import MacTable

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
        macs: the counter's learned (VLAN, source MAC) pairs, both directions (``MacTable.of`` picks
            this one), or ``None`` when MAC learning is off.
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
    macs: MacTable | None = None

    @property
    def total(self) -> Cell:
        """All frames: the sum of the VLAN slots."""
        out = Cell()
        for cell in self.vlans.values():
            out = out + cell
        return out


# --- deltas and rates --------------------------------------------------------------------------------

Key = TypeVar("Key")


def rate(amount: int, seconds: float) -> float:
    """*amount* per second over *seconds* (measured, never the nominal interval); 0.0 when *seconds* <= 0."""
    return amount / seconds if seconds > 0 else 0.0


def subtract(current: Mapping[Key, Cell], previous: Mapping[Key, Cell]) -> dict[Key, Cell]:
    """Per-key ``current - previous`` for every key of *current* (a key missing in *previous* counts from 0).

    Counts are cumulative, so a key can only appear, never vanish, between two reads of one counter.
    """
    return {key: cell - previous.get(key, Cell()) for key, cell in current.items()}


@dataclass(frozen=True)
class Row(Generic[Key]):
    """One row of a view: a slot's cumulative counts and what changed over the measured interval.

    Attributes:
        key: the slot: ``(family, number)`` for protocols, the EtherType, the VLAN ID or ``None``
            (untagged), ``None`` for the total and truncated rows.
        cumulative: packets and bytes since the counter was attached.
        interval: packets and bytes counted during the interval.
        seconds: the interval's measured length (monotonic clock), seconds.
    """

    key: Key
    cumulative: Cell
    interval: Cell
    seconds: float

    @property
    def packets_per_s(self) -> float:
        """Packets per second over the interval."""
        return rate(self.interval.packets, self.seconds)

    @property
    def bits_per_s(self) -> float:
        """Bits per second over the interval (bytes as counted, times 8)."""
        return rate(self.interval.bytes * 8, self.seconds)


def _sort_key(row: Row[Any]) -> tuple[int, int, tuple[int, ...]]:
    key = row.key
    if key is None:
        order: tuple[int, ...] = (-1,)
    elif isinstance(key, tuple):
        order = (0 if key[0] == "ipv4" else 1, int(key[1]))
    else:
        order = (int(key),)
    return (-row.cumulative.packets, -row.cumulative.bytes, order)


def sorted_rows(rows: Iterable[Row[Key]]) -> list[Row[Key]]:
    """*rows* with a non-zero cumulative count, most packets first (then most bytes, then by key)."""
    return sorted((row for row in rows if row.cumulative), key=_sort_key)


@dataclass(frozen=True)
class Interval:
    """What one counter (interface and direction) counted between two reads.

    Attributes:
        previous: the earlier read (for the first interval of `trunkline count`, an empty snapshot
            stamped when the counter attached: its counts start at zero there).
        current: the later read.
    """

    previous: Snapshot
    current: Snapshot

    def __post_init__(self) -> None:
        a, b = self.previous, self.current
        if (a.interface, a.ifindex, a.direction, a.hook) != (b.interface, b.ifindex, b.direction, b.hook):
            raise ValueError(
                f"snapshots of different counters: {a.interface}/{a.direction}/{a.hook} "
                f"and {b.interface}/{b.direction}/{b.hook}"
            )
        if b.monotonic_ns < a.monotonic_ns:
            raise ValueError("the current snapshot is older than the previous one")

    @property
    def seconds(self) -> float:
        """Measured length of the interval from the two monotonic timestamps, seconds."""
        return (self.current.monotonic_ns - self.previous.monotonic_ns) / 1e9

    def _rows(self, current: Mapping[Key, Cell], previous: Mapping[Key, Cell]) -> list[Row[Key]]:
        seconds = self.seconds
        deltas = subtract(current, previous)
        return sorted_rows(Row(key, current[key], deltas[key], seconds) for key in current)

    @property
    def total(self) -> Row[None]:
        """All frames (the sum of the VLAN slots)."""
        return Row(None, self.current.total, self.current.total - self.previous.total, self.seconds)

    @property
    def truncated(self) -> Row[None]:
        """Frames cut short before the headers that decide their protocol/EtherType slot."""
        cur, prev = self.current.truncated, self.previous.truncated
        return Row(None, cur, cur - prev, self.seconds)

    @property
    def protocols(self) -> list[Row[tuple[Family, int]]]:
        """(family, IP protocol number) rows, non-zero only, most packets first."""
        return self._rows(self.current.protocols, self.previous.protocols)

    @property
    def ethertypes(self) -> list[Row[int]]:
        """EtherType rows of non-IP frames, non-zero only, most packets first."""
        return self._rows(self.current.ethertypes, self.previous.ethertypes)

    @property
    def vlans(self) -> list[Row[int | None]]:
        """Outer VLAN ID rows (``None`` = untagged), non-zero only, most packets first."""
        return self._rows(self.current.vlans, self.previous.vlans)


def empty_like(snapshot: Snapshot, monotonic_ns: int, time: float) -> Snapshot:
    """A snapshot of the same counter as *snapshot* with no counts, taken at the given instants."""
    return Snapshot(snapshot.interface, snapshot.ifindex, snapshot.direction, snapshot.hook,
                    snapshot.mode, monotonic_ns, time)


# --- the `count --json` records (docs/design.md) ----------------------------------------------------

RecordKind = Literal["interval", "summary"]

RECORD_SCHEMA_FILE = "count-record.schema.json"
"""JSON Schema (draft 2020-12) of the records, shipped in ``trunkline/data/``."""


def record_schema() -> dict[str, Any]:
    """The JSON Schema of :func:`record`'s output (``trunkline/data/count-record.schema.json``)."""
    import json
    from importlib import resources

    text = resources.files("trunkline").joinpath("data").joinpath(RECORD_SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def counter_fields(row: Row[Any]) -> dict[str, int | float]:
    """DESIGN's ``<Counter>`` object of *row*: cumulative and interval packets/bytes, and the rates
    (rounded to 3 decimals: a thousandth of a packet or bit per second)."""
    return {
        "packets": row.cumulative.packets,
        "bytes": row.cumulative.bytes,
        "packets_interval": row.interval.packets,
        "bytes_interval": row.interval.bytes,
        "packets_per_s": round(row.packets_per_s, 3),
        "bits_per_s": round(row.bits_per_s, 3),
    }


def record(interval: Interval, kind: RecordKind = "interval") -> dict[str, Any]:
    """The ``count --json`` record of *interval* (``docs/design.md``), ready for ``json.dumps``.

    ``"interval"`` records cover one interval; a ``"summary"`` record is the same shape over the whole
    run (pass ``Interval(start, last_read)``): its ``*_interval`` fields and rates cover the run,
    ``interval_s`` is the run's length. `trunkline count` starts a run with an empty snapshot taken when
    the counter attached (:func:`empty_like`), so the first interval starts there and a summary's
    ``packets_interval`` equals ``packets``. Fields beyond DESIGN's: ``start_time`` (Unix seconds of the
    interval's start), ``ethertype_hex`` (``"0x0806"``) on EtherType rows, and with MAC learning
    ``macs`` and ``mac_table`` (:func:`mac_fields`).
    """
    from trunkline.xdp import ethertypes, protocols  # local: keeps this module free of data loading

    cur = interval.current
    return {
        "record": kind,
        "interface": cur.interface,
        "ifindex": cur.ifindex,
        "direction": cur.direction,
        "hook": cur.hook,
        "mode": cur.mode,
        "time": cur.time,
        "start_time": interval.previous.time,
        "interval_s": round(interval.seconds, 6),
        "total": counter_fields(interval.total),
        "protocols": [
            {
                "family": row.key[0],
                "number": row.key[1],
                "keyword": protocols.keyword(row.key[1]),
                **counter_fields(row),
            }
            for row in interval.protocols
        ],
        "ethertypes": [
            {
                "ethertype": row.key,
                "name": ethertypes.name(row.key),
                "ethertype_hex": ethertypes.hex_value(row.key),
                **counter_fields(row),
            }
            for row in interval.ethertypes
        ],
        "vlans": [{"vlan": row.key, **counter_fields(row)} for row in interval.vlans],
        "truncated": counter_fields(interval.truncated),
        **mac_fields(cur),
    }


def mac_fields(snapshot: Snapshot) -> dict[str, Any]:
    """With MAC learning on, the record's ``macs`` rows (this direction's pairs, per VLAN with untagged
    first, most packets first) and its ``mac_table`` (the whole table: both directions); ``{}`` without."""
    if snapshot.macs is None:
        return {}
    from trunkline.xdp.macs import by_vlan, entry_fields, table_fields

    groups = by_vlan(snapshot.macs.of(snapshot.direction))
    return {"macs": [entry_fields(entry) for rows in groups.values() for entry in rows],
            "mac_table": table_fields(snapshot.macs)}
