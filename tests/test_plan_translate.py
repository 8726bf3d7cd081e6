"""The translation core: every VLAN form on both backends, security, teaming, MTUs, findings."""

from __future__ import annotations

import json

import pytest

from tests.support.plan import bridge_iface, codes, dvs_inventory, dvs_vcenter, nad_configs, plan_for
from trunkline.errors import BadInputError
from trunkline.openshift.forklift import network_maps
from trunkline.openshift.kubevirt import vm_patch
from trunkline.openshift.nad import nad_manifests
from trunkline.openshift.nicmap import nic_map_from_data
from trunkline.openshift.nmstate import nncp_manifests
from trunkline.vsphere.model import Inventory

OVN = {"backend": "ovn-localnet"}


def uplink_port(plan, bridge="vlan-trunk"):
    (nncp,) = nncp_manifests(plan)
    return bridge_iface(nncp, bridge)["bridge"]["port"][0]


# ---- VLAN forms, linux-bridge ----------------------------------------------------------------------


def test_access_vlan_becomes_nad_vlan_and_an_explicit_uplink_trunk_tag():
    plan = plan_for(dvs_inventory([{"name": "web", "vlan": 40}, {"name": "db", "vlan": 1}]))
    configs = nad_configs(plan)
    assert configs["web"]["vlan"] == 40
    assert configs["db"]["vlan"] == 1
    assert "vlanTrunk" not in configs["web"]
    assert uplink_port(plan) == {
        "name": "ens34",
        "vlan": {"mode": "trunk", "trunk-tags": [{"id": 1}, {"id": 40}]},
    }


def test_vlan_0_is_an_untagged_nad_and_native_vlan_1_on_the_uplink():
    plan = plan_for(dvs_inventory([{"name": "flat", "vlan": 0}, {"name": "v10", "vlan": 10}]))
    configs = nad_configs(plan)
    assert "vlan" not in configs["flat"] and "vlanTrunk" not in configs["flat"]
    assert configs["flat"]["preserveDefaultVlan"] is False
    assert uplink_port(plan)["vlan"] == {
        "mode": "trunk",
        "trunk-tags": [{"id": 10}],
        "enable-native": True,
        "tag": 1,
    }


def test_only_untagged_port_groups_make_the_uplink_an_access_port_in_vlan_1():
    plan = plan_for(dvs_inventory([{"name": "flat", "vlan": 0}]))
    assert uplink_port(plan)["vlan"] == {"mode": "access", "tag": 1}


def test_vlan_4095_becomes_trunk_1_to_4094():
    plan = plan_for(dvs_inventory([{"name": "vgt", "vlan": 4095}]))
    assert nad_configs(plan)["vgt"]["vlanTrunk"] == [{"minID": 1, "maxID": 4094}]
    assert uplink_port(plan)["vlan"]["trunk-tags"] == [{"id-range": {"min": 1, "max": 4094}}]


def test_trunk_ranges_become_vlan_trunk_and_merged_uplink_ranges():
    plan = plan_for(dvs_inventory([{"name": "t", "vlan": "100-199,300,200-205"}, {"name": "a", "vlan": 250}]))
    assert nad_configs(plan)["t"]["vlanTrunk"] == [{"minID": 100, "maxID": 205}, {"id": 300}]
    assert uplink_port(plan)["vlan"]["trunk-tags"] == [
        {"id-range": {"min": 100, "max": 205}},
        {"id": 250},
        {"id": 300},
    ]


def test_trunk_starting_at_vlan_0_is_cut_to_1_and_noted():
    plan = plan_for(dvs_inventory([{"name": "t", "vlan": "0-10"}]))
    assert nad_configs(plan)["t"]["vlanTrunk"] == [{"minID": 1, "maxID": 10}]
    assert "trunk-vlan-0" in codes(plan)


