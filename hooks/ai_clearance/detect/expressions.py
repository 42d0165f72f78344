"""GitHub Actions expressions (`${{ ... }}`) whose value is known without running: string
literals, true/false/null, whole numbers, `!`, `&&`, `||`, comparisons, `format()`,
`fromJSON()` (arrays and objects too, with their `[i]`, `.key` and `.*`), `join()`,
`toJSON()`, `contains()`, `startsWith()`, `endsWith()`, and the contexts a
caller knows (`env.AGENT` when the workflow sets `AGENT: claude`). GitHub substitutes an
expression's value into a `run:` script (or an image, an action reference) before any shell
sees it, so `${{ 'codex' }} exec` runs codex. Any other expression (an unknown context, a
function of the runner) is left as it is written: its value is not known here. In a text,
`unknown || 'literal'` is written as its literal: the unknown side may be empty (an input
not given), and then GitHub writes the fallback.

Substitution costs time linear in the text: `format()` nested in itself doubles its value
at each level (a 423-byte workflow once asked for gigabytes), so what one call builds is
bounded by a budget proportional to the text (and to the known values it reads). An
expression past the budget is written in a form that is linear by construction: each
argument of a `format()` at its first place only (`format('{0}{0}', x)` gives x once),
followed by the expression as written. Every piece of the real value is still there, in its
place, for the shell reader to judge; a comparison of such a shortened value is not known.
That form has a budget of its own, which only reading known values again and again can
exhaust: what is past it is left as written and the substitution says it was not judged."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product

from ai_clearance.memo import Memo

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from typing import TypeVar

    _Ordered = TypeVar("_Ordered", str, float)

_OPEN = "${{"
_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|([0-9]+)\b|([A-Za-z_][A-Za-z0-9_-]*)"
                    r"|(\|\||&&|==|!=|<=|>=|[(),.\[\]!<>*]))")

# Characters one call may build: this many per character of its text and of each known
# context's value it reads (once per context, however often it is read), plus a floor for
# short texts. A constant is rarely longer than the text that writes it: only a repeated
# argument (`format('{0}{0}', x)`) or context makes it so.
_BUILD_FACTOR = 8
_BUILD_FLOOR = 1024
_MAX_NESTING = 50
# The linear form copies each piece at most once per level of nesting it is in: its budget
# never runs out but for a known value read again and again.
_LINEAR_FACTOR = _MAX_NESTING + 1

# Combinations of matrix values `substitutions` writes out at most: GitHub runs at most 256
# jobs per matrix, so a workflow asking for more does not run at all.
MATRIX_LIMIT = 256


class _Null:
    """GitHub's null: falsy, written as nothing."""

    def __repr__(self) -> str:
        return "null"


NULL = _Null()


@dataclass(frozen=True)
class _Array:
    """An array (of fromJSON). `filtered`: made by `.*`, so that a property after it is
    read of each item (`x.*.name`)."""

    items: tuple[Value, ...]
    filtered: bool = False


@dataclass(frozen=True)
class _Object:
    """An object (of fromJSON), its keys folded: GitHub reads them without regard to case."""

    pairs: dict[str, Value]

    def __hash__(self) -> int:
        return id(self)


# A value as GitHub has it; None, where a value is expected, means "not known here".
Value = str | bool | int | float | _Null | _Array | _Object
# What a caller may know of a context: a YAML scalar (None is null).
Known = str | bool | int | float | None


@dataclass(frozen=True)
class Substitution:
    """A text with its constant expressions written in. `names`: the context paths its
    expressions read (case-folded, dotted: `env.agent`, `matrix.tool`), known or not.
    `judged` is False when an expression was too costly even to write once in its linear
    form: its text stands as written, and a caller should not pass what it hides."""

    text: str
    names: frozenset[str]
    judged: bool = True


def substitute(text: str, known: Mapping[str, Known] | None = None) -> str:
    """`text` with each constant expression replaced by its value, as GitHub would;
    `known` (context path -> value, `env.AGENT`, any case) gives contexts' values."""
    return substitution(text, known).text


