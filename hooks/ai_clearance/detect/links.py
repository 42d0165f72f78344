"""Symlinks of a change, judged by where they point and through what they point at.

A symlink to a folder of the same tree stands for that folder's files: `.github -> gh` with
`gh/copilot-instructions.md` puts `.github/copilot-instructions.md` in every checkout. Such a
folder is listed (one git call per commit, tree or index) when the link's own name takes part
in some path rule, and each file below it is matched as if it were below the link. The folder
is where the target resolves to in the same tree: a link met on the way (`.github -> gh` with
`gh -> gh2`, or `.github -> a/b` with `a -> c`) is followed, up to MAX_HOPS links like the
OS; one that cannot be resolved (a loop, too long a chain) stands for its literal target.
Links are followed one level below: a link inside the listed folder counts by its own name
only. Content rules (workflows) judge files where they are, not through links.

Many links may share one folder (`d1/.github -> ..`, `d2/.github -> ..`, ...): a glob judges
a path component by component, so links whose names no glob part tells apart see the same
matches below a folder. Each folder's paths are matched once per such context, and each
path once per check whatever the commit it is listed in, so the cost grows with the tree
and the links, not their product; past a total budget the check fails (exit 3)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from ai_clearance.catalog.globs import GlobError, glob_to_regex
from ai_clearance.catalog.rules import Rule
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.normalize import normalize_path, printable
from ai_clearance.errors import GitError
from ai_clearance.git import gitio
from ai_clearance.model import Finding, Identity, PathChange

# Files one listing may hold (each is matched like a path of the change); a folder with more
# below the links that point at it fails the check rather than passing unjudged.
LISTED_LIMIT = 100_000

# Links followed to resolve one target, as the OS does (Linux's MAXSYMLINKS).
MAX_HOPS = 40

# What judging through links may cost one check in all: paths matched against the rules
# (each new path of a folder, once per context) and entries read from git's listings. Past
# either the check fails with exit 3, naming the limit, rather than run for hours: a
# legitimate tree reaches neither (each listing holds at most LISTED_LIMIT files).
MATCHED_TOTAL = 3 * LISTED_LIMIT
LISTED_TOTAL = 30 * LISTED_LIMIT

# Matches remembered across listings (a path listed again in another commit costs a lookup);
# past this many the memory is cleared and the matcher (and the budget) pays again.
_MEMO_LIMIT = 500_000


@dataclass(frozen=True)
class Link:
    """A symlink of a change: who its findings go to, and where its folder is listed from
    (`tree`: a commit or a tree; None for the index)."""

    change: PathChange
    commit: str | None
    author: Identity | None
    tree: str | None


def link_target_path(link: str, target: str) -> str:
    """Where a symlink points, as a repository path (an absolute target keeps its path
    without the leading slash: `/home/u/.claude/x` still names a .claude directory)."""
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(link), target))
    while joined.startswith("../"):
        joined = joined[3:]  # outside the repository: keep the part that names something
    return joined


def pointed_findings(matcher: PathMatcher, link: Link, target: str) -> list[Finding]:
    """Findings for where `link` points, as a file or as a folder (`notes -> .claude`)."""
    pointed = PathChange(link_target_path(link.change.path, target), link.change.blob, "120000")
    hits, _ = matcher.match(pointed)
    return [_attributed(f, link, target) for f in hits]


def listed_folder(matcher: PathMatcher, link: Link, target: str) -> str | None:
    """The folder of the same tree whose files to judge through `link` ("" for the top), or
    None: the target is outside the repository, or no rule could see the link's name."""
    if target.startswith("/") or not matcher.could_hold(link.change.path):
        return None
    folder = posixpath.normpath(posixpath.join(posixpath.dirname(link.change.path), target))
    if folder == ".." or folder.startswith("../"):
        return None
    return "" if folder == "." else folder


def through_links(repo: gitio.Repo, matcher: PathMatcher,
                  wanted: Iterable[tuple[Link, str, str]]) -> list[Finding]:
    """Findings for the files below each link's folder (`wanted`: link, folder, target as
    written), seen through the link; one listing per commit, tree or the index. GitError
    (exit 3) when the links of the check bring more paths than MATCHED_TOTAL and
    LISTED_TOTAL allow."""
    by_tree: dict[str | None, list[tuple[Link, str, str]]] = {}
    for item in wanted:
        by_tree.setdefault(item[0].tree, []).append(item)
    seen = SeenThrough(matcher)
    findings: list[Finding] = []
    for tree, literal in by_tree.items():
        resolved = resolve_folders(repo, tree, {folder for _, folder, _ in literal})
        items = [(link, resolved[folder], target) for link, folder, target in literal]
        folders = {folder for _, folder, _ in items}
        below: dict[str, list[PathChange]] = {folder: [] for folder in folders}
        for entry in gitio.entries_below(repo, tree, sorted(folders), LISTED_LIMIT):
            seen.listed_one()
            for folder in _ancestors(entry.path, folders):
                below[folder].append(entry)
        # Links that no glob tells apart, to one folder: its paths are matched once for all.
        groups: dict[tuple[str, int], list[tuple[Link, str]]] = {}
        for link, folder, target in items:
            key = (folder, seen.context(link.change.path))
            groups.setdefault(key, []).append((link, target))
        for (folder, context), members in groups.items():
            first = seen.first_hits(context, members[0][0].change.path, folder, below[folder])
            for link, target in members:
                findings.extend(_seen_through(matcher, link, target, first))
    return findings


