"""The agent guard's decision: given what an agent is about to run in its shell tool, refuse
the commands that would skip the repository's hooks (`git commit --no-verify`, `git -c
core.hooksPath=...`, pre-commit's `SKIP=ai-clearance-...`, ...). Pure: the tool input in,
a reason to refuse (or None) out. Anything it cannot read is refused: the guard fails
closed, because an agent's hook that errors in any other way lets the command run. So is a
word the shell computes where git could read it as an option, or a program the shell
computes: the guard cannot know what they become."""

from __future__ import annotations

import fnmatch
import json
import ntpath
import posixpath
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field

from ai_clearance.integrations.guard_paths import HOOK_MANAGER_OVERRIDES, judged_path, moved
from ai_clearance.integrations.shell_words import (
    EXPANDED,
    QUOTED,
    Command,
    ShellSyntaxError,
    marker,
    split_commands,
    split_words,
)

# The tools that run a shell command: Claude Code's `Bash`, Gemini CLI's
# `run_shell_command`; both pass the command line as tool_input.command.
SHELL_TOOLS = frozenset({"Bash", "run_shell_command"})
# The tools that write a file: Claude Code's Write, Edit, MultiEdit and NotebookEdit, Gemini
# CLI's write_file and replace (tool_input.file_path; notebook_path for NotebookEdit).
FILE_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit", "write_file",
                        "replace"})
# What a hook manager's config names ai-clearance's hooks by: an edit that leaves fewer of
# them takes hooks out.
OWN_NAME = "ai-clearance"
MAX_PAYLOAD = 4 * 1024 * 1024  # bytes of tool input read; more is refused
MAX_NESTING = 4  # `sh -c "sh -c '...'"` levels read before refusing
MAX_STARTS = 16  # words naming git (or a shell) read in one other program's arguments
MAX_CONFIG_COUNT = 64  # GIT_CONFIG_KEY_<n> pairs read
MAX_WRAPPED = 16  # programs running one another in one command (`env sudo nice git`)

# Programs that run the command in their arguments; a program they get from the shell
# (`sudo "$X" ...`) is not known.
_WRAPPERS = frozenset({"command", "exec", "nohup", "time", "builtin", "sudo", "doas", "nice",
                       "ionice", "stdbuf", "xargs", "caffeinate", "chronic", "timeout",
                       "setsid", "flock", "watch", "script", "strace", "ltrace", "find",
                       "chroot", "unshare", "nsenter", "taskset", "chrt", "prlimit", "su",
                       "runuser", "parallel", "systemd-run", "env", "busybox"})
# Long options of other programs whose value is a command line.
_COMMAND_OPTIONS = frozenset({"--command", "--exec", "--run", "--cmd", "--shell-command",
                              "--split-string", "--eval"})
# A shell's options that take the next word as their value.
_SHELL_VALUE_OPTIONS = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file", "-C",
                                  "--init-command"})
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "mksh", "yash"})
_READ_PROGRAMS = _SHELLS | {"git", "env", "eval", "pre-commit"}
# Programs that only print or look at their arguments: a `git` among them is text.
_TEXT_PROGRAMS = frozenset({"echo", "printf", "grep", "egrep", "fgrep", "rg", "ag", "ack",
                            "man", "info", "which", "whereis", "type", "whatis", "apropos",
                            "test", "[", "true", "false", ":", "cd", "pushd", "mkdir",
                            "ls", "wc", "cat", "head", "tail", "less", "diff", "touch"})
# Words that open or close a compound command; the program comes after them.
_RESERVED = frozenset({"!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done",
                       "while", "until", "esac", "coproc", "time", "-p"})
# Words that start a command that runs no program itself (`for x in ...`).
_NO_PROGRAM = frozenset({"for", "select", "case", "[[", "((", "in"})
_VARIABLE_READERS = frozenset({"read", "mapfile", "readarray", "printf", "getopts",
                               "unset", "let"})
_DECLARE = frozenset({"export", "declare", "typeset", "local", "readonly"})
# Programs that only read or print the files they are given (any other program given a
# protected path is refused); `cd`/`pushd`/`popd` move the line's folder.
_READERS = _TEXT_PROGRAMS - {"cd", "pushd"} | {
    "more", "cmp", "stat", "file", "du", "tree", "readlink", "realpath", "basename",
    "dirname", "md5sum", "sha1sum", "sha256sum", "od", "xxd", "hexdump", "bat", "jq",
    "yamllint", "pre-commit", "lefthook", "git", "hub"}
_MOVERS = frozenset({"cd", "pushd", "popd"})
# Programs that read their sources and write one target.
_COPIERS = frozenset({"cp", "rsync", "install"})
# Options whose value is left out of what a program touches (`tar --exclude=.git`), and
# find's patterns (a pattern of .git alone is the `-prune` idiom).
_EXCLUDING = ("--exclude", "--ignore")
_FIND_PATTERNS = frozenset({"-path", "-name", "-wholename", "-ipath", "-iname", "-regex"})
# Options whose value is a text, not a path (`gh pr create --body TEXT`).
_TEXT_VALUE_OPTIONS = frozenset({"-m", "--body", "--title", "--message", "--notes",
                                 "--description", "--comment", "--subject"})
# find's actions that change or write files (without one, find only prints).
_FIND_ACTIONS = frozenset({"-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint",
                           "-fprint0", "-fprintf", "-fls"})
_SSH_VALUE_OPTIONS = frozenset({"-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L",
                                "-l", "-m", "-O", "-o", "-p", "-Q", "-R", "-S", "-W", "-w",
                                "-B"})
_GIT_PATH_LOOK = 4  # commands of a substitution looked at for `git rev-parse --git-dir`
# git's options that print a path inside .git.
_GIT_PATH_OPTIONS = frozenset({"--git-dir", "--git-common-dir", "--absolute-git-dir",
                               "--git-path"})
# git's global options that take the next word as their value.
_GIT_VALUE_OPTIONS = frozenset({"-C", "--git-dir", "--work-tree", "--namespace",
                                "--attr-source", "--exec-path", "--super-prefix"})
# `git commit` short options whose value is the rest of the cluster or the next word; -S
# and -u take theirs attached only.
_COMMIT_VALUE_LETTERS = frozenset("mFcCt")
_COMMIT_ATTACHED_LETTERS = frozenset("Su")
_COMMIT_VALUE_LONG = frozenset({"--message", "--file", "--reuse-message", "--reedit-message",
                                "--fixup", "--squash", "--author", "--date", "--template",
                                "--cleanup", "--trailer", "--pathspec-from-file"})
# Subcommands whose --no-verify skips hooks ai-clearance runs in, or hooks that may.
_NO_VERIFY_SUBCOMMANDS = frozenset({"commit", "push", "merge", "am", "rebase", "pull"})
# Options of git subcommands whose value is a command line git runs in a shell.
_RUN_OPTIONS = {"rebase": frozenset({"--exec", "-x"}),
                "difftool": frozenset({"--extcmd", "-x"}),
                "filter-branch": frozenset({"--setup"})}
# Settings whose value is a command git runs (a pager, an editor, a helper): judged as one.
_COMMAND_SETTINGS = frozenset({"core.editor", "core.pager", "core.sshcommand",
                               "core.fsmonitor", "core.askpass", "sequence.editor",
                               "diff.external", "gpg.program", "credential.helper"})
_COMMAND_SETTING_ENDS = (".command", ".cmd", ".textconv", ".driver", ".clean", ".smudge",
                         ".process", ".program", ".helper")
# Variables whose value is a command git runs.
_COMMAND_VARIABLES = ("GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_SSH_COMMAND", "GIT_PAGER",
                      "GIT_EXTERNAL_DIFF", "GIT_ASKPASS", "EDITOR", "VISUAL", "PAGER")
