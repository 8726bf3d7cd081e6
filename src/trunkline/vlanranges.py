"""VLAN ID ranges: parse, merge, subtract, format. The one home of these operations.

A range set is a tuple of inclusive ``(first, last)`` pairs, sorted and merged (adjacent ranges join):
``((1, 9), (40, 40))``. Its text form is ``1-9,40`` (the form vSphere and REPORT.md use, and the one
``parse_ranges`` reads back).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Ranges = tuple[tuple[int, int], ...]

VLAN_ID_MIN = 0
VLAN_ID_MAX = 4094
"""The VLAN IDs a port group, a trunk range or a plan can name (IEEE 802.1Q VIDs 0-4094; 4095 is reserved
by 802.1Q and means "all VLANs" on a vSphere standard port group, kept apart as an access VLAN)."""

_PART = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> Ranges:
    """Sort and merge inclusive ranges, adjacent ones too: ``[(5, 9), (1, 3), (4, 4)]`` -> ``((1, 9),)``."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return tuple(merged)


def subtract_ranges(wanted: Iterable[tuple[int, int]], removed: Iterable[tuple[int, int]]) -> Ranges:
    """The parts of *wanted* outside *removed*, merged: ``((1, 9),) - ((4, 5),)`` -> ``((1, 3), (6, 9))``."""
    out: list[tuple[int, int]] = []
    cut = merge_ranges(removed)
    for first, last in merge_ranges(wanted):
        start = first
        for a, b in cut:
            if b < start or a > last:
                continue
            if a > start:
                out.append((start, a - 1))
            start = max(start, b + 1)
            if start > last:
                break
        if start <= last:
            out.append((start, last))
    return merge_ranges(out)


def format_ranges(ranges: Iterable[tuple[int, int]], empty: str = "") -> str:
    """``((1, 9), (40, 40))`` -> ``"1-9,40"``; no range -> *empty*."""
    text = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)
    return text or empty


def parse_ranges(text: str) -> Ranges:
    """``"100-199, 300"`` -> ``((100, 199), (300, 300))`` (merged).

    Raises:
        ValueError: a part is not ``N`` or ``A-B`` with ``A <= B``; the message names the part.
    """
    out: list[tuple[int, int]] = []
    for part in text.split(","):
        match = _PART.match(part)
        if not match:
            raise ValueError(f"{part.strip()!r} is not a VLAN ID or a range A-B")
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if first > last:
            raise ValueError(f"{part.strip()!r}: {first} is greater than {last}")
        out.append((first, last))
    return merge_ranges(out)


def contains(ranges: Iterable[tuple[int, int]], vid: int) -> bool:
    """Whether VLAN ID *vid* lies in one of *ranges*."""
    return any(a <= vid <= b for a, b in ranges)
