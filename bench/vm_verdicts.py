"""Per-VM verdicts at scale: the plan index of 5,000 VM NICs joined with a full MAC table.

Builds the plan index of an inventory with 2,500 VMs of 2 NICs each (the design size), splits
it into ConfigMaps and reads it back from files, then times, medians of --rounds (default 15):

* ``load``: reading the index back (:func:`trunkline.planindex.load_index`), and the process's resident
  memory before and after (what a DaemonSet pod pays for holding the index);
* ``judge``: the verdicts (:func:`trunkline.vmverdict.judge`) against 32,768 learned pairs (the default
  MAC table, full): every NIC on its VLAN, 700 also on another, the rest MACs outside the plan;
* ``scrape``: one ``PlanCollector.collect()`` (the same join plus building the metric families), and
  the series it yields;
* baseline: the same join over a tenth of the pairs, in the same run (the ratio shows the scaling).

``.venv/bin/python bench/vm_verdicts.py [--rounds 15]``. No root needed (the table is built in memory).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections import namedtuple
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import yaml  # noqa: E402

from trunkline.planindex import configmaps, load_index  # noqa: E402
from trunkline.vmmetrics import PlanCollector  # noqa: E402
from trunkline.vmverdict import judge  # noqa: E402

Pair = namedtuple("Pair", "direction vlan mac packets bytes first_seen last_seen")


class Table:
    def __init__(self, entries: list[Pair]) -> None:
        self.entries, self.capacity, self.inserts_by_direction = entries, 32768, {}


class Learner:
    def __init__(self, table: Table) -> None:
        self.interface, self.table = "ens1f0", table

    def read_macs(self) -> Table:
        return self.table


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_s(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    from tests.test_plan_index import _big_inventory, _index

    index = _index(_big_inventory(5000))
    with tempfile.TemporaryDirectory() as tmp:
        cms = configmaps(index)
        for cm in cms:
            (Path(tmp) / f"{cm['metadata']['name']}.yaml").write_text(yaml.safe_dump(cm))
        before = rss_mib()
        load = median_s(lambda: load_index(Path(tmp)), args.rounds)
        loaded = load_index(Path(tmp))
        after = rss_mib()
    assert loaded == index
    now = time.time()
    nics = [n for n in index.nics if n.mac]
    pairs = [Pair("rx", n.expected.ranges[0][0], n.mac, 1, 60, now, now) for n in nics]
    pairs += [Pair("tx", 99, n.mac, 1, 60, now, now) for n in nics[:700]]
    pairs += [Pair("rx", 10, f"02:00:{i >> 24:02x}:{(i >> 16) & 255:02x}:{(i >> 8) & 255:02x}:{i & 255:02x}",
                   1, 60, now, now) for i in range(32768 - len(pairs))]
    tagged = [("ens1f0", p) for p in pairs]
    base = median_s(lambda: judge(index.nics, tagged[: len(tagged) // 10]), args.rounds)
    full = median_s(lambda: judge(index.nics, tagged), args.rounds)
    collector = PlanCollector(index, index.group("workers"), [Learner(Table(pairs))])
    scrape = median_s(lambda: list(collector.collect()), args.rounds)
    series = sum(len(m.samples) for m in collector.collect())
    print(f"index: {len(index.nics):,} VM NICs in {len(cms)} ConfigMaps; load {load * 1000:.0f} ms; "
          f"max RSS {before:.0f} -> {after:.0f} MiB")
    print(f"judge: {len(tagged):,} pairs {full * 1000:.0f} ms; baseline {len(tagged) // 10:,} pairs "
          f"{base * 1000:.0f} ms; ratio {full / base:.1f}x for 10x the pairs")
    print(f"scrape: PlanCollector.collect() {scrape * 1000:.0f} ms, {series} series")


if __name__ == "__main__":
    main()
