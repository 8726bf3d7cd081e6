"""MTV NetworkMap checks: entries as :func:`trunkline.openshift.objects.read_network_map` reads them, and
the NADs their multus destinations name (in the directory, in a namespace the VMs can use)."""

from __future__ import annotations

from trunkline.openshift.manifests import Document, Kind
from trunkline.openshift.objects import read_network_map
from trunkline.openshift.validate.context import Context
from trunkline.openshift.validate.findings import Collector


def check_network_map(out: Collector, doc: Document, ctx: Context) -> None:
    """Every check of one NetworkMap."""
    entries, problems = read_network_map(doc.body)
    out.problems(doc, problems)
    usable = ctx.usable_namespaces()
    for entry in entries:
        ns, name = entry.namespace, entry.name
        if entry.type != "multus" or ns is None or name is None:
            continue
        if (ns, name) not in ctx.nads and not ctx.lacks(Kind.NAD):
            out.add(
                doc,
                f"{entry.path}.destination",
                "networkmap-nad-unknown",
                f"destination NAD {ns}/{name} is not defined in this directory; "
                "MTV would fail the migration plan",
            )
        if usable is not None and ns not in usable:
            out.add(
                doc,
                f"{entry.path}.destination.namespace",
                "nad-namespace-unusable",
                f"NAD namespace {ns!r} is neither the VMs' namespace {ctx.target_namespace!r} nor 'default'; "
                "MTV cannot attach VMs to it",
            )
