"""Uplinks and bonds: which node NICs replace a switch's uplinks on a node group's nodes, and the bond
they form (LACP -> 802.3ad, IP hash -> balance-xor, else active-backup)."""

from __future__ import annotations

from collections import Counter, defaultdict

from trunkline.openshift.nicmap import NodeGroup
from trunkline.openshift.plan.findings import Findings
from trunkline.openshift.plan.model import BondMode, NodeLayout
from trunkline.openshift.plan.source import SourceIndex
from trunkline.vsphere.model import Teaming


def teaming_of(index: SourceIndex, skey: str) -> Teaming:
    """The switch's teaming, else the most common explicit teaming of its port groups."""
    sw = index.switch_objs[skey][0][0]
    if sw.teaming.policy or sw.teaming.active:
        return sw.teaming
    pg_teams = Counter(
        pg.teaming
        for net in index.nets.values()
        for pg, k in zip(net.port_groups, net.switch_keys, strict=True)
        if k == skey and (pg.teaming.policy or pg.teaming.active)
    )
    if not pg_teams:
        return sw.teaming
    return sorted(pg_teams.items(), key=lambda kv: (-kv[1], repr(kv[0])))[0][0]


def named_uplinks(index: SourceIndex, skey: str) -> list[tuple[str, list[tuple[str | None, str | None]]]]:
    """Per host, the (uplink name, vmnic) pairs of switch *skey*. On a distributed switch, a vmnic
    whose uplink name the export left blank (its pair is (vmnic, vmnic)) takes the name the other
    hosts give that vmnic most often."""
    hosts = index.host_uplinks.get(skey, [])
    if index.switches[skey].kind != "distributed":
        return hosts
    names: dict[str | None, Counter[str]] = defaultdict(Counter)
    for _, pairs in hosts:
        for uplink, vmnic in pairs:
            if uplink and uplink != vmnic:
                names[vmnic][uplink] += 1
    out = []
    for host, pairs in hosts:
        filled = [
            (names[vmnic].most_common(1)[0][0] if uplink == vmnic and names.get(vmnic) else uplink, vmnic)
            for uplink, vmnic in pairs
        ]
        out.append((host, filled))
    return out


def node_layout(
    index: SourceIndex, group: NodeGroup, skey: str, findings: Findings, portless: set[str]
) -> NodeLayout | None:
    """The node NICs that replace switch *skey*'s uplinks on *group*'s nodes (``None``: the group's
    hosts do not use the switch). A switch the inventory names no uplink of gets a ``no-uplink`` finding
    and joins *portless*."""
    sw = index.switch_objs[skey][0][0]
    team = teaming_of(index, skey)
    lags = {lag.name for lag in sw.lacp_groups}
    lag = next((u for u in team.active if u in lags), None)
    chosen = set(team.active) | set(team.standby)
    per_host = [(h, pairs) for h, pairs in named_uplinks(index, skey) if group.covers(h)]
    if not per_host and not index.host_uplinks.get(skey):
        per_host = [("", [(u, None) for u in sw.uplinks])]
    if not per_host:
        return None
    sets: Counter[tuple[tuple[str, str, bool], ...]] = Counter()
    names: set[tuple[str, str]] = set()
    for _, pairs in per_host:
        picked = []
        for uplink, vmnic in pairs:
            if lag:
                if not (uplink or "").startswith(f"{lag}-") and any(
                    (u or "").startswith(f"{lag}-") for u, _ in pairs
                ):
                    continue
            elif chosen and uplink not in chosen and vmnic not in chosen:
                continue
            nic = group.nic_for(uplink, vmnic)
            label = vmnic or uplink or "?"
            picked.append((label, nic or label, nic is not None))
            if uplink and vmnic and uplink != vmnic:
                names.add((vmnic, uplink))
        sets[tuple(sorted(set(picked)))] += 1
    layout, _ = sorted(sets.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    swname = index.switches[skey].name
    if len(sets) > 1:
        variants = "; ".join(
            f"{', '.join(n for _, n, _ in k) or 'none'} on {c} host(s)" for k, c in sorted(sets.items())
        )
        findings.find(
            "warning",
            "uplink-layout",
            f"switch {swname}, node group {group.name}",
            f"the hosts' uplinks map to different node NICs ({variants}); the NNCP uses the most common: "
            "split the hosts into node groups in a NIC map file",
        )
    nics = tuple(sorted({n for _, n, _ in layout}))
    if not nics:
        findings.find(
            "error",
            "no-uplink",
            f"switch {swname}, node group {group.name}",
            "the inventory names no uplink (vmnic) of this switch on these hosts: no NNCP for it (a "
            "bridge without a port reaches no wire), so its NADs have no bridge on these nodes; add the "
            "hosts' NICs to the inventory file (host 'nics' with this 'switch') and run plan on it",
            unmapped=True,
        )
        portless.add(skey)
        return None
    labels = sorted({label for label, _, _ in layout})
    if len(labels) > 1 and len(nics) == 1:
        findings.find(
            "warning",
            "uplink-redundancy-lost",
            f"switch {swname}, node group {group.name}",
            f"its uplinks {', '.join(labels)} (teaming {team.policy or 'not set'}) all map to node NIC "
            f"{nics[0]}: the plan builds no bond and the bridge has a single link; map each uplink to "
            "its own NIC to keep the redundancy",
        )
    by_label = {label: nic for label, nic, _ in layout}
    mode: BondMode | None = None
    primary = None
    policy: str = team.policy or "not set"
    if lag:
        policy = f"LACP ({lag})"
    if len(nics) > 1:
        if lag:
            mode = "802.3ad"
        elif team.policy == "loadbalance_ip":
            mode = "balance-xor"
        else:
            mode = "active-backup"
            active = [u for u in team.active]
            first = next((by_label[u] for u in active if u in by_label), None)
            if first is None:
                pairs0 = per_host[0][1]
                first = next((by_label[v] for u, v in pairs0 if u in active and v in by_label), None)
            primary = first
            if team.policy not in (None, "failover_explicit"):
                findings.find(
                    "info",
                    "teaming",
                    f"switch {swname}",
                    f"vSphere teaming {team.policy} has no equivalent under a VM bridge (OpenShift "
                    "Virtualization supports bond modes 1, 2, 3, 4 only): the bond uses active-backup",
                )
    return NodeLayout(
        group=group,
        nics=nics,
        bond=mode,
        bond_name=None,
        primary=primary,
        uplinks=layout,
        policy=policy,
        uplink_names=tuple(sorted(names)),
    )
