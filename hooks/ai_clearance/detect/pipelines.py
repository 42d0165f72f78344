"""YAML files of CI systems other than GitHub's and of pre-commit, read for what their
workflow reading (workflows.py, which reads them too) does not know: GitLab's
`before_script` and `after_script`, Azure's `bash`, `pwsh` and `powershell` steps,
`services` and an `image` written as a mapping (`{name: ...}`), Bitbucket's `pipe`s
(images), GitLab's `include` of a component or project; and pre-commit's hooks: the
command of `entry` with its `args` (`language: docker_image` runs the entry's image), the
`additional_dependencies` it installs, and a hook `repo` on GitHub (compared with the
actions a rule lists). The CI systems of cisystems.py are read by their row's keys, Compose
files by their services (`_compose_facts`), and the files a GitLab or Compose file pulls
in (`included_files`) are named for reach.py to follow. A CI file that is not YAML gives
nothing here: its workflow reading judges it line by line; a pre-commit file is then
judged line by line (its `entry:` lines as commands, its literals as package names)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from ai_clearance.detect.cisystems import BY_KIND, CiSystem
from ai_clearance.detect.setups import (
    argv_facts,
    image_fact,
    package_fact,
    script_facts,
    uses_fact,
)
from ai_clearance.detect.shell import shell_commands

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from yaml import Node

    from ai_clearance.detect.workflows import Fact

# `script` again: GitLab nests its lists (`!reference`), which the workflow reading skips.
_SCRIPTS = frozenset({"script", "before_script", "after_script", "bash", "pwsh", "powershell",
                      # Travis CI
                      "install", "before_install", "after_success", "after_failure",
                      "before_deploy", "after_deploy", "before_cache",
                      # Woodpecker
                      "commands", "entrypoint",
                      # AppVeyor (its items may be `- ps: x`, `- cmd: x`, `- sh: x`)
                      "init", "build_script", "test_script", "deploy_script",
                      "before_build", "after_build", "before_test", "after_test",
                      "on_success", "on_failure", "on_finish", "ps", "cmd", "sh"})
# A Taskfile's commands (`cmds: [x, {cmd: y}]`, a dynamic variable's `sh:`).
_TASK_SCRIPTS = frozenset({"cmds", "cmd", "sh"})
# A Compose service's command, as a string (a shell reads it here) or a list of words.
_COMPOSE_COMMANDS = frozenset({"command", "entrypoint"})
_IMAGES = frozenset({"image", "services", "pipe"})
_GITHUB = ("https://github.com/", "http://github.com/", "git@github.com:", "github.com/")


def yaml_facts(kind: str, data: bytes, screen: Callable[[str], bool] | None = None,
               ) -> list[Fact] | None:
    """What a CI ("pipeline") file runs beyond its workflow reading (nothing when it is
    not YAML), or what a pre-commit ("precommit") file runs (None when it is not YAML)."""
    roots = _compose(data)
    if roots is None:
        return [] if kind in BY_KIND else None
    if kind in ("taskfile", "compose"):
        return _other_facts(kind, roots, screen)
    if kind != "pipeline" and kind in BY_KIND:
        return _system_facts(BY_KIND[kind], roots, screen)
    return _pipeline_facts(kind, roots, screen)


def _pipeline_facts(kind: str, roots: list[Node], screen: Callable[[str], bool] | None,
                    ) -> list[Fact]:
    """The older CI systems' keys (`_SCRIPTS`, `_IMAGES`, GitLab's `include`), or a
    pre-commit file's hooks."""
    facts: list[Fact] = []
    for mapping in _mappings(roots):
        pairs = _pairs(mapping)
        for key, node in pairs.items():
            if key in _SCRIPTS:
                for item in _scalars(node):
                    facts.extend(script_facts(key, item.value, _line(item), screen))
            elif key in _IMAGES:
                facts.extend(image_fact(key, ref.value, _line(ref)) for ref in _images(node))
            elif key == "include" and kind == "pipeline":
                facts.extend(_include_facts(node))
        if kind == "precommit":
            facts.extend(_hook_facts(pairs))
    facts.sort(key=lambda f: f.line)
    return facts


def _other_facts(kind: str, roots: list[Node], screen: Callable[[str], bool] | None,
                 ) -> list[Fact]:
    """A Taskfile's commands; a Compose file's images and commands."""
    facts: list[Fact] = []
    for mapping in _mappings(roots):
        for key, node in _pairs(mapping).items():
            if kind == "taskfile" and key in _TASK_SCRIPTS:
                facts.extend(_script_node_facts(key, node, screen))
            elif kind == "compose":
                facts.extend(_compose_facts(key, node, screen))
    facts.sort(key=lambda f: f.line)
    return facts


