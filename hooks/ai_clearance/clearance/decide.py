"""The one decision function: every entry point turns findings into a verdict through it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from ai_clearance.clearance.policy import Policy
from ai_clearance.model import CONFIDENCES, FAILING_SEVERITIES, Decision, Finding

TYPE_CHECKING = False  # the hooks skip importing the approvals side when nothing is signed
if TYPE_CHECKING:
    from ai_clearance.approvals.trust import Trust
    from ai_clearance.clearance.clearing import Facts


@dataclass(frozen=True)
class Decided:
    """The decisions on a check's findings, and what the decision has to say beyond them."""

    decisions: list[Decision]
    notes: list[str]

    @property
    def verdict(self) -> str:
        """`fail` when any finding is unapproved at a failing severity, else `pass`."""
        return verdict(self.decisions)


def decide(findings: Iterable[Finding], policy: Policy, trust: Trust | None = None,
           facts: Facts | None = None, now: datetime | None = None) -> Decided:
    """Apply policy (excludes, severities, allowed assistants), then the verified approvals
    and tokens of `trust` (judged at `now`, or in an audit at each protected commit's date),
    to findings. Pure: what git knows about the commits comes in `facts`."""
    clearing = None
    if trust is not None and now is not None:
        from ai_clearance.clearance.clearing import Clearing, Facts

        clearing = Clearing(trust, facts or Facts(), now)
    decisions: list[Decision] = []
    notes: dict[str, None] = {}  # ordered and without repeats
    for finding in findings:
        # The raw path: a look-alike folder (zero-width, fullwidth, Cyrillic) is not the one
        # the policy excluded, though detection sees through the disguise.
        if finding.path is not None and policy.exclude_paths is not None and \
                policy.exclude_paths.match(finding.path):
            continue
        severity = policy.severity.get(finding.rule, finding.severity)
        if severity == "off":
            continue
        sure, severity = _confidence(finding, severity, policy, notes)
        judged = sure if severity == sure.severity else replace(sure, severity=severity)
        allowed = [a for a in judged.assistants if not policy.is_restricted(a)]
        if allowed:
            # A trace shared by several assistants is fine if any one of them is allowed.
            decisions.append(Decision(judged, "allowed", f"policy allows {allowed[0]}"))
            continue
        cleared_by = None
        if clearing is not None:
            cleared_by, why_not = clearing.cleared_by(judged)
            notes.update(dict.fromkeys(why_not))
        if cleared_by is not None:
            decisions.append(Decision(judged, "cleared", cleared_by))
        elif severity in FAILING_SEVERITIES:
            decisions.append(Decision(judged, "fail"))
        else:
            decisions.append(Decision(judged, "warn"))
    return Decided(decisions, list(notes))


def _confidence(finding: Finding, severity: str, policy: Policy,
                notes: dict[str, None]) -> tuple[Finding, str]:
    """The finding with its confidence filled in (its own, else its rule's, else high) and
    its severity after the policy's `block_confidence`: below it, a failing finding warns."""
    confidence = finding.confidence
    if confidence is None:
        rule = policy.catalog.by_id.get(finding.rule)
        confidence = rule.confidence if rule is not None else "high"
        finding = replace(finding, confidence=confidence)
    if severity in FAILING_SEVERITIES and confidence in CONFIDENCES and \
            CONFIDENCES.index(confidence) < CONFIDENCES.index(policy.block_confidence):
        notes[f"findings of {confidence} confidence warn: the policy blocks from "
              f"{policy.block_confidence} confidence up (block_confidence)"] = None
        return finding, "warn"
    return finding, severity


def verdict(decisions: Iterable[Decision]) -> str:
    """`fail` when any finding is unapproved at a failing severity, else `pass`."""
    return "fail" if any(d.status == "fail" for d in decisions) else "pass"
