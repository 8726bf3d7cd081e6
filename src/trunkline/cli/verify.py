"""`trunkline verify PLAN_DIR IFACE [IFACE ...]`: count rx frames per VLAN, compare with the plan's NADs.

`trunkline verify PLAN_DIR --prometheus URL` judges every node from Prometheus instead
(:mod:`.verify_cluster`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, cast

import typer
from rich.console import Console
from rich.table import Table

from trunkline.errors import BadInputError, FindingsError
from trunkline.verify import Verification, blind_message, check_arguments, read_nads, verify
from trunkline.xdp.render import counted
from trunkline.xdp.window import observe


class HookChoice(str, Enum):
    tc = "tc"
    xdp = "xdp"

MAX_DURATION_S = 7 * 86400
"""The longest --duration: a week covers any idle VM's chatter; longer watches are the DaemonSet's job
(and the kernel's timers and ``threading`` refuse timeouts beyond about 2**33 s)."""

HOOK_NOTE = {
    "tc": "TC hook: sees VLAN tags in the frame and tags the NIC moved into metadata",
    "xdp": "XDP hook: tags a NIC strips in hardware (rx-vlan-offload) are invisible here; prefer --hook tc",
}


def _fmt(vlan: int | None) -> str:
    return "untagged" if vlan is None else ("0 (priority)" if vlan == 0 else str(vlan))


def render_table(result: Verification, console: Console, blind_line: str = "") -> None:
    """Print *result* as a table and one line per finding (*blind_line*: the error of a blind window)."""
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
                      "its VMs would be cut off after migration", soft_wrap=True)
    if result.blind:
        console.print(f"[bold red]error[/]: {blind_line}", soft_wrap=True)
    for nad in result.silent_nads:
        console.print(f"[yellow]warning[/]: NAD {nad.name} ({nad.describe()}) saw no traffic: "
                      "wrong NIC, wrong trunk, or idle during the window", soft_wrap=True)
    for nad in result.other_nads:
        console.print(f"note: NAD {nad.name} (type {nad.plugin}) carries no trunk VLAN; not compared",
                      soft_wrap=True)
    if result.untagged:
        console.print(f"untagged: {counted(result.untagged.packets, 'packet')}, "
                      f"{counted(result.untagged.bytes, 'byte')} "
                      "(often the node's own traffic)", soft_wrap=True)


def _announce(interfaces: list[str], duration: float, hook: str) -> Callable[[Sequence[Any]], None]:
    def started(counters: Sequence[Any]) -> None:
        for counter in counters:
            for warning in getattr(counter, "warnings", ()):
                print(f"trunkline: warning: {warning}", file=sys.stderr, flush=True)
        print(f"counting received frames on {', '.join(interfaces)} for {duration:g} s ({HOOK_NOTE[hook]})",
              file=sys.stderr, flush=True)

    return started


