"""Project files that install or run an agent when a developer or CI sets the project up,
each read into the command it amounts to (launchers.py then tells what that installs):

- setup.py: the requirement strings of install_requires, setup_requires, tests_require
  and extras_require (or of a list assigned to a name such as REQUIRES), as `pip install`;
- devbox.json: its `packages` (nixpkgs attributes, `name@version`) as `nix profile
  install nixpkgs#NAME`, and `shell.init_hook` and `shell.scripts` as shell;
- Nix shells (shell.nix, default.nix, flake.nix, devenv.nix): `pkgs.NAME` and the bare
  names of a list (`with pkgs; [ claude-code ]`) as nixpkgs attributes;
- .tool-versions (asdf, mise): each `TOOL VERSION` line as `mise use TOOL`;
- composer.json `scripts`, deno.json `tasks`, an Nx project.json's run-commands targets:
  command lines, as shell.

Pure and linear in the text: each reader passes over it a bounded number of times."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from ai_clearance.detect.jsonc import Pairs, load_jsonc
from ai_clearance.detect.literals import string_runs
from ai_clearance.detect.setups import argv_facts, first_lines, script_facts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from ai_clearance.detect.workflows import Fact

def project_facts(kind: str, text: str, screen: Callable[[str], bool] | None,
                  ) -> list[Fact] | None:
    """What a project file of `kind` installs and runs; None when it cannot be parsed."""
    if kind in _TOOL_READERS:
        return _TOOL_READERS[kind](text, screen)
    if kind == "setuppy":
        facts = list(_setup_py_facts(text))
    elif kind == "nix":
        facts = list(_nix_facts(text))
    elif kind == "toolversions":
        facts = list(_tool_versions_facts(text))
    else:
        data = load_jsonc(text)
        if not isinstance(data, Pairs):
            return None
        lines = first_lines(item for run in string_runs(text, "/") for item in run)
        facts = list(_JSON_READERS[kind](data, lines, screen))
    facts.sort(key=lambda f: f.line)
    return facts


# ------------------------------------------------------------------------------ setup.py
# A name whose value lists requirements: `install_requires=`, `"dev": [` under
# extras_require, `REQUIRES = [`.
_REQUIRING = re.compile(r"""\b(\w*(?:requires?|requirements|deps|dependencies)\w*)["']?[ \t]*"""
                        r"""(?:=|:)[ \t]*[\[({]""", re.IGNORECASE)
_STRING = re.compile(r""""([^"\\\n]*)"|'([^'\\\n]*)'""")
# A requirement string: a project name, then extras, a version or a marker.
_REQUIREMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*[ \t]*(?:\[[^\]]*\])?[ \t]*"
                          r"(?:[<>=!~@;(].*)?")
_MAX_REGION = 1 << 16  # characters of one bracketed value looked at


def _setup_py_facts(text: str) -> Iterator[Fact]:
    """The requirement strings in the bracketed value of each requiring name."""
    if "requir" not in text.casefold() and "dep" not in text.casefold():
        return
    end, line, counted = 0, 1, 0
    seen: set[str] = set()
    for match in _REQUIRING.finditer(text):
        if match.start() < end:
            continue  # inside a region already read (extras_require's groups)
        end = _region_end(text, match.end() - 1)
        line += text.count("\n", counted, match.start())
        counted = match.start()
        region = text[match.end():end]
        for literal in _STRING.finditer(region):
            value = literal.group(1) if literal.group(1) is not None else literal.group(2)
            if value not in seen and _REQUIREMENT.fullmatch(value.strip()):
                seen.add(value)
                yield from argv_facts(match.group(1), ["pip", "install", value.strip()],
                                      line + region.count("\n", 0, literal.start()))


def _region_end(text: str, start: int) -> int:
    """Where the bracket at `start` closes (strings skipped), or _MAX_REGION past it."""
    depth, i, stop = 0, start, min(len(text), start + _MAX_REGION)
    while i < stop:
        char = text[i]
        if char in "\"'":
            close = text.find(char, i + 1, stop)
            i = stop if close < 0 else close + 1
            continue
        if char in "[({":
            depth += 1
        elif char in "])}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return stop


