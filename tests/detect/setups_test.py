"""Setup files outside CI workflows (setups.py and its readers: jsonc, devcontainers,
manifests, pipelines): each is read by its kind, hostile input costs linear time and never
raises, and an unparsable or oversized file is still judged, line by line. The positive and
negative cases per assistant are in detect_cases.toml."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ai_clearance.catalog.rules import Rule, glob_anchor, load_catalog
from ai_clearance.detect.cisystems import SYSTEMS
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.devcontainers import devcontainer_facts, recommendation_facts
from ai_clearance.detect.jsonc import Pairs, load_jsonc, strip_jsonc
from ai_clearance.detect.manifests import manifest_facts
from ai_clearance.detect.normalize import normalize_path
from ai_clearance.detect.pipelines import yaml_facts
from ai_clearance.detect.setups import feature_names, setup_readings, submodule_facts
from ai_clearance.detect.workflows import MAX_BYTES, content_matches
from ai_clearance.model import PathChange
from conftest import Repo, best_seconds, run_cli


def _rules(path: str) -> dict[str, Rule]:
    _, candidates = PathMatcher(load_catalog()).match(PathChange(path, "0" * 40, "100644"))
    return {c.rule.id: c.rule for c in candidates}


def _matches(path: str, text: str | bytes) -> dict[str, tuple[int, str]]:
    data = text.encode() if isinstance(text, str) else text
    return content_matches(_rules(path), data.split(b"\n"), [path])


# ------------------------------------------------------------------------------ JSONC
@pytest.mark.parametrize(("text", "value"), [
    ('{"a": 1, // note\n "b": [1, 2,],}', {"a": [1], "b": [[1, 2]]}),
    ('/* head\n */ {"url": "http://x//y", "c": "/* not a comment */"}',
     {"url": ["http://x//y"], "c": ["/* not a comment */"]}),
    ('{"a": "q\\"//", "b": 2}', {"a": ['q"//'], "b": [2]}),
    ('{"a": 1, "a": 2}', {"a": [1, 2]}),
    ('[1, /* c */ ]', [1]),
])
def test_jsonc_allows_comments_and_trailing_commas_and_keeps_every_value(
        text: str, value: object) -> None:
    assert load_jsonc(text) == value


@pytest.mark.parametrize("text", ['{"a": 1', '{"a": 1} x', "[" * 5000, '{"a": /', "",
                                  '{"n": ' + "9" * 10_000 + "}", '"\\'])
def test_what_is_not_jsonc_is_none_not_an_error(text: str) -> None:
    assert load_jsonc(text) is None


def test_stripping_keeps_line_breaks() -> None:
    text = '{\n/* a\nb\nc */ "x": 1, // y\n}'
    assert strip_jsonc(text).count("\n") == text.count("\n")


# ------------------------------------------------------------------------------ readings
@pytest.mark.parametrize(("path", "kinds"), [
    (".devcontainer/devcontainer.json", {"devcontainer"}),
    ("svc/.devcontainer.json", {"devcontainer"}),
    ("web/package.json", {"npm"}),
    ("pyproject.toml", {"pyproject"}),
    ("dev-requirements.txt", {"requirements"}),
    ("requirements/ci.txt", {"requirements"}),
    (".pre-commit-config.yaml", {"precommit"}),
    (".gitlab-ci.yml", {"workflow", "pipeline"}),
    (".circleci/config.yml", {"workflow", "pipeline"}),
    (".buildkite/pipeline.yaml", {"workflow", "pipeline"}),
    (".gitlab/ci/jobs/review.yml", {"workflow", "pipeline"}),
    ("src/ci/config.yml", set()),
    ("Jenkinsfile", {"jenkins"}),
    (".husky/pre-commit", {"shell"}),
    ("lefthook.yml", set()),
    ("docs/requirements.md", set()),
    ("requirements-dev.txt", {"requirements"}),
    ("requirements_test.txt", {"requirements"}),
    ("setup.cfg", {"setupcfg", "tox"}),
    ("Pipfile", {"pipfile"}),
    ("environment.yml", {"conda"}),
    ("mise.toml", {"mise"}),
    (".config/mise/config.toml", {"mise"}),
    (".githooks/pre-commit", {"shell"}),
    (".lintstagedrc", {"hookmap"}),
    (".simple-git-hooks.json", {"hookmap"}),
    (".vscode/tasks.json", {"vscodetasks"}),
    ("docs/tasks.json", set()),
    (".gitpod.yml", {"gitpod"}),
    ("Makefile", {"make"}),
    ("sub/GNUmakefile", {"make"}),
    ("ci/rules.mk", {"make"}),
    ("justfile", {"just"}),
    (".justfile", {"just"}),
    ("Taskfile.yml", {"taskfile"}),
    ("tox.ini", {"tox"}),
    ("Rakefile", {"hash"}),
    ("lib/tasks/review.rake", {"hash"}),
    ("docker-compose.yml", {"compose"}),
    ("compose.ci.yaml", {"compose"}),
    ("docs/compose.md", set()),
    (".travis.yml", {"workflow", "pipeline"}),
    ("appveyor.yml", {"workflow", "pipeline"}),
    (".woodpecker.yml", {"workflow", "pipeline"}),
    (".woodpecker/review.yaml", {"workflow", "pipeline"}),
    ("podman-compose.yml", {"compose"}),
    (".drone.yml", {"workflow", "drone"}),
    ("sub/.cirrus.yml", {"workflow", "cirrus"}),
    (".builds/linux.yml", {"workflow", "sourcehut"}),
    ("cloudbuild.json", {"workflow", "cloudbuild"}),
    (".semaphore/deploy.yml", {"workflow", "semaphore"}),
    (".semaphore/notes.md", set()),
    ("docs/buildspec.md", set()),
])
def test_a_setup_file_is_read_by_the_kind_its_path_names(path: str, kinds: set[str]) -> None:
    assert setup_readings(normalize_path(path)) == kinds


def test_every_ci_system_file_is_named_by_the_content_rules() -> None:
    """A row of cisystems.py that no rule's paths name would be read by nothing."""
    for system in SYSTEMS[1:]:  # the first, "pipeline", is the older systems' catalog globs
        for path in (*system.names, *(f"{folder}/x.yml" for folder in system.folders)):
            assert "AIC301" in _rules(f"a/{path}"), path
            assert setup_readings(normalize_path(f"a/{path}")) == {"workflow", system.kind}


