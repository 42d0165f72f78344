"""String literals of code in a language that is not shell (Python, JavaScript, Perl, Ruby),
read without parsing it: what a program hands to a shell (`os.system`, `execSync`) or runs
as a command (`subprocess.run([...])`, `spawn('x', [...])`) is written in such literals.

One pass in time linear in the code, which never fails: a regex finds the next quote or
comment, another reads the literal's body. '...', "...", `...` and Python's triple quotes;
escapes decoded (\\xHH, \\uHHHH, \\u{H...}, \\UHHHHHHHH, \\N{NAME}, octal, the simple
ones); a string prefix (f, r, b, u) is part of the literal, and r leaves escapes as they
are. Literals joined by `+` or `.`, or only by blanks (Python's implicit concatenation),
are one literal. An unclosed '...' or "..." ends at its line's end, as the languages end
it, so that a stray quote hides at most one line."""

from __future__ import annotations

import re

# Comment syntaxes: "#" (Python, Perl, Ruby) or "/" (`//` and `/* */` of JavaScript).
# Which one the code uses must be known: `//` is Python's floor division and `#` starts a
# JavaScript private name, so skipping the other language's comments could hide code.
_NEXT = {"#": re.compile(r"[\"'`#]"), "/": re.compile(r"[\"'`/]")}
_BODY = {
    "'": re.compile(r"[^'\\\n]*(?:\\.[^'\\\n]*)*", re.DOTALL),
    '"': re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*', re.DOTALL),
    "`": re.compile(r"[^`\\]*(?:\\.[^`\\]*)*", re.DOTALL),
    "'''": re.compile(r"[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*", re.DOTALL),
    '"""': re.compile(r'[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*', re.DOTALL),
}
_DOC_END = re.compile(r"[ \t]*(?:[#;\r\n]|\Z)")
_PREFIX = re.compile(r"(?<![\w$])(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])\Z")
# What may stand between two literals of one argument list (an object's key too, as in
# `new Deno.Command('claude', {args: ['-p']})`), and between two that join.
_SEPARATED = re.compile(r"(?:[\s\\,()\[\]{}]|[A-Za-z_$][\w$]*[ \t]*:)*")
_JOINED = re.compile(r"[\s\\]*(?:[+.][\s\\]*)?")
# A '/' that starts a JavaScript regex rather than a division follows one of these.
_BEFORE_REGEX = frozenset("(,=:[!&|?{};+-*%<>~^")
_REGEX_KEYWORDS = frozenset({"return", "typeof", "case", "do", "else", "in", "of", "new",
                             "delete", "void", "throw", "instanceof", "yield", "await"})
_REGEX = re.compile(r"/(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/")
_WORD_BEFORE = re.compile(r"[A-Za-z_$][\w$]*\Z")


# A call that only prints its arguments, right before a run of literals: `print(`,
# `console.log(`, `puts `, `say `, `echo `, `logging.info(`, `sys.stdout.write(`.
_PRINTED = re.compile(r"(?<![\w.$])(?:print|printf|puts|say|echo|"
                      r"console\s*\.\s*(?:log|info|warn|error|debug)|"
                      r"(?:logging|logger|log)\s*\.\s*(?:debug|info|warning|warn|error)|"
                      r"sys\s*\.\s*std(?:out|err)\s*\.\s*write)\s*\(?\s*\Z")
_PRINTED_TAIL = 48  # of the code before a run, the part a print call is looked for in

# A call that starts a process from its arguments as words, right before a run of
# literals (`subprocess.run([`, `spawn(`, `execFile(`, `system(`, `new Deno.Command(`,
# `Bun.spawn({cmd: [`, `Popen(args=[`), and the assignment of a list (`cmd = [`) in code
# that makes such a call somewhere: only these runs are one command's words. A list of
# names kept as data (`forbidden: ["claude", "-p"]`) runs nothing.
_LAUNCHERS = (r"(?:spawn|spawnSync|exec|execSync|execFile|execFileSync|execa|execaSync|fork|"
              r"Popen|run|call|check_call|check_output|system|popen|capture[23]e?|pipeline|"
              r"exec[lv]p?e?|spawn[lv]p?e?|Command|ProcessBuilder|create_subprocess_exec|"
              r"start|run_command)")
