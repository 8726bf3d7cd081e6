"""`trunkline lab PLAN_DIR [--vm] [--vlan ID ...] [--json] [--keep]`: the migration's proof on one machine."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from trunkline.errors import BadInputError, FindingsError
from trunkline.lab.report import CHECKS, LabReport

_STYLE = {"pass": "green", "fail": "bold red", "skip": "yellow", "not-testable": "dim"}


def render(report: LabReport) -> None:
    """Print *report* as a table with its notes and counter figures (rich)."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"trunkline lab {report.plan_dir}", title_justify="left")
    for col in ("NAD", "VLAN", "check", "result", "detail"):
        table.add_column(col, overflow="fold")
    first = {nad: i for i, nad in reversed(list(enumerate(c.nad for c in report.checks)))}
    rows = sorted(report.checks, key=lambda c: (first[c.nad], CHECKS.index(c.check)))
    for c in rows:
        table.add_row(
            c.nad,
            "-" if c.vlan is None else str(c.vlan),
            c.check,
            f"[{_STYLE[c.status]}]{c.status}[/]",
            c.detail,
        )
    console.print(f"runs in: {report.runs_in}")
    console.print(table)
    for nic, directions in report.counters.items():
        for direction, vlans in directions.items():
            shown = ", ".join(f"VLAN {v}: {n}" for v, n in vlans.items())
            console.print(f"counter {nic} {direction} (frames): {shown}")
    if report.phases:
        console.print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in report.phases.items()))
    for note in report.notes:
        console.print(f"note: {note}")
    failed = len(report.failed)
    passed = sum(c.status == "pass" for c in report.checks)
    console.print(
        f"{passed} passed, {failed} failed in {report.seconds:.1f} s"
        + (f"; kept: {' '.join(report.kept)}" if report.kept else "")
    )


def register(app: typer.Typer) -> None:
    """Add the `lab` command to *app*."""

    @app.command("lab")
    def lab(
        plan_dir: Annotated[Path, typer.Argument(
            metavar="PLAN_DIR", help="A plan directory (`trunkline plan -o DIR`).")],
        vm: Annotated[
            bool,
            typer.Option(
                "--vm",
                help="Run the lab inside a qemu VM with a full kernel "
                "(for kernels without 802.1Q / bridge VLAN filtering).",
            ),
        ] = False,
        vlan: Annotated[
            list[int] | None, typer.Option(
                "--vlan", metavar="ID", help="Test only the NADs of this VLAN ID (repeatable).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
        keep: Annotated[
            bool, typer.Option("--keep", help="Leave the namespaces in place (not with --vm).")
        ] = False,
    ) -> None:
        """Build the vSphere side, the OpenShift node and VMs from PLAN_DIR in network namespaces;
        check DHCP, ping across each VLAN, isolation and the trunk counter; tear everything down.
        Exit 1 when a check fails."""
        vlans = list(vlan) if vlan else None

        def progress(msg: str) -> None:
            print(f"trunkline lab: {msg}", file=sys.stderr)

        if vm:
            if keep:
                raise BadInputError(
                    "--keep cannot be used with --vm: the VM and its namespaces are gone when "
                    "the lab ends; drop --keep (or run without --vm on a kernel with 802.1Q)"
                )
            from trunkline.lab.vm import run_lab_in_vm

            report = run_lab_in_vm(plan_dir.resolve(), vlans, progress=progress)
        else:
            from trunkline.lab.run import run_lab

            report = run_lab(plan_dir.resolve(), vlans, keep, progress=None if as_json else progress)
        if as_json:
            print(json.dumps(report.to_json(), indent=2))
        else:
            render(report)
        if report.failed:
            names = ", ".join(f"{c.nad} {c.check}" for c in report.failed)
            raise FindingsError(f"lab: {len(report.failed)} check(s) failed: {names}")
