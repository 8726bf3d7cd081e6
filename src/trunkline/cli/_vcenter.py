"""CLI glue for reading a live vCenter: credentials, environment variables, progress display.

``trunkline inventory read --vcenter`` and ``trunkline plan --vcenter`` call :func:`vcenter_inventory`.
It takes what the user typed (``--vcenter HOST`` repeatable, ``--user``, ``--insecure``, ``--ca-file``,
``--datacenter``), fills the gaps from the environment variables govc users already set, asks for the
password interactively when none is set, and shows a status line on stderr while reading.

Environment variables (govc's own, see govmomi's ``govc/USAGE.md``):

* ``GOVC_URL``: the vCenter when no ``--vcenter`` is given: ``host``, ``host:port`` or a URL
  (``https://user:password@host/sdk``); its user and password are used only for that host;
* ``GOVC_USERNAME``, ``GOVC_PASSWORD``: the user (when no ``--user``) and the password;
* ``GOVC_INSECURE``: ``1`` or ``true`` = do not verify certificates (as ``--insecure``);
* ``GOVC_TLS_CA_CERTS``: a CA bundle file (as ``--ca-file``).

The password is never a command-line argument and is never printed or logged.
"""

from __future__ import annotations

import getpass
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import unquote, urlsplit

from rich.console import Console

from trunkline.errors import BadInputError
from trunkline.vsphere.model import Inventory


@dataclass(frozen=True)
class _UrlParts:
    host: str  # host[:port] or a URL without credentials
    user: str | None
    password: str | None


def _split_govc_url(value: str) -> _UrlParts:
    """``GOVC_URL`` -> the host part (credentials removed) and the credentials it holds."""
    text = value.strip()
    url = urlsplit(text if "://" in text else f"https://{text}")
    if not url.hostname:
        raise BadInputError(
            f"GOVC_URL {_without_password(text)!r} names no host; set it to HOST or https://HOST/sdk"
        )
    netloc = url.hostname if ":" not in url.hostname else f"[{url.hostname}]"
    if url.port:
        netloc = f"{netloc}:{url.port}"
    host = f"{url.scheme}://{netloc}{url.path}" if "://" in text else netloc
    user = unquote(url.username) if url.username else None
    password = unquote(url.password) if url.password is not None else None
    return _UrlParts(host=host, user=user, password=password)


def _without_password(text: str) -> str:
    """*text* with any ``user:password@`` reduced to ``user@`` (for error messages)."""
    scheme, sep, rest = text.rpartition("://")
    userinfo, at, hostpart = rest.rpartition("@")
    if not at:
        return text
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}@{hostpart}"


