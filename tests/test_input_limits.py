"""Hostile inputs (nesting hundreds of levels deep, duplicate JSON keys, devices instead of files) end in
one line naming the file and exit 2, never a traceback or an unbounded read."""

from __future__ import annotations

from pathlib import Path

import pytest

from trunkline.cli import main


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    err = capsys.readouterr().err
    code = exc.value.code
    return (code if isinstance(code, int) else 1), err


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