def substitution(text: str, known: Mapping[str, Known] | None = None) -> Substitution:
    """Like `substitute`, with what the expressions read and whether all were written."""
    if _OPEN not in text:
        return Substitution(text, frozenset())
    if not known:
        # The same scalars come back in each version of a workflow: remembered by text.
        found = _PLAIN.get(text)
        if found is None:
            found = _PLAIN.put(text, _substitution(text, None))
        return found
    return _substitution(text, known)


# Texts whose substitution with no context is remembered, up to characters kept.
_PLAIN: Memo[str, Substitution] = Memo(
    8 << 20, cost=lambda text, found: 2 * len(text) + len(found.text))


def _substitution(text: str, known: Mapping[str, Known] | None) -> Substitution:
    folded = {} if not known else {k.casefold(): _known(v) for k, v in known.items()}
    budget = _Budget(_BUILD_FACTOR, len(text))
    linear = _Budget(_LINEAR_FACTOR, len(text))  # the linear forms' own
    names: set[str] = set()
    judged = True
    out: list[str] = []
    i = 0
    while True:
        start = text.find(_OPEN, i)
        end = -1 if start < 0 else _closing(text, start + len(_OPEN))
        if end < 0:
            out.append(text[i:])
            return Substitution("".join(out), frozenset(names), judged)
        written = text[start:end + 2]
        source = text[start + len(_OPEN):end]
        out.append(text[i:start])
        try:
            found = _evaluate(source, folded, budget, names, distinct=False,
                              alternatives=True)
            out.append(written if found is None else found)
        except _Overflow:
            try:
                # The value would be too long: its pieces once each, then the expression.
                found = _evaluate(source, folded, linear, names, distinct=True)
                out.append(written if found is None else f"{found} {written}")
            except _Overflow:
                out.append(written)
                judged = False
        i = end + 2


def substitutions(text: str, choices: Mapping[str, Sequence[Known]],
                  limit: int = MATRIX_LIMIT) -> list[Substitution]:
    """`text` written once per combination of the values of the contexts it reads that
    have several (`matrix.tool: [claude, codex]` gives two texts); a context with one
    value is that value. At most `limit` texts: past it the combinations are cut, and
    each text says it was not judged whole."""
    folded = {k.casefold(): list(v) for k, v in choices.items()}
    read = sorted(n for n in substitution(text).names if folded.get(n))
    single = {n: folded[n][0] for n in read if len(folded[n]) == 1}
    several = [n for n in read if len(folded[n]) > 1]
    count = math.prod(len(folded[n]) for n in several)
    found: list[Substitution] = []
    for values in product(*(folded[n] for n in several)):
        if len(found) == limit:
            break
        done = substitution(text, {**single, **dict(zip(several, values, strict=True))})
        found.append(done if count <= limit else Substitution(done.text, done.names, False))
    return found


def _known(raw: Known) -> Value | None:
    if raw is None:
        return NULL
    if isinstance(raw, (str, bool, int, float)):
        return raw
    return None  # a mapping or a list: not a value written into text


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


def evaluate(expression: str, known: Mapping[str, Known] | None = None) -> str | None:
    """The value of a constant expression as GitHub writes it into text; None when the
    expression is not one this module knows to be constant (or its value is too long)."""
    folded = {} if not known else {k.casefold(): _known(v) for k, v in known.items()}
    try:
        return _evaluate(expression, folded, _Budget(_BUILD_FACTOR, len(expression)), set(),
                         distinct=False)
    except _Overflow:
        return None


def _evaluate(expression: str, known: Mapping[str, Value | None], budget: _Budget,
              names: set[str], distinct: bool, alternatives: bool = False) -> str | None:
    tokens = _tokens(expression)
    if tokens is None:
        return None
    parser = _Parser(tokens, known, budget, names, distinct)
    parser.alternatives = alternatives
    try:
        found = parser.expression()
        if not parser.at_end():
            return None
    except _Invalid:
        return None
    return None if found is None else _written(found)


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
            tokens.append(("num", number))
        elif name is not None:
            tokens.append(("name", name.casefold()))
        else:
            tokens.append(("punct", punct))
        i = match.end()
    return tokens


