"""Traffic and attachment helpers for the counter's end-to-end tests on veth pairs in netns."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyroute2 import netns

from tests.netns import sh
from trunkline.xdp import libbpf
from trunkline.xdp.counter import Counter

HERE = Path(__file__).resolve().parent


@contextlib.contextmanager
def in_netns(ns: str) -> Iterator[None]:
    """Run the body with this process in network namespace *ns* (sockets made here stay there)."""
    netns.pushns(ns)
    try:
        yield
    finally:
        netns.popns()


@contextlib.contextmanager
def counter_in(ns: str, interface: str, **kwargs: Any) -> Iterator[Counter]:
    """A :class:`Counter` opened on *interface* inside *ns* (reads work from any namespace)."""
    with in_netns(ns):
        counter = Counter(interface, **kwargs).open()
    try:
        yield counter
    finally:
        counter.close()


def socket_in(ns: str, family: int, kind: int, proto: int = 0) -> socket.socket:
    """A socket created in network namespace *ns*."""
    with in_netns(ns):
        return socket.socket(family, kind, proto)


def send_udp(ns: str, dst: str, count: int, size: int = 100, port: int = 9) -> None:
    """Send *count* UDP datagrams of *size* payload bytes from *ns* to *dst*."""
    family = socket.AF_INET6 if ":" in dst else socket.AF_INET
    with socket_in(ns, family, socket.SOCK_DGRAM) as s:
        for _ in range(count):
            s.sendto(b"u" * size, (dst, port))


@contextlib.contextmanager
def udp_sinks(ns: str, addresses: list[str], port: int = 9) -> Iterator[None]:
    """UDP sockets bound to *addresses* in *ns*, so datagrams sent there draw no ICMP port unreachable."""
    sockets = []
    try:
        for address in addresses:
            s = socket_in(ns, socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_DGRAM)
            sockets.append(s)
            s.bind((address, port))
        yield
    finally:
        for s in sockets:
            s.close()


def tcp_syn_rst(ns: str, dst: str, count: int, port: int = 7) -> None:
    """*count* TCP connection attempts to a closed port: exactly one SYN out and one RST back each."""
    family = socket.AF_INET6 if ":" in dst else socket.AF_INET
    for _ in range(count):
        with socket_in(ns, family, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            try:
                s.connect((dst, port))
            except ConnectionRefusedError:
                continue
            raise AssertionError(f"{dst}:{port} accepted a connection")


def ping(ns: str, dst: str, count: int) -> None:
    """*count* ICMP echo requests from *ns* to *dst*, each answered (fails otherwise)."""
    sh("ip", "netns", "exec", ns, "ping", "-q", "-c", str(count), "-i", "0.002", "-W", "2", dst)


def send_raw(ns: str, interface: str, frames: list[bytes]) -> None:
    """Send complete Ethernet frames through an AF_PACKET socket on *interface* in *ns*."""
    with socket_in(ns, socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((interface, 0))
        for frame in frames:
            s.send(frame)


def tcp_out_segs(ns: str) -> int:
    """The namespace's Tcp OutSegs counter (/proc/net/snmp: segments sent, TSO bursts counted per segment)."""
    snmp = sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").stdout
    lines = [line.split() for line in snmp.splitlines() if line.startswith("Tcp:")]
    return int(lines[1][lines[0].index("OutSegs")])


def xdp_attached(ns: str, interface: str) -> bool:
    """Whether `ip link` shows an XDP program on *interface*."""
    return "prog/xdp" in sh("ip", "-n", ns, "-d", "link", "show", interface).stdout


def tc_filters(ns: str, interface: str) -> str:
    """`tc filter show` on the clsact ingress and egress of *interface*."""
    return "".join(sh("tc", "-n", ns, "filter", "show", "dev", interface, where, check=False).stdout
                   for where in ("ingress", "egress"))


@contextlib.contextmanager
def vlan_push_egress(ns: str, interface: str, build_dir: Path) -> Iterator[None]:
    """Attach tests/bpf/vlan_push.bpf.c (built with clang into *build_dir*) to TC egress of *interface*."""
    obj_path = build_dir / "vlan_push.bpf.o"
    arch = os.uname().machine
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", f"-I/usr/include/{arch}-linux-gnu", "-c",
                    str(HERE / "vlan_push.bpf.c"), "-o", str(obj_path)], check=True)
    sh("ip", "netns", "exec", ns, "ethtool", "-K", interface, "txvlan", "on")
    obj = libbpf.bpf_object__open_file(str(obj_path))
    link = -1
    try:
        libbpf.bpf_object__load(obj)
        prog = libbpf.bpf_program__fd(libbpf.bpf_object__find_program_by_name(obj, "push_vlan_40"))
        with in_netns(ns):  # ifindex and the link both belong to the namespace
            link = libbpf.bpf_link_create(prog, socket.if_nametoindex(interface), libbpf.BPF_TCX_EGRESS)
        yield
    finally:
        if link >= 0:
            os.close(link)
        libbpf.bpf_object__close(obj)
