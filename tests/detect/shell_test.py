"""Code that shell scripts hand to interpreters (shell.py, runners.py): `python -c`,
`node -e`, `perl -e`, `ruby -e`, `deno eval`, a heredoc on an interpreter's standard input,
and the languages of `shell:` programs. (The shell reading itself: workflows_test.py.)"""

from __future__ import annotations

import contextlib
import json
import shlex

import pytest

from ai_clearance.detect.runners import (
    code_arguments,
    language_of,
    shebang_language,
    stdin_language,
)
from ai_clearance.detect.shell import (
    ScriptTooCostly,
    code_commands,
    invocations,
    script_commands,
)
from ai_clearance.errors import EXIT_GIT
from conftest import Repo, best_seconds, run_cli


def _calls(script: str, language: str = "shell") -> list[tuple[str, ...]]:
    return [call for _, words in script_commands(script, language)
            for call in invocations(words, 0)]


@pytest.mark.parametrize(("program", "args", "code"), [
    ("python3", ["-c", "X"], [("X", "hash")]),
    ("python", ["-u", "-W", "ignore", "-Bc", "X"], [("X", "hash")]),
    ("python3.12", ["-cX"], [("X", "hash")]),
    ("py", ["-c", "X"], [("X", "hash")]),
    ("node", ["--input-type=module", "-e", "X"], [("X", "slash")]),
    ("node", ["--eval=X"], [("X", "slash")]),
    ("node", ["-p", "X"], [("X", "slash")]),
    ("bun", ["--eval", "X"], [("X", "slash")]),
    ("perl", ["-Mstrict", "-lne", "X", "-e", "Y"], [("X", "hash"), ("Y", "hash")]),
    ("ruby", ["-rjson", "-e", "X"], [("X", "hash")]),
    ("deno", ["eval", "--ext=ts", "X"], [("X", "slash")]),
    ("php", ["-r", "X"], [("X", "code")]),
    ("python3", ["script.py", "--check"], []),
    ("node", ["build.js"], []),
    ("deno", ["run", "x.ts"], []),
    ("make", ["-e", "X"], []),
])
def test_code_arguments(program: str, args: list[str], code: list[tuple[str, str]]) -> None:
    assert code_arguments(program, args) == code


@pytest.mark.parametrize(("program", "args", "language"), [
    ("python3", [], "hash"), ("python3", ["-"], "hash"), ("node", ["--no-warnings"], "slash"),
    ("python3", ["--version"], None), ("node", ["-v"], None), ("python3", ["x.py"], None),
    ("python3", ["-c", "x"], None), ("bash", [], None),
])
def test_an_interpreter_reads_code_from_its_standard_input(
        program: str, args: list[str], language: str | None) -> None:
    assert stdin_language(program, args) == language


@pytest.mark.parametrize(("program", "language"), [
    ("bash", "shell"), ("sh", "shell"), ("pwsh", "shell"), ("cmd", "shell"),
    ("python", "hash"), ("python3.11", "hash"), ("perl", "hash"), ("ruby", "hash"),
    ("node", "slash"), ("deno", "slash"), ("lua", "code"),
])
def test_language_of_a_program(program: str, language: str) -> None:
    assert language_of(program) == language


@pytest.mark.parametrize(("text", "language"), [
    ("#!/usr/bin/env python3\nx", "hash"), ("#!/usr/bin/env -S node --x\n", "slash"),
    ("#!/bin/bash -e\n", "shell"), ("#! /usr/bin/perl -w\n", "hash"), ("x\n#!/bin/sh", None),
    ("#!\n", None), ("#!/bin/busybox sh\n", "shell"), ("#!/usr/bin/env toybox sh\n", "shell"),
])
def test_shebang_language(text: str, language: str | None) -> None:
    assert shebang_language(text) == language


