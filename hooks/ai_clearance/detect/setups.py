"""Files outside CI workflows that set up or run an agent: dev containers, pre-commit and
other git hook managers, other CI systems (GitLab, CircleCI, Azure Pipelines, Bitbucket,
Buildkite, Jenkins) and package manifests (package.json, pyproject.toml, requirements).

Each is read by its kind, which its path tells (`setup_readings`), into the facts that
workflows.py judges (commands, images, `uses`), and three of its own (`FACT_KINDS`): a
package it depends on, a dev container feature, an editor extension, which `setup_hits`
judges against a rule's `workflow_installs`, `devcontainer_features` and
`editor_extensions`. A file its reader cannot parse is judged line by line by workflows.py,
with `loose_facts` adding what each line's literals name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache

from ai_clearance.detect.cisystems import BY_FOLDER as CI_FOLDERS
from ai_clearance.detect.cisystems import BY_KIND
from ai_clearance.detect.cisystems import BY_NAME as CI_NAMES
from ai_clearance.detect.normalize import printable
from ai_clearance.detect.shell import invocations, script_commands
from ai_clearance.detect.taskrunners import RUNNER_KINDS, RUNNER_NAMES, runner_lines
from ai_clearance.memo import Memo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from ai_clearance.catalog.rules import Rule
    from ai_clearance.detect.workflows import Fact

FACT_KINDS = frozenset({"package", "feature", "extension"})
# Kinds read here; "workflow" and "shell" are workflows.py's own.
# Read by devtools.py (its KINDS: a test keeps the two the same).
DEVTOOL_KINDS = frozenset({"hookmap", "vscodetasks", "gitpod", "codeworkspace", "zedtasks",
                           "overcommit", "nix", "replit", "devbox"})
KINDS = frozenset({"devcontainer", "vscodeextensions", "npm", "pyproject", "requirements",
                   "precommit", "gitmodules", "pipeline", "jenkins", "pipfile", "mise",
                   "setupcfg", "conda", "compose", "toxtoml", "pixi", "pnpmworkspace",
                   *RUNNER_KINDS, *BY_KIND,
                   *DEVTOOL_KINDS})
# Project files read into the commands they amount to (projectfiles.py).
_PROJECT = frozenset({"setuppy", "nix", "toolversions", "composer", "deno", "nx", "devbox",
                      "brewfile", "bake", "moon", "gomod"})
KINDS |= _PROJECT
# Package lists an installer is given by another command (`npm i -g $(cat x)`), by
# installer: reach.py names them so, no path does.
LIST_KINDS = frozenset({"list-npm", "list-brew", "list-cargo", "list-gem"})
_MANIFESTS = frozenset({"npm", "pyproject", "requirements", "pipfile", "mise", "setupcfg",
                        "conda", "toxtoml", "pixi", "pnpmworkspace", *LIST_KINDS})
KINDS |= LIST_KINDS

# Docker Compose files: their services' `image`, `command` and `entrypoint`.
_COMPOSE = re.compile(r"(?:docker-|podman-)?compose(?:\.[^/]*)?\.ya?ml\Z")
_PRECOMMIT = frozenset({".pre-commit-config.yaml", ".pre-commit-config.yml",
                        ".pre-commit-hooks.yaml"})
_REQUIREMENTS = re.compile(r"(?:.*[-_.])?requirements(?:[-_.].*)?\.(?:txt|in)\Z")
# mise's files for an environment (`mise.ci.toml`, `.mise.dev.toml`) and its folders'
# (`.mise/config.toml`, `mise/conf.d/x.toml`); a conda env file under another name.
_MISE = re.compile(r"\.?mise\.[^/]+\.toml\Z")
_MISE_READING = frozenset({"mise"})
_CONDA = re.compile(r"environment[-_.][^/]*\.ya?ml\Z")
_CONDA_READING = frozenset({"conda"})


# Other CI systems' YAML (cisystems.py), read as a workflow too: their `script`, `run`,
# `image` keys are the same, and an invalid file is then judged line by line as a workflow is.
_CI = {kind: frozenset({"workflow", kind}) for kind in BY_KIND}
_JENKINS = frozenset({"jenkins"})
_REQUIREMENTS_READING = frozenset({"requirements"})
_COMPOSE_READING = frozenset({"compose"})
# Files known by their name's end: `x.jenkinsfile`, make's `ci.mk`, Rake's `x.rake`.
_BY_END = {"jenkinsfile": _JENKINS, "mk": frozenset({"make"}), "rake": frozenset({"hash"})}
# Files known by their name alone, wherever they are.
_BY_NAME = {
    "devcontainer.json": frozenset({"devcontainer"}),
    ".devcontainer.json": frozenset({"devcontainer"}),
    "package.json": frozenset({"npm"}),
    ".gitmodules": frozenset({"gitmodules"}),  # each submodule's url
    # pnpm's catalogs and overrides, yarn's packageExtensions (manifests.py)
    **dict.fromkeys(("pnpm-workspace.yaml", "pnpm-workspace.yml", ".yarnrc.yml"),
                    frozenset({"pnpmworkspace"})),
    "pyproject.toml": frozenset({"pyproject"}),
    "jenkinsfile": _JENKINS,
    # Drone's and Cirrus CI's programmable configs (Starlark, Jsonnet), read by their literals
    **dict.fromkeys((".drone.star", ".drone.jsonnet", ".cirrus.star"), frozenset({"hash"})),
    "pipfile": frozenset({"pipfile"}),
    "setup.cfg": frozenset({"setupcfg", "tox"}),  # tox reads its [testenv] sections
    "tox.toml": frozenset({"toxtoml"}),
    "pixi.toml": frozenset({"pixi"}),
    "setup.py": frozenset({"hash", "setuppy"}),  # code, and what it requires
    **dict.fromkeys(("shell.nix", "default.nix", "flake.nix", "devenv.nix"),
                    frozenset({"nix"})),
    "devbox.json": frozenset({"devbox"}),
    ".tool-versions": frozenset({"toolversions"}),
    # Homebrew's bundle, Docker's bake files, moon's tasks; an Earthfile's targets are
    # Dockerfile instructions (projectfiles.py)
    **dict.fromkeys(("brewfile", ".brewfile"), frozenset({"brewfile"})),
    **dict.fromkeys(("docker-bake.hcl", "docker-bake.override.hcl"), frozenset({"bake"})),
    **dict.fromkeys(("moon.yml", "moon.yaml"), frozenset({"moon"})),
    "earthfile": frozenset({"dockerfile"}),
    "go.mod": frozenset({"gomod"}),  # its `tool` directives (projectfiles.py)
    "composer.json": frozenset({"composer"}),
    "deno.json": frozenset({"deno"}),
    "deno.jsonc": frozenset({"deno"}),
    "project.json": frozenset({"nx"}),
    "mise.toml": frozenset({"mise"}),
    ".mise.toml": frozenset({"mise"}),
    "mise.local.toml": frozenset({"mise"}),
    ".mise.local.toml": frozenset({"mise"}),
    "environment.yml": frozenset({"conda"}),
    "environment.yaml": frozenset({"conda"}),
    ".gitpod.yml": frozenset({"gitpod"}),
    ".gitpod.yaml": frozenset({"gitpod"}),
    # lint-staged (JSON or YAML), simple-git-hooks, husky v4: names to commands
    **dict.fromkeys((".lintstagedrc", ".lintstagedrc.json", ".lintstagedrc.yaml",
                     ".lintstagedrc.yml", ".simple-git-hooks.json", "simple-git-hooks.json",
                     ".huskyrc", ".huskyrc.json"), frozenset({"hookmap"})),
    # `args` are arguments here, not a script as in an action
    **dict.fromkeys(_PRECOMMIT, frozenset({"precommit"})),
    **{name: _CI[kind] for name, kind in CI_NAMES.items()},
    **RUNNER_NAMES,
}


def setup_readings(folded: str) -> frozenset[str]:
    """How a file at the normalized, folded path `folded` is read here (none: not here).
    CI systems' YAML is also read as a workflow: their `script`, `run`, `image` keys are
    the same, and an invalid file is then judged line by line as a workflow is."""
    folder, _, name = folded.rpartition("/")
    parent = folder.rpartition("/")[2]
    by_name = _BY_NAME.get(name)
    if by_name is not None:
        return by_name
    by_pattern = _by_pattern(folder, parent, name)
    if by_pattern:
        return by_pattern
    yaml = name.endswith((".yml", ".yaml"))
    if (parent, name) in _IN_FOLDER:
        return _IN_FOLDER[parent, name]
    if yaml and parent in CI_FOLDERS:
        return _CI[CI_FOLDERS[parent]]
    if yaml and f"/{folder}/".find("/.gitlab/ci/") >= 0:
        return _CI["pipeline"]
    return _by_name_end(folder, name, parent)


def _by_pattern(folder: str, parent: str, name: str) -> frozenset[str]:
    """Requirements files, mise's files for an environment or in its folders, conda env
    files under another name."""
    if _REQUIREMENTS.match(name) or (parent == "requirements" and name.endswith((".txt",
                                                                                ".in"))):
        return _REQUIREMENTS_READING
    if _MISE.match(name) or (parent in (".mise", "conf.d") and name.endswith(".toml") and (
            parent == ".mise" or folder.endswith(("mise/conf.d", ".mise/conf.d")))) or (
            parent == "mise" and name.startswith("config.") and name.endswith(".toml")):
        return _MISE_READING
    return _CONDA_READING if _CONDA.match(name) else frozenset()


def _by_name_end(folder: str, name: str, parent: str) -> frozenset[str]:
    """Compose files, files known by their name's end, and hooks folders' scripts."""
    if _COMPOSE.match(name):
        return _COMPOSE_READING
    by_end = _BY_END.get(name.rpartition(".")[2]) if "." in name else None
    if by_end is not None:
        return by_end
    # husky's hooks, and a hooks folder `git config core.hooksPath` points at
    if parent in _HOOK_FOLDERS:
        return frozenset({"shell"})
    # mise's file tasks (`mise run NAME` runs .mise/tasks/NAME), and moon's shared tasks
    inside = f"/{folder}/"
    if any(tasks in inside for tasks in _MISE_TASKS):
        return frozenset({"shell"})
    if "/.moon/" in inside and name.endswith((".yml", ".yaml")) and (
            parent == "tasks" or name.startswith("tasks")):
        return frozenset({"moon"})
    from ai_clearance.detect.devtools import devtool_readings

    return devtool_readings(folder, name)


# Files known by their folder and name: VS Code tasks, mise's .config/mise/config.toml.
_IN_FOLDER = {(".vscode", "tasks.json"): frozenset({"vscodetasks"}),
              (".vscode", "extensions.json"): frozenset({"vscodeextensions"}),
              ("mise", "config.toml"): frozenset({"mise"})}
_HOOK_FOLDERS = frozenset({".husky", ".githooks", ".git-hooks"})
_MISE_TASKS = ("/.mise/tasks/", "/mise-tasks/", "/.mise-tasks/", "/mise/tasks/",
               "/.config/mise/tasks/")


def setup_facts(kind: str, data: bytes, screen: Callable[[str], bool]) -> list[Fact] | None:
    """What a file read as `kind` runs or installs; None when it cannot be parsed."""
    text = data.decode("utf-8", "replace")
    if kind == "devcontainer":
        from ai_clearance.detect.devcontainers import devcontainer_facts

        return devcontainer_facts(text, screen)
    if kind in ("gitmodules", "vscodeextensions"):
        from ai_clearance.detect.devcontainers import recommendation_facts

        return submodule_facts(text) if kind == "gitmodules" else recommendation_facts(text)
    if kind in _MANIFESTS or kind in _PROJECT or kind in DEVTOOL_KINDS:
        return _project_facts(kind, text, data, screen)
    from ai_clearance.detect import pipelines

    if kind == "jenkins":
        return script_facts("Jenkinsfile", text, 1, screen, "slash")
    if kind in RUNNER_KINDS and kind != "taskfile":
        return runner_facts(kind, text, screen)
    if kind == "taskfile":
        from ai_clearance.detect.taskrunners import taskfile_text

        data = taskfile_text(data)
    return pipelines.yaml_facts(kind, data, screen)


def _project_facts(kind: str, text: str, data: bytes, screen: Callable[[str], bool],
                   ) -> list[Fact] | None:
    """What a manifest, project file or dev tool's file installs and runs. A Nix file and
    devbox.json are read both ways: the packages they install (projectfiles.py) and the
    commands their hooks run (devtools.py)."""
    from ai_clearance.detect import manifests
    from ai_clearance.detect.devtools import devtool_facts

    installs = manifests.manifest_facts(kind, text, screen) \
        if kind in _MANIFESTS or kind in _PROJECT else []
    runs = devtool_facts(kind, text, data, screen) if kind in DEVTOOL_KINDS else []
    if installs is None or runs is None:
        return None if not installs and not runs else [*(installs or ()), *(runs or ())]
    return [*installs, *runs]


# A git config line that sets a submodule's `url` (keys ignore case; `URL=x` counts),
# after the section's header on the same line too (`[submodule "v"] url = x`).
_SUBMODULE_URL = re.compile(r"[ \t]*url[ \t]*=[ \t]*(.*)", re.IGNORECASE)


def submodule_facts(text: str) -> list[Fact]:
    """Each submodule's `url` in `.gitmodules` as a fetch from that repository: an agent
    action's repository vendored as a submodule counts as its `uses` wherever it sits
    (a local `uses: ./path` into it then needs nothing more), and an agent's source
    repository as installing it. A quoted value is unquoted; a comment after it dropped."""
    from ai_clearance.detect.workflows import repository_facts

    found: list[Fact] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _SUBMODULE_URL.match(_after_header(line))
        if match is None:
            continue
        value = match.group(1).strip()
        if value.startswith('"'):
            value = value[1:].partition('"')[0]
        else:
            value = re.split(r"[ \t][;#]|\A[;#]", value, maxsplit=1)[0].strip()
        if not value:
            continue
        evidence = printable(f"submodule url = {value}")
        found.extend(replace(fact, evidence=evidence)
                     for fact in repository_facts("url", value, number, shorthand=False))
    return found


def _after_header(line: str) -> str:
    """`line` after a section's header (`[submodule "a]b"]`, its quoted name may hold a
    `]`); the line itself when it has none."""
    stripped = line.lstrip(" \t")
    if not stripped.startswith("["):
        return line
    quote = stripped.find('"')
    close = stripped.find("]", stripped.find('"', quote + 1) + 1 if quote >= 0 else 0)
    return stripped[close + 1:] if close >= 0 else ""


def runner_facts(kind: str, text: str, screen: Callable[[str], bool]) -> list[Fact]:
    """The commands of a task runner's recipes. One screen of all of them first: a
    project's Makefile has thousands of recipe lines, most often none naming an agent."""
    lines = runner_lines(kind, text)
    if not screen("\n".join(command for _, _, command in lines)):
        return []
    found: list[Fact] = []
    for line, key, command in lines:
        # Each version of a Makefile a range changes repeats most of its recipes: what a
        # recipe runs is remembered (at most _RECIPE_MEMO of them, the oldest forgotten).
        memo_key = (screen, key, command)  # the screen itself: its id could be reused
        facts = _RECIPES.get(memo_key)
        if facts is None:
            facts = _RECIPES.put(memo_key, tuple(script_facts(key, command, 0, screen)))
        found.extend(replace(fact, line=fact.line + line) for fact in facts)
    return found


