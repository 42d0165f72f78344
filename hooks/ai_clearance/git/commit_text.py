"""What a commit object says about itself, read as each of its readers may read it (pure).

`git log` re-encodes a whole commit object whose header declares an encoding (so an author
written in ASCII under `encoding IBM037` prints as nothing), shows one author line of several,
one address of an author line that holds two, and stops at a NUL byte; other readers decode
only the message by the declared encoding, or not at all. The common commit has one reading;
an odd one gets every reading, so that no header or byte hides a trace from the detectors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ai_clearance.detect.messages import addresses
from ai_clearance.model import Identity, Reading

_UTF8 = frozenset({"utf-8", "utf8"})  # what git takes for UTF-8 (case aside): no re-encoding
# Families whose letters are not ASCII bytes: an encoding Python does not know (git's iconv
# knows many more) is read as each of them, as well as byte by byte as UTF-8.
_PROBES = ("cp037", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_ROLES = ("author", "committer")


@dataclass(frozen=True)
class CommitText:
    """A commit's author and committer (as `git log` shows them for an ordinary commit: the
    last line of each), its message, and the other readings of an odd commit."""

    author: Identity
    committer: Identity
    message: str
    readings: tuple[Reading, ...] = ()


_NOBODY = Identity("", "")


def read_commit(raw: bytes) -> CommitText:
    """Read a raw commit object (the body `git cat-file commit` prints)."""
    head, _, body = raw.partition(b"\n\n")
    plain = _plain_identities(head)
    if plain is not None:  # the common commit: nothing to read another way
        return CommitText(plain[0], plain[1], body.decode("utf-8", "replace"))
    fields = _header_fields(head.split(b"\n"))
    authors, committers = fields.get(b"author", []), fields.get(b"committer", [])
    encodings = [e.decode("ascii", "replace") for e in fields.get(b"encoding", [])
                 if e.decode("ascii", "replace").casefold() not in _UTF8]
    codecs = _codecs(encodings)
    # Shown as UTF-8 where the bytes are UTF-8, else as the header says (a Latin-1 name).
    known = next((e for e in encodings if _usable(e)), "utf-8")
    text = CommitText(_identity(_shown(authors[-1], known)) if authors else _NOBODY,
                      _identity(_shown(committers[-1], known)) if committers else _NOBODY,
                      _shown(body, known))
    if not (encodings or b"\0" in head or _odd_identities(authors, committers)):
        return text
    readings = [_raw_reading(head)]
    for codec in codecs:
        readings.append(_fields_reading(head, body, codec))
        readings.append(_whole_reading(raw, codec))
    return CommitText(text.author, text.committer, text.message,
                      tuple(r for r in readings if _adds(r, text)))


def _shown(data: bytes, codec: str) -> str:
    """`data` as UTF-8 if it is UTF-8, else decoded by `codec`."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, codec)


# The common header's author and committer lines, one after the other: a name, one address
# (no second `<`, `@` or `%` in the line: nothing else to read in it), a date.
_PLAIN = re.compile(rb"\nauthor ([^\n<>@%]*)<([^\n<>@%]*@[^\n<>@%]*)>[^\n<>@%]*"
                    rb"\ncommitter ([^\n<>@%]*)<([^\n<>@%]*@[^\n<>@%]*)>[^\n<>@%]*(?:\n|\Z)")
_BLANKS = b" \t\n\r"  # git's isspace()


def _plain_identities(head: bytes) -> tuple[Identity, Identity] | None:
    """Author and committer of a header with one line of each (as `_PLAIN` reads them),
    no encoding header and no NUL; None for any other header."""
    match = _PLAIN.search(head)
    if match is None or b"\0" in head or b"\nencoding " in head or \
            head.count(b"\nauthor ") != 1 or head.count(b"\ncommitter ") != 1:
        return None
    an, ae, cn, ce = match.groups()
    return (Identity(an.rstrip(_BLANKS).decode("utf-8", "replace"), ae.decode("utf-8", "replace")),
            Identity(cn.rstrip(_BLANKS).decode("utf-8", "replace"), ce.decode("utf-8", "replace")))


def _header_fields(lines: list[bytes]) -> dict[bytes, list[bytes]]:
    """The values of the author, committer and encoding header lines, in order."""
    fields: dict[bytes, list[bytes]] = {}
    for line in lines:
        key, _, rest = line.partition(b" ")
        if key in (b"author", b"committer", b"encoding"):
            fields.setdefault(key, []).append(rest)
    return fields


