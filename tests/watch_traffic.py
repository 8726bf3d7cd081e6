"""Test traffic for the metrics and verify tests: crafted frames sent through AF_PACKET, and network
namespace switching for the calling thread (so that a counter, an HTTP server and its client can live in
a namespace the test created, inside the test process).
"""

from __future__ import annotations

import ctypes
import os
import socket
import struct
from collections.abc import Iterator
from contextlib import contextmanager

from tests.netns import VethPair, sh

CLONE_NEWNET = 0x40000000  # <linux/sched.h>
ETH_P_IP, ETH_P_ARP, ETH_P_8021Q = 0x0800, 0x0806, 0x8100

_libc = ctypes.CDLL(None, use_errno=True)


@contextmanager
def in_netns(name: str) -> Iterator[None]:
    """Run the calling thread in network namespace *name* (``ip netns``) for the ``with`` body.

    Sockets keep the namespace they were created in, and threads started inside inherit it.
    """
    back = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if _libc.setns(target, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({name}): {os.strerror(err)}")
        try:
            yield
        finally:
            if _libc.setns(back, CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                raise OSError(err, f"setns(back): {os.strerror(err)}")
    finally:
        os.close(target)
        os.close(back)


def mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", ""))


def ipv4_udp(src: str, dst: str, payload: bytes, sport: int = 40000, dport: int = 9) -> bytes:
    """An IPv4 header (20 bytes, checksum left 0: the tested hooks run before any check) + UDP + payload."""
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + len(payload), 1, 0, 64, 17, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    return header + struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def ethernet(dst: str, src: str, ethertype: int, payload: bytes, vlan: int | None = None) -> bytes:
    """An Ethernet frame (no FCS), with one 802.1Q tag when *vlan* is given."""
    tag = b"" if vlan is None else struct.pack("!HH", ETH_P_8021Q, vlan)
    return mac_bytes(dst) + mac_bytes(src) + tag + struct.pack("!H", ethertype) + payload


def arp_request(src_mac: str, src_ip: str, target_ip: str) -> bytes:
    """An ARP request payload (28 bytes, RFC 826) asking for *target_ip*."""
    return (struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 1) + mac_bytes(src_mac) + socket.inet_aton(src_ip)
            + bytes(6) + socket.inet_aton(target_ip))


class Sender:
    """Frames from ``ns_a`` out of ``if_a`` through an AF_PACKET socket (tags stay in the frame)."""

    def __init__(self, pair: VethPair) -> None:
        self.pair = pair
        self.mac_a = pair.mac(pair.ns_a, pair.if_a)
        self.mac_b = pair.mac(pair.ns_b, pair.if_b)
        with in_netns(pair.ns_a):
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            self.sock.bind((pair.if_a, 0))
            self.udp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def udp(self, count: int, payload_len: int = 60, vlan: int | None = None) -> int:
        """Send *count* UDP frames to ns_b's address; returns the bytes of one frame."""
        frame = ethernet(self.mac_b, self.mac_a, ETH_P_IP,
                         ipv4_udp(self.pair.ip_a, self.pair.ip_b, b"v" * payload_len), vlan)
        for _ in range(count):
            self.sock.send(frame)
        return len(frame)

    def stack_udp(self, count: int, payload_len: int = 60) -> int:
        """Send *count* UDP datagrams to ns_b through ns_a's IP stack (so through TC egress of if_a too);
        returns the bytes of one frame."""
        for _ in range(count):
            self.udp_sock.sendto(b"s" * payload_len, (self.pair.ip_b, 9))
        return 14 + 20 + 8 + payload_len

    def raw(self, frame: bytes, count: int = 1) -> int:
        for _ in range(count):
            self.sock.send(frame)
        return len(frame)

    def close(self) -> None:
        self.sock.close()
        self.udp_sock.close()


def quiet_ipv6(pair: VethPair) -> None:
    """Switch IPv6 off on both ends: no MLD report or router solicitation crosses the link unasked."""
    for ns, ifname in ((pair.ns_a, pair.if_a), (pair.ns_b, pair.if_b)):
        sh("ip", "netns", "exec", ns, "sysctl", "-qw", f"net.ipv6.conf.{ifname}.disable_ipv6=1")