class _Invalid(Exception):
    """Not an expression GitHub would accept (or nested too deep to judge)."""


class _Overflow(Exception):
    """The value would take more than the budget left."""


class _Budget:
    """Characters left to build in one call: `factor` per character of a text of `size`,
    and of each known value the first time it is read."""

    def __init__(self, factor: int, size: int) -> None:
        self.factor = factor
        self.left = factor * size + _BUILD_FLOOR
        self.read: set[str] = set()

    def spend(self, size: int) -> None:
        if size > self.left:
            raise _Overflow  # nothing is taken: a new context's value can still be paid
        self.left -= size

    def reading(self, path: str, found: str) -> None:
        """Pay for a context's value; the first read of each context adds its share."""
        if path not in self.read:
            self.read.add(path)
            self.left += self.factor * len(found)
        self.spend(len(found))


_LITERALS: dict[str, Value] = {"true": True, "false": False, "null": NULL}
_EQUALITY = ("==", "!=")
_ORDER = ("<", "<=", ">", ">=")


class _Parser:
    """GitHub's grammar, by precedence: `||`, `&&`, `==` `!=`, `<` `<=` `>` `>=`, `!`, then
    a literal, a parenthesis, a call or a context path. Every part is read (a syntax error
    anywhere is _Invalid); a part that is not known is None, and `&&`/`||` still decide
    when the known side does (`false && x` is false)."""

    def __init__(self, tokens: list[tuple[str, str]], known: Mapping[str, Value | None],
                 budget: _Budget, names: set[str], distinct: bool) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0
        self.known = known
        self.budget = budget
        self.names = names
        self.distinct = distinct  # each format() argument at its first place only
        self.shortened = False  # a value so far is shorter than GitHub's (distinct)
        self.alternatives = False  # `unknown || known` is the known fallback (texts)

    def at_end(self) -> bool:
        return self.at == len(self.tokens)

    def peek(self) -> tuple[str, str] | None:
        return None if self.at_end() else self.tokens[self.at]

    def take(self) -> tuple[str, str]:
        if self.at_end():
            raise _Invalid
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, punct: str) -> None:
        if self.take() != ("punct", punct):
            raise _Invalid

    def punct(self, *choices: str) -> str | None:
        """The next token if it is one of `choices` (taken), else None."""
        token = self.peek()
        if token is not None and token[0] == "punct" and token[1] in choices:
            self.at += 1
            return token[1]
        return None

    def nested(self) -> None:
        """One level deeper (an expression in a parenthesis, an argument or an index, or
        a `!`): at most _MAX_NESTING, as Python's stack is."""
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise _Invalid

    def expression(self) -> Value | None:
        self.nested()
        try:
            left = self._and()
            while self.punct("||"):
                right = self._and()
                if left is None:
                    # An unknown value may be empty (an input not given): in a text, its
                    # known fallback is what GitHub then writes, and is read as such.
                    left = right if self.alternatives else None
                else:
                    left = left if _truthy(left) else right
            return left
        finally:
            self.depth -= 1

    def _and(self) -> Value | None:
        left = self._equality()
        while self.punct("&&"):
            right = self._equality()
            left = None if left is None else (right if _truthy(left) else left)
        return left

    def _equality(self) -> Value | None:
        left = self._order()
        while (op := self.punct(*_EQUALITY)) is not None:
            right = self._order()
            same = None if left is None or right is None or self.shortened \
                else _equal(left, right)
            left = None if same is None else same == (op == "==")
        return left

    def _order(self) -> Value | None:
        left = self._unary()
        while (op := self.punct(*_ORDER)) is not None:
            right = self._unary()
            left = None if left is None or right is None or self.shortened \
                else _compare(op, left, right)
        return left

    def _unary(self) -> Value | None:
        if not self.punct("!"):
            return self._postfix()
        self.nested()
        try:
            inner = self._unary()
        finally:
            self.depth -= 1
        return None if inner is None else not _truthy(inner)

    def _postfix(self) -> Value | None:
        kind, text = self.take()
        if kind == "str":
            return text
        if kind == "num":
            # A longer one is beyond what GitHub reads exactly (a double's 15 digits).
            return int(text) if len(text) <= 15 else None
        if kind == "punct" and text == "(":
            inner = self.expression()
            self.expect(")")
            return self._properties(None, inner)
        if kind != "name":
            raise _Invalid
        if self.punct("("):
            return self._properties(None, self._call(text))
        if text in _LITERALS:
            return _LITERALS[text]
        return self._properties([text], None)

    def _properties(self, path: list[str] | None, found: Value | None) -> Value | None:
        """`.name`, `['name']` and `.*` after a context name (`path`) or another value
        (`found`: an array's or an object's member; a scalar's is not known here)."""
        while (op := self.punct(".", "[")) is not None:
            if op == ".":
                kind, text = self.take()
                if kind != "name" and (kind, text) != ("punct", "*"):
                    raise _Invalid
                index: Value | _Wildcard | None = text if kind == "name" else _STAR
            else:
                index = self.expression()
                self.expect("]")
            if path is None:
                found = _member(found, index)
                continue
            if isinstance(index, str):
                path.append(index.casefold())
            else:
                self._note(path)
                path = None
                found = None
        if path is not None:
            self._note(path)
            # A context alone (`env`) is an object, never written as text.
            key = ".".join(path)
            found = self.known.get(key) if len(path) > 1 else None
            if isinstance(found, str):
                self.budget.reading(key, found)
        return found

    def _note(self, path: list[str]) -> None:
        if len(path) > 1:
            self.names.add(".".join(path))

    def _call(self, name: str) -> Value | None:
        args: list[Value | None] = []  # each argument is an expression: one level deeper
        if not self.punct(")"):
            while True:
                args.append(self.expression())
                if self.punct(")"):
                    break
                self.expect(",")
        if any(arg is None for arg in args):
            return None
        values = [arg for arg in args if arg is not None]
        return self._function(name, values)

    def _function(self, name: str, args: list[Value]) -> Value | None:
        if name == "format" and args:
            return self._format(args)
        if self.shortened:
            return None  # what the functions below say of a shortened value is not known
        count = len(args)
        if name == "fromjson" and count == 1 and isinstance(args[0], str):
            self.budget.spend(len(args[0]))
            return _from_json(args[0])
        if name == "join" and count in (1, 2):
            return self._join(args[0], args[1] if count == 2 else ",")
        if name == "tojson" and count == 1:
            return self._to_json(args[0])
        is_search = name in ("contains", "startswith", "endswith") and count == 2
        return _search(name, args[0], args[1]) if is_search else None

    def _format(self, args: list[Value]) -> Value | None:
        texts = [_written(a) for a in args]
        if any(t is None for t in texts):
            return None  # an array or an object: not written as GitHub writes it
        strings = [t for t in texts if t is not None]
        used: set[int] | None = set() if self.distinct else None
        found = _format(strings[0], strings[1:], self.budget, used)
        # Shortened: a repeated argument was left out (truthiness is kept: the pieces
        # are all there once, so the text is empty only when GitHub's is).
        self.shortened = self.shortened or (used is not None and _repeated(used))
        return found

    def _join(self, found: Value, separator: Value) -> Value | None:
        """join(): an array's items written with `separator` between them; a scalar as
        itself; an object as nothing."""
        sep = _written(separator)
        if sep is None:
            return None
        if isinstance(found, _Object):
            return ""
        if not isinstance(found, _Array):
            return _written(found)
        items = [_written(item) for item in found.items]
        if any(item is None for item in items):
            return None
        texts = [item for item in items if item is not None]
        if self.distinct and len(sep) > 1 and len(texts) > 2:
            # Linear form: the separator in its first place only, a space in the others.
            self.budget.spend(sum(map(len, texts)) + len(sep) + len(texts))
            self.shortened = True
            return texts[0] + sep + " ".join(texts[1:])
        self.budget.spend(sum(map(len, texts)) + max(len(texts) - 1, 0) * len(sep))
        return sep.join(texts)

    def _to_json(self, found: Value) -> Value | None:
        """toJSON(): the value as GitHub prints it, indented by two spaces. In the linear
        form a string is quoted without its escapes (each level of toJSON of toJSON would
        double them) and an array or object is printed without indentation."""
        if self.distinct and isinstance(found, str):
            if _JSON_ESCAPED.search(found):
                self.shortened = True
            self.budget.spend(len(found) + 2)
            return f'"{found}"'
        plain = _plain(found)
        if self.distinct:
            self.shortened = self.shortened or isinstance(found, _Array | _Object)
            text = json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
        else:
            text = json.dumps(plain, indent=2, ensure_ascii=False)
        self.budget.spend(len(text))
        return text


