"""The state and the shared steps of building an inventory from an RVTools workbook's rows: vCenters
and datacenters found so far, findings on rows (blank names, repeated rows, odd cells), host look-ups."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trunkline.vsphere.model import (
    Finding,
    OpaqueNetwork,
    Place,
    PortGroup,
    VirtualMachine,
    VirtualSwitch,
)
from trunkline.vsphere.rvtools.cells import (
    _CellError,
    _name,
)
from trunkline.vsphere.rvtools.columns import COLUMNS
from trunkline.vsphere.rvtools.workbook import Row


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


_EDIT = "edit the inventory file `trunkline inventory read` wrote, then run `trunkline plan` on it"


class _BuilderBase:
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
