"""VirtualMachine (and VM merge patch) checks: interfaces and networks as
:func:`trunkline.openshift.objects.read_vm` reads them, and the NADs their Multus networks name."""

from __future__ import annotations

from trunkline.openshift.manifests import Document
from trunkline.openshift.objects import read_vm
from trunkline.openshift.validate.context import Context
from trunkline.openshift.validate.findings import Collector


def check_vm(out: Collector, doc: Document, ctx: Context) -> None:
    """Every check of one VirtualMachine or VM merge patch."""
    _interfaces, networks, problems = read_vm(doc.body)
    out.problems(doc, problems)
    usable = ctx.usable_namespaces()
    for network in networks:
        ref = network.nad
        if ref is None:
            continue
        fld = f"{network.path}.multus.networkName"
        prefix, _, name = ref.rpartition("/")
        ns = prefix or None
        if ns is None and name not in ctx.cudn_names:  # a CUDN's NAD is in every namespace it selects
            out.add(
                doc,
                fld,
                "kubevirt-network-namespace-missing",
                f"networkName {ref!r} has no namespace, so KubeVirt looks for the NAD in the VM's own "
                f"namespace, not in 'default': write '<namespace>/{name}'",
            )
            ns = ctx.target_namespace
        if ctx.nads and not _nad_exists(ctx, ns, name):
            out.add(
                doc,
                fld,
                "kubevirt-nad-unknown",
                f"network {ref!r} names no NAD in this directory; write '<namespace>/<name>' of one",
            )
        if usable is not None and ns is not None and ns not in usable:
            out.add(
                doc,
                fld,
                "nad-namespace-unusable",
                f"NAD namespace {ns!r} is neither the VMs' namespace {ctx.target_namespace!r} nor 'default'",
            )


def _nad_exists(ctx: Context, namespace: str | None, name: str) -> bool:
    if namespace is not None:
        return (namespace, name) in ctx.nads
    return any(n == name for _, n in ctx.nads)
