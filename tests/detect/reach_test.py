"""What a CI file or a script CI runs names as something that may run (detect/reach.py)."""

from __future__ import annotations

import pytest

from ai_clearance.detect.pipelines import include_pattern
from ai_clearance.detect.reach import MAX_NAMES, named_paths, reached_kind
from ai_clearance.errors import GitError
from conftest import clock

_WORKFLOW = ".github/workflows/ci.yml"
_ACTION = "tools/review/action.yml"


def _named(path: str, text: str) -> dict[str, str | None]:
    return {n.path: n.hint for n in named_paths(path, text.encode())}


@pytest.mark.parametrize(("path", "text", "want"), [
    # A workflow's run lines: the program itself, or the script of an interpreter.
    (_WORKFLOW, "steps:\n  - run: bash ci/review.sh\n", {"ci/review.sh": "shell"}),
    (_WORKFLOW, "steps:\n  - run: ./ci/review.sh --all\n", {"ci/review.sh": None}),
    (_WORKFLOW, "steps:\n  - run: python -u tools/x.py\n", {"tools/x.py": "hash"}),
    (_WORKFLOW, "steps:\n  - run: ruby tools/review\n", {"tools/review": "hash"}),
    (_WORKFLOW, "steps:\n  - run: npx tsx scripts/r.mts\n", {"scripts/r.mts": "slash"}),
    (_WORKFLOW, "steps:\n  - run: /usr/bin/env node bin/run\n", {"bin/run": "slash"}),
    (_WORKFLOW, "steps:\n  - run: cmd /c .github\\scripts\\r.cmd\n",
     {".github/scripts/r.cmd": "shell"}),
    (_WORKFLOW, "steps:\n  - run: pwsh -File ci/r.ps1\n", {"ci/r.ps1": "shell"}),
    (_WORKFLOW, "steps:\n  - run: bash ${{ github.workspace }}/ci/r.sh\n", {"ci/r.sh": "shell"}),
    # An action's own folder, in each spelling; a relative script of an action step.
    (_ACTION, "runs:\n  steps:\n    - run: $GITHUB_ACTION_PATH/review.sh\n",
     {"tools/review/review.sh": None}),
    (_ACTION, "runs:\n  steps:\n    - run: ${{ github.action_path }}/r.sh\n",
     {"tools/review/r.sh": None}),
    (_ACTION, "runs:\n  steps:\n    - run: bash \"${GITHUB_ACTION_PATH}/r.sh\"\n",
     {"tools/review/r.sh": "shell"}),
    (_ACTION, "runs:\n  using: node20\n  main: dist/index.js\n",
     {"tools/review/dist/index.js": "slash"}),
    # A Dockerfile's COPY and ADD sources, from its folder or the top.
    ("tools/r/Dockerfile", "FROM node\nCOPY entrypoint.sh /e.sh\nENTRYPOINT [\"/e.sh\"]\n",
     {"tools/r/entrypoint.sh": None, "entrypoint.sh": None}),
    ("Dockerfile", "FROM node\nADD --chmod=755 [\"run.sh\", \"/r\"]\n", {"run.sh": None}),
    # JavaScript's relative modules, with the names a bare one may have.
    ("a/index.js", "require('./run.js')\n", {"a/run.js": "slash"}),
    ("a/b/index.mjs", "import {x} from '../lib/run.mjs'\n", {"a/lib/run.mjs": "slash"}),
    # A shell script's own folder.
    ("ci/r.sh", "#!/bin/sh\n. \"$(dirname \"$0\")/lib.sh\"\n", {"ci/lib.sh": "shell"}),
    # The files task runners read: by default, in a folder (-C), or as an option names.
    (_WORKFLOW, "steps:\n  - run: make review\n",
     {"Makefile": "make", "makefile": "make", "GNUmakefile": "make"}),
    (_WORKFLOW, "steps:\n  - run: make -f ci.mk review\n", {"ci.mk": "make"}),
    (_WORKFLOW, "steps:\n  - run: gmake --file=build/rules -C sub x\n",
     {"build/rules": "make", "sub/Makefile": "make"}),
    (_WORKFLOW, "steps:\n  - run: make -Ctools -fci/x.mk\n",
     {"tools/Makefile": "make", "ci/x.mk": "make"}),
    (_WORKFLOW, "steps:\n  - run: just review\n", {"justfile": "just", ".justfile": "just"}),
    (_WORKFLOW, "steps:\n  - run: task -t ci/Taskfile.review.yml review\n",
     {"ci/Taskfile.review.yml": "taskfile", "Taskfile.yml": "taskfile"}),
    (_WORKFLOW, "steps:\n  - run: tox -c ci -e review\n",
     {"tox.ini": "tox", "ci/tox.ini": "tox"}),
    (_WORKFLOW, "steps:\n  - run: nox -f ci/review_nox.py\n",
     {"noxfile.py": "hash", "ci/review_nox.py": "hash"}),
    (_WORKFLOW, "steps:\n  - run: bundle exec rake -f ci/tasks review\n",
     {"Rakefile": "hash", "ci/tasks": "hash"}),
    # A task runner's own file is judged by its recipes and names nothing further (a
    # project's Makefile names hundreds of its own scripts).
    ("Makefile", "all:\n\t$(MAKE) -C docs html\n\t./gen.sh\n\tsh t/run.sh\n", {}),
    ("ci/rules.mk", "x:\n\tbash ./a.sh b.sh c/d.sh\n", {}),
    # A Dockerfile `docker build -f` names; the compose files `docker compose` reads.
    (_WORKFLOW, "steps:\n  - run: docker build -f Dockerfile-review -t r .\n",
     {"Dockerfile-review": "dockerfile"}),
    (_WORKFLOW, "steps:\n  - run: docker buildx build --file ci/review.docker .\n",
     {"ci/review.docker": "dockerfile"}),
    (_WORKFLOW, "steps:\n  - run: docker compose -f ci/stack.yml run ai\n",
     {"ci/stack.yml": "compose", "compose.yaml": "compose"}),
    (_WORKFLOW, "steps:\n  - run: docker-compose run ai\n",
     {"docker-compose.yml": "compose"}),
    # GitLab's local includes, in each form.
    (".gitlab-ci.yml", "include:\n  - local: /ci/review.yml\n  - project: g/p\n",
     {"ci/review.yml": "pipeline"}),
    (".gitlab-ci.yml", "include: 'ci/jobs.yml'\nstages: [test]\n", {"ci/jobs.yml": "pipeline"}),
    (".gitlab-ci.yml", "include:\n- ci/a.yml\n- \"ci/b.yaml\"\ntest:\n  script: [x]\n",
     {"ci/a.yml": "pipeline", "ci/b.yaml": "pipeline"}),
])
def test_what_ci_files_name(path: str, text: str, want: dict[str, str | None]) -> None:
    found = _named(path, text)
    for named, hint in want.items():
        assert named in found, (found, named)
        assert found[named] == hint, (found, named)


