"""The agent at the keyboard: findings from a commit hook's environment and ancestor processes.

Pure: the edge (source/session.py) reads the environment and walks the process tree; this
module only compares what it was given with the catalog's `session` rules."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ai_clearance.catalog.rules import Catalog, Rule
from ai_clearance.model import Finding

# A value longer than this is no agent's marker (and is not worth comparing or quoting).
MAX_VALUE_CHARS = 256
# Programs that run a script named by their first argument that is not a flag: for them
# that script's name is the executable's (`node /usr/local/bin/gemini`, `sh ./claude`).
_INTERPRETER = re.compile(
    r"(?:node|nodejs|bun|deno|python(?:[23](?:\.\d+)?)?|pythonw|py|pypy3?|ruby|perl"
    r"|sh|bash|dash|zsh|ksh|mksh|fish|pwsh|powershell)\Z")
# What Windows adds to an executable's name.
_WINDOWS_SUFFIX = re.compile(r"\.(?:exe|cmd|bat|ps1)\Z")


@dataclass(frozen=True)
class ProcessRecord:
    """One ancestor of the commit hook, as the operating system reports it: its pid, its
    name (may be empty when the system would not tell) and its command line."""

    pid: int
    name: str
    argv: tuple[str, ...] = ()


def executable_name(text: str) -> str:
    """The name a path or process name runs as: its last component (either separator),
    lower case, without a Windows .exe/.cmd/.bat/.ps1 ending."""
    base = re.split(r"[\\/]", text.strip())[-1].casefold()
    return _WINDOWS_SUFFIX.sub("", base)


def first_operand(argv: Sequence[str]) -> str | None:
    """The first argument after argv[0] that is not a flag (None when there is none)."""
    return next((arg for arg in argv[1:] if arg and not arg.startswith("-")), None)


def process_names(record: ProcessRecord) -> list[tuple[str, str]]:
    """What a process runs as, each with how it was read: its name, argv[0], and the script
    an interpreter runs."""
    names = []
    if record.name:
        names.append(("process name", executable_name(record.name)))
    if record.argv and record.argv[0]:
        names.append(("argv[0]", executable_name(record.argv[0])))
    interpreted = any(_INTERPRETER.match(name) for _, name in names)
    script = first_operand(record.argv) if interpreted else None
    if script:
        names.append(("script", executable_name(script)))
    return names


def _env_hit(rule: Rule, environ: Mapping[str, str]) -> str | None:
    for name, wanted in rule.env:
        value = environ.get(name)
        if value is None or len(value) > MAX_VALUE_CHARS or not value.strip():
            continue
        if wanted is None or value.strip().casefold() == wanted:
            return f"environment variable {name}={value.strip()!r}"
    return None


def _process_hit(rule: Rule, ancestors: Iterable[ProcessRecord]) -> str | None:
    for depth, record in enumerate(ancestors, start=1):
        for how, name in process_names(record):
            if name in rule.processes:
                shown = " ".join(record.argv[:3])[:120]
                return (f"ancestor process {record.pid} ({depth} up), {how} {name!r}"
                        + (f": {shown}" if shown else ""))
    return None


def findings_for_session(catalog: Catalog, environ: Mapping[str, str],
                         ancestors: Sequence[ProcessRecord]) -> list[Finding]:
    """One finding per session rule that matches, with the variable or the (nearest)
    process that matched as its evidence."""
    findings = []
    for rule in catalog.rules_for("session"):
        evidence = _env_hit(rule, environ) if rule.env else None
        if evidence is None and rule.processes:
            evidence = _process_hit(rule, ancestors)
        if evidence is not None:
            findings.append(Finding(rule=rule.id, assistants=rule.assistants, kind=rule.kind,
                                    severity=rule.severity, evidence=evidence))
    return findings
