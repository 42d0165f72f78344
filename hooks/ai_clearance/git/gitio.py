"""The only module that runs git: one process per stream, `-z` output, read-only."""

from __future__ import annotations

import contextlib
import os
import time
from bisect import bisect_right
from collections.abc import Container, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol

from ai_clearance.errors import GitError, UsageError
from ai_clearance.git import runner
from ai_clearance.git.commit_text import read_commit
from ai_clearance.git.runner import first_line
from ai_clearance.model import Commit, Identity, PathChange

if TYPE_CHECKING:
    from ai_clearance.detect.detect import RegionFilter


class _Readable(Protocol):
    def readinto(self, view: memoryview, /) -> int | None: ...


_CHUNK = 1 << 20
_BATCH = 1 << 18
# With pacing, a read shorter than this means git writes slower than we parse: wait a little
# before the next one. On a 40k-commit range this cut context switches from 31k to 3.6k and system
# time from 1.25 s to 0.4 s; even a 64 KiB pipe holds far more than git log writes in 2 ms.
_SMALL_READ = 1 << 16
# When the reader has caught up with git, it waits this long before it looks again.
_LET_GIT_AHEAD = 0.002

LS_TREE = ("ls-tree", "-r", "-z", "--full-tree", "--end-of-options")
# The index against a tree, paths from the top level wherever it runs (diff.relative aside).
STAGED_DIFF = ("diff-index", "--cached", "-z", "--raw", "--no-renames", "--no-abbrev",
               "--no-relative")
CURRENT_BRANCH = ("symbolic-ref", "--quiet", "HEAD")

run_git = runner.run


@dataclass(frozen=True)
class Repo:
    """Where a repository is, and what kind it is."""

    git_dir: str
    toplevel: str | None
    bare: bool
    shallow: bool
    object_format: str

    @property
    def cwd(self) -> str:
        return self.toplevel or self.git_dir


# How git says that it found no repository in a folder or any above it, in the C locale.
_NO_REPOSITORY = "not a git repository (or any "


class NotARepository(GitError):
    """No repository where the check runs (a commit message can still be checked alone)."""


def discover(path: str = ".") -> Repo:
    """The repository containing `path`; NotARepository when there is none, GitError when
    git fails (not installed, a corrupt or unreadable repository, ...)."""
    args = ["rev-parse", "--absolute-git-dir", "--is-bare-repository",
            "--is-shallow-repository", "--show-object-format"]
    code, out, errors = runner.completed([*args, "--show-toplevel"], path)
    if code != 0:
        code, out, errors = runner.completed(args, path)  # a bare repository has no top level
    if code != 0:
        raise _not_discovered(path, code, first_line(errors))
    fields = out.decode("utf-8", "surrogateescape").split("\n")
    if len(fields) < 4:
        raise GitError("git rev-parse gave unexpected output")
    git_dir, bare, shallow, object_format = fields[:4]
    toplevel = fields[4] if bare != "true" and len(fields) > 4 and fields[4] else None
    return Repo(git_dir=git_dir, toplevel=toplevel, bare=bare == "true",
                shallow=shallow == "true", object_format=object_format)


def _not_discovered(path: str, code: int, reason: str) -> GitError:
    """Why git found no repository at `path`. Its "not a git repository" is also what it
    says of a .git it cannot read (a HEAD of garbage, say), so only a search that finds no
    .git at all is NotARepository."""
    if code != 128 or not reason.startswith(_NO_REPOSITORY):
        return GitError(f"git rev-parse failed: {reason}")
    try:
        found = _dot_git_above(path)
    except OSError as exc:
        return GitError(f"cannot tell whether {path} is in a repository: {exc.strerror}")
    if found is not None:
        return GitError(f"git cannot read the repository at {found} (corrupt or unreadable): "
                        f"{reason}")
    return NotARepository(f"git rev-parse failed: {reason}")


def _dot_git_above(path: str) -> str | None:
    """A `.git` in `path` or a folder above it, up to the filesystem boundary where git's
    own search stops."""
    folder = os.path.abspath(path)
    device = os.stat(folder).st_dev
    while True:
        candidate = os.path.join(folder, ".git")
        if os.path.lexists(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder or os.stat(parent).st_dev != device:
            return None
        folder = parent


def resolve_commit(repo: Repo, rev: str) -> str | None:
    """The commit id `rev` names, or None when it names no commit here."""
    if rev.startswith("-"):
        return None
    # 1: no such commit. Anything else (128: a corrupt object, say) is git failing.
    out = run_git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                  cwd=repo.cwd, ok_codes=(0, 1))
    text = out.decode("ascii", "replace").strip()
    return text or None


_FULL_ID = {"sha1": 40, "sha256": 64}
_HEX = frozenset("0123456789abcdef")


def exact_refs(repo: Repo, names: Sequence[str]) -> dict[str, str]:
    """The object each of `names` (full ref names) points to, for those that exist, matched
    by exact name, never by git's short-name rules (a pushed refs/heads/refs/heads/main must
    not stand in for main)."""
    if not names:
        return {}
    out = run_git(["for-each-ref", "--format=%(refname)%00%(objectname)", "--", *names],
                  cwd=repo.cwd)
    found = {}
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        ref, _, sha = line.partition("\0")
        if ref in names:
            found[ref] = sha
    return found


def resolve_ref_exactly(repo: Repo, name: str) -> str | None:
    """The commit a trust ref names, resolved without git's guessing: a full commit id, a
    full ref name (`refs/heads/main`), `HEAD`, or a short name that exactly one ref has
    (`main` is refs/heads/main only if no tag, remote or other ref is also called `main`).
    None when nothing has that name; UsageError when a short name is ambiguous or `name`
    is an expression (`main~1`) rather than a name."""
    if len(name) == _FULL_ID.get(repo.object_format, 40) and set(name) <= _HEX:
        return resolve_commit(repo, name)
    if name == "HEAD":
        return resolve_commit(repo, "HEAD")
    if not name or name.startswith("-") or any(c in name for c in "~^:@{}\\ ?*[\0"):
        raise UsageError(f"trust ref {name!r} is not a ref name: give a full ref name "
                         "(refs/heads/main) or a full commit id")
    full = [name] if name.startswith("refs/") else [
        f"refs/{name}", f"refs/tags/{name}", f"refs/heads/{name}", f"refs/remotes/{name}",
        f"refs/remotes/{name}/HEAD"]
    found = exact_refs(repo, full)
    if len(found) > 1:
        raise UsageError(f"trust ref {name!r} is ambiguous ({', '.join(sorted(found))}): "
                         "name it in full")
    if not found:
        # An abbreviated commit id that no ref is named like (git refuses an ambiguous one).
        return resolve_commit(repo, name) if len(name) >= 7 and set(name) <= _HEX else None
    return resolve_commit(repo, next(iter(found.values())))