# Subcommands whose output never starts with `-` (ref names, object names, paths).
_SAFE_OUTPUT = frozenset({"rev-parse", "symbolic-ref", "describe", "branch"})
_HOOKS_PATH = "core.hookspath"
# git subcommands that write their path operands.
_PATH_SUBCOMMANDS = frozenset({"mv", "rm", "checkout", "restore", "reset"})
# `git apply` options that only look at a patch; `git am` steps that apply none.
_PATCH_LOOKS = frozenset({"--check", "--stat", "--numstat", "--summary"})
_AM_STEPS = frozenset({"--continue", "--skip", "--abort", "--quit", "--resolved", "-r",
                       "--show-current-patch", "--retry"})
_PATCH_NAMING = ("rename from ", "rename to ", "copy from ", "copy to ")
_CONFIG_VALUE_OPTIONS = frozenset({"-f", "--file", "--blob", "--type", "--comment",
                                   "--default", "--value"})
_CONFIG_READ_OR_REMOVE = frozenset({"--get", "--get-all", "--get-regexp", "--get-urlmatch",
                                    "--list", "-l", "--get-color", "--get-colorbool",
                                    "--unset", "--unset-all", "--remove-section", "get",
                                    "list", "unset", "remove-section"})
# Hook managers' switches: Lefthook (LEFTHOOK=0, LEFTHOOK_EXCLUDE naming ai-clearance),
# Husky 4's HUSKY_SKIP_HOOKS and Overcommit's OVERCOMMIT_DISABLE (any value but 0).
_HOOK_SWITCHES = frozenset({"LEFTHOOK", "LEFTHOOK_EXCLUDE", "HUSKY_SKIP_HOOKS",
                            "OVERCOMMIT_DISABLE"})
_GUARDED_VARIABLES = frozenset({"SKIP", "HUSKY", "PRE_COMMIT_ALLOW_NO_CONFIG"})
# Variables that point git at other configuration files, which may set core.hooksPath.
_CONFIG_FILE_VARIABLES = ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG", "HOME",
                          "XDG_CONFIG_HOME")

ADVICE = ("run it without that, and let the hooks run; if a hook fails, fix what it "
          "reports or ask the person you work for")
COMPUTED_ADVICE = "write it out in the command"


@dataclass(frozen=True)
class Surroundings:
    """What the guard may look at beyond the tool input, given by the CLI: a file's text
    (`read_text`: "" when there is none, None when it cannot be read), and whether the
    repository's hooks live in a folder git ignores (Husky's `.husky/_`), which `git clean
    -x` and `git stash --all` delete."""

    read_text: Callable[[str], str | None] | None = None
    hooks_ignored: bool = False


class GuardInputError(ValueError):
    """Tool input the guard cannot read (it is then refused)."""


@dataclass
class _Line:
    """What the guard knows while it reads one command line: its commands (a command
    substitution's output is looked up there), the variables set so far (None: a value
    the guard cannot know; `shell`: where `export` and `A=1` set them, `variables` also
    sees those set for one command), and how deep in `sh -c` it is."""

    commands: list[Command]
    variables: MutableMapping[str, str | None]
    nesting: int
    shell: MutableMapping[str, str | None]
    wrapped: int = 0  # programs around the one read (`env sudo git ...`: 2)
    # the folder the line is in, one cell shared by the whole line (`cd .git && ...`);
    # "" where it started, None when the shell computes it
    place: list[str | None] = field(default_factory=lambda: [""])
    around: Surroundings = field(default_factory=Surroundings)

    def scoped(self, local: dict[str, str | None]) -> _Line:
        """The line as one command sees it, with the variables set for it."""
        return _Line(self.commands, ChainMap(local, self.variables), self.nesting, self.shell,
                     self.wrapped + 1, self.place, self.around)


def decide_payload(data: bytes,
                   read_text: Callable[[str], str | None] | None = None,
                   hooks_ignored: Callable[[str], bool] | None = None) -> str | None:
    """The reason to refuse the tool call described by the hook's JSON input, or None to
    let it run. Input that is not the JSON an agent sends is refused. `read_text`: a
    file's text ("" when there is none, None when it cannot be read), for a file tool
    that rewrites a hook manager's config or a patch `git apply` applies; without it,
    such a file is not known. `hooks_ignored`: whether the repository around a folder (the
    payload's `cwd`, "" when it has none) keeps its hooks in an ignored folder."""
    if len(data) > MAX_PAYLOAD:
        return f"the tool input is over {MAX_PAYLOAD} bytes"
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "the tool input is not JSON"
    except RecursionError:
        return "the tool input is JSON nested too deep to read"
    try:
        return _decide_tool(payload, read_text, hooks_ignored)
    except GuardInputError as exc:
        return f"{exc}"


def _decide_tool(payload: object, read_text: Callable[[str], str | None] | None,
                 hooks_ignored: Callable[[str], bool] | None = None) -> str | None:
    """A file tool's call, or a shell tool's command line read from the folder the agent
    is in (`cwd`)."""
    if isinstance(payload, Mapping) and payload.get("tool_name") in FILE_TOOLS:
        return decide_file_tool(payload, read_text)
    command = shell_command(payload)
    if command is None:
        return None
    cwd = payload.get("cwd") if isinstance(payload, Mapping) else None
    place: list[str | None] = [cwd if isinstance(cwd, str) and _plain(cwd) else ""]
    around = Surroundings(read_text, bool(hooks_ignored and hooks_ignored(place[0] or "")))
    return decide_command(command, place=place, around=around)


def _plain(text: str) -> bool:
    return not _computed(text) and "\n" not in text


def decide_file_tool(payload: Mapping[str, object],
                     read_text: Callable[[str], str | None] | None) -> str | None:
    """A file tool's call: refused when its file is a protected path (the hooks folder, a
    git config file, .git itself, Husky's folder); a hook manager's config may be edited
    as long as no mention of ai-clearance goes."""
    tool = payload.get("tool_name")
    tool_input = payload.get("tool_input")
    if not isinstance(tool_input, Mapping):
        raise GuardInputError("the tool input has no tool_input object")
    path = tool_input.get("notebook_path" if tool == "NotebookEdit" else "file_path")
    if not isinstance(path, str) or not _plain(path):
        raise GuardInputError("the tool input has no readable tool_input.file_path")
    cwd = payload.get("cwd")
    place = cwd if isinstance(cwd, str) and _plain(cwd) else ""
    found = judged_path(path, place)
    if found is None:
        return None
    if found != "a hook manager's config" or tool == "NotebookEdit":
        return f"{tool} on {path} changes {found}; {ADVICE}"
    if _basename(path) in HOOK_MANAGER_OVERRIDES:
        return (f"{tool} on {path} changes Lefthook's local override, which can skip any "
                f"hook; {ADVICE}")
    full = path if posixpath.isabs(path) or not place else posixpath.join(place, path)
    removed = _edit_removes_own_name(tool_input, read_text(full) if read_text else None)
    if removed:
        return f"{tool} on {path} {removed}; {ADVICE}"
    return None


def _edit_removes_own_name(tool_input: Mapping[str, object],
                           current: str | None) -> str | None:
    """Why a write or edit of a hook manager's config may take ai-clearance's hooks out
    (fewer mentions of ai-clearance after it than before), or None."""
    edits = tool_input.get("edits")
    pairs: list[tuple[object, object]] = []
    if isinstance(edits, list):
        pairs = [(e.get("old_string"), e.get("new_string")) if isinstance(e, Mapping)
                 else (None, None) for e in edits]
    elif "content" in tool_input:
        if current is None:
            return "rewrites a hook manager's config the guard cannot read"
        pairs = [(current, tool_input.get("content"))]
    else:
        pairs = [(tool_input.get("old_string"), tool_input.get("new_string"))]
    for old, new in pairs:
        if not isinstance(old, str) or not isinstance(new, str):
            raise GuardInputError("the tool input's edit has no old and new text")
        if new.lower().count(OWN_NAME) < old.lower().count(OWN_NAME):
            return "takes ai-clearance's hooks out of a hook manager's config"
    return None


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


