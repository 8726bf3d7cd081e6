"""Thin ctypes binding to the system ``libbpf.so.1``: only the calls trunkline makes.

Names mirror libbpf's (``bpf_object__open_file``, ``bpf_link_create``, ...) so that libbpf's own
documentation (``/usr/include/bpf/libbpf.h``, ``bpf.h``; https://libbpf.readthedocs.io) applies.
Struct layouts follow libbpf 1.1.2's headers; every ``*_opts`` struct starts with its own size
(``sz``), which is how libbpf stays compatible with callers built against older or newer headers.

Functions here return what libbpf returns (file descriptors, pointers); failures raise
:class:`LibbpfError` carrying the positive ``errno``. :func:`library` raises
:class:`~trunkline.errors.EnvironmentProblem` when ``libbpf.so.1`` is not installed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno as errno_mod
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from trunkline.errors import EnvironmentProblem

# enum bpf_attach_type (include/uapi/linux/bpf.h)
BPF_XDP = 37
BPF_TCX_INGRESS = 46  # kernel >= 6.6
BPF_TCX_EGRESS = 47
# XDP attach flags (include/uapi/linux/if_link.h)
XDP_FLAGS_SKB_MODE = 1 << 1  # generic
XDP_FLAGS_DRV_MODE = 1 << 2  # native
# BPF_PROG_TEST_RUN flags (include/uapi/linux/bpf.h)
BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1
# BTF kinds (include/uapi/linux/btf.h)
BTF_KIND_STRUCT = 4
# enum libbpf_print_level
LIBBPF_WARN, LIBBPF_INFO, LIBBPF_DEBUG = 0, 1, 2


class LibbpfError(OSError):
    """A libbpf call failed; ``errno`` is the positive error number, ``call`` the function's name."""

    def __init__(self, call: str, err: int) -> None:
        super().__init__(err, f"{call}: {os.strerror(err)}")
        self.call = call


class bpf_link_create_opts(ctypes.Structure):  # noqa: N801 - libbpf's name
    """``struct bpf_link_create_opts`` (libbpf 1.1.2 bpf.h). ``flags`` carries the XDP mode."""

    _fields_ = [
        ("sz", ctypes.c_size_t),
        ("flags", ctypes.c_uint32),
        ("iter_info", ctypes.c_void_p),
        ("iter_info_len", ctypes.c_uint32),
        ("target_btf_id", ctypes.c_uint32),
        # union {perf_event, kprobe_multi, tracing}: the largest member is kprobe_multi (40 bytes)
        ("union_", ctypes.c_uint8 * 40),
    ]


class bpf_test_run_opts(ctypes.Structure):  # noqa: N801 - libbpf's name
    """``struct bpf_test_run_opts`` (libbpf 1.1.2 bpf.h): one BPF_PROG_TEST_RUN call."""

    _fields_ = [
        ("sz", ctypes.c_size_t),
        ("data_in", ctypes.c_void_p),
        ("data_out", ctypes.c_void_p),
        ("data_size_in", ctypes.c_uint32),
        ("data_size_out", ctypes.c_uint32),
        ("ctx_in", ctypes.c_void_p),
        ("ctx_out", ctypes.c_void_p),
        ("ctx_size_in", ctypes.c_uint32),
        ("ctx_size_out", ctypes.c_uint32),
        ("retval", ctypes.c_uint32),
        ("repeat", ctypes.c_int),
        ("duration", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("cpu", ctypes.c_uint32),
        ("batch_size", ctypes.c_uint32),
    ]


class bpf_map_batch_opts(ctypes.Structure):  # noqa: N801 - libbpf's name
    """``struct bpf_map_batch_opts`` (libbpf 1.1.2 bpf.h)."""

    _fields_ = [("sz", ctypes.c_size_t), ("elem_flags", ctypes.c_uint64), ("flags", ctypes.c_uint64)]


_PRINT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)

_lock = threading.Lock()
_lib: ctypes.CDLL | None = None


