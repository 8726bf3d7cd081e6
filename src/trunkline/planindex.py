"""The plan index: every VM NIC of a plan with the VLANs it is expected on, as ConfigMaps (pure).

``trunkline plan`` writes it to ``PLAN_DIR/monitoring/plan-index-NNN.yaml``; ``verify`` reads it for
per-VM verdicts (:mod:`trunkline.vmverdict`) and ``count --plan-index DIR --group NAME`` for the per-VM
metrics. Built from the plan *and* the inventory: the plan leaves templates out and does not keep power
or connection states.

Per VM NIC (:class:`IndexNic`): the vSphere VM and NIC label, the MAC, the port group, the **expected
VLAN set** (:class:`VlanSet`: the port group's VLAN as vSphere tags it on the uplink), the NAD and the
NAD's VLANs, the power state, whether the NIC is connected, and whether the VM is a template. Per node
group (:class:`IndexGroup`): its planned VLANs, its bridges and its trunk NICs.

Expected VLANs from the port group's VLAN policy (vSphere networking guide, "VLAN configuration"):

* VLAN 0 / none: untagged; an ID 1-4094: that ID; 4095 on a standard port group: every VLAN and
  untagged (the guest tags, virtual guest tagging);
* a distributed port group's VLAN trunking ranges: those ranges plus untagged (the guest tags; what it
  sends untagged leaves the uplink untagged);
* a private VLAN: its secondary VLAN ID, the tag its frames carry on the uplink (the primary for a
  promiscuous port, which is the same ID).

**The split.** ``oc apply`` (client-side) stores each object it applies, as JSON, in the annotation
``kubectl.kubernetes.io/last-applied-configuration``, and the API server refuses an object whose
annotations exceed 262,144 bytes (``metadata.annotations: Too long``). The ``index.json`` text is a JSON
string inside that JSON, so its quotes are escaped once more. Each ConfigMap is therefore filled until
the JSON of the whole object reaches :data:`PART_BUDGET` (200 KiB), leaving room for the other
annotations; ConfigMaps are named ``trunkline-plan-index-001``, ``-002`` ... and every part names the
plan's digest and the number of parts, so a stale or missing part is an error, never a silent gap.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trunkline.errors import BadInputError
from trunkline.facts import MAC_PATTERN, normalise_mac
from trunkline.openshift.plan.model import NetworkDecision, Plan
from trunkline.vlanranges import VLAN_ID_MAX, VLAN_ID_MIN, merge_ranges
from trunkline.vlanranges import format_ranges as ranges_text
from trunkline.vsphere.model import (
    AccessVlan,
    Inventory,
    NoVlan,
    PortGroup,
    TrunkVlan,
    UnknownVlan,
    VlanPolicy,
    nic_disconnected,
)

NAMESPACE = "trunkline"
"""Namespace of the index ConfigMaps (and of the monitoring DaemonSets)."""
CONFIGMAP_PREFIX = "trunkline-plan-index-"
FILE_PREFIX = "plan-index-"
DATA_KEY = "index.json"
FORMAT = "trunkline.io/plan-index"
VERSION = 1
ANNOTATION_LIMIT = 262_144
"""Bytes the API server allows for all annotations of one object together (``TotalAnnotationSizeLimitB``
in Kubernetes' apimachinery validation)."""
PART_BUDGET = 200 * 1024
"""Bytes of JSON one index ConfigMap may take (what ``oc apply`` copies into its annotation)."""
ALL_VLANS = 4095
_PART_NAME = re.compile(rf"^{CONFIGMAP_PREFIX}(\d{{3,}})$")


@dataclass(frozen=True)
class VlanSet:
    """A set of VLANs a frame may carry on the trunk: inclusive ID *ranges*, *untagged*, or *every* VLAN.

    VLAN 0 (priority-tagged frames) counts as untagged, as IEEE 802.1Q treats it.
    """

    ranges: tuple[tuple[int, int], ...] = ()
    untagged: bool = False
    every: bool = False

    def __contains__(self, vlan: object) -> bool:
        if self.every:
            return True
        if vlan is None or vlan == 0:
            return self.untagged
        return isinstance(vlan, int) and any(lo <= vlan <= hi for lo, hi in self.ranges)

    @property
    def empty(self) -> bool:
        """True when no frame can match (a NIC without a known port group)."""
        return not (self.ranges or self.untagged or self.every)

    def describe(self) -> str:
        """``40`` / ``10-19,30`` / ``untagged`` / ``10-19,30+untagged`` / ``all`` / ``none``."""
        if self.every:
            return "all"
        parts = [ranges_text(self.ranges)] if self.ranges else []
        if self.untagged:
            parts.append("untagged")
        return "+".join(parts) or "none"

    def to_json(self) -> dict[str, Any]:
        """``{"ranges": [[lo, hi], ...], "untagged": bool, "all": bool}``."""
        return {"ranges": [list(r) for r in self.ranges], "untagged": self.untagged, "all": self.every}

    @classmethod
    def from_json(cls, doc: Any, where: str) -> VlanSet:
        """The inverse of :meth:`to_json`.

        Raises:
            BadInputError: naming *where*: not ``{ranges, untagged, all}``, or a range that is not
                ``[lo, hi]`` with VLAN IDs ``lo <= hi`` within :data:`~trunkline.vlanranges.VLAN_ID_MIN`
                - :data:`~trunkline.vlanranges.VLAN_ID_MAX` (a range such as ``[10, 99999]`` would
                otherwise become one metric series per ID).
        """
        _check_vlan_set_types(doc, where)
        try:
            ranges = tuple((int(lo), int(hi)) for lo, hi in doc["ranges"])
            vlans = cls(ranges, bool(doc["untagged"]), bool(doc["all"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise BadInputError(f"{where}: a VLAN set is {{ranges, untagged, all}}; regenerate the index "
                                "with `trunkline plan`") from exc
        for lo, hi in ranges:
            if not VLAN_ID_MIN <= lo <= hi <= VLAN_ID_MAX:
                raise BadInputError(f"{where}: VLAN range [{lo}, {hi}] is not VLAN IDs lo <= hi within "
                                    f"{VLAN_ID_MIN}-{VLAN_ID_MAX}; regenerate the index with "
                                    "`trunkline plan`")
        return vlans


def vlans_of_policy(policy: VlanPolicy) -> VlanSet:
    """The VLANs a port group's VLAN policy puts the VM's frames on at the uplink (module docstring)."""
    if isinstance(policy, NoVlan):
        return VlanSet(untagged=True)
    if isinstance(policy, AccessVlan):
        return VlanSet(every=True) if policy.id == ALL_VLANS else VlanSet(((policy.id, policy.id),))
    if isinstance(policy, TrunkVlan):
        return VlanSet(merge_ranges([(r.start, r.end) for r in policy.ranges]), untagged=True)
    if isinstance(policy, UnknownVlan):  # the source did not say: nothing is expected, nothing guessed
        return VlanSet()
    return VlanSet(((policy.secondary, policy.secondary),))


def vlans_of_nad(decision: NetworkDecision) -> VlanSet:
    """The VLANs the plan's NAD for *decision* carries (its ``vlan``/``vlanTrunk``, or untagged)."""
    return VlanSet(decision.vlan_ids, untagged=decision.untagged or not decision.vlan_ids)


@dataclass(frozen=True)
class IndexNic:
    """One VM NIC of the index.

    Attributes:
        vm: the vSphere VM name; target: the OpenShift VM name (``None`` for templates).
        vm_id: ``vcenter/datacenter/moid``, unique in the plan. nic: the NIC label (``Network adapter 1``).
        mac: lower-case ``aa:bb:cc:dd:ee:ff``, ``None`` when the inventory has none.
        port_group: the port group's name (``""`` when unknown); expected: its :class:`VlanSet`.
        nad: ``namespace/name`` of the NAD the plan attaches it to, else ``None``; nad_vlans: that NAD's
            VLANs as planned (``None`` without a NAD); bridge: the NAD's bridge, else ``None``.
        power_state: ``poweredOn`` / ``poweredOff`` / ``suspended`` / ``None`` (unknown).
        connected: the NIC carries traffic when the VM runs (not
            :func:`~trunkline.vsphere.model.nic_disconnected`); template: the VM is a template.
    """

    vm: str
    target: str | None
    vm_id: str
    nic: str
    mac: str | None
    port_group: str
    expected: VlanSet
    nad: str | None
    nad_vlans: VlanSet | None
    bridge: str | None
    power_state: str | None
    connected: bool
    template: bool

    @property
    def quiet_reason(self) -> str | None:
        """Why this NIC is expected to send nothing (``powered off``, ``a template``, ``disconnected``),
        else ``None``."""
        if self.template:
            return "a template"
        if self.power_state in ("poweredOff", "suspended"):
            return "powered off" if self.power_state == "poweredOff" else "suspended"
        if not self.connected:
            return "disconnected"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "vm": self.vm, "target": self.target, "vm_id": self.vm_id, "nic": self.nic, "mac": self.mac,
            "port_group": self.port_group, "expected": self.expected.to_json(), "nad": self.nad,
            "nad_vlans": None if self.nad_vlans is None else self.nad_vlans.to_json(),
            "bridge": self.bridge, "power_state": self.power_state, "connected": self.connected,
            "template": self.template,
        }

    @classmethod
    def from_json(cls, doc: Any, where: str) -> IndexNic:
        """The inverse of :meth:`to_json`. Raises :class:`BadInputError` naming *where*: a field missing,
        a bad VLAN set, or a MAC that is neither ``null`` nor six hex octets (``00:50:56:ab:cd:ef``)."""
        mac = doc.get("mac") if isinstance(doc, dict) else None
        if mac is not None and not (isinstance(mac, str) and MAC_PATTERN.fullmatch(mac)):
            raise BadInputError(f"{where}: NIC MAC {mac!r} is not six hex octets such as 00:50:56:ab:cd:ef; "
                                "regenerate the index with `trunkline plan`")
        _check_types(doc, NIC_FIELDS, where, "a NIC entry")
        try:
            nad_vlans = doc["nad_vlans"]
            return cls(
                vm=str(doc["vm"]), target=doc["target"], vm_id=str(doc["vm_id"]), nic=str(doc["nic"]),
                mac=doc["mac"], port_group=str(doc["port_group"]),
                expected=VlanSet.from_json(doc["expected"], where), nad=doc["nad"],
                nad_vlans=None if nad_vlans is None else VlanSet.from_json(nad_vlans, where),
                bridge=doc["bridge"], power_state=doc["power_state"], connected=bool(doc["connected"]),
                template=bool(doc["template"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise _entry_error("a NIC entry", doc, exc, where) from exc


@dataclass(frozen=True)
class IndexGroup:
    """One node group: its name (the ``trunkline.io/node-group`` label value), the VLANs its bridges'
    uplinks carry (*vlans*), its bridges and its trunk NICs (node NIC names, sorted)."""

    name: str
    vlans: VlanSet
    bridges: tuple[str, ...]
    trunk_nics: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "vlans": self.vlans.to_json(), "bridges": list(self.bridges),
                "trunk_nics": list(self.trunk_nics)}

    @classmethod
    def from_json(cls, doc: Any, where: str) -> IndexGroup:
        """The inverse of :meth:`to_json`. Raises :class:`BadInputError` naming *where* and the field."""
        _check_types(doc, GROUP_FIELDS, where, "a node group entry")
        try:
            return cls(str(doc["name"]), VlanSet.from_json(doc["vlans"], where),
                       tuple(map(str, doc["bridges"])), tuple(map(str, doc["trunk_nics"])))
        except (KeyError, TypeError, AttributeError) as exc:
            raise _entry_error("a node group entry", doc, exc, where) from exc


def _entry_error(what: str, doc: Any, exc: Exception, where: str) -> BadInputError:
    """The one-line error for an index entry that is not a mapping, lacks a field, or holds a field of
    the wrong type (never Python's own exception text)."""
    if not isinstance(doc, dict):
        found = f"{type(doc).__name__} {str(doc)[:40]!r}"
        problem = f"{what} is a {found}, not a mapping of fields"
    elif isinstance(exc, KeyError):
        problem = f"{what} lacks the field {exc.args[0]!r}"
    else:
        problem = f"{what} has a field of the wrong type"
    return BadInputError(f"{where}: {problem}; regenerate the index with `trunkline plan`")


@dataclass(frozen=True)
class PlanIndex:
    """The index: node groups (by name) and VM NICs (sorted by VM, then NIC label)."""

    groups: tuple[IndexGroup, ...]
    nics: tuple[IndexNic, ...]

    def group(self, name: str) -> IndexGroup:
        """The group called *name*. Raises :class:`BadInputError` naming the groups there are."""
        for group in self.groups:
            if group.name == name:
                return group
        names = ", ".join(g.name for g in self.groups) or "none"
        raise BadInputError(f"--group {name}: the plan index has no such node group (it has {names})")

    def nics_of(self, group: IndexGroup) -> tuple[IndexNic, ...]:
        """The NICs whose NAD's bridge is one of *group*'s, and NICs without a bridge whose expected
        VLANs the group's trunks carry (still on vSphere, their broadcasts reach these nodes)."""
        bridges = set(group.bridges)
        return tuple(
            n for n in self.nics
            if (n.bridge in bridges if n.bridge is not None else _overlaps(n.expected, group.vlans))
        )

    def digest(self) -> str:
        """A short hash of the whole index (every part names it)."""
        return _digest([g.to_json() for g in self.groups], [n.to_json() for n in self.nics])


def _digest(groups: list[dict[str, Any]], nics: list[dict[str, Any]]) -> str:
    """:meth:`PlanIndex.digest` from the groups' and NICs' ``to_json`` documents."""
    text = json.dumps([groups, nics], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _overlaps(a: VlanSet, b: VlanSet) -> bool:
    if a.every or b.every or (a.untagged and b.untagged):
        return True
    return any(lo <= bhi and blo <= hi for lo, hi in a.ranges for blo, bhi in b.ranges)


# --- strict types of what is read back (a hand-edited index: `connected: "false"` is not true) ---------

_STR, _OPT_STR, _BOOL, _STR_LIST = "a string", "a string or null", "true or false", "a list of strings"
NIC_FIELDS = {"vm": _STR, "target": _OPT_STR, "vm_id": _STR, "nic": _STR, "mac": _OPT_STR,
              "port_group": _STR, "nad": _OPT_STR, "bridge": _OPT_STR, "power_state": _OPT_STR,
              "connected": _BOOL, "template": _BOOL}
"""The scalar fields of a NIC entry and the type each must have (``expected``/``nad_vlans``: VLAN sets)."""
GROUP_FIELDS = {"name": _STR, "bridges": _STR_LIST, "trunk_nics": _STR_LIST}
"""The scalar fields of a node group entry (``vlans``: a VLAN set)."""


def _has_type(value: Any, kind: str) -> bool:
    if kind == _BOOL:
        return isinstance(value, bool)
    if kind == _STR_LIST:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str) or (kind == _OPT_STR and value is None)


def _check_types(doc: Any, fields: dict[str, str], where: str, what: str) -> None:
    """Raise :class:`BadInputError` naming *where* and the first field of *doc* not of its type in
    *fields* (a missing field is left to the reader, which names it)."""
    if not isinstance(doc, dict):
        raise BadInputError(f"{where}: {what} is {json.dumps(doc)[:60]}, not an object; regenerate the index "
                            "with `trunkline plan`")
    for key, kind in fields.items():
        if key in doc and not _has_type(doc[key], kind):
            raise BadInputError(f"{where}: {what}: field {key!r} is {json.dumps(doc[key])[:60]}, it must be "
                                f"{kind}; regenerate the index with `trunkline plan`")


def _check_vlan_set_types(doc: Any, where: str) -> None:
    """Raise :class:`BadInputError` when a VLAN set's fields have the wrong JSON types (``untagged``/``all``
    booleans, ``ranges`` pairs of integers). The values themselves are checked where they are read."""
    if not isinstance(doc, dict):
        return  # the reader names the shape
    for key in ("untagged", "all"):
        if key in doc and not isinstance(doc[key], bool):
            raise BadInputError(f"{where}: a VLAN set: field {key!r} is {json.dumps(doc[key])[:60]}, it must "
                                "be true or false; regenerate the index with `trunkline plan`")
    ranges = doc.get("ranges")
    if ranges is not None and not (isinstance(ranges, list) and all(
            isinstance(r, list) and len(r) == 2 and all(type(v) is int for v in r) for r in ranges)):
        raise BadInputError(f"{where}: a VLAN set: field 'ranges' is {json.dumps(ranges)[:60]}, it must be a "
                            "list of [first, last] integer pairs; regenerate the index with `trunkline plan`")


# --- building -------------------------------------------------------------------------------------------


def build_index(plan: Plan, inventory: Inventory) -> PlanIndex:
    """The index of *plan*, which was built from *inventory* (pure).

    VM NICs come from the inventory (templates included: the plan leaves them out); the OpenShift name
    and NAD from the plan's VM decisions, matched by ``vcenter/datacenter/moid`` and NIC position.
    """
    decisions = {vm.key: vm for vm in plan.vms}
    by_nad = {f"{plan.options.namespace}/{n.nad}": n for n in plan.networks if n.target == "multus" and n.nad}
    nics: list[IndexNic] = []
    # one VlanSet per port group and per NAD, shared by their NICs (50,000 NICs, 10,000 port groups)
    expected_of: dict[int, VlanSet] = {}
    nad_vlans_of: dict[str, VlanSet] = {}
    for vcenter in inventory.vcenters:
        for dc in vcenter.datacenters:
            port_groups: dict[str, PortGroup] = {}
            for pg in dc.port_groups:
                port_groups.setdefault(pg.id, pg)
                port_groups.setdefault(pg.network or pg.id, pg)
            for vm in dc.vms:
                vm_id = f"{vcenter.name}/{dc.name}/{vm.id}"
                dec = decisions.get(vm_id)
                for pos, nic in enumerate(vm.nics):
                    found = port_groups.get(nic.network or "")
                    nic_dec = dec.nics[pos] if dec is not None and pos < len(dec.nics) else None
                    multus = nic_dec is not None and nic_dec.binding == "multus"
                    nad = nic_dec.network_name if nic_dec is not None and multus else None
                    net = by_nad.get(nad or "")
                    expected = VlanSet()
                    if found is not None:
                        expected = expected_of.get(id(found)) or expected_of.setdefault(
                            id(found), vlans_of_policy(found.vlan))
                    nad_vlans = None
                    if net is not None and nad is not None:
                        nad_vlans = nad_vlans_of.get(nad) or nad_vlans_of.setdefault(nad, vlans_of_nad(net))
                    nics.append(IndexNic(
                        vm=vm.name, target=dec.name if dec is not None else None, vm_id=vm_id,
                        nic=nic.label, mac=normalise_mac(nic.mac), port_group=found.name if found else "",
                        expected=expected, nad=nad, nad_vlans=nad_vlans,
                        bridge=net.bridge if net else None, power_state=vm.power_state,
                        connected=not nic_disconnected(vm, nic), template=vm.template,
                    ))
    nics.sort(key=lambda n: (n.vm, n.vm_id, n.nic))
    return PlanIndex(_groups(plan), tuple(nics))


def _groups(plan: Plan) -> tuple[IndexGroup, ...]:
    """Node groups from the bridges' layouts (one per group and bridge); every group of the plan (its
    ``node_groups``, else its options'), even one without a bridge."""
    named = plan.node_groups or plan.options.node_groups
    ranges: dict[str, list[tuple[int, int]]] = {g.name: [] for g in named}
    untagged: dict[str, bool] = {name: False for name in ranges}
    bridges: dict[str, set[str]] = {name: set() for name in ranges}
    nics: dict[str, set[str]] = {name: set() for name in ranges}
    for bridge in plan.bridges:
        for layout in bridge.layouts:
            name = layout.group.name
            ranges.setdefault(name, []).extend(bridge.vlan_ids)
            untagged[name] = untagged.get(name, False) or bridge.untagged
            bridges.setdefault(name, set()).add(bridge.name)
            nics.setdefault(name, set()).update(layout.nics)
    return tuple(
        IndexGroup(name, VlanSet(merge_ranges(ranges[name]), untagged[name]), tuple(sorted(bridges[name])),
                   tuple(sorted(nics[name])))
        for name in sorted(ranges)
    )


# --- ConfigMaps -----------------------------------------------------------------------------------------


def _configmap(number: int, payload: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"{CONFIGMAP_PREFIX}{number:03d}",
            "namespace": NAMESPACE,
            "labels": {"app.kubernetes.io/name": "trunkline", "app.kubernetes.io/component": "plan-index"},
        },
        "data": {DATA_KEY: payload},
    }


_COMPACT = json.JSONEncoder(separators=(",", ":"))
"""``json.dumps(..., separators=(",", ":"))`` without building an encoder per call."""


def _size(obj: dict[str, Any]) -> int:
    """Bytes of *obj* as ``oc apply`` writes it into the last-applied annotation (compact JSON)."""
    return len(json.dumps(obj, separators=(",", ":")).encode())


def _payload(digest: str, part: int, parts: int, groups: list[Any], rows: list[str]) -> str:
    head = json.dumps({"format": FORMAT, "version": VERSION, "plan": digest, "part": part, "parts": parts,
                       "groups": groups}, separators=(",", ":"))
    return head[:-1] + ',"nics":[' + ",".join(rows) + "]}"


def configmaps(index: PlanIndex, budget: int = PART_BUDGET) -> list[dict[str, Any]]:
    """The index as ConfigMap objects (module docstring: the split), each at most *budget* bytes of JSON.

    Part 1 holds the node groups; every part holds whole NIC rows, in index order.

    Raises:
        ValueError: one NIC row alone exceeds *budget* (cannot happen with real names: a row is < 2 KiB).
    """
    groups = [g.to_json() for g in index.groups]
    docs = [n.to_json() for n in index.nics]
    digest = _digest(groups, docs)
    rows = list(map(_COMPACT.encode, docs))
    used = _size(_configmap(999, _payload(digest, 999, 999, groups, [])))
    fixed = _size(_configmap(999, _payload(digest, 999, 999, [], [])))
    parts: list[list[str]] = [[]]
    for row in rows:
        # escaped once more inside the JSON string, less 1 for the quotes and plus 1 for the comma: a row
        # is ASCII JSON (ensure_ascii) without control characters, so only its quotes and backslashes
        # grow, by one byte each (the same figure as len(json.dumps(row)) - 1)
        cost = len(row) + 1 + row.count('"') + row.count("\\")
        if parts[-1] and used + cost > budget:
            parts.append([])
            used = fixed
        parts[-1].append(row)
        used += cost
    out = []
    for number, part_rows in enumerate(parts, 1):
        payload = _payload(digest, number, len(parts), groups if number == 1 else [], part_rows)
        cm = _configmap(number, payload)
        if _size(cm) > budget:
            raise ValueError(f"plan index part {number} is {_size(cm)} bytes, over {budget}")
        out.append(cm)
    return out


def file_name(configmap: dict[str, Any]) -> str:
    """``plan-index-001.yaml`` for ConfigMap ``trunkline-plan-index-001``."""
    return FILE_PREFIX + str(configmap["metadata"]["name"])[len(CONFIGMAP_PREFIX):] + ".yaml"


# --- loading --------------------------------------------------------------------------------------------


def _user_path(directory: Path, file: str) -> str:
    """*file* (relative to *directory*, as :func:`load_manifests` names it) as the user would type it:
    ``PLAN_DIR/monitoring/plan-index-001.yaml``."""
    return str(directory) if directory.is_file() else str(directory / file)


def _parts(directory: Path) -> Iterator[tuple[str, Any]]:
    """(where, parsed part) for every index part under *directory*: ConfigMap manifests named
    ``trunkline-plan-index-NNN``, and bare parts (the ``index.json`` key mounted as a file). *where* is
    ``PATH:LINE``: the file as the user names it (under *directory* as given) and the line where the
    document starts in it."""
    from trunkline.openshift.manifests import load_manifests

    for doc in load_manifests(directory):
        where = f"{_user_path(directory, doc.file)}:{doc.line}"
        body = doc.body
        if body.get("format") == FORMAT:
            yield where, body
            continue
        if body.get("kind") != "ConfigMap" or not _PART_NAME.match(doc.name or ""):
            continue
        data = body.get("data")
        text = data.get(DATA_KEY) if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise BadInputError(f"{where}: ConfigMap {doc.name} has no data key {DATA_KEY!r}; "
                                "regenerate it with `trunkline plan`")
        try:
            yield where, json.loads(text)
        except ValueError as exc:
            raise BadInputError(f"{where}: ConfigMap {doc.name}: {DATA_KEY} is not JSON ({exc}); "
                                "regenerate it with `trunkline plan`") from exc


def _check_no_empty_part_files(directory: Path, wheres: Iterable[str]) -> None:
    """Raise :class:`BadInputError` naming a ``plan-index-NNN`` file under *directory* that holds no part
    (emptied, or its ConfigMap renamed): without it every per-VM verdict would vanish without a word."""
    from trunkline.openshift.manifests import manifest_files

    files = [directory] if directory.is_file() else manifest_files(directory)
    holding = {where.rsplit(":", 1)[0] for where in wheres}
    for path in files:
        shown = _user_path(directory, os.path.relpath(path, directory).replace(os.sep, "/"))
        if path.name.startswith(FILE_PREFIX) and shown not in holding:
            raise BadInputError(f"{shown}:1: holds no plan index part (empty, or no ConfigMap "
                                f"{CONFIGMAP_PREFIX}NNN); write the plan again with `trunkline plan`, or "
                                "remove the file")


def _more(count: int) -> str:
    return f" and {count} more" if count else ""


def _check_one_plan(docs: list[tuple[str, dict[str, Any]]]) -> None:
    """Raise :class:`BadInputError` naming the files of each plan when the parts name several plans."""
    files: dict[str, list[str]] = {}
    for where, doc in docs:
        files.setdefault(str(doc.get("plan")), []).append(where)
    if len(files) > 1:
        listed = "; ".join(f"plan {digest} in {wheres[0]}" + _more(len(wheres) - 1)
                           for digest, wheres in sorted(files.items()))
        raise BadInputError(f"plan index parts of {len(files)} different plans ({listed}); remove the stale "
                            "ones (write the plan again with `trunkline plan`)")


def load_index(directory: Path) -> PlanIndex | None:
    """The plan index under *directory* (a plan directory, its ``monitoring/``, or mounted parts), or
    ``None`` when it holds none (hand-written manifests).

    Raises:
        BadInputError: a part is malformed, of another format version, from another plan than the others,
            or a part is missing or given twice.
    """
    docs: list[tuple[str, dict[str, Any]]] = []
    for where, doc in _parts(directory):
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise BadInputError(f"{where}: not a trunkline plan index part; regenerate it with "
                                "`trunkline plan`")
        if doc.get("version") != VERSION:
            raise BadInputError(f"{where}: plan index version {doc.get('version')!r}, this trunkline reads "
                                f"{VERSION}; regenerate it with this version's `trunkline plan`")
        docs.append((where, doc))
    _check_no_empty_part_files(directory, (where for where, _ in docs))
    if not docs:
        return None
    _check_one_plan(docs)
    found: dict[int, tuple[str, Any]] = {}
    count = 0
    for where, doc in docs:
        part, parts = doc.get("part"), doc.get("parts")
        if not isinstance(part, int) or not isinstance(parts, int) or not 1 <= part <= parts:
            raise BadInputError(f"{where}: part {part!r} of {parts!r} is not a part number; regenerate it")
        if part in found:
            raise BadInputError(f"{where}: plan index part {part} is also in {found[part][0]}; keep one")
        found[part] = (where, doc)
        count = max(count, parts)
    missing = sorted(set(range(1, count + 1)) - set(found))
    if missing:
        raise BadInputError(f"{directory}: plan index part {missing[0]:03d} of {count} is missing; "
                            "apply or copy every plan-index-NNN file")
    groups: list[IndexGroup] = []
    nics: list[IndexNic] = []
    for part in range(1, count + 1):
        where, doc = found[part]
        groups.extend(IndexGroup.from_json(g, where) for g in _list(doc, "groups", where))
        nics.extend(IndexNic.from_json(n, where) for n in _list(doc, "nics", where))
    return PlanIndex(tuple(groups), tuple(nics))


def _list(doc: dict[str, Any], key: str, where: str) -> Iterable[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise BadInputError(f"{where}: {key!r} must be a list; regenerate the index with `trunkline plan`")
    return value
