"""The judgment of `verify --prometheus` (pure): answers to its queries in, findings per node out.

The answers are written as Prometheus returns them for the queries of :func:`queries` (label sets after
their ``by (...)`` clauses). tests/test_verify_prometheus.py runs the same against a real Prometheus.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import run_cli
from trunkline.cluster_verify import GROUP_LABEL, check_window, judge, queries
from trunkline.promapi import Sample, base_url


def s(value: float, **labels: str) -> Sample:
    return Sample(labels, value)


def traffic(node: str, vlan: str, packets: float, group: str = "", interface: str = "ens224") -> Sample:
    return s(packets, node=node, group=group, interface=interface, vlan=vlan)


def counters(*nodes: str, group: str = "") -> list[Sample]:
    return [s(1, node=n, group=group, interface="ens224") for n in nodes]


def targets(*nodes: str) -> list[Sample]:
    return [s(1, node=n) for n in nodes]


def kinds(result: object) -> set[tuple[str, str, str, int | None]]:
    return {(f.severity, f.kind, f.node, f.vlan) for f in result.findings}  # type: ignore[attr-defined]


def test_ten_queries_whatever_the_size_and_each_one_names_its_window() -> None:
    q = queries("7m")
    assert len(q) == 10
    assert q["established"] == "max by (node) (trunkline_counter_up offset 7m)"
    assert all("[7m]" in expr for name, expr in q.items() if name in ("packets", "bytes", "plan", "counters"))
    assert q["targets"] == 'max by (node) (up{job="trunkline-counter"})'
    assert q["members"] == f'max by (node, {GROUP_LABEL}) (kube_node_labels{{{GROUP_LABEL}!=""}})'


@pytest.mark.parametrize("window", ["10m", "1h30m", "90s", "2d", "500ms"])
def test_prometheus_durations_are_accepted(window: str) -> None:
    assert check_window(window) == window


@pytest.mark.parametrize("window", ["10", "ten minutes", "0m", "-5m", "", "5 m"])
def test_other_windows_are_refused_with_an_example(window: str) -> None:
    with pytest.raises(ValueError, match=r"--window .* is not a Prometheus duration; give e\.g\. 10m"):
        check_window(window)


def test_plan_from_the_counters_wins_over_the_plan_directory_and_drift_is_reported() -> None:
    answers = {
        "plan": [s(1, group="rack-a", vlan="40"), s(1, group="rack-a", vlan="41"),
                 s(1, group="rack-a", vlan="untagged")],
        "counters": counters("w1", "w2", group="rack-a"),
        "targets": targets("w1", "w2"),
        "packets": [traffic("w1", "40", 10, "rack-a"), traffic("w2", "40", 3, "rack-a"),
                    traffic("w1", "50", 2, "rack-a"), traffic("w2", "untagged", 99, "rack-a")],
    }
    result = judge(answers, frozenset({40, 50}))
    assert kinds(result) == {
        ("error", "unmapped", "w1", 50),  # in PLAN_DIR, but not in the counters' plan for rack-a
        ("warning", "plan-drift", "", None), ("warning", "silent", "", None),
        ("info", "no-groups", "", None)}
    drift = next(f for f in result.findings if f.kind == "plan-drift")
    assert drift.message == ("the counters of group rack-a were given VLAN 41, which no NAD in the plan "
                             "directory carries: they run with another plan; deploy this plan's monitoring/ "
                             "directory")
    (group,) = result.groups
    assert (group.planned, group.plan_source, group.silent) == ((40, 41), "prometheus", (41,))
    w2 = next(n for n in result.nodes if n.node == "w2")
    assert [(r.vlan, r.status, r.packets) for r in w2.rows] == [(None, "untagged", 99), (40, "mapped", 3)]


def test_missing_on_node_is_judged_per_node_over_bond_members() -> None:
    """VLAN 40 hashed onto one bond member of w1 is live on w1; w2 has it on neither member."""
    answers = {
        "counters": [s(1, node=n, group="", interface=i) for n in ("w1", "w2") for i in ("ens1f0", "ens1f1")],
        "targets": targets("w1", "w2"),
        "packets": [traffic("w1", "40", 5, interface="ens1f1"), traffic("w2", "50", 1, interface="ens1f0"),
                    traffic("w1", "50", 1, interface="ens1f0")],
        "members": [s(1, node="w1", **{GROUP_LABEL: "g"}), s(1, node="w2", **{GROUP_LABEL: "g"})],
    }
    result = judge(answers, frozenset({40, 50}))
    assert kinds(result) == {("error", "missing-on-node", "w2", 40)}
    w2 = next(n for n in result.nodes if n.node == "w2")
    assert [(r.interface, r.vlan, r.status) for r in w2.rows] == [
        ("ens1f0", 40, "missing-on-node"), ("ens1f0", 50, "mapped"), ("ens1f1", 40, "missing-on-node")]
    assert not result.ok


def test_a_counter_younger_than_the_window_says_the_vlan_may_only_have_been_idle() -> None:
    answers = {"counters": counters("w1", "w2", "w3"), "targets": targets("w1", "w2", "w3"),
               "packets": [traffic("w1", "40", 5)], "established": targets("w1", "w2")}
    result = judge(answers, frozenset({40}), "10m")
    messages = {f.node: f.message for f in result.findings if f.kind == "missing-on-node"}
    assert messages == {
        "w2": "VLAN 40 carries traffic on w1 but none on node w2 (ens224) of the same group - within 10m: "
              "the switch port probably does not trunk VLAN 40 to w2; add it to the port's allowed VLANs",
        "w3": "VLAN 40 carries traffic on w1 but none on node w3 (ens224) of the same group - within 10m: "
              "the switch port probably does not trunk VLAN 40 to w3; add it to the port's allowed VLANs "
              "(its counter started within the 10m: if VLAN 40 is seldom used, run again after a full "
              "window)"}
    assert {n.node: n.young for n in result.nodes} == {"w1": False, "w2": False, "w3": True}


def test_a_down_counter_is_not_judged_missing_and_an_interface_read_failure_is_an_error() -> None:
    answers = {
        "counters": [*counters("w1", "w2"), s(0, node="w1", group="", interface="ens225")],
        "targets": [s(1, node="w1"), s(0, node="w2")],
        "packets": [traffic("w1", "40", 5)],
        "members": [s(1, node=n, **{GROUP_LABEL: "g"}) for n in ("w1", "w2", "w3")],
    }
    result = judge(answers, frozenset({40}))
    assert kinds(result) == {("error", "counter-down", "w1", None), ("error", "counter-down", "w2", None),
                             ("error", "no-counter", "w3", None)}
    assert {n.node: n.counter for n in result.nodes} == {"w1": "up", "w2": "down", "w3": "no-counter"}
    (iface,) = [f for f in result.findings if f.node == "w1"]
    assert iface.interface == "ens225" and "cannot read interface ens225" in iface.message


def test_anomalies_verdicts_and_overflow_per_node() -> None:
    wrong = dict(node="w1", group="g", interface="ens224", direction="tx", state="wrong-vlan", vm="web01",
                 nic="Network adapter 1", mac="00:50:56:aa:bb:01", expected_vlans="40", seen_vlans="50")
    several = {**wrong, "vm": "db01", "state": "on-several-vlans", "seen_vlans": "40,50"}
    answers = {
        "counters": counters("w1", group="g"), "targets": targets("w1"),
        "packets": [traffic("w1", "40", 5, "g"), traffic("w1", "50", 5, "g")],
        "plan": [s(1, group="g", vlan="40"), s(1, group="g", vlan="50")],
        "anomalies": [s(1, **wrong), s(1, **several)],
        "verdicts": [s(120, node="w1", group="g", state="seen"),
                     s(1, node="w1", group="g", state="wrong-vlan"),
                     s(1, node="w1", group="g", state="on-several-vlans")],
        "dropped": [s(3, node="w1", group="g")],
    }
    result = judge(answers, frozenset({40, 50}))
    assert kinds(result) == {("error", "wrong-vlan", "w1", None), ("warning", "on-several-vlans", "w1", None),
                             ("warning", "anomalies-dropped", "w1", None), ("info", "no-groups", "", None)}
    (node,) = result.nodes
    assert node.verdicts == {"seen": 120, "wrong-vlan": 1, "on-several-vlans": 1}
    assert (len(node.anomalies), node.anomalies_dropped) == (2, 3)
    error = next(f for f in result.findings if f.kind == "wrong-vlan")
    assert error.message == (
        "VM web01 NIC Network adapter 1 (00:50:56:aa:bb:01) is wrong-vlan on node w1 (ens224, tx): expected "
        "VLAN 40, seen on 50; check the VM's NAD against its vSphere port group (`trunkline verify PLAN_DIR "
        "ens224` on the node has the detail)")
    record = result.to_json()
    assert record["nodes"][0]["anomalies"][0]["vm"] == "web01"
    assert record["nodes"][0]["verdicts"] == {"on-several-vlans": 1, "seen": 120, "wrong-vlan": 1}


def test_a_counter_group_that_differs_from_the_node_label_is_a_warning_and_the_counter_wins() -> None:
    answers = {"counters": counters("w1", group="rack-a"), "targets": targets("w1"),
               "packets": [traffic("w1", "40", 1, "rack-a")],
               "members": [s(1, node="w1", **{GROUP_LABEL: "rack-b"})]}
    result = judge(answers, frozenset({40}))
    assert kinds(result) == {("warning", "group-mismatch", "w1", None)}
    assert result.nodes[0].group == "rack-a" and result.ok


def test_series_without_a_node_label_are_named_with_the_fix() -> None:
    answers = {"counters": counters(""), "targets": targets(""), "packets": [traffic("", "40", 1)]}
    result = judge(answers, frozenset({40}))
    assert ("warning", "no-node-label", "", None) in kinds(result)
    assert result.ok


def test_nothing_in_prometheus_is_not_ok() -> None:
    result = judge({}, frozenset({40}))
    assert (result.has_series, result.ok, result.nodes, result.findings) == (False, False, (), ())


def test_a_new_vlan_series_with_fractional_increase_counts_as_traffic() -> None:
    answers = {"counters": counters("w1", "w2"), "targets": targets("w1", "w2"),
               "packets": [traffic("w1", "40", 0.4), traffic("w2", "40", 0.0)]}
    result = judge(answers, frozenset({40}))
    assert ("error", "missing-on-node", "w2", 40) in kinds(result)


@pytest.mark.parametrize(("given", "base"), [
    ("https://thanos-querier-openshift-monitoring.apps.example.com/",
     "https://thanos-querier-openshift-monitoring.apps.example.com"),
    ("http://127.0.0.1:9090/api/v1/query", "http://127.0.0.1:9090"),
    ("http://127.0.0.1:9090/prometheus/api/v1", "http://127.0.0.1:9090/prometheus"),
])
def test_base_url_accepts_a_copied_api_url(given: str, base: str) -> None:
    assert base_url(given) == base


def test_a_url_without_scheme_is_bad_input() -> None:
    from trunkline.errors import BadInputError

    with pytest.raises(BadInputError, match=r"--prometheus 'thanos:9091' is not an http:// or https:// URL"):
        base_url("thanos:9091")


def write_nad(directory: Path) -> None:
    """One NAD for VLAN 40 in *directory* (a plan directory verify accepts)."""
    (directory / "nad.yaml").write_text(
        "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: v40}\n"
        'spec: {config: \'{"cniVersion": "0.3.1", "type": "cnv-bridge", "bridge": "br1", "vlan": 40}\'}\n')


def test_interfaces_and_prometheus_together_or_neither_are_usage_errors(tmp_path: Path) -> None:
    both = run_cli("verify", str(tmp_path), "eth0", "--prometheus", "http://127.0.0.1:1")
    neither = run_cli("verify", str(tmp_path))
    assert (both.returncode, neither.returncode) == (2, 2)
    assert both.stderr == ("trunkline: error: give IFACE... (count here) or --prometheus URL (every node), "
                           "not both\n")
    assert neither.stderr == (
        "trunkline: error: give the trunk NIC(s) to count on (`trunkline verify PLAN_DIR IFACE...`), or "
        "--prometheus URL to judge every node from Prometheus\n")


def test_a_bad_window_or_token_file_is_bad_input_before_any_query(tmp_path: Path) -> None:
    window = run_cli("verify", str(tmp_path), "--prometheus", "http://127.0.0.1:1", "--window", "10")
    assert window.returncode == 2
    assert window.stderr == ("trunkline: error: --window '10' is not a Prometheus duration; give e.g. 10m, "
                             "1h or 1h30m\n")
    write_nad(tmp_path)
    token = run_cli("verify", str(tmp_path), "--prometheus", "http://127.0.0.1:1",
                    "--token-file", str(tmp_path / "none"))
    assert token.returncode == 2
    assert token.stderr == (f"trunkline: error: --token-file {tmp_path / 'none'}: cannot read it (No such "
                            "file or directory); give a file holding the bearer token\n")


def test_a_token_over_plain_http_is_warned_about(tmp_path: Path) -> None:
    write_nad(tmp_path)
    (tmp_path / "token").write_text("sha256~abc\n")
    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        res = run_cli("verify", str(tmp_path), "--prometheus", url, "--token-file", str(tmp_path / "token"))
    assert res.returncode == 3
    assert res.stderr.splitlines() == [
        "trunkline: warning: --token-file over plain http: anyone on the path can read the token; prefer an "
        "https:// URL",
        f"trunkline: error: Prometheus at {url} is unreachable (Connection refused); check the URL and the "
        "network"]
