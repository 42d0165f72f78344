"""GitHub expressions whose value is known before a run: which are constant, what contexts a
caller knows, and what substitution costs (linear in the text, whatever the nesting)."""

from __future__ import annotations

from typing import Any

import pytest

from ai_clearance.detect.expressions import (
    MATRIX_LIMIT,
    evaluate,
    substitute,
    substitution,
    substitutions,
)
from conftest import Repo, best_seconds, clock, run_cli


@pytest.mark.parametrize(("expression", "value"), [
    # fromJSON of a scalar is that scalar; of an object or an array, not a value for text.
    ("fromJSON('\"claude\"')", "claude"),
    ("fromJson(' \"cl\\u0061ude\" ')", "claude"),
    ("fromJSON('12')", "12"),
    ("fromJSON('true')", "true"),
    ("fromJSON('null')", ""),
    ("fromJSON('{\"a\": \"claude\"}')", None),
    ("fromJSON('[\"claude\"]')", None),
    ("fromJSON('NaN')", None),
    ("fromJSON('\"open')", None),
    ("fromJSON(1)", None),
    # && and || give an operand, as in JavaScript; they decide when the known side does.
    ("true && 'claude'", "claude"),
    ("false || 'x'", "x"),
    ("false && 'x'", "false"),
    ("'' || 'y'", "y"),
    ("0 || null || 'z'", "z"),
    ("'false' && 'truthy string'", "truthy string"),
    ("'a' || github.actor", "a"),
    ("false && github.actor", "false"),
    ("true && github.actor", None),
    ("!false", "true"),
    ("!!'x'", "true"),
    ("!github.actor", None),
    # Comparisons: strings without regard to case, other types as numbers.
    ("'Claude' == 'claude' && 'claude' || 'codex'", "claude"),
    ("1 != 1 && 'claude' || 'codex'", "codex"),
    ("'1' == 1", "true"),
    ("null == 0", "true"),
    ("'abc' == 0", None),
    ("2 > 10", "false"),
    ("'b' >= 'A'", "true"),
    ("contains('Claude Code', 'CODE')", "true"),
    ("startsWith('claude', 'CL') && 'yes'", "yes"),
    ("endsWith('claude', 'x') || 'no'", "no"),
    ("format('{0}-{1}-{2}', true, null, 7)", "true--7"),
    # Arrays and objects of fromJSON: not text themselves, but what is read of them is.
    ("join(fromJSON('[\"claude\",\"-p\",\"x\"]'), ' ')", "claude -p x"),
    ("JOIN(FromJson('[\"cla\", \"ude\"]'), '')", "claude"),
    ("join(fromJSON('[1, true, null, \"x\"]'))", "1,true,,x"),
    ("join('codex')", "codex"),
    ("join(fromJSON('{\"a\": \"codex\"}'))", ""),
    ("join(fromJSON('[[\"claude\"]]'), ' ')", None),
    ("fromJSON('[\"a\", \"codex\"]')[1]", "codex"),
    ("fromJSON('[\"a\"]')[5]", ""),
    ("fromJSON('{\"Tool\": {\"CLI\": \"claude\"}}').tool['cli']", "claude"),
    ("fromJSON('{\"t\": \"codex\"}')[format('{0}', 'T')]", "codex"),
    ("join(fromJSON('[{\"n\": \"cl\"}, {\"x\": 1}, {\"n\": \"aude\"}]').*.n, '')",
     "claude"),
    ("join(fromJSON('{\"a\": [\"co\"], \"b\": [\"dex\"]}').*.*, '')", "codex"),
    ("fromJSON(format('[\"{0}\", \"{1}\"]', 'x', 'claude'))[1]", "claude"),
    ("fromJSON(toJSON('claude'))", "claude"),
    ("toJSON('claude')", '"claude"'),
    ("toJSON(fromJSON('{\"a\": [1, null]}'))", '{\n  "a": [\n    1,\n    null\n  ]\n}'),
    ("contains(fromJSON('[\"Claude\", \"b\"]'), 'claude') && 'yes'", "yes"),
    ("contains(fromJSON('[\"claude code\"]'), 'claude') || 'no'", "no"),
    ("fromJSON('[1]') == fromJSON('[1]')", None),
    ("format('{0}', fromJSON('[1]'))", None),
    ("fromJSON('" + "[" * 60 + "]" * 60 + "')", None),  # deeper than read
    ("join(fromJSON('" + "[" * 40 + "]" * 40 + "'))", None),
    # Not constant, or not GitHub's syntax.
    ("hashFiles('x')", None),
    ("github.event.commits.*.message", None),
    ("('a').b", None),
    ("'a' ||", None),
    ("'a' 'b'", None),
    ("1.5", None),
    ("9" * 40, None),
    ("!" * 60 + "true", None),
])
def test_constant_expressions(expression: str, value: str | None) -> None:
    assert evaluate(expression) == value
    written = "${{ " + expression + " }}"
    assert substitute(written) == (written if value is None else value)


