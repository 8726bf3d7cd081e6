"""A UDP flood across a veth pair with the counter attached: exactness, in-place cost and rate.

The flood comes from the kernel itself: an XDP program that returns XDP_TX, run with
BPF_PROG_TEST_RUN in live-frames mode (``BPF_F_TEST_XDP_LIVE_FRAMES``) on the sending veth, so each
repetition transmits one 64-byte UDP frame to the peer (GRO is on at the receiver, which gives veth
the NAPI context such frames need; plain UDP frames are not merged). For each way of attaching
(XDP generic, XDP native, TC) and in alternating runs: trunkline's counter, the same counter with MAC
learning (``ours+macs``), an empty program attached the same way, and nothing attached. Each run sends
``--count`` frames and reports:

* whether the counter's UDP count equals the frames sent minus the drops both interfaces report;
* the counter's cost per packet in place, from the kernel's own program statistics
  (``kernel.bpf_stats_enabled``: run_time_ns / run_cnt; restored afterwards);
* the receiver's packet rate (packets the receiving veth counted / seconds of the flood), as medians
  per variant, and ours as a share of the empty program's rate (the project's goal: >= 95%);
* with MAC learning: whether the learned pair (the sender's MAC, untagged) counted exactly the UDP
  frames counted, and the in-place cost and rate against the counter without learning.

Run as root from the repository: ``.venv/bin/python bench/bpf_veth_flood.py [--count 1000000] [--runs 5]``.
Rates on a shared machine vary by +-10% run to run.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.netns import VethPair, sh  # noqa: E402

from trunkline.xdp import libbpf  # noqa: E402
from trunkline.xdp.counter import Counter  # noqa: E402

GENERATOR = """#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int flood_tx(struct xdp_md *ctx) { return XDP_TX; }
char LICENSE[] SEC("license") = "GPL";
"""
EMPTY = """#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int empty_xdp(struct xdp_md *ctx) { return XDP_PASS; }
SEC("tc") int empty_tc(struct __sk_buff *skb) { return -1; }
char LICENSE[] SEC("license") = "GPL";
"""
HOOKS = {"xdp generic": ("xdp", "generic"), "xdp native": ("xdp", "native"), "tc": ("tc", "generic")}


_c = ctypes


class ProgInfo(ctypes.Structure):
    """The head of ``struct bpf_prog_info`` (include/uapi/linux/bpf.h) up to run_cnt."""

    _fields_ = [("type", _c.c_uint32), ("id", _c.c_uint32), ("tag", _c.c_uint8 * 8),
                ("jited_prog_len", _c.c_uint32), ("xlated_prog_len", _c.c_uint32),
                ("jited_prog_insns", _c.c_uint64), ("xlated_prog_insns", _c.c_uint64),
                ("load_time", _c.c_uint64), ("created_by_uid", _c.c_uint32), ("nr_map_ids", _c.c_uint32),
                ("map_ids", _c.c_uint64), ("name", _c.c_char * 16), ("ifindex", _c.c_uint32),
                ("gpl_compatible", _c.c_uint32), ("netns_dev", _c.c_uint64), ("netns_ino", _c.c_uint64),
                ("nr_jited_ksyms", _c.c_uint32), ("nr_jited_func_lens", _c.c_uint32),
                ("jited_ksyms", _c.c_uint64), ("jited_func_lens", _c.c_uint64), ("btf_id", _c.c_uint32),
                ("func_info_rec_size", _c.c_uint32), ("func_info", _c.c_uint64),
                ("nr_func_info", _c.c_uint32),
                ("nr_line_info", _c.c_uint32), ("line_info", _c.c_uint64), ("jited_line_info", _c.c_uint64),
                ("nr_jited_line_info", _c.c_uint32), ("line_info_rec_size", _c.c_uint32),
                ("jited_line_info_rec_size", _c.c_uint32), ("nr_prog_tags", _c.c_uint32),
                ("prog_tags", _c.c_uint64), ("run_time_ns", _c.c_uint64), ("run_cnt", _c.c_uint64)]


def prog_stats(fd: int) -> tuple[int, int]:
    info = ProgInfo()
    libbpf.bpf_obj_get_info_by_fd(fd, info)
    return info.run_time_ns, info.run_cnt


def link_stats(pair: VethPair) -> tuple[int, int]:
    """(packets received by if_b, drops reported by if_a's tx and if_b's rx)."""
    a = json.loads(sh("ip", "-n", pair.ns_a, "-j", "-s", "link", "show", pair.if_a).stdout)[0]["stats64"]
    b = json.loads(sh("ip", "-n", pair.ns_b, "-j", "-s", "link", "show", pair.if_b).stdout)[0]["stats64"]
    return b["rx"]["packets"], a["tx"]["dropped"] + b["rx"]["dropped"]


def udp_frame(pair: VethPair) -> bytes:
    """A 64-byte Ethernet frame carrying a UDP datagram from ip_a to ip_b (port 9)."""
    mac_a, mac_b = VethPair.mac(pair.ns_a, pair.if_a), VethPair.mac(pair.ns_b, pair.if_b)
    udp = struct.pack("!HHHH", 40000, 9, 8 + 22, 0) + b"f" * 22
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, socket.inet_aton(pair.ip_a),
                     socket.inet_aton(pair.ip_b))
    checksum = sum(struct.unpack("!10H", ip))
    checksum = ~((checksum & 0xFFFF) + (checksum >> 16)) & 0xFFFF
    ip = ip[:10] + struct.pack("!H", checksum) + ip[12:]
    return bytes.fromhex(mac_b.replace(":", "") + mac_a.replace(":", "")) + b"\x08\x00" + ip + udp


SENDER = {"how": "in-kernel generator (XDP_TX, live frames)"}
"""How floods are sent; switches to an AF_PACKET socket where the kernel refuses live frames (EPERM)."""
_SOL_PACKET, _PACKET_QDISC_BYPASS = 263, 20  # include/linux/socket.h, include/uapi/linux/if_packet.h


def flood(pair: VethPair, generator_fd: int, frame: bytes, count: int) -> float:
    """Transmit *count* copies of *frame* out of pair.if_a from the kernel; returns the seconds taken.

    Some kernels refuse BPF_PROG_TEST_RUN live frames (EPERM, seen on this machine's 6.18 build after
    the figures in docs/benchmarks.md were taken); the frames then come from an AF_PACKET socket with
    PACKET_QDISC_BYPASS, slower but the same frames through the same receiver.
    """
    from pyroute2 import netns

    netns.pushns(pair.ns_a)
    try:
        ifindex = socket.if_nametoindex(pair.if_a)
        # struct xdp_md {data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex}
        ctx = struct.pack("=6I", 0, len(frame), 0, ifindex, 0, 0)
        start = time.perf_counter()
        if SENDER["how"].startswith("in-kernel"):
            try:
                libbpf.bpf_prog_test_run_opts(generator_fd, frame, repeat=count, ctx=ctx,
                                              flags=libbpf.BPF_F_TEST_XDP_LIVE_FRAMES, batch_size=64)
                return time.perf_counter() - start
            except libbpf.LibbpfError as exc:
                if exc.errno != errno.EPERM:
                    raise
                SENDER["how"] = "AF_PACKET socket (the kernel refused live frames: EPERM)"
        with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
            s.setsockopt(_SOL_PACKET, _PACKET_QDISC_BYPASS, 1)
            s.bind((pair.if_a, 0))
            start = time.perf_counter()
            for _ in range(count):
                s.send(frame)
            elapsed = time.perf_counter() - start
    finally:
        netns.popns()
    return elapsed


@contextmanager
def sink(pair: VethPair) -> Iterator[None]:
    """A UDP socket bound on the receiver, so the flood draws no ICMP errors."""
    from pyroute2 import netns

    netns.pushns(pair.ns_b)
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((pair.ip_b, 9))
    finally:
        netns.popns()
    try:
        yield
    finally:
        s.close()


@contextmanager
def attached_empty(pair: VethPair, obj_path: Path, hook: str, mode: str) -> Iterator[None]:
    """The empty program of the same kind attached to pair.if_b the way the counter attaches."""
    obj = libbpf.bpf_object__open_file(str(obj_path))
    libbpf.bpf_object__load(obj)
    links: list[int] = []
    from pyroute2 import netns

    netns.pushns(pair.ns_b)
    try:
        ifindex = socket.if_nametoindex(pair.if_b)
        if hook == "xdp":
            fd = libbpf.bpf_program__fd(libbpf.bpf_object__find_program_by_name(obj, "empty_xdp"))
            flags = libbpf.XDP_FLAGS_SKB_MODE if mode == "generic" else libbpf.XDP_FLAGS_DRV_MODE
            links.append(libbpf.bpf_link_create(fd, ifindex, libbpf.BPF_XDP, flags))
        else:
            fd = libbpf.bpf_program__fd(libbpf.bpf_object__find_program_by_name(obj, "empty_tc"))
            for attach_type in (libbpf.BPF_TCX_INGRESS, libbpf.BPF_TCX_EGRESS):
                links.append(libbpf.bpf_link_create(fd, ifindex, attach_type))
    finally:
        netns.popns()
    try:
        yield
    finally:
        for link in links:
            os.close(link)
        libbpf.bpf_object__close(obj)


def build(source: str, out_dir: Path, name: str) -> Path:
    """Compile BPF C *source* with clang into *out_dir*; returns the object's path."""
    src, obj = out_dir / f"{name}.bpf.c", out_dir / f"{name}.bpf.o"
    src.write_text(source)
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", f"-I/usr/include/{os.uname().machine}-linux-gnu",
                    "-c", str(src), "-o", str(obj)], check=True)
    return obj


