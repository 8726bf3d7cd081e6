"""The cudn-localnet backend: one ClusterUserDefinedNetwork (``k8s.ovn.org/v1``, topology Localnet, role
Secondary) per mapped port group, instead of NADs.

OVN-Kubernetes creates a NAD named like the CUDN in every namespace its ``namespaceSelector`` selects
(OKEP-5085), owns it and reports the result in the CUDN's ``NetworkCreated`` condition. trunkline selects
the ``--target-namespace`` namespaces by name (``kubernetes.io/metadata.name In [...]``), so NetworkMaps
and VM patches can name those NADs.

Per port group: ``physicalNetworkName`` is the plan's bridge name, which the NNCP maps in
``ovn.bridge-mappings`` to its own OVS bridge on the trunk NIC or bond, or to ``br-ex``
(``localnet_bridge="br-ex"``: no new bridge, the node's default NIC carries the VLANs); ``vlan`` is the
access VLAN (``mode: Access``; none for an untagged port group); ``mtu`` the switch's MTU; ``ipam`` is
``mode: Disabled`` (VMs keep their own addresses) unless subnets were given for the port group, then
``subnets`` with ``lifecycle: Persistent`` so that a VM keeps its address across live migration and
restarts. Every value passes :mod:`.cudn_rules` first; what would not becomes a finding.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from trunkline.errors import BadInputError
from trunkline.openshift import cudn_rules
from trunkline.openshift.naming import sanitise, with_suffix

if TYPE_CHECKING:
    from trunkline.openshift.plan.model import BridgeDecision, NetworkDecision, Plan, PlanOptions

API_VERSION = cudn_rules.API_VERSION
KIND = cudn_rules.KIND
BR_EX = "br-ex"


# --------------------------------------------------------------------------------------------------
# Options and per-network decisions (called from the plan)
# --------------------------------------------------------------------------------------------------


def check_options(options: PlanOptions) -> None:
    """Raise :class:`BadInputError` for cudn-localnet options no cluster would accept: no target
    namespace, a forbidden one (``default``, ``openshift-*``), or subnets breaking the CRD's rules."""
    if not options.target_namespaces:
        raise BadInputError(
            "--backend cudn-localnet: give the namespaces the VMs migrate into with --target-namespace NS "
            "(repeatable); the CUDN creates its NADs there"
        )
    for ns in options.target_namespaces:
        why = cudn_rules.namespace_problem(ns)
        if why:
            raise BadInputError(f"--target-namespace {ns}: {why}")
    for key, cidrs in sorted(options.subnets.items()):
        why = subnets_problem(cidrs)
        if why:
            raise BadInputError(f"--subnet {key}={','.join(cidrs)}: {why}")


def subnets_problem(cidrs: tuple[str, ...]) -> str | None:
    """Why *cidrs* cannot be a Localnet CUDN's ``subnets`` (1-2 CIDRs of 43 characters at most, one per
    IP family), else ``None``."""
    if not 1 <= len(cidrs) <= cudn_rules.SUBNETS_MAX:
        return "give one subnet, or one IPv4 and one IPv6 subnet"
    for cidr in cidrs:
        if not cudn_rules.is_cidr(cidr) or len(cidr) > cudn_rules.CIDR_MAX:
            return f"{cidr!r} is not a CIDR; write ADDRESS/PREFIX such as 192.0.2.0/24 or 2001:db8::/64"
        network = ipaddress.ip_network(cidr, strict=False)
        if network.network_address != ipaddress.ip_interface(cidr).ip:
            return (
                f"{cidr!r} has host bits set (the API server takes it, but IPAM allocates from the network); "
                f"write the network {str(network)!r}"
            )
    families = [cudn_rules.cidr_family(c) for c in cidrs]
    if len(families) == 2 and families[0] == families[1]:
        return "two subnets must be one IPv4 and one IPv6"
    return None


def _subnet_keys(options: PlanOptions, net: NetworkDecision) -> list[str]:
    """The ``--subnet`` keys naming *net* (its port group name, its moids), in that order."""
    names = dict.fromkeys((net.name, *(value for _, value in net.sources)))
    return [k for k in names if k in options.subnets]


