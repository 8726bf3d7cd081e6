"""Reading the MAC learning maps of a loaded counter (``tl_macs``, ``tl_mac_cache``, ``tl_mac_stats``;
layout in counter.h) into a :class:`~trunkline.xdp.macs.MacTable`.

The ctypes mirrors below must keep the sizes the object's BTF reports (tested). Entries are decoded
with ``struct.iter_unpack`` straight from the batch buffers: a full default table (32,768 pairs) reads
in well under a second (bench/mac_table.py).
"""

from __future__ import annotations

import ctypes
import struct
from dataclasses import dataclass

from trunkline.xdp import libbpf
from trunkline.xdp.macs import MacEntry, MacTable
from trunkline.xdp.stats import Direction

# Mirrors of counter.h.
TL_VLAN_UNTAGGED = 4096
TL_MAC_ENTRIES = 32768
"""Default size of the MAC learning map (pairs, both directions): holds at least 16,384 pairs on any
number of CPUs (counter.h explains the margin)."""
TL_MAC_CACHE_SLOTS = 128
TL_MAC_STATS = 2
TL_MAC_INSERTS = 0
TL_MAC_FAILED = 1
DIRECTIONS: tuple[Direction, Direction] = ("rx", "tx")

_KEY = struct.Struct("=6sHI")         # struct tl_mac_key
_VALUE = struct.Struct("=QQQQ")       # struct tl_mac_value
_SLOT = struct.Struct("=12s4xQQQ")    # struct tl_mac_slot
_RAW_KEY = struct.Struct("=12s")      # a key as bytes


class tl_mac_key(ctypes.Structure):  # noqa: N801 - the C name
    """``struct tl_mac_key`` (counter.h): source MAC, VLAN slot, direction."""

    _fields_ = [("mac", ctypes.c_uint8 * 6), ("vlan", ctypes.c_uint16), ("direction", ctypes.c_uint32)]


class tl_mac_value(ctypes.Structure):  # noqa: N801 - the C name
    """``struct tl_mac_value`` (counter.h): a pair's counts and CLOCK_MONOTONIC first/last seen (ns)."""

    _fields_ = [("packets", ctypes.c_uint64), ("bytes", ctypes.c_uint64),
                ("first_seen_ns", ctypes.c_uint64), ("last_seen_ns", ctypes.c_uint64)]


class tl_mac_slot(ctypes.Structure):  # noqa: N801 - the C name
    """``struct tl_mac_slot`` (counter.h): a pair's counts pending in one CPU's cache slot."""

    _fields_ = [("key", tl_mac_key), ("pad", ctypes.c_uint32), ("packets", ctypes.c_uint64),
                ("bytes", ctypes.c_uint64), ("last_seen_ns", ctypes.c_uint64)]


@dataclass(frozen=True)
class MacMaps:
    """File descriptors and sizes of one loaded counter's MAC maps.

    Attributes:
        macs, cache, stats: map file descriptors of ``tl_macs``, ``tl_mac_cache``, ``tl_mac_stats``.
        capacity: ``tl_macs``' max_entries.
        ncpu: possible CPUs (values per key of the per-CPU maps).
        clock_offset: Unix seconds at CLOCK_MONOTONIC 0, to turn kernel times into Unix times.
    """

    macs: int
    cache: int
    stats: int
    capacity: int
    ncpu: int
    clock_offset: float


