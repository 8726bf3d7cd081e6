"""The lab's result: one row per (NAD, check), plus how the lab ran. Pure data, JSON in and out.

Checks, in the order they run for each NAD (a check that cannot run after a failure is ``skip``):

* ``schedulable`` — the NAD's ``resourceName`` names a bridge the node's desiredState creates (what
  bridge-marker advertises, so the VM's pod can be scheduled);
* ``attach`` — the bridge CNI plugin's ``ADD`` succeeded with the NAD's config;
* ``dhcp`` — the OpenShift VM got an address from the DHCP server on its VLAN;
* ``ping`` — its vSphere twin (a VM on the same VLAN behind the upstream switch) pings it;
* ``isolation`` — a vSphere VM on another VLAN cannot reach it;
* ``counter`` — the TC counter on the node's trunk NIC saw the ping's ICMP on the NAD's VLAN.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "skip", "not-testable"]
CHECKS = ("schedulable", "attach", "dhcp", "ping", "isolation", "counter")


@dataclass(frozen=True)
class Check:
    """One check of one NAD: its status and a one-line detail a user can act on."""

    nad: str
    vlan: int | None
    check: str
    status: Status
    detail: str


@dataclass
class LabReport:
    """Everything a lab run found.

    Attributes:
        plan_dir: the plan directory.
        runs_in: how the lab ran (``this kernel 6.x`` or ``qemu VM, kernel 6.1.0-57-amd64 (TCG)``).
        checks: rows in run order.
        notes: facts a user must know (plugin substitutions, what was not testable).
        counters: per node NIC and direction, VLAN -> packets seen by the TC counter during the run.
        seconds: wall time of lab up, checks and teardown (s).
        phases: seconds spent in each phase (``vsphere``, ``node``, ``dhcp-servers``, ``counter``,
            ``attach``, ``dhcp``, ``ping``, ``isolation``, ``teardown``), in order.
        kept: the network namespaces left in place by ``--keep`` (empty otherwise).
    """

    plan_dir: str
    runs_in: str = ""
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counters: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    seconds: float = 0.0
    kept: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "fail"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def add(self, nad: str, vlan: int | None, check: str, status: Status, detail: str) -> bool:
        """Record a check; return whether it passed."""
        self.checks.append(Check(nad, vlan, check, status, detail))
        return status == "pass"

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document (``ok`` true when no check failed)."""
        out = asdict(self)
        out["ok"] = self.ok
        return out

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> LabReport:
        """Inverse of :meth:`to_json` (the ``--vm`` path reads the guest's report with it)."""
        fields = {k: v for k, v in doc.items() if k != "ok"}
        fields["checks"] = [Check(**c) for c in doc.get("checks", [])]
        return cls(**fields)