_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')


class _Wildcard:
    """`.*`: every item of an array or value of an object."""


_STAR = _Wildcard()


def _member(found: Value | None, index: Value | _Wildcard | None) -> Value | None:
    """`found[index]` (or `found.index`): an array's item, an object's value (null when
    it has none); `.*` the items of either. A property after `.*` is read of each item."""
    if found is None or index is None or not isinstance(found, _Array | _Object):
        return None  # not known, or a scalar's property: not read here
    if isinstance(found, _Array) and found.filtered:
        return _each_member(found, index)
    if isinstance(index, _Wildcard):
        return _Array(_children(found), True)
    if isinstance(found, _Object):
        key = _written(index)
        return None if key is None else found.pairs.get(key.casefold(), NULL)
    number = None if isinstance(index, _Array | _Object) else _number(index)
    if number is None or not number.is_integer() or not 0 <= number < len(found.items):
        return NULL
    return found.items[int(number)]


def _each_member(found: _Array, index: Value | _Wildcard) -> Value | None:
    """A member after `.*`: of each item (its items again, for another `.*`)."""
    if isinstance(index, _Wildcard):
        return _Array(tuple(v for item in found.items for v in _children(item)), True)
    picked = [_member(item, index) for item in found.items
              if isinstance(item, _Array | _Object)]
    if any(v is None for v in picked):
        return None
    return _Array(tuple(v for v in picked if v is not None and v is not NULL), True)


