"""CI workflows and actions judged by their structure: the actions and reusable workflows
they use, the container images they run, and the commands their scripts run.

A workflow or action file is read as YAML (JSON is YAML too) and every mapping in it is
looked at, wherever it sits: a step, a job, a composite action's `runs`, an anchor that a
step merges in. Only these keys count: `uses`; `image` and `container`; and the keys that
hold commands (`run`, and the `command`, `args`, `entrypoint`... of actions that run
them). Step names, comments and the arguments of `echo` never do. A step whose script is
not shell (`shell: python`, a `defaults.run.shell` of code, actions/github-script's
`script`) is read by its string literals (literals.py). A custom `shell:` (`codex exec
{0}`) is itself a command. A Docker action's entrypoints are read with its args (a list is
one word an item), and a list of args alone as a command.

What a script reads of the `env` and `matrix` contexts is written in: `${{ env.X }}`,
`${{ matrix.x }}` and a shell's `$X` take the values the workflow, job and step `env:`
and each matrix job give (contexts.py). Aliases make the YAML a graph: each scalar is read
once per text it stands for, and all that is read is paid from a budget linear in the
file; past it the check fails (exit 3) rather than run for hours or pass unjudged.

A file larger than MAX_BYTES (a workflow's comment and blank lines not counted), or one
that is not YAML, is judged line by line (`_judged_by_lines`): each line, the scripts of
its flow mappings (`steps: [{run: ...}]`), then each value that spans lines as one text
(block scalars, quoted and plain values continued, backslash-continued lines), and last
the texts that read an env name the file sets, with each value it is given (`_LooseEnv`).
Which step a line belongs to, its `shell:` and its matrix are not known there.

Other files CI runs are read by their kind, which their paths tell (`readings`): a
Dockerfile's instructions (dockerfiles.py), a shell script's commands, the literals of a
Python or JavaScript file. The files an action.yml names (`main`, `pre`, `post`, its own
Dockerfile: `action_files`) and the scripts any CI file runs are read by source/reach.py
from the same tree, wherever they sit (detect/reach.py names them).

What counts is data: a content rule's `workflow_uses`, `workflow_images`, `workflow_run`
and `workflow_installs` lists in catalog.toml."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import chain
from urllib.parse import unquote

from ai_clearance.catalog.rules import MAX_MATCH_CHARS
from ai_clearance.detect import setups
from ai_clearance.detect.contexts import Choices, Unjudged, Work, walk
from ai_clearance.detect.detect import first_content_matches
from ai_clearance.detect.expressions import (
    MATRIX_LIMIT,
    Known,
    substitute,
    substitution,
    substitutions,
)
from ai_clearance.detect.launchers import (
    arguments_hit,
    container_images,
    normalized,
    repository_url,
    scanned_image,
)
from ai_clearance.detect.normalize import normalize_path, printable
from ai_clearance.detect.runners import shebang_language
from ai_clearance.detect.shell import (
    invocations,
    must_read,
    program_name,
    screen_text,
    script_commands,
    shell_commands,
)
from ai_clearance.errors import GitError
from ai_clearance.memo import Memo

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from collections.abc import Callable

    from yaml import Node

    from ai_clearance.catalog.rules import Rule

# Larger files are judged line by line: YAML is parsed whole, and a workflow this large is
# not one a person wrote (GitHub's own examples are a few KiB). A workflow's comment and
# blank lines do not count (padding cannot push what it hides out of the structure):
# they cost the parser little, and MAX_PARSED_BYTES bounds them.
MAX_BYTES = 1 << 20
MAX_PARSED_BYTES = 64 << 20

# Keys whose value is a shell script, a command line or part of one.
_SCRIPT_KEYS = frozenset({"run", "command", "commands", "cmd", "script", "args", "entrypoint",
                          "pre-entrypoint", "post-entrypoint"})
_IMAGE_KEYS = frozenset({"image", "container"})

# Actions' own inputs that are what the action runs, by the action (its reference folded,
# without @ref) and the input (folded): a command line ("shell"), JavaScript ("slash"), or
# an action it calls for the step ("uses"). The keys of _SCRIPT_KEYS are read wherever they
# are (`command:` of nick-fields/retry, `script:` of appleboy/ssh-action).
_ACTION_INPUTS: dict[str, dict[str, str]] = {
    "devcontainers/ci": {"runcmd": "shell"},
    "nick-fields/retry": {"on_retry_command": "shell", "new_command_on_retry": "shell"},
    "nick-invision/retry": {"on_retry_command": "shell", "new_command_on_retry": "shell"},
    "wandalen/wretry.action": {"action": "uses"},
    "cypress-io/github-action": {"start": "shell", "build": "shell", "install-command": "shell"},
    "reactivecircus/android-emulator-runner": {"pre-emulator-launch-script": "shell"},
    "uraimo/run-on-arch-action": {"install": "shell", "setup": "shell"},
    "easingthemes/ssh-deploy": {"script_before": "shell", "script_after": "shell"},
    "actions/github-script": {"script": "slash"},
    # Code in another language than shell (their action.yml: "Python script", "JS
    # expression to evaluate").
    "jannekem/run-python-script-action": {"script": "hash"},
    "cardinalby/js-eval-action": {"expression": "slash"},
    **{f"vmactions/{system}-vm": {"prepare": "shell"}
       for system in ("freebsd", "openbsd", "netbsd", "solaris", "dragonflybsd", "omnios")},
}
# Inputs that name a repository to fetch from (`repository:` of actions/checkout and of
# release downloaders, `repo:`), and the owner given apart from its name; compared
# folded, without `-` and `_`.
_REPOSITORY_INPUTS = frozenset({"repository", "repo", "githubrepository", "githubrepo",
                                "sourcerepository", "sourcerepo", "reponame",
                                "repositoryname"})
_OWNER_INPUTS = frozenset({"owner", "repoowner", "repositoryowner"})


@dataclass(frozen=True)
class Fact:
    """Something a workflow runs: an action or workflow it `uses` (its reference without
    the @ref, folded), an image (its name without tag or registry of Docker Hub), or a
    command (program, then arguments)."""

    kind: str
    subject: tuple[str, ...]
    line: int
    evidence: str


@dataclass(frozen=True)
class _Spec:
    """One rule's workflow lists, normalized for matching."""

    uses: tuple[str, ...]
    images: frozenset[str]
    commands: tuple[tuple[str, tuple[str, ...]], ...]
    npm: frozenset[str]
    pypi: frozenset[str]
    urls: tuple[str, ...]
    nix: frozenset[str]  # nixpkgs attribute names (launchers.py: `nix install NAME`)
    triggers: frozenset[str]  # regexes: a script that has none of them runs nothing here


