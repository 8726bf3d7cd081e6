"""NetworkAttachmentDefinition checks: the CNI config (bridge CNI and OVN-Kubernetes), names, the
resourceName annotation, and whether the uplink carries the NAD's VLANs and MTU.

What a config's VLAN settings mean is read by :func:`trunkline.openshift.objects.read_cni_vlans` (one
reading for ``validate``, ``lab`` and ``verify``); this module checks the rest. Sources: CNI spec
(``types.NetConf``), containernetworking/plugins ``plugins/main/bridge`` ``NetConf``, ovn-kubernetes
``pkg/cni/types`` ``NetConf``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from trunkline.facts import DEFAULT_PVID
from trunkline.openshift.manifests import (
    BRIDGE_RESOURCE_PREFIX,
    RESOURCE_NAME_ANNOTATION,
    Document,
    Kind,
)
from trunkline.openshift.naming import ifname_problem, is_label
from trunkline.openshift.objects import (
    BRIDGE_CNI_TYPES,
    OVN_CNI_TYPE,
    CniVlans,
    is_int,
    parse_nad_config,
    plugin_configs,
    read_cni_vlans,
)
from trunkline.openshift.validate.context import (
    BridgeDef,
    Context,
    mapping,
    nncp_interface_mtus,
    selected_nodes,
)
from trunkline.openshift.validate.findings import Collector
from trunkline.vlanranges import format_ranges, subtract_ranges

#: CNI keys every plugin config may hold (CNI spec ``types.NetConf`` and runtime-injected keys).
CNI_COMMON_KEYS = frozenset(
    {"cniVersion", "name", "type", "capabilities", "ipam", "dns", "args", "runtimeConfig", "prevResult"}
)
#: Keys of a CNI network configuration list (``plugins`` holds the plugin configs).
CNI_LIST_KEYS = frozenset({"cniVersion", "cniVersions", "name", "plugins", "disableCheck", "disableGC"})
#: CNI spec versions a runtime accepts.
CNI_VERSIONS = frozenset({"0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"})

#: Bridge CNI options and their JSON types (containernetworking/plugins ``bridge.go`` ``NetConf``).
BRIDGE_OPTION_TYPES: dict[str, type | tuple[type, ...]] = {
    "bridge": str,
    "isGateway": bool,
    "isDefaultGateway": bool,
    "forceAddress": bool,
    "ipMasq": bool,
    "ipMasqBackend": str,
    "mtu": int,
    "hairpinMode": bool,
    "promiscMode": bool,
    "vlan": int,
    "vlanTrunk": list,
    "preserveDefaultVlan": bool,
    "macspoofchk": bool,
    "enabledad": bool,
    "disableContainerInterface": bool,
    "portIsolation": bool,
}
#: Other CNI ``type`` values a NAD may name: the containernetworking/plugins reference plugins
#: (``plugins/main``, ``plugins/meta``) and the ones OpenShift ships (``cnv-tuning``, SR-IOV,
#: ``route-override``). trunkline checks their common keys only.
OTHER_CNI_TYPES = frozenset(
    {
        "bandwidth", "cnv-tuning", "dummy", "firewall", "host-device", "ib-sriov", "ipvlan", "loopback",
        "macvlan", "portmap", "ptp", "route-override", "sbr", "sriov", "tap", "tuning", "vlan", "vrf",
    }
)  # fmt: skip

#: OVN-Kubernetes secondary network options (ovn-kubernetes ``pkg/cni/types`` ``NetConf``).
OVN_OPTION_TYPES: dict[str, type | tuple[type, ...]] = {
    "topology": str,
    "netAttachDefName": str,
    "mtu": int,
    "subnets": str,
    "excludeSubnets": str,
    "joinSubnet": str,
    "vlanID": int,
    "allowPersistentIPs": bool,
    "physicalNetworkName": str,
    "role": str,
    "deviceID": str,
    "logFile": str,
    "logLevel": str,
    "logfile-maxsize": int,
    "logfile-maxbackups": int,
    "logfile-maxage": int,
}
OVN_TOPOLOGIES = frozenset({"layer2", "layer3", "localnet"})


def _type_ok(value: Any, expected: type | tuple[type, ...]) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    if int in types and is_int(value):
        return True
    return any(isinstance(value, t) and not (t is not bool and isinstance(value, bool)) for t in types)


def _json_type(expected: type | tuple[type, ...]) -> str:
    names = {bool: "boolean", int: "integer", str: "string", list: "list", dict: "object"}
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(names.get(t, t.__name__) for t in types)


def check_nad(out: Collector, doc: Document, ctx: Context) -> None:
    """Every check of one NAD."""
    name = doc.name
    if name is None or not is_label(name):
        out.add(
            doc,
            "metadata.name",
            "nad-name-invalid",
            f"NAD name {name!r} is not a DNS-1123 label (at most 63 of a-z, 0-9, '-', starting and "
            "ending with a letter or digit)",
        )
    if doc.namespace is None:
        out.add(
            doc,
            "metadata.namespace",
            "nad-namespace-missing",
            "no namespace: the NAD lands in whatever project is current when applied; write 'default' "
            "(usable from every namespace) or the VMs' namespace",
        )
    elif not is_label(doc.namespace):
        out.add(
            doc,
            "metadata.namespace",
            "nad-namespace-invalid",
            f"namespace {doc.namespace!r} is not a DNS-1123 label",
        )
    elif (usable := ctx.usable_namespaces()) is not None and doc.namespace not in usable:
        out.add(
            doc,
            "metadata.namespace",
            "nad-namespace-unusable",
            f"NAD namespace {doc.namespace!r} is neither the VMs' namespace {ctx.target_namespace!r} nor "
            "'default'; VMs cannot attach to it: move it",
        )
    config, problems = parse_nad_config(mapping(doc.body.get("spec")))
    out.problems(doc, problems)
    if config is None:
        return
    annotations = mapping(mapping(doc.body.get("metadata")).get("annotations"))
    resource = annotations.get(RESOURCE_NAME_ANNOTATION)
    if isinstance(config.get("plugins"), list):
        _check_unknown_keys(
            out, doc, "spec.config", config, CNI_LIST_KEYS, "a CNI network configuration list"
        )
        _check_cni_version(out, doc, "spec.config.cniVersion", config.get("cniVersion"))
        inherited_version = True
    else:
        inherited_version = False
    plugins = plugin_configs(config)
    found_bridge = found_ovn = False
    for path, plugin in plugins:
        cni_type = plugin.get("type")
        if not isinstance(cni_type, str):
            out.add(
                doc, f"{path}.type", "cni-type-missing", "CNI config without a 'type' (the plugin to run)"
            )
            continue
        if not inherited_version:
            _check_cni_version(out, doc, f"{path}.cniVersion", plugin.get("cniVersion"))
        if cni_type in BRIDGE_CNI_TYPES:
            found_bridge = True
            _check_bridge_config(out, doc, path, plugin, ctx, resource)
        elif cni_type == OVN_CNI_TYPE:
            found_ovn = True
            _check_ovn_config(out, doc, path, plugin, ctx)
        elif cni_type not in OTHER_CNI_TYPES:
            _check_unknown_cni_type(out, doc, path, plugin, cni_type)
    if found_ovn and isinstance(resource, str) and resource.startswith(BRIDGE_RESOURCE_PREFIX):
        out.add(
            doc,
            f"metadata.annotations.{RESOURCE_NAME_ANNOTATION}",
            "ovn-resource-name",
            "an OVN localnet NAD must not request a Linux bridge resource: bridge-marker advertises only "
            "Linux bridges, so VMs would never be scheduled; remove the annotation",
        )
    if found_bridge and resource is None:
        out.add(
            doc,
            f"metadata.annotations.{RESOURCE_NAME_ANNOTATION}",
            "nad-resource-name-missing",
            "no resourceName annotation: VMs may be scheduled on nodes without the bridge; add "
            f"'{RESOURCE_NAME_ANNOTATION}: {BRIDGE_RESOURCE_PREFIX}<bridge>'",
        )


def _check_unknown_cni_type(
    out: Collector, doc: Document, path: str, config: dict[str, Any], cni_type: str
) -> None:
    """A ``type`` no plugin on the node answers to: Multus fails every pod attaching to the NAD. Report it,
    then check the bridge options the config holds anyway (a misspelt ``cnv-brdge`` is still meant to be
    a bridge config, and its ``vlan`` still has to be a VLAN ID)."""
    checked = sorted(BRIDGE_CNI_TYPES | {OVN_CNI_TYPE})
    close = difflib.get_close_matches(cni_type, [*checked, *sorted(OTHER_CNI_TYPES)], n=1, cutoff=0.75)
    hint = f"did you mean {close[0]!r}? " if close else ""
    out.add(
        doc,
        f"{path}.type",
        "cni-type-unknown",
        f"CNI type {cni_type!r} is no plugin OpenShift runs, so Multus fails every pod attached to this NAD; "
        f"{hint}trunkline checks {', '.join(checked)} (VM bridges and OVN localnets)",
    )
    _check_bridge_values(out, doc, path, config)


def _check_cni_version(out: Collector, doc: Document, path: str, version: Any) -> None:
    if version is None:
        out.add(doc, path, "cni-version-missing", 'no cniVersion; write "0.3.1" as OpenShift documents')
    elif version not in CNI_VERSIONS:
        out.add(
            doc,
            path,
            "cni-version-invalid",
            f"cniVersion {version!r} is not a CNI spec version ({', '.join(sorted(CNI_VERSIONS))})",
        )


def _check_unknown_keys(
    out: Collector, doc: Document, path: str, config: Mapping[str, Any], known: Iterable[str], what: str
) -> None:
    known_set = set(known)
    by_lower = {k.lower(): k for k in known_set}
    for key in sorted(set(config) - known_set):
        proper = by_lower.get(key.lower())
        if proper:
            out.add(
                doc,
                f"{path}.{key}",
                "cni-key-case",
                f"key {key!r} is spelt {proper!r} upstream; Go's JSON decoding ignores case so it works, "
                "but other tools do not: write it as documented",
            )
        else:
            out.add(
                doc,
                f"{path}.{key}",
                "cni-key-unknown",
                f"{what} has no option {key!r}; the plugin ignores it silently",
            )


def _check_types(
    out: Collector, doc: Document, path: str, config: Mapping[str, Any], types: Mapping[str, Any]
) -> None:
    for key, expected in types.items():
        if key in config and not _type_ok(config[key], expected):
            out.add(
                doc,
                f"{path}.{key}",
                "cni-type-mismatch",
                f"{key} is {json.dumps(config[key])}; it must be a JSON {_json_type(expected)}",
            )


def _check_bridge_values(
    out: Collector, doc: Document, path: str, config: Mapping[str, Any]
) -> CniVlans | None:
    """Types and ranges of the bridge CNI options *config* holds. Returns what the NAD puts on the uplink
    (:func:`~trunkline.openshift.objects.read_cni_vlans`), ``None`` when its VLAN settings are invalid."""
    _check_types(out, doc, path, config, BRIDGE_OPTION_TYPES)
    vlans, problems = read_cni_vlans({**config, "type": "bridge"}, path)
    out.problems(doc, problems)
    if vlans.tagged and "preserveDefaultVlan" not in config:
        out.add(
            doc,
            f"{path}.preserveDefaultVlan",
            "preserve-default-vlan-implicit",
            "a tagged NAD without preserveDefaultVlan keeps the bridge's default VLAN 1 untagged on the VM "
            "port in plugin versions that know the option (default true), and not in older ones: write "
            '"preserveDefaultVlan": false',
        )
    if config.get("hairpinMode") is True and config.get("promiscMode") is True:
        out.add(
            doc,
            f"{path}.promiscMode",
            "cni-hairpin-and-promisc",
            "hairpinMode and promiscMode cannot both be true (the plugin refuses the config)",
        )
    mtu = config.get("mtu")
    if is_int(mtu) and not 68 <= mtu <= 65535:
        out.add(doc, f"{path}.mtu", "mtu-invalid", f"mtu {mtu} is not within 68-65535")
    return None if problems else vlans


def _check_bridge_config(
    out: Collector, doc: Document, path: str, config: dict[str, Any], ctx: Context, resource: Any
) -> None:
    known = CNI_COMMON_KEYS | set(BRIDGE_OPTION_TYPES)
    _check_unknown_keys(out, doc, path, config, known, "the bridge CNI plugin")
    if "ipam" not in config:
        out.add(
            doc,
            f"{path}.ipam",
            "cni-ipam-missing",
            "the bridge plugin requires 'ipam'; write \"ipam\": {} for an L2-only network",
        )
    elif not isinstance(config["ipam"], dict):
        out.add(doc, f"{path}.ipam", "cni-type-mismatch", "ipam must be a JSON object ({} for L2 only)")
    if not isinstance(config.get("name"), str):
        out.add(doc, f"{path}.name", "cni-name-missing", "the CNI config needs a 'name' (the network's name)")
    vlans = _check_bridge_values(out, doc, path, config)
    bridge = config.get("bridge")
    if bridge is None:
        out.add(
            doc,
            f"{path}.bridge",
            "cni-bridge-missing",
            "no 'bridge': the plugin uses (and creates) 'cni0', a bridge with no uplink; "
            "name the NNCP's bridge",
        )
        return
    if not isinstance(bridge, str):
        return
    problem = ifname_problem(bridge)
    if problem:
        out.add(doc, f"{path}.bridge", "interface-name-invalid", f"bridge name {bridge!r} {problem}")
    if isinstance(resource, str):
        field_name = f"metadata.annotations.{RESOURCE_NAME_ANNOTATION}"
        if not resource.startswith(BRIDGE_RESOURCE_PREFIX):
            out.add(
                doc,
                field_name,
                "nad-resource-name-invalid",
                f"resourceName {resource!r} must be '{BRIDGE_RESOURCE_PREFIX}<bridge>' for a Linux bridge",
            )
        elif resource[len(BRIDGE_RESOURCE_PREFIX) :] != bridge:
            out.add(
                doc,
                field_name,
                "nad-resource-name-mismatch",
                f"resourceName names bridge {resource[len(BRIDGE_RESOURCE_PREFIX) :]!r} but the config uses "
                f"{bridge!r}; VMs get scheduled by the wrong bridge: make them equal",
            )
    defs = [b for b in ctx.bridges.get(bridge, []) if b.type == "linux-bridge"]
    if not defs and ctx.lacks(Kind.NNCP):
        return
    if not defs:
        ovs = [b for b in ctx.bridges.get(bridge, []) if b.type == "ovs-bridge"]
        hint = " (an OVS bridge of that name exists: the bridge CNI needs a Linux bridge)" if ovs else ""
        out.add(
            doc,
            f"{path}.bridge",
            "nad-bridge-unknown",
            f"no NNCP in this directory creates linux-bridge {bridge!r}{hint}; the plugin would create an "
            "isolated bridge with no uplink",
        )
        return
    if vlans is not None:
        _check_nad_vlans_on_uplinks(out, doc, vlans, defs)
    mtu = config.get("mtu")
    if is_int(mtu):
        _check_nad_mtu(out, doc, f"{path}.mtu", mtu, defs, ctx)


def _check_nad_vlans_on_uplinks(
    out: Collector, doc: Document, vlans: CniVlans, defs: Iterable[BridgeDef]
) -> None:
    """The NAD's tagged VLANs must be tagged on every uplink port of its bridge, its untagged frames
    (bridge VLAN 1) must leave untagged: the bridge CNI never configures the uplink."""
    fld = vlans.field
    for bridge in defs:
        for port in bridge.ports:
            where = f"uplink {port.name} of bridge {bridge.name} (NNCP {bridge.doc.name}, {bridge.doc.file})"
            missing = subtract_ranges(vlans.tagged, port.vlans.tagged)
            native = port.vlans.untagged
            if native is not None and subtract_ranges(missing, [(native, native)]) != missing:
                out.add(
                    doc,
                    fld,
                    "vlan-untagged-on-uplink",
                    f"VLAN {native} is the untagged VLAN of {where}; its frames leave the node without a "
                    "tag: give the uplink an explicit trunk that tags it",
                )
                missing = subtract_ranges(missing, [(native, native)])
            if missing:
                out.add(
                    doc,
                    fld,
                    "vlan-not-on-uplink",
                    f"VLAN {format_ranges(missing)} is not allowed on {where}: {port.vlans.source}; add it "
                    "to the port's vlan.trunk-tags",
                )
            if vlans.untagged and native != DEFAULT_PVID:
                got = "drops untagged frames" if native is None else f"maps untagged frames to VLAN {native}"
                out.add(
                    doc,
                    fld,
                    "untagged-not-on-uplink",
                    f"the NAD sends untagged frames (bridge VLAN {DEFAULT_PVID}) but {where} {got} "
                    f"({port.vlans.source}); set enable-native: true with tag: {DEFAULT_PVID} on the port",
                )


def _check_nad_mtu(
    out: Collector, doc: Document, path: str, mtu: int, defs: list[BridgeDef], ctx: Context
) -> None:
    """The NAD's mtu must fit the bridge's and its uplinks'."""
    for bridge in defs:
        limits: list[tuple[int, str]] = []
        if bridge.mtu is not None:
            limits.append((bridge.mtu, f"bridge {bridge.name} (NNCP {bridge.doc.name})"))
        port_mtus = nncp_interface_mtus(bridge.doc)
        for port in bridge.ports:
            if port.name in port_mtus:
                limits.append((port_mtus[port.name], f"uplink {port.name} (NNCP {bridge.doc.name})"))
            elif ctx.node_states:
                for state in selected_nodes(bridge.doc, ctx.node_states):
                    iface = state.interface(port.name)
                    if iface is not None and iface.mtu is not None:
                        limits.append((iface.mtu, f"uplink {port.name} on node {state.node} (node state)"))
        for limit, what in limits:
            if mtu > limit:
                out.add(
                    doc,
                    path,
                    "mtu-exceeds-bridge",
                    f"mtu {mtu} is larger than the {limit} of {what}; VM frames above {limit} bytes are "
                    "dropped: lower the NAD's mtu or raise the bridge's and uplink's",
                )
                break


