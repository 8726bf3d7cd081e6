"""Opening an RVTools workbook: refusals of what cannot be an .xlsx export (:func:`workbook_refusal`:
.xls, CSV, encrypted), the tabs and their header rows, formulas without saved values, one :class:`Row`
per worksheet row."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trunkline.errors import BadInputError
from trunkline.vsphere.filekinds import OLE2_MAGIC, ZIP_MAGIC
from trunkline.vsphere.model import (
    Finding,
    Place,
)
from trunkline.vsphere.rvtools.columns import COLUMNS, REQUIRED_SHEETS, RVTOOLS_OWN_COLUMNS, SHEET_GIVES


@dataclass(frozen=True)
class Row:
    """One worksheet row: its sheet, its Excel row number (the header is row 1) and its cells by key."""

    sheet: str
    number: int
    cells: dict[str, Any]
    #: key -> formula text of the cells that hold a formula without a saved value (read as blank)
    formulas: dict[str, str] = field(default_factory=dict)

    def text(self, key: str) -> str:
        """The cell as stripped text ('' when empty or absent)."""
        value = self.cells.get(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


def _norm(header: Any) -> str:
    return re.sub(r"\s+", " ", str(header or "")).strip().lower()


def old_excel_error(path: Path) -> BadInputError:
    """The one-line error for an Excel 97-2003 workbook (.xls), which RVTools does not write."""
    return BadInputError(
        f"{path}: this looks like an Excel 97-2003 workbook (.xls); save it as .xlsx in Excel "
        "or export the inventory again from RVTools (.xlsx)"
    )


#: Stream names in the directory of an encrypted Office document's OLE2 container, as UTF-16LE
#: directory entries store them ([MS-OFFCRYPTO] 2.3.4: ``EncryptionInfo`` and ``EncryptedPackage``).
_ENCRYPTED_STREAMS = tuple(name.encode("utf-16-le") for name in ("EncryptionInfo", "EncryptedPackage"))
_XLSX_SUFFIXES = (".xlsx", ".xlsm")


def workbook_refusal(path: Path, head: bytes) -> BadInputError | None:
    """The one-line error for a file that cannot be an RVTools .xlsx, from its first bytes *head*, or
    ``None`` when it may be one. The one home of this decision for every command (``inventory read``,
    ``inventory show``, ``plan``):

    - an OLE2 container holding ``EncryptionInfo``/``EncryptedPackage`` streams: a password-protected
      workbook (Excel encrypts an .xlsx into such a container);
    - any other OLE2 container: an Excel 97-2003 workbook (.xls);
    - an RVTools CSV export (:func:`looks_like_csv`);
    - a file named ``.xlsx``/``.xlsm`` that is not a ZIP archive (an .xlsx is one).
    """
    if head.startswith(OLE2_MAGIC):
        try:
            data = path.read_bytes()
        except OSError:
            data = head
        if any(stream in data for stream in _ENCRYPTED_STREAMS):
            return BadInputError(
                f"{path}: is a password-protected workbook, which trunkline cannot open; remove the password "
                "(save unprotected: in Excel, File > Info > Protect Workbook > Encrypt with Password, clear "
                "it, save) or export the inventory again from RVTools"
            )
        return old_excel_error(path)
    if looks_like_csv(path, head):
        return csv_error(path)
    if path.suffix.lower() in _XLSX_SUFFIXES and not head.startswith(ZIP_MAGIC):
        return BadInputError(
            f"{path}: is named {path.suffix} but is not an Excel workbook (an .xlsx is a ZIP archive; this "
            "file is not); export the inventory from RVTools as .xlsx (File > Export all to Excel)"
        )
    return None


def missing_sheets_error(path: Path, missing: list[str]) -> BadInputError:
    """The one error for a workbook without some of the tabs a plan needs (all of them named)."""
    listing = "; ".join(f"'{sheet}' ({SHEET_GIVES[sheet]})" for sheet in missing)
    return BadInputError(
        f"{path}: the export lacks {len(missing)} tab(s) a plan needs: {listing}; export all tabs with "
        "RVTools (File > Export all to Excel); `trunkline inventory show` shows what the present tabs hold"
    )


def _read_workbook(path: Path, partial: bool = False) -> tuple[dict[str, list[Row]], list[Finding]]:
    import openpyxl  # deferred: only this reader needs it
    from openpyxl.utils.exceptions import InvalidFileException

    if path.is_dir():
        raise BadInputError(f"{path}: is a directory; give the RVTools export (.xlsx) inside it")
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except (FileNotFoundError, IsADirectoryError):
        head = b""  # reported below as openpyxl meets it
    except PermissionError as exc:
        raise BadInputError(f"{path}: cannot read it ({exc.strerror}); check its permissions") from None
    refusal = workbook_refusal(path, head) if head else None
    if refusal is not None:
        raise refusal
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file; check the path") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BadInputError(
            f"{path}: not a readable Excel workbook ({reason}); export the inventory from RVTools as .xlsx"
        ) from None
    try:
        by_name = {_norm(name): name for name in workbook.sheetnames}
        present = [s for s in COLUMNS if _norm(s) in by_name]
        if not present:
            raise BadInputError(
                f"{path}: not an RVTools export: none of its sheets ({', '.join(workbook.sheetnames)}) is an "
                f"RVTools tab ({', '.join(REQUIRED_SHEETS)}); export the inventory with RVTools"
            )
        headers: dict[str, tuple[list[str], Iterator[tuple[Any, ...]]]] = {}
        for sheet in present:
            rows = workbook[by_name[_norm(sheet)]].iter_rows(values_only=True)
            header = next(rows, None)
            headers[sheet] = ([_norm(h) for h in header] if header else [], rows)
        own = [_norm(c) for c in RVTOOLS_OWN_COLUMNS]
        if not any(all(c in names for c in own) for names, _ in headers.values()):
            raise BadInputError(
                f"{path}: resembles an RVTools export but no tab has RVTools' own column(s) "
                f"{', '.join(repr(c) for c in RVTOOLS_OWN_COLUMNS)}; export the inventory with RVTools "
                "itself (File > Export all to Excel) rather than a copy of its tabs"
            )
        findings: list[Finding] = []
        missing = [s for s in REQUIRED_SHEETS if s not in headers]
        if missing and not partial:
            raise missing_sheets_error(path, missing)
        for sheet in missing:
            findings.append(
                Finding(
                    severity="warning",
                    code="sheet-missing",
                    place=Place(sheet=sheet),
                    message=f"the export has no tab '{sheet}', so the inventory lacks {SHEET_GIVES[sheet]}; "
                    "export all tabs with RVTools for a plan",
                )
            )
        out: dict[str, list[Row]] = {sheet: [] for sheet in REQUIRED_SHEETS}
        for sheet, (names, rows) in headers.items():
            out[sheet] = list(_sheet_rows(path, sheet, names, rows, COLUMNS[sheet]))
        if _has_formulas(path):
            _mark_formulas(path, {s: by_name[_norm(s)] for s in headers}, out)
        return out, findings
    finally:
        workbook.close()


_FORMULA_TAG = re.compile(rb"<f[ >]")


def _has_formulas(path: Path) -> bool:
    """Does any worksheet of the .xlsx at *path* hold a formula (an ``<f>`` element, ECMA-376 Part 1
    18.3.1.40)? A byte search, so that exports without formulas (RVTools writes none) are read once."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as member:
                    tail = b""
                    while chunk := member.read(1 << 20):  # streamed: a large export stays small in memory
                        if _FORMULA_TAG.search(tail + chunk):
                            return True
                        tail = chunk[-2:]
    return False


