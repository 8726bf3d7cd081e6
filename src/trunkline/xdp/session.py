"""One `trunkline count` run: pick interfaces, read every counter each interval, stop, summarise.

The I/O edge of counting: netlink (pyroute2) for the default-route interface, the clock, signals. The
arithmetic is in :mod:`trunkline.xdp.stats`, the showing in :mod:`trunkline.xdp.render`.
"""

from __future__ import annotations

import math
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol

from trunkline.errors import BadInputError, EnvironmentProblem
from trunkline.xdp.render import Output
from trunkline.xdp.stats import Interval, Snapshot


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
    """Set *stop* on SIGINT (Ctrl-C) and SIGTERM while inside the block; restore the handlers after."""

    def handler(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)


def _read_all(
    counters: Sequence[Readable], previous: list[list[Snapshot]]
) -> tuple[list[list[Snapshot]], Any]:
    """Read every counter; on an interface that vanished, its last snapshots stand in and the error is
    returned (``InterfaceGone`` is an :class:`EnvironmentProblem` carrying ``last``)."""
    out: list[list[Snapshot]] = []
    gone: Any = None
    for counter, before in zip(counters, previous, strict=True):
        try:
            out.append(counter.read())
        except EnvironmentProblem as exc:
            last = getattr(exc, "last", None)
            if last is None:
                raise
            gone = gone or exc
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


def run(
    counters: Sequence[Readable],
    output: Output,
    interval_s: float,
    duration_s: float | None,
    stop: threading.Event,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Read *counters* every *interval_s* seconds and show each interval, until *duration_s* seconds have
    passed (``None``: until *stop* is set), then show the summary of the whole run.

    Ticks are scheduled from the start (no drift); a late tick is not made up for. Rates use the
    snapshots' own monotonic timestamps, never the nominal interval. When *stop* is set mid-interval,
    that partial interval is shown, then the summary.

    Raises:
        EnvironmentProblem: an interface vanished (``InterfaceGone``): raised after the summary of the
            counts so far has been shown.
    """
    first, _ = _read_all(counters, [[] for _ in counters])
    previous = first
    start = clock()
    end = math.inf if duration_s is None else start + duration_s
    tick = 1
    gone: Any = None
    while True:
        wake = min(start + tick * interval_s, end)
        remaining = wake - clock()
        if remaining > 0:
            stop.wait(remaining)
        current, gone = _read_all(counters, previous)
        output.interval(_pairs(previous, current))
        previous = current
        now = clock()
        if gone is not None or stop.is_set() or now >= end - 0.001:
            break
        tick = max(tick + 1, math.floor((now - start) / interval_s) + 1)
    output.summary(_pairs(first, previous))
    if gone is not None:
        raise gone
