"""Facts about the target platform that several modules check or write: one home for each.

* :data:`RESERVED_BRIDGES`, :data:`RESERVED_PREFIXES`: interfaces OVN-Kubernetes creates on every
  OpenShift node (``br-ex``: the gateway bridge holding the node's default-route NIC; ``br-int``: the
  integration bridge; ``ovs-system``: the OVS datapath; ``br-local``: older local gateway mode;
  ``ovn-k8s-*`` management ports and ``genev_sys_*`` tunnel ports). An NNCP creating a bridge of such a
  name takes them over and cuts the node off.
* :data:`KUBEVIRT_MODELS`: KubeVirt ``Interface.model`` values (KubeVirt API reference): no vmxnet3.
* :data:`KUBEVIRT_INTERFACE_STATES`: KubeVirt ``Interface.state`` (``up``, ``down``, ``absent``; empty
  means ``up``; ``down`` sets the guest's link down, ``absent`` hot-unplugs a bridge-bound interface).
* :data:`MAC_PATTERN` / :func:`normalise_mac`: the MAC forms KubeVirt accepts in ``macAddress``. KubeVirt
  parses it with Go's ``net.ParseMAC`` and refuses addresses longer than 6 bytes, so the accepted forms
  are six hex octets separated by ``:`` or by ``-`` (one separator throughout) and the dotted
  ``xxxx.xxxx.xxxx`` form, in either case. vSphere and RVTools write ``00:50:56:ab:cd:ef``.
* :data:`IFNAME_MAX` / :func:`ifname_problem`: the names the Linux kernel accepts for an interface.
"""

from __future__ import annotations

import re

RESERVED_BRIDGES = frozenset({"br-ex", "br-int", "br-local", "ovs-system"})
RESERVED_PREFIXES = ("ovn-k8s-", "genev_sys")

KUBEVIRT_MODELS = ("e1000", "e1000e", "igb", "ne2k_pci", "pcnet", "rtl8139", "virtio")
KUBEVIRT_INTERFACE_STATES = ("up", "down", "absent")

IFNAME_MAX = 15
"""Longest Linux interface name in bytes (IFNAMSIZ 16 with the NUL, include/uapi/linux/if.h)."""
_IFNAME_BANNED = frozenset("/: \t\n\v\f\r")


def ifname_problem(name: str) -> str | None:
    """Why the Linux kernel refuses *name* as an interface name, or ``None``: it must be 1-15 bytes
    (UTF-8), not ``.`` or ``..``, without ``/``, ``:`` or white space (``dev_valid_name()`` in
    net/core/dev.c, IFNAMSIZ 16 with the NUL). ``enP2p1s0``, ``eth_0`` and ``ENS34`` qualify."""
    size = len(name.encode("utf-8"))
    if not size:
        return "is empty"
    if size > IFNAME_MAX:
        return f"is {size} characters; Linux allows at most {IFNAME_MAX}"
    if name in (".", "..") or any(c in _IFNAME_BANNED or c.isspace() for c in name):
        return "holds '/', ':' or white space, or is '.' or '..'"
    return None


def is_ifname(name: str) -> bool:
    """True when *name* is a name the Linux kernel accepts for an existing NIC (:func:`ifname_problem`)."""
    return ifname_problem(name) is None


_HEX2 = "[0-9A-Fa-f]{2}"
_HEX4 = "[0-9A-Fa-f]{4}"
MAC_PATTERN = re.compile(rf"(?:{_HEX2}([:-]){_HEX2}(?:\1{_HEX2}){{4}}|{_HEX4}\.{_HEX4}\.{_HEX4})")
"""Matches (with ``fullmatch``) a MAC address in a form Go's ``net.ParseMAC`` reads as 6 bytes."""


def is_reserved_interface(name: str) -> bool:
    """Whether OVN-Kubernetes owns an interface called *name* on every node (see the module docstring)."""
    return name in RESERVED_BRIDGES or name.startswith(RESERVED_PREFIXES)


def is_mac(text: str) -> bool:
    """Whether *text* is a MAC address in a form KubeVirt accepts (:data:`MAC_PATTERN`)."""
    return MAC_PATTERN.fullmatch(text) is not None


def normalise_mac(text: str | None) -> str | None:
    """``00-50-56-AB-CD-EF`` / ``0050.56ab.cdef`` -> ``00:50:56:ab:cd:ef``; ``None`` when not a MAC."""
    if not text:
        return None
    text = text.strip()
    if MAC_PATTERN.fullmatch(text) is None:
        return None
    digits = re.sub(r"[^0-9A-Fa-f]", "", text).lower()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


DEFAULT_PVID = 1
"""The Linux bridge's default port VLAN (``default_pvid``, 1 unless changed; NetworkManager's
``bridge.vlan-default-pvid`` also defaults to 1 and is added to every port that names no PVID of its own):
untagged frames entering a VLAN-filtering bridge port without a PVID of its own belong to it, and the
bridge CNI leaves an untagged VM port in it."""

NMSTATE_DEFAULT_TRUNK = ((2, 4094),)
"""The trunk kubernetes-nmstate writes on every port of an ``up`` linux-bridge that has no ``vlan`` key
(``ApplyDefaultVlanFiltering``: ``mode: trunk`` with ``trunk-tags: [{id-range: {min: 2, max: 4094}}]``,
no ``tag`` and no ``enable-native``)."""
