"""What a hand-written inventory file may not hold: values vSphere or Linux would never accept."""

from __future__ import annotations

import pytest

from tests.support.inventory import SMALL
from trunkline.errors import BadInputError
from trunkline.vsphere.yamlfile import parse_inventory

STANDARD = """\
version: 1
vcenters:
- name: vc
  datacenters:
  - id: dc
    name: DC
    hosts:
    - id: host-1
      name: esx
      nics:
      - name: vmnic0
        mac: MAC
      vmkernel_nics:
      - name: vmk0
        ip: IP
    switches:
    - id: host-1/vSwitch0
      name: vSwitch0
      kind: standard
      host: host-1
    port_groups:
    - id: host-1/vSwitch0/VM Network
      name: VM Network
      switch: host-1/vSwitch0
      vlan: VLAN
"""


def _error(text: str) -> str:
    with pytest.raises(BadInputError) as err:
        parse_inventory(text, "inventory.yaml")
    return str(err.value)


def _standard(mac: str = "00:50:56:00:00:01", ip: str = "192.0.2.10", vlan: str = "0") -> str:
    return STANDARD.replace("MAC", mac).replace("IP", ip).replace("VLAN", vlan)


HOST = "vcenters[0].datacenters[0].hosts[0]"
PG = "vcenters[0].datacenters[0].port_groups[0].vlan"


@pytest.mark.parametrize("mac", ["zz:zz", "hello", "00:50:56:00:00", "00:50:56:00:00:0g"])
def test_invalid_host_nic_mac_is_refused(mac: str) -> None:
    assert _error(_standard(mac=mac)) == (
        f"inventory.yaml:12: {HOST}.nics[0].mac: MAC address {mac!r} is not six hex octets such as "
        "00:50:56:ab:cd:ef; fix it"
    )


def test_invalid_vm_nic_mac_is_refused() -> None:
    text = SMALL.replace(
        "        network: dvportgroup-1\n", "        network: dvportgroup-1\n        mac: hello\n"
    )
    assert _error(text).endswith(
        "vms[0].nics[0].mac: MAC address 'hello' is not six hex octets such as 00:50:56:ab:cd:ef; fix it"
    )


def test_ip_999_is_refused() -> None:
    assert _error(_standard(ip="999.1.1.1")) == (
        f"inventory.yaml:15: {HOST}.vmkernel_nics[0].ip: '999.1.1.1' is not an IPv4 or IPv6 address; fix it"
    )


@pytest.mark.parametrize("node_nic", ["a-very-long-nic0", '""', "eth 0"])
def test_nic_map_target_must_be_a_linux_interface_name(node_nic: str) -> None:
    shown = "" if node_nic == '""' else node_nic
    text = SMALL + f"nic_map:\n  vmnic1: {node_nic}\n"
    assert _error(text) == (
        f"inventory.yaml:23: nic_map: vmnic1 -> {shown!r}: a node NIC name is 1-15 characters "
        "without '/', ':' or spaces (Linux IFNAMSIZ); fix it"
    )


def test_vlan_4095_on_a_distributed_port_group_is_refused() -> None:
    assert _error(SMALL.replace("vlan: 40", "vlan: 4095")) == (
        f"inventory.yaml:15: {PG}: VLAN 4095 exists on standard port groups only; "
        'on a distributed port group write the trunk "0-4094"'
    )


@pytest.mark.parametrize(
    ("vlan", "what"), [('"100-199"', "a trunk"), ("{type: pvlan, secondary: 101}", "a private VLAN")]
)
def test_trunk_or_pvlan_on_a_standard_port_group_is_refused(vlan: str, what: str) -> None:
    assert _error(_standard(vlan=vlan)) == (
        f"inventory.yaml:25: {PG}: {what} exists on distributed port groups only; on a standard port group "
        "use a VLAN ID, 0 (untagged) or 4095 (all VLANs to the guest)"
    )


def test_overlapping_trunk_ranges_are_refused_with_the_merged_range() -> None:
    assert _error(SMALL.replace("vlan: 40", 'vlan: "100-199,150-250,300"')) == (
        f"inventory.yaml:15: {PG}: trunk ranges 100-199 and 150-250 overlap; write them once: 100-250"
    )


def test_valid_values_still_load() -> None:
    inventory = parse_inventory(_standard(mac="00-50-56-AB-CD-EF", ip="2001:db8::5", vlan="4095"))
    assert inventory.vcenters[0].datacenters[0].hosts[0].vmkernel_nics[0].ip == "2001:db8::5"
