"""VMware's vCenter simulator (govmomi ``vcsim``) for the tests, built from Debian's govmomi sources.

:func:`vcsim_binary` builds ``tests/vcsim/main.go`` once into a cache directory (keyed by the source's
hash); :func:`run_vcsim` starts it on a free port of 127.0.0.1 (plain HTTP, or HTTPS with a given
certificate), waits until it answers, and stops it on exit, also after a failure. The ``vcsim`` and
``vcsim_tls`` fixtures are session-scoped: import them into a test module to use them.
"""

from __future__ import annotations

import hashlib
import os
import selectors
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.netns import stop_process

SOURCE = Path(__file__).resolve().parent / "vcsim" / "main.go"
GOPATH = "/usr/share/gocode"  # Debian's golang-github-vmware-govmomi-dev installs govmomi here
USER = "trunkline-test"
PASSWORD = "s3cret-vcsim-pw"
TLS_INSTANCE_UUID = "4f1d6a2e-7c55-4b0e-9a51-2b8e0c3d9f10"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trunkline" / "vcsim"


def vcsim_binary() -> Path:
    """The simulator executable, built on first use (about 40 s) and cached by the source's hash."""
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
    cache = _cache_dir()
    exe = cache / f"vcsim-{digest}"
    if exe.is_file():
        return exe
    go = shutil.which("go")
    if go is None or not Path(GOPATH, "src/github.com/vmware/govmomi/simulator").is_dir():
        pytest.fail(
            "vcsim cannot be built: install golang-go golang-github-vmware-govmomi-dev "
            "golang-github-google-uuid-dev (./quickstart.sh does)",
            pytrace=False,
        )
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        out = Path(tmp) / "vcsim"
        env = {**os.environ, "GOPATH": GOPATH, "GO111MODULE": "off"}
        env.setdefault("GOCACHE", str(cache / "go-build"))
        build = subprocess.run(
            [go, "build", "-o", str(out), str(SOURCE)], env=env, capture_output=True, text=True, timeout=900
        )
        if build.returncode != 0:
            pytest.fail(f"building vcsim failed:\n{build.stderr}", pytrace=False)
        os.replace(out, exe)  # atomic: a parallel build never sees half a binary
    return exe


@dataclass
class Vcsim:
    """A running simulator: its SDK URL (``http://127.0.0.1:PORT/sdk``), the accepted user and password."""

    url: str
    user: str
    password: str
    process: subprocess.Popen[str] = field(repr=False)
    cafile: Path | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 0

    @property
    def protocol(self) -> str:
        return urlsplit(self.url).scheme

    def connect(self) -> Any:
        """A pyVmomi ``ServiceInstance`` for setting the simulator up (the caller disconnects it)."""
        from pyVim.connect import SmartConnect

        context = ssl.create_default_context(cafile=str(self.cafile)) if self.cafile else None
        return SmartConnect(
            protocol=self.protocol,
            host=self.host,
            port=self.port,
            user=self.user,
            pwd=self.password,
            sslContext=context,
        )


@contextmanager
def run_vcsim(
    *args: str, cert: Path | None = None, key: Path | None = None, timeout: float = 300
) -> Iterator[Vcsim]:
    """Start the simulator with model flags *args* (``-vms 2`` ...), optionally HTTPS with *cert*/*key*."""
    exe = vcsim_binary()
    cmd = [str(exe), "-listen", "127.0.0.1:0", "-username", USER, "-password", PASSWORD, *args]
    if cert is not None and key is not None:
        cmd += ["-tls-cert", str(cert), "-tls-key", str(key)]
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, text=True)
        try:
            url = _wait_for_url(proc, timeout, errors)
            sim = Vcsim(url=url, user=USER, password=PASSWORD, process=proc, cafile=cert)
            _wait_until_answers(sim, timeout)
            yield sim
        finally:
            stop_process(proc)
            if proc.stdout is not None:
                proc.stdout.close()


def _wait_for_url(proc: subprocess.Popen[str], timeout: float, errors: Any) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if sel.select(timeout=0.5):
                line = proc.stdout.readline()
                if line.startswith("VCSIM_URL "):
                    return line.split()[1]
                if not line and proc.poll() is not None:
                    break
            elif proc.poll() is not None:
                break
    errors.seek(0)
    pytest.fail(f"vcsim did not start (exit {proc.poll()}): {errors.read()[-2000:]}", pytrace=False)


def _wait_until_answers(sim: Vcsim, timeout: float) -> None:
    parts = urlsplit(sim.url)
    about = f"{parts.scheme}://{parts.netloc}/about"
    context = ssl.create_default_context(cafile=str(sim.cafile)) if sim.cafile else None
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(about, timeout=5, context=context) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl), as a PEM certificate and key."""
    cert, key = directory / "vcsim.pem", directory / "vcsim.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="session")
def vcsim() -> Iterator[Vcsim]:
    """The default simulator inventory over plain HTTP: datacenter DC0, one standalone host and a cluster of
    three hosts (vmnic0 on vSwitch0, vmnic1 the DVS's uplink1), the DVS DVS0 with its uplink port group and
    DC0_DVPG0, two VMs per standalone host and per cluster."""
    with run_vcsim() as sim:
        yield sim


@pytest.fixture(scope="session")
def vcsim_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vcsim]:
    """The same inventory over HTTPS with a self-signed certificate (``cafile`` = that certificate)."""
    cert, key = self_signed_cert(tmp_path_factory.mktemp("vcsim-tls"))
    # vcsim's instance UUID is a constant: give this one its own, as two real vCenters have
    model = ["-standalone-hosts", "1", "-clusters", "0", "-vms", "1"]
    with run_vcsim(*model, "-instance-uuid", TLS_INSTANCE_UUID, cert=cert, key=key) as sim:
        yield sim
