"""Virtual machines and their NICs from an RVTools workbook: vInfo and vNetwork rows, each NIC joined to
its port group (or an opaque network), each odd cell a finding."""

from __future__ import annotations

from collections import defaultdict

from trunkline.vsphere.model import (
    OpaqueNetwork,
    VirtualMachine,
    VmNic,
    is_address,
)
from trunkline.vsphere.rvtools.builder import _DC, _EDIT, _BuilderBase, _cluster_id
from trunkline.vsphere.rvtools.cells import (
    _MAC_TEXT,
    _bool,
    _list,
    _name,
    _natural,
    _power,
    adapter_type,
)
from trunkline.vsphere.rvtools.workbook import Row


class _VirtualMachines(_BuilderBase):
    """The passes over the VM tabs."""

    def _vms(self) -> None:
        nics: dict[tuple[str, str], list[Row]] = defaultdict(list)
        first: dict[tuple[str, str], Row] = {}
        for row in self.sheets["vNetwork"]:
            key = (self.vc_key(row), row.text("vm_id") or _name(row, "vm"))
            nics[key].append(row)
            first.setdefault(key, row)
        seen: dict[tuple[str, str], Row] = {}
        for row in [*self.sheets["vInfo"], *(first[k] for k in first)]:
            key = (self.vc_key(row), row.text("vm_id") or _name(row, "vm"))
            earlier = seen.get(key)
            if earlier is not None:
                if row.sheet != "vInfo":
                    continue  # the VM's NICs, already read with its vInfo row
                if _name(row, "vm") == _name(earlier, "vm") or not row.text("vm_id"):
                    self.duplicate(row, "vm", f"VM {_name(row, 'vm')!r}", earlier)
                else:
                    self.note(
                        "warning",
                        "duplicate-object-id",
                        row,
                        "vm_id",
                        f"VM ID {key[1]!r} of VM {_name(row, 'vm')!r} is also in row {earlier.number} (VM "
                        f"{_name(earlier, 'vm')!r}); the inventory keeps row {earlier.number}: if this row "
                        f"is the right one, {_EDIT}",
                    )
                continue
            seen[key] = row
            self._vm(row, nics.get(key, []))

    def _vm(self, row: Row, nic_rows: list[Row]) -> None:
        vc = self.vc_key(row)
        name = _name(row, "vm")
        host_name = _name(row, "host")
        host_dc, host_id_or_empty = self.host_of.get((vc, host_name), ("", ""))
        host_id = host_id_or_empty or None
        dc_name = _name(row, "datacenter") if row.text("datacenter") else (host_dc or self.default_dc(vc))
        dc = self.vcs[vc].dc(dc_name)
        cluster = _name(row, "cluster")
        if cluster:
            dc.clusters.add(cluster)
        vm_nics = []
        labels: dict[str, Row] = {}
        macs: dict[str, Row] = {}
        for index, nic in enumerate(nic_rows, start=1):
            label = _name(nic, "label") or f"Network adapter {index}"
            if label in labels:
                self.duplicate(nic, "label", f"NIC {label!r} of VM {name!r}", labels[label])
                continue
            labels[label] = nic
            connected = _bool(nic, "connected")
            starts = _bool(nic, "starts_connected")
            mac = nic.text("mac").lower() or None
            if mac and not _MAC_TEXT.match(mac):
                self.note("info", "mac-odd", nic, "mac", f"{mac!r} is not a MAC address: left out")
                mac = None
            if mac and mac in macs:
                self.note(
                    "warning",
                    "mac-duplicate",
                    nic,
                    "mac",
                    f"{label} of VM {name!r} has MAC {mac}, as row {macs[mac].number} of the same VM has; "
                    "both NICs are kept: give each NIC its own MAC in vSphere before the migration, or "
                    f"{_EDIT}",
                )
            elif mac:
                macs[mac] = nic
            vm_nics.append(
                VmNic(
                    label=label,
                    mac=mac,
                    adapter=adapter_type(nic.text("adapter")),
                    network=self._network(vc, dc, host_id, nic),
                    connected=True if connected is None else connected,
                    start_connected=True if starts is None else starts,
                    addresses=self._addresses(nic),
                )
            )
        vm_nics.sort(key=lambda n: _natural(n.label))
        dc.vms.append(
            VirtualMachine(
                id=row.text("vm_id") or f"vm:{name}",
                name=name,
                folder=_name(row, "folder") or None,
                cluster=_cluster_id(cluster) if cluster else None,
                host=host_id,
                power_state=self._power(row),  # type: ignore[arg-type]
                template=self._template(row),
                nics=tuple(vm_nics),
            )
        )

    def _power(self, row: Row) -> str | None:
        """The VM's power state; a cell that is none of RVTools' words is a finding (unknown)."""
        text = row.text("power")
        power = _power(text)
        if power is None and text:
            self.note(
                "warning",
                "cell-odd",
                row,
                "power",
                f"VM {_name(row, 'vm')!r}: {text!r} is not a power state (poweredOn, poweredOff, suspended): "
                f"read as unknown; {_EDIT}: set its 'power_state'",
            )
        return power

    def _template(self, row: Row) -> bool:
        """Is the VM a template; a cell that is neither ``True`` nor ``False`` is a finding (not one)."""
        template = _bool(row, "template")
        if template is None and row.text("template"):
            self.note(
                "warning",
                "cell-odd",
                row,
                "template",
                f"VM {_name(row, 'vm')!r}: {row.text('template')!r} is neither True nor False: read as not "
                f"a template; {_EDIT}: set its 'template'",
            )
        return bool(template)

    def _addresses(self, row: Row) -> tuple[str, ...]:
        """The guest addresses of a vNetwork row: ``IPv4 Address`` and ``IPv6 Address`` hold
        comma-separated lists without prefix lengths; what is not an address is a finding."""
        out: list[str] = []
        for key in ("ipv4", "ipv6"):
            for part in _list(row, key):
                if is_address(part):
                    out.append(part)
                else:
                    self.note("info", "address-odd", row, key, f"{part!r} is not an IP address: left out")
        return tuple(dict.fromkeys(out))

    def _network(self, vc: str, dc: _DC, host_id: str | None, row: Row) -> str | None:
        """The network id a vNetwork row's ``Network`` (and ``Switch``) names."""
        name = _name(row, "network")
        if not name:
            return None
        switch = _name(row, "switch")
        switches = {(v, n) for v, _h, n in self.std_switch_of} | set(self.dvs_of)
        if switch and (vc, switch) not in switches and (self.sheets["vSwitch"] or self.sheets["dvSwitch"]):
            self.note(
                "warning",
                "unknown-switch",
                row,
                "switch",
                f"a NIC of VM {_name(row, 'vm')!r} is on switch {switch!r}, which neither sheet 'vSwitch' "
                f"nor 'dvSwitch' lists: the NIC is mapped by its port group name {name!r} alone; check that "
                f"network in REPORT.md, or {_EDIT}",
            )
        if switch and (vc, switch, name) in self.dvpg_of:
            return self.dvpg_of[(vc, switch, name)].id
        if host_id and (vc, host_id, name) in self.std_pg_of:
            return self.std_pg_of[(vc, host_id, name)].network
        for pg in self.dvpg_by_name.get((vc, name), []):
            if pg.id in dc.port_groups:
                return pg.id
        if (vc, dc.name, name) in self.std_network_by_name:
            return self.std_network_by_name[(vc, dc.name, name)]
        opaque_id = f"network:{name}"
        partial = not (self.sheets["dvPort"] or self.sheets["vPort"])
        kind = "no port group tabs in the export" if partial else None
        dc.opaque.setdefault(opaque_id, OpaqueNetwork(id=opaque_id, name=name, network_type=kind))
        return opaque_id
