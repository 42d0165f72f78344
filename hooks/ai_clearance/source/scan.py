"""Sources of a check: staged change, message, range, tree or history, turned into findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from ai_clearance.approvals.trustfiles import tokens_in_message
from ai_clearance.catalog.rules import Catalog, Rule
from ai_clearance.detect.attribution import Scope, checkpoint_ids, note_attribution_findings
from ai_clearance.detect.detect import (
    ContentCandidate,
    PathMatcher,
    findings_for_branch,
    findings_for_commit_text,
    findings_for_message,
)
from ai_clearance.detect.links import (
    Link,
    link_target,
    listed_folder,
    pointed_findings,
    through_links,
)
from ai_clearance.detect.reach import MAX_READ
from ai_clearance.detect.workflows import content_matches
from ai_clearance.errors import GitError, UsageError
from ai_clearance.git import gitio
from ai_clearance.model import Commit, Coverage, Finding, Identity, PathChange
from ai_clearance.source import reach
from ai_clearance.source.message import Scan
from ai_clearance.source.records import Traces, linked_checkpoint_findings


@dataclass
class _Pending:
    """Blobs to read after the stream: content candidates and symlinks, by blob id."""

    by_blob: dict[str, list[tuple[ContentCandidate, str | None, Identity | None]]] = field(
        default_factory=dict)
    links: dict[str, list[Link]] = field(default_factory=dict)
    # The tree (a commit or a tree; None: the index) each CI file was found in, by path
    # and commit: the files it runs are read from there.
    trees: dict[tuple[str, str | None], str | None] = field(default_factory=dict)
    # What the CI files read name, by the tree they were found in (source/reach.py).
    steps: dict[str | None, dict[reach.Key, reach.Step]] = field(default_factory=dict)
    # The files CI reaches, read once for every tree and commit they are reached in.
    readings: reach.Readings = field(default_factory=reach.Readings)
    # Files of attribution records (Agent Trace), read with the content rules' blobs.
    traces: Traces = field(default_factory=Traces)

    def add(self, candidates: list[ContentCandidate], commit: str | None,
            author: Identity | None, tree: str | None = None) -> None:
        for candidate in candidates:
            if candidate.change.mode in ("160000", "120000"):
                continue  # a submodule's commit is elsewhere; a symlink has no content
            self.by_blob.setdefault(candidate.change.blob, []).append((candidate, commit, author))
            self.trees[(candidate.change.path, commit)] = tree

    def add_link(self, link: Link) -> None:
        self.links.setdefault(link.change.blob, []).append(link)


def _content_findings(repo: gitio.Repo, pending: _Pending, coverage: Coverage,
                      matcher: PathMatcher) -> list[Finding]:
    findings: list[Finding] = []
    listings: list[tuple[Link, str, str]] = []
    shas = list(pending.by_blob) + [s for s in pending.links if s not in pending.by_blob]
    unreadable: list[str] = []
    for sha, read in gitio.read_blobs(repo, shas, unreadable):
        coverage.blobs_read += 1
        entries = pending.by_blob.get(sha, [])
        # A symlink's target; a file may have the same bytes, and then the lines are kept.
        lines: Iterable[bytes] = list(read) if entries and sha in pending.links else read
        if sha in pending.links:
            target = link_target(iter(lines))
            for link in pending.links[sha]:
                findings.extend(pointed_findings(matcher, link, target))
                folder = listed_folder(matcher, link, target)
                if folder is not None:
                    listings.append((link, folder, target))
        if entries:
            entries, lines = pending.traces.take(entries, lines)
        if entries:
            head: list[bytes] = []
            findings.extend(_blob_findings(entries, _kept(lines, head)))
            _note_steps(pending, entries, b"\n".join(head))
    coverage.unjudged.extend(_unjudged(pending, unreadable))
    if listings:
        findings.extend(through_links(repo, matcher, listings))
    return findings


def _blob_findings(entries: list[tuple[ContentCandidate, str | None, Identity | None]],
                   lines: Iterable[bytes]) -> list[Finding]:
    """What the content rules waiting for one blob find in its lines, read as every kind of
    file its paths name (the same bytes may be a workflow here and a Dockerfile there)."""
    paths = dict.fromkeys(c.change.path for c, _, _ in entries)
    matched = content_matches({c.rule.id: c.rule for c, _, _ in entries}, lines, paths)
    findings = []
    for candidate, commit, author in entries:
        hit = matched.get(candidate.rule.id)
        if hit is None:
            continue
        rule = candidate.rule
        findings.append(Finding(
            rule=rule.id, assistants=rule.assistants, kind=rule.kind,
            severity=rule.severity, evidence=hit[1], commit=commit, author=author,
            path=candidate.change.path, line=hit[0],
        ))
    return findings


def _kept(lines: Iterable[bytes], head: list[bytes]) -> Iterator[bytes]:
    """`lines` as they come, the first MAX_READ bytes of them kept in `head` too (what a CI
    file names is read there)."""
    size = 0
    for line in lines:
        if size <= MAX_READ:
            head.append(line)
            size += len(line) + 1
        yield line


def _note_steps(pending: _Pending,
                entries: list[tuple[ContentCandidate, str | None, Identity | None]],
                data: bytes) -> None:
    """What a CI blob names, once per place (path and commit) it was found, by the tree
    it was found in."""
    places: dict[tuple[str, str | None], list[tuple[ContentCandidate, Identity | None]]] = {}
    for candidate, commit, author in entries:
        places.setdefault((candidate.change.path, commit), []).append((candidate, author))
    for (path, commit), found in places.items():
        root = reach.Root(path, tuple(dict.fromkeys(c.rule for c, _ in found)), commit,
                          found[0][1])
        steps = pending.steps.setdefault(pending.trees.get((path, commit)), {})
        for step in reach.first_steps([(root, data)]).values():
            reach.add_step(steps, step)


def _seen(findings: list[Finding]) -> set[tuple[str, str, str | None]]:
    return {(f.rule, f.path, f.commit) for f in findings if f.path is not None}


def _reached_in_trees(repo: gitio.Repo, pending: _Pending, findings: list[Finding],
                      ) -> list[Finding]:
    """What the files that the changed CI files name hold, read from the tree each was
    found in (a file an action or workflow runs, though nothing else of it changed)."""
    seen = _seen(findings)
    found: list[Finding] = []
    for tree, steps in pending.steps.items():
        found.extend(reach.in_tree(repo, tree, steps, None, seen, pending.readings)[0])
    return found


def _ci_roots(repo: gitio.Repo, matcher: PathMatcher, tree: str, index: bool = False,
              ) -> list[tuple[reach.Root, bytes]]:
    """The CI files of `tree` (the files content rules read), with what they hold; with
    `index`, as the index has them (those it removed left out)."""
    rules: dict[str, tuple[Rule, ...]] = {}
    blobs: dict[str, str] = {}
    for path, meta in gitio.tree_entries(repo, tree, matcher.region_filter(), [0]):
        if not matcher.might_match(path):
            continue
        change = gitio.tree_change(path, meta)
        candidates = matcher.match(change)[1]
        if candidates and change.mode in ("100644", "100755"):
            rules[path] = tuple(c.rule for c in candidates)
            blobs[path] = change.blob
    if index and rules:
        blobs = {p: c.blob for p, c in gitio.files_at(repo, None, list(rules)).items()}
    paths: dict[str, list[str]] = {}
    for path, blob in blobs.items():
        paths.setdefault(blob, []).append(path)
    roots: list[tuple[reach.Root, bytes]] = []
    for sha, read in gitio.read_blobs(repo, list(paths)):
        head: list[bytes] = []
        for _ in _kept(read, head):
            pass
        roots.extend((reach.Root(p, rules[p]), b"\n".join(head)) for p in paths[sha])
    return roots


class _HeadRoots(gitio.OnThread):
    """`_ci_roots` of a range's head, read on a thread while the commit stream is read."""

    def __init__(self, repo: gitio.Repo, matcher: PathMatcher, head: str | None,
                 index: bool = False) -> None:
        self.head = head
        self._args = (repo, matcher, index)
        self._roots: list[tuple[reach.Root, bytes]] = []
        super().__init__()

    def _work(self) -> None:
        repo, matcher, index = self._args
        if index:  # the index: the CI files of HEAD, as the index has them
            self.head = gitio.resolve_commit(repo, "HEAD")
        if self.head is not None:
            self._roots = _ci_roots(repo, matcher, self.head, index)

    def result(self) -> list[tuple[reach.Root, bytes]]:
        """The roots; the error git gave, if it failed."""
        self._join()
        return self._roots


