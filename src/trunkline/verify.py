"""Check the VLANs seen on a trunk against the VLANs a plan's NADs use (pure, except :func:`read_nads`).

Input: received (``rx``) snapshots of the trunk NIC(s) and the plan's NetworkAttachmentDefinitions.
Output: a :class:`Verification` listing, per VLAN, packets and bytes and the NADs that carry it, with

* **unmapped** VLANs: traffic arrived tagged with a VLAN ID no NAD carries. This is an error: the VMs
  on that VLAN would be cut off after migration;
* **silent** NADs: their VLAN(s) saw nothing in the window. A warning: wrong NIC, wrong trunk, or idle;
* **untagged** traffic (and VLAN 0, priority-tagged frames, which 802.1Q treats as untagged): reported,
  never an error — the node's own traffic usually travels untagged on the same NIC.

Which VLANs a NAD carries (``spec.config``, a JSON string; containernetworking/plugins bridge and
OVN-Kubernetes localnet docs):

* bridge CNI (``type`` ``bridge`` or ``cnv-bridge``): ``vlan`` N (1-4094) is an access VLAN; ``vlanTrunk``
  ``[{"id": N} | {"minID": A, "maxID": B}]`` a trunk, which also carries untagged frames unless
  ``preserveDefaultVlan`` is false; neither (or ``vlan`` 0) means untagged frames;
* OVN localnet (``type: ovn-k8s-cni-overlay``, ``topology: localnet``): ``vlanID`` N, none means untagged;
* any other plugin (macvlan, SR-IOV, ...): the NAD is listed as not carrying trunk VLANs.

Multiple-plugin ``plugins: [...]`` configurations (conflists) are read plugin by plugin.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from trunkline.errors import BadInputError
from trunkline.xdp.stats import Cell, Snapshot

MAX_VID = 4094
"""Highest usable VLAN ID (IEEE 802.1Q: 0 = priority tag, 4095 reserved)."""

Status = Literal["mapped", "unmapped", "silent", "untagged"]


@dataclass(frozen=True)
class NadVlans:
    """The VLANs one NAD carries on the trunk.

    Attributes:
        name: ``namespace/name`` (``default`` when the NAD has no namespace).
        source: the file it was read from (for messages), ``""`` when built in memory.
        plugin: the CNI ``type`` (``cnv-bridge``, ``bridge``, ``ovn-k8s-cni-overlay``, ...).
        ranges: inclusive VLAN ID ranges, ``((40, 40),)`` for an access VLAN, sorted.
        untagged: carries untagged frames (bridge NAD without ``vlan``/``vlanTrunk``, localnet without
            ``vlanID``).
    """

    name: str
    source: str = ""
    plugin: str = ""
    ranges: tuple[tuple[int, int], ...] = ()
    untagged: bool = False

    def carries(self, vlan: int) -> bool:
        """Whether VLAN ID *vlan* is in this NAD's access VLAN or trunk ranges."""
        return any(lo <= vlan <= hi for lo, hi in self.ranges)

    def describe(self) -> str:
        """``VLAN 40`` / ``VLANs 10, 20-29`` / ``untagged`` for messages."""
        if not self.ranges:
            return "untagged" if self.untagged else "no VLAN"
        parts = [str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in self.ranges]
        single = len(self.ranges) == 1 and self.ranges[0][0] == self.ranges[0][1]
        return ("VLAN " if single else "VLANs ") + ", ".join(parts)


@dataclass(frozen=True)
class VlanRow:
    """One VLAN (or untagged, ``vlan=None``) in the result.

    Attributes:
        vlan: VLAN ID 0-4095, ``None`` for untagged frames.
        total: rx packets and bytes over all interfaces during the window.
        per_interface: interface name -> counts (only interfaces where it was seen).
        nads: names of the NADs carrying it, sorted.
        status: ``mapped`` (traffic and a NAD), ``unmapped`` (traffic, no NAD: error), ``silent`` (a NAD
            but no traffic: warning), ``untagged`` (untagged or VLAN 0 traffic: information).
    """

    vlan: int | None
    total: Cell
    per_interface: Mapping[str, Cell]
    nads: tuple[str, ...]
    status: Status


