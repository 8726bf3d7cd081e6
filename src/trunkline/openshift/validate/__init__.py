"""Check a manifests directory (``trunkline plan`` output or hand-written) for the mistakes engineers
make when they rebuild vSphere networks on OpenShift Virtualization.

Pure checks over :class:`~trunkline.openshift.manifests.Document` objects (plus, optionally, the nodes'
reported network state); :func:`validate_directory` is the I/O edge. Each :class:`Finding` names the
file, the line the object starts on, the field, a stable message key (for scripts and tests) and a
sentence saying what is wrong and how to fix it.

Layout: one module per kind (:mod:`.nncp`, :mod:`.nad`, :mod:`.kubevirt`, :mod:`.networkmap`,
:mod:`.kustomize`), checks every object gets (:mod:`.common`), checks against the nodes' reported state
(:mod:`.nodestate`), and what they share (:mod:`.context`, :mod:`.findings`). What an object means
(bridge port VLANs, NAD VLANs, VM interfaces, NetworkMap entries) is read by
:mod:`trunkline.openshift.objects`, the one reading ``lab`` and ``verify`` use too; each module names the
upstream sources of the facts it checks.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from trunkline.openshift import cudn_validate
from trunkline.openshift.manifests import Document, Kind, files_without_objects, load_manifests
from trunkline.openshift.nodestate import NodeState
from trunkline.openshift.validate.common import check_api_version, check_duplicates, check_kind_and_scope
from trunkline.openshift.validate.context import BridgeDef, Context, nncp_bridges
from trunkline.openshift.validate.findings import Collector, Finding, ValidationResult
from trunkline.openshift.validate.kubevirt import check_vm
from trunkline.openshift.validate.kustomize import check_kustomizations
from trunkline.openshift.validate.nad import BRIDGE_OPTION_TYPES, check_nad
from trunkline.openshift.validate.networkmap import check_network_map
from trunkline.openshift.validate.nncp import check_bridge_conflicts, check_nic_in_two_bridges, check_nncp
from trunkline.openshift.validate.nodestate import check_node_states

__all__ = [
    "BRIDGE_OPTION_TYPES",
    "BridgeDef",
    "Finding",
    "ValidationResult",
    "nncp_bridges",
    "validate_directory",
    "validate_documents",
]


# --------------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------------


def validate_documents(
    docs: list[Document],
    *,
    target_namespace: str | None = None,
    node_states: list[NodeState] | None = None,
    directory: Path | None = None,
    single_file: bool = False,
) -> list[Finding]:
    """Every finding for the manifests *docs* (pure, apart from checking that kustomization resources
    exist under *directory* when given).

    Args:
        docs: the documents of one directory (:func:`~trunkline.openshift.manifests.load_manifests`).
        target_namespace: the namespace the VMs will run in (NADs must be there or in ``default``);
            ``None`` skips that check.
        node_states: the nodes' reported network state; ``None`` skips the per-node NIC checks.
        directory: the directory the documents came from.
        single_file: *docs* are one file checked alone: references to kinds the file does not hold
            (bridges of NNCPs, NADs) are not reported as missing.

    Returns:
        Findings sorted by file, line, field and key; the same input gives the same list.
    """
    ctx = Context.build(docs, target_namespace, node_states)
    ctx.single_file = single_file
    out = Collector()
    check_duplicates(out, docs)
    check_bridge_conflicts(out, ctx)
    check_nic_in_two_bridges(out, ctx)
    for doc in docs:
        out.notes(doc)
        check_kind_and_scope(out, doc)
        check_api_version(out, doc)
        if doc.kind is Kind.NNCP:
            check_nncp(out, doc, ctx)
        elif doc.kind is Kind.NAD:
            check_nad(out, doc, ctx)
        elif doc.kind in (Kind.VM_PATCH, Kind.VIRTUAL_MACHINE):
            check_vm(out, doc, ctx)
        elif doc.kind is Kind.NETWORK_MAP:
            check_network_map(out, doc, ctx)
        elif doc.kind is Kind.CUDN:
            localnets = None if ctx.lacks(Kind.NNCP) else set(ctx.localnets)
            for problem in cudn_validate.cudn_problems(doc, localnets):
                out.add(doc, problem.field, problem.key, problem.message)
    for doc, fld, key, message in [
        *cudn_validate.reference_problems(docs, target_namespace),
        *cudn_validate.conflicts(docs),
    ]:
        out.add(doc, fld, key, message)
    check_kustomizations(out, ctx, directory)
    if node_states is not None:
        check_node_states(out, ctx)
    return sorted(set(out.findings))


def _kind_name(doc: Document) -> str:
    """The kind the document names itself (``DaemonSet``, ``ServiceAccount``, ... for the kinds
    :class:`~trunkline.openshift.manifests.Kind` calls other), else the Kind's value."""
    kind = doc.body.get("kind")
    return kind if doc.kind is Kind.OTHER and isinstance(kind, str) and kind else doc.kind.value


def validate_directory(
    directory: Path,
    *,
    target_namespace: str | None = None,
    node_states: list[NodeState] | None = None,
) -> ValidationResult:
    """Load the manifests under *directory* (or the one file *directory* names: checked alone, see
    :attr:`ValidationResult.single_file`) and check them (see :func:`validate_documents`).

    Raises:
        BadInputError: the directory is missing or empty, or a file does not parse (naming file and line).
    """
    docs = load_manifests(directory)
    findings = validate_documents(
        docs,
        target_namespace=target_namespace,
        node_states=node_states,
        directory=directory if directory.is_dir() else None,
        single_file=directory.is_file(),
    )
    kinds: dict[str, int] = defaultdict(int)
    for doc in docs:
        kinds[_kind_name(doc)] += 1
    return ValidationResult(
        directory=str(directory),
        documents=len(docs),
        kinds=dict(sorted(kinds.items())),
        findings=tuple(findings),
        single_file=directory.is_file(),
        notes=(
            *(
                f"{name}: holds no object (empty, or only comments); nothing was checked there: "
                "give it the manifests it should hold, or remove it"
                for name in files_without_objects(directory, docs)
            ),
            *cudn_validate.notes(docs),
        ),
    )
