"""What a command runs or fetches through its arguments, read statically (shell.py reads
the words; this module, what a program does with them): the script a shell, eval, iex,
cmd /c, watch, parallel or trap is given; the command find -exec, Start-Process, cmd's
start and package runners (npx, pnpm dlx, yarn X, bunx, uvx, pipx run, deno run npm:X)
run; and arguments as compared (URLs normalized, the package names of managers that
ignore case folded)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from urllib.parse import unquote

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "pwsh", "powershell"})
POWERSHELL = frozenset({"pwsh", "powershell"})


# Package managers whose package names ignore case (winget IDs, Homebrew, Chocolatey,
# Scoop): their arguments are compared folded, `--id=X` as `--id X`.
_CASELESS = frozenset({"winget", "brew", "choco", "scoop"})
_URL = re.compile(r"([a-z][a-z0-9+.-]*://)([^/?#]*)(.*)", re.IGNORECASE | re.DOTALL)
_SLASHES = re.compile(r"//+")


def normalized(program: str, args: list[str]) -> list[str]:
    """Arguments as compared: URLs without user, port or doubled slashes
    (`https://u@claude.ai:443//install.sh` is claude.ai/install.sh), and the folded
    arguments of package managers that ignore case."""
    if program in _CASELESS:
        folded: list[str] = []
        for arg in args:
            option, equals, value = arg.casefold().partition("=")
            folded.extend([option, value] if equals and option.startswith("--") else
                          [arg.casefold()])
        return folded
    return [_url(a) if "://" in a else a for a in args]


def _url(arg: str) -> str:
    found = _URL.match(arg)
    if found is None:
        return arg
    scheme, authority, rest = found.groups()
    host = authority.rpartition("@")[2]
    if not host.startswith("["):
        host = host.partition(":")[0]
    path, mark, query = rest.partition("?")
    return scheme + unquote(host).rstrip(".") + _SLASHES.sub("/", unquote(path)) + mark + query


def script_arguments(program: str, args: list[str]) -> list[str]:
    """The scripts that `sh -c SCRIPT`, `pwsh -Command ...`, `pwsh -EncodedCommand B64`,
    `cmd /c ...`, `eval ...`, `iex ...`, `watch ...` and `parallel` run."""
    read = _SCRIPT_READERS.get(program)
    if read is not None:
        return read(args)
    if program in POWERSHELL:
        return _powershell(args)
    if program == "trap":
        return _trap_script(args)
    if program in SHELLS:
        return _shell_command(args)
    return []


def _evaluated(args: list[str]) -> list[str]:
    """eval: its words joined."""
    return [" ".join(args)]


def _invoked_expression(args: list[str]) -> list[str]:
    """iex / Invoke-Expression: its words joined, without a -Command option."""
    return [" ".join(a for a in args if a.casefold() not in ("-command", "-c"))]


def _cmd_command(args: list[str]) -> list[str]:
    """cmd /c, /k or /r: the words after it joined."""
    for i, arg in enumerate(args):
        if arg.casefold() in ("/c", "/k", "/r"):
            return [unescaped(" ".join(args[i + 1:]))]
    return []


def _trap_script(args: list[str]) -> list[str]:
    """trap SCRIPT SIGNAL...: the script."""
    rest = args[1:] if args[:1] == ["--"] else args
    return rest[:1] if len(rest) >= 2 and not rest[0].startswith("-") else []


def _shell_command(args: list[str]) -> list[str]:
    """sh -c SCRIPT: the script."""
    script = shell_script(args)[0]
    return [] if script is None else [script]


def shell_script(args: list[str]) -> tuple[str | None, list[str]]:
    """The script of `sh -c SCRIPT NAME ARGS...` (-c, -lc, -ec: a cluster of short
    options that holds c; `--` may follow) and the words after it, its $0, $1..."""
    for i, arg in enumerate(args[:-1]):
        if arg.startswith("-") and not arg.startswith("--") and "c" in arg.casefold():
            rest = args[i + 1:]
            if rest[0] == "--" and len(rest) > 1:
                rest = rest[1:]
            return rest[0], rest[1:]
    return None, []


def _powershell(args: list[str]) -> list[str]:
    """pwsh's -Command (any unambiguous prefix, or -c) runs the rest of its words
    joined; -EncodedCommand (-e, -ec, -enc...) base64 of UTF-16LE text."""
    for i, arg in enumerate(args):
        option = arg.casefold().partition(":")[0]
        if len(option) < 2 or not option.startswith(("-", "/")):
            continue
        name = option[1:]
        if name == "ec" or (name and "encodedcommand".startswith(name) and name[0] == "e"):
            return [decoded_command(args[i + 1])] if i + 1 < len(args) else []
        if name == "c" or (len(name) > 1 and "command".startswith(name)):
            return [unescaped(" ".join(args[i + 1:]))]
        if name in ("f", "file") or (len(name) > 1 and "file".startswith(name)):
            return []
    return []


# An -EncodedCommand longer than this is not decoded (a script that long is not one a
# person typed in; it is left to the words around it).
_MAX_ENCODED = 1 << 16


# PowerShell's escape (`c`laude`, not a continuation line) and cmd's (`cl^aude`).
_ESCAPES = re.compile(r"`(?!\r?\n)|\^")


def unescaped(script: str) -> str:
    """A PowerShell or cmd script with the escape characters gone, as they run it."""
    return _ESCAPES.sub("", script)


def decoded_command(text: str) -> str:
    """The text of a PowerShell -EncodedCommand: base64 of UTF-16LE; empty when it is
    not valid base64 or over _MAX_ENCODED."""
    if len(text) > _MAX_ENCODED:
        return ""
    try:
        data = base64.b64decode(text.strip() + "=" * (-len(text.strip()) % 4), validate=True)
    except (binascii.Error, ValueError):
        return ""
    return data.decode("utf-16-le", "replace")


def _watched(args: list[str]) -> list[str]:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        option = args[i]
        i += 2 if option in ("-n", "--interval", "-q", "--equexit") else 1
    return [" ".join(args[i:])] if i < len(args) else []


_PARALLEL_VALUED = frozenset({"-j", "-P", "-S", "-a", "-I", "-d", "-n", "-N", "-L", "--jobs",
                              "--sshlogin", "--arg-file", "--colsep", "--delay", "--timeout"})
_PARALLEL_SOURCES = frozenset({":::", "::::", ":::+", "::::+"})


def _parallel(args: list[str]) -> list[str]:
    """GNU parallel: the command before its first `:::` (joined, as it runs it through
    a shell), or with none, each argument after it as a command line."""
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] not in _PARALLEL_SOURCES:
        i += 2 if args[i] in _PARALLEL_VALUED else 1
    command: list[str] = []
    while i < len(args) and args[i] not in _PARALLEL_SOURCES:
        command.append(args[i])
        i += 1
    if command:
        return [" ".join(command)]
    return [a for a in args[i:] if a not in _PARALLEL_SOURCES]


# Programs that run a script given in their arguments, by how each reads it (shells and
# PowerShell have their own options, read after these).
_SCRIPT_READERS: dict[str, Callable[[list[str]], list[str]]] = {
    "eval": _evaluated, "iex": _invoked_expression, "invoke-expression": _invoked_expression,
    "cmd": _cmd_command, "watch": _watched, "parallel": _parallel, "sem": _parallel,
}


_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
# Package runners, by their verbs that run a package's program (none: the runner itself).
_LAUNCHERS: dict[str, frozenset[str]] = {
    "npx": frozenset(), "pnpx": frozenset(), "bunx": frozenset(), "uvx": frozenset(),
    "npm": frozenset({"exec", "x"}), "pnpm": frozenset({"dlx", "exec", "x"}),
    "yarn": frozenset({"dlx", "exec"}), "bun": frozenset({"x", "run", "exec"}),
    "pipx": frozenset({"run"}), "uv": frozenset({"run"}), "deno": frozenset({"run", "x"}),
}
_LAUNCHER_VALUED = frozenset({"-p", "--package", "--from", "--with", "--spec", "--python",
                              "--index-url", "-c", "--config", "--import-map", "--lock",
                              "--cert", "--location", "--seed", "--cwd", "-C", "--dir",
                              "--filter", "-F"})
# Programs of yarn and pnpm's own: any other first word runs a package's program.
_YARN_COMMANDS = frozenset({
    "add", "install", "remove", "run", "test", "build", "why", "init", "upgrade", "up",
    "link", "unlink", "info", "config", "cache", "audit", "outdated", "publish", "pack",
    "version", "workspace", "workspaces", "global", "set", "plugin", "dedupe", "rebuild",
    "store", "list", "ls", "update", "prune", "import", "start", "create", "i", "dlx",
    "exec", "x", "node", "constraints", "npm", "patch", "patch-commit", "explain",
})


def argv_commands(program: str, args: list[str]) -> list[list[str]]:
    """The commands a command runs from its arguments as words: find's -exec, `npx X`
    and the verbs of package runners (`pnpm dlx X`, `deno run npm:X`, `uvx X`, `yarn X`),
    PowerShell's Start-Process and cmd's start."""
    if program == "find":
        return _find_exec(args)
    if program in ("start-process", "saps", "start"):
        return _started(args)
    verbs = _LAUNCHERS.get(program)
    return [] if verbs is None else _launched(program, verbs, args)


def _find_exec(args: list[str]) -> list[list[str]]:
    """The commands of find's -exec (and -execdir, -ok, -okdir), up to `;` or `+`."""
    found: list[list[str]] = []
    for i, arg in enumerate(args):
        if arg in _FIND_EXEC:
            command = []
            for word in args[i + 1:]:
                if word in (";", "+"):
                    break
                command.append(word)
            if command:
                found.append(command)
    return found


