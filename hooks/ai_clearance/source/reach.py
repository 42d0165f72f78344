"""The files CI reaches, read from git and judged with the rules of the CI file that runs
them (detect/reach.py tells what a file names).

Two ways, by what is checked:
- `in_tree`: from CI files of one tree (a commit, a tree, or the index), follow what they
  name in that same tree, judging each reached file or only those `judged` says changed;
- `in_commits`: the commits of a range or history that change a reached path, each of its
  versions judged and attributed to the commit, and what they name followed in turn.

A local workflow or action a CI file calls with inputs (`uses: ./.github/workflows/r.yml`
with `with: {tool: claude}`) is reached the same way, and judged once per distinct set of
inputs its callers give it (beside its own defaults), its findings naming the caller.

All are bounded: MAX_DEPTH links from a CI file, MAX_FILES files, MAX_CALLS sets of inputs
for one callee; past any the check fails rather than pass what it did not follow. A
repository without CI files pays nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass

from ai_clearance.catalog.rules import Rule
from ai_clearance.detect.calls import Inputs
from ai_clearance.detect.normalize import printable
from ai_clearance.detect.reach import MAX_NAMES, Named, named_paths, reached_kind
from ai_clearance.detect.workflows import content_matches
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
    """A reached path, how far from its CI file, and which file named it."""

    named: Named
    root: Root
    via: str
    depth: int


def first_steps(roots: Iterable[tuple[Root, bytes]]) -> dict[Key, Step]:
    """The paths CI files name, by path and inputs (the first CI file to name one is
    kept)."""
    steps: dict[Key, Step] = {}
    for root, data in roots:
        for named in named_paths(root.path, data):
            steps.setdefault(named.key, Step(named, root, root.path, 1))
    return steps


def in_tree(repo: gitio.Repo, tree: str | None, steps: dict[Key, Step],
            judged: Callable[[str], bool] | None, seen: set[tuple[str, str, str | None]],
            ) -> tuple[list[Finding], dict[Key, Step]]:
    """Findings in the files `steps` reach in `tree` (None: the index), followed link by
    link; `judged` says which reached paths are judged (None: all). Also every step taken,
    for `in_commits` to look for changes to."""
    findings: list[Finding] = []
    taken: dict[Key, Step] = {}
    frontier = steps
    while frontier:
        files = gitio.files_at(repo, tree, list({key[0]: None for key in frontier}))
        _count(taken, files, frontier)
        by_blob: dict[str, list[Step]] = {}
        for key, step in frontier.items():
            if key[0] in files:
                by_blob.setdefault(files[key[0]].blob, []).append(step)
        taken.update(frontier)
        following: dict[Key, Step] = {}
        for sha, read in gitio.read_blobs(repo, list(by_blob)):
            lines = list(read)
            for step in by_blob[sha]:
                kind = _kind(step, lines)
                if kind is None:
                    continue
                if judged is None or judged(step.named.path):
                    findings.extend(_judge(step, kind, lines, step.root.commit,
                                           step.root.author, seen, blob=sha))
                _follow(step, lines, taken, following)
        frontier = following
    return findings, taken


def in_commits(repo: gitio.Repo, revs: Sequence[str], no_walk: bool, steps: dict[Key, Step],
               seen: set[tuple[str, str, str | None]]) -> list[Finding]:
    """Findings in the versions of reached paths that the commits `revs` select change,
    each attributed to its commit; what those versions name is looked for in turn."""
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
        for sha, read in gitio.read_blobs(repo, list(versions)):
            lines = list(read)
            for step, sha_of, author, when in versions[sha]:
                kind = _kind(step, lines)
                if kind is None:
                    continue
                findings.extend(_judge(step, kind, lines, sha_of, author, seen, when, sha))
                if step.depth > MAX_DEPTH:
                    raise GitError(f"{step.named.path} is more than {MAX_DEPTH} files away "
                                   f"from {step.root.path}, which runs it; refusing to pass "
                                   "unjudged")
                _follow(step, lines, asked, following)
        frontier = following
    return findings


def _versions(repo: gitio.Repo, revs: Sequence[str], no_walk: bool,
              frontier: dict[Key, Step]) -> dict[str, list[tuple[Step, str, Identity, int]]]:
    """The blobs the commits `revs` select write at the paths of `frontier`, each with the
    steps that reach it and the commit (its sha, author and time)."""
    by_path: dict[str, list[Step]] = {}
    for key, step in frontier.items():
        by_path.setdefault(key[0], []).append(step)
    versions: dict[str, list[tuple[Step, str, Identity, int]]] = {}
    for commit in gitio.stream_commits(repo, revs, no_walk=no_walk, paths=sorted(by_path)):
        for change in commit.changes:
            if change.mode in ("100644", "100755"):
                for step in by_path.get(change.path, ()):
                    versions.setdefault(change.blob, []).append(
                        (step, commit.sha, commit.author, commit.committed_at))
    return versions


def _count(taken: dict[Key, Step], files: dict[str, PathChange], frontier: dict[Key, Step],
           ) -> None:
    """GitError when following `frontier` would pass the bounds."""
    present = [step for key, step in frontier.items() if key[0] in files]
    if not present:
        return
    if len(taken) + len(present) > MAX_FILES:
        raise GitError(f"CI reaches more than {MAX_FILES} files; refusing to pass unjudged")
    _bounded_calls([*taken, *frontier])
    step = max(present, key=lambda s: s.depth)
    if step.depth > MAX_DEPTH:
        raise GitError(f"{step.named.path} is more than {MAX_DEPTH} files away from "
                       f"{step.root.path}, which runs it; refusing to pass unjudged")


def _bounded_calls(keys: Iterable[Key]) -> None:
    """GitError when one callee would be judged with more than MAX_CALLS sets of inputs."""
    counts = Counter(path for path, inputs in keys if inputs)
    if counts and max(counts.values()) > MAX_CALLS:
        path = max(counts, key=counts.__getitem__)
        raise GitError(f"{path} is called with more than {MAX_CALLS} different sets of "
                       "inputs; refusing to pass unjudged")


def _kind(step: Step, lines: list[bytes]) -> str | None:
    return reached_kind(step.named.path, lines[0] if lines else b"", step.named.hint)


def _follow(step: Step, lines: list[bytes], taken: Container[Key],
            following: dict[Key, Step]) -> None:
    """The paths a reached file names that were not taken yet (a callee calls on with the
    inputs it was given)."""
    for named in named_paths(step.named.path, b"\n".join(lines), step.named.inputs,
                             step.named.hint):
        if named.key not in taken and named.key not in following:
            following[named.key] = Step(named, step.root, step.named.path, step.depth + 1)


_JUDGED_MEMO = 4096
_JUDGED: dict[tuple[str | None, str, tuple[Rule, ...], Inputs],
              dict[str, tuple[int, str]]] = {}


# A GitLab file another includes is read as every CI file of another system is: as a
# workflow too (setups.setup_readings).
_READINGS = {"pipeline": frozenset({"workflow", "pipeline"})}


def _judge(step: Step, kind: str, lines: list[bytes], commit: str | None,
           author: Identity | None, seen: set[tuple[str, str, str | None]],
           committed_at: int | None = None, blob: str | None = None) -> list[Finding]:
    """What the content rules of the CI file find in a file it reaches, read as `kind`;
    once per rule, path and commit (a file the path rules read already is not repeated).
    What one blob holds is judged once per reading, rules and inputs: a file a Makefile
    includes is reached again in every tree that changes the Makefile."""
    rules = {rule.id: rule for rule in step.root.rules}
    path = step.named.path
    inputs = step.named.inputs
    key = (blob, kind, step.root.rules, inputs)  # the rules themselves, not their ids
    matched = _JUDGED.get(key) if blob is not None else None
    if matched is None:
        matched = content_matches(rules, lines, [path], _READINGS.get(kind, frozenset({kind})),
                                  dict(inputs))
        if blob is not None:
            if len(_JUDGED) >= _JUDGED_MEMO:
                _JUDGED.clear()
            _JUDGED[key] = matched
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