@pytest.mark.parametrize(("text", "known", "value"), [
    ("${{ env.AGENT }} -p review", {"env.AGENT": "claude"}, "claude -p review"),
    ("${{ ENV.agent }}", {"env.Agent": "claude"}, "claude"),
    ("${{ env['AGENT'] }}", {"env.AGENT": "claude"}, "claude"),
    ("${{ env[format('{0}', 'AGENT')] }}", {"env.AGENT": "claude"}, "claude"),
    ("${{ matrix.cfg.tool }}", {"matrix.cfg.tool": "codex"}, "codex"),
    ("${{ matrix.n }}/${{ matrix.on }}/${{ matrix.none }}",
     {"matrix.n": 3, "matrix.on": True, "matrix.none": None}, "3/true/"),
    ("${{ matrix.flag && 'claude' || 'none' }}", {"matrix.flag": False}, "none"),
    ("${{ matrix.flag && 'claude' || 'none' }}", {"matrix.flag": "false"}, "claude"),
    ("${{ format('{0}{1}', env.A, env.B) }}", {"env.A": "cla", "env.B": "ude"}, "claude"),
    # Not known: written as it is.
    ("${{ env.OTHER }}", {"env.AGENT": "claude"}, "${{ env.OTHER }}"),
    ("${{ env.AGENT.x }}", {"env.AGENT": "claude"}, "${{ env.AGENT.x }}"),
    ("${{ env.* }}", {"env.AGENT": "claude"}, "${{ env.* }}"),
    ("${{ env }}", {"env": "claude"}, "${{ env }}"),
    ("${{ matrix.cfg }}", {"matrix.cfg": {"tool": "x"}}, "${{ matrix.cfg }}"),
])
def test_contexts_the_caller_knows(text: str, known: dict[str, Any], value: str) -> None:
    assert substitute(text, known) == value


def test_a_substitution_names_the_contexts_it_reads() -> None:
    done = substitution("${{ env.A }} ${{ MATRIX.Tool || github.actor }} ${{ env['B'] }}"
                        " ${{ 'x' }} ${{ inputs.* }}")
    assert done.names == frozenset({"env.a", "matrix.tool", "github.actor", "env.b"})
    assert done.judged


def test_several_matrix_values_give_a_text_each() -> None:
    text = "${{ matrix.tool }} -p ${{ env.MODE }}"
    found = substitutions(text, {"matrix.tool": ["claude", "codex"], "env.MODE": ["x"],
                                 "matrix.unused": ["a", "b", "c"]})
    assert [f.text for f in found] == ["claude -p x", "codex -p x"]
    both = substitutions("${{ matrix.a }}${{ matrix.b }}", {"matrix.a": ["cl", "x"],
                                                           "matrix.b": ["aude", "y"]})
    assert "claude" in [f.text for f in both] and len(both) == 4
    many = substitutions("${{ matrix.a }}${{ matrix.b }}",
                         {"matrix.a": [str(i) for i in range(20)],
                          "matrix.b": [str(i) for i in range(20)]})
    assert len(many) == MATRIX_LIMIT and not any(f.judged for f in many)


# ---------------------------------------------------------------- the cost of a value
def _doubling(depth: int, inner: str = "'x'", template: str = "{0}{0}{0}{0}") -> str:
    """format() nested `depth` deep, each level four times the one inside: 4**depth."""
    for _ in range(depth):
        inner = f"format('{template}', {inner})"
    return inner


@pytest.mark.parametrize("depth", [4, 8, 14, 24, 48])
def test_a_value_that_would_grow_exponentially_is_written_in_linear_form(depth: int) -> None:
    """A 423-byte workflow at depth 14 once took 77 s and 550 MB (deeper: MemoryError).
    Past the budget, each argument is written once, then the expression as written."""
    expression = _doubling(depth)
    text = "echo ${{ " + expression + " }}"
    started = clock()
    out = substitute(text)
    assert clock() - started < 1
    assert len(out) <= 8 * len(text) + (1 << 16)
    if depth <= 4:  # all levels within the budget: exactly GitHub's value
        assert out == "echo " + "x" * 4 ** depth
    else:
        assert out == "echo x ${{ " + expression + " }}"


def test_a_command_inside_a_huge_value_stays_in_its_place() -> None:
    """The pieces around a repeated argument are kept in order: `; claude` still follows
    the padding as a command, not as text quoted inside the expression."""
    expression = f"format('{{0}}{{1}}{{0}}', {_doubling(30, inner=repr('a '))}, '; claude -p r; ')"
    out = substitute("echo ${{ " + expression + " }} done")
    assert out.startswith("echo a ; claude -p r;  ${{ format(")
    assert out.endswith(" }} done")


