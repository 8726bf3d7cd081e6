"""The one reading of the OpenShift objects (trunkline.openshift.objects): every bridge-port shape means
one thing, with its upstream source, and validate, lab and verify agree on it (pure, no root)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli
from tests.support.manifests import nncp_text
from trunkline.errors import BadInputError
from trunkline.lab.desiredstate import parse_desired_state
from trunkline.lab.plandir import load_plan_dir
from trunkline.openshift.objects import read_cni_vlans, read_port_vlans, read_vm
from trunkline.openshift.validate import validate_directory
from trunkline.verify import read_nads

ALL = ((1, 4094),)


@dataclass(frozen=True)
class Shape:
    """A bridge-port shape, what it lets through, and the upstream behaviour that says so."""

    name: str
    vlan: Any  # the port's `vlan` value; ABSENT for no key
    bridge_state: str | None
    tagged: tuple[tuple[int, int], ...]
    untagged: int | None
    source: str


ABSENT = object()

SHAPES = [
    Shape(
        "no vlan key",
        ABSENT,
        "up",
        ((2, 4094),),
        1,
        "kubernetes-nmstate ApplyDefaultVlanFiltering: trunk 2-4094; NM default PVID 1",
    ),
    Shape(
        "vlan: null",
        None,
        "up",
        ((2, 4094),),
        1,
        "kubernetes-nmstate: a null vlan is unset, so it gets the default trunk",
    ),
    Shape(
        "no vlan key, bridge without state",
        ABSENT,
        None,
        (),
        1,
        "kubernetes-nmstate adds the default trunk to bridges with state: up only",
    ),
    Shape("vlan: {}", {}, "up", (), 1, "nmstate: no VLAN configuration on the port"),
    Shape("access", {"mode": "access", "tag": 40}, "up", (), 40, "nmstate access: tag is PVID, untagged"),
    Shape(
        "trunk",
        {"mode": "trunk", "trunk-tags": [{"id": 40}, {"id-range": {"min": 10, "max": 20}}]},
        "up",
        ((10, 20), (40, 40)),
        1,
        "nmstate trunk tags; NM adds the default PVID 1 to the port",
    ),
    Shape(
        "trunk tagging VLAN 1",
        {"mode": "trunk", "trunk-tags": [{"id-range": {"min": 1, "max": 5}}]},
        "up",
        ((1, 5),),
        None,
        "NM adds no default PVID when the port's list holds VLAN 1",
    ),
    Shape(
        "trunk with native",
        {"mode": "trunk", "enable-native": True, "tag": 5, "trunk-tags": [{"id": 40}]},
        "up",
        ((40, 40),),
        5,
        "nmstate: enable-native makes tag the PVID, untagged",
    ),
    Shape(
        "ids as strings",
        {"mode": "trunk", "trunk-tags": [{"id": "40"}, {"id-range": {"min": "7", "max": "9"}}]},
        "up",
        ((7, 9), (40, 40)),
        1,
        "nmstate reads numbers written as strings (u16_or_string)",
    ),
]


def _port(shape: Shape) -> dict[str, Any]:
    return {"name": "ens34"} if shape.vlan is ABSENT else {"name": "ens34", "vlan": shape.vlan}


def _desired(port: dict[str, Any], state: str | None = "up") -> dict[str, Any]:
    bridge: dict[str, Any] = {"name": "vlan-trunk", "type": "linux-bridge", "bridge": {"port": [port]}}
    if state:
        bridge["state"] = state
    return {"interfaces": [bridge]}


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_each_port_shape_has_one_meaning_in_validate_and_the_lab(shape: Shape) -> None:
    vlans, problems = read_port_vlans(_port(shape), "p", shape.bridge_state == "up")
    assert problems == []
    assert (vlans.tagged, vlans.untagged) == (shape.tagged, shape.untagged), shape.source
    node = parse_desired_state([("p", _desired(_port(shape), shape.bridge_state))])
    built = node.bridges[0].ports[0].vlan
    if vlans.filtering:  # the lab builds exactly these VLANs on the port
        assert built is not None and (built.tagged, built.native) == (shape.tagged, shape.untagged)
    else:  # no VLAN configuration: the bridge does not filter, untagged frames pass untagged
        assert built is None and not node.bridges[0].vlan_filtering and shape.untagged == 1


def _nad(name: str, **config: Any) -> dict[str, Any]:
    body = {
        "cniVersion": "0.3.1",
        "name": name,
        "type": "cnv-bridge",
        "bridge": "vlan-trunk",
        "ipam": {},
        "macspoofchk": True,
        "preserveDefaultVlan": False,
        "mtu": 1500,
        **config,
    }
    return {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {
            "name": name,
            "namespace": "default",
            "annotations": {"k8s.v1.cni.cncf.io/resourceName": "bridge.network.kubevirt.io/vlan-trunk"},
        },
        "spec": {"config": json.dumps(body)},
    }


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_validate_flags_exactly_the_nads_the_shape_does_not_carry(shape: Shape, tmp_path: Path) -> None:
    nncp = {
        "apiVersion": "nmstate.io/v1",
        "kind": "NodeNetworkConfigurationPolicy",
        "metadata": {"name": "p"},
        "spec": {"desiredState": _desired(_port(shape), shape.bridge_state)},
    }
    nads = [_nad("untagged"), _nad("v1", vlan=1), _nad("v7", vlan=7), _nad("v40", vlan=40)]
    (tmp_path / "nncp.yaml").write_text(yaml.safe_dump(nncp))
    (tmp_path / "nads.yaml").write_text(yaml.safe_dump_all(nads))
    flagged = {f.object.split("/")[-1] for f in validate_directory(tmp_path).findings}
    carried = {"untagged"} if shape.untagged == 1 else set()
    for name, vid in (("v1", 1), ("v7", 7), ("v40", 40)):
        if any(a <= vid <= b for a, b in shape.tagged):
            carried.add(name)
    assert flagged == {"untagged", "v1", "v7", "v40"} - carried


# --------------------------------------------------------------------------------------------------
# Malformed shapes: validate reports each with its line; lab and verify refuse with one line, exit 2
# --------------------------------------------------------------------------------------------------

#: (port vlan lines at 16 spaces, line of the faulty field, finding key)
BAD_PORTS = [
    ("mode: trunk\ntrunk-tags:\n  - id-range: {min: 10}", 17, "port-vlan-invalid"),
    ("mode: trunk\ntrunk-tags:\n  - id: 5000", 17, "vlan-out-of-range"),
    ("trunk-tags:\n  - id: 40", 14, "port-vlan-mode-missing"),  # a missing key: the line of its parent
    ("mode: trunk\ntag: 40\ntrunk-tags:\n  - id: 40", 16, "port-vlan-invalid"),
    ("mode: access", 14, "port-vlan-invalid"),
    ("mode: access\ntag: 40\nenable-native: true", 17, "port-vlan-invalid"),
    ("mode: trunk\ntrunk-tags:\n  - id: 40\n  - id-range: {min: 30, max: 45}", 18, "port-vlan-invalid"),
    ("mode: hybrid", 15, "port-vlan-invalid"),
    ("mode: trunk\ntrunk-tags: [{id: 4}]\ntypo: 1", 17, "port-vlan-key-unknown"),
]
NAD_TEXT = """apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: bad
  namespace: default
  annotations:
    k8s.v1.cni.cncf.io/resourceName: bridge.network.kubevirt.io/vlan-trunk
