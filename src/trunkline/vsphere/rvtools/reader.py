"""Reading an RVTools export into an :class:`~trunkline.vsphere.model.Inventory`: the passes in order,
then the sorted assembly (see the package docstring)."""

from __future__ import annotations

from pathlib import Path

from trunkline.errors import BadInputError
from trunkline.vsphere.model import (
    Cluster,
    Datacenter,
    Host,
    Inventory,
    VCenter,
)
from trunkline.vsphere.rvtools.builder import _DC, _cluster_id, _dc_id
from trunkline.vsphere.rvtools.cells import (
    _natural,
)
from trunkline.vsphere.rvtools.networks import _SwitchesAndPortGroups
from trunkline.vsphere.rvtools.vms import _VirtualMachines
from trunkline.vsphere.rvtools.workbook import _read_workbook


class _Builder(_SwitchesAndPortGroups, _VirtualMachines):
    """Joins the sheets of one workbook into vCenters, datacenters, hosts, switches, port groups, VMs."""

    # -- the passes ---------------------------------------------------------------------------------

    def build(self) -> Inventory:
        if not any(self.sheets.get(sheet) for sheet in ("vInfo", "vHost", "dvSwitch", "vSwitch")):
            raise BadInputError(
                f"{self.path}: no vCenter found: sheets vInfo, vHost, vSwitch and dvSwitch have no rows; "
                "export the inventory again with RVTools while connected to vCenter"
            )
        self.formula_findings()
        self.hosts = self._hosts()
        self._unique_rows()
        self._versions()
        self._dv_switches()
        self._standard_switches(self.hosts)
        self._port_groups()
        self._host_nics(self.hosts)
        self._vmkernel_nics(self.hosts)
        self._vms()
        return self._assemble()

    def _assemble(self) -> Inventory:
        return Inventory(vcenters=tuple(self._vcenter(key) for key in sorted(self.vcs, key=self._vc_sort)))

    def _vc_sort(self, key: str) -> tuple[str, str]:
        return (self.vcs[key].name.lower(), key)

    def _vcenter(self, key: str) -> VCenter:
        vc = self.vcs[key]
        return VCenter(
            name=vc.name,
            instance_uuid=vc.uuid,
            version=vc.version,
            datacenters=tuple(self._datacenter(key, vc.dcs[name]) for name in sorted(vc.dcs, key=_natural)),
        )

    def _datacenter(self, vc: str, dc: _DC) -> Datacenter:
        hosts = sorted(
            (
                Host(
                    id=h["id"],
                    name=h["name"],
                    cluster=h["cluster"],
                    nics=tuple(sorted(h["nics"], key=lambda n: _natural(n.name))),
                    vmkernel_nics=tuple(sorted(h["vmks"], key=lambda n: _natural(n.name))),
                )
                for (v, _n), h in self.hosts.items()
                if v == vc and h["dc"] == dc.name
            ),
            key=lambda h: (_natural(h.name), h.id),
        )
        host_name = {h["id"]: h["name"] for (v, _n), h in self.hosts.items() if v == vc}
        switches = sorted(
            dc.switches.values(),
            key=lambda s: (
                s.kind != "standard",
                _natural(host_name.get(s.host or "", "")),
                _natural(s.name),
                s.id,
            ),
        )
        order = {s.id: i for i, s in enumerate(switches)}
        port_groups = sorted(
            dc.port_groups.values(), key=lambda p: (order.get(p.switch, len(order)), _natural(p.name), p.id)
        )
        name = dc.name or "unknown"
        return Datacenter(
            id=_dc_id(name),
            name=name,
            clusters=tuple(Cluster(id=_cluster_id(c), name=c) for c in sorted(dc.clusters, key=_natural)),
            hosts=tuple(hosts),
            switches=tuple(switches),
            port_groups=tuple(port_groups),
            opaque_networks=tuple(sorted(dc.opaque.values(), key=lambda o: _natural(o.name))),
            vms=tuple(sorted(dc.vms, key=lambda v: (_natural(v.name), v.id))),
        )


def read_rvtools(path: Path, partial: bool = False) -> Inventory:
    """Read the RVTools export at *path* (.xlsx) into an :class:`Inventory` (see the module docstring).

    Blank or odd cells, and rows referring to objects the export lacks, become the inventory's
    ``findings`` (sheet, row and column named); the rest is read. *partial*: read a workbook that lacks
    some of the tabs a plan needs (a sizing export), each missing tab a finding (what ``inventory show``
    does).

    Raises:
        BadInputError: not a readable .xlsx (an .xls, a CSV export, not an RVTools export); tabs a plan
            needs missing (all named in one error) unless *partial*; a column missing (named).
    """
    sheets, findings = _read_workbook(path, partial)
    inventory = _Builder(path, sheets, findings).build()
    return inventory.model_copy(update={"findings": tuple(findings)})
