"""Path globs of the catalog and the policy, translated to regular expressions."""

from __future__ import annotations

import re

from .patterns import Pattern, PatternError


class GlobError(ValueError):
    """A glob that cannot be translated."""


def glob_to_regex(glob: str) -> str:
    """Translate a repository-relative glob to an anchored regex source.

    `**/` matches zero or more directories, a trailing `/**` everything below a directory,
    `*` and `?` stay within one path component, `[...]` is a character class.
    """
    if not glob or glob.startswith("/") or "\x00" in glob:
        raise GlobError(f"invalid glob {glob!r}")
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        ch = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif glob.startswith("**", i):
            if i + 2 != n or (i > 0 and glob[i - 1] != "/"):
                raise GlobError(f"'**' must be a whole path component in {glob!r}")
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            end = glob.find("]", i + 2)
            if end < 0:
                raise GlobError(f"unclosed '[' in {glob!r}")
            body = glob[i + 1 : end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            escaped = body.replace("\\", "\\\\").replace("^", "\\^").replace("[", "\\[")
            out.append(f"[{'^' if negate else ''}{escaped}]")
            i = end + 1
        else:
            out.append(re.escape(ch))
            i += 1
    return "".join(out)


def compile_globs(globs: list[str] | tuple[str, ...], fold: bool) -> Pattern | None:
    """Compile globs into one anchored pattern (RE2: linear in the path whatever the glob),
    or None when there are none. A glob that cannot be used (`[z-a]`) is a GlobError.

    With `fold`, the globs are case-folded: match them against case-folded paths.
    """
    if not globs:
        return None
    sources = [check_glob(g.casefold() if fold else g, g) for g in globs]
    try:
        return Pattern("(?:" + "|".join(f"(?:{src})" for src in sources) + ")\\z")
    except PatternError as exc:  # each compiles alone: only their number can fail here
        raise GlobError(f"too many globs to match at once: {exc}") from None


def check_glob(glob: str, written: str | None = None) -> str:
    """The regex source of `glob`; GlobError naming the glob as `written` when no path
    could be matched against it (`[z-a]`, an unclosed `[`)."""
    try:
        source = glob_to_regex(glob)
        Pattern(source)
    except PatternError as exc:
        raise GlobError(f"invalid glob {written or glob!r}: {exc}") from None
    return source
