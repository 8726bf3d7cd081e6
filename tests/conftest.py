"""Shared test fixtures.

Privileged tests (root, BPF, network namespaces) are marked ``@pytest.mark.privileged``. Where the
machine cannot run them they are skipped, except when ``TRUNKLINE_REQUIRE_PRIVILEGED=1`` (as in CI),
which turns the skip into a failure so that nothing is silently left untested.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.netns import VethPair, privileged_problem
from tests.support.manifests import write_trunk_plan

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def require(problem: str | None) -> None:
    """Skip (or fail under ``TRUNKLINE_REQUIRE_PRIVILEGED=1``) when *problem* is not ``None``."""
    if problem is None:
        return
    if os.environ.get("TRUNKLINE_REQUIRE_PRIVILEGED") == "1":
        pytest.fail(f"required but unavailable: {problem}", pytrace=False)
    pytest.skip(problem)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("privileged"):
        require(privileged_problem())


@pytest.fixture
def veth_pair() -> Iterator[VethPair]:
    """Two fresh network namespaces joined by a veth pair, addressed; removed afterwards."""
    require(privileged_problem())
    with VethPair() as pair:
        yield pair


def cli_env() -> dict[str, str]:
    """Environment for running ``python -m trunkline`` from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_cli(
    *args: str, netns: str | None = None, timeout: float = 120, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run ``trunkline ARGS`` as a user would (a subprocess), optionally inside network namespace *netns*."""
    cmd = [sys.executable, "-m", "trunkline", *args]
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, env=cli_env(), timeout=timeout, **kwargs)  # type: ignore[call-overload,no-any-return]


@pytest.fixture(scope="module")
def bundled_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan directory of the bundled example, as `trunkline plan -o DIR` writes it (index included)."""
    out = tmp_path_factory.mktemp("plan") / "plan"
    proc = run_cli("plan", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    """Hand-written NADs for the verify tests (see :func:`tests.support.manifests.write_trunk_plan`)."""
    return write_trunk_plan(tmp_path)
