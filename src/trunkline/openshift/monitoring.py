"""``PLAN_DIR/monitoring/``: the counters for the plan, per node group, as one kustomization (pure).

Layout::

    monitoring/kustomization.yaml    base, the index ConfigMaps, one counter file per node group;
                                     deletes the base's generic DaemonSet and its ConfigMap
    monitoring/base/                 deploy/ as trunkline ships it (its kustomization and files)
    monitoring/plan-index-NNN.yaml   the plan index (:mod:`trunkline.planindex`)
    monitoring/counter-<group>.yaml  per node group: ConfigMap trunkline-counter-<group> (its trunk
                                     NICs) and DaemonSet trunkline-counter-<group> on nodes labelled
                                     trunkline.io/node-group=<group>, running
                                     ``trunkline count --plan-index ... --group <group>``

Applied after the plan: ``oc apply -k PLAN_DIR/monitoring``. No ``namespace:`` transformer (it would also
stamp the cluster-scoped SecurityContextConstraints): every namespaced object names ``trunkline`` itself.

Each DaemonSet mounts every index ConfigMap, key ``index.json`` as ``plan-index-NNN.json``, in one
projected volume at :data:`INDEX_MOUNT`; its pod labels add the group, so that the DaemonSets' selectors do
not overlap (two DaemonSets selecting the same pods fight over them) while the Service and the
ServiceMonitor, which select by name and component, still cover them all.
"""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import yaml

from trunkline.openshift.nicmap import NODE_GROUP_LABEL
from trunkline.planindex import DATA_KEY, NAMESPACE, IndexGroup, PlanIndex, configmaps, file_name
from trunkline.yamlread import load_manifest_documents

DIRECTORY = "monitoring"
INDEX_MOUNT = "/etc/trunkline/plan-index"
BASE_DAEMONSET = "trunkline-counter"
_COMMAND = "exec trunkline count "


def deploy_files() -> dict[str, str]:
    """deploy/'s ``kustomization.yaml`` and every file it lists: name -> text (package data, the same
    files as the repository's deploy/)."""
    root = resources.files("trunkline").joinpath("deploy")
    text = root.joinpath("kustomization.yaml").read_text(encoding="utf-8")
    out = {"kustomization.yaml": text}
    for name in load_manifest_documents(text)[0]["resources"]:
        out[name] = root.joinpath(name).read_text(encoding="utf-8")
    return out


def _delete(api: str, kind: str, name: str) -> dict[str, Any]:
    body = yaml.safe_dump({"$patch": "delete", "apiVersion": api, "kind": kind,
                           "metadata": {"name": name, "namespace": NAMESPACE}}, sort_keys=False)
    return {"patch": body}


def group_counter(group: IndexGroup, base: dict[str, str], index_names: list[str]) -> list[dict[str, Any]]:
    """The ConfigMap and DaemonSet counting for *group*, made from deploy/'s DaemonSet and ConfigMap.

    Raises:
        ValueError: deploy/'s DaemonSet no longer runs ``exec trunkline count ...`` as its one argument.
    """
    ds = next(d for d in load_manifest_documents(base["daemonset.yaml"]) if d and d["kind"] == "DaemonSet")
    cm = next(d for d in load_manifest_documents(base["configmap.yaml"]) if d and d["kind"] == "ConfigMap")
    name = f"{BASE_DAEMONSET}-{group.name}"
    cm = copy.deepcopy(cm)
    cm["metadata"]["name"] = name
    cm["metadata"].setdefault("labels", {})[NODE_GROUP_LABEL] = group.name
    cm["data"] = {**cm["data"], "TRUNK_INTERFACES": " ".join(group.trunk_nics), "NODE_GROUP": group.name}
    ds = copy.deepcopy(ds)
    ds["metadata"]["name"] = name
    ds["metadata"]["labels"][NODE_GROUP_LABEL] = group.name
    ds["spec"]["selector"]["matchLabels"][NODE_GROUP_LABEL] = group.name
    pod = ds["spec"]["template"]
    pod["metadata"]["labels"][NODE_GROUP_LABEL] = group.name
    spec = pod["spec"]
    spec["nodeSelector"] = {"kubernetes.io/os": "linux", NODE_GROUP_LABEL: group.name}
    (ctr,) = spec["containers"]
    (args,) = ctr["args"]
    if _COMMAND not in args:
        raise ValueError(f"deploy/daemonset.yaml: the container's argument no longer holds {_COMMAND!r}")
    options = f'--plan-index {INDEX_MOUNT} --group "${{NODE_GROUP}}" '
    ctr["args"] = [args.replace(_COMMAND, _COMMAND + options, 1)]
    for ref in ctr.get("envFrom", []):
        if ref.get("configMapRef", {}).get("name") == BASE_DAEMONSET:
            ref["configMapRef"]["name"] = name
    mount = {"name": "plan-index", "mountPath": INDEX_MOUNT, "readOnly": True}
    ctr.setdefault("volumeMounts", []).append(mount)
    sources = [{"configMap": {"name": n, "items": [{"key": DATA_KEY, "path": _mounted(n)}]}}
               for n in index_names]
    spec.setdefault("volumes", []).append({"name": "plan-index", "projected": {"sources": sources}})
    return [cm, ds]


