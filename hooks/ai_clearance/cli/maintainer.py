"""Maintainer commands: sign and record approvals, revocations and tokens (atomic writes)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ai_clearance.approvals import trustfiles
from ai_clearance.approvals.records import (
    APPROVAL_TYPE,
    REVOCATION_TYPE,
    TOKEN_TYPE,
    TOKEN_VERSION,
    approval_from_payload,
    canonical,
    decode_token,
    encode_token,
    format_time,
    new_id,
    record_file_bytes,
    revocation_from_payload,
    token_from_payload,
)
from ai_clearance.approvals.sshsig import Verifier, sign, validate_signers
from ai_clearance.approvals.trustfiles import POLICY_FILE, PYPROJECT
from ai_clearance.catalog.rules import load_catalog
from ai_clearance.clearance.policy import Policy, policy_from_texts
from ai_clearance.cli.atomic import replace_file
from ai_clearance.cli.signingkey import key_file_for_signing
from ai_clearance.errors import UsageError
from ai_clearance.git import gitio
from ai_clearance.localfiles import read_regular
from ai_clearance.model import Finding
from ai_clearance.source import scan


@dataclass(frozen=True)
class Signer:
    """Who signs (their principal in the maintainers file) and with which key."""

    principal: str
    key: str


def resolve_signer(root: str, key: str | None, principal: str | None) -> Signer:
    """The signing key and principal: given, else git's user.signingkey and user.email, as
    git itself resolves them for this repository."""
    if key is None or principal is None:
        repo = gitio.discover(root)
        if key is None:
            key = gitio.config_value(repo, "user.signingkey")
        if principal is None:
            principal = gitio.config_value(repo, "user.email")
    if not key:
        raise UsageError("no signing key: pass --key FILE or set git config user.signingkey")
    if not principal:
        raise UsageError("no signer principal: pass --signer EMAIL or set user.email")
    key = key_file_for_signing(key)
    try:  # ssh-keygen would open it and wait for ever on a FIFO
        read_regular(key, 0, follow=True)
    except OSError as exc:
        raise UsageError(f"signing key {key}: cannot read: {exc.strerror}") from None
    return Signer(principal=principal, key=key)


def write_atomic(root: str, relative: str, data: bytes) -> str:
    """Write `root/relative`, under .ai-clearance/ only, atomically (atomic.replace_file)."""
    normalized = os.path.normpath(relative).replace(os.sep, "/")
    if not normalized.startswith(trustfiles.TRUST_DIR + "/") or ".." in normalized.split("/"):
        raise UsageError(f"refusing to write outside {trustfiles.TRUST_DIR}/: {relative}")
    return replace_file(root, normalized, data)


def _signed(payload: dict[str, Any], signer: Signer) -> str:
    return sign(canonical(payload), signer.key)


def _signers_text(root: str, missing: str) -> str:
    """The work tree's maintainers file: a regular file (never a symlink out of the tree, a
    FIFO or a device), else a usage error; `missing` says what its absence stops."""
    try:
        raw = read_regular(os.path.join(root, trustfiles.SIGNERS_FILE), 1 << 20)
    except FileNotFoundError:
        raise UsageError(f"{trustfiles.SIGNERS_FILE} is missing: {missing}") from None
    except OSError as exc:
        raise UsageError(f"{trustfiles.SIGNERS_FILE}: cannot read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{trustfiles.SIGNERS_FILE}: not valid UTF-8") from None


def _check_signer_listed(root: str, signer: Signer, payload: dict[str, Any],
                         signature: str, now: datetime) -> None:
    """Refuse to record what the repository's maintainers file would not accept."""
    signers = _signers_text(root, "list the maintainers' keys there (git allowed_signers "
                                  "format) before signing")
    validate_signers(signers, trustfiles.SIGNERS_FILE)
    verifier = Verifier(signers)
    try:
        if not verifier.verify(canonical(payload), signature, signer.principal, now):
            raise UsageError(f"{signer.principal} with {signer.key} is not a maintainer for the "
                             f"'ai-clearance' namespace in {trustfiles.SIGNERS_FILE}")
    finally:
        verifier.close()


