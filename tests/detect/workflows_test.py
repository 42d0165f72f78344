"""CI workflows and actions judged by their structure (workflows.py): every YAML spelling of
an agent step is found, hostile files end quickly without an error, and the line patterns
stay a floor."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai_clearance.catalog.rules import Rule, build_catalog, load_catalog, parse_toml
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.shell import shell_commands
from ai_clearance.detect.workflows import MAX_BYTES, content_matches, workflow_facts
from ai_clearance.errors import ConfigError
from ai_clearance.model import PathChange
from conftest import Repo, best_seconds, clock, run_cli

CASES = parse_toml((Path(__file__).parent / "detect_cases.toml").read_text("utf-8"), "cases")
WORKFLOW_CASES = [c for c in CASES["content"]
                  if c["rule"] and load_catalog().by_id[c["rule"]].judges_workflows]


def _rules(path: str) -> dict[str, Rule]:
    """The content rules the shipped catalog applies to a file at `path`."""
    _, candidates = PathMatcher(load_catalog()).match(PathChange(path, "0" * 40, "100644"))
    return {c.rule.id: c.rule for c in candidates}


def _found(path: str, data: bytes, rules: dict[str, Rule] | None = None) -> set[str]:
    return set(content_matches(rules or _rules(path), data.split(b"\n"), [path]))


# ------------------------------------------------------------------------ structure does it
@pytest.mark.parametrize("case", WORKFLOW_CASES, ids=lambda c: c["path"])
def test_structure_alone_finds_every_positive_case(case: dict[str, Any]) -> None:
    """The table's positive cases, with the rules' line patterns taken away: the finding
    comes from the structure (or, for a file that is not YAML, from the line-by-line
    reading of the workflow lists), never only from the old regexes."""
    rules = {rid: replace(r, pattern=None) for rid, r in _rules(case["path"]).items()}
    assert case["rule"] in _found(case["path"], case["text"].encode(), rules)


def test_the_line_patterns_stay_a_floor() -> None:
    """A `uses:` line the old pattern matches is found even where the YAML hides it from
    the structure (here inside a block scalar that writes a workflow out)."""
    text = (b"jobs:\n  a:\n    steps:\n      - run: |\n          cat > w.yml <<EOF\n"
            b"uses: anthropics/claude-code-action@v1\n          EOF\n")
    assert "AIC301" in _found(".github/workflows/gen.yml", text)


def test_findings_name_the_line_and_what_runs() -> None:
    text = (b"name: ci\njobs:\n  a:\n    steps:\n      - run: |\n          make\n"
            b"          npm i -g @openai/codex\n          codex exec 'fix the build'\n")
    matched = content_matches(_rules(".github/workflows/ci.yml"), text.split(b"\n"))
    assert matched["AIC302"] == (7, "run: npm i -g @openai/codex")


# ------------------------------------------------------------------------ any re-serialization
# Agent workflows in their parsed form: (rule, path, workflow).
KNOWN = [
    ("AIC301", ".github/workflows/claude.yml",
     {"on": {"issue_comment": {"types": ["created"]}},
      "jobs": {"claude": {"runs-on": "ubuntu-latest", "steps": [
          {"uses": "actions/checkout@v4"},
          {"name": "Run Claude", "uses": "anthropics/claude-code-action@v1",
           "with": {"prompt": "Review this pull request: keep it short.\nThen stop."}}]}}}),
    ("AIC302", ".github/workflows/codex.yaml",
     {"jobs": {"review": {"runs-on": "ubuntu-latest", "steps": [
         {"run": "npm install -g @openai/codex\ncodex exec --full-auto \"$PROMPT\""}]}}}),
    ("AIC303", ".github/actions/triage/action.yml",
     {"name": "triage", "runs": {"using": "composite", "steps": [
         {"shell": "bash", "run": "npx @google/gemini-cli -p 'label this issue'"}]}}),
    ("AIC315", ".github/workflows/resolve.yml",
     {"jobs": {"call": {"uses": "All-Hands-AI/OpenHands/.github/workflows/"
                                "openhands-resolver.yml@main", "secrets": "inherit"}}}),
    ("AIC314", ".github/workflows/pr-agent.yml",
     {"jobs": {"a": {"container": {"image": "codiumai/pr-agent:latest"},
                     "steps": [{"uses": "docker://pragent/pr-agent:0.34-github_action"}]}}}),
]


@st.composite
def _serialized(draw: st.DrawFn) -> tuple[str, str, bytes]:
    rule, path, workflow = draw(st.sampled_from(KNOWN))
    if draw(st.booleans()):
        text = json.dumps(workflow, indent=draw(st.sampled_from([None, 1, 4])))
    else:
        text = yaml.safe_dump(
            workflow, default_flow_style=draw(st.sampled_from([True, False, None])),
            canonical=draw(st.booleans()), indent=draw(st.integers(2, 9)),
            width=draw(st.sampled_from([20, 80, 1000])), sort_keys=draw(st.booleans()),
            explicit_start=draw(st.booleans()), allow_unicode=True)
    text = text.replace("\n", draw(st.sampled_from(["\n", "\r", "\r\n"])))
    return rule, path, text.encode()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_serialized())
def test_any_yaml_equivalent_serialization_is_found(sample: tuple[str, str, bytes]) -> None:
    """Flow style, block style, canonical form, JSON, any indentation and width, CR or
    CRLF line breaks: the same workflow is the same finding."""
    rule, path, data = sample
    assert rule in _found(path, data), data.decode()


# ------------------------------------------------------------------------ the shell reading
@pytest.mark.parametrize(("script", "commands"), [
    # A command fed its input is read once more with the word STDIN (shell.py) after its own.
    ("a && b || c; d | e & f", [["a"], ["b"], ["c"], ["d"], ["e"], ["e", "<stdin>"], ["f"]]),
    ("X=1 claude -p \"a b\" 2>&1 | tee log", [["X=1", "claude", "-p", "a b"], ["tee", "log"],
                                            ["tee", "log", "<stdin>"]]),
    ("cl'au'de -p x", [["claude", "-p", "x"]]),
    ("c\\laude \\\n  -p x", [["claude", "-p", "x"]]),
    ("# claude -p x\necho 'claude -p'", [["echo", "claude -p"]]),
    ("echo a#b", [["echo", "a#b"]]),
    ("R=$(codex exec hi)", [["codex", "exec", "hi"], ["R=$(codex exec hi)"]]),
    ('echo "v: `codex exec x`"', [["codex", "exec", "x"], ["echo", "v: `codex exec x`"]]),
    ("diff <(codex exec a) b > out", [["codex", "exec", "a"], ["diff", "b"]]),
    ("echo 'unclosed", [["echo", "unclosed"]]),
    ("echo ${{ inputs.prompt }} done", [["echo", "${{ inputs.prompt }}", "done"]]),
    ("npm install -g `\r\n  @openai/codex", [["npm", "install", "-g", "@openai/codex"]]),
    ("$'co''dex' $\"exec\"", [["codex", "exec"]]),
    ("$'\\x63\\u006c\\141ude\\t' -p", [["claude\t", "-p"]]),
    ("echo $'it\\'s' b", [["echo", "it's", "b"]]),
    ("codex${IFS}exec$IFS'x'", [["codex", "exec", "x"]]),
    # Unset variables standing alone unquoted are no words; quoted, they stay as written.
    ("a${IFS:0:1}b ${IFSX} $IFS_2 \"c$IFS\"", [["a", "b", "c$IFS"]]),
    ("R=$($'co)dex' exec)", [["co)dex", "exec"], ["R=$($'co)dex' exec)"]]),
])
def test_shell_commands(script: str, commands: list[list[str]]) -> None:
    assert [words for _, words in shell_commands(script)] == commands


def test_shell_line_offsets() -> None:
    script = "a\nb 'x\ny'\nc \\\n d\n$(e\nf)\n"
    assert shell_commands(script) == [(0, ["a"]), (1, ["b", "x\ny"]), (3, ["c", "d"]),
                                      (5, ["e"]), (6, ["f"]), (5, ["$(e\nf)"])]


@pytest.mark.parametrize("script", [
    "sudo -u ci env HOME=/tmp timeout 30m claude -p fix",
    "nohup /usr/local/bin/claude --print fix &",
    "if ! claude -p fix; then exit 1; fi",
    "sh -c 'bash -c \"eval claude -p fix\"'",
    "pwsh -Command \"claude.exe -p fix\"",
    "cmd /c claude -p fix",
    "xargs -n 1 claude -sp < prompts.txt",
])
def test_wrapped_and_nested_commands_are_found(script: str) -> None:
    text = json.dumps({"jobs": {"a": {"steps": [{"run": script}]}}}).encode()
    assert "AIC301" in _found(".github/workflows/w.yml", text)


# ------------------------------------------------------------------------ hostile files
def _hostile() -> dict[str, bytes]:
    laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 30):
        prev = "a" if i == 1 else f"a{i - 1}"
        laughs += f"a{i}: &a{i} [{', '.join([f'*{prev}'] * 9)}]\n"
    merges = "m0: &m0 {uses: actions/checkout@v4}\n"
    for i in range(1, 60):
        merges += f"m{i}: &m{i}\n  <<: [*m{i - 1}, *m{i - 1}]\n  k{i}: 1\n"
    return {
        "alias bomb": laughs.encode(),
        "merge bomb": merges.encode(),
        "recursive alias": b"a: &a [*a, {b: *a}]\n",
        "deep flow": b"[" * 50_000 + b"]" * 50_000,
        "deep block": b"- " * 100_000 + b"x\n",
        "invalid utf-8": b"jobs:\n  a:\n    steps:\n      - run: \xff\xfe\n",
        "nul": b"jobs: {a: {steps: [{run: \"a\x00b\"}]}}",
        "tabs": b"jobs:\n\tsteps: []\n",
        "two documents, one broken": b"a: 1\n---\n[\n",
        "unclosed substitutions": b"run: " + b'"$(' * 100_000 + b"\n",
        "nested substitutions": b"run: " + b"$(" * 50_000 + b")" * 50_000 + b"\n",
    }


@pytest.mark.parametrize("name", list(_hostile()))
def test_hostile_workflows_end_quickly_without_error(name: str) -> None:
    data = _hostile()[name]
    started = clock()
    assert _found(".github/workflows/x.yml", data) == set()
    assert clock() - started < 10


def test_a_file_over_the_limit_is_judged_line_by_line() -> None:
    filler = b"x" * 80 + b"\n"  # comments do not count towards the limit
    head = b"jobs:\n  a:\n    steps:\n      - run: |\n"
    tail = b"          npm i -g @anthropic-ai/claude-code\n"
    data = head + filler * (MAX_BYTES // len(filler) + 1) + tail
    matched = content_matches(_rules(".github/workflows/big.yml"), data.split(b"\n"))
    assert matched["AIC301"][0] == data.count(b"\n")
    assert _found(".github/workflows/big.yml", head + filler * (MAX_BYTES // 80 + 1)) == set()


def test_what_is_not_yaml_is_judged_line_by_line() -> None:
    assert workflow_facts(b"jobs: [unclosed\n  - uses: x\n") is None
    text = b"jobs:\r  a:\r    steps: [\r      {uses: >-\r        openai/codex-action@v1\r"
    matched = content_matches(_rules(".github/workflows/b.yml"), text.split(b"\n"))
    assert matched["AIC302"] == (5, "openai/codex-action@v1")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.text(alphabet="-:{}[]&*!|>'\"#\n\r\t $()`\\<ab@/",
                                         max_size=200).map(str.encode))
def test_any_bytes_are_judged_without_error(data: bytes) -> None:
    content_matches(_rules(".github/workflows/x.yml"), data.split(b"\n"))


def _seconds(script: str) -> float:
    return best_seconds(lambda: shell_commands(script))


@pytest.mark.parametrize("unit", ['"$(', "$(", "`", "'", "a\\", "$(a)", "${", "<(", "2>&",
                                  "$'", "$'\\", '$"', "${IFS", "$IFS"])
def test_reading_a_script_takes_time_linear_in_its_size(unit: str) -> None:
    """Four times the input may cost at most about four times the time (measured as a
    ratio of two sizes, so a slow machine does not fail it)."""
    small, large = _seconds(unit * 20_000), _seconds(unit * 80_000)
    assert large / max(small, 1e-4) < 10


# ------------------------------------------------------------------------ expressions
@pytest.mark.parametrize(("text", "value"), [
    ("${{ 'codex' }} exec", "codex exec"),
    ("${{'it''s'}}", "it's"),
    ("a${{ format('{0}-{1}', 'b', 'c') }}d", "ab-cd"),
    ("${{ Format('{{{0}}}', format('{0}', 1)) }}", "{1}"),
    ("${{ ('x') }}${{ true }}${{ null }}", "xtrue"),
    ("${{ 'a}}b' }}", "a}}b"),
    ("${{ github.actor }} ${{ 'a' || 'b' }}", "${{ github.actor }} a"),
    ("${{ format('{1}', 'a') }}", "${{ format('{1}', 'a') }}"),
    ("${{ format('{', 'a') }}", "${{ format('{', 'a') }}"),
    ("${{ " + "(" * 40 + "'a'" + ")" * 40 + " }}", "a"),
    *[(deep, deep) for deep in ["${{ " + "(" * 5000 + "'a'" + ")" * 5000 + " }}"]],
    ("${{ toJSON('x') }} ${{ 1.5 }} ${{ 'open", '"x" ${{ 1.5 }} ${{ '"'"'open'),
])
def test_only_constant_expressions_are_evaluated(text: str, value: str) -> None:
    from ai_clearance.detect.expressions import substitute

    assert substitute(text) == value


@pytest.mark.parametrize(("head", "unit"), [("", "${{ '"), ("", "${{ format("), ("", "${{ x }}"),
                                           ("", "${{ 'a' }}"), ("", "${{ ((("),
                                           ("${{", " x"), ("${{", " 'a',")])
def test_expressions_take_time_linear_in_their_size(head: str, unit: str) -> None:
    from ai_clearance.detect.expressions import substitute

    def seconds(text: str) -> float:
        started = clock()
        substitute(text)
        return clock() - started
    small, large = seconds(head + unit * 20_000 + "}}"), seconds(head + unit * 80_000 + "}}")
    assert large / max(small, 1e-4) < 10


# ------------------------------------------------------------------------ the catalog format
def _catalog(rule: str) -> Any:
    return build_catalog(parse_toml(
        "version = 1\n[kinds]\ncontent = 'content'\ninstructions = 'paths'\n[remedies]\n"
        "[assistants.x]\ntitle = 'X'\n" + rule, "test.toml"), "test.toml")


@pytest.mark.parametrize(("rule", "message"), [
    ("workflow_installs = ['@x/agent']", "start with npm:, pypi: or url:"),
    ("workflow_installs = ['npm:']", "start with npm:, pypi: or url:"),
    ("workflow_run = ['']", "empty or unprintable"),
    ('workflow_uses = ["x/y\\n"]', "empty or unprintable"),
    ("workflow_uses = 'x/y'", "must be a list of strings"),
])
def test_bad_workflow_lists_are_refused(rule: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _catalog("[[rules]]\nid='AIC900'\nassistants=['x']\nkind='content'\nseverity='block'\n"
                 f"description='d'\npaths=['**/.github/workflows/*.yml']\n{rule}\n")


def test_workflow_lists_are_only_for_content_rules() -> None:
    with pytest.raises(ConfigError, match="only for 'content' rules"):
        _catalog("[[rules]]\nid='AIC900'\nassistants=['x']\nkind='instructions'\n"
                 "severity='block'\ndescription='d'\npaths=['a']\nworkflow_uses=['x/y']\n")


def test_a_repository_rule_can_name_its_own_agent() -> None:
    """A policy's rule in the catalog's format: a new agent is data, not code."""
    catalog = build_catalog(parse_toml(
        "[[rules]]\nid='ORG301'\nassistants=['claude']\nkind='content'\nseverity='block'\n"
        "description='our wrapper'\npaths=['**/.github/workflows/*.yml']\n"
        "workflow_uses=['acme/agent-action']\nworkflow_run=['acme-agent run']\n"
        "workflow_installs=['npm:@acme/agent']\n", "policy"), "policy", base=load_catalog())
    rule = catalog.by_id["ORG301"]
    for step in ("{uses: acme/agent-action/sub@v2}", "{run: 'acme-agent --fast run'}",
                 "{run: 'pnpm dlx @acme/agent@1'}"):
        text = f"jobs: {{a: {{steps: [{step}]}}}}".encode()
        assert _found("", text, {"ORG301": rule}) == {"ORG301"}, step


# ------------------------------------------------------------------------ real git
def test_a_commit_that_adds_an_agent_workflow_fails_the_range(clean_repo: Repo) -> None:
    base = clean_repo.head()
    clean_repo.write(".github/workflows/ci.yml",
                     "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                     "      - uses: actions/checkout@v4\n      - run: make test\n")
    clean_repo.commit("Add CI", ".github/workflows/ci.yml")
    quiet = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", cwd=clean_repo.path)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    clean_repo.write(".github/workflows/review.yml",
                     "on: pull_request\r\njobs:\r\n  review: {runs-on: ubuntu-latest, steps: [\r\n"
                     "    {uses: actions/checkout@v4},\r\n"
                     "    {\"uses\" : anthropics/claude-code-action@v1}]}\r\n")
    clean_repo.write(".github/actions/fix/action.yaml",
                     "runs:\n  using: composite\n  steps:\n    - shell: bash\n"
                     "      run: npm install -g @openai/codex && codex exec fix\n")
    clean_repo.commit("Add review", ".github/workflows/review.yml",
                      ".github/actions/fix/action.yaml")
    result = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", "--format", "json",
                     cwd=clean_repo.path)
    assert result.returncode == 1, result.stdout + result.stderr
    findings = {(f["rule"], f["path"], f["line"])
                for f in json.loads(result.stdout)["findings"]}
    assert findings == {("AIC301", ".github/workflows/review.yml", 5),
                        ("AIC302", ".github/actions/fix/action.yaml", 5)}


def test_expressions_quoting_mirrors_and_tarballs_fail_the_range(clean_repo: Repo) -> None:
    """The forms a hostile review found passing: each fails `check --range` on its own."""
    steps = ["run: ${{ 'codex' }} exec fix",
             "run: npm i -g ${{ format('@{0}/{1}','anthropic-ai','claude-code') }}",
             "run: $'codex' exec fix", "run: codex${IFS}exec fix",
             "uses: docker://mirror.gcr.io/paulgauthier/aider",
             "run: npm i -g https://registry.npmjs.org/@anthropic-ai/claude-code/-/"
             "claude-code-1.0.0.tgz"]
    for step in steps:
        base = clean_repo.head()
        clean_repo.write(".github/workflows/x.yml",
                         f"on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                         f"      - {step}\n")
        clean_repo.commit("Add x", ".github/workflows/x.yml")
        result = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", cwd=clean_repo.path)
        assert result.returncode == 1, step + result.stdout + result.stderr
    base = clean_repo.head()
    clean_repo.write(".github/workflows/x.yml", "on: push\njobs:\n  a:\n    steps:\n"
                     "      - run: echo '${{ 'codex' }} exec fix'\n")
    clean_repo.commit("Echo", ".github/workflows/x.yml")
    quiet = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", cwd=clean_repo.path)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr


@pytest.mark.parametrize("depth", [6, 7, 12, 40])
def test_shells_nested_past_the_followed_depth_hide_nothing(depth: int) -> None:
    """`eval` or `$(...)` nested deeper than the reader follows still shows the command."""
    from ai_clearance.detect.shell import invocations, shell_commands

    for script in ("eval " * depth + "codex exec fix",
                   "$(" * depth + "codex exec fix" + ")" * depth):
        found = [call for _, words in shell_commands(script)
                 for call in invocations(words, 0)]
        assert any(call[:2] == ("codex", "exec") for call in found), (script, found)


# ------------------------------------------------------------------------ steps that are code
def _step(step: str, head: str = "") -> bytes:
    return f"{head}jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{step}".encode()


@pytest.mark.parametrize(("step", "rule"), [
    ("      - shell: python\n        run: |\n          import subprocess\n"
     "          subprocess.run(['claude', '-p', 'x'])\n", "AIC301"),
    ("      - run: subprocess.run(['claude', '-p', 'x'])\n        shell: python3 -u {0}\n",
     "AIC301"),
    ("      - shell: node {0}\n        run: require('child_process').execSync('codex exec hi')\n",
     "AIC302"),
    ("      - shell: pwsh\n        run: python -c \"import os; os.system('codex exec hi')\"\n",
     "AIC302"),
    ("      - shell: ${{ matrix.shell }}\n        run: os.system('codex exec hi')\n", "AIC302"),
    ("      - shell: ${{ 'python' }}\n        run: os.system('codex exec hi')\n", "AIC302"),
    ("      - uses: actions/github-script@v7\n        with:\n          script: |\n"
     "            await exec.exec('npx', ['@anthropic-ai/claude-code', '-p', 'x'])\n", "AIC301"),
    ("      - uses: Actions/GitHub-Script@main\n"
     "        with: {script: \"exec.exec('codex exec hi')\"}\n", "AIC302"),
    ("      - uses: docker://python:3\n        with:\n          entrypoint: python3\n"
     "          args: -c \"import os; os.system('gemini -p hi')\"\n", "AIC303"),
])
def test_code_steps_are_read_by_their_literals(step: str, rule: str) -> None:
    assert rule in _found(".github/workflows/w.yml", _step(step)), step


@pytest.mark.parametrize("defaults", [
    "defaults:\n  run:\n    shell: python\n",
    "x: 1\n",  # the job's own defaults, below
])
def test_defaults_make_steps_without_a_shell_code(defaults: str) -> None:
    job_defaults = "" if defaults.startswith("defaults") else \
        "    defaults: {run: {shell: 'perl {0}'}}\n"
    text = (f"{defaults}jobs:\n  a:\n{job_defaults}    steps:\n"
            "      - run: system('codex', 'exec', 'hi')\n")
    assert "AIC302" in _found(".github/workflows/w.yml", text.encode())


@pytest.mark.parametrize("step", [
    "      - shell: python\n        run: print(\"claude is a name\")\n",
    "      - shell: python\n        run: |\n          \"\"\"Usage: claude -p 'review'\"\"\"\n",
    "      - run: echo \"claude -p\"\n",
    "      - shell: bash\n        run: echo 'codex exec hi' && printf '%s' \"claude -p x\"\n",
    "      - run: echo \"claude -p\"\n        shell: sh -e {0}\n",
    "      - uses: actions/github-script@v7\n        with:\n          script: |\n"
    "            const { Anthropic } = require('@anthropic-ai/sdk')\n"
    "            core.summary.addRaw('run claude -p locally')\n",
    "      - uses: actions/setup-python@v5\n        with: {script: \"print('claude -p x')\"}\n",
])
def test_text_in_code_or_shell_that_runs_nothing_is_silent(step: str) -> None:
    assert _found(".github/workflows/w.yml", _step(step)) == set(), step


def test_defaults_of_code_keep_shell_reading_too() -> None:
    """A step without `shell:` under code defaults is read both ways (which job's defaults
    apply is not worked out), so a shell command in it is still found."""
    text = _step("      - run: codex exec hi\n", "defaults:\n  run:\n    shell: python\n")
    assert "AIC302" in _found(".github/workflows/w.yml", text)


# ------------------------------------------------------------------------ other files CI runs
@pytest.mark.parametrize(("paths", "kinds"), [
    ([".github/workflows/ci.yml"], {"workflow"}), (["action.yaml"], {"workflow"}),
    ([""], {"workflow"}), ([], {"workflow"}),
    (["Dockerfile"], {"dockerfile"}), (["a/DOCKERFILE.dev"], {"dockerfile"}),
    (["b/web.Dockerfile"], {"dockerfile"}), (["Containerfile"], {"dockerfile"}),
    (["ｄｏｃｋｅｒｆｉｌｅ"], {"dockerfile"}),
    ([".github/s/a.sh", ".github/s/a.ps1"], {"shell"}), ([".github/x/a.PY"], {"hash"}),
    ([".github/x/a.mjs", ".github/x/b.ts"], {"slash"}),
    ([".github/workflows/x.yml", "Dockerfile", ".github/x.sh"], {"workflow", "dockerfile",
                                                                   "shell"}),
])
def test_paths_name_the_readings(paths: list[str], kinds: set[str]) -> None:
    from ai_clearance.detect.workflows import readings

    assert readings(paths) == kinds


@pytest.mark.parametrize(("path", "text", "rule"), [
    ("Dockerfile", "FROM node\nRUN npm i -g @anthropic-ai/claude-code\n", "AIC301"),
    ("x/Dockerfile.ci", "FROM node\nCMD [\"npx\", \"@openai/codex\", \"exec\", \"x\"]\n",
     "AIC302"),
    ("x/agent.dockerfile", "FROM docker.io/paulgauthier/aider:latest\n", "AIC306"),
    ("Containerfile", "FROM node\nRUN <<EOF\ngemini -p hi\nEOF\n", "AIC303"),
    ("Dockerfile", "FROM node\nRUN python3 <<EOF\nimport os\nos.system('codex exec hi')\nEOF\n",
     "AIC302"),
    (".github/scripts/agent.sh", "set -e\ncurl -fsSL https://claude.ai/install.sh | bash\n",
     "AIC301"),
    (".github/scripts/agent.ps1", "irm https://opencode.ai/install | iex\n", "AIC304"),
    (".github/scripts/agent.py", "import os\nos.system(\"droid exec 'fix'\")\n", "AIC308"),
    (".github/actions/a/main.ts", "import { execa } from 'execa'\nawait execa('qwen', ['-p', x])\n",
     "AIC309"),
    (".github/actions/a/run.cjs", "cp.spawnSync('cursor-agent', ['--print', p])\n", "AIC305"),
    (".github/scripts/run.sh", "#!/usr/bin/env python3\nimport os\nos.system('codex' ' exec x')\n",
     "AIC302"),
])
def test_files_ci_runs_are_read_by_their_kind(path: str, text: str, rule: str) -> None:
    assert rule in _found(path, text.encode()), (path, text)


@pytest.mark.parametrize(("path", "text"), [
    ("Dockerfile", "FROM node\nRUN echo claude -p\nLABEL x=\"claude -p\"\n# RUN codex exec\n"),
    ("Dockerfile", "FROM python\nRUN pip install anthropic\nCMD [\"python\", \"app.py\"]\n"),
    (".github/scripts/a.js", "import Anthropic from '@anthropic-ai/sdk'\nnew Anthropic()\n"),
    (".github/scripts/a.py", "\"\"\"Run: claude -p 'x'\"\"\"\nprint('claude is a name')\n"),
    (".github/scripts/a.sh", "echo \"claude -p\"\n# codex exec fix\n"),
])
def test_files_ci_runs_that_run_no_agent_are_silent(path: str, text: str) -> None:
    assert _found(path, text.encode()) == set(), (path, text)


def test_a_blob_at_several_paths_is_read_as_each() -> None:
    """The same bytes are a Dockerfile at one path and a workflow at another: both count."""
    text = b"FROM paulgauthier/aider\nRUN npm i -g @openai/codex\n"
    rules = {**_rules(".github/workflows/x.yml"), **_rules("Dockerfile")}
    assert set(content_matches(rules, text.split(b"\n"), [".github/workflows/x.yml"])) == set()
    found = content_matches(rules, text.split(b"\n"), [".github/workflows/x.yml", "Dockerfile"])
    assert set(found) == {"AIC302", "AIC306"}


@pytest.mark.parametrize(("path", "tail", "rule"), [
    ("Dockerfile", b"RUN npm i -g @openai/codex\n", "AIC302"),
    ("Dockerfile", b"CMD [\"claude\", \"-p\", \"x\"]\n", "AIC301"),
    ("Dockerfile", b"FROM paulgauthier/aider\n", "AIC306"),
    (".github/x.py", b"subprocess.run(['codex', 'exec', 'x'])\n", "AIC302"),
    (".github/x.sh", b"codex exec x\n", "AIC302"),
])
def test_other_files_over_the_limit_are_judged_line_by_line(path: str, tail: bytes,
                                                            rule: str) -> None:
    filler = b"# " + b"x" * 78 + b"\n"
    data = filler * (MAX_BYTES // len(filler) + 1) + tail
    assert rule in _found(path, data)
    assert _found(path, filler * (MAX_BYTES // len(filler) + 1) + b"RUN echo codex exec\n") \
        == set()


# ------------------------------------------------------------------------ by lines
@pytest.mark.parametrize("line", [
    b"      - uses: ${{ 'anthropics/claude-code-action' }}@v1\n",
    b"      - uses: ${{ format('{0}/{1}', 'anthropics', 'claude-code-action') }}@v1\n",
    b"    container: ${{ 'paulgauthier/aider' }}:latest\n",
    b"      - run: ${{ 'codex' }} exec fix\n",
])
def test_constant_expressions_are_substituted_in_a_file_over_the_limit(line: bytes) -> None:
    filler = b"x" * 80 + b"\n"
    data = b"jobs:\n  a:\n    steps:\n" + filler * (MAX_BYTES // len(filler) + 1) + line
    assert _found(".github/workflows/big.yml", data), line
    # An expression whose value is not known stays as written.
    unknown = data.replace(b" }}", b" && github.x }}")
    assert _found(".github/workflows/big.yml", unknown) == set(), unknown[-100:]


# ------------------------------------------------------------------------ real git
def _range(repo: Repo, files: dict[str, str]) -> tuple[int, set[tuple[str, str]]]:
    base = repo.head()
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("Add CI files", *files)
    result = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", "--format", "json",
                     cwd=repo.path)
    findings = {(f["rule"], f["path"]) for f in json.loads(result.stdout)["findings"]}
    return result.returncode, findings


def test_code_steps_dockerfiles_and_scripts_fail_the_range(clean_repo: Repo) -> None:
    code, findings = _range(clean_repo, {
        ".github/workflows/py.yml": _step(
            "      - shell: python\n        run: subprocess.run(['claude', '-p', 'x'])\n").decode(),
        ".github/workflows/js.yml": _step(
            "      - uses: actions/github-script@v7\n        with:\n          script: |\n"
            "            await exec.exec('npx', ['@anthropic-ai/claude-code', '-p', 'x'])\n"
        ).decode(),
        ".github/workflows/node.yml": _step(
            "      - run: node -e \"require('child_process').execSync('codex exec hi')\"\n"
        ).decode(),
        "docker/Dockerfile": "FROM node:20\nRUN <<EOF\nnpm i -g @google/gemini-cli\nEOF\n",
        "Containerfile": "FROM paulgauthier/aider:latest\n",
        ".github/scripts/review.py": "import os\nos.system('droid exec \"review\"')\n",
        ".github/actions/a/index.js": "spawn('qwen', ['--prompt', p])\n",
    })
    assert code == 1
    assert findings == {
        ("AIC301", ".github/workflows/py.yml"), ("AIC301", ".github/workflows/js.yml"),
        ("AIC302", ".github/workflows/node.yml"), ("AIC303", "docker/Dockerfile"),
        ("AIC306", "Containerfile"), ("AIC308", ".github/scripts/review.py"),
        ("AIC309", ".github/actions/a/index.js")}


def test_code_and_files_that_only_name_an_agent_pass_the_range(clean_repo: Repo) -> None:
    code, findings = _range(clean_repo, {
        ".github/workflows/py.yml": _step(
            "      - shell: python\n        run: print(\"claude is a name\")\n"
            "      - run: echo \"claude -p\"\n").decode(),
        "Dockerfile": "FROM node:20\nRUN echo claude -p\n",
        ".github/actions/a/index.js": "import Anthropic from '@anthropic-ai/sdk'\n",
        ".github/scripts/notes.py": '"""Usage:\n\n    claude -p "review"\n"""\n',
        "docs/dockerfiles.md": "RUN npm i -g @openai/codex\n",
        "scripts/agent.py": "os.system('codex exec hi')\n",
    })
    assert (code, findings) == (0, set())


def test_a_staged_dockerfile_fails_the_commit(clean_repo: Repo) -> None:
    clean_repo.write("Dockerfile", "FROM node\nENTRYPOINT [\"codex\"]\nCMD [\"exec\", \"hi\"]\n")
    clean_repo.git("add", "Dockerfile")
    result = run_cli("check", "--staged", "--no-trust", "--format", "json", cwd=clean_repo.path)
    assert result.returncode == 1, result.stdout + result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["path"], finding["line"]) == ("AIC302", "Dockerfile", 3)


# ------------------------------------------------------------------------ images scanned
def _scan_job(*runs: str) -> bytes:
    steps = "".join(f"      - run: {r}\n" for r in runs)
    return f"on: push\njobs:\n  scan:\n    runs-on: ubuntu-latest\n    steps:\n{steps}".encode()


@pytest.mark.parametrize("scan", [
    "trivy image paulgauthier/aider:latest", "trivy i --severity HIGH paulgauthier/aider",
    "grype paulgauthier/aider", "docker scout cves paulgauthier/aider",
    "snyk container test paulgauthier/aider", "syft scan -o json paulgauthier/aider",
    "docker run --rm -v /var/run/docker.sock:/var/run/docker.sock aquasec/trivy:0.50 image "
    "--severity HIGH paulgauthier/aider",
])
def test_an_agent_image_pulled_to_be_scanned_is_not_run(scan: str) -> None:
    path = ".github/workflows/scan.yml"
    assert _found(path, _scan_job("docker pull paulgauthier/aider:latest", scan)) == set()


@pytest.mark.parametrize("runs", [
    ("docker pull paulgauthier/aider", "trivy image nginx"),
    ("docker pull paulgauthier/aider", "trivy image paulgauthier/aider",
     "docker run paulgauthier/aider --message x"),
    ("docker pull paulgauthier/aider", "echo trivy image paulgauthier/aider"),
    ("docker run --pids-limit 100 paulgauthier/aider --message x",),
    ("docker run aquasec/trivy image nginx", "docker pull paulgauthier/aider"),
])
def test_a_pull_of_an_agent_image_not_scanned_or_also_run_is_found(runs: tuple[str, ...]) -> None:
    assert "AIC306" in _found(".github/workflows/scan.yml", _scan_job(*runs))


def test_an_agent_image_a_scanner_container_is_given_is_not_run() -> None:
    """`docker run SCANNER image X`: the image run is the scanner's; X is its argument."""
    run = "docker run --rm aquasec/trivy image --severity HIGH paulgauthier/aider:latest"
    assert _found(".github/workflows/scan.yml", _scan_job(run)) == set()


