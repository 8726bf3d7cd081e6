"""``PLAN_DIR/monitoring/``: the plan index ConfigMaps and their kustomization (pure).

Applied on its own, after the plan (``oc apply -k PLAN_DIR/monitoring``), in namespace ``trunkline``.
The index and its split into ConfigMaps: :mod:`trunkline.planindex`.
"""

from __future__ import annotations

from typing import Any

from trunkline.planindex import NAMESPACE, PlanIndex, configmaps, file_name

DIRECTORY = "monitoring"


def monitoring_documents(index: PlanIndex) -> dict[str, list[dict[str, Any]]]:
    """Relative path (under the plan directory) -> the documents of that file.

    ``monitoring/plan-index-NNN.yaml`` (one ConfigMap each) and ``monitoring/kustomization.yaml`` listing
    them with ``namespace: trunkline``.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for cm in configmaps(index):
        out[f"{DIRECTORY}/{file_name(cm)}"] = [cm]
    resources = [path.split("/", 1)[1] for path in out]
    out[f"{DIRECTORY}/kustomization.yaml"] = [{
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": NAMESPACE,
        "resources": resources,
    }]
    return out
