"""VLAN ID ranges: merging, subtracting, and writing them as vSphere users do."""

from __future__ import annotations

from trunkline.vsphere.model import AccessVlan, NoVlan, TrunkVlan, UnknownVlan, VlanPolicy


def merge_ranges(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted, merged inclusive ranges (adjacent ranges join): ``[(5,9),(1,4)]`` -> ``((1,9),)``."""
    out: list[list[int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((a, b) for a, b in out)


def subtract_id(ranges: tuple[tuple[int, int], ...], vid: int) -> tuple[tuple[int, int], ...]:
    """*ranges* without VLAN *vid*."""
    out: list[tuple[int, int]] = []
    for a, b in ranges:
        if a <= vid <= b:
            if a < vid:
                out.append((a, vid - 1))
            if vid < b:
                out.append((vid + 1, b))
        else:
            out.append((a, b))
    return tuple(out)


def ranges_text(ranges: tuple[tuple[int, int], ...]) -> str:
    """``((1,9),(40,40))`` -> ``"1-9,40"``."""
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def vlan_text(vlan: VlanPolicy) -> str:
    """A VLAN policy as vSphere users write it."""
    if isinstance(vlan, NoVlan):
        return "untagged"
    if isinstance(vlan, AccessVlan):
        return str(vlan.id)
    if isinstance(vlan, TrunkVlan):
        return "trunk " + ranges_text(merge_ranges([(r.start, r.end) for r in vlan.ranges]))
    if isinstance(vlan, UnknownVlan):
        return "unknown"
    kind = f" {vlan.pvlan_type}" if vlan.pvlan_type else ""
    primary = f" primary {vlan.primary}" if vlan.primary is not None else ""
    return f"pvlan{kind} {vlan.secondary}{primary}"
