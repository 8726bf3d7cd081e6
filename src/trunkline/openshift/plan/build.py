"""Building a plan: the decision steps in order, from an inventory and options to a :class:`Plan`.

The steps that do not depend on the node groups' NICs (:func:`translate_networks`) run apart from the
ones that do (:func:`complete_plan`), so that :func:`~trunkline.openshift.plan.proposals.plan_with_node_state`
can choose NICs between the two and still build the plan once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from trunkline.errors import BadInputError
from trunkline.openshift.nicmap import NodeGroup
from trunkline.openshift.nodegroups import automatic_groups
from trunkline.openshift.plan.bridges import assign_bridges, decide_bridges
from trunkline.openshift.plan.findings import Findings, sorted_findings
from trunkline.openshift.plan.model import Finding, NetworkDecision, Plan, PlanOptions
from trunkline.openshift.plan.networkmaps import decide_network_maps
from trunkline.openshift.plan.networks import decide_networks, name_nads, opaque_findings, shared_vlans
from trunkline.openshift.plan.source import SourceIndex
from trunkline.openshift.plan.vms import decide_vms
from trunkline.vsphere.model import Inventory


class NetworkStage(NamedTuple):
    """A plan up to its network decisions (by network key): what does not depend on node NICs."""

    source: SourceIndex
    findings: Findings
    decisions: dict[str, NetworkDecision]


def build_plan(inventory: Inventory, options: PlanOptions | None = None) -> Plan:
    """Translate *inventory* into a :class:`Plan` (pure; deterministic for the same input).

    Raises:
        BadInputError: an option is invalid, or the inventory refers to objects it does not contain.
    """
    options = resolve_options(inventory, options or PlanOptions())
    return complete_plan(inventory, options, translate_networks(inventory, options))


def resolve_options(inventory: Inventory, options: PlanOptions) -> PlanOptions:
    """*options* checked, with the automatic node groups (:mod:`trunkline.openshift.nodegroups`) in place
    of the default one.

    Raises:
        BadInputError: an option value no cluster would accept.
    """
    options.check()
    if len(options.node_groups) == 1 and options.node_groups[0].default:
        options = replace(options, node_groups=automatic_groups(inventory, options.node_groups[0]))
    return options


def translate_networks(inventory: Inventory, options: PlanOptions) -> NetworkStage:
    """Index *inventory* and decide its networks; the inventory's own findings come along.

    Raises:
        BadInputError: the inventory has no port groups, or refers to objects it does not contain.
    """
    findings = Findings()
    for finding in inventory.findings:
        findings.find(
            finding.severity,
            finding.code,
            finding.place.text() or "inventory",
            finding.message,
            unmapped=finding.severity == "error",
        )
    index = SourceIndex(inventory)
    index.collect(findings)
    if not index.nets:
        raise BadInputError(
            "the inventory has no port groups to map: give an inventory with datacenters, switches and "
            "port groups (see `trunkline inventory show`), or nothing for the bundled example"
        )
    decisions = decide_networks(index, options, findings)
    opaque_findings(index, findings)
    shared_vlans(index, decisions, findings)
    return NetworkStage(index, findings, decisions)


def complete_plan(
    inventory: Inventory, options: PlanOptions, stage: NetworkStage, extra: tuple[Finding, ...] = ()
) -> Plan:
    """The :class:`Plan` from *stage* (consumed: its decisions gain NAD names): node groups, bridges,
    NAD names, VMs and NetworkMaps for *options*' node groups; *extra* findings join the plan's.

    Raises:
        BadInputError: ``--mtv-provider`` names no vCenter of the inventory.
    """
    index, findings, decisions = stage
    _unused_options(index, options, findings)
    host_names = [h.name for vc in inventory.vcenters for dc in vc.datacenters for h in dc.hosts]
    for group in options.node_groups:
        if group.hosts and not any(group.covers(h) for h in host_names):
            findings.find(
                "warning",
                "group-matches-no-host",
                f"node group {group.name}",
                f"its hosts patterns ({', '.join(group.hosts)}) match no vSphere host: it gets no NNCP; "
                "fix the patterns in the NIC map file",
            )
    for uplink, nic, reason in options.nic_proposals:
        findings.find(
            "info", "nic-proposal", f"uplink {uplink}", f"mapped to {nic} from node state: {reason}"
        )
    assignment = assign_bridges(index, options, decisions, findings)
    name_nads(index, decisions, assignment.bridge_of, findings)
    if options.backend == "cudn-localnet":
        from trunkline.openshift.cudn import check_subnets

        check_subnets(findings.find, options, (decisions[k] for k in sorted(decisions)))
    bridges = decide_bridges(index, options, assignment, decisions, findings)
    if options.backend == "cudn-localnet" and options.localnet_bridge == "br-ex":
        from trunkline.openshift.cudn import br_ex_findings

        br_ex_findings(findings.find, bridges, lambda key: index.switches[key].name)
    networks = tuple(decisions[k] for k in sorted(decisions))
    vms = decide_vms(index, options, decisions, findings)
    maps = decide_network_maps(inventory, options, networks, findings)
    templates = [vm for vc in inventory.vcenters for dc in vc.datacenters for vm in dc.vms if vm.template]
    return Plan(
        options=options,
        switches=tuple(index.switches[k] for k in sorted(index.switches)),
        networks=networks,
        bridges=bridges,
        vms=vms,
        network_maps=maps,
        findings=sorted_findings([*findings.items, *extra]),
        node_groups=options.node_groups,
        node_group_hosts=_group_hosts(inventory, options.node_groups),
        templates=tuple(sorted(vm.name for vm in templates)),
        template_nics=sum(len(vm.nics) for vm in templates),
    )


def _group_hosts(
    inventory: Inventory, groups: tuple[NodeGroup, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    names = sorted({h.name for vc in inventory.vcenters for dc in vc.datacenters for h in dc.hosts})
    return tuple((g.name, tuple(h for h in names if g.covers(h))) for g in groups)


def _unused_options(index: SourceIndex, options: PlanOptions, findings: Findings) -> None:
    """Findings for ``--nic-map`` keys that name no uplink and ``--mtv-map`` keys that name no network."""
    known = {
        name
        for hosts in index.host_uplinks.values()
        for _, pairs in hosts
        for pair in pairs
        for name in pair
        if name
    }
    known |= {u for objs in index.switch_objs.values() for sw, _ in objs for u in sw.uplinks}
    for key in sorted({k for g in options.node_groups for k, _ in g.nics} - known):
        findings.find(
            "warning",
            "nic-map-unknown-uplink",
            f"NIC map entry {key}",
            "names no uplink or vmnic of the inventory, so it maps nothing; check the spelling "
            "(`trunkline inventory show` lists the uplinks)",
        )
    networks = {
        k
        for n in index.nets.values()
        for k in (n.name, *(p.id for p in n.port_groups), *(p.network for p in n.port_groups))
    }
    for option, keys in (("--mtv-map", options.network_choices), ("--subnet", options.subnets)):
        for key in sorted(set(keys) - networks):
            findings.find(
                "warning",
                f"{option[2:]}-unknown-network",
                f"{option} {key}",
                "names no port group or network of the inventory, so it changes nothing; check the spelling",
            )
