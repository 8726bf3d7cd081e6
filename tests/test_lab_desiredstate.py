"""The desiredState subset the lab applies: parsed exactly, everything else refused by name (no root)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from trunkline.errors import BadInputError
from trunkline.lab.desiredstate import parse_desired_state

FIXTURES = Path(__file__).parent / "lab_fixtures"


def _bridge(port: dict, **extra: object) -> list[tuple[str, dict]]:
    iface = {
        "name": "vlan-trunk",
        "type": "linux-bridge",
        "state": "up",
        "ipv4": {"enabled": False},
        "bridge": {"options": {"stp": {"enabled": False}}, "port": [port]},
        **extra,
    }
    return [("p", {"interfaces": [iface]})]


def test_seed_nncp_gives_vlan_trunk_bridge_with_ens34_trunking_40_and_10_to_20() -> None:
    doc = yaml.safe_load((FIXTURES / "seed" / "nncp.yaml").read_text())
    node = parse_desired_state([("vlan-trunk-ens34-policy", doc["spec"]["desiredState"])])
    bridge = node.bridge("vlan-trunk")
    assert bridge is not None and not bridge.stp and bridge.mtu == 1500 and bridge.vlan_filtering
    assert [p.name for p in bridge.ports] == ["ens34"]
    vlan = bridge.ports[0].vlan
    # untagged frames keep the bridge's default PVID 1 (NetworkManager adds it to every port)
    assert vlan is not None and vlan.tagged == ((10, 20), (40, 40)) and vlan.native == 1
    assert (vlan.allows(40), vlan.allows(15), vlan.allows(30), vlan.allows(2)) == (True, True, False, False)
    assert node.nics == ["ens34"]


def test_port_without_vlan_key_gets_kubernetes_nmstate_default_trunk_2_to_4094() -> None:
    port = parse_desired_state(_bridge({"name": "ens34"})).bridge("vlan-trunk").ports[0]  # type: ignore[union-attr]
    assert port.vlan is not None and port.vlan.tagged == ((2, 4094),) and port.vlan.native == 1


def test_empty_vlan_leaves_port_without_vlan_filtering() -> None:
    bridge = parse_desired_state(_bridge({"name": "ens34", "vlan": {}})).bridge("vlan-trunk")
    assert bridge is not None and bridge.ports[0].vlan is None and not bridge.vlan_filtering


def test_access_port_and_native_vlan_become_untagged_pvid() -> None:
    access = parse_desired_state(_bridge({"name": "ens34", "vlan": {"mode": "access", "tag": 40}}))
    assert access.bridges[0].ports[0].vlan.native == 40  # type: ignore[union-attr]
    native = parse_desired_state(
        _bridge(
            {
                "name": "ens34",
                "vlan": {"mode": "trunk", "enable-native": True, "tag": 5, "trunk-tags": [{"id": 40}]},
            }
        )
    )
    assert native.bridges[0].ports[0].vlan.native == 5  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("states", "named"),
    [
        ([("p", {"interfaces": [{"name": "bond0", "type": "bond", "state": "up"}]})], "type 'bond'"),
        ([("p", {"interfaces": [], "routes": {}})], "key 'routes'"),
        (_bridge({"name": "ens34"}, ipv4={"enabled": True, "dhcp": True}), "ipv4"),
        (_bridge({"name": "ens34"}, state="absent"), "state 'absent'"),
        (
            _bridge(
                {
                    "name": "ens34",
                    "vlan": {"mode": "trunk", "trunk-tags": [{"id-range": {"min": 0, "max": 5}}]},
                }
            ),
            "0-5",
        ),
    ],
)
def test_outside_the_subset_is_refused_naming_the_key(states: list, named: str) -> None:
    with pytest.raises(BadInputError) as err:
        parse_desired_state(states)
    assert named in err.value.message and "NNCP p" in err.value.message