def _reached_in_commits(repo: gitio.Repo, matcher: PathMatcher, pending: _Pending,
                        findings: list[Finding], revs: list[str], no_walk: bool,
                        head: _HeadRoots | None) -> list[Finding]:
    """What the commits `revs` select change in the files CI reaches: those the CI files
    they change name, and (with `head`) those the CI files of the head's tree reach there."""
    steps: dict[reach.Key, reach.Step] = {}
    for named in pending.steps.values():
        for step in named.values():
            reach.add_step(steps, step)
    if head is not None:
        roots = head.result()
        if roots:
            taken = reach.in_tree(repo, head.head, reach.first_steps(roots),
                                  lambda _: False, set(), pending.readings)[1]
            for path, step in taken.items():
                steps.setdefault(path, step)
    if not steps:
        return []
    return reach.in_commits(repo, revs, no_walk, steps, _seen(findings), pending.readings,
                            lambda path: _content_rules(matcher, path))


def _content_rules(matcher: PathMatcher, path: str) -> frozenset[str]:
    """The content rules that judge each version of a file at `path` by its path."""
    change = PathChange(path, "0" * 40, "100644")
    if not matcher.might_match(path):
        return frozenset()
    return frozenset(candidate.rule.id for candidate in matcher.match(change)[1])


