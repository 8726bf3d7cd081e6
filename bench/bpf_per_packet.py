"""Per-packet cost of the counter program through BPF_PROG_TEST_RUN (ns per run, thread CPU time).

Compares, in one process and interleaved round by round: an empty XDP program that only returns
XDP_PASS (and an empty TC program, TC's fixed cost), the baseline: the blog post's protocol counter
(bench/baseline/protocol_counter.bpf.c, built here with clang), and trunkline's counter on IPv4, IPv6
and VLAN-tagged IPv4 UDP frames, for each entry (XDP single-buffer entry: generic mode, and native mode
where the MTU fits one buffer; XDP multi-buffer entry: native mode above that; TC):

* ``before``: the counter as it was before MAC learning (counter.bpf.o at git revision ``--before``),
* ``ours``: the shipped counter.bpf.o without MAC learning (the default),
* ``ours+macs``: the same object loaded with MAC learning (every frame counts towards its (VLAN,
  source MAC) pair; the same frame each time, so the pair exists: the steady state of a known MAC).

Prints the median of the rounds, ratios against the baseline on IPv4 (target: ours <= 1.15x on every
frame type), learning off against ``before`` (target: within 3%; also whether the verified
instructions are the same) and learning on against off (target: at most 2x).

Run as root: ``.venv/bin/python bench/bpf_per_packet.py [--rounds 15] [--repeat 1000000]``.
"""

from __future__ import annotations

import argparse
import ctypes
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
"""The last commit before MAC learning: its counter.bpf.o is the ``before`` row."""
ENTRIES = {"xdp": "tl_count_xdp", "xdp.frags": "tl_count_xdp_frags", "tc": "tl_count_tc_rx"}
BASELINE = HERE / "baseline" / "protocol_counter.bpf.c"
#: The blog post the baseline is copied from (outside the repository: the project's ../shared).
BLOG_TEXT = HERE.parent.parent / "shared" / "seed" / "000_9c28f1ae5242d508.txt"
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

    The kernel's own ``duration`` is whole nanoseconds per repetition, too coarse at 10-25 ns per
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


class _ProgInfo(ctypes.Structure):
    """The head of ``struct bpf_prog_info`` (include/uapi/linux/bpf.h) up to xlated_prog_insns."""

    _fields_ = [("type", ctypes.c_uint32), ("id", ctypes.c_uint32), ("tag", ctypes.c_uint8 * 8),
                ("jited_prog_len", ctypes.c_uint32), ("xlated_prog_len", ctypes.c_uint32),
                ("jited_prog_insns", ctypes.c_uint64), ("xlated_prog_insns", ctypes.c_uint64)]


def opcodes(fd: int) -> bytes:
    """The verified program's instructions without their immediates (map ids differ between loads):
    per instruction the opcode, the registers and the offset."""
    info = _ProgInfo()
    libbpf.bpf_obj_get_info_by_fd(fd, info)
    size = info.xlated_prog_len
    buf = ctypes.create_string_buffer(size)
    info = _ProgInfo(xlated_prog_len=size, xlated_prog_insns=ctypes.addressof(buf))
    libbpf.bpf_obj_get_info_by_fd(fd, info)
    return b"".join(buf.raw[i:i + 4] for i in range(0, size, 8))


def learning_table(programs: dict[str, int], rounds: int, repeat: int, before: str) -> None:
    """Print, per entry and frame, before / off / on and the ratios off/before and on/off.

    Each round times before, off, on, on, off, before back to back (so a drift of the shared machine
    hits both sides of a ratio alike) and takes the round's ratios; the table shows the medians of the
    rounds' ratios and of their ns figures.
    """
    print(f"MAC learning per entry and frame, {rounds} rounds of before/off/on/on/off/before x {repeat:,} "
          f"repeats (before = {before[:12]}): median ns/packet and median of the rounds' ratios")
    print(f"{'entry':<11}{'frame':<11}{'before':>8}{'off':>8}{'on':>8}{'off/before':>12}{'on/off':>8}"
          "   (targets: off/before <= 1.03x, on/off <= 2x)")
    for entry in ENTRIES:
        for frame in FRAMES:
            fds = [programs[f"{kind} {entry}"] for kind in ("before", "ours", "ours+macs")]
            ns: list[tuple[float, float, float]] = []
            for _ in range(rounds):
                b1, off1, on1, on2, off2, b2 = (per_packet_ns(fds[i], FRAMES[frame], repeat)
                                                for i in (0, 1, 2, 2, 1, 0))
                ns.append(((b1 + b2) / 2, (off1 + off2) / 2, (on1 + on2) / 2))
            b, off, on = (statistics.median(x[i] for x in ns) for i in range(3))
            off_ratio = statistics.median(x[1] / x[0] for x in ns)
            on_ratio = statistics.median(x[2] / x[1] for x in ns)
            print(f"{entry:<11}{frame:<11}{b:>8.2f}{off:>8.2f}{on:>8.2f}{off_ratio:>11.3f}x{on_ratio:>7.2f}x")


