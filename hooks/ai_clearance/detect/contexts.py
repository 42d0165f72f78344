"""What a workflow's mappings know of the `env` and `matrix` contexts: the values its
`env:` keys (workflow, job, step, container) and `strategy.matrix` give, for the
expressions (`${{ env.AGENT }}`, `${{ matrix.pkg }}`) and shell variables (`$AGENT`) of the
mappings below them. A constant a step writes to `$GITHUB_ENV` (envfile.py) is an `env`
value of its job's steps beside the job's own.

A mapping sees its ancestors' contexts and its own (an inner `env` shadows an outer one).
A matrix is read as its jobs: the combinations of its lists (a `fromJSON('...')` of a
literal, for the whole matrix or one key, is the value it parses to), with its `include:`
entries added as GitHub adds them; each job is a context of its own. `exclude:` is ignored:
it only takes jobs away. A matrix of more jobs than GitHub runs (256) is read as the values
each path may take, every combination of what a script reads tried (substitutions()).

Aliases make a YAML graph in which one node may be reached under several contexts (a step
list shared by jobs with different env). Each (node, context) pair is walked once, and a
Work budget proportional to the file's size bounds all that is walked and read: past it the
file is not judged (Unjudged), never judged for hours."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from ai_clearance.detect.envfile import written_env
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
    """What is left of a budget of work on one input: `factor` units per character of it,
    plus `floor`. Spending past it raises `error` (an Unjudged: the input is refused,
    never passed unjudged) with the text `what`, the factor, "times its size". The
    workflow readers use the defaults; shell.py gives a script a budget of its own."""

    def __init__(self, size: int, factor: int = WORK_FACTOR, floor: int = WORK_FLOOR,
                 error: type[Unjudged] = Unjudged,
                 what: str = "its aliases, env and matrix values give more to read than"
                 ) -> None:
        self.left = factor * size + floor
        self.factor = factor
        self.error = error
        self.what = what

    def spend(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise self.error(f"{self.what} {self.factor} times its size")


def walk(roots: list[Node], work: Work, given: Choices = EMPTY,
         ) -> Iterator[tuple[Node, Choices]]:
    """Every mapping reachable from `roots` with each context it is reached under (one per
    matrix job), each pair once; mapping keys are walked too, with no context. `given`: the
    values a caller gives the file's inputs (`inputs.tool`), beside their defaults."""
    from yaml import MappingNode, SequenceNode

    stack: list[tuple[Node, Choices]] = [(root, root_choices(root, work, given))
                                         for root in roots]
    seen: set[tuple[int, int]] = set()
    keep: list[Choices] = []  # the contexts made, alive while their ids are in `seen`
    while stack:
        node, choices = stack.pop()
        pair = (id(node), id(choices))
        if pair in seen:
            continue
        seen.add(pair)
        work.spend(1)
        if isinstance(node, MappingNode):
            inner = _own_choices(node, choices, work)
            keep.extend(inner)
            for context in inner:
                yield node, context
                for key, item in node.value:
                    stack.append((key, EMPTY))
                    stack.append((item, context))
        elif isinstance(node, SequenceNode):
            stack.extend((item, choices) for item in node.value)


