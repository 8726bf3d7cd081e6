"""How `trunkline count` shows its counts: tables (live or plain text), a line per interval, JSON lines.

The view functions are pure (``Interval`` in, rows/strings/rich renderables out); the :class:`Output`
classes write them: :class:`LiveOutput` refreshes one table in place on a terminal (rich ``Live``),
:class:`PlainOutput` prints a text block per interval when stdout is not a terminal (a pipe, a log),
:class:`JsonOutput` prints ``docs/design.md``'s records, one JSON object per line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Literal

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from trunkline.xdp import ethertypes, protocols
from trunkline.xdp.stats import Cell, Interval, Row, record

By = Literal["protocol", "vlan", "total"]

BAR_WIDTH = 20
"""Characters of the share bar at 100 %."""


# --- numbers -----------------------------------------------------------------------------------------


def integer(value: int) -> str:
    """*value* with thousands separators: ``1234567`` -> ``1,234,567``."""
    return f"{value:,}"


def si(value: float, unit: str) -> str:
    """*value* scaled to k/M/G/T (powers of 1000) with three significant figures: ``(12345, "bit/s")`` ->
    ``12.3 kbit/s``; below 1000 shown with one decimal (``9.5 bit/s``)."""
    for prefix, factor in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= factor:
            scaled = value / factor
            digits = 2 if round(abs(scaled), 2) < 10 else 1 if round(abs(scaled), 1) < 100 else 0
            return f"{scaled:.{digits}f} {prefix}{unit}"
    return f"{value:.1f} {unit}"


def share(part: int, whole: int) -> float:
    """*part* as a fraction of *whole* (0.0 when *whole* is 0)."""
    return part / whole if whole else 0.0


def bar(fraction: float, width: int = BAR_WIDTH, full: str = "█", empty: str = " ") -> str:
    """A bar of *width* characters filled in proportion to *fraction* (0.0-1.0); any non-zero share
    shows at least one character."""
    cells = round(fraction * width)
    if fraction > 0 and cells == 0:
        cells = 1
    return full * cells + empty * (width - cells)


# --- rows --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewRow:
    """One line of a table: labels and the row's figures.

    Attributes:
        family: ``ipv4`` / ``ipv6`` for protocol rows, ``eth`` for EtherType rows, empty otherwise.
        label: the protocol keyword, EtherType name, VLAN ID, ``untagged``, ``truncated`` or ``total``.
        number: the protocol number, the EtherType in hex, or empty.
        row: the figures (cumulative and over the last interval).
    """

    family: str
    label: str
    number: str
    row: Row[Any]


def protocol_rows(interval: Interval) -> list[ViewRow]:
    """Protocol, EtherType and truncated rows of *interval* together, non-zero only, most packets first.

    They add up to the total (``docs/design.md``'s counting rules). Frames whose Type/Length field is a
    length (802.3 frames with an LLC header: STP, CDP, ...) share one row, ``802.3-LLC``, number ``<=1500``.
    """
    rows: list[ViewRow] = []
    for prow in interval.protocols:
        family, number = prow.key
        rows.append(ViewRow(family, protocols.keyword(number), str(number), prow))
    lengths: list[Row[int]] = []
    for erow in interval.ethertypes:
        if erow.key <= ethertypes.MAX_LENGTH:
            lengths.append(erow)
        else:
            rows.append(ViewRow("eth", ethertypes.name(erow.key), ethertypes.hex_value(erow.key), erow))
    if lengths:  # 802.3 frames: one row, whatever their length field says
        cumulative, delta = Cell(), Cell()
        for lrow in lengths:
            cumulative, delta = cumulative + lrow.cumulative, delta + lrow.interval
        rows.append(ViewRow("eth", ethertypes.LLC_NAME, f"<={ethertypes.MAX_LENGTH}",
                            Row(None, cumulative, delta, interval.seconds)))
    if interval.truncated.cumulative:
        rows.append(ViewRow("", "truncated", "", interval.truncated))
    rows.sort(key=lambda v: (-v.row.cumulative.packets, -v.row.cumulative.bytes))
    return rows


def vlan_rows(interval: Interval) -> list[ViewRow]:
    """One row per outer VLAN ID (``untagged``: no tag), non-zero only, most packets first."""
    return [
        ViewRow("", "untagged" if vrow.key is None else str(vrow.key), "", vrow)
        for vrow in interval.vlans
    ]


def total_row(interval: Interval) -> ViewRow:
    """The totals row of *interval*."""
    return ViewRow("", "total", "", interval.total)


def title(interval: Interval, summary: bool = False) -> str:
    """Heading of one counter's table: interface, direction, hook, and the interval or run it covers."""
    cur = interval.current
    hook = cur.hook if cur.mode is None else f"{cur.hook} {cur.mode}"
    clock = datetime.fromtimestamp(cur.time).strftime("%H:%M:%S")
    span = f"summary of {interval.seconds:.2f} s" if summary else f"last {interval.seconds:.2f} s"
    return f"{cur.interface} {cur.direction} ({hook}) at {clock}, {span}"


def _cells(view: ViewRow, total_packets: int, by: By, plain: bool) -> list[str]:
    row = view.row
    fraction = share(row.cumulative.packets, total_packets)
    shown_bar = bar(fraction, full="#" if plain else "█")
    first = [view.family, view.label, view.number] if by == "protocol" else [view.label]
    return [
        *first,
        integer(row.cumulative.packets),
        integer(row.cumulative.bytes),
        f"{row.packets_per_s:,.1f}",
        si(row.bits_per_s, "bit/s"),
        f"{shown_bar} {fraction * 100:5.1f}%",
    ]


def _headers(by: By) -> list[str]:
    first = ["family", "protocol", "number"] if by == "protocol" else ["VLAN"]
    return [*first, "packets", "bytes", "packets/s", "bits/s", "share"]


def table_lines(interval: Interval, by: By) -> tuple[list[str], list[list[str]], list[str]]:
    """Headers, body rows and the totals row of *interval*'s table as plain strings (*by* protocol|vlan)."""
    views = protocol_rows(interval) if by == "protocol" else vlan_rows(interval)
    total = interval.total.cumulative.packets
    body = [_cells(v, total, by, plain=True) for v in views]
    totals = _cells(total_row(interval), total, by, plain=True)
    totals[-1] = ""
    return _headers(by), body, totals


_RIGHT = {"number", "packets", "bytes", "packets/s", "bits/s", "VLAN"}


def plain_table(interval: Interval, by: By, summary: bool = False) -> str:
    """*interval*'s table as aligned plain text (no colour, no cursor movement), heading first."""
    headers, body, totals = table_lines(interval, by)
    lines = [headers, *body, totals]
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]

    def fmt(line: list[str]) -> str:
        cells = [
            cell.rjust(width) if header in _RIGHT else cell.ljust(width)
            for cell, width, header in zip(line, widths, headers, strict=True)
        ]
        return "  ".join(cells).rstrip()

    out = [title(interval, summary), fmt(headers), *(fmt(line) for line in body), fmt(totals)]
    return "\n".join(out)