def test_after_a_huge_value_the_next_expressions_are_still_exact() -> None:
    """The linear form is the exact value when no argument repeats: an expression after
    one that overflowed is not weakened (a comparison only when it compares a value
    that was shortened)."""
    huge = _doubling(20)
    text = (f"${{{{ {huge} }}}}; ${{{{ fromJSON('\"claude\"') }}}} -p; "
            f"${{{{ 'a' == 'A' && 'codex' }}}} exec; "
            f"${{{{ startsWith({huge}, 'xx') && 'gemini' || 'none' }}}}")
    out = substitute(text)
    assert out.startswith("x ${{ format(")
    assert "; claude -p; codex exec; ${{ startsWith(" in out


def test_values_past_the_budget_are_said_to_be_unjudged() -> None:
    """A context's value referenced again and again: the expressions that do not fit even
    once are left as written, and the substitution says so."""
    known = {"env.A": "a" * 50_000, "env.B": "claude"}
    text = "${{ env.A }}\n" * 200 + "${{ env.B }} -p\n"
    done = substitution(text, known)
    assert not done.judged
    assert done.text.endswith("${{ env.A }}\nclaude -p\n")  # a new context still fits
    assert len(done.text) <= (8 + 51) * (len(text) + 50_006) + 2 * 1024 + len(text)
    assert substitution("${{ env.A }}\n" * 20, known).judged


def _seconds(text: str) -> float:
    return best_seconds(lambda: substitute(text, {"env.a": "claude " * 20}))


@pytest.mark.parametrize("unit", [
    "${{ " + _doubling(12) + " }};",
    "${{ " + _doubling(6, template="{0}{0}") + " }};",
    "${{ format('{0}{0}{0}', env.A) }};",
    "${{ true && fromJSON('\"claude\"') || 'x' }};",
    # Each separator is written between every two items: a long one is written once.
    "${{ join(fromJSON('[" + "1," * 200 + "1]'), '" + "s" * 400 + "') }};",
    "${{ toJSON(fromJSON('" + "[" * 45 + "1" + "]" * 45 + "')) }};",
    "${{ toJSON(toJSON(toJSON(toJSON('\"\\\\')))) }};",
])
def test_substitution_takes_time_linear_in_the_text(unit: str) -> None:
    """Four times the text costs about four times the time, never sixteen, and the text
    written stays within a fixed factor of it."""
    small, large = _seconds(unit * 200), _seconds(unit * 800)
    assert large / max(small, 1e-4) < 8, (small, large)
    written = substitute(unit * 800, {"env.a": "claude " * 20})
    # Within the budget, GitHub's value; past it, a linear form about as long as the text.
    assert len(written) <= 10 * len(unit) * 800 + (1 << 16) * 2


# ------------------------------------------------------------------ through a check
@pytest.mark.parametrize("run", [
    "${{ fromJSON('\"claude\"') }} -p review",
    "${{ true && 'claude' }} -p review",
    "${{ false || 'claude' }} -p review",
    "${{ 'x' == 'X' && 'claude' || 'codex' }} -p review",
    "echo ${{ format('{0}{1}{0}', " + _doubling(20) + ", '; claude -p review; ') }}",
])
def test_a_workflow_running_a_constant_agent_fails_the_range(clean_repo: Repo, run: str) -> None:
    clean_repo.write(".github/workflows/a.yml",
                     "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                     f"      - run: {run}\n")
    clean_repo.commit("Workflow", ".github/workflows/a.yml")
    result = run_cli("check", "--range", "HEAD", cwd=clean_repo.path)
    assert result.returncode == 1 and "AIC301" in result.stdout, result.stdout + result.stderr


def test_a_workflow_with_a_huge_constant_but_no_agent_passes(clean_repo: Repo) -> None:
    clean_repo.write(".github/workflows/a.yml",
                     "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                     f"      - run: echo ${{{{ {_doubling(16)} }}}}\n")
    clean_repo.commit("Workflow", ".github/workflows/a.yml")
    result = run_cli("check", "--range", "HEAD", cwd=clean_repo.path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("text", "want"), [
    ("${{ inputs.tool || 'claude' }} -p review", "claude -p review"),
    ("${{ github.event.inputs.tool || 'codex' }} exec", "codex exec"),
    ("${{ inputs.a || inputs.b }} x", "${{ inputs.a || inputs.b }} x"),
    ("${{ 'make' || 'claude' }} all", "make all"),  # the clean twin: known, truthy
])
def test_an_unknown_side_of_or_is_written_as_its_known_fallback(text: str, want: str) -> None:
    """An input not given is empty: `inputs.tool || 'claude'` then runs claude. Only the
    text says so: the value of the expression itself is still not known."""
    assert substitute(text) == want
    assert evaluate("github.actor || 'a'") is None
