"""A small POSIX/bash shell reader for the agent guard: a command line in, its simple
commands out (words, here-document texts, redirections). It reads what an agent sends to
its shell tool well enough to see which programs run with which arguments; it is not a
shell. What it cannot read (an open quote, a substitution left open) raises
ShellSyntaxError, and the guard refuses.

Where the shell computes part of a word (a variable, `$(...)`, arithmetic, a brace
expansion, a glob), the word holds a marker instead: EXPANDED + NAME + EXPANDED outside
quotes, QUOTED + NAME + QUOTED inside double quotes; NAME is the variable's name, `(I:J`
for a command substitution whose commands are commands[I:J], `*` for a glob, and empty
when unknown.

One pass over the text, each character looked at a bounded number of times: linear in the
length of the line."""

from __future__ import annotations

import string
from dataclasses import dataclass, field

EXPANDED = "\x00"
QUOTED = "\x01"

# Characters that end a simple command when they are not quoted (`(`/`)` open and close
# subshells). A command substitution, `$(...)`, `<(...)` or `` `...` ``, is read as a
# command of its own, and the word it stands in goes on (as a marker) in the command
# around it.
_SEPARATORS = frozenset(";&|()\n")
_BLANKS = frozenset(" \t\r")
_NAME_START = frozenset(string.ascii_letters + "_")
_NAME = frozenset(string.ascii_letters + string.digits + "_")
_SPECIAL_PARAMETERS = frozenset("@*#?$!-0123456789")
# Words after which `((` starts an arithmetic command (`if (( n > 1 ))`).
_BEFORE_ARITHMETIC = frozenset({"if", "elif", "while", "until", "!", "then", "do", "else",
                                "time", "for"})
_REDIRECTIONS = ("<<<", "<<-", "<<", "<>", "<&", "<", ">>", ">|", ">&", ">")
_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n",
            "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}
_DIGITS = {"x": (string.hexdigits, 2, 16), "u": (string.hexdigits, 4, 16),
           "U": (string.hexdigits, 8, 16)}


class ShellSyntaxError(ValueError):
    """A command line the reader cannot split (the guard then refuses it)."""


@dataclass
class Command:
    """One simple command: its words, the texts fed to its standard input (here-documents,
    here-strings), the files it writes by redirection, and where its input comes from."""

    words: list[str] = field(default_factory=list)
    stdin: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    piped: bool = False  # `a | b`: b reads a's output
    input_file: bool = False  # `b < file`, `b <&3`: its input is a file or another fd
    arithmetic: bool = False  # read inside `$((...))`: words, not a program


def marker(name: str, quoted: bool) -> str:
    """The marker standing for a computed part of a word."""
    mark = QUOTED if quoted else EXPANDED
    return f"{mark}{name}{mark}"


@dataclass
class _Heredoc:
    delimiter: str
    strip_tabs: bool
    quoted: bool
    owner: Command


@dataclass
class _Body:
    end: int  # where the text of the here-document ends
    after: int  # where reading goes on (after the delimiter line)
    owner: Command


@dataclass
class _Open:
    """A command substitution being read: how it closes, how to read on after it, and the
    command around it, to go back to."""

    closing: str
    mode: str  # "plain", "double" or "body": where the substitution stands
    words: list[str]
    word: list[str]
    started: bool
    current: Command
    first: int  # index of its first command
    arithmetic: bool
    depth: int = 0
    word_in: bool = True  # it stands in a word (`((...))` alone does not)


