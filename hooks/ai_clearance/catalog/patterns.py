"""Regular expressions that the catalog, a policy or an approval supplies, run by RE2.

RE2 matches in time linear in the text for every pattern it accepts, so no rule can make a
check hang (Python's `re` backtracks: `(a|aa)+$` takes exponential time on a line of a's).
It refuses what cannot run in linear time: back-references and look-around.
"""

from __future__ import annotations

import functools
import re
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@functools.lru_cache(maxsize=512)
def _compile(source: str, case_sensitive: bool) -> Any:
    """RE2's compiled `source` (imported here: a hook that compiles no pattern saves ~3 ms)."""
    import re2  # type: ignore[import-untyped]

    options = re2.Options()
    options.log_errors = False  # its own stderr lines would break "one line per error"
    options.never_capture = True  # only whether it matches is asked: groups cost time
    options.case_sensitive = case_sensitive
    try:
        return re2.compile(source, options)
    except re2.error as exc:
        raise PatternError(_reason(exc)) from None
    except UnicodeEncodeError:
        raise PatternError("holds a lone surrogate, which no text can match") from None


# A lone surrogate (a path byte that was not UTF-8) cannot be encoded for RE2: it stands as
# U+FFFD, one character for one, so `?` and `*` count it as before.
_SURROGATE = re.compile("[\ud800-\udfff]")


class PatternError(ValueError):
    """A pattern RE2 does not accept; the message says why, in one line."""


class Pattern:
    """A compiled pattern whose search and match cost time linear in the text."""

    __slots__ = ("_regexp", "pattern")

    def __init__(self, source: str, ignore_case: bool = False, multiline: bool = False) -> None:
        self.pattern = source
        self._regexp = _compile(f"(?m){source}" if multiline else source, not ignore_case)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> bool:
        """Whether the pattern matches anywhere in text[pos:endpos]."""
        try:
            return self._regexp.search(text, pos, endpos) is not None
        except UnicodeEncodeError:
            return self._regexp.search(_SURROGATE.sub("\ufffd", text), pos, endpos) is not None

    def end(self, text: str) -> int:
        """Where the first match in `text` ends; -1 when there is none."""
        try:
            found = self._regexp.search(text)
        except UnicodeEncodeError:
            found = self._regexp.search(_SURROGATE.sub("\ufffd", text))
        return -1 if found is None else int(found.end())

    def match(self, text: str) -> bool:
        """Whether the pattern matches at the start of `text`."""
        try:
            return self._regexp.match(text) is not None
        except UnicodeEncodeError:
            return self._regexp.match(_SURROGATE.sub("\ufffd", text)) is not None


def _reason(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else ""
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    detail = " ".join(str(detail).split())
    if re.search(r"\(\?<?[=!]", detail) or detail.endswith("(?<"):
        return f"{detail} (look-around cannot run in linear time; RE2 syntax is expected)"
    if re.search(r"\\[1-9]", detail) or detail.endswith("(?P"):
        return f"{detail} (back-references cannot run in linear time; RE2 syntax is expected)"
    if "\\Z" in detail:
        return f"{detail} (write \\z for the end of the text)"
    return detail or "not a valid RE2 pattern"


def compile_pattern(source: str, ignore_case: bool = False, multiline: bool = False) -> Pattern:
    """Compile `source` with RE2; PatternError says why it cannot be used."""
    return Pattern(source, ignore_case=ignore_case, multiline=multiline)


def any_of(sources: list[str] | tuple[str, ...], multiline: bool = False) -> Pattern:
    """One pattern matching where any of `sources` matches (a screen: one search, not one
    per source)."""
    return Pattern("|".join(f"(?:{src})" for src in sources), multiline=multiline)
