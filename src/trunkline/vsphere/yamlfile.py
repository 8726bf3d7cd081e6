"""trunkline's own inventory file: YAML or JSON in, :class:`~trunkline.vsphere.model.Inventory` out, and back.

The file is the model written out (``trunkline inventory schema`` prints its JSON Schema), with the
hand-writing shorthands of :func:`~trunkline.vsphere.model.parse_vlan_shorthand` for VLAN policies
(``vlan: 40``, ``vlan: "100-199,300"``).

* :func:`parse_inventory` / :func:`load_inventory_file`: text or file -> :class:`Inventory`. Every problem
  is a :class:`~trunkline.errors.BadInputError` with ONE line naming the file, the line (YAML), the
  location in the model (``vcenters[0].datacenters[0].port_groups[3].vlan``), what is wrong and the fix.
  Besides pydantic's checks, :func:`reference_problems` checks what a schema cannot: references between
  objects (a port group's switch, a VM NIC's network, a host NIC's switch, a vmkernel NIC's port group,
  a host's cluster) and duplicate ids.
* :func:`dump_inventory` / :func:`write_inventory`: :class:`Inventory` -> YAML (or JSON), in the model's
  field order, defaults left out, VLAN policies in their shorthand, so that the same inventory always
  gives the same bytes; written atomically (temporary file in the same directory, then rename).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from trunkline.atomicwrite import write_text_atomic
from trunkline.errors import BadInputError, nested_too_deeply
from trunkline.gcpause import gc_paused
from trunkline.inputfile import read_input_bytes
from trunkline.vsphere.model import (
    AccessVlan,
    Datacenter,
    Inventory,
    NoVlan,
    PortGroup,
    PrivateVlan,
    TrunkVlan,
    UnknownVlan,
    inventory_json_schema,
)
from trunkline.yamlread import Yaml12Loader, Yaml12PyLoader, duplicate_keys, load_json_pairs

Loc = tuple[str | int, ...]

# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


#: Inventories are read as YAML 1.2's core schema (:mod:`trunkline.yamlread`): ``yes``/``on`` stay strings,
#: ``2001-12-14`` stays a string, ``010`` is 10, a MAC such as ``10:20:30:40:50:56`` stays a string, and a
#: key written twice is an error. ``_FastLoader`` uses libyaml's parser; ``_Loader`` PyYAML's own (its error
#: messages are the same everywhere: used to report errors).
_Loader = Yaml12PyLoader
_FastLoader = Yaml12Loader
_SafeDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def parse_inventory(text: str, source: str = "inventory") -> Inventory:
    """Parse inventory *text* (YAML, or JSON when it starts with ``{``) into an :class:`Inventory`.

    *source* names the input in error messages (the file name as the user gave it).

    Raises:
        BadInputError: unparseable text, a schema violation or a broken reference; one line
            ``SOURCE[:LINE]: LOCATION: PROBLEM; FIX``.
    """
    with gc_paused():  # a large inventory is a million objects that all stay alive (trunkline.gcpause)
        data = _parse_text(text, source)
        try:
            inventory = Inventory.model_validate(data)
        except ValidationError as exc:
            raise BadInputError(_validation_message(exc, data, text, source)) from None
    problems = [*reference_problems(inventory), *vlan_policy_problems(inventory)]
    if problems:
        loc, message = problems[0]
        more = _more(len(problems) - 1)
        raise BadInputError(f"{_where(source, text, data, loc)}{format_loc(loc)}: {message}{more}")
    return inventory


def _more(count: int) -> str:
    """`` (and 2 more problems)``, `` (and 1 more problem)`` or nothing."""
    if count <= 0:
        return ""
    return f" (and {count} more problem{'' if count == 1 else 's'})"


def check_read_inventory(inventory: Inventory) -> None:
    """Check an inventory a reader built (vCenter, RVTools) against the rules :func:`parse_inventory`
    applies (:func:`reference_problems`), so that no file is written that would not load again.

    Raises:
        BadInputError: the first problem, naming its place in the model.
    """
    problems = list(reference_problems(inventory))
    if problems:
        loc, message = problems[0]
        more = _more(len(problems) - 1)
        raise BadInputError(
            f"the inventory read would not load, nothing written: {format_loc(loc)}: {message}{more}"
        )


def load_inventory_file(path: Path, source: str | None = None) -> Inventory:
    """Read the inventory file at *path* (YAML or JSON, told apart by content, not by name).

    Raises:
        BadInputError: the file is missing, unreadable, not a regular file, over
            :data:`trunkline.inputfile.MAX_INPUT_BYTES`, not UTF-8, or its content is bad (see
            :func:`parse_inventory`).
    """
    name = source or str(path)
    raw = read_input_bytes(path, name, "the inventory file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(
            f"{name}: byte {exc.start} is not UTF-8; an inventory file is YAML or JSON text in UTF-8"
        ) from None
    return parse_inventory(text, name)


def _load_yaml(text: str) -> Any:
    """Parse YAML *text* fast; on an error, parse again with the pure-Python parser, whose messages
    (and line/column marks) do not depend on how PyYAML was built."""
    try:
        return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader; raises the reported error


def _parse_text(text: str, source: str) -> Any:
    try:
        return _parse_data(text, source)
    except RecursionError:
        raise BadInputError(nested_too_deeply(source)) from None


def _parse_data(text: str, source: str) -> Any:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data, repeated = load_json_pairs(text)
        except json.JSONDecodeError as exc:
            raise BadInputError(
                f"{source}:{exc.lineno}: column {exc.colno}: not valid JSON ({exc.msg}); fix the JSON syntax"
            ) from None
        if repeated:
            found = duplicate_keys(text)
            where, what = (
                (f":{found[0][0]}", f"key {found[0][2]!r} (also line {found[0][3]})")
                if found
                else ("", "a key")
            )
            raise BadInputError(
                f"{source}{where}: {what} appears twice in one object; keep one "
                "(JSON readers differ on which wins)"
            )
        return data
    try:
        data = _load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        column = f" column {mark.column + 1}:" if mark is not None else ""
        problem = " ".join((exc.problem or "malformed").split())
        context = f" {' '.join(exc.context.split())}" if exc.context else ""
        raise BadInputError(
            f"{source}{line}:{column} not valid YAML ({problem}{context}); fix the YAML syntax there"
        ) from None
    except yaml.reader.ReaderError as exc:
        at = text.count("\n", 0, exc.position) + 1
        char: Any = exc.character
        code = char if isinstance(char, int) else ord(char)
        raise BadInputError(
            f"{source}:{at}: not valid YAML (character U+{code:04X} is not allowed in YAML text); remove it"
        ) from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise BadInputError(f"{source}: not valid YAML ({problem}); fix the YAML syntax") from None
    if data is None:
        what = "the file is empty" if not text.strip() else "the file holds no data (only comments or null)"
        raise BadInputError(f"{source}: {what}; write an inventory (see `trunkline inventory schema`)")
    return data


# --------------------------------------------------------------------------------------------------
# Error messages
# --------------------------------------------------------------------------------------------------

_VLAN_TAGS = {"none", "vlan", "trunk", "pvlan"}
_VLAN_FIELDS = {"id", "start", "end", "secondary", "primary"}


def format_loc(loc: Loc) -> str:
    """``("vcenters", 0, "datacenters")`` -> ``vcenters[0].datacenters``; ``()`` -> ``(top level)``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _user_loc(loc: Loc, data: Any) -> tuple[Loc, bool]:
    """The error location *loc* as the user wrote it: discriminator tags pydantic inserts for the VLAN
    policy are dropped and a location inside a shorthand (``vlan: 40``) stops at the shorthand.

    Returns the location and whether it is inside a VLAN policy.
    """
    out: list[str | int] = []
    node: Any = data
    in_vlan = False
    for part in loc:
        if isinstance(node, dict):
            if part not in node and part in _VLAN_TAGS and out and out[-1] == "vlan":
                continue  # the discriminator tag: not a key the user wrote
            out.append(part)
            in_vlan = in_vlan or part == "vlan"
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            out.append(part)
            node = node[part] if 0 <= part < len(node) else None
        else:
            break  # a scalar (a shorthand) or something pydantic could not descend into
    return tuple(out), in_vlan


def _problem(err: Any, in_vlan: bool) -> str:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    field = err["loc"][-1] if err["loc"] else None
    msg = str(err["msg"])
    if in_vlan and kind in ("less_than_equal", "greater_than_equal") and field in _VLAN_FIELDS:
        return (
            f"VLAN ID {value} is out of range 0-4094; use 0 (untagged), 1-4094, 4095 (all VLANs to the "
            f'guest) or trunk ranges such as "100-199,300"'
        )
    if in_vlan and kind in ("model_type", "dict_type") and isinstance(value, str):
        return f'{value!r} is not a VLAN ID or range; write VLAN IDs and ranges such as "100-199,300"'
    if in_vlan and kind == "union_tag_invalid":
        return f"VLAN policy type {ctx.get('tag')!r} is unknown; use none, vlan, trunk or pvlan"
    if kind == "extra_forbidden":
        return (
            f"unknown field {field!r}; remove it or fix its spelling "
            "(`trunkline inventory schema` lists the fields)"
        )
    if kind == "missing":
        return f"{field!r} is missing; add it"
    if kind == "string_too_short" and value == "":
        return f"{field!r} is empty; give it a value"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value!r} should be text; put it in quotes"
    if kind == "model_type" and not err["loc"]:
        return "the file must be a mapping with 'version' and 'vcenters'; see `trunkline inventory schema`"
    text = msg[0].lower() + msg[1:] if msg else kind
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return f"{text} (got {shown}); see `trunkline inventory schema`"


