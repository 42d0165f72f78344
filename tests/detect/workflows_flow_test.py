"""What flows into what a workflow runs (workflows.py, contexts.py): custom `shell:`
templates, Docker actions' args lists and the files JavaScript actions run, env and matrix
values, values that span lines in a file read line by line, and aliases read once. Each
class has cases that must be found and cases that must stay clean; the costly ones have
ratio tests (twice the input may cost about twice the time)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ai_clearance.catalog.rules import Rule, load_catalog
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.workflows import MAX_BYTES, action_files, content_matches
from ai_clearance.errors import GitError
from ai_clearance.model import PathChange
from conftest import Repo, best_seconds, run_cli

WORKFLOW = ".github/workflows/w.yml"


def _rules(path: str) -> dict[str, Rule]:
    _, candidates = PathMatcher(load_catalog()).match(PathChange(path, "0" * 40, "100644"))
    return {c.rule.id: c.rule for c in candidates}


def _found(text: str | bytes, path: str = WORKFLOW) -> set[str]:
    data = text.encode() if isinstance(text, str) else text
    return set(content_matches(_rules(path), data.split(b"\n"), [path]))


def _job(steps: str, job: str = "", top: str = "") -> str:
    return f"{top}on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n{job}    steps:\n{steps}"


def _ratio(make: Callable[[int], bytes], n: int, judge: Callable[[bytes], object]) -> float:
    """Time for input of size 2n over time for size n (best of three each)."""
    def seconds(data: bytes) -> float:
        return best_seconds(lambda: judge(data))
    small, large = seconds(make(n)), seconds(make(2 * n))
    return large / max(small, 1e-3)


# ------------------------------------------------------------------------ 1. shell templates
@pytest.mark.parametrize(("text", "rule"), [
    (_job("      - shell: npx -y @anthropic-ai/claude-code -p {0}\n        run: review\n"),
     "AIC301"),
    (_job("      - shell: codex exec {0}\n        run: fix the build\n"), "AIC302"),
    (_job("      - shell: 'bash -c \"gemini -p < {0}\"'\n        run: summarize\n"), "AIC303"),
    (_job("      - run: fix it\n", "    defaults:\n      run:\n        shell: codex e {0}\n"),
     "AIC302"),
    (_job("      - run: fix it\n", top="defaults: {run: {shell: 'claude --print {0}'}}\n"),
     "AIC301"),
    ("runs:\n  using: composite\n  steps:\n    - shell: sudo -E codex exec {0}\n"
     "      run: fix\n", "AIC302"),
    (_job("      - shell: ${{ matrix.sh }}\n        run: review\n",
          "    strategy: {matrix: {sh: ['bash {0}', 'codex exec {0}']}}\n"), "AIC302"),
])
def test_a_shell_template_that_runs_an_agent_is_found(text: str, rule: str) -> None:
    assert rule in _found(text), text


@pytest.mark.parametrize("text", [
    _job("      - shell: bash -e {0}\n        run: echo claude -p\n"),
    _job("      - shell: pwsh -command \". '{0}'\"\n        run: Write-Host 'codex exec'\n"),
    _job("      - shell: python {0}\n        run: print('claude is a name')\n"),
    _job("      - run: make\n", "    defaults: {run: {shell: 'sh -e {0}'}}\n"),
])
def test_an_ordinary_shell_template_is_clean(text: str) -> None:
    assert _found(text) == set(), text


# ------------------------------------------------------------------------ 2. docker args
_ACTION = ".github/actions/r/action.yml"


@pytest.mark.parametrize(("text", "rule"), [
    ("runs:\n  using: docker\n  image: docker://node:20\n  entrypoint: npx\n"
     "  args: [\"-y\", \"@anthropic-ai/claude-code\", \"-p\", \"review\"]\n", "AIC301"),
    ("runs:\n  using: docker\n  image: Dockerfile\n  entrypoint: codex\n  args:\n"
     "    - exec\n    - fix the build\n", "AIC302"),
    ("runs:\n  using: docker\n  image: Dockerfile\n  args:\n    - codex\n    - exec\n"
     "    - --full-auto\n", "AIC302"),
    ("runs:\n  using: docker\n  image: Dockerfile\n  pre-entrypoint: claude\n"
     "  args: ['-p', 'warm up']\n", "AIC301"),
    ("runs:\n  using: docker\n  image: Dockerfile\n  post-entrypoint: /bin/sh\n"
     "  args: ['-c', 'gemini -p report']\n", "AIC303"),
    ("runs:\n  using: docker\n  image: Dockerfile\n  entrypoint: ${{ inputs.tool }}\n"
     "  args: [exec, x]\n  env: {T: 1}\n", None),
])
def test_every_item_of_a_docker_args_list_is_read(text: str, rule: str | None) -> None:
    found = _found(text, _ACTION)
    assert (rule in found) if rule else found == set(), text


@pytest.mark.parametrize("text", [
    "runs:\n  using: docker\n  image: Dockerfile\n  entrypoint: /entrypoint.sh\n"
    "  args: ['--comment', 'claude']\n",
    "runs:\n  using: docker\n  image: Dockerfile\n  args: [echo, claude, -p, hi]\n",
    "runs:\n  using: docker\n  image: docker://alpine\n  entrypoint: /review.sh\n"
    "  args: ['--model', 'claude-sonnet', '--reviewer', 'codex']\n",
])
def test_a_docker_action_that_runs_no_agent_is_clean(text: str) -> None:
    assert _found(text, _ACTION) == set(), text


@pytest.mark.parametrize(("text", "files"), [
    ("runs:\n  using: node20\n  main: dist/index.js\n  pre: ./setup.mjs\n  post: clean\n",
     [("pre", "./setup.mjs", "slash"), ("main", "dist/index.js", "slash"),
      ("post", "clean", "slash")]),
    ("runs: {using: docker, image: build/agent.df}\n", [("image", "build/agent.df",
                                                          "dockerfile")]),
    ("runs: {using: docker, image: 'docker://alpine'}\n", []),
    ("runs: {using: composite, steps: []}\n", []),
    ("runs: {using: node20, main: run.py}\n", [("main", "run.py", "hash")]),
    ("[not yaml\n", []),
])
def test_an_action_names_the_files_it_runs(text: str, files: list[tuple[str, str, str]],
                                           ) -> None:
    assert action_files(text.encode()) == files


def _json(result: object) -> set[tuple[str, str]]:
    stdout = getattr(result, "stdout", "")
    return {(f["rule"], f["path"]) for f in json.loads(stdout)["findings"]}


def test_the_files_an_action_runs_are_read_wherever_it_sits(clean_repo: Repo) -> None:
    """A JavaScript action's main, pre and post and a Docker action's own Dockerfile are
    judged in a range, the index and a tree, though no path rule reads them by name."""
    files = {
        "tools/review/action.yml": "runs:\n  using: node20\n  main: dist/index.js\n"
                                   "  post: ./cleanup.mjs\n",
        "tools/review/dist/index.js": "const cp = require('child_process')\n"
                                      "cp.execSync('npx @anthropic-ai/claude-code -p review')\n",
        "tools/review/cleanup.mjs": "spawn('codex', ['exec', 'tidy up'])\n",
        "ci/r/action.yaml": "runs: {using: docker, image: agent.df}\n",
        "ci/r/agent.df": "FROM node:20\nRUN npm i -g @google/gemini-cli\n",
    }
    want = {("AIC301", "tools/review/dist/index.js"), ("AIC302", "tools/review/cleanup.mjs"),
            ("AIC303", "ci/r/agent.df")}
    base = clean_repo.head()
    for path, text in files.items():
        clean_repo.write(path, text)
    clean_repo.git("add", *files)
    staged = run_cli("check", "--staged", "--no-trust", "--format", "json", cwd=clean_repo.path)
    assert (staged.returncode, _json(staged)) == (1, want), staged.stdout + staged.stderr
    clean_repo.commit("Add actions", *files)
    ranged = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", "--format", "json",
                     cwd=clean_repo.path)
    assert (ranged.returncode, _json(ranged)) == (1, want), ranged.stdout + ranged.stderr
    tree = run_cli("check", "--tree", "HEAD", "--no-trust", "--format", "json",
                   cwd=clean_repo.path)
    assert (tree.returncode, _json(tree)) == (1, want), tree.stdout + tree.stderr


def test_the_files_an_action_runs_that_run_no_agent_pass(clean_repo: Repo) -> None:
    base = clean_repo.head()
    files = {
        "tools/lint/action.yml": "runs:\n  using: node20\n  main: dist/index.js\n"
                                 "  pre: ../../../outside.js\n",
        "tools/lint/dist/index.js": "import Anthropic from '@anthropic-ai/sdk'\n"
                                    "core.info('run claude -p locally to try it')\n",
        "tools/other/index.js": "cp.execSync('codex exec x')\n",  # no action runs it
    }
    for path, text in files.items():
        clean_repo.write(path, text)
    clean_repo.commit("Add lint action", *files)
    result = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", "--format", "json",
                     cwd=clean_repo.path)
    assert (result.returncode, _json(result)) == (0, set()), result.stdout + result.stderr


# ------------------------------------------------------------------------ 3. env and matrix
@pytest.mark.parametrize(("text", "rule"), [
    (_job("      - run: npx ${{ matrix.pkg }} -p review\n",
          "    strategy:\n      matrix:\n        pkg: [eslint, '@anthropic-ai/claude-code']\n"),
     "AIC301"),
    (_job("      - run: ${{ matrix.tool }} exec fix\n",
          "    strategy:\n      matrix:\n        os: [ubuntu-latest]\n        include:\n"
          "          - os: ubuntu-latest\n            tool: codex\n"), "AIC302"),
    (_job("      - run: ${{ matrix.tool }} exec fix\n",
          "    strategy:\n      matrix:\n        tool: ${{ fromJSON('[\"x\", \"codex\"]') }}\n"),
     "AIC302"),
    (_job("      - run: ${{ matrix.tool }} exec fix\n",
          "    strategy:\n      matrix: ${{ fromJSON('{\"tool\":[\"codex\"]}') }}\n"), "AIC302"),
    (_job("      - run: ${{ matrix.cfg.cli }} ${{ matrix.cfg.flag }} review\n",
          "    strategy:\n      matrix:\n        cfg: [{cli: claude, flag: -p}]\n"), "AIC301"),
    (_job("      - run: $AGENT exec fix\n", top="env: {AGENT: codex}\n"), "AIC302"),
    (_job("      - run: ${{ env.AGENT }} -p review\n", "    env: {AGENT: claude}\n"), "AIC301"),
    (_job("      - run: '\"${AGENT}\" exec fix'\n        env:\n          AGENT: codex\n"),
     "AIC302"),
    (_job("      - run: npx $PKG -p review\n",
          "    strategy: {matrix: {p: ['@anthropic-ai/claude-code']}}\n"
          "    env: {PKG: '${{ matrix.p }}'}\n"), "AIC301"),
    (_job("      - run: make\n", "    container: ${{ matrix.img }}\n"
          "    strategy: {matrix: {img: ['paulgauthier/aider:latest']}}\n"), "AIC306"),
    (_job("      - run: ${{ env.A }}${{ env.B }} exec x\n", "    env: {A: co, B: dex}\n"),
     "AIC302"),
])
def test_env_and_matrix_values_flow_into_what_runs(text: str, rule: str) -> None:
    assert rule in _found(text), text


@pytest.mark.parametrize("text", [
    _job("      - run: echo \"$AGENT exec\" is how we would run it\n", top="env: {AGENT: codex}\n"),
    _job("      - run: echo ${{ matrix.name }} -p\n",
         "    strategy: {matrix: {name: [claude]}}\n"),
    _job("      - run: make\n", "    env: {NOTE: 'claude -p is not used here'}\n"),
    _job("      - run: npx eslint --max-warnings ${{ matrix.n }}\n",
         "    strategy: {matrix: {n: [0, 10]}}\n"),
    _job("      - run: $AGENTX exec fix\n", top="env: {AGENT: codex}\n"),
    _job("      - run: ${{ env.AGENT }} exec fix\n", top="env: {OTHER: codex}\n"),
    _job("      - uses: actions/checkout@v4\n        env: {AGENT: codex}\n"),
])
def test_env_and_matrix_values_that_run_nothing_are_clean(text: str) -> None:
    assert _found(text) == set(), text


_DISPATCH = "on:\n  workflow_dispatch:\n    inputs:\n      tool: {spec}\njobs:\n  a:\n" \
    "    runs-on: ubuntu-latest\n    steps:\n      - run: {run}\n"
_CALL = _DISPATCH.replace("workflow_dispatch", "workflow_call")
_NEEDS = "on: push\njobs:\n  first:\n    runs-on: ubuntu-latest\n    outputs: {outputs}\n" \
    "    steps: {steps}\n  second:\n    needs: first\n    runs-on: ubuntu-latest\n" \
    "    steps:\n      - run: {run}\n"
_COMPOSITE = "name: x\ninputs:\n  Tool: {spec}\nruns:\n  using: composite\n  steps:\n" \
    "    - shell: bash\n      run: {run}\n"


@pytest.mark.parametrize(("text", "rule"), [
    # Inputs: their default, and each option of a choice.
    (_DISPATCH.format(spec="{default: claude}", run="${{ inputs.tool }} -p review"), "AIC301"),
    (_CALL.format(spec="{type: string, default: codex}", run="${{ INPUTS.Tool }} exec x"),
     "AIC302"),
    (_DISPATCH.format(spec="{type: choice, default: make, options: [make, 'codex']}",
                      run="${{ github.event.inputs.tool }} exec fix"), "AIC302"),
    (_DISPATCH.format(spec="{default: claude}", run="$T -p review\n        env: "
                      "{T: '${{ inputs.tool }}'}"), "AIC301"),
    (_COMPOSITE.format(spec="{default: 'npx @anthropic-ai/claude-code'}",
                    run="${{ inputs.tool }} -p review"), "AIC301"),
    # A job's constant outputs, read by the jobs that need it.
    (_NEEDS.format(outputs="{tool: claude}", steps="[{run: 'true'}]",
                   run="${{ needs.first.outputs.tool }} -p review"), "AIC301"),
    (_NEEDS.format(outputs="{Tool: '${{ steps.pick.outputs.name }}'}",
                   steps="[{id: pick, run: 'echo \"name=codex\" >> \"$GITHUB_OUTPUT\"'}]",
                   run="${{ needs.first.outputs.tool }} exec fix"), "AIC302"),
    (_NEEDS.format(outputs="{t: '${{ steps.s.outputs.t }}'}",
                   steps="[{id: s, run: 'echo ::set-output name=t::gemini'}]",
                   run="${{ needs.first.outputs.t }} -p review"), "AIC303"),
    (_NEEDS.format(outputs="{t: '${{ inputs.x || format(''{0}ude'', ''cla'') }}'}",
                   steps="[{run: 'true'}]",
                   run="${{ needs.first.outputs.t }} -p review"), "AIC301"),
    # A step's constant output, read by a later step of its job.
    (_job("      - id: pick\n        run: echo 'agent=codex' >> $GITHUB_OUTPUT\n"
          "      - run: ${{ steps.pick.outputs.agent }} exec fix\n"), "AIC302"),
    (_job("      - id: p\n        shell: pwsh\n        run: echo \"a=claude\" >> "
          "$env:GITHUB_OUTPUT\n      - run: ${{ steps.p.outputs.a }} -p review\n"), "AIC301"),
])
def test_inputs_and_outputs_flow_into_what_runs(text: str, rule: str) -> None:
    assert rule in _found(text), text


@pytest.mark.parametrize("text", [
    _DISPATCH.format(spec="{default: eslint}", run="npx ${{ inputs.tool }} ."),
    _DISPATCH.format(spec="{type: choice, options: [ruff, mypy]}",
                     run="${{ inputs.tool }} check"),
    _CALL.format(spec="{type: string, required: true}", run="${{ inputs.tool }} -p review"),
    _DISPATCH.format(spec="{default: claude}", run="echo reviewed by ${{ inputs.tool }}"),
    _COMPOSITE.format(spec="{description: the tool to run}", run="${{ inputs.tool }} -p x"),
    _NEEDS.format(outputs="{tool: make}", steps="[{run: 'true'}]",
                  run="${{ needs.first.outputs.tool }} -p review"),
    _NEEDS.format(outputs="{t: '${{ steps.s.outputs.t }}'}",
                  steps="[{id: s, run: 'echo \"t=$AGENT\" >> $GITHUB_OUTPUT'}]",
                  run="${{ needs.first.outputs.t }} -p review"),
    _NEEDS.format(outputs="{tool: claude}", steps="[{run: 'true'}]",
                  run="echo ${{ needs.first.outputs.tool }} -p review"),
    _job("      - id: pick\n        run: echo 'agent=codex' >> notes.txt\n"
         "      - run: ${{ steps.pick.outputs.agent }} exec fix\n"),
])
def test_inputs_and_outputs_that_run_nothing_are_clean(text: str) -> None:
    """Harmless values, and values not known (an input with no default, an output that a
    variable writes): none is made up."""
    assert _found(text) == set(), text


def test_outputs_cost_time_linear_in_the_workflow() -> None:
    def make(n: int) -> bytes:
        jobs = "".join(f"  j{i}:\n    needs: j{i - 1}\n    outputs: {{t: '${{{{ needs.j{i - 1}"
                       f".outputs.t }}}}'}}\n    steps:\n      - id: s\n        run: |\n"
                       + "          echo \"echo a=b >> $GITHUB_OUTPUT\"\n" * 20
                       + "      - run: ${{ steps.s.outputs.a }} x\n" for i in range(1, n))
        return ("on: push\njobs:\n  j0:\n    outputs: {t: make}\n    steps: [{run: 'true'}]\n"
                + jobs).encode()
    assert _found(make(40)) == set()
    assert _ratio(make, 40, _found) < 5


_INCLUDE = "    strategy:\n      matrix:\n{lists}        include:\n{rows}"


@pytest.mark.parametrize(("lists", "rows", "rule"), [
    ("", "          - {a: codex, b: exec}\n          - {a: make, b: all}\n", "AIC302"),
    ("", "          - {a: codex, b: lint}\n          - {a: make, b: exec}\n", None),
    ("        os: [x, y]\n", "          - {os: y, a: codex, b: exec}\n", "AIC302"),
    ("        os: [x, y]\n", "          - {os: z, a: codex, b: exec}\n", "AIC302"),
    # A later entry changes what an earlier one added: codex never meets exec.
    ("        os: [x]\n", "          - {a: codex}\n          - {a: make}\n"
     "          - {b: exec}\n", None),
    ("", "".join(f"          - {{a: x{i}, b: y{i}}}\n" for i in range(100)), None),
])
def test_include_entries_are_jobs_as_github_makes_them(lists: str, rows: str,
                                                       rule: str | None) -> None:
    """Values of one include entry go together; values of different entries do not (100
    entries read by two expressions are 100 jobs, not 10,000 combinations)."""
    text = _job("      - run: ${{ matrix.a }} ${{ matrix.b }} fix\n",
                _INCLUDE.format(lists=lists, rows=rows))
    assert _found(text) == ({rule} if rule else set()), text


def test_a_step_shared_by_jobs_is_read_under_each_jobs_env() -> None:
    text = ("x: &step {run: '$AGENT exec fix'}\njobs:\n  a: {env: {AGENT: make}, steps: [*step]}\n"
            "  b: {env: {AGENT: codex}, steps: [*step]}\n")
    assert _found(text) == {"AIC302"}
    assert _found(text.replace("AGENT: codex", "AGENT: cmake")) == set()


def test_more_combinations_than_github_runs_are_refused() -> None:
    values = ", ".join(f"v{i}" for i in range(20))
    text = _job("      - run: ${{ matrix.a }} ${{ matrix.b }}\n",
                f"    strategy: {{matrix: {{a: [{values}], b: [{values}]}}}}\n")
    with pytest.raises(GitError, match="could not be judged"):
        _found(text)
    # Read one at a time, the same lists are well within bounds.
    assert _found(text.replace(" ${{ matrix.b }}", "")) == set()


def test_matrix_values_cost_time_linear_in_their_number() -> None:
    def make(n: int) -> bytes:
        values = ", ".join(f"v{i}" for i in range(n))
        return _job("      - run: echo ${{ matrix.a }} && codex --version\n",
                    f"    strategy: {{matrix: {{a: [{values}]}}}}\n").encode()
    assert _ratio(make, 120, _found) < 5


def _matrix(oses: int, pythons: int, lines: int, tail: str = "", env: str = "") -> str:
    """A test matrix as people write them: OSes by Python versions, a script of `lines`
    lines that reads both on one line in ten, and `tail` at its end."""
    script = "".join(f"          echo \"step {i} on ${{{{ matrix.os }}}} with "
                     f"${{{{ matrix.py }}}}\"; python -m pytest tests/part{i} "
                     f"--junitxml=out-${{{{ matrix.py }}}}-{i}.xml\n" if i % 10 == 0 else
                     f"          python -m pytest tests/part{i} --junitxml=out-{i}.xml\n"
                     for i in range(lines))
    oses_list = ", ".join(f"os-{i}" for i in range(oses))
    pythons_list = ", ".join(f'"3.{i}"' for i in range(pythons))
    return _job(f"      - uses: actions/checkout@v4\n      - run: |\n{script}{tail}",
                f"    strategy:\n      matrix:\n        os: [{oses_list}]\n"
                f"        py: [{pythons_list}]\n{env}")


@pytest.mark.integration  # the largest matrices GitHub runs: 50 s of the unit loop
@pytest.mark.parametrize(("oses", "pythons", "lines"), [
    (3, 24, 40),     # the 72 jobs of a hostile review's repro
    (2, 128, 40),    # GitHub's limit of 256 jobs
    (16, 16, 60),    # 256 jobs, a longer script
])
def test_matrices_within_githubs_limit_are_judged(oses: int, pythons: int,
                                                   lines: int) -> None:
    """Every matrix GitHub runs is judged, whatever the script that reads it: a script
    is read once per distinct combination of the values it reads, and what one matrix
    makes of it is within the file's means."""
    env = "    env: {PY: '${{ matrix.py }}', WHERE: '${{ matrix.os }}-x'}\n"
    assert _found(_matrix(oses, pythons, lines)) == set()
    assert _found(_matrix(oses, pythons, lines, env=env)) == set()
    agent = "          npx ${{ matrix.agent }} -p review\n"
    found = _matrix(oses, pythons, lines, agent).replace(
        "        py: [", "        agent: ['@anthropic-ai/claude-code']\n        py: [")
    assert _found(found) == {"AIC301"}


