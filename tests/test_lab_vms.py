"""Which plan VM NICs the lab's VMs stand for, and the evidence check on learned pairs (pure)."""

from __future__ import annotations

from tests.support.plan import plan_index
from tests.support.vmverdict import Pair
from trunkline.lab.vms import LabVms, choose, evidence


def _choices() -> dict[str, LabVms]:
    index, taken = plan_index(), set()
    return {nad: choose(index, f"default/{nad}", vlan, taken)
            for nad, vlan in (("vm-vlan-10", 10), ("vm-vlan-20", 20), ("vm-vlan-30", 30), ("vm-vlan-40", 40))}


def test_openshift_vm_is_the_nads_vm_and_vsphere_vm_another_live_one_on_the_vlan() -> None:
    got = {nad: (v.openshift.vm if v.openshift else None, v.vsphere.vm if v.vsphere else None)
           for nad, v in _choices().items()}
    assert got == {
        "vm-vlan-10": ("app01", "web01"),
        "vm-vlan-20": ("app01", "db01"),
        "vm-vlan-30": ("monitor01", None),  # the only VM on VLAN 30, powered off: no live vSphere twin
        "vm-vlan-40": ("vlan40-client", None),
    }
    assert _choices()["vm-vlan-20"].openshift.nic == "Network adapter 2"  # type: ignore[union-attr]


def test_no_index_keeps_the_lab_vms_own_macs() -> None:
    assert choose(None, "default/vm-vlan-40", 40, set()) == LabVms(None, None)


def test_evidence_passes_with_the_vsphere_mac_received_and_the_openshift_mac_sent() -> None:
    vms = _choices()["vm-vlan-10"]
    pairs = [("ens34", Pair("rx", 10, "00:50:56:a1:10:01", 4)),
             ("ens34", Pair("tx", 10, "00:50:56:a1:10:02", 5))]
    found = evidence(vms, 10, "00:50:56:a1:10:01", "00:50:56:a1:10:02", pairs)
    assert found.ok and found.verdict is not None and found.verdict.state == "seen"
    assert found.detail.startswith(
        "vSphere VM web01 (00:50:56:a1:10:01) received on VLAN 10: 4 frames; "
        "OpenShift VM app01 (00:50:56:a1:10:02) sent on VLAN 10: 5 frames; app01 Network adapter 1: seen")


def test_nad_on_another_vlan_fails_with_wrong_vlan() -> None:
    vms = LabVms(_choices()["vm-vlan-40"].openshift, None)  # its NAD edited to VLAN 30
    pairs = [("ens34", Pair("rx", 30, "02:aa:00:00:00:01", 3)),
             ("ens34", Pair("tx", 30, "00:50:56:a1:40:05", 3))]
    found = evidence(vms, 30, "02:aa:00:00:00:01", "00:50:56:a1:40:05", pairs)
    assert not found.ok and found.verdict is not None and found.verdict.state == "wrong-vlan"
    assert "vSphere VM (02:aa:00:00:00:01, not a plan VM) received on VLAN 30: 3 frames" in found.detail
    assert ("vlan40-client Network adapter 1: wrong-vlan (VM vlan40-client Network adapter 1 "
            "(00:50:56:a1:40:05) expected on VLAN 40 (port group vm-vlan-40), seen only on VLAN 30 "
            "(sent: runs on this node))") in found.detail


def test_missing_direction_fails() -> None:
    vms = _choices()["vm-vlan-10"]
    pairs = [("ens34", Pair("tx", 10, "00:50:56:a1:10:02", 5))]
    assert not evidence(vms, 10, "00:50:56:a1:10:01", "00:50:56:a1:10:02", pairs).ok