def _reached_in_index(repo: gitio.Repo, head: _HeadRoots, raw: bytes,
                      findings: list[Finding]) -> list[Finding]:
    """What the index changes in the files its CI files (those HEAD has, as the index has
    them) reach; the CI files the index changes are followed by `_reached_in_trees`."""
    roots = head.result()
    if not roots:
        return []
    changed = {c.path for c in gitio.staged_changes(raw)[0]}
    return reach.in_tree(repo, None, reach.first_steps(roots), changed.__contains__,
                         _seen(findings))[0]


def _unjudged(pending: _Pending, shas: list[str]) -> Iterable[dict[str, str | None]]:
    """Where each blob that could not be read was needed: commit and path."""
    for sha in shas:
        places = [(c.change.path, commit) for c, commit, _ in pending.by_blob.get(sha, [])]
        places += [(link.change.path, link.commit) for link in pending.links.get(sha, [])]
        for path, commit in dict.fromkeys(places):
            yield {"commit": commit, "path": path, "blob": sha}


def _path_findings(matcher: PathMatcher, changes: Iterable[PathChange], pending: _Pending,
                   commit: str | None, author: Identity | None, tree: str | None,
                   ) -> list[Finding]:
    """Findings for changed paths; `tree` is where they are (a commit or a tree; None for
    the index), for a symlink to a folder, whose files are judged through it."""
    findings: list[Finding] = []
    for change in changes:
        if change.mode == "120000":
            pending.add_link(Link(change, commit, author, tree))
        hits, candidates = matcher.match(change)
        findings.extend(replace(f, commit=commit, author=author) for f in hits)
        if candidates:
            pending.add(candidates, commit, author, tree)
    return findings


