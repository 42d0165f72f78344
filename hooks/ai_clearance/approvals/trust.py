"""Trust: signers, approvals, revocations and tokens, read from a trusted commit and verified."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ai_clearance.approvals.records import (
    Approval,
    Revocation,
    SignedRecord,
    Token,
    approval_from_payload,
    canonical,
    decode_token,
    read_record_file,
    revocation_from_payload,
    token_from_payload,
)
from ai_clearance.approvals.sshsig import Verifier, validate_signers
from ai_clearance.approvals.trustfiles import (
    APPROVALS_DIR,
    EXPLICIT_TOKEN_SOURCES,
    REVOCATIONS_DIR,
    SIGNERS_FILE,
    TOKENS_DIR,
    TrustFiles,
)
from ai_clearance.errors import ClearanceError, UsageError


@dataclass
class RecordState:
    """A record and what verification made of it."""

    id: str
    kind: str
    status: str
    where: str
    record: Approval | Token | None = None
    detail: str = ""
    revoked_at: datetime | None = None
    revocation: Revocation | None = None  # the record itself, for a revocation's state

    @property
    def usable(self) -> bool:
        """Whether the record clears anything at some time: its signature holds and it is
        bound right. An audit judges the time of each commit; a gate only `active` ones."""
        return self.status in _USABLE


_USABLE = frozenset({"active", "expired", "not-yet-valid", "revoked"})


@dataclass
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
        revoked = _read_revocations(files, verifier, now, trust)
        _read_approvals(files, verifier, now, revoked, open_ended, trust)
        token_sources = [(files.text(p) or "", p) for p in files.under(TOKENS_DIR)]
        for text, where in [*token_sources, *extra_tokens]:
            _read_token(text, where, verifier, now, revoked, strict_tokens, repository_id,
                        trust)
    finally:
        verifier.close()
    for state in trust.states:
        if state.status != "active" and state.kind != "revocation":
            trust.notes.append(f"{state.kind} {state.id} ({state.where}) clears nothing: "
                               f"{state.status}")
    return trust


def _read_revocations(files: TrustFiles, verifier: Verifier, now: datetime,
                      trust: Trust) -> dict[str, datetime]:
    """List every revocation in `trust`; return when each record was first revoked by a
    revocation that verifies."""
    revoked: dict[str, datetime] = {}
    for path in files.under(REVOCATIONS_DIR):
        signed = read_record_file(files.files[path][1], "revocation", path)
        revocation = revocation_from_payload(signed.payload, path)
        ok = verifier.verify(canonical(signed.payload), signed.signature,
                             revocation.issued_by, now)
        trust.states.append(RecordState(revocation.id, "revocation",
                                        "active" if ok else "bad-signature", path,
                                        revocation=revocation))
        if ok:
            revoked[revocation.revokes] = min(revocation.issued_at,
                                              revoked.get(revocation.revokes,
                                                          revocation.issued_at))
    return revoked


def _read_approvals(files: TrustFiles, verifier: Verifier, now: datetime,
                    revoked: dict[str, datetime], open_ended: bool, trust: Trust) -> None:
    """List every approval file in `trust` with its status."""
    for path in files.under(APPROVALS_DIR):
        signed = read_record_file(files.files[path][1], "approval", path)
        approval = approval_from_payload(signed.payload, path)
        status = _status(verifier, signed, approval.issued_by, approval.valid_from,
                         approval.valid_until, now, revoked, approval.id, open_ended)
        trust.states.append(RecordState(approval.id, "approval", status, path, approval,
                                        revoked_at=revoked.get(approval.id)))


def _read_token(text: str, where: str, verifier: Verifier, now: datetime,
                revoked: dict[str, datetime], strict: bool, repository_id: str | None,
                trust: Trust) -> None:
    """List one token in `trust` with its status. One that does not parse is an error when
    `strict` (except in a commit trailer), else a note; one given for this run on purpose
    must be active."""
    from_trailer = where.startswith("commit ")
    try:
        signed = decode_token(text, where)
        token = token_from_payload(signed.payload, where)
    except ClearanceError as exc:
        if strict and not from_trailer:
            raise UsageError(str(exc)) from None
        trust.notes.append(f"ignored token in {where}: {exc}")
        return
    status = _status(verifier, signed, token.issued_by, token.valid_from,
                     token.valid_until, now, revoked, token.id, open_ended=False)
    if status != "bad-signature":
        status = _bound_status(token, repository_id) or status
    if status != "active" and where in EXPLICIT_TOKEN_SOURCES:
        # Given for this run on purpose: say so instead of quietly clearing nothing.
        raise UsageError(f"{where}: token {token.id} is refused: {status}")
    trust.states.append(RecordState(token.id, "token", status, where, token,
                                    revoked_at=revoked.get(token.id)))


def commit_signers(files: TrustFiles, approvals: Iterable[Approval]) -> str:
    """An allowed_signers text for git commit signatures: the maintainers file plus each
    approval's author keys, mapped to its authors."""
    lines = [files.text(SIGNERS_FILE) or ""]
    for approval in approvals:
        for key in approval.author_keys:
            for author in approval.authors:
                lines.append(f'{author} namespaces="git" {key}')
    return "\n".join(line.rstrip("\n") for line in lines if line) + "\n"