_RECIPE_MEMO = 8192
_RECIPES: Memo[tuple[Callable[[str], bool], str, str], tuple[Fact, ...]] = Memo(_RECIPE_MEMO)


def loose_facts(text: str, number: int, kinds: frozenset[str]) -> Iterator[Fact]:
    """What one line of a file that could not be parsed names, read by its literals: a
    dev container's feature references and extension ids, a manifest's packages."""
    if kinds & {"requirements", "setupcfg", "conda"}:
        from ai_clearance.detect.manifests import requirement_facts

        yield from requirement_facts(text, number)
    if "precommit" in kinds:
        entry = _ENTRY.match(text)
        if entry is not None:
            yield from script_facts("entry", entry.group(1), number, None)
    names = kinds & {"devcontainer", "vscodeextensions", "npm", "pyproject", "precommit",
                     "pipfile"}
    if not names or ('"' not in text and "'" not in text):
        return
    from ai_clearance.detect.literals import string_runs

    comments = "/" if names <= {"devcontainer", "vscodeextensions", "npm"} else "#"
    for run in string_runs(text, comments):
        for _, literal in run:
            yield from _literal_facts(literal.strip(), number, names)


_ENTRY = re.compile(r"""\s*(?:-\s+)?["']?entry["']?\s*:\s*(.*)""")


