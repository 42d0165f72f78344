"""`ai-clearance audit`: a history's AI traces, approvals and clearance over time, as an HTML
page, JSON and CSV. The findings are the check's own (source/ → detect/ → clearance/)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import click

from ai_clearance.errors import GitError, UsageError
from ai_clearance.git import gitio

AUDIT_HELP = ("Exit codes: 0 the report was written (whatever it found); 2 usage or "
              "configuration error, or a file that cannot be written; 3 git error or "
              "incomplete history (fail closed); 4 internal error.")


def parse_date(text: str, end: bool = False) -> datetime:
    """An ISO 8601 date or time (UTC unless it names an offset); a date alone is the start
    of that day, or with `end` the start of the next (so --until includes it)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{text!r} is not a date: give YYYY-MM-DD or an ISO 8601 time") \
            from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if end and len(text.strip()) == 10:
        moment += timedelta(days=1)
    return moment


def in_window(committed: str | None, window: tuple[datetime | None, datetime | None]) -> bool:
    """Whether a commit's committer date (strict ISO 8601) is in [since, until); what has no
    date (a finding in no commit) is always in."""
    since, until = window
    if committed is None or (since is None and until is None):
        return True
    moment = datetime.fromisoformat(committed)
    return (since is None or moment >= since) and (until is None or moment < until)


def revision_args(repo: gitio.Repo, given: Sequence[str]) -> list[str]:
    """git revision arguments for REVs as `check --range` reads them: `A..B` and `A...B`
    (B's commits since A, or since its merge base with A), else a commit and its history."""
    if not given:
        given = ["HEAD"]
    revs: list[str] = []
    for rev in given:
        if not rev.strip() or rev.startswith("-"):
            raise UsageError(f"{rev!r} is not a revision")
        left, dots, right = rev.partition("...") if "..." in rev else rev.partition("..")
        if not dots:
            revs.append(_resolve(repo, rev))
            continue
        revs.extend([_resolve(repo, right or "HEAD"), "^" + _resolve(repo, left or "HEAD")])
    return revs


def _resolve(repo: gitio.Repo, rev: str) -> str:
    sha = gitio.resolve_commit(repo, rev)
    if sha is None:
        raise GitError(f"cannot resolve '{rev}' to a commit")
    return sha


@click.command(epilog=AUDIT_HELP)
@click.argument("revs", nargs=-1, metavar="[REV]...")
@click.option("--since", metavar="DATE",
              help="Only commits committed on or after DATE (YYYY-MM-DD or ISO 8601; UTC).")
@click.option("--until", metavar="DATE",
              help="Only commits committed before DATE's end (a date includes its day).")
@click.option("--html", "html_file", metavar="FILE",
              help="Write the page (charts and tables; needs ai-clearance[audit]).")
@click.option("--json", "json_file", metavar="FILE", help="Write the data as JSON.")
@click.option("--csv", "csv_file", metavar="FILE", help="Write the findings as CSV.")
@click.option("--config", metavar="FILE",
              help="Policy file instead of .ai-clearance.toml / pyproject.toml.")
@click.option("--trust-ref", metavar="REF",
              help="Read policy and approvals from REF (as `check --trust-ref`).")
@click.option("--no-trust", is_flag=True, help="The default policy and no approvals.")
@click.option("-C", "directory", default=".", metavar="DIR", help="Run as if started in DIR.")
def audit(**options: Any) -> None:
    """Report AI traces over a history (default: all of HEAD's) as HTML, JSON and CSV.

    REV is a commit (its whole history), A..B or A...B, as `check --range` takes them."""
    sys.exit(run_audit(**options))


def run_audit(revs: tuple[str, ...], since: str | None, until: str | None,
              html_file: str | None, json_file: str | None, csv_file: str | None,
              config: str | None, trust_ref: str | None, no_trust: bool,
              directory: str) -> int:
    """Scan, chart and write every file asked for; return the exit code."""
    from ai_clearance.check import Request, check_report, exit_code
    from ai_clearance.cli.atomic import replace_path

    if not (html_file or json_file or csv_file):
        raise UsageError("give at least one of --html FILE, --json FILE, --csv FILE")
    if no_trust and trust_ref:
        raise UsageError("--no-trust and --trust-ref exclude each other")
    # Filtered here, not by git: `git log --since` stops its walk at the first commit whose
    # date it cannot parse, so one odd commit object would hide all the history behind it.
    window = (parse_date(since) if since else None,
              parse_date(until, end=True) if until else None)
    repo = gitio.discover(directory)
    if repo.shallow:
        raise GitError("this clone is shallow, so its history is incomplete; fetch it all "
                       "(git fetch --unshallow, or fetch-depth: 0 in actions/checkout)")
    selected = revision_args(repo, revs)
    request = Request(source="revs", revs=tuple(selected), argument=" ".join(revs) or "HEAD",
                      allow_empty=True, at_commit_dates=True, output_format="json",
                      config=config, trust_ref=trust_ref, no_trust=no_trust, cwd=directory)
    report = check_report(request)
    exit_code(report)  # files that could not be judged: exit 3, no partial audit written
    outputs = _outputs(repo, request, report, selected,
                       {"revisions": list(revs) or ["HEAD"], "since": since, "until": until},
                       html_file, window)
    written = []
    for path, key in ((html_file, "html"), (json_file, "json"), (csv_file, "csv")):
        if path:
            # A path that is not UTF-8 is held with lone surrogates: written as escapes.
            replace_path(path, outputs[key].encode("utf-8", "backslashreplace"))
            written.append(path)
    summary = outputs["summary"]
    click.echo(f"ai-clearance audit: {summary}; wrote {', '.join(written)}")
    return 0


def _outputs(repo: gitio.Repo, request: Any, report: Any, selected: list[str],
             selection: dict[str, Any], html_file: str | None,
             window: tuple[datetime | None, datetime | None]) -> dict[str, str]:
    """The text of every file the audit can write, built before any is written."""
    from ai_clearance.approvals.records import utc_now
    from ai_clearance.check import trusted_records
    from ai_clearance.cli.listing import record_rows
    from ai_clearance.report.audit import audit_data, commits_by_month
    from ai_clearance.report.audit_export import audit_json, findings_csv
    from ai_clearance.report.render import finding_json
    from ai_clearance.report.words import counted

    findings = [f for f in map(finding_json, report.findings)
                if in_window(f["committer_date"], window)]
    totals = commits_by_month(row for row in gitio.commit_dates(repo, selected)
                              if in_window(row[2], window))
    rows = [] if request.no_trust else record_rows(trusted_records(request))
    data = audit_data(findings, totals, rows, utc_now())
    numbers = data.summary
    outputs = {
        "summary": f"{counted(numbers['commits'], 'commit')}, "
                   f"{numbers['commits_with_traces']} with AI traces "
                   f"({counted(numbers['findings'], 'finding')}, {numbers['uncleared']} "
                   "uncleared)",
        "json": audit_json(data, findings, totals, rows, report.coverage, selection),
        "csv": findings_csv(findings),
    }
    if html_file:
        from ai_clearance.report.audit_html import page

        label = " ".join(selection["revisions"])
        outputs["html"] = page(data, "AI traces audit",
                               f"{label}: {outputs['summary']}; generated "
                               f"{data.now.strftime('%Y-%m-%d %H:%M UTC')}")
    return outputs
