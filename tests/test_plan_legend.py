"""REPORT.md's legend names every finding code the readers and the plan can raise; guest address coverings."""

from __future__ import annotations

import re

from tests.conftest import SRC
from trunkline.openshift.addresses import covering
from trunkline.openshift.legend import PLAN_CODES, legend_rows
from trunkline.vsphere.findings import READER_CODES

#: A finding raised in the source: find(...)/note(...)/Finding(...) with a severity, then the code.
_RAISED = re.compile(
    r"""(?:find|note|Finding)\(\s*(?:severity=)?["'](?:error|warning|info)["'],\s*(?:code=)?["']([a-z0-9-]+)["']"""
)


def _raised(paths: list[str]) -> set[str]:
    codes: set[str] = set()
    for rel in paths:
        codes |= set(_RAISED.findall((SRC / "trunkline" / rel).read_text(encoding="utf-8")))
    return codes


def test_every_code_the_plan_raises_is_in_the_legend() -> None:
    package = SRC / "trunkline" / "openshift" / "plan"
    raised = _raised([str(p.relative_to(SRC / "trunkline")) for p in sorted(package.glob("*.py"))])
    assert len(raised) > 30
    assert sorted(raised - set(PLAN_CODES)) == []


def test_every_code_the_rvtools_reader_raises_is_in_the_legend() -> None:
    package = SRC / "trunkline" / "vsphere" / "rvtools"
    modules = [str(p.relative_to(SRC / "trunkline")) for p in sorted(package.glob("*.py"))]
    assert len(modules) > 5
    raised = _raised(modules) | {
        "vlan-disagreement", "uplink-port-blank", "sheet-missing", "duplicate-row", "name-blank",
        "formula-no-value",
    }
    assert sorted(raised - set(READER_CODES)) == []


def test_the_legend_counts_this_plans_findings_and_lists_every_code_once() -> None:
    rows = legend_rows({"nsx": 2})
    assert [r[0] for r in rows] == sorted({*PLAN_CODES, *READER_CODES})
    assert next(r for r in rows if r[0] == "nsx")[1] == 2
    assert all(r[3] for r in rows)  # every code has its fix


def test_known_prefixes_are_kept_and_the_rest_covered_by_the_smallest_inferred_prefix() -> None:
    assert covering(
        ["10.0.20.5/24", "10.0.20.17", "10.0.30.1", "10.0.30.6", "fe80::1", "2001:db8::5/64"]
    ) == (
        ("10.0.20.0/24", "2001:db8::/64"),
        ("10.0.30.0/29",),
    )
    assert covering(["192.0.2.1", "192.0.2.200", "127.0.0.1"]) == ((), ("192.0.2.0/24",))
