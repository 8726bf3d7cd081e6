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

import csv
from dataclasses import dataclass, field
from datetime import timedelta
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


# --------------------------------------------------------------------------------------------------
# The corpus: one estate per fact of rvtools-4x.md
# --------------------------------------------------------------------------------------------------

#: Custom-attribute cells (vCenter custom attributes and backup products' columns): filled so that the
#: reader must skip them wherever they sit.
CUSTOM = {"Backup status": "Success", "ClusterInvariantVMMId": "4a1c9e", "Last backup": "2025-03-02 01:15",
          "Post-it": "migrate wave 2"}  # fmt: skip


@dataclass
class Estate:
    """An RVTools export under construction: rows by sheet (cells by header name), in one version's layout."""

    name: str
    version: str = "4.7"
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    server: str = "vc01.corp.example"
    uuid: str = "52a3f0c4-7d1e-4b55-9c0a-1e2d3c4b5a69"

    @property
    def layout(self) -> dict[str, list[str]]:
        return HEADERS_47 if self.version == "4.7" else HEADERS_44

    def add(self, sheet: str, **cells: Any) -> None:
        base = {"VI SDK Server": self.server, "VI SDK UUID": self.uuid, **CUSTOM}
        self.rows.setdefault(sheet, []).append({**base, **cells})

    def host(self, name: str, moid: str, cluster: str, dc: str = "DC-East") -> None:
        self.add("vHost", Host=name, Datacenter=dc, Cluster=cluster, **{"Object ID": moid})

    def vswitch(self, host: str, cluster: str, name: str, vmnics: list[str], pgs: list[tuple[str, Any]],
                dc: str = "DC-East", mtu: int = 1500, speed: int | None = 10000) -> None:  # fmt: skip
        where = {"Host": host, "Datacenter": dc, "Cluster": cluster}
        policy = {"Promiscuous Mode": "False", "Mac Changes": "False", "Forged Transmits": "False"}
        self.add("vSwitch", **where, Switch=name, MTU=mtu, **policy, Policy="loadbalance_srcid")
        for vmnic in vmnics:
            self.add("vNIC", **where, **{"Network Device": vmnic, "Switch": name, "Uplink port": None},
                     Speed=speed, Duplex="True", MAC=_mac(host, vmnic), Driver="ixgben")  # fmt: skip
        for pg, vlan in pgs:
            self.add("vPort", **where, **{"Port Group": pg}, Switch=name, VLAN=vlan)

    def vmk(self, host: str, cluster: str, pg: str, device: str, ip: str, dc: str = "DC-East") -> None:
        self.add("vSC_VMK", Host=host, Datacenter=dc, Cluster=cluster, **{"Port Group": pg}, Device=device,
                 **{"IP Address": ip, "Subnet mask": "255.255.255.0"})  # fmt: skip

    def dvs(self, name: str, moid: str, dc: str = "DC-East", mtu: int = 1500, lag: str | None = None) -> None:
        lacp = {"LACP Name": lag, "LACP Mode": "Active",
                "LACP Load Balance Alg.": "srcDestIpTcpUdpPortVlan"} if lag else {}  # fmt: skip
        self.add("dvSwitch", Switch=name, Datacenter=dc, Name=name, Vendor="VMware, Inc.", Version="7.0.3",
                 **{"Max MTU": mtu, "Object ID": moid}, **lacp)  # fmt: skip

    def dvport(self, switch: str, name: str, vlan: Any, moid: str, active: str | None,
               policy: str = "loadbalance_srcid") -> None:  # fmt: skip
        self.add("dvPort", Port=name, Switch=switch, Type="earlyBinding", VLAN=vlan,
                 **{"Allow Promiscuous": "False", "Mac Changes": "False", "Forged Transmits": "False",
                    "Active Uplink": active, "Object ID": moid},
                 Policy=policy if active else None)  # fmt: skip

    def host_dvs_nic(self, host: str, cluster: str, switch: str, vmnic: str, uplink: str | None,
                     dc: str = "DC-East") -> None:  # fmt: skip
        self.add("vNIC", Host=host, Datacenter=dc, Cluster=cluster, **{"Network Device": vmnic,
                 "Switch": switch, "Uplink port": uplink}, Speed=25000, Duplex="True", MAC=_mac(host, vmnic),
                 Driver="icen", PCI="0000:3b:00.0")  # fmt: skip

    def vm(self, name: str, moid: str, host: str, cluster: str, nics: list[dict[str, Any]],
           power: str = "poweredOn", template: bool = False, dc: str = "DC-East") -> None:  # fmt: skip
        place = {"Datacenter": dc, "Cluster": cluster, "Host": host, "Folder": "Workloads", "VM ID": moid}
        flags = {"Powerstate": power, "Template": str(template), "SRM Placeholder": "False"}
        self.add("vInfo", VM=name, **flags, **place, NICs=len(nics))
        for i, nic in enumerate(nics, start=1):
            cells = {"NIC label": f"Network adapter {i}", "Adapter": "vmxnet3", "Connected": "True",
                     "Starts Connected": "True", "Type": "assigned",
                     "Mac Address": f"00:50:56:{int(moid[3:]) % 256:02x}:00:{i:02x}", **nic}  # fmt: skip
            self.add("vNetwork", VM=name, **flags, **place, **cells)

    def write(self, path: Path, drop: tuple[str, ...] = ()) -> Path:
        return write_workbook(path, self.rows, {s: h for s, h in self.layout.items() if s not in drop})


