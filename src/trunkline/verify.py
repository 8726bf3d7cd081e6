"""Check the VLANs seen on a trunk against the VLANs a plan's NADs use.

:func:`verify` is pure; the edges are :func:`read_nads` (files) and
:func:`trunkline.xdp.window.observe` (the kernel: a counting window next to the counter session).

Input: received (``rx``) snapshots of the trunk NIC(s) and the plan's NetworkAttachmentDefinitions.
Output: a :class:`Verification` listing, per VLAN, packets and bytes and the NADs that carry it, with

* **unmapped** VLANs: traffic arrived tagged with a VLAN ID no NAD carries. This is an error: the VMs
  on that VLAN would be cut off after migration;
* **silent** NADs: their VLAN(s) saw nothing in the window. A warning: wrong NIC, wrong trunk, or idle;
* **untagged** traffic (and VLAN 0, priority-tagged frames, which 802.1Q treats as untagged): reported,
  never an error — the node's own traffic usually travels untagged on the same NIC;
* **no tagged frames at all** while the NADs name VLANs (every such NAD silent), or no frames at all:
  an error, the window says nothing about the plan: the wrong interface, or no traffic on it.

Which VLANs a NAD carries (``spec.config``, a JSON string; containernetworking/plugins bridge and
OVN-Kubernetes localnet docs):

* bridge CNI (``type`` ``bridge`` or ``cnv-bridge``): ``vlan`` N (1-4094) is an access VLAN; ``vlanTrunk``
  ``[{"id": N} | {"minID": A, "maxID": B}]`` a trunk, which also carries untagged frames unless
  ``preserveDefaultVlan`` is false; neither (or ``vlan`` 0) means untagged frames;
* OVN localnet (``type: ovn-k8s-cni-overlay``, ``topology: localnet``): ``vlanID`` N, none means untagged;
* any other plugin (macvlan, SR-IOV, ...): the NAD is listed as not carrying trunk VLANs.

Multiple-plugin ``plugins: [...]`` configurations (conflists) are read plugin by plugin. Directories are
read with the loader of ``trunkline validate`` (:mod:`trunkline.openshift.manifests`), which also says
which VLANs a plugin config carries; run ``trunkline validate`` for a full check of the NADs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from trunkline.errors import BadInputError
from trunkline.openshift.manifests import Document, Kind, load_manifests, refuse_duplicate_keys
from trunkline.openshift.objects import OVN_CNI_TYPE, parse_nad_config, plugin_configs, read_nad
from trunkline.vlanranges import contains, format_ranges
from trunkline.xdp.stats import Cell, Snapshot

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
        return contains(self.ranges, vlan)

    def describe(self) -> str:
        """``VLAN 40`` / ``VLANs 10, 20-29`` / ``untagged`` for messages."""
        if not self.ranges:
            return "untagged" if self.untagged else "no VLAN"
        single = len(self.ranges) == 1 and self.ranges[0][0] == self.ranges[0][1]
        return ("VLAN " if single else "VLANs ") + format_ranges(self.ranges)


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
    def tagged_seen(self) -> bool:
        """Whether any frame with a VLAN ID 1-4095 arrived (VLAN 0, priority-tagged, counts as untagged)."""
        return any(r.total for r in self.rows if r.vlan not in (None, 0))

    @property
    def frames_seen(self) -> bool:
        """Whether any frame arrived at all."""
        return any(r.total for r in self.rows)

    @property
    def blind(self) -> bool:
        """``True`` when the window cannot check the plan: no frame arrived at all, or the NADs name VLANs
        and not one tagged frame arrived (every such NAD is silent): the wrong interface, or no traffic."""
        return not self.frames_seen or (not self.tagged_seen and bool(self.silent_nads))

    @property
    def ok(self) -> bool:
        """``True`` when no traffic arrived on an unmapped VLAN and the window was not :attr:`blind`."""
        return not self.unmapped and not self.blind

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
            "tagged_seen": self.tagged_seen,
            "blind": self.blind,
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
# The directory is read by trunkline.openshift.manifests (the loader `trunkline validate` uses) and each NAD
# by trunkline.openshift.objects.read_nad (the reading `validate` and `lab` use), so that the commands
# accept the same directories and agree on what every NAD carries.


def nad_vlans(doc: Document) -> NadVlans:
    """The VLANs one NAD document carries (its config, or the first VLAN-aware plugin of a conflist).

    Raises:
        BadInputError: the NAD's config or VLAN settings have a problem ``validate`` reports (the first
            one, naming file, line and field): the NAD is never left out silently.
    """
    name = f"{doc.namespace or 'default'}/{doc.name or '?'}"
    refuse_duplicate_keys(doc)
    vlans, problems = read_nad(doc.body)
    if problems or vlans is None:
        first = problems[0]
        raise BadInputError(
            f"{doc.file}:{doc.line_of(first.field)}: NAD {name}: {first.field}: {first.message}; fix it "
            "(`trunkline validate` lists every problem of the directory)"
        )
    if vlans.carries_vlans:
        return NadVlans(name, doc.where, vlans.plugin, vlans.tagged, vlans.untagged)
    config, _ = parse_nad_config(doc.body.get("spec") or {})
    kinds = [str(p.get("type", "?")) for _, p in plugin_configs(config or {})]
    return NadVlans(name, doc.where, ",".join(kinds))


def cudn_nads(doc: Document) -> list[NadVlans]:
    """The NADs a ClusterUserDefinedNetwork creates, one per namespace its selector lists by name (one
    ``*/NAME`` when it selects by labels), each on the CUDN's access VLAN (untagged without one)."""
    from trunkline.openshift import cudn_rules

    vid = cudn_rules.access_vlan(doc.body)
    chosen = cudn_rules.selection(cudn_rules.as_mapping(doc.body.get("spec")).get("namespaceSelector"))
    ranges = ((vid, vid),) if vid else ()
    return [NadVlans(f"{ns}/{doc.name or '?'}", doc.where, OVN_CNI_TYPE, ranges, vid is None)
            for ns in chosen.names or ("*",)]


