"""`trunkline count --macs` / `--by mac` end to end: the CLI as a user runs it, the real eBPF counter, frames
from known source MACs (tagged and untagged) sent through an AF_PACKET socket across a veth pair.

The MACs are ones no interface here owns, so other frames the namespaces send never land in their pairs.
"""

from __future__ import annotations

import time

import pytest

from tests.bpf.frames import ETH_P_8021Q, ETH_P_IP, eth, ipv4, udp
from tests.bpf.net import send_raw
from tests.conftest import run_cli
from tests.netns import VethPair
from tests.support.count import finish, read_line, records, settle, start_count

WEB01, DB01 = "00:50:56:0a:00:01", "00:50:56:0a:00:02"
FRAME = 14 + 20 + 8 + 60  # untagged IPv4 UDP with 60 bytes of data
TAGGED = FRAME + 4


def frame(pair: VethPair, mac: str, vlan: int | None) -> bytes:
    tags = () if vlan is None else ((ETH_P_8021Q, vlan),)
    body = eth(ETH_P_IP, ipv4(17, udp(b"v" * 60)), tags=tags)
    dst = bytes.fromhex(VethPair.mac(pair.ns_b, pair.if_b).replace(":", ""))
    return dst + bytes.fromhex(mac.replace(":", "")) + body[12:]


def send_known(pair: VethPair) -> None:
    """WEB01: 4 untagged + 3 on VLAN 10; DB01: 5 on VLAN 20."""
    send_raw(pair.ns_a, pair.if_a, [frame(pair, WEB01, None)] * 4 + [frame(pair, WEB01, 10)] * 3
             + [frame(pair, DB01, 20)] * 5)


@pytest.mark.privileged
def test_by_mac_json_lists_each_directions_pairs_exactly_and_validates(veth_pair: VethPair) -> None:
    import jsonschema

    from trunkline.xdp.stats import record_schema

    proc = start_count(veth_pair, veth_pair.if_b, "--by", "mac", "--json", "--hook", "tc",
                       "--interval", "0.3")
    read_line(proc)
    send_known(veth_pair)
    polled = settle(proc, veth_pair.if_b,
                    lambda r: any(m["mac"] == DB01 and m["packets"] == 5 for m in r.get("macs", [])))
    code, out, err = finish(proc)
    assert code == 0, err
    recs = polled + records(out)
    for rec in recs:
        jsonschema.validate(rec, record_schema())
    summary = {r["direction"]: r for r in recs if r["record"] == "summary"}
    ours = [(m["vlan"], m["mac"], m["packets"], m["bytes"]) for m in summary["rx"]["macs"]
            if m["mac"] in (WEB01, DB01)]
    # per VLAN, untagged first
    assert ours == [(None, WEB01, 4, 4 * FRAME), (10, WEB01, 3, 3 * TAGGED), (20, DB01, 5, 5 * TAGGED)]
    assert not any(m["mac"] in (WEB01, DB01) for m in summary["tx"]["macs"])
    for m in summary["rx"]["macs"]:
        assert summary["rx"]["start_time"] - 1 <= m["first_seen"] <= m["last_seen"] <= summary["rx"]["time"]
    table = summary["rx"]["mac_table"]
    assert table == summary["tx"]["mac_table"]  # the interface's one table
    assert table["capacity"] == 32768 and table["partial"] is False
    assert table["live"] == table["inserts"] >= 3


@pytest.mark.privileged
def test_by_mac_table_shows_per_vlan_macs_with_counts_and_ages(veth_pair: VethPair) -> None:
    proc = start_count(veth_pair, veth_pair.if_b, "--by", "mac", "--duration", "1.5", "--interval", "0.5")
    read_line(proc)
    send_known(veth_pair)
    code, out, err = finish(proc, sig=None)
    assert code == 0, err
    block = out[out.rindex(f"{veth_pair.if_b} rx (xdp generic) at"):].strip().splitlines()
    assert "summary of" in block[0]
    assert block[1].split() == ["VLAN", "MAC", "packets", "bytes", "first", "seen", "last", "seen"]
    rows = [line.split()[:4] for line in block[2:] if WEB01 in line or DB01 in line]
    assert rows == [["untagged", WEB01, "4", f"{4 * FRAME:,}"], ["10", WEB01, "3", f"{3 * TAGGED:,}"],
                    ["20", DB01, "5", f"{5 * TAGGED:,}"]]
    assert all(line.endswith("ago") for line in block[2:-1])
    assert block[-1].startswith("MAC table: ") and "of 32,768 in the table (both directions)" in block[-1]