def _own_choices(mapping: Node, outer: Choices, work: Work) -> list[Choices]:
    """The contexts below `mapping`: `outer` with, for each of its matrix's jobs, that
    job's values, its `env` (whose values may read the matrix and the outer env), the
    constant outputs of its steps and what they write to `$GITHUB_ENV`. [`outer`] itself
    when it adds nothing, so that a cycle of aliases comes back to a pair already walked."""
    from yaml import MappingNode, ScalarNode, SequenceNode

    matrix = _value_of(_value_of(mapping, "strategy"), "matrix")
    rows = [EMPTY] if matrix is None else matrix_rows(matrix, work)
    env = _value_of(mapping, "env")
    pairs = [(k, v) for k, v in env.value if isinstance(k, ScalarNode)
             and isinstance(v, ScalarNode)] if isinstance(env, MappingNode) else []
    steps = _value_of(mapping, "steps")
    # Read once, under every value of every matrix job: a job may get an output another
    # would write (more to judge, never less), but the steps are not read once a job.
    every = {**outer, **_merged(rows)}
    outputs = step_outputs(steps, every, work) if isinstance(steps, SequenceNode) else EMPTY
    written = step_env(steps, every, work) if isinstance(steps, SequenceNode) else EMPTY
    found: list[Choices] = []
    for row in rows:
        added: Choices = {**row, **outputs}
        scope = {**outer, **row}
        for key, item in pairs:
            work.spend(len(key.value) + len(item.value))
            texts = substitutions(item.value, scope)
            added[f"env.{key.value.casefold()}"] = \
                tuple(dict.fromkeys(t.text for t in texts)) or (item.value,)
        # What the steps write to $GITHUB_ENV: the job's own value before, this after.
        for path, values in written.items():
            added[path] = tuple(dict.fromkeys((*added.get(path, outer.get(path, ())),
                                               *values)))
        if all(outer.get(k) == v for k, v in added.items()):
            found.append(outer)
        else:
            work.spend(len(outer) + len(added))
            found.append({**outer, **added})
    return list({id(c): c for c in found}.values())


def _merged(rows: list[Choices]) -> Choices:
    found: dict[str, dict[Known, None]] = {}
    for row in rows:
        for path, values in row.items():
            found.setdefault(path, {}).update(dict.fromkeys(values))
    return {path: tuple(values) for path, values in found.items()}


def root_choices(root: Node, work: Work, given: Choices = EMPTY) -> Choices:
    """What a whole file knows: the `inputs` of its `workflow_call` and
    `workflow_dispatch` triggers (or of an action) that have a default or a list of
    options, each of those values, and those a caller gives (`given`); and
    `needs.<job>.outputs.<name>` of each job's outputs whose value is constant (a literal,
    or a constant output of its steps)."""
    from yaml import MappingNode, ScalarNode

    found = _given(given, work)
    triggers = _value_of(root, "on")
    for trigger in ("workflow_call", "workflow_dispatch"):
        for name, values in _input_values(_value_of(_value_of(triggers, trigger), "inputs"),
                                          work):
            found[f"inputs.{name}"] = tuple(dict.fromkeys(found.get(f"inputs.{name}", ())
                                                          + values))
            if trigger == "workflow_dispatch":
                found[f"github.event.inputs.{name}"] = values
    for name, values in _input_values(_value_of(root, "inputs"), work):  # an action's
        found[f"inputs.{name}"] = tuple(dict.fromkeys(found.get(f"inputs.{name}", ())
                                                      + values))
    jobs = _value_of(root, "jobs")
    if not isinstance(jobs, MappingNode):
        return found
    # An output may read another job's: a few rounds let constants flow along needs.
    for _ in range(_OUTPUT_ROUNDS):
        before = len(found)
        for key, job in jobs.value:
            if isinstance(key, ScalarNode):
                found.update(_job_outputs(key.value.casefold(), job, found, work))
        if len(found) == before:
            break
    return found


_OUTPUT_ROUNDS = 4


def _given(given: Choices, work: Work) -> Choices:
    """What a caller gives the file's contexts, paid for."""
    found: Choices = {}
    for name, values in given.items():
        work.spend(len(name) + sum(len(str(v)) for v in values))
        found[name.casefold()] = tuple(dict.fromkeys(values))
    return found


def _input_values(inputs: Node | None, work: Work) -> Iterator[tuple[str, tuple[Known, ...]]]:
    """Each input with the values it may take when not given otherwise: its default and
    the options of a `choice` input (an input with none is not known: none is made up)."""
    from yaml import MappingNode, ScalarNode, SequenceNode

    if not isinstance(inputs, MappingNode):
        return
    for key, spec in inputs.value:
        if not isinstance(key, ScalarNode):
            continue
        values: list[Known] = []
        default = _value_of(spec, "default")
        if isinstance(default, ScalarNode):
            values.append(default.value)
        options = _value_of(spec, "options")
        if isinstance(options, SequenceNode):
            values.extend(o.value for o in options.value if isinstance(o, ScalarNode))
        work.spend(len(key.value) + sum(len(str(v)) for v in values))
        texts = [t.text for v in values for t in substitutions(str(v), EMPTY)]
        if texts:
            yield key.value.casefold(), tuple(dict.fromkeys(texts))


