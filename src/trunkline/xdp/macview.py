"""How `trunkline count --by mac` shows learned (VLAN, source MAC) pairs: per VLAN, the MACs seen with
their counts and ages, as plain text or a rich table (pure: an :class:`Interval` in, strings or
renderables out). Every view says when the MAC table is partial.
"""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from trunkline.xdp.macs import MacEntry, MacTable, by_vlan, partial_note
from trunkline.xdp.stats import Interval

HEADERS = ["VLAN", "MAC", "packets", "bytes", "first seen", "last seen"]
_RIGHT = {"packets", "bytes", "first seen", "last seen"}


def age_text(seconds: float) -> str:
    """An age for people: ``0.4 s ago``, ``12 s ago``, ``3 min 20 s ago``, ``2 h 5 min ago``,
    ``3 d 4 h ago`` (negative ages, from clock steps, show as ``now``)."""
    if seconds < 0.05:
        return "now"
    if seconds < 10:
        return f"{seconds:.1f} s ago"
    whole = int(seconds)
    for unit, size, sub_unit, sub_size in (("d", 86400, "h", 3600), ("h", 3600, "min", 60),
                                           ("min", 60, "s", 1)):
        if whole >= size:
            return f"{whole // size} {unit} {whole % size // sub_size} {sub_unit} ago"
    return f"{whole} s ago"


def table_line(table: MacTable, entries: int) -> str:
    """The line under a MAC view: pairs shown, pairs in the table, capacity, learned in total."""
    pairs = f"{entries:,} pair{'' if entries == 1 else 's'}"
    return (f"MAC table: {pairs} in this direction; {table.live:,} of {table.capacity:,} in the table "
            f"(both directions), {table.inserts:,} learned since attach")


def rows(interval: Interval) -> list[list[str]]:
    """The rows of *interval*'s MAC view: per VLAN (untagged first), most packets first; ages count
    back from the read's time."""
    macs = interval.current.macs
    if macs is None:
        return []
    now = interval.current.time
    out: list[list[str]] = []
    for vlan, entries in by_vlan(macs.of(interval.current.direction)).items():
        for entry in entries:
            out.append(_cells(vlan, entry, now))
    return out


def _cells(vlan: int | None, entry: MacEntry, now: float) -> list[str]:
    return ["untagged" if vlan is None else str(vlan), entry.mac, f"{entry.packets:,}", f"{entry.bytes:,}",
            age_text(now - entry.first_seen), age_text(now - entry.last_seen)]


def notes(interval: Interval) -> list[str]:
    """The lines under the view: the table's figures, and what is missing when it is partial."""
    macs = interval.current.macs
    if macs is None:
        return ["MAC learning is off: add --macs"]
    lines = [table_line(macs, len(macs.of(interval.current.direction)))]
    note = partial_note(macs)
    if note:
        lines.append(note)
    return lines


def plain(interval: Interval, title: str) -> str:
    """*interval*'s MAC view as aligned plain text: *title*, the rows, the notes."""
    body = rows(interval)
    lines = [HEADERS, *body]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADERS))]

    def fmt(line: list[str]) -> str:
        return "  ".join(cell.rjust(w) if h in _RIGHT else cell.ljust(w)
                         for cell, w, h in zip(line, widths, HEADERS, strict=True)).rstrip()

    shown = [fmt(line) for line in lines] if body else ["no MACs learned yet"]
    return "\n".join([title, *shown, *notes(interval)])


def rich(interval: Interval, title: str) -> Group:
    """*interval*'s MAC view for a terminal: a table per VLAN group, then the notes (partial in red)."""
    table = Table(title=title, title_justify="left", box=box.SIMPLE, show_edge=False, pad_edge=False)
    for header in HEADERS:
        table.add_column(header, justify="right" if header in _RIGHT else "left", no_wrap=True)
    previous: str | None = None
    for cells in rows(interval):
        table.add_row(*([""] + cells[1:] if cells[0] == previous else cells))
        previous = cells[0]
    parts: list[Table | Text] = [table]
    for i, line in enumerate(notes(interval)):
        parts.append(Text(line, style="bold red" if i else "dim"))
    return Group(*parts)
