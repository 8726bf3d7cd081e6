"""Read a manifests directory (trunkline's own ``plan`` output or hand-written) into typed documents.

A directory is every ``*.yaml``, ``*.yml`` and ``*.json`` file under it (recursively, hidden files
and directories skipped): YAML files hold one or more documents (``---`` separated), JSON files one. A
``kind: List`` document (what ``oc get ... -o yaml`` writes) is expanded into its ``items``. Every
document remembers the file it came from, its index in that file and the line it starts on, so that
findings can name them.

Kinds recognised (:class:`Kind`): NodeNetworkConfigurationPolicy (NNCP), NetworkAttachmentDefinition
(NAD), ClusterUserDefinedNetwork (CUDN), MTV ``NetworkMap``, ``Namespace``, the ``NMState`` instance,
kustomize ``Kustomization``, KubeVirt ``VirtualMachine`` objects and the JSON merge patches of a VM's
``interfaces``/``networks`` that ``trunkline plan`` writes under ``vms/`` (documents without ``kind``
holding ``spec.template.spec``), and everything else as ``other``.

What the objects mean (bridge port VLANs, NAD VLANs, VM interfaces) is read by
:mod:`trunkline.openshift.objects`.
"""

from __future__ import annotations

import functools
import gc
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from trunkline.errors import BadInputError, nested_too_deeply
from trunkline.inputfile import read_input_bytes
from trunkline.yamlread import (
    ManifestLoader,
    Note,
    alias_expansion,
    duplicate_key_note,
    duplicate_keys,
    excessive_aliasing,
    load_json_pairs,
)

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")

#: The annotation bridge-marker / the KubeVirt device plugin schedule on
#: (``k8s.v1.cni.cncf.io/resourceName: bridge.network.kubevirt.io/<bridge>``).
RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"
BRIDGE_RESOURCE_PREFIX = "bridge.network.kubevirt.io/"


#: Reads manifests as kubectl does (libyaml's parser where PyYAML has it; :mod:`trunkline.yamlread`).
_LOADER = ManifestLoader


class Kind(str, Enum):
    """What a manifest document is."""

    NNCP = "NodeNetworkConfigurationPolicy"
    NAD = "NetworkAttachmentDefinition"
    CUDN = "ClusterUserDefinedNetwork"
    NETWORK_MAP = "NetworkMap"
    NAMESPACE = "Namespace"
    NMSTATE = "NMState"
    KUSTOMIZATION = "Kustomization"
    VIRTUAL_MACHINE = "VirtualMachine"
    VM_PATCH = "VirtualMachinePatch"
    CONFIG_MAP = "ConfigMap"  # the plan index (monitoring/plan-index-NNN.yaml)
    OTHER = "other"


_KIND_BY_NAME = {k.value: k for k in Kind if k not in (Kind.VM_PATCH, Kind.OTHER)}


@dataclass(frozen=True)
class Document:
    """One YAML document of a manifests directory.

    Attributes:
        file: path of the file, relative to the directory that was loaded (POSIX form, for messages).
        index: 0-based position of the document in its file (items of a ``List`` share their list's).
        line: 1-based line in *file* where the document (or the list item) starts.
        kind: what the document is (:class:`Kind`).
        body: the parsed document (a mapping).
        node: the composed YAML node of the object (for :meth:`line_of`), or a function composing it on
            demand (JSON files are parsed with :mod:`json` and composed only when a finding needs a line).
        notes: scalars kubectl reads otherwise than YAML 1.2 and keys written twice, in this object
            (:class:`~trunkline.yamlread.Note`).
    """

    file: str
    index: int
    line: int
    kind: Kind
    body: dict[str, Any] = field(compare=False)
    node: Any = field(default=None, compare=False, repr=False)
    notes: tuple[Note, ...] = field(default=(), compare=False, repr=False)

    def line_of(self, path: str) -> int:
        """The line of field *path* in :attr:`file` (see :func:`field_line`), else the object's line."""
        node = self.node() if callable(self.node) else self.node
        return field_line(node, path) or self.line

    def field_at(self, line: int, column: int) -> str:
        """The dotted path of the key or value that starts at 1-based *line*, 0-based *column* (``""``
        when none does)."""
        node = self.node() if callable(self.node) else self.node
        return path_at(node, line - 1, column) or ""

    def errors(self) -> list[Note]:
        """The notes kubectl refuses the object for (keys written twice)."""
        return [n for n in self.notes if n.severity == "error"]

    @property
    def name(self) -> str | None:
        """``metadata.name``, or ``None`` when missing or not a string."""
        value = _meta(self.body).get("name")
        return value if isinstance(value, str) else None

    @property
    def namespace(self) -> str | None:
        """``metadata.namespace``, or ``None`` when missing or not a string."""
        value = _meta(self.body).get("namespace")
        return value if isinstance(value, str) else None

    @property
    def where(self) -> str:
        """``file:line`` for messages."""
        return f"{self.file}:{self.line}"


