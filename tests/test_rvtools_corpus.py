"""The fixture corpus (tests/support/rvtools_corpus.py), each estate through `inventory read`,
`inventory show` and `plan` as a user runs them, with exact NNCPs, NADs, findings and counts; then a
row-by-row check that every port group, switch, host NIC and VM NIC of each workbook is in the inventory
with its cells' values, or in a finding naming its row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli
from tests.support import rvtools_corpus as corpus
from trunkline.vsphere.model import Inventory
from trunkline.vsphere.rvtools import parse_dvport_vlan, parse_vport_vlan, read_rvtools

EDIT = "edit the inventory file `trunkline inventory read` wrote, then run `trunkline plan` on it"


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


def _nncps(out: Path) -> list[tuple[str, dict[str, str], list[str], str | None, list[Any]]]:
    """(name, nodeSelector, ethernet NICs, bond mode, the bridge port's trunk tags) per NNCP."""
    rows = []
    for doc in yaml.safe_load_all((out / "nncp.yaml").read_text(encoding="utf-8")):
        ifaces = doc["spec"]["desiredState"]["interfaces"]
        nics = [i["name"] for i in ifaces if i["type"] == "ethernet"]
        bond = next((i["link-aggregation"]["mode"] for i in ifaces if i["type"] == "bond"), None)
        (bridge,) = [i for i in ifaces if i["type"] == "linux-bridge"]
        (port,) = bridge["bridge"]["port"]
        tags = [t.get("id") or t.get("id-range") for t in port["vlan"]["trunk-tags"]]
        rows.append((doc["metadata"]["name"], doc["spec"]["nodeSelector"], nics, bond, tags))
    return rows


def _nads(out: Path) -> dict[str, tuple[str, int | None]]:
    """NAD name -> (bridge, VLAN)."""
    docs = yaml.safe_load_all((out / "nads.yaml").read_text(encoding="utf-8"))
    configs = [json.loads(d["spec"]["config"]) for d in docs]
    return {c["name"]: (c["bridge"], c.get("vlan")) for c in configs}


def _report_findings(out: Path) -> list[tuple[str, str, str]]:
    """(severity, code, about) of REPORT.md's findings table."""
    text = (out / "REPORT.md").read_text(encoding="utf-8")
    table = text.split("## Findings")[1].split("### Finding codes")[0]
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    return [(r[0].removeprefix("| "), r[1], r[2]) for r in rows[1:]]


def _run(estate: corpus.Estate, tmp_path: Path, *plan_args: str) -> tuple[Any, Any, Any, Path]:
    xlsx = estate.write(tmp_path / f"{estate.name}.xlsx")
    inv = tmp_path / "inventory.yaml"
    read = run_cli("inventory", "read", "--rvtools", str(xlsx), "-o", str(inv))
    show = run_cli("inventory", "show", str(xlsx))
    out = tmp_path / "plan"
    plan = run_cli("plan", str(inv), "-o", str(out), *plan_args)
    if plan.returncode == 0:  # what plan writes passes trunkline's own checks
        checked = run_cli("validate", str(out))
        assert (checked.returncode, checked.stdout.endswith(", no findings\n")) == (0, True), checked.stdout
    return read, show, plan, out


def _show_ok(show: Any) -> list[str]:
    assert show.returncode == 0, show.stderr
    lines = show.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    return lines


def test_dvs_with_lacp_and_blank_uplink_vlan_plans_an_802_3ad_bond(tmp_path: Path) -> None:
    read, show, plan, out = _run(
        corpus.dvs_lacp(), tmp_path, "--nic-map", "lag1-0=ens1f0", "--nic-map", "lag1-1=ens1f1"
    )
    assert (read.returncode, read.stderr.splitlines()[-1].split(": ", 1)[1]) == (
        0,
        "1 vCenter, 1 datacenter, 2 hosts, 2 switches, 4 port groups, 3 VMs (3 NICs); "
        "0 reader finding(s): 0 error(s), 0 warning(s), 0 note(s)",
    )
    lines = _show_ok(show)
    (at,) = [i for i, line in enumerate(lines) if "DVUplinks" in line]
    assert lines[at].split() == ["DSwitch-Prod-DVUplinks-3", "DSwitch-Prod", "untagged", "reject", "0"]
    assert lines[at + 1].split() == ["6", "(uplinks)"]  # name and switch columns wrap
    assert plan.returncode == 0, plan.stderr
    assert _nncps(out) == [
        (
            "vlan-trunk-vlan-trunk-bond-policy",
            {"node-role.kubernetes.io/worker": "", "trunkline.io/node-group": "workers"},
            ["ens1f0", "ens1f1"],
            "802.3ad",
            [110, 120],
        )
    ]
    assert _nads(out) == {"prod-110": ("vlan-trunk", 110), "prod-120": ("vlan-trunk", 120)}
    assert _report_findings(out) == [
        ("info", "vmkernel-only", "port group 'Management Network' (DC-East, switch vSwitch0)")
    ]
    report = (out / "REPORT.md").read_text(encoding="utf-8")
    assert (
        "| prod-110 | 110 | 5 | 10.1.10.21, fe80::250:56ff:fe01:1, 2001:db8:110::21, 10.1.10.22, "
        "10.1.10.40 | "
        "10.1.10.0/26 (inferred), 2001:db8:110::21/128 (inferred) |"  # link-local left out of the covering
    ) in report
    assert "| prod-120 | 120 | 1 | 10.1.20.5 | 10.1.20.5/32 (inferred) |" in report


def test_4_4_trunk_with_blank_vlan_is_a_finding_and_the_rest_plans(tmp_path: Path) -> None:
    estate = corpus.trunk_44()
    read, show, plan, out = _run(estate, tmp_path, "--nic-map", "vmnic2=ens1f0", "--nic-map", "vmnic3=ens1f1")
    assert read.returncode == 0, read.stderr
    assert read.stderr.splitlines()[0] == (
        "warning vlan-blank: sheet 'dvPort' row 3 column 'VLAN': port group 'guest-trunk' has a blank VLAN "
        "cell (RVTools 4.4 leaves trunk port groups blank), so its VLANs are unknown and it gets no NAD; "
        f"{EDIT}: set its 'vlan' to the VLAN ID or trunk ranges such as \"100-199,300\""
    )
    lines = _show_ok(show)
    assert [line.split() for line in lines if line.strip().startswith("guest-trunk")] == [
        ["guest-trunk", "DSwitch-Edge", "unknown", "reject", "1"],
        ["guest-trunk", "unknown", "fw01", "(vmxnet3)"],
    ]
    assert [line.split() for line in lines if line.strip().startswith("dvUplink_site1")] == [
        ["dvUplink_site1", "DSwitch-Edge", "(uplinks)", "untagged", "reject", "0"]
    ]
    assert plan.returncode == 0, plan.stderr
    assert _nncps(out) == [
        (
            "vlan-trunk-vlan-trunk-bond-policy",
            {"node-role.kubernetes.io/worker": "", "trunkline.io/node-group": "workers"},
            ["ens1f0", "ens1f1"],
            "active-backup",
            [30],
        )
    ]
    assert _nads(out) == {"web-30": ("vlan-trunk", 30)}
    assert _report_findings(out) == [
        ("error", "vlan-unknown", "port group 'guest-trunk' (DC-East, switch DSwitch-Edge)"),
        ("warning", "vlan-blank", "sheet 'dvPort' row 3 column 'VLAN'"),
        ("warning", "vm-nic-unmapped", "port group 'guest-trunk': VLAN unknown"),
        ("warning", "vm-patch-withheld", "VM 'fw01'"),
        ("info", "teaming", "switch DSwitch-Edge"),
        ("info", "vmkernel-only", "port group 'Management Network' (DC-East, switch vSwitch0)"),
    ]
    strict = run_cli("plan", str(tmp_path / "inventory.yaml"), "-o", str(tmp_path / "p2"), "--strict",
                     "--nic-map", "vmnic2=ens1f0", "--nic-map", "vmnic3=ens1f1")  # fmt: skip
    assert strict.returncode == 1


def test_nsx_v_virtualwires_are_findings_listing_their_nics_never_nads_on_the_transport_vlan(
    tmp_path: Path,
) -> None:
    read, show, plan, out = _run(
        corpus.nsx_v(), tmp_path, "--nic-map", "vmnic2=ens1f0", "--nic-map", "vmnic3=ens1f1"
    )
    assert read.returncode == 0, read.stderr
    lines = _show_ok(show)
    assert sum("4000 (NSX)" in line for line in lines) == 2
    assert plan.returncode == 0, plan.stderr
    assert _nads(out) == {"infra-50": ("vlan-trunk", 50)}
    assert [tags for *_, tags in _nncps(out)] == [[50]]
    report = (out / "REPORT.md").read_text(encoding="utf-8")
    assert (
        "| error | nsx | port group 'vxw-dvs-60-virtualwire-1-sid-5001-web-ls' (DC-East, switch DSwitch-NSX) "
        "| "
        "an NSX logical switch (VXLAN/Geneve overlay; its VLAN 4000 is the transport VLAN, not the VMs'): "
        "no NAD; its 1 VM NIC(s): web11 (Network adapter 1); plan the segment on OpenShift by hand, or map "
        "it with --mtv-map NAME=pod\\|ignored | yes |"
    ) in report
    assert [c for _, c, _ in _report_findings(out)].count("nsx") == 2


def test_two_clusters_with_repeated_vmnic_names_are_two_node_groups_never_one_bond(tmp_path: Path) -> None:
    read, show, plan, out = _run(corpus.two_clusters(), tmp_path, "--nic-map", "vmnic2=ens2f0",
                                 "--nic-map", "vmnic3=ens2f1")  # fmt: skip
    assert read.returncode == 0, read.stderr
    _show_ok(show)
    assert plan.returncode == 0, plan.stderr
    assert _nncps(out) == [
        (
            "dmz-vlan-trunk-vlan-trunk-bond-policy",
            {"node-role.kubernetes.io/worker": "", "trunkline.io/node-group": "dmz"},
            ["ens2f0", "ens2f1"],
            "active-backup",
            [200],
        ),
        (
            "prod-br-vswitch1-br-vswitch-bond-policy",
            {"node-role.kubernetes.io/worker": "", "trunkline.io/node-group": "prod"},
            ["ens2f0", "ens2f1"],
            "active-backup",
            [10],
        ),
    ]
    assert _nads(out) == {"app-10": ("br-vswitch1", 10), "dmz-200": ("vlan-trunk", 200)}
    report = (out / "REPORT.md").read_text(encoding="utf-8")
    assert (
        "| dmz | node-role.kubernetes.io/worker, trunkline.io/node-group=dmz | dmz01.corp.example, "
        "dmz02.corp.example | automatic | cluster DMZ: vSwitch-DMZ on vmnic2, vmnic3 |"
    ) in report
    assert "# prod: the nodes replacing esx31.corp.example, esx32.corp.example\n" in report
    assert "oc label node NODE trunkline.io/node-group=prod\n" in report


def test_blank_uplink_port_on_half_the_hosts_takes_the_uplinks_from_the_others(tmp_path: Path) -> None:
    read, show, plan, out = _run(corpus.blank_uplink_port(), tmp_path, "--nic-map", "Uplink 1=ens3f0",
                                 "--nic-map", "Uplink 2=ens3f1")  # fmt: skip
    assert read.returncode == 0, read.stderr
    assert read.stderr.splitlines()[0] == (
        "info uplink-port-blank: sheet 'vNIC' row 14 column 'Uplink port': distributed switch "
        "'DSwitch-Main': "
        "'Uplink port' is blank on row 14 (esx43.corp.example vmnic4), row 15 (esx43.corp.example vmnic5), "
        "row 16 (esx44.corp.example vmnic4), row 17 (esx44.corp.example vmnic5), while other hosts name "
        "their uplinks; the plan takes the uplinks from the hosts that name them"
    )
    _show_ok(show)
    assert plan.returncode == 0, plan.stderr
    assert _nncps(out) == [
        (
            "vlan-trunk-vlan-trunk-bond-policy",
            {"node-role.kubernetes.io/worker": "", "trunkline.io/node-group": "workers"},
            ["ens3f0", "ens3f1"],
            "active-backup",
            [40],
        )
    ]
    codes = [c for _, c, _ in _report_findings(out)]
    assert "uplink-layout" not in codes and "no-uplink" not in codes


def test_one_to_one_vlan_disagreement_is_a_warning_naming_values_hosts_and_rows(tmp_path: Path) -> None:
    read, show, plan, out = _run(corpus.vlan_disagreement(), tmp_path, "--nic-map", "vmnic0=ens1",
                                 "--nic-map", "vmnic1=ens2")  # fmt: skip
    assert read.returncode == 0, read.stderr
    assert read.stderr.splitlines()[0] == (
        "warning vlan-disagreement: sheet 'vPort' row 6 column 'VLAN': standard port group 'VM Network': "
        "the hosts disagree with no majority (VLAN 20 on esx51.corp.example (row 3); VLAN 21 on "
        f"esx52.corp.example (row 6)); REPORT.md says which VLAN the plan used: to choose, {EDIT}"
    )
    _show_ok(show)
    assert plan.returncode == 0, plan.stderr
    assert _nads(out) == {"apps": ("vlan-trunk", 20), "vm-network": ("vlan-trunk", 20)}
    report = (out / "REPORT.md").read_text(encoding="utf-8")
    assert (
        "the hosts give this port group different VLANs (VLAN 20 on esx51.corp.example; VLAN 21 on "
        "esx52.corp.example); the plan uses VLAN 20 (the most common; on a tie the first in sort order)"
    ) in report
    assert ("info", "shared-vlan", "VLAN 20 on switch vSwitch0 (DC-East)") in _report_findings(out)


def test_disconnected_nics_and_templates_counted_and_patched_alike_everywhere(tmp_path: Path) -> None:
    read, show, plan, out = _run(corpus.disconnected_templates(), tmp_path, "--nic-map", "vmnic2=ens1f0")
    counts = "1 vCenter, 1 datacenter, 1 host, 2 switches, 3 port groups, 3 VMs (3 NICs), 1 template (1 NIC)"
    assert read.stderr.splitlines()[-1].split(": ", 1)[1].startswith(counts + ";")
    lines = _show_ok(show)
    assert " ".join(" ".join(lines[:2]).split()) == counts
    vms = " ".join(line for line in lines if "(vmxnet3" in line or line.startswith(" " * 10))
    for shown in ("on-unplugged (vmxnet3, disconnected)", "off-plugged (vmxnet3)",
                  "off-unplugged (vmxnet3, disconnected)", "tmpl-rhel9 (vmxnet3, template)"):  # fmt: skip
        assert shown in " ".join(vms.split()), vms
    assert plan.returncode == 0, plan.stderr
    report = (out / "REPORT.md").read_text(encoding="utf-8")
    assert (
        "- 3 VM(s) with 3 NIC(s) -> 3 VM patch(es) in `vms/`; 1 template(s) with 1 NIC(s), not migrated as "
        "VMs"
    ) in report
    assert (
        "| lab-60 | DSwitch-Lab | 60 | " in report
        or "| DSwitch-Lab | lab-60 | 60 | default/lab-60 |" in report
    )
    assert [(s, c, a) for s, c, a in _report_findings(out) if c == "nic-disconnected"] == [
        ("warning", "nic-disconnected", "VM 'off-unplugged' Network adapter 1"),
        ("warning", "nic-disconnected", "VM 'on-unplugged' Network adapter 1"),
    ]
    patch = json.loads((out / "vms" / "on-unplugged.json").read_text(encoding="utf-8"))
    assert "state" not in patch["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"][0]
    down = tmp_path / "down"
    again = run_cli("plan", str(tmp_path / "inventory.yaml"), "-o", str(down), "--nic-map", "vmnic2=ens1f0",
                    "--disconnected-down")  # fmt: skip
    assert again.returncode == 0, again.stderr
    states = {
        name: json.loads((down / "vms" / f"{name}.json").read_text(encoding="utf-8"))["spec"]["template"][
            "spec"
        ]["domain"]["devices"]["interfaces"][0].get("state")
        for name in ("on-unplugged", "off-plugged", "off-unplugged")
    }
    assert states == {"on-unplugged": "down", "off-plugged": None, "off-unplugged": "down"}


def test_sizing_only_export_shows_what_it_holds_and_refuses_to_plan_naming_every_missing_tab(
    tmp_path: Path,
) -> None:
    xlsx = corpus.sizing_only(tmp_path / "sizing.xlsx")
    missing = (
        "the export lacks 5 tab(s) a plan needs: 'vNIC' (the hosts' physical NICs (uplinks)); 'vSwitch' (the "
        "standard switches); 'vPort' (the standard port groups and their VLANs); 'dvSwitch' (the distributed "
        "switches); 'dvPort' (the distributed port groups and their VLANs); export all tabs with RVTools "
        "(File > Export all to Excel); `trunkline inventory show` shows what the present tabs hold"
    )
    read = run_cli("inventory", "read", "--rvtools", str(xlsx), "-o", str(tmp_path / "i.yaml"))
    assert (read.returncode, read.stderr) == (2, f"trunkline: error: {xlsx}: {missing}\n")
    plan = run_cli("plan", str(xlsx), "-o", str(tmp_path / "p"))
    assert (plan.returncode, plan.stderr) == (2, f"trunkline: error: {xlsx}: {missing}\n")
    lines = _show_ok(run_cli("inventory", "show", str(xlsx)))
    assert lines[0] == "1 vCenter, 1 datacenter, 2 hosts, 0 switches, 0 port groups, 3 VMs (3 NICs)"
    assert [line.split() for line in lines if "(vmxnet3)" in line] == [
        ["prod-110", "?", "app01", "(vmxnet3),", "app02", "(vmxnet3)"],
        ["prod-120", "?", "db01", "(vmxnet3)"],
    ]
    assert [line.split()[:4] for line in lines if line.strip().startswith("prod-1")][:2] == [
        ["prod-110", "-", "(no", "port"],
        ["prod-120", "-", "(no", "port"],
    ]
    at = lines.index("5 reader finding(s): 0 error(s), 5 warning(s), 0 note(s)")
    assert " ".join(" ".join(lines[at + 1 :]).split()).startswith(
        "warning sheet-missing: sheet 'vNIC': the export has no tab 'vNIC', so the inventory lacks the "
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sizing.xlsx"]


@pytest.mark.parametrize("command", ["read", "show", "plan"])
def test_csv_export_is_refused_in_one_line_saying_how_to_export_xlsx(tmp_path: Path, command: str) -> None:
    csv = corpus.csv_export(tmp_path)
    args = {
        "read": ("inventory", "read", "--rvtools", str(csv), "-o", str(tmp_path / "i.yaml")),
        "show": ("inventory", "show", str(csv)),
        "plan": ("plan", str(csv), "-o", str(tmp_path / "p")),
    }[command]
    result = run_cli(*args)
    assert (result.returncode, result.stderr) == (
        2,
        f"trunkline: error: {csv}: is an RVTools CSV export (one file per tab), which trunkline does not "
        "read; export to Excel instead: in RVTools, File > Export all to Excel (.xlsx), and give that file\n",
    )


def test_a_workbook_that_only_resembles_rvtools_says_so(tmp_path: Path) -> None:
    rows = corpus.dvs_lacp().rows
    layout = {s: [h for h in hs if not h.startswith("VI SDK")] for s, hs in corpus.HEADERS_47.items()}
    xlsx = corpus.write_workbook(tmp_path / "copy.xlsx", rows, layout)
    result = run_cli("inventory", "read", "--rvtools", str(xlsx), "-o", str(tmp_path / "i.yaml"))
    assert (result.returncode, result.stderr) == (
        2,
        f"trunkline: error: {xlsx}: resembles an RVTools export but no tab has RVTools' own column(s) "
        "'VI SDK Server'; export the inventory with RVTools itself (File > Export all to Excel) rather than "
        "a copy of its tabs\n",
    )


# --------------------------------------------------------------------------------------------------
# Row by row: every row is in the inventory with its values, or in a finding naming it
# --------------------------------------------------------------------------------------------------


def _in_findings(inv: Inventory, sheet: str, row: int) -> bool:
    return any(f.place.sheet == sheet and f.place.row == row for f in inv.findings) or any(
        f.place.sheet == sheet and f"row {row} " in f.message for f in inv.findings
    )


#: Codes of findings that leave their row out of the inventory (the row is in the finding instead).
_LEFT_OUT = {"duplicate-row", "duplicate-object-id", "name-blank", "unknown-host"}


def _left_out(inv: Inventory, sheet: str, row: int) -> bool:
    """Is *row* of *sheet* left out, with a finding on it that says so?"""
    return any(
        f.code in _LEFT_OUT and (f.place.sheet, f.place.row) == (sheet, row) for f in inv.findings
    )


def _bool(text: Any) -> bool:
    return str(text) == "True"


@pytest.mark.parametrize("name", sorted(corpus.ESTATES))
def test_every_row_of_the_workbook_is_in_the_inventory_or_a_finding(tmp_path: Path, name: str) -> None:
    estate = corpus.ESTATES[name]()
    inv = read_rvtools(estate.write(tmp_path / "e.xlsx"))
    (vc,) = inv.vcenters
    (dc,) = vc.datacenters
    switches = {s.id: s for s in dc.switches}
    hosts = {h.name: h for h in dc.hosts}
    checked = 0
    for number, row in enumerate(estate.rows.get("dvSwitch", []), start=2):
        if _left_out(inv, "dvSwitch", number):
            checked += 1
            continue
        (sw,) = [s for s in dc.switches if s.kind == "distributed" and s.name == row["Switch"]]
        assert (sw.id, sw.mtu) == (row["Object ID"], row["Max MTU"]), number
        assert [g.name for g in sw.lacp_groups] == ([row["LACP Name"]] if row.get("LACP Name") else [])
        checked += 1
    for number, row in enumerate(estate.rows.get("dvPort", []), start=2):
        if _left_out(inv, "dvPort", number):
            checked += 1
            continue
        pgs = [p for p in dc.port_groups if p.id == row["Object ID"]]
        (pg,) = pgs
        assert (pg.name, switches[pg.switch].name) == (row["Port"], row["Switch"])
        if row["VLAN"] is None:
            assert pg.uplink_portgroup or (pg.vlan.type == "unknown" and _in_findings(inv, "dvPort", number))
        else:
            assert pg.vlan == parse_dvport_vlan(str(row["VLAN"])), number
        assert pg.teaming.active == tuple(
            a.strip() for a in (row["Active Uplink"] or "").split(",") if a.strip()
        )
        checked += 1
    for number, row in enumerate(estate.rows.get("vHost", []), start=2):
        if not _left_out(inv, "vHost", number):
            assert (hosts[row["Host"]].id, dc.name) == (row["Object ID"], row["Datacenter"]), number
        checked += 1
    for number, row in enumerate(estate.rows.get("vSwitch", []), start=2):
        if _left_out(inv, "vSwitch", number):
            checked += 1
            continue
        host = hosts[row["Host"]]
        sw = switches[f"{host.id}/{row['Switch']}"]
        assert (sw.kind, sw.host, sw.mtu, sw.teaming.policy) == (
            "standard",
            host.id,
            row["MTU"],
            row["Policy"],
        )
        checked += 1
    for number, row in enumerate(estate.rows.get("vPort", []), start=2):
        if _left_out(inv, "vPort", number):
            checked += 1
            continue
        host = hosts[row["Host"]]
        (pg,) = [p for p in dc.port_groups if p.id == f"{host.id}/{row['Switch']}/{row['Port Group']}"]
        assert pg.vlan == parse_vport_vlan(row["VLAN"]) or _in_findings(inv, "vPort", number), number
        checked += 1
    for number, row in enumerate(estate.rows.get("vNIC", []), start=2):
        if _left_out(inv, "vNIC", number):
            checked += 1
            continue
        (nic,) = [n for n in hosts[row["Host"]].nics if n.name == row["Network Device"]]
        assert (nic.mac, nic.speed_mbps) == (row["MAC"], row["Speed"]), number
        if not row["Switch"]:  # an unused NIC
            assert (nic.switch, nic.uplink) == (None, None), number
            checked += 1
            continue
        switch = switches[nic.switch or ""]
        assert switch.name == row["Switch"], number
        uplink = row["Network Device"] if switch.kind == "standard" else row["Uplink port"]
        assert nic.uplink == uplink or _in_findings(inv, "vNIC", number), number
        checked += 1
    names = {p.network: p.name for p in dc.port_groups} | {o.id: o.name for o in dc.opaque_networks}
    for number, row in enumerate(estate.rows.get("vNetwork", []), start=2):
        if _left_out(inv, "vNetwork", number):
            checked += 1
            continue
        (vm,) = [v for v in dc.vms if v.id == row["VM ID"]]
        (nic,) = [n for n in vm.nics if n.label == row["NIC label"]]
        addresses = [
            a.strip() for key in ("IPv4 Address", "IPv6 Address") for a in (row.get(key) or "").split(",")
        ]
        assert (names[nic.network or ""], nic.mac, nic.connected, nic.start_connected, nic.addresses) == (
            row["Network"], row["Mac Address"], _bool(row["Connected"]), _bool(row["Starts Connected"]),
            tuple(a for a in addresses if a),
        ), number  # fmt: skip
        assert (vm.template, vm.power_state) == (_bool(row["Template"]), row["Powerstate"])
        checked += 1
    for number, row in enumerate(estate.rows.get("vSC_VMK", []), start=2):
        if not _left_out(inv, "vSC_VMK", number):
            (vmk,) = [k for k in hosts[row["Host"]].vmkernel_nics if k.name == row["Device"]]
            pgs = {p.id: p.name for p in dc.port_groups}
            assert pgs.get(vmk.port_group or "") == row["Port Group"] or _in_findings(inv, "vSC_VMK", number)
        checked += 1
    tabs = ("vHost", "dvSwitch", "dvPort", "vSwitch", "vPort", "vNIC", "vNetwork", "vSC_VMK")
    assert checked == sum(len(estate.rows.get(s, [])) for s in tabs)


_MGMT = ("info", "vmkernel-only", "port group 'Management Network' (DC-East, switch vSwitch0)")

#: Per estate: the NIC map, the inventory's counts, and every finding of its plan (severity, code, about).
EXPECTED: dict[str, tuple[dict[str, str], str, list[tuple[str, str, str]]]] = {
    "nsx_v": (
        {"vmnic2": "ens1f0", "vmnic3": "ens1f1"},
        "1 vCenter, 1 datacenter, 2 hosts, 2 switches, 5 port groups, 3 VMs (3 NICs)",
        [
            (
                "error",
                "nsx",
                "port group 'vxw-dvs-60-virtualwire-1-sid-5001-web-ls' (DC-East, switch DSwitch-NSX)",
            ),
            (
                "error",
                "nsx",
                "port group 'vxw-dvs-60-virtualwire-2-sid-5002-db-ls' (DC-East, switch DSwitch-NSX)",
            ),
            (
                "warning",
                "vm-nic-unmapped",
                "port group 'vxw-dvs-60-virtualwire-1-sid-5001-web-ls': NSX logical switch",
            ),
            (
                "warning",
                "vm-nic-unmapped",
                "port group 'vxw-dvs-60-virtualwire-2-sid-5002-db-ls': NSX logical switch",
            ),
            ("info", "teaming", "switch DSwitch-NSX"),
            _MGMT,
        ],
    ),
    "two_clusters": (
        {"vmnic2": "ens2f0", "vmnic3": "ens2f1"},
        "1 vCenter, 1 datacenter, 4 hosts, 3 switches, 3 port groups, 2 VMs (2 NICs)",
        [("info", "teaming", "switch vSwitch-DMZ"), ("info", "teaming", "switch vSwitch1"), _MGMT],
    ),
    "blank_uplink_port": (
        {"Uplink 1": "ens3f0", "Uplink 2": "ens3f1"},
        "1 vCenter, 1 datacenter, 4 hosts, 2 switches, 3 port groups, 1 VM (1 NIC)",
        [
            ("info", "teaming", "switch DSwitch-Main"),
            ("info", "uplink-port-blank", "sheet 'vNIC' row 14 column 'Uplink port'"),
            _MGMT,
        ],
    ),
    "vlan_disagreement": (
        {"vmnic0": "ens1", "vmnic1": "ens2"},
        "1 vCenter, 1 datacenter, 2 hosts, 1 switch, 4 port groups, 2 VMs (2 NICs)",
        [
            ("warning", "vlan-disagreement", "sheet 'vPort' row 6 column 'VLAN'"),
            ("warning", "vlan-mismatch", "port group 'VM Network' (DC-East, switch vSwitch0)"),
            ("info", "shared-vlan", "VLAN 20 on switch vSwitch0 (DC-East)"),
            ("info", "teaming", "switch vSwitch0"),
            _MGMT,
        ],
    ),
    "messy_rows": (
        {"vmnic2": "ens1f0", "vmnic3": "ens1f1"},
        "1 vCenter, 1 datacenter, 2 hosts, 2 switches, 2 port groups, 2 VMs (2 NICs)",
        [
            ("warning", "duplicate-row", "sheet 'vHost' row 4 column 'Host'"),
            ("warning", "duplicate-row", "sheet 'vNIC' row 11 column 'Network Device'"),
            ("warning", "duplicate-row", "sheet 'vNetwork' row 3 column 'NIC label'"),
            ("warning", "duplicate-row", "sheet 'vSwitch' row 6 column 'Switch'"),
            ("warning", "name-blank", "sheet 'vNetwork' row 5 column 'VM'"),
            ("warning", "name-blank", "sheet 'vPort' row 6 column 'Port Group'"),
            ("warning", "unknown-portgroup", "sheet 'vSC_VMK' row 4 column 'Port Group'"),
            ("info", "duplicate-row", "sheet 'vNIC' row 10 column 'Network Device'"),
            ("info", "teaming", "switch vSwitch1"),
            _MGMT,
        ],
    ),
    "disconnected_templates": (
        {"vmnic2": "ens1f0"},
        "1 vCenter, 1 datacenter, 1 host, 2 switches, 3 port groups, 3 VMs (3 NICs), 1 template (1 NIC)",
        [
            ("warning", "nic-disconnected", "VM 'off-unplugged' Network adapter 1"),
            ("warning", "nic-disconnected", "VM 'on-unplugged' Network adapter 1"),
            ("info", "templates", "1 VM template(s)"),
            _MGMT,
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_finding_and_count_of_each_estate(tmp_path: Path, name: str) -> None:
    from trunkline.openshift.nicmap import node_groups
    from trunkline.openshift.plan import PlanOptions, build_plan
    from trunkline.vsphere.summary import counts_text

    nic_map, counts, findings = EXPECTED[name]
    inv = read_rvtools(corpus.ESTATES[name]().write(tmp_path / "e.xlsx"))
    assert counts_text(inv) == counts
    plan = build_plan(inv, PlanOptions(node_groups=node_groups({}, None, nic_map)))
    assert [(f.severity, f.code, f.subject) for f in plan.findings] == findings


def test_messy_rows_are_findings_and_read_show_and_plan_agree_end_to_end(tmp_path: Path) -> None:
    read, show, plan, out = _run(
        corpus.messy_rows(), tmp_path, "--nic-map", "vmnic2=ens1f0", "--nic-map", "vmnic3=ens1f1"
    )
    assert read.returncode == 0, read.stderr
    assert read.stderr.splitlines()[-1].endswith(
        "2 hosts, 2 switches, 2 port groups, 2 VMs (2 NICs); 8 reader finding(s): 0 error(s), "
        "7 warning(s), 1 note(s)"
    )
    lines = _show_ok(show)
    assert not any("''" in line for line in lines)
    assert plan.returncode == 0, plan.stderr
    assert _nads(out) == {"ops-30": ("vlan-trunk", 30)}
    assert [(name, nics, bond, tags) for name, _sel, nics, bond, tags in _nncps(out)] == [
        ("vlan-trunk-vlan-trunk-bond-policy", ["ens1f0", "ens1f1"], "active-backup", [30])
    ]