class _Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwinds like Ctrl-C, so every session is logged out on the way."""


#: Exit code after SIGTERM: 128 + the signal number, as a shell reports a process it terminated.
TERMINATED_EXIT = 128 + signal.SIGTERM


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`_Terminated` (a KeyboardInterrupt) where the program is,
    so that ``finally`` blocks (vCenter logout) run as after Ctrl-C; the old handler is restored after.
    Only the main thread can set signal handlers; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _refuse_credentials(text: str) -> None:
    """A ``--vcenter`` value holding ``user[:password]@`` is refused: a password on the command line is
    visible to every user of the machine (``ps``) and lands in shell history.

    Raises:
        BadInputError: naming the value without its password.
    """
    url = urlsplit(text if "://" in text else f"https://{text}")
    if url.password is not None:
        raise BadInputError(
            f"--vcenter {_without_password(text)!r} holds a password: put the password in GOVC_PASSWORD "
            "(or let trunkline ask for it), not on the command line"
        )
    if url.username is not None:
        raise BadInputError(
            f"--vcenter {text!r} holds a user name: give it with --user {unquote(url.username)} instead"
        )


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def vcenter_inventory(
    hosts: list[str],
    user: str | None,
    insecure: bool,
    ca_file: Path | None,
    datacenter: str | None,
    timeout: float | None = None,
) -> Inventory:
    """Read the inventory of one or more live vCenters, as the CLI does (merged into one inventory).

    *hosts*: ``HOST``, ``HOST:PORT`` or ``https://HOST/sdk`` each (empty: ``GOVC_URL``). *user*: from
    ``--user`` (``None``: ``GOVC_USERNAME``, then ``GOVC_URL``'s user, then an interactive prompt).
    The password comes from ``GOVC_PASSWORD``, ``GOVC_URL`` (for its own host only) or an interactive
    prompt (never echoed). *insecure* (or ``GOVC_INSECURE=1``) skips certificate checks with a warning;
    *ca_file* (or ``GOVC_TLS_CA_CERTS``) is the CA bundle that verifies them. *datacenter*: read only
    that datacenter (default: all). *timeout*: seconds to wait for a vCenter to connect or answer one
    call (default: :data:`trunkline.vsphere.vcenter.TIMEOUT_S`).

    Raises:
        BadInputError: no vCenter, user or password given (and no terminal to ask on), wrong
            credentials, an unknown datacenter (exit code 2).
        EnvironmentProblem: a vCenter is unreachable or its certificate is not trusted (exit code 3).
    """
    from trunkline.vsphere.summary import plain
    from trunkline.vsphere.vcenter import TIMEOUT_S, read_inventory

    env = os.environ
    url_parts: _UrlParts | None = None
    if env.get("GOVC_URL"):
        url_parts = _split_govc_url(env["GOVC_URL"])
    targets = [h.strip() for h in hosts if h.strip()]
    for given in targets:
        _refuse_credentials(given)
    if not targets:
        if url_parts is None:
            raise BadInputError("no vCenter given: pass --vcenter HOST (repeatable) or set GOVC_URL")
        targets = [url_parts.host]
    # GOVC_URL's credentials belong to GOVC_URL's host only; never send them elsewhere.
    url_creds = url_parts if url_parts is not None and targets == [url_parts.host] else None

    user = user or env.get("GOVC_USERNAME") or (url_creds.user if url_creds else None)
    interactive = sys.stdin.isatty()
    if not user:
        if not interactive:
            raise BadInputError("no vCenter user given: pass --user USER or set GOVC_USERNAME")
        user = input(f"vCenter user for {', '.join(targets)}: ").strip()
        if not user:
            raise BadInputError("no vCenter user given: pass --user USER or set GOVC_USERNAME")
    password = env.get("GOVC_PASSWORD")
    if password is None and url_creds is not None:
        password = url_creds.password
    if password is None:
        if not interactive:
            raise BadInputError(
                "no vCenter password: set GOVC_PASSWORD or run trunkline on a terminal to be asked for it"
            )
        password = getpass.getpass(f"password for {user} on {', '.join(targets)}: ")

    insecure = insecure or _truthy(env.get("GOVC_INSECURE"))
    if ca_file is None and env.get("GOVC_TLS_CA_CERTS"):
        ca_file = Path(env["GOVC_TLS_CA_CERTS"])
    if ca_file is not None and not ca_file.is_file():
        raise BadInputError(f"CA file {ca_file} does not exist or is not a file: pass an existing --ca-file")

    console = Console(stderr=True)
    if insecure:
        console.print(
            "[yellow]warning:[/] --insecure: vCenter certificates are NOT verified "
            "(anyone on the path can read the credentials); prefer --ca-file",
            highlight=False,
        )
    try:
        with _sigterm_unwinds(), console.status("connecting to vCenter", spinner="dots") as status:

            def progress(message: str) -> None:
                status.update(plain(message))  # names from vCenter: no markup, no control characters

            return read_inventory(
                targets,
                user=user,
                password=password,
                insecure=insecure,
                ca_file=ca_file,
                datacenter=datacenter,
                progress=progress,
                timeout=TIMEOUT_S if timeout is None else timeout,
            )
    except _Terminated:
        print("trunkline: terminated (SIGTERM); logged out of vCenter, nothing written", file=sys.stderr)
        raise SystemExit(TERMINATED_EXIT) from None
