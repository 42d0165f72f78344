"""The sources that need no stream of commits: a commit message about to be stored, a branch
name and a pull request's text. Kept apart from scan.py so that the commit-msg hook does not
load what ranges and trees need (the workflow and reach readers)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from ai_clearance.approvals.trustfiles import tokens_in_message
from ai_clearance.catalog.rules import Catalog
from ai_clearance.detect.detect import (
    findings_for_branch,
    findings_for_identity,
    findings_for_message,
    findings_for_pr_text,
)
from ai_clearance.git import gitio
from ai_clearance.git.commit_text import stored_messages
from ai_clearance.model import Coverage, Finding


@dataclass
class Scan:
    """Findings of one source and what was covered to get them."""

    findings: list[Finding]
    coverage: Coverage
    head: str | None = None
    tokens: list[tuple[str, str]] = field(default_factory=list)
    # The message source: the texts git may store for the message (see stored_texts).
    messages: list[str] = field(default_factory=list)


def scan_message(repo: gitio.Repo | None, catalog: Catalog, message: str,
                 ignored: frozenset[str]) -> Scan:
    """A commit message about to be committed, with the identities git would record."""
    coverage = Coverage(source="message", messages_scanned=1)
    author = gitio.ident(repo, "author") if repo is not None else None
    texts = stored_texts(message, repo)
    findings = _findings_for_texts(catalog, texts, ignored)
    if repo is not None:
        committer = gitio.ident(repo, "committer")
        for role, who in (("author", author), ("committer", committer)):
            if who is not None:
                findings.extend(findings_for_identity(catalog, who, role, ignored))
    tokens = [(t, "commit message") for t in tokens_in_message(message)]
    return Scan([replace(f, author=author) for f in findings], coverage,
                tokens=tokens, messages=texts)


def stored_texts(message: str, repo: gitio.Repo | None) -> list[str]:
    """The text git will store for a message file: cleaned by the mode and comment
    character of the `git commit` running the hook, or (when its command line cannot be
    read) each text a mode would store. git sets GIT_EDITOR=: for the hook when no editor
    ran."""
    return stored_messages(message, gitio.commit_cleanup_config(repo),
                           gitio.committing_command(), os.environ.get("GIT_EDITOR") != ":")


def _findings_for_texts(catalog: Catalog, texts: list[str],
                        ignored: frozenset[str]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for text in texts:
        for finding in findings_for_message(catalog, text, ignored):
            if (finding.rule, finding.evidence) not in seen:
                seen.add((finding.rule, finding.evidence))
                findings.append(finding)
    return findings


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