_LAUNCHED = re.compile(rf"(?<![\w$]){_LAUNCHERS}\s*\(\s*(?:\{{\s*)?(?:[A-Za-z_]\w*\s*[:=]\s*)?"
                       r"[\[(]?\s*\Z")
_LAUNCH_CALL = re.compile(rf"(?<![\w$]){_LAUNCHERS}\s*\(")
_ASSIGNED_LIST = re.compile(r"=\s*[\[(]\s*\Z")


def argument_runs(code: str, comments: str) -> list[tuple[list[tuple[int, str]], bool]]:
    """string_runs without the printed ones, each with whether it is the words of a
    command a process call starts (_LAUNCHED), not a list kept as data."""
    scanner = _Scanner(code, comments, printed=False)
    runs = scanner.scan()
    return list(zip(runs, scanner.launched, strict=True))


def string_runs(code: str, comments: str, printed: bool = True,
                ) -> list[list[tuple[int, str]]]:
    """The literals of `code` as (line offset, text), in runs: consecutive literals with
    only commas, blanks and brackets between them, as in an argument list. `comments` is
    "#" or "/" (see _NEXT). With `printed` False, runs that are the arguments of a call
    that only prints them (`print('claude -p x')`, `console.log(...)`) are left out,
    unless one may hold code that runs (a '{' and a '(' in a text: an f-string or a
    template's expression; a backtick of Perl or Ruby, which runs a command)."""
    return _Scanner(code, comments, printed).scan()


