"""Split a commit message into the lines that can carry a trace (pure, no git)."""

from __future__ import annotations

import re

from .normalize import normalize_text
from .values import value

_SCISSORS = re.compile(r"^# -+ >8 -+$")
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)")
_TRAILER = re.compile(r"^([a-z0-9][a-z0-9 _-]{0,62}?) ?: ?(.*)$")
_KEY_SEPARATORS = re.compile(r"[ _]+")
_EMAIL_IN_BRACKETS = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
_BARE_EMAIL = re.compile(r"^([^<>\s]+@[^<>\s]+)$")


@value
class MessageLine:
    """A line that may carry a trace: its 1-based number, original text and normalized text."""

    number: int
    raw: str
    text: str
    is_subject: bool


@value
class Trailer:
    """A `Key: value` line, with the key normalized (lower case, dashes)."""

    line: MessageLine
    key: str
    value: str


def message_lines(message: str, strip_comments: bool = False) -> list[MessageLine]:
    """Lines of `message` outside code fences and quotes, with folded continuations joined.

    `strip_comments` drops `#` lines and everything below a scissors line, as git does for a
    message file that is about to become a commit.
    """
    message = message.replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = message.split("\n")
    # ASCII normalization is line by line (folding, runs of spaces), so a whole ASCII
    # message is normalized in one call; other text goes line by line.
    texts = normalize_text(message).split("\n") if message.isascii() else None
    kept: list[MessageLine] = []
    in_fence = False
    subject_seen = False
    previous_was_trailer = False
    for index, raw in enumerate(raw_lines, start=1):
        if strip_comments:
            if _SCISSORS.match(raw):
                break
            if raw.startswith("#"):
                continue
        text = texts[index - 1] if texts is not None else normalize_text(raw)
        if _FENCE.match(text):
            in_fence = not in_fence
            previous_was_trailer = False
            continue
        if in_fence:
            continue
        stripped = text.strip()
        if not stripped:
            previous_was_trailer = False
            continue
        if previous_was_trailer and raw[:1] in (" ", "\t") and kept:
            # A folded trailer: git joins continuation lines to the trailer above.
            last = kept[-1]
            kept[-1] = MessageLine(last.number, f"{last.raw} {raw.strip()}",
                                   f"{last.text} {stripped}", last.is_subject)
            continue
        if stripped.startswith(">") or raw.startswith(("    ", "\t")):
            # Quoted and indented lines are quotations or code, not the commit's own trailers.
            previous_was_trailer = False
            continue
        is_subject = not subject_seen
        subject_seen = True
        kept.append(MessageLine(index, raw.strip(), stripped, is_subject))
        previous_was_trailer = _TRAILER.match(stripped) is not None
    return kept


def trailers(lines: list[MessageLine], subject_too: bool = False) -> list[Trailer]:
    """Every `Key: value` line, wherever it stands: a trace does not hide by moving up.
    git never reads the subject as a trailer; `subject_too` does, for detection: a message
    that is nothing but `Co-authored-by: ...` still names its co-author."""
    found = []
    for line in lines:
        if line.is_subject and not subject_too:
            continue
        match = _TRAILER.match(line.text)
        if match:
            key = _KEY_SEPARATORS.sub("-", match.group(1).strip())
            found.append(Trailer(line, key, match.group(2).strip()))
    return found


def split_identity(value: str) -> tuple[str, str] | None:
    """Split `Name <email>` (or a bare address) into name and email, or None."""
    match = _EMAIL_IN_BRACKETS.search(value)
    if match:
        return value[: match.start()].strip(), match.group(1)
    match = _BARE_EMAIL.match(value)
    if match:
        return "", match.group(1)
    return None