# ------------------------------------------------------------------------------ entry point
def content_matches(rules: dict[str, Rule], lines: Iterable[bytes], paths: Iterable[str] = (),
                    kinds: frozenset[str] | None = None, given: Choices | None = None,
                    ) -> dict[str, tuple[int, str]]:
    """first_content_matches for a blob, with the rules that judge workflows judging what
    it runs, read as every kind of file its `paths` name (`readings`; a workflow when none
    does), or as `kinds` when given (the script an action names, whatever its name);
    `given`: the values a caller gives a workflow's or action's inputs (`inputs.tool`).
    The rules' line patterns still run and stay a floor: what they find is kept (so
    a YAML parser that reads a file otherwise than GitHub cannot hide what they see)."""
    judging = {rid: _spec_of(r) for rid, r in rules.items() if r.judges_workflows}
    if not judging:
        return first_content_matches(rules, lines)
    screen = _screen(tuple(judging.values()))
    paths = tuple(paths)
    kinds = kinds or readings(paths)
    head, rest = _read_upto(lines, MAX_BYTES, padding=kinds == {"workflow"})
    if rest is not None:
        return _judged_by_lines(rules, judging, chain(head, rest), screen, kinds, large=True,
                                given=given)
    matched = first_content_matches(_with_patterns(rules), head)
    data = b"\n".join(head)
    facts: list[Fact] = []
    for kind in sorted(kinds):
        try:
            found = _facts_of(kind, data, screen, given or {})
        except Unjudged as error:
            where = ", ".join(dict.fromkeys(paths)) or "a workflow"
            raise GitError(f"{where} could not be judged: {error}; refusing to pass "
                           "unjudged") from None
        if found is None:  # a workflow that is not YAML
            matched.update(_judged_by_lines(rules, judging, head, screen, frozenset({kind}),
                                            given=given))
        else:
            facts.extend(found)
    facts.sort(key=lambda f: f.line)
    # The same command in many matrix jobs is judged once, at its first line.
    facts = list({(f.kind, f.subject): f for f in reversed(facts)}.values())[::-1]
    facts = _without_scanned_pulls(facts)
    # Most commands (echo, make, git) run a program no rule names: set aside in one lookup
    # instead of once per rule (on git/git's CI, 1.3M rule checks over 6k commits).
    programs = _programs(judging.values())
    facts = [f for f in facts if f.kind != "command" or f.subject[0] in programs]
    for rid, spec in judging.items():
        hit = next((f for f in facts if (setups.setup_hits(f, rules[rid])
                    if f.kind in setups.FACT_KINDS else fact_hits(f, spec))), None)
        if hit is not None:
            matched[rid] = (hit.line, hit.evidence)
    return matched


# Files read otherwise than as YAML, by their name's end: shell scripts, and code that is
# read by its literals (the languages of runners.py).
_SCRIPT_SUFFIXES = {"sh": "shell", "bash": "shell", "zsh": "shell", "ksh": "shell",
                    "dash": "shell", "fish": "shell", "ps1": "shell", "psm1": "shell",
                    "cmd": "shell", "bat": "shell", "py": "hash", "rb": "hash", "pl": "hash",
                    "pm": "hash", "js": "slash", "mjs": "slash", "cjs": "slash",
                    "ts": "slash", "mts": "slash", "cts": "slash", "jsx": "slash",
                    "tsx": "slash"}


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


ACTION_NAMES = frozenset({"action.yml", "action.yaml"})
_ACTION_SCRIPTS = ("pre", "main", "post")


def action_files(data: bytes) -> list[tuple[str, str, str]]:
    """The files of its own folder an action file (action.yml) runs, as (key, relative
    path, reading kind): a JavaScript action's `runs.pre`, `main` and `post` (read by their
    literals), a Docker action's `runs.image` when it is a Dockerfile of the repository.
    None of them is read by the path rules unless it sits under .github/: the caller reads
    them from the same tree."""
    if len(data) > MAX_BYTES:
        return []
    roots = compose(data)
    found: list[tuple[str, str, str]] = []
    for root in roots or ():
        runs = _value_of(root, "runs")
        scalars = _scalars(runs)
        using = substitute(scalars["using"].value).strip().casefold() \
            if "using" in scalars else ""
        for key in _ACTION_SCRIPTS:
            if key in scalars and using != "docker":
                path = substitute(scalars[key].value).strip()
                kind = readings([path])
                found.append((key, path, "slash" if kind == {"workflow"} else min(kind)))
        image = substitute(scalars["image"].value).strip() if "image" in scalars else ""
        if using == "docker" and image and not image.casefold().startswith("docker://"):
            found.append(("image", image, "dockerfile"))
    return [(key, path, kind) for key, path, kind in found if path and "\0" not in path]


def _facts_of(kind: str, data: bytes, screen: Callable[[str], bool], given: Choices,
              ) -> list[Fact] | None:
    """What a file read as `kind` runs; None for a workflow that is not YAML."""
    if kind in setups.KINDS:
        return setups.setup_facts(kind, data, screen)
    if kind == "workflow":
        return workflow_facts(data, screen, given)
    text = data.decode("utf-8", "replace")
    if kind == "dockerfile":
        return list(_dockerfile_facts(text, screen))
    # A script's `#!` line may name another interpreter than its name's end: read both.
    languages = {kind, shebang_language(text) or kind}
    return [f for language in sorted(languages)
            for f in _command_facts("script", text, 1, screen, language)]


def _without_scanned_pulls(facts: list[Fact]) -> list[Fact]:
    """The facts without a `docker pull IMAGE` of an image the file scans (`trivy image
    IMAGE`): a pull runs nothing, and one that is scanned was fetched to be read. A run
    of it is a fact of its own and stays."""
    scanned = {image_name(found) for f in facts if f.kind == "command"
               for found in [scanned_image(f.subject[0], f.subject[1:])] if found}
    if not scanned:
        return facts
    return [f for f in facts if not (
        f.kind == "command" and f.subject[0] in _CONTAINER_TOOLS and f.subject[1:2] == ("pull",)
        and any(image_name(a) in scanned for a in f.subject[2:] if not a.startswith("-")))]


def _with_patterns(rules: dict[str, Rule]) -> dict[str, Rule]:
    return {rid: r for rid, r in rules.items() if r.pattern is not None}


def _read_upto(lines: Iterable[bytes], limit: int, padding: bool = False,
               ) -> tuple[list[bytes], Iterator[bytes] | None]:
    """The lines of a blob, or its first lines and the rest when it is larger than `limit`
    (lines come split at '\\n' only, so joining them gives the blob back). With
    `padding`, blank and comment lines count only towards MAX_PARSED_BYTES."""
    stream = iter(lines)
    head: list[bytes] = []
    size = total = 0
    for line in stream:
        head.append(line)
        total += len(line) + 1
        if not padding or not _PADDING.fullmatch(line):
            size += len(line) + 1
        if size > limit + 1 or total > MAX_PARSED_BYTES + 1:
            return head, stream
    return head, None


_PADDING = re.compile(rb"[ \t\r]*(?:#[^\n]*)?")


# ------------------------------------------------------------------------------ structure
def workflow_facts(data: bytes, screen: Callable[[str], bool] | None = None,
                   given: Choices | None = None) -> list[Fact] | None:
    """What a workflow or action file runs, in the order of its lines; None when the data
    is not YAML (the caller then judges it line by line). `screen` says which scripts are
    worth splitting into commands (None: all); `given`, what a caller gives its inputs.
    Unjudged when reading it would cost more than its budget (contexts.Work)."""
    roots = compose(data)
    if roots is None:
        return None
    work = Work(len(data))
    pairs = list(walk(roots, work, given or {}))
    defaults = _default_languages(list({id(m): m for m, _ in pairs}.values()))
    reader = _Reader(screen, defaults, work)
    for mapping, choices in pairs:
        reader.read(mapping, choices)
    reader.facts.sort(key=lambda f: f.line)
    return reader.facts


def compose(data: bytes) -> list[Node] | None:
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


