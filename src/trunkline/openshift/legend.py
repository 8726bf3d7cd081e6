"""The legend of REPORT.md's findings: every code the plan or a reader can raise, what it means and its fix.

:data:`PLAN_CODES` is the one list of the plan's finding codes (the readers' are
:data:`trunkline.vsphere.findings.READER_CODES`); a test checks that every code raised in the source is
listed here.
"""

from __future__ import annotations

from trunkline.vsphere.findings import READER_CODES

_EDIT = "edit the inventory file and run plan on it"

#: Plan finding code -> (what it means, the fix).
PLAN_CODES: dict[str, tuple[str, str]] = {
    "ambiguous-network": ("two port groups share one NetworkMap source", "rename one on vSphere"),
    "br-ex-mtu": ("a switch MTU above 1500 mapped to br-ex (default network)", "lower it, or own bridge"),
    "br-ex-shared": ("switches on different NICs all leave through br-ex", "--localnet-bridge own"),
    "bad-mac": ("a VM NIC's MAC is not a MAC address; left out", f"{_EDIT} if the MAC matters"),
    "duplicate-mac": ("several VM NICs have one MAC", "give each VM NIC its own MAC before migrating"),
    "forged-transmits": (
        "forged transmits accepted on vSphere; OVN port security drops such frames",
        "use --backend linux-bridge for those VMs",
    ),
    "group-matches-no-host": ("a NIC map group's host patterns match no host", "fix the patterns"),
    "mtu-conflict": ("switches of one bridge or name have different MTUs", "make the MTUs agree"),
    "mtv-map-unknown-network": ("an --mtv-map key names no port group", "check the spelling"),
    "mtv-provider-guessed": ("the MTV Provider name is a guess", "pass --mtv-provider VCENTER=NAME"),
    "name-collision": ("port groups sanitise to one NAD name; each got a qualified name", "none needed"),
    "native-vlan": (
        "a tagged VLAN 1 shares a bridge with untagged port groups",
        "move one side to another VLAN",
    ),
    "nic-disconnected": (
        "a VM NIC is disconnected on vSphere",
        "pass --disconnected-down (OpenShift Virtualization 4.19 or later) or set state: down by hand",
    ),
    "nic-map-unknown-uplink": ("a NIC map entry names no uplink or vmnic", "check the spelling"),
    "nic-proposal": ("an uplink was mapped to a node NIC chosen from node state", "check the choice"),
    "nic-rejected": ("node state advises against a mapped NIC", "map the uplink to a free NIC"),
    "no-networkmap": ("no network of a vCenter is mapped", "none needed"),
    "no-nodes": ("no node group covers a bridge's switches", "widen a group's hosts"),
    "no-uplink": (
        "a switch has no known uplink: no NNCP for it",
        "add the hosts' NICs to the inventory file and run plan on it",
    ),
    "nsx": (
        "an NSX logical switch or opaque network (overlay, no VLAN of its own): no NAD",
        "plan the segment on OpenShift by hand, or --mtv-map NAME=pod|ignored",
    ),
    "ovn-trunk": ("a trunk cannot be an OVN localnet network", "use --backend linux-bridge"),
    "private-vlan": ("a private VLAN has no OpenShift equivalent", "isolate otherwise, or --mtv-map"),
    "promiscuous": ("promiscuous mode has no bridge CNI equivalent", "check the VMs that rely on it"),
    "shared-vlan": ("several port groups share one VLAN on a switch (legitimate)", "none needed"),
    "subnet-unused": ("a --subnet names a port group that gets no CUDN", "drop it, or map the port group"),
    "teaming": ("a teaming policy has no bond equivalent; active-backup used", "none needed"),
    "templates": ("templates are not migrated as VMs", "none needed"),
    "trunk-vlan-0": ("a trunk includes VLAN 0, which vlanTrunk cannot carry", "none needed"),
    "unmapped-uplink": ("no node NIC is mapped to an uplink", "--nic-map UPLINK=NIC or --node-state"),
    "uplink-layout": ("a node group's hosts have different uplinks", "split them in a NIC map file"),
    "uplink-redundancy-lost": ("several uplinks map to one node NIC", "map each uplink to its own NIC"),
    "vlan-mismatch": ("hosts give a port group different VLANs", f"make them agree, or {_EDIT}"),
    "vlan-unknown": ("the inventory does not say a port group's VLAN: no NAD", f"{_EDIT} with its 'vlan'"),
    "vm-name-collision": ("VMs share an OpenShift name", "rename them in the MTV plan"),
    "vm-nic-unmapped": ("VM NICs have no OpenShift network", "map their networks"),
    "vm-patch-withheld": ("a VM got no patch: some NIC is unmapped", "map its networks, or --mtv-map"),
    "vmkernel-only": ("a port group carries only vmkernel NICs: no NAD", "none needed"),
}


def legend_rows(counts: dict[str, int]) -> list[list[object]]:
    """REPORT.md's legend: (code, found here, what it means, fix) for every code the readers and the plan
    can raise, sorted by code; *counts* is how many findings of each code this plan has."""
    codes = {**READER_CODES, **PLAN_CODES}
    return [[code, counts.get(code, 0), what, fix] for code, (what, fix) in sorted(codes.items())]
