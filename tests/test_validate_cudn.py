"""`trunkline validate` on ClusterUserDefinedNetworks: each mistake class in hand-written CUDNs, with its
line, and how CUDNs fit the NNCPs, NetworkMaps and VM patches of the directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.manifests import CUDN_TEXT
from tests.support.plan import estate_plan
from trunkline.openshift.render import write_plan
from trunkline.openshift.validate import validate_directory

NNCP = """\
apiVersion: nmstate.io/v1
kind: NodeNetworkConfigurationPolicy
metadata:
  name: physnet-policy
spec:
  nodeSelector:
    node-role.kubernetes.io/worker: ""
  desiredState:
    ovn:
      bridge-mappings:
      - localnet: physnet
        bridge: br-ex
        state: present
"""

#: One CUDN per mistake class; the comment on the offending line names the key expected there.
MISTAKES = """\
---
apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata:
  name: vgt
spec:
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: vms
  network:
    topology: Localnet
    localnet:
      role: Secondary
      physicalNetworkName: physnet
      vlan:
        mode: Access
        access:
          id: 4095               # cudn-vlan-range
      ipam: {mode: Disabled}
---
apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata:
  name: trunk
spec:
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: vms
  network:
    topology: Localnet
    localnet:
      role: Secondary
      physicalNetworkName: physnet
      vlan:
        mode: Trunk              # cudn-vlan-mode
      ipam: {mode: Disabled}
---
apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata:
  name: jumbo
spec:
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: vms
  network:
    topology: Localnet
    localnet:
      role: Secondary
      physicalNetworkName: physnet
      mtu: 70000                 # cudn-mtu-range
      ipam: {mode: Disabled}
---
apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata:
  name: v6
spec:
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: vms
  network:
    topology: Localnet
    localnet:                    # cudn-mtu-ipv6
      role: Secondary
      physicalNetworkName: physnet
      mtu: 1000
      subnets: [2001:db8::/64]
---
apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata:
  name: colon
spec:
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: vms
  network:
    topology: Localnet
    localnet:
      role: Secondary
      physicalNetworkName: "phys:net"   # cudn-physical-network-name cudn-localnet-unmapped
      ipam: {mode: Disabled}
---
apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata:
  name: subnets-off
spec:
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: vms
  network:
    topology: Localnet
    localnet:                    # cudn-subnets-ipam
      role: Secondary
      physicalNetworkName: physnet
      subnets: [192.0.2.0/24, 198.51.100.0/24]   # cudn-subnet-families
      ipam: {mode: Disabled}
---
apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata:
  name: in-default
spec:
  namespaceSelector:
    matchExpressions:
    - key: kubernetes.io/metadata.name
      operator: In
      values:
      - vms
      - default                  # cudn-namespace-forbidden
      - openshift-mtv            # cudn-namespace-forbidden
  network:
    topology: Localnet
    localnet:
      role: Secondary
      physicalNetworkName: physnet
      ipam: {mode: Disabled}
---
apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata:
  name: everywhere
spec:
  namespaceSelector: {}          # cudn-selector-everything
  network:
    topology: Localnet
    localnet:
      role: Secondary
      physicalNetworkName: physnet
      ipam: {mode: Disabled}
---
apiVersion: k8s.ovn.org/v1
kind: ClusterUserDefinedNetwork
metadata:
  name: typo
  namespace: vms                 # namespace-on-cluster-scoped
spec:
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: vms
  network:
    topology: Localnet
    localnet:                    # cudn-role (role is missing)
      physicalNetworkName: physnet
      vlanID: 40                 # cudn-unknown-field
      ipam: {mode: Disabled}
---
apiVersion: k8s.ovn.org/v2      # api-version
kind: ClusterUserDefinedNetwork
metadata:
  name: future
spec:
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: vms
  network:
    topology: Localnet
    localnet:
      role: Secondary
      physicalNetworkName: physnet
      ipam: {mode: Disabled}
