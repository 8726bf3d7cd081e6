"""One typed reading of the OpenShift objects trunkline writes and reads back.

Every command that reads manifests (``validate``, ``lab``, ``verify``) reads NNCP bridge ports, NAD CNI
configs, VirtualMachine interfaces and networks, and NetworkMap entries through these functions, so that
they agree on what an object means. A reading never stops at the first bad field: it returns what it could
read and a list of :class:`Problem` (field path relative to the object, stable key, message with the fix).
``validate`` turns problems into findings with file and line; ``lab`` and ``verify`` turn the first one
into the project's one-line error (exit 2).

One module per kind, re-exported here (import from ``trunkline.openshift.objects``):

- :mod:`.common`: :class:`Problem` and the tolerant accessors every reader shares;
- :mod:`.nncp`: NNCP bridges and their ports' VLANs (:func:`read_bridges`, :func:`read_port_vlans`);
- :mod:`.nad`: NAD CNI configs (:func:`read_nad`, :func:`read_cni_vlans`);
- :mod:`.vm`: VirtualMachine interfaces and networks (:func:`read_vm`);
- :mod:`.networkmap`: MTV NetworkMap entries (:func:`read_network_map`).
"""

from trunkline.openshift.objects.common import Problem, is_int
from trunkline.openshift.objects.nad import (
    BRIDGE_CNI_TYPES,
    OVN_CNI_TYPE,
    CniVlans,
    parse_nad_config,
    plugin_configs,
    read_cni_vlans,
    read_nad,
)
from trunkline.openshift.objects.networkmap import NETWORK_MAP_TYPES, MapEntry, read_network_map
from trunkline.openshift.objects.nncp import (
    PORT_VLAN_KEYS,
    Bridge,
    BridgePort,
    PortVlans,
    bridge_ports,
    nncp_interfaces,
    read_bridges,
    read_port_vlans,
)
from trunkline.openshift.objects.vm import VmInterface, VmNetwork, read_vm

__all__ = [
    "BRIDGE_CNI_TYPES",
    "NETWORK_MAP_TYPES",
    "OVN_CNI_TYPE",
    "PORT_VLAN_KEYS",
    "Bridge",
    "BridgePort",
    "CniVlans",
    "MapEntry",
    "PortVlans",
    "Problem",
    "VmInterface",
    "VmNetwork",
    "bridge_ports",
    "is_int",
    "nncp_interfaces",
    "parse_nad_config",
    "plugin_configs",
    "read_bridges",
    "read_cni_vlans",
    "read_nad",
    "read_network_map",
    "read_port_vlans",
    "read_vm",
]
