"""`trunkline verify PLAN_DIR IFACE [IFACE ...]`: count rx frames per VLAN, compare with the plan's NADs."""

from __future__ import annotations

import json
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from trunkline.errors import BadInputError, FindingsError
from trunkline.verify import Verification, read_nads, verify

HOOK_NOTE = {
    "tc": "TC hook: sees VLAN tags in the frame and tags the NIC moved into metadata",
    "xdp": "XDP hook: tags a NIC strips in hardware (rx-vlan-offload) are invisible here; prefer --hook tc",
}


def _fmt(vlan: int | None) -> str:
    return "untagged" if vlan is None else ("0 (priority)" if vlan == 0 else str(vlan))


def render_table(result: Verification, console: Console) -> None:
    """Print *result* as a table and one line per finding."""
    table = Table(title=f"received frames per VLAN on {', '.join(result.interfaces)}")
    table.add_column("VLAN", justify="right")
    table.add_column("packets", justify="right")
    table.add_column("bytes", justify="right")
    table.add_column("status")
    table.add_column("NADs")
    style = {"mapped": "green", "unmapped": "bold red", "silent": "yellow", "untagged": "dim"}
    for row in result.rows:
        table.add_row(_fmt(row.vlan), f"{row.total.packets:,}", f"{row.total.bytes:,}",
                      f"[{style[row.status]}]{row.status}[/]", ", ".join(row.nads) or "-")
    console.print(table)
    for vlan in result.unmapped:
        console.print(f"[bold red]error[/]: VLAN {vlan} carries traffic but no NAD in the plan maps it: "
                      "its VMs would be cut off after migration")
    for nad in result.silent_nads:
        console.print(f"[yellow]warning[/]: NAD {nad.name} ({nad.describe()}) saw no traffic: "
                      "wrong NIC, wrong trunk, or idle during the window")
    for nad in result.other_nads:
        console.print(f"note: NAD {nad.name} (type {nad.plugin}) carries no trunk VLAN; not compared")
    if result.untagged:
        console.print(f"untagged: {result.untagged.packets:,} packets, {result.untagged.bytes:,} bytes "
                      "(often the node's own traffic)")


def _run(plan_dir: Path, interfaces: list[str], duration: float, hook: str) -> Verification:
    nads = read_nads(plan_dir)
    from trunkline.xdp.counter import Counter

    err = Console(stderr=True, highlight=False)
    stop = {"now": False}

    def on_term(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop["now"] = True

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        with ExitStack() as stack:
            counters = [stack.enter_context(Counter(name, hook=hook)) for name in interfaces]
            for counter in counters:
                for warning in getattr(counter, "warnings", ()):
                    err.print(f"trunkline: warning: {warning}")
            err.print(f"counting received frames on {', '.join(interfaces)} for {duration:g} s "
                      f"({HOOK_NOTE[hook]})")
            deadline = time.monotonic() + duration
            try:
                while not stop["now"] and (left := deadline - time.monotonic()) > 0:
                    time.sleep(min(left, 0.2))
            except KeyboardInterrupt:
                err.print("interrupted: reporting what was counted so far")
            snaps = [snap for counter in counters for snap in counter.read()]
    finally:
        signal.signal(signal.SIGTERM, previous)
    result = verify(snaps, nads)
    # Interfaces with no rx traffic at all produce no snapshot rows: keep the order the user gave.
    return Verification(result.rows, result.silent_nads, result.other_nads, tuple(interfaces))


def register(app: typer.Typer) -> None:
    """Add the `verify` command to *app*."""

    @app.command("verify")
    def verify_cmd(
        plan_dir: Annotated[Path, typer.Argument(metavar="PLAN_DIR",
            help="Plan directory (`trunkline plan -o`) or any directory of NAD YAMLs.")],
        interfaces: Annotated[list[str], typer.Argument(metavar="IFACE...", help="Trunk NIC(s).")],
        duration: Annotated[float, typer.Option("--duration", help="Seconds to count.", min=0.1)] = 10.0,
        hook: Annotated[str, typer.Option("--hook", help="tc (default) or xdp.")] = "tc",
        as_json: Annotated[bool, typer.Option("--json", help="One JSON record, no table.")] = False,
    ) -> None:
        """Count received frames per VLAN ID and check that the plan's NADs map every VLAN that has traffic.

        Exit 1 when traffic arrived on a VLAN no NAD maps. Counts with the TC hook by default: most NICs
        strip VLAN tags before XDP runs.
        """
        if hook not in HOOK_NOTE:
            raise BadInputError(f"--hook {hook!r}: use tc or xdp")
        result = _run(plan_dir, interfaces, duration, hook)
        if as_json:
            record = result.to_json()
            record.update(plan=str(plan_dir), hook=hook, duration_s=duration)
            sys.stdout.write(json.dumps(record) + "\n")
        else:
            render_table(result, Console(highlight=False))
        if not result.ok:
            vlans = ", ".join(map(str, result.unmapped))
            raise FindingsError(f"traffic on VLAN {vlans} which no NAD in {plan_dir} maps; "
                                "add a port group/NAD for it or check the trunk")
