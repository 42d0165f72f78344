"""The one way ai-clearance runs git: `subprocess` with the tool's environment, to completion
(`run`) or streamed (`stream`, `Batch`). The same code on Linux, macOS and Windows."""

from __future__ import annotations

import contextlib
import io
import os
import queue
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, TypeVar

from ai_clearance.errors import GitError

_B = TypeVar("_B", bound="Batch")

_ENV_OVERRIDES = {
    # Never take locks or refresh the index: a check must not write to the repository.
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
    # What a commit holds is what the check judges: `refs/replace/*` and grafts could make
    # git show another commit's parents or tree in its place.
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_GRAFT_FILE": os.devnull,
}


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment with the overrides every git the tool runs gets."""
    env = dict(os.environ)
    env.update(_ENV_OVERRIDES)
    if extra:
        env.update(extra)
    return env


def first_line(data: bytes) -> str:
    """The first non-empty line of git's stderr, without its "fatal: " or "error: "."""
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return "no message"


def _argv(cwd: str, args: Sequence[str]) -> list[str]:
    # -C, not cwd=: a folder that is not there is git's own error, the same on every system.
    return ["git", "-C", cwd, *args]


def completed(args: Sequence[str], cwd: str, stdin: bytes | None = None,
              env: Mapping[str, str] | None = None) -> tuple[int, bytes, bytes]:
    """Run git to completion: its exit code, its output and its errors."""
    try:
        proc = subprocess.run(_argv(cwd, args), input=stdin, capture_output=True,
                              env=git_env(env), check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror}") from None
    return proc.returncode, proc.stdout, proc.stderr


def run(args: Sequence[str], cwd: str, stdin: bytes | None = None,
        ok_codes: tuple[int, ...] = (0,)) -> bytes:
    """Run git to completion and return its stdout; GitError on any other exit code."""
    code, out, errors = completed(args, cwd, stdin)
    if code not in ok_codes:
        raise GitError(f"git {args[0]} failed: {first_line(errors)}")
    return out


@contextlib.contextmanager
def stream(args: Sequence[str], cwd: str, what: str) -> Iterator[io.RawIOBase]:
    """The unbuffered stdout of a git command while it runs; GitError if it fails. A reader
    that stops early closes the pipe, and git stops on it."""
    # stderr goes to a file: a full stderr pipe could stall git.
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(_argv(cwd, args), stdout=subprocess.PIPE, stderr=errors,
                                    env=git_env(), bufsize=0)
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror}") from None
        assert isinstance(proc.stdout, io.RawIOBase)  # unbuffered: reads go to the pipe
        try:
            yield proc.stdout
        finally:
            proc.stdout.close()
            code = proc.wait()
        if code != 0:
            errors.seek(0)
            raise GitError(f"git {what} failed: {first_line(errors.read(4096))}")


class Batch:
    """One `git cat-file --batch`: questions are written by a thread while the caller reads
    the answers, so neither side ever waits on a full pipe for the other."""

    def __init__(self, cwd: str, env: Mapping[str, str] | None = None,
                 buffer: int = -1) -> None:
        try:
            self._proc = subprocess.Popen(_argv(cwd, ["cat-file", "--batch"]),
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL, env=git_env(env),
                                          bufsize=buffer)
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror}") from None
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self.answers: IO[bytes] = self._proc.stdout
        self._questions: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._asking = threading.Thread(target=_ask_each,
                                        args=(self._proc.stdin, self._questions), daemon=True)
        self._asking.start()

    def ask(self, names: Sequence[str | bytes]) -> None:
        """Ask for these objects (answered in this order)."""
        self._questions.put(b"".join((n if isinstance(n, bytes) else n.encode("ascii")) + b"\n"
                                     for n in names))

    def close(self) -> None:
        """Stop asking and wait for git; one still answering stops on the closed pipe."""
        self.answers.close()
        self._questions.put(None)
        self._asking.join()
        self._proc.wait()

    def __enter__(self: _B) -> _B:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _ask_each(stdin: IO[bytes], questions: queue.SimpleQueue[bytes | None]) -> None:
    """Write each batch of questions as it comes, until None; then close git's input."""
    gone = False
    while (batch := questions.get()) is not None:
        if not gone:
            try:
                stdin.write(batch)
                stdin.flush()
            except (OSError, ValueError):
                gone = True  # the reader stopped first: git has gone
    with contextlib.suppress(OSError, ValueError):
        stdin.close()