# Where the runner writes a step's script: what `{0}` of a `shell:` template stands for.
_SCRIPT_PATH = "/home/runner/work/_temp/step.sh"
# A shell variable, $NAME or ${NAME}: an `env:` value when the workflow sets NAME.
_DOLLAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
# A shell variable read with an operator (`${T#x}`, `${T,,}`, `${T:-x}`): the env's value
# is given to the script as an assignment before it, for the shell reading to work out.
_OPERATED = re.compile(r"\$\{!?([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]{0,64}\])?[-=+?#%/:^,~@]")
_ENTRYPOINTS = ("entrypoint", "pre-entrypoint", "post-entrypoint")


class _Reader:
    """The facts of a file's mappings, each read under each context it is reached with.
    A scalar is read once per key, language and text: an alias of a script (a billion
    laughs of `run: *script`) costs one reading, and contexts a script does not read
    make no new text. All that is read is paid from the file's Work."""

    def __init__(self, screen: Callable[[str], bool] | None, defaults: tuple[str, ...],
                 work: Work) -> None:
        self.screen = screen
        self.defaults = defaults
        self.work = work
        self.facts: list[Fact] = []
        self.done: set[tuple[object, ...]] = set()
        self.info: dict[int, tuple[str, frozenset[str], frozenset[str]]] = {}  # info_of
        self.memo: dict[tuple[int, bool, tuple[tuple[str, tuple[Known, ...]], ...]],
                        list[str]] = {}
        self.combinations: dict[int, int] = {}  # pay
        self.mapping_names: dict[int, tuple[str, ...]] = {}

    def first(self, *key: object) -> bool:
        """Whether `key` is met for the first time (then it is remembered)."""
        if key in self.done:
            return False
        self.done.add(key)
        return True

    def read(self, mapping: Node, choices: Choices) -> None:
        from yaml import ScalarNode

        # Under a context that differs only in what its scalars do not read, a mapping
        # reads as before (a step of a job of many matrix jobs that reads none of them).
        names = self.names_read(mapping)
        if not self.first("mapping", id(mapping), *(choices.get(n) for n in names)):
            return
        scalars = _scalars(mapping)
        # A step's `run` is in the language of its `shell`, or of the defaults when it has
        # none.
        shell = scalars.get("shell")
        run_languages = self.defaults if shell is None else _languages(shell.value)
        for key_node, node in mapping.value:
            if isinstance(key_node, ScalarNode):
                key = key_node.value.casefold()
                for item in _items(node):
                    self.read_item(key, item, choices, run_languages)
        self.docker(mapping, scalars, choices)
        self.action_inputs(mapping, scalars, choices)
        self.repositories(mapping, choices)
        self.inline_files(mapping, scalars)

    def names_read(self, mapping: Node) -> tuple[str, ...]:
        """The context names the scalars of a mapping (and of its `with`) read, once."""
        names = self.mapping_names.get(id(mapping))
        if names is None:
            items = [*_scalar_items(mapping), *_scalar_items(_value_of(mapping, "with"))]
            names = tuple(sorted({n for item in items for n in self.names_of(item)}))
            self.mapping_names[id(mapping)] = names
        return names

    def read_item(self, key: str, item: Node, choices: Choices,
                  run_languages: tuple[str, ...]) -> None:
        """Read one value of a mapping's `key`: an action, an image, or a script."""
        line = item.start_mark.line + 1
        if key == "uses":
            if self.first(id(item), key):
                self.facts.extend(_uses_facts(item.value, line))
        elif key in _IMAGE_KEYS:
            for text in self.texts(item, choices, variables=False):
                if self.first(id(item), key, text):
                    self.facts.append(_image_fact(key, text, line))
        elif key == "run":
            for language in run_languages:
                self.script(key, item, choices, language)
        elif key == "shell":
            # A custom shell is a command line the runner runs with the script's
            # path for {0}: `shell: codex exec {0}` runs an agent on the step.
            self.script(key, item, choices, "shell", template=True)
        elif key in _SCRIPT_KEYS:
            self.script(key, item, choices, "shell")

    def action_inputs(self, mapping: Node, scalars: dict[str, Node], choices: Choices) -> None:
        """The inputs an action named in _ACTION_INPUTS runs: a command line, a script of
        code, or an action it calls (read as a `uses`)."""
        uses = scalars.get("uses")
        inputs = _ACTION_INPUTS.get(action_ref(substitute(uses.value))) \
            if uses is not None else None
        if inputs is None:
            return
        given = _scalars(_value_of(mapping, "with"))
        for name, reading in inputs.items():
            node = given.get(name)
            if node is None:
                continue
            if reading == "uses":
                for text in self.texts(node, choices, variables=False):
                    if self.first(id(node), "uses", text):
                        self.facts.extend(_uses_facts(text, node.start_mark.line + 1))
            else:
                self.script(name, node, choices, reading)

    def repositories(self, mapping: Node, choices: Choices) -> None:
        """The repositories an action is given to fetch from (`with: repository:` of
        actions/checkout, a release downloader's `repo:`, `owner:` and `repo:` apart),
        and any input that is a URL alone: each a fetch from under it, and a repository
        that is an action as a `uses` of it (its code checked out is a step away from
        `uses: ./path`)."""
        given = _scalars(_value_of(mapping, "with"))
        if not given:
            return
        owners = [given[k] for k in given if _input_name(k) in _OWNER_INPUTS]
        for key, node in given.items():
            named = _input_name(key) in _REPOSITORY_INPUTS
            for text in self.texts(node, choices, variables=False):
                value = text.strip()
                if named and "/" not in value and owners:
                    value = f"{self.texts(owners[0], choices, variables=False)[0].strip()}/{value}"
                # a URL alone, not a page to read (a CLA or docs link into the repository)
                url = "://" in value and len(value.split()) == 1 and not _page_url(value)
                if (named or url) and self.first(id(node), "repository", value):
                    self.facts.extend(repository_facts(key, value, node.start_mark.line + 1,
                                                       shorthand=named))

    def inline_files(self, mapping: Node, scalars: dict[str, Node]) -> None:
        """An action's input that holds a whole tool file (jdx/mise-action's `mise_toml`
        and `tool_versions`, asdf's `tool_versions`), read as that file is (manifests.py),
        and mise-action's `install_args` as `mise install ARGS`."""
        uses = scalars.get("uses")
        inputs = _INLINE_FILES.get(action_ref(substitute(uses.value))) if uses else None
        if not inputs:
            return
        from ai_clearance.detect.manifests import manifest_facts

        for name, node in _scalars(_value_of(mapping, "with")).items():
            kind = inputs.get(name)
            if kind is None or not self.first(id(node), "inline"):
                continue
            self.work.spend(len(node.value))
            found = setups.argv_facts(name, ["mise", "install", *node.value.split()], 1) \
                if kind == "args" else manifest_facts(kind, node.value, self.screen) or []
            # a block scalar's text starts on the line after its key
            start = node.start_mark.line + (1 if getattr(node, "style", None) in ("|", ">")
                                            else 0)
            self.facts.extend(replace(fact, line=fact.line + start) for fact in found)

    def texts(self, node: Node, choices: Choices, variables: bool) -> list[str]:
        """The texts a scalar stands for under `choices`: constant expressions written in,
        and each combination of the context values it reads (with `variables`, a shell
        variable the env sets reads its value too). Each distinct combination is written
        out once per scalar (`memo`), however many jobs give it; what that costs is paid
        by `pay`."""
        text, names, dollars = self.info_of(node)
        relevant = {n for n in names if n in choices}
        shell_names = {n for n in dollars if n in choices} if variables else set()
        if not relevant and not shell_names:
            return [text]
        subset = {n: choices[n] for n in relevant | shell_names}
        # Keyed by the scalar, not its text: a hit costs what the key costs, not a copy.
        memo = (id(node), variables, tuple(sorted(subset.items())))
        known = self.memo.get(memo)
        self.work.spend(len(memo[2]) + 1)
        if known is not None:
            return known
        raw: str = node.value
        if shell_names:
            raw = _operated_env(raw, subset) + \
                _DOLLAR.sub(lambda m: _env_expression(m, shell_names), raw)
        count = 1
        for values in subset.values():
            count = min(count * max(len(values), 1), MATRIX_LIMIT)
        self.pay(node, count * (len(raw) + sum(len(str(v)) for vs in subset.values()
                                               for v in vs)), count)
        found = substitutions(raw, subset)
        if not all(t.judged for t in found):
            raise Unjudged(f"a script reads more than {MATRIX_LIMIT} combinations of matrix "
                           "values, more than GitHub runs")
        texts = list(dict.fromkeys(t.text for t in found))
        self.memo[memo] = texts
        return texts

    def pay(self, node: Node, amount: int, combinations: int = 0) -> None:
        """Pay for reading a scalar under more contexts. What one matrix of GitHub's can
        make of a scalar (MATRIX_LIMIT combinations of its values) is free: each of them is
        a job GitHub runs, and the scalar's bytes are in the file, so the reading stays
        within MATRIX_LIMIT times the file. Past that (an alias of a script under the
        contexts of many jobs), the file's Work pays."""
        made = self.combinations.get(id(node), 0) + combinations
        self.combinations[id(node)] = made
        if made > MATRIX_LIMIT:
            self.work.spend(amount)

    def info_of(self, node: Node) -> tuple[str, frozenset[str], frozenset[str]]:
        """A scalar's value with its constant expressions written in, the context paths
        its expressions read, and the env paths its shell variables may read."""
        info = self.info.get(id(node))
        if info is None:
            self.work.spend(len(node.value))
            done = substitution(node.value)
            dollars = frozenset(f"env.{(a or b).casefold()}"
                                for a, b in _DOLLAR.findall(node.value)) | frozenset(
                f"env.{a.casefold()}" for a in _OPERATED.findall(node.value))
            info = (done.text, done.names, dollars)
            self.info[id(node)] = info
        return info

    def names_of(self, node: Node) -> frozenset[str]:
        _, names, dollars = self.info_of(node)
        return names | dollars

    def script(self, key: str, node: Node, choices: Choices, language: str,
               template: bool = False) -> None:
        # A block scalar (`run: |`) starts on the line after its indicator.
        first = node.start_mark.line + (2 if getattr(node, "style", None) in ("|", ">") else 1)
        for found in self.texts(node, choices, variables=not template):
            text = found.replace("{0}", _SCRIPT_PATH) if template else found
            if self.first(id(node), key, language, text):
                self.pay(node, len(text))
                self.facts.extend(_command_facts(key, text, first, self.screen, language))

    def docker(self, mapping: Node, scalars: dict[str, Node], choices: Choices) -> None:
        """A docker action's or step's command: each entrypoint followed by its args (a
        string read as shell words, or a list whose items are one word each), and a list
        of args alone (the image's own entrypoint is not known: its first item may be the
        program)."""
        from yaml import SequenceNode

        args = _value_of(mapping, "args")
        entries = [scalars[k] for k in _ENTRYPOINTS if k in scalars]
        if isinstance(args, SequenceNode):
            items = _items(args)
            variants = [self.texts(item, choices, variables=True) for item in items]
            rows = max((len(v) for v in variants), default=0)
            for row in range(rows):
                words = [v[min(row, len(v) - 1)] for v in variants]
                line = items[0].start_mark.line + 1
                self.argv("args", words, line)
                for entry in entries:
                    for text in self.texts(entry, choices, variables=True):
                        head = [w for _, ws in shell_commands(text)[:1] for w in ws]
                        self.argv("entrypoint", head + words,
                                  entry.start_mark.line + 1)
        elif "args" in scalars:
            for entry in entries:
                for text in self.texts(entry, choices, variables=True):
                    for tail in self.texts(scalars["args"], choices, variables=True):
                        joined = f"{text} {tail}"
                        if self.first(id(entry), "entry+args", joined):
                            self.work.spend(len(joined))
                            self.facts.extend(_command_facts(
                                "entrypoint", joined, entry.start_mark.line + 1, self.screen))

    def argv(self, key: str, words: list[str], line: int) -> None:
        """A command given as its words (no shell splits them)."""
        if not words or not self.first("argv", line, tuple(words)):
            return
        joined = "\n".join(words)
        self.work.spend(len(joined))
        if self.screen is not None and not self.screen(joined):
            return
        evidence = printable(f"{key}: {' '.join(words)}")
        for invocation in invocations(words, 0):
            self.facts.append(Fact("command", invocation, line, evidence))


