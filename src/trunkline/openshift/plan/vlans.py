"""A port group's VLAN policy as vSphere users write it (range arithmetic: :mod:`trunkline.vlanranges`)."""

from __future__ import annotations

from trunkline.vlanranges import format_ranges as ranges_text
from trunkline.vlanranges import merge_ranges
from trunkline.vsphere.model import AccessVlan, NoVlan, TrunkVlan, UnknownVlan, VlanPolicy


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