def _mounted(configmap: str) -> str:
    """``plan-index-001.json`` for ConfigMap ``trunkline-plan-index-001`` (read back as bare parts)."""
    return configmap.removeprefix("trunkline-") + ".json"


def monitoring_files(index: PlanIndex) -> dict[str, list[dict[str, Any]] | str]:
    """Relative path (under the plan directory) -> its documents, or its text for the copied base."""
    base = deploy_files()
    out: dict[str, list[dict[str, Any]] | str] = {f"{DIRECTORY}/base/{n}": t for n, t in sorted(base.items())}
    cms = configmaps(index)
    resources_: list[str] = ["base"]
    for cm in cms:
        out[f"{DIRECTORY}/{file_name(cm)}"] = [cm]
        resources_.append(file_name(cm))
    names = [str(cm["metadata"]["name"]) for cm in cms]
    for group in index.groups:
        if not group.trunk_nics:
            continue
        out[f"{DIRECTORY}/counter-{group.name}.yaml"] = group_counter(group, base, names)
        resources_.append(f"counter-{group.name}.yaml")
    # the base's images: entry rewrites only the base's own objects; repeated here it also reaches the
    # per-group DaemonSets, and `kustomize edit set image` in monitoring/ changes them all
    images = yaml.safe_load(base["kustomization.yaml"]).get("images", [])
    out[f"{DIRECTORY}/kustomization.yaml"] = [{
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources_,
        "patches": [_delete("apps/v1", "DaemonSet", BASE_DAEMONSET),
                    _delete("v1", "ConfigMap", BASE_DAEMONSET)],
        **({"images": images} if images else {}),
    }]
    return out


def default_image() -> str:
    """The counter image deploy/'s kustomization names (``images:``), as ``name:tag``."""
    (image,) = yaml.safe_load(deploy_files()["kustomization.yaml"])["images"]
    return f"{image['newName']}:{image['newTag']}"


def report_section(index: PlanIndex, display_dir: str) -> tuple[str, ...]:
    """REPORT.md's lines on deploying the counters of ``monitoring/`` (after the apply order)."""
    groups = [g for g in index.groups if g.trunk_nics]
    labels = [f"oc label node NODE... {NODE_GROUP_LABEL}={g.name}    # trunk NIC(s) {' '.join(g.trunk_nics)}"
              for g in groups]
    image = default_image()
    return (
        "## Watching the trunks (optional)",
        "",
        f"`monitoring/` deploys one counter DaemonSet per node group with the plan index "
        f"({len(index.nics)} VM NIC(s)). `oc apply -k` on it, as cluster-admin, also creates the namespace "
        f"`{NAMESPACE}` (Pod Security level `privileged`), the SecurityContextConstraints "
        "`trunkline-counter` and the RBAC granting it to the counter's service account, a Service, a "
        "ServiceMonitor, a PrometheusRule and a console dashboard. The counters run as root on the host "
        "network with the capabilities BPF, NET_ADMIN and PERFMON (docs/metrics.md says why).",
        "",
        f"No registry publishes the counter image: build it in the trunkline repository and push it where "
        f"the nodes can pull it (the default is `{image}`, the internal registry), then label the nodes of "
        "each group and apply:",
        "",
        "```sh",
        "podman build -f deploy/Containerfile -t REGISTRY/trunkline:TAG .    # in the trunkline repository",
        "podman push REGISTRY/trunkline:TAG",
        f"(cd {display_dir}/monitoring && kustomize edit set image trunkline=REGISTRY/trunkline:TAG)",
        *labels,
        f"oc apply -k {display_dir}/monitoring",
        "```",
        "",
        f"On one node: `trunkline verify {display_dir} IFACE` gives a verdict per VM NIC; for every node: "
        f"`trunkline verify {display_dir} --prometheus URL`.",
        "",
    )
