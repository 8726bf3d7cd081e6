"""Reader findings: what every code means and its fix (the legend REPORT.md prints), and their text.

A reader (RVTools, vCenter) keeps what it could not take as-is in
:attr:`trunkline.vsphere.model.Inventory.findings`; ``inventory read`` prints them, ``plan`` carries
them into REPORT.md. :data:`READER_CODES` is the one list of their codes.
"""

from __future__ import annotations

from collections.abc import Iterable

from trunkline.vsphere.model import Finding

_EDIT = "edit the inventory file `trunkline inventory read` wrote, then run `trunkline plan` on it"

#: Reader finding code -> (what it means, the fix).
READER_CODES: dict[str, tuple[str, str]] = {
    "formula-no-value": (
        "a cell holds a formula without a saved value (a workbook edited by a program that does not "
        "compute formulas); its value is unknown",
        "open the workbook in Excel and save it, then read it again",
    ),
    "sheet-missing": (
        "the export lacks a tab a plan needs (a sizing export)",
        "export all tabs with RVTools (File > Export all to Excel)",
    ),
    "vlan-blank": (
        "a port group's VLAN cell is blank and it is not the switch's uplink port group (RVTools 4.4 "
        "leaves trunk port groups blank)",
        f"{_EDIT}: write the port group's 'vlan'",
    ),
    "vlan-odd": (
        "a VLAN cell holds no VLAN ID, range or private VLAN",
        f"{_EDIT}: write the port group's 'vlan'",
    ),
    "pvlan-primary-unknown": (
        "a private VLAN cell names one VLAN ID: it is read as the secondary, the primary is unknown",
        f"{_EDIT}: write the private VLAN's primary",
    ),
    "vlan-disagreement": (
        "hosts give a standard port group different VLANs with no majority",
        f"make the hosts agree on vSphere, or {_EDIT}",
    ),
    "duplicate-object-id": (
        "two rows give one Object ID different contents; the first is kept",
        f"if the other row is right, {_EDIT}",
    ),
    "duplicate-row": (
        "a row repeats an object an earlier row gave (the same host, vmnic of a host, vSwitch, port "
        "group, vmkernel NIC or VM NIC); the first row is kept, the repeat left out",
        f"none for an identical copy; else, if the repeat is right, {_EDIT}",
    ),
    "name-blank": (
        "a row's name cell (host, vmnic, switch, port group, VM) is blank; the row is left out",
        f"write the name in vSphere and export again, or {_EDIT}",
    ),
    "unknown-switch": (
        "a row names a switch the export's switch tabs lack; the row's object is left out or kept without "
        "its switch",
        f"export all tabs again, or {_EDIT}",
    ),
    "unknown-portgroup": (
        "a vmkernel NIC names a port group neither 'vPort' (for its host) nor 'dvPort' lists; the NIC is "
        "kept without a port group",
        f"export all tabs again, or {_EDIT}",
    ),
    "mac-duplicate": (
        "two NICs of one VM have the same MAC; both are kept",
        f"give each NIC its own MAC in vSphere, or {_EDIT}",
    ),
    "unknown-host": (
        "a row names a host sheet 'vHost' lacks; the row is left out",
        f"export all tabs again, or {_EDIT}",
    ),
    "uplink-port-blank": (
        "some hosts of a distributed switch leave 'Uplink port' blank; the uplinks come from the hosts "
        "that name them",
        "none needed; check the node NICs in REPORT.md",
    ),
    "mac-odd": ("a MAC cell holds no MAC address; left out", f"{_EDIT} if the MAC matters"),
    "address-odd": ("an address cell holds no IP address; left out", "none needed"),
    "cell-odd": (
        "a cell holds a value of another type than its column, or a word its column never holds (read as "
        "unknown)",
        f"if the value matters, {_EDIT}",
    ),
    "opaque-network": (
        "a VM NIC is on an NSX opaque network (no VLAN of its own)",
        "plan the NSX segment on OpenShift by hand",
    ),
}


def finding_lines(findings: Iterable[Finding]) -> list[str]:
    """One line per finding: ``warning vlan-blank: sheet 'dvPort' row 7 column 'VLAN': <message>``."""
    out = []
    for f in findings:
        where = f.place.text()
        out.append(f"{f.severity} {f.code}: {where + ': ' if where else ''}{f.message}")
    return out


def findings_text(findings: Iterable[Finding]) -> str:
    """``3 reader finding(s): 1 error(s), 2 warning(s), 0 note(s)``."""
    items = list(findings)
    counts = {s: sum(1 for f in items if f.severity == s) for s in ("error", "warning", "info")}
    return (
        f"{len(items)} reader finding(s): {counts['error']} error(s), {counts['warning']} warning(s), "
        f"{counts['info']} note(s)"
    )
