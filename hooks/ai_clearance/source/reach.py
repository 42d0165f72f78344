"""The files CI reaches, read from git and judged with the rules of the CI file that runs
them (detect/reach.py tells what a file names).

Two ways, by what is checked:
- `in_tree`: from CI files of one tree (a commit, a tree, or the index), follow what they
  name in that same tree, judging each reached file or only those `judged` says changed;
- `in_commits`: the commits of a range or history that change a reached path, each of its
  versions judged and attributed to the commit, and what they name followed in turn.

The constant environment a CI file or a script gives what it runs (`env:`, GitLab's
`variables:`, `export X=v`: detect/carried.py) rides along each step: a reached shell
script, Makefile or package.json that reads a name of it is judged once more per row of
its values (`AGENT: claude`, then `"$AGENT" -p` in ci/review.sh).

A local workflow or action a CI file calls with inputs (`uses: ./.github/workflows/r.yml`
with `with: {tool: claude}`) is reached the same way, and judged once per distinct set of
inputs its callers give it (beside its own defaults), its findings naming the caller.

All are bounded: MAX_DEPTH links from a CI file, MAX_FILES files, MAX_CALLS sets of inputs
for one callee; past any the check fails rather than pass what it did not follow. A
repository without CI files pays nothing."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from ai_clearance.catalog.rules import Rule
from ai_clearance.detect.calls import Inputs
from ai_clearance.detect.carried import (
    CARRIED_KINDS,
    Env,
    given_env,
    merged,
    original_line,
    read_names,
    relevant,
    rows,
    with_env,
)
from ai_clearance.detect.normalize import printable
from ai_clearance.detect.pipelines import include_pattern
from ai_clearance.detect.reach import MAX_NAMES, MAX_READ, Named, named_paths, reached_kind
from ai_clearance.detect.workflows import content_matches, readings
from ai_clearance.errors import GitError
from ai_clearance.git import gitio
from ai_clearance.model import Finding, Identity, PathChange

MAX_DEPTH = 6
MAX_FILES = 500
# Distinct sets of inputs one callee is judged with: callers a person writes give a few.
MAX_CALLS = 32

# A reached path and the inputs it is called with (none for a script): `Named.key`.
Key = tuple[str, Inputs]


@dataclass(frozen=True)
class Root:
    """A CI file whose named files are followed: the rules its path gives judge them, and
    a finding in them goes to its commit and author (None: the tree or index checked)."""

    path: str
    rules: tuple[Rule, ...]
    commit: str | None = None
    author: Identity | None = None


@dataclass(frozen=True)
class Step:
    """A reached path, how far from its CI file, which file named it, and the constant
    environment the files on the way give it."""

    named: Named
    root: Root
    via: str
    depth: int
    env: Env = ()


def add_step(steps: dict[Key, Step], step: Step) -> None:
    """`step` into `steps`, or its environment into the step for the same key."""
    known = steps.get(step.named.key)
    if known is None:
        steps[step.named.key] = step
    elif step.env and known.env != step.env:
        steps[step.named.key] = replace(known, env=merged(known.env, step.env))


_UNSEEN = "\x00"  # no reading remembered yet
# Entries a Readings keeps before it starts afresh: memory stays flat on any history.
_MAX_REMEMBERED = 20000


@dataclass
class Readings:
    """How each reached blob is read, what it names and what the content rules find in
    it, by blob id: the trees of a range share most of their files, and a blob is read and
    parsed once for all of them. One per scan (its rules do not change in one)."""

    kinds: dict[tuple[str, str, str | None], str | None] = field(default_factory=dict)
    names: dict[tuple[str, Key, str], tuple[list[Named], Env]] = field(default_factory=dict)
    matches: dict[tuple[str, Key, str, tuple[str, ...], Env, bool],
                  dict[str, tuple[int, str]]] = \
        field(default_factory=dict)
    reads: dict[str, frozenset[str]] = field(default_factory=dict)  # read_names, by blob
    rows: dict[tuple[str, str, Inputs, str, tuple[str, ...], tuple[tuple[str, str], ...]],
               dict[str, tuple[int, str]]] = field(default_factory=dict)  # with_row

    def known(self, sha: str, step: Step, judged: str) -> bool:
        """Whether `step` at blob `sha` needs no read (`judged`: _ALL, _ENV or '')."""
        kind = self.kinds.get((sha, step.named.path, step.named.hint), _UNSEEN)
        if kind is None:
            return True
        if kind == _UNSEEN or (sha, step.named.key, kind) not in self.names:
            return False
        if not judged:
            return True
        if step.env and kind in CARRIED_KINDS and sha not in self.reads:
            return False
        return (sha, step.named.key, kind, _ids(step), self.env(sha, step, kind, None),
                judged == _ALL) in self.matches

    def kind(self, sha: str, step: Step, lines: list[bytes] | None) -> str | None:
        key = (sha, step.named.path, step.named.hint)
        if key not in self.kinds:
            self._room()
            self.kinds[key] = _kind(step, _given(lines))
        return self.kinds[key]

    def named(self, sha: str, step: Step, kind: str, lines: list[bytes] | None,
              ) -> tuple[list[Named], Env]:
        """What the file names, and the environment it gives them."""
        key = (sha, step.named.key, kind)
        if key not in self.names:
            self._room()
            self.names[key] = names_and_env(step.named.path, b"\n".join(_given(lines)),
                                            step.named.inputs, kind)
        return self.names[key]

    def env(self, sha: str, step: Step, kind: str, lines: list[bytes] | None) -> Env:
        """What of its environment the file at blob `sha` reads, when it is of a kind it
        is carried into."""
        if not step.env or kind not in CARRIED_KINDS:
            return ()
        if sha not in self.reads:
            self.reads[sha] = read_names(b"\n".join(_given(lines)).decode("utf-8",
                                                                        "replace"))
        return relevant(step.env, self.reads[sha])

    def matched(self, sha: str, step: Step, kind: str, lines: list[bytes] | None,
                base: bool = True) -> dict[str, tuple[int, str]]:
        """What the rules of its CI file find in the file: read as it is (with `base`)
        and as its runner reads it given each row of what its environment gives."""
        env = self.env(sha, step, kind, lines)
        key = (sha, step.named.key, kind, _ids(step), env, base)
        if key not in self.matches:
            self._room()
            rules = {rule.id: rule for rule in step.root.rules}
            # package.json is judged by its own path; reached, only with what it is given.
            found = {} if kind == "npm" or not base else content_matches(
                rules, _given(lines), [step.named.path],
                _READINGS.get(kind, frozenset({kind})), dict(step.named.inputs))
            for row in rows(env):
                found = {**self.with_row(sha, rules, step, kind, lines, row), **found}
            self.matches[key] = found
        return self.matches[key]

    def with_row(self, sha: str, rules: dict[str, Rule], step: Step, kind: str,
                 lines: list[bytes] | None, row: dict[str, str],
                 ) -> dict[str, tuple[int, str]]:
        """`_with_row`, once per blob, reading and row: the trees of a range give a
        reached script environments that differ in names it does not read, or in some
        values only, and each row read once is enough (on git/git, ci/lib.sh was read
        again for each of 2,946 rows, half of a range check)."""
        key = (sha, step.named.path, step.named.inputs, kind, _ids(step),
               tuple(row.items()))
        found = self.rows.get(key)
        if found is None:
            self._room()
            found = self.rows[key] = _with_row(rules, step, kind, _given(lines), row)
        return found

    def _room(self) -> None:
        if len(self.kinds) + len(self.names) + len(self.matches) + len(self.reads) \
                + len(self.rows) >= _MAX_REMEMBERED:
            self.kinds.clear()
            self.names.clear()
            self.matches.clear()
            self.reads.clear()
            self.rows.clear()


def _with_row(rules: dict[str, Rule], step: Step, kind: str, lines: list[bytes],
              row: dict[str, str]) -> dict[str, tuple[int, str]]:
    """What the rules find in a reached file read as its runner reads it given `row` of
    its environment (what they find in the values put before it left out)."""
    text, reading, at, count = with_env(kind, lines, row)
    given = printable(", ".join(f"{name}={value}" for name, value in row.items()))
    found: dict[str, tuple[int, str]] = {}
    for rid, (line, evidence) in content_matches(
            rules, text, [step.named.path], frozenset({reading}),
            dict(step.named.inputs)).items():
        if at < line <= at + count and kind != "npm":
            continue
        where = 1 if kind == "npm" else original_line(line, at, count)
        found[rid] = (where, f"{evidence} (given {given})")
    return found


def _ids(step: Step) -> tuple[str, ...]:
    return tuple(rule.id for rule in step.root.rules)


def _given(lines: list[bytes] | None) -> list[bytes]:
    if lines is None:  # Readings.known said it was not needed
        raise GitError("a reached file was not read")
    return lines


# Code is not read for what it gives the environment (`name=value` is an argument there).
_NO_ENV = frozenset({"hash", "slash", "code"})


def _env_of(data: bytes, kind: str | None, path: str = "") -> Env:
    """What a file that names others gives the environment (none for code)."""
    kinds = frozenset({kind}) if kind is not None else readings([path])
    if kinds <= _NO_ENV:
        return ()
    return given_env(data[:MAX_READ].decode("utf-8", "replace"))


class _Names:
    """What files name and the environment they give (`names_and_env`), by path, inputs,
    reading and a digest of the bytes read, for the versions met lately: a CI file a commit
    changes is read for what it names, and the same version again when a workflow reaches
    it (on git/git, each of 218 versions of the Makefile, 30 ms each). Bounded in entries
    (each holds what one file names, at most MAX_NAMES paths)."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, Inputs, str | None, bytes], tuple[list[Named], Env]] = {}

    def get(self, path: str, data: bytes, given: Inputs, kind: str | None,
            ) -> tuple[list[Named], Env]:
        # A reading the path's name gives anyway is the same reading as none (named_paths
        # and _env_of read `{kind}` and readings([path]) alike then).
        if kind is not None and readings([path]) == {kind}:
            kind = None
        data = data[:MAX_READ]  # all named_paths and _env_of read
        key = (path, given, kind, hashlib.blake2b(data, digest_size=32).digest())
        found = self.known.get(key)
        if found is None:
            if len(self.known) >= _NAMES_KEPT:
                self.known.clear()
            named = named_paths(path, data, given, kind)
            found = self.known[key] = (named, _env_of(data, kind, path) if named else ())
        return list(found[0]), found[1]


