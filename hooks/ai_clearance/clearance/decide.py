"""The one decision function: every entry point turns findings into a verdict through it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ai_clearance.clearance.policy import Policy
from ai_clearance.model import FAILING_SEVERITIES, Decision, Finding
from ai_clearance.values import replace

# An approval source answers "who cleared this finding?" or None. The approvals module
# provides the real ones; the decision function only needs this shape.
Clearer = Callable[[Finding], "str | None"]


def decide(
    findings: Iterable[Finding], policy: Policy, clearers: Sequence[Clearer] = (),
) -> list[Decision]:
    """Apply policy (excludes, severities, allowed assistants) and approvals to findings."""
    decisions = []
    for finding in findings:
        # The raw path: a look-alike folder (zero-width, fullwidth, Cyrillic) is not the one
        # the policy excluded, though detection sees through the disguise.
        if finding.path is not None and policy.exclude_paths is not None and \
                policy.exclude_paths.match(finding.path):
            continue
        severity = policy.severity.get(finding.rule, finding.severity)
        if severity == "off":
            continue
        judged = finding if severity == finding.severity else replace(finding, severity=severity)
        allowed = [a for a in judged.assistants if not policy.is_restricted(a)]
        if allowed:
            # A trace shared by several assistants is fine if any one of them is allowed.
            decisions.append(Decision(judged, "allowed", f"policy allows {allowed[0]}"))
            continue
        cleared_by = next((who for who in (c(judged) for c in clearers) if who), None)
        if cleared_by is not None:
            decisions.append(Decision(judged, "cleared", cleared_by))
        elif severity in FAILING_SEVERITIES:
            decisions.append(Decision(judged, "fail"))
        else:
            decisions.append(Decision(judged, "warn"))
    return decisions


def verdict(decisions: Iterable[Decision]) -> str:
    """`fail` when any finding is unapproved at a failing severity, else `pass`."""
    return "fail" if any(d.status == "fail" for d in decisions) else "pass"
