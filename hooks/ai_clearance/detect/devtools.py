"""Developer tool files that run commands on every developer's machine, read for those
commands (each a shell command line, as the tool runs it): lint-staged and simple-git-hooks
configurations (`.lintstagedrc*`, `.simple-git-hooks.json`, husky v4's `.huskyrc`), VS Code
tasks (`.vscode/tasks.json`: a task's command with its args; a `.code-workspace` file's
`tasks`), Zed tasks, overcommit's hooks, Gitpod's `.gitpod.yml` (each task's before, init,
prebuild and command; its image), Firebase Studio's `.idx/dev.nix` and Replit's `.replit`.
Git hooks under any folder (by their names), lefthook's script folders and direnv's `.envrc`
are shell. JSON is read as JSON with comments, YAML as node graphs walked a fixed few levels
deep, so an alias costs one node."""

from __future__ import annotations

import re
import shlex
from bisect import bisect_left

from ai_clearance.detect.jsonc import Pairs, load_jsonc
from ai_clearance.detect.literals import string_runs
from ai_clearance.detect.setups import argv_facts, first_lines, image_fact, script_facts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from yaml import Node

    from ai_clearance.detect.workflows import Fact

_GITPOD_KEYS = ("before", "init", "prebuild", "command")
KINDS = frozenset({"hookmap", "vscodetasks", "gitpod", "codeworkspace", "zedtasks",
                   "overcommit", "nix", "replit", "devbox"})
_SHELL = frozenset({"shell"})
# The hooks git runs, by their file names: a hooks folder of any name is one that
# `git config core.hooksPath` points at (`update` is left out: too common a script name).
_GIT_HOOKS = frozenset({
    "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit",
    "prepare-commit-msg", "commit-msg", "post-commit", "pre-rebase", "post-checkout",
    "post-merge", "pre-push", "pre-receive", "proc-receive", "post-receive", "post-update",
    "reference-transaction", "push-to-checkout", "pre-auto-gc", "post-rewrite",
    "sendemail-validate", "post-index-change"})
_BY_NAME = {".envrc": _SHELL, ".overcommit.yml": frozenset({"overcommit"}),
            ".overcommit.yaml": frozenset({"overcommit"}), ".replit": frozenset({"replit"}),
            "replit.nix": frozenset({"nix"}), "devenv.nix": frozenset({"nix"}),
            "devbox.json": frozenset({"devbox"})}
_IN_FOLDER = {(".zed", "tasks.json"): frozenset({"zedtasks"}),
              (".idx", "dev.nix"): frozenset({"nix"})}


def devtool_readings(folder: str, name: str) -> frozenset[str]:
    """How a file at folded `folder`/`name` is read here (none: not here): git hooks by
    their names, lefthook's script folders (`.lefthook/pre-commit/*`) and `.envrc` as
    shell; the tool files of KINDS."""
    if name in _GIT_HOOKS:
        return _SHELL
    by_name = _BY_NAME.get(name) or _IN_FOLDER.get((folder.rpartition("/")[2], name))
    if by_name is not None:
        return by_name
    if name.endswith(".code-workspace"):
        return frozenset({"codeworkspace"})
    inside = f"/{folder}/"
    if "." not in name and ("/.lefthook/" in inside or "/.lefthook-local/" in inside):
        return _SHELL
    return frozenset()


def devtool_facts(kind: str, text: str, data: bytes, screen: Callable[[str], bool] | None,
                  ) -> list[Fact] | None:
    """What a file read as one of KINDS runs."""
    if kind == "codeworkspace":
        from ai_clearance.detect.devcontainers import recommendation_facts

        tasks = vscode_task_facts(text, screen, kind)
        return None if tasks is None else [*tasks, *(recommendation_facts(text, "extensions")
                                                     or ())]
    if kind in ("vscodetasks", "zedtasks"):
        return vscode_task_facts(text, screen, kind)
    if kind in ("gitpod", "overcommit"):
        return (gitpod_facts if kind == "gitpod" else overcommit_facts)(data, screen)
    if kind in ("nix", "replit", "devbox"):
        return _TEXT_READERS[kind](text, screen)
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


