"""Bridges on the nodes: switches carrying NADs, merged into one bridge where their uplinks share a node
NIC; per bridge its VLANs, MTU and per-node-group uplink layout (one NNCP each)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from typing import NamedTuple

from trunkline.openshift.naming import IFNAME_MAX, ifname, with_suffix
from trunkline.openshift.plan.findings import Findings
from trunkline.openshift.plan.model import (
    DEFAULT_MTU,
    NATIVE_VLAN,
    BridgeDecision,
    NetworkDecision,
    NodeLayout,
    PlanOptions,
)
from trunkline.openshift.plan.source import SourceIndex
from trunkline.openshift.plan.uplinks import node_layout
from trunkline.vlanranges import merge_ranges, subtract_ranges


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class BridgeAssignment(NamedTuple):
    """Which switches share which bridge: ``members`` (bridge name, switch keys) with the main bridge
    (``--bridge``) first, ``bridge_of`` switch key -> bridge name, ``layouts`` (node group name, switch key)
    -> :class:`NodeLayout`, ``portless`` the switch keys with no known uplink (no NNCP)."""

    members: list[tuple[str, list[str]]]
    bridge_of: dict[str, str]
    layouts: dict[tuple[str, str], NodeLayout]
    portless: set[str]


def carrying_switches(decisions: dict[str, NetworkDecision]) -> list[str]:
    """The keys of the switches that carry a NAD, sorted."""
    return sorted({d.switch for d in decisions.values() if d.target == "multus"})


def assign_bridges(
    index: SourceIndex, options: PlanOptions, decisions: dict[str, NetworkDecision], findings: Findings
) -> BridgeAssignment:
    """Group the switches carrying NADs into bridges: switches whose uplinks map to one node NIC share a
    bridge. The bridge with the most NADs is ``--bridge``; the others are ``br-<switch>``."""
    carrying = carrying_switches(decisions)
    portless: set[str] = set()
    layouts: dict[tuple[str, str], NodeLayout] = {}
    uf = _UnionFind()
    for skey in carrying:
        uf.find(skey)
    for group in options.node_groups:
        owner: dict[str, str] = {}
        for skey in carrying:
            lay = node_layout(index, group, skey, findings, portless)
            if lay is None:
                continue
            layouts[(group.name, skey)] = lay
            for nic in lay.nics:
                if nic in owner:
                    uf.union(owner[nic], skey)
                else:
                    owner[nic] = skey
    members: dict[str, list[str]] = defaultdict(list)
    for skey in carrying:
        members[uf.find(skey)].append(skey)
    nets_per_switch = Counter(d.switch for d in decisions.values() if d.target == "multus")
    groups_sorted = sorted(members.values(), key=lambda m: (-sum(nets_per_switch[s] for s in m), m[0]))
    bridge_of: dict[str, str] = {}
    taken: set[str] = set()
    bridge_members: list[tuple[str, list[str]]] = []
    for i, mem in enumerate(groups_sorted):
        if i == 0:
            name = options.bridge
        else:
            main = max(mem, key=lambda s: (nets_per_switch[s], s))
            name = ifname("br-" + index.switches[main].name, taken)
        taken.add(name)
        bridge_members.append((name, mem))
        for skey in mem:
            bridge_of[skey] = name
    return BridgeAssignment(bridge_members, bridge_of, layouts, portless)


def decide_bridges(
    index: SourceIndex,
    options: PlanOptions,
    assignment: BridgeAssignment,
    decisions: dict[str, NetworkDecision],
    findings: Findings,
) -> tuple[BridgeDecision, ...]:
    """One :class:`BridgeDecision` per bridge of *assignment*, sorted by name; *decisions* carry their NAD
    names and bridges already (:func:`~trunkline.openshift.plan.networks.name_nads`)."""
    by_bridge: dict[str, list[NetworkDecision]] = defaultdict(list)
    for dec in decisions.values():
        if dec.bridge:
            by_bridge[dec.bridge].append(dec)
    bridges = [
        _bridge(index, options, findings, name, mem, by_bridge, assignment)
        for name, mem in assignment.members
    ]
    return tuple(sorted(bridges, key=lambda br: br.name))


def _bridge(
    index: SourceIndex,
    options: PlanOptions,
    findings: Findings,
    name: str,
    members: list[str],
    by_bridge: dict[str, list[NetworkDecision]],
    assignment: BridgeAssignment,
) -> BridgeDecision:
    opt = options
    layouts = assignment.layouts
    nets = by_bridge.get(name, [])
    tagged = merge_ranges([r for d in nets for r in d.vlan_ids])
    untagged = any(d.untagged for d in nets)
    mtus = sorted({index.switches[s].mtu for s in members})
    if len(mtus) > 1:
        findings.find(
            "warning",
            "mtu-conflict",
            f"bridge {name}",
            f"its switches ({', '.join(sorted(index.switches[s].name for s in members))}) have MTUs "
            f"{', '.join(map(str, mtus))}; the bridge uses {mtus[-1]} and each NAD its own switch's MTU",
        )
    if untagged and opt.backend == "linux-bridge" and any(a <= NATIVE_VLAN <= z for a, z in tagged):
        flat = ", ".join(sorted(d.name for d in nets if d.untagged))
        # one finding per NAD, as `trunkline validate` reports each NAD whose VLANs include the native one
        for d in sorted(nets, key=lambda d: d.nad or d.name):
            if any(a <= NATIVE_VLAN <= z for a, z in d.vlan_ids):
                findings.find(
                    "warning",
                    "native-vlan",
                    f"NAD {opt.namespace}/{d.nad}",
                    f"port group {d.name!r} (VLAN {d.vlan_text}) includes tagged VLAN {NATIVE_VLAN}, but on "
                    f"bridge {name} VLAN {NATIVE_VLAN} is the uplink's native VLAN carrying the untagged "
                    f"port groups ({flat}; the bridge CNI puts untagged VM ports in the bridge's default "
                    f"VLAN {NATIVE_VLAN}): its VLAN {NATIVE_VLAN} frames leave untagged; move one side to "
                    "another VLAN",
                )
        tagged = subtract_ranges(tagged, [(NATIVE_VLAN, NATIVE_VLAN)])
    out_layouts = []
    for group in opt.node_groups:
        parts = [layouts[(group.name, s)] for s in members if (group.name, s) in layouts]
        if not parts:
            continue
        main = max(parts, key=lambda lay: (len(lay.nics), lay.policy))
        nics = tuple(sorted({n for lay in parts for n in lay.nics}))
        uplinks = tuple(sorted({u for lay in parts for u in lay.uplinks}))
        for label, nic, mapped in uplinks:
            if not mapped and opt.localnet_bridge != "br-ex":
                findings.find(
                    "error",
                    "unmapped-uplink",
                    f"uplink {label} (bridge {name}, node group {group.name})",
                    f"no node NIC is mapped to {label}: the NNCP names {nic!r} as a placeholder; add "
                    f"--nic-map {label}=NIC, a NIC map file entry, or --node-state",
                    unmapped=True,
                )
        bond = main.bond if len(nics) > 1 else None
        if len(nics) > 1 and bond is None:
            bond = "active-backup"
        out_layouts.append(
            replace(
                main,
                nics=nics,
                uplinks=uplinks,
                uplink_names=tuple(sorted({n for lay in parts for n in lay.uplink_names})),
                bond=bond,
                bond_name=with_suffix(name, "bond", IFNAME_MAX) if bond else None,
                primary=main.primary if bond == "active-backup" else None,
            )
        )
    if not out_layouts and not set(members) & assignment.portless:
        findings.find(
            "error",
            "no-nodes",
            f"bridge {name}",
            "no node group covers the hosts of its switches: no NNCP creates it, so its NADs have no "
            "bridge; widen a group's 'hosts' in the NIC map file",
            unmapped=True,
        )
    return BridgeDecision(
        name=name,
        switches=tuple(sorted(members)),
        mtu=mtus[-1] if mtus else DEFAULT_MTU,
        vlan_ids=tagged,
        untagged=untagged,
        localnet=name if opt.backend != "linux-bridge" else None,
        layouts=tuple(out_layouts),
    )
