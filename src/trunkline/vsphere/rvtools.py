"""RVTools export (.xlsx) -> :class:`~trunkline.vsphere.model.Inventory`.

RVTools (Dell/Robware) writes one worksheet ("tab") per object type, one header row, then one row per
object. trunkline reads these tabs (openpyxl, read-only mode, so large exports stream):

=========  ==================================================================================
vInfo      the VMs: name, power state, template, VM ID (moid), folder, cluster, host
vNetwork   the VMs' NICs: label, adapter type, network (port group) and switch, MAC, connected,
           starts connected
vHost      the ESXi hosts: datacenter, cluster, Object ID (moid)
vNIC       the hosts' physical NICs: device (vmnic1), MAC, speed, the switch that uses it and the
           DVS uplink port (``Uplink 1``)
vSwitch    standard vSwitches per host: MTU, security policy, teaming policy
vPort      standard port groups per host: switch, VLAN ID (0, 1-4094, 4095), security policy
dvSwitch   distributed switches: datacenter, max MTU, LACP group, Object ID
dvPort     distributed port groups: switch, VLAN (an ID, trunk ranges such as ``0-4094`` or
           ``100-199,300``, or a private VLAN), security policy, active/standby uplinks, Object ID
vSC_VMK    (optional) vmkernel NICs: port group, IP address
vSource    (optional) the vCenter's version
=========  ==================================================================================

Column names differ between RVTools versions (3.x against 4.x: ``NIC label`` is new in 4.x,
``IP Address`` became ``IPv4 Address``/``IPv6 Address``, ``VI SDK UUID``, ``VM ID`` and ``Object ID``
columns were added, and new columns appear in most releases). Columns are therefore found by name,
case- and spacing-insensitively, among the known spellings (:data:`COLUMNS`), in any order, and
unknown columns are ignored. A missing sheet or a missing required column is one
:class:`~trunkline.errors.BadInputError` naming both.

Several vCenters in one export (RVTools can read several at once, the ``VI SDK Server`` column says
which) become several :class:`VCenter` objects, keyed by ``VI SDK UUID`` (the vCenter instance UUID).

Ids: RVTools exports managed object ids only for some objects (VMs' ``VM ID``, hosts', switches' and
distributed port groups' ``Object ID`` in 4.x). Where none is exported, the id is written
``<kind>:<name>`` (``datacenter:DC1``, ``cluster:Cluster01``, ``host:esx01``, ``dvs:DSwitch``,
``dvportgroup:DSwitch/vm-vlan-40``), and the id joining same-named standard port groups across hosts
(vCenter's ``Network`` object, ``network-45`` in the API) is ``network:<port group name>``. A network a
VM NIC names that is neither a standard nor a distributed port group (an NSX segment, or a port group
on a host not in the export) becomes an :class:`OpaqueNetwork`, so it is reported, never dropped.

Names are unescaped as vSphere shows them (``%2f`` -> ``/``, ``%5c`` -> ``\\``, ``%25`` -> ``%``).
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from trunkline.errors import BadInputError
from trunkline.vlanranges import merge_ranges
from trunkline.vsphere.filekinds import OLE2_MAGIC, ZIP_MAGIC
from trunkline.vsphere.model import (
    AccessVlan,
    Cluster,
    Datacenter,
    Finding,
    Host,
    Inventory,
    LacpGroup,
    NoVlan,
    OpaqueNetwork,
    PhysicalNic,
    Place,
    PortGroup,
    PrivateVlan,
    SecurityPolicy,
    Teaming,
    TrunkVlan,
    UnknownVlan,
    VCenter,
    VirtualMachine,
    VirtualSwitch,
    VlanRange,
    VmkernelNic,
    VmNic,
    is_address,
)

# --------------------------------------------------------------------------------------------------
# The columns trunkline reads, by sheet: logical key -> (spellings across RVTools versions, required)
# --------------------------------------------------------------------------------------------------

_SERVER = ("VI SDK Server",)
_UUID = ("VI SDK UUID",)

#: Sheet -> column key -> (accepted header spellings, the first being the RVTools 4.x name; required).
COLUMNS: dict[str, dict[str, tuple[tuple[str, ...], bool]]] = {
    "vInfo": {
        "vm": (("VM", "VM Name", "Name"), True),
        "power": (("Powerstate", "Power State", "PowerState"), False),
        "template": (("Template",), False),
        "vm_id": (("VM ID", "VM Object ID"), False),
        "folder": (("Folder",), False),
        "datacenter": (("Datacenter",), False),
        "cluster": (("Cluster",), False),
        "host": (("Host",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vNetwork": {
        "vm": (("VM", "VM Name"), True),
        "label": (("NIC label", "NIC", "Label"), False),
        "adapter": (("Adapter", "Adapter Type"), False),
        "network": (("Network", "Portgroup", "Port Group"), True),
        "switch": (("Switch",), False),
        "connected": (("Connected",), False),
        "starts_connected": (("Starts Connected", "Start Connected"), False),
        "mac": (("Mac Address", "MAC"), False),
        "ipv4": (("IPv4 Address", "IP Address"), False),
        "ipv6": (("IPv6 Address",), False),
        "vm_id": (("VM ID",), False),
        "power": (("Powerstate", "Power State"), False),
        "template": (("Template",), False),
        "datacenter": (("Datacenter",), False),
        "cluster": (("Cluster",), False),
        "host": (("Host",), False),
        "folder": (("Folder",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vHost": {
        "host": (("Host", "Name"), True),
        "datacenter": (("Datacenter",), False),
        "cluster": (("Cluster",), False),
        "object_id": (("Object ID",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vNIC": {
        "host": (("Host",), True),
        "device": (("Network Device", "Device"), True),
        "mac": (("MAC", "Mac Address"), False),
        "speed": (("Speed",), False),
        "switch": (("Switch",), False),
        "uplink": (("Uplink port", "Uplink"), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vSwitch": {
        "host": (("Host",), True),
        "switch": (("Switch", "Name"), True),
        "mtu": (("MTU",), False),
        "promiscuous": (("Promiscuous Mode", "Allow Promiscuous"), False),
        "mac_changes": (("Mac Changes",), False),
        "forged": (("Forged Transmits",), False),
        "policy": (("Policy",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vPort": {
        "host": (("Host",), True),
        "portgroup": (("Port Group", "Portgroup", "Name"), True),
        "switch": (("Switch",), True),
        "vlan": (("VLAN", "VLAN ID"), True),
        "promiscuous": (("Promiscuous Mode", "Allow Promiscuous"), False),
        "mac_changes": (("Mac Changes",), False),
        "forged": (("Forged Transmits",), False),
        "policy": (("Policy",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "dvSwitch": {
        "switch": (("Switch", "Name"), True),
        "datacenter": (("Datacenter",), False),
        "mtu": (("Max MTU", "MTU"), False),
        "lacp_name": (("LACP Name",), False),
        "lacp_mode": (("LACP Mode",), False),
        "lacp_balance": (("LACP Load Balance Alg.", "LACP Load Balance Alg"), False),
        "object_id": (("Object ID",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "dvPort": {
        "portgroup": (("Port", "Portgroup", "Port Group", "Name"), True),
        "switch": (("Switch",), True),
        "vlan": (("VLAN",), True),
        "vlan_type": (("VLAN type", "VLAN Type"), False),
        "uplink": (("Uplink",), False),
        "promiscuous": (("Allow Promiscuous", "Promiscuous Mode"), False),
        "mac_changes": (("Mac Changes",), False),
        "forged": (("Forged Transmits",), False),
        "active": (("Active Uplink", "Active Uplinks"), False),
        "standby": (("Standby Uplink", "Standby Uplinks"), False),
        "policy": (("Policy",), False),
        "object_id": (("Object ID",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vSource": {
        "version": (("Version", "Product version"), False),
        "fullname": (("Fullname",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vSC_VMK": {
        "host": (("Host",), True),
        "portgroup": (("Port Group", "Portgroup"), True),
        "device": (("Device",), True),
        "ip": (("IP Address",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
}

#: Sheets a plan needs, and what each gives; the others are read when present.
SHEET_GIVES: dict[str, str] = {
    "vInfo": "the VMs",
    "vNetwork": "the VMs' NICs and their port groups",
    "vHost": "the hosts and their clusters",
    "vNIC": "the hosts' physical NICs (uplinks)",
    "vSwitch": "the standard switches",
    "vPort": "the standard port groups and their VLANs",
    "dvSwitch": "the distributed switches",
    "dvPort": "the distributed port groups and their VLANs",
}
REQUIRED_SHEETS = tuple(SHEET_GIVES)
#: RVTools writes these columns on every tab trunkline reads; a workbook without them only resembles
#: an export.
RVTOOLS_OWN_COLUMNS = ("VI SDK Server",)

_TEAMING = {
    "loadbalance_srcid",
    "loadbalance_srcmac",
    "loadbalance_ip",
    "loadbalance_loadbased",
    "failover_explicit",
}

# --------------------------------------------------------------------------------------------------
# Reading the workbook
# --------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------
# Cell values
# --------------------------------------------------------------------------------------------------

_ESCAPE_RE = re.compile(r"%(2f|5c|25)", re.IGNORECASE)
_UNESCAPE = {"2f": "/", "5c": "\\", "25": "%"}


def unescape_name(name: str) -> str:
    """A vSphere object name as people see it: the API's ``%2f``, ``%5c``, ``%25`` -> ``/``, ``\\``, ``%``
    (vSphere Web Services API reference, ``ManagedEntity.name``); one pass, so ``%252f`` -> ``%2f``."""
    return _ESCAPE_RE.sub(lambda m: _UNESCAPE[m.group(1).lower()], name)


class _CellError(ValueError):
    """A cell that cannot be read; turned into a BadInputError naming the sheet, row and column."""


def _bool(row: Row, key: str) -> bool | None:
    """``True``/``False`` as Excel, text or vSphere words (Accept/Reject, Yes/No); empty = ``None``."""
    value = row.cells.get(key)
    if isinstance(value, bool):
        return value
    text = row.text(key).lower()
    if text in ("true", "yes", "accept", "accepted", "1", "on", "enabled"):
        return True
    if text in ("false", "no", "reject", "rejected", "0", "off", "disabled"):
        return False
    return None  # empty, "None", "Inherit ..." or unknown: inherited / not known


def _int(row: Row, key: str) -> int | None:
    """The leading integer of a cell (``10000`` or ``"10000 Full"``); ``None`` when empty."""
    value = row.cells.get(key)
    if isinstance(value, bool):
        raise _CellError(f"{value!r} is not a number")
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        raise _CellError(f"a date or time ({value}) is not a number")
    if value is not None and not isinstance(value, (int, float, str)):
        raise _CellError(f"a {type(value).__name__} ({value}) is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = row.text(key)
    if not text:
        return None
    match = re.match(r"^\s*(\d+)", text)
    if not match:
        raise _CellError(f"{text!r} is not a number")
    return int(match.group(1))


def _mtu(row: Row, key: str) -> int | None:
    """A switch MTU (68-9216 bytes; vSphere's range is 1280-9000); ``None`` when empty."""
    value = _int(row, key)
    if value is not None and not 68 <= value <= 9216:
        raise _CellError(f"MTU {value} is outside 68-9216")
    return value


_MAC_TEXT = re.compile(r"^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$")


def _name(row: Row, key: str) -> str:
    return unescape_name(row.text(key))


def _list(row: Row, key: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in row.text(key).split(",") if part.strip())


def _security(row: Row) -> SecurityPolicy:
    return SecurityPolicy(
        promiscuous=_bool(row, "promiscuous"),
        mac_changes=_bool(row, "mac_changes"),
        forged_transmits=_bool(row, "forged"),
    )


def _teaming(row: Row) -> Teaming:
    policy = row.text("policy")
    return Teaming(
        policy=policy if policy in _TEAMING else None,  # type: ignore[arg-type]
        active=_list(row, "active"),
        standby=_list(row, "standby"),
    )


_PVLAN_RE = re.compile(r"pvlan|private", re.IGNORECASE)
_RANGES_RE = re.compile(r"^\d+\s*(-\s*\d+)?(\s*,\s*\d+\s*(-\s*\d+)?)*$")


def parse_dvport_vlan(text: str, vlan_type: str = "") -> NoVlan | AccessVlan | TrunkVlan | PrivateVlan:
    """A dvPort ``VLAN`` cell -> VLAN policy.

    ``""``/``0`` untagged; ``40`` a VLAN ID; ranges (``0-4094``, ``100-199, 300``) a trunk; text naming a
    private VLAN (``PVLAN 101``, ``Private VLAN 100/101``) a private VLAN whose last number is the
    secondary ID and the first (when there are two) the primary. A ``VLAN type`` column, where the
    export has one, decides between a one-VLAN trunk and a VLAN ID.

    Raises:
        ValueError: the text is none of these, or an ID is outside 0-4094.
    """
    text = text.strip()
    kind = vlan_type.strip().lower()
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if _PVLAN_RE.search(text) or "pvlan" in kind or "private" in kind:
        if not numbers:
            raise ValueError(f"private VLAN {text!r} names no VLAN ID")
        primary = numbers[0] if len(numbers) > 1 else None
        return PrivateVlan(secondary=numbers[-1], primary=primary)
    if not text or text.lower() in ("none", "untagged"):
        return NoVlan()
    if not _RANGES_RE.match(text):
        raise ValueError(f"{text!r} is not a VLAN ID, trunk ranges or a private VLAN")
    too_big = next((n for n in numbers if n > 4094), None)
    if too_big is not None:
        raise ValueError(f"VLAN ID {too_big} is out of range 0-4094")
    if "trunk" in kind or "," in text or "-" in text:
        ends = []
        for part in text.split(","):
            pair = [int(n) for n in part.split("-")]
            if pair[0] > pair[-1]:
                raise ValueError(f"range {part.strip()!r} runs backwards")
            ends.append((pair[0], pair[-1]))
        # vSphere keeps trunk ranges apart; a cell such as "1,1,2-5,3" is written merged: "1-5"
        return TrunkVlan(ranges=tuple(VlanRange(start=a, end=b) for a, b in merge_ranges(ends)))
    return NoVlan() if numbers[0] == 0 else AccessVlan(id=numbers[0])


def parse_vport_vlan(value: int) -> NoVlan | AccessVlan:
    """A standard port group's VLAN ID: 0 untagged, 1-4094 tagged, 4095 all VLANs to the guest (VGT).

    Raises:
        ValueError: outside 0-4095.
    """
    if not 0 <= value <= 4095:
        raise ValueError(f"VLAN ID {value} is out of range 0-4095")
    return NoVlan() if value == 0 else AccessVlan(id=value)


_ADAPTERS = {
    "vmxnet3": "vmxnet3",
    "vmxnet2": "vmxnet2",
    "vmxnet": "vmxnet",
    "e1000": "e1000",
    "e1000e": "e1000e",
    "pcnet32": "pcnet32",
    "sriovethernetcard": "sriov",
    "sriov": "sriov",
    "vmxnet3vrdma": "vrdma",
    "pvrdma": "vrdma",
}


def adapter_type(text: str) -> str | None:
    """RVTools' adapter text (``Vmxnet3``, ``E1000E``, ``vim.vm.device.VirtualVmxnet3``) -> the model's
    lower-case device type (``vmxnet3``, ``e1000e``, ``sriov`` ...); unknown types lower-cased as they are."""
    key = text.strip()
    if not key:
        return None
    key = key.rsplit(".", 1)[-1]
    key = re.sub(r"^Virtual", "", key)
    key = key.lower().replace(" ", "")
    return _ADAPTERS.get(key, key)


def _power(text: str) -> str | None:
    key = text.strip().lower().replace(" ", "")
    return {
        "poweredon": "poweredOn",
        "on": "poweredOn",
        "poweredoff": "poweredOff",
        "off": "poweredOff",
        "suspended": "suspended",
    }.get(key)


def _natural(text: str) -> tuple[Any, ...]:
    """Sort key: ``vmnic2`` before ``vmnic10``, ``Network adapter 2`` before ``Network adapter 10``."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text))


# --------------------------------------------------------------------------------------------------
# Building the inventory
# --------------------------------------------------------------------------------------------------


@dataclass
class _DC:
    name: str
    clusters: set[str] = field(default_factory=set)
    switches: dict[str, VirtualSwitch] = field(default_factory=dict)
    port_groups: dict[str, PortGroup] = field(default_factory=dict)
    opaque: dict[str, OpaqueNetwork] = field(default_factory=dict)
    vms: list[VirtualMachine] = field(default_factory=list)


@dataclass
class _VC:
    name: str
    uuid: str | None
    version: str | None = None
    dcs: dict[str, _DC] = field(default_factory=dict)

    def dc(self, name: str) -> _DC:
        return self.dcs.setdefault(name, _DC(name))


def _dc_id(name: str) -> str:
    return f"datacenter:{name}"


def _cluster_id(name: str) -> str:
    return f"cluster:{name}"


_VIRTUALWIRE = re.compile(r"^vxw-dvs-\d+-virtualwire-\d+-sid-(\d+)-(.*)$")
"""NSX-V logical switch port groups: ``vxw-dvs-<N>-virtualwire-<M>-sid-<VNI>-<name>`` (NSX-V names the
distributed port group that backs a logical switch so; its VLAN is the VXLAN transport VLAN)."""

_EDIT = "edit the inventory file `trunkline inventory read` wrote, then run `trunkline plan` on it"


class _Builder:
    """Joins the sheets of one workbook into vCenters, datacenters, hosts, switches, port groups, VMs.

    A cell that cannot be read, or a row that refers to something the export lacks, is a finding on that
    row (:attr:`findings`); the rest of the workbook is read."""

    def __init__(self, path: Path, sheets: dict[str, list[Row]], findings: list[Finding]) -> None:
        self.path = path
        self.sheets = sheets
        self.findings = findings
        self.vcs: dict[str, _VC] = {}
        # per vCenter key: host name -> (dc name, host id); dvs name -> (dc name, dvs id)
        self.host_of: dict[tuple[str, str], tuple[str, str]] = {}
        self.dvs_of: dict[tuple[str, str], tuple[str, str]] = {}
        # (vc key, dvs name, port group name) -> port group; (vc key, host id, vSwitch) -> switch id
        self.dvpg_of: dict[tuple[str, str, str], PortGroup] = {}
        self.std_switch_of: dict[tuple[str, str, str], str] = {}
        self.std_pg_of: dict[tuple[str, str, str], PortGroup] = {}  # (vc, host id, pg name)
        # by name alone, for rows that do not say the switch: (vc, pg name) -> distributed port groups;
        # (vc, dc name, pg name) -> the network id of same-named standard port groups
        self.dvpg_by_name: dict[tuple[str, str], list[PortGroup]] = defaultdict(list)
        self.std_network_by_name: dict[tuple[str, str, str], str] = {}
        self.hosts: dict[tuple[str, str], dict[str, Any]] = {}

    def note(self, severity: str, code: str, row: Row, key: str | None, message: str) -> None:
        """Keep a finding about *row* (and its column *key*). A cell holding a formula without a saved
        value is reported as such instead (:meth:`formula_findings`), never as a blank cell."""
        if key in row.formulas:
            return
        column = COLUMNS[row.sheet][key][0][0] if key else None
        self.findings.append(
            Finding(
                severity=severity,  # type: ignore[arg-type]
                code=code,
                place=Place(sheet=row.sheet, row=row.number, column=column),
                message=message,
            )
        )

    def formula_findings(self) -> None:
        """One finding per read cell holding a formula without a saved value."""
        for rows in self.sheets.values():
            for row in rows:
                for key, formula in row.formulas.items():
                    column = COLUMNS[row.sheet][key][0][0]
                    self.findings.append(
                        Finding(
                            severity="warning",
                            code="formula-no-value",
                            place=Place(sheet=row.sheet, row=row.number, column=column),
                            message=f"the cell holds the formula {formula!r} without a saved value, so its "
                            "value is unknown: open the workbook in Excel and save it (Excel saves each "
                            "formula's value), then read it again",
                        )
                    )

    def blank_name(self, row: Row, key: str, what: str) -> None:
        """Keep a finding about *row*, whose name cell *key* is blank: the row is left out."""
        self.note(
            "warning",
            "name-blank",
            row,
            key,
            f"the {what} of this row is blank: the row is left out; write the name in the export, or {_EDIT}",
        )

    def duplicate(self, row: Row, key: str, what: str, first: Row) -> None:
        """Keep a finding about *row*, which repeats *what* (a description) of the earlier row *first*:
        the inventory keeps *first*. An identical copy is a note; a copy with other values a warning."""
        same = row.cells == first.cells
        self.note(
            "info" if same else "warning",
            "duplicate-row",
            row,
            key,
            f"{what} is also in row {first.number}"
            + (" (an identical copy)" if same else " with other values")
            + f": the inventory keeps row {first.number}"
            + ("" if same else f"; if this row is the right one, {_EDIT}"),
        )

    # -- vCenters -----------------------------------------------------------------------------------

    def vc_key(self, row: Row) -> str:
        """The vCenter a row belongs to: by ``VI SDK Server`` (lower-cased), else by ``VI SDK UUID``, else
        the only vCenter of the export (some sheets of some versions leave both columns empty)."""
        server = row.text("server")
        uuid = row.text("uuid")
        if server:
            key = server.lower()
        elif uuid:
            key = next((k for k, v in self.vcs.items() if v.uuid == uuid), uuid)
        elif len(self.vcs) == 1:
            return next(iter(self.vcs))
        else:
            key = ""
        vc = self.vcs.get(key)
        if vc is None:
            vc = self.vcs[key] = _VC(name=server or self.path.stem, uuid=uuid or None)
        elif uuid and vc.uuid is None:
            vc.uuid = uuid
        return key

    def default_dc(self, vc: str) -> str:
        dcs = self.vcs[vc].dcs
        return next(iter(dcs)) if len(dcs) == 1 else ""

    # -- the passes ---------------------------------------------------------------------------------

    def build(self) -> Inventory:
        if not any(self.sheets.get(sheet) for sheet in ("vInfo", "vHost", "dvSwitch", "vSwitch")):
            raise BadInputError(
                f"{self.path}: no vCenter found: sheets vInfo, vHost, vSwitch and dvSwitch have no rows; "
                "export the inventory again with RVTools while connected to vCenter"
            )
        self.formula_findings()
        self.hosts = self._hosts()
        self._unique_rows()
        self._versions()
        self._dv_switches()
        self._standard_switches(self.hosts)
        self._port_groups()
        self._host_nics(self.hosts)
        self._vmkernel_nics(self.hosts)
        self._vms()
        return self._assemble()

    def _hosts(self) -> dict[tuple[str, str], dict[str, Any]]:
        """vHost -> per host: its id, datacenter, cluster; NICs and vmkernel NICs are added later."""
        hosts: dict[tuple[str, str], dict[str, Any]] = {}
        by_name: dict[tuple[str, str], Row] = {}
        by_id: dict[tuple[str, str], Row] = {}
        for row in self.sheets["vHost"]:
            vc = self.vc_key(row)
            name = _name(row, "host")
            if not name:
                self.blank_name(row, "host", "host name ('Host')")
                continue
            dc = _name(row, "datacenter")
            cluster = _name(row, "cluster")
            host_id = row.text("object_id") or f"host:{name}"
            if (vc, name) in by_name:
                self.duplicate(row, "host", f"host {name!r}", by_name[(vc, name)])
                continue
            if (vc, host_id) in by_id:
                self.duplicate(row, "object_id", f"host Object ID {host_id!r}", by_id[(vc, host_id)])
                continue
            by_name[(vc, name)] = by_id[(vc, host_id)] = row
            self.vcs[vc].dc(dc).clusters.update([cluster] if cluster else [])
            self.host_of[(vc, name)] = (dc, host_id)
            hosts[(vc, name)] = {
                "id": host_id,
                "name": name,
                "cluster": _cluster_id(cluster) if cluster else None,
                "dc": dc,
                "nics": [],
                "vmks": [],
            }
        return hosts

    def _unique_rows(self) -> None:
        """Leave out, each with a finding on its row, the rows whose name cell is blank and the rows
        repeating an object an earlier row gave (the same vmnic of one host, twice or on two switches;
        the same vSwitch, port group or vmkernel NIC of one host; the same distributed switch)."""

        def host(row: Row) -> str:
            return f" of host {_name(row, 'host')!r}"

        def keep(sheet: str, name_key: str, what: str, key: Any, on_host: bool = True) -> None:
            kept: list[Row] = []
            first: dict[Any, Row] = {}
            for row in self.sheets.get(sheet, []):
                name = _name(row, name_key)
                if not name:
                    self.blank_name(row, name_key, f"{what} name ('{COLUMNS[sheet][name_key][0][0]}')")
                    continue
                ident = (self.vc_key(row), *key(row))
                if ident in first:
                    where = host(row) if on_host else ""
                    self.duplicate(row, name_key, f"{what} {name!r}{where}", first[ident])
                    continue
                first[ident] = row
                kept.append(row)
            self.sheets[sheet] = kept

        keep("vNIC", "device", "physical NIC", lambda r: (_name(r, "host"), _name(r, "device")))
        keep("vSwitch", "switch", "vSwitch", lambda r: (_name(r, "host"), _name(r, "switch")))
        keep("vPort", "portgroup", "port group", lambda r: (_name(r, "host"), _name(r, "portgroup")))
        keep("vSC_VMK", "device", "vmkernel NIC", lambda r: (_name(r, "host"), _name(r, "device")))
        keep("dvSwitch", "switch", "distributed switch", lambda r: (_name(r, "switch"),), on_host=False)
        keep("dvPort", "portgroup", "distributed port group", lambda r: (r.number,), on_host=False)
        keep("vInfo", "vm", "VM", lambda r: (r.number,), on_host=False)
        keep("vNetwork", "vm", "VM", lambda r: (r.number,), on_host=False)

    def _versions(self) -> None:
        for row in self.sheets.get("vSource", []):
            version = row.text("version")
            if version:
                self.vcs[self.vc_key(row)].version = version

    def _dv_switches(self) -> None:
        by_id: dict[tuple[str, str], Row] = {}
        for row in self.sheets["dvSwitch"]:
            vc = self.vc_key(row)
            name = _name(row, "switch")
            dc = _name(row, "datacenter") if "datacenter" in row.cells else self.default_dc(vc)
            dvs_id = row.text("object_id") or f"dvs:{name}"
            if (vc, dvs_id) in by_id:
                first = by_id[(vc, dvs_id)]
                self.note(
                    "warning",
                    "duplicate-object-id",
                    row,
                    "object_id",
                    f"Object ID {dvs_id!r} is also in row {first.number} (distributed switch "
                    f"{_name(first, 'switch')!r}) with another switch {name!r}; the inventory keeps row "
                    f"{first.number}: if this row is the right one, {_EDIT}",
                )
                continue
            by_id[(vc, dvs_id)] = row
            lag = _name(row, "lacp_name")
            mode = row.text("lacp_mode").lower()
            lacp = (
                (
                    LacpGroup(
                        name=lag,
                        mode="passive" if mode == "passive" else "active",
                        load_balance=row.text("lacp_balance") or None,
                    ),
                )
                if lag
                else ()
            )
            self.dvs_of[(vc, name)] = (dc, dvs_id)
            self.vcs[vc].dc(dc).switches[dvs_id] = VirtualSwitch(
                id=dvs_id,
                name=name,
                kind="distributed",
                mtu=self._cell(row, "mtu", _mtu),
                lacp_groups=lacp,
            )

    def _standard_switches(self, hosts: dict[tuple[str, str], dict[str, Any]]) -> None:
        uplinks: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for row in self.sheets["vNIC"]:
            uplinks[(self.vc_key(row), _name(row, "host"), _name(row, "switch"))].append(row.text("device"))
        for row in self.sheets["vSwitch"]:
            vc = self.vc_key(row)
            host = self._host(row, hosts)
            if host is None:
                continue
            name = _name(row, "switch")
            switch_id = f"{host['id']}/{name}"
            self.std_switch_of[(vc, host["id"], name)] = switch_id
            self.vcs[vc].dc(host["dc"]).switches[switch_id] = VirtualSwitch(
                id=switch_id,
                name=name,
                kind="standard",
                host=host["id"],
                mtu=self._cell(row, "mtu", _mtu),
                uplinks=tuple(sorted(uplinks.get((vc, host["name"], name), []), key=_natural)),
                security=_security(row),
                teaming=_teaming(row),
            )

    def _vm_nic_counts(self) -> Counter[tuple[str, str, str]]:
        """VM NICs per (vCenter key, switch name or "", network name), from vNetwork."""
        counts: Counter[tuple[str, str, str]] = Counter()
        for row in self.sheets["vNetwork"]:
            vc = self.vc_key(row)
            counts[(vc, _name(row, "switch"), _name(row, "network"))] += 1
            counts[(vc, "", _name(row, "network"))] += 1
        return counts

    def _port_groups(self) -> None:
        dvs_uplinks: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in self.sheets["vNIC"]:
            if row.text("uplink") and (self.vc_key(row), _name(row, "host")) in self.host_of:
                dvs_uplinks[(self.vc_key(row), _name(row, "switch"))].add(row.text("uplink"))
        for (vc, dvs_name), (dc, dvs_id) in self.dvs_of.items():
            switch = self.vcs[vc].dc(dc).switches[dvs_id]
            names = tuple(sorted(dvs_uplinks.get((vc, dvs_name), set()), key=_natural))
            self.vcs[vc].dc(dc).switches[dvs_id] = switch.model_copy(update={"uplinks": names})
        vm_nics = self._vm_nic_counts()
        first_row: dict[tuple[str, str], Row] = {}  # (vc, port group id) -> its first dvPort row
        for row in self.sheets["dvPort"]:
            vc = self.vc_key(row)
            switch_name = _name(row, "switch")
            name = _name(row, "portgroup")
            if (vc, switch_name) not in self.dvs_of:
                self.note(
                    "error",
                    "unknown-switch",
                    row,
                    "switch",
                    f"port group {name!r} is on distributed switch {switch_name!r}, which sheet 'dvSwitch' "
                    f"lacks: the port group is left out; export the workbook again with every tab, "
                    f"or {_EDIT}",
                )
                continue
            dc, dvs_id = self.dvs_of[(vc, switch_name)]
            pg_id = row.text("object_id") or f"dvportgroup:{switch_name}/{name}"
            vlan, uplink_pg = self._dvport_vlan(row, name, vm_nics[(vc, switch_name, name)])
            pg = PortGroup(
                id=pg_id,
                name=name,
                switch=dvs_id,
                vlan=vlan,
                security=_security(row),
                teaming=_teaming(row),
                uplink_portgroup=uplink_pg,
                nsx=bool(_VIRTUALWIRE.match(name)),
            )
            first = first_row.get((vc, pg_id))
            if first is not None:
                earlier = first.number
                if self.vcs[vc].dc(dc).port_groups.get(pg_id) != pg:
                    self.note(
                        "warning",
                        "duplicate-object-id",
                        row,
                        "object_id",
                        f"Object ID {pg_id!r} is also in row {earlier} with another port group or VLAN; the "
                        f"inventory keeps row {earlier}: if this row is the right one, {_EDIT}",
                    )
                else:
                    self.duplicate(row, "portgroup", f"distributed port group {name!r}", first)
                continue
            first_row[(vc, pg_id)] = row
            self.dvpg_of[(vc, switch_name, name)] = pg
            self.dvpg_by_name[(vc, name)].append(pg)
            self.vcs[vc].dc(dc).port_groups[pg_id] = pg
        self._standard_port_groups()

    def _dvport_vlan(self, row: Row, name: str, vm_nics: int) -> tuple[Any, bool]:
        """(VLAN policy, is the switch's uplink port group) of a dvPort row.

        RVTools leaves ``VLAN`` blank on a switch's uplink port group and (4.4) on trunk port groups: a
        blank VLAN with no VM NICs and no active uplink of its own is the uplink port group; elsewhere
        it is unknown, and a finding."""
        flag = _bool(row, "uplink")
        text = row.text("vlan")
        if flag is True or (flag is None and not text and not vm_nics and not row.text("active")):
            return NoVlan(), True
        if not text:
            self.note(
                "warning",
                "vlan-blank",
                row,
                "vlan",
                f"port group {name!r} has a blank VLAN cell (RVTools 4.4 leaves trunk port groups blank), "
                f"so its VLANs are unknown and it gets no NAD; {_EDIT}: set its 'vlan' to the VLAN ID or "
                'trunk ranges such as "100-199,300"',
            )
            return UnknownVlan(), False
        try:
            vlan = parse_dvport_vlan(text, row.text("vlan_type"))
            if isinstance(vlan, PrivateVlan) and vlan.primary is None:
                self.note(
                    "warning",
                    "pvlan-primary-unknown",
                    row,
                    "vlan",
                    f"port group {name!r}: private VLAN {text!r} names one VLAN ID ({vlan.secondary}, read "
                    "as the secondary), so its primary VLAN is unknown; "
                    f"{_EDIT}: set its 'vlan' primary (the switch's private VLAN map in vSphere names it)",
                )
            return vlan, False
        except (ValueError, ValidationError) as exc:
            self.note(
                "warning",
                "vlan-odd",
                row,
                "vlan",
                f"port group {name!r}: {_reason(exc)}; its VLAN is unknown and it gets no NAD; {_EDIT}: set "
                "its 'vlan'",
            )
            return UnknownVlan(), False

    def _standard_port_groups(self) -> None:
        seen: dict[tuple[str, str, str], list[tuple[str, str, int]]] = defaultdict(list)
        for row in self.sheets["vPort"]:
            vc = self.vc_key(row)
            ref = self._host_ref(row)
            if ref is None:
                continue
            dc, host_id = ref
            switch_name = _name(row, "switch")
            name = _name(row, "portgroup")
            switch_id = self.std_switch_of.get((vc, host_id, switch_name))
            if switch_id is None:
                self.note(
                    "error",
                    "unknown-switch",
                    row,
                    "switch",
                    f"port group {name!r} is on vSwitch {switch_name!r} of host {_name(row, 'host')!r}, "
                    "which "
                    f"sheet 'vSwitch' lacks: the port group is left out on that host; {_EDIT}",
                )
                continue
            vid: int | None = None
            try:
                vid = _int(row, "vlan")
            except _CellError as exc:
                self.note(
                    "warning",
                    "vlan-odd",
                    row,
                    "vlan",
                    f"port group {name!r} on host {_name(row, 'host')!r}: {exc}, not a VLAN ID: its VLAN is "
                    f"unknown; {_EDIT}: set its 'vlan' (0 = untagged)",
                )
            vlan: Any = UnknownVlan()
            if vid is None and not row.text("vlan"):
                self.note(
                    "warning",
                    "vlan-blank",
                    row,
                    "vlan",
                    f"port group {name!r} on host {_name(row, 'host')!r} has a blank VLAN cell: its VLAN is "
                    f"unknown; {_EDIT}: set its 'vlan' (0 = untagged)",
                )
            elif vid is not None:
                try:
                    vlan = parse_vport_vlan(vid)
                except ValueError as exc:
                    self.note("warning", "vlan-odd", row, "vlan", f"port group {name!r}: {exc}; {_EDIT}")
            if not isinstance(vlan, UnknownVlan):  # a blank or odd cell is its own finding, not a vote
                seen[(vc, dc, name)].append((_name(row, "host"), str(vid), row.number))
            pg = PortGroup(
                id=f"{switch_id}/{name}",
                name=name,
                switch=switch_id,
                network=f"network:{name}",
                vlan=vlan,
                security=_security(row),
                teaming=_teaming(row),
            )
            self.std_pg_of[(vc, host_id, name)] = pg
            self.std_network_by_name.setdefault((vc, dc, name), pg.network)
            self.vcs[vc].dc(dc).port_groups[pg.id] = pg
        for (_vc, _dc, name), rows in seen.items():
            counts = Counter(vlan for _, vlan, _ in rows)
            top = counts.most_common()
            if len(top) > 1 and top[0][1] == top[1][1]:
                detail = "; ".join(
                    f"VLAN {vlan} on {', '.join(f'{h} (row {n})' for h, v, n in rows if v == vlan)}"
                    for vlan, _ in sorted(counts.items())
                )
                last = max(rows, key=lambda r: r[2])
                self.findings.append(
                    Finding(
                        severity="warning",
                        code="vlan-disagreement",
                        place=Place(sheet="vPort", row=last[2], column="VLAN"),
                        message=f"standard port group {name!r}: the hosts disagree with no majority "
                        f"({detail}); "
                        f"REPORT.md says which VLAN the plan used: to choose, {_EDIT}",
                    )
                )

    def _host_nics(self, hosts: dict[tuple[str, str], dict[str, Any]]) -> None:
        blank: dict[tuple[str, str], list[Row]] = defaultdict(list)
        named: set[tuple[str, str]] = set()
        for row in self.sheets["vNIC"]:
            vc = self.vc_key(row)
            host = self._host(row, hosts)
            if host is None:
                continue
            device = row.text("device")
            switch_name = _name(row, "switch")
            switch_id: str | None = None
            uplink: str | None = None
            if (vc, host["id"], switch_name) in self.std_switch_of:
                switch_id, uplink = self.std_switch_of[(vc, host["id"], switch_name)], device
            elif (vc, switch_name) in self.dvs_of:
                switch_id, uplink = self.dvs_of[(vc, switch_name)][1], row.text("uplink") or None
                (named.add((vc, switch_name)) if uplink else blank[(vc, switch_name)].append(row))
            elif switch_name:
                self.note(
                    "error",
                    "unknown-switch",
                    row,
                    "switch",
                    f"{device} of host {host['name']!r} is on switch {switch_name!r}, neither a vSwitch of "
                    "that "
                    "host (sheet 'vSwitch') nor a distributed switch (sheet 'dvSwitch'): the NIC is kept "
                    f"without a switch; {_EDIT}",
                )
            mac = row.text("mac").lower() or None
            if mac and not _MAC_TEXT.match(mac):
                self.note("info", "mac-odd", row, "mac", f"{mac!r} is not a MAC address: left out")
                mac = None
            host["nics"].append(
                PhysicalNic(
                    name=device,
                    mac=mac,
                    speed_mbps=self._cell(row, "speed", _int) or None,
                    switch=switch_id,
                    uplink=uplink,
                )
            )
        for key, rows in blank.items():
            if key not in named:
                continue
            listing = ", ".join(f"row {r.number} ({_name(r, 'host')} {r.text('device')})" for r in rows)
            first = rows[0]
            self.findings.append(
                Finding(
                    severity="info",
                    code="uplink-port-blank",
                    place=Place(sheet="vNIC", row=first.number, column="Uplink port"),
                    message=f"distributed switch {key[1]!r}: 'Uplink port' is blank on {listing}, while "
                    "other "
                    "hosts name their uplinks; the plan takes the uplinks from the hosts that name them",
                )
            )

    def _vmkernel_nics(self, hosts: dict[tuple[str, str], dict[str, Any]]) -> None:
        for row in self.sheets.get("vSC_VMK", []):
            vc = self.vc_key(row)
            host = self._host(row, hosts)
            if host is None:
                continue
            pg_name = _name(row, "portgroup")
            pg = self.std_pg_of.get((vc, host["id"], pg_name)) or next(
                iter(self.dvpg_by_name.get((vc, pg_name), [])), None
            )
            if pg is None:
                self.note(
                    "warning",
                    "unknown-portgroup",
                    row,
                    "portgroup",
                    f"vmkernel NIC {row.text('device')!r} of host {host['name']!r} is on port group "
                    f"{pg_name!r}, which neither sheet 'vPort' (for that host) nor 'dvPort' lists: the NIC "
                    f"is kept without a port group; export all tabs again, or {_EDIT}",
                )
            ip = row.text("ip") or None
            if ip is not None and not is_address(ip):
                self.note("info", "address-odd", row, "ip", f"{ip!r} is not an IP address: left out")
                ip = None
            host["vmks"].append(VmkernelNic(name=row.text("device"), port_group=pg.id if pg else None, ip=ip))

    def _vms(self) -> None:
        nics: dict[tuple[str, str], list[Row]] = defaultdict(list)
        first: dict[tuple[str, str], Row] = {}
        for row in self.sheets["vNetwork"]:
            key = (self.vc_key(row), row.text("vm_id") or _name(row, "vm"))
            nics[key].append(row)
            first.setdefault(key, row)
        seen: dict[tuple[str, str], Row] = {}
        for row in [*self.sheets["vInfo"], *(first[k] for k in first)]:
            key = (self.vc_key(row), row.text("vm_id") or _name(row, "vm"))
            earlier = seen.get(key)
            if earlier is not None:
                if row.sheet != "vInfo":
                    continue  # the VM's NICs, already read with its vInfo row
                if _name(row, "vm") == _name(earlier, "vm") or not row.text("vm_id"):
                    self.duplicate(row, "vm", f"VM {_name(row, 'vm')!r}", earlier)
                else:
                    self.note(
                        "warning",
                        "duplicate-object-id",
                        row,
                        "vm_id",
                        f"VM ID {key[1]!r} of VM {_name(row, 'vm')!r} is also in row {earlier.number} (VM "
                        f"{_name(earlier, 'vm')!r}); the inventory keeps row {earlier.number}: if this row "
                        f"is the right one, {_EDIT}",
                    )
                continue
            seen[key] = row
            self._vm(row, nics.get(key, []))

    def _vm(self, row: Row, nic_rows: list[Row]) -> None:
        vc = self.vc_key(row)
        name = _name(row, "vm")
        host_name = _name(row, "host")
        host_dc, host_id_or_empty = self.host_of.get((vc, host_name), ("", ""))
        host_id = host_id_or_empty or None
        dc_name = _name(row, "datacenter") if row.text("datacenter") else (host_dc or self.default_dc(vc))
        dc = self.vcs[vc].dc(dc_name)
        cluster = _name(row, "cluster")
        if cluster:
            dc.clusters.add(cluster)
        vm_nics = []
        labels: dict[str, Row] = {}
        macs: dict[str, Row] = {}
        for index, nic in enumerate(nic_rows, start=1):
            label = _name(nic, "label") or f"Network adapter {index}"
            if label in labels:
                self.duplicate(nic, "label", f"NIC {label!r} of VM {name!r}", labels[label])
                continue
            labels[label] = nic
            connected = _bool(nic, "connected")
            starts = _bool(nic, "starts_connected")
            mac = nic.text("mac").lower() or None
            if mac and not _MAC_TEXT.match(mac):
                self.note("info", "mac-odd", nic, "mac", f"{mac!r} is not a MAC address: left out")
                mac = None
            if mac and mac in macs:
                self.note(
                    "warning",
                    "mac-duplicate",
                    nic,
                    "mac",
                    f"{label} of VM {name!r} has MAC {mac}, as row {macs[mac].number} of the same VM has; "
                    "both NICs are kept: give each NIC its own MAC in vSphere before the migration, or "
                    f"{_EDIT}",
                )
            elif mac:
                macs[mac] = nic
            vm_nics.append(
                VmNic(
                    label=label,
                    mac=mac,
                    adapter=adapter_type(nic.text("adapter")),
                    network=self._network(vc, dc, host_id, nic),
                    connected=True if connected is None else connected,
                    start_connected=True if starts is None else starts,
                    addresses=self._addresses(nic),
                )
            )
        vm_nics.sort(key=lambda n: _natural(n.label))
        dc.vms.append(
            VirtualMachine(
                id=row.text("vm_id") or f"vm:{name}",
                name=name,
                folder=_name(row, "folder") or None,
                cluster=_cluster_id(cluster) if cluster else None,
                host=host_id,
                power_state=self._power(row),  # type: ignore[arg-type]
                template=self._template(row),
                nics=tuple(vm_nics),
            )
        )

    def _power(self, row: Row) -> str | None:
        """The VM's power state; a cell that is none of RVTools' words is a finding (unknown)."""
        text = row.text("power")
        power = _power(text)
        if power is None and text:
            self.note(
                "warning",
                "cell-odd",
                row,
                "power",
                f"VM {_name(row, 'vm')!r}: {text!r} is not a power state (poweredOn, poweredOff, suspended): "
                f"read as unknown; {_EDIT}: set its 'power_state'",
            )
        return power

    def _template(self, row: Row) -> bool:
        """Is the VM a template; a cell that is neither ``True`` nor ``False`` is a finding (not one)."""
        template = _bool(row, "template")
        if template is None and row.text("template"):
            self.note(
                "warning",
                "cell-odd",
                row,
                "template",
                f"VM {_name(row, 'vm')!r}: {row.text('template')!r} is neither True nor False: read as not "
                f"a template; {_EDIT}: set its 'template'",
            )
        return bool(template)

    def _addresses(self, row: Row) -> tuple[str, ...]:
        """The guest addresses of a vNetwork row: ``IPv4 Address`` and ``IPv6 Address`` hold
        comma-separated lists without prefix lengths; what is not an address is a finding."""
        out: list[str] = []
        for key in ("ipv4", "ipv6"):
            for part in _list(row, key):
                if is_address(part):
                    out.append(part)
                else:
                    self.note("info", "address-odd", row, key, f"{part!r} is not an IP address: left out")
        return tuple(dict.fromkeys(out))

    def _network(self, vc: str, dc: _DC, host_id: str | None, row: Row) -> str | None:
        """The network id a vNetwork row's ``Network`` (and ``Switch``) names."""
        name = _name(row, "network")
        if not name:
            return None
        switch = _name(row, "switch")
        switches = {(v, n) for v, _h, n in self.std_switch_of} | set(self.dvs_of)
        if switch and (vc, switch) not in switches and (self.sheets["vSwitch"] or self.sheets["dvSwitch"]):
            self.note(
                "warning",
                "unknown-switch",
                row,
                "switch",
                f"a NIC of VM {_name(row, 'vm')!r} is on switch {switch!r}, which neither sheet 'vSwitch' "
                f"nor 'dvSwitch' lists: the NIC is mapped by its port group name {name!r} alone; check that "
                f"network in REPORT.md, or {_EDIT}",
            )
        if switch and (vc, switch, name) in self.dvpg_of:
            return self.dvpg_of[(vc, switch, name)].id
        if host_id and (vc, host_id, name) in self.std_pg_of:
            return self.std_pg_of[(vc, host_id, name)].network
        for pg in self.dvpg_by_name.get((vc, name), []):
            if pg.id in dc.port_groups:
                return pg.id
        if (vc, dc.name, name) in self.std_network_by_name:
            return self.std_network_by_name[(vc, dc.name, name)]
        opaque_id = f"network:{name}"
        partial = not (self.sheets["dvPort"] or self.sheets["vPort"])
        kind = "no port group tabs in the export" if partial else None
        dc.opaque.setdefault(opaque_id, OpaqueNetwork(id=opaque_id, name=name, network_type=kind))
        return opaque_id

    # -- helpers ------------------------------------------------------------------------------------

    def _host_ref(self, row: Row) -> tuple[str, str] | None:
        vc = self.vc_key(row)
        name = _name(row, "host")
        if (vc, name) not in self.host_of:
            self.note(
                "error",
                "unknown-host",
                row,
                "host",
                f"host {name!r} is not in sheet 'vHost': this row is left out; export the workbook again "
                f"with every tab, or {_EDIT}",
            )
            return None
        return self.host_of[(vc, name)]

    def _host(self, row: Row, hosts: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any] | None:
        if self._host_ref(row) is None:
            return None
        return hosts[(self.vc_key(row), _name(row, "host"))]

    def _cell(self, row: Row, key: str, read: Any) -> Any:
        try:
            return read(row, key)
        except _CellError as exc:
            self.note(
                "warning",
                "cell-odd",
                row,
                key,
                f"{exc}: read as unknown; fix the cell in the export, or {_EDIT}: write the value",
            )
            return None

    def _assemble(self) -> Inventory:
        return Inventory(vcenters=tuple(self._vcenter(key) for key in sorted(self.vcs, key=self._vc_sort)))

    def _vc_sort(self, key: str) -> tuple[str, str]:
        return (self.vcs[key].name.lower(), key)

    def _vcenter(self, key: str) -> VCenter:
        vc = self.vcs[key]
        return VCenter(
            name=vc.name,
            instance_uuid=vc.uuid,
            version=vc.version,
            datacenters=tuple(self._datacenter(key, vc.dcs[name]) for name in sorted(vc.dcs, key=_natural)),
        )

    def _datacenter(self, vc: str, dc: _DC) -> Datacenter:
        hosts = sorted(
            (
                Host(
                    id=h["id"],
                    name=h["name"],
                    cluster=h["cluster"],
                    nics=tuple(sorted(h["nics"], key=lambda n: _natural(n.name))),
                    vmkernel_nics=tuple(sorted(h["vmks"], key=lambda n: _natural(n.name))),
                )
                for (v, _n), h in self.hosts.items()
                if v == vc and h["dc"] == dc.name
            ),
            key=lambda h: (_natural(h.name), h.id),
        )
        host_name = {h["id"]: h["name"] for (v, _n), h in self.hosts.items() if v == vc}
        switches = sorted(
            dc.switches.values(),
            key=lambda s: (
                s.kind != "standard",
                _natural(host_name.get(s.host or "", "")),
                _natural(s.name),
                s.id,
            ),
        )
        order = {s.id: i for i, s in enumerate(switches)}
        port_groups = sorted(
            dc.port_groups.values(), key=lambda p: (order.get(p.switch, len(order)), _natural(p.name), p.id)
        )
        name = dc.name or "unknown"
        return Datacenter(
            id=_dc_id(name),
            name=name,
            clusters=tuple(Cluster(id=_cluster_id(c), name=c) for c in sorted(dc.clusters, key=_natural)),
            hosts=tuple(hosts),
            switches=tuple(switches),
            port_groups=tuple(port_groups),
            opaque_networks=tuple(sorted(dc.opaque.values(), key=lambda o: _natural(o.name))),
            vms=tuple(sorted(dc.vms, key=lambda v: (_natural(v.name), v.id))),
        )


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return str(err["msg"]).removeprefix("Value error, ")
    return str(exc)


def read_rvtools(path: Path, partial: bool = False) -> Inventory:
    """Read the RVTools export at *path* (.xlsx) into an :class:`Inventory` (see the module docstring).

    Blank or odd cells, and rows referring to objects the export lacks, become the inventory's
    ``findings`` (sheet, row and column named); the rest is read. *partial*: read a workbook that lacks
    some of the tabs a plan needs (a sizing export), each missing tab a finding (what ``inventory show``
    does).

    Raises:
        BadInputError: not a readable .xlsx (an .xls, a CSV export, not an RVTools export); tabs a plan
            needs missing (all named in one error) unless *partial*; a column missing (named).
    """
    sheets, findings = _read_workbook(path, partial)
    inventory = _Builder(path, sheets, findings).build()
    return inventory.model_copy(update={"findings": tuple(findings)})
