"""Writing files and directories atomically: the one home of trunkline's writers.

* :func:`write_text_atomic`: one file through a temporary file in the same directory and a rename
  (``.NAME.trunkline-PID-XXXXXX.tmp``), so the path holds the old content or the whole new one;
* :func:`write_tree_atomic`: a directory of files built as a temporary directory next to it
  (``.NAME.trunkline-PID-XXXXXX``) and swapped in with one ``renameat2(RENAME_EXCHANGE)`` (Linux >= 3.15,
  glibc >= 2.28), or two renames with the old directory restored on any failure or interrupt.

Both first remove what a killed earlier run left: temporaries of that name whose process no longer runs
(:func:`remove_stale`, one PID check: :func:`pid_alive`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from trunkline.errors import BadInputError, EnvironmentProblem


def pid_alive(pid: int) -> bool:
    """Whether process *pid* runs (ours, or one we may not signal: EPERM means it exists)."""
    if pid == os.getpid():
        return True
    if not 0 < pid <= 2**22:  # PID_MAX_LIMIT (include/linux/threads.h): no process has such a PID
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def temp_prefix(name: str) -> str:
    """The prefix of this process's temporaries for *name*: ``.NAME.trunkline-PID-``."""
    return f".{name}.trunkline-{os.getpid()}-"


def remove_stale(parent: Path, name: str) -> None:
    """Remove the temporary files and directories a killed earlier run left next to *parent/name*
    (``.NAME.trunkline-PID-*``, and ``.NAME.trunkline-PID.*.tmp`` of earlier versions, PID no longer
    running). Entries of other programs and of live writers are left alone; errors are ignored (a
    leftover is harmless)."""
    pattern = re.compile(rf"^\.{re.escape(name)}\.trunkline-(\d+)[-.]")
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        m = pattern.match(entry.name)
        if m is None or pid_alive(int(m.group(1))):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            Path(entry.path).unlink(missing_ok=True)


def check_output_path(path: Path) -> None:
    """Fail early (before a long read) when *path* cannot be an output file.

    Raises:
        BadInputError: its directory does not exist, or *path* is a directory.
    """
    parent = path.parent
    if not parent.is_dir():
        raise BadInputError(f"{path}: directory {parent} does not exist; create it or choose another path")
    if path.is_dir():
        raise BadInputError(f"{path}: is a directory; give a file name such as {path / 'inventory.yaml'}")


def write_text_atomic(path: Path, text: str) -> None:
    """Write *text* (UTF-8) to *path* so that *path* is either the old content or the whole new one.

    * a new path or an existing regular file: through a temporary file in the same directory
      (``.NAME.trunkline-PID-XXXXXX.tmp``; ones left by a killed earlier run are removed) and a rename;
      an existing file keeps its permission bits (a new one gets ``0666 & ~umask``);
    * a symbolic link: the link stays and its target is written as above;
    * a character device or a FIFO (``/dev/stdout``, a pipe): written straight into, since renaming a
      file over it would replace the device with a regular file;
    * any other kind of file (a block device, a socket) is refused.

    Raises:
        BadInputError: the parent directory is missing or not writable, or *path* is a block device or a
            socket (nothing is left behind).
    """
    check_output_path(path)
    try:
        mode = os.stat(path).st_mode  # through symlinks, also /proc's (/dev/stdout -> pipe:[N])
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot write it ({exc.strerror}); choose another path") from None
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        _write_stream(path, text)
        return
    if mode is not None and not stat.S_ISREG(mode):
        raise BadInputError(f"{path}: is not a regular file, a pipe or a terminal; choose a file name")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    check_output_path(target)
    parent = target.parent
    remove_stale(parent, target.name)
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=temp_prefix(target.name), suffix=".tmp")
    except OSError as exc:
        raise BadInputError(
            f"{path}: cannot write in {parent} ({exc.strerror}); choose another path"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        else:
            os.chmod(tmp, stat.S_IMODE(mode))
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise BadInputError(f"{path}: cannot write it ({exc.strerror}); choose another path") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_stream(path: Path, text: str) -> None:
    """Write *text* into the existing character device or FIFO *path* (no temporary file, no rename)."""
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as exc:
        raise BadInputError(f"{path}: cannot write it ({exc.strerror}); choose another path") from None


def write_tree_atomic(
    files: dict[str, str], out_dir: Path, carried: Iterable[str] = (), label: str = ""
) -> None:
    """Write *files* (relative path -> text) as directory *out_dir* (an absolute path), atomically:
    built next to it, then swapped in (see the module docstring). The entries *carried* (relative paths)
    of the existing *out_dir* are put into the new directory as hard links (copies where the file system
    refuses links) before the swap, so the old directory stays whole until the new one is in place.

    Raises:
        EnvironmentProblem: the parent directory cannot be written, or writing failed (the directory is
            left as it was); messages start with *label* (``-o DIR``).
    """
    label = label or str(out_dir)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale(parent, out_dir.name)
        tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(out_dir.name), dir=parent))
    except OSError as exc:
        msg = f"{label}: cannot write in {parent} ({exc.strerror}); choose another path"
        raise EnvironmentProblem(msg) from exc
    swapped = False
    try:
        made: set[Path] = set()
        for rel in sorted(files):
            path = tmp / rel
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            _write_new(path, files[rel].encode("utf-8"))
        for rel in carried:
            _carry(out_dir / rel, tmp / rel)
        os.chmod(tmp, 0o755)
        if out_dir.exists():
            swapped = _swap(tmp, out_dir)
        else:
            os.rename(tmp, out_dir)
            swapped = True
    except OSError as exc:
        if not swapped:
            shutil.rmtree(tmp, ignore_errors=True)
        msg = f"{label}: writing failed ({exc.strerror or exc}); the directory is as it was"
        raise EnvironmentProblem(msg) from exc
    except BaseException:
        if not swapped:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    # after an exchange *tmp* holds the previous plan; everything not ours in it now lives in out_dir too
    shutil.rmtree(tmp, ignore_errors=True)


def _write_new(path: Path, data: bytes) -> None:
    """Create *path* (it must not exist) holding *data* (os-level calls: ``open()`` in text mode cost
    more than the writing itself for 25,000 small files)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _carry(src: Path, dst: Path) -> None:
    """Put *src* (file, symlink or directory) at *dst* without touching *src*: hard links, else copies."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir() and not src.is_symlink():
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(str(src), str(dst))


_RENAME_EXCHANGE = 2  # <linux/fs.h>: RENAME_EXCHANGE, atomically exchange both names
_AT_FDCWD = -100


def _swap(new: Path, out_dir: Path) -> bool:
    """Put directory *new* at *out_dir*; afterwards *new* holds the previous *out_dir*. Returns True."""
    if _exchange(new, out_dir):
        return True
    # no exchange here: move the old aside, the new in, and put the old back on any failure
    aside = Path(tempfile.mkdtemp(prefix=temp_prefix(out_dir.name), dir=out_dir.parent))
    os.rmdir(aside)
    os.rename(out_dir, aside)
    try:
        os.rename(new, out_dir)
    except BaseException:
        os.rename(aside, out_dir)
        raise
    os.rename(aside, new)
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange the names *a* and *b* (``renameat2(2)``); False where the kernel, libc or file
    system cannot.

    Raises:
        OSError: the exchange failed for another reason.
    """
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err))
