"""RVTools export (.xlsx) -> :class:`~trunkline.vsphere.model.Inventory`.

RVTools (Dell/Robware) writes one worksheet ("tab") per object type, one header row, then one row per
object. trunkline reads these tabs (openpyxl, read-only mode, so large exports stream):

=========  ==================================================================================
vInfo      the VMs: name, power state, template, VM ID (moid), folder, cluster, host
vNetwork   the VMs' NICs: label, adapter type, network (port group) and switch, MAC, connected,
           starts connected
vHost      the ESXi hosts: datacenter, cluster, Object ID (moid)
vNIC       the hosts' physical NICs: device (vmnic1), MAC, speed, the switch that uses it and the
           DVS uplink port (``Uplink 1``)
vSwitch    standard vSwitches per host: MTU, security policy, teaming policy
vPort      standard port groups per host: switch, VLAN ID (0, 1-4094, 4095), security policy
dvSwitch   distributed switches: datacenter, max MTU, LACP group, Object ID
dvPort     distributed port groups: switch, VLAN (an ID, trunk ranges such as ``0-4094`` or
           ``100-199,300``, or a private VLAN), security policy, active/standby uplinks, Object ID
vSC_VMK    (optional) vmkernel NICs: port group, IP address
vSource    (optional) the vCenter's version
=========  ==================================================================================

Column names differ between RVTools versions (3.x against 4.x: ``NIC label`` is new in 4.x,
``IP Address`` became ``IPv4 Address``/``IPv6 Address``, ``VI SDK UUID``, ``VM ID`` and ``Object ID``
columns were added, and new columns appear in most releases). Columns are therefore found by name,
case- and spacing-insensitively, among the known spellings (:data:`COLUMNS`), in any order, and
unknown columns are ignored. A missing sheet or a missing required column is one
:class:`~trunkline.errors.BadInputError` naming both.

Several vCenters in one export (RVTools can read several at once, the ``VI SDK Server`` column says
which) become several :class:`VCenter` objects, keyed by ``VI SDK UUID`` (the vCenter instance UUID).

Ids: RVTools exports managed object ids only for some objects (VMs' ``VM ID``, hosts', switches' and
distributed port groups' ``Object ID`` in 4.x). Where none is exported, the id is written
``<kind>:<name>`` (``datacenter:DC1``, ``cluster:Cluster01``, ``host:esx01``, ``dvs:DSwitch``,
``dvportgroup:DSwitch/vm-vlan-40``), and the id joining same-named standard port groups across hosts
(vCenter's ``Network`` object, ``network-45`` in the API) is ``network:<port group name>``. A network a
VM NIC names that is neither a standard nor a distributed port group (an NSX segment, or a port group
on a host not in the export) becomes an :class:`OpaqueNetwork`, so it is reported, never dropped.

Names are unescaped as vSphere shows them (``%2f`` -> ``/``, ``%5c`` -> ``\\``, ``%25`` -> ``%``).
"""

from trunkline.vsphere.rvtools.cells import adapter_type, parse_dvport_vlan, parse_vport_vlan, unescape_name
from trunkline.vsphere.rvtools.columns import COLUMNS, REQUIRED_SHEETS, RVTOOLS_OWN_COLUMNS, SHEET_GIVES
from trunkline.vsphere.rvtools.reader import read_rvtools
from trunkline.vsphere.rvtools.workbook import (
    Row,
    csv_error,
    looks_like_csv,
    missing_sheets_error,
    old_excel_error,
    workbook_refusal,
)

__all__ = [
    "COLUMNS",
    "REQUIRED_SHEETS",
    "RVTOOLS_OWN_COLUMNS",
    "SHEET_GIVES",
    "Row",
    "adapter_type",
    "csv_error",
    "looks_like_csv",
    "missing_sheets_error",
    "old_excel_error",
    "parse_dvport_vlan",
    "parse_vport_vlan",
    "read_rvtools",
    "unescape_name",
    "workbook_refusal",
]