def decide_command(command: str, nesting: int = 0,
                   variables: MutableMapping[str, str | None] | None = None,
                   shell: MutableMapping[str, str | None] | None = None,
                   place: list[str | None] | None = None,
                   around: Surroundings | None = None) -> str | None:
    """The reason to refuse a shell command line, or None. `variables`: those set by the
    line around it (`X=1; sh -c '...'`); `shell`: where it sets its own, when it runs in
    the same shell (`eval`)."""
    if nesting > MAX_NESTING:
        return f"shell commands nested more than {MAX_NESTING} deep"
    try:
        commands = split_commands(command)
    except ShellSyntaxError as exc:
        return f"the command cannot be read ({exc})"
    shell = {} if shell is None else shell
    line = _Line(commands, ChainMap(shell, *([variables] if variables else [])), nesting,
                 shell, place=[""] if place is None else place,
                 around=around or Surroundings())
    for simple in commands:
        reason = _decide_simple(simple, line)
        if reason:
            return reason
    return None


def _nested(text: str, line: _Line, same_shell: bool = False) -> str | None:
    """A command line run by the line (`sh -c TEXT`, an alias, `eval`), one level deeper;
    `same_shell`: it sets the line's own variables."""
    return decide_command(text, line.nesting + 1, line.variables,
                          line.shell if same_shell else None, line.place, line.around)


def _decide_simple(command: Command, line: _Line) -> str | None:
    """One simple command: where it writes, its variable assignments, then the program."""
    for target in command.outputs:
        touched = _touches(target, line)
        if touched:
            return f"writing {_shown(target)} changes {touched}; {ADVICE}"
    words = command.words
    index = _skip_reserved(words)
    if index < len(words) and words[index] in _NO_PROGRAM:
        if words[index] in ("for", "select"):  # `for X in ...`: X takes other values
            _set_variables(line, dict.fromkeys(words[index + 1:index + 2]))
        return None
    local: dict[str, str | None] = {}
    index, reason = _assignments(words, index, local)
    if reason:
        return reason
    if index >= len(words):  # `A=1; ...`: the shell's own variables
        _set_variables(line, local)
        return None
    return _decide_words(words[index:], command, line.scoped(local))


def _set_variables(line: _Line, values: Mapping[str, str | None]) -> None:
    """Variables the line sets; one set twice is not known (a function or a loop may run
    the assignments in another order than they are written)."""
    for name, value in values.items():
        known = name not in line.variables or line.variables[name] == value
        line.shell[name] = value if known else None


def _skip_reserved(words: Sequence[str]) -> int:
    index = 0
    while index < len(words):
        if words[index] == "function":
            index += 2
        elif words[index] in _RESERVED:
            index += 1
        else:
            break
    return index


def _assignments(words: Sequence[str], index: int,
                 into: dict[str, str | None]) -> tuple[int, str | None]:
    """Read `NAME=value` words from `index` into `into`: the index after them, and the
    reason to refuse one of them."""
    while index < len(words) and _is_assignment(words[index]):
        name, _, value = words[index].partition("=")
        reason = decide_variable(name.removesuffix("+"), value)
        if reason:
            return index, reason
        # `A+=x` appends to a value the guard may not know
        known = not _computed(value) and not name.endswith("+")
        into[name.removesuffix("+")] = value if known else None
        index += 1
    return index, None


def _is_assignment(word: str) -> bool:
    name, equals, _ = word.partition("=")
    name = name.removesuffix("+")
    return bool(equals) and bool(name) and name.replace("_", "a").isalnum() \
        and not name[0].isdigit()


def _decide_words(words: list[str], command: Command, line: _Line) -> str | None:
    """A command from its program on: the program, then its arguments."""
    if line.wrapped > MAX_WRAPPED:
        return f"more than {MAX_WRAPPED} programs run one another in one command"
    if _computed(words[0]) and not _named_by_path(words[0]):
        known, reason = _computed_program(words, command, line)
        if not known:
            return reason
        words = known
    alias = line.variables.get(f"alias {words[0]}")
    if alias is not None:  # `alias g=git; g commit -n`: what the alias stands for runs
        return _expanded_alias(words, alias, line)
    program = _basename(words[0])
    if program in _DECLARE or program == "alias":
        return _declared(program, words[1:], line)
    if program in _VARIABLE_READERS:  # `read X`, `printf -v X`: values not known
        targets = _read_targets(program, words[1:])
        guarded = next((name for name in targets if _guarded_variable(name)
                        and program != "unset"), None)
        if guarded:
            return (f"`{program}` sets {guarded} to a value the guard cannot know, which may "
                    f"turn hooks off; {ADVICE}")
        _set_variables(line, dict.fromkeys(targets))
    return _decide_program(program, words, command, line)


def _decide_program(program: str, words: list[str], command: Command,
                    line: _Line) -> str | None:
    arguments = words[1:]
    if program in ("git", "hub"):
        return decide_git(arguments, line, command)
    if program.startswith("git-"):  # `$(git --exec-path)/git-commit -n`
        return decide_git([program[4:], *arguments], line, command)
    if program in _SHELLS:
        return _decide_shell(arguments, command, line)
    if program == "eval":
        return _decide_eval(arguments, line)
    if program == "env":
        return _decide_env(arguments, command, line)
    return _decide_other(program, arguments, command, line)


def _decide_other(program: str, arguments: Sequence[str], command: Command,
                  line: _Line) -> str | None:
    if program in ("source", "."):
        return _script_file(arguments[0], command, line) if arguments else None
    if (program == "pre-commit" or "pre_commit" in arguments) and "uninstall" in arguments:
        return f"`pre-commit uninstall` removes the repository's hooks; {ADVICE}"
    if program in ("builtin", "command") and arguments[:1] and arguments[0] in _MOVERS:
        program, arguments = arguments[0], arguments[1:]
    if program in _MOVERS:
        line.place[0] = moved(line.place[0], _cd_target(program, arguments))
        return None
    reason = _touched_paths(program, arguments, line) or (
        _decide_ssh(arguments, line) if program == "ssh" else None)
    if reason or program in _TEXT_PROGRAMS:
        return reason
    return _decide_wrapped(program, arguments, command, line)


def _cd_target(program: str, arguments: Sequence[str]) -> str | None:
    """The folder `cd`/`pushd` goes to (`~` for none), None for `popd` or one not known."""
    if program == "popd":
        return None
    operands = [word for word in arguments if not (word.startswith("-") and word != "-")]
    return operands[0] if operands else "~"


def _touches(word: str, line: _Line) -> str | None:
    """What a word names among the protected paths, from the line's folder; also a
    `$(git rev-parse --git-dir)` or the like in it."""
    found = judged_path(word, line.place[0])
    if found is None and _names_git_folder(word, line):
        found = "the repository's .git folder, as git prints it"
    return found


def _names_git_folder(word: str, line: _Line) -> bool:
    """Whether a word holds a substitution of git printing a path in .git or a hooks
    setting (`git rev-parse --git-path hooks`, `--git-dir`, `git config core.hooksPath`)."""
    for mark in (EXPANDED, QUOTED):
        for name in word.split(mark)[1::2]:
            if not name.startswith("("):
                continue
            start, _, end = name[1:].partition(":")
            # its first few commands (a bound: nested substitutions share commands)
            first = int(start)
            for inner in line.commands[first:min(int(end), first + _GIT_PATH_LOOK)]:
                texts = [w.lower() for w in inner.words]
                if texts[:1] and _basename(texts[0]) == "git" and any(
                        w in _GIT_PATH_OPTIONS or _HOOKS_PATH in w for w in texts):
                    return True
    return False