def _declare(lib: ctypes.CDLL) -> None:
    vp, i, u32, cp = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32, ctypes.c_char_p
    sigs: dict[str, tuple[Any, list[Any]]] = {
        "bpf_object__open_file": (vp, [cp, vp]),
        "bpf_object__load": (i, [vp]),
        "bpf_object__close": (None, [vp]),
        "bpf_object__find_program_by_name": (vp, [vp, cp]),
        "bpf_program__fd": (i, [vp]),
        "bpf_object__find_map_by_name": (vp, [vp, cp]),
        "bpf_map__fd": (i, [vp]),
        "bpf_map__set_max_entries": (i, [vp, u32]),
        "bpf_program__set_autoload": (i, [vp, ctypes.c_bool]),
        "bpf_link_create": (i, [i, i, u32, ctypes.POINTER(bpf_link_create_opts)]),
        "bpf_map_lookup_elem": (i, [i, vp, vp]),
        "bpf_map_update_elem": (i, [i, vp, vp, ctypes.c_uint64]),
        "bpf_map_lookup_batch": (i, [i, vp, vp, vp, vp, ctypes.POINTER(u32),
                                     ctypes.POINTER(bpf_map_batch_opts)]),
        "bpf_prog_test_run_opts": (i, [i, ctypes.POINTER(bpf_test_run_opts)]),
        "libbpf_set_print": (vp, [_PRINT_FN]),
        "libbpf_num_possible_cpus": (i, []),
        "bpf_obj_get_info_by_fd": (i, [i, vp, ctypes.POINTER(u32)]),
        "bpf_link_get_fd_by_id": (i, [u32]),
        "btf__parse": (vp, [cp, vp]),
        "btf__find_by_name_kind": (i, [vp, cp, u32]),
        "btf__resolve_size": (ctypes.c_longlong, [vp, u32]),
        "btf__free": (None, [vp]),
    }
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def library() -> ctypes.CDLL:
    """The loaded ``libbpf.so.1`` (loaded once per process).

    Raises:
        EnvironmentProblem: libbpf.so.1 is not installed.
    """
    global _lib
    with _lock:
        if _lib is None:
            try:
                lib = ctypes.CDLL("libbpf.so.1", use_errno=True)
            except OSError as exc:
                raise EnvironmentProblem(
                    f"libbpf.so.1 not found ({exc}): install libbpf 1.x (Debian: apt-get install libbpf1)"
                ) from None
            _declare(lib)
            _lib = lib
        return _lib


def _check_fd(call: str, ret: int) -> int:
    if ret < 0:
        raise LibbpfError(call, -ret)
    return ret


def _check_ptr(call: str, ptr: int | None) -> int:
    if not ptr:
        raise LibbpfError(call, ctypes.get_errno() or errno_mod.EINVAL)
    return ptr


def bpf_object__open_file(path: str) -> int:
    """Open (not yet load) the BPF ELF object at *path*; returns the ``struct bpf_object *``."""
    lib = library()
    ctypes.set_errno(0)
    return _check_ptr("bpf_object__open_file", lib.bpf_object__open_file(os.fsencode(path), None))


def bpf_object__load(obj: int) -> None:
    """Create the object's maps and load its programs into the kernel (runs the verifier)."""
    _check_fd("bpf_object__load", library().bpf_object__load(obj))


def bpf_object__close(obj: int) -> None:
    """Close the object: its programs' and maps' file descriptors (not links created from them)."""
    library().bpf_object__close(obj)


def bpf_object__find_program_by_name(obj: int, name: str) -> int:
    """The ``struct bpf_program *`` of the function *name*."""
    ctypes.set_errno(0)
    return _check_ptr("bpf_object__find_program_by_name",
                      library().bpf_object__find_program_by_name(obj, name.encode()))


def bpf_program__fd(prog: int) -> int:
    """File descriptor of a loaded program."""
    return _check_fd("bpf_program__fd", library().bpf_program__fd(prog))


