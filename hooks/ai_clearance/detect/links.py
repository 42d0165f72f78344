"""Symlinks of a change, judged by where they point and through what they point at.

A symlink to a folder of the same tree stands for that folder's files: `.github -> gh` with
`gh/copilot-instructions.md` puts `.github/copilot-instructions.md` in every checkout. Such a
folder is listed (one git call per commit, tree or index) when the link's own name takes part
in some path rule, and each file below it is matched as if it were below the link. The folder
is where the target resolves to in the same tree: a link met on the way (`.github -> gh` with
`gh -> gh2`, or `.github -> a/b` with `a -> c`) is followed, up to MAX_HOPS links like the
OS; one that cannot be resolved (a loop, too long a chain) stands for its literal target.
Links are followed one level below: a link inside the listed folder counts by its own name
only. Content rules (workflows) judge files where they are, not through links."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.normalize import printable
from ai_clearance.git import gitio
from ai_clearance.model import Finding, Identity, PathChange
from ai_clearance.values import replace, value

# Files one listing may hold (each is matched like a path of the change); a folder with more
# below the links that point at it fails the check rather than passing unjudged.
LISTED_LIMIT = 100_000

# Links followed to resolve one target, as the OS does (Linux's MAXSYMLINKS).
MAX_HOPS = 40


@value
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
    written), seen through the link; one listing per commit, tree or the index."""
    by_tree: dict[str | None, list[tuple[Link, str, str]]] = {}
    for item in wanted:
        by_tree.setdefault(item[0].tree, []).append(item)
    findings: list[Finding] = []
    for tree, literal in by_tree.items():
        resolved = resolve_folders(repo, tree, {folder for _, folder, _ in literal})
        items = [(link, resolved[folder], target) for link, folder, target in literal]
        folders = {folder for _, folder, _ in items}
        below: dict[str, list[PathChange]] = {folder: [] for folder in folders}
        for entry in gitio.entries_below(repo, tree, sorted(folders), LISTED_LIMIT):
            for folder in _ancestors(entry.path, folders):
                below[folder].append(entry)
        for link, folder, target in items:
            findings.extend(_seen_through(matcher, link, folder, target, below[folder]))
    return findings


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


def _seen_through(matcher: PathMatcher, link: Link, folder: str, target: str,
                  entries: list[PathChange]) -> list[Finding]:
    """A finding per rule that a file below `folder` matches as seen through `link`, unless
    the link's own name already has it."""
    skip = {f.rule for f in matcher.match(link.change)[0]}
    found = []
    cut = len(folder) + 1 if folder else 0
    for entry in entries:
        seen = f"{link.change.path}/{entry.path[cut:]}"
        hits, _ = matcher.match(PathChange(seen, entry.blob, entry.mode))
        for finding in hits:
            if finding.rule not in skip:
                skip.add(finding.rule)
                found.append(_attributed(finding, link, target, seen))
    return found


def _attributed(finding: Finding, link: Link, target: str, seen: str | None = None) -> Finding:
    evidence = f"symlink {printable(link.change.path)} -> {printable(target)}"
    if seen is not None:
        evidence += f": {printable(seen)}"
    return replace(finding, path=link.change.path, commit=link.commit, author=link.author,
                   evidence=evidence)
