"""Per-packet cost of the counter program through BPF_PROG_TEST_RUN (kernel-measured ns per run).

Compares, in one process and interleaved round by round: an empty XDP program that only returns
XDP_PASS (and an empty TC program, TC's fixed cost), the baseline: the blog post's protocol counter
(bench/baseline/protocol_counter.bpf.c, built here with clang), and trunkline's counter (the shipped
counter.bpf.o: XDP generic-mode entry, XDP multi-buffer entry, TC) on IPv4, IPv6 and VLAN-tagged
IPv4 UDP frames. Prints the median of the rounds and ratios against the baseline on IPv4 (the
target: ours <= 1.15x on every frame type).

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
from pathlib import Path

from trunkline.xdp import libbpf
from trunkline.xdp.counter import CounterObject

HERE = Path(__file__).resolve().parent
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
    args = parser.parse_args()
    print(check_baseline_copy(args.blog_text))
    ours = CounterObject()
    with tempfile.TemporaryDirectory() as tmp:
        empty_obj = build(EMPTY, Path(tmp), "empty")
        empty_fd, empty_tc_fd = load(empty_obj, "pass"), load(empty_obj, "next")
        baseline_fd = load(build(BASELINE.read_text(), Path(tmp), "baseline"), "get_packet_protocol")
    programs = {"empty": empty_fd, "empty tc": empty_tc_fd, "baseline": baseline_fd,
                "ours xdp": ours.prog_fd("tl_count_xdp"),
                "ours xdp.frags": ours.prog_fd("tl_count_xdp_frags"),
                "ours tc": ours.prog_fd("tl_count_tc_rx")}
    configs = [(p, f) for p in programs for f in FRAMES
               if not p.startswith("empty") or f == "ipv4"]
    samples: dict[tuple[str, str], list[int]] = {c: [] for c in configs}
    for _ in range(args.rounds):
        for program, frame in configs:
            opts = libbpf.bpf_prog_test_run_opts(programs[program], FRAMES[frame], repeat=args.repeat)
            samples[(program, frame)].append(opts.duration)
    medians = {c: statistics.median(v) for c, v in samples.items()}
    base = medians[("baseline", "ipv4")]
    print(f"machine: {machine()}")
    print(f"{args.rounds} interleaved rounds x {args.repeat:,} repeats, median ns/packet (BPF_PROG_TEST_RUN)")
    print(f"{'program':<16}{'frame':<11}{'ns/packet':>10}{'vs base ipv4':>14}{'  rounds (ns)'}")
    for (program, frame), median in medians.items():
        print(f"{program:<16}{frame:<11}{median:>10.1f}{median / base:>13.2f}x  {samples[(program, frame)]}")
    ours_worst = max(m for (p, _), m in medians.items() if p == "ours xdp")
    print(f"ours (XDP) worst frame type / baseline on IPv4: {ours_worst / base:.2f}x (target <= 1.15x)")


if __name__ == "__main__":
    main()
