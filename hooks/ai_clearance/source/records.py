"""Attribution records a check reads beside the commits: files of records read as it reads
content (Agent Trace's `.agent-trace/traces.jsonl`: their blobs come from the one `git
cat-file --batch` of the content rules, are parsed once each, and are placed on commits
once the commits are known), and the Entire checkpoints commits link to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import chain

from ai_clearance.catalog.rules import Catalog
from ai_clearance.detect.attribution import (
    MAX_RECORD_BYTES,
    UNREADABLE,
    RecordError,
    Scope,
    TraceLines,
    checkpoint_findings,
    parse_agent_trace,
    session_metadata_paths,
)
from ai_clearance.detect.attribution import trace_findings as placed_findings
from ai_clearance.detect.detect import ContentCandidate
from ai_clearance.git import gitio
from ai_clearance.model import Commit, Finding, Identity

Entry = tuple[ContentCandidate, str | None, Identity | None]  # candidate, commit, author


@dataclass
class Traces:
    """The records read so far: (trace file path, commit that brought it, records), and
    the findings of files that could not be read."""

    found: list[tuple[str, str | None, list[TraceLines]]] = field(default_factory=list)
    unreadable: list[Finding] = field(default_factory=list)  # as the catalog's AIC903

    def take(self, entries: list[Entry], lines: Iterable[bytes],
             ) -> tuple[list[Entry], Iterable[bytes]]:
        """Read the blob for the record rules among `entries`; the other entries, and the
        blob's lines for them (the same lines, whether or not read here)."""
        records = [e for e in entries if e[0].rule.kind == "record"]
        if not records:
            return entries, lines
        source = iter(lines)
        head = list(_upto(source, MAX_RECORD_BYTES))
        text = b"\n".join(head).decode("utf-8", "replace")
        try:
            parsed = parse_agent_trace(text)
        except RecordError as exc:
            self.unreadable.extend(_unreadable(candidate, commit, author, str(exc))
                                   for candidate, commit, author in records)
        else:
            self.found.extend((c.change.path, commit, parsed) for c, commit, _ in records)
        return [e for e in entries if e[0].rule.kind != "record"], chain(head, source)

    def findings(self, catalog: Catalog, scope: Scope) -> list[Finding]:
        """Each record's agent lines placed on the commit it is of (see trace_findings),
        and the files that could not be read."""
        rule = catalog.by_id.get(UNREADABLE)
        unreadable = [replace(f, kind=rule.kind, severity=rule.severity)
                      for f in self.unreadable] if rule is not None else []
        if not self.found:
            return unreadable
        return [*unreadable, *placed_findings(catalog, self.found, scope)]

    def commit_findings(self, repo: gitio.Repo, catalog: Catalog, revs: list[str],
                        no_walk: bool) -> list[Finding]:
        """findings() for the commits `revs` select, each placed record with its commit's
        author. Git runs only when there are records: one rev-list for the commits'
        parents, two calls for the authors of the commits records are placed on."""
        if not self.found:
            return self.findings(catalog, Scope("commits", {}))
        scope = Scope("commits", gitio.commit_parents(repo, revs, no_walk))
        found = self.findings(catalog, scope)
        placed = sorted({f.commit for f in found if f.commit and f.author is None})
        authors = gitio.commit_authors(repo, placed) if placed else {}
        return [replace(f, author=authors.get(f.commit)) if f.commit and f.author is None
                else f for f in found]


def _upto(lines: Iterator[bytes], limit: int) -> Iterator[bytes]:
    """Lines until just past `limit` bytes (so that a larger file is seen to be larger)."""
    size = 0
    for line in lines:
        yield line
        size += len(line) + 1
        if size > limit + 1:
            return


def _unreadable(candidate: ContentCandidate, commit: str | None, author: Identity | None,
                reason: str) -> Finding:
    return Finding(rule=UNREADABLE, assistants=("generic",), kind="attribution",
                   severity="block", evidence=f"an Agent Trace file that cannot be read: "
                   f"{reason}", commit=commit, author=author, path=candidate.change.path)


def linked_checkpoint_findings(repo: gitio.Repo, catalog: Catalog,
                               linked: list[tuple[str, Commit]]) -> list[Finding]:
    """For commits that link to Entire checkpoints (`Entire-Checkpoint:`), what the
    checkpoints stored here say: the sessions' agents and the transcripts kept. Git runs
    only when some commit links to one: one for-each-ref, one ls-tree per copy of the
    checkpoint branch, one cat-file batch for the session metadata."""
    if not linked:
        return []
    stored = gitio.entire_checkpoint_files(repo)
    wanted = {cid: stored[cid] for cid, _ in linked if cid in stored}
    blobs = {cid: session_metadata_paths(files) for cid, files in wanted.items()}
    everything = [blob for found in blobs.values() for blob in found]
    texts = gitio.read_texts(repo, everything, MAX_RECORD_BYTES) if everything else {}
    findings: list[Finding] = []
    for cid, commit in linked:
        if cid not in wanted:
            continue
        findings.extend(replace(f, commit=commit.sha, author=commit.author,
                                committed_at=commit.committed_at)
                        for f in checkpoint_findings(catalog, cid, wanted[cid],
                                                     [texts[b] for b in blobs[cid]]))
    return findings
