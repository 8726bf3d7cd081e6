"""`trunkline validate DIR`: check a manifests directory, ours or hand-written.

Thin: parse the arguments, call :func:`trunkline.openshift.validate.validate_directory`, render a table
(rich) or JSON, exit 1 when there are findings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from trunkline.errors import FindingsError
from trunkline.openshift.nodestate import load_node_states
from trunkline.openshift.validate import ValidationResult, validate_directory


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def render_table(result: ValidationResult, console: Console) -> None:
    """Print *result* as a table of findings (or a one-line all-clear) on *console*."""
    summary = ", ".join(f"{n} {kind}" for kind, n in result.kinds.items())
    if result.ok:
        console.print(f"{result.directory}: {_count(result.documents, 'object')} ({summary}), no findings")
        return
    table = Table(
        title=f"{result.directory}: {_count(len(result.findings), 'finding')}", title_justify="left"
    )
    table.add_column("file:line", no_wrap=True)
    table.add_column("object")
    table.add_column("field", overflow="fold")
    table.add_column("key", no_wrap=True)
    table.add_column("problem")
    for f in result.findings:
        table.add_row(f"{f.file}:{f.line}", f.object, f.field, f.key, f.message)
    console.print(table)


def validate_command(
    directory: Annotated[
        Path, typer.Argument(
            metavar="DIR", help="Manifests directory (`trunkline plan -o DIR`, or hand-written).")
    ],
    node_state: Annotated[
        Path | None,
        typer.Option(
            "--node-state", metavar="FILE",
            help="Export of NodeNetworkState objects (`oc get nodes,nns -o yaml`): check the NICs NNCPs use.",
        ),
    ] = None,
    target_namespace: Annotated[
        str | None,
        typer.Option("--target-namespace", metavar="NS",
                     help="Namespace the VMs run in (NADs: there or in `default`)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as one JSON object.")] = False,
) -> None:
    """Check NNCPs, NADs, KubeVirt patches and MTV NetworkMaps for the usual mistakes (exit 1 on findings)."""
    states = load_node_states(node_state) if node_state is not None else None
    result = validate_directory(directory, target_namespace=target_namespace, node_states=states)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, sort_keys=True))
    else:
        render_table(result, Console(width=200 if not Console().is_terminal else None))
    if not result.ok:
        raise FindingsError(
            f"{_count(len(result.findings), 'finding')} in {directory}; "
            "fix them and run `trunkline validate` again"
        )


def register(app: typer.Typer) -> None:
    """Add the `validate` command to *app*."""
    app.command("validate")(validate_command)