def vscode_task_facts(text: str, screen: Callable[[str], bool] | None,
                      kind: str = "vscodetasks") -> list[Fact] | None:
    """VS Code tasks (tasks.json, or a `.code-workspace` file's `tasks`) and Zed's (a list
    of tasks): each task's `command` with its `args` (quoted as the editor quotes them for
    a shell), and the same under `windows`, `linux` and `osx`."""
    data = load_jsonc(text)
    if kind == "codeworkspace" and isinstance(data, Pairs):
        data = next((t for t in data.get("tasks", []) if isinstance(t, Pairs)), Pairs())
    if kind == "zedtasks" and isinstance(data, list):
        tasks = [t for t in data if isinstance(t, Pairs)]
        data = Pairs()
    elif isinstance(data, Pairs):
        tasks = [t for listed in data.get("tasks", []) if isinstance(listed, list)
                 for t in listed]
    else:
        return None
    lines = first_lines(item for run in string_runs(text, "/") for item in run)
    facts: list[Fact] = []
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


def overcommit_facts(data: bytes, screen: Callable[[str], bool] | None) -> list[Fact] | None:
    """overcommit (.overcommit.yml): each hook's `command` (a list of words or a command
    line) with its `flags`, under each hook type (PreCommit, PrePush, CommitMsg...)."""
    root = yaml_root(data)
    if root is None:
        return None
    facts: list[Fact] = []
    for hook_type, hooks in mapping_items(root):
        for name, hook in mapping_items(hooks):
            fields = dict(mapping_items(hook))
            command = fields.get("command")
            if command is None:
                continue
            texts = scalar_texts(command)
            flags = [t for _, t in scalar_texts(fields["flags"])] if "flags" in fields else []
            key = f"{hook_type}.{name}.command"
            if sequence_items(command):
                facts.extend(argv_facts(key, [t for _, t in texts] + flags, texts[0][0])
                             if texts else [])
            else:
                facts.extend(f for line, t in texts
                             for f in script_facts(key, " ".join([t, *flags]), line, screen))
    facts.sort(key=lambda f: f.line)
    return facts


# Nix: a comment, or the start of a string: "..." (backslash escapes) or ''...'' (indented,
# where '' escapes a quote, $ or a backslash). Bodies are read by patterns that never
# backtrack, and a string left open ends the scan: linear in the file.
_NIX_NEXT = re.compile(r"#|\"|''")
_NIX_DOUBLE = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
_NIX_INDENTED = re.compile(r"[^']*(?:(?:'(?!')|''['$\\])[^']*)*")
_NIX_PACKAGE = re.compile(r"\bpkgs\.([A-Za-z_][\w\-']*)")


def nix_strings(text: str) -> list[tuple[int, str]]:
    """The (offset, body) of each string of Nix `text`, comments left out."""
    found: list[tuple[int, str]] = []
    at = 0
    while (opened := _NIX_NEXT.search(text, at)) is not None:
        if opened.group() == "#":
            at = text.find("\n", opened.end())
            if at < 0:
                break
            continue
        body_pattern = _NIX_DOUBLE if opened.group() == '"' else _NIX_INDENTED
        body = body_pattern.match(text, opened.end())
        assert body is not None  # both patterns match the empty string
        found.append((opened.start(), body.group()))
        at = body.end() + len(opened.group())
    return found


