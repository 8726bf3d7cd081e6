"""The plan's metric families for a node group (count --plan-index DIR --group NAME), and their bound."""

from __future__ import annotations

import time
from collections import Counter as Tally
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.plan import big_inventory, plan_index
from tests.support.vmverdict import APP01_1, APP01_2, WEB01, Pair
from trunkline.vmmetrics import PlanCollector
from trunkline.xdp.exporter import GroupLabelled

NOW = 10_000.0


@dataclass
class Table:
    """A MAC table shaped like trunkline.xdp.macs.MacTable (what the collector reads of it)."""

    entries: tuple[Pair, ...]
    capacity: int = 16384
    inserts_by_direction: dict[str, int] = field(default_factory=dict)


@dataclass
class Learner:
    """Stands in for an open Counter(learn_macs=True): an interface and a MAC table."""

    interface: str
    table: Table

    def read_macs(self) -> Table:
        return self.table


def _scrape(*collectors: object) -> dict[str, list[dict[str, str]]]:
    registry = CollectorRegistry(auto_describe=False)
    for c in collectors:
        registry.register(c)  # type: ignore[arg-type]
    out: dict[str, list[dict[str, str]]] = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            out.setdefault(sample.name, []).append({**sample.labels, "value": str(sample.value)})
    return out


def test_families_for_the_example_group() -> None:
    index = plan_index()
    pairs = (Pair("rx", 10, WEB01, 4, last_seen=NOW - 10), Pair("tx", 20, APP01_1, 3, last_seen=NOW - 5),
             Pair("tx", 20, APP01_2, 2, last_seen=NOW - 5), Pair("rx", 30, APP01_2, 1, last_seen=NOW - 5),
             Pair("tx", 40, "02:00:00:00:00:09", 1, last_seen=NOW - 1))
    learner = Learner("ens34", Table(pairs, inserts_by_direction={"rx": 2, "tx": 3}))
    s = _scrape(PlanCollector(index, index.group("workers"), [learner], clock=lambda: NOW))
    assert [(x["vlan"], x["group"]) for x in s["trunkline_plan_vlan_info"]] == [
        ("10", "workers"), ("20", "workers"), ("30", "workers"), ("40", "workers")]
    assert {x["state"]: float(x["value"]) for x in s["trunkline_vm_nics"]} == {
        "seen": 1.0, "wrong-vlan": 1.0, "on-several-vlans": 1.0, "not-seen": 3.0}
    anomalies = [{k: v for k, v in x.items() if k != "group"} for x in s["trunkline_vm_nic_anomaly"]]
    assert anomalies == [
        {"interface": "ens34", "direction": "tx", "state": "wrong-vlan", "vm": "app01",
         "nic": "Network adapter 1", "mac": APP01_1, "expected_vlans": "10", "seen_vlans": "20",
         "value": "1.0"},
        {"interface": "ens34", "direction": "rx", "state": "on-several-vlans", "vm": "app01",
         "nic": "Network adapter 2", "mac": APP01_2, "expected_vlans": "20", "seen_vlans": "20,30",
         "value": "1.0"},
        {"interface": "ens34", "direction": "tx", "state": "on-several-vlans", "vm": "app01",
         "nic": "Network adapter 2", "mac": APP01_2, "expected_vlans": "20", "seen_vlans": "20,30",
         "value": "1.0"},
    ]
    assert s["trunkline_vm_nic_anomalies_dropped"] == [{"group": "workers", "value": "0.0"}]
    assert {(x["direction"], x["value"]) for x in s["trunkline_mac_table_entries"]} == {("rx", "2.0"),
                                                                                        ("tx", "3.0")}
    assert {(x["direction"], x["value"]) for x in s["trunkline_mac_table_inserts_total"]} == {
        ("rx", "2.0"), ("tx", "3.0")}
    assert {x["value"] for x in s["trunkline_mac_table_capacity"]} == {"16384.0"}


def test_anomaly_clears_after_its_window() -> None:
    index = plan_index()
    old = Learner("ens34", Table((Pair("tx", 20, APP01_1, 3, last_seen=NOW - 901),)))
    s = _scrape(PlanCollector(index, index.group("workers"), [old], clock=lambda: NOW))
    assert "trunkline_vm_nic_anomaly" not in s
    assert {x["state"]: x["value"] for x in s["trunkline_vm_nics"]}["wrong-vlan"] == "0.0"
    s = _scrape(PlanCollector(index, index.group("workers"), [old], window_s=1000, clock=lambda: NOW))
    assert len(s["trunkline_vm_nic_anomaly"]) == 1


def test_group_label_on_every_series_of_another_collector() -> None:
    index = plan_index()
    inner = PlanCollector(index, index.group("workers"), [], clock=lambda: NOW)
    s = _scrape(GroupLabelled(inner, "rack-a"))
    assert {x["group"] for rows in s.values() for x in rows} == {"rack-a"}


