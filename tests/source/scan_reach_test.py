"""Files CI reaches are judged in every source: a script a workflow, an action or a
Dockerfile runs is no CI file by its path, yet changing it alone changes what CI runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_clearance.source.reach import MAX_DEPTH
from conftest import Repo, run_cli

_WORKFLOW = ".github/workflows/ci.yml"
_STEPS = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
_AGENT = "#!/bin/sh\nset -e\nclaude -p 'review the diff'\n"
_HARMLESS = "#!/bin/sh\nset -e\necho 'ask claude -p later'\nmake release\n"


def _workflow(*runs: str) -> str:
    return _STEPS + "".join(f"      - run: {r}\n" for r in runs)


def _check(repo: Repo, *args: str) -> tuple[int, set[tuple[str, str]], list[dict[str, Any]]]:
    result = run_cli("check", "--no-trust", *args, "--format", "json", cwd=repo.path)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return result.returncode, {(f["rule"], f["path"]) for f in findings}, findings


def _base(repo: Repo, files: dict[str, str]) -> str:
    for path, text in files.items():
        repo.write(path, text)
    return repo.commit("Add CI", *files)


@pytest.mark.parametrize(("run", "script"), [
    ("bash ci/review.sh", "ci/review.sh"),
    ("./ci/review.sh", "ci/review.sh"),
    ("python tools/review.py", "tools/review.py"),
    ("ruby .github/scripts/review", ".github/scripts/review"),
])
def test_a_range_that_changes_only_the_script_a_workflow_runs(clean_repo: Repo, run: str,
                                                              script: str) -> None:
    agent = "import os\nos.system('claude -p review')\n" if script.endswith(".py") \
        else "system('claude -p review')\n" if "ruby" in run else _AGENT
    base = _base(clean_repo, {_WORKFLOW: _workflow(run), script: _HARMLESS})
    clean_repo.write(script, agent)
    sha = clean_repo.commit("Tweak the script", script)
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert (code, found) == (1, {("AIC301", script)}), findings
    assert findings[0]["commit"] == sha
    assert f"(run by {_WORKFLOW})" in findings[0]["evidence"]
    # The same change with harmless content passes.
    clean_repo.write(script, _HARMLESS + "echo done\n")
    clean_repo.commit("Tweak it back", script)
    assert _check(clean_repo, "--range", f"{sha}..HEAD")[:2] == (0, set())


def test_the_history_finds_the_commit_that_changed_a_reached_script(clean_repo: Repo) -> None:
    _base(clean_repo, {_WORKFLOW: _workflow("bash ci/review.sh"), "ci/review.sh": _HARMLESS})
    clean_repo.write("ci/review.sh", _AGENT)
    sha = clean_repo.commit("Tweak the script", "ci/review.sh")
    clean_repo.write("ci/review.sh", _HARMLESS)
    clean_repo.commit("And back", "ci/review.sh")
    code, found, findings = _check(clean_repo, "--history")
    assert (code, found) == (1, {("AIC301", "ci/review.sh")}), findings
    assert [f["commit"] for f in findings] == [sha]


def test_the_index_judges_a_staged_script_ci_runs(clean_repo: Repo) -> None:
    _base(clean_repo, {_WORKFLOW: _workflow("bash ci/review.sh"), "ci/review.sh": _HARMLESS})
    clean_repo.write("ci/review.sh", _AGENT)
    clean_repo.git("add", "ci/review.sh")
    assert _check(clean_repo, "--staged")[:2] == (1, {("AIC301", "ci/review.sh")})
    clean_repo.write("ci/review.sh", _HARMLESS + "echo more\n")
    clean_repo.git("add", "ci/review.sh")
    assert _check(clean_repo, "--staged")[:2] == (0, set())
    # A script no CI file names is nobody's business here.
    clean_repo.write("tools/other.sh", _AGENT)
    clean_repo.git("add", "tools/other.sh")
    assert _check(clean_repo, "--staged")[:2] == (0, set())


_LAYOUTS = {
    "composite action": {
        "tools/review/action.yml": "runs:\n  using: composite\n  steps:\n"
                                   "    - run: $GITHUB_ACTION_PATH/review.sh\n"
                                   "      shell: bash\n",
        "tools/review/review.sh": _AGENT,
    },
    "docker action": {
        "tools/review/action.yml": "runs:\n  using: docker\n  image: Dockerfile\n",
        "tools/review/Dockerfile": "FROM node:20\nCOPY entrypoint.sh /entrypoint.sh\n"
                                   "ENTRYPOINT [\"/entrypoint.sh\"]\n",
        "tools/review/entrypoint.sh": _AGENT,
    },
    "require chain": {
        "tools/review/action.yml": "runs:\n  using: node20\n  main: dist/index.js\n",
        "tools/review/dist/index.js": "require('./lib/run')\n",
        "tools/review/dist/lib/run.js": "require('child_process').execSync('codex exec fix')\n",
    },
    "script chain": {
        _WORKFLOW: _workflow("bash ci/a.sh"),
        "ci/a.sh": "#!/bin/sh\n. \"$(dirname \"$0\")/b.sh\"\n",
        "ci/b.sh": "#!/bin/sh\ngemini -p 'fix it'\n",
    },
    "make -f": {
        _WORKFLOW: _workflow("make -f build/rules review"),
        "build/rules": "review:\n\t@claude -p 'review the diff'\n",
    },
    "tox -c": {
        _WORKFLOW: _workflow("tox -c ci/tox-review.ini -e review"),
        "ci/tox-review.ini": "[testenv:review]\ncommands =\n    codex exec 'fix it'\n",
    },
    "rake -f": {
        _WORKFLOW: _workflow("rake -f ci/tasks review"),
        "ci/tasks": "task :review do\n  sh \"gemini -p 'fix it'\"\nend\n",
    },
    "docker build -f": {
        _WORKFLOW: _workflow("docker build -f ci/review.docker -t r . && docker run r"),
        "ci/review.docker": "FROM node:20\nRUN npm i -g @anthropic-ai/claude-code\n",
    },
    "compose -f": {
        _WORKFLOW: _workflow("docker compose -f ci/stack.yml run ai"),
        "ci/stack.yml": "services:\n  ai:\n    image: paulgauthier/aider\n",
    },
    "gitlab include": {
        ".gitlab-ci.yml": "include:\n  - local: /ci/review.yml\nstages: [test]\n",
        "ci/review.yml": "review:\n  image: node:20\n  script:\n"
                         "    - npx -y @anthropic-ai/claude-code -p review\n",
    },
}
_WANT = {"make -f": {("AIC301", "build/rules")},
         "tox -c": {("AIC302", "ci/tox-review.ini")},
         "rake -f": {("AIC303", "ci/tasks")},
         "docker build -f": {("AIC301", "ci/review.docker")},
         "compose -f": {("AIC306", "ci/stack.yml")},
         "gitlab include": {("AIC301", "ci/review.yml")},
         "composite action": {("AIC301", "tools/review/review.sh")},
         "docker action": {("AIC301", "tools/review/entrypoint.sh")},
         "require chain": {("AIC302", "tools/review/dist/lib/run.js")},
         "script chain": {("AIC303", "ci/b.sh")}}


@pytest.mark.parametrize("layout", sorted(_LAYOUTS))
def test_each_layout_is_found_in_a_tree_a_range_and_the_index(clean_repo: Repo,
                                                              layout: str) -> None:
    files = _LAYOUTS[layout]
    base = clean_repo.head()
    for path, text in files.items():
        clean_repo.write(path, text)
    clean_repo.git("add", *files)
    assert _check(clean_repo, "--staged")[:2] == (1, _WANT[layout])
    clean_repo.commit("Add it", *files)
    assert _check(clean_repo, "--range", f"{base}..HEAD")[:2] == (1, _WANT[layout])
    assert _check(clean_repo, "--tree", "HEAD")[:2] == (1, _WANT[layout])
    assert _check(clean_repo, "--history")[:2] == (1, _WANT[layout])


@pytest.mark.parametrize("layout", sorted(_LAYOUTS))
def test_a_range_that_changes_only_the_last_file_of_a_layout(clean_repo: Repo,
                                                             layout: str) -> None:
    files = _LAYOUTS[layout]
    last = next(iter(sorted(_WANT[layout])))[1]
    harmless = "console.log('hi')\n" if last.endswith(".js") else _HARMLESS
    base = _base(clean_repo, {p: harmless if p == last else t for p, t in files.items()})
    assert _check(clean_repo, "--range", f"{clean_repo.head()}~1..HEAD")[:2] == (0, set())
    clean_repo.write(last, files[last])
    clean_repo.commit("Only the last file", last)
    assert _check(clean_repo, "--range", f"{base}..HEAD")[:2] == (1, _WANT[layout])


def test_common_ci_commands_with_harmless_scripts_stay_clean(clean_repo: Repo) -> None:
    files = {
        _WORKFLOW: _workflow("./gradlew build", "make test", "npm test",
                             "python -m pytest", "bash scripts/release.sh",
                             "node tools/build.mjs"),
        "gradlew": "#!/bin/sh\nexec java -jar gradle/wrapper/gradle-wrapper.jar \"$@\"\n",
        "scripts/release.sh": _HARMLESS,
        "tools/build.mjs": "import {build} from './lib.mjs'\nconsole.log('claude')\n",
        "tools/lib.mjs": "export const build = () => 'codex'\n",
        "Makefile": "test:\n\tpython -m pytest\n\t@echo 'ask claude -p later'\n",
        ".travis.yml": "language: python\nscript:\n  - make test\n",
        "compose.yaml": "services:\n  db:\n    image: postgres:16\n",
    }
    base = clean_repo.head()
    _base(clean_repo, files)
    assert _check(clean_repo, "--range", f"{base}..HEAD")[:2] == (0, set())
    assert _check(clean_repo, "--tree", "HEAD")[:2] == (0, set())
    assert _check(clean_repo, "--history")[:2] == (0, set())


def test_a_recipe_the_workflow_runs_is_judged_when_only_the_workflow_changes(
        clean_repo: Repo) -> None:
    """A Makefile whose recipe runs an agent is a trace itself; a workflow that starts to
    run it is judged with it, the finding naming the workflow's commit."""
    clean_repo.write("Makefile", "review:\n\tclaude -p review\n")
    clean_repo.write(_WORKFLOW, _workflow("make test"))
    base = clean_repo.commit("Add", "Makefile", _WORKFLOW)
    assert _check(clean_repo, "--tree", "HEAD")[:2] == (1, {("AIC301", "Makefile")})
    clean_repo.write(_WORKFLOW, _workflow("make review"))
    sha = clean_repo.commit("Run the review", _WORKFLOW)
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert (code, found) == (1, {("AIC301", "Makefile")}), findings
    assert findings[0]["commit"] == sha


