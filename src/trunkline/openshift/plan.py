"""The translation plan: every mapping decision from a vSphere inventory to OpenShift, with its reason.

:func:`build_plan` is pure: an :class:`~trunkline.vsphere.model.Inventory` and :class:`PlanOptions` in,
a :class:`Plan` out; no I/O. The manifest builders (:mod:`.nmstate`, :mod:`.nad`, :mod:`.kubevirt`,
:mod:`.forklift`) turn a plan into objects, :mod:`.render` writes them.

Units of translation:

* a *logical switch*: a distributed switch, or the standard vSwitches of one name across the hosts of a
  datacenter;
* a *network*: a distributed port group, or the standard port groups of one name in a datacenter (one
  vCenter ``Network`` object); one NAD each;
* a *bridge*: one Linux (or OVS) bridge on the nodes per set of node NICs; logical switches whose uplinks
  map to the same node NIC share it;
* a *node group*: nodes sharing a NIC layout (:mod:`.nicmap`), one NNCP per node group and bridge.

Nothing is dropped silently: whatever is not translated is a :class:`Finding`; findings flagged
``unmapped`` make ``--strict`` fail.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple, Protocol

from trunkline.errors import BadInputError
from trunkline.facts import DEFAULT_PVID, is_reserved_interface, normalise_mac
from trunkline.openshift.naming import (
    IFNAME_MAX,
    NameRequest,
    assign_names,
    ifname,
    is_bridge_name,
    is_label,
    sanitise,
    short_hash,
    with_suffix,
)
from trunkline.openshift.nicmap import NodeGroup
from trunkline.openshift.nodegroups import automatic_groups
from trunkline.vlanranges import format_ranges as ranges_text
from trunkline.vlanranges import merge_ranges, subtract_ranges
from trunkline.vsphere.model import (
    AccessVlan,
    Datacenter,
    Inventory,
    NoVlan,
    PortGroup,
    PrivateVlan,
    SecurityPolicy,
    Teaming,
    TrunkVlan,
    UnknownVlan,
    VirtualMachine,
    VirtualSwitch,
    VlanPolicy,
    VmNic,
    nic_disconnected,
)

Backend = Literal["linux-bridge", "ovn-localnet", "cudn-localnet"]
BACKENDS: tuple[Backend, ...] = ("linux-bridge", "ovn-localnet", "cudn-localnet")
Severity = Literal["error", "warning", "info"]
Target = Literal["multus", "pod", "ignored", "skipped", "unmapped"]
BondMode = Literal["802.3ad", "balance-xor", "active-backup"]

DEFAULT_MTU = 1500  # vSphere's default switch MTU (bytes)
NATIVE_VLAN = DEFAULT_PVID  # where the bridge CNI puts untagged VM ports
_MOID = re.compile(r"^[a-zA-Z]+-\d+$")


# --------------------------------------------------------------------------------------------------
# Options and results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanOptions:
    """What the user chose. ``mtv_providers``: vCenter name -> MTV vSphere Provider name (key ``""`` =
    every vCenter); ``network_choices``: port group name or moid -> ``pod`` / ``ignored`` instead of a NAD;
    ``nic_proposals``: (uplink, NIC, reason) chosen from node state for uplinks nothing else maps;
    ``disconnected_down``: VM patches set ``state: down`` on NICs disconnected on vSphere
    (:func:`~trunkline.vsphere.model.nic_disconnected`).
    cudn-localnet only (:mod:`.cudn`): ``target_namespaces`` the CUDNs select (``namespace`` is the
    first); ``localnet_bridge`` ``own`` (an OVS bridge on the trunk NIC) or ``br-ex``; ``subnets``: port
    group name or moid -> CIDRs (IPAM on for that network)."""

    backend: Backend = "linux-bridge"
    cni_type: str = "cnv-bridge"
    namespace: str = "default"
    bridge: str = "vlan-trunk"
    node_groups: tuple[NodeGroup, ...] = (NodeGroup(),)
    max_unavailable: int | str = 1
    mtv_providers: Mapping[str, str] = field(default_factory=dict)
    mtv_namespace: str = "openshift-mtv"
    mtv_destination: str = "host"
    network_choices: Mapping[str, Literal["pod", "ignored"]] = field(default_factory=dict)
    nic_proposals: tuple[tuple[str, str, str], ...] = ()
    disconnected_down: bool = False
    target_namespaces: tuple[str, ...] = ()
    localnet_bridge: Literal["own", "br-ex"] = "own"
    subnets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.backend == "cudn-localnet" and self.target_namespaces:  # NADs: in the target namespaces
            object.__setattr__(self, "namespace", self.target_namespaces[0])

    def check(self) -> None:
        """Raise :class:`BadInputError` for option values no cluster would accept."""
        if self.backend not in BACKENDS:
            raise BadInputError(f"--backend {self.backend!r}: use {', '.join(BACKENDS)}")
        if self.backend == "cudn-localnet":
            from trunkline.openshift.cudn import check_options

            check_options(self)
        if self.cni_type not in ("cnv-bridge", "bridge"):
            raise BadInputError(f"--cni-type {self.cni_type!r}: use cnv-bridge or bridge")
        text = str(self.max_unavailable)
        count = text.removesuffix("%")
        if not (count.isdigit() and int(count) > 0 and (count == text or int(count) <= 100)):
            raise BadInputError(f"--max-unavailable {text!r}: a count of at least 1 or a percentage 1%-100%")
        if not is_label(self.namespace):
            raise BadInputError(f"--namespace {self.namespace!r}: a namespace is a lower-case RFC 1123 label")
        if not is_label(self.mtv_namespace):
            raise BadInputError(f"--mtv-namespace {self.mtv_namespace!r}: a lower-case RFC 1123 label")
        if not is_bridge_name(self.bridge):
            raise BadInputError(
                f"--bridge {self.bridge!r}: an interface name of 1-{IFNAME_MAX} characters a-z, 0-9, -"
            )
        if is_reserved_interface(self.bridge):
            raise BadInputError(
                f"--bridge {self.bridge!r}: OVN-Kubernetes owns that interface on every node; "
                "choose another name (default vlan-trunk)"
            )
        for group in self.node_groups:
            for uplink, nic in group.nics:
                if nic == self.bridge:
                    raise BadInputError(
                        f"--nic-map {uplink}={nic}: the node NIC and --bridge are the same interface, and "
                        "a bridge cannot be its own port; choose another bridge name or NIC"
                    )


@dataclass(frozen=True)
class Finding:
    """One thing the plan could not translate as-is, or a choice the user should know about.

    ``code``: a stable slug (``private-vlan``, ``name-collision`` ...); ``subject``: what it is about;
    ``message``: the reason and what to do; ``unmapped``: something was left out (``--strict`` fails).
    """

    severity: Severity
    code: str
    subject: str
    message: str
    unmapped: bool = False


@dataclass(frozen=True)
class SwitchRef:
    """A logical switch: ``key`` unique in the inventory; ``name`` as vSphere shows it."""

    key: str
    vcenter: str
    datacenter: str
    name: str
    kind: Literal["standard", "distributed"]
    mtu: int
    mtu_known: bool


@dataclass(frozen=True)
class NetworkDecision:
    """What became of one network (port group).

    ``vlan_ids``: tagged VLANs the NAD uses as inclusive ranges (``()`` for untagged);
    ``trunk``: the NAD carries ``vlanTrunk`` (else ``vlan`` when ``vlan_ids`` is one ID);
    ``sources``: MTV NetworkMap sources (``{"id": moid}`` or ``{"name": name}``).
    """

    key: str
    vcenter: str
    datacenter: str
    name: str
    switch: str  # SwitchRef.key
    vlan_text: str  # as vSphere says it: "40", "untagged", "4095", "100-199,300", "pvlan 101"
    target: Target
    reason: str
    nad: str | None = None
    bridge: str | None = None
    vlan_ids: tuple[tuple[int, int], ...] = ()
    trunk: bool = False
    untagged: bool = False
    macspoofchk: bool = True
    mtu: int = DEFAULT_MTU
    sources: tuple[tuple[str, str], ...] = ()
    vm_nics: int = 0
    addresses: tuple[str, ...] = ()  # guest addresses on its VM NICs ("10.0.20.15" or "10.0.20.15/24")


@dataclass(frozen=True)
class NodeLayout:
    """One node group's side of a bridge: the NICs (node names; placeholders keep the vSphere name),
    the bond mode when several, and the uplink -> NIC pairs the choice came from."""

    group: NodeGroup
    nics: tuple[str, ...]
    bond: BondMode | None
    bond_name: str | None
    primary: str | None
    uplinks: tuple[tuple[str, str, bool], ...]  # (vmnic, or the uplink name when none; node NIC; mapped?)
    policy: str
    uplink_names: tuple[
        tuple[str, str], ...
    ] = ()  # (vmnic, distributed switch uplink name) where they differ


@dataclass(frozen=True)
class BridgeDecision:
    """One bridge on the nodes (Linux bridge, or OVS bridge for OVN localnet)."""

    name: str
    switches: tuple[str, ...]  # SwitchRef keys
    mtu: int
    vlan_ids: tuple[tuple[int, int], ...]  # tagged VLANs the uplink port must carry (merged ranges)
    untagged: bool  # some NAD is untagged: native VLAN on the uplink
    localnet: str | None
    layouts: tuple[NodeLayout, ...]


class VmNicDecision(NamedTuple):
    """One VM NIC: KubeVirt interface name, MAC (normalised, or ``None``), model, and its network
    (``multus`` NAD ``ns/name``, ``pod``, or ``None`` = left out, see ``reason``)."""

    label: str
    interface: str
    mac: str | None
    model: str
    adapter: str | None
    binding: Literal["multus", "pod"] | None
    network_name: str | None
    reason: str
    state: Literal["down"] | None = None  # KubeVirt interface link state to set (None: leave it alone)


@dataclass(frozen=True)
class VmDecision:
    """A VM's patch: ``name`` the OpenShift VM name (RFC 1123, as MTV names it), its NICs."""

    key: str
    vcenter: str
    name: str
    source_name: str
    nics: tuple[VmNicDecision, ...]
    unmapped: tuple[str, ...] = ()  # labels of NICs on networks the plan could not map

    @property
    def has_patch(self) -> bool:
        """True when ``vms/<name>.json`` is written: some NIC has a network and none was left unmapped
        (a JSON merge patch replaces the lists whole, so a partial one would remove the other NICs)."""
        return not self.unmapped and any(nic.binding for nic in self.nics)