@pytest.mark.parametrize("backend", ["linux-bridge", "ovn-localnet"])
def test_private_vlan_gets_no_nad_and_is_reported_unmapped(backend):
    pvlan = {"type": "pvlan", "secondary": 101, "primary": 100, "pvlan_type": "isolated"}
    plan = plan_for(
        dvs_inventory([{"name": "iso", "vlan": pvlan}, {"name": "ok", "vlan": 5}]), backend=backend
    )
    assert sorted(nad_configs(plan)) == ["ok"]
    (finding,) = [f for f in plan.findings if f.code == "private-vlan"]
    assert finding.unmapped and finding.severity == "error"
    assert "'iso'" in finding.subject and "pvlan isolated 101 primary 100" in finding.message


def test_native_vlan_1_and_tagged_vlan_1_on_one_bridge_is_reported():
    plan = plan_for(
        dvs_inventory([{"name": "flat", "vlan": 0}, {"name": "one", "vlan": 1}, {"name": "b", "vlan": 7}])
    )
    assert "native-vlan" in codes(plan)
    assert uplink_port(plan)["vlan"]["trunk-tags"] == [{"id": 7}]


def test_dvs_uplink_port_group_gets_no_nad_and_no_finding():
    plan = plan_for(
        dvs_inventory([{"name": "up", "vlan": "0-4094", "uplink_portgroup": True}, {"name": "a", "vlan": 3}])
    )
    assert sorted(nad_configs(plan)) == ["a"]
    (up,) = [n for n in plan.networks if n.name == "up"]
    assert up.target == "skipped"
    assert plan.findings == ()


# ---- VLAN forms, OVN localnet -------------------------------------------------------------------------


def test_ovn_localnet_access_vlan_nad_has_the_ovn_keys_and_no_resource_annotation():
    plan = plan_for(dvs_inventory([{"name": "web", "vlan": 40}, {"name": "flat", "vlan": 0}]), **OVN)
    (flat, web) = nad_manifests(plan)
    assert "annotations" not in web["metadata"]
    assert json.loads(web["spec"]["config"]) == {
        "cniVersion": "0.3.1",
        "name": "web",
        "type": "ovn-k8s-cni-overlay",
        "topology": "localnet",
        "netAttachDefName": "default/web",
        "vlanID": 40,
        "mtu": 1500,
        "physicalNetworkName": "vlan-trunk",
    }
    assert "vlanID" not in json.loads(flat["spec"]["config"])


@pytest.mark.parametrize("vlan", [4095, "10-20"])
def test_ovn_localnet_reports_trunks_and_vlan_4095_as_unmapped(vlan):
    plan = plan_for(dvs_inventory([{"name": "t", "vlan": vlan}, {"name": "a", "vlan": 3}]), **OVN)
    assert sorted(nad_configs(plan)) == ["a"]
    (finding,) = [f for f in plan.findings if f.code == "ovn-trunk"]
    assert finding.unmapped and "linux-bridge" in finding.message


def test_ovn_localnet_nncp_is_an_ovs_bridge_with_the_nic_and_a_bridge_mapping():
    plan = plan_for(dvs_inventory([{"name": "a", "vlan": 3}], mtu=9000), **OVN)
    (nncp,) = nncp_manifests(plan)
    state = nncp["spec"]["desiredState"]
    assert state["ovn"] == {
        "bridge-mappings": [{"localnet": "vlan-trunk", "bridge": "vlan-trunk", "state": "present"}]
    }
    br = bridge_iface(nncp)
    assert br["type"] == "ovs-bridge"
    assert br["bridge"]["port"] == [{"name": "ens34"}]
    assert br["bridge"]["options"] == {"stp": False}
    assert bridge_iface(nncp, "ens34") == {"name": "ens34", "type": "ethernet", "state": "up", "mtu": 9000}


# ---- security ------------------------------------------------------------------------------------------


