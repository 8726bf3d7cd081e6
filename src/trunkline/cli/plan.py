"""`trunkline plan`: write the OpenShift manifests for a vSphere network design.

Thin: parse the options, load the inventory (file, bundled example, RVTools export or live vCenter),
one call to :func:`trunkline.openshift.plan.build_plan`, one to :func:`trunkline.openshift.render.write_plan`,
then a short summary.
"""

from __future__ import annotations

import gc
import signal
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Literal, cast

import typer

from trunkline.errors import BadInputError, FindingsError
from trunkline.gcpause import gc_paused
from trunkline.vsphere.model import Inventory


def _load(
    inventory: Path | None,
    vcenter: list[str],
    rvtools: Path | None,
    user: str | None,
    insecure: bool,
    ca_file: Path | None,
    datacenter: str | None,
) -> Inventory:
    given = [x for x in (inventory is not None, bool(vcenter), rvtools is not None) if x]
    if len(given) > 1:
        raise BadInputError("give one source: INVENTORY, --vcenter HOST or --rvtools FILE")
    if vcenter:
        from trunkline.cli._vcenter import vcenter_inventory

        return vcenter_inventory(vcenter, user, insecure, ca_file, datacenter)
    if rvtools is not None:
        import importlib

        return importlib.import_module("trunkline.vsphere.rvtools").read_rvtools(rvtools)
    if inventory is not None and inventory.is_dir():
        from trunkline.openshift.render import is_plan_directory

        if is_plan_directory(inventory):
            raise BadInputError(
                f"{inventory}: is a plan output directory; give an inventory file (YAML/JSON/RVTools) "
                "or nothing for the bundled example"
            )
    from trunkline.vsphere.sources import load_inventory

    return load_inventory(inventory)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM handler: stop like Ctrl-C, so that the plan writer removes its temporary directory."""
    raise KeyboardInterrupt


def _providers(values: list[str]) -> dict[str, str]:
    from trunkline.openshift.naming import is_subdomain

    out: dict[str, str] = {}
    for value in values:
        vc, sep, name = value.rpartition("=")
        vc, name = vc.strip(), name.strip()
        if not name or (sep and not vc):
            raise BadInputError(f"--mtv-provider {value!r}: write NAME, or VCENTER=NAME once per vCenter")
        if not is_subdomain(name):
            raise BadInputError(
                f"--mtv-provider {value!r}: {name!r} is not a Kubernetes object name (lower-case a-z, 0-9, "
                "-, . and at most 253 characters); give the Provider's name as `oc get providers` shows it"
            )
        if vc in out:
            which = "a vCenter" if vc else "every vCenter"
            raise BadInputError(
                f"--mtv-provider {value!r}: {which} already has provider {out[vc]!r}; "
                "give NAME once, or VCENTER=NAME once per vCenter"
            )
        out[vc] = name
    return out


def _choices(values: list[str]) -> dict[str, Literal["pod", "ignored"]]:
    out: dict[str, Literal["pod", "ignored"]] = {}
    for value in values:
        net, _, target = value.rpartition("=")
        if not net or target not in ("pod", "ignored"):
            raise BadInputError(f"--mtv-map {value!r}: write PORTGROUP=pod or PORTGROUP=ignored")
        out[net] = cast(Literal["pod", "ignored"], target)
    return out


def _target_namespaces(
    backend: str, namespace: str | None, targets: list[str], localnet_bridge: str, subnets: list[str]
) -> tuple[str, ...]:
    """The cudn-localnet target namespaces: the --target-namespace values, or --namespace alone (on this
    backend the NADs live where the CUDNs create them, so --namespace is one target namespace)."""
    if backend != "cudn-localnet":
        given = [o for o, v in (("--target-namespace", targets), ("--subnet", subnets)) if v]
        given += ["--localnet-bridge"] if localnet_bridge != "own" else []
        if given:
            raise BadInputError(f"{given[0]}: only for --backend cudn-localnet; leave it out")
        return ()
    if localnet_bridge not in ("own", "br-ex"):
        raise BadInputError(f"--localnet-bridge {localnet_bridge!r}: use own or br-ex")
    if namespace is not None and targets:
        raise BadInputError(
            "--namespace: with --backend cudn-localnet the NADs are created in the --target-namespace "
            "namespaces; give those only"
        )
    if namespace is not None and not targets:
        from trunkline.openshift.cudn_rules import namespace_problem

        why = namespace_problem(namespace)
        if why:
            raise BadInputError(f"--namespace {namespace}: {why}")
    return tuple(dict.fromkeys(targets)) if targets else ((namespace,) if namespace else ())


_InventoryArg = Annotated[
    Path | None,
    typer.Argument(
        metavar="INVENTORY",
        help="Inventory file (trunkline YAML/JSON or RVTools .xlsx); none = the bundled example design.",
        readable=False,  # the loader says it in one line with the fix (click's check takes three)
    ),
]


def _opt(*names: str, help: str, metavar: str | None = None) -> typer.models.OptionInfo:  # noqa: A002
    # readable=False: a file option's reader says "cannot read it" in one line with the fix
    return typer.Option(*names, help=help, metavar=metavar, readable=False)


def plan_command(
    inventory: _InventoryArg = None,
    output: Annotated[Path, _opt("-o", "--output", help="Directory to write.", metavar="DIR")] = Path(
        "trunkline-plan"
    ),
    vcenter: Annotated[
        list[str] | None, _opt("--vcenter", help="Live vCenter (repeatable).", metavar="HOST")
    ] = None,
    user: Annotated[
        str | None, _opt("--user", help="vCenter user (else GOVC_USERNAME).", metavar="USER")
    ] = None,
    insecure: Annotated[bool, _opt("--insecure", help="Do not verify vCenter certificates.")] = False,
    ca_file: Annotated[
        Path | None, _opt("--ca-file", help="CA bundle for vCenter certificates.", metavar="FILE")
    ] = None,
    datacenter: Annotated[
        str | None, _opt("--datacenter", help="Read only this datacenter.", metavar="NAME")
    ] = None,
    rvtools: Annotated[
        Path | None, _opt("--rvtools", help="Read this RVTools .xlsx export.", metavar="FILE")
    ] = None,
    backend: Annotated[
        str, _opt("--backend", help="linux-bridge, ovn-localnet or cudn-localnet.", metavar="BACKEND")
    ] = "linux-bridge",
    cni_type: Annotated[
        str | None, _opt("--cni-type", help="cnv-bridge (default) or bridge.", metavar="TYPE")
    ] = None,
    namespace: Annotated[
        str | None,
        _opt("--namespace", metavar="NS",
             help="NADs' namespace [default: default]; cudn-localnet: the target."),
    ] = None,
    target_namespace: Annotated[
        list[str] | None,
        _opt("--target-namespace", help="cudn-localnet: namespace the VMs migrate into (repeatable).",
             metavar="NS"),
    ] = None,
    localnet_bridge: Annotated[
        str, _opt("--localnet-bridge", help="cudn-localnet: own (OVS bridge on the trunk NIC) or br-ex.",
                  metavar="own|br-ex")
    ] = "own",
    subnet: Annotated[
        list[str] | None,
        _opt("--subnet", help="cudn-localnet: IPAM subnets of a port group (repeatable).",
             metavar="PORTGROUP=CIDR[,CIDR]"),
    ] = None,
    bridge: Annotated[
        str, _opt("--bridge", help="Node bridge name (15 characters max).", metavar="NAME")
    ] = "vlan-trunk",
    nic_map: Annotated[
        list[str] | None, _opt("--nic-map", help="UPLINK=NIC, e.g. vmnic1=ens34.", metavar="UPLINK=NIC")
    ] = None,
    nic_map_file: Annotated[
        Path | None, _opt("--nic-map-file", help="NIC map file (format: docs/plan.md).", metavar="FILE")
    ] = None,
    node_state: Annotated[
        Path | None,
        _opt(
            "--node-state",
            help="`oc get nodes,nns -o yaml` export (nns alone works; the nodes give the labels node groups "
            "select by): NICs for unmapped uplinks.",
            metavar="FILE",
        ),
    ] = None,
    mtv_provider: Annotated[
        list[str] | None,
        _opt("--mtv-provider", help="MTV vSphere provider: NAME or VCENTER=NAME.", metavar="[VCENTER=]NAME"),
    ] = None,
    mtv_namespace: Annotated[
        str, _opt("--mtv-namespace", help="Namespace of MTV.", metavar="NS")
    ] = "openshift-mtv",
    mtv_map: Annotated[
        list[str] | None,
        _opt("--mtv-map", help="PORTGROUP=pod|ignored instead of a NAD.", metavar="PORTGROUP=pod|ignored"),
    ] = None,
    max_unavailable: Annotated[
        str, _opt("--max-unavailable", help="NNCP maxUnavailable.", metavar="N|N%")
    ] = "1",
    disconnected_down: Annotated[
        bool,
        _opt(
            "--disconnected-down",
            help="VM patches set `state: down` on NICs disconnected on vSphere (needs OpenShift "
            "Virtualization 4.19 or later; older releases reject the field at admission).",
        ),
    ] = False,
    strict: Annotated[bool, _opt("--strict", help="Exit 1 when anything was left unmapped.")] = False,
) -> None:
    """Write NNCPs, NADs, MTV NetworkMaps, VM patches and REPORT.md for a vSphere network design."""
    from trunkline.openshift.cudn import parse_subnets
    from trunkline.openshift.nicmap import load_nic_map_file, node_groups, parse_nic_map_options
    from trunkline.openshift.plan import Backend, PlanOptions, build_plan, plan_with_node_state
    from trunkline.openshift.render import write_plan
    from trunkline.planindex import build_index

    targets = _target_namespaces(backend, namespace, target_namespace or [], localnet_bridge, subnet or [])
    if backend != "linux-bridge" and cni_type is not None:
        raise BadInputError(
            f"--cni-type {cni_type}: only for --backend linux-bridge "
            "(OVN localnet NADs use ovn-k8s-cni-overlay); leave it out"
        )
    options = PlanOptions(
        backend=cast(Backend, backend),
        cni_type=cni_type or "cnv-bridge",
        namespace=namespace or "default",
        target_namespaces=targets,
        localnet_bridge=cast(Literal["own", "br-ex"], localnet_bridge),
        subnets=parse_subnets(subnet or []),
        bridge=bridge,
        max_unavailable=int(max_unavailable) if max_unavailable.isdigit() else max_unavailable,
        mtv_providers=_providers(mtv_provider or []),
        mtv_namespace=mtv_namespace,
        network_choices=_choices(mtv_map or []),
        disconnected_down=disconnected_down,
    )
    options.check()  # the plan's own rules, before the inventory is read
    cli_map = parse_nic_map_options(nic_map or [])
    file_groups = load_nic_map_file(nic_map_file) if nic_map_file else None
    inv = _load(inventory, vcenter or [], rvtools, user, insecure, ca_file, datacenter)
    # the inventory lives until exit: move it out of the collector's generations so that full
    # collections during planning do not rescan it (a quarter of the plan's time at 10,000 port groups)
    gc.collect()
    gc.freeze()
    options = replace(options, node_groups=node_groups(inv.nic_map, file_groups, cli_map))
    # planning and rendering build objects that mostly stay alive until written: no collections meanwhile
    # (about a sixth of their time at 10,000 port groups; trunkline.gcpause)
    with gc_paused():
        if node_state is not None:
            from trunkline.openshift.nodestate import load_node_states, propose_trunk_nics

            plan = plan_with_node_state(inv, options, propose_trunk_nics(load_node_states(node_state)))
        else:
            plan = build_plan(inv, options)
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            write_plan(plan, output, str(output), build_index(plan, inv))
        finally:
            signal.signal(signal.SIGTERM, previous)
    nads = sum(1 for n in plan.networks if n.target == "multus")
    kind = "CUDN" if backend == "cudn-localnet" else "NAD"
    nncps = sum(len(b.layouts) for b in plan.bridges)
    patches = sum(1 for vm in plan.vms if vm.has_patch)
    counts = plan.counts
    if counts["error"]:
        typer.echo(
            f"trunkline plan: {counts['error']} error(s): read the Findings in {output / 'REPORT.md'} "
            "before applying"
        )
    typer.echo(
        f"trunkline plan: {nads} {kind}(s), {nncps} NNCP(s), {len(plan.network_maps)} NetworkMap(s), "
        f"{patches} VM patch(es) written to {output}/"
    )
    typer.echo(
        f"findings: {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s); "
        f"{len(plan.unmapped)} about unmapped items"
    )
    typer.echo(f"read {output / 'REPORT.md'} for the mapping, the apply order and every finding")
    if strict and plan.unmapped:
        raise FindingsError(
            f"--strict: {len(plan.unmapped)} finding(s) about unmapped items (see {output / 'REPORT.md'})"
        )


def register(app: typer.Typer) -> None:
    """Add the `plan` command to *app*."""
    app.command("plan")(plan_command)
