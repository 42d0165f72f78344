"""Trust: signers, approvals, revocations and tokens, read from a trusted commit and verified."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime

from .errors import ClearanceError, UsageError
from .globs import compile_globs
from .model import Finding
from .records import (
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
from .sshsig import Verifier, validate_signers
from .trustfiles import (
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
    pending_changes,
    tokens_in_message,
    trust_ref,
)
from .values import field, value

__all__ = [
    "APPROVALS_DIR", "POLICY_PATHS", "REVOCATIONS_DIR", "SIGNERS_FILE", "TOKENS_DIR",
    "TRUST_DIR", "Context", "Trust", "TrustFiles", "build_trust", "clearers",
    "commit_signers", "files_at", "files_in_dir", "pending_changes", "tokens_in_message",
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

    def summary(self) -> dict[str, object]:
        return {
            "source": self.label, "commit": self.commit, "signers": self.signers,
            "approvals_active": len(self.active_approvals),
            "tokens_active": len(self.active_tokens),
            "records_refused": sum(1 for s in self.states if s.status != "active"),
            "notes": list(self.notes),
        }


def _status(verifier: Verifier, signed: SignedRecord, issued_by: str, valid_from: datetime,
            valid_until: datetime | None, now: datetime, revoked: set[str], rid: str,
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
                ) -> Trust:
    """Verify every record of `files` (and `extra_tokens`: (token, where)) once.

    A record that does not parse is a ConfigError naming its file; one that parses but does
    not verify clears nothing and is listed with its status.
    """
    signers_text = files.text(SIGNERS_FILE) or ""
    count = validate_signers(signers_text, SIGNERS_FILE) if signers_text else 0
    trust = Trust(label=files.label, commit=files.commit, signers=count)
    verifier = Verifier(signers_text)
    try:
        revoked: set[str] = set()
        for path in files.under(REVOCATIONS_DIR):
            signed = read_record_file(files.files[path][1], "revocation", path)
            revocation = revocation_from_payload(signed.payload, path)
            ok = verifier.verify(canonical(signed.payload), signed.signature,
                                 revocation.issued_by, now)
            trust.states.append(RecordState(revocation.id, "revocation",
                                            "active" if ok else "bad-signature", path))
            if ok:
                revoked.add(revocation.revokes)
        for path in files.under(APPROVALS_DIR):
            signed = read_record_file(files.files[path][1], "approval", path)
            approval = approval_from_payload(signed.payload, path)
            status = _status(verifier, signed, approval.issued_by, approval.valid_from,
                             approval.valid_until, now, revoked, approval.id, open_ended)
            trust.states.append(RecordState(approval.id, "approval", status, path, approval))
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
            if status != "active" and where in EXPLICIT_TOKEN_SOURCES:
                # Given for this run on purpose: say so instead of quietly clearing nothing.
                raise UsageError(f"{where}: token {token.id} is refused: {status}")
            trust.states.append(RecordState(token.id, "token", status, where, token))
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
    """Whether a token covers a finding (by finding key, patch id or pull request)."""
    email = finding.author_email
    for cover in token.covers:
        if cover.pull_request is not None:
            if cover.pull_request == context.pull_request:
                return True
            continue
        if cover.patch_id is not None:
            if finding.commit and context.patch_id(finding.commit) == cover.patch_id:
                return True
            continue
        if cover.rule != finding.rule:
            continue
        if cover.assistant is not None and cover.assistant not in finding.assistants:
            continue
        if cover.path is not None and cover.path != finding.path:
            continue
        if cover.author is not None and cover.author != email:
            continue
        return True
    return False


Proof = Callable[[Finding], "tuple[bool, str]"]


def clearers(trust: Trust, context: Context, proof: Proof | None = None,
             ) -> list[Callable[[Finding], str | None]]:
    """The approval and token clearers for `decide`. With `proof`, an approval clears a
    commit's finding only if the commit's signature proves its author."""
    tokens = trust.active_tokens
    # Approvals by the authors and logins they name: a finding is checked against its own
    # author's approvals, not against hundreds of others (a range can have thousands).
    approvals = trust.active_approvals  # a property that filters: read it once
    named: dict[str, list[int]] = {}
    for index, approval in enumerate(approvals):
        for key in {*approval.authors, *(f"@{login}" for login in approval.github_logins)}:
            named.setdefault(key, []).append(index)

    def candidates(finding: Finding) -> list[Approval]:
        email = finding.author_email
        login = _login_of(email)
        found = set(named.get(email, ()))
        if login:
            found.update(named.get(f"@{login}", ()))
        return [approvals[i] for i in sorted(found)]

    def by_approval(finding: Finding) -> str | None:
        for approval in candidates(finding):
            if approval_covers(approval, finding):
                if proof is not None and finding.commit is not None:
                    proven, why = proof(finding)
                    if not proven:
                        note = (f"approval {approval.id} not provable for commit "
                                f"{finding.commit[:12]}: {why}")
                        if note not in trust.notes:
                            trust.notes.append(note)
                        continue
                until = format_time(approval.valid_until) if approval.valid_until else "no expiry"
                return f"approval {approval.id} by {approval.issued_by} (until {until})"
        return None

    def by_token(finding: Finding) -> str | None:
        for token in tokens:
            if token_covers(token, finding, context):
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
