"""`trunkline count` end to end: the CLI as a user runs it, the real eBPF counter, real frames.

Each test makes a veth pair between two fresh network namespaces (tests/netns.py: static neighbours,
so no ARP or neighbour discovery, GRO/GSO/TSO off) and runs ``trunkline count`` inside ``ns_b`` on
``if_b`` while ``ns_a`` sends known traffic: ICMP echo requests with ping (56 bytes of data: a
98-byte frame) and UDP datagrams from a Python socket (100 bytes of data: a 142-byte frame).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import cli_env, run_cli
from tests.netns import VethPair
from tests.support.count import (
    finish,
    get_in_b,
    protocol,
    read_line,
    records,
    sample,
    served_url,
    settle,
    start_count,
)

PING_FRAME = 14 + 20 + 8 + 56  # Ethernet + IPv4 + ICMP echo header + ping's default 56 bytes of data
UDP_PAYLOAD = 100
UDP_FRAME = 14 + 20 + 8 + UDP_PAYLOAD
TAGGED_FRAME = 14 + 4 + 20 + 8 + UDP_PAYLOAD  # the 802.1Q tag adds 4 bytes
LLDP_FRAME = 14 + 46
STP_FRAME = 60  # 802.3 length 38 (LLC + BPDU), padded to the Ethernet minimum


def send_traffic(pair: VethPair, pings: int = 0, datagrams: int = 0) -> None:
    """From ns_a to ns_b: *pings* ICMP echo requests, then *datagrams* UDP datagrams to port 9."""
    if pings:
        pair.exec_a("ping", "-q", "-c", str(pings), "-i", "0.01", "-W", "1", pair.ip_b)
    if datagrams:
        code = (
            "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            f"for _ in range({datagrams}): s.sendto(b'x' * {UDP_PAYLOAD}, ('{pair.ip_b}', 9))"
        )
        pair.exec_a(sys.executable, "-c", code)


def send_frames(pair: VethPair, *, tagged: int = 0, vlan: int = 40, lldp: int = 0, stp: int = 0) -> None:
    """From ns_a, through an AF_PACKET socket on if_a: *tagged* 802.1Q frames (VLAN *vlan*, IPv4 UDP,
    TAGGED_FRAME bytes), *lldp* LLDP frames (LLDP_FRAME bytes), *stp* 802.3/LLC STP BPDUs (STP_FRAME bytes).
    """
    code = f"""
import socket, struct
dst = bytes.fromhex({pair.mac(pair.ns_b, pair.if_b).replace(':', '')!r})
src = bytes.fromhex({pair.mac(pair.ns_a, pair.if_a).replace(':', '')!r})
udp = struct.pack('!HHHH', 40000, 9, 8 + {UDP_PAYLOAD}, 0) + b'x' * {UDP_PAYLOAD}
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                 socket.inet_aton('198.51.100.1'), socket.inet_aton('198.51.100.2')) + udp
tagged = dst + src + struct.pack('!HHH', 0x8100, {vlan}, 0x0800) + ip
lldp = bytes.fromhex('0180c200000e') + src + struct.pack('!H', 0x88cc) + bytes(46)
bpdu = bytes.fromhex('0000000000') + bytes(30)  # configuration BPDU, 35 bytes
llc = bytes.fromhex('424203') + bpdu
stp = bytes.fromhex('0180c2000000') + src + struct.pack('!H', len(llc)) + llc + bytes(60 - 14 - len(llc))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(({pair.if_a!r}, 0))
for frame, n in ((tagged, {tagged}), (lldp, {lldp}), (stp, {stp})):
    for _ in range(n):
        s.send(frame)
