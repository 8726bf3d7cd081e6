"""Checks every object gets: apiVersion, kind and scope, and objects defined twice."""

from __future__ import annotations

import difflib

from trunkline.openshift.manifests import Document, Kind
from trunkline.openshift.validate.context import mapping
from trunkline.openshift.validate.findings import Collector

#: apiVersions the API server serves per kind (kubernetes-nmstate CRDs: NNCP and NMState ``v1`` and
#: ``v1beta1``, ``v1alpha1`` removed; Multus NetworkAttachmentDefinition CRD ``v1``; Forklift
#: ``NetworkMap`` ``v1beta1``; core ``Namespace`` ``v1``).
API_VERSIONS: dict[Kind, tuple[str, ...]] = {
    Kind.NNCP: ("nmstate.io/v1", "nmstate.io/v1beta1"),
    Kind.NMSTATE: ("nmstate.io/v1", "nmstate.io/v1beta1"),
    Kind.NAD: ("k8s.cni.cncf.io/v1",),
    Kind.CUDN: ("k8s.ovn.org/v1",),
    Kind.NETWORK_MAP: ("forklift.konveyor.io/v1beta1",),
    Kind.NAMESPACE: ("v1",),
}
#: Kinds whose objects must name their namespace (NADs have their own finding; a hand-written
#: VirtualMachine is usually applied with ``-n``), and cluster-scoped ones (their CRDs' ``scope``).
NAMESPACED_KINDS = frozenset({Kind.NETWORK_MAP})
CLUSTER_SCOPED_KINDS = frozenset({Kind.NNCP, Kind.NMSTATE, Kind.NAMESPACE, Kind.CUDN})


def check_api_version(out: Collector, doc: Document) -> None:
    """An apiVersion the API server does not serve for the kind."""
    versions = API_VERSIONS.get(doc.kind)
    api = doc.body.get("apiVersion")
    if versions is None or api in versions:
        return
    out.add(
        doc,
        "apiVersion",
        "api-version",
        f"apiVersion is {api!r}; the API server serves {doc.kind.value} as {' or '.join(versions)} only "
        "and `oc apply` fails with 'no matches for kind': write "
        f"{versions[0]}",
    )


def check_kind_and_scope(out: Collector, doc: Document) -> None:
    """Typo'd kinds of the objects trunkline knows, and namespaces on the wrong scope."""
    kind = doc.body.get("kind")
    if doc.kind is Kind.OTHER and isinstance(kind, str):
        known = [k.value for k in Kind if k not in (Kind.VM_PATCH, Kind.OTHER)]
        close = difflib.get_close_matches(kind, known, n=1, cutoff=0.8)
        if close and kind != "List":
            out.add(
                doc,
                "kind",
                "kind-unknown",
                f"unknown kind {kind!r}; did you mean {close[0]!r}? As written the API server rejects it "
                "and nothing here checks it",
            )
        return
    if doc.kind in CLUSTER_SCOPED_KINDS and "namespace" in mapping(doc.body.get("metadata")):
        out.add(
            doc,
            "metadata.namespace",
            "namespace-on-cluster-scoped",
            f"{doc.kind.value} is cluster-scoped: it has no namespace; remove metadata.namespace",
        )
    elif doc.kind in NAMESPACED_KINDS and doc.namespace is None:
        out.add(
            doc,
            "metadata.namespace",
            "namespace-missing",
            f"no namespace: the {doc.kind.value} lands in whatever project is current when applied; "
            "write its namespace (the MTV namespace, openshift-mtv by default)",
        )


def check_duplicates(out: Collector, docs: list[Document]) -> None:
    """Two objects of one kind, namespace and name: the later replaces the earlier."""
    seen: dict[tuple[str, str | None, str], Document] = {}
    for doc in docs:
        if doc.kind in (Kind.OTHER, Kind.VM_PATCH, Kind.KUSTOMIZATION) or not doc.name:
            continue
        ident = (doc.kind.value, doc.namespace, doc.name)
        if ident in seen:
            first = seen[ident]
            out.add(
                doc,
                "metadata.name",
                "duplicate-object",
                f"{doc.kind.value} {doc.name} is defined twice (also at {first.where}); the later one "
                "silently replaces the earlier: keep one",
            )
        else:
            seen[ident] = doc
