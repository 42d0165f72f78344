"""Reports for CI, made from the JSON report: SARIF 2.1.0, GitHub annotations, a job summary."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from ai_clearance import __version__
from ai_clearance.catalog.rules import Catalog

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/ai-clearance/ai-clearance"
MAX_ANNOTATIONS = 50
MAX_SUMMARY_BYTES = 900_000  # GitHub caps a step summary at 1 MiB
_LEVEL = {"leak": "error", "block": "error", "warn": "warning"}


def _fingerprint(finding: dict[str, Any]) -> str:
    key = "\0".join(str(finding.get(k) or "") for k in ("rule", "path", "commit", "line",
                                                         "evidence"))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def sarif(data: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """A SARIF 2.1.0 log of the report's failing and warning findings."""
    used = sorted({f["rule"] for f in data["findings"]})
    rules: list[dict[str, Any]] = []
    index = {}
    for rid in used:
        rule = catalog.by_id.get(rid)
        index[rid] = len(rules)
        description = rule.description if rule else rid
        rules.append({
            "id": rid,
            "name": rid,
            "shortDescription": {"text": description},
            "fullDescription": {"text": f"{description}. Source: {rule.source if rule else ''}"},
            "help": {"text": rule.remedy if rule else ""},
            "defaultConfiguration": {"level": _LEVEL.get(rule.severity if rule else "", "note")},
            "properties": {"tags": ["ai-clearance", rule.kind if rule else "custom"]},
        })
    results = []
    for finding in data["findings"]:
        status = finding["status"]
        result: dict[str, Any] = {
            "ruleId": finding["rule"],
            "ruleIndex": index[finding["rule"]],
            "level": "error" if status == "fail" else "warning" if status == "warn" else "none",
            "kind": "fail" if status in ("fail", "warn") else "pass",
            "message": {"text": _message(finding)},
            "partialFingerprints": {"aiClearanceFinding/v1": _fingerprint(finding)},
            "properties": {"assistants": finding["assistants"], "status": status,
                           "commit": finding["commit"], "author": finding["author"],
                           "clearedBy": finding["cleared_by"]},
        }
        if finding["path"]:
            location: dict[str, Any] = {"artifactLocation": {"uri": finding["path"]}}
            if finding["line"]:
                location["region"] = {"startLine": finding["line"]}
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "ai-clearance", "version": __version__,
                                "informationUri": INFORMATION_URI, "rules": rules}},
            "results": results,
            "properties": {"verdict": data["verdict"], "coverage": data["coverage"]},
        }],
    }


def _message(finding: dict[str, Any]) -> str:
    parts = [f"{finding['rule']} ({', '.join(finding['assistants'])})"]
    if finding["commit"]:
        parts.append(f"in commit {finding['commit'][:12]}")
    if finding["author"]:
        parts.append(f"by {finding['author']}")
    text = " ".join(parts) + f": {finding['evidence']}"
    if finding.get("next_step"):
        text += f". Fix: {finding['next_step']}"
    if finding.get("cleared_by"):
        text += f". {finding['status'].capitalize()} by {finding['cleared_by']}"
    return text


def escape_data(text: str) -> str:
    """Text made safe as a workflow command's data: one line, read back as written."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Text made safe as a workflow command's property value (`file=`, `title=`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, text: str) -> str:
    """An `::error`, `::warning` or `::notice` of the action itself, about no file."""
    return f"::{level} title=ai-clearance::{escape_data(text)}"


def workflow_commands(data: dict[str, Any]) -> list[str]:
    """`::error`/`::warning` workflow commands, on files and lines where the finding has one."""
    lines = []
    ordered = [f for f in data["findings"] if f["status"] == "fail"] + \
        [f for f in data["findings"] if f["status"] == "warn"]
    for finding in ordered[:MAX_ANNOTATIONS]:
        level = "error" if finding["status"] == "fail" else "warning"
        props = [f"title={escape_property('ai-clearance ' + finding['rule'])}"]
        if finding["path"]:
            props.insert(0, f"file={escape_property(finding['path'])}")
            if finding["line"]:
                props.insert(1, f"line={int(finding['line'])}")
        lines.append(f"::{level} {','.join(props)}::{escape_data(_message(finding))}")
    if len(ordered) > MAX_ANNOTATIONS:
        lines.append(annotation("notice", f"{len(ordered) - MAX_ANNOTATIONS} more findings are "
                                "in the job summary and the JSON report"))
    return lines


def finding_lines(data: dict[str, Any]) -> list[str]:
    """The job log's text format: one line per finding (its text may hold anything)."""
    lines = []
    for finding in data["findings"]:
        where = finding["path"] or (finding["commit"] or "")[:12]
        lines.append(f"{finding['status']:<8} {finding['rule']} "
                     f"{','.join(finding['assistants'])} {where}: {finding['evidence']}")
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


