"""One `trunkline count` run: pick interfaces, read every counter each interval, stop, summarise.

The I/O edge of counting: netlink (pyroute2) for the default-route interface, the clock, signals. The
arithmetic is in :mod:`trunkline.xdp.stats`, the showing in :mod:`trunkline.xdp.render`.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from types import FrameType
from typing import Any, Protocol, cast

from trunkline.errors import BadInputError, EnvironmentProblem
from trunkline.xdp.render import Output
from trunkline.xdp.stats import Interval, Snapshot, empty_like


class Readable(Protocol):
    """What the run needs of a counter (``trunkline.xdp.counter.Counter`` is one)."""

    interface: str

    def read(self) -> list[Snapshot]:
        """Cumulative snapshots, one per direction."""
        ...


def default_route_interface() -> str:
    """The interface of the main table's default route (IPv4 first, then IPv6; lowest metric wins).

    Raises:
        BadInputError: no default route, so the user must name the interface.
    """
    from pyroute2 import IPRoute

    with IPRoute() as ipr:
        for family in (socket.AF_INET, socket.AF_INET6):
            best: tuple[int, int] | None = None
            for route in ipr.get_default_routes(family=family, table=254):
                oif = route.get("RTA_OIF")
                if oif is None:  # multipath: take the first next hop
                    hops = route.get("RTA_MULTIPATH") or []
                    oif = hops[0]["oif"] if hops else None
                if oif is None:
                    continue
                metric = route.get("RTA_PRIORITY") or 0
                if best is None or metric < best[0]:
                    best = (metric, oif)
            if best is not None:
                links = ipr.link("get", index=best[1])
                return str(links[0].get("IFLA_IFNAME"))
    raise BadInputError(
        "no default route to pick an interface from: name one, e.g. `trunkline count eth0` (see `ip link`)"
    )


def check_interfaces(names: Sequence[str]) -> None:
    """Check that every name in *names* is an interface here and none is given twice.

    Raises:
        BadInputError: an unknown interface or a repeated one (exit code 2).
    """
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise BadInputError(f"interface {name!r} is given twice: name each interface once")
        seen.add(name)
        try:
            socket.if_nametoindex(name)
        except OSError:
            raise BadInputError(
                f"unknown interface {name!r}: name an existing interface (see `ip link`)"
            ) from None


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[threading.Event]:
    """Set *stop* on SIGINT (Ctrl-C), SIGTERM and SIGHUP (a closed terminal) inside the block."""

    def handler(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield stop
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)


def _read_all(
    counters: Sequence[Readable], previous: list[list[Snapshot]]
) -> tuple[list[list[Snapshot]], dict[int, Any]]:
    """Read every counter; on an interface that vanished, its last snapshots stand in and its error is
    returned by the counter's position (``InterfaceGone`` is an :class:`EnvironmentProblem` carrying
    ``last``)."""
    out: list[list[Snapshot]] = []
    gone: dict[int, Any] = {}
    for index, (counter, before) in enumerate(zip(counters, previous, strict=True)):
        try:
            out.append(counter.read())
        except EnvironmentProblem as exc:
            last = getattr(exc, "last", None)
            if last is None:
                raise
            gone[index] = exc
            out.append(list(last) or before)
    return out, gone


def _pairs(first: list[list[Snapshot]], last: list[list[Snapshot]]) -> list[Interval]:
    """Intervals from *first* to *last*, matched by counter and direction."""
    intervals: list[Interval] = []
    for before, after in zip(first, last, strict=True):
        by_direction = {snap.direction: snap for snap in before}
        for snap in after:
            start = by_direction.get(snap.direction)
            if start is not None:
                intervals.append(Interval(start, snap))
    return intervals


Attached = tuple[int, float]
"""When a counter was attached: ``(time.monotonic_ns(), time.time())``."""


def _zero_at_attach(first: list[list[Snapshot]], attached: Sequence[Attached]) -> list[list[Snapshot]]:
    """Empty snapshots (the counts a counter holds when it attaches) stamped with each counter's attach
    instants, one per direction of *first*."""
    return [[empty_like(snap, mono_ns, unix) for snap in snaps]
            for snaps, (mono_ns, unix) in zip(first, attached, strict=True)]


def run(
    counters: Sequence[Readable],
    output: Output,
    interval_s: float,
    duration_s: float | None,
    stop: threading.Event,
    clock: Callable[[], float] = time.monotonic,
    attached: Sequence[Attached] | None = None,
    keep_going: bool = False,
    notice: Callable[[str], None] = lambda line: None,
) -> None:
    """Read *counters* every *interval_s* seconds and show each interval, until *duration_s* seconds have
    passed (``None``: until *stop* is set), then show the summary of the whole run.

    *attached* gives, per counter, the instants it was attached (its counts were zero then): the first
    interval then runs from there, so every frame counted is in exactly one interval and in the
    summary's ``*_interval`` figures and rates, and ticks and *duration_s* count from the earliest
    attach (*clock* must be the monotonic clock of ``monotonic_ns``). Without it the run starts at a
    first read of the counters (for counters attached earlier by someone else).

    Ticks are scheduled from the start (no drift); a late tick is not made up for. Rates use the
    snapshots' own monotonic timestamps, never the nominal interval. When *stop* is set mid-interval,
    that partial interval is shown, then the summary.

    When an interface vanishes the run stops, unless *keep_going* (``count --metrics-port``: a node's
    exporter keeps serving its other interfaces, the vanished one reported down): then *notice* is told
    once, the vanished counter's last counts stand in for it in every later interval, and the run goes on
    while any interface is left.

    Raises:
        EnvironmentProblem: an interface vanished (``InterfaceGone``; with *keep_going*, the first one to
            vanish, raised when every interface is gone or the run ends): raised after the summary of the
            counts so far has been shown.
    """
    if attached is None:
        first, _ = _read_all(counters, [[] for _ in counters])
        start = clock()
    else:  # a read only to learn each counter's directions; the counts are zero at attach
        first = _zero_at_attach(_read_all(counters, [[] for _ in counters])[0], attached)
        start = min(mono_ns for mono_ns, _ in attached) / 1e9
    previous = first
    end = math.inf if duration_s is None else start + duration_s
    tick = 1
    gone: dict[int, Any] = {}
    while True:
        wake = min(start + tick * interval_s, end)
        remaining = wake - clock()
        if remaining > 0:
            stop.wait(remaining)
        current, now_gone = _read_all(counters, previous)
        output.interval(_pairs(previous, current))
        previous = current
        for index, exc in now_gone.items():
            if index not in gone:
                gone[index] = exc
                if keep_going and len(gone) < len(counters):
                    notice(f"warning: {exc.message}; still counting the other interfaces (its "
                           "trunkline_counter_up is 0, /healthz answers 503)")
        now = clock()
        if (gone and not keep_going) or len(gone) == len(counters) or stop.is_set() or now >= end - 0.001:
            break
        tick = max(tick + 1, math.floor((now - start) / interval_s) + 1)
    output.summary(_pairs(first, previous))
    if gone:
        raise next(iter(gone.values()))  # the first to vanish


def count(
    names: Sequence[str],
    *,
    hook: str,
    mode: str,
    make_output: Callable[[], Output],
    interval_s: float,
    duration_s: float | None,
    metrics_port: int | None = None,
    metrics_address: str = "0.0.0.0",
    notice: Callable[[str], None] = lambda line: print(f"trunkline: {line}", file=sys.stderr),
    learn_macs: bool = False,
    mac_capacity: int | None = None,
    plan_metrics: Callable[[Sequence[Any]], Any] | None = None,
    group: str | None = None,
) -> None:
    """The whole `trunkline count` run: attach a counter to each interface in *names*, tell *notice* the
    counters' warnings (once) and where metrics are served, show every interval through the output
    *make_output* builds (after attaching, so an attach error leaves the terminal alone), stop on
    *duration_s*, Ctrl-C or SIGTERM, show the summary, detach. *learn_macs* / *mac_capacity*: MAC
    learning on every counter (``Counter(learn_macs=..., mac_capacity=...)``). *plan_metrics*: builds
    a collector served beside the counters' (from the open counters); *group*: the ``group`` label
    of every series.

    Raises:
        BadInputError: unknown interface, bad option (exit 2).
        EnvironmentProblem: privileges, libbpf, the kernel, an XDP program already attached, the metrics
            port, an interface vanishing mid-run (after the summary of the counts so far) (exit 3). With
            *metrics_port*, a vanished interface is reported down while the others are still counted and
            served: the run ends when every interface is gone, at *duration_s* or on a signal (exit 3).
    """
    from trunkline.xdp.counter import Counter

    stop = threading.Event()
    with ExitStack() as stack:
        hook_, mode_ = cast(Any, hook), cast(Any, mode)  # checked by the CLI; Counter re-checks them
        counters: list[Counter] = []
        attached: list[Attached] = []
        for name in names:
            counters.append(stack.enter_context(Counter(name, hook=hook_, mode=mode_, learn_macs=learn_macs,
                                                        mac_capacity=mac_capacity)))
            # taken inside open(), just before the attach: the checks after it (ethtool's offload
            # reading, ...) can take a while, and frames counted meanwhile belong to the run
            attached.append(counters[-1].attached_at or (time.monotonic_ns(), time.time()))
        for counter in counters:
            for warning in counter.warnings:
                notice(f"warning: {warning}")
        if metrics_port is not None:
            from trunkline.xdp.exporter import start_metrics_server

            extra: list[Any] = []
            if plan_metrics is not None:  # the plan's families, the MAC tables' among them
                extra.append(plan_metrics(counters))
            elif learn_macs:
                from trunkline.vmmetrics import MacTableCollector

                extra.append(MacTableCollector(counters))
            server: Any = start_metrics_server(metrics_port, counters, address=metrics_address, extra=extra,
                                               group=group)
            stack.callback(server.close)
            host = f"[{metrics_address}]" if ":" in metrics_address else metrics_address
            port = getattr(server, "port", metrics_port)
            notice(f"serving Prometheus metrics on http://{host}:{port}/metrics")
        output = make_output()
        stack.callback(output.close)
        stack.enter_context(stop_on_signals(stop))
        try:
            run(counters, output, interval_s, duration_s, stop, attached=attached,
                keep_going=metrics_port is not None, notice=notice)
        except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as other tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
