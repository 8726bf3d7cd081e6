"""An unreadable input file is the loader's one-line error, not typer's three-line usage error.

Root (this test machine) reads any file, so ``os.access`` is made to say "not readable" (a stand-in for a
non-root user, said here): typer must not refuse the path itself; the loader reads it (as root it can) or,
for a real user, reports ``cannot read it (...); check its permissions`` in one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from trunkline.cli import main
from trunkline.vsphere.sources import example_text


@pytest.mark.parametrize("args", [("inventory", "show"), ("inventory", "read", "--rvtools")])
def test_typer_does_not_refuse_an_unreadable_path_itself(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text(example_text(), encoding="utf-8")
    monkeypatch.setattr(os, "access", lambda *_a, **_k: False)
    extra = ["-o", str(tmp_path / "out.yaml")] if "read" in args else []
    with pytest.raises(SystemExit):
        main([*args, str(path), *extra])
    err = capsys.readouterr().err
    assert "Usage:" not in err
    assert "is not readable" not in err


@pytest.mark.parametrize("option", [None, "--rvtools", "--nic-map-file", "--node-state"])
def test_plan_leaves_unreadable_paths_to_its_loaders(
    option: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "input.yaml"
    path.write_text(example_text(), encoding="utf-8")
    monkeypatch.setattr(os, "access", lambda *_a, **_k: False)
    given = [str(path)] if option is None else [option, str(path)]
    with pytest.raises(SystemExit):
        main(["plan", *given, "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert "is not readable" not in err
    assert "see 'trunkline plan -h'" not in err
