"""The metrics endpoint under hostile or careless clients: slowloris, oversize headers, idle connections,
abandoned requests, many scrapes at once. Functional assertions only (who got an answer, who was cut,
how many renders were made), never a timing threshold.

A TC counter on ns_b's end of a veth pair counts real frames from ns_a; the server and its clients run
in ns_b inside the test process (loopback there is the test's own). Timeouts are set to whole seconds
(``ServerLimits``) so that a test waits for them with a deadline, not a sleep.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from tests.netns import VethPair
from tests.support.metrics import parse, scrape, value
from tests.watch_traffic import Sender, in_netns, quiet_ipv6
from trunkline.xdp.httpd import ServerLimits
from trunkline.xdp.stats import Snapshot

pytestmark = pytest.mark.privileged

FAST = ServerLimits(read_timeout_s=1, idle_timeout_s=2, cleanup_interval_s=1)
DEADLINE_S = 30


@dataclass
class GatedCounter:
    """The real counter, read behind a gate the test opens: a map read cannot be made slow on purpose,
    so this stands in for a scrape that takes long (a large render on a loaded node)."""

    counter: object
    gate: threading.Event = field(default_factory=threading.Event)
    reads: int = 0
    reading: threading.Event = field(default_factory=threading.Event)

    @property
    def interface(self) -> str:
        return self.counter.interface  # type: ignore[attr-defined,no-any-return]

    def read(self) -> Sequence[Snapshot]:
        self.reads += 1
        self.reading.set()
        assert self.gate.wait(DEADLINE_S)
        return self.counter.read()  # type: ignore[attr-defined,no-any-return]

    def health(self) -> str | None:
        return self.counter.health()  # type: ignore[attr-defined,no-any-return]


@dataclass
class Served:
    pair: VethPair
    sender: Sender
    port: int
    server: object
    gated: GatedCounter


@contextmanager
def serving(pair: VethPair, limits: ServerLimits, gate_open: bool = True) -> Iterator[Served]:
    """ns_b's end counted (TC) and served with *limits*; the body runs in ns_b."""
    from trunkline.xdp.counter import Counter
    from trunkline.xdp.exporter import start_metrics_server

    quiet_ipv6(pair)
    sender = Sender(pair)
    try:
        with in_netns(pair.ns_b), Counter(pair.if_b, hook="tc") as counter:
            gated = GatedCounter(counter)
            if gate_open:
                gated.gate.set()
            with start_metrics_server(0, [gated], address="127.0.0.1", limits=limits) as server:
                try:
                    yield Served(pair, sender, server.port, server, gated)
                finally:
                    gated.gate.set()
    finally:
        sender.close()


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S)
    return sock


def closed_by_server(sock: socket.socket) -> bytes | None:
    """Wait (up to the deadline) for the server to close *sock*: what it sent before closing, or None
    when it was still open at the deadline."""
    sock.settimeout(DEADLINE_S)
    got = b""
    try:
        while chunk := sock.recv(65536):
            got += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        return None
    return got


def vlan40(port: int, interface: str) -> float:
    status, text = scrape(port)
    assert status == 200
    return value(parse(text), "trunkline_vlan_packets_total", interface=interface, direction="rx", vlan="40")


def test_slowloris_connections_are_cut_after_the_read_timeout_and_scrapes_answer_meanwhile(
        veth_pair: VethPair) -> None:
    with serving(veth_pair, FAST) as s:
        s.sender.udp(3, vlan=40)
        slow = [connect(s.port) for _ in range(40)]
        for sock in slow:
            sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        cut: set[int] = set()
        answered_meanwhile = []
        deadline = time.monotonic() + DEADLINE_S
        while len(cut) < len(slow) and time.monotonic() < deadline:
            for i, sock in enumerate(slow):  # one more header byte each round: never idle
                if i not in cut:
                    try:
                        sock.sendall(b"X")
                    except OSError:
                        cut.add(i)
            answered_meanwhile.append((scrape(s.port, "/healthz"), vlan40(s.port, veth_pair.if_b)))
            time.sleep(0.2)
        assert len(cut) == len(slow)
        assert [closed_by_server(sock) for sock in slow] == [b""] * len(slow)  # cut without an answer
        assert answered_meanwhile and set(answered_meanwhile) == {((200, "ok\n"), 3)}
        for sock in slow:
            sock.close()


def test_oversize_headers_get_431_and_the_connection_is_closed(veth_pair: VethPair) -> None:
    with serving(veth_pair, FAST) as s:
        s.sender.udp(2, vlan=40)
        sock = connect(s.port)
        sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 16384 + b"\r\n\r\n")
        answer = closed_by_server(sock)
        sock.close()
        assert answer is not None and answer.split(b" ", 2)[1] == b"431"  # HTTP/1.0: the request was not read
        assert vlan40(s.port, veth_pair.if_b) == 2


