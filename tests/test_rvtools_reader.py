"""The RVTools reader, on workbooks the tests write with openpyxl in the column layouts of real exports.

Layouts: ``V4`` is the header row of each tab as RVTools 4.x writes it (column names and order as in
RVTools 4.x exports reproduced by public tools); ``V3`` is the older layout trunkline must also read:
no ``NIC label``, ``Switch``, ``VM ID``, ``Object ID`` or ``VI SDK UUID`` columns, ``IP Address``
instead of ``IPv4 Address``/``IPv6 Address``, and columns in another order. Only the cells trunkline
reads are filled; the rest stay empty as unused columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from trunkline.errors import BadInputError
from trunkline.vsphere.model import AccessVlan, NoVlan, PrivateVlan, TrunkVlan, VlanRange
from trunkline.vsphere.rvtools import adapter_type, parse_dvport_vlan, read_rvtools, unescape_name
from trunkline.vsphere.yamlfile import dump_inventory, parse_inventory, reference_problems

_TAIL = ["VI SDK Server", "VI SDK UUID"]
_VM_TAIL = [
    "Annotation",
    "Datacenter",
    "Cluster",
    "Host",
    "Folder",
    "OS according to the configuration file",
    "OS according to the VMware Tools",
    "VM ID",
    "VM UUID",
    *_TAIL,
]

V4: dict[str, list[str]] = {
    "vInfo": [
        "VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name", "Connection state",
        "Guest state", "Heartbeat", "Consolidation Needed", "PowerOn", "Suspended To Memory", "Suspend time",
        "Suspend Interval", "Creation date", "Change Version", "CPUs", "Overall Cpu Readiness", "Memory",
        "Active Memory", "NICs", "Disks", "Total disk capacity MiB", "Fixed Passthru HotPlug",
        "min Required EVC Mode Key", "Latency Sensitivity", "Op Notification Timeout", "EnableUUID", "CBT",
        "Primary IP Address", "Network #1", "Network #2", "Network #3", "Network #4", "Network #5",
        "Network #6", "Network #7", "Network #8", "Num Monitors", "Video Ram KiB", "Resource pool",
        "Folder ID", "Folder", "vApp", "DAS protection", "FT State", "FT Role", "FT Latency", "FT Bandwidth",
        "FT Sec. Latency", "Vm Failover In Progress", "Provisioned MiB", "In Use MiB", "Unshared MiB",
        "HA Restart Priority", "HA Isolation Response", "HA VM Monitoring", "Cluster rule(s)",
        "Cluster rule name(s)", "Boot Required", "Boot delay", "Boot retry delay", "Boot retry enabled",
        "Boot BIOS setup", "Reboot PowerOff", "EFI Secure boot", "Firmware", "HW version",
        "HW upgrade status", "HW upgrade policy", "HW target", "Path", "Log directory", "Snapshot directory",
        "Suspend directory", "Annotation", "Datacenter", "Cluster", "Host",
        "OS according to the configuration file", "OS according to the VMware Tools", "Customization Info",
        "Guest Detailed Data", "VM ID", "SMBIOS UUID", "VM UUID", "VI SDK Server type", "VI SDK API Version",
        *_TAIL,
    ],  # fmt: skip
    "vNetwork": [
        "VM", "Powerstate", "Template", "SRM Placeholder", "NIC label", "Adapter", "Network", "Switch",
        "Connected", "Starts Connected", "Mac Address", "Type", "IPv4 Address", "IPv6 Address",
        "Direct Path IO", "Internal Sort Column", *_VM_TAIL,
    ],  # fmt: skip
    "vHost": [
        "Host", "Datacenter", "Cluster", "Config status", "Compliance Check State", "in Maintenance Mode",
        "in Quarantine Mode", "vSAN Fault Domain Name", "CPU Model", "Speed", "HT Available", "HT Active",
        "# CPU", "Cores per CPU", "# Cores", "CPU usage %", "# Memory", "Memory usage %", "Console", "# NICs",
        "# HBAs", "# VMs total", "# VMs", "VMs per Core", "# vCPUs", "vCPUs per Core", "vRAM",
        "VM Used memory", "VM Memory Swapped", "VM Memory Ballooned", "VMotion support",
        "Storage VMotion support", "Current EVC", "Max EVC", "Assigned License(s)", "ATS Heartbeat",
        "ATS Locking", "Current CPU power man. policy", "Supported CPU power man.", "Host Power Policy",
        "ESX Version", "Boot time", "DNS Servers", "DHCP", "Domain", "Domain List", "DNS Search Order",
        "NTP Server(s)", "NTPD running", "Time Zone", "Time Zone Name", "GMT Offset", "Vendor", "Model",
        "Serial number", "Service tag", "OEM specific string", "BIOS Vendor", "BIOS Version", "BIOS Date",
        "Certificate Issuer", "Certificate Start Date", "Certificate Expiry Date", "Certificate Status",
        "Certificate Subject", "Object ID", "UUID", *_TAIL,
    ],  # fmt: skip
    "vNIC": [
        "Host", "Datacenter", "Cluster", "Network Device", "Driver", "Speed", "Duplex", "MAC", "Switch",
        "Uplink port", "PCI", "WakeOn", *_TAIL,
    ],  # fmt: skip
    "vSwitch": [
        "Host", "Datacenter", "Cluster", "Switch", "# Ports", "Free Ports", "Promiscuous Mode", "Mac Changes",
        "Forged Transmits", "Traffic Shaping", "Width", "Peak", "Burst", "Policy", "Reverse Policy",
        "Notify Switch", "Rolling Order", "Offload", "TSO", "Zero Copy Xmit", "MTU", *_TAIL,
    ],  # fmt: skip
    "vPort": [
        "Host", "Datacenter", "Cluster", "Port Group", "Switch", "VLAN", "Promiscuous Mode", "Mac Changes",
        "Forged Transmits", "Traffic Shaping", "Width", "Peak", "Burst", "Policy", "Reverse Policy",
        "Notify Switch", "Rolling Order", "Offload", "TSO", "Zero Copy Xmit", *_TAIL,
    ],  # fmt: skip
    "dvSwitch": [
        "Switch", "Datacenter", "Name", "Vendor", "Version", "Description", "Created", "Host members",
        "Max Ports", "# Ports", "# VMs", "In Traffic Shaping", "In Avg", "In Peak", "In Burst",
        "Out Traffic Shaping", "Out Avg", "Out Peak", "Out Burst", "CDP Type", "CDP Operation", "LACP Name",
        "LACP Mode", "LACP Load Balance Alg.", "Max MTU", "Contact", "Admin Name", "Object ID", *_TAIL,
    ],  # fmt: skip
    "dvPort": [
        "Port", "Switch", "Type", "# Ports", "VLAN", "Speed", "Full Duplex", "Blocked", "Allow Promiscuous",
        "Mac Changes", "Active Uplink", "Standby Uplink", "Policy", "Forged Transmits", "In Traffic Shaping",
        "In Avg", "In Peak", "In Burst", "Out Traffic Shaping", "Out Avg", "Out Peak", "Out Burst",
        "Reverse Policy", "Notify Switch", "Rolling Order", "Check Beacon", "Live Port Moving",
        "Check Duplex", "Check Error %", "Check Speed", "Percentage", "Block Override", "Config Reset",
        "Shaping Override", "Vendor Config Override", "Sec. Policy Override", "Teaming Override",
        "Vlan Override", "Object ID", *_TAIL,
    ],  # fmt: skip
    "vSC_VMK": [
        "Host", "Datacenter", "Cluster", "Port Group", "Device", "Mac Address", "DHCP", "IP Address",
        "IP 6 Address", "Subnet mask", "Gateway", "IP 6 Gateway", "MTU", *_TAIL,
    ],  # fmt: skip
    "vSource": [
        "Name", "OS type", "API type", "API version", "Version", "Patch level", "Build", "Fullname",
        "Product name", "Product version", "Product line", "Vendor", *_TAIL,
    ],  # fmt: skip
}

_OLD_DROPPED = {"NIC label", "Switch", "VM ID", "Object ID", "VI SDK UUID", "IPv4 Address", "IPv6 Address"}


def _v3(sheet: str) -> list[str]:
    """The older layout: the 4.x columns without the ones added since, ``IP Address``, another order."""
    keep_switch = sheet in ("vNIC", "vSwitch", "vPort", "dvPort", "dvSwitch")
    cols = [c for c in V4[sheet] if c not in _OLD_DROPPED or (c == "Switch" and keep_switch)]
    if sheet == "vNetwork":
        cols.insert(cols.index("Type") + 1, "IP Address")
    return list(reversed(cols))  # another column order


V3: dict[str, list[str]] = {sheet: _v3(sheet) for sheet in V4}

VC = {"VI SDK Server": "vcsa.lab.example", "VI SDK UUID": "6f1c2a4e-3b7d-4c1e-9a52-8d0e7b3f4a10"}
LOC = {"Datacenter": "Datacenter", "Cluster": "Cluster"}
SECURE = {"Allow Promiscuous": "False", "Mac Changes": "False", "Forged Transmits": "False"}


def seed_rows() -> dict[str, list[dict[str, Any]]]:
    """The seed's vSphere design as RVTools rows (cells by 4.x column name)."""
    hosts = [("esxi01.lab.example", "host-12", "01"), ("esxi02.lab.example", "host-15", "02")]
    rows: dict[str, list[dict[str, Any]]] = {sheet: [] for sheet in V4}
    for host, moid, n in hosts:
        rows["vHost"].append({"Host": host, **LOC, "Object ID": moid, **VC})
        rows["vNIC"] += [
            {"Host": host, **LOC, "Network Device": "vmnic0", "Speed": 1000, "MAC": f"00:50:56:{n}:00:00",
             "Switch": "vSwitch0", "Uplink port": None, **VC},
            {"Host": host, **LOC, "Network Device": "vmnic1", "Speed": 1000, "MAC": f"00:50:56:{n}:00:01",
             "Switch": "DSwitch", "Uplink port": "Uplink 1", **VC},
        ]  # fmt: skip
        rows["vSwitch"].append(
            {"Host": host, **LOC, "Switch": "vSwitch0", "MTU": 1500, "Promiscuous Mode": "False",
             "Mac Changes": "False", "Forged Transmits": "False", "Policy": "loadbalance_srcid", **VC}
        )  # fmt: skip
        rows["vPort"].append(
            {"Host": host, **LOC, "Port Group": "Management Network", "Switch": "vSwitch0", "VLAN": 0, **VC}
        )
        rows["vSC_VMK"].append(
            {"Host": host, **LOC, "Port Group": "Management Network", "Device": "vmk0",
             "IP Address": f"192.0.2.1{n[1]}", **VC}
        )  # fmt: skip
    rows["dvSwitch"].append(
        {"Switch": "DSwitch", "Datacenter": "Datacenter", "Max MTU": 1500, "Object ID": "dvs-21", **VC}
    )
    rows["vSource"].append(
        {"Name": "vcsa.lab.example", "API type": "VirtualCenter", "Version": "8.0.2",
         "Fullname": "VMware vCenter Server 8.0.2 build-22617221", **VC}
    )  # fmt: skip
    dvport = [
        ("DSwitch-DVUplinks-21", "0-4094", "dvportgroup-22", None),
        ("vm-vlan-10", 10, "dvportgroup-23", "Uplink 1"),
        ("vm-vlan-20", "20", "dvportgroup-24", "Uplink 1"),
        ("vm-vlan-30", 30, "dvportgroup-25", "Uplink 1"),
        ("vm-vlan-40", 40, "dvportgroup-26", "Uplink 1"),
        ("vm-trunk", "100-199, 300", "dvportgroup-27", "Uplink 1"),
    ]
    for name, vlan, moid, active in dvport:
        rows["dvPort"].append(
            {"Port": name, "Switch": "DSwitch", "Type": "earlyBinding", "VLAN": vlan, **SECURE,
             "Active Uplink": active, "Policy": "loadbalance_srcid", "Object ID": moid, **VC}
        )  # fmt: skip
    vms = [
        ("web01", "vm-101", "esxi01.lab.example", "poweredOn",
         [("Vmxnet3", "vm-vlan-10", "00:50:56:a1:10:01")]),
        ("db01", "vm-103", "esxi02.lab.example", "poweredOff",
         [("E1000E", "vm-vlan-20", "00:50:56:A1:20:03")]),
        ("vlan40-client", "vm-105", "esxi01.lab.example", "poweredOn",
         [("Vmxnet3", "vm-vlan-40", "00:50:56:a1:40:05"), ("Vmxnet3", "vm-trunk", "00:50:56:a1:40:06")]),
    ]  # fmt: skip
    for name, moid, host, power, nics in vms:
        place = {**LOC, "Host": host, "Folder": "Workloads", "VM ID": moid, **VC}
        rows["vInfo"].append({"VM": name, "Powerstate": power, "Template": "False", **place})
        for i, (adapter, network, mac) in enumerate(nics, start=1):
            rows["vNetwork"].append(
                {"VM": name, "Powerstate": power, "Template": "False", "NIC label": f"Network adapter {i}",
                 "Adapter": adapter, "Network": network, "Switch": "DSwitch",
                 "Connected": power == "poweredOn", "Starts Connected": True, "Mac Address": mac,
                 "Type": "assigned", **place}
            )  # fmt: skip
    return rows