def test_forged_transmits_accepted_turns_macspoofchk_off():
    plan = plan_for(
        dvs_inventory(
            [
                {"name": "open", "vlan": 2, "security": {"forged_transmits": True}},
                {"name": "strict", "vlan": 3, "security": {"forged_transmits": False}},
                {"name": "unknown", "vlan": 4},
            ]
        )
    )
    configs = nad_configs(plan)
    assert (
        configs["open"]["macspoofchk"],
        configs["strict"]["macspoofchk"],
        configs["unknown"]["macspoofchk"],
    ) == (
        False,
        True,
        True,
    )


def test_port_group_inherits_forged_transmits_from_its_switch():
    inv = dvs_inventory([{"name": "a", "vlan": 2}], switch={"security": {"forged_transmits": True}})
    assert nad_configs(plan_for(inv))["a"]["macspoofchk"] is False


def test_mac_changes_accepted_does_not_touch_macspoofchk():
    inv = dvs_inventory(
        [{"name": "a", "vlan": 2, "security": {"mac_changes": True, "forged_transmits": False}}]
    )
    assert nad_configs(plan_for(inv))["a"]["macspoofchk"] is True


def test_promiscuous_accepted_is_a_finding_on_both_backends():
    for backend in ("linux-bridge", "ovn-localnet"):
        plan = plan_for(
            dvs_inventory([{"name": "ids", "vlan": 9, "security": {"promiscuous": True}}]), backend=backend
        )
        (finding,) = [f for f in plan.findings if f.code == "promiscuous"]
        assert "'ids'" in finding.subject and not finding.unmapped


# ---- teaming --------------------------------------------------------------------------------------------


def _bond(plan):
    (nncp,) = nncp_manifests(plan)
    return next(i for i in nncp["spec"]["desiredState"]["interfaces"] if i["type"] == "bond")


TWO = {"nics": ("vmnic1", "vmnic2"), "nic_map": {"vmnic1": "ens34", "vmnic2": "ens35"}}


def test_lacp_group_becomes_an_802_3ad_bond_bridged_as_one_port():
    inv = dvs_inventory(
        [{"name": "a", "vlan": 2}],
        switch={
            "lacp_groups": [{"name": "lag1"}],
            "teaming": {"policy": "loadbalance_ip", "active": ["lag1"]},
        },
        **TWO,
    )
    plan = plan_for(inv)
    bond = _bond(plan)
    assert bond["name"] == "vlan-trunk-bond"
    assert bond["link-aggregation"] == {
        "mode": "802.3ad",
        "port": ["ens34", "ens35"],
        "options": {"miimon": "100"},
    }
    assert uplink_port(plan)["name"] == "vlan-trunk-bond"
    assert nncp_manifests(plan)[0]["metadata"]["name"] == "vlan-trunk-vlan-trunk-bond-policy"


def test_ip_hash_becomes_balance_xor():
    inv = dvs_inventory([{"name": "a", "vlan": 2}], switch={"teaming": {"policy": "loadbalance_ip"}}, **TWO)
    assert _bond(plan_for(inv))["link-aggregation"]["mode"] == "balance-xor"


def test_explicit_failover_order_becomes_active_backup_with_the_first_active_as_primary():
    inv = dvs_inventory(
        [{"name": "a", "vlan": 2}],
        switch={"teaming": {"policy": "failover_explicit", "active": ["uplink2"], "standby": ["uplink1"]}},
        **TWO,
    )
    agg = _bond(plan_for(inv))["link-aggregation"]
    assert agg["mode"] == "active-backup"
    assert agg["options"] == {"miimon": "100", "primary": "ens35"}


def test_originating_port_teaming_becomes_active_backup_with_a_note():
    inv = dvs_inventory(
        [{"name": "a", "vlan": 2}], switch={"teaming": {"policy": "loadbalance_srcid"}}, **TWO
    )
    plan = plan_for(inv)
    assert _bond(plan)["link-aggregation"]["mode"] == "active-backup"
    assert "teaming" in codes(plan)