def start_staged(repo: gitio.Repo) -> gitio.StagedPrefetch:
    """Start reading what `scan_staged` needs from git, so that it overlaps other work."""
    if repo.bare:
        raise UsageError("--staged needs a work tree; this repository is bare")
    return gitio.StagedPrefetch(repo)


def scan_staged(repo: gitio.Repo, catalog: Catalog, ignored: frozenset[str],
                started: gitio.StagedPrefetch | None = None) -> Scan:
    """Paths and content the index would commit, and the branch being committed to."""
    prefetch = started or start_staged(repo)
    coverage = Coverage(source="staged")
    pending = _Pending()
    matcher = PathMatcher(catalog)
    prefilter = matcher.region_filter()
    head = _HeadRoots(repo, matcher, None, index=True)
    raw, branch = prefetch.result()
    changes, coverage.paths_scanned = gitio.staged_changes(raw, prefilter)
    findings = _path_findings(matcher, changes, pending, None, None, None)
    findings.extend(_content_findings(repo, pending, coverage, matcher))
    # Agent Trace records made on HEAD are of the commit being made.
    base = gitio.resolve_commit(repo, "HEAD") if pending.traces.found else None
    findings.extend(pending.traces.findings(catalog, Scope("staged", {}, base)))
    findings.extend(_reached_in_trees(repo, pending, findings))
    findings.extend(_reached_in_index(repo, head, raw, findings))
    if branch:
        coverage.branches.append(branch)
        findings.extend(findings_for_branch(catalog, branch))
    if not findings:
        return Scan([], coverage)  # who is committing matters only for a finding
    author = gitio.ident(repo, "author")
    return Scan([replace(f, author=author) for f in findings], coverage)


def findings_for_commit(catalog: Catalog, matcher: PathMatcher, commit: Commit,
                        pending: _Pending, coverage: Coverage, ignored: frozenset[str],
                        ) -> list[Finding]:
    """Everything one commit carries: paths, message, author and committer."""
    coverage.commits_scanned += 1
    coverage.messages_scanned += 1
    coverage.paths_scanned += commit.path_count
    findings = _path_findings(matcher, commit.changes, pending, commit.sha, commit.author,
                              commit.sha)
    findings.extend(findings_for_commit_text(catalog, commit, ignored))
    return [replace(f, commit=commit.sha, author=commit.author,
                    committed_at=commit.committed_at) for f in findings]


@dataclass
class _Span:
    """A range by its head and the commits it excludes. What it brings to its target is the
    diff of the head's tree against where they meet, whatever each commit shows (a merge
    shows only what differs from all its parents)."""

    head: str
    bottoms: tuple[str, ...] = ()  # none: from the empty tree
    head_commit: Commit | None = None
    reached: bool = False  # the one bottom is a parent of a commit in the range

    def see(self, commit: Commit) -> None:
        """Note what a commit of the range tells about the span."""
        if commit.sha == self.head:
            self.head_commit = commit
        if len(self.bottoms) == 1 and self.bottoms[0] in commit.parents:
            self.reached = True

    def likely_bases(self, repo: gitio.Repo) -> list[str] | None:
        """The bases as far as they are known before the stream: the one bottom is taken
        for an ancestor of the head (`bases` tells after it); None for several bottoms."""
        if len(self.bottoms) > 1:
            return None
        return list(self.bottoms) or [gitio.empty_tree(repo)]

    def bases(self, repo: gitio.Repo) -> list[str]:
        """Where the range's head and bottoms meet. A bottom that is the parent of a commit
        of the range is an ancestor of the head, so it is where they meet: no merge-base."""
        if len(self.bottoms) == 1 and (self.reached or self.bottoms[0] == self.head):
            return [self.bottoms[0]]
        return gitio.range_bases(repo, self.head, self.bottoms)


