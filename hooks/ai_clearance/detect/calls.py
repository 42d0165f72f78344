"""The local reusable workflows and actions a CI file calls with inputs: a job's
`uses: ./.github/workflows/review.yml` or a step's `uses: ./tools/review` with a `with:`
mapping. The callee alone cannot tell what `${{ inputs.tool }}` is; its caller can.

Each `with:` value is read under the contexts of the mapping that holds it (its env, its
matrix jobs, the caller's own inputs: contexts.walk), so `tool: ${{ matrix.tool }}` gives
each tool. A value that is only expressions not known here is left out: that input stays
unknown to the callee, as it is when the callee is judged alone. One call gives one set of
inputs, the values of all its contexts together (a matrix of calls is one call: what its
jobs give is tried in every combination, more to judge, never less).

Pure: bytes in, calls out; time linear in the file (contexts.Work pays for it)."""

from __future__ import annotations

import posixpath
import re

from ai_clearance.detect.contexts import Choices, Unjudged, Work, walk
from ai_clearance.detect.expressions import substitute, substitutions
from ai_clearance.detect.workflows import MAX_BYTES, compose

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from yaml import Node

# The inputs of one call: (context path `inputs.<name>`, the values it may take), sorted.
Inputs = tuple[tuple[str, tuple[str, ...]], ...]

# A file that may call a local workflow or action with inputs: anything else is not parsed.
_LOCAL_USES = re.compile(rb"""["']?uses["']?[ \t]*:[ \t]*["']?\./""", re.IGNORECASE)
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
# A local action is a folder: GitHub reads the action file in it by either name.
_ACTION_FILES = ("action.yml", "action.yaml")


def local_calls(data: bytes, given: Choices | None = None) -> list[tuple[str, Inputs]]:
    """The repository paths of the local workflows and action files that `data` (a
    workflow or action file) calls with at least one known input, each with those inputs;
    `given`: what its own caller gives its inputs. Repeated calls are listed once. A file
    that is not YAML, too large or too costly to read calls nothing here."""
    if len(data) > MAX_BYTES or _LOCAL_USES.search(data) is None:
        return []
    roots = compose(data)
    if not roots:
        return []
    try:
        by_mapping = _given_values(roots, given or {}, Work(len(data)))
    except Unjudged:
        return []
    found: dict[tuple[str, Inputs], None] = {}
    for targets, values in by_mapping.values():
        inputs = tuple(sorted((name, tuple(v)) for name, v in values.items()))
        if inputs:
            found.update(dict.fromkeys((target, inputs) for target in targets))
    return list(found)


def _given_values(roots: list[Node], given: Choices, work: Work,
                  ) -> dict[int, tuple[list[str], dict[str, dict[str, None]]]]:
    """By call (its mapping's id): the paths it may call, and the known values of each
    input (`inputs.<name>`) under every context the call is reached with."""
    by_mapping: dict[int, tuple[list[str], dict[str, dict[str, None]]]] = {}
    for mapping, choices in walk(roots, work, given):
        call = _call(mapping)
        if call is None:
            continue
        targets, pairs = call
        values = by_mapping.setdefault(id(mapping), (targets, {}))[1]
        for name, text in pairs:
            for done in substitutions(text, choices):
                work.spend(len(done.text))
                if _EXPRESSION.sub("", done.text).strip():
                    values.setdefault(f"inputs.{name}", {})[done.text] = None
    return by_mapping


def _call(mapping: Node) -> tuple[list[str], list[tuple[str, str]]] | None:
    """For a mapping that uses a local workflow or action with a `with:` mapping, the
    paths it may call and the (folded input name, value as written) of each scalar."""
    from yaml import MappingNode, ScalarNode

    uses = with_ = None
    for key, node in mapping.value:
        if isinstance(key, ScalarNode):
            name = key.value.casefold()
            if name == "uses" and isinstance(node, ScalarNode):
                uses = node
            elif name == "with" and isinstance(node, MappingNode):
                with_ = node
    if uses is None or with_ is None:
        return None
    targets = _targets(substitute(uses.value).strip())
    pairs = [(key.value.casefold(), value.value) for key, value in with_.value
             if isinstance(key, ScalarNode) and isinstance(value, ScalarNode)]
    if not targets or not pairs:
        return None
    return targets, pairs


def _targets(uses: str) -> list[str]:
    """The files a local `uses:` (`./.github/workflows/r.yml`, `./tools/act`) reads,
    from the top of the repository; none for a remote one or one that leaves it."""
    if not uses.startswith("./") or "\0" in uses:
        return []
    path = posixpath.normpath(uses.partition("@")[0].replace("\\", "/"))
    if path.startswith("../") or path == "..":
        return []
    if path.casefold().endswith((".yml", ".yaml")):
        return [path]
    return [name if path == "." else f"{path}/{name}" for name in _ACTION_FILES]