def test_no_content_rule_path_takes_every_yaml_file_through_the_prefilter() -> None:
    """A glob such as `**/folder/*.yml` is anchored on `.yml`: each YAML path of a
    repository would then be matched against every content rule's globs (a tenfold cost
    on a tree of many .yml files)."""
    for rule in load_catalog().rules:
        for glob in rule.path_globs:
            assert glob_anchor(glob) not in (("suffix", ".yml"), ("suffix", ".yaml")), glob


def test_every_shipped_setup_path_has_a_reading_or_is_yaml() -> None:
    """A path a content rule names is read by its kind here, or as a workflow (YAML)."""
    for path in (".devcontainer/a/devcontainer.json", "test-requirements.txt", "requirements.in",
                 ".gitlab/ci/x.yaml", "azure-pipelines.yml", "bitbucket-pipelines.yml",
                 ".pre-commit-hooks.yaml", "requirements-dev.txt", "requirements_test.txt",
                 "setup.cfg", "Pipfile", "environment.yaml", ".mise.toml",
                 ".config/mise/config.toml", ".githooks/pre-push", ".lintstagedrc.yml",
                 ".huskyrc", ".vscode/tasks.json", ".gitpod.yml",
                 "Makefile", "makefile", "ci/x.mk", "justfile",
                 "Taskfile.yml", "tox.ini", "Rakefile", "x.rake", "docker-compose.yml",
                 "compose.yaml", ".travis.yml", "appveyor.yml", ".woodpecker/a.yml"):
        assert "AIC301" in _rules(path), path
        assert setup_readings(normalize_path(path)), path
    assert "AIC301" in _rules("lefthook-local.yml")