def write_workbook(
    path: Path, rows: dict[str, list[dict[str, Any]]], layout: dict[str, list[str]] | None = None
) -> Path:
    """Write *rows* (cells by 4.x column name) as an RVTools workbook with *layout*'s header rows."""
    layout = layout or V4
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet, headers in layout.items():
        ws = workbook.create_sheet(sheet)
        ws.append(headers)
        for row in rows.get(sheet, []):
            ws.append([row.get(h) for h in headers])
    workbook.save(path)
    return path


SEED_V4_YAML = """\
version: 1
vcenters:
- name: vcsa.lab.example
  instance_uuid: 6f1c2a4e-3b7d-4c1e-9a52-8d0e7b3f4a10
  version: 8.0.2
  datacenters:
  - id: datacenter:Datacenter
    name: Datacenter
    clusters:
    - id: cluster:Cluster
      name: Cluster
    hosts:
    - id: host-12
      name: esxi01.lab.example
      cluster: cluster:Cluster
      nics:
      - name: vmnic0
        mac: 00:50:56:01:00:00
        speed_mbps: 1000
        switch: host-12/vSwitch0
        uplink: vmnic0
      - name: vmnic1
        mac: 00:50:56:01:00:01
        speed_mbps: 1000
        switch: dvs-21
        uplink: Uplink 1
      vmkernel_nics:
      - name: vmk0
        port_group: host-12/vSwitch0/Management Network
        ip: 192.0.2.11
    - id: host-15
      name: esxi02.lab.example
      cluster: cluster:Cluster
      nics:
      - name: vmnic0
        mac: 00:50:56:02:00:00
        speed_mbps: 1000
        switch: host-15/vSwitch0
        uplink: vmnic0
      - name: vmnic1
        mac: 00:50:56:02:00:01
        speed_mbps: 1000
        switch: dvs-21
        uplink: Uplink 1
      vmkernel_nics:
      - name: vmk0
        port_group: host-15/vSwitch0/Management Network
        ip: 192.0.2.12
    switches:
    - id: host-12/vSwitch0
      name: vSwitch0
      kind: standard
      host: host-12
      mtu: 1500
      uplinks:
      - vmnic0
      security:
        promiscuous: false
        mac_changes: false
        forged_transmits: false
      teaming:
        policy: loadbalance_srcid
    - id: host-15/vSwitch0
      name: vSwitch0
      kind: standard
      host: host-15
      mtu: 1500
      uplinks:
      - vmnic0
      security:
        promiscuous: false
        mac_changes: false
        forged_transmits: false
      teaming:
        policy: loadbalance_srcid
    - id: dvs-21
      name: DSwitch
      kind: distributed
      mtu: 1500
      uplinks:
      - Uplink 1
    port_groups:
    - id: host-12/vSwitch0/Management Network
      name: Management Network
      switch: host-12/vSwitch0
      network: network:Management Network
      vlan: 0
    - id: host-15/vSwitch0/Management Network
      name: Management Network
      switch: host-15/vSwitch0
      network: network:Management Network
      vlan: 0
    - id: dvportgroup-22
      name: DSwitch-DVUplinks-21
      switch: dvs-21
      vlan: 0-4094
      security:
        promiscuous: false
        mac_changes: false
        forged_transmits: false
      teaming:
        policy: loadbalance_srcid
      uplink_portgroup: true
    - id: dvportgroup-27
      name: vm-trunk
      switch: dvs-21
      vlan: 100-199,300
      security:
        promiscuous: false
        mac_changes: false
        forged_transmits: false
      teaming:
        policy: loadbalance_srcid
        active:
        - Uplink 1
    - id: dvportgroup-23
      name: vm-vlan-10
      switch: dvs-21
      vlan: 10
      security:
        promiscuous: false
        mac_changes: false
        forged_transmits: false
      teaming:
        policy: loadbalance_srcid
        active:
        - Uplink 1
    - id: dvportgroup-24
      name: vm-vlan-20
      switch: dvs-21
      vlan: 20
      security:
        promiscuous: false
        mac_changes: false
        forged_transmits: false
      teaming:
        policy: loadbalance_srcid
        active:
        - Uplink 1
    - id: dvportgroup-25
      name: vm-vlan-30
      switch: dvs-21
      vlan: 30
      security:
        promiscuous: false
        mac_changes: false
        forged_transmits: false
      teaming:
        policy: loadbalance_srcid
        active:
        - Uplink 1
    - id: dvportgroup-26
      name: vm-vlan-40
      switch: dvs-21
      vlan: 40
      security:
        promiscuous: false
        mac_changes: false
        forged_transmits: false
      teaming:
        policy: loadbalance_srcid
        active:
        - Uplink 1
    vms:
    - id: vm-103
      name: db01
      folder: Workloads
      cluster: cluster:Cluster
      host: host-15
      power_state: poweredOff
      nics:
      - label: Network adapter 1
        mac: 00:50:56:a1:20:03
        adapter: e1000e
        network: dvportgroup-24
        connected: false
    - id: vm-105
      name: vlan40-client
      folder: Workloads
      cluster: cluster:Cluster
      host: host-12
      power_state: poweredOn
      nics:
      - label: Network adapter 1
        mac: 00:50:56:a1:40:05
        adapter: vmxnet3
        network: dvportgroup-26
      - label: Network adapter 2
        mac: 00:50:56:a1:40:06
        adapter: vmxnet3
        network: dvportgroup-27
    - id: vm-101
      name: web01
      folder: Workloads
      cluster: cluster:Cluster
      host: host-12
      power_state: poweredOn
      nics:
      - label: Network adapter 1
        mac: 00:50:56:a1:10:01
        adapter: vmxnet3
        network: dvportgroup-23
"""