@pytest.mark.parametrize("script", [
    "python3 -c 'import os; os.system(\"claude -p x\")'",
    "python -c \"import subprocess; subprocess.run(['claude', '-p', 'x'])\"",
    "sudo -E python3 -c 'import os; os.system(\"cl\" + \"aude -p x\")'",
    "node -e \"require('child_process').execSync('claude -p x')\"",
    "node --eval \"require('child_process').spawnSync('claude', ['-p', 'x'])\"",
    "perl -e 'system(\"claude\", \"-p\", \"x\")'",
    "ruby -e '`claude -p x`'",
    "deno eval \"new Deno.Command('claude', { args: ['-p', 'x'] }).outputSync()\"",
    "bash -c \"python3 -c 'import os; os.system(\\\"claude -p x\\\")'\"",
    "python3 - <<'EOF'\nimport os\nos.system('claude -p x')\nEOF",
    "cat <<'EOF' | node\nrequire('child_process').execSync(\"claude -p x\")\nEOF",
    "echo \"import os; os.system('claude -p x')\" | python3",
    "printf '%s' \"require('child_process').execSync('claude -p x')\" | node -",
    "python3 -c 'import os; os.system(\"\\x63laude -p x\")'",
    "python3 -c \"print(os.popen('claude -p x').read())\"",
    "perl -e 'print `claude -p x`'",
    "python3 -c \"print('claude -p x')\" | bash",   # printed into a shell: run
])
def test_interpreters_in_shell_scripts_are_read(script: str) -> None:
    assert ("claude", "-p", "x") in _calls(script), _calls(script)


@pytest.mark.parametrize("script", [
    "echo 'claude -p x'",
    "echo \"python3 -c 'claude -p x'\"",
    "python3 -c 'print(\"claude is a name\")'",
    "python3 -c 'print(\"run claude -p x to review\")'",
    "node --version\necho 'claude -p x'",
    "python3 tools/check.py 'claude -p x'",
    "python -c \"print('To reproduce, run:'); print('claude -p x')\"",
    "node -e \"console.log('claude -p x')\"",
    "ruby -e 'puts \"claude -p x\"'",
])
def test_text_that_runs_nothing_stays_text(script: str) -> None:
    assert not any(call[:2] == ("claude", "-p") for call in _calls(script)), _calls(script)


def test_code_is_read_by_its_literals_in_its_language() -> None:
    python = "import os\n# os.system('claude -p x')\nos.system('codex exec fix')\n"
    assert ("codex", "exec", "fix") in _calls(python, "hash")
    assert not any(c[0] == "claude" for c in _calls(python, "hash"))
    # A language not known is read with either comment syntax.
    hidden = "x = 1 // 2; os.system('codex exec fix')\n"
    assert ("codex", "exec", "fix") in _calls(hidden, "code")
    assert code_commands(hidden, "code", worth=lambda text: False) == []


@pytest.mark.parametrize("depth", [1, 3, 6, 7, 9])
def test_code_nested_past_the_followed_depth_hides_nothing(depth: int) -> None:
    """Python that runs a shell that runs Python...: followed as deep as shells are, and
    past that still seen (every run of words counts, as for shells)."""
    script = "claude -p x"
    for _ in range(depth):
        script = "python3 -c " + shlex.quote(f"import os; os.system({json.dumps(script)})")
    found = _calls(script)
    assert any(call[:2] == ("claude", "-p") for call in found), script


@pytest.mark.parametrize("unit", ["python3 -c 'os.system(\"", "node -e \"x('", "python3 <<E\n",
                                  "'a', ", "$(python -c '"])
def test_reading_interpreters_takes_time_linear_in_size(unit: str) -> None:
    def seconds(script: str) -> float:
        return best_seconds(lambda: _calls(script))
    small, large = seconds(unit * 5_000), seconds(unit * 20_000)
    assert large / max(small, 1e-4) < 10, (small, large)


def _runs_claude(script: str) -> bool:
    return any(call[:2] == ("claude", "-p") for call in _calls(script))


@pytest.mark.parametrize("script", [
    "shopt -s expand_aliases\nalias r=\"true; claude -p review\"\nr",
    "alias r='cd . && claude -p review'\nr x",
    "alias r=\"git diff | claude -p review\"\nr",
    "alias r='echo hi\nclaude -p review'\nr",
    "$(echo cla)ude -p review",
    "\"$(printf cl)\"aude -p review",
    "$(echo $(echo claude)) -p review",
    "$(echo $(echo cla)$(echo ude)) -p review",
    ": ${T:=claude}\n$T -p review",
    "echo ${T=claude}\n$T -p review",
    "alias r=\"claude -p review\"\nr",
])
def test_compound_aliases_glued_substitutions_and_default_assignments_are_followed(
        script: str) -> None:
    assert _runs_claude(script), _calls(script)


