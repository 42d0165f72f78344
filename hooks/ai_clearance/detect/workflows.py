"""CI workflows and actions judged by their structure: the actions and reusable workflows
they use, the container images they run, and the commands their scripts run.

A workflow or action file is read as YAML (JSON is YAML too) and every mapping in it is
looked at, wherever it sits: a step, a job, a composite action's `runs`, an anchor that a
step merges in. Only these keys count: `uses`; `image` and `container`; and the keys that
hold commands (`run`, and the `command`, `args`, `entrypoint`... of actions that run
them). Step names, comments and the arguments of `echo` never do. A step whose script is
not shell (`shell: python`, a `defaults.run.shell` of code, actions/github-script's
`script`) is read by its string literals (literals.py). A file larger than MAX_BYTES, or
one that is not YAML, is judged line by line (`_judged_by_lines`).

Other files CI runs are read by their kind, which their paths tell (`readings`): a
Dockerfile's instructions (dockerfiles.py), a shell script's commands, the literals of a
Python or JavaScript file.

What counts is data: a content rule's `workflow_uses`, `workflow_images`, `workflow_run`
and `workflow_installs` lists in catalog.toml."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain
from urllib.parse import unquote

from ai_clearance.catalog.rules import MAX_MATCH_CHARS
from ai_clearance.detect import setups
from ai_clearance.detect.detect import first_content_matches
from ai_clearance.detect.expressions import substitute
from ai_clearance.detect.normalize import normalize_path, printable
from ai_clearance.detect.runners import shebang_language
from ai_clearance.detect.shell import (
    invocations,
    must_read,
    program_name,
    screen_text,
    script_commands,
)
from ai_clearance.values import value

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from collections.abc import Callable

    from yaml import Node

    from ai_clearance.catalog.rules import Rule

# Larger files are judged line by line: YAML is parsed whole, and a workflow this large is
# not one a person wrote (GitHub's own examples are a few KiB).
MAX_BYTES = 1 << 20

# Keys whose value is a shell script, a command line or part of one.
_SCRIPT_KEYS = frozenset({"run", "command", "commands", "cmd", "script", "args", "entrypoint",
                          "pre-entrypoint", "post-entrypoint"})
_IMAGE_KEYS = frozenset({"image", "container"})


@value
class Fact:
    """Something a workflow runs: an action or workflow it `uses` (its reference without
    the @ref, folded), an image (its name without tag or registry of Docker Hub), or a
    command (program, then arguments)."""

    kind: str
    subject: tuple[str, ...]
    line: int
    evidence: str


@value
class _Spec:
    """One rule's workflow lists, normalized for matching."""

    uses: tuple[str, ...]
    images: frozenset[str]
    commands: tuple[tuple[str, tuple[str, ...]], ...]
    npm: frozenset[str]
    pypi: frozenset[str]
    urls: tuple[str, ...]
    triggers: frozenset[str]  # regexes: a script that has none of them runs nothing here


# ------------------------------------------------------------------------------ entry point
def content_matches(rules: dict[str, Rule], lines: Iterable[bytes], paths: Iterable[str] = (),
                    ) -> dict[str, tuple[int, str]]:
    """first_content_matches for a blob, with the rules that judge workflows judging what
    it runs, read as every kind of file its `paths` name (`readings`; a workflow when none
    does). The rules' line patterns still run and stay a floor: what they find is kept (so
    a YAML parser that reads a file otherwise than GitHub cannot hide what they see)."""
    judging = {rid: _spec_of(r) for rid, r in rules.items() if r.judges_workflows}
    if not judging:
        return first_content_matches(rules, lines)
    screen = _screen(tuple(judging.values()))
    kinds = readings(paths)
    head, rest = _read_upto(lines, MAX_BYTES)
    if rest is not None:
        return _judged_by_lines(rules, judging, chain(head, rest), screen, kinds)
    matched = first_content_matches(_with_patterns(rules), head)
    data = b"\n".join(head)
    facts: list[Fact] = []
    for kind in sorted(kinds):
        found = _facts_of(kind, data, screen)
        if found is None:  # a workflow that is not YAML
            matched.update(_judged_by_lines(rules, judging, head, screen, frozenset({kind})))
        else:
            facts.extend(found)
    facts.sort(key=lambda f: f.line)
    for rid, spec in judging.items():
        hit = next((f for f in facts if (setups.setup_hits(f, rules[rid])
                    if f.kind in setups.FACT_KINDS else fact_hits(f, spec))), None)
        if hit is not None:
            matched[rid] = (hit.line, hit.evidence)
    return matched


