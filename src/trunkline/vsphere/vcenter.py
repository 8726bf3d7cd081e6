"""Live vCenter reader (pyVmomi, PropertyCollector over ContainerViews). Work in progress."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from trunkline.errors import EnvironmentProblem
from trunkline.vsphere.model import Inventory


def read_inventory(
    hosts: Sequence[str],
    *,
    user: str,
    password: str,
    insecure: bool = False,
    ca_file: Path | None = None,
    datacenter: str | None = None,
    protocol: str = "https",
    port: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Inventory:
    """Read the network inventory of the vCenters *hosts*, merged (not yet implemented)."""
    raise EnvironmentProblem("reading a live vCenter is not implemented yet; use an inventory file")
