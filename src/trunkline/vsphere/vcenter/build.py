"""Building the model (pure) from retrieved properties: datacenters, hosts, switches, port groups,
VMs and NICs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from trunkline.vsphere.model import (
    Cluster,
    Datacenter,
    Host,
    LacpGroup,
    OpaqueNetwork,
    PhysicalNic,
    PortGroup,
    VCenter,
    VirtualMachine,
    VirtualSwitch,
    VmkernelNic,
    VmNic,
    is_address,
)
from trunkline.vsphere.vcenter.common import _moid, _type_name
from trunkline.vsphere.vcenter.translate import (
    _CLUSTER_TYPES,
    _DVS_TYPES,
    _adapter,
    _dvs_security,
    _dvs_teaming,
    _dvs_vlan,
    _host_security,
    _host_teaming,
    _Index,
    _is_nic,
    _standard_vlan,
)


def build_vcenter(
    name: str,
    instance_uuid: str | None,
    version: str | None,
    objects: Iterable[tuple[str, str, Mapping[str, Any]]],
) -> VCenter:
    """The model of one vCenter from retrieved ``(type name, moid, {property path: value})`` triples.

    Type names are the vSphere ones (``HostSystem``, ``VmwareDistributedVirtualSwitch`` ...); the
    property paths and values are those of :data:`PROPERTIES` as pyVmomi decodes them. Objects under no
    datacenter are dropped. Everything is sorted by name, then id, so that the same vCenter gives the same
    inventory.
    """
    index = _Index(types={}, props={})
    for kind, moid, props in objects:
        index.types[moid] = kind
        index.props[moid] = dict(props)
    datacenters = [_build_datacenter(index, moid) for moid, _ in index.of("Datacenter")]
    datacenters.sort(key=lambda d: (d.name, d.id))
    return VCenter(name=name, instance_uuid=instance_uuid, version=version, datacenters=tuple(datacenters))


def _sorted(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(sorted(items, key=lambda o: (o.name, o.id)))


def _build_datacenter(index: _Index, dc: str) -> Datacenter:
    def mine(*types: str) -> list[tuple[str, dict[str, Any]]]:
        return [(m, p) for m, p in index.of(*types) if index.datacenter(m) == dc]

    clusters = [Cluster(id=m, name=index.name(m)) for m, _ in mine(*_CLUSTER_TYPES)]

    # Distributed switches, their port groups and private-VLAN maps.
    switches: list[VirtualSwitch] = []
    dvs_by_uuid: dict[str, str] = {}
    pvlan_maps: dict[str, dict[int, tuple[int, str]]] = {}
    uplink_pgs: set[str] = set()
    for moid, props in mine(*_DVS_TYPES):
        config = props.get("config")
        dvs_by_uuid[str(props.get("uuid") or getattr(config, "uuid", "") or moid)] = moid
        setting = getattr(config, "defaultPortConfig", None)
        policy = getattr(config, "uplinkPortPolicy", None)
        lacp = tuple(
            LacpGroup(
                name=g.name,
                key=g.key,
                mode="passive" if g.mode == "passive" else "active",
                uplink_count=g.uplinkNum or 1,
                load_balance=g.loadbalanceAlgorithm,
            )
            for g in getattr(config, "lacpGroupConfig", None) or ()
        )
        mtu = getattr(config, "maxMtu", None)
        pvlan_maps[moid] = {
            int(e.secondaryVlanId): (int(e.primaryVlanId), str(e.pvlanType))
            for e in getattr(config, "pvlanConfig", None) or ()
        }
        uplink_pgs.update(_moid(r) or "" for r in getattr(config, "uplinkPortgroup", None) or ())
        switches.append(
            VirtualSwitch(
                id=moid,
                name=index.name(moid),
                kind="distributed",
                mtu=mtu or None,
                uplinks=tuple(getattr(policy, "uplinkPortName", None) or ()),
                lacp_groups=lacp,
                security=_dvs_security(setting),
                teaming=_dvs_teaming(setting),
            )
        )

    port_groups: list[PortGroup] = []
    dvpg_by_key: dict[str, str] = {}
    for moid, props in mine("DistributedVirtualPortgroup"):
        config = props.get("config")
        switch = _moid(getattr(config, "distributedVirtualSwitch", None)) or ""
        setting = getattr(config, "defaultPortConfig", None)
        dvpg_by_key[str(getattr(config, "key", None) or moid)] = moid
        backing = getattr(config, "backingType", None)
        port_groups.append(
            PortGroup(
                id=moid,
                name=index.name(moid),
                switch=switch,
                network=moid,
                vlan=_dvs_vlan(getattr(setting, "vlan", None), pvlan_maps.get(switch, {})),
                security=_dvs_security(setting),
                teaming=_dvs_teaming(setting),
                uplink_portgroup=moid in uplink_pgs or bool(getattr(config, "uplink", False)),
                nsx=backing == "nsx" or bool(getattr(config, "logicalSwitchUuid", None)),
            )
        )

    opaque: list[OpaqueNetwork] = []
    opaque_by_network_id: dict[str, str] = {}
    for moid, props in mine("OpaqueNetwork"):
        summary = props.get("summary")
        opaque_by_network_id[str(getattr(summary, "opaqueNetworkId", "") or moid)] = moid
        opaque.append(
            OpaqueNetwork(
                id=moid, name=index.name(moid), network_type=getattr(summary, "opaqueNetworkType", None)
            )
        )

    # Standard networks: the vCenter Network object joins same-named standard port groups across hosts.
    network_by_name = {index.name(m): m for m, _ in mine("Network")}

    hosts: list[Host] = []
    for moid, props in mine("HostSystem"):
        host, host_switches, host_pgs = _build_host(index, moid, props, dvs_by_uuid, network_by_name)
        hosts.append(host)
        switches.extend(host_switches)
        port_groups.extend(host_pgs)

    vms = [
        _build_vm(index, moid, props, dvpg_by_key, opaque_by_network_id, network_by_name, dc)
        for moid, props in mine("VirtualMachine")
    ]
    return Datacenter(
        id=dc,
        name=index.name(dc),
        clusters=_sorted(clusters),
        hosts=_sorted(hosts),
        switches=_sorted(switches),
        port_groups=tuple(sorted(port_groups, key=lambda p: (p.switch, p.name, p.id))),
        opaque_networks=_sorted(opaque),
        vms=_sorted(vms),
    )


def _build_host(
    index: _Index,
    moid: str,
    props: Mapping[str, Any],
    dvs_by_uuid: Mapping[str, str],
    network_by_name: Mapping[str, str],
) -> tuple[Host, list[VirtualSwitch], list[PortGroup]]:
    pnics = list(props.get("config.network.pnic") or ())
    pnic_name = {p.key: p.device for p in pnics}
    uses: dict[str, tuple[str, str]] = {}  # vmnic -> (switch id, uplink name)

    switches: list[VirtualSwitch] = []
    for vswitch in props.get("config.network.vswitch") or ():
        switch_id = f"{moid}/{vswitch.name}"
        uplinks = tuple(pnic_name.get(k, k) for k in vswitch.pnic or ())
        for nic in uplinks:
            uses[nic] = (switch_id, nic)
        policy = getattr(vswitch.spec, "policy", None)
        switches.append(
            VirtualSwitch(
                id=switch_id,
                name=vswitch.name,
                kind="standard",
                host=moid,
                mtu=vswitch.mtu or None,
                uplinks=uplinks,
                security=_host_security(policy),
                teaming=_host_teaming(policy),
            )
        )
    for proxy in props.get("config.network.proxySwitch") or ():
        dvs = dvs_by_uuid.get(proxy.dvsUuid)
        if dvs is None:
            continue
        uplink_names = {kv.key: kv.value for kv in proxy.uplinkPort or ()}
        backing = getattr(proxy.spec, "backing", None)
        for spec in getattr(backing, "pnicSpec", None) or ():
            uses[spec.pnicDevice] = (dvs, uplink_names.get(spec.uplinkPortKey, spec.uplinkPortKey or ""))

    port_groups: list[PortGroup] = []
    pg_ids: dict[str, str] = {}
    for pg in props.get("config.network.portgroup") or ():
        spec = pg.spec
        pg_id = f"{moid}/{spec.vswitchName}/{spec.name}"
        pg_ids[spec.name] = pg_id
        name = spec.name  # a host port group is no managed entity: its name comes unescaped
        port_groups.append(
            PortGroup(
                id=pg_id,
                name=name,
                switch=f"{moid}/{spec.vswitchName}",
                network=network_by_name.get(name, pg_id),
                vlan=_standard_vlan(spec.vlanId),
                security=_host_security(spec.policy),
                teaming=_host_teaming(spec.policy),
            )
        )

    services: dict[str, list[str]] = {}
    for net_config in props.get("config.virtualNicManagerInfo.netConfig") or ():
        device_of = {c.key: c.device for c in net_config.candidateVnic or ()}
        for key in net_config.selectedVnic or ():
            device = device_of.get(key)
            if device:
                services.setdefault(device, []).append(net_config.nicType)
    vmks = []
    for vnic in props.get("config.network.vnic") or ():
        port_group: str | None = None
        if vnic.portgroup:
            port_group = pg_ids.get(vnic.portgroup)
        else:
            dvport = getattr(vnic.spec, "distributedVirtualPort", None)
            port_group = getattr(dvport, "portgroupKey", None) or None
        ip = getattr(getattr(vnic.spec, "ip", None), "ipAddress", None) or None
        vmks.append(
            VmkernelNic(
                name=vnic.device,
                port_group=port_group,
                ip=ip,
                services=tuple(sorted(services.get(vnic.device, ()))),
            )
        )

    nics = []
    for pnic in pnics:
        switch, uplink = uses.get(pnic.device, (None, None))
        speed = pnic.linkSpeed.speedMb if pnic.linkSpeed is not None else None
        nics.append(
            PhysicalNic(
                name=pnic.device, mac=pnic.mac or None, speed_mbps=speed, switch=switch, uplink=uplink
            )
        )

    parent = _moid(props.get("parent"))
    cluster = parent if parent and index.types.get(parent) in _CLUSTER_TYPES else None
    host = Host(
        id=moid,
        name=index.name(moid),
        cluster=cluster,
        nics=tuple(sorted(nics, key=lambda n: n.name)),
        vmkernel_nics=tuple(sorted(vmks, key=lambda n: n.name)),
    )
    return host, switches, port_groups


def _build_vm(
    index: _Index,
    moid: str,
    props: Mapping[str, Any],
    dvpg_by_key: Mapping[str, str],
    opaque_by_network_id: Mapping[str, str],
    network_by_name: Mapping[str, str],
    dc: str,
) -> VirtualMachine:
    nics = []
    guest = guest_addresses(props.get("guest.net") or ())
    for device in props.get("config.hardware.device") or ():
        if not _is_nic(device):
            continue
        backing = device.backing
        kind = _type_name(backing) if backing is not None else ""
        network: str | None = None
        if kind.endswith("DistributedVirtualPortBackingInfo"):
            key = backing.port.portgroupKey if backing.port is not None else None
            network = dvpg_by_key.get(key, key) if key else None
        elif kind.endswith("OpaqueNetworkBackingInfo"):
            network = opaque_by_network_id.get(backing.opaqueNetworkId)
        elif kind.endswith("NetworkBackingInfo"):
            by_name = network_by_name.get(backing.deviceName or "")
            network = _moid(getattr(backing, "network", None)) or by_name
        connectable = device.connectable
        label = device.deviceInfo.label if device.deviceInfo is not None else f"device-{device.key}"
        nics.append(
            VmNic(
                label=label,
                mac=device.macAddress or None,
                adapter=_adapter(device),
                network=network,
                connected=bool(connectable.connected) if connectable is not None else True,
                start_connected=bool(connectable.startConnected) if connectable is not None else True,
                addresses=guest.get(device.key, ()),
            )
        )

    host = _moid(props.get("runtime.host"))
    host_parent = _moid(index.props.get(host or "", {}).get("parent"))
    cluster = host_parent if host_parent and index.types.get(host_parent) in _CLUSTER_TYPES else None
    power = props.get("runtime.powerState")
    return VirtualMachine(
        id=moid,
        name=index.name(moid),
        folder=_folder_path(index, _moid(props.get("parent")), dc),
        cluster=cluster,
        host=host,
        power_state=cast(Any, power) if power in ("poweredOn", "poweredOff", "suspended") else None,
        template=bool(props.get("config.template")),
        nics=tuple(nics),
    )


def guest_addresses(net: Any) -> dict[int, tuple[str, ...]]:
    """VMware Tools' view of a VM's NICs (``guest.net``, ``GuestNicInfo[]``) -> per virtual device key
    (``deviceConfigId``) the guest's addresses: ``ipConfig.ipAddress[]`` as ``address/prefixLength``
    (``NetIpConfigInfoIpAddress``), else the plain ``ipAddress[]`` strings (no prefix length known).
    Entries without a device key (NICs only the guest knows) and texts that are no address are left
    out."""
    out: dict[int, tuple[str, ...]] = {}
    for info in net or ():
        key = getattr(info, "deviceConfigId", None)
        if key is None or key < 0:
            continue
        config = getattr(info, "ipConfig", None)
        found: list[str] = []
        for entry in getattr(config, "ipAddress", None) or ():
            text, prefix = getattr(entry, "ipAddress", None), getattr(entry, "prefixLength", None)
            if text and is_address(text):
                found.append(f"{text}/{prefix}" if prefix is not None else text)
        if not found:
            found = [a for a in getattr(info, "ipAddress", None) or () if is_address(a)]
        if found:
            out[int(key)] = tuple(dict.fromkeys(found))
    return out


def _folder_path(index: _Index, folder: str | None, dc: str) -> str | None:
    """``A/B`` below the datacenter's VM folder; ``None`` at its top (or for a VM in a vApp)."""
    root = _moid(index.props.get(dc, {}).get("vmFolder"))
    parts: list[str] = []
    while folder is not None and folder != root and index.types.get(folder) == "Folder" and len(parts) < 64:
        parts.append(index.name(folder))
        folder = _moid(index.props[folder].get("parent"))
    if root is None and parts:
        parts.pop()  # without vmFolder known, the topmost folder below the datacenter is the VM folder
    return "/".join(reversed(parts)) or None