def _compose_facts(key: str, node: Node, screen: Callable[[str], bool] | None,
                   ) -> Iterator[Fact]:
    """A Compose service's `image` (with the defaults of its `${VAR:-x}`), `command` and
    `entrypoint` (a string a shell reads, or a list of words; `post_start` hooks' too), a
    healthcheck's `test` (`[CMD, x...]`, `[CMD-SHELL, x]` or a string) and the Dockerfile of
    a `build.dockerfile_inline`."""
    from yaml import ScalarNode

    if key == "image":
        for ref in _images(node):
            for value in _interpolations(ref.value):
                yield image_fact(key, value, _line(ref))
    elif key in _COMPOSE_COMMANDS:
        yield from _words_facts(key, node, screen)
    elif key == "test":
        yield from _healthcheck_facts(key, node, screen)
    elif key == "dockerfile_inline" and isinstance(node, ScalarNode):
        from ai_clearance.detect.workflows import dockerfile_facts

        for fact in dockerfile_facts(node.value, screen or _everything):
            yield replace(fact, line=fact.line + _line(node) - 1)


def _healthcheck_facts(key: str, node: Node, screen: Callable[[str], bool] | None,
                       ) -> list[Fact]:
    """A healthcheck's `test`: `[CMD, x...]` (words), `[CMD-SHELL, x]` or a string (a
    shell's script); `[NONE]` runs nothing."""
    from yaml import SequenceNode

    if not isinstance(node, SequenceNode):
        return _script_node_facts(key, node, screen)
    words = [item.value for item in _scalars(node)]
    form = words[0].upper() if words else ""
    if form == "CMD-SHELL":
        return [f for w in words[1:] for f in script_facts(key, w, _line(node), screen)]
    return argv_facts(key, words[1:], _line(node)) if form == "CMD" and words[1:] else []


def _everything(_: str) -> bool:
    return True


# Compose's interpolation with a default or an alternative: `${VAR:-x}`, `${VAR-x}`,
# `${VAR:+x}`, `${VAR+x}` (the value when the variable is unset, or set).
_DEFAULT = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?[-+]([^{}$]*)\}")


def _interpolations(value: str) -> list[str]:
    """`value`, and, when it interpolates a variable with a default, that default put in."""
    if "${" not in value:
        return [value]
    return list(dict.fromkeys((value, _DEFAULT.sub(r"\1", value))))


def _system_facts(system: CiSystem, roots: list[Node], screen: Callable[[str], bool] | None,
                  ) -> list[Fact]:
    """What a file of a CI system of its own row (cisystems.py) runs: the scripts, words
    and images its keys hold."""
    facts: list[Fact] = []
    for mapping in _mappings(roots):
        pairs = _pairs(mapping)
        for key, node in pairs.items():
            if key in system.scripts or (system.script_suffix
                                         and key.endswith(system.script_suffix)):
                facts.extend(_script_node_facts(key, node, screen))
            elif key in system.argv:
                facts.extend(_words_facts(key, node, screen))
            elif key in system.images:
                facts.extend(image_fact(key, ref.value, _line(ref)) for ref in _images(node))
            elif key in system.named_scripts:
                facts.extend(_named_script_facts(key, node, screen))
        if system.steps is not None:
            facts.extend(_step_facts(system.steps, pairs))
    facts.sort(key=lambda f: f.line)
    return facts


def _script_node_facts(key: str, node: Node, screen: Callable[[str], bool] | None,
                       ) -> list[Fact]:
    return [fact for item in _scalars(node)
            for fact in script_facts(key, item.value, _line(item), screen)]


def _words_facts(key: str, node: Node, screen: Callable[[str], bool] | None) -> list[Fact]:
    """A list is one command's words; a string, a script."""
    from yaml import SequenceNode

    if not isinstance(node, SequenceNode):
        return _script_node_facts(key, node, screen)
    words = [item.value for item in _scalars(node)]
    return argv_facts(key, words, _line(node)) if words else []


def _named_script_facts(key: str, node: Node, screen: Callable[[str], bool] | None,
                        ) -> Iterator[Fact]:
    """The scripts of `{name: script}` mappings, alone or in a list (SourceHut's `tasks`,
    Screwdriver's `steps`)."""
    from yaml import MappingNode, SequenceNode

    items = node.value if isinstance(node, SequenceNode) else [node]
    for item in items:
        if isinstance(item, MappingNode):
            for name, script in _pairs(item).items():
                yield from _script_node_facts(f"{key}: {name}", script, screen)