# Files read otherwise than as YAML, by their name's end: shell scripts, and code that is
# read by its literals (the languages of runners.py).
_SCRIPT_SUFFIXES = {"sh": "shell", "bash": "shell", "ps1": "shell", "py": "hash",
                    "js": "slash", "mjs": "slash", "cjs": "slash", "ts": "slash"}


def readings(paths: Iterable[str]) -> frozenset[str]:
    """How a blob at `paths` is read, once per kind they name: "dockerfile" (Dockerfile,
    Dockerfile.*, *.dockerfile, Containerfile), a script's language (*.sh, *.py, *.js...),
    or "workflow" (YAML: workflows, actions, and any other path a rule names)."""
    found: set[str] = set()
    for path in paths:
        name = normalize_path(path).rpartition("/")[2]
        setup = setups.setup_readings(normalize_path(path))  # dev containers, other CI...
        if setup:
            found.update(setup)
            continue
        if name in ("dockerfile", "containerfile") or name.startswith("dockerfile.") \
                or name.endswith(".dockerfile"):
            found.add("dockerfile")
        else:
            found.add(_SCRIPT_SUFFIXES.get(name.rpartition(".")[2], "workflow")
                      if "." in name else "workflow")
    return frozenset(found or ("workflow",))


def _facts_of(kind: str, data: bytes, screen: Callable[[str], bool]) -> list[Fact] | None:
    """What a file read as `kind` runs; None for a workflow that is not YAML."""
    if kind in setups.KINDS:
        return setups.setup_facts(kind, data, screen)
    if kind == "workflow":
        return workflow_facts(data, screen)
    text = data.decode("utf-8", "replace")
    if kind == "dockerfile":
        return list(_dockerfile_facts(text, screen))
    # A script's `#!` line may name another interpreter than its name's end: read both.
    languages = {kind, shebang_language(text) or kind}
    return [f for language in sorted(languages)
            for f in _command_facts("script", text, 1, screen, language)]


def _with_patterns(rules: dict[str, Rule]) -> dict[str, Rule]:
    return {rid: r for rid, r in rules.items() if r.pattern is not None}


def _read_upto(lines: Iterable[bytes], limit: int,
               ) -> tuple[list[bytes], Iterator[bytes] | None]:
    """The lines of a blob, or its first lines and the rest when it is larger than `limit`
    (lines come split at '\\n' only, so joining them gives the blob back)."""
    stream = iter(lines)
    head: list[bytes] = []
    size = 0
    for line in stream:
        head.append(line)
        size += len(line) + 1
        if size > limit + 1:
            return head, stream
    return head, None


# ------------------------------------------------------------------------------ structure
def workflow_facts(data: bytes, screen: Callable[[str], bool] | None = None,
                   ) -> list[Fact] | None:
    """What a workflow or action file runs, in the order of its lines; None when the data
    is not YAML (the caller then judges it line by line). `screen` says which scripts are
    worth splitting into commands (None: all)."""
    roots = _compose(data)
    if roots is None:
        return None
    mappings = list(_mappings(roots))
    defaults = _default_languages(mappings)
    facts: list[Fact] = []
    for mapping in mappings:
        facts.extend(_mapping_facts(mapping, screen, defaults))
    facts.sort(key=lambda f: f.line)
    return facts


