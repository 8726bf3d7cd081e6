"""Prometheus exporter: the counters' maps as metric families, read at scrape time.

Families (``docs/design.md``, "Metrics"), all counters (cumulative since the counter was attached):

* ``trunkline_vlan_{packets,bytes}_total{interface,direction,vlan}`` — ``vlan`` is the outer VLAN ID
  (``"0"``-``"4095"``) or ``"untagged"``;
* ``trunkline_protocol_{packets,bytes}_total{interface,direction,family,protocol,number}`` — ``protocol``
  is the IANA keyword (``proto-<number>`` where IANA has none), ``number`` the IP protocol number;
* ``trunkline_ethertype_{packets,bytes}_total{interface,direction,ethertype,name}`` — non-IP frames,
  ``ethertype`` as ``0x0806``; 802.3 frames (Type/Length 0-1500 is a length) share ``802.3-length``;
* ``trunkline_truncated_{packets,bytes}_total{interface,direction}``.

Per interface and direction the VLAN family sums to the total, and so do protocol + EtherType +
truncated together (the counting rules). The maps are read one after another, not atomically: a frame
counted during a scrape may show in one family and not yet in the other, so the two sums agree exactly
between frames and, over time, in their rates.

Every label value is bounded: 4097 VLAN values, 2 families x 256 protocol numbers, at most 64,036
EtherType values, 2 directions; no addresses, ports or other per-flow values.

Gauges: ``trunkline_build_info{version,python,kernel}`` (always 1), ``trunkline_counter_info{interface,
ifindex,hook,mode}`` (1 per attached counter) and ``trunkline_counter_up{interface}`` (0 when the last read
failed, e.g. the interface vanished; its families are then absent from that scrape).

A render (one :meth:`Counter.read` per counter: one batch lookup per per-CPU map) is shared by the
scrapes that arrive while it is made and for up to a second after it started (:mod:`trunkline.xdp.httpd`).
Bytes are wire bytes without the FCS (VLAN tags included), as in :class:`~trunkline.xdp.stats.Cell`.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import os
import platform
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from trunkline import __version__
from trunkline.errors import BadInputError, EnvironmentProblem, TrunklineError
from trunkline.xdp import ethertypes, httpd, protocols
from trunkline.xdp.ethertypes import is_llc
from trunkline.xdp.httpd import HEALTH_PATH as HEALTH_PATH  # the probes' path, re-exported
from trunkline.xdp.httpd import MetricsServer, ServerLimits
from trunkline.xdp.stats import Cell, Snapshot

log = logging.getLogger(__name__)

class ReadableCounter(Protocol):
    """What the exporter needs of a counter: :class:`trunkline.xdp.counter.Counter` provides it."""

    @property
    def interface(self) -> str: ...

    def read(self) -> Sequence[Snapshot]: ...

    def health(self) -> str | None: ...


def vlan_label(vlan: int | None) -> str:
    """The ``vlan`` label value: the VLAN ID as decimal, or ``"untagged"`` for ``None``."""
    return "untagged" if vlan is None else str(vlan)


LLC_LABEL = "802.3-length"
"""``ethertype`` label of every frame whose Type/Length field is a length (0-1500, IEEE 802.3 clause
3.2.6): the value is that frame's payload length, not a protocol, so all lengths share one series."""

def ethertype_label(ethertype: int) -> str:
    """The ``ethertype`` label value: ``0x`` and four lower-case hex digits (``0x0806``); ``802.3-length``
    for Type/Length values 0-1500 (802.3 frames with an LLC header)."""
    return LLC_LABEL if is_llc(ethertype) else f"0x{ethertype:04x}"


