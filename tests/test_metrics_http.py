"""Prometheus metrics scraped over HTTP while real frames cross a veth pair between two test namespaces.

A TC counter on ns_b's end, the exporter's HTTP server and the scraping client all run in ns_b inside the
test process; ns_a sends UDP through its IP stack, pings, and writes crafted frames (VLAN-tagged, ARP,
802.3/LLC, truncated) through an AF_PACKET socket. IPv6 is off on both ends so nothing else crosses.
"""

from __future__ import annotations

import platform
import socket
import time
from collections.abc import Iterator

import pytest

from tests.netns import VethPair, sh
from tests.support.metrics import Samples, parse, scrape, value
from tests.watch_traffic import (
    ETH_P_ARP,
    ETH_P_IP,
    Sender,
    arp_request,
    ethernet,
    in_netns,
    quiet_ipv6,
)
from trunkline import __version__
from trunkline.xdp.ethertypes import name as ethertype_name

pytestmark = pytest.mark.privileged

def total(samples: Samples, name: str, interface: str, direction: str) -> float:
    want = {("direction", direction), ("interface", interface)}
    return sum(v for k, v in samples[name].items() if want <= set(k))


@pytest.fixture
def counted(veth_pair: VethPair) -> Iterator[tuple[VethPair, Sender, int]]:
    """ns_b's end counted by a TC counter and served on a free port in ns_b; yields (pair, sender, port).

    The test body runs with its thread in ns_b (so it can reach 127.0.0.1 there).
    """
    from trunkline.xdp.counter import Counter
    from trunkline.xdp.exporter import start_metrics_server

    quiet_ipv6(veth_pair)
    time.sleep(0.2)  # let the MLD "done" reports from switching IPv6 off pass before counting
    sender = Sender(veth_pair)
    with in_netns(veth_pair.ns_b):
        # A listener on the UDP port, so that ns_b answers nothing (no ICMP port unreachable on tx).
        listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        listener.bind((veth_pair.ip_b, 9))
        try:
            with Counter(veth_pair.if_b, hook="tc") as counter, \
                    start_metrics_server(0, [counter], address="127.0.0.1") as server:
                yield veth_pair, sender, server.port
        finally:
            listener.close()
            sender.close()


def test_scraped_values_equal_the_frames_sent_with_the_specified_labels(
        counted: tuple[VethPair, Sender, int]) -> None:
    pair, sender, port = counted
    ifb = pair.if_b
    udp_len = sender.udp(5, payload_len=100)
    tagged40_len = sender.udp(4, payload_len=30, vlan=40)
    tagged99_len = sender.udp(2, payload_len=10, vlan=99)
    arp_len = sender.raw(ethernet(sender.mac_b, sender.mac_a, ETH_P_ARP,
                                  arp_request(sender.mac_a, pair.ip_a, pair.ip_b)), count=2)
    llc_len = sender.raw(ethernet(sender.mac_b, sender.mac_a, 38, b"\x42\x42\x03" + bytes(35)))
    cut_len = sender.raw(ethernet(sender.mac_b, sender.mac_a, ETH_P_IP, bytes([0x45]) + bytes(9)))
    sh("ip", "netns", "exec", pair.ns_a, "ping", "-c", "3", "-i", "0.2", "-W", "2", pair.ip_b)
    ping_len = 14 + 20 + 8 + 56

    status, text = scrape(port)
    assert status == 200
    s = parse(text)
    rx = {"interface": ifb, "direction": "rx"}
    assert value(s, "trunkline_vlan_packets_total", vlan="untagged", **rx) == 5 + 2 + 1 + 1 + 3
    assert value(s, "trunkline_vlan_packets_total", vlan="40", **rx) == 4
    assert value(s, "trunkline_vlan_packets_total", vlan="99", **rx) == 2
    assert value(s, "trunkline_vlan_bytes_total", vlan="40", **rx) == 4 * tagged40_len
    assert value(s, "trunkline_vlan_bytes_total", vlan="99", **rx) == 2 * tagged99_len
    assert value(s, "trunkline_vlan_bytes_total", vlan="untagged", **rx) == (
        5 * udp_len + 2 * arp_len + llc_len + cut_len + 3 * ping_len)

    udp = {"family": "ipv4", "protocol": "UDP", "number": "17", **rx}
    assert value(s, "trunkline_protocol_packets_total", **udp) == 5 + 4 + 2
    assert value(s, "trunkline_protocol_bytes_total", **udp) == (
        5 * udp_len + 4 * tagged40_len + 2 * tagged99_len)
    icmp = {"family": "ipv4", "protocol": "ICMP", "number": "1", **rx}
    assert value(s, "trunkline_protocol_packets_total", **icmp) == 3
    assert value(s, "trunkline_protocol_bytes_total", **icmp) == 3 * ping_len
    assert value(s, "trunkline_ethertype_packets_total", ethertype="0x0806", name="ARP", **rx) == 2
    assert value(s, "trunkline_ethertype_bytes_total", ethertype="0x0806", name="ARP", **rx) == 2 * arp_len
    llc = {"ethertype": "802.3-length", "name": "802.3-LLC", **rx}
    assert value(s, "trunkline_ethertype_packets_total", **llc) == 1
    assert value(s, "trunkline_ethertype_bytes_total", **llc) == llc_len
    assert value(s, "trunkline_truncated_packets_total", **rx) == 1
    assert value(s, "trunkline_truncated_bytes_total", **rx) == cut_len
    # Nothing else arrived: the rows above are every row.
    assert total(s, "trunkline_vlan_packets_total", ifb, "rx") == 5 + 4 + 2 + 2 + 1 + 1 + 3

    # ns_b answered the pings (ICMP echo replies) and the ARP requests.
    tx = {"interface": ifb, "direction": "tx"}
    assert value(s, "trunkline_protocol_packets_total", family="ipv4", protocol="ICMP", number="1", **tx) == 3
    assert value(s, "trunkline_ethertype_packets_total", ethertype="0x0806", name="ARP", **tx) == 2

    build = {"version": __version__, "python": platform.python_version(), "kernel": platform.release()}
    assert value(s, "trunkline_build_info", **build) == 1
    assert value(s, "trunkline_counter_up", interface=ifb) == 1
    ifindex = str(socket.if_nametoindex(ifb))  # the test body runs in ns_b (see the fixture)
    assert value(s, "trunkline_counter_info", interface=ifb, ifindex=ifindex, hook="tc", mode="") == 1


