"""Turn SIGTERM and SIGHUP into :class:`KeyboardInterrupt`, so that ``finally`` blocks (teardown) run."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


@contextmanager
def signals_raise() -> Iterator[None]:
    """SIGTERM/SIGHUP raise :class:`KeyboardInterrupt` in the body, so that teardown runs (main thread only).

    Forked children (pyroute2 forks for namespace work and stops its children with SIGTERM) die by the
    signal as usual instead of unwinding this process's stack.
    """
    owner = os.getpid()

    def handler(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != owner:
            os._exit(128 + signum)
        raise KeyboardInterrupt(signal.Signals(signum).name)

    saved: dict[int, Any] = {}
    try:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            saved[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for signum, old in saved.items():
            signal.signal(signum, old)
