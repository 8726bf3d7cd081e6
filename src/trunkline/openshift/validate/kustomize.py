"""Kustomization checks: resources that exist, stay inside the kustomization's directory, list every
NNCP, NAD and NetworkMap file, and do not put the NMState instance and NNCPs in one apply."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from trunkline.openshift.manifests import Kind
from trunkline.openshift.validate.context import Context
from trunkline.openshift.validate.context import listed as list_of
from trunkline.openshift.validate.findings import Collector


def check_kustomizations(out: Collector, ctx: Context, directory: Path | None) -> None:
    """Every check of the directory's kustomizations."""
    kustomizations = [d for d in ctx.docs if d.kind is Kind.KUSTOMIZATION]
    listed: set[str] = set()
    for doc in kustomizations:
        base = PurePosixPath(doc.file).parent
        kinds_here: set[Kind] = set()
        for i, res in enumerate(list_of(doc.body.get("resources"))):
            if not isinstance(res, str):
                continue
            if res.startswith(("http://", "https://")) or "://" in res or res.startswith("github.com/"):
                continue
            rel = _normalise(str(PurePosixPath(base, res)))
            if res.startswith("/") or rel.startswith(".."):
                out.add(
                    doc,
                    f"resources[{i}]",
                    "kustomization-resource-outside",
                    f"resource {res!r} is "
                    + ("an absolute path" if res.startswith("/") else "outside the directory checked")
                    + "; kustomize loads files only from within the kustomization's directory (and "
                    "validate checks only this one): copy it in and list it by a relative path",
                )
                continue
            if directory is not None and (directory / rel).is_file() and not _within(rel, str(base)):
                out.add(
                    doc,
                    f"resources[{i}]",
                    "kustomization-resource-outside",
                    f"resource {res!r} is a file outside the kustomization's directory; kustomize refuses "
                    "to load it (only directories holding a kustomization may be outside): move the file in",
                )
            listed.add(rel)
            if directory is not None and not (directory / rel).exists():
                out.add(
                    doc,
                    f"resources[{i}]",
                    "kustomization-resource-missing",
                    f"resource {res!r} does not exist; `oc apply -k` fails",
                )
            kinds_here |= {d.kind for d in ctx.docs if d.file == rel or d.file.startswith(rel + "/")}
        if Kind.NNCP in kinds_here and Kind.NMSTATE in kinds_here:
            out.add(
                doc,
                "resources",
                "kustomization-order",
                "lists an NMState instance and NNCPs together; the NNCP kind exists only once "
                "kubernetes-nmstate processed the NMState: apply them in two steps with `oc wait` between",
            )
    if not kustomizations:
        return
    reported: set[str] = set()
    for doc in ctx.docs:
        if doc.file in reported:
            continue
        if doc.kind in (Kind.NNCP, Kind.NAD, Kind.NETWORK_MAP) and not _is_listed(doc.file, listed):
            reported.add(doc.file)
            out.add(
                doc,
                "metadata.name",
                "kustomization-resource-unlisted",
                f"{doc.file} is in no kustomization's resources; `oc apply -k` would skip it",
            )


def _normalise(path: str) -> str:
    """``a/./b/../c`` -> ``a/c``; ``..`` parts that climb above the start are kept (``../x``)."""
    parts: list[str] = []
    for part in PurePosixPath(path).parts:
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append(part)
        elif part not in (".", "/"):
            parts.append(part)
    return "/".join(parts) or "."


def _within(rel: str, base: str) -> bool:
    return base in ("", ".") or rel == base or rel.startswith(base.rstrip("/") + "/")


def _is_listed(file: str, listed: set[str]) -> bool:
    return any(file == rel or file.startswith(rel.rstrip("/") + "/") or rel == "." for rel in listed)
