"""``trunkline inventory read --vcenter`` as a user runs it (a subprocess) against the simulator.

Round trip: simulator -> inventory file -> model, equal to what the reader returns in-process. Bad
input: one line on stderr, exit code 2 or 3, no output file, the password nowhere in the output.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.vcsim_fixture import Vcsim, vcsim, vcsim_tls  # noqa: F401  (fixtures)
from trunkline.vsphere.vcenter import read_inventory
from trunkline.vsphere.yamlfile import load_inventory_file

GOVC = ("GOVC_URL", "GOVC_USERNAME", "GOVC_PASSWORD", "GOVC_INSECURE", "GOVC_TLS_CA_CERTS")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in GOVC:
        monkeypatch.delenv(name, raising=False)


def _read(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("inventory", "read", *args, stdin=subprocess.DEVNULL)


def test_simulator_inventory_file_round_trip(
    vcsim: Vcsim,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "inventory.yaml"
    monkeypatch.setenv("GOVC_PASSWORD", vcsim.password)
    result = _read("--vcenter", vcsim.url, "--user", vcsim.user, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert vcsim.password not in result.stderr + result.stdout
    from_file = load_inventory_file(out)
    assert from_file == read_inventory([vcsim.url], user=vcsim.user, password=vcsim.password)
    assert len(from_file.vcenters[0].datacenters[0].vms) >= 4


def test_govc_url_alone_is_enough(vcsim: Vcsim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    out = tmp_path / "inventory.json"
    monkeypatch.setenv("GOVC_URL", vcsim.url.replace("://", f"://{vcsim.user}:{vcsim.password}@"))
    result = _read("-o", str(out))
    assert result.returncode == 0, result.stderr
    assert load_inventory_file(out).vcenters[0].name == f"127.0.0.1:{vcsim.port}"
    assert vcsim.password not in result.stderr + result.stdout


def test_unreachable_vcenter_exits_3_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / "inventory.yaml"
    monkeypatch.setenv("GOVC_PASSWORD", "pw")
    result = _read("--vcenter", f"127.0.0.1:{port}", "--user", "u", "-o", str(out))
    assert result.returncode == 3
    assert result.stderr.splitlines()[-1] == (
        f"trunkline: error: vCenter 127.0.0.1:{port} (https://127.0.0.1:{port}) is unreachable "
        "(Connection refused); check the host name, port and network"
    )
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_wrong_password_exits_2_without_echoing_it(
    vcsim: Vcsim,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "inventory.yaml"
    monkeypatch.setenv("GOVC_PASSWORD", "Wr0ng-Passw0rd")
    result = _read("--vcenter", vcsim.url, "--user", vcsim.user, "-o", str(out))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"trunkline: error: vCenter 127.0.0.1:{vcsim.port} refused the login of user '{vcsim.user}': "
        "wrong user name or "
        "password; check --user / GOVC_USERNAME and the password (GOVC_PASSWORD)"
    )
    assert "Wr0ng-Passw0rd" not in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []


def test_self_signed_certificate_exits_3_naming_ca_file_and_insecure(
    vcsim_tls: Vcsim,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "inventory.yaml"
    monkeypatch.setenv("GOVC_PASSWORD", vcsim_tls.password)
    result = _read("--vcenter", f"127.0.0.1:{vcsim_tls.port}", "--user", vcsim_tls.user, "-o", str(out))
    assert result.returncode == 3
    assert result.stderr.splitlines()[-1] == (
        f"trunkline: error: vCenter 127.0.0.1:{vcsim_tls.port} (https://127.0.0.1:{vcsim_tls.port}): "
        "its certificate is not "
        "trusted (self-signed certificate); pass --ca-file with the CA that signed it, or --insecure to skip "
        "the check"
    )
    assert not out.exists()

    trusted = _read(
        "--vcenter",
        f"127.0.0.1:{vcsim_tls.port}",
        "--user",
        vcsim_tls.user,
        "--ca-file",
        str(vcsim_tls.cafile),
        "-o",
        str(out),
    )
    assert trusted.returncode == 0, trusted.stderr
    assert [h.name for h in load_inventory_file(out).vcenters[0].datacenters[0].hosts] == ["DC0_H0"]
