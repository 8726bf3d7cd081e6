"""`verify --prometheus`: every node's trunk at once, judged from the counters' series in Prometheus.

:data:`QUERIES` are the PromQL asked, a fixed number whatever the number of nodes, interfaces and VLANs;
:func:`judge` is pure and turns their answers into a :class:`ClusterVerification`.

What is judged (received frames, ``direction="rx"``, in the window):

* **planned VLANs with traffic** (``mapped``) and **unplanned VLANs with traffic** (``unmapped``, error);
* **missing-on-node** (error): a planned VLAN with traffic on some nodes of a node group and none on
  another node of the same group — the signature of a switch port that does not trunk it. Judged per node
  (the sum over its interfaces: bond members share a VLAN's traffic), listed on each of its interfaces;
* **silent** (warning): a planned VLAN without traffic on every node of its group;
* **no-counter** (error): a node of a group (kube-state-metrics' ``kube_node_labels``) with no counter
  scraped; **counter-down** (error): a counter target not answering, or an interface whose counter failed
  (``trunkline_counter_up 0``);
* per node, the VM NIC verdict counts (``trunkline_vm_nics``) and anomalies (``trunkline_vm_nic_anomaly``;
  ``wrong-vlan`` is an error, ``on-several-vlans`` a warning), and anomalies over the counter's limit.

Where each fact comes from:

* the node: the ``node`` label the ServiceMonitor's relabelling sets on every series and on ``up``;
* the node's group: the counter's ``group`` label, else the node's ``trunkline.io/node-group`` label in
  ``kube_node_labels`` (its ``label_trunkline_io_node_group``), else ``""`` (one group);
* the planned VLANs of a group: ``trunkline_plan_vlan_info{group}``, what the group's counters were
  deployed with (so that this command, the alerts and the dashboard judge alike); for a group without
  those series (counters run without ``--plan-index``), the group's VLANs in ``PLAN_DIR``'s plan index,
  else every VLAN the NADs in ``PLAN_DIR`` carry. Counters given other VLANs than ``PLAN_DIR``'s index
  (or NADs) give the group are reported (``plan-drift``): they run with another plan than the one given;
  a group of the index with no node at all, ``group-without-nodes``.

Traffic in the window counts a series that existed at the window's start by its ``increase()``, and a
series created during the window (a VLAN first seen, a counter started) by its last value: Prometheus 2.42
has no created timestamps, so ``increase()`` alone would miss the first frames of every new series.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from trunkline.promapi import Sample
from trunkline.vlanranges import format_ranges, merge_ranges

JOB = "trunkline-counter"
"""The scrape job of the counters: prometheus-operator names it after the Service (deploy/service.yaml)."""

GROUP_LABEL = "label_trunkline_io_node_group"
"""kube-state-metrics' label for the node label ``trunkline.io/node-group`` (it must be allowlisted:
``--metric-labels-allowlist=nodes=[trunkline.io/node-group]``, or ``nodes=[*]``)."""

WINDOW = re.compile(r"^(\d+(ms|[smhdwy]))+$")
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}
MAX_WINDOW_S = 365 * 86400
"""The longest ``--window``."""

Severity = Literal["error", "warning", "info"]
CounterState = Literal["up", "down", "no-counter"]
PlanSource = Literal["prometheus", "plan-index", "plan-dir"]


def _traffic(metric: str, window: str) -> str:
    series = f'{metric}{{direction="rx"}}'
    return (f"sum by (node, group, interface, vlan) ("
            f"(increase({series}[{window}]) and {series} offset {window}) or "
            f"(last_over_time({series}[{window}]) unless {series} offset {window}))")


def queries(window: str) -> dict[str, str]:
    """The PromQL ``verify --prometheus`` asks, by name, for a window like ``10m`` (all evaluated at one
    instant). Ten queries, whatever the number of nodes and VLANs."""
    anomaly_labels = "node, group, interface, direction, state, vm, nic, mac, expected_vlans, seen_vlans"
    return {
        "packets": _traffic("trunkline_vlan_packets_total", window),
        "bytes": _traffic("trunkline_vlan_bytes_total", window),
        "plan": f"max by (group, vlan) (last_over_time(trunkline_plan_vlan_info[{window}]))",
        "counters": f"max by (node, group, interface) (last_over_time(trunkline_counter_up[{window}]))",
        "targets": f'max by (node) (up{{job="{JOB}"}})',
        "members": f'max by (node, {GROUP_LABEL}) (kube_node_labels{{{GROUP_LABEL}!=""}})',
        "verdicts": "max by (node, group, state) (trunkline_vm_nics)",
        "anomalies": f"max by ({anomaly_labels}) (trunkline_vm_nic_anomaly)",
        "dropped": "max by (node, group) (trunkline_vm_nic_anomalies_dropped)",
        "established": f"max by (node) (trunkline_counter_up offset {window})",
    }


def check_window(window: str) -> str:
    """*window* if it is a Prometheus duration (``10m``, ``1h30m``), else raise ``ValueError``."""
    if not WINDOW.match(window) or not any(ch != "0" for ch in re.sub(r"\D", "", window)):
        raise ValueError(f"--window {window!r} is not a Prometheus duration; give e.g. 10m, 1h or 1h30m")
    if window_seconds(window) > MAX_WINDOW_S:
        raise ValueError(f"--window {window} is longer than 365d; give at most 365d (a counter's history "
                         "rarely reaches back further, and Prometheus refuses durations past ~292y)")
    return window


def window_seconds(window: str) -> float:
    """Seconds of a Prometheus duration matched by :data:`WINDOW` (``1y`` = 365 days, as Prometheus)."""
    return sum(int(n) * _UNIT_S[unit] for n, unit in re.findall(r"(\d+)(ms|[smhdwy])", window))


@dataclass(frozen=True)
class VlanRow:
    """One VLAN on one interface of one node: rx ``packets`` and ``bytes`` in the window (``increase()``
    estimates: not always whole numbers), ``vlan`` ``None`` for untagged, and its ``status``:
    ``mapped``, ``unmapped``, ``missing-on-node`` (no traffic here) or ``untagged`` (untagged and VLAN 0)."""

    interface: str
    vlan: int | None
    packets: float
    bytes: float
    status: str


@dataclass(frozen=True)
class Anomaly:
    """One ``trunkline_vm_nic_anomaly`` series: a VM NIC's MAC seen off its expected VLANs."""

    interface: str
    direction: str
    state: str
    vm: str
    nic: str
    mac: str
    expected_vlans: str
    seen_vlans: str


