"""The messy-estate facts through the vCenter reader, on the simulator where it can serve them: two
clusters whose hosts repeat the same vmnic names (separate node groups, one NNCP each), disconnected VM
NICs (one definition, as with RVTools), and VMware Tools' guest addresses with prefix lengths
(``guest.net[].ipConfig.ipAddress[]``, built as pyVmomi data objects: this simulator version reports no
guest IP configuration). Opaque (NSX-T) networks cannot be created in this simulator; the RVTools corpus
covers NSX."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pyVim.connect import Disconnect
from pyVim.task import WaitForTask
from pyVmomi import vim

from tests.vcsim_fixture import Vcsim, run_vcsim
from trunkline.openshift.nmstate import nncp_manifests
from trunkline.openshift.plan import PlanOptions, build_plan
from trunkline.vsphere.model import Inventory, nic_disconnected
from trunkline.vsphere.vcenter import guest_addresses, read_inventory


@pytest.fixture(scope="module")
def estate() -> Iterator[tuple[Inventory, str]]:
    """Two clusters of two hosts (vmnic0 and vmnic1 on every host), one VM per cluster; the first VM's
    NIC set not to connect at power on. Yields the inventory read and that VM's name."""
    with run_vcsim("-clusters", "2", "-cluster-hosts", "2", "-standalone-hosts", "0", "-vms", "1") as sim:
        name = _disconnect_first_vm(sim)
        yield read_inventory([sim.url], user=sim.user, password=sim.password, protocol="http"), name


def _disconnect_first_vm(sim: Vcsim) -> str:
    si = sim.connect()
    try:
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
        vm = sorted(view.view, key=lambda v: v.name)[0]
        view.DestroyView()
        nic = next(d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard))
        nic.connectable = vim.vm.device.VirtualDevice.ConnectInfo(
            startConnected=False, connected=False, allowGuestControl=True
        )
        change = vim.vm.device.VirtualDeviceSpec(operation="edit", device=nic)
        WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[change])))
        return str(vm.name)
    finally:
        Disconnect(si)


def test_repeated_vmnic_names_in_two_clusters_become_two_node_groups(estate: tuple[Inventory, str]) -> None:
    inventory, _ = estate
    (dc,) = inventory.vcenters[0].datacenters
    assert sorted({h.cluster for h in dc.hosts}) == [c.id for c in dc.clusters]
    assert len(dc.clusters) == 2
    assert {n.name for h in dc.hosts for n in h.nics} == {"vmnic0", "vmnic1"}
    plan = build_plan(inventory, PlanOptions())
    assert [(g.name, len(g.hosts)) for g in plan.node_groups] == [("dc0-c0", 2), ("dc0-c1", 2)]
    groups = sorted({n["spec"]["nodeSelector"]["trunkline.io/node-group"] for n in nncp_manifests(plan)})
    assert groups == ["dc0-c0", "dc0-c1"]
    for nncp in nncp_manifests(plan):
        bonds = [i for i in nncp["spec"]["desiredState"]["interfaces"] if i["type"] == "bond"]
        assert bonds == []  # one vmnic per switch on every host: never a team that no host has


def test_a_nic_that_does_not_connect_at_power_on_is_disconnected_and_reported(
    estate: tuple[Inventory, str],
) -> None:
    inventory, name = estate
    (dc,) = inventory.vcenters[0].datacenters
    vm = next(v for v in dc.vms if v.name == name)
    assert [(n.connected, n.start_connected, nic_disconnected(vm, n)) for n in vm.nics] == [
        (False, False, True)
    ]
    other = next(v for v in dc.vms if v.name != name)
    # this simulator reports the powered-on VMs' NICs as not connected (while connecting at power on):
    # by the one definition they are disconnected too
    assert (other.power_state, [(n.connected, n.start_connected) for n in other.nics]) == (
        "poweredOn",
        [(False, True)],
    )
    plan = build_plan(inventory, PlanOptions())
    found = [f for f in plan.findings if f.code == "nic-disconnected"]
    assert [(f.severity, f.subject, f.message.split(";")[0]) for f in found] == [
        ("warning", f"VM {name!r} ethernet-0", "disconnected on vSphere (it does not connect at power on)"),
        ("warning", f"VM {other.name!r} ethernet-0",
         "disconnected on vSphere (it is not connected while the VM is powered on)"),
    ]  # fmt: skip
    down = build_plan(inventory, PlanOptions(disconnected_down=True))
    (decision,) = [v for v in down.vms if v.source_name == name]
    assert [n.state for n in decision.nics] == ["down"]


def test_guest_addresses_keep_their_prefix_lengths_and_fall_back_to_plain_addresses() -> None:
    ip = vim.net.IpConfigInfo.IpAddress
    net: list[Any] = [
        vim.vm.GuestInfo.NicInfo(
            deviceConfigId=4000,
            ipAddress=["10.1.10.21", "fe80::1"],
            ipConfig=vim.net.IpConfigInfo(
                ipAddress=[
                    ip(ipAddress="10.1.10.21", prefixLength=24),
                    ip(ipAddress="fe80::1", prefixLength=64),
                ]
            ),
        ),
        vim.vm.GuestInfo.NicInfo(deviceConfigId=4001, ipAddress=["192.0.2.7", "not-an-address"]),
        vim.vm.GuestInfo.NicInfo(deviceConfigId=-1, ipAddress=["198.51.100.1"]),  # known to the guest only
    ]
    assert guest_addresses(net) == {4000: ("10.1.10.21/24", "fe80::1/64"), 4001: ("192.0.2.7",)}
