"""What a file is, told by content: an old .xls and a directory get messages that say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from trunkline.errors import BadInputError
from trunkline.vsphere.rvtools import read_rvtools
from trunkline.vsphere.sources import OLE2_MAGIC, load_inventory

XLS = (
    "this looks like an Excel 97-2003 workbook (.xls); save it as .xlsx in Excel "
    "or export the inventory again from RVTools (.xlsx)"
)


def _xls(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(OLE2_MAGIC + bytes(504))
    return path


@pytest.mark.parametrize("name", ["export.xls", "inventory.yaml"])
def test_show_of_an_old_excel_workbook_says_so(tmp_path: Path, name: str) -> None:
    path = _xls(tmp_path, name)
    with pytest.raises(BadInputError) as err:
        load_inventory(path)
    assert str(err.value) == f"{path}: {XLS}"


def test_rvtools_of_an_old_excel_workbook_says_so(tmp_path: Path) -> None:
    path = _xls(tmp_path, "export.xls")
    with pytest.raises(BadInputError) as err:
        read_rvtools(path)
    assert str(err.value) == f"{path}: {XLS}"


def test_rvtools_of_a_directory_says_it_is_one(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as err:
        read_rvtools(tmp_path)
    assert str(err.value) == f"{tmp_path}: is a directory; give the RVTools export (.xlsx) inside it"