def _validation_message(exc: ValidationError, data: Any, text: str, source: str) -> str:
    errors = exc.errors()
    first = errors[0]
    loc, in_vlan = _user_loc(tuple(first["loc"]), data)
    more = _more(len(errors) - 1)
    return f"{_where(source, text, data, loc)}{format_loc(loc)}: {_problem(first, in_vlan)}{more}"


def _where(source: str, text: str, data: Any, loc: Loc) -> str:
    """``SOURCE:LINE: `` for YAML text (the line of the deepest node of *loc* present), else ``SOURCE: ``."""
    if text.lstrip().startswith("{"):
        return f"{source}: "
    try:
        node: Any = yaml.compose(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        return f"{source}: "
    line = node.start_mark.line if node is not None else 0
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line
    return f"{source}:{line + 1}: "


# --------------------------------------------------------------------------------------------------
# Checks a schema cannot express
# --------------------------------------------------------------------------------------------------


def reference_problems(inventory: Inventory) -> Iterator[tuple[Loc, str]]:
    """Broken references and duplicate ids in *inventory*, as ``(location, message)`` pairs.

    References are resolved within one datacenter (see :mod:`trunkline.vsphere.model`): a port group's
    ``switch``, a standard switch's ``host``, a host's ``cluster``, a host NIC's ``switch``, a vmkernel
    NIC's ``port_group``, a VM's ``cluster``/``host`` and a VM NIC's ``network`` (a port group's
    ``network`` or an opaque network's ``id``). Ids are unique per kind within a datacenter; vCenter
    names and datacenter ids are unique too.
    """
    yield from _duplicates(("vcenters",), (v.name for v in inventory.vcenters), "name", "vCenter")
    for vi, vcenter in enumerate(inventory.vcenters):
        yield from _duplicates(
            ("vcenters", vi, "datacenters"), (d.id for d in vcenter.datacenters), "id", "datacenter"
        )
        for di, dc in enumerate(vcenter.datacenters):
            yield from _datacenter_problems(("vcenters", vi, "datacenters", di), dc)


def vlan_policy_problems(inventory: Inventory) -> Iterator[tuple[Loc, str]]:
    """VLAN policies a hand-written file may hold but vSphere cannot (vSphere Networking guide):
    VLAN 4095 on a distributed port group (``VlanIdSpec`` is 0-4094; a trunk of 0-4094 is the DVS
    way), a trunk or private VLAN on a standard port group (only distributed port groups have them),
    and trunk ranges that overlap (vSphere keeps ranges apart; write them merged). As
    ``(location, message)`` pairs."""
    for vi, vcenter in enumerate(inventory.vcenters):
        for di, dc in enumerate(vcenter.datacenters):
            kinds = {s.id: s.kind for s in dc.switches}
            for pi, pg in enumerate(dc.port_groups):
                message = _vlan_policy_problem(kinds.get(pg.switch), pg.vlan)
                if message:
                    yield ("vcenters", vi, "datacenters", di, "port_groups", pi, "vlan"), message


def _vlan_policy_problem(kind: str | None, vlan: BaseModel) -> str | None:
    if kind == "distributed" and isinstance(vlan, AccessVlan) and vlan.id == 4095:
        return (
            "VLAN 4095 exists on standard port groups only; "
            'on a distributed port group write the trunk "0-4094"'
        )
    if kind == "standard" and isinstance(vlan, (TrunkVlan, PrivateVlan)):
        what = "a trunk" if isinstance(vlan, TrunkVlan) else "a private VLAN"
        return (
            f"{what} exists on distributed port groups only; on a standard port group use a VLAN ID, "
            "0 (untagged) or 4095 (all VLANs to the guest)"
        )
    if isinstance(vlan, TrunkVlan):
        ranges = sorted(vlan.ranges, key=lambda r: (r.start, r.end))
        for first, second in zip(ranges, ranges[1:], strict=False):
            if second.start <= first.end:
                return (
                    f"trunk ranges {first.start}-{first.end} and {second.start}-{second.end} overlap; "
                    f"write them once: {first.start}-{max(first.end, second.end)}"
                )
    return None


def _duplicates(base: Loc, ids: Iterable[str], key: str, kind: str) -> Iterator[tuple[Loc, str]]:
    seen: dict[str, int] = {}
    for index, ident in enumerate(ids):
        if ident in seen:
            yield (
                (*base, index, key),
                f"{kind} {key} {ident!r} is used twice (also at index {seen[ident]}); "
                f"give each {kind} its own {key}",
            )
        else:
            seen[ident] = index


def _unknown(kind: str, ident: str, known: Iterable[str], fix: str) -> str:
    names = sorted(known)
    listing = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "") if names else "none"
    return f"{kind} {ident!r} is not in this datacenter (known: {listing}); {fix}"


