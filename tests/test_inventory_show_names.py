"""`inventory show` prints names exactly as written: no rich markup read in them, no control characters."""

from __future__ import annotations

import io

from rich.console import Console

from trunkline.vsphere.summary import render
from trunkline.vsphere.yamlfile import parse_inventory

NAMES = """\
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
      name: VLAN 10 [prod]
      switch: dvs-1
      vlan: 10
    vms:
    - id: vm-1
      name: "[/]broken"
      nics:
      - label: Network adapter 1
        network: dvportgroup-1
    - id: vm-2
      name: "evil\\e[2J"
      nics:
      - label: Network adapter 1
        network: dvportgroup-1
"""


def _shown() -> str:
    out = io.StringIO()
    Console(file=out, width=200, color_system=None, highlight=False).print(render(parse_inventory(NAMES)))
    return out.getvalue()


def test_brackets_in_names_are_shown_whole_and_do_not_crash() -> None:
    lines = [line.rstrip() for line in _shown().splitlines()]
    assert " VLAN 10 [prod]   DSwitch   10     ?           2" in lines
    vms = " VLAN 10 [prod]   10     [/]broken (?), evil\\x1b[2J (?)"
    assert any(line.startswith(vms) for line in lines), lines


def test_escape_characters_in_names_never_reach_the_terminal() -> None:
    shown = _shown()
    assert "\x1b" not in shown
    assert "evil\\x1b[2J" in shown
