"""A local reusable workflow or action is judged with the inputs its callers give it, in
every source: the callee alone cannot tell what `${{ inputs.tool }}` is."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from ai_clearance.source.reach import MAX_CALLS
from conftest import Repo, run_cli

_CALLER = ".github/workflows/ci.yml"
_CALLEE = ".github/workflows/review.yml"
_ACTION = "tools/act/action.yml"


def _caller(tool: str, jobs: int = 1) -> str:
    return "on: push\njobs:\n" + "".join(
        f"  a{i}:\n    uses: ./{_CALLEE}\n    with: {{tool: {tool.format(i)}}}\n"
        for i in range(jobs))


def _callee(padding: int = 0) -> str:
    return ("on:\n  workflow_call:\n    inputs:\n      tool: {type: string}\n"
            "jobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: ${{ inputs.tool }} -p review\n"
            + "".join(f"      - run: echo step {i}\n" for i in range(padding)))


_STEP_CALLER = ("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - uses: ./tools/act\n        env: {T: gemini}\n"
                "        with: {agent: '${{ env.T }}'}\n")
_ACTION_TEXT = ("inputs:\n  agent: {required: true}\nruns:\n  using: composite\n  steps:\n"
                "    - run: ${{ inputs.agent }} --prompt 'fix it'\n      shell: bash\n")


def _check(repo: Repo, *args: str) -> tuple[int, set[tuple[str, str]], list[dict[str, Any]]]:
    result = run_cli("check", "--no-trust", *args, "--format", "json", cwd=repo.path)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return result.returncode, {(f["rule"], f["path"]) for f in findings}, findings


def _commit(repo: Repo, files: dict[str, str], message: str = "CI") -> str:
    for path, text in files.items():
        repo.write(path, text)
    return repo.commit(message, *files)


@pytest.mark.parametrize(("files", "want"), [
    ({_CALLER: _caller("claude"), _CALLEE: _callee()}, ("AIC301", _CALLEE, _CALLER)),
    ({_CALLER: _STEP_CALLER, _ACTION: _ACTION_TEXT}, ("AIC303", _ACTION, _CALLER)),
])
def test_a_callee_is_judged_with_its_callers_inputs_in_a_tree_and_a_range(
        clean_repo: Repo, files: dict[str, str], want: tuple[str, str, str]) -> None:
    base = clean_repo.head()
    sha = _commit(clean_repo, files)
    for args in (("--tree", "HEAD"), ("--range", f"{base}..HEAD"), ("--history",)):
        code, found, findings = _check(clean_repo, *args)
        assert (code, found) == (1, {want[:2]}), (args, findings)
        assert f"called by {want[2]} with inputs." in findings[0]["evidence"]
        if args[0] != "--tree":
            assert findings[0]["commit"] == sha


def test_harmless_inputs_stay_clean(clean_repo: Repo) -> None:
    base = clean_repo.head()
    _commit(clean_repo, {
        _CALLER: _caller("'echo claude'") + "  z:\n    uses: ./tools/act\n"
                 "    with: {agent: make, ref: '${{ github.sha }}'}\n",
        _CALLEE: _callee(), _ACTION: _ACTION_TEXT.replace("'fix it'", "x")})
    for args in (("--tree", "HEAD"), ("--range", f"{base}..HEAD"), ("--history",)):
        assert _check(clean_repo, *args)[:2] == (0, set()), args


def test_a_range_that_changes_only_the_callee(clean_repo: Repo) -> None:
    """The caller in the head's tree gives the inputs; the commit that changed the callee
    is the one found."""
    harmless = _callee().replace("${{ inputs.tool }} -p review", "echo ${{ inputs.tool }}")
    base = _commit(clean_repo, {_CALLER: _caller("claude"), _CALLEE: harmless})
    assert _check(clean_repo, "--tree", "HEAD")[:2] == (0, set())
    sha = _commit(clean_repo, {_CALLEE: _callee()}, "Only the callee")
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert (code, found) == (1, {("AIC301", _CALLEE)}), findings
    assert findings[0]["commit"] == sha
    # The index: the callee staged alone.
    clean_repo.write(_CALLEE, harmless)
    clean_repo.commit("Back", _CALLEE)
    clean_repo.write(_CALLEE, _callee(2))
    clean_repo.git("add", _CALLEE)
    assert _check(clean_repo, "--staged")[:2] == (1, {("AIC301", _CALLEE)})


def test_a_range_that_changes_only_the_caller(clean_repo: Repo) -> None:
    base = _commit(clean_repo, {_CALLER: _caller("make"), _CALLEE: _callee()})
    assert _check(clean_repo, "--range", f"{clean_repo.head()}~1..HEAD")[:2] == (0, set())
    sha = _commit(clean_repo, {_CALLER: _caller("claude")}, "Only the caller")
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert (code, found) == (1, {("AIC301", _CALLEE)}), findings
    assert findings[0]["commit"] == sha
    # The index: the caller staged alone.
    clean_repo.write(_CALLER, _caller("make"))
    clean_repo.commit("Back", _CALLER)
    clean_repo.write(_CALLER, _caller("gemini"))
    clean_repo.git("add", _CALLER)
    assert _check(clean_repo, "--staged")[:2] == (1, {("AIC303", _CALLEE)})


def test_calls_pass_inputs_on_through_a_chain(clean_repo: Repo) -> None:
    middle = (".github/workflows/middle.yml",
              "on: {workflow_call: {inputs: {agent: {type: string}}}}\njobs:\n  m:\n"
              f"    uses: ./{_CALLEE}\n    with: {{tool: '${{{{ inputs.agent }}}}'}}\n")
    base = clean_repo.head()
    _commit(clean_repo, {_CALLER: "on: push\njobs:\n  a:\n    uses: ./.github/workflows/"
                         "middle.yml\n    with: {agent: claude}\n",
                         middle[0]: middle[1], _CALLEE: _callee()})
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert (code, found) == (1, {("AIC301", _CALLEE)}), findings
    assert f"called by {middle[0]} with inputs.tool=claude, which {_CALLER} runs" \
        in findings[0]["evidence"]


def test_too_many_sets_of_inputs_for_one_callee_fail_closed(clean_repo: Repo) -> None:
    _commit(clean_repo, {_CALLER: _caller("tool{}", MAX_CALLS), _CALLEE: _callee()})
    assert _check(clean_repo, "--tree", "HEAD")[:2] == (0, set())
    # The same inputs from many callers are one set.
    _commit(clean_repo, {_CALLER: _caller("same", MAX_CALLS * 4)})
    assert _check(clean_repo, "--tree", "HEAD")[:2] == (0, set())
    _commit(clean_repo, {_CALLER: _caller("tool{}", MAX_CALLS + 1)})
    for args in (("--tree", "HEAD"), ("--range", "HEAD~1..HEAD")):
        result = run_cli("check", "--no-trust", *args, cwd=clean_repo.path)
        assert result.returncode == 3, result.stdout + result.stderr
        assert "called with more than 32 different sets of inputs" in result.stderr
        assert "Traceback" not in result.stderr


def test_judging_a_callee_for_every_caller_costs_linear_time(clean_repo: Repo) -> None:
    """A callee four times larger, judged for as many sets of inputs as the bound allows,
    takes about four times as long (a ratio of two sizes, not an absolute bound)."""
    def seconds(padding: int) -> float:
        _commit(clean_repo, {_CALLER: _caller("tool{}", MAX_CALLS),
                             _CALLEE: _callee(padding)}, f"size {padding}")
        took = []
        for _ in range(2):
            start = time.perf_counter()
            assert _check(clean_repo, "--tree", "HEAD")[:2] == (0, set())
            took.append(time.perf_counter() - start)
        return min(took)

    small = seconds(400)
    ratio = seconds(1600) / small
    assert ratio < 8, ratio
