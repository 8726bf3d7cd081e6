"""`trunkline inventory`: read the vSphere network design, show it, publish the file format.

* ``inventory read (--vcenter HOST ... | --rvtools FILE.xlsx) -o FILE`` -> trunkline's inventory file
  (YAML, or JSON when FILE ends in ``.json``; ``-o -`` writes YAML to stdout);
* ``inventory show [FILE]`` -> a summary (default: the bundled example design);
* ``inventory schema`` -> the JSON Schema of the inventory file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from trunkline.errors import BadInputError, FindingsError
from trunkline.vsphere.model import Inventory

inventory_app = typer.Typer(
    name="inventory",
    help="Read the vSphere network design (live vCenter, RVTools export, inventory file) and show it.",
    no_args_is_help=True,
    add_completion=False,
)


@inventory_app.command("read")
def read(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Inventory file to write (YAML; .json: JSON; -: stdout)."
        ),
    ],
    vcenter: Annotated[
        list[str] | None,
        typer.Option("--vcenter", metavar="HOST", help="vCenter to read (repeatable; default: GOVC_URL)."),
    ] = None,
    rvtools: Annotated[
        Path | None,
        typer.Option(
            "--rvtools", metavar="FILE.xlsx", readable=False, help="RVTools export to read instead."
        ),
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", metavar="USER", help="vCenter user (default: GOVC_USERNAME).")
    ] = None,
    insecure: Annotated[
        bool, typer.Option("--insecure", help="Do not verify vCenter certificates (warns; default: verify).")
    ] = False,
    ca_file: Annotated[
        Path | None,
        typer.Option(
            "--ca-file", metavar="FILE", readable=False, help="CA bundle that verifies vCenter certificates."
        ),
    ] = None,
    datacenter: Annotated[
        str | None, typer.Option("--datacenter", metavar="DC", help="Read only this datacenter.")
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            min=0.1,
            help="Give up on a vCenter that does not connect or answer a call within this time.",
        ),
    ] = 60.0,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit 1 when the reader had error or warning findings (file still written)."
        ),
    ] = False,
) -> None:
    """Read the network design from vCenter or an RVTools export and write an inventory file.

    The vCenter password is asked for on the terminal or taken from GOVC_PASSWORD; never an option.
    """
    if str(output) != "-":
        from trunkline.atomicwrite import check_output_path

        check_output_path(output)  # before asking for a password or reading for minutes
    if rvtools is not None:
        if vcenter:
            raise BadInputError("give either --vcenter HOST or --rvtools FILE.xlsx, not both")
        given = [n for n, v in (("--user", user), ("--ca-file", ca_file), ("--datacenter", datacenter)) if v]
        if insecure:
            given.append("--insecure")
        if given:
            raise BadInputError(f"{given[0]} applies to --vcenter only; remove it when reading --rvtools")
        from trunkline.vsphere.rvtools import read_rvtools

        inventory = read_rvtools(rvtools)
    else:
        if not vcenter and not os.environ.get("GOVC_URL"):
            raise BadInputError(
                "no source given: pass --vcenter HOST (repeatable, or set GOVC_URL) or --rvtools FILE.xlsx"
            )
        inventory = _from_vcenter(vcenter or [], user, insecure, ca_file, datacenter, timeout)
    _write(inventory, output)
    serious = [f for f in inventory.findings if f.severity != "info"]
    if strict and serious:
        raise FindingsError(
            f"--strict: the reader had {len(serious)} error or warning finding(s) (listed above); "
            f"{output} was written: edit it, then run `trunkline plan` on it"
        )


def _from_vcenter(
    hosts: list[str],
    user: str | None,
    insecure: bool,
    ca_file: Path | None,
    datacenter: str | None,
    timeout: float,
) -> Inventory:
    from trunkline.cli._vcenter import vcenter_inventory

    return vcenter_inventory(
        hosts=hosts, user=user, insecure=insecure, ca_file=ca_file, datacenter=datacenter, timeout=timeout
    )


def _write(inventory: Inventory, output: Path) -> None:
    from trunkline.vsphere.findings import finding_lines, findings_text
    from trunkline.vsphere.summary import counts_text
    from trunkline.vsphere.yamlfile import check_read_inventory, dump_inventory, write_inventory

    check_read_inventory(inventory)
    if str(output) == "-":
        sys.stdout.write(dump_inventory(inventory))
    else:
        write_inventory(inventory, output)
    for line in finding_lines(inventory.findings):
        print(line, file=sys.stderr)
    where = "" if str(output) == "-" else f"wrote {output}: "
    print(f"{where}{counts_text(inventory)}; {findings_text(inventory.findings)}", file=sys.stderr)


@inventory_app.command("show")
def show(
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="FILE",
            readable=False,  # the loader's own check says it in one line (click's takes three)
            help="Inventory file (YAML/JSON) or RVTools .xlsx; default: the bundled example design.",
        ),
    ] = None,
) -> None:
    """Summarise an inventory: switches, port groups with VLANs, hosts with uplinks, VMs per port group."""
    from trunkline.gcpause import gc_paused
    from trunkline.vsphere.sources import load_inventory
    from trunkline.vsphere.summary import print_trimmed, render

    inventory = load_inventory(file, partial=True)
    with gc_paused():  # rich builds millions of short-lived segments for a large inventory's tables
        print_trimmed(Console(highlight=False), render(inventory))


@inventory_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the inventory file (also in docs/inventory.schema.json)."""
    from trunkline.vsphere.yamlfile import published_schema_text

    sys.stdout.write(published_schema_text())


def register(app: typer.Typer) -> None:
    """Add the `inventory` command group to *app*."""
    app.add_typer(inventory_app, name="inventory")