def _literal_facts(literal: str, line: int, kinds: frozenset[str]) -> Iterator[Fact]:
    if "devcontainer" in kinds:
        if "/" in literal:
            yield feature_fact(literal, line)
        yield extension_fact(literal, line)
    elif "vscodeextensions" in kinds:
        yield extension_fact(literal, line)
    if kinds & {"npm", "precommit"}:
        yield package_fact("npm", literal, line, literal)
    if kinds & {"pyproject", "precommit", "pipfile"}:
        yield package_fact("pypi", literal, line, literal)


# ------------------------------------------------------------------------------ facts
def script_facts(key: str, script: str, line: int, screen: Callable[[str], bool] | None,
                 language: str = "shell") -> list[Fact]:
    """The commands a script in `language` runs (shell.py), from its 1-based `line` on."""
    from ai_clearance.detect.workflows import Fact

    found: list[Fact] = []
    for offset, words in script_commands(script, language, screen):
        evidence = printable(f"{key}: {' '.join(words)}")
        found.extend(Fact("command", invocation, line + offset, evidence)
                     for invocation in invocations(words, 0))
    return found


def argv_facts(key: str, words: list[str], line: int) -> list[Fact]:
    """The commands one command's words run (no shell reads them: `["claude", "-p"]`)."""
    from ai_clearance.detect.workflows import Fact

    evidence = printable(f"{key}: {' '.join(words)}")
    return [Fact("command", invocation, line, evidence)
            for invocation in invocations(words, 0)]


