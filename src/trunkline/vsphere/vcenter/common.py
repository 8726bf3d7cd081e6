"""Shared by the vCenter reader's modules: the logger, entity-name unescaping, type names, moids,
fault texts."""

from __future__ import annotations

import logging
import re
from typing import Any

#: The reader's logger (its name is that of the package, as before the split into modules).
_log = logging.getLogger("trunkline.vsphere.vcenter")
_log.addHandler(logging.NullHandler())

_ESCAPED = re.compile(r"%(2[fF]|5[cC]|25)")
_UNESCAPE = {"2f": "/", "5c": "\\", "25": "%"}


def unescape_name(name: str) -> str:
    """A managed entity name as people see it: ``%2f`` -> ``/``, ``%5c`` -> ``\\``, ``%25`` -> ``%``
    (vSphere Web Services API reference, ``ManagedEntity.name``), decoded in one pass."""
    return _ESCAPED.sub(lambda m: _UNESCAPE[m.group(1).lower()], name)


def _type_name(obj: Any) -> str:
    """``vim.dvs.VmwareDistributedVirtualSwitch`` -> ``VmwareDistributedVirtualSwitch``."""
    return type(obj).__name__.rsplit(".", 1)[-1]


def _moid(ref: Any) -> str | None:
    return getattr(ref, "_moId", None) if ref is not None else None


def _fault_text(exc: BaseException) -> str:
    msg = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
    return " ".join(str(msg).split())
