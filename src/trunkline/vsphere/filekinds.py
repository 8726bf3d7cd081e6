"""What kind of file an inventory path holds, told by its first bytes (imported by :mod:`.sources` and
:mod:`.rvtools`, which must not import each other)."""

from __future__ import annotations

#: An .xlsx is a ZIP archive (ECMA-376 Part 2, Open Packaging Conventions).
ZIP_MAGIC = b"PK\x03\x04"
#: The first bytes of a Compound File Binary file, such as an Excel 97-2003 workbook (.xls) ([MS-CFB] 2.2).
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
