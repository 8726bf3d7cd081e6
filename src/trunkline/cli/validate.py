"""`trunkline validate DIR`: check a manifests directory, ours or hand-written.

Thin: parse the arguments, call :func:`trunkline.openshift.validate.validate_directory`, render a table
(rich, on a wide terminal), plain-text blocks (narrow terminal or piped) or JSON, exit 1 on findings.
"""

from __future__ import annotations

import functools
import json
import shutil
import textwrap
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from trunkline.errors import FindingsError
from trunkline.openshift.nodestate import load_node_states
from trunkline.openshift.validate import Finding, ValidationResult, validate_directory


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


#: Narrower than this (or not a terminal), findings are printed one block each instead of a table.
TABLE_MIN_WIDTH = 160


def split_fix(message: str) -> tuple[str, str | None]:
    """``"what is wrong; how to fix it"`` -> ``(what, fix)``: a finding's message states the problem, then,
    after its last ``"; "``, the fix (``None`` when it has no separate fix)."""
    head, found, tail = message.rpartition("; ")
    return (head, tail) if found and head else (message, None)


def finding_block(finding: Finding, width: int) -> str:
    """One finding as plain text wrapped to *width* columns: ``file:line: error key: problem``, then,
    indented, the object and field, and the fix."""
    problem, fix = split_fix(finding.message)
    wrap = functools.partial(
        textwrap.fill, width=max(width, 40), break_long_words=False, break_on_hyphens=False
    )
    lines = [
        wrap(f"{finding.file}:{finding.line}: error {finding.key}: {problem}", subsequent_indent="    "),
        wrap(
            f"in {finding.object}, field {finding.field}", initial_indent="    ", subsequent_indent="      "
        ),
    ]
    if fix:
        lines.append(wrap(f"fix: {fix}", initial_indent="    ", subsequent_indent="      "))
    return "\n".join(lines)


def render(result: ValidationResult, console: Console) -> None:
    """Print *result* on *console*: a one-line all-clear, or the findings as a table on a terminal at
    least :data:`TABLE_MIN_WIDTH` wide, else one plain-text block per finding wrapped to the width
    (``COLUMNS`` when piped, 80 by default)."""
    if result.ok:
        kinds = ", ".join(f"{n} {kind}" for kind, n in result.kinds.items())
        line = f"{result.directory}: {_count(result.documents, 'object')} ({kinds}), no findings"
        console.print(line, markup=False, highlight=False, soft_wrap=True)
        return
    kinds = ", ".join(f"{n} {kind}" for kind, n in result.kinds.items())
    title = (
        f"{result.directory}: {_count(len(result.findings), 'finding')} in "
        f"{_count(result.documents, 'object')} ({kinds})"
    )
    if console.is_terminal and console.width >= TABLE_MIN_WIDTH:
        table = Table(title=title, title_justify="left")
        table.add_column("file:line", no_wrap=True)
        table.add_column("object")
        table.add_column("field", overflow="fold")
        table.add_column("key", no_wrap=True)
        table.add_column("problem")
        for f in result.findings:
            table.add_row(f"{f.file}:{f.line}", f.object, f.field, f.key, f.message)
        console.print(table)
        return
    wrapped = textwrap.fill(
        title, width=max(console.width, 40), break_long_words=False, break_on_hyphens=False
    )
    blocks = [wrapped, *(finding_block(f, console.width) for f in result.findings)]
    console.print("\n\n".join(blocks), markup=False, highlight=False, soft_wrap=True)


def validate_command(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="Manifests directory (`trunkline plan -o DIR`, or hand-written), or one file checked alone.",
        ),
    ],
    node_state: Annotated[
        Path | None,
        typer.Option(
            "--node-state",
            metavar="FILE",
            help="Export of NodeNetworkState objects (`oc get nodes,nns -o yaml`): check the NICs NNCPs use.",
        ),
    ] = None,
    target_namespace: Annotated[
        str | None,
        typer.Option(
            "--target-namespace", metavar="NS", help="Namespace the VMs run in (NADs: there or in `default`)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as one JSON object.")] = False,
) -> None:
    """Check NNCPs, NADs, KubeVirt patches and MTV NetworkMaps for the usual mistakes (exit 1 on findings)."""
    states = load_node_states(node_state) if node_state is not None else None
    result = validate_directory(directory, target_namespace=target_namespace, node_states=states)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, sort_keys=True))
    else:
        console = Console()
        if not console.is_terminal:  # piped: plain text at COLUMNS (rich's default when piped is 80)
            console = Console(width=shutil.get_terminal_size((80, 24)).columns, no_color=True)
        render(result, console)
        for note in result.notes:
            typer.echo(f"note: {note}", err=True)
        if result.single_file:
            typer.echo(
                f"note: {directory} was checked alone; its references to objects in other files (bridges, "
                "NADs) were not checked: give the directory `trunkline plan -o` wrote to check them too",
                err=True,
            )
    if not result.ok:
        raise FindingsError(
            f"{_count(len(result.findings), 'finding')} in {directory}; "
            "fix them and run `trunkline validate` again"
        )


def register(app: typer.Typer) -> None:
    """Add the `validate` command to *app*."""
    app.command("validate")(validate_command)
