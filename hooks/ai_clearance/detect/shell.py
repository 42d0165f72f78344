"""Shell scripts of CI steps read statically: their simple commands, and what program
each runs with which arguments. No shell is run and nothing is expanded but what is known
without running: the text of $'...' (escapes decoded) and $"..." strings, $IFS as the
blanks that split a word, empty substitutions ($(), ``), `$(which X)` as X, brace
expansion of small words ({cl,}aude), the values of variables and arrays the script
assigns ($A, "${A[@]}") and the defaults of those it does not (${X:-claude}), aliases and
the bodies of functions the script defines, called with their arguments (and `sh -c
SCRIPT NAME ARGS`'s $0, $1, "$@"), what `$(echo X)` and `$(printf X)` print. A variable set
outside the script, standing alone unquoted, may be empty and then is no word: `$SUDO
claude` runs claude when SUDO is unset. Text fed to a shell that reads its standard input
(`echo X | bash`, `bash <<< X`, `source <(printf X)`, `'X' | iex`) is read as the script it
is; fed to anything else it stays text. PowerShell's script blocks (`% { X }`, `& {X}`),
[scriptblock]::Create("X") and iex("X") run X; a script with a backtick or caret is read
once more without them, as PowerShell (c`laude) and cmd (cl^aude) read their escapes.
What only running could tell stays unknown. What a program runs through its arguments
(`sh -c X`, `npx X`, `find -exec X`) is read by launchers.py. What expansions write out
is paid from a budget of WORK_FACTOR times the script's size: a script past it (`A=$A$A`
on each line doubles a value) is refused, ScriptTooCostly (exit 3), never passed unjudged.

Code in another language (`python -c`, a step with `shell: python`) is read by its string
literals (literals.py): each as a command line, each run of them a process call is given
as one command's words."""

from __future__ import annotations

import itertools
import re
from collections import ChainMap
from collections.abc import Callable, Iterator, MutableMapping
from typing import NamedTuple, TypeVar

from ai_clearance.detect.contexts import Unjudged, Work
from ai_clearance.detect.launchers import (
    POWERSHELL,
    SHELLS,
    argv_commands,
    normalized,
    script_arguments,
    shell_script,
    unescaped,
)
from ai_clearance.detect.parameters import element, operated, sliced
from ai_clearance.detect.runners import code_arguments, stdin_language
from ai_clearance.errors import GitError

_T = TypeVar("_T")

# Shells inside shells ($(...), `...`, sh -c, eval) followed this deep.
_MAX_DEPTH = 6

_BREAKS = frozenset(";&|()\n")

# The word a command whose standard input is fed (`echo X | gemini`, `gemini <<< X`,
# `gemini < prompt.md`) is also read with, after its own words: what it reads is an
# argument it was not given on its command line (catalog.toml's `{prompt}`).
STDIN = "<stdin>"


# What reading a script may write out (the values of its variables, the words they make,
# aliases and function bodies put in where called, text fed to a shell): this many
# characters per character of the script, plus the floor. `A=claude` then `A=$A$A` on
# each line doubles a value per line; past the budget the script is refused
# (ScriptTooCostly, exit 3) in time and memory linear in its size, never passed unjudged.
WORK_FACTOR = 32
WORK_FLOOR = 1 << 12


class ScriptTooCostly(Unjudged, GitError):
    """A shell script's expansions write out more than its budget (WORK_FACTOR times its
    size): it is refused (exit 3) rather than passed unjudged."""


class _Budget(Work):
    """What is left of one script's budget, shared by the shells nested in it."""

    def __init__(self, size: int) -> None:
        super().__init__(size, WORK_FACTOR, WORK_FLOOR, ScriptTooCostly,
                         "a shell script's variables, aliases and functions expand to more than")


def shell_commands(script: str, depth: int = 0, budget: _Budget | None = None,
                   scope: _Scanner | None = None) -> list[tuple[int, list[str]]]:
    """The simple commands of a shell script as (line offset, words), with quotes and
    escapes removed; the commands of $(...) and `...` come out as commands of their own.
    Written for POSIX shells, and near enough for PowerShell and cmd one-liners. Never
    fails but one way: an unclosed quote or bracket runs to the end. A heredoc's body is
    read as commands (it is often a script that is run next). A script whose expansions
    write out more than WORK_FACTOR times its size is refused: ScriptTooCostly (exit 3).
    `budget`: the budget of the script this one is nested in; `scope`: the reading of
    that script, whose variables, arrays, aliases and functions this one sees."""
    scanner = _Scanner(script, depth, budget or _Budget(len(script)), scope)
    scanner.scan()
    return scanner.commands


class _Split(str):
    """The value of an unquoted expansion: split into words at blanks where it stands."""


class _Unknown(str):
    """An unquoted expansion of a variable whose value is not known (as written)."""


class _Brace(str):
    """An unquoted `{`, `,` or `}`, which brace expansion may act on."""


