"""Per-packet cost of the counter program through BPF_PROG_TEST_RUN (kernel-measured ns per run).

Compares, in one process and interleaved round by round: an empty XDP program that only returns
XDP_PASS (and an empty TC program, TC's fixed cost), the seed's protocol counter
(bench/seed/protocol_counter.bpf.c, built here with clang), and trunkline's counter on IPv4, IPv6 and
VLAN-tagged IPv4 UDP frames, for each entry (XDP generic-mode entry, XDP multi-buffer entry, TC):

* ``before``: the counter as it was before MAC learning (counter.bpf.o at git revision ``--before``),
* ``ours``: the shipped counter.bpf.o with MAC learning off (the default),
* ``ours+macs``: the same object loaded with MAC learning on (every frame updates its (VLAN, source
  MAC) pair; the same frame each time, so the pair exists: the steady state of a known MAC).

Prints the median of the rounds, ratios against the seed on IPv4 (target: ours <= 1.15x), learning
off against ``before`` (target: within 3%) and learning on against off (target: at most 2x).

Run as root: ``.venv/bin/python bench/bpf_per_packet.py [--rounds 15] [--repeat 1000000]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from trunkline.xdp import libbpf
from trunkline.xdp.counter import OBJECT_PATH, CounterObject

HERE = Path(__file__).resolve().parent
BEFORE_MACS = "77fe4cfeaef1ac97cfa1d02bec0985e3be538bd0"
"""The last commit before MAC learning: its counter.bpf.o is the ``before`` baseline."""
ENTRIES = {"xdp": "tl_count_xdp", "xdp.frags": "tl_count_xdp_frags", "tc": "tl_count_tc_rx"}
SEED_COPY = HERE / "seed" / "protocol_counter.bpf.c"
SEED_TEXT = HERE.parent.parent / "shared" / "seed" / "000_9c28f1ae5242d508.txt"  # the project's ../shared
EMPTY = """#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int pass(struct xdp_md *ctx) { return XDP_PASS; }
SEC("tc") int next(struct __sk_buff *skb) { return -1; }
char LICENSE[] SEC("license") = "GPL";
"""

MACS = bytes.fromhex("020000000002020000000001")
UDP = struct.pack("!HHHH", 40000, 9, 8 + 18, 0) + b"x" * 18
IPV4 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(UDP), 1, 0, 64, 17, 0, bytes([192, 0, 2, 1]),
                   bytes([192, 0, 2, 2])) + UDP
IPV6 = struct.pack("!IHBB", 6 << 28, len(UDP), 17, 64) + bytes(15) + b"\x01" + bytes(15) + b"\x02" + UDP
FRAMES = {
    "ipv4": MACS + b"\x08\x00" + IPV4,
    "ipv6": MACS + b"\x86\xdd" + IPV6,
    "vlan-ipv4": MACS + b"\x81\x00\x00\x28\x08\x00" + IPV4,
}


def build(source: str, out_dir: Path, name: str) -> Path:
    """Compile *source* (C text) for BPF with the flags `make bpf` uses; returns the object's path."""
    src, obj = out_dir / f"{name}.bpf.c", out_dir / f"{name}.bpf.o"
    src.write_text(source)
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", f"-I/usr/include/{os.uname().machine}-linux-gnu",
                    "-c", str(src), "-o", str(obj)], check=True)
    return obj


def load(path: Path, program: str) -> int:
    obj = libbpf.bpf_object__open_file(str(path))
    libbpf.bpf_object__load(obj)
    return libbpf.bpf_program__fd(libbpf.bpf_object__find_program_by_name(obj, program))


def per_packet_ns(fd: int, frame: bytes, repeat: int) -> float:
    """Nanoseconds per repetition of one BPF_PROG_TEST_RUN call, from this thread's CPU clock.

    The kernel's own ``duration`` is whole nanoseconds per repetition, too coarse at 10-20 ns per
    frame for a 3% comparison; the thread's CPU time (CLOCK_THREAD_CPUTIME_ID: the syscall's kernel
    time, not the time this thread waits for a CPU on a shared machine) over *repeat* repetitions
    resolves fractions of a nanosecond. It includes the test run's loop (the "empty" rows).
    """
    start = time.thread_time_ns()
    libbpf.bpf_prog_test_run_opts(fd, frame, repeat=repeat)
    return (time.thread_time_ns() - start) / repeat


