"""Programs that run code in a language other than shell, and how they are given it:
`python -c CODE`, `node -e CODE`, `perl -e CODE`, `ruby -e CODE`, `deno eval CODE`, or
their standard input (`python3 <<EOF`, `| node`). Such code runs commands from its string
literals (literals.py), which shell.py reads as commands.

A language is named by how its comments are written, which is all the literal reader must
know: "hash" (Python, Perl, Ruby), "slash" (JavaScript, TypeScript), "code" (a program
not known here: read both ways), and "shell" for shells."""

from __future__ import annotations

import re

_PYTHON = re.compile(r"(?:python|py|pypy)[0-9.]*")
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "pwsh", "powershell",
                     "cmd", "ksh93", "mksh", "lksh", "oksh", "pdksh", "yash", "posh", "rbash",
                     "csh", "tcsh"})
_HASH = frozenset({"perl", "ruby", "rscript"})
_SLASH = frozenset({"node", "nodejs", "bun", "deno", "tsx", "ts-node"})
# The programs language_of knows, but Python's many names.
PROGRAMS = _SHELLS | _HASH | _SLASH


def language_of(program: str) -> str:
    """The language of scripts `program` (a program_name) runs: a CI step's `shell:`."""
    if program in _SHELLS:
        return "shell"
    if program in _HASH or _PYTHON.fullmatch(program):
        return "hash"
    if program in _SLASH:
        return "slash"
    return "code"


# program -> (language, options whose value is code, letters of those options, letters of
# options whose value is the rest of their word): `-c CODE`, `-cCODE`, `-Bc CODE`.
_Runner = tuple[str, tuple[str, ...], str, str]
_RUNNERS: dict[str, _Runner] = {
    "python": ("hash", (), "c", "WX"),
    "node": ("slash", ("--eval", "--print"), "ep", "r"),
    "bun": ("slash", ("--eval", "--print"), "ep", "r"),
    "perl": ("hash", (), "eE", "IMmxiCdD"),
    "ruby": ("hash", (), "e", "IrCxiE"),
    "php": ("code", (), "r", "cdz"),
}
_ALIASES = {"nodejs": "node"}


def _runner(program: str) -> _Runner | None:
    if _PYTHON.fullmatch(program):
        return _RUNNERS["python"]
    return _RUNNERS.get(_ALIASES.get(program, program))


def code_arguments(program: str, args: list[str]) -> list[tuple[str, str]]:
    """The code a command runs from its arguments, as (code, language): every `-e CODE`
    (Perl takes several), `--eval=CODE`, `deno eval CODE`. Arguments after a script's name
    are read too: they are rarely code, and reading them costs no finding."""
    if program == "deno":
        if args[:1] == ["eval"]:
            code = next((a for a in args[1:] if not a.startswith("-")), None)
            return [] if code is None else [(code, "slash")]
        return []
    if program in _AWKS:
        return _awk_program(args)
    runner = _runner(program)
    if runner is None:
        return []
    language, longs, letters, valued = runner
    found: list[tuple[str, str]] = []
    for i, arg in enumerate(args):
        following = args[i + 1] if i + 1 < len(args) else None
        if arg.startswith("--"):
            code = _long_code(arg, following, longs)
        elif arg.startswith("-"):
            code = _short_code(arg, following, letters, valued)
        else:
            code = None
        if code is not None:
            found.append((perl_quoted(code) if program == "perl" else code, language))
    return found


_AWKS = frozenset({"awk", "gawk", "mawk", "nawk"})
_AWK_VALUED = frozenset({"-F", "-v", "--assign", "--field-separator"})


def _awk_program(args: list[str]) -> list[tuple[str, str]]:
    """awk's program: its first word that is no option (none with -f, a program file);
    its strings are what `system("...")` runs."""
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "-":
        if args[i] == "--":
            i += 1
            break
        if args[i] in ("-f", "--file") or args[i].startswith("-f"):
            return []
        i += 2 if args[i] in _AWK_VALUED else 1
    return [(args[i], "hash")] if i < len(args) else []


# Perl's quote-like operators (q(...), qq{...}, qx/.../, qw[...]): each body ends at its
# delimiter's next closer, so that a scan never passes an opener of its own kind (linear).
_PERL_QUOTE = re.compile(r"(?<![\w$@%&])q[qxw]?\s*(?:\(([^()]*)\)|\{([^{}]*)\}|"
                         r"\[([^\[\]]*)\]|<([^<>]*)>|/([^/]*)/|\|([^|]*)\||!([^!]*)!)")


def perl_quoted(code: str) -> str:
    """Perl code with its quote-like operators written as "..." literals, which the
    literal reader knows (`system q(claude -p x)`: `system "claude -p x"`)."""
    if "q" not in code:
        return code
    return _PERL_QUOTE.sub(_as_literal, code)


def _as_literal(match: re.Match[str]) -> str:
    """A quote-like operator as a literal: qx, which runs its command, as a backtick."""
    body = next(g for g in match.groups() if g is not None)
    quote = "`" if match.group(0).startswith("qx") else '"'
    return quote + body.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote


def _long_code(arg: str, following: str | None, longs: tuple[str, ...]) -> str | None:
    """The code of a long option that takes it (`--eval=CODE`, `--eval CODE`), else None."""
    name, equals, value = arg.partition("=")
    if name not in longs:
        return None
    return value if equals else following


def _short_code(arg: str, following: str | None, letters: str, valued: str) -> str | None:
    """The code of a bundle of short options whose letter takes it (`-e CODE`, `-peCODE`),
    else None; reading stops at a letter that takes some other value."""
    for j in range(1, len(arg)):
        letter = arg[j]
        if letter in letters:
            return arg[j + 1:] or following
        if letter in valued or not letter.isalnum():
            return None
    return None


def stdin_language(program: str, args: list[str]) -> str | None:
    """The language of the code a command reads from its standard input (`python3`,
    `python3 -`, `node` with options alone); None when it is given code or a script."""
    runner = _runner(program)
    if runner is None or code_arguments(program, args):
        return None
    if all(a.startswith("-") for a in args) and _INFO.isdisjoint(args):
        return runner[0]
    return None


# Options that print something and end: `python --version` reads no code.
_INFO = frozenset({"-v", "-V", "-VV", "--version", "-h", "--help", "-?"})


def shebang_language(text: str) -> str | None:
    """The language of the interpreter a script's `#!` line names (`#!/usr/bin/env -S
    python3 -u`: "hash"); None without one."""
    if not text.startswith("#!"):
        return None
    words = text[2:].partition("\n")[0].split()
    names = [w.replace("\\", "/").rpartition("/")[2].casefold() for w in words]
    if names[:1] == ["env"]:
        names = [n for n in names[1:] if not n.startswith("-") and "=" not in n]
    if names[:1] in (["busybox"], ["toybox"]):
        names = names[1:]  # `busybox sh`: the applet named
    if names[:1] in (["uv"], ["pipx"]) and names[1:2] == ["run"]:
        return "hash"  # `uv run --script`, `pipx run`: a Python script (PEP 723)
    return language_of(names[0]) if names else None