class SeenThrough:
    """The matches of paths seen through links, for one check.

    A path rule's globs match a path component by component (`*`, `?` and `[...]` stay in
    one, `**` spans whole ones), so whether `L/rest` matches depends on `L` only through
    which glob parts each of its components matches: the link's context. Links with one
    context see the same matches below a folder, and a path listed again (the folder in
    another commit) is matched once. The parts are every component of the rules' `paths`,
    `exact_paths` and `not_paths`, as written and case-folded, tried on both forms of a
    component (folded and exact): more parts only split contexts further, never join two
    that a rule tells apart."""

    def __init__(self, matcher: PathMatcher) -> None:
        self.matcher = matcher
        self.parts = _glob_parts(matcher.path_rules)
        self._contexts: dict[tuple[object, ...], int] = {}
        self._signatures: dict[str, frozenset[int]] = {}
        self._memo: dict[tuple[int, str, str], tuple[Finding, ...]] = {}
        self.matched = 0
        self.listed = 0

    def listed_one(self) -> None:
        """Count an entry read from a listing against LISTED_TOTAL."""
        self.listed += 1
        if self.listed > LISTED_TOTAL:
            raise GitError(f"symlinked folders list more than {LISTED_TOTAL} files in all "
                           "to judge through their links; refusing to pass unjudged")

    def context(self, path: str) -> int:
        """A number for the context of a link at `path`: equal for two links that no rule
        can tell apart by what lies below them."""
        folded = normalize_path(path).split("/")
        exact = normalize_path(path, fold=False).split("/")
        key: tuple[object, ...]
        if self.parts is None:  # a glob part this module cannot judge alone: the names
            key = (tuple(folded), tuple(exact))
        else:
            key = (tuple(self._signature(c) for c in folded),
                   tuple(self._signature(c) for c in exact))
        return self._contexts.setdefault(key, len(self._contexts))

    def _signature(self, component: str) -> frozenset[int]:
        """The glob parts that match a path component whole."""
        found = self._signatures.get(component)
        if found is None:
            assert self.parts is not None
            found = frozenset(i for i, part in enumerate(self.parts) if part.match(component))
            if len(self._signatures) >= 100_000:
                self._signatures.clear()  # memory stays flat
            self._signatures[component] = found
        return found

    def first_hits(self, context: int, link_path: str, folder: str,
                   entries: Sequence[PathChange]) -> dict[str, tuple[Finding, str]]:
        """For each path rule, its first finding for a file below `folder` seen below
        `link_path` (a link of `context`), with the file's path below the folder."""
        first: dict[str, tuple[Finding, str]] = {}
        cut = len(folder) + 1 if folder else 0
        for entry in entries:
            rest = entry.path[cut:]
            for finding in self._hits(context, link_path, rest, entry):
                first.setdefault(finding.rule, (finding, rest))
        return first

    def _hits(self, context: int, link_path: str, rest: str,
              entry: PathChange) -> tuple[Finding, ...]:
        key = (context, rest, entry.mode)  # a link or a gitlink is judged as a folder too
        hits = self._memo.get(key)
        if hits is None:
            self.matched += 1
            if self.matched > MATCHED_TOTAL:
                raise GitError(f"symlinked folders bring more than {MATCHED_TOTAL} paths in "
                               "all to judge through their links; refusing to pass unjudged")
            found, _ = self.matcher.match(PathChange(f"{link_path}/{rest}", entry.blob,
                                                     entry.mode))
            hits = tuple(found)
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()  # memory stays flat; the budget bounds the time
            self._memo[key] = hits
        return hits


def _glob_parts(rules: Sequence[Rule]) -> list[re.Pattern[str]] | None:
    """Every component of the rules' globs as a regex matching a whole component (`**` left
    out: it matches any), as written and case-folded; None when one cannot be made alone."""
    texts: set[str] = set()
    for rule in rules:
        globs: list[str] = [*rule.path_globs, *rule.exact_globs]
        if rule.not_paths is not None:
            pieces = _written_parts(rule.not_paths.source)
            if pieces is None:
                return None
            globs.extend(pieces)
        for glob in globs:
            for part in glob.split("/"):
                if part != "**":
                    texts.update((part, part.casefold()))
    parts = []
    for text in sorted(texts):
        try:
            parts.append(re.compile((glob_to_regex(text) if text else "") + r"\Z"))
        except GlobError:
            # Only a run of `not_paths` pieces joined across two globs can be no glob at
            # all (`README.md | **`): every real component loaded with its rule.
            continue
        except re.error:
            return None  # e.g. RE2-only syntax: the caller keeps links' own names
    return parts


