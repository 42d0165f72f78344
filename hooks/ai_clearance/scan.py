"""Sources of a check: staged change, message, range, tree or history, turned into findings."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from . import gitio
from .catalog import Catalog
from .detect import (
    ContentCandidate,
    PathMatcher,
    findings_for_branch,
    findings_for_commit_text,
    findings_for_identity,
    findings_for_message,
    findings_for_pr_text,
    first_content_matches,
)
from .errors import GitError, UsageError
from .listing import SpawnedGit, TreeListing
from .model import Commit, Coverage, Finding, Identity, PathChange
from .normalize import printable
from .trustfiles import tokens_in_message
from .values import field, replace, value


@value(frozen=False)
class Scan:
    """Findings of one source and what was covered to get them."""

    findings: list[Finding]
    coverage: Coverage
    head: str | None = None
    tokens: list[tuple[str, str]] = field(default_factory=list)


@value(frozen=False)
class _Pending:
    """Blobs to read after the stream: content candidates and symlinks, by blob id."""

    by_blob: dict[str, list[tuple[ContentCandidate, str | None, Identity | None]]] = field(
        default_factory=dict)
    links: dict[str, list[tuple[PathChange, str | None, Identity | None]]] = field(
        default_factory=dict)

    def add(self, candidates: list[ContentCandidate], commit: str | None,
            author: Identity | None) -> None:
        for candidate in candidates:
            if candidate.change.mode in ("160000", "120000"):
                continue  # a submodule's commit is elsewhere; a symlink has no content
            self.by_blob.setdefault(candidate.change.blob, []).append((candidate, commit, author))

    def add_link(self, change: PathChange, commit: str | None, author: Identity | None) -> None:
        self.links.setdefault(change.blob, []).append((change, commit, author))


def link_target_path(link: str, target: str) -> str:
    """Where a symlink points, as a repository path (an absolute target keeps its path
    without the leading slash: `/home/u/.claude/x` still names a .claude directory)."""
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(link), target))
    while joined.startswith("../"):
        joined = joined[3:]  # outside the repository: keep the part that names something
    return joined


def _content_findings(repo: gitio.Repo, pending: _Pending, coverage: Coverage,
                      matcher: PathMatcher | None = None) -> list[Finding]:
    findings: list[Finding] = []
    shas = list(pending.by_blob) + [s for s in pending.links if s not in pending.by_blob]
    for sha, lines in gitio.read_blobs(repo, shas):
        coverage.blobs_read += 1
        if sha in pending.links and matcher is not None:
            target = b"\n".join(lines).decode("utf-8", "surrogateescape")[:4096]
            for change, commit, author in pending.links[sha]:
                pointed = PathChange(link_target_path(change.path, target), sha, "100644")
                hits, _ = matcher.match(pointed)
                findings.extend(replace(f, path=change.path, commit=commit, author=author,
                                        evidence=f"symlink {printable(change.path)} -> "
                                                 f"{printable(target)}") for f in hits)
            continue
        entries = pending.by_blob.get(sha, [])
        matched = first_content_matches({c.rule.id: c.rule for c, _, _ in entries}, lines)
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


def _path_findings(matcher: PathMatcher, changes: Iterable[PathChange], pending: _Pending,
                   commit: str | None, author: Identity | None, coverage: Coverage,
                   ) -> list[Finding]:
    findings: list[Finding] = []
    for change in changes:
        if change.mode == "120000":
            pending.add_link(change, commit, author)
        hits, candidates = matcher.match(change)
        findings.extend(replace(f, commit=commit, author=author) for f in hits)
        if candidates:
            pending.add(candidates, commit, author)
    return findings


def start_staged(repo: gitio.Repo, started: tuple[SpawnedGit, SpawnedGit] | None = None,
                 ) -> gitio.StagedPrefetch:
    """Start reading what `scan_staged` needs from git, so that it overlaps other work (or
    take the reads `started` for it before the imports)."""
    if repo.bare:
        raise UsageError("--staged needs a work tree; this repository is bare")
    return gitio.StagedPrefetch(repo, started)


def scan_staged(repo: gitio.Repo, catalog: Catalog, ignored: frozenset[str],
                started: gitio.StagedPrefetch | None = None) -> Scan:
    """Paths and content the index would commit, and the branch being committed to."""
    prefetch = started or start_staged(repo)
    coverage = Coverage(source="staged")
    pending = _Pending()
    matcher = PathMatcher(catalog)
    prefilter = matcher.region_filter()
    raw, branch = prefetch.result()
    changes, coverage.paths_scanned = gitio.staged_changes(raw, prefilter)
    findings = _path_findings(matcher, changes, pending, None, None, coverage)
    findings.extend(_content_findings(repo, pending, coverage, matcher))
    if branch:
        coverage.branches.append(branch)
        findings.extend(findings_for_branch(catalog, branch))
    if not findings:
        return Scan([], coverage)  # who is committing matters only for a finding
    author = gitio.ident(repo, "author")
    return Scan([replace(f, author=author) for f in findings], coverage)


def scan_message(repo: gitio.Repo | None, catalog: Catalog, message: str,
                 ignored: frozenset[str]) -> Scan:
    """A commit message about to be committed, with the identities git would record."""
    coverage = Coverage(source="message", messages_scanned=1)
    author = gitio.ident(repo, "author") if repo is not None else None
    findings = findings_for_message(catalog, message, ignored, strip_comments=True)
    if repo is not None:
        committer = gitio.ident(repo, "committer")
        for role, who in (("author", author), ("committer", committer)):
            if who is not None:
                findings.extend(findings_for_identity(catalog, who, role, ignored))
    tokens = [(t, "commit message") for t in tokens_in_message(message)]
    return Scan([replace(f, author=author) for f in findings], coverage,
                tokens=tokens)


def findings_for_commit(catalog: Catalog, matcher: PathMatcher, commit: Commit,
                        pending: _Pending, coverage: Coverage, ignored: frozenset[str],
                        ) -> list[Finding]:
    """Everything one commit carries: paths, message, author and committer."""
    coverage.commits_scanned += 1
    coverage.messages_scanned += 1
    coverage.paths_scanned += commit.path_count
    findings = _path_findings(matcher, commit.changes, pending, commit.sha, commit.author,
                              coverage)
    findings.extend(findings_for_commit_text(catalog, commit, ignored))
    return [replace(f, commit=commit.sha, author=commit.author,
                    committed_at=commit.committed_at) for f in findings]


def _scan_commits(repo: gitio.Repo, catalog: Catalog, revs: list[str], coverage: Coverage,
                  ignored: frozenset[str], tokens: list[tuple[str, str]],
                  no_walk: bool = False) -> list[Finding]:
    matcher = PathMatcher(catalog)
    pending = _Pending()
    shallow = gitio.shallow_commits(repo)
    findings: list[Finding] = []
    cut: str | None = None
    for commit in gitio.stream_commits(repo, revs, no_walk=no_walk,
                                       prefilter=matcher.region_filter()):
        if commit.sha in shallow and not no_walk:
            cut = commit.sha
        findings.extend(findings_for_commit(catalog, matcher, commit, pending, coverage, ignored))
        if "ai-clearance-token" in commit.message.casefold():
            tokens.extend((t, f"commit {commit.sha[:12]}")
                          for t in tokens_in_message(commit.message))
    if cut is not None:
        raise GitError(f"the range reaches the edge of this shallow clone at {cut[:12]}; "
                       "fetch the missing history (git fetch --unshallow, or fetch-depth: 0 "
                       "in actions/checkout)")
    findings.extend(_content_findings(repo, pending, coverage, matcher))
    return findings


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
        revs = [b, f"^{base}"]
        coverage.range = f"{base}..{b}"
    elif ".." in spec:
        left, right = spec.split("..", 1)
        a, b = _require(repo, left or "HEAD"), _require(repo, right or "HEAD")
        revs = [b, f"^{a}"]
        coverage.range = f"{a}..{b}"
    else:
        b = _require(repo, spec)
        revs, no_walk = [b], True
        coverage.range = b
    tokens: list[tuple[str, str]] = []
    findings = _scan_commits(repo, catalog, revs, coverage, ignored, tokens, no_walk=no_walk)
    if coverage.commits_scanned == 0 and not allow_empty:
        raise GitError(f"the range '{spec}' has no commits; nothing was checked "
                       "(pass --allow-empty if that is expected)")
    return Scan(findings, coverage, head=b, tokens=tokens)


def scan_revs(repo: gitio.Repo, catalog: Catalog, revs: list[str], label: str,
              ignored: frozenset[str], allow_empty: bool = False) -> Scan:
    """Commits selected by git revision arguments (the server-side hooks' `new --not --all`)."""
    coverage = Coverage(source="range", range=label, shallow=repo.shallow)
    tokens: list[tuple[str, str]] = []
    findings = _scan_commits(repo, catalog, revs, coverage, ignored, tokens)
    if coverage.commits_scanned == 0 and not allow_empty:
        raise GitError(f"'{label}' selects no commits; nothing was checked")
    tip = gitio.resolve_commit(repo, revs[0]) if revs else None
    return Scan(findings, coverage, head=tip, tokens=tokens)


def scan_pushed(repo: gitio.Repo, catalog: Catalog, local_ref: str, remote: str,
                ignored: frozenset[str]) -> Scan:
    """Commits of `local_ref` that no ref of `remote` has: a new branch being pushed."""
    coverage = Coverage(source="range", shallow=repo.shallow)
    tip = _require(repo, local_ref)
    coverage.range = f"{tip} --not --remotes={remote}"
    tokens: list[tuple[str, str]] = []
    findings = _scan_commits(repo, catalog, [tip, "--not", f"--remotes={remote}"], coverage,
                             ignored, tokens)
    if coverage.commits_scanned == 0:
        raise GitError(f"nothing of '{local_ref}' is new to '{remote}', yet pre-commit asked "
                       "for a check; refusing to pass blind")
    return Scan(findings, coverage, head=tip, tokens=tokens)


def scan_history(repo: gitio.Repo, catalog: Catalog, all_refs: bool,
                 ignored: frozenset[str]) -> Scan:
    """Every commit reachable from HEAD, or from every ref with `all_refs`."""
    coverage = Coverage(source="history", shallow=repo.shallow)
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


def scan_tree(repo: gitio.Repo, catalog: Catalog, rev: str,
              started: TreeListing | None = None) -> Scan:
    """Every path in the tree of `rev` (a commit or a tree), from the listing `started` for it
    if there is one."""
    coverage = Coverage(source="tree", range=rev)
    if rev.startswith("-"):
        raise UsageError(f"not a revision: {rev}")
    pending = _Pending()
    matcher = PathMatcher(catalog)
    counter = [0]
    entries = gitio.tree_entries(repo, rev, matcher.region_filter(), counter, started)
    # Most paths have no anchor of any rule: test that before building anything. The rest is
    # matched as it comes, while git is still listing.
    hits = (gitio.tree_change(path, meta) for path, meta in entries
            if meta.startswith(b"120000") or matcher.might_match(path))
    findings = _path_findings(matcher, hits, pending, None, None, coverage)
    coverage.paths_scanned = counter[0]
    findings.extend(_content_findings(repo, pending, coverage, matcher))
    return Scan(findings, coverage)


def with_pr_text(repo: gitio.Repo, scan: Scan, catalog: Catalog, text: str) -> Scan:
    """Add the markers of a pull request's title (first line) and body (the rest), attributed
    to the author of the pull request's head commit."""
    title, _, body = text.partition("\n")
    author = gitio.commit_author(repo, scan.head) if scan.head else None
    scan.findings.extend(replace(f, author=author)
                         for f in findings_for_pr_text(catalog, title, body))
    return scan


def with_branch(scan: Scan, catalog: Catalog, branch: str | None) -> Scan:
    """Add the findings of a branch name (the branch being pushed or checked) to a scan."""
    if branch:
        scan.coverage.branches.append(branch)
        scan.findings.extend(findings_for_branch(catalog, branch))
    return scan
