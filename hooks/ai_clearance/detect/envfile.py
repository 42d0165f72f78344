"""What a step's script writes to `$GITHUB_ENV`: the runner sets each `NAME=value` line
(and each `NAME<<DELIMITER` block) it finds there as an env variable of every later step
of the job, so `echo T=claude >> "$GITHUB_ENV"` then `$T -p review` runs an agent.

Only constant writes are known: an `echo`, `printf` (its format worked out) or PowerShell
string whose text holds no expansion but of a variable the script set to a constant before
(`X=claude; echo "T=$X"`, `$X = "claude"`), sent to the file (`$GITHUB_ENV`, `${{
github.env }}`, a variable holding it) by `>>`, `| tee -a`, `Add-Content`, `Out-File` or a
`cat` or `tee` heredoc; a `{ ...; }` group's writes in order. A write whose text is not
known breaks the file at that point (a heredoc block open there is dropped): nothing is
made up.

Pure and linear in the script (one pass of a shell-like tokenizer)."""

from __future__ import annotations

import itertools
import re
import shlex

# The env file as a shell, PowerShell or cmd script names it.
_TARGET = re.compile(r"(?:\$(?:env:)?\{?GITHUB_ENV\}?|%GITHUB_ENV%)", re.IGNORECASE)
# The expression for the same file, put back as the variable before the script is read.
_EXPRESSION = re.compile(r"\$\{\{\s*github\.env\s*\}\}", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,255}")
# A reference to a variable, in shell ($X, ${X}) and PowerShell ($X, $env:X) forms.
_REFERENCE = re.compile(r"\$(?:env:)?(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))",
                        re.IGNORECASE)
# A value longer than this is not followed (`X=$X$X` on each line doubles it).
_MAX_VALUE = 1024
_DECLARES = frozenset({"export", "declare", "readonly", "local", "typeset", "set"})
_PRINTERS = frozenset({"echo", "printf", "write-output", "write-host", "echo.", "print"})
_APPENDERS = frozenset({"add-content", "ac", "out-file", "set-content", "tee-object"})
_SEPARATORS = frozenset(";&\n()")
# A heredoc (`<<EOF`, `<<-'EOF'`, not `<<<`); its body is written to the env file when its
# line has `cat` or `tee` and names the file (`cat >> "$GITHUB_ENV" <<EOF`,
# `tee -a $GITHUB_ENV <<EOF`, `cat <<EOF | tee -a $GITHUB_ENV`).
_HEREDOC = re.compile(r"""(?<!<)<<(-?)[ \t]*(["']?)(\w+)\2""")
_HEREDOC_WRITER = re.compile(r"(?<![\w-])(?:cat|tee)(?![\w-])")

Unknown = None  # a write whose text is not known
Piece = str | None


def written_env(script: str) -> dict[str, list[str]]:
    """Each env name the script's constant writes to `$GITHUB_ENV` set, with its values
    in the order written."""
    upper = script.upper()
    if "GITHUB_ENV" not in upper:
        if "GITHUB.ENV" not in upper:
            return {}
        script = _EXPRESSION.sub("$GITHUB_ENV", script)
    return _parsed([*_command_writes(script), Unknown, *_heredoc_writes(script)])


def _parsed(pieces: list[Piece]) -> dict[str, list[str]]:
    """An env file's variables, read as the runner reads it, from the text written to it
    (Unknown where a write's text is not known)."""
    found: dict[str, list[str]] = {}
    lines: list[str | None] = []
    for piece in pieces:
        if piece is None:
            lines.append(None)
        else:
            lines.extend(piece.splitlines())
    block: tuple[str, str, list[str]] | None = None  # name, delimiter, lines so far
    for line in lines:
        if line is None:
            block = None
        elif block is not None:
            name, delimiter, body = block
            if line.strip() == delimiter:
                found.setdefault(name, []).append("\n".join(body))
                block = None
            else:
                body.append(line)
        elif "<<" in line and _NAME.fullmatch(line.split("<<", 1)[0].strip()):
            name, delimiter = line.split("<<", 1)
            block = (name.strip(), delimiter.strip(), [])
        elif "=" in line and _NAME.fullmatch(line.split("=", 1)[0].strip()):
            name, value = line.split("=", 1)
            found.setdefault(name.strip(), []).append(value)
    return found


