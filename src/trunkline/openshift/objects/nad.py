"""NAD CNI configs: what each plugin config puts on the node's uplink.

**NAD configs** (:func:`read_cni_vlans`): bridge CNI (containernetworking/plugins ``plugins/main/bridge``:
``vlan`` 0-4094, ``vlanTrunk`` entries ``{id}`` and/or ``{minID, maxID}`` (both or neither), each 1-4094,
``minID <= maxID``; ``vlan`` and ``vlanTrunk`` together are refused; ``preserveDefaultVlan`` defaults to
true and keeps the VM's untagged frames in the default VLAN 1 on a trunk); OVN-Kubernetes localnet
(``vlanID`` 1-4094, none = untagged; ``physicalNetworkName`` defaults to the network ``name``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trunkline.openshift.objects.common import Problem, _mapping, is_int
from trunkline.vlanranges import Ranges, merge_ranges

#: CNI ``type`` values of the bridge plugin (OpenShift ships it as ``cnv-bridge``; upstream ``bridge``).
BRIDGE_CNI_TYPES = frozenset({"bridge", "cnv-bridge"})
#: CNI ``type`` of OVN-Kubernetes secondary networks (``topology: localnet`` for a physical network).
OVN_CNI_TYPE = "ovn-k8s-cni-overlay"


@dataclass(frozen=True)
class CniVlans:
    """What one CNI plugin config puts on the node's uplink.

    Attributes:
        backend: ``bridge`` (bridge CNI), ``ovn-localnet``, or the CNI ``type`` for anything else.
        plugin: the CNI ``type`` as written.
        bridge: the Linux bridge (bridge CNI) or the localnet's physical network name (OVN), if given.
        tagged: tagged VLAN IDs.
        untagged: the VM's untagged frames leave the node untagged (no ``vlan`` or ``vlan: 0``; a
            ``vlanTrunk`` with ``preserveDefaultVlan`` true, its upstream default; a localnet without
            ``vlanID``). Always false for other plugins.
        field: the field holding the VLAN setting (``spec.config.vlan``, ``...vlanTrunk``, ``...vlanID``).
    """

    backend: str
    plugin: str
    bridge: str | None
    tagged: Ranges
    untagged: bool
    field: str

    @property
    def carries_vlans(self) -> bool:
        """Whether the plugin puts VM frames on the trunk (bridge CNI or OVN localnet)."""
        return self.backend in ("bridge", "ovn-localnet")


def read_cni_vlans(config: Mapping[str, Any], path: str) -> tuple[CniVlans, list[Problem]]:
    """The VLANs of one CNI plugin *config* at *path* (``spec.config`` or ``spec.config.plugins[1]``),
    and the problems of its VLAN settings (types, ranges, exclusive keys; see the module docstring)."""
    problems: list[Problem] = []
    cni_type = config.get("type")
    plugin = cni_type if isinstance(cni_type, str) else ""
    if cni_type in BRIDGE_CNI_TYPES:
        bridge = config.get("bridge") if isinstance(config.get("bridge"), str) else None
        vlan = config.get("vlan", 0)
        if "vlan" in config and not is_int(vlan):
            problems.append(
                Problem(
                    f"{path}.vlan",
                    "cni-type-mismatch",
                    f"vlan is {json.dumps(vlan)}; it must be a JSON integer",
                )
            )
            vlan = 0
        elif not 0 <= vlan <= 4094:
            problems.append(
                Problem(
                    f"{path}.vlan",
                    "vlan-out-of-range",
                    f"vlan {vlan} is outside 0-4094 (4095 is vSphere's 'all VLANs': use vlanTrunk 1-4094)",
                )
            )
            vlan = 0
        trunk, trunk_problems = _vlan_trunk(config.get("vlanTrunk"), f"{path}.vlanTrunk")
        problems += trunk_problems
        preserve = config.get("preserveDefaultVlan", True)
        if not isinstance(preserve, bool):
            problems.append(
                Problem(
                    f"{path}.preserveDefaultVlan",
                    "cni-type-mismatch",
                    f"preserveDefaultVlan is {json.dumps(preserve)}; it must be a JSON boolean",
                )
            )
            preserve = True
        if "vlanTrunk" in config:
            if vlan:
                problems.append(
                    Problem(
                        f"{path}.vlanTrunk",
                        "cni-vlan-and-trunk",
                        "vlan and vlanTrunk cannot be set together (the plugin refuses the config); keep one",
                    )
                )
            return CniVlans("bridge", plugin, bridge, trunk, preserve, f"{path}.vlanTrunk"), problems
        if vlan:
            return CniVlans("bridge", plugin, bridge, ((vlan, vlan),), False, f"{path}.vlan"), problems
        return CniVlans("bridge", plugin, bridge, (), True, f"{path}.vlan"), problems
    if cni_type == OVN_CNI_TYPE and config.get("topology") == "localnet":
        physical = config.get("physicalNetworkName", config.get("name"))
        net = physical if isinstance(physical, str) else None
        vlan = config.get("vlanID")
        fld = f"{path}.vlanID"
        if vlan is None:
            return CniVlans("ovn-localnet", plugin, net, (), True, fld), problems
        if not is_int(vlan):
            problems.append(
                Problem(fld, "cni-type-mismatch", f"vlanID is {json.dumps(vlan)}; it must be a JSON integer")
            )
            return CniVlans("ovn-localnet", plugin, net, (), False, fld), problems
        if not 1 <= vlan <= 4094:
            problems.append(
                Problem(
                    fld,
                    "vlan-out-of-range",
                    f"vlanID {vlan} is outside 1-4094; trunks and vSphere's 4095 need the bridge CNI",
                )
            )
            return CniVlans("ovn-localnet", plugin, net, (), False, fld), problems
        return CniVlans("ovn-localnet", plugin, net, ((vlan, vlan),), False, fld), problems
    backend = "ovn" if cni_type == OVN_CNI_TYPE else (plugin or "unknown")
    return CniVlans(backend, plugin, None, (), False, f"{path}.type"), problems


def _vlan_trunk(trunk: Any, path: str) -> tuple[Ranges, list[Problem]]:
    if trunk is None:
        return (), []
    if not isinstance(trunk, list):
        return (), [
            Problem(path, "cni-type-mismatch", f"vlanTrunk is {json.dumps(trunk)}; it must be a JSON list")
        ]
    problems: list[Problem] = []
    ranges: list[tuple[int, int]] = []
    for i, entry in enumerate(trunk):
        epath = f"{path}[{i}]"
        if not isinstance(entry, dict) or not entry:
            problems.append(
                Problem(
                    epath,
                    "vlan-trunk-invalid",
                    'a vlanTrunk entry must be {"id": N} or {"minID": A, "maxID": B}',
                )
            )
            continue
        for key in sorted(set(entry) - {"id", "minID", "maxID"}):
            problems.append(
                Problem(
                    f"{epath}.{key}",
                    "cni-key-unknown",
                    f"vlanTrunk entries have no key {key!r} (id, minID, maxID)",
                )
            )
        if ("minID" in entry) != ("maxID" in entry):
            gone = "maxID" if "minID" in entry else "minID"
            problems.append(
                Problem(
                    epath,
                    "vlan-trunk-invalid",
                    f"minID and maxID go together ({gone} is missing); the plugin refuses the config",
                )
            )
        elif "minID" in entry:
            lo, hi = entry["minID"], entry["maxID"]
            if not (is_int(lo) and is_int(hi) and 1 <= lo <= 4094 and 1 <= hi <= 4094):
                problems.append(
                    Problem(epath, "vlan-out-of-range", f"trunk range {lo!r}-{hi!r} is not within 1-4094")
                )
            elif lo > hi:
                problems.append(
                    Problem(epath, "vlan-trunk-invalid", f"minID {lo} is greater than maxID {hi}")
                )
            else:
                ranges.append((lo, hi))
        if "id" in entry:
            single = entry["id"]
            if not (is_int(single) and 1 <= single <= 4094):
                problems.append(
                    Problem(f"{epath}.id", "vlan-out-of-range", f"trunk id {single!r} is not within 1-4094")
                )
            else:
                ranges.append((single, single))
    return merge_ranges(ranges), problems


def parse_nad_config(spec: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The CNI config of a NAD ``spec`` (``spec.config``, a JSON string), or ``None`` with the problem."""
    raw = spec.get("config")
    if raw is None:
        return None, [
            Problem("spec.config", "nad-config-missing", "no spec.config: Multus has no CNI config to run")
        ]
    if not isinstance(raw, str):
        return None, [
            Problem(
                "spec.config",
                "nad-config-not-string",
                "spec.config must be a JSON string (quote the JSON object), not a YAML mapping",
            )
        ]
    try:
        config = json.loads(raw)
    except ValueError as exc:
        return None, [Problem("spec.config", "nad-config-json", f"spec.config is not valid JSON: {exc}")]
    if not isinstance(config, dict):
        return None, [Problem("spec.config", "nad-config-json", "spec.config must be a JSON object")]
    return config, []


def plugin_configs(config: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(path, plugin config)`` of a CNI config: each of a conflist's ``plugins``, else the config."""
    if isinstance(config.get("plugins"), list):
        return [(f"spec.config.plugins[{i}]", _mapping(p)) for i, p in enumerate(config["plugins"])]
    return [("spec.config", dict(config))]


def read_nad(body: Mapping[str, Any]) -> tuple[CniVlans | None, list[Problem]]:
    """What the NAD *body* puts on the uplink: its first VLAN-carrying plugin (bridge CNI or OVN localnet),
    else its first plugin; ``None`` when its config cannot be read. Problems of every plugin's VLAN
    settings are returned."""
    config, problems = parse_nad_config(_mapping(_mapping(body).get("spec")))
    if config is None:
        return None, problems
    readings = []
    for path, plugin in plugin_configs(config):
        reading, plugin_problems = read_cni_vlans(plugin, path)
        problems += plugin_problems
        readings.append(reading)
    chosen = next((r for r in readings if r.carries_vlans), readings[0] if readings else None)
    return chosen, problems
