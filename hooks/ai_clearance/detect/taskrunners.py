"""Task runners' files, which CI runs through `make review`, `just review`, `task review`
or `tox -e review`: the command lines each holds, to be judged as shell.

- a Makefile (Makefile, makefile, GNUmakefile, *.mk): its recipe lines (tab-indented, a
  `target: ; command` too, continuations joined, the `@`, `-` and `+` prefixes dropped,
  `$$` as the shell sees it) and the commands of `$(shell ...)`;
- a justfile (justfile, .justfile): the indented lines of its recipes (`@` and `-`
  dropped) and its backtick commands;
- tox.ini: each line of `commands`, `commands_pre` and `commands_post`.

A Taskfile (Taskfile.yml) is YAML and read by pipelines.py (`cmds`, `cmd`); a Rakefile
and a noxfile.py are code, read by their literals (`sh "claude -p x"`,
`session.run("claude", "-p", ...)`) as any Ruby or Python file is.

Pure and linear in the text: each line is looked at a bounded number of times."""

from __future__ import annotations

import re

from ai_clearance.memo import Memo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

RUNNER_KINDS = frozenset({"make", "just", "taskfile", "tox", "nox"})
# Folded file names and how each is read (setups.setup_readings).
RUNNER_NAMES = {
    "makefile": frozenset({"make"}),
    "gnumakefile": frozenset({"make"}),
    "justfile": frozenset({"just"}),
    ".justfile": frozenset({"just"}),
    **dict.fromkeys(("taskfile.yml", "taskfile.yaml", "taskfile.dist.yml",
                     "taskfile.dist.yaml"), frozenset({"taskfile"})),
    "tox.ini": frozenset({"tox"}),
    "noxfile.py": frozenset({"hash", "nox"}),  # code, and what its sessions install
    "rakefile": frozenset({"hash"}),
}

# `target: prerequisites ; command` (no `=`: `x := a;b` assigns).
_INLINE_RECIPE = re.compile(r"[^#=:;\n]*:[^=;#\n]*;(.*)")
_MAKE_SHELL = re.compile(r"\$[({]shell[ \t]+([^)}\n]*)")
_BACKTICK = re.compile(r"`([^`\n]+)`")
_TOX_KEY = re.compile(r"[ \t]*(commands(?:_pre|_post)?|deps)[ \t]*[=:](.*)", re.IGNORECASE)


def runner_lines(kind: str, text: str) -> list[tuple[int, str, str]]:
    """The commands a task runner's file of `kind` holds, as (1-based line, what holds
    it, command line). The last few files' are remembered: a version is judged for what
    its recipes run and read for the scripts they name, one after the other."""
    key = (kind, text)
    found = _READ.get(key)
    if found is None:
        found = _runner_lines(kind, text)
        if len(_READ) >= _READ_MEMO:
            _READ.pop(next(iter(_READ)))
        _READ[key] = found
    return found


_READ_MEMO = 8
_READ: dict[tuple[str, str], list[tuple[int, str, str]]] = {}


def _runner_lines(kind: str, text: str) -> list[tuple[int, str, str]]:
    if kind == "make":
        return _make(text)
    lines = text.split("\n")
    if kind == "just":
        return _just(lines)
    if kind == "tox":
        return _tox(lines)
    if kind == "nox":
        return _nox(text)
    return []


def _logical(lines: list[str], i: int) -> tuple[str, int]:
    """The line at `i` with the lines its trailing backslashes continue onto (joined as a
    shell reads them), and the index after them."""
    parts = [lines[i]]
    i += 1
    while parts[-1].endswith("\\") and i < len(lines):
        parts.append(lines[i].lstrip("\t"))
        i += 1
    return "\n".join(parts), i


# A make variable's simple definition (`AGENT = claude`, `X := y`, `Y ?= z`), exported
# too (`export AGENT = claude`: a recipe's shell sees it as $AGENT).
_MAKE_DEFINITION = re.compile(r"(export[ \t]+)?([A-Za-z_][\w.-]*)[ \t]*(?:::=|[:?+!]?=)"
                              r"[ \t]*(.*)")