def read_table(maps: MacMaps, directions: int = 2) -> MacTable:
    """The learned pairs of the first *directions* directions (rx, then tx).

    A pair's counts are its ``tl_macs`` value plus the counts pending in every CPU's cache slot
    holding it (counter.h). Reads go: insert counts, ``tl_macs``, the cache slots; so a pair inserted
    meanwhile can only make the view look complete, never partial when it is not, and a frame is never
    counted twice (during traffic a read may miss the counts being moved from a slot to the map at that
    instant; the next read has them). A slot whose pair is no longer in the map (evicted) is dropped:
    the view is partial then anyway.
    """
    stats = _read_stats(maps)
    pairs = _read_pairs(maps)
    for raw_key, packets, nbytes, last_seen in _read_slots(maps):
        value = pairs.get(raw_key)
        if value is not None:
            pairs[raw_key] = (value[0] + packets, value[1] + nbytes, value[2], max(value[3], last_seen))
    keys = list(pairs)
    # sorted by direction, then untagged (slot 4096 -> 0) before VLAN IDs, then MAC
    rows = sorted((direction, (vlan + 1) % (TL_VLAN_UNTAGGED + 1), mac, vlan, pairs[key])
                  for key, (mac, vlan, direction) in zip(keys, _KEY.iter_unpack(b"".join(keys)), strict=True)
                  if direction < directions)
    offset = maps.clock_offset
    entries = tuple(MacEntry._make((DIRECTIONS[direction], None if vlan == TL_VLAN_UNTAGGED else vlan,
                                    mac.hex(":"), value[0], value[1], value[2] / 1e9 + offset,
                                    value[3] / 1e9 + offset))
                    for direction, _, mac, vlan, value in rows)
    inserts = {DIRECTIONS[d]: stats[d * TL_MAC_STATS + TL_MAC_INSERTS] for d in range(directions)}
    failed = sum(stats[d * TL_MAC_STATS + TL_MAC_FAILED] for d in range(directions))
    return MacTable(entries=entries, inserts=sum(inserts.values()), live=len(entries),
                    capacity=maps.capacity, failed=failed, inserts_by_direction=inserts)


def _read_stats(maps: MacMaps) -> list[int]:
    """Per-CPU sums of ``tl_mac_stats`` (one __u64 per CPU per key)."""
    count = len(DIRECTIONS) * TL_MAC_STATS
    keys = (ctypes.c_uint32 * count)()
    values = (ctypes.c_uint64 * (count * maps.ncpu))()
    got, _ = libbpf.bpf_map_lookup_batch(maps.stats, None, ctypes.c_uint32(), keys, values, count)
    return [sum(values[i * maps.ncpu:(i + 1) * maps.ncpu]) for i in range(got)]


def _read_pairs(maps: MacMaps) -> dict[bytes, tuple[int, int, int, int]]:
    """Every pair of ``tl_macs``: raw 12-byte key -> [packets, bytes, first_seen_ns, last_seen_ns]."""
    count = maps.capacity
    keys = (tl_mac_key * count)()
    values = (tl_mac_value * count)()
    out: dict[bytes, tuple[int, int, int, int]] = {}
    in_batch: ctypes.c_uint32 | None = None
    while True:
        out_batch = ctypes.c_uint32()
        got, done = libbpf.bpf_map_lookup_batch(maps.macs, in_batch, out_batch, keys, values, count)
        raw_keys = memoryview(keys).cast("B")[:got * _KEY.size]
        raw_values = memoryview(values).cast("B")[:got * _VALUE.size]
        out.update(zip((key for (key,) in _RAW_KEY.iter_unpack(raw_keys)),
                       _VALUE.iter_unpack(raw_values), strict=True))
        if done or got == 0:
            return out
        in_batch = out_batch


def _read_slots(maps: MacMaps) -> list[tuple[bytes, int, int, int]]:
    """Every CPU's cache slots with pending counts: (raw key, packets, bytes, last_seen_ns)."""
    count = TL_MAC_CACHE_SLOTS
    keys = (ctypes.c_uint32 * count)()
    values = (tl_mac_slot * (count * maps.ncpu))()
    got, _ = libbpf.bpf_map_lookup_batch(maps.cache, None, ctypes.c_uint32(), keys, values, count)
    raw = memoryview(values).cast("B")[:got * maps.ncpu * _SLOT.size]
    return [slot for slot in _SLOT.iter_unpack(raw) if slot[1]]
