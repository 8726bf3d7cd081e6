"""Benchmark: `trunkline plan` end to end at scale.

Builds an inventory of 10,000 port groups (two distributed switches, access VLANs and some trunks),
1,000 hosts (each with a standard vSwitch0 for management) and 25,000 VMs with 50,000 NICs, then times
validating it into the model (as a reader would), translating it and writing the plan directory. Peak
memory is the process's maximum resident set size (``getrusage``), which includes the Python
interpreter and the inventory itself.

A baseline run at one tenth of the size runs first in the same process; the ratios show how the cost
scales (10x the input should cost about 10x). The project's goal: under 3 s and under 1 GiB.

Then the real command path: the same inventories written as a trunkline YAML file and as a JSON file, and
``python -m trunkline plan FILE -o DIR`` run on each as a child process (this checkout's ``src`` first on
``PYTHONPATH``), timed from outside (wall seconds, the child's CPU seconds and peak RSS from
``getrusage(RUSAGE_CHILDREN)``). That path includes interpreter start-up, the imports and the inventory
file reader, which the in-process stages leave out. ``--no-cli`` skips it.

    python bench/plan_scale.py [--scale 1.0] [--keep DIR] [--tmp /dev/shm] [--no-cli]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from trunkline.openshift.nicmap import node_groups
from trunkline.openshift.plan import PlanOptions, build_plan
from trunkline.openshift.render import render_files, write_files
from trunkline.vsphere.model import Inventory


def inventory_data(port_groups: int, hosts: int, vm_nics: int) -> dict[str, Any]:
    """The raw inventory (as a file reader would hand it to pydantic)."""
    dvs = [
        {
            "id": f"dvs-{d}",
            "name": f"DSwitch-{d}",
            "kind": "distributed",
            "mtu": 9000 if d else 1500,
            "uplinks": ["uplink1", "uplink2"],
            "teaming": {"policy": "loadbalance_ip"},
        }
        for d in range(2)
    ]
    std = [
        {
            "id": f"host-{h}/vSwitch0",
            "name": "vSwitch0",
            "kind": "standard",
            "host": f"host-{h}",
            "uplinks": ["vmnic0"],
        }
        for h in range(hosts)
    ]
    pgs: list[dict[str, Any]] = []
    for i in range(port_groups):
        vlan: Any = 1 + i % 4094
        if i % 500 == 499:
            vlan = f"{1 + i % 4000}-{1 + i % 4000 + 50}"
        pgs.append(
            {
                "id": f"dvportgroup-{1000 + i}",
                "name": f"pg-{i:05d} VLAN {vlan}",
                "switch": f"dvs-{i % 2}",
                "vlan": vlan,
            }
        )
    pgs += [
        {
            "id": f"host-{h}/vSwitch0/Management Network",
            "name": "Management Network",
            "switch": f"host-{h}/vSwitch0",
            "network": "network-1",
            "vlan": 0,
        }
        for h in range(hosts)
    ]
    host_list = [
        {
            "id": f"host-{h}",
            "name": f"esx{h:04d}.example",
            "nics": [
                {"name": "vmnic0", "switch": f"host-{h}/vSwitch0", "uplink": "vmnic0"},
                {"name": "vmnic1", "switch": f"dvs-{h % 2}", "uplink": "uplink1"},
                {"name": "vmnic2", "switch": f"dvs-{h % 2}", "uplink": "uplink2"},
            ],
            "vmkernel_nics": [{"name": "vmk0", "port_group": f"host-{h}/vSwitch0/Management Network"}],
        }
        for h in range(hosts)
    ]
    vms = []
    for v in range(vm_nics // 2):
        nics = [
            {
                "label": f"Network adapter {k + 1}",
                "mac": f"00:50:56:{(v >> 8) & 0xFF:02x}:{v & 0xFF:02x}:{k:02x}",
                "adapter": "vmxnet3",
                "network": f"dvportgroup-{1000 + (v * 2 + k) % port_groups}",
            }
            for k in range(2)
        ]
        vms.append({"id": f"vm-{v}", "name": f"vm-{v:06d}", "nics": nics})
    return {
        "nic_map": {"uplink1": "ens1f0", "uplink2": "ens1f1", "vmnic0": "eno1"},
        "vcenters": [
            {
                "name": "vcenter.example",
                "datacenters": [
                    {
                        "id": "datacenter-1",
                        "name": "DC",
                        "hosts": host_list,
                        "switches": dvs + std,
                        "port_groups": pgs,
                        "vms": vms,
                    }
                ],
            }
        ],
    }


def run(port_groups: int, hosts: int, vm_nics: int, out: Path) -> dict[str, tuple[float, float]]:
    """One end-to-end run: (wall seconds, CPU seconds) per stage, and counts."""
    data = inventory_data(port_groups, hosts, vm_nics)
    gc.collect()
    marks = [(time.perf_counter(), time.process_time())]
    inv = Inventory.model_validate(data)
    gc.collect()
    gc.freeze()  # as the CLI does once the inventory is loaded
    marks.append((time.perf_counter(), time.process_time()))
    plan = build_plan(inv, PlanOptions(node_groups=node_groups(inv.nic_map, None, {})))
    marks.append((time.perf_counter(), time.process_time()))
    files = render_files(plan, str(out))
    marks.append((time.perf_counter(), time.process_time()))
    write_files(files, out)
    marks.append((time.perf_counter(), time.process_time()))
    gc.unfreeze()

    def span(a: int, b: int) -> tuple[float, float]:
        return marks[b][0] - marks[a][0], marks[b][1] - marks[a][1]

    return {
        "validate": span(0, 1),
        "plan": span(1, 2),
        "render": span(2, 3),
        "files": span(3, 4),
        "plan_write": span(1, 4),
        "total": span(0, 4),
        "counts": (float(len(files)), float(sum(1 for n in plan.networks if n.target == "multus"))),
    }


SRC = Path(__file__).resolve().parent.parent / "src"
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def cli_run(inventory: Path, out: Path) -> tuple[float, float, float]:
    """``trunkline plan INVENTORY -o OUT`` as a child process: (wall s, child CPU s, child peak RSS MiB so
    far among this process's children)."""
    env = {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "trunkline", "plan", str(inventory), "-o", str(out)],
        check=True, env=env, stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def cli_bench(size: tuple[int, int, int], tmp: Path) -> None:
    """Time the real command on YAML and JSON inventory files, baseline (1/10) and full size."""
    rows = []
    for label, scale in (("baseline", 10), ("full", 1)):
        data = inventory_data(size[0] // scale, size[1] // scale, size[2] // scale)
        data["version"] = 1
        yaml_file, json_file = tmp / f"{label}.yaml", tmp / f"{label}.json"
        yaml_file.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False), encoding="utf-8")
        json_file.write_text(json.dumps(data), encoding="utf-8")
        del data
        for path in (yaml_file, json_file):
            wall, cpu, rss = cli_run(path, tmp / f"out-{path.name}")
            mib = path.stat().st_size / (1 << 20)
            rows.append((label, path.suffix[1:], mib, wall, cpu, rss))
            shutil.rmtree(tmp / f"out-{path.name}", ignore_errors=True)
    print("real command: python -m trunkline plan FILE -o DIR (child process)")
    print(f"{'input':<16}{'file MiB':>10}{'wall s':>9}{'CPU s':>9}{'ratio':>7}")
    base = {fmt: wall for label, fmt, _, wall, _, _ in rows if label == "baseline"}
    for label, fmt, mib, wall, cpu, _ in rows:
        ratio = wall / base[fmt] if base[fmt] else float("nan")
        print(f"{label + ' ' + fmt:<16}{mib:>10.1f}{wall:>9.2f}{cpu:>9.2f}{ratio:>7.1f}")
    print(f"children's peak RSS {rows[-1][5]:.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the sizes (default 1.0)")
    parser.add_argument("--keep", type=Path, help="write the full-size plan here and keep it")
    parser.add_argument("--tmp", type=Path, help="parent of the temporary output (default: the system's)")
    parser.add_argument("--no-cli", action="store_true", help="skip the real command on YAML/JSON files")
    args = parser.parse_args()
    size = (int(10_000 * args.scale), int(1_000 * args.scale), int(50_000 * args.scale))
    tmp = Path(tempfile.mkdtemp(prefix="trunkline-bench-", dir=args.tmp))
    try:
        base = run(size[0] // 10, size[1] // 10, size[2] // 10, tmp / "baseline")
        full = run(*size, args.keep or tmp / "full")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    nfiles, nads = (int(x) for x in full["counts"])
    print(
        f"plan_scale: {size[0]} port groups, {size[1]} hosts, {size[2]} VM NICs -> "
        f"{nads} NADs, {nfiles} files"
    )
    print(f"{'stage':<24}{'baseline wall s':>16}{'full wall s':>12}{'full CPU s':>12}{'ratio':>7}")
    for stage, label in (
        ("validate", "validate inventory"),
        ("plan", "build plan"),
        ("render", "render manifests"),
        ("files", "create the files"),
        ("plan_write", "plan + render + write"),
        ("total", "end to end"),
    ):
        ratio = full[stage][0] / base[stage][0] if base[stage][0] else float("nan")
        print(
            f"{label:<24}{base[stage][0]:>16.3f}{full[stage][0]:>12.3f}{full[stage][1]:>12.3f}{ratio:>7.1f}"
        )
    print(
        f"peak RSS {peak_mib:.0f} MiB (process maximum; target < 1024 MiB); "
        f"end to end {full['total'][0]:.2f} s "
        f"wall, {full['total'][1]:.2f} s CPU (target < 3 s); {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    if not args.no_cli:
        tmp = Path(tempfile.mkdtemp(prefix="trunkline-bench-cli-", dir=args.tmp))
        try:
            cli_bench(size, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
