"""Names for the EtherTypes of non-IP frames a trunk carries.

Source: the IEEE Registration Authority's EtherType registry
(https://standards-oui.ieee.org/ethertype/eth.txt) for the values, and the standard or RFC that defines
each protocol (named beside each entry). Only common values are named; any other EtherType is shown in
hex (``0x88b5``).

The Type/Length field (IEEE 802.3 clause 3.2.6): values up to 1500 (0x05dc) are the length of an
802.3 frame's payload, which then starts with an 802.2 LLC header (STP BPDUs, CDP, IS-IS, NetBIOS);
values from 1536 (0x0600) are EtherTypes; 1501-1535 are neither. The counter records every 802.3 frame
in one slot, :data:`LLC`, named ``802.3-LLC``, and the values 1501-1535 as found (``invalid-type``).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LENGTH = 1500
"""Largest Type/Length value that is an 802.3 payload length (IEEE 802.3 clause 3.2.6)."""

MIN_ETHERTYPE = 0x0600
"""Smallest Type/Length value that is an EtherType (IEEE 802.3 clause 3.2.6)."""

OTHER = 0x10000
"""Not an EtherType: the counter's overflow slot (``TL_ETHERTYPE_OTHER`` in counter.h), holding frames of
EtherTypes that arrived after its EtherType map was full (4096 entries, :data:`RESERVED` ones included)."""

OTHER_NAME = "other-ethertypes"
"""The name of :data:`OTHER`."""

LLC = 0x10001
"""Not an EtherType: the counter's one slot for every 802.3 frame (``TL_ETHERTYPE_LLC`` in counter.h),
whatever its Type/Length field says (a payload length 0-1500 is not a protocol; one slot per length
would let 1,501 values fill the EtherType map)."""

LLC_NAME = "802.3-LLC"
"""The name of every frame whose Type/Length field is a length (an 802.3 frame with an LLC header)."""


@dataclass(frozen=True, slots=True)
class EtherType:
    """A named EtherType.

    Attributes:
        value: the 16-bit EtherType (host order).
        name: short label for tables, JSON and metrics (``ARP``).
        description: what it carries, with the standard that defines it.
    """

    value: int
    name: str
    description: str


_KNOWN: tuple[EtherType, ...] = (
    EtherType(0x0800, "IPv4", "Internet Protocol version 4 (RFC 791)"),
    EtherType(0x0806, "ARP", "Address Resolution Protocol (RFC 826)"),
    EtherType(0x0842, "WoL", "Wake-on-LAN magic packet"),
    EtherType(0x22EA, "MSRP", "Stream Reservation Protocol (IEEE 802.1Q clause 35)"),
    EtherType(0x22F0, "AVTP", "Audio Video Transport Protocol (IEEE 1722)"),
    EtherType(0x22F3, "TRILL", "Transparent Interconnection of Lots of Links (RFC 6325)"),
    EtherType(0x6558, "TEB", "Transparent Ethernet Bridging (RFC 1701)"),
    EtherType(0x8035, "RARP", "Reverse Address Resolution Protocol (RFC 903)"),
    EtherType(0x809B, "AppleTalk", "AppleTalk (EtherTalk)"),
    EtherType(0x80F3, "AARP", "AppleTalk Address Resolution Protocol"),
    EtherType(0x8100, "802.1Q", "C-VLAN tag (IEEE 802.1Q), here a third tag beyond the two parsed"),
    EtherType(0x8137, "IPX", "Novell IPX"),
    EtherType(0x86DD, "IPv6", "Internet Protocol version 6 (RFC 8200)"),
    EtherType(0x8808, "MAC-Control", "MAC Control, PAUSE and PFC frames (IEEE 802.3 clause 31, 802.1Qbb)"),
    EtherType(0x8809, "Slow-Protocols", "Slow Protocols: LACP, Marker, OAM (IEEE 802.3 annex 57A, 802.1AX)"),
    EtherType(0x8847, "MPLS", "MPLS unicast (RFC 3032)"),
    EtherType(0x8848, "MPLS-multicast", "MPLS multicast (RFC 5332)"),
    EtherType(0x8863, "PPPoE-Discovery", "PPP over Ethernet discovery stage (RFC 2516)"),
    EtherType(0x8864, "PPPoE-Session", "PPP over Ethernet session stage (RFC 2516)"),
    EtherType(0x888E, "EAPOL", "802.1X port authentication, EAP over LAN (IEEE 802.1X)"),
    EtherType(0x8892, "PROFINET", "PROFINET real-time (IEC 61158)"),
    EtherType(0x88A2, "AoE", "ATA over Ethernet"),
    EtherType(0x88A4, "EtherCAT", "EtherCAT (IEC 61158)"),
    EtherType(0x88A8, "802.1ad", "S-VLAN tag (IEEE 802.1ad), here a third tag beyond the two parsed"),
    EtherType(0x88B5, "Local-Experimental-1", "Local experimental EtherType 1 (IEEE 802)"),
    EtherType(0x88B6, "Local-Experimental-2", "Local experimental EtherType 2 (IEEE 802)"),
    EtherType(0x88B8, "GOOSE", "IEC 61850 GOOSE"),
    EtherType(0x88BA, "SV", "IEC 61850 sampled values"),
    EtherType(0x88CA, "TIPC", "Transparent Inter-Process Communication"),
    EtherType(0x88CC, "LLDP", "Link Layer Discovery Protocol (IEEE 802.1AB)"),
    EtherType(0x88E3, "MRP", "Media Redundancy Protocol (IEC 62439-2)"),
    EtherType(0x88E5, "MACsec", "MAC security (IEEE 802.1AE)"),
    EtherType(0x88E7, "PBB", "Provider Backbone Bridges I-tag (IEEE 802.1ah)"),
    EtherType(0x88F5, "MVRP", "Multiple VLAN Registration Protocol (IEEE 802.1Q)"),
    EtherType(0x88F6, "MMRP", "Multiple MAC Registration Protocol (IEEE 802.1Q)"),
    EtherType(0x88F7, "PTP", "Precision Time Protocol over Ethernet (IEEE 1588)"),
    EtherType(0x88F8, "NC-SI", "Network Controller Sideband Interface (DMTF DSP0222)"),
    EtherType(0x88FB, "PRP", "Parallel Redundancy Protocol supervision (IEC 62439-3)"),
    EtherType(0x8902, "CFM", "Connectivity Fault Management, Ethernet OAM (IEEE 802.1ag / Y.1731)"),
    EtherType(0x8906, "FCoE", "Fibre Channel over Ethernet (INCITS FC-BB-5)"),
    EtherType(0x8914, "FIP", "FCoE Initialization Protocol (INCITS FC-BB-5)"),
    EtherType(0x8915, "RoCE", "RDMA over Converged Ethernet v1"),
    EtherType(0x892F, "HSR", "High-availability Seamless Redundancy (IEC 62439-3)"),
    EtherType(0x894F, "NSH", "Network Service Header (RFC 8300)"),
    EtherType(0x9000, "Loopback", "Configuration Test Protocol (Ethernet loopback)"),
    EtherType(0x9100, "QinQ-9100", "pre-standard VLAN stacking tag (not IEEE; not parsed as a VLAN)"),
)

KNOWN: dict[int, EtherType] = {e.value: e for e in _KNOWN}
"""The named EtherTypes, by value."""

RESERVED: tuple[int, ...] = tuple(e.value for e in _KNOWN if e.value not in (0x0800, 0x86DD))
"""EtherTypes whose slots in the counter's EtherType hash exist from the start, for both directions: every
named EtherType that reaches the hash (IPv4 and IPv6 are counted per protocol instead). Frames of other
EtherTypes, however many distinct ones arrive, can fill only the rest of the hash, so ARP, LLDP, LACP
(Slow Protocols) and the others above always keep their own rows."""


def is_llc(value: int) -> bool:
    """Whether EtherType slot *value* holds 802.3 frames: :data:`LLC`, or a length 0-1500 (a counter
    that kept lengths as they came)."""
    return value == LLC or 0 <= value <= MAX_LENGTH


def name(value: int) -> str:
    """The label of Type/Length *value* (0-65535): ``0x0806`` -> ``ARP``, ``0x88b5`` -> its name,
    an unnamed EtherType -> ``0x1234``, a length (0-1500) -> ``802.3-LLC``, 1501-1535 -> ``invalid-type``,
    the counter's overflow slot :data:`OTHER` -> ``other-ethertypes``, its 802.3 slot :data:`LLC` ->
    ``802.3-LLC``.

    Raises:
        ValueError: *value* is outside 0-65535 and neither :data:`OTHER` nor :data:`LLC`.
    """
    if value == OTHER:
        return OTHER_NAME
    if value == LLC:
        return LLC_NAME
    if not 0 <= value <= 0xFFFF:
        raise ValueError(f"EtherType {value} is outside 0-65535")
    known = KNOWN.get(value)
    if known is not None:
        return known.name
    if value <= MAX_LENGTH:
        return LLC_NAME
    if value < MIN_ETHERTYPE:
        return "invalid-type"
    return f"0x{value:04x}"


def hex_value(value: int) -> str:
    """*value* as the four-digit hex people write EtherTypes in (``0x0806``; :data:`OTHER` is ``0x10000``,
    :data:`LLC` ``0x10001``)."""
    return f"0x{value:04x}"