def merge_base(repo: Repo, a: str, b: str) -> str | None:
    """The best common ancestor of two commits, or None when they share no history."""
    out = run_git(["merge-base", a, b], cwd=repo.cwd, ok_codes=(0, 1))
    text = out.decode("ascii", "replace").strip()
    return text or None


_EMPTY_TREE = {"sha1": "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
               "sha256": "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321"}


def empty_tree(repo: Repo) -> str:
    """The id of the empty tree (git knows it in every repository, written or not)."""
    return _EMPTY_TREE.get(repo.object_format) or _EMPTY_TREE["sha1"]


def range_bases(repo: Repo, head: str, bottoms: Sequence[str]) -> list[str]:
    """Where the tree a range brings starts: every best common ancestor of `head` and the
    commits the range excludes (`git merge-base --all`: a branch that merged two of them has
    one in each), or the empty tree when it excludes none or shares no history with them."""
    if not bottoms:
        return [empty_tree(repo)]
    out = run_git(["merge-base", "--all", head, *bottoms], cwd=repo.cwd, ok_codes=(0, 1))
    return out.decode("ascii", "replace").split() or [empty_tree(repo)]


def remote_tips(repo: Repo, remote: str) -> list[str]:
    """The commits the refs of `remote` point at (what `--remotes=REMOTE` selects), each once
    (REMOTE/HEAD names one of the others)."""
    out = run_git(["rev-parse", f"--remotes={remote}"], cwd=repo.cwd)
    return list(dict.fromkeys(out.decode("ascii", "replace").split()))


def shallow_commits(repo: Repo) -> frozenset[str]:
    """Commits whose parents this (shallow) clone does not have."""
    if not repo.shallow:
        return frozenset()
    # --git-path: a linked worktree keeps the shallow list in the common directory.
    out = run_git(["rev-parse", "--git-path", "shallow"], cwd=repo.cwd)
    path = out.decode("utf-8", "surrogateescape").rstrip("\n")
    try:
        with open(os.path.join(repo.cwd, path), encoding="ascii") as handle:
            return frozenset(line.strip() for line in handle if line.strip())
    except OSError as exc:
        # Fail closed: without the list, a cut range would look complete.
        raise GitError(f"shallow clone, but its shallow list is unreadable: {exc.strerror}"
                       ) from None


def current_branch(repo: Repo) -> str | None:
    """The checked-out branch (refs/heads/...), or None when HEAD is detached."""
    out = run_git(list(CURRENT_BRANCH), cwd=repo.cwd, ok_codes=(0, 1))  # 1: detached
    text = out.decode("utf-8", "surrogateescape").strip()
    return text or None


# Refs other than branches that agents' tools write: notes (AI attribution), Entire's
# checkpoint refs (session transcripts), Agent Blame's anchor tag (catalog AIC7xx).
_AGENT_REF_PREFIXES = ("refs/notes/", "refs/entire/", "refs/tags/agentblame-analytics-anchor")


def local_branches(repo: Repo) -> list[str]:
    """Every local branch ref name, and the refs agents' tools keep beside them (notes,
    Entire's checkpoints, Agent Blame's tag), whose names the ref rules judge."""
    out = run_git(["for-each-ref", "--format=%(refname)", "refs/heads/",
                   *_AGENT_REF_PREFIXES], cwd=repo.cwd)
    return [line for line in out.decode("utf-8", "surrogateescape").split("\n") if line]


def ident(repo: Repo, which: str) -> Identity:
    """The identity git would record as author or committer (`which`) right now; GitError
    when git cannot tell (fail closed: the identity may be the trace)."""
    var = "GIT_AUTHOR_IDENT" if which == "author" else "GIT_COMMITTER_IDENT"
    code, out, errors = runner.completed(["var", var], repo.cwd)
    text = out.decode("utf-8", "replace").strip()
    if code != 0 or "<" not in text:
        raise GitError(f"cannot tell who the {which} is (git var {var}: "
                       f"{first_line(errors)}); set user.name and user.email")
    name, _, rest = text.partition("<")
    return Identity(name.strip(), rest.partition(">")[0])


def _parse_raw(data: bytes, prefilter: RegionFilter | None = None,
               ) -> tuple[PathChange, ...]:
    """Parse `--raw -z` entries (plain and combined) into the paths that still exist after.
    With `prefilter`, output in which it finds nothing yields no entries (no path in it can
    match a rule), without parsing it."""
    if prefilter is not None and not prefilter.any(data):
        return ()
    changes = []
    tokens = data.split(b"\0")
    i = 0
    while i < len(tokens):
        meta = tokens[i].lstrip(b"\n")
        if not meta.startswith(b":"):
            i += 1
            continue
        path = tokens[i + 1] if i + 1 < len(tokens) else b""
        i += 2
        colons = len(meta) - len(meta.lstrip(b":"))
        parts = meta[colons:].split(b" ")
        # plain: old-mode new-mode old-sha new-sha status; combined: N+1 modes, N+1 shas.
        modes, shas = parts[: colons + 1], parts[colons + 1: 2 * colons + 2]
        new_mode, new_sha = modes[-1].decode("ascii"), shas[-1].decode("ascii")
        if new_mode == "000000":
            continue  # deleted: removing a trace is never a trace
        changes.append(PathChange(path.decode("utf-8", "surrogateescape"), new_sha, new_mode))
    return tuple(changes)


def _count_raw(data: bytes) -> int:
    """How many entries `--raw -z` output has: each is a meta and a path token, both ended
    by a NUL (neither can hold one), after the separator that follows the message."""
    return data.lstrip(b"\0\n").count(b"\0") // 2


def record_runs(output: contextlib.AbstractContextManager[_Readable], boundary: bytes, keep: int,
          pace: bool = False) -> Iterator[bytes]:
    """Runs of whole records of a git command's `output` as git writes them, at least _BATCH
    bytes each but the last; GitError if git fails. A run ends `keep` bytes into the last
    `boundary` it holds: 1 for the NUL that ends a `-z` entry, 0 for a marker that starts a
    record. The pipe is read into one buffer (a fresh bytes object per read cost more system
    time than git itself), so each byte is copied once out of the pipe and once into its run.
    With `pace`, a short read means git writes slower than we parse (git log flushes a
    commit at a time): wait a little, so that it writes many records per wake-up."""
    buffer = bytearray(_CHUNK + _BATCH)
    filled = 0
    with output as stdout:
        while True:
            with memoryview(buffer) as view:
                got = stdout.readinto(view[filled:])
            if not got:
                break
            filled += got
            if filled < _BATCH:
                if pace and got < _SMALL_READ:
                    time.sleep(_LET_GIT_AHEAD)
                continue
            last = buffer.rfind(boundary, 0, filled)
            cut = last + keep if last >= 0 else 0
            if cut == 0:  # one record longer than the buffer: make room for the rest of it
                if filled == len(buffer):
                    buffer.extend(bytes(len(buffer)))
                continue
            with memoryview(buffer) as view:
                run = bytes(view[:cut])
            buffer[:filled - cut] = buffer[cut:filled]
            filled -= cut
            yield run
    if filled:
        yield bytes(buffer[:filled])