def _tokens(script: str) -> list[str]:
    lexer = shlex.shlex(script, posix=True, punctuation_chars=";&|<>()\n")
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = ""
    found: list[str] = []
    try:
        for token in lexer:
            found.append(token)
    except ValueError:  # an unclosed quote: what came before it is kept
        pass
    return found


def _commands(tokens: list[str]) -> list[list[list[str]]]:
    """The script's commands, each as its pipeline's stages (each a list of words and
    redirection operators)."""
    commands: list[list[list[str]]] = [[[]]]
    for token in tokens:
        if (token and all(c in _SEPARATORS for c in token)) or token in ("&&", "||"):
            commands.append([[]])
        elif token == "|":
            commands[-1].append([])
        else:
            commands[-1][-1].append(token)
    return [[stage for stage in c if stage] for c in commands if any(c)]


def _command_writes(script: str) -> list[Piece]:
    """What the script's commands write to the env file, in order."""
    pieces: list[Piece] = []
    group: list[Piece] | None = None  # the output of an open `{ ...; }` group
    values: dict[str, str] = {}  # the constants the script's variables hold so far
    for command in _commands(_tokens(script)):
        if _assigned(command, values):
            continue
        stages = [[_known(word, values) for word in stage] for stage in command]
        first = stages[0]
        if first[0] == "{":
            group = []
            first = first[1:]
        if group is not None and first and first[0] == "}":
            if _to_env(first[1:]) or (len(stages) > 1 and _appends_env(stages[1])):
                pieces.extend(group)
            group = None
            continue
        if not first:
            continue
        output = _output(first)
        if group is not None:
            group.append(output)
        if _to_env(first) or (len(stages) > 1 and _appends_env(stages[1])):
            pieces.append(output)
        elif first[0].casefold() in _APPENDERS and any(_TARGET.fullmatch(w) for w in first):
            pieces.append(_appended(first))
    return pieces


def _assigned(stages: list[list[str]], values: dict[str, str]) -> bool:
    """Notes what a command of constant assignments sets (`X=v`, `export X=v`, PowerShell
    `$X = "v"`); whether it is one. A value not known unsets what was known."""
    if len(stages) != 1:
        return False
    words = stages[0]
    if len(words) == 3 and words[1] == "=" and _REFERENCE.fullmatch(words[0]):
        found = _REFERENCE.fullmatch(words[0])
        assert found is not None
        pairs = [(found.group(1) or found.group(2), words[2])]
    else:
        rest = words[1:] if words[0] in _DECLARES else words
        rest = [w for w in rest if not w.startswith("-")]
        if not rest or not all("=" in w and _NAME.fullmatch(w.split("=", 1)[0]) for w in rest):
            return False
        pairs = [(w.split("=", 1)[0], w.split("=", 1)[1]) for w in rest]
    for name, written in pairs:
        value = _known(written, values)
        if (_constant(value) and len(value) <= _MAX_VALUE) or _TARGET.fullmatch(value):
            values[name.casefold()] = value
        else:
            values.pop(name.casefold(), None)
    return True


def _known(word: str, values: dict[str, str]) -> str:
    """`word` with the variables whose constant values are known put in (others kept);
    the word as written when that would make it longer than _MAX_VALUE."""
    if "$" not in word or not values:
        return word
    done = _REFERENCE.sub(
        lambda m: values.get((m.group(1) or m.group(2)).casefold(), m.group(0)), word)
    return done if len(done) <= _MAX_VALUE else word


def _to_env(words: list[str]) -> bool:
    """Whether a command's redirections send its output to the env file."""
    return any(op in (">>", ">") and _TARGET.fullmatch(target)
               for op, target in itertools.pairwise(words))


def _appends_env(words: list[str]) -> bool:
    """Whether a pipeline stage appends what it reads to the env file (`tee -a`,
    `Add-Content`, `Out-File`)."""
    words = words[1:] if words[:1] == ["sudo"] else words
    return bool(words) and words[0].casefold() in (*_APPENDERS, "tee") \
        and any(_TARGET.fullmatch(w) for w in words)


def _arguments(words: list[str]) -> list[str]:
    """A command's words without its redirections."""
    found: list[str] = []
    skip = False
    for word, after in zip(words, [*words[1:], ""], strict=True):
        if skip:
            skip = False
        elif word and all(c in "<>&" for c in word):
            skip = True
        elif not (word.isdigit() and after[:1] in ("<", ">")):  # 2>&1: a descriptor
            found.append(word)
    return found


