"""Which plan VM NICs the lab's VMs stand for, so that they send with the plan's MACs (pure).

Per NAD the lab tests, two VMs talk on the NAD's VLAN (the seed's ping):

* the **OpenShift VM**, attached through the NAD: the index NIC the plan attaches to that NAD (a
  migrated VM), preferring one that is expected to send (powered on, connected, no template);
* the **vSphere VM** on the upstream switch: another index NIC whose port group is on that VLAN and that
  is expected to send.

Where the index has no such NIC (a VLAN with one VM), or the plan directory has no index (hand-written
manifests), that VM keeps a MAC of its own and the lab says so. After the ping the trunk counter should
see the vSphere VM's MAC received and the OpenShift VM's MAC sent, both on the NAD's VLAN
(:func:`evidence`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from trunkline.planindex import IndexNic, PlanIndex
from trunkline.vmverdict import LearnedPair, NicVerdict, judge


@dataclass(frozen=True)
class LabVms:
    """The plan NICs one NAD's two lab VMs stand for (``None``: none fits, the VM keeps its own MAC)."""

    openshift: IndexNic | None
    vsphere: IndexNic | None


def _ranked(nics: Iterable[IndexNic]) -> list[IndexNic]:
    return sorted((n for n in nics if n.mac), key=lambda n: (n.quiet_reason is not None, n.vm, n.nic))


def choose(index: PlanIndex | None, nad: str, vlan: int, taken: set[str]) -> LabVms:
    """The NICs for NAD *nad* (``namespace/name``) on VLAN *vlan*; MACs in *taken* are skipped and the
    chosen ones added (a MAC appears once in the lab)."""
    if index is None:
        return LabVms(None, None)
    ocp = next((n for n in _ranked(x for x in index.nics if x.nad == nad) if n.mac not in taken), None)
    if ocp is not None:
        taken.add(ocp.mac or "")
    vsp = next((n for n in _ranked(x for x in index.nics if vlan in x.expected and x.quiet_reason is None
                                     and not x.expected.every)
                if n.mac not in taken), None)
    if vsp is not None:
        taken.add(vsp.mac or "")
    return LabVms(ocp, vsp)


@dataclass(frozen=True)
class Evidence:
    """What the trunk counter learned about one NAD's two VMs: pass/fail and the line for the report."""

    ok: bool
    detail: str
    verdict: NicVerdict | None


def evidence(vms: LabVms, vlan: int, vsphere_mac: str, openshift_mac: str,
             pairs: Sequence[tuple[str, LearnedPair]]) -> Evidence:
    """Judge the OpenShift VM's plan NIC (:func:`trunkline.vmverdict.judge`) and look for the vSphere
    VM's MAC received and the OpenShift VM's MAC sent on *vlan*.

    Fails with the verdict ``wrong-vlan`` (or ``on-several-vlans``) when the plan's NAD puts the VM on
    another VLAN than its port group, and when either MAC is missing from its direction.
    """
    def on(mac: str, direction: str) -> int:
        return sum(p.packets for _, p in pairs
                   if p.mac == mac and p.direction == direction and p.vlan == vlan)

    rx, tx = on(vsphere_mac, "rx"), on(openshift_mac, "tx")
    parts = [f"vSphere VM {_who(vms.vsphere, vsphere_mac)} received on VLAN {vlan}: {rx} frames",
             f"OpenShift VM {_who(vms.openshift, openshift_mac)} sent on VLAN {vlan}: {tx} frames"]
    verdict = None
    ok = rx > 0 and tx > 0
    for nic in (vms.openshift, vms.vsphere):
        if nic is None:
            continue
        one = judge([nic], pairs).nics[0]
        parts.append(f"{nic.vm} {nic.nic}: {one.state} ({one.message()})")
        if one.severity == "error" or one.state == "on-several-vlans":
            ok = False
        if nic is vms.openshift:
            verdict = one
    return Evidence(ok, "; ".join(parts), verdict)


def _who(nic: IndexNic | None, mac: str) -> str:
    return f"{nic.vm} ({mac})" if nic is not None else f"({mac}, not a plan VM)"