def _check_ovn_config(out: Collector, doc: Document, path: str, config: dict[str, Any], ctx: Context) -> None:
    known = CNI_COMMON_KEYS | set(OVN_OPTION_TYPES)
    _check_unknown_keys(out, doc, path, config, known, "OVN-Kubernetes")
    _check_types(out, doc, path, config, OVN_OPTION_TYPES)
    topology = config.get("topology")
    if topology not in OVN_TOPOLOGIES:
        out.add(
            doc,
            f"{path}.topology",
            "ovn-topology-invalid",
            f"topology {topology!r} must be one of {', '.join(sorted(OVN_TOPOLOGIES))} (localnet for a "
            "physical network)",
        )
    expected = f"{doc.namespace or 'default'}/{doc.name}"
    nad_name = config.get("netAttachDefName")
    if nad_name is None:
        out.add(
            doc,
            f"{path}.netAttachDefName",
            "ovn-nad-name-missing",
            f"OVN-Kubernetes needs netAttachDefName {expected!r}",
        )
    elif nad_name != expected:
        out.add(
            doc,
            f"{path}.netAttachDefName",
            "ovn-nad-name-mismatch",
            f"netAttachDefName is {nad_name!r} but this NAD is {expected!r}; OVN-Kubernetes rejects it",
        )
    if "vlanID" in config and topology != "localnet":
        out.add(doc, f"{path}.vlanID", "ovn-vlan-not-localnet", "vlanID applies only to topology localnet")
    out.problems(doc, read_cni_vlans(config, path)[1])
    if topology == "localnet":
        physical = config.get("physicalNetworkName", config.get("name"))
        if isinstance(physical, str) and physical not in ctx.localnets and not ctx.lacks(Kind.NNCP):
            fld = f"{path}.physicalNetworkName" if "physicalNetworkName" in config else f"{path}.name"
            out.add(
                doc,
                fld,
                "ovn-localnet-unmapped",
                f"no NNCP in this directory maps localnet {physical!r} to an OVS bridge "
                "(spec.desiredState.ovn.bridge-mappings); pods attached to it get no connectivity",
            )
