"""``trunkline validate`` for ClusterUserDefinedNetworks: each CUDN against :mod:`.cudn_rules`, and how
CUDNs fit the other objects of a directory.

Cross-object checks:

* a ``physicalNetworkName`` that no NNCP's ``ovn.bridge-mappings[].localnet`` maps to a bridge;
* a NetworkMap destination or a VM's ``multus.networkName`` naming a CUDN's NAD in a namespace the
  CUDN's selector does not list by name (the controller creates the NAD only where it selects);
* a selector that depends on namespace labels cannot be checked offline: a note, not a finding.

The CUDN controller names each NAD like the CUDN (OKEP-5085), so a CUDN *provides* the NAD
``<namespace>/<cudn name>`` in each namespace it lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from trunkline.openshift import cudn_rules
from trunkline.openshift.cudn_rules import as_list, as_mapping
from trunkline.openshift.manifests import Document, Kind


@dataclass(frozen=True)
class Reference:
    """A NAD named by another object: the object, the field, the NAD's namespace (``None``: the VM's
    own) and name."""

    doc: Document
    field: str
    namespace: str | None
    name: str


def cudns(docs: Iterable[Document]) -> dict[str, Document]:
    """CUDN name -> its document (the first of a name)."""
    out: dict[str, Document] = {}
    for doc in docs:
        if doc.kind is Kind.CUDN and doc.name:
            out.setdefault(doc.name, doc)
    return out


def references(docs: Iterable[Document]) -> Iterator[Reference]:
    """Every NAD that a NetworkMap's multus destination or a VM's (patch's) multus network names."""
    for doc in docs:
        if doc.kind is Kind.NETWORK_MAP:
            for i, entry in enumerate(as_list(as_mapping(doc.body.get("spec")).get("map"))):
                dest = as_mapping(as_mapping(entry).get("destination"))
                if dest.get("type") == "multus" and isinstance(dest.get("name"), str):
                    ns = dest.get("namespace") if isinstance(dest.get("namespace"), str) else None
                    yield Reference(doc, f"spec.map[{i}].destination.namespace", ns, dest["name"])
        elif doc.kind in (Kind.VM_PATCH, Kind.VIRTUAL_MACHINE):
            spec = as_mapping(as_mapping(as_mapping(doc.body.get("spec")).get("template")).get("spec"))
            for j, network in enumerate(as_list(spec.get("networks"))):
                ref = as_mapping(as_mapping(network).get("multus")).get("networkName")
                if isinstance(ref, str):
                    prefix, _, name = ref.rpartition("/")
                    yield Reference(doc, f"spec.template.spec.networks[{j}].multus.networkName",
                                    prefix or None, name)


def provided_nads(docs: list[Document]) -> dict[tuple[str, str], Document]:
    """(namespace, name) -> CUDN for the NADs the CUDNs of *docs* create: one per namespace a selector
    lists by name, and, so that a missing NAD is reported once (by :func:`reference_problems`), one
    for every namespace another object names a CUDN's NAD in."""
    by_name = cudns(docs)
    out: dict[tuple[str, str], Document] = {}
    for name, doc in by_name.items():
        chosen = cudn_rules.selection(as_mapping(doc.body.get("spec")).get("namespaceSelector"))
        for ns in chosen.names or ():
            out[(ns, name)] = doc
    for ref in references(docs):
        if ref.name in by_name and ref.namespace is not None:
            out.setdefault((ref.namespace, ref.name), by_name[ref.name])
    return out


def cudn_problems(doc: Document, localnets: set[str] | None) -> list[cudn_rules.Problem]:
    """The problems of one CUDN: :func:`cudn_rules.check_cudn`, plus a physical network no NNCP maps
    (*localnets*: the mapped names, ``None`` when the NNCPs are not at hand)."""
    out = cudn_rules.check_cudn(doc.body)
    loc = as_mapping(as_mapping(as_mapping(doc.body.get("spec")).get("network")).get("localnet"))
    physical = loc.get("physicalNetworkName")
    if localnets is not None and isinstance(physical, str) and physical not in localnets:
        mapped = ", ".join(sorted(localnets)) or "none"
        out.append(cudn_rules.Problem(
            "spec.network.localnet.physicalNetworkName", "cudn-localnet-unmapped",
            f"no NNCP maps physical network {physical!r} to an OVS bridge (ovn.bridge-mappings localnets: "
            f"{mapped}), so VMs on this CUDN reach no wire; add the mapping to an NNCP or name a mapped one",
        ))  # fmt: skip
    return out


def reference_problems(docs: list[Document], target_namespace: str | None) -> Iterator[
    tuple[Document, str, str, str]
]:
    """(object, field, key, message) for NetworkMaps and VMs naming a CUDN's NAD in a namespace its
    selector does not list by name (a VM's namespace-less name counts as *target_namespace*)."""
    by_name = cudns(docs)
    for ref in references(docs):
        owner = by_name.get(ref.name)
        ns = ref.namespace or target_namespace
        if owner is None or ns is None:
            continue
        chosen = cudn_rules.selection(as_mapping(owner.body.get("spec")).get("namespaceSelector"))
        if chosen.names is not None and ns not in chosen.names:
            yield (
                ref.doc, ref.field, "cudn-namespace-not-selected",
                f"NAD {ns}/{ref.name} would come from CUDN {ref.name} ({owner.where}), whose "
                f"namespaceSelector lists {', '.join(chosen.names) or 'no namespace'} by name, so the "
                f"controller creates no NAD in {ns!r}; add {ns!r} to the CUDN's "
                f"{cudn_rules.NAME_LABEL} In [...] values, or migrate the VMs into a listed namespace",
            )  # fmt: skip


def conflicts(docs: list[Document]) -> Iterator[tuple[Document, str, str, str]]:
    """(NAD, field, key, message) for a NAD of the directory that has the name of a CUDN in a namespace
    the CUDN lists: the controller refuses to take over a NAD it did not create."""
    by_name = cudns(docs)
    for doc in docs:
        owner = by_name.get(doc.name or "") if doc.kind is Kind.NAD else None
        if owner is None:
            continue
        chosen = cudn_rules.selection(as_mapping(owner.body.get("spec")).get("namespaceSelector"))
        ns = doc.namespace or "default"
        if ns in (chosen.names or ()):
            yield (
                doc, "metadata.name", "cudn-nad-conflict",
                f"CUDN {owner.name} ({owner.where}) creates a NAD of this name in {ns!r}, and its controller "
                "does not take over a NAD it did not create (NetworkCreated turns False with "
                "NetworkAttachmentDefinitionSyncError); delete this NAD or rename the CUDN",
            )  # fmt: skip


def notes(docs: Iterable[Document]) -> list[str]:
    """One note per CUDN whose selector depends on namespace labels (not checkable offline)."""
    out = []
    for doc in docs:
        if doc.kind is not Kind.CUDN:
            continue
        chosen = cudn_rules.selection(as_mapping(doc.body.get("spec")).get("namespaceSelector"))
        if chosen.other:
            out.append(
                f"{doc.where}: CUDN {doc.name} selects namespaces by label ({'; '.join(chosen.other)}), "
                "which cannot be checked offline: run `oc get namespaces -l ...` with the selector to "
                "see which namespaces get its NAD (never default or openshift-*)"
            )
    return out
