"""Where `inventory read -o` writes: regular files atomically, and never a device, pipe or link replaced."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from trunkline.errors import BadInputError
from trunkline.vsphere.yamlfile import write_text_atomic


def test_output_to_a_fifo_writes_into_it_and_keeps_the_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:
            got.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    write_text_atomic(fifo, "version: 1\n")
    thread.join(timeout=10)
    assert got == [b"version: 1\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_output_to_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to("real.yaml")
    write_text_atomic(link, "new\n")
    assert os.readlink(link) == "real.yaml"
    assert target.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "real.yaml"]


def test_output_over_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "inventory.yaml"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o600)
    write_text_atomic(out, "new\n")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8") == "new\n"


def test_output_to_a_socket_is_refused_and_left_alone(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(BadInputError) as err:
            write_text_atomic(path, "new\n")
        assert str(err.value) == f"{path}: is not a regular file, a pipe or a terminal; choose a file name"
        assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_temporary_file_left_by_a_killed_write_is_removed_by_the_next(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    out = tmp_path / "inventory.yaml"
    stale = tmp_path / f".inventory.yaml.trunkline-{pid}.abc123.tmp"
    stale.write_text("half", encoding="utf-8")
    live = tmp_path / f".inventory.yaml.trunkline-{os.getppid()}.def456.tmp"  # a running process's
    live.write_text("busy", encoding="utf-8")
    other = tmp_path / ".inventory.yaml.xyz.tmp"  # not ours
    other.write_text("keep", encoding="utf-8")
    write_text_atomic(out, "new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["inventory.yaml", live.name, other.name])


def test_output_to_a_link_to_stdout_writes_to_the_pipe(tmp_path: Path) -> None:
    """As ``-o /dev/stdout``, through a link of the test's own (a regression must not replace /dev/stdout)."""
    from tests.conftest import run_cli
    from tests.support.rvtools_corpus import SEED_V4_YAML, seed_rows, write_workbook

    xlsx = write_workbook(tmp_path / "export.xlsx", seed_rows())
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    result = run_cli("inventory", "read", "--rvtools", str(xlsx), "-o", str(stdout))
    assert result.returncode == 0, result.stderr
    assert result.stdout == SEED_V4_YAML
    assert os.readlink(stdout) == "/proc/self/fd/1"