@pytest.mark.parametrize(("script", "call"), [
    ("alias ll='ls -la'\nll /tmp", ("ls", "-la", "/tmp")),
    ("alias up='git fetch && git pull --ff-only'\nup origin",
     ("git", "pull", "--ff-only", "origin")),
    ("tar czf out-$(date +%s).tgz dist", ("tar", "czf", "out-$(date +%s).tgz", "dist")),
    (": ${CI:=false}\n$CI && echo local", ("false",)),
    ("echo $(echo Claude) wrote this", ("echo", "Claude", "wrote", "this")),
])
def test_aliases_substitutions_and_defaults_that_run_no_agent_stay_clean(
        script: str, call: tuple[str, ...]) -> None:
    found = _calls(script)
    assert call in found, found
    assert not any(c[0] == "claude" for c in found), found


def _doubling(lines: int, line: str = "A=$A$A\n") -> str:
    return "A=claude\n" + line * lines + "$A -p review\n"


@pytest.mark.parametrize("script", [
    _doubling(26),
    _doubling(40, "A=\"$A $A\"\n"),
    "f() { g " + '"$@" ' * 2000 + "; }\nf " + "claude " * 2000 + "\n",
    "sh -c '" + '"$@" ' * 2000 + "' sh " + "claude " * 2000 + "\n",
    "A=claude\n" + "A+=\" $A\"\n" * 40 + "$A -p\n",
    "alias a='x; ${A}'\nA=claude\n" + "A=$A$A\n" * 30 + "a\n",
])
def test_expansions_past_the_budget_are_refused(script: str) -> None:
    with pytest.raises(ScriptTooCostly, match="32 times its size"):
        _calls(script)


@pytest.mark.parametrize("unit", ["A=$A$A\n", "A+=$A\n", 'A=("${A[@]}" "${A[@]}")\n',
                                  "f $F $F $F\n"])
def test_expanding_takes_time_linear_in_size_budget(unit: str) -> None:
    """Hostile doubling is refused once the budget is spent: time grows with the size."""
    def seconds(script: str) -> float:
        def once() -> None:
            with contextlib.suppress(ScriptTooCostly):
                _calls(script)
        return best_seconds(once)
    head = "A=claude\nF=0123456789\nf() { F=\"$F$*\"; echo \"$@\"; }\n"
    small, large = seconds(head + unit * 2_000), seconds(head + unit * 8_000)
    assert large / max(small, 1e-4) < 10, (small, large)


def test_a_workflow_doubling_a_variable_ends_with_exit_3(repo: Repo) -> None:
    steps = "\n".join(f"          {line}" for line in _doubling(26).splitlines())
    repo.commit("base", allow_empty=True)
    repo.write(".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
               f"    steps:\n      - run: |\n{steps}\n")
    repo.commit("CI", ".github/workflows/ci.yml")
    result = run_cli("check", "--range", "HEAD~1..HEAD", "--no-trust", cwd=repo.path)
    assert result.returncode == EXIT_GIT, result.stdout + result.stderr
    assert "refusing to pass unjudged" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ loops over a constant list
@pytest.mark.parametrize(("script", "programs"), [
    ('for tool in claude; do "$tool" -p review; done', {"claude"}),
    ('for t in gemini codex claude\ndo\n  "$t" -p x\ndone', {"gemini", "codex", "claude"}),
    ("for t in lint claude; do sudo $t -p x; done", {"claude"}),
    ("select t in codex claude; do ${t} -p x; break; done", {"codex", "claude"}),
    ("T=(codex claude); for t in \"${T[@]}\"; do $t -p x; done", {"codex", "claude"}),
    ("for a in x y; do for t in make claude; do \"$t\" -p x; done; done", {"claude"}),
    ("run() { \"$1\" -p x; }\nfor t in ls claude; do run \"$t\"; done", {"claude"}),
    # `while read T` fed lines reads each line into T
    ("printf 'lint\\nclaude\\n' | while read -r t; do \"$t\" -p x; done", {"claude"}),
    ("echo codex | while IFS= read -r t; do $t -p x; done", {"codex"}),
])
def test_a_loop_variable_used_as_the_program_runs_each_value(
        script: str, programs: set[str]) -> None:
    ran = {call[0] for call in _calls(script) if call[1:2] == ("-p",)}
    assert programs <= ran, _calls(script)


