"""Network decisions: per network (port group), its VLANs and what it becomes (NAD, pod network, left
out), the NAD names, and the findings about networks (VLAN disagreements, NSX, shared VLANs)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from trunkline.openshift.naming import NameRequest, assign_names
from trunkline.openshift.plan.findings import Findings, listing
from trunkline.openshift.plan.model import NetworkDecision, PlanOptions
from trunkline.openshift.plan.source import SourceIndex, SourceNetwork
from trunkline.openshift.plan.vlans import vlan_text
from trunkline.vlanranges import format_ranges as ranges_text
from trunkline.vlanranges import merge_ranges
from trunkline.vsphere.model import (
    AccessVlan,
    NoVlan,
    PortGroup,
    PrivateVlan,
    SecurityPolicy,
    TrunkVlan,
    UnknownVlan,
)

_MOID = re.compile(r"^[a-zA-Z]+-\d+$")


def with_changes(dec: NetworkDecision, **changes: object) -> NetworkDecision:
    """``dataclasses.replace`` for :class:`NetworkDecision` without its per-call field introspection
    (10,000 port groups made that visible in ``bench/plan_scale.py``)."""
    return NetworkDecision(**{**dec.__dict__, **changes})


def decide_networks(
    index: SourceIndex, options: PlanOptions, findings: Findings
) -> dict[str, NetworkDecision]:
    """First pass: VLAN and target per network (NAD names and bridges come later), by network key."""
    out: dict[str, NetworkDecision] = {}
    for key in sorted(index.nets):
        out[key] = _decide(index, options, findings, index.nets[key])
    return out


def _subject(index: SourceIndex, net: SourceNetwork) -> str:
    sw = index.switches[Counter(net.switch_keys).most_common(1)[0][0]]
    return f"port group {net.name!r} ({index.where(net.vcenter, net.datacenter)}, switch {sw.name})"


def _decide(
    index: SourceIndex, options: PlanOptions, findings: Findings, net: SourceNetwork
) -> NetworkDecision:
    subject = _subject(index, net)
    pgs = sorted(net.port_groups, key=lambda p: p.id)
    vlan_counts = Counter(vlan_text(pg.vlan) for pg in pgs)
    chosen_text = sorted(vlan_counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    pg = next(p for p in pgs if vlan_text(p.vlan) == chosen_text)
    if len(vlan_counts) > 1:
        hosts = index.host_of_switch()
        on: dict[str, list[str]] = defaultdict(list)
        for p in pgs:
            on[vlan_text(p.vlan)].append(hosts.get(p.switch, p.switch))
        detail = "; ".join(f"VLAN {t} on {', '.join(sorted(on[t]))}" for t in sorted(on))
        findings.find(
            "warning",
            "vlan-mismatch",
            subject,
            f"the hosts give this port group different VLANs ({detail}); the plan uses VLAN "
            f"{chosen_text} (the most common; on a tie the first in sort order): to use another, make "
            "the hosts agree on vSphere, or set the port groups' 'vlan' in the inventory file and run "
            "plan on it",
        )
    skey = Counter(net.switch_keys).most_common(1)[0][0]
    sw = index.switches[skey]
    sw_obj = index.switch_objs[skey][0][0]
    security = pg.security.merged_over(sw_obj.security)
    ids = sorted({p.network for p in pgs if _MOID.fullmatch(p.network)})
    sources = (("id", ids[0]),) if len(ids) == 1 else (("name", net.name),)
    base = NetworkDecision(
        key=net.key,
        vcenter=net.vcenter,
        datacenter=net.datacenter,
        name=net.name,
        switch=skey,
        vlan_text=chosen_text,
        target="multus",
        reason="",
        mtu=sw.mtu,
        sources=sources,
        vm_nics=net.vm_nics,
        addresses=tuple(dict.fromkeys(net.addresses)),
    )
    decision = _target(options, findings, net, pg, security, base, subject)
    if options.backend == "cudn-localnet":
        from trunkline.openshift.cudn import refine_network

        return refine_network(findings.find, options, decision, subject)
    return decision


def _target(
    options: PlanOptions,
    findings: Findings,
    net: SourceNetwork,
    pg: PortGroup,
    security: SecurityPolicy,
    base: NetworkDecision,
    subject: str,
) -> NetworkDecision:
    if pg.uplink_portgroup:
        return with_changes(base, target="skipped", reason="distributed switch uplink port group (no VMs)")
    keys = [net.name] + sorted({p.id for p in net.port_groups} | {p.network for p in net.port_groups})
    choice = next((options.network_choices[k] for k in keys if k in options.network_choices), None)
    if choice:
        return with_changes(base, target=choice, reason=f"chosen on the command line: {choice}")
    if pg.nsx:
        findings.find(
            "error",
            "nsx",
            subject,
            f"an NSX logical switch (VXLAN/Geneve overlay; its VLAN {base.vlan_text} is the transport "
            f"VLAN, not the VMs'): no NAD; its {net.vm_nics} VM NIC(s): {listing(net.nic_names)}; plan "
            "the segment on OpenShift by hand, or map it with --mtv-map NAME=pod|ignored",
            unmapped=True,
        )
        return with_changes(base, target="unmapped", reason="NSX logical switch")
    if net.vmk_only and net.vm_nics == 0:
        findings.find(
            "info",
            "vmkernel-only",
            subject,
            "carries only vmkernel NICs (management, vMotion, storage) and no VM: no NAD; node "
            "networking on OpenShift replaces it",
        )
        return with_changes(base, target="skipped", reason="vmkernel port group (no VM NICs)")
    vlan = pg.vlan
    if isinstance(vlan, UnknownVlan):
        findings.find(
            "error",
            "vlan-unknown",
            subject,
            "the inventory does not say its VLAN: no NAD; write the port group's 'vlan' (an ID, or "
            'trunk ranges such as "100-199,300") in the inventory file and run plan on it',
            unmapped=True,
        )
        return with_changes(base, target="unmapped", reason="VLAN unknown")
    if isinstance(vlan, PrivateVlan):
        findings.find(
            "error",
            "private-vlan",
            subject,
            f"private VLAN ({base.vlan_text}) has no OpenShift equivalent: no NAD; isolate with "
            "NetworkPolicy/MultiNetworkPolicy or a plain VLAN, or map it with --mtv-map",
            unmapped=True,
        )
        return with_changes(base, target="unmapped", reason="private VLAN")
    macspoofchk = security.forged_transmits is not True
    ovn = options.backend != "linux-bridge"
    if security.promiscuous is True:
        findings.find(
            "warning",
            "promiscuous",
            subject,
            "promiscuous mode is accepted on vSphere; neither the bridge CNI nor OVN localnet can give "
            "a VM every frame on the network: check the VMs that rely on it (IDS, nested hypervisors)",
        )
    if ovn and security.forged_transmits is True:
        findings.find(
            "warning",
            "forged-transmits",
            subject,
            "forged transmits are accepted on vSphere, but OVN-Kubernetes port security drops frames "
            "with another source MAC: use the linux-bridge backend for VMs that need it",
        )
    if isinstance(vlan, NoVlan):
        return with_changes(base, untagged=True, macspoofchk=macspoofchk, reason="untagged (VLAN 0)")
    if isinstance(vlan, AccessVlan) and vlan.id <= 4094:
        return with_changes(
            base, vlan_ids=((vlan.id, vlan.id),), macspoofchk=macspoofchk, reason=f"access VLAN {vlan.id}"
        )
    if isinstance(vlan, AccessVlan):  # 4095: every VLAN to the guest
        ranges: tuple[tuple[int, int], ...] = ((1, 4094),)
        why = "VLAN 4095 (guest tagging): trunk 1-4094"
    else:
        assert isinstance(vlan, TrunkVlan)
        raw = [(r.start, r.end) for r in vlan.ranges]
        ranges = merge_ranges([(max(a, 1), b) for a, b in raw if b >= 1])
        why = f"trunk {ranges_text(ranges)}"
        if any(a == 0 for a, _ in raw):
            findings.find(
                "info",
                "trunk-vlan-0",
                subject,
                "the trunk includes VLAN 0; the bridge CNI's vlanTrunk takes 1-4094, so untagged frames "
                "from these VMs are not carried",
            )
        if not ranges:
            return with_changes(base, untagged=True, macspoofchk=macspoofchk, reason="trunk of VLAN 0 only")
    if options.backend == "ovn-localnet":
        findings.find(
            "error",
            "ovn-trunk",
            subject,
            f"{why}: OVN localnet networks carry one access VLAN only; use --backend linux-bridge "
            "(bridge CNI vlanTrunk) for this port group",
            unmapped=True,
        )
        return with_changes(base, target="unmapped", reason=f"{why} (OVN localnet: access VLANs only)")
    return with_changes(base, vlan_ids=ranges, trunk=True, macspoofchk=macspoofchk, reason=why)


def opaque_findings(index: SourceIndex, findings: Findings) -> None:
    """An ``nsx`` error per NSX opaque network: it has no VLAN OpenShift could map."""
    for (vc_name, dc_name, ident), name in sorted(index.opaque.items()):
        nics = index.opaque_nics.get((vc_name, dc_name, ident), [])
        findings.find(
            "error",
            "nsx",
            f"opaque network {name!r} ({vc_name}/{dc_name}/{ident})",
            f"an NSX (opaque) network has no VLAN OpenShift could map: no NAD; its {len(nics)} VM NIC(s): "
            f"{listing(nics) or 'none'}; plan the segment on OpenShift by hand",
            unmapped=True,
        )


def shared_vlans(index: SourceIndex, decisions: dict[str, NetworkDecision], findings: Findings) -> None:
    """An info finding per switch and VLAN ID that several mapped port groups share (common and
    legitimate: each gets its own NAD on the same VLAN, one layer-2 network)."""
    shared: dict[tuple[str, int], list[str]] = defaultdict(list)
    for dec in decisions.values():
        if dec.target == "multus" and not dec.trunk and len(dec.vlan_ids) == 1:
            shared[(dec.switch, dec.vlan_ids[0][0])].append(dec.name)
    for (skey, vid), names in sorted(shared.items()):
        if len(names) > 1:
            sw = index.switches[skey]
            findings.find(
                "info",
                "shared-vlan",
                f"VLAN {vid} on switch {sw.name} ({index.where(sw.vcenter, sw.datacenter)})",
                f"port groups {', '.join(sorted(names))} share this VLAN: each gets its own NAD on the same "
                "VLAN, so their VMs share one layer-2 network, as on vSphere",
            )


def name_nads(
    index: SourceIndex, decisions: dict[str, NetworkDecision], bridge_of: dict[str, str], findings: Findings
) -> None:
    """Give every network that becomes a NAD its NAD name (unique, stable; port groups that sanitise alike
    get qualified names and a ``name-collision`` finding) and its bridge (*bridge_of*: switch key -> bridge),
    in place."""
    requests = [
        NameRequest(key=d.key, text=d.name, qualifier=index.switches[d.switch].name)
        for d in decisions.values()
        if d.target == "multus"
    ]
    nad_names, collisions = assign_names(requests)
    for col in collisions:
        members_text = ", ".join(
            f"{decisions[k].name!r} on {index.switches[decisions[k].switch].name} "
            f"({index.where(decisions[k].vcenter, decisions[k].datacenter)}) -> {n}"
            for k, n in col.names
        )
        findings.find(
            "warning",
            "name-collision",
            f"NAD name {col.base}",
            f"several port groups sanitise to this name: {members_text}; each got a qualified name",
        )
    for key, dec in decisions.items():
        if dec.target == "multus":
            decisions[key] = with_changes(dec, nad=nad_names[key], bridge=bridge_of[dec.switch])