def _compose(data: bytes) -> list[Node] | None:
    """The documents of `data` as YAML node graphs; None when it is not YAML. Nodes, not
    Python values: an alias is the node it names (no copy, so no alias bomb), a merge key
    is a node like any other, and tags are never constructed."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        # libyaml refuses nesting deeper than 1000; the pure-Python parser recurses instead.
        return [root for root in yaml.compose_all(data, Loader=loader) if root is not None]
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


def _mappings(roots: list[Node]) -> Iterator[Node]:
    """Every mapping node reachable from `roots`, each once (aliases make a graph that may
    have cycles)."""
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
                stack.append(key)
                stack.append(item)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def _mapping_facts(mapping: Node, screen: Callable[[str], bool] | None,
                   defaults: tuple[str, ...]) -> Iterator[Fact]:
    from yaml import ScalarNode

    scalars = _scalars(mapping)
    # A step's `run` is in the language of its `shell`, or of the defaults when it has none.
    shell = scalars.get("shell")
    run_languages = defaults if shell is None else _languages(shell.value)
    for key_node, node in mapping.value:
        if not isinstance(key_node, ScalarNode):
            continue
        key = key_node.value.casefold()
        for item in _items(node):
            line = item.start_mark.line + 1
            if key == "uses":
                yield from _uses_facts(item.value, line)
            elif key in _IMAGE_KEYS:
                yield _image_fact(key, item.value, line)
            elif key == "run":
                for language in run_languages:
                    yield from _script_facts(key, item, screen, language)
            elif key in _SCRIPT_KEYS:
                yield from _script_facts(key, item, screen)
    # A docker step's command is its entrypoint followed by its args.
    if "entrypoint" in scalars and "args" in scalars:
        entry, args = scalars["entrypoint"], scalars["args"]
        joined = substitute(f"{entry.value} {args.value}")
        yield from _command_facts("entrypoint", joined, entry.start_mark.line + 1, screen)
    # actions/github-script runs its `script` input as JavaScript.
    uses = scalars.get("uses")
    if uses is not None and action_ref(substitute(uses.value)) == "actions/github-script":
        script = _scalars(_value_of(mapping, "with")).get("script")
        if script is not None:
            yield from _script_facts("script", script, screen, "slash")


def _items(node: Node) -> list[Node]:
    """The scalars a key holds: its value, or the scalars of its sequence."""
    from yaml import ScalarNode, SequenceNode

    if isinstance(node, SequenceNode):
        return [n for n in node.value if isinstance(n, ScalarNode)]
    return [node] if isinstance(node, ScalarNode) else []


def _scalars(mapping: Node | None) -> dict[str, Node]:
    """A mapping's scalar values (of a sequence, its last) by folded key."""
    from yaml import MappingNode, ScalarNode

    found: dict[str, Node] = {}
    if isinstance(mapping, MappingNode):
        for key_node, node in mapping.value:
            items = _items(node)
            if isinstance(key_node, ScalarNode) and items:
                found[key_node.value.casefold()] = items[-1]
    return found


def _value_of(mapping: Node | None, key: str) -> Node | None:
    from yaml import MappingNode, ScalarNode

    if isinstance(mapping, MappingNode):
        for key_node, node in mapping.value:
            if isinstance(key_node, ScalarNode) and key_node.value.casefold() == key:
                found: Node = node
                return found
    return None


def _languages(shell: str) -> tuple[str, ...]:
    """The languages a `shell:` value (`bash`, `python`, `perl {0}`) makes a `run` script:
    one, or shell and code both when an expression leaves the program unknown."""
    shell = substitute(shell).strip()
    if not shell or "${{" in shell:
        return ("shell", "code")
    return (shebang_language("#!" + shell) or "shell",)


def _default_languages(mappings: list[Node]) -> tuple[str, ...]:
    """How a `run` without a `shell` is read: as shell, and also as the code of every
    `defaults: {run: {shell: ...}}` in the file that is not shell (which job's defaults
    apply to which step is not worked out: each is read every way)."""
    languages = ["shell"]
    for mapping in mappings:
        shell = _scalars(_value_of(_value_of(mapping, "defaults"), "run")).get("shell")
        if shell is not None:
            languages.extend(_languages(shell.value))
    return tuple(dict.fromkeys(languages))