def _scan_commits(repo: gitio.Repo, catalog: Catalog, revs: list[str], coverage: Coverage,
                  ignored: frozenset[str], tokens: list[tuple[str, str]],
                  no_walk: bool = False, span: _Span | None = None) -> list[Finding]:
    matcher = PathMatcher(catalog)
    pending = _Pending()
    findings: list[Finding] = []
    early = _start_tree_diff(repo, span, matcher)
    tip = span.head if span is not None else revs[0] if no_walk else None
    head = _HeadRoots(repo, matcher, tip) if tip is not None else None
    notes = _notes_index(repo)
    annotated: list[tuple[str, str, Commit]] = []  # notes ref, note blob, commit
    linked: list[tuple[str, Commit]] = []  # Entire checkpoint ids, and commits linking to them
    for commit in _whole_stream(repo, revs, no_walk, matcher):
        if span is not None:
            span.see(commit)
        findings.extend(findings_for_commit(catalog, matcher, commit, pending, coverage, ignored))
        annotated.extend((ref, blob, commit) for ref, blob in notes.get(commit.sha, ()))
        folded = commit.message.casefold()
        if "ai-clearance-token" in folded:
            tokens.extend((t, f"commit {commit.sha[:12]}")
                          for t in tokens_in_message(commit.message))
        if "entire-checkpoint" in folded:
            linked.extend((cid, commit) for cid in checkpoint_ids(commit.message))
    findings.extend(_note_findings(repo, catalog, annotated, coverage, ignored))
    findings.extend(linked_checkpoint_findings(repo, catalog, linked))
    if span is None:
        findings.extend(_content_findings(repo, pending, coverage, matcher))
        findings.extend(pending.traces.commit_findings(repo, catalog, revs, no_walk))
        # A history: each version of a file CI reaches is in some commit's change. One
        # commit (--no-walk): its tree's CI files tell what it reaches.
        findings.extend(_reached_in_commits(repo, matcher, pending, findings, revs, no_walk,
                                            head))
        return findings
    bases = span.bases(repo)
    changes = _brought_changes(repo, span, bases, early, matcher)
    # No commit yet: found in the range's tree, attributed once all commits are seen.
    findings.extend(_path_findings(matcher, changes, pending, None, None, span.head))
    findings.extend(_content_findings(repo, pending, coverage, matcher))
    findings.extend(pending.traces.commit_findings(repo, catalog, revs, False))
    findings.extend(_reached_in_trees(repo, pending, findings))
    findings.extend(_reached_in_commits(repo, matcher, pending, findings, revs, False, head))
    return _with_brought(repo, findings, span, bases)


def _notes_index(repo: gitio.Repo) -> dict[str, list[tuple[str, str]]]:
    """The notes of every notes ref: annotated object id to (notes ref, note blob); one git
    call per notes ref, whatever the number of commits."""
    index: dict[str, list[tuple[str, str]]] = {}
    for ref in gitio.notes_refs(repo):
        for obj, blob in gitio.notes_of(repo, ref).items():
            index.setdefault(obj, []).append((ref, blob))
    return index


# A note is judged as a commit message is, up to the size of one.
MAX_NOTE_BYTES = 64 << 20


def _note_findings(repo: gitio.Repo, catalog: Catalog,
                   annotated: list[tuple[str, str, Commit]], coverage: Coverage,
                   ignored: frozenset[str]) -> list[Finding]:
    """What the notes on commits in scope say, judged like commit messages. A trace in a
    note is attributed to the commit it annotates, and to that commit's author: the note
    speaks of how that commit was made (whoever wrote the note)."""
    if not annotated:
        return []
    texts = gitio.read_texts(repo, [blob for _, blob, _ in annotated], MAX_NOTE_BYTES)
    findings: list[Finding] = []
    for ref, blob, commit in annotated:
        coverage.messages_scanned += 1
        findings.extend(replace(f, commit=commit.sha, author=commit.author,
                                committed_at=commit.committed_at, note=ref,
                                evidence=f"note in {ref}: {f.evidence}")
                        for f in findings_for_message(catalog, texts[blob], ignored))
        findings.extend(replace(f, commit=commit.sha, author=commit.author,
                                committed_at=commit.committed_at, note=ref)
                        for f in note_attribution_findings(catalog, ref, texts[blob]))
    return findings