def check_baseline_copy(blog_text: Path) -> str:
    """Confirm the committed baseline program is the blog post's code (when the post's text is available)."""
    if not blog_text.exists():
        return f"{blog_text} not found; using the committed copy of the baseline program as is"
    code = BASELINE.read_text().split("*/\n", 1)[1].strip()
    if code not in blog_text.read_text():
        sys.exit(f"{BASELINE} differs from the blog post's program in {blog_text}")
    return f"baseline program: {BASELINE.name}, identical to the one in {blog_text}"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    clang = subprocess.run(["clang", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return f"{cpu}, {os.cpu_count()} CPUs, kernel {platform.release()}, {clang}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=1_000_000)
    parser.add_argument("--blog-text", type=Path, default=BLOG_TEXT,
                        help="the blog post's text, to check bench/baseline/protocol_counter.bpf.c against")
    parser.add_argument("--before", default=BEFORE_MACS, metavar="REV",
                        help="git revision whose counter.bpf.o is the 'before' row (default: the last "
                             "commit before MAC learning)")
    args = parser.parse_args()
    print(check_baseline_copy(args.blog_text))
    ours = CounterObject()
    learning = CounterObject(learn_macs=True)
    with tempfile.TemporaryDirectory() as tmp:
        empty_obj = build(EMPTY, Path(tmp), "empty")
        empty_fd, empty_tc_fd = load(empty_obj, "pass"), load(empty_obj, "next")
        baseline_fd = load(build(BASELINE.read_text(), Path(tmp), "baseline"), "get_packet_protocol")
        before_obj = object_at(args.before, Path(tmp))
        before = {entry: load(before_obj, name) for entry, name in ENTRIES.items()}
    programs = {"empty": empty_fd, "empty tc": empty_tc_fd, "baseline": baseline_fd}
    for entry, name in ENTRIES.items():
        programs[f"before {entry}"] = before[entry]
        programs[f"ours {entry}"] = ours.prog_fd(name)
        programs[f"ours+macs {entry}"] = learning.prog_fd(name)
    configs = [(p, f) for p in programs for f in FRAMES
               if not p.startswith("empty") or f == "ipv4"]
    samples: dict[tuple[str, str], list[float]] = {c: [] for c in configs}
    for _ in range(args.rounds):
        for program, frame in configs:
            samples[(program, frame)].append(per_packet_ns(programs[program], FRAMES[frame], args.repeat))
    medians = {c: statistics.median(v) for c, v in samples.items()}
    base = medians[("baseline", "ipv4")]
    print(f"machine: {machine()}")
    print(f"{args.rounds} interleaved rounds x {args.repeat:,} repeats, median ns/packet (BPF_PROG_TEST_RUN, "
          "thread CPU time)")
    print(f"{'program':<21}{'frame':<11}{'ns/packet':>10}{'vs base ipv4':>14}{'  rounds (ns)'}")
    for (program, frame), median in medians.items():
        rounds = [round(x, 1) for x in samples[(program, frame)]]
        print(f"{program:<21}{frame:<11}{median:>10.2f}{median / base:>13.2f}x  {rounds}")
    ours_worst = max(m for (p, _), m in medians.items() if p == "ours xdp")
    print(f"ours (XDP) worst frame type / baseline on IPv4: {ours_worst / base:.2f}x (target <= 1.15x)")
    # native mode attaches the single-buffer entry ("xdp") where the MTU fits one buffer (counter.py,
    # Counter._xdp_programs) and the multi-buffer entry ("xdp.frags") above that
    for label, entry in (("native, MTU fits one buffer (xdp)", "xdp"), ("native, multi-buffer (xdp.frags)",
                                                                       "xdp.frags")):
        ratios = ", ".join(f"{frame} {medians[(f'ours {entry}', frame)] / base:.2f}x" for frame in FRAMES)
        print(f"{label}: {ratios} of the baseline on IPv4")
    learning_table(programs, args.rounds, args.repeat, args.before)
    for entry in ENTRIES:
        same = opcodes(programs[f"before {entry}"]) == opcodes(programs[f"ours {entry}"])
        sizes = [len(opcodes(programs[f"{kind} {entry}"])) // 4 for kind in ("before", "ours", "ours+macs")]
        print(f"{entry}: verified instructions before/off/on {sizes[0]}/{sizes[1]}/{sizes[2]}; off runs the "
              f"same instructions as before: {'yes' if same else 'no'}")


if __name__ == "__main__":
    main()