def _touched_paths(program: str, arguments: Sequence[str], line: _Line) -> str | None:
    """A program that may change files given a protected path (by any program but those
    that only read: `cat`, `ls`, `grep`, `sed` without -i, ...); text options' values
    (`--body TEXT`) are not paths."""
    if _only_reads(program, arguments):
        return None
    sources = _copy_sources(program, arguments) if program in _COPIERS else set()
    # operands first, so that the message names the path rather than an option
    order = sorted(range(len(arguments)), key=lambda at: arguments[at].startswith("-"))
    for index in order:
        if index in sources:
            continue
        word = arguments[index]
        option = arguments[index - 1] if index else ""
        if option in _TEXT_VALUE_OPTIONS or word.split("=", 1)[0] in _TEXT_VALUE_OPTIONS \
                or option.startswith(_EXCLUDING) or word.startswith(_EXCLUDING):
            continue
        touched = _touches(word, line)
        if touched == "the .git folder" and option in _FIND_PATTERNS:
            continue  # `find . -path ./.git -prune`
        if touched:
            return f"`{program}` given {_shown(word)} may change {touched}; {ADVICE}"
    return None


def _copy_sources(program: str, arguments: Sequence[str]) -> set[int]:
    """Where `cp`/`rsync`/`install` gets the words it only reads, its sources: the operands
    but the last, or all of them given a target folder (`-t DIR`,
    `--target-directory=DIR`); `cp .git/hooks/pre-commit /tmp/backup` reads the hook. None
    where a source may change: rsync's --remove-source-files, a link (`cp -l`/`-s`),
    `install -d`."""
    letters = _short_letters(arguments)
    if any(w.startswith(("--remove-source", "--link", "--directory", "--symbolic"))
           for w in arguments) or (program == "cp" and ("l" in letters or "s" in letters)) \
            or (program == "install" and "d" in letters):
        return set()
    operands = [at for at, w in enumerate(arguments) if not w.startswith("-")]
    if program != "rsync":
        for index, word in enumerate(arguments):
            target = _cluster_target(word)
            if word == "--target-directory" or target == "":
                return set(operands) - {index + 1}
            if target or word.startswith("--target-directory="):
                return set(operands)
    return set(operands[:-1])


def _cluster_target(word: str) -> str | None:
    """The target folder of a short option cluster with cp's or install's `-t` (`-rt`:
    "", the next word; `-tDIR`: DIR), else None."""
    if not word.startswith("-") or word.startswith("--") or "t" not in word:
        return None
    letters, _, rest = word[1:].partition("t")
    return rest if letters.isalpha() or not letters else None


def _only_reads(program: str, arguments: Sequence[str]) -> bool:
    if program in _READERS:
        return True
    if program in ("sed", "perl", "ruby", "yq"):
        return not any(w.startswith("--in-place") or (w.startswith("-") and not
                       w.startswith("--") and "i" in w) for w in arguments)
    if program in ("awk", "gawk", "mawk"):
        return "inplace" not in " ".join(arguments)
    if program == "find":
        return not any(w in _FIND_ACTIONS for w in arguments)
    return False


def _decide_ssh(arguments: Sequence[str], line: _Line) -> str | None:
    """`ssh [OPTIONS] HOST COMMAND...`: the remote shell runs COMMAND's words joined."""
    index = 0
    while index < len(arguments) and arguments[index].startswith("-"):
        word = arguments[index]
        index += 2 if word in _SSH_VALUE_OPTIONS else 1
    remote = arguments[index + 1:]
    if not remote:
        return None
    if any(_computed(word) for word in remote):
        return f"ssh runs a remote command the shell computes; {COMPUTED_ADVICE}"
    return _nested(" ".join(remote), line)


def _expanded_alias(words: Sequence[str], alias: str, line: _Line) -> str | None:
    """An alias run: its text, then the words after it, in the same shell; not expanded
    again inside itself (`alias ls='ls -F'`), as in bash."""
    key = f"alias {words[0]}"
    had, before = key in line.shell, line.shell.get(key)
    line.shell[key] = None
    try:
        return _nested(f"{alias} {_quoted(words[1:])}", line, same_shell=True)
    finally:
        if had:
            line.shell[key] = before
        else:
            del line.shell[key]


def _computed_program(words: list[str], command: Command,
                      line: _Line) -> tuple[list[str], str | None]:
    """A command whose program the shell computes: its words when the line tells what
    the program is; else no words, and the reason to refuse it (None for a `case`
    pattern, an empty expansion or arithmetic, which run nothing)."""
    first = words[0]
    resolved = None if _case_pattern(words) else _resolve(first, line)
    if resolved:
        return [*resolved, *words[1:]], None
    if resolved is not None or command.arithmetic or _case_pattern(words):
        return [], None
    return [], (f"the program {_shown(first)} is computed by the shell, so the guard "
                f"cannot tell what runs; {COMPUTED_ADVICE}")


def _case_pattern(words: Sequence[str]) -> bool:
    """`*)` in `case ... in`: read as a command of one glob word, it runs nothing."""
    return len(words) == 1 and f"{EXPANDED}*{EXPANDED}" in words[0]


def _named_by_path(word: str) -> bool:
    """`"$HOME/bin/tool"`: the program's own name is written, after the last `/`."""
    last = max(word.rfind(EXPANDED), word.rfind(QUOTED))
    return "/" in word[last + 1:] and bool(_basename(word))


def _quoted(words: Sequence[str]) -> str:
    """Words written back as one shell line, each single-quoted."""
    return " ".join("'" + word.replace("'", "'\\''") + "'" for word in words)


def _basename(word: str) -> str:
    name = ntpath.basename(posixpath.basename(word)).lower()
    return name[:-4] if name.endswith(".exe") else name


# Words the shell computes ------------------------------------------------------------


def _command_value(name: str, value: str | None, line: _Line) -> str | None:
    """A setting whose value is a command git runs (an editor, a pager, a helper)."""
    if value is None:
        return f"{name} is computed by the shell; {COMPUTED_ADVICE}"
    text = value[1:] if value.startswith("!") else value
    reason = _nested(text, line) if text.strip() else None
    return f"{name} would run: {reason}" if reason else None


def _command_setting(key: str) -> bool:
    return key in _COMMAND_SETTINGS or key.startswith("pager.") or (
        key.count(".") >= 2 and key.endswith(_COMMAND_SETTING_ENDS))


def _computed(word: str) -> bool:
    return EXPANDED in word or QUOTED in word


def _risky(word: str) -> bool:
    """Whether a word the shell computes could become an option: nothing written before
    its first computed part, or a `-`."""
    first = min((at for at in (word.find(EXPANDED), word.find(QUOTED)) if at >= 0),
                default=-1)
    return first == 0 or (first > 0 and word.startswith("-") and "=" not in word[:first])


def _resolve(word: str, line: _Line) -> list[str] | None:
    """The words a computed word stands for when the line tells: a variable set on it to
    a written value, or a command substitution that prints a ref or object name; None when
    it is not known."""
    mark = word[:1]
    if len(word) < 2 or mark not in (EXPANDED, QUOTED) or word.find(mark, 1) != len(word) - 1:
        return None
    name = word[1:-1]
    if name.startswith("("):
        return ["(output)"] if _prints_names(name[1:], line) else None
    value = line.variables.get(name) if name else None
    if value is None or (mark == EXPANDED and any(char in value for char in "*?[")):
        return None  # unquoted, a glob in the value becomes file names
    return [value] if mark == QUOTED else value.split()


def _prints_names(span: str, line: _Line) -> bool:
    """Whether the commands of a substitution (`I:J` in the line's commands) all print
    ref names, object names or paths, which never start with `-`."""
    start, _, end = span.partition(":")
    commands = line.commands[int(start):int(end)]
    return bool(commands) and all(
        len(c.words) > 1 and _basename(c.words[0]) == "git" and c.words[1] in _SAFE_OUTPUT
        and (c.words[1] != "branch" or c.words[2:] == ["--show-current"])
        for c in commands)


def _unknown_program(program: str, arguments: Sequence[str], index: int,
                     line: _Line) -> bool:
    """Whether a wrapper's word at `index` is computed by the shell where it could be the
    program it runs: not an option's value (after a `-...` word), not timeout's duration,
    after find's `-exec`; a variable the line tells, a glob no program matches and a
    path ending in a written name are known."""
    word = arguments[index]
    if not _computed(word) or _named_by_path(word) or _names_no_program(word):
        return False
    previous = arguments[index - 1] if index else ""
    if program == "find":
        position = previous in ("-exec", "-execdir", "-ok", "-okdir")
    elif program == "timeout" and all(w.startswith("-") for w in arguments[:index]):
        position = False
    else:
        position = not previous.startswith("-")
    return position and _resolve(word, line) is None


