"""The plan's metric families for one node group: ``count --plan-index DIR --group NAME``.

Families (docs/metrics.md), read at scrape time from the counters' MAC tables and the plan index:

* ``trunkline_plan_vlan_info{group,vlan}`` gauge 1 per VLAN the group's plan carries on its trunks
  (``untagged`` for untagged);
* ``trunkline_vm_nics{group,state}`` gauge: the group's VM NICs per verdict (:mod:`trunkline.vmverdict`)
  over the pairs last seen within the anomaly window;
* ``trunkline_vm_nic_anomaly{group,interface,direction,state,vm,nic,mac,expected_vlans,seen_vlans}``
  gauge 1 per ``wrong-vlan`` / ``on-several-vlans`` NIC, interface and direction it was seen in, for
  pairs last seen within ``window_s`` (so the series of a fixed VM goes away), at most ``limit`` series;
* ``trunkline_vm_nic_anomalies_dropped{group}`` gauge: anomaly series over the limit, not exported;
* ``trunkline_mac_table_entries{interface,direction}``, ``trunkline_mac_table_inserts_total{interface,
  direction}``, ``trunkline_mac_table_capacity{interface,direction}``: the learned-pair map's fill, new
  pairs since the counter started, and size (the map is shared by both directions; its size is
  reported for each). These three also come without a plan (:class:`MacTableCollector`, ``count --macs
  --metrics-port``).

**Bound.** Series per node: at most 4,097 ``plan_vlan_info`` (in practice the group's VLANs), 4
``vm_nics``, ``limit`` anomalies, 1 ``dropped`` and 6 per interface: O(VLANs + capped anomalies), never
O(MACs) or O(VMs) (tested with a 5,000-NIC plan). Anomalies are ordered ``wrong-vlan`` first, then by
VM, NIC, interface and direction, so the same ones are kept from scrape to scrape.

The counters' own families get the ``group`` label from :class:`trunkline.xdp.exporter.GroupLabelled`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from trunkline.errors import TrunklineError
from trunkline.planindex import IndexGroup, PlanIndex
from trunkline.vmverdict import ANOMALIES, LearnedPair, judge

DEFAULT_WINDOW_S = 15 * 60.0
DEFAULT_LIMIT = 100


class MacReadable(Protocol):
    """What the collector needs of a counter: :class:`trunkline.xdp.counter.Counter` opened with
    ``learn_macs=True``."""

    @property
    def interface(self) -> str: ...

    def read_macs(self) -> Any: ...


def vlan_values(group: IndexGroup) -> list[str]:
    """The ``vlan`` label values of *group*'s planned VLANs: ``untagged`` first, then each ID."""
    out = ["untagged"] if group.vlans.untagged or group.vlans.every else []
    ranges = ((1, 4094),) if group.vlans.every else group.vlans.ranges
    out += [str(v) for lo, hi in ranges for v in range(lo, hi + 1)]
    return out


def mac_table_families(counters: Sequence[MacReadable]) -> tuple[list[Metric], list[tuple[str, LearnedPair]]]:
    """Read every counter's MAC table now: the ``trunkline_mac_table_*`` families (module docstring) and
    the learned pairs as ``(interface, pair)``. A counter whose read fails is left out (the counters' own
    families report it: ``trunkline_counter_up`` 0)."""
    entries = GaugeMetricFamily("trunkline_mac_table_entries",
                                "Learned (VLAN, source MAC) pairs in the map now.",
                                labels=["interface", "direction"])
    inserts = CounterMetricFamily("trunkline_mac_table_inserts",
                                  "New (VLAN, source MAC) pairs learned since the counter started.",
                                  labels=["interface", "direction"])
    capacity = GaugeMetricFamily("trunkline_mac_table_capacity",
                                 "Pairs the map holds at most (shared by both directions).",
                                 labels=["interface", "direction"])
    pairs: list[tuple[str, LearnedPair]] = []
    for counter in counters:
        try:
            table = counter.read_macs()
        except TrunklineError:
            continue
        by_dir = getattr(table, "inserts_by_direction", {}) or {}
        for direction in ("rx", "tx"):
            mine = [e for e in table.entries if e.direction == direction]
            entries.add_metric([counter.interface, direction], len(mine))
            inserts.add_metric([counter.interface, direction], by_dir.get(direction, 0))
            capacity.add_metric([counter.interface, direction], table.capacity)
        pairs.extend((counter.interface, e) for e in table.entries)
    return [entries, inserts, capacity], pairs


