"""Reading manifest files (trunkline.openshift.manifests): every finding names the line of its field in its
own document, in multi-document files and in `kind: List` files alike (pure, no root)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.manifests import nncp_text
from trunkline.errors import BadInputError
from trunkline.lab.plandir import load_plan_dir
from trunkline.openshift.validate import validate_directory
from trunkline.verify import read_nads

CONFIG_41 = json.dumps(
    {
        "cniVersion": "0.3.1",
        "name": "vm-vlan-41",
        "type": "cnv-bridge",
        "bridge": "vlan-trunk",
        "vlan": 41,
        "ipam": {},
        "preserveDefaultVlan": False,
    }
)
CONFIG_40 = CONFIG_41.replace("41", "40")

#: Every kind trunkline reads, findings in several documents; `# <- key` marks the line each finding names.
OBJECTS = [
    nncp_text("mode: trunk\ntrunk-tags:\n  - id: 40\n  - id: 5000  # <- vlan-out-of-range").rstrip("\n"),
    f"""apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: vm-vlan-41
  namespace: default
  labels:
    migrated: yes  # <- kubectl-scalar
  annotations:
    k8s.v1.cni.cncf.io/resourceName: bridge.network.kubevirt.io/vlan-trunk
spec:
  config: '{CONFIG_41}'  # <- vlan-not-on-uplink""",
    f"""apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: vm-vlan-40
  namespace: default
  annotations:
    k8s.v1.cni.cncf.io/resourceName: bridge.network.kubevirt.io/vlan-trunk
spec:
  config: '{CONFIG_40}'""",
    """apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: web
  namespace: default
  namespace: default  # <- duplicate-key
spec:
  template:
    spec:
      domain:
        devices:
          interfaces:
            - name: nic-0
              bridge: {}
              model: vmxnet3  # <- kubevirt-model-invalid
              state: sleeping  # <- kubevirt-state-invalid
      networks:
        - name: nic-0
          multus:
            networkName: default/vm-vlan-40""",
    """apiVersion: forklift.konveyor.io/v1beta1
kind: NetworkMap
metadata:
  name: m
  namespace: openshift-mtv
spec:
  provider:
    source: {name: vc, namespace: openshift-mtv}
    destination: {name: host, namespace: openshift-mtv}
  map:
    - source: {id: dvportgroup-20}
      destination: {type: multus, namespace: default, name: vm-vlan-40}
    - source: {id: dvportgroup-21}
      destination:
        type: bogus  # <- networkmap-type-invalid
        priority: 010  # <- kubectl-scalar""",
]


def multi_document() -> str:
    return "\n---\n".join(OBJECTS) + "\n"


def as_list() -> str:
    items = ["- " + obj.replace("\n", "\n  ") for obj in OBJECTS]
    return "apiVersion: v1\nkind: List\nitems:\n" + "\n".join(items) + "\n"


def marked(text: str) -> set[tuple[int, str]]:
    return {
        (n, m.group(1))
        for n, line in enumerate(text.splitlines(), 1)
        if (m := re.search(r"# <- (\S+)", line))
    }


@pytest.mark.parametrize("layout", [multi_document, as_list], ids=["documents", "kind-List"])
def test_every_finding_names_the_line_of_its_field_in_its_own_document(
    tmp_path: Path, layout: object
) -> None:
    text = layout()  # type: ignore[operator]
    (tmp_path / "all.yaml").write_text(text)
    findings = validate_directory(tmp_path).findings
    assert {(f.line, f.key) for f in findings} == marked(text)
    lines = text.splitlines()
    for f in findings:  # the line holds the field the finding names (its last key; the JSON config's key)
        last = (
            "config"
            if f.field.startswith("spec.config")
            else re.sub(r"\[\d+\]$", "", f.field).rsplit(".", 1)[-1]
        )
        assert f"{last}:" in lines[f.line - 1], (f, lines[f.line - 1])


def test_lab_and_verify_refuse_a_key_written_twice_naming_its_line(tmp_path: Path) -> None:
    nad = OBJECTS[2].replace("  name: vm-vlan-40\n", "  name: vm-vlan-40\n  name: vm-vlan-40\n")
    (tmp_path / "nncp.yaml").write_text(OBJECTS[0].replace("5000", "41") + "\n")
    (tmp_path / "nad.yaml").write_text(nad + "\n")
    for read in (load_plan_dir, read_nads):
        with pytest.raises(
            BadInputError, match=r"^nad\.yaml:5: key 'name' appears twice in one mapping \(also line 4\)"
        ):
            read(tmp_path)
