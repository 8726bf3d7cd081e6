"""The metrics HTTP server: waitress serving one Prometheus registry and a health check.

Why waitress (https://docs.pylonsproject.org/projects/waitress/): a maintained pure-Python WSGI server
whose one I/O thread reads every request before a worker sees it, so a slow or idle client holds a
socket and a few KiB, never a worker thread. Its loop uses ``select()`` by default, which cannot watch
descriptors numbered 1,024 or higher; :func:`serve` runs it with ``poll()`` (``asyncore_use_poll``)
instead. What this module adds around it:

* one render shared by concurrent scrapes (:class:`SharedRender`): a scrape gets a render started at
  most ``max_age_s`` before it arrived, or waits for the one being made when it arrived; a gzip body is
  made once per render too;
* a read timeout (waitress has only an inactivity timeout, which a client sending one byte now and then
  never meets): a request whose headers are not complete ``read_timeout_s`` after its first byte has its
  connection closed;
* a request whose client has gone costs nothing once waitress sees the close (it reads ahead one
  request, ``channel_request_lookahead``, so it notices while the request waits for a worker), and a
  scrape waiting for a render gives up when its client has gone;
* the process's soft ``RLIMIT_NOFILE`` raised to its hard limit, as the Go runtime does for node_exporter
  (Go 1.19 and later), and the connection limit kept below it; at the limit the connections idle the
  longest are closed (waitress would stop accepting, so a full house of idle clients would lock out
  probes until the idle timeout).

Bodies are handed to waitress as ``wsgi.file_wrapper`` over the shared bytes, so a slow reader holds a
reference to one render, not a copy of it.
"""

from __future__ import annotations

import heapq
import io
import logging
import resource
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, gzip_accepted
from prometheus_client.registry import Collector
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer

from trunkline.xdp.textformat import TextFormat

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"

Health = Callable[[], tuple[bool, str]]
"""``() -> (ok, reason)``: what ``/healthz`` answers (200 when ok, 503 otherwise, the reason as body)."""


@dataclass(frozen=True)
class ServerLimits:
    """How much a client may hold of the metrics server (the defaults are the shipped ones).

    Attributes:
        threads: worker threads running requests (renders are shared, so few are needed).
        backlog: ``listen()`` backlog (the kernel caps it at ``net.core.somaxconn``).
        max_connections: open connections at most (also capped at the process's open-file limit less
            :data:`FD_RESERVE`); at the limit, the connections idle the longest are closed to make room.
        read_timeout_s: a request's headers must be complete this long after its first byte (seconds,
            whole; checked every ``cleanup_interval_s``).
        idle_timeout_s: a connection with nothing to read or send is closed after this long (seconds,
            whole; also a connection that never sends a byte).
        cleanup_interval_s: how often the two timeouts are checked (seconds, whole).
        max_header_bytes: larger request headers get ``431`` and the connection is closed.
        max_age_s: a scrape is answered from a render started at most this long before it arrived.
    """

    threads: int = 4
    backlog: int = 1024
    max_connections: int = 10_000
    read_timeout_s: int = 10
    idle_timeout_s: int = 60
    cleanup_interval_s: int = 1
    max_header_bytes: int = 8192
    max_age_s: float = 1.0


ACCEPT_BATCH = 64
"""Connections accepted per turn of the I/O loop at most."""

FD_RESERVE = 64
"""Descriptors kept free of connections: the counters' maps and links, logs, the listening socket."""


