"""The agent at the keyboard: findings from a commit hook's environment and ancestor processes.

Pure: the edge (source/session.py) reads the environment and walks the process tree; this
module only compares what it was given with the catalog's `session` rules."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ai_clearance.catalog.rules import Catalog, Rule
from ai_clearance.model import Finding

# A value longer than this is no agent's marker (and is not worth comparing or quoting).
MAX_VALUE_CHARS = 256
# What Windows adds to an executable's name.
_WINDOWS_SUFFIX = re.compile(r"\.(?:exe|cmd|bat|ps1)\Z")


@dataclass(frozen=True)
class _Syntax:
    """How an interpreter's command line names the program it runs: short flag letters and
    long options whose value is the code itself (`sh -c`, `python -c`, `node -e`: no script
    runs), that name a module to run (`python -m aider`), or that take the next argument as
    a value (`bash -o pipefail`, `node -r x.js`); subcommands that run no script
    (`deno fmt`), and the one that runs the next operand (`deno run x.ts`)."""

    code: frozenset[str] = frozenset()
    module: frozenset[str] = frozenset()
    valued: frozenset[str] = frozenset()
    plus: bool = False  # `+o name` is a flag too (shells)
    runs: str = ""
    no_script: frozenset[str] = frozenset()


def _syntax(code: str = "", module: str = "", valued: str = "", plus: bool = False,
            runs: str = "", no_script: str = "") -> _Syntax:
    return _Syntax(frozenset(code.split()), frozenset(module.split()),
                   frozenset(valued.split()), plus, runs, frozenset(no_script.split()))


_SHELL = _syntax(code="c s --command", valued="o O --rcfile --init-file --emulate", plus=True)
_SYNTAX = {
    "sh": _SHELL,
    "fish": _syntax(code="c --command", valued="C d o --init-command --debug --debug-output "
                    "--profile --features"),
    "python": _syntax(code="c", module="m", valued="W X Q --check-hash-based-pycs"),
    "node": _syntax(code="e p --eval --print", valued="r C --require --import --loader "
                    "--experimental-loader --conditions --title --env-file --input-type "
                    "--inspect-port --stack-trace-limit"),
    "bun": _syntax(code="e p --eval --print", valued="r --preload --cwd --config --env-file",
                   runs="run", no_script="x test install i add a remove rm update upgrade "
                   "build pm create init link unlink exec repl outdated publish patch audit"),
    "deno": _syntax(code="--eval", valued="c --config --import-map --lock --cert --location "
                    "--seed --env-file", runs="run",
                    no_script="eval repl fmt lint test task install uninstall compile bench "
                    "check doc info init jupyter upgrade serve add remove clean outdated "
                    "publish coverage types completions vendor"),
    "ruby": _syntax(code="e", valued="I r C E"),
    "perl": _syntax(code="e E", valued="I"),
}
# PowerShell's parameters: one dash, any case, any unambiguous prefix.
_PWSH_CODE = ("command", "encodedcommand", "commandwithargs")
_PWSH_VALUED = frozenset({
    "ex", "ep", "executionpolicy", "wd", "workingdirectory", "config", "configurationname",
    "o", "of", "outputformat", "if", "inputformat", "w", "windowstyle", "settingsfile",
    "custompipename", "configurationfile"})
# An interpreter's executable name -> the syntax family it belongs to.
_INTERPRETER = re.compile(
    r"(?:(?P<node>node|nodejs)|(?P<bun>bun)|(?P<deno>deno)"
    r"|(?P<python>python(?:[23](?:\.\d+)?)?|pythonw|py|pypy3?)|(?P<ruby>ruby)|(?P<perl>perl)"
    r"|(?P<sh>sh|bash|dash|zsh|ksh|mksh|ash)|(?P<fish>fish)|(?P<pwsh>pwsh|powershell))\Z")


@dataclass(frozen=True)
class ProcessRecord:
    """One ancestor of the commit hook, as the operating system reports it: its pid, its
    name (may be empty when the system would not tell), its command line, and the real
    paths (links followed) of its executable and of the script it runs, as far as the
    system shows them."""

    pid: int
    name: str
    argv: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()


def executable_name(text: str) -> str:
    """The name a path or process name runs as: its last component (either separator),
    lower case, without a Windows .exe/.cmd/.bat/.ps1 ending."""
    base = re.split(r"[\\/]", text.strip())[-1].casefold()
    return _WINDOWS_SUFFIX.sub("", base)


def interpreter_family(name: str) -> str | None:
    """The syntax family (`sh`, `python`, `node`...) of an interpreter's executable name
    (as `executable_name` gives it); None for a program that is no interpreter."""
    found = _INTERPRETER.match(name)
    return found.lastgroup if found else None


def script_operand(argv: Sequence[str], family: str) -> tuple[str, str] | None:
    """What an interpreter of `family` runs, read as the interpreter reads its command
    line: ("script", path) or ("module", name); None when it runs code given inline
    (`sh -c '...'`, `node -e`), from standard input, or a subcommand that is no script.
    The words of inline code are never read as a program: a `make` recipe that ends in
    `third_party/gemini` is no Gemini CLI. Linear in the number of arguments."""
    if family == "pwsh":
        return _pwsh_script(argv)
    syntax = _SYNTAX[family]
    args = list(argv[1:])
    index = 0
    subcommand_seen = not syntax.runs
    while index < len(args):
        arg = args[index]
        index += 1
        following = args[index] if index < len(args) else ""
        if arg == "--":
            arg, index = following, len(args)
        elif (arg[:1] == "-" and arg != "-") or (syntax.plus and arg[:1] == "+"):
            found, takes = _read_flag(arg, following, syntax)
            if found is not None:
                return None if found == _INLINE else found
            index += takes
            continue
        elif not subcommand_seen:
            subcommand_seen = True
            if arg == syntax.runs:
                continue
            arg = "" if arg in syntax.no_script else arg
        return ("script", arg) if arg and arg != "-" else None
    return None


_INLINE = ("inline", "")


def _read_flag(arg: str, following: str, syntax: _Syntax) -> tuple[tuple[str, str] | None, int]:
    """What one flag says: what runs (`_INLINE` for inline code, a module), or None to read
    on; and how many of the following arguments it takes as its value (0 or 1)."""
    if arg.startswith("--"):
        option = arg.split("=", 1)[0]
        if option in syntax.code:
            return _INLINE, 0
        return None, int(option in syntax.valued and "=" not in arg)
    for position, letter in enumerate(arg[1:], start=1):
        if letter in syntax.code:
            return _INLINE, 0
        if letter in syntax.module:
            module = (arg[position + 1:] or following).split(".")[0]
            return (("module", module) if module else _INLINE), 0
        if letter in syntax.valued:
            return None, int(position == len(arg) - 1)
    return None, 0


def _pwsh_script(argv: Sequence[str]) -> tuple[str, str] | None:
    """PowerShell's: `-File x.ps1` or a first operand is a script, `-Command`/`-c`,
    `-EncodedCommand`/`-e`/`-ec` inline code."""
    args = list(argv[1:])
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if not arg.startswith(("-", "/")) or len(arg) < 2:
            return ("script", arg) if arg and arg != "-" else None
        name = arg[1:].split(":", 1)[0].casefold()
        if name in ("c", "e", "ec", "cwa") or (
                len(name) >= 3 and any(p.startswith(name) for p in _PWSH_CODE)):
            return None
        if name == "f" or (len(name) >= 2 and "file".startswith(name)):
            operand = args[index] if index < len(args) else ""
            return ("script", operand) if operand and operand != "-" else None
        if name in _PWSH_VALUED:
            index += 1
    return None


def process_names(record: ProcessRecord) -> list[tuple[str, str]]:
    """What a process runs as, each with how it was read: its name, argv[0], and the
    script (or Python module) an interpreter runs."""
    names = []
    if record.name:
        names.append(("process name", executable_name(record.name)))
    if record.argv and record.argv[0]:
        names.append(("argv[0]", executable_name(record.argv[0])))
    program = running_program(record)
    if program is not None:
        how, what = program
        names.append((how, executable_name(what) if how == "script" else what.casefold()))
    return names


def running_program(record: ProcessRecord) -> tuple[str, str] | None:
    """The script or module an interpreter ancestor runs (see `script_operand`); None for
    a process that is no interpreter or runs inline code."""
    for name in (record.name, record.argv[0] if record.argv else ""):
        family = interpreter_family(executable_name(name)) if name else None
        if family is not None:
            return script_operand(record.argv, family)
    return None


def _folders(record: ProcessRecord) -> set[str]:
    """The folder names (lower case) on the paths a process runs from: its argv[0], the
    script it runs, and the real paths the edge resolved."""
    paths = [*record.paths]
    if record.argv and record.argv[0]:
        paths.append(record.argv[0])
    program = running_program(record)
    if program is not None and program[0] == "script":
        paths.append(program[1])
    found: set[str] = set()
    for path in paths:
        found.update(part.casefold() for part in re.split(r"[\\/]", path)[:-1] if part)
    return found


def agent_packages(catalog: Catalog) -> dict[tuple[str, ...], frozenset[str]]:
    """The npm packages the catalog installs agents from (`npm:` in `workflow_installs`),
    each as its folder names under node_modules (`@scope`, `name`), with its assistants."""
    packages: dict[tuple[str, ...], frozenset[str]] = {}
    for rule in catalog.rules:
        for install in rule.workflow_installs:
            if install.startswith("npm:"):
                folders = tuple(install[4:].casefold().split("/"))
                packages[folders] = packages.get(folders, frozenset()) | set(rule.assistants)
    return packages


def _packages_of(rule: Rule, packages: Mapping[tuple[str, ...], frozenset[str]],
                 ) -> tuple[tuple[str, ...], ...]:
    """The agent packages a rule that names an agent's executables also stands for: those
    of all its assistants (an editor rule shared by two assistants takes none of either's).
    A rule that needs an install folder as its second signal takes none."""
    if not rule.processes or rule.process_folders:
        return ()
    return tuple(name for name, owners in packages.items() if owners >= set(rule.assistants))


def package_folder(record: ProcessRecord, packages: Sequence[tuple[str, ...]]) -> str | None:
    """The agent package (`@scope/name`) whose folder under a node_modules holds the script
    an interpreter ancestor runs, as its command line names it or its real path lies
    (`node /usr/lib/node_modules/@google/gemini-cli/dist/index.js`); None otherwise.
    Linear in the length of the paths, times the number of packages."""
    program = running_program(record) if packages else None
    if program is None or program[0] != "script":
        return None
    if program[1].startswith("npm:"):  # `deno run npm:@openai/codex`: no folder on the line
        return _npm_specifier(program[1][4:].casefold(), packages)
    for path in (program[1], *record.paths):
        parts = [part.casefold() for part in re.split(r"[\\/]", path) if part]
        for index, part in enumerate(parts):
            if part != "node_modules":
                continue
            for name in packages:
                end = index + 1 + len(name)
                if end < len(parts) and tuple(parts[index + 1:end]) == name:
                    return "/".join(name)
    return None


def _npm_specifier(spec: str, packages: Sequence[tuple[str, ...]]) -> str | None:
    """The agent package an `npm:` specifier (`@scope/name@1.2/bin/x.js`) names."""
    for name in packages:
        parts = spec.split("/", len(name))[:len(name)]
        if len(parts) == len(name):
            parts[-1] = parts[-1][:1] + parts[-1][1:].split("@", 1)[0]
            if tuple(parts) == name:
                return "/".join(name)
    return None


def _env_hit(rule: Rule, environ: Mapping[str, str]) -> str | None:
    for name, wanted in rule.env:
        value = environ.get(name)
        if value is None or len(value) > MAX_VALUE_CHARS or not value.strip():
            continue
        if wanted is None or value.strip().casefold() == wanted:
            return f"environment variable {name}={value.strip()!r}"
    return None


def _process_hit(rule: Rule, ancestors: Iterable[ProcessRecord],
                 packages: Sequence[tuple[str, ...]] = ()) -> str | None:
    for depth, record in enumerate(ancestors, start=1):
        package = package_folder(record, packages)
        if package is not None:
            shown = " ".join(record.argv[:3])[:120]
            return (f"ancestor process {record.pid} ({depth} up) runs a script of the npm "
                    f"package {package!r}: {shown}")
        folder = ""
        if rule.process_folders:
            inside = _folders(record) & rule.process_folders
            if not inside:
                continue
            folder = min(inside)
        for how, name in process_names(record):
            if name in rule.processes or (folder and not rule.processes):
                shown = " ".join(record.argv[:3])[:120]
                where = f" in a folder named {folder!r}" if folder else ""
                return (f"ancestor process {record.pid} ({depth} up), {how} {name!r}{where}"
                        + (f": {shown}" if shown else ""))
    return None


def findings_for_session(catalog: Catalog, environ: Mapping[str, str],
                         ancestors: Sequence[ProcessRecord]) -> list[Finding]:
    """One finding per session rule that matches, with the variable or the (nearest)
    process that matched as its evidence."""
    findings = []
    packages = agent_packages(catalog) if ancestors else {}
    for rule in catalog.rules_for("session"):
        evidence = _env_hit(rule, environ) if rule.env else None
        if evidence is None and (rule.processes or rule.process_folders):
            evidence = _process_hit(rule, ancestors, _packages_of(rule, packages))
        if evidence is not None:
            findings.append(Finding(rule=rule.id, assistants=rule.assistants, kind=rule.kind,
                                    severity=rule.severity, evidence=evidence))
    return findings