class _Scanner:
    """One pass over a script, in time linear in its length (times the nesting depth)."""

    def __init__(self, script: str, depth: int, budget: _Budget,
                 scope: _Scanner | None = None) -> None:
        self.s = script
        self.depth = depth
        self.budget = budget
        self.commands: list[tuple[int, list[str]]] = []
        self.words: list[str] = []
        self.word: list[str] = []
        self.in_word = False
        self.word_start = 0
        self.command_line = 0
        self.drop_next = False  # the next word is a redirection's target
        self.here_next = False  # ... and that target is a here-string (<<<)
        # Text fed to the command being read (here-strings, <(...)), and the words of
        # the command before when it pipes into this one: a shell reading them runs them.
        self.fed: list[str] = []
        self.piped: list[str] | None = None
        self.input = False  # the command being read has its standard input redirected
        self.last: list[str] = []  # the words of the command read last
        self.script_call = False  # the command being read is the argument of one
        self.printed: str | None = None  # what the substitution read last prints
        self._line = 0
        self._counted = 0
        # What the script defines, as far as read: variables, arrays, aliases, functions;
        # a nested script ($(...), a function's body) sees those of the one it is in, and
        # what it defines stays its own (a subshell's).
        self.variables: MutableMapping[str, str] = _scoped(scope.variables if scope else None)
        self.arrays: MutableMapping[str, list[str]] = _scoped(scope.arrays if scope else None)
        # A compound command as its text.
        self.aliases: MutableMapping[str, list[str] | str] = \
            _scoped(scope.aliases if scope else None)
        self.functions: MutableMapping[str, list[list[str]]] = \
            _scoped(scope.functions if scope else None)
        self.refs: MutableMapping[str, str] = _scoped(scope.refs if scope else None)  # namerefs
        # The variables exported (`export X=v`, `declare -x X`): a shell it runs sees them.
        self.exported: set[str] = scope.exported if scope else set()
        self.positional: list[str] | None = None  # what `set -- X Y` made $1, $2, "$@"
        # `for T in A B C`: T's values (it holds A as a variable); a command that reads T
        # is read again for each other value (`rescanned`), but within such a reading.
        self.loops: MutableMapping[str, list[str]] = _scoped(scope.loops if scope else None)
        self.looped: set[str] = set()  # the loop variables the command being read reads
        self.rescan: bool = scope.rescan if scope else False
        self.command_start = 0  # where the command being read starts, and where it ends
        self.at = 0
        self.unknown = False  # an expansion was not known (what it prints is not either)

    def scan(self) -> None:
        s, n, i = self.s, len(self.s), 0
        while i < n:
            c = s[i]
            if c in " \t\r":
                self.end_word()
                i += 1
            elif c == "(" and (after := self.definition(i)) is not None:
                i = after
            elif c == "{" and not self.in_word and len(self.words) == 2 and \
                    self.words[0] == "function":
                i = self.function(self.words[1], i)
            elif c in _BREAKS:
                self.at = i
                self.end_command(pipe=c == "|" and not s.startswith(("|", "&"), i + 1)
                                 and not s.startswith("|", i - 1))
                # [scriptblock]::Create("X"), iex("X"): the string is a script.
                self.script_call = c == "(" and self.last[-1:] != [] and \
                    _SCRIPT_CALL.search(self.last[-1]) is not None
                i += 1
            elif c in "<>":
                i = self.redirect(i)
            elif c == "#" and not self.in_word:
                end = s.find("\n", i)
                i = n if end < 0 else end
            else:
                i = self.quoted(i)
        self.at = n
        self.end_command()

    def quoted(self, i: int) -> int:
        """Reads the word part at `i` (a character, an escape, a quoted string, an
        expansion) and returns where the next one starts."""
        end = self.quoting(i)
        if end is None:
            end = self.expansion(i)
        if end is None:
            c = self.s[i]
            self.text(_Brace(c) if c in "{,}" else c, i)
            end = i + 1
        return end

    def quoting(self, i: int) -> int | None:
        """Reads an escape or a quoted string at `i`; returns where it ends, or None when
        there is none."""
        s, c = self.s, self.s[i]
        if c == "\\":
            if not s.startswith("\n", i + 1):  # a continuation line joins, adding nothing
                self.text(s[i + 1:i + 2], i)
            return i + 2
        if s.startswith("$'", i):  # ANSI-C quoting: escapes decoded, as bash does
            end = _ansi_end(s, i + 2)
            self.text(_ansi_c(s[i + 2:end]), i)
            return end + 1
        if s.startswith('$"', i):  # locale quoting: a double-quoted string (no catalog in CI)
            return self.double_quoted(i + 1)
        if c == "'":
            end = _find(s, "'", i + 1)
            self.text(s[i + 1:end], i)
            return end + 1
        if c == '"':
            return self.double_quoted(i)
        return None

    def expansion(self, i: int) -> int | None:
        """Reads an expansion at `i` ($IFS, a command substitution, a parameter) or
        PowerShell's continuation line; returns where it ends, or None when there is none."""
        s, c = self.s, self.s[i]
        ifs = _IFS.match(s, i)
        if ifs is not None:  # unquoted $IFS splits the word there (it holds blanks in CI)
            self.end_word()
            return ifs.end()
        if c == "`" and s.startswith(("\n", "\r\n"), i + 1):
            return s.index("\n", i) + 1  # PowerShell's continuation line (Windows runners)
        if c == "`" or s.startswith("$(", i):
            end = self.substitution(i)
            self.text(self.substituted(s[i:end + 1]), i)
            return end + 1
        if s.startswith("${", i):
            end = _closing(s, i + 1, "{", "}")
            self.text(self.parameter(s[i:end + 1], split=True), i)
            return end + 1
        name = _NAME.match(s, i + 1) if c == "$" else None
        if name is None:
            return None
        self.text(self.parameter(s[i:name.end()], split=True), i)
        return name.end()

    def double_quoted(self, i: int) -> int:
        s, n = self.s, len(self.s)
        self.text("", i)
        j = i + 1
        while j < n and s[j] != '"':
            if s[j] == "\\" and j + 1 < n:
                if s[j + 1] != "\n":
                    self.word.append(s[j + 1] if s[j + 1] in '"\\$`' else s[j:j + 2])
                j += 2
            elif s[j] == "`" or s.startswith("$(", j):
                end = self.substitution(j)
                self.word.append(str(self.substituted(s[j:end + 1])))
                j = end + 1
            elif s.startswith("${", j):
                end = min(_closing(s, j + 1, "{", "}"), _find(s, '"', j))
                value = self.parameter(s[j:end + 1], split=False)
                self.word.append(value if type(value) is _Split else str(value))
                j = end + 1
            elif s[j] == "$" and (name := _NAME.match(s, j + 1)) is not None:
                self.word.append(str(self.parameter(s[j:name.end()], split=False)))
                j = name.end()
            else:
                self.word.append(s[j])
                j += 1
        return j + 1

    def substitution(self, i: int) -> int:
        """Reads the $(...) or `...` at `i` as commands of their own; returns its end."""
        s = self.s
        backtick = s[i] == "`"
        end = _find(s, "`", i + 1) if backtick else _closing(s, i + 1, "(", ")")
        self.printed = self.nested(s[i + (1 if backtick else 2):end], i)
        return end

    def substituted(self, text: str) -> str:
        """What a substitution stands for where it is known: nothing for an empty one
        (`cl$()aude` is claude), the program for `$(which X)`, what an echo or printf of
        known words prints (`$(printf %q "$T")`); else its text."""
        inner = text[1:-1] if text.startswith("`") else text[2:-1]
        if not inner.strip():
            return _Split("")
        which = _WHICH.fullmatch(inner)
        if which is not None:
            return _Split(_QUOTES.sub("", which.group(1)))
        if "$(" in inner and len(inner) <= _MAX_ECHOED:
            inner = constant_substitutions(inner)  # nested: $(echo $(echo claude))
        echoed = _ECHOED.fullmatch(inner) if len(inner) <= _MAX_ECHOED else None
        if echoed is not None:  # `$(echo claude) -p`: what echo or printf prints
            return _Split(_QUOTES.sub("", echoed.group(1)))
        if self.printed is not None:
            self.budget.spend(len(self.printed))
            return _Split(self.printed)
        self.unknown = True
        return text

    def parameter(self, text: str, split: bool) -> str:
        """The value of the expansion `text` ($A, ${A}, ${A[@]}, ${X:-default}, ${A,,},
        ${A#x}, ${A/x/y}, ${A:1}, ${A[1]}, ${!N}: parameters.py): a _Split when known
        (split unquoted, and "${A[@]}" into its elements), else the text, an _Unknown when
        unquoted."""
        inner = text[2:-1] if text.startswith("${") else text[1:]
        if inner.startswith("!") and text.startswith("${"):
            target = self.indirect(inner[1:])
            if target is None:
                self.unknown = True
                return _Unknown(text) if split else text
            inner = target
        found = _PARAMETER.fullmatch(inner)
        if found is None:
            return self.length(inner, split) or text
        name, index, operator, rest = found.groups()
        name = self.refs.get(name, name)
        if self.loops and name in self.loops and not self.rescan and \
                self.variables.get(name) == self.loops[name][0]:
            self.looped.add(name)
        elements, value = self.stored(name, index)
        split = split or (name in self.arrays and index == "[@]")
        if operator in _DEFAULTS:
            if elements is not None:
                self.budget.spend(sum(map(len, elements)) + len(elements))
                value, elements = " ".join(elements), None
            value = self.defaulted(name, index, operator, rest, value)
        elif operator is not None:
            elements, value = self.operated(elements, value, operator, rest)
        if elements is not None:
            self.budget.spend(sum(map(len, elements)) + len(elements))
            value = " ".join(elements)
        if value is None:
            self.unknown = True
            return _Unknown(text) if split else text
        self.budget.spend(len(value))
        return _Split(value) if split else value

    def stored(self, name: str, index: str | None) -> tuple[list[str] | None, str | None]:
        """What a parameter holds: the elements of an array's ${A[@]}, else its value;
        None when not known."""
        if name in self.arrays:
            if index in ("[@]", "[*]"):
                return self.arrays[name], None
            return None, element(self.arrays[name], index[1:-1] if index else "0", self.lookup)
        if name in self.variables and index in (None, "[0]", "[@]", "[*]"):
            return None, self.variables[name]
        return None, None

    def length(self, inner: str, split: bool) -> str | None:
        """${#T}: the length of a value the script set (of an array: its count)."""
        name = inner[1:].removesuffix("[@]").removesuffix("[*]")
        if not inner.startswith("#") or not _NAME.fullmatch(name):
            return None
        if name in self.arrays:
            count = len(self.arrays[name]) if inner != "#" + name else \
                len(self.arrays[name][0]) if self.arrays[name] else 0
        elif name in self.variables:
            count = len(self.variables[name])
        else:
            return None
        return _Split(str(count)) if split else str(count)

    def defaulted(self, name: str, index: str | None, operator: str, rest: str,
                  value: str | None) -> str | None:
        """The value of ${X:-d}, ${X-d}, ${X:=d}, ${X=d} (which assigns X), ${X:+a}."""
        if operator in (":+", "+"):
            return self.default(rest)  # set or not, the alternative may be used
        if operator.endswith("?"):
            return value
        if value is None or (operator.startswith(":") and not value):
            value = self.default(rest)
        if operator in (":=", "=") and name not in self.arrays and not index:
            self.variables[name] = value  # `: ${T:=claude}` assigns T
        return value

    def operated(self, elements: list[str] | None, value: str | None, operator: str,
                 rest: str) -> tuple[list[str] | None, str | None]:
        """An operator other than a default's applied to a value, or to each element of
        an array's ${A[@]} (a slice of it for `:`); None where not known."""
        if elements is not None:
            if operator == ":":
                return sliced(elements, rest, self.lookup), None
            each = [self.operated_one(e, operator, rest) for e in elements]
            known = [e for e in each if e is not None]
            return (known, None) if len(known) == len(each) else (None, None)
        if value is None:
            return None, None
        return None, self.operated_one(value, operator, rest)

    def operated_one(self, value: str, operator: str, rest: str) -> str | None:
        if operator == "@" and rest == "E":
            return _ansi_c(value)
        if operator == "@" and rest == "Q":
            return _quoted(value)
        return operated(value, operator, rest, self.lookup, self.budget.spend)

    def lookup(self, name: str) -> str | None:
        """The constant value of a variable the script set, if known."""
        return self.variables.get(name)

    def indirect(self, inner: str) -> str | None:
        """What `${!N...}` expands like: ${T...} when N holds the name T (or T[1]); None
        when not known, and for ${!A[@]} and ${!prefix*}, which give names."""
        found = _NAME.match(inner)
        if found is None or inner[found.end():found.end() + 1] in ("[", "*", "@"):
            return None
        target = self.variables.get(found.group(0))
        if target is None or not _INDIRECT_TARGET.fullmatch(target):
            return None
        return target + inner[found.end():]

    def default(self, word: str) -> str:
        """The text of a default's word: quotes removed, a nested ${...} expanded."""
        word = word.strip()
        if word.startswith("${") and word.endswith("}"):
            return str(self.parameter(word, split=False))
        if word.startswith("$") and _NAME.fullmatch(word, 1):
            return str(self.parameter(word, split=False))
        return _QUOTES.sub("", word)

    def definition(self, i: int) -> int | None:
        """At a `(`: an array assignment (`A=(claude -p)`) or a function definition
        (`f() {...}`, `function f() {...}`) read, returning where the script goes on;
        None for any other `(`."""
        if self.in_word and not self.words and all(type(p) is str for p in self.word) \
                and _ARRAY.fullmatch("".join(self.word)):
            return self.array("".join(self.word), i)
        s = self.s
        defined: str | None = None
        if self.in_word and not self.words:
            defined = "".join(self.word)
        elif not self.in_word and len(self.words) == 1:
            defined = self.words[0]
        elif len(self.words) == 2 and self.words[0] == "function":
            defined = self.words[1]
        elif self.in_word and self.words == ["function"]:
            defined = "".join(self.word)
        if defined is None or not _FUNCTION_NAME.fullmatch(defined):
            return None
        close = _BLANK.match(s, i + 1)
        assert close is not None  # the pattern matches the empty string
        if not s.startswith(")", close.end()):
            return None
        body = _BLANKS_AND_LINES.match(s, close.end() + 1)
        assert body is not None
        if not s.startswith(("{", "("), body.end()):
            return None
        return self.function(defined, body.end())

    def array(self, text: str, i: int) -> int:
        """Reads the array assignment `text(...)` whose `(` is at `i`; returns its end."""
        s = self.s
        end = _closing(s, i, "(", ")")
        elements = [w for _, words in self.inner(s[i + 1:end]) for w in words]
        name = text.rstrip("+=")
        if text.endswith("+="):
            self.arrays.setdefault(name, []).extend(elements)
        else:
            self.arrays[name] = elements
        # The elements also count as a command, as a shell that took `(` for a
        # subshell would run them (fail closed).
        self.commands.append((self.line_at(i), elements))
        self.word, self.in_word = [], False
        return end + 1

    def function(self, name: str, at: int) -> int:
        """Reads the body of function `name`, which opens at `at`, as commands (a call runs
        them with its arguments); returns where the script goes on."""
        s = self.s
        end = _closing(s, at, s[at], "}" if s[at] == "{" else ")")
        base = self.line_at(at)
        body = self.inner(s[at + 1:end])
        self.commands.extend((base + offset, words) for offset, words in body)
        self.functions[name.casefold()] = [words for _, words in body]
        self.words, self.word, self.in_word, self.drop_next = [], [], False, False
        return end + 1

    def inner(self, script: str) -> list[tuple[int, list[str]]]:
        if self.depth >= _MAX_DEPTH:
            return [(0, words) for words in word_runs(script)]
        return shell_commands(script, self.depth + 1, self.budget, self)

    def redirect(self, i: int) -> int:
        s, n = self.s, len(self.s)
        if self.in_word and "".join(self.word).isdigit():
            self.word, self.in_word = [], False  # the descriptor of 2>&1 is not a word
        else:
            self.end_word()
        j = i + 1
        while j < n and s[j] in "<>&|":
            j += 1
        if s.startswith("<(", j - 1) and j - 1 == i:
            # <(...) runs its commands; what they print is a file this command reads.
            end = _closing(s, j, "(", ")")
            inner = self.inner(s[j + 1:end])
            base = self.line_at(i)
            self.commands.extend((base + offset, words) for offset, words in inner)
            self.fed.extend(text for _, words in inner for text in _produced(words))
            self.drop_next = False
            return end + 1
        # Any other operator is followed by its target.
        self.drop_next = not s.startswith("(", j)
        self.input = self.input or s[i:j] in ("<", "<<", "<<-", "<<<")
        self.here_next = s[i:j] == "<<<"
        return j

    def text(self, part: str, at: int) -> None:
        if not self.in_word:
            self.in_word = True
            self.word_start = at
        self.word.append(part)

    def end_word(self) -> None:
        if self.in_word:
            if self.drop_next:
                if self.here_next:
                    self.fed.append("".join(str(p) for p in self.word))
                self.drop_next = self.here_next = False
            else:
                self.budget.spend(sum(map(len, self.word)))
                words = ["".join(self.word)] if all(type(p) is str for p in self.word) \
                    else self.assignment() or _expanded(self.word, self.budget)
                if words and not self.words:
                    self.command_line = self.line_at(self.word_start)
                    self.command_start = self.word_start
                self.words.extend(words)
        self.word, self.in_word = [], False

    def assignment(self) -> list[str] | None:
        """The word being read as one word when it assigns a variable (`X=$(echo a b)`:
        its value is not split), as the command's first words; else None."""
        head = "".join(itertools.takewhile(lambda p: type(p) is str, self.word[:256]))
        if not _ASSIGNMENT.match(head) or not all(_ASSIGNMENT.match(w) for w in self.words):
            return None
        return ["".join(str(p) for p in self.word if type(p) is not _Unknown)]

    def end_command(self, pipe: bool = False) -> None:
        self.end_word()
        words = self.words
        if words:
            if self.positional is not None and any(map(_POSITIONAL.fullmatch, words)):
                words = _called(words, self.positional, spend=self.budget.spend)
            fed = self.fed + (_produced(self.piped) if self.piped is not None else [])
            self.define(words, fed)
            # The command's name comes after the keywords before it (`do f x`, `then f`).
            k = next((j for j, w in enumerate(words) if w not in _KEYWORDS), 0)
            if (self.exported or "=" in words[k] or words[k] in _WRAPPERS) \
                    and len(words) > k + 2 and any("$" in w for w in words[k + 1:]):
                self.environment_to_shell(words[k:])
            words = self.called(words, k)
            if self.input or self.piped is not None:
                # What it reads stands as its last word: a prompt, to an agent (STDIN).
                self.commands.append((self.command_line, [*words, STDIN]))
            if fed and _runs_what_it_reads(words):
                self.read_fed(fed)
            if self.script_call:
                self.read_fed([" ".join(words)])
            if self.looped and not _inert(words):
                self.rescanned()
            self.piped = words if pipe else None
        self.last = words
        self.words, self.drop_next, self.here_next, self.fed = [], False, False, []
        self.input, self.looped = False, set()

    def called(self, words: list[str], k: int) -> list[str]:
        """Notes the command `words` (its name at `k`, after keywords) with what an alias
        or a function it calls runs; returns its words with the alias expanded."""
        alias = self.aliases.get(words[k])
        if isinstance(alias, str):
            self.aliased(alias, words[k + 1:])
        elif alias is not None:
            self.budget.spend(sum(map(len, alias)) + len(alias))
            # An empty alias leaves no word (`alias x=''`, then `x`): no command.
            words = words[:k] + alias + words[k + 1:] or [""]
        self.commands.append((self.command_line, words))
        for body in self.functions.get(words[min(k, len(words) - 1)].casefold(), ()):
            self.budget.spend(sum(map(len, body)) + len(body))
            self.commands.append((self.command_line,
                                  _called(body, words[k + 1:], spend=self.budget.spend)))
        return words

    def rescanned(self) -> None:
        """Reads the command just read once more for each other value of the loop
        variables it reads (`for T in claude codex; do "$T" -p x; done`: codex too)."""
        text = self.s[self.command_start:self.at]
        line = self.command_line
        for name in sorted(self.looped):
            values = list(dict.fromkeys(self.loops[name]))  # each value read once
            for value in values[1:]:
                self.budget.spend(len(text) + len(value))
                self.variables[name] = value
                scanner = _Scanner(text, self.depth, self.budget, self)
                scanner.rescan = True
                scanner.scan()
                self.commands.extend((line + offset, words)
                                     for offset, words in scanner.commands)
            self.variables[name] = values[0]

    def environment_to_shell(self, words: list[str]) -> None:
        """Reads the script a shell the command runs is given (`bash -c '$T -p x'`) with
        what the environment gives it: the variables exported before, and the command's
        own assignments (`T=x bash -c ...`, `env T=x bash -c ...`); others it does not
        see, as a shell would not."""
        found, scripts = _unwrapped(words)
        if found is not None and found[0] in SHELLS:
            scripts = scripts + script_arguments(found[0], normalized(*found))
        scripts = [script for script in scripts if "$" in script]
        if not scripts:
            return
        own: dict[str, str] = {}
        for word in words:
            if _ASSIGNMENT.match(word) and "=" in word:
                name, _, value = word.partition("=")
                own[name.rstrip("+")] = value
            elif not word.startswith("-") and program_name(word) not in _WRAPPERS:
                break
        line = self.command_line
        for script in scripts:
            prefix = "".join(f"{name}={_quoted(value)}\n"
                             for name, value in self.given_to(script, own).items())
            if not prefix:
                continue
            text = prefix + script
            self.budget.spend(len(text))
            if self.depth >= _MAX_DEPTH:
                self.commands.extend((line, run) for run in word_runs(text))
            else:
                self.commands.extend((line, inner) for _, inner in
                                     shell_commands(text, self.depth + 1, self.budget))

    def given_to(self, script: str, own: dict[str, str]) -> dict[str, str]:
        """The variables a shell's script reads that its environment gives it, looked up
        by the names it reads: the work, like the prefix, stays as large as the script
        rather than the exports before it."""
        given = {}
        for name in dict.fromkeys(m.group(1) for m in _REFERENCE.finditer(script)):
            if name in own:
                given[name] = own[name]
            elif name in self.exported and name in self.variables:
                given[name] = self.variables[name]
        return given

    def read_fed(self, texts: list[str]) -> None:
        """Reads text a shell is fed (`echo X | bash`, `bash <<< X`, `source <(echo X)`)
        as the script it is, at the line of the command reading it."""
        line = self.command_line
        for text in texts:
            self.budget.spend(len(text))
            if self.depth >= _MAX_DEPTH:
                self.commands.extend((line, words) for words in word_runs(text))
            else:
                self.commands.extend((line, words) for _, words in
                                     shell_commands(text, self.depth + 1, self.budget, self))

    def aliased(self, value: str, args: list[str]) -> None:
        """Reads a call of an alias whose value is a command line of more than one command
        (`alias r="cd x && claude -p"`): its value with the call's arguments after it, as
        the commands it is."""
        text = " ".join([value, *(_quoted(a) for a in args)])
        self.budget.spend(len(text))
        line = self.command_line
        self.commands.extend((line, words) for _, words in self.inner(text))

    def define(self, words: list[str], fed: list[str]) -> None:
        """Notes the variables a command of assignments sets (`A=x`, `export A=x`, `eval
        A=x`, `declare -n R=A`), the aliases `alias` defines, and the values `printf -v`,
        and `read` and `mapfile` of a known input (`<<< X`, `echo X |`), set."""
        # `IFS= read`, `while read T` (each line it is fed is a value of T, as a loop's)
        command = list(itertools.dropwhile(lambda w: w in _KEYWORDS or _ASSIGNMENT.match(w),
                                           words))
        if command and (command[0] in _READERS or command[:2] == ["printf", "-v"]):
            self.read_into(command, fed, looping=words[0] in ("while", "until"))
            return
        if words[0] == "eval":
            words = " ".join(words[1:]).split() or [""]
        if self.sets_names(words):
            return
        first = words[0]
        if first == "alias":
            for word in words[1:]:
                name, equals, value = word.partition("=")
                if equals:
                    # A value with `;`, `&&`, `|`... is a command line, read where called.
                    self.aliases[name] = value if _COMPOUND.search(value) else value.split()
            return
        rest = words[1:] if first in _DECLARES else words
        rest = [w for w in rest if not w.startswith("-")] if first in _DECLARES else rest
        self.note_exports(words, rest)
        if not rest or not all(_ASSIGNMENT.match(w) for w in rest):
            return
        for word in rest:
            name, _, value = word.partition("=")
            if name.endswith("+"):
                name = name[:-1]
                self.budget.spend(len(self.variables.get(name, "")))
                value = self.variables.get(name, "") + value
            self.variables[name] = value
            self.arrays.pop(name, None)

    def sets_loop(self, words: list[str]) -> bool:
        """Notes the values `for T in A B` (or `select`) gives T; whether it is one."""
        loop = list(itertools.dropwhile(_KEYWORDS.__contains__, words))  # do for T in...
        if loop[:1] not in (["for"], ["select"]) or loop[2:3] != ["in"] or len(loop) < 4 \
                or not _NAME.fullmatch(loop[1]):
            return False
        self.set_value(loop[1], loop[3])
        self.loops[loop[1]] = loop[3:]
        return True

    def note_exports(self, words: list[str], names: list[str]) -> None:
        """Notes the names `export` and `declare -x` export."""
        first = words[0]
        if first == "export" or (first in _DECLARES and first != "local" and any(
                w.startswith("-") and "x" in w for w in words[1:])):
            self.exported.update(w.partition("=")[0].rstrip("+") for w in names
                                 if _NAME.match(w))

    def sets_names(self, words: list[str]) -> bool:
        """Notes what `set -- X Y` ($1, $2, "$@"), `declare -n R=T` (R stands for T
        from then on) and `for T in A B` set; whether the command is one of them."""
        if self.sets_loop(words):
            return True
        first = words[0]
        if first == "set" and len(words) > 1 and (
                words[1] == "--" or not words[1].startswith(("-", "+"))):
            self.positional = words[2:] if words[1] == "--" else words[1:]
            return True
        if first not in _DECLARES or not any(w.startswith("-") and "n" in w for w in words):
            return False
        for word in words[1:]:
            name, equals, target = word.partition("=")
            if equals and _NAME.fullmatch(name) and _NAME.fullmatch(target):
                self.refs[name] = target
        return True

    def read_into(self, words: list[str], fed: list[str], looping: bool = False) -> None:
        """`printf -v NAME FORMAT ARGS`, `read [-r] [-a A] NAMES`, `mapfile -t A` given
        a known input: the variables or array they set (`looping`: `while read T` reads
        each line into T)."""
        if words[0] == "printf":
            if len(words) > 3 and _NAME.fullmatch(words[2]):
                self.set_value(words[2], " ".join(_produced(["printf", *words[3:]])))
            return
        if len(fed) != 1:
            return
        text = fed[0]
        self.budget.spend(len(text))
        options, names = _read_options(words)
        if words[0] in ("mapfile", "readarray"):
            target = names[0] if names else "MAPFILE"
            self.arrays[target] = text.split("\n") if "-t" in options else \
                [line + "\n" for line in text.split("\n")]
            return
        if looping and len(names) == 1 and "-a" not in options:
            lines = [line.strip() for line in text.split("\n") if line.strip()]
            if lines:
                self.set_value(names[0], lines[0])
                self.loops[names[0]] = lines
                return
        text = text.split("\n", 1)[0]
        if "-a" in options:
            self.arrays[options["-a"]] = text.split()
            return
        fields = text.split(None, max(len(names) - 1, 0)) if names else [text]
        for k, name in enumerate(names or ["REPLY"]):
            self.set_value(name, fields[k].strip() if k < len(fields) else "")

    def set_value(self, name: str, value: str) -> None:
        self.variables[name] = value
        self.arrays.pop(name, None)

    def nested(self, script: str, at: int) -> str | None:
        """Reads a substitution's script as commands; returns what it prints when that
        is known (one echo or printf of known words), else None."""
        base = self.line_at(at)
        if self.depth >= _MAX_DEPTH:
            # Deeper than shells are followed: every run of its words counts as a command,
            # so an agent hidden under more layers still shows (never a silent pass).
            self.commands.extend((base, words) for words in word_runs(script))
            return None
        scanner = _Scanner(script, self.depth + 1, self.budget, self)
        scanner.scan()
        self.commands.extend((base + offset, words) for offset, words in scanner.commands)
        if scanner.unknown or len(scanner.commands) != 1:
            return None
        printed = _produced(scanner.commands[0][1])
        unwrapped = _unwrap(scanner.commands[0][1])
        if unwrapped is None or unwrapped[0] not in ("echo", "printf") or len(printed) != 1:
            return None
        return printed[0].rstrip("\n")

    def line_at(self, pos: int) -> int:
        """The line offset of `pos`, counted on from the last position asked about."""
        if pos >= self._counted:
            self._line += self.s.count("\n", self._counted, pos)
        else:
            self._line -= self.s.count("\n", pos, self._counted)
        self._counted = pos
        return self._line


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Programs that run nothing they are given: a loop's body of them is not read once per value.
_INERT = frozenset({"echo", "printf", "cat", "cp", "mv", "rm", "mkdir", "rmdir", "touch", "ln",
                    "ls", "test", "[", "[[", "grep", "head", "tail", "wc", "sort", "uniq", "tr",
                    "cut", "basename", "dirname", "chmod", "chown", "stat", "diff", "cmp",
                    "true", "false", ":", "break", "continue", "return", "shift", "done"})


