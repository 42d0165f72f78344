"""Attribution records an agent tool writes about a commit, read exactly: git-ai authorship
notes (standard v3.0.0, `refs/notes/ai`). Pure: text in, records or a reason out.

A git-ai note is an attestation section, a line `---`, then JSON metadata. The attestation
names each file at column 0 (in double quotes when it holds whitespace) and, indented under
it, `<key> <ranges>` lines: the key is an AI session (`s_<14 hex>`, optionally
`::t_<14 hex>` for the trace), a legacy prompt (16 hex) or a known human (`h_<14 hex>`);
ranges are 1-based lines, `1-4,9`. The metadata maps sessions (`sessions`) and legacy
prompts (`prompts`) to `agent_id{tool, id, model}`; prompts may also carry the conversation
(`messages`, `messages_url`), which does not belong in a repository."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from ai_clearance.catalog.rules import Catalog
from ai_clearance.detect.detect import GENERIC
from ai_clearance.detect.detect import _assistants_for_disclosure as assistants_for_disclosure
from ai_clearance.model import Finding

# Larger notes are not parsed (the message rules still read them): the check fails closed.
MAX_RECORD_BYTES = 16 << 20
SCHEMA_PREFIX = "authorship/3."
_SESSION_KEY = re.compile(r"(s_[0-9a-f]{14})(?:::t_[0-9a-f]{14})?\Z")
_HUMAN_KEY = re.compile(r"h_[0-9a-f]{14}\Z")
_LEGACY_KEY = re.compile(r"[0-9a-f]{16}\Z")
_RANGE = re.compile(r"([0-9]{1,9})(?:-([0-9]{1,9}))?\Z")


class RecordError(ValueError):
    """The record cannot be read as its format says: the reason, in one line."""


@dataclass(frozen=True)
class Agent:
    """Who wrote lines, as the record names it: the tool and, when given, the model."""

    tool: str
    model: str = ""

    def __str__(self) -> str:
        return f"{self.tool} ({self.model})" if self.model else self.tool


@dataclass(frozen=True)
class AgentLines:
    """Lines of one file that one agent wrote in the commit: 1-based (start, end) ranges."""

    path: str
    agent: Agent
    ranges: tuple[tuple[int, int], ...]

    @property
    def count(self) -> int:
        return sum(end - start + 1 for start, end in self.ranges)


@dataclass(frozen=True)
class Attribution:
    """What one record says: the agent lines of each file, and what it leaks (a prompt, a
    conversation URL), each leak as a short description without its content."""

    lines: tuple[AgentLines, ...]
    leaks: tuple[str, ...]


def looks_like_git_ai(text: str) -> bool:
    """Whether a note on another ref than `refs/notes/ai` declares itself a git-ai note."""
    return '"schema_version"' in text and f'"{SCHEMA_PREFIX}' in text


def parse_git_ai_note(text: str) -> Attribution:
    """The agent lines and leaks of a git-ai authorship note; RecordError when it is not
    one (too large, no divider, not JSON, another schema, a malformed attestation)."""
    if len(text) > MAX_RECORD_BYTES:
        raise RecordError(f"larger than {MAX_RECORD_BYTES >> 20} MiB")
    attestation, divider, metadata_text = _split(text)
    if not divider:
        raise RecordError("no '---' line between the attestation and the metadata")
    metadata = _json_object(metadata_text)
    schema = metadata.get("schema_version")
    if not isinstance(schema, str) or not schema.startswith(SCHEMA_PREFIX):
        raise RecordError(f"schema_version is not {SCHEMA_PREFIX}x")
    sessions = _table(metadata, "sessions")
    prompts = _table(metadata, "prompts")
    entries = _attestation(attestation)
    lines: dict[tuple[str, Agent], list[tuple[int, int]]] = {}
    for path, key, ranges in entries:
        agent = _agent_of(key, sessions, prompts)
        if agent is not None:
            lines.setdefault((path, agent), []).extend(ranges)
    return Attribution(
        tuple(AgentLines(path, agent, tuple(sorted(r))) for (path, agent), r in lines.items()),
        tuple(_leaks(sessions, "session") + _leaks(prompts, "prompt")),
    )


def _split(text: str) -> tuple[str, bool, str]:
    """The attestation and the metadata, split at the first line that is `---`."""
    if text.startswith("---\n") or text.strip() == "---":
        return "", True, text[4:]
    head, found, tail = text.partition("\n---\n")
    if not found and text.rstrip("\n").endswith("\n---"):
        return text.rstrip("\n")[:-4], True, ""
    return head, bool(found), tail


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise RecordError("the metadata after '---' is not JSON") from None
    if not isinstance(value, dict):
        raise RecordError("the metadata after '---' is not a JSON object")
    return value


def _table(metadata: dict[str, Any], name: str) -> dict[str, Any]:
    value = metadata.get(name, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"'{name}' is not an object")
    return value


def _attestation(text: str) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """(path, key, ranges) for each indented line, under the path line above it."""
    found: list[tuple[str, str, list[tuple[int, int]]]] = []
    path: str | None = None
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if not line[0].isspace():
            path = _path(line)
            continue
        if path is None:
            raise RecordError(f"attestation line {number} comes before any file")
        key, _, ranges = line.strip().partition(" ")
        found.append((path, key, _ranges(ranges.strip(), number)))
    return found


def _path(line: str) -> str:
    if len(line) >= 2 and line[0] == line[-1] == '"':
        return line[1:-1]
    return line


def _ranges(text: str, number: int) -> list[tuple[int, int]]:
    """`1-4,9` as [(1, 4), (9, 9)]; RecordError for anything else."""
    ranges: list[tuple[int, int]] = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if match is None:
            raise RecordError(f"attestation line {number}: '{part[:40]}' is not a line range")
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if start < 1 or end < start:
            raise RecordError(f"attestation line {number}: range {start}-{end} is empty")
        ranges.append((start, end))
    return ranges


def _agent_of(key: str, sessions: dict[str, Any], prompts: dict[str, Any]) -> Agent | None:
    """The agent a key names; None for a known human. A session or prompt the metadata does
    not describe is still an agent's (the key says so): an unnamed one."""
    session = _SESSION_KEY.match(key)
    if session is not None:
        return _agent(sessions.get(session.group(1)))
    if _HUMAN_KEY.match(key):
        return None
    if _LEGACY_KEY.match(key):
        return _agent(prompts.get(key))
    raise RecordError(f"'{key[:40]}' is not a session, prompt or human key")


