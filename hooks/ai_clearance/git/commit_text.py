"""What a commit object says about itself, read as each of its readers may read it (pure).

`git log` re-encodes a whole commit object whose header declares an encoding (so an author
written in ASCII under `encoding IBM037` prints as nothing), shows one author line of several,
one address of an author line that holds two, and stops at a NUL byte; other readers decode
only the message by the declared encoding, or not at all. The common commit has one reading;
an odd one gets every reading, so that no header or byte hides a trace from the detectors.
"""

from __future__ import annotations

import re
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