def _inert(words: list[str]) -> bool:
    """Whether a command runs a program of _INERT (after keywords), or only assigns."""
    rest = [w for w in words if w not in _KEYWORDS]
    return not rest or rest[0] in _INERT or all(_ASSIGNMENT.match(w) for w in rest)


def _scoped(outer: MutableMapping[str, _T] | None) -> MutableMapping[str, _T]:
    """A new scope of definitions that sees those of `outer` (a plain dict when there are
    none to see: most scripts define nothing, and a dict is quicker)."""
    maps = [] if outer is None else outer.maps if isinstance(outer, ChainMap) else [outer]
    maps = [m for m in maps if m]
    return ChainMap({}, *maps) if maps else {}


# PowerShell calls whose string argument is run as a script.
_SCRIPT_CALL = re.compile(r"(?:\[scriptblock\]::create|\.invokescript|\.newscriptblock|"
                          r"(?<![\w-])(?:iex|invoke-expression))\Z", re.IGNORECASE)
# Programs whose words are what they print, and the options they take before them.
_ECHOES = frozenset({"echo", "write-output", "write"})
_ECHO_OPTIONS = frozenset({"-n", "-e", "-E", "-ne", "-en", "-nE", "-En"})
_PRINTF_FIELD = re.compile(r"%[-#0 +']*[0-9]*(?:\.[0-9]*)?([sbqdc])|(\\.)")