# ------------------------------------------------------------------------------ Nix
_NIX_LINE_COMMENT = re.compile(r"#[^\n]*")
_NIX_ATTRIBUTE = re.compile(r"\b(?:pkgs|nixpkgs|unstable|pkgs-unstable|pkgsUnstable)"
                            r"\.([A-Za-z_][\w'-]*)")
_NIX_LIST = re.compile(r"\[([^\[\]\"]{0,8192})\]")
_NIX_NAME = re.compile(r"[A-Za-z_][\w'-]*")


def _nix_facts(text: str) -> Iterator[Fact]:
    """`pkgs.NAME` anywhere and the bare names of a list, as nixpkgs attributes."""
    text = _NIX_LINE_COMMENT.sub("", _without_block_comments(text))
    seen: set[str] = set()
    for pattern in (_NIX_ATTRIBUTE, _NIX_LIST):
        line, counted = 1, 0
        for match in pattern.finditer(text):
            names = [match.group(1)] if pattern is _NIX_ATTRIBUTE else [
                word.rpartition(".")[2] for word in match.group(1).split()
                if _NIX_NAME.fullmatch(word.rpartition(".")[2])]
            line += text.count("\n", counted, match.start())
            counted = match.start()
            for name in names:
                if name not in seen:
                    seen.add(name)
                    yield from argv_facts("packages", ["nix", "profile", "install",
                                                       f"nixpkgs#{name}"], line)


def _without_block_comments(text: str) -> str:
    """`text` without its `/* ... */` comments (their line breaks kept); an unclosed one
    runs to the end. One pass."""
    parts: list[str] = []
    i = 0
    while (start := text.find("/*", i)) >= 0:
        parts.append(text[i:start])
        end = text.find("*/", start + 2)
        end = len(text) if end < 0 else end + 2
        parts.append("\n" * text.count("\n", start, end))
        i = end
    parts.append(text[i:])
    return "".join(parts)


# ------------------------------------------------------------------------------ asdf
def _tool_versions_facts(text: str) -> Iterator[Fact]:
    """Each `TOOL VERSION...` line of .tool-versions as `mise use TOOL` (mise reads the
    file, with its backends: npm:X, pipx:X, ubi:OWNER/NAME)."""
    for number, line in enumerate(text.split("\n"), start=1):
        words = line.partition("#")[0].split()
        if words:
            yield from argv_facts("tool-versions", ["mise", "use", words[0]], number)


# ------------------------------------------------------------------------------ JSON
def _commands(key: str, value: object, lines: dict[str, int],
              screen: Callable[[str], bool] | None) -> Iterator[Fact]:
    """A command line, or each of a list of them."""
    for script in value if isinstance(value, list) else [value]:
        if isinstance(script, str):
            yield from script_facts(key, script, lines.get(script, 1), screen)


def _composer(data: Pairs, lines: dict[str, int], screen: Callable[[str], bool] | None,
              ) -> Iterator[Fact]:
    """composer.json `scripts`: each a command line or a list of them (`@php x` runs php,
    `@other` another script, `@putenv` sets a variable)."""
    for scripts in data.get("scripts", []):
        for name, bodies in scripts.items() if isinstance(scripts, Pairs) else ():
            for body in bodies:
                for script in body if isinstance(body, list) else [body]:
                    if isinstance(script, str) and not script.startswith("@putenv"):
                        command = script.removeprefix("@composer ").removeprefix("@php ")
                        if command.startswith("@"):
                            continue
                        yield from script_facts(f"scripts.{name}", command,
                                                lines.get(script, 1), screen)


def _deno(data: Pairs, lines: dict[str, int], screen: Callable[[str], bool] | None,
          ) -> Iterator[Fact]:
    """deno.json `tasks`: each a command line or a table's `command`."""
    for tasks in data.get("tasks", []):
        for name, bodies in tasks.items() if isinstance(tasks, Pairs) else ():
            for body in bodies:
                if isinstance(body, Pairs):
                    for command in body.get("command", []):
                        yield from _commands(f"tasks.{name}", command, lines, screen)
                else:
                    yield from _commands(f"tasks.{name}", body, lines, screen)


