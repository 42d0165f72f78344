"""Trust: signers, approvals, revocations and tokens, read from a trusted commit and verified."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from ai_clearance.approvals.records import (
    Approval,
    SignedRecord,
    Token,
    approval_from_payload,
    canonical,
    decode_token,
    format_time,
    read_record_file,
    revocation_from_payload,
    token_from_payload,
)
from ai_clearance.approvals.sshsig import Verifier, validate_signers
from ai_clearance.approvals.trustfiles import (
    APPROVALS_DIR,
    EXPLICIT_TOKEN_SOURCES,
    POLICY_PATHS,
    REVOCATIONS_DIR,
    SIGNERS_FILE,
    TOKENS_DIR,
    TRUST_DIR,
    TrustFiles,
    files_at,
    files_in_dir,
    tokens_in_message,
    trust_ref,
)
from ai_clearance.catalog.globs import compile_globs
from ai_clearance.errors import ClearanceError, UsageError
from ai_clearance.model import Finding
from ai_clearance.values import field, value

__all__ = [
    "APPROVALS_DIR", "POLICY_PATHS", "REVOCATIONS_DIR", "SIGNERS_FILE", "TOKENS_DIR",
    "TRUST_DIR", "Context", "Trust", "TrustFiles", "build_trust", "clearers",
    "commit_signers", "files_at", "files_in_dir", "tokens_in_message",
    "trust_ref",
]
_NOREPLY = re.compile(r"(?:\d+\+)?([^@]+)@users\.noreply\.github\.com\Z")

@value(frozen=False)
class RecordState:
    """A record and what verification made of it."""

    id: str
    kind: str
    status: str
    where: str
    record: Approval | Token | None = None
    detail: str = ""
    revoked_at: datetime | None = None

    @property
    def usable(self) -> bool:
        """Whether the record clears anything at some time: its signature holds and it is
        bound right. An audit judges the time of each commit; a gate only `active` ones."""
        return self.status in _USABLE


_USABLE = frozenset({"active", "expired", "not-yet-valid", "revoked"})


@value(frozen=False)
class Trust:
    """Everything verified once per run, and the clearers built from it."""

    label: str
    commit: str | None
    signers: int
    states: list[RecordState] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def active_approvals(self) -> list[Approval]:
        return [s.record for s in self.states
                if s.kind == "approval" and s.status == "active" and isinstance(s.record, Approval)]

    @property
    def active_tokens(self) -> list[Token]:
        return [s.record for s in self.states
                if s.kind == "token" and s.status == "active" and isinstance(s.record, Token)]

    def revoked_at(self, record_id: str) -> datetime | None:
        """When `record_id` was revoked, if it was."""
        return next((s.revoked_at for s in self.states if s.id == record_id and s.revoked_at),
                    None)

    def summary(self) -> dict[str, object]:
        return {
            "source": self.label, "commit": self.commit, "signers": self.signers,
            "approvals_active": len(self.active_approvals),
            "tokens_active": len(self.active_tokens),
            "records_refused": sum(1 for s in self.states if s.status != "active"),
            "notes": list(self.notes),
        }


def _bound_status(token: Token, repository_id: str | None) -> str | None:
    """Why a well-signed token is not for this repository, or None when it is."""
    if repository_id is None:
        return "no-repository-id"  # the trusted policy names no repository: no token binds
    if token.repository != repository_id:
        return "other-repository"
    return None


def _status(verifier: Verifier, signed: SignedRecord, issued_by: str, valid_from: datetime,
            valid_until: datetime | None, now: datetime, revoked: dict[str, datetime], rid: str,
            open_ended: bool) -> str:
    if not verifier.verify(canonical(signed.payload), signed.signature, issued_by, now):
        return "bad-signature"
    if rid in revoked:
        return "revoked"
    if now < valid_from:
        return "not-yet-valid"
    if valid_until is None and not open_ended:
        return "no-expiry"
    if valid_until is not None and now >= valid_until:
        return "expired"
    return "active"


def build_trust(files: TrustFiles, now: datetime, open_ended: bool = False,
                extra_tokens: Iterable[tuple[str, str]] = (), strict_tokens: bool = True,
                repository_id: str | None = None) -> Trust:
    """Verify every record of `files` (and `extra_tokens`: (token, where)) once.

    A record that does not parse is a ConfigError naming its file; one that parses but does
    not verify clears nothing and is listed with its status.
    """
    signers_text = files.text(SIGNERS_FILE) or ""
    count = validate_signers(signers_text, SIGNERS_FILE) if signers_text else 0
    trust = Trust(label=files.label, commit=files.commit, signers=count)
    verifier = Verifier(signers_text)
    try:
        revoked: dict[str, datetime] = {}
        for path in files.under(REVOCATIONS_DIR):
            signed = read_record_file(files.files[path][1], "revocation", path)
            revocation = revocation_from_payload(signed.payload, path)
            ok = verifier.verify(canonical(signed.payload), signed.signature,
                                 revocation.issued_by, now)
            trust.states.append(RecordState(revocation.id, "revocation",
                                            "active" if ok else "bad-signature", path))
            if ok:
                revoked[revocation.revokes] = min(revocation.issued_at,
                                                  revoked.get(revocation.revokes,
                                                              revocation.issued_at))
        for path in files.under(APPROVALS_DIR):
            signed = read_record_file(files.files[path][1], "approval", path)
            approval = approval_from_payload(signed.payload, path)
            status = _status(verifier, signed, approval.issued_by, approval.valid_from,
                             approval.valid_until, now, revoked, approval.id, open_ended)
            trust.states.append(RecordState(approval.id, "approval", status, path, approval,
                                            revoked_at=revoked.get(approval.id)))
        token_sources = [(files.text(p) or "", p) for p in files.under(TOKENS_DIR)]
        for text, where in [*token_sources, *extra_tokens]:
            from_trailer = where.startswith("commit ")
            try:
                signed = decode_token(text, where)
                token = token_from_payload(signed.payload, where)
            except ClearanceError as exc:
                if strict_tokens and not from_trailer:
                    raise UsageError(str(exc)) from None
                trust.notes.append(f"ignored token in {where}: {exc}")
                continue
            status = _status(verifier, signed, token.issued_by, token.valid_from,
                             token.valid_until, now, revoked, token.id, open_ended=False)
            if status != "bad-signature":
                status = _bound_status(token, repository_id) or status
            if status != "active" and where in EXPLICIT_TOKEN_SOURCES:
                # Given for this run on purpose: say so instead of quietly clearing nothing.
                raise UsageError(f"{where}: token {token.id} is refused: {status}")
            trust.states.append(RecordState(token.id, "token", status, where, token,
                                            revoked_at=revoked.get(token.id)))
    finally:
        verifier.close()
    for state in trust.states:
        if state.status != "active" and state.kind != "revocation":
            trust.notes.append(f"{state.kind} {state.id} ({state.where}) clears nothing: "
                               f"{state.status}")
    return trust


# ------------------------------------------------------------------------ clearing findings
def _login_of(email: str) -> str | None:
    match = _NOREPLY.match(email)
    return match.group(1) if match else None


def approval_covers(approval: Approval, finding: Finding) -> bool:
    """Whether a standing approval covers a finding's author, assistant and path."""
    email = finding.author_email
    login = _login_of(email)
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


