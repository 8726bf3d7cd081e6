"""The example designs bundled with trunkline (package data).

``vlan-trunk/inventory.yaml`` is the bundled example design: two ESXi hosts with ``vmnic0`` for
management and ``vmnic1`` as the trunk, and a distributed switch with port groups for VLANs 10-40.
``trunkline plan`` and ``trunkline inventory show`` use it when given no inventory.
"""

from __future__ import annotations

from pathlib import Path

#: How the bundled example design is named in messages and help texts.
BUNDLED_NAME = "the bundled example design"


def bundled_inventory() -> Path:
    """The path of the bundled example design's inventory file (``examples/vlan-trunk/inventory.yaml``).

    The file is package data next to this module; setuptools installs it unzipped, so the path is a
    real file that can be opened or passed to ``trunkline`` on the command line.
    """
    return Path(__file__).resolve().parent / "vlan-trunk" / "inventory.yaml"
