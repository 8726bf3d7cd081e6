"""Running `trunkline count` as a user does, for the count tests (not a test module)."""

from __future__ import annotations

import json
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import cli_env
from tests.netns import VethPair


def start_count(pair: VethPair, *args: str) -> subprocess.Popen[str]:
    """``trunkline count ARGS`` running inside ns_b (stdout/stderr piped, stdout not a terminal)."""
    cmd = ["ip", "netns", "exec", pair.ns_b, sys.executable, "-m", "trunkline", "count", *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())


def read_line(proc: subprocess.Popen[str], timeout: float = 30) -> str:
    """The next line of *proc*'s stdout; fails the test after *timeout* seconds."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            proc.kill()
            pytest.fail(f"no output from trunkline count in {timeout} s; stderr: {proc.stderr.read()}")  # type: ignore[union-attr]
    return proc.stdout.readline()


def finish(proc: subprocess.Popen[str], sig: int | None = signal.SIGTERM) -> tuple[int, str, str]:
    """Send *sig* (None: just wait), then the exit code, the rest of stdout and stderr."""
    if sig is not None:
        proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"trunkline count did not stop: {err}")
    return proc.returncode, out, err


def records(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def protocol(rec: dict[str, Any], family: str, number: int) -> tuple[int, int]:
    """(packets, bytes) of one protocol row of a record, (0, 0) when it is not listed."""
    for row in rec["protocols"]:
        if (row["family"], row["number"]) == (family, number):
            return row["packets"], row["bytes"]
    return 0, 0


def settle(proc: subprocess.Popen[str], interface: str, done: Callable[[dict[str, Any]], bool],
           timeout: float = 10) -> list[dict[str, Any]]:
    """Read *proc*'s JSON interval records until one of *interface*'s rx records says *done* (the frames
    sent have passed the hook), failing after *timeout* seconds; returns the records read."""
    deadline = time.monotonic() + timeout
    seen: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rec = json.loads(read_line(proc, timeout=max(0.1, deadline - time.monotonic())))
        seen.append(rec)
        if rec["interface"] == interface and rec["direction"] == "rx" and done(rec):
            return seen
    pytest.fail(f"the frames sent did not show in {timeout} s of interval records")


def served_url(proc: subprocess.Popen[str]) -> str:
    """The base URL of the metrics server *proc* announced on stderr (``http://127.0.0.1:PORT``)."""
    assert proc.stderr is not None
    line = proc.stderr.readline()
    while line and "serving Prometheus metrics on " not in line:
        line = proc.stderr.readline()
    assert line.startswith("trunkline: serving Prometheus metrics on http://127.0.0.1:"), line
    return line.split(" on ")[1].strip().removesuffix("/metrics")


def get_in_b(pair: VethPair, url: str) -> tuple[int, str]:
    """(status, body) of ``GET url`` from inside ns_b."""
    fetch = ("import urllib.error, urllib.request\n"
             f"try:\n    r = urllib.request.urlopen({url!r}, timeout=10)\n"
             "    print(r.status); print(r.read().decode())\n"
             "except urllib.error.HTTPError as e:\n    print(e.code); print(e.read().decode())")
    out = pair.exec_b(sys.executable, "-c", fetch).stdout
    status, _, body = out.partition("\n")
    return int(status), body


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of series *name* with exactly *labels* in a text-format scrape, else None."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return float(s.value)
    return None