def test_standby_free_active_list_limits_the_bridge_to_those_uplinks():
    inv = dvs_inventory(
        [{"name": "a", "vlan": 2}],
        switch={"teaming": {"policy": "failover_explicit", "active": ["uplink1"]}},
        **TWO,
    )
    plan = plan_for(inv)
    assert uplink_port(plan)["name"] == "ens34"


# ---- MTU ---------------------------------------------------------------------------------------------------


def test_switch_mtu_9000_reaches_the_nncp_and_every_nad():
    plan = plan_for(dvs_inventory([{"name": "a", "vlan": 2}], mtu=9000))
    (nncp,) = nncp_manifests(plan)
    assert bridge_iface(nncp)["mtu"] == 9000
    assert bridge_iface(nncp, "ens34")["mtu"] == 9000
    assert nad_configs(plan)["a"]["mtu"] == 9000


def test_unknown_switch_mtu_uses_vsphere_default_1500():
    assert nad_configs(plan_for(dvs_inventory([{"name": "a", "vlan": 2}], mtu=None)))["a"]["mtu"] == 1500


def test_standard_switches_of_one_name_with_different_mtus_are_a_conflict():
    inv = Inventory.model_validate(
        {
            "nic_map": {"vmnic1": "ens34"},
            "vcenters": [
                {
                    "name": "vc",
                    "datacenters": [
                        {
                            "id": "dc",
                            "name": "DC",
                            "hosts": [{"id": f"h{i}", "name": f"esx{i}"} for i in (1, 2)],
                            "switches": [
                                {
                                    "id": f"h{i}/vSwitch1",
                                    "name": "vSwitch1",
                                    "kind": "standard",
                                    "host": f"h{i}",
                                    "uplinks": ["vmnic1"],
                                    "mtu": mtu,
                                }
                                for i, mtu in ((1, 1500), (2, 9000))
                            ],
                            "port_groups": [
                                {
                                    "id": f"h{i}/vSwitch1/VM",
                                    "name": "VM",
                                    "switch": f"h{i}/vSwitch1",
                                    "network": "network-7",
                                    "vlan": 12,
                                }
                                for i in (1, 2)
                            ],
                        }
                    ],
                }
            ],
        }
    )
    plan = plan_for(inv)
    assert "mtu-conflict" in codes(plan)
    assert nad_configs(plan) == {
        "vm": {
            "name": "vm",
            "type": "cnv-bridge",
            "cniVersion": "0.3.1",
            "bridge": "vlan-trunk",
            "vlan": 12,
            "macspoofchk": True,
            "ipam": {},
            "preserveDefaultVlan": False,
            "mtu": 9000,
        }
    }
    (nmap,) = network_maps(plan)
    assert nmap["spec"]["map"][0]["source"] == {"id": "network-7"}


# ---- several vCenters, names -----------------------------------------------------------------------------


def test_several_vcenters_get_one_networkmap_each_and_colliding_names_are_qualified():
    a = dvs_vcenter([{"name": "Prod VLAN 10", "vlan": 10}], vcenter="vc-a.example")
    b = dvs_vcenter([{"name": "prod_vlan_10", "vlan": 10}], vcenter="vc-b.example")
    inv = Inventory.model_validate({"nic_map": {"vmnic1": "ens34"}, "vcenters": [a, b]})
    plan = plan_for(inv, mtv_providers={"vc-a.example": "vsphere-a", "vc-b.example": "vsphere-b"})
    names = sorted(nad_configs(plan))
    assert len(names) == 2 and all(n.startswith("prod-vlan-10-") for n in names)
    assert "name-collision" in codes(plan)
    maps = network_maps(plan)
    assert [(m["metadata"]["name"], m["spec"]["provider"]["source"]["name"]) for m in maps] == [
        ("vc-a-example", "vsphere-a"),
        ("vc-b-example", "vsphere-b"),
    ]
    assert {m["spec"]["map"][0]["destination"]["name"] for m in maps} == set(names)
    # both switches' uplinks are ens34: one bridge carries both
    assert [b.name for b in plan.bridges] == ["vlan-trunk"]


