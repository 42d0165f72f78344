"""A report on GitHub: `::error`/`::warning` annotations, the job log, the job summary in
Markdown, and the escapes that keep text from the commits from becoming workflow commands."""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Mapping, Sequence

from ai_clearance.report.model import Report, Reported, RuleInfo, docs_url
from ai_clearance.report.render import MAX_COMMANDS, request_commands, where, write_json
from ai_clearance.report.sarif import finding_message, sarif_text
from ai_clearance.report.words import counted, number

MAX_ANNOTATIONS = 50
MAX_SUMMARY_BYTES = 900_000  # GitHub caps a step summary at 1 MiB
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


# ------------------------------------------------------------------------ workflow commands
def escape_data(text: str) -> str:
    """Text made safe as a workflow command's data: one line, read back as written."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Text made safe as a workflow command's property value (`file=`, `title=`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, text: str) -> str:
    """An `::error`, `::warning` or `::notice` of the action itself, about no file."""
    return f"::{level} title=ai-clearance::{escape_data(text)}"


def workflow_commands(report: Report) -> list[str]:
    """`::error`/`::warning` workflow commands for the failing and warning findings (the first
    MAX_ANNOTATIONS), on files and lines where the finding has one."""
    lines = []
    ordered = report.with_status("fail", "warn")
    for f in ordered[:MAX_ANNOTATIONS]:
        level = "error" if f.status == "fail" else "warning"
        props = [f"title={escape_property('ai-clearance ' + f.rule)}"]
        if f.path:
            props.insert(0, f"file={escape_property(f.path)}")
            if f.line:
                props.insert(1, f"line={int(f.line)}")
        lines.append(f"::{level} {','.join(props)}::{escape_data(finding_message(f))}")
    if len(ordered) > MAX_ANNOTATIONS:
        left_out = counted(len(ordered) - MAX_ANNOTATIONS, "more finding")
        lines.append(annotation("notice", f"{left_out} in the job summary and the JSON "
                                "report"))
    return lines


def _fresh_token(text: str) -> str:
    """32 random hex digits that `text` does not hold (in any case: the runner ignores it)."""
    while True:
        token = secrets.token_hex(16)
        if token not in text.lower():
            return token


def untrusted_block(text: str) -> str:
    """`text` between `::stop-commands::TOKEN` and `::TOKEN::`, with a random TOKEN that it
    does not contain: the runner executes no workflow command that the text holds."""
    token = _fresh_token(text)
    return f"::stop-commands::{token}\n{text.rstrip(chr(10))}\n::{token}::\n"


def output_file_text(values: Mapping[str, object]) -> str:
    """`values` in GITHUB_OUTPUT's `NAME<<DELIMITER` form: a value can hold any text, even
    newlines and `name=value` lines, and still sets only its own output."""
    parts = []
    for name, raw in values.items():
        text = str(raw)
        delimiter = f"ai_clearance_{_fresh_token(text)}"
        parts.append(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")
    return "".join(parts)


# ------------------------------------------------------------------------ the job log
def one_line(text: str) -> str:
    """`text` with every run of line breaks made one space."""
    return re.sub(r"[\r\n]+", " ", text)


def log_lines(report: Report) -> list[str]:
    """The job log's text format: one line per finding (its text may hold anything)."""
    lines = []
    for f in report.findings:
        where = f.path or (f.commit or "")[:12]
        lines.append(one_line(f"{f.status:<8} {f.rule} {','.join(f.assistants)} {where}: "
                               f"{f.evidence}"))
    return lines


def job_log(report: Report, log_format: str) -> str:
    """What the job log shows of a report (text, json or sarif), then its verdict line. It
    holds text from the commits: print it inside `untrusted_block`."""
    if log_format == "json":
        buffer = io.StringIO()
        write_json(buffer, report)
        text = buffer.getvalue()
    elif log_format == "sarif":
        text = sarif_text(report)
    else:
        text = "".join(f"{line}\n" for line in log_lines(report))
    coverage = report.coverage
    return text + (f"ai-clearance: {report.verdict.upper()}: {report.count('fail')} "
                   f"unapproved, {counted(report.count('warn'), 'warning')}; "
                   f"{counted(coverage.commits_scanned, 'commit')} in {coverage.range}; "
                   f"policy and trust from {coverage.trust.get('source')}\n")


# ------------------------------------------------------------------------ the job summary
def _cell(text: object) -> str:
    """Text as one table cell: no line break (a CR is one too) or pipe ends it early."""
    return one_line(str(text or "")).replace("|", "\\|").replace("`", "'")[:300]


