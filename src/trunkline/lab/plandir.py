"""Read what the lab needs from a plan directory: the NNCPs' desiredState and the NADs.

A plan directory is what ``trunkline plan -o DIR`` writes (or any directory of Kubernetes YAML): every
``*.yaml``/``*.yml`` file below it is read, and the ``NodeNetworkConfigurationPolicy``
(``nmstate.io/v1``) and ``NetworkAttachmentDefinition`` (``k8s.cni.cncf.io/v1``) objects are kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trunkline.errors import BadInputError

RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"
BRIDGE_RESOURCE_PREFIX = "bridge.network.kubevirt.io/"
BRIDGE_CNI_TYPES = ("cnv-bridge", "bridge")


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
    """Read every YAML file under *path*; return its NNCPs and NADs.

    Raises:
        BadInputError: *path* is not a directory, a file is not YAML, a NAD's ``spec.config`` is not JSON,
            or the directory holds no NNCP or no NAD.
    """
    if not path.is_dir():
        raise BadInputError(f"{path}: not a directory; give the directory `trunkline plan -o DIR` wrote")
    plan = PlanDir(path)
    for file in sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()):
        try:
            docs = [d for d in yaml.safe_load_all(file.read_text()) if isinstance(d, dict)]
        except yaml.YAMLError as exc:
            raise BadInputError(f"{file}: not valid YAML ({str(exc).splitlines()[0]}); fix the file") from exc
        for doc in docs:
            kind, meta = doc.get("kind"), doc.get("metadata") or {}
            if kind == "NodeNetworkConfigurationPolicy":
                state = (doc.get("spec") or {}).get("desiredState") or {}
                plan.nncps.append(Nncp(str(meta.get("name", "")), file, state))
            elif kind == "NetworkAttachmentDefinition":
                plan.nads.append(_nad(doc, meta, file))
    if not plan.nncps:
        raise BadInputError(
            f"{path}: no NodeNetworkConfigurationPolicy found; the lab configures the node from it"
        )
    if not plan.nads:
        raise BadInputError(f"{path}: no NetworkAttachmentDefinition found; the lab attaches VMs with them")
    return plan


def _nad(doc: dict[str, Any], meta: dict[str, Any], file: Path) -> Nad:
    name = str(meta.get("name", ""))
    raw = (doc.get("spec") or {}).get("config", "{}")
    try:
        config = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise BadInputError(
            f"{file}: NAD {name}: spec.config is not JSON ({exc}); fix the config string"
        ) from exc
    if not isinstance(config, dict):
        raise BadInputError(f"{file}: NAD {name}: spec.config must be a JSON object")
    annotations = meta.get("annotations") or {}
    return Nad(
        name, str(meta.get("namespace", "default")), file, annotations.get(RESOURCE_NAME_ANNOTATION), config
    )