# ------------------------------------------------------------------ inputs that fetch or run
def _structure(step: str, path: str = ".github/workflows/w.yml") -> set[str]:
    """The rules found in a workflow of `step` by its structure alone (line patterns off)."""
    rules = {rid: replace(r, pattern=None) for rid, r in _rules(path).items()}
    return _found(path, _step(step), rules)


@pytest.mark.parametrize(("step", "rule"), [
    # the action's repository checked out, then run as a local action
    ("      - uses: actions/checkout@v4\n        with:\n"
     "          repository: anthropics/claude-code-action\n          ref: v1\n"
     "          path: .rv\n      - uses: ./.rv\n        with: {prompt: review}\n", "AIC301"),
    ("      - uses: actions/checkout@v4\n        with: {repository: openai/codex, path: c}\n",
     "AIC302"),
    ("      - uses: actions/checkout@v4\n        with:\n"
     "          repository: https://github.com/google-gemini/gemini-cli.git\n", "AIC303"),
    # release downloaders, whatever their name: the input names the repository
    ("      - uses: robinraju/release-downloader@v1\n        with:\n"
     "          repository: openai/codex\n          latest: true\n", "AIC302"),
    ("      - uses: jaxxstorm/action-install-gh-release@v1\n        with:\n"
     "          repo: sst/opencode\n", "AIC304"),
    ("      - uses: some/fetch-asset@v2\n        with:\n          owner: charmbracelet\n"
     "          repo: crush\n", "AIC324"),
    ("      - uses: some/fetch-asset@v2\n        with:\n          source_repo: QwenLM/qwen-code\n",
     "AIC309"),
    ("      - uses: some/download@v1\n        with:\n          file-url: "
     "https://github.com/sst/opencode/releases/download/v1/opencode-linux-x64.zip\n", "AIC304"),
    ("      - uses: some/download@v1\n        with:\n          url: https://claude.ai/install.sh\n",
     "AIC301"),
    ("      - uses: some/download@v1\n        with:\n          url: "
     "https://github.com/openai/codex/blob/main/scripts/install.sh?raw=true\n", "AIC302"),
    ("    strategy:\n      matrix:\n        r: [openai/codex]\n    steps:\n"
     "      - uses: actions/checkout@v4\n        with: {repository: '${{ matrix.r }}'}\n",
     "AIC302"),
    # inputs that are commands (a table of actions), and an action handed to another
    ("      - uses: devcontainers/ci@v0.3\n        with:\n"
     "          runCmd: claude -p \"review the diff\"\n", "AIC301"),
    ("      - uses: cypress-io/github-action@v6\n        with:\n"
     "          start: codex exec 'serve the app'\n", "AIC302"),
    ("      - uses: nick-fields/retry@v3\n        with:\n          command: make\n"
     "          new_command_on_retry: gemini -p fix\n", "AIC303"),
    ("      - uses: uraimo/run-on-arch-action@v3\n        with:\n"
     "          install: npm i -g @openai/codex\n          run: make\n", "AIC302"),
    ("      - uses: vmactions/freebsd-vm@v1\n        with:\n"
     "          prepare: pkg install -y node && npx @google/gemini-cli -p x\n", "AIC303"),
    ("      - uses: Wandalen/wretry.action@v3\n        with:\n"
     "          action: anthropics/claude-code-action@v1\n          attempt_limit: 2\n",
     "AIC301"),
])
def test_inputs_that_fetch_an_agents_repository_or_run_a_command(step: str, rule: str) -> None:
    assert rule in _structure(step), step


