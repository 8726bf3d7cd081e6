"""KubeVirt VirtualMachine interfaces and networks.

**VM interfaces** (:func:`read_vm`): KubeVirt ``Interface`` (``name``, ``model`` in
:data:`~trunkline.facts.KUBEVIRT_MODELS`, ``macAddress`` in a form Go's ``net.ParseMAC`` reads as 6 bytes,
``state`` ``up``/``down``/``absent`` with ``absent`` for bridge binding only) and ``Network`` (``multus.
networkName: <ns>/<name>`` or ``pod: {}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trunkline.facts import KUBEVIRT_INTERFACE_STATES, KUBEVIRT_MODELS, is_mac
from trunkline.openshift.objects.common import Problem, _list, _mapping


@dataclass(frozen=True)
class VmInterface:
    """One ``spec.template.spec.domain.devices.interfaces[]`` entry.

    ``binding``: ``bridge``, ``masquerade``, ``sriov``, ... (the binding key present), else ``None``;
    ``state``: ``up`` (also when unset), ``down`` or ``absent``.
    """

    name: str | None
    path: str
    model: str | None
    mac: str | None
    binding: str | None
    state: str


@dataclass(frozen=True)
class VmNetwork:
    """One ``spec.template.spec.networks[]`` entry: ``multus`` (``nad``: ``ns/name``) or ``pod``."""

    name: str | None
    path: str
    kind: str | None
    nad: str | None


_BINDINGS = ("bridge", "masquerade", "sriov", "slirp", "macvtap", "passt", "binding")


def read_vm(body: Mapping[str, Any]) -> tuple[list[VmInterface], list[VmNetwork], list[Problem]]:
    """The interfaces and networks of a VirtualMachine (or of ``trunkline plan``'s merge patch), with the
    problems of each field (model, MAC, state, interface without network, networkName type)."""
    base = "spec.template.spec"
    vm_spec = _mapping(_mapping(_mapping(_mapping(body).get("spec")).get("template")).get("spec"))
    devices = _mapping(_mapping(vm_spec.get("domain")).get("devices"))
    problems: list[Problem] = []
    networks: list[VmNetwork] = []
    for j, net in enumerate(_list(vm_spec.get("networks"))):
        npath = f"{base}.networks[{j}]"
        net = _mapping(net)
        name = net.get("name") if isinstance(net.get("name"), str) else None
        if "multus" in net:
            ref = _mapping(net.get("multus")).get("networkName")
            if not isinstance(ref, str):
                problems.append(
                    Problem(
                        f"{npath}.multus.networkName",
                        "kubevirt-network-invalid",
                        "networkName must be a string",
                    )
                )
                ref = None
            networks.append(VmNetwork(name, npath, "multus", ref))
        else:
            networks.append(VmNetwork(name, npath, "pod" if "pod" in net else None, None))
    names = {n.name for n in networks}
    interfaces: list[VmInterface] = []
    for i, iface in enumerate(_list(devices.get("interfaces"))):
        ipath = f"{base}.domain.devices.interfaces[{i}]"
        iface = _mapping(iface)
        name = iface.get("name") if isinstance(iface.get("name"), str) else None
        model = iface.get("model")
        if model is not None and model not in KUBEVIRT_MODELS:
            hint = " (vSphere's vmxnet3 has no KubeVirt equivalent)" if model == "vmxnet3" else ""
            problems.append(
                Problem(
                    f"{ipath}.model",
                    "kubevirt-model-invalid",
                    f"model {model!r} is not a KubeVirt interface model{hint}; use virtio or one of "
                    f"{', '.join(m for m in KUBEVIRT_MODELS if m != 'virtio')}",
                )
            )
        mac = iface.get("macAddress")
        if mac is not None and (not isinstance(mac, str) or not is_mac(mac)):
            problems.append(
                Problem(
                    f"{ipath}.macAddress",
                    "kubevirt-mac-invalid",
                    f"macAddress {mac!r} is no MAC KubeVirt accepts (aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff or "
                    "aabb.ccdd.eeff)",
                )
            )
        binding = next((b for b in _BINDINGS if b in iface), None)
        state = iface.get("state", "up")
        if state not in KUBEVIRT_INTERFACE_STATES:
            problems.append(
                Problem(
                    f"{ipath}.state",
                    "kubevirt-state-invalid",
                    f"state {state!r} is none of KubeVirt's {', '.join(KUBEVIRT_INTERFACE_STATES)}; "
                    "the API server rejects the VM",
                )
            )
            state = "up"
        elif state == "absent" and binding != "bridge":
            problems.append(
                Problem(
                    f"{ipath}.state",
                    "kubevirt-state-absent-binding",
                    "state 'absent' (hot-unplug) is accepted for bridge binding only; use 'down' to keep "
                    "the NIC with its link down",
                )
            )
        if name not in names:
            problems.append(
                Problem(
                    f"{ipath}.name",
                    "kubevirt-network-missing",
                    f"interface {iface.get('name')!r} has no network of the same name in {base}.networks",
                )
            )
        interfaces.append(
            VmInterface(
                name,
                ipath,
                model if isinstance(model, str) else None,
                mac if isinstance(mac, str) else None,
                binding,
                str(state),
            )
        )
    return interfaces, networks, problems
