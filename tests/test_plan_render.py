"""Writing the plan directory: layout, determinism, atomicity, kustomize, REPORT.md."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.plan import dvs_inventory, plan_for
from trunkline import atomicwrite
from trunkline.errors import BadInputError, EnvironmentProblem
from trunkline.openshift import render
from trunkline.openshift.render import REPORT_TITLE, write_plan
from trunkline.vsphere.model import Inventory


def _inventory() -> Inventory:
    vms = [
        {
            "id": f"vm-{i}",
            "name": f"vm{i}",
            "nics": [
                {"label": "n", "mac": f"00:50:56:00:00:{i:02x}", "network": f"dvportgroup-{100 + i % 4}"}
            ],
        }
        for i in range(6)
    ]
    pgs = [
        {"name": "web", "vlan": 40},
        {"name": "db", "vlan": 41, "security": {"forged_transmits": True}},
        {"name": "vgt", "vlan": 4095},
        {"name": "pv", "vlan": {"type": "pvlan", "secondary": 7}},
        {"name": "flat", "vlan": 0},
    ]
    return dvs_inventory(pgs, vms=vms)


def _tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_directory_layout(tmp_path):
    written = write_plan(plan_for(_inventory()), tmp_path / "out")
    assert written == [
        "REPORT.md",
        "kustomization.yaml",
        "nads.yaml",
        "networkmaps.yaml",
        "nncp.yaml",
        "prereqs/kustomization.yaml",
        "prereqs/nmstate.yaml",
        "vms/vm0.json",
        "vms/vm1.json",
        "vms/vm2.json",
        "vms/vm4.json",
        "vms/vm5.json",
    ]
    assert sorted(_tree(tmp_path / "out")) == sorted([*written, ".trunkline-plan"])
    assert yaml.safe_load((tmp_path / "out/kustomization.yaml").read_text())["resources"] == [
        "nncp.yaml",
        "nads.yaml",
        "networkmaps.yaml",
    ]
    assert yaml.safe_load((tmp_path / "out/prereqs/nmstate.yaml").read_text()) == {
        "apiVersion": "nmstate.io/v1",
        "kind": "NMState",
        "metadata": {"name": "nmstate"},
        "spec": {},
    }


def test_custom_namespace_is_created_by_the_prereqs(tmp_path):
    write_plan(plan_for(_inventory(), namespace="vm-networks"), tmp_path / "out")
    assert yaml.safe_load((tmp_path / "out/prereqs/kustomization.yaml").read_text())["resources"] == [
        "namespace.yaml",
        "nmstate.yaml",
    ]
    assert yaml.safe_load((tmp_path / "out/prereqs/namespace.yaml").read_text()) == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "vm-networks"},
    }


def test_rerun_is_byte_identical(tmp_path):
    out = tmp_path / "out"
    write_plan(plan_for(_inventory()), out, "out")
    first = _tree(out)
    write_plan(plan_for(_inventory()), out, "out")
    assert _tree(out) == first


def test_output_does_not_depend_on_input_order(tmp_path):
    inv = _inventory()
    data = inv.model_dump()
    dc = data["vcenters"][0]["datacenters"][0]
    rng = random.Random(7)
    for key in ("port_groups", "vms", "hosts"):
        dc[key] = rng.sample(list(dc[key]), len(dc[key]))
    write_plan(plan_for(inv), tmp_path / "a", "out")
    write_plan(plan_for(Inventory.model_validate(data)), tmp_path / "b", "out")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_rewriting_replaces_the_old_plan_and_leaves_no_temporary_directory(tmp_path):
    out = tmp_path / "out"
    write_plan(plan_for(_inventory()), out)
    write_plan(plan_for(dvs_inventory([{"name": "only", "vlan": 3}])), out)
    assert sorted(_tree(out)) == [
        ".trunkline-plan",
        "REPORT.md",
        "kustomization.yaml",
        "nads.yaml",
        "networkmaps.yaml",
        "nncp.yaml",
        "prereqs/kustomization.yaml",
        "prereqs/nmstate.yaml",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failing_run_leaves_the_previous_plan_and_no_half_directory(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_plan(plan_for(_inventory()), out)
    before = _tree(out)
    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(EnvironmentProblem, match="No space left on device"):
        write_plan(plan_for(dvs_inventory([{"name": "only", "vlan": 3}])), out)
    monkeypatch.undo()
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_rerun_keeps_git_and_user_files_and_drops_only_stale_plan_files(tmp_path):
    out = tmp_path / "out"
    write_plan(plan_for(_inventory()), out)
    (out / ".git/objects").mkdir(parents=True)
    (out / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (out / ".git/objects/ab").write_bytes(b"\x00blob")
    (out / "notes.txt").write_text("keep me")
    (out / "vms/README").write_text("mine too")
    os.symlink("notes.txt", out / "link")
    write_plan(plan_for(dvs_inventory([{"name": "only", "vlan": 3}])), out)
    tree = _tree(out)
    assert tree[".git/HEAD"] == b"ref: refs/heads/main\n"
    assert tree[".git/objects/ab"] == b"\x00blob"
    assert tree["notes.txt"] == b"keep me"
    assert tree["vms/README"] == b"mine too"
    assert os.readlink(out / "link") == "notes.txt"
    assert not (out / "vms/vm0.json").exists()  # the old plan's patch, not written this time
    assert b"only" in tree["nads.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_rerun_over_a_plan_without_manifest_keeps_dot_entries(tmp_path):
    out = tmp_path / "out"
    write_plan(plan_for(_inventory()), out)
    (out / ".trunkline-plan").unlink()  # as written by trunkline before the manifest existed
    (out / ".git").mkdir()
    (out / ".git/HEAD").write_text("x")
    write_plan(plan_for(dvs_inventory([{"name": "only", "vlan": 3}])), out)
    assert (out / ".git/HEAD").read_text() == "x"
    assert not (out / "vms").exists()


def test_user_file_where_the_new_plan_writes_is_bad_input(tmp_path):
    out = tmp_path / "out"
    write_plan(plan_for(dvs_inventory([{"name": "only", "vlan": 3}])), out)
    before = _tree(out)
    (out / "vms").mkdir()
    (out / "vms/vm0.json").write_text("{}")
    with pytest.raises(BadInputError, match=r"vms/vm0.json was not written by trunkline"):
        write_plan(plan_for(_inventory()), out)
    assert _tree(out) == {**before, "vms/vm0.json": b"{}"}


def test_interrupt_during_the_swap_keeps_the_old_plan(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_plan(plan_for(_inventory()), out)
    (out / "notes.txt").write_text("keep")
    before = _tree(out)
    monkeypatch.setattr(atomicwrite, "_exchange", lambda a, b: False)  # take the two-rename path
    real_rename = os.rename
    calls = []

    def interrupted(src, dst):
        calls.append(dst)
        if Path(dst) == out.resolve() and len(calls) == 2:  # new -> out, after out -> aside
            raise KeyboardInterrupt
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_plan(plan_for(dvs_inventory([{"name": "only", "vlan": 3}])), out)
    monkeypatch.undo()
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_two_rename_path_swaps_too(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_plan(plan_for(_inventory()), out)
    (out / ".git").mkdir()
    monkeypatch.setattr(atomicwrite, "_exchange", lambda a, b: False)
    write_plan(plan_for(dvs_inventory([{"name": "only", "vlan": 3}])), out)
    assert (out / ".git").is_dir() and not (out / "vms").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_temporary_directories_of_a_killed_run_are_removed_next_time(tmp_path):
    proc = subprocess.Popen(["true"])  # noqa: S607
    proc.wait()
    stale = tmp_path / f".out.trunkline-{proc.pid}-abc123"
    (stale / "vms").mkdir(parents=True)
    (stale / "vms/x.json").write_text("{}")
    unrelated = tmp_path / ".out.keep"
    unrelated.mkdir()
    write_plan(plan_for(_inventory()), tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.keep", "out"]


def test_failing_first_run_leaves_nothing(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(render, "dump_yaml", boom)
    with pytest.raises(RuntimeError):
        write_plan(plan_for(_inventory()), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_directory_trunkline_did_not_write_is_left_alone(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(BadInputError, match="not written by trunkline plan"):
        write_plan(plan_for(_inventory()), out)
    assert (out / "notes.txt").read_text() == "keep me"


def test_a_file_in_the_way_is_bad_input(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(BadInputError, match="not a directory"):
        write_plan(plan_for(_inventory()), tmp_path / "out")


def test_report_has_the_table_the_mapping_the_apply_order_and_every_finding(tmp_path):
    plan = plan_for(_inventory())
    write_plan(plan, tmp_path / "out", "plans/out")
    text = (tmp_path / "out/REPORT.md").read_text()
    assert text.startswith(REPORT_TITLE + "\n")
    assert (
        "| DC1 | DSwitch | web | 40 | default/web | vlan-trunk | 1500 | true | 2 | access VLAN 40 |" in text
    )
    assert "| DC1 | DSwitch | db | 41 | default/db | vlan-trunk | 1500 | false | 2 | access VLAN 41 |" in text
    uplink_row = (
        "| vlan-trunk-ens34-policy | node-role.kubernetes.io/worker | vlan-trunk | vmnic1 (uplink1) | ens34 |"
    )
    assert uplink_row in text
    steps = [
        "oc apply -k plans/out/prereqs",
        "oc wait nmstate/nmstate --for=condition=Available",
        "oc apply -k plans/out\n",
    ]
    positions = [text.index(s) for s in steps]
    assert positions == sorted(positions)
    assert "```mermaid" in text
    for finding in plan.findings:
        assert f"| {finding.severity} | {finding.code} |" in text
    assert len(plan.findings) >= 2  # private VLAN and the VM NIC on it


def test_large_inventories_get_a_collapsed_diagram(tmp_path):
    pgs = [{"name": f"pg{i}", "vlan": 100 + i} for i in range(60)]
    plan = plan_for(dvs_inventory(pgs))
    lines = render.diagram(plan)
    assert any("60 port groups, VLANs 100-159" in line for line in lines)
    assert not any("pg59" in line for line in lines)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_kustomize_builds_both_kustomizations(tmp_path):
    out = tmp_path / "out"
    write_plan(plan_for(_inventory(), namespace="vm-networks"), out)
    main = subprocess.run(["kubectl", "kustomize", str(out)], capture_output=True, text=True, timeout=120)
    assert main.returncode == 0, main.stderr
    kinds = [d["kind"] for d in yaml.safe_load_all(main.stdout)]
    assert sorted(kinds) == ["NetworkAttachmentDefinition"] * 4 + [
        "NetworkMap",
        "NodeNetworkConfigurationPolicy",
    ]
    pre = subprocess.run(
        ["kubectl", "kustomize", str(out / "prereqs")], capture_output=True, text=True, timeout=120
    )
    assert pre.returncode == 0, pre.stderr
    assert sorted(d["kind"] for d in yaml.safe_load_all(pre.stdout)) == ["NMState", "Namespace"]


JSONISH = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(-5, 10**6),
        st.text(max_size=12),
        st.sampled_from(["yes", "on", "1.5", "", "a: b", "- x", "#c", "~", "null", "0x1F", "'q'"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(st.text(max_size=8), JSONISH, max_size=5), max_size=3))
def test_yaml_emitter_output_reads_back_unchanged(docs):
    assert list(yaml.safe_load_all(render.dump_yaml(docs))) == docs


def test_the_current_directory_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BadInputError, match="current directory"):
        write_plan(plan_for(_inventory()), Path("."))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mtu", [1500, 9000])
def test_apply_order_warns_about_native_counters_only_when_a_bridge_mtu_exceeds_one_buffer(mtu: int) -> None:
    text = render.report(plan_for(dvs_inventory([{"name": "a", "vlan": 2}], mtu=mtu)))
    order = text.split("## Apply order", 1)[1].split("\n## ", 1)[0]
    note = [line for line in order.splitlines() if "native XDP" in line]
    if mtu == 1500:
        assert note == []
    else:
        bridge = plan_for(dvs_inventory([{"name": "a", "vlan": 2}], mtu=mtu)).bridges[0].name
        assert note == [
            f"This plan sets MTUs above 3506 bytes (`{bridge}` MTU 9000). A counter attached in native XDP "
            "mode to a NIC whose MTU is still at most 3506 (`trunkline count --mode native`) runs the "
            "single-buffer program, and while it runs many drivers refuse a larger MTU, so those NNCPs would "
            "fail on that node: stop such counters before applying (or count in generic mode, the default) "
            "and start them again afterwards, when native mode takes the multi-buffer program."]
