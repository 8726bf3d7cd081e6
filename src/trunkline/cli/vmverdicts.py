"""`verify`'s per-VM part: learned MAC tables -> verdicts (:mod:`trunkline.vmverdict`) -> table / JSON."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from trunkline.planindex import PlanIndex, VlanSet
from trunkline.verify import NadVlans
from trunkline.vmverdict import LearnedPair, NicVerdict, VmVerdicts, judge, vlan_text
from trunkline.vsphere.summary import FittingTable, print_trimmed
from trunkline.xdp.stats import Snapshot

IDLE_WINDOW_S = 300.0
"""``verify``'s default window when the plan has an index (docs/verify.md, "How long to count"): an idle
guest shows up through its broadcasts, which an ARP cache entry going stale (15-45 s on Linux and
Windows) or a switch forgetting the MAC (300 s, common default MAC aging) bring about."""
VLAN_WINDOW_S = 10.0
"""``verify``'s default window without an index (per-VLAN verdicts only)."""
NOTES_SHOWN = 20
"""Above this many not-seen NICs the table's notes become one summary line (--json keeps every reason)."""
_WIDE = 160
"""Columns for the VM table when the output is not a terminal (a file or pipe: rich would assume 80)."""


@dataclass(frozen=True)
class LearnedTable:
    """One interface's learned pairs, the map's counts (``table_fields``: inserts, live, capacity,
    partial, failed) and the line saying how partial the view is (``""`` when complete)."""

    interface: str
    entries: tuple[LearnedPair, ...]
    fields: dict[str, Any]
    note: str

    @property
    def partial(self) -> bool:
        return bool(self.fields.get("partial"))


def learning_available() -> bool:
    """Whether this build's counter learns MACs (``Counter.read_macs``)."""
    from trunkline.xdp.counter import Counter

    return hasattr(Counter, "read_macs")


def read_tables(counters: Iterable[Any]) -> list[LearnedTable]:
    """Read every counter's MAC table (:meth:`trunkline.xdp.counter.Counter.read_macs`)."""
    from trunkline.xdp.macs import partial_note, table_fields

    out = []
    for counter in counters:
        table = counter.read_macs()
        note = partial_note(table)
        if note:
            note = f"{counter.interface}: {note}; not-seen verdicts may be wrong"
        out.append(LearnedTable(counter.interface, tuple(table.entries), table_fields(table), note))
    return out


def live_vlans(snaps: Iterable[Snapshot]) -> set[int | None]:
    """VLANs with any frame (either direction) in *snaps* (cumulative since attach)."""
    return {vlan for snap in snaps for vlan, cell in snap.vlans.items() if cell.packets}


def nad_sets(nads: Sequence[NadVlans]) -> dict[str, VlanSet]:
    """NAD ``namespace/name`` -> its VLANs as the directory holds them."""
    return {n.name: VlanSet(n.ranges, n.untagged or not n.ranges) for n in nads if n.ranges or n.untagged}


def verdicts(index: PlanIndex, tables: Sequence[LearnedTable], snaps: Iterable[Snapshot],
             nads: Sequence[NadVlans]) -> VmVerdicts:
    """Every NIC of *index* judged against *tables*."""
    pairs = ((t.interface, e) for t in tables for e in t.entries)
    return judge(index.nics, pairs, nad_sets(nads), live_vlans(snaps))


_STYLE = {"seen": "green", "wrong-vlan": "bold red", "on-several-vlans": "yellow", "not-seen": "dim"}


