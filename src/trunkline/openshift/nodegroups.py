"""Automatic node groups: ESXi hosts whose switch layouts differ are replaced by different groups of nodes.

The plan writes one NNCP per node group and bridge, so a group must be hosts whose VM-carrying switches
sit on the same vmnics. A host's *layout* is its vCenter, datacenter and cluster, and for every switch
that carries VM NICs, the switch and the sorted names of the host's vmnics on it. Hosts of different
clusters never share a group, even when their vmnic names match (a DMZ cluster often has its own
vSwitches on the same vmnic numbers); hosts of one cluster with different layouts become several groups.

A distributed switch's uplink *names* (``Uplink 1``, ``lag1-0``) are not part of the layout: some
exports leave them blank on some hosts (the plan takes them from the hosts that name them).

Groups from a NIC map file take precedence: then no automatic group is made.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from trunkline.openshift.naming import sanitise
from trunkline.openshift.nicmap import NodeGroup
from trunkline.vsphere.model import Datacenter, Inventory

GROUP_NAME_MAX = 40  # as a NIC map file's group names: room for the NNCP name around it

_Part = tuple[str, str, tuple[str, ...]]  # (switch kind, switch name or id, vmnics)
_Layout = tuple[str, str, str, tuple[_Part, ...]]  # (vCenter, datacenter, cluster name, parts)


def _vm_switches(dc: Datacenter) -> set[str]:
    """Ids of the switches of *dc* with a port group that has a VM NIC (templates count: they are VMs
    whose networks the plan maps too)."""
    networks = {nic.network for vm in dc.vms for nic in vm.nics if nic.network}
    return {
        pg.switch
        for pg in dc.port_groups
        if not pg.uplink_portgroup and (pg.network in networks or pg.id in networks)
    }


def host_layouts(inventory: Inventory) -> dict[str, _Layout]:
    """Host name -> its layout (see the module docstring); hosts without a VM-carrying switch are left out."""
    out: dict[str, _Layout] = {}
    for vc in inventory.vcenters:
        for dc in vc.datacenters:
            carrying = _vm_switches(dc)
            switches = {s.id: s for s in dc.switches}
            clusters = {c.id: c.name for c in dc.clusters}
            for host in dc.hosts:
                by_switch: dict[str, list[str]] = defaultdict(list)
                for nic in host.nics:
                    if nic.switch in carrying:
                        by_switch[nic.switch].append(nic.name)
                parts = []
                for switch_id, vmnics in by_switch.items():
                    sw = switches.get(switch_id)
                    if sw is None:
                        continue
                    key = sw.name if sw.kind == "standard" else sw.id
                    parts.append((sw.kind, key, tuple(sorted(vmnics))))
                if parts:
                    cluster = clusters.get(host.cluster or "", host.cluster or "")
                    out[host.name] = (vc.name, dc.name, cluster, tuple(sorted(parts)))
    return out


def _describe(layout: _Layout, names: dict[str, str]) -> str:
    parts = "; ".join(f"{names.get(key, key)} on {', '.join(vmnics)}" for _, key, vmnics in layout[3])
    return parts


def automatic_groups(inventory: Inventory, base: NodeGroup) -> tuple[NodeGroup, ...]:
    """The node groups for *inventory* when the user defined none: *base* (its selector and NIC map) once
    per host layout, named after the cluster (``prod``, ``prod-2`` when a cluster has several layouts),
    each with its hosts and the reason. One layout (or no hosts) gives *base* itself, covering every host.
    Sorted by name."""
    layouts = host_layouts(inventory)
    by_layout: dict[_Layout, list[str]] = defaultdict(list)
    for host, layout in layouts.items():
        by_layout[layout].append(host)
    names = {
        s.id: s.name for vc in inventory.vcenters for dc in vc.datacenters for s in dc.switches
    }
    if len(by_layout) <= 1:
        reason = "every host shares one switch layout"
        if by_layout:
            ((layout, hosts),) = by_layout.items()
            reason = f"all {len(hosts)} host(s) share one switch layout: {_describe(layout, names)}"
        return (replace(base, reason=reason),)
    per_cluster: dict[tuple[str, str, str], list[_Layout]] = defaultdict(list)
    for layout in sorted(by_layout, key=lambda lay: (lay[:3], sorted(by_layout[lay]))):
        per_cluster[layout[:3]].append(layout)
    clusters_named = Counter(cluster for _, _, cluster in per_cluster)
    groups: list[NodeGroup] = []
    taken: set[str] = set()
    for (_, dc, cluster), cluster_layouts in sorted(per_cluster.items()):
        stem = cluster or "standalone"
        if clusters_named[cluster] > 1:
            stem = f"{dc}-{stem}"
        for index, layout in enumerate(cluster_layouts, start=1):
            text = stem if len(cluster_layouts) == 1 else f"{stem}-{index}"
            name = sanitise(text, GROUP_NAME_MAX, fallback="hosts")
            number = 2
            while name in taken:
                name = sanitise(f"{text}-{number}", GROUP_NAME_MAX, fallback="hosts")
                number += 1
            taken.add(name)
            members = tuple(sorted(by_layout[layout]))
            where = f"cluster {cluster}" if cluster else "standalone hosts (no cluster)"
            why = f"{where}: {_describe(layout, names)}"
            if len(cluster_layouts) > 1:
                why += f" (the cluster's other hosts have {len(cluster_layouts) - 1} other layout(s))"
            groups.append(replace(base, name=name, hosts=members, default=False, reason=why))
    return tuple(sorted(groups, key=lambda g: g.name))
