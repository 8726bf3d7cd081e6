"""Where an inventory comes from: a file (trunkline YAML/JSON or an RVTools .xlsx) or the bundled example.

:func:`load_inventory` is what commands taking an ``INVENTORY`` argument call (``trunkline plan``,
``trunkline inventory show``). The live vCenter reader is separate
(:mod:`trunkline.vsphere.vcenter`): it needs credentials and a network.
"""

from __future__ import annotations

from pathlib import Path

from trunkline.errors import BadInputError
from trunkline.examples import BUNDLED_NAME, bundled_inventory
from trunkline.inputfile import check_regular
from trunkline.vsphere.filekinds import OLE2_MAGIC, ZIP_MAGIC
from trunkline.vsphere.model import Inventory

__all__ = ["OLE2_MAGIC", "example_text", "load_inventory"]


def example_text() -> str:
    """The text of the bundled example design (:func:`trunkline.examples.bundled_inventory`)."""
    return bundled_inventory().read_text(encoding="utf-8")


def load_inventory(path: Path | None = None, partial: bool = False) -> Inventory:
    """Read an inventory: *path* ``None`` = the bundled example design. *partial*: an RVTools export may
    lack tabs a plan needs (see :func:`trunkline.vsphere.rvtools.read_rvtools`).

    The format is told by content, not by the file name: a ZIP archive is an RVTools export (.xlsx,
    :func:`trunkline.vsphere.rvtools.read_rvtools`); text starting with ``{`` is JSON; anything else YAML
    (:func:`trunkline.vsphere.yamlfile.load_inventory_file`). What cannot be an RVTools .xlsx (an .xls,
    a password-protected workbook, a CSV export, a non-ZIP file named .xlsx) is refused in one line by
    :func:`trunkline.vsphere.rvtools.workbook_refusal`, the same line ``inventory read`` gives.

    Raises:
        BadInputError: the file is missing, unreadable, not a regular file or over
            :data:`trunkline.inputfile.MAX_INPUT_BYTES`, or its content is malformed, violates the schema
            or has broken references (one line naming the file, the place and the fix).
    """
    from trunkline.vsphere import yamlfile

    if path is None:
        return yamlfile.parse_inventory(example_text(), BUNDLED_NAME)
    check_regular(path, str(path), "the inventory file")
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read it ({exc.strerror}); check its permissions") from None
    from trunkline.vsphere import rvtools

    refusal = rvtools.workbook_refusal(path, head)
    if refusal is not None:
        raise refusal
    if head.startswith(ZIP_MAGIC):
        return rvtools.read_rvtools(path, partial=partial)
    return yamlfile.load_inventory_file(path)
