"""The environment every git that ai-clearance runs gets, and the gits started before
anything else: a tree check's listing, the pre-commit hook's diff and branch. This module
imports nothing heavier than `os`, so that those gits start in the first milliseconds of
the command (see entry.py and hook_files.py)."""

from __future__ import annotations

import os
import time

from ai_clearance.errors import GitError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from contextlib import AbstractContextManager

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
LS_TREE = ("ls-tree", "-r", "-z", "--full-tree", "--end-of-options")
# The index against a tree, paths from the top level wherever it runs (diff.relative aside).
STAGED_DIFF = ("diff-index", "--cached", "-z", "--raw", "--no-renames", "--no-abbrev",
               "--no-relative")
CURRENT_BRANCH = ("symbolic-ref", "--quiet", "HEAD")
# Whether gits can be started into memory files (SpawnedGit): Linux; elsewhere, subprocess.
CAN_SPAWN = hasattr(os, "memfd_create") and hasattr(os, "posix_spawnp")
# When the reader has caught up with git, it waits this long before it looks again.
LET_GIT_AHEAD = 0.002
# The listing file is freed behind the reader in steps of this size.
_FREE_STEP = 4 << 20
# A tree listing's git writes through coreutils' stdbuf, with a buffer of 1 MiB: glibc gives
# a file's stream a buffer of its block size, 4 KiB on a memory file, and git's 27,000 writes
# of 4 KiB for a tree of 1M paths cost it 0.05-0.09 s more than writing to /dev/null did.
STDBUF = ("stdbuf", "-o1M")
# stdbuf's own exit codes: it could not preload its library, or not start git. (git's are 0,
# 1, 128 and 129.) A listing that ends so, having written nothing, starts again without it.
STDBUF_FAILED = frozenset({125, 126, 127})


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(_ENV_OVERRIDES)
    return env


def first_line(data: bytes) -> str:
    """The first non-empty line of git's stderr, without its "fatal: " or "error: "."""
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return "no message"


class SpawnedGit:
    """A git command whose output goes into memory files, not pipes: it never waits for the
    process that started it, nothing can deadlock on a full pipe, and starting it takes
    neither subprocess nor a thread. Linux only (memfd). `stdin`: what git reads, if given;
    else it inherits this process's standard input, as subprocess's children do."""

    def __init__(self, cwd: str, args: Sequence[str], stdin: bytes | None = None) -> None:
        self.cwd = cwd
        self._file = self._errors = given = -1
        try:
            # Either can be refused (seccomp, an old kernel): the caller then runs git its
            # portable way, and nothing is left open here.
            self._file = os.memfd_create("ai-clearance-git", os.MFD_CLOEXEC)
            self._errors = os.memfd_create("ai-clearance-git-errors", os.MFD_CLOEXEC)
            if stdin is not None:
                given = os.memfd_create("ai-clearance-git-input", os.MFD_CLOEXEC)
                with memoryview(stdin) as data:
                    done = 0
                    while done < len(data):
                        done += os.write(given, data[done:])
                os.lseek(given, 0, os.SEEK_SET)
            self._pid = self._spawn(args, given)
        except OSError:
            self._close()
            raise
        finally:
            if given >= 0:
                os.close(given)
        self._code: int | None = None

    def _spawn(self, args: Sequence[str], stdin: int, wrapper: Sequence[str] = ()) -> int:
        """Start git with `args` (through the command `wrapper`, if given), its stdin the
        file `stdin` if that is not -1."""
        actions = [(os.POSIX_SPAWN_DUP2, self._file, 1), (os.POSIX_SPAWN_DUP2, self._errors, 2)]
        if stdin >= 0:
            actions.append((os.POSIX_SPAWN_DUP2, stdin, 0))
        argv = [*wrapper, "git", "-C", self.cwd, *args]
        # posix_spawn, not subprocess: importing subprocess would cost more than this.
        return os.posix_spawnp(argv[0], argv, git_env(), file_actions=actions)

    def result(self) -> tuple[int, bytes, bytes]:
        """Wait for git: its exit code, its whole output and the start of its errors;
        GitError if they cannot be read (never a guess at what git said)."""
        try:
            code = self._exit_code(wait=True)
            assert code is not None
            size = os.fstat(self._file).st_size
            chunks, done = [], 0
            while done < size:  # one pread returns at most about 2 GiB
                chunks.append(os.pread(self._file, size - done, done))
                if not chunks[-1]:
                    break
                done += len(chunks[-1])
            output = b"".join(chunks)  # one chunk: the same object, not a copy
            errors = os.pread(self._errors, 4096, 0)
        except OSError as exc:
            raise GitError(f"cannot read what git wrote: {exc.strerror}") from None
        finally:
            self._close()
        return code, output, errors

    def cancel(self) -> None:
        """Stop git and free its output, when nothing took it."""
        if self._file >= 0:
            try:
                self._stop()
            except OSError:
                pass  # git has gone already; nothing it wrote is used
            finally:
                self._close()

    def _exit_code(self, wait: bool) -> int | None:
        if self._code is None:
            pid, status = os.waitpid(self._pid, 0 if wait else os.WNOHANG)
            if pid:
                self._code = os.waitstatus_to_exitcode(status)
        return self._code

    def _stop(self) -> None:
        if self._exit_code(wait=False) is None:  # the reading stopped early: so does git
            import signal

            os.kill(self._pid, signal.SIGKILL)
        self._exit_code(wait=True)

    def _close(self) -> None:
        for fd in (self._file, self._errors):
            if fd >= 0:
                os.close(fd)
        self._file = self._errors = -1