def read_nads(directory: Path) -> list[NadVlans]:
    """Every NAD in the manifests under *directory* (a plan dir or hand-written NADs), sorted by name.

    Files are found and parsed as ``trunkline validate`` does (:func:`trunkline.openshift.manifests.
    load_manifests`: ``*.yaml``/``*.yml``/``*.json`` recursively, ``kind: List`` expanded); other kinds are
    skipped.

    Raises:
        BadInputError: *directory* missing, a file that is not YAML, a NAD without a usable config, or no
            NAD at all.
    """
    docs = load_manifests(directory)
    nads = [nad_vlans(doc) for doc in docs if doc.kind is Kind.NAD]
    nads += [nad for doc in docs if doc.kind is Kind.CUDN for nad in cudn_nads(doc)]
    if not nads:
        raise BadInputError(f"{directory}: no NetworkAttachmentDefinition found; pass a plan directory "
                            "written by `trunkline plan` or a directory of NAD YAML files")
    return sorted(nads, key=lambda n: n.name)


def check_arguments(plan_dir: Path, interfaces: Sequence[str]) -> None:
    """Catch swapped arguments (``verify IFACE PLAN_DIR``) before anything is read or attached: when
    *plan_dir* does not exist but names an interface here.

    Raises:
        BadInputError: *plan_dir* is an interface name; the message names the directory among
            *interfaces* when there is one, and the order ``PLAN_DIR IFACE...``.
    """
    import socket

    if plan_dir.exists():
        return
    try:
        socket.if_nametoindex(str(plan_dir))
    except OSError:
        return
    dirs = [name for name in interfaces if Path(name).is_dir()]
    if dirs:
        rest = [name for name in interfaces if name != dirs[0]]
        raise BadInputError(
            f"{plan_dir} is an interface and {dirs[0]} a directory: the arguments are PLAN_DIR IFACE...; "
            f"run `trunkline verify {' '.join([dirs[0], str(plan_dir), *rest])}`")
    raise BadInputError(f"{plan_dir} is an interface, not a plan directory: the arguments are PLAN_DIR "
                        f"IFACE...; run `trunkline verify PLAN_DIR {' '.join([str(plan_dir), *interfaces])}`")


def blind_message(result: Verification, seconds: float, hook: str) -> str:
    """The one line for a :attr:`Verification.blind` window of *seconds* (shown to 0.1 s) on *result*'s
    interfaces."""
    where = ", ".join(result.interfaces)
    what = "no tagged frames" if result.frames_seen else "no frames at all"
    hint = "; the XDP hook misses tags the NIC strips: try --hook tc" if hook == "xdp" else ""
    return f"saw {what} on {where} in {round(seconds, 1):g} s: wrong interface, or no traffic?{hint}"