@pytest.mark.parametrize(("path", "text"), [
    (_WORKFLOW, "steps:\n  - run: make test && npm test\n"),
    (_WORKFLOW, "steps:\n  - run: curl -fsSL https://example.com/x.sh | sh\n"),
    (_WORKFLOW, "steps:\n  - run: bash $SCRIPT\n  - run: cat ~/x.sh\n"),
    (_WORKFLOW, "steps:\n  - run: bash ../outside.sh /abs/x.sh\n"),
    (_WORKFLOW, "on:\n  push:\n    paths: ['src/**/*.py']\n"),
    ("a/index.js", "require('child_process')\nrequire('@scope/pkg/x')\n"),
    (_WORKFLOW, "steps:\n  - run: make -C ../x -f /etc/x.mk && docker build -f - .\n"),
    (".gitlab-ci.yml", "include:\n  - local: $CI/x.yml\n  - remote: https://x.example/x.yml\n"),
])
def test_what_names_no_file_of_the_repository(path: str, text: str) -> None:
    found = _named(path, text)
    assert not any(p.startswith(("..", "/")) or "*" in p or "$" in p or "~" in p
                   for p in found), found
    assert "outside.sh" not in found and "x.sh" not in found


@pytest.mark.parametrize(("path", "head", "hint", "kind"), [
    ("ci/r.sh", b"", None, "shell"),
    ("ci/r.rb", b"", None, "hash"),
    ("ci/r.tsx", b"", None, "slash"),
    ("ci/review", b"#!/usr/bin/env bash\n", None, "shell"),
    ("ci/review", b"#!/usr/bin/env python3\n", "shell", "hash"),
    ("ci/review", b"echo hi\n", "shell", "shell"),
    ("ci/Dockerfile", b"FROM x\n", None, "dockerfile"),
    ("docs/notes.md", b"claude -p\n", None, None),
    ("ci/review", b"echo hi\n", None, None),
    ("Makefile", b"x:\n", None, "make"),
    ("build/rules", b"x:\n", "make", "make"),
    ("Taskfile.yml", b"version: 3\n", None, "taskfile"),
    ("ci/tox-review.ini", b"[tox]\n", "tox", "tox"),
    ("Dockerfile-review", b"FROM x\n", "dockerfile", "dockerfile"),
    ("ci/review.yml", b"job:\n", "pipeline", "pipeline"),
    ("ci/stack.yml", b"services:\n", "compose", "compose"),
    ("docker-compose.yml", b"services:\n", None, "compose"),
])
def test_how_a_reached_file_is_read(path: str, head: bytes, hint: str | None,
                                    kind: str | None) -> None:
    assert reached_kind(path, head, hint) == kind


