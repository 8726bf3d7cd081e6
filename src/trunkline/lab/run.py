"""The lab: build the seed's picture in network namespaces from a plan, run the checks, tear down.

Picture (names are this run's prefix plus a suffix)::

    vSphere side (netns -vsphere)            OpenShift node (netns -node)        OpenShift VMs
    bridge "uplink" (VLAN filtering)         NNCP desiredState applied:
      tn0 trunk (the chosen VLANs) <--veth--> ens34 (port of vlan-trunk)
      vm40 access 40 <-> netns -vm40           bridge vlan-trunk <--CNI ADD--> netns -ocp-vm-vlan-40
      dh40 access 40 <-> netns -dhcp40 (dnsmasq)

One OpenShift VM per chosen NAD (bridge CNI with an access ``vlan``); one vSphere VM and one DHCP
server per VLAN of those NADs. The TC counter (:mod:`trunkline.xdp.counter`) sits on the node's trunk
NIC(s). Teardown (CNI ``DEL``, processes killed, namespaces deleted) runs in ``finally`` and on
SIGTERM/SIGHUP (turned into :class:`KeyboardInterrupt`), unless ``keep``.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trunkline.errors import BadInputError
from trunkline.lab import cni, dhcp, kernel
from trunkline.lab.desiredstate import NodeState, parse_desired_state
from trunkline.lab.netns import (
    Resources,
    add_address,
    lab_prefix,
    link_mac,
    run_in,
    set_port,
    veth,
    vlan_bridge,
)
from trunkline.lab.plandir import BRIDGE_CNI_TYPES, Nad, PlanDir, load_plan_dir
from trunkline.lab.report import LabReport, Status
from trunkline.lab.signals import signals_raise
from trunkline.lab.vms import LabVms, choose, evidence
from trunkline.planindex import PlanIndex, load_index

UPSTREAM_BRIDGE = "uplink"
PINGS = 3


@dataclass(frozen=True)
class Selection:
    """The NADs the lab attaches VMs for, their VLANs in order, and the NADs it cannot test (with why)."""

    nads: list[Nad]
    vlans: list[int]
    untestable: list[tuple[Nad, str]]


def select(plan: PlanDir, vlans: list[int] | None) -> Selection:
    """Choose the NADs to test: bridge-CNI NADs with an access VLAN, restricted to *vlans* when given.

    Raises:
        BadInputError: a ``--vlan`` no NAD of the plan carries.
    """
    chosen, untestable = [], []
    for nad in plan.nads:
        if nad.cni_type not in BRIDGE_CNI_TYPES:
            untestable.append((nad, f"type {nad.cni_type!r}: the lab runs only the bridge CNI"))
        elif "vlanTrunk" in nad.config:
            untestable.append(
                (
                    nad,
                    "vlanTrunk: Debian's bridge CNI plugin 1.1.1 has no vlanTrunk (upstream 1.3.0); "
                    "checked for scheduling only",
                )
            )
        elif nad.vlan is None:
            untestable.append((nad, "untagged NAD: the lab tests VLAN-tagged NADs"))
        elif vlans is None or nad.vlan in vlans:
            chosen.append(nad)
    available = sorted({n.vlan for n in plan.nads if n.vlan is not None})
    for vid in vlans or []:
        if vid not in available:
            raise BadInputError(
                f"--vlan {vid}: no bridge NAD of {plan.path} has VLAN {vid}; "
                f"its NADs have {', '.join(map(str, available)) or 'no VLAN'}"
            )
    order = list(dict.fromkeys(n.vlan for n in chosen if n.vlan is not None))
    return Selection(chosen, order, untestable)


def schedulable(nad: Nad, node: NodeState) -> tuple[bool, str]:
    """Whether the NAD's ``resourceName`` names a bridge the node's desiredState creates (bridge-marker)."""
    if nad.resource_name is None:
        return True, "no resourceName annotation: the pod is scheduled without a bridge check"
    bridge = nad.resource_bridge
    if bridge is None:
        return False, f"resourceName {nad.resource_name!r} is not bridge.network.kubevirt.io/<bridge>"
    if node.bridge(bridge) is None:
        made = ", ".join(b.name for b in node.bridges) or "none"
        return False, (
            f"resourceName names bridge {bridge!r}, which no NNCP creates (bridges: {made}); "
            "no node advertises it, so the VM's pod stays Pending"
        )
    return True, f"bridge {bridge} is created by the NNCP"


def run_lab(
    plan_dir: Path,
    vlans: list[int] | None = None,
    keep: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LabReport:
    """Build the lab for *plan_dir*, run every check, tear everything down (unless *keep*); return the report.

    Raises:
        BadInputError: the plan cannot be read, or its desiredState is outside the supported subset.
        EnvironmentProblem: not root, no bridge VLAN filtering (use ``--vm``), a tool missing.
    """
    start = time.monotonic()
    plan = load_plan_dir(plan_dir)
    index = load_index(plan_dir)
    node = parse_desired_state(
        [(n.name, n.desired_state) for n in plan.nncps], lambda i, fld: plan.nncps[i].where(fld)
    )
    sel = select(plan, vlans)
    addressing = dhcp.addressing(sel.vlans)
    report = LabReport(str(plan_dir))
    report.runs_in = kernel.require_direct()
    for nad, why in sel.untestable:
        ok, detail = schedulable(nad, node)
        report.add(nad.name, nad.vlan, "schedulable", "pass" if ok else "fail", detail)
        report.add(nad.name, nad.vlan, "attach", "not-testable", why)
    res = Resources()
    say = progress or (lambda _msg: None)
    with signals_raise(), tempfile.TemporaryDirectory(prefix="trunkline-lab-") as tmp:
        lab = _Lab(lab_prefix(), node, sel, addressing, res, report, Path(tmp), say, index)
        try:
            lab.build()
            lab.check()
        finally:
            lab.mark("teardown")
            if keep:
                report.kept = list(res.namespaces)
                report.notes.append("--keep: left in place; remove with: ip netns del NAME (for each kept)")
            else:
                say("teardown")
                for problem in res.teardown():
                    report.notes.append(f"teardown: {problem}")
            lab.mark(None)
    report.seconds = round(time.monotonic() - start, 2)
    return report


class _Lab:
    """One lab run's state (namespaces, VMs' addresses); :func:`run_lab` drives it."""

    def __init__(
        self,
        prefix: str,
        node: NodeState,
        sel: Selection,
        addressing: dict[int, dhcp.VlanAddressing],
        res: Resources,
        report: LabReport,
        workdir: Path,
        say: Callable[[str], None],
        index: PlanIndex | None = None,
    ) -> None:
        self.p, self.node, self.sel, self.addr = prefix, node, sel, addressing
        self.res, self.report, self.workdir, self.say = res, report, workdir, say
        self.vsphere, self.node_ns = f"{prefix}-vsphere", f"{prefix}-node"
        self.vm_ns: dict[str, str] = {}
        self.leases: dict[str, str] = {}
        self.counters: list[Any] = []
        self.attachments: list[tuple[dict[str, Any], str, str]] = []  # (config, VM netns, container id)
        self._phase: tuple[str, float] | None = None
        # the plan VM NICs the lab's VMs stand for (their MACs), per NAD; the vSphere VM's MAC per VLAN
        taken: set[str] = set()
        self.vms: dict[str, LabVms] = {
            n.name: choose(index, f"{n.namespace}/{n.name}", int(n.vlan or 0), taken) for n in sel.nads
        }
        self.vsphere_vm: dict[int, LabVms] = {}
        for nad in sel.nads:
            if self.vms[nad.name].vsphere is not None:
                self.vsphere_vm.setdefault(int(nad.vlan or 0), self.vms[nad.name])
        self.macs: dict[str, str] = {}  # netns -> the MAC its eth0 sends with
        self.learning = False

    def mark(self, phase: str | None) -> None:
        """Close the running phase (its seconds go to the report) and start *phase* (``None``: none)."""
        now = time.monotonic()
        if self._phase is not None:
            name, began = self._phase
            self.report.phases[name] = round(self.report.phases.get(name, 0.0) + now - began, 2)
        self._phase = (phase, now) if phase else None

    # -- building --
    def build(self) -> None:
        self.mark("vsphere")
        self.say(f"vSphere side: upstream switch with VLANs {', '.join(map(str, self.sel.vlans))}")
        self.res.netns(self.vsphere)
        vlan_bridge(self.res, self.vsphere, UPSTREAM_BRIDGE)
        trunk = [(v, v) for v in self.sel.vlans]
        self.res.netns(self.node_ns)
        for i, nic in enumerate(self.node.nics):
            mtu = self.node.mtu_of(nic) or next(
                (b.mtu for b in self.node.bridges if any(p.name == nic for p in b.ports)), None
            )
            veth(self.res, self.vsphere, f"tn{i}", self.node_ns, nic, mtu)
            set_port(self.res, self.vsphere, f"tn{i}", UPSTREAM_BRIDGE, tagged=trunk)
        self.mark("node")
        self.say("OpenShift node: applying the NNCP desiredState")
        for br in self.node.bridges:
            vlan_bridge(
                self.res, self.node_ns, br.name, stp=br.stp, vlan_filtering=br.vlan_filtering, mtu=br.mtu
            )
            for port in br.ports:
                if port.vlan is None:
                    set_port(self.res, self.node_ns, port.name, br.name, drop_default=False)
                else:
                    set_port(
                        self.res,
                        self.node_ns,
                        port.name,
                        br.name,
                        tagged=port.vlan.tagged,
                        native=port.vlan.native,
                    )
        self.mark("dhcp-servers")
        for vid in self.sel.vlans:
            a = self.addr[vid]
            dh, vm = self.res.netns(f"{self.p}-dhcp{vid}"), self.res.netns(f"{self.p}-vm{vid}")
            veth(self.res, self.vsphere, f"dh{vid}", dh, "eth0")
            set_port(self.res, self.vsphere, f"dh{vid}", UPSTREAM_BRIDGE, native=vid)
            add_address(self.res, dh, "eth0", a.server, dhcp.PREFIX)
            veth(self.res, self.vsphere, f"vm{vid}", vm, "eth0")
            twin = self.vsphere_vm.get(vid)
            plan_mac = twin.vsphere.mac if twin and twin.vsphere else None
            self.macs[vm] = link_mac(self.res, vm, "eth0", plan_mac)
            set_port(self.res, self.vsphere, f"vm{vid}", UPSTREAM_BRIDGE, native=vid)
            add_address(self.res, vm, "eth0", a.twin, dhcp.PREFIX)
            self.res.process(f"dnsmasq VLAN {vid}", dhcp.start_server(dh, "eth0", a, self.workdir))
        self.mark("counter")
        self._attach_counters()

    def _attach_counters(self) -> None:
        try:
            from trunkline.xdp.counter import Counter
        except ImportError as exc:
            self.report.notes.append(f"counter: trunkline.xdp.counter is not available ({exc})")
            return
        from trunkline.lab.netns import entered

        self.learning = hasattr(Counter, "read_macs")
        extra: dict[str, Any] = {"learn_macs": True} if self.learning else {}
        for nic in self.node.nics:
            try:
                with entered(self.node_ns):  # the counter's ifindex and netlink socket: the node's
                    counter = Counter(nic, hook="tc", **extra).open()
            except Exception as exc:
                self.report.notes.append(f"counter: cannot attach the TC counter to {nic}: {exc}")
                continue
            self.counters.append((nic, counter))
            self.res.push(f"counter {nic}", counter.close)

    def _vlan_counts(self) -> dict[tuple[str, str], tuple[dict[Any, int], int]]:
        out = {}
        for nic, counter in self.counters:
            for snap in counter.read():
                vl = {k: c.packets for k, c in snap.vlans.items()}
                icmp = sum(
                    c.packets for (fam, proto), c in snap.protocols.items() if (fam, proto) == ("ipv4", 1)
                )
                out[(nic, snap.direction)] = (vl, icmp)
        return out

    # -- checks --
    def check(self) -> None:
        rep = self.report
        attached = []
        self.mark("attach")
        scheduled = []
        for nad in self.sel.nads:
            ok, detail = schedulable(nad, self.node)
            if rep.add(nad.name, nad.vlan, "schedulable", "pass" if ok else "fail", detail):
                scheduled.append((nad, self.res.netns(f"{self.p}-ocp-{nad.name}")))
            else:
                self._skip(nad, ("attach", "dhcp", "ping", "isolation", "counter", "vm-evidence"),
                           "not schedulable")
        # One undo step for every DEL, run in parallel, before the VMs' namespaces go (pushed after them).
        self.res.push("CNI DEL", self._del_all)
        calls = []
        for nad, vm_ns in scheduled:
            config, note = cni.plugin_config(nad.config)
            if note and note not in rep.notes:
                rep.notes.append(note)
            ocp = self.vms[nad.name].openshift
            calls.append((nad, vm_ns, config, f"{self.p}-{nad.name}", ocp.mac if ocp else None))
        self.say("OpenShift VMs: CNI ADD for " + ", ".join(n.name for n, _ in scheduled))
        with ThreadPoolExecutor(
            max_workers=max(1, len(calls))
        ) as pool:  # as a kubelet starts pods in parallel
            results = list(
                pool.map(lambda c: cni.call("ADD", c[2], self.node_ns, c[1], c[3], mac=c[4]), calls)
            )
        for (nad, vm_ns, config, cid, _mac), result in zip(calls, results, strict=True):
            if not rep.add(
                nad.name,
                nad.vlan,
                "attach",
                "pass" if result.ok else "fail",
                f"bridge CNI ADD on {nad.bridge}: {result.message}",
            ):
                self._skip(nad, ("dhcp", "ping", "isolation", "counter", "vm-evidence"), "not attached")
                continue
            self.macs[vm_ns] = link_mac(self.res, vm_ns, "eth0")
            self.attachments.append((config, vm_ns, cid))
            self.vm_ns[nad.name] = vm_ns
            attached.append(nad)
        self.mark("dhcp")
        self.say("OpenShift VMs: DHCP on " + ", ".join(f"VLAN {n.vlan}" for n in attached))
        with ThreadPoolExecutor(max_workers=max(1, len(attached))) as pool:  # the clients wait in parallel
            leases = list(pool.map(lambda n: dhcp.lease(self.vm_ns[n.name], "eth0", self.workdir), attached))
        for nad, (address, detail) in zip(attached, leases, strict=True):
            rep.add(
                nad.name,
                nad.vlan,
                "dhcp",
                "pass" if address else "fail",
                detail if address else f"{detail}; the ping goes on from a static address",
            )
            if not address:  # go on with a static address: shows whether the VLAN carries frames at all
                address = self.addr[int(nad.vlan or 0)].pool[1]
                add_address(self.res, self.vm_ns[nad.name], "eth0", address, dhcp.PREFIX)
            self.leases[nad.name] = address
        self.mark("ping")
        self._pings(attached)
        self.mark("isolation")
        with ThreadPoolExecutor(max_workers=max(1, len(attached))) as pool:  # failing pings wait in parallel
            probes = list(pool.map(self._isolation_probe, attached))
        for nad, (status, detail) in zip(attached, probes, strict=True):
            rep.add(nad.name, nad.vlan, "isolation", status, detail)

    def _del_all(self) -> None:
        """CNI ``DEL`` for every attachment (in parallel, as Multus deletes pods independently)."""

        def delete(attachment: tuple[dict[str, Any], str, str]) -> str | None:
            config, vm_ns, cid = attachment
            result = cni.call("DEL", config, self.node_ns, vm_ns, cid)
            return None if result.ok else f"{cid}: {result.message}"

        with ThreadPoolExecutor(max_workers=max(1, len(self.attachments))) as pool:
            failed = [f for f in pool.map(delete, self.attachments) if f]
        self.attachments.clear()
        if failed:
            raise RuntimeError(f"CNI DEL failed: {'; '.join(failed)}")

    def _skip(self, nad: Nad, checks: tuple[str, ...], why: str) -> None:
        for name in checks:
            self.report.add(nad.name, nad.vlan, name, "skip", why)

    def _pings(self, nads: list[Nad]) -> None:
        """Each NAD's vSphere twin pings its VM (in parallel); the trunk counter is read before and after.

        VLAN slots separate the NADs exactly; ICMP is one count for all pings together.
        """
        before = self._vlan_counts()
        self.say("vSphere VMs ping their OpenShift twins on " + ", ".join(f"VLAN {n.vlan}" for n in nads))
        with ThreadPoolExecutor(max_workers=max(1, len(nads))) as pool:
            replies = list(pool.map(lambda n: _ping(f"{self.p}-vm{n.vlan}", self.leases[n.name]), nads))
        after = self._vlan_counts()
        icmp = sum(ic - before.get(key, ({}, 0))[1] for key, (_, ic) in after.items())
        total = sum(replies)
        for nad, got in zip(nads, replies, strict=True):
            vid = int(nad.vlan or 0)
            self.report.add(
                nad.name,
                nad.vlan,
                "ping",
                "pass" if got else "fail",
                f"vSphere VM {self.addr[vid].twin} -> {self.leases[nad.name]}: {got}/{PINGS} replies",
            )
            if not self.counters:
                self.report.add(
                    nad.name, nad.vlan, "counter", "not-testable", "no TC counter attached (see notes)"
                )
                continue
            if not got:
                self.report.add(nad.name, nad.vlan, "counter", "skip", "no ping went through")
                continue
            delta = {d: 0 for d in ("rx", "tx")}
            for key, (vl, _) in after.items():
                delta[key[1]] += vl.get(vid, 0) - before.get(key, ({}, 0))[0].get(vid, 0)
            ok = delta["rx"] >= got and delta["tx"] >= got and icmp >= 2 * total
            self.report.add(
                nad.name,
                nad.vlan,
                "counter",
                "pass" if ok else "fail",
                f"TC on the trunk NIC during the pings: VLAN {vid} rx +{delta['rx']} / "
                f"tx +{delta['tx']} frames (expected >= {got} each way), ICMP of all pings "
                f"+{icmp} (expected >= {2 * total})",
            )
        self._evidence(nads, replies)
        for key, (vl, _) in after.items():
            self.report.counters.setdefault(key[0], {})[key[1]] = {
                ("untagged" if k is None else str(k)): v
                for k, v in sorted(vl.items(), key=lambda kv: kv[0] or 0)
            }

    def _evidence(self, nads: list[Nad], replies: list[int]) -> None:
        """The ``vm-evidence`` check per NAD: the MACs the trunk counter learned during the pings
        (:func:`trunkline.lab.vms.evidence`)."""
        if not self.counters or not self.learning:
            why = "the counter does not learn MACs" if self.counters else "no TC counter attached (see notes)"
            for nad in nads:
                self.report.add(nad.name, nad.vlan, "vm-evidence", "not-testable", why)
            return
        pairs = [(nic, e) for nic, counter in self.counters for e in counter.read_macs().entries]
        for nad, got in zip(nads, replies, strict=True):
            if not got:
                self.report.add(nad.name, nad.vlan, "vm-evidence", "skip", "no ping went through")
                continue
            vid = int(nad.vlan or 0)
            vms = LabVms(self.vms[nad.name].openshift, self.vsphere_vm.get(vid, LabVms(None, None)).vsphere)
            found = evidence(vms, vid, self.macs[f"{self.p}-vm{vid}"], self.macs[self.vm_ns[nad.name]], pairs)
            self.report.add(nad.name, nad.vlan, "vm-evidence", "pass" if found.ok else "fail", found.detail)

    def _isolation_probe(self, nad: Nad) -> tuple[Status, str]:
        """(status, detail) of pinging *nad*'s VM from the vSphere VM of another VLAN."""
        others = [v for v in self.sel.vlans if v != nad.vlan]
        if not others:
            return "not-testable", "only one VLAN in the lab: isolation needs a second (add one with --vlan)"
        vid, target = others[0], self.leases[nad.name]
        got = _ping(f"{self.p}-vm{vid}", target, count=2, deadline_s=2)
        detail = f"vSphere VM on VLAN {vid} (same subnet) -> {target}: {got} replies"
        return ("fail" if got else "pass"), detail


