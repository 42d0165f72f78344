"""The decision as a pure function: findings, policy, verified trust, git's facts and the time
in; decisions and notes out. (Signatures and git are exercised end to end in approvals/.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from ai_clearance.approvals.records import Approval, Cover, Token
from ai_clearance.approvals.trust import RecordState, Trust
from ai_clearance.catalog.rules import load_catalog
from ai_clearance.clearance.clearing import Facts
from ai_clearance.clearance.decide import Decided, decide
from ai_clearance.clearance.policy import default_policy
from ai_clearance.detect.disclosure import Declarations, parse_disclosures
from ai_clearance.model import Finding, Identity

NOW = datetime(2026, 12, 7, tzinfo=timezone.utc)
JANE = "jane@example.com"
COMMIT = "a" * 40


def _approval(valid_from: datetime = NOW - timedelta(days=30),
              valid_until: datetime | None = NOW + timedelta(days=30),
              paths: tuple[str, ...] = ()) -> Approval:
    return Approval(id="A-1", authors=(JANE,), github_logins=(), assistants=("claude",),
                    paths=paths, valid_from=valid_from, valid_until=valid_until,
                    reason="pilot", issued_by="maintainer@example.com",
                    issued_at=valid_from, payload={})


def _trust(*states: RecordState) -> Trust:
    return Trust(label="trusted", commit=None, signers=1, states=list(states))


def _finding(email: str = JANE, path: str | None = None, committed_at: int | None = None,
             ) -> Finding:
    return Finding(rule="AIC101", assistants=("claude",), kind="trailer", severity="block",
                   evidence="e", path=path, commit=COMMIT,
                   author=Identity(name="Jane", email=email), committed_at=committed_at)


def _statuses(findings: list[Finding], trust: Trust | None, facts: Facts | None = None,
              ) -> list[str]:
    decided = decide(findings, default_policy(load_catalog()), trust, facts, NOW)
    return [d.status for d in decided.decisions]


def test_an_approval_clears_only_its_own_author() -> None:
    trust = _trust(RecordState("A-1", "approval", "active", "f", _approval()))
    assert _statuses([_finding(), _finding("mallory@example.com")], trust) == ["cleared", "fail"]
    assert _statuses([_finding()], None) == ["fail"]


def test_a_gate_judges_now_and_an_audit_judges_protected_commits_at_their_date() -> None:
    expired = _approval(valid_from=NOW - timedelta(days=60), valid_until=NOW - timedelta(days=1))
    trust = _trust(RecordState("A-1", "approval", "expired", "f", expired))
    then = int((NOW - timedelta(days=10)).timestamp())
    finding = _finding(committed_at=then)
    assert _statuses([finding], trust) == ["fail"]  # a gate: expired now
    assert _statuses([finding], trust, Facts(protected=frozenset({COMMIT}))) == ["cleared"]
    # A commit under review could forge its date: not on the protected branch, judged now.
    assert _statuses([finding], trust, Facts(protected=frozenset())) == ["fail"]


def test_a_revoked_approval_clears_commits_made_before_the_revocation_only() -> None:
    state = RecordState("A-1", "approval", "revoked", "f", _approval(),
                        revoked_at=NOW - timedelta(days=5))
    before = _finding(committed_at=int((NOW - timedelta(days=10)).timestamp()))
    after = _finding(committed_at=int((NOW - timedelta(days=1)).timestamp()))
    facts = Facts(protected=frozenset({COMMIT}))
    assert _statuses([before, after], _trust(state), facts) == ["cleared", "fail"]


def test_unproven_signatures_are_returned_as_notes_not_appended_to_the_trust() -> None:
    trust = _trust(RecordState("A-1", "approval", "active", "f", _approval()))
    facts = Facts(signatures={COMMIT: ("N", "")})
    decided = decide([_finding(), _finding()], default_policy(load_catalog()), trust, facts, NOW)
    assert [d.status for d in decided.decisions] == ["fail", "fail"]
    assert decided.notes == [f"approval A-1 not provable for commit {COMMIT[:12]}: the commit "
                             "is not signed by a key mapped to its author"]
    assert trust.notes == []
    signed = Facts(signatures={COMMIT: ("G", "Jane@Example.com")})
    assert _statuses([_finding()], trust, signed) == ["cleared"]
    other = Facts(signatures={COMMIT: ("G", "mallory@example.com")})
    assert _statuses([_finding()], trust, other) == ["fail"]


def test_a_token_clears_a_message_finding_by_the_patch_id_git_gave() -> None:
    token = Token(id="T-1", repository="example.com/r",
                  covers=(Cover(rule="AIC101", author=JANE, patch_id="p" * 40),),
                  valid_from=NOW - timedelta(days=1), valid_until=NOW + timedelta(days=1),
                  reason="r", issued_by="maintainer@example.com", issued_at=NOW,
                  payload={})
    trust = _trust(RecordState("T-1", "token", "active", "f", token))
    assert _statuses([_finding()], trust, Facts(patch_ids={COMMIT: "p" * 40})) == ["cleared"]
    assert _statuses([_finding()], trust, Facts(patch_ids={COMMIT: "q" * 40})) == ["fail"]
    assert _statuses([_finding()], trust) == ["fail"]


# ------------------------------------------------------------------ policy `mode`
def _mode_statuses(mode: str, findings: list[Finding], trust: Trust | None,
                   declarations: Declarations | None) -> tuple[list[str], Decided]:
    policy = replace(default_policy(load_catalog()), mode=mode)
    decided = decide(findings, policy, trust, Facts(), NOW, declarations)
    return [d.status for d in decided.decisions], decided


def _approved() -> Trust:
    return _trust(RecordState("A-1", "approval", "active", "f", _approval()))


def _claude_trailer(commit: str | None = COMMIT, rule: str = "AIC102",
                    severity: str = "block", assistants: tuple[str, ...] = ("claude",),
                    ) -> Finding:
    return Finding(rule=rule, assistants=assistants, kind="config", severity=severity,
                   evidence="e", path=".claude/settings.json" if rule == "AIC102" else None,
                   commit=commit, author=Identity(name="Jane", email=JANE))


DISCLOSED = Declarations(by_commit={COMMIT: parse_disclosures(
    load_catalog(), "Add settings\n\nAssisted-by: Claude:claude-opus-4 sparse\n")})
UNDISCLOSED = Declarations(by_commit={COMMIT: parse_disclosures(
    load_catalog(), "Add settings\n\nAssisted-by: Jane Doe <jane.doe@example.com>\n")})


def test_forbid_ignores_disclosures() -> None:
    assert _mode_statuses("forbid", [_claude_trailer()], None, DISCLOSED)[0] == ["fail"]
    assert _mode_statuses("forbid", [_claude_trailer()], _approved(), UNDISCLOSED)[0] == \
        ["cleared"]


def test_approve_clears_an_approved_agent_only_when_its_commit_discloses_it() -> None:
    statuses, decided = _mode_statuses("approve", [_claude_trailer()], _approved(), DISCLOSED)
    assert statuses == ["cleared"]
    assert decided.decisions[0].cleared_by is not None
    assert decided.decisions[0].cleared_by.startswith("approval A-1 by ")
    assert decided.decisions[0].cleared_by.endswith(
        "; disclosed by Assisted-by: Claude:claude-opus-4 sparse "
        "(agent Claude, model claude-opus-4)")
    statuses, decided = _mode_statuses("approve", [_claude_trailer()], _approved(), UNDISCLOSED)
    assert statuses == ["fail"]
    assert decided.decisions[0].why == ("approved, but does not disclose claude (mode "
                                        "approve): add a trailer such as `Assisted-by: claude` "
                                        "to the commit message")
    # Disclosed but not approved: approve still needs the approval.
    statuses, decided = _mode_statuses("approve", [_claude_trailer()], None, DISCLOSED)
    assert statuses == ["fail"]
    assert decided.decisions[0].why is not None
    assert decided.decisions[0].why.endswith(", but not approved (mode approve)")
    # Another agent's disclosure does not disclose this one.
    codex = _claude_trailer(assistants=("codex",))
    assert _mode_statuses("approve", [codex], _approved(), DISCLOSED)[0] == ["fail"]


def test_disclose_passes_disclosed_traces_without_approval_and_fails_undisclosed_ones() -> None:
    statuses, decided = _mode_statuses("disclose", [_claude_trailer()], None, DISCLOSED)
    assert statuses == ["cleared"]
    assert decided.decisions[0].cleared_by == (
        "disclosed by Assisted-by: Claude:claude-opus-4 sparse (agent Claude, model "
        "claude-opus-4)")
    # Undisclosed: fails, approved or not.
    for trust in (None, _approved()):
        statuses, decided = _mode_statuses("disclose", [_claude_trailer()], trust, UNDISCLOSED)
        assert statuses == ["fail"]
        assert decided.decisions[0].why is not None
        assert "add a trailer such as `Assisted-by: claude`" in decided.decisions[0].why
    # A trace that names no product is disclosed by any agent's disclosure.
    generic = _claude_trailer(rule="AIC403", assistants=("generic",))
    assert _mode_statuses("disclose", [generic], None, DISCLOSED)[0] == ["cleared"]


def test_the_message_being_committed_and_the_pre_commit_stage() -> None:
    message = Declarations(message=DISCLOSED.by_commit[COMMIT])
    session = _claude_trailer(commit=None, rule="AIC821")
    assert _mode_statuses("disclose", [session], None, message)[0] == ["cleared"]
    assert _mode_statuses("disclose", [session], None, Declarations(message=[]))[0] == ["fail"]
    # pre-commit: no message yet; disclose warns, approve clears an approved one, both say
    # the commit message must carry the trailer.
    pending = Declarations(pending=True)
    statuses, decided = _mode_statuses("disclose", [session], None, pending)
    assert statuses == ["warn"]
    assert decided.decisions[0].why == \
        "`Assisted-by: claude` must be in the commit message (mode disclose)"
    assert _mode_statuses("approve", [session], None, pending)[0] == ["fail"]
    statuses, decided = _mode_statuses("approve", [session], _approved(), pending)
    assert statuses == ["cleared"]
    assert decided.decisions[0].cleared_by is not None
    assert decided.decisions[0].cleared_by.endswith(
        "; `Assisted-by: claude` must be in the commit message (mode approve)")
    # No commit to disclose in (a tree): approvals decide, as in forbid.
    assert _mode_statuses("disclose", [session], _approved(), Declarations())[0] == ["cleared"]
    assert _mode_statuses("disclose", [session], None, Declarations())[0] == ["fail"]


def test_leaks_and_agent_sign_offs_are_not_answered_by_a_disclosure() -> None:
    leak = _claude_trailer(severity="leak")
    assert _mode_statuses("disclose", [leak], None, DISCLOSED)[0] == ["fail"]
    sign_off = _claude_trailer(commit=COMMIT, rule="AIC450")
    assert _mode_statuses("disclose", [sign_off], None, DISCLOSED)[0] == ["fail"]
    assert _mode_statuses("approve", [sign_off], _approved(), DISCLOSED)[0] == ["fail"]
    assert _mode_statuses("forbid", [sign_off], _approved(), DISCLOSED)[0] == ["cleared"]
    token = Token(id="T-9", repository="example.com/r",
                  covers=(Cover(rule="AIC450", author=JANE, commit=COMMIT),),
                  valid_from=NOW - timedelta(days=1), valid_until=NOW + timedelta(days=1),
                  reason="r", issued_by="maintainer@example.com", issued_at=NOW, payload={})
    trust = _trust(RecordState("T-9", "token", "active", "f", token))
    assert _mode_statuses("approve", [sign_off], trust, UNDISCLOSED)[0] == ["cleared"]


def _named(rule: str, severity: str = "block") -> Finding:
    return Finding(rule=rule, assistants=("claude",), kind="trailer", severity=severity,
                   evidence="Co-authored-by: Claude", commit=COMMIT,
                   author=Identity(name="Jane", email=JANE))


def test_a_finding_carries_its_rules_confidence_and_the_policy_chooses_what_blocks() -> None:
    catalog = load_catalog()
    findings = [_named("AIC452"), _named("AIC401"), _named("AIC601")]
    decided = decide(findings, default_policy(catalog))
    assert [(d.finding.confidence, d.status) for d in decided.decisions] == [
        ("medium", "fail"), ("high", "fail"), ("low", "warn")]
    assert decided.verdict == "fail" and any("block_confidence" in n for n in decided.notes)
    high = replace(default_policy(catalog), block_confidence="high")
    decided = decide(findings, high)
    assert [(d.finding.severity, d.status) for d in decided.decisions] == [
        ("warn", "warn"), ("block", "fail"), ("warn", "warn")]
    only_names = decide([_named("AIC452"), _named("AIC510", "leak")], high)
    assert only_names.verdict == "pass"  # names alone, even a leak's, only warn
    low = replace(default_policy(catalog), block_confidence="low")
    assert [d.status for d in decide([_named("AIC601", "block")], low).decisions] == ["fail"]
    assert [d.status for d in decide([_named("AIC601", "block")],
                                     default_policy(catalog)).decisions] == ["warn"]


def test_a_detectors_own_confidence_wins_and_an_unknown_rule_is_high() -> None:
    catalog = load_catalog()
    high = replace(default_policy(catalog), block_confidence="high")
    unsure = replace(_named("AIC101"), confidence="medium")
    unknown = _named("ORG001")
    decided = decide([unsure, unknown], high)
    assert [(d.finding.confidence, d.status) for d in decided.decisions] == [
        ("medium", "warn"), ("high", "fail")]


def test_an_approval_clears_a_name_as_it_clears_an_address() -> None:
    trust = _trust(RecordState("A-1", "approval", "active", "f", _approval()))
    decided = decide([_named("AIC452")], default_policy(load_catalog()), trust, None, NOW)
    assert [d.status for d in decided.decisions] == ["cleared"]


def test_each_decision_says_what_kinds_of_record_cleared_it() -> None:
    # The kinds are typed, not read from the words: code tells a token from an approval by
    # `cleared_with`, and the report's words stay as they were.
    def kinds(mode: str, finding: Finding, trust: Trust | None,
              declarations: Declarations | None = None) -> list[tuple[str, tuple[str, ...]]]:
        decided = _mode_statuses(mode, [finding], trust, declarations)[1]
        return [(d.status, d.cleared_with) for d in decided.decisions]

    token = Token(id="T-2", repository="example.com/r",
                  covers=(Cover(rule="AIC450", author=JANE, commit=COMMIT),),
                  valid_from=NOW - timedelta(days=1), valid_until=NOW + timedelta(days=1),
                  reason="r", issued_by="maintainer@example.com", issued_at=NOW, payload={})
    tokens = _trust(RecordState("T-2", "token", "active", "f", token))
    sign_off = _claude_trailer(rule="AIC450")
    assert kinds("forbid", _claude_trailer(), _approved()) == [("cleared", ("approval",))]
    assert kinds("approve", _claude_trailer(), _approved(), DISCLOSED) == \
        [("cleared", ("approval", "disclosure"))]
    assert kinds("disclose", _claude_trailer(), None, DISCLOSED) == \
        [("cleared", ("disclosure",))]
    assert kinds("approve", sign_off, tokens, UNDISCLOSED) == [("cleared", ("token",))]
    # An approval never clears an agent's sign-off outside forbid, whatever its words say.
    assert kinds("approve", sign_off, _approved(), DISCLOSED) == [("fail", ())]
    assert kinds("forbid", _claude_trailer(), None) == [("fail", ())]
    allowed = replace(default_policy(load_catalog()), allowed=frozenset({"claude"}))
    decided = decide([_claude_trailer()], allowed, None, Facts(), NOW)
    assert [(d.status, d.cleared_with) for d in decided.decisions] == [("allowed", ("policy",))]