def test_a_chain_longer_than_the_bound_fails_closed(clean_repo: Repo) -> None:
    depth = MAX_DEPTH + 2
    files = {_WORKFLOW: _workflow("bash ci/s0.sh")}
    files.update({f"ci/s{i}.sh": f"#!/bin/sh\nbash ci/s{i + 1}.sh\n" for i in range(depth)})
    files[f"ci/s{depth}.sh"] = _AGENT
    for path, text in files.items():
        clean_repo.write(path, text)
    clean_repo.commit("Deep", *files)
    result = run_cli("check", "--no-trust", "--tree", "HEAD", cwd=clean_repo.path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "refusing to pass unjudged" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("steps", [
    "      - run: ./review.sh\n        working-directory: tools\n",
    "      - run: cd tools && ./review.sh\n",
    "      - run: pushd tools; bash review.sh; popd\n",
])
def test_a_script_run_from_its_working_directory_is_reached(clean_repo: Repo,
                                                            steps: str) -> None:
    """A range that changes only tools/review.sh, which CI runs from tools/; the same
    change with harmless content passes."""
    base = _base(clean_repo, {_WORKFLOW: _STEPS + steps, "tools/review.sh": _HARMLESS})
    clean_repo.write("tools/review.sh", _AGENT)
    sha = clean_repo.commit("Tweak the script", "tools/review.sh")
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert (code, found) == (1, {("AIC301", "tools/review.sh")}), findings
    clean_repo.write("tools/review.sh", _HARMLESS + "echo done\n")
    clean_repo.commit("Tweak it back", "tools/review.sh")
    assert _check(clean_repo, "--range", f"{sha}..HEAD")[:2] == (0, set())


def test_a_job_default_working_directory_is_read_in_a_tree(clean_repo: Repo) -> None:
    workflow = ("on: push\njobs:\n  a:\n    runs-on: x\n    defaults:\n      run:\n"
                "        working-directory: tools\n    steps:\n      - run: bash review.sh\n")
    _base(clean_repo, {_WORKFLOW: workflow, "tools/review.sh": _HARMLESS})
    assert _check(clean_repo, "--tree", "HEAD")[:2] == (0, set())
    clean_repo.write("tools/review.sh", _AGENT)
    clean_repo.commit("Tweak the script", "tools/review.sh")
    assert _check(clean_repo, "--tree", "HEAD")[:2] == (1, {("AIC301", "tools/review.sh")})


_AIDER = "services:\n  ai:\n    image: paulgauthier/aider\n    command: --yes --message fix\n"
# Files CI reads by a GitLab include in flow form or a Compose setting: (files, the file
# that holds the agent).
_INCLUDED = {
    "gitlab flow include": ({".gitlab-ci.yml": 'include: [ "ci/review.yml" ]\n',
                             "ci/review.yml": "review:\n  image: node:20\n  script:\n"
                                              "    - npx -y @anthropic-ai/claude-code -p x\n"},
                            ("AIC301", "ci/review.yml")),
    "compose extends": ({"docker-compose.yml": "services:\n  ai:\n    extends:\n"
                                              "      file: ci/ai.yml\n      service: ai\n",
                         "ci/ai.yml": _AIDER, _WORKFLOW: _workflow("docker compose run ai")},
                        ("AIC306", "ci/ai.yml")),
    "COMPOSE_FILE": ({"ci/stack.yml": _AIDER,
                      _WORKFLOW: _workflow("COMPOSE_FILE=ci/stack.yml docker compose run ai")},
                     ("AIC306", "ci/stack.yml")),
    "gitlab wildcard include": ({".gitlab-ci.yml": "include:\n  - local: 'ci/**/*.yml'\n",
                                 "ci/jobs/review.yml": "review:\n  script:\n"
                                                       "    - codex exec fix\n",
                                 "ci/notes.md": "codex exec fix\n"},
                                ("AIC302", "ci/jobs/review.yml")),
    "azure template": ({"azure-pipelines.yml": "steps:\n- template: ci/review.yml\n",
                        "ci/review.yml": "steps:\n- bash: npx -y @openai/codex exec fix\n"},
                       ("AIC302", "ci/review.yml")),
    "stack deploy": ({"stack.yml": _AIDER,
                      _WORKFLOW: _workflow("docker stack deploy -c stack.yml s")},
                     ("AIC306", "stack.yml")),
}


@pytest.mark.parametrize("layout", sorted(_INCLUDED))
def test_included_and_compose_files_are_reached(clean_repo: Repo, layout: str) -> None:
    files, want = _INCLUDED[layout]
    base = clean_repo.head()
    for path, text in files.items():
        clean_repo.write(path, text)
    clean_repo.commit("Add it", *files)
    assert _check(clean_repo, "--range", f"{base}..HEAD")[:2] == (1, {want})
    assert _check(clean_repo, "--tree", "HEAD")[:2] == (1, {want})


def test_a_compose_file_a_workflow_names_without_an_agent_stays_clean(
        clean_repo: Repo) -> None:
    _base(clean_repo, {"ci/stack.yml": "services:\n  db:\n    image: postgres:16\n"
                                       "    healthcheck:\n      test: [CMD, pg_isready]\n",
                       _WORKFLOW: _workflow("COMPOSE_FILE=ci/stack.yml docker compose up -d",
                                            "docker stack deploy -c ci/stack.yml db")})
    assert _check(clean_repo, "--tree", "HEAD")[:2] == (0, set())


def test_a_wildcard_include_of_harmless_files_stays_clean(clean_repo: Repo) -> None:
    """Only what the wildcard matches is read: an agent in a file it does not match (a
    .yaml, another folder) is no finding of the GitLab file."""
    _base(clean_repo, {".gitlab-ci.yml": "include: [{local: 'ci/*.yml'}]\n",
                       "ci/test.yml": "test:\n  script: [make test]\n",
                       "other/review.yml": "review:\n  script: [codex exec fix]\n"})
    assert _check(clean_repo, "--tree", "HEAD")[:2] == (0, set())
    clean_repo.write("ci/review.yml", "review:\n  script: [codex exec fix]\n")
    clean_repo.commit("Add a job", "ci/review.yml")
    assert _check(clean_repo, "--range", "HEAD~1..HEAD")[:2] == (
        1, {("AIC302", "ci/review.yml")})
@pytest.mark.parametrize(("files", "run", "reached"), [
    ({"Makefile": "include ci/rules.inc\n"}, "make review", "ci/rules.inc"),
    ({"Taskfile.yml": 'version: "3"\nincludes:\n  ci: ./ci/Review.yml\n'}, "task ci:review",
     "ci/Review.yml"),
    ({"justfile": "import 'ci/review.just'\n"}, "just review", "ci/review.just"),
    ({"justfile": "mod ci\n"}, "just ci review", "ci/mod.just"),
    ({}, "pip install -r ci/deps.txt", "ci/deps.txt"),
    ({"requirements.txt": "-r ci/extra.lst\nrequests\n"}, "pip install -r requirements.txt",
     "ci/extra.lst"),
    ({}, "conda env create -f ci/env-dev.yml", "ci/env-dev.yml"),
])
def test_the_files_a_runner_or_installer_pulls_in_are_judged(
        clean_repo: Repo, files: dict[str, str], run: str, reached: str) -> None:
    agent = "name: dev\ndependencies:\n  - python\n  - pip:\n    - aider-chat\n" \
        if "conda" in run else "aider-chat\n" if "pip" in run \
        else 'version: "3"\ntasks:\n  review:\n    cmds:\n      - claude -p review\n' \
        if reached.endswith(".yml") else "review:\n\tclaude -p review\n" if "inc" in reached \
        else "review:\n    claude -p review\n"
    base = _base(clean_repo, {_WORKFLOW: _workflow(run), **files,
                              reached: agent.replace("claude", "echo").replace("aider", "black")})
    assert _check(clean_repo, "--range", f"{base}~1..HEAD")[:2] == (0, set())
    clean_repo.write(reached, agent)
    sha = clean_repo.commit("Tweak it", reached)
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert code == 1 and reached in {path for _, path in found}, findings
    assert findings[0]["commit"] == sha


_AGENT_IMAGE = "FROM node:20\nRUN npm i -g @openai/codex\n"
_PLAIN_IMAGE = "FROM node:20\nRUN npm ci\n"


@pytest.mark.parametrize(("files", "dockerfile"), [
    ({_WORKFLOW: _STEPS + "      - uses: docker/build-push-action@v6\n        with:\n"
                          "          file: Dockerfile-ci\n"}, "Dockerfile-ci"),
    ({"compose.yaml": "services:\n  r:\n    build:\n      context: .\n"
                      "      dockerfile: Dockerfile-ci\n"}, "Dockerfile-ci"),
    ({"Makefile": "image:\n\tdocker build -f Dockerfile-ci -t r .\n"}, "Dockerfile-ci"),
    ({".devcontainer/devcontainer.json": '{"build": {"dockerfile": "agent.df"}}'},
     ".devcontainer/agent.df"),
])
def test_a_dockerfile_a_build_names_by_a_key_is_judged(clean_repo: Repo, files: dict[str, str],
                                                       dockerfile: str) -> None:
    base = _base(clean_repo, {**files, dockerfile: _PLAIN_IMAGE})
    assert _check(clean_repo, "--range", f"{base}~1..HEAD")[:2] == (0, set())
    clean_repo.write(dockerfile, _AGENT_IMAGE)
    clean_repo.commit("Install the reviewer", dockerfile)
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert code == 1 and any(path == dockerfile for _, path in found), findings


# The constant environment a CI file gives a step, carried into what the step runs.
_GITHUB_ENV = "on: push\nenv:\n  AGENT: claude\njobs:\n  a:\n    runs-on: ubuntu-latest\n" \
    "    steps:\n"
_ENV_LAYOUTS: dict[str, dict[str, str]] = {
    "step env -> script": {
        _WORKFLOW: _STEPS + "      - env:\n          AGENT: claude\n        run: ./ci/review.sh\n",
        "ci/review.sh": "#!/bin/bash\n\"$AGENT\" -p 'review the diff'\n"},
    "workflow env -> make": {
        _WORKFLOW: _GITHUB_ENV + "      - run: make review\n",
        "Makefile": "review:\n\t$(AGENT) -p 'review the diff'\n"},
    "workflow env -> make $$": {
        _WORKFLOW: _GITHUB_ENV + "      - run: make review\n",
        "Makefile": "review:\n\t$$AGENT -p 'review the diff'\n"},
    "step env -> npm run": {
        _WORKFLOW: _STEPS + "      - run: npm run review\n        env:\n          AGENT: claude\n",
        "package.json": '{"name": "x", "scripts": {"review": "$AGENT -p review"}}\n'},
    "gitlab variables -> script": {
        ".gitlab-ci.yml": "variables:\n  AGENT:\n    value: claude\nreview:\n  script:\n"
                          "    - ./ci/review.sh\n",
        "ci/review.sh": "#!/bin/sh\n$AGENT -p review\n"},
    "export then script -> script": {
        _WORKFLOW: _workflow("export AGENT=claude; bash ci/a.sh"),
        "ci/a.sh": "#!/bin/sh\nset -e\n./ci/b.sh\n",
        "ci/b.sh": "#!/bin/sh\nexec \"${AGENT}\" -p review\n"},
    "export then bash -c": {
        _WORKFLOW: _workflow("export T=claude; bash -c '$T -p review'")},
}
_ENV_WANT = {"step env -> script": "ci/review.sh", "workflow env -> make": "Makefile",
             "workflow env -> make $$": "Makefile", "step env -> npm run": "package.json",
             "gitlab variables -> script": "ci/review.sh",
             "export then script -> script": "ci/b.sh", "export then bash -c": _WORKFLOW}


@pytest.mark.parametrize("layout", sorted(_ENV_LAYOUTS))
def test_the_env_ci_gives_a_step_is_carried_into_what_it_runs(clean_repo: Repo,
                                                              layout: str) -> None:
    files = _ENV_LAYOUTS[layout]
    base = clean_repo.head()
    for path, text in files.items():
        clean_repo.write(path, text)
    clean_repo.git("add", *files)
    want = {_ENV_WANT[layout]}
    code, found, findings = _check(clean_repo, "--staged")
    assert (code, {path for _, path in found}) == (1, want), findings
    clean_repo.commit("Add it", *files)
    for args in (("--range", f"{base}..HEAD"), ("--tree", "HEAD"), ("--history",)):
        code, found, findings = _check(clean_repo, *args)
        assert (code, {path for _, path in found}) == (1, want), (args, findings)


@pytest.mark.parametrize("files", [
    # the value is only printed
    {_WORKFLOW: _STEPS + "      - env:\n          NOTE: ask claude -p later\n"
                         "        run: ./ci/review.sh\n",
     "ci/review.sh": "#!/bin/sh\necho \"$NOTE\"\nprintf '%s\\n' $NOTE\n"},
    # the script sets the name itself before it runs it
    {_WORKFLOW: _GITHUB_ENV + "      - run: ./ci/review.sh\n",
     "ci/review.sh": "#!/bin/sh\nAGENT=true\n\"$AGENT\" -p review\n"},
    # a Makefile's own definition wins over the environment
    {_WORKFLOW: _GITHUB_ENV + "      - run: make review\n",
     "Makefile": "AGENT = true\nreview:\n\t$(AGENT) -p review\n"},
    # not exported in the script: the inner shell does not see it
    {_WORKFLOW: _workflow("T=claude; bash -c '$T -p review'")},
    # a script that does not read the name, and a package.json that only echoes it
    {_WORKFLOW: _GITHUB_ENV + "      - run: ./ci/review.sh && npm run notes\n",
     "ci/review.sh": _HARMLESS,
     "package.json": '{"scripts": {"notes": "echo $AGENT reviews"}}\n'},
])
def test_an_env_the_step_does_not_run_stays_clean(clean_repo: Repo,
                                                  files: dict[str, str]) -> None:
    base = clean_repo.head()
    _base(clean_repo, files)
    for args in (("--range", f"{base}..HEAD"), ("--tree", "HEAD"), ("--history",)):
        assert _check(clean_repo, *args)[:2] == (0, set()), args


@pytest.mark.parametrize(("path", "harmless", "agent"), [
    ("ci/review.sh", "#!/bin/sh\necho \"$AGENT\"\n", "#!/bin/sh\n\"$AGENT\" -p review\n"),
    ("Makefile", "review:\n\techo $(AGENT)\n", "review:\n\t$(AGENT) -p review\n"),
])
def test_a_range_that_changes_only_the_file_given_the_env(clean_repo: Repo, path: str,
                                                          harmless: str, agent: str) -> None:
    run = "make review" if path == "Makefile" else f"./{path}"
    base = _base(clean_repo, {_WORKFLOW: _GITHUB_ENV + f"      - run: {run}\n", path: harmless})
    assert _check(clean_repo, "--range", f"{base}~1..HEAD")[:2] == (0, set())
    clean_repo.write(path, agent)
    sha = clean_repo.commit("Run it", path)
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert (code, {p for _, p in found}) == (1, {path}), findings
    assert findings[0]["commit"] == sha
    assert "AGENT=claude" in findings[0]["evidence"]

@pytest.mark.parametrize(("run", "listed", "agent", "plain"), [
    ("npm i -g $(cat ci/tools.txt)", "ci/tools.txt", "prettier\n@openai/codex\n", "prettier\n"),
    ("xargs npm i -g < ci/tools.txt", "ci/tools.txt", "@anthropic-ai/claude-code # AI\n",
     "eslint # not claude\n"),
    ("pip install $(cat ci/py.lst)", "ci/py.lst", "black\naider-chat\n", "black\n"),
])
def test_a_package_list_an_installer_reads_is_judged(clean_repo: Repo, run: str, listed: str,
                                                      agent: str, plain: str) -> None:
    base = _base(clean_repo, {_WORKFLOW: _workflow(run), listed: plain})
    assert _check(clean_repo, "--range", f"{base}~1..HEAD")[:2] == (0, set())
    clean_repo.write(listed, agent)
    sha = clean_repo.commit("Add a tool", listed)
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert code == 1 and {path for _, path in found} == {listed}, findings
    assert findings[0]["commit"] == sha


@pytest.mark.parametrize(("files", "run"), [
    ({"justfile": '[working-directory: "tools"]\nreview:\n    ./review.sh\n'}, "just review"),
    ({"Taskfile.yml": 'version: "3"\ntasks:\n  review:\n    dir: tools\n    cmds:\n'
                      "      - ./review.sh\n"}, "task review"),
    ({"tox.ini": "[testenv:r]\nchangedir = tools\nallowlist_externals = ./review.sh\n"
                 "commands = ./review.sh\n"}, "tox -e r"),
    ({"Makefile": "review:\n\tcd tools && ./review.sh\n"}, "make review"),
])
def test_a_script_a_runner_s_recipe_runs_from_its_directory_is_judged(
        clean_repo: Repo, files: dict[str, str], run: str) -> None:
    base = _base(clean_repo, {_WORKFLOW: _workflow(run), **files, "tools/review.sh": _HARMLESS})
    assert _check(clean_repo, "--range", f"{base}~1..HEAD")[:2] == (0, set())
    clean_repo.write("tools/review.sh", _AGENT)
    sha = clean_repo.commit("Tweak the script", "tools/review.sh")
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert (code, found) == (1, {("AIC301", "tools/review.sh")}), findings
    assert findings[0]["commit"] == sha


@pytest.mark.parametrize(("run", "script", "agent", "harmless", "rule"), [
    ("uv run tools/review.py", "tools/review.py",
     "# /// script\n# dependencies = [\"claude-agent-sdk\", \"anyio\"]\n# ///\n"
     "from claude_agent_sdk import query\n",
     "# /// script\n# dependencies = [\"anthropic\", \"anyio\"]\n# ///\nimport anthropic\n",
     "AIC301"),
    ("node tools/review.mjs", "tools/review.mjs",
     'import { Codex } from "@openai/codex-sdk";\nawait new Codex().startThread().run("x");\n',
     'import OpenAI from "openai";\nconsole.log("see @openai/codex-sdk");\n', "AIC302"),
])
def test_a_script_ci_runs_that_depends_on_an_agent_sdk(clean_repo: Repo, run: str, script: str,
                                                       agent: str, harmless: str,
                                                       rule: str) -> None:
    base = _base(clean_repo, {_WORKFLOW: _workflow(run), script: harmless})
    assert _check(clean_repo, "--range", "HEAD~1..HEAD")[:2] == (0, set())
    clean_repo.write(script, agent)
    clean_repo.commit("Review with an agent", script)
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert (code, found) == (1, {(rule, script)}), findings


def test_a_range_changing_a_file_a_wildcard_copy_matches(clean_repo: Repo) -> None:
    """`COPY package*.json ./` makes package-lock.json a reached file by a wildcard: a range
    or history that changes it is judged (it was an internal error on gemini-cli's
    history), and an agent it installs is found at the commit that changed it."""
    base = _base(clean_repo, {"Dockerfile": "FROM node:20\nCOPY package*.json ./\nRUN npm ci\n",
                              "package.json": '{"name": "app", "version": "1.0.0"}\n'})
    clean_repo.write("package-lock.json", '{"name": "app", "lockfileVersion": 3}\n')
    clean_repo.commit("Lock", "package-lock.json")
    assert _check(clean_repo, "--range", f"{base}..HEAD")[:2] == (0, set())
    assert _check(clean_repo, "--history")[:2] == (0, set())
    clean_repo.write("package.json", '{"name": "app", "dependencies": '
                                     '{"@openai/codex": "^0.1.0"}}\n')
    sha = clean_repo.commit("Add a dependency", "package.json")
    code, found, findings = _check(clean_repo, "--range", f"{base}..HEAD")
    assert code == 1 and ("AIC302", "package.json") in found, findings
    assert {f["commit"] for f in findings if f["path"] == "package.json"} == {sha}
