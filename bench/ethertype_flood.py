"""A flood of random EtherTypes and every 802.3 length, then ARP, LLDP and LACP: do they keep their rows?

Two runs of the same flood (every Type/Length value 0-1500, then ``--flood`` frames of EtherTypes drawn
at random from all values that are neither IP, nor a VLAN TPID, nor the three checked, repeats
included), then 2 ARP, 3 LLDP and
4 LACP frames:

1. through BPF_PROG_TEST_RUN on the shipped object (XDP entry), twice in the same run: as trunkline
   loads it, and as a baseline with the reserved EtherType keys removed after loading (how the counter
   behaved before they were reserved);
2. as real frames over a veth pair (AF_PACKET in one namespace, a TC counter on the peer).

Prints, for each: distinct EtherType keys in the hash, frames counted as other-ethertypes, and the ARP,
LLDP and Slow-Protocols (LACP) rows.

Run as root from the repository: ``.venv/bin/python bench/ethertype_flood.py [--flood 50000]``.
"""

from __future__ import annotations

import argparse
import ctypes
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.bpf.frames import eth  # noqa: E402
from tests.netns import VethPair  # noqa: E402
from tests.watch_traffic import Sender, arp_request, ethernet, in_netns, quiet_ipv6  # noqa: E402

from trunkline.xdp import libbpf  # noqa: E402
from trunkline.xdp.counter import Counter, CounterObject, tl_ethertype_key  # noqa: E402
from trunkline.xdp.ethertypes import MAX_LENGTH, OTHER, RESERVED, name  # noqa: E402
from trunkline.xdp.stats import Cell  # noqa: E402

ARP, LLDP, SLOW = 0x0806, 0x88CC, 0x8809
PARSED = {0x0800, 0x86DD, 0x8100, 0x88A8}


def flood_values(count: int, seed: int) -> list[int]:
    pool = [v for v in range(MAX_LENGTH + 1, 0x10000) if v not in PARSED and v not in (ARP, LLDP, SLOW)]
    rng = random.Random(seed)
    return [*range(MAX_LENGTH + 1), *(rng.choice(pool) for _ in range(count))]


def report(label: str, ethertypes: dict[int, Cell], seconds: float, frames: int) -> None:
    rows = ", ".join(f"{name(v)} {ethertypes.get(v, Cell()).packets}" for v in (ARP, LLDP, SLOW))
    print(f"{label}: {frames:,} frames in {seconds:.1f} s; {len(ethertypes):,} EtherType rows; "
          f"other-ethertypes {ethertypes.get(OTHER, Cell()).packets:,} frames; {rows} (sent: 2, 3, 4)")


def test_run(values: list[int], reserved: bool) -> None:
    obj = CounterObject()
    try:
        if not reserved:  # the baseline: only the "other" keys, as before the reservation
            delete = libbpf.library().bpf_map_delete_elem
            for direction in (0, 1):
                for value in RESERVED:
                    key = tl_ethertype_key(value, direction)
                    delete(obj.maps["tl_ethertypes"], ctypes.byref(key))
        fd = obj.prog_fd("tl_count_xdp")
        start = time.monotonic()
        for value in values:
            libbpf.bpf_prog_test_run_opts(fd, eth(value, bytes(46)))
        for value, count in ((ARP, 2), (LLDP, 3), (SLOW, 4)):
            libbpf.bpf_prog_test_run_opts(fd, eth(value, bytes(46)), repeat=count)
        seconds = time.monotonic() - start
        rx = obj.read(1)[0]
    finally:
        obj.close()
    report(f"BPF_PROG_TEST_RUN, {'reserved keys (trunkline)' if reserved else 'baseline, no reserved keys'}",
           rx.ethertypes, seconds, len(values) + 9)


def veth_run(values: list[int]) -> None:
    with VethPair() as pair:
        quiet_ipv6(pair)
        sender = Sender(pair)
        try:
            with in_netns(pair.ns_b), Counter(pair.if_b, hook="tc") as counter:
                start = time.monotonic()
                for value in values:
                    sender.raw(ethernet(sender.mac_b, sender.mac_a, value, bytes(46)))
                sender.raw(ethernet(sender.mac_b, sender.mac_a, ARP,
                                    arp_request(sender.mac_a, pair.ip_a, pair.ip_b)), count=2)
                sender.raw(ethernet("01:80:c2:00:00:0e", sender.mac_a, LLDP, bytes(46)), count=3)
                lacp = bytes([1, 1]) + bytes(108)  # Slow Protocols subtype 1 (LACP), version 1
                sender.raw(ethernet("01:80:c2:00:00:02", sender.mac_a, SLOW, lacp), count=4)
                deadline = time.monotonic() + 10
                rx = counter.read()[0]
                while rx.ethertypes.get(SLOW, Cell()).packets < 4 and time.monotonic() < deadline:
                    time.sleep(0.05)
                    rx = counter.read()[0]
                seconds = time.monotonic() - start
        finally:
            sender.close()
    report("real frames over veth, TC counter", rx.ethertypes, seconds, len(values) + 9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=50_000, help="random EtherType frames after the lengths")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    values = flood_values(args.flood, args.seed)
    print(f"flood: every 802.3 length (1,501 values) and {args.flood:,} frames of random EtherTypes "
          f"({len(set(values)):,} distinct Type/Length values); the hash holds 4,096 keys")
    test_run(values, reserved=False)
    test_run(values, reserved=True)
    veth_run(values)


if __name__ == "__main__":
    main()
