"""vCenter error messages that point at the right fix."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.vcsim_fixture import Vcsim, vcsim  # noqa: F401  (fixture)
from trunkline.errors import EnvironmentProblem
from trunkline.vsphere.vcenter import read_inventory


def test_https_to_a_plain_http_port_suggests_http_not_insecure(vcsim: Vcsim) -> None:  # noqa: F811
    with pytest.raises(EnvironmentProblem) as caught:
        read_inventory([f"https://127.0.0.1:{vcsim.port}/sdk"], user=vcsim.user, password=vcsim.password)
    assert str(caught.value) == (
        f"vCenter 127.0.0.1:{vcsim.port} (https://127.0.0.1:{vcsim.port}): "
        "TLS failed (WRONG_VERSION_NUMBER): "
        f"the port answers in plain HTTP; give http://127.0.0.1:{vcsim.port}/sdk if that is meant, "
        "or the vCenter's HTTPS port"
    )


def test_password_in_a_vcenter_url_is_refused_without_echoing_it(tmp_path: Path) -> None:
    out = tmp_path / "inventory.yaml"
    url = "http://admin:S3cret-pw@127.0.0.1:9/sdk"
    result = run_cli("inventory", "read", "--vcenter", url, "-o", str(out), stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert result.stderr == (
        "trunkline: error: --vcenter 'http://admin@127.0.0.1:9/sdk' holds a password: put the password in "
        "GOVC_PASSWORD (or let trunkline ask for it), not on the command line\n"
    )
    assert "S3cret" not in result.stdout + result.stderr
    assert not out.exists()


def test_user_in_a_vcenter_url_says_to_use_the_user_option(tmp_path: Path) -> None:
    result = run_cli(
        "inventory",
        "read",
        "--vcenter",
        "admin@vc.example.com",
        "-o",
        str(tmp_path / "i.yaml"),
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "trunkline: error: --vcenter 'admin@vc.example.com' holds a user name: "
        "give it with --user admin instead\n"
    )