def _v3_expected() -> str:
    """The 4.x answer with the ids a 3.x export cannot carry written ``<kind>:<name>``, no instance UUID."""
    text = SEED_V4_YAML.replace("  instance_uuid: 6f1c2a4e-3b7d-4c1e-9a52-8d0e7b3f4a10\n", "")
    for old, new in [
        ("host-12", "host:esxi01.lab.example"),
        ("host-15", "host:esxi02.lab.example"),
        ("dvs-21", "dvs:DSwitch"),
        ("dvportgroup-22", "dvportgroup:DSwitch/DSwitch-DVUplinks-21"),
        ("dvportgroup-23", "dvportgroup:DSwitch/vm-vlan-10"),
        ("dvportgroup-24", "dvportgroup:DSwitch/vm-vlan-20"),
        ("dvportgroup-25", "dvportgroup:DSwitch/vm-vlan-30"),
        ("dvportgroup-26", "dvportgroup:DSwitch/vm-vlan-40"),
        ("dvportgroup-27", "dvportgroup:DSwitch/vm-trunk"),
        ("vm-103", "vm:db01"),
        ("vm-105", "vm:vlan40-client"),
        ("vm-101", "vm:web01"),
    ]:
        text = text.replace(old, new)
    return text


def test_rvtools_4x_export_of_the_seed_reads_as_the_seed_inventory(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "rvtools4.xlsx", seed_rows())
    assert dump_inventory(read_rvtools(path)) == SEED_V4_YAML


