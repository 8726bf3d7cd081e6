"""Scraping and reading the counters' Prometheus endpoint in the metrics tests."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import defaultdict

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[str, dict[tuple[tuple[str, str], ...], float]]


def scrape(port: int, path: str = "/metrics") -> tuple[int, str]:
    """(status, body) of ``GET http://127.0.0.1:PORT/PATH`` from this thread's network namespace."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def parse(text: str) -> Samples:
    """sample name -> {sorted label items -> value}."""
    out: Samples = defaultdict(dict)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[sample.name][tuple(sorted(sample.labels.items()))] = sample.value
    return out


def value(samples: Samples, metric: str, /, **labels: str) -> float:
    """The value of *metric* with exactly *labels* in *samples*, 0.0 when absent."""
    return samples[metric].get(tuple(sorted(labels.items())), 0.0)