def _mark_formulas(path: Path, sheet_names: dict[str, str], out: dict[str, list[Row]]) -> None:
    """Record in each row's ``formulas`` the cells that hold a formula without a saved value: openpyxl
    reads those as empty (an .xlsx keeps a formula's last value only when Excel saved it), and a blank
    cell would be reported as missing data rather than as an unsaved formula."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet, rows in out.items():
            if sheet not in sheet_names or not rows:
                continue
            values = workbook[sheet_names[sheet]].iter_rows(values_only=True)
            header = [_norm(h) for h in next(values, None) or ()]
            index = {
                key: header.index(_norm(spelling))
                for key, (spellings, _) in COLUMNS[sheet].items()
                for spelling in reversed(spellings)
                if _norm(spelling) in header
            }
            by_number = {row.number: row for row in rows}
            for number, raw in enumerate(values, start=2):
                row = by_number.get(number)
                if row is None:
                    continue
                for key, i in index.items():
                    cell = raw[i] if i < len(raw) else None
                    if row.cells.get(key) is None and isinstance(cell, str) and cell.startswith("="):
                        row.formulas[key] = cell
    finally:
        workbook.close()


def looks_like_csv(path: Path, head: bytes) -> bool:
    """True for an RVTools CSV export (one ``.csv`` file per tab, such as ``RVTools_tabvInfo.csv``): a
    ``.csv`` name, or text whose first line holds RVTools' column names between commas or semicolons."""
    if path.suffix.lower() == ".csv":
        return True
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff")
    cells = {_norm(c.strip('"')) for c in re.split(r"[,;]", first)}
    return len(cells) > 2 and bool(cells & {_norm(c) for c in RVTOOLS_OWN_COLUMNS})


def csv_error(path: Path) -> BadInputError:
    """The one-line refusal of an RVTools CSV export."""
    return BadInputError(
        f"{path}: is an RVTools CSV export (one file per tab), which trunkline does not read; export to "
        "Excel instead: in RVTools, File > Export all to Excel (.xlsx), and give that file"
    )


def _sheet_rows(
    path: Path,
    sheet: str,
    names: list[str],
    rows: Iterator[tuple[Any, ...]],
    columns: dict[str, tuple[tuple[str, ...], bool]],
) -> Iterator[Row]:
    index: dict[str, int] = {}
    for key, (spellings, required) in columns.items():
        found = next((names.index(_norm(s)) for s in spellings if _norm(s) in names), None)
        if found is not None:
            index[key] = found
        elif required:
            others = f" (or {', '.join(repr(s) for s in spellings[1:])})" if len(spellings) > 1 else ""
            raise BadInputError(
                f"{path}: sheet '{sheet}' has no column '{spellings[0]}'{others}; "
                "export the workbook again with RVTools, whose exports have it"
            )
    for number, values in enumerate(rows, start=2):
        if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        cells = {key: values[i] if i < len(values) else None for key, i in index.items()}
        yield Row(sheet, number, cells)
