"""Run the counter's programs through BPF_PROG_TEST_RUN and report where each frame landed."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tests.bpf.frames import ETH_P_IP, ETH_P_IPV6
from trunkline.xdp import libbpf
from trunkline.xdp.counter import CounterObject, Counts
from trunkline.xdp.stats import Cell

XDP_PASS = 2
TC_ACT_UNSPEC = 0xFFFFFFFF  # -1 as the kernel reports retval (u32)
PROGRAMS = {"xdp": ("tl_count_xdp", "rx"), "xdp_frags": ("tl_count_xdp_frags", "rx"),
            "tc_rx": ("tl_count_tc_rx", "rx"), "tc_tx": ("tl_count_tc_tx", "tx")}


@dataclass(frozen=True)
class Landing:
    """Which slots changed and by how much, for one direction."""

    direction: str
    vlans: dict[int | None, Cell]
    protocols: dict[tuple[str, int], Cell]
    ethertypes: dict[int, Cell]
    truncated: Cell

    def slot(self) -> tuple[int | None, str, object]:
        """(VLAN slot, kind, key) like tests.bpf.frames.expected_slot, asserting exactly one of each."""
        assert len(self.vlans) == 1, self.vlans
        (vlan,) = self.vlans
        kinds: list[tuple[str, object]] = [("protocol", k) for k in self.protocols]
        kinds += [("ethertype", k) for k in self.ethertypes]
        if self.truncated:
            kinds.append(("truncated", None))
        assert len(kinds) == 1, kinds
        return (vlan, *kinds[0])

    def total(self) -> Cell:
        out = Cell()
        for cell in self.vlans.values():
            out = out + cell
        return out

    def classified(self) -> Cell:
        out = self.truncated
        for cell in [*self.protocols.values(), *self.ethertypes.values()]:
            out = out + cell
        return out


def tc_test_run_refuses(frame: bytes) -> bool:
    """BPF_PROG_TEST_RUN refuses (EINVAL) an skb whose EtherType is IPv4/IPv6 but which is shorter than
    the IP header (net/bpf/test_run.c pulls it); real TC hooks still see such frames (test_bpf_veth)."""
    ethertype = int.from_bytes(frame[12:14], "big")
    return ((ethertype == ETH_P_IP and len(frame) < 14 + 20)
            or (ethertype == ETH_P_IPV6 and len(frame) < 14 + 40))


def _diff(before: dict, after: dict) -> dict:  # type: ignore[type-arg]
    out = {}
    for key, cell in after.items():
        delta = cell - before.get(key, Cell())
        if delta:
            out[key] = delta
    return out


def diff(before: Counts, after: Counts, direction: str) -> Landing:
    """What changed between two reads of one direction."""
    return Landing(direction, _diff(before.vlans, after.vlans), _diff(before.protocols, after.protocols),
                   _diff(before.ethertypes, after.ethertypes), after.truncated - before.truncated)


def skb_ctx(gso_segs: int = 0, gso_size: int = 0) -> bytes:
    """A ``struct __sk_buff`` for BPF_PROG_TEST_RUN with gso_segs/gso_size set (include/uapi/linux/bpf.h).

    Offsets (offsetof on the kernel header): gso_segs 164, gso_size 176; the struct is 192 bytes.
    """
    ctx = bytearray(192)
    struct.pack_into("=I", ctx, 164, gso_segs)
    struct.pack_into("=I", ctx, 176, gso_size)
    return bytes(ctx)


def run(obj: CounterObject, program: str, frame: bytes, ctx: bytes | None = None,
        repeat: int = 1) -> tuple[int, Landing, Landing]:
    """Run *program* (a key of PROGRAMS) on *frame*; returns (verdict, what changed in rx, in tx)."""
    before = obj.read(2)
    opts = libbpf.bpf_prog_test_run_opts(obj.prog_fd(PROGRAMS[program][0]), frame, repeat=repeat, ctx=ctx)
    after = obj.read(2)
    return opts.retval, diff(before[0], after[0], "rx"), diff(before[1], after[1], "tx")
