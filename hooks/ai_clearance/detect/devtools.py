"""Developer tool files that run commands on every developer's machine, read for those
commands (each a shell command line, as the tool runs it): lint-staged and simple-git-hooks
configurations (`.lintstagedrc*`, `.simple-git-hooks.json`, husky v4's `.huskyrc`), VS Code
tasks (`.vscode/tasks.json`: a task's command with its args), and Gitpod's `.gitpod.yml`
(each task's before, init, prebuild and command; its image). JSON is read as JSON with
comments, YAML as node graphs walked a fixed few levels deep, so an alias costs one node."""

from __future__ import annotations

import shlex

from ai_clearance.detect.jsonc import Pairs, load_jsonc
from ai_clearance.detect.literals import string_runs
from ai_clearance.detect.setups import first_lines, image_fact, script_facts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from yaml import Node

    from ai_clearance.detect.workflows import Fact

_GITPOD_KEYS = ("before", "init", "prebuild", "command")


def devtool_facts(kind: str, text: str, data: bytes, screen: Callable[[str], bool] | None,
                  ) -> list[Fact] | None:
    """What a file read as `kind` ("hookmap", "vscodetasks", "gitpod") runs."""
    if kind == "gitpod":
        return gitpod_facts(data, screen)
    if kind == "vscodetasks":
        return vscode_task_facts(text, screen)
    return hook_map_facts(text, data, screen)


def hook_map_facts(text: str, data: bytes, screen: Callable[[str], bool] | None,
                   ) -> list[Fact] | None:
    """A mapping of names (globs, hook names) to commands, a command being a string or a
    list of them: lint-staged, simple-git-hooks; husky v4's `{"hooks": {...}}` too. JSON
    first, then YAML (lint-staged reads both); None when it is neither."""
    parsed = load_jsonc(text)
    if isinstance(parsed, Pairs):
        return json_hook_facts("", parsed, first_lines(
            item for run in string_runs(text, "/") for item in run), screen)
    root = yaml_root(data)
    if root is None:
        return None
    facts: list[Fact] = []
    for name, value in mapping_items(root):
        inner = mapping_items(value) if name == "hooks" else []
        for hook, command in inner or [(name, value)]:
            for line, script in scalar_texts(command):
                facts.extend(script_facts(hook, script, line, screen))
    facts.sort(key=lambda f: f.line)
    return facts


def json_hook_facts(prefix: str, table: Pairs, lines: dict[str, int],
                    screen: Callable[[str], bool] | None) -> list[Fact]:
    """The commands of a JSON mapping of names to a command or a list of commands (and of
    its `hooks` mapping, husky v4's form)."""
    facts: list[Fact] = []
    for name, values in table.items():
        for value in values:
            if name == "hooks" and isinstance(value, Pairs):
                facts.extend(json_hook_facts(f"{prefix}hooks.", value, lines, screen))
                continue
            commands = value if isinstance(value, list) else [value]
            for command in commands:
                if isinstance(command, str):
                    facts.extend(script_facts(f"{prefix}{name}", command,
                                              lines.get(command, 1), screen))
    return facts


def vscode_task_facts(text: str, screen: Callable[[str], bool] | None) -> list[Fact] | None:
    """VS Code tasks (tasks.json): each task's `command` with its `args` (quoted as the
    editor quotes them for a shell), and the same under `windows`, `linux` and `osx`."""
    data = load_jsonc(text)
    if not isinstance(data, Pairs):
        return None
    lines = first_lines(item for run in string_runs(text, "/") for item in run)
    facts: list[Fact] = []
    tasks = [t for listed in data.get("tasks", []) if isinstance(listed, list) for t in listed]
    for task in [data, *tasks]:
        if not isinstance(task, Pairs):
            continue
        variants = [task, *(v for key in ("windows", "linux", "osx")
                            for v in task.get(key, []) if isinstance(v, Pairs))]
        for variant in variants:
            facts.extend(_task_facts(variant, lines, screen))
    facts.sort(key=lambda f: f.line)
    return facts


def _task_facts(task: Pairs, lines: dict[str, int], screen: Callable[[str], bool] | None,
                ) -> list[Fact]:
    args = [_argument(a) for listed in task.get("args", []) if isinstance(listed, list)
            for a in listed]
    words = [shlex.quote(a) for a in args if a is not None]
    facts: list[Fact] = []
    for command in task.get("command", []):
        text = _argument(command)
        if text is not None:
            script = " ".join([text, *words])
            facts.extend(script_facts("command", script, lines.get(text, 1), screen))
    return facts


def _argument(value: object) -> str | None:
    """A task's command or argument: a string, or `{"value": ..., "quoting": ...}`."""
    if isinstance(value, str):
        return value
    if isinstance(value, Pairs):
        found = [v for v in value.get("value", []) if isinstance(v, str)]
        return found[0] if found else None
    return None


def gitpod_facts(data: bytes, screen: Callable[[str], bool] | None) -> list[Fact] | None:
    """.gitpod.yml: each task's scripts, and the workspace image when it is named."""
    root = yaml_root(data)
    if root is None:
        return None
    facts: list[Fact] = []
    for key, value in mapping_items(root):
        if key == "image":
            facts.extend(image_fact("image", text, line) for line, text in scalar_texts(value))
        if key != "tasks":
            continue
        for task in sequence_items(value):
            for name, item in mapping_items(task):
                if name in _GITPOD_KEYS:
                    for line, script in scalar_texts(item):
                        facts.extend(script_facts(f"tasks.{name}", script, line, screen))
    facts.sort(key=lambda f: f.line)
    return facts


# ------------------------------------------------------------------------------ YAML nodes
def yaml_root(data: bytes) -> Node | None:
    """The first document of `data` as a node graph; None when it is not YAML."""
    from ai_clearance.detect.workflows import compose

    roots = compose(data)
    return None if roots is None else (roots[0] if roots else None)


def mapping_items(node: object) -> list[tuple[str, Node]]:
    """A mapping node's (folded scalar key, value node) pairs; none for another node."""
    from yaml import MappingNode, ScalarNode

    if not isinstance(node, MappingNode):
        return []
    return [(key.value.casefold(), value) for key, value in node.value
            if isinstance(key, ScalarNode)]


def sequence_items(node: object) -> list[Node]:
    from yaml import SequenceNode

    return list(node.value) if isinstance(node, SequenceNode) else []


def scalar_texts(node: object) -> list[tuple[int, str]]:
    """(1-based line, text) of a scalar, or of each scalar of a sequence."""
    from yaml import ScalarNode

    items: list[object] = [*sequence_items(node)] or [node]
    return [(item.start_mark.line + 1, str(item.value)) for item in items
            if isinstance(item, ScalarNode)]