def object_at(revision: str, out_dir: Path) -> Path:
    """The shipped counter.bpf.o as committed at git *revision*, written into *out_dir*."""
    relative = OBJECT_PATH.relative_to(HERE.parent)
    data = subprocess.run(["git", "-C", str(HERE.parent), "show", f"{revision}:{relative}"],
                          capture_output=True, check=True).stdout
    path = out_dir / "before.bpf.o"
    path.write_bytes(data)
    return path


def check_seed_copy(seed_text: Path) -> str:
    """Confirm the committed seed program is the seed's text (when the seed file is available)."""
    if not seed_text.exists():
        return f"{seed_text} not found; using the committed copy of the seed's program as is"
    code = SEED_COPY.read_text().split("*/\n", 1)[1].strip()
    if code not in seed_text.read_text():
        sys.exit(f"{SEED_COPY} differs from the seed's program in {seed_text}")
    return f"seed program: {SEED_COPY.name}, identical to the one in {seed_text}"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    clang = subprocess.run(["clang", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return f"{cpu}, {os.cpu_count()} CPUs, kernel {platform.release()}, {clang}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=1_000_000)
    parser.add_argument("--seed-text", type=Path, default=SEED_TEXT,
                        help="the seed text, to check bench/seed/protocol_counter.bpf.c against")
    parser.add_argument("--before", default=BEFORE_MACS, metavar="REV",
                        help="git revision whose counter.bpf.o is the 'before' baseline")
    args = parser.parse_args()
    print(check_seed_copy(args.seed_text))
    ours = CounterObject()
    learning = CounterObject(learn_macs=True)
    with tempfile.TemporaryDirectory() as tmp:
        empty_obj = build(EMPTY, Path(tmp), "empty")
        empty_fd, empty_tc_fd = load(empty_obj, "pass"), load(empty_obj, "next")
        seed_fd = load(build(SEED_COPY.read_text(), Path(tmp), "seed"), "get_packet_protocol")
        before_obj = object_at(args.before, Path(tmp))
        before = {entry: load(before_obj, name) for entry, name in ENTRIES.items()}
    programs = {"empty": empty_fd, "empty tc": empty_tc_fd, "seed": seed_fd}
    for entry, name in ENTRIES.items():
        programs[f"before {entry}"] = before[entry]
        programs[f"ours {entry}"] = ours.prog_fd(name)
        programs[f"ours+macs {entry}"] = learning.prog_fd(name)
    configs = [(p, f) for p in programs for f in FRAMES
               if not p.startswith("empty") or f == "ipv4"]
    samples: dict[tuple[str, str], list[int]] = {c: [] for c in configs}
    for _ in range(args.rounds):
        for program, frame in configs:
            samples[(program, frame)].append(per_packet_ns(programs[program], FRAMES[frame], args.repeat))
    medians = {c: statistics.median(v) for c, v in samples.items()}
    base = medians[("seed", "ipv4")]
    print(f"machine: {machine()}")
    print(f"{args.rounds} interleaved rounds x {args.repeat:,} repeats, median ns/packet (BPF_PROG_TEST_RUN, "
          "thread CPU time)")
    print(f"{'program':<21}{'frame':<11}{'ns/packet':>10}{'vs seed ipv4':>14}{'  rounds (ns)'}")
    for (program, frame), median in medians.items():
        rounds = [round(x, 1) for x in samples[(program, frame)]]
        print(f"{program:<21}{frame:<11}{median:>10.2f}{median / base:>13.2f}x  {rounds}")
    ours_worst = max(m for (p, _), m in medians.items() if p == "ours xdp")
    print(f"ours (XDP) worst frame type / seed on IPv4: {ours_worst / base:.2f}x (target <= 1.15x)")
    print("MAC learning, per entry and frame: off vs before (target <= 1.03x), on vs off (target <= 2x)")
    print(f"{'entry':<11}{'frame':<11}{'before':>8}{'off':>8}{'on':>8}{'off/before':>12}{'on/off':>8}")
    for entry in ENTRIES:
        for frame in FRAMES:
            b, off, on = (medians[(f"{kind} {entry}", frame)] for kind in ("before", "ours", "ours+macs"))
            print(f"{entry:<11}{frame:<11}{b:>8.2f}{off:>8.2f}{on:>8.2f}{off / b:>11.3f}x{on / off:>7.2f}x")


if __name__ == "__main__":
    main()
