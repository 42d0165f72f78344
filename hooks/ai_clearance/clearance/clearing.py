"""Which verified record clears a finding: pure functions of the trust, the facts git gave
about the findings' commits, and the time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

from ai_clearance.approvals.records import Approval, Cover, Token, format_time
from ai_clearance.approvals.trust import RecordState, Trust
from ai_clearance.catalog.globs import compile_globs
from ai_clearance.model import Finding, noreply_login


@dataclass(frozen=True)
class Facts:
    """What git says about the findings' commits, read before deciding (git stays at the
    edge, so the decision is a function of its inputs)."""

    # An audit: the commits the protected branch already has; each is judged at its own
    # committer date. None: a gate, where everything is judged now.
    protected: frozenset[str] | None = None
    # `git patch-id --verbatim` of the commits whose message or identity a token may cover.
    patch_ids: Mapping[str, str | None] = field(default_factory=dict)
    # With signed commits required: git's signature verdict (%G?) and principal (%GS).
    signatures: Mapping[str, tuple[str, str]] | None = None
    pull_request: int | None = None


@dataclass(frozen=True)
class Cleared:
    """What cleared a finding: the kind of record, and in words which one (for the report)."""

    record: Literal["approval", "token"]
    text: str


def approval_covers(approval: Approval, finding: Finding) -> bool:
    """Whether a standing approval covers a finding's author, assistant and path."""
    email = finding.author_email
    login = noreply_login(email)
    if not (email and email in approval.authors) and not (
            login and login in approval.github_logins):
        return False
    if "*" not in approval.assistants and not set(approval.assistants) & set(finding.assistants):
        return False
    if approval.paths:
        pattern = compile_globs(list(approval.paths), fold=False)
        if finding.path is None or pattern is None or not pattern.match(finding.path):
            return False
    elif finding.severity == "leak":
        return False  # a leak needs an approval that names its path
    return True


def token_covers(token: Token, finding: Finding, facts: Facts) -> bool:
    """Whether a token covers a finding: the same rule, assistant and author, and the same
    path, commit change (patch id) or pull request text."""
    return any(_cover_is_for(cover, finding) and _cover_reaches(cover, finding, facts)
               for cover in token.covers)


def _cover_is_for(cover: Cover, finding: Finding) -> bool:
    """The same rule and author, and the same assistant when the cover names one."""
    return cover.rule == finding.rule and cover.author == finding.author_email and (
        cover.assistant is None or cover.assistant in finding.assistants)


def _cover_reaches(cover: Cover, finding: Finding, facts: Facts) -> bool:
    """The cover names the finding's place: its path, its commit's change (patch id), its
    commit, or else the pull request's text."""
    if cover.path is not None:
        return cover.path == finding.path
    if finding.path is not None:
        return False
    if cover.patch_id is not None:
        return bool(finding.commit) and \
            facts.patch_ids.get(finding.commit or "") == cover.patch_id
    if cover.commit is not None:
        return finding.commit == cover.commit
    return finding.commit is None and cover.pull_request == facts.pull_request


def valid_at(state: RecordState, moment: datetime) -> bool:
    """Whether a record's window held at `moment` (and it had not been revoked yet)."""
    record = state.record
    if record is None or moment < record.valid_from:
        return False
    if record.valid_until is not None and moment >= record.valid_until:
        return False
    return state.revoked_at is None or moment < state.revoked_at


def usable_records(trust: Trust, kind: str, audit: bool) -> list[RecordState]:
    """The records of `kind` that may clear: those active now (a gate), or every one whose
    signature holds, each judged later at its commit's date (an audit)."""
    return [s for s in trust.states if s.kind == kind and
            (s.usable if audit else s.status == "active")]


def moment_of(finding: Finding, facts: Facts, now: datetime) -> datetime:
    """When to judge a finding: at its commit's date only in an audit, and only for a commit
    the protected branch already has (a commit under review could forge its date)."""
    if facts.protected is not None and finding.committed_at and finding.commit and \
            finding.commit in facts.protected:
        return datetime.fromtimestamp(finding.committed_at, timezone.utc)
    return now


def signed_by_author(finding: Finding, facts: Facts) -> str | None:
    """Why a finding's commit does not prove its author by signature, or None when it does
    (or when signatures are not required)."""
    if facts.signatures is None or finding.commit is None:
        return None
    status, principal = facts.signatures.get(finding.commit, ("N", ""))
    if status != "G":
        return "the commit is not signed by a key mapped to its author"
    if principal.casefold() != finding.author_email.casefold():
        return f"signed as {principal}, not as {finding.author_email}"
    return None


class Clearing:
    """Answers "which record clears this finding?" for one run. Approvals are indexed by the
    authors and logins they name: a finding is checked against its own author's approvals,
    not against hundreds of others (a range can have thousands of findings)."""

    def __init__(self, trust: Trust, facts: Facts, now: datetime) -> None:
        self.facts = facts
        self.now = now
        audit = facts.protected is not None
        self.tokens = usable_records(trust, "token", audit)
        self.approvals = usable_records(trust, "approval", audit)
        self.named: dict[str, list[int]] = {}
        for index, state in enumerate(self.approvals):
            assert isinstance(state.record, Approval)
            for key in {*state.record.authors, *(f"@{x}" for x in state.record.github_logins)}:
                self.named.setdefault(key, []).append(index)

    def cleared_by(self, finding: Finding) -> tuple[Cleared | None, list[str]]:
        """What cleared the finding (None: nothing), and notes on approvals that would have
        but could not be proven."""
        notes: list[str] = []
        moment = moment_of(finding, self.facts, self.now)
        for state in self._candidates(finding, moment):
            approval = state.record
            assert isinstance(approval, Approval)
            if not approval_covers(approval, finding):
                continue
            why_not = signed_by_author(finding, self.facts)
            if why_not is not None:
                assert finding.commit is not None
                notes.append(f"approval {approval.id} not provable for commit "
                             f"{finding.commit[:12]}: {why_not}")
                continue
            until = format_time(approval.valid_until) if approval.valid_until else "no expiry"
            when = " at the commit's date" if moment != self.now else ""
            return Cleared("approval", f"approval {approval.id} by {approval.issued_by} "
                           f"(until {until}){when}"), notes
        for state in self.tokens:
            token = state.record
            assert isinstance(token, Token)
            if valid_at(state, moment) and token_covers(token, finding, self.facts):
                return Cleared("token", f"token {token.id} by {token.issued_by} "
                               f"(until {format_time(token.valid_until)})"), notes
        return None, notes

    def _candidates(self, finding: Finding, moment: datetime) -> list[RecordState]:
        email = finding.author_email
        login = noreply_login(email)
        found = set(self.named.get(email, ()))
        if login:
            found.update(self.named.get(f"@{login}", ()))
        return [self.approvals[i] for i in sorted(found) if valid_at(self.approvals[i], moment)]
