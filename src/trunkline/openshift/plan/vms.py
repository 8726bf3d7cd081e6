"""VM decisions: per VM its OpenShift name and, per NIC, the KubeVirt interface (model, MAC, network,
link state) its patch sets, or why the NIC is left out."""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Literal

from trunkline.facts import normalise_mac
from trunkline.openshift.naming import NameRequest, assign_names
from trunkline.openshift.plan.findings import Findings
from trunkline.openshift.plan.model import NetworkDecision, PlanOptions, VmDecision, VmNicDecision
from trunkline.openshift.plan.source import SourceIndex
from trunkline.vsphere.model import VirtualMachine, VmNic, nic_disconnected

#: The first OpenShift Virtualization release whose VirtualMachine API accepts an interface ``state`` of
#: ``down`` (KubeVirt 1.5, kubevirt/kubevirt pull 13850 "Manage Link State for vNICs"; Technology Preview in
#: the OpenShift Virtualization 4.19 release notes). Older releases accept only ``absent`` and reject
#: ``down`` at admission.
LINK_STATE_MIN_VERSION = "4.19"


_ADAPTER_MODELS = {"e1000": "e1000", "e1000e": "e1000e", "pcnet32": "pcnet", "vlance": "pcnet"}


@functools.lru_cache(maxsize=256)
def kubevirt_model(adapter: str | None) -> str:
    """The KubeVirt interface model for a vSphere adapter type (KubeVirt API reference: e1000, e1000e,
    igb, ne2k_pci, pcnet, rtl8139, virtio). vmxnet3, vmxnet2, SR-IOV and unknown adapters -> virtio."""
    key = (adapter or "").lower().replace("virtual", "").strip()
    return _ADAPTER_MODELS.get(key, "virtio")