def register(app: typer.Typer) -> None:
    """Add the `verify` command to *app*."""

    @app.command("verify")
    def verify_cmd(
        plan_dir: Annotated[Path, typer.Argument(metavar="PLAN_DIR",
            help="Plan directory (`trunkline plan -o`) or any directory of NAD YAMLs.")],
        interfaces: Annotated[list[str] | None, typer.Argument(
            metavar="IFACE", help="Trunk NIC(s) on this node (not with --prometheus).")] = None,
        duration: Annotated[float | None, typer.Option(
            "--duration", metavar="SECONDS", min=0.1, max=MAX_DURATION_S,
            help="Seconds to count, at most 604800 (7 days) (default 300 with a plan index, for idle "
            "VMs; 10 without).")
        ] = None,
        hook: Annotated[HookChoice, typer.Option(
            "--hook", metavar="tc|xdp", help="tc (default: sees tags the NIC strips) or xdp.")
        ] = HookChoice.tc,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON record, no table.")] = False,
        prometheus: Annotated[str | None, typer.Option(
            "--prometheus", metavar="URL",
            help="Judge every node from the counters' series in Prometheus or Thanos Querier at URL.")
        ] = None,
        window: Annotated[str, typer.Option(
            "--window", metavar="DURATION", help="With --prometheus: the time window judged (10m, 1h).")
        ] = "10m",
        token_file: Annotated[Path | None, typer.Option(
            "--token-file", metavar="FILE",
            help="With --prometheus: bearer token (role cluster-monitoring-view on OpenShift).")
        ] = None,
        ca_file: Annotated[Path | None, typer.Option(
            "--ca-file", metavar="FILE", help="With --prometheus: CA certificate(s) to trust (PEM).")
        ] = None,
        insecure: Annotated[bool, typer.Option(
            "--insecure", help="With --prometheus: do not verify the server's certificate.")
        ] = False,
        mac_table_size: Annotated[int | None, typer.Option(
            "--mac-table-size", min=1, metavar="PAIRS",
            help="(VLAN, MAC) pairs the counter keeps per interface (default as `count`).")
        ] = None,
    ) -> None:
        """Count received frames per VLAN ID and check that the plan's NADs map every VLAN that has traffic.

        With the plan index `trunkline plan` writes (monitoring/), also a verdict per VM NIC: seen,
        wrong-vlan, on-several-vlans or not-seen, from the source MACs the counter learns.

        Exit 1 when traffic arrived on a VLAN no NAD maps, a VM NIC is on the wrong VLAN or its NAD
        disagrees with its port group, or no tagged frame arrived at all (the wrong interface, or no
        traffic). Counts with the TC hook by default: most NICs strip VLAN tags before XDP runs. An
        interface vanishing mid-window: the counts so far, then exit 3.

        With `--prometheus URL` and no IFACE: every node's received frames per VLAN over `--window`, from
        the counters' series; exit 1 for a planned VLAN missing on a node of a group where other nodes
        carry it, an unplanned VLAN with traffic, a VM NIC on the wrong VLAN, a node without a running
        counter, or no series at all; 2 for a refused token; 3 for Prometheus unreachable or untrusted.
        """
        if prometheus is not None:
            if interfaces:
                raise BadInputError("give IFACE... (count here) or --prometheus URL (every node), not both")
            from trunkline.cli import verify_cluster

            verify_cluster.run(plan_dir, prometheus, window, token_file, ca_file, insecure, as_json)
            return
        if not interfaces:
            raise BadInputError("give the trunk NIC(s) to count on (`trunkline verify PLAN_DIR IFACE...`), "
                                "or --prometheus URL to judge every node from Prometheus")
        from trunkline.cli import vmverdicts
        from trunkline.planindex import load_index

        check_arguments(plan_dir, interfaces)
        nads = read_nads(plan_dir)
        index = load_index(plan_dir)
        if duration is None:
            duration = vmverdicts.IDLE_WINDOW_S if index is not None else vmverdicts.VLAN_WINDOW_S
        tables: list[vmverdicts.LearnedTable] = []
        learn = vmverdicts.learning_available()
        snaps, gone, seconds = observe(interfaces, duration, cast(Literal["tc", "xdp"], hook.value),
                              _announce(interfaces, duration, hook.value), learn_macs=learn,
                              ended=lambda counters: tables.extend(vmverdicts.read_tables(counters))
                              if learn else None, mac_capacity=mac_table_size)
        result = replace(verify(snaps, nads), interfaces=tuple(interfaces))
        vms = vmverdicts.verdicts(index, tables, snaps, nads) if index is not None and learn else None
        blind = blind_message(result, seconds, hook.value)
        if as_json:
            record = result.to_json()
            record.update(plan=str(plan_dir), hook=hook.value, duration_s=duration)
            record.update(vmverdicts.json_fields(vms, tables))
            if vms is not None and vms.errors:
                record["ok"] = False
            sys.stdout.write(json.dumps(record) + "\n")
        else:
            console = Console(highlight=False)
            render_table(result, console, blind)
            vmverdicts.render(vms, tables, console)
        if gone is not None:
            raise gone
        if result.unmapped:
            vlans = ", ".join(map(str, result.unmapped))
            raise FindingsError(f"traffic on VLAN {vlans} which no NAD in {plan_dir} maps; "
                                "add a port group/NAD for it or check the trunk")
        if vms is not None and vms.errors:
            raise FindingsError(vmverdicts.error_line(vms, plan_dir))
        if result.blind:
            raise FindingsError(blind)