def test_vlan_family_sums_equal_protocol_plus_ethertype_plus_truncated(
        counted: tuple[VethPair, Sender, int]) -> None:
    pair, sender, port = counted
    sender.udp(3, vlan=7)
    sender.raw(ethernet(sender.mac_b, sender.mac_a, 0x88B5, b"local experimental" + bytes(30)), count=2)
    sender.raw(ethernet(sender.mac_b, sender.mac_a, ETH_P_IP, bytes(6)))
    sh("ip", "netns", "exec", pair.ns_a, "ping", "-c", "2", "-i", "0.2", "-W", "2", pair.ip_b)
    s = parse(scrape(port)[1])
    for direction in ("rx", "tx"):
        for unit in ("packets", "bytes"):
            vlans = total(s, f"trunkline_vlan_{unit}_total", pair.if_b, direction)
            rest = sum(total(s, f"trunkline_{family}_{unit}_total", pair.if_b, direction)
                       for family in ("protocol", "ethertype", "truncated"))
            assert vlans == rest > 0, (direction, unit)
    name = ethertype_name(0x88B5)
    assert value(s, "trunkline_ethertype_packets_total", interface=pair.if_b, direction="rx",
                 ethertype="0x88b5", name=name) == 2


def test_scrapes_show_new_frames_once_the_shared_render_is_a_second_old(
        counted: tuple[VethPair, Sender, int]) -> None:
    """Scrapes share a render for up to a second (ServerLimits.max_age_s): later ones read the maps anew."""
    pair, sender, port = counted
    rx = {"interface": pair.if_b, "direction": "rx", "vlan": "40"}
    sender.udp(2, vlan=40)
    first = value(parse(scrape(port)[1]), "trunkline_vlan_packets_total", **rx)
    sender.udp(3, vlan=40)
    deadline = time.monotonic() + 10
    seen = [value(parse(scrape(port)[1]), "trunkline_vlan_packets_total", **rx)]
    while seen[-1] != 5 and time.monotonic() < deadline:
        time.sleep(0.2)
        seen.append(value(parse(scrape(port)[1]), "trunkline_vlan_packets_total", **rx))
    assert first == 2
    assert set(seen) <= {2, 5} and seen[-1] == 5


def test_health_endpoint_turns_503_when_the_interface_vanishes(counted: tuple[VethPair, Sender, int]) -> None:
    pair, _sender, port = counted
    assert scrape(port, "/healthz") == (200, "ok\n")
    sh("ip", "-n", pair.ns_b, "link", "del", pair.if_b)
    status, body = scrape(port, "/healthz")
    assert status == 503 and pair.if_b in body and "vanished" in body
    s = parse(scrape(port)[1])
    assert value(s, "trunkline_counter_up", interface=pair.if_b) == 0
    assert s["trunkline_vlan_packets_total"] == {}


def test_a_port_in_use_is_one_line_environment_problem(veth_pair: VethPair) -> None:
    from trunkline.errors import EnvironmentProblem
    from trunkline.xdp.exporter import start_metrics_server

    with in_netns(veth_pair.ns_b):
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        try:
            expected = r"cannot serve metrics on 127\.0\.0\.1:\d+: .*--metrics-port"
            with pytest.raises(EnvironmentProblem, match=expected):
                start_metrics_server(busy.getsockname()[1], [], address="127.0.0.1")
        finally:
            busy.close()
