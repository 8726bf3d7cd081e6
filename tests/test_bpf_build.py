"""The shipped eBPF object matches its source, and the Python mirrors of its structs match its BTF."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, require
from trunkline.xdp import counter, ethertypes, libbpf, mactable


def shipped_object_clang() -> str:
    """The clang that built the shipped object, as the Makefile records it."""
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("SHIPPED_OBJECT_CLANG :="):
            return line.split(":=", 1)[1].strip()
    raise AssertionError("the Makefile names no SHIPPED_OBJECT_CLANG")


def test_shipped_object_is_byte_identical_to_a_rebuild_from_source(tmp_path: Path) -> None:
    tools = shutil.which("clang") and shutil.which("make")
    require(None if tools else "needs clang and make (quickstart.sh installs them)")
    wanted = shipped_object_clang()
    here = subprocess.run(["clang", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    assert here.strip() == wanted, (
        f"counter.bpf.o was built with {wanted}; this machine has {here.strip()}: the byte-identical "
        "rebuild needs that clang (Debian 12's)"
    )
    proc = subprocess.run(["make", "-s", "-C", str(ROOT), "bpf", f"OUT={tmp_path}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    rebuilt = (tmp_path / "counter.bpf.o").read_bytes()
    assert rebuilt == counter.OBJECT_PATH.read_bytes(), "counter.bpf.o is stale: run `make bpf` and commit it"


@pytest.mark.parametrize(("mirror", "name"), [
    (counter.tl_counter, "tl_counter"),
    (counter.tl_ethertype_key, "tl_ethertype_key"),
    (mactable.tl_mac_key, "tl_mac_key"),
    (mactable.tl_mac_value, "tl_mac_value"),
    (mactable.tl_mac_slot, "tl_mac_slot"),
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
                 "TL_ETHERTYPE_OTHER", "TL_ETHERTYPE_LLC"):
        assert getattr(counter, name) == defines[name], name
    assert defines["TL_MAX_LENGTH"] == ethertypes.MAX_LENGTH
    for name in ("TL_VLAN_UNTAGGED", "TL_MAC_ENTRIES", "TL_MAC_CACHE_SLOTS", "TL_MAC_STATS", "TL_MAC_INSERTS",
                 "TL_MAC_FAILED"):
        assert getattr(mactable, name) == defines[name], name


def test_every_entry_has_a_learning_twin_in_the_object() -> None:
    obj = libbpf.bpf_object__open_file(str(counter.OBJECT_PATH))
    try:
        for name in counter.ENTRIES:
            for variant in (name, name + counter.MACS_SUFFIX):
                assert libbpf.bpf_object__find_program_by_name(obj, variant)
    finally:
        libbpf.bpf_object__close(obj)


def test_default_mac_table_holds_16384_pairs_even_when_128_cpus_each_keep_128_free_entries() -> None:
    # kernel/bpf/bpf_lru_list.c: LOCAL_FREE_TARGET = 128 free entries per CPU's local list
    assert mactable.TL_MAC_ENTRIES - 128 * 128 >= 16_384