@value(frozen=False)
class Context:
    """What a token may be scoped to beyond the finding itself."""

    pull_request: int | None = None
    patch_id_of: Callable[[str], str | None] | None = None
    _patch_ids: dict[str, str | None] = field(default_factory=dict)

    def patch_id(self, commit: str) -> str | None:
        if commit not in self._patch_ids:
            self._patch_ids[commit] = self.patch_id_of(commit) if self.patch_id_of else None
        return self._patch_ids[commit]


def token_covers(token: Token, finding: Finding, context: Context) -> bool:
    """Whether a token covers a finding: the same rule, assistant and author, and the same
    path, commit change (patch id) or pull request text."""
    for cover in token.covers:
        if cover.rule != finding.rule or cover.author != finding.author_email:
            continue
        if cover.assistant is not None and cover.assistant not in finding.assistants:
            continue
        if cover.path is not None:
            if cover.path == finding.path:
                return True
        elif cover.patch_id is not None:
            if finding.path is None and finding.commit and \
                    context.patch_id(finding.commit) == cover.patch_id:
                return True
        elif cover.commit is not None:
            if finding.path is None and finding.commit == cover.commit:
                return True
        elif finding.path is None and finding.commit is None and \
                cover.pull_request == context.pull_request:
            return True
    return False