def _datacenter_problems(base: Loc, dc: Datacenter) -> Iterator[tuple[Loc, str]]:
    for attr, kind in (
        ("clusters", "cluster"),
        ("hosts", "host"),
        ("switches", "switch"),
        ("port_groups", "port group"),
        ("opaque_networks", "opaque network"),
        ("vms", "VM"),
    ):
        yield from _duplicates((*base, attr), (o.id for o in getattr(dc, attr)), "id", kind)
    clusters = {c.id for c in dc.clusters}
    hosts = {h.id for h in dc.hosts}
    switches = {s.id for s in dc.switches}
    port_groups = {p.id for p in dc.port_groups}
    networks = {p.network for p in dc.port_groups} | {o.id for o in dc.opaque_networks}
    for si, switch in enumerate(dc.switches):
        if switch.host is not None and switch.host not in hosts:
            yield (
                (*base, "switches", si, "host"),
                _unknown("host", switch.host, hosts, "fix the id or add the host"),
            )
    for pi, pg in enumerate(dc.port_groups):
        if pg.switch not in switches:
            yield (
                (*base, "port_groups", pi, "switch"),
                _unknown("switch", pg.switch, switches, "fix the id or add the switch under 'switches'"),
            )
    for hi, host in enumerate(dc.hosts):
        hloc = (*base, "hosts", hi)
        if host.cluster is not None and host.cluster not in clusters:
            yield (
                (*hloc, "cluster"),
                _unknown("cluster", host.cluster, clusters, "fix the id or add the cluster"),
            )
        yield from _duplicates((*hloc, "nics"), (n.name for n in host.nics), "name", "physical NIC")
        for ni, nic in enumerate(host.nics):
            if nic.switch is not None and nic.switch not in switches:
                yield (
                    (*hloc, "nics", ni, "switch"),
                    _unknown("switch", nic.switch, switches, "fix the id or add the switch under 'switches'"),
                )
        for ki, vmk in enumerate(host.vmkernel_nics):
            if vmk.port_group is not None and vmk.port_group not in port_groups:
                yield (
                    (*hloc, "vmkernel_nics", ki, "port_group"),
                    _unknown("port group", vmk.port_group, port_groups, "fix the id or add the port group"),
                )
    for vi, vm in enumerate(dc.vms):
        vloc = (*base, "vms", vi)
        if vm.cluster is not None and vm.cluster not in clusters:
            yield (
                (*vloc, "cluster"),
                _unknown("cluster", vm.cluster, clusters, "fix the id or add the cluster"),
            )
        if vm.host is not None and vm.host not in hosts:
            yield (*vloc, "host"), _unknown("host", vm.host, hosts, "fix the id or add the host")
        for ni, vnic in enumerate(vm.nics):
            if vnic.network is not None and vnic.network not in networks:
                yield (
                    (*vloc, "nics", ni, "network"),
                    _unknown(
                        "network",
                        vnic.network,
                        networks,
                        "use a port group's id (its 'network') or add the port group",
                    ),
                )


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


