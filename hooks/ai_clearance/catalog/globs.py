"""Path globs of the catalog and the policy, translated to regular expressions."""

from __future__ import annotations

import re

from ai_clearance.catalog.patterns import Pattern, PatternError


class GlobError(ValueError):
    """A glob that cannot be translated."""


def glob_to_regex(glob: str) -> str:
    """Translate a repository-relative glob to an anchored regex source.

    `**/` matches zero or more directories, a trailing `/**` everything below a directory,
    `*`, `?` and `[...]` stay within one path component. Every other character, a newline
    included, stands for itself.
    """
    if not glob or glob.startswith("/") or "\x00" in glob:
        raise GlobError(f"invalid glob {glob!r}")
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        if glob.startswith("**", i):
            out.append(_double_star(glob, i))
            i += 3 if glob.startswith("**/", i) else 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[":
            negate = glob.startswith("[!", i)
            start = i + 2 if negate else i + 1
            end = glob.find("]", start + 1)  # a ']' first in the class is one of its members
            if end < 0:
                raise GlobError(f"unclosed '[' in {glob!r}")
            out.append(_char_class(glob, glob[start:end], negate))
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def _double_star(glob: str, i: int) -> str:
    """`**` as a whole component: `**/` (any folders), or a final `/**` (anything below)."""
    if i > 0 and glob[i - 1] != "/":
        raise GlobError(f"'**' must be a whole path component in {glob!r}")
    if glob.startswith("**/", i):
        return "(?:[^/]*/)*"
    if i + 2 != len(glob):
        raise GlobError(f"'**' must be a whole path component in {glob!r}")
    return "(?s:.*)"  # every character, newlines too: a path may hold any byte but NUL


def _char_class(glob: str, body: str, negate: bool) -> str:
    """`[abc]`, `[a-z]` or `[!abc]`, which never matches '/' (it stays in one component):
    '/' is left out of every member and range."""
    items = []
    j = 0
    while j < len(body):
        if j + 2 < len(body) and body[j + 1] == "-":
            low, high = body[j], body[j + 2]
            if low > high:
                raise GlobError(f"bad range '{low}-{high}' in {glob!r}")
            items.extend(_range_without_slash(low, high))
            j += 3
        else:
            if body[j] != "/":
                items.append(re.escape(body[j]))
            j += 1
    if negate:
        return f"[^/{''.join(items)}]"
    return f"[{''.join(items)}]" if items else "[^\\x00-\\x{10FFFF}]"  # matches nothing


def _range_without_slash(low: str, high: str) -> list[str]:
    """The range low-high as regex class items, split around '/' when it holds it."""
    if not low <= "/" <= high:
        return [f"{re.escape(low)}-{re.escape(high)}"]
    parts = []
    if low < "/":
        parts.append(f"{re.escape(low)}-{re.escape('.')}")
    if high > "/":
        parts.append(f"{re.escape('0')}-{re.escape(high)}")
    return parts


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
    except (GlobError, PatternError) as exc:
        raise GlobError(f"invalid glob {written or glob!r}: {exc}") from None
    return source


def could_hold(glob: str, folder: list[str]) -> bool:
    """Whether some path below the folder (its components) could match `glob` with the
    folder taking part: at least one of its components matched by a component of the glob
    other than a leading `**`. (A path that matches with the whole folder inside a leading
    `**/` also matches wherever else that same tail is.)"""
    parts = glob.split("/")
    memo: dict[tuple[int, int, bool], bool] = {}

    def walk(i: int, j: int, took_part: bool) -> bool:
        if j == len(folder):
            return took_part and i < len(parts)
        key = (i, j, took_part)
        if key not in memo:
            memo[key] = i < len(parts) and (
                (parts[i] == "**" and (walk(i + 1, j, took_part) or walk(i, j + 1, took_part)))
                or (parts[i] != "**" and _component(parts[i]).match(folder[j]) is not None
                    and walk(i + 1, j + 1, True)))
        return memo[key]

    return walk(0, 0, False)


_COMPONENTS: dict[str, re.Pattern[str]] = {}


def _component(part: str) -> re.Pattern[str]:
    pattern = _COMPONENTS.get(part)
    if pattern is None:
        # An empty part (a glob ending in '/') matches the empty component after a '/'.
        pattern = _COMPONENTS[part] = re.compile((glob_to_regex(part) if part else "") + r"\Z")
    return pattern