def _ping(ns: str, target: str, count: int = PINGS, deadline_s: int | None = None) -> int:
    """Echo replies *target* gave to *count* pings (0.2 s apart) from namespace *ns* within *deadline_s*."""
    proc = run_in(
        ns,
        "ping",
        "-n",
        "-q",
        "-c",
        str(count),
        "-i",
        "0.2",
        "-w",
        str(deadline_s or 2 + count),
        target,
        timeout=10 + count,
    )
    found = re.search(r"(\d+) (?:packets )?received", proc.stdout)
    return int(found.group(1)) if found else 0


def run_lab_json(args: dict[str, Any]) -> tuple[int, dict[str, Any] | None, str]:
    """Run the lab from a JSON-able dict ``{plan_dir | plan_files, vlans, keep, interrupt_at}``.

    ``interrupt_at`` (tests): send this process SIGTERM when a progress message contains that text, as
    a user's ``kill`` would, to show that teardown still runs.

    Returns (exit code, report JSON or ``None``, error message); 130 when interrupted.

    Used by the VM guest (:mod:`trunkline.lab.guest`), which reports results as JSON.
    """
    from trunkline.errors import TrunklineError

    interrupt_at = args.get("interrupt_at")

    def progress(msg: str) -> None:
        if interrupt_at and interrupt_at in msg:
            os.kill(os.getpid(), signal.SIGTERM)

    try:
        if "plan_files" in args:  # shipped by the host (see trunkline.lab.vm.plan_files)
            with tempfile.TemporaryDirectory(prefix="trunkline-plan-") as tmp:
                for rel, text in args["plan_files"].items():
                    (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
                    (Path(tmp) / rel).write_text(text)
                report = run_lab(Path(tmp), args.get("vlans"), bool(args.get("keep")), progress)
        else:
            report = run_lab(Path(args["plan_dir"]), args.get("vlans"), bool(args.get("keep")), progress)
    except TrunklineError as exc:
        return exc.exit_code, None, exc.message
    except KeyboardInterrupt as exc:
        return 130, None, f"interrupted ({exc})"
    return (0 if report.ok else 1), report.to_json(), ""