@pytest.mark.parametrize(("ref", "names"), [
    ("ghcr.io/anthropics/devcontainer-features/claude-code:1.0",
     ("ghcr.io/anthropics/devcontainer-features/claude-code", "claude-code")),
    ("ghcr.io/x/f/codex@sha256:ab", ("ghcr.io/x/f/codex", "codex")),
    ("https://h.example/devcontainer-feature-gemini-cli.tgz",
     ("https://h.example/gemini-cli", "gemini-cli")),
    ("./local-feature", ("./local-feature", "local-feature")),
])
def test_a_feature_is_known_by_its_reference_and_its_id(
        ref: str, names: tuple[str, str]) -> None:
    assert feature_names(ref) == names


# ------------------------------------------------------------------------------ readers
def test_a_devcontainer_reports_the_line_of_what_it_runs() -> None:
    text = ('{\n  "name": "x",\n  // tools\n  "features": {\n'
            '    "ghcr.io/devcontainers/features/node:1": {}\n  },\n'
            '  "postCreateCommand": {"a": "make", "b": ["codex", "exec", "fix"]}\n}\n')
    facts = devcontainer_facts(text)
    assert facts is not None
    commands = [(f.subject[0], f.line) for f in facts if f.kind == "command"]
    assert ("codex", 7) in commands and ("make", 7) in commands
    assert [(f.subject[1], f.line) for f in facts if f.kind == "feature"] == [("node", 5)]


def test_a_devcontainer_that_is_not_an_object_is_left_to_the_line_reading() -> None:
    assert devcontainer_facts('["claude", "-p"]') is None
    assert devcontainer_facts("{") is None
    assert _matches(".devcontainer/devcontainer.json",
                    '["ghcr.io/anthropics/devcontainer-features/claude-code:1"]')


def test_requirements_lines_name_their_project() -> None:
    facts = manifest_facts("requirements", "-e .\nAider-Chat>=0.80 ; python_version>'3'\n"
                           "https://x.example/pkg.whl\nclaude_agent_sdk @ https://x/y.whl\n")
    assert facts is not None
    assert [(f.subject, f.line) for f in facts] == [
        (("pypi", "aider-chat"), 2), (("pypi", "claude-agent-sdk"), 4)]


def test_a_precommit_file_that_is_not_yaml_is_judged_line_by_line() -> None:
    text = "repos:\n- repo: local\n  hooks: [\n  - id: r\n    entry: claude -p review\n"
    assert yaml_facts("precommit", text.encode()) is None
    assert _matches(".pre-commit-config.yaml", text)["AIC301"][0] == 5


def test_a_gitlab_file_with_aliases_reads_each_node_once() -> None:
    text = ("x: &a [codex exec fix]\n" + "".join(f"j{i}: {{before_script: *a}}\n"
                                                 for i in range(200)))
    facts = yaml_facts("pipeline", text.encode())
    assert facts is not None and {f.subject[0] for f in facts} == {"codex"}
    assert _matches(".gitlab-ci.yml", text)["AIC302"][0] == 1