def _script_facts(key: str, node: Node, screen: Callable[[str], bool] | None,
                  language: str = "shell") -> Iterator[Fact]:
    # A block scalar (`run: |`) starts on the line after its indicator.
    first = node.start_mark.line + (2 if getattr(node, "style", None) in ("|", ">") else 1)
    # GitHub writes constant expressions in before a shell (or interpreter) runs.
    return _command_facts(key, substitute(node.value), first, screen, language)


def _uses_facts(text: str, line: int) -> Iterator[Fact]:
    # GitHub has long refused expressions in `uses`; a constant one is still read as its
    # value, so that a runner that accepts it cannot run an agent unseen.
    ref = substitute(text).strip()
    evidence = printable(f"uses: {ref}")
    if ref.casefold().startswith("docker://"):
        yield Fact("image", (image_name(ref),), line, evidence)
        return
    yield Fact("uses", (action_ref(ref),), line, evidence)


def _image_fact(key: str, text: str, line: int) -> Fact:
    text = substitute(text)
    return Fact("image", (image_name(text),), line, printable(f"{key}: {text.strip()}"))


def _command_facts(key: str, script: str, first_line: int,
                   screen: Callable[[str], bool] | None, language: str = "shell",
                   ) -> Iterator[Fact]:
    for offset, words in script_commands(script, language, screen):
        evidence = printable(f"{key}: {' '.join(words)}")
        for invocation in invocations(words, 0):
            yield Fact("command", invocation, first_line + offset, evidence)


def _dockerfile_facts(text: str, screen: Callable[[str], bool]) -> Iterator[Fact]:
    from ai_clearance.detect.dockerfiles import (
        dockerfile_steps,  # only a check that reads one pays for it
    )

    for step in dockerfile_steps(text):
        if step.kind == "image":
            yield Fact("image", (image_name(step.text),), step.line,
                       printable(f"{step.name} {step.text}"))
        elif step.kind == "script":
            yield from _command_facts(step.name, step.text, step.line, screen, step.language)
        elif screen("\n".join(step.words)):
            evidence = printable(f"{step.name}: {' '.join(step.words)}")
            for invocation in invocations(list(step.words), 0):
                yield Fact("command", invocation, step.line, evidence)


# ------------------------------------------------------------------------------ references
def action_ref(text: str) -> str:
    """An action or reusable workflow reference as compared: folded (GitHub owner and
    repository names ignore case), without its @ref."""
    return text.strip().partition("@")[0].strip().rstrip("/").casefold()


# Names of Docker Hub itself and of its mirrors: an image under them is a Docker Hub image.
_DOCKER_HUB = ("docker.io/", "index.docker.io/", "registry-1.docker.io/",
               "registry.hub.docker.com/", "mirror.gcr.io/")


def image_name(text: str) -> str:
    """An image reference as compared: folded, without docker://, tag or digest, and
    without the default registry and library/ of Docker Hub."""
    ref = text.strip().casefold().removeprefix("docker://").partition("@")[0]
    folder, slash, name = ref.rpartition("/")
    ref = folder + slash + name.partition(":")[0]
    for registry in _DOCKER_HUB:
        ref = ref.removeprefix(registry)
    return ref.removeprefix("library/")


# ------------------------------------------------------------------------------ matching
_NPM_TOOLS = frozenset({"npm", "pnpm", "yarn", "bun", "npx", "pnpx", "bunx"})
_PYPI_TOOLS = frozenset({"pip", "pip3", "pipx", "uv", "uvx", "conda", "mamba", "micromamba"})
_RUNNERS = frozenset({"npx", "pnpx", "bunx", "uvx"})  # run a package without a verb
# Verbs of package managers that install or run a package (npm's abbreviations included).
_VERBS = frozenset({"install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta",
                    "isntal", "isntall", "add", "exec", "x", "dlx", "run"})
