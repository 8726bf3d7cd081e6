"""Pure tests of `trunkline count`'s naming, arithmetic and --json records (no kernel, no root)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from trunkline.xdp import ethertypes, protocols
from trunkline.xdp.stats import Cell, Interval, Snapshot, empty_like, rate, record, record_schema, subtract

# --- protocol names (IANA registry) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "keyword"),
    [
        (0, "HOPOPT"),
        (1, "ICMP"),
        (6, "TCP"),
        (17, "UDP"),
        (50, "ESP"),
        (51, "AH"),
        (58, "IPv6-ICMP"),
        (132, "SCTP"),
        (135, "Mobility Header"),
        (142, "ROHC"),
    ],
)
def test_registered_numbers_are_named_by_their_iana_keyword(number: int, keyword: str) -> None:
    assert protocols.keyword(number) == keyword


@pytest.mark.parametrize("number", [61, 63, 68, 99, 114, 253, 254])
def test_numbers_without_keyword_are_proto_number(number: int) -> None:
    assert protocols.keyword(number) == f"proto-{number}"
    assert protocols.protocol(number).keywords == ()


def test_unassigned_and_reserved_are_statuses_not_keywords() -> None:
    assert protocols.keyword(146) == "proto-146"
    assert protocols.keyword(252) == "proto-252"
    assert protocols.protocol(252).description == "Unassigned"
    assert protocols.keyword(255) == "proto-255"
    assert protocols.protocol(255).description == "Reserved"


def test_assignments_newer_than_the_csv_come_from_their_rfcs() -> None:
    assert [(p.keyword, p.source) for p in protocols.table()[143:146]] == [
        ("Ethernet", "RFC 8986"),
        ("AGGFRAG", "RFC 9347"),
        ("NSH", "RFC 9491"),
    ]


def test_84_carries_both_keywords() -> None:
    assert protocols.keyword(84) == "TTP/IPTM"
    assert protocols.protocol(84).keywords == ("TTP", "IPTM")


def test_deprecated_keywords_lose_the_mark_and_keep_the_flag() -> None:
    argus = protocols.protocol(13)
    assert (argus.keyword, argus.deprecated) == ("ARGUS", True)
    assert protocols.protocol(6).deprecated is False


def test_all_256_numbers_have_distinct_labels() -> None:
    table = protocols.table()
    assert [p.number for p in table] == list(range(256))
    assert len({p.keyword for p in table}) == 256


def test_protocol_number_outside_0_to_255_is_refused() -> None:
    with pytest.raises(ValueError, match="256"):
        protocols.keyword(256)


# --- EtherType names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (0x0806, "ARP"),
        (0x8035, "RARP"),
        (0x88CC, "LLDP"),
        (0x888E, "EAPOL"),
        (0x8847, "MPLS"),
        (0x8863, "PPPoE-Discovery"),
        (0x8864, "PPPoE-Session"),
        (0x8809, "Slow-Protocols"),
        (0x88F7, "PTP"),
        (0x1234, "0x1234"),
        (0x0026, "802.3-LLC"),
        (1500, "802.3-LLC"),
        (1501, "invalid-type"),
        (0x05FF, "invalid-type"),
        (0x10000, "other-ethertypes"),
        (0x10001, "802.3-LLC"),
    ],
)
def test_ethertype_names(value: int, name: str) -> None:
    assert ethertypes.name(value) == name


# --- deltas and rates --------------------------------------------------------------------------------


ZERO = Cell()


def snap(ns: int, t: float, *, direction: str = "rx", udp: Cell = ZERO, icmp: Cell = ZERO,
         arp: Cell = ZERO, vlan40: Cell = ZERO, truncated: Cell = ZERO) -> Snapshot:
    """A snapshot of veth0 (ifindex 7) whose untagged slot holds everything but *vlan40*."""
    protocols_ = {k: v for k, v in ((("ipv4", 17), udp), (("ipv4", 1), icmp)) if v}
    ethertypes_ = {0x0806: arp} if arp else {}
    untagged = udp + icmp + arp + truncated - vlan40
    vlans = {k: v for k, v in ((None, untagged), (40, vlan40)) if v}
    return Snapshot("veth0", 7, direction, "xdp", "generic", ns, t, vlans, protocols_,  # type: ignore[arg-type]
                    ethertypes_, truncated)


def test_rates_use_the_measured_interval_not_the_nominal_one() -> None:
    before = snap(10_000_000_000, 1000.0, udp=Cell(10, 1000))
    after = snap(11_500_000_000, 1001.5, udp=Cell(40, 4000))
    interval = Interval(before, after)
    assert interval.seconds == 1.5
    (udp,) = interval.protocols
    assert (udp.cumulative, udp.interval) == (Cell(40, 4000), Cell(30, 3000))
    assert udp.packets_per_s == 20.0
    assert udp.bits_per_s == 16000.0


def test_zero_length_interval_gives_zero_rates() -> None:
    assert rate(5, 0.0) == 0.0
    same = snap(5, 1.0, udp=Cell(1, 60))
    assert Interval(same, same).total.packets_per_s == 0.0


def test_row_that_appears_mid_run_counts_from_zero() -> None:
    assert subtract({1: Cell(3, 300)}, {}) == {1: Cell(3, 300)}


def test_rows_are_sorted_by_packets_then_bytes() -> None:
    after = snap(1_000_000_000, 1.0, udp=Cell(5, 500), icmp=Cell(9, 900))
    interval = Interval(empty_like(after, 0, 0.0), after)
    assert [row.key for row in interval.protocols] == [("ipv4", 1), ("ipv4", 17)]


def test_snapshots_of_different_directions_do_not_make_an_interval() -> None:
    with pytest.raises(ValueError, match="different counters"):
        Interval(snap(0, 0.0), snap(1, 1.0, direction="tx"))


# --- the --json record -------------------------------------------------------------------------------


def test_interval_record_has_design_fields_and_exact_values() -> None:
    before = snap(2_000_000_000, 1700000000.0, udp=Cell(10, 1000), arp=Cell(1, 42))
    after = snap(4_000_000_000, 1700000002.0, udp=Cell(30, 3000), icmp=Cell(4, 392), arp=Cell(1, 42),
                 vlan40=Cell(4, 392))
    rec = record(Interval(before, after))
    assert rec == {
        "record": "interval",
        "interface": "veth0",
        "ifindex": 7,
        "direction": "rx",
        "hook": "xdp",
        "mode": "generic",
        "time": 1700000002.0,
        "start_time": 1700000000.0,
        "interval_s": 2.0,
        "total": {"packets": 35, "bytes": 3434, "packets_interval": 24, "bytes_interval": 2392,
                  "packets_per_s": 12.0, "bits_per_s": 9568.0},
        "protocols": [
            {"family": "ipv4", "number": 17, "keyword": "UDP", "packets": 30, "bytes": 3000,
             "packets_interval": 20, "bytes_interval": 2000, "packets_per_s": 10.0, "bits_per_s": 8000.0},
            {"family": "ipv4", "number": 1, "keyword": "ICMP", "packets": 4, "bytes": 392,
             "packets_interval": 4, "bytes_interval": 392, "packets_per_s": 2.0, "bits_per_s": 1568.0},
        ],
        "ethertypes": [
            {"ethertype": 2054, "name": "ARP", "ethertype_hex": "0x0806", "packets": 1, "bytes": 42,
             "packets_interval": 0, "bytes_interval": 0, "packets_per_s": 0.0, "bits_per_s": 0.0},
        ],
        "vlans": [
            {"vlan": None, "packets": 31, "bytes": 3042, "packets_interval": 20, "bytes_interval": 2000,
             "packets_per_s": 10.0, "bits_per_s": 8000.0},
            {"vlan": 40, "packets": 4, "bytes": 392, "packets_interval": 4, "bytes_interval": 392,
             "packets_per_s": 2.0, "bits_per_s": 1568.0},
        ],
        "truncated": {"packets": 0, "bytes": 0, "packets_interval": 0, "bytes_interval": 0,
                      "packets_per_s": 0.0, "bits_per_s": 0.0},
    }
    vlan_sum = sum(v["packets"] for v in rec["vlans"])
    slot_sum = sum(r["packets"] for r in rec["protocols"] + rec["ethertypes"]) + rec["truncated"]["packets"]
    assert vlan_sum == slot_sum == rec["total"]["packets"]


def test_records_validate_against_the_shipped_schema() -> None:
    schema = record_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    after = snap(1_000_000_000, 5.0, udp=Cell(3, 300), arp=Cell(2, 84), truncated=Cell(1, 20))
    for kind in ("interval", "summary"):
        rec = json.loads(json.dumps(record(Interval(empty_like(after, 0, 4.0), after), kind)))  # type: ignore[arg-type]
        jsonschema.validate(rec, schema)
        assert rec["record"] == kind


def test_schema_rejects_a_zero_row_and_a_renamed_field() -> None:
    schema = record_schema()
    after = snap(1_000_000_000, 5.0, udp=Cell(3, 300))
    rec = record(Interval(empty_like(after, 0, 4.0), after))
    zero_row = json.loads(json.dumps(rec))
    zero_row["protocols"][0].update(packets=0, bytes=0)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(zero_row, schema)
    renamed = json.loads(json.dumps(rec))
    renamed["total"]["pps"] = renamed["total"].pop("packets_per_s")
    with pytest.raises(jsonschema.ValidationError, match="packets_per_s"):
        jsonschema.validate(renamed, schema)


def test_record_rates_are_rounded_to_thousandths_and_interval_to_microseconds() -> None:
    after = snap(3_000_000_400, 3.0, udp=Cell(10, 1000))
    rec = record(Interval(empty_like(after, 0, 0.0), after))
    assert rec["interval_s"] == 3.0
    # 8000 bits over 3.0000004 s, not over the nominal 3 s
    assert (rec["total"]["packets_per_s"], rec["total"]["bits_per_s"]) == (3.333, 2666.666)
