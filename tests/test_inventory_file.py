"""trunkline's inventory file: round trip, one-line errors naming the place, the published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.support.inventory import SMALL
from trunkline.errors import BadInputError
from trunkline.vsphere.model import AccessVlan, Inventory, NoVlan, PrivateVlan, TrunkVlan, VlanRange
from trunkline.vsphere.sources import example_text, load_inventory
from trunkline.vsphere.yamlfile import (
    dump_inventory,
    load_inventory_file,
    parse_inventory,
    published_schema_text,
    write_inventory,
)

ROOT = Path(__file__).resolve().parent.parent



def _error(text: str, name: str = "inventory.yaml") -> str:
    with pytest.raises(BadInputError) as err:
        parse_inventory(text, name)
    return str(err.value)


def test_round_trip_file_model_file_is_byte_identical(tmp_path: Path) -> None:
    first = tmp_path / "inventory.yaml"
    write_inventory(load_inventory(), first)
    second = tmp_path / "again.yaml"
    write_inventory(load_inventory_file(first), second)
    assert first.read_bytes() == second.read_bytes()
    assert load_inventory_file(second) == load_inventory()


def test_json_inventory_reads_as_the_same_model(tmp_path: Path) -> None:
    path = tmp_path / "inventory.json"
    write_inventory(load_inventory(), path)
    assert path.read_text(encoding="utf-8").startswith('{\n  "version": 1,\n  "vcenters": [\n')
    assert load_inventory(path) == load_inventory()


def test_write_leaves_no_temporary_file_and_replaces_the_old(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text("old\n", encoding="utf-8")
    write_inventory(parse_inventory(SMALL), path)
    assert path.read_text(encoding="utf-8") == SMALL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.yaml"]


def test_vlan_policies_round_trip_through_their_shorthands() -> None:
    text = SMALL.replace("      vlan: 40\n", "      vlan: 100-100\n")
    inv = parse_inventory(text)
    pg = inv.vcenters[0].datacenters[0].port_groups[0]
    assert pg.vlan == TrunkVlan(ranges=(VlanRange(start=100, end=100),))
    assert dump_inventory(inv) == text
    pvlan = SMALL.replace(
        "      vlan: 40\n", "      vlan:\n        type: pvlan\n        secondary: 101\n        primary: 100\n"
    )
    inv = parse_inventory(pvlan)
    assert inv.vcenters[0].datacenters[0].port_groups[0].vlan == PrivateVlan(secondary=101, primary=100)
    assert dump_inventory(inv) == pvlan


def test_mac_address_that_yaml_1_1_reads_as_a_number_stays_text() -> None:
    text = SMALL.replace(
        "      - label: Network adapter 1\n",
        "      - label: Network adapter 1\n        mac: 10:20:30:40:50:56\n",
    )
    nic = parse_inventory(text).vcenters[0].datacenters[0].vms[0].nics[0]
    assert nic.mac == "10:20:30:40:50:56"


def test_vlan_5000_names_file_line_place_and_fix() -> None:
    assert _error(SMALL.replace("vlan: 40", "vlan: 5000")) == (
        "inventory.yaml:15: vcenters[0].datacenters[0].port_groups[0].vlan: VLAN ID 5000 is out of range "
        '0-4094; use 0 (untagged), 1-4094, 4095 (all VLANs to the guest) or trunk ranges such as "100-199,300"'  # noqa: E501
    )


def test_vlan_5000_in_a_written_out_policy_names_its_id_field() -> None:
    text = SMALL.replace("      vlan: 40\n", "      vlan: {type: vlan, id: 5000}\n")
    assert _error(text).startswith(
        "inventory.yaml:15: vcenters[0].datacenters[0].port_groups[0].vlan.id: VLAN ID 5000 is out of range"
    )


def test_port_group_on_unknown_switch_names_the_switch_and_the_fix() -> None:
    assert _error(SMALL.replace("switch: dvs-1", "switch: dvs-9")) == (
        "inventory.yaml:14: vcenters[0].datacenters[0].port_groups[0].switch: switch 'dvs-9' is not in this "
        "datacenter (known: dvs-1); fix the id or add the switch under 'switches'"
    )


def test_nic_on_unknown_network_names_the_nic() -> None:
    assert _error(SMALL.replace("network: dvportgroup-1", "network: dvportgroup-7")) == (
        "inventory.yaml:21: vcenters[0].datacenters[0].vms[0].nics[0].network: network 'dvportgroup-7' is not "  # noqa: E501
        "in this datacenter (known: dvportgroup-1); use a port group's id (its 'network') or add the port group"  # noqa: E501
    )


def test_host_nic_on_unknown_switch_is_rejected() -> None:
    text = SMALL.replace(
        "    switches:\n",
        "    hosts:\n    - id: host-1\n      name: esx1\n      nics:\n      - name: vmnic1\n        switch: dvs-2\n"  # noqa: E501
        "    switches:\n",
    )
    assert _error(text).startswith(
        "inventory.yaml:12: vcenters[0].datacenters[0].hosts[0].nics[0].switch: switch 'dvs-2' is not in this"
    )


def test_duplicate_port_group_id_is_rejected() -> None:
    text = SMALL.replace(
        "    vms:\n", "    - id: dvportgroup-1\n      name: other\n      switch: dvs-1\n    vms:\n"
    )
    assert _error(text) == (
        "inventory.yaml:16: vcenters[0].datacenters[0].port_groups[1].id: port group id 'dvportgroup-1' is used "  # noqa: E501
        "twice (also at index 0); give each port group its own id"
    )


def test_unknown_field_is_named_with_its_spelling_fix() -> None:
    assert _error(SMALL.replace("      vlan: 40\n", "      vlan: 40\n      vlna: 41\n")) == (
        "inventory.yaml:16: vcenters[0].datacenters[0].port_groups[0].vlna: unknown field 'vlna'; remove it or "  # noqa: E501
        "fix its spelling (`trunkline inventory schema` lists the fields)"
    )


def test_malformed_yaml_names_line_and_column() -> None:
    assert _error("version: 1\nvcenters: [\n  - name: vc\n", "broken.yaml") == (
        "broken.yaml:3: column 3: not valid YAML (expected the node content, but found '-' while parsing a "
        "flow node); fix the YAML syntax there"
    )


def test_duplicate_yaml_key_is_rejected() -> None:
    assert _error("version: 1\nversion: 1\n") == (
        "inventory.yaml:2: column 1: not valid YAML (key 'version' appears twice while reading a mapping); "
        "fix the YAML syntax there"
    )


def test_malformed_json_names_line_and_column() -> None:
    assert _error('{"version": 1,\n "vcenters": [}\n', "inventory.json") == (
        "inventory.json:2: column 15: not valid JSON (Expecting value); fix the JSON syntax"
    )


def test_empty_file_says_what_to_write() -> None:
    assert (
        _error("\n")
        == "inventory.yaml: the file is empty; write an inventory (see `trunkline inventory schema`)"
    )


def test_number_where_text_belongs_says_to_quote_it() -> None:
    assert _error(SMALL.replace("- name: vc\n", "- name: vc\n  version: 8.0\n")) == (
        "inventory.yaml:4: vcenters[0].version: 8.0 should be text; put it in quotes"
    )


def test_published_schema_copy_in_docs_is_in_sync() -> None:
    assert (ROOT / "docs" / "inventory.schema.json").read_text(encoding="utf-8") == published_schema_text()


def test_published_schema_accepts_the_example_and_rejects_vlan_5000() -> None:
    schema = json.loads(published_schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.safe_load(example_text())
    jsonschema.validate(data, schema)
    data["vcenters"][0]["datacenters"][0]["port_groups"][3]["vlan"] = 5000
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_access_vlan_shorthand_in_the_schema_matches_the_model() -> None:
    inv = Inventory.model_validate(yaml.safe_load(SMALL))
    assert inv.vcenters[0].datacenters[0].port_groups[0].vlan == AccessVlan(id=40)


def test_docs_file_format_excerpt_loads() -> None:
    page = (ROOT / "docs" / "inventory.md").read_text(encoding="utf-8")
    excerpt = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    inv = parse_inventory(excerpt, "docs/inventory.md")
    dc = inv.vcenters[0].datacenters[0]
    assert [(p.name, p.vlan) for p in dc.port_groups] == [
        ("Management Network", NoVlan()),
        ("vm-vlan-40", AccessVlan(id=40)),
        ("vm-trunk", TrunkVlan(ranges=(VlanRange(start=100, end=199), VlanRange(start=300, end=300)))),
    ]
    assert inv.nic_map == {"vmnic1": "ens34"}


def test_output_path_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as err:
        write_inventory(parse_inventory(SMALL), tmp_path)
    assert str(err.value) == (
        f"{tmp_path}: is a directory; give a file name such as {tmp_path / 'inventory.yaml'}"
    )
    assert list(tmp_path.iterdir()) == []
