"""GitHub Actions expressions (`${{ ... }}`) whose value is known without running: string
literals, true/false/null, whole numbers, and `format()` of such values. GitHub substitutes
an expression's value into a `run:` script (or an image, an action reference) before any
shell sees it, so `${{ 'codex' }} exec` runs codex. Any other expression (a context, an
operator, another function) is left as it is written: its value is not known here."""

from __future__ import annotations

import re

_OPEN = "${{"
_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|([0-9]+)\b|([A-Za-z_][A-Za-z0-9_-]*)|([(),]))")


def substitute(text: str) -> str:
    """`text` with each constant expression replaced by its value, as GitHub would."""
    if _OPEN not in text:
        return text
    out: list[str] = []
    i = 0
    while True:
        start = text.find(_OPEN, i)
        if start < 0:
            out.append(text[i:])
            return "".join(out)
        end = _closing(text, start + len(_OPEN))
        if end < 0:
            out.append(text[i:])
            return "".join(out)
        found = evaluate(text[start + len(_OPEN):end])
        out.append(text[i:start])
        out.append(text[start:end + 2] if found is None else found)
        i = end + 2


def _closing(text: str, i: int) -> int:
    """Where the `}}` that ends an expression starts (string literals skipped), or -1."""
    n = len(text)
    while i < n:
        if text[i] == "'":
            i += 1
            while i < n:
                if text[i] == "'":
                    if text.startswith("''", i):
                        i += 2
                        continue
                    break
                i += 1
            i += 1
        elif text.startswith("}}", i):
            return i
        else:
            i += 1
    return -1


def evaluate(expression: str) -> str | None:
    """The value of a constant expression as GitHub writes it into text; None when the
    expression is not one this module knows to be constant."""
    tokens = _tokens(expression)
    if tokens is None:
        return None
    parser = _Parser(tokens)
    value = parser.value()
    return value if value is not None and parser.at_end() else None


def _tokens(expression: str) -> list[tuple[str, str]] | None:
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(expression)
    while i < n:
        match = _TOKEN.match(expression, i)
        if match is None:
            return tokens if expression[i:].isspace() else None
        string, number, name, punct = match.groups()
        if string is not None:
            tokens.append(("str", string[1:-1].replace("''", "'")))
        elif number is not None:
            tokens.append(("str", str(int(number))))
        elif name is not None:
            tokens.append(("name", name.casefold()))
        else:
            tokens.append(("punct", punct))
        i = match.end()
    return tokens


_MAX_NESTING = 50
_LITERALS = {"true": "true", "false": "false", "null": ""}


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    def at_end(self) -> bool:
        return self.at == len(self.tokens)

    def take(self) -> tuple[str, str] | None:
        if self.at_end():
            return None
        token = self.tokens[self.at]
        self.at += 1
        return token

    def value(self) -> str | None:
        """A value, nested at most _MAX_NESTING deep (parentheses and calls)."""
        if self.depth >= _MAX_NESTING:
            return None
        self.depth += 1
        try:
            return self._value()
        finally:
            self.depth -= 1

    def _value(self) -> str | None:
        token = self.take()
        if token is None:
            return None
        kind, text = token
        if kind == "str":
            return text
        if kind == "punct" and text == "(":
            inner = self.value()
            return inner if self.take() == ("punct", ")") else None
        if kind != "name":
            return None
        if text in _LITERALS:
            return _LITERALS[text]
        if text == "format" and self.take() == ("punct", "("):
            args = self.arguments()
            return None if not args else _format(args[0], args[1:])
        return None

    def arguments(self) -> list[str] | None:
        args: list[str] = []
        while True:
            arg = self.value()
            if arg is None:
                return None
            args.append(arg)
            token = self.take()
            if token == ("punct", ")"):
                return args
            if token != ("punct", ","):
                return None


_FORMAT_PART = re.compile(r"\{\{|\}\}|\{([0-9]+)\}|[{}]")


def _format(template: str, args: list[str]) -> str | None:
    """GitHub's format(): `{N}` is argument N, `{{` and `}}` are braces; anything else
    (a lone brace, an index past the arguments) is an error."""
    out: list[str] = []
    i = 0
    for match in _FORMAT_PART.finditer(template):
        out.append(template[i:match.start()])
        part = match.group(0)
        if part in ("{{", "}}"):
            out.append(part[0])
        elif match.group(1) is not None and int(match.group(1)) < len(args):
            out.append(args[int(match.group(1))])
        else:
            return None
        i = match.end()
    out.append(template[i:])
    return "".join(out)
