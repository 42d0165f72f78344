"""The agent guard's decision: given what an agent is about to run in its shell tool, refuse
the commands that would skip the repository's hooks (`git commit --no-verify`, `git -c
core.hooksPath=...`, pre-commit's `SKIP=ai-clearance-...`, ...). Pure: the tool input in,
a reason to refuse (or None) out. Anything it cannot read is refused: the guard fails
closed, because an agent's hook that errors in any other way lets the command run."""

from __future__ import annotations

import json
import ntpath
import posixpath
from collections.abc import Mapping, Sequence

from ai_clearance.integrations.shell_words import ShellSyntaxError, split_commands

# The tools that run a shell command: Claude Code's `Bash`, Gemini CLI's
# `run_shell_command`; both pass the command line as tool_input.command.
SHELL_TOOLS = frozenset({"Bash", "run_shell_command"})
MAX_PAYLOAD = 4 * 1024 * 1024  # bytes of tool input read; more is refused
MAX_NESTING = 4  # `sh -c "sh -c '...'"` levels read before refusing

_WRAPPERS = frozenset({"command", "exec", "nohup", "time", "builtin", "sudo", "doas", "nice",
                       "ionice", "stdbuf", "xargs", "caffeinate", "chronic", "timeout"})
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "fish"})
_READ_PROGRAMS = _WRAPPERS | _SHELLS | {"git", "env", "eval", "export", "pre-commit"}
# git's global options that take the next word as their value.
_GIT_VALUE_OPTIONS = frozenset({"-C", "--git-dir", "--work-tree", "--namespace",
                                "--attr-source"})
# `git commit` short options whose value is the rest of the cluster or the next word; -S
# and -u take theirs attached only.
_COMMIT_VALUE_LETTERS = frozenset("mFcCt")
_COMMIT_ATTACHED_LETTERS = frozenset("Su")
_COMMIT_VALUE_LONG = frozenset({"--message", "--file", "--reuse-message", "--reedit-message",
                                "--fixup", "--squash", "--author", "--date", "--template",
                                "--cleanup", "--trailer", "--pathspec-from-file"})
# Subcommands whose --no-verify skips hooks ai-clearance runs in, or hooks that may.
_NO_VERIFY_SUBCOMMANDS = frozenset({"commit", "push", "merge", "am", "rebase", "pull"})
_HOOKS_PATH = "core.hookspath"
_READ_ONLY_CONFIG = frozenset({"--get", "--get-all", "--get-regexp", "--list", "-l", "get",
                               "list", "--show-origin"})

ADVICE = ("run it without that, and let the hooks run; if a hook fails, fix what it "
          "reports or ask the person you work for")


class GuardInputError(ValueError):
    """Tool input the guard cannot read (it is then refused)."""


def decide_payload(data: bytes) -> str | None:
    """The reason to refuse the tool call described by the hook's JSON input, or None to
    let it run. Input that is not the JSON an agent sends is refused."""
    if len(data) > MAX_PAYLOAD:
        return f"the tool input is over {MAX_PAYLOAD} bytes"
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "the tool input is not JSON"
    except RecursionError:
        return "the tool input is JSON nested too deep to read"
    try:
        command = shell_command(payload)
    except GuardInputError as exc:
        return f"{exc}"
    return None if command is None else decide_command(command)


def shell_command(payload: object) -> str | None:
    """The command line of a shell tool call, or None for another tool."""
    if not isinstance(payload, Mapping):
        raise GuardInputError("the tool input is not a JSON object")
    tool = payload.get("tool_name")
    if isinstance(tool, str) and tool not in SHELL_TOOLS:
        return None
    tool_input = payload.get("tool_input")
    command = tool_input.get("command") if isinstance(tool_input, Mapping) else None
    if not isinstance(command, str):
        raise GuardInputError("the tool input has no tool_input.command string")
    return command


def decide_command(command: str, nesting: int = 0) -> str | None:
    """The reason to refuse a shell command line, or None."""
    if nesting > MAX_NESTING:
        return f"shell commands nested more than {MAX_NESTING} deep"
    try:
        commands = split_commands(command)
    except ShellSyntaxError as exc:
        return f"the command cannot be read ({exc})"
    for words in commands:
        reason = _decide_simple(words, nesting)
        if reason:
            return reason
    return None


