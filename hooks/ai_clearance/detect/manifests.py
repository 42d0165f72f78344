"""Package manifests read for the agent CLIs and SDKs a project depends on, and the scripts
it runs: package.json (its dependency sections, and `scripts`, which npm runs with a
shell), pyproject.toml (every list or table of requirements: PEP 621 dependencies and
extras, PEP 735 groups, build requires, Poetry, PDM, Hatch, uv) and pip's requirements
files. Which packages count is data: the `npm:` and `pypi:` entries of a rule's
`workflow_installs`."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import replace

from ai_clearance.detect.jsonc import Pairs, load_jsonc
from ai_clearance.detect.literals import string_runs
from ai_clearance.detect.setups import argv_facts, first_lines, package_fact, script_facts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from ai_clearance.detect.workflows import Fact

NPM_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies",
                "peerDependencies", "bundledDependencies", "bundleDependencies")


def manifest_facts(kind: str, text: str, screen: Callable[[str], bool] | None = None,
                   ) -> list[Fact] | None:
    """What a manifest of `kind` ("npm", "pyproject", "pipfile", "mise", "setupcfg",
    "requirements"; a project file of projectfiles.py) depends on and runs; None when it
    cannot be parsed (requirements files and setup.cfg, read line by line, always can)."""
    readers: dict[str, Callable[[], list[Fact] | None]] = {
        "npm": lambda: package_json_facts(text, screen),
        "pyproject": lambda: pyproject_facts(text, screen),
        "toxtoml": lambda: tox_toml_facts(text, screen),
        "pixi": lambda: pixi_facts(text, screen),
        "pipfile": lambda: pipfile_facts(text, screen),
        "mise": lambda: mise_facts(text, screen),
        "setupcfg": lambda: setup_cfg_facts(text),
        "conda": lambda: conda_facts(text.encode()),
        "pnpmworkspace": lambda: pnpm_workspace_facts(text.encode()),
    }
    if kind.startswith("list-"):
        return list(package_list_facts(kind.removeprefix("list-"), text))
    if kind not in readers and kind != "requirements":
        from ai_clearance.detect.projectfiles import project_facts

        return project_facts(kind, text, screen)
    reader = readers.get(kind)
    if reader is not None:
        return reader()
    return [f for number, line in enumerate(text.split("\n"), start=1)
            for f in requirement_facts(line, number)]


def package_json_facts(text: str, screen: Callable[[str], bool] | None = None,
                       ) -> list[Fact] | None:
    data = load_jsonc(text)
    if not isinstance(data, Pairs):
        return None
    lines = first_lines(item for run in string_runs(text, "/") for item in run)
    facts: list[Fact] = []
    for section in NPM_SECTIONS:
        for table in data.get(section, []):
            facts.extend(_npm_dependencies(section, table, lines))
    for scripts in data.get("scripts", []):
        if not isinstance(scripts, Pairs):
            continue
        for name, bodies in scripts.items():
            for body in bodies:
                if isinstance(body, str):
                    facts.extend(script_facts(f"scripts.{name}", body, lines.get(body, 1),
                                              screen))
    facts.extend(_git_hook_facts(data, lines, screen))
    facts.extend(fact for key, inner in _PINNING for table in data.get(key, [])
                 for pinned in ([table] if not inner else table.get(inner, [])
                                if isinstance(table, Pairs) else [])
                 for fact in _pinned_facts(f"{key}.{inner}".rstrip("."), pinned, lines))
    facts.sort(key=lambda f: f.line)
    return facts


# Tables that pin or replace what the dependency tree installs: npm's `overrides`, yarn's
# `resolutions`, pnpm's `pnpm.overrides`, and the dependencies yarn and pnpm add to other
# packages (`packageExtensions`). A value there can alias a package to another
# (`"left-pad": "npm:@openai/codex@1"`): the alias is what gets installed.
_PINNING = (("overrides", ""), ("resolutions", ""), ("pnpm", "overrides"),
            ("pnpm", "packageExtensions"), ("packageExtensions", ""))
# How deep such a table is walked: npm's overrides nest one package's below another's.
_MAX_PIN_DEPTH = 8


def _pinned_facts(key: str, table: object, lines: dict[str, int]) -> list[Fact]:
    """The packages a pinning table (a package.json's, or pnpm-workspace.yaml's catalogs
    and overrides, already loaded) installs: each aliased value (`npm:NAME@1`), each value
    from a repository or URL, and the keys of the dependency tables under it
    (`packageExtensions`)."""
    facts: list[Fact] = []
    stack: list[tuple[str, object, int]] = [("", table, 0)]
    while stack:
        name, node, depth = stack.pop()
        if isinstance(node, (Pairs, dict)):
            if depth >= _MAX_PIN_DEPTH:
                continue
            for child, values in node.items():
                items = values if isinstance(node, Pairs) else [values]
                if child in NPM_SECTIONS:
                    facts.extend(package_fact("npm", dependency, lines.get(dependency, 1),
                                              f"{key}: {child}: {dependency}")
                                 for value in items if isinstance(value, (Pairs, dict))
                                 for dependency in value)
                stack.extend((str(child), value, depth + 1) for value in items)
        elif isinstance(node, str) and node.startswith("npm:"):
            facts.append(package_fact("npm", node, lines.get(node, 1), f"{key}: {name}: {node}"))
        elif isinstance(node, str) and ("/" in node or ":" in node) and \
                not node.startswith(("catalog:", "workspace:", "link:", "file:", "portal:")):
            facts.extend(argv_facts(f"{key}.{name}", ["npm", "install", node.strip()],
                                    lines.get(node, 1)))
    return facts


def pnpm_workspace_facts(data: bytes) -> list[Fact] | None:
    """pnpm-workspace.yaml: what its `catalog` and named `catalogs` give the packages that
    ask for `catalog:` (a value may alias a package: `reviewer: npm:@openai/codex@1`), and
    its `overrides` and `packageExtensions`, read as package.json's are. A .yarnrc.yml's
    `packageExtensions` the same way."""
    from ai_clearance.detect.devtools import mapping_items, yaml_root

    root = yaml_root(data)
    if root is None:
        return None
    facts: list[Fact] = []
    lines: dict[str, int] = {}
    budget = [len(data) + 1]  # nodes walked, all told: an alias used again costs again
    for key, value in mapping_items(root):
        if key in ("catalog", "catalogs", "overrides", "packageextensions"):
            facts.extend(_pinned_facts(key, _yaml_plain(value, 0, lines, budget), lines))
    if budget[0] < 0:
        return None  # aliases that multiply: judged line by line instead
    facts.sort(key=lambda f: f.line)
    return facts


def _yaml_plain(node: object, depth: int, lines: dict[str, int], budget: list[int],
                ) -> object:
    """A YAML node as plain dicts and strings, _MAX_PIN_DEPTH levels deep, noting the line
    of each scalar in `lines`; `budget` counts the nodes walked down (below zero: stopped,
    aliases used again and again would make the walk exponential)."""
    from yaml import MappingNode, ScalarNode

    budget[0] -= 1
    if budget[0] < 0:
        return None
    if isinstance(node, ScalarNode):
        lines.setdefault(str(node.value), node.start_mark.line + 1)
        return str(node.value)
    if not isinstance(node, MappingNode) or depth >= _MAX_PIN_DEPTH:
        return None
    plain: dict[str, object] = {}
    for key, value in node.value:
        if isinstance(key, ScalarNode):
            lines.setdefault(str(key.value), key.start_mark.line + 1)
            plain[str(key.value)] = _yaml_plain(value, depth + 1, lines, budget)
    return plain


def _git_hook_facts(data: Pairs, lines: dict[str, int],
                    screen: Callable[[str], bool] | None) -> list[Fact]:
    """The commands git hooks run: lint-staged's per-glob commands, simple-git-hooks'
    hooks, husky v4's `husky.hooks`."""
    from ai_clearance.detect.devtools import json_hook_facts

    return [fact for key in ("lint-staged", "simple-git-hooks", "husky")
            for table in data.get(key, []) if isinstance(table, Pairs)
            for fact in json_hook_facts(f"{key}.", table, lines, screen)]