def stream_commits(repo: Repo, revs: Sequence[str], no_walk: bool = False,
                   prefilter: RegionFilter | None = None,
                   paths: Sequence[str] = ()) -> Iterator[Commit]:
    """Every commit `revs` selects, each with the paths it adds or changes, from one git log,
    and what its object says (author, committer, message, other readings) from one
    `git cat-file --batch`: git log prints a re-encoded object, and stops at a NUL byte.

    Merge commits carry their combined diff (`--cc`): only what the merge itself introduced,
    such as a conflict resolution, not what its parents already brought. With `paths`
    (repository paths, taken literally), only the commits that change one of them, with
    those changes alone; none is left out for the history's shape (`--full-history`).
    """
    nonce = os.urandom(16).hex().encode()  # unguessable, so no path can forge a boundary
    start, end = b"\x00S" + nonce, b"\x00E" + nonce
    fmt = "%x00S" + nonce.decode() + "%H%x00%P%x00%ct%x00%at%x00E" + nonce.decode()
    args = ["-c", "log.showSignature=false", "-c", "diff.noprefix=false", "log", "-z", "--raw",
            "--no-renames", "--no-abbrev", "--cc", "--root", "--no-color", "--no-ext-diff",
            "--no-textconv", f"--format={fmt}"]
    if no_walk:
        args.append("--no-walk")
    if paths:
        args[:0] = ["--literal-pathspecs"]
        args.append("--full-history")
    args.extend(revs)
    args.append("--")
    args.extend(paths)
    with _CommitObjects(repo) as objects:
        # The objects of a run are asked for as soon as it is read, and its commits made
        # once the next run is read: cat-file answers while the commits before are judged.
        waiting: list[tuple[bytes, bool]] = []
        # Runs end before a record's start marker: the last record of a run is whole.
        for region in record_runs(runner.stream(args, repo.cwd, "log"), start, 0, pace=True):
            records = _records(region, start, prefilter)
            objects.ask([record.partition(b"\0")[0] for record, _ in records])
            yield from (_parse_commit(record, end, prefilter, objects, look)
                        for record, look in waiting)
            waiting = records
        yield from (_parse_commit(record, end, prefilter, objects, look)
                    for record, look in waiting)


def path_versions(repo: Repo, revs: Sequence[str], no_walk: bool, paths: Container[str],
                  ) -> Iterator[tuple[str, int, PathChange]]:
    """(commit, its committer time, the change) for each change the commits `revs` select
    make to one of `paths` (combined diffs for merges), from one git log that names no
    path: git matches every pathspec against every entry it diffs, so on rails 600 of them
    cost it 7x the whole log; a set lookup per entry here costs far less."""
    nonce = os.urandom(16).hex()
    start, end = b"\x00S" + nonce.encode(), b"\x00E" + nonce.encode()
    args = ["-c", "log.showSignature=false", "log", "-z", "--raw", "--no-renames",
            "--no-abbrev", "--cc", "--root", "--no-color", "--no-ext-diff", "--no-textconv",
            f"--format=%x00S{nonce}%H %ct%x00E{nonce}"]
    if no_walk:
        args.append("--no-walk")
    args.extend(revs)
    args.append("--")
    for region in record_runs(runner.stream(args, repo.cwd, "log"), start, 0):
        for record in region.split(start):
            head, sep, raw = record.partition(end)
            if not sep:
                continue
            sha, _, committed = head.decode("ascii", "replace").partition(" ")
            for change in _parse_raw(raw):
                if change.path in paths:
                    yield sha, _epoch(committed.encode()), change


class _CommitObjects(runner.Batch):
    """Raw commit objects from one `git cat-file --batch`, asked for a run of commits at a
    time and read back in the order asked."""

    def __init__(self, repo: Repo) -> None:
        super().__init__(repo.cwd, buffer=_BATCH)

    def read(self, sha: bytes) -> bytes:
        """The next object asked for, which must be commit `sha`."""
        parts = self.answers.readline().split()
        if len(parts) != 3 or parts[0] != sha or parts[1] != b"commit" or \
                not parts[2].isdigit():
            raise GitError(f"cannot read commit {sha.decode('ascii', 'replace')}")
        size = int(parts[2])
        data = self.answers.read(size + 1)  # and the newline cat-file writes after it
        if len(data) != size + 1:
            raise GitError("git cat-file output was cut short")
        return data[:size]


def _records(region: bytes, start: bytes, prefilter: RegionFilter | None,
             ) -> list[tuple[bytes, bool]]:
    """The records of a run of whole records, each with whether its paths need a look. The
    prefilter runs once over the run, not once per commit: only the commits it points into
    have their paths parsed."""
    records = region.split(start)
    flagged: set[int] | None = None
    if prefilter is not None:
        flagged = set()
        hits = prefilter.hit_positions(region)
        if hits:
            offsets, pos = [], 0  # where each record starts in the region
            for record in records:
                offsets.append(pos)
                pos += len(record) + len(start)
            flagged = {bisect_right(offsets, hit) - 1 for hit in hits}
    return [(record, flagged is None or index in flagged)
            for index, record in enumerate(records) if record]


def _parse_commit(record: bytes, end: bytes, prefilter: RegionFilter | None,
                  objects: _CommitObjects, paths: bool = True) -> Commit:
    head, sep, raw = record.partition(end)
    if not sep:
        raise GitError("git log output was cut short")
    fields = head.split(b"\0")
    if len(fields) != 4:
        raise GitError("git log gave a record it cannot parse")
    sha, parents, committed, authored = fields
    text = read_commit(objects.read(sha))
    return Commit(
        sha=sha.decode("ascii"),
        parents=tuple(p.decode("ascii") for p in parents.split()),
        author=text.author,
        committer=text.committer,
        message=text.message,
        changes=_parse_raw(raw, prefilter) if paths else (),
        path_count=_count_raw(raw),
        committed_at=_epoch(committed),
        authored_at=_epoch(authored),
        readings=text.readings,
    )


def _epoch(field: bytes) -> int:
    """A `%ct`/`%at` date; 0 for a commit whose date git cannot parse."""
    try:
        return int(field)
    except ValueError:
        return 0