_NAMES_KEPT = 256
_NAMES = _Names()


def names_and_env(path: str, data: bytes, given: Inputs = (), kind: str | None = None,
                  ) -> tuple[list[Named], Env]:
    """What the file at `path` names (named_paths) and the environment it gives them (none
    when it names nothing), remembered for the versions met lately."""
    return _NAMES.get(path, data, given, kind)


def first_steps(roots: Iterable[tuple[Root, bytes]]) -> dict[Key, Step]:
    """The paths CI files name, by path and inputs (the first CI file to name one is
    kept)."""
    steps: dict[Key, Step] = {}
    for root, data in roots:
        named, env = names_and_env(root.path, data)
        for one in named:
            add_step(steps, Step(one, root, root.path, 1, env))
    return steps


def in_tree(repo: gitio.Repo, tree: str | None, steps: dict[Key, Step],
            judged: Callable[[str], bool] | None, seen: set[tuple[str, str, str | None]],
            memo: Readings | None = None) -> tuple[list[Finding], dict[Key, Step]]:
    """Findings in the files `steps` reach in `tree` (None: the index), followed link by
    link; `judged` says which reached paths are judged (None: all). Also every step taken,
    for `in_commits` to look for changes to."""
    memo = Readings() if memo is None else memo
    findings: list[Finding] = []
    taken: dict[Key, Step] = {}
    reached = 0  # files of the tree taken: a name of no file costs no read
    frontier = steps
    while frontier:
        frontier = _expanded(repo, tree, frontier, taken)
        files = gitio.files_at(repo, tree, list({key[0]: None for key in frontier}))
        reached += _count(reached, taken, files, frontier)
        by_blob: dict[str, list[Step]] = {}
        for key, step in frontier.items():
            if key[0] in files:
                by_blob.setdefault(files[key[0]].blob, []).append(step)
        taken.update(frontier)
        following: dict[Key, Step] = {}
        for sha, lines in _blobs(repo, memo, {sha: [(step, _ALL if judged is None or judged(
                step.named.path) else "") for step in listed] for sha, listed in by_blob.items()}):
            for step in by_blob[sha]:
                kind = memo.kind(sha, step, lines)
                if kind is None:
                    continue
                if judged is None or judged(step.named.path):
                    findings.extend(_judge(step, memo.matched(sha, step, kind, lines),
                                           step.root.commit, step.root.author, seen))
                _follow(step, *memo.named(sha, step, kind, lines), taken, following)
        frontier = following
    return findings, taken