def raise_nofile_limit() -> int:
    """Raise the soft ``RLIMIT_NOFILE`` to the hard limit (as the Go runtime does at start); returns the
    soft limit now in force (unchanged when raising it is refused)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


@dataclass(frozen=True)
class Rendered:
    """One render: ``body`` (bytes as served); ``started``: ``time.monotonic()`` when its data was read."""

    started: float
    body: bytes


@dataclass
class SharedRender:
    """Renders of *registry* in the Prometheus text format shared by concurrent requests, plain and gzip.

    :meth:`get` returns a render started at most ``max_age_s`` before the call, or else the one another
    caller is making when the call arrives (waiting for it), or else a new one. ``renders`` counts the
    renders made, ``render_s`` the seconds they took, ``abandoned`` the callers that stopped waiting
    because their client had gone (for tests and benchmarks).
    """

    registry: Collector
    max_age_s: float = 1.0
    poll_s: float = 0.1
    renders: int = 0
    render_s: float = 0.0
    abandoned: int = 0
    _text: TextFormat = field(default_factory=TextFormat)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _done: dict[bool, Rendered] = field(default_factory=dict)
    _made: dict[bool, int] = field(default_factory=dict)
    _running: set[bool] = field(default_factory=set)

    def get(self, gzip: bool, abandoned: Callable[[], bool] = lambda: False) -> Rendered | None:
        """The text-format render (gzip-compressed when *gzip*), or ``None`` when *abandoned* turned true
        before it was ready."""
        if abandoned():
            self.abandoned += 1
            return None

        def render() -> Rendered:
            started = time.monotonic()
            body = self._text.render(self.registry)
            self.render_s += time.monotonic() - started
            return Rendered(started, body)

        def compressed() -> Rendered | None:
            plain = self._get(False, arrival, render, abandoned)
            if plain is None:
                return None
            compress = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: the gzip container
            return Rendered(plain.started, compress.compress(plain.body) + compress.flush())

        arrival = time.monotonic()
        return self._get(gzip, arrival, compressed if gzip else render, abandoned)

    def _get(self, key: bool, arrival: float, make: Callable[[], Rendered | None],
             abandoned: Callable[[], bool]) -> Rendered | None:
        oldest = arrival - self.max_age_s
        joined: int | None = None  # renders made of *key* when this caller found one under way
        with self._cond:
            while True:
                done = self._done.get(key)
                made = self._made.get(key, 0)
                if done is not None and (done.started >= oldest or (joined is not None and made > joined)):
                    return done
                if key not in self._running:
                    self._running.add(key)
                    break
                if joined is None:
                    joined = made
                self._cond.wait(self.poll_s)
                if abandoned():
                    self.abandoned += 1
                    return None
        rendered: Rendered | None = None
        try:
            rendered = make()
        finally:
            with self._cond:
                self._running.discard(key)
                if rendered is not None:
                    self._done[key] = rendered
                    self._made[key] = self._made.get(key, 0) + 1
                    self.renders += not key
                self._cond.notify_all()
        return rendered


def metrics_app(shared: SharedRender, health: Health) -> Callable[..., Iterable[bytes]]:
    """The WSGI app: ``GET /healthz`` -> *health*; any other path -> the metrics in the Prometheus text
    format 0.0.4 (gzip when accepted), whatever the ``Accept`` header: like node_exporter, whose Go
    handler offers OpenMetrics only when enabled (``promhttp.HandlerOpts.EnableOpenMetrics``, off by
    default); prometheus-client's OpenMetrics encoder took twice the text encoder's time here (0.5 s
    against 0.22 s for 12,200 series), and every Prometheus accepts the text format."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # HEAD: the GET's headers (its Content-Length included), no body (RFC 9110 section 9.3.2); waitress
        # sends whatever the app returns, so a body here would be read as the next answer on the connection.
        head = environ.get("REQUEST_METHOD") == "HEAD"
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Length", "0")])
            return []
        if environ.get("PATH_INFO") == HEALTH_PATH:
            ok, reason = health()
            body = reason.encode() + b"\n"
            headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
            start_response("200 OK" if ok else "503 Service Unavailable", headers)
            return [] if head else [body]
        gzip = gzip_accepted(environ.get("HTTP_ACCEPT_ENCODING", ""))
        rendered = shared.get(gzip, environ.get("waitress.client_disconnected", lambda: False))
        if rendered is None:  # the client has left: nobody reads an answer
            start_response("503 Service Unavailable", [("Content-Length", "0")])
            return []
        headers = [("Content-Type", CONTENT_TYPE_PLAIN_0_0_4), ("Content-Length", str(len(rendered.body)))]
        if gzip:
            headers.append(("Content-Encoding", "gzip"))
        start_response("200 OK", headers)
        if head:
            return []
        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is None:
            return [rendered.body]
        return wrapper(io.BytesIO(rendered.body))  # no copy of the body

    return app


class _Channel(HTTPChannel):
    """waitress's connection, noting when the request being read began (for the read timeout)."""

    reading_since: float | None = None

    def received(self, data: bytes) -> bool:
        before = self.request
        result: bool = super().received(data)
        if self.request is None:
            self.reading_since = None
        elif self.request is not before:
            self.reading_since = time.time()
        return result


