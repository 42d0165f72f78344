"""Bash's parameter operators worked out on a value a script set to a constant (shell.py
reads the script): case change (`${T,,}`, `${T^}`, `${T~~}`, `${T@U}`), removal of a
prefix or suffix (`${T#x}`, `${T%%x*}`), substitution (`${T/x/c}`, `${T//x}`), a
substring (`${T:1:3}`), and an array's element or slice (`${A[1]}`, `${A[@]:1}`).

Patterns are globs (`*`, `?`, `[...]`, quoted or escaped characters literal). A value
longer than MAX_MATCHED is not matched: the result is not known (None), so one operation
tries at most MAX_MATCHED squared slices; each slice tried is paid from the reading's
budget (`spend`), so a script of many operations is refused, not slow."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable

MAX_MATCHED = 128
_INTEGER = re.compile(r"\s*\(?\s*([-+]?)\s*\$?\{?([0-9]{1,9}|[A-Za-z_][A-Za-z0-9_]*)\}?\s*\)?\s*")

Lookup = Callable[[str], "str | None"]
Spend = Callable[[int], None]


def operated(value: str, operator: str, rest: str, lookup: Lookup,
             spend: Spend) -> str | None:
    """`value` with the operator of `${NAME<operator><rest>}` applied (`,` `^` `~` `@`
    `#` `%` `/` `:`); None when not known. `lookup` gives the value of a variable the
    script set (for `${T:$N}`)."""
    if operator in ",^~":
        return _cased(value, operator, rest, spend)
    if operator == "@":
        return {"U": value.upper(), "L": value.lower(),
                "u": value[:1].upper() + value[1:]}.get(rest)
    if operator == ":":
        start, colon, length = rest.partition(":")
        return _substring(value, start, length if colon else None, lookup)
    if len(value) > MAX_MATCHED or operator not in "#%/":
        return None
    return _matched(value, operator, rest, spend)


def _matched(value: str, operator: str, rest: str, spend: Spend) -> str | None:
    """`${T#x}` `${T##x}` `${T%x}` `${T%%x}` `${T/x/y}`."""
    if operator == "/":
        return _replaced(value, rest, spend)
    longest = rest.startswith(operator)
    pattern = _glob(rest[1:] if longest else rest)
    if pattern is None:
        return None
    return _removed(value, pattern, operator == "#", longest, spend)


def element(elements: list[str], index: str, lookup: Lookup) -> str | None:
    """The element `${A[index]}` of an indexed array (a negative index counts from the
    end); "" past its end, None when the index is not known."""
    k = _integer(index, lookup)
    if k is None:
        return None
    if k < 0:
        k += len(elements)
    return elements[k] if 0 <= k < len(elements) else ""


def sliced(elements: list[str], rest: str, lookup: Lookup) -> list[str] | None:
    """`${A[@]:start:length}`'s elements; None when not known."""
    start_text, colon, length_text = rest.partition(":")
    start = _integer(start_text, lookup)
    length = _integer(length_text, lookup) if colon else len(elements)
    if start is None or length is None:
        return None
    if start < 0:
        start = max(0, start + len(elements))
    end = start + length if length >= 0 else len(elements) + length
    return elements[start:max(start, end)]


def _integer(text: str, lookup: Lookup) -> int | None:
    found = _INTEGER.fullmatch(text)
    if found is None:
        return None
    sign, number = found.groups()
    if not number.isdigit():
        known = lookup(number)
        number = (known or "0").strip()  # an unset name is 0 in arithmetic
        if not re.fullmatch(r"[-+]?[0-9]{1,9}", number):
            return None
    return -int(number) if sign == "-" else int(number)


def _substring(value: str, start_text: str, length_text: str | None,
               lookup: Lookup) -> str | None:
    start = _integer(start_text, lookup)
    length = _integer(length_text, lookup) if length_text is not None else len(value)
    if start is None or length is None:
        return None
    if start < 0:
        start += len(value)
        if start < 0:
            return ""  # bash: an offset before the start expands to nothing
    end = start + length if length >= 0 else len(value) + length
    return value[start:max(start, end)]