@dataclass(frozen=True)
class NetworkMapDecision:
    """One MTV NetworkMap (per vCenter)."""

    name: str
    vcenter: str
    provider: str
    entries: tuple[NetworkDecision, ...]


@dataclass(frozen=True)
class Plan:
    """Every decision and finding; the renderers' only input besides the options."""

    options: PlanOptions
    switches: tuple[SwitchRef, ...]
    networks: tuple[NetworkDecision, ...]
    bridges: tuple[BridgeDecision, ...]
    vms: tuple[VmDecision, ...]
    network_maps: tuple[NetworkMapDecision, ...]
    findings: tuple[Finding, ...]
    #: The node groups the NNCPs select (label ``trunkline.io/node-group=<name>``): the user's from a NIC
    #: map file, or automatic ones (hosts sharing a switch layout), each with the hosts it replaces
    #: (``hosts``: host names for automatic groups, fnmatch patterns for the user's) and ``reason``.
    node_groups: tuple[NodeGroup, ...] = ()
    #: Per node group name: the vSphere host names it replaces (sorted).
    node_group_hosts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Templates (not migrated as VMs): their names, and how many NICs they have.
    templates: tuple[str, ...] = ()
    template_nics: int = 0

    @property
    def unmapped(self) -> tuple[Finding, ...]:
        """Findings about things left out (what ``--strict`` fails on)."""
        return tuple(f for f in self.findings if f.unmapped)

    @property
    def counts(self) -> dict[str, int]:
        """Findings per severity (``error``, ``warning``, ``info``): the CLI's summary and REPORT.md's."""
        return {s: sum(1 for f in self.findings if f.severity == s) for s in ("error", "warning", "info")}


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _with(dec: NetworkDecision, **changes: object) -> NetworkDecision:
    """``dataclasses.replace`` for :class:`NetworkDecision` without its per-call field introspection
    (10,000 port groups made that visible in ``bench/plan_scale.py``)."""
    return NetworkDecision(**{**dec.__dict__, **changes})


