"""Text for people and JSON for machines (a stable, documented schema), from one Report."""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict

from ai_clearance.detect.normalize import printable
from ai_clearance.model import Coverage
from ai_clearance.report.model import STATUSES, Report, Reported, docs_url
from ai_clearance.report.words import counted, number

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from typing import Any, TextIO

JSON_SCHEMA_VERSION = 1


# ------------------------------------------------------------------------ text
def write_text(out: TextIO, report: Report) -> None:
    """Write a report grouped by commit and author, failing findings first, each with its
    fix; line by line, so a long report is never held whole. In colour on a terminal."""
    if not wants_colour(out, os.environ):
        for line in text_lines(report):
            out.write(line + "\n")
        return
    import click  # on Windows, click.echo makes a console show the colours (colorama)

    for line in text_lines(report):
        click.echo(painted(line), file=out, color=True)


def wants_colour(out: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour for a terminal, none when piped; NO_COLOR (any value) turns it off and
    FORCE_COLOR on, as the conventions of those names say (no-color.org)."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


_BOLD, _RED, _YELLOW, _GREEN, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[0m"
_SEVERITY_COLOUR = {"[leak]": _RED, "[block]": _RED, "[warn]": _YELLOW}
_SEVERITY = re.compile(r"(    \S+ )(\[(?:leak|block|warn)\])")  # a finding's first line


def painted(line: str) -> str:
    """One line of the text report with its verdict, headings and severities coloured."""
    if line.startswith("ai-clearance: FAIL"):
        return f"{_BOLD}{_RED}{line}{_RESET}"
    if line.startswith("ai-clearance: PASS"):
        return f"{_BOLD}{_GREEN}{line}{_RESET}"
    if line.endswith(":") and not line.startswith(" "):
        return f"{_BOLD}{line}{_RESET}"
    match = _SEVERITY.match(line)
    if match is not None:
        colour = _SEVERITY_COLOUR[match.group(2)]
        return f"{match.group(1)}{colour}{match.group(2)}{_RESET}{line[match.end():]}"
    return line


def text_lines(report: Report) -> Iterator[str]:
    """The text report, one line at a time."""
    coverage = report.coverage
    for title, statuses in (("Unapproved traces", ("fail",)), ("Warnings", ("warn",)),
                            ("Cleared or allowed", ("cleared", "allowed"))):
        group = report.with_status(*statuses)
        if not group:
            continue
        yield f"{title}:"
        groups: dict[tuple[str, str], list[Reported]] = {}
        for f in group:
            groups.setdefault((f.commit or "", f.author or ""), []).append(f)
        for (commit, author), items in groups.items():
            label = f"commit {commit[:12]}" if commit else _source_label(coverage.source)
            who = f"  {printable(author)}" if author else ""
            yield f"  {label}{who}"
            yield from _group_lines(report, items)
        yield ""
    yield from _rule_docs(report)
    yield from _roll_up(report)
    yield from _ways_forward(report)
    yield from _trust_lines(coverage)
    yield from (f"could not be judged (its blob is not in this clone): {unjudged_place(u)}"
                for u in coverage.unjudged)
    counts = f"{report.count('fail')} unapproved, {counted(report.count('warn'), 'warning')}, " \
             f"{report.count('cleared', 'allowed')} cleared"
    yield f"ai-clearance: {report.verdict.upper()}: {counts}. {_coverage_line(coverage)}"


def _rule_docs(report: Report) -> Iterator[str]:
    """One documentation link per rule that failed or warned (`explain ID` says the same)."""
    shown = sorted({f.rule for f in report.with_status("fail", "warn")})
    pages = [(rule, docs_url(report.rules[rule])) for rule in shown if rule in report.rules]
    listed = [f"  {rule}: {page}" for rule, page in pages if page is not None]
    if listed:
        yield "Rule docs (or: ai-clearance explain ID):"
        yield from listed
        yield ""


# A report with more failing or warning findings than this ends with counts per assistant
# and per author; it prints at most MAX_COMMANDS approve commands (JSON has them all).
ROLL_UP_FROM = 20
MAX_COMMANDS = 10


def _roll_up(report: Report) -> Iterator[str]:
    """Counts per assistant and per author, for a report too long to take in line by line."""
    shown = report.with_status("fail", "warn")
    if len(shown) <= ROLL_UP_FROM:
        return
    by_assistant: dict[str, int] = {}
    by_author: dict[str, int] = {}
    for f in shown:
        for assistant in f.assistants or ("(an identity)",):
            by_assistant[assistant] = by_assistant.get(assistant, 0) + 1
        who = f.author or "(no author)"
        by_author[who] = by_author.get(who, 0) + 1
    yield f"In all, {counted(len(shown), 'trace')} unapproved or warned of:"
    for label, counts in (("by assistant", by_assistant), ("by author", by_author)):
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        listed = ", ".join(f"{printable(name)} {count}" for name, count in ranked[:10])
        more = f", and {len(ranked) - 10} more" if len(ranked) > 10 else ""
        yield f"  {label}: {listed}{more}"
    yield ""


def _ways_forward(report: Report) -> Iterator[str]:
    """What to do about failing findings, most honest first: keep the traces (they tell that
    an assistant was used) and have them approved; else remove each with its fix."""
    commands = report.approve_commands
    if not commands:
        return
    yield "What to do:"
    yield "  Keep the traces and ask for an approval (each request prints a line to send):"
    yield from (f"    {request}" for request in request_commands(commands))
    yield ("  (a maintainer approves each with approve --request LINE, or runs these, then "
           "commits the records to the protected branch):")
    yield from (f"    {command}" for command in commands[:MAX_COMMANDS])
    if len(commands) > MAX_COMMANDS:
        yield f"    ... and {len(commands) - MAX_COMMANDS} more (--format json lists them " \
              "all under approve_commands)"
    yield "  Or, if no assistant was used for this change, remove each trace with its fix above."
    yield ""


# A request names at most 100 paths; leak paths beyond this many go into further requests.
_PATHS_PER_REQUEST = 50


def request_commands(commands: Sequence[str]) -> list[str]:
    """The requests a developer writes that, once approved, clear what the approve
    `commands` clear: one for every assistant an unscoped command names, and for the
    path-scoped ones (leaks: only an approval naming their path clears them) one per
    assistant with their paths."""
    unscoped: list[str] = []
    scoped: dict[str, list[str]] = {}
    for command in commands:
        assistants, paths = _scope_of(command)
        if not paths:
            unscoped.extend(a for a in assistants if a not in unscoped)
            continue
        for assistant in assistants:
            known = scoped.setdefault(assistant, [])
            known.extend(p for p in paths if p not in known)
    requests = [_request(sorted(unscoped), [])] if unscoped else []
    for assistant, paths in sorted(scoped.items()):
        requests.extend(_request([assistant], paths[start:start + _PATHS_PER_REQUEST])
                        for start in range(0, len(paths), _PATHS_PER_REQUEST))
    return requests


def _request(assistants: Sequence[str], paths: Sequence[str]) -> str:
    words = [*(f"--assistant {shlex.quote(a)}" for a in assistants),
             *(f"--path {shlex.quote(p)}" for p in paths)]
    return f"ai-clearance request {' '.join(words)} --reason 'WHY' --print"


def _scope_of(command: str) -> tuple[list[str], list[str]]:
    """The assistant ids and path globs an approve command names."""
    try:
        words = shlex.split(command)
    except ValueError:  # not one of ours
        return [], []
    pairs = list(itertools.pairwise(words))
    return ([value for word, value in pairs if word == "--assistant"],
            [value for word, value in pairs if word == "--path"])


def _group_lines(report: Report, items: list[Reported]) -> Iterator[str]:
    """The findings of one commit; those that share a fix (the traces of one agent folder)
    one after the other, the fix once after the last of them."""
    first: dict[str | None, int] = {}
    for index, f in enumerate(items):
        first.setdefault(f.next_step, index)
    ordered = sorted(items, key=lambda f: first[f.next_step])
    for index, f in enumerate(ordered):
        last = index + 1 == len(ordered) or ordered[index + 1].next_step != f.next_step
        yield from _finding_lines(report, f, last)


def _finding_lines(report: Report, f: Reported, with_fix: bool = True) -> Iterator[str]:
    yield (f"    {f.rule} [{f.severity}] {_assistants(f)} (confidence {f.confidence}): "
           f"{report.rules[f.rule].description}")
    evidence = "" if f.path is not None and f.evidence == printable(f.path) else f.evidence
    yield "      " + ": ".join(x for x in (where(f, printable), evidence) if x)
    if f.next_step and with_fix:
        yield f"      fix: {f.next_step}"
    if f.why:
        yield f"      {f.status}: {printable(f.why)}"
    if f.cleared_by:
        yield f"      {f.status} by {printable(f.cleared_by)}"


def where(finding: Reported, shown: Callable[[str], str] = str) -> str:
    """Where a finding is, in words: a path and line, a note's or a message's line, the
    pull request's title or a line of its description ("" for a commit's identity)."""
    if finding.pull_request == "title":
        return "pull request title"
    if finding.pull_request is not None:
        return f"pull request description line {finding.line}"
    if finding.note is not None and finding.path is None:
        return f"note {shown(finding.note)} line {finding.line}"
    if finding.path is not None:
        suffix = f":{finding.line}" if finding.line else ""
        return f"{shown(finding.path)}{suffix}"
    if finding.line is not None:
        return f"message line {finding.line}"
    return ""


def _trust_lines(coverage: Coverage) -> list[str]:
    trust = coverage.trust
    lines = []
    if trust:
        signers = counted(number(trust.get("signers")), "maintainer key")
        lines.append(f"Trust: policy and {signers} from {trust.get('source')}; "
                     f"{counted(number(trust.get('approvals_active')), 'approval')} and "
                     f"{counted(number(trust.get('tokens_active')), 'token')} active.")
        notes = trust.get("notes")
        if isinstance(notes, list):
            lines.extend(f"note: {printable(str(n))}" for n in notes[:20])
    for path in coverage.pending:
        lines.append(f"pending (takes effect after merge): {printable(path)}")
    return lines


def unjudged_place(entry: dict[str, str | None]) -> str:
    """Where a file that could not be judged is: its path, and its commit if it has one."""
    commit = entry.get("commit")
    path = printable(entry.get("path") or "")
    return f"{path} in commit {commit[:12]}" if commit else path


def _assistants(finding: Reported) -> str:
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
        parts.append(counted(coverage.commits_scanned, "commit"))
    parts.append(counted(coverage.paths_scanned, "path"))
    if coverage.branches:
        parts.append(f"branches {', '.join(printable(b) for b in coverage.branches[:5])}")
    parts.append(f"policy: {coverage.policy or 'defaults'}")
    return "; ".join(parts) + "."


# ------------------------------------------------------------------------ JSON
def _finding_json(f: Reported) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "assistants": list(f.assistants),
        "kind": f.kind,
        "severity": f.severity,
        "confidence": f.confidence,
        "status": f.status,
        "commit": f.commit,
        "author": f.author,
        "author_date": f.author_date,
        "committer_date": f.committer_date,
        "path": f.path,
        "line": f.line,
        "pull_request": f.pull_request,
        "evidence": f.evidence,
        "cleared_by": f.cleared_by,
        "next_step": f.next_step,
        "why": f.why,
    }


def finding_json(f: Reported) -> dict[str, Any]:
    """One finding as the JSON report states it."""
    return _finding_json(f)


def report_json(report: Report) -> dict[str, Any]:
    """The JSON report as a dict (see docs/cli.md, "JSON report")."""
    return {
        "schema": JSON_SCHEMA_VERSION,
        "verdict": report.verdict,
        "coverage": asdict(report.coverage),
        "counts": {status: report.count(status) for status in STATUSES},
        "findings": [_finding_json(f) for f in report.findings],
        "approve_commands": list(report.approve_commands),
    }


def write_json(out: TextIO, report: Report) -> None:
    """Write the JSON report to `out`: one document, keys in a fixed order. Written in
    batches as it is encoded: the whole text of a report with many findings is never held,
    and an unbuffered stdout (PYTHONUNBUFFERED, common in CI images) is not written a few
    bytes at a time (500 writes for a report of 20 findings)."""
    # ASCII escapes keep paths with undecodable bytes (lone surrogates) valid JSON.
    batch: list[str] = []
    size = 0
    for piece in json.JSONEncoder(indent=2).iterencode(report_json(report)):
        batch.append(piece)
        size += len(piece)
        if size >= _WRITE_BATCH:
            out.write("".join(batch))
            batch.clear()
            size = 0
    batch.append("\n")
    out.write("".join(batch))


_WRITE_BATCH = 1 << 16
