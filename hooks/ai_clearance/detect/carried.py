"""The constant environment a CI file or script gives what it runs, carried into the
scripts, Makefiles and package.json scripts it reaches (source/reach.py): a workflow's,
job's or step's `env:`, GitLab's `variables:` (also `NAME: {value: x}` and Azure's
`- name: N` / `value: x`), CircleCI's and Drone's `environment:`, and the assignments of
its scripts (`export X=v`, `X=v make review`, `env X=v ./ci/review.sh`, Jenkins's
`X = 'v'`). It is read lexically and loosely (a value set in one job is carried into a
script another runs): a reached file is judged as before and, beside that, once more per
row of the values it reads, so carrying more only judges more. The reached file is read
as the shell or make would read it given those values: an assignment put before its
first line, so that one it makes itself wins as it would.

Pure; time linear in the input."""

from __future__ import annotations

import re

from ai_clearance.errors import GitError
from ai_clearance.memo import Memo

# (name, the values it may hold), sorted: what a file gives the environment.
Env = tuple[tuple[str, tuple[str, ...]], ...]
# Values one name is read with; past it the name is marked (_MANY) and a file that reads
# it is refused rather than judged with some. Names one file may give.
MAX_VALUES = 16
MAX_NAMES = 4096
_MANY = "\x00"
# Kinds of reached files the environment is carried into.
CARRIED_KINDS = frozenset({"shell", "make", "npm"})

_SECTION = re.compile(r"""^([ \t]*)(?:-[ \t]+)?["']?(?:env|variables|environment)["']?"""
                      r"""[ \t]*:[ \t]*(\{[^\n]*\})?[ \t]*(?:#[^\n]*)?$""",
                      re.MULTILINE | re.IGNORECASE)
_ENTRY = re.compile(r"""([ \t]*)(?:-[ \t]+)?["']?([A-Za-z_]\w*)["']?[ \t]*:[ \t]*(.*)""")
_FLOW_ENTRY = re.compile(r"""["']?([A-Za-z_]\w*)["']?[ \t]*:[ \t]*("[^"]*"|'[^']*'|[^,}]*)""")
# `X=v`, `export X=v`, `X = 'v'` (Groovy, make); not `X == v`, `X != v`, `$X=`.
_ASSIGNED = re.compile(r"""(?<![\w$.!<>=-])([A-Za-z_]\w*)[ \t]*=(?!=)[ \t]*"""
                       r"""(?:"([^"$`\\\n]*)"|'([^'\n]*)'|([^\s"';&|()<>`$\\]+))""")
# What a file reads of the environment: $X, ${X}, $$X (make), $(X) (make).
_READ = re.compile(r"\$\$?[{(]?([A-Za-z_]\w*)")


def given_env(text: str) -> Env:
    """The constant values `text` (a CI file, a script) gives names, for what it runs.
    GitError past MAX_NAMES names."""
    found: dict[str, dict[str, None]] = {}
    if "=" in text:
        for name, value in _assignments(text):
            _add(found, name, value)
    if ":" in text:
        for match in _SECTION.finditer(text):
            if match.group(2):
                for entry in _FLOW_ENTRY.finditer(match.group(2)[1:-1]):
                    _add(found, entry.group(1), _yaml_value(entry.group(2)))
            else:
                _section(text, match.end(), len(match.group(1)), found)
    return tuple(sorted((name, tuple(values)) for name, values in found.items()))


def _assignments(text: str) -> list[tuple[str, str]]:
    """The `X=v` assignments of `text` in order, as (name, value). A match never spans a
    line break (nor does the character its look-behind reads matter there), so the text is
    read by paragraphs, each remembered by its text: the versions of a file in a history
    share most of them (a project's Makefile: 130 KiB, 10 ms a version whole)."""
    if len(text) < _WHOLE:
        return _assigned(text)
    found: list[tuple[str, str]] = []
    for piece in text.split("\n\n"):
        known = _ASSIGNMENTS.get(piece)
        if known is None:
            known = _ASSIGNMENTS.put(piece, _assigned(piece))
        found.extend(known)
    return found


def _assigned(text: str) -> list[tuple[str, str]]:
    return [(match.group(1), next(v for v in match.groups()[1:] if v is not None))
            for match in _ASSIGNED.finditer(text)]


# Texts shorter than this are read whole; the paragraphs met lately are remembered with
# their assignments, a few MiB of them.
_WHOLE = 4096
_ASSIGNMENTS: Memo[str, list[tuple[str, str]]] = Memo(
    4 << 20, cost=lambda piece, _: len(piece) + 1)


def _add(found: dict[str, dict[str, None]], name: str, value: str) -> None:
    if not value or "$" in value:
        return  # not a constant here (an expression, another variable)
    values = found.setdefault(name, {})
    if len(found) > MAX_NAMES:
        raise GitError(f"a CI file gives more than {MAX_NAMES} environment names; refusing "
                       "to pass unjudged")
    if len(values) < MAX_VALUES:
        values[value] = None
    elif value not in values:
        values[_MANY] = None


