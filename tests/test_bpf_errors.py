"""The counter's one-line errors for a broken environment, produced by the real conditions:
libbpf hidden in a private mount namespace, a root process without capabilities, a program the
verifier rejects, an interface that already has an XDP program."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bpf.net import build_object
from tests.conftest import cli_env, require
from tests.netns import VethPair
from trunkline.errors import EnvironmentProblem
from trunkline.xdp.counter import CounterObject

pytestmark = pytest.mark.privileged

TRY_COUNTER = """
import sys
from trunkline.errors import TrunklineError
from trunkline.xdp.counter import Counter
try:
    Counter(sys.argv[1], hook=sys.argv[2]).open()
except TrunklineError as e:
    print(type(e).__name__, e.exit_code, e)
else:
    print("attached")
"""


def run_in(pair: VethPair, *prefix: str, hook: str = "xdp") -> str:
    """Run TRY_COUNTER on pair.if_b inside ns_b, behind *prefix* (a command that changes the environment)."""
    cmd = ["ip", "netns", "exec", pair.ns_b, *prefix, sys.executable, "-c", TRY_COUNTER, pair.if_b, hook]
    return subprocess.run(cmd, capture_output=True, text=True, env=cli_env(), timeout=60).stdout.strip()


def libbpf_path() -> Path | None:
    """The file libbpf.so.1 resolves to, as the dynamic loader finds it."""
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.strip().startswith("libbpf.so.1 ") and "=>" in line:
            return Path(line.split("=>")[1].strip()).resolve()
    return None


def test_missing_libbpf_is_an_environment_problem_naming_the_package(veth_pair: VethPair) -> None:
    lib = libbpf_path()
    require(None if lib and shutil.which("unshare") else "needs unshare and libbpf.so.1 to hide")
    # A private mount namespace where libbpf.so.1 is an empty file: the loader cannot use it.
    hide = ["unshare", "-m", "sh", "-c", f'mount --bind /dev/null {lib} && exec "$@"', "hide"]
    for hook in ("xdp", "tc"):
        out = run_in(veth_pair, *hide, hook=hook)
        assert out.startswith("EnvironmentProblem 3 libbpf.so.1 not found"), out
        assert "apt-get install libbpf1" in out


def test_root_without_capabilities_is_told_to_run_as_root(veth_pair: VethPair) -> None:
    require(None if shutil.which("setpriv") else "needs setpriv (util-linux)")
    out = run_in(veth_pair, "setpriv", "--bounding-set=-all", "--inh-caps=-all")
    assert out == ("EnvironmentProblem 3 loading eBPF needs root or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN; "
                   "this process lacks CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN in its effective set: run as "
                   "root (sudo trunkline ...) or add CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN")


def test_program_the_verifier_rejects_shows_the_verifier_last_lines(tmp_path: Path) -> None:
    require(None if shutil.which("clang") else "needs clang (quickstart.sh installs it)")
    source = tmp_path / "bad.bpf.c"
    source.write_text("""#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("xdp") int bad(struct xdp_md *ctx) { return *(unsigned char *)(long)ctx->data; } /* no bounds check */
""")
    obj = build_object(source, tmp_path)
    with pytest.raises(EnvironmentProblem) as err:
        CounterObject(obj)
    message = str(err.value)
    assert message.startswith("the kernel rejected the counter program (")
    assert "invalid access to packet" in message and "\n" not in message


def test_interface_with_another_xdp_program_is_refused_and_left_as_it_was(veth_pair: VethPair,
                                                                          tmp_path: Path) -> None:
    # Another tool's XDP program attached through netlink (as `ip link set ... xdp` does).
    require(None if shutil.which("clang") else "needs clang (quickstart.sh installs it)")
    source = tmp_path / "other.bpf.c"
    source.write_text("""#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("xdp") int other_tool(struct xdp_md *ctx) { return XDP_PASS; }
""")
    obj = build_object(source, tmp_path)
    subprocess.run(["ip", "-n", veth_pair.ns_b, "link", "set", "dev", veth_pair.if_b, "xdpgeneric",
                    "obj", str(obj), "sec", "xdp"], check=True)
    out = run_in(veth_pair)
    assert out.startswith(f"EnvironmentProblem 3 {veth_pair.if_b} already has an XDP program attached; "
                          "trunkline never replaces it"), out
    shown = subprocess.run(["ip", "-n", veth_pair.ns_b, "link", "show", veth_pair.if_b],
                           capture_output=True, text=True).stdout
    assert "name other_tool" in shown
    assert run_in(veth_pair, hook="tc") == "attached"  # the TC hook is still open to the user
