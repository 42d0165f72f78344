"""Shell scripts of CI steps read statically: their simple commands, and what program
each runs with which arguments. No shell is run and nothing is expanded but what is known
without running: the text of $'...' (escapes decoded) and $"..." strings, and $IFS as the
blanks that split a word. What only running could tell (a variable's value) stays unknown.

Code in another language (`python -c`, a step with `shell: python`) is read by its string
literals (literals.py): each as a command line, each run of them as one command's words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ai_clearance.detect.runners import code_arguments, stdin_language

# Shells inside shells ($(...), `...`, sh -c, eval) followed this deep.
_MAX_DEPTH = 6

_BREAKS = frozenset(";&|()\n")


def shell_commands(script: str, depth: int = 0) -> list[tuple[int, list[str]]]:
    """The simple commands of a shell script as (line offset, words), with quotes and
    escapes removed; the commands of $(...) and `...` come out as commands of their own.
    Written for POSIX shells, and near enough for PowerShell and cmd one-liners. Never
    fails: an unclosed quote or bracket runs to the end. A heredoc's body is read as
    commands (it is often a script that is run next)."""
    scanner = _Scanner(script, depth)
    scanner.scan()
    return scanner.commands


class _Scanner:
    """One pass over a script, in time linear in its length (times the nesting depth)."""

    def __init__(self, script: str, depth: int) -> None:
        self.s = script
        self.depth = depth
        self.commands: list[tuple[int, list[str]]] = []
        self.words: list[str] = []
        self.word: list[str] = []
        self.in_word = False
        self.word_start = 0
        self.command_line = 0
        self.drop_next = False  # the next word is a redirection's target
        self._line = 0
        self._counted = 0

    def scan(self) -> None:
        s, n, i = self.s, len(self.s), 0
        while i < n:
            c = s[i]
            if c in " \t\r":
                self.end_word()
                i += 1
            elif c in _BREAKS:
                self.end_command()
                i += 1
            elif c in "<>":
                i = self.redirect(i)
            elif c == "#" and not self.in_word:
                end = s.find("\n", i)
                i = n if end < 0 else end
            else:
                i = self.quoted(i)
        self.end_command()

    def quoted(self, i: int) -> int:
        """Reads the word part at `i` (a character, an escape, a quoted string, an
        expansion) and returns where the next one starts."""
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
        ifs = _IFS.match(s, i)
        if ifs is not None:  # unquoted $IFS splits the word there (it holds blanks in CI)
            self.end_word()
            return ifs.end()
        if c == "'":
            end = _find(s, "'", i + 1)
            self.text(s[i + 1:end], i)
            return end + 1
        if c == '"':
            return self.double_quoted(i)
        if c == "`" and s.startswith(("\n", "\r\n"), i + 1):
            return s.index("\n", i) + 1  # PowerShell's continuation line (Windows runners)
        if c == "`" or s.startswith("$(", i):
            end = _find(s, "`", i + 1) if c == "`" else _closing(s, i + 1, "(", ")")
            self.nested(s[i + (1 if c == "`" else 2):end], i)
            self.text(s[i:end + 1], i)
            return end + 1
        if s.startswith("${", i):
            end = _closing(s, i + 1, "{", "}")
            self.text(s[i:end + 1], i)
            return end + 1
        self.text(c, i)
        return i + 1

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
                end = _find(s, "`", j + 1) if s[j] == "`" else _closing(s, j + 1, "(", ")")
                self.nested(s[j + (1 if s[j] == "`" else 2):end], j)
                self.word.append(s[j:end + 1])
                j = end + 1
            else:
                self.word.append(s[j])
                j += 1
        return j + 1

    def redirect(self, i: int) -> int:
        s, n = self.s, len(self.s)
        if self.in_word and "".join(self.word).isdigit():
            self.word, self.in_word = [], False  # the descriptor of 2>&1 is not a word
        else:
            self.end_word()
        j = i + 1
        while j < n and s[j] in "<>&|":
            j += 1
        # <(...) runs a command; any other operator is followed by its target.
        self.drop_next = not s.startswith("(", j)
        return j

    def text(self, part: str, at: int) -> None:
        if not self.in_word:
            self.in_word = True
            self.word_start = at
        self.word.append(part)

    def end_word(self) -> None:
        if self.in_word:
            if self.drop_next:
                self.drop_next = False
            else:
                if not self.words:
                    self.command_line = self.line_at(self.word_start)
                self.words.append("".join(self.word))
        self.word, self.in_word = [], False

    def end_command(self) -> None:
        self.end_word()
        if self.words:
            self.commands.append((self.command_line, self.words))
        self.words, self.drop_next = [], False

    def nested(self, script: str, at: int) -> None:
        base = self.line_at(at)
        if self.depth >= _MAX_DEPTH:
            # Deeper than shells are followed: every run of its words counts as a command,
            # so an agent hidden under more layers still shows (never a silent pass).
            self.commands.extend((base, words) for words in word_runs(script))
            return
        self.commands.extend((base + offset, words)
                             for offset, words in shell_commands(script, self.depth + 1))

    def line_at(self, pos: int) -> int:
        """The line offset of `pos`, counted on from the last position asked about."""
        if pos >= self._counted:
            self._line += self.s.count("\n", self._counted, pos)
        else:
            self._line -= self.s.count("\n", pos, self._counted)
        self._counted = pos
        return self._line


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
                       "time", "fi", "done", "esac"})
# Commands that run the command after them, with their options that take a value.
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "--user",
                       "--group"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "-C", "--unset", "--chdir"}),
    "nohup": frozenset(), "time": frozenset(), "command": frozenset(), "builtin": frozenset(),
    "exec": frozenset({"-a"}), "nice": frozenset({"-n"}), "call": frozenset(),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}), "unbuffer": frozenset(),
    "xargs": frozenset({"-I", "-n", "-P", "-L", "-d", "-E", "-s", "-a"}),
    "xvfb-run": frozenset({"-n", "-s", "-f", "-e", "-p"}),
}
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "pwsh", "powershell"})
_PYTHON = re.compile(r"(?:python|py)[0-9.]*")


def invocations(words: list[str], depth: int) -> Iterator[tuple[str, ...]]:
    """(program, *arguments) for a command's words, wrappers (sudo, env, timeout...) and
    assignments skipped, `python -m X` read as X; and those of the script a shell or eval
    is given to run, and of the code `python -c`, `node -e`... are given."""
    found = _unwrap(words)
    if found is None:
        return
    program, args = found
    yield (program, *args)
    script = _script_argument(program, args)
    if script is not None:
        yield from _inner(script, "shell", depth)
    for code, language in code_arguments(program, args):
        yield from _inner(code, language, depth)


def _inner(script: str, language: str, depth: int) -> Iterator[tuple[str, ...]]:
    if depth >= _MAX_DEPTH:
        for run in word_runs(script):  # as in _Scanner.nested: never a silent pass
            unwrapped = _unwrap(run)
            if unwrapped is not None:
                yield (unwrapped[0], *unwrapped[1])
        return
    commands = shell_commands(script, depth + 1) if language == "shell" else \
        code_commands(script, language, depth + 1)
    for _, inner in commands:
        yield from invocations(inner, depth + 1)


# The comment syntaxes a language is read with (literals.py); one not known is read both ways.
_COMMENTS = {"hash": ("#",), "slash": ("/",), "code": ("#", "/")}


def code_commands(code: str, language: str, depth: int = 0,
                  worth: Callable[[str], bool] | None = None) -> list[tuple[int, list[str]]]:
    """The commands code in `language` ("hash", "slash" or "code", see runners.py) may run,
    as (line offset, words): each string literal read as a shell command line (os.system,
    execSync), and each run of literals as one command's words (subprocess.run([...]),
    spawn('claude', ['-p'])). `worth` says which runs are worth reading (None: all)."""
    from ai_clearance.detect.literals import (
        string_runs,  # its regexes cost a hook 2 ms: only code pays
    )

    found: list[tuple[int, list[str]]] = []
    for comments in _COMMENTS[language]:
        for run in string_runs(code, comments):
            texts = [text for _, text in run]
            if worth is not None and not worth("\n".join(texts)):
                continue
            for line, text in run:
                if depth >= _MAX_DEPTH:
                    found.extend((line, words) for words in word_runs(text))
                else:
                    found.extend((line + offset, words)
                                 for offset, words in shell_commands(text, depth + 1))
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
    i = 0
    while i < len(words):
        if _ASSIGNMENT.match(words[i]) or words[i] in _KEYWORDS:
            i += 1
            continue
        name = program_name(words[i])
        if name not in _WRAPPERS:
            break
        takes_value = _WRAPPERS[name]
        i += 1
        while i < len(words) and (words[i].startswith("-") or
                                  (name == "env" and _ASSIGNMENT.match(words[i]))):
            i += 2 if words[i] in takes_value else 1
        if name == "timeout":
            i += 1  # the duration
    if i >= len(words):
        return None
    program, args = program_name(words[i]), words[i + 1:]
    if _PYTHON.fullmatch(program) and len(args) >= 2 and args[0] == "-m":
        program, args = program_name(args[1]), args[2:]
    return program, args


def program_name(word: str) -> str:
    """A command word as the program it names: its file name, folded, without the
    extension Windows adds."""
    name = word.replace("\\", "/").rpartition("/")[2].casefold()
    for suffix in (".exe", ".cmd", ".bat", ".ps1"):
        name = name.removesuffix(suffix)
    return name


def _script_argument(program: str, args: list[str]) -> str | None:
    """The script that `sh -c SCRIPT`, `pwsh -Command SCRIPT`, `cmd /c ...` or `eval ...`
    runs."""
    if program == "eval":
        return " ".join(args)
    if program == "cmd":
        for i, arg in enumerate(args):
            if arg.casefold() in ("/c", "/k"):
                return " ".join(args[i + 1:])
    if program in _SHELLS:
        for i, arg in enumerate(args[:-1]):
            # -c, -lc, -ec, -Command: a cluster of short options that holds c.
            if arg.startswith("-") and not arg.startswith("--") and "c" in arg.casefold():
                return args[i + 1]
    return None
