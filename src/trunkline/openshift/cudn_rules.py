"""What the ClusterUserDefinedNetwork API accepts for a Localnet network, and what the docs add.

One home for these rules: ``trunkline plan --backend cudn-localnet`` turns each into a finding before it
writes a manifest, and ``trunkline validate`` checks hand-written CUDNs with the same functions.

Sources:

* the CRD ``clusteruserdefinednetworks.k8s.ovn.org`` (``k8s.ovn.org/v1``, cluster-scoped) of
  ovn-kubernetes v1.2.0, ``dist/templates/k8s.ovn.org_clusteruserdefinednetworks.yaml.j2`` (a copy with
  its commit is in ``tests/data/cudn/``): the ``openAPIV3Schema`` bounds below and its
  ``x-kubernetes-validations`` rules, one check each in :data:`LOCALNET_RULES`;
* ``isCIDR()`` of the Kubernetes CEL library (``k8s.io/apiserver/pkg/cel/library/cidr.go``): Go's
  ``netip.ParsePrefix`` (address, ``/``, decimal prefix length; no zone), IPv4-mapped IPv6 refused;
* the OpenShift docs on CUDNs: the namespace selector must not select ``default`` or ``openshift-*``;
* OKEP-5085 "Localnet API": the controller creates one NAD named like the CUDN in every selected
  namespace, and ``physicalNetworkName`` must match an ``ovn.bridge-mappings[].localnet`` on the nodes.

An API server *prunes* fields its schema does not know (no error): a misspelt optional field silently
does nothing, so it is a finding too.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from trunkline.openshift.naming import is_label

API_VERSION = "k8s.ovn.org/v1"
KIND = "ClusterUserDefinedNetwork"
TOPOLOGIES = ("Layer2", "Layer3", "Localnet")
VLAN_MIN, VLAN_MAX = 1, 4094  # localnet.vlan.access.id
MTU_MIN, MTU_MAX = 576, 65536  # localnet.mtu
MTU_MIN_IPV6 = 1280  # localnet.mtu with an IPv6 subnet
PHYSICAL_NETWORK_MAX = 253  # localnet.physicalNetworkName (minLength 1)
CIDR_MAX = 43  # characters of one subnets[] / excludeSubnets[] item
SUBNETS_MAX = 2
EXCLUDE_SUBNETS_MAX = 25
NAME_LABEL = "kubernetes.io/metadata.name"  # set by Kubernetes on every namespace
SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")

#: Fields of each object in the schema (anything else is pruned by the API server).
SPEC_FIELDS = ("namespaceSelector", "network")
NETWORK_FIELDS = ("layer2", "layer3", "localnet", "noOverlayOptions", "topology", "transport")
LOCALNET_FIELDS = ("excludeSubnets", "ipam", "mtu", "physicalNetworkName", "role", "subnets", "vlan")
IPAM_FIELDS = ("lifecycle", "mode")
VLAN_FIELDS = ("access", "mode")
SELECTOR_FIELDS = ("matchExpressions", "matchLabels")
EXPRESSION_FIELDS = ("key", "operator", "values")



@dataclass(frozen=True)
class Problem:
    """One thing the API server (or the CUDN controller) would refuse: ``field`` is the dotted path in
    the object (``spec.network.localnet.vlan.access.id``), ``key`` a stable slug, ``message`` what is
    wrong, then after ``"; "`` what to do instead."""

    field: str
    key: str
    message: str


# --------------------------------------------------------------------------------------------------
# Value rules (shared with the plan)
# --------------------------------------------------------------------------------------------------


def access_vlan_problem(vid: object) -> str | None:
    """Why *vid* cannot be ``localnet.vlan.access.id`` (an integer 1-4094), else ``None``."""
    if not isinstance(vid, int) or isinstance(vid, bool):
        return f"the access VLAN ID {vid!r} is not an integer; write a VLAN ID {VLAN_MIN}-{VLAN_MAX}"
    if vid == 4095:
        return (
            "VLAN 4095 (vSphere guest tagging: every VLAN to the VM) has no Localnet equivalent, which "
            f"carries one access VLAN {VLAN_MIN}-{VLAN_MAX}; use --backend linux-bridge (bridge CNI "
            "vlanTrunk) for this port group"
        )
    if not VLAN_MIN <= vid <= VLAN_MAX:
        return f"VLAN ID {vid} is outside {VLAN_MIN}-{VLAN_MAX}; write the port group's access VLAN"
    return None


def trunk_problem(ranges_text: str) -> str:
    """The finding text for a vSphere trunk port group (CUDN ``vlan.mode`` is ``Access`` only)."""
    return (
        f"trunk {ranges_text}: a Localnet CUDN carries one access VLAN (vlan.mode Access only) and cannot "
        "pass tagged frames to the VM; use --backend linux-bridge (bridge CNI vlanTrunk) for this port "
        "group, where its uplink carries these VLANs"
    )


def mtu_problem(mtu: object, ipv6: bool = False) -> str | None:
    """Why *mtu* cannot be ``localnet.mtu`` (integer 576-65536, at least 1280 with an IPv6 subnet)."""
    if not isinstance(mtu, int) or isinstance(mtu, bool):
        return f"mtu {mtu!r} is not an integer; write the port group's MTU ({MTU_MIN}-{MTU_MAX})"
    low = MTU_MIN_IPV6 if ipv6 else MTU_MIN
    if not low <= mtu <= MTU_MAX:
        why = " with an IPv6 subnet (the IPv6 minimum link MTU)" if ipv6 and mtu >= MTU_MIN else ""
        return f"MTU {mtu} is outside {low}-{MTU_MAX}{why}; set the switch MTU on vSphere within it"
    return None


def physical_network_problem(name: object) -> str | None:
    """Why *name* cannot be ``localnet.physicalNetworkName`` (1-253 characters, no ``,`` or ``:``,
    which separate the entries of OVN's ``ovn-bridge-mappings``)."""
    if not isinstance(name, str) or not name:
        return "physicalNetworkName must be a non-empty string; write the NNCP's bridge-mappings localnet"
    if len(name) > PHYSICAL_NETWORK_MAX:
        return (
            f"physicalNetworkName is {len(name)} characters, more than {PHYSICAL_NETWORK_MAX}; use a "
            "shorter localnet name in the NNCP and here"
        )
    if "," in name or ":" in name:
        return (
            f"physicalNetworkName {name!r} contains ',' or ':', which separate OVN bridge mappings; "
            "rename the localnet (NNCP and CUDN) without them"
        )
    return None


def is_cidr(text: object) -> bool:
    """``isCIDR()`` as the API server evaluates it: ``ADDRESS/BITS`` with a decimal prefix length in
    range, no zone, no IPv4-mapped IPv6 address; host bits may be set."""
    if not isinstance(text, str) or text.count("/") != 1 or "%" in text:
        return False
    addr_text, bits = text.split("/")
    if not bits.isascii() or not bits.isdigit() or (len(bits) > 1 and bits[0] == "0"):
        return False
    try:
        addr = ipaddress.ip_address(addr_text)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return False
    return int(bits) <= addr.max_prefixlen


def cidr_family(text: str) -> int | None:
    """4 or 6 for a CIDR :func:`is_cidr` accepts, else ``None``."""
    if not is_cidr(text):
        return None
    return ipaddress.ip_address(text.split("/")[0]).version


def namespace_problem(namespace: str) -> str | None:
    """Why a CUDN must not select *namespace* (OpenShift docs: never ``default`` or ``openshift-*``),
    or why it is no namespace name at all."""
    if not is_label(namespace):
        return f"{namespace!r} is not a namespace name (a lower-case RFC 1123 label); fix the spelling"
    if namespace == "default" or namespace.startswith("openshift-"):
        return (
            f"namespace {namespace!r}: OpenShift forbids CUDNs in 'default' and 'openshift-*' "
            "namespaces; migrate the VMs into a namespace of their own and select that"
        )
    return None


# --------------------------------------------------------------------------------------------------
# The namespace selector
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What a CUDN's ``namespaceSelector`` selects, as far as it can be known offline.

    ``names``: namespaces the selector lists by name (``kubernetes.io/metadata.name`` ``In`` or
    ``matchLabels``; the selector selects no other), ``None`` when it lists none; ``other``: the terms
    that depend on namespace labels trunkline cannot see offline (empty: it selects exactly ``names``)."""

    names: tuple[str, ...] | None
    other: tuple[str, ...]


def selection(selector: object) -> Selection:
    """Read a ``namespaceSelector`` (malformed parts are :func:`check_cudn`'s business)."""
    sel = as_mapping(selector)
    names: set[str] | None = None
    other: list[str] = []
    labels = as_mapping(sel.get("matchLabels"))
    for key, value in sorted(labels.items()):
        if key == NAME_LABEL and isinstance(value, str):
            names = {value} if names is None else names & {value}
        else:
            other.append(f"{key}={value}")
    exprs = as_list(sel.get("matchExpressions"))
    for expr in exprs:
        expr = as_mapping(expr)
        values = as_list(expr.get("values"))
        if expr.get("key") == NAME_LABEL and expr.get("operator") == "In":
            listed = {v for v in values if isinstance(v, str)}
            names = listed if names is None else names & listed
        else:
            other.append(f"{expr.get('key')} {expr.get('operator')} {values}")
    return Selection(tuple(sorted(names)) if names is not None else None, tuple(other))


def name_selector(namespaces: tuple[str, ...]) -> dict[str, Any]:
    """The ``namespaceSelector`` selecting exactly *namespaces* by their ``kubernetes.io/metadata.name``
    label."""
    return {"matchExpressions": [{"key": NAME_LABEL, "operator": "In", "values": sorted(namespaces)}]}


def access_vlan(body: object) -> int | None:
    """The access VLAN ID a CUDN's NADs put VM frames on (``spec.network.localnet.vlan.access.id``), or
    ``None`` for an untagged (or malformed) one."""
    loc = as_mapping(as_mapping(as_mapping(as_mapping(body).get("spec")).get("network")).get("localnet"))
    vid = as_mapping(as_mapping(loc.get("vlan")).get("access")).get("id")
    return vid if isinstance(vid, int) and not isinstance(vid, bool) and vid > 0 else None


# --------------------------------------------------------------------------------------------------
# The x-kubernetes-validations rules a Localnet network (or its namespace selector) can reach
# --------------------------------------------------------------------------------------------------

Obj = dict[str, Any]


def as_mapping(value: Any) -> dict[str, Any]:
    """*value* when it is a mapping, else ``{}`` (malformed parts are reported elsewhere)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """*value* when it is a list, else ``[]``."""
    return value if isinstance(value, list) else []


def _has(obj: Obj, key: str) -> bool:
    return key in obj


def _rule_layer3(net: Obj) -> bool:
    return _has(net, "layer3") if net.get("topology") == "Layer3" else not _has(net, "layer3")


def _rule_layer2(net: Obj) -> bool:
    return _has(net, "layer2") if net.get("topology") == "Layer2" else not _has(net, "layer2")


def _rule_localnet(net: Obj) -> bool:
    return _has(net, "localnet") if net.get("topology") == "Localnet" else not _has(net, "localnet")


def _rule_no_overlay_topology(net: Obj) -> bool:
    layer3 = as_mapping(net.get("layer3"))
    return (
        net.get("transport") != "NoOverlay"
        or (net.get("topology") == "Layer3" and layer3.get("role") == "Primary")
    )


def _rule_no_overlay_options_required(net: Obj) -> bool:
    return net.get("transport") != "NoOverlay" or _has(net, "noOverlayOptions")


def _rule_no_overlay_options_forbidden(net: Obj) -> bool:
    return net.get("transport") == "NoOverlay" or not _has(net, "noOverlayOptions")


def _ipam_enabled(loc: Obj) -> bool:
    ipam = loc.get("ipam") if isinstance(loc.get("ipam"), dict) else None
    return ipam is None or "mode" not in ipam or ipam["mode"] == "Enabled"


def _rule_subnets_ipam(loc: Obj) -> bool:
    return _has(loc, "subnets") if _ipam_enabled(loc) else not _has(loc, "subnets")


def _rule_exclude_needs_subnets(loc: Obj) -> bool:
    return not _has(loc, "excludeSubnets") or _has(loc, "subnets")


def _rule_mtu_ipv6(loc: Obj) -> bool:
    subnets = as_list(loc.get("subnets"))
    if not _has(loc, "subnets") or not _has(loc, "mtu"):
        return True
    ipv6 = sum(1 for item in subnets if cidr_family(item) == 6)  # CEL exists_one: exactly one
    return ipv6 != 1 or not isinstance(loc["mtu"], int) or loc["mtu"] >= MTU_MIN_IPV6


def _rule_ipam_lifecycle(ipam: Obj) -> bool:
    return ipam.get("lifecycle") != "Persistent" or "mode" not in ipam or ipam["mode"] == "Enabled"


def _rule_physical_network_chars(name: Any) -> bool:
    return not isinstance(name, str) or re.fullmatch(r"[^,:]+", name) is not None


def _rule_subnet_families(subnets: Any) -> bool:
    if not isinstance(subnets, list) or len(subnets) != 2:
        return True
    families = [cidr_family(s) for s in subnets]
    return None in families or families[0] != families[1]


def _rule_is_cidr(item: Any) -> bool:
    return is_cidr(item)


def _rule_vlan_access(vlan: Obj) -> bool:
    return _has(vlan, "access") if vlan.get("mode") == "Access" else not _has(vlan, "access")


@dataclass(frozen=True)
class Rule:
    """One ``x-kubernetes-validations`` rule of the CRD: where it sits in the schema (``.spec.network``,
    ``.spec.network.localnet.subnets[]``), its CEL text (whitespace collapsed), the finding key, the
    Python check (``True`` = passes), what to do when it fails, and the CRD's message for it (what
    ``oc apply`` prints)."""

    path: str
    cel: str
    key: str
    check: Callable[[Any], bool]
    fix: str
    says: str = ""


LOCALNET_RULES: tuple[Rule, ...] = (
    Rule(".spec.network",
         "has(self.topology) && self.topology == 'Layer3' ? has(self.layer3): !has(self.layer3)",
         "cudn-layer3-mismatch", _rule_layer3, "remove spec.network.layer3 (Localnet uses localnet)",
         says='spec.layer3 is required when topology is Layer3 and forbidden otherwise'),
    Rule(".spec.network",
         "has(self.topology) && self.topology == 'Layer2' ? has(self.layer2): !has(self.layer2)",
         "cudn-layer2-mismatch", _rule_layer2, "remove spec.network.layer2 (Localnet uses localnet)",
         says='spec.layer2 is required when topology is Layer2 and forbidden otherwise'),
    Rule(".spec.network",
         "has(self.topology) && self.topology == 'Localnet' ? has(self.localnet): !has(self.localnet)",
         "cudn-localnet-mismatch", _rule_localnet,
         "write spec.network.localnet with topology Localnet, and only then",
         says='spec.localnet is required when topology is Localnet and forbidden otherwise'),
    Rule(".spec.network",
         "!has(self.transport) || self.transport != 'NoOverlay' || (self.topology == 'Layer3' && "
         "has(self.layer3) && self.layer3.role == 'Primary')",
         "cudn-transport-no-overlay", _rule_no_overlay_topology,
         "remove transport: a Localnet network has no overlay to turn off",
         says="transport 'NoOverlay' is only supported for Layer3 primary networks"),
    Rule(".spec.network",
         "!has(self.transport) || self.transport != 'NoOverlay' || has(self.noOverlayOptions)",
         "cudn-no-overlay-options-missing", _rule_no_overlay_options_required,
         "remove transport NoOverlay, or add noOverlayOptions",
         says="noOverlayOptions is required when transport is 'NoOverlay'"),
    Rule(".spec.network",
         "self.transport == 'NoOverlay' || !has(self.noOverlayOptions)",
         "cudn-no-overlay-options-forbidden", _rule_no_overlay_options_forbidden,
         "remove noOverlayOptions",
         says="noOverlayOptions is forbidden when transport is not 'NoOverlay'"),
    Rule(".spec.network.localnet",
         "!has(self.ipam) || !has(self.ipam.mode) || self.ipam.mode == 'Enabled' ? has(self.subnets) : "
         "!has(self.subnets)",
         "cudn-subnets-ipam", _rule_subnets_ipam,
         "write subnets with IPAM on, or ipam.mode Disabled without subnets",
         says='Subnets is required with ipam.mode is Enabled or unset, and forbidden otherwise'),
    Rule(".spec.network.localnet", "!has(self.excludeSubnets) || has(self.subnets)",
         "cudn-exclude-subnets-alone", _rule_exclude_needs_subnets,
         "remove excludeSubnets, or add the subnets they are cut from",
         says='excludeSubnets must be unset when subnets is unset'),
    Rule(".spec.network.localnet",
         "!has(self.subnets) || !has(self.mtu) || !self.subnets.exists_one(i, isCIDR(i) && "
         "cidr(i).ip().family() == 6) || self.mtu >= 1280",
         "cudn-mtu-ipv6", _rule_mtu_ipv6, f"raise mtu to at least {MTU_MIN_IPV6} (the IPv6 minimum)",
         says='MTU should be greater than or equal to 1280 when an IPv6 subnet is used'),
    Rule(".spec.network.localnet.excludeSubnets[]", "isCIDR(self)", "cudn-exclude-subnet-invalid",
         _rule_is_cidr, "write a CIDR such as 192.0.2.0/28 or 2001:db8::/120",
         says='CIDR is invalid'),
    Rule(".spec.network.localnet.ipam",
         "!has(self.lifecycle) || self.lifecycle != 'Persistent' || !has(self.mode) || "
         "self.mode == 'Enabled'",
         "cudn-ipam-lifecycle", _rule_ipam_lifecycle,
         "remove lifecycle Persistent with ipam.mode Disabled (no addresses to keep)",
         says='lifecycle Persistent is only supported when ipam.mode is Enabled'),
    Rule(".spec.network.localnet.physicalNetworkName", "self.matches('^[^,:]+$')",
         "cudn-physical-network-name", _rule_physical_network_chars,
         "rename the localnet (NNCP and CUDN) without ',' and ':'",
         says='physicalNetworkName cannot contain `,` or `:` characters'),
    Rule(".spec.network.localnet.subnets",
         "size(self) != 2 || !isCIDR(self[0]) || !isCIDR(self[1]) || cidr(self[0]).ip().family() != "
         "cidr(self[1]).ip().family()",
         "cudn-subnet-families", _rule_subnet_families,
         "give at most one IPv4 and one IPv6 subnet",
         says='When 2 CIDRs are set, they must be from different IP families'),
    Rule(".spec.network.localnet.subnets[]", "isCIDR(self)", "cudn-subnet-invalid", _rule_is_cidr,
         "write a CIDR such as 192.0.2.0/24 or 2001:db8::/64",
         says='CIDR is invalid'),
    Rule(".spec.network.localnet.vlan",
         "has(self.mode) && self.mode == 'Access' ? has(self.access): !has(self.access)",
         "cudn-vlan-access", _rule_vlan_access, "write vlan: {mode: Access, access: {id: VLAN}}",
         says="vlan access config is required when vlan mode is 'Access', and forbidden otherwise"),
)  # fmt: skip
"""Every rule of the CRD copy a Localnet CUDN or its namespace selector can reach, with its check.
Rules of Layer2/Layer3 objects and ``self == oldSelf`` (needs the stored object) are out of scope."""


def reachable(path: str, cel: str) -> bool:
    """Whether the CRD rule *cel* at schema *path* can reject a Localnet CUDN (see :data:`LOCALNET_RULES`)."""
    if " ".join(cel.split()) == "self == oldSelf":
        return False
    return path in (".spec", ".spec.network") or path.startswith(
        (".spec.network.localnet", ".spec.namespaceSelector")
    )


# --------------------------------------------------------------------------------------------------
# A whole object
# --------------------------------------------------------------------------------------------------


def _unknown(obj: Obj, known: tuple[str, ...], path: str) -> Iterator[Problem]:
    for key in sorted(k for k in obj if k not in known):
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.75)
        hint = f"did you mean {close[0]!r}? " if close else ""
        yield Problem(
            f"{path}.{key}",
            "cudn-unknown-field",
            f"{path}.{key} is not a field of the CUDN schema; the API server drops it silently; "
            f"{hint}remove or rename it (known: {', '.join(known)})",
        )


def _rule_problem(rule: Rule, path: str, value: Any) -> Problem | None:
    if rule.check(value):
        return None
    return Problem(path, rule.key, f"the API server refuses it ({rule.says!r}); {rule.fix}")


def _rules_at(schema_path: str) -> tuple[Rule, ...]:
    return tuple(r for r in LOCALNET_RULES if r.path == schema_path)


def _check_rules(schema_path: str, path: str, value: Any) -> Iterator[Problem]:
    for rule in _rules_at(schema_path):
        found = _rule_problem(rule, path, value)
        if found:
            yield found


def check_cudn(body: Obj) -> list[Problem]:
    """Every problem of the CUDN *body* that the API server, the CUDN controller or OpenShift's rules
    would refuse: schema types and bounds, unknown (pruned) fields, each :data:`LOCALNET_RULES` rule and
    the namespaces a selector must not name. Pure; the order is stable."""
    out: list[Problem] = []
    meta = as_mapping(body.get("metadata"))
    name = meta.get("name")
    if not isinstance(name, str) or not is_label(name):
        out.append(Problem(
            "metadata.name", "cudn-name-invalid",
            f"name {name!r}: the CUDN names the NAD it creates in each namespace, so it must be a "
            "lower-case RFC 1123 label of at most 63 characters; rename it",
        ))  # fmt: skip
    spec = body.get("spec")
    if not isinstance(spec, dict):
        missing = Problem("spec", "cudn-spec-missing", "spec is required; write namespaceSelector, network")
        return [*out, missing]
    out += _unknown(spec, SPEC_FIELDS, "spec")
    out += _check_selector(spec)
    net = spec.get("network")
    if not isinstance(net, dict):
        return [*out, Problem("spec.network", "cudn-network-missing", "spec.network is required; write "
                              "topology Localnet and localnet")]
    out += _unknown(net, NETWORK_FIELDS, "spec.network")
    topology = net.get("topology")
    if topology not in TOPOLOGIES:
        out.append(Problem(
            "spec.network.topology", "cudn-topology-invalid",
            f"topology {topology!r} is not one of {', '.join(TOPOLOGIES)}; write Localnet for a VLAN",
        ))  # fmt: skip
    out += _check_rules(".spec.network", "spec.network", net)
    loc = net.get("localnet")
    if isinstance(loc, dict):
        out += _check_localnet(loc)
    elif loc is not None:
        out.append(Problem("spec.network.localnet", "cudn-type", "localnet must be a mapping"))
    return out


def _check_localnet(loc: Obj) -> Iterator[Problem]:
    base = "spec.network.localnet"
    yield from _unknown(loc, LOCALNET_FIELDS, base)
    if loc.get("role") != "Secondary":
        yield Problem(f"{base}.role", "cudn-role", f"role {loc.get('role')!r}: a Localnet network is "
                      "role Secondary (required); write role: Secondary")
    physical = loc.get("physicalNetworkName")
    why = physical_network_problem(physical)
    if why and _rule_physical_network_chars(physical):  # the characters rule reports itself
        key = "length" if isinstance(physical, str) and physical else "missing"
        yield Problem(f"{base}.physicalNetworkName", f"cudn-physical-network-name-{key}", why)
    yield from _check_rules(".spec.network.localnet", base, loc)
    yield from _check_rules(f".{base}.physicalNetworkName", f"{base}.physicalNetworkName",
                            loc.get("physicalNetworkName"))
    if "mtu" in loc:
        why = mtu_problem(loc["mtu"])
        if why:
            yield Problem(f"{base}.mtu", "cudn-mtu-range", why)
    yield from _check_vlan(loc.get("vlan"), f"{base}.vlan", "vlan" in loc)
    ipam = loc.get("ipam")
    if "ipam" in loc:
        if not isinstance(ipam, dict) or not ipam:
            yield Problem(f"{base}.ipam", "cudn-ipam-empty", "ipam needs mode or lifecycle (minProperties "
                          "1); write mode: Disabled, or remove ipam")
        else:
            yield from _unknown(ipam, IPAM_FIELDS, f"{base}.ipam")
            if "mode" in ipam and ipam["mode"] not in ("Enabled", "Disabled"):
                yield Problem(f"{base}.ipam.mode", "cudn-ipam-mode", f"ipam.mode {ipam['mode']!r}: write "
                              "Enabled or Disabled")
            if "lifecycle" in ipam and ipam["lifecycle"] != "Persistent":
                yield Problem(f"{base}.ipam.lifecycle", "cudn-ipam-lifecycle-value",
                              f"ipam.lifecycle {ipam['lifecycle']!r}: the only value is Persistent")
            yield from _check_rules(f".{base}.ipam", f"{base}.ipam", ipam)
    for fld, most in (("subnets", SUBNETS_MAX), ("excludeSubnets", EXCLUDE_SUBNETS_MAX)):
        if fld in loc:
            yield from _check_cidr_list(loc[fld], f"{base}.{fld}", most)


def _check_vlan(vlan: Any, path: str, present: bool) -> Iterator[Problem]:
    if not present:
        return
    if not isinstance(vlan, dict):
        yield Problem(path, "cudn-type", "vlan must be a mapping {mode: Access, access: {id: N}}")
        return
    yield from _unknown(vlan, VLAN_FIELDS, path)
    if vlan.get("mode") != "Access":
        yield Problem(f"{path}.mode", "cudn-vlan-mode", f"vlan.mode {vlan.get('mode')!r}: the only mode is "
                      "Access (one VLAN); trunks need --backend linux-bridge")
    yield from _check_rules(".spec.network.localnet.vlan", path, vlan)
    access = vlan.get("access")
    if isinstance(access, dict):
        yield from _unknown(access, ("id",), f"{path}.access")
        why = access_vlan_problem(access.get("id"))
        if why:
            yield Problem(f"{path}.access.id", "cudn-vlan-range", why)


def _check_cidr_list(value: Any, path: str, most: int) -> Iterator[Problem]:
    if not isinstance(value, list) or not 1 <= len(value) <= most:
        yield Problem(path, "cudn-subnet-count", f"{path.rsplit('.', 1)[-1]} must be a list of 1-{most} "
                      "CIDRs; fix the list")
        return
    item_path = ".spec.network.localnet." + path.rsplit(".", 1)[-1] + "[]"
    for i, item in enumerate(value):
        if isinstance(item, str) and len(item) > CIDR_MAX:
            yield Problem(f"{path}[{i}]", "cudn-subnet-length", f"{item!r} is longer than {CIDR_MAX} "
                          "characters; write the CIDR without padding")
        yield from _check_rules(item_path, f"{path}[{i}]", item)
    yield from _check_rules("." + path, path, value)


def _check_selector(spec: Obj) -> Iterator[Problem]:
    path = "spec.namespaceSelector"
    sel = spec.get("namespaceSelector")
    if not isinstance(sel, dict):
        yield Problem(path, "cudn-selector-missing", "namespaceSelector is required; select the VMs' "
                      f"namespaces with {NAME_LABEL} In [...]")
        return
    yield from _unknown(sel, SELECTOR_FIELDS, path)
    exprs = sel.get("matchExpressions", [])
    for i, expr in enumerate(as_list(exprs)):
        epath = f"{path}.matchExpressions[{i}]"
        expr = as_mapping(expr)
        op, values = expr.get("operator"), expr.get("values")
        if op not in SELECTOR_OPERATORS:
            yield Problem(f"{epath}.operator", "cudn-selector-operator",
                          f"operator {op!r} is not one of {', '.join(SELECTOR_OPERATORS)}; the controller "
                          "cannot build the selector and creates no NAD; fix it")
        elif op in ("In", "NotIn") and not values:
            yield Problem(f"{epath}.values", "cudn-selector-values", f"operator {op} needs values; "
                          "list the namespaces")
        elif op in ("Exists", "DoesNotExist") and values:
            yield Problem(f"{epath}.values", "cudn-selector-values", f"operator {op} takes no values; "
                          "remove them")
    if not sel.get("matchExpressions") and not sel.get("matchLabels"):
        yield Problem(path, "cudn-selector-everything", "an empty namespaceSelector selects every "
                      "namespace, 'default' and 'openshift-*' included, which OpenShift forbids; select "
                      f"the VMs' namespaces with {NAME_LABEL} In [...]")
        return
    chosen = selection(sel)
    for ns in chosen.names or ():
        why = namespace_problem(ns)
        if why:
            yield Problem(_name_path(sel, ns), "cudn-namespace-forbidden", why)


def _name_path(sel: Obj, namespace: str) -> str:
    """The path of the selector entry naming *namespace* (for its line)."""
    for i, expr in enumerate(sel.get("matchExpressions") or []):
        values = expr.get("values") if isinstance(expr, dict) and expr.get("key") == NAME_LABEL else None
        if isinstance(values, list) and namespace in values:
            return f"spec.namespaceSelector.matchExpressions[{i}].values[{values.index(namespace)}]"
    return f"spec.namespaceSelector.matchLabels.{NAME_LABEL}"