def staged_diff(repo: Repo) -> bytes:
    """Raw `-z` diff of the index against HEAD (or against nothing, before the first commit)."""
    args = list(STAGED_DIFF)
    try:
        return run_git([*args, "HEAD", "--"], cwd=repo.cwd)
    except GitError:
        if resolve_commit(repo, "HEAD") is not None:
            raise
        # Before the first commit: everything staged is new, so compare with the empty tree.
        empty = run_git(["hash-object", "-t", "tree", "--stdin"], cwd=repo.cwd, stdin=b"")
        return run_git([*args, empty.decode("ascii").strip(), "--"], cwd=repo.cwd)


def staged_changes(raw: bytes, prefilter: RegionFilter | None = None,
                   ) -> tuple[tuple[PathChange, ...], int]:
    """The paths a staged diff (`staged_diff`) adds or changes, and how many it has in all."""
    return _parse_raw(raw, prefilter), _count_raw(raw)


class OnThread:
    """Git reads on a thread, while this one works (they mostly wait on a git process)."""

    def __init__(self) -> None:
        import threading

        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by _join()
            self._error = exc

    def _work(self) -> None:
        raise NotImplementedError

    def _join(self) -> None:
        """Wait for the reads; raise the error they met, if any."""
        self._thread.join()
        if self._error is not None:
            raise self._error


class StagedPrefetch(OnThread):
    """The staged diff and the current branch, read on a thread from the moment the
    repository is known, while this one loads the catalog, the policy and the trust files
    (the pre-commit hook's critical path)."""

    def __init__(self, repo: Repo) -> None:
        self._repo = repo
        self._raw = b""
        self._branch: str | None = None
        super().__init__()

    def _work(self) -> None:
        self._raw = staged_diff(self._repo)
        self._branch = current_branch(self._repo)

    def result(self) -> tuple[bytes, str | None]:
        """The raw diff and the branch (the same again on a later call); the error git
        gave, if it failed."""
        self._join()
        return self._raw, self._branch


class TreeDiffRead(OnThread):
    """`tree_diff` read on a thread while this one reads the commit stream: git compares
    the trees on the core that the stream's parsing leaves idle."""

    def __init__(self, repo: Repo, bases: Sequence[str], head: str,
                 prefilter: RegionFilter | None) -> None:
        self.bases = list(bases)
        self._args = (repo, head, prefilter)
        self._changes: list[PathChange] = []
        super().__init__()

    def _work(self) -> None:
        repo, head, prefilter = self._args
        self._changes = list(tree_diff(repo, self.bases, head, prefilter))

    def result(self) -> list[PathChange]:
        """The changes; the error git gave, if it failed."""
        self._join()
        return self._changes


def tree_entries(repo: Repo, rev: str, prefilter: RegionFilter | None, counter: list[int],
                 ) -> Iterator[tuple[str, bytes]]:
    """Paths in the tree of `rev` with their raw `mode type id` header, streamed from one
    git ls-tree (turn a hit into a PathChange with `tree_change`). With `prefilter`, only
    entries it finds something in are yielded; `counter[0]` counts every entry."""
    for run in record_runs(runner.stream([*LS_TREE, rev], repo.cwd, "ls-tree"), b"\0", 1):
        yield from _tree_region(run, prefilter, counter)


# Against several bases, a combined diff: a path counts only if it differs from every one
# (diff-tree compares two trees; -c on it takes a commit's own parents). Porcelain, so the
# configuration that could change what it lists is overridden.
_COMBINED_DIFF = ("diff", "-c", "-z", "--raw", "--no-renames", "--no-abbrev", "--no-relative",
                  "--ignore-submodules=none", "--no-ext-diff", "--no-textconv")


def tree_diff(repo: Repo, bases: Sequence[str], head: str, prefilter: RegionFilter | None,
              ) -> Iterator[PathChange]:
    """The paths the tree of `head` adds or changes against each of `bases` (commits, or one
    tree), streamed from one git diff-tree (or, for several bases, one combined git diff).
    With `prefilter`, only entries it finds something in are parsed."""
    args = ["diff-tree", "-r", "-z", "--raw", "--no-renames", "--no-abbrev", *bases, head] \
        if len(bases) == 1 else [*_COMBINED_DIFF, head, *bases]
    left = b""
    for run in record_runs(runner.stream([*args, "--"], repo.cwd, args[0]), b"\0", 1):
        region, left = whole_entries(left + run)
        yield from _diff_region(region, prefilter)
    if left:
        raise GitError("git diff-tree output was cut short")


def whole_entries(region: bytes) -> tuple[bytes, bytes]:
    """`region` (raw `-z` diff output ending in a NUL) cut after its last whole entry, and
    the rest: an entry is two NUL-ended tokens, its meta and its path, and a run of output
    may end between them."""
    if region.count(b"\0") % 2 == 0:
        return region, b""
    cut = region.rfind(b"\0", 0, len(region) - 1) + 1
    return region[:cut], region[cut:]


def _diff_region(region: bytes, prefilter: RegionFilter | None) -> tuple[PathChange, ...]:
    """The changes of whole raw diff entries; with `prefilter`, of those it points into."""
    if prefilter is None:
        return _parse_raw(region)
    changes: list[PathChange] = []
    tokens, counted, last = 0, 0, -1
    for start in prefilter.entry_starts(region):
        if start >= len(region):
            break
        # Even tokens are metas, odd ones paths (a path may look like a meta: count them).
        tokens += region.count(b"\0", counted, start)
        counted = start
        meta = start if tokens % 2 == 0 else region.rfind(b"\0", 0, start - 1) + 1
        if meta != last:  # an entry hit twice (its mode and its path) is parsed once
            last = meta
            end = region.find(b"\0", region.find(b"\0", meta) + 1) + 1
            changes.extend(_parse_raw(region[meta:end]))
    return tuple(changes)


def _tree_region(region: bytes, prefilter: RegionFilter | None,
                 counter: list[int]) -> Iterator[tuple[str, bytes]]:
    counter[0] += region.count(b"\0")
    # Only the entries the filter points at: most chunks have none at all.
    starts = _entry_starts(region) if prefilter is None else \
        prefilter.entry_starts(region, raw_diff=False)
    for start in starts:
        end = region.find(b"\0", start)
        meta, _, path = region[start:end].partition(b"\t")
        yield path.decode("utf-8", "surrogateescape"), meta


def _entry_starts(region: bytes) -> Iterator[int]:
    start = 0
    while start < len(region):
        yield start
        start = region.find(b"\0", start) + 1


def tree_change(path: str, meta: bytes) -> PathChange:
    """A tree entry as a PathChange."""
    mode, _, rest = meta.partition(b" ")
    return PathChange(path, rest.partition(b" ")[2].decode("ascii"), mode.decode("ascii"))


