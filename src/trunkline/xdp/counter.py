"""The counter's lifecycle: load the eBPF object, attach it to an interface, read its maps, detach.

``Counter`` owns the BPF object (programs and maps) and its attachments; nothing is global and
closing it detaches. Attachments are bpf_links (XDP links; tcx links for TC on kernels >= 6.6), which
the kernel removes when the last file descriptor closes, so even SIGKILL leaves nothing behind. On
kernels without tcx the TC hook falls back to a clsact qdisc with cls_bpf filters named
``trunkline-<pid>-rx``/``-tx``; those outlive a crash, so opening a TC counter first removes such
filters whose process is gone.

The loaded object and the reading of its maps: :mod:`trunkline.xdp.counterobject`; the probes of
the process and the interface before attaching: :mod:`trunkline.xdp.ifprobe`. Their names are
re-exported here.

Example::

    with Counter("ens34", hook="tc") as counter:
        time.sleep(1)
        for snapshot in counter.read():
            print(snapshot.direction, snapshot.total.packets)
"""


from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Literal

from trunkline.atomicwrite import pid_alive
from trunkline.errors import BadInputError, EnvironmentProblem
from trunkline.xdp import libbpf
from trunkline.xdp.counterobject import (
    DIRECTIONS,
    ENTRIES,
    FAMILIES,
    MAC_CAPACITY_MAX,
    MACS_SUFFIX,
    OBJECT_PATH,
    TL_ETHERTYPE_ENTRIES,
    TL_ETHERTYPE_LLC,
    TL_ETHERTYPE_OTHER,
    TL_PROTOCOL_SLOTS,
    TL_VLAN_SLOTS,
    TL_VLAN_UNTAGGED,
    CounterObject,
    Counts,
    tl_counter,
    tl_ethertype_key,
)
from trunkline.xdp.ifprobe import (
    _ETHERNET_LINK_TYPES,
    SINGLE_BUFFER_MTU,
    _has_own_xdp,
    _rx_vlan_offload,
    interface_mtu,
    link_type,
    missing_bpf_capabilities,
)
from trunkline.xdp.macs import MacTable
from trunkline.xdp.mactable import TL_MAC_ENTRIES
from trunkline.xdp.stats import Direction, Snapshot

__all__ = [  # importers take these from here
    "DIRECTIONS", "ENTRIES", "FAMILIES", "MAC_CAPACITY_MAX", "MACS_SUFFIX", "OBJECT_PATH",
    "SINGLE_BUFFER_MTU", "TC_ATTACH_ENV", "TC_FILTER_PREFIX", "TL_ETHERTYPE_ENTRIES",
    "TL_ETHERTYPE_LLC", "TL_ETHERTYPE_OTHER", "TL_MAC_ENTRIES", "TL_PROTOCOL_SLOTS",
    "TL_VLAN_SLOTS", "TL_VLAN_UNTAGGED", "Counter", "CounterObject", "Counts", "InterfaceGone",
    "bpf_link_info", "interface_mtu", "link_type", "missing_bpf_capabilities",
    "tl_counter", "tl_ethertype_key",
]

TC_FILTER_PREFIX = "trunkline-"
TC_ATTACH_ENV = "TRUNKLINE_TC_ATTACH"
"""Environment variable: ``tcx`` or ``netlink`` forces how TC attaches (default: tcx, else netlink)."""

# include/uapi/linux/pkt_sched.h: TC_H_CLSACT parent with TC_H_MIN_INGRESS / TC_H_MIN_EGRESS
_CLSACT_PARENT = {"rx": 0xFFFFFFF2, "tx": 0xFFFFFFF3}
_ETH_P_ALL = 0x0003
_SIOCGIFNAME = 0x8910  # include/uapi/linux/sockios.h: ifindex -> name


class bpf_link_info(ctypes.Structure):  # noqa: N801 - the kernel's name
    """The head of ``struct bpf_link_info`` (include/uapi/linux/bpf.h): xdp and tcx keep ifindex first."""

    _fields_ = [("type", ctypes.c_uint32), ("id", ctypes.c_uint32), ("prog_id", ctypes.c_uint32),
                ("_pad", ctypes.c_uint32), ("ifindex", ctypes.c_uint32), ("_rest", ctypes.c_uint8 * 60)]