def summary_markdown(report: Report, commit_url: str | None = None) -> str:
    """The job summary: verdict, coverage, findings grouped per author with their fixes.
    With `commit_url` (`https://github.com/OWNER/REPO/commit/`), commits link there."""
    coverage = report.coverage
    icon = "❌" if report.verdict == "fail" else "✅"
    out = [f"## {icon} ai-clearance: {report.verdict.upper()}", ""]
    out.append(f"{report.count('fail')} unapproved, {counted(report.count('warn'), 'warning')}, "
               f"{report.count('cleared', 'allowed')} cleared or allowed. "
               f"Checked {coverage.source} `{coverage.range or ''}`: "
               f"{counted(coverage.commits_scanned, 'commit')}, "
               f"{counted(coverage.paths_scanned, 'path')}.")
    trust = coverage.trust
    if trust:
        out.append(f"Policy and trust from `{trust.get('source')}`: "
                   f"{counted(number(trust.get('signers')), 'maintainer key')}, "
                   f"{counted(number(trust.get('approvals_active')), 'approval')}, "
                   f"{counted(number(trust.get('tokens_active')), 'token')} active.")
    out.append("")
    for status, title in (("fail", "Unapproved"), ("warn", "Warnings"),
                          ("cleared", "Cleared by approval or token"),
                          ("allowed", "Allowed by policy")):
        out.extend(_summary_section(title, report.with_status(status), commit_url,
                                    report.rules))
    if report.approve_commands:
        out.extend(_what_to_do(report.approve_commands))
    out.extend(f"- pending (takes effect after merge): `{_cell(path)}`"
               for path in coverage.pending)
    notes = trust.get("notes")
    out.extend(f"- note: {_cell(note)}" for note in (notes if isinstance(notes, list) else []))
    return _capped("\n".join(out) + "\n")


def _what_to_do(commands: Sequence[str]) -> list[str]:
    """The ways forward, as the text report gives them: ask for an approval first."""
    shown = list(commands[:MAX_COMMANDS])
    if len(commands) > MAX_COMMANDS:
        shown.append(f"# ... and {len(commands) - MAX_COMMANDS} more (--format json lists "
                     "them all under approve_commands)")
    return ["### What to do",
            "Keep the traces and ask for an approval (a maintainer approves each request "
            "with `ai-clearance approve --request`):", "", "```sh",
            *request_commands(commands), "```", "",
            "Or a maintainer signs an approval and commits it to the protected branch:", "",
            "```sh", *shown, "```", "",
            "Or, if no assistant was used for this change, remove each trace with its fix "
            "above.", ""]


def _commit_cell(sha: str | None, commit_url: str | None) -> str:
    """A commit's first 12 digits, linked to `commit_url` + the full sha where there is one."""
    if not sha:
        return ""
    if commit_url and _SHA.fullmatch(sha):
        return f"[{sha[:12]}]({commit_url}{sha})"
    return _cell(sha[:12])


def _rule_cell(rule: RuleInfo | None, rule_id: str) -> str:
    """A rule's id, linked to its documentation where it has a page."""
    page = docs_url(rule) if rule is not None else None
    return f"[{_cell(rule_id)}]({page})" if page else _cell(rule_id)


def _summary_section(title: str, group: list[Reported], commit_url: str | None,
                     rules: Mapping[str, RuleInfo]) -> list[str]:
    if not group:
        return []
    out = [f"### {title}"]
    by_author: dict[str, list[Reported]] = {}
    for f in group:
        by_author.setdefault(f.author or "(no author)", []).append(f)
    for author, items in by_author.items():
        out.append(f"**{_cell(author)}**")
        out.append("")
        out.append("| rule | confidence | assistants | commit | where | evidence | next step |")
        out.append("|---|---|---|---|---|---|---|")
        for f in items:
            place = f.path or where(f)
            # What the policy's mode asks (the trailer to add) before the removal.
            step = "; ".join(x for x in (f.why, f.next_step) if x) or f.cleared_by or ""
            out.append(f"| {_rule_cell(rules.get(f.rule), f.rule)} | {f.confidence} | "
                       f"{_cell(', '.join(f.assistants))} | "
                       f"{_commit_cell(f.commit, commit_url)} | {_cell(place)} | "
                       f"{_cell(f.evidence)} | {_cell(step)} |")
        out.append("")
    return out


def _capped(text: str) -> str:
    # Undecodable bytes in names and paths (lone surrogates here) count as their escapes.
    encoded = text.encode("utf-8", "backslashreplace")
    if len(encoded) > MAX_SUMMARY_BYTES:
        text = encoded[:MAX_SUMMARY_BYTES].decode("utf-8", "ignore")
        text += "\n\n…summary truncated; the JSON report has every finding.\n"
    return text
