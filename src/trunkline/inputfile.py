"""Reading an input file the user names (an inventory, a NIC map, a manifest) with bounds: it must be a
regular file (not a device such as ``/dev/zero``, a FIFO or a socket, which could be read forever) and at
most :data:`MAX_INPUT_BYTES` long, checked before reading."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from trunkline.errors import BadInputError

#: The largest input file read (1 GiB): a 100,000-VM inventory is about 100 MB and a plan directory's
#: largest manifest file a few tens of MB, so this bound is only ever met by something that is not one.
MAX_INPUT_BYTES = 1 << 30


def check_regular(path: Path, name: str, what: str) -> os.stat_result:
    """The ``stat`` of *path* when it is a regular file of at most :data:`MAX_INPUT_BYTES` bytes.

    *name* names the path in messages, *what* the kind of file expected (``an inventory file``).

    Raises:
        BadInputError: missing, a directory, not a regular file, too large, or not accessible.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise BadInputError(f"{name}: no such file; check the path") from None
    except OSError as exc:
        raise BadInputError(f"{name}: cannot read it ({exc.strerror}); check its permissions") from None
    if stat.S_ISDIR(info.st_mode):
        raise BadInputError(f"{name}: is a directory; give {what} inside it")
    if not stat.S_ISREG(info.st_mode):
        raise BadInputError(f"{name}: not a regular file (a device, pipe or socket); give {what}")
    if info.st_size > MAX_INPUT_BYTES:
        raise BadInputError(
            f"{name}: {info.st_size:,} bytes, more than the {MAX_INPUT_BYTES:,} bytes (1 GiB) read at most; "
            f"give {what}"
        )
    return info


def read_input_bytes(path: Path, name: str, what: str) -> bytes:
    """The bytes of the regular file *path* (see :func:`check_regular`), never more than
    :data:`MAX_INPUT_BYTES` even when the file grows while it is read.

    Raises:
        BadInputError: as :func:`check_regular`, or the file cannot be read.
    """
    info = check_regular(path, name, what)
    try:
        with path.open("rb") as handle:
            # read() allocates the size it is asked for up front: ask for the file's size (a 1 GiB
            # buffer fails in a small VM such as `lab --vm`'s), then in bounded chunks while it grows
            chunks = [handle.read(min(info.st_size, MAX_INPUT_BYTES) + 1)]
            total = len(chunks[0])
            while total <= MAX_INPUT_BYTES:
                chunk = handle.read(min(1 << 20, MAX_INPUT_BYTES + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError as exc:
        raise BadInputError(f"{name}: cannot read it ({exc.strerror}); check its permissions") from None
    if len(data) > MAX_INPUT_BYTES:
        raise BadInputError(
            f"{name}: more than {MAX_INPUT_BYTES:,} bytes (1 GiB), the most read; give {what}"
        )
    return data