def _env_expressions(text: str, names: set[str]) -> str:
    """`text` with each shell variable of `names` (env paths) as its `${{ env.X }}`."""
    return _DOLLAR.sub(lambda m: _env_expression(m, names), text)


def _operated_env(text: str, values: Choices) -> str:
    """Assignments of the env names `text` reads with an operator, to put before it on
    its first line (`T='${{ env.T }}'; `), so the shell reading works the operator out;
    only of values that a quote holds on one line."""
    if "${" not in text:
        return ""
    operated = dict.fromkeys(n for n in _OPERATED.findall(text)
                             if all("'" not in str(v) and "\n" not in str(v)
                                    for v in values.get(f"env.{n.casefold()}", (0,))))
    return "".join(f"{n}='${{{{ env.{n} }}}}'; " for n in operated)


def _env_expression(match: re.Match[str], names: set[str]) -> str:
    name = match.group(1) or match.group(2)
    return f"${{{{ env.{name} }}}}" if f"env.{name.casefold()}" in names else match.group(0)


def _scalar_items(mapping: Node | None) -> list[Node]:
    """The scalars a mapping's keys hold (of a sequence, each)."""
    from yaml import MappingNode

    if not isinstance(mapping, MappingNode):
        return []
    return [item for _, node in mapping.value for item in _items(node)]


def _items(node: Node) -> list[Node]:
    """The scalars a key holds: its value, or the scalars of its sequence."""
    from yaml import ScalarNode, SequenceNode

    if isinstance(node, SequenceNode):
        return [n for n in node.value if isinstance(n, ScalarNode)]
    return [node] if isinstance(node, ScalarNode) else []


# Actions whose inputs hold a tool file: the input and how it is read ("args": words
# given to `mise install`, read as a .tool-versions line is).
_INLINE_FILES = {
    "jdx/mise-action": {"mise_toml": "mise", "tool_versions": "toolversions",
                        "install_args": "args"},
    "asdf-vm/actions/install": {"tool_versions": "toolversions"},
    "asdf-vm/actions/setup": {"tool_versions": "toolversions"},
}


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


def _uses_facts(text: str, line: int) -> Iterator[Fact]:
    # GitHub has long refused expressions in `uses`; a constant one is still read as its
    # value, so that a runner that accepts it cannot run an agent unseen.
    ref = substitute(text).strip()
    evidence = printable(f"uses: {ref}")
    if ref.casefold().startswith("docker://"):
        yield Fact("image", (image_name(ref),), line, evidence)
        return
    yield Fact("uses", (action_ref(ref),), line, evidence)


