"""The differential fuzz of bench/bpf_fuzz.py, short: every entry agrees with the reference model."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.bpf.frames import expected_slot, random_frame
from tests.bpf.runner import PROGRAMS

pytestmark = pytest.mark.privileged

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bpf_fuzz.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bpf_fuzz", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bpf_fuzz", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_two_thousand_random_frames_land_where_the_model_says(program: str) -> None:
    rng = random.Random(7)
    frames = [random_frame(rng) for _ in range(2000)]
    result = _bench().fuzz(program, frames)
    assert result.disagreements == []
    assert result.checked + result.refused == 2000
    assert result.checked >= 1900  # only short IP frames are refused, and only by TC's test run


def test_the_fuzz_names_the_frames_a_wrong_model_misplaces(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = _bench()
    arp = bytes.fromhex("0200000000020200000000010806") + bytes(28)

    def model_that_forgets_arp(frame: bytes) -> tuple[object, str, object]:
        vlan, kind, key = expected_slot(frame)
        return (vlan, "truncated", None) if key == 0x0806 else (vlan, kind, key)

    monkeypatch.setattr(bench, "expected_slot", model_that_forgets_arp)
    lldp = bytes.fromhex("02000000000202000000000188cc") + bytes(46)
    result = bench.fuzz("xdp", [arp, lldp], batch=2)
    assert result.checked == 2
    assert len(result.disagreements) == 1
    assert result.disagreements[0].startswith(f"xdp: frame {arp.hex()} landed")