def _nx(data: Pairs, lines: dict[str, int], screen: Callable[[str], bool] | None,
        ) -> Iterator[Fact]:
    """An Nx project.json's targets: `command`, `options.command` and each of
    `options.commands` (a string or a table's `command`)."""
    for targets in data.get("targets", []):
        for name, bodies in targets.items() if isinstance(targets, Pairs) else ():
            for target in bodies:
                if isinstance(target, Pairs):
                    yield from _nx_target(f"targets.{name}", target, lines, screen)


def _nx_target(key: str, target: Pairs, lines: dict[str, int],
               screen: Callable[[str], bool] | None) -> Iterator[Fact]:
    for command in target.get("command", []):
        yield from _commands(key, command, lines, screen)
    for options in target.get("options", []):
        if not isinstance(options, Pairs):
            continue
        for command in options.get("command", []):
            yield from _commands(key, command, lines, screen)
        for listed in options.get("commands", []):
            for item in listed if isinstance(listed, list) else [listed]:
                for command in item.get("command", []) if isinstance(item, Pairs) else [item]:
                    yield from _commands(key, command, lines, screen)


def _devbox(data: Pairs, lines: dict[str, int], screen: Callable[[str], bool] | None,
            ) -> Iterator[Fact]:
    """devbox.json: `packages` (a list of `name@version`, or a table by name) as nixpkgs
    installs, `shell.init_hook` and `shell.scripts` as shell."""
    for packages in data.get("packages", []):
        names = [p for p in packages if isinstance(p, str)] if isinstance(packages, list) \
            else list(packages) if isinstance(packages, Pairs) else []
        for name in names:
            attribute = name.rpartition("@")[0] if "@" in name[1:] else name
            if ":" in attribute or "#" in attribute:  # a flake reference or another source
                yield from argv_facts("packages", ["nix", "profile", "install", attribute],
                                      lines.get(name, 1))
            else:
                yield from argv_facts("packages", ["nix", "profile", "install",
                                                   f"nixpkgs#{attribute}"], lines.get(name, 1))
    for shell in data.get("shell", []):
        if not isinstance(shell, Pairs):
            continue
        for hook in shell.get("init_hook", []):
            yield from _commands("shell.init_hook", hook, lines, screen)
        for scripts in shell.get("scripts", []):
            for name, bodies in scripts.items() if isinstance(scripts, Pairs) else ():
                for body in bodies:
                    yield from _commands(f"shell.scripts.{name}", body, lines, screen)


_JSON_READERS: dict[str, Callable[[Pairs, dict[str, int], Callable[[str], bool] | None],
                                  Iterator[Fact]]] = {
    "composer": _composer, "deno": _deno, "nx": _nx, "devbox": _devbox}


# ------------------------------------------------------------------------------ tool files
# A Brewfile's entries (`brew bundle` installs them): `brew "codex"`, `cask "x"`,
# `cargo "x"`, `go "github.com/o/x"`, `npm "x"`.
_BREWFILE = re.compile(r"""[ \t]*(brew|cask|cargo|go|npm|uv|whalebrew)[ \t(]+["']([^"'\n]+)["']""")
_BREW_COMMANDS = {"brew": ["brew", "install"], "cask": ["brew", "install", "--cask"],
                  "cargo": ["cargo", "install"], "go": ["go", "install"],
                  "npm": ["npm", "install", "-g"], "uv": ["uv", "tool", "install"],
                  "whalebrew": ["whalebrew", "install"]}


def _brewfile_facts(text: str, _screen: Callable[[str], bool] | None) -> list[Fact]:
    """Each entry of a Brewfile as the install `brew bundle` runs for it."""
    facts: list[Fact] = []
    for number, line in enumerate(text.split("\n"), start=1):
        entry = _BREWFILE.match(line)
        if entry is not None:
            facts.extend(argv_facts(entry.group(1), [*_BREW_COMMANDS[entry.group(1)],
                                                     entry.group(2).strip()], number))
    return facts


