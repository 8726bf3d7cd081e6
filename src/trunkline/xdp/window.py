"""One counting window: attach counters to interfaces, wait, read them (the kernel edge of ``verify``,
next to :mod:`trunkline.xdp.session`, the edge of ``count``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import Any, Literal

from trunkline.errors import EnvironmentProblem
from trunkline.xdp.stats import Snapshot


def observe(
    interfaces: Sequence[str],
    duration_s: float,
    hook: Literal["tc", "xdp"] = "tc",
    started: Callable[[Sequence[Any]], None] = lambda counters: None,
    learn_macs: bool = False,
    ended: Callable[[Sequence[Any]], None] = lambda counters: None,
    mac_capacity: int | None = None,
) -> tuple[list[Snapshot], EnvironmentProblem | None, float]:
    """Count on *interfaces* for *duration_s* seconds (SIGINT/SIGTERM end the window early).

    Args:
        interfaces: interface names in this network namespace, each given once.
        duration_s: length of the window in seconds.
        hook: ``tc`` (sees tags the NIC moved into metadata) or ``xdp`` (generic mode).
        started: called with the attached counters once counting has begun (for announcements).
        learn_macs: open the counters with MAC learning (``Counter(..., learn_macs=True)``).
        ended: called with the counters at the end of the window, before they close (to read MACs).
        mac_capacity: the MAC map's size in pairs (``None``: the counter's default).

    Returns:
        the cumulative snapshots at the end of the window (rx and, with TC, tx), the error of an
        interface that vanished during the window (its last snapshots are included), else ``None``, and
        the window's measured length in seconds (from the first attach to the last read; shorter than
        *duration_s* when a signal ended it).

    Raises:
        BadInputError: an unknown or repeated interface. EnvironmentProblem: privileges, kernel, libbpf.
    """
    from trunkline.xdp import session
    from trunkline.xdp.counter import Counter

    session.check_interfaces(interfaces)
    stop = threading.Event()
    snaps: list[Snapshot] = []
    gone: EnvironmentProblem | None = None
    extra: dict[str, Any] = {"learn_macs": True, "mac_capacity": mac_capacity} if learn_macs else {}
    with ExitStack() as stack:
        counters = [stack.enter_context(Counter(name, hook=hook, **extra)) for name in interfaces[:1]]
        start = time.monotonic()  # the first counter is attached: its counts start at zero here
        counters += [stack.enter_context(Counter(name, hook=hook, **extra)) for name in interfaces[1:]]
        with session.stop_on_signals(stop):  # before announcing: a signal right after must end the window
            started(counters)
            stop.wait(duration_s)
        end = time.monotonic()
        for counter in counters:
            try:
                snaps.extend(counter.read())
            except EnvironmentProblem as exc:
                last = getattr(exc, "last", None)
                if last is None:
                    raise
                snaps.extend(last)
                gone = gone or exc
        if gone is None:
            ended(counters)
    return snaps, gone, end - start
