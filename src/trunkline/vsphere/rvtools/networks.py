"""Hosts, switches and port groups from an RVTools workbook: vHost, vNIC, vSwitch, vPort, dvSwitch,
dvPort and vSC_VMK rows, each row that cannot be read a finding."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from pydantic import ValidationError

from trunkline.vsphere.model import (
    Finding,
    LacpGroup,
    NoVlan,
    PhysicalNic,
    Place,
    PortGroup,
    PrivateVlan,
    UnknownVlan,
    VirtualSwitch,
    VmkernelNic,
    is_address,
)
from trunkline.vsphere.rvtools.builder import _EDIT, _BuilderBase, _cluster_id
from trunkline.vsphere.rvtools.cells import (
    _MAC_TEXT,
    _bool,
    _CellError,
    _int,
    _mtu,
    _name,
    _natural,
    _reason,
    _security,
    _teaming,
    parse_dvport_vlan,
    parse_vport_vlan,
)
from trunkline.vsphere.rvtools.columns import COLUMNS
from trunkline.vsphere.rvtools.workbook import Row

_VIRTUALWIRE = re.compile(r"^vxw-dvs-\d+-virtualwire-\d+-sid-(\d+)-(.*)$")
"""NSX-V logical switch port groups: ``vxw-dvs-<N>-virtualwire-<M>-sid-<VNI>-<name>`` (NSX-V names the
distributed port group that backs a logical switch so; its VLAN is the VXLAN transport VLAN)."""


class _SwitchesAndPortGroups(_BuilderBase):
    """The passes over the host, switch and port group tabs."""

    def _hosts(self) -> dict[tuple[str, str], dict[str, Any]]:
        """vHost -> per host: its id, datacenter, cluster; NICs and vmkernel NICs are added later."""
        hosts: dict[tuple[str, str], dict[str, Any]] = {}
        by_name: dict[tuple[str, str], Row] = {}
        by_id: dict[tuple[str, str], Row] = {}
        for row in self.sheets["vHost"]:
            vc = self.vc_key(row)
            name = _name(row, "host")
            if not name:
                self.blank_name(row, "host", "host name ('Host')")
                continue
            dc = _name(row, "datacenter")
            cluster = _name(row, "cluster")
            host_id = row.text("object_id") or f"host:{name}"
            if (vc, name) in by_name:
                self.duplicate(row, "host", f"host {name!r}", by_name[(vc, name)])
                continue
            if (vc, host_id) in by_id:
                self.duplicate(row, "object_id", f"host Object ID {host_id!r}", by_id[(vc, host_id)])
                continue
            by_name[(vc, name)] = by_id[(vc, host_id)] = row
            self.vcs[vc].dc(dc).clusters.update([cluster] if cluster else [])
            self.host_of[(vc, name)] = (dc, host_id)
            hosts[(vc, name)] = {
                "id": host_id,
                "name": name,
                "cluster": _cluster_id(cluster) if cluster else None,
                "dc": dc,
                "nics": [],
                "vmks": [],
            }
        return hosts

    def _unique_rows(self) -> None:
        """Leave out, each with a finding on its row, the rows whose name cell is blank and the rows
        repeating an object an earlier row gave (the same vmnic of one host, twice or on two switches;
        the same vSwitch, port group or vmkernel NIC of one host; the same distributed switch)."""

        def host(row: Row) -> str:
            return f" of host {_name(row, 'host')!r}"

        def keep(sheet: str, name_key: str, what: str, key: Any, on_host: bool = True) -> None:
            kept: list[Row] = []
            first: dict[Any, Row] = {}
            for row in self.sheets.get(sheet, []):
                name = _name(row, name_key)
                if not name:
                    self.blank_name(row, name_key, f"{what} name ('{COLUMNS[sheet][name_key][0][0]}')")
                    continue
                ident = (self.vc_key(row), *key(row))
                if ident in first:
                    where = host(row) if on_host else ""
                    self.duplicate(row, name_key, f"{what} {name!r}{where}", first[ident])
                    continue
                first[ident] = row
                kept.append(row)
            self.sheets[sheet] = kept

        keep("vNIC", "device", "physical NIC", lambda r: (_name(r, "host"), _name(r, "device")))
        keep("vSwitch", "switch", "vSwitch", lambda r: (_name(r, "host"), _name(r, "switch")))
        keep("vPort", "portgroup", "port group", lambda r: (_name(r, "host"), _name(r, "portgroup")))
        keep("vSC_VMK", "device", "vmkernel NIC", lambda r: (_name(r, "host"), _name(r, "device")))
        keep("dvSwitch", "switch", "distributed switch", lambda r: (_name(r, "switch"),), on_host=False)
        keep("dvPort", "portgroup", "distributed port group", lambda r: (r.number,), on_host=False)
        keep("vInfo", "vm", "VM", lambda r: (r.number,), on_host=False)
        keep("vNetwork", "vm", "VM", lambda r: (r.number,), on_host=False)

    def _versions(self) -> None:
        for row in self.sheets.get("vSource", []):
            version = row.text("version")
            if version:
                self.vcs[self.vc_key(row)].version = version

    def _dv_switches(self) -> None:
        by_id: dict[tuple[str, str], Row] = {}
        for row in self.sheets["dvSwitch"]:
            vc = self.vc_key(row)
            name = _name(row, "switch")
            dc = _name(row, "datacenter") if "datacenter" in row.cells else self.default_dc(vc)
            dvs_id = row.text("object_id") or f"dvs:{name}"
            if (vc, dvs_id) in by_id:
                first = by_id[(vc, dvs_id)]
                self.note(
                    "warning",
                    "duplicate-object-id",
                    row,
                    "object_id",
                    f"Object ID {dvs_id!r} is also in row {first.number} (distributed switch "
                    f"{_name(first, 'switch')!r}) with another switch {name!r}; the inventory keeps row "
                    f"{first.number}: if this row is the right one, {_EDIT}",
                )
                continue
            by_id[(vc, dvs_id)] = row
            lag = _name(row, "lacp_name")
            mode = row.text("lacp_mode").lower()
            lacp = (
                (
                    LacpGroup(
                        name=lag,
                        mode="passive" if mode == "passive" else "active",
                        load_balance=row.text("lacp_balance") or None,
                    ),
                )
                if lag
                else ()
            )
            self.dvs_of[(vc, name)] = (dc, dvs_id)
            self.vcs[vc].dc(dc).switches[dvs_id] = VirtualSwitch(
                id=dvs_id,
                name=name,
                kind="distributed",
                mtu=self._cell(row, "mtu", _mtu),
                lacp_groups=lacp,
            )

    def _standard_switches(self, hosts: dict[tuple[str, str], dict[str, Any]]) -> None:
        uplinks: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for row in self.sheets["vNIC"]:
            uplinks[(self.vc_key(row), _name(row, "host"), _name(row, "switch"))].append(row.text("device"))
        for row in self.sheets["vSwitch"]:
            vc = self.vc_key(row)
            host = self._host(row, hosts)
            if host is None:
                continue
            name = _name(row, "switch")
            switch_id = f"{host['id']}/{name}"
            self.std_switch_of[(vc, host["id"], name)] = switch_id
            self.vcs[vc].dc(host["dc"]).switches[switch_id] = VirtualSwitch(
                id=switch_id,
                name=name,
                kind="standard",
                host=host["id"],
                mtu=self._cell(row, "mtu", _mtu),
                uplinks=tuple(sorted(uplinks.get((vc, host["name"], name), []), key=_natural)),
                security=_security(row),
                teaming=_teaming(row),
            )

    def _vm_nic_counts(self) -> Counter[tuple[str, str, str]]:
        """VM NICs per (vCenter key, switch name or "", network name), from vNetwork."""
        counts: Counter[tuple[str, str, str]] = Counter()
        for row in self.sheets["vNetwork"]:
            vc = self.vc_key(row)
            counts[(vc, _name(row, "switch"), _name(row, "network"))] += 1
            counts[(vc, "", _name(row, "network"))] += 1
        return counts

    def _port_groups(self) -> None:
        dvs_uplinks: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in self.sheets["vNIC"]:
            if row.text("uplink") and (self.vc_key(row), _name(row, "host")) in self.host_of:
                dvs_uplinks[(self.vc_key(row), _name(row, "switch"))].add(row.text("uplink"))
        for (vc, dvs_name), (dc, dvs_id) in self.dvs_of.items():
            switch = self.vcs[vc].dc(dc).switches[dvs_id]
            names = tuple(sorted(dvs_uplinks.get((vc, dvs_name), set()), key=_natural))
            self.vcs[vc].dc(dc).switches[dvs_id] = switch.model_copy(update={"uplinks": names})
        vm_nics = self._vm_nic_counts()
        first_row: dict[tuple[str, str], Row] = {}  # (vc, port group id) -> its first dvPort row
        for row in self.sheets["dvPort"]:
            vc = self.vc_key(row)
            switch_name = _name(row, "switch")
            name = _name(row, "portgroup")
            if (vc, switch_name) not in self.dvs_of:
                self.note(
                    "error",
                    "unknown-switch",
                    row,
                    "switch",
                    f"port group {name!r} is on distributed switch {switch_name!r}, which sheet 'dvSwitch' "
                    f"lacks: the port group is left out; export the workbook again with every tab, "
                    f"or {_EDIT}",
                )
                continue
            dc, dvs_id = self.dvs_of[(vc, switch_name)]
            pg_id = row.text("object_id") or f"dvportgroup:{switch_name}/{name}"
            vlan, uplink_pg = self._dvport_vlan(row, name, vm_nics[(vc, switch_name, name)])
            pg = PortGroup(
                id=pg_id,
                name=name,
                switch=dvs_id,
                vlan=vlan,
                security=_security(row),
                teaming=_teaming(row),
                uplink_portgroup=uplink_pg,
                nsx=bool(_VIRTUALWIRE.match(name)),
            )
            first = first_row.get((vc, pg_id))
            if first is not None:
                earlier = first.number
                if self.vcs[vc].dc(dc).port_groups.get(pg_id) != pg:
                    self.note(
                        "warning",
                        "duplicate-object-id",
                        row,
                        "object_id",
                        f"Object ID {pg_id!r} is also in row {earlier} with another port group or VLAN; the "
                        f"inventory keeps row {earlier}: if this row is the right one, {_EDIT}",
                    )
                else:
                    self.duplicate(row, "portgroup", f"distributed port group {name!r}", first)
                continue
            first_row[(vc, pg_id)] = row
            self.dvpg_of[(vc, switch_name, name)] = pg
            self.dvpg_by_name[(vc, name)].append(pg)
            self.vcs[vc].dc(dc).port_groups[pg_id] = pg
        self._standard_port_groups()

    def _dvport_vlan(self, row: Row, name: str, vm_nics: int) -> tuple[Any, bool]:
        """(VLAN policy, is the switch's uplink port group) of a dvPort row.

        RVTools leaves ``VLAN`` blank on a switch's uplink port group and (4.4) on trunk port groups: a
        blank VLAN with no VM NICs and no active uplink of its own is the uplink port group; elsewhere
        it is unknown, and a finding."""
        flag = _bool(row, "uplink")
        text = row.text("vlan")
        if flag is True or (flag is None and not text and not vm_nics and not row.text("active")):
            return NoVlan(), True
        if not text:
            self.note(
                "warning",
                "vlan-blank",
                row,
                "vlan",
                f"port group {name!r} has a blank VLAN cell (RVTools 4.4 leaves trunk port groups blank), "
                f"so its VLANs are unknown and it gets no NAD; {_EDIT}: set its 'vlan' to the VLAN ID or "
                'trunk ranges such as "100-199,300"',
            )
            return UnknownVlan(), False
        try:
            vlan = parse_dvport_vlan(text, row.text("vlan_type"))
            if isinstance(vlan, PrivateVlan) and vlan.primary is None:
                self.note(
                    "warning",
                    "pvlan-primary-unknown",
                    row,
                    "vlan",
                    f"port group {name!r}: private VLAN {text!r} names one VLAN ID ({vlan.secondary}, read "
                    "as the secondary), so its primary VLAN is unknown; "
                    f"{_EDIT}: set its 'vlan' primary (the switch's private VLAN map in vSphere names it)",
                )
            return vlan, False
        except (ValueError, ValidationError) as exc:
            self.note(
                "warning",
                "vlan-odd",
                row,
                "vlan",
                f"port group {name!r}: {_reason(exc)}; its VLAN is unknown and it gets no NAD; {_EDIT}: set "
                "its 'vlan'",
            )
            return UnknownVlan(), False

    def _standard_port_groups(self) -> None:
        seen: dict[tuple[str, str, str], list[tuple[str, str, int]]] = defaultdict(list)
        for row in self.sheets["vPort"]:
            vc = self.vc_key(row)
            ref = self._host_ref(row)
            if ref is None:
                continue
            dc, host_id = ref
            switch_name = _name(row, "switch")
            name = _name(row, "portgroup")
            switch_id = self.std_switch_of.get((vc, host_id, switch_name))
            if switch_id is None:
                self.note(
                    "error",
                    "unknown-switch",
                    row,
                    "switch",
                    f"port group {name!r} is on vSwitch {switch_name!r} of host {_name(row, 'host')!r}, "
                    "which "
                    f"sheet 'vSwitch' lacks: the port group is left out on that host; {_EDIT}",
                )
                continue
            vid: int | None = None
            try:
                vid = _int(row, "vlan")
            except _CellError as exc:
                self.note(
                    "warning",
                    "vlan-odd",
                    row,
                    "vlan",
                    f"port group {name!r} on host {_name(row, 'host')!r}: {exc}, not a VLAN ID: its VLAN is "
                    f"unknown; {_EDIT}: set its 'vlan' (0 = untagged)",
                )
            vlan: Any = UnknownVlan()
            if vid is None and not row.text("vlan"):
                self.note(
                    "warning",
                    "vlan-blank",
                    row,
                    "vlan",
                    f"port group {name!r} on host {_name(row, 'host')!r} has a blank VLAN cell: its VLAN is "
                    f"unknown; {_EDIT}: set its 'vlan' (0 = untagged)",
                )
            elif vid is not None:
                try:
                    vlan = parse_vport_vlan(vid)
                except ValueError as exc:
                    self.note("warning", "vlan-odd", row, "vlan", f"port group {name!r}: {exc}; {_EDIT}")
            if not isinstance(vlan, UnknownVlan):  # a blank or odd cell is its own finding, not a vote
                seen[(vc, dc, name)].append((_name(row, "host"), str(vid), row.number))
            pg = PortGroup(
                id=f"{switch_id}/{name}",
                name=name,
                switch=switch_id,
                network=f"network:{name}",
                vlan=vlan,
                security=_security(row),
                teaming=_teaming(row),
            )
            self.std_pg_of[(vc, host_id, name)] = pg
            self.std_network_by_name.setdefault((vc, dc, name), pg.network)
            self.vcs[vc].dc(dc).port_groups[pg.id] = pg
        for (_vc, _dc, name), rows in seen.items():
            counts = Counter(vlan for _, vlan, _ in rows)
            top = counts.most_common()
            if len(top) > 1 and top[0][1] == top[1][1]:
                detail = "; ".join(
                    f"VLAN {vlan} on {', '.join(f'{h} (row {n})' for h, v, n in rows if v == vlan)}"
                    for vlan, _ in sorted(counts.items())
                )
                last = max(rows, key=lambda r: r[2])
                self.findings.append(
                    Finding(
                        severity="warning",
                        code="vlan-disagreement",
                        place=Place(sheet="vPort", row=last[2], column="VLAN"),
                        message=f"standard port group {name!r}: the hosts disagree with no majority "
                        f"({detail}); "
                        f"REPORT.md says which VLAN the plan used: to choose, {_EDIT}",
                    )
                )

    def _host_nics(self, hosts: dict[tuple[str, str], dict[str, Any]]) -> None:
        blank: dict[tuple[str, str], list[Row]] = defaultdict(list)
        named: set[tuple[str, str]] = set()
        for row in self.sheets["vNIC"]:
            vc = self.vc_key(row)
            host = self._host(row, hosts)
            if host is None:
                continue
            device = row.text("device")
            switch_name = _name(row, "switch")
            switch_id: str | None = None
            uplink: str | None = None
            if (vc, host["id"], switch_name) in self.std_switch_of:
                switch_id, uplink = self.std_switch_of[(vc, host["id"], switch_name)], device
            elif (vc, switch_name) in self.dvs_of:
                switch_id, uplink = self.dvs_of[(vc, switch_name)][1], row.text("uplink") or None
                (named.add((vc, switch_name)) if uplink else blank[(vc, switch_name)].append(row))
            elif switch_name:
                self.note(
                    "error",
                    "unknown-switch",
                    row,
                    "switch",
                    f"{device} of host {host['name']!r} is on switch {switch_name!r}, neither a vSwitch of "
                    "that "
                    "host (sheet 'vSwitch') nor a distributed switch (sheet 'dvSwitch'): the NIC is kept "
                    f"without a switch; {_EDIT}",
                )
            mac = row.text("mac").lower() or None
            if mac and not _MAC_TEXT.match(mac):
                self.note("info", "mac-odd", row, "mac", f"{mac!r} is not a MAC address: left out")
                mac = None
            host["nics"].append(
                PhysicalNic(
                    name=device,
                    mac=mac,
                    speed_mbps=self._cell(row, "speed", _int) or None,
                    switch=switch_id,
                    uplink=uplink,
                )
            )
        for key, rows in blank.items():
            if key not in named:
                continue
            listing = ", ".join(f"row {r.number} ({_name(r, 'host')} {r.text('device')})" for r in rows)
            first = rows[0]
            self.findings.append(
                Finding(
                    severity="info",
                    code="uplink-port-blank",
                    place=Place(sheet="vNIC", row=first.number, column="Uplink port"),
                    message=f"distributed switch {key[1]!r}: 'Uplink port' is blank on {listing}, while "
                    "other "
                    "hosts name their uplinks; the plan takes the uplinks from the hosts that name them",
                )
            )

    def _vmkernel_nics(self, hosts: dict[tuple[str, str], dict[str, Any]]) -> None:
        for row in self.sheets.get("vSC_VMK", []):
            vc = self.vc_key(row)
            host = self._host(row, hosts)
            if host is None:
                continue
            pg_name = _name(row, "portgroup")
            pg = self.std_pg_of.get((vc, host["id"], pg_name)) or next(
                iter(self.dvpg_by_name.get((vc, pg_name), [])), None
            )
            if pg is None:
                self.note(
                    "warning",
                    "unknown-portgroup",
                    row,
                    "portgroup",
                    f"vmkernel NIC {row.text('device')!r} of host {host['name']!r} is on port group "
                    f"{pg_name!r}, which neither sheet 'vPort' (for that host) nor 'dvPort' lists: the NIC "
                    f"is kept without a port group; export all tabs again, or {_EDIT}",
                )
            ip = row.text("ip") or None
            if ip is not None and not is_address(ip):
                self.note("info", "address-odd", row, "ip", f"{ip!r} is not an IP address: left out")
                ip = None
            host["vmks"].append(VmkernelNic(name=row.text("device"), port_group=pg.id if pg else None, ip=ip))