def test_too_many_names_fail_closed() -> None:
    text = "".join(f"  - run: bash ci/s{i}.sh\n" for i in range(MAX_NAMES + 1))
    with pytest.raises(GitError, match="refusing to pass unjudged"):
        named_paths("ci/Makefile.sh", text.encode())


def test_naming_costs_linear_time() -> None:
    """Twice the words take about twice the time (a ratio, not an absolute bound)."""
    def cost(n: int) -> float:
        text = ("run: bash " + "a" * 50 + " ${{ x }} " + "'q' " * 20 + "\n") * n
        start = clock()
        named_paths(_WORKFLOW, text.encode())
        return clock() - start

    cost(200)
    small, large = min(cost(2000) for _ in range(3)), min(cost(8000) for _ in range(3))
    assert large / small < 8, (small, large)


_DIRECTORIES = ("on: push\n{top}jobs:\n  a:\n    runs-on: x\n{job}    steps:\n{steps}")


@pytest.mark.parametrize(("top", "job", "steps", "want"), [
    ("", "", "      - run: ./review.sh\n        working-directory: tools\n", "tools/review.sh"),
    ("", "", "      - working-directory: ./tools/\n        run: bash r.sh\n", "tools/r.sh"),
    ("", "    defaults:\n      run:\n        working-directory: tools\n",
     "      - run: bash review.sh\n", "tools/review.sh"),
    ("defaults: {run: {working-directory: ci}}\n", "", "      - run: ./r.sh\n", "ci/r.sh"),
    ("defaults: {run: {working-directory: ci}}\n",
     "    defaults: {run: {working-directory: tools}}\n", "      - run: ./r.sh\n",
     "tools/r.sh"),
    ("", "", "      - run: ./r.sh\n        working-directory: ${{ github.workspace }}/t\n",
     "t/r.sh"),
    ("", "", "      - run: cd tools && ./review.sh\n", "tools/review.sh"),
    ("", "", "      - run: pushd tools; ./review.sh; popd\n", "tools/review.sh"),
    ("", "", "      - run: cd 'tools' ; python review.py\n", "tools/review.py"),
    ("", "", "      - run: |\n          cd a\n          cd ../b\n          ./r.sh\n", "b/r.sh"),
    ("", "", "      - run: cd sub && ./r.sh\n        working-directory: tools\n",
     "tools/sub/r.sh"),
    # Options, launchers and nested shells that change directory, and constant variables.
    ("", "", "      - run: cd -- tools && ./review.sh\n", "tools/review.sh"),
    ("", "", "      - run: cd -P tools; ./review.sh\n", "tools/review.sh"),
    ("", "", "      - run: env -C tools ./review.sh\n", "tools/review.sh"),
    ("", "", "      - run: env -i --chdir=tools ./review.sh\n", "tools/review.sh"),
    ("", "", "      - run: sh -c \"cd tools && ./review.sh\"\n", "tools/review.sh"),
    ("", "", "      - run: bash -c 'cd tools; ./review.sh'\n", "tools/review.sh"),
    ("", "", "      - run: (cd tools; ./review.sh)\n", "tools/review.sh"),
    ("", "", "      - shell: pwsh\n        run: Set-Location -Path tools; ./r.ps1\n",
     "tools/r.ps1"),
    ("", "", "      - run: |\n          DIR=tools\n          cd \"$DIR\" && ./review.sh\n",
     "tools/review.sh"),
    ("", "", "      - run: |\n          export DIR=ci\n          cd \"${DIR}/sub\" && ./r.sh\n",
     "ci/sub/r.sh"),
    ("", "    env:\n      D: tools\n", "      - run: cd $D && ./review.sh\n",
     "tools/review.sh"),
    ("env:\n  D: tools\n", "",
     "      - run: ./review.sh\n        working-directory: ${{ env.D }}\n", "tools/review.sh"),
    ("", "    env: {D: tools}\n",
     "      - run: ./review.sh\n        working-directory: ${{ env.D }}/sub\n",
     "tools/sub/review.sh"),
])
def test_scripts_are_named_from_the_directory_they_run_in(top: str, job: str, steps: str,
                                                          want: str) -> None:
    found = _named(_WORKFLOW, _DIRECTORIES.format(top=top, job=job, steps=steps))
    assert want in found, found


