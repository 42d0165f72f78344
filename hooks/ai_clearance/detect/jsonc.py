"""JSON with comments (JSONC), as dev containers and editors write it: `//` and `/* */`
comments and trailing commas are allowed. Read in one linear pass that blanks the comments
and drops the trailing commas (strings kept as they are), then by the standard library's
JSON reader. Every key keeps all its values: a key written twice must not hide one of them
from a reader that takes the first where the tool takes the last."""

from __future__ import annotations

import json
import re

# The characters that may start a string, a comment or a trailing comma.
_SPECIAL = re.compile(r'["/,]')
# A string's body after its opening quote: never fails, and never backtracks (each
# character is taken by one branch), so an unclosed string costs its length once.
_STRING_BODY = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
_BLANKS = re.compile(r"\s*")
_TRAILING = re.compile(r",\s*[\]}]")  # may be inside a string: then the pass finds none


class Pairs(dict[str, list[object]]):
    """A JSON object: each key with every value it was given, in order."""


def _pairs(items: list[tuple[str, object]]) -> Pairs:
    found = Pairs()
    for key, item in items:
        found.setdefault(key, []).append(item)
    return found


def load_jsonc(text: str) -> object | None:
    """The value of JSONC `text` (objects as Pairs); None when it is not JSON even with
    comments and trailing commas allowed (or nests deeper than the reader follows)."""
    try:
        value: object = json.loads(strip_jsonc(text), object_pairs_hook=_pairs)
    except (ValueError, RecursionError):  # ValueError includes JSONDecodeError
        return None
    return value


def strip_jsonc(text: str) -> str:
    """`text` without its comments (each made a blank, so that line breaks stay) and
    without commas that only blanks and a closing bracket follow."""
    # Each pass is a Python loop over strings: a file that needs none (most package.json
    # files, a devcontainer.json without trailing commas) skips it.
    if "/" in text:
        text = _scan(text, comments=True)
    if _TRAILING.search(text) is not None:
        text = _scan(text, comments=False)
    return text


def _scan(text: str, comments: bool) -> str:
    """One pass: blanks the comments (`comments`) or drops the trailing commas."""
    parts: list[str] = []
    start = at = 0
    n = len(text)
    while True:
        found = _SPECIAL.search(text, at)
        if found is None:
            break
        i = found.start()
        char = text[i]
        at = i + 1
        if char == '"':
            body = _STRING_BODY.match(text, i + 1)
            assert body is not None  # it matches the empty string
            at = body.end() + 1
        elif comments and text.startswith("//", i):
            end = text.find("\n", i)
            parts.append(text[start:i])
            start = at = n if end < 0 else end
        elif comments and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            parts.append(text[start:i] + " " + "\n" * text.count("\n", i, end))
            start = at = end
        elif not comments and char == ",":
            after = _BLANKS.match(text, i + 1)
            assert after is not None  # it matches the empty string
            if text[after.end():after.end() + 1] in ("]", "}") and after.end() < n:
                parts.append(text[start:i])
                start = i + 1
    parts.append(text[start:])
    return "".join(parts)