def _npm_dependencies(section: str, table: object, lines: dict[str, int]) -> Iterator[Fact]:
    """A section's packages: its keys, and the package an alias (`npm:name@1`) installs."""
    if isinstance(table, list):  # bundledDependencies: a list of names
        for name in table:
            if isinstance(name, str):
                yield package_fact("npm", name, lines.get(name, 1), f"{section}: {name}")
        return
    if not isinstance(table, Pairs):
        return
    for name, specs in table.items():
        yield package_fact("npm", name, lines.get(name, 1), f"{section}: {name}")
        for spec in specs:
            if isinstance(spec, str) and spec.startswith("npm:"):
                yield package_fact("npm", spec, lines.get(spec, 1), f"{section}: {spec}")
            elif isinstance(spec, str) and ("/" in spec or ":" in spec):
                # what npm installs from a repository or URL (`github:openai/codex`)
                yield from argv_facts(f"{section}.{name}", ["npm", "install", spec.strip()],
                                      lines.get(spec, 1))


# Keys whose value lists requirements (every string below them is read as one), or, as a
# table of other than lists, names them as its keys (Poetry).
_REQUIRING = re.compile(r"(?:.*[-_])?(?:dependencies|requires|requirements)|dependency-groups")
_MAX_NODES = 1_000_000  # a parsed document has at most as many values as characters


