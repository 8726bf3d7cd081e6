"""The translation plan: every mapping decision from a vSphere inventory to OpenShift, with its reason.

:func:`build_plan` is pure: an :class:`~trunkline.vsphere.model.Inventory` and :class:`PlanOptions` in,
a :class:`Plan` out; no I/O. The manifest builders (``openshift.nmstate``, ``nad``, ``kubevirt``,
``forklift``) turn a plan into objects, :mod:`trunkline.openshift.render` writes them.

Units of translation:

* a *logical switch*: a distributed switch, or the standard vSwitches of one name across the hosts of a
  datacenter;
* a *network*: a distributed port group, or the standard port groups of one name in a datacenter (one
  vCenter ``Network`` object); one NAD each;
* a *bridge*: one Linux (or OVS) bridge on the nodes per set of node NICs; logical switches whose uplinks
  map to the same node NIC share it;
* a *node group*: nodes sharing a NIC layout (:mod:`trunkline.openshift.nicmap`), one NNCP per node group
  and bridge.

Nothing is dropped silently: whatever is not translated is a :class:`Finding`; findings flagged
``unmapped`` make ``--strict`` fail.

The modules, in the order :func:`build_plan` runs them: :mod:`.model` (options and decisions),
:mod:`.source` (the inventory indexed by switch and network), :mod:`.networks` (VLANs, targets, NAD names),
:mod:`.uplinks` (node NICs and bonds per switch), :mod:`.bridges`, :mod:`.vms`, :mod:`.networkmaps`;
:mod:`.build` runs them, :mod:`.proposals` adds ``--node-state``, :mod:`.findings` orders the findings,
:mod:`.vlans` writes VLAN policies.
"""

from trunkline.facts import normalise_mac
from trunkline.openshift.plan.build import build_plan
from trunkline.openshift.plan.model import (
    BACKENDS,
    DEFAULT_MTU,
    NATIVE_VLAN,
    Backend,
    BondMode,
    BridgeDecision,
    Finding,
    NetworkDecision,
    NetworkMapDecision,
    NodeLayout,
    Plan,
    PlanOptions,
    Severity,
    SwitchRef,
    Target,
    VmDecision,
    VmNicDecision,
)
from trunkline.openshift.plan.proposals import NicCandidate, plan_with_node_state
from trunkline.openshift.plan.vlans import vlan_text
from trunkline.openshift.plan.vms import LINK_STATE_MIN_VERSION, kubevirt_model
from trunkline.vlanranges import format_ranges as ranges_text
from trunkline.vlanranges import merge_ranges

__all__ = [
    "BACKENDS",
    "DEFAULT_MTU",
    "LINK_STATE_MIN_VERSION",
    "NATIVE_VLAN",
    "Backend",
    "BondMode",
    "BridgeDecision",
    "Finding",
    "NetworkDecision",
    "NetworkMapDecision",
    "NicCandidate",
    "NodeLayout",
    "Plan",
    "PlanOptions",
    "Severity",
    "SwitchRef",
    "Target",
    "VmDecision",
    "VmNicDecision",
    "build_plan",
    "kubevirt_model",
    "merge_ranges",
    "normalise_mac",
    "plan_with_node_state",
    "ranges_text",
    "vlan_text",
]