def test_an_oversized_manifest_is_still_judged_by_its_literals() -> None:
    """Over MAX_BYTES a file is judged line by line; a dependency is still a literal."""
    padding = " " * (MAX_BYTES + 10)
    package = '{\n"description": "' + padding + '",\n"devDependencies": {\n' \
        '  "@anthropic-ai/claude-code": "^2"\n}}\n'
    assert _matches("package.json", package)["AIC301"][0] == 4
    devcontainer = '{"x": "' + padding + '",\n "features": {"ghcr.io/a/b/codex:1": {}}}\n'
    assert _matches(".devcontainer/devcontainer.json", devcontainer)["AIC302"][0] == 2
    requirements = "# " + padding + "\npytest\naider-chat\n"
    assert _matches("requirements.txt", requirements)["AIC306"][0] == 3
    clean = '{"d": "' + padding + '", "k": ["claude", "codex"]}\n'
    assert _matches("package.json", clean) == {}


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet='{}[]",:/*\\ \nab-.@\'#=', max_size=300))
def test_any_text_is_judged_without_error(text: str) -> None:
    for path in (".devcontainer/devcontainer.json", "package.json", "pyproject.toml",
                 "requirements.txt", ".pre-commit-config.yaml", ".gitlab-ci.yml",
                 "Jenkinsfile", "setup.cfg", "Pipfile", "environment.yml", "mise.toml",
                 ".lintstagedrc", ".vscode/tasks.json", ".gitpod.yml",
                 "Jenkinsfile", "Makefile", "justfile", "tox.ini", "Taskfile.yml",
                 "compose.yaml", ".travis.yml"):
        _matches(path, text)


# ------------------------------------------------------------------------------ linear time
def _seconds(read: Callable[[], object]) -> float:
    return best_seconds(read)


_HOSTILE: dict[str, tuple[str, str, str]] = {
    # name: (path, head, unit repeated)
    "jsonc nesting": (".devcontainer/devcontainer.json", "", '{"a":['),
    "jsonc comments": (".devcontainer/devcontainer.json", "{", "/*/*//\n"),
    "jsonc open string": (".devcontainer/devcontainer.json", '{"a": "', '\\"x'),
    "jsonc commas": (".devcontainer/devcontainer.json", "[", ",  \n"),
    "jsonc keys": (".devcontainer/devcontainer.json", '{"postCreateCommand": {',
                   '"k": "make x && echo y",'),
    "package scripts": ("package.json", '{"scripts": {', '"t": "npx claude -p",'),
    "package deps": ("package.json", '{"dependencies": {', '"@a/b": "npm:@c/d@1",'),
    "toml arrays": ("pyproject.toml", "x = ", "["),
    "toml deps": ("pyproject.toml", "[project]\ndependencies = [", '"a-b[c]>=1",'),
    "requirements": ("requirements.txt", "", "aider-chat==1 # x\n-e git+x#egg=a\n"),
    "yaml nesting": (".gitlab-ci.yml", "", "- ["),
    "yaml scripts": (".gitlab-ci.yml", "", "j: {before_script: [codex exec a]}\n"),
    "precommit hooks": (".pre-commit-config.yaml", "repos:\n- repo: local\n  hooks:\n",
                        "  - {id: a, entry: claude -p x, additional_dependencies: [b]}\n"),
    "jenkins quotes": ("Jenkinsfile", "", "sh '\"''"),
    "setup.cfg extras": ("setup.cfg", "[options.extras_require]\n", "a = aider-chat\n  b\n"),
    "pipfile": ("Pipfile", "[packages]\n", 'a-b = "*"\n'),
    "mise tasks": ("mise.toml", "", '[tasks.t{}]\nrun = "npx claude -p"\n'),
    "conda": ("environment.yml", "dependencies:\n", "  - pip: [aider-chat]\n"),
    "lint-staged": (".lintstagedrc", "{", '"*.js": ["eslint --fix", "claude -p"],'),
    "lint-staged yaml": (".lintstagedrc.yml", "", "'*.{}': [eslint a]\n"),
    "vscode tasks": (".vscode/tasks.json", '{"tasks": [', '{"command": "x", "args": ["-p"]},'),
    "gitpod aliases": (".gitpod.yml", "a: &a {init: claude -p x}\ntasks:\n", "  - *a\n"),
    "make continuations": ("Makefile", "x:\n", "\tclaude \\\n"),
    "make colons": ("Makefile", "", "a:b:c:d:e:f " * 8 + "\n"),
    "make shell": ("ci.mk", "", "X := $(shell " * 8 + "\n"),
    "just backticks": ("justfile", "", "x := `" * 8 + "\n"),
    "tox commands": ("tox.ini", "[testenv]\ncommands =\n", "    claude -p x \\\n"),
    "taskfile cmds": ("Taskfile.yml", "tasks:\n", "  t: {cmds: [codex exec a]}\n"),
    "compose images": ("compose.yaml", "services:\n", "  s: {image: a/b, command: [x]}\n"),
    "setup.py brackets": ("setup.py", "install_requires = ", "['aider-chat', ["),
    "setup.py names": ("setup.py", "", "x_requires = ['aider-chat', 'a'\n"),
    "nix lists": ("shell.nix", "", "[ pkgs.a b c ] # x\n"),
    "devbox packages": ("devbox.json", '{"packages": [', '"claude-code@1", "jq",'),
    "tool-versions": (".tool-versions", "", "npm:@anthropic-ai/claude-code 1\n"),
    "composer scripts": ("composer.json", '{"scripts": {', '"t": ["@php x", "claude -p"],'),
    "just variables": ("justfile", 'x := "claude"\nr:\n', "    {{x}} -p {{ y }}\n"),
    "taskfile vars": ("Taskfile.yml", "vars: {A: claude}\ntasks:\n  t:\n    cmds:\n",
                      "      - '{{.A}} -p {{.B}}'\n"),
    "pyproject tasks": ("pyproject.toml", "[tool.poe.tasks]\n", 'a{} = "claude -p"\n'),
    "gitmodules urls": (".gitmodules", "", "\turl = " + " " * 40 + "\"https://x/a ; b\n"),
    "gitmodules no key": (".gitmodules", "", " " * 60 + "ur\n"),
    "gitmodules headers": (".gitmodules", "", '[a "b" "c' * 8),
    "extension lists": (".vscode/extensions.json", '{"recommendations": [',
                        '"anthropic.claude-code", "a.b",'),
}


