"""The vSphere network design as trunkline sees it: immutable, typed, reader-independent.

Every reader (live vCenter, RVTools export, trunkline's own YAML/JSON file) produces an
:class:`Inventory`; the translator in :mod:`trunkline.openshift` consumes it. The models are pydantic v2
models with ``frozen=True``: they validate on construction (raising :class:`pydantic.ValidationError`)
and give the inventory file its JSON Schema (:func:`inventory_json_schema`).

Identity: every object carries its managed object id (``moid``, e.g. ``dvportgroup-20``,
``network-45``, ``host-21``) where vSphere has one. Ids repeat across vCenters, so an object is
identified by (its :class:`VCenter`, its id). References between objects (a VM NIC's network, a port
group's switch, a host NIC's switch) are ids *within the same datacenter*.

Names are as vSphere shows them to people: readers unescape the API's ``%2f``, ``%5c`` and ``%25``
(vSphere Web Services API reference, ``ManagedEntity.name``).

VLAN semantics (vSphere Networking guide):

* standard port group ``vlanId`` 0 = untagged (:class:`NoVlan`), 1-4094 = tagged by the switch
  (:class:`AccessVlan`), 4095 = every VLAN passed to the guest, which tags itself (:class:`AccessVlan`
  with ``id`` 4095: readers keep it as vSphere says; the translator turns it into a trunk);
* distributed port groups: ``VlanIdSpec`` (as above, 0-4094), ``TrunkVlanSpec`` (:class:`TrunkVlan`,
  ranges of 0-4094) and ``PvlanSpec`` (:class:`PrivateVlan`).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trunkline.facts import ifname_problem, is_mac
from trunkline.vlanranges import VLAN_ID_MAX, VLAN_ID_MIN

#: A managed object id or another id things refer to: never empty (an empty id would surface only as a
#: broken reference elsewhere).
ObjectId = Annotated[str, Field(min_length=1)]



def _check_mac(value: str | None) -> str | None:
    if value is not None and not is_mac(value):
        raise ValueError(f"MAC address {value!r} is not six hex octets such as 00:50:56:ab:cd:ef; fix it")
    return value



VlanId = Annotated[int, Field(ge=VLAN_ID_MIN, le=VLAN_ID_MAX,
                             description="VLAN ID (IEEE 802.1Q VID, 0-4094)")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


# --------------------------------------------------------------------------------------------------
# VLAN policy
# --------------------------------------------------------------------------------------------------


class VlanRange(_Frozen):
    """An inclusive VLAN ID range ``start``-``end`` (a trunk range in a distributed port group)."""

    start: VlanId
    end: VlanId

    @model_validator(mode="after")
    def _ordered(self) -> VlanRange:
        if self.start > self.end:
            raise ValueError(f"VLAN range {self.start}-{self.end} is reversed; write {self.end}-{self.start}")
        return self


class NoVlan(_Frozen):
    """Untagged: standard port group VLAN 0, distributed ``VlanIdSpec`` 0."""

    type: Literal["none"] = "none"


class AccessVlan(_Frozen):
    """The switch tags the VM's frames with ``id`` (1-4094); 4095 on a standard port group means
    every VLAN is passed to the guest (virtual guest tagging)."""

    type: Literal["vlan"] = "vlan"
    id: int = Field(ge=1, le=4095, description="VLAN ID 1-4094, or 4095 = all VLANs to the guest (VGT)")


class TrunkVlan(_Frozen):
    """Distributed port group VLAN trunking: the guest tags, the listed ranges pass."""

    type: Literal["trunk"] = "trunk"
    ranges: tuple[VlanRange, ...] = Field(min_length=1)


class PrivateVlan(_Frozen):
    """Distributed port group private VLAN (no OpenShift equivalent; always reported by the plan).

    ``primary`` may be unknown (``None``) when the switch's PVLAN map was not available."""

    type: Literal["pvlan"] = "pvlan"
    secondary: VlanId
    primary: VlanId | None = None
    pvlan_type: Literal["promiscuous", "community", "isolated"] | None = None


