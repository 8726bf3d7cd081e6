"""What ``validate`` reports: :class:`Finding` (file, line, object, field, key, message) and the result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath
from typing import Any

from trunkline.openshift.manifests import Document, Kind
from trunkline.openshift.objects import Problem


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in a manifests directory.

    Attributes:
        file: the file, relative to the directory (POSIX form).
        line: 1-based line of the field in *file* (of its deepest part present there: a key inside the
            ``spec.config`` JSON string points at ``config:``), else of the object.
        object: ``Kind namespace/name`` of the object (or ``Kind name`` when cluster-scoped).
        field: dotted path of the field at fault (``spec.config.vlan``,
            ``spec.desiredState.interfaces[0].bridge.port[0].vlan``).
        key: stable message key (``nad-name-invalid``, ``vlan-not-on-uplink``, ...).
        message: what is wrong and how to fix it, one sentence.
    """

    file: str
    line: int
    object: str
    field: str
    key: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready mapping."""
        return asdict(self)


@dataclass(frozen=True)
class ValidationResult:
    """What :func:`validate_directory` found.

    Attributes:
        directory: the directory checked, as given.
        documents: number of objects read.
        kinds: number of objects per kind (``Kind`` value -> count).
        findings: the findings, sorted by file, line, field.
        single_file: a single file was checked alone (references to objects in other files unchecked).
        notes: facts that are not findings (CUDN selectors that depend on labels, not checkable offline).
    """

    directory: str
    documents: int
    kinds: dict[str, int]
    findings: tuple[Finding, ...]
    single_file: bool = False
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """``True`` when there is no finding."""
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready mapping (``--json``)."""
        return {
            "directory": self.directory,
            "documents": self.documents,
            "kinds": self.kinds,
            "findings": [f.as_dict() for f in self.findings],
            "notes": list(self.notes),
        }


def object_label(doc: Document) -> str:
    """``Kind namespace/name`` (or ``Kind name``) of *doc* for findings."""
    kind = doc.body.get("kind") if isinstance(doc.body.get("kind"), str) else doc.kind.value
    # a merge patch carries no name: `trunkline plan` names its file after the VM
    name = doc.name or (PurePosixPath(doc.file).stem if doc.kind is Kind.VM_PATCH else "(no name)")
    return f"{kind} {doc.namespace}/{name}" if doc.namespace else f"{kind} {name}"


class Collector:
    """Collects findings; each names the line of its field in the object's own document."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, doc: Document, fld: str, key: str, message: str) -> None:
        """Report *message* (stable *key*) about field *fld* of *doc*."""
        self.findings.append(Finding(doc.file, doc.line_of(fld), object_label(doc), fld, key, message))

    def add_at(self, doc: Document, line: int, fld: str, key: str, message: str) -> None:
        """Report *message* about field *fld* of *doc* found at *line* (a YAML reading note)."""
        self.findings.append(Finding(doc.file, line, object_label(doc), fld, key, message))

    def notes(self, doc: Document) -> None:
        """Report every note of the YAML reading of *doc* (:class:`~trunkline.yamlread.Note`): scalars
        kubectl reads otherwise than YAML 1.2, keys written twice."""
        for note in doc.notes:
            self.add_at(doc, note.line, doc.field_at(note.line, note.column), note.key, note.message)

    def problems(self, doc: Document, problems: Iterable[Problem]) -> None:
        """Report every problem of a reading (:mod:`trunkline.openshift.objects`) of *doc*."""
        for problem in problems:
            self.add(doc, problem.field, problem.key, problem.message)