def _agent(record: Any) -> Agent:
    agent_id = record.get("agent_id") if isinstance(record, dict) else None
    if not isinstance(agent_id, dict):
        return Agent("unnamed agent")
    tool, model = agent_id.get("tool"), agent_id.get("model")
    return Agent(_short(tool) if isinstance(tool, str) and tool.strip() else "unnamed agent",
                 _short(model) if isinstance(model, str) else "")


def _short(text: str) -> str:
    """A name as reports may quote it: one line, printable, at most 80 characters."""
    kept = "".join(c if c.isprintable() else "?" for c in text.strip())
    return kept[:80]


def _leaks(table: dict[str, Any], what: str) -> list[str]:
    """What records of the table store that is the conversation itself, or where it is."""
    found: list[str] = []
    for key, record in table.items():
        if not isinstance(record, dict):
            continue
        messages = record.get("messages")
        url = record.get("messages_url")
        named = f"{what} {_short(str(key))[:20]} ({_agent(record)})"
        if isinstance(messages, list) and messages:
            found.append(f"{named} stores {len(messages)} conversation message(s)")
        if isinstance(url, str) and url.strip():
            found.append(f"{named} stores the conversation's URL (messages_url)")
    return found


# ------------------------------------------------------------------ findings
GIT_AI_LINES = "AIC901"
GIT_AI_LEAK = "AIC902"
UNREADABLE = "AIC903"
# How many ranges of one file a finding quotes (all are counted).
SHOWN_RANGES = 12