def run_once(pair: VethPair, count: int, variant: str, hook: str, mode: str, empty: Path,
             generator: tuple[int, bytes]) -> dict[str, float]:
    """One flood with *variant* (ours / ours+macs / empty / none) attached; the run's figures."""
    from pyroute2 import netns

    out: dict[str, float] = {}
    rx0, drops0 = link_stats(pair)
    if variant in ("ours", "ours+macs"):
        learn = variant == "ours+macs"
        netns.pushns(pair.ns_b)
        try:
            counter = Counter(pair.if_b, hook=hook, mode=mode, learn_macs=learn).open()  # type: ignore[arg-type]
        finally:
            netns.popns()
        program = {"tc": "tl_count_tc_rx", "generic": "tl_count_xdp"}.get(hook if hook == "tc" else mode,
                                                                          "tl_count_xdp_frags")
        fd = counter._obj.prog_fd(program)  # type: ignore[union-attr]
        try:
            before = counter.read()[0].protocols.get(("ipv4", 17))
            t0, c0 = prog_stats(fd)
            seconds = flood(pair, *generator, count)
            time.sleep(0.2)
            t1, c1 = prog_stats(fd)
            after = counter.read()[0].protocols.get(("ipv4", 17))
            if learn:  # every frame if_b receives comes from if_a's MAC, untagged
                snapshot, table = counter.read()[0], counter.read_macs()
                sender = VethPair.mac(pair.ns_a, pair.if_a)
                learned = sum(e.packets for e in table.of("rx") if (e.vlan, e.mac) == (None, sender))
        finally:
            counter.close()
        counted = (after.packets if after else 0) - (before.packets if before else 0)
        out["ns_per_packet"] = (t1 - t0) / max(c1 - c0, 1)
        if learn:  # a fresh counter: the pair holds every frame it counted
            out["pair_exact"] = float(learned == snapshot.total.packets and len(table.of("rx")) == 1)
    elif variant == "empty":
        with attached_empty(pair, empty, hook, mode):
            seconds = flood(pair, *generator, count)
            time.sleep(0.2)
        counted = -1
    else:
        seconds = flood(pair, *generator, count)
        time.sleep(0.2)
        counted = -1
    rx1, drops1 = link_stats(pair)
    out["rate"] = (rx1 - rx0) / seconds
    out["drops"] = drops1 - drops0
    if counted >= 0:
        out["exact"] = float(counted == count - (drops1 - drops0))
        out["counted"] = counted
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    stats_path = Path("/proc/sys/kernel/bpf_stats_enabled")
    previous = stats_path.read_text().strip()
    with tempfile.TemporaryDirectory() as tmp, VethPair() as pair, sink(pair):
        sh("ip", "netns", "exec", pair.ns_b, "ethtool", "-K", pair.if_b, "gro", "on")
        empty, gen = build(EMPTY, Path(tmp), "empty"), build(GENERATOR, Path(tmp), "generator")
        gen_obj = libbpf.bpf_object__open_file(str(gen))
        libbpf.bpf_object__load(gen_obj)
        generator = (libbpf.bpf_program__fd(libbpf.bpf_object__find_program_by_name(gen_obj, "flood_tx")),
                     udp_frame(pair))
        stats_path.write_text("1")
        try:
            results: dict[tuple[str, str], list[dict[str, float]]] = {}
            for name, (hook, mode) in HOOKS.items():
                for _ in range(args.runs):
                    for variant in ("ours", "ours+macs", "empty", "none"):
                        results.setdefault((name, variant), []).append(
                            run_once(pair, args.count, variant, hook, mode, empty, generator))
        finally:
            stats_path.write_text(previous)
    report(results, args.count, args.runs)