# What make puts in before the shell reads a recipe: `$$` (a `$` for the shell, and with
# the name of an exported variable after it, its value), a plain variable `$(NAME)` /
# `${NAME}`, an automatic variable (`$@`, `$<`, `$^`...).
_MAKE_REFERENCE = re.compile(r"\$\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))?"
                             r"|\$\(([A-Za-z_][\w.-]*)\)|\$\{([A-Za-z_][\w.-]*)\}"
                             r"|\$[@<^?*+|%]")
# A value longer than this is not put in (each reference could copy it): the reference
# stays a plain word, as an unknown value is.
_MAX_VALUE = 256


def _expanded(command: str, known: dict[str, str]) -> str:
    """A recipe line as make hands it to the shell: its simple variables' values put in
    (once, not recursively), other references as a plain word, `$$` as `$`. Without this
    every recipe looks like words the shell puts together (`$(CC) -o $@`), and is read in
    full: on git/git most of a range check's time."""
    def put(match: re.Match[str]) -> str:
        if match.group().startswith("$$"):
            shell = match.group(1) or match.group(2)
            value = known.get(_EXPORTED + shell) if shell else None
            return match.group()[1:] if value is None or len(value) > _MAX_VALUE else value
        name = match.group(3) or match.group(4)
        value = known.get(name) if name else None
        return value if value is not None and len(value) <= _MAX_VALUE else "MAKEVAR"
    return _MAKE_REFERENCE.sub(put, command)


def _definitions(lines: list[str]) -> list[tuple[str, str]]:
    """The simple variables a Makefile's lines define, in order (the last of each wins)."""
    known: list[tuple[str, str]] = []
    for line in lines:
        match = _MAKE_DEFINITION.match(line) if not line.startswith("\t") else None
        if match is not None:
            known.append((match.group(2), match.group(3).strip()))
            if match.group(1):
                known.append((_EXPORTED + match.group(2), match.group(3).strip()))
    return known


# How the value an exported variable gives a recipe's shell is kept beside make's own.
_EXPORTED = "\x00"


# Each version of a Makefile a range changes repeats most of it (git/git's: 17 ms a
# version read whole). It is read by paragraphs (up to an empty line, which ends any
# continued line): the definitions of a paragraph met before are remembered by its text,
# and its commands by its text and the values of the variables it may refer to (a file
# that adds to one variable changes `known` in most versions, not what most recipes get).
_PARAGRAPHS_KEPT = 1 << 22  # characters of paragraphs remembered, the oldest forgotten
# Every name a paragraph may refer to, whatever the `$$` before it (more than it does);
# `$$X` and `$${X}` may read an exported X.
_MAKE_NAMES = re.compile(r"\$[({]([A-Za-z_][\w.-]*)|\$\$\{?([A-Za-z_]\w*)")


def _read_paragraphs(pieces: list[str], paragraphs: list[list[str]],
                     ) -> list[tuple[int, str, str]]:
    """The commands of a Makefile's paragraphs (`pieces` their texts), what the paragraphs
    met lately hold remembered (`_DEFINITIONS`, `_COMMANDS`)."""
    known: dict[str, str] = {}
    names: list[tuple[str, ...]] = []
    for piece, lines in zip(pieces, paragraphs, strict=True):
        held = _DEFINITIONS.get(piece)
        if held is None:
            held = _DEFINITIONS.put(piece, (_definitions(lines), tuple(dict.fromkeys(
                name or _EXPORTED + shell for name, shell in _MAKE_NAMES.findall(piece)))))
        known.update(held[0])
        names.append(held[1])
    found: list[tuple[int, str, str]] = []
    start = 0
    for piece, lines, read in zip(pieces, paragraphs, names, strict=True):
        key = (piece, tuple(known.get(name) for name in read))
        commands = _COMMANDS.get(key)
        if commands is None:
            commands = _COMMANDS.put(key, _make_lines(lines, known))
        found.extend((start + line, holder, command) for line, holder, command in commands)
        start += len(lines)
    return found


