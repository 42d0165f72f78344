"""The values that flow through a check: what was scanned, and what was found in it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

SEVERITIES = ("off", "warn", "block", "leak")
FAILING_SEVERITIES = frozenset({"block", "leak"})
# How sure a rule is that what it matched is an assistant's: an exact address, login or id
# (high), a product or model name with no person behind it (medium), a convention people
# copy (low). The policy's `block_confidence` is the lowest that may fail a check.
CONFIDENCES = ("low", "medium", "high")
# A rule's id: letters, then three digits (AIC101, ORG001).
RULE_ID = re.compile(r"[A-Z][A-Z0-9]{1,9}[0-9]{3}\Z")
# GitHub's no-reply address of an account: `<login>@` or `<id>+<login>@users.noreply...`.
_NOREPLY = re.compile(r"(?:\d+\+)?([^@]+)@users\.noreply\.github\.com\Z")


def noreply_login(email: str) -> str | None:
    """The GitHub login of a users.noreply.github.com address; None for any other."""
    match = _NOREPLY.match(email)
    return match.group(1) if match else None


@dataclass(frozen=True)
class PathChange:
    """A path added or changed in a commit, the index or a tree; `blob` is its new object."""

    path: str
    blob: str
    mode: str


@dataclass(frozen=True)
class Identity:
    """A git identity as written in the commit (free text unless the commit is signed)."""

    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True)
class Reading:
    """Another reading of what a commit object holds (another encoding, every author line,
    every address in them): `how` it was read, the (role, identity) pairs it names, and its
    message (None when it is the one already read)."""

    how: str
    identities: tuple[tuple[str, Identity], ...]
    message: str | None


@dataclass(frozen=True)
class Commit:
    """One commit of a range, with the paths it adds or changes (its combined diff if a merge).
    `readings`: the other readings of an odd commit object (see commit_text)."""

    sha: str
    parents: tuple[str, ...]
    author: Identity
    committer: Identity
    message: str
    changes: tuple[PathChange, ...]
    path_count: int = 0
    committed_at: int = 0  # committer date, seconds since the epoch
    authored_at: int = 0
    readings: tuple[Reading, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One trace of an assistant: which rule matched, where, and on what evidence."""

    rule: str
    assistants: tuple[str, ...]
    kind: str
    severity: str
    evidence: str
    commit: str | None = None
    author: Identity | None = None
    path: str | None = None
    line: int | None = None
    committed_at: int | None = None  # the commit's committer date (an audit judges by it)
    note: str | None = None  # the notes ref whose note on `commit` holds the trace
    pull_request: str | None = None  # "title" or "description": a trace in a pull request
    # The rule's confidence (CONFIDENCES); None until the decision fills it in from the
    # catalog, so a detector sets it only where a finding is surer or less sure than its rule.
    confidence: str | None = None

    @property
    def author_email(self) -> str:
        """The author's e-mail as the commit object holds it, case-folded; "" if none.

        Never mapped through `.mailmap`: the change under review could add one that maps
        its author onto an approved person."""
        return self.author.email.casefold() if self.author else ""


# What may clear a finding: a standing approval, a signed token, a disclosure trailer in
# the commit (the policy's mode), or the policy allowing the assistant.
ClearedWith = Literal["approval", "token", "disclosure", "policy"]


@dataclass(frozen=True)
class Decision:
    """A finding after clearance: `status` is fail, warn, cleared or allowed. `cleared_by`
    says in words who cleared it (or would have); `cleared_with` what kinds of record did,
    for code to read (the words are for people)."""

    finding: Finding
    status: str
    cleared_by: str | None = None
    why: str | None = None  # what the policy's mode asks of a failing or warned finding
    cleared_with: tuple[ClearedWith, ...] = ()


@dataclass
class Coverage:
    """What a check looked at, so that a pass can be told from a scan that saw nothing."""

    source: str
    range: str | None = None
    commits_scanned: int = 0
    paths_scanned: int = 0
    messages_scanned: int = 0
    branches: list[str] = field(default_factory=list)
    shallow: bool = False
    policy: str | None = None
    blobs_read: int = 0
    trust: dict[str, object] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    # Files a rule had to read but could not (a partial clone's blob its remote did not
    # send): {"commit", "path", "blob"} each. Not judged, so the check fails closed.
    unjudged: list[dict[str, str | None]] = field(default_factory=list)