def subnets_of(options: PlanOptions, net: NetworkDecision) -> tuple[str, ...]:
    """The subnets given for *net* (by port group name or by its moid), else ``()``."""
    keys = _subnet_keys(options, net)
    return options.subnets[keys[0]] if keys else ()


def check_subnets(find: Find, options: PlanOptions, nets: Iterable[NetworkDecision]) -> None:
    """``--subnet`` values that name one port group twice (by name and by moid) are refused; those
    naming a port group that gets no CUDN (vmkernel only, a trunk, a private VLAN, VLAN 4095, left
    unmapped or sent elsewhere by --mtv-map) are a warning each (``subnet-unused``): they change nothing.

    Raises:
        BadInputError: one port group named by two ``--subnet`` values.
    """
    for net in nets:
        keys = _subnet_keys(options, net)
        if len(keys) > 1:
            raise BadInputError(
                f"--subnet {keys[1]}: port group {net.name!r} has subnets already (as --subnet {keys[0]}); "
                "give it once"
            )
        if keys and net.target != "multus":
            find(
                "warning",
                "subnet-unused",
                f"--subnet {keys[0]}",
                f"port group {net.name!r} gets no CUDN ({net.reason}), so its subnets are not used; drop the "
                "--subnet, or map the port group to an access VLAN",
            )


Find = Callable[..., None]


def refine_network(find: Find, options: PlanOptions, net: NetworkDecision, subject: str) -> NetworkDecision:
    """*net* as the cudn-localnet backend can carry it: trunks, VLAN 4095 and MTUs outside the CRD's
    bounds become findings (error, unmapped) with a way forward, and the network is left out."""
    if net.target != "multus":
        return net
    if net.trunk:
        if net.vlan_text == "4095":
            why, code = cudn_rules.access_vlan_problem(4095) or "", "cudn-vlan-4095"
        else:
            from trunkline.vlanranges import format_ranges as ranges_text

            why, code = cudn_rules.trunk_problem(ranges_text(net.vlan_ids)), "cudn-trunk"
        find("error", code, subject, why, unmapped=True)
        return replace(net, target="unmapped", trunk=False, vlan_ids=(),
                       reason=f"{net.reason} (CUDN Localnet: one access VLAN only)")
    for a, _ in net.vlan_ids:
        out_of_range = cudn_rules.access_vlan_problem(a)
        if out_of_range:
            find("error", "cudn-vlan-range", subject, out_of_range, unmapped=True)
            return replace(net, target="unmapped", reason=f"VLAN {a}: outside the CUDN's range")
    ipv6 = any(cudn_rules.cidr_family(c) == 6 for c in subnets_of(options, net))
    too_big = cudn_rules.mtu_problem(net.mtu, ipv6)
    if too_big:
        find("error", "cudn-mtu", subject, f"{too_big}, or use --backend linux-bridge", unmapped=True)
        return replace(net, target="unmapped", reason=f"MTU {net.mtu}: outside the CUDN's bounds")
    return net


# --------------------------------------------------------------------------------------------------
# Manifests
# --------------------------------------------------------------------------------------------------


def cudn_manifest(net: NetworkDecision, plan: Plan) -> dict[str, Any]:
    """The ClusterUserDefinedNetwork of one mapped port group (its NADs are named ``net.nad``)."""
    assert net.nad and net.bridge
    localnet: dict[str, Any] = {"role": "Secondary", "physicalNetworkName": net.bridge}
    if net.vlan_ids:
        localnet["vlan"] = {"mode": "Access", "access": {"id": net.vlan_ids[0][0]}}
    localnet["mtu"] = net.mtu
    subnets = subnets_of(plan.options, net)
    if subnets:
        localnet["subnets"] = list(subnets)
        localnet["ipam"] = {"mode": "Enabled", "lifecycle": "Persistent"}
    else:
        localnet["ipam"] = {"mode": "Disabled"}
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": net.nad},
        "spec": {
            "namespaceSelector": cudn_rules.name_selector(plan.options.target_namespaces),
            "network": {"topology": "Localnet", "localnet": localnet},
        },
    }


def cudn_manifests(plan: Plan) -> list[dict[str, Any]]:
    """Every CUDN of *plan*, sorted by name."""
    nets = sorted((n for n in plan.networks if n.target == "multus"), key=lambda n: n.nad or "")
    return [cudn_manifest(n, plan) for n in nets]