def _written_parts(source: str) -> list[str] | None:
    """The components of globs that a rule keeps only joined with " | " (its `not_paths`):
    each '/'-separated piece, and where a piece holds " | " (two globs meet there, or a glob
    has it in a name) every run of its pieces between them; None for too many of those."""
    found: list[str] = []
    for piece in source.split("/"):
        segments = piece.split(" | ")
        if len(segments) > 32:
            return None
        found.extend(" | ".join(segments[i:j]) for i in range(len(segments))
                     for j in range(i + 1, len(segments) + 1))
    return found
def resolve_folders(repo: gitio.Repo, tree: str | None, folders: set[str]) -> dict[str, str]:
    """Where each of `folders` (repository paths, "" for the top) resolves in the tree of
    `tree` (None: the index) once the links on its way are followed: folder -> resolved path.
    A folder whose chain leaves the repository, loops or passes MAX_HOPS links resolves to
    itself. One git call per round of hops, all folders together."""
    known: dict[str, str | None] = {}  # path -> a link's resolved-to-be target, or None
    states = {folder: (folder, 0) for folder in folders}  # folder -> (current path, hops)
    done: dict[str, str] = {}
    while states:
        unknown = {p for current, _ in states.values() for p in _prefixes(current)
                   if p not in known}
        if unknown:
            blobs = gitio.links_at(repo, tree, sorted(unknown))
            targets = _targets(repo, blobs)
            for path in unknown:
                known[path] = targets.get(path)
        for folder, (current, hops) in list(states.items()):
            step = _step(current, known)
            if step is None:
                done[folder] = current
            elif step == "" or hops + 1 > MAX_HOPS:
                done[folder] = folder  # left the repository, or a loop: the literal target
            else:
                states[folder] = (step if step != "." else "", hops + 1)
                continue
            del states[folder]
    return done


def _prefixes(path: str) -> list[str]:
    """`a`, `a/b`, `a/b/c` for `a/b/c` (nothing for the top)."""
    parts = path.split("/") if path else []
    return ["/".join(parts[:i + 1]) for i in range(len(parts))]


def _step(path: str, known: dict[str, str | None]) -> str | None:
    """`path` with its first link replaced by that link's target: None when no prefix is a
    link, "" when the target leaves the repository, "." for the top."""
    for prefix in _prefixes(path):
        target = known.get(prefix)
        if target is None:
            continue
        if target.startswith("/"):
            return ""
        rest = path[len(prefix):]
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(prefix), target) + rest)
        if joined == ".." or joined.startswith("../"):
            return ""
        return joined
    return None


def _targets(repo: gitio.Repo, blobs: dict[str, str]) -> dict[str, str]:
    """The target of each link (path -> blob), read in one batch."""
    by_blob: dict[str, list[str]] = {}
    for path, blob in blobs.items():
        by_blob.setdefault(blob, []).append(path)
    found: dict[str, str] = {}
    for sha, lines in gitio.read_blobs(repo, list(by_blob)):
        target = link_target(lines)
        for path in by_blob[sha]:
            found[path] = target
    return found


def link_target(lines: Iterator[bytes], limit: int = 4096) -> str:
    """The first `limit` characters of a symlink's target (its blob, lines joined back)."""
    data = bytearray()
    for line in lines:
        data += line + b"\n"
        if len(data) > limit:
            break
    return bytes(data[:-1] if data else data).decode("utf-8", "surrogateescape")[:limit]


def _ancestors(path: str, folders: set[str]) -> list[str]:
    """The folders of `folders` that hold `path` ("" holds everything)."""
    found = [""] if "" in folders else []
    cut = path.find("/")
    while cut >= 0:
        if path[:cut] in folders:
            found.append(path[:cut])
        cut = path.find("/", cut + 1)
    return found


def _seen_through(matcher: PathMatcher, link: Link, target: str,
                  first: dict[str, tuple[Finding, str]]) -> list[Finding]:
    """A finding per rule that a file below the link's folder matches as seen through
    `link` (`first`: rule -> its first finding there and the file's path below the folder),
    unless the link's own name already has it."""
    skip = {f.rule for f in matcher.match(link.change)[0]}
    return [_attributed(finding, link, target, f"{link.change.path}/{rest}")
            for rule, (finding, rest) in first.items() if rule not in skip]


def _attributed(finding: Finding, link: Link, target: str, seen: str | None = None) -> Finding:
    evidence = f"symlink {printable(link.change.path)} -> {printable(target)}"
    if seen is not None:
        evidence += f": {printable(seen)}"
    return replace(finding, path=link.change.path, commit=link.commit, author=link.author,
                   evidence=evidence)
