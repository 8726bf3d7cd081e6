"""The plan model: what the user chose (:class:`PlanOptions`) and every decision of a :class:`Plan`.

Plain frozen records, no logic beyond checking the options: the decision modules of this package fill
them, the manifest builders (``openshift.nmstate``, ``nad``, ``kubevirt``, ``forklift``) read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from trunkline.errors import BadInputError
from trunkline.facts import DEFAULT_PVID, is_reserved_interface
from trunkline.openshift.naming import IFNAME_MAX, is_bridge_name, is_label
from trunkline.openshift.nicmap import NodeGroup

Backend = Literal["linux-bridge", "ovn-localnet", "cudn-localnet"]
BACKENDS: tuple[Backend, ...] = ("linux-bridge", "ovn-localnet", "cudn-localnet")
Severity = Literal["error", "warning", "info"]
Target = Literal["multus", "pod", "ignored", "skipped", "unmapped"]
BondMode = Literal["802.3ad", "balance-xor", "active-backup"]

DEFAULT_MTU = 1500  # vSphere's default switch MTU (bytes)
NATIVE_VLAN = DEFAULT_PVID  # where the bridge CNI puts untagged VM ports

@dataclass(frozen=True)
class PlanOptions:
    """What the user chose. ``mtv_providers``: vCenter name -> MTV vSphere Provider name (key ``""`` =
    every vCenter); ``network_choices``: port group name or moid -> ``pod`` / ``ignored`` instead of a NAD;
    ``nic_proposals``: (uplink, NIC, reason) chosen from node state for uplinks nothing else maps;
    ``disconnected_down``: VM patches set ``state: down`` on NICs disconnected on vSphere
    (:func:`~trunkline.vsphere.model.nic_disconnected`).
    cudn-localnet only (:mod:`trunkline.openshift.cudn`): ``target_namespaces`` the CUDNs select
    (``namespace`` is the first); ``localnet_bridge`` ``own`` (an OVS bridge on the trunk NIC) or
    ``br-ex``; ``subnets``: port group name or moid -> CIDRs (IPAM on for that network)."""

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
