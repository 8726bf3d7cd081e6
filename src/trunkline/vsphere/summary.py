"""A person's view of an :class:`~trunkline.vsphere.model.Inventory`: what `trunkline inventory show` prints.

Per datacenter, four tables: switches, port groups with their VLANs, hosts with their uplinks (and what
each uplink carries: vmkernel NICs, so management, or VM port groups, so a trunk), and the VMs on each
port group. The ``*_rows`` functions are pure (tuples of text, tested as such); :func:`render` turns
them into rich tables that read well on an 80-column terminal.

Standard port groups and standard switches with the same name on several hosts are one row each
("vSwitch0, 2 hosts"), so that a hundred hosts do not make a hundred identical rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from trunkline.vsphere.model import (
    AccessVlan,
    Datacenter,
    Inventory,
    NoVlan,
    PortGroup,
    PrivateVlan,
    SecurityPolicy,
    TrunkVlan,
    UnknownVlan,
    VirtualSwitch,
    nic_disconnected,
)

Row = tuple[str, ...]

#: C0 and C1 control characters and DEL: shown as ``\\xNN`` so that a name cannot move the cursor,
#: change colours or clear the terminal (ECMA-48).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def plain(text: str) -> Text:
    """User-supplied *text* as a rich :class:`Text`: never read as rich markup (``VLAN 10 [prod]`` stays
    whole) and control characters (ANSI escapes among them) written as ``\\xNN``."""
    return Text(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


def vlan_text(pg: PortGroup) -> str:
    """The VLAN policy as people say it: ``untagged``, ``40``, ``4095 (all, guest tags)``,
    ``trunk 100-199,300``, ``pvlan 101`` (``pvlan 100/101`` with the primary ID)."""
    vlan = pg.vlan
    if isinstance(vlan, NoVlan):
        return "untagged"
    if isinstance(vlan, AccessVlan):
        return "4095 (all, guest tags)" if vlan.id == 4095 else str(vlan.id)
    if isinstance(vlan, TrunkVlan):
        parts = [f"{r.start}-{r.end}" if r.start != r.end else str(r.start) for r in vlan.ranges]
        return "trunk " + ",".join(parts)
    if isinstance(vlan, PrivateVlan):
        kind = f" {vlan.pvlan_type}" if vlan.pvlan_type else ""
        primary = f"{vlan.primary}/" if vlan.primary is not None else ""
        return f"pvlan {primary}{vlan.secondary}{kind}"
    if isinstance(vlan, UnknownVlan):
        return "unknown"
    raise TypeError(f"not a VLAN policy: {vlan!r}")


def _yes_no(value: bool | None, yes: str, no: str) -> str:
    return "?" if value is None else (yes if value else no)


def security_text(policy: SecurityPolicy) -> str:
    """``forged transmits`` first (what the bridge CNI's ``macspoofchk`` enforces), then the two others
    only when accepted: ``reject``, ``accept``, ``reject, promiscuous``, ``?`` (unknown)."""
    text = _yes_no(policy.forged_transmits, "accept", "reject")
    extra = [
        name for name, on in (("promiscuous", policy.promiscuous), ("MAC changes", policy.mac_changes)) if on
    ]
    return ", ".join([text, *extra])


def _hosts_text(count: int) -> str:
    return f"{count} host" if count == 1 else f"{count} hosts"


def _switch_label(dc: Datacenter, switch_id: str) -> str:
    names = _switch_names(dc)
    return names.get(switch_id, f"{switch_id} (unknown)")


_names_cache: dict[int, tuple[Datacenter, dict[str, str]]] = {}


def _switch_names(dc: Datacenter) -> dict[str, str]:
    """Switch id -> name of *dc*, built once per datacenter (a lookup per table row otherwise scans every
    switch)."""
    cached = _names_cache.get(id(dc))
    if cached is None or cached[0] is not dc:
        cached = (dc, {s.id: s.name for s in dc.switches})
        _names_cache.clear()
        _names_cache[id(dc)] = cached
    return cached[1]


def switch_rows(dc: Datacenter) -> list[Row]:
    """(switch, kind, hosts, MTU, uplinks, forged transmits) per distributed switch and per standard
    switch name."""
    rows: list[Row] = []
    standard: dict[str, list[VirtualSwitch]] = defaultdict(list)
    for switch in dc.switches:
        if switch.kind == "standard":
            standard[switch.name].append(switch)
        else:
            members = sum(1 for h in dc.hosts if any(n.switch == switch.id for n in h.nics))
            rows.append(
                (
                    switch.name,
                    "distributed",
                    _hosts_text(members),
                    _mtu([switch.mtu]),
                    ", ".join([*switch.uplinks, *(f"LAG {g.name}" for g in switch.lacp_groups)]) or "-",
                    security_text(switch.security),
                )
            )
    for name, switches in standard.items():
        uplinks = sorted({u for s in switches for u in s.uplinks})
        forged = sorted({security_text(s.security) for s in switches})
        rows.append(
            (
                name,
                "standard",
                _hosts_text(len(switches)),
                _mtu(s.mtu for s in switches),
                ", ".join(uplinks) or "-",
                " / ".join(forged),
            )
        )
    return rows


def _mtu(values: Iterable[int | None]) -> str:
    seen = sorted({v for v in values if v is not None})
    return "/".join(str(v) for v in seen) if seen else "?"


def _network_groups(dc: Datacenter) -> list[tuple[str, list[PortGroup]]]:
    """Port groups grouped as people see them: one group per ``network`` id, and standard port groups
    with the same name, switch name and VLAN on several hosts in one group too."""
    names = {s.id: s.name for s in dc.switches}
    kinds = {s.id: s.kind for s in dc.switches}
    groups: dict[tuple[str, ...], list[PortGroup]] = {}
    for pg in dc.port_groups:
        key: tuple[str, ...] = (pg.network,)
        if kinds.get(pg.switch) == "standard":
            key = ("standard", names.get(pg.switch, ""), pg.name, vlan_text(pg))
        groups.setdefault(key, []).append(pg)
    return [(pgs[0].network, pgs) for pgs in groups.values()]


def port_group_rows(dc: Datacenter) -> list[Row]:
    """(port group, switch, VLAN, forged transmits, VM NICs) per network; the forged-transmits column is
    the port group's policy over its switch's (inherited values filled in); template NICs are not
    counted."""
    nics_on: dict[str, int] = defaultdict(int)
    for vm in dc.vms:
        if vm.template:
            continue  # templates are counted apart, as in the plan
        for nic in vm.nics:
            if nic.network:
                nics_on[nic.network] += 1
    switch_policy = {s.id: s.security for s in dc.switches}
    rows: list[Row] = []
    for _network, pgs in _network_groups(dc):
        pg = pgs[0]
        switch = _switch_label(dc, pg.switch)
        if len(pgs) > 1:
            switch = f"{switch}, {_hosts_text(len(pgs))}"
        vlan = vlan_text(pg)
        if pg.uplink_portgroup:
            switch = f"{switch} (uplinks)"
        if pg.nsx:
            vlan = f"{vlan} (NSX)"
        policies = {security_text(p.security.merged_over(switch_policy.get(p.switch))) for p in pgs}
        nics = sum(nics_on.get(n, 0) for n in {p.network for p in pgs})
        rows.append((pg.name, switch, vlan, " / ".join(sorted(policies)), str(nics)))
    for opaque in dc.opaque_networks:
        kind = opaque.network_type or "opaque/NSX"
        rows.append((opaque.name, "-", f"({kind})", "?", str(nics_on.get(opaque.id, 0))))
    return rows


def host_rows(dc: Datacenter) -> list[Row]:
    """(host, NIC, speed, switch, uplink, carries) per physical NIC.

    *carries* tells management NICs from VM trunks: the vmkernel NICs on port groups of that switch
    (``vmk0 Management Network``) and ``VMs`` with the VLANs of the switch's port groups that have VM
    NICs. vmkernel NICs are not physical NICs: those on a switch without uplinks are named in the
    *carries* column of one last row of their host (NIC ``-``)."""
    by_switch: dict[str, list[PortGroup]] = defaultdict(list)
    for pg in dc.port_groups:
        by_switch[pg.switch].append(pg)
    pg_by_id = {pg.id: pg for pg in dc.port_groups}
    vm_networks = {nic.network for vm in dc.vms for nic in vm.nics if nic.network}
    vm_vlans: dict[str, str] = {}  # per switch: the same for every host's NIC on it
    rows: list[Row] = []
    for host in dc.hosts:
        shown: set[str] = set()
        first = True
        for nic in host.nics:
            carries: list[str] = []
            if nic.switch:
                for vmk in host.vmkernel_nics:
                    on = pg_by_id.get(vmk.port_group or "")
                    if on is not None and on.switch == nic.switch:
                        carries.append(f"{vmk.name} {on.name}")
                        shown.add(vmk.name)
                if nic.switch not in vm_vlans:
                    vm_vlans[nic.switch] = carried_vlans(
                        p
                        for p in by_switch[nic.switch]
                        if not p.uplink_portgroup and p.network in vm_networks
                    )
                if vm_vlans[nic.switch]:
                    carries.append("VMs: " + vm_vlans[nic.switch])
            rows.append(
                (
                    host.name if first else "",
                    nic.name,
                    _speed(nic.speed_mbps),
                    _switch_label(dc, nic.switch) if nic.switch else "-",
                    nic.uplink or "-",
                    "; ".join(carries) or "-",
                )
            )
            first = False
        unshown = [v for v in host.vmkernel_nics if v.name not in shown]
        if unshown:  # vmkernel NICs on switches without uplinks: not host NICs, so no NIC of their own
            texts = []
            for vmk in unshown:
                on = pg_by_id.get(vmk.port_group or "")
                where = f"{on.name} on {_switch_label(dc, on.switch)}" if on else "no port group"
                texts.append(f"{vmk.name} {where} (no uplink)")
            rows.append((host.name if first else "", "-", "", "-", "-", "; ".join(texts)))
    return rows


def _speed(mbps: int | None) -> str:
    if mbps is None:
        return "unknown"  # the model's None: link down or not reported
    return f"{mbps // 1000}G" if mbps >= 1000 and mbps % 1000 == 0 else f"{mbps}M"


#: At most this many VLAN IDs, ranges or policies are listed in the Hosts table's "Carries" column.
MAX_VLANS_SHOWN = 12


def carried_vlans(port_groups: Iterable[PortGroup]) -> str:
    """What *port_groups* carry, in short: ``untagged, 10-12, 40, trunk 100-199, pvlan 101`` (consecutive
    VLAN IDs joined into ranges; at most :data:`MAX_VLANS_SHOWN` items, the rest counted: ``(+7 more)``);
    ``""`` for none."""
    ids: set[int] = set()
    others: set[str] = set()
    for pg in port_groups:
        if isinstance(pg.vlan, AccessVlan) and pg.vlan.id != 4095:
            ids.add(pg.vlan.id)
        else:
            others.add(vlan_text(pg))
    items: list[str] = ["untagged"] if "untagged" in others else []
    others.discard("untagged")
    start = prev = None
    for vid in sorted(ids):
        if prev is not None and vid == prev + 1:
            prev = vid
            continue
        if start is not None:
            items.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = vid
    if start is not None:
        items.append(str(start) if start == prev else f"{start}-{prev}")
    items.extend(sorted(others, key=_vlan_sort))
    shown = ", ".join(items[:MAX_VLANS_SHOWN])
    return shown if len(items) <= MAX_VLANS_SHOWN else f"{shown} (+{len(items) - MAX_VLANS_SHOWN} more)"


def _vlan_sort(text: str) -> tuple[int, str]:
    head = text.split(" ")[0]
    return (int(head), text) if head.isdigit() else (-1 if text == "untagged" else 5000, text)


#: At most this many VMs are named per port group; the rest are counted (``+12 more``).
MAX_VMS_SHOWN = 8


def _vm_list(labels: list[str]) -> str:
    shown = ", ".join(labels[:MAX_VMS_SHOWN])
    return shown if len(labels) <= MAX_VMS_SHOWN else f"{shown} (+{len(labels) - MAX_VMS_SHOWN} more)"


def vm_rows(dc: Datacenter) -> list[Row]:
    """(port group, VLAN, VMs with their adapter type) per network with VMs; disconnected NICs
    (:func:`~trunkline.vsphere.model.nic_disconnected`) are marked ``disconnected``, templates
    ``template``; NICs on no network are listed under ``(no network)``. Up to :data:`MAX_VMS_SHOWN` VMs
    are named per row, the others counted."""
    names = {pg.network: pg for pg in dc.port_groups}
    opaque = {o.id: o.name for o in dc.opaque_networks}
    on: dict[str | None, list[str]] = defaultdict(list)
    for vm in dc.vms:
        for nic in vm.nics:
            marks = [nic.adapter or "?"]
            if vm.template:
                marks.append("template")
            if nic_disconnected(vm, nic):
                marks.append("disconnected")
            label = f"{vm.name} ({', '.join(marks)})"
            on[nic.network].append(label)
    rows: list[Row] = []
    for _network, pgs in _network_groups(dc):
        labels = [label for n in dict.fromkeys(p.network for p in pgs) for label in on.get(n, [])]
        if labels:
            rows.append((pgs[0].name, vlan_text(pgs[0]), _vm_list(labels)))
    for network, labels in on.items():
        if network is not None and network not in names:
            rows.append((opaque.get(network, network), "?", _vm_list(labels)))
    if None in on:
        rows.append(("(no network)", "-", _vm_list(on[None])))
    return rows


#: A column narrower than this many characters (or its longest word, when shorter) is unreadable: a table
#: whose columns cannot all get it on the terminal is stacked instead.
READABLE_WIDTH = 12


class FittingTable:
    """A table that wraps its cells to fit the terminal, or, when its columns cannot all keep a readable
    width (:data:`READABLE_WIDTH`), is stacked: one block per row, one ``header: value`` line per cell.
    No column is ever dropped. Columns in *whole* (MACs, NAD names) keep their longest word whole: their
    width never goes below it. Cells are text (shown as is, never read as markup) or styled
    :class:`~rich.text.Text`; column *wide* takes the spare width."""

    def __init__(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[str | Text]], wide: int,
                 whole: tuple[int, ...] = ()) -> None:
        self.title, self.headers, self.wide, self.whole = title, tuple(headers), wide, whole
        self.rows = [[c if isinstance(c, Text) else plain(c) for c in row] for row in rows]

    def _longest(self, column: int) -> int:
        return max((len(w) for r in self.rows for w in r[column].plain.split()), default=0)

    def needed_width(self) -> int:
        """The narrowest width at which every column stays readable."""
        widths = []
        for i, header in enumerate(self.headers):
            longest = self._longest(i)
            widths.append(max(len(header), longest if i in self.whole else min(READABLE_WIDTH, longest)))
        return sum(widths) + 2 * (len(widths) - 1)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.needed_width() <= options.max_width:
            # one column short of the terminal: rich lays the last column out one character wider than
            # it draws it, cutting a character off its longest lines at the terminal's edge
            yield from console.render(self._table(), options.update(width=options.max_width - 1))
            return
        yield Text(self.title, style="bold")
        for row in self.rows:
            for i, (header, cell) in enumerate(zip(self.headers, row, strict=True)):
                if not cell:
                    continue
                line = Text.assemble(("  " if i else "", ""), (f"{header}: ", "bold" if i == 0 else ""))
                line.append_text(cell)
                yield line
        yield Text("")

    def _table(self) -> Table:
        """The table: the first column keeps its names whole up to 24 characters, the *whole* columns
        their longest word; every column wraps rather than overflowing a narrow terminal."""
        table = Table(title=self.title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                      title_style="bold")
        first = min(24, max((len(r[0]) for r in self.rows), default=0))
        for i, header in enumerate(self.headers):
            least = first if i == 0 else (len(header) if i != self.wide else None)
            if i in self.whole:
                least = max(len(header), self._longest(i))
            table.add_column(header, overflow="fold", min_width=least)
        for row in self.rows:
            table.add_row(*row)
        return table


def print_trimmed(console: Console, renderable: RenderableType) -> None:
    """Print *renderable* on *console*; to a file or pipe (no terminal) without the spaces rich pads
    table lines with, so that piped output has no trailing whitespace."""
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    console.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


MERGED_NOTE = "A standard switch or port group of one name on several hosts counts once."


def _merges(inventory: Inventory) -> bool:
    """Whether counting as the tables do merged any standard switch or port group across hosts."""
    dcs = [dc for vc in inventory.vcenters for dc in vc.datacenters]
    return any(len(switch_rows(dc)) != len(dc.switches) or len(_network_groups(dc)) != len(dc.port_groups)
               for dc in dcs)


def counts_text(inventory: Inventory) -> str:
    """One line: ``1 vCenter, 1 datacenter, 2 hosts, 2 switches, 6 port groups (...), 5 VMs (6 NICs)``,
    then ``, 1 template (1 NIC)`` when there are templates (counted apart from VMs, as the plan does).

    Switches and port groups are counted as the tables list them (and as REPORT.md counts them): a
    standard switch, or standard port group, of one name on several hosts is one (:data:`MERGED_NOTE`)."""
    dcs = [dc for vc in inventory.vcenters for dc in vc.datacenters]
    switches = sum(len(switch_rows(dc)) for dc in dcs)
    port_groups = sum(len(_network_groups(dc)) for dc in dcs)  # the table's rows less opaque networks

    def n(count: int, word: str) -> str:
        return f"{count} {word}" + ("" if count == 1 else ("es" if word.endswith("ch") else "s"))

    vms = [vm for dc in dcs for vm in dc.vms if not vm.template]
    templates = [vm for dc in dcs for vm in dc.vms if vm.template]
    parts = [
        n(len(inventory.vcenters), "vCenter"),
        n(len(dcs), "datacenter"),
        n(sum(len(dc.hosts) for dc in dcs), "host"),
        n(switches, "switch"),
        n(port_groups, "port group"),
        n(len(vms), "VM") + f" ({n(sum(len(vm.nics) for vm in vms), 'NIC')})",
    ]
    if templates:
        parts.append(n(len(templates), "template") + f" ({n(sum(len(t.nics) for t in templates), 'NIC')})")
    return ", ".join(parts)


def render(inventory: Inventory) -> RenderableType:
    """The summary as one rich renderable (print it with a :class:`rich.console.Console`); the reader's
    findings, if any, come last."""
    parts: list[RenderableType] = [Text(counts_text(inventory), style="bold")]
    if _merges(inventory):
        parts.append(Text(MERGED_NOTE))
    if inventory.nic_map:
        mapping = ", ".join(f"{k} -> {v}" for k, v in sorted(inventory.nic_map.items()))
        parts.append(plain(f"NIC map (vSphere -> node): {mapping}"))
    for vc in inventory.vcenters:
        for dc in vc.datacenters:
            parts.append(Text(""))
            heading = plain(f"vCenter {vc.name} / datacenter {dc.name}")
            heading.stylize("bold underline")
            parts.append(heading)
            parts.append(
                FittingTable(
                    "Switches",
                    ("Switch", "Kind", "Hosts", "MTU", "Uplinks", "Forged tx"),
                    switch_rows(dc),
                    wide=4,
                )
            )
            parts.append(
                FittingTable(
                    "Port groups",
                    ("Port group", "Switch", "VLAN", "Forged tx", "NICs"),
                    port_group_rows(dc),
                    wide=2,
                )
            )
            parts.append(
                FittingTable(
                    "Hosts", ("Host", "NIC", "Speed", "Switch", "Uplink", "Carries"), host_rows(dc), wide=5
                )
            )
            parts.append(
                FittingTable("VMs per port group", ("Port group", "VLAN", "VMs"), vm_rows(dc), wide=2)
            )
    if inventory.findings:
        from trunkline.vsphere.findings import finding_lines, findings_text

        parts += [Text(""), Text(findings_text(inventory.findings), style="bold")]
        parts += [plain(line) for line in finding_lines(inventory.findings)]
    return Group(*parts)
