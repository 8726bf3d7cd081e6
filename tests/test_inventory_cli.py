"""`trunkline inventory` as a user runs it (subprocess): exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.support.rvtools_corpus import SEED_V4_YAML, V4, seed_rows, write_workbook


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("GOVC_URL", "GOVC_USERNAME", "GOVC_PASSWORD", "GOVC_INSECURE"):
        monkeypatch.delenv(name, raising=False)


def _one_line_error(result: object, exit_code: int = 2) -> str:
    assert result.returncode == exit_code, result.stderr  # type: ignore[attr-defined]
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, result.stderr  # type: ignore[attr-defined]
    assert lines[0].startswith("trunkline: error: ")
    return lines[0].removeprefix("trunkline: error: ")


def test_read_rvtools_writes_the_inventory_file(tmp_path: Path) -> None:
    xlsx = write_workbook(tmp_path / "export.xlsx", seed_rows())
    out = tmp_path / "inventory.yaml"
    result = run_cli("inventory", "read", "--rvtools", str(xlsx), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == SEED_V4_YAML
    assert result.stderr == (
        f"wrote {out}: 1 vCenter, 1 datacenter, 2 hosts, 2 switches, 7 port groups, 3 VMs (4 NICs); "
        "0 reader finding(s): 0 error(s), 0 warning(s), 0 note(s)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.xlsx", "inventory.yaml"]


def test_show_the_bundled_example_fits_80_columns() -> None:
    result = run_cli("inventory", "show")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == "1 vCenter, 1 datacenter, 2 hosts, 2 switches, 6 port groups, 5 VMs (6 NICs)"
    assert lines[1] == "A standard switch or port group of one name on several hosts counts once."
    assert lines[2] == "NIC map (vSphere -> node): vmnic1 -> ens34"
    # the header counts what the tables list: 2 switches, 6 port groups
    assert [line for line in lines if line != line.rstrip()] == []  # piped: no padding at line ends
    switches = lines[lines.index("Switches") + 4 : lines.index("Port groups") - 1]
    port_groups = lines[lines.index("Port groups") + 4 : lines.index("Hosts") - 1]
    assert (len(switches), len(port_groups)) == (2, 6)
    assert [line.split() for line in lines if line.strip().startswith("vm-vlan-40")] == [
        ["vm-vlan-40", "DSwitch", "40", "reject", "1"],
        ["vm-vlan-40", "40", "vlan40-client", "(vmxnet3)"],
    ]
    assert [line.split() for line in lines if line.strip().startswith("vmnic1")] == [
        ["vmnic1", "1G", "DSwitch", "Uplink", "1", "VMs:", "10,", "20,", "30,"],
        ["vmnic1", "1G", "DSwitch", "Uplink", "1", "VMs:", "10,", "20,", "30,"],
    ]


def test_show_reads_an_rvtools_export_directly(tmp_path: Path) -> None:
    xlsx = write_workbook(tmp_path / "export.xlsx", seed_rows())
    result = run_cli("inventory", "show", str(xlsx))
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.splitlines()[0]
        == "1 vCenter, 1 datacenter, 2 hosts, 2 switches, 7 port groups, 3 VMs (4 NICs)"
    )


def test_schema_prints_the_published_schema() -> None:
    result = run_cli("inventory", "schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "docs" / "inventory.schema.json").read_text(encoding="utf-8")


def test_malformed_yaml_is_exit_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "inventory.yaml"
    bad.write_text("version: 1\nvcenters:\n  - name: [vc\n", encoding="utf-8")
    assert _one_line_error(run_cli("inventory", "show", str(bad))) == (
        f"{bad}:4: column 1: not valid YAML (expected ',' or ']', but got '<stream end>' while parsing "
        "a flow sequence); fix the YAML syntax there"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            "no-dvport",
            "the export lacks 1 tab(s) a plan needs: 'dvPort' (the distributed port groups and their "
            "VLANs); export all tabs with RVTools (File > Export all to Excel); `trunkline inventory show` "
            "shows what the present tabs hold",
        ),
        (
            "no-network-column",
            "sheet 'vNetwork' has no column 'Network' (or 'Portgroup', 'Port Group'); export the workbook "
            "again with RVTools, whose exports have it",
        ),
    ],
)
def test_bad_rvtools_export_is_exit_2_naming_the_place_and_writes_nothing(
    tmp_path: Path, change: str, message: str
) -> None:
    layout = {s: list(h) for s, h in V4.items()}
    rows = seed_rows()
    if change == "no-dvport":
        del layout["dvPort"]
    elif change == "no-network-column":
        layout["vNetwork"].remove("Network")
    xlsx = write_workbook(tmp_path / "export.xlsx", rows, layout)
    out = tmp_path / "inventory.yaml"
    result = run_cli("inventory", "read", "--rvtools", str(xlsx), "-o", str(out))
    assert _one_line_error(result) == f"{xlsx}: {message}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.xlsx"]


def test_read_without_a_source_says_which_to_give(tmp_path: Path) -> None:
    result = run_cli("inventory", "read", "-o", str(tmp_path / "inventory.yaml"))
    assert _one_line_error(result) == (
        "no source given: pass --vcenter HOST (repeatable, or set GOVC_URL) or --rvtools FILE.xlsx"
    )


def test_vcenter_options_with_rvtools_are_refused(tmp_path: Path) -> None:
    xlsx = write_workbook(tmp_path / "export.xlsx", seed_rows())
    result = run_cli(
        "inventory", "read", "--rvtools", str(xlsx), "--insecure", "-o", str(tmp_path / "i.yaml")
    )
    assert _one_line_error(result) == "--insecure applies to --vcenter only; remove it when reading --rvtools"


def test_output_in_a_missing_directory_is_exit_2(tmp_path: Path) -> None:
    xlsx = write_workbook(tmp_path / "export.xlsx", seed_rows())
    out = tmp_path / "missing" / "inventory.yaml"
    result = run_cli("inventory", "read", "--rvtools", str(xlsx), "-o", str(out))
    assert _one_line_error(result) == (
        f"{out}: directory {out.parent} does not exist; create it or choose another path"
    )


@pytest.mark.parametrize("strict", [False, True])
def test_read_prints_the_reader_findings_and_exits_0_or_1_under_strict(tmp_path: Path, strict: bool) -> None:
    rows = seed_rows()
    rows["vPort"][1]["VLAN"] = 5000
    xlsx = write_workbook(tmp_path / "export.xlsx", rows)
    out = tmp_path / "inventory.yaml"
    result = run_cli(
        "inventory", "read", "--rvtools", str(xlsx), "-o", str(out), *(["--strict"] if strict else [])
    )
    edit = "edit the inventory file `trunkline inventory read` wrote, then run `trunkline plan` on it"
    lines = [
        "warning vlan-odd: sheet 'vPort' row 3 column 'VLAN': port group 'Management Network': VLAN ID 5000 "
        f"is out of range 0-4095; {edit}",
        # an odd cell is its own finding, never a vote: no disagreement with esxi01's VLAN 0
        f"wrote {out}: 1 vCenter, 1 datacenter, 2 hosts, 2 switches, 8 port groups, 3 VMs (4 NICs); "
        "1 reader finding(s): 0 error(s), 1 warning(s), 0 note(s)",
    ]
    if strict:
        lines.append(
            "trunkline: error: --strict: the reader had 1 error or warning finding(s) (listed above); "
            f"{out} was written: edit it, then run `trunkline plan` on it"
        )
    assert (result.returncode, result.stderr.splitlines()) == (1 if strict else 0, lines)
    from trunkline.vsphere.findings import finding_lines
    from trunkline.vsphere.yamlfile import load_inventory_file

    assert finding_lines(load_inventory_file(out).findings) == lines[:1]
