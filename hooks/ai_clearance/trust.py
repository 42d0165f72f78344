"""Trust: signers, approvals, revocations and tokens, read from a trusted commit and verified."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from . import gitio
from .errors import ClearanceError, ConfigError, GitError, UsageError
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

TRUST_DIR = ".ai-clearance"
SIGNERS_FILE = ".ai-clearance/maintainers"
APPROVALS_DIR = ".ai-clearance/approvals"
REVOCATIONS_DIR = ".ai-clearance/revocations"
TOKENS_DIR = ".ai-clearance/tokens"
POLICY_PATHS = (".ai-clearance.toml", "pyproject.toml")
EXPLICIT_TOKEN_SOURCES = frozenset({"--token", "AI_CLEARANCE_TOKEN"})
_TOKEN_TRAILER = re.compile(r"^ai-clearance-token[ \t]*:[ \t]*(\S+)[ \t]*$",
                            re.IGNORECASE | re.MULTILINE)
_NOREPLY = re.compile(r"(?:\d+\+)?([^@]+)@users\.noreply\.github\.com\Z")


@dataclass(frozen=True)
class TrustFiles:
    """The policy and trust files of one trusted commit (or of a work tree)."""

    label: str
    commit: str | None
    files: dict[str, tuple[str, bytes]]

    def text(self, path: str) -> str | None:
        entry = self.files.get(path)
        if entry is None:
            return None
        try:
            return entry[1].decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"{path} ({self.label}): not valid UTF-8") from None

    def under(self, directory: str) -> list[str]:
        return sorted(p for p in self.files if p.startswith(directory + "/"))


def trust_ref(repo: gitio.Repo, explicit: str | None) -> str | None:
    """Which commit trust comes from: `explicit`, else the upstream default branch
    (refs/remotes/origin/HEAD), else HEAD; None before the first commit."""
    if explicit:
        return explicit
    upstream = gitio.symbolic_target(repo, "refs/remotes/origin/HEAD")
    if upstream and gitio.resolve_commit(repo, upstream):
        return upstream.removeprefix("refs/remotes/")
    return "HEAD" if gitio.resolve_commit(repo, "HEAD") else None


def files_at(repo: gitio.Repo, ref: str) -> TrustFiles:
    """Policy and trust files as committed at `ref`."""
    commit = gitio.resolve_commit(repo, ref)
    if commit is None:
        raise GitError(f"cannot resolve trust ref '{ref}' to a commit")
    files = gitio.read_small_files(repo, commit, [*POLICY_PATHS, TRUST_DIR])
    files = {p: v for p, v in files.items() if p in POLICY_PATHS or p.startswith(TRUST_DIR + "/")}
    return TrustFiles(label=f"{ref} ({commit[:12]})", commit=commit, files=files)


def files_in_dir(root: str) -> TrustFiles:
    """Policy and trust files of a work tree (what a maintainer is editing)."""
    files: dict[str, tuple[str, bytes]] = {}
    for rel in POLICY_PATHS:
        path = os.path.join(root, rel)
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                files[rel] = ("", handle.read())
    base = os.path.join(root, TRUST_DIR)
    for folder, _dirs, names in os.walk(base):
        for name in names:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            with open(path, "rb") as handle:
                files[rel] = ("", handle.read(1 << 20))
    return TrustFiles(label="work tree", commit=None, files=files)


def tokens_in_message(message: str) -> list[str]:
    """Values of `AI-Clearance-Token:` trailers (tokens are case-sensitive: read raw)."""
    return _TOKEN_TRAILER.findall(message.replace("\r\n", "\n"))


@dataclass
class RecordState:
    """A record and what verification made of it."""

    id: str
    kind: str
    status: str
    where: str
    record: Approval | Token | None = None
    detail: str = ""


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
    email = (finding.mailmap_email or (finding.author.email if finding.author else "")).casefold()
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


@dataclass
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
    email = (finding.mailmap_email or (finding.author.email if finding.author else "")).casefold()
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
    approvals = trust.active_approvals
    tokens = trust.active_tokens

    def by_approval(finding: Finding) -> str | None:
        for approval in approvals:
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


def pending_changes(repo: gitio.Repo, tip: str, trusted: TrustFiles) -> list[str]:
    """Trust or policy files the change under review adds or alters: they take effect only
    after merge, never in the run that reviews them."""
    try:
        proposed = gitio.read_small_files(repo, tip, [*POLICY_PATHS, TRUST_DIR])
    except GitError:
        return []
    changed = []
    for path, (blob, _) in proposed.items():
        if path not in POLICY_PATHS and not path.startswith(TRUST_DIR + "/"):
            continue
        if trusted.files.get(path, ("", b""))[0] != blob:
            changed.append(path)
    return sorted(changed)
