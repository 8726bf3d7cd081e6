"""A real Prometheus server (Debian's ``prometheus`` 2.42) for tests, inside a test network namespace.

:class:`PrometheusServer` writes a configuration, starts ``prometheus --config.file ... --web.listen-address
127.0.0.1:PORT --storage.tsdb.path TMP`` with ``ip netns exec``, waits until ``/-/ready`` answers, and stops
it (SIGTERM, then SIGKILL) on exit, even when the body failed. Its storage lives in a temporary directory.

:class:`KubeStateMetricsStandIn` is a stand-in for kube-state-metrics (which needs a Kubernetes API server,
not available here): a tiny HTTP server that serves only ``kube_node_labels`` in the shape kube-state-metrics
writes it (``node`` label, one ``label_<sanitised node label>`` label per allowlisted node label, value 1).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from tests.netns import stop_process
from tests.watch_traffic import in_netns

PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")


def free_port(netns: str) -> int:
    """A TCP port free on 127.0.0.1 in *netns* (a fresh namespace has all of them free; asked anyway)."""
    with in_netns(netns), socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrometheusServer:
    """A Prometheus in network namespace *netns* on 127.0.0.1, scraping *scrape_configs* every second.

    Args:
        netns: the ``ip netns`` name to run in.
        scrape_configs: Prometheus ``scrape_configs`` entries (interval defaults to 1 s).
        web_config: optional ``--web.config.file`` content (TLS, basic auth).
        rule_files: optional rule files to load.
    """

    def __init__(self, netns: str, scrape_configs: Sequence[Mapping[str, Any]] = (),
                 web_config: Mapping[str, Any] | None = None, rule_files: Sequence[Path] = ()) -> None:
        self.netns = netns
        self.scrape_configs = list(scrape_configs)
        self.web_config = web_config
        self.rule_files = list(rule_files)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="tl-prom-"))

    @property
    def scheme(self) -> str:
        return "https" if self.web_config and "tls_server_config" in self.web_config else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def __enter__(self) -> PrometheusServer:
        assert PROMETHEUS is not None, "prometheus is not installed (./quickstart.sh installs it)"
        try:
            self.port = free_port(self.netns)
            config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                      "scrape_configs": self.scrape_configs,
                      "rule_files": [str(p) for p in self.rule_files]}
            (self._dir / "prometheus.yml").write_text(yaml.safe_dump(config))
            cmd = ["ip", "netns", "exec", self.netns, PROMETHEUS,
                   f"--config.file={self._dir / 'prometheus.yml'}",
                   f"--web.listen-address=127.0.0.1:{self.port}",
                   f"--storage.tsdb.path={self._dir / 'data'}", "--log.level=warn"]
            if self.web_config is not None:
                (self._dir / "web.yml").write_text(yaml.safe_dump(dict(self.web_config)))
                cmd.append(f"--web.config.file={self._dir / 'web.yml'}")
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                         stderr=open(self._dir / "log", "wb"))  # noqa: SIM115
            self._wait_ready()
        except BaseException:
            self.close()
            raise
        return self

    def log(self) -> str:
        path = self._dir / "log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited with {self.proc.returncode}: {self.log()}")
            try:
                with in_netns(self.netns), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                if self.web_config is not None or self.get("/-/ready")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"prometheus not ready within {timeout} s: {self.log()}")

    def get(self, path: str, params: Mapping[str, str] | None = None) -> tuple[int, bytes]:
        """``GET`` *path* on the server (plain HTTP only), from inside its namespace."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with in_netns(self.netns):
            try:
                with urllib.request.urlopen(f"{self.url}{path}{query}", timeout=10) as resp:
                    return resp.status, resp.read()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read()

    def query(self, promql: str) -> list[dict[str, Any]]:
        """The instant vector of *promql* now, as the API gives it (``[{"metric": ..., "value": ...}]``)."""
        status, body = self.get("/api/v1/query", {"query": promql})
        assert status == 200, body
        data = json.loads(body)["data"]
        assert data["resultType"] == "vector", data
        return list(data["result"])

    def wait_for(self, promql: str, predicate: Any, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Poll *promql* until ``predicate(result)`` holds and return that result (AssertionError after
        *timeout* seconds)."""
        deadline = time.monotonic() + timeout
        result: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            result = self.query(promql)
            if predicate(result):
                return result
            time.sleep(0.5)
        raise AssertionError(f"{promql} never satisfied the condition in {timeout} s; last: {result}")

    def close(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, 15)
        shutil.rmtree(self._dir, ignore_errors=True)

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class KubeStateMetricsStandIn:
    """Serves ``kube_node_labels{node, label_trunkline_io_node_group}`` for *groups* (node -> group) on
    127.0.0.1 in *netns*, as kube-state-metrics does with ``--metric-labels-allowlist=nodes=[...]``.

    A stand-in because kube-state-metrics needs a Kubernetes API server, which these tests do not have.
    """

    def __init__(self, netns: str, groups: Mapping[str, str]) -> None:
        self.netns = netns
        lines = ["# HELP kube_node_labels Kubernetes labels converted to Prometheus labels.",
                 "# TYPE kube_node_labels gauge"]
        for node, group in sorted(groups.items()):
            lines.append(f'kube_node_labels{{node="{node}",label_trunkline_io_node_group="{group}"}} 1')
        body = ("\n".join(lines) + "\n").encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                del format, args

        with in_netns(netns):
            self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> KubeStateMetricsStandIn:
        self.thread.start()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
