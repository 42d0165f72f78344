"""Reports of a check: text for people, JSON for machines (a stable, documented schema)."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator, Sequence

from ai_clearance.catalog.rules import Catalog
from ai_clearance.detect.normalize import printable
from ai_clearance.model import Coverage, Decision, Finding
from ai_clearance.values import asdict

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from typing import Any, TextIO

JSON_SCHEMA_VERSION = 1
_STATUS_ORDER = {"fail": 0, "warn": 1, "cleared": 2, "allowed": 3}


def next_step(finding: Finding, source: str, head: str | None) -> str:
    """The exact command (or edit) that removes this trace from what is being checked."""
    path = shlex.quote(finding.path) if finding.path else ""
    if finding.kind == "branch":
        return "git branch -m NEW-NAME  (rename the branch)"
    if finding.kind == "notes":
        return "git push origin --delete refs/notes/ai; git update-ref -d refs/notes/ai"
    if finding.note is not None:
        ref = shlex.quote(finding.note)
        return f"git notes --ref={ref} edit {(finding.commit or '')[:12]}  (remove line " \
               f"{finding.line} of the note, then push {ref})"
    if source == "message":
        if finding.kind == "identity":
            return "commit under your own identity (check user.name, user.email and " \
                   "GIT_AUTHOR_*/GIT_COMMITTER_* variables)"
        return f"edit the message and remove line {finding.line}; the commit was not made"
    if source in ("staged", "tree"):
        return f"git rm --cached -- {path}"
    at_head = finding.commit is not None and finding.commit == head
    if finding.path:
        if at_head:
            return f"git rm --cached -- {path} && git commit --amend --no-edit"
        return f"git rebase -i {(finding.commit or '')[:12]}^  (edit that commit: " \
               f"git rm --cached -- {path})"
    if finding.kind == "identity":
        if at_head:
            return "git commit --amend --reset-author --no-edit"
        return f"git rebase -i {(finding.commit or '')[:12]}^  (edit: git commit --amend " \
               "--reset-author --no-edit)"
    if at_head:
        return f"git commit --amend  (remove line {finding.line} of the message)"
    return f"git rebase -i {(finding.commit or '')[:12]}^  (reword that commit, remove line " \
           f"{finding.line})"


def _where(finding: Finding) -> str:
    if finding.note is not None:
        return f"note {printable(finding.note)} line {finding.line}"
    if finding.path is not None:
        suffix = f":{finding.line}" if finding.line else ""
        return f"{printable(finding.path)}{suffix}"
    if finding.line is not None:
        return f"message line {finding.line}"
    return ""


def _group_key(decision: Decision) -> tuple[str, str]:
    f = decision.finding
    return (f.commit or "", str(f.author) if f.author else "")


def write_text(out: TextIO, decisions: Sequence[Decision], coverage: Coverage, verdict: str,
               catalog: Catalog, head: str | None = None) -> None:
    """Write a report grouped by commit and author, failing findings first, each with its
    fix; line by line, so a long report is never held whole."""
    for line in _text_lines(decisions, coverage, verdict, catalog, head):
        out.write(line + "\n")


def _text_lines(decisions: Sequence[Decision], coverage: Coverage, verdict: str,
                catalog: Catalog, head: str | None) -> Iterator[str]:
    failing = [d for d in decisions if d.status == "fail"]
    warnings = [d for d in decisions if d.status == "warn"]
    passed = [d for d in decisions if d.status in ("cleared", "allowed")]
    for title, group in (("Unapproved traces", failing), ("Warnings", warnings),
                         ("Cleared or allowed", passed)):
        if not group:
            continue
        yield f"{title}:"
        groups: dict[tuple[str, str], list[Decision]] = {}
        for d in group:
            groups.setdefault(_group_key(d), []).append(d)
        for (commit, author), items in groups.items():
            label = f"commit {commit[:12]}" if commit else _source_label(coverage.source)
            who = f"  {printable(author)}" if author else ""
            yield f"  {label}{who}"
            for d in items:
                f = d.finding
                rule = catalog.by_id.get(f.rule)
                description = rule.description if rule else f.rule
                yield f"    {f.rule} [{f.severity}] {_assistants(f)}: {description}"
                where = _where(f)
                evidence = "" if f.path is not None and f.evidence == printable(f.path) \
                    else f.evidence
                yield "      " + ": ".join(x for x in (where, evidence) if x)
                if d.status in {"fail", "warn"}:
                    yield f"      fix: {next_step(f, coverage.source, head)}"
                if d.cleared_by:
                    yield f"      {d.status} by {printable(d.cleared_by)}"
        yield ""
    commands = approval_commands(failing)
    if commands:
        yield ("To keep these traces instead, a maintainer signs an approval and commits it "
               "to the protected branch:")
        yield from (f"  {command}" for command in commands)
        yield ""
    yield from _trust_lines(coverage)
    yield from _unjudged_lines(coverage)
    counts = f"{len(failing)} unapproved, {len(warnings)} warnings, {len(passed)} cleared"
    yield f"ai-clearance: {verdict.upper()}: {counts}. {_coverage_line(coverage)}"


def approval_commands(failing: Sequence[Decision]) -> list[str]:
    """The exact `ai-clearance approve` commands that would clear these findings."""
    wanted: dict[tuple[str, str], list[str]] = {}
    for decision in failing:
        f = decision.finding
        email = f.author_email
        if not email or not f.assistants:
            continue
        paths = wanted.setdefault((email, f.assistants[0]), [])
        if f.severity == "leak" and f.path is not None and f.path not in paths:
            paths.append(f.path)
    commands = []
    for (email, assistant), paths in wanted.items():
        parts = ["ai-clearance", "approve", "--author", email, "--assistant", assistant]
        for path in paths:
            parts.extend(["--path", path])
        parts.extend(["--expires", "90d", "--reason", f"approved use of {assistant}"])
        commands.append(" ".join(shlex.quote(p) for p in parts))
    return commands


def _trust_lines(coverage: Coverage) -> list[str]:
    trust = coverage.trust
    lines = []
    if trust:
        lines.append(f"Trust: policy and {trust.get('signers', 0)} maintainer keys from "
                     f"{trust.get('source')}; {trust.get('approvals_active', 0)} approvals and "
                     f"{trust.get('tokens_active', 0)} tokens active.")
        notes = trust.get("notes")
        if isinstance(notes, list):
            lines.extend(f"note: {printable(str(n))}" for n in notes[:20])
    for path in coverage.pending:
        lines.append(f"pending (takes effect after merge): {printable(path)}")
    return lines


def _unjudged_lines(coverage: Coverage) -> list[str]:
    return [f"could not be judged (its blob is not in this clone): {unjudged_place(u)}"
            for u in coverage.unjudged]


def unjudged_place(entry: dict[str, str | None]) -> str:
    """Where a file that could not be judged is: its path, and its commit if it has one."""
    commit = entry.get("commit")
    path = printable(entry.get("path") or "")
    return f"{path} in commit {commit[:12]}" if commit else path


def _assistants(finding: Finding) -> str:
    names = finding.assistants
    if len(names) <= 4:
        return ", ".join(names)
    return f"{', '.join(names[:3])} and {len(names) - 3} more"


def _source_label(source: str) -> str:
    return {"staged": "staged changes", "message": "commit message", "tree": "tree"}.get(
        source, source)


def _coverage_line(coverage: Coverage) -> str:
    parts = [f"Checked {_source_label(coverage.source)}"]
    if coverage.range:
        parts.append(f"{coverage.range}")
    if coverage.source in ("range", "history"):
        parts.append(f"{coverage.commits_scanned} commits")
    parts.append(f"{coverage.paths_scanned} paths")
    if coverage.branches:
        parts.append(f"branches {', '.join(printable(b) for b in coverage.branches[:5])}")
    parts.append(f"policy: {coverage.policy or 'defaults'}")
    return "; ".join(parts) + "."


def _finding_json(decision: Decision, source: str, head: str | None) -> dict[str, Any]:
    f = decision.finding
    return {
        "rule": f.rule,
        "assistants": list(f.assistants),
        "kind": f.kind,
        "severity": f.severity,
        "status": decision.status,
        "commit": f.commit,
        "author": str(f.author) if f.author else None,
        "path": f.path,
        "line": f.line,
        "evidence": f.evidence,
        "cleared_by": decision.cleared_by,
        "next_step": next_step(f, source, head) if decision.status in ("fail", "warn") else None,
    }


def report_data(decisions: Sequence[Decision], coverage: Coverage, verdict: str,
                head: str | None = None) -> dict[str, Any]:
    """The JSON report as a dict (see README, "JSON report")."""
    ordered = sorted(decisions, key=lambda d: _STATUS_ORDER[d.status])
    return {
        "schema": JSON_SCHEMA_VERSION,
        "verdict": verdict,
        "coverage": asdict(coverage),
        "counts": {s: sum(1 for d in decisions if d.status == s) for s in _STATUS_ORDER},
        "findings": [_finding_json(d, coverage.source, head) for d in ordered],
        "approve_commands": approval_commands([d for d in decisions if d.status == "fail"]),
    }


def write_json(out: TextIO, decisions: Sequence[Decision], coverage: Coverage, verdict: str,
               head: str | None = None) -> None:
    """Write the JSON report to `out`: one document, keys in a fixed order. Written in
    batches as it is encoded: the whole text of a report with many findings is never held,
    and an unbuffered stdout (PYTHONUNBUFFERED, common in CI images) is not written a few
    bytes at a time (500 writes for a report of 20 findings)."""
    # ASCII escapes keep paths with undecodable bytes (lone surrogates) valid JSON.
    batch: list[str] = []
    size = 0
    for piece in json.JSONEncoder(indent=2).iterencode(
            report_data(decisions, coverage, verdict, head)):
        batch.append(piece)
        size += len(piece)
        if size >= _WRITE_BATCH:
            out.write("".join(batch))
            batch.clear()
            size = 0
    batch.append("\n")
    out.write("".join(batch))


_WRITE_BATCH = 1 << 16
