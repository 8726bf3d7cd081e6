"""The DaemonSet's command runs with exactly the capabilities its manifest adds, and needs each of them.

Kubernetes starts a container that runs as UID 0 with ``capabilities: {drop: [ALL], add: [...]}`` with
those capabilities as its bounding, permitted and effective sets, and ``allowPrivilegeEscalation: false``
sets no_new_privs. ``setpriv`` (util-linux) builds the same process here: UID 0, bounding set = the
manifest's list, no inheritable capabilities, no_new_privs. The command is the container's own
(``/bin/sh -c "exec trunkline count ..."``) with the ConfigMap's variables, run in ns_b of a veth pair;
its /metrics is scraped over HTTP while ns_a sends VLAN-tagged frames.

Not reproduced here: seccomp and SELinux (the DaemonSet asks for Unconfined and spc_t, see deploy/).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import cli_env
from tests.netns import VethPair
from tests.support.deploy import container, one
from tests.watch_traffic import Sender, in_netns, quiet_ipv6

pytestmark = pytest.mark.privileged

PORT = 9090  # the manifest's; each test has its own network namespace, so it is free


def manifest_capabilities() -> list[str]:
    return list(container()["securityContext"]["capabilities"]["add"])


@contextmanager
def daemonset_command(pair: VethPair, capabilities: list[str]) -> Iterator[subprocess.Popen[str]]:
    """The DaemonSet container's command in ns_b as UID 0 with only *capabilities*."""
    if shutil.which("setpriv") is None:
        pytest.fail("needs setpriv (util-linux) to drop capabilities", pytrace=False)
    script = container()["args"][0]
    # The image installs the `trunkline` console script; here it is this checkout's module.
    script = script.replace("exec trunkline ", f"exec {sys.executable} -m trunkline ", 1)
    env = cli_env() | {k: str(v) for k, v in one("ConfigMap", "trunkline-counter")["data"].items()}
    # HOST_IP comes from the downward API (status.hostIP); here ns_b's loopback stands in for it.
    env.update(TRUNK_INTERFACES=pair.if_b, LOG_INTERVAL="1", HOST_IP="127.0.0.1")
    bounding = ",".join(["-all", *(f"+{cap.lower()}" for cap in capabilities)])
    cmd = ["ip", "netns", "exec", pair.ns_b, "setpriv", "--reuid=0", "--regid=0", "--clear-groups",
           "--inh-caps=-all", f"--bounding-set={bounding}", "--no-new-privs", *container()["command"], script]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def get(pair: VethPair, path: str) -> tuple[int, str]:
    with in_netns(pair.ns_b):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=5) as resp:
                return resp.status, resp.read().decode()
        except OSError as exc:
            return 0, str(exc)


def wait_ready(pair: VethPair, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    """Poll the readiness probe's endpoint as the kubelet would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            pytest.fail(f"the command exited with {proc.returncode}: {err}")
        if get(pair, "/healthz") == (200, "ok\n"):
            return
        time.sleep(0.2)
    pytest.fail("readiness probe never succeeded")


def test_manifest_capabilities_are_enough_for_the_daemonset_command(veth_pair: VethPair) -> None:
    quiet_ipv6(veth_pair)
    sender = Sender(veth_pair)
    try:
        with daemonset_command(veth_pair, manifest_capabilities()) as proc:
            wait_ready(veth_pair, proc)
            sender.udp(6, vlan=40)
            sender.udp(2, vlan=41)
            status, text = get(veth_pair, "/metrics")
            assert status == 200
            rx = f'direction="rx",interface="{veth_pair.if_b}"'
            for line in (f'trunkline_vlan_packets_total{{{rx},vlan="40"}} 6.0',
                         f'trunkline_vlan_packets_total{{{rx},vlan="41"}} 2.0'):
                assert line in text.splitlines()
            assert proc.stdout is not None
            assert proc.stdout.readline().startswith(f"{veth_pair.if_b} rx: received ")  # the log line
            proc.send_signal(signal.SIGTERM)  # what the kubelet sends on pod deletion
            assert proc.wait(timeout=20) == 0
    finally:
        sender.close()


@pytest.mark.parametrize("missing", ["BPF", "NET_ADMIN", "PERFMON"])
def test_each_manifest_capability_is_needed(veth_pair: VethPair, missing: str) -> None:
    capabilities = manifest_capabilities()
    assert missing in capabilities
    with daemonset_command(veth_pair, [c for c in capabilities if c != missing]) as proc:
        assert proc.wait(timeout=60) == 3
        assert proc.stderr is not None
        err = proc.stderr.read()
    assert err.startswith("trunkline: error: ") and err.count("\n") == 1, err
    assert f"this process lacks CAP_{missing} in its effective set" in err


def test_missing_perfmon_is_named_before_the_verifier_runs(veth_pair: VethPair) -> None:
    capabilities = [c for c in manifest_capabilities() if c != "PERFMON"]
    with daemonset_command(veth_pair, capabilities) as proc:
        assert proc.wait(timeout=60) == 3
        assert proc.stderr is not None
        err = proc.stderr.read()
    assert err == ("trunkline: error: loading eBPF needs root or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN; "
                   "this process lacks CAP_PERFMON in its effective set: run as root (sudo trunkline ...) or "
                   "add CAP_PERFMON\n")