def test_5000_nic_plan_series_are_bounded_by_vlans_and_the_anomaly_limit() -> None:
    index = plan_index(big_inventory(5000))
    group = index.group("workers")
    nics = [n for n in index.nics_of(group) if n.mac]
    assert len(nics) == 5000
    # every NIC on its VLAN, 700 of them also on VLAN 99, and 9,000 MACs outside the plan
    pairs = [Pair("rx", n.expected.ranges[0][0], n.mac or "", 1, last_seen=NOW) for n in nics]
    pairs += [Pair("tx", 99, n.mac or "", 1, last_seen=NOW) for n in nics[:700]]
    pairs += [Pair("rx", 10, f"02:00:00:{i >> 16:02x}:{(i >> 8) & 0xFF:02x}:{i & 0xFF:02x}", 1, last_seen=NOW)
              for i in range(9000)]
    learner = Learner("ens1f0", Table(tuple(pairs), capacity=16384))
    s = _scrape(PlanCollector(index, group, [learner], clock=lambda: NOW))
    series = Tally({name: len(rows) for name, rows in s.items()})
    assert series["trunkline_plan_vlan_info"] == 4
    assert series["trunkline_vm_nic_anomaly"] == 100
    assert s["trunkline_vm_nic_anomalies_dropped"][0]["value"] == "1300.0"  # 700 NICs x (rx, tx) - 100
    assert {x["state"]: x["value"] for x in s["trunkline_vm_nics"]} == {
        "seen": "4300.0", "wrong-vlan": "0.0", "on-several-vlans": "700.0", "not-seen": "0.0"}
    assert sum(series.values()) == 4 + 4 + 100 + 1 + 3 * 2


def test_count_plan_index_usage_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    plan = tmp_path / "plan"
    assert run_cli("plan", "-o", str(plan)).returncode == 0
    cases = [
        (["--plan-index", str(plan)], "--plan-index needs --group NAME"),
        (["--plan-index", str(plan), "--group", "workers"],
         "--plan-index feeds the metrics: add --metrics-port"),
        (["--plan-index", str(plan), "--group", "rack-z", "--metrics-port", "0"],
         "--group rack-z: the plan index has no such node group (it has workers)"),
        (["--plan-index", str(plan), "--group", "workers", "--metrics-port", "0", "--anomaly-window", "soon"],
         "--anomaly-window 'soon': a positive duration such as 900, 15m or 1h"),
        (["--plan-index", str(plan / "vms"), "--group", "workers", "--metrics-port", "0"],
         f"--plan-index {plan / 'vms'}: no plan index there"),
    ]
    for args, message in cases:
        proc = run_cli("count", "lo", *args, timeout=30)
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


@pytest.mark.privileged
def test_count_plan_index_exports_real_frames_with_the_group_label(  # type: ignore[no-untyped-def]
    veth_pair, bundled_plan
) -> None:
    """`trunkline count --plan-index --group` as the DaemonSet runs it, scraped over HTTP in ns_b."""
    import re
    import subprocess
    import sys
    import urllib.request

    from tests.conftest import cli_env
    from tests.watch_traffic import ETH_P_IP, Sender, ethernet, in_netns, ipv4_udp, quiet_ipv6

    quiet_ipv6(veth_pair)
    cmd = ["ip", "netns", "exec", veth_pair.ns_b, sys.executable, "-m", "trunkline", "count", veth_pair.if_b,
           "--hook", "tc", "--by", "total", "--interval", "60", "--metrics-port", "0", "--metrics-address",
           "127.0.0.1", "--plan-index", str(bundled_plan / "monitoring"), "--group", "workers"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=cli_env())
    sender = Sender(veth_pair)
    try:
        assert proc.stderr is not None
        err = ""
        while not (found := re.search(r"http://127\.0\.0\.1:(\d+)/metrics", err)):
            line = proc.stderr.readline()
            assert line, err + proc.stderr.read()
            err += line
        payload = ipv4_udp(veth_pair.ip_a, veth_pair.ip_b, b"v" * 60)
        sender.raw(ethernet(sender.mac_b, WEB01, ETH_P_IP, payload, 10), 3)
        sender.raw(ethernet(sender.mac_b, APP01_1, ETH_P_IP, payload, 20), 2)
        with in_netns(veth_pair.ns_b):
            deadline = time.monotonic() + 10
            while True:  # poll until both pairs are learned (frames cross the veth asynchronously)
                with urllib.request.urlopen(f"http://127.0.0.1:{found.group(1)}/metrics", timeout=10) as r:
                    text = r.read().decode()
                if 'state="wrong-vlan"} 1.0' in text or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
    finally:
        sender.close()
        proc.terminate()
        proc.wait(timeout=30)
    samples = [(f.name, s) for f in text_string_to_metric_families(text) for s in f.samples]
    assert all(s.labels.get("group") == "workers" for _, s in samples)
    nics = {s.labels["state"]: s.value for n, s in samples if s.name == "trunkline_vm_nics"}
    assert nics == {"seen": 1.0, "wrong-vlan": 1.0, "on-several-vlans": 0.0, "not-seen": 4.0}
    (anomaly,) = [s.labels for n, s in samples if s.name == "trunkline_vm_nic_anomaly"]
    assert anomaly == {"group": "workers", "interface": veth_pair.if_b, "direction": "rx",
                       "state": "wrong-vlan", "vm": "app01", "nic": "Network adapter 1", "mac": APP01_1,
                       "expected_vlans": "10", "seen_vlans": "20"}
    vlan_rx = {s.labels["vlan"]: s.value for n, s in samples
               if s.name == "trunkline_vlan_packets_total" and s.labels["direction"] == "rx"}
    assert (vlan_rx["10"], vlan_rx["20"]) == (3.0, 2.0)
    entries = {s.labels["direction"]: s.value for n, s in samples if s.name == "trunkline_mac_table_entries"}
    assert entries["rx"] == 2.0
