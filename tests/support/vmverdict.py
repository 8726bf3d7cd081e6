"""Learned (VLAN, MAC) pairs and the bundled example's MACs for the per-VM verdict tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pair:
    """A learned pair shaped like trunkline.xdp.macs.MacEntry (the pure logic needs only these fields)."""

    direction: str
    vlan: int | None
    mac: str
    packets: int
    bytes: int = 0
    first_seen: float = 1000.0
    last_seen: float = 1000.0


WEB01, APP01_1 = "00:50:56:a1:10:01", "00:50:56:a1:10:02"
APP01_2, DB01 = "00:50:56:a1:20:02", "00:50:56:a1:20:03"
MONITOR01, CLIENT40 = "00:50:56:a1:30:04", "00:50:56:a1:40:05"
