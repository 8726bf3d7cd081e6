"""The CLI glue of ``--vcenter``: govc's environment variables, the password prompt, the warnings.

:func:`trunkline.cli._vcenter.vcenter_inventory` runs in-process against the simulator; stderr is
checked for the password (it must never appear).
"""

from __future__ import annotations

import io
import sys

import pytest

from tests.vcsim_fixture import Vcsim, vcsim, vcsim_tls  # noqa: F401  (fixtures)
from trunkline.cli._vcenter import vcenter_inventory
from trunkline.errors import BadInputError, EnvironmentProblem

GOVC = ("GOVC_URL", "GOVC_USERNAME", "GOVC_PASSWORD", "GOVC_INSECURE", "GOVC_TLS_CA_CERTS")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in GOVC:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal: no prompts


def _host_names(inventory: object) -> list[str]:
    return sorted(h.name for vc in inventory.vcenters for dc in vc.datacenters for h in dc.hosts)  # type: ignore[attr-defined]


def test_govc_url_with_credentials_and_govc_insecure(
    vcsim_tls: Vcsim,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(
        "GOVC_URL", f"https://{vcsim_tls.user}:{vcsim_tls.password}@127.0.0.1:{vcsim_tls.port}/sdk"
    )
    monkeypatch.setenv("GOVC_INSECURE", "true")
    inventory = vcenter_inventory([], None, False, None, None)
    assert _host_names(inventory) == ["DC0_H0"]
    err = capsys.readouterr().err
    assert "warning: --insecure: vCenter certificates are NOT verified" in err
    assert vcsim_tls.password not in err


def test_govc_username_password_and_ca_certs(
    vcsim_tls: Vcsim,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GOVC_USERNAME", vcsim_tls.user)
    monkeypatch.setenv("GOVC_PASSWORD", vcsim_tls.password)
    monkeypatch.setenv("GOVC_TLS_CA_CERTS", str(vcsim_tls.cafile))
    inventory = vcenter_inventory([f"127.0.0.1:{vcsim_tls.port}"], None, False, None, None)
    assert _host_names(inventory) == ["DC0_H0"]
    assert vcsim_tls.password not in capsys.readouterr().err


def test_password_prompt_on_a_terminal(vcsim: Vcsim, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    prompts: list[str] = []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return vcsim.password

    monkeypatch.setattr(sys, "stdin", Terminal(""))
    monkeypatch.setattr("getpass.getpass", getpass)
    inventory = vcenter_inventory([vcsim.url], vcsim.user, False, None, None)
    assert prompts == [f"password for {vcsim.user} on {vcsim.url}: "]
    assert len(_host_names(inventory)) == 4


def test_govc_url_credentials_are_not_sent_to_another_vcenter(
    vcsim: Vcsim,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOVC_URL", "https://admin:other-secret@vc.example.com/sdk")
    with pytest.raises(BadInputError) as caught:
        vcenter_inventory([vcsim.url], None, False, None, None)
    assert str(caught.value) == "no vCenter user given: pass --user USER or set GOVC_USERNAME"


def test_no_password_without_a_terminal_is_bad_input(vcsim: Vcsim) -> None:  # noqa: F811
    with pytest.raises(BadInputError) as caught:
        vcenter_inventory([vcsim.url], vcsim.user, False, None, None)
    assert str(caught.value) == (
        "no vCenter password: set GOVC_PASSWORD or run trunkline on a terminal to be asked for it"
    )


def test_no_vcenter_at_all_is_bad_input() -> None:
    with pytest.raises(BadInputError) as caught:
        vcenter_inventory([], "u", False, None, None)
    assert str(caught.value) == "no vCenter given: pass --vcenter HOST (repeatable) or set GOVC_URL"


def test_self_signed_without_insecure_is_exit_3(vcsim_tls: Vcsim, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("GOVC_PASSWORD", vcsim_tls.password)
    with pytest.raises(EnvironmentProblem) as caught:
        vcenter_inventory([f"127.0.0.1:{vcsim_tls.port}"], vcsim_tls.user, False, None, None)
    assert caught.value.exit_code == 3
    assert "--ca-file" in str(caught.value) and "--insecure" in str(caught.value)
