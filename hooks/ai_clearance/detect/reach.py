"""The files of a repository that CI reaches: what paths a CI file (a workflow, an action,
a Dockerfile, a setup file) or a script it runs names, and how a named file is read.

A script beside an action (`run: $GITHUB_ACTION_PATH/review.sh`), one a workflow runs
(`run: bash ci/review.sh`), a Docker action's COPYed entrypoint and a JavaScript action's
`require("./run.js")` chain are not CI files by their path, yet CI runs them. The reading
here is lexical on purpose: every word that looks like a relative path of a script is
taken, wherever it sits (a `run:` line, a Dockerfile's COPY, a string literal of a script).
Naming too much only costs a read, since what a named file holds is judged by the same
content rules as the file naming it (only an agent command is a finding); naming too little
would be a way around the check. A relative name is taken from the top, from the naming
file's folder, and from each directory it runs in that is known: a step's or a default
`working-directory`, a constant `cd DIR` / `pushd DIR` / `env -C DIR` before it (also
inside `sh -c "..."`), DIR given directly or by a variable the file sets to a constant
(`D=tools`, an `env:` entry `D: tools`, `${{ env.D }}`).
source/reach.py reads the named files and follows them.

Pure: bytes in, repository paths out; time linear in the input."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ai_clearance.detect.calls import Inputs, local_calls
from ai_clearance.detect.pipelines import compose_file_names, included_files
from ai_clearance.detect.runners import PROGRAMS, language_of, shebang_language
from ai_clearance.detect.taskrunners import runner_includes
from ai_clearance.detect.workflows import ACTION_NAMES, action_files, readings
from ai_clearance.errors import GitError
from ai_clearance.memo import Memo

# Only the start of a larger file is read for names: CI files and scripts are far smaller.
MAX_READ = 1 << 20
# A file naming more paths than this is not one a person wrote: the check fails rather than
# follow some and pass the rest unjudged.
MAX_NAMES = 20000
# How a named file is read; anything else (a README, a JSON file) runs nothing here.
SCRIPT_KINDS = frozenset({"shell", "hash", "slash", "code", "dockerfile", "make", "just",
                          "taskfile", "tox", "compose", "pipeline", "requirements", "conda",
                          "npm", "list-npm", "list-brew", "list-cargo", "list-gem"})
# Files read for what they pull in only (runner_includes).
_INCLUDING = frozenset({"make", "just", "taskfile", "tox", "requirements"})


@dataclass(frozen=True)
class Named:
    """A repository path a file names, with the reading its naming implies (`bash x`:
    "shell"), or None when only the file itself can tell. A local workflow or action the
    file calls with inputs (calls.py) is named with them, read as a workflow."""

    path: str
    hint: str | None = None
    inputs: Inputs = ()

    @property
    def key(self) -> tuple[str, Inputs]:
        """What tells one reading of a path from another: a callee is judged once per
        set of inputs its callers give it."""
        return self.path, self.inputs


# Where a script runs from, in the forms CI and shells write it: the action's own folder,
# the checkout, the script's own folder.
_HERE = "\x01H"  # the folder of the file naming it
_ROOT = "\x01R"  # the top of the repository
_PLACES = [
    (re.compile(r"\$\{\{\s*github\.action_path\s*\}\}|\$\{?GITHUB_ACTION_PATH\}?"
                r"|%GITHUB_ACTION_PATH%|\$env:GITHUB_ACTION_PATH", re.IGNORECASE), _HERE),
    (re.compile(r"\$\(\s*dirname\s+[\"']?\$(?:0|\{0\}|\{?BASH_SOURCE(?:\[0\])?\}?)[\"']?\s*\)"
                r"|\$\{(?:0|BASH_SOURCE(?:\[0\])?)%/\*\}|\$PSScriptRoot|__dirname"
                r"|%~dp0\\?"), _HERE),
    (re.compile(r"\$\{\{\s*github\.workspace\s*\}\}|\$\{?(?:GITHUB_WORKSPACE|CI_PROJECT_DIR"
                r"|BITBUCKET_CLONE_DIR|CIRCLE_WORKING_DIRECTORY|BUILDKITE_BUILD_CHECKOUT_PATH"
                r")\}?|\$env:GITHUB_WORKSPACE|%GITHUB_WORKSPACE%|\$\(\s*pwd\s*\)|\$\{?PWD\}?",
                re.IGNORECASE), _ROOT),
]
# An action or image a workflow uses is no file to read: a folder (`./tools/review`, whose
# action.yml is a CI file itself), a repository, an image.
_USES = re.compile(r"""^([ \t-]*["']?(?:uses|image|container)["']?[ \t]*:)[^\n]*""",
                   re.MULTILINE)
# Words: what quotes, operators and brackets of shell, YAML, JSON and code leave.
_WORD = re.compile(r"""[^\s"'`;|&()<>,\[\]{}=]+""")
# Programs whose next word that is not an option is a script they run, with its reading
# (None: the script's own name or `#!` line tells); shells and interpreters are read by
# runners.language_of.
_RUNS_NEXT = {"source": "shell", ".": "shell", "exec": None, "call": None, "start": None,
              "npx": "slash", "tsx": "slash", "ts-node": "slash", "deno": "slash",
              "bun": "slash", "run": None, "-file": "shell", "-command": None,
              "--script": "hash"}  # `uv run --script X`, `uv add --script X`: Python
_SUFFIXES = frozenset({"sh", "bash", "zsh", "ksh", "dash", "fish", "ps1", "psm1", "cmd",
                       "bat", "py", "rb", "pl", "pm", "js", "mjs", "cjs", "ts", "mts", "cts",
                       "jsx", "tsx"})
_SHELL_SUFFIXES = frozenset({"sh", "bash", "zsh", "ksh", "dash", "fish", "ps1", "psm1",
                             "cmd", "bat"})
_CODE_KINDS = frozenset({"hash", "slash", "code"})
_MODULE = re.compile(r"""(?:\brequire\s*\(|\bimport\s*\(|\bfrom|\bimport)\s*["'`]"""
                     r"""(\.{1,2}/[^"'`\n]{1,512})["'`]""")
_MODULE_ENDS = ("", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx",
                "/index.js", "/index.mjs", "/index.ts")
_DOCKER_COPY = re.compile(r"^[ \t]*(?:ONBUILD[ \t]+)?(?:COPY|ADD)[ \t]+(.*)$",
                          re.IGNORECASE | re.MULTILINE)


def named_paths(path: str, data: bytes, given: Inputs = (), kind: str | None = None,
                ) -> list[Named]:
    """The repository paths the file at `path` (a CI file or a script CI reaches, read as
    `kind` when its name does not tell) names as something that may run, resolved from
    where it sits; paths outside the repository are left out. A workflow or action file
    names the local ones it calls with inputs too, once per set of inputs (`given`: what
    its own caller gives it). GitError past MAX_NAMES."""
    text = data[:MAX_READ].decode("utf-8", "replace")
    folder = posixpath.dirname(path)
    found: dict[str, Named] = {}
    calls: list[Named] = []
    if "workflow" in readings([path]):
        calls = [Named(target, "workflow", inputs)
                 for target, inputs in local_calls(data[:MAX_READ], dict(given))]
    # A task runner's file (a Makefile, justfile, Taskfile, tox.ini) is judged by its own
    # recipe lines and names the files it pulls in (`include`, `import`) and the scripts
    # its recipes run as the command (`./review.sh`, `bash tools/r.sh`, from the directory
    # the recipe runs in), never every word: a project's Makefile names hundreds of its
    # own files (on git/git the chain reached every test script), and every check would
    # fail closed on the reach budget. A requirements file names those it takes in (`-r`).
    kinds = readings([path]) | {kind} if kind is not None else readings([path])
    including = kinds & _INCLUDING
    if "npm" in kinds and not including:
        return calls  # package.json is read for what CI gives its scripts only
    names: Iterable[tuple[str, str | None, tuple[str, ...]]] = [
        *((relative, reading, (folder,)) for runner in sorted(including)
          for relative, reading in runner_includes(runner, text)),
        *_built_images(text, folder), *_package_lists(text, (folder, "")),
        *_recipe_scripts(including, text, folder)] if including else \
        _relative_names(path, data[:MAX_READ], text, folder, kind)
    for relative, reading, bases in names:
        for base in bases:
            target = _resolved(base, relative)
            if target is None or target == path or (
                    target in found and found[target].hint is not None) or (
                    including and reading in readings([target]) and
                    reading not in _CODE_KINDS | {"shell"}):
                continue  # an included file read as such by its own name is judged so
            found[target] = Named(target, reading)
            _bounded(path, len(found) + len(calls))
    _bounded(path, len(found) + len(calls))
    return list(found.values()) + calls


def _bounded(path: str, count: int) -> None:
    if count > MAX_NAMES:
        raise GitError(f"{path} names more than {MAX_NAMES} files that may run; "
                       "refusing to pass unjudged")


def _relative_names(path: str, data: bytes, text: str, folder: str, kind: str | None,
                    ) -> Iterator[tuple[str, str | None, tuple[str, ...]]]:
    """What a file names, as (word, reading, the folders it may be relative to)."""
    kinds = readings([path]) if kind is None else frozenset({kind})
    # Code names its own modules and data files by the hundred (on rails, a Rakefile led to
    # most of the tree): only what it runs is followed.
    code = kinds <= _CODE_KINDS
    yield from _tool_files(text, ("", folder) if folder else ("",))
    yield from _package_lists(text, ("", folder) if folder else ("",))
    yield from _by_kind(path, data, text, folder, kinds)
    yield from _from_directories(path, data, text, code)
    anywhere = ("", folder) if folder else ("",)
    for word, hint in _words(text, code):
        if word.startswith(_HERE):
            yield word[len(_HERE):], hint, (folder,)
        elif word.startswith(_ROOT):
            yield word[len(_ROOT):], hint, ("",)
        else:
            yield word, hint, anywhere


def _by_kind(path: str, data: bytes, text: str, folder: str, kinds: frozenset[str],
             ) -> Iterator[tuple[str, str | None, tuple[str, ...]]]:
    """What a file names by the way its kind names files: GitLab includes, an action's
    scripts, a Dockerfile's COPY sources, the modules code loads from its folder."""
    if path.casefold().endswith((".yml", ".yaml")):
        # (a GitLab wildcard stays one: source/reach.py expands it against the tree)
        yield from ((local, "pipeline", ("",)) for local in _local_includes(text)
                    if _plain(local.lstrip("/").replace("*", "x")))
        # GitLab's includes in flow form, Compose's include and extends (pipelines.py)
        yield from ((name, hint, ("", folder)) for name, hint in included_files(data)
                    if _plain(name.lstrip("/")) or (
                        hint == "pipeline" and _plain(name.lstrip("/").replace("*", "x"))))
    yield from compose_file_names(text, ("", folder) if folder else ("",))
    if path.rpartition("/")[2].casefold() in ACTION_NAMES:
        for _, relative, reading in action_files(data):
            yield relative, reading, (folder,)
    if "dockerfile" in kinds:
        for source in _copied(text):
            yield source, None, (folder, "")
    yield from _named_dockerfiles(text, folder)
    if "slash" in kinds:
        yield from ((module, "slash", (folder,)) for module in _modules(text))
    if "hash" in kinds:
        yield from ((module, "hash", (folder,)) for module in _local_imports(text))


# A Dockerfile a build names by a key: Compose's and a dev container's `build.dockerfile`,
# bake's `dockerfile`; docker/build-push-action's `file:` input.
_DOCKERFILE_KEY = re.compile(r"""["']?dockerfile["']?[ \t]*:[ \t]*["']?([^"'\s#,}]+)""",
                             re.IGNORECASE)
_FILE_INPUT = re.compile(r"""^[ \t]*["']?file["']?[ \t]*:[ \t]*["']?([^"'\s#]+)""",
                         re.MULTILINE)


def _named_dockerfiles(text: str, folder: str,
                       ) -> Iterator[tuple[str, str | None, tuple[str, ...]]]:
    """The Dockerfiles a CI or setup file names by a key (from its folder or the top: a
    build context is one of them most often)."""
    if "dockerfile" in text.casefold():
        for match in _DOCKERFILE_KEY.finditer(text):
            yield match.group(1), "dockerfile", (folder, "")
    if "build-push-action" in text:
        yield from ((m.group(1), "dockerfile", ("",)) for m in _FILE_INPUT.finditer(text))


def _built_images(text: str, folder: str) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """The Dockerfiles and Compose files a task runner's recipes build with (`docker build
    -f NAME`): a runner file names nothing else but what it includes."""
    return [named for named in _tool_files(text, (folder, "") if folder else ("",))
            if named[1] in ("dockerfile", "compose")]


# Where a script changes directory before naming a script: `cd tools && ./review.sh`,
# `cd -- tools`, `Set-Location -Path tools`, `sh -c "cd tools; ..."`, `env -C tools ...`.
_CD = re.compile(r"""(?:^|(?<=[\s;&|("'`]))(?:(?:cd|pushd|chdir|set-location|sl|popd)\b"""
                 r"""(?:[ \t]+(?:--?[A-Za-z]*[ \t]+)*["']?([^\s"';&|()<>]*)["']?)?"""
                 r"""|env(?:[ \t]+(?:-[A-Za-z]*|[A-Za-z_]\w*=\S*))*?[ \t]+"""
                 r"""(?:-C[ \t]*|--chdir[= \t]+)["']?([^\s"';&|()<>]*)["']?)""",
                 re.IGNORECASE)
# A variable a directory is given by (`cd "$DIR"`, `${{ env.D }}`), and how many a
# file's directories are looked up for.
_VARIABLE = re.compile(r"\$\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}|\$\{([A-Za-z_]\w*)\}"
                       r"|\$(?:env:)?([A-Za-z_]\w*)", re.IGNORECASE)
_MAX_VARIABLES = 8
# How many working directories one script (or one step's script) is read under.
_MAX_DIRECTORIES = 8


def _from_directories(path: str, data: bytes, text: str, code: bool,
                      ) -> Iterator[tuple[str, str | None, tuple[str, ...]]]:
    """What a file names relative to a directory it changes to: a step's or a default
    `working-directory` of a workflow or action, and a constant `cd DIR` / `pushd DIR`
    before the words (each word is also taken from the top and the file's folder)."""
    scripts = [(text, "")]
    kinds = readings([path])
    values = _Values(text)
    if "working-directory" in text.casefold() and (
            "workflow" in kinds or path.rpartition("/")[2].casefold() in ACTION_NAMES):
        scripts.extend(_working_scripts(data, values))
    for script, start in scripts:
        for segment, here in _cd_segments(script, start, values):
            if not here:  # the top: the words are taken from there anyway
                continue
            for word, hint in _words(segment, code):
                if not word.startswith((_HERE, _ROOT)):
                    yield word, hint, here


class _Values:
    """The constant values a file gives its variables (`DIR=tools`, `export DIR=tools`,
    an `env:` entry `DIR: tools`), looked up by name when a directory names one; at most
    _MAX_VARIABLES names per file, each found in one pass over its text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[str, list[str]] = {}

    def of(self, name: str) -> list[str]:
        if name not in self.found:
            if len(self.found) >= _MAX_VARIABLES:
                return []
            pattern = re.compile(rf"(?<![\w$.-]){re.escape(name)}[ \t]*[:=][ \t]*"
                                 r"""["']?([^\s"';&|()<>#{},\[\]]+)""")
            values = [m.group(1) for m in pattern.finditer(self.text)]
            self.found[name] = list(dict.fromkeys(values))[:_MAX_DIRECTORIES]
        return self.found[name]

    def words(self, word: str) -> list[str]:
        """`word` with each value its variables may hold put in (itself when it has none
        known)."""
        if "$" not in word:
            return [word]
        for pattern, place in _PLACES:
            word = pattern.sub(place, word)
        words = [""]
        at = 0
        for found in _VARIABLE.finditer(word):
            name = found.group(1) or found.group(2) or found.group(3)
            head = word[at:found.start()]
            words = [w + head + value for w in words
                     for value in self.of(name)][:_MAX_DIRECTORIES]
            at = found.end()
        return [w + word[at:] for w in words]


def _cd_segments(script: str, start: str,
                 values: _Values) -> Iterator[tuple[str, tuple[str, ...]]]:
    """The parts of a script between its `cd`s, each with the folders its relative names
    may be from (a folder named from the start directory, or from the top); none for a
    part in the start directory when that is the top."""
    at = 0
    here: tuple[str, ...] = (start,) if start else ()
    for match in _CD.finditer(script):
        yield script[at:match.start()], here
        at = match.end()
        word = "" if match.group(0).casefold().startswith("popd") else \
            match.group(1) or match.group(2) or ""
        # From each folder it may be in, and from the top when unsure.
        moved = [_directory(each, base) for base in (*here, "")
                 for each in values.words(word)]
        # The folders from the nearest starts: one from each `cd` before would make a
        # script of n `cd`s name n x n paths.
        here = tuple(dict.fromkeys(d for d in moved if d))[-_MAX_DIRECTORIES:] or \
            ((start,) if start else ())
    yield script[at:], here


def _directory(word: str, base: str = "") -> str | None:
    """A constant directory, from folder `base`, as a repository folder ('' for the top);
    None when not known (none given, an expansion, `-`, `~`, an absolute path, outside
    the repository)."""
    if not word:
        return None
    for pattern, place in _PLACES:
        word = pattern.sub(place, word)
    if word.startswith(_ROOT):
        word, base = word[len(_ROOT):].lstrip("/\\"), ""
    if not _plain(word or "."):
        return None
    joined = posixpath.normpath(posixpath.join(base, word.replace("\\", "/")))
    if joined == ".":
        return ""
    return None if joined.startswith("../") or joined == ".." else joined


def _working_scripts(data: bytes, values: _Values) -> list[tuple[str, str]]:
    """Each `run` of a workflow or action with the `working-directory` it runs in (its
    own, else its job's or the workflow's `defaults.run`), when one is known. A mapping or
    script shared by aliases is taken under at most _MAX_DIRECTORIES directories, so the
    scripts returned are at most that many times the file."""
    from yaml import MappingNode, ScalarNode, SequenceNode

    from ai_clearance.detect.workflows import compose

    found: dict[tuple[int, str], str] = {}  # (run scalar, directory) -> its script
    seen: set[tuple[int, str]] = set()
    walks: Counter[int] = Counter()  # directories each mapping and script is taken under
    stack: list[tuple[object, str]] = [(root, "") for root in compose(data) or []]
    while stack:
        node, directory = stack.pop()
        if isinstance(node, SequenceNode):
            stack.extend((item, directory) for item in node.value)
        if not isinstance(node, MappingNode) or (id(node), directory) in seen \
                or walks[id(node)] >= _MAX_DIRECTORIES:
            continue
        seen.add((id(node), directory))
        walks[id(node)] += 1
        default = _value_at(_value_at(_value_at(node, "defaults"), "run"),
                            "working-directory")
        inner = _known_directory(default, directory, values)
        own = _known_directory(_value_at(node, "working-directory"), inner, values)
        run = _value_at(node, "run")
        if isinstance(run, ScalarNode) and own and (id(run), own) not in found \
                and walks[id(run)] < _MAX_DIRECTORIES:
            walks[id(run)] += 1
            found[(id(run), own)] = run.value
        stack.extend((item, inner) for key, item in node.value
                     if isinstance(key, ScalarNode))
    return [(script, directory) for (_, directory), script in found.items()]


def _known_directory(node: object, outer: str, values: _Values) -> str:
    """A `working-directory` value as a folder (the first its variables may give), else
    the one it is under."""
    from yaml import ScalarNode

    if not isinstance(node, ScalarNode):
        return outer
    for word in values.words(node.value):
        named = _directory(word)
        if named is not None:
            return named
    return outer


def _value_at(node: object, key: str) -> object:
    from yaml import MappingNode, ScalarNode

    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value.casefold() == key:
                return v
    return None


# Task runners and the files each reads: (its reading, the names it looks for, the
# options that name another file, those that name the folder it runs in).
_MAKE = ("make", ("Makefile", "makefile", "GNUmakefile"), ("-f", "--file", "--makefile"),
         ("-C", "--directory"))
_RUNNERS = {
    "make": _MAKE, "gmake": _MAKE,
    "just": ("just", ("justfile", "Justfile", "JUSTFILE", ".justfile"),
             ("-f", "--justfile"), ("-d", "--working-directory")),
    "task": ("taskfile", ("Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml",
                          "Taskfile.dist.yml", "Taskfile.dist.yaml"),
             ("-t", "--taskfile"), ("-d", "--dir")),
    "tox": ("tox", ("tox.ini",), ("-c", "--conf"), ()),
    # package.json, whose scripts `npm run X` runs (reached for the environment CI gives)
    **dict.fromkeys(("npm", "pnpm", "yarn"), ("npm", ("package.json",), (),
                                             ("--prefix", "--cwd", "-C", "--dir"))),
    "nox": ("hash", ("noxfile.py",), ("-f", "--noxfile"), ()),
    "rake": ("hash", ("Rakefile", "rakefile", "Rakefile.rb", "rakefile.rb"),
             ("-f", "--rakefile"), ("-C", "--directory")),
    # installers given a file of what to install: `pip install -r x.txt`, `conda env
    # create -f env.yml`
    **dict.fromkeys(("pip", "pip3", "uv"), ("requirements", (), ("-r", "--requirement"), ())),
    **dict.fromkeys(("conda", "mamba", "micromamba"), ("conda", (), ("-f", "--file"), ())),
}
_CONTAINER_TOOLS = frozenset({"docker", "podman", "nerdctl", "buildah", "docker-compose",
                              "podman-compose"})
_COMPOSE_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml",
                  "podman-compose.yml", "podman-compose.yaml")
# `docker stack deploy -c stack.yml`: a Compose file, named by its own option
_STACK = ("compose", (), ("-c", "--compose-file"), ())
_TOOL_WORDS = frozenset({*_RUNNERS, *_CONTAINER_TOOLS})
# How many words after a runner its options are looked for in (the words of a command
# line; a `;` is not seen here, so a few more only name more).
_LOOKAHEAD = 12


def _tool_files(text: str, anywhere: tuple[str, ...],
                ) -> Iterator[tuple[str, str | None, tuple[str, ...]]]:
    """The files a task runner (`make`, `just`, `task`, `tox`, `nox`, `rake`) or a
    container tool (`docker build -f NAME`, `docker compose -f NAME`) a command line runs
    reads: the names it looks for by default, in the folder it runs in, and those its
    options name (`-f NAME`, `-fNAME`, `--file=NAME`; `-C DIR`)."""
    tool: tuple[str | None, tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None = None
    left = 0
    pending: str | None = None  # what the next word names: "file" or "folder"
    # (the lambda reads `left` as it is when the next word is asked for)
    for word in _words_near_tools(text, lambda: left > 0):  # noqa: B023
        if left <= 0 and not _may_be_tool(word):
            continue
        if len(word) > 1024 or word.endswith(":"):
            left = 0
            continue
        name = word.replace("\\", "/").rpartition("/")[2].casefold().removesuffix(".exe")
        if name in _RUNNERS or name in _CONTAINER_TOOLS:
            tool, left, pending = _tool(name), _LOOKAHEAD, None
            if tool[0] is not None:
                yield from ((n, tool[0], anywhere) for n in tool[1])
            continue
        if left <= 0 or tool is None:
            continue
        left -= 1
        reading, names, files, folders = tool
        if reading is None and name in ("compose", "build", "bud", "buildx", "stack"):
            tool = _STACK if name == "stack" else \
                ("compose" if name == "compose" else "dockerfile", *tool[1:])
            yield from ((n, "compose", anywhere) for n in names if name == "compose")
            continue
        value, kind, pending = _option_value(word, pending, files, folders)
        if value is not None and reading is not None and _plain(value):
            yield from ((named, reading, anywhere)
                        for named in _option_files(value, kind, reading, names))


def _words_near_tools(text: str, busy: Callable[[], bool]) -> Iterator[str]:
    """The words of `text` (`_WORD`) as `_tool_files` reads them, less those it would pass
    over: while no tool is being read (`busy` false), from one line naming a tool to the
    next. A project's Makefile has thousands of lines and a few dozen tools; every word of
    each version was looked at (on git/git, 7.7M words, a fifth of a range check). Text
    that is not ASCII is read word by word (casefold can make a tool's name of others)."""
    if not text.isascii():
        yield from _WORD.findall(text)
        return
    lowered = text.lower()
    # where each tool's name is next found (-1: nowhere after): each is looked for forward
    # only, so the whole text is searched once per name
    ahead = {name: lowered.find(name) for name in _TOOL_WORDS}
    at = 0
    while True:
        if not busy():
            hit = _next_name(lowered, at, ahead)
            if hit < 0:
                return
            # from the start of its line (a line break ends a word), at most back to `at`
            at = max(at, text.rfind("\n", 0, hit) + 1)
            end = text.find("\n", hit)
            for word in _WORD.finditer(text, at, len(text) if end < 0 else end):
                at = word.end()
                yield word.group()
            continue
        found = _WORD.search(text, at)
        if found is None:
            return
        at = found.end()
        yield found.group()


def _next_name(lowered: str, at: int, ahead: dict[str, int]) -> int:
    """Where the first tool's name at or after `at` starts (-1: none), `ahead` kept."""
    first = -1
    for name, known in ahead.items():
        where = ahead[name] = lowered.find(name, at) if 0 <= known < at else known
        if where >= 0 and (first < 0 or where < first):
            first = where
    return first


def _option_files(value: str, kind: str | None, reading: str, names: tuple[str, ...],
                  ) -> list[str]:
    """The files an option's value names: the file, or a runner's own names in the folder
    (`tox -c` names a file or a folder)."""
    files = [value] if kind == "file" else []
    if kind == "folder" or reading == "tox":
        files.extend(f"{value}/{name}" for name in names)
    return files


def _may_be_tool(word: str) -> bool:
    """Whether a word may name a task runner or container tool (most words do not)."""
    return word.casefold() in _TOOL_WORDS or "/" in word or "\\" in word or "." in word


def _tool(name: str) -> tuple[str | None, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A runner's entry, or a container tool's (its reading known once `build` or
    `compose` is seen, but for `docker-compose`)."""
    return _RUNNERS.get(name) or ("compose" if name.endswith("compose") else None,
                                  _COMPOSE_FILES, ("-f", "--file"), ())


def _option_value(word: str, pending: str | None, files: tuple[str, ...],
                  folders: tuple[str, ...]) -> tuple[str | None, str | None, str | None]:
    """(the file or folder `word` names, which of the two, what the next word names):
    `word` is the value of an option the last word was (`pending`), an option whose value
    follows, or a short option with its value (`-fci.mk`)."""
    if pending is not None:
        return word, pending, None
    if word in files or word in folders:
        return None, None, "file" if word in files else "folder"
    for option in (*files, *folders):
        if len(option) == 2 and word.startswith(option) and len(word) > 2:
            return word[2:], "file" if option in files else "folder", None
    return None, None, None


# ------------------------------------------------------------------------------ recipes
# Where one simple command of a recipe ends and the next starts.
_COMMAND_BREAK = re.compile(r"&&|\|\||[;|&\n(){}]|\bthen\b|\bdo\b|\belse\b")
# Words before a command's program that leave it the program: assignments, `exec`...
_PREFIXES = frozenset({"exec", "command", "builtin", "time", "nice", "nohup", "sudo", "env",
                       "xvfb-run", "!"})
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=\S*")
# What taskrunners.py puts for a variable whose value it does not know.
_UNKNOWN_VARIABLE = re.compile(r"\A(?:MAKEVAR|JUSTVAR|TASKVAR)(?=[./])")


def _recipe_scripts(kinds: frozenset[str], text: str, folder: str,
                    ) -> Iterator[tuple[str, str | None, tuple[str, ...]]]:
    """The scripts a task runner's recipes run as their command (a path as the program, or
    the script an interpreter is given), each from the directory its recipe runs in: the
    file's folder, a justfile's `[working-directory]` or `set working-directory`, a
    Taskfile task's `dir`, tox's `changedir`, then each `cd DIR` in the line."""
    from ai_clearance.detect.taskrunners import recipe_directories

    values: _Values | None = None
    for directory, command in recipe_directories(sorted(kinds), text):
        if not _runs_script(command):
            continue  # runs no path and no interpreter: most recipe lines
        start = _directory(directory, folder) if directory else folder
        if start is None:
            start = folder
        values = values or _Values(text)
        for segment, here in _cd_segments(command, start, values):
            for word, hint in _command_scripts(segment):
                yield word, hint, here or (start,)


# A command that runs a path (`./x`, `tools/x`, `$(Q)./x`) or an interpreter, at the start
# of a line or after an operator: what a recipe line must hold to be looked at further.
_RUNS_SCRIPT = re.compile(r"(?:^|[;&|(]|\bdo\b|\bthen\b)[ \t]*"
                          r"(?:[A-Za-z_]\w*=[^\s;&|()]*[ \t]+){0,8}"
                          r"(?:(?:exec|env|command|sudo|time)[ \t]+){0,4}"
                          r"(?:[\w.-]*/|(?:ba|z|da|k)?sh[ \t]|python[\d.]*[ \t]|node[ \t]"
                          r"|perl[ \t]|ruby[ \t]|pwsh[ \t]"
                          r"|deno[ \t]|bun[ \t]|tsx[ \t]|php[ \t]|source[ \t]|\.[ \t])")


def _runs_script(command: str) -> bool:
    """Whether a recipe line may run a script (`_RUNS_SCRIPT`), remembered by its text:
    the versions of a Makefile share most of their lines."""
    known = _RUNS.get(command)
    if known is None:
        known = _RUNS.put(command, _RUNS_SCRIPT.search(command) is not None)
    return known


def _first_installer_piece(text: str) -> int:
    """Where the paragraph of `text` that the first `_INSTALLER` match is in starts (the
    end of `text` when none has one): a match never spans a line break, so paragraphs
    are looked at apart, each remembered by its text (one search of a 130 KiB Makefile
    costs 20 ms, and its versions share most paragraphs)."""
    if len(text) < _WHOLE_TEXT:
        return 0
    at = 0
    for piece in text.split("\n\n"):
        known = _INSTALLS.get(piece)
        if known is None:
            known = _INSTALLS.put(piece, _INSTALLER.search(piece) is not None)
        if known:
            return at
        at += len(piece) + 2
    return len(text)


# Recipe lines and paragraphs met lately, what a search found in each (characters kept
# bounded); texts shorter than _WHOLE_TEXT are searched whole.
_PIECES_KEPT = 4 << 20
_RUNS: Memo[str, bool] = Memo(_PIECES_KEPT, cost=lambda text, _: len(text) + 1)
_INSTALLS: Memo[str, bool] = Memo(_PIECES_KEPT, cost=lambda text, _: len(text) + 1)
_WHOLE_TEXT = 4096


def _command_scripts(segment: str) -> Iterator[tuple[str, str | None]]:
    """The script each simple command of a shell segment runs: its program when that is a
    path of a file (`./review.sh`, `tools/r`), or the first word an interpreter is given
    that is no option (`bash -e tools/r.sh`, `python3 -m x` names none)."""
    for simple in _COMMAND_BREAK.split(segment):
        words = simple.split()
        while words and (words[0] in _PREFIXES or _ASSIGNMENT.fullmatch(words[0])):
            words.pop(0)
        # its words as a file name may be written (`"x.sh"`, `2>/dev/null` no name), a
        # runner's unknown variable before the program (`$(QUIET)./x.sh`) dropped
        words = [_UNKNOWN_VARIABLE.sub("", w) for w in _WORD.findall(" ".join(words))]
        if not words:
            continue
        first = words[0]
        name = first.rpartition("/")[2].casefold()
        program = _program(first, name) if "/" not in first or first.startswith("/") \
            else None
        if program is None:
            if "/" in first and _plain(first) and not first.startswith("/"):
                yield first, None
            continue
        for word in words[1:]:
            if word in ("-m", "-c", "-e") and name not in ("bash", "sh", "zsh", "dash"):
                break  # a module or code, not a file
            if word.startswith("-"):
                continue
            if _plain(word) and ("/" in word or "." in word):
                yield word, program[0]
            break


# An installer given what to install by another command that reads a file: `npm i -g
# $(cat tools.txt)`, `$(< tools.txt)`, `xargs -a tools.txt pip install`, `cat tools.txt |
# xargs npm i -g`, `xargs brew install < Brewfile.txt`, a `while read` loop's `done < x`.
_INSTALLER = re.compile(r"(?<![\w.-])(npm|pnpm|yarn|bun|pip3?|uv|pipx|brew|cargo|gem)"
                        r"(?:[ \t]+[^\s;&|<>()`]+){0,3}?[ \t]+(?:i|install|add)(?![\w-])")
_READS_FILE = re.compile(r"\$\(|`|\bxargs\b|<")
# Each installer's list, by the reading of its file (manifests.py: `list-npm` is npm
# package names a word each, `requirements` pip's).
_LIST_KINDS = {"npm": "list-npm", "pnpm": "list-npm", "yarn": "list-npm", "bun": "list-npm",
               "pip": "requirements", "pip3": "requirements", "uv": "requirements",
               "pipx": "requirements", "brew": "list-brew", "cargo": "list-cargo",
               "gem": "list-gem"}
# How many lines before a `done < FILE` its loop's installer may be on.
_LOOP_LINES = 20


def _package_lists(text: str, anywhere: tuple[str, ...],
                   ) -> Iterator[tuple[str, str | None, tuple[str, ...]]]:
    """The files a line that installs packages takes their names from (a word with a '/'
    or a '.' on a line whose installer is given another command's output or input), each
    read as that installer's list. Only lines that hold an installer are looked at."""
    first = _INSTALLER.search(text, _first_installer_piece(text))
    if first is None:
        return
    lines = text[text.rfind("\n", 0, first.start()) + 1:].split("\n")
    last: tuple[int, str] | None = None  # the last installer line: (index, its reading)
    for number, line in enumerate(lines):
        installer = _INSTALLER.search(line)
        if installer is not None:
            last = (number, _LIST_KINDS[installer.group(1)])
        if installer is not None and _READS_FILE.search(line):
            reading, given = last[1] if last else None, line
        elif "done" in line and "<" in line and last and number - last[0] <= _LOOP_LINES:
            reading, given = last[1], line.partition("<")[2]
        else:
            continue
        for word in _WORD.findall(given):
            if ("/" in word or "." in word) and _plain(word) and len(word) <= 1024 \
                    and not word.endswith(":"):
                yield word, reading, anywhere


# GitLab's `include:` of a file of the same repository: `- local: ci/x.yml`, or a path
# written alone (`include: ci/x.yml`, `- ci/x.yml` under it).
_LOCAL = re.compile(r"""^[ \t]*(?:-[ \t]*)?["']?local["']?[ \t]*:[ \t]*["']?([^"'#\s]+)""",
                    re.MULTILINE)
_INCLUDE = re.compile(r"""^([ \t]*)["']?include["']?[ \t]*:[ \t]*(.*)$""", re.MULTILINE)
_INCLUDED = re.compile(r"""[ \t]*(?:-[ \t]*)?["']?([^"'#\s:{}\[\]]+\.ya?ml)["']?[ \t]*(?:#.*)?""")


def _local_includes(text: str) -> Iterator[str]:
    """The repository files a GitLab CI file includes (`include: local:` and the short
    forms), whose jobs run as its own: each is read as a GitLab pipeline file."""
    if "local" not in text and "include" not in text:
        return
    for match in _LOCAL.finditer(text):
        yield match.group(1)
    for match in _INCLUDE.finditer(text):
        value = match.group(2).strip()
        if value:
            single = _INCLUDED.fullmatch(value)
            if single is not None and "://" not in value:
                yield single.group(1)
            continue
        indent = len(match.group(1))
        for line in _lines_after(text, match.end(), _MAX_INCLUDES):
            stripped = line.lstrip(" \t")
            if not stripped or stripped.startswith("#"):
                continue
            if len(line) - len(stripped) < indent or (
                    len(line) - len(stripped) == indent and not stripped.startswith("-")):
                break
            item = _INCLUDED.fullmatch(line)
            if item is not None and "://" not in line:
                yield item.group(1)


# The lines under one `include:` looked at: a file includes a few.
_MAX_INCLUDES = 200


def _lines_after(text: str, end: int, count: int) -> Iterator[str]:
    """Up to `count` lines after the one ending at `end`, without copying the rest."""
    start = end + 1
    while count > 0 and start < len(text):
        stop = text.find("\n", start)
        stop = len(text) if stop < 0 else stop
        yield text[start:stop]
        start, count = stop + 1, count - 1


def _modules(text: str) -> Iterator[str]:
    """The relative modules JavaScript code loads (`require("./run")`, `import "../x.js"`),
    with each file name Node or a bundler may give one that has no suffix."""
    for spec in _MODULE.findall(text):
        named = spec.rpartition("/")[2]
        for end in ("",) if named.rpartition(".")[2] in _SUFFIXES else _MODULE_ENDS:
            yield spec + end


# Ruby's `require_relative "x"` and Python's import of a module beside the script (a script's
# own folder is first on Python's path): code a script CI runs loads from its folder.
_RUBY_RELATIVE = re.compile(r"""\brequire_relative[ \t(]+["']([^"'\n]{1,512})["']""")
_PYTHON_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+\.?([A-Za-z_]\w*)[\w.]*[ \t]+import\b"
                            r"|import[ \t]+([A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*))",
                            re.MULTILINE)


def _local_imports(text: str) -> Iterator[str]:
    """The files of its own folder a Ruby or Python script loads, as they may be named."""
    for spec in _RUBY_RELATIVE.findall(text):
        yield spec if spec.endswith(".rb") else spec + ".rb"
    if "import" not in text:
        return
    for package, modules in _PYTHON_IMPORT.findall(text):
        for module in [package] if package else re.split(r"[ \t]*,[ \t]*", modules):
            yield f"{module}.py"
            yield f"{module}/__init__.py"


def _resolved(base: str, relative: str) -> str | None:
    """`relative` (a word: `./x.sh`, `ci\\x.cmd`) from folder `base`; None when it leaves
    the repository or is no file name."""
    relative = relative.replace("\\", "/").lstrip("/")
    if not relative or relative.endswith("/") or "\0" in relative:
        return None
    target = posixpath.normpath(posixpath.join(base, relative))
    if target in (".", "..") or target.startswith("../"):
        return None
    return target


def _words(text: str, code: bool = False) -> list[tuple[str, str | None]]:
    """The words of `text` that may name a script, each with the reading its runner
    implies: a word with a '/' or a script's suffix, and the word after a program that
    runs one (`bash review`, `python -u tool`, `npx tsx tool`). In `code`, only what runs
    as a program: the word after such a program, a shell script's name, and a name
    written from a folder (`./x`, `$(dirname $0)/x`)."""
    text = _USES.sub(r"\1", text)
    for pattern, place in _PLACES:
        text = pattern.sub(place, text)
    words: list[tuple[str, str | None]] = []
    runner: tuple[str | None] | None = None  # the reading of the script the last word runs
    for word in _WORD.findall(text):
        # Most words are none of these: a plain word that names no program, after none.
        if runner is None and "/" not in word and "\\" not in word and "." not in word \
                and "\x01" not in word and word.casefold() not in _PROGRAM_WORDS \
                and not _PYTHON_WORD.match(word):
            continue
        if len(word) > 1024 or word.endswith(":"):  # a YAML key, not a file
            runner = None
            continue
        name = word.replace("\\", "/").rpartition("/")[2].casefold().removesuffix(".exe")
        program = _program(word, name, code)
        if program is not None:
            runner = program
            continue
        if runner is not None and word.startswith(("-", "/")):
            continue  # an option of the runner: the script may follow
        if not _plain(word):
            runner = None
            continue
        if runner is not None:
            words.append((word, runner[0]))
        elif _names_script(word, name, code):
            words.append((word, None))
        runner = None
    return words


def _names_script(word: str, name: str, code: bool) -> bool:
    """A word (not after a program that runs it) that may name a script: in code, only a
    shell script's name or one written from a folder."""
    suffix = name.rpartition(".")[2] if "." in name else ""
    if code:
        return suffix in _SHELL_SUFFIXES or word.startswith(("./", ".\\", _HERE, _ROOT))
    return "/" in word.replace("\\", "/") or suffix in _SUFFIXES


# The words _program may take for a program (without a folder or `.exe`), but Python's.
# The calls by which code runs a program, its name the next word (`subprocess.run`,
# Ruby's `system`, Node's `execSync`).
_EXEC_CALLS = frozenset({"system", "run", "call", "check_call", "check_output", "popen",
                         "spawn", "spawnsync", "exec", "execsync", "execfile",
                         "execfilesync", "execa", "execasync", "spawn_async", "capture2",
                         "capture3", "popen3", "open3", "shell"})
_PROGRAM_WORDS = frozenset({*_RUNS_NEXT, *PROGRAMS, *_EXEC_CALLS})
_PYTHON_WORD = re.compile(r"py", re.IGNORECASE)


def _program(word: str, name: str, code: bool = False) -> tuple[str | None] | None:
    """For a program that runs a script (`bash`, `/usr/bin/python3`, `npx`: not a script
    of the repository), or in `code` a call that runs a program (`subprocess.run`,
    `system`), the reading of that script; None for any other word."""
    if "/" in word and not word.startswith("/"):
        return None
    if name in _RUNS_NEXT and "/" not in word:
        return (_RUNS_NEXT[name],)
    language = language_of(name)
    if language == "code":
        return (None,) if code and name.rpartition(".")[2] in _EXEC_CALLS else None
    return (language,)


def _plain(word: str) -> bool:
    """A word that can name a file as written: no expansion, wildcard or URL left in it."""
    rest = word.removeprefix(_HERE).removeprefix(_ROOT)
    if rest != word:
        rest = rest.lstrip("/\\")
    return bool(rest) and _UNPLAIN.search(rest) is None \
        and not rest.startswith(("-", "@", "+", "/"))


# An expansion, a wildcard, a comment or a URL: what a file name as written never holds.
_UNPLAIN = re.compile("[$%*?~!#\x01]|://")


def _copied(text: str) -> list[str]:
    """The sources of a Dockerfile's COPY and ADD lines (the build context is its folder
    or the top of the repository): all words but the last, options and URLs left out."""
    sources: list[str] = []
    for match in _DOCKER_COPY.finditer(text):
        args = match.group(1).strip()
        if args.startswith("["):
            words = re.findall(r'"((?:[^"\\]|\\.)*)"', args)
        else:
            words = [w for w in args.split() if not w.startswith("--")]
        sources.extend(w for w in words[:-1] if "://" not in w and not w.startswith("<<"))
    return sources


def reached_kind(path: str, head: bytes, hint: str | None) -> str | None:
    """How a file CI reaches is read: by its name (a script's suffix, a Dockerfile), else
    by its `#!` line, else as the program that runs it implies; None when it is no script
    (data, documents), which then runs nothing here. A workflow or action a file calls is
    read as one (its hint says so)."""
    if hint == "workflow":
        return hint
    kinds = readings([path]) & SCRIPT_KINDS
    if kinds:
        return min(kinds)
    language = shebang_language(head[:4096].decode("utf-8", "replace"))
    if language is not None:
        return language
    return hint if hint in SCRIPT_KINDS else None