def pyproject_facts(text: str, screen: Callable[[str], bool] | None = None,
                    ) -> list[Fact] | None:
    """Every requirement list, and the tasks of the tools that run them (tox, Hatch, Poe,
    PDM, Rye, taskipy, pixi)."""
    data = _toml(text)
    if data is None:
        return None
    lines = _toml_lines(text)
    facts = _requirements_of(data, lines)
    tool = data.get("tool")
    if isinstance(tool, dict):
        facts.extend(task_table_facts(tool, lines, screen))
        tox = tool.get("tox")
        if isinstance(tox, dict):
            facts.extend(_tox_table_facts(tox, lines, screen))
    facts.sort(key=lambda f: f.line)
    return facts


def _requirements_of(data: dict[str, object], lines: dict[str, int]) -> list[Fact]:
    facts: list[Fact] = []
    stack: list[tuple[str, object, bool]] = [("", data, False)]
    seen = 0
    while stack and seen < _MAX_NODES:
        key, node, requiring = stack.pop()
        seen += 1
        if isinstance(node, dict):
            for name, item in node.items():
                inner = requiring or bool(_REQUIRING.fullmatch(str(name).casefold()))
                if requiring and _REQUIRING.fullmatch(key) and not isinstance(item, list):
                    # Poetry's `name = "^1"` or `name = {version = ...}`.
                    facts.append(package_fact("pypi", name, lines.get(name, 1),
                                              f"{key}: {name}"))
                stack.append((str(name).casefold(), item, inner))
        elif isinstance(node, list):
            stack.extend((key, item, requiring) for item in node)
        elif isinstance(node, str) and requiring:
            facts.append(package_fact("pypi", node, lines.get(node, 1), f"{key}: {node}"))
    return facts


# The task tables of pyproject's tools, each task a command line (a string), a list of
# them, or a table whose `cmd`/`shell`/`run` holds one (a list there: one command's
# words): `[tool.poe.tasks]`, `[tool.pdm.scripts]`, `[tool.hatch.envs.NAME.scripts]`...
_TASK_TABLES = (("poe", "tasks"), ("pdm", "scripts"), ("rye", "scripts"), ("taskipy", "tasks"),
                ("pixi", "tasks"), ("pixi", "feature", "*", "tasks"), ("pixi", "target", "*",
                "tasks"), ("hatch", "envs", "*", "scripts"), ("uv", "scripts"))
_TASK_KEYS = ("cmd", "shell", "run", "command", "cmds")


def task_table_facts(tool: dict[str, object], lines: dict[str, int],
                     screen: Callable[[str], bool] | None, prefix: str = "tool.",
                     ) -> list[Fact]:
    """What the task tables of `tool` (pyproject's [tool], or a pixi.toml) run."""
    facts: list[Fact] = []
    for path in _TASK_TABLES:
        for where, table in _tables_at(tool, path, prefix):
            for name, task in table.items():
                facts.extend(_task_facts(f"{where}.{name}", task, lines, screen))
    return facts


def _tables_at(node: object, path: tuple[str, ...], where: str,
               ) -> Iterator[tuple[str, dict[str, object]]]:
    if not path:
        if isinstance(node, dict):
            yield where.rstrip("."), node
        return
    if not isinstance(node, dict):
        return
    keys = list(node) if path[0] == "*" else [path[0]] if path[0] in node else []
    for key in keys:
        yield from _tables_at(node[key], path[1:], f"{where}{key}.")


def _task_facts(key: str, task: object, lines: dict[str, int],
                screen: Callable[[str], bool] | None) -> list[Fact]:
    if isinstance(task, dict):
        body = next((task[k] for k in _TASK_KEYS if k in task), None)
        if isinstance(body, list) and all(isinstance(w, str) for w in body):
            return argv_facts(key, list(body), lines.get(body[0], 1) if body else 1)
        task = body
    scripts = task if isinstance(task, list) else [task]
    return [fact for script in scripts if isinstance(script, str)
            for fact in script_facts(key, script, lines.get(script, 1), screen)]