def br_ex_findings(find: Find, bridges: Iterable[BridgeDecision], switch_name: Callable[[str], str]) -> None:
    """Findings for ``--localnet-bridge br-ex``, which maps every physical network to the one bridge of
    the node's default network: switches that use different NICs on vSphere (they would share br-ex's
    uplink: ``br-ex-shared``, warning), and a switch MTU above 1500 (br-ex's MTU is the cluster's, set
    for the default network: ``br-ex-mtu``, note). *switch_name* names a switch by its key."""
    carrying = [b for b in bridges if b.localnet]
    if len(carrying) > 1:
        names = ", ".join(sorted(switch_name(s) for b in carrying for s in b.switches))
        find(
            "warning",
            "br-ex-shared",
            "--localnet-bridge br-ex",
            f"switches {names} use different NICs on vSphere, but all of them would leave through br-ex's "
            "one uplink (the node's default NIC): make sure its switch port carries all their VLANs, or "
            "use --localnet-bridge own to give each its own OVS bridge on its NIC",
        )
    for bridge in carrying:
        if bridge.mtu > 1500:
            names = ", ".join(sorted(switch_name(s) for s in bridge.switches))
            find(
                "info",
                "br-ex-mtu",
                f"switch {names}",
                f"MTU {bridge.mtu} on vSphere, but br-ex carries the node's default network and keeps the "
                "MTU the cluster was installed with (`oc debug node/NODE -- ip link show br-ex`): frames "
                "above it are dropped; lower the CUDN's MTU to it, or use --localnet-bridge own on a NIC "
                "with the larger MTU",
            )


def nncp_manifests(plan: Plan) -> list[dict[str, Any]]:
    """The NNCPs: as for ovn-localnet (an OVS bridge on the trunk NIC or bond, and its bridge mapping),
    or with ``localnet_bridge="br-ex"`` only the mapping of each physical network to ``br-ex``."""
    from trunkline.openshift import nmstate

    docs = nmstate.nncp_manifests(plan)
    if plan.options.localnet_bridge != BR_EX:
        return docs
    # the same NNCPs (node selection as nmstate builds it), holding only the mapping to br-ex
    by_name = {nmstate.policy_name(b, lay): (b, lay) for b in plan.bridges for lay in b.layouts}
    for doc in docs:
        bridge, layout = by_name[doc["metadata"]["name"]]
        base = f"{bridge.localnet}-{BR_EX}-policy"
        doc["metadata"]["name"] = sanitise(base if layout.group.default else f"{layout.group.name}-{base}")
        mapping = {"localnet": bridge.localnet, "bridge": BR_EX, "state": "present"}
        doc["spec"]["desiredState"] = {"ovn": {"bridge-mappings": [mapping]}}
    return sorted(docs, key=lambda m: m["metadata"]["name"])


def network_maps(plan: Plan) -> list[dict[str, Any]]:
    """MTV NetworkMaps: per vCenter and target namespace (a NetworkMap's multus destinations name NADs
    in the VMs' namespace); with one target namespace, named as on the other backends."""
    from trunkline.openshift import forklift

    namespaces = plan.options.target_namespaces
    out = []
    for ns in namespaces:
        for doc in forklift.network_maps(plan):
            if len(namespaces) > 1:
                doc["metadata"]["name"] = with_suffix(doc["metadata"]["name"][:200], ns, 253)
            for entry in doc["spec"]["map"]:
                if entry["destination"]["type"] == "multus":
                    entry["destination"]["namespace"] = ns
            out.append(doc)
    return sorted(out, key=lambda m: m["metadata"]["name"])


def namespaces(plan: Plan) -> list[dict[str, Any]]:
    """The target Namespace objects (the selector finds them by their ``kubernetes.io/metadata.name``)."""
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
            for ns in sorted(plan.options.target_namespaces)]


# --------------------------------------------------------------------------------------------------
# REPORT.md
# --------------------------------------------------------------------------------------------------


