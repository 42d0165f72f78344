"""A report as a SARIF 2.1.0 log (for code scanning)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from ai_clearance import __version__
from ai_clearance.report.model import Report, Reported

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/ai-clearance/ai-clearance"
_LEVEL = {"leak": "error", "block": "error", "warn": "warning"}


def _fingerprint(f: Reported) -> str:
    key = "\0".join(str(v or "") for v in (f.rule, f.path, f.commit, f.line, f.evidence))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def sarif(report: Report) -> dict[str, Any]:
    """A SARIF 2.1.0 log of the report: a result per finding, `fail`/`warn` ones as failures."""
    rules: list[dict[str, Any]] = []
    index = {}
    for rule in report.rules.values():
        index[rule.id] = len(rules)
        rules.append({
            "id": rule.id,
            "name": rule.id,
            "shortDescription": {"text": rule.description},
            "fullDescription": {"text": f"{rule.description}. Source: {rule.source}"},
            "help": {"text": rule.remedy},
            "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "note")},
            "properties": {"tags": ["ai-clearance", rule.kind]},
        })
    results = [_result(f, index[f.rule]) for f in report.findings]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "ai-clearance", "version": __version__,
                                "informationUri": INFORMATION_URI, "rules": rules}},
            "results": results,
            "properties": {"verdict": report.verdict, "coverage": asdict(report.coverage)},
        }],
    }


def _result(f: Reported, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": "error" if f.status == "fail" else "warning" if f.status == "warn" else "none",
        "kind": "fail" if f.status in ("fail", "warn") else "pass",
        "message": {"text": finding_message(f)},
        "partialFingerprints": {"aiClearanceFinding/v1": _fingerprint(f)},
        "properties": {"assistants": list(f.assistants), "status": f.status,
                       "commit": f.commit, "author": f.author, "clearedBy": f.cleared_by},
    }
    if f.path:
        location: dict[str, Any] = {"artifactLocation": {"uri": f.path}}
        if f.line:
            location["region"] = {"startLine": f.line}
        result["locations"] = [{"physicalLocation": location}]
    return result


def finding_message(f: Reported) -> str:
    """One finding in a sentence: rule, assistants, commit, author, evidence and its fix (or
    what cleared it)."""
    parts = [f"{f.rule} ({', '.join(f.assistants)})"]
    if f.commit:
        parts.append(f"in commit {f.commit[:12]}")
    if f.author:
        parts.append(f"by {f.author}")
    text = " ".join(parts) + f": {f.evidence}"
    if f.next_step:
        text += f". Fix: {f.next_step}"
    if f.cleared_by:
        text += f". {f.status.capitalize()} by {f.cleared_by}"
    return text


def sarif_text(report: Report) -> str:
    """The SARIF log as text."""
    return json.dumps(sarif(report), indent=2) + "\n"
