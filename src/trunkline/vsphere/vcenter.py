"""Live vCenter reader: the network design of one or more vCenters, read in bulk through pyVmomi.

Each vCenter is read with a fixed number of SOAP round trips, whatever its size: log in, one
``ContainerView`` over the wanted object types, one ``PropertyCollector.RetrievePropertiesEx`` (plus one
``ContinueRetrievePropertiesEx`` per further page the server cuts the answer into), destroy the view, log
out. Only the properties the model needs are asked for (:data:`PROPERTIES`); managed objects are never
walked attribute by attribute (each attribute would be a round trip). pyVmomi's XML decoding dominates
the time of a large read (``config.hardware.device`` holds every device of a VM, not only its NICs); the
answer is decoded by pyVmomi itself, unaltered, which is slower than cutting it down first but keeps
trunkline off pyVmomi's internals.

The translation from the retrieved properties to the model (:func:`build_vcenter`) is pure: it takes
``(type, moid, {property path: value})`` triples, so that it can be tested with answers written by hand
from the vSphere Web Services API reference where the simulator cannot serve them.

Facts used (vSphere Web Services API reference):

* ``ManagedEntity.name`` escapes ``/``, ``\\`` and ``%`` as ``%2f``, ``%5c`` and ``%25``;
* ``HostPortGroupSpec.vlanId``: 0 untagged, 1-4094 tagged, 4095 all VLANs to the guest;
* distributed port groups: ``VmwareDistributedVirtualSwitchVlanIdSpec`` (0-4094),
  ``VmwareDistributedVirtualSwitchTrunkVlanSpec`` (``NumericRange`` list), ``...PvlanSpec`` (``pvlanId`` =
  the secondary VLAN; its primary and type are in the switch's ``VMwareDVSConfigInfo.pvlanConfig``);
* a policy field (``BoolPolicy``, ``StringPolicy``) with ``inherited`` true takes the switch's value;
* ``HostProxySwitch.spec.backing.pnicSpec[].uplinkPortKey`` names a key of ``HostProxySwitch.uplinkPort``
  whose value is the uplink name (``uplink1``).
"""

from __future__ import annotations

import http.client
import logging
import re
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from trunkline.errors import BadInputError, EnvironmentProblem
from trunkline.tls import PLAIN_HTTP_REASONS, ssl_context
from trunkline.vsphere.model import (
    TEAMING_POLICIES,
    AccessVlan,
    Cluster,
    Datacenter,
    Host,
    Inventory,
    LacpGroup,
    NoVlan,
    OpaqueNetwork,
    PhysicalNic,
    PortGroup,
    PrivateVlan,
    SecurityPolicy,
    Teaming,
    TrunkVlan,
    VCenter,
    VirtualMachine,
    VirtualSwitch,
    VlanRange,
    VmkernelNic,
    VmNic,
    is_address,
)

_log = logging.getLogger(__name__)
_log.addHandler(logging.NullHandler())

#: Seconds to wait for a vCenter to accept a connection and to answer one call.
TIMEOUT_S = 60

#: The properties read per managed object type (vSphere Web Services API property paths). A
#: ContainerView of a type also holds its subtypes (Network holds DistributedVirtualPortgroup and
#: OpaqueNetwork; ComputeResource holds ClusterComputeResource), and their property sets add up.
PROPERTIES: dict[str, tuple[str, ...]] = {
    "Folder": ("name", "parent"),
    "Datacenter": ("name", "parent", "vmFolder"),
    "ComputeResource": ("name", "parent"),
    "HostSystem": (
        "name",
        "parent",
        "config.network.pnic",
        "config.network.vswitch",
        "config.network.portgroup",
        "config.network.vnic",
        "config.network.proxySwitch",
        "config.virtualNicManagerInfo.netConfig",
    ),
    "DistributedVirtualSwitch": ("name", "parent", "uuid", "config"),
    "Network": ("name", "parent"),
    "DistributedVirtualPortgroup": ("config",),
    "OpaqueNetwork": ("summary",),
    "VirtualMachine": (
        "name",
        "parent",
        "config.template",
        "config.hardware.device",
        "runtime.powerState",
        "runtime.host",
        "guest.net",
    ),
}

#: The ContainerView's types (subtypes come with them).
_VIEW_TYPES = (
    "Folder",
    "Datacenter",
    "ComputeResource",
    "HostSystem",
    "DistributedVirtualSwitch",
    "Network",
    "VirtualMachine",
)

