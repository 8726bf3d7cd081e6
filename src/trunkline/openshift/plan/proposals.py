"""Node-state proposals (``--node-state``): uplinks nothing maps take NICs the nodes show free, and
mapped NICs the node state advises against are warnings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from trunkline.openshift.nicmap import NodeGroup
from trunkline.openshift.plan.bridges import carrying_switches
from trunkline.openshift.plan.build import NetworkStage, complete_plan, resolve_options, translate_networks
from trunkline.openshift.plan.findings import Findings, sorted_findings
from trunkline.openshift.plan.model import Finding, Plan, PlanOptions
from trunkline.openshift.plan.uplinks import node_layout
from trunkline.vsphere.model import Inventory


class NicCandidate(Protocol):
    """What :func:`plan_with_node_state` needs of a node NIC verdict
    (:class:`trunkline.openshift.nodestate.NicProposal`)."""

    @property
    def node(self) -> str: ...
    @property
    def interface(self) -> str: ...
    @property
    def chosen(self) -> bool: ...
    @property
    def reason(self) -> str: ...
    @property
    def labels(self) -> dict[str, str] | None: ...


def plan_with_node_state(
    inventory: Inventory, options: PlanOptions, candidates: Sequence[NicCandidate]
) -> Plan:
    """:func:`~trunkline.openshift.plan.build.build_plan`, mapping uplinks left unmapped to NICs the node
    state shows free; the plan is built once, with those NICs.

    For each node group, the free NICs are those chosen (up, no bridge or bond owner such as ``br-ex``,
    no IP address, no default route) on every node whose labels match the group's node selector (every
    node when labels are unknown) and not mapped already. Unmapped uplinks, sorted by name, take them in
    name order. Each choice is a finding saying why; uplinks left over stay unmapped.

    Raises:
        BadInputError: as :func:`~trunkline.openshift.plan.build.build_plan`.
    """
    options = resolve_options(inventory, options)
    stage = translate_networks(inventory, options)
    groups = []
    proposals: list[tuple[str, str, str]] = []
    for group in options.node_groups:
        wanted = _unmapped_uplinks(stage, group)
        selector = dict(group.node_selector)
        nodes = {
            c.node
            for c in candidates
            if c.labels is None or all(c.labels.get(k) == v for k, v in selector.items())
        }
        used = set(dict(group.nics).values())
        free = sorted(
            {c.interface for c in candidates if c.node in nodes and c.chosen}
            - {c.interface for c in candidates if c.node in nodes and not c.chosen}
            - used
        )
        extra = dict(zip(wanted, free, strict=False))
        for uplink, nic in sorted(extra.items()):
            why = next(c.reason for c in candidates if c.interface == nic and c.chosen)
            proposals.append((uplink, nic, f"{nic} on {len(nodes)} node(s) of group {group.name}: {why}"))
        rejected = sorted(
            {f"{c.interface} ({c.reason})" for c in candidates if c.node in nodes and not c.chosen}
        )
        if wanted and len(free) < len(wanted):
            left = ", ".join(wanted[len(free) :])
            proposals.append((left, "-", "no free NIC left; not chosen: " + "; ".join(rejected[:6])))
        groups.append(replace(group, nics=tuple(sorted({**dict(group.nics), **extra}.items()))))
    if proposals:
        options = replace(options, node_groups=tuple(groups), nic_proposals=tuple(proposals))
    plan = complete_plan(inventory, options, stage)
    warnings: list[Finding] = []
    for br in plan.bridges:
        for lay in br.layouts:
            selector = dict(lay.group.node_selector)
            for label, nic, mapped in lay.uplinks:
                bad = sorted(
                    {
                        f"{c.node}: {c.reason}"
                        for c in candidates
                        if mapped
                        and c.interface == nic
                        and not c.chosen
                        and (c.labels is None or all(c.labels.get(k) == v for k, v in selector.items()))
                    }
                )
                if bad:
                    warnings.append(
                        Finding(
                            "warning",
                            "nic-rejected",
                            f"node NIC {nic} (uplink {label}, bridge {br.name}, node group {lay.group.name})",
                            f"the node state advises against it ({'; '.join(bad[:4])}): putting it into the "
                            "bridge can cut the node off; map the uplink to a free NIC",
                        )
                    )
    if not warnings:
        return plan
    return replace(plan, findings=sorted_findings([*plan.findings, *warnings]))


def _unmapped_uplinks(stage: NetworkStage, group: NodeGroup) -> list[str]:
    """The uplinks (vmnic, else uplink name) no node NIC is mapped to on *group*'s nodes, sorted: those of
    the layouts of every switch carrying a NAD (findings of this look are dropped: the plan raises them)."""
    scratch, portless = Findings(), set[str]()
    return sorted(
        {
            label
            for skey in carrying_switches(stage.decisions)
            if (lay := node_layout(stage.source, group, skey, scratch, portless)) is not None
            for label, _, mapped in lay.uplinks
            if not mapped
        }
    )
