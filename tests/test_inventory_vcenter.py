"""`trunkline inventory read --vcenter` end to end against VMware's vCenter simulator (govmomi ``vcsim``).

The command runs as a subprocess, the password comes from ``GOVC_PASSWORD`` (never an option); the file it
writes must load back (with the reference checks of the inventory file) into what the reader returns.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.vcsim_fixture import Vcsim, vcsim  # noqa: F401  (fixture)
from trunkline.cli._vcenter import vcenter_inventory
from trunkline.vsphere.sources import load_inventory
from trunkline.vsphere.summary import counts_text


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("GOVC_URL", "GOVC_USERNAME", "GOVC_PASSWORD", "GOVC_INSECURE", "GOVC_TLS_CA_CERTS"):
        monkeypatch.delenv(name, raising=False)


def test_simulator_to_inventory_file_to_model_is_equal(
    vcsim: Vcsim,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOVC_PASSWORD", vcsim.password)
    out = tmp_path / "inventory.yaml"
    result = run_cli("inventory", "read", "--vcenter", vcsim.url, "--user", vcsim.user, "-o", str(out))
    assert result.returncode == 0, result.stderr
    direct = vcenter_inventory([vcsim.url], vcsim.user, False, None, None)
    from_file = load_inventory(out)
    assert from_file == direct
    assert result.stderr.splitlines()[-1] == (
        f"wrote {out}: {counts_text(direct)}; 0 reader finding(s): 0 error(s), 0 warning(s), 0 note(s)"
    )
    assert vcsim.password not in result.stderr + result.stdout
    shown = run_cli("inventory", "show", str(out))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == counts_text(direct)


def test_wrong_password_is_exit_2_and_writes_nothing(
    vcsim: Vcsim,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOVC_PASSWORD", "not-the-password")
    out = tmp_path / "inventory.yaml"
    result = run_cli("inventory", "read", "--vcenter", vcsim.url, "--user", vcsim.user, "-o", str(out))
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("trunkline: error: ")
    assert "not-the-password" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_unreachable_vcenter_is_exit_3_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        monkeypatch.setenv("GOVC_PASSWORD", "x")
        out = tmp_path / "inventory.yaml"
        result = run_cli(
            "inventory", "read", "--vcenter", f"http://127.0.0.1:{port}/sdk", "--user", "u", "-o", str(out)
        )
    assert result.returncode == 3, result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("trunkline: error: ")
    assert list(tmp_path.iterdir()) == []