@pytest.mark.parametrize("step", [
    "      - uses: actions/checkout@v4\n        with: {repository: cli/cli, path: gh}\n",
    "      - uses: actions/checkout@v4\n        with: {repository: claude/dotfiles}\n",
    "      - uses: actions/checkout@v4\n        with:\n"
    "          repository: anthropics/claude-code-docs-mirror\n",
    "      - uses: actions/checkout@v4\n        with:\n"
    "          repository: ${{ github.repository }}\n"
    "          github-server-url: https://github.com\n",
    "      - uses: actions/upload-artifact@v4\n        with: {name: x, path: openai/codex}\n",
    "      - uses: some/notify@v1\n        with:\n"
    "          body: see https://github.com/openai/codex for what changed\n",
    "      - uses: robinraju/release-downloader@v1\n        with: {repository: cli/cli}\n",
    "      - uses: devcontainers/ci@v0.3\n        with:\n          runCmd: make ci-build\n",
    "      - uses: devcontainers/ci@v0.3\n        with:\n          runCmd: echo claude -p\n",
    "      - uses: cypress-io/github-action@v6\n        with: {start: npm start}\n",
    "      - uses: some/action@v1\n        with: {start: codex exec x}\n",
    "      - uses: Wandalen/wretry.action@v3\n        with: {action: actions/setup-node@v4}\n",
    # a page of the agent's repository to read (a CLA, docs, an issue), not code to fetch:
    # charmbracelet/crush's own cla.yml links its CLA this way
    "      - uses: contributor-assistant/github-action@v2\n        with:\n"
    "          path-to-document: https://github.com/charmbracelet/crush/blob/main/CLA.md\n",
    "      - uses: some/notify@v1\n        with:\n"
    "          link: https://github.com/openai/codex/issues/123\n",
    "      - uses: some/notify@v1\n        with: {docs: 'https://github.com/openai/codex/tree/main/docs'}\n",
])
def test_inputs_of_other_repositories_and_commands_stay_clean(step: str) -> None:
    assert _found(".github/workflows/w.yml", _step(step)) == set(), step


