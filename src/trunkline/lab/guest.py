"""Process 1 of the lab's VM (see :mod:`trunkline.lab.vm`): run the job's commands, report, power off.

Run as ``python -m trunkline.lab.guest JOB.json`` by the initramfs after it ``chroot``\\ s into the host
root. Loads the lab's kernel modules, runs each command (an argv, ``{python}`` standing for this Python; or
``{"lab": {plan_dir, vlans, keep}}``, run in this process to spare a second interpreter's start-up, which
takes ~15 s under TCG) capturing its output, reaps orphans,
writes ``TRUNKLINE-VM-RESULT {json}`` to ``/dev/ttyS1`` and powers the VM off
with ``reboot(2)`` ``LINUX_REBOOT_CMD_POWER_OFF``.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import termios
import time
import tty

from trunkline.lab.vm import RESULT_MARK

LINUX_REBOOT_CMD_POWER_OFF = 0x4321FEDC  # <linux/reboot.h>


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def run(job_path: str) -> dict[str, object]:
    """Run the job in *job_path*; return ``{"results": [...]}`` (argv, returncode, stdout, stderr, s)."""
    with open(job_path) as f:
        job = json.load(f)
    if job.get("modules"):
        subprocess.run(["modprobe", "-a", "-q", *job["modules"]], check=False)
    results = []
    for command in job["commands"]:
        start = time.monotonic()
        if isinstance(command, dict):  # {"lab": {...}}: run the lab in this process (no second interpreter)
            from trunkline.lab.run import run_lab_json

            code, report, error = run_lab_json(command["lab"])
            _reap()
            results.append(
                {
                    "argv": ["lab", json.dumps(command["lab"])],
                    "returncode": code,
                    "stdout": json.dumps(report) if report is not None else "",
                    "stderr": error,
                    "seconds": round(time.monotonic() - start, 3),
                }
            )
            continue
        argv = [job["python"] if a == "{python}" else a for a in command]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=900)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        except (OSError, subprocess.TimeoutExpired) as exc:
            code, out, err = 127, "", f"{type(exc).__name__}: {exc}"
        _reap()
        results.append(
            {
                "argv": argv,
                "returncode": code,
                "stdout": out,
                "stderr": err,
                "seconds": round(time.monotonic() - start, 3),
            }
        )
    return {"results": results}


def main() -> None:
    """Entry point as process 1: run, report on ttyS1, power off (also after an unexpected error)."""
    me = os.getpid()
    try:
        payload: dict[str, object] = run(sys.argv[1])
    except BaseException as exc:  # report anything, then power off: a PID 1 exit would panic the guest
        if os.getpid() != me:  # a forked child unwinding: not ours to report
            os._exit(1)
        payload = {"error": f"{type(exc).__name__}: {exc}", "results": []}
    if os.getpid() != me:
        os._exit(0)
    try:
        fd = os.open("/dev/ttyS1", os.O_WRONLY | os.O_NOCTTY)
        tty.setraw(fd)
        data = (RESULT_MARK + json.dumps(payload) + "\n").encode()
        while data:  # a tty may take a write in parts
            data = data[os.write(fd, data) :]
        termios.tcdrain(fd)
        os.close(fd)
    except BaseException as exc:  # say why on the console (the host shows its tail), then power off
        with open("/dev/console", "w") as console:
            console.write(f"trunkline-vm: cannot report the result: {type(exc).__name__}: {exc}\n")
    finally:
        os.sync()
        ctypes.CDLL(None, use_errno=True).reboot(LINUX_REBOOT_CMD_POWER_OFF)


if __name__ == "__main__":
    main()