"""


def _expected(text: str, file: str) -> list[tuple[str, int, str]]:
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if "#" in line and not line.strip().startswith("#"):
            for key in line.split("#", 1)[1].split():
                if key.startswith(("cudn-", "api-", "namespace-")):
                    out.append((file, number, key))
    return out


def _write(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_a_correct_cudn_with_its_bridge_mapping_has_no_finding(tmp_path):
    result = validate_directory(_write(tmp_path, {"nncp.yaml": NNCP, "cudns.yaml": CUDN_TEXT}))
    assert result.findings == ()
    assert result.kinds == {"ClusterUserDefinedNetwork": 1, "NodeNetworkConfigurationPolicy": 1}
    assert result.notes == ()


def test_each_mistake_class_is_found_on_its_line(tmp_path):
    result = validate_directory(_write(tmp_path, {"nncp.yaml": NNCP, "cudns.yaml": MISTAKES}))
    found = sorted((f.file, f.line, f.key) for f in result.findings)
    expected = sorted(_expected(MISTAKES, "cudns.yaml"))
    assert found == expected
    by_key = {f.key: f for f in result.findings}
    assert by_key["cudn-vlan-range"].field == "spec.network.localnet.vlan.access.id"
    assert by_key["cudn-vlan-range"].message.startswith("VLAN 4095 (vSphere guest tagging")
    assert by_key["cudn-unknown-field"].message.startswith(
        "spec.network.localnet.vlanID is not a field of the CUDN schema; the API server drops it silently"
    )
    assert by_key["cudn-localnet-unmapped"].message == (
        "no NNCP maps physical network 'phys:net' to an OVS bridge (ovn.bridge-mappings localnets: physnet), "
        "so VMs on this CUDN reach no wire; add the mapping to an NNCP or name a mapped one"
    )
    assert by_key["cudn-mtu-ipv6"].object == "ClusterUserDefinedNetwork v6"


NETWORK_MAP = """\
apiVersion: forklift.konveyor.io/v1beta1
kind: NetworkMap
metadata:
  name: vc1
  namespace: openshift-mtv
spec:
  provider:
    source: {name: vc1, namespace: openshift-mtv}
    destination: {name: host, namespace: openshift-mtv}
  map:
  - source: {id: dvportgroup-40}
    destination: {type: multus, namespace: apps, name: web}
  - source: {id: dvportgroup-41}
    destination:
      type: multus
      namespace: billing
      name: web