def test_a_script_shared_by_many_matrix_jobs_is_still_bounded() -> None:
    """The free reading is per scalar, one matrix's worth: an alias of a large script
    under the matrices of many jobs pays from the file's budget, and is refused past
    it, in time linear in the file."""
    def make(jobs: int) -> bytes:
        head = "x: &s {run: 'echo ${{ matrix.a }} claude " + "a" * 2_000 + "'}\njobs:\n"
        return (head + "".join(
            f"  j{i}: {{strategy: {{matrix: {{a: [{', '.join(f'v{i}-{k}' for k in range(16))}]}}}},"
            f" steps: [*s]}}\n" for i in range(jobs))).encode()
    assert _found(make(2)) == set()

    def refused(data: bytes) -> None:
        with pytest.raises(GitError, match="more to read than"):
            _found(data)
    refused(make(100))
    assert _ratio(make, 100, refused) < 5


def test_matrix_scripts_cost_time_linear_in_their_size() -> None:
    def make(lines: int) -> bytes:
        return _matrix(4, 16, lines, "          codex --version\n").encode()
    assert _ratio(make, 20, _found) < 5


# ------------------------------------------------------------------------ 4. read by lines
_FILLER = b"x" * 100 + b"\n"  # not a comment: comments do not count towards the limit
_PAD = _FILLER * (MAX_BYTES // len(_FILLER) + 2)
_COMMENTS = (b"#" + b"x" * 99 + b"\n") * (MAX_BYTES // 100 + 2)


def _large(steps: str) -> bytes:
    return _job(steps).encode() + _PAD


def _broken(steps: str) -> bytes:
    return _job(steps).encode() + b"  broken: [\n"


@pytest.mark.parametrize(("steps", "rule"), [
    ('      - run: "npx @anthropic-ai/claude-code -p review"\n', "AIC301"),
    ("      - run: 'codex exec review'\n", "AIC302"),
    ("      - run: |\n          cla\\\n          ude -p review\n", "AIC301"),
    ("      - run: |\n          codex \\\n            exec review\n", "AIC302"),
    ("      - run: >\n          claude\n          -p review\n", "AIC301"),
    ("      - run: >-\n          codex\n\n          exec review\n", "AIC302"),
    ('      - run: "claude\n          -p review"\n', "AIC301"),
    ('      - run: "co\\\n          dex exec review"\n', "AIC302"),
    ('      - run: "\\x63laude -p review"\n', "AIC301"),
    ("      - run: 'codex\n\n          exec review'\n", "AIC302"),
    ("      - run: claude\n          -p review\n", "AIC301"),
    ("      - run: &r |\n          gemini \\\n            -p review\n", "AIC303"),
    ("      - {run: \"codex exec review\", shell: bash}\n", "AIC302"),
])
@pytest.mark.parametrize("shape", [_large, _broken])
def test_a_workflow_read_by_lines_joins_what_spans_lines(
        steps: str, rule: str, shape: Callable[[str], bytes]) -> None:
    assert rule in _found(shape(steps)), steps


@pytest.mark.parametrize("steps", [
    '      - run: echo "claude"\n',
    "      - run: |\n          echo claude \\\n            -p review\n",
    "      - name: 'claude'\n        uses: actions/checkout@v4\n",
    "      - run: >\n          echo codex\n          exec is how\n",
    '      - run: "echo codex\n          exec"\n',
    "      - with:\n          notes: |\n            the codex\n            exec step was removed\n",
])
@pytest.mark.parametrize("shape", [_large, _broken])
def test_a_workflow_read_by_lines_stays_clean(steps: str,
                                              shape: Callable[[str], bytes]) -> None:
    assert _found(shape(steps)) == set(), steps


_FLOW = "on: push\njobs: {{a: {{runs-on: ubuntu-latest, steps: [{step}]}}}}\n"


@pytest.mark.parametrize(("text", "rule"), [
    (_FLOW.format(step="{run: claude -p review}"), "AIC301"),
    (_FLOW.format(step="{name: x, 'run': 'codex exec fix', shell: bash}"), "AIC302"),
    (_FLOW.format(step='{Run: "\\x63laude -p review"}'), "AIC301"),
    (_FLOW.format(step="{uses: actions/checkout@v4}, {run: gemini -p x # note}"), "AIC303"),
    (_job("      - run: $T -p review\n", "    env: {T: claude, U: x}\n"), "AIC301"),
    (_job("      - run: ${{ env.T }} exec fix\n") + "    env:\n      T: 'codex'\n", "AIC302"),
    (_job("      - run: |\n          make\n          \"$AGENT\" exec fix\n",
          "    env:\n      # the agent\n      AGENT: codex\n"), "AIC302"),
    (_job("      - {run: '$T -p x', env: {T: \"claude\"}}\n"), "AIC301"),
])
@pytest.mark.parametrize("padding", [_PAD, _COMMENTS])
def test_flow_steps_and_env_are_read_in_a_large_workflow(text: str, rule: str,
                                                        padding: bytes) -> None:
    """Past the limit (or padded with comments, which do not count towards it), a step
    written in flow style and an env value read by a script are still judged."""
    assert rule in _found(text.encode() + padding), text


@pytest.mark.parametrize("text", [
    _FLOW.format(step="{run: echo claude -p review}"),
    _FLOW.format(step="{name: claude -p review, run: make}"),
    _job("      - run: echo $T -p review\n", "    env: {T: claude}\n"),
    _job("      - run: $T -p review\n", "    env: {TT: claude}\n"),
    _job("      - run: $T -p review\n", "    with: {notes: x}\n    env: {T: make}\n"),
])
@pytest.mark.parametrize("padding", [_PAD, _COMMENTS])
def test_flow_steps_and_env_that_run_nothing_are_clean_in_a_large_workflow(
        text: str, padding: bytes) -> None:
    assert _found(text.encode() + padding) == set(), text


@pytest.mark.integration  # parses MAX_PARSED_BYTES of comments twice
def test_comment_padding_keeps_the_structure(monkeypatch: pytest.MonkeyPatch) -> None:
    """A workflow padded with comments is read as YAML (its matrix is known, its lines
    are where they are); past MAX_PARSED_BYTES of padding it is read by lines."""
    from ai_clearance.detect import workflows

    head = _job("      - run: ${{ matrix.t }} exec fix\n",
                "    strategy: {matrix: {t: [make, codex]}}\n").encode()
    rules = _rules(WORKFLOW)
    found = content_matches(rules, (_COMMENTS + head).split(b"\n"), [WORKFLOW])
    assert found["AIC302"][0] == _COMMENTS.count(b"\n") + 7
    monkeypatch.setattr(workflows, "MAX_PARSED_BYTES", MAX_BYTES)
    assert _found(_COMMENTS + head) == set()  # a matrix is not known by lines


def test_env_read_by_lines_costs_time_linear_in_its_size() -> None:
    def make(n: int) -> bytes:
        steps = "".join(f"      - run: $T{i % 7} --flag $T{(i + 1) % 7} && echo $HOME\n"
                        for i in range(n))
        env = "".join(f"      T{i}: v{i}\n" for i in range(7))
        return _job(steps, f"    env:\n{env}").encode() + b"  broken: [\n"
    assert _found(make(2000)) == set()
    assert _ratio(make, 2000, _found) < 5


@pytest.mark.parametrize(("path", "text", "rule"), [
    (".github/scripts/a.sh", b"npm i -g \\\n  @openai/codex\n", "AIC302"),
    (".github/scripts/a.sh", b"cla\\\nude -p review\n", "AIC301"),
    ("Dockerfile", b"FROM node\nRUN npm i -g \\\n    @google/gemini-cli\n", "AIC303"),
])
def test_other_files_read_by_lines_join_continued_lines(path: str, text: bytes,
                                                        rule: str) -> None:
    assert rule in _found(_PAD + text, path)
    assert _found(_PAD + text.replace(b"\\\n", b"\n"), path) == set()


def test_a_large_wide_workflow_is_refused() -> None:
    data = "\ufeffjobs: {}\n".encode("utf-16-le") + _PAD
    with pytest.raises(GitError, match="UTF-16"):
        _found(b"\xff\xfe" + data)
    assert _found(b"\xff\xfe[not yaml\n") == set()  # not YAML: GitHub runs nothing


@pytest.mark.parametrize("unit", ["      - run: |\n          a \\\n", '      - run: "a\\\n',
                                  "      - run: 'a\n", "      - run: >\n          a\n",
                                  "      - run: a\n          b\n"])
def test_values_that_span_lines_cost_time_linear_in_their_size(unit: str) -> None:
    def make(n: int) -> bytes:
        return _job(unit * n).encode() + b"  broken: [\n"
    assert _ratio(make, 4000, _found) < 5


# ------------------------------------------------------------------------ 5. aliases
@pytest.mark.parametrize(("text", "rule"), [
    ("x: &s {run: codex exec fix}\njobs:\n  a: {steps: [*s, *s]}\n  b: {steps: [*s]}\n",
     "AIC302"),
    ("x: &b 'npx @anthropic-ai/claude-code -p review'\njobs:\n  a: {steps: [{run: *b}]}\n",
     "AIC301"),
    ("x: &e {AGENT: codex}\njobs:\n  a: {env: *e, steps: [{run: $AGENT exec fix}]}\n",
     "AIC302"),
    ("x: &m {tool: [codex]}\njobs:\n  a:\n    strategy: {matrix: *m}\n"
     "    steps: [{run: '${{ matrix.tool }} exec fix'}]\n", "AIC302"),
])
def test_an_alias_of_an_agent_step_is_found(text: str, rule: str) -> None:
    assert rule in _found(text), text


@pytest.mark.parametrize("text", [
    "x: &s {run: echo codex exec}\njobs:\n  a: {steps: [*s, *s]}\n",
    "x: &s {uses: actions/checkout@v4}\njobs:\n  a: {steps: [*s, *s, *s]}\n",
    "x: &a {env: {A: 1}, b: *a}\n",  # a cycle of aliases
])
def test_an_alias_of_a_clean_step_is_clean(text: str) -> None:
    assert _found(text) == set(), text


def _aliases(n: int, size: int = 100_000) -> bytes:
    return (f"x: &b \"echo claude {'a' * size}\"\n"
            f"jobs: {{a: {{runs-on: x, steps: [{', '.join(['{run: *b}'] * n)}]}}}}\n").encode()


def test_aliases_of_a_script_cost_one_reading() -> None:
    """A script read through many aliases is read once: twice the aliases, about the same
    time (the file grows by a few bytes per alias)."""
    assert _ratio(_aliases, 200, _found) < 3


def test_aliases_under_many_contexts_end_within_the_budget() -> None:
    """A large script under a new env in each job is a new text each time: the file's
    budget bounds the reading, and past it the file is refused, not passed."""
    def make(jobs: int) -> bytes:
        head = "x: &s {run: 'echo $A claude " + "a" * 2_000 + "'}\njobs:\n"
        return (head + "".join(f"  j{i}: {{env: {{A: v{i}}}, steps: [*s]}}\n"
                               for i in range(jobs))).encode()
    assert _found(make(3)) == set()
    # The first MATRIX_LIMIT texts of a scalar are one matrix's worth, free; the rest pay.
    with pytest.raises(GitError, match="more to read than"):
        _found(make(1200))

    def refused(data: bytes) -> None:
        with pytest.raises(GitError):
            _found(data)
    # Twice the jobs: the reading still ends at the budget, which grows with the file.
    assert _ratio(make, 1200, refused) < 5


def test_a_refused_workflow_fails_the_check_with_exit_3(clean_repo: Repo) -> None:
    base = clean_repo.head()
    head = "x: &s {run: 'echo $A claude " + "a" * 2_000 + "'}\njobs:\n"
    clean_repo.write(".github/workflows/x.yml", head + "".join(
        f"  j{i}: {{env: {{A: v{i}}}, steps: [*s]}}\n" for i in range(1200)))
    clean_repo.commit("Add x", ".github/workflows/x.yml")
    result = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", cwd=clean_repo.path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "could not be judged" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("path", "text", "twin"), [
    (".github/scripts/review.rb", 'system("claude -p review")\n', 'system("make all")\n'),
    (".github/scripts/review.pl", 'system("claude -p review");\n', 'system("make all");\n'),
    (".github/scripts/review.zsh", "codex exec fix\n", "echo codex exec fix\n"),
    (".github/scripts/review.cmd", "codex exec fix\n", "echo codex exec fix\n"),
    (".github/scripts/review.mts", 'execSync("claude -p review")\n', 'execSync("make")\n'),
])
def test_ci_scripts_in_other_languages_are_read(path: str, text: str, twin: str) -> None:
    assert _found(text, path), path
    assert _found(twin, path) == set(), path