# What the paragraphs met lately hold, half of _PARAGRAPHS_KEPT each: a paragraph's
# definitions and the names it may read, by its text; its commands, by its text and the
# values of those names.
_DEFINITIONS: Memo[str, tuple[list[tuple[str, str]], tuple[str, ...]]] = Memo(
    _PARAGRAPHS_KEPT // 2, cost=lambda piece, _: len(piece))
_COMMANDS: Memo[tuple[str, tuple[str | None, ...]], list[tuple[int, str, str]]] = Memo(
    _PARAGRAPHS_KEPT // 2, cost=lambda key, _: len(key[0]))


def _make(text: str) -> list[tuple[int, str, str]]:
    """The commands of a Makefile, read by paragraphs (as `_make_lines` reads it whole)."""
    pieces = text.split("\n\n")
    paragraphs = [[*piece.split("\n"), ""] for piece in pieces[:-1]] + [pieces[-1].split("\n")]
    # each paragraph known by the text of its lines: the last has no empty line after it
    return _read_paragraphs([piece + "\n" for piece in pieces[:-1]] + pieces[-1:], paragraphs)


def _make_lines(lines: list[str], known: dict[str, str]) -> list[tuple[int, str, str]]:
    """The commands of a Makefile's `lines`, the variables `known` put in."""
    found: list[tuple[int, str, str]] = []
    i = 0
    while i < len(lines):
        start = i
        line, i = _logical(lines, i)
        for match in _MAKE_SHELL.finditer(line):
            found.append((start + 1, "$(shell)", match.group(1)))
        if line.startswith("\t"):
            command = line.lstrip().lstrip("@-+ \t")
        else:
            inline = _INLINE_RECIPE.match(line)
            if inline is None:
                continue
            command = inline.group(1).lstrip().lstrip("@-+ \t")
        if command and not command.startswith("#"):
            found.append((start + 1, "recipe", _expanded(command, known)))
    return found


# A justfile's variable (`agent := "claude"`, `export AGENT := 'x'`) and a recipe
# parameter's default (`review agent="claude":`), and a `{{ name }}` put in a recipe.
_JUST_DEFINITION = re.compile(r"(?:export[ \t]+)?([A-Za-z_][\w-]*)[ \t]*:=[ \t]*(.*)")
_JUST_PARAMETER = re.compile(r"""[ \t][+*$]?([A-Za-z_][\w-]*)=("[^"\n]*"|'[^'\n]*'|[^\s:'"]+)""")
_QUOTED = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'""")
_JUST_REFERENCE = re.compile(r"\{\{(?!\{)[ \t]*([^{}\n]{0,256}?)[ \t]*\}\}")
_JUST_NAME = re.compile(r"[A-Za-z_][\w-]*")


def _just_value(expression: str) -> str:
    """A just expression's value as far as constant: its quoted strings joined (`+` and
    `/` put them together), else the bare word it is."""
    literals = [m.group(1) if m.group(1) is not None else m.group(2)
                for m in _QUOTED.finditer(expression)]
    if literals:
        joiner = "/" if "/" in _QUOTED.sub("", expression) else ""
        return joiner.join(literals)
    return expression.strip()


def _just_definitions(lines: list[str]) -> dict[str, str]:
    """The variables and parameter defaults a justfile sets (the last of each name wins;
    a value naming another variable is that variable's value)."""
    known: dict[str, str] = {}
    for line in lines:
        if line[:1] in (" ", "\t") or not line:
            continue
        match = _JUST_DEFINITION.match(line)
        if match is not None:
            known[match.group(1)] = _just_value(match.group(2))
        elif ":" in line and "{{" not in line:
            for parameter in _JUST_PARAMETER.finditer(line.partition(":")[0]):
                known[parameter.group(1)] = _just_value(parameter.group(2))
    return {name: known.get(value, value) for name, value in known.items()}


def _templated(command: str, reference: re.Pattern[str], known: dict[str, str],
               name_of: Callable[[str], str | None], unknown: str, budget: list[int],
               ) -> str:
    """`command` with each template reference that names a known variable given its value
    (up to _MAX_VALUE characters), any other as the plain word `unknown`; `budget` holds
    what the values may still add to the file, all told."""
    def put(match: re.Match[str]) -> str:
        name = name_of(match.group(1))
        value = known.get(name) if name is not None else None
        if value is None or len(value) > min(_MAX_VALUE, budget[0]):
            return unknown
        budget[0] -= len(value)
        return value.replace("\n", " ")  # each line keeps its number
    return reference.sub(put, command)


# What template values may add to a text beyond its own size: the expanded text stays
# within twice its size and this (linear, whatever the references).
_MAX_GROWTH = 1 << 16


def _just_name(inner: str) -> str | None:
    found = _JUST_NAME.fullmatch(inner)
    return found.group() if found is not None else None


def _just(lines: list[str]) -> list[tuple[int, str, str]]:
    found: list[tuple[int, str, str]] = []
    known = _just_definitions(lines) if any("{{" in line for line in lines) else {}
    budget = [sum(map(len, lines)) + _MAX_GROWTH]
    i = 0
    while i < len(lines):
        start = i
        line, i = _logical(lines, i)
        if line[:1] in (" ", "\t"):
            command = line.lstrip().lstrip("@- \t")
            if command and not command.startswith("#"):
                if "{{" in command:
                    command = _templated(command, _JUST_REFERENCE, known, _just_name,
                                         "JUSTVAR", budget)
                found.append((start + 1, "recipe", command))
        else:
            found.extend((start + 1, "backtick", m.group(1)) for m in _BACKTICK.finditer(line))
    return found


# A Go template's reference to a Taskfile variable: `{{.AGENT}}`, `{{ .AGENT | trim }}`.
_TASK_REFERENCE = re.compile(r"\{\{-?[ \t]*\.([A-Za-z_]\w*)[^{}\n]{0,256}?\}\}")


def taskfile_text(data: bytes) -> bytes:
    """A Taskfile with the values of its `vars` (the file's and each task's, read as one
    set, last wins; a `sh:` one is unknown) put in for their `{{.NAME}}` references, as
    Task does before a command runs. Values over _MAX_VALUE characters, and any unknown
    name, become a plain word. Unchanged when the file has no references."""
    if b"{{" not in data or b"vars" not in data:
        return data
    from ai_clearance.detect.devtools import mapping_items, yaml_root

    root = yaml_root(data)
    known: dict[str, str] = {}
    tasks = [value for key, value in mapping_items(root) if key == "tasks"]
    scopes = [root, *(task for table in tasks for _, task in mapping_items(table))]
    for scope in scopes:
        for key, value in mapping_items(scope):
            if key != "vars":
                continue
            for name, node in mapping_items(value):
                text = getattr(node, "value", None)
                if isinstance(text, str):
                    known[name] = text
    text = data.decode("utf-8", "replace")
    return _templated(text, _TASK_REFERENCE, known, str.casefold, "TASKVAR",
                      [len(text) + _MAX_GROWTH]).encode()


def _tox(lines: list[str]) -> list[tuple[int, str, str]]:
    found: list[tuple[int, str, str]] = []
    key: str | None = None
    i = 0
    while i < len(lines):
        start = i
        line, i = _logical(lines, i)
        match = _TOX_KEY.match(line) if line[:1] not in (" ", "\t") else None
        if not line.strip():
            continue  # a blank line inside a value does not end it
        if match is not None:
            key, command = match.group(1).casefold(), match.group(2)
        elif key is not None and line[:1] in (" ", "\t"):
            command = line
        else:
            key = None
            continue
        command = command.strip() if key == "deps" else command.strip().lstrip("-! \t")
        if command and not command.startswith(("#", ";")):
            # what tox installs into the environment, as pip is given it
            found.append((start + 1, key, f"pip install {command}" if key == "deps"
                          else command))
    return found


# A nox session's installs: `session.install("aider-chat")`, `session.conda_install(...)`.
_NOX_INSTALL = re.compile(r"\.(install|conda_install|mamba_install|micromamba_install)"
                          r"[ \t]*\(([^()]{0,4096})\)")
_LITERAL = re.compile(r""""([^"\\\n]*)"|'([^'\\\n]*)'""")


def _nox(text: str) -> list[tuple[int, str, str]]:
    """What a noxfile's sessions install, as the command line nox runs for it (`pip
    install NAME`); its other commands are read by its literals, as any Python file."""
    found: list[tuple[int, str, str]] = []
    if "install" not in text:
        return found
    line, counted = 1, 0
    for match in _NOX_INSTALL.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        words = [m.group(1) if m.group(1) is not None else m.group(2)
                 for m in _LITERAL.finditer(match.group(2))]
        program = "pip" if match.group(1) == "install" else "conda"
        if words:
            found.append((line, match.group(1), " ".join([program, "install", *(
                "'" + w.replace("'", "") + "'" for w in words)])))
    return found


# ------------------------------------------------------------------------------ directories
# just's `[working-directory: 'x']` / `[working-directory('x')]` on a recipe, and `set
# working-directory := 'x'` for every recipe; tox's `changedir = x`.
_JUST_DIRECTORY = re.compile(r"""\[[^\]\n]*working-directory[ \t]*[:(][ \t]*"""
                             r"""(?:"([^"\n]*)"|'([^'\n]*)')""")
_JUST_SET_DIRECTORY = re.compile(r"""set[ \t]+working-directory[ \t]*:=[ \t]*"""
                                 r"""(?:"([^"\n]*)"|'([^'\n]*)')""")
_TOX_CHANGEDIR = re.compile(r"[ \t]*changedir[ \t]*[=:][ \t]*(\S+)", re.IGNORECASE)


def recipe_directories(kinds: Iterable[str], text: str) -> list[tuple[str, str]]:
    """Each recipe command of a task runner's file (its kinds: "make", "just", "tox",
    "taskfile") with the directory it runs in, relative to the file's folder ("" for the
    folder itself): a justfile's working-directory attribute or setting, tox's
    `changedir` (`{toxinidir}/` dropped), a Taskfile task's `dir`."""
    found: list[tuple[str, str]] = []
    for kind in kinds:
        if kind == "taskfile":
            found.extend(_taskfile_directories(text))
            continue
        places = _just_places(text) if kind == "just" and "working-directory" in text \
            else _tox_places(text) if kind == "tox" and "changedir" in text.casefold() \
            else {}
        found.extend((places.get(line, ""), command)
                     for line, _, command in runner_lines(kind, text))
    return found


def _just_places(text: str) -> dict[int, str]:
    """The directory of each line of a justfile's recipes (1-based), where one is set."""
    places: dict[int, str] = {}
    every = pending = recipe = ""
    for number, line in enumerate(text.split("\n"), start=1):
        if line[:1] in (" ", "\t"):
            if recipe:
                places[number] = recipe
            continue
        attribute = _JUST_DIRECTORY.match(line)
        setting = _JUST_SET_DIRECTORY.match(line)
        if attribute is not None:
            pending = attribute.group(1) or attribute.group(2) or ""
        elif setting is not None:
            every = setting.group(1) or setting.group(2) or ""
        elif line.strip() and not line.startswith(("#", "[")):
            recipe, pending = (pending or every) if ":" in line and ":=" not in line \
                else "", ""
    return places


def _tox_places(text: str) -> dict[int, str]:
    """The `changedir` of each line's section in a tox.ini (1-based lines)."""
    places: dict[int, str] = {}
    sections: dict[str, str] = {}
    lines = text.split("\n")
    section = ""
    for line in lines:  # a section's changedir may come after its commands
        if line.startswith("["):
            section = line.strip()
        changedir = _TOX_CHANGEDIR.match(line)
        if changedir is not None and not line[:1].isspace():
            sections[section] = changedir.group(1).replace("{toxinidir}", "").lstrip("/")
    section = ""
    for number, line in enumerate(lines, start=1):
        if line.startswith("["):
            section = line.strip()
        if section in sections:
            places[number] = sections[section]
    return places


def _taskfile_directories(text: str) -> list[tuple[str, str]]:
    """A Taskfile's commands (`cmds` items, a string or a table's `cmd`, and `cmd`) with
    their task's `dir`."""
    from ai_clearance.detect.devtools import mapping_items, sequence_items, yaml_root

    found: list[tuple[str, str]] = []
    # A list of commands an alias gives many tasks is read under each task's directory
    # until the file's size in commands is read; past that, once (else a small file of
    # aliases would cost tasks x commands).
    seen: set[int] = set()
    budget = len(text)
    for key, tasks in mapping_items(yaml_root(text.encode())):
        if key != "tasks":
            continue
        for _, task in mapping_items(tasks):
            items = dict(mapping_items(task))
            directory = getattr(items.get("dir"), "value", "")
            directory = directory if isinstance(directory, str) and "{{" not in directory \
                else ""
            listed = items.get("cmds")
            if id(listed) in seen and budget <= 0:
                continue
            seen.add(id(listed))
            commands = [items.get("cmd"), *sequence_items(listed)]
            budget -= len(commands)
            for command in commands:
                value = getattr(command, "value", None)
                if not isinstance(value, str):
                    value = getattr(dict(mapping_items(command)).get("cmd"), "value", None)
                if isinstance(value, str):
                    found.append((directory, value))
    return found


# ------------------------------------------------------------------------------ includes
# Make's `include a.mk b.mk`, `-include x`, `sinclude x`.
_MAKE_INCLUDE = re.compile(r" *(?:-|s)?include[ \t]+([^#\n]*)(?:#[^\n]*)?")
# just's `import 'x.just'`, `import? "x"`, `mod name`, `mod? name 'path'`.
_JUST_IMPORT = re.compile(r"""import\??[ \t]+(?:"([^"\n]*)"|'([^'\n]*)')""")
_JUST_MODULE = re.compile(r"""mod\??[ \t]+([A-Za-z_][\w-]*)"""
                          r"""(?:[ \t]+(?:"([^"\n]*)"|'([^'\n]*)'))?""")
# pip's `-r other.txt`, `--requirement=other.txt` in a requirements file.
_REQUIREMENT_FILE = re.compile(r"[ \t]*(?:-r|--requirement)(?:[ \t]*=?[ \t]*)(\S+)")
_TASKFILE_NAMES = ("Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml",
                   "Taskfile.dist.yml", "Taskfile.dist.yaml")
# Files one runner's file pulls in that are followed: a person writes a few.
MAX_INCLUDES = 200


def runner_includes(kind: str, text: str) -> list[tuple[str, str]]:
    """The files a task runner's file (or a requirements file) of `kind` pulls in and runs
    as its own, as (path relative to its folder, how it is read): make's `include`,
    just's `import` and `mod`, a Taskfile's `includes`, pip's `-r`. A name make would
    build from a variable it does not know is left out. Only lines that say so are read."""
    reader, needle = _INCLUDE_READERS.get(kind, (None, ""))
    if reader is None or needle not in text:
        return []
    return [(name, kind) for name in reader(text) if name][:MAX_INCLUDES]


def _make_includes(text: str) -> Iterator[str]:
    """The constant names of make's include lines (one built from a variable is left out:
    finding its value would read the whole file on every version of every Makefile)."""
    start = 0
    while (found := text.find("include", start)) >= 0:
        line_start = text.rfind("\n", 0, found) + 1
        end = text.find("\n", found)
        end = len(text) if end < 0 else end
        start = end
        match = _MAKE_INCLUDE.fullmatch(text, line_start, end)
        if match is not None:
            yield from (name for name in match.group(1).split()
                        if not any(c in name for c in "*?%[$"))


def _just_includes(text: str) -> Iterator[str]:
    for line in text.split("\n"):
        imported = _JUST_IMPORT.match(line)
        if imported is not None:
            yield imported.group(1) or imported.group(2) or ""
            continue
        module = _JUST_MODULE.match(line)
        if module is not None:
            given, name = module.group(2) or module.group(3), module.group(1)
            yield from (given,) if given else (f"{name}.just", f"{name}/mod.just",
                                               f"{name}/justfile", f"{name}/.justfile")


def _requirement_includes(text: str) -> Iterator[str]:
    for line in text.split("\n"):
        match = _REQUIREMENT_FILE.match(line)
        if match is not None:
            yield match.group(1)


def _taskfile_includes(text: str) -> list[str]:
    """A Taskfile's `includes`: each a path (`ns: ./ci/Tasks.yml`) or a table's
    `taskfile`; a folder's path names the Taskfile in it."""
    from ai_clearance.detect.devtools import mapping_items, yaml_root

    found: list[str] = []
    for key, table in mapping_items(yaml_root(text.encode())):
        if key != "includes":
            continue
        for _, include in mapping_items(table):
            value = getattr(include, "value", None)
            if not isinstance(value, str):
                value = next((getattr(node, "value", None) for name, node
                              in mapping_items(include) if name == "taskfile"), None)
            if not isinstance(value, str) or "{{" in value or not value.strip():
                continue
            value = value.strip()
            if value.casefold().endswith((".yml", ".yaml")):
                found.append(value)
            else:
                found.extend(f"{value.rstrip('/')}/{name}" for name in _TASKFILE_NAMES)
    return found


# How each kind's includes are found, and a word its file holds if it has any.
_INCLUDE_READERS: dict[str, tuple[Callable[[str], Iterable[str]], str]] = {
    "make": (_make_includes, "include"), "just": (_just_includes, ""),
    "taskfile": (_taskfile_includes, "includes"), "requirements": (_requirement_includes, "-r"),
}