class TreeListing(SpawnedGit):
    """`git ls-tree` of a tree check, started before the check's imports and policy load
    (about 0.1 s): git lists a large tree for about as long as a check takes. The check
    follows git through the memory file (they share its offset) and frees what it has read,
    so the file holds only what git is ahead."""

    def __init__(self, cwd: str, rev: str) -> None:
        self.rev = rev
        self._via_stdbuf = True  # until stdbuf turns out to be missing or failing
        super().__init__(cwd, [*LS_TREE, rev])
        self._read = 0
        self._freed = 0
        self._ended = False

    def readinto(self, view: memoryview) -> int:
        """Read what git has written into `view`, like a pipe: wait while git writes.
        GitError if the memory file cannot be read."""
        try:
            return self._read_into(view)
        except OSError as exc:
            raise GitError(f"cannot read what git ls-tree wrote: {exc.strerror}") from None

    def _read_into(self, view: memoryview) -> int:
        while True:
            written = os.lseek(self._file, 0, os.SEEK_CUR)
            if self._read < written:
                got = os.preadv(self._file, [view[:written - self._read]], self._read)
                self._read += got
                if self._read - self._freed >= _FREE_STEP:
                    self._free_read()
                return got
            if self._ended:
                return 0
            # Git's exit comes after its last write: one more look then finds everything.
            self._ended = self._exit_code(wait=False) is not None
            if self._ended and self._via_stdbuf and self._code in STDBUF_FAILED \
                    and written == 0:
                self._start_unbuffered()
            elif not self._ended:
                time.sleep(LET_GIT_AHEAD)

    def _spawn(self, args: Sequence[str], stdin: int, wrapper: Sequence[str] = ()) -> int:
        if self._via_stdbuf:
            try:
                return super()._spawn(args, stdin, STDBUF)
            except FileNotFoundError:
                self._via_stdbuf = False  # no coreutils here: git buffers as it always does
        return super()._spawn(args, stdin, wrapper)

    def _start_unbuffered(self) -> None:
        """List again with git alone, its errors file emptied of stdbuf's."""
        os.ftruncate(self._errors, 0)
        os.lseek(self._errors, 0, os.SEEK_SET)
        self._via_stdbuf = self._ended = False
        self._code = None
        try:
            self._pid = self._spawn([*LS_TREE, self.rev], -1)
        except OSError as exc:
            self._code = -1  # nothing to wait for
            os.write(self._errors, f"cannot run git: {exc.strerror}".encode())
            self._ended = True

    def _free_read(self) -> None:
        import contextlib
        import mmap

        end = self._read & ~(mmap.ALLOCATIONGRANULARITY - 1)
        # Refused (seccomp, say): what was read stays in memory, and the reading goes on.
        with contextlib.suppress(OSError), \
                mmap.mmap(self._file, end - self._freed, offset=self._freed) as read:
            read.madvise(mmap.MADV_REMOVE)
        self._freed = end

    def output(self) -> AbstractContextManager[TreeListing]:
        """The listing while it is read; GitError if git fails."""
        import contextlib

        @contextlib.contextmanager
        def reading() -> Iterator[TreeListing]:
            try:
                yield self
            finally:
                message = self._finish()
            if self._code != 0:
                raise GitError(f"git ls-tree failed: {first_line(message)}")

        return reading()

    def _finish(self) -> bytes:
        """Stop git if it still runs; the start of its errors."""
        try:
            self._stop()
            return os.pread(self._errors, 4096, 0)
        except OSError as exc:
            raise GitError(f"cannot read what git ls-tree wrote: {exc.strerror}") from None
        finally:
            self._close()


_started: list[TreeListing] = []
_staged: dict[str, tuple[SpawnedGit, SpawnedGit]] = {}


def start_tree_listing(cwd: str, rev: str) -> None:
    """Start listing the tree of `rev` for a tree check run from `cwd`, which takes it with
    `started_tree_listing`. Nothing is started where there is no memfd, and any error is
    left for the check itself to meet and report."""
    if not CAN_SPAWN:
        return
    try:
        listing = TreeListing(cwd, rev)
    except OSError:
        return  # the check lists the tree itself, and reports what fails
    _started.append(listing)


def started_tree_listing(cwd: str, rev: str) -> TreeListing | None:
    """The listing started for a tree check of `rev` from `cwd`, if there is one."""
    for listing in _started:
        if (listing.cwd, listing.rev) == (cwd, rev):
            _started.remove(listing)
            return listing
    return None


def start_staged_reads(cwd: str) -> None:
    """Start the two reads of a staged check run from `cwd` (the pre-commit hook), its diff
    and its branch, side by side: git then works while Python imports and loads the catalog.
    Taken with `started_staged_reads`; as for a tree listing, failures are the check's."""
    if not CAN_SPAWN:
        return
    try:
        diff = SpawnedGit(cwd, [*STAGED_DIFF, "HEAD", "--"])
    except OSError:
        return
    try:
        branch = SpawnedGit(cwd, CURRENT_BRANCH)
    except OSError:
        diff.cancel()
        return
    _staged[cwd] = (diff, branch)


def started_staged_reads(cwd: str) -> tuple[SpawnedGit, SpawnedGit] | None:
    """The diff and branch reads started for a staged check from `cwd`, if there are."""
    return _staged.pop(cwd, None)


def stop_untaken() -> None:
    """Stop the early gits no check took."""
    while _started:
        _started.pop().cancel()
    while _staged:
        for early in _staged.popitem()[1]:
            early.cancel()