"""
    pair.exec_a(sys.executable, "-c", code)


@pytest.mark.privileged
def test_json_summary_counts_pings_and_udp_exactly_and_sigterm_exits_0(veth_pair: VethPair) -> None:
    proc = start_count(veth_pair, veth_pair.if_b, "--json", "--interval", "0.5")
    first = json.loads(read_line(proc))  # the counter is attached once the first record is out
    assert (first["record"], first["interface"], first["direction"], first["hook"], first["mode"]) == (
        "interval", veth_pair.if_b, "rx", "xdp", "generic")
    send_traffic(veth_pair, pings=5, datagrams=7)
    polled = settle(proc, veth_pair.if_b,
                    lambda r: protocol(r, "ipv4", 1)[0] == 5 and protocol(r, "ipv4", 17)[0] == 7)
    code, out, err = finish(proc, signal.SIGTERM)
    assert code == 0, err
    recs = [first, *polled, *records(out)]
    summary = recs[-1]
    assert summary["record"] == "summary"
    assert [r["record"] for r in recs].count("summary") == 1
    assert protocol(summary, "ipv4", 1) == (5, 5 * PING_FRAME)
    assert protocol(summary, "ipv4", 17) == (7, 7 * UDP_FRAME)
    keywords = {(r["number"], r["keyword"]) for r in summary["protocols"]}
    assert {(1, "ICMP"), (17, "UDP")} <= keywords
    intervals = [r for r in recs if r["record"] == "interval"]
    assert sum(r["total"]["packets_interval"] for r in intervals) == summary["total"]["packets_interval"]
    # each record rounds interval_s to 6 decimals: the sum may be off by half a microsecond per record
    assert sum(r["interval_s"] for r in intervals) == pytest.approx(summary["interval_s"],
                                                                     abs=1e-6 * (len(intervals) + 1))
    # the run starts at attach, when the counter is zero: the summary's interval figures are the run's
    total = summary["total"]
    assert (total["packets_interval"], total["bytes_interval"]) == (total["packets"], total["bytes"])
    assert total["packets_per_s"] == pytest.approx(total["packets"] / summary["interval_s"], abs=0.001)


@pytest.mark.privileged
def test_json_records_validate_against_the_schema(veth_pair: VethPair) -> None:
    import jsonschema

    from trunkline.xdp.stats import record_schema

    proc = start_count(veth_pair, veth_pair.if_b, "--json", "--interval", "0.3", "--hook", "tc")
    read_line(proc)
    send_traffic(veth_pair, pings=3, datagrams=2)
    settle(proc, veth_pair.if_b, lambda r: protocol(r, "ipv4", 17)[0] == 2)
    code, out, err = finish(proc)
    assert code == 0, err
    recs = records(out)
    schema = record_schema()
    for rec in recs:
        jsonschema.validate(rec, schema)
    summaries = {r["direction"]: r for r in recs if r["record"] == "summary"}
    assert sorted(summaries) == ["rx", "tx"]
    assert summaries["rx"]["mode"] is None
    assert protocol(summaries["rx"], "ipv4", 1) == (3, 3 * PING_FRAME)  # echo requests in
    assert protocol(summaries["tx"], "ipv4", 1)[0] == 3 + 2  # echo replies + port unreachables out
    assert summaries["rx"]["vlans"] == [
        {**summaries["rx"]["total"], "vlan": None}
    ]


@pytest.mark.privileged
def test_duration_stops_with_summary_table_of_the_traffic_mix(veth_pair: VethPair) -> None:
    proc = start_count(veth_pair, veth_pair.if_b, "--duration", "2.5", "--interval", "0.5")
    read_line(proc)  # the first interval's heading: attached
    send_traffic(veth_pair, pings=4, datagrams=9)
    code, out, err = finish(proc, sig=None)
    assert code == 0, err
    # veth reports rx-vlan-offload on: the counter's warning, printed once
    assert err.splitlines() == [
        f"trunkline: warning: {veth_pair.if_b} has rx-vlan-offload on: XDP may not see VLAN tags the NIC "
        "strips (they then count as untagged); --hook tc sees them"
    ]
    summary = out[out.rindex(f"{veth_pair.if_b} rx (xdp generic) at"):].strip().splitlines()
    assert "summary of" in summary[0]
    header = summary[1].split()
    assert header == ["family", "protocol", "number", "packets", "bytes", "packets/s", "bits/s", "share"]
    rows = {tuple(line.split()[:3]): line.split()[3:5] for line in summary[2:-1]}
    assert rows[("ipv4", "UDP", "17")] == ["9", f"{9 * UDP_FRAME:,}"]
    assert rows[("ipv4", "ICMP", "1")] == ["4", f"{4 * PING_FRAME:,}"]
    total = summary[-1].split()
    assert total[0] == "total"
    assert int(total[1].replace(",", "")) == sum(int(v[0].replace(",", "")) for v in rows.values())
    first_row = summary[2].split()
    assert first_row[:3] == ["ipv4", "UDP", "17"]  # sorted by packets


@pytest.mark.privileged
def test_by_vlan_table_and_json_rows_for_tagged_and_untagged_frames(veth_pair: VethPair) -> None:
    proc = start_count(veth_pair, veth_pair.if_b, "--json", "--interval", "0.3")
    read_line(proc)
    send_frames(veth_pair, tagged=6, vlan=40, lldp=2, stp=3)
    send_traffic(veth_pair, pings=4)
    settle(proc, veth_pair.if_b, lambda r: any(v["vlan"] == 40 and v["packets"] == 6 for v in r["vlans"])
           and any(e["ethertype"] == 0x10001 and e["packets"] == 3 for e in r["ethertypes"]))
    code, out, err = finish(proc)
    assert code == 0, err
    summary = records(out)[-1]
    vlans = {row["vlan"]: (row["packets"], row["bytes"]) for row in summary["vlans"]}
    assert vlans[40] == (6, 6 * TAGGED_FRAME)
    assert vlans[None][0] >= 2 + 3 + 4
    assert protocol(summary, "ipv4", 17) == (6, 6 * TAGGED_FRAME)
    ethertypes = {r["ethertype"]: (r["name"], r["packets"], r["bytes"]) for r in summary["ethertypes"]}
    assert ethertypes[0x88CC] == ("LLDP", 2, 2 * LLDP_FRAME)
    assert ethertypes[0x10001] == ("802.3-LLC", 3, 3 * STP_FRAME)  # one row for every 802.3 length

    proc = start_count(veth_pair, veth_pair.if_b, "--by", "vlan", "--duration", "1.5", "--interval", "0.5")
    read_line(proc)
    send_frames(veth_pair, tagged=5, vlan=40)
    send_frames(veth_pair, tagged=2, vlan=4094)
    code, out, err = finish(proc, sig=None)
    assert code == 0, err
    table = out[out.rindex(f"{veth_pair.if_b} rx (xdp generic) at"):].strip().splitlines()
    assert "summary of" in table[0]
    assert table[1].split() == ["VLAN", "packets", "bytes", "packets/s", "bits/s", "share"]
    assert [line.split()[:3] for line in table[2:]] == [
        ["40", "5", f"{5 * TAGGED_FRAME:,}"],
        ["4094", "2", f"{2 * TAGGED_FRAME:,}"],
        ["total", "7", f"{7 * TAGGED_FRAME:,}"],
    ]


@pytest.mark.privileged
def test_by_total_prints_received_n_packets_per_interval(veth_pair: VethPair) -> None:
    proc = start_count(veth_pair, veth_pair.if_b, "--by", "total", "--interval", "0.3")
    line = read_line(proc)
    assert line.startswith(f"{veth_pair.if_b} rx: received ")
    send_traffic(veth_pair, pings=6)
    time.sleep(0.3)  # a text view: the assertion below is a lower bound, not an exact count
    code, out, err = finish(proc, signal.SIGINT)
    assert code == 0, err
    last = out.strip().splitlines()[-1]
    assert last.startswith(f"{veth_pair.if_b} rx summary: received ")
    packets = int(last.split("received ")[1].split(" packets")[0].replace(",", ""))
    assert packets >= 6


@pytest.mark.privileged
def test_several_interfaces_are_counted_side_by_side(veth_pair: VethPair) -> None:
    proc = start_count(veth_pair, veth_pair.if_b, "lo", "--json", "--interval", "0.3")
    read_line(proc)
    send_traffic(veth_pair, pings=2)
    veth_pair.exec_b("ping", "-q", "-c", "3", "-i", "0.01", "127.0.0.1")
    settle(proc, "lo", lambda r: protocol(r, "ipv4", 1)[0] == 6)
    settle(proc, veth_pair.if_b, lambda r: protocol(r, "ipv4", 1)[0] == 2)
    code, out, err = finish(proc)
    assert code == 0, err
    summaries = {r["interface"]: r for r in records(out) if r["record"] == "summary"}
    assert sorted(summaries) == sorted([veth_pair.if_b, "lo"])
    assert protocol(summaries[veth_pair.if_b], "ipv4", 1) == (2, 2 * PING_FRAME)
    # on lo both the requests and the replies arrive
    assert protocol(summaries["lo"], "ipv4", 1) == (6, 6 * PING_FRAME)


@pytest.mark.privileged
def test_vanishing_interface_reports_counts_so_far_and_exits_3(veth_pair: VethPair) -> None:
    proc = start_count(veth_pair, veth_pair.if_b, "--json", "--interval", "0.3")
    read_line(proc)
    send_traffic(veth_pair, pings=3)
    settle(proc, veth_pair.if_b, lambda r: protocol(r, "ipv4", 1)[0] == 3)
    veth_pair.exec_b("ip", "link", "del", veth_pair.if_b)
    code, out, err = finish(proc, sig=None)
    assert code == 3
    errors = [line for line in err.splitlines() if line.startswith("trunkline: error: ")]
    assert errors == [err.splitlines()[-1]]
    assert f"interface {veth_pair.if_b} " in errors[0] and "vanished" in errors[0]
    summary = records(out)[-1]
    assert summary["record"] == "summary"
    assert protocol(summary, "ipv4", 1) == (3, 3 * PING_FRAME)


def test_unknown_interface_is_one_line_and_exit_2() -> None:
    proc = run_cli("count", "nosuch0", "--duration", "1")
    assert proc.returncode == 2
    assert proc.stderr == (
        "trunkline: error: unknown interface 'nosuch0': name an existing interface (see `ip link`)\n"
    )
    assert proc.stdout == ""


def test_mode_with_tc_hook_is_bad_usage() -> None:
    proc = run_cli("count", "lo", "--hook", "tc", "--mode", "native")
    assert proc.returncode == 2
    assert proc.stderr == (
        "trunkline: error: --mode applies to --hook xdp only: drop --mode, or use --hook xdp\n"
    )


@pytest.mark.privileged
def test_without_privileges_exit_3_with_one_line(veth_pair: VethPair) -> None:
    cmd = ["ip", "netns", "exec", veth_pair.ns_b, "setpriv", "--reuid=nobody", "--regid=nogroup",
           "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
           sys.executable, "-m", "trunkline", "count", veth_pair.if_b, "--duration", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=cli_env(), timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith("trunkline: error: ")
    assert "root" in proc.stderr
    assert proc.stdout == ""


@pytest.mark.privileged
def test_no_interface_counts_on_the_default_route_interface(veth_pair: VethPair) -> None:
    proc = run_cli("count", "--duration", "0.5", netns=veth_pair.ns_b)
    assert proc.returncode == 2
    assert proc.stderr == (
        "trunkline: error: no default route to pick an interface from: name one, "
        "e.g. `trunkline count eth0` (see `ip link`)\n"
    )
    veth_pair.exec_b("ip", "route", "add", "default", "via", veth_pair.ip_a)
    proc = run_cli("count", "--duration", "0.5", "--json", netns=veth_pair.ns_b)
    assert proc.returncode == 0, proc.stderr
    assert {r["interface"] for r in records(proc.stdout)} == {veth_pair.if_b}


@pytest.mark.privileged
def test_metrics_port_serves_the_counts_while_counting(veth_pair: VethPair) -> None:
    pytest.importorskip("trunkline.xdp.exporter", reason="the exporter (issue 5) is not merged yet")
    proc = start_count(veth_pair, veth_pair.if_b, "--json", "--interval", "0.3", "--metrics-port", "0",
                       "--metrics-address", "127.0.0.1")
    read_line(proc)
    send_traffic(veth_pair, pings=4)
    settle(proc, veth_pair.if_b, lambda r: protocol(r, "ipv4", 1)[0] == 4)
    assert proc.stderr is not None
    serving = proc.stderr.readline()
    while "rx-vlan-offload" in serving:
        serving = proc.stderr.readline()
    assert serving.startswith("trunkline: serving Prometheus metrics on http://127.0.0.1:")
    url = serving.split(" on ")[1].strip()
    fetch = f"import urllib.request; print(urllib.request.urlopen({url!r}).read().decode())"
    scrape = veth_pair.exec_b(sys.executable, "-c", fetch).stdout.splitlines()
    wanted = {'direction="rx"', f'interface="{veth_pair.if_b}"', 'family="ipv4"', 'number="1"',
              'protocol="ICMP"'}
    icmp = [line.rsplit(" ", 1)[1] for line in scrape if line.startswith("trunkline_protocol_packets_total{")
            and wanted <= set(line.split("{", 1)[1].split("}", 1)[0].split(","))]
    assert icmp == ["4.0"]
    code, _, err = finish(proc)
    assert code == 0, err


@pytest.mark.privileged
def test_sighup_from_a_closed_terminal_still_prints_the_summary(veth_pair: VethPair) -> None:
    proc = start_count(veth_pair, veth_pair.if_b, "--by", "total", "--interval", "0.3")
    assert read_line(proc).startswith(f"{veth_pair.if_b} rx: received ")
    send_traffic(veth_pair, pings=4)
    time.sleep(0.3)  # a text view, and no count is asserted: only that the summary is printed
    code, out, err = finish(proc, signal.SIGHUP)
    assert code == 0, err
    assert out.strip().splitlines()[-1].startswith(f"{veth_pair.if_b} rx summary: received ")


@pytest.mark.parametrize(("option", "maximum"), [("--interval", "86400"), ("--duration", "31536000")])
def test_an_interval_or_duration_beyond_the_maximum_is_one_line_and_exit_2(option: str, maximum: str) -> None:
    # 1e12 s overflowed the platform's time_t in the wait (a traceback, exit 1) before the bound
    proc = run_cli("count", "lo", option, "1e12")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (f"trunkline: error: Invalid value for '{option}': Input should be less than or "
                           f"equal to {maximum} (see 'trunkline count -h')\n")
    assert proc.stdout == ""


@pytest.mark.parametrize(("address", "why"), [
    ("bogus.invalid", "not an IP address; give an address of this host"),
    ("999.1.1.1", "not an IP address; give an address of this host"),
    ("192.0.2.1", "not an address of this host; give one of its IP addresses"),  # TEST-NET-1: not here
])
def test_a_metrics_address_not_of_this_host_is_one_line_exit_2(address: str, why: str) -> None:
    proc = run_cli("count", "lo", "--duration", "1", "--metrics-port", "0", "--metrics-address", address)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"trunkline: error: --metrics-address {address}: {why}")
    assert proc.stderr.count("\n") == 1 and proc.stdout == ""


@pytest.mark.privileged
def test_with_metrics_port_a_vanished_interface_is_reported_down_and_the_others_still_counted(
        veth_pair: VethPair) -> None:
    proc = start_count(veth_pair, veth_pair.if_b, "lo", "--json", "--interval", "0.3", "--metrics-port", "0",
                       "--metrics-address", "127.0.0.1")
    try:
        url = served_url(proc)
        read_line(proc)
        send_traffic(veth_pair, pings=2)
        settle(proc, veth_pair.if_b, lambda r: protocol(r, "ipv4", 1)[0] == 2)
        veth_pair.exec_b("ip", "link", "del", veth_pair.if_b)
        deadline = time.monotonic() + 30
        while (health := get_in_b(veth_pair, url + "/healthz"))[0] != 503 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert health[0] == 503 and f"interface {veth_pair.if_b} " in health[1] and "vanished" in health[1]
        time.sleep(1.0)  # several intervals after the vanishing: the old code had exited by now
        assert proc.poll() is None
        veth_pair.exec_b("ping", "-q", "-c", "3", "-i", "0.01", "127.0.0.1")  # lo is still counted
        deadline = time.monotonic() + 30
        icmp_lo = {"interface": "lo", "direction": "rx", "family": "ipv4", "protocol": "ICMP", "number": "1"}
        while True:
            scrape = get_in_b(veth_pair, url + "/metrics")[1]
            icmp = sample(scrape, "trunkline_protocol_packets_total", **icmp_lo)
            if icmp == 6 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert icmp == 6
        assert sample(scrape, "trunkline_counter_up", interface=veth_pair.if_b) == 0
        assert sample(scrape, "trunkline_counter_up", interface="lo") == 1
    finally:
        code, out, err = finish(proc)
    assert code == 3, err
    lines = err.splitlines()
    assert lines[-1].startswith(f"trunkline: error: interface {veth_pair.if_b} ") and "vanished" in lines[-1]
    warned = [line for line in lines if "still counting the other interfaces" in line]
    assert len(warned) == 1 and f"warning: interface {veth_pair.if_b} " in warned[0]
    # the exporter's log line about the failed read, once, prefixed like every other message
    failed = [line for line in lines if f"reading the counter on {veth_pair.if_b} failed" in line]
    assert len(failed) == 1 and failed[0].startswith(
        f"trunkline: warning: reading the counter on {veth_pair.if_b} failed: interface {veth_pair.if_b} ")
    summaries = {r["interface"]: r for r in records(out) if r["record"] == "summary"}
    assert protocol(summaries[veth_pair.if_b], "ipv4", 1) == (2, 2 * PING_FRAME)
    assert protocol(summaries["lo"], "ipv4", 1) == (6, 6 * PING_FRAME)


@pytest.mark.privileged
def test_with_metrics_port_the_run_ends_with_exit_3_once_every_interface_is_gone(veth_pair: VethPair) -> None:
    proc = start_count(veth_pair, veth_pair.if_b, "--json", "--interval", "0.3", "--metrics-port", "0",
                       "--metrics-address", "127.0.0.1")
    read_line(proc)
    send_traffic(veth_pair, pings=3)
    settle(proc, veth_pair.if_b, lambda r: protocol(r, "ipv4", 1)[0] == 3)
    veth_pair.exec_b("ip", "link", "del", veth_pair.if_b)
    code, out, err = finish(proc, sig=None)
    assert code == 3, err
    assert err.splitlines()[-1].startswith(f"trunkline: error: interface {veth_pair.if_b} ")
    assert "still counting" not in err
    assert protocol(records(out)[-1], "ipv4", 1) == (3, 3 * PING_FRAME)


def test_metrics_address_without_metrics_port_is_bad_usage() -> None:
    proc = run_cli("count", "lo", "--metrics-address", "127.0.0.1", "--duration", "0.5")
    assert proc.returncode == 2
    assert proc.stderr == (
        "trunkline: error: --metrics-address is where --metrics-port serves: add --metrics-port PORT\n")


def test_log_lines_of_waitress_and_trunkline_get_the_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from trunkline.cli import log_to_stderr

    before = list(logging.getLogger().handlers)
    try:
        log_to_stderr()
        log_to_stderr()  # once only
        logging.getLogger("waitress").warning("client disconnected")
        logging.getLogger("trunkline.xdp.exporter").warning("reading the counter on x failed: gone")
    finally:
        logging.getLogger().handlers[:] = before
    assert capsys.readouterr().err == ("trunkline: warning: client disconnected\n"
                                       "trunkline: warning: reading the counter on x failed: gone\n")
