"""Collecting the plan's findings, and the one order a plan lists them in."""

from __future__ import annotations

from collections.abc import Sequence

from trunkline.openshift.plan.model import Finding, Severity

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class Findings:
    """The findings the decision steps raise, in the order raised (``items``)."""

    def __init__(self) -> None:
        self.items: list[Finding] = []

    def find(self, severity: Severity, code: str, subject: str, message: str, unmapped: bool = False) -> None:
        """Add a :class:`Finding`."""
        self.items.append(Finding(severity, code, subject, message, unmapped))


def sorted_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """*findings* without duplicates, errors first, then warnings, then infos; by code, subject, message."""
    order = _SEVERITY_ORDER
    return tuple(sorted(set(findings), key=lambda f: (order[f.severity], f.code, f.subject, f.message)))


def listing(items: Sequence[str], limit: int = 8) -> str:
    """``a, b, c`` (at most *limit* items, then ``(+N more)``), sorted."""
    ordered = sorted(items)
    shown = ", ".join(ordered[:limit])
    return shown if len(ordered) <= limit else f"{shown} (+{len(ordered) - limit} more)"