def _input_name(key: str) -> str:
    return key.casefold().replace("-", "").replace("_", "")


# What follows github.com/OWNER/NAME/ in a URL to a page a person reads, not to code or
# a release a step can fetch (`blob/...?raw=true` is the file itself).
_PAGES = frozenset({"blob", "tree", "issues", "pull", "pulls", "wiki", "discussions",
                    "commit", "commits", "compare", "security", "projects", "milestones",
                    "labels", "graphs", "pulse", "actions", "blame", "network"})


def _page_url(url: str) -> bool:
    """Whether `url` is a github.com page of a repository (its file viewer, issues...)."""
    rest = url.partition("://")[2]
    host, _, path = rest.partition("/")
    parts = path.split("?")[0].split("/")
    return host.lower() in ("github.com", "www.github.com") and len(parts) > 2 \
        and parts[2].lower() in _PAGES and "raw=true" not in url.lower()


def repository_facts(key: str, text: str, line: int, shorthand: bool) -> list[Fact]:
    """What an action's input that names a repository (`repository: openai/codex`, with
    `shorthand`) or a URL fetches: a fetch from under the repository (or the URL); one
    of an agent action's repository counts as its `uses` (fact_hits): checked out, it
    is a step away from `uses: ./path`."""
    text = substitute(text).strip()
    evidence = printable(f"with: {key}: {text}")
    url = repository_url(text, shorthand=shorthand)
    found = [] if "://" not in text else [Fact("command", ("fetch", *normalized("fetch", [text])),
                                                line, evidence)]
    if url is not None:
        found.append(Fact("command", ("fetch", url), line, evidence))
    return found


def _image_fact(key: str, text: str, line: int) -> Fact:
    text = substitute(text)
    return Fact("image", (image_name(text),), line, printable(f"{key}: {text.strip()}"))


def _command_facts(key: str, script: str, first_line: int,
                   screen: Callable[[str], bool] | None, language: str = "shell",
                   ) -> Iterator[Fact]:
    for offset, invocation, evidence in _script_commands(key, script, screen, language):
        yield Fact("command", invocation, first_line + offset, evidence)
    if language in ("hash", "slash") and (screen is None or screen(script)):
        # What the code imports or declares it needs (PEP 723) is installed to run it.
        from ai_clearance.detect.imports import code_dependency_facts

        for fact in code_dependency_facts(script, language, first_line):
            yield replace(fact, evidence=printable(f"{key}: {fact.evidence}"))


def _script_commands(key: str, script: str, screen: Callable[[str], bool] | None,
                     language: str) -> list[tuple[int, tuple[str, ...], str]]:
    """What a script text runs, by key, language and screen, at offsets from its first
    line, remembered (`_SCRIPTS`)."""
    memo = (key, script, screen, language)
    found = _SCRIPTS.get(memo)
    if found is None:
        found = _SCRIPTS.put(memo, [
            (offset, invocation, printable(f"{key}: {' '.join(words)}"))
            for offset, words in script_commands(script, language, screen)
            for invocation in invocations(words, 0)])
    return found


# What each script text met lately runs: a workflow's versions share most of their steps
# (git/git's main.yml: 57 versions of 60 scripts each). Bounded by the characters kept.
_SCRIPTS: Memo[tuple[str, str, Callable[[str], bool] | None, str],
               list[tuple[int, tuple[str, ...], str]]] = Memo(
    8 << 20, cost=lambda memo, found: len(memo[1]) + sum(len(e) for _, _, e in found))


def dockerfile_facts(text: str, screen: Callable[[str], bool]) -> Iterator[Fact]:
    """What a Dockerfile's text runs: its images and its RUN, CMD, ENTRYPOINT commands."""
    return _dockerfile_facts(text, screen)


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
        elif step.kind == "download":
            # ADD of a URL fetches it as a downloader would: an installer's URL is a trace.
            yield Fact("command", ("fetch", step.text), step.line,
                       printable(f"{step.name} {step.text}"))
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


def _programs(specs: Iterable[_Spec]) -> frozenset[str]:
    """The programs a command must run for one of `specs` to cover it (_command_hits)."""
    found = set(_NPM_TOOLS | _PYPI_TOOLS | _DOWNLOADERS | _CONTAINER_TOOLS | {"nix"})
    for spec in specs:
        found.update(want for want, _ in spec.commands)
    return frozenset(found)


def fact_hits(fact: Fact, spec: _Spec) -> bool:
    """Whether a rule (its normalized lists) covers what `fact` runs."""
    if fact.kind == "uses":
        return _uses_hits(fact.subject[0], spec)
    if fact.kind == "image":
        return fact.subject[0] in spec.images
    return _command_hits(fact.subject[0], fact.subject[1:], spec)


def _uses_hits(ref: str, spec: _Spec) -> bool:
    # `*/name`: the action by any owner (a fork or copy runs the same agent).
    owned = ref.partition("/")[2]
    return any(ref == want or ref.startswith(want + "/") or
               (want.startswith("*/") and (owned == want[2:] or
                                           owned.startswith(want[2:] + "/")))
               for want in spec.uses)


def _fetches_action(args: tuple[str, ...], spec: _Spec) -> bool:
    """Whether a download is from under the GitHub repository of an action `spec` lists
    (`git clone https://github.com/anthropics/claude-code-action`: a step from `uses:
    ./path`)."""
    for arg in args:
        path = _github_path(arg)
        if path is not None and path.count("/") >= 1:
            owner, name = path.split("/")[:2]
            if _uses_hits(f"{owner}/{name}", spec):
                return True
    return False


def _command_hits(program: str, args: tuple[str, ...], spec: _Spec) -> bool:
    for want, required in spec.commands:
        if program == want and arguments_hit(args, required):
            return True
    verb = program in _RUNNERS or any(a in _VERBS for a in args)
    if spec.npm and program in _NPM_TOOLS and verb and \
            any(_npm_name(a) in spec.npm for a in args):
        return True
    if spec.pypi and program in _PYPI_TOOLS and verb and \
            any(_pypi_name(a) in spec.pypi for a in args):
        return True
    if spec.nix and program == "nix" and args[:1] == ("install",) and \
            any(a.casefold() in spec.nix for a in args[1:]):
        return True
    if program in _DOWNLOADERS and not _head_only(program, args) and (
            (spec.urls and any(_url_hits(a, spec.urls) for a in args)) or
            (spec.uses and _fetches_action(args, spec))):
        return True
    return bool(spec.images and program in _CONTAINER_TOOLS and
                any(image_name(a) in spec.images for a in container_images(args)))


# curl's short options that take a value: a letter after one of these in a cluster is
# that value (`-oI` writes to a file named I), not an option.
_CURL_VALUED = frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz")


def _head_only(program: str, args: tuple[str, ...]) -> bool:
    """Whether curl is told to send a HEAD request (-I, --head): it fetches headers alone,
    no installer to run."""
    if program != "curl":
        return False
    value = False  # the word is the value of the option before it
    for arg in args:
        if value or arg == "--" or not arg.startswith("-") or arg.startswith("--"):
            value = False
            if arg == "--head":
                return True
            continue
        for k, letter in enumerate(arg[1:], 1):
            if letter == "I":
                return True
            if letter in _CURL_VALUED:
                value = k == len(arg) - 1
                break
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


