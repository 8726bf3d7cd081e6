"""Pausing Python's cyclic garbage collector while a large tree of objects is built that all stays alive.

Building millions of containers (a parsed 9 MB inventory: about a million dicts, lists and model objects)
triggers collections again and again, and each older-generation collection rescans the whole growing heap
without finding anything to free: more than half the time of loading such an inventory went there
(measured with ``bench/plan_scale.py``). Reference counting still frees everything as usual meanwhile;
only cycles wait for the next collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the ``with`` body; re-enable it afterwards (also on an exception)
    unless it was disabled before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