def _meta(body: dict[str, Any]) -> dict[str, Any]:
    meta = body.get("metadata")
    return meta if isinstance(meta, dict) else {}


@dataclass(frozen=True)
class Span:
    """Where a YAML node sits in its file's text: character offsets ``[start, end)``, and the 0-based
    line and column of *start*. Kept instead of the composed node (whose marks cost far more memory than
    the data) so that field lines can be found later, only for objects with findings."""

    start: int
    end: int
    line: int
    column: int

    @classmethod
    def of(cls, node: Any) -> Span:
        """The span of a composed node (libyaml marks count characters, not bytes)."""
        mark = node.start_mark
        return cls(mark.index, node.end_mark.index, mark.line, mark.column)


@dataclass(frozen=True)
class RawDocument:
    """A parsed YAML document with the line it starts on (1-based), before classification.

    ``text`` is the whole file; ``span`` the document's place in it (``None``: the whole text, as for
    JSON), ``item_spans`` those of the items of a ``kind: List``."""

    index: int
    line: int
    data: Any
    item_spans: tuple[Span, ...] = ()
    span: Span | None = field(default=None, compare=False, repr=False)
    text: str | None = field(default=None, compare=False, repr=False)
    notes: tuple[Note, ...] = field(default=(), compare=False, repr=False)

    @property
    def item_lines(self) -> tuple[int, ...]:
        """Start lines (1-based) of the items of a ``kind: List``, else ``()``."""
        return tuple(span.line + 1 for span in self.item_spans)