def vlan_shorthand(policy: BaseModel) -> Any:
    """The shortest lossless hand-writing form of a VLAN policy (the inverse of ``parse_vlan_shorthand``).

    :class:`NoVlan` -> ``0``; :class:`AccessVlan` -> its id; :class:`TrunkVlan` -> ``"100-199,300"``
    (a single VLAN as ``"300-300"``, since ``"300"`` would read as an access VLAN);
    :class:`PrivateVlan` -> its mapping.
    """
    if isinstance(policy, NoVlan):
        return 0
    if isinstance(policy, AccessVlan):
        return policy.id
    if isinstance(policy, TrunkVlan):
        parts = [f"{r.start}-{r.end}" if r.start != r.end else str(r.start) for r in policy.ranges]
        if len(parts) == 1 and "-" not in parts[0]:
            parts = [f"{parts[0]}-{parts[0]}"]
        return ",".join(parts)
    if isinstance(policy, PrivateVlan):
        return {"type": "pvlan", **_plain(policy)}
    if isinstance(policy, UnknownVlan):
        return {"type": "unknown"}
    raise TypeError(f"not a VLAN policy: {policy!r}")


def _plain(value: Any) -> Any:
    """*value* as plain YAML/JSON data: model fields in declaration order, default values left out."""
    if isinstance(value, (NoVlan, AccessVlan, TrunkVlan, UnknownVlan)):
        return vlan_shorthand(value)
    if isinstance(value, BaseModel):
        out: dict[str, Any] = {}
        for name, field in type(value).model_fields.items():
            item = getattr(value, name)
            always = (isinstance(value, PortGroup) and name == "vlan") or (
                isinstance(value, Inventory) and name == "version"
            )
            if isinstance(value, PortGroup) and name == "network" and item == value.id:
                continue
            if isinstance(value, PrivateVlan) and name == "type":
                continue
            if (
                not always
                and not field.is_required()
                and item == field.get_default(call_default_factory=True)
            ):
                continue
            out[name] = vlan_shorthand(item) if isinstance(item, PrivateVlan) else _plain(item)
        return out
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(value[k]) for k in sorted(value)}
    return value


