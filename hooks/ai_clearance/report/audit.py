"""The data of an audit: pure functions from a history's findings (as the JSON report states
them), its commits' dates and its approval records to the tables the audit page charts.

Months are those the commits' author dates were written in (`2026-03` for
`2026-03-31T23:00:00-05:00`): when the work was done, in the author's own calendar."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ai_clearance.model import noreply_login

UNCLEARED = frozenset({"fail", "warn"})
SEVERAL = "several"  # a finding whose rule names more than one assistant
NO_ASSISTANT = "(an identity)"  # a finding whose rule names none (a bot's address, say)
NO_FOLDER = "(top level)"
SOON = timedelta(days=30)
# Record states whose signature holds (as approvals/trust.py has them): bad signatures,
# unbound tokens and records with no expiry the policy refuses never held anything.
HELD = frozenset({"active", "expired", "not-yet-valid", "revoked"})


@dataclass(frozen=True)
class Table:
    """What one chart shows, as rows: its columns and values (also the page's table)."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    series: tuple[str, ...] = ()  # the columns charted as series, in drawing order


@dataclass(frozen=True)
class Window:
    """An approval's or token's validity window, for the timeline."""

    id: str
    kind: str
    who: str
    assistants: str
    status: str
    start: datetime
    end: datetime | None  # None: open-ended
    revoked_at: datetime | None = None
    expires_soon: bool = False  # ends within the 30 days after the audit


@dataclass(frozen=True)
class AuditData:
    """An audit's tables, and the windows of its approvals."""

    tables: tuple[Table, ...]
    windows: tuple[Window, ...]
    now: datetime
    summary: Mapping[str, int] = field(default_factory=dict)


def month(iso: str) -> str:
    """The month an ISO 8601 date was written in: `YYYY-MM`."""
    return iso[:7]


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` (`YYYY-MM`, inclusive), none left out."""
    year, mon = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{mon:02d}" <= last:
        months.append(f"{year:04d}-{mon:02d}")
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return months


def assistant_label(finding: Mapping[str, Any]) -> str:
    """The assistant a finding is counted under: its one assistant, else `several` or
    `(an identity)`."""
    assistants = finding.get("assistants") or []
    if len(assistants) == 1:
        return str(assistants[0])
    return SEVERAL if assistants else NO_ASSISTANT


def _dated(findings: Iterable[Mapping[str, Any]]) -> Iterable[tuple[str, Mapping[str, Any]]]:
    """(month, finding) for each finding in a commit with a date."""
    for f in findings:
        when = f.get("author_date") or f.get("committer_date")
        if f.get("commit") and when:
            yield month(str(when)), f


def traced_by_month(findings: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Per month, per assistant: how many commits carry its traces (a commit with traces of
    two assistants counts once under each)."""
    seen: dict[str, dict[str, set[str]]] = {}
    for when, f in _dated(findings):
        seen.setdefault(when, {}).setdefault(assistant_label(f), set()).add(str(f["commit"]))
    return {m: {a: len(c) for a, c in sorted(by.items())} for m, by in sorted(seen.items())}


def commits_by_month(commits: Iterable[tuple[str, str, str]]) -> dict[str, int]:
    """How many commits each month has, from (commit, author date, committer date)."""
    counts: dict[str, int] = {}
    for _, authored, _committed in commits:
        counts[month(authored)] = counts.get(month(authored), 0) + 1
    return dict(sorted(counts.items()))


MAX_SPAN = 600  # months: a longer span (a commit dated 1970 or 9999) lists only its months


def _span(*months: Iterable[str]) -> list[str]:
    """The months from the first to the last given, none left out; only those given when
    they span more than MAX_SPAN months (one odd commit date must not make a page of
    thousands of empty months)."""
    every = sorted({m for ms in months for m in ms})
    if not every:
        return []
    first, last = every[0], every[-1]
    span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    return months_between(first, last) if span <= MAX_SPAN else every


def assistants_table(findings: Sequence[Mapping[str, Any]]) -> Table:
    """Commits with AI traces per month, one column per assistant."""
    by_month = traced_by_month(findings)
    assistants = sorted({a for by in by_month.values() for a in by})
    rows = tuple((m, *(by_month.get(m, {}).get(a, 0) for a in assistants))
                 for m in _span(by_month))
    return Table("assistants", "Commits with AI traces per month, by assistant",
                 ("month", *assistants), rows, tuple(assistants))


def share_table(findings: Sequence[Mapping[str, Any]], totals: Mapping[str, int]) -> Table:
    """Per month: all commits, those with AI traces, and their share in percent."""
    traced: dict[str, set[str]] = {}
    for when, f in _dated(findings):
        traced.setdefault(when, set()).add(str(f["commit"]))
    rows = []
    for m in _span(totals, traced):
        total, some = totals.get(m, 0), len(traced.get(m, ()))
        rows.append((m, total, some, round(100.0 * some / total, 1) if total else 0.0))
    return Table("share", "Share of all commits with AI traces, per month",
                 ("month", "commits", "with traces", "share %"), tuple(rows), ("share %",))


def author_email(author: str) -> str:
    """The address of a `Name <email>` author, case-folded ("" when it has none)."""
    start, end = author.rfind("<"), author.rfind(">")
    return author[start + 1:end].casefold() if 0 <= start < end else ""


def _holders(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The approvals that ever held, by each address and `@login` they name."""
    index: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        if row.get("kind") != "approval" or row.get("status") not in HELD:
            continue
        names = {str(a).casefold() for a in row.get("authors") or []}
        names |= {"@" + str(x).casefold() for x in row.get("github_logins") or []}
        for name in names:
            index.setdefault(name, []).append(row)
    return index


def _held(index: Mapping[str, list[Mapping[str, Any]]], email: str,
          now: datetime) -> tuple[int, int]:
    """How many approvals name this address (or its GitHub login): in all, and active now."""
    login = noreply_login(email)
    rows = {id(r): r for r in [*index.get(email, ()),
                               *index.get("@" + (login or "").casefold(), ())]}
    active = sum(r.get("status") == "active" and _within(r, now) for r in rows.values())
    return len(rows), active


def _within(row: Mapping[str, Any], now: datetime) -> bool:
    until = parse_time(row.get("valid_until"))
    return until is None or until > now


def author_table(findings: Sequence[Mapping[str, Any]], approvals: Sequence[Mapping[str, Any]],
                 now: datetime) -> Table:
    """Per author (by address): findings, those uncleared, and approvals held; most
    findings first."""
    names: dict[str, str] = {}
    counts: dict[str, list[int]] = {}
    for f in findings:
        author = str(f.get("author") or "")
        if not author:
            continue
        email = author_email(author)
        names.setdefault(email, author)
        tally = counts.setdefault(email, [0, 0])
        tally[0] += 1
        tally[1] += f.get("status") in UNCLEARED
    rows = []
    index = _holders(approvals)
    for email, (found, uncleared) in counts.items():
        held, active = _held(index, email, now)
        rows.append((names[email], found, uncleared, held, active))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return Table("authors", "Per author: findings and approvals held",
                 ("author", "findings", "uncleared", "approvals", "active now"), tuple(rows),
                 ("findings", "approvals"))


def folder(path: str) -> str:
    """The top-level folder of a path (`(top level)` for a file at the root)."""
    head, slash, _ = path.partition("/")
    return head if slash else NO_FOLDER


def folder_table(findings: Sequence[Mapping[str, Any]]) -> Table:
    """Per top-level folder: findings in files there, and the commits that brought them."""
    counts: dict[str, tuple[int, set[str]]] = {}
    for f in findings:
        path = f.get("path")
        if not path:
            continue
        found, commits = counts.get(folder(str(path)), (0, set()))
        if f.get("commit"):
            commits.add(str(f["commit"]))
        counts[folder(str(path))] = (found + 1, commits)
    rows = sorted(((name, found, len(commits)) for name, (found, commits) in counts.items()),
                  key=lambda r: (-r[1], r[0]))
    return Table("folders", "Where the traces are: top-level folders",
                 ("folder", "findings", "commits"), tuple(rows), ("findings",))


def clearance_table(findings: Sequence[Mapping[str, Any]]) -> Table:
    """Per month: findings cleared (approved or allowed) and uncleared (failing or warned)."""
    counts: dict[str, list[int]] = {}
    for when, f in _dated(findings):
        tally = counts.setdefault(when, [0, 0])
        tally[f.get("status") in UNCLEARED] += 1
    rows = tuple((m, *counts.get(m, [0, 0])) for m in _span(counts))
    return Table("clearance", "Cleared and uncleared findings over time",
                 ("month", "cleared", "uncleared"), rows, ("cleared", "uncleared"))


def parse_time(value: object) -> datetime | None:
    """A record's time (`2026-01-01T00:00:00Z`) as an aware datetime; None for none."""
    if not value:
        return None
    text = str(value)
    parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def windows(rows: Sequence[Mapping[str, Any]], now: datetime) -> list[Window]:
    """The validity windows of approvals and tokens whose signature holds, oldest first;
    those ending within 30 days of `now` marked."""
    found = []
    for row in rows:
        start = parse_time(row.get("valid_from"))
        if row.get("kind") not in ("approval", "token") or start is None or \
                row.get("status") not in HELD:
            continue
        end = parse_time(row.get("valid_until"))
        revoked = parse_time(row.get("revoked_at"))
        who = [*(row.get("authors") or []), *(f"@{x}" for x in row.get("github_logins") or [])]
        found.append(Window(
            id=str(row.get("id")), kind=str(row.get("kind")), who=", ".join(map(str, who)),
            assistants=", ".join(map(str, row.get("assistants") or [])),
            status=str(row.get("status")), start=start, end=end, revoked_at=revoked,
            expires_soon=end is not None and revoked is None and now <= end <= now + SOON))
    return sorted(found, key=lambda w: (w.start, w.id))


def windows_table(found: Sequence[Window]) -> Table:
    """The approvals timeline as rows."""
    rows = tuple((w.id, w.kind, w.who, w.assistants, w.status, _day(w.start),
                  _day(w.end) if w.end else "open-ended",
                  _day(w.revoked_at) if w.revoked_at else "",
                  "yes" if w.expires_soon else "") for w in found)
    return Table("approvals", "Approvals and tokens: validity windows",
                 ("id", "kind", "who", "assistants", "status", "from", "until", "revoked",
                  "expires within 30 days"), rows, ("window",))


def _day(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).date().isoformat()  # strftime drops year 1's zeros


def audit_data(findings: Sequence[Mapping[str, Any]], totals: Mapping[str, int],
               approvals: Sequence[Mapping[str, Any]], now: datetime) -> AuditData:
    """Every table of the audit page, from findings (JSON report shape), commits per month
    and approval rows (`approvals list --format json` shape)."""
    found = windows(approvals, now)
    traced = {str(f["commit"]) for f in findings if f.get("commit")}
    summary = {"commits": sum(totals.values()), "commits_with_traces": len(traced),
               "findings": len(findings),
               "uncleared": sum(f.get("status") in UNCLEARED for f in findings),
               "approvals": sum(1 for w in found if w.kind == "approval"),
               "expiring_soon": sum(w.expires_soon for w in found)}
    return AuditData((assistants_table(findings), share_table(findings, totals),
                      author_table(findings, approvals, now), folder_table(findings),
                      windows_table(found), clearance_table(findings)),
                     tuple(found), now, summary)