def _names_no_program(word: str) -> bool:
    """`*.py`: a glob (and nothing else computed) that no program the guard reads matches,
    even if a file of that name is there."""
    glob = marker("*", quoted=False)
    pattern = word.replace(glob, "")
    if _computed(pattern):
        return False
    return not any(fnmatch.fnmatchcase(name, pattern) for name in _READ_PROGRAMS | _WRAPPERS)


def _shown(word: str) -> str:
    """A word as the agent wrote it, near enough: computed parts as `$NAME` or `$(...)`."""
    parts = word.replace(QUOTED, EXPANDED).split(EXPANDED)
    shown = [part if index % 2 == 0 else _shown_expansion(part)
             for index, part in enumerate(parts)]
    return "".join(shown)


def _shown_expansion(name: str) -> str:
    if name == "*":
        return ""
    if name.startswith("("):
        return "$(...)"
    return f"${name}" if name else "$..."


def _literal(words: Sequence[str], line: _Line) -> list[str]:
    """The words with those the shell computes replaced by what the line tells, where it
    tells; the others are left as they are."""
    literal: list[str] = []
    for word in words:
        resolved = _resolve(word, line) if _risky(word) else None
        if resolved is None and _risky(word) and _starts_known(word, line):
            resolved = ["(known)" + word]
        literal.extend([word] if resolved is None else resolved)
    return literal


def _starts_known(word: str, line: _Line) -> bool:
    """`"$(git rev-parse HEAD)":refs/x`, `"$B"-fix`: a word whose leading computed part
    is known not to start with `-`, so it is not an option."""
    mark = word[:1]
    end = word.find(mark, 1)
    if mark not in (EXPANDED, QUOTED) or end < 0:
        return False
    leading = _resolve(word[:end + 1], line)
    name = word[1:end]
    value = line.variables.get(name) or ""
    if mark == EXPANDED and not name.startswith("(") and value.split() != [value]:
        return False  # unquoted, a value with blanks splits into more words
    return leading is not None and len(leading) == 1 and not leading[0].startswith("-")


# Variables ------------------------------------------------------------------------------


def _read_targets(program: str, words: Sequence[str]) -> list[str]:
    """The variables `read`, `printf -v`, `mapfile`, `getopts`, `let` set."""
    if program == "printf":
        return [words[index + 1] if word == "-v" else word[2:]
                for index, word in enumerate([*words[:-1], ""])
                if word.startswith("-v") and (word != "-v" or index + 1 < len(words))]
    if program == "unset":
        return [w for w in words if not w.startswith("-")]
    return [w.split("=", 1)[0].split("[", 1)[0] for w in words if not w.startswith("-")]


def _guarded_variable(name: str) -> bool:
    """A variable that turns hooks off or points git at other settings."""
    return name in _GUARDED_VARIABLES or name in _HOOK_SWITCHES \
        or name in _CONFIG_FILE_VARIABLES or name.startswith("GIT_CONFIG")


def _declared(program: str, words: Sequence[str], line: _Line) -> str | None:
    """`export [-x] A=1 B C=2`, `alias ci='git commit -n'`; `export SKIP` of a variable the
    line set without exporting is judged as `export SKIP=VALUE`."""
    for word in words:
        if not _is_assignment(word):
            if program != "alias" and _guarded_variable(word) and word in line.variables:
                value = line.variables[word]
                reason = decide_variable(word, marker("", False) if value is None else value)
                if reason:
                    return reason
            continue
        name, _, value = word.partition("=")
        if program == "alias":
            reason = _nested(value, line, same_shell=True)
            if reason:
                return f"the alias {name} would run: {reason}"
            line.shell[f"alias {name}"] = value
            continue
        reason = decide_variable(name.removesuffix("+"), value)
        if reason:
            return reason
        known = not _computed(value) and not name.endswith("+")
        _set_variables(line, {name.removesuffix("+"): value if known else None})
    return None


def decide_variable(name: str, value: str) -> str | None:
    """The reason to refuse setting an environment variable for a command, or None."""
    if name == "SKIP" and (_computed(value) or any(
            hook.strip().startswith("ai-clearance") for hook in value.split(","))):
        return f"SKIP={_shown(value)} may tell pre-commit to skip ai-clearance's hooks; {ADVICE}"
    if name == "PRE_COMMIT_ALLOW_NO_CONFIG" and value:
        return (f"PRE_COMMIT_ALLOW_NO_CONFIG={_shown(value)} lets pre-commit run no hook "
                f"when its config is gone; {ADVICE}")
    if name == "HUSKY" and (_computed(value) or value.strip() == "0"):
        return f"HUSKY={_shown(value)} may turn the repository's git hooks off; {ADVICE}"
    if name in _HOOK_SWITCHES and (_computed(value) or _switches_off(name, value.strip())):
        return f"{name}={_shown(value)} may turn the repository's hooks off; {ADVICE}"
    if name.startswith("GIT_CONFIG_KEY_") and (
            _computed(value) or value.strip().lower() == _HOOKS_PATH):
        return f"{name}={_shown(value)} may set core.hooksPath, which moves the hooks; {ADVICE}"
    return None


def _switches_off(name: str, value: str) -> bool:
    if name == "LEFTHOOK":
        return value in ("0", "false")
    if name == "LEFTHOOK_EXCLUDE":
        return "ai-clearance" in value
    return value not in ("", "0")


def _config_environment(line: _Line) -> str | None:
    """Settings a git command gets from its environment: GIT_CONFIG_KEY_<n>/VALUE_<n>,
    GIT_CONFIG_PARAMETERS, and variables pointing it at other config files."""
    variables = line.variables
    for name in _CONFIG_FILE_VARIABLES:
        if name in variables:
            return (f"{name} points git at another configuration, which may set "
                    f"core.hooksPath or an alias; {ADVICE}")
    for number in range(MAX_CONFIG_COUNT):  # git reads KEY_0 on, and fails at a gap
        key_name = f"GIT_CONFIG_KEY_{number}"
        if key_name not in variables:
            break
        key = variables[key_name]
        value = variables.get(f"GIT_CONFIG_VALUE_{number}")
        reason = _decide_setting(key, value, line) if key else \
            f"{key_name} is computed by the shell; {COMPUTED_ADVICE}"
        if reason:
            return reason
    count = variables.get("GIT_CONFIG_COUNT", "0")
    if ("GIT_CONFIG_COUNT" in variables and not (count or "").isdigit()) \
            or int(count or "0") > MAX_CONFIG_COUNT:
        return f"GIT_CONFIG_COUNT is more than the guard reads; {COMPUTED_ADVICE}"
    if "GIT_CONFIG_PARAMETERS" in variables:
        return _config_parameters(variables["GIT_CONFIG_PARAMETERS"], line)
    return _command_environment(line)


def _command_environment(line: _Line) -> str | None:
    """Variables set on the line whose value is a command git runs (`GIT_EDITOR=...`)."""
    variables = line.variables
    for name in _COMMAND_VARIABLES:
        if name in variables:
            value = variables[name]
            reason = _shell_text(EXPANDED if value is None else value, line)
            if reason:
                return f"{name} would run: {reason}"
    return None


def _config_parameters(value: str | None, line: _Line) -> str | None:
    """GIT_CONFIG_PARAMETERS: `'name=value'` or `'name'='value'` entries, shell-quoted."""
    unreadable = f"GIT_CONFIG_PARAMETERS cannot be read by the guard; {COMPUTED_ADVICE}"
    if value is None:
        return unreadable
    try:
        entries = split_words(value)
    except ShellSyntaxError:
        return unreadable
    for entry in entries:
        if _computed(entry):
            return unreadable
        name, _, setting = entry.partition("=")
        reason = _decide_setting(name, setting, line)
        if reason:
            return reason
    return None


