"""Rows for `approvals list` and `show`: every record kind with its signer, scope, window,
revocation and status; records the trusted commit does not hold yet are `pending`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ai_clearance.approvals.records import Approval, Revocation, Token, format_time
from ai_clearance.approvals.requests import REQUESTS_DIR, ApprovalRequest, parse_request
from ai_clearance.approvals.trust import RecordState
from ai_clearance.approvals.trustfiles import TrustFiles
from ai_clearance.errors import ClearanceError
from ai_clearance.report.words import counted

COLUMNS = ("id", "kind", "status", "when_merged", "signer", "issued_at", "authors",
           "github_logins", "assistants", "paths", "author_keys", "repository", "covers",
           "revokes", "valid_from", "valid_until", "reason", "revoked_by", "revoked_at",
           "revoked_reason", "revoked_with", "file")
LIST_COLUMNS = ("id", "kind", "status", "when_merged", "signer", "issued_at", "authors",
                "github_logins", "assistants", "paths", "author_keys", "covers", "revokes")
PENDING = "pending"


@dataclass(frozen=True)
class Revoked:
    """Who revoked a record, when, why, with which revocation."""

    by: str
    at: str
    reason: str
    revocation: str


def _time(moment: Any) -> str | None:
    return format_time(moment) if moment is not None else None


def _revocations(states: Sequence[RecordState]) -> dict[str, Revoked]:
    """The first verified revocation of each revoked record."""
    found: dict[str, Revoked] = {}
    verified = [s.revocation for s in states
                if s.revocation is not None and s.status == "active"]
    for revocation in sorted(verified, key=lambda r: r.issued_at):
        found.setdefault(revocation.revokes, Revoked(
            revocation.issued_by, format_time(revocation.issued_at), revocation.reason,
            revocation.id))
    return found


def _empty_row(state: RecordState) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    for name in LIST_COLUMNS[6:]:
        row[name] = []
    row.update({"id": state.id, "kind": state.kind, "status": state.status,
                "file": state.where})
    return row


def _scope(row: dict[str, Any], record: Approval | Token | Revocation | None) -> None:
    if isinstance(record, Approval):
        row.update(authors=list(record.authors), github_logins=list(record.github_logins),
                   assistants=list(record.assistants), paths=list(record.paths),
                   author_keys=list(record.author_keys), valid_from=_time(record.valid_from),
                   valid_until=_time(record.valid_until))
    elif isinstance(record, Token):
        row.update(repository=record.repository,
                   covers=[cover.describe() for cover in record.covers],
                   authors=sorted({cover.author for cover in record.covers}),
                   assistants=sorted({c.assistant for c in record.covers if c.assistant}),
                   valid_from=_time(record.valid_from), valid_until=_time(record.valid_until))
    elif isinstance(record, Revocation):
        row.update(revokes=record.revokes)
    if record is not None:
        row.update(signer=record.issued_by, issued_at=_time(record.issued_at),
                   reason=record.reason)


def record_rows(states: Sequence[RecordState],
                trusted: TrustFiles | None = None,
                tree: TrustFiles | None = None) -> list[dict[str, Any]]:
    """One row per record, every column in each (lists as lists). With `trusted` and the
    work tree's `tree`, a record the trusted commit lacks or holds otherwise is `pending`,
    and `when_merged` says what its status would be."""
    revoked = _revocations(states)
    rows = []
    for state in states:
        row = _empty_row(state)
        _scope(row, state.revocation or state.record)
        gone = revoked.get(state.id)
        if gone is not None:
            row.update(revoked_by=gone.by, revoked_at=gone.at, revoked_reason=gone.reason,
                       revoked_with=gone.revocation)
        if trusted is not None and tree is not None and _differs(state.where, trusted, tree):
            row.update(status=PENDING, when_merged=state.status)
        rows.append(row)
    return rows


def _differs(path: str, trusted: TrustFiles, tree: TrustFiles) -> bool:
    here = tree.files.get(path)
    there = trusted.files.get(path)
    return here is not None and (there is None or there[1] != here[1])


def summary(row: dict[str, Any]) -> str:
    """What a record covers, in a few words."""
    if row["kind"] == "revocation":
        return f"revokes {row['revokes']}"
    if row["kind"] == "token":
        count = len(row["covers"])
        return (f"{counted(count, 'finding')} of "
                f"{', '.join(row['authors'])} in {row['repository']}")
    who = ", ".join([*row["authors"], *(f"@{x}" for x in row["github_logins"])])
    where = f" on {', '.join(row['paths'])}" if row["paths"] else ""
    return f"{who}: {', '.join(row['assistants'])}{where}"


def cell(value: Any) -> str:
    """A value as text: lists joined, nothing for missing (never `None`)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class OpenRequest:
    """A request file no signed approval answers yet (or one that cannot be read)."""

    path: str
    request: ApprovalRequest | None
    problem: str = ""


def answers(approval: Approval, request: ApprovalRequest) -> bool:
    """Whether `approval` is what `approve --request` signs for `request`: its one author,
    assistants, paths and reason (the window starts at the signing, so it is not compared)."""
    return (approval.authors == (request.author,) and not approval.github_logins
            and sorted(approval.assistants) == sorted(request.assistants)
            and tuple(approval.paths) == tuple(request.paths)
            and approval.reason == request.reason.strip())


def open_requests(files: TrustFiles, states: Sequence[RecordState]) -> list[OpenRequest]:
    """The request files under .ai-clearance/requests/ that no verified approval answers;
    an answered one (approved from another branch, its file left behind) is not open."""
    approvals = [s.record for s in states if s.usable and isinstance(s.record, Approval)]
    found = []
    for path in sorted(p for p in files.files if p.startswith(f"{REQUESTS_DIR}/")):
        try:
            request = parse_request(files.files[path][1], path)
        except ClearanceError as exc:
            found.append(OpenRequest(path, None, str(exc)))
            continue
        if not any(answers(approval, request) for approval in approvals):
            found.append(OpenRequest(path, request))
    return found


def request_line(entry: OpenRequest) -> str:
    """An open request in one line, with the command that answers it."""
    if entry.request is None:
        return f"unreadable request {entry.path}: {entry.problem}"
    asked = entry.request
    where = f" on {', '.join(asked.paths)}" if asked.paths else ""
    return (f"open request {asked.id}: {asked.author} asks for {', '.join(asked.assistants)}"
            f"{where}, {counted(asked.days, 'day')}; a maintainer runs: ai-clearance approve "
            f"--request {entry.path}")
