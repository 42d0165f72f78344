"""A small POSIX shell reader for the agent guard: a command line in, its simple commands
(lists of words) out. It reads what an agent sends to its shell tool well enough to see
which programs run with which arguments; it is not a shell. What it cannot read (an open
quote, a substitution left open) raises ShellSyntaxError, and the guard refuses.

One pass over the text, each character looked at once: linear in the length of the line."""

from __future__ import annotations

from dataclasses import dataclass, field

# Characters that end a simple command when they are not quoted (`(`/`)` open and close
# subshells). A command substitution, `$(...)` or `` `...` ``, is read as a command of its
# own, and the word it stands in goes on (as `$`) in the command around it.
_SEPARATORS = frozenset(";&|()\n")
_BLANKS = frozenset(" \t\r")


class ShellSyntaxError(ValueError):
    """A command line the reader cannot split (the guard then refuses it)."""


@dataclass
class _Open:
    """A command substitution being read: how it closes, the parentheses opened in it, and
    the command around it, to go back to."""

    closing: str
    quoted: bool
    words: list[str]
    word: list[str]
    started: bool
    depth: int = 0


@dataclass
class _Reader:
    text: str
    commands: list[list[str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    word: list[str] = field(default_factory=list)
    started: bool = False  # a word is open (an empty quoted word counts)
    inside: list[_Open] = field(default_factory=list)

    def end_word(self) -> None:
        if self.started:
            self.words.append("".join(self.word))
        self.word = []
        self.started = False

    def end_command(self) -> None:
        self.end_word()
        words = [w for w in self.words if w not in ("{", "}")]
        if words:
            self.commands.append(words)
        self.words = []

    def add(self, text: str) -> None:
        self.word.append(text)
        self.started = True

    def open(self, closing: str, quoted: bool) -> None:
        self.inside.append(_Open(closing, quoted, self.words, self.word, self.started))
        self.words, self.word, self.started = [], [], False

    def close(self) -> bool:
        """End the innermost substitution; True when reading goes back inside quotes."""
        self.end_command()
        done = self.inside.pop()
        self.words, self.word = done.words, done.word
        self.add("$")
        return done.quoted


def split_commands(text: str) -> list[list[str]]:
    """The simple commands of a shell command line, each a list of words with quotes and
    backslashes removed (`a && b "c d"` is [[a], [b, c d]]); `{` and `}` are dropped."""
    reader = _Reader(text)
    position = 0
    while position < len(text):
        position = _step(reader, position)
    if reader.inside:
        raise ShellSyntaxError("a command substitution is not closed")
    reader.end_command()
    return reader.commands


def _step(reader: _Reader, position: int) -> int:
    """Read from `position` (outside quotes); return where to go on."""
    text = reader.text
    char = text[position]
    if _closes(reader, char):
        quoted = reader.close()
        return _double_quoted(reader, position + 1) if quoted else position + 1
    if char in _BLANKS:
        reader.end_word()
        return position + 1
    if char == "#" and not reader.started:
        end = text.find("\n", position)
        return len(text) if end < 0 else end
    if char in "\\'\"":
        return _quoting(reader, position, char)
    return _unquoted_special(reader, position, char)


def _quoting(reader: _Reader, position: int, char: str) -> int:
    """A backslash, single or double quote outside quotes."""
    text = reader.text
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


def _unquoted_special(reader: _Reader, position: int, char: str) -> int:
    if char == "`" or reader.text.startswith("$(", position):
        reader.open("`" if char == "`" else ")", quoted=False)
        return position + (1 if char == "`" else 2)
    if char in _SEPARATORS:
        if reader.inside and reader.inside[-1].closing == ")":
            reader.inside[-1].depth += {"(": 1, ")": -1}.get(char, 0)
        reader.end_command()
        return position + 1
    reader.add(char)
    return position + 1


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
        if char == "`" or text.startswith("$(", position):
            reader.open("`" if char == "`" else ")", quoted=True)
            return position + (1 if char == "`" else 2)
        reader.add(char)
        position += 1
    raise ShellSyntaxError("a double quote is not closed")