def _launched(program: str, verbs: frozenset[str], args: list[str]) -> list[list[str]]:
    """What a package runner runs: past its options and its verb (if it has verbs), the
    program of the package named; `yarn X` / `pnpm X` with X not their own: X."""
    i = 0
    if verbs:
        i = _past_options(args, 0)
        if i >= len(args):
            return []
        verb = args[i]
        if program in ("yarn", "pnpm") and verb not in verbs and verb not in _YARN_COMMANDS:
            return [args[i:]]
        after = _past_verb(program, verbs, args, i)
        if after is None:
            return []
        i = after
    return _package_program(program, args, _past_options(args, i))


def _past_verb(program: str, verbs: frozenset[str], args: list[str], i: int) -> int | None:
    """Where the words go on after the runner's verb at `i` (`uv tool run` is two words);
    None when it is not a verb that runs a package."""
    if args[i] == "tool" and program == "uv" and args[i + 1:i + 2] == ["run"]:
        return i + 2
    return i + 1 if args[i] in verbs else None


def _package_program(program: str, args: list[str], i: int) -> list[list[str]]:
    """The program of the package spec at `i`, with the words after it; an `npm:` spec is
    also run as `npx` would (deno runs npm: specs only)."""
    if i >= len(args):
        return []
    spec, rest = args[i], args[i + 1:]
    if spec.startswith("npm:"):
        package = spec[4:]
        return [["npx", package, *rest], [_bin_of(package), *rest]]
    if program == "deno":
        return []
    return [[_bin_of(spec), *rest]]


