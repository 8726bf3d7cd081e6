"""Hostile inputs (nesting hundreds of levels deep, duplicate JSON keys, devices instead of files) end in
one line naming the file and exit 2, never a traceback or an unbounded read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.manifests import CUDN_TEXT
from trunkline.cli import main
from trunkline.inputfile import MAX_INPUT_BYTES


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, out, err = _run_all(args, capsys)
    return code, err


def _run_all(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    captured = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


DEEP = "nested too deeply (lists or mappings inside each other hundreds of levels deep)"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.yaml", "version: 1\nvcenters: " + "[" * 500 + "]" * 500 + "\n"),
        ("deep.json", '{"version": 1, "vcenters": ' + "[" * 5000 + "]" * 5000 + "}\n"),
    ],
)
@pytest.mark.parametrize("command", ["plan", "show"])
def test_deep_inventory_is_one_line(
    name: str, text: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    args = (
        ["plan", str(path), "-o", str(tmp_path / "out")]
        if command == "plan"
        else ["inventory", "show", str(path)]
    )
    code, err = _run(args, capsys)
    assert (code, err) == (
        2,
        f"trunkline: error: {path}: {DEEP}; this is not an inventory or manifest: check the file\n",
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("x.json", "[" * 5000 + "]" * 5000 + "\n"),
        ("x.yaml", "kind: List\nitems: " + "[" * 500 + "]" * 500 + "\n"),
    ],
)
def test_deep_manifest_is_one_line(
    name: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    code, err = _run(["validate", str(tmp_path)], capsys)
    assert (code, err) == (
        2,
        f"trunkline: error: {name}: {DEEP}; this is not an inventory or manifest: check the file\n",
    )


def test_json_inventory_duplicate_key_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inv.json"
    path.write_text('{\n  "version": 1,\n  "vcenters": [],\n  "version": 2\n}\n', encoding="utf-8")
    code, err = _run(["inventory", "show", str(path)], capsys)
    assert (code, err) == (
        2,
        f"trunkline: error: {path}:4: key 'version' (also line 2) appears twice in one object; keep one "
        "(JSON readers differ on which wins)\n",
    )


def test_json_manifest_duplicate_key_is_a_finding_on_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nad = (
        '{\n  "apiVersion": "k8s.cni.cncf.io/v1",\n  "kind": "NetworkAttachmentDefinition",\n'
        '  "metadata": {"name": "a", "namespace": "default"},\n'
        '  "metadata": {"name": "b", "namespace": "default"},\n'
        '  "spec": {"config": "{\\"cniVersion\\": \\"0.3.1\\", \\"type\\": \\"bridge\\", '
        '\\"bridge\\": \\"br1\\"}"}\n}\n'
    )
    (tmp_path / "nad.json").write_text(nad, encoding="utf-8")
    code, out, err = _run_all(["validate", "--json", str(tmp_path)], capsys)
    assert code == 1, err
    dups = [f for f in json.loads(out)["findings"] if f["key"] == "duplicate-key"]
    assert [(f["file"], f["line"], f["field"]) for f in dups] == [("nad.json", 5, "metadata")]
    assert dups[0]["message"].startswith("key 'metadata' appears twice in one mapping (also line 4)")


@pytest.mark.parametrize("args", [["plan", "/dev/zero", "-o", "OUT"], ["inventory", "show", "/dev/zero"]])
def test_a_device_is_not_read_as_an_inventory(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    code, err = _run(args, capsys)
    assert (code, err) == (
        2,
        "trunkline: error: /dev/zero: not a regular file (a device, pipe or socket); "
        "give the inventory file\n",
    )


def test_validate_names_a_device_as_such(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["validate", "/dev/zero"], capsys)
    assert (code, err) == (
        2,
        "trunkline: error: /dev/zero: not a regular file or directory (a device, pipe or socket); give the "
        "directory `trunkline plan -o` wrote\n",
    )


@pytest.mark.parametrize("kind", ["inventory", "manifest"])
def test_a_file_over_the_cap_is_refused_before_reading(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / ("inv.yaml" if kind == "inventory" else "big.yaml")
    with path.open("wb") as handle:  # sparse: no disk space used
        handle.truncate(MAX_INPUT_BYTES + 1)
    args = ["inventory", "show", str(path)] if kind == "inventory" else ["validate", str(tmp_path)]
    code, err = _run(args, capsys)
    name = str(path) if kind == "inventory" else "big.yaml"
    what = "the inventory file" if kind == "inventory" else "a YAML or JSON manifest file"
    assert (code, err) == (
        2,
        f"trunkline: error: {name}: 1,073,741,825 bytes, more than the 1,073,741,824 bytes (1 GiB) read "
        f"at most; give {what}\n",
    )


def test_alias_bomb_is_one_finding_in_bounded_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    levels = ["      l0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"      l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (tmp_path / "b.yaml").write_text(CUDN_TEXT.replace("name: web", "name: bomb") + "\n".join(levels) + "\n")
    code, out, err = _run_all(["validate", "--json", str(tmp_path)], capsys)
    assert code == 1, err
    found = [f for f in json.loads(out)["findings"] if f["key"] == "yaml-aliases"]
    assert [(f["line"], f["object"]) for f in found] == [(2, "ClusterUserDefinedNetwork bomb")]
    assert found[0]["message"] == (
        "its aliases expand it to 4,903,290,608 nodes, 4,903,290,450 of them through aliases; kubectl "
        "refuses it (document contains excessive aliasing) and trunkline does not read it further: "
        "write the values out or use fewer aliases"
    )


def test_a_finding_on_an_aliased_node_has_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filler = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filler\ndata:\n  a: b\n"
    cudn = CUDN_TEXT.replace("      vlan:\n", "      vlan: &v\n").replace("id: 40", "id: 4095")
    cudn += "  copy: *v\n"
    text = filler + cudn
    (tmp_path / "a.yaml").write_text(text)
    code, out, err = _run_all(["validate", "--json", str(tmp_path)], capsys)
    lines = {f["key"]: f["line"] for f in json.loads(out)["findings"]}
    id_line = text.splitlines().index("          id: 4095") + 1
    assert (code, lines["cudn-vlan-range"]) == (1, id_line)  # shifted once, not once more per alias


def test_a_file_without_objects_is_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "comments.yaml").write_text("# nothing yet\n---\n")
    code, out, err = _run_all(["validate", "--json", str(tmp_path)], capsys)
    fix = "nothing was checked there: give it the manifests it should hold, or remove it"
    assert (code, json.loads(out)["notes"]) == (
        0,
        [
            f"comments.yaml: holds no object (empty, or only comments); {fix}",
            f"empty.yaml: holds no object (empty, or only comments); {fix}",
        ],
    )