def report(results: dict[tuple[str, str], list[dict[str, float]]], count: int, runs: int) -> None:
    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    print(f"machine: {cpu}, {os.cpu_count()} CPUs, kernel {os.uname().release}")
    print(f"{count:,} UDP frames (64 bytes) per run from an {SENDER['how']}, {runs} alternating runs per "
          "variant, medians")
    print(f"{'hook':<12}{'exact':>7}{'ns/pkt':>8}{'ours pkt/s':>12}{'empty pkt/s':>13}{'none pkt/s':>12}"
          f"{'ours/empty':>12}{'ours/none':>11}")
    for name in HOOKS:
        ours, empty, none = (results[(name, v)] for v in ("ours", "empty", "none"))
        exact = all(r["exact"] == 1.0 for r in ours)
        print(f"{name:<12}{'yes' if exact else 'NO':>7}{med(ours, 'ns_per_packet'):>8.1f}"
              f"{med(ours, 'rate'):>12,.0f}{med(empty, 'rate'):>13,.0f}{med(none, 'rate'):>12,.0f}"
              f"{med(ours, 'rate') / med(empty, 'rate'):>11.1%}"
              f"{med(ours, 'rate') / med(none, 'rate'):>11.1%}")
        if not exact:
            print(f"  counted vs sent-drops: {[(r['counted'], count - r['drops']) for r in ours]}")
    print("MAC learning (ours+macs) against the same counter without learning (ours):")
    print(f"{'hook':<12}{'exact':>7}{'pair':>6}{'ns/pkt':>8}{'vs ours':>9}{'pkt/s':>12}{'vs ours':>9}")
    for name in HOOKS:
        ours, macs = results[(name, "ours")], results[(name, "ours+macs")]
        exact = all(r["exact"] == 1.0 for r in macs)
        pair = all(r["pair_exact"] == 1.0 for r in macs)
        print(f"{name:<12}{'yes' if exact else 'NO':>7}{'yes' if pair else 'NO':>6}"
              f"{med(macs, 'ns_per_packet'):>8.1f}"
              f"{med(macs, 'ns_per_packet') / med(ours, 'ns_per_packet'):>8.2f}x"
              f"{med(macs, 'rate'):>12,.0f}{med(macs, 'rate') / med(ours, 'rate'):>8.1%}")


if __name__ == "__main__":
    main()
