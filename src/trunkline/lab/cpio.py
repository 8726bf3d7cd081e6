"""A minimal writer for the "newc" cpio archives the Linux kernel unpacks as an initramfs.

Format: ``Documentation/driver-api/early-userspace/buffer-format.rst`` in the kernel sources — each
entry is a 110-byte ASCII header (magic ``070701`` and 13 eight-digit hex fields), the NUL-terminated
name, padding to 4 bytes, the data, padding to 4 bytes; the archive ends with ``TRAILER!!!``.
Only what an initramfs needs: directories, regular files, symlinks; owner root, fixed mtime 0 (so the
same input gives the same bytes).
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field


def _pad(n: int) -> bytes:
    return b"\0" * ((4 - n % 4) % 4)


@dataclass
class Cpio:
    """An archive built in memory: ``add_dir`` / ``add_file`` / ``add_symlink``, then :meth:`to_bytes`."""

    _entries: list[tuple[str, int, bytes]] = field(default_factory=list)

    def add_dir(self, path: str, mode: int = 0o755) -> None:
        """Add directory *path* (relative, no leading slash)."""
        self._entries.append((path, stat.S_IFDIR | mode, b""))

    def add_file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        """Add regular file *path* with contents *data*."""
        self._entries.append((path, stat.S_IFREG | mode, data))

    def add_symlink(self, path: str, target: str) -> None:
        """Add symlink *path* pointing at *target*."""
        self._entries.append((path, stat.S_IFLNK | 0o777, target.encode()))

    def to_bytes(self) -> bytes:
        """The archive, trailer included."""
        out = bytearray()
        entries = [*self._entries, ("TRAILER!!!", 0, b"")]
        for ino, (name, mode, data) in enumerate(entries, start=1):
            raw_name = name.encode() + b"\0"
            nlink = 2 if stat.S_ISDIR(mode) else 1
            fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(raw_name), 0)
            header = b"070701" + b"".join(f"{v:08X}".encode() for v in fields)
            out += header + raw_name + _pad(len(header) + len(raw_name))
            out += data + _pad(len(data))
        return bytes(out)