# Hosts that serve a GitHub repository's files, archives and API under its owner/name.
_GITHUB_ALIASES = ("codeload.github.com/", "api.github.com/repos/", "raw.githubusercontent.com/",
                   "raw.github.com/")


def _url_text(arg: str) -> str:
    """A URL as compared: folded, without scheme and `www.`, GitHub's archive, raw and API
    hosts as github.com, without a clone URL's `.git`."""
    text = _SCHEME.sub("", arg.casefold(), count=1).removeprefix("www.")
    alias = next((a for a in _GITHUB_ALIASES if text.startswith(a)), None)
    if alias is not None:
        text = "github.com/" + text[len(alias):]
    parts = text.split("/", 3)
    if len(parts) > 2 and parts[2].endswith(".git"):
        parts[2] = parts[2][:-4]
        text = "/".join(parts)
    return text


def _github_path(arg: str) -> str | None:
    """The path of a github.com URL (`owner/name/...`), None for any other word."""
    if "github" not in arg.casefold():
        return None
    text = _url_text(arg)
    return text[len("github.com/"):] if text.startswith("github.com/") else None


def _url_hits(arg: str, urls: tuple[str, ...]) -> bool:
    text = _url_text(arg)
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
    kinds: dict[str, list[str]] = {"npm": [], "pypi": [], "url": [], "repo": [], "nix": []}
    for entry in installs:
        kind, _, name = entry.partition(":")
        kinds[kind].append(name.strip())
    npm = frozenset(n.casefold() for n in kinds["npm"])
    pypi = frozenset(_pypi_name(n) for n in kinds["pypi"])
    # A repository is a URL too: what is fetched from under it (launchers.py reads VCS
    # references, shorthands and release downloads as such fetches).
    urls = tuple(_SCHEME.sub("", u.casefold(), count=1).removeprefix("www.").rstrip("/")
                 for u in (*kinds["url"], *kinds["repo"]))
    image_names = frozenset(image_name(i) for i in images)
    nix = frozenset(n.casefold() for n in kinds["nix"])
    triggers = {re.escape(p) for p, _ in commands} | {re.escape(n) for n in (*npm, *urls, *nix)}
    # Other spellings launchers.py reads: `owner/name` of a repository, npm pack's file.
    triggers |= {re.escape(r.casefold().partition("/")[2].removesuffix("/"))
                 for r in kinds["repo"]}
    triggers |= {re.escape(n.removeprefix("@").replace("/", "-")) for n in npm}
    triggers |= {re.escape(i) for i in image_names}
    # gh runs its extension gh-NAME as `gh NAME` (launchers.py).
    triggers |= {rf"\bgh\s+(?:ext\w*\s+exec\s+)?{re.escape(p[3:])}" for p, _ in commands
                 if p.startswith("gh-")}
    # An action's repository fetched (`git clone .../anthropics/claude-code-action`).
    triggers |= {re.escape(action_ref(u).removeprefix("*/")) for u in uses}
    # PyPI names compare with their separators normalized: match any spelling of them.
    triggers |= {"[-_.]+".join(re.escape(p) for p in n.split("-")) for n in pypi}
    return _Spec(uses=tuple(action_ref(u) for u in uses), images=image_names,
                 commands=commands, npm=npm, pypi=pypi, urls=urls, nix=nix,
                 triggers=frozenset(triggers))


# Quotes, backslashes, and the line breaks a backslash continues (`cla\<newline>ude`).
_UNQUOTE = re.compile(r"\\\r?\n|[\"'\\]")
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
_LOOSE_KEY = re.compile(r"""(?:^|[\s{,\[])["']?(uses|image|container|repository|repo)["']?"""
                        r"""\s*:[\s>|+-]*"""
                        r"""["']?([^\s"'{},\[\]#]+)""", re.IGNORECASE)
_BARE_REF = re.compile(r"""\s*["']?([\w.-]+/[\w./-]+@[^\s"']+)["']?\s*""")
_LOOSE_PREFIX = re.compile(r"""\s*(?:-\s+)?(?:["']?[\w.-]+["']?\s*:\s*)?(?:[|>][-+0-9]*\s*)?""")


def _judged_by_lines(rules: dict[str, Rule], judging: dict[str, _Spec],
                     lines: Iterable[bytes], screen: Callable[[str], bool],
                     kinds: frozenset[str] = frozenset({"workflow"}), large: bool = False,
                     given: Choices | None = None) -> dict[str, tuple[int, str]]:
    """A file that is not YAML, or too `large`, judged line by line (a CR alone ends a line
    too): the line patterns, then each line's loose facts (`_loose_facts`), then the
    values that span lines as one text each: a workflow's block scalars, quoted and plain
    values continued on the next lines (`_Values`), and the lines a backslash continues in
    the other kinds (a shell script, a Dockerfile). A large workflow in UTF-16 or UTF-32
    cannot be read by its lines: it is refused (GitError, exit 3). One that is not YAML
    runs nothing on GitHub: it is read as it comes."""
    judge = _LineJudge(rules, judging, screen, kinds, given or {})
    number = 0
    for raw in lines:
        if number == 0 and large and judge.values is not None and raw.startswith(_WIDE_BOMS):
            raise GitError("a workflow in UTF-16 or UTF-32 over 1 MiB cannot be judged by "
                           "its lines; refusing to pass unjudged")
        for piece in raw.removesuffix(b"\r").split(b"\r"):
            number += 1
            judge.line(piece, number)
            if len(judge.matched) == len(rules):
                return judge.matched
    judge.end()
    return judge.matched