def test_a_repository_input_is_found_in_a_file_over_the_limit() -> None:
    filler = b"x" * 80 + b"\n"
    head = b"jobs:\n  a:\n    steps:\n      - run: |\n"
    tail = (b"      - uses: actions/checkout@v4\n        with:\n"
            b"          repository: openai/codex\n")
    data = head + filler * (MAX_BYTES // len(filler) + 1) + tail
    matched = content_matches(_rules(".github/workflows/big.yml"), data.split(b"\n"))
    assert matched["AIC302"][0] == data.count(b"\n")


def test_a_checked_out_agent_action_fails_the_range(clean_repo: Repo) -> None:
    code, findings = _range(clean_repo, {".github/workflows/rv.yml": _step(
        "      - uses: actions/checkout@v4\n        with:\n"
        "          repository: anthropics/claude-code-action\n          path: .rv\n"
        "      - uses: ./.rv\n").decode()})
    assert (code, findings) == (1, {("AIC301", ".github/workflows/rv.yml")})


# ------------------------------------------------------------------ action inputs that are code
@pytest.mark.parametrize(("step", "rule"), [
    ("      - uses: jannekem/run-python-script-action@v1\n        with:\n          script: |\n"
     "            import subprocess\n"
     "            subprocess.run([\"claude\", \"-p\", \"review the diff\"], check=True)\n",
     "AIC301"),
    ("      - uses: jannekem/run-python-script-action@v1\n        with:\n          script: |\n"
     "            import os; os.system('codex exec review')\n", "AIC302"),
    ("      - uses: jannekem/run-python-script-action@v1\n        with:\n          script: |\n"
     "            from claude_agent_sdk import query\n", "AIC301"),
    ("      - uses: cardinalby/js-eval-action@v1\n        with:\n          expression: |\n"
     "            require('child_process').execFileSync('gemini', ['-p', 'x'])\n", "AIC303"),
    ("      - uses: actions/github-script@v7\n        with:\n          script: |\n"
     "            const { Codex } = require('@openai/codex-sdk')\n", "AIC302"),
    ("      - shell: python\n        run: |\n          # /// script\n"
     "          # dependencies = ['claude-agent-sdk']\n          # ///\n", "AIC301"),
])
def test_action_inputs_of_code_are_read_in_their_language(step: str, rule: str) -> None:
    assert rule in _found(".github/workflows/w.yml", _step(step)), step


@pytest.mark.parametrize("step", [
    "      - uses: jannekem/run-python-script-action@v1\n        with:\n          script: |\n"
    "            import anthropic\n            print('claude -p review is for humans')\n",
    "      - uses: cardinalby/js-eval-action@v1\n        with:\n"
    "          expression: \"console.log('run claude -p locally')\"\n",
    "      - uses: actions/github-script@v7\n        with:\n          script: |\n"
    "            const OpenAI = require('openai')\n",
])
def test_action_inputs_of_code_that_run_no_agent_stay_clean(step: str) -> None:
    assert _found(".github/workflows/w.yml", _step(step)) == set(), step