def decide_vms(
    index: SourceIndex, options: PlanOptions, decisions: dict[str, NetworkDecision], findings: Findings
) -> tuple[VmDecision, ...]:
    """One :class:`VmDecision` per VM (templates are not migrated: one ``templates`` finding), sorted by
    OpenShift name; *decisions* by network key, with their NAD names."""
    ns = options.namespace
    vms = []
    templates = []
    for vcenter in index.inv.vcenters:
        for datacenter in vcenter.datacenters:
            for one in datacenter.vms:
                if one.template:
                    templates.append(one.name)
                else:
                    key = f"{vcenter.name}/{datacenter.name}/{one.id}"
                    vms.append((key, vcenter.name, datacenter.name, one))
    if templates:
        shown = ", ".join(sorted(templates)[:5]) + (" ..." if len(templates) > 5 else "")
        findings.find(
            "info",
            "templates",
            f"{len(templates)} VM template(s)",
            f"templates are not migrated as VMs: no patches for {shown}",
        )
    names, collisions = assign_names(NameRequest(key=k, text=vm.name) for k, _, _, vm in vms)
    for col in collisions:
        findings.find(
            "warning",
            "vm-name-collision",
            f"VM name {col.base}",
            f"{len(col.names)} VMs share this OpenShift name; patches are named "
            f"{', '.join(n for _, n in col.names)}: rename the VMs in the MTV plan to match",
        )
    unmapped_nics: dict[str, list[str]] = defaultdict(list)
    macs: dict[str, list[str]] = defaultdict(list)
    out = []
    for key, vc, dc, vm in sorted(vms, key=lambda t: (names[t[0]], t[0])):
        nics = []
        left_out: list[str] = []
        pod_used = False
        for idx, nic in enumerate(vm.nics):
            mac = normalise_mac(nic.mac)
            if nic.mac and mac is None:
                findings.find(
                    "warning", "bad-mac", f"VM {vm.name!r} {nic.label}", f"{nic.mac!r}: no MAC; left out"
                )
            if mac:
                macs[mac].append(vm.name)
            binding: Literal["multus", "pod"] | None = None
            network_name = None
            net_key = index.lookup.get((vc, dc, nic.network or ""))
            dec = decisions.get(net_key or "")
            if nic.network is None:
                reason = "not connected to a network"
            elif dec is None:
                opaque = index.opaque.get((vc, dc, nic.network))
                reason = f"NSX network {opaque!r}" if opaque else f"network {nic.network!r} (unknown)"
                unmapped_nics[reason].append(vm.name)
                left_out.append(nic.label)
            elif dec.target == "multus":
                binding, network_name, reason = "multus", f"{ns}/{dec.nad}", f"NAD {ns}/{dec.nad}"
                if len(options.target_namespaces) > 1:  # a CUDN's NAD has its name in every namespace
                    network_name, reason = dec.nad, f"NAD {dec.nad} in the VM's namespace"
            elif dec.target == "pod" and not pod_used:
                binding, reason, pod_used = "pod", "pod network (chosen)", True
            elif dec.target == "ignored":
                reason = "ignored (chosen)"
            else:
                extra = " (second pod NIC)" if dec.target == "pod" else ""
                reason = f"port group {dec.name!r}: {dec.reason}{extra}"
                unmapped_nics[reason].append(vm.name)
                left_out.append(nic.label)
            state: Literal["down"] | None = None
            if nic_disconnected(vm, nic):
                state = _disconnected(options, findings, vm, nic, binding is not None)
            nics.append(
                VmNicDecision(
                    label=nic.label,
                    interface=f"net-{idx}",
                    mac=mac,
                    model=kubevirt_model(nic.adapter),
                    adapter=nic.adapter,
                    binding=binding,
                    network_name=network_name,
                    reason=reason,
                    state=state,
                )
            )
        out.append(
            VmDecision(
                key=key,
                vcenter=vc,
                name=names[key],
                source_name=vm.name,
                nics=tuple(nics),
                unmapped=tuple(left_out),
            )
        )
        if left_out and any(n.binding for n in nics):
            findings.find(
                "warning",
                "vm-patch-withheld",
                f"VM {vm.name!r}",
                f"no patch written: NIC(s) {', '.join(left_out)} have no OpenShift network, and a merge "
                "patch replaces the VM's interface list whole, so it would remove them; map their networks "
                "(or --mtv-map NAME=ignored) and re-run, or edit the VM by hand",
                unmapped=True,
            )
    for reason, vm_names in unmapped_nics.items():
        shown = ", ".join(sorted(set(vm_names))[:5]) + (" ..." if len(set(vm_names)) > 5 else "")
        findings.find(
            "warning",
            "vm-nic-unmapped",
            reason,
            f"{len(vm_names)} VM NIC(s) on it have no OpenShift network; their VMs get no patch: {shown}",
            unmapped=True,
        )
    for mac, owners in macs.items():
        if len(owners) > 1:
            findings.find(
                "warning",
                "duplicate-mac",
                f"MAC {mac}",
                f"used by {len(owners)} VM NICs ({', '.join(sorted(owners)[:5])}): two VMs with one MAC on "
                "one L2 network break each other; KubeVirt keeps the MAC as given",
            )
    return tuple(out)


def _disconnected(
    options: PlanOptions, findings: Findings, vm: VirtualMachine, nic: VmNic, mapped: bool
) -> Literal["down"] | None:
    """The finding for a VM NIC disconnected on vSphere, and the link state its patch sets."""
    why = (
        "does not connect at power on"
        if not nic.start_connected
        else "is not connected while the VM is powered on"
    )
    down = options.disconnected_down and mapped
    effect = (
        "its patch sets the KubeVirt interface state: down"
        if down
        else "its patch leaves the link state alone, so it comes up connected on OpenShift: pass "
        f"--disconnected-down (OpenShift Virtualization {LINK_STATE_MIN_VERSION} or later) or set the "
        "interface's state: down by hand"
    )
    findings.find(
        "info" if down else "warning",
        "nic-disconnected",
        f"VM {vm.name!r} {nic.label}",
        f"disconnected on vSphere (it {why}); {effect}",
    )
    return "down" if down else None
