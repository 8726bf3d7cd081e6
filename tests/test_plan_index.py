"""The plan index: built from the bundled example, written as ConfigMaps by `plan`, split, read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli
from tests.support.plan import big_inventory, plan_index
from trunkline.errors import BadInputError
from trunkline.lab.plandir import load_plan_dir
from trunkline.planindex import (
    ANNOTATION_LIMIT,
    PART_BUDGET,
    IndexNic,
    VlanSet,
    configmaps,
    load_index,
)
from trunkline.verify import read_nads
from trunkline.vsphere.model import Inventory
from trunkline.vsphere.sources import example_text


def test_example_index_lists_every_vm_nic_with_its_expected_vlan_nad_and_states() -> None:
    index = plan_index()
    rows = [(n.vm, n.nic, n.mac, n.port_group, n.expected.describe(), n.nad,
             n.nad_vlans.describe() if n.nad_vlans else None, n.power_state, n.connected, n.template)
            for n in index.nics]
    assert rows == [
        ("app01", "Network adapter 1", "00:50:56:a1:10:02", "vm-vlan-10", "10", "default/vm-vlan-10", "10",
         "poweredOn", True, False),
        ("app01", "Network adapter 2", "00:50:56:a1:20:02", "vm-vlan-20", "20", "default/vm-vlan-20", "20",
         "poweredOn", True, False),
        ("db01", "Network adapter 1", "00:50:56:a1:20:03", "vm-vlan-20", "20", "default/vm-vlan-20", "20",
         "poweredOn", True, False),
        ("monitor01", "Network adapter 1", "00:50:56:a1:30:04", "vm-vlan-30", "30", "default/vm-vlan-30",
         "30", "poweredOff", True, False),
        ("vlan40-client", "Network adapter 1", "00:50:56:a1:40:05", "vm-vlan-40", "40", "default/vm-vlan-40",
         "40", "poweredOn", True, False),
        ("web01", "Network adapter 1", "00:50:56:a1:10:01", "vm-vlan-10", "10", "default/vm-vlan-10", "10",
         "poweredOn", True, False),
    ]
    assert index.nics[3].quiet_reason == "powered off"
    assert [(g.name, g.vlans.describe(), g.bridges, g.trunk_nics) for g in index.groups] == [
        ("workers", "10,20,30,40", ("vlan-trunk",), ("ens34",))
    ]


def test_expected_vlans_of_untagged_trunk_4095_and_template() -> None:
    data = yaml.safe_load(example_text())
    dc = data["vcenters"][0]["datacenters"][0]
    dc["port_groups"] += [
        {"id": "dvportgroup-90", "name": "pg-trunk", "switch": "dvs-21", "vlan": "100-199,300"},
        {"id": "dvportgroup-91", "name": "pg-untagged", "switch": "dvs-21", "vlan": 0},
        {"id": "host-12/vSwitch0/All", "name": "All", "switch": "host-12/vSwitch0", "vlan": 4095},
    ]
    dc["vms"] += [
        {"id": "vm-201", "name": "router", "power_state": "poweredOn", "nics": [
            {"label": "Network adapter 1", "mac": "00:50:56:b0:00:01", "network": "dvportgroup-90"},
            {"label": "Network adapter 2", "mac": "00:50:56:b0:00:02", "network": "dvportgroup-91"},
            {"label": "Network adapter 3", "mac": "00:50:56:b0:00:03", "network": "host-12/vSwitch0/All"}]},
        {"id": "vm-202", "name": "golden", "template": True, "nics": [
            {"label": "Network adapter 1", "mac": "00:50:56:b0:00:04", "network": "dvportgroup-23"}]},
    ]
    index = plan_index(Inventory.model_validate(data))
    by = {(n.vm, n.nic): n for n in index.nics}
    assert by[("router", "Network adapter 1")].expected == VlanSet(((100, 199), (300, 300)), untagged=True)
    assert by[("router", "Network adapter 2")].expected == VlanSet(untagged=True)
    assert by[("router", "Network adapter 3")].expected == VlanSet(every=True)
    assert 4000 in by[("router", "Network adapter 3")].expected and None in VlanSet(untagged=True)
    assert 0 in VlanSet(untagged=True) and 0 not in VlanSet(((40, 40),))
    golden = by[("golden", "Network adapter 1")]
    assert (golden.template, golden.target, golden.nad) == (True, None, None)
    assert golden.quiet_reason == "a template"
    assert golden.expected.describe() == "10"


def test_plan_writes_the_index_as_configmaps_that_validate_lab_and_verify_accept(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    proc = run_cli("plan", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    monitoring = sorted(p.name for p in (out / "monitoring").iterdir())
    assert monitoring == ["base", "counter-workers.yaml", "kustomization.yaml", "plan-index-001.yaml"]
    kust = yaml.safe_load((out / "monitoring/kustomization.yaml").read_text())
    assert kust["resources"] == ["base", "plan-index-001.yaml", "counter-workers.yaml"]
    cm = yaml.safe_load((out / "monitoring/plan-index-001.yaml").read_text())
    assert (cm["kind"], cm["metadata"]["name"], cm["metadata"]["namespace"]) == (
        "ConfigMap", "trunkline-plan-index-001", "trunkline")
    assert json.loads(cm["data"]["index.json"])["parts"] == 1
    assert load_index(out) == plan_index() == load_index(out / "monitoring")
    validate = run_cli("validate", str(out))
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert [n.name for n in read_nads(out)] == [f"default/vm-vlan-{v}" for v in (10, 20, 30, 40)]
    assert len(load_plan_dir(out).nads) == 4


def _annotation_size(cm: dict[str, Any]) -> int:
    """Bytes of the last-applied annotation `oc apply` writes (Go's JSON of the object, UTF-8)."""
    return len(json.dumps(cm, separators=(",", ":"), ensure_ascii=False).encode())


def test_5000_nics_split_into_parts_under_the_annotation_limit_and_read_back(tmp_path: Path) -> None:
    index = plan_index(big_inventory(5000))
    assert len(index.nics) == 5000
    cms = configmaps(index)
    sizes = [_annotation_size(cm) for cm in cms]
    assert len(cms) >= 5 and max(sizes) <= PART_BUDGET < ANNOTATION_LIMIT
    assert min(sizes[:-1]) > PART_BUDGET - 2048  # filled, not one NIC per part
    assert [cm["metadata"]["name"] for cm in cms] == [f"trunkline-plan-index-{i:03d}" for i in
                                                      range(1, len(cms) + 1)]
    for cm in cms:
        (tmp_path / f"{cm['metadata']['name']}.yaml").write_text(yaml.safe_dump(cm))
    assert load_index(tmp_path) == index


def test_mounted_parts_read_as_bare_json_through_the_kubelets_links(tmp_path: Path) -> None:
    """A ConfigMap volume as the kubelet lays it out: files in a hidden timestamped directory, ``..data``
    linking to it, and each key a link through ``..data`` (the DaemonSet's projected volume)."""
    index = plan_index(big_inventory(1200))
    (tmp_path / "..2026_12_06_01_02_03.000000001").mkdir()
    (tmp_path / "..data").symlink_to("..2026_12_06_01_02_03.000000001")
    for i, cm in enumerate(configmaps(index, budget=60_000), 1):
        name = f"plan-index-{i:03d}.json"
        (tmp_path / "..data" / name).write_text(cm["data"]["index.json"])
        (tmp_path / name).symlink_to(f"..data/{name}")
    assert load_index(tmp_path) == index


def _write(directory: Path, cms: list[dict[str, Any]]) -> None:
    directory.mkdir(exist_ok=True)
    for cm in cms:
        (directory / f"{cm['metadata']['name']}.yaml").write_text(yaml.safe_dump(cm))


def test_a_missing_stale_or_doubled_part_is_bad_input(tmp_path: Path) -> None:
    cms = configmaps(plan_index(big_inventory(1200)), budget=60_000)
    assert len(cms) >= 3
    _write(tmp_path / "missing", [cms[0], cms[2]])
    with pytest.raises(BadInputError, match=r"plan index part 002 of \d+ is missing"):
        load_index(tmp_path / "missing")
    other = configmaps(plan_index(), budget=60_000)
    _write(tmp_path / "stale", [*cms, *[{**cm, "metadata": {**cm["metadata"], "name": "trunkline-plan-index-9"
                                                             "99"}} for cm in other]])
    stale = tmp_path / "stale"
    with pytest.raises(BadInputError, match=r"parts of 2 different plans \(plan \w+ in "
                       rf"{stale}/trunkline-plan-index-999.yaml:1; plan \w+ in "
                       rf"{stale}/trunkline-plan-index-001.yaml:1 and \d+ more\); remove the stale ones"):
        load_index(stale)
    _write(tmp_path / "twice", cms)
    (tmp_path / "twice" / "copy.yaml").write_text(yaml.safe_dump(cms[1]))
    with pytest.raises(BadInputError, match="plan index part 2 is also in"):
        load_index(tmp_path / "twice")


def test_hand_written_manifests_have_no_index(tmp_path: Path) -> None:
    (tmp_path / "nad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n")
    assert load_index(tmp_path) is None


def test_malformed_part_names_the_file(tmp_path: Path) -> None:
    cm = configmaps(plan_index())[0]
    cm["data"]["index.json"] = "{not json"
    _write(tmp_path, [cm])
    with pytest.raises(BadInputError, match=r"trunkline-plan-index-001.yaml:1: ConfigMap .* is not JSON"):
        load_index(tmp_path)


def test_nic_row_round_trips() -> None:
    nic = plan_index().nics[0]
    assert IndexNic.from_json(json.loads(json.dumps(nic.to_json())), "x") == nic


def _index_with(tmp_path: Path, edit: Any) -> Path:
    """A copy of the example's index under *tmp_path* with *edit* applied to its parsed part 1."""
    cm = configmaps(plan_index())[0]
    doc = json.loads(cm["data"]["index.json"])
    edit(doc)
    cm["data"]["index.json"] = json.dumps(doc)
    _write(tmp_path, [cm])
    return tmp_path


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["groups"][0]["vlans"].update(ranges=[[10, 99999]]), r"VLAN range \[10, 99999\] is not"),
    (lambda d: d["groups"][0]["vlans"].update(ranges=[[10, 10000000]]), r"VLAN range \[10, 10000000\]"),
    (lambda d: d["nics"][0]["expected"].update(ranges=[[-5, 3]]), r"VLAN range \[-5, 3\] is not"),
    (lambda d: d["nics"][0]["expected"].update(ranges=[[30, 20]]), r"VLAN range \[30, 20\] is not"),
    (lambda d: d["nics"][0].update(mac="zz:zz"), r"NIC MAC 'zz:zz' is not six hex octets"),
])
def test_bad_vlan_ranges_and_macs_in_the_index_are_one_line_exit_2(tmp_path: Path, edit: Any,
                                                                   message: str) -> None:
    directory = _index_with(tmp_path, edit)
    with pytest.raises(BadInputError, match=message):
        load_index(directory)
    group = plan_index().groups[0].name
    proc = run_cli("count", "lo", "--plan-index", str(directory), "--group", group, "--metrics-port", "0")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(f"trunkline: error: {directory}/trunkline-plan-index-001.yaml:1: ")
    assert proc.stderr.endswith("regenerate the index with `trunkline plan`\n")