# How a reached file is judged: all its rules find, or only what they find given its
# environment (a Makefile judged as a CI file of its own already).
_ALL = "all"
_ENV = "env"


def _blobs(repo: gitio.Repo, memo: Readings, wanted: dict[str, list[tuple[Step, str]]],
           ) -> Iterator[tuple[str, list[bytes] | None]]:
    """Each blob of `wanted` with its lines, or None when `memo` knows all its steps need
    (with whether each is judged)."""
    unread = []
    for sha, steps in wanted.items():
        if all(memo.known(sha, step, judge) for step, judge in steps):
            yield sha, None
        else:
            unread.append(sha)
    for sha, read in gitio.read_blobs(repo, unread):
        yield sha, list(read)


def in_commits(repo: gitio.Repo, revs: Sequence[str], no_walk: bool, steps: dict[Key, Step],
               seen: set[tuple[str, str, str | None]], memo: Readings | None = None,
               own_rules: Callable[[str], Container[str]] = lambda _: (),
               ) -> list[Finding]:
    """Findings in the versions of reached paths that the commits `revs` select change,
    each attributed to its commit; what those versions name is looked for in turn. A
    version is not judged again by rules `own_rules` says its path is judged by already
    (a Makefile a workflow runs is a CI file itself: each of its versions is judged)."""
    memo = Readings() if memo is None else memo
    findings: list[Finding] = []
    asked: set[Key] = set()
    frontier = steps
    while frontier:
        asked.update(frontier)
        if len(asked) > MAX_NAMES:
            raise GitError(f"CI files name more than {MAX_NAMES} paths that may run; "
                           "refusing to pass unjudged")
        _bounded_calls(asked)
        versions = _versions(repo, revs, no_walk, frontier)
        following: dict[Key, Step] = {}
        # By the step of each version: a wildcard include's step takes each matching path.
        wanted = {sha: [(version[0], _judgement(version[0], own_rules)) for version in listed]
                  for sha, listed in versions.items()}
        for sha, lines in _blobs(repo, memo, wanted):
            for step, sha_of, author, when in versions[sha]:
                kind = memo.kind(sha, step, lines)
                if kind is None:
                    continue
                judgement = _judgement(step, own_rules)
                if judgement:
                    findings.extend(_judge(step, memo.matched(
                        sha, step, kind, lines, judgement == _ALL),
                                           sha_of, author, seen, when))
                if step.depth > MAX_DEPTH:
                    raise GitError(f"{step.named.path} is more than {MAX_DEPTH} files away "
                                   f"from {step.root.path}, which runs it; refusing to pass "
                                   "unjudged")
                _follow(step, *memo.named(sha, step, kind, lines), asked, following)
        frontier = following
    return findings


