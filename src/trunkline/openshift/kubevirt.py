"""KubeVirt VirtualMachine patches: each VM's interfaces and networks, as a JSON merge patch.

For ``oc patch vm NAME -n NS --type merge --patch-file FILE`` once MTV has created the VM (a kustomization
cannot patch objects it does not hold). A JSON merge patch (RFC 7386) replaces lists whole, so each patch
carries every NIC of the VM: ``spec.template.spec.domain.devices.interfaces[]`` (``name``, ``model``,
``macAddress`` kept from vSphere, ``bridge: {}`` binding for Multus networks, ``masquerade: {}`` for the
pod network) and ``spec.template.spec.networks[]`` (``multus.networkName: <ns>/<nad>`` or ``pod: {}``).
KubeVirt interface models: e1000, e1000e, igb, ne2k_pci, pcnet, rtl8139, virtio (no vmxnet3).
"""

from __future__ import annotations

from typing import Any

from trunkline.openshift.plan.model import VmDecision


def vm_patch(vm: VmDecision) -> dict[str, Any]:
    """The merge patch for *vm*; NICs left out of the plan (see their ``reason``) are not in it."""
    interfaces: list[dict[str, Any]] = []
    networks: list[dict[str, Any]] = []
    for nic in vm.nics:
        if nic.binding is None:
            continue
        iface: dict[str, Any] = {"name": nic.interface, "model": nic.model}
        if nic.mac:
            iface["macAddress"] = nic.mac
        if nic.state:
            iface["state"] = nic.state  # KubeVirt link state (OpenShift Virtualization >= 4.19)
        if nic.binding == "pod":
            iface["masquerade"] = {}
            networks.append({"name": nic.interface, "pod": {}})
        else:
            iface["bridge"] = {}
            networks.append({"name": nic.interface, "multus": {"networkName": nic.network_name}})
        interfaces.append(iface)
    return {
        "spec": {
            "template": {"spec": {"domain": {"devices": {"interfaces": interfaces}}, "networks": networks}}
        }
    }
