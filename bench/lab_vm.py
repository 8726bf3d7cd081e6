"""Benchmark: `trunkline lab --vm` on the bundled example's plan — boot, lab up, checks, teardown.

In the same process:

* **boot**: the VM boots, runs ``true`` and powers off (the fixed price of ``--vm``);
* **lab --vm**: the VM boots and runs the lab on the plan ``trunkline plan`` writes for the bundled
  example (all its VLANs, or ``--vlan``); the lab's own time (up + checks + teardown, measured inside
  the guest) is printed beside the total;
* **direct**: the same lab on this kernel, when it has bridge VLAN filtering (else skipped, saying why).

Figures depend on the machine: qemu runs without KVM (TCG), so the guest runs several times slower
than the host, and a busy host slows it further. Run (as root):

    .venv/bin/python bench/lab_vm.py [--vlan ID ...] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from trunkline.lab.report import LabReport  # noqa: E402
from trunkline.lab.vm import find_kernel, plan_files, run_in_vm  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vlan", type=int, action="append", help="test only these VLANs")
    parser.add_argument("--runs", type=int, default=1, help="VM runs of each kind (default 1)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/lab_vm.py: needs root")
    kernel = find_kernel()
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        subprocess.run([sys.executable, "-m", "trunkline", "plan", "-o", str(plan)], check=True, env=env,
                       capture_output=True)
        files = plan_files(plan)
        boots, totals, labs = [], [], []
        for _ in range(args.runs):
            start = time.monotonic()
            run_in_vm([["true"]])
            boots.append(time.monotonic() - start)
            start = time.monotonic()
            run = run_in_vm([{"lab": {"plan_files": files, "vlans": args.vlan}}])
            totals.append(time.monotonic() - start)
            result = run.results[0]
            report = LabReport.from_json(json.loads(result.stdout))
            labs.append(report.seconds)
            if not report.ok:
                print(f"warning: lab found failures: {[(c.nad, c.check) for c in report.failed]}")
        checks = len(report.checks)
        vlans = len({c.vlan for c in report.checks})
        direct: str
        from trunkline.lab.kernel import vlan_filtering_problem

        problem = vlan_filtering_problem()
        if problem:
            direct = f"skipped: this kernel has {problem}"
        else:
            from trunkline.lab.run import run_lab

            start = time.monotonic()
            run_lab(plan, args.vlan)
            direct = f"{time.monotonic() - start:.1f} s"
    boot, total, lab = (statistics.median(x) for x in (boots, totals, labs))
    print(f"kernel {kernel.release} under qemu (TCG), plan of the bundled example: {vlans} VLAN(s), "
          f"{checks} checks, {args.runs} run(s), medians")
    print(f"  boot + power-off only      {boot:6.1f} s   (1.00x)")
    print(f"  lab --vm, total            {total:6.1f} s   ({total / boot:.2f}x boot)")
    print(f"  lab inside the VM          {lab:6.1f} s   (up + checks + teardown; {lab / total:.0%} of total)")
    print(f"  lab directly on this kernel {direct}")
    print("  lab phases (last run, s): " + ", ".join(f"{k} {v:.1f}" for k, v in report.phases.items()))


if __name__ == "__main__":
    main()