def _produced(words: list[str]) -> list[str]:
    """What a command prints, as far as known without running it: the words of echo
    and Write-Output, printf's format with its arguments put in, the string literals of
    code an interpreter is given (`python -c "print('X')"`), and a command that is a lone
    string (a PowerShell expression: `'X' | iex`)."""
    unwrapped = _unwrap(words)
    if unwrapped is None:
        return []
    program, args = unwrapped
    if program in _ECHOES:
        while args and args[0] in _ECHO_OPTIONS:
            args = args[1:]
        return [" ".join(args)]
    if program == "printf":
        args = args[1:] if args[:1] == ["--"] else args
        if not args:
            return []
        values = iter(args[1:])

        def field(match: re.Match[str]) -> str:
            conversion, escape = match.groups()
            if escape is not None:  # the format's escapes, as $'...' decodes them
                return _ansi_c(escape)
            value = next(values, "")
            return _ansi_c(value) if conversion == "b" else value
        text = _PRINTF_FIELD.sub(field, _OCTAL_OR_HEX.sub(lambda m: _ansi_c(m.group(0)),
                                                           args[0]))
        return [" ".join([text, *values])]
    code = code_arguments(program, args)
    if code:
        from ai_clearance.detect.literals import string_runs  # only code pays

        return [text for source, language in code
                for comments in _COMMENTS[language]
                for run in string_runs(source, comments) for _, text in run]
    return [words[0]] if len(words) == 1 else []