def _children(found: Value) -> tuple[Value, ...]:
    if isinstance(found, _Array):
        return found.items
    return tuple(found.pairs.values()) if isinstance(found, _Object) else ()


def _search(name: str, whole: Value, part: Value) -> Value | None:
    """contains(), startsWith(), endsWith(): of strings, without regard to case;
    contains() of an array, whether an item equals `part` (loosely, as `==`)."""
    if name == "contains" and isinstance(whole, _Array):
        same = [_equal(item, part) for item in whole.items]
        return True if any(same) else (None if None in same else False)
    text, piece = _written(whole), _written(part)
    if text is None or piece is None:
        return None
    text, piece = text.casefold(), piece.casefold()
    if name == "contains":
        return piece in text
    return text.startswith(piece) if name == "startswith" else text.endswith(piece)


def _truthy(found: Value) -> bool:
    """GitHub's truthiness: false, 0, NaN, '' and null are falsy."""
    if isinstance(found, _Null):
        return False
    if isinstance(found, float) and math.isnan(found):
        return False
    return bool(found)


def _written(found: Value) -> str | None:
    """A value as GitHub writes it into text; None for an array or an object (what
    GitHub writes of them is not relied on here: the expression stays as written)."""
    return None if isinstance(found, _Array | _Object) else _text(found)


def _text(found: str | bool | int | float | _Null) -> str:
    """A scalar as GitHub writes it into text."""
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, _Null):
        return ""
    if isinstance(found, float) and found.is_integer():
        return str(int(found))
    return str(found)


_DECIMAL = re.compile(r"\s*-?[0-9]+(?:\.[0-9]+)?\s*")


def _number(found: Value) -> float | None:
    """A value coerced to a number as GitHub does for comparing two types; None for a
    string this module does not read as a number the way GitHub would."""
    if isinstance(found, _Null):
        return 0.0
    if isinstance(found, bool | int | float):
        return float(found)
    if not isinstance(found, str):
        return None
    if not found.strip():
        return 0.0
    return float(found) if _DECIMAL.fullmatch(found) else None


