"""Read what the lab needs from a plan directory: the NNCPs' desiredState and the NADs.

A plan directory is what ``trunkline plan -o DIR`` writes (or any directory of manifests), read by
``validate``'s loader; the ``NodeNetworkConfigurationPolicy`` (``nmstate.io/v1``) and
``NetworkAttachmentDefinition`` (``k8s.cni.cncf.io/v1``) objects are kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trunkline.errors import BadInputError
from trunkline.openshift.manifests import (
    BRIDGE_RESOURCE_PREFIX,
    RESOURCE_NAME_ANNOTATION,
    Document,
    Kind,
    load_manifests,
    refuse_duplicate_keys,
)
from trunkline.openshift.objects import BRIDGE_CNI_TYPES, CniVlans, read_nad

__all__ = ["BRIDGE_CNI_TYPES", "Nad", "Nncp", "PlanDir", "load_plan_dir"]


@dataclass(frozen=True)
class Nncp:
    """One NodeNetworkConfigurationPolicy: its name, file and ``spec.desiredState`` (as written)."""

    name: str
    path: Path
    desired_state: dict[str, Any]
    doc: Document | None = field(default=None, compare=False, repr=False)

    def where(self, fld: str) -> str:
        """``file:line`` of field *fld* (``spec.desiredState.interfaces[0]``) of this NNCP."""
        return f"{self.doc.file}:{self.doc.line_of(fld)}" if self.doc else str(self.path)


@dataclass(frozen=True)
class Nad:
    """One NetworkAttachmentDefinition: name, namespace, ``resourceName`` annotation, parsed CNI config,
    and what it puts on the uplink (:func:`trunkline.openshift.objects.read_nad`)."""

    name: str
    namespace: str
    path: Path
    resource_name: str | None
    config: dict[str, Any]
    vlans: CniVlans | None = None

    @property
    def cni_type(self) -> str:
        return str(self.config.get("type", ""))

    @property
    def bridge(self) -> str | None:
        value = self.config.get("bridge")
        return str(value) if value is not None else None

    @property
    def vlan(self) -> int | None:
        """The access VLAN ID of a bridge CNI NAD (``vlan`` 1-4094), or ``None`` (untagged or a trunk)."""
        v = self.vlans
        if v is None or v.backend != "bridge" or len(v.tagged) != 1 or v.tagged[0][0] != v.tagged[0][1]:
            return None
        return None if v.field.endswith("vlanTrunk") else v.tagged[0][0]

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
        BadInputError: *path* does not exist or a file does not parse, a NAD whose config or VLAN settings
            ``validate`` reports (the first problem, with file and line), or the directory holds no NNCP
            or no NAD (a cudn-localnet plan: said so).
    """
    plan = PlanDir(path)
    cudns = 0
    for doc in load_manifests(path):
        refuse_duplicate_keys(doc)
        cudns += doc.kind == Kind.CUDN
        raw_spec = doc.body.get("spec")
        spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
        if doc.kind == Kind.NNCP:
            state = spec.get("desiredState") or {}
            if not isinstance(state, dict):
                raise BadInputError(f"{doc.where}: NNCP {doc.name}: spec.desiredState must be a mapping")
            plan.nncps.append(Nncp(doc.name or "", Path(doc.file), state, doc))
        elif doc.kind == Kind.NAD:
            vlans, problems = read_nad(doc.body)
            if problems:
                first = problems[0]
                raise BadInputError(
                    f"{doc.file}:{doc.line_of(first.field)}: NAD {doc.name}: {first.field}: {first.message}; "
                    "fix it (`trunkline validate` lists every problem)"
                )
            config = json.loads(doc.body["spec"]["config"])
            meta = doc.body.get("metadata")
            raw = meta.get("annotations") if isinstance(meta, dict) else None
            annotations: dict[str, Any] = raw if isinstance(raw, dict) else {}
            plan.nads.append(
                Nad(
                    doc.name or "",
                    doc.namespace or "default",
                    Path(doc.file),
                    annotations.get(RESOURCE_NAME_ANNOTATION),
                    config,
                    vlans,
                )
            )
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
