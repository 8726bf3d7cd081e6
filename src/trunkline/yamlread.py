"""Reading YAML, two ways, with the machinery both share.

* **Manifests** are read the way the cluster will read them: ``oc`` and ``kubectl`` convert YAML to JSON
  through sigs.k8s.io/yaml, that is go-yaml v2, which resolves plain scalars as YAML 1.1 does:
  ``yes``/``no``/``on``/``off``/``y``/``n`` (any of their case forms) are booleans, ``010`` is octal 8,
  ``0b101`` is 5, ``1_000`` is 1000. Timestamps stay strings (go-yaml keeps a timestamp-looking scalar a
  string when decoding into an untyped value), and there is no base-60 form (``10:20:30`` stays a string;
  PyYAML's YAML 1.1 resolver would make it an integer). :class:`ManifestLoader` reads exactly that, and
  every scalar whose kubectl reading differs from YAML 1.2's becomes a :class:`Note` (``kubectl-scalar``)
  on its line, as does every key written twice in one mapping (``duplicate-key``; the later value wins, as
  in go-yaml, and strict decoding refuses the object, so it is an error).
* **Inventories** (and NIC map files) are trunkline's own files and are read as YAML 1.2's core schema
  (:func:`load_yaml12`): booleans are ``true``/``false`` only, integers decimal (``010`` is 10), ``0o``
  octal or ``0x`` hexadecimal, floats ``1.5``/``1e3``/``.inf``/``.nan``, nulls ``~``/``null``/empty, and
  everything else a string: ``yes``, ``on``, ``2001-12-14``, ``10:20:30``. A key written twice is an error.
  The ``<<`` merge key of YAML 1.1 is kept in both readings (go-yaml and PyYAML both honour it).

Both use libyaml's parser when PyYAML has it (``CSafeLoader``); resolution and construction are Python.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"
#: Plain scalars kubectl reads as a boolean and YAML 1.2 as a string.
KUBECTL_BOOL = "tag:trunkline.io,2026:kubectl-bool"
#: Plain scalars kubectl may read as another number (or a number where YAML 1.2 reads a string).
KUBECTL_NUMBER = "tag:trunkline.io,2026:kubectl-number"

_DIGITS = list("-+0123456789")
#: YAML 1.2.2 core schema (10.3.2).
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_RE = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
#: go-yaml v2's booleans beyond YAML 1.2's (resolve.go).
_KUBECTL_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}
_KUBECTL_BOOL_RE = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
#: Numbers go-yaml v2 reads otherwise than YAML 1.2 could: a leading zero (octal), ``0b``, underscores.
_KUBECTL_NUMBER_RE = re.compile(
    r"^[-+]?(?:0[0-9_]+|0[bB][0-9_]*|[0-9][0-9]*_[0-9_.eE+-]*|0[xXoO][0-9a-fA-F]*_[0-9a-fA-F_]*)$"
)


@dataclass(frozen=True)
class Note:
    """A scalar or key of a manifest that kubectl reads otherwise than it looks (or refuses).

    Attributes:
        line, column: where it is (1-based line, 0-based column).
        key: ``kubectl-scalar`` or ``duplicate-key``.
        severity: ``warning`` (kubectl-scalar) or ``error`` (duplicate-key).
        message: what kubectl makes of it and the fix.
    """

    line: int
    column: int
    key: str
    severity: str
    message: str


def go_yaml_number(text: str) -> int | float | str:
    """How go-yaml v2 reads the plain scalar *text* that looks like a number: underscores removed, then
    Go's ``strconv.ParseInt(s, 0, 64)`` (``0x``, ``0o``, ``0b`` prefixes, a leading ``0`` meaning octal),
    else a float of YAML's float form, else the string itself."""
    plain = text.replace("_", "")
    sign = -1 if plain.startswith("-") else 1
    digits = plain.lstrip("+-")
    if plain[:1] in "+-" and len(plain) - len(digits) > 1:
        return text
    base = 10
    if digits[:2] in ("0x", "0X"):
        base, digits = 16, digits[2:]
    elif digits[:2] in ("0o", "0O"):
        base, digits = 8, digits[2:]
    elif digits[:2] in ("0b", "0B"):
        base, digits = 2, digits[2:]
    elif len(digits) > 1 and digits.startswith("0"):
        base, digits = 8, digits[1:]
    try:
        return sign * int(digits, base) if digits and digits.isalnum() else _float_or(plain, text)
    except ValueError:
        return _float_or(plain, text)


