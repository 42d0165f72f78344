"""The one decision function: every entry point turns findings into a verdict through it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ai_clearance.clearance.policy import Policy
from ai_clearance.detect.detect import GENERIC
from ai_clearance.detect.disclosure import (
    Declarations,
    Disclosure,
    disclosing,
    generic_families,
)
from ai_clearance.model import (
    CONFIDENCES,
    FAILING_SEVERITIES,
    ClearedWith,
    Decision,
    Finding,
)

TYPE_CHECKING = False  # the hooks skip importing the approvals side when nothing is signed
if TYPE_CHECKING:
    from ai_clearance.approvals.trust import Trust
    from ai_clearance.clearance.clearing import Cleared, Facts


@dataclass(frozen=True)
class Decided:
    """The decisions on a check's findings, and what the decision has to say beyond them."""

    decisions: list[Decision]
    notes: list[str]

    @property
    def verdict(self) -> str:
        """`fail` when any finding is unapproved at a failing severity, else `pass`."""
        return verdict(self.decisions)


# Rules a disclosure never answers, whose findings only a token clears outside `forbid`: an
# agent in Signed-off-by (only a human can certify the origin of a change; kernel rule).
UNDISCLOSABLE = frozenset({"AIC450"})


def decide(findings: Iterable[Finding], policy: Policy, trust: Trust | None = None,
           facts: Facts | None = None, now: datetime | None = None,
           declarations: Declarations | None = None) -> Decided:
    """Apply policy (excludes, severities, allowed assistants), then the verified approvals
    and tokens of `trust` (judged at `now`, or in an audit at each protected commit's date),
    then the policy's `mode` with what the commits disclose (`declarations`), to findings.
    Pure: what git knows about the commits comes in `facts` and `declarations`."""
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
            decisions.append(Decision(judged, "allowed", f"policy allows {allowed[0]}",
                                      cleared_with=("policy",)))
            continue
        cleared = None
        if clearing is not None:
            cleared, why_not = clearing.cleared_by(judged)
            notes.update(dict.fromkeys(why_not))
        if policy.mode != "forbid" and _disclosable(judged):
            decisions.append(_by_mode(judged, policy, cleared, declarations))
        else:
            decisions.append(_by_severity(judged, cleared))
    return Decided(decisions, list(notes))


def _by_severity(finding: Finding, cleared: Cleared | None, why: str | None = None,
                 also: str | None = None, disclosed: bool = False) -> Decision:
    """Cleared by the record `cleared` (`also`: what the report says after it; `disclosed`:
    the commit's disclosure cleared it too), else a failure or a warning by the finding's
    severity."""
    if cleared is not None:
        kinds: tuple[ClearedWith, ...] = \
            (cleared.record, "disclosure") if disclosed else (cleared.record,)
        text = cleared.text if also is None else f"{cleared.text}; {also}"
        return Decision(finding, "cleared", text, cleared_with=kinds)
    status = "fail" if finding.severity in FAILING_SEVERITIES else "warn"
    return Decision(finding, status, why=why)


def _disclosable(finding: Finding) -> bool:
    """Whether the policy's mode judges a finding by disclosure: an agent's use, not a leak
    (a transcript or secret stays a leak however declared) and not a pull request's text."""
    return finding.severity != "leak" and finding.pull_request is None


def _by_mode(finding: Finding, policy: Policy, cleared: Cleared | None,
             declarations: Declarations | None) -> Decision:
    """The decision `approve` or `disclose` makes on a finding that the approvals and
    tokens cleared (`cleared`) or not."""
    mode = policy.mode
    token = cleared if cleared is not None and cleared.record == "token" else None
    if finding.rule in UNDISCLOSABLE:
        # An agent may be approved and disclosed, never sign off: a token alone clears it.
        return _by_severity(finding, token, "an agent never signs off a commit (kernel "
                            "rule); disclose it with a trailer such as "
                            f"{_trailer_for(finding)} instead")
    named = generic_families(policy.catalog, finding.evidence) \
        if GENERIC in finding.assistants else frozenset()
    known, declared = _declared(finding, declarations, named)
    if declared is not None:
        said = f"disclosed by {declared.describe()}"
        if mode == "disclose":
            return Decision(finding, "cleared", said, cleared_with=("disclosure",))
        return _by_severity(finding, cleared, f"{said}, but not approved (mode approve)",
                            said, disclosed=True)
    if known:
        # The commit is at hand and does not disclose the agent: a token alone clears it.
        state = "approved, but" if cleared is not None else "the commit"
        return _by_severity(finding, token, f"{state} does not disclose "
                            f"{_who(finding, named)} (mode {mode}): add a trailer such as "
                            f"{_trailer_for(finding, named)} to the commit message")
    if _pending(finding, declarations):
        return _before_the_message(finding, mode, cleared)
    # No commit to disclose in (a tree, a branch name): approvals decide, as in forbid.
    return _by_severity(finding, cleared)


def _before_the_message(finding: Finding, mode: str, cleared: Cleared | None) -> Decision:
    """The pre-commit stage, where the message is still to be written: an approved trace
    passes (approve), any trace warns (disclose), each saying which trailer the message
    needs (the commit-msg hook and CI judge it)."""
    why = f"{_trailer_for(finding)} must be in the commit message (mode {mode})"
    if cleared is None and mode == "disclose":
        return Decision(finding, "warn", why=why)
    return _by_severity(finding, cleared, why, why)


def _declared(finding: Finding, declarations: Declarations | None,
              named: frozenset[str]) -> tuple[bool, Disclosure | None]:
    """Whether the finding's commit (or the message being committed) is known, and the
    disclosure in it that declares the finding's assistant, if any: one that names it (a
    trace of a model family no catalog entry covers, `Co-authored-by: Grok`, needs one
    that names the family: `named`)."""
    if declarations is None:
        return False, None
    if finding.commit is not None:
        found: Sequence[Disclosure] = declarations.by_commit.get(finding.commit, ())
    elif declarations.message is not None:
        found = declarations.message
    else:
        return False, None
    return True, disclosing(found, finding.assistants, finding.evidence, named)


def _pending(finding: Finding, declarations: Declarations | None) -> bool:
    """Whether the finding's commit message is still to be written (the pre-commit stage)."""
    return finding.commit is None and declarations is not None and declarations.pending


def _who(finding: Finding, named: frozenset[str] = frozenset()) -> str:
    """The agent a trace names: its assistants, or the model families a generic one names."""
    return ", ".join(sorted(named) or finding.assistants) or "the agent"


def _trailer_for(finding: Finding, named: frozenset[str] = frozenset()) -> str:
    """The trailer that would disclose the finding's assistant (or the model family a
    generic trace names: `Assisted-by: grok`), kernel style."""
    agent = min(named) if named else finding.assistants[0] if finding.assistants else "AGENT"
    return f"`Assisted-by: {agent}`"


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
