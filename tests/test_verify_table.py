"""`verify`'s VM NIC table keeps MACs and NAD names whole at any width (wrapped around them, or stacked)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from trunkline.cli.vmverdicts import render
from trunkline.openshift.plan import build_plan
from trunkline.planindex import build_index
from trunkline.vmverdict import judge
from trunkline.vsphere.sources import load_inventory

MACS = ["00:50:56:a1:10:01", "00:50:56:a1:10:02", "00:50:56:a1:20:02", "00:50:56:a1:20:03",
        "00:50:56:a1:30:04", "00:50:56:a1:40:05"]
NADS = ["default/vm-vlan-10", "default/vm-vlan-20", "default/vm-vlan-30", "default/vm-vlan-40"]


def _shown(width: int, terminal: bool) -> str:
    inv = load_inventory()
    index = build_index(build_plan(inv), inv)
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=terminal, color_system=None, highlight=False)
    render(judge(index.nics, []), [], console)
    return out.getvalue()


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_macs_and_nad_names_are_never_cut_on_a_terminal(width: int) -> None:
    text = _shown(width, terminal=True)
    words = text.split()
    assert sorted(w for w in words if w.startswith("00:50:56")) == MACS
    assert sorted(set(w for w in words if w.startswith("default/"))) == NADS
    assert "…" not in text
    table = [line for line in text.splitlines() if "00:50:56" in line or "default/" in line]
    assert max(len(line) for line in table) <= width  # the notes after it are single long lines


def test_piped_table_is_whole_and_has_no_trailing_spaces() -> None:
    text = _shown(80, terminal=False)
    lines = text.splitlines()
    assert lines[0] == "VM NICs of the plan"
    assert lines[4].split() == ["app01", "Network", "adapter", "1", "00:50:56:a1:10:02", "10",
                                "default/vm-vlan-10", "(10)", "not-seen", "-"]
    assert [line for line in lines if line != line.rstrip()] == []