def bpf_object__find_map_by_name(obj: int, name: str) -> int:
    """The ``struct bpf_map *`` called *name*."""
    ctypes.set_errno(0)
    return _check_ptr("bpf_object__find_map_by_name",
                      library().bpf_object__find_map_by_name(obj, name.encode()))


def bpf_map__fd(map_: int) -> int:
    """File descriptor of a created map."""
    return _check_fd("bpf_map__fd", library().bpf_map__fd(map_))


def bpf_map__set_max_entries(map_: int, max_entries: int) -> None:
    """Set a map's ``max_entries`` between open and load (the size in the object is the default)."""
    _check_fd("bpf_map__set_max_entries", library().bpf_map__set_max_entries(map_, max_entries))


def bpf_program__set_autoload(prog: int, autoload: bool) -> None:
    """Whether ``bpf_object__load`` loads the program (set between open and load; default yes)."""
    _check_fd("bpf_program__set_autoload", library().bpf_program__set_autoload(prog, autoload))


def bpf_link_create(prog_fd: int, target: int, attach_type: int, flags: int = 0) -> int:
    """Create a bpf_link; returns its file descriptor (the attachment lives as long as it is open).

    *target* is an ifindex for BPF_XDP and BPF_TCX_*; *flags* goes to ``opts.flags`` (for BPF_XDP the
    mode: XDP_FLAGS_SKB_MODE generic, XDP_FLAGS_DRV_MODE native). libbpf 1.1.2 passes attach types it
    does not know (BPF_TCX_INGRESS/EGRESS) through to the kernel unchanged.
    """
    opts = bpf_link_create_opts(sz=ctypes.sizeof(bpf_link_create_opts), flags=flags)
    return _check_fd("bpf_link_create",
                     library().bpf_link_create(prog_fd, target, attach_type, ctypes.byref(opts)))


def bpf_map_lookup_elem(fd: int, key: ctypes._CData, value: ctypes._CData) -> None:
    """Read the value at *key* into *value* (for per-CPU maps: one value per possible CPU)."""
    _check_fd("bpf_map_lookup_elem",
              library().bpf_map_lookup_elem(fd, ctypes.byref(key), ctypes.byref(value)))


def bpf_map_update_elem(fd: int, key: ctypes._CData, value: ctypes._CData, flags: int = 0) -> None:
    """Write *value* at *key* (BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2)."""
    _check_fd("bpf_map_update_elem",
              library().bpf_map_update_elem(fd, ctypes.byref(key), ctypes.byref(value), flags))


def bpf_map_lookup_batch(fd: int, in_batch: ctypes._CData | None, out_batch: ctypes._CData,
                         keys: ctypes._CData, values: ctypes._CData, count: int) -> tuple[int, bool]:
    """Read up to *count* entries in one syscall; returns (entries read, end of map reached).

    *in_batch* ``None`` starts at the beginning; pass the previous *out_batch* to continue.
    ENOENT from the kernel means the map's end was reached (entries may still have been read).
    """
    n = ctypes.c_uint32(count)
    opts = bpf_map_batch_opts(sz=ctypes.sizeof(bpf_map_batch_opts))
    ret = library().bpf_map_lookup_batch(
        fd, ctypes.byref(in_batch) if in_batch is not None else None, ctypes.byref(out_batch),
        ctypes.byref(keys), ctypes.byref(values), ctypes.byref(n), ctypes.byref(opts))
    if ret < 0:
        err = ctypes.get_errno() if ret == -1 else -ret
        if err == errno_mod.ENOENT:
            return n.value, True
        raise LibbpfError("bpf_map_lookup_batch", err)
    return n.value, False


