"""What code depends on by its own text: a Python script's inline metadata (PEP 723: the
`# /// script` comment block, whose `dependencies` `uv run`, `pipx run` and `hatch run`
install before they run it) and the packages code imports (`from claude_agent_sdk import`,
`import {Codex} from "@openai/codex-sdk"`, `require(...)`), each as a dependency on that
package. A rule lists the packages that are agents (`workflow_installs`), so an API client
(`anthropic`, `openai`) stays what it is: a name no rule lists.

Pure; time linear in the text. Callers screen the text first (a rule's names in it)."""

from __future__ import annotations

import re

from ai_clearance.detect.setups import package_fact

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ai_clearance.detect.workflows import Fact

# PEP 723: a block opens at a line `# /// TYPE` and closes at `# ///`; the lines between are
# comments whose text past `# ` (or a bare `#`) is TOML.
_BLOCK_OPEN = "# /// script"
_JS_IMPORT = re.compile(r"""(?:\bfrom|\bimport|\brequire\s*\(|\bimport\s*\()\s*"""
                        r"""["'`]([^"'`\s]{1,214})["'`]""")
_PY_IMPORT = re.compile(r"^[ \t]*(?:from|import)[ \t]+([A-Za-z_][A-Za-z0-9_]{0,127})",
                        re.MULTILINE)
# A module imported by its name as a string (`importlib.import_module("x")`, `__import__`).
_PY_IMPORT_CALL = re.compile(r"""\b(?:import_module|__import__)\s*\(\s*["']"""
                             r"""([A-Za-z_][A-Za-z0-9_]{0,127})""")
# `import a, b` names more than one module.
_PY_MORE = re.compile(r"^[ \t]*import[ \t]+([A-Za-z0-9_., \t]{1,1024})$", re.MULTILINE)


def code_dependency_facts(text: str, language: str, first_line: int = 1) -> list[Fact]:
    """The packages code in `language` ("hash": Python and its like, "slash": JavaScript,
    TypeScript) depends on: its inline script metadata and what it imports."""
    facts: list[Fact] = []
    if language == "hash":
        if _BLOCK_OPEN in text:
            facts.extend(inline_metadata_facts(text, first_line))
        facts.extend(_python_imports(text, first_line))
    elif language == "slash":
        facts.extend(_js_imports(text, first_line))
    return facts


def inline_metadata_facts(text: str, first_line: int = 1) -> list[Fact]:
    """Every requirement of a script's `# /// script` blocks (the whole TOML is read for
    lists of requirements, as pyproject.toml is). A block that is never closed or is not
    TOML is still read: each of its string literals as a requirement (fail closed)."""
    from ai_clearance.detect.literals import string_runs
    from ai_clearance.detect.manifests import _requirements_of, _toml, _toml_lines

    facts: list[Fact] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].rstrip("\r").rstrip() != _BLOCK_OPEN:
            i += 1
            continue
        start = i + 1
        body: list[str] = []
        i = start
        while i < len(lines):
            line = lines[i].rstrip("\r")
            if line.rstrip() == "# ///" or not line.startswith("#"):
                break
            body.append(line[2:] if line.startswith("# ") else line[1:])
            i += 1
        toml = "\n".join(body)
        data = _toml(toml)
        where = first_line + start
        if data is not None:
            facts.extend(_moved(f, where - 1) for f in _requirements_of(data, _toml_lines(toml)))
        else:
            for run in string_runs(toml, "#"):
                for line_offset, value in run:
                    facts.append(package_fact("pypi", value, where + line_offset,
                                              f"# /// script: {value}"))
        i += 1
    return facts


def _moved(fact: Fact, by: int) -> Fact:
    from dataclasses import replace

    return replace(fact, line=fact.line + by, evidence=f"# /// script {fact.evidence}")


def _python_imports(text: str, first_line: int) -> list[Fact]:
    facts: list[Fact] = []
    seen: set[str] = set()
    line, counted = first_line, 0
    found = [(m.start(), m.group(1)) for m in _PY_IMPORT.finditer(text)]
    found += [(m.start(), m.group(1)) for m in _PY_IMPORT_CALL.finditer(text)]
    found += [(m.start(), name.strip().partition(".")[0])
              for m in _PY_MORE.finditer(text) for name in m.group(1).split(",")[1:]]
    for at, module in sorted(found):
        line += text.count("\n", counted, at)
        counted = at
        if module and module not in seen:
            seen.add(module)
            facts.append(package_fact("pypi", module, line, f"import {module}"))
    return facts


def _js_imports(text: str, first_line: int) -> list[Fact]:
    facts: list[Fact] = []
    seen: set[str] = set()
    line, counted = first_line, 0
    for match in _JS_IMPORT.finditer(text):
        name = _js_package(match.group(1))
        if name is None or name in seen:
            continue
        seen.add(name)
        line += text.count("\n", counted, match.start())
        counted = match.start()
        facts.append(package_fact("npm", name, line, f"import {match.group(1)}"))
    return facts


def _js_package(specifier: str) -> str | None:
    """The npm package a bare module specifier names (`@scope/name/sub` -> `@scope/name`,
    Deno's `npm:name@1`); None for a relative path, a URL, a builtin (`node:fs`)."""
    specifier = specifier.removeprefix("npm:").lstrip("/") \
        if specifier.startswith("npm:") else specifier
    if specifier.startswith((".", "/")) or ":" in specifier or not specifier:
        return None
    parts = specifier.split("/")
    if specifier.startswith("@"):
        if len(parts) < 2:
            return None
        scope, rest = parts[0], parts[1]
        return f"{scope}/{rest.partition('@')[0]}"
    return parts[0].partition("@")[0]
