"""The one home of atomic writing (trunkline.atomicwrite): what a killed run left is removed, the
temporaries of live writers and of other programs are kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from trunkline.atomicwrite import pid_alive, remove_stale, write_text_atomic, write_tree_atomic


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(proc.stdout)


def test_stale_files_and_directories_of_dead_writers_go_live_and_foreign_ones_stay(tmp_path: Path) -> None:
    dead = _dead_pid()
    assert not pid_alive(dead) and pid_alive(os.getpid()) and pid_alive(1)
    (tmp_path / f".out.trunkline-{dead}-abc").mkdir()
    (tmp_path / f".inv.yaml.trunkline-{dead}.x1.tmp").write_text("old")  # the earlier file naming
    (tmp_path / f".inv.yaml.trunkline-{dead}-x2.tmp").write_text("old")
    (tmp_path / ".inv.yaml.trunkline-1-x3.tmp").write_text("live writer")
    (tmp_path / ".inv.yaml.other-1.tmp").write_text("not ours")
    remove_stale(tmp_path, "out")
    remove_stale(tmp_path, "inv.yaml")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".inv.yaml.other-1.tmp",
        ".inv.yaml.trunkline-1-x3.tmp",
    ]


def test_file_and_tree_are_written_whole(tmp_path: Path) -> None:
    write_text_atomic(tmp_path / "a.yaml", "a: 1\n")
    write_tree_atomic({"x/y.txt": "y\n", "z.txt": "z\n"}, tmp_path / "dir")
    write_tree_atomic({"z.txt": "new\n"}, tmp_path / "dir", carried=["x"])
    assert (tmp_path / "a.yaml").read_text() == "a: 1\n"
    assert sorted(str(p.relative_to(tmp_path / "dir")) for p in (tmp_path / "dir").rglob("*")) == [
        "x",
        "x/y.txt",
        "z.txt",
    ]
    assert (tmp_path / "dir" / "z.txt").read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "dir"]
