"""vCenter names: two vCenters on one host (different ports) get two names, and `read` never writes a file
that `show` would refuse."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.vcsim_fixture import Vcsim, vcsim, vcsim_tls  # noqa: F401  (fixtures)
from trunkline.errors import BadInputError
from trunkline.vsphere.model import Inventory, VCenter
from trunkline.vsphere.vcenter import parse_target
from trunkline.vsphere.yamlfile import check_read_inventory, load_inventory_file


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("vc.example.com", "vc.example.com"),
        ("vc.example.com:443", "vc.example.com"),
        ("vc.example.com:8443", "vc.example.com:8443"),
        ("http://127.0.0.1/sdk", "127.0.0.1"),
        ("http://127.0.0.1:8989/sdk", "127.0.0.1:8989"),
        ("[2001:db8::5]", "[2001:db8::5]"),
        ("[2001:db8::5]:8443", "[2001:db8::5]:8443"),
    ],
)
def test_vcenter_name_has_the_port_only_when_not_the_default(text: str, name: str) -> None:
    assert parse_target(text).name == name


def test_read_refuses_an_inventory_that_would_not_load() -> None:
    twice = Inventory(vcenters=(VCenter(name="vc"), VCenter(name="vc")))
    with pytest.raises(BadInputError) as caught:
        check_read_inventory(twice)
    assert str(caught.value) == (
        "the inventory read would not load, nothing written: vcenters[1].name: vCenter name 'vc' is used "
        "twice (also at index 0); give each vCenter its own name"
    )


def test_two_vcenters_on_one_host_read_into_a_file_show_accepts(
    vcsim: Vcsim,  # noqa: F811
    vcsim_tls: Vcsim,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("GOVC_URL", "GOVC_USERNAME", "GOVC_INSECURE", "GOVC_TLS_CA_CERTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOVC_PASSWORD", vcsim.password)
    out = tmp_path / "inventory.yaml"
    tls = f"https://127.0.0.1:{vcsim_tls.port}/sdk"
    args = ("--vcenter", vcsim.url, "--vcenter", tls, "--ca-file", str(vcsim_tls.cafile))
    result = run_cli(
        "inventory", "read", *args, "--user", vcsim.user, "-o", str(out), stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, result.stderr
    names = [vc.name for vc in load_inventory_file(out).vcenters]
    assert names == [f"127.0.0.1:{vcsim.port}", f"127.0.0.1:{vcsim_tls.port}"]
    shown = run_cli("inventory", "show", str(out))
    assert shown.returncode == 0, shown.stderr