def _step_facts(keys: tuple[str, str, str, str], pairs: dict[str, Node]) -> Iterator[Fact]:
    """A list of steps each naming its image and the command it runs in it (Cloud Build):
    the program and its arguments, or the arguments alone (an image without an entrypoint
    runs its first), or the image's own program (`gcr.io/cloud-builders/npm`: npm)."""
    from yaml import MappingNode, ScalarNode, SequenceNode

    steps = pairs.get(keys[0])
    for step in steps.value if isinstance(steps, SequenceNode) else ():
        if not isinstance(step, MappingNode):
            continue
        fields = _pairs(step)
        image, program, args = (fields.get(k) for k in keys[1:])
        if isinstance(image, ScalarNode):
            yield image_fact(keys[1], image.value, _line(image))
        words = [item.value for item in _scalars(args)] if args is not None else []
        line = _line(step)
        if isinstance(program, ScalarNode):
            yield from argv_facts(keys[2], [program.value, *words], line)
        elif words:
            yield from argv_facts(keys[3], words, line)
            if isinstance(image, ScalarNode):
                tool = image.value.rpartition("/")[2].partition(":")[0].partition("@")[0]
                yield from argv_facts(keys[1], [tool, *words], line)


def _hook_facts(pairs: dict[str, Node]) -> Iterator[Fact]:
    from yaml import ScalarNode

    entry = pairs.get("entry")
    if isinstance(entry, ScalarNode):
        args = [a.value for a in _scalars(pairs["args"])] if "args" in pairs else []
        language = pairs.get("language")
        docker = isinstance(language, ScalarNode) and language.value == "docker_image"
        yield from _entry_facts(entry, args, docker)
    for dependency in _scalars(pairs["additional_dependencies"]) \
            if "additional_dependencies" in pairs else ():
        # The hook's language may be its repository's: read the name both ways.
        for ecosystem in ("npm", "pypi"):
            yield package_fact(ecosystem, dependency.value, _line(dependency),
                               f"additional_dependencies: {dependency.value}")
    repo = pairs.get("repo")
    if isinstance(repo, ScalarNode) and repo.value.strip().casefold().startswith(_GITHUB):
        path = repo.value.strip()
        for prefix in _GITHUB:
            if path.casefold().startswith(prefix):
                path = path[len(prefix):]
                break
        yield uses_fact("repo", path.removesuffix(".git"), _line(repo))


def _entry_facts(entry: Node, args: list[str], docker: bool) -> Iterator[Fact]:
    """pre-commit splits `entry` into words (as a shell would, without running one) and
    appends `args`; a docker_image hook's first word is its image."""
    commands = [words for _, words in shell_commands(entry.value)]
    if not commands:
        return
    commands[0] = [*commands[0], *args]
    if docker and commands[0]:
        yield image_fact("entry", commands[0][0], _line(entry))
        commands[0] = commands[0][1:]
    for words in commands:
        if words:
            yield from argv_facts("entry", words, _line(entry))


def _include_facts(node: Node) -> Iterator[Fact]:
    """GitLab's `include: component: host/group/project/name@v` and `project: group/x`."""
    from yaml import MappingNode, SequenceNode

    items = node.value if isinstance(node, SequenceNode) else [node]
    for item in items:
        if not isinstance(item, MappingNode):
            continue
        pairs = _pairs(item)
        for key in ("component", "project"):
            for ref in _scalars(pairs[key]) if key in pairs else ():
                path = ref.value.strip()
                if key == "component":
                    path = path.partition("/")[2]  # the host: GitLab.com or this instance
                yield uses_fact(f"include {key}", path, _line(ref))


_TOP_INCLUDE = re.compile(rb"""\n["']?include""")


def included_files(data: bytes) -> list[tuple[str, str]]:
    """The repository files a YAML file pulls in, each with how it is read: a GitLab CI
    file's `include:` ("pipeline": a path, `{local: path}`, or a list of them, in block or
    flow form) and a job's `trigger: include:` (a child pipeline), an Azure Pipelines
    `template: x.yml` ("pipeline"), a Compose file's `include:` (`{path: x}`, or a path
    when the file has `services`) and a service's `extends: {file: x}` ("compose"). URLs,
    projects, components, another repository's templates are no files here. Empty when the
    file is not YAML (reach.py's line reading still looks)."""
    from yaml import MappingNode

    # Only a top-level `include` counts (a workflow's matrix has its own); nested keys only
    # when their words are there: a file without any is not parsed again.
    includes = data.startswith((b"include", b'"include', b"'include")) or \
        _TOP_INCLUDE.search(data) is not None
    nested = (b"extends" in data and b"file" in data) or b"template" in data or (
        b"trigger" in data and b"include" in data)
    if not includes and not nested:
        return []
    found: list[tuple[str, str]] = []
    roots = _compose(data) or []
    for root in roots if includes else ():
        pairs = _pairs(root) if isinstance(root, MappingNode) else {}
        if "include" in pairs:
            found.extend(_includes(pairs["include"], "services" in pairs))
    for mapping in _mappings(roots) if nested else ():
        found.extend(_nested_files(_pairs(mapping)))
    return [(path.strip(), hint) for path, hint in found
            if path.strip() and "://" not in path]


