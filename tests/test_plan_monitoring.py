"""PLAN_DIR/monitoring/: deploy/ as base, the index ConfigMaps, one counter DaemonSet per node group."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from trunkline.openshift.nicmap import NodeGroup
from trunkline.openshift.plan import PlanOptions, build_plan
from trunkline.openshift.render import render_files, write_files
from trunkline.planindex import build_index
from trunkline.vsphere.sources import load_inventory

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
GROUPS = tuple(
    NodeGroup(name, node_selector=(("topology.kubernetes.io/zone", name),), hosts=(host,),
              nics=(("vmnic1", nic),), default=False)
    for name, host, nic in (("rack-a", "esxi01.lab.example", "ens34"),
                            ("rack-b", "esxi02.lab.example", "ens1f0"))
)


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inv = load_inventory()
    plan = build_plan(inv, PlanOptions(node_groups=GROUPS))
    out = tmp_path_factory.mktemp("mon") / "plan"
    write_files(render_files(plan, str(out), build_index(plan, inv)), out)
    return out


def _built(directory: Path) -> list[dict[str, Any]]:
    if shutil.which("kubectl") is None:
        pytest.fail("kubectl is needed to build the kustomization (quickstart.sh installs it)")
    proc = subprocess.run(["kubectl", "kustomize", str(directory)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [d for d in yaml.safe_load_all(proc.stdout) if d]


def test_base_is_deploy_as_shipped(plan_dir: Path) -> None:
    base = plan_dir / "monitoring" / "base"
    listed = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"]
    assert sorted(p.name for p in base.iterdir()) == sorted(["kustomization.yaml", *listed])
    for path in base.iterdir():
        assert path.read_bytes() == (DEPLOY / path.name).read_bytes(), path.name


def test_one_counter_per_node_group_selecting_its_nodes_with_its_trunk_nics(plan_dir: Path) -> None:
    docs = _built(plan_dir / "monitoring")
    daemonsets = {d["metadata"]["name"]: d for d in docs if d["kind"] == "DaemonSet"}
    assert sorted(daemonsets) == ["trunkline-counter-rack-a", "trunkline-counter-rack-b"]
    configs = {d["metadata"]["name"]: d["data"] for d in docs if d["kind"] == "ConfigMap"}
    assert configs["trunkline-counter-rack-a"]["TRUNK_INTERFACES"] == "ens34"
    assert configs["trunkline-counter-rack-b"]["TRUNK_INTERFACES"] == "ens1f0"
    assert "trunkline-counter" not in configs and "trunkline-plan-index-001" in configs
    for group in ("rack-a", "rack-b"):
        ds = daemonsets[f"trunkline-counter-{group}"]
        spec = ds["spec"]["template"]["spec"]
        assert spec["nodeSelector"] == {"kubernetes.io/os": "linux", "trunkline.io/node-group": group}
        assert ds["spec"]["selector"]["matchLabels"]["trunkline.io/node-group"] == group
        assert ds["spec"]["template"]["metadata"]["labels"]["trunkline.io/node-group"] == group
        (ctr,) = spec["containers"]
        assert ctr["args"][0].startswith(
            'exec trunkline count --plan-index /etc/trunkline/plan-index --group "${NODE_GROUP}" --hook tc ')
        assert ctr["envFrom"] == [{"configMapRef": {"name": f"trunkline-counter-{group}"}}]
        assert configs[f"trunkline-counter-{group}"]["NODE_GROUP"] == group
        (volume,) = [v for v in spec["volumes"] if v["name"] == "plan-index"]
        assert volume["projected"]["sources"] == [{"configMap": {
            "name": "trunkline-plan-index-001",
            "items": [{"key": "index.json", "path": "plan-index-001.json"}]}}]
        assert kubernetes_validate.validate(ds, "1.29", strict=True) == "1.29"
        assert ctr["image"] == "image-registry.openshift-image-registry.svc:5000/trunkline/trunkline:0.1.0"
    services = [d for d in docs if d["kind"] == "Service"]
    labels = daemonsets["trunkline-counter-rack-a"]["spec"]["template"]["metadata"]["labels"]
    assert all(set(s["spec"]["selector"].items()) <= set(labels.items()) for s in services)


def test_namespaced_objects_are_in_trunkline_and_the_scc_has_no_namespace(plan_dir: Path) -> None:
    for doc in _built(plan_dir / "monitoring"):
        ns = doc["metadata"].get("namespace")
        if doc["kind"] in ("Namespace", "ClusterRole", "SecurityContextConstraints"):
            assert ns is None, doc["kind"]
        elif (doc["kind"], doc["metadata"]["name"]) == ("ConfigMap", "trunkline-dashboard"):
            assert ns == "openshift-config-managed"  # where the OpenShift console reads dashboards
        else:
            assert ns == "trunkline", (doc["kind"], doc["metadata"]["name"])


def test_plan_directory_with_monitoring_validates_clean(plan_dir: Path) -> None:
    from tests.conftest import run_cli

    proc = run_cli("validate", str(plan_dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("no findings")
    # monitoring/'s objects are counted by their own kind, not as "other"
    assert proc.stdout.strip().splitlines()[-1] == (
        f"{plan_dir}: 33 objects (1 ClusterRole, 5 ConfigMap, 3 DaemonSet, 4 Kustomization, 1 NMState, "
        "1 Namespace, 4 NetworkAttachmentDefinition, 1 NetworkMap, 2 NodeNetworkConfigurationPolicy, "
        "1 PrometheusRule, 1 RoleBinding, 1 SecurityContextConstraints, 1 Service, 1 ServiceAccount, "
        "1 ServiceMonitor, 5 VirtualMachinePatch), no findings")


def test_report_says_what_monitoring_creates_and_how_to_get_the_image(plan_dir: Path) -> None:
    report = (plan_dir / "REPORT.md").read_text()
    section = report.split("## Watching the trunks (optional)\n", 1)[1].split("\n## ", 1)[0]
    assert "also creates the namespace `trunkline` (Pod Security level `privileged`), the " \
        "SecurityContextConstraints `trunkline-counter` and the RBAC granting it" in section
    image = "image-registry.openshift-image-registry.svc:5000/trunkline/trunkline:0.1.0"
    assert f"the default is `{image}`" in section
    commands = section.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert commands == [
        "podman build -f deploy/Containerfile -t REGISTRY/trunkline:TAG .    # in the trunkline repository",
        "podman push REGISTRY/trunkline:TAG",
        f"(cd {plan_dir}/monitoring && kustomize edit set image trunkline=REGISTRY/trunkline:TAG)",
        "oc label node NODE... trunkline.io/node-group=rack-a    # trunk NIC(s) ens34",
        "oc label node NODE... trunkline.io/node-group=rack-b    # trunk NIC(s) ens1f0",
        f"oc apply -k {plan_dir}/monitoring",
    ]