def _constant(word: str) -> bool:
    return "$" not in word and "`" not in word and "%" not in word


def _output(words: list[str]) -> Piece:
    """The text a command prints: an echo's or printf's of constant words, or a
    PowerShell string alone on its line; Unknown for any other command."""
    args = _arguments(words)
    if not args:
        return Unknown
    program, rest = args[0].casefold(), args[1:]
    if program == "printf":
        return _printf(rest)
    if program in _PRINTERS:
        escapes = False
        while rest and re.fullmatch(r"-[neE]+", rest[0]):
            escapes = escapes or "e" in rest[0]
            rest = rest[1:]
        text = " ".join(rest)
        if escapes:  # echo -e: \n and \t decoded
            text = text.replace("\\n", "\n").replace("\\t", "\t")
        return f"{text}\n" if _constant(text) and "\\" not in text else Unknown
    if len(args) == 1 and _constant(args[0]) and "=" in args[0]:
        return f"{args[0]}\n"  # PowerShell: a string alone is written out
    return Unknown


# printf's conversions (`%s`, `%-8s`, `%q`, `%%`) and the escapes of its format.
_FIELD = re.compile(r"%(?:%|([-#0 +]*[0-9]*(?:\.[0-9]*)?)([sbqdiuc])|)|\\(.)", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "r": "\r", '"': '"', "'": "'"}


def _printf(args: list[str]) -> Piece:
    """What `printf FORMAT ARGS` prints: the format used again while arguments are left,
    as printf does; Unknown for an expansion or a conversion it cannot work out."""
    args = args[1:] if args[:1] == ["--"] else args
    if not args or not all(map(_constant, args[1:])) or "$" in args[0] or "`" in args[0]:
        return Unknown
    form, values = args[0], args[1:]
    out: list[str] = []
    while True:
        used = at = 0
        for piece in _FIELD.finditer(form):
            out.append(form[at:piece.start()])
            at = piece.end()
            text = piece.group(0)
            if text.startswith("\\"):
                out.append(_ESCAPES.get(piece.group(3), text))
                continue
            if text == "%%":
                out.append("%")
                continue
            if piece.group(2) is None:
                return Unknown  # a conversion printf has that is not read here
            value = values[used] if used < len(values) else ""
            used += 1
            if piece.group(2) in "diu":
                if not re.fullmatch(r"-?[0-9]{1,18}", value or "0"):
                    return Unknown
                out.append(f"%{piece.group(1)}d" % int(value or "0"))
            else:
                out.append(f"%{piece.group(1)}s" % (value[:1] if piece.group(2) == "c" else value))
        out.append(form[at:])
        values = values[used:]
        if not used or not values:
            return "".join(out)


def _appended(words: list[str]) -> Piece:
    """What `Add-Content $env:GITHUB_ENV "T=x"` (or `-Value "T=x"`) appends."""
    values = [w for w in _arguments(words[1:])
              if not w.startswith("-") and not _TARGET.fullmatch(w)]
    if len(values) != 1 or not _constant(values[0]):
        return Unknown
    return f"{values[0]}\n"


def _heredoc_writes(script: str) -> list[Piece]:
    """What heredocs written to the env file write (`cat >> "$GITHUB_ENV" <<EOF`, `tee -a
    "$GITHUB_ENV" <<EOF`): each body, up to its delimiter (a body line that expands a
    variable is Unknown unless the delimiter is quoted)."""
    pieces: list[Piece] = []
    at = 0
    while (match := _HEREDOC.search(script, at)) is not None:
        start = script.rfind("\n", 0, match.start()) + 1
        end = script.find("\n", match.end())
        end = len(script) if end < 0 else end
        line = script[start:end]
        at = end + 1
        if not (_HEREDOC_WRITER.search(line) and _TARGET.search(_EXPRESSION.sub(
                "$GITHUB_ENV", line))):
            continue
        dash, quoted, delimiter = match.groups()
        while at < len(script):
            stop = script.find("\n", at)
            stop = len(script) if stop < 0 else stop
            body_line = script[at:stop]
            at = stop + 1
            text = body_line.lstrip("\t") if dash else body_line
            if text == delimiter:
                break
            pieces.append(f"{text}\n" if quoted or _constant(text) else Unknown)
        pieces.append(Unknown)
    return pieces


__all__ = ["written_env"]