def _job_outputs(job_id: str, job: Node, known: Choices, work: Work) -> Choices:
    """`needs.<job>.outputs.<name>` for each output of a job whose every value is known."""
    from yaml import MappingNode, ScalarNode, SequenceNode

    outputs = _value_of(job, "outputs")
    if not isinstance(outputs, MappingNode):
        return EMPTY
    steps = _value_of(job, "steps")
    scope = {**known, **(step_outputs(steps, known, work)
                         if isinstance(steps, SequenceNode) else EMPTY)}
    found: Choices = {}
    for key, item in outputs.value:
        if isinstance(key, ScalarNode) and isinstance(item, ScalarNode):
            work.spend(len(key.value) + len(item.value))
            texts = [t.text for t in substitutions(item.value, scope)]
            if texts and not any("${{" in t for t in texts):
                found[f"needs.{job_id}.outputs.{key.value.casefold()}"] = \
                    tuple(dict.fromkeys(texts))
    return found


# A constant output a step writes: `echo "name=value" >> "$GITHUB_OUTPUT"` (PowerShell's
# $env:GITHUB_OUTPUT too), or the older `::set-output name=...::value`. A value that
# reads a variable, a substitution or a quote is not constant here.
_OUTPUT_WRITE = re.compile(
    r"""(?:^|[\s;&|(])(?:echo|write-output)\s+(?:-[neE]+\s+)?(["']?)([A-Za-z_][\w-]{0,99})="""
    r"""([^"'$`\\\n]{0,999})\1\s*>>\s*["']?\$(?:env:)?\{?GITHUB_OUTPUT\}?["']?"""
    r"""|::set-output\s+name=([A-Za-z_][\w-]{0,99})::([^"'$`\\\n]{0,999})""", re.IGNORECASE)


def step_outputs(steps: Node, scope: Choices, work: Work) -> Choices:
    """`steps.<id>.outputs.<name>` for the constant outputs the `run` of each step with an
    `id` writes (each value it may write, under `scope`)."""
    from yaml import ScalarNode

    found: dict[str, dict[Known, None]] = {}
    for step in steps.value:
        ident, run = _value_of(step, "id"), _value_of(step, "run")
        if not isinstance(ident, ScalarNode) or not isinstance(run, ScalarNode) \
                or "OUTPUT" not in run.value.upper():
            continue
        for text in substitutions(run.value, scope):
            work.spend(len(text.text))
            for match in _OUTPUT_WRITE.finditer(text.text):
                name = (match.group(2) or match.group(4)).casefold()
                value = match.group(3) if match.group(2) else match.group(5)
                path = f"steps.{ident.value.casefold()}.outputs.{name}"
                found.setdefault(path, {})[value.strip()] = None
    return {path: tuple(values) for path, values in found.items()}


def step_env(steps: Node, scope: Choices, work: Work) -> Choices:
    """`env.<name>` for each constant value the `run` of a step writes to `$GITHUB_ENV`
    (each value it may write, under `scope`): the env of the job's later steps."""
    from yaml import ScalarNode

    found: dict[str, dict[Known, None]] = {}
    for step in steps.value:
        run = _value_of(step, "run")
        if not isinstance(run, ScalarNode) or not _writes_env(run.value):
            continue
        for text in substitutions(run.value, scope):
            work.spend(len(text.text))
            for name, values in written_env(text.text).items():
                found.setdefault(f"env.{name.casefold()}", {}).update(
                    dict.fromkeys(v.strip() for v in values))
    return {path: tuple(values) for path, values in found.items()}


def _writes_env(script: str) -> bool:
    """Whether a script may name the env file: `$GITHUB_ENV` or `${{ github.env }}`."""
    upper = script.upper()
    return "GITHUB_ENV" in upper or "GITHUB.ENV" in upper