class UnknownVlan(_Frozen):
    """The source did not say (an RVTools 4.4 trunk port group leaves its ``VLAN`` cell blank): kept so
    that nothing is dropped, never guessed; the plan maps no NAD for it until the inventory file says
    the VLAN."""

    type: Literal["unknown"] = "unknown"


VlanPolicy = Annotated[
    NoVlan | AccessVlan | TrunkVlan | PrivateVlan | UnknownVlan, Field(discriminator="type")
]

_RANGE_RE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def parse_vlan_shorthand(value: Any) -> Any:
    """Accept the hand-writing shorthands of the inventory file for a VLAN policy.

    ``0`` or ``"none"`` -> :class:`NoVlan`; an integer 1-4095 -> :class:`AccessVlan`; a string of ranges
    such as ``"100-199,300"`` or a list of integers / ``"a-b"`` strings -> :class:`TrunkVlan`. Mappings are
    returned unchanged (validated by the models). Anything else is returned unchanged, so that pydantic
    reports it.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {"type": "none"} if value == 0 else {"type": "vlan", "id": value}
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("none", "untagged", ""):
            return {"type": "none"}
        if text.isdigit():
            return parse_vlan_shorthand(int(text))
        return {"type": "trunk", "ranges": _ranges(text.split(","))}
    if isinstance(value, list):
        return {"type": "trunk", "ranges": _ranges([str(v) for v in value])}
    return value


def _ranges(parts: list[str]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        match = _RANGE_RE.match(part)
        if not match:
            out.append(part)  # let validation name it
            continue
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else start
        out.append({"start": start, "end": end})
    return out


# --------------------------------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------------------------------


class SecurityPolicy(_Frozen):
    """vSphere security policy. ``None`` = inherited from the switch (or unknown).

    * ``forged_transmits``: accept frames the VM *sends* with another source MAC (what the bridge CNI's
      ``macspoofchk`` enforces when rejected);
    * ``mac_changes``: accept *inbound* traffic for a changed effective MAC (no CNI equivalent);
    * ``promiscuous``: the VM sees all traffic on the port group (no bridge-CNI equivalent).
    """

    promiscuous: bool | None = None
    mac_changes: bool | None = None
    forged_transmits: bool | None = None

    def merged_over(self, base: SecurityPolicy | None) -> SecurityPolicy:
        """This policy with inherited (``None``) fields taken from *base* (the switch's policy)."""
        if base is None:
            return self
        return SecurityPolicy(
            promiscuous=base.promiscuous if self.promiscuous is None else self.promiscuous,
            mac_changes=base.mac_changes if self.mac_changes is None else self.mac_changes,
            forged_transmits=(
                base.forged_transmits if self.forged_transmits is None else self.forged_transmits
            ),
        )


TeamingPolicyName = Literal[
    "loadbalance_srcid",  # route based on originating virtual port
    "loadbalance_srcmac",  # route based on source MAC hash
    "loadbalance_ip",  # route based on IP hash (static EtherChannel)
    "loadbalance_loadbased",  # route based on physical NIC load (DVS only)
    "failover_explicit",  # use explicit failover order
]
TEAMING_POLICIES: frozenset[str] = frozenset(get_args(TeamingPolicyName))
"""The teaming policy strings trunkline knows (both readers keep others out: ``None``, inherited)."""


class Teaming(_Frozen):
    """NIC teaming of a switch or port group (vSphere ``VmwareUplinkPortTeamingPolicy``).

    ``policy`` uses vSphere's own strings; ``active``/``standby`` are uplink names (a DVS uplink name
    like ``uplink1`` or a LAG name, or a vmnic name on a standard switch). ``None`` / empty = inherited.
    """

    policy: TeamingPolicyName | None = None
    active: tuple[str, ...] = ()
    standby: tuple[str, ...] = ()


class LacpGroup(_Frozen):
    """A distributed switch link aggregation group (LAG, enhanced LACP)."""

    name: str
    key: str | None = None
    mode: Literal["active", "passive"] = "active"
    uplink_count: int = Field(default=2, ge=1, le=32)
    load_balance: str | None = Field(default=None, description="vSphere LACP load-balancing algorithm")


# --------------------------------------------------------------------------------------------------
# Switches and networks
# --------------------------------------------------------------------------------------------------


class VirtualSwitch(_Frozen):
    """A standard vSwitch (one per host: ``host`` set) or a distributed switch.

    ``id``: the DVS moid (``dvs-21``) or, for a standard switch, ``<host moid>/<vSwitch name>``.
    ``uplinks``: uplink names: the DVS uplink port names (``uplink1`` ...) or, on a standard switch,
    the vmnic names it bonds. ``mtu`` in bytes (``None`` = unknown, vSphere's default is 1500).
    """

    id: ObjectId
    name: str
    kind: Literal["standard", "distributed"]
    host: str | None = Field(default=None, description="host moid (standard switches only)")
    mtu: int | None = Field(default=None, ge=68, le=9216)
    uplinks: tuple[str, ...] = ()
    lacp_groups: tuple[LacpGroup, ...] = ()
    security: SecurityPolicy = SecurityPolicy()
    teaming: Teaming = Teaming()

    @model_validator(mode="after")
    def _host_iff_standard(self) -> VirtualSwitch:
        if self.kind == "standard" and not self.host:
            raise ValueError(f"standard switch {self.name!r} needs the host it belongs to ('host')")
        if self.kind == "distributed" and self.host:
            raise ValueError(f"distributed switch {self.name!r} belongs to no single host; remove 'host'")
        return self


class PortGroup(_Frozen):
    """A port group: distributed (one per DVS, ``id`` = ``dvportgroup-N``) or standard (one per host
    switch, ``id`` = ``<host moid>/<vSwitch>/<name>``).

    ``network``: the id VM NICs use to refer to this port group: the distributed port group's moid, or
    the vCenter ``Network`` moid (``network-45``) that joins same-named standard port groups across
    hosts. Defaults to ``id``.
    """

    id: ObjectId
    name: str
    switch: str = Field(description="id of the VirtualSwitch this port group is on")
    network: str = ""
    vlan: VlanPolicy = NoVlan()
    security: SecurityPolicy = SecurityPolicy()
    teaming: Teaming = Teaming()
    uplink_portgroup: bool = Field(default=False, description="a DVS uplink port group (carries uplinks)")
    nsx: bool = Field(default=False, description="backed by NSX (a segment, not a plain VLAN)")

    @field_validator("vlan", mode="before")
    @classmethod
    def _vlan_shorthand(cls, value: Any) -> Any:
        return parse_vlan_shorthand(value)

    @model_validator(mode="before")
    @classmethod
    def _default_network(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("network") and data.get("id"):
            data = {**data, "network": data["id"]}
        return data


class OpaqueNetwork(_Frozen):
    """An NSX (opaque) network: no VLAN of its own that OpenShift could map; always reported."""

    id: ObjectId
    name: str
    network_type: str | None = Field(default=None, description="e.g. nsx.LogicalSwitch")


# --------------------------------------------------------------------------------------------------
# Hosts and VMs
# --------------------------------------------------------------------------------------------------


class PhysicalNic(_Frozen):
    """A host's physical NIC (``vmnic1``): MAC, link speed in Mbit/s (``None`` = link down / unknown),
    and the switch that uses it as an uplink, under which uplink name (``uplink2`` on a DVS; the vmnic
    name on a standard switch)."""

    name: str
    mac: str | None = None
    speed_mbps: int | None = Field(default=None, ge=0)
    switch: str | None = None
    uplink: str | None = None

    _mac = field_validator("mac")(_check_mac)


class VmkernelNic(_Frozen):
    """A vmkernel NIC (``vmk0``) and the port group (id) it sits on; tells management NICs from trunks."""

    name: str
    port_group: str | None = None
    ip: str | None = None
    services: tuple[str, ...] = Field(default=(), description="e.g. management, vmotion, vsan")

    @field_validator("ip")
    @classmethod
    def _ip_address(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ipaddress.ip_address(value)
            except ValueError:
                raise ValueError(f"{value!r} is not an IPv4 or IPv6 address; fix it") from None
        return value


class Host(_Frozen):
    """An ESXi host."""

    id: ObjectId
    name: str
    cluster: str | None = Field(default=None, description="cluster id")
    nics: tuple[PhysicalNic, ...] = ()
    vmkernel_nics: tuple[VmkernelNic, ...] = ()


def is_address(text: str) -> bool:
    """True for an IPv4 or IPv6 address (no prefix length)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _check_address(value: str) -> str:
    try:
        ipaddress.ip_interface(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an IPv4 or IPv6 address (optionally with /prefix length); fix it"
        ) from None
    return value


#: A guest address as the guest reports it: ``10.0.20.15`` (prefix length unknown, as RVTools exports
#: it) or ``10.0.20.15/24`` (vCenter's ``guest.net[].ipConfig.ipAddress[]`` gives the prefix length).
GuestAddress = Annotated[str, Field(min_length=2, description="IP address, optionally /prefix length")]


class VmNic(_Frozen):
    """A VM's virtual NIC. ``network`` is the id of the port group's ``network`` it is connected to
    (``None`` = not connected to any network). ``adapter``: vSphere device type (``vmxnet3``, ``e1000``,
    ``e1000e``, ``sriov`` ...). ``connected``: vSphere's *Connected* (meaningful only while the VM runs);
    ``start_connected``: *Connect at power on*; :func:`nic_disconnected` says what both mean together.
    ``addresses``: the guest's addresses on this NIC (VMware Tools), with ``/prefix`` where known."""

    label: str
    mac: str | None = None
    adapter: str | None = None
    network: str | None = None
    connected: bool = True
    start_connected: bool = True
    addresses: tuple[GuestAddress, ...] = ()

    _mac = field_validator("mac")(_check_mac)

    @field_validator("addresses")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_address(a) for a in value)


class VirtualMachine(_Frozen):
    """A VM and its NICs."""

    id: ObjectId
    name: str
    folder: str | None = None
    cluster: str | None = None
    host: str | None = None
    power_state: Literal["poweredOn", "poweredOff", "suspended"] | None = None
    template: bool = False
    nics: tuple[VmNic, ...] = ()


class Cluster(_Frozen):
    """A vSphere cluster."""

    id: ObjectId
    name: str


class Datacenter(_Frozen):
    """A datacenter and everything below it that trunkline reads."""

    id: ObjectId
    name: str
    clusters: tuple[Cluster, ...] = ()
    hosts: tuple[Host, ...] = ()
    switches: tuple[VirtualSwitch, ...] = ()
    port_groups: tuple[PortGroup, ...] = ()
    opaque_networks: tuple[OpaqueNetwork, ...] = ()
    vms: tuple[VirtualMachine, ...] = ()


class VCenter(_Frozen):
    """One vCenter. ``instance_uuid`` (``AboutInfo.instanceUuid``) keys its objects apart from another
    vCenter's objects with the same moids; ``name`` is the host name users know it by."""

    name: str
    instance_uuid: str | None = None
    version: str | None = None
    datacenters: tuple[Datacenter, ...] = ()


def nic_disconnected(vm: VirtualMachine, nic: VmNic) -> bool:
    """True when *nic* of *vm* carries no traffic after migration: vSphere's *Connected* means something
    only while the VM runs, so a NIC is disconnected when it does not connect at power on, or when the
    VM is powered on and the NIC is not connected (vSphere API ``VirtualDeviceConnectInfo``: ``connected``
    is the current state, ``startConnected`` the state at power on). The one definition every command
    uses."""
    if not nic.start_connected:
        return True
    return vm.power_state == "poweredOn" and not nic.connected


FindingSeverity = Literal["error", "warning", "info"]


class Place(_Frozen):
    """Where a reader finding comes from: an RVTools sheet, its Excel row number (the header is row 1)
    and column header; or, for the vCenter reader, the managed object (``object``). Unknown parts are
    ``None``."""

    sheet: str | None = None
    row: int | None = Field(default=None, ge=1)
    column: str | None = None
    object: str | None = None

    def text(self) -> str:
        """``sheet 'dvPort' row 7 column 'VLAN'``, ``vm-42``, or ``""``."""
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        if self.object:
            parts.append(self.object)
        return " ".join(parts)


class Finding(_Frozen):
    """Something a reader met and could not take as-is, kept with the inventory so that ``plan`` can
    report it: ``code`` a stable slug (``blank-vlan``, ``nsx-virtualwire`` ...), ``place`` where it is,
    ``message`` what it means and the fix."""

    severity: FindingSeverity
    code: str = Field(min_length=1, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    place: Place = Place()
    message: str = Field(min_length=1)


class Inventory(_Frozen):
    """The whole source design: one or more vCenters.

    ``nic_map``: an optional suggestion carried with the inventory of which vSphere uplink or vmnic
    becomes which node NIC (the bundled example design maps ``vmnic1`` -> ``ens34``); command-line
    options of ``trunkline plan`` override it. ``findings``: what the reader could not take as-is
    (blank or odd cells, NSX networks ...), each with its place and fix.
    """

    version: Literal[1] = 1
    vcenters: tuple[VCenter, ...] = ()
    nic_map: dict[str, str] = Field(default_factory=dict)
    findings: tuple[Finding, ...] = ()

    @field_validator("nic_map")
    @classmethod
    def _node_nic_names(cls, value: dict[str, str]) -> dict[str, str]:
        for source, node_nic in value.items():
            if ifname_problem(node_nic) is not None:  # the kernel's rule, from trunkline.facts
                raise ValueError(
                    f"{source} -> {node_nic!r}: a node NIC name is 1-15 characters without '/', ':' or "
                    "spaces (Linux IFNAMSIZ); fix it"
                )
        return value


_VLAN_TEXT_PATTERN = r"^\s*(none|untagged|\d+\s*(-\s*\d+\s*)?(,\s*\d+\s*(-\s*\d+\s*)?)*)\s*$"


def inventory_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the inventory file, as produced by pydantic.

    A port group's ``vlan`` also accepts the hand-writing shorthands of :func:`parse_vlan_shorthand`
    (an integer 0-4095, a string of ranges such as ``"100-199,300"``, a list of IDs and ranges), so that
    every file the loader accepts, including the ones ``trunkline inventory read`` writes, validates
    against the published schema.
    """
    schema = Inventory.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "trunkline inventory"
    vlan = schema["$defs"]["PortGroup"]["properties"]["vlan"]
    policy = {key: vlan.pop(key) for key in ("discriminator", "oneOf")}
    vlan["anyOf"] = [
        policy,
        {
            "type": "integer",
            "minimum": 0,
            "maximum": 4095,
            "description": "0 = untagged, 1-4094 = VLAN ID, 4095 = all VLANs to the guest",
        },
        {
            "type": "string",
            "pattern": _VLAN_TEXT_PATTERN,
            "description": "none, a VLAN ID, or trunk ranges such as 100-199,300",
        },
        {
            "type": "array",
            "minItems": 1,
            "items": {
                "anyOf": [
                    {"type": "integer", "minimum": 0, "maximum": 4094},
                    {"type": "string", "pattern": r"^\s*\d+\s*(-\s*\d+\s*)?$"},
                ]
            },
            "description": "trunk: VLAN IDs and ranges",
        },
    ]
    vlan["description"] = 'VLAN policy, or a shorthand: 0, 40, 4095, "100-199,300", [100, "200-210"]'
    return schema
