"""An empty id is named where it is written, not where something refers to it."""

from __future__ import annotations

import pytest

from tests.support.inventory import SMALL
from trunkline.errors import BadInputError
from trunkline.vsphere.yamlfile import parse_inventory


def _error(text: str) -> str:
    with pytest.raises(BadInputError) as err:
        parse_inventory(text, "inventory.yaml")
    return str(err.value)


def test_empty_port_group_id_names_the_id_not_the_nic() -> None:
    text = SMALL.replace("- id: dvportgroup-1", '- id: ""')
    assert _error(text) == (
        "inventory.yaml:12: vcenters[0].datacenters[0].port_groups[0].id: 'id' is empty; give it a value"
    )
