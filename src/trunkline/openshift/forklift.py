"""MTV (Forklift) NetworkMaps: one per vCenter.

``forklift.konveyor.io/v1beta1``, kind ``NetworkMap``, namespaced (the MTV namespace):
``spec.provider.source`` / ``spec.provider.destination`` are ``{name, namespace}`` of MTV Provider objects
(the vSphere provider of that vCenter; the host cluster's provider, ``host`` by default);
``spec.map[]`` entries have ``source`` ``{id: <moid>}`` (``dvportgroup-20``, ``network-45``) or
``{name: <port group>}``, and ``destination`` ``{type: multus, namespace, name}`` or ``{type: pod}`` or
``{type: ignored}`` (Forklift API, ``pkg/apis/forklift/v1beta1/mapping.go``).
"""

from __future__ import annotations

from typing import Any

from trunkline.openshift.plan.model import NetworkMapDecision, Plan

API_VERSION = "forklift.konveyor.io/v1beta1"


def network_map(decision: NetworkMapDecision, plan: Plan) -> dict[str, Any]:
    """The NetworkMap object for one vCenter."""
    opt = plan.options
    entries = []
    for net in decision.entries:
        kind, value = net.sources[0]
        destination: dict[str, Any] = {"type": net.target}
        if net.target == "multus":
            destination = {"type": "multus", "namespace": opt.namespace, "name": net.nad}
        entries.append({"source": {kind: value}, "destination": destination})
    return {
        "apiVersion": API_VERSION,
        "kind": "NetworkMap",
        "metadata": {"name": decision.name, "namespace": opt.mtv_namespace},
        "spec": {
            "provider": {
                "source": {"name": decision.provider, "namespace": opt.mtv_namespace},
                "destination": {"name": opt.mtv_destination, "namespace": opt.mtv_namespace},
            },
            "map": entries,
        },
    }


def network_maps(plan: Plan) -> list[dict[str, Any]]:
    """Every NetworkMap of *plan*, sorted by name."""
    return [network_map(d, plan) for d in sorted(plan.network_maps, key=lambda d: d.name)]
