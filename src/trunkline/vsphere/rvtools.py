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

import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from trunkline.errors import BadInputError
from trunkline.vsphere.filekinds import OLE2_MAGIC
from trunkline.vsphere.model import (
    AccessVlan,
    Cluster,
    Datacenter,
    Host,
    Inventory,
    LacpGroup,
    NoVlan,
    OpaqueNetwork,
    PhysicalNic,
    PortGroup,
    PrivateVlan,
    SecurityPolicy,
    Teaming,
    TrunkVlan,
    VCenter,
    VirtualMachine,
    VirtualSwitch,
    VlanRange,
    VmkernelNic,
    VmNic,
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

#: Sheets an export must have; the others are read when present.
REQUIRED_SHEETS = ("vInfo", "vNetwork", "vHost", "vNIC", "vSwitch", "vPort", "dvSwitch", "dvPort")

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


def _read_workbook(path: Path) -> dict[str, list[Row]]:
    import openpyxl  # deferred: only this reader needs it
    from openpyxl.utils.exceptions import InvalidFileException

    if path.is_dir():
        raise BadInputError(f"{path}: is a directory; give the RVTools export (.xlsx) inside it")
    try:
        with path.open("rb") as handle:
            if handle.read(len(OLE2_MAGIC)) == OLE2_MAGIC:
                raise old_excel_error(path)
    except (FileNotFoundError, IsADirectoryError):
        pass  # reported below as openpyxl meets it
    except PermissionError as exc:
        raise BadInputError(f"{path}: cannot read it ({exc.strerror}); check its permissions") from None
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
        missing = [s for s in REQUIRED_SHEETS if _norm(s) not in by_name]
        if missing:
            raise BadInputError(
                f"{path}: sheet '{missing[0]}' is missing (sheets found: {', '.join(workbook.sheetnames)}); "
                "export all tabs to one .xlsx with RVTools"
            )
        out: dict[str, list[Row]] = {}
        for sheet, columns in COLUMNS.items():
            real = by_name.get(_norm(sheet))
            if real is None:
                continue
            out[sheet] = list(_sheet_rows(path, sheet, workbook[real].iter_rows(values_only=True), columns))
        return out
    finally:
        workbook.close()


def _sheet_rows(
    path: Path, sheet: str, rows: Iterator[tuple[Any, ...]], columns: dict[str, tuple[tuple[str, ...], bool]]
) -> Iterator[Row]:
    header = next(rows, None)
    names = [_norm(h) for h in header] if header else []
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


def _cell_error(path: Path, row: Row, key: str, problem: str) -> BadInputError:
    spelling = COLUMNS[row.sheet][key][0][0]
    return BadInputError(
        f"{path}: sheet '{row.sheet}' row {row.number} column '{spelling}': {problem}; "
        "fix the cell or export the workbook again"
    )


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
        ranges = []
        for part in text.split(","):
            ends = [int(n) for n in part.split("-")]
            ranges.append(VlanRange(start=ends[0], end=ends[-1]))
        return TrunkVlan(ranges=tuple(ranges))
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


class _Builder:
    """Joins the sheets of one workbook into vCenters, datacenters, hosts, switches, port groups, VMs."""

    def __init__(self, path: Path, sheets: dict[str, list[Row]]) -> None:
        self.path = path
        self.sheets = sheets
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
        self.hosts = self._hosts()
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
        for row in self.sheets["vHost"]:
            vc = self.vc_key(row)
            name = _name(row, "host")
            dc = _name(row, "datacenter")
            cluster = _name(row, "cluster")
            host_id = row.text("object_id") or f"host:{name}"
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

    def _versions(self) -> None:
        for row in self.sheets.get("vSource", []):
            version = row.text("version")
            if version:
                self.vcs[self.vc_key(row)].version = version

    def _dv_switches(self) -> None:
        for row in self.sheets["dvSwitch"]:
            vc = self.vc_key(row)
            name = _name(row, "switch")
            dc = _name(row, "datacenter") if "datacenter" in row.cells else self.default_dc(vc)
            dvs_id = row.text("object_id") or f"dvs:{name}"
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
            self.vcs[vc].dc(dc).switches[dvs_id] = self._model(
                row,
                "mtu",
                VirtualSwitch,
                id=dvs_id,
                name=name,
                kind="distributed",
                mtu=self._cell(row, "mtu", _int),
                lacp_groups=lacp,
            )

    def _standard_switches(self, hosts: dict[tuple[str, str], dict[str, Any]]) -> None:
        uplinks: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for row in self.sheets["vNIC"]:
            uplinks[(self.vc_key(row), _name(row, "host"), _name(row, "switch"))].append(row.text("device"))
        for row in self.sheets["vSwitch"]:
            vc = self.vc_key(row)
            host = self._host(row, hosts)
            name = _name(row, "switch")
            switch_id = f"{host['id']}/{name}"
            self.std_switch_of[(vc, host["id"], name)] = switch_id
            self.vcs[vc].dc(host["dc"]).switches[switch_id] = self._model(
                row,
                "mtu",
                VirtualSwitch,
                id=switch_id,
                name=name,
                kind="standard",
                host=host["id"],
                mtu=self._cell(row, "mtu", _int),
                uplinks=tuple(sorted(uplinks.get((vc, host["name"], name), []), key=_natural)),
                security=_security(row),
                teaming=_teaming(row),
            )

    def _port_groups(self) -> None:
        dvs_uplinks: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in self.sheets["vNIC"]:
            if row.text("uplink"):
                dvs_uplinks[(self.vc_key(row), _name(row, "switch"))].add(row.text("uplink"))
        for (vc, dvs_name), (dc, dvs_id) in self.dvs_of.items():
            switch = self.vcs[vc].dc(dc).switches[dvs_id]
            names = tuple(sorted(dvs_uplinks.get((vc, dvs_name), set()), key=_natural))
            self.vcs[vc].dc(dc).switches[dvs_id] = switch.model_copy(update={"uplinks": names})
        first_row: dict[tuple[str, str], int] = {}  # (vc, port group id) -> its first dvPort row
        for row in self.sheets["dvPort"]:
            vc = self.vc_key(row)
            switch_name = _name(row, "switch")
            if (vc, switch_name) not in self.dvs_of:
                raise _cell_error(
                    self.path, row, "switch", f"distributed switch {switch_name!r} is not in sheet 'dvSwitch'"
                )
            dc, dvs_id = self.dvs_of[(vc, switch_name)]
            name = _name(row, "portgroup")
            pg_id = row.text("object_id") or f"dvportgroup:{switch_name}/{name}"
            if not row.text("vlan"):
                problem = f"port group {name!r} has no VLAN (0 for untagged, an ID or ranges)"
                raise _cell_error(self.path, row, "vlan", problem)
            try:
                vlan = parse_dvport_vlan(row.text("vlan"), row.text("vlan_type"))
            except (ValueError, ValidationError) as exc:
                raise _cell_error(self.path, row, "vlan", _reason(exc)) from None
            flag = _bool(row, "uplink")
            uplink_pg = flag if flag is not None else "-dvuplinks-" in name.lower()
            pg = PortGroup(
                id=pg_id,
                name=name,
                switch=dvs_id,
                vlan=vlan,
                security=_security(row),
                teaming=_teaming(row),
                uplink_portgroup=uplink_pg,
            )
            earlier = first_row.get((vc, pg_id))
            if earlier is not None and self.vcs[vc].dc(dc).port_groups.get(pg_id) != pg:
                raise _cell_error(
                    self.path,
                    row,
                    "object_id",
                    f"Object ID {pg_id!r} is also in row {earlier} with another port group or VLAN; "
                    "keep the right row",
                )
            first_row.setdefault((vc, pg_id), row.number)
            self.dvpg_of[(vc, switch_name, name)] = pg
            self.dvpg_by_name[(vc, name)].append(pg)
            self.vcs[vc].dc(dc).port_groups[pg_id] = pg
        for row in self.sheets["vPort"]:
            vc = self.vc_key(row)
            dc, host_id = self._host_ref(row)
            switch_name = _name(row, "switch")
            switch_id = self.std_switch_of.get((vc, host_id, switch_name))
            if switch_id is None:
                raise _cell_error(
                    self.path,
                    row,
                    "switch",
                    f"vSwitch {switch_name!r} of this host is not in sheet 'vSwitch'",
                )
            name = _name(row, "portgroup")
            vid = self._cell(row, "vlan", _int)
            try:
                vlan = parse_vport_vlan(vid if vid is not None else 0)
            except ValueError as exc:
                raise _cell_error(self.path, row, "vlan", _reason(exc)) from None
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

    def _host_nics(self, hosts: dict[tuple[str, str], dict[str, Any]]) -> None:
        for row in self.sheets["vNIC"]:
            vc = self.vc_key(row)
            host = self._host(row, hosts)
            device = row.text("device")
            switch_name = _name(row, "switch")
            switch_id: str | None = None
            uplink: str | None = None
            if (vc, host["id"], switch_name) in self.std_switch_of:
                switch_id, uplink = self.std_switch_of[(vc, host["id"], switch_name)], device
            elif (vc, switch_name) in self.dvs_of:
                switch_id, uplink = self.dvs_of[(vc, switch_name)][1], row.text("uplink") or None
            elif switch_name:
                raise _cell_error(
                    self.path,
                    row,
                    "switch",
                    f"switch {switch_name!r} is neither a vSwitch of host {host['name']!r} (sheet 'vSwitch') "
                    "nor a distributed switch (sheet 'dvSwitch')",
                )
            speed = self._cell(row, "speed", _int)
            host["nics"].append(
                self._model(
                    row,
                    "device",
                    PhysicalNic,
                    name=device,
                    mac=row.text("mac").lower() or None,
                    speed_mbps=speed or None,
                    switch=switch_id,
                    uplink=uplink,
                )
            )

    def _vmkernel_nics(self, hosts: dict[tuple[str, str], dict[str, Any]]) -> None:
        for row in self.sheets.get("vSC_VMK", []):
            vc = self.vc_key(row)
            host = self._host(row, hosts)
            pg_name = _name(row, "portgroup")
            pg = self.std_pg_of.get((vc, host["id"], pg_name)) or next(
                iter(self.dvpg_by_name.get((vc, pg_name), [])), None
            )
            host["vmks"].append(
                VmkernelNic(
                    name=row.text("device"), port_group=pg.id if pg else None, ip=row.text("ip") or None
                )
            )

    def _vms(self) -> None:
        nics: dict[tuple[str, str], list[Row]] = defaultdict(list)
        first: dict[tuple[str, str], Row] = {}
        for row in self.sheets["vNetwork"]:
            key = (self.vc_key(row), row.text("vm_id") or _name(row, "vm"))
            nics[key].append(row)
            first.setdefault(key, row)
        seen: set[tuple[str, str]] = set()
        for row in [*self.sheets["vInfo"], *(first[k] for k in first)]:
            key = (self.vc_key(row), row.text("vm_id") or _name(row, "vm"))
            if key in seen:
                continue
            seen.add(key)
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
        for index, nic in enumerate(nic_rows, start=1):
            connected = _bool(nic, "connected")
            starts = _bool(nic, "starts_connected")
            vm_nics.append(
                self._model(
                    nic,
                    "mac",
                    VmNic,
                    label=_name(nic, "label") or f"Network adapter {index}",
                    mac=nic.text("mac").lower() or None,
                    adapter=adapter_type(nic.text("adapter")),
                    network=self._network(vc, dc, host_id, nic),
                    connected=True if connected is None else connected,
                    start_connected=True if starts is None else starts,
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
                power_state=_power(row.text("power")),  # type: ignore[arg-type]
                template=bool(_bool(row, "template")),
                nics=tuple(vm_nics),
            )
        )

    def _network(self, vc: str, dc: _DC, host_id: str | None, row: Row) -> str | None:
        """The network id a vNetwork row's ``Network`` (and ``Switch``) names."""
        name = _name(row, "network")
        if not name:
            return None
        switch = _name(row, "switch")
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
        dc.opaque.setdefault(opaque_id, OpaqueNetwork(id=opaque_id, name=name))
        return opaque_id

    # -- helpers ------------------------------------------------------------------------------------

    def _host_ref(self, row: Row) -> tuple[str, str]:
        vc = self.vc_key(row)
        name = _name(row, "host")
        if (vc, name) not in self.host_of:
            raise _cell_error(self.path, row, "host", f"host {name!r} is not in sheet 'vHost'")
        return self.host_of[(vc, name)]

    def _host(self, row: Row, hosts: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
        self._host_ref(row)
        return hosts[(self.vc_key(row), _name(row, "host"))]

    def _cell(self, row: Row, key: str, read: Any) -> Any:
        try:
            return read(row, key)
        except _CellError as exc:
            raise _cell_error(self.path, row, key, str(exc)) from None

    def _model(self, row: Row, key: str, model: Any, **values: Any) -> Any:
        try:
            return model(**values)
        except ValidationError as exc:
            raise _cell_error(self.path, row, key, _reason(exc)) from None

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


def read_rvtools(path: Path) -> Inventory:
    """Read the RVTools export at *path* (.xlsx) into an :class:`Inventory` (see the module docstring).

    Raises:
        BadInputError: not a readable .xlsx; a required sheet or column missing (named); a cell that
            cannot be read (sheet, row and column named); rows referring to a host or switch the export
            lacks.
    """
    return _Builder(path, _read_workbook(path)).build()