# Options of sh and bash that take a value (`-o pipefail`), not a script's name.
_SHELL_VALUED = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})


def _runs_what_it_reads(words: list[str]) -> bool:
    """Whether a command runs the text it is fed: a shell given no script (it reads its
    standard input: `bash`, `sh -s`, `pwsh -`), `source` and `.` (of `<(...)`), and
    PowerShell's iex given no argument."""
    unwrapped = _unwrap(words)
    if unwrapped is None:
        return False
    program, args = unwrapped
    if program in ("source", ".") or (program in ("iex", "invoke-expression") and not args):
        return True
    if program in POWERSHELL:
        return "-" in args or not args
    if program not in SHELLS or script_arguments(program, args):
        return False
    return _reads_its_input(args)


def _reads_its_input(args: list[str]) -> bool:
    """Whether a shell given these arguments (no -c script) reads its script from its
    standard input: `-s`, `-`, or options alone, not a script file."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return i + 1 == len(args)
        if arg == "-" or (arg.startswith("-") and not arg.startswith("--") and "s" in arg):
            return True
        if not arg.startswith(("-", "+")):
            return False  # a script file: the shell runs it, not what it is fed
        i += 2 if arg in _SHELL_VALUED else 1
    return True
_PARAMETER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?(?:(:?[-=+?]|[#%/:^,~@])(.*))?",
                        re.DOTALL)
_DEFAULTS = frozenset({":-", "-", ":=", "=", ":+", "+", ":?", "?"})
_INDIRECT_TARGET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?")
_ARRAY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_FUNCTION_NAME = re.compile(r"[^\s$=\"'`\\(){}]+")
_BLANK = re.compile(r"[ \t]*")
_BLANKS_AND_LINES = re.compile(r"\s*")
_WHICH = re.compile(r"\s*(?:which|command\s+-v|type\s+-[pP])\s+(\S+)\s*")
# $(echo X), $(printf X), $(printf '%s' X): X, for plain words only (no expansion, no
# escape); longer substitutions are left as written.
_ECHO_BODY = (r"\s*(?:echo(?:\s+-[neE]+)*|printf(?:\s+--)?(?:\s+['\"]?%s['\"]?)?)"
              r"\s+([^\s;&|<>()$`\\%]+(?:[ \t]+[^\s;&|<>()$`\\%]+)*)\s*")
_ECHOED = re.compile(_ECHO_BODY)
# Such a substitution inside a longer text: `$(echo $(echo claude))`, `$(echo cla)ude`.
_INNER_ECHOED = re.compile(r"\$\(" + _ECHO_BODY + r"\)")
_MAX_ECHOED = 256


def constant_substitutions(text: str) -> str:
    """`text` with what `$(echo X)` and `$(printf X)` print put in for them, innermost
    first, to _MAX_DEPTH levels; each level in time linear in the text's length."""
    for _ in range(_MAX_DEPTH):
        done = _INNER_ECHOED.sub(lambda m: _QUOTES.sub("", m.group(1)), text)
        if done == text:
            break
        text = done
    return text
_QUOTES = re.compile(r"[\"']")
_DECLARES = frozenset({"export", "declare", "local", "readonly", "typeset"})
# printf's escapes of more than one character after the backslash (\x63, \143, \u0063).
_OCTAL_OR_HEX = re.compile(r"\\(?:x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}"
                           r"|[0-7]{1,3})")
_READERS = frozenset({"read", "mapfile", "readarray"})
# Options of read and of mapfile that take a value.
_READ_VALUED = {"read": frozenset({"-a", "-d", "-i", "-n", "-N", "-p", "-t", "-u"}),
                "mapfile": frozenset({"-d", "-n", "-O", "-s", "-u", "-C", "-c"})}


def _read_options(words: list[str]) -> tuple[dict[str, str], list[str]]:
    """read's or mapfile's options (a flag's value "") and the names it reads into."""
    options: dict[str, str] = {}
    names: list[str] = []
    valued = _READ_VALUED["read" if words[0] == "read" else "mapfile"]
    k = 1
    while k < len(words):
        word = words[k]
        if word.startswith("-") and len(word) > 1:
            for j, letter in enumerate(word[1:], 1):
                if f"-{letter}" in valued:
                    value = word[j + 1:] or (words[k + 1] if k + 1 < len(words) else "")
                    options[f"-{letter}"] = value
                    k += 0 if word[j + 1:] else 1
                    break
                options[f"-{letter}"] = ""
        elif _NAME.fullmatch(word):
            names.append(word)
        k += 1
    return options, names