def test_rvtools_3x_layout_without_ids_labels_or_switch_reads_the_same_design(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "rvtools3.xlsx", seed_rows(), V3)
    assert dump_inventory(read_rvtools(path)) == _v3_expected()


def test_header_spelling_and_spacing_variations_are_accepted(tmp_path: Path) -> None:
    layout = {sheet: list(headers) for sheet, headers in V4.items()}
    layout["vNetwork"][layout["vNetwork"].index("NIC label")] = "NIC Label"
    layout["vNetwork"][layout["vNetwork"].index("Starts Connected")] = "Starts  connected"
    layout["vPort"][layout["vPort"].index("Port Group")] = "Portgroup"
    rows = seed_rows()
    for row in rows["vNetwork"]:
        row["NIC Label"] = row.pop("NIC label")
        row["Starts  connected"] = row.pop("Starts Connected")
    for row in rows["vPort"]:
        row["Portgroup"] = row.pop("Port Group")
    path = write_workbook(tmp_path / "variant.xlsx", rows, layout)
    assert dump_inventory(read_rvtools(path)) == SEED_V4_YAML


def test_two_vcenters_in_one_export_with_the_same_moids_stay_apart(tmp_path: Path) -> None:
    rows = seed_rows()
    second = {"VI SDK Server": "vcsa2.lab.example", "VI SDK UUID": "0a4b7c2d-1111-4222-8333-944455556666"}
    for sheet in list(rows):
        rows[sheet] += [{**row, **second} for row in rows[sheet]]
    inv = read_rvtools(write_workbook(tmp_path / "two.xlsx", rows))
    assert [(v.name, v.instance_uuid) for v in inv.vcenters] == [
        ("vcsa.lab.example", "6f1c2a4e-3b7d-4c1e-9a52-8d0e7b3f4a10"),
        ("vcsa2.lab.example", "0a4b7c2d-1111-4222-8333-944455556666"),
    ]
    for vc in inv.vcenters:
        (dc,) = vc.datacenters
        assert [p.id for p in dc.port_groups if p.name == "vm-vlan-40"] == ["dvportgroup-26"]
        assert [v.name for v in dc.vms] == ["db01", "vlan40-client", "web01"]