def _mac(host: str, vmnic: str) -> str:
    digits = sum(host.encode()) % 256
    return f"b4:96:91:{digits:02x}:{int(vmnic.removeprefix('vmnic')):02x}:01"


def _management(e: Estate, hosts: list[tuple[str, str]], cluster: str, dc: str = "DC-East") -> None:
    for i, (host, moid) in enumerate(hosts, start=1):
        e.host(host, moid, cluster, dc)
        e.vswitch(host, cluster, "vSwitch0", ["vmnic0", "vmnic1"], [("Management Network", 0)], dc)
        e.vmk(host, cluster, "Management Network", "vmk0", f"192.0.2.{10 + i}", dc)


def dvs_lacp() -> Estate:
    """4.7: a distributed switch with a LAG (``lag1``), uplink port group with a blank VLAN and no active
    uplink, two access port groups teamed on the LAG; guest addresses comma-separated, IPv6 too."""
    e = Estate("dvs-lacp")
    hosts = [("esx01.corp.example", "host-101"), ("esx02.corp.example", "host-102")]
    _management(e, hosts, "Prod")
    e.dvs("DSwitch-Prod", "dvs-35", mtu=9000, lag="lag1")
    for host, _ in hosts:
        e.host_dvs_nic(host, "Prod", "DSwitch-Prod", "vmnic2", "lag1-0")
        e.host_dvs_nic(host, "Prod", "DSwitch-Prod", "vmnic3", "lag1-1")
    e.dvport("DSwitch-Prod", "DSwitch-Prod-DVUplinks-36", None, "dvportgroup-36", None)
    e.dvport("DSwitch-Prod", "prod-110", 110, "dvportgroup-37", "lag1", "loadbalance_ip")
    e.dvport("DSwitch-Prod", "prod-120", 120, "dvportgroup-38", "lag1", "loadbalance_ip")
    net = {"Switch": "DSwitch-Prod"}
    v6 = "fe80::250:56ff:fe01:1, 2001:db8:110::21"
    e.vm("app01", "vm-201", "esx01.corp.example", "Prod",
         [{**net, "Network": "prod-110", "IPv4 Address": "10.1.10.21", "IPv6 Address": v6}])  # fmt: skip
    e.vm("app02", "vm-202", "esx02.corp.example", "Prod",
         [{**net, "Network": "prod-110", "IPv4 Address": "10.1.10.22, 10.1.10.40"}])  # fmt: skip
    e.vm(
        "db01",
        "vm-203",
        "esx02.corp.example",
        "Prod",
        [{**net, "Network": "prod-120", "IPv4 Address": "10.1.20.5"}],
    )
    return e


