"""Errors that end a run with a documented exit code and a one-line message."""

from __future__ import annotations

import os
import sys

EXIT_PASS = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_GIT = 3
EXIT_INTERNAL = 4


class ClearanceError(Exception):
    """Base class: `exit_code` is what the process returns."""

    exit_code = EXIT_INTERNAL


class UsageError(ClearanceError):
    """Bad arguments or unreadable input given by the user."""

    exit_code = EXIT_USAGE


class ConfigError(ClearanceError):
    """A policy, catalog or rule that cannot be used as written."""

    exit_code = EXIT_USAGE


class GitError(ClearanceError):
    """git failed, or the history needed is not there (fail closed)."""

    exit_code = EXIT_GIT


class OutputError(ClearanceError):
    """The report could not be written: its reader closed the pipe, or the disk is full."""

    exit_code = EXIT_USAGE

    @classmethod
    def of(cls, exc: OSError | ValueError) -> OutputError:
        """The error for a write to the report's stream that failed with `exc`."""
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "closed"
        return cls(f"the report could not be written: {reason}")


def discard_stdout() -> None:
    """Point stdout at the null device, so that what is still buffered for a reader that has
    gone does not fail a second time when the interpreter flushes it at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