def _list_item_nodes(node: Any) -> list[Any]:
    """The nodes of the ``items`` of a ``kind: List`` mapping node, else ``[]``."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "items" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return []


def field_line(node: Any, path: str) -> int | None:
    """The 1-based line of the field *path* (``spec.config``, ``spec.map[2].destination.name``,
    ``metadata.annotations.k8s.v1.cni.cncf.io/resourceName``) in the composed YAML *node*: the line of
    the deepest key or list item of *path* that exists, or ``None`` without a node.

    Keys holding dots are matched whole (the longest key that prefixes the rest of the path wins).
    """
    if node is None:
        return None
    line: int = node.start_mark.line + 1
    rest = path
    while rest:
        if isinstance(node, yaml.SequenceNode) and rest.startswith("["):
            end = rest.find("]")
            try:
                index = int(rest[1:end])
            except ValueError:
                break
            if end < 0 or not 0 <= index < len(node.value):
                break
            node = node.value[index]
            line = node.start_mark.line + 1
            rest = rest[end + 1 :].lstrip(".")
            continue
        if not isinstance(node, yaml.MappingNode):
            break
        best: tuple[str, Any, Any] | None = None
        for key, value in node.value:
            k: str = key.value if isinstance(key, yaml.ScalarNode) and isinstance(key.value, str) else ""
            matches = bool(k) and (rest == k or rest.startswith((f"{k}.", f"{k}[")))
            if matches and (best is None or len(k) > len(best[0])):
                best = (k, key, value)
        if best is None:
            break
        k, key, node = best
        line = key.start_mark.line + 1
        rest = rest[len(k) :].lstrip(".")
    return line


def path_at(node: Any, line: int, column: int) -> str | None:
    """The dotted path (``spec.map[2].source``) of the key or value node of *node* that starts at 0-based
    *line* and *column*, or ``None``."""
    stack: list[tuple[Any, str]] = [(node, "")]
    while stack:
        current, path = stack.pop()
        if current is None:
            continue
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                child = f"{path}.{name}" if path else str(name)
                if (key.start_mark.line, key.start_mark.column) == (line, column):
                    return child
                stack.append((value, child))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(current.value))
        elif (current.start_mark.line, current.start_mark.column) == (line, column):
            return path
    return None


def parse_yaml_documents(text: str, source: str) -> list[RawDocument]:
    """Parse every YAML document of *text* (JSON is accepted as YAML) with libyaml when available.

    Returns one :class:`RawDocument` per non-empty document, in order. Each document's node tree is
    dropped once its data is built (only its :class:`Span` is kept).

    Raises:
        BadInputError: the text does not parse; the message names *source* and the line.
    """
    loader = _LOADER(text)
    docs: list[RawDocument] = []
    # Building millions of objects that all stay alive makes the cyclic garbage collector rescan the
    # growing heap again and again (half the time on a 50 MB `kind: List`); parsing creates no garbage
    # cycles, so it is paused meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    has_alias = "&" in text and "*" in text  # an alias needs an anchor: else no walk
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node() said there is one
                break
            data = loader.construct_document(node)
            notes = tuple(loader.notes)
            loader.notes.clear()
            refused = _alias_problem(node) if has_alias else None
            if refused is not None:
                data, notes = _refused_body(data), (*notes, refused)
            if data is not None:
                docs.append(
                    RawDocument(
                        index=index,
                        line=node.start_mark.line + 1,
                        data=data,
                        item_spans=tuple(Span.of(item) for item in _list_item_nodes(node)),
                        span=Span.of(node),
                        text=text,
                        notes=notes,
                    )
                )
            del node
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = (exc.problem or exc.context or "syntax error").strip()
        raise BadInputError(
            f"{where}: not valid YAML/JSON ({problem}); fix the file or move it out of the directory"
        ) from None
    except yaml.YAMLError as exc:
        raise BadInputError(f"{source}: not valid YAML/JSON ({exc}); fix the file") from None
    except RecursionError:
        raise BadInputError(nested_too_deeply(source)) from None
    finally:
        loader.dispose()
        if collecting:
            gc.enable()
    return docs


def _alias_problem(node: Any) -> Note | None:
    """The error note of a document kubectl refuses for its aliases (too many nodes reached through
    them: an alias bomb, :func:`~trunkline.yamlread.excessive_aliasing`; or an anchor inside itself),
    else ``None``."""
    try:
        nodes, through = alias_expansion(node)
    except ValueError as exc:
        why = f"{exc}; kubectl refuses it"
    else:
        if not excessive_aliasing(nodes, through):
            return None
        why = (
            f"its aliases expand it to {nodes:,} nodes, {through:,} of them through aliases; kubectl refuses "
            "it (document contains excessive aliasing) and trunkline does not read it further"
        )
    fix = "write the values out or use fewer aliases"
    return Note(node.start_mark.line + 1, 0, "yaml-aliases", "error", f"{why}: {fix}")


def _refused_body(data: Any) -> Any:
    """What is kept of a document refused for its aliases: its kind and name (to name it), nothing that
    expands."""
    if not isinstance(data, dict):
        return {}
    found = data.get("metadata")
    meta: dict[str, Any] = found if isinstance(found, dict) else {}
    kept_meta = {k: meta[k] for k in ("name", "namespace") if isinstance(meta.get(k), str)}
    kept = {k: data[k] for k in ("apiVersion", "kind") if isinstance(data.get(k), str)}
    return {**kept, "metadata": kept_meta} if kept_meta else kept


def read_yaml_file(path: Path, display: str | None = None) -> list[RawDocument]:
    """Read and parse the YAML/JSON file *path* (see :func:`parse_yaml_documents`).

    Raises:
        BadInputError: unreadable, not a regular file, over :data:`trunkline.inputfile.MAX_INPUT_BYTES`,
            not UTF-8, or not YAML/JSON (naming *display* or the path).
    """
    name = display or str(path)
    raw = read_input_bytes(path, name, "a YAML or JSON manifest file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInputError(f"{name}: not UTF-8 text; give a YAML or JSON file") from None
    if path.suffix.lower() == ".json":
        return parse_json_document(text, name)
    return parse_yaml_documents(text, name)


def parse_json_document(text: str, source: str) -> list[RawDocument]:
    """Parse the JSON *text* (one document; libc-speed ``json``). Field lines are found later, only when
    a finding needs one, by composing the text as YAML (see :meth:`Document.line_of`).

    Raises:
        BadInputError: not valid JSON; the message names *source*, the line and the column.
    """
    try:
        data, repeated = load_json_pairs(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(
            f"{source}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno}); fix the file or move "
            "it out of the directory"
        ) from None
    except RecursionError:
        raise BadInputError(nested_too_deeply(source)) from None
    if data is None:
        return []
    notes = tuple(duplicate_key_note(*found) for found in duplicate_keys(text)) if repeated else ()
    stripped = len(text) - len(text.lstrip())
    return [RawDocument(index=0, line=text.count("\n", 0, stripped) + 1, data=data, text=text, notes=notes)]


@functools.lru_cache(maxsize=8)
def _compose(text: str) -> Any:
    """The composed YAML node of the first document of *text*, or ``None`` when it does not compose."""
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return None


@functools.lru_cache(maxsize=64)
def _compose_span(text: str, span: Span | None) -> Any:
    """The node at *span* of *text*, composed again from that slice alone, its marks shifted so that
    lines are the file's. The slice's first line is indented to the node's column, so that a list item
    (``- apiVersion: ...``) composes as the mapping it is.

    Cached here, after the shift, and composed apart from :func:`_compose`'s cache: shifting a node that
    cache hands out again would shift it once more for every further finding on the object (or on an
    identical object elsewhere in the file)."""
    if span is None:
        return _compose(text)
    try:
        node = yaml.compose(" " * span.column + text[span.start : span.end], Loader=_LOADER)
    except yaml.YAMLError:
        return None
    if node is not None:
        _shift_lines(node, span.line)
    return node


def _shift_lines(node: Any, lines: int) -> None:
    """Add *lines* to the start line of every node under *node*, once each: an aliased node is one
    object reached from every alias, and must not move again for each."""
    stack = [node]
    done: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in done:
            continue
        done.add(id(n))
        n.start_mark = yaml.Mark("", 0, n.start_mark.line + lines, n.start_mark.column, "", 0)
        if isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            stack.extend(v for pair in n.value for v in pair)


def _lazy_node(text: str, span: Span | None, item: int | None) -> Callable[[], Any]:
    def locate() -> Any:
        if span is not None or item is None:
            return _compose_span(text, span)
        items = _list_item_nodes(_compose(text))  # a JSON List: compose it whole
        return items[item] if item < len(items) else None

    return locate


def expand_lists(raw_docs: Iterable[RawDocument]) -> Iterator[tuple[RawDocument, Any, int]]:
    """``(document, object, line)`` for every object: the items of a ``kind: List`` document (each with
    its own start line), else the document itself."""
    for raw, item, line, _node, _notes in _expand(raw_docs):
        yield raw, item, line


def _expand(raw_docs: Iterable[RawDocument]) -> Iterator[tuple[RawDocument, Any, int, Any, tuple[Note, ...]]]:
    for raw in raw_docs:
        data = raw.data
        is_list = (
            isinstance(data, dict) and data.get("kind") == "List" and isinstance(data.get("items"), list)
        )
        items: list[Any] = data["items"] if is_list else [data]
        text = raw.text or ""
        if not is_list:
            yield raw, data, raw.line, _lazy_node(text, raw.span, None), raw.notes
        elif len(raw.item_spans) == len(items):  # YAML: each item composes alone
            notes = _notes_by_item(raw, text)
            for i, (item, span) in enumerate(zip(items, raw.item_spans, strict=True)):
                yield raw, item, span.line + 1, _lazy_node(text, span, None), notes.get(i, ())
        else:  # JSON: items share the document's line until one needs a field line
            for i, item in enumerate(items):
                yield raw, item, raw.line, _lazy_node(text, raw.span, i), raw.notes if i == 0 else ()


def _notes_by_item(raw: RawDocument, text: str) -> dict[int, tuple[Note, ...]]:
    """The notes of a ``kind: List`` document by the item they are in (notes outside every item, in the
    List's own keys, go with the first item)."""
    if not raw.notes:
        return {}
    ends = [text.count("\n", 0, span.end) + 1 for span in raw.item_spans]
    out: dict[int, list[Note]] = {}
    for note in raw.notes:
        index = next((i for i, span in enumerate(raw.item_spans) if span.line + 1 <= note.line <= ends[i]), 0)
        out.setdefault(index, []).append(note)
    return {i: tuple(notes) for i, notes in out.items()}


def classify(body: dict[str, Any], file: str) -> Kind:
    """The :class:`Kind` of a parsed document *body* found in *file*."""
    kind = body.get("kind")
    if isinstance(kind, str) and kind in _KIND_BY_NAME:
        return _KIND_BY_NAME[kind]
    if kind is None:
        if file.rsplit("/", 1)[-1] in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
            return Kind.KUSTOMIZATION
        spec = body.get("spec")
        template = spec.get("template") if isinstance(spec, dict) else None
        if isinstance(template, dict) and isinstance(template.get("spec"), dict):
            return Kind.VM_PATCH
    return Kind.OTHER


def documents_of(raw_docs: Iterable[RawDocument], file: str) -> Iterator[Document]:
    """Turn parsed documents of *file* into :class:`Document`\\ s, expanding ``kind: List`` items.

    Raises:
        BadInputError: a document (or list item) is not a mapping.
    """
    position: dict[int, int] = {}
    for raw, item, line, node, notes in _expand(raw_docs):
        k = position[id(raw)] = position.get(id(raw), -1) + 1
        if not isinstance(item, dict):
            in_list = isinstance(raw.data, dict) and raw.data.get("kind") == "List"
            what = f"item {k + 1} of the List" if in_list else f"document {raw.index + 1}"
            raise BadInputError(
                f"{file}:{line}: {what} is {describe_value(item)}, not a Kubernetes object (a mapping with "
                "apiVersion, kind, metadata); fix the file or move it out of the directory"
            )
        kind = classify(item, file)
        yield Document(file=file, index=raw.index, line=line, kind=kind, body=item, node=node, notes=notes)


def refuse_duplicate_keys(doc: Document) -> None:
    """Raise for the first key *doc* writes twice in one mapping (kubectl refuses such an object).

    Raises:
        BadInputError: naming the file, the line and the key.
    """
    errors = doc.errors()
    if errors:
        first = errors[0]
        raise BadInputError(f"{doc.file}:{first.line}: {first.message}")


def describe_value(value: Any) -> str:
    """What a YAML value is, in YAML's words: ``empty``, ``a list``, ``a string``, ``a number``, ..."""
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "not a mapping"


def manifest_files(directory: Path) -> list[Path]:
    """Every manifest file under *directory*, sorted by relative path (hidden files and directories
    skipped)."""
    found: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel_root = os.path.relpath(root, directory)
        for name in files:
            if name.startswith(".") or not name.lower().endswith(MANIFEST_SUFFIXES):
                continue
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            found.append((rel.replace(os.sep, "/"), Path(root, name)))
    return [path for _, path in sorted(found)]


def files_without_objects(directory: Path, docs: Iterable[Document]) -> list[str]:
    """The manifest files of *directory* (or the one file it names), as :func:`load_manifests` names
    them, that hold no object (empty, only comments, or only null documents), in file order."""
    if directory.is_file():
        names = [directory.name]
    else:
        names = [os.path.relpath(p, str(directory)).replace(os.sep, "/") for p in manifest_files(directory)]
    seen = {doc.file for doc in docs}
    return [name for name in names if name not in seen]


def load_manifests(directory: Path) -> list[Document]:
    """Load every document of the manifests directory *directory* (or of a single file).

    Returns the documents in file order (files sorted by relative path), then document order.

    Raises:
        BadInputError: *directory* does not exist or holds no manifest file, or a file does not parse
            (the message names the file and the line).
    """
    if directory.is_file():
        return list(documents_of(read_yaml_file(directory, directory.name), directory.name))
    if not directory.is_dir():
        if directory.exists():
            raise BadInputError(
                f"{directory}: not a regular file or directory (a device, pipe or socket); give the "
                "directory `trunkline plan -o` wrote"
            )
        raise BadInputError(f"{directory}: no such directory; give the directory `trunkline plan -o` wrote")
    files = manifest_files(directory)
    if not files:
        raise BadInputError(f"{directory}: holds no *.yaml, *.yml or *.json file; give a manifests directory")
    docs: list[Document] = []
    base = str(directory)
    for path in files:
        rel = os.path.relpath(path, base).replace(os.sep, "/")
        docs.extend(documents_of(read_yaml_file(path, rel), rel))
    return docs