# git ----------------------------------------------------------------------------------


def decide_git(arguments: Sequence[str], line: _Line | None = None,
               command: Command | None = None) -> str | None:
    """The reason to refuse `git ARGUMENTS`, or None."""
    line = line or _Line([], {}, 0, {})
    reason = _config_environment(line)
    index = 0
    while reason is None and index < len(arguments):
        word = arguments[index]
        if _risky(word):
            return (f"git gets an option the shell computes ({_shown(word)}); "
                    f"{COMPUTED_ADVICE}")
        if not word.startswith("-"):
            return _decide_subcommand(word, arguments[index + 1:], line, command)
        index, reason = _global_option(arguments, index, line)
    return reason


def _global_option(arguments: Sequence[str], index: int,
                   line: _Line) -> tuple[int, str | None]:
    """One of git's own options at `index`: the index after it, and the reason to refuse
    the setting it makes (`-c NAME=VALUE`, `--config-env=NAME=VARIABLE`)."""
    option = arguments[index]
    following = arguments[index + 1] if index + 1 < len(arguments) else ""
    if option == "-c":
        return index + 2, _git_setting(following, line)
    if option.startswith("-c"):
        return index + 1, _git_setting(option[2:], line)
    if option == "--config-env":
        return index + 2, _config_env(following, line)
    if option.startswith("--config-env="):
        return index + 1, _config_env(option.split("=", 1)[1], line)
    if option in _GIT_VALUE_OPTIONS:
        return index + 2, None
    return index + 1, None


def _git_setting(setting: str, line: _Line) -> str | None:
    name, _, value = setting.partition("=")
    return _decide_setting(name, None if _computed(value) else value, line)


def _config_env(setting: str, line: _Line) -> str | None:
    """`--config-env=NAME=VARIABLE`: NAME takes the value of the variable VARIABLE."""
    name, _, variable = setting.partition("=")
    return _decide_setting(name, line.variables.get(variable), line)


def _decide_setting(name: str, value: str | None, line: _Line) -> str | None:
    """A configuration value set for git (None: one the guard cannot know): core.hooksPath,
    an include of another file, or an alias whose command would be refused."""
    key = name.strip().lower()
    if _computed(key):
        return f"git gets a setting whose name the shell computes; {COMPUTED_ADVICE}"
    if key == _HOOKS_PATH:
        return f"setting core.hooksPath moves the repository's hooks away; {ADVICE}"
    if key == "include.path" or (key.startswith("includeif.") and key.endswith(".path")):
        return (f"{name.strip()} makes git read another config file, which may set "
                f"core.hooksPath; {ADVICE}")
    if _command_setting(key):
        return _command_value(name.strip(), value, line)
    return _alias_value(name.strip(), value, line) if key.startswith("alias.") else None


def _alias_value(name: str, value: str | None, line: _Line) -> str | None:
    if value is None:
        return f"the alias {name} is computed by the shell; {COMPUTED_ADVICE}"
    shell = value[1:] if value.startswith("!") else f"git {value}"
    reason = _nested(shell, line) if value else None
    return f"the alias {name} would run: {reason}" if reason else None


def _decide_subcommand(subcommand: str, arguments: Sequence[str], line: _Line,
                       command: Command | None = None) -> str | None:
    if subcommand == "config":
        return _decide_config(arguments, line)
    reason = _runs_shell(subcommand, arguments, line)
    if reason:
        return f"`git {subcommand}` would run: {reason}"
    reason = _writes_paths(subcommand, arguments, line, command or Command())
    if reason or subcommand in _PATH_SUBCOMMANDS:
        return reason
    if subcommand not in _NO_VERIFY_SUBCOMMANDS:
        return None
    return _no_verify(subcommand, arguments, line)


def _writes_paths(subcommand: str, arguments: Sequence[str], line: _Line,
                  command: Command) -> str | None:
    """git subcommands that write files, judged by their path operands (`git checkout REV
    -- PATH`, `git restore --source=REV PATH`, `git reset REV -- PATH`, `git stash push
    PATH`), the patches they apply (`git apply`, `git am`), or the ignored files they
    delete (`git clean -x`, `git stash --all`) when the hooks are among them."""
    if subcommand == "stash":
        return _decide_stash(arguments, line)
    if subcommand in _PATH_SUBCOMMANDS:
        return _touched_paths(f"git {subcommand}", arguments, line)
    if subcommand == "clean":
        return _decide_clean(arguments, line)
    if subcommand in ("apply", "am"):
        return _decide_patch(subcommand, arguments, line, command)
    return None


def _decide_stash(arguments: Sequence[str], line: _Line) -> str | None:
    """`git stash [push|save] [-a|--all] [PATHS]` (`list`, `pop`, ... name no path)."""
    action = arguments[0] if arguments and not arguments[0].startswith("-") else "push"
    if action not in ("push", "save"):
        return None
    rest = arguments[1:] if list(arguments[:1]) == [action] else arguments
    if line.around.hooks_ignored and ("--all" in rest or "a" in _short_letters(rest)):
        return _cleans_hooks("git stash --all")
    return _touched_paths("git stash", rest, line)


def _cleans_hooks(what: str) -> str:
    return (f"`{what}` deletes ignored files, and the repository's hooks live in an ignored "
            f"folder (Husky's .husky/_); clean without -x/-X/--all (`git clean -fd`, `git "
            f"stash -u`), or name the paths to delete")


def _short_letters(arguments: Sequence[str]) -> str:
    return "".join(w[1:] for w in arguments if w.startswith("-") and not w.startswith("--"))


def _decide_clean(arguments: Sequence[str], line: _Line) -> str | None:
    """`git clean -f -x`/`-X`: it deletes ignored files (a dry run, -n, deletes none)."""
    letters = _short_letters(arguments)
    forced = "f" in letters or "--force" in arguments
    dry = "n" in letters or "--dry-run" in arguments
    if line.around.hooks_ignored and forced and not dry and ("x" in letters or "X" in letters):
        return _cleans_hooks("git clean -x")
    return None


def _decide_patch(subcommand: str, arguments: Sequence[str], line: _Line,
                  command: Command) -> str | None:
    """`git apply PATCH`, `git am MBOX`: refused when a patch touches a protected path, or
    when the guard cannot read it (a pipe, a redirected file, no file reader); `git apply
    --check`/`--stat` without --apply, and `git am --continue`/`--abort`/... apply none."""
    if subcommand == "apply" and "--apply" not in arguments and any(
            w in _PATCH_LOOKS for w in arguments):
        return None
    if subcommand == "am" and any(w in _AM_STEPS for w in arguments):
        return None
    files = [w for w in arguments if not w.startswith("-")]
    texts = list(command.stdin) if not files else []
    unreadable = (command.piped or command.input_file) and not files and not command.stdin
    for path in files:
        text = _patch_text(path, line)
        if text is None:
            unreadable = True
        else:
            texts.append(text)
    if unreadable:
        return (f"`git {subcommand}` applies a patch the guard cannot read, which may change "
                f"the hooks or their config; {ADVICE}")
    for text in texts:
        for path in _patched_paths(text):
            touched = judged_path(path, "")
            if touched:
                return f"`git {subcommand}` applies a patch to {path}, {touched}; {ADVICE}"
    return None


def _patch_text(path: str, line: _Line) -> str | None:
    read = line.around.read_text
    place = line.place[0]
    if read is None or _computed(path) or place is None:
        return None
    return read(path if posixpath.isabs(path) or not place else posixpath.join(place, path))


def _patched_paths(text: str) -> list[str]:
    """The paths a patch or a mailbox names in its headers (`diff --git a/X b/Y`, `---`,
    `+++`, `rename to`, `copy to`), prefixes `a/`, `b/` dropped."""
    paths: list[str] = []
    for row in text.splitlines():
        if row.startswith("diff --git "):
            paths.extend(row[len("diff --git "):].split())
        elif row.startswith(("--- ", "+++ ")):
            paths.append(row[4:].split("\t", 1)[0].strip())
        elif row.startswith(_PATCH_NAMING):
            paths.append(row.split(" ", 2)[2])
    return [p[2:] if p[:2] in ("a/", "b/") else p for p in paths if p != "/dev/null"]