def rich_table(interval: Interval, by: By, summary: bool = False) -> Table:
    """*interval*'s table for a terminal: rows sorted by packets, a share bar, a totals footer."""
    views = protocol_rows(interval) if by == "protocol" else vlan_rows(interval)
    total = interval.total.cumulative.packets
    table = Table(title=title(interval, summary), title_justify="left", show_footer=True, expand=False)
    totals = _cells(total_row(interval), total, by, plain=False)
    totals[-1] = ""
    for header, footer in zip(_headers(by), totals, strict=True):
        table.add_column(header, footer=footer, justify="right" if header in _RIGHT else "left",
                         no_wrap=True)
    for view in views:
        table.add_row(*_cells(view, total, by, plain=False))
    return table


def total_line(interval: Interval, summary: bool = False) -> str:
    """The seed's one line per interval: ``eth0 rx: received 52 packets (4,368 bytes); last 1.00 s:
    10 packets, 10.0 packets/s, 6.7 kbit/s``. With *summary*, the figures cover the whole run."""
    cur = interval.current
    verb = "received" if cur.direction == "rx" else "sent"
    total = interval.total
    span = f"in {interval.seconds:.2f} s" if summary else f"last {interval.seconds:.2f} s"
    head = f"{cur.interface} {cur.direction}{' summary' if summary else ''}"
    return (
        f"{head}: {verb} {integer(total.cumulative.packets)} packets "
        f"({integer(total.cumulative.bytes)} bytes); "
        f"{span}: {integer(total.interval.packets)} packets, {total.packets_per_s:,.1f} packets/s, "
        f"{si(total.bits_per_s, 'bit/s')}"
    )