def _tree_entry(entry: bytes) -> PathChange:
    meta, _, path = entry.partition(b"\t")
    mode, _, rest = meta.partition(b" ")
    _kind, _, sha = rest.partition(b" ")
    return PathChange(path.decode("utf-8", "surrogateescape"), sha.decode("ascii"),
                      mode.decode("ascii"))


class _BlobReader:
    """Lines of one blob on a `cat-file --batch` stream, read in chunks, never all at once."""

    def __init__(self, stream: IO[bytes], size: int) -> None:
        self._stream = stream
        self._left = size

    def lines(self) -> Iterator[bytes]:
        pending = b""
        while self._left > 0:
            chunk = self._stream.read(min(_CHUNK, self._left))
            if not chunk:
                raise GitError("git cat-file output was cut short")
            self._left -= len(chunk)
            pieces = (pending + chunk).split(b"\n")
            pending = pieces.pop()
            if len(pending) > _CHUNK:
                # A line longer than a chunk is matched in pieces rather than kept whole.
                pieces.append(pending)
                pending = b""
            yield from pieces
        if pending:
            yield pending

    def drain(self) -> None:
        while self._left > 0:
            chunk = self._stream.read(min(_CHUNK, self._left))
            if not chunk:
                raise GitError("git cat-file output was cut short")
            self._left -= len(chunk)
        self._stream.read(1)  # the newline cat-file writes after each object


def read_blobs(repo: Repo, shas: Sequence[str], unreadable: list[str] | None = None,
               ) -> Iterator[tuple[str, Iterator[bytes]]]:
    """Each blob's lines through `git cat-file --batch`. A blob the repository does not have
    is a GitError (fail closed: the unreadable file may be the trace) or, with `unreadable`,
    listed there and skipped. A partial clone's missing blobs are fetched in one batch from
    its promisor remote first (git would fetch them one by one); what that cannot bring is
    listed too."""
    if not shas:
        return
    missing: list[str] = []
    yield from _read_present(repo, shas, missing)
    if missing and fetch_missing(repo, missing):
        still: list[str] = []
        yield from _read_present(repo, missing, still)
        missing = still
    if missing and unreadable is None:
        raise GitError(f"cannot read object {missing[0]}: the repository does not have it")
    if unreadable is not None:
        unreadable.extend(missing)


# Reading never fetches: git's lazy fetch asks the promisor remote once per missing object
# and, when it cannot, ends cat-file. Recent git honours GIT_NO_LAZY_FETCH; older git is
# kept from reaching any remote by allowing no transport at all.
_NO_LAZY_FETCH = {"GIT_NO_LAZY_FETCH": "1", "GIT_ALLOW_PROTOCOL": "none"}


def _read_present(repo: Repo, shas: Sequence[str], missing: list[str],
                  ) -> Iterator[tuple[str, Iterator[bytes]]]:
    """The blobs of `shas` this repository has; the others are added to `missing`."""
    todo = list(shas)
    while todo:
        todo = yield from _cat_file(repo, todo, missing)


def _cat_file(repo: Repo, shas: list[str], missing: list[str],
              ) -> Generator[tuple[str, Iterator[bytes]], None, list[str]]:
    """One `git cat-file --batch` over `shas`; returns those it did not get to (a partial
    clone's cat-file stops at the first object it does not have)."""
    with runner.Batch(repo.cwd, env=_NO_LAZY_FETCH) as batch:
        # All the questions at once: a round trip per blob cost more than reading it
        # (0.04 s for 500 symlinks), and git may answer faster than we ask.
        batch.ask(shas)
        for number, sha in enumerate(shas):
            header = batch.answers.readline()
            parts = header.split()
            if len(parts) != 3 or not parts[2].isdigit():
                missing.append(sha)
                if not header:
                    return shas[number + 1:]
                continue
            reader = _BlobReader(batch.answers, int(parts[2]))
            yield sha, reader.lines()
            reader.drain()
        return []


def promisor_remote(repo: Repo) -> str | None:
    """The remote a partial clone fetches missing objects from; None for a full clone."""
    out = run_git(["config", "--get", "extensions.partialClone"], cwd=repo.cwd,
                  ok_codes=(0, 1)).decode("utf-8", "surrogateescape").strip()
    if out:
        return out
    # git clone --filter records only remote.<name>.promisor = true.
    listed = run_git(["config", "--type=bool", "--get-regexp", r"^remote\..*\.promisor$"],
                     cwd=repo.cwd, ok_codes=(0, 1)).decode("utf-8", "surrogateescape")
    for line in listed.splitlines():
        key, _, flag = line.partition(" ")
        if flag.strip() == "true":
            return key[len("remote."):-len(".promisor")]
    return None


def fetch_missing(repo: Repo, oids: Sequence[str]) -> bool:
    """Fetch `oids` from the promisor remote in one request, as git's lazy fetch does for one
    object (never prompting: GIT_TERMINAL_PROMPT=0). False when this is no partial clone or
    the remote cannot be reached."""
    remote = promisor_remote(repo)
    if remote is None:
        return False
    code, _, _ = runner.completed(["-c", "fetch.negotiationAlgorithm=noop", "fetch", remote,
                                   "--no-tags", "--no-write-fetch-head",
                                   "--recurse-submodules=no", "--filter=blob:none", "--stdin"],
                                  repo.cwd, "".join(f"{oid}\n" for oid in oids).encode("ascii"))
    return code == 0