class _Dumper(_SafeDumper):
    """PyYAML's safe dumper without anchors/aliases (each object written out where it is)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class _PyDumper(yaml.SafeDumper):
    """:class:`_Dumper` on PyYAML's pure-Python emitter."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_inventory(inventory: Inventory, fmt: str = "yaml") -> str:
    """*inventory* as the text of an inventory file (*fmt* ``"yaml"`` or ``"json"``).

    Stable: the same inventory always gives the same text, and :func:`parse_inventory` of the text gives
    an equal inventory.
    """
    data = _plain(inventory)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt != "yaml":
        raise ValueError(f"unknown inventory format {fmt!r}")
    text: str = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=110
    )
    if "\\U" in text and _SafeDumper is not yaml.SafeDumper:
        # libyaml writes characters beyond U+FFFF as \UXXXXXXXX escapes even with allow_unicode;
        # PyYAML's own emitter writes them as they are (slower, so only when needed)
        text = yaml.dump(
            data, Dumper=_PyDumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=110
        )
    return text


def write_inventory(inventory: Inventory, path: Path) -> None:
    """Write *inventory* to *path* atomically: YAML, or JSON when the name ends in ``.json``.

    The text goes to a temporary file in the same directory, which then replaces *path* (``os.replace``),
    so that *path* is either the old file or the whole new one.

    Raises:
        BadInputError: the directory does not exist or is not writable.
    """
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    write_text_atomic(path, dump_inventory(inventory, fmt))


def published_schema_text() -> str:
    """The inventory file's JSON Schema as published (``trunkline inventory schema``,
    ``docs/inventory.schema.json``)."""
    return json.dumps(inventory_json_schema(), indent=2, ensure_ascii=False) + "\n"