def test_standard_port_groups_vlan_4095_and_same_named_networks_join_across_hosts(tmp_path: Path) -> None:
    rows = seed_rows()
    for host in ("esxi01.lab.example", "esxi02.lab.example"):
        rows["vPort"] += [
            {"Host": host, **LOC, "Port Group": "VM Network", "Switch": "vSwitch0", "VLAN": 40, **VC},
            {"Host": host, **LOC, "Port Group": "All VLANs", "Switch": "vSwitch0", "VLAN": 4095,
             "Forged Transmits": "True", **VC},
        ]  # fmt: skip
    rows["vNetwork"].append(
        {"VM": "web01", "NIC label": "Network adapter 2", "Adapter": "E1000", "Network": "VM Network",
         "Switch": "vSwitch0", "Connected": True, "Starts Connected": False,
         "Mac Address": "00:50:56:a1:10:02", "Host": "esxi01.lab.example", "VM ID": "vm-101", **VC}
    )  # fmt: skip
    dc = read_rvtools(write_workbook(tmp_path / "std.xlsx", rows)).vcenters[0].datacenters[0]
    std = [(p.id, p.network, p.vlan) for p in dc.port_groups if p.switch.endswith("/vSwitch0")]
    assert std == [
        ("host-12/vSwitch0/All VLANs", "network:All VLANs", AccessVlan(id=4095)),
        ("host-12/vSwitch0/Management Network", "network:Management Network", NoVlan()),
        ("host-12/vSwitch0/VM Network", "network:VM Network", AccessVlan(id=40)),
        ("host-15/vSwitch0/All VLANs", "network:All VLANs", AccessVlan(id=4095)),
        ("host-15/vSwitch0/Management Network", "network:Management Network", NoVlan()),
        ("host-15/vSwitch0/VM Network", "network:VM Network", AccessVlan(id=40)),
    ]
    assert [p.security.forged_transmits for p in dc.port_groups if p.name == "All VLANs"] == [True, True]
    web = next(v for v in dc.vms if v.name == "web01")
    nic = web.nics[1]
    assert (nic.label, nic.adapter, nic.network, nic.connected, nic.start_connected) == (
        "Network adapter 2",
        "e1000",
        "network:VM Network",
        True,
        False,
    )