def trunk_44() -> Estate:
    """4.4: a trunk port group whose VLAN cell is blank (it has VMs and active uplinks), the uplink port group
    under a custom name (``dvUplink_site1``), also blank."""
    e = Estate("trunk-44", version="4.4")
    hosts = [("esx11.corp.example", "host-111"), ("esx12.corp.example", "host-112")]
    _management(e, hosts, "Edge")
    e.dvs("DSwitch-Edge", "dvs-50")
    for host, _ in hosts:
        e.host_dvs_nic(host, "Edge", "DSwitch-Edge", "vmnic2", "Uplink 1")
        e.host_dvs_nic(host, "Edge", "DSwitch-Edge", "vmnic3", "Uplink 2")
    e.dvport("DSwitch-Edge", "dvUplink_site1", None, "dvportgroup-51", None)
    e.dvport("DSwitch-Edge", "guest-trunk", None, "dvportgroup-52", "Uplink 1, Uplink 2")
    e.dvport("DSwitch-Edge", "web-30", 30, "dvportgroup-53", "Uplink 1, Uplink 2")
    net = {"Switch": "DSwitch-Edge"}
    e.vm(
        "fw01",
        "vm-301",
        "esx11.corp.example",
        "Edge",
        [{**net, "Network": "guest-trunk"}, {**net, "Network": "web-30"}],
    )
    e.vm(
        "web01",
        "vm-302",
        "esx12.corp.example",
        "Edge",
        [{**net, "Network": "web-30", "IPv4 Address": "10.3.0.10"}],
    )
    return e


def nsx_v() -> Estate:
    """4.7: NSX-V logical switches (``vxw-dvs-<N>-virtualwire-<M>-sid-<VNI>-<name>``) carrying the VXLAN
    transport VLAN 4000, beside one plain port group."""
    e = Estate("nsx-v")
    hosts = [("esx21.corp.example", "host-121"), ("esx22.corp.example", "host-122")]
    _management(e, hosts, "Compute")
    e.dvs("DSwitch-NSX", "dvs-60", mtu=1600)
    for host, _ in hosts:
        e.host_dvs_nic(host, "Compute", "DSwitch-NSX", "vmnic2", "Uplink 1")
        e.host_dvs_nic(host, "Compute", "DSwitch-NSX", "vmnic3", "Uplink 2")
    e.dvport("DSwitch-NSX", "DSwitch-NSX-DVUplinks-61", None, "dvportgroup-61", None)
    e.dvport(
        "DSwitch-NSX",
        "vxw-dvs-60-virtualwire-1-sid-5001-web-ls",
        4000,
        "dvportgroup-62",
        "Uplink 1, Uplink 2",
    )
    e.dvport(
        "DSwitch-NSX", "vxw-dvs-60-virtualwire-2-sid-5002-db-ls", 4000, "dvportgroup-63", "Uplink 1, Uplink 2"
    )
    e.dvport("DSwitch-NSX", "infra-50", 50, "dvportgroup-64", "Uplink 1, Uplink 2")
    net = {"Switch": "DSwitch-NSX"}
    e.vm(
        "web11",
        "vm-401",
        "esx21.corp.example",
        "Compute",
        [{**net, "Network": "vxw-dvs-60-virtualwire-1-sid-5001-web-ls"}],
    )
    e.vm(
        "db11",
        "vm-402",
        "esx22.corp.example",
        "Compute",
        [{**net, "Network": "vxw-dvs-60-virtualwire-2-sid-5002-db-ls"}],
    )
    e.vm("jump01", "vm-403", "esx22.corp.example", "Compute", [{**net, "Network": "infra-50"}])
    return e