def report_section(plan: Plan) -> list[str]:
    """REPORT.md's part about CUDNs: what selects what, how to read the status, and what a change costs."""
    opt = plan.options
    names = ", ".join(f"`{ns}`" for ns in sorted(opt.target_namespaces))
    several = len(opt.target_namespaces) > 1
    where = (
        "the mapping of each physical network to `br-ex` (no new bridge: the node's default NIC carries "
        "the VLANs, so its switch port must be a trunk for them)"
        if opt.localnet_bridge == BR_EX
        else "an OVS bridge on the trunk NIC or bond, and its bridge mapping"
    )
    return [
        "## ClusterUserDefinedNetworks",
        "",
        f"`cudns.yaml` holds one ClusterUserDefinedNetwork (`{API_VERSION}`, topology `Localnet`, role "
        f"`Secondary`) per mapped port group. Each selects the namespaces {names} by name "
        "(`kubernetes.io/metadata.name In [...]`); OVN-Kubernetes creates a NAD of the CUDN's name in "
        "each, and re-creates it if deleted. `--namespace` has no meaning of its own here: the NADs live "
        "in the target namespaces. `nncp.yaml` holds " + where + "; each CUDN's `physicalNetworkName` "
        "names such a mapping. The Localnet topology of the CUDN API needs OpenShift 4.19 or later: an older "
        "API server refuses `topology: Localnet` (plan with `--backend ovn-localnet` there).",
        "",
        "Apply order: the steps above apply the NNCPs and CUDNs together; the CUDN controller creates "
        "the NADs at once, and VMs attach as soon as the nodes' bridge mappings exist. Check both:",
        "",
        "```sh",
        "oc wait nncp --all --for=condition=Available --timeout=600s",
        "oc wait clusteruserdefinednetwork --all --for=condition=NetworkCreated --timeout=120s",
        "oc get clusteruserdefinednetwork -o custom-columns=NAME:.metadata.name,"
        "STATUS:.status.conditions[0].status,REASON:.status.conditions[0].reason",
        "```",
        "",
        "Reading the status: condition `NetworkCreated` is `True` with reason "
        "`NetworkAttachmentDefinitionCreated` and a message listing the namespaces that got the NAD. "
        "`False` with `NetworkAttachmentDefinitionSyncError` means the controller could not create or "
        "update a NAD (the message says why, e.g. a NAD of that name not owned by the CUDN already "
        "exists: delete it); `NetworkAttachmentDefinitionDeleted` means NADs are being removed. A "
        "namespace missing from the message does not exist yet: create it (`prereqs/namespace.yaml`). "
        "An object the API server refuses never gets a status: `oc apply` prints the rule it broke.",
        "",
        "`spec.network` cannot be changed once created (the CRD's `self == oldSelf` rule): a re-plan "
        "that changes a port group's VLAN, MTU or subnets makes `oc apply` fail for that CUDN. Replacing "
        "it means deleting and re-creating it: the controller will not delete a NAD while pods use it "
        "(`network in use by the following pods`), so the old CUDN stays in deletion until every VM on "
        "it is stopped; stop those VMs (`virtctl stop`), `oc delete clusteruserdefinednetwork NAME`, "
        "apply the new one, and start the VMs. Running VMs keep their old attachment until then. Adding "
        "or removing target namespaces is a change of `spec.namespaceSelector` only, which is allowed.",
        "",
        *(
            ["With several target namespaces the VM patches name the NAD without a namespace "
             "(`multus.networkName: NAME`), which KubeVirt resolves in the VM's own namespace; the "
             "NetworkMaps are one per vCenter and namespace.", ""]
            if several else []
        ),
    ]  # fmt: skip


def parse_subnets(values: list[str]) -> Mapping[str, tuple[str, ...]]:
    """``--subnet PORTGROUP=CIDR[,CIDR]`` values -> port group name or moid -> CIDRs.

    Raises:
        BadInputError: a value without ``=``, or a port group given twice.
    """
    out: dict[str, tuple[str, ...]] = {}
    for value in values:
        key, sep, cidrs = value.rpartition("=")
        if not sep or not key.strip() or not cidrs.strip():
            raise BadInputError(f"--subnet {value!r}: write PORTGROUP=CIDR or PORTGROUP=CIDR4,CIDR6")
        if key in out:
            raise BadInputError(f"--subnet {value!r}: port group {key!r} has subnets already; give it once")
        out[key.strip()] = tuple(c.strip() for c in cidrs.split(","))
    return out
