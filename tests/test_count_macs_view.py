"""Pure tests of the MAC views of `trunkline count` (``--by mac``, the ``macs``/``mac_table`` JSON fields and
the partial warning): snapshots built by hand, exact strings. The real counter behind them is tested in
tests/test_bpf_macs*.py and tests/test_count_macs.py.
"""

from __future__ import annotations

import io
import json

import jsonschema
import pytest

from trunkline.xdp import macview, render
from trunkline.xdp.macs import MacEntry, MacTable, partial_note
from trunkline.xdp.stats import Cell, Interval, Snapshot, record, record_schema

T0 = 1_800_000_000.0
TABLE = MacTable(
    entries=(
        MacEntry("rx", None, "00:50:56:0a:00:01", 4, 408, T0 - 125.0, T0 - 2.5),
        MacEntry("rx", 10, "00:50:56:0a:00:02", 3, 318, T0 - 7300.0, T0 - 12.0),
        MacEntry("rx", 10, "00:50:56:0a:00:01", 9, 954, T0 - 90_000.0, T0),
        MacEntry("tx", 20, "02:5a:00:00:00:0b", 1, 64, T0 - 0.4, T0 - 0.4),
    ),
    inserts=6, live=4, capacity=8, inserts_by_direction={"rx": 5, "tx": 1},
)


def interval(direction: str = "rx", table: MacTable | None = TABLE) -> Interval:
    vlans = {None: Cell(4, 408), 10: Cell(12, 1272)} if direction == "rx" else {20: Cell(1, 64)}
    before = Snapshot("ens34", 3, direction, "tc", None, 0, T0 - 1)  # type: ignore[arg-type]
    after = Snapshot("ens34", 3, direction, "tc", None, 1_000_000_000, T0, vlans=vlans,  # type: ignore[arg-type]
                     macs=table)
    return Interval(before, after)


@pytest.mark.parametrize(("seconds", "text"), [
    (0.0, "now"), (0.4, "0.4 s ago"), (12.0, "12 s ago"), (125.0, "2 min 5 s ago"),
    (7300.0, "2 h 1 min ago"), (90_000.0, "1 d 1 h ago"), (-3.0, "now"),
])
def test_ages_read_like_a_person_says_them(seconds: float, text: str) -> None:
    assert macview.age_text(seconds) == text


def test_by_mac_plain_view_lists_per_vlan_the_macs_with_counts_and_ages_then_the_table() -> None:
    assert macview.plain(interval(), "ens34 rx").splitlines() == [
        "ens34 rx",
        "VLAN      MAC                packets  bytes     first seen  last seen",
        "untagged  00:50:56:0a:00:01        4    408  2 min 5 s ago  2.5 s ago",
        "10        00:50:56:0a:00:01        9    954    1 d 1 h ago        now",
        "10        00:50:56:0a:00:02        3    318  2 h 1 min ago   12 s ago",
        "MAC table: 3 pairs in this direction; 4 of 8 in the table (both directions), 6 learned since "
        "attach",
        "MAC table partial: 2 of 6 pairs learned were evicted (table holds 8 pairs): pairs seen earlier "
        "may be missing; use a larger --mac-table-size",
    ]


def test_a_complete_table_has_no_partial_line_and_an_empty_direction_says_so() -> None:
    complete = MacTable(entries=(), inserts=0, live=0, capacity=32768)
    assert not complete.partial and partial_note(complete) == ""
    assert macview.plain(interval("tx", complete), "t").splitlines() == [
        "t", "no MACs learned yet",
        "MAC table: 0 pairs in this direction; 0 of 32,768 in the table (both directions), 0 learned "
        "since attach",
    ]


def test_failed_inserts_make_the_view_partial_too() -> None:
    table = MacTable(entries=(), inserts=3, live=3, capacity=8, failed=2)
    assert table.partial and table.evicted == 0
    assert partial_note(table).startswith("MAC table partial: 2 frames could not be learned (table holds 8")


def test_json_record_carries_the_directions_pairs_and_the_whole_table_and_validates() -> None:
    rec = record(interval("rx"))
    jsonschema.validate(rec, record_schema())
    assert rec["macs"] == [
        {"vlan": None, "mac": "00:50:56:0a:00:01", "packets": 4, "bytes": 408, "first_seen": T0 - 125.0,
         "last_seen": T0 - 2.5},
        {"vlan": 10, "mac": "00:50:56:0a:00:01", "packets": 9, "bytes": 954, "first_seen": T0 - 90_000.0,
         "last_seen": T0},
        {"vlan": 10, "mac": "00:50:56:0a:00:02", "packets": 3, "bytes": 318, "first_seen": T0 - 7300.0,
         "last_seen": T0 - 12.0},
    ]
    assert rec["mac_table"] == {"inserts": 6, "live": 4, "capacity": 8, "partial": True, "failed": 0}
    assert [m["mac"] for m in record(interval("tx"))["macs"]] == ["02:5a:00:00:00:0b"]
    assert "macs" not in record(interval("rx", None)) and "mac_table" not in record(interval("rx", None))


def test_other_views_end_with_the_mac_table_lines_when_learning() -> None:
    out = io.StringIO()
    render.PlainOutput(out, "total").interval([interval()])
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("ens34 rx: received 16 packets")
    assert lines[1].startswith("MAC table: 3 pairs in this direction")
    assert lines[2].startswith("MAC table partial: ")
    out = io.StringIO()
    render.JsonOutput(out).summary([interval()])
    assert json.loads(out.getvalue())["record"] == "summary"