def two_clusters() -> Estate:
    """4.7: clusters Prod and DMZ whose own standard vSwitches use the same vmnic numbers."""
    e = Estate("two-clusters")
    prod = [("esx31.corp.example", "host-131"), ("esx32.corp.example", "host-132")]
    dmz = [("dmz01.corp.example", "host-141"), ("dmz02.corp.example", "host-142")]
    _management(e, prod, "Prod")
    _management(e, dmz, "DMZ")
    for host, _ in prod:
        e.vswitch(host, "Prod", "vSwitch1", ["vmnic2", "vmnic3"], [("app-10", 10)])
    for host, _ in dmz:
        e.vswitch(host, "DMZ", "vSwitch-DMZ", ["vmnic2", "vmnic3"], [("dmz-200", 200)])
    # an unused NIC with its link down: Switch and Speed blank, Duplex "Link is down!", and a PCI cell
    # holding a value of another type (a duration), as real exports have
    e.add("vNIC", Host="dmz01.corp.example", Datacenter="DC-East", Cluster="DMZ", MAC="b4:96:91:aa:04:01",
          Speed=None, Duplex="Link is down!", PCI=timedelta(hours=3, minutes=12), Driver="ixgben",
          **{"Network Device": "vmnic4", "Switch": None, "Uplink port": None})  # fmt: skip
    e.vm("app31", "vm-501", "esx31.corp.example", "Prod", [{"Network": "app-10", "Switch": "vSwitch1"}])
    e.vm("proxy01", "vm-502", "dmz01.corp.example", "DMZ", [{"Network": "dmz-200", "Switch": "vSwitch-DMZ"}])
    return e


def blank_uplink_port() -> Estate:
    """4.7: four hosts on one distributed switch; two leave ``Uplink port`` blank."""
    e = Estate("blank-uplink-port")
    hosts = [(f"esx4{i}.corp.example", f"host-15{i}") for i in range(1, 5)]
    _management(e, hosts, "Prod")
    e.dvs("DSwitch-Main", "dvs-70")
    for i, (host, _) in enumerate(hosts):
        e.host_dvs_nic(host, "Prod", "DSwitch-Main", "vmnic4", "Uplink 1" if i < 2 else None)
        e.host_dvs_nic(host, "Prod", "DSwitch-Main", "vmnic5", "Uplink 2" if i < 2 else None)
    e.dvport("DSwitch-Main", "DSwitch-Main-DVUplinks-71", None, "dvportgroup-71", None)
    e.dvport("DSwitch-Main", "main-40", 40, "dvportgroup-72", "Uplink 1, Uplink 2")
    e.vm("svc01", "vm-601", "esx43.corp.example", "Prod", [{"Network": "main-40", "Switch": "DSwitch-Main"}])
    return e


def vlan_disagreement() -> Estate:
    """4.4: standard port group ``VM Network`` is VLAN 20 on one host and 21 on the other (no majority);
    ``Apps`` is VLAN 20 on both (so VLAN 20 is shared)."""
    e = Estate("vlan-disagreement", version="4.4")
    hosts = [("esx51.corp.example", "host-161"), ("esx52.corp.example", "host-162")]
    for i, (host, moid) in enumerate(hosts):
        e.host(host, moid, "Branch")
        e.vswitch(host, "Branch", "vSwitch0", ["vmnic0", "vmnic1"],
                  [("Management Network", 0), ("VM Network", 20 + i), ("Apps", 20)])  # fmt: skip
        e.vmk(host, "Branch", "Management Network", "vmk0", f"192.0.2.{50 + i}")
    e.vm(
        "files01", "vm-701", "esx51.corp.example", "Branch", [{"Network": "VM Network", "Switch": "vSwitch0"}]
    )
    e.vm("apps01", "vm-702", "esx52.corp.example", "Branch", [{"Network": "Apps", "Switch": "vSwitch0"}])
    return e


def disconnected_templates() -> Estate:
    """4.7: ``Connected`` False on a powered-on VM, ``Starts Connected`` False on a powered-off one,
    ``Connected`` False on a powered-off VM that connects at power on (not disconnected), and a template
    with a NIC."""
    e = Estate("disconnected-templates")
    hosts = [("esx61.corp.example", "host-171")]
    _management(e, hosts, "Lab")
    e.dvs("DSwitch-Lab", "dvs-80")
    e.host_dvs_nic("esx61.corp.example", "Lab", "DSwitch-Lab", "vmnic2", "Uplink 1")
    e.dvport("DSwitch-Lab", "DSwitch-Lab-DVUplinks-81", None, "dvportgroup-81", None)
    e.dvport("DSwitch-Lab", "lab-60", 60, "dvportgroup-82", "Uplink 1")
    net = {"Network": "lab-60", "Switch": "DSwitch-Lab"}
    host = "esx61.corp.example"
    e.vm("on-unplugged", "vm-801", host, "Lab", [{**net, "Connected": "False"}])
    e.vm("off-plugged", "vm-802", host, "Lab", [{**net, "Connected": "False"}], power="poweredOff")
    e.vm("off-unplugged", "vm-803", host, "Lab", [{**net, "Connected": "False", "Starts Connected": "False"}],
         power="poweredOff")  # fmt: skip
    e.vm(
        "tmpl-rhel9",
        "vm-804",
        host,
        "Lab",
        [{**net, "Connected": "False"}],
        power="poweredOff",
        template=True,
    )
    return e


