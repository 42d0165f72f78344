"""docs/rules.md: a page per catalog, a section per rule (its heading, the rule id, is the
anchor that `explain`, reports and SARIF link to)."""

from __future__ import annotations

from collections.abc import Iterable

from ai_clearance.catalog.rules import Catalog, Rule

_KINDS = {
    "instructions": "an instruction file an assistant reads",
    "config": "an assistant's configuration",
    "ignore": "a file telling an assistant what not to read",
    "leak": "a session log, cache or secret an assistant writes",
    "content": "a file whose content runs or installs an assistant",
    "trailer": "a trailer of a commit message",
    "marker": "a line of a commit message",
    "identity": "the commit's author or committer",
    "branch": "a branch name",
    "notes": "a ref name",
    "session": "the environment and ancestor processes of the commit hook",
    "attribution": "an attribution record (a git-ai note), read by its format",
    "record": "a file of attribution records (Agent Trace), read by its format",
}


def rules_markdown(catalog: Catalog) -> str:
    """The rules page for `catalog`, in rule id order."""
    lines = [
        "# Rules",
        "",
        "Every rule of ai-clearance's catalog: what it finds, how bad a finding is, and what",
        "to do about it. Generated from `hooks/ai_clearance/catalog/catalog.toml` by",
        "`python -m ai_clearance.catalog`; do not edit by hand. `ai-clearance explain RULE`",
        "prints the same for one rule. Source keys (`S-AIDER`) are listed with what was read",
        "in [sources.md](sources.md); a rule marked *unconfirmed* rests on third-party",
        "material only.",
        "",
        "Severities: `leak` (the worst: a session's own log or secrets), `block` (fails the",
        "check unless approved), `warn` (reported, does not fail), `off`.",
        "",
        "Confidence: `high` (an exact address, login or id), `medium` (a product's or a",
        "model's name with no person's address behind it), `low` (a convention people copy).",
        "A finding below the policy's `block_confidence` (default `medium`) only warns.",
    ]
    for rule in sorted(catalog.by_id.values(), key=lambda r: r.id):
        lines += ["", *_section(catalog, rule)]
    return "\n".join(lines) + "\n"


def _section(catalog: Catalog, rule: Rule) -> list[str]:
    names = [catalog.assistants[a].title if a in catalog.assistants else a
             for a in rule.assistants] or [
        "the agent the record names" if rule.kind in ("attribution", "record")
        else "the assistant whose identity or name matched"]
    lines = [f"### {rule.id}", "", f"{_plain(rule.description)}.", "",
             f"- **Looks at:** {_KINDS.get(rule.kind, rule.kind)}",
             f"- **Severity:** `{rule.severity}`",
             f"- **Confidence:** `{rule.confidence}`",
             f"- **Assistants:** {', '.join(names)}"]
    if rule.path_globs:
        case = "" if rule.case_sensitive else " (any case)"
        lines.append(f"- **Paths:** {_code(rule.path_globs)}{case}")
    if rule.exact_globs:
        lines.append(f"- **Paths, exact case:** {_code(rule.exact_globs)}")
    if rule.env:
        shown = (name if value is None else f"{name}={value}" for name, value in rule.env)
        lines.append(f"- **Environment:** {_code(shown)}")
    if rule.processes:
        lines.append(f"- **Executables:** {_code(sorted(rule.processes))}")
    if rule.process_folders:
        lines.append(f"- **Installed in a folder named:** {_code(sorted(rule.process_folders))}")
    if rule.keys:
        lines.append(f"- **Trailer keys:** {_code(sorted(rule.keys))}")
    lines.append(f"- **What to do:** {_plain(rule.remedy)}")
    source = _plain(rule.source) if rule.source else "none recorded"
    lines.append(f"- **Source:** {source}" + ("" if rule.confirmed else " *(unconfirmed)*"))
    return lines


def _code(items: Iterable[str]) -> str:
    return ", ".join(f"`{item}`" for item in items)


def _plain(text: str) -> str:
    """Text that Markdown shows as written (no stray emphasis or HTML)."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_") \
        .replace("<", "&lt;").replace(">", "&gt;")