def run_with_frames(pair: VethPair, frames: list[bytes], *args: str) -> str:
    """``trunkline count IF_B ARGS`` while *frames* cross the pair; its stdout once SIGTERM stopped it."""
    proc = start_count(pair, pair.if_b, *args, "--interval", "0.3")
    read_line(proc)
    send_raw(pair.ns_a, pair.if_a, frames)
    time.sleep(0.3)  # text or JSON alike; the counts asserted after are the VLAN's, read in the summary
    code, out, err = finish(proc)
    assert code == 0, err
    return out


@pytest.mark.privileged
def test_a_full_mac_table_says_partial_in_every_output_and_the_other_counts_stay_exact(
        veth_pair: VethPair) -> None:
    frames = [frame(veth_pair, f"00:50:56:0b:00:{i:02x}", 10) for i in range(40)]
    summary = records(run_with_frames(veth_pair, frames, "--macs", "--mac-table-size", "8", "--json"))[-1]
    table = summary["mac_table"]
    assert table["capacity"] == 8 and table["inserts"] >= 40
    assert table["live"] <= 8 and table["partial"] is True
    assert len(summary["macs"]) == table["live"]
    vlans = {row["vlan"]: (row["packets"], row["bytes"]) for row in summary["vlans"]}
    assert vlans[10] == (40, 40 * TAGGED)

    out = run_with_frames(veth_pair, frames, "--macs", "--mac-table-size", "8", "--by", "total")
    last = out.strip().splitlines()[-2:]
    assert last[0].startswith("MAC table: ")
    assert last[1].startswith("MAC table partial: ") and "use a larger --mac-table-size" in last[1]


def test_mac_table_size_without_learning_is_bad_usage() -> None:
    proc = run_cli("count", "lo", "--mac-table-size", "8")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "trunkline: error: --mac-table-size needs MAC learning: add --macs or --by mac")


@pytest.mark.privileged
def test_macs_with_metrics_port_and_no_plan_serve_the_mac_table_families(veth_pair: VethPair) -> None:
    from tests.support.count import get_in_b, sample, served_url
    from tests.watch_traffic import quiet_ipv6

    quiet_ipv6(veth_pair)  # no router solicitation or MLD report adds a pair of its own
    proc = start_count(veth_pair, veth_pair.if_b, "--macs", "--mac-table-size", "64", "--json",
                       "--interval", "0.3", "--metrics-port", "0", "--metrics-address", "127.0.0.1")
    try:
        url = served_url(proc)
        read_line(proc)
        send_known(veth_pair)  # 3 pairs: WEB01 untagged and on VLAN 10, DB01 on VLAN 20
        rx_labels = {"interface": veth_pair.if_b, "direction": "rx"}
        deadline = time.monotonic() + 30
        while True:  # poll until the three pairs are learned and served
            text = get_in_b(veth_pair, url + "/metrics")[1]
            if sample(text, "trunkline_mac_table_entries", **rx_labels) == 3 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        code, _, err = finish(proc)
    assert code == 0, err
    rx = {"interface": veth_pair.if_b, "direction": "rx"}
    tx = {**rx, "direction": "tx"}
    assert sample(text, "trunkline_mac_table_entries", **rx) == 3
    assert sample(text, "trunkline_mac_table_entries", **tx) == 0
    assert sample(text, "trunkline_mac_table_inserts_total", **rx) == 3
    assert sample(text, "trunkline_mac_table_capacity", **rx) == 64


@pytest.mark.privileged
def test_mac_table_size_out_of_range_names_the_option() -> None:
    proc = run_cli("count", "lo", "--macs", "--mac-table-size", str(1 << 23), "--duration", "0.5")
    assert proc.returncode == 2
    assert proc.stderr == (f"trunkline: error: --mac-table-size {1 << 23}: MAC table size out of range; "
                           f"use 1 to {1 << 22}\n")


TICK_S = 0.01  # bpf_ktime_get_coarse_ns lags CLOCK_MONOTONIC by at most one scheduler tick (HZ >= 100)


@pytest.mark.privileged
@pytest.mark.parametrize("hook", ["xdp", "tc"])
def test_no_pair_is_older_than_the_attach_the_run_starts_from(veth_pair: VethPair, hook: str) -> None:
    """The run (and so a summary's length) starts at ``Counter.attached_at``, taken before the attach and
    not after the checks that follow it: a pair's age never exceeds the run by more than a clock tick."""
    import time

    from tests.bpf.net import counter_in

    with counter_in(veth_pair.ns_b, veth_pair.if_b, hook=hook, learn_macs=True) as counter:
        assert counter.attached_at is not None
        send_known(veth_pair)
        wall = time.time()
        table = counter.read_macs()
    _, start_wall = counter.attached_at
    assert len([e for e in table.entries if e.mac in (WEB01, DB01)]) == 3
    for entry in table.entries:  # the namespace's own frames too, sent while the counter was attaching
        assert wall - entry.first_seen <= wall - start_wall + TICK_S, entry