def notes_update_findings(repo: gitio.Repo, catalog: Catalog, ref: str, old: str | None,
                          new: str, coverage: Coverage, ignored: frozenset[str],
                          ) -> list[Finding]:
    """The notes a pushed notes ref adds or changes (from `old` to `new`), judged like
    commit messages and attributed to the commits they annotate, as `_note_findings` does;
    a note on an object that is not a commit here goes to no author."""
    added = gitio.notes_added(repo, old, new)
    if not added:
        return []
    texts = gitio.read_texts(repo, list(added.values()), MAX_NOTE_BYTES)
    authors = gitio.commit_authors(repo, list(added))
    findings: list[Finding] = []
    for obj, blob in added.items():
        coverage.messages_scanned += 1
        findings.extend(replace(f, commit=obj, author=authors.get(obj), note=ref,
                                evidence=f"note in {ref}: {f.evidence}")
                        for f in findings_for_message(catalog, texts[blob], ignored))
        findings.extend(replace(f, commit=obj, author=authors.get(obj), note=ref)
                        for f in note_attribution_findings(catalog, ref, texts[blob]))
    return findings


def _start_tree_diff(repo: gitio.Repo, span: _Span | None,
                     matcher: PathMatcher) -> gitio.TreeDiffRead | None:
    """The diff of the range's tree, started beside the commit stream when its bases are
    known before it (all but several bottoms): git compares the trees while the stream is
    read, rather than after it."""
    if span is None:
        return None
    likely = span.likely_bases(repo)
    if likely is None or likely == [span.head]:
        return None
    return gitio.TreeDiffRead(repo, likely, span.head, matcher.region_filter())


def _brought_changes(repo: gitio.Repo, span: _Span, bases: list[str],
                     early: gitio.TreeDiffRead | None,
                     matcher: PathMatcher) -> Iterable[PathChange]:
    """What the range's head tree adds or changes against its bases: as read beside the
    stream if that read took the right bases (it is waited for anyway), else read now."""
    if early is not None:
        changes = early.result()
        if early.bases == bases:
            return changes
    if bases == [span.head]:
        return ()
    return gitio.tree_diff(repo, bases, span.head, matcher.region_filter())


def _whole_stream(repo: gitio.Repo, revs: list[str], no_walk: bool,
                  matcher: PathMatcher) -> Iterator[Commit]:
    """The commits `revs` select; GitError after the last if any reached the edge of a
    shallow clone (its parents are missing, so the range is cut)."""
    shallow = gitio.shallow_commits(repo)
    cut: str | None = None
    for commit in gitio.stream_commits(repo, revs, no_walk=no_walk,
                                       prefilter=matcher.region_filter()):
        if commit.sha in shallow:  # its parents are not here: its diff cannot be told
            cut = commit.sha
        yield commit
    if cut is not None and no_walk:
        raise GitError(f"commit {cut[:12]} is the edge of this shallow clone: its parents "
                       "are not here, so what it changed cannot be told; fetch one more "
                       "commit (git fetch --deepen=1, or fetch-depth: 2 in actions/checkout)")
    if cut is not None:
        raise GitError(f"the range reaches the edge of this shallow clone at {cut[:12]}; "
                       "fetch the missing history (git fetch --unshallow, or fetch-depth: 0 "
                       "in actions/checkout)")


