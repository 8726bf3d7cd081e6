"""How `trunkline count` shows its counts: tables (live or plain text), a line per interval, JSON lines.

The view functions are pure (``Interval`` in, rows/strings/rich renderables out); the :class:`Output`
classes write them: :class:`LiveOutput` refreshes one table in place on a terminal (rich ``Live``),
:class:`PlainOutput` prints a text block per interval when stdout is not a terminal (a pipe, a log),
:class:`JsonOutput` prints ``docs/design.md``'s records, one JSON object per line.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Literal

from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from trunkline.xdp import ethertypes, macview, protocols
from trunkline.xdp.stats import Cell, Interval, Row, record

By = Literal["protocol", "vlan", "total", "mac"]

BAR_WIDTH = 20
"""Characters of the share bar at 100 %."""


# --- numbers -----------------------------------------------------------------------------------------


def integer(value: int) -> str:
    """*value* with thousands separators: ``1234567`` -> ``1,234,567``."""
    return f"{value:,}"


def counted(value: int, noun: str) -> str:
    """*value* with separators and *noun*, plural unless *value* is 1: ``(1, "packet")`` -> ``1 packet``,
    ``(1234, "byte")`` -> ``1,234 bytes``."""
    return f"{integer(value)} {noun if value == 1 else noun + 's'}"


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
        if ethertypes.is_llc(erow.key):
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


def _cells(view: ViewRow, total_packets: int, by: By, plain: bool,
           bar_width: int | None = BAR_WIDTH) -> list[str]:
    """The row's cells; the last is the share: a bar of *bar_width* characters and the percentage
    (*bar_width* 0: the percentage only; ``None``: no share cell)."""
    row = view.row
    fraction = share(row.cumulative.packets, total_packets)
    first = [view.family, view.label, view.number] if by == "protocol" else [view.label]
    cells = [
        *first,
        integer(row.cumulative.packets),
        integer(row.cumulative.bytes),
        f"{row.packets_per_s:,.1f}",
        si(row.bits_per_s, "bit/s"),
    ]
    if bar_width is None:
        return cells
    percent = f"{fraction * 100:5.1f}%"
    if bar_width == 0:
        return [*cells, percent]
    return [*cells, f"{bar(fraction, bar_width, full='#' if plain else '█')} {percent}"]


def _headers(by: By, share_column: bool = True) -> list[str]:
    first = ["family", "protocol", "number"] if by == "protocol" else ["VLAN"]
    return [*first, "packets", "bytes", "packets/s", "bits/s", *(["share"] if share_column else [])]


def table_lines(interval: Interval, by: By) -> tuple[list[str], list[list[str]], list[str]]:
    """Headers, body rows and the totals row of *interval*'s table as plain strings (*by* protocol|vlan)."""
    views = protocol_rows(interval) if by == "protocol" else vlan_rows(interval)
    total = interval.total.cumulative.packets
    body = [_cells(v, total, by, plain=True) for v in views]
    totals = _cells(total_row(interval), total, by, plain=True)
    totals[-1] = ""
    return _headers(by), body, totals


_RIGHT = {"number", "packets", "bytes", "packets/s", "bits/s", "VLAN"}
_LABELS = {"family", "protocol", "VLAN"}
"""Columns a table too narrow for every figure may cut (with an ellipsis); figures are never cut."""


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


MIN_BAR = 5
"""Narrowest share bar worth drawing, characters; narrower terminals show the percentage alone."""


def _build_table(interval: Interval, by: By, summary: bool, bar_width: int | None, boxed: bool,
                 fixed: bool = False) -> Table:
    views = protocol_rows(interval) if by == "protocol" else vlan_rows(interval)
    total = interval.total.cumulative.packets
    body = [_cells(v, total, by, plain=False, bar_width=bar_width) for v in views]
    totals = _cells(total_row(interval), total, by, plain=False, bar_width=bar_width)
    headers = _headers(by, share_column=bar_width is not None)
    if bar_width is not None:
        totals[-1] = ""
    if boxed:
        table = Table(title=title(interval, summary), title_justify="left", show_footer=True, expand=False)
    else:  # no vertical rules and no outer padding: two spaces between columns, as in the plain table
        table = Table(title=title(interval, summary), title_justify="left", show_footer=True, expand=False,
                      box=box.SIMPLE, show_edge=False, pad_edge=False, padding=(0, 1),
                      collapse_padding=True)
    for header, footer in zip(headers, totals, strict=True):
        give_way = fixed and header in _LABELS  # rich narrows only wrappable columns before the others
        table.add_column(header, footer=footer, justify="right" if header in _RIGHT else "left",
                         no_wrap=not give_way, overflow="ellipsis", min_width=4 if give_way else None)
    for cells in body:
        table.add_row(*cells)
    return table


