"""The session a commit hook runs in: its environment and its ancestor processes.

The process tree is read with psutil, the same calls on Linux, macOS and Windows; it is
imported here only, and only by the checks that run at commit time."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import replace

from ai_clearance.catalog.rules import Catalog
from ai_clearance.detect.session import ProcessRecord, findings_for_session, running_program
from ai_clearance.errors import EXIT_GIT, ClearanceError
from ai_clearance.git import gitio
from ai_clearance.model import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    import psutil

# How many ancestors are read at most: far more than any real chain of shells, hooks and
# launchers (git, pre-commit, a shell, an agent, a terminal, a login), and a bound on the
# cost whatever the tree looks like.
MAX_ANCESTORS = 64
# How many arguments, and how many characters of each, are kept of a command line.
MAX_ARGS = 8
MAX_ARG_CHARS = 512


class SessionError(ClearanceError):
    """The process tree could not be read at all: like history that is not there, what
    must be judged is missing, and the check fails closed (exit 3)."""

    exit_code = EXIT_GIT


def ancestors(limit: int = MAX_ANCESTORS) -> list[ProcessRecord]:
    """The parent of this process, its parent, and so on up to `limit` of them. A process
    whose name or command line the system will not show is kept with what it did show."""
    try:
        import psutil
    except ImportError:
        raise SessionError("cannot read the processes that started this commit: psutil is "
                           "not installed (reinstall ai-clearance, or set session = \"off\" "
                           "in the policy)") from None
    records: list[ProcessRecord] = []
    seen: set[int] = set()
    try:
        process = psutil.Process().parent()
    except psutil.Error as exc:
        raise SessionError(f"cannot read the process that started this hook: {exc}") from None
    while process is not None and len(records) < limit and process.pid not in seen:
        seen.add(process.pid)
        with process.oneshot():  # one read of /proc/PID/stat for name and parent
            records.append(_record(process))
            try:
                process = process.parent()
            except psutil.Error:
                break  # the parent is gone, or its pid was reused: the chain ends here
    return records


def _record(process: psutil.Process) -> ProcessRecord:
    """One process's pid, name, (bounded) command line and the real paths of what it runs,
    each as far as it can be read."""
    import psutil

    name = ""
    argv: tuple[str, ...] = ()
    with contextlib.suppress(psutil.Error):
        name = process.name()
    with contextlib.suppress(psutil.Error):
        argv = tuple(arg[:MAX_ARG_CHARS] for arg in process.cmdline()[:MAX_ARGS])
    record = ProcessRecord(pid=process.pid, name=name, argv=argv)
    return replace(record, paths=_real_paths(process, record))


def _real_paths(process: psutil.Process, record: ProcessRecord) -> tuple[str, ...]:
    """Where the process's executable, its argv[0] and the script it runs really are
    (links followed: `~/.local/bin/agent` is a link into Cursor's install folder). Only
    absolute paths are followed: a relative one depends on a folder this cannot see."""
    import psutil

    paths: list[str] = []
    with contextlib.suppress(psutil.Error, OSError, ValueError):
        exe = process.exe()
        if exe:
            paths.append(exe)
    program = running_program(record)
    named = [record.argv[0]] if record.argv else []
    if program is not None and program[0] == "script":
        named.append(program[1])
    for path in named:
        if os.path.isabs(path):
            with contextlib.suppress(OSError, ValueError):
                paths.append(os.path.realpath(path))
    return tuple(dict.fromkeys(p[:MAX_ARG_CHARS] for p in paths))


def session_findings(repo: gitio.Repo | None, catalog: Catalog,
                     environ: Mapping[str, str] | None = None) -> list[Finding]:
    """The session rules' findings for the hook running now, attributed to the author git
    would record (none outside a repository)."""
    if not catalog.rules_for("session"):
        return []
    needs_processes = any(rule.processes or rule.process_folders
                          for rule in catalog.rules_for("session"))
    findings = findings_for_session(catalog, os.environ if environ is None else environ,
                                    ancestors() if needs_processes else [])
    if not findings or repo is None:
        return findings
    author = gitio.ident(repo, "author")
    return [replace(f, author=author) for f in findings]