_ESCAPED = re.compile(r"%(2[fF]|5[cC]|25)")
_UNESCAPE = {"2f": "/", "5c": "\\", "25": "%"}


def unescape_name(name: str) -> str:
    """A managed entity name as people see it: ``%2f`` -> ``/``, ``%5c`` -> ``\\``, ``%25`` -> ``%``
    (vSphere Web Services API reference, ``ManagedEntity.name``), decoded in one pass."""
    return _ESCAPED.sub(lambda m: _UNESCAPE[m.group(1).lower()], name)


# --------------------------------------------------------------------------------------------------
# Connection
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where one vCenter answers: protocol (``https``/``http``), host name, port; ``name`` as people
    write it: the host (an IPv6 address in brackets) with ``:PORT`` when the port is not the protocol's
    default, so that two vCenters on one host get two names."""

    name: str
    protocol: str
    host: str
    port: int


def parse_target(text: str, protocol: str = "https", port: int | None = None) -> Target:
    """``HOST``, ``HOST:PORT``, ``[IPv6]:PORT`` or ``https://HOST[:PORT][/sdk]`` -> :class:`Target`.

    Raises:
        BadInputError: no host name, a protocol other than http/https, or a port out of range.
    """
    raw = text.strip()
    url = urlsplit(raw if "://" in raw else f"{protocol}://{raw}")
    scheme = url.scheme.lower()
    if scheme not in ("https", "http"):
        raise BadInputError(
            f"vCenter {raw!r}: protocol {scheme!r} is not https or http; give HOST or https://HOST"
        )
    try:
        given_port = url.port
    except ValueError:
        raise BadInputError(
            f"vCenter {raw!r}: the port is not a number 1-65535; give HOST or HOST:PORT"
        ) from None
    if not url.hostname:
        raise BadInputError(f"vCenter {raw!r} names no host; give HOST, HOST:PORT or https://HOST/sdk")
    default = 443 if scheme == "https" else 80
    chosen = given_port or port or default
    shown = f"[{url.hostname}]" if ":" in url.hostname else url.hostname
    name = shown if chosen == default else f"{shown}:{chosen}"
    return Target(name=name, protocol=scheme, host=url.hostname, port=chosen)


def _connect_error(target: Target, exc: BaseException, timeout: float = TIMEOUT_S) -> EnvironmentProblem:
    host = f"[{target.host}]" if ":" in target.host else target.host
    where = f"vCenter {target.name} ({target.protocol}://{host}:{target.port})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return EnvironmentProblem(
            f"{where}: its certificate is not trusted ({exc.verify_message}); pass --ca-file with the CA "
            "that signed it, or --insecure to skip the check"
        )
    if isinstance(exc, ssl.SSLError) and exc.reason in PLAIN_HTTP_REASONS:
        return EnvironmentProblem(
            f"{where}: TLS failed ({exc.reason}): the port answers in plain HTTP; "
            f"give http://{host}:{target.port}/sdk if that is meant, or the vCenter's HTTPS port"
        )
    if isinstance(exc, ssl.SSLError):
        return EnvironmentProblem(
            f"{where}: TLS failed ({exc.reason or exc}); "
            "check the port and protocol (https), or pass --insecure"
        )
    if isinstance(exc, socket.gaierror):
        return EnvironmentProblem(f"{where}: unknown host name ({exc.strerror}); check the vCenter name")
    if isinstance(exc, TimeoutError | socket.timeout):
        return EnvironmentProblem(
            f"{where} did not answer within {timeout:g} s; check the host, port and firewall "
            "(or give it longer with --timeout)"
        )
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        return EnvironmentProblem(f"{where} is unreachable ({reason}); check the host name, port and network")
    return EnvironmentProblem(
        f"{where} did not answer as a vCenter ({_fault_text(exc)}); check the host and port"
    )


def _fault_text(exc: BaseException) -> str:
    msg = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
    return " ".join(str(msg).split())


@contextmanager
def _session(
    target: Target, user: str, password: str, context: ssl.SSLContext, timeout: float = TIMEOUT_S
) -> Iterator[Any]:
    """A logged-in pyVmomi ``ServiceInstance``; logs out on exit, also after an error.

    *timeout* (seconds) bounds every wait on the socket: connecting, the TLS handshake and each answer.
    pyVmomi's ``httpConnectionTimeout`` covers the SOAP calls only; SmartConnect's API version discovery
    (``pyVim.connect.__GetElementTree``) opens its own ``http.client`` connection without a timeout, so
    the socket module's default timeout is set while SmartConnect runs.
    """
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        si = SmartConnect(
            protocol=target.protocol,
            host=target.host,
            port=target.port,
            user=user,
            pwd=password,
            sslContext=context if target.protocol == "https" else None,
            httpConnectionTimeout=timeout,
        )
    except vim.fault.InvalidLogin:
        raise BadInputError(
            f"vCenter {target.name} refused the login of user {user!r}: wrong user name or password; "
            "check the user (--user, GOVC_USERNAME or GOVC_URL) and the password (GOVC_PASSWORD, "
            "GOVC_URL or the prompt)"
        ) from None
    except vim.fault.NoPermission:
        raise BadInputError(
            f"vCenter {target.name}: user {user!r} may not log in; use an account with read-only access"
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _connect_error(target, exc, timeout) from None
    except Exception as exc:  # pyVmomi raises plain Exception for a server that speaks no vSphere API
        raise _connect_error(target, exc, timeout) from None
    finally:
        socket.setdefaulttimeout(previous)
    try:
        yield si
    finally:
        try:
            Disconnect(si)
        except Exception as exc:  # the session ends on the server's side anyway
            _log.debug("logout from %s failed: %s", target.name, _fault_text(exc))


# --------------------------------------------------------------------------------------------------
# Retrieval
# --------------------------------------------------------------------------------------------------


def retrieve_all(collector: Any, filter_spec: Any, page_size: int | None = None) -> list[Any]:
    """Every ``ObjectContent`` of *filter_spec*: ``RetrievePropertiesEx``, then
    ``ContinueRetrievePropertiesEx`` while the answer carries a ``token`` (one call per page).

    *page_size*: ``RetrieveOptions.maxObjects`` (``None``: the server's choice). A page left unread after
    an error is released with ``CancelRetrievePropertiesEx``.
    """
    from pyVmomi import vmodl

    options = vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=page_size)
    result = collector.RetrievePropertiesEx(specSet=[filter_spec], options=options)
    objects: list[Any] = []
    while result is not None:
        objects.extend(result.objects or ())
        token = result.token
        if not token:
            break
        try:
            result = collector.ContinueRetrievePropertiesEx(token=token)
        except BaseException:
            try:
                collector.CancelRetrievePropertiesEx(token=token)
            except Exception as exc:  # the original error matters more
                _log.debug("CancelRetrievePropertiesEx failed: %s", _fault_text(exc))
            raise
    return objects


def _filter_spec(view: Any, properties: Mapping[str, Sequence[str]]) -> Any:
    """Every object in *view* (not the view itself), with the *properties* of its type."""
    from pyVmomi import vim, vmodl

    pc = vmodl.query.PropertyCollector
    traversal = pc.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)
    return pc.FilterSpec(
        objectSet=[pc.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
        propSet=[pc.PropertySpec(type=getattr(vim, t), pathSet=list(p)) for t, p in properties.items()],
    )


def _triples(objects: Iterable[Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for content in objects:
        props = {prop.name: prop.val for prop in content.propSet or ()}
        out.append((_type_name(content.obj), content.obj._moId, props))
    return out


def _type_name(obj: Any) -> str:
    """``vim.dvs.VmwareDistributedVirtualSwitch`` -> ``VmwareDistributedVirtualSwitch``."""
    return type(obj).__name__.rsplit(".", 1)[-1]


def _read_one(si: Any, target: Target, datacenter: str | None, progress: Callable[[str], None]) -> VCenter:
    from pyVmomi import vim

    content = si.RetrieveContent()
    about = content.about
    root = content.rootFolder
    triples: list[tuple[str, str, dict[str, Any]]] = []
    if datacenter is not None:
        dcs = _triples(_collect(content, root, ["Datacenter"], {"Datacenter": PROPERTIES["Datacenter"]}))
        names = {unescape_name(p.get("name", "")): (moid, p) for _, moid, p in dcs}
        if datacenter not in names:
            known = ", ".join(sorted(names)) or "none"
            raise BadInputError(
                f"vCenter {target.name} has no datacenter {datacenter!r} (it has: {known}); "
                "check --datacenter"
            )
        moid, props = names[datacenter]
        triples.append(("Datacenter", moid, props))
        root = vim.Datacenter(moid, si._stub)
    progress(f"reading {target.name} (vCenter {about.version})")
    triples.extend(_triples(_collect(content, root, list(_VIEW_TYPES), PROPERTIES)))
    progress(f"read {len(triples)} objects from {target.name}")
    return build_vcenter(target.name, about.instanceUuid, about.version, triples)


def _collect(content: Any, root: Any, types: list[str], properties: Mapping[str, Sequence[str]]) -> list[Any]:
    """The *properties* of every object of *types* below *root*: one ContainerView, one retrieval."""
    from pyVmomi import vim

    view = content.viewManager.CreateContainerView(root, [getattr(vim, t) for t in types], True)
    try:
        spec = _filter_spec(view, properties)
        return retrieve_all(content.propertyCollector, spec)
    finally:
        try:
            view.DestroyView()
        except Exception as exc:  # views die with the session
            _log.debug("DestroyView failed: %s", _fault_text(exc))


def read_inventory(
    hosts: Sequence[str],
    *,
    user: str,
    password: str,
    insecure: bool = False,
    ca_file: Path | None = None,
    datacenter: str | None = None,
    protocol: str = "https",
    port: int | None = None,
    progress: Callable[[str], None] | None = None,
    timeout: float = TIMEOUT_S,
) -> Inventory:
    """Read the network design of the vCenters *hosts* and merge it into one :class:`Inventory`.

    *hosts*: ``HOST``, ``HOST:PORT`` or ``https://HOST[:PORT]/sdk`` each; *protocol* and *port* apply where
    a host does not say (port default 443 for https, 80 for http). Each vCenter is keyed by its
    ``AboutInfo.instanceUuid``. Certificates are verified against the system's trust store and *ca_file*
    (PEM); *insecure* turns the check off (logged as a warning). *datacenter*: read only the datacenter of
    that name (default: every datacenter). *progress* receives one-line status messages. *timeout*:
    seconds to wait for a connection, the TLS handshake or one answer (then EnvironmentProblem).
    The session is always logged out, also after an error; the password is never logged.

    Raises:
        BadInputError: wrong user or password, an unknown datacenter, a malformed host, the same vCenter
            given twice (exit code 2).
        EnvironmentProblem: a vCenter is unreachable, its certificate is not trusted, or it fails a call
            (exit code 3).
    """
    from pyVmomi import vmodl

    report = progress or (lambda _message: None)
    targets = [parse_target(h, protocol, port) for h in hosts]
    if not targets:
        raise BadInputError("no vCenter given: name at least one with --vcenter HOST")
    context = ssl_context(insecure, ca_file, "vCenter")
    vcenters: list[VCenter] = []
    seen: dict[str, str] = {}
    for target in targets:
        report(f"connecting to {target.name}")
        with _session(target, user, password, context, timeout) as si:
            try:
                vcenter = _read_one(si, target, datacenter, report)
            except vmodl.MethodFault as exc:
                raise EnvironmentProblem(
                    f"vCenter {target.name} failed to answer the inventory query ({_fault_text(exc)}); "
                    "check that the user may read the inventory"
                ) from None
            except (OSError, http.client.HTTPException) as exc:
                raise _connect_error(target, exc, timeout) from None
        key = vcenter.instance_uuid or target.name
        if key in seen:
            raise BadInputError(
                f"vCenters {seen[key]} and {target.name} are the same vCenter (instance UUID {key}); "
                "give it once"
            )
        seen[key] = target.name
        vcenters.append(vcenter)
    return Inventory(vcenters=tuple(vcenters))


# --------------------------------------------------------------------------------------------------
# Translation (pure): retrieved properties -> model
# --------------------------------------------------------------------------------------------------

_DVS_TYPES = ("DistributedVirtualSwitch", "VmwareDistributedVirtualSwitch")
_CLUSTER_TYPES = ("ClusterComputeResource",)
_ADAPTERS = {"SriovEthernetCard": "sriov", "Vmxnet3Vrdma": "vmxnet3vrdma", "PCNet32": "pcnet32"}


def _moid(ref: Any) -> str | None:
    return getattr(ref, "_moId", None) if ref is not None else None


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