@pytest.fixture
def example_plan(tmp_path: Path) -> Path:
    """The plan `trunkline plan` writes for the bundled example, as the user names it (relative)."""
    res = run_cli("plan", "-o", str(tmp_path / "plan"))
    assert res.returncode == 0, res.stderr
    return tmp_path / "plan"


def _verify_error(plan: Path) -> str:
    """The stderr of `verify PLAN lo`, which must stop on the index with one line and exit 2."""
    res = run_cli("verify", str(plan), "lo", "--duration", "0.1")
    assert res.returncode == 2, res.stderr
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    return res.stderr


def test_an_empty_index_file_is_named_not_silently_dropped(example_plan: Path) -> None:
    (example_plan / "monitoring" / "plan-index-001.yaml").write_text("")
    assert _verify_error(example_plan) == (
        f"trunkline: error: {example_plan}/monitoring/plan-index-001.yaml:1: holds no plan index part "
        "(empty, or no ConfigMap trunkline-plan-index-NNN); write the plan again with `trunkline plan`, or "
        "remove the file\n")


def _edit_payload(path: Path, edit: Any) -> None:
    cm = yaml.safe_load(path.read_text())
    payload = json.loads(cm["data"]["index.json"])
    edit(payload)
    cm["data"]["index.json"] = json.dumps(payload)
    path.write_text(yaml.safe_dump(cm))


