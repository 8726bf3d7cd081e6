"""Readers of the manifests in deploy/ that the deploy, dashboard, rule and Prometheus tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parent.parent.parent / "deploy"
K8S_VERSION = "1.29"  # OpenShift 4.16; the fields used here are the same from 1.25 to 1.37
RULE = DEPLOY / "prometheusrule.yaml"


def load_all() -> list[dict[str, Any]]:
    """Every object the kustomization lists, in its order (what `kubectl kustomize deploy/` builds)."""
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for name in kustomization["resources"]:
        docs.extend(d for d in yaml.safe_load_all((DEPLOY / name).read_text()) if d)
    return docs


def one(kind: str, name: str | None = None) -> dict[str, Any]:
    """The one object of *kind* (named *name* when given)."""
    (doc,) = [d for d in load_all() if d["kind"] == kind and name in (None, d["metadata"]["name"])]
    return doc


def container() -> dict[str, Any]:
    (ctr,) = one("DaemonSet")["spec"]["template"]["spec"]["containers"]
    return ctr


DASHBOARD_CONFIGMAP = "trunkline-dashboard"


def dashboard() -> dict[str, Any]:
    (text,) = one("ConfigMap", DASHBOARD_CONFIGMAP)["data"].values()
    board = json.loads(text)
    assert isinstance(board, dict)
    return board


def panels() -> list[dict[str, Any]]:
    """Every panel, rows' nested panels included."""
    out: list[dict[str, Any]] = []
    for panel in dashboard()["panels"]:
        out.append(panel)
        out.extend(panel.get("panels", []))
    return out


def queries() -> dict[str, str]:
    """Panel title -> its PromQL (each panel has exactly one target)."""
    out: dict[str, str] = {}
    for panel in panels():
        if panel["type"] == "row":
            continue
        (target,) = panel["targets"]
        out[panel["title"]] = target["expr"]
    return out


def rule_object() -> dict[str, Any]:
    doc = yaml.safe_load(RULE.read_text())
    assert isinstance(doc, dict)
    return doc


def write_groups(tmp_path: Path) -> Path:
    """The PrometheusRule's spec.groups as a Prometheus rule file."""
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": rule_object()["spec"]["groups"]}, sort_keys=False))
    return path
