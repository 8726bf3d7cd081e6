"""MTV NetworkMap entries.

**NetworkMaps** (:func:`read_network_map`): MTV ``spec.map[]``
entries, source by ``id`` or ``name``, destination ``{type: multus|pod|ignored, namespace, name}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trunkline.openshift.objects.common import Problem, _mapping

#: MTV NetworkMap destination types.
NETWORK_MAP_TYPES = frozenset({"multus", "pod", "ignored"})


@dataclass(frozen=True)
class MapEntry:
    """One ``spec.map[]`` entry: the vSphere network (``source``: id or name) and its destination."""

    path: str
    source: str | None
    type: str | None
    namespace: str | None
    name: str | None


def read_network_map(body: Mapping[str, Any]) -> tuple[list[MapEntry], list[Problem]]:
    """The entries of an MTV NetworkMap with the problems of its providers and entries (missing fields,
    unknown destination types, a vSphere network mapped twice)."""
    spec = _mapping(_mapping(body).get("spec"))
    problems: list[Problem] = []
    provider = _mapping(spec.get("provider"))
    for side in ("source", "destination"):
        if not isinstance(_mapping(provider.get(side)).get("name"), str):
            problems.append(
                Problem(
                    f"spec.provider.{side}.name",
                    "networkmap-provider-missing",
                    f"spec.provider.{side} needs the name (and namespace) of an MTV Provider",
                )
            )
    entries_raw = spec.get("map")
    if not isinstance(entries_raw, list):
        problems.append(
            Problem("spec.map", "networkmap-map-missing", "spec.map must be a list of source -> destination")
        )
        return [], problems
    entries: list[MapEntry] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries_raw):
        path = f"spec.map[{i}]"
        entry = _mapping(entry)
        src = _mapping(entry.get("source"))
        ident = src.get("id") or src.get("name")
        if not isinstance(ident, str):
            problems.append(
                Problem(
                    f"{path}.source",
                    "networkmap-source-missing",
                    "source needs the vSphere network's id (dvportgroup-20, network-45) or name",
                )
            )
            ident = None
        elif ident in seen:
            problems.append(
                Problem(
                    f"{path}.source",
                    "networkmap-source-duplicate",
                    f"vSphere network {ident!r} is mapped twice (also spec.map[{seen[ident]}]); keep one",
                )
            )
        else:
            seen[ident] = i
        dest = _mapping(entry.get("destination"))
        dtype = dest.get("type")
        name, ns = dest.get("name"), dest.get("namespace")
        if dtype not in NETWORK_MAP_TYPES:
            problems.append(
                Problem(
                    f"{path}.destination.type",
                    "networkmap-type-invalid",
                    f"destination type {dtype!r} must be one of {', '.join(sorted(NETWORK_MAP_TYPES))}",
                )
            )
            dtype = None
        elif dtype == "multus" and not isinstance(name, str):
            problems.append(
                Problem(
                    f"{path}.destination.name",
                    "networkmap-nad-missing",
                    "a multus destination needs the NAD's name",
                )
            )
        elif dtype == "multus" and not isinstance(ns, str):
            problems.append(
                Problem(
                    f"{path}.destination.namespace",
                    "networkmap-nad-namespace-missing",
                    "a multus destination needs the NAD's namespace",
                )
            )
        entries.append(
            MapEntry(
                path,
                ident,
                dtype,
                ns if isinstance(ns, str) else None,
                name if isinstance(name, str) else None,
            )
        )
    return entries, problems