# ------------------------------------------------------------------------- $GITHUB_ENV
@pytest.mark.parametrize(("steps", "rule"), [
    ("      - run: echo T=claude >> \"$GITHUB_ENV\"\n      - run: $T -p review\n", "AIC301"),
    ("      - run: echo PKG=@anthropic-ai/claude-code >> $GITHUB_ENV\n"
     "      - run: npm i -g \"$PKG\"\n", "AIC301"),
    ("      - run: |\n          { echo 'T<<EOF'; echo claude; echo EOF; } >> \"$GITHUB_ENV\"\n"
     "      - run: $T -p review\n", "AIC301"),
    ("      - run: |\n          echo 'T<<X' >> $GITHUB_ENV\n          echo codex >> $GITHUB_ENV\n"
     "          echo X >> $GITHUB_ENV\n      - run: ${T} exec fix\n", "AIC302"),
    ("      - run: echo T=claude >> $GITHUB_ENV\n      - run: ${{ env.T }} -p review\n",
     "AIC301"),
    ("      - shell: pwsh\n        run: Add-Content $env:GITHUB_ENV \"T=claude\"\n"
     "      - run: $T -p review\n", "AIC301"),
    ("      - shell: pwsh\n        run: Add-Content -Path $env:GITHUB_ENV -Value 'T=codex'\n"
     "      - run: $T exec fix\n", "AIC302"),
    ("      - shell: pwsh\n        run: '\"T=claude\" | Out-File -FilePath $env:GITHUB_ENV"
     " -Append'\n      - run: $T -p review\n", "AIC301"),
    ("      - run: echo \"T=claude\" | tee -a $GITHUB_ENV\n      - run: $T -p review\n",
     "AIC301"),
    ("      - run: |\n          cat >> \"$GITHUB_ENV\" <<EOF\n          T=claude\n          EOF\n"
     "      - run: $T -p review\n", "AIC301"),
    ("      - run: printf 'T=claude\\n' >> $GITHUB_ENV\n      - run: $T -p review\n", "AIC301"),
    # A value an expression gives the write, and a job env the write replaces.
    ("      - run: echo \"T=${{ matrix.t }}\" >> $GITHUB_ENV\n      - run: $T exec fix\n"
     "    strategy: {matrix: {t: [make, codex]}}\n", "AIC302"),
    ("      - run: echo T=claude >> $GITHUB_ENV\n      - run: $T -p review\n"
     "    env: {T: make}\n", "AIC301"),
    # printf's format, the file by its expression, a constant of the writing step.
    ("      - run: printf \"T=%s\\\\n\" claude >> \"$GITHUB_ENV\"\n      - run: $T -p review\n",
     "AIC301"),
    ("      - run: echo T=claude >> ${{ github.env }}\n      - run: $T -p review\n", "AIC301"),
    ("      - run: |\n          X=codex\n          echo \"T=$X\" >> $GITHUB_ENV\n"
     "      - run: $T exec fix\n", "AIC302"),
])
def test_constants_written_to_github_env_are_env_of_the_job(steps: str, rule: str) -> None:
    assert rule in _found(_job(steps)), steps


