"""gc_paused: the collector is off inside and back as it was afterwards, also after an exception."""

from __future__ import annotations

import gc

import pytest

from trunkline.gcpause import gc_paused


def test_collector_is_off_inside_and_on_again_after_an_exception() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError, match="boom"), gc_paused():
        assert not gc.isenabled()
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