def _past_options(args: list[str], i: int) -> int:
    while i < len(args) and args[i].startswith("-"):
        if args[i] == "--":
            return i + 1
        i += 2 if args[i] in _LAUNCHER_VALUED else 1
    return i


def _bin_of(spec: str) -> str:
    """The program a package spec most likely runs: its name without scope or version
    (`claude@latest`: claude; `@scope/tool@1`: tool; `pkg==1.0`: pkg)."""
    name = spec[1:].partition("/")[2] if spec.startswith("@") else spec
    return re.split(r"[@=<>!~\[]", name, maxsplit=1)[0]


# Start-Process's parameters (a unique prefix names one), and those that take no value.
_START_PARAMETERS = ("filepath", "argumentlist", "credential", "workingdirectory",
                     "loaduserprofile", "nonewwindow", "passthru", "redirectstandarderror",
                     "redirectstandardinput", "redirectstandardoutput", "verb", "windowstyle",
                     "wait", "usenewenvironment", "environment", "args")
_START_SWITCHES = frozenset({"loaduserprofile", "nonewwindow", "passthru", "wait",
                             "usenewenvironment"})
_ARGUMENT_LIST = re.compile(r"[\s,]+")


def _started(args: list[str]) -> list[list[str]]:
    """PowerShell's Start-Process PROGRAM [-ArgumentList A,B] (or -FilePath), and cmd's
    start [/opts] ["title"] PROGRAM ARGS (`start` is both): the program with its
    arguments. Both of cmd's first two words are tried as the program, as a title may
    come first."""
    file: str | None = None
    arguments: list[str] = []
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        parameter = _start_parameter(arg)
        if parameter is None:
            positional.append(arg)
            i += 1
            continue
        following = args[i + 1] if i + 1 < len(args) else ""
        if parameter == "filepath":
            file = following
        elif parameter in ("argumentlist", "args"):
            arguments = [a for a in _ARGUMENT_LIST.split(following) if a]
        i += 1 if parameter in _START_SWITCHES else 2
    found: list[list[str]] = []
    if file is not None:
        found.append([file, *arguments, *_split_all(positional)])
    elif positional:
        found.append([positional[0], *arguments, *_split_all(positional[1:])])
    # cmd: start [/b /wait /min ...] ["title"] program args...
    k = 0
    while k < len(args) and args[k].startswith("/"):
        k += 1
    found.extend(args[j:] for j in (k, k + 1) if j < len(args))
    return found


def _start_parameter(word: str) -> str | None:
    """The Start-Process parameter `-Word` names (a unique prefix counts), or None."""
    if not word.startswith("-") or len(word) < 2 or any(c.isspace() for c in word):
        return None
    name = word[1:].casefold().partition(":")[0]
    matches = [p for p in _START_PARAMETERS if p.startswith(name)]
    return matches[0] if len(matches) == 1 or name in matches else None


def _split_all(words: list[str]) -> list[str]:
    return [a for word in words for a in _ARGUMENT_LIST.split(word) if a]