_CALL_ARGUMENT = re.compile(r"\$\{?([0-9])\}?")
_POSITIONAL = re.compile(r"\$\{?(?:[0-9@*])\}?")


def _called(body: list[str], args: list[str], zeroth: str | None = None,
            spend: Callable[[int], None] | None = None) -> list[str]:
    """A command of a function's body with the arguments of a call put in ($@, $1...);
    or of `sh -c SCRIPT ZEROTH ARGS...`, whose $0 is `zeroth` too. `spend` is paid for
    each copy of the arguments."""
    words: list[str] = []
    size = sum(map(len, args)) + len(args) if spend is not None else 0
    for word in body:
        position = _CALL_ARGUMENT.fullmatch(word)
        if word in ("$@", "$*", "${@}", "${*}"):
            if spend is not None:
                spend(size)
            if words and "*" in word:  # "$*" as an argument: one word (sh -c "$*")
                words.append(" ".join(args))
            else:
                words.extend(args)
        elif position is not None:
            k = int(position.group(1))
            if k == 0:
                words.append(word if zeroth is None else zeroth)
            elif k <= len(args):
                # Split as where it stands unquoted (`sh -c '$1' _ "claude -p"`); quoted,
                # a word with blanks names no program anyway.
                words.extend(args[k - 1].split() or [""])
        else:
            words.append(word)
    return words


def _expanded(parts: list[str], budget: _Budget) -> list[str]:
    """The words one word of the script stands for: brace expansion, then the values of
    unquoted expansions split at blanks. A variable not known is read as unset, as in CI
    it mostly is: nothing inside a word (`cl${X}aude`), and no word when it stands alone
    (`$SUDO claude`). Each word brace expansion makes is paid for from `budget`."""
    if all(type(p) is str for p in parts):
        return ["".join(parts)]
    if all(type(p) is _Unknown for p in parts):
        return []
    words: list[str] = []
    alternatives = brace_alternatives(parts)
    for alternative in alternatives:
        if len(alternatives) > 1:
            budget.spend(sum(map(len, alternative)))
        words.extend(_fields(alternative))
    return words


def _quoted(word: str) -> str:
    """`word` quoted for a shell, as one word with no expansion."""
    return "'" + word.replace("'", "'\\''") + "'"


# A command line of more than one command (an alias's value).
_COMPOUND = re.compile(r"[;&|\n`]|\$\(")


def _fields(parts: list[str]) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    started = False
    for part in parts:
        if type(part) is _Unknown:
            started = True  # an unset variable inside a word adds nothing: cl${X}aude
            continue
        if type(part) is not _Split:
            current.append(str(part))
            started = True
            continue
        pieces = part.split()
        if part[:1].isspace() and started:
            words.append("".join(current))
            current, started = [], False
        for k, piece in enumerate(pieces):
            if k:
                words.append("".join(current))
                current = []
            current.append(piece)
            started = True
        if part[-1:].isspace() and started:
            words.append("".join(current))
            current, started = [], False
    if started:
        words.append("".join(current))
    return words


# Brace expansion is bounded: words longer than this are left as written, and so are
# words that would stand for more words than _BRACE_WORDS.
_BRACE_PARTS = 256
_BRACE_WORDS = 64


class _TooMany(Exception):
    pass


def brace_alternatives(parts: list[str]) -> list[list[str]]:
    """The words brace expansion makes of a word's parts (`{cl,}aude`: claude, aude),
    in time bounded by _BRACE_PARTS * _BRACE_WORDS; the word itself when it has no
    group with a comma, or is over the bounds."""
    if len(parts) > _BRACE_PARTS or not any(type(p) is _Brace for p in parts):
        return [parts]
    try:
        return _BraceReader(parts).sequence(0, inside=False)[0]
    except _TooMany:
        return [parts]


class _BraceReader:
    def __init__(self, parts: list[str]) -> None:
        self.parts = parts
        self.groups: dict[int, tuple[list[list[str]], int] | None] = {}

    def sequence(self, k: int, inside: bool) -> tuple[list[list[str]], int]:
        parts = self.parts
        results: list[list[str]] = [[]]
        while k < len(parts):
            part = parts[k]
            if type(part) is _Brace:
                if part == "{":
                    group = self.group(k + 1)
                    if group is not None:
                        alternatives, k = group
                        results = _product(results, alternatives)
                        continue
                elif inside:
                    return results, k
            literal = str(part) if type(part) is _Brace else part  # a `{` of no group
            results = [[*r, literal] for r in results]
            k += 1
        return results, k

    def group(self, k: int) -> tuple[list[list[str]], int] | None:
        """The alternatives of the group whose `{` is before `k`, and where it ends; None
        when it does not close or has no comma (its `{` is then a character)."""
        if k in self.groups:
            return self.groups[k]
        start, commas = k, 0
        alternatives: list[list[str]] = []
        found: tuple[list[list[str]], int] | None = None
        while True:
            results, k = self.sequence(k, inside=True)
            alternatives.extend(results)
            if len(alternatives) > _BRACE_WORDS:
                raise _TooMany
            if k >= len(self.parts):
                break
            if self.parts[k] == "}":
                found = (alternatives, k + 1) if commas else None
                break
            commas += 1
            k += 1
        self.groups[start] = found
        return found


def _product(results: list[list[str]], alternatives: list[list[str]]) -> list[list[str]]:
    found: dict[str, list[str]] = {}
    for head in results:
        for tail in alternatives:
            word = head + tail
            found.setdefault("\0".join(f"{type(p).__name__}:{p}" for p in word), word)
    if len(found) > _BRACE_WORDS:
        raise _TooMany
    return list(found.values())


# $IFS and ${IFS}, and ${IFS...} with an operator (${IFS%?}, ${IFS:0:1}): blanks each.
_IFS = re.compile(r"\$(?:IFS(?![A-Za-z0-9_])|\{IFS(?:\}|[^A-Za-z0-9_}][^}]*\}))")
_ANSI_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|"
                          r"[0-7]{1,3}|c.|.)", re.DOTALL)
_ANSI_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n",
                "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def _ansi_end(s: str, i: int) -> int:
    """Where the $'...' string whose text starts at `i` closes (\\' does not close it)."""
    n = len(s)
    while i < n and s[i] != "'":
        i += 2 if s[i] == "\\" else 1
    return min(i, n)


def _ansi_c(text: str) -> str:
    """The text of a $'...' string, its escapes decoded as bash decodes them."""
    def decode(match: re.Match[str]) -> str:
        body = match.group(0)[1:]
        head = body[0]
        if head in "xuU" and len(body) > 1:
            code = int(body[1:], 16)
            return chr(code) if code <= 0x10FFFF else ""
        if head in "01234567":
            return chr(int(body, 8) & 0xFF)
        if head == "c" and len(body) == 2:
            return chr(ord(body[1].upper()) & 0x1F)
        return _ANSI_SIMPLE.get(head, match.group(0))
    return _ANSI_ESCAPE.sub(decode, text)


def _find(s: str, char: str, start: int) -> int:
    end = s.find(char, start)
    return len(s) if end < 0 else end


def _closing(s: str, i: int, opening: str, closing: str) -> int:
    """Where the bracket opened at `i` closes (quotes skipped), or the end of `s`."""
    depth, n, j = 0, len(s), i
    while j < n:
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "$" and s.startswith("'", j + 1):
            j = _ansi_end(s, j + 2) + 1
            continue
        if c in "'\"":
            j = _quote_end(s, j) + 1
            continue
        if c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return n


def _quote_end(s: str, i: int) -> int:
    if s[i] == "'":
        return _find(s, "'", i + 1)
    j = i + 1
    while j < len(s) and s[j] != '"':
        j += 2 if s[j] == "\\" else 1
    return min(j, len(s))


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}",
                       "fi", "done", "esac"})


class _Wrapper(NamedTuple):
    """A command that runs the command after it: its options that take a value, the
    words it takes before that command (timeout's duration, flock's lock file), and its
    options whose value is a command line (`su -c`, `script -c`, `env -S`)."""

    valued: frozenset[str] = frozenset()
    positional: int = 0
    scripts: frozenset[str] = frozenset()


