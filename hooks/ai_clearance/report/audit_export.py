"""The audit's data as files: one JSON document (the findings as the JSON report states them,
commits per month, approval records and every table) and a CSV of the findings."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from ai_clearance.model import Coverage
from ai_clearance.report.audit import AuditData

AUDIT_SCHEMA_VERSION = 1
CSV_COLUMNS = ("commit", "author", "author_date", "committer_date", "rule", "assistants",
               "kind", "severity", "confidence", "status", "path", "line", "pull_request",
               "evidence", "cleared_by", "why")
# A cell a spreadsheet would run as a formula starts with one of these: such a cell is
# written after a quote mark, so opening the CSV never runs what a commit's author wrote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def audit_json(data: AuditData, findings: Sequence[Mapping[str, Any]],
               totals: Mapping[str, int], approvals: Sequence[Mapping[str, Any]],
               coverage: Coverage, selection: Mapping[str, Any]) -> str:
    """The audit as one JSON document (see docs/cli.md, "audit")."""
    document = {
        "schema": AUDIT_SCHEMA_VERSION,
        "generated_at": data.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "selection": dict(selection),
        "coverage": asdict(coverage),
        "summary": dict(data.summary),
        "commits_by_month": dict(totals),
        "findings": list(findings),
        "approvals": list(approvals),
        "tables": {t.name: {"title": t.title, "columns": list(t.columns),
                            "rows": [list(r) for r in t.rows]} for t in data.tables},
    }
    return json.dumps(document, indent=2) + "\n"


def csv_cell(value: object) -> str:
    """A value as a CSV cell: lists joined with `; `, nothing for none, formulas defused."""
    if value is None:
        return ""
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def findings_csv(findings: Sequence[Mapping[str, Any]]) -> str:
    """One row per finding, CSV_COLUMNS in order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for f in findings:
        writer.writerow([csv_cell(f.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()