# --- outputs -----------------------------------------------------------------------------------------


class Output:
    """Where the intervals go. ``interval()`` is called once per interval with one :class:`Interval` per
    counter and direction; ``summary()`` once at the end with the whole run's intervals; ``close()`` last."""

    def interval(self, intervals: Sequence[Interval]) -> None:
        """Show one interval of every counter and direction."""
        raise NotImplementedError

    def summary(self, intervals: Sequence[Interval]) -> None:
        """Show the whole run (attach to last read) of every counter and direction."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the terminal (stop refreshing)."""


class JsonOutput(Output):
    """``docs/design.md``'s records, one JSON object per line, flushed per interval."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def _write(self, intervals: Sequence[Interval], kind: Literal["interval", "summary"]) -> None:
        for item in intervals:
            self.stream.write(json.dumps(record(item, kind), separators=(",", ":")) + "\n")
        self.stream.flush()

    def interval(self, intervals: Sequence[Interval]) -> None:
        self._write(intervals, "interval")

    def summary(self, intervals: Sequence[Interval]) -> None:
        self._write(intervals, "summary")


class PlainOutput(Output):
    """Plain text per interval (for pipes and logs): a table per counter and direction, or one line each
    for ``--by total``; blocks separated by a blank line."""

    def __init__(self, stream: IO[str], by: By) -> None:
        self.stream = stream
        self.by = by

    def _write(self, intervals: Sequence[Interval], summary: bool) -> None:
        if self.by == "total":
            text = "\n".join(total_line(item, summary) for item in intervals)
        else:
            text = "\n\n".join(plain_table(item, self.by, summary) for item in intervals) + "\n"
        self.stream.write(text + "\n")
        self.stream.flush()

    def interval(self, intervals: Sequence[Interval]) -> None:
        self._write(intervals, summary=False)

    def summary(self, intervals: Sequence[Interval]) -> None:
        self._write(intervals, summary=True)


class LiveOutput(Output):
    """A terminal view refreshed in place (rich ``Live``): the tables of every counter and direction; at
    the end it is replaced by the summary, which stays on screen. ``--by total`` prints lines instead."""

    def __init__(self, console: Console, by: By) -> None:
        self.console = console
        self.by = by
        self.live: Live | None = None
        if by != "total":
            self.live = Live(Text("waiting for the first interval..."), console=console,
                             auto_refresh=False, transient=False)
            self.live.start()

    def _render(self, intervals: Sequence[Interval], summary: bool) -> Group:
        return Group(*(rich_table(item, self.by, summary) for item in intervals))

    def interval(self, intervals: Sequence[Interval]) -> None:
        if self.live is None:
            for item in intervals:
                self.console.print(total_line(item), highlight=False)
            return
        self.live.update(self._render(intervals, summary=False), refresh=True)

    def summary(self, intervals: Sequence[Interval]) -> None:
        if self.live is None:
            for item in intervals:
                self.console.print(total_line(item, summary=True), highlight=False)
            return
        self.live.update(self._render(intervals, summary=True), refresh=True)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
