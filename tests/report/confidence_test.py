"""A finding's confidence in every report format: text, JSON, SARIF (result and rule
properties), the job summary's Markdown and the rules listing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from ai_clearance import rule_docs_url
from ai_clearance.catalog.rules import load_catalog
from ai_clearance.clearance.decide import decide
from ai_clearance.clearance.policy import default_policy
from ai_clearance.model import Coverage, Finding, Identity
from ai_clearance.report.github import summary_markdown
from ai_clearance.report.model import Report, build_report
from ai_clearance.report.render import report_json, text_lines
from ai_clearance.report.sarif import sarif
from conftest import run_cli
from sarif_rules import assert_code_scanning_accepts

COMMIT = "c" * 40


def _report(block_confidence: str = "medium") -> Report:
    catalog = load_catalog()
    author = Identity("Jane Dev", "jane@example.com")
    findings = [
        Finding(rule="AIC452", assistants=("claude",), kind="trailer", severity="block",
                evidence="Co-authored-by: Claude", commit=COMMIT, author=author, line=3),
        Finding(rule="AIC401", assistants=("claude",), kind="trailer", severity="block",
                evidence="Co-authored-by: Claude <noreply@anthropic.com>", commit=COMMIT,
                author=author, line=4),
    ]
    policy = replace(default_policy(catalog), block_confidence=block_confidence)
    decided = decide(findings, policy)
    return build_report(decided.decisions, Coverage(source="range"), decided.verdict, COMMIT,
                        catalog)


def test_text_shows_each_findings_confidence() -> None:
    lines = list(text_lines(_report()))
    assert any(line.startswith("    AIC452 [block] claude (confidence medium): ")
               for line in lines)
    assert any(line.startswith("    AIC401 [block] claude (confidence high): ")
               for line in lines)


def test_json_and_sarif_carry_the_confidence() -> None:
    report = _report()
    by_rule = {f["rule"]: f for f in report_json(report)["findings"]}
    assert by_rule["AIC452"]["confidence"] == "medium"
    assert by_rule["AIC401"]["confidence"] == "high"
    log = sarif(report)
    assert_code_scanning_accepts(log)
    run = log["runs"][0]
    results = {r["ruleId"]: r for r in run["results"]}
    assert results["AIC452"]["properties"]["confidence"] == "medium"
    assert results["AIC401"]["properties"]["confidence"] == "high"
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["AIC452"]["properties"]["confidence"] == "medium"


def test_markdown_has_a_confidence_column() -> None:
    text = summary_markdown(_report())
    assert "| rule | confidence | assistants |" in text
    assert f"| [AIC452]({rule_docs_url('AIC452')}) | medium | claude | {COMMIT[:12]} | " \
        "message line 3 |" in text


def test_below_the_policys_confidence_a_finding_is_reported_as_a_warning() -> None:
    report = _report("high")
    assert [(f.rule, f.status, f.confidence) for f in report.findings] == [
        ("AIC401", "fail", "high"), ("AIC452", "warn", "medium")]
    lines = list(text_lines(report))
    assert "    AIC452 [warn] claude (confidence medium): " in "\n".join(lines)


def test_the_rules_listing_and_explain_show_the_confidence(tmp_path: Path) -> None:
    listed = run_cli("rules", "--format", "json", cwd=tmp_path)
    rules = {r["id"]: r for r in json.loads(listed.stdout)}
    assert rules["AIC452"]["confidence"] == "medium"
    assert rules["AIC101"]["confidence"] == "high"
    assert rules["AIC601"]["confidence"] == "low"
    explained = run_cli("explain", "AIC510", cwd=tmp_path)
    assert "  confidence: medium" in explained.stdout.splitlines()