@pytest.mark.parametrize("script", [
    "for f in claude.md notes.md; do cat \"$f\"; done",
    "for name in claude codex; do echo \"$name\"; done",
    "for t in lint test; do npm run \"$t\"; done",
    "for claude in a b; do echo $claude; done",
])
def test_loops_that_run_no_agent_stay_clean(script: str) -> None:
    found = _calls(script)
    assert not any(c[0] in ("claude", "codex") for c in found), found


def test_a_loop_is_read_in_time_linear_in_its_values() -> None:
    """Each value costs one reading of the commands that read the variable: four times
    the values cost about four times the time; a body as long as the list is refused."""
    def seconds(script: str) -> float:
        return best_seconds(lambda: _calls(script))
    def values(n: int) -> str:
        return " ".join(f"a{k}" for k in range(n))
    loop = "for t in {}; do \"$t\" -p x; echo \"$t\"; done\n"
    small = seconds(loop.format(values(2_000)))
    large = seconds(loop.format(values(8_000)))
    assert large / max(small, 1e-4) < 10, (small, large)
    with pytest.raises(ScriptTooCostly):
        _calls(loop.replace('"$t"', "$t " * 2_000, 1).format(values(2_000)))


def test_a_loop_body_of_programs_that_run_nothing_is_read_once() -> None:
    script = "for f in a b c; do cp \"$f\" out/; echo \"$f\"; done"
    assert ("cp", "a", "out/") in _calls(script)
    assert ("cp", "b", "out/") not in _calls(script)


@pytest.mark.parametrize("script", ["alias x=''\nx", "alias x=''\nfor t in a; do x; done",
                                    "alias x=''\nx <<< 'y'"])
def test_an_empty_alias_called_is_no_command(script: str) -> None:
    found = _calls(script)
    assert found and not any(call[0] == "x" for call in found), found


def test_functions_and_aliases_are_called_after_keywords() -> None:
    assert _runs_claude("r() { claude -p \"$1\"; }\nif true; then r x; fi")
    assert _runs_claude("alias r='claude -p'\nwhile true; do r x; done")


@pytest.mark.parametrize("script", [
    "export T=claude; bash -c '$T -p review'",
    "T=claude\nexport T\nsh -c '\"$T\" -p review'",
    "declare -x T=claude\nbash -lc '$T -p review'",
    "T=claude bash -c '$T -p review'",
    "env T=claude sh -c '${T} -p review'",
    "export T=claude\nsudo -E bash -c '$T -p review'",
])
def test_a_shell_run_with_c_sees_the_environment_it_is_given(script: str) -> None:
    assert _runs_claude(script), _calls(script)


@pytest.mark.parametrize("script", [
    "T=claude; bash -c '$T -p review'",  # not exported: the inner shell does not see it
    "export T=claude; bash -c 'T=true; $T -p review'",  # reassigned inside
    "export T=claude; bash -c 'echo \"$T -p review\"'",  # only printed
    "export NOTE='ask claude'; sh -c 'echo $NOTE'",
])
def test_a_shell_run_with_c_that_does_not_run_what_it_is_given_stays_clean(
        script: str) -> None:
    assert not any(call[0] == "claude" for call in _calls(script)), _calls(script)


def test_carrying_exports_into_shells_takes_time_linear_in_size() -> None:
    """Many exports and many shells: each shell is given only what it reads."""
    def seconds(count: int) -> float:
        script = "".join(f"export T{k}=claude\n" for k in range(count)) + \
            "bash -c '$T1 -p review'\n" * count
        return best_seconds(lambda: _calls(script))
    small, large = seconds(500), seconds(2_000)
    assert large / max(small, 1e-4) < 10, (small, large)
