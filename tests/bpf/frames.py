"""Crafted Ethernet frames and the counting rules of docs/design.md as a small reference model.

The model (:func:`expected_slot`) is written from the rules, independently of the C parser, so that
tests can ask "which slot must this frame land in" for any frame, including random and cut ones.
"""

from __future__ import annotations

import random
import struct
from typing import Literal

from trunkline.xdp.ethertypes import LLC, MAX_LENGTH

DST = bytes.fromhex("020000000002")
SRC = bytes.fromhex("020000000001")
ETH_P_IP, ETH_P_IPV6, ETH_P_ARP, ETH_P_8021Q, ETH_P_8021AD = 0x0800, 0x86DD, 0x0806, 0x8100, 0x88A8
IPV6_EXT = (0, 43, 44, 60)  # hop-by-hop, routing, fragment, destination options (RFC 8200)
IPV6_EXT_MAX = 8  # counter.h TL_IPV6_EXT_MAX
VLAN_MAX = 2  # counter.h TL_VLAN_MAX

Kind = Literal["protocol", "ethertype", "truncated"]


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def eth(ethertype: int, payload: bytes = b"", tags: tuple[tuple[int, int], ...] = ()) -> bytes:
    """An Ethernet frame (no FCS) with VLAN *tags* ((TPID, VLAN ID), outer first) before *ethertype*."""
    out = DST + SRC
    for tpid, vid in tags:
        out += struct.pack("!HH", tpid, vid & 0x0FFF)
    return out + struct.pack("!H", ethertype) + payload


def ipv4(protocol: int, payload: bytes = b"", src: str = "192.0.2.1", dst: str = "192.0.2.2",
         fragment_offset: int = 0, more_fragments: bool = False) -> bytes:
    """An IPv4 packet (20-byte header, valid checksum) carrying *payload*."""
    import socket

    flags_frag = (0x2000 if more_fragments else 0) | (fragment_offset // 8)
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, flags_frag, 64, protocol, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def ipv6(next_header: int, payload: bytes = b"") -> bytes:
    """An IPv6 packet 2001:db8::1 -> 2001:db8::2 (40-byte header) carrying *payload*."""
    src = bytes.fromhex("20010db8000000000000000000000001")
    dst = bytes.fromhex("20010db8000000000000000000000002")
    return struct.pack("!IHBB", 6 << 28, len(payload), next_header, 64) + src + dst + payload


def ext(next_header: int, length_units: int = 0) -> bytes:
    """An IPv6 hop-by-hop/routing/destination-options header of (length_units + 1) * 8 bytes."""
    return bytes([next_header, length_units]) + bytes(6 + 8 * length_units)


def frag(next_header: int, offset: int = 0, more: bool = True) -> bytes:
    """An IPv6 fragment header (8 bytes)."""
    return struct.pack("!BBHI", next_header, 0, (offset // 8) << 3 | int(more), 0x1234)


def udp(payload: bytes = b"x" * 18) -> bytes:
    """A UDP header (ports 40000 -> 9, checksum 0) and *payload*."""
    return struct.pack("!HHHH", 40000, 9, 8 + len(payload), 0) + payload


def tcp(payload: bytes = b"") -> bytes:
    """A 20-byte TCP header (SYN) and *payload*."""
    return struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 5 << 4, 0x02, 65535, 0, 0) + payload


def icmp_echo(payload: bytes = b"p" * 56) -> bytes:
    """An ICMP echo request (type 8)."""
    body = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + payload
    return body[:2] + struct.pack("!H", checksum(body)) + body[4:]


def expected_slot(frame: bytes, metadata_vlan: int | None = None) -> tuple[int | None, Kind, object]:
    """(VLAN slot, kind, key) the counting rules put *frame* in.

    VLAN slot: the outer VLAN ID or ``None`` (untagged). kind/key: ``protocol`` with
    (``ipv4``/``ipv6``, number), ``ethertype`` with the EtherType, or ``truncated`` with ``None``.
    *metadata_vlan*: a tag the kernel holds in skb metadata (TC only); it is the outer tag.
    """
    vlan = metadata_vlan
    tags = 0 if metadata_vlan is None else 1
    off = 14
    (ethertype,) = struct.unpack_from("!H", frame, 12)
    while tags < VLAN_MAX and ethertype in (ETH_P_8021Q, ETH_P_8021AD):
        if off + 4 > len(frame):
            return vlan, "truncated", None
        tci, ethertype = struct.unpack_from("!HH", frame, off)
        if tags == 0:
            vlan = tci & 0x0FFF
        tags += 1
        off += 4
    if ethertype == ETH_P_IP:
        if off + 20 > len(frame):
            return vlan, "truncated", None
        return vlan, "protocol", ("ipv4", frame[off + 9])
    if ethertype == ETH_P_IPV6:
        if off + 40 > len(frame):
            return vlan, "truncated", None
        nh = frame[off + 6]
        off += 40
        for _ in range(IPV6_EXT_MAX):
            if nh not in IPV6_EXT:
                break
            if off + 8 > len(frame):
                return vlan, "truncated", None
            if nh == 44:
                nh = frame[off]
                break
            nh, off = frame[off], off + (frame[off + 1] + 1) * 8
        return vlan, "protocol", ("ipv6", nh)
    # Every 802.3 frame (Type/Length is a payload length) shares one slot, whatever the length.
    return vlan, "ethertype", LLC if ethertype <= MAX_LENGTH else ethertype


def random_frame(rng: random.Random) -> bytes:
    """One random frame for differential fuzzing: structured or raw, often cut short (>= 14 bytes).

    Structured frames carry 0-3 VLAN tags (802.1Q or 802.1ad) and an IPv4 packet with any protocol
    number, an IPv6 packet behind a chain of 0-10 extension headers (hop-by-hop, routing, fragment,
    destination options), or any other EtherType (802.3 lengths included) with random bytes. Half of
    them are cut at a random length, which exercises every truncation rule. The rest are random bytes.
    """
    if rng.random() < 0.2:
        return rng.randbytes(rng.randint(14, 200))
    tags = tuple((rng.choice((ETH_P_8021Q, ETH_P_8021AD)), rng.randint(0, 4095))
                 for _ in range(rng.choice((0, 0, 1, 1, 2, 3))))
    tail = rng.randbytes(rng.randint(0, 64))
    kind = rng.random()
    if kind < 0.35:
        frame = eth(ETH_P_IP, ipv4(rng.randint(0, 255), tail), tags=tags)
    elif kind < 0.7:
        chain = [(rng.choice(IPV6_EXT), rng.randint(0, 2)) for _ in range(rng.randint(0, 10))]
        nhs = [nh for nh, _ in chain] + [rng.randint(0, 255)]
        body = b""
        for (nh, units), following in zip(chain, nhs[1:], strict=True):
            body += frag(following) if nh == 44 else ext(following, units)
        frame = eth(ETH_P_IPV6, ipv6(nhs[0], body + tail), tags=tags)
    else:
        frame = eth(rng.choice((ETH_P_ARP, 0x88CC, 0x8809, rng.randint(0, 1500), rng.randint(0, 0xFFFF))),
                    tail, tags=tags)
    if rng.random() < 0.5:
        frame = frame[:rng.randint(14, len(frame))]
    return frame
