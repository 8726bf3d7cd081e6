"""Manifest builders and checks the validate, lab and verify tests share (not a test module)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from trunkline.openshift.validate import Finding, validate_directory

DATA = Path(__file__).parent.parent / "data"
SEED_DIR = DATA / "validate" / "seed"
#: The sample node-state export the README uses (two OVN workers, ens34 free).
NNS = Path(__file__).parent.parent.parent / "docs" / "examples" / "nns.yaml"

SEED_CONFIG = {
    "name": "vm-vlan-40",
    "type": "cnv-bridge",
    "cniVersion": "0.3.1",
    "bridge": "vlan-trunk",
    "vlan": 40,
    "macspoofchk": True,
    "ipam": {},
    "preserveDefaultVlan": False,
}


def seed_nncp() -> dict[str, Any]:
    return yaml.safe_load((SEED_DIR / "nncp.yaml").read_text())


def seed_nad() -> dict[str, Any]:
    return yaml.safe_load((SEED_DIR / "nad.yaml").read_text())


def nad(
    config: dict[str, Any] | str,
    name: str = "vm-vlan-40",
    namespace: str | None = "default",
    bridge: str | None = "vlan-trunk",
) -> dict[str, Any]:
    doc = seed_nad()
    doc["metadata"]["name"] = name
    if namespace is None:
        del doc["metadata"]["namespace"]
    else:
        doc["metadata"]["namespace"] = namespace
    if bridge is None:
        del doc["metadata"]["annotations"]
    else:
        doc["metadata"]["annotations"]["k8s.v1.cni.cncf.io/resourceName"] = (
            f"bridge.network.kubevirt.io/{bridge}"
        )
    doc["spec"]["config"] = config if isinstance(config, str) else json.dumps(config)
    return doc


def config(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(SEED_CONFIG)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def write(tmp_path: Path, files: dict[str, Any]) -> Path:
    """Write *files* (relative path -> object, list of objects = multi-document, or raw text)."""
    for rel, content in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content)
        elif isinstance(content, list):
            path.write_text(yaml.safe_dump_all(content, sort_keys=False))
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False))
    return tmp_path


def keys(findings: tuple[Finding, ...] | list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.file, f.field, f.key) for f in findings}


def check(directory: Path, **kwargs: Any) -> set[tuple[str, str, str]]:
    return keys(validate_directory(directory, **kwargs).findings)


def vm_patch(
    model: str, network: str = "default/vm-vlan-40", mac: str = "00:50:56:bb:97:0d"
) -> dict[str, Any]:
    return {
        "spec": {
            "template": {
                "spec": {
                    "domain": {
                        "devices": {
                            "interfaces": [{"name": "nic-0", "bridge": {}, "model": model, "macAddress": mac}]
                        }
                    },
                    "networks": [{"name": "nic-0", "multus": {"networkName": network}}],
                }
            }
        }
    }


def network_map(destinations: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "forklift.konveyor.io/v1beta1",
        "kind": "NetworkMap",
        "metadata": {"name": "vcenter-a", "namespace": "openshift-mtv"},
        "spec": {
            "provider": {
                "source": {"name": "vcenter-a", "namespace": "openshift-mtv"},
                "destination": {"name": "host", "namespace": "openshift-mtv"},
            },
            "map": [
                {"source": {"id": f"dvportgroup-{20 + i}"}, "destination": dest}
                for i, dest in enumerate(destinations)
            ],
        },
    }


def nncp_with_explicit_trunk() -> dict[str, Any]:
    doc = seed_nncp()
    doc["spec"]["desiredState"]["interfaces"][0]["bridge"]["port"][0]["vlan"] = {
        "mode": "trunk",
        "trunk-tags": [{"id": 40}],
    }
    return doc




#: An NNCP written as text (for exact lines): bridge vlan-trunk with port ens34 whose ``vlan`` lines
#: start on line 15.
NNCP_TEXT = """apiVersion: nmstate.io/v1
kind: NodeNetworkConfigurationPolicy
metadata:
  name: p
spec:
  desiredState:
    interfaces:
      - name: vlan-trunk
        type: linux-bridge
        state: up
        bridge:
          port:
            - name: ens34
              vlan:
{vlan}
"""


def nncp_text(port_vlan: str) -> str:
    """:data:`NNCP_TEXT` with the port's ``vlan`` mapping *port_vlan* (YAML lines, unindented)."""
    return NNCP_TEXT.format(vlan="\n".join(" " * 16 + line for line in port_vlan.split("\n")))


CUDN_TEXT = """\
---
apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata:
  name: web
spec:
  namespaceSelector:
    matchExpressions:
    - key: kubernetes.io/metadata.name
      operator: In
      values: [vms, apps]
  network:
    topology: Localnet
    localnet:
      role: Secondary
      physicalNetworkName: physnet
      vlan:
        mode: Access
        access:
          id: 40
      mtu: 1500
      ipam:
        mode: Disabled
"""
"""A valid CUDN list: namespaces by name, Localnet on physnet for VLAN 40."""


def trunk_nad(name: str, config: dict[str, object]) -> dict[str, object]:
    """A cnv-bridge NAD on br-trunk with *config* merged into its CNI config."""
    body = {"cniVersion": "0.3.1", "name": name, "type": "cnv-bridge", "bridge": "br-trunk", **config}
    return {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
            "metadata": {"name": name, "namespace": "vms", "annotations": {
                "k8s.v1.cni.cncf.io/resourceName": "bridge.network.kubevirt.io/br-trunk"}},
            "spec": {"config": json.dumps(body)}}


def write_trunk_plan(tmp_path: Path) -> Path:
    """Hand-written NADs: access VLANs 40 and 50, trunk 100-110 without the default VLAN, one untagged."""
    plan = tmp_path / "plan"
    (plan / "nads").mkdir(parents=True)
    (plan / "nads" / "vlan40.yaml").write_text(yaml.safe_dump(trunk_nad("vlan40", {"vlan": 40})))
    (plan / "nads" / "vlan50.yaml").write_text(yaml.safe_dump(trunk_nad("vlan50", {"vlan": 50})))
    (plan / "nads" / "lab-trunk.yaml").write_text(yaml.safe_dump(trunk_nad(
        "lab-trunk", {"vlanTrunk": [{"minID": 100, "maxID": 110}], "preserveDefaultVlan": False})))
    (plan / "flat.yaml").write_text(yaml.safe_dump(trunk_nad("flat", {})))
    (plan / "kustomization.yaml").write_text("resources: [flat.yaml, nads/vlan40.yaml]\n")
    return plan