def _float_or(plain: str, text: str) -> float | str:
    return float(plain) if _FLOAT_RE.match(plain) else text


def yaml12_scalar(text: str) -> Any:
    """How YAML 1.2's core schema reads the plain scalar *text* (see the module docstring)."""
    if _NULL_RE.match(text):
        return None
    if _BOOL_RE.match(text):
        return text.lower() == "true"
    if _INT_RE.match(text):
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text, 10)
    if _FLOAT_RE.match(text):
        return _construct_float_text(text)
    return text


def _construct_float_text(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


def _resolvers(extra: list[tuple[str, re.Pattern[str], list[str]]]) -> dict[Any, list[tuple[str, Any]]]:
    """Implicit resolvers: *extra* first (each tried before the core schema for its first characters),
    then YAML 1.2's core schema and the merge key."""
    table: dict[Any, list[tuple[str, Any]]] = {}
    rules = [
        *extra,
        (_NULL, _NULL_RE, ["~", "n", "N", ""]),
        (_BOOL, _BOOL_RE, list("tTfF")),
        (_INT, _INT_RE, _DIGITS),
        (_FLOAT, _FLOAT_RE, [*_DIGITS, "."]),
        (_MERGE, re.compile(r"^(?:<<)$"), ["<"]),
    ]
    for tag, regexp, first in rules:
        for ch in first:
            table.setdefault(ch, []).append((tag, regexp))
    return table


def _construct_int12(loader: Any, node: yaml.ScalarNode) -> int:
    value = yaml12_scalar(node.value)
    return value if isinstance(value, int) else int(node.value)


def _construct_float12(loader: Any, node: yaml.ScalarNode) -> float:
    return _construct_float_text(node.value)


def _unique_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    """A mapping whose repeated keys raise (inventories)."""
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.MarkedYAMLError(
                "while reading a mapping", node.start_mark, f"key {key!r} appears twice", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
    return out


def _noted_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    """A mapping whose repeated keys become notes; the later value wins, as in go-yaml (manifests)."""
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    first: dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            mark = key_node.start_mark
            loader.notes.append(duplicate_key_note(mark.line + 1, mark.column, key, first[key]))
        else:
            first[key] = key_node.start_mark.line + 1
        out[key] = loader.construct_object(value_node, deep=True)
    return out


def duplicate_key_note(line: int, column: int, key: Any, first_line: int) -> Note:
    """The ``duplicate-key`` error note of *key* written again at *line*/*column* (first at *first_line*)."""
    return Note(
        line,
        column,
        "duplicate-key",
        "error",
        f"key {key!r} appears twice in one mapping (also line {first_line}); kubectl's strict "
        "decoding refuses the object and other tools keep either value: keep one",
    )


def _scalar_note(loader: Any, node: yaml.ScalarNode, message: str) -> None:
    mark = node.start_mark
    loader.notes.append(Note(mark.line + 1, mark.column, "kubectl-scalar", "warning", message))


def _construct_kubectl_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    value = _KUBECTL_BOOLS[node.value]
    word = str(value).lower()
    _scalar_note(
        loader,
        node,
        f"{node.value!r} is the boolean {word} for kubectl/oc (YAML 1.1) but the string {node.value!r} for "
        f"YAML 1.2 tools; write {word} if a boolean is meant, else quote it",
    )
    return value


def _construct_kubectl_number(loader: Any, node: yaml.ScalarNode) -> Any:
    text = node.value
    kubectl, yaml12 = go_yaml_number(text), yaml12_scalar(text)
    if kubectl == yaml12 and isinstance(kubectl, str) == isinstance(yaml12, str):
        return yaml12  # the same value (``09`` is 9 either way once in JSON)
    _scalar_note(
        loader,
        node,
        f"{text} is {kubectl!r} for kubectl/oc (YAML 1.1) but {yaml12!r} for YAML 1.2 tools; write "
        f"{kubectl!r} if that is meant, else quote it",
    )
    return kubectl


def _loader_class(name: str, base: Any, *, kubectl: bool) -> Any:
    """A PyYAML safe loader class on *base* with the kubectl (manifests) or YAML 1.2 (inventories) reading."""
    cls: Any = type(name, (base,), {})
    extra = (
        [(KUBECTL_BOOL, _KUBECTL_BOOL_RE, list("yYnNoO")), (KUBECTL_NUMBER, _KUBECTL_NUMBER_RE, _DIGITS)]
        if kubectl
        else []
    )
    cls.yaml_implicit_resolvers = _resolvers(extra)
    cls.yaml_constructors = dict(base.yaml_constructors)
    cls.add_constructor(_INT, _construct_int12)
    cls.add_constructor(_FLOAT, _construct_float12)
    if kubectl:
        cls.add_constructor(KUBECTL_BOOL, _construct_kubectl_bool)
        cls.add_constructor(KUBECTL_NUMBER, _construct_kubectl_number)
        cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _noted_mapping)
    else:
        cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)
    return cls


