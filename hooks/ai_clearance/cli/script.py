"""The console scripts: each runs its command, with streams that take any text, and turns an
error the command lets out into one line and its exit code, never a traceback. Each
command's `main` returns its exit code, as tests and `python -m ai_clearance` use it."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import NoReturn

from ai_clearance.errors import EXIT_INTERNAL, ClearanceError, OutputError, discard_stdout


def leave(code: int) -> NoReturn:
    """Flush stdout and stderr and exit with `code`. A report that could not be written in
    full (its reader closed the pipe) is an error of one line, exit code 2."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        error = OutputError.of(exc)
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"ai-clearance: error: {error}\n")
        code = error.exit_code
        discard_stdout()
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    raise SystemExit(code)


def tolerant_streams() -> None:
    """Let stdout and stderr take any text: what their encoding cannot hold (an emoji on a
    cp1252 console, the undecodable bytes of a path) is written as a backslash escape, and
    the exit code stays the verdict's."""
    import io

    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _command(module: str, function: str = "main") -> Callable[[], NoReturn]:
    """A console script: `function` of `module` (imported when it runs), then `leave`."""

    def console() -> NoReturn:
        tolerant_streams()
        leave(_exit_code(module, function))

    return console


def _exit_code(module: str, function: str) -> int:
    """What `function` of `module` returns. An error it lets out is one line and its own
    exit code, never a traceback, whose exit code 1 would read as findings."""
    try:
        loaded = __import__(f"ai_clearance.{module}", fromlist=[function])
        code: int = getattr(loaded, function)()
    except ClearanceError as exc:
        sys.stderr.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        sys.stderr.write(f"ai-clearance: internal error ({type(exc).__name__}: {exc}); "
                         "please report it\n")
        return EXIT_INTERNAL
    return code


# The targets of [project.scripts] in pyproject.toml.
ai_clearance = _command("cli.main")
files_hook = _command("integrations.hook_files")
msg_hook = _command("integrations.hook_msg")
disclose_hook = _command("integrations.hook_disclose")
session_hook = _command("integrations.hook_session")
push_hook = _command("integrations.hook_push")
ci_hook = _command("integrations.hook_ci")
action = _command("integrations.action", "entry")
pre_receive = _command("integrations.server", "pre_receive")
update = _command("integrations.server", "update")
