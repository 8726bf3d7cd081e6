"""RVTools workbooks built in code, as RVTools 4.4.3 and 4.7.1.4 write them (../shared/data/rvtools-4x.md).

Header rows are the exact first rows of real exports (custom-attribute columns such as ``Backup status``,
``ClusterInvariantVMMId``, ``Last backup`` and ``Post-it`` sit in the middle of the tabs, as in those
exports); cells follow what real exports hold: blank ``VLAN`` on a switch's uplink port group and (4.4)
on trunk port groups, LAG uplinks (``lag1-0``), blank ``Uplink port`` cells on some hosts, NSX-V
virtualwires on the transport VLAN, vmnic names repeated across clusters, ``False`` in ``Connected`` on
powered-on VMs, templates with NICs, comma-separated guest addresses, booleans as the strings
``True``/``False``. Only the cells trunkline reads (and a few custom attributes) are filled.

Rows are dicts of cells by header name; :func:`write_workbook` writes them under a layout's headers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl


def _cols(text: str) -> list[str]:
    return [c.strip() for c in text.split(" | ")]


#: RVTools 4.7.1.4: the first row of each tab, columns separated by ' | '.
HEADERS_47: dict[str, list[str]] = {
    "vInfo": _cols(
        "VM | Powerstate | Template | SRM Placeholder | Config status | DNS Name | Connection state "
        "| Guest state | Heartbeat | Consolidation Needed | PowerOn | Suspended To Memory | Suspend "
        "time | Suspend Interval | Creation date | Change Version | CPUs | Overall Cpu Readiness | "
        "Memory | Active Memory | NICs | Disks | Total disk capacity MiB | Fixed Passthru HotPlug | "
        "min Required EVC Mode Key | Latency Sensitivity | Op Notification Timeout | EnableUUID | "
        "CBT | Primary IP Address | Network #1 | Network #2 | Network #3 | Network #4 | Network #5 "
        "| Network #6 | Network #7 | Network #8 | Num Monitors | Video Ram KiB | Resource pool | "
        "Folder ID | Folder | vApp | DAS protection | FT State | FT Role | FT Latency | FT "
        "Bandwidth | FT Sec. Latency | Vm Failover In Progress | Provisioned MiB | In Use MiB | "
        "Unshared MiB | HA Restart Priority | HA Isolation Response | HA VM Monitoring | Cluster "
        "rule(s) | Cluster rule name(s) | Boot Required | Boot delay | Boot retry delay | Boot "
        "retry enabled | Boot BIOS setup | Reboot PowerOff | EFI Secure boot | Firmware | HW "
        "version | HW upgrade status | HW upgrade policy | HW target | Path | Log directory | "
        "Snapshot directory | Suspend directory | Annotation | Backup status | "
        "ClusterInvariantVMMId | Last backup | Datacenter | Cluster | Host | OS according to the "
        "configuration file | OS according to the VMware Tools | Customization Info | Guest "
        "Detailed Data | VM ID | SMBIOS UUID | VM UUID | VI SDK Server type | VI SDK API Version | "
        "VI SDK Server | VI SDK UUID"
    ),
    "vNetwork": _cols(
        "VM | Powerstate | Template | SRM Placeholder | NIC label | Adapter | Network | Switch | "
        "Connected | Starts Connected | Mac Address | Type | IPv4 Address | IPv6 Address | Direct "
        "Path IO | Internal Sort Column | Annotation | Backup status | ClusterInvariantVMMId | Last "
        "backup | Datacenter | Cluster | Host | Folder | OS according to the configuration file | "
        "OS according to the VMware Tools | VM ID | VM UUID | VI SDK Server | VI SDK UUID"
    ),
    "vHost": _cols(
        "Host | Datacenter | Cluster | Config status | Compliance Check State | in Maintenance Mode "
        "| in Quarantine Mode | vSAN Fault Domain Name | CPU Model | Speed | HT Available | HT "
        "Active | # CPU | Cores per CPU | # Cores | CPU usage % | # Memory | Memory Tiering Type | "
        "Memory usage % | Console | # NICs | # HBAs | # VMs total | # VMs | VMs per Core | # vCPUs "
        "| vCPUs per Core | vRAM | VM Used memory | VM Memory Swapped | VM Memory Ballooned | "
        "VMotion support | Storage VMotion support | Current EVC | Max EVC | Assigned License(s) | "
        "ATS Heartbeat | ATS Locking | Current CPU power man. policy | Supported CPU power man. | "
        "Host Power Policy | ESX Version | Boot time | DNS Servers | DHCP | Domain | Domain List | "
        "DNS Search Order | NTP Server(s) | NTPD running | Time Zone | Time Zone Name | GMT Offset "
        "| Vendor | Model | Serial number | Service tag | OEM specific string | BIOS Vendor | BIOS "
        "Version | BIOS Date | Certificate Issuer | Certificate Start Date | Certificate Expiry "
        "Date | Certificate Status | Certificate Subject | Object ID | AutoDeploy.MachineIdentity | "
        "Backup status | ClusterInvariantVMMId | Last backup | UUID | VI SDK Server | VI SDK UUID"
    ),
    "vNIC": _cols(
        "Host | Datacenter | Cluster | Network Device | Driver | Speed | Duplex | MAC | Switch | "
        "Uplink port | PCI | WakeOn | VI SDK Server | VI SDK UUID"
    ),
    "vSwitch": _cols(
        "Host | Datacenter | Cluster | Switch | # Ports | Free Ports | Promiscuous Mode | Mac "
        "Changes | Forged Transmits | Traffic Shaping | Width | Peak | Burst | Policy | Reverse "
        "Policy | Notify Switch | Rolling Order | Offload | TSO | Zero Copy Xmit | MTU | VI SDK "
        "Server | VI SDK UUID"
    ),
    "vPort": _cols(
        "Host | Datacenter | Cluster | Port Group | Switch | VLAN | Promiscuous Mode | Mac Changes "
        "| Forged Transmits | Traffic Shaping | Width | Peak | Burst | Policy | Reverse Policy | "
        "Notify Switch | Rolling Order | Offload | TSO | Zero Copy Xmit | VI SDK Server | VI SDK "
        "UUID"
    ),
    "dvSwitch": _cols(
        "Switch | Datacenter | Name | Vendor | Version | Description | Created | Host members | Max "
        "Ports | # Ports | # VMs | In Traffic Shaping | In Avg | In Peak | In Burst | Out Traffic "
        "Shaping | Out Avg | Out Peak | Out Burst | CDP Type | CDP Operation | LACP Name | LACP "
        "Mode | LACP Load Balance Alg. | Max MTU | Contact | Admin Name | Object ID | Backup status "
        "| ClusterInvariantVMMId | Last backup | VI SDK Server | VI SDK UUID"
    ),
    "dvPort": _cols(
        "Port | Switch | Type | # Ports | VLAN | Speed | Full Duplex | Blocked | Allow Promiscuous "
        "| Mac Changes | Active Uplink | Standby Uplink | Policy | Forged Transmits | In Traffic "
        "Shaping | In Avg | In Peak | In Burst | Out Traffic Shaping | Out Avg | Out Peak | Out "
        "Burst | Reverse Policy | Notify Switch | Rolling Order | Check Beacon | Live Port Moving | "
        "Check Duplex | Check Error % | Check Speed | Percentage | Block Override | Config Reset | "
        "Shaping Override | Vendor Config Override | Sec. Policy Override | Teaming Override | Vlan "
        "Override | Object ID | VI SDK Server | VI SDK UUID"
    ),
    "vSC_VMK": _cols(
        "Host | Datacenter | Cluster | Port Group | Device | Mac Address | DHCP | IP Address | IP 6 "
        "Address | Subnet mask | Gateway | IP 6 Gateway | MTU | VI SDK Server | VI SDK UUID"
    ),
    "vSource": _cols(
        "Name | OS type | API type | API version | Version | Patch level | Build | Fullname | "
        "Product name | Product version | Product line | Vendor | VI SDK Server | VI SDK UUID"
    ),
}

#: RVTools 4.4.3: the first row of each tab, columns separated by ' | '.
HEADERS_44: dict[str, list[str]] = {
    "vInfo": _cols(
        "VM | Powerstate | Template | SRM Placeholder | Config status | DNS Name | Connection state "
        "| Guest state | Heartbeat | Consolidation Needed | PowerOn | Suspend time | Creation date "
        "| Change Version | CPUs | Memory | NICs | Disks | Total disk capacity MiB | min Required "
        "EVC Mode Key | Latency Sensitivity | EnableUUID | CBT | Primary IP Address | Network #1 | "
        "Network #2 | Network #3 | Network #4 | Network #5 | Network #6 | Network #7 | Network #8 | "
        "Num Monitors | Video Ram KiB | Resource pool | Folder ID | Folder | vApp | DAS protection "
        "| FT State | FT Role | FT Latency | FT Bandwidth | FT Sec. Latency | Provisioned MiB | In "
        "Use MiB | Unshared MiB | HA Restart Priority | HA Isolation Response | HA VM Monitoring | "
        "Cluster rule(s) | Cluster rule name(s) | Boot Required | Boot delay | Boot retry delay | "
        "Boot retry enabled | Boot BIOS setup | Reboot PowerOff | EFI Secure boot | Firmware | HW "
        "version | HW upgrade status | HW upgrade policy | HW target | Path | Log directory | "
        "Snapshot directory | Suspend directory | Annotation | Post-it | Datacenter | Cluster | "
        "Host | OS according to the configuration file | OS according to the VMware Tools | VM ID | "
        "SMBIOS UUID | VM UUID | VI SDK Server type | VI SDK API Version | VI SDK Server | VI SDK "
        "UUID"
    ),
    "vNetwork": _cols(
        "VM | Powerstate | Template | SRM Placeholder | NIC label | Adapter | Network | Switch | "
        "Connected | Starts Connected | Mac Address | Type | IPv4 Address | IPv6 Address | Direct "
        "Path IO | Internal Sort Column | Annotation | Post-it | Datacenter | Cluster | Host | "
        "Folder | OS according to the configuration file | OS according to the VMware Tools | VM ID "
        "| VM UUID | VI SDK Server | VI SDK UUID"
    ),
    "vHost": _cols(
        "Host | Datacenter | Cluster | Config status | in Maintenance Mode | in Quarantine Mode | "
        "vSAN Fault Domain Name | CPU Model | Speed | HT Available | HT Active | # CPU | Cores per "
        "CPU | # Cores | CPU usage % | # Memory | Memory usage % | Console | # NICs | # HBAs | # "
        "VMs total | # VMs | VMs per Core | # vCPUs | vCPUs per Core | vRAM | VM Used memory | VM "
        "Memory Swapped | VM Memory Ballooned | VMotion support | Storage VMotion support | Current "
        "EVC | Max EVC | Assigned License(s) | ATS Heartbeat | ATS Locking | Current CPU power man. "
        "policy | Supported CPU power man. | Host Power Policy | ESX Version | Boot time | DNS "
        "Servers | DHCP | Domain | DNS Search Order | NTP Server(s) | NTPD running | Time Zone | "
        "Time Zone Name | GMT Offset | Vendor | Model | Serial number | Service tag | OEM specific "
        "string | BIOS Vendor | BIOS Version | BIOS Date | Object ID | AutoDeploy.MachineIdentity | "
        "Post-it | Rack | UUID | VI SDK Server | VI SDK UUID"
    ),
    "vNIC": _cols(
        "Host | Datacenter | Cluster | Network Device | Driver | Speed | Duplex | MAC | Switch | "
        "Uplink port | PCI | WakeOn | VI SDK Server | VI SDK UUID"
    ),
    "vSwitch": _cols(
        "Host | Datacenter | Cluster | Switch | # Ports | Free Ports | Promiscuous Mode | Mac "
        "Changes | Forged Transmits | Traffic Shaping | Width | Peak | Burst | Policy | Reverse "
        "Policy | Notify Switch | Rolling Order | Offload | TSO | Zero Copy Xmit | MTU | VI SDK "
        "Server | VI SDK UUID"
    ),
    "vPort": _cols(
        "Host | Datacenter | Cluster | Port Group | Switch | VLAN | Promiscuous Mode | Mac Changes "
        "| Forged Transmits | Traffic Shaping | Width | Peak | Burst | Policy | Reverse Policy | "
        "Notify Switch | Rolling Order | Offload | TSO | Zero Copy Xmit | VI SDK Server | VI SDK "
        "UUID"
    ),
    "dvSwitch": _cols(
        "Switch | Datacenter | Name | Vendor | Version | Description | Created | Host members | Max "
        "Ports | # Ports | # VMs | In Traffic Shaping | In Avg | In Peak | In Burst | Out Traffic "
        "Shaping | Out Avg | Out Peak | Out Burst | CDP Type | CDP Operation | LACP Name | LACP "
        "Mode | LACP Load Balance Alg. | Max MTU | Contact | Admin Name | Object ID | Post-it | VI "
        "SDK Server | VI SDK UUID"
    ),
    "dvPort": _cols(
        "Port | Switch | Type | # Ports | VLAN | Speed | Full Duplex | Blocked | Allow Promiscuous "
        "| Mac Changes | Active Uplink | Standby Uplink | Policy | Forged Transmits | In Traffic "
        "Shaping | In Avg | In Peak | In Burst | Out Traffic Shaping | Out Avg | Out Peak | Out "
        "Burst | Reverse Policy | Notify Switch | Rolling Order | Check Beacon | Live Port Moving | "
        "Check Duplex | Check Error % | Check Speed | Percentage | Block Override | Config Reset | "
        "Shaping Override | Vendor Config Override | Sec. Policy Override | Teaming Override | Vlan "
        "Override | Object ID | VI SDK Server | VI SDK UUID"
    ),
    "vSC_VMK": _cols(
        "Host | Datacenter | Cluster | Port Group | Device | Mac Address | DHCP | IP Address | IP 6 "
        "Address | Subnet mask | Gateway | IP 6 Gateway | MTU | VI SDK Server | VI SDK UUID"
    ),
    "vSource": _cols(
        "Name | OS type | API type | API version | Version | Patch level | Build | Fullname | "
        "Product name | Product version | Product line | Vendor | VI SDK Server | VI SDK UUID"
    ),
}

V4 = HEADERS_47
_OLD_DROPPED = {"NIC label", "Switch", "VM ID", "Object ID", "VI SDK UUID", "IPv4 Address", "IPv6 Address"}


def _v3(sheet: str) -> list[str]:
    """The older 3.x layout trunkline also reads: the 4.x columns without the ones added since,
    ``IP Address``, another order."""
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
        ("DSwitch-DVUplinks-21", None, "dvportgroup-22", None),
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
    layout = layout or HEADERS_47
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
      vlan: 0
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
