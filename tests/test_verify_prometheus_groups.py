"""`verify --prometheus` with counters run as the per-group DaemonSets run them: `count --plan-index PLAN
--group NAME`, so that the planned VLANs (``trunkline_plan_vlan_info``), the VM NIC verdicts and the
anomalies come from the counters themselves. Same topology as tests/test_verify_prometheus.py.

Group g1 (node-a, node-b) plans VLANs 40 and 50; group g2 (node-c, node-d, node-e) plans only 50. VM web01
(VLAN 40 in vSphere) sends on VLAN 50 across node-a's trunk: wrong-vlan there. node-a also carries the
unplanned 99; node-b lacks 40; node-c lacks 40 too, legitimately (not planned in g2).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.prometheus_fixture import PROMETHEUS
from tests.support.deploy import queries as dashboard_queries
from tests.support.prometheus_cluster import (
    FRAME,
    PLAN_INDEX_PANELS,
    Cluster,
    Send,
    start_cluster,
    verify,
    write_nads,
)
from trunkline.planindex import IndexGroup, IndexNic, PlanIndex, VlanSet, configmaps, file_name

pytestmark = [pytest.mark.privileged, pytest.mark.slow,
              pytest.mark.skipif(PROMETHEUS is None, reason="prometheus not installed (./quickstart.sh)")]

WEB01, DB01, APP01 = "00:50:56:aa:bb:01", "00:50:56:aa:bb:02", "00:50:56:aa:bb:03"
SENDS: dict[str, list[Send]] = {
    "node-a": [(40, 5, None), (50, 3, None), (99, 2, None), (50, 2, WEB01)],
    "node-b": [(50, 4, DB01)],
    "node-c": [(50, 2, APP01)],
}
COUNT_ARGS = {"node-a": "g1", "node-b": "g1", "node-c": "g2"}


def _nic(vm: str, mac: str, vlan: int, bridge: str, nad: str) -> IndexNic:
    vlans = VlanSet(((vlan, vlan),))
    return IndexNic(vm=vm, target=vm, vm_id=f"vc1/dc1/vm-{vm}", nic="Network adapter 1", mac=mac,
                    port_group=f"VM-VLAN-{vlan}", expected=vlans, nad=nad, nad_vlans=vlans, bridge=bridge,
                    power_state="poweredOn", connected=True, template=False)


def write_plan_index(plan: Path) -> None:
    index = PlanIndex(
        groups=(IndexGroup("g1", VlanSet(((40, 40), (50, 50))), ("br-trunk",), ("ens224",)),
                IndexGroup("g2", VlanSet(((50, 50),)), ("br-g2",), ("ens225",))),
        nics=(_nic("app01", APP01, 50, "br-g2", "vms/vlan50-g2"),
              _nic("db01", DB01, 50, "br-trunk", "vms/vlan50"),
              _nic("web01", WEB01, 40, "br-trunk", "vms/vlan40")))
    (plan / "monitoring").mkdir(parents=True)
    for cm in configmaps(index):
        (plan / "monitoring" / file_name(cm)).write_text(yaml.safe_dump(cm))


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    from tests.conftest import require
    from tests.netns import privileged_problem

    require(privileged_problem())
    tmp = tmp_path_factory.mktemp("grouped")
    write_nads(tmp / "plan")
    write_plan_index(tmp / "plan")
    args = {node: ["--plan-index", str(tmp / "plan"), "--group", group] for node, group in COUNT_ARGS.items()}
    with ExitStack() as stack:
        cluster = start_cluster(stack, tmp, tmp / "plan", SENDS, args)
        cluster.prometheus.wait_for('count(trunkline_vm_nic_anomaly{state="wrong-vlan"})',
                                    lambda r: bool(r) and float(r[0]["value"][1]) == 1)
        yield cluster


def test_planned_vlans_verdicts_and_anomalies_come_from_the_counters(grouped: Cluster) -> None:
    res = verify(grouped, "--json")
    assert res.returncode == 1, res.stderr
    record = json.loads(res.stdout)
    a = grouped.nodes["node-a"].if_b
    errors = {(f["kind"], f["node"], f["interface"], f["vlan"])
              for f in record["findings"] if f["severity"] == "error"}
    assert errors == {("unmapped", "node-a", a, 99), ("missing-on-node", "node-b", "", 40),
                      ("wrong-vlan", "node-a", a, None), ("no-counter", "node-d", "", None),
                      ("counter-down", "node-e", "", None)}
    assert [f for f in record["findings"] if f["severity"] != "error"] == []
    groups = {g["group"]: (g["nodes"], g["plan_source"], g["planned_vlans"], g["silent_vlans"])
              for g in record["groups"]}
    assert groups == {"g1": (["node-a", "node-b"], "prometheus", "40,50", []),
                      "g2": (["node-c", "node-d", "node-e"], "prometheus", "50", [])}
    nodes = {n["node"]: n for n in record["nodes"]}
    (anomaly,) = nodes["node-a"]["anomalies"]
    assert anomaly == {"interface": a, "direction": "rx", "state": "wrong-vlan", "vm": "web01",
                       "nic": "Network adapter 1", "mac": WEB01, "expected_vlans": "40", "seen_vlans": "50"}
    assert nodes["node-a"]["verdicts"]["wrong-vlan"] == 1
    assert nodes["node-b"]["verdicts"]["seen"] == 1 and nodes["node-c"]["verdicts"]["seen"] == 1
    rows = {n: [(r["vlan"], r["status"], r["packets"], r["bytes"]) for r in v["vlans"] if r["vlan"]]
            for n, v in nodes.items()}
    assert rows["node-a"] == [(40, "mapped", 5, 5 * FRAME), (50, "mapped", 5, 5 * FRAME),
                              (99, "unmapped", 2, 2 * FRAME)]
    assert rows["node-c"] == [(50, "mapped", 2, 2 * FRAME)]  # VLAN 40 is not planned in g2: no finding


def test_the_plan_panels_of_the_dashboard_return_series(grouped: Cluster) -> None:
    exprs = dashboard_queries()
    for title in sorted(PLAN_INDEX_PANELS):
        result = grouped.prometheus.wait_for(exprs[title], bool, timeout=30)
        assert all(r["value"][1] != "NaN" for r in result), title
    silent_title = "Silent planned VLANs per node (live elsewhere in the group)"

    def pairs(result: list[dict[str, Any]]) -> list[tuple[str, str]]:
        return sorted((r["metric"]["node"], r["metric"]["vlan"]) for r in result)

    # every node's frames reach Prometheus on its own scrape: poll until the planted state is what it holds
    missing = grouped.prometheus.wait_for(exprs[silent_title], lambda r: pairs(r) == [("node-b", "40")],
                                          timeout=30)
    assert pairs(missing) == [("node-b", "40")]
    unplanned = grouped.prometheus.wait_for(exprs["Unplanned VLANs with traffic per node"],
                                            lambda r: pairs(r) == [("node-a", "99")], timeout=30)
    assert pairs(unplanned) == [("node-a", "99")]


def test_deploy_alert_rules_match_the_real_counters_series(grouped: Cluster) -> None:
    """Every alert of deploy/prometheusrule.yaml whose condition the planted faults meet is pending (or
    already firing) in this Prometheus, on exactly those nodes: the rules and the exporter agree on names."""
    a = grouped.nodes["node-a"].if_b
    expected = {
        ("TrunklineUnplannedVlanTraffic", "node-a", a, "99"),
        ("TrunklineVlanMissingOnNode", "node-b", "", "40"),
        ("TrunklineVmNicWrongVlan", "node-a", a, ""),
        ("TrunklineCounterDown", "node-e", "", ""),
    }

    def alerts(result: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
        return {(r["metric"]["alertname"], r["metric"].get("node", ""), r["metric"].get("interface", ""),
                 r["metric"].get("vlan", "")) for r in result}

    result = grouped.prometheus.wait_for("ALERTS", lambda r: alerts(r) == expected, timeout=60)
    wrong = next(r["metric"] for r in result if r["metric"]["alertname"] == "TrunklineVmNicWrongVlan")
    assert (wrong["vm"], wrong["mac"], wrong["expected_vlans"], wrong["seen_vlans"]) == (
        "web01", WEB01, "40", "50")