def vlan_text(vlan: VlanPolicy) -> str:
    """A VLAN policy as vSphere users write it."""
    if isinstance(vlan, NoVlan):
        return "untagged"
    if isinstance(vlan, AccessVlan):
        return str(vlan.id)
    if isinstance(vlan, TrunkVlan):
        return "trunk " + ranges_text(merge_ranges([(r.start, r.end) for r in vlan.ranges]))
    if isinstance(vlan, UnknownVlan):
        return "unknown"
    kind = f" {vlan.pvlan_type}" if vlan.pvlan_type else ""
    primary = f" primary {vlan.primary}" if vlan.primary is not None else ""
    return f"pvlan{kind} {vlan.secondary}{primary}"


_ADAPTER_MODELS = {"e1000": "e1000", "e1000e": "e1000e", "pcnet32": "pcnet", "vlance": "pcnet"}


@functools.lru_cache(maxsize=256)
def kubevirt_model(adapter: str | None) -> str:
    """The KubeVirt interface model for a vSphere adapter type (KubeVirt API reference: e1000, e1000e,
    igb, ne2k_pci, pcnet, rtl8139, virtio). vmxnet3, vmxnet2, SR-IOV and unknown adapters -> virtio."""
    key = (adapter or "").lower().replace("virtual", "").strip()
    return _ADAPTER_MODELS.get(key, "virtio")


# --------------------------------------------------------------------------------------------------
# The translator
# --------------------------------------------------------------------------------------------------


@dataclass
class _Net:
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


