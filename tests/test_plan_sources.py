"""`trunkline plan` straight from a live vCenter (VMware's simulator) and from an RVTools export."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.rvtools_corpus import seed_rows, write_workbook
from tests.vcsim_fixture import Vcsim, vcsim  # noqa: F401  (fixture)
from trunkline.cli import main


def _run(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _nads(out: Path) -> dict[str, dict]:
    return {
        d["metadata"]["name"]: json.loads(d["spec"]["config"])
        for d in yaml.safe_load_all((out / "nads.yaml").read_text())
        if d
    }


def test_plan_from_the_vcenter_simulator(vcsim: Vcsim, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys):  # noqa: F811
    monkeypatch.setenv("GOVC_PASSWORD", vcsim.password)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    out = tmp_path / "plan"
    code = _run(
        "plan",
        "--vcenter",
        vcsim.url,
        "--user",
        vcsim.user,
        "-o",
        str(out),
        "--nic-map",
        "vmnic0=ens34",
        "--nic-map",
        "vmnic1=ens35",
        "--strict",
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert vcsim.password not in captured.out + captured.err
    nads = _nads(out)
    # the simulator's distributed port group (untagged) and its standard "VM Network", whose switch
    # accepts forged transmits; "Management Network" carries only vmk0 and gets no NAD
    assert sorted(nads) == ["dc0-dvpg0", "vm-network"]
    assert nads["vm-network"]["macspoofchk"] is False
    assert nads["dc0-dvpg0"]["macspoofchk"] is True
    assert "vlan" not in nads["dc0-dvpg0"] and "vlan" not in nads["vm-network"]
    nncps = {d["metadata"]["name"] for d in yaml.safe_load_all((out / "nncp.yaml").read_text()) if d}
    # the simulator's cluster DC0_C0 and its standalone hosts are separate node groups (hosts of different
    # clusters are never merged), each with its NNCPs
    assert nncps == {
        "dc0-c0-br-vswitch0-ens34-policy",
        "dc0-c0-vlan-trunk-ens35-policy",
        "standalone-br-vswitch0-ens34-policy",
        "standalone-vlan-trunk-ens35-policy",
    }
    report = (out / "REPORT.md").read_text()
    assert "| warning | duplicate-mac |" in report  # this simulator gives several VMs one MAC
    assert "| info | vmkernel-only | port group 'Management Network'" in report


def test_plan_from_an_rvtools_export_equals_the_plan_from_the_bundled_example(tmp_path):
    xlsx = write_workbook(tmp_path / "rvtools.xlsx", seed_rows())
    assert _run("plan", "--rvtools", str(xlsx), "-o", str(tmp_path / "a"), "--nic-map", "vmnic1=ens34") == 0
    assert _run("plan", "-o", str(tmp_path / "b"), "--nic-map", "vmnic1=ens34") == 0
    from_rvtools, from_example = _nads(tmp_path / "a"), _nads(tmp_path / "b")
    assert sorted(from_example) == ["vm-vlan-10", "vm-vlan-20", "vm-vlan-30", "vm-vlan-40"]
    assert {name: from_rvtools[name] for name in from_example} == from_example
