"""`trunkline count`: count frames on interfaces with the eBPF counter and show them per interval."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from rich.console import Console

from trunkline.errors import BadInputError

MAX_INTERVAL_S = 86_400.0
"""Largest ``--interval``: a day. Waits are bounded by the platform's ``time_t`` (about 9.2e9 s), so an
unbounded value would crash the wait; nobody reads counters less often than daily."""
MAX_DURATION_S = 31_536_000.0
"""Largest ``--duration``: a year (365 days); a longer run is a run without ``--duration``."""


class By(str, Enum):
    protocol = "protocol"
    vlan = "vlan"
    total = "total"
    mac = "mac"


class HookChoice(str, Enum):
    xdp = "xdp"
    tc = "tc"


class ModeChoice(str, Enum):
    generic = "generic"
    native = "native"


def count(
    interfaces: Annotated[
        list[str] | None,
        typer.Argument(metavar="IFACE", help="Interfaces to count on (default: the default-route one)."),
    ] = None,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, max=MAX_INTERVAL_S, metavar="SECONDS",
                            help="Seconds between reads (0.1 to 86400).")
    ] = 1.0,
    duration: Annotated[
        float | None,
        typer.Option("--duration", min=0.1, max=MAX_DURATION_S, metavar="SECONDS",
                     help="Stop after this many seconds (at most 31536000, a year) and print the summary."),
    ] = None,
    by: Annotated[
        By, typer.Option("--by", metavar="protocol|vlan|total|mac",
                         help="Rows per IP protocol/EtherType, per VLAN, one line, or per VLAN and source "
                              "MAC (implies --macs).")
    ] = By.protocol,
    macs: Annotated[
        bool, typer.Option("--macs", help="Learn (VLAN, source MAC) pairs; --json records list them.")
    ] = False,
    mac_table_size: Annotated[
        int | None,
        typer.Option("--mac-table-size", min=1, metavar="PAIRS",
                     help="Pairs the MAC table holds per interface, both directions (default 32768)."),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="One JSON record per interval, interface and direction.")
    ] = False,
    hook: Annotated[
        HookChoice,
        typer.Option("--hook", metavar="xdp|tc", help="xdp: received frames; tc: received and sent."),
    ] = HookChoice.xdp,
    mode: Annotated[
        ModeChoice | None,
        typer.Option("--mode", metavar="generic|native",
                     help="XDP attach mode (default generic; native may reset a NIC's rings)."),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option("--metrics-port", min=0, max=65535, metavar="PORT",
                     help="Serve Prometheus /metrics on this port."),
    ] = None,
    metrics_address: Annotated[
        str | None, typer.Option("--metrics-address", metavar="ADDR",
                                 help="IP address of this host to serve --metrics-port on (default 0.0.0.0: "
                                      "all of them).")
    ] = None,
    plan_index: Annotated[
        Path | None,
        typer.Option("--plan-index", metavar="DIR",
                     help="Plan index (a plan directory, its monitoring/, or mounted parts): export per-VM "
                          "verdict metrics for --group (needs --metrics-port; learns MACs)."),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option("--group", metavar="NAME",
                     help="Node group of this node: its planned VLANs and VM NICs; every series gets the "
                          "label group=NAME."),
    ] = None,
    anomaly_window: Annotated[
        str, typer.Option("--anomaly-window", metavar="DURATION",
                          help="Anomaly series count pairs last seen within this (e.g. 900, 15m, 1h).")
    ] = "15m",
    anomaly_limit: Annotated[
        int, typer.Option("--anomaly-limit", min=0, metavar="N", help="At most N anomaly series.")
    ] = 100,
) -> None:
    """Count frames per IP protocol, EtherType and VLAN ID with an eBPF program (XDP or TC).

    With --macs (or --by mac), also learn which source MACs send on which VLAN.

    Ctrl-C or SIGTERM stops and prints the summary (exit code 0).
    """
    from trunkline.xdp import render, session

    if hook is HookChoice.tc and mode is not None:
        raise BadInputError("--mode applies to --hook xdp only: drop --mode, or use --hook xdp")
    plan_metrics = _plan_metrics(plan_index, group, metrics_port, anomaly_window, anomaly_limit)
    learn = macs or by is By.mac or plan_metrics is not None
    if mac_table_size is not None and not learn:
        raise BadInputError("--mac-table-size needs MAC learning: add --macs or --by mac")
    if metrics_address is not None and metrics_port is None:
        raise BadInputError("--metrics-address is where --metrics-port serves: add --metrics-port PORT")
    metrics_address = metrics_address or "0.0.0.0"
    if metrics_port is not None:
        from trunkline.xdp.exporter import check_address

        check_address(metrics_address)
    names = list(interfaces or []) or [session.default_route_interface()]
    session.check_interfaces(names)

    def make_output() -> render.Output:
        if json_out:
            return render.JsonOutput(sys.stdout)
        if sys.stdout.isatty():
            return render.LiveOutput(Console(), cast(render.By, by.value))
        return render.PlainOutput(sys.stdout, cast(render.By, by.value))

    session.count(
        names,
        hook=hook.value,
        mode=(mode or ModeChoice.generic).value,
        make_output=make_output,
        interval_s=interval,
        duration_s=duration,
        metrics_port=metrics_port,
        metrics_address=metrics_address,
        plan_metrics=plan_metrics,
        group=group,
        learn_macs=learn,
        mac_capacity=mac_table_size,
    )


_UNITS = {"s": 1, "m": 60, "h": 3600}


def parse_window(text: str) -> float:
    """``900`` / ``90s`` / ``15m`` / ``1h`` -> seconds. Raises BadInputError."""
    value = text.strip().lower()
    unit = _UNITS.get(value[-1:], 0)
    number = value[:-1] if unit else value
    try:
        seconds = float(number) * (unit or 1)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise BadInputError(f"--anomaly-window {text!r}: a positive duration such as 900, 15m or 1h")
    return seconds


def _plan_metrics(plan_index: Path | None, group: str | None, metrics_port: int | None, window: str,
                  limit: int) -> Callable[[Sequence[Any]], Any] | None:
    """The factory of the plan's collector (:class:`trunkline.vmmetrics.PlanCollector`) for the open
    counters, or ``None`` without ``--plan-index``. Reads the index now: bad input fails before attaching."""
    if plan_index is None:
        if group is not None and metrics_port is None:
            raise BadInputError("--group labels the metrics: add --metrics-port")
        return None
    if group is None:
        raise BadInputError("--plan-index needs --group NAME: the node group this node belongs to")
    if metrics_port is None:
        raise BadInputError("--plan-index feeds the metrics: add --metrics-port")
    from trunkline.planindex import load_index
    from trunkline.vmmetrics import PlanCollector

    seconds = parse_window(window)
    index = load_index(plan_index)
    if index is None:
        raise BadInputError(f"--plan-index {plan_index}: no plan index there; give a directory written by "
                            "`trunkline plan` (or its monitoring/)")
    chosen = index.group(group)
    return lambda counters: PlanCollector(index, chosen, counters, window_s=seconds, limit=limit)


def register(app: typer.Typer) -> None:
    """Add the `count` command to *app*."""
    app.command("count")(count)
