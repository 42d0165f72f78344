"""The agents' settings files that hold the guard's hook entry, and the merge that adds it.
Pure: settings text in, new settings text (or the reason it cannot be changed) out.

Claude Code: `hooks.PreToolUse`, a matcher group for the `Bash` tool and the file tools
(`Write`, `Edit`, `MultiEdit`, `NotebookEdit`); Gemini CLI: `hooks.BeforeTool`, a group for
`run_shell_command`, `write_file` and `replace` (both matchers are regular expressions).
Both run the command with the tool call as JSON on stdin and refuse the call when it exits
2 (the reason on stderr), per their hooks references (code.claude.com/docs hooks;
geminicli.com/docs/hooks/reference; the file tools' names: geminicli.com/docs/tools)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

GUARD_SUBCOMMAND = "guard check-command"
MAX_SETTINGS = 16 * 1024 * 1024


@dataclass(frozen=True)
class Agent:
    """Where an agent keeps its settings and how a shell-tool hook is declared there."""

    id: str
    title: str
    folder: str  # under the home folder (user scope) or the project (project scope)
    event: str
    matcher: str
    older: tuple[str, ...] = ()  # matchers of earlier installs, whose guard entry moves


AGENTS = {
    "claude": Agent("claude", "Claude Code", ".claude", "PreToolUse",
                    "Bash|Write|Edit|MultiEdit|NotebookEdit", ("Bash",)),
    "gemini": Agent("gemini", "Gemini CLI", ".gemini", "BeforeTool",
                    "run_shell_command|write_file|replace", ("run_shell_command",)),
}


class SettingsError(ValueError):
    """A settings file the guard will not change (it is left as it is)."""


def is_guard(hook: object) -> bool:
    """Whether a hook entry is the guard's (any path to ai-clearance)."""
    if not isinstance(hook, dict):
        return False
    command = hook.get("command")
    return isinstance(command, str) and "ai-clearance" in command \
        and command.rstrip().endswith(GUARD_SUBCOMMAND)


def guard_hook(agent: Agent, command: str) -> dict[str, Any]:
    """The hook entry that runs `command` (the guard)."""
    hook: dict[str, Any] = {"type": "command", "command": command}
    if agent.id == "gemini":
        hook = {"name": "ai-clearance-guard", **hook}
    return hook


def parse_settings(text: str | None) -> dict[str, Any]:
    """The settings object (empty for a file that does not exist or is blank)."""
    if text is None or not text.strip():
        return {}
    if len(text) > MAX_SETTINGS:
        raise SettingsError(f"it is over {MAX_SETTINGS} bytes")
    try:
        settings = json.loads(text)
    except ValueError as exc:
        raise SettingsError(f"it is not valid JSON ({_short(exc)})") from None
    if not isinstance(settings, dict):
        raise SettingsError("it is JSON but not an object")
    return settings


def _short(exc: ValueError) -> str:
    return str(exc).splitlines()[0][:120]


def _groups(settings: dict[str, Any], agent: Agent) -> list[Any] | None:
    hooks = settings.get("hooks")
    if hooks is None:
        return None
    if not isinstance(hooks, dict):
        raise SettingsError("its `hooks` is not an object")
    groups = hooks.get(agent.event)
    if groups is not None and not isinstance(groups, list):
        raise SettingsError(f"its `hooks.{agent.event}` is not a list")
    return groups


def installed_commands(settings: dict[str, Any], agent: Agent) -> list[str]:
    """The guard commands the settings run for the agent's tools (also under an earlier
    install's matcher)."""
    found: list[str] = []
    for group in _groups(settings, agent) or []:
        if isinstance(group, dict) and group.get("matcher") in (agent.matcher, *agent.older) \
                and isinstance(group.get("hooks"), list):
            found.extend(hook["command"] for hook in group["hooks"] if is_guard(hook))
    return found


def older_install(settings: dict[str, Any], agent: Agent) -> bool:
    """Whether a guard entry sits in a group of an earlier install's matcher (`Bash`)."""
    return any(isinstance(group, dict) and group.get("matcher") in agent.older
               and isinstance(group.get("hooks"), list) and any(map(is_guard, group["hooks"]))
               for group in _groups(settings, agent) or [])


def _without_older(groups: list[Any], agent: Agent) -> list[Any]:
    """The groups with the guard taken out of earlier installs' matcher groups (a group
    left empty goes)."""
    kept = []
    for group in groups:
        if isinstance(group, dict) and group.get("matcher") in agent.older \
                and isinstance(group.get("hooks"), list):
            group["hooks"] = [hook for hook in group["hooks"] if not is_guard(hook)]
            if not group["hooks"]:
                continue
        kept.append(group)
    return kept


def merge_guard(text: str | None, agent: Agent, command: str) -> str | None:
    """The settings text with the guard installed, or None when it already is, exactly.
    Every other setting and hook stays; a guard entry with another command (an older
    install's path) is replaced in place; a second guard entry is dropped; one under an
    earlier install's matcher (`Bash` alone) moves to the current one."""
    settings = parse_settings(text)
    groups = _groups(settings, agent)
    if installed_commands(settings, agent) == [command] and not older_install(settings, agent):
        return None
    if groups is None:
        hooks = settings.setdefault("hooks", {})
        groups = hooks.setdefault(agent.event, [])
    else:
        groups[:] = _without_older(groups, agent)
    placed = False
    for group in groups:
        if not (isinstance(group, dict) and group.get("matcher") == agent.matcher
                and isinstance(group.get("hooks"), list)):
            continue
        kept = []
        for hook in group["hooks"]:
            if not is_guard(hook):
                kept.append(hook)
            elif not placed:
                kept.append(guard_hook(agent, command))
                placed = True
        group["hooks"] = kept
    if not placed:
        groups.append({"matcher": agent.matcher, "hooks": [guard_hook(agent, command)]})
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n"


def remove_guard(text: str | None, agent: Agent) -> str | None:
    """The settings text without the guard, or None when it is not there. A matcher group
    left with no hook goes, and so do `hooks.EVENT` and `hooks` when they are left empty."""
    settings = parse_settings(text)
    groups = _groups(settings, agent)
    if groups is None or not installed_commands(settings, agent):
        return None
    kept_groups = []
    for group in groups:
        if isinstance(group, dict) and group.get("matcher") in (agent.matcher, *agent.older) \
                and isinstance(group.get("hooks"), list):
            group["hooks"] = [hook for hook in group["hooks"] if not is_guard(hook)]
            if not group["hooks"]:
                continue
        kept_groups.append(group)
    hooks = settings["hooks"]
    hooks[agent.event] = kept_groups
    if not kept_groups:
        del hooks[agent.event]
    if not hooks:
        del settings["hooks"]
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n"
