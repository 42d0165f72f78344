"""The SARIF log against what GitHub code scanning accepts: every result located, paths as
URI references that mean the path, and no more results than one upload takes."""

from __future__ import annotations

import copy
from urllib.parse import unquote_to_bytes

import pytest

from ai_clearance import HOME_URL, __version__
from ai_clearance.model import Coverage
from ai_clearance.report.model import Report, Reported, RuleInfo
from ai_clearance.report.sarif import ANCHOR, MAX_RESULTS, sarif, uri_reference
from sarif_rules import assert_code_scanning_accepts


def _finding(n: int, **where: object) -> Reported:
    fields: dict[str, object] = {"rule": "AIC101", "assistants": ("claude",), "kind": "x",
                                 "severity": "block", "status": "fail",
                                 "evidence": f"evidence {n}"}
    fields.update(where)
    return Reported(**fields)  # type: ignore[arg-type]


def _report(*findings: Reported) -> Report:
    return Report(verdict="fail", coverage=Coverage(source="range"), findings=findings,
                  rules={"AIC101": RuleInfo("AIC101", "Claude Code memory file", "S-X",
                                            "remove it", "block", "instructions"),
                         "X900": RuleInfo("X900", "a policy's own rule")})


@pytest.mark.parametrize("path", [
    "CLAUDE.md", "docs/a b.md", "a#b/.claude/x", "q?x=1/AGENTS.md", "100%/.cursor/rules",
    "C:/x/.claude", "ünïcode/ｃｌａｕｄｅ.md", "line\nbreak/.claude/x", "tab\there",
    "bad\udcffbyte/.claude/x", "..%2e/x", "./.claude/x",
])
def test_a_path_becomes_a_uri_reference_that_means_that_path(path: str) -> None:
    uri = uri_reference(path)
    assert unquote_to_bytes(uri) == path.encode("utf-8", "surrogateescape")
    assert_code_scanning_accepts(sarif(_report(_finding(1, path=path, line=3))))


def test_every_result_has_a_location_even_when_no_file_holds_the_finding() -> None:
    message = _finding(1, commit="a" * 40, line=3)  # a commit message's line
    identity = _finding(2, commit="b" * 40)  # an author
    branch = _finding(3, status="warn")  # a branch name or a pull request's text
    log = sarif(_report(message, identity, branch, _finding(4, path="CLAUDE.md")))
    assert_code_scanning_accepts(log)
    located = [r["locations"][0]["physicalLocation"] for r in log["runs"][0]["results"]]
    assert [p["artifactLocation"]["uri"] for p in located] == [ANCHOR] * 3 + ["CLAUDE.md"]
    # The message's line is not a line of the policy file: the anchor is shown at its top.
    assert [p["region"]["startLine"] for p in located] == [1, 1, 1, 1]


def test_a_file_finding_keeps_its_line() -> None:
    log = sarif(_report(_finding(1, path="CLAUDE.md", line=7)))
    region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7}


def test_catalog_rules_link_their_page_and_a_policys_rule_has_none() -> None:
    rules = {r["id"]: r for r in sarif(_report())["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["AIC101"]["helpUri"] == \
        f"{HOME_URL}/blob/v{__version__}/docs/rules.md#aic101"
    assert "helpUri" not in rules["X900"]
    assert rules["X900"]["help"]["text"] == "a policy's own rule"


def test_more_findings_than_one_upload_takes_keep_the_first_and_say_so() -> None:
    findings = [_finding(n, path=f"f{n}/CLAUDE.md") for n in range(MAX_RESULTS + 3)]
    log = sarif(_report(*findings))
    assert_code_scanning_accepts(log)
    run = log["runs"][0]
    assert len(run["results"]) == MAX_RESULTS
    assert run["results"][-1]["message"]["text"].endswith(f"evidence {MAX_RESULTS - 1}")
    assert run["properties"]["resultsLeftOut"] == 3


def test_the_rules_refuse_what_github_refuses() -> None:
    """The checker itself: each constraint, broken, is caught."""
    good = sarif(_report(_finding(1, path="CLAUDE.md")))
    broken_logs = []
    for change in (
        lambda r: r.pop("locations"),
        lambda r: r["locations"][0]["physicalLocation"]["artifactLocation"].update(
            uri="file:///etc/passwd"),
        lambda r: r["locations"][0]["physicalLocation"]["artifactLocation"].update(
            uri="a#b"),
        lambda r: r["locations"][0]["physicalLocation"]["artifactLocation"].update(uri=""),
        lambda r: r["locations"][0]["physicalLocation"]["region"].update(startLine=0),
        lambda r: r["message"].update(text=" "),
    ):
        log = copy.deepcopy(good)
        change(log["runs"][0]["results"][0])
        broken_logs.append(log)
    for log in broken_logs:
        with pytest.raises(AssertionError):
            assert_code_scanning_accepts(log)
