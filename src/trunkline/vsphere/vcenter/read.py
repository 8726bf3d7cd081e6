"""Reading the network design of one or more vCenters into one inventory."""

from __future__ import annotations

import http.client
from collections.abc import Callable, Sequence
from pathlib import Path

from trunkline.errors import BadInputError, EnvironmentProblem
from trunkline.tls import ssl_context
from trunkline.vsphere.model import (
    Inventory,
    VCenter,
)
from trunkline.vsphere.vcenter.common import _fault_text
from trunkline.vsphere.vcenter.connect import TIMEOUT_S, _connect_error, _session, parse_target
from trunkline.vsphere.vcenter.retrieve import _read_one


def read_inventory(
    hosts: Sequence[str],
    *,
    user: str,
    password: str,
    insecure: bool = False,
    ca_file: Path | None = None,
    datacenter: str | None = None,
    protocol: str = "https",
    port: int | None = None,
    progress: Callable[[str], None] | None = None,
    timeout: float = TIMEOUT_S,
) -> Inventory:
    """Read the network design of the vCenters *hosts* and merge it into one :class:`Inventory`.

    *hosts*: ``HOST``, ``HOST:PORT`` or ``https://HOST[:PORT]/sdk`` each; *protocol* and *port* apply where
    a host does not say (port default 443 for https, 80 for http). Each vCenter is keyed by its
    ``AboutInfo.instanceUuid``. Certificates are verified against the system's trust store and *ca_file*
    (PEM); *insecure* turns the check off (logged as a warning). *datacenter*: read only the datacenter of
    that name (default: every datacenter). *progress* receives one-line status messages. *timeout*:
    seconds to wait for a connection, the TLS handshake or one answer (then EnvironmentProblem).
    The session is always logged out, also after an error; the password is never logged.

    Raises:
        BadInputError: wrong user or password, an unknown datacenter, a malformed host, the same vCenter
            given twice (exit code 2).
        EnvironmentProblem: a vCenter is unreachable, its certificate is not trusted, or it fails a call
            (exit code 3).
    """
    from pyVmomi import vmodl

    report = progress or (lambda _message: None)
    targets = [parse_target(h, protocol, port) for h in hosts]
    if not targets:
        raise BadInputError("no vCenter given: name at least one with --vcenter HOST")
    context = ssl_context(insecure, ca_file, "vCenter")
    vcenters: list[VCenter] = []
    seen: dict[str, str] = {}
    for target in targets:
        report(f"connecting to {target.name}")
        with _session(target, user, password, context, timeout) as si:
            try:
                vcenter = _read_one(si, target, datacenter, report)
            except vmodl.MethodFault as exc:
                raise EnvironmentProblem(
                    f"vCenter {target.name} failed to answer the inventory query ({_fault_text(exc)}); "
                    "check that the user may read the inventory"
                ) from None
            except (OSError, http.client.HTTPException) as exc:
                raise _connect_error(target, exc, timeout) from None
        key = vcenter.instance_uuid or target.name
        if key in seen:
            raise BadInputError(
                f"vCenters {seen[key]} and {target.name} are the same vCenter (instance UUID {key}); "
                "give it once"
            )
        seen[key] = target.name
        vcenters.append(vcenter)
    return Inventory(vcenters=tuple(vcenters))