def _equal(left: Value, right: Value) -> bool | None:
    """GitHub's loose `==`: strings without regard to case, other types as numbers (an
    array or an object is equal to itself alone: not known here)."""
    if isinstance(left, _Array | _Object) or isinstance(right, _Array | _Object):
        return None
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right) and not isinstance(left, int | float):
        return left == right
    a, b = _number(left), _number(right)
    return None if a is None or b is None else a == b


def _compare(op: str, left: Value, right: Value) -> bool | None:
    """GitHub's `<`, `<=`, `>`, `>=`: strings without regard to case, else as numbers."""
    if isinstance(left, _Array | _Object) or isinstance(right, _Array | _Object):
        return None
    if isinstance(left, str) and isinstance(right, str):
        return _ordered(op, left.casefold(), right.casefold())
    a, b = _number(left), _number(right)
    return None if a is None or b is None else _ordered(op, a, b)


def _ordered(op: str, a: _Ordered, b: _Ordered) -> bool:
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    return a > b if op == ">" else a >= b


def _from_json(text: str) -> Value | None:
    """fromJSON(): a scalar, an array or an object (nested at most _MAX_NESTING deep);
    None for what does not parse."""
    try:
        found = json.loads(text.strip(), parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    return _value(found, 0)


def _value(found: object, depth: int) -> Value | None:
    """A parsed JSON value as a Value; None past _MAX_NESTING levels or for a number
    that is not finite."""
    if depth > _MAX_NESTING:
        return None
    if found is None:
        return NULL
    if isinstance(found, float) and not math.isfinite(found):
        return None
    if isinstance(found, str | bool | int | float):
        return found
    return _container(found, depth)


def _container(found: object, depth: int) -> Value | None:
    if isinstance(found, list):
        items = [_value(item, depth + 1) for item in found]
        return None if None in items else _Array(tuple(i for i in items if i is not None))
    if isinstance(found, dict):
        pairs = {str(k).casefold(): _value(v, depth + 1) for k, v in found.items()}
        if any(v is None for v in pairs.values()):
            return None
        return _Object({k: v for k, v in pairs.items() if v is not None})
    return None


def _plain(found: Value) -> object:
    """A Value as Python's JSON writer takes it."""
    if isinstance(found, _Null):
        return None
    if isinstance(found, _Array):
        return [_plain(item) for item in found.items]
    if isinstance(found, _Object):
        return {key: _plain(item) for key, item in found.pairs.items()}
    if isinstance(found, float) and found.is_integer():
        return int(found)
    return found


def _no_constant(name: str) -> float:
    raise ValueError(name)  # NaN and Infinity are not JSON


def _repeated(used: set[int]) -> bool:
    """Whether a distinct format() left out a non-empty argument it had written before."""
    return any(index < 0 for index in used)


_FORMAT_PART = re.compile(r"\{\{|\}\}|\{([0-9]+)\}|[{}]")


def _format(template: str, args: list[str], budget: _Budget,
            used: set[int] | None) -> str | None:
    """GitHub's format(): `{N}` is argument N, `{{` and `}}` are braces; anything else
    (a lone brace, an index past the arguments) is an error. Each piece is paid for before
    it is built. With `used`, an argument is written at its first place only, and `used`
    gets the indexes written (-1-N for an argument N left out again)."""
    out: list[str] = []
    i = 0
    for match in _FORMAT_PART.finditer(template):
        out.append(template[i:match.start()])
        budget.spend(match.start() - i)
        part = match.group(0)
        if part in ("{{", "}}"):
            out.append(part[0])
            budget.spend(1)
        elif match.group(1) is not None and int(match.group(1)) < len(args):
            index = int(match.group(1))
            if used is None or index not in used:
                budget.spend(len(args[index]))
                out.append(args[index])
                if used is not None:
                    used.add(index)
            elif args[index]:
                used.add(-1 - index)
        else:
            return None
        i = match.end()
    out.append(template[i:])
    budget.spend(len(template) - i)
    return "".join(out)