def read_small_files(repo: Repo, rev: str, paths: Sequence[str],
                     limit: int = 1 << 20) -> dict[str, tuple[str, bytes]]:
    """Files under `paths` in the tree of `rev`: path -> (blob id, content). Used for the
    policy and trust files, read from a commit rather than the work tree."""
    out = run_git(["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev, "--", *paths],
                  cwd=repo.cwd)
    entries = [_tree_entry(e) for e in out.split(b"\0") if e]
    return read_small_blobs(repo, entries, f"at {rev}", limit)


def index_files(repo: Repo, paths: Sequence[str]) -> list[PathChange]:
    """Entries of the index under `paths` (from the top level): what the next commit would
    record. Entries of an unresolved merge are left out: git refuses to commit them."""
    out = run_git(["ls-files", "-s", "-z", "--", *paths], cwd=repo.cwd)
    entries = []
    for entry in out.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        fields = meta.split(b" ")
        if len(fields) == 3 and fields[2] == b"0":
            entries.append(PathChange(path.decode("utf-8", "surrogateescape"),
                                      fields[1].decode("ascii"), fields[0].decode("ascii")))
    return entries


def entries_below(repo: Repo, tree: str | None, folders: Sequence[str],
                  limit: int) -> Iterator[PathChange]:
    """The entries below `folders` (repository paths, "" for the top) in the tree of `tree`,
    or in the index when it is None (unmerged entries left out). GitError past `limit`
    entries: the caller judges each one, so the listing is bounded rather than cut."""
    whole = "" in folders
    specs = [] if whole else ["--", *folders]
    args = ["--literal-pathspecs", "ls-files", "-s", "-z", "--full-name", *specs] \
        if tree is None else ["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", tree,
                              *specs]
    prefixes = tuple(f"{f}/" for f in folders)
    count = 0
    what = "ls-files" if tree is None else "ls-tree"
    for run in record_runs(runner.stream(args, repo.cwd, what), b"\0", 1):
        for entry in run.split(b"\0"):
            change = _listed(entry, tree is None)
            if change is None or not (whole or change.path.startswith(prefixes)):
                continue
            count += 1
            if count > limit:
                raise GitError(f"more than {limit} files below {', '.join(folders) or '/'} "
                               "to judge through symlinks; refusing to pass unjudged")
            yield change


def links_at(repo: Repo, tree: str | None, paths: Sequence[str]) -> dict[str, str]:
    """The symlinks among `paths` (repository paths) in the tree of `tree`, or in the index
    when it is None: path -> blob of the link. Paths that are not links are left out."""
    wanted = set(paths)
    if not wanted:
        return {}
    args = ["--literal-pathspecs", "ls-files", "-s", "-z", "--full-name", "--", *sorted(wanted)] \
        if tree is None else ["--literal-pathspecs", "ls-tree", "-z", "--full-tree",
                              "--end-of-options", tree, "--", *sorted(wanted)]
    found: dict[str, str] = {}
    what = "ls-files" if tree is None else "ls-tree"
    for run in record_runs(runner.stream(args, repo.cwd, what), b"\0", 1):
        for entry in run.split(b"\0"):
            change = _listed(entry, tree is None)
            if change is not None and change.mode == "120000" and change.path in wanted:
                found[change.path] = change.blob
    return found


def files_at(repo: Repo, tree: str | None, paths: Sequence[str]) -> dict[str, PathChange]:
    """The regular files among `paths` (repository paths) in the tree of `tree`, or in the
    index when it is None: path -> entry. Paths that are not there, or not files, are left
    out."""
    wanted = set(paths)
    found: dict[str, PathChange] = {}
    what = "ls-files" if tree is None else "ls-tree"
    head = ["--literal-pathspecs", "ls-files", "-s", "-z", "--full-name", "--"] \
        if tree is None else ["--literal-pathspecs", "ls-tree", "-z", "--full-tree",
                              "--end-of-options", tree, "--"]
    for chunk in argument_chunks(sorted(wanted)):
        for run in record_runs(runner.stream([*head, *chunk], repo.cwd, what), b"\0", 1):
            for entry in run.split(b"\0"):
                change = _listed(entry, tree is None)
                if change is not None and change.mode in ("100644", "100755") \
                        and change.path in wanted:
                    found[change.path] = change
    return found


# How many characters of paths one git command line carries: Windows allows 32,767 for a
# whole command line, Linux 128 KiB for one argument and about 2 MiB for all of them.
ARGUMENT_CHARS = 24_000


def argument_chunks(paths: Sequence[str], limit: int = ARGUMENT_CHARS) -> Iterator[list[str]]:
    """`paths` in runs whose total length stays within `limit` (a longer path alone)."""
    chunk: list[str] = []
    size = 0
    for path in paths:
        if chunk and size + len(path) + 1 > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(path)
        size += len(path) + 1
    if chunk:
        yield chunk


def _listed(entry: bytes, staged: bool) -> PathChange | None:
    """An `ls-tree` entry, or an `ls-files -s` one (`staged`; unmerged ones are None)."""
    meta, tab, path = entry.partition(b"\t")
    fields = meta.split(b" ")
    if not tab or len(fields) != 3 or (staged and fields[2] != b"0"):
        return None
    mode, blob = fields[0], fields[1 if staged else 2]
    return PathChange(path.decode("utf-8", "surrogateescape"), blob.decode("ascii"),
                      mode.decode("ascii"))


def read_small_blobs(repo: Repo, entries: Sequence[PathChange], where: str,
                     limit: int = 1 << 20) -> dict[str, tuple[str, bytes]]:
    """The contents of the regular files among `entries` (found `where`, for errors), through
    one `git cat-file --batch`: path -> (blob id, content)."""
    blobs = [e for e in entries if e.mode in ("100644", "100755")]
    found: dict[str, tuple[str, bytes]] = {}
    if not blobs:
        return found
    request = b"".join(e.blob.encode("ascii") + b"\n" for e in blobs)
    data, pos = run_git(["cat-file", "--batch"], cwd=repo.cwd, stdin=request), 0
    for entry in blobs:
        end = data.find(b"\n", pos)
        parts = data[pos:end].split()
        if end < 0 or len(parts) != 3 or not parts[2].isdigit():
            raise GitError(f"cannot read {entry.path} {where}")
        size = int(parts[2])
        if size > limit:
            raise GitError(f"{entry.path} {where} is larger than {limit} bytes")
        found[entry.path] = (entry.blob, data[end + 1:end + 1 + size])
        pos = end + 1 + size + 1
    return found


def symbolic_target(repo: Repo, name: str) -> str | None:
    """Where a symbolic ref points (e.g. refs/remotes/origin/HEAD), or None."""
    # 1: not there, or not symbolic. 128 is git failing: trust must not quietly move to HEAD.
    out = run_git(["symbolic-ref", "--quiet", name], cwd=repo.cwd, ok_codes=(0, 1))
    text = out.decode("utf-8", "surrogateescape").strip()
    return text or None


def patch_id(repo: Repo, sha: str) -> str | None:
    """`git patch-id --verbatim` of a commit's change: the same after a rebase or reword,
    different for any other change, whitespace included (indentation can carry meaning)."""
    diff = run_git(["diff-tree", "-p", "--root", "--no-color", "--no-ext-diff", "--no-textconv",
                    "--no-renames", sha], cwd=repo.cwd)
    if not diff.strip():
        return None
    out = run_git(["patch-id", "--verbatim"], cwd=repo.cwd, stdin=diff)
    fields = out.split()
    return fields[0].decode("ascii") if fields else None


def patch_ids(repo: Repo, shas: Sequence[str]) -> dict[str, str]:
    """`patch_id` of many commits in two git calls; a commit with no change has none."""
    if not shas:
        return {}
    diffs = run_git(["diff-tree", "-p", "--root", "--no-color", "--no-ext-diff", "--no-textconv",
                     "--no-renames", "--stdin"], cwd=repo.cwd,
                    stdin="".join(f"{sha}\n" for sha in shas).encode("ascii"))
    out = run_git(["patch-id", "--verbatim"], cwd=repo.cwd, stdin=diffs)
    ids: dict[str, str] = {}
    for line in out.decode("ascii").splitlines():
        patch, _, commit = line.partition(" ")
        ids[commit] = patch
    return ids


def commit_signatures(repo: Repo, shas: Sequence[str],
                      allowed_signers: str) -> dict[str, tuple[str, str]]:
    """git's verdict on each commit's signature (%G?, e.g. G for good) and the principal the
    allowed_signers file maps the signing key to (%GS), in one git call."""
    if not shas:
        return {}
    out = run_git(["-c", f"gpg.ssh.allowedSignersFile={allowed_signers}", "log", "--no-walk",
                   "-z", "--format=%H%x00%G?%x00%GS", "--stdin", "--"], cwd=repo.cwd,
                  stdin="".join(f"{sha}\n" for sha in shas).encode("ascii"))
    fields = out.decode("utf-8", "replace").split("\0")
    return {fields[i]: (fields[i + 1], fields[i + 2]) for i in range(0, len(fields) - 2, 3)}


def fetch(repo: Repo, remote: str, refspecs: Sequence[str], depth: int | None) -> bool:
    """Fetch objects the check needs (CI only: its job is to complete a shallow checkout).
    Returns False when the remote refuses, so the caller can try another way."""
    args = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules"]
    if depth is not None:
        args.append(f"--depth={depth}")
    try:
        run_git([*args, remote, *refspecs], cwd=repo.cwd)
    except GitError:
        return False
    return True


def unshallow(repo: Repo, remote: str) -> None:
    """Fetch the whole history of a shallow clone."""
    run_git(["fetch", "--quiet", "--no-tags", "--unshallow", remote], cwd=repo.cwd)


def config_value(repo: Repo, key: str) -> str | None:
    """A configuration value as git resolves it for this repository (includes, conditional
    includes, GIT_CONFIG_* variables); None when it is not set."""
    out = run_git(["config", "--get", key], cwd=repo.cwd, ok_codes=(0, 1))
    return out.decode("utf-8", "surrogateescape").rstrip("\n") or None


def git_path(repo: Repo, name: str) -> str:
    """Where git keeps `name` for this repository (`hooks` honours core.hooksPath; a linked
    worktree shares the common directory's)."""
    out = run_git(["rev-parse", "--git-path", name], cwd=repo.cwd)
    # Relative to where git ran, or absolute (then join keeps it as it is).
    return os.path.join(repo.cwd, out.decode("utf-8", "surrogateescape").rstrip("\n"))


def is_shallow(repo: Repo) -> bool:
    """Whether the repository is shallow right now (it changes as CI deepens it)."""
    out = run_git(["rev-parse", "--is-shallow-repository"], cwd=repo.cwd)
    return out.strip() == b"true"


def rev_list(repo: Repo, revs: Sequence[str]) -> list[str]:
    """Commit ids `revs` select."""
    out = run_git(["rev-list", *revs, "--"], cwd=repo.cwd)
    return out.decode("ascii").split()


def commit_author(repo: Repo, sha: str) -> Identity:
    """A commit's author as its commit object holds it (read as stream_commits reads it)."""
    out = run_git(["cat-file", "commit", sha], cwd=repo.cwd)
    return read_commit(out).author


_CLEANUP_KEYS = r"^(commit\.cleanup|commit\.verbose|core\.commentchar)$"


def commit_cleanup_config(repo: Repo | None) -> dict[str, str]:
    """`commit.cleanup`, `commit.verbose` and `core.commentchar` as git reads them here (its
    `-c` options reach a hook through the environment); the last value of each wins."""
    code, out, errors = runner.completed(["config", "-z", "--get-regexp", _CLEANUP_KEYS],
                                         repo.cwd if repo is not None else ".")
    if code not in (0, 1):  # 1: none set
        raise GitError(f"git config failed: {first_line(errors)}")
    found: dict[str, str] = {}
    for entry in out.decode("utf-8", "replace").split("\0"):
        key, _, setting = entry.partition("\n")
        if key:
            found[key.casefold()] = setting
    return found


# How far up the process tree the git that runs a hook may be: git, the hook script, a
# hook manager (pre-commit's script and its Python), this hook.
_HOOK_DEPTH = 6


def committing_command() -> list[str] | None:
    """The arguments after `commit` of the `git commit` that runs this hook, read from the
    process tree (Linux /proc); None when it is not found or is not `git commit` (an alias,
    a merge, another system): the caller then allows for every cleanup mode."""
    pid = os.getppid()
    for _ in range(_HOOK_DEPTH):
        argv, parent = _process(pid)
        if argv is None or parent is None:
            return None
        if argv and os.path.basename(argv[0]).removesuffix(".exe") == "git":
            return subcommand_args(argv[1:], "commit")
        pid = parent
    return None


def _process(pid: int) -> tuple[list[str] | None, int | None]:
    """A process's arguments and its parent's id, from /proc; Nones when unreadable."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            raw = file.read(1 << 20)
        with open(f"/proc/{pid}/stat", "rb") as file:
            stat = file.read(4096)
    except OSError:
        return None, None
    # The name in parentheses may hold anything: the fields after its last `)` are plain.
    fields = stat[stat.rfind(b")") + 2:].split()
    parent = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None
    argv = [a.decode("utf-8", "surrogateescape") for a in raw.split(b"\0")[:-1]]
    return argv, parent


# git's own options before the command name that take the next argument as their value.
_GIT_VALUE_OPTIONS = frozenset({"-c", "-C", "--git-dir", "--work-tree", "--namespace",
                                "--config-env", "--super-prefix"})


def subcommand_args(args: list[str], name: str) -> list[str] | None:
    """The arguments after the git command `name` in a git command line; None when the
    command is another (or an alias)."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] in _GIT_VALUE_OPTIONS:
            i += 1
        i += 1
    return args[i + 1:] if i < len(args) and args[i] == name else None


# ------------------------------------------------------------------ git notes
NOTES_PREFIX = "refs/notes/"


def notes_refs(repo: Repo) -> list[str]:
    """Every notes ref (`refs/notes/*`): agents and tools keep attribution there."""
    out = run_git(["for-each-ref", "--format=%(refname)", NOTES_PREFIX], cwd=repo.cwd)
    return [line for line in out.decode("utf-8", "surrogateescape").split("\n") if line]


def notes_of(repo: Repo, ref: str) -> dict[str, str]:
    """The notes of one notes ref (or notes commit): annotated object id to note blob id,
    read from its tree in one `git ls-tree` whatever its fan-out (`ab/cdef...` paths)."""
    out = run_git([*LS_TREE, f"{ref}^{{tree}}"], cwd=repo.cwd) if ref else b""
    return _note_entries(out)


def notes_added(repo: Repo, old: str | None, new: str) -> dict[str, str]:
    """The notes that notes commit `new` holds and `old` did not (added or changed), in one
    git call: annotated object id to note blob id."""
    if old is None:
        return notes_of(repo, new)
    out = run_git(["diff-tree", "-r", "-z", "--no-renames", "--diff-filter=AMT",
                   "--no-abbrev", f"{old}^{{tree}}", f"{new}^{{tree}}"], cwd=repo.cwd)
    found: dict[str, str] = {}
    fields = out.split(b"\0")
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        parts = meta.split()
        if len(parts) >= 4:
            _note_entry(found, parts[3], path)
    return found


def _note_entries(listing: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in listing.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == b"blob":
            _note_entry(found, parts[2], path)
    return found


def _note_entry(found: dict[str, str], blob: bytes, path: bytes) -> None:
    """A note at `path` (its object id split into fan-out folders); other files of a notes
    tree are not notes, and are left out, as git leaves them."""
    name = path.replace(b"/", b"").decode("ascii", "replace").lower()
    if len(name) in _FULL_ID.values() and set(name) <= _HEX:
        found[name] = blob.decode("ascii")


def read_texts(repo: Repo, shas: Sequence[str], limit: int) -> dict[str, str]:
    """The objects `shas` as text, through one `git cat-file --batch`; GitError for one the
    repository does not have, or one larger than `limit` bytes (fail closed: its end is
    not judged, and holding it whole is not safe)."""
    texts: dict[str, str] = {}
    for sha, lines in read_blobs(repo, list(dict.fromkeys(shas))):
        kept: list[bytes] = []
        size = 0
        for line in lines:
            size += len(line) + 1
            if size > limit + 1:
                raise GitError(f"object {sha[:12]} is larger than {limit >> 20} MiB: too "
                               "large to judge")
            kept.append(line)
        texts[sha] = b"\n".join(kept).decode("utf-8", "replace")
    return texts


def commit_authors(repo: Repo, shas: Sequence[str]) -> dict[str, Identity]:
    """The authors of those of `shas` that are commits here (others are left out), in two
    git calls whatever their number."""
    if not shas:
        return {}
    out = run_git(["cat-file", "--batch-check=%(objectname) %(objecttype)"], cwd=repo.cwd,
                  stdin="".join(f"{sha}\n" for sha in shas).encode("ascii"))
    commits = [line.split()[0] for line in out.decode("ascii", "replace").split("\n")
               if line.endswith(" commit")]
    return {sha: read_commit(b"\n".join(lines)).author
            for sha, lines in read_blobs(repo, commits)}


def commit_dates(repo: Repo, revs: Sequence[str], no_walk: bool = False,
                 ) -> list[tuple[str, str, str]]:
    """(commit id, author date, committer date) of every commit `revs` select (with
    `no_walk`: of those commits alone), dates in strict ISO 8601 with their offsets; one git
    call, revisions passed on its standard input so that no number of them is too many."""
    args = ["log", "--no-color", "--format=%H %aI %cI", "--stdin"]
    if no_walk:
        args.append("--no-walk=unsorted")
    options = [rev for rev in revs if rev.startswith("--")]
    listed = [rev for rev in revs if not rev.startswith("--")]
    out = run_git([*args, *options, "--"], cwd=repo.cwd,
                  stdin="".join(f"{rev}\n" for rev in listed).encode())
    rows = []
    for line in out.decode("ascii", "replace").splitlines():
        sha, author, committer = line.split(" ")
        rows.append((sha, author, committer))
    return rows


def commit_messages(repo: Repo, shas: Sequence[str]) -> dict[str, str]:
    """The messages of commits `shas` as their objects hold them, in one git call."""
    return {sha: read_commit(b"\n".join(lines)).message
            for sha, lines in read_blobs(repo, list(dict.fromkeys(shas)))}


def add_trailers(path: str, trailers: Sequence[str], cwd: str = ".") -> None:
    """Add each `Key: value` trailer to the message file at `path`, as git itself places
    trailers (before the comment lines of a template), unless the same one is there."""
    args = ["interpret-trailers", "--in-place", "--if-exists", "addIfDifferent"]
    for trailer in trailers:
        args += ["--trailer", trailer]
    code, _, errors = runner.completed([*args, path], cwd)
    if code != 0:
        raise GitError(f"{path}: cannot add the disclosure trailer: {first_line(errors)}")


# ------------------------------------------------------------------ Entire checkpoints
ENTIRE_BRANCH = "entire/checkpoints/v1"


def entire_checkpoint_files(repo: Repo) -> dict[str, list[tuple[str, str]]]:
    """The files of each checkpoint on Entire's checkpoint branch (local, then any
    remote-tracking copy): `<id[:2]>/<id[2:]>/<rest>` as id -> [(rest, blob)]. One
    for-each-ref, then one `git ls-tree` per copy of the branch."""
    out = run_git(["for-each-ref", "--format=%(refname)", f"refs/heads/{ENTIRE_BRANCH}",
                   "refs/remotes/"], cwd=repo.cwd)
    refs = [r for r in out.decode("utf-8", "surrogateescape").split("\n")
            if r == f"refs/heads/{ENTIRE_BRANCH}" or
            (r.startswith("refs/remotes/") and r.endswith(f"/{ENTIRE_BRANCH}"))]
    found: dict[str, list[tuple[str, str]]] = {}
    for ref in refs:
        listing = run_git([*LS_TREE, f"{ref}^{{tree}}"], cwd=repo.cwd)
        for entry in listing.split(b"\0"):
            meta, _, raw = entry.partition(b"\t")
            parts = meta.split()
            path = raw.decode("utf-8", "surrogateescape").split("/", 2)
            if len(parts) == 3 and parts[1] == b"blob" and len(path) == 3:
                files = found.setdefault(path[0] + path[1], [])
                files.append((path[2], parts[2].decode("ascii")))
    return found


def commit_parents(repo: Repo, revs: Sequence[str], no_walk: bool = False,
                   ) -> dict[str, tuple[str, ...]]:
    """The parents of every commit `revs` select (as stream_commits selects them), from one
    `git rev-list --parents`."""
    args = ["rev-list", "--parents", *(["--no-walk"] if no_walk else []), *revs, "--"]
    out = run_git(args, cwd=repo.cwd).decode("ascii", "replace")
    found: dict[str, tuple[str, ...]] = {}
    for line in out.split("\n"):
        ids = line.split()
        if ids:
            found[ids[0]] = tuple(ids[1:])
    return found