def nix_facts(text: str, screen: Callable[[str], bool] | None) -> list[Fact]:
    """Firebase Studio's `.idx/dev.nix` and Replit's `replit.nix`: each string a shell
    command line (idx.workspace.onCreate/onStart, previews' commands) and each `pkgs.NAME`
    a nixpkgs package installed."""
    from ai_clearance.detect.workflows import Fact

    breaks = [k for k, c in enumerate(text) if c == "\n"] if "\n" in text else []
    facts: list[Fact] = []
    for offset, body in nix_strings(text):
        line = bisect_left(breaks, offset) + 1
        facts.extend(script_facts("dev.nix", body, line, screen))
    for found in _NIX_PACKAGE.finditer(text):
        line = bisect_left(breaks, found.start()) + 1
        facts.append(Fact("command", ("nix", "install", found.group(1)), line,
                          f"dev.nix: pkgs.{found.group(1)}"))
    facts.sort(key=lambda f: f.line)
    return facts


def devbox_facts(text: str, screen: Callable[[str], bool] | None) -> list[Fact] | None:
    """devbox.json: its `packages` (a list or a map of nixpkgs names, `@version` after
    them) as nix installs, and `shell.init_hook` and `shell.scripts` (a command line or a
    list of them) as shell."""
    from ai_clearance.detect.workflows import Fact

    data = load_jsonc(text)
    if not isinstance(data, Pairs):
        return None
    lines = first_lines(item for run in string_runs(text, "/") for item in run)
    facts: list[Fact] = []
    for packages in data.get("packages", []):
        names = list(packages) if isinstance(packages, (list, Pairs)) else []
        for name in names:
            if isinstance(name, str):
                package = name.rpartition("@")[0] if name.rfind("@") > 0 else name
                facts.append(Fact("command", ("nix", "install", package.rpartition("#")[2]),
                                  lines.get(name, 1), f"packages: {name}"))
    for shell in data.get("shell", []):
        if not isinstance(shell, Pairs):
            continue
        hooks = [("init_hook", v) for v in shell.get("init_hook", [])]
        hooks += [(f"scripts.{k}", v) for scripts in shell.get("scripts", [])
                  if isinstance(scripts, Pairs) for k, vs in scripts.items() for v in vs]
        for key, value in hooks:
            for script in value if isinstance(value, list) else [value]:
                if isinstance(script, str):
                    facts.extend(script_facts(key, script, lines.get(script, 1), screen))
    facts.sort(key=lambda f: f.line)
    return facts


_REPLIT_KEYS = frozenset({"run", "onboot", "build", "compile"})
_REPLIT_DEPTH = 4


def replit_facts(text: str, screen: Callable[[str], bool] | None) -> list[Fact] | None:
    """Replit's `.replit` (TOML): `run`, `onBoot`, `build` and `compile` at any of its
    first levels ([deployment], [interpreter]), a command line or a list of words, and
    the `args` of a workflow's `shell.exec` task."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    lines = first_lines(item for run in string_runs(text, "#") for item in run)
    facts: list[Fact] = []
    tables: list[tuple[dict[str, object], int]] = [(data, 0)]
    while tables:
        table, depth = tables.pop()
        shell_exec = table.get("task") == "shell.exec"
        for key, value in table.items():
            if key.casefold() in _REPLIT_KEYS or (shell_exec and key == "args"):
                facts.extend(_replit_command(key, value, lines, screen))
            if depth < _REPLIT_DEPTH:
                items = value if isinstance(value, list) else [value]
                tables.extend((v, depth + 1) for v in items if isinstance(v, dict))
    facts.sort(key=lambda f: f.line)
    return facts


def _replit_command(key: str, value: object, lines: dict[str, int],
                    screen: Callable[[str], bool] | None) -> list[Fact]:
    if isinstance(value, str):
        return script_facts(key, value, lines.get(value, 1), screen)
    words = [w for w in value if isinstance(w, str)] if isinstance(value, list) else []
    return argv_facts(key, words, lines.get(words[0], 1)) if words else []


_TEXT_READERS: dict[str, Callable[[str, Callable[[str], bool] | None], list[Fact] | None]] = {
    "nix": nix_facts, "replit": replit_facts, "devbox": devbox_facts}


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
