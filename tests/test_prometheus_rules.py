"""deploy/prometheusrule.yaml: its rule groups pass `promtool check rules`, and `promtool test rules`
(Debian's Prometheus 2.42) shows every alert firing on the series that should fire it, quiet on the
others, and the wrong-VLAN alert clearing once the counter stops exporting the anomaly.
"""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.prometheus_fixture import PROMTOOL
from tests.support.deploy import rule_object, write_groups

pytestmark = pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (./quickstart.sh)")

ALERTS = {"TrunklineUnplannedVlanTraffic", "TrunklineVlanMissingOnNode", "TrunklineVmNicWrongVlan",
          "TrunklineCounterDown", "TrunklineCounterInterfaceDown"}
OWN_SERIES = re.compile(r"^(trunkline_\w+|trunkline:[\w:]+|up)$")


def alerts() -> dict[str, dict[str, Any]]:
    return {r["alert"]: r for g in rule_object()["spec"]["groups"] for r in g["rules"] if "alert" in r}


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_rule_groups_pass_promtool_check(tmp_path: Path) -> None:
    res = promtool("check", "rules", str(write_groups(tmp_path)), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS: 6 rules found" in res.stdout


def test_the_rule_object_is_a_prometheus_operator_prometheusrule() -> None:
    doc = rule_object()
    assert (doc["apiVersion"], doc["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    assert doc["metadata"]["namespace"] == "trunkline"
    assert set(doc["spec"]) == {"groups"}
    assert set(alerts()) == ALERTS


# Fields of monitoring.coreos.com/v1 PrometheusRule (prometheus-operator Documentation/api.md, RuleGroup and
# Rule); Prometheus itself checks the rest (promtool check rules, above).
GROUP_FIELDS = {"name", "interval", "rules", "partial_response_strategy", "limit", "query_offset", "labels"}
RULE_FIELDS = {"record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"}


def test_rule_groups_and_rules_use_only_prometheusrule_fields() -> None:
    for group in rule_object()["spec"]["groups"]:
        assert set(group) <= GROUP_FIELDS, group["name"]
        for rule in group["rules"]:
            assert set(rule) <= RULE_FIELDS, rule
            assert ("record" in rule) != ("alert" in rule)
            assert all(isinstance(v, str) for v in rule.get("labels", {}).values())


def _metric_names(expr: str) -> set[str]:
    """The series an expression selects: identifiers that are not functions, keywords or label names."""
    text = re.sub(r'"[^"]*"', "", expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    words = {word for word, call in re.findall(r"([A-Za-z_:][\w:]*)(\s*\()?", text) if not call}
    words -= {"and", "or", "unless", "offset"}
    return {w for w in words if not re.fullmatch(r"\d+[smhdwy]", w)}


def test_every_alert_reads_only_the_counters_own_series_and_says_where_and_how_to_fix() -> None:
    records = {r["record"] for g in rule_object()["spec"]["groups"] for r in g["rules"] if "record" in r}
    assert records == {"trunkline:vlan_rx_packets:window10m"}
    for name, rule in alerts().items():
        used = _metric_names(rule["expr"])
        assert used and all(OWN_SERIES.match(m) for m in used), (name, used)
        if "up" in used:
            assert 'up{job="trunkline-counter"}' in rule["expr"]
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert set(rule["annotations"]) == {"summary", "description"}
        description = rule["annotations"]["description"]
        assert "{{ $labels.node }}" in description and "Fix:" in description, name
        if name != "TrunklineCounterDown" and name != "TrunklineVlanMissingOnNode":
            assert "{{ $labels.interface }}" in description, name
        if name == "TrunklineVmNicWrongVlan":
            assert "VLAN {{ $labels.seen_vlans }}" in description and "{{ $labels.vm }}" in description
        elif "Vlan" in name:
            assert "VLAN {{ $labels.vlan }}" in description, name
    assert _metric_names(alerts()["TrunklineVlanMissingOnNode"]["expr"]) == {
        "trunkline_plan_vlan_info", "trunkline:vlan_rx_packets:window10m"}


def render(template: str, labels: dict[str, str], value: float = 0.0) -> str:
    """The Go template subset the annotations use: ``{{ $labels.X }}``, ``{{ $value | printf "%.0f" }}``."""
    out = template.replace('{{ $value | printf "%.0f" }}', f"{value:.0f}")
    return re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels[m.group(1)], out)


def expected(alert: str, labels: dict[str, str], value: float = 0.0) -> dict[str, Any]:
    rule = alerts()[alert]
    return {"exp_labels": {**labels, **rule["labels"]},
            "exp_annotations": {k: render(v, labels, value) for k, v in rule["annotations"].items()}}


def rx(node: str, group: str, vlan: str, interface: str = "ens224", direction: str = "rx") -> str:
    return (f'trunkline_vlan_packets_total{{node="{node}",group="{group}",interface="{interface}",'
            f'direction="{direction}",vlan="{vlan}"}}')


WRONG = {"node": "n2", "group": "g1", "interface": "ens224", "direction": "tx", "vm": "web01",
         "nic": "Network adapter 1", "mac": "00:50:56:aa:bb:01", "expected_vlans": "40", "seen_vlans": "50"}


def unit_tests() -> dict[str, Any]:
    """Group g1 (n1, n2) plans VLANs 40 and 50; g2 (n3) plans 50; g3 (n5) has no plan. n1 carries 40, 50 and
    the unplanned 99 (and sends on 77: not received, no alert); n2 carries only 50 (40 missing); n3 carries
    50 (40 is not planned there); n5 carries 99 (no plan: no alert). n2's VM web01 is on the wrong VLAN for
    the first 10 minutes; n4's counter does not answer; n2's second NIC vanishes at minute 6."""
    plan = [(n, g, v) for n, g, v in (("n1", "g1", "40"), ("n1", "g1", "50"), ("n2", "g1", "40"),
                                      ("n2", "g1", "50"), ("n3", "g2", "50"))]
    series = [{"series": f'trunkline_plan_vlan_info{{node="{n}",group="{g}",vlan="{v}"}}', "values": "1x40"}
              for n, g, v in plan]
    series += [
        {"series": rx("n1", "g1", "40"), "values": "0+10x40"},
        {"series": rx("n1", "g1", "50"), "values": "0+10x40"},
        {"series": rx("n1", "g1", "99"), "values": "0+5x40"},
        {"series": rx("n1", "g1", "untagged"), "values": "0+100x40"},
        {"series": rx("n1", "g1", "77", direction="tx"), "values": "0+10x40"},
        {"series": rx("n2", "g1", "50"), "values": "0+10x40"},
        {"series": rx("n3", "g2", "50"), "values": "0+10x40"},
        {"series": rx("n5", "g3", "99"), "values": "0+10x40"},
        {"series": "trunkline_vm_nic_anomaly{" + ",".join(f'{k}="{v}"' for k, v in
                                                          {**WRONG, "state": "wrong-vlan"}.items()) + "}",
         "values": "1x10"},
        {"series": "trunkline_vm_nic_anomaly{" + ",".join(f'{k}="{v}"' for k, v in
                                                          {**WRONG, "vm": "db01",
                                                           "state": "on-several-vlans"}.items()) + "}",
         "values": "1x40"},
    ]
    for node in ("n1", "n2", "n3", "n5"):
        series.append({"series": f'up{{job="trunkline-counter",node="{node}",instance="{node}:9090"}}',
                       "values": "1x40"})
        series.append({"series": f'trunkline_counter_up{{node="{node}",interface="ens224"}}',
                       "values": "1x40"})
    series.append({"series": 'up{job="trunkline-counter",node="n4",instance="n4:9090"}', "values": "0x40"})
    series.append({"series": 'up{job="other",node="n1",instance="n1:9100"}', "values": "0x40"})
    series.append({"series": 'trunkline_counter_up{node="n2",interface="ens225"}', "values": "1x5 0x35"})

    unplanned = {"node": "n1", "group": "g1", "interface": "ens224", "vlan": "99"}
    missing = {"node": "n2", "group": "g1", "vlan": "40"}
    return {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": series,
            "promql_exp_samples": None,
            "promql_expr_test": [
                # a series younger than the window counts whole; an older one by its increase
                {"expr": 'trunkline:vlan_rx_packets:window10m{node="n1",vlan="40"}', "eval_time": "5m",
                 "exp_samples": [{"labels": 'trunkline:vlan_rx_packets:window10m{node="n1",group="g1",'
                                            'interface="ens224",vlan="40"}', "value": 50}]},
                {"expr": 'trunkline:vlan_rx_packets:window10m{node="n1",vlan="40"}', "eval_time": "20m",
                 "exp_samples": [{"labels": 'trunkline:vlan_rx_packets:window10m{node="n1",group="g1",'
                                            'interface="ens224",vlan="40"}', "value": 100}]},
            ],
            "alert_rule_test": [
                {"alertname": "TrunklineUnplannedVlanTraffic", "eval_time": "1m", "exp_alerts": []},
                {"alertname": "TrunklineUnplannedVlanTraffic", "eval_time": "20m",
                 "exp_alerts": [expected("TrunklineUnplannedVlanTraffic", unplanned, 50)]},
                {"alertname": "TrunklineVlanMissingOnNode", "eval_time": "4m", "exp_alerts": []},
                {"alertname": "TrunklineVlanMissingOnNode", "eval_time": "20m",
                 "exp_alerts": [expected("TrunklineVlanMissingOnNode", missing)]},
                {"alertname": "TrunklineVmNicWrongVlan", "eval_time": "5m",
                 "exp_alerts": [expected("TrunklineVmNicWrongVlan", WRONG)]},
                {"alertname": "TrunklineVmNicWrongVlan", "eval_time": "20m", "exp_alerts": []},
                {"alertname": "TrunklineCounterDown", "eval_time": "3m", "exp_alerts": []},
                {"alertname": "TrunklineCounterDown", "eval_time": "20m",
                 "exp_alerts": [expected("TrunklineCounterDown", {"node": "n4", "instance": "n4:9090"})]},
                {"alertname": "TrunklineCounterInterfaceDown", "eval_time": "9m", "exp_alerts": []},
                {"alertname": "TrunklineCounterInterfaceDown", "eval_time": "20m",
                 "exp_alerts": [expected("TrunklineCounterInterfaceDown",
                                         {"node": "n2", "interface": "ens225"})]},
            ],
        }],
    }


def run_unit_tests(tmp_path: Path, tests: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    write_groups(tmp_path)
    tests = copy.deepcopy(tests)
    for test in tests["tests"]:
        test.pop("promql_exp_samples", None)
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(tests, sort_keys=False, width=1000))
    return promtool("test", "rules", "tests.yml", cwd=tmp_path)


def test_promtool_unit_tests_fire_every_alert_and_keep_the_quiet_series_quiet(tmp_path: Path) -> None:
    res = run_unit_tests(tmp_path, unit_tests())
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS" in res.stdout
    fired = {t["alertname"] for t in unit_tests()["tests"][0]["alert_rule_test"] if t["exp_alerts"]}
    assert fired == ALERTS


def test_promtool_unit_tests_can_fail(tmp_path: Path) -> None:
    """The expectations are checked: the missing VLAN expected on the wrong node fails the run."""
    tests = unit_tests()
    for case in tests["tests"][0]["alert_rule_test"]:
        if case["alertname"] == "TrunklineVlanMissingOnNode" and case["exp_alerts"]:
            case["exp_alerts"][0]["exp_labels"]["node"] = "n3"
    res = run_unit_tests(tmp_path, tests)
    assert res.returncode == 1
    assert "TrunklineVlanMissingOnNode" in res.stdout + res.stderr


def test_an_alert_description_reads_as_a_sentence_with_the_fix() -> None:
    text = render(alerts()["TrunklineVlanMissingOnNode"]["annotations"]["description"],
                  {"node": "worker-2", "group": "rack-b", "vlan": "40"})
    assert text == (
        "VLAN 40 carried traffic on other nodes of node group rack-b but none on any trunk NIC of node "
        "worker-2 for 15 minutes: the switch port probably does not trunk VLAN 40 to worker-2, and a VM on "
        "it loses its network when it moves there. Fix: add VLAN 40 to the allowed VLANs of worker-2's "
        "switch port(s), then check with trunkline verify PLAN_DIR --prometheus URL.")
