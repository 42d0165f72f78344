"""Files of attribution records a check reads as it reads content (Agent Trace's
`.agent-trace/traces.jsonl`): their blobs come from the one `git cat-file --batch` of the
content rules, are parsed once each, and are placed on commits once the commits are known."""

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
    parse_agent_trace,
)
from ai_clearance.detect.attribution import trace_findings as placed_findings
from ai_clearance.detect.detect import ContentCandidate
from ai_clearance.model import Finding, Identity

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
