"""Small things a user reads: plurals, empty files, emoji in names, NICs without a known speed."""

from __future__ import annotations

import pytest

from tests.support.inventory import SMALL
from trunkline.errors import BadInputError
from trunkline.vsphere.model import Datacenter, Host, PhysicalNic
from trunkline.vsphere.summary import host_rows
from trunkline.vsphere.yamlfile import dump_inventory, parse_inventory


def _error(text: str) -> str:
    with pytest.raises(BadInputError) as err:
        parse_inventory(text, "inventory.yaml")
    return str(err.value)


def test_one_more_problem_is_singular() -> None:
    text = SMALL.replace("vlan: 40", "vlan: 5000").replace("network: dvportgroup-1", "network: nowhere")
    text = text.replace("      kind: distributed\n", "      kind: distributed\n      bogus: 1\n")
    assert _error(text).endswith(" (and 1 more problem)")


def test_comments_only_file_says_it_holds_no_data() -> None:
    assert _error("# nothing yet\n") == (
        "inventory.yaml: the file holds no data (only comments or null); "
        "write an inventory (see `trunkline inventory schema`)"
    )


def test_emoji_in_a_name_is_written_as_itself() -> None:
    inventory = parse_inventory(SMALL.replace("name: a\n", "name: web 😀\n"))
    text = dump_inventory(inventory)
    assert "  name: web 😀\n" in text
    assert parse_inventory(text) == inventory


def test_nic_without_a_speed_shows_unknown_not_down() -> None:
    dc = Datacenter(
        id="dc", name="DC", hosts=(Host(id="host-1", name="esx", nics=(PhysicalNic(name="vmnic0"),)),)
    )
    assert host_rows(dc) == [("esx", "vmnic0", "unknown", "-", "-", "-")]