class _Builder:
    def __init__(self, inventory: Inventory, options: PlanOptions) -> None:
        self.inv = inventory
        self.opt = options
        self.findings: list[Finding] = []
        self.switches: dict[str, SwitchRef] = {}
        # switch key -> [(switch, host name)]
        self.switch_objs: dict[str, list[tuple[VirtualSwitch, str]]] = defaultdict(list)
        self.nets: dict[str, _Net] = {}
        self.lookup: dict[tuple[str, str, str], str] = {}  # (vc, dc, network/pg id) -> net key
        self.opaque: dict[tuple[str, str, str], str] = {}  # (vc, dc, id) -> name
        self.opaque_nics: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        self.portless: set[str] = set()  # switch keys with no known uplink (no NNCP)
        # switch key -> [(host name, [(uplink name, vmnic name)])]
        self.host_uplinks: dict[str, list[tuple[str, list[tuple[str | None, str | None]]]]]
        self.host_uplinks = defaultdict(list)
        self.many_vcenters = len(inventory.vcenters) > 1

    def find(self, severity: Severity, code: str, subject: str, message: str, unmapped: bool = False) -> None:
        self.findings.append(Finding(severity, code, subject, message, unmapped))

    def where(self, vc: str, dc: str) -> str:
        return f"{vc}/{dc}" if self.many_vcenters else dc

    # ---- source side ----------------------------------------------------------------------------

    def collect(self) -> None:
        vc_names = [vc.name for vc in self.inv.vcenters]
        dup = sorted({n for n in vc_names if vc_names.count(n) > 1})
        if dup:
            raise BadInputError(
                f"inventory: vCenter {dup[0]!r} appears twice; merge its datacenters into one entry"
            )
        for vc in self.inv.vcenters:
            for dc in vc.datacenters:
                self._collect_dc(vc.name, dc)

    def _collect_dc(self, vc: str, dc: Datacenter) -> None:
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
                self.find(
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
                net = self.nets[nkey] = _Net(nkey, vc, dc.name, pg.name, kind)
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

    # ---- networks ---------------------------------------------------------------------------------

    def decide_networks(self) -> dict[str, NetworkDecision]:
        """First pass: VLAN and target per network (NAD names and bridges come later)."""
        out: dict[str, NetworkDecision] = {}
        for key in sorted(self.nets):
            out[key] = self._decide(self.nets[key])
        return out

    @functools.cache  # noqa: B019 (one builder per plan; the cache lives as long as it)
    def host_of_switch(self) -> dict[str, str]:
        """Switch id -> the name of its host (standard switches; a distributed switch maps to itself)."""
        return {o.id: host for objs in self.switch_objs.values() for o, host in objs}

    def _subject(self, net: _Net) -> str:
        sw = self.switches[Counter(net.switch_keys).most_common(1)[0][0]]
        return f"port group {net.name!r} ({self.where(net.vcenter, net.datacenter)}, switch {sw.name})"

    def _decide(self, net: _Net) -> NetworkDecision:
        subject = self._subject(net)
        pgs = sorted(net.port_groups, key=lambda p: p.id)
        vlan_counts = Counter(vlan_text(pg.vlan) for pg in pgs)
        chosen_text = sorted(vlan_counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        pg = next(p for p in pgs if vlan_text(p.vlan) == chosen_text)
        if len(vlan_counts) > 1:
            hosts = self.host_of_switch()
            on: dict[str, list[str]] = defaultdict(list)
            for p in pgs:
                on[vlan_text(p.vlan)].append(hosts.get(p.switch, p.switch))
            detail = "; ".join(f"VLAN {t} on {', '.join(sorted(on[t]))}" for t in sorted(on))
            self.find(
                "warning",
                "vlan-mismatch",
                subject,
                f"the hosts give this port group different VLANs ({detail}); the plan uses VLAN "
                f"{chosen_text} (the most common; on a tie the first in sort order): to use another, make "
                "the hosts agree on vSphere, or set the port groups' 'vlan' in the inventory file and run "
                "plan on it",
            )
        skey = Counter(net.switch_keys).most_common(1)[0][0]
        sw = self.switches[skey]
        sw_obj = self.switch_objs[skey][0][0]
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
        decision = self._target(net, pg, security, base, subject)
        if self.opt.backend == "cudn-localnet":
            from trunkline.openshift.cudn import refine_network

            return refine_network(self.find, self.opt, decision, subject)
        return decision

    def _target(
        self, net: _Net, pg: PortGroup, security: SecurityPolicy, base: NetworkDecision, subject: str
    ) -> NetworkDecision:
        if pg.uplink_portgroup:
            return _with(base, target="skipped", reason="distributed switch uplink port group (no VMs)")
        keys = [net.name] + sorted({p.id for p in net.port_groups} | {p.network for p in net.port_groups})
        choice = next((self.opt.network_choices[k] for k in keys if k in self.opt.network_choices), None)
        if choice:
            return _with(base, target=choice, reason=f"chosen on the command line: {choice}")
        if pg.nsx:
            self.find(
                "error",
                "nsx",
                subject,
                f"an NSX logical switch (VXLAN/Geneve overlay; its VLAN {base.vlan_text} is the transport "
                f"VLAN, not the VMs'): no NAD; its {net.vm_nics} VM NIC(s): {_listing(net.nic_names)}; plan "
                "the segment on OpenShift by hand, or map it with --mtv-map NAME=pod|ignored",
                unmapped=True,
            )
            return _with(base, target="unmapped", reason="NSX logical switch")
        if net.vmk_only and net.vm_nics == 0:
            self.find(
                "info",
                "vmkernel-only",
                subject,
                "carries only vmkernel NICs (management, vMotion, storage) and no VM: no NAD; node "
                "networking on OpenShift replaces it",
            )
            return _with(base, target="skipped", reason="vmkernel port group (no VM NICs)")
        vlan = pg.vlan
        if isinstance(vlan, UnknownVlan):
            self.find(
                "error",
                "vlan-unknown",
                subject,
                "the inventory does not say its VLAN: no NAD; write the port group's 'vlan' (an ID, or "
                "trunk ranges such as \"100-199,300\") in the inventory file and run plan on it",
                unmapped=True,
            )
            return _with(base, target="unmapped", reason="VLAN unknown")
        if isinstance(vlan, PrivateVlan):
            self.find(
                "error",
                "private-vlan",
                subject,
                f"private VLAN ({base.vlan_text}) has no OpenShift equivalent: no NAD; isolate with "
                "NetworkPolicy/MultiNetworkPolicy or a plain VLAN, or map it with --mtv-map",
                unmapped=True,
            )
            return _with(base, target="unmapped", reason="private VLAN")
        macspoofchk = security.forged_transmits is not True
        ovn = self.opt.backend != "linux-bridge"
        if security.promiscuous is True:
            self.find(
                "warning",
                "promiscuous",
                subject,
                "promiscuous mode is accepted on vSphere; neither the bridge CNI nor OVN localnet can give "
                "a VM every frame on the network: check the VMs that rely on it (IDS, nested hypervisors)",
            )
        if ovn and security.forged_transmits is True:
            self.find(
                "warning",
                "forged-transmits",
                subject,
                "forged transmits are accepted on vSphere, but OVN-Kubernetes port security drops frames "
                "with another source MAC: use the linux-bridge backend for VMs that need it",
            )
        if isinstance(vlan, NoVlan):
            return _with(base, untagged=True, macspoofchk=macspoofchk, reason="untagged (VLAN 0)")
        if isinstance(vlan, AccessVlan) and vlan.id <= 4094:
            return _with(
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
                self.find(
                    "info",
                    "trunk-vlan-0",
                    subject,
                    "the trunk includes VLAN 0; the bridge CNI's vlanTrunk takes 1-4094, so untagged frames "
                    "from these VMs are not carried",
                )
            if not ranges:
                return _with(base, untagged=True, macspoofchk=macspoofchk, reason="trunk of VLAN 0 only")
        if self.opt.backend == "ovn-localnet":
            self.find(
                "error",
                "ovn-trunk",
                subject,
                f"{why}: OVN localnet networks carry one access VLAN only; use --backend linux-bridge "
                "(bridge CNI vlanTrunk) for this port group",
                unmapped=True,
            )
            return _with(base, target="unmapped", reason=f"{why} (OVN localnet: access VLANs only)")
        return _with(base, vlan_ids=ranges, trunk=True, macspoofchk=macspoofchk, reason=why)

    # ---- node side --------------------------------------------------------------------------------

    def teaming_of(self, skey: str) -> Teaming:
        """The switch's teaming, else the most common explicit teaming of its port groups."""
        sw = self.switch_objs[skey][0][0]
        if sw.teaming.policy or sw.teaming.active:
            return sw.teaming
        pg_teams = Counter(
            pg.teaming
            for net in self.nets.values()
            for pg, k in zip(net.port_groups, net.switch_keys, strict=True)
            if k == skey and (pg.teaming.policy or pg.teaming.active)
        )
        if not pg_teams:
            return sw.teaming
        return sorted(pg_teams.items(), key=lambda kv: (-kv[1], repr(kv[0])))[0][0]

    def named_uplinks(self, skey: str) -> list[tuple[str, list[tuple[str | None, str | None]]]]:
        """Per host, the (uplink name, vmnic) pairs of switch *skey*. On a distributed switch, a vmnic
        whose uplink name the export left blank (its pair is (vmnic, vmnic)) takes the name the other
        hosts give that vmnic most often."""
        hosts = self.host_uplinks.get(skey, [])
        if self.switches[skey].kind != "distributed":
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

    def layout(self, group: NodeGroup, skey: str) -> NodeLayout | None:
        """The node NICs that replace switch *skey*'s uplinks on *group*'s nodes (``None``: the group's
        hosts do not use the switch)."""
        sw = self.switch_objs[skey][0][0]
        team = self.teaming_of(skey)
        lags = {lag.name for lag in sw.lacp_groups}
        lag = next((u for u in team.active if u in lags), None)
        chosen = set(team.active) | set(team.standby)
        per_host = [(h, pairs) for h, pairs in self.named_uplinks(skey) if group.covers(h)]
        if not per_host and not self.host_uplinks.get(skey):
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
        swname = self.switches[skey].name
        if len(sets) > 1:
            variants = "; ".join(
                f"{', '.join(n for _, n, _ in k) or 'none'} on {c} host(s)" for k, c in sorted(sets.items())
            )
            self.find(
                "warning",
                "uplink-layout",
                f"switch {swname}, node group {group.name}",
                f"the hosts' uplinks map to different node NICs ({variants}); the NNCP uses the most common: "
                "split the hosts into node groups in a NIC map file",
            )
        nics = tuple(sorted({n for _, n, _ in layout}))
        if not nics:
            self.find(
                "error",
                "no-uplink",
                f"switch {swname}, node group {group.name}",
                "the inventory names no uplink (vmnic) of this switch on these hosts: no NNCP for it (a "
                "bridge without a port reaches no wire), so its NADs have no bridge on these nodes; add the "
                "hosts' NICs to the inventory file (host 'nics' with this 'switch') and run plan on it",
                unmapped=True,
            )
            self.portless.add(skey)
            return None
        labels = sorted({label for label, _, _ in layout})
        if len(labels) > 1 and len(nics) == 1:
            self.find(
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
                    self.find(
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


def _unused_options(b: _Builder) -> None:
    """Findings for ``--nic-map`` keys that name no uplink and ``--mtv-map`` keys that name no network."""
    known = {
        name
        for hosts in b.host_uplinks.values()
        for _, pairs in hosts
        for pair in pairs
        for name in pair
        if name
    }
    known |= {u for objs in b.switch_objs.values() for sw, _ in objs for u in sw.uplinks}
    for key in sorted({k for g in b.opt.node_groups for k, _ in g.nics} - known):
        b.find(
            "warning",
            "nic-map-unknown-uplink",
            f"NIC map entry {key}",
            "names no uplink or vmnic of the inventory, so it maps nothing; check the spelling "
            "(`trunkline inventory show` lists the uplinks)",
        )
    networks = {
        k for n in b.nets.values() for k in (n.name, *(p.id for p in n.port_groups),
                                             *(p.network for p in n.port_groups))
    }
    for option, keys in (("--mtv-map", b.opt.network_choices), ("--subnet", b.opt.subnets)):
        for key in sorted(set(keys) - networks):
            b.find(
                "warning",
                f"{option[2:]}-unknown-network",
                f"{option} {key}",
                "names no port group or network of the inventory, so it changes nothing; check the spelling",
            )


def build_plan(inventory: Inventory, options: PlanOptions | None = None) -> Plan:
    """Translate *inventory* into a :class:`Plan` (pure; deterministic for the same input).

    Raises:
        BadInputError: an option is invalid, or the inventory refers to objects it does not contain.
    """
    options = options or PlanOptions()
    options.check()
    if len(options.node_groups) == 1 and options.node_groups[0].default:
        options = replace(options, node_groups=automatic_groups(inventory, options.node_groups[0]))
    b = _Builder(inventory, options)
    for finding in inventory.findings:
        b.find(
            finding.severity,
            finding.code,
            finding.place.text() or "inventory",
            finding.message,
            unmapped=finding.severity == "error",
        )
    b.collect()
    if not b.nets:
        raise BadInputError(
            "the inventory has no port groups to map: give an inventory with datacenters, switches and "
            "port groups (see `trunkline inventory show`), or nothing for the bundled example"
        )
    _unused_options(b)
    host_names = [h.name for vc in inventory.vcenters for dc in vc.datacenters for h in dc.hosts]
    for group in options.node_groups:
        if group.hosts and not any(group.covers(h) for h in host_names):
            b.find(
                "warning",
                "group-matches-no-host",
                f"node group {group.name}",
                f"its hosts patterns ({', '.join(group.hosts)}) match no vSphere host: it gets no NNCP; "
                "fix the patterns in the NIC map file",
            )
    for uplink, nic, reason in options.nic_proposals:
        b.find("info", "nic-proposal", f"uplink {uplink}", f"mapped to {nic} from node state: {reason}")
    decisions = b.decide_networks()
    for (vc_name, dc_name, ident), name in sorted(b.opaque.items()):
        nics = b.opaque_nics.get((vc_name, dc_name, ident), [])
        b.find(
            "error",
            "nsx",
            f"opaque network {name!r} ({vc_name}/{dc_name}/{ident})",
            f"an NSX (opaque) network has no VLAN OpenShift could map: no NAD; its {len(nics)} VM NIC(s): "
            f"{_listing(nics) or 'none'}; plan the segment on OpenShift by hand",
            unmapped=True,
        )
    _shared_vlans(b, decisions)

    # bridges: switches carrying NADs, merged where their uplinks share a node NIC
    carrying = sorted({d.switch for d in decisions.values() if d.target == "multus"})
    layouts: dict[tuple[str, str], NodeLayout] = {}
    uf = _UnionFind()
    for skey in carrying:
        uf.find(skey)
    for group in options.node_groups:
        owner: dict[str, str] = {}
        for skey in carrying:
            lay = b.layout(group, skey)
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
            name = ifname("br-" + b.switches[main].name, taken)
        taken.add(name)
        bridge_members.append((name, mem))
        for skey in mem:
            bridge_of[skey] = name

    # NAD names
    requests = [
        NameRequest(key=d.key, text=d.name, qualifier=b.switches[d.switch].name)
        for d in decisions.values()
        if d.target == "multus"
    ]
    nad_names, collisions = assign_names(requests)
    for col in collisions:
        members_text = ", ".join(
            f"{decisions[k].name!r} on {b.switches[decisions[k].switch].name} "
            f"({b.where(decisions[k].vcenter, decisions[k].datacenter)}) -> {n}"
            for k, n in col.names
        )
        b.find(
            "warning",
            "name-collision",
            f"NAD name {col.base}",
            f"several port groups sanitise to this name: {members_text}; each got a qualified name",
        )
    for key, dec in decisions.items():
        if dec.target == "multus":
            decisions[key] = _with(dec, nad=nad_names[key], bridge=bridge_of[dec.switch])
    if b.opt.backend == "cudn-localnet":
        from trunkline.openshift.cudn import check_subnets

        check_subnets(b.find, b.opt, (decisions[k] for k in sorted(decisions)))

    by_bridge: dict[str, list[NetworkDecision]] = defaultdict(list)
    for dec in decisions.values():
        if dec.bridge:
            by_bridge[dec.bridge].append(dec)
    bridges = [_bridge(b, name, mem, by_bridge, layouts) for name, mem in bridge_members]
    if b.opt.backend == "cudn-localnet" and b.opt.localnet_bridge == "br-ex":
        from trunkline.openshift.cudn import br_ex_findings

        br_ex_findings(b.find, bridges, lambda key: b.switches[key].name)
    networks = tuple(decisions[k] for k in sorted(decisions))
    vms = _vms(b, decisions)
    maps = _network_maps(b, networks)
    findings = _sorted_findings(b.findings)
    templates = [
        vm for vc in inventory.vcenters for dc in vc.datacenters for vm in dc.vms if vm.template
    ]
    return Plan(
        options=options,
        switches=tuple(b.switches[k] for k in sorted(b.switches)),
        networks=networks,
        bridges=tuple(sorted(bridges, key=lambda br: br.name)),
        vms=vms,
        network_maps=maps,
        findings=findings,
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


def _shared_vlans(b: _Builder, decisions: dict[str, NetworkDecision]) -> None:
    """An info finding per switch and VLAN ID that several mapped port groups share (common and
    legitimate: each gets its own NAD on the same VLAN, one layer-2 network)."""
    shared: dict[tuple[str, int], list[str]] = defaultdict(list)
    for dec in decisions.values():
        if dec.target == "multus" and not dec.trunk and len(dec.vlan_ids) == 1:
            shared[(dec.switch, dec.vlan_ids[0][0])].append(dec.name)
    for (skey, vid), names in sorted(shared.items()):
        if len(names) > 1:
            sw = b.switches[skey]
            b.find(
                "info",
                "shared-vlan",
                f"VLAN {vid} on switch {sw.name} ({b.where(sw.vcenter, sw.datacenter)})",
                f"port groups {', '.join(sorted(names))} share this VLAN: each gets its own NAD on the same "
                "VLAN, so their VMs share one layer-2 network, as on vSphere",
            )


def _bridge(
    b: _Builder,
    name: str,
    members: list[str],
    by_bridge: dict[str, list[NetworkDecision]],
    layouts: dict[tuple[str, str], NodeLayout],
) -> BridgeDecision:
    opt = b.opt
    nets = by_bridge.get(name, [])
    tagged = merge_ranges([r for d in nets for r in d.vlan_ids])
    untagged = any(d.untagged for d in nets)
    mtus = sorted({b.switches[s].mtu for s in members})
    if len(mtus) > 1:
        b.find(
            "warning",
            "mtu-conflict",
            f"bridge {name}",
            f"its switches ({', '.join(sorted(b.switches[s].name for s in members))}) have MTUs "
            f"{', '.join(map(str, mtus))}; the bridge uses {mtus[-1]} and each NAD its own switch's MTU",
        )
    if untagged and opt.backend == "linux-bridge" and any(a <= NATIVE_VLAN <= z for a, z in tagged):
        flat = ", ".join(sorted(d.name for d in nets if d.untagged))
        # one finding per NAD, as `trunkline validate` reports each NAD whose VLANs include the native one
        for d in sorted(nets, key=lambda d: d.nad or d.name):
            if any(a <= NATIVE_VLAN <= z for a, z in d.vlan_ids):
                b.find(
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
                b.find(
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
    if not out_layouts and not set(members) & b.portless:
        b.find(
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


def _vms(b: _Builder, decisions: dict[str, NetworkDecision]) -> tuple[VmDecision, ...]:
    ns = b.opt.namespace
    vms = []
    templates = []
    for vcenter in b.inv.vcenters:
        for datacenter in vcenter.datacenters:
            for one in datacenter.vms:
                if one.template:
                    templates.append(one.name)
                else:
                    key = f"{vcenter.name}/{datacenter.name}/{one.id}"
                    vms.append((key, vcenter.name, datacenter.name, one))
    if templates:
        shown = ", ".join(sorted(templates)[:5]) + (" ..." if len(templates) > 5 else "")
        b.find(
            "info",
            "templates",
            f"{len(templates)} VM template(s)",
            f"templates are not migrated as VMs: no patches for {shown}",
        )
    names, collisions = assign_names(NameRequest(key=k, text=vm.name) for k, _, _, vm in vms)
    for col in collisions:
        b.find(
            "warning",
            "vm-name-collision",
            f"VM name {col.base}",
            f"{len(col.names)} VMs share this OpenShift name; patches are named "
            f"{', '.join(n for _, n in col.names)}: rename the VMs in the MTV plan to match",
        )
    unmapped_nics: dict[str, list[str]] = defaultdict(list)
    macs: dict[str, list[str]] = defaultdict(list)
    out = []
    for key, vc, dc, vm in sorted(vms, key=lambda t: (names[t[0]], t[0])):
        nics = []
        left_out: list[str] = []
        pod_used = False
        for idx, nic in enumerate(vm.nics):
            mac = normalise_mac(nic.mac)
            if nic.mac and mac is None:
                b.find("warning", "bad-mac", f"VM {vm.name!r} {nic.label}", f"{nic.mac!r}: no MAC; left out")
            if mac:
                macs[mac].append(vm.name)
            binding: Literal["multus", "pod"] | None = None
            network_name = None
            net_key = b.lookup.get((vc, dc, nic.network or ""))
            dec = decisions.get(net_key or "")
            if nic.network is None:
                reason = "not connected to a network"
            elif dec is None:
                opaque = b.opaque.get((vc, dc, nic.network))
                reason = f"NSX network {opaque!r}" if opaque else f"network {nic.network!r} (unknown)"
                unmapped_nics[reason].append(vm.name)
                left_out.append(nic.label)
            elif dec.target == "multus":
                binding, network_name, reason = "multus", f"{ns}/{dec.nad}", f"NAD {ns}/{dec.nad}"
                if len(b.opt.target_namespaces) > 1:  # a CUDN's NAD has its name in every namespace
                    network_name, reason = dec.nad, f"NAD {dec.nad} in the VM's namespace"
            elif dec.target == "pod" and not pod_used:
                binding, reason, pod_used = "pod", "pod network (chosen)", True
            elif dec.target == "ignored":
                reason = "ignored (chosen)"
            else:
                extra = " (second pod NIC)" if dec.target == "pod" else ""
                reason = f"port group {dec.name!r}: {dec.reason}{extra}"
                unmapped_nics[reason].append(vm.name)
                left_out.append(nic.label)
            state: Literal["down"] | None = None
            if nic_disconnected(vm, nic):
                state = _disconnected(b, vm, nic, binding is not None)
            nics.append(
                VmNicDecision(
                    label=nic.label,
                    interface=f"net-{idx}",
                    mac=mac,
                    model=kubevirt_model(nic.adapter),
                    adapter=nic.adapter,
                    binding=binding,
                    network_name=network_name,
                    reason=reason,
                    state=state,
                )
            )
        out.append(
            VmDecision(
                key=key, vcenter=vc, name=names[key], source_name=vm.name, nics=tuple(nics),
                unmapped=tuple(left_out),
            )
        )
        if left_out and any(n.binding for n in nics):
            b.find(
                "warning",
                "vm-patch-withheld",
                f"VM {vm.name!r}",
                f"no patch written: NIC(s) {', '.join(left_out)} have no OpenShift network, and a merge "
                "patch replaces the VM's interface list whole, so it would remove them; map their networks "
                "(or --mtv-map NAME=ignored) and re-run, or edit the VM by hand",
                unmapped=True,
            )
    for reason, vm_names in unmapped_nics.items():
        shown = ", ".join(sorted(set(vm_names))[:5]) + (" ..." if len(set(vm_names)) > 5 else "")
        b.find(
            "warning",
            "vm-nic-unmapped",
            reason,
            f"{len(vm_names)} VM NIC(s) on it have no OpenShift network; their VMs get no patch: {shown}",
            unmapped=True,
        )
    for mac, owners in macs.items():
        if len(owners) > 1:
            b.find(
                "warning",
                "duplicate-mac",
                f"MAC {mac}",
                f"used by {len(owners)} VM NICs ({', '.join(sorted(owners)[:5])}): two VMs with one MAC on "
                "one L2 network break each other; KubeVirt keeps the MAC as given",
            )
    return tuple(out)


#: The first OpenShift Virtualization release whose VirtualMachine API accepts an interface ``state`` of
#: ``down`` (KubeVirt 1.5, kubevirt/kubevirt pull 13850 "Manage Link State for vNICs"; Technology Preview in
#: the OpenShift Virtualization 4.19 release notes). Older releases accept only ``absent`` and reject
#: ``down`` at admission.
LINK_STATE_MIN_VERSION = "4.19"


def _disconnected(b: _Builder, vm: VirtualMachine, nic: VmNic, mapped: bool) -> Literal["down"] | None:
    """The finding for a VM NIC disconnected on vSphere, and the link state its patch sets."""
    why = (
        "does not connect at power on"
        if not nic.start_connected
        else "is not connected while the VM is powered on"
    )
    down = b.opt.disconnected_down and mapped
    effect = (
        "its patch sets the KubeVirt interface state: down"
        if down
        else "its patch leaves the link state alone, so it comes up connected on OpenShift: pass "
        f"--disconnected-down (OpenShift Virtualization {LINK_STATE_MIN_VERSION} or later) or set the "
        "interface's state: down by hand"
    )
    b.find(
        "info" if down else "warning",
        "nic-disconnected",
        f"VM {vm.name!r} {nic.label}",
        f"disconnected on vSphere (it {why}); {effect}",
    )
    return "down" if down else None


def _guessed_providers(b: _Builder, vcenters: list[str]) -> dict[str, str]:
    """MTV Provider names for vCenters the user named none for: the vCenter name as a Kubernetes object
    name (RFC 1123 subdomain, 253 characters). Names that sanitise alike, or that had to be cut, get a
    hash suffix to stay distinct, and a finding: they cannot match the real Provider."""
    plain = {vc: sanitise(vc, 253, fallback="vsphere") for vc in vcenters}
    counts = Counter(plain.values())
    out: dict[str, str] = {}
    for vc in sorted(vcenters):
        name = plain[vc]
        why = ""
        if counts[name] > 1:
            others = sorted(v for v in vcenters if plain[v] == name and v != vc)
            why = f"sanitises like vCenter {', '.join(others)}"
            name = with_suffix(name[:240], short_hash(vc), 253)
        elif name != sanitise(vc, 1 << 16, fallback="vsphere"):
            why = "is longer than a Kubernetes name (253 characters)"
        out[vc] = name
        if why:
            b.find(
                "warning",
                "mtv-provider-guessed",
                f"vCenter {vc[:80]}",
                f"its name {why}, so the NetworkMap's source Provider is named {name[:80]!r}, which is "
                "unlikely to be your Provider's name: pass --mtv-provider VCENTER=NAME",
            )
    return out


def _network_maps(b: _Builder, networks: tuple[NetworkDecision, ...]) -> tuple[NetworkMapDecision, ...]:
    opt = b.opt
    vcenters = [vc.name for vc in b.inv.vcenters]
    names, _ = assign_names(NameRequest(key=vc, text=vc) for vc in vcenters)
    unknown = sorted(set(opt.mtv_providers) - set(vcenters) - {""})
    if unknown:
        raise BadInputError(
            f"--mtv-provider {unknown[0]}=...: no vCenter of that name in the inventory "
            f"(it has {', '.join(vcenters) or 'none'})"
        )
    if "" in opt.mtv_providers and len(vcenters) > 1:
        raise BadInputError(
            "--mtv-provider NAME: the inventory has several vCenters; "
            "write --mtv-provider VCENTER=NAME once per vCenter"
        )
    guessed = _guessed_providers(b, [vc for vc in vcenters if vc not in opt.mtv_providers and
                                     "" not in opt.mtv_providers])
    out = []
    for vc in sorted(vcenters):
        provider = opt.mtv_providers.get(vc) or opt.mtv_providers.get("") or guessed[vc]
        seen: dict[tuple[str, str], NetworkDecision] = {}
        for d in networks:
            if d.vcenter != vc or d.target not in ("multus", "pod", "ignored"):
                continue
            first = seen.setdefault(d.sources[0], d)
            if first is not d:
                b.find(
                    "warning",
                    "ambiguous-network",
                    f"vSphere network {d.sources[0][1]!r} (vCenter {vc})",
                    f"two port groups ({first.name!r} in {first.datacenter}, {d.name!r} in {d.datacenter}) "
                    f"have this {d.sources[0][0]}; the NetworkMap maps it to the first only",
                )
        entries = tuple(seen.values())
        if not entries:
            b.find(
                "info", "no-networkmap", f"vCenter {vc}", "no network of it is mapped: no NetworkMap for it"
            )
            continue
        out.append(NetworkMapDecision(name=names[vc], vcenter=vc, provider=provider, entries=entries))
    return tuple(out)


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
    """:func:`build_plan`, then map uplinks left unmapped to NICs the node state shows free.

    For each node group, the free NICs are those chosen (up, no bridge or bond owner such as ``br-ex``,
    no IP address, no default route) on every node whose labels match the group's node selector (every
    node when labels are unknown) and not mapped already. Unmapped uplinks, sorted by name, take them in
    name order. Each choice is a finding saying why; uplinks left over stay unmapped.
    """
    first = build_plan(inventory, options)
    groups = []
    proposals: list[tuple[str, str, str]] = []
    for group in first.node_groups:
        wanted = sorted(
            {
                label
                for br in first.bridges
                for lay in br.layouts
                if lay.group.name == group.name
                for label, _, mapped in lay.uplinks
                if not mapped
            }
        )
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
    plan = first
    if proposals:
        plan = build_plan(
            inventory, replace(options, node_groups=tuple(groups), nic_proposals=tuple(proposals))
        )
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
    return replace(plan, findings=_sorted_findings([*plan.findings, *warnings]))


def _listing(items: Sequence[str], limit: int = 8) -> str:
    """``a, b, c`` (at most *limit* items, then ``(+N more)``), sorted."""
    ordered = sorted(items)
    shown = ", ".join(ordered[:limit])
    return shown if len(ordered) <= limit else f"{shown} (+{len(ordered) - limit} more)"


def _sorted_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    order = {"error": 0, "warning": 1, "info": 2}
    return tuple(sorted(set(findings), key=lambda f: (order[f.severity], f.code, f.subject, f.message)))