def _judged_already(step: Step, own_rules: Callable[[str], Container[str]]) -> bool:
    """Whether each version of the path `step` reaches is judged by its CI file's rules
    already, as a CI file of its own."""
    own = own_rules(step.named.path)
    return all(rid in own for rid in _ids(step))


def _judgement(step: Step, own_rules: Callable[[str], Container[str]]) -> str:
    """How a version a step reaches is judged: by all its rules, only for the environment
    it is given (a CI file by its own path, judged as one already), or not at all."""
    if step.named.inputs or not _judged_already(step, own_rules):
        return _ALL
    return _ENV if step.env else ""


def _versions(repo: gitio.Repo, revs: Sequence[str], no_walk: bool,
              frontier: dict[Key, Step]) -> dict[str, list[tuple[Step, str, Identity, int]]]:
    """The blobs the commits `revs` select write at the paths of `frontier`, each with the
    steps that reach it and the commit (its sha, author and time)."""
    by_path: dict[str, list[Step]] = {}
    for key, step in frontier.items():
        if _WILDCARD not in key[0]:
            by_path.setdefault(key[0], []).append(step)
    patterns = _patterns(frontier)
    folders = [folder or "." for folder, _, _ in patterns]
    versions: dict[str, list[tuple[Step, str, Identity, int]]] = {}
    if len(by_path) + len(folders) <= _PATHSPECS:
        for commit in gitio.stream_commits(repo, revs, no_walk=no_walk,
                                           paths=sorted({*by_path, *folders})):
            for change in commit.changes:
                for step in _steps_of(change, by_path, patterns):
                    versions.setdefault(change.blob, []).append(
                        (step, commit.sha, commit.author, commit.committed_at))
        return versions
    hits = [(sha, when, change, steps) for sha, when, change in gitio.path_versions(
        repo, revs, no_walk, _Wanted(by_path, patterns))
        for steps in [_steps_of(change, by_path, patterns)] if steps]
    authors = gitio.commit_authors(repo, sorted({hit[0] for hit in hits}))
    for sha, when, change, steps in hits:
        for step in steps:
            versions.setdefault(change.blob, []).append((step, sha, authors[sha], when))
    return versions


