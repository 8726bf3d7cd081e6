"""Rows that repeat an object an earlier row gave: one finding on the extra row (the first is kept), the
rest of the workbook is read and planned, and `inventory read`, `inventory show` and `plan` agree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.rvtools_corpus import seed_rows, write_workbook
from trunkline.vsphere.rvtools import read_rvtools

EDIT = "edit the inventory file `trunkline inventory read` wrote, then run `trunkline plan` on it"
KEEP2 = f"the inventory keeps row 2; if this row is the right one, {EDIT}"
Rows = dict[str, list[dict[str, Any]]]


def _vnic_copy(r: Rows) -> None:
    r["vNIC"].append(dict(r["vNIC"][0]))


def _vmnic_on_two_switches(r: Rows) -> None:
    r["vNIC"].append({**r["vNIC"][0], "Switch": "DSwitch", "Uplink port": "Uplink 2"})


def _same_host_object_id(r: Rows) -> None:
    r["vHost"].append({**r["vHost"][0], "Host": "esxi09.lab.example"})


def _host_in_two_datacenters(r: Rows) -> None:
    r["vHost"].append({**r["vHost"][0], "Datacenter": "DC2"})


CASES: dict[str, tuple[Callable[[Rows], None], tuple[str, str, str, str]]] = {
    "vnic-copy": (_vnic_copy, (
        "info", "duplicate-row", "sheet 'vNIC' row 6 column 'Network Device'",
        "physical NIC 'vmnic0' of host 'esxi01.lab.example' is also in row 2 (an identical copy): the "
        "inventory keeps row 2")),
    "vmnic-two-switches": (_vmnic_on_two_switches, (
        "warning", "duplicate-row", "sheet 'vNIC' row 6 column 'Network Device'",
        f"physical NIC 'vmnic0' of host 'esxi01.lab.example' is also in row 2 with other values: {KEEP2}")),
    "host-object-id": (_same_host_object_id, (
        "warning", "duplicate-row", "sheet 'vHost' row 4 column 'Object ID'",
        f"host Object ID 'host-12' is also in row 2 with other values: {KEEP2}")),
    "host-two-datacenters": (_host_in_two_datacenters, (
        "warning", "duplicate-row", "sheet 'vHost' row 4 column 'Host'",
        f"host 'esxi01.lab.example' is also in row 2 with other values: {KEEP2}")),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_duplicate_row_is_one_finding_and_read_show_plan_agree(tmp_path: Path, case: str) -> None:
    mutate, finding = CASES[case]
    rows = seed_rows()
    mutate(rows)
    xlsx = write_workbook(tmp_path / "dup.xlsx", rows)
    inv = read_rvtools(xlsx)
    assert [(f.severity, f.code, f.place.text(), f.message) for f in inv.findings] == [finding]
    (dc,) = inv.vcenters[0].datacenters
    assert [(h.id, h.name, [(n.name, n.switch) for n in h.nics]) for h in dc.hosts] == [
        ("host-12", "esxi01.lab.example", [("vmnic0", "host-12/vSwitch0"), ("vmnic1", "dvs-21")]),
        ("host-15", "esxi02.lab.example", [("vmnic0", "host-15/vSwitch0"), ("vmnic1", "dvs-21")]),
    ]
    assert [v.name for v in dc.vms] == ["db01", "vlan40-client", "web01"]
    out = tmp_path / "inventory.yaml"
    read = run_cli("inventory", "read", "--rvtools", str(xlsx), "-o", str(out))
    assert read.returncode == 0, read.stderr
    assert read.stderr.splitlines()[0] == f"{finding[0]} {finding[1]}: {finding[2]}: {finding[3]}"
    show = run_cli("inventory", "show", str(xlsx))
    assert show.returncode == 0, show.stderr
    plan = run_cli("plan", str(out), "-o", str(tmp_path / "plan"))
    assert plan.returncode == 0, plan.stderr
    report = (tmp_path / "plan" / "REPORT.md").read_text(encoding="utf-8")
    assert "| duplicate-row |" in report
    assert (tmp_path / "plan" / "nads.yaml").exists()