def _no_verify(subcommand: str, arguments: Sequence[str], line: _Line) -> str | None:
    literal = _literal(arguments, line)
    if subcommand == "commit":
        skips, unknown = _commit_reading(literal)
    else:
        skips, unknown = _long_no_verify(literal)
    if unknown:
        return _computed_argument(subcommand)
    if skips:
        return f"`git {subcommand} --no-verify` skips the repository's hooks; {ADVICE}"
    return None


def _runs_shell(subcommand: str, arguments: Sequence[str], line: _Line) -> str | None:
    """The reason to refuse a command line a git subcommand runs in a shell: `rebase
    --exec`, `difftool --extcmd`, `filter-branch --*-filter`, `submodule foreach`,
    `bisect run`."""
    if subcommand == "submodule" and "foreach" in arguments:
        rest = list(arguments[arguments.index("foreach") + 1:])
        while rest and rest[0] in ("--recursive", "-q", "--quiet"):
            rest.pop(0)
        return _shell_text(" ".join(rest), line) if rest else None
    if subcommand == "bisect" and arguments[:1] == ["run"]:
        return _nested(_quoted(arguments[1:]), line) if arguments[1:] else None
    for text in _run_option_values(subcommand, arguments):
        reason = _shell_text(text, line)
        if reason:
            return reason
    return None


def _run_option_values(subcommand: str, arguments: Sequence[str]) -> list[str]:
    """The values of a subcommand's options that are command lines (`--exec CMD`,
    `--exec=CMD`, `-xCMD`, filter-branch's `--*-filter CMD`), up to `--`."""
    options = _RUN_OPTIONS.get(subcommand, frozenset())
    values: list[str] = []
    for index, word in enumerate(arguments):
        following = arguments[index + 1] if index + 1 < len(arguments) else ""
        name, equals, attached = word.partition("=")
        if word == "--":
            break
        if name in options and equals:
            values.append(attached)
        elif word in options or (subcommand == "filter-branch" and word.endswith("-filter")):
            values.append(following)
        elif any(len(o) == 2 and word.startswith(o) and len(word) > 2 for o in options):
            values.append(word[2:])
    return values


def _shell_text(text: str, line: _Line) -> str | None:
    if _computed(text):
        return f"a command the shell computes; {COMPUTED_ADVICE}"
    return _nested(text, line)


def _computed_argument(subcommand: str) -> str:
    return (f"`git {subcommand}` gets an argument the shell computes (a variable, `$(...)`, "
            f"a brace or glob pattern), which could be --no-verify; {COMPUTED_ADVICE}, or "
            f"put paths after --")


def _decide_config(arguments: Sequence[str], line: _Line) -> str | None:
    """`git config [set] [--local|...] NAME VALUE`: the setting it writes, if it writes."""
    positional: list[str] = []
    action = ""
    index = 0
    while index < len(arguments):
        word = arguments[index]
        index += 1
        if word in _CONFIG_VALUE_OPTIONS:
            index += 1
        elif word in ("-e", "--edit") or (word == "edit" and not positional):
            return f"`git config --edit` changes settings the guard cannot see; {ADVICE}"
        elif word.startswith("-") and word != "-":
            action = action or (word if word in _CONFIG_READ_OR_REMOVE else "")
            action = "rename" if word == "--rename-section" else action
        else:
            positional.append(word)
    if positional[:1] in (["rename-section"],):
        action, positional = "rename", positional[1:]
    elif positional[:1] and positional[0] in _CONFIG_READ_OR_REMOVE:
        action, positional = positional[0], positional[1:]
    elif positional[:1] == ["set"]:
        positional = positional[1:]
    if action:
        return _config_action(action, positional)
    if not positional:
        return None
    value = positional[1] if len(positional) > 1 else ""
    return _decide_setting(positional[0], None if _computed(value) else value, line)


def _config_action(action: str, positional: Sequence[str]) -> str | None:
    """`git config` that renames, unsets or removes (reading is fine)."""
    if action == "rename":
        return _renamed_section(positional[:1], "from") or _renamed_section(positional[1:2])
    if action.lstrip("-") in ("unset", "unset-all"):
        return _removed_setting(positional[:1])
    if action.lstrip("-") == "remove-section":
        return _renamed_section(positional[:1], "removing")
    return None


def _renamed_section(target: Sequence[str], how: str = "to") -> str | None:
    """`git config --rename-section OLD NEW`: NEW `core`, `alias`, `include...` brings
    whatever OLD holds (a hooksPath, an alias) into force; OLD `core` (also `--remove-section
    core`) takes a hooksPath that points at the hooks away (Husky's `.husky/_`), and git
    falls back to the empty .git/hooks."""
    name = (target[0] if target else "").lower()
    brings = ("core", "alias", "include") if how == "to" else ("core", "include")
    if _computed(name) or name.split(".")[0] in brings or name.startswith("includeif"):
        if how == "to":
            return f"renaming a section to {_shown(name)} may set core.hooksPath; {ADVICE}"
        return (f"{'renaming' if how == 'from' else 'removing'} the section "
                f"{_shown(name) or '(none)'} may take core.hooksPath away; {ADVICE}")
    return None


def _removed_setting(target: Sequence[str]) -> str | None:
    """`git config --unset[-all] NAME`: unsetting core.hooksPath sends git back to the
    .git/hooks folder when the hooks live elsewhere (Husky, Lefthook)."""
    key = (target[0] if target else "").strip().lower()
    if _computed(key) or key in ("", _HOOKS_PATH, "include.path") \
            or key.startswith("includeif."):
        return f"unsetting {_shown(key) or 'a setting'} may take the hooks away; {ADVICE}"
    return None


def _is_no_verify(word: str) -> bool:
    """`--no-verify`, or an abbreviation git would take for it (`--no-veri`)."""
    return len(word) >= len("--no-veri") and "--no-verify".startswith(word)


def _long_no_verify(arguments: Sequence[str]) -> tuple[bool, bool]:
    """Whether the arguments say --no-verify (the last of it and --verify wins), and
    whether one before `--` is computed by the shell."""
    skips = False
    for word in arguments:
        if word == "--":
            break
        if _risky(word):
            return skips, True
        if _is_no_verify(word):
            skips = True
        elif word == "--verify":
            skips = False
    return skips, False


def commit_skips_hooks(arguments: Sequence[str]) -> bool:
    """Whether `git commit ARGUMENTS` skips the hooks: `-n`/`--no-verify` (also in a
    cluster, `-anm msg`), unless a later `--verify` turns them back on; option values
    (`-m -n`, `-mn`) are not options."""
    return _commit_reading(arguments)[0]


def _commit_reading(arguments: Sequence[str]) -> tuple[bool, bool]:
    """commit_skips_hooks, and whether a word where git reads options is computed by the
    shell (an option's value may be: `-m "$MSG"`)."""
    skips = False
    index = 0
    while index < len(arguments):
        word = arguments[index]
        index += 1
        if word == "--":
            break
        if _risky(word) and not _computed_value(word):
            return skips, True
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
    return skips, False


def _computed_value(word: str) -> bool:
    """`-m"$MSG"`, `-am$X`: a short option cluster whose computed part is an option's
    value."""
    prefix = word[:min(at for at in (word.find(EXPANDED), word.find(QUOTED)) if at >= 0)]
    return not prefix.startswith("--") and any(
        letter in _COMMIT_VALUE_LETTERS or letter in _COMMIT_ATTACHED_LETTERS
        for letter in prefix[1:])


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


# Programs that run other programs -----------------------------------------------------


