"""Pure tests of `trunkline count`'s views and run loop.

The run loop is driven here by a scripted stand-in for the eBPF counter and a fake clock, so that the
number of intervals and their lengths are exact; the real counter is exercised end to end in
tests/test_count_cli.py.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from trunkline.errors import EnvironmentProblem
from trunkline.xdp import render, session
from trunkline.xdp.stats import Cell, Interval, Snapshot

ZERO = Cell()


def snap(ns: int, udp: Cell, icmp: Cell = ZERO, lldp: Cell = ZERO, vlan40: Cell = ZERO,
         direction: str = "rx") -> Snapshot:
    protocols = {k: v for k, v in ((("ipv4", 17), udp), (("ipv6", 58), icmp)) if v}
    ethertypes = {0x88CC: lldp} if lldp else {}
    untagged = udp + icmp + lldp - vlan40
    vlans = {k: v for k, v in ((None, untagged), (40, vlan40)) if v}
    return Snapshot("veth0", 7, direction, "xdp", "generic", ns, 1_700_000_000.0 + ns / 1e9,  # type: ignore[arg-type]
                    vlans, protocols, ethertypes)


INTERVAL = Interval(
    snap(0, Cell(0, 0)),
    snap(2_000_000_000, Cell(300, 30_000), icmp=Cell(100, 11_800), lldp=Cell(1, 60),
         vlan40=Cell(100, 11_800)),
)


def test_si_units_scale_by_thousands() -> None:
    assert render.si(0, "bit/s") == "0.0 bit/s"
    assert render.si(999.94, "bit/s") == "999.9 bit/s"
    assert render.si(12_345, "bit/s") == "12.3 kbit/s"
    assert render.si(1_500_000, "bit/s") == "1.50 Mbit/s"
    assert render.si(99_960, "bit/s") == "100 kbit/s"
    assert render.si(9_999, "bit/s") == "10.0 kbit/s"
    assert render.si(250e9, "bit/s") == "250 Gbit/s"


def test_share_bar_shows_any_nonzero_share() -> None:
    assert render.bar(0.5, width=10) == "█████     "
    assert render.bar(0.001, width=10) == "█         "
    assert render.bar(0.0, width=4) == "    "


def test_protocol_table_in_plain_text() -> None:
    text = render.plain_table(INTERVAL, "protocol")
    lines = text.splitlines()
    assert lines[0].startswith("veth0 rx (xdp generic) at ")
    assert lines[0].endswith(", last 2.00 s")
    assert lines[1:] == [
        "family  protocol   number  packets   bytes  packets/s       bits/s  share",
        "ipv4    UDP            17      300  30,000      150.0   120 kbit/s  ###############       74.8%",
        "ipv6    IPv6-ICMP      58      100  11,800       50.0  47.2 kbit/s  #####                 24.9%",
        "eth     LLDP       0x88cc        1      60        0.5  240.0 bit/s  #                      0.2%",
        "        total                  401  41,860      200.5   167 kbit/s",
    ]


def test_vlan_table_in_plain_text() -> None:
    lines = render.plain_table(INTERVAL, "vlan").splitlines()
    assert lines[1:] == [
        "    VLAN  packets   bytes  packets/s       bits/s  share",
        "untagged      301  30,060      150.5   120 kbit/s  ###############       75.1%",
        "      40      100  11,800       50.0  47.2 kbit/s  #####                 24.9%",
        "   total      401  41,860      200.5   167 kbit/s",
    ]


def test_total_line_is_the_seeds_received_n_packets() -> None:
    assert render.total_line(INTERVAL) == (
        "veth0 rx: received 401 packets (41,860 bytes); last 2.00 s: 401 packets, 200.5 packets/s, 167 kbit/s"
    )


def test_one_packet_and_one_byte_are_singular() -> None:
    one = Interval(snap(0, ZERO), snap(1_210_000_000, Cell(1, 1)))
    assert render.total_line(one, summary=True) == (
        "veth0 rx summary: received 1 packet (1 byte); in 1.21 s: 1 packet, 0.8 packets/s, 6.6 bit/s")
    assert render.counted(0, "packet") == "0 packets"
    assert render.counted(2_000, "byte") == "2,000 bytes"


def test_rich_table_has_a_row_per_slot_and_a_totals_footer() -> None:
    table = render.rich_table(INTERVAL, "protocol")
    assert table.row_count == 3
    assert [c.header for c in table.columns][:3] == ["family", "protocol", "number"]
    assert [c.footer for c in table.columns][1:4] == ["total", "", "401"]


# --- the run loop ------------------------------------------------------------------------------------


@dataclass
class FakeClock:
    """Monotonic seconds that advance only when the run waits."""

    now: float = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeStop:
    """Stands in for threading.Event: waiting advances the fake clock; set after *set_after* waits."""

    clock: FakeClock
    set_after: int | None = None
    waits: list[float] = field(default_factory=list)
    flag: bool = False

    def wait(self, timeout: float) -> bool:
        self.waits.append(round(timeout, 6))
        if self.set_after is not None and len(self.waits) >= self.set_after:
            self.clock.now += timeout / 2  # the signal arrives half-way through
            self.flag = True
        else:
            self.clock.now += timeout
        return self.flag

    def is_set(self) -> bool:
        return self.flag


class Gone(EnvironmentProblem):
    def __init__(self, last: list[Snapshot]) -> None:
        super().__init__("interface veth0 vanished")
        self.last = last


@dataclass
class ScriptedCounter:
    """Answers each read with 10 more UDP packets of 100 bytes, stamped with the fake clock."""

    clock: FakeClock
    interface: str = "veth0"
    vanish_on_read: int | None = None
    reads: int = 0
    before_first_read: int = 0  # UDP packets counted between attaching and the first read

    def read(self) -> list[Snapshot]:
        if self.vanish_on_read is not None and self.reads + 1 >= self.vanish_on_read:
            n = self.reads - 1
            raise Gone([snap(int(self.clock.now * 1e9), Cell(10 * n, 1000 * n))])
        n = self.reads
        self.reads += 1
        head = self.before_first_read
        return [snap(int(self.clock.now * 1e9), Cell(head + 10 * n, 100 * head + 1000 * n))]


def run_json(
    counter: ScriptedCounter, clock: FakeClock, stop: FakeStop, duration: float | None
) -> Iterator[dict]:
    out = io.StringIO()
    try:
        session.run([counter], render.JsonOutput(out), 1.0, duration, stop, clock)  # type: ignore[arg-type]
    finally:
        records = [json.loads(line) for line in out.getvalue().splitlines()]
    return iter(records)


def test_duration_gives_one_record_per_interval_then_the_summary() -> None:
    clock = FakeClock()
    stop = FakeStop(clock)
    records = list(run_json(ScriptedCounter(clock), clock, stop, duration=2.5))
    assert [r["record"] for r in records] == ["interval", "interval", "interval", "summary"]
    assert [r["interval_s"] for r in records] == [1.0, 1.0, 0.5, 2.5]
    assert [r["total"]["packets_interval"] for r in records] == [10, 10, 10, 30]
    assert records[2]["total"]["packets_per_s"] == 20.0
    assert records[-1]["total"]["packets_per_s"] == 12.0
    assert stop.waits == [1.0, 1.0, 0.5]


def test_frames_between_attach_and_first_read_are_in_the_first_interval_and_the_summary() -> None:
    clock = FakeClock()  # the run starts at 100.0 s; the counter was attached at 99.5 s
    counter = ScriptedCounter(clock, before_first_read=7)
    out = io.StringIO()
    session.run([counter], render.JsonOutput(out), 1.0, 2.0, FakeStop(clock), clock,  # type: ignore[arg-type]
                attached=[(99_500_000_000, 1_700_000_099.5)])
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["record"], r["interval_s"]) for r in records] == [
        ("interval", 1.0), ("interval", 1.0), ("summary", 2.0)]
    assert [r["total"]["packets_interval"] for r in records] == [17, 10, 27]
    summary = records[-1]
    assert summary["start_time"] == 1_700_000_099.5
    assert (summary["total"]["packets"], summary["total"]["packets_interval"]) == (27, 27)
    assert (summary["total"]["bytes"], summary["total"]["bytes_interval"]) == (2_700, 2_700)
    assert summary["total"]["packets_per_s"] == 13.5
    assert summary["protocols"][0]["packets_interval"] == 27


def test_stop_signal_mid_interval_shows_the_partial_interval_then_the_summary() -> None:
    clock = FakeClock()
    stop = FakeStop(clock, set_after=2)
    records = list(run_json(ScriptedCounter(clock), clock, stop, duration=None))
    assert [(r["record"], r["interval_s"]) for r in records] == [
        ("interval", 1.0), ("interval", 0.5), ("summary", 1.5)]
    assert records[-1]["total"]["packets"] == 20


def test_vanished_interface_reports_counts_so_far_then_raises() -> None:
    clock = FakeClock()
    counter = ScriptedCounter(clock, vanish_on_read=4)
    out = io.StringIO()
    with pytest.raises(Gone, match="vanished"):
        session.run([counter], render.JsonOutput(out), 1.0, None, FakeStop(clock), clock)  # type: ignore[arg-type]
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["record"] for r in records] == ["interval", "interval", "interval", "summary"]
    assert records[-1]["total"]["packets"] == 20


def test_8023_length_frames_share_one_table_row() -> None:
    after = Snapshot("veth0", 7, "rx", "xdp", "generic", 1_000_000_000, 1.0,
                     {None: Cell(4, 282)}, {}, {38: Cell(2, 120), 0x0806: Cell(1, 42), 100: Cell(1, 120)})
    rows = render.protocol_rows(Interval(snap(0, ZERO), after))
    assert [(v.family, v.label, v.number, v.row.cumulative) for v in rows] == [
        ("eth", "802.3-LLC", "<=1500", Cell(3, 240)),
        ("eth", "ARP", "0x0806", Cell(1, 42)),
    ]


def test_live_view_on_a_terminal_ends_with_the_summary_table() -> None:
    from rich.console import Console

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120, color_system=None)
    live = render.LiveOutput(console, "protocol")
    live.interval([INTERVAL])
    live.summary([INTERVAL])
    live.close()
    text = screen.getvalue()
    assert "\x1b[" in text  # cursor movement: refreshed in place
    last = text[text.rindex("summary of 2.00 s"):]
    assert "│ ipv4   │ UDP       │     17 │     300 │ 30,000 │" in last
    assert "│ total     │" in last


def live_screen(interval: Interval, by: render.By, width: int) -> list[str]:
    """The summary as the live view leaves it on a terminal *width* columns wide, heading dropped
    (its clock is local time), trailing spaces stripped."""
    from rich.console import Console

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=width, color_system=None)
    live = render.LiveOutput(console, by)
    live.interval([interval])
    live.summary([interval])
    live.close()
    text = screen.getvalue().replace("\x1b[?25h", "")
    return [line.rstrip() for line in text[text.rindex("summary of"):].splitlines()[1:] if line.strip()]


def busy(before: Cell, after_tcp: Cell, after_icmp: Cell, after_lldp: Cell) -> Interval:
    protocols = {("ipv4", 6): after_tcp, ("ipv6", 58): after_icmp}
    total = after_tcp + after_icmp + after_lldp
    return Interval(
        Snapshot("ens34", 2, "rx", "xdp", "generic", 0, 1_700_000_000.0, {None: before}),
        Snapshot("ens34", 2, "rx", "xdp", "generic", 5_010_000_000, 1_700_000_005.01,
                 {None: total - Cell(30, 4_380), 40: Cell(30, 4_380)}, protocols, {0x88CC: after_lldp}),
    )


def test_live_table_at_80_columns_shows_every_figure_and_a_shorter_share_bar() -> None:
    interval = busy(ZERO, Cell(100, 13_000), Cell(40, 2_000), Cell(6, 280))
    assert live_screen(interval, "protocol", 80) == [
        "family  protocol   number  packets   bytes  packets/s       bits/s  share",
        "────────────────────────────────────────────────────────────────────────────────",
        "ipv4    TCP             6      100  13,000       20.0  20.8 kbit/s  ███    68.5%",
        "ipv6    IPv6-ICMP      58       40   2,000        8.0  3.19 kbit/s  █      27.4%",
        "eth     LLDP       0x88cc        6     280        1.2  447.1 bit/s  █       4.1%",
        "────────────────────────────────────────────────────────────────────────────────",
        "        total                  146  15,280       29.1  24.4 kbit/s",
    ]
    assert live_screen(interval, "vlan", 80)[3:5] == [
        "│ untagged │     116 │ 10,900 │      23.2 │ 17.4 kbit/s │ ██████████     79.5% │",
        "│       40 │      30 │  4,380 │       6.0 │ 6.99 kbit/s │ ███            20.5% │",
    ]


def test_live_table_too_narrow_for_the_share_drops_it_not_the_figures() -> None:
    interval = busy(ZERO, Cell(1_200_000, 1_850_000_000), Cell(38_023, 26_889_610), Cell(4_000, 1_000))
    assert live_screen(interval, "protocol", 80) == [
        "family  protocol   number    packets          bytes  packets/s       bits/s",
        "───────────────────────────────────────────────────────────────────────────",
        "ipv4    TCP             6  1,200,000  1,850,000,000  239,521.0  2.95 Gbit/s",
        "ipv6    IPv6-ICMP      58     38,023     26,889,610    7,589.4  42.9 Mbit/s",
        "eth     LLDP       0x88cc      4,000          1,000      798.4  1.60 kbit/s",
        "───────────────────────────────────────────────────────────────────────────",
        "        total              1,242,023  1,876,890,610  247,908.8  3.00 Gbit/s",
    ]
