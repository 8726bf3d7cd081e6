"""trunkline: replicate a vSphere network design on OpenShift Virtualization and see what crosses the trunk.

Parts (see ``docs/design.md``):

* :mod:`trunkline.vsphere` reads the source design into an :class:`~trunkline.vsphere.model.Inventory`.
* :mod:`trunkline.openshift` translates an inventory into NNCPs, NADs, KubeVirt stanzas and an MTV NetworkMap.
* :mod:`trunkline.xdp` counts frames per VLAN and protocol with an XDP or TC eBPF program.
"""

from trunkline.errors import (
    BadInputError,
    EnvironmentProblem,
    FindingsError,
    TrunklineError,
)

__version__ = "0.1.0"

__all__ = [
    "BadInputError",
    "EnvironmentProblem",
    "FindingsError",
    "TrunklineError",
    "__version__",
]