@pytest.mark.parametrize("shape", sorted(_HOSTILE))
def test_reading_a_setup_file_takes_time_linear_in_its_size(shape: str) -> None:
    """Four times the input may cost at most about four times the time (a ratio of two
    sizes, so that a slow machine does not fail it), whatever reading it falls to."""
    path, head, unit = _HOSTILE[shape]
    rules = _rules(path)
    sizes = []
    for count in (2_000, 8_000):  # both under MAX_BYTES: one reading, not two
        data = (head + unit * count).encode()
        assert len(data) < MAX_BYTES
        sizes.append(_seconds(lambda d=data: content_matches(rules, d.split(b"\n"), [path])))
    small, large = sizes
    assert large / max(small, 1e-3) < 10, (shape, small, large)


def test_jsonc_reading_takes_time_linear_in_its_size() -> None:
    unit = '{"a": "b//c", /* x */ "d": [1, 2,], // e\n'
    small = _seconds(lambda: load_jsonc(unit * 5_000))
    large = _seconds(lambda: load_jsonc(unit * 20_000))
    assert large / max(small, 1e-3) < 10, (small, large)


# ------------------------------------------------------------------------------ end to end
def test_setup_files_fail_the_range_and_clean_ones_pass(clean_repo: Repo) -> None:
    base = clean_repo.head()
    clean_repo.write(".devcontainer/devcontainer.json", json.dumps({
        "image": "mcr.microsoft.com/devcontainers/python:3",
        "features": {"ghcr.io/devcontainers/features/python:1": {}},
        "customizations": {"vscode": {"extensions": ["ms-python.python"]}},
        "postCreateCommand": "pip install -e . && echo claude"}, indent=2))
    clean_repo.write("package.json", '{"name": "claude-tools", "description": "for codex",'
                     ' "dependencies": {"@anthropic-ai/sdk": "1"}}\n')
    clean_repo.write(".gitlab-ci.yml", "test:\n  script:\n    - echo codex\n")
    clean_repo.commit("Add setup", ".devcontainer/devcontainer.json", "package.json",
                      ".gitlab-ci.yml")
    quiet = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", cwd=clean_repo.path)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    clean_repo.write(".devcontainer/devcontainer.json", "{\n  // agent\n  \"features\": {\n"
                     "    \"ghcr.io/anthropics/devcontainer-features/claude-code:1\": {},\n"
                     "  },\n}\n")
    clean_repo.write("package.json", '{"devDependencies": {"@openai/codex": "*"}}\n')
    clean_repo.write(".gitlab-ci.yml", "ai:\n  before_script: [npm i -g @google/gemini-cli]\n")
    clean_repo.write(".claude.json", '{"oauthAccount": {}}\n')
    clean_repo.commit("Add agents", ".devcontainer/devcontainer.json", "package.json",
                      ".gitlab-ci.yml", ".claude.json")
    result = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", "--format", "json",
                     cwd=clean_repo.path)
    assert result.returncode == 1, result.stdout + result.stderr
    findings = {(f["rule"], f["path"], f["line"])
                for f in json.loads(result.stdout)["findings"]}
    assert findings == {("AIC301", ".devcontainer/devcontainer.json", 4),
                        ("AIC302", "package.json", 1),
                        ("AIC303", ".gitlab-ci.yml", 2),
                        ("AIC214", ".claude.json", None)}


