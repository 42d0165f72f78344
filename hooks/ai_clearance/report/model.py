"""The one report of a check: what every renderer (text, JSON, SARIF, job summary, annotations)
is made from. Built once from the decisions; no renderer reads another's output."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ai_clearance import rule_docs_url
from ai_clearance.catalog.rules import Catalog
from ai_clearance.model import Coverage, Decision, Finding
from ai_clearance.report.fixes import fix_steps

STATUSES = ("fail", "warn", "cleared", "allowed")  # the order findings are reported in
_STATUS_ORDER = {status: index for index, status in enumerate(STATUSES)}


@dataclass(frozen=True)
class RuleInfo:
    """What a report says about a rule its findings name (from the catalog the check used)."""

    id: str
    description: str
    source: str = ""
    remedy: str = ""
    severity: str = ""  # "" for a rule the catalog does not have
    kind: str = "custom"
    confidence: str = "high"


def docs_url(rule: RuleInfo) -> str | None:
    """The rule's documentation page, for a catalog rule (a policy's own rule has none)."""
    return rule_docs_url(rule.id) if rule.severity else None


@dataclass(frozen=True)
class Reported:
    """One finding as every report states it: where, on what evidence, its status, its fix."""

    rule: str
    assistants: tuple[str, ...]
    kind: str
    severity: str
    status: str  # fail, warn, cleared or allowed
    evidence: str
    commit: str | None = None
    author: str | None = None  # "Name <email>", as the commit holds it
    path: str | None = None
    line: int | None = None
    cleared_by: str | None = None
    next_step: str | None = None  # for fail and warn: the command that removes the trace
    note: str | None = None  # the notes ref, for a trace in a git note on `commit`
    pull_request: str | None = None  # "title" or "description", for a pull request's text
    why: str | None = None  # for fail and warn: what the policy's mode asks (a disclosure)
    confidence: str = "high"  # the finding's (its rule's unless the detector said otherwise)
    # The commit's author and committer dates, strict ISO 8601 with the offsets the commit
    # holds; None where there is no commit, or the report was built without them.
    author_date: str | None = None
    committer_date: str | None = None


@dataclass(frozen=True)
class Report:
    """A check's verdict, what it covered, and its findings: failing first, then warnings,
    then those cleared or allowed (in the order found within each)."""

    verdict: str
    coverage: Coverage
    findings: tuple[Reported, ...]
    rules: Mapping[str, RuleInfo]  # every rule a finding names
    approve_commands: tuple[str, ...] = ()

    def count(self, *statuses: str) -> int:
        """How many findings have one of these statuses."""
        return sum(1 for f in self.findings if f.status in statuses)

    def with_status(self, *statuses: str) -> list[Reported]:
        """The findings with one of these statuses, in report order."""
        return [f for f in self.findings if f.status in statuses]


def build_report(decisions: Sequence[Decision], coverage: Coverage, verdict: str,
                 head: str | None, catalog: Catalog,
                 dates: Mapping[str, tuple[str, str]] | None = None) -> Report:
    """The report of a check: its decisions, what it covered and its verdict. `head` (the
    newest commit checked) decides whether a fix amends or rebases; `catalog` describes the
    rules; `dates` gives commits their (author, committer) dates."""
    ordered = sorted(decisions, key=lambda d: _STATUS_ORDER[d.status])
    steps = fix_steps([d.finding for d in ordered if d.status in ("fail", "warn")],
                      catalog, coverage.source, head)
    findings = tuple(_reported(d, steps.get(id(d.finding)), dates or {}) for d in ordered)
    rules = {}
    for rule_id in sorted({f.rule for f in findings}):
        rule = catalog.by_id.get(rule_id)
        rules[rule_id] = RuleInfo(rule_id, rule_id) if rule is None else RuleInfo(
            rule_id, rule.description, rule.source, rule.remedy, rule.severity, rule.kind,
            rule.confidence)
    failing = [d.finding for d in ordered if d.status == "fail"]
    return Report(verdict, coverage, findings, rules, tuple(approval_commands(failing)))


def _reported(decision: Decision, step: str | None,
              dates: Mapping[str, tuple[str, str]]) -> Reported:
    f = decision.finding
    author_date, committer_date = dates.get(f.commit or "", (None, None))
    return Reported(rule=f.rule, assistants=f.assistants, kind=f.kind, severity=f.severity,
                    status=decision.status, evidence=f.evidence, commit=f.commit,
                    author=str(f.author) if f.author else None, path=f.path, line=f.line,
                    cleared_by=decision.cleared_by,
                    next_step=step, note=f.note,
                    pull_request=f.pull_request, why=decision.why,
                    confidence=f.confidence or "high", author_date=author_date,
                    committer_date=committer_date)


def approval_commands(failing: Sequence[Finding]) -> list[str]:
    """The `ai-clearance approve` commands that together clear every one of these failing
    findings: per author, one approval of the assistants the findings name (any one of a
    finding's assistants clears it, so one already chosen is reused), and for leaks, which
    only an approval naming their path clears, one more scoped to exactly those paths. The
    reason is left to the maintainer: each command says `--reason 'WHY'` to replace."""
    chosen: dict[str, list[str]] = {}  # author: assistants, in the order first needed
    leaks: dict[tuple[str, str], list[str]] = {}  # (author, assistant): leak paths
    for f in sorted(failing, key=lambda f: len(f.assistants)):  # single-assistant first
        email = f.author_email
        if not email or not f.assistants:
            continue
        mine = chosen.setdefault(email, [])
        assistant = next((a for a in mine if a in f.assistants), f.assistants[0])
        if f.severity == "leak" and f.path is not None:
            paths = leaks.setdefault((email, assistant), [])
            if f.path not in paths:
                paths.append(f.path)
        elif assistant not in mine:
            mine.append(assistant)
    commands = [_approve(email, assistants, ()) for email, assistants in chosen.items()
                if assistants]
    commands += [_approve(email, [assistant], paths)
                 for (email, assistant), paths in leaks.items()]
    return commands


def _approve(email: str, assistants: Sequence[str], paths: Sequence[str]) -> str:
    parts = ["ai-clearance", "approve", "--author", email]
    for assistant in assistants:
        parts.extend(["--assistant", assistant])
    for path in paths:
        parts.extend(["--path", glob_literal(path)])
    parts.extend(["--expires", "90d"])
    return " ".join(shlex.quote(p) for p in parts) + " --reason 'WHY'"


def glob_literal(path: str) -> str:
    """A glob that matches `path` alone: its wildcard characters in brackets."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in path)