def render(result: VmVerdicts | None, tables: Sequence[LearnedTable], console: Console) -> None:
    """The per-VM table (or, without an index, the MACs seen per VLAN) and the unplanned MACs."""
    for table in tables:
        if table.note:
            console.print(f"[yellow]warning[/]: {table.note}", soft_wrap=True)
    if result is None:
        if tables:
            _render_macs(tables, console)
        return
    rows: list[list[str | Text]] = []
    for v in result.nics:
        n = v.nic
        nad = f"{n.nad} ({v.nad_vlans.describe()})" if n.nad and v.nad_vlans else (n.nad or "-")
        seen = ", ".join(f"{vlan_text(s.vlan)} {s.direction} {s.packets:,}" for s in v.sightings) or "-"
        rows.append([n.vm, n.nic, n.mac or "-", n.expected.describe(),
                     Text(nad, style="bold red") if v.nad_mismatch else nad,
                     Text(v.state, style=_STYLE[v.state]), seen])
    # MACs and NAD names are what the reader acts on: never cut (wrapped around them, or stacked)
    headers = ("VM", "NIC", "MAC", "expected", "NAD", "verdict", "seen")
    print_trimmed(_wide(console), FittingTable("VM NICs of the plan", headers, rows, wide=6, whole=(2, 4, 5)))
    console.print("seen: VLAN, direction, frames; rx = received across the trunk (the VM is still on vSphere "
                  "or on another node), tx = sent (the VM runs on this node)", soft_wrap=True)
    counts = result.counts()
    console.print("VM NICs: " + ", ".join(f"{counts[s]} {s}" for s in counts), soft_wrap=True)
    for v in result.nics:
        if v.severity in ("error", "warning"):
            console.print(f"[{'bold red' if v.severity == 'error' else 'yellow'}]{v.severity}[/]: "
                          f"{_named(v)}", soft_wrap=True)
    noted = [v for v in result.nics if v.state == "not-seen" or (v.state == "seen" and v.nic.quiet_reason)]
    if len(noted) <= NOTES_SHOWN:
        for v in noted:
            console.print(f"note: {_named(v)}", soft_wrap=True)
    else:
        unseen = [v for v in noted if v.state == "not-seen"]
        quiet = sum(1 for v in unseen if v.nic.quiet_reason)
        live = sum(1 for v in unseen if not v.nic.quiet_reason and v.vlan_live)
        silent = len(unseen) - quiet - live
        console.print(f"note: not seen: {live:,} VM NIC(s) on a live VLAN sent nothing, "
                      f"{silent:,} are on VLANs silent here, {quiet:,} are expected quiet "
                      f"(powered off, templates, disconnected); {len(noted) - len(unseen):,} seen though the "
                      "inventory says they are quiet; --json gives the reason for each", soft_wrap=True)
    for row in result.strangers:
        shown = ", ".join(f"{m} ({s.packets:,} {s.direction})" for m, s in zip(row.macs, row.busiest,
                                                                                   strict=True))
        console.print(f"VLAN {vlan_text(row.vlan)}: {row.count} MAC(s) of no VM NIC in the plan (routers, "
                      f"hosts, VMs outside the plan); busiest: {shown}", soft_wrap=True)


def _wide(console: Console) -> Console:
    """*console*, or for a file or pipe (where rich assumes 80 columns) one as wide as :data:`_WIDE`."""
    return console if console.is_terminal else Console(file=console.file, highlight=False, width=_WIDE)


def _render_macs(tables: Sequence[LearnedTable], console: Console) -> None:
    grid = Table(title="source MACs seen per VLAN (no plan index here: per-VM verdicts need a directory "
                       "written by `trunkline plan`)")
    for name in ("interface", "VLAN", "MAC", "direction", "packets", "bytes"):
        grid.add_column(name)
    for table in tables:
        rows = sorted(table.entries, key=lambda e: (-1 if e.vlan is None else e.vlan, -e.packets, e.mac))
        for e in rows:
            grid.add_row(table.interface, vlan_text(e.vlan), e.mac, e.direction, f"{e.packets:,}",
                         f"{e.bytes:,}")
    _wide(console).print(grid)


def json_fields(result: VmVerdicts | None, tables: Sequence[LearnedTable]) -> dict[str, Any]:
    """Fields ``verify --json`` adds: ``vm_nics`` (one per NIC: ``state`` ...), ``vm_counts``,
    ``unplanned_macs`` with an index; ``macs`` without; ``mac_tables`` always."""
    out: dict[str, Any] = {
        "mac_tables": [{"interface": t.interface, **t.fields} for t in tables],
    }
    if result is None:
        out["macs"] = [{"interface": t.interface, "direction": e.direction, "vlan": e.vlan, "mac": e.mac,
                        "packets": e.packets, "bytes": e.bytes, "last_seen": round(e.last_seen, 3)}
                       for t in tables for e in t.entries]
        return out
    out["vm_nics"] = [v.to_json() for v in result.nics]
    out["vm_counts"] = result.counts()
    out["unplanned_macs"] = [row.to_json() for row in result.strangers]
    return out


def error_line(result: VmVerdicts, plan_dir: Path) -> str:
    """The exit-1 line for *result*'s errors (first one named, the rest counted)."""
    first = result.errors[0]
    more = f" (and {len(result.errors) - 1} more VM NIC error(s))" if len(result.errors) > 1 else ""
    fix = ("fix the NAD or the VM's network in the plan" if first.state != "wrong-vlan"
           else "check the VM's NAD and the switch port")
    return f"{_named(first)}{more}; {fix} ({plan_dir})"


def _named(verdict: NicVerdict) -> str:
    """The verdict's message, starting with the VM and NIC it is about."""
    text = verdict.message()
    return text if text.startswith("VM ") else f"VM {verdict.nic.vm} {verdict.nic.nic}: {text}"
