"""The inventory model: validation of hand-written shorthands and the JSON Schema."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from trunkline.vsphere.model import AccessVlan, NoVlan, PortGroup, TrunkVlan, VlanRange, inventory_json_schema


def test_vlan_shorthands_become_policies() -> None:
    assert PortGroup(id="pg", name="a", switch="s", vlan=0).vlan == NoVlan()
    assert PortGroup(id="pg", name="a", switch="s", vlan=40).vlan == AccessVlan(id=40)
    assert PortGroup(id="pg", name="a", switch="s", vlan="100-102,7").vlan == TrunkVlan(
        ranges=(VlanRange(start=100, end=102), VlanRange(start=7, end=7))
    )


def test_vlan_5000_is_rejected() -> None:
    with pytest.raises(ValidationError):
        PortGroup(id="pg", name="a", switch="s", vlan=5000)


def test_network_defaults_to_id() -> None:
    assert PortGroup(id="dvportgroup-20", name="a", switch="s").network == "dvportgroup-20"


def test_schema_names_the_inventory() -> None:
    schema = inventory_json_schema()
    assert schema["title"] == "trunkline inventory"
    assert "vcenters" in schema["properties"]
