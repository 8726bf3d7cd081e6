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


def _run_all(path: Path, tmp_path: Path) -> list[tuple[int, str, bool]]:
    """(exit code, stderr, wrote anything) of `inventory read`, `inventory show` and `plan` on *path*."""
    from tests.conftest import run_cli

    out = []
    for args in (
        ("inventory", "read", "--rvtools", str(path), "-o", str(tmp_path / "inv.yaml")),
        ("inventory", "show", str(path)),
        ("plan", str(path), "-o", str(tmp_path / "plan")),
    ):
        proc = run_cli(*args)
        wrote = (tmp_path / "inv.yaml").exists() or (tmp_path / "plan").exists()
        out.append((proc.returncode, proc.stderr, wrote))
    return out


def test_a_password_protected_workbook_says_remove_the_password_in_every_command(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile  # test-only: encrypts as Excel does

    from tests.support.rvtools_corpus import seed_rows, write_workbook

    plain = write_workbook(tmp_path / "plain.xlsx", seed_rows())
    path = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("s3cret", target)
    assert path.read_bytes().startswith(OLE2_MAGIC)
    message = (
        f"trunkline: error: {path}: is a password-protected workbook, which trunkline cannot open; "
        "remove the password (save "
        "unprotected: in Excel, File > Info > Protect Workbook > Encrypt with Password, clear it, save) or "
        "export the inventory again from RVTools\n"
    )
    assert _run_all(path, tmp_path) == [(2, message, False)] * 3


def test_a_text_file_named_xlsx_gets_one_message_from_every_command(tmp_path: Path) -> None:
    path = tmp_path / "hosts.xlsx"
    path.write_text("name,ip\nesx01,192.0.2.1\n", encoding="utf-8")
    message = (
        f"trunkline: error: {path}: is named .xlsx but is not an Excel workbook (an .xlsx is a ZIP archive; "
        "this file is not); "
        "export the inventory from RVTools as .xlsx (File > Export all to Excel)\n"
    )
    assert _run_all(path, tmp_path) == [(2, message, False)] * 3
