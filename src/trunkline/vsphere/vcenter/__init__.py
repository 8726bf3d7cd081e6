"""Live vCenter reader: the network design of one or more vCenters, read in bulk through pyVmomi.

Each vCenter is read with a fixed number of SOAP round trips, whatever its size: log in, one
``ContainerView`` over the wanted object types, one ``PropertyCollector.RetrievePropertiesEx`` (plus one
``ContinueRetrievePropertiesEx`` per further page the server cuts the answer into), destroy the view, log
out. Only the properties the model needs are asked for (:data:`PROPERTIES`); managed objects are never
walked attribute by attribute (each attribute would be a round trip). pyVmomi's XML decoding dominates
the time of a large read (``config.hardware.device`` holds every device of a VM, not only its NICs); the
answer is decoded by pyVmomi itself, unaltered, which is slower than cutting it down first but keeps
trunkline off pyVmomi's internals.

The translation from the retrieved properties to the model (:func:`build_vcenter`) is pure: it takes
``(type, moid, {property path: value})`` triples, so that it can be tested with answers written by hand
from the vSphere Web Services API reference where the simulator cannot serve them.

Facts used (vSphere Web Services API reference):

* ``ManagedEntity.name`` escapes ``/``, ``\\`` and ``%`` as ``%2f``, ``%5c`` and ``%25``;
* ``HostPortGroupSpec.vlanId``: 0 untagged, 1-4094 tagged, 4095 all VLANs to the guest;
* distributed port groups: ``VmwareDistributedVirtualSwitchVlanIdSpec`` (0-4094),
  ``VmwareDistributedVirtualSwitchTrunkVlanSpec`` (``NumericRange`` list), ``...PvlanSpec`` (``pvlanId`` =
  the secondary VLAN; its primary and type are in the switch's ``VMwareDVSConfigInfo.pvlanConfig``);
* a policy field (``BoolPolicy``, ``StringPolicy``) with ``inherited`` true takes the switch's value;
* ``HostProxySwitch.spec.backing.pnicSpec[].uplinkPortKey`` names a key of ``HostProxySwitch.uplinkPort``
  whose value is the uplink name (``uplink1``).

The reader is split into modules: :mod:`.connect` (targets, TLS, timeouts, login and logout),
:mod:`.retrieve` (ContainerView + RetrievePropertiesEx), :mod:`.translate` and :mod:`.build` (retrieved
properties -> model), :mod:`.read` (:func:`read_inventory`), :mod:`.common` (shared helpers). Every name
is re-exported here.
"""

from trunkline.vsphere.vcenter.build import (
    _build_datacenter,
    _build_host,
    _build_vm,
    _folder_path,
    _sorted,
    build_vcenter,
    guest_addresses,
)
from trunkline.vsphere.vcenter.common import _fault_text, _log, _moid, _type_name, unescape_name
from trunkline.vsphere.vcenter.connect import TIMEOUT_S, Target, _connect_error, _session, parse_target
from trunkline.vsphere.vcenter.read import read_inventory
from trunkline.vsphere.vcenter.retrieve import (
    _VIEW_TYPES,
    PROPERTIES,
    _collect,
    _filter_spec,
    _read_one,
    _triples,
    retrieve_all,
)
from trunkline.vsphere.vcenter.translate import (
    _ADAPTERS,
    _CLUSTER_TYPES,
    _DVS_TYPES,
    _adapter,
    _dvs_security,
    _dvs_teaming,
    _dvs_vlan,
    _host_security,
    _host_teaming,
    _Index,
    _is_nic,
    _policy_value,
    _standard_vlan,
)

__all__ = [
    "PROPERTIES",
    "TIMEOUT_S",
    "Target",
    "build_vcenter",
    "guest_addresses",
    "parse_target",
    "read_inventory",
    "retrieve_all",
    "unescape_name",
    # private names, re-exported for code that reached them through this module
    "_ADAPTERS",
    "_CLUSTER_TYPES",
    "_DVS_TYPES",
    "_VIEW_TYPES",
    "_Index",
    "_adapter",
    "_build_datacenter",
    "_build_host",
    "_build_vm",
    "_collect",
    "_connect_error",
    "_dvs_security",
    "_dvs_teaming",
    "_dvs_vlan",
    "_fault_text",
    "_filter_spec",
    "_folder_path",
    "_host_security",
    "_host_teaming",
    "_is_nic",
    "_log",
    "_moid",
    "_policy_value",
    "_read_one",
    "_session",
    "_sorted",
    "_standard_vlan",
    "_triples",
    "_type_name",
]
