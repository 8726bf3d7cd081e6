"""Reading plan directories, choosing NADs, the scheduling check (pure, no root); the CLI's refusals."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from trunkline.errors import BadInputError
from trunkline.lab.cni import plugin_config
from trunkline.lab.cpio import Cpio
from trunkline.lab.desiredstate import parse_desired_state
from trunkline.lab.plandir import load_plan_dir
from trunkline.lab.report import LabReport
from trunkline.lab.run import schedulable, select

FIXTURES = Path(__file__).parent / "lab_fixtures"


def _broken() -> tuple:
    plan = load_plan_dir(FIXTURES / "broken")
    return plan, parse_desired_state([(n.name, n.desired_state) for n in plan.nncps])


def test_resource_name_of_a_bridge_no_nncp_creates_is_not_schedulable() -> None:
    plan, node = _broken()
    verdict = {n.name: schedulable(n, node)[0] for n in plan.nads}
    assert verdict == {
        "vm-vlan-40": True,
        "vm-vlan-30-not-in-trunk": True,
        "vm-vlan-12-bad-resource": False,
        "vm-vlan-14-unwired": True,
        "vm-trunk-10-20": True,
    }
    detail = schedulable(next(n for n in plan.nads if n.name == "vm-vlan-12-bad-resource"), node)[1]
    assert "'br-missing'" in detail and "vlan-trunk" in detail


def test_vlan_trunk_nad_is_not_testable_with_debians_plugin() -> None:
    plan, _ = _broken()
    sel = select(plan, None)
    assert [n.name for n in sel.nads] == [
        "vm-vlan-40",
        "vm-vlan-30-not-in-trunk",
        "vm-vlan-12-bad-resource",
        "vm-vlan-14-unwired",
    ]
    assert sel.vlans == [40, 30, 12, 14]
    assert [(n.name, "1.1.1" in why) for n, why in sel.untestable] == [("vm-trunk-10-20", True)]


def test_vlan_option_keeps_only_that_vlans_nads_and_refuses_unknown_ones() -> None:
    plan, _ = _broken()
    assert [n.name for n in select(plan, [40]).nads] == ["vm-vlan-40"]
    with pytest.raises(BadInputError, match=r"--vlan 41: .* 12, 14, 30, 40"):
        select(plan, [41])


def test_cnv_bridge_runs_as_the_bridge_plugin_and_says_so() -> None:
    config, note = plugin_config({"type": "cnv-bridge", "bridge": "vlan-trunk", "vlan": 40})
    assert config == {"type": "bridge", "bridge": "vlan-trunk", "vlan": 40} and note and "cnv-bridge" in note
    assert plugin_config({"type": "bridge"})[1] is None


def test_report_json_round_trips() -> None:
    report = LabReport("/plan", runs_in="x")
    report.add("vm-vlan-40", 40, "ping", "fail", "0/3 replies")
    doc = json.loads(json.dumps(report.to_json()))
    assert doc["ok"] is False and LabReport.from_json(doc) == report


@pytest.mark.skipif(shutil.which("cpio") is None, reason="needs cpio to read the archive back")
def test_initramfs_archive_lists_back_with_cpio(tmp_path: Path) -> None:
    archive = Cpio()
    archive.add_dir("bin")
    archive.add_file("bin/hello", b"hello\n", 0o755)
    archive.add_symlink("sh", "bin/hello")
    (tmp_path / "a.cpio").write_bytes(archive.to_bytes())
    listing = subprocess.run(["cpio", "-itv", "-F", str(tmp_path / "a.cpio")], capture_output=True, text=True)
    names = [
        line.split()[-1] if "->" not in line else line.split()[-3] for line in listing.stdout.splitlines()
    ]
    assert listing.returncode == 0 and names == ["bin", "bin/hello", "sh"]


def test_missing_plan_dir_exits_2_naming_it(tmp_path: Path) -> None:
    proc = run_cli("lab", str(tmp_path / "nope"), "--vm")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert f"{tmp_path / 'nope'}: no such directory" in proc.stderr and "Traceback" not in proc.stderr


def test_keep_with_vm_is_refused() -> None:
    proc = run_cli("lab", str(FIXTURES / "seed"), "--vm", "--keep")
    assert proc.returncode == 2 and "--keep cannot be used with --vm" in proc.stderr


@pytest.mark.privileged
def test_without_vm_on_a_kernel_without_vlan_filtering_exits_3_naming_vm() -> None:
    from trunkline.lab.kernel import vlan_filtering_problem

    if vlan_filtering_problem() is None:
        pytest.skip("this kernel has bridge VLAN filtering: the lab runs directly here")
    proc = run_cli("lab", str(FIXTURES / "seed"))
    assert proc.returncode == 3 and "--vm" in proc.stderr and "VLAN filtering" in proc.stderr
    assert not [
        ns
        for ns in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
        if ns.startswith("tlprobe")
    ]


def test_a_checkout_under_tmp_stays_visible_under_the_guests_tmpfs() -> None:
    from trunkline.lab.vm import kept_dirs

    assert "/tmp/ci3" in kept_dirs("/tmp/ci3/src", "/tmp/ci3/.venv/bin/python")
    assert "/var/tmp/tl" in kept_dirs("/var/tmp/tl/src", "/usr/bin/python3")
    assert not [d for d in kept_dirs("/opt/tl/src", "/usr/bin/python3") if d.startswith("/opt")]