@dataclass
class _Reader:
    text: str
    commands: list[Command] = field(default_factory=list)
    current: Command = field(default_factory=Command)
    words: list[str] = field(default_factory=list)
    word: list[str] = field(default_factory=list)
    started: bool = False  # a word is open (an empty quoted word counts)
    quoted: bool = False  # the open word has quoting in it
    brace_at: int = -1  # where an unquoted `{` stands in the open word
    brace_list: bool = False  # a `,` or `..` came after it
    redirect: str = ""  # the operator waiting for its target word
    pending: list[_Heredoc] = field(default_factory=list)
    body: _Body | None = None
    inside: list[_Open] = field(default_factory=list)

    def end_word(self) -> None:
        if self.started:
            word = "".join(self.word)
            if self.redirect:
                self.redirected(word)
            else:
                self.words.append(word)
        self.word = []
        self.started = self.quoted = False
        self.brace_at = -1

    def redirected(self, target: str) -> None:
        operator, self.redirect = self.redirect, ""
        if operator in ("<<", "<<-"):
            if EXPANDED in target or QUOTED in target:  # bash takes `$X` as written
                raise ShellSyntaxError("a here-document delimiter has a `$` in it")
            self.pending.append(_Heredoc(target, operator == "<<-", self.quoted,
                                         self.current))
        elif operator == "<<<":
            self.current.stdin.append(target)
        elif operator.startswith("<"):
            # `<&0`, `<&-`: its own input, or none
            self.current.input_file = self.current.input_file or operator != "<&" \
                or target not in ("0", "-")
        else:
            self.current.outputs.append(target)

    def end_command(self, piped: bool = False) -> None:
        self.end_word()
        self.redirect = ""
        command = self.current
        command.words = self.words
        command.arithmetic = bool(self.inside) and self.inside[-1].arithmetic
        if command.words or command.stdin:
            self.commands.append(command)
        self.words = []
        # `a |` then a newline: the pipe goes on to the next command
        carried = command.piped and not command.words and not command.stdin
        self.current = Command(piped=piped or carried)

    def add(self, text: str) -> None:
        self.word.append(text)
        self.started = True

    def open(self, closing: str, mode: str, arithmetic: bool = False) -> None:
        self.inside.append(_Open(closing, mode, self.words, self.word, self.started,
                                 self.current, len(self.commands), arithmetic))
        self.words, self.word, self.started = [], [], False
        self.current = Command()

    def close(self) -> str:
        """End the innermost substitution; the mode reading goes back to."""
        self.end_command()
        done = self.inside.pop()
        self.words, self.word, self.current = done.words, done.word, done.current
        if done.word_in:
            self.add(marker(f"({done.first}:{len(self.commands)}", done.mode != "plain"))
        return done.mode


def split_commands(text: str) -> list[Command]:
    """The simple commands of a shell command line, with quotes and backslashes removed
    (`a && b "c d"` has the words [a], [b, c d])."""
    if EXPANDED in text or QUOTED in text:
        raise ShellSyntaxError("the command holds a control character")
    reader = _Reader(text)
    position = 0
    while position < len(text):
        position = _step(reader, position)
    if reader.inside:
        raise ShellSyntaxError("a command substitution is not closed")
    reader.end_command()
    for heredoc in reader.pending:  # no newline after `<<EOF`: an empty document
        heredoc.owner.stdin.append("")
    return reader.commands


def split_words(text: str) -> list[str]:
    """The words of every simple command of `text`, one list."""
    return [word for command in split_commands(text) for word in command.words]


def _step(reader: _Reader, position: int) -> int:
    """Read from `position` (outside quotes); return where to go on."""
    text = reader.text
    char = text[position]
    if _closes(reader, char):
        return _resume(reader, reader.close(), position + 1)
    if char in _BLANKS:
        reader.end_word()
        return position + 1
    if char == "#" and not reader.started:
        end = text.find("\n", position)
        return len(text) if end < 0 else end
    if char in "\\'\"":
        return _quoting(reader, position, char)
    if char == "$":
        return _dollar(reader, position, quoted=False)
    return _unquoted_special(reader, position, char)


def _resume(reader: _Reader, mode: str, position: int) -> int:
    if mode == "double":
        return _double_quoted(reader, position)
    if mode == "body":
        if reader.body is None or position > reader.body.end:
            raise ShellSyntaxError("a substitution runs past its here-document")
        return _body(reader, position)
    return position


def _quoting(reader: _Reader, position: int, char: str) -> int:
    """A backslash, single or double quote outside quotes."""
    text = reader.text
    reader.quoted = True
    if char == "\\":
        if position + 1 < len(text) and text[position + 1] != "\n":
            reader.add(text[position + 1])
        return position + 2
    if char == "'":
        end = text.find("'", position + 1)
        if end < 0:
            raise ShellSyntaxError("a single quote is not closed")
        reader.add(text[position + 1:end])
        return end + 1
    reader.started = True
    return _double_quoted(reader, position + 1)


def _dollar(reader: _Reader, position: int, quoted: bool) -> int:
    """`$` outside single quotes: a substitution, a parameter, `$'...'`, or itself."""
    text = reader.text
    following = text[position + 1:position + 2]
    if following == "(":
        arithmetic = text.startswith("$((", position)
        reader.open(")", "body" if quoted else "plain", arithmetic)
        if arithmetic:
            reader.inside[-1].depth = 1
        return position + (3 if arithmetic else 2)
    if following == "[":  # bash's old `$[...]` arithmetic: its `<<` is no here-document
        raise ShellSyntaxError("`$[...]` is not read; write `$((...))`")
    if following == "{":
        end, name = _braced_parameter(text, position + 2, quoted)
        reader.add(marker(name, quoted))
        return end
    if not quoted and following in ("'", '"'):
        reader.quoted = True
        reader.started = True
        if following == '"':
            return _double_quoted(reader, position + 2)
        return _ansi_c(reader, position + 2)
    if following in _SPECIAL_PARAMETERS and following:
        reader.add(marker("", quoted))
        return position + 2
    end = position + 1
    while end < len(text) and text[end] in _NAME and (end > position + 1
                                                       or text[end] in _NAME_START):
        end += 1
    reader.add(marker(text[position + 1:end], quoted) if end > position + 1 else "$")
    return end


