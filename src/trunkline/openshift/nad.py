"""NetworkAttachmentDefinitions: one per mapped port group.

Bridge CNI (``cnv-bridge`` and ``bridge`` are the same plugin; containernetworking/plugins
``plugins/main/bridge``): ``bridge``, ``vlan`` (one VLAN ID), ``vlanTrunk``
(``[{"id": N} | {"minID": A, "maxID": B}]``), ``preserveDefaultVlan`` and ``mtu`` (both written: their
defaults differ across plugin versions), ``macspoofchk``, ``ipam``. The
``k8s.v1.cni.cncf.io/resourceName: bridge.network.kubevirt.io/<bridge>`` annotation lets bridge-marker
schedule VMs onto nodes that have the bridge.

OVN-Kubernetes localnet (OpenShift "Configuration for a localnet switched topology"):
``type: ovn-k8s-cni-overlay``, ``topology: localnet``, ``netAttachDefName: <ns>/<name>``, ``vlanID``,
``mtu``, ``physicalNetworkName`` (the NNCP's ``ovn.bridge-mappings[].localnet``). No resourceName
annotation (bridge-marker advertises Linux bridges only).
"""

from __future__ import annotations

import json
from typing import Any

from trunkline.openshift.plan.model import NetworkDecision, Plan

API_VERSION = "k8s.cni.cncf.io/v1"
CNI_VERSION = "0.3.1"
RESOURCE_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"


def bridge_config(net: NetworkDecision, cni_type: str) -> dict[str, Any]:
    """The bridge CNI config of *net* (keys in the seed's order, ``mtu`` last)."""
    assert net.nad and net.bridge
    config: dict[str, Any] = {"name": net.nad, "type": cni_type, "cniVersion": CNI_VERSION}
    config["bridge"] = net.bridge
    if net.trunk:
        config["vlanTrunk"] = [{"id": a} if a == b else {"minID": a, "maxID": b} for a, b in net.vlan_ids]
    elif net.vlan_ids:
        config["vlan"] = net.vlan_ids[0][0]
    config["macspoofchk"] = net.macspoofchk
    config["ipam"] = {}
    config["preserveDefaultVlan"] = False
    config["mtu"] = net.mtu
    return config


def localnet_config(net: NetworkDecision, namespace: str) -> dict[str, Any]:
    """The OVN-Kubernetes localnet config of *net* (access VLAN or untagged only)."""
    assert net.nad and net.bridge and not net.trunk
    config: dict[str, Any] = {
        "cniVersion": CNI_VERSION,
        "name": net.nad,
        "type": "ovn-k8s-cni-overlay",
        "topology": "localnet",
        "netAttachDefName": f"{namespace}/{net.nad}",
    }
    if net.vlan_ids:
        config["vlanID"] = net.vlan_ids[0][0]
    config["mtu"] = net.mtu
    config["physicalNetworkName"] = net.bridge
    return config


def nad_manifest(net: NetworkDecision, plan: Plan) -> dict[str, Any]:
    """The NetworkAttachmentDefinition object for *net* (``spec.config`` is compact JSON text)."""
    opt = plan.options
    if opt.backend == "ovn-localnet":
        config = localnet_config(net, opt.namespace)
        metadata: dict[str, Any] = {"name": net.nad, "namespace": opt.namespace}
    else:
        config = bridge_config(net, opt.cni_type)
        metadata = {
            "annotations": {RESOURCE_ANNOTATION: f"bridge.network.kubevirt.io/{net.bridge}"},
            "name": net.nad,
            "namespace": opt.namespace,
        }
    return {
        "apiVersion": API_VERSION,
        "kind": "NetworkAttachmentDefinition",
        "metadata": metadata,
        "spec": {"config": json.dumps(config, separators=(",", ":"))},
    }


def nad_manifests(plan: Plan) -> list[dict[str, Any]]:
    """Every NAD of *plan*, sorted by name."""
    nets = sorted((n for n in plan.networks if n.target == "multus"), key=lambda n: n.nad or "")
    return [nad_manifest(n, plan) for n in nets]