def _tox_table_facts(tox: dict[str, object], lines: dict[str, int],
                     screen: Callable[[str], bool] | None) -> list[Fact]:
    """tox's configuration in TOML: a `legacy_tox_ini` string read as tox.ini, and tox 4's
    environments (`env_run_base`, `env.NAME`): `commands` as argument lists, `deps`
    installed by pip."""
    from ai_clearance.detect.setups import runner_facts

    facts: list[Fact] = []
    legacy = tox.get("legacy_tox_ini")
    if isinstance(legacy, str):
        start = lines.get("legacy_tox_ini", 1)  # its text starts on the next line
        facts.extend(replace(fact, line=fact.line + start)
                     for fact in runner_facts("tox", legacy, screen or (lambda _: True)))
    envs = tox.get("env")
    tables = [tox.get("env_run_base"), *(envs.values() if isinstance(envs, dict) else ())]
    for env in tables:
        if not isinstance(env, dict):
            continue
        for key in ("commands_pre", "commands", "commands_post"):
            for command in env.get(key, []) if isinstance(env.get(key), list) else []:
                words = [w for w in command if isinstance(w, str)] \
                    if isinstance(command, list) else []
                if words:
                    facts.extend(argv_facts(key, words, lines.get(words[0], 1)))
        for dep in env.get("deps", []) if isinstance(env.get("deps"), list) else []:
            if isinstance(dep, str):
                facts.extend(argv_facts("deps", ["pip", "install", dep], lines.get(dep, 1)))
    return facts


def tox_toml_facts(text: str, screen: Callable[[str], bool] | None = None,
                   ) -> list[Fact] | None:
    """tox.toml: tox's TOML configuration at the top level."""
    data = _toml(text)
    if data is None:
        return None
    facts = _tox_table_facts(data, _toml_lines(text), screen)
    facts.sort(key=lambda f: f.line)
    return facts


def pixi_facts(text: str, screen: Callable[[str], bool] | None = None) -> list[Fact] | None:
    """pixi.toml: its dependency tables (conda and PyPI names, compared as PyPI names),
    those of its features and targets, and its tasks."""
    data = _toml(text)
    if data is None:
        return None
    lines = _toml_lines(text)
    facts = _requirements_of(data, lines)
    facts.extend(task_table_facts({"pixi": data}, lines, screen, ""))
    facts.sort(key=lambda f: f.line)
    return facts


_BARE_KEY = re.compile(r"[ \t]*([A-Za-z0-9_-]+)[ \t]*=", re.MULTILINE)


def _toml(text: str) -> dict[str, object] | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None


# Pipfile tables that are no package category.
_PIPFILE_OTHER = frozenset({"source", "requires", "scripts", "pipenv"})


def pipfile_facts(text: str, screen: Callable[[str], bool] | None = None,
                  ) -> list[Fact] | None:
    """A Pipfile: the keys of its package categories ([packages], [dev-packages], any
    other), and its [scripts] (run by `pipenv run`, a command line each)."""
    data = _toml(text)
    if data is None:
        return None
    lines = _toml_lines(text)
    facts: list[Fact] = []
    for section, table in data.items():
        if not isinstance(table, dict):
            continue
        if section.casefold() == "scripts":
            for name, body in table.items():
                for script in body if isinstance(body, list) else [body]:
                    if isinstance(script, str):
                        facts.extend(script_facts(f"scripts.{name}", script,
                                                  lines.get(script, 1), screen))
        elif section.casefold() not in _PIPFILE_OTHER:
            facts.extend(package_fact("pypi", name, lines.get(name, 1), f"{section}: {name}")
                         for name in table)
    facts.sort(key=lambda f: f.line)
    return facts