def rich_table(interval: Interval, by: By, summary: bool = False, width: int | None = None) -> Table:
    """*interval*'s table for a terminal *width* columns wide (``None``: unlimited): rows sorted by
    packets, a share bar, a totals footer.

    Figures are never cut. When the table does not fit, the share bar shrinks (to :data:`MIN_BAR`),
    then goes (the percentage stays), then the boxed style gives way to a borderless one (two spaces
    between columns), then the share column goes; as a last resort the label columns (family,
    protocol, VLAN) are cut.
    """
    if width is None:
        return _build_table(interval, by, summary, BAR_WIDTH, boxed=True)
    console = Console(width=max(width, 1_000), file=io.StringIO())
    for boxed, bar_width in ((True, 0), (False, 0), (False, None)):
        table = _build_table(interval, by, summary, bar_width, boxed)
        spare = width - Measurement.get(console, console.options, table).maximum
        if bar_width == 0 and spare >= MIN_BAR + 1:  # measured without a bar: the room left is the bar's
            return _build_table(interval, by, summary, min(BAR_WIDTH, spare - 1), boxed)
        if spare >= 0:
            return table
    return _build_table(interval, by, summary, None, boxed=False, fixed=True)


def total_line(interval: Interval, summary: bool = False) -> str:
    """The seed's one line per interval: ``eth0 rx: received 52 packets (4,368 bytes); last 1.00 s:
    10 packets, 10.0 packets/s, 6.7 kbit/s``. With *summary*, the figures cover the whole run."""
    cur = interval.current
    verb = "received" if cur.direction == "rx" else "sent"
    total = interval.total
    span = f"in {interval.seconds:.2f} s" if summary else f"last {interval.seconds:.2f} s"
    head = f"{cur.interface} {cur.direction}{' summary' if summary else ''}"
    return (
        f"{head}: {verb} {counted(total.cumulative.packets, 'packet')} "
        f"({counted(total.cumulative.bytes, 'byte')}); "
        f"{span}: {counted(total.interval.packets, 'packet')}, {total.packets_per_s:,.1f} packets/s, "
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


def mac_notes(interval: Interval) -> list[str]:
    """With MAC learning on, the lines that follow a protocol/VLAN/total view: the MAC table's figures,
    and a warning when it is partial; nothing without learning."""
    return macview.notes(interval) if interval.current.macs is not None else []


class PlainOutput(Output):
    """Plain text per interval (for pipes and logs): a table per counter and direction, or one line each
    for ``--by total``; blocks separated by a blank line. With MAC learning, ``--by mac`` shows the
    learned pairs and the other views end with the MAC table's figures."""

    def __init__(self, stream: IO[str], by: By) -> None:
        self.stream = stream
        self.by = by

    def _block(self, item: Interval, summary: bool) -> str:
        if self.by == "mac":
            return macview.plain(item, title(item, summary))
        if self.by == "total":
            return "\n".join([total_line(item, summary), *mac_notes(item)])
        return "\n".join([plain_table(item, self.by, summary), *mac_notes(item)])

    def _write(self, intervals: Sequence[Interval], summary: bool) -> None:
        if self.by == "total":
            text = "\n".join(self._block(item, summary) for item in intervals)
        else:
            text = "\n\n".join(self._block(item, summary) for item in intervals) + "\n"
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
        width = self.console.size.width
        parts: list[Any] = []
        for item in intervals:
            if self.by == "mac":
                parts.append(macview.rich(item, title(item, summary)))
                continue
            parts.append(rich_table(item, self.by, summary, width))
            parts.extend(Text(line, style="dim") for line in mac_notes(item))
        return Group(*parts)

    def _lines(self, intervals: Sequence[Interval], summary: bool) -> None:
        for item in intervals:
            self.console.print(total_line(item, summary), highlight=False)
            for line in mac_notes(item):
                self.console.print(line, highlight=False)

    def interval(self, intervals: Sequence[Interval]) -> None:
        if self.live is None:
            self._lines(intervals, summary=False)
            return
        self.live.update(self._render(intervals, summary=False), refresh=True)

    def summary(self, intervals: Sequence[Interval]) -> None:
        if self.live is None:
            self._lines(intervals, summary=True)
            return
        self.live.update(self._render(intervals, summary=True), refresh=True)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