def valid_at(state: RecordState, moment: datetime) -> bool:
    """Whether a record's window held at `moment` (and it had not been revoked yet)."""
    record = state.record
    if record is None or moment < record.valid_from:
        return False
    if record.valid_until is not None and moment >= record.valid_until:
        return False
    return state.revoked_at is None or moment < state.revoked_at


Proof = Callable[[Finding], "tuple[bool, str]"]


def _records(trust: Trust, kind: str, at_commit_dates: bool) -> list[RecordState]:
    """The records of `kind` that may clear: those active now (a gate), or every one whose
    signature holds, each judged later at its commit's date (an audit)."""
    return [s for s in trust.states if s.kind == kind and
            (s.usable if at_commit_dates else s.status == "active")]


# Whether a commit is already on the protected branch (reachable from the trusted commit).
OnProtected = Callable[[str], bool]


def _moment(finding: Finding, on_protected: OnProtected | None, now: datetime) -> datetime:
    """When to judge a finding: at its commit's date only in an audit, and only for a commit
    the protected branch already has (a commit under review could forge its date)."""
    if on_protected is not None and finding.committed_at and finding.commit and \
            on_protected(finding.commit):
        return datetime.fromtimestamp(finding.committed_at, timezone.utc)
    return now


def clearers(trust: Trust, context: Context, proof: Proof | None = None,
             on_protected: OnProtected | None = None, now: datetime | None = None,
             ) -> list[Callable[[Finding], str | None]]:
    """The approval and token clearers for `decide`. A gate clears with records valid now;
    an audit (`on_protected` given) judges a commit the protected branch already has with
    the records valid at its committer date. With `proof`, an approval clears a commit's
    finding only if its signature proves its author."""
    now = now or datetime.now(timezone.utc)
    at_commit_dates = on_protected is not None
    tokens = _records(trust, "token", at_commit_dates)
    # Approvals by the authors and logins they name: a finding is checked against its own
    # author's approvals, not against hundreds of others (a range can have thousands).
    approvals = _records(trust, "approval", at_commit_dates)
    named: dict[str, list[int]] = {}
    for index, state in enumerate(approvals):
        assert isinstance(state.record, Approval)
        for key in {*state.record.authors, *(f"@{x}" for x in state.record.github_logins)}:
            named.setdefault(key, []).append(index)

    def candidates(finding: Finding) -> list[RecordState]:
        email = finding.author_email
        login = _login_of(email)
        found = set(named.get(email, ()))
        if login:
            found.update(named.get(f"@{login}", ()))
        moment = _moment(finding, on_protected, now)
        return [approvals[i] for i in sorted(found) if valid_at(approvals[i], moment)]

    def proven(approval: Approval, finding: Finding) -> bool:
        if proof is None or finding.commit is None:
            return True
        ok, why = proof(finding)
        note = f"approval {approval.id} not provable for commit {finding.commit[:12]}: {why}"
        if not ok and note not in trust.notes:
            trust.notes.append(note)
        return ok

    def by_approval(finding: Finding) -> str | None:
        for state in candidates(finding):
            approval = state.record
            assert isinstance(approval, Approval)
            if approval_covers(approval, finding) and proven(approval, finding):
                until = format_time(approval.valid_until) if approval.valid_until else "no expiry"
                dated = _moment(finding, on_protected, now) != now
                when = " at the commit's date" if dated else ""
                return f"approval {approval.id} by {approval.issued_by} (until {until}){when}"
        return None

    def by_token(finding: Finding) -> str | None:
        moment = _moment(finding, on_protected, now)
        for state in tokens:
            token = state.record
            assert isinstance(token, Token)
            if valid_at(state, moment) and token_covers(token, finding, context):
                return f"token {token.id} by {token.issued_by} " \
                       f"(until {format_time(token.valid_until)})"
        return None

    return [by_approval, by_token]


def commit_signers(files: TrustFiles, approvals: Iterable[Approval]) -> str:
    """An allowed_signers text for git commit signatures: the maintainers file plus each
    approval's author keys, mapped to its authors."""
    lines = [files.text(SIGNERS_FILE) or ""]
    for approval in approvals:
        for key in approval.author_keys:
            for author in approval.authors:
                lines.append(f'{author} namespaces="git" {key}')
    return "\n".join(line.rstrip("\n") for line in lines if line) + "\n"
