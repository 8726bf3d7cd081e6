"""The shipped eBPF object matches its source, and the Python mirrors of its structs match its BTF."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, require
from trunkline.xdp import counter, libbpf


def test_shipped_object_is_byte_identical_to_a_rebuild_from_source(tmp_path: Path) -> None:
    tools = shutil.which("clang") and shutil.which("make")
    require(None if tools else "needs clang and make (quickstart.sh installs them)")
    proc = subprocess.run(["make", "-s", "-C", str(ROOT), "bpf", f"OUT={tmp_path}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    rebuilt = (tmp_path / "counter.bpf.o").read_bytes()
    assert rebuilt == counter.OBJECT_PATH.read_bytes(), "counter.bpf.o is stale: run `make bpf` and commit it"


@pytest.mark.parametrize(("mirror", "name"), [
    (counter.tl_counter, "tl_counter"),
    (counter.tl_ethertype_key, "tl_ethertype_key"),
])
def test_python_struct_mirror_has_the_size_the_object_btf_reports(mirror: type[ctypes.Structure],
                                                                  name: str) -> None:
    assert ctypes.sizeof(mirror) == libbpf.btf_struct_size(str(counter.OBJECT_PATH), name)


def test_python_constants_mirror_counter_h() -> None:
    header = (counter.OBJECT_PATH.parent / "counter.h").read_text()
    defines = {}
    for line in header.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "#define":
            defines[parts[1]] = int(parts[2], 0)
    for name in ("TL_VLAN_UNTAGGED", "TL_VLAN_SLOTS", "TL_PROTOCOL_SLOTS", "TL_ETHERTYPE_ENTRIES",
                 "TL_ETHERTYPE_OTHER"):
        assert getattr(counter, name) == defines[name], name