def _with_brought(repo: gitio.Repo, findings: list[Finding], span: _Span,
                  bases: list[str]) -> list[Finding]:
    """The commits' own findings, and those of the range's tree that none of them reported
    for the same rule and path (what its merges brought), attributed to the head commit."""
    own = [f for f in findings if f.commit is not None]
    seen = {(f.rule, f.path) for f in own}
    brought = [f for f in findings if f.commit is None and (f.rule, f.path) not in seen]
    if not brought:
        return own
    head = span.head_commit
    author = head.author if head is not None else gitio.commit_author(repo, span.head)
    where = f"the tree of {span.head[:12]}" if bases == [gitio.empty_tree(repo)] else \
        f"the tree {','.join(b[:12] for b in bases)}..{span.head[:12]} brings"
    return own + [replace(f, commit=span.head, author=author,
                          committed_at=head.committed_at if head is not None else None,
                          evidence=f"{f.evidence} (in {where}, not in any one commit's own "
                                   "diff)") for f in brought]


def _require(repo: gitio.Repo, rev: str) -> str:
    sha = gitio.resolve_commit(repo, rev)
    if sha is None:
        hint = " (this clone is shallow: fetch more history)" if repo.shallow else ""
        raise GitError(f"cannot resolve '{rev}' to a commit{hint}")
    return sha


def scan_range(repo: gitio.Repo, catalog: Catalog, spec: str, ignored: frozenset[str],
               allow_empty: bool = False) -> Scan:
    """Commits of `A..B`, of `A...B` (those of B since its merge base with A), or one commit."""
    coverage = Coverage(source="range", shallow=repo.shallow)
    no_walk = False
    if "..." in spec:
        left, right = spec.split("...", 1)
        a, b = _require(repo, left or "HEAD"), _require(repo, right or "HEAD")
        base = gitio.merge_base(repo, a, b)
        if base is None:
            raise GitError(f"'{left}' and '{right}' share no history"
                           + (" in this shallow clone" if repo.shallow else ""))
        revs, span = [b, f"^{base}"], _Span(b, (base,))
        coverage.range = f"{base}..{b}"
    elif ".." in spec:
        left, right = spec.split("..", 1)
        a, b = _require(repo, left or "HEAD"), _require(repo, right or "HEAD")
        revs, span = [b, f"^{a}"], _Span(b, (a,))
        coverage.range = f"{a}..{b}"
    else:
        b = _require(repo, spec)
        revs, no_walk, span = [b], True, None
        coverage.range = b
    tokens: list[tuple[str, str]] = []
    findings = _scan_commits(repo, catalog, revs, coverage, ignored, tokens, no_walk=no_walk,
                             span=span)
    if coverage.commits_scanned == 0 and not allow_empty:
        raise GitError(f"the range '{spec}' has no commits; nothing was checked "
                       "(pass --allow-empty if that is expected)")
    return Scan(findings, coverage, head=b, tokens=tokens)


def scan_revs(repo: gitio.Repo, catalog: Catalog, revs: list[str], label: str,
              ignored: frozenset[str], allow_empty: bool = False,
              ref: str | None = None) -> Scan:
    """Commits selected by git revision arguments (the server-side hooks' `new --not --all`);
    for a notes `ref` being updated, the notes it adds too (`new ^old`: those not in old)."""
    coverage = Coverage(source="range", range=label, shallow=repo.shallow)
    tip = gitio.resolve_commit(repo, revs[0]) if revs else None
    bottoms = revision_bottoms(revs)
    span = _Span(tip, tuple(bottoms)) if tip is not None and bottoms is not None else None
    tokens: list[tuple[str, str]] = []
    findings = _scan_commits(repo, catalog, revs, coverage, ignored, tokens, span=span)
    if ref is not None and ref.startswith(gitio.NOTES_PREFIX) and tip is not None:
        old = revs[1][1:] if len(revs) == 2 and revs[1].startswith("^") else None
        findings.extend(notes_update_findings(repo, catalog, ref, old, tip, coverage, ignored))
    if coverage.commits_scanned == 0 and not allow_empty:
        raise GitError(f"'{label}' selects no commits; nothing was checked")
    return Scan(findings, coverage, head=tip, tokens=tokens)