def _w(valued: str = "", positional: int = 0, scripts: str = "") -> _Wrapper:
    return _Wrapper(frozenset(valued.split()), positional, frozenset(scripts.split()))


_WRAPPERS: dict[str, _Wrapper] = {
    "sudo": _w("-u -g -C -D -h -p -r -t -U --user --group --chdir --host --prompt"),
    "doas": _w("-u -C"),
    "env": _w("-u -C --unset --chdir", scripts="-S --split-string"),
    "nohup": _w(), "time": _w("-f -o --format --output"), "command": _w(), "builtin": _w(),
    "exec": _w("-a"), "nice": _w("-n --adjustment"), "call": _w(), "coproc": _w(),
    "timeout": _w("-s -k --signal --kill-after", 1),
    "stdbuf": _w("-i -o -e --input --output --error"), "unbuffer": _w(),
    "xargs": _w("-I -n -P -L -d -E -s -a --max-args --max-procs --delimiter --arg-file"),
    "xvfb-run": _w("-n -s -f -e -p"),
    "busybox": _w(), "toybox": _w(),  # `busybox sh -c X`: the applet is the program
    "setsid": _w(), "chronic": _w(), "caffeinate": _w(), "catchsegv": _w(),
    "ionice": _w("-c -n -p --class --classdata"), "taskset": _w(positional=1),
    "chrt": _w(positional=1), "unshare": _w(), "setpriv": _w("--reuid --regid --groups"),
    "tini": _w("-s -e"), "dumb-init": _w("-r --rewrite"), "gosu": _w(positional=1),
    "su-exec": _w(positional=1), "firejail": _w(), "dbus-run-session": _w(),
    "systemd-run": _w("-p -u -E --unit --property --setenv --uid --gid"),
    "flock": _w("-w -E --wait --timeout --conflict-exit-code", 1, "-c --command"),
    "runuser": _w("-u -g -G -s -w --user --group --supp-group --shell", 0, "-c --command"),
    # su and script run no argv of their own, only their -c command line.
    "su": _w("-g -G -s -w --group --supp-group --shell", 0, "-c --command --session-command"),
    "script": _w("-E -I -O -B -T -m --echo --log-in --log-out --log-io --log-timing",
                 0, "-c --command"),
}
_NO_ARGV = frozenset({"su", "script"})
_PYTHON = re.compile(r"(?:python|py)[0-9.]*")


def invocations(words: list[str], depth: int) -> Iterator[tuple[str, ...]]:
    """(program, *arguments) for a command's words, wrappers (sudo, env, timeout...) and
    assignments skipped, `python -m X` read as X; and those of the script a shell, eval,
    iex or a wrapper's -c is given to run, of the command find -exec, parallel, watch,
    Start-Process, npx or deno run run, and of the code `python -c`, `node -e`... are
    given."""
    block = _script_block(words) if any("{" in w for w in words) else None
    if block:
        if depth >= _MAX_DEPTH:
            yield tuple(block)
        else:
            yield from invocations(block, depth + 1)
    found, scripts = _unwrapped(words)
    for script in scripts:
        yield from _inner(script, "shell", depth)
    if found is None:
        return
    program, args = found
    args = normalized(program, args)
    yield (program, *args)
    positional = shell_script(args)[1] if program in SHELLS else []
    for script in script_arguments(program, args):
        yield from _inner(script, "shell", depth, positional)
    for argv in argv_commands(program, args):
        if depth >= _MAX_DEPTH:
            yield tuple(argv)  # as in _inner: never a silent pass
        else:
            yield from invocations(argv, depth + 1)
    for code, language in code_arguments(program, args):
        yield from _inner(code, language, depth)


# PowerShell commands that run a script block they are given ({ ... }), and `&`/`.` of
# one, which the scanner reads as a command of its own that starts with `{`.
_BLOCK_RUNNERS = frozenset({"foreach-object", "%", "foreach", "where-object", "?", "where",
                            "invoke-command", "icm", "start-job", "sajb", "start-threadjob",
                            "measure-command", "&", "."})
_BRACES = re.compile(r"([{}])")


def _script_block(words: list[str]) -> list[str] | None:
    """The words of the PowerShell script block a command runs (`% { X }`, `%{X}`,
    `Invoke-Command -ScriptBlock { X }`, `& {X}`), up to its closing brace; None when it
    runs none."""
    tokens = [t for word in words for t in _BRACES.split(word) if t]
    if tokens[0] == "{":
        start = 1
    elif program_name(tokens[0]) in _BLOCK_RUNNERS and "{" in tokens:
        start = tokens.index("{") + 1
    else:
        return None
    depth = 1
    for k in range(start, len(tokens)):
        depth += {"{": 1, "}": -1}.get(tokens[k], 0)
        if depth == 0:
            return tokens[start:k]
    return tokens[start:]


def _inner(script: str, language: str, depth: int,
           positional: list[str] | None = None) -> Iterator[tuple[str, ...]]:
    """The invocations of a script; `positional` are the words after `sh -c SCRIPT`,
    its $0, $1... and "$@"."""
    if depth >= _MAX_DEPTH:
        for run in word_runs(script):  # as in _Scanner.nested: never a silent pass
            unwrapped = _unwrap(run)
            if unwrapped is not None:
                yield (unwrapped[0], *unwrapped[1])
        return
    budget = _Budget(len(script) + sum(map(len, positional or ())))
    commands = shell_commands(script, depth + 1, budget) if language == "shell" else \
        code_commands(script, language, depth + 1)
    for _, inner in commands:
        words = _called(inner, positional[1:], positional[0], budget.spend) if positional \
            else inner
        yield from invocations(words, depth + 1)


# What the screen (workflows.py) reads in place of a script: the text with what the shell
# removes gone (continuation lines, empty substitutions, quotes, backslashes), and the
# values of its simple assignments written in where they are used.
_CONTINUED = re.compile(r"[\\`]\r?\n")
_EMPTY = re.compile(r"\$\(\s*\)|``")
_SCREEN_QUOTES = re.compile(r"[\"'\\`^]")
_SIMPLE_ASSIGNMENT = re.compile(r"(?<![\w$])([A-Za-z_][A-Za-z0-9_]*)\+?=([^\s;&|()<>`$]*)")
_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
# What makes a script worth reading whatever names it holds: a brace group with a comma
# (`{cl,}aude`), and PowerShell's -EncodedCommand (base64).
_MUST_READ = re.compile(r"\{[^\s{}]*,[^\s{}]*\}|"
                        r"(?<![\w-])[-/]e(?:c|n[a-z]*)?[\s:]+[A-Za-z0-9+/]{8}", re.IGNORECASE)


# An expansion that replaces within a value or decodes its escapes, an array's element,
# and `printf -v` (the screen sees only values as written, not what these make of them),
# and how many such names a script is screened for.
_HIDING = re.compile(r"\$\{!?([A-Za-z_][A-Za-z0-9_]*)(?:(?:\[[^\]]{0,64}\])?(?:/|@E)|\[[^\]@*])")
_PRINTF_V = re.compile(r"(?<![\w-])printf(?:\s+-v\s|[^\n]*?\\(?:[xuU0-7]))")
_MAX_HIDING = 8


def screen_text(script: str) -> str:
    """The text a screen looks for names in: `script` with continuation lines, empty
    substitutions, quotes and backslashes gone, then once more with the values of its
    simple assignments put in for $NAME and ${NAME} (`A=cla; B=ude; $A$B`), and nothing
    for other names (`cl${X}aude`). In time linear in the script's length."""
    text = _SCREEN_QUOTES.sub("", _EMPTY.sub("", _CONTINUED.sub("", script)))
    if "$" not in text:
        return text
    if "$(" in text:
        text = constant_substitutions(text)  # $(echo cla)ude
    values: dict[str, str] = {}
    for found in _SIMPLE_ASSIGNMENT.finditer(text):
        name, value = found.group(1), found.group(2)
        values[name] = values.get(name, "") + value if found.group(0)[len(name)] == "+" \
            else value
    return text + "\n" + _REFERENCE.sub(lambda m: values.get(m.group(1), ""), text)