# docker-bake.hcl's `dockerfile-inline = "..."` (escapes as HCL writes them) or a heredoc
# (`dockerfile-inline = <<EOT` ... `EOT`).
_BAKE_INLINE = re.compile(r"""dockerfile-inline"?[ \t]*[=:][ \t]*(?:"((?:[^"\\\n]|\\.)*)"|"""
                          r"""<<-?[ \t]*([A-Za-z_]\w*)[ \t]*\n)""")
_HCL_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": ""}


def _bake_facts(text: str, screen: Callable[[str], bool] | None) -> list[Fact]:
    """The Dockerfiles a bake file writes inline, read as Dockerfiles."""
    from ai_clearance.detect.workflows import _dockerfile_facts

    facts: list[Fact] = []
    if "dockerfile-inline" not in text:
        return facts
    at, line, counted = 0, 0, 0
    while (match := _BAKE_INLINE.search(text, at)) is not None:
        line += text.count("\n", counted, match.start())
        counted, at = match.start(), match.end()
        start = line
        if match.group(1) is not None:
            inline = re.sub(r"\\(.)", lambda m: _HCL_ESCAPES.get(m.group(1), m.group(1)),
                            match.group(1))
        else:
            # the heredoc's text is read once: the search goes on after its end (an
            # unclosed one runs to the end of the file)
            end = text.find(f"\n{match.group(2)}", match.end() - 1)
            at = len(text) if end < 0 else end + 1
            inline = text[match.end():at]
            start += 1
        facts.extend(replace(fact, line=fact.line + start) for fact in _dockerfile_facts(
            inline, screen or (lambda _: True)))
    return facts


def _moon_facts(text: str, screen: Callable[[str], bool] | None) -> list[Fact] | None:
    """moon's moon.yml and .moon/tasks*.yml: each task's `command` (a command line or a
    list of words) with its `args`, and `script`."""
    from ai_clearance.detect.devtools import mapping_items, scalar_texts, yaml_root

    root = yaml_root(text.encode())
    if root is None:
        return None
    facts: list[Fact] = []
    for key, tasks in mapping_items(root):
        if key != "tasks":
            continue
        for name, task in mapping_items(tasks):
            items = dict(mapping_items(task))
            words = [w for _, w in scalar_texts(items.get("command"))]
            args = [w for _, w in scalar_texts(items.get("args"))]
            line = next((n for n, _ in scalar_texts(items.get("command"))), 1)
            if words:
                facts.extend(script_facts(f"tasks.{name}", " ".join([*words, *args]), line,
                                          screen))
            for number, script in scalar_texts(items.get("script")):
                facts.extend(script_facts(f"tasks.{name}", script, number, screen))
    return facts


# go.mod's `tool MODULE` lines and `tool ( ... )` blocks (Go 1.24): `go tool NAME` runs
# the module's program by its last path part, built from the module's source.
_GO_TOOL = re.compile(r"[ \t]*tool[ \t]+(\(|[^\s/]+/\S+)")


def _go_mod_facts(text: str, _screen: Callable[[str], bool] | None) -> list[Fact]:
    """The tools a go.mod declares, each as the `go install MODULE` that fetches it."""
    facts: list[Fact] = []
    if "tool" not in text:
        return facts
    block = False
    for number, line in enumerate(text.split("\n"), start=1):
        words = line.partition("//")[0].split()
        if block:
            if words[:1] == [")"]:
                block = False
            elif words:
                facts.extend(argv_facts("tool", ["go", "install", words[0]], number))
            continue
        match = _GO_TOOL.match(line)
        if match is None:
            continue
        if match.group(1) == "(":
            block = True
        else:
            facts.extend(argv_facts("tool", ["go", "install", match.group(1)], number))
    return facts


_TOOL_READERS: dict[str, Callable[[str, Callable[[str], bool] | None], list[Fact] | None]] = {
    "brewfile": _brewfile_facts, "bake": _bake_facts, "moon": _moon_facts,
    "gomod": _go_mod_facts}