class _LineJudge:
    """Judging a file line by line: the rules matched so far (each at its first line), and
    the values that span lines being put together."""

    def __init__(self, rules: dict[str, Rule], judging: dict[str, _Spec],
                 screen: Callable[[str], bool], kinds: frozenset[str], given: Choices,
                 ) -> None:
        self.rules, self.judging, self.screen, self.kinds = rules, judging, screen, kinds
        self.given = given  # what a caller gives the file's inputs
        self.patterns = _with_patterns(rules)
        self.matched: dict[str, tuple[int, str]] = {}
        self.values = _Values() if "workflow" in kinds else None
        self.joined = _Continued()
        # A workflow's env values, and the texts that may read them: judged with them at
        # the end (an `env:` may come after the step that reads it).
        self.env = _LooseEnv() if "workflow" in kinds else None
        self.deferred: list[tuple[int, str | None, str]] = []
        self.size = 0

    def line(self, piece: bytes, number: int) -> None:
        """Judge line `number`: its patterns, its loose facts, and what it ends of a value
        that spans lines."""
        pending = {rid: r for rid, r in self.patterns.items() if rid not in self.matched}
        for rid, (_, evidence) in first_content_matches(pending, [piece]).items():
            self.matched[rid] = (number, evidence)
        if len(self.matched) >= len(self.rules):
            return
        text = piece.decode("utf-8", "replace")
        self.size += len(text) + 1
        self.loose(number, text)
        if self.env is not None:
            self.env.feed(text)
            self.defer(number, None, text)
        if self.values is not None:
            self.spanning(self.values.feed(text, number))
        else:
            whole = self.joined.feed(text, number)
            if whole is not None:
                self.loose(*whole)

    def end(self) -> None:
        """Judge the value that spans lines up to the end of the file."""
        if self.values is not None:
            self.spanning(self.values.end())
        whole = self.joined.end()
        if whole is not None:
            self.loose(*whole)
        self.with_env()

    def defer(self, number: int, key: str | None, text: str) -> None:
        """Keep a text that may read an env value (`$X`, `${{ env.X }}`) for `with_env`."""
        if self.env is not None and ("$" in text and (
                _DOLLAR.search(text) or "env" in text.casefold()
                or (self.given and "inputs" in text.casefold()))):
            self.deferred.append((number, key, text))

    def with_env(self) -> None:
        """Judge again, with each value the file's env gives them, the texts that read
        an env name the file sets (which step sees which env is not known here: every
        value of a name is tried). What that costs is paid from the file's Work."""
        choices = {} if self.env is None else {**self.given, **self.env.choices()}
        if not choices:
            return
        work = Work(self.size)
        for number, key, text in self.deferred:
            names = {f"env.{(a or b).casefold()}" for a, b in _DOLLAR.findall(text)}
            names = {n for n in names | substitution(text).names if n in choices}
            if not names or len(self.matched) >= len(self.rules):
                continue
            raw = _env_expressions(text, names)
            found = substitutions(raw, {n: choices[n] for n in names})
            try:
                if not all(t.judged for t in found):
                    raise Unjudged(f"a line reads more than {MATRIX_LIMIT} combinations "
                                   "of env values")
                for done in found:
                    work.spend(len(done.text))
                    self.judged_text(number, key, done.text)
            except Unjudged as error:
                raise GitError(f"a workflow over 1 MiB could not be judged by its lines: "
                               f"{error}; refusing to pass unjudged") from None

    def judged_text(self, number: int, key: str | None, text: str) -> None:
        if key is None:
            self.loose(number, text)
        else:
            self.judge(_spanning_facts(key, text, number, self.screen), number, None)

    def loose(self, number: int, text: str) -> None:
        """Judge a line (or lines joined by backslashes) by its loose facts."""
        self.judge(_loose_facts(text, number, self.screen, self.kinds), number,
                   printable(text.strip()))

    def spanning(self, finished: list[tuple[int, str, str]]) -> None:
        """Judge values that spanned lines, each as one text."""
        for start, key, text in finished:
            self.judge(_spanning_facts(key, text, start, self.screen), start, None)
            self.defer(start, key, text)

    def judge(self, facts: Iterable[Fact], number: int, evidence: str | None) -> None:
        """Match facts against the rules not matched yet; with `evidence`, a match is
        reported at line `number` with it, else at the fact's own line and evidence."""
        waiting = {rid: s for rid, s in self.judging.items() if rid not in self.matched}
        for fact in facts if waiting else ():
            for rid, spec in waiting.items():
                hit = setups.setup_hits(fact, self.rules[rid]) \
                    if fact.kind in setups.FACT_KINDS else fact_hits(fact, spec)
                if rid not in self.matched and hit:
                    self.matched[rid] = (fact.line if evidence is None else number,
                                         fact.evidence if evidence is None else evidence)


_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _spanning_facts(key: str, text: str, start: int, screen: Callable[[str], bool],
                    ) -> Iterator[Fact]:
    """What a value that spans lines runs: read as shell, and by its literals when they
    may spell a command (the step's `shell:` is not told apart here)."""
    yield from _command_facts(key, text, start, screen)
    if _literals_worth_reading(text, screen):
        yield from _command_facts(key, text, start, screen, "code")


class _Continued:
    """Lines a backslash at their end continues, joined as a shell joins them (the
    backslash and the line break go); each line is joined once, so the cost is linear.
    `feed` gives (first line, joined text) when a joined line ends."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.start = 0
        self.size = 0

    def feed(self, text: str, number: int) -> tuple[int, str] | None:
        continued = (len(text) - len(text.rstrip("\\"))) % 2 == 1
        if not self.parts and not continued:
            return None
        if not self.parts:
            self.start = number
        self.parts.append(text[:-1] if continued else text)
        self.size += len(text)
        if continued and self.size <= MAX_BYTES:
            return None
        return self.end()

    def end(self) -> tuple[int, str] | None:
        if not self.parts:
            return None
        found = (self.start, "".join(self.parts))
        self.parts, self.size = [], 0
        return found


# A line of block YAML: indentation, sequence dashes, an optional `key:`, an anchor or tag,
# then the value. A key is short: bounded, so a long line without one costs linear time.
_ENTRY = re.compile(r"""(?P<indent>[ ]*)(?P<dashes>(?:-[ \t]+)*)"""
                    r"""(?:(?P<key>"[^"\n]{0,256}"|'[^'\n]{0,256}'|[^\s#"'{}\[\],&*!|>%@`]"""
                    r"""[^\n:#]{0,256}?)[ \t]*:(?:[ \t]+|$))?"""
                    r"""(?P<props>(?:[&!][^\s]*(?:[ \t]+|$))*)""")
_BLOCK = re.compile(r"""([|>])[-+0-9]*[ \t]*(?:#.*)?""")
_DOUBLE_ESCAPE = re.compile(r"""\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)""",
                            re.DOTALL)
_DOUBLE_SIMPLE = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n",
                  "v": "\v", "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"',
                  "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
                  "P": "\u2029"}


