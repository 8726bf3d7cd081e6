"""`trunkline verify PLAN_DIR --prometheus URL`: every node at once, from the counters' series."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from trunkline.cluster_verify import ClusterVerification, check_window, judge, queries
from trunkline.errors import BadInputError, FindingsError
from trunkline.planindex import load_index
from trunkline.promapi import PrometheusClient, base_url, read_token
from trunkline.tls import ssl_context
from trunkline.verify import read_nads
from trunkline.vmmetrics import vlan_values

VERDICT_STATES = ("seen", "wrong-vlan", "on-several-vlans", "not-seen")
STYLE = {"mapped": "green", "unmapped": "bold red", "missing-on-node": "bold red", "untagged": "dim"}
SEVERITY = {"error": "[bold red]error[/]", "warning": "[yellow]warning[/]", "info": "note"}


def _fmt(vlan: int | None) -> str:
    return "untagged" if vlan is None else ("0 (priority)" if vlan == 0 else str(vlan))


def _num(value: float) -> str:
    return f"{round(value):,}"


def render_table(result: ClusterVerification, console: Console, window: str) -> None:
    """Print *result*: one row per node, interface and VLAN; verdict counts per node; one line per finding."""
    table = Table(title=f"received frames per node and VLAN, last {window}")
    for name, justify in (("node", "left"), ("group", "left"), ("counter", "left"), ("interface", "left"),
                          ("VLAN", "right"), ("packets", "right"), ("bytes", "right"), ("status", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for node in result.nodes:
        counter = node.counter if node.counter == "up" else f"[bold red]{node.counter}[/]"
        if not node.rows:
            table.add_row(node.node, node.group or "-", counter, ", ".join(node.interfaces) or "-",
                          "-", "-", "-", "-")
        for row in node.rows:
            table.add_row(node.node, node.group or "-", counter, row.interface, _fmt(row.vlan),
                          _num(row.packets), _num(row.bytes), f"[{STYLE[row.status]}]{row.status}[/]")
    console.print(table)
    if any(n.verdicts or n.anomalies or n.anomalies_dropped for n in result.nodes):
        verdicts = Table(title="VM NICs per verdict on each node (per-VM detail: `trunkline verify` there)")
        for name in ("node", *VERDICT_STATES, "anomalies", "not exported"):
            verdicts.add_column(name, justify="left" if name == "node" else "right")
        for node in result.nodes:
            verdicts.add_row(node.node, *(str(node.verdicts.get(s, 0)) for s in VERDICT_STATES),
                             str(len(node.anomalies)), str(node.anomalies_dropped))
        console.print(verdicts)
    for finding in result.findings:
        console.print(f"{SEVERITY[finding.severity]}: {finding.message}", soft_wrap=True, markup=True)


def run(plan_dir: Path, url: str, window: str, token_file: Path | None, ca_file: Path | None,
        insecure: bool, as_json: bool) -> None:
    """Query Prometheus at *url*, judge, print (table or one JSON record) and raise for the exit code.

    Raises:
        BadInputError: a bad window, token or CA file, plan directory, or a refused token (exit 2).
        EnvironmentProblem: Prometheus unreachable or its certificate not trusted (exit 3).
        FindingsError: an error finding, or no trunkline series in the window (exit 1).
    """
    try:
        check_window(window)
    except ValueError as exc:
        raise BadInputError(str(exc)) from None
    base_url(url)  # a malformed URL is refused before the plan is read
    if ca_file is not None and not ca_file.is_file():
        raise BadInputError(f"CA file {ca_file} does not exist or is not a file: pass an existing --ca-file")
    nads = read_nads(plan_dir)
    plan_vlans = frozenset(v for n in nads for lo, hi in n.ranges for v in range(lo, hi + 1))
    index = load_index(plan_dir)
    # the VLANs the group's counters would export as trunkline_plan_vlan_info (one reading of the index)
    plan_groups = None if index is None else {
        g.name: frozenset(int(v) for v in vlan_values(g) if v != "untagged") for g in index.groups}
    token = read_token(token_file) if token_file is not None else None
    if insecure:
        print("trunkline: warning: --insecure: the certificate of Prometheus is NOT verified (anyone on the "
              "path can read the token); prefer --ca-file", file=sys.stderr)
    https = url.strip().lower().startswith("https://")
    if token is not None and not https:
        print("trunkline: warning: --token-file over plain http: anyone on the path can read the token; "
              "prefer an https:// URL", file=sys.stderr)
    client = PrometheusClient(url, token, ssl_context(insecure, ca_file, "Prometheus") if https else None)
    at = time.time()
    answers = {name: client.query(promql, at) for name, promql in queries(window).items()}
    result = judge(answers, plan_vlans, window, plan_groups)
    if as_json:
        record = result.to_json()
        record.update(plan=str(plan_dir), prometheus=client.url, window=window, time=at,
                      queries=client.queries)
        sys.stdout.write(json.dumps(record) + "\n")
    else:
        render_table(result, Console(highlight=False), window)
    if not result.has_series:
        raise FindingsError(f"Prometheus at {client.url} holds no trunkline series from the last {window}: "
                            "deploy the counters (deploy/), enable user workload monitoring, or widen "
                            "--window")
    if result.errors:
        kinds = sorted({f.kind for f in result.errors})
        raise FindingsError(f"{len(result.errors)} error(s) across the nodes ({', '.join(kinds)}); "
                            "see the lines above")
