"""The lab end to end, inside the qemu VM (this kernel has no bridge VLAN filtering): few boots, many checks.

Boot 1 runs, in one VM: the lab on the bundled example's plan (``trunkline plan``), the teardown probe,
the lab on the plan broken on purpose (tests/lab_fixtures/broken), the probe again, the lab on
tests/lab_fixtures/seed sent SIGTERM halfway, the probe again.
Boot 2 is the CLI as a user runs it (``trunkline lab PLAN --vm --json``); a third qemu is started
and interrupted with SIGTERM to show that qemu never outlives the command.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import cli_env, require
from trunkline.lab import dhcp
from trunkline.lab.plandir import load_plan_dir
from trunkline.lab.report import LabReport
from trunkline.lab.run import select
from trunkline.lab.vm import CommandResult, VmRun, find_kernel, plan_files, run_in_vm

pytestmark = [pytest.mark.privileged, pytest.mark.slow]

FIXTURES = Path(__file__).parent / "lab_fixtures"
LEFTOVERS: list[list[str]] = [
    ["ip", "netns", "list"],
    ["ip", "-o", "link", "show"],
    ["ps", "-e", "-o", "comm="],
]


def _vm_problem() -> str | None:
    if shutil.which("qemu-system-x86_64") is None:
        return "needs qemu-system-x86_64 (apt-get install qemu-system-x86)"
    try:
        find_kernel()
    except Exception as exc:  # noqa: BLE001 - reported as the skip reason
        return str(exc)
    return None


def _qemu_pids(tmpdir: Path) -> list[int]:
    """Processes of qemu started by a trunkline whose TMPDIR is *tmpdir* (its initrd lives there).

    Keyed on this test's own TMPDIR: other runs on the machine (other sessions) may run qemu too.
    """
    tag = str(tmpdir / "trunkline-vm-").encode()
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:  # not a process, or gone meanwhile
            continue
        if args and args[0].endswith(b"qemu-system-x86_64") and any(tag in a for a in args):
            pids.append(int(proc.name))
    return pids


@pytest.fixture(scope="module")
def seed_plan(bundled_plan: Path) -> Path:
    return bundled_plan


def _nad_on_vlan_30(plan: Path) -> dict[str, str]:
    """The bundled example's plan with NAD vm-vlan-40 edited to VLAN 30 (vlan40-client's port group: 40)."""
    files = plan_files(plan)
    nads = files["nads.yaml"]
    assert nads.count('"bridge":"vlan-trunk","vlan":40,') == 1
    files["nads.yaml"] = nads.replace('"bridge":"vlan-trunk","vlan":40,', '"bridge":"vlan-trunk","vlan":30,')
    return files


@pytest.fixture(scope="module")
def boot(seed_plan: Path) -> VmRun:
    require(_vm_problem())
    interrupted = {"plan_files": plan_files(FIXTURES / "seed"), "interrupt_at": "DHCP on VLAN"}
    jobs: list[Any] = [
        {"lab": {"plan_files": plan_files(seed_plan)}},
        *LEFTOVERS,
        {"lab": {"plan_files": plan_files(FIXTURES / "broken")}},
        *LEFTOVERS,
        {"lab": interrupted},
        *LEFTOVERS,
        {"lab": {"plan_files": _nad_on_vlan_30(seed_plan), "vlans": [30]}},
    ]
    run = run_in_vm(jobs, timeout_s=1500)
    assert len(run.results) == len(jobs)
    return run


def _report(result: CommandResult) -> LabReport:
    assert result.stdout, result.stderr
    return LabReport.from_json(json.loads(result.stdout))


def _status(report: LabReport, nad: str) -> dict[str, str]:
    return {c.check: c.status for c in report.checks if c.nad == nad}


def _detail(report: LabReport, nad: str, check: str) -> str:
    return next(c.detail for c in report.checks if c.nad == nad and c.check == check)


def test_seed_vm_on_vlan_40_gets_its_vlans_dhcp_address_and_its_vsphere_twin_pings_it(
    boot: VmRun, seed_plan: Path
) -> None:
    report = _report(boot.results[0])
    addressing = dhcp.addressing(select(load_plan_dir(seed_plan), None).vlans)[40]
    lease = _detail(report, "vm-vlan-40", "dhcp").split()[1].split("/")[0]
    low, high = (ipaddress.ip_address(a) for a in addressing.pool)
    assert low <= ipaddress.ip_address(lease) <= high
    assert _status(report, "vm-vlan-40") == {
        "schedulable": "pass",
        "attach": "pass",
        "dhcp": "pass",
        "ping": "pass",
        "isolation": "pass",
        "counter": "pass",
        "vm-evidence": "pass",
    }
    assert _detail(report, "vm-vlan-40", "ping") == f"vSphere VM {addressing.twin} -> {lease}: 3/3 replies"
    assert boot.results[0].returncode == 0 and report.ok
    assert report.runs_in.startswith("qemu VM, kernel ")


def test_seed_every_vlan_is_isolated_from_the_others(boot: VmRun) -> None:
    report = _report(boot.results[0])
    isolation = {c.nad: c.status for c in report.checks if c.check == "isolation"}
    assert isolation == {
        "vm-vlan-10": "pass",
        "vm-vlan-20": "pass",
        "vm-vlan-30": "pass",
        "vm-vlan-40": "pass",
    }
    assert all(": 0 replies" in c.detail for c in report.checks if c.check == "isolation")


def test_seed_trunk_counter_shows_the_icmp_on_vlan_40(boot: VmRun) -> None:
    report = _report(boot.results[0])
    assert _status(report, "vm-vlan-40")["counter"] == "pass"
    detail = _detail(report, "vm-vlan-40", "counter")
    rx, tx = (int(x) for x in (detail.split("rx +")[1].split()[0], detail.split("tx +")[1].split()[0]))
    icmp = int(detail.split("ICMP of all pings +")[1].split()[0])
    pings = sum(c.status == "pass" for c in report.checks if c.check == "ping")
    assert pings == 4 and rx >= 3 and tx >= 3 and icmp >= 2 * 3 * pings
    assert report.counters["ens34"]["rx"]["40"] >= 3 and report.counters["ens34"]["tx"]["40"] >= 3


def test_trunk_counter_sees_the_vsphere_vm_mac_received_and_the_openshift_vm_mac_sent(boot: VmRun) -> None:
    report = _report(boot.results[0])
    detail = _detail(report, "vm-vlan-40", "vm-evidence")
    assert detail.startswith("vSphere VM (")  # VLAN 40 has one plan VM: the vSphere VM keeps its own MAC
    assert ", not a plan VM) received on VLAN 40: " in detail
    assert "OpenShift VM vlan40-client (00:50:56:a1:40:05) sent on VLAN 40: " in detail
    assert "vlan40-client Network adapter 1: seen (seen on VLAN 40 (sent: runs on this node))" in detail
    ten = _detail(report, "vm-vlan-10", "vm-evidence")
    assert ten.startswith("vSphere VM web01 (00:50:56:a1:10:01) received on VLAN 10: ")
    assert "OpenShift VM app01 (00:50:56:a1:10:02) sent on VLAN 10: " in ten
    assert "web01 Network adapter 1: seen (seen on VLAN 10 (received: across the trunk" in ten
    assert {c.nad: c.status for c in report.checks if c.check == "vm-evidence"} == {
        "vm-vlan-10": "pass", "vm-vlan-20": "pass", "vm-vlan-30": "pass", "vm-vlan-40": "pass"}


def test_nad_on_another_vlan_than_the_port_group_fails_with_wrong_vlan(boot: VmRun) -> None:
    result = boot.results[3 * (len(LEFTOVERS) + 1)]
    report = _report(result)
    assert _status(report, "vm-vlan-40")["ping"] == "pass"
    assert _status(report, "vm-vlan-40")["vm-evidence"] == "fail"
    assert ("vlan40-client Network adapter 1: wrong-vlan (VM vlan40-client Network adapter 1 "
            "(00:50:56:a1:40:05) expected on VLAN 40 (port group vm-vlan-40), seen only on VLAN 30 (sent: "
            "runs on this node))") in _detail(report, "vm-vlan-40", "vm-evidence")
    assert _status(report, "vm-vlan-30")["vm-evidence"] == "pass"
    assert result.returncode == 1 and not report.ok


def test_nad_vlan_not_in_the_uplink_trunk_fails_the_ping(boot: VmRun) -> None:
    report = _report(boot.results[len(LEFTOVERS) + 1])
    status = _status(report, "vm-vlan-30-not-in-trunk")
    assert (status["schedulable"], status["attach"], status["ping"]) == ("pass", "pass", "fail")
    assert _detail(report, "vm-vlan-30-not-in-trunk", "ping").endswith(": 0/3 replies")
    assert boot.results[len(LEFTOVERS) + 1].returncode == 1


def test_resource_name_of_a_bridge_the_nncp_does_not_create_is_not_schedulable(boot: VmRun) -> None:
    report = _report(boot.results[len(LEFTOVERS) + 1])
    assert _status(report, "vm-vlan-12-bad-resource") == {
        "schedulable": "fail",
        "attach": "skip",
        "dhcp": "skip",
        "ping": "skip",
        "isolation": "skip",
        "counter": "skip",
        "vm-evidence": "skip",
    }


def test_nad_bridge_not_wired_to_the_trunk_fails_dhcp(boot: VmRun) -> None:
    report = _report(boot.results[len(LEFTOVERS) + 1])
    status = _status(report, "vm-vlan-14-unwired")
    assert (status["schedulable"], status["attach"], status["dhcp"], status["ping"]) == (
        "pass",
        "pass",
        "fail",
        "fail",
    )
    assert _detail(report, "vm-vlan-14-unwired", "attach") == "bridge CNI ADD on br-unwired: ok"


def test_broken_plan_still_carries_its_good_nad_and_leaves_trunk_nads_untested(boot: VmRun) -> None:
    report = _report(boot.results[len(LEFTOVERS) + 1])
    assert _status(report, "vm-vlan-40")["ping"] == "pass"
    assert _status(report, "vm-trunk-10-20") == {"schedulable": "pass", "attach": "not-testable"}
    assert "1.1.1" in _detail(report, "vm-trunk-10-20", "attach")


@pytest.mark.parametrize("after", [0, 1, 2], ids=["after-passing-lab", "after-failing-lab", "after-sigterm"])
def test_teardown_leaves_no_namespace_interface_or_process(boot: VmRun, after: int) -> None:
    if after == 2:  # SIGTERM while the VMs ask for DHCP: namespaces, dnsmasq and CNI attachments exist
        lab = boot.results[2 * (len(LEFTOVERS) + 1)]
        assert (lab.returncode, lab.stderr) == (130, "interrupted (SIGTERM)")
    first = 1 + after * (len(LEFTOVERS) + 1)
    netns, links, procs = (r.stdout for r in boot.results[first : first + len(LEFTOVERS)])
    assert netns.strip() == ""
    assert [line.split(":")[1].strip() for line in links.splitlines()] == ["lo"]
    assert not {"dnsmasq", "udhcpc", "busybox", "ping", "bridge"} & set(procs.split())


def test_cli_vm_runs_the_plan_and_leaves_no_qemu(seed_plan: Path, tmp_path: Path) -> None:
    require(_vm_problem())
    argv = [
        sys.executable,
        "-m",
        "trunkline",
        "lab",
        str(seed_plan),
        "--vm",
        "--vlan",
        "40",
        "--vlan",
        "10",
        "--json",
    ]
    proc = subprocess.run(
        argv, capture_output=True, text=True, timeout=1500, env={**cli_env(), "TMPDIR": str(tmp_path)}
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["ok"] is True and doc["runs_in"].startswith("qemu VM: kernel ")
    assert sorted({c["nad"] for c in doc["checks"]}) == ["vm-vlan-10", "vm-vlan-40"]
    assert "running inside a qemu VM" in proc.stderr
    assert _qemu_pids(tmp_path) == [] and list(tmp_path.iterdir()) == []


def test_sigterm_during_vm_boot_kills_qemu(seed_plan: Path, tmp_path: Path) -> None:
    require(_vm_problem())
    cli = subprocess.Popen(
        [sys.executable, "-m", "trunkline", "lab", str(seed_plan), "--vm"],
        env={**cli_env(), "TMPDIR": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not _qemu_pids(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _qemu_pids(tmp_path), "qemu did not start"
        cli.send_signal(signal.SIGTERM)
        cli.wait(timeout=60)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
        for pid in _qemu_pids(tmp_path):  # only when the test failed: leave nothing behind
            os.kill(pid, signal.SIGKILL)
    assert cli.returncode == 130 and _qemu_pids(tmp_path) == []
    assert list(tmp_path.iterdir()) == []  # qemu's work directory (initrd, serial logs) removed
