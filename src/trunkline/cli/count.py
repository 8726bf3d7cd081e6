"""`trunkline count`: count frames on interfaces with the eBPF counter and show them per interval."""

from __future__ import annotations

import sys
import threading
from contextlib import ExitStack
from enum import Enum
from typing import Annotated, Any, cast

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
    interval: Annotated[float, typer.Option("--interval", min=0.1, help="Seconds between reads.")] = 1.0,
    duration: Annotated[
        float | None,
        typer.Option("--duration", min=0.1, help="Stop after this many seconds and print the summary."),
    ] = None,
    by: Annotated[By, typer.Option("--by", help="Rows per IP protocol/EtherType, per VLAN, or one line.")] = (
        By.protocol
    ),
    json_out: Annotated[
        bool, typer.Option("--json", help="One JSON record per interval, interface and direction.")
    ] = False,
    hook: Annotated[
        HookChoice, typer.Option("--hook", help="xdp: received frames; tc: received and sent.")
    ] = HookChoice.xdp,
    mode: Annotated[
        ModeChoice | None,
        typer.Option("--mode", help="XDP attach mode (default generic; native may reset a NIC's rings)."),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option("--metrics-port", min=0, max=65535, help="Serve Prometheus /metrics on this port."),
    ] = None,
    metrics_address: Annotated[
        str, typer.Option("--metrics-address", help="Address to serve --metrics-port on.")
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

    from trunkline.xdp.counter import Counter

    stop = threading.Event()
    with ExitStack() as stack:
        counters = [
            stack.enter_context(
                Counter(name, hook=cast(Any, hook.value), mode=cast(Any, (mode or ModeChoice.generic).value))
            )
            for name in names
        ]
        for counter in counters:
            for warning in counter.warnings:
                print(f"trunkline: warning: {warning}", file=sys.stderr)
        if metrics_port is not None:
            from trunkline.xdp.exporter import start_metrics_server

            server: Any = start_metrics_server(metrics_port, counters, address=metrics_address)
            stack.callback(server.close)
            bound = getattr(server, "port", metrics_port)
            host = f"[{metrics_address}]" if ":" in metrics_address else metrics_address
            print(f"trunkline: serving Prometheus metrics on http://{host}:{bound}/metrics", file=sys.stderr)
        output: render.Output
        if json_out:
            output = render.JsonOutput(sys.stdout)
        elif sys.stdout.isatty():
            output = render.LiveOutput(Console(), cast(render.By, by.value))
        else:
            output = render.PlainOutput(sys.stdout, cast(render.By, by.value))
        stack.callback(output.close)
        stack.enter_context(session.stop_on_signals(stop))
        session.run(counters, output, interval, duration, stop)


def register(app: typer.Typer) -> None:
    """Add the `count` command to *app*."""
    app.command("count")(count)
