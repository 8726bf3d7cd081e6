"""Run commands inside a small qemu virtual machine booting a full distribution kernel.

Why: the lab needs 802.1Q and bridge VLAN filtering; where the running kernel lacks them (as on the
machines trunkline's CI runs on) a stock Debian kernel (``linux-image-amd64``) booted under qemu has them.
No image is built: the guest mounts this machine's root filesystem read-only over 9p (virtio) and
gets tmpfs on ``/tmp`` and ``/run``, so it runs the very same Python, trunkline and tools.

Boot: a small initramfs made at run time (busybox from ``busybox-static`` plus the kernel's virtio and
9p modules) mounts the share, ``chroot``\\ s into it and starts :mod:`trunkline.lab.guest`, which runs
the commands and writes their results as one JSON document to the second serial port. qemu is killed
whenever this process leaves :func:`run_in_vm`, also on errors and signals.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trunkline.errors import EnvironmentProblem, TrunklineError
from trunkline.lab.cpio import Cpio
from trunkline.lab.signals import signals_raise

if TYPE_CHECKING:
    from trunkline.lab.report import LabReport

#: Modules (in load order) the initramfs needs to mount the 9p share; their dependencies come first.
BOOT_MODULES = (
    "virtio_ring",
    "virtio",
    "virtio_pci_legacy_dev",
    "virtio_pci_modern_dev",
    "virtio_pci",
    "netfs",
    "fscache",
    "9pnet",
    "9pnet_virtio",
    "9p",
)
#: Modules the lab needs once the guest runs (loaded with the guest's own modprobe).
LAB_MODULES = ("8021q", "bridge", "veth", "sch_ingress", "cls_bpf", "nf_tables")
RESULT_MARK = "TRUNKLINE-VM-RESULT "
DEFAULT_TIMEOUT_S = 600.0

_INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules/order); do
  [ -e /modules/$m.ko ] && insmod /modules/$m.ko 2>/dev/null
done
mkdir -p /newroot
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /newroot; then
  echo "trunkline-vm: cannot mount the host root over 9p" > /dev/ttyS1
  echo o > /proc/sysrq-trigger
fi
i=0
for p in $(cat /keep); do mkdir -p /keep$i; mount --bind /newroot$p /keep$i; i=$((i+1)); done
for d in tmp run var/tmp; do mount -t tmpfs -o mode=1777 tmpfs /newroot/$d; done
i=0
for p in $(cat /keep); do mkdir -p /newroot$p; mount --move /keep$i /newroot$p; i=$((i+1)); done
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
mount -t bpf bpf /newroot/sys/fs/bpf
mkdir -p /newroot/run/trunkline /newroot/run/netns
cp /job.json /newroot/run/trunkline/job.json
exec chroot /newroot /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
  HOME=/tmp PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$(cat /pythonpath)" TRUNKLINE_IN_VM="$(uname -r)" \\
  "$(cat /python)" -m trunkline.lab.guest /run/trunkline/job.json
"""


@dataclass(frozen=True)
class Kernel:
    """A bootable kernel: the image and the release whose modules live in ``/lib/modules/<release>``."""

    image: Path
    release: str

    @property
    def modules(self) -> Path:
        return Path("/lib/modules") / self.release