@pytest.mark.parametrize("steps", [
    "      - run: echo NODE_ENV=production >> \"$GITHUB_ENV\"\n      - run: npm test\n",
    "      - run: echo T=make >> $GITHUB_ENV\n      - run: $T -p review\n",
    # Not known: a variable, a command's output; a file other than the env file.
    "      - run: echo \"T=$AGENT\" >> $GITHUB_ENV\n      - run: $T -p review\n",
    "      - run: echo \"T=$(cat tool)\" >> $GITHUB_ENV\n      - run: $T -p review\n",
    "      - run: echo T=claude >> notes.env\n      - run: $T -p review\n",
    # Printed, not written to the file; and a human named Claude in a harmless value.
    "      - run: echo T=claude\n      - run: $T -p review\n",
    "      - run: echo REVIEWER=claude >> $GITHUB_ENV\n      - run: echo thanks $REVIEWER\n",
    "      - run: |\n          X=claude\n          echo \"T=$X\" >> notes.env\n"
    "      - run: $T -p review\n",
    "      - run: printf 'REVIEWER=%s\\n' claude >> ${{ github.env }}\n"
    "      - run: echo thanks $REVIEWER\n",
])
def test_github_env_writes_that_run_nothing_are_clean(steps: str) -> None:
    assert _found(_job(steps)) == set(), steps