def test_two_parts_1_of_1_name_both_files(example_plan: Path) -> None:
    part = example_plan / "monitoring" / "plan-index-001.yaml"
    copy = example_plan / "monitoring" / "plan-index-001-old.yaml"
    copy.write_text(part.read_text())
    _edit_payload(copy, lambda p: p["nics"][0].update(vm="renamed"))  # same plan digest, other content
    assert _verify_error(example_plan) == (
        f"trunkline: error: {part}:2: plan index part 1 is also in {copy}:1; keep one\n")
    _edit_payload(copy, lambda p: p.update(plan="0123456789abcdef"))  # another plan
    err = _verify_error(example_plan)
    assert err.startswith("trunkline: error: plan index parts of 2 different plans (plan 0123456789abcdef in "
                          f"{copy}:1; plan ")
    assert f" in {part}:2); remove the stale ones" in err


@pytest.mark.parametrize(("edit", "message"), [
    (lambda p: p["nics"][0].update(vm=7), "a NIC entry: field 'vm' is 7, it must be a string"),
    (lambda p: p["nics"][1].update(connected="false"),
     "a NIC entry: field 'connected' is \"false\", it must be true or false"),
    (lambda p: p["nics"][0]["expected"].update(untagged="no"),
     "a VLAN set: field 'untagged' is \"no\", it must be true or false"),
    (lambda p: p["groups"][0]["vlans"].update(ranges=[["10", 20]]),
     "a VLAN set: field 'ranges' is [[\"10\", 20]], it must be a list of [first, last] integer pairs"),
    (lambda p: p["groups"][0].update(bridges="br1"), "a node group entry: field 'bridges' is \"br1\", it "
                                                    "must be a list of strings"),
])
def test_wrong_types_name_the_file_line_and_field(example_plan: Path, edit: Any, message: str) -> None:
    part = example_plan / "monitoring" / "plan-index-001.yaml"
    _edit_payload(part, edit)
    # the ConfigMap as the second document of its file: the line is the document's, not 1
    part.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: trunkline}\n---\n" + part.read_text())
    assert _verify_error(example_plan) == (
        f"trunkline: error: {part}:5: {message}; regenerate the index with `trunkline plan`\n")


def test_a_nic_entry_that_is_not_a_mapping_or_lacks_a_field_is_named_in_plain_words(tmp_path: Path) -> None:
    (cm,) = configmaps(plan_index())
    data = json.loads(cm["data"]["index.json"])
    where = tmp_path / "trunkline-plan-index-001.yaml"
    for nic, problem in (
        ("web01", 'a NIC entry is "web01", not an object'),
        ({k: v for k, v in data["nics"][0].items() if k != "mac"}, "a NIC entry lacks the field 'mac'"),
    ):
        doc = {**data, "nics": [nic]}
        where.write_text(yaml.safe_dump({**cm, "data": {"index.json": json.dumps(doc)}}))
        with pytest.raises(BadInputError) as err:
            load_index(tmp_path)
        assert str(err.value).endswith(f": {problem}; regenerate the index with `trunkline plan`")
        assert "string indices" not in str(err.value)
