"""The local workflows and actions a CI file calls with inputs (detect/calls.py), and a
callee judged with what its caller gives it (workflows.content_matches, `given`)."""

from __future__ import annotations

import pytest

from ai_clearance.catalog.rules import Rule, load_catalog
from ai_clearance.detect.calls import local_calls
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.reach import named_paths
from ai_clearance.detect.workflows import content_matches
from ai_clearance.model import PathChange
from conftest import best_seconds

_R = ".github/workflows/r.yml"
_JOB = "on: push\njobs:\n  a:\n    uses: ./.github/workflows/r.yml\n"
_STEP = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./tools/act\n"


def _calls(text: str, given: dict[str, tuple[str, ...]] | None = None,
           ) -> dict[str, dict[str, tuple[str, ...]]]:
    return {path: dict(inputs) for path, inputs in local_calls(text.encode(), given)}


@pytest.mark.parametrize(("text", "want"), [
    (_JOB + "    with: {tool: claude}\n", {_R: {"inputs.tool": ("claude",)}}),
    (_JOB + "    with:\n      Tool: claude\n      n: 3\n",
     {_R: {"inputs.tool": ("claude",), "inputs.n": ("3",)}}),
    # The caller's own expressions are written in: env, matrix, format(), its defaults.
    (_STEP + "        env: {T: codex}\n        with: {tool: '${{ env.T }}'}\n",
     {f"tools/act/{n}": {"inputs.tool": ("codex",)} for n in ("action.yml", "action.yaml")}),
    (_JOB.replace("    uses", "    strategy: {matrix: {t: [claude, codex]}}\n    uses")
     + "    with: {tool: '${{ matrix.t }}'}\n", {_R: {"inputs.tool": ("claude", "codex")}}),
    (_JOB + "    with: {tool: \"${{ format('{0}ude', 'cla') }}\"}\n",
     {_R: {"inputs.tool": ("claude",)}}),
    # A value partly known keeps its known part; one only unknown is left out.
    (_JOB + "    with: {tool: 'claude ${{ github.sha }}', ref: '${{ github.sha }}'}\n",
     {_R: {"inputs.tool": ("claude ${{ github.sha }}",)}}),
    (_JOB.replace("./.github", "./x/../.github") + "    with: {a: b}\n",
     {_R: {"inputs.a": ("b",)}}),
    ("runs:\n  using: composite\n  steps:\n    - uses: ./\n      with: {x: y}\n",
     {n: {"inputs.x": ("y",)} for n in ("action.yml", "action.yaml")}),
])
def test_what_a_file_calls_with_inputs(text: str, want: dict[str, dict[str, tuple[str, ...]]],
                                       ) -> None:
    assert _calls(text) == want


@pytest.mark.parametrize("text", [
    _JOB,  # no inputs: the callee is judged alone, as it is anyway
    _JOB + "    with: {ref: '${{ github.sha }}'}\n",  # only unknown values
    _JOB + "    with: {tool: ''}\n",
    _JOB.replace("./.github/workflows/r.yml", "owner/repo/.github/workflows/r.yml@v1")
    + "    with: {tool: claude}\n",  # another repository's: not read here
    _STEP.replace("./tools/act", "actions/checkout@v4") + "        with: {tool: claude}\n",
    _STEP.replace("./tools/act", "./../outside") + "        with: {tool: claude}\n",
    _STEP.replace("./tools/act", "docker://alpine") + "        with: {tool: claude}\n",
    "not: [yaml\nuses: ./x\nwith: {a: b}\n",
])
def test_what_calls_nothing_with_inputs(text: str) -> None:
    assert _calls(text) == {}


def test_a_callee_calls_on_with_what_it_was_given() -> None:
    text = "on: {workflow_call: {inputs: {tool: {type: string}}}}\njobs:\n  b:\n" \
           "    uses: ./.github/workflows/s.yml\n    with: {agent: '${{ inputs.tool }}'}\n"
    assert _calls(text) == {}
    assert _calls(text, {"inputs.tool": ("gemini",)}) == {
        ".github/workflows/s.yml": {"inputs.agent": ("gemini",)}}


def test_a_workflow_names_its_callees_with_their_inputs() -> None:
    named = named_paths(".github/workflows/ci.yml",
                        (_JOB + "    with: {tool: claude}\n").encode())
    assert [(n.path, n.hint, n.inputs) for n in named] == [
        (_R, "workflow", (("inputs.tool", ("claude",)),))]
    # A script is no caller, whatever it holds.
    assert named_paths("ci/x.sh", (_JOB + "    with: {tool: claude}\n").encode()) == []


_CALLEE = "on:\n  workflow_call:\n    inputs:\n      tool: {type: string}\n" \
          "jobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n" \
          "      - run: ${{ inputs.tool }} -p review\n"


def _rules() -> dict[str, Rule]:
    """The content rules the shipped catalog applies to a reusable workflow."""
    _, candidates = PathMatcher(load_catalog()).match(PathChange(_R, "0" * 40, "100644"))
    return {c.rule.id: c.rule for c in candidates}


@pytest.mark.parametrize(("given", "want"), [
    ({"inputs.tool": ("claude",)}, {"AIC301"}),
    ({"inputs.tool": ("make", "codex")}, set()),  # codex -p is no rule's command
    ({"inputs.tool": ("gemini",)}, {"AIC303"}),
    ({"inputs.tool": ("echo claude",)}, set()),  # a harmless value stays clean
    ({"inputs.other": ("claude",)}, set()),
    (None, set()),
])
def test_a_callee_is_judged_with_what_its_caller_gives(given: dict[str, tuple[str, ...]] | None,
                                                      want: set[str]) -> None:
    rules = _rules()
    for text in (_CALLEE, _CALLEE.replace("${{ inputs.tool }}", "${{ inputs.TOOL }}")):
        found = content_matches(rules, text.encode().split(b"\n"), [_R], None, given)
        assert set(found) == want


def test_a_large_callee_read_by_its_lines_is_given_its_inputs_too() -> None:
    padding = "".join(f"      - run: echo {i:07d} {'x' * 80}\n" for i in range(12000))
    text = _CALLEE + padding
    assert len(text) > 1 << 20
    rules = _rules()
    lines = text.encode().split(b"\n")
    assert set(content_matches(rules, lines, [_R], None, None)) == set()
    assert set(content_matches(rules, lines, [_R], None,
                               {"inputs.tool": ("claude",)})) == {"AIC301"}


def test_reading_calls_costs_linear_time() -> None:
    """Four times the calls take about four times the time (a ratio, not a bound)."""
    def seconds(n: int) -> float:
        text = ("on: push\njobs:\n" + "".join(
            f"  j{i}:\n    uses: ./.github/workflows/r{i % 7}.yml\n"
            f"    with: {{tool: t{i}, env: \"${{{{ format('{{0}}', 'v{i}') }}}}\"}}\n"
            for i in range(n))).encode()
        assert len(local_calls(text)) == n
        return best_seconds(lambda: local_calls(text), tries=2)

    seconds(200)
    ratio = seconds(4000) / seconds(1000)
    assert ratio < 8, ratio
