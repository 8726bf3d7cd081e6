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
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import cli_env
from tests.netns import VethPair, sh, stop_process, unique
from tests.prometheus_fixture import PROMETHEUS, KubeStateMetricsStandIn, PrometheusServer, free_port
from tests.support.deploy import queries as dashboard_queries
from tests.support.deploy import write_groups
from tests.watch_traffic import ETH_P_IP, Sender, ethernet, in_netns, ipv4_udp, quiet_ipv6

pytestmark = [pytest.mark.privileged, pytest.mark.slow,
              pytest.mark.skipif(PROMETHEUS is None, reason="prometheus not installed (./quickstart.sh)")]

METRICS_PORT = 9100
FRAME = 14 + 4 + 20 + 8 + 60  # Ethernet + 802.1Q tag + IPv4 + UDP + Sender.udp's payload
TRAFFIC = {"node-a": {40: 5, 50: 3, 99: 2}, "node-b": {50: 4}, "node-c": {50: 2}}
GROUPS = {"node-a": "g1", "node-b": "g1", "node-c": "g2", "node-d": "g2", "node-e": "g2"}
BCRYPT_SECRET = "$2b$12$LKxO8jMHvRv.Nx4ghy1YmerLWCCLhdvidCgLFRE08JkrSb7PmTa0G"  # "secret" (libxcrypt)


def nad(name: str, vlan: int) -> dict[str, Any]:
    config = {"cniVersion": "0.3.1", "name": name, "type": "cnv-bridge", "bridge": "br-trunk", "vlan": vlan}
    return {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
            "metadata": {"name": name, "namespace": "vms"}, "spec": {"config": json.dumps(config)}}


@dataclass
class Cluster:
    hub: str
    prometheus: PrometheusServer
    plan: Path
    nodes: dict[str, VethPair]


def _hub(stack: ExitStack) -> str:
    hub = unique("tlph")
    sh("ip", "netns", "add", hub)
    stack.callback(sh, "ip", "netns", "del", hub, check=False)
    sh("ip", "-n", hub, "link", "set", "lo", "up")
    return hub


def _counter_node(stack: ExitStack, hub: str, index: int, logs: Path,
                  extra: list[str]) -> tuple[VethPair, str]:
    """A node namespace with its trunk veth and a management link to *hub*; starts its counter."""
    pair = stack.enter_context(VethPair())
    quiet_ipv6(pair)
    hub_if, node_if = unique("tlm"), unique("tln")
    hub_ip, node_ip = f"198.51.100.{4 * index + 1}", f"198.51.100.{4 * index + 2}"
    sh("ip", "-n", hub, "link", "add", hub_if, "type", "veth", "peer", "name", node_if, "netns", pair.ns_b)
    sh("ip", "-n", hub, "addr", "add", f"{hub_ip}/30", "dev", hub_if)
    sh("ip", "-n", pair.ns_b, "addr", "add", f"{node_ip}/30", "dev", node_if)
    sh("ip", "-n", hub, "link", "set", hub_if, "up")
    sh("ip", "-n", pair.ns_b, "link", "set", node_if, "up")
    cmd = ["ip", "netns", "exec", pair.ns_b, sys.executable, "-m", "trunkline", "count", pair.if_b,
           "--hook", "tc", "--metrics-port", str(METRICS_PORT), "--metrics-address", node_ip,
           "--by", "total", "--interval", "60", *extra]
    log = open(logs / f"count-{index}.log", "wb")  # noqa: SIM115 - closed by the stack
    stack.callback(log.close)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, env=cli_env())
    stack.callback(stop_process, proc, 15)
    return pair, f"{node_ip}:{METRICS_PORT}"


def _wait_metrics(hub: str, target: str, logs: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with in_netns(hub), urllib.request.urlopen(f"http://{target}/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"counter at {target} never answered: " +
                         " | ".join(p.read_text(errors="replace")[-500:] for p in logs.glob("count-*.log")))


Send = tuple[int, int, "str | None"]
"""(VLAN, frames, source MAC or ``None`` for the switch end's own) sent to a node's trunk."""


def start_cluster(stack: ExitStack, tmp: Path, plan: Path, sends: dict[str, list[Send]],
                  count_args: dict[str, list[str]] | None = None) -> Cluster:
    """Nodes of *sends* with counters (plus node-d without one and node-e not answering), kube_node_labels
    for :data:`GROUPS`, Prometheus with deploy/'s rules; returns once Prometheus holds every frame sent."""
    hub = _hub(stack)
    nodes: dict[str, VethPair] = {}
    targets: list[dict[str, Any]] = []
    for index, node in enumerate(sends):
        pair, target = _counter_node(stack, hub, index, tmp, (count_args or {}).get(node, []))
        nodes[node] = pair
        targets.append({"targets": [target], "labels": {"node": node}})
    # node-e: a counter target that does not answer (nothing listens there): `up` is 0.
    targets.append({"targets": [f"127.0.0.1:{free_port(hub)}"], "labels": {"node": "node-e"}})
    ksm = stack.enter_context(KubeStateMetricsStandIn(hub, GROUPS))
    prometheus = stack.enter_context(PrometheusServer(hub, [
        {"job_name": "trunkline-counter", "static_configs": targets},
        {"job_name": "kube-state-metrics", "honor_labels": True,
         "static_configs": [{"targets": [f"127.0.0.1:{ksm.port}"]}]},
    ], rule_files=[write_groups(tmp)]))
    for target in targets[:-1]:
        _wait_metrics(hub, target["targets"][0], tmp)
    for node, frames in sends.items():
        sender = Sender(nodes[node])
        try:
            for vlan, count, mac in frames:
                src = mac or sender.mac_a
                frame = ethernet(sender.mac_b, src, ETH_P_IP,
                                 ipv4_udp(nodes[node].ip_a, nodes[node].ip_b, b"v" * 60), vlan)
                sender.raw(frame, count)
        finally:
            sender.close()
    tagged = sum(count for frames in sends.values() for _vlan, count, _mac in frames)
    prometheus.wait_for('sum(trunkline_vlan_packets_total{direction="rx",vlan!="untagged"})',
                        lambda r: bool(r) and float(r[0]["value"][1]) == tagged)
    prometheus.wait_for('count(up{job="trunkline-counter"} == 1)',
                        lambda r: bool(r) and float(r[0]["value"][1]) == len(sends))
    prometheus.wait_for('count(kube_node_labels)', lambda r: bool(r) and float(r[0]["value"][1]) == 5)
    return Cluster(hub, prometheus, plan, nodes)


def write_nads(plan: Path) -> None:
    plan.mkdir(parents=True, exist_ok=True)
    (plan / "nads.yaml").write_text(yaml.safe_dump_all([nad("vlan40", 40), nad("vlan50", 50)]))


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


def verify(cluster: Cluster, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    """`trunkline verify PLAN --prometheus URL ARGS` in the hub namespace, on a 200-column terminal."""
    cmd = ["ip", "netns", "exec", cluster.hub, sys.executable, "-m", "trunkline", "verify", str(cluster.plan),
           "--prometheus", url or cluster.prometheus.url, *args]
    return subprocess.run(cmd, capture_output=True, text=True, env={**cli_env(), "COLUMNS": "200"},
                          timeout=120)


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


PLAN_INDEX_PANELS = {"Silent planned VLANs per node (live elsewhere in the group)",
                     "VM NICs per verdict and node", "VM NIC anomalies"}
"""Panels over trunkline_plan_vlan_info and the VM NIC families: counters export them with --plan-index."""


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