def _decide_shell(arguments: Sequence[str], command: Command, line: _Line) -> str | None:
    """`sh -c SCRIPT`, `sh -s`, `sh <<EOF`, `... | sh`: the script it runs, where the
    guard can read it. A script file is not read."""
    letters, script, rest = _shell_options(arguments)
    if "c" in letters or script is not None:
        script = script if script is not None else (rest[0] if rest else "")
        if _computed(script):
            return f"a shell runs a script the shell computes; {COMPUTED_ADVICE}"
        return _nested(script, line)
    if rest and "s" not in letters:
        return _script_file(rest[0], command, line)
    return _shell_input(command, line)


def _shell_options(arguments: Sequence[str]) -> tuple[str, str | None, Sequence[str]]:
    """A shell's options: their letters (`-xc`: "xc"), the script of fish's
    `--command[=]SCRIPT`, and the words after the options (`--` dropped); `-o NAME`,
    `--rcfile FILE` and the like take the next word."""
    letters = ""
    index = 0
    while index < len(arguments):
        word = arguments[index]
        index += 1
        if word == "--" or not word.startswith(("-", "+")) or word in ("-", "+"):
            index -= word not in ("--", "-")
            break
        if word == "--command":
            return letters, arguments[index] if index < len(arguments) else "", ()
        if word.startswith("--command="):
            return letters, word.split("=", 1)[1], ()
        if word in _SHELL_VALUE_OPTIONS:
            index += 1
        elif not word.startswith("--"):
            letters += word[1:]
    return letters, None, arguments[index:]


def _script_file(path: str, command: Command, line: _Line) -> str | None:
    """`sh FILE`, `source FILE`: a file is not read (a limit), but a file the shell computes
    (`<(...)`) or standard input is what runs."""
    if path in ("/dev/stdin", "/dev/fd/0", "-"):
        return _shell_input(command, line)
    if path.startswith(("/dev/fd/", "/proc/")):
        return (f"a shell runs {_shown(path)}, a descriptor the guard cannot read; run the "
                f"commands themselves")
    if _computed(path):
        return f"a shell runs a script the shell computes ({_shown(path)}); {COMPUTED_ADVICE}"
    return None


def _leading_options(arguments: Sequence[str]) -> list[str]:
    options: list[str] = []
    for word in arguments:
        if word == "--" or not word.startswith(("-", "+")):
            break
        options.append(word)
    return options


def _shell_input(command: Command, line: _Line) -> str | None:
    """A shell reading its commands from its input: a here-document or here-string is
    judged as a script; a pipe is not known."""
    for text in command.stdin:
        if _computed(text):
            return (f"a shell reads a script with parts the shell computes; "
                    f"{COMPUTED_ADVICE}")
        reason = _nested(text, line)
        if reason:
            return reason
    if command.piped and not command.stdin:
        return ("a shell reads its commands from a pipe, which the guard cannot read; "
                "run the commands themselves")
    if command.input_file and not command.stdin:
        return ("a shell reads its commands from a file or descriptor, which the guard "
                "cannot read; run the commands themselves")
    return None


def _decide_eval(arguments: Sequence[str], line: _Line) -> str | None:
    if any(_computed(word) for word in arguments):
        return f"eval runs a command the shell computes; {COMPUTED_ADVICE}"
    return _nested(" ".join(arguments), line, same_shell=True)


def _decide_env(arguments: Sequence[str], command: Command, line: _Line) -> str | None:
    """`env [-i] [-u NAME] [-C DIR] [-S STRING] [NAME=VALUE]... COMMAND`."""
    local: dict[str, str | None] = {}
    index = 0
    while index < len(arguments):
        word = arguments[index]
        split = _split_string(word, arguments[index + 1:index + 2])
        if split is not None:
            return _decide_split_string(split, arguments, index, command, line)
        if word in ("-C", "--chdir") or word.startswith("--chdir="):
            # the folder the command runs in (kept for the rest of the line: more is refused)
            folder = word.split("=", 1)[1] if "=" in word else \
                (arguments[index + 1] if index + 1 < len(arguments) else "")
            line.place[0] = moved(line.place[0], folder)
            index += 1 if "=" in word else 2
        elif word in ("-u", "--unset", "-P"):
            index += 2
        elif word == "--":
            index += 1
            break
        elif word.startswith("-") and word != "-":
            index += 1
        else:
            break
    index, reason = _assignments(arguments, index, local)
    if reason or index >= len(arguments):
        return reason
    return _decide_words(list(arguments[index:]), command, line.scoped(local))


def _split_string(word: str, following: Sequence[str]) -> str | None:
    """The string of `env -S STRING` / `-SSTRING` / `--split-string=STRING`, else None."""
    if word in ("-S", "--split-string"):
        return following[0] if following else ""
    if word.startswith("--split-string="):
        return word.split("=", 1)[1]
    if word.startswith("-") and not word.startswith("--") and "S" in word:
        attached = word[word.index("S") + 1:]
        return attached or (following[0] if following else "")
    return None


def _decide_split_string(split: str, arguments: Sequence[str], index: int,
                         command: Command, line: _Line) -> str | None:
    """`env -S STRING REST`: env splits STRING into words and runs them, then REST."""
    if any(char in split for char in "\\$") or _computed(split):
        return f"env -S gets a string with escapes or variables; {COMPUTED_ADVICE}"
    word = arguments[index]
    attached = word.startswith("--split-string=") or not word.endswith("S")
    rest = arguments[index + (1 if attached else 2):]
    try:
        words = split_words(split)
    except ShellSyntaxError as exc:
        return f"the command cannot be read ({exc})"
    return _decide_env([*words, *rest], command, line) if words or rest else None


def _decide_wrapped(program: str, arguments: Sequence[str], command: Command,
                    line: _Line) -> str | None:
    """Another program: it may run what its arguments name (`setsid git ...`, `find -exec
    git ...`, `script -c 'git ...'`), so each word naming git or a shell starts a command
    to judge, as does an argument that is a command line starting with one. A program a
    wrapper gets from the shell is not known."""
    arguments = [known for word in arguments
                 for known in ((_resolve(word, line) or [word]) if _computed(word) else [word])]
    starts = 0
    local: dict[str, str | None] = {}
    for index, word in enumerate(arguments):
        if program in _WRAPPERS and _is_assignment(word):  # `sudo SKIP=... git commit`
            _, reason = _assignments(arguments, index, local)
            if reason:
                return reason
            continue
        if program in _WRAPPERS and _unknown_program(program, arguments, index, line):
            return (f"`{program}` gets a word the shell computes ({_shown(word)}), which "
                    f"could be the program it runs; {COMPUTED_ADVICE}")
        text = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
        head = text.split(None, 1)[0] if text.strip() else ""
        if _basename(word) not in _READ_PROGRAMS and not (
                " " in text.strip() and _basename(head) in _READ_PROGRAMS
                and not _is_text_option(word if text is not word else
                                        arguments[index - 1] if index else "")):
            continue
        starts += 1
        if starts > MAX_STARTS:
            return f"`{program}` names git or a shell more than {MAX_STARTS} times"
        reason = _decide_start(program, arguments, index, text, command, line.scoped(local))
        if reason:
            return reason
    return None


def _is_text_option(option: str) -> bool:
    """`--body TEXT`, `-m TEXT`, `--title=TEXT`: an option whose value is text, not a
    command line (`-c`, `--command`, `--exec` are command lines)."""
    name = option.split("=", 1)[0]
    if name in ("-m", "-b", "-t"):
        return True
    return name.startswith("--") and name not in _COMMAND_OPTIONS


def _decide_start(program: str, arguments: Sequence[str], index: int, text: str,
                  command: Command, line: _Line) -> str | None:
    if _basename(arguments[index]) in _READ_PROGRAMS:
        tail = list(arguments[index:])
        replaces = any(word in ("-I", "-i", "--replace") or word.startswith(("-I", "--replace="))
                       for word in arguments[:index])
        if program in ("xargs", "parallel") and not replaces:
            tail.append(f"{EXPANDED}{EXPANDED}")  # the words it reads from its input
        return _decide_words(tail, command, line)
    return _nested(text, line)


def refusal_message(reason: str) -> str:
    """The line the agent reads when the guard refuses its command."""
    return f"ai-clearance guard: refused: {reason}"
