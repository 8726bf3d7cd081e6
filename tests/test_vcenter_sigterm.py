"""SIGTERM in the middle of a vCenter read: the session is logged out (as after Ctrl-C), exit 143, the old
output file intact.

The read against the simulator takes about a second; to hit its middle reliably, the CLI talks to the
simulator through a TCP relay in this test that holds the first ``RetrievePropertiesEx`` request for a
few seconds and tells the test when it has it. Everything else (login, logout) passes straight through.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyVim.connect import Disconnect

from tests.conftest import cli_env
from tests.vcsim_fixture import Vcsim, vcsim  # noqa: F401  (fixture)


class _HoldingRelay:
    """127.0.0.1:port -> the simulator; the connection that sends ``RetrievePropertiesEx`` is held."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.holding = threading.Event()
        self.stop = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.server.settimeout(0.2)
        while not self.stop.is_set():
            try:
                client = self.server.accept()[0]
            except TimeoutError:
                continue
            upstream = socket.create_connection(self.upstream)
            self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, to_server: bool) -> None:
        try:
            while data := src.recv(65536):
                if to_server and b"RetrievePropertiesEx" in data and not self.holding.is_set():
                    self.holding.set()
                    time.sleep(5)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.stop.set()
        for sock in self.sockets:
            sock.close()
        self.server.close()


@pytest.fixture
def relay(vcsim: Vcsim) -> Iterator[_HoldingRelay]:  # noqa: F811
    proxy = _HoldingRelay((vcsim.host, vcsim.port))
    try:
        yield proxy
    finally:
        proxy.close()


def test_sigterm_mid_read_logs_out_and_keeps_the_old_file(
    vcsim: Vcsim,  # noqa: F811
    relay: _HoldingRelay,
    tmp_path: Path,
) -> None:
    out = tmp_path / "inventory.yaml"
    out.write_text("old\n", encoding="utf-8")
    si = vcsim.connect()
    try:
        manager = si.RetrieveContent().sessionManager
        before = len(manager.sessionList)
        env = {**cli_env(), "GOVC_PASSWORD": vcsim.password}
        for name in ("GOVC_URL", "GOVC_USERNAME", "GOVC_INSECURE", "GOVC_TLS_CA_CERTS"):
            env.pop(name, None)
        url = f"http://127.0.0.1:{relay.port}/sdk"
        cmd = [sys.executable, "-m", "trunkline", "inventory", "read", "--vcenter", url]
        proc = subprocess.Popen(
            [*cmd, "--user", vcsim.user, "-o", str(out)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert relay.holding.wait(60), "the read never reached RetrievePropertiesEx"
            during = len(manager.sessionList)
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert during == before + 1
        assert proc.returncode == 143, stderr
        assert stderr.splitlines()[-1] == (
            "trunkline: terminated (SIGTERM); logged out of vCenter, nothing written"
        )
        assert len(manager.sessionList) == before
        assert out.read_text(encoding="utf-8") == "old\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.yaml"]
    finally:
        Disconnect(si)