class _Values:
    """The values of a YAML file read line by line that span lines, each as the one text
    YAML makes of it: a block scalar (`|` keeps its lines, `>` folds them), a quoted
    scalar continued on later lines (folded, escapes decoded), a plain scalar continued
    on more indented lines; and a quoted value on one line, unquoted. Each line is read
    once; a value larger than MAX_BYTES is judged in pieces. `feed` gives (first line,
    key, text) for the values that end."""

    def __init__(self) -> None:
        self.style = ""  # '|', '>', '"', "'", "plain"; "" when no value is open
        self.key = ""
        self.column = 0
        self.start = 0
        self.parts: list[str] = []
        self.size = 0

    def feed(self, text: str, number: int) -> list[tuple[int, str, str]]:
        found: list[tuple[int, str, str]] = []
        if self.style in ('"', "'"):
            end = _quote_end(text, 0, self.style)
            self.add(text.strip() if end < 0 else text[:end].strip())
            if end < 0:
                return self.flush(found) if self.size > MAX_BYTES else found
            return self.close(found)
        if self.style:
            indent = len(text) - len(text.lstrip(" "))
            if not text.strip() or indent > self.column:
                self.add(text)
                return self.flush(found) if self.size > MAX_BYTES else found
            self.close(found)
        self.open(text, number, found)
        return found

    def open(self, text: str, number: int, found: list[tuple[int, str, str]]) -> None:
        entry = _ENTRY.match(text)
        if entry is None or not (entry.group("key") or entry.group("dashes")):
            return
        value = text[entry.end():]
        key = (entry.group("key") or "").strip("\"'").casefold() or "item"
        self.key, self.start = key, number
        self.column = len(entry.group("indent")) + len(entry.group("dashes"))
        block = _BLOCK.fullmatch(value.rstrip())
        if block is not None:
            self.style, self.start = block.group(1), number + 1
        elif value[:1] in ('"', "'"):
            end = _quote_end(value, 1, value[0])
            if end >= 0:
                self.style = value[0]
                self.add(value[1:end])
                self.close(found)
                return
            self.style = value[0]
            self.add(value[1:])
        elif value.strip() and value.lstrip()[:1] not in ("#", "{", "[", "*"):
            self.style = "plain"
            self.add(value.partition(" #")[0])

    def add(self, part: str) -> None:
        self.parts.append(part)
        self.size += len(part) + 1

    def close(self, found: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
        style, parts = self.style, self.parts
        self.style, self.parts, self.size = "", [], 0
        if style in ("|", ">"):
            lines = parts
            indent = min((len(p) - len(p.lstrip(" ")) for p in lines if p.strip()), default=0)
            body = [p[indent:] for p in lines]
            text = "\n".join(body) if style == "|" else " ".join(b.strip() for b in body)
        elif style == "plain":
            if len(parts) < 2:
                return found  # one line: the line's own reading has it
            text = " ".join(p.strip() for p in parts)
        elif style == '"':
            text = _double_quoted(parts)
        else:
            text = " ".join(p.strip() for p in parts).replace("''", "'")
        if text.strip():
            found.append((self.start, self.key, text))
        return found

    def flush(self, found: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
        """Judge what a value too large holds so far, and go on reading its rest."""
        style, key = self.style, self.key
        self.close(found)
        self.style, self.key = style, key
        return found

    def end(self) -> list[tuple[int, str, str]]:
        return self.close([]) if self.style else []


def _quote_end(text: str, i: int, quote: str) -> int:
    """Where the quoted scalar whose text starts at `i` closes, or -1."""
    n = len(text)
    while i < n:
        c = text[i]
        if quote == '"' and c == "\\":
            i += 2
            continue
        if c == quote:
            if quote == "'" and text.startswith("''", i):
                i += 2
                continue
            return i
        i += 1
    return -1


def _double_quoted(parts: list[str]) -> str:
    """A double-quoted scalar's lines as YAML folds them: a line break is a space (an
    empty line, a line break), none after an escaping backslash; escapes decoded."""
    out: list[str] = []
    for i, part in enumerate(parts):
        piece = part if i == 0 else part.lstrip(" \t")
        if i and out:
            previous = out[-1]
            if (len(previous) - len(previous.rstrip("\\"))) % 2 == 1:
                out[-1] = previous[:-1]
            elif not piece:
                out.append("\n")
                continue
            else:
                out.append(" ")
        out.append(piece)

    def decode(match: re.Match[str]) -> str:
        body = match.group(0)[1:]
        if body[0] in "xuU" and len(body) > 1:
            code = int(body[1:], 16)
            return chr(code) if code <= 0x10FFFF else ""
        return _DOUBLE_SIMPLE.get(body, match.group(0))
    return _DOUBLE_ESCAPE.sub(decode, "".join(out))


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
        yield from _loose_workflow_facts(text, number)
        if "{" in text:
            yield from _flow_script_facts(text, number, screen)
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


def _loose_workflow_facts(text: str, number: int) -> Iterator[Fact]:
    """A workflow line's `uses:`, `image:`, `container:`, `repository:` and `repo:` values
    (read a window at a time, so that a long line stays linear), or the line as a lone
    owner/repo@ref."""
    for start in range(0, max(len(text), 1), MAX_MATCH_CHARS):
        for match in _LOOSE_KEY.finditer(text, start, start + MAX_MATCH_CHARS):
            key, found = match.group(1).casefold(), match.group(2)
            if key == "uses":
                yield from _uses_facts(found, number)
            elif key.startswith("repo"):
                yield from repository_facts(key, found, number, shorthand=True)
            else:
                yield _image_fact(key, found, number)
    bare = _BARE_REF.fullmatch(text[:MAX_MATCH_CHARS])
    if bare is not None:
        yield from _uses_facts(bare.group(1), number)


def _flow_script_facts(text: str, number: int, screen: Callable[[str], bool],
                       ) -> Iterator[Fact]:
    """What the scripts of a line's flow mappings run (`steps: [{run: claude -p x}]`):
    each value of a script key after `{` or `,`, quoted or plain, read as shell."""
    i = 0
    while (match := _FLOW_SCRIPT_KEY.search(text, i)) is not None:
        value, i = _flow_value(text, match.end())
        if value.strip():
            yield from _command_facts(match.group(1).casefold(), value, number, screen)


_FLOW_SCRIPT_KEY = re.compile(
    r"""[{,][ \t]*["']?(run|commands?|cmd|script|args|(?:pre-|post-)?entrypoint)["']?"""
    r"""[ \t]*:(?=[ \t"']|$)""", re.IGNORECASE)
_FLOW_PLAIN_END = re.compile(r"""[,{}\[\]]|[ \t]#""")


def _flow_value(text: str, i: int) -> tuple[str, int]:
    """The scalar of a flow mapping that starts at `i` (spaces first), unquoted, and where
    it ends; a plain one ends at a flow indicator or a comment."""
    while i < len(text) and text[i] in " \t":
        i += 1
    if text[i:i + 1] in ('"', "'"):
        quote = text[i]
        end = _quote_end(text, i + 1, quote)
        if end < 0:
            end = len(text)
        inner = text[i + 1:end]
        value = _double_quoted([inner]) if quote == '"' else inner.replace("''", "'")
        return value, end + 1
    stop = _FLOW_PLAIN_END.search(text, i)
    end = len(text) if stop is None else stop.start()
    return text[i:end].strip(), end


class _LooseEnv:
    """The `env:` values of a workflow read line by line: the pairs of a flow mapping
    (`env: {T: claude}`) and of a block mapping under an `env:` line, each name with every
    value the file gives it."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, None]] = {}
        self.block = -1  # the indentation of an open block `env:`, else -1

    def feed(self, text: str) -> None:
        if self.block >= 0:
            if not text.strip() or text.lstrip().startswith("#"):
                return
            indent = len(text) - len(text.lstrip(" "))
            pair = _BLOCK_PAIR.match(text) if indent > self.block else None
            if pair is None:
                self.block = -1
            else:
                self.add(pair.group(1), _flow_value(text, pair.end())[0])
                return
        opened = _BLOCK_ENV.fullmatch(text)
        if opened is not None:
            self.block = len(opened.group(1))
            return
        i = 0
        while (match := _FLOW_ENV.search(text, i)) is not None:
            i = self.flow(text, match.end())

    def flow(self, text: str, i: int) -> int:
        """Read the pairs of a flow mapping from `i`; where the reading stopped."""
        while (pair := _FLOW_PAIR.match(text, i)) is not None:
            value, i = _flow_value(text, pair.end())
            self.add(pair.group(1), value)
            separator = _FLOW_SEPARATOR.match(text, i)
            if separator is None or "}" in separator.group(0):
                break
            i = separator.end()
        return i

    def add(self, name: str, value: str) -> None:
        if value:
            self.values.setdefault(f"env.{name.casefold()}", {})[value] = None

    def choices(self) -> Choices:
        return {name: tuple(values) for name, values in self.values.items()}


_BLOCK_ENV = re.compile(r"""((?:[ ]*-[ \t]+)*[ ]*)["']?env["']?[ \t]*:[ \t]*(?:#.*)?""",
                        re.IGNORECASE)
_BLOCK_PAIR = re.compile(r"""[ ]*["']?([A-Za-z_][A-Za-z0-9_]{0,255})["']?[ \t]*:(?=[ \t]|$)""")
_FLOW_ENV = re.compile(r"""(?:^|[\s{,])["']?env["']?[ \t]*:[ \t]*\{""", re.IGNORECASE)
_FLOW_PAIR = re.compile(r"""[ \t]*["']?([A-Za-z_][A-Za-z0-9_]{0,255})["']?[ \t]*:"""
                        r"""(?=[ \t"']|$)""")
_FLOW_SEPARATOR = re.compile(r"""[ \t]*[,}]""")


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
