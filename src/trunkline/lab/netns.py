"""Network namespaces and veth links for the lab, through pyroute2; every creation is undoable.

:class:`Resources` records what the lab made (namespaces, processes, CNI attachments, counters) and
undoes it in reverse order; ``teardown`` never raises and is safe to call twice.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from pyroute2 import IPRoute
from pyroute2 import netns as pnetns


def lab_prefix() -> str:
    """A fresh prefix for this run's namespace names (``tl<hex>``)."""
    return f"tl{secrets.token_hex(3)}"


def ns_exec(ns: str, *argv: str) -> list[str]:
    """The argv running *argv* inside network namespace *ns* (``ip netns exec``)."""
    return ["ip", "netns", "exec", ns, *argv]


def run_in(ns: str, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run *argv* in namespace *ns*; never raises for a non-zero exit (the caller reads ``returncode``)."""
    return subprocess.run(ns_exec(ns, *argv), capture_output=True, text=True, timeout=timeout)


@dataclass
class Resources:
    """What the lab created, undone newest first by :meth:`teardown`."""

    undo: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    _sockets: dict[str, IPRoute] = field(default_factory=dict)

    def push(self, what: str, action: Callable[[], None]) -> None:
        self.undo.append((what, action))

    def netns(self, name: str) -> str:
        """Create network namespace *name* (loopback up) and register its removal."""
        pnetns.create(name)
        self.namespaces.append(name)
        self.push(f"netns {name}", lambda: self._remove_ns(name))
        with self.use(name) as ipr:
            ipr.link("set", index=ipr.link_lookup(ifname="lo")[0], state="up")
        return name

    @contextlib.contextmanager
    def use(self, ns: str) -> Iterator[IPRoute]:
        """A netlink socket in namespace *ns*, opened once and kept until the namespace goes.

        (pyroute2 forks a helper process to open a socket in another namespace: slow under TCG.)
        """
        if ns not in self._sockets:
            self._sockets[ns] = IPRoute(netns=ns)
        yield self._sockets[ns]

    def _remove_ns(self, name: str) -> None:
        sock = self._sockets.pop(name, None)
        if sock is not None:
            with contextlib.suppress(Exception):
                sock.close()
        _remove_ns(name)

    def process(self, what: str, proc: subprocess.Popen[str]) -> None:
        """Register a child process (started with ``start_new_session=True``) to be killed and reaped."""
        self.push(what, lambda: _kill(proc))

    def teardown(self) -> list[str]:
        """Undo everything, newest first; return one line per undo step that failed."""
        problems = []
        while self.undo:
            what, action = self.undo.pop()
            try:
                action()
            except Exception as exc:  # keep undoing the rest; report what could not be undone
                problems.append(f"{what}: {exc}")
        self.namespaces.clear()
        return problems


def _remove_ns(name: str) -> None:
    if name in pnetns.listnetns():
        pnetns.remove(name)


def _kill(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def veth(res: Resources, ns_a: str, name_a: str, ns_b: str, name_b: str, mtu: int | None = None) -> None:
    """A veth pair: *name_a* in *ns_a* <-> *name_b* in *ns_b*, both up (removed with their namespace)."""
    tmp = f"tlv{secrets.token_hex(4)}"
    with res.use(ns_a) as ipr:
        ipr.link("add", ifname=name_a, kind="veth", peer={"ifname": tmp})
        ipr.link("set", index=ipr.link_lookup(ifname=tmp)[0], net_ns_fd=ns_b)
        idx = ipr.link_lookup(ifname=name_a)[0]
        if mtu:
            ipr.link("set", index=idx, mtu=mtu)
        ipr.link("set", index=idx, state="up")
    with res.use(ns_b) as ipr:
        idx = ipr.link_lookup(ifname=tmp)[0]
        ipr.link("set", index=idx, ifname=name_b)
        if mtu:
            ipr.link("set", index=idx, mtu=mtu)
        ipr.link("set", index=idx, state="up")


def vlan_bridge(
    res: Resources, ns: str, name: str, stp: bool = False, vlan_filtering: bool = True, mtu: int | None = None
) -> None:
    """Create bridge *name* in *ns* (VLAN filtering on by default), up."""
    with res.use(ns) as ipr:
        ipr.link(
            "add", ifname=name, kind="bridge", br_stp_state=int(stp), br_vlan_filtering=int(vlan_filtering)
        )
        idx = ipr.link_lookup(ifname=name)[0]
        if mtu:
            ipr.link("set", index=idx, mtu=mtu)
        ipr.link("set", index=idx, state="up")


def set_port(
    res: Resources,
    ns: str,
    port: str,
    bridge: str,
    tagged: Sequence[tuple[int, int]] = (),
    native: int | None = None,
    drop_default: bool = True,
) -> None:
    """Enslave *port* to *bridge* in *ns* and set its VLANs: *tagged* ranges, *native* as PVID untagged.

    With *drop_default* the bridge's default PVID (VLAN 1, untagged) is removed unless asked for.
    """
    with res.use(ns) as ipr:
        idx, br = ipr.link_lookup(ifname=port)[0], ipr.link_lookup(ifname=bridge)[0]
        ipr.link("set", index=idx, master=br)
        if drop_default and native != 1 and not any(lo <= 1 <= hi for lo, hi in tagged):
            with contextlib.suppress(Exception):
                ipr.vlan_filter("del", index=idx, vlan_info={"vid": 1})
        for lo, hi in tagged:
            ipr.vlan_filter("add", index=idx, vlan_info={"vid": lo if lo == hi else f"{lo}-{hi}"})
        if native is not None:
            ipr.vlan_filter("add", index=idx, vlan_info={"vid": native, "flags": ["pvid", "untagged"]})


def link_mac(res: Resources, ns: str, ifname: str, mac: str | None = None) -> str:
    """Set *ifname*'s MAC in *ns* to *mac* (when given); return the MAC it has (lower case)."""
    with res.use(ns) as ipr:
        idx = ipr.link_lookup(ifname=ifname)[0]
        if mac:
            ipr.link("set", index=idx, address=mac)
        return str(ipr.get_links(idx)[0].get_attr("IFLA_ADDRESS")).lower()


def add_address(res: Resources, ns: str, ifname: str, address: str, prefix: int) -> None:
    """Add *address*/*prefix* to *ifname* in *ns*."""
    with res.use(ns) as ipr:
        ipr.addr("add", index=ipr.link_lookup(ifname=ifname)[0], address=address, prefixlen=prefix)


@contextlib.contextmanager
def entered(ns: str) -> Iterator[None]:
    """Run the body with this process in network namespace *ns* (for code that binds to the current one)."""
    pnetns.pushns(ns)
    try:
        yield
    finally:
        pnetns.popns()
