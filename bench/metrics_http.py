"""The metrics endpoint under load: many concurrent scrapers, and many idle connections.

A real `trunkline count --hook tc --metrics-port 0 --metrics-address 127.0.0.1` runs in a test network
namespace, counting real frames on one end of a veth pair; every client talks to 127.0.0.1 inside that
namespace (nothing else on the machine sees the traffic). Two cardinalities:

* normal: 40 VLANs, UDP, ARP and LLDP (about a hundred series);
* full: every VLAN slot (4,096 IDs and untagged) and 2,000 EtherTypes (about 12,200 series).

Phases, per cardinality:

1. baseline: one client scraping alone (sequential), p50 of ``--baseline`` scrapes;
2. load: ``--clients`` concurrent scrapers for ``--seconds``, each on a keep-alive connection sending
   Prometheus's own ``Accept`` and ``Accept-Encoding: gzip`` headers, each request with a 10 s timeout
   (Prometheus's default scrape timeout); prints answers, timeouts, errors, p50/p99/max and p99 as a
   multiple of the baseline p50; the project's goal is no timeout and p99 < 1 s at full cardinality;
3. idle: ``--idle`` connections opened and left idle, then ``/healthz`` and ``/metrics`` scraped on new
   connections ``--probes`` times each (the target: each answers within 100 ms); prints the server's
   threads and resident memory before and with the idle connections.

The server process's threads and memory come from /proc/PID/status. The bench raises its own
RLIMIT_NOFILE soft limit to the hard limit (the idle phase needs more than 1,024 descriptors) and stops
the server (SIGTERM, then SIGKILL) and removes the namespaces when done or interrupted.

Run as root from the repository: ``.venv/bin/python bench/metrics_http.py [--seconds 20] [--clients 200]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.netns import VethPair  # noqa: E402
from tests.watch_traffic import ETH_P_ARP, Sender, arp_request, ethernet, in_netns, quiet_ipv6  # noqa: E402

PROMETHEUS_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
                     "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")  # what Prometheus 2.42 sends
SCRAPE_TIMEOUT_S = 10.0
SKIPPED_ETHERTYPES = {0x0800, 0x86DD, 0x8100, 0x88A8}  # IP is counted as protocols, the tags are parsed


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0
    errors: int = 0


def request(path: str, gzip: bool = True) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", f"Accept: {PROMETHEUS_ACCEPT}"]
    if gzip:
        lines.append("Accept-Encoding: gzip")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def one_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Read one HTTP/1.1 answer with a Content-Length: (status, body)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    match = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    body = await reader.readexactly(int(match.group(1))) if match else b""
    return status, body


async def scraper(port: int, until: float, load: Load, gzip: bool) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.monotonic() < until:
        start = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", port), SCRAPE_TIMEOUT_S)
            assert reader is not None
            writer.write(request("/metrics", gzip))
            status, _body = await asyncio.wait_for(one_answer(reader), SCRAPE_TIMEOUT_S)
            if status != 200:
                raise OSError(f"status {status}")
            load.latencies.append(time.monotonic() - start)
            continue
        except TimeoutError:
            load.timeouts += 1
        except (OSError, asyncio.IncompleteReadError):
            load.errors += 1
        if writer is not None:
            writer.close()
        reader = writer = None
    if writer is not None:
        writer.close()


async def run_load(port: int, clients: int, seconds: float, gzip: bool) -> Load:
    load = Load()
    until = time.monotonic() + seconds
    await asyncio.gather(*(scraper(port, until, load, gzip) for _ in range(clients)))
    return load


def timed_get(port: int, path: str, gzip: bool = True) -> tuple[float, int, bytes]:
    """One request on a new connection: (seconds, status, body)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=SCRAPE_TIMEOUT_S) as sock:
        sock.sendall(request(path, gzip))
        got = b""
        while b"\r\n\r\n" not in got:
            got += sock.recv(65536)
        head, _, body = got.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        while len(body) < length:
            body += sock.recv(1 << 20)
    return time.monotonic() - start, int(head.split(b" ", 2)[1]), body


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def proc_status(pid: int) -> tuple[int, int]:
    """(threads, resident KiB) of process *pid*."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["Threads"]), int(fields["VmRSS"].split()[0])


@contextmanager
def counting_server(pair: VethPair) -> Iterator[tuple[int, int]]:
    """`trunkline count` with metrics on 127.0.0.1 in ns_b; yields (port, pid)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen(
        ["ip", "netns", "exec", pair.ns_b, sys.executable, "-m", "trunkline", "count", "--hook", "tc",
         "--by", "total", "--interval", "3600", "--metrics-port", "0", "--metrics-address", "127.0.0.1",
         pair.if_b], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stderr is not None
        port = 0
        while not port:
            line = proc.stderr.readline()
            if not line:
                raise SystemExit(f"trunkline count ended: exit code {proc.wait()}")
            if match := re.search(r"serving Prometheus metrics on http://127\.0\.0\.1:(\d+)/", line):
                port = int(match.group(1))
        yield port, proc.pid  # `ip netns exec` execs the command: the pid is trunkline's
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fill(sender: Sender, full: bool) -> None:
    """Frames for the cardinality: 40 VLANs + UDP/ARP/LLDP, or every VLAN slot and 2,000 EtherTypes."""
    pair = sender.pair
    vlans: list[int | None] = [None, *range(4096)] if full else [None, *range(10, 410, 10)]
    for vlan in vlans:
        sender.raw(ethernet(sender.mac_b, sender.mac_a, ETH_P_ARP,
                            arp_request(sender.mac_a, pair.ip_a, pair.ip_b), vlan))
    sender.udp(5)
    sender.raw(ethernet("01:80:c2:00:00:0e", sender.mac_a, 0x88CC, bytes(46)))
    if full:
        types = [t for t in range(0x0600, 0x10000) if t not in SKIPPED_ETHERTYPES][:2000]
        for ethertype in types:
            payload = struct.pack("!H", ethertype) + bytes(44)
            sender.raw(ethernet(sender.mac_b, sender.mac_a, ethertype, payload))


def series(port: int) -> tuple[int, int, int]:
    """(series, body bytes, gzip bytes) of one scrape."""
    _, status, body = timed_get(port, "/metrics")
    assert status == 200
    text = zlib.decompress(body, 31)
    return sum(1 for line in text.splitlines() if line and not line.startswith(b"#")), len(text), len(body)


def bench(pair: VethPair, full: bool, args: argparse.Namespace) -> None:
    name = "full" if full else "normal"
    with counting_server(pair) as (port, pid):
        sender = Sender(pair)
        try:
            fill(sender, full)
        finally:
            sender.close()
        with in_netns(pair.ns_b):
            measure(name, full, port, pid, args)


def measure(name: str, full: bool, port: int, pid: int, args: argparse.Namespace) -> None:
    deadline = time.monotonic() + 10
    while (n := series(port))[0] < (12_000 if full else 90) and time.monotonic() < deadline:
        time.sleep(0.2)
    print(f"[{name}] {n[0]} series, {n[1]} bytes ({n[2]} gzip) per scrape")
    base = [timed_get(port, "/metrics")[0] for _ in range(args.baseline)]
    base_p50 = statistics.median(base)
    print(f"[{name}] baseline, one client alone: p50 {base_p50 * 1000:.1f} ms")
    threads0, rss0 = proc_status(pid)
    load = asyncio.run(run_load(port, args.clients, args.seconds, gzip=True))
    threads1, rss1 = proc_status(pid)
    lat = load.latencies
    print(f"[{name}] {args.clients} clients x {args.seconds:.0f} s: {len(lat)} answers, "
          f"{load.timeouts} timeouts, {load.errors} errors; p50 {quantile(lat, 0.5) * 1000:.0f} ms, "
          f"p99 {quantile(lat, 0.99) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms "
          f"(p99 = {quantile(lat, 0.99) / base_p50:.1f}x the baseline p50); "
          f"server threads {threads0} -> {threads1}, RSS {rss0 // 1024} -> {rss1 // 1024} MiB")
    time.sleep(1.5)  # let the last render age out: the probes below may have to wait for a new one
    idle = []
    try:
        for _ in range(args.idle):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=SCRAPE_TIMEOUT_S))
        deadline = time.monotonic() + 30  # until the server has accepted them all
        while len(os.listdir(f"/proc/{pid}/fd")) < len(idle) and time.monotonic() < deadline:
            time.sleep(0.1)
        threads2, rss2 = proc_status(pid)
        probes = {path: [timed_get(port, path) for _ in range(args.probes)]
                  for path in ("/healthz", "/metrics")}
        print(f"[{name}] {len(idle)} idle connections held: "
              + ", ".join(f"{path} max {max(t for t, _, _ in got) * 1000:.1f} ms "
                          f"(p50 {statistics.median(t for t, _, _ in got) * 1000:.1f} ms, "
                          f"all {'200' if all(s == 200 for _, s, _ in got) else 'NOT 200'})"
                          for path, got in probes.items())
              + f"; server threads {threads2}, RSS {rss2 // 1024} MiB "
              f"(+{(rss2 - rss1) / max(1, len(idle)):.1f} KiB per idle connection)")
    finally:
        for sock in idle:
            sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--probes", type=int, default=10)
    parser.add_argument("--baseline", type=int, default=10)
    parser.add_argument("--only", choices=["normal", "full"])
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.idle + args.clients + 256
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))
    print(f"cores: {os.cpu_count()}, RLIMIT_NOFILE {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}")
    with VethPair() as pair:
        quiet_ipv6(pair)
        for full in (False, True):
            if args.only in (None, "full" if full else "normal"):
                bench(pair, full, args)


if __name__ == "__main__":
    main()