@dataclass(frozen=True)
class Finding:
    """One finding: ``severity``, ``kind`` (``missing-on-node``, ``unmapped``, ``wrong-vlan``,
    ``no-counter``, ``counter-down``, ``silent``, ``on-several-vlans``, ``anomalies-dropped``,
    ``group-mismatch``, ``plan-drift``, ``group-without-nodes``, ``no-node-label``, ``no-groups``), the
    one-line ``message``
    with the fix, and where."""

    severity: Severity
    kind: str
    message: str
    node: str = ""
    group: str = ""
    interface: str = ""
    vlan: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "kind": self.kind, "node": self.node, "group": self.group,
                "interface": self.interface, "vlan": self.vlan, "message": self.message}


@dataclass(frozen=True)
class NodeReport:
    """One node: its ``group``, ``counter`` state, ``interfaces`` counted, VLAN ``rows`` (sorted by
    interface, then untagged first and VLAN ID), whether its counter started inside the window (``young``:
    an idle VLAN may just not have had a frame since), VM NIC ``verdicts`` (state -> count), ``anomalies``
    and ``anomalies_dropped`` (over the counter's limit)."""

    node: str
    group: str
    counter: CounterState
    interfaces: tuple[str, ...] = ()
    rows: tuple[VlanRow, ...] = ()
    young: bool = False
    verdicts: Mapping[str, int] = field(default_factory=dict)
    anomalies: tuple[Anomaly, ...] = ()
    anomalies_dropped: int = 0


@dataclass(frozen=True)
class GroupReport:
    """One node group: its ``nodes``, ``planned`` VLAN IDs (``untagged`` aside), where the plan came from
    (``prometheus``: the counters' ``trunkline_plan_vlan_info``; ``plan-index``: PLAN_DIR's plan index;
    ``plan-dir``: every VLAN of PLAN_DIR's NADs), and the planned VLANs ``silent`` on every node of it."""

    group: str
    nodes: tuple[str, ...]
    planned: tuple[int, ...]
    plan_source: PlanSource
    silent: tuple[int, ...]


