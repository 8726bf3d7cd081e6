"""RVTools .xlsx reader (in progress: the reader lands in a following commit)."""

from __future__ import annotations

from pathlib import Path

from trunkline.errors import BadInputError
from trunkline.vsphere.model import Inventory


def read_rvtools(path: Path) -> Inventory:
    """Read an RVTools export. Raises :class:`BadInputError` until the reader is implemented."""
    raise BadInputError(f"{path}: RVTools exports are not readable yet; export the inventory as YAML")