_DOWNLOADERS = frozenset({"curl", "wget", "irm", "iwr", "invoke-restmethod",
                          "invoke-webrequest", "http", "https", "aria2c", "fetch"})
_CONTAINER_TOOLS = frozenset({"docker", "podman", "nerdctl"})
_CONTAINER_VERBS = frozenset({"run", "pull", "create"})


def fact_hits(fact: Fact, spec: _Spec) -> bool:
    """Whether a rule (its normalized lists) covers what `fact` runs."""
    if fact.kind == "uses":
        ref = fact.subject[0]
        # `*/name`: the action by any owner (a fork or copy runs the same agent).
        owned = ref.partition("/")[2]
        return any(ref == want or ref.startswith(want + "/") or
                   (want.startswith("*/") and (owned == want[2:] or
                                               owned.startswith(want[2:] + "/")))
                   for want in spec.uses)
    if fact.kind == "image":
        return fact.subject[0] in spec.images
    return _command_hits(fact.subject[0], fact.subject[1:], spec)


def _command_hits(program: str, args: tuple[str, ...], spec: _Spec) -> bool:
    for want, required in spec.commands:
        if program == want and all(_has_argument(args, r) for r in required):
            return True
    verb = program in _RUNNERS or any(a in _VERBS for a in args)
    if spec.npm and program in _NPM_TOOLS and verb and \
            any(_npm_name(a) in spec.npm for a in args):
        return True
    if spec.pypi and program in _PYPI_TOOLS and verb and \
            any(_pypi_name(a) in spec.pypi for a in args):
        return True
    if spec.urls and program in _DOWNLOADERS and any(_url_hits(a, spec.urls) for a in args):
        return True
    return bool(spec.images and program in _CONTAINER_TOOLS and
                any(a in _CONTAINER_VERBS for a in args) and
                any(image_name(a) in spec.images for a in args if not a.startswith("-")))


def _has_argument(args: tuple[str, ...], want: str) -> bool:
    """`want` among `args`: itself, `--long=value` for `--long`, or inside a cluster of
    short options (`-sp` holds `-p`)."""
    short = len(want) == 2 and want[0] == "-" and want[1] != "-"
    for arg in args:
        if arg == want or (want.startswith("--") and arg.startswith(want + "=")):
            return True
        if short and len(arg) > 2 and arg[0] == "-" and arg[1:].isalpha() and want[1] in arg:
            return True
    return False


def _npm_name(arg: str) -> str:
    """The package an npm argument names (`@scope/name@1.2`, `alias@npm:name`, or a
    registry's tarball URL, `https://registry.npmjs.org/@scope/name/-/name-1.2.tgz`)."""
    arg = arg.removeprefix("--package=").rpartition("@npm:")[2]
    if arg.startswith("-"):
        return ""
    tarball = _tarball_package(arg)
    if tarball is not None:
        return tarball
    if arg.startswith("@"):
        scope, _, rest = arg[1:].partition("/")
        return f"@{scope}/{rest.partition('@')[0]}".casefold()
    return arg.partition("@")[0].casefold()


_NPM_TARBALL = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#]+(/[^?#]*?)/-/", re.IGNORECASE)


def _tarball_package(arg: str) -> str | None:
    """The package of a registry's tarball URL (npmjs.org, a mirror, a proxy under a path):
    the one or two (@scope/name) path segments before /-/."""
    match = _NPM_TARBALL.match(arg)
    if match is None:
        return None
    segments = unquote(match.group(1)).split("/")
    if len(segments) >= 3 and segments[-2].startswith("@"):
        return f"{segments[-2]}/{segments[-1]}".casefold()
    return segments[-1].casefold()


_PYPI_END = re.compile(r"[\[=<>!~;@\s]")
_PYPI_SEPARATORS = re.compile(r"[-_.]+")


def _pypi_name(arg: str) -> str:
    """The project a pip argument names (`aider-chat[extra]==1.0`), normalized as PyPI
    compares names."""
    if arg.startswith("-"):
        return ""
    return _PYPI_SEPARATORS.sub("-", _PYPI_END.split(arg, maxsplit=1)[0]).casefold()


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://")