def test_a_composite_action_step_runs_in_its_working_directory() -> None:
    text = "runs:\n  using: composite\n  steps:\n    - run: ./r.sh\n      working-directory: ci\n"
    assert "ci/r.sh" in _named(_ACTION, text)


@pytest.mark.parametrize("steps", [
    "      - run: cd $DIR && ./r.sh\n",
    "      - run: cd ~/x && ./r.sh\n",
    "      - run: cd /opt/x && ./r.sh\n",
    "      - run: cd ../.. && ./r.sh\n",
    "      - run: ./r.sh\n        working-directory: ${{ matrix.dir }}\n",
    "      - run: ./r.sh\n        working-directory: ../elsewhere\n",
    "      - run: ./r.sh\n        working-directory: ${{ env.NOT_SET }}\n",
    "      - run: |\n          DIR=../..\n          cd \"$DIR\" && ./r.sh\n",
    "      - run: env -C \"$(mktemp -d)\" ./r.sh\n",
])
def test_directories_not_known_add_nothing_outside(steps: str) -> None:
    """A directory not known (or outside the repository) names only what the top and the
    file's folder give."""
    found = _named(_WORKFLOW, _DIRECTORIES.format(top="", job="", steps=steps))
    assert {p for p in found if p.endswith("r.sh")} == {"r.sh", ".github/workflows/r.sh"}, found


def test_directories_of_aliased_steps_cost_linear_time() -> None:
    """A script shared by aliases under many working directories is read under a few."""
    def cost(n: int) -> float:
        dirs = "".join(f"      - {{run: *s, working-directory: d{i}}}\n" for i in range(n))
        text = _DIRECTORIES.format(top="", job="", steps="      - run: &s './r.sh "
                                   + "x " * 200 + "'\n" + dirs)
        start = clock()
        named_paths(_WORKFLOW, text.encode())
        return clock() - start

    cost(100)
    small, large = min(cost(1000) for _ in range(3)), min(cost(4000) for _ in range(3))
    assert large / small < 8, (small, large)


@pytest.mark.parametrize("unit", [
    "run: make -f -C -f -C make just task tox -c docker build -f compose -f x\n",
    "include:\n",
    "include:\n  - local: ci/a.yml\n  " + " " * 200 + "- x.yml\n",
    "- local: " + "a" * 300 + "\n",
])
def test_naming_tools_files_and_includes_costs_linear_time(unit: str) -> None:
    """Task runners' options and GitLab includes: four times the lines, about four times
    the time (a ratio of two sizes)."""
    def cost(n: int) -> float:
        text = (unit * n).encode()
        start = clock()
        named_paths(".gitlab-ci.yml", text)
        return clock() - start

    cost(100)
    small, large = min(cost(1000) for _ in range(3)), min(cost(4000) for _ in range(3))
    assert large / max(small, 1e-4) < 10, (small, large)


