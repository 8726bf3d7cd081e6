"""`./quickstart.sh demo` installs only what `trunkline plan` needs; `./quickstart.sh test`, everything.

A test cannot install Debian packages on this shared machine, so `dpkg-query`, `apt-get` and `id` are
stand-ins on PATH that log their arguments (every package reported missing, running as root), and the
virtual environment's `python`/`trunkline` are stand-ins that log theirs. The script itself runs as is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: What `trunkline plan` runs on: a Python virtual environment, nothing else from Debian.
DEMO_PACKAGES = ["python3", "python3-venv", "python3-pip"]
#: Packages only the tests need: the demo must never install them.
HEAVY = {"golang-go", "qemu-system-x86", "linux-image-amd64", "clang", "dnsmasq-base", "libbpf-dev"}

STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
{body}
"""


def stub(path: Path, log: Path, body: str = "") -> None:
    path.write_text(STUB.format(log=log, body=body))
    path.chmod(0o755)


Run = tuple[subprocess.CompletedProcess[str], list[str]]


def run_quickstart(tmp_path: Path, *args: str, installed: bool = False) -> Run:
    """Run a copy of quickstart.sh with the stand-ins; returns the process and the logged calls."""
    tree, bin_dir, log = tmp_path / "tree", tmp_path / "bin", tmp_path / "calls.log"
    (tree / ".venv" / "bin").mkdir(parents=True)
    bin_dir.mkdir()
    shutil.copy(ROOT / "quickstart.sh", tree / "quickstart.sh")
    status = "install ok installed" if installed else "unknown ok not-installed"
    stub(bin_dir / "dpkg-query", log, f"printf '{status}'")
    stub(bin_dir / "apt-get", log)
    stub(bin_dir / "id", log, "echo 0")
    stub(tree / ".venv" / "bin" / "python", log)
    writes_report = ('while [ $# -gt 0 ]; do [ "$1" = -o ] && mkdir -p "$2"'
                     ' && echo "# REPORT" > "$2/REPORT.md"; shift; done')
    stub(tree / ".venv" / "bin" / "trunkline", log, writes_report)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    proc = subprocess.run(["bash", str(tree / "quickstart.sh"), *args], capture_output=True, text=True,
                          env=env, timeout=60)
    calls = log.read_text().splitlines() if log.exists() else []
    return proc, calls


def installed_packages(calls: list[str]) -> list[str]:
    lines = [c for c in calls if c.startswith("apt-get install")]
    assert len(lines) == 1, calls
    return [word for word in lines[0].split()[2:] if not word.startswith("-")]


def test_demo_installs_only_python_then_plans_the_bundled_example(tmp_path: Path) -> None:
    proc, calls = run_quickstart(tmp_path, "demo")
    assert proc.returncode == 0, proc.stderr
    assert installed_packages(calls) == DEMO_PACKAGES
    assert "python -m pip install -q --disable-pip-version-check -e ." in calls
    assert "trunkline plan -o trunkline-plan" in calls
    assert "# REPORT" in proc.stdout


def test_test_installs_everything_then_runs_pytest(tmp_path: Path) -> None:
    proc, calls = run_quickstart(tmp_path, "test", "-q")
    assert proc.returncode == 0, proc.stderr
    packages = installed_packages(calls)
    assert packages[:3] == DEMO_PACKAGES
    assert set(packages) >= HEAVY
    assert "python -m pip install -q --disable-pip-version-check -e .[test,docs]" in calls
    assert calls[-1] == "python -m pytest -q"


def test_nothing_is_installed_again(tmp_path: Path) -> None:
    proc, calls = run_quickstart(tmp_path, "demo", installed=True)
    assert proc.returncode == 0, proc.stderr
    assert not [c for c in calls if c.startswith(("apt-get", "id"))]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./quickstart.sh test" in readme
    assert "exec ./quickstart.sh test\n" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
