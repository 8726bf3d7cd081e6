"""`trunkline count`: count frames on interfaces with the eBPF counter and show them per interval."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, cast

import typer
from rich.console import Console

from trunkline.errors import BadInputError


class By(str, Enum):
    protocol = "protocol"
    vlan = "vlan"
    total = "total"


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
        float, typer.Option("--interval", min=0.1, metavar="SECONDS", help="Seconds between reads.")
    ] = 1.0,
    duration: Annotated[
        float | None,
        typer.Option("--duration", min=0.1, metavar="SECONDS",
                     help="Stop after this many seconds and print the summary."),
    ] = None,
    by: Annotated[
        By, typer.Option("--by", metavar="protocol|vlan|total",
                         help="Rows per IP protocol/EtherType, per VLAN, or one line.")
    ] = By.protocol,
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
        str, typer.Option("--metrics-address", metavar="ADDR", help="Address to serve --metrics-port on.")
    ] = "0.0.0.0",
) -> None:
    """Count frames per IP protocol, EtherType and VLAN ID with an eBPF program (XDP or TC).

    Ctrl-C or SIGTERM stops and prints the summary (exit code 0).
    """
    from trunkline.xdp import render, session

    if hook is HookChoice.tc and mode is not None:
        raise BadInputError("--mode applies to --hook xdp only: drop --mode, or use --hook xdp")
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
    )


def register(app: typer.Typer) -> None:
    """Add the `count` command to *app*."""
    app.command("count")(count)