def matrix_rows(matrix: Node, work: Work) -> list[Choices]:
    """The jobs of a `strategy.matrix`, each as its values by `matrix.` path: the
    combinations of its lists, then its `include:` entries as GitHub adds them (to each
    job none of whose original values they change, or as a job of their own). A matrix of
    more jobs than GitHub runs is one context of every value each path may take."""
    plain = _python(matrix, work, 0)
    if not isinstance(plain, dict):
        return [EMPTY]
    includes = plain.pop("include", [])
    plain.pop("exclude", None)
    lists = {k: (v if isinstance(v, list) else [v]) for k, v in plain.items()}
    count = 1
    for values in lists.values():
        count *= max(len(values), 1)
        if count > MATRIX_LIMIT:
            return [_union(lists, includes, work)]
    # No list at all: no combination, only the include entries' own jobs.
    rows: list[dict[str, object]] = [{}] if lists else []
    for key, values in lists.items():
        rows = [{**row, key: value} for row in rows for value in values or [None]]
    combined = len(rows)
    for entry in includes if isinstance(includes, list) else [includes]:
        if not isinstance(entry, dict):
            continue
        work.spend(combined + 1)
        # Added to each combination whose original values it keeps (a value an earlier
        # entry added may change), else a job of its own.
        fitting = [row for row in rows[:combined]
                   if all(row.get(k) == v for k, v in entry.items() if k in lists)]
        for row in fitting:
            row.update(entry)
        if not fitting:
            rows.append(dict(entry))
        if len(rows) > MATRIX_LIMIT:
            return [_union(lists, includes, work)]
    return [_flat(row, work) for row in rows] or [EMPTY]


def _union(lists: dict[str, list[object]], includes: object, work: Work) -> Choices:
    found: dict[str, dict[Known, None]] = {}
    entries = includes if isinstance(includes, list) else [includes]
    for key, values in [*lists.items(),
                        *((k, [v]) for e in entries if isinstance(e, dict) for k, v in e.items())]:
        for value in values:
            for path, text in _flat({key: value}, work).items():
                found.setdefault(path, {}).update(dict.fromkeys(text))
    return {path: tuple(values) for path, values in found.items()}


def _flat(row: dict[str, object], work: Work) -> Choices:
    """A job's values by path (`matrix.cfg.tool` for `cfg: {tool: x}`), one each."""
    found: Choices = {}
    stack: list[tuple[str, object]] = [(f"matrix.{k}", v) for k, v in row.items()]
    while stack:
        path, value = stack.pop()
        work.spend(len(path))
        if isinstance(value, dict):
            stack.extend((f"{path}.{k}", v) for k, v in value.items())
        elif isinstance(value, str):
            found[path] = (value,)
        elif isinstance(value, bool):
            found[path] = ("true" if value else "false",)
        elif isinstance(value, int | float):
            found[path] = (str(value),)
    return found


def _python(node: object, work: Work, level: int) -> object:
    """A matrix node as Python values: mappings (keys folded), lists, and strings; a
    `fromJSON('...')` of a literal as the value it parses to."""
    from yaml import Node as YamlNode

    work.spend(1)
    if level > _MAX_LEVELS:
        return None
    if isinstance(node, YamlNode):
        return _python_of_yaml(node, work, level)
    if isinstance(node, dict):
        return {str(k).casefold(): _python(v, work, level + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_python(v, work, level + 1) for v in node]
    return node if isinstance(node, str | int | float | bool) else None


def _python_of_yaml(node: Node, work: Work, level: int) -> object:
    """A YAML node as Python values; a scalar that is a `fromJSON` literal as its JSON."""
    from yaml import MappingNode, ScalarNode, SequenceNode

    if isinstance(node, ScalarNode):
        work.spend(len(node.value))
        parsed = from_json_literal(node.value)
        if parsed is None or parsed is node.value:
            return node.value
        return _python(parsed, work, level + 1)
    if isinstance(node, MappingNode):
        return {k.value.casefold(): _python(v, work, level + 1)
                for k, v in node.value if isinstance(k, ScalarNode)}
    if isinstance(node, SequenceNode):
        return [_python(v, work, level + 1) for v in node.value]
    return None


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
           "matrix_rows", "root_choices", "step_env", "step_outputs", "walk"]
