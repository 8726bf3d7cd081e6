"""Bad input and a hostile environment: unreachable vCenter, wrong password, untrusted certificate.

Each error is one line naming the vCenter and the fix, with the exit code of docs/design.md
(2 bad input, 3 environment); the password never appears in it.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.vcsim_fixture import Vcsim, vcsim, vcsim_tls  # noqa: F401  (fixtures)
from trunkline.errors import BadInputError, EnvironmentProblem
from trunkline.vsphere.vcenter import parse_target, read_inventory


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield port


def test_unreachable_vcenter_is_an_environment_problem(closed_port: int) -> None:
    with pytest.raises(EnvironmentProblem) as caught:
        read_inventory([f"127.0.0.1:{closed_port}"], user="u", password="pw-unreachable")
    assert caught.value.exit_code == 3
    assert str(caught.value) == (
        f"vCenter 127.0.0.1:{closed_port} (https://127.0.0.1:{closed_port}) is unreachable "
        "(Connection refused); "
        "check the host name, port and network"
    )


def test_wrong_password_is_bad_input_without_the_password(vcsim: Vcsim) -> None:  # noqa: F811
    with pytest.raises(BadInputError) as caught:
        read_inventory([vcsim.url], user=vcsim.user, password="not-the-password")
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        f"vCenter 127.0.0.1:{vcsim.port} refused the login of user '{vcsim.user}': "
        "wrong user name or password; "
        "check the user (--user, GOVC_USERNAME or GOVC_URL) and the password (GOVC_PASSWORD, "
        "GOVC_URL or the prompt)"
    )
    assert "not-the-password" not in str(caught.value)


def test_wrong_user_is_bad_input(vcsim: Vcsim) -> None:  # noqa: F811
    with pytest.raises(BadInputError, match="refused the login of user 'intruder'"):
        read_inventory([vcsim.url], user="intruder", password=vcsim.password)


def test_self_signed_certificate_without_insecure_names_the_fix(vcsim_tls: Vcsim) -> None:  # noqa: F811
    with pytest.raises(EnvironmentProblem) as caught:
        read_inventory([f"127.0.0.1:{vcsim_tls.port}"], user=vcsim_tls.user, password=vcsim_tls.password)
    assert caught.value.exit_code == 3
    assert str(caught.value) == (
        f"vCenter 127.0.0.1:{vcsim_tls.port} (https://127.0.0.1:{vcsim_tls.port}): "
        "its certificate is not trusted "
        "(self-signed certificate); pass --ca-file with the CA that signed it, "
        "or --insecure to skip the check"
    )


def test_ca_file_makes_the_self_signed_certificate_trusted(vcsim_tls: Vcsim) -> None:  # noqa: F811
    inventory = read_inventory(
        [f"127.0.0.1:{vcsim_tls.port}"],
        user=vcsim_tls.user,
        password=vcsim_tls.password,
        ca_file=vcsim_tls.cafile,
    )
    (vcenter,) = inventory.vcenters
    assert [h.name for dc in vcenter.datacenters for h in dc.hosts] == ["DC0_H0"]


def test_insecure_reads_with_a_warning(vcsim_tls: Vcsim, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    with caplog.at_level(logging.WARNING, logger="trunkline.tls"):
        inventory = read_inventory(
            [f"127.0.0.1:{vcsim_tls.port}"], user=vcsim_tls.user, password=vcsim_tls.password, insecure=True
        )
    assert [h.name for dc in inventory.vcenters[0].datacenters for h in dc.hosts] == ["DC0_H0"]
    assert [r.getMessage() for r in caplog.records] == [
        "certificate checks are off (--insecure): the vCenter's identity is not verified"
    ]
    assert vcsim_tls.password not in caplog.text


def test_missing_ca_file_is_bad_input(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(BadInputError) as caught:
        read_inventory(["127.0.0.1:1"], user="u", password="p", ca_file=missing)
    assert str(caught.value) == (
        f"CA file {missing}: cannot load it (No such file or directory); "
        "give a PEM file with the CA certificate to --ca-file"
    )


def test_plain_http_to_a_tls_vcenter_is_an_environment_problem(vcsim_tls: Vcsim) -> None:  # noqa: F811
    with pytest.raises(EnvironmentProblem, match=r"^vCenter 127\.0\.0\.1:(\d+) \(http://127\.0\.0\.1:\1\)"):
        read_inventory([f"http://127.0.0.1:{vcsim_tls.port}"], user="u", password="p")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vc.example.com", ("vc.example.com", "https", 443)),
        ("vc.example.com:8443", ("vc.example.com", "https", 8443)),
        ("https://vc.example.com/sdk", ("vc.example.com", "https", 443)),
        ("http://127.0.0.1:8989/sdk", ("127.0.0.1", "http", 8989)),
        ("[2001:db8::5]:443", ("2001:db8::5", "https", 443)),
    ],
)
def test_vcenter_host_forms(text: str, expected: tuple[str, str, int]) -> None:
    target = parse_target(text)
    assert (target.host, target.protocol, target.port) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ftp://vc", "vCenter 'ftp://vc': protocol 'ftp' is not https or http; give HOST or https://HOST"),
        ("vc:99999", "vCenter 'vc:99999': the port is not a number 1-65535; give HOST or HOST:PORT"),
        ("https:///sdk", "vCenter 'https:///sdk' names no host; give HOST, HOST:PORT or https://HOST/sdk"),
    ],
)
def test_malformed_vcenter_is_bad_input(text: str, message: str) -> None:
    with pytest.raises(BadInputError) as caught:
        parse_target(text)
    assert str(caught.value) == message