def mise_facts(text: str, screen: Callable[[str], bool] | None = None) -> list[Fact] | None:
    """mise.toml: each [tools] entry as `mise use BACKEND:TOOL` (launchers.py reads what
    that installs), and the commands of [tasks] (`run`, a string or a list) and [hooks]."""
    data = _toml(text)
    if data is None:
        return None
    lines = _toml_lines(text)
    facts: list[Fact] = []
    tools = data.get("tools")
    if isinstance(tools, dict):
        for tool in tools:
            facts.extend(argv_facts("tools", ["mise", "use", tool], lines.get(tool, 1)))
    tasks = data.get("tasks")
    for name, task in tasks.items() if isinstance(tasks, dict) else ():
        bodies = task.get("run", []) if isinstance(task, dict) else task
        for script in bodies if isinstance(bodies, list) else [bodies]:
            if isinstance(script, str):
                facts.extend(script_facts(f"tasks.{name}", script, lines.get(script, 1),
                                          screen))
    hooks = data.get("hooks")
    for name, body in hooks.items() if isinstance(hooks, dict) else ():
        for script in body if isinstance(body, list) else [body]:
            if isinstance(script, str):
                facts.extend(script_facts(f"hooks.{name}", script, lines.get(script, 1),
                                          screen))
    facts.sort(key=lambda f: f.line)
    return facts


# setup.cfg: the keys whose value lists requirements, one a line (a dangling list).
_SETUP_KEYS = frozenset({"install_requires", "setup_requires", "tests_require"})
_SETUP_KEY = re.compile(r"([A-Za-z0-9_.-]+)\s*[=:](.*)")


def setup_cfg_facts(text: str) -> list[Fact]:
    """setup.cfg's `[options]` install_requires, setup_requires and tests_require and
    every key of `[options.extras_require]`: the requirement on the key's line and on
    each indented line after it."""
    facts: list[Fact] = []
    section, requiring = "", False
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if line[:1] in (" ", "\t"):
            if requiring:
                facts.extend(requirement_facts(stripped, number))
            continue
        if stripped.startswith("["):
            section, requiring = stripped.strip("[] \t").casefold(), False
            continue
        key = _SETUP_KEY.match(stripped)
        name = key.group(1).casefold().replace("-", "_") if key else ""
        requiring = (section == "options" and name in _SETUP_KEYS) or \
            section == "options.extras_require"
        if requiring and key is not None:
            facts.extend(requirement_facts(key.group(2), number))
    return facts


def conda_facts(data: bytes) -> list[Fact] | None:
    """A conda environment.yml: its `dependencies` (conda packages, compared as PyPI
    names: conda-forge packages Python tools under the same name) and their `pip:` list."""
    from ai_clearance.detect.devtools import mapping_items, scalar_texts, sequence_items, yaml_root

    root = yaml_root(data)
    if root is None:
        return None
    facts: list[Fact] = []
    for key, value in mapping_items(root):
        if key != "dependencies":
            continue
        for item in sequence_items(value):
            for line, text in scalar_texts(item):
                name = text.rpartition("::")[2]  # a channel's `conda-forge::name`
                facts.extend(requirement_facts(name, line))
            for manager, listed in mapping_items(item):
                if manager == "pip":
                    for line, text in scalar_texts(listed):
                        facts.extend(requirement_facts(text, line))
    facts.sort(key=lambda f: f.line)
    return facts


def _toml_lines(text: str) -> dict[str, int]:
    """Where each string literal and each bare key first occurs (1-based lines)."""
    lines = first_lines(item for run in string_runs(text, "#") for item in run)
    number, counted = 1, 0
    for found in _BARE_KEY.finditer(text):
        number += text.count("\n", counted, found.start())
        counted = found.start()
        lines.setdefault(found.group(1), number)
    return lines


def package_list_facts(installer: str, text: str) -> Iterator[Fact]:
    """A file of package names a command line gives `installer` (`npm i -g $(cat x)`):
    each line's words, comments left out, as `INSTALLER install WORDS`."""
    for number, line in enumerate(text.split("\n"), start=1):
        words = [w for w in line.partition("#")[0].split() if not w.startswith("-")]
        if words:
            yield from argv_facts("list", [installer, "install", *words], number)


_EGG = re.compile(r"[#&]egg=([A-Za-z0-9._-]+)")


def requirement_facts(line: str, number: int) -> Iterator[Fact]:
    """The project one line of a requirements file names: `name[extra]==1`, `name @ URL`,
    or the `#egg=name` of an editable or URL requirement."""
    text = line.strip()
    egg = _EGG.search(text)
    if egg is not None:
        yield package_fact("pypi", egg.group(1), number, text)
        return
    text = text.partition(" #")[0].strip()
    if text.startswith(("-", "#")) or "://" in text.partition("@")[0]:
        return  # options (-r, -c, --index-url), comments, bare URLs
    if text:
        yield package_fact("pypi", text, number, text)
