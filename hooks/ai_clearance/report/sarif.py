"""A report as a SARIF 2.1.0 log, shaped for GitHub code scanning.

Code scanning rejects a whole upload when one result has no location or a location that is
not a path of the repository, and when a run has more results than it takes. So every
result carries one physical location: the file a path finding names (percent-encoded as a
URI reference must be), or, for what no file holds (a commit message, an author, a branch
name, a pull request's text), the policy file: where a maintainer records the approval that
clears it. The commit, author and where in the message stay in the result's message and
properties."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from ai_clearance import HOME_URL, __version__
from ai_clearance.approvals.trustfiles import POLICY_FILE
from ai_clearance.report.model import Report, Reported, docs_url
from ai_clearance.report.render import where

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"leak": "error", "block": "error", "warn": "warning"}
# GitHub's hard limit of results in one run: more and the upload is refused.
MAX_RESULTS = 25_000
# Where a result that no file holds is shown (see the module's docstring).
ANCHOR = POLICY_FILE


def _fingerprint(f: Reported) -> str:
    key = "\0".join(str(v or "") for v in (f.rule, f.path, f.commit, f.line, f.evidence))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def sarif(report: Report) -> dict[str, Any]:
    """A SARIF 2.1.0 log of the report: a result per finding, `fail`/`warn` ones as failures;
    past GitHub's limit, the first MAX_RESULTS (failures first, as the report orders them),
    and the run says how many were left out."""
    rules: list[dict[str, Any]] = []
    index = {}
    for rule in report.rules.values():
        index[rule.id] = len(rules)
        described: dict[str, Any] = {
            "id": rule.id,
            "name": rule.id,
            "shortDescription": {"text": rule.description},
            "fullDescription": {"text": f"{rule.description}. Source: {rule.source}"},
            "help": {"text": rule.remedy or rule.description},
            "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "note")},
            "properties": {"tags": ["ai-clearance", rule.kind],
                           "confidence": rule.confidence},
        }
        page = docs_url(rule)
        if page is not None:
            described["helpUri"] = page
        rules.append(described)
    kept = report.findings[:MAX_RESULTS]
    properties: dict[str, Any] = {"verdict": report.verdict,
                                  "coverage": asdict(report.coverage)}
    if len(report.findings) > len(kept):
        properties["resultsLeftOut"] = len(report.findings) - len(kept)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "ai-clearance", "version": __version__,
                                "informationUri": HOME_URL, "rules": rules}},
            "results": [_result(f, index[f.rule]) for f in kept],
            "properties": properties,
        }],
    }


def _result(f: Reported, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": "error" if f.status == "fail" else "warning" if f.status == "warn" else "none",
        "kind": "fail" if f.status in ("fail", "warn") else "pass",
        "message": {"text": finding_message(f)},
        "locations": [_location(f)],
        "partialFingerprints": {"aiClearanceFinding/v1": _fingerprint(f)},
        "properties": {"assistants": list(f.assistants), "status": f.status,
                       "confidence": f.confidence,
                       "commit": f.commit, "author": f.author, "clearedBy": f.cleared_by},
    }


def _location(f: Reported) -> dict[str, Any]:
    """Where code scanning shows the finding: its file and line, else the policy file."""
    path, line = (f.path, f.line or 1) if f.path else (ANCHOR, 1)
    return {"physicalLocation": {
        "artifactLocation": {"uri": uri_reference(path), "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": line},
    }}


def uri_reference(path: str) -> str:
    """A repository path as a relative URI reference: its UTF-8 bytes (an undecodable byte
    of the path as itself) percent-encoded but for `/`, so that `#`, `?`, `%`, `:`, spaces
    and control characters stay part of the path instead of changing what the URI means."""
    try:
        data = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte stands for: kept, as its own bytes
        data = path.encode("utf-8", "surrogatepass")
    return quote(data, safe="/")


def finding_message(f: Reported) -> str:
    """One finding in a sentence: rule, assistants, commit, author, evidence and its fix (or
    what cleared it)."""
    parts = [f"{f.rule} ({', '.join(f.assistants)})"]
    if f.commit:
        parts.append(f"in commit {f.commit[:12]}")
    if f.author:
        parts.append(f"by {f.author}")
    place = "" if f.path else where(f)  # a path is the result's location
    text = " ".join(parts) + f": {place + ': ' if place else ''}{f.evidence}"
    if f.next_step:
        text += f". Fix: {f.next_step}"
    if f.why:
        text += f". {f.why[:1].upper()}{f.why[1:]}"
    if f.cleared_by:
        text += f". {f.status.capitalize()} by {f.cleared_by}"
    return text


def sarif_text(report: Report) -> str:
    """The SARIF log as text."""
    return json.dumps(sarif(report), indent=2) + "\n"