@dataclass(frozen=True)
class CommandResult:
    """What one command run in the VM gave: exit code, output (text) and wall time (seconds)."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


@dataclass(frozen=True)
class VmRun:
    """The results of :func:`run_in_vm`, with the kernel it booted and the boot-to-poweroff time (s)."""

    kernel: Kernel
    results: list[CommandResult]
    seconds: float


def find_kernel() -> Kernel:
    """The newest ``/boot/vmlinuz-*`` whose modules include 8021q (or ``$TRUNKLINE_LAB_KERNEL``).

    Raises:
        EnvironmentProblem: no such kernel (install ``linux-image-amd64``).
    """
    override = os.environ.get("TRUNKLINE_LAB_KERNEL")
    images = [Path(override)] if override else sorted(Path("/boot").glob("vmlinuz-*"), reverse=True)
    for image in images:
        release = image.name.removeprefix("vmlinuz-")
        dep = Path("/lib/modules") / release / "modules.dep"
        if image.is_file() and dep.is_file() and "/8021q.ko" in dep.read_text():
            return Kernel(image, release)
    raise EnvironmentProblem(
        "lab --vm: no kernel in /boot with modules for 802.1Q (/lib/modules/<release>/.../8021q.ko);"
        " install one: apt-get install linux-image-amd64"
    )


def _module_paths(kernel: Kernel, names: Sequence[str]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for line in (kernel.modules / "modules.dep").read_text().splitlines():
        path = line.split(":", 1)[0]
        name = Path(path).name
        for suffix in (".ko", ".ko.xz", ".ko.zst", ".ko.gz"):
            if name.endswith(suffix) and name[: -len(suffix)] in names:
                found[name[: -len(suffix)]] = kernel.modules / path
    return found


def build_initramfs(kernel: Kernel, job: object, pythonpath: str, python: str) -> bytes:
    """The initramfs (newc cpio bytes) that mounts the host root and runs *job* with :mod:`.guest`.

    Raises:
        EnvironmentProblem: busybox or a needed kernel module is missing.
    """
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not Path(busybox).is_file():
        raise EnvironmentProblem("lab --vm: busybox not found; install it: apt-get install busybox-static")
    modules = _module_paths(kernel, BOOT_MODULES)
    order = [m for m in BOOT_MODULES if m in modules]
    for needed in ("9p", "9pnet_virtio"):
        if needed not in modules:
            raise EnvironmentProblem(
                f"lab --vm: kernel {kernel.release} has no {needed} module; "
                "install a full distribution kernel (linux-image-amd64)"
            )
    for name, path in modules.items():
        if path.suffix != ".ko":
            raise EnvironmentProblem(f"lab --vm: module {path} is compressed; busybox insmod needs .ko files")
        del name
    archive = Cpio()
    for d in ("bin", "dev", "proc", "sys", "modules", "newroot"):
        archive.add_dir(d)
    archive.add_file("bin/busybox", Path(busybox).read_bytes(), 0o755)
    archive.add_file("init", _INIT.encode(), 0o755)
    for name in order:
        archive.add_file(f"modules/{name}.ko", modules[name].read_bytes())
    archive.add_file("modules/order", ("\n".join(order) + "\n").encode())
    archive.add_file("job.json", json.dumps(job).encode())
    archive.add_file("pythonpath", pythonpath.encode())
    archive.add_file("python", python.encode())
    archive.add_file("keep", ("".join(f"{d}\n" for d in kept_dirs(pythonpath, python))).encode())
    return archive.to_bytes()


_GUEST_TMPFS = ("/tmp", "/run", "/var/tmp")


def kept_dirs(*paths: str) -> list[str]:
    """The host directories under the guest's tmpfs mounts (``/tmp``, ``/run``, ``/var/tmp``) that the guest
    must still see: where trunkline and its Python live when they were installed there (a checkout in
    ``/tmp/x`` with its ``.venv``). Each is the first directory below the tmpfs mount, e.g. ``/tmp/x``."""
    kept: set[str] = set()
    for path in paths:
        for candidate in (path, os.path.realpath(path), sys.prefix, sys.base_prefix):
            for root in _GUEST_TMPFS:
                if candidate.startswith(root + "/"):
                    first = candidate[len(root) + 1 :].split("/", 1)[0]
                    if first and " " not in first:
                        kept.add(f"{root}/{first}")
    return sorted(kept)


def qemu_argv(kernel: Kernel, initrd: Path, console: Path, result: Path, memory_mb: int = 1024) -> list[str]:
    """The ``qemu-system-x86_64`` command line: TCG (no KVM needed); ``TRUNKLINE_LAB_KVM=1`` asks for KVM.

    KVM is not the default: a ``/dev/kvm`` that opens may still fail (nested virtualization refusing MSRs
    aborts qemu, as on trunkline's CI machines).
    """
    accel = "kvm" if os.environ.get("TRUNKLINE_LAB_KVM") == "1" else "tcg,thread=multi,tb-size=256"
    return [
        "qemu-system-x86_64",
        "-nodefaults",
        "-no-user-config",
        "-no-reboot",
        "-machine",
        "pc",
        "-accel",
        accel,
        "-cpu",
        "max",
        "-smp",
        str(min(2, os.cpu_count() or 1)),
        "-m",
        str(memory_mb),
        "-display",
        "none",
        "-monitor",
        "none",
        "-kernel",
        str(kernel.image),
        "-initrd",
        str(initrd),
        "-append",
        "console=ttyS0 panic=-1 loglevel=4 mitigations=off tsc=reliable random.trust_cpu=on",
        "-virtfs",
        "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
        "-serial",
        f"file:{console}",
        "-serial",
        f"file:{result}",
    ]


def run_in_vm(
    commands: Sequence[Sequence[str] | dict[str, object]], timeout_s: float = DEFAULT_TIMEOUT_S
) -> VmRun:
    """Boot the VM, run *commands* one after the other inside it, power off; return their results.

    Each command is an argv (or a ``{"lab": {...}}`` job, see :mod:`.guest`) run with this Python's
    environment (``PYTHONPATH`` = this trunkline's source),
    as root, in the guest's initial namespaces. The string ``{python}`` in an argv stands for this Python.

    Raises:
        EnvironmentProblem: qemu, the kernel or busybox missing; the VM gave no result within *timeout_s*.
    """
    if shutil.which("qemu-system-x86_64") is None:
        raise EnvironmentProblem(
            "lab --vm: qemu-system-x86_64 not found; install it: apt-get install qemu-system-x86"
        )
    kernel = find_kernel()
    pythonpath = str(Path(__file__).resolve().parents[2])
    job = {
        "commands": [c if isinstance(c, dict) else list(c) for c in commands],
        "python": sys.executable,
        "modules": list(LAB_MODULES),
    }
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="trunkline-vm-") as tmp:
        initrd, console, result = Path(tmp, "initrd.cpio"), Path(tmp, "console.log"), Path(tmp, "result")
        initrd.write_bytes(build_initramfs(kernel, job, pythonpath, sys.executable))
        with signals_raise():  # Ctrl-C, SIGTERM, SIGHUP: qemu (its own session) is killed in finally
            proc = subprocess.Popen(
                qemu_argv(kernel, initrd, console, result),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                out, _ = proc.communicate(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                out = b""
            finally:
                _kill(proc)
        text = result.read_text(errors="replace").replace("\r", "") if result.exists() else ""
        log = console.read_text(errors="replace").replace("\r", "") if console.exists() else ""
    seconds = time.monotonic() - start
    found = re.search(re.escape(RESULT_MARK) + r"(\{.*\})\s*$", text, re.S)
    if not found:
        tail = " | ".join((log.strip() or out.decode(errors="replace").strip()).splitlines()[-6:])
        how = f"killed by {signal.Signals(-proc.returncode).name}" if proc.returncode < 0 else "exited"
        raise EnvironmentProblem(
            f"lab --vm: the VM ({kernel.image.name}) gave no result: qemu {how} after "
            f"{seconds:.0f} s; {text.strip() or 'console: ' + (tail or '(empty)')}"
        )
    payload = json.loads(found.group(1))
    if payload.get("error"):
        raise EnvironmentProblem(f"lab --vm: the VM's runner failed: {payload['error']}")
    results = [CommandResult(**r) for r in payload["results"]]
    return VmRun(kernel, results, seconds)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def plan_files(plan_dir: Path) -> dict[str, str]:
    """The manifest files of *plan_dir* (relative path -> text), shipped to the guest inside its job.

    Shipped rather than read over 9p because the guest mounts its own tmpfs on ``/tmp`` (where plan
    directories often live).
    """
    from trunkline.openshift.manifests import manifest_files

    if plan_dir.is_file():
        return {plan_dir.name: plan_dir.read_text()}
    return {p.relative_to(plan_dir).as_posix(): p.read_text() for p in manifest_files(plan_dir)}


def run_lab_in_vm(
    plan_dir: Path,
    vlans: list[int] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    progress: Callable[[str], None] | None = None,
) -> LabReport:
    """Run :func:`trunkline.lab.run.run_lab` for *plan_dir* inside the VM; return its report.

    The plan is read and checked here first (bad input fails fast, exit 2, without a boot).

    Raises:
        BadInputError: the plan cannot be read or is outside what the lab applies.
        TrunklineError: whatever the lab raised inside the VM, with its exit code.
        EnvironmentProblem: the VM could not run (see :func:`run_in_vm`).
    """
    from trunkline.lab.desiredstate import parse_desired_state
    from trunkline.lab.plandir import load_plan_dir
    from trunkline.lab.report import LabReport
    from trunkline.lab.run import select

    plan = load_plan_dir(plan_dir)
    parse_desired_state(
        [(n.name, n.desired_state) for n in plan.nncps], lambda i, fld: plan.nncps[i].where(fld)
    )
    select(plan, vlans)
    kernel = find_kernel()
    if progress:
        progress(
            f"running inside a qemu VM (kernel {kernel.release}, TCG, no KVM): boot, lab and power-off "
            "take about a minute"
        )
    run = run_in_vm([{"lab": {"plan_files": plan_files(plan_dir), "vlans": vlans}}], timeout_s)
    result = run.results[0]
    if result.returncode not in (0, 1) or not result.stdout:
        error = TrunklineError(result.stderr.strip() or f"the lab in the VM exited {result.returncode}")
        error.exit_code = result.returncode if result.returncode in (2, 3) else 3
        raise error
    report = LabReport.from_json(json.loads(result.stdout))
    report.plan_dir = str(plan_dir)
    report.runs_in = (
        f"qemu VM: kernel {run.kernel.release} ({run.kernel.image}), TCG, "
        f"{run.seconds:.0f} s from boot to power-off"
    )
    return report
