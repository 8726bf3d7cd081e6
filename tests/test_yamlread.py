"""The two YAML readings (trunkline.yamlread): manifests as kubectl reads them, with a note on the line of
every scalar whose reading differs from YAML 1.2 and of every key written twice; inventories as YAML 1.2."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.inventory import SMALL
from trunkline.openshift.validate import validate_directory
from trunkline.vsphere.yamlfile import parse_inventory
from trunkline.yamlread import ManifestLoader, load_yaml12

#: (plain scalar, what kubectl/oc read (go-yaml v2), what YAML 1.2's core schema reads)
DIVERGENT = [
    ("010", 8, 10),
    ("-010", -8, -10),
    ("0b101", 5, "0b101"),
    ("1_000", 1000, "1_000"),
    ("yes", True, "yes"),
    ("Yes", True, "Yes"),
    ("YES", True, "YES"),
    ("no", False, "no"),
    ("on", True, "on"),
    ("ON", True, "ON"),
    ("off", False, "off"),
    ("y", True, "y"),
    ("Y", True, "Y"),
    ("n", False, "n"),
    ("N", False, "N"),
]
#: Plain scalars both read alike (no note): YAML 1.1's other forms do not reach kubectl either.
ALIKE = [
    ("10", 10),
    ("0x1F", 31),
    ("0o17", 15),
    ("true", True),
    ("False", False),
    ("1e3", 1000.0),
    ("~", None),
    ("2001-12-14", "2001-12-14"),
    ("10:20:30", "10:20:30"),
    ("00:50:56:ab:cd:ef", "00:50:56:ab:cd:ef"),
    ("0", 0),
    ("09", 9),
]


def _manifest(value: str) -> tuple[object, list[tuple[int, str]]]:
    loader = ManifestLoader(f"kind: ConfigMap\nmetadata:\n  name: x\ndata:\n  key: {value}\n")
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    return data["data"]["key"], [(n.line, n.key) for n in loader.notes]


@pytest.mark.parametrize(("text", "kubectl", "yaml12"), DIVERGENT)
def test_kubectl_reading_differs_and_says_so_on_its_line(text: str, kubectl: object, yaml12: object) -> None:
    value, notes = _manifest(text)
    assert value == kubectl and type(value) is type(kubectl)
    assert notes == [(5, "kubectl-scalar")]
    assert load_yaml12(f"key: {text}\n") == {"key": yaml12}


@pytest.mark.parametrize(("text", "value"), ALIKE)
def test_scalars_read_alike_get_no_note(text: str, value: object) -> None:
    assert _manifest(text) == (value, [])
    assert load_yaml12(f"key: {text}\n") == {"key": value}


def test_validate_reports_each_divergent_scalar_and_duplicate_key_on_its_line(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: z\ndata:\n  a: 010\n  b: on\n"
    )
    found = {(f.line, f.field, f.key) for f in validate_directory(tmp_path).findings}
    assert found == {
        (5, "metadata.name", "duplicate-key"),
        (7, "data.a", "kubectl-scalar"),
        (8, "data.b", "kubectl-scalar"),
    }


def test_inventory_reads_yaml_1_2_words_and_dates_as_text() -> None:
    text = SMALL.replace("name: a\n", "name: yes\n").replace("name: DC\n", "name: 2001-12-14\n")
    dc = parse_inventory(text).vcenters[0].datacenters[0]
    assert (dc.name, dc.vms[0].name) == ("2001-12-14", "yes")


def test_inventory_key_written_twice_is_an_error() -> None:
    with pytest.raises(yaml.MarkedYAMLError, match="key 'a' appears twice"):
        load_yaml12("a: 1\na: 2\n")