@dataclass(frozen=True)
class Verification:
    """The result of :func:`verify`.

    Attributes:
        rows: one per VLAN that saw traffic or that an access NAD names, untagged first, then by VLAN ID.
        silent_nads: NADs none of whose VLANs saw traffic (warning), sorted by name.
        other_nads: NADs that carry no trunk VLAN (other plugins), sorted by name.
        interfaces: the interfaces counted, in the order given.
    """

    rows: tuple[VlanRow, ...]
    silent_nads: tuple[NadVlans, ...]
    other_nads: tuple[NadVlans, ...] = ()
    interfaces: tuple[str, ...] = field(default_factory=tuple)

    @property
    def unmapped(self) -> tuple[int, ...]:
        """VLAN IDs with traffic and no NAD, ascending."""
        return tuple(r.vlan for r in self.rows if r.status == "unmapped" and r.vlan is not None)

    @property
    def ok(self) -> bool:
        """``True`` when no traffic arrived on an unmapped VLAN."""
        return not self.unmapped

    @property
    def untagged(self) -> Cell:
        """Untagged and VLAN 0 (priority-tagged) traffic."""
        out = Cell()
        for row in self.rows:
            if row.status == "untagged":
                out = out + row.total
        return out

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready record (the ``--json`` output of ``trunkline verify``)."""
        return {
            "record": "verify",
            "interfaces": list(self.interfaces),
            "ok": self.ok,
            "unmapped": list(self.unmapped),
            "silent": [{"nad": n.name, "vlans": [list(r) for r in n.ranges], "source": n.source}
                       for n in self.silent_nads],
            "untagged": {"packets": self.untagged.packets, "bytes": self.untagged.bytes},
            "vlans": [
                {
                    "vlan": r.vlan,
                    "status": r.status,
                    "packets": r.total.packets,
                    "bytes": r.total.bytes,
                    "nads": list(r.nads),
                    "interfaces": {k: {"packets": v.packets, "bytes": v.bytes}
                                   for k, v in sorted(r.per_interface.items())},
                }
                for r in self.rows
            ],
            "other_nads": [{"nad": n.name, "type": n.plugin, "source": n.source} for n in self.other_nads],
        }


def _sort_key(vlan: int | None) -> int:
    return -1 if vlan is None else vlan


def verify(
    observed: Iterable[Snapshot], nads: Sequence[NadVlans], baseline: Iterable[Snapshot] = ()
) -> Verification:
    """Compare received traffic with the NADs' VLANs.

    Args:
        observed: cumulative snapshots at the end of the window; only ``rx`` ones are used.
        nads: the plan's NADs (:func:`nad_vlans`).
        baseline: cumulative snapshots at the start of the window (subtracted per interface); empty when
            the counters were attached at the start.

    Returns:
        a :class:`Verification`. Pure: no I/O.
    """
    start: dict[tuple[str, int | None], Cell] = {}
    for snap in baseline:
        if snap.direction == "rx":
            for vlan, cell in snap.vlans.items():
                start[(snap.interface, vlan)] = cell
    seen: dict[int | None, dict[str, Cell]] = {}
    interfaces: list[str] = []
    for snap in observed:
        if snap.direction != "rx":
            continue
        if snap.interface not in interfaces:
            interfaces.append(snap.interface)
        for vlan, cell in snap.vlans.items():
            delta = cell - start.get((snap.interface, vlan), Cell())
            if delta:
                per = seen.setdefault(vlan, {})
                per[snap.interface] = per.get(snap.interface, Cell()) + delta

    carrying = [n for n in nads if n.ranges or n.untagged]
    other = tuple(sorted((n for n in nads if not (n.ranges or n.untagged)), key=lambda n: n.name))
    access = {lo for n in carrying for lo, hi in n.ranges if lo == hi}

    rows: list[VlanRow] = []
    for vlan in sorted(set(seen) | access, key=_sort_key):
        per = seen.get(vlan, {})
        total = sum(per.values(), Cell())
        untagged_like = vlan is None or vlan == 0
        if untagged_like:
            names = tuple(sorted(n.name for n in carrying if n.untagged or (vlan == 0 and n.carries(0))))
            status: Status = "untagged"
        else:
            assert vlan is not None
            names = tuple(sorted(n.name for n in carrying if n.carries(vlan)))
            status = ("mapped" if names else "unmapped") if total else "silent"
        rows.append(VlanRow(vlan, total, dict(per), names, status))

    tagged_seen = {v for v in seen if v is not None}
    silent = tuple(sorted(
        (n for n in carrying if n.ranges and not any(n.carries(v) for v in tagged_seen)),
        key=lambda n: n.name,
    ))
    return Verification(tuple(rows), silent, other, tuple(interfaces))


# --- reading NADs -------------------------------------------------------------------------------------
# TODO(unify): trunkline.openshift.manifests (validate) loads manifest dirs and has nad_vlans(docs); once
# merged, read_nads should use its loader so that both commands accept exactly the same directories.

NAD_KIND = "NetworkAttachmentDefinition"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def _vid(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_VID:
        raise BadInputError(
            f"{where}: VLAN ID {value!r} is not an integer 0-{MAX_VID}; fix the NAD's spec.config")
    return value


def _merge(ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def _plugin_vlans(conf: Mapping[str, Any], where: str) -> tuple[str, list[tuple[int, int]], bool] | None:
    """(type, ranges, untagged) of one plugin configuration, ``None`` when it is not a VLAN-aware type."""
    kind = str(conf.get("type", ""))
    if kind in ("bridge", "cnv-bridge"):
        ranges: list[tuple[int, int]] = []
        vlan = conf.get("vlan")
        access = 0 if vlan is None else _vid(vlan, where)
        if access:
            ranges.append((access, access))
        trunk = conf.get("vlanTrunk") or []
        if not isinstance(trunk, list):
            raise BadInputError(
                f"{where}: vlanTrunk must be a list of {{id}} or {{minID, maxID}}; fix the NAD")
        for entry in trunk:
            if isinstance(entry, dict) and "id" in entry:
                vid = _vid(entry["id"], where)
                ranges.append((vid, vid))
            elif isinstance(entry, dict) and "minID" in entry and "maxID" in entry:
                lo, hi = _vid(entry["minID"], where), _vid(entry["maxID"], where)
                if lo > hi:
                    raise BadInputError(f"{where}: vlanTrunk minID {lo} > maxID {hi}; swap them")
                ranges.append((lo, hi))
            else:
                raise BadInputError(
                    f"{where}: vlanTrunk entry {entry!r} has neither id nor minID/maxID; fix the NAD")
        # A trunk port keeps the default VLAN untagged unless preserveDefaultVlan is false (upstream
        # default true, containernetworking/plugins bridge docs); an access port carries no untagged frame.
        untagged = not ranges or (bool(trunk) and conf.get("preserveDefaultVlan", True) is not False)
        return kind, ranges, untagged
    if kind == "ovn-k8s-cni-overlay" and conf.get("topology") == "localnet":
        raw = conf.get("vlanID")
        vid = 0 if raw is None else _vid(raw, where)
        if vid == 0:
            return kind, [], True
        return kind, [(vid, vid)], False
    return None


def nad_vlans(doc: Mapping[str, Any], source: str = "") -> NadVlans:
    """The VLANs of one NAD document (a parsed ``k8s.cni.cncf.io/v1`` NetworkAttachmentDefinition).

    Raises:
        BadInputError: ``spec.config`` missing or not JSON, or a VLAN ID outside 0-4094.
    """
    meta = doc.get("metadata") or {}
    name = f"{meta.get('namespace') or 'default'}/{meta.get('name', '?')}"
    where = f"{source}: NAD {name}" if source else f"NAD {name}"
    raw = (doc.get("spec") or {}).get("config")
    if not isinstance(raw, str):
        raise BadInputError(f"{where}: spec.config is missing or not a JSON string; add the CNI config")
    try:
        conf = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadInputError(
            f"{where}: spec.config is not valid JSON ({exc.msg} at line {exc.lineno}); fix it") from exc
    if not isinstance(conf, dict):
        raise BadInputError(f"{where}: spec.config must be a JSON object; fix it")
    plugins = conf["plugins"] if isinstance(conf.get("plugins"), list) else [conf]
    found = [p for p in (_plugin_vlans(c, where) for c in plugins if isinstance(c, dict)) if p]
    if not found:
        kinds = ",".join(str(c.get("type", "?")) for c in plugins if isinstance(c, dict))
        return NadVlans(name, source, kinds)
    kind, ranges, untagged = found[0]
    return NadVlans(name, source, kind, _merge(ranges), untagged)


def read_nads(directory: Path) -> list[NadVlans]:
    """Every NAD in the YAML/JSON files under *directory* (recursively; a plan dir or hand-written NADs).

    Files that are not Kubernetes manifests (``kustomization.yaml``, other kinds) are skipped. NADs are
    returned sorted by name.

    Raises:
        BadInputError: *directory* missing, a file that is not valid YAML, a malformed NAD, or no NAD at all.
    """
    if not directory.is_dir():
        raise BadInputError(f"{directory}: not a directory; pass a plan directory written by "
                            "`trunkline plan` or a directory of NetworkAttachmentDefinition YAML files")
    out: list[NadVlans] = []
    for path in sorted(p for p in directory.rglob("*") if p.suffix in MANIFEST_SUFFIXES and p.is_file()):
        try:
            docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            at = f" (line {line + 1})" if line is not None else ""
            raise BadInputError(f"{path}: not valid YAML{at}; fix or remove the file") from exc
        for doc in docs:
            items = doc.get("items") if isinstance(doc, dict) and doc.get("kind") == "List" else [doc]
            for item in items or ():
                if isinstance(item, dict) and item.get("kind") == NAD_KIND:
                    out.append(nad_vlans(item, str(path)))
    if not out:
        raise BadInputError(f"{directory}: no {NAD_KIND} found; pass a plan directory written by "
                            "`trunkline plan` or a directory of NAD YAML files")
    return sorted(out, key=lambda n: n.name)
