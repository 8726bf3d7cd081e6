"""A small hand-written inventory the inventory tests share (not a test module)."""

from __future__ import annotations

SMALL = """\
version: 1
vcenters:
- name: vc
  datacenters:
  - id: dc
    name: DC
    switches:
    - id: dvs-1
      name: DSwitch
      kind: distributed
    port_groups:
    - id: dvportgroup-1
      name: vm-vlan-40
      switch: dvs-1
      vlan: 40
    vms:
    - id: vm-1
      name: a
      nics:
      - label: Network adapter 1
        network: dvportgroup-1
"""
