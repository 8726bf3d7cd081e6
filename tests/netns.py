"""Test network: fresh network namespaces joined by veth pairs, with unique names, always removed.

Addresses come from the documentation ranges (192.0.2.0/24, RFC 5737; 2001:db8::/32, RFC 3849) and
live only inside the namespaces the test creates.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any


def privileged_problem() -> str | None:
    """Why privileged tests cannot run here, or ``None`` when they can."""
    if os.geteuid() != 0:
        return "needs root"
    if not Path("/sys/fs/bpf").exists():
        return "needs bpffs at /sys/fs/bpf"
    if shutil.which("ip") is None:
        return "needs iproute2 (ip)"
    return None


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command, raising with its stderr on failure."""
    proc = subprocess.run(list(args), capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc


def stop_process(proc: subprocess.Popen[Any], timeout: float = 10) -> None:
    """SIGTERM *proc* and wait up to *timeout* seconds, then SIGKILL it; returns once it has exited."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def unique(prefix: str) -> str:
    """A name unique to this run, at most 15 characters (IFNAMSIZ - 1) for prefixes up to 5."""
    return f"{prefix}{secrets.token_hex(4)}"[:15]


@dataclass
class VethPair:
    """Namespaces ``ns_a`` and ``ns_b`` joined by veth ``if_a`` (in ns_a) <-> ``if_b`` (in ns_b).

    ``ip_a``/``ip_b`` are IPv4 addresses (192.0.2.1/.2), ``ip6_a``/``ip6_b`` IPv6 (2001:db8::1/::2).
    GRO, GSO and TSO are switched off on both ends unless ``offloads=True``, so that one buffer is
    one wire frame.
    """

    offloads: bool = False
    mtu: int = 1500
    tag: str = field(default_factory=lambda: secrets.token_hex(4))
    ip_a: str = "192.0.2.1"
    ip_b: str = "192.0.2.2"
    ip6_a: str = "2001:db8::1"
    ip6_b: str = "2001:db8::2"

    @property
    def ns_a(self) -> str:
        return f"tlt-{self.tag}-a"

    @property
    def ns_b(self) -> str:
        return f"tlt-{self.tag}-b"

    @property
    def if_a(self) -> str:
        return f"tla{self.tag}"

    @property
    def if_b(self) -> str:
        return f"tlb{self.tag}"

    def exec_a(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return sh("ip", "netns", "exec", self.ns_a, *cmd, check=check)

    def exec_b(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return sh("ip", "netns", "exec", self.ns_b, *cmd, check=check)

    def __enter__(self) -> VethPair:
        try:
            sh("ip", "netns", "add", self.ns_a)
            sh("ip", "netns", "add", self.ns_b)
            sh("ip", "-n", self.ns_a, "link", "add", self.if_a, "mtu", str(self.mtu), "type", "veth",
               "peer", "name", self.if_b, "netns", self.ns_b, "mtu", str(self.mtu))
            for ns, ifname, ip4, ip6 in ((self.ns_a, self.if_a, self.ip_a, self.ip6_a),
                                         (self.ns_b, self.if_b, self.ip_b, self.ip6_b)):
                sh("ip", "-n", ns, "addr", "add", f"{ip4}/24", "dev", ifname)
                sh("ip", "-n", ns, "addr", "add", f"{ip6}/64", "dev", ifname, "nodad")
                for key in ("accept_dad=0", "dad_transmits=0", "router_solicitations=0", "accept_ra=0"):
                    sh("ip", "netns", "exec", ns, "sysctl", "-qw", f"net.ipv6.conf.{ifname}.{key}",
                       check=False)
                sh("ip", "-n", ns, "link", "set", "lo", "up")
                sh("ip", "-n", ns, "link", "set", ifname, "up")
                if not self.offloads and shutil.which("ethtool"):
                    sh("ip", "netns", "exec", ns, "ethtool", "-K", ifname, "gro", "off", "gso", "off",
                       "tso", "off", check=False)
            # Static neighbours: no ARP / neighbour discovery frames in the counts tests check.
            mac_a = self.mac(self.ns_a, self.if_a)
            mac_b = self.mac(self.ns_b, self.if_b)
            for ns, ifname, ip4, ip6, mac in ((self.ns_a, self.if_a, self.ip_b, self.ip6_b, mac_b),
                                              (self.ns_b, self.if_b, self.ip_a, self.ip6_a, mac_a)):
                sh("ip", "-n", ns, "neigh", "replace", ip4, "lladdr", mac, "dev", ifname, "nud", "permanent")
                sh("ip", "-n", ns, "neigh", "replace", ip6, "lladdr", mac, "dev", ifname, "nud", "permanent")
        except BaseException:
            self.close()
            raise
        return self

    @staticmethod
    def mac(ns: str, ifname: str) -> str:
        """The MAC address of *ifname* in namespace *ns*."""
        out = sh("ip", "-n", ns, "-o", "link", "show", ifname).stdout
        return out.split("link/ether ")[1].split()[0]

    def close(self) -> None:
        for ns in (self.ns_a, self.ns_b):
            sh("ip", "netns", "del", ns, check=False)

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