class InterfaceGone(EnvironmentProblem):
    """The interface vanished while counting; ``last`` holds the final snapshots (one per direction)."""

    def __init__(self, message: str, last: list[Snapshot]) -> None:
        super().__init__(message)
        self.last = last


_MTU_REFUSALS = (errno.ERANGE, errno.EINVAL, errno.EOPNOTSUPP, errno.E2BIG)


class Counter:
    """A frame counter attached to one interface: per direction, VLAN ID, IP protocol and EtherType.

    Args:
        interface: interface name in the current network namespace.
        hook: ``xdp`` (received frames, the seed's hook) or ``tc`` (received and sent frames; also sees
            VLAN tags the NIC moved into metadata).
        mode: XDP attach mode, ``generic`` (default: no driver reconfiguration) or ``native``; ignored
            (``None``) for TC.
        tc_attach: ``auto`` (tcx links where the kernel has them, else clsact + cls_bpf through netlink),
            ``tcx`` or ``netlink``; the ``TRUNKLINE_TC_ATTACH`` environment variable overrides ``auto``.
        learn_macs: learn (VLAN, source MAC) pairs per direction (:meth:`read_macs`); off by default
            (the verifier then removes the learning code: no per-packet cost).
        mac_capacity: size of the MAC map in pairs, both directions together (default
            :data:`TL_MAC_ENTRIES`); only with *learn_macs*.

    Attributes:
        interface, ifindex, hook, mode: as attached.
        directions: ``("rx",)`` for XDP, ``("rx", "tx")`` for TC; :meth:`read` returns one snapshot each.
        warnings: things the user should know (for example that XDP may not see stripped VLAN tags).
        tc_attach: how the TC hook was attached (``tcx`` / ``netlink``), ``None`` for XDP.
        program: the XDP entry attached (``tl_count_xdp`` single-buffer, ``tl_count_xdp_frags``
            multi-buffer), ``None`` for TC.
        attached_at: ``(time.monotonic_ns(), time.time())`` taken just before attaching (its counts
            were zero then; ``None`` before :meth:`open`).

    The program is loaded and attached by :meth:`open` (called by ``__enter__``).

    Raises (from :meth:`open`):
        BadInputError: unknown interface, hook or mode; an interface without Ethernet frames (tun).
        EnvironmentProblem: missing privileges, libbpf missing, the kernel rejected the program (the
            message ends with the verifier's last lines), another XDP program is attached (never
            replaced), the driver lacks native XDP.
    """

    def __init__(self, interface: str, hook: Literal["xdp", "tc"] = "xdp",
                 mode: Literal["generic", "native"] = "generic",
                 tc_attach: Literal["auto", "tcx", "netlink"] = "auto", learn_macs: bool = False,
                 mac_capacity: int | None = None) -> None:
        if hook not in ("xdp", "tc"):
            raise BadInputError(f"unknown hook {hook!r}: use xdp or tc")
        if hook == "xdp" and mode not in ("generic", "native"):
            raise BadInputError(f"unknown XDP mode {mode!r}: use generic or native")
        if tc_attach not in ("auto", "tcx", "netlink"):
            raise BadInputError(f"unknown TC attach method {tc_attach!r}: use auto, tcx or netlink")
        if mac_capacity is not None and not learn_macs:
            raise BadInputError("a MAC table size needs MAC learning: add --macs (learn_macs=True)")
        self.interface = interface
        self.learn_macs = learn_macs
        self.mac_capacity = mac_capacity
        self.hook: Literal["xdp", "tc"] = hook
        self.mode: str | None = mode if hook == "xdp" else None
        self.directions: tuple[Direction, ...] = ("rx",) if hook == "xdp" else DIRECTIONS
        self.warnings: list[str] = []
        self.program: str | None = None
        self.attached_at: tuple[int, float] | None = None
        self.ifindex = 0
        self.tc_attach: str | None = None
        self._requested_tc_attach = tc_attach
        self._obj: CounterObject | None = None
        self._links: list[int] = []
        self._filters: list[tuple[str, int]] = []  # (direction, prio) of our netlink filters
        self._ipr: object | None = None
        self._ipr_lock = threading.Lock()  # an IPRoute socket is not thread-safe (health() vs read())
        # A socket made at open() stays in the interface's network namespace; asking it for the ifindex
        # tells whether the interface is still there (not deleted, not moved to another namespace).
        self._ns_sock: socket.socket | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def open(self) -> Counter:
        """Load the program and attach it (see the class docstring for errors). Returns ``self``."""
        if self._obj is not None:
            return self
        try:
            self.ifindex = socket.if_nametoindex(self.interface)
        except OSError:
            raise BadInputError(
                f"unknown interface {self.interface!r}: pick one from `ip link` (in this network namespace)"
            ) from None
        kind = link_type(self.interface)
        if kind is not None and kind not in _ETHERNET_LINK_TYPES:
            raise BadInputError(
                f"{self.interface} carries no Ethernet frames (link type {kind}, for example a tun or "
                f"WireGuard device): count on the Ethernet interface beneath it")
        missing = missing_bpf_capabilities()
        if missing:
            names = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
            raise EnvironmentProblem(
                f"loading eBPF needs root or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN; this process lacks "
                f"{names} in its effective set: run as root (sudo trunkline ...) or add {names}")
        try:
            self._ns_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._obj = CounterObject(learn_macs=self.learn_macs, mac_capacity=self.mac_capacity)
            # just before attaching: no frame is counted earlier, whatever the checks below cost
            self.attached_at = (time.monotonic_ns(), time.time())
            if self.hook == "xdp":
                self._attach_xdp()
                if _rx_vlan_offload(self.interface):
                    self.warnings.append(
                        f"{self.interface} has rx-vlan-offload on: XDP may not see VLAN tags the NIC strips "
                        f"(they then count as untagged); --hook tc sees them")
            else:
                self._attach_tc()
        except BaseException:
            self.close()
            raise
        return self

    def _prog_fd(self, name: str) -> int:
        assert self._obj is not None
        return self._obj.prog_fd(name)

    def _xdp_programs(self) -> tuple[str, ...]:
        """The XDP entries to try, in order. Generic mode: the single-buffer entry only (the kernel
        linearises frames for it; counter.bpf.c: the frags entry there left later hooks skbs without their
        Ethernet header). Native mode: the single-buffer entry when the MTU may fit one buffer (the kernel
        then refuses frames in several buffers, and the entry skips ``bpf_xdp_get_buff_len``), the
        multi-buffer (frags) entry when the driver refuses that (veth: its peer's MTU is too large) or the
        MTU is above :data:`SINGLE_BUFFER_MTU` (jumbo frames)."""
        if self.mode == "generic":
            return ("tl_count_xdp",)
        mtu = interface_mtu(self.interface)
        if mtu is not None and mtu > SINGLE_BUFFER_MTU:
            return ("tl_count_xdp_frags",)
        return ("tl_count_xdp", "tl_count_xdp_frags")

    def _attach_xdp(self) -> None:
        flags = libbpf.XDP_FLAGS_SKB_MODE if self.mode == "generic" else libbpf.XDP_FLAGS_DRV_MODE
        programs = self._xdp_programs()
        try:
            for program in programs:
                try:
                    self._links.append(libbpf.bpf_link_create(self._prog_fd(program), self.ifindex,
                                                              libbpf.BPF_XDP, flags))
                except libbpf.LibbpfError as exc:
                    # a driver refusing a single-buffer program for the MTU: veth ERANGE, others EINVAL,
                    # EOPNOTSUPP or E2BIG; the multi-buffer entry comes next
                    if program == programs[-1] or exc.errno not in _MTU_REFUSALS:
                        raise
                    continue
                self.program = program
                break
        except libbpf.LibbpfError as exc:
            if exc.errno in (errno.EBUSY, errno.EEXIST) and not _has_own_xdp(self.ifindex):
                raise EnvironmentProblem(
                    f"the kernel refused XDP on {self.interface}: a device stacked with it (the bridge or "
                    f"bond it belongs to, or one of its ports) has an XDP program, maybe another counter of "
                    f"this run: count on only one of them, or use --hook tc") from None
            if exc.errno in (errno.EBUSY, errno.EEXIST):
                raise EnvironmentProblem(
                    f"{self.interface} already has an XDP program attached; trunkline never replaces it: "
                    f"use --hook tc, or detach the other program first (ip link show dev {self.interface})"
                ) from None
            if exc.errno in (errno.EOPNOTSUPP, errno.EINVAL) and self.mode == "native":
                raise EnvironmentProblem(
                    f"the driver of {self.interface} cannot attach XDP natively ({exc.strerror}): "
                    f"use --mode generic") from None
            if exc.errno == errno.EPERM:
                raise EnvironmentProblem("attaching XDP needs CAP_NET_ADMIN: run as root") from None
            raise EnvironmentProblem(f"cannot attach XDP to {self.interface}: {exc.strerror}") from None
        if self.mode == "native" and self.program == "tl_count_xdp":
            self.warnings.append(
                f"native XDP on {self.interface} with the single-buffer program (MTU "
                f"{interface_mtu(self.interface)}): while it runs, many drivers refuse to raise the MTU "
                f"above what fits one buffer (about {SINGLE_BUFFER_MTU} bytes), so an NNCP that sets a "
                f"larger MTU fails; stop the counter first, or count in generic mode")

    def _attach_tc(self) -> None:
        method = self._requested_tc_attach
        if method == "auto":
            method = os.environ.get(TC_ATTACH_ENV, "auto")  # type: ignore[assignment]
            if method not in ("auto", "tcx", "netlink"):
                raise BadInputError(f"{TC_ATTACH_ENV}={method!r}: use tcx or netlink")
        self._remove_stale_filters()
        if method in ("auto", "tcx"):
            try:
                for direction, attach_type in (("rx", libbpf.BPF_TCX_INGRESS), ("tx", libbpf.BPF_TCX_EGRESS)):
                    self._links.append(libbpf.bpf_link_create(self._prog_fd(f"tl_count_tc_{direction}"),
                                                              self.ifindex, attach_type))
                self.tc_attach = "tcx"
                return
            except libbpf.LibbpfError as exc:
                for fd in self._links:
                    os.close(fd)
                self._links.clear()
                if exc.errno == errno.EPERM:
                    raise EnvironmentProblem("attaching to TC needs CAP_NET_ADMIN: run as root") from None
                if method == "tcx":
                    raise EnvironmentProblem(
                        f"cannot attach tcx to {self.interface} ({exc.strerror}): tcx needs kernel 6.6+"
                    ) from None
        self._attach_tc_netlink()
        self.tc_attach = "netlink"

    # -- TC through netlink (kernels without tcx) ------------------------------------------------

    def _iproute(self):  # type: ignore[no-untyped-def]
        if self._ipr is None:
            from pyroute2 import IPRoute

            self._ipr = IPRoute()
        return self._ipr

    def _our_filters(self) -> Iterator[tuple[str, int, str]]:
        """(direction, prio, name) of every cls_bpf filter on the interface whose name is trunkline's."""
        ipr = self._iproute()
        for direction, parent in _CLSACT_PARENT.items():
            try:
                msgs = ipr.get_filters(index=self.ifindex, parent=parent)
            except Exception:  # noqa: BLE001 - no clsact qdisc yet: no filters
                continue
            for msg in msgs:
                options = msg.get_attr("TCA_OPTIONS")
                name = options.get_attr("TCA_BPF_NAME") if options is not None else None
                if name and name.startswith(TC_FILTER_PREFIX):
                    yield direction, msg["info"] >> 16, name

    def _remove_stale_filters(self) -> None:
        """Delete trunkline filters left by processes that no longer exist (a crash before tcx)."""
        try:
            found = list(self._our_filters())
        except Exception:  # noqa: BLE001 - netlink unavailable: nothing we could remove anyway
            return
        for direction, prio, name in found:
            pid = name[len(TC_FILTER_PREFIX):].split("-")[0].split(":")[0]
            if pid.isdigit() and not pid_alive(int(pid)):
                self._delete_filter(direction, prio)

    def _delete_filter(self, direction: str, prio: int) -> None:
        with contextlib.suppress(Exception):
            self._iproute().tc("del-filter", "bpf", self.ifindex, 0, parent=_CLSACT_PARENT[direction],
                               prio=prio, protocol=_ETH_P_ALL)

    def _attach_tc_netlink(self) -> None:
        ipr = self._iproute()
        try:
            ipr.tc("add", "clsact", self.ifindex)
        except Exception as exc:  # noqa: BLE001
            if getattr(exc, "code", None) != errno.EEXIST:
                raise EnvironmentProblem(f"cannot add a clsact qdisc to {self.interface}: {exc}") from None
        taken = {(d, p) for d, p, _ in self._our_filters()}
        for direction in DIRECTIONS:
            start = 0xC000 + os.getpid() % 0x1000
            prio = next(p for p in range(start, 0xFFFF) if (direction, p) not in taken)
            name = f"{TC_FILTER_PREFIX}{os.getpid()}-{direction}"
            try:
                ipr.tc("add-filter", "bpf", self.ifindex, ":1", fd=self._prog_fd(f"tl_count_tc_{direction}"),
                       name=name, parent=_CLSACT_PARENT[direction], prio=prio, protocol=_ETH_P_ALL,
                       direct_action=True)
            except Exception as exc:  # noqa: BLE001
                raise EnvironmentProblem(f"cannot add a TC filter to {self.interface}: {exc}") from None
            self._filters.append((direction, prio))

    # -- reading -------------------------------------------------------------------------------

    def read(self) -> list[Snapshot]:
        """Cumulative counts since attaching, one :class:`Snapshot` per direction in :attr:`directions`.

        Per-CPU values are summed over all possible CPUs; only non-zero rows are listed;
        ``monotonic_ns``/``time`` are taken when the maps are read.
        With MAC learning on, every snapshot also carries the :class:`MacTable` (the same object
        for both directions; :meth:`MacTable.of` picks one).

        Raises:
            InterfaceGone: the interface vanished (its ``last`` holds these snapshots).
            EnvironmentProblem: the counter is not open.
        """
        if self._obj is None:
            raise EnvironmentProblem("the counter is not open: use it as a context manager or call open()")
        mono, now = time.monotonic_ns(), time.time()
        macs = self._obj.read_macs(len(self.directions)) if self.learn_macs else None
        snapshots = [
            Snapshot(interface=self.interface, ifindex=self.ifindex, direction=direction, hook=self.hook,
                     mode=self.mode, monotonic_ns=mono, time=now, vlans=counts.vlans,
                     protocols=counts.protocols, ethertypes=counts.ethertypes, truncated=counts.truncated,
                     macs=macs)
            for direction, counts in zip(self.directions, self._obj.read(len(self.directions)), strict=True)
        ]
        if not self._interface_present():
            raise InterfaceGone(self._gone_message(), snapshots)
        return snapshots

    def read_macs(self) -> MacTable:
        """The learned (VLAN, source MAC) pairs of :attr:`directions` (see :class:`MacTable`).

        Raises:
            EnvironmentProblem: the counter is not open, or was opened without ``learn_macs=True``.
        """
        if self._obj is None:
            raise EnvironmentProblem("the counter is not open: use it as a context manager or call open()")
        return self._obj.read_macs(len(self.directions))

    def health(self) -> str | None:
        """Why :meth:`read` would fail now (not open, the interface vanished), or ``None`` when it would
        not: checked without reading the maps, so it costs little and never waits for a read."""
        if self._obj is None:
            return "the counter is not open"
        return None if self._interface_present() else self._gone_message()

    def _gone_message(self) -> str:
        return f"interface {self.interface} (ifindex {self.ifindex}) vanished while counting"

    def _interface_present(self) -> bool:
        """Whether the interface still exists: an attached link reports ifindex 0 once it is gone, and an
        interface moved to another network namespace no longer answers in the one it was opened in."""
        if self._ns_sock is not None:
            ifreq = struct.pack("16si20x", b"", self.ifindex)  # struct ifreq: name, ifr_ifindex
            try:
                fcntl.ioctl(self._ns_sock.fileno(), _SIOCGIFNAME, ifreq)
            except OSError:
                return False
        for fd in self._links:
            info = bpf_link_info()
            try:
                libbpf.bpf_obj_get_info_by_fd(fd, info)
            except libbpf.LibbpfError:
                continue
            if info.ifindex == 0:
                return False
        if self._filters:
            try:
                with self._ipr_lock:
                    self._iproute().link("get", index=self.ifindex)
            except Exception:  # noqa: BLE001 - netlink says no such device
                return False
        return True

    def close(self) -> None:
        """Detach and unload (idempotent). Links close first, then the object's programs and maps."""
        for fd in self._links:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._links.clear()
        for direction, prio in self._filters:
            self._delete_filter(direction, prio)
        self._filters.clear()
        if self._ipr is not None:
            with contextlib.suppress(Exception):
                self._ipr.close()  # type: ignore[attr-defined]
            self._ipr = None
        if self._ns_sock is not None:
            self._ns_sock.close()
            self._ns_sock = None
        if self._obj is not None:
            self._obj.close()
            self._obj = None

    def __enter__(self) -> Counter:
        return self.open()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