def test_directory_variables_cost_linear_time() -> None:
    """Many variables and `cd`s through them: four times the lines, about four times the
    time; each name is looked up once, and a few names per file."""
    def cost(n: int) -> float:
        lines = "".join(f"          D{i}=d{i}\n          cd \"$D{i}$D{i}$D{i}\" && ./r{i}.sh\n"
                        for i in range(n))
        text = _DIRECTORIES.format(top="", job="", steps="      - run: |\n" + lines)
        start = clock()
        named_paths(_WORKFLOW, text.encode())
        return clock() - start

    cost(100)
    small, large = min(cost(500) for _ in range(3)), min(cost(2000) for _ in range(3))
    assert large / max(small, 1e-4) < 10, (small, large)


def test_many_cd_lines_name_paths_in_proportion_to_the_script() -> None:
    """Each `cd` is followed from a few starts, not from every folder before it: n lines of
    `cd dI && ./rI.sh` name O(n) paths, not n x n (which passed the names bound)."""
    def count(n: int) -> int:
        steps = "".join(f"cd d{i} && ./r{i}.sh\n" for i in range(n))
        text = _DIRECTORIES.format(top="", job="", steps="      - run: |\n"
                                   + "".join(f"          {s}" for s in steps.splitlines(True)))
        return len(named_paths(_WORKFLOW, text.encode()))

    small, large = count(100), count(400)
    assert small >= 100 and large <= 5 * small, (small, large)


# ------------------------------------------------------------------------------ includes
@pytest.mark.parametrize(("path", "text", "want"), [
    # GitLab's includes in flow form (pipelines.included_files)
    (".gitlab-ci.yml", 'include: [ "ci/review.yml" ]\n', {"ci/review.yml": "pipeline"}),
    (".gitlab-ci.yml", "include: { local: ci/review.yml }\n", {"ci/review.yml": "pipeline"}),
    (".gitlab-ci.yml", "include: [{local: /ci/a.yml}, ci/b.yml]\n",
     {"ci/a.yml": "pipeline", "ci/b.yml": "pipeline"}),
    # Compose's include and extends, from the top or the file's folder
    ("deploy/compose.yaml", "include:\n  - path: ai.yml\nservices: {}\n",
     {"deploy/ai.yml": "compose", "ai.yml": "compose"}),
    ("compose.yaml", "include: [ci/ai.yml]\nservices: {}\n", {"ci/ai.yml": "compose"}),
    ("docker-compose.yml",
     "services:\n  ai:\n    extends:\n      file: ci/ai.yml\n      service: ai\n",
     {"ci/ai.yml": "compose"}),
    # Compose files named by COMPOSE_FILE, and by `docker stack deploy -c`
    (_WORKFLOW, "steps:\n  - run: COMPOSE_FILE=ci/a.yml:ci/b.yaml docker compose up\n",
     {"ci/a.yml": "compose", "ci/b.yaml": "compose"}),
    (_WORKFLOW, "steps:\n  - run: docker compose up\n    env:\n      COMPOSE_FILE: ci/s.yml\n",
     {"ci/s.yml": "compose"}),
    (_WORKFLOW, "steps:\n  - run: docker stack deploy -c stack.yml --compose-file=b.yml s\n",
     {"stack.yml": "compose", "b.yml": "compose"}),
    (_WORKFLOW, "steps:\n  - run: podman-compose up\n", {"podman-compose.yml": "compose"}),
    # A GitLab wildcard is named as written (source/reach.py expands it), in either form
    (".gitlab-ci.yml", "include:\n  - local: '/ci/*.yml'\n", {"ci/*.yml": "pipeline"}),
    (".gitlab-ci.yml", "include: [{local: 'ci/**.yml'}]\n", {"ci/**.yml": "pipeline"}),
    # A GitLab child pipeline; Azure Pipelines templates (from the file's folder too)
    (".gitlab-ci.yml", "child:\n  trigger: {include: ci/child.yml}\n",
     {"ci/child.yml": "pipeline"}),
    ("ci/azure-pipelines.yml", "steps:\n- template: steps/build.yml\n",
     {"ci/steps/build.yml": "pipeline", "steps/build.yml": "pipeline"}),
    ("azure-pipelines.yml", "extends:\n  template: ci/base.yaml\n", {"ci/base.yaml": "pipeline"}),
])
def test_what_includes_and_compose_settings_name(path: str, text: str,
                                                 want: dict[str, str | None]) -> None:
    found = _named(path, text)
    for named, hint in want.items():
        assert found.get(named) == hint, (found, named)


