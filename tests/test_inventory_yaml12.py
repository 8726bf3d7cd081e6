"""Hand-written numbers read as YAML 1.2 says (the loader's promise), not as YAML 1.1."""

from __future__ import annotations

import pytest

from tests.support.inventory import SMALL
from trunkline.errors import BadInputError
from trunkline.vsphere.model import AccessVlan
from trunkline.vsphere.yamlfile import parse_inventory


@pytest.mark.parametrize(
    ("written", "vlan_id"),
    [("010", 10), ("0040", 40), ("0x10", 16), ("0o10", 8), ("40", 40)],
)
def test_vlan_with_a_leading_zero_is_decimal_as_in_yaml_1_2(written: str, vlan_id: int) -> None:
    text = SMALL.replace("vlan: 40", f"vlan: {written}")
    (pg,) = parse_inventory(text).vcenters[0].datacenters[0].port_groups
    assert pg.vlan == AccessVlan(id=vlan_id)


def test_yaml_1_1_number_forms_stay_text() -> None:
    text = SMALL.replace("name: a\n", "name: 1_000\n")
    (vm,) = parse_inventory(text).vcenters[0].datacenters[0].vms
    assert vm.name == "1_000"


def test_nul_byte_is_one_line_naming_its_line() -> None:
    with pytest.raises(BadInputError) as err:
        parse_inventory("version: 1\nvcenters: []\x00\n", "inventory.yaml")
    assert str(err.value) == (
        "inventory.yaml:2: not valid YAML (character U+0000 is not allowed in YAML text); remove it"
    )
