"""deploy/dashboard.yaml: an OpenShift console dashboard the console can render.

The console (Observe > Dashboards) lists ConfigMaps in ``openshift-config-managed`` labelled
``console.openshift.io/dashboard: "true"`` and renders Grafana 6-style JSON, a subset of it: graph,
singlestat, table and row panels (no heatmaps, no pie charts). Its queries run against a real Prometheus in
tests/test_verify_prometheus.py.
"""

from __future__ import annotations

import kubernetes_validate

from tests.support.deploy import DASHBOARD_CONFIGMAP, K8S_VERSION, dashboard, one, panels, queries

ALLOWED_PANELS = {"graph", "singlestat", "table", "row"}


def test_configmap_is_where_and_how_the_console_finds_dashboards() -> None:
    cm = one("ConfigMap", DASHBOARD_CONFIGMAP)
    assert cm["metadata"]["namespace"] == "openshift-config-managed"
    assert cm["metadata"]["labels"]["console.openshift.io/dashboard"] == "true"
    assert cm["metadata"]["labels"]["console.openshift.io/odc-dashboard"] == "true"
    assert kubernetes_validate.validate(cm, K8S_VERSION, strict=True) == K8S_VERSION
    (key,) = cm["data"]
    assert key.endswith(".json")


def test_every_panel_is_a_type_the_console_renders() -> None:
    types = [p["type"] for p in panels()]
    assert set(types) <= ALLOWED_PANELS, types
    assert {"graph", "singlestat", "table", "row"} == set(types)


def test_panels_sit_in_rows_on_a_24_column_grid_with_unique_ids() -> None:
    board = dashboard()
    assert board["panels"][0]["type"] == "row"
    ids = [p["id"] for p in panels()]
    assert len(ids) == len(set(ids))
    for panel in panels():
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0, panel["title"]
    assert board["uid"] == "trunkline-vlans" and board["title"].startswith("trunkline")


def test_tables_ask_instant_table_results_and_graphs_time_series() -> None:
    for panel in panels():
        if panel["type"] == "row":
            continue
        (target,) = panel["targets"]
        if panel["type"] == "table":
            assert (target["format"], target["instant"]) == ("table", True), panel["title"]
        else:
            assert target["format"] == "time_series", panel["title"]


def test_the_panels_cover_traffic_silent_and_unplanned_vlans_verdicts_and_anomalies() -> None:
    exprs = queries()
    joined = "\n".join(exprs.values())
    assert "trunkline_vlan_packets_total" in joined and "trunkline_vlan_bytes_total" in joined
    assert any("trunkline_plan_vlan_info" in e and "unless on (node, group, vlan)" in e
               for e in exprs.values())
    assert any("unless on (group, vlan) trunkline_plan_vlan_info" in e for e in exprs.values())
    assert "trunkline_vm_nics" in joined and "trunkline_vm_nic_anomaly" in joined
    assert "trunkline_vm_nic_anomalies_dropped" in joined