class _Server(TcpWSGIServer):
    """waitress's TCP server with the read timeout added to its periodic maintenance, accepting up to
    :data:`ACCEPT_BATCH` connections per loop turn (waitress accepts one, so a burst of connections
    drains from the backlog one poll of every open connection at a time)."""

    channel_class = _Channel
    read_timeout_s = 10.0

    def readable(self) -> bool:
        if self.accepting and len(self._map) >= self.adj.connection_limit:
            self._evict_idle(len(self._map) - self.adj.connection_limit + ACCEPT_BATCH)
        return bool(super().readable())

    def _evict_idle(self, count: int) -> None:
        """Close the *count* connections idle the longest (nothing running, nothing to send), so that a
        full house of idle or slow clients cannot keep a probe or a scrape from being accepted."""
        idle = [c for c in self.active_channels.values()
                if not c.requests and not c.total_outbufs_len and not c.will_close]
        for channel in heapq.nsmallest(count, idle, key=lambda c: c.last_activity):
            channel.will_close = True

    def handle_accept(self) -> None:
        for _ in range(ACCEPT_BATCH):
            before = len(self._map)
            super().handle_accept()
            if len(self._map) == before or len(self._map) >= self.adj.connection_limit:
                break

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = now - self.read_timeout_s
        for channel in list(self.active_channels.values()):
            since = getattr(channel, "reading_since", None)
            if since is not None and since < cutoff and not channel.requests:
                channel.will_close = True


class MetricsServer:
    """A running metrics server; :meth:`close` stops it (also a context manager).

    Attributes:
        address: the bound address; port: the bound TCP port (the real one when 0 was asked for).
        shared: the :class:`SharedRender` behind ``/metrics``.
        connection_limit: open connections at most (after the open-file limit).
    """

    def __init__(self, server: _Server, shared: SharedRender, connection_limit: int) -> None:
        self._server = server
        self._stopping = False
        self.shared = shared
        self.connection_limit = connection_limit
        self.address: str = str(server.effective_host)
        self.port: int = int(server.effective_port)
        self._thread = threading.Thread(target=self._loop, name=f"trunkline-metrics-{self.port}", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stopping:
            wasyncore.loop(timeout=1.0, map=self._server._map, use_poll=True, count=1)

    def close(self) -> None:
        """Stop serving: close the listening socket and every connection, stop the workers (idempotent)."""
        if self._stopping:
            return
        self._stopping = True
        self._server.trigger.pull_trigger()
        self._thread.join()
        self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        wasyncore.close_all(self._server._map)

    def __enter__(self) -> MetricsServer:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def serve(registry: Collector, health: Health, address: str, port: int,
          limits: ServerLimits | None = None) -> MetricsServer:
    """Serve *registry* on ``http://address:port/metrics`` and *health* on ``/healthz``, in background
    threads (one I/O thread, ``limits.threads`` workers).

    Args:
        address: an IPv4 or IPv6 address to bind (``"::"`` is dual-stack where the system allows).
        port: TCP port; 0 picks a free one (see :attr:`MetricsServer.port`).

    Raises:
        OSError: the address cannot be bound (in use, not local, a port below 1024 without privileges).
    """
    limits = limits or ServerLimits()
    nofile = raise_nofile_limit()
    connection_limit = max(16, min(limits.max_connections, nofile - FD_RESERVE))
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        adj = Adjustments(
            threads=limits.threads, backlog=limits.backlog, connection_limit=connection_limit,
            channel_timeout=limits.idle_timeout_s, cleanup_interval=limits.cleanup_interval_s,
            max_request_header_size=limits.max_header_bytes, max_request_body_size=0,
            channel_request_lookahead=1, asyncore_use_poll=True, ident="trunkline",
            clear_untrusted_proxy_headers=False, log_socket_errors=False, expose_tracebacks=False,
        )
        shared = SharedRender(registry, max_age_s=limits.max_age_s)
        server = _Server(metrics_app(shared, health), _sock=sock, adj=adj,
                         sockinfo=(family, socket.SOCK_STREAM, None, (address, port)))
    except BaseException:
        sock.close()
        raise
    server.read_timeout_s = limits.read_timeout_s
    # A queue of scrapes waiting for a worker is what sharing renders expects, not a problem to log.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    return MetricsServer(server, shared, connection_limit)
