"""A small cluster of counter "nodes" scraped by a real Prometheus, for `trunkline verify --prometheus`.

Topology (every namespace and interface name unique to the run, all removed afterwards):

* a hub namespace runs Prometheus (Debian's 2.42) on 127.0.0.1 and a stand-in for kube-state-metrics
  (``kube_node_labels`` only: kube-state-metrics itself needs a Kubernetes API server);
* each "node" is a namespace running `trunkline count --hook tc --metrics-port` on its trunk end of a
  veth pair, whose other end (the "switch") writes VLAN-tagged frames through AF_PACKET; a second veth
  joins the node to the hub (198.51.100.0/24, RFC 5737) for scraping. The scrape config sets the ``node``
  label, as the ServiceMonitor's relabelling does on OpenShift.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import cli_env
from tests.netns import VethPair, sh, stop_process, unique
from tests.prometheus_fixture import KubeStateMetricsStandIn, PrometheusServer, free_port
from tests.support.deploy import write_groups
from tests.watch_traffic import ETH_P_IP, Sender, ethernet, in_netns, ipv4_udp, quiet_ipv6

METRICS_PORT = 9100
FRAME = 14 + 4 + 20 + 8 + 60  # Ethernet + 802.1Q tag + IPv4 + UDP + Sender.udp's payload
GROUPS = {"node-a": "g1", "node-b": "g1", "node-c": "g2", "node-d": "g2", "node-e": "g2"}


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


def verify(cluster: Cluster, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    """`trunkline verify PLAN --prometheus URL ARGS` in the hub namespace, on a 200-column terminal."""
    cmd = ["ip", "netns", "exec", cluster.hub, sys.executable, "-m", "trunkline", "verify", str(cluster.plan),
           "--prometheus", url or cluster.prometheus.url, *args]
    return subprocess.run(cmd, capture_output=True, text=True, env={**cli_env(), "COLUMNS": "200"},
                          timeout=120)


PLAN_INDEX_PANELS = {"Silent planned VLANs per node (live elsewhere in the group)",
                     "VM NICs per verdict and node", "VM NIC anomalies"}
"""Panels over trunkline_plan_vlan_info and the VM NIC families: counters export them with --plan-index."""