def git_ai_findings(catalog: Catalog, ref: str, text: str) -> list[Finding]:
    """The findings of one git-ai note on `ref`: one per file and agent, at that file's
    path (so a path-scoped approval clears only the agent lines under it), one per stored
    conversation, or one saying the note cannot be read (fail closed)."""
    try:
        record = parse_git_ai_note(text)
    except RecordError as exc:
        return _found(catalog, UNREADABLE, (GENERIC,),
                      f"{ref}: a git-ai note that cannot be read: {exc}")
    findings: list[Finding] = []
    for lines in record.lines:
        findings.extend(_found(
            catalog, GIT_AI_LINES, agent_assistants(catalog, lines.agent),
            f"{ref}: {lines.agent} wrote {lines.count} line(s) of {lines.path}: "
            f"{_shown(lines.ranges)}", lines.path, lines.ranges[0][0]))
    for leak in record.leaks:
        findings.extend(_found(catalog, GIT_AI_LEAK, (GENERIC,), f"{ref}: {leak}"))
    return findings


def agent_assistants(catalog: Catalog, agent: Agent) -> tuple[str, ...]:
    """The catalog's assistants a record's tool names (else its model; else the generic)."""
    for name in (agent.tool, agent.model):
        found = assistants_for_disclosure(catalog, name.casefold()) if name else ()
        if found:
            return found
    return (GENERIC,)


def _shown(ranges: tuple[tuple[int, int], ...]) -> str:
    shown = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges[:SHOWN_RANGES])
    more = len(ranges) - SHOWN_RANGES
    return f"{shown},... ({more} more ranges)" if more > 0 else shown


def _found(catalog: Catalog, rule_id: str, assistants: tuple[str, ...], evidence: str,
           path: str | None = None, line: int | None = None) -> list[Finding]:
    """A finding of a catalog rule; none when the catalog in use has no such rule."""
    rule = catalog.by_id.get(rule_id)
    if rule is None:
        return []
    return [Finding(rule=rule.id, assistants=assistants, kind=rule.kind,
                    severity=rule.severity, evidence=evidence, path=path, line=line)]


GIT_AI_REF = "refs/notes/ai"


def note_attribution_findings(catalog: Catalog, ref: str, text: str) -> list[Finding]:
    """The attribution findings of a note: read as git-ai's when it is on git-ai's ref or
    declares git-ai's schema (a note of another tool is left to the message rules)."""
    if ref != GIT_AI_REF and not looks_like_git_ai(text):
        return []
    return git_ai_findings(catalog, ref, text)


# ------------------------------------------------------------------ Agent Trace
# Agent Trace (cursor/agent-trace, schemas.ts): `.agent-trace/traces.jsonl` holds one JSON
# record a line: `id`, `vcs{type, revision}` (the commit the edit was made on: HEAD when
# the agent edited), `tool{name}`, and `files[{path, conversations[{url, contributor{type,
# model_id}, ranges[{start_line, end_line, contributor?}]}]}]`. A range's own contributor
# overrides its conversation's; `ai` and `mixed` lines are an agent's.
AGENT_TRACE_LINES = "AIC911"
_AGENT_TYPES = frozenset({"ai", "mixed"})


@dataclass(frozen=True)
class TraceLines:
    """Agent lines of one Agent Trace record: its id, the revision it was made on ("" when
    it names none), and the lines."""

    record: str
    revision: str
    lines: AgentLines


def parse_agent_trace(text: str) -> list[TraceLines]:
    """The agent lines of every record of a traces.jsonl file; RecordError when a line is
    not a record (too large, not a JSON object, a field of the wrong type)."""
    if len(text) > MAX_RECORD_BYTES:
        raise RecordError(f"larger than {MAX_RECORD_BYTES >> 20} MiB")
    found: dict[tuple[str, str, str, Agent], list[tuple[int, int]]] = {}
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = _json_object(line)
            _trace_record(record, found)
        except RecordError as exc:
            raise RecordError(f"record on line {number}: {exc}") from None
    return [TraceLines(record, revision, AgentLines(path, agent, tuple(sorted(ranges))))
            for (record, revision, path, agent), ranges in found.items()]