def test_one_bare_mtv_provider_with_several_vcenters_is_bad_input():
    a = dvs_vcenter([{"name": "x", "vlan": 10}], vcenter="a")
    b = dvs_vcenter([{"name": "y", "vlan": 11}], vcenter="b")
    inv = Inventory.model_validate({"vcenters": [a, b]})
    with pytest.raises(BadInputError, match="VCENTER=NAME"):
        plan_for(inv, mtv_providers={"": "vsphere"})


def test_same_port_group_name_with_different_vlans_on_hosts_is_reported():
    inv = Inventory.model_validate(
        {
            "vcenters": [
                {
                    "name": "vc",
                    "datacenters": [
                        {
                            "id": "dc",
                            "name": "DC",
                            "hosts": [{"id": f"h{i}", "name": f"esx{i}"} for i in (1, 2, 3)],
                            "switches": [
                                {
                                    "id": f"h{i}/vSwitch1",
                                    "name": "vSwitch1",
                                    "kind": "standard",
                                    "host": f"h{i}",
                                    "uplinks": ["vmnic1"],
                                }
                                for i in (1, 2, 3)
                            ],
                            "port_groups": [
                                {
                                    "id": f"h{i}/vSwitch1/App",
                                    "name": "App",
                                    "switch": f"h{i}/vSwitch1",
                                    "vlan": v,
                                }
                                for i, v in ((1, 20), (2, 20), (3, 21))
                            ],
                        }
                    ],
                }
            ],
        }
    )
    plan = plan_for(inv, {"vmnic1": "ens34"})
    (finding,) = [f for f in plan.findings if f.code == "vlan-mismatch"]
    assert "(VLAN 20 on esx1, esx2; VLAN 21 on esx3); the plan uses VLAN 20 " in finding.message
    assert nad_configs(plan)["app"]["vlan"] == 20


# ---- uplinks and NIC maps ---------------------------------------------------------------------------------


def test_unmapped_uplink_keeps_its_vsphere_name_as_placeholder_and_is_reported():
    plan = plan_for(dvs_inventory([{"name": "a", "vlan": 2}], nic_map={}))
    assert uplink_port(plan)["name"] == "vmnic1"
    (finding,) = [f for f in plan.findings if f.code == "unmapped-uplink"]
    assert finding.unmapped and "--nic-map vmnic1=NIC" in finding.message


def test_cli_nic_map_overrides_the_inventory_suggestion():
    plan = plan_for(dvs_inventory([{"name": "a", "vlan": 2}]), {"vmnic1": "eno2"})
    assert uplink_port(plan)["name"] == "eno2"


def test_uplink_name_is_mapped_before_the_vmnic_name():
    plan = plan_for(dvs_inventory([{"name": "a", "vlan": 2}]), {"uplink1": "ens1f0"})
    assert uplink_port(plan)["name"] == "ens1f0"


