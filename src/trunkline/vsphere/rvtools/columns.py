"""The columns trunkline reads from an RVTools export, by sheet: logical key -> the header
spellings across RVTools versions (3.x, 4.x) and whether the column is required; the tabs a plan needs."""

from __future__ import annotations

_SERVER = ("VI SDK Server",)
_UUID = ("VI SDK UUID",)

#: Sheet -> column key -> (accepted header spellings, the first being the RVTools 4.x name; required).
COLUMNS: dict[str, dict[str, tuple[tuple[str, ...], bool]]] = {
    "vInfo": {
        "vm": (("VM", "VM Name", "Name"), True),
        "power": (("Powerstate", "Power State", "PowerState"), False),
        "template": (("Template",), False),
        "vm_id": (("VM ID", "VM Object ID"), False),
        "folder": (("Folder",), False),
        "datacenter": (("Datacenter",), False),
        "cluster": (("Cluster",), False),
        "host": (("Host",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vNetwork": {
        "vm": (("VM", "VM Name"), True),
        "label": (("NIC label", "NIC", "Label"), False),
        "adapter": (("Adapter", "Adapter Type"), False),
        "network": (("Network", "Portgroup", "Port Group"), True),
        "switch": (("Switch",), False),
        "connected": (("Connected",), False),
        "starts_connected": (("Starts Connected", "Start Connected"), False),
        "mac": (("Mac Address", "MAC"), False),
        "ipv4": (("IPv4 Address", "IP Address"), False),
        "ipv6": (("IPv6 Address",), False),
        "vm_id": (("VM ID",), False),
        "power": (("Powerstate", "Power State"), False),
        "template": (("Template",), False),
        "datacenter": (("Datacenter",), False),
        "cluster": (("Cluster",), False),
        "host": (("Host",), False),
        "folder": (("Folder",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vHost": {
        "host": (("Host", "Name"), True),
        "datacenter": (("Datacenter",), False),
        "cluster": (("Cluster",), False),
        "object_id": (("Object ID",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vNIC": {
        "host": (("Host",), True),
        "device": (("Network Device", "Device"), True),
        "mac": (("MAC", "Mac Address"), False),
        "speed": (("Speed",), False),
        "switch": (("Switch",), False),
        "uplink": (("Uplink port", "Uplink"), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vSwitch": {
        "host": (("Host",), True),
        "switch": (("Switch", "Name"), True),
        "mtu": (("MTU",), False),
        "promiscuous": (("Promiscuous Mode", "Allow Promiscuous"), False),
        "mac_changes": (("Mac Changes",), False),
        "forged": (("Forged Transmits",), False),
        "policy": (("Policy",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vPort": {
        "host": (("Host",), True),
        "portgroup": (("Port Group", "Portgroup", "Name"), True),
        "switch": (("Switch",), True),
        "vlan": (("VLAN", "VLAN ID"), True),
        "promiscuous": (("Promiscuous Mode", "Allow Promiscuous"), False),
        "mac_changes": (("Mac Changes",), False),
        "forged": (("Forged Transmits",), False),
        "policy": (("Policy",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "dvSwitch": {
        "switch": (("Switch", "Name"), True),
        "datacenter": (("Datacenter",), False),
        "mtu": (("Max MTU", "MTU"), False),
        "lacp_name": (("LACP Name",), False),
        "lacp_mode": (("LACP Mode",), False),
        "lacp_balance": (("LACP Load Balance Alg.", "LACP Load Balance Alg"), False),
        "object_id": (("Object ID",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "dvPort": {
        "portgroup": (("Port", "Portgroup", "Port Group", "Name"), True),
        "switch": (("Switch",), True),
        "vlan": (("VLAN",), True),
        "vlan_type": (("VLAN type", "VLAN Type"), False),
        "uplink": (("Uplink",), False),
        "promiscuous": (("Allow Promiscuous", "Promiscuous Mode"), False),
        "mac_changes": (("Mac Changes",), False),
        "forged": (("Forged Transmits",), False),
        "active": (("Active Uplink", "Active Uplinks"), False),
        "standby": (("Standby Uplink", "Standby Uplinks"), False),
        "policy": (("Policy",), False),
        "object_id": (("Object ID",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vSource": {
        "version": (("Version", "Product version"), False),
        "fullname": (("Fullname",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
    "vSC_VMK": {
        "host": (("Host",), True),
        "portgroup": (("Port Group", "Portgroup"), True),
        "device": (("Device",), True),
        "ip": (("IP Address",), False),
        "server": (_SERVER, False),
        "uuid": (_UUID, False),
    },
}

#: Sheets a plan needs, and what each gives; the others are read when present.
SHEET_GIVES: dict[str, str] = {
    "vInfo": "the VMs",
    "vNetwork": "the VMs' NICs and their port groups",
    "vHost": "the hosts and their clusters",
    "vNIC": "the hosts' physical NICs (uplinks)",
    "vSwitch": "the standard switches",
    "vPort": "the standard port groups and their VLANs",
    "dvSwitch": "the distributed switches",
    "dvPort": "the distributed port groups and their VLANs",
}
REQUIRED_SHEETS = tuple(SHEET_GIVES)
#: RVTools writes these columns on every tab trunkline reads; a workbook without them only resembles
#: an export.
RVTOOLS_OWN_COLUMNS = ("VI SDK Server",)

