"""The audit page: self-contained, every chart drawn, every string from git escaped."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pytest

from ai_clearance.report import audit
from ai_clearance.report.audit_html import LABEL_CHARS, TIMELINE, charted_windows, label, page

pytest.importorskip("matplotlib", reason="the audit page needs the 'audit' extra")

NOW = datetime(2026, 12, 8, tzinfo=timezone.utc)
HOSTILE = "<script>alert(1)</script> $\\frac{1}{0}$ & \x1b[31m"
LOTS = 300
HOSTILE_PATH = "<img src=x onerror=alert(2)>/CLAUDE.md"


def _finding(commit: str, date: str, assistants: list[str], **extra: Any) -> dict[str, Any]:
    found = {"rule": "AIC101", "assistants": assistants, "status": "fail", "commit": commit,
             "author": "Jane Dev <jane@example.com>", "author_date": date,
             "committer_date": date, "path": "src/CLAUDE.md"}
    found.update(extra)
    return found


def _series(html: str) -> dict[str, int]:
    return {name: int(count) for name, count in
            re.findall(r"data-chart=(\w+) data-series=(\d+)", html)}


def test_hostile_names_and_paths_are_text_never_markup() -> None:
    findings = [_finding("a", "2026-10-01T00:00:00+00:00", ["claude"],
                         author=f"{HOSTILE} <x@example.com>", path=HOSTILE_PATH),
                _finding("b", "2026-11-01T00:00:00+00:00", ["cursor"], status="cleared")]
    rows = [{"id": "<b>id</b>", "kind": "approval", "status": "active",
             "authors": ["x@example.com"], "github_logins": ["<i>login</i>"],
             "assistants": ["claude"], "valid_from": "2026-09-01T00:00:00Z",
             "valid_until": "2026-12-20T00:00:00Z", "revoked_at": None}]
    html = page(audit.audit_data(findings, {"2026-10": 2, "2026-11": 1}, rows, NOW),
                "AI traces audit", f"{HOSTILE}: 3 commits")
    lowered = html.lower()
    for markup in ("<script", "<img", "<b>id", "<i>login"):
        assert markup not in lowered, markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, in the table and title
    assert "\x1b" not in html
    assert _series(html) == {"assistants": 2, "share": 1, "authors": 2, "folders": 1,
                             "approvals": 1, "clearance": 2}


def test_the_page_loads_nothing_from_anywhere() -> None:
    html = page(audit.audit_data([_finding("a", "2026-10-01T00:00:00+00:00", ["claude"])],
                                 {"2026-10": 1}, [], NOW), "t", "m")
    assert not re.search(r"<(script|link|iframe|img|object|embed)\b", html, re.I)
    # `#id` references (clip paths, markers) point into the SVG itself.
    assert not re.search(r"\b(src|href)\s*=\s*(?![\"']?#)|url\((?!#)|@import", html, re.I)
    # The only URLs are XML namespaces, which no browser fetches.
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink",
        "http://purl.org/dc/elements/1.1/", "http://creativecommons.org/ns#",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/dcmitype/StillImage",
        "https://matplotlib.org/"}


def test_an_empty_history_draws_a_page_that_says_so() -> None:
    html = page(audit.audit_data([], {"2026-10": 4}, [], NOW), "t", "m")
    assert _series(html) == {"assistants": 0, "share": 1, "authors": 0, "folders": 0,
                             "approvals": 0, "clearance": 0}
    assert html.count("nothing to chart") == 5


def test_labels_are_cut_and_printable() -> None:
    assert label("x" * 100) == "x" * (LABEL_CHARS - 1) + "…"
    assert "\x00" not in label("a\x00b")
    assert label("Claude Shannon <cs@example.com>") == "Claude Shannon <cs@example.com>"


def test_the_timeline_charts_the_windows_that_end_last() -> None:
    rows = [{"id": f"a{i}", "kind": "approval", "status": "active", "authors": [f"{i}@x.org"],
             "github_logins": [], "assistants": ["claude"],
             "valid_from": f"{2000 + i // 12:04d}-{i % 12 + 1:02d}-01T00:00:00Z",
             "valid_until": f"{2001 + i // 12:04d}-{i % 12 + 1:02d}-01T00:00:00Z",
             "revoked_at": None} for i in range(LOTS)]
    found = audit.windows(rows, NOW)
    charted = charted_windows(found)
    assert len(charted) == TIMELINE and charted[-1].id == f"a{LOTS - 1}"
    html = page(audit.audit_data([], {}, rows, NOW), "t", "m")
    assert html.count('id="series-0-') == TIMELINE  # drawn bars; the table has every row
    assert html.count("<tr><td>a") == LOTS


def test_windows_at_the_ends_of_time_still_draw() -> None:
    rows = [{"id": "a", "kind": "approval", "status": "active", "authors": ["x@example.com"],
             "assistants": ["*"], "valid_from": "0001-01-01T00:00:00Z",
             "valid_until": "9999-12-31T00:00:00Z", "revoked_at": None},
            {"id": "b", "kind": "token", "status": "active", "authors": ["x@example.com"],
             "assistants": ["*"], "valid_from": "2026-01-01T00:00:00Z", "valid_until": None}]
    html = page(audit.audit_data([], {}, rows, NOW), "t", "m")
    assert _series(html)["approvals"] == 1 and html.count('id="series-0-') == 2
    assert "0001-01-01" in html and "9999-12-31" in html  # the table shows them as they are