def must_read(script: str) -> bool:
    """Whether a script is read whatever its text names: it has a brace group with a
    comma, or an -EncodedCommand, which only reading expands or decodes; or it changes a
    value it set with an expansion that may put a name together (`T=xlaude; ${T/x/c}`,
    `${T@E}` of escapes)."""
    if _MUST_READ.search(script) is not None:
        return True
    if "printf" in script and _PRINTF_V.search(script) is not None:
        return True  # printf -v puts its value together; printf decodes \x63

    if "${" not in script:
        return False
    names = dict.fromkeys(m.group(1) for m in _HIDING.finditer(script))
    if len(names) > _MAX_HIDING:
        return True
    return any(re.search(rf"(?<![\w${{]){re.escape(name)}(?!\w)", script) for name in names)


# The comment syntaxes a language is read with (literals.py); one not known is read both ways.
_COMMENTS = {"hash": ("#",), "slash": ("/",), "code": ("#", "/")}


def code_commands(code: str, language: str, depth: int = 0,
                  worth: Callable[[str], bool] | None = None) -> list[tuple[int, list[str]]]:
    """The commands code in `language` ("hash", "slash" or "code", see runners.py) may run,
    as (line offset, words): each string literal read as a shell command line (os.system,
    execSync), and each run of literals a process call is given as one command's words
    (subprocess.run([...]), spawn('claude', ['-p']); literals.argument_runs); but not the
    arguments of print(), console.log() and their like, which only print them. `worth`
    says which runs are worth reading (None: all)."""
    from ai_clearance.detect.literals import (
        argument_runs,  # its regexes cost a hook 2 ms: only code pays
    )

    found: list[tuple[int, list[str]]] = []
    for comments in _COMMENTS[language]:
        for run, launched in argument_runs(code, comments):
            texts = [text for _, text in run]
            if worth is not None and not worth("\n".join(texts)):
                continue
            for line, text in run:
                if depth >= _MAX_DEPTH:
                    found.extend((line, words) for words in word_runs(text))
                else:
                    found.extend((line + offset, words)
                                 for offset, words in shell_commands(text, depth + 1))
            # In code of a language not known (a file judged line by line, where an exec
            # form's array is a command) every run counts: fail closed.
            if launched or language == "code":
                found.append((run[0][0], texts))
    return found


def script_commands(script: str, language: str,
                    worth: Callable[[str], bool] | None = None) -> list[tuple[int, list[str]]]:
    """The commands of a script in `language` ("shell" or a language of code_commands).
    A shell script that hands code to an interpreter on its standard input (`python3
    <<EOF`, `cat <<EOF | node`, `echo "..." | python3`) is read as that code too: the
    script's literals (a heredoc's body is in its text), and what echo or printf print."""
    if language != "shell":
        return code_commands(script, language, 0, worth)
    if worth is not None and not worth(script):
        return []
    commands = shell_commands(script)
    if "`" in script or "^" in script:
        # The script may be PowerShell or cmd (a step's `shell:` is not passed down):
        # read it once more as they would, its escape characters gone.
        seen = {(line, tuple(words)) for line, words in commands}
        commands += [(line, words) for line, words in shell_commands(unescaped(script))
                     if (line, tuple(words)) not in seen]
    fed = next(filter(None, (_fed_language(words) for _, words in commands)), None)
    if fed is None:
        return commands
    # The code's comments are its own and the shell's '#'.
    code = "hash" if fed == "hash" else "code"
    found = commands + code_commands(script, code, 0, worth)
    for offset, words in commands:
        unwrapped = _unwrap(words)
        if unwrapped is not None and unwrapped[0] in ("echo", "printf"):
            for arg in unwrapped[1]:
                found.extend((offset + inner, w) for inner, w in code_commands(arg, code, 1, worth))
    return found


def _fed_language(words: list[str]) -> str | None:
    unwrapped = _unwrap(words)
    return None if unwrapped is None else stdin_language(*unwrapped)


_WORD_BREAKS = re.compile(r"[\s;&|()`$\"'{}<>]+")
_RUN = 8  # an agent command is its program and a few arguments


def word_runs(script: str) -> list[list[str]]:
    """Every run of up to _RUN words of `script` split at shell punctuation: linear in its
    length, for text nested deeper than the scanner follows."""
    words = [w for w in _WORD_BREAKS.split(script) if w]
    return [words[i:i + _RUN] for i in range(len(words))]


def _unwrap(words: list[str]) -> tuple[str, list[str]] | None:
    return _unwrapped(words)[0]


def _unwrapped(words: list[str]) -> tuple[tuple[str, list[str]] | None, list[str]]:
    """The program a command runs and its arguments, past assignments, keywords and
    wrappers; and the command lines wrappers were given (`su -c X`, `env -S X`)."""
    scripts: list[str] = []
    i = 0
    while i < len(words):
        if _ASSIGNMENT.match(words[i]) or words[i] in _KEYWORDS:
            i += 1
            continue
        name = program_name(words[i])
        wrapper = _WRAPPERS.get(name)
        if wrapper is None:
            break
        i += 1
        if name == "coproc" and i + 1 < len(words) and words[i + 1] == "{":
            i += 1  # coproc NAME { ...; }
        i = _options(words, i, wrapper, scripts, name)
        if name in _NO_ARGV:
            return None, scripts
        for _ in range(wrapper.positional):
            i += 1 if i < len(words) and not words[i].startswith("-") else 0
    if i >= len(words):
        return None, scripts
    program, args = program_name(words[i]), words[i + 1:]
    if _PYTHON.fullmatch(program) and len(args) >= 2 and args[0] == "-m":
        program, args = program_name(args[1]), args[2:]
    return (program, args), scripts


def _options(words: list[str], i: int, wrapper: _Wrapper, scripts: list[str],
             name: str) -> int:
    """Skips a wrapper's options from `i`, noting the command lines of its script
    options; returns where its command (or its positional words) start. su, script and
    runuser take their -c anywhere, after a user name too."""
    anywhere = name in ("su", "script", "runuser", "flock")
    n = len(words)
    while i < n:
        word = words[i]
        if word == "--":
            return i + 1
        if not word.startswith("-") or word == "-":
            if name == "env" and _ASSIGNMENT.match(word):
                i += 1
                continue
            if word == "-":
                i += 1
                continue
            if not anywhere:
                return i
            rest = _script_option(words, i + 1, wrapper, scripts)
            if rest is None:
                return i
            return rest
        taken = _option_value(words, i, wrapper.scripts)
        if taken is not None:
            value, i = taken
            scripts.append(value if name != "env" else " ".join([value, *words[i:]]))
            if name == "env":
                return n
            continue
        option = word.partition("=")[0]
        i += 2 if option in wrapper.valued and "=" not in word else 1
    return i


def _script_option(words: list[str], i: int, wrapper: _Wrapper,
                   scripts: list[str]) -> int | None:
    """After a positional word of su, script, runuser or flock: the first script option
    later on, noted; returns the end of the words, or None when there is none."""
    for j in range(i, len(words)):
        taken = _option_value(words, j, wrapper.scripts)
        if taken is not None:
            scripts.append(taken[0])
            return len(words)
    return None


def _option_value(words: list[str], i: int, options: frozenset[str]) -> tuple[str, int] | None:
    """The value of an option of `options` at `i` (`-c X`, `-cX`, `--command=X`, or a
    cluster of short flags ending in it, `-qec X`) and where the words go on; None when
    the word is no such option."""
    word = words[i]
    if not options or not word.startswith("-"):
        return None
    following = words[i + 1] if i + 1 < len(words) else None
    if word.startswith("--"):
        return _long_option_value(word, following, i, options)
    return _short_option_value(word, following, i, options)


def _long_option_value(word: str, following: str | None, i: int,
                       options: frozenset[str]) -> tuple[str, int] | None:
    """`--command=X` (even empty) or `--command X`."""
    option, equals, value = word.partition("=")
    if option not in options:
        return None
    if equals:
        return value, i + 1
    return (following, i + 2) if following is not None else None


def _short_option_value(word: str, following: str | None, i: int,
                        options: frozenset[str]) -> tuple[str, int] | None:
    """`-cX`, `-c X`, or a cluster of letter flags ending in the option (`-qec X`)."""
    letters = {o[1] for o in options if len(o) == 2}
    for k in range(1, len(word)):
        if word[k] in letters:
            value = word[k + 1:]
            if value:
                return value, i + 1
            return (following, i + 2) if following is not None else None
        if not word[k].isalpha():
            return None
    return None


def program_name(word: str) -> str:
    """A command word as the program it names: its file name, folded, without the
    extension Windows adds."""
    name = word.replace("\\", "/").rpartition("/")[2].casefold()
    for suffix in (".exe", ".cmd", ".bat", ".ps1"):
        name = name.removesuffix(suffix)
    return name