def messy_rows() -> Estate:
    """4.7: rows that repeat or lack what they describe, each a finding on its own row while the rest
    plans: an identical copy of a vNIC row, one vmnic on two switches, a host's vHost row twice (in
    another datacenter), a vSwitch row again with another MTU, a vPort row with a blank ``Port Group``,
    a vNetwork row with a blank ``VM``, one NIC label twice on a VM, a vmkernel NIC on a port group the
    export lacks."""
    e = Estate("messy-rows")
    hosts = [("esx71.corp.example", "host-181"), ("esx72.corp.example", "host-182")]
    _management(e, hosts, "Ops")
    for host, _ in hosts:
        e.vswitch(host, "Ops", "vSwitch1", ["vmnic2", "vmnic3"], [("ops-30", 30)])
    vmnic2, vmnic3 = e.rows["vNIC"][-2:]
    e.rows["vNIC"].append(dict(vmnic3))  # an identical copy of esx72's vmnic3
    e.rows["vNIC"].append({**vmnic2, "Switch": "vSwitch0"})  # esx72's vmnic2 on vSwitch0 too
    e.rows["vHost"].append({**e.rows["vHost"][0], "Datacenter": "DC-West"})
    e.rows["vSwitch"].append({**e.rows["vSwitch"][-1], "MTU": 9000})
    e.rows["vPort"].append({**e.rows["vPort"][-1], "Port Group": None, "VLAN": 31})
    e.vmk("esx71.corp.example", "Ops", "vMotion-old", "vmk1", "198.51.100.71")
    net = {"Network": "ops-30", "Switch": "vSwitch1"}
    e.vm("ops01", "vm-901", "esx71.corp.example", "Ops", [net, {**net, "NIC label": "Network adapter 1"}])
    e.vm("ops02", "vm-902", "esx72.corp.example", "Ops", [net])
    e.rows["vNetwork"].append({**e.rows["vNetwork"][-1], "VM": None, "VM ID": None})
    return e


#: Tabs of a sizing export (no switch tabs).
SIZING_TABS = ("vInfo", "vNetwork", "vHost", "vPartition")


def sizing_only(path: Path) -> Path:
    """4.7 sizing export: vInfo, vNetwork, vHost and vPartition only."""
    e = dvs_lacp()
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet in SIZING_TABS:
        ws = workbook.create_sheet(sheet)
        partition = ["VM", "Powerstate", "Template", "Disk", "Capacity MiB", "VI SDK Server", "VI SDK UUID"]
        headers = e.layout.get(sheet, partition)
        ws.append(headers)
        for row in e.rows.get(sheet, []):
            ws.append([row.get(h) for h in headers])
    workbook.save(path)
    return path


def csv_export(directory: Path) -> Path:
    """RVTools' CSV export: one ``RVTools_tab<tab>.csv`` per tab; returns the vInfo file."""
    e = dvs_lacp()
    path = directory / "RVTools_tabvInfo.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS_47["vInfo"])
        for row in e.rows["vInfo"]:
            writer.writerow([row.get(h, "") for h in HEADERS_47["vInfo"]])
    return path


#: Every corpus estate that plans, by name.
ESTATES = {f.__name__: f for f in (dvs_lacp, trunk_44, nsx_v, two_clusters, blank_uplink_port,
                                   vlan_disagreement, disconnected_templates, messy_rows)}  # fmt: skip
