"""DHCP on each VLAN: a dnsmasq server on the vSphere side, busybox ``udhcpc`` in each OpenShift VM.

Addressing: every VLAN uses 192.0.2.0/24 (RFC 5737 documentation range); VLANs are separate L2
domains, so the same subnet on each is what makes the isolation check meaningful (a VM on another VLAN
has the target on-link, and only the VLAN boundary stops it). VLAN number *k* (0-based, in the lab's
order) owns the block ``192.0.2.(8k+8) .. 8k+15``: ``+1`` DHCP server, ``+2`` the vSphere VM, ``+3..+6``
the DHCP pool.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from trunkline.errors import BadInputError
from trunkline.lab.netns import ns_exec, run_in

SUBNET = "192.0.2"
PREFIX = 24
MAX_VLANS = 30

_SCRIPT = """#!/bin/sh
# udhcpc event script (busybox): configure the leased address and report it.
case "$1" in
  bound|renew) ip addr add "$ip/${mask:-24}" dev "$interface" && echo "TL-LEASE $ip" ;;
esac
exit 0
"""


@dataclass(frozen=True)
class VlanAddressing:
    """The addresses of one VLAN in the lab (see the module docstring)."""

    vid: int
    index: int

    def _host(self, n: int) -> str:
        return f"{SUBNET}.{8 * self.index + 8 + n}"

    @property
    def server(self) -> str:
        return self._host(1)

    @property
    def twin(self) -> str:
        return self._host(2)

    @property
    def pool(self) -> tuple[str, str]:
        return self._host(3), self._host(6)


def addressing(vids: list[int]) -> dict[int, VlanAddressing]:
    """Addresses for *vids* in order.

    Raises:
        BadInputError: more than :data:`MAX_VLANS` VLANs (choose some with ``--vlan``).
    """
    if len(vids) > MAX_VLANS:
        raise BadInputError(
            f"the plan has {len(vids)} VLANs to test; the lab takes at most {MAX_VLANS}: "
            "choose some with --vlan ID"
        )
    return {vid: VlanAddressing(vid, i) for i, vid in enumerate(vids)}


def dnsmasq_argv(iface: str, a: VlanAddressing, lease_file: Path) -> list[str]:
    """dnsmasq as a DHCP-only server (``--port=0``) in the foreground on *iface*, pool of *a*."""
    lo, hi = a.pool
    return [
        shutil.which("dnsmasq") or "dnsmasq",
        "--keep-in-foreground",
        "--no-resolv",
        "--no-hosts",
        "--conf-file=/dev/null",
        "--port=0",
        f"--interface={iface}",
        "--bind-interfaces",
        "--except-interface=lo",
        f"--dhcp-range={lo},{hi},255.255.255.0,1h",
        "--dhcp-authoritative",
        f"--dhcp-leasefile={lease_file}",
        "--user=root",
        "--group=root",
        "--pid-file=",
    ]


def start_server(ns: str, iface: str, a: VlanAddressing, workdir: Path) -> subprocess.Popen[str]:
    """Start dnsmasq in namespace *ns* (its own session, so that teardown can kill its group)."""
    argv = ns_exec(ns, *dnsmasq_argv(iface, a, workdir / f"dnsmasq-{a.vid}.leases"))
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def lease(ns: str, iface: str, workdir: Path, tries: int = 3) -> tuple[str | None, str]:
    """Ask for an address on *iface* in *ns* with busybox ``udhcpc``; return (address or None, detail)."""
    script = workdir / "udhcpc.sh"
    if not script.exists():
        script.write_text(_SCRIPT)
        script.chmod(0o755)
    busybox = shutil.which("busybox") or "busybox"
    proc = run_in(
        ns,
        busybox,
        "udhcpc",
        "-i",
        iface,
        "-f",
        "-q",
        "-n",
        "-t",
        str(tries),
        "-T",
        "2",
        "-s",
        str(script),
        timeout=10 + 3 * tries,
    )
    found = re.search(r"TL-LEASE (\S+)", proc.stdout)
    if found:
        return found.group(1), f"lease {found.group(1)}/{PREFIX}"
    return None, f"no DHCP offer after {tries} DISCOVERs"