@pytest.mark.parametrize(("path", "text"), [
    (".gitlab-ci.yml", "include: [{remote: 'https://x.example/r.yml'}, {project: g/p}]\n"
     "job:\n  extends: .base\n  script: [make]\n"),
    ("azure-pipelines.yml", "steps:\n- template: steps/build.yml@templates\n"),
    ("compose.yaml", "services:\n  a:\n    extends: base\n    image: x\n"),
    (_WORKFLOW, "steps:\n  - run: echo COMPOSE_FILE is unset; docker stack ls\n"),
])
def test_what_includes_name_no_file(path: str, text: str) -> None:
    found = _named(path, text)
    assert not any(p.endswith((".yml", ".yaml")) for p in found), found


@pytest.mark.parametrize(("pattern", "paths", "others"), [
    ("ci/*.yml", ["ci/a.yml"], ["ci/sub/a.yml", "ci/a.yaml", "cix/a.yml", "a.yml"]),
    ("/ci/**/*.yml", ["ci/a.yml", "ci/x/y/a.yml"], ["cia.yml", "ci/a.yml.bak"]),
    ("**.yml", ["a.yml", "x/y/a.yml"], ["a.yaml"]),
    ("ci/[ab].yml", ["ci/[ab].yml"], ["ci/a.yml"]),
])
def test_a_gitlab_wildcard_matches_as_gitlab_expands_it(pattern: str, paths: list[str],
                                                        others: list[str]) -> None:
    folder, expression = include_pattern(pattern)
    assert all(p.startswith(folder) for p in paths)
    assert all(expression.fullmatch(p) for p in paths), paths
    assert not any(expression.fullmatch(p) for p in others), others


@pytest.mark.parametrize("unit", [
    "COMPOSE_FILE=a.yml:" + "b:" * 50 + "\n",
    "include: [{local: a.yml}, b.yml]\nx:\n  extends: {file: c.yml}\n",
])
def test_naming_includes_and_compose_files_costs_linear_time(unit: str) -> None:
    """Four times the lines, about four times the time (a ratio of two sizes)."""
    def cost(n: int) -> float:
        text = (unit * n).encode()
        start = clock()
        named_paths("compose.yaml", text)
        return clock() - start

    cost(100)
    small, large = min(cost(500) for _ in range(3)), min(cost(2000) for _ in range(3))
    assert large / max(small, 1e-4) < 10, (small, large)


@pytest.mark.parametrize(("path", "text", "named"), [
    ("ci/run.py", 'import subprocess\nsubprocess.run(["tools/agent-review", "-x"])\n',
     "tools/agent-review"),
    ("ci/run.rb", 'system("tools/agent-review --all")\n', "tools/agent-review"),
    ("ci/run.js", 'const {execSync} = require("child_process")\nexecSync("bin/review")\n',
     "bin/review"),
    ("ci/run.py", "os.system('./review')\n", "ci/review"),
])
def test_code_names_the_programs_it_runs(path: str, text: str, named: str) -> None:
    assert named in _named(path, text)


@pytest.mark.parametrize(("path", "text"), [
    # Code names its own modules and data files: none of them runs because it is named.
    ("Rakefile", 'require "active_support/core_ext"\nload "lib/tasks/db.rake"\n'
                 'FILES = ["lib/a.rb", "test/b_test.rb"]\n'),
    ("ci/run.py", 'open("data/config.yml")\nPATH = "docs/guide/index.md"\n'),
])
def test_code_data_files_are_not_followed(path: str, text: str) -> None:
    found = _named(path, text)
    assert not any(p.endswith((".rb", ".rake", ".yml", ".md")) for p in found), found


def test_only_a_build_action_s_file_input_names_a_dockerfile() -> None:
    coverage = "steps:\n  - uses: codecov/codecov-action@v4\n    with:\n" \
        "      file: coverage.xml\n"
    assert "coverage.xml" not in _named(_WORKFLOW, coverage)
    build = coverage.replace("codecov/codecov-action@v4", "docker/build-push-action@v6")
    assert _named(_WORKFLOW, build).get("coverage.xml") == "dockerfile"