def approve(root: str, signer: Signer, now: datetime, *, authors: Sequence[str],
            logins: Sequence[str], assistants: Sequence[str], paths: Sequence[str],
            valid_from: datetime, valid_until: datetime | None, reason: str,
            author_keys: Sequence[str] = ()) -> str:
    """Sign an approval and record it as .ai-clearance/approvals/<id>.json."""
    catalog = load_catalog()
    for aid in assistants:
        if aid != "*" and aid not in catalog.assistants:
            raise UsageError(f"unknown assistant '{aid}' (see `ai-clearance rules --assistants`)")
    if valid_until is not None and valid_until <= valid_from:
        raise UsageError("the approval would expire before it starts")
    if valid_until is not None and valid_until <= now:
        raise UsageError(f"the approval's window ended at {format_time(valid_until)}: it "
                         "could clear nothing")
    payload: dict[str, Any] = {
        "type": APPROVAL_TYPE, "version": 1, "id": new_id("apv", now),
        "authors": sorted({a.strip().casefold() for a in authors}),
        "github_logins": sorted({x.strip().casefold() for x in logins}),
        "assistants": sorted(set(assistants)), "paths": list(paths),
        "author_keys": [" ".join(k.split()[:2]) for k in author_keys],
        "valid_from": format_time(valid_from),
        "valid_until": format_time(valid_until) if valid_until else None,
        "reason": reason, "issued_by": signer.principal, "issued_at": format_time(now),
    }
    approval_from_payload(payload, "new approval")  # the same validation a check applies
    signature = _signed(payload, signer)
    _check_signer_listed(root, signer, payload, signature, now)
    return write_atomic(root, f"{trustfiles.APPROVALS_DIR}/{payload['id']}.json",
                        record_file_bytes("approval", payload, signature))


def revoke(root: str, signer: Signer, now: datetime, target: str, reason: str) -> str:
    """Sign a revocation of an approval or token id."""
    payload: dict[str, Any] = {
        "type": REVOCATION_TYPE, "version": 1, "id": new_id("rev", now), "revokes": target,
        "reason": reason, "issued_by": signer.principal, "issued_at": format_time(now),
    }
    revocation_from_payload(payload, "new revocation")
    signature = _signed(payload, signer)
    _check_signer_listed(root, signer, payload, signature, now)
    return write_atomic(root, f"{trustfiles.REVOCATIONS_DIR}/{payload['id']}.json",
                        record_file_bytes("revocation", payload, signature))


def cover_for(finding: Finding, repo: gitio.Repo) -> dict[str, Any]:
    """The exact key of one finding: rule, assistant and author, and its path, the patch id
    of its commit's change (which a rebase keeps), that commit, or its pull request."""
    cover: dict[str, Any] = {"rule": finding.rule, "assistant": finding.assistants[0],
                             "author": finding.author_email}
    if finding.path is not None:
        cover["path"] = finding.path
    elif finding.commit is not None:
        patch = gitio.patch_id(repo, finding.commit)
        cover.update({"patch_id": patch} if patch else {"commit": finding.commit})
    else:
        raise UsageError(f"{finding.rule}: a finding with no path or commit cannot be "
                         "overridden by a token")
    return cover


@dataclass(frozen=True)
class Selection:
    """Which findings of a range a token is for; empty fields select everything."""

    rule: str | None = None
    path: str | None = None
    author: str | None = None
    commit: str | None = None
    everything: bool = False

    def picks(self, finding: Finding) -> bool:
        return (self.rule in (None, finding.rule) and self.path in (None, finding.path)
                and self.author in (None, finding.author_email)
                and (self.commit is None or (finding.commit or "").startswith(self.commit)))


