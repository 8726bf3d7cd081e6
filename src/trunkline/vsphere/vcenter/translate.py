"""Translation helpers (pure): vSphere policies, VLAN specs and NIC adapters -> model values; the
object index."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trunkline.vsphere.model import (
    TEAMING_POLICIES,
    AccessVlan,
    NoVlan,
    PrivateVlan,
    SecurityPolicy,
    Teaming,
    TrunkVlan,
    VlanRange,
)
from trunkline.vsphere.vcenter.common import _moid, _type_name, unescape_name

_DVS_TYPES = ("DistributedVirtualSwitch", "VmwareDistributedVirtualSwitch")
_CLUSTER_TYPES = ("ClusterComputeResource",)
_ADAPTERS = {"SriovEthernetCard": "sriov", "Vmxnet3Vrdma": "vmxnet3vrdma", "PCNet32": "pcnet32"}


def _policy_value(policy: Any) -> Any:
    """A ``BoolPolicy``/``StringPolicy`` value; ``None`` when unset or inherited from the switch."""
    if policy is None or getattr(policy, "inherited", False):
        return None
    return getattr(policy, "value", None)


def _dvs_security(setting: Any) -> SecurityPolicy:
    sec = getattr(setting, "securityPolicy", None) if setting is not None else None
    if sec is None or getattr(sec, "inherited", False):
        return SecurityPolicy()
    return SecurityPolicy(
        promiscuous=_policy_value(sec.allowPromiscuous),
        mac_changes=_policy_value(sec.macChanges),
        forged_transmits=_policy_value(sec.forgedTransmits),
    )


def _dvs_teaming(setting: Any) -> Teaming:
    team = getattr(setting, "uplinkTeamingPolicy", None) if setting is not None else None
    if team is None or getattr(team, "inherited", False):
        return Teaming()
    policy = _policy_value(team.policy)
    order = team.uplinkPortOrder
    active: tuple[str, ...] = ()
    standby: tuple[str, ...] = ()
    if order is not None and not getattr(order, "inherited", False):
        active = tuple(order.activeUplinkPort or ())
        standby = tuple(order.standbyUplinkPort or ())
    return Teaming(policy=policy if policy in TEAMING_POLICIES else None, active=active, standby=standby)


def _host_security(policy: Any) -> SecurityPolicy:
    sec = getattr(policy, "security", None) if policy is not None else None
    if sec is None:
        return SecurityPolicy()
    return SecurityPolicy(
        promiscuous=sec.allowPromiscuous, mac_changes=sec.macChanges, forged_transmits=sec.forgedTransmits
    )


def _host_teaming(policy: Any) -> Teaming:
    team = getattr(policy, "nicTeaming", None) if policy is not None else None
    if team is None:
        return Teaming()
    order = team.nicOrder
    return Teaming(
        policy=team.policy if team.policy in TEAMING_POLICIES else None,
        active=tuple(order.activeNic or ()) if order is not None else (),
        standby=tuple(order.standbyNic or ()) if order is not None else (),
    )


def _dvs_vlan(spec: Any, pvlan_map: Mapping[int, tuple[int, str]]) -> Any:
    """A distributed port group's VLAN spec -> VLAN policy (``None`` spec: untagged)."""
    kind = _type_name(spec) if spec is not None else ""
    if kind.endswith("TrunkVlanSpec"):
        ranges = tuple(VlanRange(start=r.start, end=r.end) for r in spec.vlanId or ())
        return TrunkVlan(ranges=ranges) if ranges else NoVlan()
    if kind.endswith("PvlanSpec"):
        secondary = int(spec.pvlanId)
        primary, pvlan_type = pvlan_map.get(secondary, (None, None))
        known = pvlan_type if pvlan_type in ("promiscuous", "community", "isolated") else None
        return PrivateVlan.model_validate({"secondary": secondary, "primary": primary, "pvlan_type": known})
    vlan_id = int(getattr(spec, "vlanId", 0) or 0)
    return AccessVlan(id=vlan_id) if vlan_id else NoVlan()


def _standard_vlan(vlan_id: int | None) -> Any:
    return AccessVlan(id=vlan_id) if vlan_id else NoVlan()


def _adapter(device: Any) -> str:
    name = _type_name(device).removeprefix("Virtual")
    return _ADAPTERS.get(name, name.lower())


def _is_nic(device: Any) -> bool:
    from pyVmomi import vim

    return isinstance(device, vim.vm.device.VirtualEthernetCard)


@dataclass
class _Index:
    """Every retrieved object by moid: type and properties; parents walk up to the datacenter."""

    types: dict[str, str]
    props: dict[str, dict[str, Any]]

    def of(self, *types: str) -> list[tuple[str, dict[str, Any]]]:
        return [(m, self.props[m]) for m, t in self.types.items() if t in types]

    def name(self, moid: str) -> str:
        return unescape_name(self.props.get(moid, {}).get("name", moid))

    def datacenter(self, moid: str | None) -> str | None:
        seen = 0
        while moid is not None and seen < 64:
            if self.types.get(moid) == "Datacenter":
                return moid
            moid = _moid(self.props.get(moid, {}).get("parent"))
            seen += 1
        return None
