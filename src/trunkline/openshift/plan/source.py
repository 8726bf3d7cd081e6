"""The source side of a plan: an inventory indexed by logical switch and network.

:class:`SourceIndex` groups the standard switches and port groups of one name in a datacenter into one
logical switch and one network, and records which host uses which uplinks of each switch.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from trunkline.errors import BadInputError
from trunkline.openshift.plan.findings import Findings
from trunkline.openshift.plan.model import DEFAULT_MTU, SwitchRef
from trunkline.vsphere.model import Datacenter, Inventory, PortGroup, VirtualSwitch


@dataclass
class SourceNetwork:
    """One network: a distributed port group, or the standard port groups of one name in a datacenter,
    with the VM NICs on it."""

    key: str
    vcenter: str
    datacenter: str
    name: str
    kind: Literal["standard", "distributed"]
    port_groups: list[PortGroup] = field(default_factory=list)
    switch_keys: list[str] = field(default_factory=list)
    vm_nics: int = 0
    vmk_only: bool = False
    nic_names: list[str] = field(default_factory=list)  # "vm (label)" of its VM NICs
    addresses: list[str] = field(default_factory=list)


class SourceIndex:
    """*inventory* indexed: logical switches (``switches``, keyed by :attr:`SwitchRef.key`), networks
    (``nets``), and the lookups from vSphere ids to them. Filled by :meth:`collect`."""

    def __init__(self, inventory: Inventory) -> None:
        self.inv = inventory
        self.switches: dict[str, SwitchRef] = {}
        # switch key -> [(switch, host name)]
        self.switch_objs: dict[str, list[tuple[VirtualSwitch, str]]] = defaultdict(list)
        self.nets: dict[str, SourceNetwork] = {}
        self.lookup: dict[tuple[str, str, str], str] = {}  # (vc, dc, network/pg id) -> net key
        self.opaque: dict[tuple[str, str, str], str] = {}  # (vc, dc, id) -> name
        self.opaque_nics: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        # switch key -> [(host name, [(uplink name, vmnic name)])]
        self.host_uplinks: dict[str, list[tuple[str, list[tuple[str | None, str | None]]]]]
        self.host_uplinks = defaultdict(list)
        self.many_vcenters = len(inventory.vcenters) > 1

    def where(self, vc: str, dc: str) -> str:
        """A datacenter as findings name it: ``vc/dc`` when the inventory has several vCenters."""
        return f"{vc}/{dc}" if self.many_vcenters else dc

    @functools.cache  # noqa: B019 (one index per plan; the cache lives as long as it)
    def host_of_switch(self) -> dict[str, str]:
        """Switch id -> the name of its host (standard switches; a distributed switch maps to itself)."""
        return {o.id: host for objs in self.switch_objs.values() for o, host in objs}

    def collect(self, findings: Findings) -> None:
        """Index every datacenter of the inventory.

        Raises:
            BadInputError: a vCenter appears twice, or a port group names a switch its datacenter lacks.
        """
        vc_names = [vc.name for vc in self.inv.vcenters]
        dup = sorted({n for n in vc_names if vc_names.count(n) > 1})
        if dup:
            raise BadInputError(
                f"inventory: vCenter {dup[0]!r} appears twice; merge its datacenters into one entry"
            )
        for vc in self.inv.vcenters:
            for dc in vc.datacenters:
                self._collect_dc(vc.name, dc, findings)

    def _collect_dc(self, vc: str, dc: Datacenter, findings: Findings) -> None:
        hosts = {h.id: h.name for h in dc.hosts}
        sw_key: dict[str, str] = {}
        for sw in dc.switches:
            key = f"{vc}/{dc.name}/{sw.id}" if sw.kind == "distributed" else f"{vc}/{dc.name}/std/{sw.name}"
            sw_key[sw.id] = key
            self.switch_objs[key].append((sw, hosts.get(sw.host or "", sw.host or "")))
        for key, objs in self.switch_objs.items():
            if key in self.switches or not key.startswith(f"{vc}/{dc.name}/"):
                continue
            mtus = sorted({o.mtu for o, _ in objs if o.mtu})
            if len(mtus) > 1:
                findings.find(
                    "warning",
                    "mtu-conflict",
                    f"switch {objs[0][0].name} ({self.where(vc, dc.name)})",
                    f"hosts' switches of this name have MTUs {', '.join(map(str, mtus))}; the plan uses "
                    f"{mtus[-1]}: make the MTUs agree on vSphere or check the node NICs",
                )
            self.switches[key] = SwitchRef(
                key=key,
                vcenter=vc,
                datacenter=dc.name,
                name=objs[0][0].name,
                kind=objs[0][0].kind,
                mtu=mtus[-1] if mtus else DEFAULT_MTU,
                mtu_known=bool(mtus),
            )
        for host in dc.hosts:
            by_switch: dict[str, list[tuple[str | None, str | None]]] = defaultdict(list)
            for nic in host.nics:
                if nic.switch in sw_key:
                    by_switch[sw_key[nic.switch]].append((nic.uplink or nic.name, nic.name))
            for sw in dc.switches:
                if sw.kind == "standard" and sw.host == host.id and sw_key[sw.id] not in by_switch:
                    by_switch[sw_key[sw.id]] = [(u, u) for u in sw.uplinks]
            for skey, pairs in by_switch.items():
                self.host_uplinks[skey].append((host.name, pairs))
        vmk_pgs = {n.port_group for h in dc.hosts for n in h.vmkernel_nics if n.port_group}
        for pg in dc.port_groups:
            pg_skey = sw_key.get(pg.switch)
            if pg_skey is None:
                raise BadInputError(
                    f"inventory: port group {pg.name!r} ({pg.id}) names switch {pg.switch!r}, which "
                    f"datacenter {dc.name!r} does not have; fix the port group's 'switch'"
                )
            kind = self.switches[pg_skey].kind
            nkey = f"{vc}/{dc.name}/{pg.id}" if kind == "distributed" else f"{vc}/{dc.name}/std/{pg.name}"
            net = self.nets.get(nkey)
            if net is None:
                net = self.nets[nkey] = SourceNetwork(nkey, vc, dc.name, pg.name, kind)
            net.port_groups.append(pg)
            net.switch_keys.append(pg_skey)
            self.lookup[(vc, dc.name, pg.id)] = nkey
            self.lookup[(vc, dc.name, pg.network)] = nkey
        for net in self.nets.values():
            if net.vcenter == vc and net.datacenter == dc.name:
                ids = {pg.id for pg in net.port_groups} | {pg.network for pg in net.port_groups}
                net.vmk_only = bool(ids & vmk_pgs)
        for op in dc.opaque_networks:
            self.opaque[(vc, dc.name, op.id)] = op.name
        for vm in dc.vms:
            if vm.template:
                continue
            for vnic in vm.nics:
                if vnic.network:
                    vkey = self.lookup.get((vc, dc.name, vnic.network))
                    if vkey:
                        net = self.nets[vkey]
                        net.vm_nics += 1
                        net.nic_names.append(f"{vm.name} ({vnic.label})")
                        net.addresses.extend(vnic.addresses)
                    elif (vc, dc.name, vnic.network) in self.opaque:
                        self.opaque_nics[(vc, dc.name, vnic.network)].append(f"{vm.name} ({vnic.label})")
