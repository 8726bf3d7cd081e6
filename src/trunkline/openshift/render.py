"""Write a plan as a manifests directory, atomically and byte-identically for the same input.

Layout of ``DIR``::

    prereqs/kustomization.yaml   the target Namespace (unless ``default``) and the NMState instance
    prereqs/namespace.yaml
    prereqs/nmstate.yaml
    kustomization.yaml           nncp.yaml, nads.yaml, networkmaps.yaml
    nncp.yaml                    NodeNetworkConfigurationPolicies
    nads.yaml                    NetworkAttachmentDefinitions
    networkmaps.yaml             MTV NetworkMaps
    vms/<vm>.json                JSON merge patches for ``oc patch vm`` (outside the kustomization)
    monitoring/                  the plan index ConfigMaps and their kustomization (namespace trunkline;
                                 :mod:`trunkline.openshift.monitoring`), when built with the inventory
    REPORT.md                    tables, apply order, Mermaid diagram, findings

    .trunkline-plan              the files trunkline wrote (anything else in DIR is kept on re-run)

Atomicity: everything is written into a fresh directory next to ``DIR`` (same parent, so the same file
system) and exchanged with ``DIR`` in one step; an existing ``DIR`` that trunkline wrote (it holds
``.trunkline-plan``, or its ``REPORT.md`` starts with :data:`REPORT_TITLE`) or that is empty is
replaced, every entry in it that trunkline did not write (``.git``, notes) carried over. Any other
existing ``DIR`` is left alone (:class:`~trunkline.errors.BadInputError`). A failure leaves ``DIR`` as it
was and no temporary directory behind.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from trunkline.atomicwrite import write_tree_atomic
from trunkline.errors import BadInputError
from trunkline.openshift import cudn
from trunkline.openshift.addresses import covering
from trunkline.openshift.forklift import network_maps
from trunkline.openshift.kubevirt import vm_patch
from trunkline.openshift.legend import legend_rows
from trunkline.openshift.nad import nad_manifests
from trunkline.openshift.nicmap import NODE_GROUP_LABEL
from trunkline.openshift.nmstate import nmstate_instance, nncp_manifests, policy_name
from trunkline.openshift.plan.model import Plan
from trunkline.planindex import PlanIndex
from trunkline.vlanranges import format_ranges as ranges_text
from trunkline.vlanranges import merge_ranges

REPORT_TITLE = "# trunkline plan"
KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"
DIAGRAM_MAX_PORT_GROUPS = 40  # above this the diagram shows switches and VLAN ranges only

_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_yaml(docs: list[dict[str, Any]]) -> str:
    """Multi-document block-style YAML (PyYAML; libyaml's emitter where installed), keys in the order built.

    Lines are never folded, so a NAD's JSON config stays on one single-quoted line as in the seed;
    non-ASCII names are written as they are.
    """
    return yaml.dump_all(
        docs,
        Dumper=_Dumper,
        sort_keys=False,
        explicit_start=True,
        default_flow_style=False,
        allow_unicode=True,
        width=1 << 30,
    )


def kustomization(resources: list[str]) -> dict[str, Any]:
    """A ``Kustomization`` listing *resources*."""
    return {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization", "resources": resources}


def render_files(plan: Plan, display_dir: str = "DIR", index: PlanIndex | None = None) -> dict[str, str]:
    """Every file of the plan directory: relative path -> text. *display_dir* is how REPORT.md's
    commands name the directory; *index* (:func:`trunkline.planindex.build_index`) adds ``monitoring/``."""
    opt = plan.options
    files: dict[str, str] = {}
    prereqs: list[str] = []
    cudn_backend = opt.backend == "cudn-localnet"
    if cudn_backend:
        files["prereqs/namespace.yaml"] = dump_yaml(cudn.namespaces(plan))
        prereqs.append("namespace.yaml")
    elif opt.namespace != "default":
        files["prereqs/namespace.yaml"] = dump_yaml(
            [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": opt.namespace}}]
        )
        prereqs.append("namespace.yaml")
    files["prereqs/nmstate.yaml"] = dump_yaml([nmstate_instance()])
    prereqs.append("nmstate.yaml")
    files["prereqs/kustomization.yaml"] = dump_yaml([kustomization(prereqs)])
    resources = []
    kinds = (
        [("nncp.yaml", cudn.nncp_manifests(plan)), ("cudns.yaml", cudn.cudn_manifests(plan)),
         ("networkmaps.yaml", cudn.network_maps(plan))]
        if cudn_backend
        else [("nncp.yaml", nncp_manifests(plan)), ("nads.yaml", nad_manifests(plan)),
              ("networkmaps.yaml", network_maps(plan))]
    )  # fmt: skip
    for name, docs in kinds:
        if docs:
            files[name] = dump_yaml(docs)
            resources.append(name)
    files["kustomization.yaml"] = dump_yaml([kustomization(resources)])
    for vm in plan.vms:
        if vm.has_patch:
            files[f"vms/{vm.name}.json"] = json.dumps(vm_patch(vm)) + "\n"
    section: tuple[str, ...] = ()
    if index is not None:
        from trunkline.openshift.monitoring import monitoring_files, report_section

        for rel, content in monitoring_files(index).items():
            files[rel] = content if isinstance(content, str) else dump_yaml(content)
        section = report_section(index, display_dir)
    files["REPORT.md"] = report(plan, display_dir, section)
    return files


def write_plan(
    plan: Plan, out_dir: Path, display_dir: str | None = None, index: PlanIndex | None = None
) -> list[str]:
    """Write *plan* to *out_dir* atomically; return the relative paths written, sorted.

    Raises:
        BadInputError: *out_dir* exists and is not an earlier trunkline plan nor empty, or is a file.
        EnvironmentProblem: the parent directory cannot be written.
    """
    return write_files(render_files(plan, display_dir or str(out_dir), index), out_dir)


def write_files(files: dict[str, str], out_dir: Path) -> list[str]:
    """Write *files* (relative path -> text, as :func:`render_files` returns) as directory *out_dir*,
    atomically (see the module docstring); return the relative paths, sorted.

    Entries of an earlier plan directory that trunkline did not write (``.git``, notes, ...) are carried
    over into the new directory as hard links (copies where the file system refuses links) before the
    swap, done by :func:`trunkline.atomicwrite.write_tree_atomic` (which also removes what a killed
    earlier run left).

    Raises:
        BadInputError, EnvironmentProblem: as :func:`write_plan`; BadInputError also when a file
        trunkline did not write sits where the new plan writes one.
    """
    shown = Path(out_dir)
    if shown.is_symlink() or (shown.exists() and not shown.is_dir()):
        raise BadInputError(f"-o {shown}: exists and is not a directory; choose another path")
    out_dir = shown.resolve()
    if out_dir == Path(out_dir.anchor) or Path.cwd().resolve().is_relative_to(out_dir):
        raise BadInputError(f"-o {shown}: is the current directory or above it; choose a subdirectory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not _ours(out_dir):
        raise BadInputError(
            f"-o {shown}: the directory exists and was not written by trunkline plan; "
            "choose a new or empty directory"
        )
    files = {**files, MANIFEST: _manifest(files)}
    carried = _foreign_entries(out_dir, files) if out_dir.is_dir() else []
    clash = sorted(rel for rel in carried if rel in files)
    if clash:
        raise BadInputError(
            f"-o {shown}: {clash[0]} was not written by trunkline but the new plan writes it; move it away"
        )
    write_tree_atomic(files, out_dir, carried, f"-o {shown}")
    return sorted(rel for rel in files if rel != MANIFEST)


MANIFEST = ".trunkline-plan"
_MANIFEST_HEAD = "# files written by trunkline plan; anything else in this directory is kept on re-run"
_KNOWN = re.compile(
    r"^(REPORT\.md|kustomization\.yaml|nncp\.yaml|nads\.yaml|cudns\.yaml|networkmaps\.yaml"
    r"|prereqs/(kustomization|namespace|nmstate)\.yaml|vms/[^/]+\.json)$"
)


def _manifest(files: dict[str, str]) -> str:
    return "\n".join([_MANIFEST_HEAD, *sorted(files), MANIFEST]) + "\n"


def _written_by_us(out_dir: Path) -> set[str] | None:
    """The relative paths the manifest lists, or ``None`` when there is none (a plan from before it)."""
    try:
        lines = (out_dir / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or lines[0] != _MANIFEST_HEAD:
        return None
    return set(lines[1:])


def _foreign_entries(out_dir: Path, new_files: dict[str, str]) -> list[str]:
    """Relative paths (files, symlinks or whole directories) under *out_dir* that trunkline did not write,
    sorted: the manifest's list, or for older plans the file names trunkline uses. Directories the old or
    the *new_files* use are entered, not carried whole."""
    owned = _written_by_us(out_dir)
    our_dirs = {str(Path(rel).parent) for rel in (*(owned or ()), *new_files)} | (
        {"prereqs", "vms"} if owned is None else set()
    )
    foreign: list[str] = []

    def walk(path: Path, rel: str) -> None:
        for entry in sorted(os.scandir(path), key=lambda e: e.name):
            erel = f"{rel}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if erel in our_dirs:
                    walk(Path(entry.path), erel + "/")
                else:
                    foreign.append(erel)
            elif not (erel in owned if owned is not None else (_KNOWN.match(erel) or erel == MANIFEST)):
                foreign.append(erel)

    walk(out_dir, "")
    return foreign


def is_plan_directory(path: Path) -> bool:
    """True when *path* is a directory ``trunkline plan`` wrote (``.trunkline-plan`` or its REPORT.md)."""
    return _ours(path)


def _ours(path: Path) -> bool:
    if _written_by_us(path) is not None:
        return True
    try:
        with open(path / "REPORT.md", encoding="utf-8") as fh:
            return fh.readline().rstrip("\n") == REPORT_TITLE
    except OSError:
        return False


# --------------------------------------------------------------------------------------------------
# REPORT.md
# --------------------------------------------------------------------------------------------------


_CELL_SPECIAL = re.compile(r"[\\|\n`]")


def _cell(text: object) -> str:
    value = text if type(text) is str else str(text)
    if not _CELL_SPECIAL.search(value):
        return value
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _native_counter_note(plan: Plan) -> list[str]:
    """Apply-order lines for bridges whose MTU a single-buffer native XDP counter would block (none when
    every bridge's MTU fits one buffer)."""
    from trunkline.xdp.counter import SINGLE_BUFFER_MTU

    large = sorted({(b.name, b.mtu) for b in plan.bridges if b.mtu > SINGLE_BUFFER_MTU})
    if not large:
        return []
    shown = ", ".join(f"`{name}` MTU {mtu}" for name, mtu in large)
    return [
        f"This plan sets MTUs above {SINGLE_BUFFER_MTU} bytes ({shown}). A counter attached in native XDP "
        f"mode to a NIC whose MTU is still at most {SINGLE_BUFFER_MTU} (`trunkline count --mode native`) "
        "runs the single-buffer program, and while it runs many drivers refuse a larger MTU, so those NNCPs "
        "would fail on that node: stop such counters before applying (or count in generic mode, the "
        "default) and start them again afterwards, when native mode takes the multi-buffer program.",
        "",
    ]


def report(plan: Plan, display_dir: str = "DIR", monitoring: tuple[str, ...] = ()) -> str:
    """REPORT.md: summary, apply order (*monitoring*: its lines, after it), port group table, uplink
    table, diagram, findings."""
    opt = plan.options
    switches = {s.key: s for s in plan.switches}
    many_vc = len({s.vcenter for s in plan.switches}) > 1
    nads = sum(1 for n in plan.networks if n.target == "multus")
    nics = sum(len(vm.nics) for vm in plan.vms)
    errors, warnings = plan.counts["error"], plan.counts["warning"]
    cni = opt.cni_type if opt.backend == "linux-bridge" else "ovn-k8s-cni-overlay"
    where = f"NADs in namespace `{opt.namespace}`"
    if opt.backend == "cudn-localnet":
        where = "CUDNs creating NADs in namespace(s) " + ", ".join(f"`{n}`" for n in opt.target_namespaces)
    patches = [vm for vm in plan.vms if vm.has_patch]
    banner = (
        [f"> **{errors} error(s): read [Findings](#findings-{len(plan.findings)}) before applying.** "
         "The plan was written anyway (`--strict` exits 1 instead when anything was left unmapped).", ""]
        if errors
        else []
    )
    out = [
        REPORT_TITLE,
        "",
        *banner,
        f"Backend **{opt.backend}** (`{cni}`), {where}, "
        f"MTV namespace `{opt.mtv_namespace}`.",
        "",
        f"- {len(plan.switches)} switch(es), {len(plan.networks)} port group(s) (a standard switch's port "
        f"group counted once across its hosts) -> **{nads} NAD(s)** on "
        f"{len(plan.bridges)} bridge(s), {sum(len(b.layouts) for b in plan.bridges)} NNCP(s)",
        f"- {len(plan.vms)} VM(s) with {nics} NIC(s) -> {len(patches)} VM patch(es) in `vms/`"
        + (
            f"; {len(plan.templates)} template(s) with {plan.template_nics} NIC(s), not migrated as VMs"
            if plan.templates
            else ""
        ),
        f"- {len(plan.node_groups)} node group(s) (label `{NODE_GROUP_LABEL}`)",
        f"- {len(plan.network_maps)} MTV NetworkMap(s)",
        f"- findings: {errors} error(s), {warnings} warning(s), "
        f"{len(plan.findings) - errors - warnings} note(s); {len(plan.unmapped)} about things left unmapped",
        "",
        *(
            [
                "OVN localnet NADs name the NNCP's bridge mapping in `physicalNetworkName`; OVN-Kubernetes "
                "releases without that key match the localnet by the NAD config's `name` instead, which "
                "these NADs do not use.",
                "",
            ]
            if opt.backend == "ovn-localnet"
            else []
        ),
        *node_group_section(plan),
        "## Apply order",
        "",
        f"Label the nodes first (see [Node groups](#node-groups)): every NNCP selects its nodes by "
        f"`{NODE_GROUP_LABEL}`.",
        "",
        "Install these operators first (OperatorHub): **Kubernetes NMState** (kubernetes-nmstate), "
        "**OpenShift Virtualization** and the **Migration Toolkit for Virtualization**. Without them "
        "`oc apply` does not know the NMState, NodeNetworkConfigurationPolicy, NetworkAttachmentDefinition "
        "and NetworkMap kinds. "
        "The NodeNetworkConfigurationPolicy kind exists only once kubernetes-nmstate has processed the "
        "`NMState` instance, so apply in three steps:",
        "",
        "```sh",
        f"oc apply -k {display_dir}/prereqs",
        "oc wait nmstate/nmstate --for=condition=Available --timeout=600s",
        f"oc apply -k {display_dir}",
        "oc get nncp    # wait until every policy reports Available",
        "```",
        "",
        *_native_counter_note(plan),
        "`networkmaps.yaml` needs the Migration Toolkit for Virtualization (its CRDs and the source "
        f"Provider objects in `{opt.mtv_namespace}`).",
        "",
        *monitoring,
        *(cudn.report_section(plan) if opt.backend == "cudn-localnet" else []),
        *_vm_section(plan, patches, display_dir),
        "## Port groups -> NADs",
        "",
    ]
    rows: list[list[object]] = []
    for n in plan.networks:
        sw = switches[n.switch]
        where = f"{n.vcenter}/{n.datacenter}" if many_vc else n.datacenter
        nad = f"{opt.namespace}/{n.nad}" if n.nad else n.target
        if n.nad and opt.backend == "cudn-localnet":
            nad = f"CUDN {n.nad}"
        rows.append(
            [
                where,
                sw.name,
                n.name,
                n.vlan_text,
                nad,
                n.bridge or "",
                n.mtu if n.nad else "",
                ("" if not n.nad or opt.backend != "linux-bridge" else str(n.macspoofchk).lower()),
                n.vm_nics,
                n.reason,
            ]
        )
    out += _table(
        [
            "datacenter",
            "switch",
            "port group",
            "VLAN",
            "NAD",
            "bridge",
            "MTU",
            "macspoofchk",
            "VM NICs",
            "how",
        ],
        rows,
    )
    out += address_section(plan)
    out += ["", "## Uplinks -> node NICs", ""]
    urows: list[list[object]] = []
    for br in plan.bridges:
        for lay in br.layouts:
            selector = ", ".join(f"{k}={v}" if v else k for k, v in lay.group.node_selector)
            bond = f"{lay.bond_name} ({lay.bond})" if lay.bond_name else ""
            dvs_names: dict[str, list[str]] = defaultdict(list)
            for vmnic, uplink in lay.uplink_names:
                dvs_names[vmnic].append(uplink)
            for label, nic, mapped in lay.uplinks:
                shown_nic = nic if mapped else f"{nic} (placeholder)"
                shown = f"{label} ({', '.join(dvs_names[label])})" if label in dvs_names else label
                urows.append([policy_name(br, lay), selector, br.name, shown, shown_nic, bond, lay.policy])
    out += _table(["NNCP", "node selector", "bridge", "vSphere uplink", "node NIC", "bond", "teaming"], urows)
    out += ["", "Bridges:", ""]
    for br in plan.bridges:
        vl = ranges_text(br.vlan_ids) or "none"
        native = ", untagged via native VLAN 1" if br.untagged and opt.backend == "linux-bridge" else ""
        native = ", untagged" if br.untagged and opt.backend != "linux-bridge" else native
        names = ", ".join(switches[s].name for s in br.switches)
        out.append(f"- `{br.name}` (from {names}): MTU {br.mtu}, tagged VLANs {vl}{native}")
    out += ["", "## Diagram", ""] + diagram(plan) + ["", f"## Findings ({len(plan.findings)})", ""]
    if plan.findings:
        out += _table(
            ["severity", "what", "about", "finding", "unmapped"],
            [[f.severity, f.code, f.subject, f.message, "yes" if f.unmapped else ""] for f in plan.findings],
        )
    else:
        out.append("None: everything was mapped.")
    counts = Counter(f.code for f in plan.findings)
    out += [
        "",
        "### Finding codes",
        "",
        "Every code the inventory readers and the plan can raise, how often it is raised here, and its fix. "
        "Reader findings (with a sheet, row and column) come from `trunkline inventory read`; a value the "
        "export lacks is fixed by editing the inventory file it wrote, then running `trunkline plan` on it.",
        "",
    ]
    out += _table(["code", "here", "what it means", "fix"], legend_rows(dict(counts)))
    return "\n".join(out) + "\n"


def node_group_section(plan: Plan) -> list[str]:
    """REPORT.md's node groups: each group, the vSphere hosts its nodes replace, why, and the
    ``oc label node`` commands that put nodes into it."""
    hosts = dict(plan.node_group_hosts)
    rows: list[list[object]] = []
    for group in plan.node_groups:
        members = hosts.get(group.name, ())
        selector = ", ".join(f"{k}={v}" if v else k for k, v in group.selector.items())
        source = "NIC map file" if not group.default and not group.reason else "automatic"
        rows.append([group.name, selector, ", ".join(members) or "none", source, group.reason or "-"])
    out = ["## Node groups", ""]
    out += _table(["group", "node selector", "vSphere hosts", "defined by", "why"], rows)
    out += [
        "",
        "Label the OpenShift nodes that take over each group's hosts (replace NODE with the node's name):",
        "",
        "```sh",
    ]
    for group in plan.node_groups:
        members = hosts.get(group.name, ())
        shown = ", ".join(members[:6]) + (f" (+{len(members) - 6} more)" if len(members) > 6 else "")
        out.append(f"# {group.name}: the nodes replacing {shown or 'no host'}")
        out.append(f"oc label node NODE {NODE_GROUP_LABEL}={group.name}")
    return out + ["```", ""]


ADDRESSES_SHOWN = 8  # guest addresses listed per port group; the rest are counted


def address_section(plan: Plan) -> list[str]:
    """REPORT.md's guest addresses: per port group the addresses its VM NICs report and the smallest
    prefixes covering them, "inferred" where the source gave no prefix length."""
    rows: list[list[object]] = []
    for n in plan.networks:
        if not n.addresses:
            continue
        cover = covering(n.addresses)
        shown = ", ".join(n.addresses[:ADDRESSES_SHOWN])
        if len(n.addresses) > ADDRESSES_SHOWN:
            shown += f" (+{len(n.addresses) - ADDRESSES_SHOWN} more)"
        prefixes = [*cover.known, *(f"{p} (inferred)" for p in cover.inferred)]
        rows.append([n.name, n.vlan_text, len(n.addresses), shown, ", ".join(prefixes) or "-"])
    if not rows:
        return []
    return [
        "",
        "## Guest addresses",
        "",
        "Addresses the guests report on each port group (VMware Tools) and the smallest prefixes covering "
        "them; \"inferred\" where the source gave no prefix length (RVTools never does), so the real "
        "subnet may be larger.",
        "",
        *_table(["port group", "VLAN", "count", "addresses", "covering prefix"], rows),
    ]


VM_ROWS_MAX = 500  # REPORT.md lists at most this many VM NICs; vms/*.json hold them all


def _vm_section(plan: Plan, patches: list[Any], display_dir: str) -> list[str]:
    """REPORT.md's VM section: why the patches exist, how to apply them, and each VM NIC's mapping."""
    opt = plan.options
    providers = ", ".join(f"`{m.provider}` (vCenter {m.vcenter})" for m in plan.network_maps) or "none"
    out = [
        "## VMs",
        "",
        f"Each NetworkMap names its source vSphere Provider in `{opt.mtv_namespace}`: {providers}. "
        "The name must match the Provider object exactly (`oc get providers -n "
        f"{opt.mtv_namespace}`); if not, re-run with `--mtv-provider VCENTER=NAME`.",
        "",
    ]
    if not patches:
        out += ["No VM patches: no VM has all its NICs on mapped networks (see Findings).", ""]
    else:
        out += [
            "The NetworkMap already attaches each migrated VM NIC to its NAD. The `vms/*.json` JSON merge "
            "patches additionally pin what MTV may choose differently: the MAC address kept from vSphere, "
            "the KubeVirt NIC model and the `bridge` binding. A merge patch replaces the VM's interface "
            "and network lists whole, so a VM gets a patch only when every NIC of it is mapped. A running "
            "VM picks the change up at its next restart (`virtctl restart VM`). After MTV has created "
            "the VMs (replace TARGET with the VMs' namespace):",
            "",
            "```sh",
            f'for f in {display_dir}/vms/*.json; do oc patch vm "$(basename "$f" .json)" -n TARGET '
            '--type merge --patch-file "$f"; done',
            "```",
            "",
        ]
    if any(n.model == "virtio" and (n.adapter or "").lower() != "virtio" for vm in plan.vms for n in vm.nics):
        out += [
            "NICs whose vSphere adapter has no KubeVirt equivalent (vmxnet3) become `virtio`: the guest "
            "needs virtio-net drivers (Windows: install the virtio-win drivers *before* migrating, or the "
            "VM comes up without network) and Linux guests may see a new interface name (e.g. `ens192` "
            "becomes `enp1s0`), so check interface configuration that names the NIC.",
            "",
        ]
    rows: list[list[object]] = []
    for vm in plan.vms:
        patch = f"vms/{vm.name}.json" if vm.has_patch else "none (a NIC is unmapped)"
        for nic in vm.nics:
            change = f"{nic.adapter or '?'} -> {nic.model}"
            if nic.model == "virtio" and (nic.adapter or "").lower() != "virtio":
                change += " (guest needs virtio drivers)"
            rows.append([vm.source_name, patch, nic.label, nic.mac or "", change, nic.reason])
    out += _table(["VM", "patch", "NIC", "MAC", "model", "network"], rows[:VM_ROWS_MAX])
    if len(rows) > VM_ROWS_MAX:
        out += ["", f"... and {len(rows) - VM_ROWS_MAX} more VM NICs (see `vms/*.json`)."]
    return out + [""]


def _label(text: str) -> str:
    return '"' + text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") + '"'


def diagram(plan: Plan) -> list[str]:
    """A Mermaid flowchart of both sides (switches and port groups -> bridges and NADs); collapsed to
    switches and their VLAN ranges when there are more than :data:`DIAGRAM_MAX_PORT_GROUPS` port groups."""
    switches = {s.key: s for s in plan.switches}
    shown = [n for n in plan.networks if n.target != "skipped"]
    collapsed = len(shown) > DIAGRAM_MAX_PORT_GROUPS
    lines = ["```mermaid", "flowchart LR", "  subgraph vsphere[vSphere]"]
    sw_ids = {key: f"sw{i}" for i, key in enumerate(sorted({n.switch for n in shown}))}
    br_ids = {b.name: f"br{i}" for i, b in enumerate(plan.bridges)}
    edges: list[str] = []
    for key, sid in sw_ids.items():
        sw = switches[key]
        lines.append(f"    {sid}[{_label(f'{sw.name} ({sw.kind}, MTU {sw.mtu})')}]")
    if collapsed:
        per_switch: dict[str, list[Any]] = defaultdict(list)
        for n in shown:
            per_switch[n.switch].append(n)
        for key, sid in sw_ids.items():
            nets = per_switch[key]
            vlans = ranges_text(merge_ranges([r for n in nets for r in n.vlan_ids])) or "none"
            lines.append(f"    {sid}g[{_label(f'{len(nets)} port groups, VLANs {vlans}')}]")
            edges.append(f"  {sid} --- {sid}g")
            targets = Counter(n.bridge for n in nets if n.bridge)
            for bname, count in sorted(targets.items()):
                edges.append(f"  {sid}g -. {count} NADs .-> {br_ids[bname]}")
    else:
        nad_ids: dict[str, str] = {}
        for i, n in enumerate(shown):
            pid = f"pg{i}"
            lines.append(f"    {pid}[{_label(f'{n.name} / VLAN {n.vlan_text}')}]")
            edges.append(f"  {sw_ids[n.switch]} --- {pid}")
            if n.nad:
                nad_ids[n.key] = f"nad{i}"
                edges.append(f"  {pid} -.-> nad{i}")
    lines.append("  end")
    lines.append("  subgraph openshift[OpenShift nodes]")
    for br in plan.bridges:
        nics = sorted({nic for lay in br.layouts for nic in lay.nics})
        text = f"{br.name} on {', '.join(nics) or 'no NIC'}"
        lines.append(f"    {br_ids[br.name]}[{_label(text)}]")
        for skey in br.switches:
            if skey in sw_ids:
                edges.append(f"  {sw_ids[skey]} == uplinks ==> {br_ids[br.name]}")
    if not collapsed:
        for n in shown:
            if n.nad and n.bridge:
                nid = f"nad{shown.index(n)}"
                lines.append(f"    {nid}([{_label(f'NAD {n.nad}')}])")
                edges.append(f"  {br_ids[n.bridge]} --- {nid}")
    lines.append("  end")
    return lines + edges + ["```"]