def _decide_simple(words: Sequence[str], nesting: int) -> str | None:
    """One simple command: its variable assignments, wrappers, then the program."""
    index, reason = _assignments(words, 0)
    while reason is None and index < len(words):
        program = _basename(words[index])
        if program == "env":
            index, reason = _env(words, index + 1)
        elif program in _WRAPPERS:
            index = _wrapped(words, index + 1)
        elif program in ("export", "declare", "typeset"):
            return _exported(words[index + 1:])
        else:
            return _decide_program(program, words[index + 1:], nesting)
    return reason


def _decide_program(program: str, arguments: Sequence[str], nesting: int) -> str | None:
    if program == "git":
        return decide_git(arguments, nesting)
    if program in _SHELLS:
        script = _shell_script(arguments)
        return None if script is None else decide_command(script, nesting + 1)
    if program == "eval":
        return decide_command(" ".join(arguments), nesting + 1)
    if program == "pre-commit" and "uninstall" in arguments:
        return f"`pre-commit uninstall` removes the repository's hooks; {ADVICE}"
    return None


def _basename(word: str) -> str:
    name = ntpath.basename(posixpath.basename(word)).lower()
    return name[:-4] if name.endswith(".exe") else name


def _exported(words: Sequence[str]) -> str | None:
    """`export [-x] A=1 B C=2`: the reason to refuse one of the variables set."""
    for word in words:
        reason = decide_variable(*word.split("=", 1)) if _is_assignment(word) else None
        if reason:
            return reason
    return None


def _wrapped(words: Sequence[str], index: int) -> int:
    """Where the command a wrapper runs starts: the first word after its options that names
    a program the guard reads (`sudo -u me git ...`: the options' values are not known)."""
    for later in range(_skip_options(words, index), len(words)):
        if _basename(words[later]) in _READ_PROGRAMS:
            return later
    return len(words)


def _env(words: Sequence[str], index: int) -> tuple[int, str | None]:
    """`env [OPTIONS] [NAME=VALUE]... COMMAND`: where COMMAND starts (the first word naming
    a program the guard reads: the options' values are not known), and the reason to refuse
    a variable set on the way."""
    reason = None
    for later in range(index, len(words)):
        word = words[later]
        if _is_assignment(word):
            reason = reason or decide_variable(*word.split("=", 1))
        elif not word.startswith("-") and _basename(word) in _READ_PROGRAMS:
            return later, reason
    return len(words), reason


def _skip_options(words: Sequence[str], index: int) -> int:
    """The index of the first word that is not an option (a wrapper's own options)."""
    while index < len(words) and words[index].startswith("-"):
        index += 1
    return index


def _assignments(words: Sequence[str], index: int) -> tuple[int, str | None]:
    """Skip `NAME=value` words from `index`: the index after them, and the reason to refuse
    one of them."""
    reason = None
    while index < len(words) and _is_assignment(words[index]):
        name, _, value = words[index].partition("=")
        reason = reason or decide_variable(name, value)
        index += 1
    return index, reason


def _is_assignment(word: str) -> bool:
    name, equals, _ = word.partition("=")
    return bool(equals) and name.replace("_", "a").isalnum() and not name[0].isdigit()


def decide_variable(name: str, value: str) -> str | None:
    """The reason to refuse setting an environment variable for a command, or None."""
    if name == "SKIP" and any(hook.strip().startswith("ai-clearance")
                              for hook in value.split(",")):
        return f"SKIP={value} tells pre-commit to skip ai-clearance's hooks; {ADVICE}"
    if name == "HUSKY" and value.strip() == "0":
        return f"HUSKY=0 turns the repository's git hooks off; {ADVICE}"
    if name == "GIT_CONFIG_PARAMETERS" and _HOOKS_PATH in value.lower():
        return f"GIT_CONFIG_PARAMETERS sets core.hooksPath, which moves the hooks; {ADVICE}"
    if name.startswith("GIT_CONFIG_KEY_") and value.strip().lower() == _HOOKS_PATH:
        return f"{name}={value} sets core.hooksPath, which moves the hooks; {ADVICE}"
    return None


def decide_git(arguments: Sequence[str], nesting: int = 0) -> str | None:
    """The reason to refuse `git ARGUMENTS`, or None."""
    index = 0
    while index < len(arguments) and arguments[index].startswith("-"):
        index, setting = _global_option(arguments, index)
        name, _, value = (setting or "").partition("=")
        reason = None if setting is None else _decide_setting(name, value, nesting)
        if reason:
            return reason
    if index >= len(arguments):
        return None
    return _decide_subcommand(arguments[index], arguments[index + 1:], nesting)