_C_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ManifestBase = _loader_class("ManifestLoaderBase", _C_BASE, kubectl=True)


class ManifestLoader(_ManifestBase):  # type: ignore[misc, valid-type]
    """Reads manifests as kubectl does (see the module docstring); :attr:`notes` collects what differs."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.notes: list[Note] = []


#: The YAML 1.2 loader on libyaml's parser (fast) and on PyYAML's own (its error messages are the same
#: everywhere: used to report errors).
Yaml12Loader: Any = _loader_class("Yaml12Loader", _C_BASE, kubectl=False)
Yaml12PyLoader: Any = _loader_class("Yaml12PyLoader", yaml.SafeLoader, kubectl=False)


def load_yaml12(text: str) -> Any:
    """The first document of *text* read as YAML 1.2's core schema; keys written twice raise.

    Raises:
        yaml.YAMLError: the text does not parse (from PyYAML's own parser, whose messages are stable).
    """
    try:
        return yaml.load(text, Loader=Yaml12Loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        return yaml.load(text, Loader=Yaml12PyLoader)  # noqa: S506 - a SafeLoader; raises the reported error


def compose_yaml12(text: str) -> Any:
    """The composed node of the first document of *text* (for field lines), raising ``yaml.YAMLError``."""
    return yaml.compose(text, Loader=Yaml12Loader)  # noqa: S506 - a SafeLoader


def error_text(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """``(1-based line or None, problem)`` of a PyYAML error, for one-line messages."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "syntax error").strip()
        return (mark.line + 1 if mark is not None else None), problem
    return None, str(exc)


def load_manifest_documents(text: str) -> list[Any]:
    """Every document of manifest *text* as kubectl reads it (for manifests trunkline ships itself; a
    directory of user manifests goes through :mod:`trunkline.openshift.manifests`, which keeps lines)."""
    loader = ManifestLoader(text)
    try:
        docs = []
        while loader.check_data():
            docs.append(loader.get_data())
        return docs
    finally:
        loader.dispose()


def load_json_pairs(text: str) -> tuple[Any, bool]:
    """``(data, repeated)``: the JSON *text* parsed (a key written twice keeps its later value, as
    ``json.loads`` does) and whether any object of it holds a key twice (then :func:`duplicate_keys`
    tells where). ``json.loads``' own errors (``json.JSONDecodeError``, ``RecursionError``) pass through."""
    repeated = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        out = dict(pairs)
        if len(out) != len(pairs):
            repeated = True
        return out

    return json.loads(text, object_pairs_hook=pairs_hook), repeated


def duplicate_keys(text: str) -> list[tuple[int, int, str, int]]:
    """``(line, column, key, first_line)`` (1-based lines, 0-based column) of every key written a second
    time in one mapping of the first document of YAML or JSON *text*, in text order; ``[]`` when the text
    does not compose (found by composing it, without constructing values: call it on the error path)."""
    try:
        root = yaml.compose(text, Loader=_C_BASE)  # noqa: S506 - a SafeLoader
    except (yaml.YAMLError, RecursionError):
        return []
    found: list[tuple[int, int, str, int]] = []
    seen_nodes: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:  # an alias names a node already walked
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    mark = key.start_mark
                    if key.value in first:
                        found.append((mark.line + 1, mark.column, key.value, first[key.value]))
                    else:
                        first[key.value] = mark.line + 1
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(found)


def alias_expansion(root: Any) -> tuple[int, int]:
    """``(nodes, through_aliases)`` of the composed YAML node *root* once every alias is expanded, as
    go-yaml v2 counts them while decoding (yaml.v2 ``decode.go``: ``decodeCount``, ``aliasCount``): every
    node decoded (alias nodes too), and those decoded inside an alias's expansion. go-yaml checks the
    ratio as it goes; this counts the whole document. Computed without expanding (each node's
    counts once, bottom up), so an alias bomb costs its size in the text, not its expansion.

    Raises:
        ValueError: an anchor's value holds an alias to that anchor (go-yaml refuses it too).
    """
    # Document order: the first reach of a node is its anchor, every later reach an alias.
    seen: set[int] = set()
    edges: dict[int, list[tuple[Any, bool]]] = {}
    order: list[Any] = []
    stack = [root]
    seen.add(id(root))
    while stack:
        node = stack.pop()
        order.append(node)
        children = (
            list(node.value)
            if isinstance(node, yaml.SequenceNode)
            else [c for pair in node.value for c in pair]
            if isinstance(node, yaml.MappingNode)
            else []
        )
        out = []
        for child in children:
            alias = id(child) in seen
            out.append((child, alias))
            if not alias:
                seen.add(id(child))
        edges[id(node)] = out
        stack.extend(child for child, alias in reversed(out) if not alias)
    size: dict[int, int] = {}
    aliases: dict[int, int] = {}
    opened: set[int] = set()
    stack = [root]
    while stack:  # post-order: a node once all its children (anchored anywhere) are counted
        node = stack[-1]
        if id(node) in size:
            stack.pop()
            continue
        pending = [child for child, _ in edges[id(node)] if id(child) not in size]
        if pending:
            if id(node) in opened:  # an anchor inside itself (PyYAML composes the cycle)
                raise ValueError("an anchor's value contains an alias to itself")
            opened.add(id(node))
            stack.extend(pending)
            continue
        total, met = 1, 0
        for child, alias in edges[id(node)]:
            # go-yaml decodes an alias node, then its anchor's whole value at alias depth > 0
            total += size[id(child)] + (1 if alias else 0)
            met += size[id(child)] if alias else aliases[id(child)]
        size[id(node)], aliases[id(node)] = total, met
        stack.pop()
    return size[id(root)], aliases[id(root)]


def excessive_aliasing(nodes: int, through_aliases: int) -> bool:
    """Whether go-yaml v2 (and so kubectl) refuses a document with these :func:`alias_expansion` counts
    ("document contains excessive aliasing", yaml.v2 ``decode.go`` ``allowedAliasRatio``): more than 100
    nodes decoded through aliases, more than 1000 nodes, and a share of nodes reached through aliases
    above 99% up to 400,000 nodes, 10% from 4,000,000, linear in between."""
    if through_aliases <= 100 or nodes <= 1000:
        return False
    if nodes <= 400_000:
        allowed = 0.99
    elif nodes >= 4_000_000:
        allowed = 0.10
    else:
        allowed = 0.99 - 0.89 * (nodes - 400_000) / 3_600_000
    return through_aliases / nodes > allowed