def _braced_parameter(text: str, position: int, quoted: bool) -> tuple[int, str]:
    """`${...}` from after its `${`: where it ends, and the variable's name when it is a
    plain `${NAME}` (else empty: its value is not known). Quotes inside are skipped; a
    command run inside is not read, so it is an error."""
    start = position
    depth = 1
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == "`" or text.startswith("$(", position):
            raise ShellSyntaxError("a command inside ${...} is not read")
        if text.startswith("${", position):
            depth += 1
            position += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                name = text[start:position]
                plain = name[:1] in _NAME_START and all(c in _NAME for c in name)
                return position + 1, name if plain else ""
        elif char == "'" and not quoted:
            position = _after(text, "'", position + 1, "a single quote is not closed")
            continue
        elif char == '"':
            position = _after_double(text, position + 1)
            continue
        position += 1
    raise ShellSyntaxError("a ${ is not closed")


def _after(text: str, char: str, position: int, error: str) -> int:
    end = text.find(char, position)
    if end < 0:
        raise ShellSyntaxError(error)
    return end + 1


def _after_double(text: str, position: int) -> int:
    """The position after a double-quoted string nested in `${...}`."""
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == "`" or text.startswith("$(", position):
            raise ShellSyntaxError("a command inside ${...} is not read")
        if char == '"':
            return position + 1
        position += 1
    raise ShellSyntaxError("a double quote is not closed")


def _ansi_c(reader: _Reader, position: int) -> int:
    """The text of `$'...'` from after its quote, with its escapes decoded."""
    text = reader.text
    while position < len(text):
        char = text[position]
        if char == "'":
            return position + 1
        if char != "\\" or position + 1 >= len(text):
            reader.add(char)
            position += 1
            continue
        decoded, position = _escape(text, position + 1)
        if decoded in (EXPANDED, QUOTED):
            raise ShellSyntaxError("a $'...' string holds a control character")
        reader.add(decoded)
    raise ShellSyntaxError("a $'...' string is not closed")


def _escape(text: str, position: int) -> tuple[str, int]:
    """One escape of `$'...'` from after its backslash: its text and where reading goes on."""
    char = text[position]
    if char in _ESCAPES:
        return _ESCAPES[char], position + 1
    if char == "c" and position + 1 < len(text):
        return chr(ord(text[position + 1]) & 0x1F), position + 2
    digits, most, base = _DIGITS.get(char, (string.octdigits, 3, 8))
    start = position + (0 if char in string.octdigits else 1)
    if char not in _DIGITS and char not in string.octdigits:
        return "\\" + char, position + 1
    end = start
    while end < len(text) and end - start < most and text[end] in digits:
        end += 1
    if end == start:
        return "\\" + char, position + 1
    value = int(text[start:end], base)
    if value > 0x10FFFF:
        raise ShellSyntaxError("a $'...' escape is out of range")
    return chr(value), end


def _unquoted_special(reader: _Reader, position: int, char: str) -> int:
    text = reader.text
    if char == "`":
        reader.open("`", "plain")
        return position + 1
    if char in "<>" and text.startswith("(", position + 1):
        reader.open(")", "plain")  # process substitution: its command runs
        return position + 2
    in_arithmetic = bool(reader.inside) and reader.inside[-1].arithmetic
    if (char in "<>" or text.startswith("&>", position)) and not in_arithmetic:
        return _redirection(reader, position)
    if char in _SEPARATORS:
        return _separator(reader, position, char)
    _brace(reader, position, char)
    if char in "*?":
        reader.add(marker("*", quoted=False))
    reader.add(char)
    return position + 1


def _brace(reader: _Reader, position: int, char: str) -> None:
    """Note a brace expansion (`{a,b}`, `{1..3}`) in the open word: its marker goes where
    its `{` stands."""
    if char == "{" and reader.brace_at < 0:
        reader.brace_at, reader.brace_list = len(reader.word), False
    elif reader.brace_at >= 0 and (char == "," or reader.text.startswith("..", position)):
        reader.brace_list = True
    elif char == "}" and reader.brace_at >= 0 and reader.brace_list:
        reader.word.insert(reader.brace_at, marker("", quoted=False))
        reader.brace_at = -1


