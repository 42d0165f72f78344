"""The fix of each failing finding: the exact command or edit that removes the trace from
what was checked, and keeps it from coming back with the next `git add`. Traces under one
agent folder of one commit share one fix that removes the folder."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from ai_clearance.catalog.rules import Catalog
from ai_clearance.model import Finding

# Where a removed agent file is kept out of the next `git add -A` without a commit: this
# clone's own ignore file (a .gitignore line would itself tell of the assistant).
EXCLUDE = ".git/info/exclude"
# Findings of attribution records: agent lines of a file (or the record itself, unreadable
# or storing a conversation), never a file to remove.
_RECORD_KINDS = ("attribution", "record")


def fix_steps(failing: Sequence[Finding], catalog: Catalog, source: str,
              head: str | None) -> dict[int, str]:
    """The fix of each finding (by `id()`). `source` is what was checked (staged, tree,
    message, range...); `head` is the newest commit checked: a fix there amends it, a fix
    of an older commit rebases."""
    steps = {id(f): next_step(f, source, head) for f in failing}
    folders: dict[tuple[str | None, str], list[Finding]] = {}
    for f in failing:
        rule = catalog.by_id.get(f.rule)
        folder = agent_folder(f.path, rule.path_globs if rule else ()) if f.path else None
        if folder is not None and f.note is None:
            folders.setdefault((f.commit, folder), []).append(f)
    for (commit, folder), found in folders.items():
        if len({f.path for f in found}) > 1:
            step = _removal(folder, True, commit, source, head)
            steps.update((id(f), step) for f in found)
    return steps


def agent_folder(path: str | None, globs: Sequence[str]) -> str | None:
    """The agent folder (`.claude`, `sub/.cursor`) that holds `path`, for a rule whose glob
    is a whole folder (`**/.claude/**`); None for a rule of single files."""
    if path is None:
        return None
    parts = path.split("/")
    for glob in globs:
        match = re.fullmatch(r"(?:\*\*/)?([^*?\[/]+)/\*\*", glob)
        if match is None:
            continue
        name = match.group(1).casefold()
        for index, part in enumerate(parts[:-1]):
            if part.casefold() == name:
                return "/".join(parts[:index + 1])
    return None


def next_step(finding: Finding, source: str, head: str | None) -> str:
    """The fix of one finding on its own."""
    if finding.kind in ("branch", "notes", "session"):
        return _ref_step(finding)
    if finding.note is not None or finding.kind in _RECORD_KINDS:
        return _note_step(finding)
    if finding.pull_request is not None:
        return _pull_request_step(finding)
    if source == "message":
        return _message_step(finding)
    if finding.path is not None:
        return _removal(finding.path, False, finding.commit, source, head)
    return _history_step(finding, head)


def _ref_step(finding: Finding) -> str:
    """Rename the branch here and where it was pushed (the old name stays on the remote
    otherwise, and so does the trace); delete the notes ref, here and there. (A session
    is no ref, but like one it is no line of what was checked.)"""
    if finding.kind == "session" and finding.severity == "warn":
        return ("nothing blocks this commit; disclose the assistant (Assisted-by: ...) if "
                "one helped, or ask for an approval")
    if finding.kind == "session":
        return ("the commit was not made; get an approval for this assistant, or make the "
                "commit yourself outside the agent's session")
    if finding.kind == "notes":
        ref = finding.evidence.removeprefix("ref ")
        if not ref.startswith("refs/"):  # a branch such as entire/checkpoints/v1
            ref = f"refs/heads/{ref}"
        if ref != ref.strip() or "\\" in ref:  # shown escaped: name it, do not run it
            return "git push origin --delete REF; git update-ref -d REF"
        quoted = shlex.quote(ref)
        return f"git push origin --delete {quoted}; git update-ref -d {quoted}"
    name = finding.evidence.removeprefix("branch ")
    if not name or name != name.strip() or "\\" in name:
        return "git branch -m NEW-NAME  (rename the branch, and the pushed one)"
    old = shlex.quote(name)
    return f"git branch -m {old} NEW-NAME && git push -u origin NEW-NAME && " \
           f"git push origin --delete {old}"


def _attribution_step(finding: Finding) -> str:
    """Agent lines an attribution record names: an approval for them, scoped to the file,
    or a record without the conversation (the lines stay the agent's either way)."""
    if finding.path is not None and finding.line is not None:
        glob = shlex.quote(finding.path)
        return f"ask for an approval of {'/'.join(finding.assistants)} for these lines " \
               f"(a maintainer can scope it with --path {glob}), or rewrite them yourself"
    if finding.note is None and finding.path is not None:
        return f"fix or remove the record file {shlex.quote(finding.path)}, then check again"
    if finding.note is None:  # a record beside the commit (an Entire checkpoint)
        return f"ai-clearance explain {finding.rule}  (what the record is, and what to do)"
    ref = shlex.quote(finding.note)
    return f"git notes --ref={ref} edit {(finding.commit or '')[:12]}  (remove what the " \
           f"record says it stores, then push {ref})"


def _removal(path: str, folder: bool, commit: str | None, source: str,
             head: str | None) -> str:
    """Untrack a file or folder (in the commit that added it), then keep it out."""
    recursive = "-r " if folder else ""
    remove = f"git rm {recursive}--cached -- {shlex.quote(path)}"
    keep_out = f"echo {shlex.quote(exclude_line(path, folder))} >> {EXCLUDE}"
    if source in ("staged", "tree"):
        return f"{remove} && {keep_out}"
    if commit is not None and commit == head:
        return f"{remove} && git commit --amend --no-edit && {keep_out}"
    return f"git rebase -i {(commit or '')[:12]}^  (edit that commit: {remove}); " \
           f"then {keep_out}"


def exclude_line(path: str, folder: bool) -> str:
    """A line of an ignore file that matches `path` alone: anchored at the top, with the
    characters gitignore reads specially escaped."""
    escaped = re.sub(r"([\\*?\[!#])", r"\\\1", path)
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return f"/{escaped}/" if folder else f"/{escaped}"


def _pull_request_step(finding: Finding) -> str:
    """A trace in a pull request's text: edit it there (the check runs again on `edited`)."""
    if finding.pull_request == "title":
        return "edit the pull request's title and remove the marker"
    return f"edit the pull request description and remove line {finding.line}"


def _note_step(finding: Finding) -> str:
    """A trace in a git note: edit the note, then push its ref."""
    if finding.kind in _RECORD_KINDS:
        return _attribution_step(finding)
    ref = shlex.quote(finding.note or "")
    return f"git notes --ref={ref} edit {(finding.commit or '')[:12]}  (remove line " \
           f"{finding.line} of the note, then push {ref})"


def _message_step(finding: Finding) -> str:
    """A trace in a commit message not yet committed: change identity or edit the message."""
    if finding.kind == "identity":
        return "commit under your own identity (check user.name, user.email and " \
               "GIT_AUTHOR_*/GIT_COMMITTER_* variables)"
    return f"edit the message and remove line {finding.line}; the commit was not made"


def _history_step(finding: Finding, head: str | None) -> str:
    """A trace in a commit's message or identity: amend the newest commit, or rebase to
    edit an older one."""
    at_head = finding.commit is not None and finding.commit == head
    rebase = f"git rebase -i {(finding.commit or '')[:12]}^"
    if finding.kind == "identity":
        reset = "git commit --amend --reset-author --no-edit"
        return reset if at_head else f"{rebase}  (edit: {reset})"
    if at_head:
        return f"git commit --amend  (remove line {finding.line} of the message)"
    return f"{rebase}  (reword that commit, remove line {finding.line})"