class MacTableCollector(Collector):
    """The ``trunkline_mac_table_*`` families of *counters* (opened with MAC learning) without a plan:
    what ``count --macs --metrics-port`` serves beside the counters' families."""

    def __init__(self, counters: Sequence[MacReadable]) -> None:
        self.counters = list(counters)
        self._lock = threading.Lock()

    def collect(self) -> Iterable[Metric]:
        with self._lock:
            families, _ = mac_table_families(self.counters)
        yield from families


class PlanCollector(Collector):
    """The plan's families for node group *group* of *index* over *counters* (module docstring).

    Args:
        index: the plan index; group: the node group this DaemonSet counts for.
        counters: counters opened with MAC learning, kept open by the caller.
        window_s: anomalies and verdicts count pairs last seen within this many seconds.
        limit: anomaly series at most.
        clock: Unix time now (tests).
    """

    def __init__(self, index: PlanIndex, group: IndexGroup, counters: Sequence[MacReadable],
                 window_s: float = DEFAULT_WINDOW_S, limit: int = DEFAULT_LIMIT,
                 clock: Callable[[], float] = time.time) -> None:
        self.group = group
        self.nics = index.nics_of(group)
        self.counters = list(counters)
        self.window_s, self.limit, self.clock = window_s, limit, clock
        self._vlans = vlan_values(group)
        self._lock = threading.Lock()

    def collect(self) -> Iterable[Metric]:
        """Read every counter's MAC table now and yield the families."""
        g = self.group.name
        info = GaugeMetricFamily("trunkline_plan_vlan_info", "1 per VLAN the node group's plan carries.",
                                 labels=["group", "vlan"])
        for vlan in self._vlans:
            info.add_metric([g, vlan], 1)
        with self._lock:
            mac_tables, pairs = mac_table_families(self.counters)
        result = judge(self.nics, pairs, since=self.clock() - self.window_s)
        counts = GaugeMetricFamily("trunkline_vm_nics", "VM NICs of the node group's plan per verdict on "
                                   "this node, over the anomaly window.", labels=["group", "state"])
        for state, n in result.counts().items():
            counts.add_metric([g, state], n)
        rows = []
        for v in result.nics:
            if v.state not in ANOMALIES:
                continue
            for key in sorted({(i, s.direction) for s in v.sightings for i in s.interfaces}):
                seen = ",".join(("untagged" if vl is None else str(vl)) for vl in v.seen_vlans)
                rows.append(((ANOMALIES.index(v.state), v.nic.vm, v.nic.nic, *key),
                             [g, key[0], key[1], v.state, v.nic.vm, v.nic.nic, v.nic.mac or "",
                              v.nic.expected.describe(), seen]))
        rows.sort(key=lambda r: r[0])
        anomaly = GaugeMetricFamily(
            "trunkline_vm_nic_anomaly", "1 per VM NIC on a VLAN its port group does not carry, per "
            "interface and direction, seen within the anomaly window.",
            labels=["group", "interface", "direction", "state", "vm", "nic", "mac", "expected_vlans",
                    "seen_vlans"])
        for _, labels in rows[: self.limit]:
            anomaly.add_metric(labels, 1)
        dropped = GaugeMetricFamily("trunkline_vm_nic_anomalies_dropped",
                                    "Anomaly series over the limit, not exported.", labels=["group"])
        dropped.add_metric([g], max(len(rows) - self.limit, 0))
        yield from (info, counts, anomaly, dropped, *mac_tables)