def image_fact(key: str, ref: str, line: int) -> Fact:
    from ai_clearance.detect.workflows import Fact, image_name

    return Fact("image", (image_name(ref),), line, printable(f"{key}: {ref.strip()}"))


def uses_fact(key: str, ref: str, line: int) -> Fact:
    from ai_clearance.detect.workflows import Fact, action_ref

    return Fact("uses", (action_ref(ref),), line, printable(f"{key}: {ref.strip()}"))


def package_fact(ecosystem: str, name: str, line: int, evidence: str) -> Fact:
    """A dependency on `name` in npm or PyPI (a version or extras after it are dropped)."""
    from ai_clearance.detect.workflows import Fact

    normal = npm_name(name) if ecosystem == "npm" else pypi_name(name)
    return Fact("package", (ecosystem, normal), line, printable(evidence))


def feature_fact(ref: str, line: int) -> Fact:
    """A dev container feature: its reference without tag or digest, and its name."""
    from ai_clearance.detect.workflows import Fact

    return Fact("feature", feature_names(ref), line, printable(f"features: {ref.strip()}"))


def extension_fact(ext: str, line: int) -> Fact:
    from ai_clearance.detect.workflows import Fact

    return Fact("extension", (ext.strip().partition("@")[0].casefold(),), line,
                printable(f"extensions: {ext.strip()}"))


