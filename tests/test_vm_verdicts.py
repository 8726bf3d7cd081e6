"""Per-VM verdicts from the bundled example's plan index and learned (VLAN, MAC) pairs (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from trunkline.openshift.nicmap import node_groups
from trunkline.openshift.plan import PlanOptions, build_plan
from trunkline.planindex import PlanIndex, VlanSet, build_index
from trunkline.vmverdict import judge, nad_mismatch
from trunkline.vsphere.sources import load_inventory


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


def _index() -> PlanIndex:
    inv = load_inventory()
    return build_index(build_plan(inv, PlanOptions(node_groups=node_groups(inv.nic_map, None, {}))), inv)


def _pairs() -> list[tuple[str, Pair]]:
    return [
        ("ens34", Pair("rx", 10, WEB01, 4, 256)),
        ("ens34", Pair("tx", 20, APP01_1, 3)),
        ("ens34", Pair("tx", 20, APP01_2, 2)),
        ("ens34", Pair("rx", 30, APP01_2, 1)),
        ("ens34", Pair("rx", 30, MONITOR01, 1)),
        ("ens34", Pair("rx", 10, "02:00:00:00:00:01", 1)),
        ("ens34", Pair("rx", 10, "02:00:00:00:00:02", 7)),
        ("ens34", Pair("tx", 10, "02:00:00:00:00:02", 2)),
        ("ens35", Pair("rx", 10, "02:00:00:00:00:03", 5)),
        ("ens35", Pair("rx", None, "02:00:00:00:00:04", 9)),
    ]


def test_every_verdict_with_its_vlans_and_direction() -> None:
    result = judge(_index().nics, _pairs())
    got = {(v.nic.vm, v.nic.nic): (v.state, v.seen_vlans, v.directions, v.severity) for v in result.nics}
    assert got == {
        ("app01", "Network adapter 1"): ("wrong-vlan", (20,), ("tx",), "error"),
        ("app01", "Network adapter 2"): ("on-several-vlans", (20, 30), ("rx", "tx"), "warning"),
        ("db01", "Network adapter 1"): ("not-seen", (), (), "info"),
        ("monitor01", "Network adapter 1"): ("seen", (30,), ("rx",), "ok"),
        ("vlan40-client", "Network adapter 1"): ("not-seen", (), (), "info"),
        ("web01", "Network adapter 1"): ("seen", (10,), ("rx",), "ok"),
    }
    assert result.counts() == {"seen": 2, "wrong-vlan": 1, "on-several-vlans": 1, "not-seen": 2}
    assert [(v.nic.vm, v.nic.nic) for v in result.errors] == [("app01", "Network adapter 1")]


def test_messages_name_vm_nic_expected_and_seen_vlans_and_where_the_vm_runs() -> None:
    msg = {(v.nic.vm, v.nic.nic): v.message() for v in judge(_index().nics, _pairs()).nics}
    assert msg[("app01", "Network adapter 1")] == (
        "VM app01 Network adapter 1 (00:50:56:a1:10:02) expected on VLAN 10 (port group vm-vlan-10), "
        "seen only on VLAN 20 (sent: runs on this node)")
    assert msg[("app01", "Network adapter 2")] == (
        "on VLAN 20 as expected, and also on VLAN 30 (received: across the trunk (still on vSphere, or "
        "on another node))")
    assert msg[("db01", "Network adapter 1")] == (
        "not seen: VLAN 20 is live but this VM sent nothing in the window")
    assert msg[("vlan40-client", "Network adapter 1")] == (
        "not seen: VLAN 40 is silent here (not on this trunk, or idle)")
    assert msg[("web01", "Network adapter 1")] == (
        "seen on VLAN 10 (received: across the trunk (still on vSphere, or on another node))")
    assert msg[("monitor01", "Network adapter 1")] == (
        "seen on VLAN 30 (received: across the trunk (still on vSphere, or on another node)); the "
        "inventory says powered off: it has changed since, or the MAC is reused")


def test_powered_off_vm_not_seen_is_expected_and_says_so() -> None:
    result = judge(_index().nics, [])
    monitor = next(v for v in result.nics if v.nic.vm == "monitor01")
    assert (monitor.state, monitor.message()) == ("not-seen", "not seen, as expected: the VM is powered off")


def test_unplanned_macs_counted_per_vlan_busiest_first() -> None:
    result = judge(_index().nics, _pairs(), busiest=2)
    rows = [(s.vlan, s.count, s.macs, [b.packets for b in s.busiest]) for s in result.strangers]
    assert rows == [
        (None, 1, ("02:00:00:00:00:04",), [9]),
        (10, 3, ("02:00:00:00:00:02", "02:00:00:00:00:03"), [9, 5]),
    ]
    assert result.strangers[1].busiest[0].direction == "rx+tx"
    assert result.strangers[1].busiest[1].interfaces == ("ens35",)


def test_live_vlan_from_the_vlan_counters_when_the_mac_table_missed_it() -> None:
    result = judge(_index().nics, [], live_vlans=[40])
    client = next(v for v in result.nics if v.nic.vm == "vlan40-client")
    assert client.vlan_live and "VLAN 40 is live" in client.message()


def test_window_drops_pairs_last_seen_before_it() -> None:
    old = [("ens34", Pair("tx", 20, APP01_1, 3, last_seen=100.0))]
    assert judge(_index().nics, old, since=500.0).counts()["wrong-vlan"] == 0
    assert judge(_index().nics, old, since=50.0).counts()["wrong-vlan"] == 1


def test_vlan_0_counts_as_untagged() -> None:
    nic = _index().nics[0]
    untagged = type(nic)(**{**nic.__dict__, "expected": VlanSet(untagged=True), "nad_vlans": None,
                            "nad": None})
    result = judge([untagged], [("ens34", Pair("rx", 0, untagged.mac or "", 1))])
    assert result.nics[0].state == "seen"


def test_nad_on_another_vlan_than_the_port_group_is_a_plan_error() -> None:
    index = _index()
    result = judge(index.nics, [], nad_vlans={"default/vm-vlan-40": VlanSet(((30, 30),))})
    client = next(v for v in result.nics if v.nic.vm == "vlan40-client")
    assert client.nad_mismatch and client.severity == "error"
    assert client.message().endswith(
        "; plan error: NAD default/vm-vlan-40 carries VLAN 30, the port group VLAN 40")
    assert [v.nic.vm for v in result.errors] == ["vlan40-client"]
    assert not nad_mismatch(VlanSet(every=True), VlanSet(((1, 4094),)))
    assert nad_mismatch(VlanSet(untagged=True), VlanSet(((5, 5),)))
    assert not nad_mismatch(VlanSet(((5, 9),), untagged=True), VlanSet(((5, 9),), untagged=True))