class _Families:
    """The metric families of one scrape, filled snapshot by snapshot."""

    def __init__(self, protocol_keyword: Callable[[int], str], ethertype_name: Callable[[int], str]) -> None:
        self.protocol_keyword = protocol_keyword
        self.ethertype_name = ethertype_name
        base = ["interface", "direction"]
        self.pairs: dict[str, tuple[CounterMetricFamily, CounterMetricFamily]] = {}
        for key, what, labels in (
            ("vlan", "per outer VLAN ID ('untagged' for untagged frames)", [*base, "vlan"]),
            ("protocol", "per IP family and IP protocol (IANA keyword and number)",
             [*base, "family", "protocol", "number"]),
            ("ethertype", "per EtherType, for non-IP frames", [*base, "ethertype", "name"]),
            ("truncated", "cut short before the headers that decide their protocol or EtherType", base),
        ):
            self.pairs[key] = (
                CounterMetricFamily(f"trunkline_{key}_packets", f"Frames {what}.", labels=labels),
                CounterMetricFamily(f"trunkline_{key}_bytes",
                                    f"Bytes (wire frames without FCS, VLAN tags included) {what}.",
                                    labels=labels),
            )

    def _add(self, key: str, labels: list[str], cell: Cell) -> None:
        packets, nbytes = self.pairs[key]
        packets.add_metric(labels, cell.packets)
        nbytes.add_metric(labels, cell.bytes)

    def add(self, snap: Snapshot) -> None:
        base = [snap.interface, snap.direction]
        for vlan, cell in sorted(snap.vlans.items(), key=lambda kv: -1 if kv[0] is None else kv[0]):
            self._add("vlan", [*base, vlan_label(vlan)], cell)
        for (family, number), cell in sorted(snap.protocols.items()):
            self._add("protocol", [*base, family, self.protocol_keyword(number), str(number)], cell)
        merged: dict[tuple[str, str], Cell] = {}
        for ethertype, cell in sorted(snap.ethertypes.items()):
            key = (ethertype_label(ethertype), self.ethertype_name(ethertype))
            merged[key] = merged.get(key, Cell()) + cell
        for (label, name), cell in merged.items():
            self._add("ethertype", [*base, label, name], cell)
        self._add("truncated", base, snap.truncated)

    def __iter__(self) -> Iterator[Metric]:
        for packets, nbytes in self.pairs.values():
            yield packets
            yield nbytes


class TrunklineCollector(Collector):
    """A prometheus-client collector over live counters: every ``collect()`` reads each counter once.

    Args:
        counters: attached counters (anything with ``interface`` and ``read() -> Sequence[Snapshot]``,
            normally :class:`trunkline.xdp.counter.Counter`); the caller keeps them open while serving.
        protocol_keyword: IP protocol number -> label (default: the IANA keyword).
        ethertype_name: EtherType -> label (default: trunkline's EtherType names).

    A counter whose read raises a :class:`~trunkline.errors.TrunklineError` (an interface that vanished)
    reports ``trunkline_counter_up 0`` and no families in that scrape; the error is kept in
    :attr:`last_errors` (the health check asks the counters themselves). Reads of one counter are
    serialised.
    """

    def __init__(
        self,
        counters: Sequence[ReadableCounter],
        protocol_keyword: Callable[[int], str] = protocols.keyword,
        ethertype_name: Callable[[int], str] = ethertypes.name,
    ) -> None:
        self.counters = list(counters)
        self.protocol_keyword = protocol_keyword
        self.ethertype_name = ethertype_name
        self.last_errors: dict[str, str] = {}
        self._locks = [threading.Lock() for _ in self.counters]
        self._kernel = platform.release()

    def _read(self, index: int) -> Sequence[Snapshot] | None:
        counter = self.counters[index]
        with self._locks[index]:
            try:
                snaps = counter.read()
            except TrunklineError as exc:
                if self.last_errors.get(counter.interface) != exc.message:  # once, not at every scrape
                    log.warning("reading the counter on %s failed: %s", counter.interface, exc.message)
                self.last_errors[counter.interface] = exc.message
                return None
        self.last_errors.pop(counter.interface, None)
        return snaps

    def collect(self) -> Iterable[Metric]:
        """Read every counter now and yield the metric families (see the module docstring)."""
        families = _Families(self.protocol_keyword, self.ethertype_name)
        build = GaugeMetricFamily("trunkline_build_info", "trunkline version, Python and kernel release.",
                                  labels=["version", "python", "kernel"])
        build.add_metric([__version__, platform.python_version(), self._kernel], 1)
        info = GaugeMetricFamily("trunkline_counter_info", "One per attached counter: its hook and mode.",
                                 labels=["interface", "ifindex", "hook", "mode"])
        up = GaugeMetricFamily("trunkline_counter_up",
                               "1 when the counter's maps were read in this scrape, 0 when that failed.",
                               labels=["interface"])
        for index, counter in enumerate(self.counters):
            snaps = self._read(index)
            up.add_metric([counter.interface], 0 if snaps is None else 1)
            for snap in snaps or ():
                families.add(snap)
            if snaps:
                first = snaps[0]
                info.add_metric([first.interface, str(first.ifindex), first.hook, first.mode or ""], 1)
        yield build
        yield info
        yield up
        yield from families

    def healthy(self) -> tuple[bool, str]:
        """``(True, "ok")`` while every counter can be read, else ``(False, reasons)``: asks each counter's
        ``health()``, which reads no map, so a probe never waits for a scrape's read."""
        problems = [(c.interface, p) for c in self.counters if (p := c.health()) is not None]
        if not problems:
            return True, "ok"
        return False, "; ".join(f"{name}: {msg}" for name, msg in sorted(problems))


