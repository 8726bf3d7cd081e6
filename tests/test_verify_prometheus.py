"""`trunkline verify PLAN_DIR --prometheus URL` against a real Prometheus scraping real counters.

Topology (every namespace and interface name unique to the run, all removed afterwards):

* a hub namespace runs Prometheus (Debian's 2.42) on 127.0.0.1 and a stand-in for kube-state-metrics
  (``kube_node_labels`` only: kube-state-metrics itself needs a Kubernetes API server);
* each "node" is a namespace running `trunkline count --hook tc --metrics-port` on its trunk end of a
  veth pair, whose other end (the "switch") writes VLAN-tagged frames through AF_PACKET; a second veth
  joins the node to the hub (198.51.100.0/24, RFC 5737) for scraping. The scrape config sets the ``node``
  label, as the ServiceMonitor's relabelling does on OpenShift.

Planted faults: node-a (group g1) sees VLANs 40, 50 and the unplanned 99; node-b (g1) sees only 50, so
40 is missing there; node-c (g2) sees only 50, and no node of g2 carries 40 (silent in g2, no error);
node-d (g2) has no counter; node-e (g2) has a scrape target that does not answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.netns import sh
from tests.prometheus_fixture import PROMETHEUS, KubeStateMetricsStandIn, PrometheusServer, free_port
from tests.support.deploy import queries as dashboard_queries
from tests.support.prometheus_cluster import (
    FRAME,
    PLAN_INDEX_PANELS,
    Cluster,
    start_cluster,
    verify,
    write_nads,
)

pytestmark = [pytest.mark.privileged, pytest.mark.slow,
              pytest.mark.skipif(PROMETHEUS is None, reason="prometheus not installed (./quickstart.sh)")]

TRAFFIC = {"node-a": {40: 5, 50: 3, 99: 2}, "node-b": {50: 4}, "node-c": {50: 2}}
BCRYPT_SECRET = "$2b$12$LKxO8jMHvRv.Nx4ghy1YmerLWCCLhdvidCgLFRE08JkrSb7PmTa0G"  # "secret" (libxcrypt)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    from tests.conftest import require
    from tests.netns import privileged_problem

    require(privileged_problem())
    tmp = tmp_path_factory.mktemp("cluster")
    write_nads(tmp / "plan")
    sends = {node: [(vlan, count, None) for vlan, count in vlans.items()] for node, vlans in TRAFFIC.items()}
    with ExitStack() as stack:
        yield start_cluster(stack, tmp, tmp / "plan", sends)


def test_json_reports_exactly_the_planted_faults_and_exits_1(cluster: Cluster) -> None:
    res = verify(cluster, "--json")
    assert res.returncode == 1, res.stderr
    record = json.loads(res.stdout)
    assert record["queries"] == 10
    errors = {(f["kind"], f["node"], f["interface"], f["vlan"])
              for f in record["findings"] if f["severity"] == "error"}
    a = cluster.nodes["node-a"].if_b
    assert errors == {("unmapped", "node-a", a, 99), ("missing-on-node", "node-b", "", 40),
                      ("no-counter", "node-d", "", None), ("counter-down", "node-e", "", None)}
    warnings = {(f["kind"], f["group"], f["vlan"]) for f in record["findings"] if f["severity"] == "warning"}
    assert warnings == {("silent", "g2", None)}
    assert [f["message"] for f in record["findings"] if f["kind"] == "silent"] == [
        "VLAN 40 of group g2 carried no traffic on any of its nodes within 10m: idle, or not trunked to this "
        "group at all"]
    nodes = {n["node"]: n for n in record["nodes"]}
    assert {n: (v["group"], v["counter"]) for n, v in nodes.items()} == {
        "node-a": ("g1", "up"), "node-b": ("g1", "up"), "node-c": ("g2", "up"),
        "node-d": ("g2", "no-counter"), "node-e": ("g2", "down")}
    tagged = {n: [(r["vlan"], r["status"], r["packets"], r["bytes"]) for r in v["vlans"] if r["vlan"]]
              for n, v in nodes.items()}
    assert tagged == {
        "node-a": [(40, "mapped", 5, 5 * FRAME), (50, "mapped", 3, 3 * FRAME),
                   (99, "unmapped", 2, 2 * FRAME)],
        "node-b": [(40, "missing-on-node", 0, 0), (50, "mapped", 4, 4 * FRAME)],
        "node-c": [(50, "mapped", 2, 2 * FRAME)],
        "node-d": [], "node-e": []}
    assert (nodes["node-b"]["missing_on_node"], nodes["node-a"]["unmapped"]) == ([40], [99])
    # this Prometheus is younger than the window: every counter started inside it
    assert {n: v["counter_started_in_window"] for n, v in nodes.items()} == {
        "node-a": True, "node-b": True, "node-c": True, "node-d": False, "node-e": False}
    groups = {g["group"]: (g["nodes"], g["plan_source"], g["silent_vlans"]) for g in record["groups"]}
    assert groups == {"g1": (["node-a", "node-b"], "plan-dir", []),
                      "g2": (["node-c", "node-d", "node-e"], "plan-dir", [40])}
    assert res.stderr.strip().splitlines()[-1] == (
        "trunkline: error: 4 error(s) across the nodes (counter-down, missing-on-node, no-counter, "
        "unmapped); see the lines above")


def test_table_names_node_interface_vlan_and_the_fix(cluster: Cluster) -> None:
    res = verify(cluster, "--window", "15m")
    assert res.returncode == 1, res.stderr
    b = cluster.nodes["node-b"].if_b
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in res.stdout.splitlines()
            if line.count("│") == 9]
    assert ["node-b", "g1", "up", b, "40", "0", "0", "missing-on-node"] in rows
    assert ["node-d", "g2", "no-counter", "-", "-", "-", "-", "-"] in rows
    text = " ".join(res.stdout.split())
    assert (f"error: VLAN 40 carries traffic on node-a but none on node node-b ({b}) of the same group g1 "
            "within 15m: the switch port probably does not trunk VLAN 40 to node-b; add it to the port's "
            "allowed VLANs (its counter started within the 15m: if VLAN 40 is seldom used, run again after a "
            "full window)") in text


def test_dashboard_queries_return_series_from_the_counters(cluster: Cluster) -> None:
    exprs = dashboard_queries()
    assert set(exprs) > PLAN_INDEX_PANELS
    for title, expr in exprs.items():
        if title in PLAN_INDEX_PANELS:
            continue
        result = cluster.prometheus.wait_for(expr, bool, timeout=30)
        assert all(r["value"][1] != "NaN" for r in result), title
    unplanned = cluster.prometheus.query(exprs["Unplanned VLANs with traffic per node"])
    # no counter exports a plan here (no --plan-index): every tagged VLAN with traffic is listed
    assert sorted((r["metric"]["node"], r["metric"]["vlan"], float(r["value"][1])) for r in unplanned) == [
        ("node-a", "40", 5.0), ("node-a", "50", 3.0), ("node-a", "99", 2.0), ("node-b", "50", 4.0),
        ("node-c", "50", 2.0)]


def test_the_recording_rule_counts_what_verify_counts(cluster: Cluster) -> None:
    """deploy/'s trunkline:vlan_rx_packets:window10m, evaluated by this Prometheus, holds the frames sent."""
    expected = sorted((node, str(vlan), float(count)) for node, vlans in TRAFFIC.items()
                      for vlan, count in vlans.items())
    result = cluster.prometheus.wait_for(
        'trunkline:vlan_rx_packets:window10m{vlan!="untagged"}',
        lambda r: sorted((x["metric"]["node"], x["metric"]["vlan"], float(x["value"][1])) for x in r)
        == expected,
        timeout=30)
    assert {s["metric"]["interface"] for s in result} == {p.if_b for p in cluster.nodes.values()}