def bpf_prog_test_run_opts(prog_fd: int, data: bytes, repeat: int = 1, ctx: bytes | None = None,
                           data_out_size: int = 0, flags: int = 0, batch_size: int = 0) -> bpf_test_run_opts:
    """Run the program on *data* (BPF_PROG_TEST_RUN); returns the opts with ``retval``/``duration`` (ns).

    *ctx* is the program's context struct (``struct __sk_buff`` / ``struct xdp_md``) in bytes; *flags*
    for example BPF_F_TEST_XDP_LIVE_FRAMES, which sends XDP_TX/XDP_REDIRECT frames for real.
    """
    buf = ctypes.create_string_buffer(data, len(data))
    opts = bpf_test_run_opts(sz=ctypes.sizeof(bpf_test_run_opts), data_size_in=len(data), repeat=repeat,
                             flags=flags, batch_size=batch_size)
    opts.data_in = ctypes.cast(buf, ctypes.c_void_p)
    out = ctypes.create_string_buffer(data_out_size) if data_out_size else None
    if out is not None:
        opts.data_out = ctypes.cast(out, ctypes.c_void_p)
        opts.data_size_out = data_out_size
    if ctx is not None:
        cbuf = ctypes.create_string_buffer(ctx, len(ctx))
        opts.ctx_in = ctypes.cast(cbuf, ctypes.c_void_p)
        opts.ctx_size_in = len(ctx)
    _check_fd("bpf_prog_test_run_opts", library().bpf_prog_test_run_opts(prog_fd, ctypes.byref(opts)))
    return opts


def bpf_obj_get_info_by_fd(fd: int, info: ctypes._CData) -> None:
    """Fill *info* (``struct bpf_link_info``, ``bpf_prog_info`` or ``bpf_map_info``) for *fd*."""
    size = ctypes.c_uint32(ctypes.sizeof(info))
    _check_fd("bpf_obj_get_info_by_fd",
              library().bpf_obj_get_info_by_fd(fd, ctypes.byref(info), ctypes.byref(size)))


def bpf_link_get_fd_by_id(link_id: int) -> int:
    """A new file descriptor of the bpf_link with kernel id *link_id* (ENOENT once it is gone)."""
    return _check_fd("bpf_link_get_fd_by_id", library().bpf_link_get_fd_by_id(link_id))


def btf_struct_size(path: str, name: str) -> int:
    """Size in bytes of ``struct name`` as the BTF of the ELF object at *path* describes it.

    Uses btf__parse, btf__find_by_name_kind and btf__resolve_size.
    """
    lib = library()
    ctypes.set_errno(0)
    btf = _check_ptr("btf__parse", lib.btf__parse(os.fsencode(path), None))
    try:
        type_id = _check_fd("btf__find_by_name_kind",
                            lib.btf__find_by_name_kind(btf, name.encode(), BTF_KIND_STRUCT))
        return _check_fd("btf__resolve_size", lib.btf__resolve_size(btf, type_id))
    finally:
        lib.btf__free(btf)


def libbpf_num_possible_cpus() -> int:
    """Number of possible CPUs: the number of values a per-CPU map returns per key."""
    return _check_fd("libbpf_num_possible_cpus", library().libbpf_num_possible_cpus())


_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.vsnprintf.restype = ctypes.c_int
_libc.vsnprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p]


@contextmanager
def libbpf_set_print(level: int = LIBBPF_DEBUG) -> Iterator[list[str]]:
    """Capture libbpf's messages (verifier log included) up to *level* into the yielded list of lines.

    libbpf's print callback is process-global, so captures are serialised with a lock and the
    previous callback is restored on exit.
    """
    lines: list[str] = []

    def _print(lvl: int, fmt: bytes, args: int) -> int:
        if lvl <= level:
            buf = ctypes.create_string_buffer(8192)
            _libc.vsnprintf(buf, len(buf), fmt, args)
            lines.extend(buf.value.decode(errors="replace").splitlines())
        return 0

    callback = _PRINT_FN(_print)
    lib = library()
    with _print_lock:
        previous = lib.libbpf_set_print(callback)
        try:
            yield lines
        finally:
            lib.libbpf_set_print(ctypes.cast(previous, _PRINT_FN) if previous else _PRINT_FN())


_print_lock = threading.Lock()
