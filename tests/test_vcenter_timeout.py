"""A vCenter that accepts the TCP connection and then never answers: a one-line error after --timeout."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections and never sends a byte (a real listening socket)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        server.close()


@pytest.mark.parametrize("protocol", ["http", "https"])
def test_silent_vcenter_is_exit_3_after_the_timeout(
    silent_port: int, protocol: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GOVC_USERNAME", "u")
    monkeypatch.setenv("GOVC_PASSWORD", "p")
    monkeypatch.delenv("GOVC_URL", raising=False)
    url = f"{protocol}://127.0.0.1:{silent_port}/sdk"
    out = f"{tmp_path}/inventory.yaml"
    started = time.monotonic()
    args = ("inventory", "read", "--vcenter", url, "--timeout", "1.5", "-o", out)
    result = run_cli(*args, timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode == 3, result.stderr
    lines = result.stderr.splitlines()
    assert lines == [
        f"trunkline: error: vCenter 127.0.0.1:{silent_port} ({protocol}://127.0.0.1:{silent_port}) "
        "did not answer within "
        "1.5 s; check the host, port and firewall (or give it longer with --timeout)"
    ], result.stderr
    assert elapsed < 30
