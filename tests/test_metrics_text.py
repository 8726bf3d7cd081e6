"""The fast text-format writer gives the bytes prometheus-client's own ``generate_latest`` gives (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from trunkline.xdp.exporter import TrunklineCollector
from trunkline.xdp.stats import Cell, Snapshot
from trunkline.xdp.textformat import TextFormat


class Synthetic:
    """Snapshots as a full trunk gives them (every VLAN slot, 2,000 EtherTypes), with an interface name
    that needs escaping; no kernel needed to check a text encoder."""

    interface = 'ens"2\\4\n'
    step = 1

    def read(self) -> Sequence[Snapshot]:
        k = self.step
        return [Snapshot(interface=self.interface, ifindex=3, direction=d, hook="tc", mode=None,
                         monotonic_ns=0, time=0.0,
                         vlans={**{v: Cell(v * 1_000_003 * (k if v % 3 else 1), v * 98_765_432_109 * k)
                                   for v in range(4096)},
                                None: Cell(5, 6)},
                         protocols={("ipv4", 17): Cell(1, 2), ("ipv6", 58): Cell(3, 4)},
                         ethertypes={0x0600 + i: Cell(i, 64 * i) for i in range(2000)} | {38: Cell(1, 60)},
                         truncated=Cell(7, 8))
                for d in ("rx", "tx")]

    def health(self) -> str | None:
        return None


def test_trunkline_families_give_the_bytes_generate_latest_gives() -> None:
    registry = CollectorRegistry(auto_describe=False)
    trunk = Synthetic()
    registry.register(TrunklineCollector([trunk]))
    writer = TextFormat()
    expected = generate_latest(registry)
    assert writer.render(registry) == expected
    assert writer.render(registry) == expected  # every line kept from the first render
    assert expected.count(b"\n") > 24_000
    trunk.step = 2  # two thirds of the VLAN packet counts and all VLAN byte counts change
    changed = generate_latest(registry)
    assert changed != expected and writer.render(registry) == changed


def test_labelless_gauges_counters_and_other_types_give_the_same_bytes() -> None:
    class Mixed:
        def collect(self) -> list[object]:
            g = GaugeMetricFamily("t_up", "Up.\nTwo lines \\ here")
            g.add_metric([], 1)
            c = CounterMetricFamily("t_big", "Big.", labels=["a"])
            c.add_metric(["x"], 1.5e17)
            c.add_metric(["y"], 0.25)
            return [g, c]

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Mixed())  # type: ignore[arg-type]
    assert TextFormat().render(registry) == generate_latest(registry)
    Histogram("t_latency_seconds", "A histogram goes to generate_latest.", registry=registry).observe(0.3)
    assert TextFormat().render(registry) == generate_latest(registry)