def test_private_vlan_and_unknown_network_are_kept_not_dropped(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"].append(
        {"Port": "pvlan-iso", "Switch": "DSwitch", "VLAN": "PVLAN 101", "Object ID": "dvportgroup-28", **VC}
    )
    rows["vNetwork"].append(
        {"VM": "db01", "NIC label": "Network adapter 2", "Adapter": "Vmxnet3", "Network": "nsx-seg-web",
         "Switch": "", "Mac Address": "00:50:56:a1:20:04", "Host": "esxi02.lab.example", "VM ID": "vm-103",
         **VC}
    )  # fmt: skip
    dc = read_rvtools(write_workbook(tmp_path / "pvlan.xlsx", rows)).vcenters[0].datacenters[0]
    assert [p.vlan for p in dc.port_groups if p.name == "pvlan-iso"] == [PrivateVlan(secondary=101)]
    assert [(o.id, o.name) for o in dc.opaque_networks] == [("network:nsx-seg-web", "nsx-seg-web")]
    assert next(v for v in dc.vms if v.name == "db01").nics[1].network == "network:nsx-seg-web"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", NoVlan()),
        ("0", NoVlan()),
        ("40", AccessVlan(id=40)),
        ("0-4094", TrunkVlan(ranges=(VlanRange(start=0, end=4094),))),
        ("100-199, 300", TrunkVlan(ranges=(VlanRange(start=100, end=199), VlanRange(start=300, end=300)))),
        ("PVLAN 101", PrivateVlan(secondary=101)),
        ("Private VLAN 100/101", PrivateVlan(primary=100, secondary=101)),
    ],
)
def test_dvport_vlan_text_becomes_the_vlan_policy(text: str, expected: object) -> None:
    assert parse_dvport_vlan(text) == expected