def feature_names(ref: str) -> tuple[str, str]:
    """(`ref` folded without tag or digest, the feature's id: the last part of its path;
    of a tarball's URL, its file name without `devcontainer-feature-` and `.tgz`)."""
    base = ref.strip().casefold().partition("@")[0].rstrip("/")
    folder, slash, name = base.rpartition("/")
    if "://" not in base:
        name = name.partition(":")[0]
    name = name.removesuffix(".tgz").removeprefix("devcontainer-feature-")
    return (folder + slash + name, name)


_NPM_VERSION = re.compile(r"(@?[^@]*)")


def npm_name(text: str) -> str:
    """An npm package name as compared: folded, without `npm:` and a version."""
    text = text.strip().removeprefix("npm:")
    found = _NPM_VERSION.match(text)
    return found.group(1).casefold() if found else ""


_PYPI_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_PYPI_SEPARATORS = re.compile(r"[-_.]+")


def pypi_name(text: str) -> str:
    """The project a PEP 508 requirement names, normalized as PyPI compares names."""
    found = _PYPI_NAME.match(text)
    return _PYPI_SEPARATORS.sub("-", found.group(1)).casefold() if found else ""


# ------------------------------------------------------------------------------ matching
def setup_hits(fact: Fact, rule: Rule) -> bool:
    """Whether `rule` lists the package, feature or extension of `fact`."""
    wanted = _wanted(rule.workflow_installs, rule.devcontainer_features,
                     rule.editor_extensions)
    if fact.kind == "package":
        return fact.subject in wanted[0]
    if fact.kind == "feature":
        return not wanted[1].isdisjoint(fact.subject)
    return fact.kind == "extension" and fact.subject[0] in wanted[2]


@lru_cache(maxsize=256)
def _wanted(installs: tuple[str, ...], features: tuple[str, ...], extensions: tuple[str, ...],
            ) -> tuple[frozenset[tuple[str, str]], frozenset[str], frozenset[str]]:
    packages = set()
    for entry in installs:
        kind, _, name = entry.partition(":")
        if kind == "npm":
            packages.add(("npm", npm_name(name)))
        elif kind == "pypi":
            packages.add(("pypi", pypi_name(name)))
    # An entry with a '/' is a whole reference; one without, a feature's id.
    refs = frozenset(feature_names(f)[0] if "/" in f else f.casefold() for f in features)
    return (frozenset(packages), refs, frozenset(e.casefold() for e in extensions))


def first_lines(literals: Iterable[tuple[int, str]]) -> dict[str, int]:
    """The 1-based line where each literal text first occurs."""
    lines: dict[str, int] = {}
    for offset, literal in literals:
        lines.setdefault(literal, offset + 1)
    return lines