def _cased(value: str, operator: str, rest: str, spend: Spend) -> str | None:
    """`${T,,}` (every character), `${T,}` (the first), or only those matching a pattern
    (`${T^^[cl]}`)."""
    every = rest.startswith(operator)
    text = rest[1:] if every else rest
    pattern = _glob(text) if text else None
    if text and pattern is None:
        return None
    change = {",": str.lower, "^": str.upper, "~": str.swapcase}[operator]
    spend(len(value))
    out = []
    for k, c in enumerate(value):
        if (every or k == 0) and (pattern is None or pattern.fullmatch(c)):
            out.append(change(c))
        else:
            out.append(c)
    return "".join(out)


def _removed(value: str, pattern: re.Pattern[str], prefix: bool, longest: bool,
             spend: Spend) -> str:
    n = len(value)
    sizes = range(n, -1, -1) if longest else range(n + 1)
    for size in sizes:
        spend(size + 1)
        piece = value[:size] if prefix else value[n - size:]
        if pattern.fullmatch(piece):
            return value[size:] if prefix else value[:n - size]
    return value


def _replaced(value: str, rest: str, spend: Spend) -> str | None:
    """`${T/x/y}` (the first match), `${T//x/y}` (all), `${T/#x/y}` (at the start),
    `${T/%x/y}` (at the end); a match is the longest from the leftmost start."""
    mode = rest[:1] if rest[:1] in ("/", "#", "%") else ""
    body = rest[len(mode):]
    text, replacement = _split_replacement(body)
    pattern = _glob(text)
    if pattern is None or not text:
        return None if pattern is None else value
    n = len(value)
    if mode in ("#", "%"):
        for size in range(n, -1, -1):
            spend(size + 1)
            start = 0 if mode == "#" else n - size
            if pattern.fullmatch(value, start, start + size):
                return value[:start] + replacement + value[start + size:]
        return value
    finder = re.compile(pattern.pattern.removesuffix(r"\Z"))
    out: list[str] = []
    at = 0
    while at <= n:
        spend(n - at + 1)
        found = finder.search(value, at)
        if found is None:
            break
        start = found.start()
        end = next((e for e in range(n, start - 1, -1)
                    if _tried(spend, e - start) and pattern.fullmatch(value, start, e)), start)
        out.append(value[at:start] + replacement)
        if end == start:  # an empty match: bash moves on by one character
            out.append(value[start:start + 1])
            end = start + 1
        at = end
        if mode != "/":
            break
    out.append(value[at:])
    return "".join(out)


def _tried(spend: Spend, size: int) -> bool:
    spend(size + 1)
    return True


def _split_replacement(body: str) -> tuple[str, str]:
    """A substitution's pattern and replacement, split at the first `/` not escaped."""
    k = 0
    while k < len(body):
        if body[k] == "\\":
            k += 2
            continue
        if body[k] == "/":
            return body[:k], _unquoted(body[k + 1:])
        k += 1
    return body, ""


def _unquoted(text: str) -> str:
    return re.sub(r"""\\(.)|["']""", lambda m: m.group(1) or "", text)


def _glob(text: str) -> re.Pattern[str] | None:
    """A bash glob as a pattern for whole strings: quoted and escaped characters stand
    for themselves; None for one too long to be a person's."""
    if len(text) > MAX_MATCHED:
        return None
    parts: list[str] = []
    k, n = 0, len(text)
    quote = ""
    while k < n:
        c = text[k]
        if quote:
            if c == quote:
                quote = ""
            else:
                parts.append(_literal(c))
        elif c in "'\"":
            quote = c
        elif c == "\\" and k + 1 < n:
            k += 1
            parts.append(_literal(text[k]))
        elif c == "[":
            close = text.find("]", k + 2)
            if close < 0:
                parts.append("[[]")
            else:
                inner = text[k + 1:close]
                parts.append("[" + ("!" + inner[1:] if inner[:1] == "^" else inner) + "]")
                k = close
        else:
            parts.append(c)
        k += 1
    return re.compile(fnmatch.translate("".join(parts)))


def _literal(c: str) -> str:
    return f"[{c}]" if c in "*?[" else c
