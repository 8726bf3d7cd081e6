"""MTV NetworkMaps: one per vCenter, from its vSphere networks to the NADs or the pod network, with the
source Provider named by ``--mtv-provider`` or guessed from the vCenter name."""

from __future__ import annotations

from collections import Counter

from trunkline.errors import BadInputError
from trunkline.openshift.naming import NameRequest, assign_names, sanitise, short_hash, with_suffix
from trunkline.openshift.plan.findings import Findings
from trunkline.openshift.plan.model import NetworkDecision, NetworkMapDecision, PlanOptions
from trunkline.vsphere.model import Inventory


def _guessed_providers(findings: Findings, vcenters: list[str]) -> dict[str, str]:
    """MTV Provider names for vCenters the user named none for: the vCenter name as a Kubernetes object
    name (RFC 1123 subdomain, 253 characters). Names that sanitise alike, or that had to be cut, get a
    hash suffix to stay distinct, and a finding: they cannot match the real Provider."""
    plain = {vc: sanitise(vc, 253, fallback="vsphere") for vc in vcenters}
    counts = Counter(plain.values())
    out: dict[str, str] = {}
    for vc in sorted(vcenters):
        name = plain[vc]
        why = ""
        if counts[name] > 1:
            others = sorted(v for v in vcenters if plain[v] == name and v != vc)
            why = f"sanitises like vCenter {', '.join(others)}"
            name = with_suffix(name[:240], short_hash(vc), 253)
        elif name != sanitise(vc, 1 << 16, fallback="vsphere"):
            why = "is longer than a Kubernetes name (253 characters)"
        out[vc] = name
        if why:
            findings.find(
                "warning",
                "mtv-provider-guessed",
                f"vCenter {vc[:80]}",
                f"its name {why}, so the NetworkMap's source Provider is named {name[:80]!r}, which is "
                "unlikely to be your Provider's name: pass --mtv-provider VCENTER=NAME",
            )
    return out


def decide_network_maps(
    inventory: Inventory, options: PlanOptions, networks: tuple[NetworkDecision, ...], findings: Findings
) -> tuple[NetworkMapDecision, ...]:
    """One :class:`NetworkMapDecision` per vCenter with a mapped network, sorted by vCenter.

    Raises:
        BadInputError: ``--mtv-provider`` names a vCenter the inventory lacks, or names one Provider for
            several vCenters.
    """
    opt = options
    vcenters = [vc.name for vc in inventory.vcenters]
    names, _ = assign_names(NameRequest(key=vc, text=vc) for vc in vcenters)
    unknown = sorted(set(opt.mtv_providers) - set(vcenters) - {""})
    if unknown:
        raise BadInputError(
            f"--mtv-provider {unknown[0]}=...: no vCenter of that name in the inventory "
            f"(it has {', '.join(vcenters) or 'none'})"
        )
    if "" in opt.mtv_providers and len(vcenters) > 1:
        raise BadInputError(
            "--mtv-provider NAME: the inventory has several vCenters; "
            "write --mtv-provider VCENTER=NAME once per vCenter"
        )
    guessed = _guessed_providers(
        findings, [vc for vc in vcenters if vc not in opt.mtv_providers and "" not in opt.mtv_providers]
    )
    out = []
    for vc in sorted(vcenters):
        provider = opt.mtv_providers.get(vc) or opt.mtv_providers.get("") or guessed[vc]
        seen: dict[tuple[str, str], NetworkDecision] = {}
        for d in networks:
            if d.vcenter != vc or d.target not in ("multus", "pod", "ignored"):
                continue
            first = seen.setdefault(d.sources[0], d)
            if first is not d:
                findings.find(
                    "warning",
                    "ambiguous-network",
                    f"vSphere network {d.sources[0][1]!r} (vCenter {vc})",
                    f"two port groups ({first.name!r} in {first.datacenter}, {d.name!r} in {d.datacenter}) "
                    f"have this {d.sources[0][0]}; the NetworkMap maps it to the first only",
                )
        entries = tuple(seen.values())
        if not entries:
            findings.find(
                "info", "no-networkmap", f"vCenter {vc}", "no network of it is mapped: no NetworkMap for it"
            )
            continue
        out.append(NetworkMapDecision(name=names[vc], vcenter=vc, provider=provider, entries=entries))
    return tuple(out)