def test_unreachable_prometheus_exits_3(cluster: Cluster) -> None:
    url = f"http://127.0.0.1:{free_port(cluster.hub)}"
    res = verify(cluster, url=url)
    assert res.returncode == 3, res.stderr
    assert res.stderr.strip() == (
        f"trunkline: error: Prometheus at {url} is unreachable (Connection refused); "
        "check the URL and the network")


def test_a_url_that_is_not_a_prometheus_api_is_bad_input(cluster: Cluster) -> None:
    with KubeStateMetricsStandIn(cluster.hub, {}) as other:  # answers metrics text to every path
        url = f"http://127.0.0.1:{other.port}"
        res = verify(cluster, url=url)
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip() == (f"trunkline: error: Prometheus at {url}: the URL does not look like a "
                                  "Prometheus API (it answered not the API's JSON): give the base URL of "
                                  "Prometheus or Thanos Querier")


def test_no_trunkline_series_exits_1(cluster: Cluster) -> None:
    with PrometheusServer(cluster.hub, []) as empty:
        res = verify(cluster, "--window", "5m", url=empty.url)
    assert res.returncode == 1, res.stderr
    assert res.stderr.strip().splitlines()[-1] == (
        f"trunkline: error: Prometheus at {empty.url} holds no trunkline series from the last 5m: deploy the "
        "counters (deploy/), enable user workload monitoring, or widen --window")


def test_untrusted_certificate_exits_3_and_a_refused_token_exits_2(cluster: Cluster, tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
       "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert))
    token = tmp_path / "token"
    token.write_text("sha256~not-a-valid-token\n")
    web = {"tls_server_config": {"cert_file": str(cert), "key_file": str(key)},
           "basic_auth_users": {"admin": BCRYPT_SECRET}}
    with PrometheusServer(cluster.hub, [], web_config=web) as guarded:
        untrusted = verify(cluster, "--token-file", str(token), url=guarded.url)
        refused = verify(cluster, "--token-file", str(token), "--ca-file", str(cert), url=guarded.url)
        anonymous = verify(cluster, "--ca-file", str(cert), url=guarded.url)
    assert untrusted.returncode == 3, untrusted.stderr
    assert untrusted.stderr.strip() == (
        f"trunkline: error: Prometheus at {guarded.url}: its certificate is not trusted (self-signed "
        "certificate); pass --ca-file with the CA that signed it")
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.strip() == (
        f"trunkline: error: Prometheus at {guarded.url} refused the token (401 Unauthorized); use a token of "
        "an account bound to the cluster-monitoring-view cluster role (`oc create token` for a service "
        "account, or `oc whoami -t`)")
    assert anonymous.returncode == 2, anonymous.stderr
    assert "answered 401 Unauthorized: it needs a bearer token; pass --token-file FILE" in anonymous.stderr
