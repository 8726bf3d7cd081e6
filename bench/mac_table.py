"""The MAC table's memory and how long reading it takes (``Counter.read_macs()``), at the default size.

Loads the counter with MAC learning (default table: 32,768 pairs), fills it through the kernel's own
path (one BPF_PROG_TEST_RUN of the TC entry per frame, each frame from another source MAC, spread over
VLANs 1-4094), then times ``read_macs()`` (the batch reads of the map and of every CPU's cache slots,
plus building the Python objects): 16,384 pairs (what the table must hold) and a full table (more
pairs sent than it holds, so the kernel evicts and the view reports itself partial).

Memory: the kernel's own figure for each map (``memlock`` in /proc/self/fdinfo, the map's memory
usage on kernels >= 6.4), for the possible CPUs of this machine, and computed for 128 possible CPUs:
the LRU hash preallocates its entries once (32 bytes of value + 16 of key + 48 of element header each,
plus a 16-byte bucket per entry rounded to a power of two) and only its locks and LRU free lists are
per CPU; the cache is a per-CPU array (128 slots x 40 bytes per possible CPU).

Run as root: ``.venv/bin/python bench/mac_table.py [--reads 15]``.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import statistics
import struct
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]

from trunkline.xdp import libbpf  # noqa: E402
from trunkline.xdp.counter import CounterObject  # noqa: E402
from trunkline.xdp.mactable import TL_MAC_CACHE_SLOTS, tl_mac_slot  # noqa: E402

CPUS = 128
PER_CPU_HASH_BYTES = 8 * 4 + 40
"""Per possible CPU in an LRU hash: 8 lock counters (HASHTAB_MAP_LOCK_COUNT ints) and one
``struct bpf_lru_locallist`` (two list heads, next_steal, a spinlock): kernel/bpf/hashtab.c,
bpf_lru_list.h."""


def frame(i: int) -> bytes:
    """A 64-byte IPv4 UDP frame from source MAC 00:50:56:xx:xx:xx number *i*, on VLAN 1 + i % 4094."""
    src = bytes.fromhex("005056") + i.to_bytes(3, "big")
    udp = struct.pack("!HHHH", 40000, 9, 8 + 18, 0) + b"x" * 18
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, bytes([192, 0, 2, 1]),
                     bytes([192, 0, 2, 2])) + udp
    return bytes.fromhex("020000000002") + src + struct.pack("!HH", 0x8100, 1 + i % 4094) + b"\x08\x00" + ip


def memlock(fd: int) -> int:
    """The kernel's memory figure of the map behind *fd* (bytes)."""
    for line in Path(f"/proc/self/fdinfo/{fd}").read_text().splitlines():
        if line.startswith("memlock:"):
            return int(line.split()[1])
    raise RuntimeError("no memlock line in fdinfo")


def fill(obj: CounterObject, first: int, count: int) -> None:
    fd = obj.prog_fd("tl_count_tc_rx")
    for i in range(first, first + count):
        libbpf.bpf_prog_test_run_opts(fd, frame(i))


def time_reads(obj: CounterObject, reads: int) -> tuple[float, float, int, int, bool]:
    """(median wall seconds per read_macs(), median CPU seconds of this thread, live, inserts, partial).

    The CPU time (the syscalls' kernel time included) is what a read costs; the wall time adds the
    waits for a CPU on a machine shared with other work."""
    wall, cpu = [], []
    for _ in range(reads):
        start, start_cpu = time.perf_counter(), time.thread_time()
        table = obj.read_macs()
        wall.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), table.live, table.inserts, table.partial


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=15)
    args = parser.parse_args()
    plain, obj = CounterObject(), CounterObject(learn_macs=True)
    ncpu = obj.ncpu
    macs, cache = memlock(obj.maps["tl_macs"]), memlock(obj.maps["tl_mac_cache"])
    without = memlock(plain.maps["tl_macs"]) + memlock(plain.maps["tl_mac_cache"])
    print(f"machine: {os.cpu_count()} CPUs online, {ncpu} possible, kernel {os.uname().release}")
    print(f"MAC table of {obj.mac_capacity:,} pairs, memory as the kernel reports it here "
          f"({ncpu} possible CPUs):")
    print(f"  tl_macs (LRU hash):          {macs:>12,} bytes")
    print(f"  tl_mac_cache (per-CPU array): {cache:>11,} bytes")
    print(f"  without learning, both maps:  {without:>11,} bytes")
    at_128 = macs + (CPUS - ncpu) * PER_CPU_HASH_BYTES + cache // ncpu * CPUS
    print(f"computed for {CPUS} possible CPUs: tl_macs {macs + (CPUS - ncpu) * PER_CPU_HASH_BYTES:,} + "
          f"tl_mac_cache {cache // ncpu * CPUS:,} = {at_128:,} bytes ({at_128 / 2**20:.1f} MiB) per counter "
          f"({TL_MAC_CACHE_SLOTS} cache slots of {ctypes.sizeof(tl_mac_slot)} bytes per CPU)")
    half = 16_384
    start = time.perf_counter()
    fill(obj, 0, half)
    print(f"filled {half:,} pairs through the TC entry in {time.perf_counter() - start:.2f} s")
    med, cpu, live, inserts, partial = time_reads(obj, args.reads)
    print(f"read_macs() with {live:,} pairs: median {med * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU of "
          f"{args.reads} reads (inserts {inserts:,}, partial {partial}) (target < 1 s)")
    fill(obj, half, obj.mac_capacity)
    med, cpu, live, inserts, partial = time_reads(obj, args.reads)
    print(f"read_macs() of a full table, {live:,} pairs after {inserts:,} inserts: "
          f"median {med * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU (partial {partial}) (target < 1 s)")
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