def test_idle_connections_do_not_block_scrapes_and_are_closed_after_the_idle_timeout(
        veth_pair: VethPair) -> None:
    with serving(veth_pair, FAST) as s:
        s.sender.udp(4, vlan=40)
        idle = [connect(s.port) for _ in range(300)]
        kept_alive = connect(s.port)  # one that got an answer, then stays idle (keep-alive)
        kept_alive.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert scrape(s.port, "/healthz") == (200, "ok\n")
        assert vlan40(s.port, veth_pair.if_b) == 4
        assert [closed_by_server(sock) for sock in idle] == [b""] * len(idle)
        answer = closed_by_server(kept_alive)
        assert answer is not None and answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n\r\nok\n")
        for sock in [*idle, kept_alive]:
            sock.close()
        assert scrape(s.port, "/healthz") == (200, "ok\n")


def test_at_the_connection_limit_the_longest_idle_connections_make_room(veth_pair: VethPair) -> None:
    small = ServerLimits(max_connections=40, idle_timeout_s=600)
    with serving(veth_pair, small) as s:
        s.sender.udp(3, vlan=40)
        idle = [connect(s.port) for _ in range(60)]
        assert scrape(s.port, "/healthz") == (200, "ok\n")
        assert vlan40(s.port, veth_pair.if_b) == 3
        assert closed_by_server(idle[0]) == b""  # the oldest made room
        newest = idle[-1]  # accepted, and still served
        newest.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = closed_by_server(newest)
        assert answer is not None and answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n\r\nok\n")
        for sock in idle:
            sock.close()


def test_healthz_answers_while_a_scrape_renders_and_abandoned_scrapes_cost_no_render(
        veth_pair: VethPair) -> None:
    with serving(veth_pair, FAST, gate_open=False) as s:
        s.sender.udp(5, vlan=40)
        result: list[float] = []
        first = threading.Thread(target=lambda: result.append(vlan40(s.port, veth_pair.if_b)))
        first.start()
        assert s.gated.reading.wait(DEADLINE_S)  # the first scrape's render is under way, held
        abandoned = [connect(s.port) for _ in range(20)]
        for sock in abandoned:
            sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.close()
        # The other workers took abandoned scrapes and would wait for the held render with them: the
        # probe gets through only because they noticed their clients had left and let go.
        assert scrape(s.port, "/healthz") == (200, "ok\n")
        s.gated.gate.set()
        first.join(DEADLINE_S)
        assert result == [5]
        assert s.gated.reads == 1
        assert s.server.shared.renders == 1  # type: ignore[attr-defined]


def test_concurrent_scrapes_share_one_render(veth_pair: VethPair) -> None:
    shared_long = ServerLimits(max_age_s=60)
    with serving(veth_pair, shared_long, gate_open=False) as s:
        s.sender.udp(6, vlan=40)
        bodies: list[tuple[int, str]] = []
        clients = [threading.Thread(target=lambda: bodies.append(scrape(s.port))) for _ in range(12)]
        for client in clients:
            client.start()
        assert s.gated.reading.wait(DEADLINE_S)
        s.gated.gate.set()
        for client in clients:
            client.join(DEADLINE_S)
        assert len(bodies) == 12 and len(set(bodies)) == 1
        assert bodies[0][0] == 200
        assert value(parse(bodies[0][1]), "trunkline_vlan_packets_total", interface=veth_pair.if_b,
                     direction="rx", vlan="40") == 6
        assert s.gated.reads == 1


def test_head_sends_headers_only_and_the_kept_alive_connection_serves_the_next_request(
        veth_pair: VethPair) -> None:
    import http.client

    with serving(veth_pair, FAST) as s:
        s.sender.udp(2, vlan=40)
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=DEADLINE_S)
        try:
            for path in ("/metrics", "/healthz"):
                conn.request("GET", path)
                get = conn.getresponse()
                body = get.read()
                conn.request("HEAD", path)
                head = conn.getresponse()
                assert (head.status, head.read()) == (200, b"")
                assert head.getheader("Content-Length") == str(len(body))  # the GET's, from the same render
                conn.request("GET", path)  # the same connection: a HEAD body would be read as this answer
                after = conn.getresponse()
                text = after.read().decode()
                assert after.status == 200
                if path == "/healthz":
                    assert text == "ok\n"
                else:
                    assert value(parse(text), "trunkline_vlan_packets_total", interface=veth_pair.if_b,
                                 direction="rx", vlan="40") == 2
        finally:
            conn.close()