"""


def test_networkmap_and_vm_patch_naming_a_namespace_the_selector_does_not_list(tmp_path):
    patch = {"spec": {"template": {"spec": {
        "domain": {"devices": {"interfaces": [{"name": "net-0", "bridge": {}},
                                              {"name": "net-1", "bridge": {}}]}},
        "networks": [{"name": "net-0", "multus": {"networkName": "vms/web"}},
                     {"name": "net-1", "multus": {"networkName": "billing/web"}}],
    }}}}  # fmt: skip
    (tmp_path / "vms").mkdir()
    (tmp_path / "vms" / "vm1.json").write_text(json.dumps(patch, indent=1))
    result = validate_directory(
        _write(tmp_path, {"nncp.yaml": NNCP, "cudns.yaml": CUDN_TEXT, "networkmaps.yaml": NETWORK_MAP})
    )
    found = sorted((f.file, f.line, f.field, f.key) for f in result.findings)
    vm_line = json.dumps(patch, indent=1).splitlines().index('       "networkName": "billing/web"') + 1
    assert found == [
        ("networkmaps.yaml", 16, "spec.map[1].destination.namespace", "cudn-namespace-not-selected"),
        ("vms/vm1.json", vm_line, "spec.template.spec.networks[1].multus.networkName",
         "cudn-namespace-not-selected"),
    ]  # fmt: skip
    assert result.findings[0].message.startswith(
        "NAD billing/web would come from CUDN web (cudns.yaml:2), whose namespaceSelector lists apps, vms by "
        "name, so the controller creates no NAD in 'billing'; add 'billing'"
    )


def test_a_namespace_less_vm_network_on_a_cudn_is_fine_and_checked_against_the_target(tmp_path):
    patch = {"spec": {"template": {"spec": {
        "domain": {"devices": {"interfaces": [{"name": "net-0", "bridge": {}}]}},
        "networks": [{"name": "net-0", "multus": {"networkName": "web"}}],
    }}}}  # fmt: skip
    (tmp_path / "vm.json").write_text(json.dumps(patch))
    _write(tmp_path, {"nncp.yaml": NNCP, "cudns.yaml": CUDN_TEXT})
    assert validate_directory(tmp_path).findings == ()
    keys = [f.key for f in validate_directory(tmp_path, target_namespace="billing").findings]
    assert keys == ["cudn-namespace-not-selected"]


def test_a_label_selector_is_a_note_not_a_finding(tmp_path):
    by_name = "    matchExpressions:\n    - key: kubernetes.io/metadata.name\n      operator: In\n"
    text = CUDN_TEXT.replace(by_name + "      values: [vms, apps]\n",
                             "    matchLabels:\n      team: payments\n")
    result = validate_directory(_write(tmp_path, {"nncp.yaml": NNCP, "cudns.yaml": text}))
    assert result.findings == ()
    assert result.notes == (
        "cudns.yaml:2: CUDN web selects namespaces by label (team=payments), which cannot be checked "
        "offline: run `oc get namespaces -l ...` with the selector to see which namespaces get its NAD "
        "(never default or openshift-*)",
    )
    cli = run_cli("validate", str(tmp_path))
    assert cli.returncode == 0
    assert cli.stderr.startswith("note: cudns.yaml:2: CUDN web selects namespaces by label")
    as_json = json.loads(run_cli("validate", str(tmp_path), "--json").stdout)
    assert (as_json["findings"], as_json["notes"]) == ([], list(result.notes))


def test_a_generated_cudn_plan_validates_clean_and_a_missing_mapping_is_caught(tmp_path):
    out = tmp_path / "plan"
    write_plan(estate_plan(), out, "plan")
    assert validate_directory(out).findings == ()
    (out / "nncp.yaml").unlink()
    (out / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
        "- cudns.yaml\n- networkmaps.yaml\n"
    )
    keys = {f.key for f in validate_directory(out).findings}
    assert keys == {"cudn-localnet-unmapped"}


@pytest.mark.parametrize("name", ["cudns.yaml"])
def test_a_cudn_file_checked_alone_does_not_report_missing_mappings(tmp_path, name):
    _write(tmp_path, {name: CUDN_TEXT})
    assert validate_directory(tmp_path / name).findings == ()


def test_a_hand_written_nad_in_the_way_of_a_cudn_is_a_finding(tmp_path):
    nad = (
        "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: web\n"
        "  namespace: vms\nspec:\n  config: '{\"cniVersion\": \"0.3.1\", \"name\": \"web\", \"type\": "
        "\"ovn-k8s-cni-overlay\", \"topology\": \"localnet\", \"netAttachDefName\": \"vms/web\", "
        "\"physicalNetworkName\": \"physnet\"}'\n"
    )
    files = {"nncp.yaml": NNCP, "cudns.yaml": CUDN_TEXT, "nad.yaml": nad}
    result = validate_directory(_write(tmp_path, files))
    assert [(f.file, f.line, f.key) for f in result.findings] == [("nad.yaml", 4, "cudn-nad-conflict")]
    expected = "CUDN web (cudns.yaml:2) creates a NAD of this name in 'vms'"
    assert result.findings[0].message.startswith(expected)


@pytest.mark.parametrize(
    ("old", "new", "keys"),
    [
        ("      physicalNetworkName: physnet\n", "", ["cudn-physical-network-name-missing"]),
        ("physicalNetworkName: physnet", "physicalNetworkName: " + "p" * 254,
         ["cudn-localnet-unmapped", "cudn-physical-network-name-length"]),
        ("          id: 40", "          id: '40'", ["cudn-vlan-range"]),
        ("      mtu: 1500", "      mtu: 1500.5", ["cudn-mtu-range"]),
        ("    topology: Localnet", "    topology: localnet",
         ["cudn-localnet-mismatch", "cudn-topology-invalid"]),
        ("  name: web", "  name: Web_Net", ["cudn-name-invalid"]),
        ("      operator: In", "      operator: in", ["cudn-selector-operator"]),
    ],
)  # fmt: skip
def test_type_and_spelling_mistakes_in_a_hand_written_cudn(tmp_path, old, new, keys):
    assert old in CUDN_TEXT
    text = CUDN_TEXT.replace(old, new)
    result = validate_directory(_write(tmp_path, {"nncp.yaml": NNCP, "cudns.yaml": text}))
    assert sorted(f.key for f in result.findings) == keys
