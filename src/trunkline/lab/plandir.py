"""Read what the lab needs from a plan directory: the NNCPs' desiredState and the NADs.

A plan directory is what ``trunkline plan -o DIR`` writes (or any directory of manifests), read by
``validate``'s loader; the ``NodeNetworkConfigurationPolicy`` (``nmstate.io/v1``) and
``NetworkAttachmentDefinition`` (``k8s.cni.cncf.io/v1``) objects are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trunkline.errors import BadInputError
from trunkline.openshift.manifests import (
    BRIDGE_CNI_TYPES,
    BRIDGE_RESOURCE_PREFIX,
    RESOURCE_NAME_ANNOTATION,
    Kind,
    load_manifests,
    nad_config,
)

__all__ = ["BRIDGE_CNI_TYPES", "Nad", "Nncp", "PlanDir", "load_plan_dir"]


@dataclass(frozen=True)
class Nncp:
    """One NodeNetworkConfigurationPolicy: its name, file and ``spec.desiredState`` (as written)."""

    name: str
    path: Path
    desired_state: dict[str, Any]


@dataclass(frozen=True)
class Nad:
    """One NetworkAttachmentDefinition: name, namespace, ``resourceName`` annotation, parsed CNI config."""

    name: str
    namespace: str
    path: Path
    resource_name: str | None
    config: dict[str, Any]

    @property
    def cni_type(self) -> str:
        return str(self.config.get("type", ""))

    @property
    def bridge(self) -> str | None:
        value = self.config.get("bridge")
        return str(value) if value is not None else None

    @property
    def vlan(self) -> int | None:
        """The access VLAN ID (``vlan`` key, 1-4094), or ``None`` when untagged (absent or 0)."""
        value = self.config.get("vlan")
        return int(value) if isinstance(value, int) and value > 0 else None

    @property
    def resource_bridge(self) -> str | None:
        """The bridge the ``resourceName`` annotation asks for (``bridge.network.kubevirt.io/<bridge>``)."""
        if self.resource_name and self.resource_name.startswith(BRIDGE_RESOURCE_PREFIX):
            return self.resource_name[len(BRIDGE_RESOURCE_PREFIX) :]
        return None


@dataclass(frozen=True)
class PlanDir:
    """The NNCPs and NADs of a plan directory, in file order."""

    path: Path
    nncps: list[Nncp] = field(default_factory=list)
    nads: list[Nad] = field(default_factory=list)


def load_plan_dir(path: Path) -> PlanDir:
    """Read the manifests under *path* (:func:`~trunkline.openshift.manifests.load_manifests`).

    Raises:
        BadInputError: *path* does not exist or a file does not parse, a NAD's ``spec.config`` is not a
            JSON object, or the directory holds no NNCP or no NAD (a cudn-localnet plan: said so).
    """
    plan = PlanDir(path)
    cudns = 0
    for doc in load_manifests(path):
        cudns += doc.kind == Kind.CUDN
        raw_spec = doc.body.get("spec")
        spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
        if doc.kind == Kind.NNCP:
            state = spec.get("desiredState") or {}
            if not isinstance(state, dict):
                raise BadInputError(f"{doc.where}: NNCP {doc.name}: spec.desiredState must be a mapping")
            plan.nncps.append(Nncp(doc.name or "", Path(doc.file), state))
        elif doc.kind == Kind.NAD:
            config = nad_config(doc)
            if config is None:
                raise BadInputError(f"{doc.where}: NAD {doc.name}: spec.config is not a JSON object; fix it")
            meta = doc.body.get("metadata")
            raw = meta.get("annotations") if isinstance(meta, dict) else None
            annotations: dict[str, Any] = raw if isinstance(raw, dict) else {}
            plan.nads.append(Nad(doc.name or "", doc.namespace or "default", Path(doc.file),
                                 annotations.get(RESOURCE_NAME_ANNOTATION), config))
    if not plan.nncps:
        raise BadInputError(f"{path}: no NodeNetworkConfigurationPolicy found; the lab needs one")
    if cudns and not plan.nads:
        raise BadInputError(
            f"{path}: holds {cudns} ClusterUserDefinedNetwork(s) and no NAD: the lab cannot test the "
            "cudn-localnet backend (OVN-Kubernetes creates those NADs in a cluster, and the lab runs only "
            "the bridge CNI); check the plan with `trunkline validate`, or run the lab on a linux-bridge plan"
        )
    if not plan.nads:
        raise BadInputError(f"{path}: no NetworkAttachmentDefinition found; the lab attaches VMs with them")
    return plan