def test_dvport_vlan_type_column_tells_a_one_vlan_trunk_from_a_vlan_id() -> None:
    assert parse_dvport_vlan("300", "Trunk") == TrunkVlan(ranges=(VlanRange(start=300, end=300),))


def test_adapter_names_of_all_versions_become_device_types() -> None:
    names = ("Vmxnet3", "E1000E", "vim.vm.device.VirtualVmxnet3", "SriovEthernetCard", "")
    got = [adapter_type(a) for a in names]
    assert got == ["vmxnet3", "e1000e", "vmxnet3", "sriov", None]


def test_escaped_names_are_shown_as_people_see_them() -> None:
    assert unescape_name("web%2fapp %5c 100%25 %252f") == "web/app \\ 100% %2f"


def test_missing_sheet_names_the_sheet(tmp_path: Path) -> None:
    layout = {s: h for s, h in V4.items() if s != "dvPort"}
    path = write_workbook(tmp_path / "nodvport.xlsx", seed_rows(), layout)
    with pytest.raises(BadInputError) as err:
        read_rvtools(path)
    assert str(err.value).startswith(f"{path}: sheet 'dvPort' is missing (sheets found: vInfo, vNetwork, ")


def test_missing_column_names_sheet_and_column(tmp_path: Path) -> None:
    layout = {s: [h for h in hs if not (s == "vPort" and h == "VLAN")] for s, hs in V4.items()}
    path = write_workbook(tmp_path / "novlan.xlsx", seed_rows(), layout)
    with pytest.raises(BadInputError) as err:
        read_rvtools(path)
    assert str(err.value) == (
        f"{path}: sheet 'vPort' has no column 'VLAN' (or 'VLAN ID'); "
        "export the workbook again with RVTools, whose exports have it"
    )


def test_vlan_5000_in_dvport_names_sheet_row_and_column(tmp_path: Path) -> None:
    rows = seed_rows()
    rows["dvPort"][3]["VLAN"] = 5000
    path = write_workbook(tmp_path / "v5000.xlsx", rows)
    with pytest.raises(BadInputError) as err:
        read_rvtools(path)
    assert str(err.value) == (
        f"{path}: sheet 'dvPort' row 5 column 'VLAN': VLAN ID 5000 is out of range 0-4094; "
        "fix the cell or export the workbook again"
    )


def test_not_a_workbook_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_text("VM,Powerstate\n", encoding="utf-8")
    with pytest.raises(BadInputError) as err:
        read_rvtools(path)
    assert str(err.value).startswith(f"{path}: not a readable Excel workbook (")


@pytest.mark.parametrize("layout", ["V4", "V3"])
def test_rvtools_inventory_passes_the_file_checks_and_round_trips(tmp_path: Path, layout: str) -> None:
    rows = seed_rows()
    rows["dvPort"].append(
        {"Port": "pvlan-iso", "Switch": "DSwitch", "VLAN": "PVLAN 101", "Object ID": "dvportgroup-28", **VC}
    )
    rows["vNetwork"].append(
        {"VM": "db01", "NIC label": "Network adapter 2", "Adapter": "Vmxnet3", "Network": "nsx-seg-web",
         "Mac Address": "00:50:56:a1:20:04", "Host": "esxi02.lab.example", "VM ID": "vm-103", **VC}
    )  # fmt: skip
    inv = read_rvtools(write_workbook(tmp_path / "x.xlsx", rows, V4 if layout == "V4" else V3))
    assert list(reference_problems(inv)) == []
    assert parse_inventory(dump_inventory(inv)) == inv