def _trace_record(record: dict[str, Any],
                  found: dict[tuple[str, str, str, Agent], list[tuple[int, int]]]) -> None:
    vcs = record.get("vcs")
    revision = vcs.get("revision") if isinstance(vcs, dict) else None
    tool = record.get("tool")
    name = tool.get("name") if isinstance(tool, dict) else None
    key = (_short(str(record.get("id", ""))),
           _short(revision).casefold() if isinstance(revision, str) else "")
    for entry in _list(record, "files"):
        path = entry.get("path")
        if not isinstance(path, str) or not path:
            raise RecordError("a file without a path")
        for conversation in _list(entry, "conversations"):
            default = conversation.get("contributor")
            for span in _list(conversation, "ranges"):
                contributor = span.get("contributor", default)
                agent = _trace_agent(contributor, name)
                if agent is not None:
                    found.setdefault((*key, path, agent), []).append(_span(span))


def _list(value: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = value.get(name, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise RecordError(f"'{name}' is not a list of objects")
    return items


def _trace_agent(contributor: Any, tool: Any) -> Agent | None:
    """The agent of a contributor of type ai or mixed; None for a human or unknown one."""
    if contributor is None:
        return None
    kind = contributor.get("type") if isinstance(contributor, dict) else None
    if not isinstance(kind, str):
        # A record an attacker wrote may hold anything: what is not the schema's is
        # unreadable (AIC903), never taken for a human's lines.
        raise RecordError("a contributor is not an object with a type")
    if kind not in _AGENT_TYPES:
        return None
    model = contributor.get("model_id")
    return Agent(_short(tool) if isinstance(tool, str) and tool.strip() else "unnamed agent",
                 _short(model) if isinstance(model, str) else "")


def _span(span: dict[str, Any]) -> tuple[int, int]:
    start, end = span.get("start_line"), span.get("end_line")
    if not (type(start) is int and type(end) is int and 1 <= start <= end):
        raise RecordError("a range is not 1 <= start_line <= end_line")
    return start, end


@dataclass(frozen=True)
class Scope:
    """The commits a check covers, for placing Agent Trace records: the parents of each
    commit; `base` is the commit a staged change is made on."""

    source: str  # "commits", "staged" or "tree" (a tree: every record in it is reported)
    parents: dict[str, tuple[str, ...]]
    base: str | None = None


def trace_findings(catalog: Catalog, found: list[tuple[str, str | None, list[TraceLines]]],
                   scope: Scope) -> list[Finding]:
    """Agent Trace findings: each record's lines once, at the commit made on its revision
    (its child in scope; the revision itself when in scope), the staged change when it was
    made on HEAD, every record for a tree. A record of a commit outside the check is not
    this check's (the trace file itself is reported by its path). The commit's author is
    the caller's to add."""
    children: dict[str, str] = {}
    for sha, parents in scope.parents.items():
        for parent in parents:
            children.setdefault(parent, sha)
    findings: list[Finding] = []
    seen: set[tuple[str, str, Agent]] = set()
    for trace_path, brought_by, records in found:
        for record in records:
            key = (record.record, record.lines.path, record.lines.agent)
            if key in seen:
                continue
            placed = _placed(record.revision, brought_by, children, scope)
            if isinstance(placed, bool):
                continue
            seen.add(key)
            findings.extend(_trace_finding(catalog, trace_path, record, placed))
    return findings


def _placed(revision: str, brought_by: str | None, children: dict[str, str],
            scope: Scope) -> str | bool | None:
    """The commit a record is of (None: the staged change or a tree), or False when it is
    of no commit this check covers."""
    if scope.source == "tree":
        return None
    if scope.source == "staged":
        return None if revision in ("", scope.base) else False
    if not revision:
        return brought_by
    if revision in children:
        return children[revision]
    return revision if revision in scope.parents else False


def _trace_finding(catalog: Catalog, trace_path: str, record: TraceLines,
                   commit: str | None) -> list[Finding]:
    lines = record.lines
    made = f" on {record.revision[:12]}" if record.revision else ""
    found = _found(catalog, AGENT_TRACE_LINES, agent_assistants(catalog, lines.agent),
                   f"{trace_path} record {record.record[:36]}{made}: {lines.agent} wrote "
                   f"{lines.count} line(s) of {lines.path}: {_shown(lines.ranges)}",
                   lines.path, lines.ranges[0][0])
    return [replace(f, commit=commit) for f in found]


# ------------------------------------------------------------------ Entire checkpoints
# Entire (entireio/cli docs/architecture/sessions-and-checkpoints.md): a commit made in an
# agent session carries `Entire-Checkpoint: <id>` (12 hex, or a 26-character ULID); the
# checkpoint is stored on the branch entire/checkpoints/v1 under `<id[:2]>/<id[2:]>/`:
# `metadata.json`, then one numbered folder per session with its `metadata.json` and the
# session's transcript (`full.jsonl`, `transcript.jsonl`) and prompts (`prompt.txt`).
ENTIRE_SESSION = "AIC921"
ENTIRE_TRANSCRIPT = "AIC922"
_CHECKPOINT_TRAILER = re.compile(
    r"(?im)^[ \t]*entire-checkpoint[ \t]*:[ \t]*([0-9a-f]{12}|[0-9a-hjkmnp-tv-z]{26})[ \t]*$")
_TRANSCRIPTS = frozenset({"full.jsonl", "transcript.jsonl", "prompt.txt", "context.md"})


def checkpoint_ids(message: str) -> list[str]:
    """The checkpoints a commit message links to (`Entire-Checkpoint:` trailers)."""
    return list(dict.fromkeys(m.group(1).casefold()
                              for m in _CHECKPOINT_TRAILER.finditer(message)))


def session_metadata_paths(files: list[tuple[str, str]]) -> list[str]:
    """The blobs of a checkpoint's session metadata files (`<n>/metadata.json`)."""
    return [blob for rest, blob in files
            if rest.count("/") == 1 and rest.endswith("/metadata.json")]


def checkpoint_findings(catalog: Catalog, checkpoint: str, files: list[tuple[str, str]],
                        metadata: list[str]) -> list[Finding]:
    """What a stored checkpoint says of the commit that links to it: the agents of its
    sessions (as their metadata names them), and the transcripts it keeps (a leak)."""
    agents: dict[str, None] = {}
    for text in metadata:
        try:
            agent = _json_object(text).get("agent")
        except RecordError:
            agent = None
        agents[_short(agent) if isinstance(agent, str) and agent.strip() else
               "unnamed agent"] = None
    where = f"{checkpoint[:2]}/{checkpoint[2:]}"
    findings: list[Finding] = []
    for name in agents or {"unnamed agent": None}:
        findings.extend(_found(catalog, ENTIRE_SESSION, agent_assistants(catalog, Agent(name)),
                               f"Entire checkpoint {checkpoint}: a session of {name} "
                               f"(entire/checkpoints/v1 {where}/)"))
    kept = sorted(rest for rest, _ in files if rest.rpartition("/")[2] in _TRANSCRIPTS)
    if kept:
        shown = ", ".join(kept[:4]) + (f" and {len(kept) - 4} more" if len(kept) > 4 else "")
        findings.extend(_found(catalog, ENTIRE_TRANSCRIPT, (GENERIC,),
                               f"Entire checkpoint {checkpoint} keeps the session's "
                               f"transcript in this repository: entire/checkpoints/v1 "
                               f"{where}/ {shown}"))
    return findings