def _url_hits(arg: str, urls: tuple[str, ...]) -> bool:
    text = _SCHEME.sub("", arg.casefold(), count=1).removeprefix("www.")
    return any(text.startswith(url) and text[len(url):len(url) + 1] in ("", "/", "?", "#")
               for url in urls)


def _spec_of(rule: Rule) -> _Spec:
    return _spec(rule.workflow_uses, rule.workflow_run, rule.workflow_installs,
                 rule.workflow_images)


@lru_cache(maxsize=256)
def _spec(uses: tuple[str, ...], run: tuple[str, ...], installs: tuple[str, ...],
          images: tuple[str, ...]) -> _Spec:
    commands = tuple((program_name(words[0]), tuple(words[1:]))
                     for words in (entry.split() for entry in run))
    kinds: dict[str, list[str]] = {"npm": [], "pypi": [], "url": []}
    for entry in installs:
        kind, _, name = entry.partition(":")
        kinds[kind].append(name.strip())
    npm = frozenset(n.casefold() for n in kinds["npm"])
    pypi = frozenset(_pypi_name(n) for n in kinds["pypi"])
    urls = tuple(_SCHEME.sub("", u.casefold(), count=1).removeprefix("www.").rstrip("/")
                 for u in kinds["url"])
    image_names = frozenset(image_name(i) for i in images)
    triggers = {re.escape(p) for p, _ in commands} | {re.escape(n) for n in (*npm, *urls)}
    triggers |= {re.escape(i) for i in image_names}
    # PyPI names compare with their separators normalized: match any spelling of them.
    triggers |= {"[-_.]+".join(re.escape(p) for p in n.split("-")) for n in pypi}
    return _Spec(uses=tuple(action_ref(u) for u in uses), images=image_names,
                 commands=commands, npm=npm, pypi=pypi, urls=urls,
                 triggers=frozenset(triggers))


_UNQUOTE = re.compile(r"[\"'\\]")
# Interpreters whose code (`python -c CODE`, a heredoc) may spell a name in pieces or
# escapes ('cla' + 'ude', "\x63laude") that only reading its literals puts together.
_INTERPRETERS = (r"(?<![\w-])(?:python[0-9.]*|py|pypy[0-9.]*|node|nodejs|bun|deno|perl|ruby|php)"
                 r"(?:\.exe)?(?![\w-])")


@lru_cache(maxsize=64)
def _screen(specs: tuple[_Spec, ...]) -> Callable[[str], bool]:
    """Whether a script could run anything these rules list: some program, package, URL or
    image of theirs is in it once quotes and backslashes are gone (a match needs one, as
    `cl'au'de` is claude to a shell), or it holds a $'...' string or runs an interpreter."""
    sources = sorted({t for spec in specs for t in spec.triggers}, key=len, reverse=True)
    if not sources:
        return lambda script: False
    pattern = re.compile("|".join([*sources, _INTERPRETERS]), re.IGNORECASE)
    # A $'...' string may spell any name in escapes ($'\x63laude'): such a script is read.
    # Words the shell puts together (cl$()aude, {cl,}aude, $A$B) count too (shell.py).
    return lambda script: "$'" in script or must_read(script) or \
        pattern.search(screen_text(script)) is not None


# ------------------------------------------------------------------------------ by lines
_LOOSE_KEY = re.compile(r"""(?:^|[\s{,\[])["']?(uses|image|container)["']?\s*:[\s>|+-]*"""
                        r"""["']?([^\s"'{},\[\]#]+)""", re.IGNORECASE)
_BARE_REF = re.compile(r"""\s*["']?([\w.-]+/[\w./-]+@[^\s"']+)["']?\s*""")
_LOOSE_PREFIX = re.compile(r"""\s*(?:-\s+)?(?:["']?[\w.-]+["']?\s*:\s*)?(?:[|>][-+0-9]*\s*)?""")