class _Scanner:
    def __init__(self, code: str, comments: str, printed: bool = True) -> None:
        self.s = code
        self.comments = comments
        self.printed = printed
        self.run_printed = False  # the run being read is a print call's arguments
        self.run_launched = False  # ... a process call's arguments (or a list assigned)
        self.launched: list[bool] = []  # that, for each run kept
        self.launches = _LAUNCH_CALL.search(code) is not None
        self.runs: list[list[tuple[int, str]]] = []
        self.run: list[tuple[int, str]] = []
        self.gap: list[str] = []  # the code since the last literal, comments left out
        self._line = 0
        self._counted = 0
        self._no_regex_before = 0  # a regex that did not close: none is tried on its line

    def scan(self) -> list[list[tuple[int, str]]]:
        s, n = self.s, len(self.s)
        find = _NEXT[self.comments].search
        start = 0  # where the code not yet added to the gap starts
        at = 0     # where the next search starts
        while at < n:
            found = find(s, at)
            if found is None:
                break
            i = found.start()
            c = s[i]
            if c == "#" or s.startswith("//", i):
                self.gap.append(s[start:i])
                end = s.find("\n", i)
                start = at = n if end < 0 else end
            elif s.startswith("/*", i):
                self.gap.append(s[start:i])
                end = s.find("*/", i + 2)
                start = at = n if end < 0 else end + 2
            elif c == "/":
                regex = self.regex_at(i)
                if regex < 0:
                    at = i + 1  # a division: code like any other
                else:
                    self.gap.append(s[start:i] + "/")  # not a separator: it ends a run
                    start = at = regex
            else:
                start = at = self.literal(start, i)
        self.gap.append(s[start:])
        self.flush()
        return self.runs

    def literal(self, start: int, i: int) -> int:
        """Reads the literal whose quote is at `i`; returns where the code goes on."""
        s = self.s
        prefix = _PREFIX.search(s, max(0, i - 2), i)
        head = prefix.start() if prefix is not None else i
        quote = s[i:i + 3] if s.startswith(("'''", '"""'), i) else s[i]
        body = _BODY[quote].match(s, i + len(quote))
        assert body is not None  # every body pattern matches the empty string
        end = body.end()
        raw = prefix is not None and "r" in prefix.group(0).casefold()
        text = body.group(0) if raw else decode(body.group(0))
        gap = "".join(self.gap) + s[start:head]
        after = end + len(quote) if s.startswith(quote, end) else end
        if len(quote) == 3 and self.comments == "#" and self.docstring(gap, after):
            self.flush()  # documentation: it runs nothing, and it ends any run
            self.gap = []
        else:
            self.add(self.line_at(i), text, gap)
            if quote == "`" and self.comments == "#":
                self.run_printed = False  # Perl and Ruby run a backtick's command
        return after  # unclosed: a one-line quote ends at the line's end, others at the end

    def docstring(self, gap: str, after: int) -> bool:
        """Whether a triple-quoted string is a Python docstring: first in the file or
        right after a line ending in ':' (def, class), with nothing after it on its line.
        Usage text there often shows a command line that nothing runs."""
        before = gap.rstrip()
        if not (before.endswith(":") or (not before and not self.run and not self.runs)):
            return False
        return _DOC_END.match(self.s, after) is not None

    def add(self, line: int, text: str, gap: str) -> None:
        self.gap = []
        if self.run and _JOINED.fullmatch(gap):
            last_line, last = self.run[-1]
            self.run[-1] = (last_line, last + text)
        elif self.run and _SEPARATED.fullmatch(gap):
            self.run.append((line, text))
        else:
            self.flush()
            self.run = [(line, text)]
            tail = gap[-_PRINTED_TAIL:]
            self.run_printed = not self.printed and _PRINTED.search(tail) is not None
            self.run_launched = _LAUNCHED.search(tail) is not None or (
                self.launches and _ASSIGNED_LIST.search(tail) is not None)

    def flush(self) -> None:
        if self.run and not (self.run_printed and
                             not any("{" in t and "(" in t for _, t in self.run)):
            self.runs.append(self.run)
            self.launched.append(self.run_launched)
        self.run = []

    def regex_at(self, i: int) -> int:
        """Where the JavaScript regex literal whose '/' is at `i` ends; -1 when that '/' is
        a division (it follows a value) or opens no regex on its line. A failed try is not
        repeated on the same line, so that the pass stays linear."""
        if i < self._no_regex_before or not self._after_operator(i):
            return -1
        found = _REGEX.match(self.s, i)
        if found is None:
            end = self.s.find("\n", i)
            self._no_regex_before = len(self.s) if end < 0 else end
            return -1
        return found.end()

    def _after_operator(self, i: int) -> bool:
        """Whether a '/' at `i` follows an operator, an opening bracket, a keyword such as
        `return`, or nothing: where a regex, not a division, may start."""
        j = i - 1
        while j >= 0 and self.s[j] in " \t\r\n":
            j -= 1
        if j < 0 or self.s[j] in _BEFORE_REGEX:
            return True
        word = _WORD_BEFORE.search(self.s, max(0, j - 11), j + 1)
        return word is not None and word.group(0) in _REGEX_KEYWORDS

    def line_at(self, pos: int) -> int:
        """The line offset of `pos` (positions are asked for in increasing order)."""
        self._line += self.s.count("\n", self._counted, pos)
        self._counted = pos
        return self._line


_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4}|"
                     r"U[0-9A-Fa-f]{8}|N\{[^}\n]{1,100}\}|[0-7]{1,3}|\r\n|.)", re.DOTALL)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "a": "\a",
           "e": "\x1b", "\n": "", "\r\n": ""}


def decode(text: str) -> str:
    """A literal's body with its escapes decoded. An escape a language does not know
    stands for its character (JavaScript's rule; Python would keep the backslash)."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(_decoded, text)


def _decoded(match: re.Match[str]) -> str:
    body = match.group(0)[1:]
    head = body[0]
    if head in "xuU" and len(body) > 1:
        code = int(body[1:].strip("{}"), 16)
        return chr(code) if code <= 0x10FFFF else ""
    if head in "01234567":
        return chr(int(body, 8))
    if head == "N" and len(body) > 1:
        import unicodedata  # only code that names a character pays for it

        try:
            return unicodedata.lookup(body[2:-1])
        except KeyError:
            return match.group(0)  # no such character: left as written
    return _SIMPLE.get(body, body)
