"""Benchmark: `trunkline validate` on a 50 MB NAD file.

Writes a manifests directory holding the seed's NNCP, a kustomization that lists only the NNCP, and
``nads.yaml``: about 50 MB of NetworkAttachmentDefinitions (multi-document, as `trunkline plan` writes
them; VLANs 2-4094 over and over, every name unique). The kustomization leaves ``nads.yaml`` unlisted,
so there is one finding (``kustomization-resource-unlisted``, once for the file). Each run is
``trunkline validate --json DIR`` in a fresh process; time is wall-clock and the child's CPU seconds
(``getrusage``, steadier on a shared machine), peak memory the child's
maximum resident set size (``getrusage(RUSAGE_CHILDREN)``, the largest child so far: the small run
goes first).

A baseline at one tenth of the size runs first; the ratios show how the cost scales. Then the full size
runs again with the code of an earlier revision (``--before``, default the last commit before manifests were
read the way kubectl reads them, with a note per scalar whose reading differs from YAML 1.2), extracted with
``git archive``: both figures come from this one run on this machine.

    python bench/validate_large.py [--mb 50] [--list] [--before REV]
        (--list: one `kind: List` instead of documents; --before none: skip the comparison)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from revision import BEFORE, REPO, checkout  # bench/revision.py

SEED = REPO / "tests" / "data" / "validate" / "seed" / "nncp.yaml"

NAD = """---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: vm-vlan-{i}
  namespace: default
  annotations:
    k8s.v1.cni.cncf.io/resourceName: bridge.network.kubevirt.io/vlan-trunk
spec:
  config: '{{"cniVersion":"0.3.1","name":"vm-vlan-{i}","type":"cnv-bridge","bridge":"vlan-trunk",\
"vlan":{vlan},"macspoofchk":true,"ipam":{{}},"preserveDefaultVlan":false,"mtu":1500}}'
"""


def write_dir(root: Path, megabytes: float, as_list: bool) -> int:
    """Write the directory under *root*; returns the number of NADs."""
    root.mkdir(parents=True)
    (root / "nncp.yaml").write_text(SEED.read_text())
    (root / "kustomization.yaml").write_text("resources:\n- nncp.yaml\n")
    target = int(megabytes * 1_000_000)
    size = count = 0
    with (root / "nads.yaml").open("w") as out:
        if as_list:
            out.write("apiVersion: v1\nkind: List\nitems:\n")
        while size < target:
            text = NAD.format(i=count, vlan=2 + count % 4093)
            if as_list:
                text = "- " + text.removeprefix("---\n").replace("\n", "\n  ").rstrip() + "\n"
            out.write(text)
            size += len(text)
            count += 1
    return count


def run(directory: Path, src: Path = REPO / "src") -> tuple[float, float, float, int]:
    """(wall seconds, child CPU seconds, peak RSS MiB so far, findings) of `trunkline validate --json DIR`
    in a child process running the code under *src*."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "trunkline", "validate", "--json", str(directory)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"validate failed: {proc.stderr.strip()}")
    findings = len(json.loads(proc.stdout)["findings"])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, cpu, after.ru_maxrss / 1024, findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of nads.yaml in MB (default 50)")
    parser.add_argument("--list", action="store_true", help="write the NADs as one `kind: List`")
    parser.add_argument("--before", default=BEFORE, help=f"revision to compare with ({BEFORE}; none: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        results = []
        for label, mb in (("baseline", args.mb / 10), ("full", args.mb)):
            nads = write_dir(Path(tmp, label), mb, args.list)
            seconds, cpu, peak, findings = run(Path(tmp, label))
            results.append((cpu, peak))
            print(
                f"{label:8s} nads.yaml {mb:6.1f} MB, {nads:7,d} NADs: {seconds:6.2f} s wall, "
                f"{cpu:6.2f} s CPU, peak RSS {peak:7.0f} MiB, {findings} finding(s)"
            )
        (t0, m0), (t1, m1) = results
        print(f"ratio full/baseline: CPU {t1 / t0:.1f}x, peak RSS {m1 / m0:.1f}x (input 10x); "
              f"full: {t1:.2f} s CPU (target < 10 s), load average {os.getloadavg()[0]:.1f}")
        if args.before != "none":
            # before and after alternate, twice each, on the same files: the best of each pair is compared
            src = checkout(args.before, Path(tmp, "before"))
            befores, afters = [], [t1]
            for _ in range(2):
                befores.append(run(Path(tmp, "full"), src)[1])
                afters.append(run(Path(tmp, "full"))[1])
            print(f"before ({args.before}) full: " + ", ".join(f"{t:.2f} s CPU" for t in befores))
            print("after  (this tree) full: " + ", ".join(f"{t:.2f} s CPU" for t in afters))
            print(f"after/before (best of each): CPU {min(afters) / min(befores):.3f}x")


if __name__ == "__main__":
    main()