def _decide_setting(name: str, value: str, nesting: int) -> str | None:
    """A configuration value set for a git command: core.hooksPath, or an alias whose
    command would be refused (`alias.ci=commit -n`, `alias.x=!git commit -n`)."""
    key = name.strip().lower()
    if key == _HOOKS_PATH:
        return f"setting core.hooksPath moves the repository's hooks away; {ADVICE}"
    if key.startswith("alias.") and value:
        shell = value[1:] if value.startswith("!") else f"git {value}"
        reason = decide_command(shell, nesting + 1)
        return f"the alias {name.strip()} would run: {reason}" if reason else None
    return None


def _global_option(arguments: Sequence[str], index: int) -> tuple[int, str | None]:
    """One of git's own options at `index`: the index after it, and the setting it makes
    when it is `-c NAME=VALUE` or `--config-env=NAME=VARIABLE`."""
    option = arguments[index]
    if option in ("-c", "--config-env"):
        return index + 2, arguments[index + 1] if index + 1 < len(arguments) else ""
    if option in _GIT_VALUE_OPTIONS:
        return index + 2, None
    if option.startswith("--config-env="):
        return index + 1, option.split("=", 1)[1]
    if option.startswith("-c"):
        return index + 1, option[2:]
    return index + 1, None


def _decide_subcommand(subcommand: str, arguments: Sequence[str],
                       nesting: int) -> str | None:
    if subcommand == "config":
        return _decide_config(arguments, nesting)
    if subcommand not in _NO_VERIFY_SUBCOMMANDS:
        return None
    skips = commit_skips_hooks(arguments) if subcommand == "commit" else \
        _long_no_verify(arguments)
    if skips:
        return f"`git {subcommand} --no-verify` skips the repository's hooks; {ADVICE}"
    return None


def _decide_config(arguments: Sequence[str], nesting: int) -> str | None:
    """`git config [set] [--local|...] NAME VALUE`: the setting it writes, if it writes."""
    if _READ_ONLY_CONFIG.intersection(word.lower() for word in arguments):
        return None
    words = [word for word in arguments if not word.startswith("-") and word != "set"]
    if not words:
        return None
    name, _, attached = words[0].partition("=")
    value = attached or (words[1] if len(words) > 1 else "")
    return _decide_setting(name, value, nesting)


def _is_no_verify(word: str) -> bool:
    """`--no-verify`, or an abbreviation git would take for it (`--no-veri`)."""
    return len(word) >= len("--no-veri") and "--no-verify".startswith(word)


def _long_no_verify(arguments: Sequence[str]) -> bool:
    skips = False
    for word in arguments:
        if word == "--":
            break
        if _is_no_verify(word):
            skips = True
        elif word == "--verify":
            skips = False
    return skips


def commit_skips_hooks(arguments: Sequence[str]) -> bool:
    """Whether `git commit ARGUMENTS` skips the hooks: `-n`/`--no-verify` (also in a
    cluster, `-anm msg`), unless a later `--verify` turns them back on; option values
    (`-m -n`, `-mn`) are not options."""
    skips = False
    index = 0
    while index < len(arguments):
        word = arguments[index]
        index += 1
        if word == "--":
            break
        if word.startswith("--"):
            name = word.split("=", 1)[0]
            if _is_no_verify(word):
                skips = True
            elif word == "--verify":
                skips = False
            elif name in _COMMIT_VALUE_LONG and "=" not in word:
                index += 1
        elif word.startswith("-") and len(word) > 1:
            found, takes_next = _commit_cluster(word[1:])
            skips = skips or found
            index += 1 if takes_next else 0
    return skips


def _commit_cluster(letters: str) -> tuple[bool, bool]:
    """A cluster of short options (`anm`): whether it has -n, and whether its last option
    takes the next word as its value."""
    found = False
    for position, letter in enumerate(letters):
        if letter == "n":
            found = True
        elif letter in _COMMIT_VALUE_LETTERS:
            return found, position == len(letters) - 1
        elif letter in _COMMIT_ATTACHED_LETTERS:
            return found, False
    return found, False


def _shell_script(arguments: Sequence[str]) -> str | None:
    """The script of `sh -c SCRIPT` (options may come first: `bash -lc '...'`), else None."""
    for index, word in enumerate(arguments):
        if not word.startswith("-"):
            return None
        if "c" in word[1:] and not word.startswith("--") and index + 1 < len(arguments):
            return arguments[index + 1]
    return None


def refusal_message(reason: str) -> str:
    """The line the agent reads when the guard refuses its command."""
    return f"ai-clearance guard: refused: {reason}"
