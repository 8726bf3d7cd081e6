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

``--before REV`` also runs the full-size command with git revision REV's ``src`` (interleaved, the
figures printed beside each other) and checks the two output directories are byte-identical. ``--show``
times ``COLUMNS=80 trunkline inventory show FILE.json`` at twice the port groups (20,000; target < 5 s CPU).

    python bench/plan_scale.py [--scale 1.0] [--keep DIR] [--tmp /dev/shm] [--no-cli] [--before REV] [--show]
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


def cli_run(inventory: Path, out: Path, src: Path = SRC, args: tuple[str, ...] = ("plan",),
            extra_env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """``trunkline plan INVENTORY -o OUT`` (or ``trunkline ARGS INVENTORY`` when *args* is not ``plan``) as a
    child process with *src* first on ``PYTHONPATH``, run in OUT's parent directory with ``-o`` naming it
    relatively (so that two runs' REPORT.md name it alike): (wall s, child CPU s, child peak RSS MiB so far
    among this process's children)."""
    env = {**os.environ, "PYTHONPATH": str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           **(extra_env or {})}
    command = [sys.executable, "-m", "trunkline", *args, str(inventory)]
    if args == ("plan",):
        out.parent.mkdir(parents=True, exist_ok=True)
        command += ["-o", out.name]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, cwd=out.parent)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def source_at(revision: str, tmp: Path) -> Path:
    """The ``src`` directory of git *revision* of this checkout, extracted under *tmp*."""
    root = SRC.parent
    archive = subprocess.run(["git", "-C", str(root), "archive", revision], check=True,
                             capture_output=True).stdout  # whole: src/trunkline/deploy links to ../../deploy
    dest = tmp / f"src-{revision[:12]}"
    dest.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "src"


def tree_differences(a: Path, b: Path) -> list[str]:
    """The relative paths whose bytes differ between directories *a* and *b* (or that only one has)."""
    files_a = {str(p.relative_to(a)) for p in a.rglob("*") if p.is_file()}
    files_b = {str(p.relative_to(b)) for p in b.rglob("*") if p.is_file()}
    both = files_a & files_b
    return sorted((files_a ^ files_b) | {f for f in both if (a / f).read_bytes() != (b / f).read_bytes()})