def _nested_files(pairs: dict[str, Node]) -> Iterator[tuple[str, str]]:
    """What one mapping pulls in: `extends: {file}`, `trigger: {include}`, `template`."""
    from yaml import MappingNode, ScalarNode

    extends, trigger, template = (pairs.get(k) for k in ("extends", "trigger", "template"))
    if isinstance(extends, MappingNode) and "file" in _pairs(extends):
        yield from ((path.value, "compose") for path in _scalars(_pairs(extends)["file"]))
    if isinstance(trigger, MappingNode) and "include" in _pairs(trigger):
        yield from _includes(_pairs(trigger)["include"], False)
    if isinstance(template, ScalarNode) and "@" not in template.value and \
            template.value.strip().endswith((".yml", ".yaml")):
        yield template.value, "pipeline"


# Compose's COMPOSE_FILE variable: the files `docker compose` reads, separated by `:` (`;`
# on Windows), set in a command line, an `export`, a step's `env:` or a `.env` file.
_COMPOSE_FILE = re.compile(r"""COMPOSE_FILE["']?[ \t]*[:=][ \t]*["']?([^\s"'&|<>()`]+)""")


def compose_file_names(text: str, bases: tuple[str, ...],
                       ) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """The Compose files a COMPOSE_FILE setting in `text` names, as (name, "compose", the
    folders it may be from)."""
    if "COMPOSE_FILE" not in text:
        return
    for match in _COMPOSE_FILE.finditer(text):
        for name in re.split("[:;]", match.group(1)):
            if name.endswith((".yml", ".yaml")):
                yield name, "compose", bases


def include_pattern(pattern: str) -> tuple[str, re.Pattern[str]]:
    """A GitLab wildcard include (`ci/*.yml`, `ci/**/*.yml`, `**.yml`) as (the folder below
    which its files are, the expression a repository path must match): `**/` is any run of
    folders or none, `**` any characters, `*` any but `/`."""
    pattern = pattern.lstrip("/")
    folder = pattern[:pattern.find("*")].rpartition("/")[0]
    expression = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*") \
        .replace(r"\*", "[^/]*")
    return folder, re.compile(expression, re.DOTALL)


def _includes(node: Node, compose: bool) -> Iterator[tuple[str, str]]:
    from yaml import MappingNode, ScalarNode, SequenceNode

    plain = "compose" if compose else "pipeline"
    for item in node.value if isinstance(node, SequenceNode) else [node]:
        if isinstance(item, ScalarNode):
            yield item.value, plain
        elif isinstance(item, MappingNode):
            pairs = _pairs(item)
            for key, hint in (("local", "pipeline"), ("path", "compose")):
                yield from ((path.value, hint) for path in
                            (_scalars(pairs[key]) if key in pairs else ()))


def _images(node: Node) -> Iterator[Node]:
    """The image references of `image`, `services` or `pipe`: scalars, mappings (`{name:
    x}`), or a sequence of either."""
    from yaml import MappingNode, ScalarNode, SequenceNode

    items = node.value if isinstance(node, SequenceNode) else [node]
    for item in items:
        if isinstance(item, ScalarNode):
            yield item
        elif isinstance(item, MappingNode):
            name = _pairs(item).get("name")
            if isinstance(name, ScalarNode):
                yield name


# ------------------------------------------------------------------------------ YAML nodes
def _compose(data: bytes) -> list[Node] | None:
    """The documents of `data` as node graphs (no values constructed: aliases stay shared
    nodes, tags are never run); None when it is not YAML."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return [root for root in yaml.compose_all(data, Loader=loader) if root is not None]
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


def _mappings(roots: list[Node]) -> Iterator[Node]:
    """Every mapping reachable from `roots`, each once (aliases may make cycles)."""
    from yaml import MappingNode, SequenceNode

    stack = list(roots)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            yield node
            for key, item in node.value:
                stack.extend((key, item))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def _pairs(mapping: Node) -> dict[str, Node]:
    """A mapping's values by scalar key (folded); of a key written twice, the last."""
    from yaml import ScalarNode

    return {key.value.casefold(): item for key, item in mapping.value
            if isinstance(key, ScalarNode)}


def _scalars(node: Node) -> list[Node]:
    """The scalars of a value: itself, or those of its sequence (nested sequences too, as
    GitLab's `!reference` makes them), each once."""
    from yaml import ScalarNode, SequenceNode

    found: list[Node] = []
    stack = [node]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, ScalarNode):
            found.append(item)
        elif isinstance(item, SequenceNode):
            stack.extend(reversed(item.value))
    return found


def _line(node: Node) -> int:
    # A block scalar (`|`) starts on the line after its indicator.
    return int(node.start_mark.line) + (2 if getattr(node, "style", None) in ("|", ">") else 1)
