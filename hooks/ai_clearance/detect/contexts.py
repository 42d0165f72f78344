"""What a workflow's mappings know of the `env` and `matrix` contexts: the values its
`env:` keys (workflow, job, step, container) and `strategy.matrix` give, for the
expressions (`${{ env.AGENT }}`, `${{ matrix.pkg }}`) and shell variables (`$AGENT`) of the
mappings below them.

A mapping sees its ancestors' contexts and its own (an inner `env` shadows an outer one).
A matrix is read as the values each key may take: its lists, the values of its `include:`
entries, and `fromJSON('...')` of a literal (a whole matrix, or one key's list); which
values go together is not worked out (every combination of what a script reads is tried,
as substitutions() writes them out). `exclude:` is ignored: it only takes jobs away.

Aliases make a YAML graph in which one node may be reached under several contexts (a step
list shared by jobs with different env). Each (node, context) pair is walked once, and a
Work budget proportional to the file's size bounds all that is walked and read: past it the
file is not judged (Unjudged), never judged for hours."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from ai_clearance.detect.expressions import MATRIX_LIMIT, Known, substitutions

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from yaml import Node

# A context path (folded, dotted: `env.agent`, `matrix.cfg.tool`) -> the values it may hold.
Choices = dict[str, tuple[Known, ...]]
EMPTY: Choices = {}

# What one file may cost to walk and read, per byte of it, plus a floor: every (node,
# context) pair walked, every character substituted and every character of script read.
# A workflow a person wrote uses a small part of it (a 256-job matrix read by a 4 KiB
# script is 1 MiB); aliases of a large script under many contexts exhaust it.
WORK_FACTOR = 4
WORK_FLOOR = 1 << 20

# Levels of a matrix value (a mapping in a list, a JSON object) flattened into paths.
_MAX_LEVELS = 8


class Unjudged(Exception):
    """A file costs more to judge than its budget, or a matrix gives more combinations
    than GitHub runs: it is refused rather than passed unjudged."""


class Work:
    """What is left of one file's budget."""

    def __init__(self, size: int) -> None:
        self.left = WORK_FACTOR * size + WORK_FLOOR

    def spend(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise Unjudged(f"its aliases, env and matrix values give more to read than "
                           f"{WORK_FACTOR} times its size")


def walk(roots: list[Node], work: Work) -> Iterator[tuple[Node, Choices]]:
    """Every mapping reachable from `roots` with each context it is reached under, each
    pair once (mapping keys are walked too, with no context of their own)."""
    from yaml import MappingNode, SequenceNode

    stack: list[tuple[Node, Choices]] = [(root, EMPTY) for root in roots]
    seen: set[tuple[int, int]] = set()
    own: dict[tuple[int, int], Choices] = {}
    keep: list[Choices] = []  # the contexts made, alive while their ids are in `seen`
    while stack:
        node, choices = stack.pop()
        pair = (id(node), id(choices))
        if pair in seen:
            continue
        seen.add(pair)
        work.spend(1)
        if isinstance(node, MappingNode):
            inner = own.get(pair)
            if inner is None:
                inner = _own_choices(node, choices, work)
                own[pair] = inner
                keep.append(inner)
            yield node, inner
            for key, item in node.value:
                stack.append((key, EMPTY))
                stack.append((item, inner))
        elif isinstance(node, SequenceNode):
            stack.extend((item, choices) for item in node.value)


def _own_choices(mapping: Node, outer: Choices, work: Work) -> Choices:
    """`outer` with what `mapping` adds: its `strategy.matrix`, then its `env` (whose
    values may read the matrix and outer env). `outer` itself when it adds nothing, so
    that a cycle of aliases comes back to a pair already walked."""
    from yaml import MappingNode, ScalarNode

    added: Choices = {}
    matrix = _value_of(_value_of(mapping, "strategy"), "matrix")
    if matrix is not None:
        added.update(matrix_choices(matrix, work))
    env = _value_of(mapping, "env")
    if isinstance(env, MappingNode):
        scope = {**outer, **added}
        for key, item in env.value:
            if isinstance(key, ScalarNode) and isinstance(item, ScalarNode):
                work.spend(len(key.value) + len(item.value))
                texts = substitutions(item.value, scope) or []
                values = tuple(dict.fromkeys(t.text for t in texts)) if texts \
                    else (item.value,)
                added[f"env.{key.value.casefold()}"] = values
    if all(outer.get(k) == v for k, v in added.items()):
        return outer
    work.spend(len(outer) + len(added))
    return {**outer, **added}


def matrix_choices(matrix: Node, work: Work) -> Choices:
    """The values each `matrix.` path may take in a `strategy.matrix` node."""
    from yaml import MappingNode, ScalarNode, SequenceNode

    found: dict[str, dict[str, None]] = {}

    def add(path: str, raw: object, level: int) -> None:
        work.spend(len(path) + 1)
        if level > _MAX_LEVELS:
            return
        if isinstance(raw, MappingNode):
            for key, item in raw.value:
                if isinstance(key, ScalarNode):
                    add(f"{path}.{key.value.casefold()}", item, level + 1)
        elif isinstance(raw, SequenceNode):
            for item in raw.value:
                add(path, item, level + 1)
        elif isinstance(raw, ScalarNode):
            parsed = from_json_literal(raw.value)
            if parsed is None or parsed is raw.value:
                work.spend(len(raw.value))
                found.setdefault(path, {})[raw.value] = None
            else:
                add(path, parsed, level + 1)
        elif isinstance(raw, dict):
            for key, item in raw.items():
                add(f"{path}.{str(key).casefold()}", item, level + 1)
        elif isinstance(raw, list):
            for item in raw:
                add(path, item, level + 1)
        elif isinstance(raw, str | int | float | bool):
            text = json.dumps(raw) if isinstance(raw, bool) else str(raw)
            work.spend(len(text))
            found.setdefault(path, {})[text] = None

    def entries(raw: object, level: int) -> None:
        """`include:` (or the whole matrix): each entry's keys are matrix paths."""
        work.spend(1)
        if level > _MAX_LEVELS:
            return
        if isinstance(raw, SequenceNode):
            for item in raw.value:
                entries(item, level + 1)
        elif isinstance(raw, list):
            for item in raw:
                entries(item, level + 1)
        elif isinstance(raw, ScalarNode):
            parsed = from_json_literal(raw.value)
            if isinstance(parsed, list | dict):
                entries(parsed, level + 1)
        elif isinstance(raw, MappingNode):
            for key, item in raw.value:
                if isinstance(key, ScalarNode):
                    name = key.value.casefold()
                    if name == "include":
                        entries(item, level + 1)
                    elif name != "exclude":
                        add(f"matrix.{name}", item, level + 1)
        elif isinstance(raw, dict):
            for key, item in raw.items():
                name = str(key).casefold()
                if name == "include":
                    entries(item, level + 1)
                elif name != "exclude":
                    add(f"matrix.{name}", item, level + 1)

    entries(matrix, 0)
    return {path: tuple(values) for path, values in found.items()}


_FROM_JSON = re.compile(r"\s*\$\{\{\s*fromjson\s*\(\s*'((?:[^']|'')*)'\s*\)\s*\}\}\s*",
                        re.IGNORECASE)


def from_json_literal(text: str) -> object:
    """The value of `${{ fromJSON('...') }}` of a string literal (a list or an object as
    Python's), the text itself when it is not one; None for JSON that does not parse."""
    match = _FROM_JSON.fullmatch(text)
    if match is None:
        return text
    try:
        found: object = json.loads(match.group(1).replace("''", "'"))
    except (ValueError, RecursionError):
        return None
    return found


def _value_of(mapping: Node | None, key: str) -> Node | None:
    from yaml import MappingNode, ScalarNode

    if isinstance(mapping, MappingNode):
        for key_node, node in mapping.value:
            if isinstance(key_node, ScalarNode) and key_node.value.casefold() == key:
                found: Node = node
                return found
    return None


__all__ = ["EMPTY", "MATRIX_LIMIT", "Choices", "Unjudged", "Work", "from_json_literal",
           "matrix_choices", "walk"]
