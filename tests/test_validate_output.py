"""How `trunkline validate` prints findings: readable at 80 columns and when piped, one file alone."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from tests.conftest import run_cli
from tests.support.manifests import config, nad, nncp_with_explicit_trunk, seed_nncp, write
from trunkline.cli.validate import finding_block, render
from trunkline.openshift.validate import validate_directory


def bad_dir(tmp_path: Path) -> Path:
    nncp = nncp_with_explicit_trunk()  # trunk-tags 40 only
    return write(tmp_path, {"nncp.yaml": nncp, "nad.yaml": nad(config(vlan=41, macspoofcheck=True))})


def test_piped_findings_are_blocks_wrapped_to_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = bad_dir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    proc = run_cli("validate", str(d))
    assert proc.returncode == 1
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80
    assert not any(c in proc.stdout for c in "┏│…\x1b")  # no table, no cut words, no colour codes
    title, unknown, vlan = proc.stdout.strip().split("\n\n")
    assert " ".join(title.splitlines()) == (
        f"{d}: 2 findings in 2 objects (1 NetworkAttachmentDefinition, 1 NodeNetworkConfigurationPolicy)"
    )
    text = (d / "nad.yaml").read_text().splitlines()
    config_line = 1 + next(i for i, t in enumerate(text) if t.strip().startswith("config:"))
    # continuation lines are indented: the first line of each block is the only one at column 0
    for block in (unknown, vlan):
        assert all(line.startswith("    ") for line in block.splitlines()[1:])
    joined = " ".join(line.strip() for line in unknown.splitlines())
    assert joined == (
        f"nad.yaml:{config_line}: error cni-key-unknown: the bridge CNI plugin has no option "
        "'macspoofcheck' in NetworkAttachmentDefinition default/vm-vlan-40, field spec.config.macspoofcheck "
        "fix: the plugin ignores it silently"
    )
    assert vlan.startswith(f"nad.yaml:{config_line}: error vlan-not-on-uplink: VLAN 41 is not allowed on")
    assert vlan.splitlines()[-1] == "    fix: add it to the port's vlan.trunk-tags"


def test_wide_terminal_gets_the_table_and_a_narrow_one_blocks(tmp_path: Path) -> None:
    result = validate_directory(bad_dir(tmp_path))
    wide, narrow = io.StringIO(), io.StringIO()
    render(result, Console(file=wide, width=200, force_terminal=True))
    render(result, Console(file=narrow, width=80, force_terminal=True, no_color=True))
    assert "file:line" in wide.getvalue() and "┃" in wide.getvalue()
    text = narrow.getvalue()
    assert "┃" not in text and "…" not in text
    assert "    fix: add it to the port's vlan.trunk-tags" in text.splitlines()


def test_finding_without_a_separate_fix_has_no_fix_line(tmp_path: Path) -> None:
    [finding] = validate_directory(
        write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config(mtu=10))})
    ).findings
    assert (
        finding_block(finding, 80).splitlines()[-1]
        == "    in NetworkAttachmentDefinition default/vm-vlan-40, field spec.config.mtu"
    )


def test_one_file_is_checked_alone_with_a_note(tmp_path: Path) -> None:
    d = write(tmp_path, {"nncp.yaml": seed_nncp(), "nad.yaml": nad(config())})
    proc = run_cli("validate", str(d / "nad.yaml"))
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout == f"{d / 'nad.yaml'}: 1 object (1 NetworkAttachmentDefinition), no findings\n"
    assert proc.stderr.startswith(
        f"note: {d / 'nad.yaml'} was checked alone; its references to objects in other"
    )
    # the file's own mistakes are still found
    write(tmp_path, {"nad.yaml": nad(config(vlan=5000))})
    proc = run_cli("validate", str(d / "nad.yaml"), "--json")
    assert proc.returncode == 1
    assert '"key": "vlan-out-of-range"' in proc.stdout


def test_field_lines_after_non_ascii_text_and_in_list_items(tmp_path: Path) -> None:
    # field lines are found by composing the object's slice of the file again (character offsets)
    listed = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [nad(config(), name="ok"), nad(config(vlan=5000), name="bad")],
    }
    text = "# Réseau du VLAN 40 — é à ü\n" + yaml.safe_dump_all(
        [seed_nncp(), listed], sort_keys=False, allow_unicode=True
    )
    d = write(tmp_path, {"all.yaml": text.replace("name: ok", "name: ok  # passé")})
    [finding] = validate_directory(d).findings
    assert finding.object == "NetworkAttachmentDefinition default/bad"
    lines = (d / "all.yaml").read_text().splitlines()
    assert lines[finding.line - 1].strip().startswith("config: ")
    bad_line = 1 + next(i for i, t in enumerate(lines) if t.strip() == "name: bad")
    assert bad_line < finding.line