def _trusted_policy(repo: gitio.Repo, trust_ref: str | None) -> Policy:
    """The protected branch's policy: `trust_ref`, else the remote's default branch, never
    HEAD (the branch under review could name another repository_id or add rules)."""
    ref = trustfiles.trust_ref(repo, trust_ref, enforce=True) or "HEAD"
    files = trustfiles.files_at(repo, ref)
    return policy_from_texts(load_catalog(), files.text(POLICY_FILE), files.text(PYPROJECT),
                             files.label)


def override(cwd: str, signer: Signer, now: datetime, *, range_spec: str, select: Selection,
             valid_until: datetime, reason: str, trust_ref: str | None = None,
             ) -> tuple[str, list[str]]:
    """Issue a token for the selected findings of a range: the token and, in plain words,
    everything it clears."""
    if valid_until <= now:
        raise UsageError("the token would already be expired")
    repo = gitio.discover(cwd)
    policy = _trusted_policy(repo, trust_ref)
    if policy.repository_id is None:
        raise UsageError(f"the trusted policy ({policy.origin}) sets no repository_id; add "
                         "one (e.g. repository_id = \"github.com/OWNER/REPO\") to "
                         ".ai-clearance.toml on the protected branch: a token is bound to it")
    found = scan.scan_range(repo, policy.catalog, range_spec, frozenset()).findings
    chosen = [f for f in found if f.author_email and select.picks(f)]
    if not chosen:
        raise UsageError("nothing to override: no finding of the range matches")
    filtered = any(v is not None for v in (select.rule, select.path, select.author,
                                           select.commit))
    if len(chosen) > 1 and not filtered and not select.everything:
        raise UsageError(f"the range has {len(chosen)} findings: pick with --rule, --path, "
                         "--author or --commit, or give --all to cover every one of them")
    covers: list[dict[str, Any]] = []
    for finding in chosen:
        cover = cover_for(finding, repo)
        if cover not in covers:
            covers.append(cover)
    payload: dict[str, Any] = {
        "type": TOKEN_TYPE, "version": TOKEN_VERSION, "id": new_id("tok", now),
        "repository": policy.repository_id, "covers": covers,
        "valid_from": format_time(now), "valid_until": format_time(valid_until),
        "reason": reason, "issued_by": signer.principal, "issued_at": format_time(now),
    }
    token = token_from_payload(payload, "new token")
    return encode_token(payload, _signed(payload, signer)), token.describe()


def describe_token(text: str) -> list[str]:
    """A token's content in plain words (its signature is checked when it is used)."""
    signed = decode_token(text, "token")
    return token_from_payload(signed.payload, "token").describe()


def add_token(root: str, text: str, now: datetime, trust_ref: str | None = None) -> str:
    """Verify a pasted token against the maintainers file and record it under tokens/."""
    signed = decode_token(text, "token")
    token = token_from_payload(signed.payload, "token")
    signers = _signers_text(root, "cannot verify the token")
    validate_signers(signers, trustfiles.SIGNERS_FILE)
    verifier = Verifier(signers)
    try:
        if not verifier.verify(canonical(signed.payload), signed.signature, token.issued_by, now):
            raise UsageError(f"token {token.id}: the signature does not verify against "
                             f"{trustfiles.SIGNERS_FILE}")
    finally:
        verifier.close()
    if now >= token.valid_until:
        raise UsageError(f"token {token.id} has expired")
    repository_id = _trusted_policy(gitio.discover(root), trust_ref).repository_id
    if token.repository != repository_id:
        raise UsageError(f"token {token.id} is for repository {token.repository}, not this "
                         f"one ({repository_id or 'no repository_id in the trusted policy'})")
    return write_atomic(root, f"{trustfiles.TOKENS_DIR}/{token.id}.token",
                        (text.strip() + "\n").encode("ascii"))