@pytest.mark.parametrize(("steps", "job", "rule"), [
    ("      - run: ${T#x} -p review\n        env: {T: xclaude}\n", "", "AIC301"),
    ("      - run: ${T,,} exec fix\n", "    env: {T: CODEX}\n", "AIC302"),
    ("      - run: |\n          X=${T/x/c}\n          $X -p review\n", "    env: {T: xlaude}\n",
     "AIC301"),
    ("      - run: echo T=xlaude >> $GITHUB_ENV\n      - run: ${T/x/c} -p review\n", "",
     "AIC301"),
])
def test_env_values_read_with_parameter_operators(steps: str, job: str, rule: str) -> None:
    assert rule in _found(_job(steps, job)), steps


@pytest.mark.parametrize(("steps", "job"), [
    ("      - run: echo ${T/x/c} -p review\n", "    env: {T: xlaude}\n"),
    ("      - run: tar czf out-${V//./-}.tgz dist\n", "    env: {V: 1.2.3}\n"),
    ("      - run: ${T#x} -p review\n        env: {T: \"x'claude\"}\n", ""),  # not quoted
])
def test_env_values_read_with_operators_that_run_nothing(steps: str, job: str) -> None:
    assert _found(_job(steps, job)) == set(), steps


def test_github_env_is_the_env_of_its_own_job_only() -> None:
    text = ("on: push\njobs:\n  a:\n    steps:\n      - run: echo T=claude >> $GITHUB_ENV\n"
            "  b:\n    steps:\n      - run: $T -p review\n")
    assert _found(text) == set()
