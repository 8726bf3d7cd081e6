"""The reading machinery shared by the object readers: :class:`Problem` and the tolerant accessors.

A reading never stops at the first bad field: it returns what it could read and a list of :class:`Problem`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard


@dataclass(frozen=True)
class Problem:
    """Why (part of) an object cannot be read as written.

    Attributes:
        field: dotted path of the field at fault within the object (``spec.config.vlanTrunk[0]``).
        key: stable key (``port-vlan-invalid``, ``vlan-trunk-invalid``, ...).
        message: what is wrong and how to fix it.
    """

    field: str
    key: str
    message: str


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def is_int(value: Any) -> TypeGuard[int]:
    """Whether *value* is a JSON integer (``bool`` is not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _u16(value: Any) -> int | None:
    """An nmstate number: an integer, or a string of decimal digits (nmstate's ``u16_or_string``)."""
    if is_int(value):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
