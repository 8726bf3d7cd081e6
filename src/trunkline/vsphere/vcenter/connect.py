"""Connecting to one vCenter: targets, TLS and connection errors, timeouts, login and logout."""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from trunkline.errors import BadInputError, EnvironmentProblem
from trunkline.tls import PLAIN_HTTP_REASONS
from trunkline.vsphere.vcenter.common import _fault_text, _log

#: Seconds to wait for a vCenter to accept a connection and to answer one call.
TIMEOUT_S = 60


@dataclass(frozen=True)
class Target:
    """Where one vCenter answers: protocol (``https``/``http``), host name, port; ``name`` as people
    write it: the host (an IPv6 address in brackets) with ``:PORT`` when the port is not the protocol's
    default, so that two vCenters on one host get two names."""

    name: str
    protocol: str
    host: str
    port: int


def parse_target(text: str, protocol: str = "https", port: int | None = None) -> Target:
    """``HOST``, ``HOST:PORT``, ``[IPv6]:PORT`` or ``https://HOST[:PORT][/sdk]`` -> :class:`Target`.

    Raises:
        BadInputError: no host name, a protocol other than http/https, or a port out of range.
    """
    raw = text.strip()
    url = urlsplit(raw if "://" in raw else f"{protocol}://{raw}")
    scheme = url.scheme.lower()
    if scheme not in ("https", "http"):
        raise BadInputError(
            f"vCenter {raw!r}: protocol {scheme!r} is not https or http; give HOST or https://HOST"
        )
    try:
        given_port = url.port
    except ValueError:
        raise BadInputError(
            f"vCenter {raw!r}: the port is not a number 1-65535; give HOST or HOST:PORT"
        ) from None
    if not url.hostname:
        raise BadInputError(f"vCenter {raw!r} names no host; give HOST, HOST:PORT or https://HOST/sdk")
    default = 443 if scheme == "https" else 80
    chosen = given_port or port or default
    shown = f"[{url.hostname}]" if ":" in url.hostname else url.hostname
    name = shown if chosen == default else f"{shown}:{chosen}"
    return Target(name=name, protocol=scheme, host=url.hostname, port=chosen)


def _connect_error(target: Target, exc: BaseException, timeout: float = TIMEOUT_S) -> EnvironmentProblem:
    host = f"[{target.host}]" if ":" in target.host else target.host
    where = f"vCenter {target.name} ({target.protocol}://{host}:{target.port})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return EnvironmentProblem(
            f"{where}: its certificate is not trusted ({exc.verify_message}); pass --ca-file with the CA "
            "that signed it, or --insecure to skip the check"
        )
    if isinstance(exc, ssl.SSLError) and exc.reason in PLAIN_HTTP_REASONS:
        return EnvironmentProblem(
            f"{where}: TLS failed ({exc.reason}): the port answers in plain HTTP; "
            f"give http://{host}:{target.port}/sdk if that is meant, or the vCenter's HTTPS port"
        )
    if isinstance(exc, ssl.SSLError):
        return EnvironmentProblem(
            f"{where}: TLS failed ({exc.reason or exc}); "
            "check the port and protocol (https), or pass --insecure"
        )
    if isinstance(exc, socket.gaierror):
        return EnvironmentProblem(f"{where}: unknown host name ({exc.strerror}); check the vCenter name")
    if isinstance(exc, TimeoutError | socket.timeout):
        return EnvironmentProblem(
            f"{where} did not answer within {timeout:g} s; check the host, port and firewall "
            "(or give it longer with --timeout)"
        )
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        return EnvironmentProblem(f"{where} is unreachable ({reason}); check the host name, port and network")
    return EnvironmentProblem(
        f"{where} did not answer as a vCenter ({_fault_text(exc)}); check the host and port"
    )


@contextmanager
def _session(
    target: Target, user: str, password: str, context: ssl.SSLContext, timeout: float = TIMEOUT_S
) -> Iterator[Any]:
    """A logged-in pyVmomi ``ServiceInstance``; logs out on exit, also after an error.

    *timeout* (seconds) bounds every wait on the socket: connecting, the TLS handshake and each answer.
    pyVmomi's ``httpConnectionTimeout`` covers the SOAP calls only; SmartConnect's API version discovery
    (``pyVim.connect.__GetElementTree``) opens its own ``http.client`` connection without a timeout, so
    the socket module's default timeout is set while SmartConnect runs.
    """
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        si = SmartConnect(
            protocol=target.protocol,
            host=target.host,
            port=target.port,
            user=user,
            pwd=password,
            sslContext=context if target.protocol == "https" else None,
            httpConnectionTimeout=timeout,
        )
    except vim.fault.InvalidLogin:
        raise BadInputError(
            f"vCenter {target.name} refused the login of user {user!r}: wrong user name or password; "
            "check the user (--user, GOVC_USERNAME or GOVC_URL) and the password (GOVC_PASSWORD, "
            "GOVC_URL or the prompt)"
        ) from None
    except vim.fault.NoPermission:
        raise BadInputError(
            f"vCenter {target.name}: user {user!r} may not log in; use an account with read-only access"
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _connect_error(target, exc, timeout) from None
    except Exception as exc:  # pyVmomi raises plain Exception for a server that speaks no vSphere API
        raise _connect_error(target, exc, timeout) from None
    finally:
        socket.setdefaulttimeout(previous)
    try:
        yield si
    finally:
        try:
            Disconnect(si)
        except Exception as exc:  # the session ends on the server's side anyway
            _log.debug("logout from %s failed: %s", target.name, _fault_text(exc))
