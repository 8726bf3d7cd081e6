"""Reading and normalising one cell of an RVTools row: booleans, numbers, MTUs, names, lists, VLAN
cells, adapter types, power states. A cell that cannot be read raises :class:`_CellError`, which the
builder turns into a finding on that row."""

from __future__ import annotations

import datetime
import re
from typing import Any

from pydantic import ValidationError

from trunkline.vlanranges import merge_ranges
from trunkline.vsphere.model import (
    TEAMING_POLICIES,
    AccessVlan,
    NoVlan,
    PrivateVlan,
    SecurityPolicy,
    Teaming,
    TrunkVlan,
    VlanRange,
)
from trunkline.vsphere.rvtools.workbook import Row

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
        policy=policy if policy in TEAMING_POLICIES else None,  # type: ignore[arg-type]
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


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return str(err["msg"]).removeprefix("Value error, ")
    return str(exc)