def _judged_by_lines(rules: dict[str, Rule], judging: dict[str, _Spec],
                     lines: Iterable[bytes], screen: Callable[[str], bool],
                     kinds: frozenset[str] = frozenset({"workflow"}),
                     ) -> dict[str, tuple[int, str]]:
    """A file that is not YAML, or too large, judged line by line (a CR alone ends a line
    too): the line patterns, then each line's loose facts (`_loose_facts`)."""
    patterns = _with_patterns(rules)
    matched: dict[str, tuple[int, str]] = {}
    number = 0
    for raw in lines:
        for piece in raw.removesuffix(b"\r").split(b"\r"):
            number += 1
            pending = {rid: r for rid, r in patterns.items() if rid not in matched}
            for rid, (_, evidence) in first_content_matches(pending, [piece]).items():
                matched[rid] = (number, evidence)
            waiting = {rid: s for rid, s in judging.items() if rid not in matched}
            if waiting:
                text = piece.decode("utf-8", "replace")
                facts = list(_loose_facts(text, number, screen, kinds))
                for rid, spec in waiting.items():
                    if any(setups.setup_hits(f, rules[rid]) if f.kind in setups.FACT_KINDS
                           else fact_hits(f, spec) for f in facts):
                        matched[rid] = (number, printable(text.strip()))
            if len(matched) == len(rules):
                return matched
    return matched


_DOCKER_PREFIX = re.compile(r"\s*(?:ONBUILD\s+)?(?:RUN|CMD|ENTRYPOINT|FROM)(?:\s+--\S+)*\s",
                            re.IGNORECASE)


def _loose_facts(text: str, number: int, screen: Callable[[str], bool],
                 kinds: frozenset[str]) -> Iterator[Fact]:
    """What one line may run, read as loosely as its kinds allow: a workflow's
    `uses:`/`image:` values and lone owner/repo@ref (a folded value's second line); a
    Dockerfile's FROM image; the line as a shell command (after a YAML key or a Dockerfile
    instruction); and, but for shell scripts, the line's literals as code (a `run:` of
    `shell: python` or an exec form is not told apart here)."""
    text = substitute(text)  # GitHub writes constant expressions in, in a `uses:` too
    prefix: re.Match[str] | None = None
    if "workflow" in kinds:
        for start in range(0, max(len(text), 1), MAX_MATCH_CHARS):
            for match in _LOOSE_KEY.finditer(text, start, start + MAX_MATCH_CHARS):
                key, found = match.group(1).casefold(), match.group(2)
                if key == "uses":
                    yield from _uses_facts(found, number)
                else:
                    yield _image_fact(key, found, number)
        bare = _BARE_REF.fullmatch(text[:MAX_MATCH_CHARS])
        if bare is not None:
            yield from _uses_facts(bare.group(1), number)
        prefix = _LOOSE_PREFIX.match(text)
    if "dockerfile" in kinds:
        docker = _DOCKER_PREFIX.match(text)
        if docker is not None and docker.group(0).strip().upper().startswith("FROM"):
            image = text[docker.end():].split()
            if image:
                yield _image_fact("FROM", image[0], number)
        prefix = docker or prefix
    yield from _command_facts("line", text[prefix.end() if prefix else 0:], number, screen)
    if kinds != {"shell"} and _literals_worth_reading(text, screen):
        yield from _command_facts("line", text, number, screen, "code")
    if not kinds.isdisjoint(setups.KINDS):
        yield from setups.loose_facts(text, number, kinds)


_QUOTES = re.compile(r"[\"'`]")
_GLUE = re.compile(r"[\"'`][\s+.]*[\"'`]")  # between two literals that join


def _literals_worth_reading(text: str, screen: Callable[[str], bool]) -> bool:
    """Whether a line's literals could spell what a rule lists: the screen on the line,
    and on the line with the glue between joined literals gone ('cla' + 'ude'). Escapes
    and comments (which may sit between joined literals) make it read in any case."""
    if _QUOTES.search(text) is None:
        return False
    if "\\" in text or "#" in text or "/" in text:
        return True
    return screen(text) or screen(_GLUE.sub("", text))