def _steps_of(change: PathChange, by_path: dict[str, list[Step]],
              patterns: list[tuple[str, re.Pattern[str], Step]]) -> list[Step]:
    """The steps that reach the file a change writes (none for a link or a submodule)."""
    if change.mode not in _FILE_MODES:
        return []
    return [*by_path.get(change.path, ()), *_matching(patterns, change.path)]


class _Wanted:
    """The paths of reached files, and those wildcard includes match."""

    def __init__(self, by_path: dict[str, list[Step]],
                 patterns: list[tuple[str, re.Pattern[str], Step]]) -> None:
        self.by_path = by_path
        self.patterns = patterns

    def __contains__(self, path: object) -> bool:
        return path in self.by_path or (isinstance(path, str) and any(
            expression.fullmatch(path) for _, expression, _ in self.patterns))


_FILE_MODES = ("100644", "100755")
# Up to this many paths, git log is given them as pathspecs; past it, the whole log is read
# and its changes looked up (gitio.path_versions): measured on rails, 600 pathspecs cost git
# 7x the whole log, while a few cost it a fraction.
_PATHSPECS = 32


# A GitLab include of every file a wildcard matches (`local: ci/*.yml`) is named as written
# and expanded here, against the tree or the paths commits change.
_WILDCARD = "*"


def _patterns(frontier: dict[Key, Step]) -> list[tuple[str, re.Pattern[str], Step]]:
    """The wildcard steps of `frontier`: (the folder below which their files are, the
    expression a path must match, the step)."""
    found = []
    for key, step in frontier.items():
        if _WILDCARD in key[0]:
            folder, expression = include_pattern(key[0])
            found.append((folder, expression, step))
    return found


def _matching(patterns: list[tuple[str, re.Pattern[str], Step]], path: str) -> Iterator[Step]:
    """A step for `path` from each wildcard step it matches."""
    for _, expression, step in patterns:
        if expression.fullmatch(path) and path != step.via:
            yield replace(step, named=replace(step.named, path=path))