def _yaml_value(raw: str) -> str:
    value = raw.strip()
    if value[:1] in ("'", '"'):
        return value[1:-1] if len(value) > 1 and value[-1] == value[0] else ""
    return value.split(" #", 1)[0].strip()


# Lines of one section looked at: sections a person writes hold a few dozen entries.
_MAX_SECTION_LINES = 2048


def _section(text: str, end: int, indent: int, found: dict[str, dict[str, None]]) -> None:
    """The entries of a block section below the line ending at `end`: `NAME: value`, a
    GitLab `NAME:` with `value: x` below it, Azure's `- name: N` with `value: x`."""
    start, count = end + 1, 0
    pending: str | None = None  # a name whose value is given by a `value:` below it
    child = -1
    while start < len(text) and count < _MAX_SECTION_LINES:
        stop = text.find("\n", start)
        stop = len(text) if stop < 0 else stop
        line = text[start:stop]
        start, count = stop + 1, count + 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        entry = _ENTRY.fullmatch(line)
        depth = len(line) - len(line.lstrip(" \t"))
        if depth <= indent or entry is None:
            if depth <= indent:
                return
            continue
        key, value = entry.group(2), _yaml_value(entry.group(3))
        if child < 0:
            child = depth
        if key.casefold() == "value" and pending is not None:
            _add(found, pending, value)
        elif depth == child or line.lstrip(" \t").startswith("-"):
            if key.casefold() == "name":
                pending = value or None
            else:
                pending = key if not value else None
                _add(found, key, value)


def read_names(text: str) -> frozenset[str]:
    """The environment names a file may read ($X, ${X}, $$X, $(X))."""
    return frozenset(_READ.findall(text)) if "$" in text else frozenset()


def relevant(env: Env, names: frozenset[str]) -> Env:
    """The part of `env` a file reading `names` reads; GitError when one of them was given
    more values than MAX_VALUES."""
    kept = tuple((name, values) for name, values in env if name in names)
    for name, values in kept:
        if _MANY in values:
            raise GitError(f"a CI file gives {name} more than {MAX_VALUES} values; refusing "
                           "to pass unjudged")
    return kept


def merged(first: Env, second: Env) -> Env:
    """Both environments, the values of a name given by both put together."""
    if not first or not second or first == second:
        return first or second
    found: dict[str, dict[str, None]] = {}
    for name, values in (*first, *second):
        for value in values:
            if value == _MANY:
                found.setdefault(name, {})[_MANY] = None
            else:
                _add(found, name, value)
    return tuple(sorted((name, tuple(values)) for name, values in found.items()))


def rows(env: Env) -> list[dict[str, str]]:
    """The readings `env` is tried in: row k gives each name its k-th value (its last
    when it has fewer), so each value is tried once."""
    count = max((len(values) for _, values in env), default=0)
    return [{name: values[min(k, len(values) - 1)] for name, values in env}
            for k in range(count)]


def with_env(kind: str, lines: list[bytes], row: dict[str, str],
             ) -> tuple[list[bytes], str, int, int]:
    """A reached file of `kind` as its runner reads it given `row`: (its lines, the kind
    to read them as, the line the values were put after, how many lines they take)."""
    if kind == "make":
        # make takes the environment as variables a Makefile's own definitions override;
        # exported, a recipe's shell sees them ($$X).
        put = [f"export {name} = {value.replace('$', '$$').replace('#', chr(92) + '#')}"
               for name, value in row.items() if "\n" not in value]
        return [p.encode() for p in put] + lines, kind, 0, len(put)
    prefix = "export " + " ".join(f"{name}={_quoted(value)}" for name, value in row.items())
    put_lines = prefix.encode().split(b"\n")
    if kind == "npm":  # its scripts, each found at the file's first line
        scripts = _npm_scripts(lines)
        return [*put_lines, *scripts], "shell", 0, len(put_lines) + len(scripts)
    at = 1 if lines and lines[0].startswith(b"#!") else 0
    return lines[:at] + put_lines + lines[at:], kind, at, len(put_lines)


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _npm_scripts(lines: list[bytes]) -> list[bytes]:
    """The scripts of a package.json, one a line, as npm hands each to the shell."""
    from ai_clearance.detect.jsonc import Pairs, load_jsonc

    data = load_jsonc(b"\n".join(lines).decode("utf-8", "replace"))
    found: list[bytes] = []
    if isinstance(data, Pairs):
        for scripts in data.get("scripts", []):
            if isinstance(scripts, Pairs):
                found.extend(body.replace("\n", " ").encode()
                             for bodies in scripts.values() for body in bodies
                             if isinstance(body, str))
    return found


def original_line(line: int, at: int, count: int) -> int:
    """A line of a file read `with_env` as the line of the file itself."""
    if line <= at:
        return line
    return max(at, 1) if line <= at + count else line - count