def test_pairs_is_a_dict() -> None:
    """Readers check objects with isinstance(Pairs): what load_jsonc makes."""
    value = load_jsonc('{"a": {"b": 1}}')
    assert isinstance(value, Pairs) and isinstance(value["a"][0], Pairs)


def test_hostile_setup_files_end_with_a_documented_exit_code(clean_repo: Repo) -> None:
    """Deeply nested JSON, invalid YAML and an oversized manifest: the check judges them
    (exit 0 when nothing runs an agent, 1 when one does), never a traceback."""
    base = clean_repo.head()
    clean_repo.write(".devcontainer/devcontainer.json", '{"a":[' * 50_000)
    clean_repo.write(".gitlab-ci.yml", "job: [unclosed\n  script: {\n" * 1000)
    clean_repo.write("package.json", '{"d": "' + "x" * (MAX_BYTES + 1) + '"}\n')
    clean_repo.write("pyproject.toml", "a = " + "[" * 50_000 + "\n")
    files = (".devcontainer/devcontainer.json", ".gitlab-ci.yml", "package.json",
             "pyproject.toml")
    clean_repo.commit("Hostile", *files)
    quiet = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", cwd=clean_repo.path)
    assert quiet.returncode == 0 and "Traceback" not in quiet.stderr, quiet.stderr
    clean_repo.write("pyproject.toml", "a = " + "[" * 50_000 + "\n"
                     "[project]\ndependencies = ['claude-agent-sdk']\n")
    clean_repo.commit("Hostile agent", "pyproject.toml")
    result = run_cli("check", "--range", f"{base}..HEAD", "--no-trust", "--format", "json",
                     cwd=clean_repo.path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert [(f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]] == [
        ("AIC301", 3)]


# ------------------------------------------------------------------------------ project files
@pytest.mark.parametrize(("path", "text", "found"), [
    ("requirements/dev.in", "aider-chat\n", True),
    ("requirements/dev.in", "black\n# aider-chat later\n", False),
    ("setup.py", 'from setuptools import setup\nsetup(name="x", install_requires=["aider-chat"])\n',
     True),
    ("setup.py", 'REQUIRES = [\n    "requests",\n'
     '    "aider-chat>=0.5; python_version>\'3.9\'",\n]\nsetup(install_requires=REQUIRES)\n',
     True),
    ("setup.py", 'setup(extras_require={"ai": ["claude-agent-sdk"]})\n', True),
    ("setup.py", 'setup(name="x", author="Claude Monet", keywords=["aider-chat", "claude"],\n'
     '      description="Works with aider-chat", install_requires=["anthropic"])\n', False),
    ("pixi.toml", '[project]\nname = "x"\n[pypi-dependencies]\naider-chat = "*"\n', True),
    ("pixi.toml", '[feature.ai.tasks]\nreview = { cmd = "claude -p review" }\n', True),
    ("pixi.toml", '[tasks]\ndocs = "echo claude -p"\n[dependencies]\npython = "3.12"\n', False),
    ("devbox.json", '{"packages": ["claude-code@latest"]}', True),
    ("devbox.json", '{"packages": {"codex": "latest"}}', True),
    ("devbox.json", '{"packages": ["jq"], "shell": {"scripts": {"r": ["claude -p review"]}}}',
     True),
    ("devbox.json", '{"packages": ["nodejs@20", "claude-cli-docs"], "shell": '
     '{"init_hook": ["echo Claude says hi"]}}', False),
    ("shell.nix", "{ pkgs ? import <nixpkgs> {} }:\n"
     "pkgs.mkShell { packages = [ pkgs.claude-code ]; }", True),
    ("flake.nix", "{ outputs = { nixpkgs, ... }: { devShells.x.default = pkgs.mkShell {\n"
     "  buildInputs = with pkgs; [ nodejs gemini-cli ]; }; }; }\n", True),
    ("default.nix", '{ pkgs }: pkgs.mkShell { buildInputs = [ pkgs.nodejs ];\n'
     '  # claude-code later\n  shellHook = "echo codex"; }\n', False),
    (".tool-versions", "nodejs 20.1.0\nnpm:@anthropic-ai/claude-code latest\n", True),
    (".tool-versions", "nodejs 20.1.0\npython 3.12 # claude-code\n", False),
    ("mise.ci.toml", '[tools]\n"npm:@anthropic-ai/claude-code" = "latest"\n', True),
    (".mise/config.toml", '[tools]\n"npm:@openai/codex" = "latest"\n', True),
    ("mise/conf.d/ai.toml", '[tasks.r]\nrun = "claude -p review"\n', True),
    (".mise.dev.toml", '[tools]\nnode = "20"\n', False),
    ("environment-dev.yml", "name: dev\ndependencies:\n  - pip:\n    - aider-chat\n", True),
    ("environment-ci.yml", "name: ci\ndependencies:\n  - python\n  - anthropic\n", False),
    ("pyproject.toml", '[tool.hatch.envs.default.scripts]\nreview = "claude -p review"\n', True),
    ("pyproject.toml", '[tool.poe.tasks.review]\nshell = "claude -p review"\n', True),
    ("pyproject.toml", '[tool.pdm.scripts]\nreview = {cmd = ["claude", "-p", "review"]}\n', True),
    ("pyproject.toml", '[tool.pixi.tasks]\nreview = "claude -p review"\n', True),
    ("pyproject.toml", '[tool.poetry.scripts]\nclaude = "claude_tools.cli:main"\n'
     '[tool.poe.tasks]\ndocs = "mkdocs build"\n', False),
    ("package.json", '{"devDependencies":{"codex":"github:openai/codex"}}', True),
    ("package.json", '{"dependencies":{"x":"git+https://github.com/anthropics/claude-code.git"}}',
     True),
    ("package.json", '{"dependencies":{"codex-docs":"github:acme/codex-docs", "y": "file:../y"}}',
     False),
    ("composer.json", '{"scripts":{"review":"claude -p review"}}', True),
    ("composer.json", '{"scripts":{"review":["@php artisan x", "@composer codex"],'
     ' "t": "phpunit --filter claude"}}', False),
    ("deno.json", '{"tasks":{"review":"npx -y @anthropic-ai/claude-code -p review"}}', True),
    ("deno.jsonc", '{"tasks":{"r":{"command":"claude -p x", "description": "d"}}}', True),
    ("deno.json", '{"tasks":{"docs":"echo claude -p"}, "description": "claude -p"}', False),
    ("apps/web/project.json", '{"targets":{"review":{"executor":"nx:run-commands",'
     '"options":{"command":"claude -p review"}}}}', True),
    ("project.json", '{"targets":{"r":{"options":{"commands":[{"command":"codex exec x"}]}}}}',
     True),
    ("project.json", '{"name": "claude", "targets":{"build":{"executor":"@nx/js:tsc",'
     '"options":{"main":"claude -p"}}}}', False),
])
def test_project_files_that_install_or_run_an_agent(path: str, text: str, found: bool) -> None:
    """Files a developer or CI sets the project up with (precision: names, descriptions,
    docs and lookalike packages stay clean)."""
    assert bool(_matches(path, text)) == found, _matches(path, text)


# ------------------------------------------------------- submodules, workspace recommendations
def test_each_submodule_url_is_a_fetch_of_its_repository() -> None:
    text = ('[submodule "a"]\n\tpath = a\n\turl = "git@github.com:Anthropics/claude-code-action"'
            '\n# url = https://github.com/openai/codex\n[submodule "b"]\n  URL=https://x.org/b ;c\n'
            '\turl =\n[submodule "c]"] url = https://y.org/c\n')
    facts = submodule_facts(text)
    fetched = {(f.line, f.subject[1]) for f in facts}
    assert (3, "https://github.com/anthropics/claude-code-action") in {
        (line, url.casefold()) for line, url in fetched}
    assert all(line != 4 for line, _ in fetched)  # a comment is no url
    assert (6, "https://x.org/b") in fetched  # the comment after the value dropped
    assert (8, "https://y.org/c") in fetched  # after the section's header
    assert all(f.evidence.startswith("submodule url = ") for f in facts)


def test_only_recommendations_are_read_as_extensions() -> None:
    text = ('{"recommendations": ["Anthropic.Claude-Code@1.0"], // x\n'
            ' "unwantedRecommendations": ["openai.chatgpt"],}')
    assert [f.subject for f in recommendation_facts(text) or []] == [("anthropic.claude-code",)]
    workspace = ('{"extensions": {"recommendations": ["openai.chatgpt"]},'
                 ' "recommendations": ["github.copilot"]}')
    assert [f.subject for f in recommendation_facts(workspace, "extensions") or []] == [
        ("openai.chatgpt",)]
    assert recommendation_facts("[1, 2]") is None


def test_an_agent_action_vendored_as_a_submodule_fails_and_another_passes(
        clean_repo: Repo) -> None:
    """A real gitlink and .gitmodules: the action's files are never in the tree, so the
    url is what is judged, and a local `uses: ./vendor/review` into it needs nothing more."""
    base = clean_repo.head()
    clean_repo.write(".github/workflows/ci.yml", "on: push\njobs:\n  r:\n    runs-on: x\n"
                     "    steps:\n      - uses: ./vendor/review\n")
    for url, want in (("https://github.com/actions/checkout", 0),
                      ("https://github.com/anthropics/claude-code-action.git", 1)):
        clean_repo.write(".gitmodules", f'[submodule "vendor/review"]\n\tpath = vendor/review'
                         f"\n\turl = {url}\n")
        clean_repo.git("update-index", "--add", "--cacheinfo",
                       f"160000,{'1' * 40},vendor/review")
        clean_repo.commit(f"Vendor {url}", ".gitmodules", ".github/workflows/ci.yml")
        result = run_cli("check", "--range", f"{base}..HEAD", "--no-trust",
                         cwd=clean_repo.path)
        assert result.returncode == want, (url, result.stdout + result.stderr)
        base = clean_repo.head()
    assert "AIC301" in result.stdout + result.stderr