# A Makefile's lines with and without tools, and words that become a tool's name only
# when folded (the Kelvin sign folds to k: not ASCII, so read word by word).
@pytest.mark.parametrize(("text", "want"), [
    ("all:\n\tcc -o x x.c\n\n" * 50 + "img:\n\tdocker build -f ci/img1 .\n",
     {"ci/img1": "dockerfile"}),
    ("\n\nx:\n\tDOCKER \\\n  build --file=ci/img2 .\n", {"ci/img2": "dockerfile"}),
    ("x:\n\techo \u00e9; docker build \\\n\t  -f ci/img3 .\n", {"ci/img3": "dockerfile"}),
    ("x:\n\tdocker-compose -f ci/c.yml up\n\n" + "y:\n\ttrue\n" * 30,
     {"ci/c.yml": "compose"}),
    ("x:\n\tmake -C sub\n\tdocker build -f ci/img4 .\n", {"ci/img4": "dockerfile"}),
    ("x:\n\tdoc\u212aer build -f ci/img5 .\n", {"ci/img5": "dockerfile"}),
    ("x:\n\tdocker\n\n" + "\techo\n" * 20 + "\tbuild -f ci/img6\n", {}),
])
def test_a_runner_file_names_the_images_its_tools_build(text: str, want: dict[str, str | None],
                                                        ) -> None:
    named = _named("Makefile", text)
    assert {p: h for p, h in named.items() if p.startswith("ci/")} == want

@pytest.mark.parametrize(("run", "want"), [
    ("npm i -g $(cat ci/tools.txt)", {"ci/tools.txt": "list-npm"}),
    ("xargs npm install --global < ci/tools.txt", {"ci/tools.txt": "list-npm"}),
    ("cat ci/tools.lst | xargs pnpm add -g", {"ci/tools.lst": "list-npm"}),
    ("xargs -a ci/tools.txt yarn global add", {"ci/tools.txt": "list-npm"}),
    ("pip install $(grep -v '^#' ci/py-tools.txt)", {"ci/py-tools.txt": "requirements"}),
    ("uv tool install $(< ci/tools)", {"ci/tools": "requirements"}),
    ("brew install $(cat ci/Brewfile.txt)", {"ci/Brewfile.txt": "list-brew"}),
    ("|\n        while read -r p; do\n          npm i -g \"$p\"\n        done < ci/tools.txt",
     {"ci/tools.txt": "list-npm"}),
])
def test_a_file_an_installer_takes_its_packages_from_is_named_as_a_list(
        run: str, want: dict[str, str]) -> None:
    named = _named(_WORKFLOW, f"steps:\n  - run: {run}\n")
    assert {path: hint for path, hint in named.items() if not path.startswith(".github/") and (
        (hint and "list" in hint) or hint == "requirements")} == want, named


@pytest.mark.parametrize("run", [
    "cat ci/notes.txt; npm ci",  # no installer given a list
    "npm install && cat ci/notes.txt",
    "echo $(cat VERSION.txt) > out && npm publish",
])
def test_files_read_beside_other_commands_are_not_lists(run: str) -> None:
    named = _named(_WORKFLOW, f"steps:\n  - run: {run}\n")
    assert not any(hint and hint.startswith("list-") for hint in named.values()), named


def test_naming_package_lists_costs_linear_time() -> None:
    def cost(n: int) -> float:
        text = ("  - run: npm i -g $(cat a/b.txt) " + "x" * 40 + "\n" + "npm " * 20 + "\n") * n
        start = clock()
        named_paths("ci/r.sh", text.encode())
        return clock() - start

    cost(100)
    small, large = min(cost(1000) for _ in range(3)), min(cost(4000) for _ in range(3))
    assert large / small < 8, (small, large)


@pytest.mark.parametrize(("path", "text", "want"), [
    ("Makefile", "review:\n\tcd tools && ./review.sh\n", "tools/review.sh"),
    ("Makefile", "review:\n\t@$(Q)./tools/review.sh --all\n", "tools/review.sh"),
    ("ci/Makefile", "r:\n\tbash -e review.sh\n", "ci/review.sh"),
    ("Makefile", "R = tools\nr:\n\tcd $(R); sh ./review.sh\n", "tools/review.sh"),
    ("justfile", '[working-directory: "tools"]\nreview:\n    ./review.sh\n', "tools/review.sh"),
    ("justfile", "[no-cd, working-directory('tools')]\nreview:\n    python3 r.py\n",
     "tools/r.py"),
    ("justfile", "set working-directory := 'tools'\nreview arg:\n    ./review.sh {{arg}}\n",
     "tools/review.sh"),
    ("Taskfile.yml", 'version: "3"\ntasks:\n  review:\n    dir: tools\n    cmds:\n'
     "      - ./review.sh\n      - cmd: node run.js\n", "tools/review.sh"),
    ("Taskfile.yml", 'version: "3"\ntasks:\n  review:\n    dir: tools\n    cmds:\n'
     "      - cmd: node run.js\n", "tools/run.js"),
    ("tox.ini", "[testenv:r]\nallowlist_externals = ./review.sh\ncommands = ./review.sh\n"
     "changedir = {toxinidir}/tools\n", "tools/review.sh"),
])
def test_a_runner_names_the_scripts_its_recipes_run_from_their_directory(
        path: str, text: str, want: str) -> None:
    assert want in _named(path, text), _named(path, text)


