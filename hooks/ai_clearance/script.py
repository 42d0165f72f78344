"""The console scripts. Each runs its command, flushes what the command wrote and ends the
process at once: the interpreter's own teardown of a finished run (freeing every object,
module by module) took 6 to 8 ms of a 65 ms pre-commit hook, and 11 to 16 ms after a tree
check had read its listing. Nothing is left to it: files are closed by the code that opened
them, git processes are waited for, threads have finished.

Only the installed commands end this way; each command's `main` returns its exit code, as
tests and `python -m ai_clearance` use it."""

from __future__ import annotations

import os
import sys

from .errors import EXIT_USAGE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn


def leave(code: int) -> NoReturn:
    """Flush stdout and stderr and end the process with `code`. A report that could not be
    written in full (its reader closed the pipe) is an error of one line, exit code 2."""
    import contextlib  # loaded by then: only the first import costs

    try:
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "closed"
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"ai-clearance: error: the report could not be written: "
                             f"{reason}\n")
        code = EXIT_USAGE
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


def _run(main: Callable[[], int]) -> NoReturn:
    leave(main())


def ai_clearance() -> NoReturn:
    """`ai-clearance`."""
    from .entry import main

    _run(main)


def files_hook() -> NoReturn:
    """`ai-clearance-files`, the pre-commit stage hook."""
    from .hook_files import main

    _run(main)


def msg_hook() -> NoReturn:
    """`ai-clearance-msg`, the commit-msg stage hook."""
    from .hook_msg import main

    _run(main)


def push_hook() -> NoReturn:
    """`ai-clearance-push`, the pre-push stage hook."""
    from .hook_push import main

    _run(main)


def ci_hook() -> NoReturn:
    """`ai-clearance-ci`, the hook for pre-commit in CI."""
    from .hook_ci import main

    _run(main)


def action() -> NoReturn:
    """`ai-clearance-action`, the GitHub Action's step."""
    from .action import entry

    _run(entry)


def pre_receive() -> NoReturn:
    """`ai-clearance-pre-receive`, the server-side hook."""
    from .server import pre_receive as main

    _run(main)


def update() -> NoReturn:
    """`ai-clearance-update`, the server-side hook for one ref."""
    from .server import update as main

    _run(main)