def _expanded(repo: gitio.Repo, tree: str | None, frontier: dict[Key, Step],
              taken: Container[Key]) -> dict[Key, Step]:
    """`frontier` with each wildcard step replaced by a step for each file of `tree` it
    matches (one listing of the folders they are below)."""
    patterns = _patterns(frontier)
    if not patterns:
        return frontier
    expanded = {key: step for key, step in frontier.items() if _WILDCARD not in key[0]}
    folders = sorted({folder for folder, _, _ in patterns})
    for entry in gitio.entries_below(repo, tree, folders, _MAX_LISTED):
        if entry.mode in ("100644", "100755"):
            for step in _matching(patterns, entry.path):
                if step.named.key not in taken:
                    expanded.setdefault(step.named.key, step)
    return expanded


# How many entries the folders of wildcard includes may hold: a listing costs time linear in
# it, and past this the check fails rather than judge some.
_MAX_LISTED = 200_000


def _count(reached: int, taken: dict[Key, Step], files: dict[str, PathChange],
           frontier: dict[Key, Step]) -> int:
    """How many files of the tree following `frontier` reads; GitError when that would pass
    the bounds."""
    present = [step for key, step in frontier.items() if key[0] in files]
    if not present:
        return 0
    if reached + len(present) > MAX_FILES:
        raise GitError(f"CI reaches more than {MAX_FILES} files; refusing to pass unjudged")
    _bounded_calls([*taken, *frontier])
    step = max(present, key=lambda s: s.depth)
    if step.depth > MAX_DEPTH:
        raise GitError(f"{step.named.path} is more than {MAX_DEPTH} files away from "
                       f"{step.root.path}, which runs it; refusing to pass unjudged")
    return len(present)


def _bounded_calls(keys: Iterable[Key]) -> None:
    """GitError when one callee would be judged with more than MAX_CALLS sets of inputs."""
    counts = Counter(path for path, inputs in keys if inputs)
    if counts and max(counts.values()) > MAX_CALLS:
        path = max(counts, key=counts.__getitem__)
        raise GitError(f"{path} is called with more than {MAX_CALLS} different sets of "
                       "inputs; refusing to pass unjudged")


def _kind(step: Step, lines: list[bytes]) -> str | None:
    return reached_kind(step.named.path, lines[0] if lines else b"", step.named.hint)


def _follow(step: Step, named: list[Named], env: Env, taken: Container[Key],
            following: dict[Key, Step]) -> None:
    """The paths a reached file names that were not taken yet (a callee calls on with the
    inputs it was given), with the environment it was given and what it adds to it."""
    carried = merged(step.env, env)
    for one in named:
        if one.key not in taken:
            add_step(following, Step(one, step.root, step.named.path, step.depth + 1,
                                     carried))


# A GitLab file another includes is read as every CI file of another system is: as a
# workflow too (setups.setup_readings).
_READINGS = {"pipeline": frozenset({"workflow", "pipeline"})}


def _judge(step: Step, matched: dict[str, tuple[int, str]], commit: str | None,
           author: Identity | None, seen: set[tuple[str, str, str | None]],
           committed_at: int | None = None) -> list[Finding]:
    """The findings of what the content rules of the CI file `matched` in a file it
    reaches; once per rule, path and commit (a file the path rules read already is not
    repeated)."""
    rules = {rule.id: rule for rule in step.root.rules}
    path = step.named.path
    inputs = step.named.inputs
    who = "" if step.via == step.root.path else f", which {step.root.path} runs"
    if inputs:
        given = printable(", ".join(f"{name}={'|'.join(v)}" for name, v in inputs))
        who = f"called by {step.via} with {given}{who}"
    else:
        who = f"run by {step.via}{who}"
    findings = []
    for rid, (line, evidence) in matched.items():
        if (rid, path, commit) in seen:
            continue
        seen.add((rid, path, commit))
        rule = rules[rid]
        findings.append(Finding(
            rule=rid, assistants=rule.assistants, kind=rule.kind, severity=rule.severity,
            evidence=f"{evidence} ({who})", commit=commit, author=author, path=path,
            line=line, committed_at=committed_at))
    return findings