def _separator(reader: _Reader, position: int, char: str) -> int:
    text = reader.text
    if text.startswith("((", position) and not reader.started \
            and all(word in _BEFORE_ARITHMETIC for word in reader.words):
        reader.words = []
        reader.end_command()  # `(( n > 1 ))`: arithmetic, not a command
        reader.open(")", "plain", arithmetic=True)
        reader.inside[-1].depth, reader.inside[-1].word_in = 1, False
        return position + 2
    if reader.inside and reader.inside[-1].closing == ")":
        reader.inside[-1].depth += {"(": 1, ")": -1}.get(char, 0)
    if char == "|" and not text.startswith("||", position):
        reader.end_command(piped=True)
        return position + (2 if text.startswith("|&", position) else 1)
    reader.end_command()
    if char == "|" or text.startswith("&&", position):
        return position + 2
    if char == "\n" and reader.pending:
        return _next_body(reader, position + 1)
    return position + 1


def _redirection(reader: _Reader, position: int) -> int:
    """A redirection operator: an fd number written right before it is part of it, and
    the next word is its target, not an argument."""
    text = reader.text
    if reader.started and not reader.quoted and _is_descriptor("".join(reader.word)):
        reader.word, reader.started = [], False
    reader.end_word()
    if text.startswith("&>", position):
        operator = "&>>" if text.startswith("&>>", position) else "&>"
    else:
        operator = next(op for op in _REDIRECTIONS if text.startswith(op, position))
    reader.redirect = operator
    return position + len(operator)


def _is_descriptor(word: str) -> bool:
    return word.isdigit() or (word.startswith("{") and word.endswith("}") and len(word) > 2)


def _next_body(reader: _Reader, position: int) -> int:
    """Read the here-documents the line before asked for, from `position` (the start of
    the line after it); return where reading goes on."""
    if reader.body is not None:
        raise ShellSyntaxError("a here-document inside a here-document is not read")
    while reader.pending:
        heredoc = reader.pending.pop(0)
        end, after = _body_region(reader.text, position, heredoc)
        if heredoc.quoted:
            heredoc.owner.stdin.append(reader.text[position:end])
            position = after
            continue
        reader.body = _Body(end, after, heredoc.owner)
        return _body(reader, position)
    return position


def _body_region(text: str, position: int, heredoc: _Heredoc) -> tuple[int, int]:
    """Where a here-document's text ends (the start of its delimiter line), and where the
    line after that starts; without a delimiter line, it runs to the end."""
    while position < len(text):
        newline = text.find("\n", position)
        line_end = len(text) if newline < 0 else newline
        line = text[position:line_end]
        if (line.lstrip("\t") if heredoc.strip_tabs else line) == heredoc.delimiter:
            return position, min(line_end + 1, len(text))
        position = line_end + 1
    return len(text), len(text)


def _body(reader: _Reader, position: int) -> int:
    """Read the text of an unquoted here-document (expansions and substitutions happen in
    it, quotes are text) up to its end; return where reading goes on."""
    body = reader.body
    assert body is not None
    text = reader.text
    while position < body.end:
        char = text[position]
        if char == "\\" and position + 1 < body.end and text[position + 1] in "$`\\\n":
            if text[position + 1] != "\n":
                reader.add(text[position + 1])
            position += 2
            continue
        if char == "`":
            reader.open("`", "body")
            return position + 1
        if char == "$":
            opened = len(reader.inside)
            position = _dollar(reader, position, quoted=True)
            if len(reader.inside) > opened:
                return position
            continue
        reader.add(char)
        position += 1
    body.owner.stdin.append("".join(reader.word))
    reader.word, reader.started, reader.body = [], False, None
    return _next_body(reader, body.after)


def _closes(reader: _Reader, char: str) -> bool:
    if not reader.inside:
        return False
    innermost = reader.inside[-1]
    return char == innermost.closing and (char == "`" or innermost.depth == 0)


def _double_quoted(reader: _Reader, position: int) -> int:
    """Read inside double quotes from `position`; return the position after the closing
    quote, or where a command substitution starts (its command is read unquoted)."""
    text = reader.text
    while position < len(text):
        char = text[position]
        if char == '"':
            return position + 1
        if char == "\\" and position + 1 < len(text) and text[position + 1] in '$`"\\\n':
            if text[position + 1] != "\n":
                reader.add(text[position + 1])
            position += 2
            continue
        if char == "`":
            reader.open("`", "double")
            return position + 1
        if char == "$":
            opened = len(reader.inside)
            position = _double_dollar(reader, position)
            if len(reader.inside) > opened:
                return position
            continue
        reader.add(char)
        position += 1
    raise ShellSyntaxError("a double quote is not closed")


def _double_dollar(reader: _Reader, position: int) -> int:
    if reader.text.startswith("$(", position):
        arithmetic = reader.text.startswith("$((", position)
        reader.open(")", "double", arithmetic)
        if arithmetic:
            reader.inside[-1].depth = 1
        return position + (3 if arithmetic else 2)
    return _dollar(reader, position, quoted=True)