def _odd_identities(authors: list[bytes], committers: list[bytes]) -> bool:
    """Whether the author or committer lines could name someone `git log` does not show:
    not one line each, or a line with other than one `<`, one `@` and no `%40`."""
    if len(authors) != 1 or len(committers) != 1:
        return True
    return any(line.count(b"<") != 1 or line.count(b"@") != 1 or b"%40" in line
               for line in (authors[0], committers[0]))


def _identity(line: str) -> Identity:
    """An author or committer line's value split as git splits it: the name before the
    first `<` (trailing blanks dropped), the address up to the first `>` after it."""
    lt = line.find("<")
    gt = line.find(">", lt + 1) if lt >= 0 else -1
    if gt < 0:
        return _NOBODY
    return Identity(line[:lt].rstrip(" \t\n\r"), line[lt + 1:gt])


def _identities(role: str, line: str) -> list[tuple[str, Identity]]:
    """Every identity an author or committer line holds: git's split and each other
    address anywhere in it (a second `<...>`, a bare or %-escaped address)."""
    first = _identity(line)
    found = [(role, first)]
    found.extend((role, Identity(name, address)) for name, address in addresses(line)
                 if address.strip().casefold() != first.email.strip().casefold())
    return found


def _header_identities(lines: list[str]) -> list[tuple[str, Identity]]:
    found: list[tuple[str, Identity]] = []
    for line in lines:
        key, _, rest = line.partition(" ")
        if key in _ROLES:
            found.extend(_identities(key, rest))
    return list(dict.fromkeys(found))


def _raw_lines(head: str) -> list[str]:
    """Header lines, and with a NUL in the header its pieces too (git stops at a NUL: a
    line may start right after one)."""
    lines = head.split("\n")
    if "\0" in head:
        lines.extend(piece for line in lines if "\0" in line for piece in line.split("\0"))
    return lines


def _raw_reading(head: bytes) -> Reading:
    """Every author and committer line, every address in them, byte by byte as UTF-8."""
    lines = _raw_lines(head.decode("utf-8", "replace"))
    return Reading("every author and committer line", tuple(_header_identities(lines)), None)


def _fields_reading(head: bytes, body: bytes, codec: str) -> Reading:
    """The header's structure in ASCII, the values and the message decoded by `codec`
    (as a reader that honours the encoding header for the text alone shows them)."""
    lines = [_decoded_value(line, codec) for line in head.split(b"\n")]
    return Reading(f"values and message decoded as {codec}",
                   tuple(_header_identities(_raw_lines("\n".join(lines)))),
                   _decode(body, codec))


def _decoded_value(line: bytes, codec: str) -> str:
    key, sep, rest = line.partition(b" ")
    if key.decode("ascii", "replace") not in _ROLES:
        return line.decode("utf-8", "replace")
    return f"{key.decode('ascii')}{sep.decode('ascii')}{_decode(rest, codec)}"


def _whole_reading(raw: bytes, codec: str) -> Reading:
    """The whole object decoded by `codec`, then split into header and message: what
    `git log` prints for a commit that declares the encoding."""
    head, _, body = _decode(raw, codec).partition("\n\n")
    return Reading(f"whole object decoded as {codec}",
                   tuple(_header_identities(_raw_lines(head))), body)


def _decode(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec, "replace")
    except (UnicodeError, ValueError, TypeError):  # a codec that failed on these bytes
        return data.decode("utf-8", "replace")


# Bytes that a text codec must get through with errors replaced, to be used here (some
# codecs refuse the "replace" handler, and must not end the check).
_SAMPLE = b"a<@>\n\x00\x80\xff\xfe"


def _codecs(encodings: list[str]) -> list[str]:
    """The Python text codecs for the declared encodings; the probes for one Python does
    not know (or cannot decode any bytes with)."""
    found: list[str] = []
    for name in encodings:
        found.extend([name] if _usable(name) else _PROBES)
    return list(dict.fromkeys(found))