def test_nic_map_file_groups_give_one_nncp_per_group_with_its_selector():
    groups = nic_map_from_data(
        {
            "groups": [
                {
                    "name": "rack-a",
                    "nodeSelector": {"zone": "a"},
                    "hosts": ["esx1*"],
                    "nics": {"vmnic1": "ens34"},
                },
                {
                    "name": "rack-b",
                    "nodeSelector": {"zone": "b"},
                    "hosts": ["esx2*"],
                    "nics": {"vmnic1": "eno1"},
                },
            ]
        },
        "map.yaml",
    )
    plan = plan_for(dvs_inventory([{"name": "a", "vlan": 2}], nic_map={}), file_groups=groups)
    nncps = nncp_manifests(plan)
    assert [(n["metadata"]["name"], n["spec"]["nodeSelector"]) for n in nncps] == [
        ("rack-a-vlan-trunk-ens34-policy", {"zone": "a", "trunkline.io/node-group": "rack-a"}),
        ("rack-b-vlan-trunk-eno1-policy", {"zone": "b", "trunkline.io/node-group": "rack-b"}),
    ]
    assert all(n["spec"]["maxUnavailable"] == 1 for n in nncps)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"groups": [{"name": "Bad Name"}]}, "groups.0.name"),
        ({"groups": [{"name": "a", "nics": {"vmnic1": "this-name-is-too-long"}}]}, "interface name"),
        ({"groups": [{"name": "a"}, {"name": "a"}]}, "repeats"),
        ({"groups": [{"name": "a", "colour": "red"}]}, "colour"),
    ],
)
def test_bad_nic_map_file_is_bad_input_naming_the_place(data, message):
    with pytest.raises(BadInputError, match=message):
        nic_map_from_data(data, "map.yaml")


# ---- VMs --------------------------------------------------------------------------------------------------


def _vm(name, *nics):
    return {"id": f"vm-{name}", "name": name, "nics": list(nics)}


def test_vm_patch_keeps_the_mac_normalised_maps_models_and_uses_bridge_binding():
    vms = [
        _vm(
            "Web 01",
            {
                "label": "Network adapter 1",
                "mac": "00-50-56-AB-CD-EF",
                "adapter": "vmxnet3",
                "network": "dvportgroup-100",
            },
            {
                "label": "Network adapter 2",
                "mac": "00:50:56:ab:cd:f0",
                "adapter": "e1000e",
                "network": "dvportgroup-100",
            },
        )
    ]
    plan = plan_for(dvs_inventory([{"name": "web", "vlan": 40}], vms=vms))
    (vm,) = plan.vms
    assert vm.name == "web-01"
    assert vm_patch(vm) == {
        "spec": {
            "template": {
                "spec": {
                    "domain": {
                        "devices": {
                            "interfaces": [
                                {
                                    "name": "net-0",
                                    "model": "virtio",
                                    "macAddress": "00:50:56:ab:cd:ef",
                                    "bridge": {},
                                },
                                {
                                    "name": "net-1",
                                    "model": "e1000e",
                                    "macAddress": "00:50:56:ab:cd:f0",
                                    "bridge": {},
                                },
                            ]
                        }
                    },
                    "networks": [
                        {"name": "net-0", "multus": {"networkName": "default/web"}},
                        {"name": "net-1", "multus": {"networkName": "default/web"}},
                    ],
                }
            }
        }
    }


def test_vm_nic_on_an_unmapped_network_is_left_out_and_reported():
    pvlan = {"type": "pvlan", "secondary": 5}
    vms = [
        _vm("a", {"label": "n1", "network": "dvportgroup-100"}, {"label": "n2", "network": "dvportgroup-101"})
    ]
    plan = plan_for(dvs_inventory([{"name": "iso", "vlan": pvlan}, {"name": "ok", "vlan": 6}], vms=vms))
    patch = vm_patch(plan.vms[0])
    assert patch["spec"]["template"]["spec"]["networks"] == [
        {"name": "net-1", "multus": {"networkName": "default/ok"}}
    ]
    (finding,) = [f for f in plan.findings if f.code == "vm-nic-unmapped"]
    assert finding.unmapped and "'iso'" in finding.subject and "a" in finding.message


def test_duplicate_macs_are_reported():
    vms = [
        _vm("a", {"label": "n", "mac": "00:50:56:00:00:01", "network": "dvportgroup-100"}),
        _vm("b", {"label": "n", "mac": "00:50:56:00:00:01", "network": "dvportgroup-100"}),
    ]
    plan = plan_for(dvs_inventory([{"name": "ok", "vlan": 6}], vms=vms))
    (finding,) = [f for f in plan.findings if f.code == "duplicate-mac"]
    assert finding.subject == "MAC 00:50:56:00:00:01" and "(a, b)" in finding.message


