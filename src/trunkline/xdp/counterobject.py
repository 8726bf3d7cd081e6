"""The loaded counter object (programs and maps, not attached anywhere) and the reading of its maps.

Map layout and the structs crossing the kernel/user boundary: ``counter.h`` (shipped next to the
object). The ctypes mirrors below must keep the sizes the object's BTF reports (tested).
:class:`trunkline.xdp.counter.Counter` attaches a :class:`CounterObject` to an interface.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from trunkline.errors import BadInputError, EnvironmentProblem
from trunkline.xdp import libbpf, mactable
from trunkline.xdp.ethertypes import RESERVED as RESERVED_ETHERTYPES
from trunkline.xdp.macs import MacTable
from trunkline.xdp.mactable import TL_MAC_ENTRIES
from trunkline.xdp.stats import Cell, Direction, Family

OBJECT_PATH = Path(__file__).with_name("counter.bpf.o")

# Mirrors of counter.h.
TL_VLAN_UNTAGGED = 4096
TL_VLAN_SLOTS = 4097
TL_PROTOCOL_SLOTS = 512
TL_ETHERTYPE_ENTRIES = 4096
TL_ETHERTYPE_OTHER = 0x10000
"""EtherType slot of non-IP frames counted after the EtherType hash filled up (not a real EtherType)."""
ENTRIES = ("tl_count_xdp", "tl_count_xdp_frags", "tl_count_tc_rx", "tl_count_tc_tx")
"""The program entries (counter.bpf.c); each also exists with :data:`MACS_SUFFIX`, counting and learning."""
MACS_SUFFIX = "_macs"
MAC_CAPACITY_MAX = 1 << 22
"""Largest MAC table trunkline accepts (4,194,304 pairs: about 460 MiB of kernel memory, 112 bytes a pair)."""
TL_ETHERTYPE_LLC = 0x10001
"""EtherType slot of every 802.3 frame (Type/Length 0-1500; not a real EtherType)."""
DIRECTIONS: tuple[Direction, Direction] = ("rx", "tx")
FAMILIES: tuple[Family, Family] = ("ipv4", "ipv6")

_NONZERO = re.compile(rb"[^\x00]+")


class tl_counter(ctypes.Structure):  # noqa: N801 - the C name
    """``struct tl_counter`` (counter.h): packets and bytes of one slot on one CPU."""

    _fields_ = [("packets", ctypes.c_uint64), ("bytes", ctypes.c_uint64)]


class tl_ethertype_key(ctypes.Structure):  # noqa: N801 - the C name
    """``struct tl_ethertype_key`` (counter.h): key of the ``tl_ethertypes`` hash."""

    _fields_ = [("ethertype", ctypes.c_uint32), ("direction", ctypes.c_uint32)]



@dataclass(frozen=True)
class Counts:
    """The counts of one direction as the maps hold them (summed over CPUs, only non-zero rows)."""

    vlans: dict[int | None, Cell]
    protocols: dict[tuple[Family, int], Cell]
    ethertypes: dict[int, Cell]
    truncated: Cell


class CounterObject:
    """The loaded counter object (programs and maps), not attached anywhere.

    :class:`Counter` attaches it to an interface; tests and benchmarks run its programs through
    BPF_PROG_TEST_RUN (:meth:`prog_fd` with ``tl_count_xdp``, ``tl_count_xdp_frags``,
    ``tl_count_tc_rx``, ``tl_count_tc_tx``).

    Args:
        path: the object file.
        learn_macs: load the learning entries (``tl_count_*_macs``: count and learn (VLAN, source
            MAC) pairs into ``tl_macs``) instead of the plain ones (the MAC maps then get one entry).
        mac_capacity: size of the MAC map in pairs (default :data:`TL_MAC_ENTRIES`).

    Raises:
        BadInputError: *mac_capacity* out of range (1 .. :data:`MAC_CAPACITY_MAX`).
        EnvironmentProblem: libbpf missing, missing privileges, the kernel rejected the program (the
            message ends with the verifier's last lines).
    """

    def __init__(self, path: Path = OBJECT_PATH, learn_macs: bool = False,
                 mac_capacity: int | None = None) -> None:
        capacity = TL_MAC_ENTRIES if mac_capacity is None else mac_capacity
        if not 1 <= capacity <= MAC_CAPACITY_MAX:
            raise BadInputError(  # the size comes from --mac-table-size (count, verify)
                f"--mac-table-size {capacity}: MAC table size out of range; use 1 to {MAC_CAPACITY_MAX}")
        self.learn_macs = learn_macs
        self.mac_capacity = capacity if learn_macs else 0
        self._clock_offset = time.time() - time.monotonic()  # Unix seconds at CLOCK_MONOTONIC 0
        self._obj: int | None = None
        self.maps: dict[str, int] = {}
        self._buffers: dict[str, tuple[ctypes.Array[ctypes.c_uint32], ctypes.Array[tl_counter]]] = {}
        self._read_lock = threading.Lock()  # reads reuse buffers; an exporter thread may read too
        self.ncpu = libbpf.libbpf_num_possible_cpus()
        with libbpf.libbpf_set_print(libbpf.LIBBPF_WARN) as log:
            try:
                self._obj = libbpf.bpf_object__open_file(str(path))
            except libbpf.LibbpfError as exc:
                raise EnvironmentProblem(
                    f"cannot open {path}: {exc.strerror}: reinstall trunkline") from None
            self._configure()
            try:
                libbpf.bpf_object__load(self._obj)
            except libbpf.LibbpfError as exc:
                self.close()
                if exc.errno == errno.EPERM:
                    raise EnvironmentProblem(
                        "the kernel refused to load eBPF (EPERM): run as root or with CAP_BPF + CAP_NET_ADMIN"
                    ) from None
                tail = " | ".join(line.strip() for line in log[-8:] if line.strip())
                raise EnvironmentProblem(
                    f"the kernel rejected the counter program ({exc.strerror}); needs a kernel >= 6.1 "
                    f"with BPF and BTF; verifier: {tail}") from None
        for name in ("tl_vlans", "tl_protocols", "tl_ethertypes", "tl_truncated", "tl_macs", "tl_mac_cache",
                     "tl_mac_stats"):
            self.maps[name] = libbpf.bpf_map__fd(libbpf.bpf_object__find_map_by_name(self._obj, name))
        # The EtherType hash's overflow slots exist from the start, so a full hash still counts, and so
        # do the well-known EtherTypes' slots, so that no flood of other EtherTypes can take them.
        zeros = (tl_counter * self.ncpu)()
        for d in range(len(DIRECTIONS)):
            for ethertype in (TL_ETHERTYPE_OTHER, TL_ETHERTYPE_LLC, *RESERVED_ETHERTYPES):
                key = tl_ethertype_key(ethertype, d)
                libbpf.bpf_map_update_elem(self.maps["tl_ethertypes"], key, zeros)

    def _configure(self) -> None:
        """Between open and load: which entries load (plain or learning) and the MAC maps' sizes.

        Programs and maps the object lacks are skipped, so that a foreign object still reaches the
        verifier (whose verdict is the useful message).
        """
        assert self._obj is not None

        def find(kind: str, name: str) -> int | None:
            finder = (libbpf.bpf_object__find_program_by_name if kind == "program"
                      else libbpf.bpf_object__find_map_by_name)
            try:
                return finder(self._obj, name)  # type: ignore[arg-type]
            except libbpf.LibbpfError:
                return None

        for name in ENTRIES:
            for variant, wanted in ((name, not self.learn_macs), (name + MACS_SUFFIX, self.learn_macs)):
                prog = find("program", variant)
                if prog is not None:
                    libbpf.bpf_program__set_autoload(prog, wanted)
        sizes = {"tl_macs": self.mac_capacity or 1, "tl_mac_cache": None if self.learn_macs else 1}
        for name, size in sizes.items():  # without learning: no memory for maps nobody fills
            map_ = find("map", name)
            if map_ is not None and size is not None:
                libbpf.bpf_map__set_max_entries(map_, size)

    def prog_fd(self, name: str) -> int:
        """File descriptor of the entry *name* (one of :data:`ENTRIES`; owned by this object): its
        learning variant ``name + "_macs"`` when the object learns MACs."""
        if self._obj is None:
            raise EnvironmentProblem("the counter object is closed")
        variant = name + MACS_SUFFIX if self.learn_macs and not name.endswith(MACS_SUFFIX) else name
        return libbpf.bpf_program__fd(libbpf.bpf_object__find_program_by_name(self._obj, variant))

    def read(self, directions: int = 2) -> list[Counts]:
        """Counts of the first *directions* directions (rx, then tx): one batch lookup per map.

        Safe to call from several threads.
        """
        with self._read_lock:
            vlans = self._read_array("tl_vlans", directions * TL_VLAN_SLOTS)
            protocols = self._read_array("tl_protocols", directions * TL_PROTOCOL_SLOTS)
            truncated = self._read_array("tl_truncated", directions)
            ethertypes = self._read_ethertypes()
        out = []
        for d in range(directions):
            vbase, pbase = d * TL_VLAN_SLOTS, d * TL_PROTOCOL_SLOTS
            out.append(Counts(
                vlans={(None if i == TL_VLAN_UNTAGGED else i): cell
                       for i, cell in enumerate(vlans[vbase:vbase + TL_VLAN_SLOTS]) if cell},
                protocols={(FAMILIES[i // 256], i % 256): cell
                           for i, cell in enumerate(protocols[pbase:pbase + TL_PROTOCOL_SLOTS]) if cell},
                ethertypes={et: cell for (kd, et), cell in sorted(ethertypes.items()) if kd == d},
                truncated=truncated[d],
            ))
        return out

    def _read_array(self, name: str, count: int) -> list[Cell]:
        """Per-CPU sums of the first *count* entries of a per-CPU array (one batch syscall).

        Values arrive as [entry][cpu] of struct tl_counter; only entries with non-zero bytes (found by
        a regular expression, in C) are summed, so a read costs little more than the syscall.
        """
        ncpu = self.ncpu
        buffers = self._buffers.get(name)
        if buffers is None or len(buffers[0]) < count:
            buffers = ((ctypes.c_uint32 * count)(), (tl_counter * (count * ncpu))())
            self._buffers[name] = buffers
        keys, values = buffers
        got, _ = libbpf.bpf_map_lookup_batch(self.maps[name], None, ctypes.c_uint32(), keys, values, count)
        entry_size = ncpu * ctypes.sizeof(tl_counter)
        raw = memoryview(values).cast("B")[:got * entry_size]
        sums = [Cell()] * got
        entries = {i for m in _NONZERO.finditer(raw) for i in range(m.start() // entry_size,
                                                                    (m.end() - 1) // entry_size + 1)}
        for i in entries:
            words = raw[i * entry_size:(i + 1) * entry_size].cast("Q")
            sums[i] = Cell(sum(words[0::2]), sum(words[1::2]))
        return sums

    def _read_ethertypes(self) -> dict[tuple[int, int], Cell]:
        fd = self.maps["tl_ethertypes"]
        ncpu = self.ncpu
        count = TL_ETHERTYPE_ENTRIES
        keys = (tl_ethertype_key * count)()
        values = (tl_counter * (count * ncpu))()
        out: dict[tuple[int, int], Cell] = {}
        in_batch: ctypes.c_uint32 | None = None
        while True:
            out_batch = ctypes.c_uint32()
            got, done = libbpf.bpf_map_lookup_batch(fd, in_batch, out_batch, keys, values, count)
            for i in range(got):
                cells = values[i * ncpu:(i + 1) * ncpu]
                cell = Cell(sum(c.packets for c in cells), sum(c.bytes for c in cells))
                if cell:
                    out[(keys[i].direction, keys[i].ethertype)] = cell
            if done or got == 0:
                return out
            in_batch = out_batch

    def read_macs(self, directions: int = 2) -> MacTable:
        """The learned pairs of the first *directions* directions (see :func:`mactable.read_table`).

        Times: CLOCK_MONOTONIC ns turned into Unix seconds with the offset between ``time.time()``
        and ``time.monotonic()`` taken when the object was loaded (so one kernel time always gives the
        same Unix time).

        Raises:
            EnvironmentProblem: learning is off (open the object with ``learn_macs=True``).
        """
        if not self.learn_macs:
            raise EnvironmentProblem("MAC learning is off for this counter: open it with learn_macs=True")
        maps = mactable.MacMaps(macs=self.maps["tl_macs"], cache=self.maps["tl_mac_cache"],
                                stats=self.maps["tl_mac_stats"], capacity=self.mac_capacity, ncpu=self.ncpu,
                                clock_offset=self._clock_offset)
        with self._read_lock:
            return mactable.read_table(maps, directions)

    def close(self) -> None:
        """Release the programs and maps (idempotent)."""
        if self._obj is not None:
            libbpf.bpf_object__close(self._obj)
            self._obj = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