spec:
  config: '{config}'
"""
BAD_CONFIGS = [
    ({"vlanTrunk": [{"minID": 10}]}, "vlan-trunk-invalid"),
    ({"vlanTrunk": [{"id": 0}]}, "vlan-out-of-range"),
    ({"vlan": 4095}, "vlan-out-of-range"),
    ({"vlan": "40"}, "cni-type-mismatch"),
    ({"vlan": 40, "vlanTrunk": [{"id": 41}]}, "cni-vlan-and-trunk"),
    ({"vlanTrunk": [{"minID": 20, "maxID": 10}]}, "vlan-trunk-invalid"),
]


def _plan(tmp_path: Path, vlan: str | None = None, config: dict[str, Any] | None = None) -> Path:
    (tmp_path / "nncp.yaml").write_text(nncp_text(vlan or "mode: trunk\ntrunk-tags: [{id: 40}]"))
    base = {
        "cniVersion": "0.3.1",
        "name": "bad",
        "type": "cnv-bridge",
        "bridge": "vlan-trunk",
        "ipam": {},
        "preserveDefaultVlan": False,
        **(config if config is not None else {"vlan": 40}),
    }
    (tmp_path / "nad.yaml").write_text(NAD_TEXT.format(config=json.dumps(base)))
    return tmp_path


@pytest.mark.parametrize(("vlan", "line", "key"), BAD_PORTS)
def test_malformed_port_vlan_is_a_finding_on_its_line_and_a_one_line_lab_error(
    tmp_path: Path, vlan: str, line: int, key: str
) -> None:
    plan = _plan(tmp_path, vlan=vlan)
    found = [(f.file, f.line, f.key) for f in validate_directory(plan).findings if f.file == "nncp.yaml"]
    assert ("nncp.yaml", line, key) in found
    nncps = load_plan_dir(plan).nncps
    with pytest.raises(BadInputError) as err:
        parse_desired_state([(n.name, n.desired_state) for n in nncps], lambda i, f: nncps[i].where(f))
    assert "\n" not in err.value.message and err.value.message.startswith("nncp.yaml:")


@pytest.mark.parametrize(("config", "key"), BAD_CONFIGS)
def test_malformed_nad_is_a_finding_and_lab_and_verify_refuse_it_by_line(
    tmp_path: Path, config: dict[str, Any], key: str
) -> None:
    plan = _plan(tmp_path, config=config)
    assert ("nad.yaml", 9, key) in {(f.file, f.line, f.key) for f in validate_directory(plan).findings}
    for read in (load_plan_dir, read_nads):
        with pytest.raises(BadInputError) as err:
            read(plan)
        assert err.value.message.startswith(
            "nad.yaml:9: NAD default/bad: spec.config"
        ) or err.value.message.startswith("nad.yaml:9: NAD bad: spec.config")
        assert "\n" not in err.value.message


def test_lab_refuses_a_port_without_a_name_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(
        BadInputError, match=r"^NNCP p: interfaces\[0\] vlan-trunk: bridge.port\[0\] has no name"
    ):
        parse_desired_state([("p", _desired({"vlan": {}}))])


# --------------------------------------------------------------------------------------------------
# NAD and VM readings
# --------------------------------------------------------------------------------------------------


def test_bridge_cni_vlan_readings() -> None:
    def read(**config: Any) -> tuple[Any, ...]:
        vlans, problems = read_cni_vlans({"type": "cnv-bridge", **config}, "spec.config")
        assert problems == []
        return vlans.tagged, vlans.untagged, vlans.field

    assert read() == ((), True, "spec.config.vlan")
    assert read(vlan=0) == ((), True, "spec.config.vlan")
    assert read(vlan=40) == (((40, 40),), False, "spec.config.vlan")
    trunk = [{"id": 5}, {"minID": 10, "maxID": 20}]
    assert read(vlanTrunk=trunk) == (((5, 5), (10, 20)), True, "spec.config.vlanTrunk")
    assert read(vlanTrunk=trunk, preserveDefaultVlan=False)[:2] == (((5, 5), (10, 20)), False)
    localnet, problems = read_cni_vlans(
        {"type": "ovn-k8s-cni-overlay", "topology": "localnet", "name": "net", "vlanID": 7}, "spec.config"
    )
    assert (localnet.backend, localnet.bridge, localnet.tagged, problems) == (
        "ovn-localnet",
        "net",
        ((7, 7),),
        [],
    )


@pytest.mark.parametrize(
    ("iface", "key"),
    [
        ({"state": "sleeping", "bridge": {}}, "kubevirt-state-invalid"),
        ({"state": "absent", "masquerade": {}}, "kubevirt-state-absent-binding"),
        ({"macAddress": "00:50:56:aa:bb"}, "kubevirt-mac-invalid"),
        ({"macAddress": "00:50-56:aa:bb:cc"}, "kubevirt-mac-invalid"),
        ({"model": "vmxnet3"}, "kubevirt-model-invalid"),
    ],
)
def test_vm_interface_problems(iface: dict[str, Any], key: str) -> None:
    body = {
        "spec": {
            "template": {
                "spec": {
                    "domain": {"devices": {"interfaces": [{"name": "n", **iface}]}},
                    "networks": [{"name": "n", "pod": {}}],
                }
            }
        }
    }
    _ifaces, _nets, problems = read_vm(body)
    assert [p.key for p in problems] == [key]


@pytest.mark.parametrize("state", ["up", "down", "absent"])
def test_vm_interface_states_kubevirt_accepts(state: str) -> None:
    body = {
        "spec": {
            "template": {
                "spec": {
                    "domain": {
                        "devices": {
                            "interfaces": [
                                {"name": "n", "bridge": {}, "state": state, "macAddress": "0050.56AB.cdef"}
                            ]
                        }
                    },
                    "networks": [{"name": "n", "multus": {"networkName": "default/vm-vlan-40"}}],
                }
            }
        }
    }
    ifaces, nets, problems = read_vm(body)
    assert problems == [] and ifaces[0].state == state and nets[0].nad == "default/vm-vlan-40"


@pytest.mark.parametrize("command", [["verify", "{plan}", "lo", "--duration", "1"], ["lab", "{plan}"]])
def test_commands_refuse_a_malformed_nad_in_one_line_with_exit_2(tmp_path: Path, command: list[str]) -> None:
    plan = _plan(tmp_path, config={"vlanTrunk": [{"minID": 10}]})
    proc = run_cli(*(arg.format(plan=plan) for arg in command))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("trunkline: error: nad.yaml:9: NAD ")
    assert "spec.config.vlanTrunk[0]: minID and maxID go together (maxID is missing)" in proc.stderr