@pytest.mark.parametrize(("path", "text"), [
    # the words of a recipe that are no command it runs: arguments, make's own, modules
    ("Makefile", "all:\n\t$(CC) -o build/x src/main.c tools/review.sh\n"),
    ("Makefile", "docs:\n\techo see tools/review.sh; cp tools/review.sh dist/\n"),
    ("Makefile", "t:\n\tpython -m tools.review\n\t$(call tmpl,tools/review.sh)\n"),
    ("justfile", "[working-directory: 'tools']\nr:\n    cat review.sh\n"),
    ("tox.ini", "[testenv]\nchangedir = tools\ncommands = pytest review.sh\n"),
])
def test_a_runner_does_not_name_what_its_recipes_only_mention(path: str, text: str) -> None:
    assert not any(p.endswith("review.sh") for p in _named(path, text)), _named(path, text)


@pytest.mark.parametrize("unit", [
    "\tcd a && ./b.sh && cd c; bash d/e.sh $(X) f/g h/i\n",
    "\t$(CC) -o x/y.o x/y.c && cp a/b c/d\n",
    "\t" + "do a=" * 50 + "\n",  # assignments after each separator, never a program
    "\t" + "&a=" * 50 + "\n",
])
def test_naming_recipe_scripts_costs_linear_time(unit: str) -> None:
    calls = iter(range(1 << 20))

    def cost(n: int) -> float:
        # each text new (paragraphs and lines met before are remembered, so a repeated
        # text would measure a memo's hit against a fresh reading)
        text = f"# {next(calls)}\nX = v\nall:\n" + unit * n
        start = clock()
        named_paths("Makefile", text.encode())
        return clock() - start

    cost(200)
    small, large = min(cost(1000) for _ in range(3)), min(cost(4000) for _ in range(3))
    assert large / small < 8, (small, large)


def test_a_taskfile_of_aliased_command_lists_names_in_proportion_to_its_size() -> None:
    """Every task gives the same aliased list of commands a directory of its own: read
    under each until the file's size in commands, then once; past MAX_NAMES, refused."""
    def taskfile(n: int) -> bytes:
        cmds = "".join(f"  - ./s{i}.sh\n" for i in range(n))
        tasks = "".join(f"  t{i}: {{dir: d{i}, cmds: *c}}\n" for i in range(n))
        return f"x: &c\n{cmds}tasks:\n{tasks}".encode()

    small = taskfile(100)
    assert len(named_paths("Taskfile.yml", small)) <= 2 * len(small) < 100 * 100
    with pytest.raises(GitError, match="refusing to pass unjudged"):
        named_paths("Taskfile.yml", taskfile(1000))


def test_a_script_uv_runs_is_read_as_python() -> None:
    """`uv run --script X` runs X as Python whatever its name (PEP 723), as does a
    `#!/usr/bin/env -S uv run --script` line; `uv sync` names nothing."""
    workflow = "steps:\n  - run: uv run --script tools/review\n  - run: uv sync --frozen\n"
    assert _named(_WORKFLOW, workflow) == {"tools/review": "hash",
                                           ".github/workflows/tools/review": "hash"}
    head = b"#!/usr/bin/env -S uv run --script\n# /// script\n"
    assert reached_kind("tools/review", head, None) == "hash"
    assert reached_kind("tools/review", b"#!/usr/bin/env -S pipx run\n", None) == "hash"
    assert reached_kind("tools/review", b"#!/usr/bin/env uv\n", None) == "code"