def test_vm_on_an_nsx_opaque_network_is_reported():
    inv = dvs_inventory([{"name": "ok", "vlan": 6}], vms=[_vm("a", {"label": "n", "network": "network-o1"})])
    data = inv.model_dump()
    data["vcenters"][0]["datacenters"][0]["opaque_networks"] = [{"id": "network-o1", "name": "seg-web"}]
    plan = plan_for(Inventory.model_validate(data))
    assert [f.code for f in plan.findings if f.unmapped] == ["nsx", "vm-nic-unmapped"]


def test_nsx_backed_port_group_is_unmapped():
    plan = plan_for(dvs_inventory([{"name": "seg", "vlan": 0, "nsx": True}, {"name": "ok", "vlan": 6}]))
    assert sorted(nad_configs(plan)) == ["ok"]
    assert [f.code for f in plan.unmapped] == ["nsx"]


def test_mtv_map_sends_chosen_port_groups_to_pod_or_ignored():
    vms = [
        _vm("a", {"label": "n1", "network": "dvportgroup-100"}, {"label": "n2", "network": "dvportgroup-101"})
    ]
    inv = dvs_inventory([{"name": "mgmt", "vlan": 5}, {"name": "old", "vlan": 6}], vms=vms)
    plan = plan_for(inv, network_choices={"mgmt": "pod", "dvportgroup-101": "ignored"})
    assert nad_configs(plan) == {}
    (nmap,) = network_maps(plan)
    assert nmap["spec"]["map"] == [
        {"source": {"id": "dvportgroup-100"}, "destination": {"type": "pod"}},
        {"source": {"id": "dvportgroup-101"}, "destination": {"type": "ignored"}},
    ]
    patch = vm_patch(plan.vms[0])["spec"]["template"]["spec"]
    assert patch["networks"] == [{"name": "net-0", "pod": {}}]
    assert patch["domain"]["devices"]["interfaces"] == [
        {"name": "net-0", "model": "virtio", "masquerade": {}}
    ]


def test_options_no_cluster_would_accept_are_bad_input():
    inv = dvs_inventory([{"name": "a", "vlan": 2}])
    for opts, text in (
        ({"bridge": "a-very-long-bridge-name"}, "--bridge"),
        ({"namespace": "Not_OK"}, "--namespace"),
        ({"namespace": "trailing-newline\n"}, "--namespace"),
        ({"cni_type": "macvlan"}, "--cni-type"),
    ):
        with pytest.raises(BadInputError, match=text):
            plan_for(inv, **opts)


def test_templates_get_no_patch_and_a_note():
    vms = [
        _vm("a", {"label": "n", "network": "dvportgroup-100"}),
        {
            **_vm(
                "gold",
            ),
            "template": True,
        },
    ]
    plan = plan_for(dvs_inventory([{"name": "ok", "vlan": 6}], vms=vms))
    assert [vm.name for vm in plan.vms] == ["a"]
    (note,) = [f for f in plan.findings if f.code == "templates"]
    assert note.severity == "info" and "gold" in note.message


def test_a_node_group_matching_no_host_is_reported():
    groups = nic_map_from_data(
        {"groups": [{"name": "g", "hosts": ["nothing-*"], "nics": {"vmnic1": "ens34"}}]}, "f"
    )
    plan = plan_for(dvs_inventory([{"name": "a", "vlan": 2}]), file_groups=groups)
    assert nncp_manifests(plan) == []
    assert {"group-matches-no-host", "no-nodes"} <= set(codes(plan))


def test_a_switch_without_any_known_uplink_is_reported_unmapped():
    inv = dvs_inventory([{"name": "a", "vlan": 2}], nics=(), switch={"uplinks": []})
    plan = plan_for(inv)
    assert [f.code for f in plan.unmapped] == ["no-uplink"]
    assert nncp_manifests(plan) == []  # never a bridge without a port
