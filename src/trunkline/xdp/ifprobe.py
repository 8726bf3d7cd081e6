"""Probes of the process and of an interface before attaching: BPF capabilities, an XDP program already
there, link type, MTU, VLAN offload (ioctls, /proc, netlink through pyroute2)."""

from __future__ import annotations

import fcntl
import os
import socket
import struct
from pathlib import Path

_SIOCGIFHWADDR = 0x8927  # include/uapi/linux/sockios.h
_SIOCGIFMTU = 0x8921  # include/uapi/linux/sockios.h
#: The largest MTU whose frames fit the one buffer a single-buffer XDP program sees, with 4 KiB pages: a
#: page less the XDP headroom (256 bytes) and the aligned ``skb_shared_info`` (320), less the Ethernet
#: header (14). veth enforces exactly this on its peer (checked here: native XDP without frags support
#: needs the peer's MTU <= 3506); drivers with their own buffer layout differ, and refuse the attachment
#: when the MTU does not fit, so a larger interface MTU only skips a try that would fail.
SINGLE_BUFFER_MTU = 3506
_ETHERNET_LINK_TYPES = {1: "Ethernet", 772: "loopback"}  # ARPHRD_ETHER, ARPHRD_LOOPBACK: Ethernet headers
# include/uapi/linux/capability.h
_CAP_NET_ADMIN, _CAP_SYS_ADMIN, _CAP_PERFMON, _CAP_BPF = 12, 21, 38, 39  # include/uapi/linux/capability.h



def missing_bpf_capabilities() -> list[str]:
    """The capabilities this process lacks to load BPF programs and attach them to interfaces, by name
    (``["CAP_PERFMON"]``); empty when it has them all.

    Needed: CAP_NET_ADMIN, and CAP_BPF with CAP_PERFMON (or CAP_SYS_ADMIN, which covers both), read from
    the effective set in ``/proc/self/status`` (capabilities(7)); root has them all unless they were
    dropped. CAP_PERFMON is needed because without it the verifier refuses the parser's variable-offset
    packet reads (measured with setpriv; see deploy/).
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return [] if os.geteuid() == 0 else ["CAP_BPF", "CAP_PERFMON", "CAP_NET_ADMIN"]
    caps = 0
    for line in status.splitlines():
        if line.startswith("CapEff:"):
            caps = int(line.split()[1], 16)

    def has(bit: int) -> bool:
        return bool(caps >> bit & 1)

    wanted = [("CAP_BPF", _CAP_BPF), ("CAP_PERFMON", _CAP_PERFMON)] if not has(_CAP_SYS_ADMIN) else []
    return [name for name, bit in [*wanted, ("CAP_NET_ADMIN", _CAP_NET_ADMIN)] if not has(bit)]


def _has_own_xdp(ifindex: int) -> bool:
    """Whether the interface *ifindex* itself has an XDP program (netlink ``IFLA_XDP_ATTACHED``, via
    pyroute2); ``True`` when that cannot be told, so that the usual message stands."""
    try:
        from pyroute2 import IPRoute

        with IPRoute() as ipr:
            (link,) = ipr.get_links(ifindex)
        xdp = link.get_attr("IFLA_XDP")
        return xdp is None or bool(xdp.get_attr("IFLA_XDP_ATTACHED"))
    except Exception:  # noqa: BLE001 - any netlink trouble: keep the plain message
        return True


def _ifreq(interface: str, request: int, fmt: str) -> int | None:
    """The integer (struct *fmt*) an ``ifreq`` ioctl *request* (netdevice(7)) answers for *interface* in
    the current network namespace, or None when the ioctl fails (no such interface)."""
    ifreq = struct.pack("16s16x", interface.encode()[:15])
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            answer = fcntl.ioctl(s.fileno(), request, ifreq)
    except OSError:
        return None
    return int(struct.unpack_from(fmt, answer, 16)[0])


def link_type(interface: str) -> int | None:
    """The interface's ARPHRD link type (1 Ethernet, 772 loopback; include/uapi/linux/if_arp.h), or None.

    Read with the SIOCGIFHWADDR ioctl (netdevice(7)) in the current network namespace.
    """
    return _ifreq(interface, _SIOCGIFHWADDR, "H")


def interface_mtu(interface: str) -> int | None:
    """The interface's MTU in bytes (SIOCGIFMTU, netdevice(7), in the current network namespace), or None."""
    return _ifreq(interface, _SIOCGIFMTU, "i")


def _rx_vlan_offload(interface: str) -> bool | None:
    """Whether the NIC strips VLAN tags into metadata (ethtool ``rx-vlan-offload``); None if unknown."""
    try:
        from pyroute2.ethtool import Ethtool

        eth = Ethtool()
        try:
            feature = eth.get_features(interface).features.get("rx-vlan-hw-parse")
        finally:
            eth.close()
    except Exception:  # noqa: BLE001 - a missing ethtool answer only loses a warning
        return None
    return None if feature is None else bool(feature.enable)