def cli_bench(size: tuple[int, int, int], tmp: Path, before: str | None, parse_too: bool = False) -> None:
    """Time the real command on YAML and JSON inventory files, baseline (1/10) and full size; with
    *before* (a git revision), each full-size run also with that revision's code, interleaved, and the two
    output directories compared byte for byte."""
    rows = []
    old_src = source_at(before, tmp) if before else None
    identical: list[str] = []
    for label, scale in (("baseline", 10), ("full", 1)):
        data = inventory_data(size[0] // scale, size[1] // scale, size[2] // scale)
        data["version"] = 1
        yaml_file, json_file = tmp / f"{label}.yaml", tmp / f"{label}.json"
        yaml_file.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False), encoding="utf-8")
        json_file.write_text(json.dumps(data), encoding="utf-8")
        del data
        for path in (yaml_file, json_file):
            mib = path.stat().st_size / (1 << 20)
            fmt = path.suffix[1:]
            if old_src is not None and label == "full":
                wall, cpu, rss = cli_run(path, tmp / "before" / f"out-{path.name}", src=old_src)
                rows.append((f"before {fmt}", fmt, mib, wall, cpu, rss))
            out = tmp / "after" / f"out-{path.name}"
            wall, cpu, rss = cli_run(path, out)
            rows.append((f"{label} {fmt}", fmt, mib, wall, cpu, rss))
            if label == "full" and path == json_file and parse_too:
                parser_bench(yaml_file, json_file)
            if old_src is not None and label == "full":
                differ = tree_differences(tmp / "before" / f"out-{path.name}", out)
                shown = f"differ in {', '.join(differ)}" if differ else "byte-identical"
                identical.append(f"{fmt}: {shown}")
                shutil.rmtree(tmp / "before" / f"out-{path.name}", ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
    print("real command: python -m trunkline plan FILE -o DIR (child process)")
    print(f"{'input':<16}{'file MiB':>10}{'wall s':>9}{'CPU s':>9}{'CPU ratio':>10}")
    base = {fmt: cpu for label, fmt, _, _, cpu, _ in rows if label.startswith("baseline")}
    for label, fmt, mib, wall, cpu, _ in rows:
        ratio = cpu / base[fmt] if base[fmt] else float("nan")
        print(f"{label:<16}{mib:>10.1f}{wall:>9.2f}{cpu:>9.2f}{ratio:>10.1f}")
    cpu_of = {label: cpu for label, _, _, _, cpu, _ in rows}
    print(f"full yaml / full json CPU: {cpu_of['full yaml'] / cpu_of['full json']:.2f}x (target <= 2x); "
          f"full json {cpu_of['full json']:.2f} s CPU (target < 3 s)")
    if identical:
        print(f"output of {before} and of this checkout: {', '.join(identical)}")
    print(f"children's peak RSS {rows[-1][5]:.0f} MiB (target < 1024 MiB)")


#: Inputs on which a YAML parser must read what the inventory loader reads (YAML 1.2 core schema, a key
#: written twice and a second document are errors): (name, text).
PROBES = (
    ("duplicate key", "a: 1\na: 2\n"),
    ("1_000", "a: 1_000\n"),
    ("0b11", "a: 0b11\n"),
    ("010", "a: 010\n"),
    ("yes", "a: yes\n"),
    ("2001-12-14", "a: 2001-12-14\n"),
    ("two documents", "a: 1\n---\nb: 2\n"),
    ("unknown tag", "a: !foo x\n"),
)


def _outcome(parse: Any, text: str) -> str:
    try:
        return repr(parse(text))
    except Exception:  # noqa: BLE001 - any refusal is an outcome here
        return "error"


def parser_bench(path: Path, json_path: Path) -> None:
    """CPU seconds to parse the full-size YAML inventory: the inventory loader (PyYAML with libyaml's
    parser, YAML 1.2 resolution in Python), PyYAML's plain C loader, and the YAML 1.2 parsers written in
    Rust that are installed (py-yaml12, yaml-rs; neither is a dependency); then whether each reads the
    :data:`PROBES` as the inventory loader does."""
    from trunkline.vsphere import yamlfile

    text = path.read_text(encoding="utf-8")
    ours = lambda t: yamlfile._parse_text(t, "probe")  # noqa: E731 - the loader's own entry
    parsers: list[tuple[str, Any]] = [
        ("inventory loader", ours),
        ("json.loads (same data as JSON)", None),
        ("PyYAML CSafeLoader (YAML 1.1)", lambda t: yaml.load(t, Loader=yaml.CSafeLoader)),  # noqa: S506
    ]
    for module, label, attr in (("yaml12", "py-yaml12", "parse_yaml"), ("yaml_rs", "yaml-rs", "loads")):
        try:
            parsers.append((label, getattr(__import__(module), attr)))
        except ImportError:
            print(f"{label}: not installed (pip install {label})")
    print(f"parsing the full-size YAML inventory ({path.stat().st_size / (1 << 20):.1f} MiB), CPU seconds")
    base = 0.0
    for label, parse in parsers:
        start = time.process_time()
        if parse is None:
            json.loads(json_path.read_text(encoding="utf-8"))
        else:
            parse(text)
        cpu = time.process_time() - start
        base = base or cpu
        print(f"  {label:<34}{cpu:>7.2f} s {cpu / base:>6.2f}x")
    for label, parse in parsers:
        if parse is None or parse is ours:
            continue
        differ = [name for name, probe in PROBES if _outcome(parse, probe) != _outcome(ours, probe)]
        print(f"  {label}: reads otherwise than the inventory loader: {', '.join(differ) or 'none'}")


def show_bench(port_groups: int, hosts: int, vm_nics: int, tmp: Path) -> None:
    """``trunkline inventory show FILE.json`` with ``COLUMNS=80`` at *port_groups* port groups, and at a
    tenth of that first (the baseline of the ratio)."""
    print("real command: COLUMNS=80 python -m trunkline inventory show FILE.json (child process)")
    print(f"{'port groups':<16}{'file MiB':>10}{'wall s':>9}{'CPU s':>9}{'CPU ratio':>10}")
    base = 0.0
    for scale in (10, 1):
        data = inventory_data(port_groups // scale, hosts // scale, vm_nics // scale)
        data["version"] = 1
        path = tmp / f"show-{scale}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        del data
        wall, cpu, _ = cli_run(path, tmp / "show-out", args=("inventory", "show"),
                               extra_env={"COLUMNS": "80"})
        base = base or cpu
        print(f"{port_groups // scale:<16}{path.stat().st_size / (1 << 20):>10.1f}{wall:>9.2f}{cpu:>9.2f}"
              f"{cpu / base:>10.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the sizes (default 1.0)")
    parser.add_argument("--keep", type=Path, help="write the full-size plan here and keep it")
    parser.add_argument("--tmp", type=Path, help="parent of the temporary output (default: the system's)")
    parser.add_argument("--no-cli", action="store_true", help="skip the real command on YAML/JSON files")
    parser.add_argument("--only-cli", action="store_true", help="skip the in-process stages")
    parser.add_argument("--parsers", action="store_true",
                        help="also time YAML parsers on the full-size inventory and compare their readings")
    parser.add_argument("--before", metavar="REV",
                        help="also run the full-size command with git revision REV's code, interleaved, "
                             "and compare the two output directories byte for byte")
    parser.add_argument("--show", action="store_true",
                        help="also time `inventory show` on a JSON inventory at twice the port groups")
    args = parser.parse_args()
    size = (int(10_000 * args.scale), int(1_000 * args.scale), int(50_000 * args.scale))
    if not args.only_cli:
        stages(size, args.keep, args.tmp)
    if not args.no_cli:
        tmp = Path(tempfile.mkdtemp(prefix="trunkline-bench-cli-", dir=args.tmp))
        try:
            cli_bench(size, tmp, args.before, args.parsers)
            if args.show:
                (tmp / "show-out").mkdir()
                show_bench(size[0] * 2, size[1], size[2], tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def stages(size: tuple[int, int, int], keep: Path | None, parent: Path | None) -> None:
    """The in-process stages at a tenth of *size* and at *size*, printed."""
    tmp = Path(tempfile.mkdtemp(prefix="trunkline-bench-", dir=parent))
    try:
        base = run(size[0] // 10, size[1] // 10, size[2] // 10, tmp / "baseline")
        full = run(*size, keep or tmp / "full")
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


if __name__ == "__main__":
    sys.exit(main())
