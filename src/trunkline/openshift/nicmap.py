"""Which vSphere uplink becomes which OpenShift node NIC, per group of nodes.

Sources, later ones winning key by key: the inventory's own ``nic_map``, a NIC map file, and the
``--nic-map UPLINK=NIC`` options. A key is a vSphere uplink name (``uplink1``, a distributed switch's
uplink port; or a LAG port such as ``lag1-0``) or a vmnic name (``vmnic1``); the uplink name is tried
first, so one entry covers hosts whose vmnic numbering differs.

NIC map file (YAML or JSON)::

    groups:
      - name: rack-a                       # RFC 1123 label; used in NNCP names
        nodeSelector:                      # the NNCP's spec.nodeSelector (default: the worker role)
          node-role.kubernetes.io/worker: ""
          topology.kubernetes.io/zone: rack-a
        hosts: ["esx-a-*"]                 # vSphere hosts (fnmatch patterns) these nodes replace;
                                           # omitted = every host
        nics:                              # uplink or vmnic -> node NIC
          vmnic1: ens34
          uplink2: ens35

A plain mapping (``{vmnic1: ens34}``) is one group for the worker role, as is no file at all.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from trunkline.errors import BadInputError, nested_too_deeply
from trunkline.inputfile import read_input_bytes
from trunkline.openshift.naming import is_ifname, is_label, is_label_key, is_label_value
from trunkline.yamlread import load_yaml12

WORKER_SELECTOR: tuple[tuple[str, str], ...] = (("node-role.kubernetes.io/worker", ""),)
DEFAULT_GROUP = "workers"
#: The node label every NNCP (and every monitoring DaemonSet) selects its node group by; its value is the
#: group's name, a DNS-1123 label.
NODE_GROUP_LABEL = "trunkline.io/node-group"
IFNAME_RULE = "1-15 bytes, no '/', ':' or spaces"


@dataclass(frozen=True)
class NodeGroup:
    """A group of OpenShift nodes sharing one NIC layout.

    ``node_selector``: sorted (label, value) pairs; ``hosts``: fnmatch patterns of vSphere host names
    whose uplinks these nodes take over (empty = every host); ``nics``: sorted (uplink or vmnic, node NIC).
    """

    name: str = DEFAULT_GROUP
    node_selector: tuple[tuple[str, str], ...] = WORKER_SELECTOR
    hosts: tuple[str, ...] = ()
    nics: tuple[tuple[str, str], ...] = ()
    default: bool = field(default=True, compare=False)
    reason: str = field(default="", compare=False)

    def covers(self, host_name: str) -> bool:
        """True when vSphere host *host_name* is one of this group's hosts (a pattern equal to the name
        matches it even when the name holds fnmatch's special characters)."""
        if not self.hosts:
            return True
        exact, globs = self._patterns
        return host_name in exact or any(fnmatch.fnmatchcase(host_name, p) for p in globs)

    @functools.cached_property
    def _patterns(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """The host patterns split into plain names (a set: automatic groups list hundreds of hosts) and
        the ones with fnmatch's special characters."""
        globs = tuple(p for p in self.hosts if any(c in p for c in "*?["))
        return frozenset(self.hosts), globs

    @property
    def selector(self) -> dict[str, str]:
        """The NNCP ``spec.nodeSelector``: the group's own labels plus
        ``trunkline.io/node-group: <name>``."""
        return {**dict(self.node_selector), NODE_GROUP_LABEL: self.name}

    def nic_for(self, uplink: str | None, vmnic: str | None) -> str | None:
        """The node NIC for a vSphere uplink (tried first) or vmnic; ``None`` = unmapped."""
        table = dict(self.nics)
        if uplink and uplink in table:
            return table[uplink]
        if vmnic and vmnic in table:
            return table[vmnic]
        return None


class _GroupFile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str
    node_selector: dict[str, str] = Field(default_factory=lambda: dict(WORKER_SELECTOR), alias="nodeSelector")
    hosts: list[str] = Field(default_factory=list)
    nics: dict[str, str] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _label(cls, value: str) -> str:
        if not is_label(value, 40):
            raise ValueError(f"group name {value!r}: a lower-case RFC 1123 label of at most 40 characters")
        return value

    @field_validator("node_selector", mode="before")
    @classmethod
    def _none_to_empty(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: "" if v is None else v for k, v in value.items()}
        return value

    @field_validator("node_selector")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        for key, val in value.items():
            if not is_label_key(key):
                raise ValueError(f"{key!r} is not a Kubernetes label key ([prefix/]name, name <= 63 chars)")
            if not is_label_value(val):
                raise ValueError(f"label {key}: {val!r} is not a label value (<= 63 chars A-Z a-z 0-9 - _ .)")
        return value

    @field_validator("nics")
    @classmethod
    def _nic_names(cls, value: dict[str, str]) -> dict[str, str]:
        for nic in value.values():
            if not is_ifname(nic):
                raise ValueError(f"node NIC {nic!r} is not an interface name ({IFNAME_RULE})")
        return value


class _MapFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    groups: list[_GroupFile] = Field(min_length=1)


def parse_nic_map_options(values: Iterable[str]) -> dict[str, str]:
    """``["vmnic1=ens34", ...]`` -> ``{"vmnic1": "ens34"}``.

    Raises:
        BadInputError: an entry is not ``UPLINK=NIC`` or NIC is not an interface name.
    """
    out: dict[str, str] = {}
    for value in values:
        left, sep, right = value.partition("=")
        left, right = left.strip(), right.strip()
        if not sep or not left or not right:
            raise BadInputError(f"--nic-map {value!r}: write UPLINK=NIC, e.g. --nic-map vmnic1=ens34")
        if not is_ifname(right):
            raise BadInputError(
                f"--nic-map {value!r}: {right!r} is not a node interface name ({IFNAME_RULE})"
            )
        if left in out and out[left] != right:
            raise BadInputError(
                f"--nic-map {value!r}: {left} is already mapped to {out[left]}; give each uplink once"
            )
        out[left] = right
    return out


def load_nic_map_file(path: Path) -> list[NodeGroup]:
    """Read a NIC map file (format in the module docstring).

    Raises:
        BadInputError: the file is missing, does not parse, or breaks the format.
    """
    raw = read_input_bytes(path, f"NIC map file {path}", "a NIC map file (YAML or JSON)")
    try:
        data = load_yaml12(raw.decode("utf-8"))  # trunkline's own format: YAML 1.2
    except RecursionError:
        raise BadInputError(nested_too_deeply(f"NIC map file {path}")) from None
    except UnicodeDecodeError as exc:
        raise BadInputError(f"NIC map file {path}: not UTF-8 text; give a YAML or JSON file") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BadInputError(f"NIC map file {path}: not YAML/JSON ({where}{problem}); fix the syntax") from exc
    return nic_map_from_data(data, str(path))


def nic_map_from_data(data: Any, source: str) -> list[NodeGroup]:
    """Turn parsed NIC map file content into node groups (see :func:`load_nic_map_file`)."""
    if isinstance(data, dict) and "groups" not in data and all(isinstance(v, str) for v in data.values()):
        try:
            nics = parse_nic_map_options(f"{k}={v}" for k, v in data.items())
        except BadInputError as exc:
            raise BadInputError(f"NIC map file {source}: {exc.message}") from exc
        return [NodeGroup(nics=tuple(sorted(nics.items())))]
    try:
        parsed = _MapFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise BadInputError(
            f"NIC map file {source}: {where}: {err['msg']}; "
            "see \"NIC map file\" in docs/plan.md for the format"
        ) from exc
    names = [g.name for g in parsed.groups]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise BadInputError(f"NIC map file {source}: group {dupes[0]!r} repeats; name each group once")
    return [
        NodeGroup(
            name=g.name,
            node_selector=tuple(sorted(g.node_selector.items())),
            hosts=tuple(g.hosts),
            nics=tuple(sorted(g.nics.items())),
            default=False,
        )
        for g in parsed.groups
    ]


def node_groups(
    inventory_map: Mapping[str, str],
    file_groups: list[NodeGroup] | None,
    cli_map: Mapping[str, str],
) -> tuple[NodeGroup, ...]:
    """The node groups to plan for: the file's groups (or one worker group), each with the inventory's
    ``nic_map`` under its own entries and the command line's on top. Sorted by name."""
    groups = file_groups or [NodeGroup()]
    out = []
    for group in groups:
        merged = dict(inventory_map)
        merged.update(dict(group.nics))
        merged.update(cli_map)
        out.append(
            NodeGroup(
                name=group.name,
                node_selector=group.node_selector,
                hosts=group.hosts,
                nics=tuple(sorted(merged.items())),
                default=group.default,
            )
        )
    return tuple(sorted(out, key=lambda g: g.name))