@dataclass(frozen=True)
class ClusterVerification:
    """The result of :func:`judge`: ``nodes`` and ``groups`` sorted by name, ``findings`` (errors first),
    and whether Prometheus held any trunkline series in the window (``has_series``)."""

    nodes: tuple[NodeReport, ...]
    groups: tuple[GroupReport, ...]
    findings: tuple[Finding, ...]
    has_series: bool

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def ok(self) -> bool:
        """No error finding, and some series to judge."""
        return self.has_series and not self.errors

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready record of ``verify --prometheus --json`` (``record``: ``verify-cluster``)."""
        return {
            "record": "verify-cluster",
            "ok": self.ok,
            "has_series": self.has_series,
            "groups": [{"group": g.group, "nodes": list(g.nodes), "planned_vlans": format_ranges(
                merge_ranges((v, v) for v in g.planned)), "plan_source": g.plan_source,
                "silent_vlans": list(g.silent)} for g in self.groups],
            "nodes": [{
                "node": n.node, "group": n.group, "counter": n.counter, "interfaces": list(n.interfaces),
                "counter_started_in_window": n.young,
                "vlans": [{"interface": r.interface, "vlan": r.vlan, "status": r.status,
                           "packets": r.packets, "bytes": r.bytes} for r in n.rows],
                "missing_on_node": sorted({r.vlan for r in n.rows
                                           if r.status == "missing-on-node" and r.vlan is not None}),
                "unmapped": sorted({r.vlan for r in n.rows if r.status == "unmapped" and r.vlan is not None}),
                "verdicts": dict(sorted(n.verdicts.items())),
                "anomalies": [a.__dict__ for a in n.anomalies],
                "anomalies_dropped": n.anomalies_dropped,
            } for n in self.nodes],
            "findings": [f.to_json() for f in self.findings],
        }


def vlan_of_label(label: str) -> int | None:
    """The ``vlan`` label back to an ID (``"untagged"`` -> ``None``); ``ValueError`` for anything else."""
    return None if label == "untagged" else int(label)


def _vlans(values: Iterable[int]) -> str:
    ranges = merge_ranges((v, v) for v in values)
    single = len(ranges) == 1 and ranges[0][0] == ranges[0][1]
    return ("VLAN " if single else "VLANs ") + format_ranges(ranges)


def _names(nodes: Iterable[str]) -> str:
    return ", ".join(sorted(nodes))


def judge(answers: Mapping[str, Sequence[Sample]], plan_dir_vlans: frozenset[int], window: str = "10m",
          plan_groups: Mapping[str, frozenset[int]] | None = None) -> ClusterVerification:
    """Judge every node from the answers to :func:`queries` (by the same names).

    Args:
        answers: query name -> samples (missing names count as empty answers).
        plan_dir_vlans: the tagged VLAN IDs the NADs in ``PLAN_DIR`` carry (trunk ranges expanded): the
            plan of a group without ``trunkline_plan_vlan_info`` series and not in *plan_groups*.
        window: the window the answers cover, for messages.
        plan_groups: node group -> its tagged VLAN IDs, from ``PLAN_DIR``'s plan index (``None`` without
            one): the plan of a group whose counters export none, and what their exported plan must equal.

    Returns:
        a :class:`ClusterVerification`. Pure: no I/O. Samples with a ``vlan`` label that is not a VLAN
        ID or ``untagged`` are ignored.
    """
    def get(name: str) -> Sequence[Sample]:
        return answers.get(name, ())

    findings: list[Finding] = []
    members = {s.labels.get("node", ""): s.labels.get(GROUP_LABEL, "") for s in get("members")}
    counter_group: dict[str, str] = {}
    interface_up: dict[str, dict[str, float]] = defaultdict(dict)
    for s in get("counters"):
        node = s.labels.get("node", "")
        interface_up[node][s.labels.get("interface", "")] = s.value
        if s.labels.get("group"):
            counter_group[node] = s.labels["group"]
    targets = {s.labels.get("node", ""): s.value for s in get("targets")}
    established = {s.labels.get("node", "") for s in get("established")}

    traffic: dict[str, dict[tuple[str, int | None], list[float]]] = defaultdict(dict)
    for name, index in (("packets", 0), ("bytes", 1)):
        for s in get(name):
            try:
                vlan = vlan_of_label(s.labels.get("vlan", ""))
            except ValueError:
                continue
            node = s.labels.get("node", "")
            if s.labels.get("group"):
                counter_group.setdefault(node, s.labels["group"])
            cell = traffic[node].setdefault((s.labels.get("interface", ""), vlan), [0.0, 0.0])
            cell[index] += s.value

    has_series = bool(interface_up or traffic)
    nodes = sorted(set(members) | set(interface_up) | set(traffic) | set(targets))
    group_of: dict[str, str] = {}
    for node in nodes:
        mine, labelled = counter_group.get(node, ""), members.get(node, "")
        group_of[node] = mine or labelled
        if mine and labelled and mine != labelled:
            findings.append(Finding("warning", "group-mismatch",
                f"node {node} is labelled trunkline.io/node-group={labelled} but its counter runs for group "
                f"{mine}: restart the counter pod (the DaemonSet of group {labelled} replaces it)",
                node=node, group=mine))

    planned_prom: dict[str, set[int]] = defaultdict(set)
    for s in get("plan"):
        try:
            vlan = vlan_of_label(s.labels.get("vlan", ""))
        except ValueError:
            continue
        if vlan is not None:
            planned_prom[s.labels.get("group", "")].add(vlan)

    state: dict[str, CounterState] = {}
    for node in nodes:
        up = targets.get(node)
        counted = node in interface_up or node in traffic
        if up == 0 or (up is None and counted):
            state[node] = "down"
            why = "its scrape target is down" if up == 0 else f"it was scraped within {window} but is no more"
            findings.append(Finding("error", "counter-down",
                f"the trunkline counter on node {node} is down ({why}): check the counter pod on that node "
                "(`oc -n trunkline get pods -o wide`)", node=node, group=group_of[node]))
        elif up is None:
            state[node] = "no-counter"
            findings.append(Finding("error", "no-counter",
                f"node {node} of group {group_of[node] or '-'} has no trunkline counter: the DaemonSet for "
                "the group does not run there; check its nodeSelector and the node's label "
                "trunkline.io/node-group", node=node, group=group_of[node]))
        else:
            state[node] = "up"
        for interface, value in sorted(interface_up.get(node, {}).items()):
            if value == 0 and state[node] == "up":
                findings.append(Finding("error", "counter-down",
                    f"the trunkline counter on node {node} cannot read interface {interface} (it vanished or "
                    "was renamed): fix TRUNK_INTERFACES and restart the pod", node=node,
                    group=group_of[node], interface=interface))

    live: dict[str, set[int]] = {node: {v for (_i, v), (p, _b) in traffic.get(node, {}).items()
                                        if v not in (None, 0) and p > 0} for node in nodes}
    by_group: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        by_group[group_of[node]].append(node)

    reports: list[NodeReport] = []
    groups: list[GroupReport] = []
    verdicts: dict[str, dict[str, int]] = defaultdict(dict)
    for s in get("verdicts"):
        verdicts[s.labels.get("node", "")][s.labels.get("state", "")] = round(s.value)
    anomalies: dict[str, list[Anomaly]] = defaultdict(list)
    for s in get("anomalies"):
        anomalies[s.labels.get("node", "")].append(Anomaly(*(s.labels.get(k, "") for k in (
            "interface", "direction", "state", "vm", "nic", "mac", "expected_vlans", "seen_vlans"))))
    dropped = {s.labels.get("node", ""): round(s.value) for s in get("dropped")}

    for group in sorted(by_group):
        members_here = by_group[group]
        indexed = (plan_groups or {}).get(group)
        source: PlanSource
        if group in planned_prom:
            source, planned = "prometheus", planned_prom[group]
        elif indexed is not None:
            source, planned = "plan-index", set(indexed)
        else:
            source, planned = "plan-dir", set(plan_dir_vlans)
        if source == "prometheus":
            ref = "the plan directory's " + ("plan index" if indexed is not None else "NADs")
            extra = planned - (indexed if indexed is not None else plan_dir_vlans)
            lacking = (indexed - planned) if indexed is not None else set()
            parts = [f"{_vlans(extra)} beyond {ref}"] if extra else []
            parts += [f"not {_vlans(lacking)} of {ref}"] if lacking else []
            if parts:
                findings.append(Finding("warning", "plan-drift",
                    f"the counters of group {group or '-'} were given {' and '.join(parts)}: they run with "
                    "another plan; deploy this plan's monitoring/ directory", group=group))
        up_nodes = [n for n in members_here if state[n] == "up"]
        live_in_group = set().union(*(live[n] for n in up_nodes)) if up_nodes else set()
        expected_live = live_in_group & planned
        silent = tuple(sorted(planned - live_in_group)) if up_nodes else ()
        if silent:
            findings.append(Finding("warning", "silent",
                f"{_vlans(silent)} of group {group or '-'} carried no traffic on any of its nodes within "
                f"{window}: idle, or not trunked to this group at all", group=group))
        groups.append(GroupReport(group, tuple(members_here), tuple(sorted(planned)), source, silent))

        for node in members_here:
            rows: list[VlanRow] = []
            cells = traffic.get(node, {})
            interfaces = tuple(sorted(set(interface_up.get(node, {})) | {i for i, _v in cells}))
            for (interface, vlan), (packets, nbytes) in cells.items():
                if packets <= 0:
                    continue
                if vlan in (None, 0):
                    status = "untagged"
                elif vlan in planned:
                    status = "mapped"
                else:
                    status = "unmapped"
                    findings.append(Finding("error", "unmapped",
                        f"VLAN {vlan} carries traffic on node {node} ({interface}) but the plan of group "
                        f"{group or '-'} does not map it: its VMs would be cut off after migration; add a "
                        "port group/NAD for it to the plan, or remove it from the switch port",
                        node=node, group=group, interface=interface, vlan=vlan))
                rows.append(VlanRow(interface, vlan, packets, nbytes, status))
            young = state[node] == "up" and node not in established
            if state[node] == "up":
                for vlan in sorted(expected_live - live[node]):
                    others = [n for n in up_nodes if vlan in live[n]]
                    since = (f" (its counter started within the {window}: if VLAN {vlan} is seldom used, run "
                             "again after a full window)") if young else ""
                    findings.append(Finding("error", "missing-on-node",
                        f"VLAN {vlan} carries traffic on {_names(others)} but none on node {node} "
                        f"({', '.join(interfaces) or '-'}) of the same group {group or '-'} within {window}: "
                        f"the switch port probably does not trunk VLAN {vlan} to {node}; add it to the "
                        f"port's allowed VLANs{since}", node=node, group=group, vlan=vlan))
                    rows.extend(VlanRow(i, vlan, 0.0, 0.0, "missing-on-node") for i in interfaces)
            for anomaly in anomalies.get(node, ()):
                severity: Severity = "error" if anomaly.state == "wrong-vlan" else "warning"
                findings.append(Finding(severity, anomaly.state,
                    f"VM {anomaly.vm} NIC {anomaly.nic} ({anomaly.mac}) is {anomaly.state} on node {node} "
                    f"({anomaly.interface}, {anomaly.direction}): expected VLAN {anomaly.expected_vlans}, "
                    f"seen on {anomaly.seen_vlans}; check the VM's NAD against its vSphere port group "
                    f"(`trunkline verify PLAN_DIR {anomaly.interface}` on the node has the detail)",
                    node=node, group=group, interface=anomaly.interface))
            if dropped.get(node, 0) > 0:
                findings.append(Finding("warning", "anomalies-dropped",
                    f"node {node} has {dropped[node]} more VM NIC anomalies than its counter exports; run "
                    f"`trunkline verify PLAN_DIR IFACE` on the node for all of them", node=node, group=group))
            rows.sort(key=lambda r: (r.interface, -1 if r.vlan is None else r.vlan))
            reports.append(NodeReport(node, group, state[node], interfaces, tuple(rows), young,
                                      verdicts.get(node, {}), tuple(anomalies.get(node, ())),
                                      dropped.get(node, 0)))

    for group in sorted(set(plan_groups or {}) - set(by_group)):
        findings.append(Finding("warning", "group-without-nodes",
            f"node group {group} of the plan has no node in Prometheus (no node labelled "
            f"trunkline.io/node-group={group}, no counter): label its nodes "
            f"(`oc label node NODE trunkline.io/node-group={group}`)", group=group))
    if "" in nodes:
        findings.append(Finding("warning", "no-node-label",
            "some trunkline series carry no node label, so their nodes cannot be told apart: scrape the "
            "counters with deploy/servicemonitor.yaml, whose relabelling sets node from the pod's node name"))
    if not members and nodes:
        findings.append(Finding("info", "no-groups",
            "no node carries the label trunkline.io/node-group in kube_node_labels: nodes without a counter "
            "cannot be found (kube-state-metrics must allowlist the label: "
            "--metric-labels-allowlist=nodes=[trunkline.io/node-group])"))
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: (order[f.severity], f.kind, f.node, f.interface,
                                 -1 if f.vlan is None else f.vlan))
    reports.sort(key=lambda r: r.node)
    return ClusterVerification(tuple(reports), tuple(groups), tuple(findings), has_series)
