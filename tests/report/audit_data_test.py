"""The audit's data layer: pure functions over findings, commits per month and approval rows."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ai_clearance.report import audit
from ai_clearance.report.audit_export import csv_cell, findings_csv
from conftest import best_seconds

NOW = datetime(2026, 12, 8, tzinfo=timezone.utc)


def finding(commit: str, date: str, assistants: list[str], status: str = "fail",
            author: str = "Jane Dev <jane@example.com>", path: str | None = None,
            ) -> dict[str, Any]:
    return {"rule": "AIC101", "assistants": assistants, "status": status, "commit": commit,
            "author": author, "author_date": date, "committer_date": date, "path": path}


def approval(authors: list[str], status: str = "active", valid_from: str = "2026-01-01T00:00:00Z",
             valid_until: str | None = "2027-01-01T00:00:00Z", **extra: Any) -> dict[str, Any]:
    row = {"id": f"a-{'-'.join(authors)}-{status}", "kind": "approval", "status": status,
           "authors": authors, "github_logins": [], "assistants": ["claude"],
           "valid_from": valid_from, "valid_until": valid_until, "revoked_at": None}
    row.update(extra)
    return row


def test_month_is_the_one_the_date_was_written_in() -> None:
    assert audit.month("2026-03-31T23:00:00-05:00") == "2026-03"
    assert audit.months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01",
                                                          "2026-02"]
    assert audit.months_between("2026-02", "2026-01") == []


def test_traced_commits_per_month_count_each_commit_once_per_assistant() -> None:
    findings = [finding("a", "2026-01-05T00:00:00+00:00", ["claude"]),
                finding("a", "2026-01-05T00:00:00+00:00", ["claude"], path="CLAUDE.md"),
                finding("a", "2026-01-05T00:00:00+00:00", ["cursor"]),
                finding("b", "2026-03-01T00:00:00+00:00", ["claude", "codex"]),
                finding("c", "2026-03-02T00:00:00+00:00", []),
                {**finding("", "", ["claude"]), "commit": None}]  # a branch name: no date
    assert audit.traced_by_month(findings) == {
        "2026-01": {"claude": 1, "cursor": 1},
        "2026-03": {audit.NO_ASSISTANT: 1, audit.SEVERAL: 1}}
    table = audit.assistants_table(findings)
    assert table.series == (audit.NO_ASSISTANT, "claude", "cursor", audit.SEVERAL)
    assert [row[0] for row in table.rows] == ["2026-01", "2026-02", "2026-03"]  # no gap
    assert table.rows[1] == ("2026-02", 0, 0, 0, 0)


def test_share_is_of_all_commits_of_the_month() -> None:
    commits = [("a", "2026-01-05T00:00:00+00:00", "x"), ("h1", "2026-01-06T00:00:00+00:00", "x"),
               ("h2", "2026-01-07T00:00:00+00:00", "x"), ("h3", "2026-01-08T00:00:00+00:00", "x"),
               ("h4", "2026-03-01T00:00:00+00:00", "x")]
    totals = audit.commits_by_month(commits)
    assert totals == {"2026-01": 4, "2026-03": 1}
    table = audit.share_table([finding("a", "2026-01-05T00:00:00+00:00", ["claude"]),
                               finding("a", "2026-01-05T00:00:00+00:00", ["cursor"])], totals)
    assert table.rows == (("2026-01", 4, 1, 25.0), ("2026-02", 0, 0, 0.0),
                          ("2026-03", 1, 0, 0.0))


def test_per_author_findings_and_the_approvals_naming_their_address() -> None:
    findings = [finding("a", "2026-01-05T00:00:00+00:00", ["claude"], status="cleared"),
                finding("b", "2026-01-06T00:00:00+00:00", ["claude"]),
                finding("c", "2026-01-07T00:00:00+00:00", ["claude"],
                        author="Bot <7+robo@users.noreply.github.com>")]
    rows = [approval(["jane@example.com"]),
            approval(["jane@example.com"], status="expired",
                     valid_until="2026-06-01T00:00:00Z"),
            approval(["jane@example.com"], status="bad-signature"),  # never held
            approval(["other@example.com"]),
            approval([], github_logins=["robo"])]
    table = audit.author_table(findings, rows, NOW)
    assert table.rows == (("Jane Dev <jane@example.com>", 2, 1, 2, 1),
                          ("Bot <7+robo@users.noreply.github.com>", 1, 1, 1, 1))
    assert audit.author_email("Claude <CLAUDE@Example.com>") == "claude@example.com"
    assert audit.author_email("no address") == ""


def test_folders_are_top_level_and_messages_have_none() -> None:
    findings = [finding("a", "2026-01-05T00:00:00+00:00", ["claude"], path="src/x/CLAUDE.md"),
                finding("b", "2026-01-05T00:00:00+00:00", ["claude"], path="src/CLAUDE.md"),
                finding("b", "2026-01-05T00:00:00+00:00", ["claude"], path="CLAUDE.md"),
                finding("c", "2026-01-05T00:00:00+00:00", ["claude"])]
    assert audit.folder_table(findings).rows == (("src", 2, 2), (audit.NO_FOLDER, 1, 1))


def test_cleared_and_uncleared_per_month() -> None:
    findings = [finding("a", "2026-01-05T00:00:00+00:00", ["claude"], status="cleared"),
                finding("a", "2026-01-05T00:00:00+00:00", ["claude"], status="allowed"),
                finding("b", "2026-02-05T00:00:00+00:00", ["claude"], status="warn"),
                finding("b", "2026-02-05T00:00:00+00:00", ["claude"], status="fail")]
    assert audit.clearance_table(findings).rows == (("2026-01", 2, 0), ("2026-02", 0, 2))


def test_windows_mark_revocations_and_the_next_30_days_of_expiries() -> None:
    rows = [approval(["a@example.com"], valid_until="2026-12-20T00:00:00Z"),  # soon
            approval(["b@example.com"], valid_until="2027-03-01T00:00:00Z"),  # later
            approval(["c@example.com"], status="revoked", valid_until="2026-12-20T00:00:00Z",
                     revoked_at="2026-11-01T00:00:00Z"),  # revoked: no longer expiring
            approval(["d@example.com"], valid_until=None),  # open-ended
            approval(["e@example.com"], status="no-expiry", valid_until=None),  # refused
            {"id": "r1", "kind": "revocation", "status": "active", "valid_from": None},
            {**approval(["f@example.com"]), "kind": "token", "status": "other-repository"}]
    found = audit.windows(rows, NOW)
    assert [w.who for w in found] == ["a@example.com", "b@example.com", "c@example.com",
                                      "d@example.com"]
    assert [w.expires_soon for w in found] == [True, False, False, False]
    assert found[2].revoked_at == datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert found[3].end is None
    table = audit.windows_table(found)
    assert [r[6] for r in table.rows] == ["2026-12-20", "2027-03-01", "2026-12-20",
                                          "open-ended"]
    assert [r[8] for r in table.rows] == ["yes", "", "", ""]


def test_audit_data_sums_up() -> None:
    findings = [finding("a", "2026-01-05T00:00:00+00:00", ["claude"], status="cleared"),
                finding("b", "2026-02-05T00:00:00+00:00", ["cursor"])]
    data = audit.audit_data(findings, {"2026-01": 3, "2026-02": 1},
                            [approval(["jane@example.com"], valid_until="2026-12-31T00:00:00Z")],
                            NOW)
    assert dict(data.summary) == {"commits": 4, "commits_with_traces": 2, "findings": 2,
                                  "uncleared": 1, "approvals": 1, "expiring_soon": 1}
    assert [t.name for t in data.tables] == ["assistants", "share", "authors", "folders",
                                             "approvals", "clearance"]


def test_csv_defuses_formulas_and_joins_lists() -> None:
    assert csv_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell(["claude", "cursor"]) == "claude; cursor"
    assert csv_cell(None) == ""
    assert csv_cell("CLAUDE.md") == "CLAUDE.md"
    text = findings_csv([finding("a", "2026-01-05T00:00:00+00:00", ["claude"],
                                 author="=cmd|' /C calc'!A0 <x@example.com>")])
    lines = text.splitlines()
    assert lines[0].startswith("commit,author,author_date,committer_date,rule")
    assert ",'=cmd" in lines[1] and len(lines) == 2


def _many(n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    findings = [finding(f"c{i}", f"{2000 + i % 20}-{i % 12 + 1:02d}-01T00:00:00+00:00",
                        [f"agent{i % 7}"], author=f"Dev {i} <dev{i}@example.com>",
                        path=f"f{i}/CLAUDE.md") for i in range(n)]
    rows = [approval([f"dev{i}@example.com"]) for i in range(n)]
    return findings, rows, audit.commits_by_month(
        (f["commit"], f["author_date"], "") for f in findings)


def test_audit_data_takes_linear_time() -> None:
    small, large = _many(2_000), _many(8_000)

    def build(data: tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]],
              ) -> None:
        audit.audit_data(data[0], data[2], data[1], NOW)
        findings_csv(data[0])

    ratio = best_seconds(lambda: build(large)) / best_seconds(lambda: build(small))
    assert ratio < 8, ratio  # 4x the input; quadratic would be 16


def test_one_odd_commit_date_does_not_make_thousands_of_empty_months() -> None:
    findings = [finding("a", "2026-01-05T00:00:00+00:00", ["claude"]),
                finding("b", "9999-12-31T00:00:00+00:00", ["claude"])]
    assert [r[0] for r in audit.assistants_table(findings).rows] == ["2026-01", "9999-12"]
    near = [finding("a", "2026-01-05T00:00:00+00:00", ["claude"]),
            finding("b", "2027-01-05T00:00:00+00:00", ["claude"])]
    assert len(audit.assistants_table(near).rows) == 13