def revision_bottoms(revs: list[str]) -> list[str] | None:
    """What a `HEAD ^A --not B C` revision list excludes; None when it is not of that form
    (several heads, an option), so that no one base and head describe it."""
    if not revs or revs[0].startswith(("-", "^")):
        return None
    bottoms: list[str] = []
    negated = False
    for rev in revs[1:]:
        if rev == "--not":
            negated = not negated
        elif rev.startswith("-") or rev.startswith("^") == negated:
            return None
        else:
            bottoms.append(rev.removeprefix("^"))
    return bottoms


def scan_pushed(repo: gitio.Repo, catalog: Catalog, local_ref: str, remote: str,
                ignored: frozenset[str]) -> Scan:
    """Commits of `local_ref` that no ref of `remote` has: a new branch being pushed."""
    coverage = Coverage(source="range", shallow=repo.shallow)
    tip = _require(repo, local_ref)
    coverage.range = f"{tip} --not --remotes={remote}"
    span = _Span(tip, tuple(gitio.remote_tips(repo, remote)))
    tokens: list[tuple[str, str]] = []
    findings = _scan_commits(repo, catalog, [tip, "--not", f"--remotes={remote}"], coverage,
                             ignored, tokens, span=span)
    if coverage.commits_scanned == 0:
        raise GitError(f"nothing of '{local_ref}' is new to '{remote}', yet pre-commit asked "
                       "for a check; refusing to pass blind")
    return Scan(findings, coverage, head=tip, tokens=tokens)


def scan_history(repo: gitio.Repo, catalog: Catalog, all_refs: bool,
                 ignored: frozenset[str]) -> Scan:
    """Every commit reachable from HEAD, or from every ref with `all_refs`."""
    coverage = Coverage(source="history", shallow=repo.shallow)
    # No tree check here: every path of the head's tree was added by some commit of the
    # history, whose own diff shows it (a merge that takes one parent's file shows nothing,
    # but the parent that added it is in the history too).
    if all_refs:
        revs = ["--exclude=refs/stash", "--all"]
        coverage.range = "--all"
        coverage.branches.extend(gitio.local_branches(repo))
    else:
        head = gitio.resolve_commit(repo, "HEAD")
        if head is None:
            raise GitError("HEAD has no commits yet; there is no history to check")
        revs = [head]
        coverage.range = head
        branch = gitio.current_branch(repo)
        if branch:
            coverage.branches.append(branch)
    if repo.shallow:
        raise GitError("this clone is shallow, so its history is incomplete; fetch it all "
                       "(git fetch --unshallow, or fetch-depth: 0 in actions/checkout)")
    tokens: list[tuple[str, str]] = []
    findings = _scan_commits(repo, catalog, revs, coverage, ignored, tokens)
    if coverage.commits_scanned == 0:
        raise GitError("no commits found; there is no history to check")
    for branch in coverage.branches:
        findings.extend(findings_for_branch(catalog, branch))
    return Scan(findings, coverage, tokens=tokens)


def scan_tree(repo: gitio.Repo, catalog: Catalog, rev: str) -> Scan:
    """Every path in the tree of `rev` (a commit or a tree)."""
    coverage = Coverage(source="tree", range=rev)
    if rev.startswith("-"):
        raise UsageError(f"not a revision: {rev}")
    pending = _Pending()
    matcher = PathMatcher(catalog)
    counter = [0]
    entries = gitio.tree_entries(repo, rev, matcher.region_filter(), counter)
    # Most paths have no anchor of any rule: test that before building anything. The rest is
    # matched as it comes, while git is still listing.
    hits = (gitio.tree_change(path, meta) for path, meta in entries
            if meta.startswith(b"120000") or matcher.might_match(path))
    findings = _path_findings(matcher, hits, pending, None, None, rev)
    coverage.paths_scanned = counter[0]
    findings.extend(_content_findings(repo, pending, coverage, matcher))
    findings.extend(pending.traces.findings(catalog, Scope("tree", {})))
    findings.extend(_reached_in_trees(repo, pending, findings))
    return Scan(findings, coverage)
