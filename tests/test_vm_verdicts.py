"""Per-VM verdicts from the bundled example's plan index and learned (VLAN, MAC) pairs (pure)."""

from __future__ import annotations

from tests.support.plan import big_inventory, plan_index
from tests.support.vmverdict import APP01_1, APP01_2, MONITOR01, WEB01, Pair
from trunkline.planindex import VlanSet
from trunkline.vmverdict import judge, nad_mismatch


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
    result = judge(plan_index().nics, _pairs())
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
    msg = {(v.nic.vm, v.nic.nic): v.message() for v in judge(plan_index().nics, _pairs()).nics}
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
    result = judge(plan_index().nics, [])
    monitor = next(v for v in result.nics if v.nic.vm == "monitor01")
    assert (monitor.state, monitor.message()) == ("not-seen", "not seen, as expected: the VM is powered off")


def test_unplanned_macs_counted_per_vlan_busiest_first() -> None:
    result = judge(plan_index().nics, _pairs(), busiest=2)
    rows = [(s.vlan, s.count, s.macs, [b.packets for b in s.busiest]) for s in result.strangers]
    assert rows == [
        (None, 1, ("02:00:00:00:00:04",), [9]),
        (10, 3, ("02:00:00:00:00:02", "02:00:00:00:00:03"), [9, 5]),
    ]
    assert result.strangers[1].busiest[0].direction == "rx+tx"
    assert result.strangers[1].busiest[1].interfaces == ("ens35",)


def test_live_vlan_from_the_vlan_counters_when_the_mac_table_missed_it() -> None:
    result = judge(plan_index().nics, [], live_vlans=[40])
    client = next(v for v in result.nics if v.nic.vm == "vlan40-client")
    assert client.vlan_live and "VLAN 40 is live" in client.message()


def test_window_drops_pairs_last_seen_before_it() -> None:
    old = [("ens34", Pair("tx", 20, APP01_1, 3, last_seen=100.0))]
    assert judge(plan_index().nics, old, since=500.0).counts()["wrong-vlan"] == 0
    assert judge(plan_index().nics, old, since=50.0).counts()["wrong-vlan"] == 1


def test_vlan_0_counts_as_untagged() -> None:
    nic = plan_index().nics[0]
    untagged = type(nic)(**{**nic.__dict__, "expected": VlanSet(untagged=True), "nad_vlans": None,
                            "nad": None})
    result = judge([untagged], [("ens34", Pair("rx", 0, untagged.mac or "", 1))])
    assert result.nics[0].state == "seen"


def test_nad_on_another_vlan_than_the_port_group_is_a_plan_error() -> None:
    index = plan_index()
    result = judge(index.nics, [], nad_vlans={"default/vm-vlan-40": VlanSet(((30, 30),))})
    client = next(v for v in result.nics if v.nic.vm == "vlan40-client")
    assert client.nad_mismatch and client.severity == "error"
    assert client.message().endswith(
        "; plan error: NAD default/vm-vlan-40 carries VLAN 30, the port group VLAN 40")
    assert [v.nic.vm for v in result.errors] == ["vlan40-client"]
    assert not nad_mismatch(VlanSet(every=True), VlanSet(((1, 4094),)))
    assert nad_mismatch(VlanSet(untagged=True), VlanSet(((5, 5),)))
    assert not nad_mismatch(VlanSet(((5, 9),), untagged=True), VlanSet(((5, 9),), untagged=True))


def test_disconnected_nic_suspended_vm_and_template_are_expected_quiet() -> None:
    web = next(n for n in plan_index().nics if n.vm == "web01")
    cases = {
        "the NIC is disconnected": {"connected": False},
        "the VM is suspended": {"power_state": "suspended"},
        "the VM is a template": {"template": True},
    }
    for why, change in cases.items():
        nic = type(web)(**{**web.__dict__, **change})
        (verdict,) = judge([nic], []).nics
        assert (verdict.state, verdict.message()) == ("not-seen", f"not seen, as expected: {why}")
    nomac = type(web)(**{**web.__dict__, "mac": None})
    assert judge([nomac], []).nics[0].message() == (
        "not seen: the inventory has no MAC for this NIC, so it cannot be checked")


def test_table_notes_fold_into_one_line_for_a_large_plan() -> None:
    import io

    from rich.console import Console

    from trunkline.cli import vmverdicts

    index = plan_index(big_inventory(200))
    first = index.nics[0]
    result = judge(index.nics, [("ens34", Pair("rx", first.expected.ranges[0][0], first.mac or "", 1))])
    out = io.StringIO()
    vmverdicts.render(result, [], Console(file=out, highlight=False))
    notes = [line for line in out.getvalue().splitlines() if line.startswith("note:")]
    assert notes == [
        "note: not seen: 49 VM NIC(s) on a live VLAN sent nothing, 150 are on VLANs silent here, 0 are "
        "expected quiet (powered off, templates, disconnected); 0 seen though the inventory says they are "
        "quiet; --json gives the reason for each"]
