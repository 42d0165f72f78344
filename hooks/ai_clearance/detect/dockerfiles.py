"""Dockerfiles (and Containerfiles) read for what they run: the images of `FROM` (and of
`COPY --from`, `RUN --mount=from=`), and the commands of `RUN`, `CMD` and `ENTRYPOINT`,
in shell form (continuation lines joined, comment lines inside them dropped, as Docker
does), in exec form (a JSON array: one command's words), or as heredocs (`RUN <<EOF`).

A `SHELL` instruction changes what runs a shell form: `SHELL ["python3", "-c"]` makes
each later `RUN x` the command `python3 -c x`. A heredoc whose first line names another
interpreter (`#!/usr/bin/env python3`) is read as that language's code. The defaults of
`ARG` and the values of `ENV` are written into the instructions after them (`$PKG`,
`${PKG}`, `${PKG:-x}`), as Docker does (a RUN's shell sees them as its env too); arguments
that only a build could know (`--build-arg`) stay as written. `ADD` of a URL downloads it:
a "download" step. One pass, linear in the file (each value written in is bounded by the
instruction that sets it, and what one instruction grows to is bounded by MAX_GROWTH)."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass

from ai_clearance.detect.runners import shebang_language


@dataclass(frozen=True)
class Step:
    """Something a Dockerfile runs, at its 1-based `line`: an image ("image", `text`), a
    script ("script", `text` in `language`), a command ("argv", `words`) or a URL that
    `ADD` downloads ("download", `text`)."""

    kind: str
    line: int
    name: str
    text: str = ""
    language: str = "shell"
    words: tuple[str, ...] = ()


_INSTRUCTION = re.compile(r"[ \t]*([A-Za-z]+)(?:[ \t]+|\Z)")
_ESCAPE_DIRECTIVE = re.compile(r"#[ \t]*escape[ \t]*=[ \t]*(\S)[ \t]*\Z", re.IGNORECASE)
_DIRECTIVE = re.compile(r"#[ \t]*[A-Za-z]+[ \t]*=")
_HEREDOC = re.compile(r"<<(-?)[ \t]*([\"']?)([A-Za-z0-9_.-]+)\2")
_QUOTE = re.compile(r"[\"']")
_DOUBLE_QUOTED = re.compile(r'(?:[^"\\]|\\.)*', re.DOTALL)
_FLAG = re.compile(r"(?:[ \t]|\\\n)*--(\S+)")
_RUNS = frozenset({"RUN", "CMD", "ENTRYPOINT"})
# A variable as Docker writes it in: $NAME, ${NAME}, ${NAME:-word} and ${NAME:+word}.
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}"
                       r"|([A-Za-z_][A-Za-z0-9_]*))")
_SETTING = re.compile(r"""([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)""")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
# What written-in values may make of one instruction: this many times its text, plus a
# floor; past it the values are not written in (the instruction is read as written).
MAX_GROWTH = 8
_GROWTH_FLOOR = 4096
_FLAGGED = frozenset({"RUN", "FROM", "COPY", "ADD"})      # take --options first
_WITH_HEREDOCS = frozenset({"RUN", "COPY", "ADD"})


def dockerfile_steps(text: str) -> list[Step]:
    """What the Dockerfile `text` runs, in the order of its lines."""
    return _Reader(text.split("\n")).read()


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = [line.removesuffix("\r") for line in lines]
        self.escape = _escape(self.lines)
        self.steps: list[Step] = []
        self.shell: list[str] | None = None  # the SHELL in force; None: /bin/sh -c
        self.entrypoint: tuple[int, list[str]] | None = None  # line, exec-form words
        self.command: tuple[int, list[str]] | None = None
        self.variables: dict[str, str] = {}  # ARG defaults and ENV values in force
        # Where each line's text occurs, and (for <<-) its text without leading tabs: a
        # heredoc's end is looked up, never searched for (an unclosed one costs nothing).
        self.where: dict[str, list[int]] = {}
        self.where_untabbed: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines):
            self.where.setdefault(line, []).append(number)
            self.where_untabbed.setdefault(line.lstrip("\t"), []).append(number)

    def read(self) -> list[Step]:
        i, n = 0, len(self.lines)
        while i < n:
            found = _INSTRUCTION.match(self.lines[i])
            if found is None:  # a comment, a blank line, or no instruction
                i += 1
                continue
            start, name = i, found.group(1).upper()
            parts, i = self.logical_line(i, self.lines[i][found.end():])
            bodies: list[tuple[int, str]] = []
            if name in _WITH_HEREDOCS or name == "ONBUILD":
                i = self.heredocs(parts, bodies, i)
            self.instruction(name, "\n".join(parts), start + 1, bodies)
        self.end_stage()
        return self.steps

    def end_stage(self) -> None:
        """A stage's exec-form ENTRYPOINT runs with its CMD's words as arguments."""
        if self.entrypoint is not None and self.command is not None:
            line, words = self.command[0], (*self.entrypoint[1], *self.command[1])
            self.steps.append(Step("argv", line, "ENTRYPOINT+CMD", words=words))
        self.entrypoint = self.command = None

    def logical_line(self, i: int, first: str) -> tuple[list[str], int]:
        """An instruction's lines from line `i`: each that ends in the escape character
        goes on to the next (written as a shell's `\\` continuation, so that line offsets
        stay true); blank and comment lines inside are dropped, as Docker drops them.
        Returns the lines and the index after them."""
        parts = [first]
        i += 1
        while parts[-1].rstrip().endswith(self.escape) and i < len(self.lines):
            parts[-1] = parts[-1].rstrip()[:-1] + "\\"
            line = self.lines[i]
            parts.append("\\" if not line.strip() or line.lstrip().startswith("#") else line)
            i += 1
        return parts, i

    def heredocs(self, parts: list[str], bodies: list[tuple[int, str]], i: int) -> int:
        """The heredocs an instruction opens (`<<EOF`, `<<-EOF`, outside quotes), read
        from line `i` on: the lines up to each delimiter are added to `parts` and each
        body to `bodies` with its line index. Returns the index after the last one."""
        text = "\n".join(parts)
        spans = _quote_starts(text)
        for marker in _HEREDOC.finditer(text):
            if _quoted(spans, marker.start()):
                continue  # `echo "<<EOF"` opens nothing
            delimiter = marker.group(3)
            numbers = (self.where_untabbed if marker.group(1) else self.where).get(delimiter)
            at = bisect_right(numbers or [], i - 1)
            if numbers is None or at == len(numbers):
                continue  # never closed: not a heredoc Docker would build
            end = numbers[at]
            bodies.append((i, "\n".join(self.lines[i:end])))
            parts.extend(self.lines[i:end + 1])
            i = end + 1
        return i

    def instruction(self, name: str, text: str, line: int,
                    bodies: list[tuple[int, str]]) -> None:
        if name == "ONBUILD":
            self.onbuild(text, line, bodies)
            return
        rest = self.expand(text[self.flags(name, text, line):])
        if name in ("ARG", "ENV"):
            self.assign(name, rest)
        elif name == "ADD":
            for url in _URL.findall(rest):
                self.steps.append(Step("download", line, name, text=url.strip("\"',[]")))
        if name == "FROM":  # a new stage, with the default shell
            self.end_stage()
            self.shell = None
            image = rest.split()
            if image:
                self.steps.append(Step("image", line, name, text=image[0]))
        elif name == "SHELL":
            self.shell = _exec_form(rest)
        elif name in _RUNS:
            self.run(name, rest, line, bodies)

    def onbuild(self, text: str, line: int, bodies: list[tuple[int, str]]) -> None:
        """ONBUILD's instruction runs in a later build, under that build's SHELL."""
        inner = _INSTRUCTION.match(text)
        shell, self.shell = self.shell, None
        if inner is not None:
            self.instruction(inner.group(1).upper(), text[inner.end():], line, bodies)
        self.shell = shell

    def flags(self, name: str, text: str, line: int) -> int:
        """Read an instruction's leading flags (noting an image a flag names);
        return where its text goes on."""
        at = 0
        flag = _FLAG.match(text) if name in _FLAGGED else None
        while flag is not None:
            self.flag_image(name, self.expand(flag.group(1)), line)
            at = flag.end()
            flag = _FLAG.match(text, at)
        return at

    def expand(self, text: str) -> str:
        """`text` with the ARG and ENV values in force written in, as Docker does; as
        written when that would grow it past MAX_GROWTH."""
        if "$" not in text or not self.variables:
            return text
        def value(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(4)
            known = self.variables.get(name)
            if match.group(2) == "-":
                return known if known else match.group(3)
            if match.group(2) == "+":
                return match.group(3) if known else ""
            return match.group(0) if known is None else known
        found = _VARIABLE.sub(value, text)
        return found if len(found) <= MAX_GROWTH * len(text) + _GROWTH_FLOOR else text

    def assign(self, name: str, rest: str) -> None:
        """`ARG NAME=default`, `ENV NAME=value ...` and the old `ENV NAME value`."""
        settings = _SETTING.findall(rest)
        if not settings and name == "ENV":
            key, _, value = rest.strip().partition(" ")
            if key:
                settings = [(key, value.strip())]
        for key, value in settings:
            quoted = value[:1] in ('"', "'") and value[-1:] == value[:1] and len(value) > 1
            self.variables[key] = value[1:-1] if quoted else value

    def flag_image(self, name: str, flag: str, line: int) -> None:
        """`COPY --from=IMAGE` and `RUN --mount=...,from=IMAGE` bring an image in."""
        key, _, setting = flag.partition("=")
        if name in ("COPY", "ADD") and key == "from":
            self.steps.append(Step("image", line, name, text=setting))
        elif name == "RUN" and key == "mount":
            for option in setting.split(","):
                if option.startswith("from="):
                    self.steps.append(Step("image", line, name, text=option[5:]))

    def run(self, name: str, rest: str, line: int, bodies: list[tuple[int, str]]) -> None:
        words = _exec_form(rest)
        if words is not None:
            self.steps.append(Step("argv", line, name, words=tuple(words)))
            if name == "ENTRYPOINT":
                self.entrypoint = (line, words)
            elif name == "CMD":
                self.command = (line, words)
            return
        if self.shell is None:
            self.steps.append(Step("script", line, name, text=rest))
        else:  # the shell form is the last argument of the SHELL command
            self.steps.append(Step("argv", line, name, words=(*self.shell, rest)))
        for index, body in bodies:
            language = shebang_language(body)
            if language not in (None, "shell"):
                self.steps.append(Step("script", index + 1, name, text=body,
                                       language=language))


def _exec_form(text: str) -> list[str] | None:
    """The words of an exec form (`["claude", "-p", "x"]`); None for a shell form (what
    is not a JSON array of strings is one, as Docker reads it)."""
    joined = text.replace("\\\n", "").strip()
    if not joined.startswith("["):
        return None
    try:
        words = json.loads(joined)
    except (ValueError, RecursionError):  # json recurses once per nested array
        return None
    if isinstance(words, list) and all(isinstance(w, str) for w in words):
        return words
    return None


def _quote_starts(text: str) -> tuple[list[int], list[int]]:
    """Where the quoted strings of `text` start and end (an unclosed one runs to the
    end), in one pass: a heredoc marker inside one is text, not a heredoc."""
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        quote = _QUOTE.search(text, i)
        if quote is None:
            break
        if quote.group(0) == "'":
            end = text.find("'", quote.end())
        else:
            body = _DOUBLE_QUOTED.match(text, quote.end())
            assert body is not None  # it matches the empty string
            end = body.end()
        end = n if end < 0 else end
        starts.append(quote.start())
        ends.append(end)
        i = end + 1
    return starts, ends


def _quoted(spans: tuple[list[int], list[int]], pos: int) -> bool:
    starts, ends = spans
    at = bisect_right(starts, pos) - 1
    return at >= 0 and pos <= ends[at]


def _escape(lines: list[str]) -> str:
    """The escape character: `\\`, or what a `# escape=` parser directive at the top sets
    (Windows Dockerfiles use a backtick)."""
    for line in lines:
        directive = _ESCAPE_DIRECTIVE.match(line.strip())
        if directive is not None:
            return directive.group(1)
        if _DIRECTIVE.match(line.strip()) is None:
            break  # directives come first, before any comment, blank line or instruction
    return "\\"