def _usable(codec: str) -> bool:
    try:
        _SAMPLE.decode(codec, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        return False
    return True


def _adds(reading: Reading, text: CommitText) -> bool:
    """Whether a reading holds something the plain one does not."""
    if reading.message is not None and reading.message != text.message:
        return True
    shown = {("author", text.author), ("committer", text.committer)}
    return any(pair not in shown for pair in reading.identities)


# ------------------------------------------------------------------ git's message cleanup
# The commit-msg hook sees the message file before git cleans it; what git stores is that
# file cleaned by the mode of `git commit --cleanup` (or `commit.cleanup`), with the comment
# character of `core.commentChar`. Reproduced here from git's commit.c, sequencer.c and
# strbuf.c, so that the hook judges the text git will store, not the file.
CLEANUP_MODES = ("strip", "whitespace", "verbatim", "scissors")
_CUT_LINE = "------------------------ >8 ------------------------\n"
# What `core.commentChar=auto` picks from: the first of these no line starts with.
_AUTO_CANDIDATES = "#;@!$%^&|:"
_GIT_SPACE = " \t\n\r"


@dataclass(frozen=True)
class Cleanup:
    """One way git may clean a message file: the mode, the comment prefix (None: lines are
    never comments; "auto": chosen from the message), and whether the text is cut at a
    scissors line (`--verbose`, or the scissors mode with an editor)."""

    mode: str
    comment: str | None
    cut: bool


def cleanup_mode(arg: str | None, use_editor: bool) -> str:
    """git's `get_cleanup_mode`: what `--cleanup=arg` means with or without an editor."""
    if arg is None or arg == "default":
        return "strip" if use_editor else "whitespace"
    if arg == "scissors" and not use_editor:
        return "whitespace"
    return arg


def stored_message(message: str, how: Cleanup) -> str:
    """The text git stores for a message file cleaned as `how` says (comment "auto" is
    resolved from `message`, as git does when no editor runs)."""
    comment = auto_comment(message) if how.comment == "auto" else how.comment
    if how.cut or how.mode == "scissors":
        message = _cut(message, comment if comment is not None else "#")
    if how.mode == "verbatim":
        return message
    return stripspace(message, comment if how.mode == "strip" else None)


def auto_comment(message: str) -> str | None:
    """The comment character `core.commentChar=auto` picks for `message` (git's
    `adjust_comment_line_char`): `#` unless the message holds one, else the first candidate
    no line starts with; None when every candidate starts a line (git then refuses)."""
    if "#" not in message:
        return "#"
    starts = {message[0]} if message else set()
    for i, char in enumerate(message[:-1]):
        if char in "\n\r":
            starts.add(message[i + 1])
    return next((c for c in _AUTO_CANDIDATES if c not in starts), None)


def line_starts(message: str) -> set[str]:
    """The characters that start a line of `message` (a line break being `\\n` or `\\r`)."""
    starts = {message[0]} if message else set()
    starts.update(line[:1] for line in message.replace("\r", "\n").split("\n") if line)
    return starts


def _cut(message: str, comment: str) -> str:
    """`message` up to the scissors line (git's `wt_status_locate_end`)."""
    line = f"{comment} {_CUT_LINE}"
    if message.startswith(line):
        return ""
    found = message.find("\n" + line)
    return message if found < 0 else message[:found + 1]


def stripspace(text: str, comment: str | None) -> str:
    """git's `strbuf_stripspace`: lines that start with `comment` dropped, trailing blanks
    of each line dropped, runs of blank lines made one, blank lines at both ends dropped,
    and a final newline."""
    out: list[str] = []
    empties = 0
    for raw in text.split("\n"):
        if comment and raw.startswith(comment):
            continue
        line = raw.rstrip(_GIT_SPACE)
        if not line:
            empties += 1
            continue
        if empties and out:
            out.append("")
        empties = 0
        out.append(line)
    return "".join(f"{line}\n" for line in out)


def stored_messages(message: str, config: dict[str, str], command: Sequence[str] | None,
                    use_editor: bool) -> list[str]:
    """The texts git may store for the message file of the commit being made: one when the
    `git commit` command line is known (`command`: its arguments after `commit`), else one
    for each mode it may name (fail closed: what each keeps is judged). `config` holds
    `commit.cleanup`, `commit.verbose` and `core.commentchar` as `git config` gives them;
    `use_editor` is whether an editor ran (git sets GIT_EDITOR=: for the hook when not)."""
    comments = _comments(message, config.get("core.commentchar"), use_editor)
    known = _commit_options(command, config) if command is not None else None
    if known is None:
        ways = [(cleanup_mode(m, use_editor), False)
                for m in dict.fromkeys((*CLEANUP_MODES, config.get("commit.cleanup")))]
    else:
        ways = [(cleanup_mode(known[0], use_editor), known[1])]
    texts = (stored_message(message, Cleanup(mode, comment, cut))
             for mode, cut in ways for comment in comments)
    return list(dict.fromkeys(texts))


def _comments(message: str, setting: str | None, use_editor: bool) -> list[str | None]:
    """The comment prefixes git may clean `message` with. With `auto` and no editor, git
    picks it from this very text; after an editor it picked it from the text the editor
    started with, unseen here: any candidate that starts a line may be it, or none."""
    if setting is None or setting == "":
        return ["#"]
    if setting.casefold() != "auto":
        return [setting]
    if not use_editor:
        return [auto_comment(message)]
    return [None, *(c for c in _AUTO_CANDIDATES if c in line_starts(message))]


# `git commit` options whose value may be the next argument (a message may read like an
# option); long names must be whole: git takes unique abbreviations, which are read as an
# unknown command line (every mode).
_LONG_VALUES = frozenset({"message", "file", "author", "date", "reuse-message",
                          "reedit-message", "fixup", "squash", "template", "cleanup",
                          "trailer", "pathspec-from-file"})
_LONG_FLAGS = frozenset({
    "all", "patch", "include", "only", "interactive", "quiet", "verbose", "no-verbose",
    "signoff", "no-signoff", "no-verify", "verify", "edit", "no-edit", "amend", "no-amend",
    "dry-run", "short", "branch", "porcelain", "long", "null", "allow-empty",
    "allow-empty-message", "reset-author", "no-post-rewrite", "status", "no-status",
    "no-cleanup", "pathspec-file-nul", "no-gpg-sign", "ahead-behind", "no-ahead-behind",
    "untracked-files", "gpg-sign"})
_SHORT_VALUES = "mFcCt"
_SHORT_FLAGS = "apioqvsnezu"


# What a `git commit` command line sets: its --cleanup argument, and whether it is verbose.
_Options = tuple[str | None, bool]


def _commit_options(command: Sequence[str], config: dict[str, str]) -> _Options | None:
    """The `--cleanup` argument and whether the text is cut at a scissors line (verbose)
    of a `git commit` command line; None for one that cannot be read for sure."""
    options: _Options | None = (config.get("commit.cleanup"),
                                _true(config.get("commit.verbose")))
    args = iter(command)
    for arg in args:
        if arg == "--" or options is None:
            break
        if arg.startswith("--"):
            options = _long_option(arg[2:], args, *options)
        elif arg.startswith("-") and len(arg) > 1:
            options = _short_options(arg[1:], args, *options)
    return options


def _long_option(option: str, args: Iterator[str], cleanup: str | None,
                 verbose: bool) -> _Options | None:
    """Apply one long option (taking its value from `args` when it has one and it is not
    attached); None for one not known here."""
    name, eq, val = option.partition("=")
    if name in _LONG_VALUES:
        val = val if eq else next(args, "")
        return (val if name == "cleanup" else cleanup), verbose
    if name not in _LONG_FLAGS or (eq and name not in ("untracked-files", "gpg-sign")):
        return None
    if name in ("verbose", "no-verbose"):
        return cleanup, name == "verbose"
    return (None if name == "no-cleanup" else cleanup), verbose


def _short_options(chars: str, args: Iterator[str], cleanup: str | None,
                   verbose: bool) -> _Options | None:
    """Apply a bundle of short options (skipping the value of its last from `args`); None
    for a letter not known here."""
    bundle = _short_bundle(chars)
    if bundle is None:
        return None
    if bundle[1]:
        next(args, "")
    return cleanup, verbose or "v" in bundle[0]


def _short_bundle(chars: str) -> tuple[str, bool] | None:
    """The flags of a bundle of short options (`-avm`) and whether its last takes the next
    argument as its value; None for a letter that is not known here."""
    for i, char in enumerate(chars):
        if char in _SHORT_VALUES:
            return chars[:i], i == len(chars) - 1
        if char in "uS":  # an optional value, attached
            return chars[:i], False
        if char not in _SHORT_FLAGS:
            return None
    return chars, False


def _true(setting: str | None) -> bool:
    """A git boolean or integer (`commit.verbose`); unset is false."""
    if setting is None:
        return False
    text = setting.strip().casefold()
    if text in ("", "false", "no", "off"):
        return False
    try:
        return int(text, 0) != 0
    except ValueError:
        return True