class GroupLabelled(Collector):
    """Every series of *inner* with the label ``group`` = *group* added (``count --group``: every
    trunkline_* series of a DaemonSet carries its node group)."""

    def __init__(self, inner: Collector, group: str) -> None:
        self.inner, self.group = inner, group

    def collect(self) -> Iterable[Metric]:
        for metric in self.inner.collect():
            metric.samples = [s._replace(labels={**s.labels, "group": self.group}) for s in metric.samples]
            yield metric


_ADDRESS_FIX = ("(see `ip -brief address`), 0.0.0.0 or :: for all, 127.0.0.1 for this host only")


def _not_local(address: str) -> BadInputError:
    return BadInputError(f"--metrics-address {address}: not an address of this host; give one of its IP "
                         f"addresses {_ADDRESS_FIX}")


def check_address(address: str) -> None:
    """Check that *address* is an IP address of this host (or a wildcard) that a server could bind, without
    binding a port: before the counters attach, so a wrong ``--metrics-address`` fails as bad input.

    Raises:
        BadInputError: *address* is not an IPv4/IPv6 address (a name such as ``bogus.invalid``, or
            ``999.1.1.1``), or no interface of this host has it (``EADDRNOTAVAIL``).
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise BadInputError(f"--metrics-address {address}: not an IP address; give an address of this host "
                            f"{_ADDRESS_FIX}") from None
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, 0))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise _not_local(address) from None
            raise EnvironmentProblem(
                f"cannot serve metrics on {address}: {os.strerror(exc.errno or 0)}") from exc


def start_metrics_server(
    port: int, counters: Sequence[ReadableCounter], address: str = "0.0.0.0",
    limits: ServerLimits | None = None, extra: Sequence[Collector] = (), group: str | None = None,
) -> MetricsServer:
    """Serve the counters' metrics over HTTP in background threads (:mod:`trunkline.xdp.httpd`).

    ``GET /metrics`` (any path but ``/healthz``, as prometheus-client does) answers the Prometheus text
    format 0.0.4 (gzip when accepted) from a render started at most ``limits.max_age_s`` before the
    scrape or under way when it arrived, shared by concurrent scrapes; ``GET /healthz`` answers 200
    ``ok`` while every counter can be read and 503 with the reason otherwise (for Kubernetes probes),
    without waiting for a scrape.

    Args:
        port: TCP port; 0 picks a free one (see :attr:`MetricsServer.port`).
        counters: attached counters, kept open by the caller while the server runs.
        address: bind address; ``"::"`` for IPv6 (dual-stack where the system allows).
        limits: workers, timeouts and limits (:class:`~trunkline.xdp.httpd.ServerLimits`).
        extra: more collectors served beside the counters' (the plan's families,
            :class:`trunkline.vmmetrics.PlanCollector`).
        group: the node group: every series gets the label ``group`` (``None``: no such label).

    Returns:
        a :class:`MetricsServer`; call ``close()`` (or use ``with``) to stop it.

    Raises:
        BadInputError: *address* is not an address of this host (see :func:`check_address`).
        EnvironmentProblem: the port cannot be bound (in use, or below 1024 without privileges).
    """
    collector = TrunklineCollector(counters)
    registry = CollectorRegistry(auto_describe=False)
    for one in (collector, *extra):
        registry.register(one if group is None else GroupLabelled(one, group))
    try:
        return httpd.serve(registry, collector.healthy, address, port, limits or ServerLimits())
    except socket.gaierror:  # a name, or no IP address: the address was not checked beforehand
        check_address(address)
        raise
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:
            raise _not_local(address) from exc
        raise EnvironmentProblem(
            f"cannot serve metrics on {address}:{port}: {os.strerror(exc.errno) if exc.errno else exc}; "
            "choose another --metrics-port"
        ) from exc
