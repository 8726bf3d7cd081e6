"""The Hosts table's "Carries" column: VLAN ranges, not every VLAN one by one, and a capped list."""

from __future__ import annotations

from trunkline.vsphere.model import AccessVlan, NoVlan, PortGroup, TrunkVlan, VlanRange
from trunkline.vsphere.summary import carried_vlans


def _pg(i: int, vlan: object) -> PortGroup:
    return PortGroup(id=f"dvportgroup-{i}", name=f"pg-{i}", switch="dvs-1", vlan=vlan)


def test_every_vlan_id_is_one_range() -> None:
    pgs = [_pg(i, AccessVlan(id=1 + i % 4094)) for i in range(20000)]
    assert carried_vlans(pgs) == "1-4094"


def test_ranges_singles_untagged_and_trunks_in_order() -> None:
    pgs = [
        _pg(1, AccessVlan(id=12)),
        _pg(2, AccessVlan(id=10)),
        _pg(3, AccessVlan(id=11)),
        _pg(4, AccessVlan(id=40)),
        _pg(5, NoVlan()),
        _pg(6, TrunkVlan(ranges=(VlanRange(start=100, end=199),))),
        _pg(7, AccessVlan(id=4095)),
    ]
    assert carried_vlans(pgs) == "untagged, 10-12, 40, 4095 (all, guest tags), trunk 100-199"


def test_a_long_list_is_capped_and_counted() -> None:
    pgs = [_pg(i, AccessVlan(id=2 * i + 1)) for i in range(20)]
    assert carried_vlans(pgs) == "1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23 (+8 more)"
