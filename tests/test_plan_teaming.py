"""Teaming details: IP hash's transmit hash, and redundancy lost when uplinks share one node NIC."""

from __future__ import annotations

from tests.support.plan import dvs_inventory, plan_for
from trunkline.openshift.nmstate import nncp_manifests

IP_HASH = {"teaming": {"policy": "loadbalance_ip"}}


def test_ip_hash_bond_hashes_on_addresses_like_vsphere():
    inv = dvs_inventory([{"name": "a", "vlan": 2}], switch=IP_HASH, nics=("vmnic1", "vmnic2"),
                        nic_map={"vmnic1": "ens34", "vmnic2": "ens35"})
    (nncp,) = nncp_manifests(plan_for(inv))
    bond = next(i for i in nncp["spec"]["desiredState"]["interfaces"] if i["type"] == "bond")
    assert bond["link-aggregation"] == {
        "mode": "balance-xor",
        "port": ["ens34", "ens35"],
        "options": {"miimon": "100", "xmit_hash_policy": "layer2+3"},
    }


def test_team_whose_uplinks_map_to_one_node_nic_is_a_redundancy_finding():
    inv = dvs_inventory([{"name": "a", "vlan": 2}], switch=IP_HASH, nics=("vmnic1", "vmnic2"),
                        nic_map={"vmnic1": "ens34", "vmnic2": "ens34"})
    plan = plan_for(inv)
    (nncp,) = nncp_manifests(plan)
    assert [i["type"] for i in nncp["spec"]["desiredState"]["interfaces"]] == ["ethernet", "linux-bridge"]
    (finding,) = [f for f in plan.findings if f.code == "uplink-redundancy-lost"]
    assert (finding.severity, finding.subject) == ("warning", "switch DSwitch, node group workers")
    assert finding.message.startswith(
        "its uplinks vmnic1, vmnic2 (teaming loadbalance_ip) all map to node NIC ens34: the plan builds no"
    )


def test_single_uplink_has_no_redundancy_finding():
    plan = plan_for(dvs_inventory([{"name": "a", "vlan": 2}], nic_map={"vmnic1": "ens34"}))
    assert "uplink-redundancy-lost" not in {f.code for f in plan.findings}
