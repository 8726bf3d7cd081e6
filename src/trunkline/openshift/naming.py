"""Kubernetes object names and Linux interface names from vSphere names: valid, unique and stable.

Rules (sources):

* Object names such as a NetworkAttachmentDefinition's are RFC 1123 labels here: at most 63 characters
  of ``a-z``, ``0-9`` and ``-``, starting and ending with an alphanumeric (Kubernetes "Object Names and
  IDs"; a NAD name must also be a valid CNI network name, which a label is).
* Linux interface names are at most 15 characters (``IFNAMSIZ`` 16 with the NUL, ``include/uapi/linux/if.h``)
  and may not contain ``/``, whitespace or ``:``; trunkline keeps to the same ``a-z0-9-`` alphabet.

Stability: a name depends only on the thing it names and on the other things competing for the same
name, never on input order. When several things sanitise to the same name (the same port group name on
two switches or vCenters, ``VM_Net`` and ``vm-net``) every one of them gets a qualified name: first its
qualifier (e.g. the switch name) appended, and where that still collides a short hash of its key
(SHA-256, 6 hex digits). Every such decision is returned as a :class:`Collision` so the plan can report it.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from trunkline.facts import IFNAME_MAX, ifname_problem, is_ifname

__all__ = ["IFNAME_MAX", "ifname_problem", "is_ifname"]  # re-exported: their home is trunkline.facts

LABEL_MAX = 63

_INVALID = re.compile(r"[^a-z0-9-]+")
_DASHES = re.compile(r"-{2,}")
_LABEL_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def short_hash(key: str, length: int = 6) -> str:
    """The first *length* hex digits of SHA-256 of *key*: a stable disambiguator."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:length]


def is_label(name: str, max_len: int = LABEL_MAX) -> bool:
    """True when *name* is an RFC 1123 label of at most *max_len* characters."""
    return 0 < len(name) <= max_len and bool(_LABEL_RE.fullmatch(name))




_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def is_subdomain(name: str) -> bool:
    """True when *name* is an RFC 1123 subdomain of at most 253 characters: the rule for most Kubernetes
    object names (Kubernetes "Object Names and IDs")."""
    return 0 < len(name) <= 253 and bool(_SUBDOMAIN_RE.fullmatch(name))


_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


def is_label_key(key: str) -> bool:
    """True for a Kubernetes label key: ``[prefix/]name``, prefix a DNS subdomain of at most 253
    characters, name at most 63 of ``[A-Za-z0-9_.-]`` starting and ending alphanumeric (Kubernetes
    "Labels and Selectors", syntax and character set)."""
    prefix, _, name = key.rpartition("/")
    if prefix and not is_subdomain(prefix):
        return False
    return bool(_LABEL_NAME.fullmatch(name))


def is_label_value(value: str) -> bool:
    """True for a Kubernetes label value: empty, or as a label key's name part."""
    return value == "" or bool(_LABEL_NAME.fullmatch(value))


def is_bridge_name(name: str) -> bool:
    """True when *name* is a bridge name trunkline writes: 1-15 characters ``a-z0-9-``, not starting or
    ending with ``-`` (it also names the bridge's ``bridge.network.kubevirt.io/NAME`` resource)."""
    return is_label(name, IFNAME_MAX)


def sanitise(text: str, max_len: int = LABEL_MAX, fallback: str = "net") -> str:
    """*text* turned into an RFC 1123 label of at most *max_len* characters.

    Lower-cased; every run of characters outside ``a-z0-9-`` becomes one ``-``; leading and trailing
    ``-`` removed; an empty result becomes *fallback*. A name longer than *max_len* is cut and given a
    6-digit hash of the full text, so that two long names sharing a prefix stay apart.
    """
    name = _DASHES.sub("-", _INVALID.sub("-", text.lower())).strip("-") or fallback
    if len(name) > max_len:
        suffix = "-" + short_hash(text)
        name = name[: max_len - len(suffix)].rstrip("-") + suffix
    return name


def with_suffix(base: str, suffix: str, max_len: int = LABEL_MAX) -> str:
    """``base-suffix`` cut so that it fits *max_len* (the base is shortened, the suffix kept)."""
    suffix = sanitise(suffix, max_len)
    room = max_len - len(suffix) - 1
    if room < 1:
        return suffix[:max_len].strip("-") or "n"
    return f"{base[:room].rstrip('-')}-{suffix}"


@dataclass(frozen=True)
class NameRequest:
    """One thing that needs a name.

    ``key``: a unique, stable identity (e.g. ``vcenter/datacenter/dvportgroup-20``); ``text``: the
    human name to derive from (the port group name); ``qualifier``: what to append when the name collides
    (e.g. the switch name), ``""`` = go straight to the hash.
    """

    key: str
    text: str
    qualifier: str = ""


@dataclass(frozen=True)
class Collision:
    """Several things whose names sanitised alike: ``base`` and each key's final name."""

    base: str
    names: tuple[tuple[str, str], ...]  # (key, final name), sorted by key


def assign_names(
    requests: Iterable[NameRequest],
    max_len: int = LABEL_MAX,
    reserved: Iterable[str] = (),
) -> tuple[dict[str, str], list[Collision]]:
    """Give every request a unique name of at most *max_len* characters.

    Returns ``({key: name}, collisions)``; collisions sorted by base name. The result does not depend on
    the order of *requests*. Names in *reserved* are never handed out.

    Raises:
        ValueError: two requests share a key.
    """
    by_base: dict[str, list[NameRequest]] = defaultdict(list)
    seen: set[str] = set()
    for req in requests:
        if req.key in seen:
            raise ValueError(f"duplicate name key {req.key!r}")
        seen.add(req.key)
        by_base[sanitise(req.text, max_len)].append(req)
    taken = set(reserved)
    result: dict[str, str] = {}
    clashing: list[str] = []
    for base in sorted(by_base):
        group = by_base[base]
        if len(group) == 1 and base not in taken:
            result[group[0].key] = base
            taken.add(base)
        else:
            clashing.append(base)
    collisions: list[Collision] = []
    for base in clashing:
        group = sorted(by_base[base], key=lambda r: r.key)
        qualified = {r.key: with_suffix(base, r.qualifier, max_len) for r in group if r.qualifier}
        counts: dict[str, int] = defaultdict(int)
        for name in qualified.values():
            counts[name] += 1
        chosen: list[tuple[str, str]] = []
        for req in group:
            name = qualified.get(req.key, "")
            if not name or counts[name] > 1 or name in taken:
                name = with_suffix(base, short_hash(req.key), max_len)
                length = 6
                while name in taken:  # astronomically rare: widen the hash
                    length += 2
                    name = with_suffix(base, short_hash(req.key, length), max_len)
            taken.add(name)
            result[req.key] = name
            chosen.append((req.key, name))
        collisions.append(Collision(base=base, names=tuple(chosen)))
    return result, collisions


def ifname(text: str, reserved: Mapping[str, object] | set[str] | None = None) -> str:
    """A Linux interface name (at most 15 characters) derived from *text*, avoiding *reserved* names."""
    name = sanitise(text, IFNAME_MAX, fallback="br")
    if reserved and name in reserved:
        name = with_suffix(name, short_hash(text, 4), IFNAME_MAX)
    return name
