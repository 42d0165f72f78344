"""Git notes on the commits in scope are read like their messages: history and range checks
judge the notes of every notes ref, whatever the notes tree's fan-out, and a trace in a note
is the annotated commit's, attributed to its author."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_clearance.errors import GitError
from ai_clearance.git import gitio
from conftest import HUMAN, Repo, run_cli

MALLORY = ("Mallory", "mallory@example.com")
AGENT_NOTE = "Co-Authored-By: Helper <noreply@anthropic.com>"


def _check(repo: Repo, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("check", *args, "--format", "json", cwd=repo.path)
    assert result.returncode in (0, 1), result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return result.returncode, findings


def _note(repo: Repo, ref: str, commit: str, text: str) -> None:
    repo.git("notes", f"--ref={ref}", "add", "-f", "-m", text, commit)


def _fanned_out_note(repo: Repo, ref: str, commit: str, text: str) -> None:
    """A note stored as git stores many: under `ab/cdef...` (a fan-out folder)."""
    path = repo.path / "note.txt"
    path.write_text(text + "\n", encoding="utf-8")
    blob = repo.git("hash-object", "-w", str(path)).stdout.strip()
    path.unlink()
    inner = _mktree(repo, f"100644 blob {blob}\t{commit[2:]}\n")
    outer = _mktree(repo, f"040000 tree {inner}\t{commit[:2]}\n")
    notes = repo.git("commit-tree", outer, "-m", "Notes").stdout.strip()
    repo.git("update-ref", ref, notes)


def _mktree(repo: Repo, listing: str) -> str:
    import subprocess

    return subprocess.run(["git", "mktree"], cwd=repo.path, input=listing, text=True,
                          capture_output=True, check=True).stdout.strip()


# name -> (notes ref, note text, fanned out, rule expected ("" none))
CASES: dict[str, tuple[str, str, bool, str]] = {
    "default notes ref": ("refs/notes/commits", AGENT_NOTE, False, "AIC401"),
    "a tool's notes ref": ("refs/notes/review", f"Reviewed\n\n{AGENT_NOTE}\n", False, "AIC401"),
    "a fan-out notes tree": ("refs/notes/commits", AGENT_NOTE, True, "AIC401"),
    "a marker in a note": ("refs/notes/build",
                           "\U0001f916 Generated with [Claude Code](https://claude.com)", False,
                           "AIC410"),
    "a disguised address in a note": ("refs/notes/commits",
                                      "Co-Authored-By: Helper <noreply%40anthropic.com>", False,
                                      "AIC401"),
    "a person's note": ("refs/notes/commits",
                        "Reviewed-by: Claude Monet <claude@example.com>\nTested on arm64", False,
                        ""),
    "a release bot's note": ("refs/notes/commits",
                             "Released in v1.2 by github-actions[bot]", True, ""),
}


@pytest.mark.parametrize("name", list(CASES))
def test_history_judges_notes(repo: Repo, name: str) -> None:
    ref, text, fanned, rule = CASES[name]
    repo.commit("Initial commit", "README.md")
    noted = repo.commit("Fix the parser", "a.txt", author=MALLORY)
    (_fanned_out_note if fanned else _note)(repo, ref, noted, text)
    # git itself reads the note as the commit's (whatever the tree's layout).
    assert repo.git("notes", f"--ref={ref}", "show", noted).stdout.rstrip("\n") == \
        text.rstrip("\n")
    code, findings = _check(repo, "--history")
    if not rule:
        assert code == 0 and findings == []
        return
    assert code == 1
    [found] = findings
    assert found["rule"] == rule and found["commit"] == noted
    assert found["author"] == f"{MALLORY[0]} <{MALLORY[1]}>"  # the annotated commit's author
    assert found["evidence"].startswith(f"note in {ref}: ")


def test_range_judges_only_the_notes_of_its_commits(repo: Repo) -> None:
    old = repo.commit("Initial commit", "README.md")
    _note(repo, "refs/notes/commits", old, AGENT_NOTE)
    new = repo.commit("Fix", "a.txt")
    code, findings = _check(repo, "--range", f"{old}..{new}")
    assert (code, findings) == (0, [])
    _note(repo, "refs/notes/commits", new, AGENT_NOTE)
    code, findings = _check(repo, "--range", f"{old}..{new}")
    assert code == 1 and [f["commit"] for f in findings] == [new]
    assert findings[0]["author"] == f"{HUMAN[0]} <{HUMAN[1]}>"


def test_notes_are_read_in_one_call_per_ref(repo: Repo) -> None:
    """The notes index has every note of a ref, read by one ls-tree (not one call per
    commit), and the notes refs are listed by one for-each-ref."""
    shas = [repo.commit(f"c{i}", allow_empty=True) for i in range(5)]
    for sha in shas:
        _note(repo, "refs/notes/commits", sha, f"note {sha}")
    found = gitio.notes_of(gitio.discover(str(repo.path)), "refs/notes/commits")
    assert set(found) == set(shas)
    assert gitio.notes_refs(gitio.discover(str(repo.path))) == ["refs/notes/commits"]


def test_a_note_too_large_to_judge_fails_closed(repo: Repo) -> None:
    """A note past the size judged is a one-line git error, never a pass or a cut."""
    sha = repo.commit("Initial commit", "README.md")
    here = gitio.discover(str(repo.path))
    _note(repo, "refs/notes/commits", sha, "x" * 10)
    blob = gitio.notes_of(here, "refs/notes/commits")[sha]
    assert gitio.read_texts(here, [blob], 10) == {blob: "x" * 10}
    with pytest.raises(GitError, match="too large to judge"):
        gitio.read_texts(here, [blob], 9)