def _cell(text: object) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ").replace("`", "'")[:300]


def summary_markdown(data: dict[str, Any], approval_commands: Sequence[str] = ()) -> str:
    """The job summary: verdict, coverage, findings grouped per author with their fixes."""
    coverage = data["coverage"]
    counts = data["counts"]
    icon = "❌" if data["verdict"] == "fail" else "✅"
    out = [f"## {icon} ai-clearance: {data['verdict'].upper()}", ""]
    out.append(f"{counts['fail']} unapproved, {counts['warn']} warnings, "
               f"{counts['cleared'] + counts['allowed']} cleared or allowed. "
               f"Checked {coverage['source']} `{coverage.get('range') or ''}`: "
               f"{coverage['commits_scanned']} commits, {coverage['paths_scanned']} paths.")
    trust = coverage.get("trust") or {}
    if trust:
        out.append(f"Policy and trust from `{trust.get('source')}`: "
                   f"{trust.get('signers', 0)} maintainer keys, "
                   f"{trust.get('approvals_active', 0)} approvals, "
                   f"{trust.get('tokens_active', 0)} tokens active.")
    out.append("")
    for status, title in (("fail", "Unapproved"), ("warn", "Warnings"),
                          ("cleared", "Cleared by approval or token"),
                          ("allowed", "Allowed by policy")):
        group = [f for f in data["findings"] if f["status"] == status]
        if not group:
            continue
        out.append(f"### {title}")
        by_author: dict[str, list[dict[str, Any]]] = {}
        for finding in group:
            by_author.setdefault(finding["author"] or "(no author)", []).append(finding)
        for author, items in by_author.items():
            out.append(f"**{_cell(author)}**")
            out.append("")
            out.append("| rule | assistants | commit | where | evidence | next step |")
            out.append("|---|---|---|---|---|---|")
            for f in items:
                where = f["path"] or (f"line {f['line']}" if f["line"] else "")
                step = f.get("next_step") or f.get("cleared_by") or ""
                out.append(f"| {f['rule']} | {_cell(', '.join(f['assistants']))} | "
                           f"{_cell((f['commit'] or '')[:12])} | {_cell(where)} | "
                           f"{_cell(f['evidence'])} | {_cell(step)} |")
            out.append("")
    if approval_commands:
        out.append("### To approve instead")
        out.append("A maintainer signs an approval and commits it to the protected branch:")
        out.append("")
        out.append("```sh")
        out.extend(approval_commands)
        out.append("```")
        out.append("")
    for path in coverage.get("pending") or []:
        out.append(f"- pending (takes effect after merge): `{_cell(path)}`")
    for note in trust.get("notes") or []:
        out.append(f"- note: {_cell(note)}")
    text = "\n".join(out) + "\n"
    # Undecodable bytes in names and paths (lone surrogates here) count as their escapes.
    encoded = text.encode("utf-8", "backslashreplace")
    if len(encoded) > MAX_SUMMARY_BYTES:
        text = encoded[:MAX_SUMMARY_BYTES].decode("utf-8", "ignore")
        text += "\n\n…summary truncated; the JSON report has every finding.\n"
    return text


def sarif_text(data: dict[str, Any], catalog: Catalog) -> str:
    """SARIF as text."""
    return json.dumps(sarif(data, catalog), indent=2) + "\n"
