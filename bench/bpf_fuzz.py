"""Differential fuzz: random and structured frames through every entry of the counter, against the model.

Each frame goes through the shipped counter.bpf.o (``tl_count_xdp``, ``tl_count_xdp_frags``,
``tl_count_tc_rx``, ``tl_count_tc_tx``) with BPF_PROG_TEST_RUN, and the counts the maps gained are
compared with the counting rules' reference model (``tests/bpf/frames.py:expected_slot``, written from
docs/design.md independently of the C parser): the VLAN slots, the protocol/EtherType/truncated slots,
packets and bytes, and the verdict (XDP_PASS, TC_ACT_UNSPEC). Frames go in batches, each on a freshly
loaded object (so the EtherType hash never fills); a batch that disagrees is replayed frame by frame and
the first disagreeing frames are printed in hex.

Frames BPF_PROG_TEST_RUN refuses for TC (IP EtherType shorter than the IP header) are counted as
"refused by the test run" and not checked there; the real TC hook sees them (tests/test_bpf_veth.py).

Run as root from the repository: ``.venv/bin/python bench/bpf_fuzz.py [--frames 100000] [--seed 1]``.
The full run (100,000 frames per entry) takes a few minutes on 2 cores; CI runs 2,000 per entry through
tests/test_bpf_fuzz.py. Exit status 1 when any frame disagrees.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter as Tally
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/ (the reference model)

from tests.bpf.frames import expected_slot, random_frame  # noqa: E402
from tests.bpf.runner import PROGRAMS, TC_ACT_UNSPEC, XDP_PASS, diff, tc_test_run_refuses  # noqa: E402

from trunkline.xdp import libbpf  # noqa: E402
from trunkline.xdp.counter import CounterObject  # noqa: E402
from trunkline.xdp.stats import Cell  # noqa: E402


@dataclass
class Result:
    """What one entry made of the frames: how many were checked, refused, and which disagreed."""

    program: str
    checked: int = 0
    refused: int = 0
    disagreements: list[str] = field(default_factory=list)


def _expected(frames: Sequence[bytes]) -> tuple[dict[object, Cell], dict[object, Cell]]:
    vlans: dict[object, Cell] = {}
    kinds: dict[object, Cell] = {}
    for frame in frames:
        vlan, kind, key = expected_slot(frame)
        one = Cell(1, len(frame))
        vlans[vlan] = vlans.get(vlan, Cell()) + one
        kinds[(kind, key)] = kinds.get((kind, key), Cell()) + one
    return vlans, kinds


def _observed(program: str, frames: Sequence[bytes]
              ) -> tuple[dict[object, Cell], dict[object, Cell], Tally[int]]:
    obj = CounterObject()
    try:
        fd = obj.prog_fd(PROGRAMS[program][0])
        before = obj.read(2)
        verdicts: Tally[int] = Tally()
        for frame in frames:
            verdicts[libbpf.bpf_prog_test_run_opts(fd, frame).retval] += 1
        after = obj.read(2)
    finally:
        obj.close()
    direction = PROGRAMS[program][1]
    d = 0 if direction == "rx" else 1
    landing = diff(before[d], after[d], direction)
    silent = diff(before[1 - d], after[1 - d], "tx" if d == 0 else "rx")
    vlans: dict[object, Cell] = dict(landing.vlans)
    kinds: dict[object, Cell] = {("protocol", k): c for k, c in landing.protocols.items()}
    kinds.update({("ethertype", k): c for k, c in landing.ethertypes.items()})
    if landing.truncated:
        kinds[("truncated", None)] = landing.truncated
    if silent.total() or silent.classified():
        kinds[("other direction", None)] = silent.total()
    return vlans, kinds, verdicts


def fuzz(program: str, frames: Sequence[bytes], batch: int = 1000) -> Result:
    """Check every frame of *frames* through *program* (a key of tests.bpf.runner.PROGRAMS)."""
    result = Result(program)
    passing = XDP_PASS if program.startswith("xdp") else TC_ACT_UNSPEC
    if program.startswith("tc"):
        kept = [f for f in frames if not tc_test_run_refuses(f)]
        result.refused = len(frames) - len(kept)
        frames = kept
    for start in range(0, len(frames), batch):
        chunk = frames[start:start + batch]
        vlans, kinds, verdicts = _observed(program, chunk)
        result.checked += len(chunk)
        if (vlans, kinds) == _expected(chunk) and verdicts == Tally({passing: len(chunk)}):
            continue
        for frame in chunk:  # replay one by one to name the frames that disagree
            got = _observed(program, [frame])
            want = _expected([frame])
            if (got[0], got[1]) != want or got[2] != Tally({passing: 1}):
                result.disagreements.append(
                    f"{program}: frame {frame.hex()} landed {got[0]} {got[1]} verdicts {dict(got[2])}, "
                    f"model says {want[0]} {want[1]}")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the fuzz; print one line per entry and the first disagreements; 1 when any frame disagreed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000, help="frames per entry (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    frames = [random_frame(rng) for _ in range(args.frames)]
    failed = 0
    print(f"differential fuzz, seed {args.seed}, {len(frames)} frames per entry")
    for program in PROGRAMS:
        result = fuzz(program, frames, args.batch)
        print(f"{program:10} frames checked {result.checked:7}  refused by the test run {result.refused:6}  "
              f"disagreements {len(result.disagreements)}")
        for line in result.disagreements[:5]:
            print("  " + line)
        failed += len(result.disagreements)
    print(f"total disagreements: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
