"""`trunkline plan`: not yet implemented (see the issue that covers it)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `plan` command to *app*."""
    del app
