"""The ways forward a failing report prints work as printed: its request lines, approved with
`approve --request` and merged, make the developer's check pass; its approve lines run as
pasted. Real keys, real commits, the installed CLI."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from conftest import AI_CLEARANCE, MAINTAINER, Repo, make_key, run_cli, signer_line

DEV = "dev@example.com"
TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"
CLAUDE_FILES = (".claude/settings.json", ".claude/settings.local.json",
                ".claude/commands/review.md")


@pytest.fixture
def failing(clean_repo: Repo, tmp_path: Path) -> tuple[Repo, Path, str, list[str]]:
    """main trusts one maintainer; `feature` adds .claude/ files (one a leak) with a Claude
    trailer. The trusted commit, and the lines of the failing report."""
    key = make_key(tmp_path, "maint")
    clean_repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clean_repo.commit("maintainers", ".ai-clearance/maintainers")
    trusted = clean_repo.head()
    clean_repo.git("config", "user.email", DEV)
    clean_repo.git("checkout", "-q", "-b", "feature")
    clean_repo.commit(f"Add settings\n\n{TRAILER}\n", *CLAUDE_FILES, author=("Dev", DEV))
    checked = run_cli("check", "--range", f"{trusted}..feature", "--trust-ref", "main",
                      cwd=clean_repo.path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    return clean_repo, key, trusted, checked.stdout.splitlines()


def _printed(lines: list[str], command: str) -> list[str]:
    return [ln.strip() for ln in lines if ln.strip().startswith(f"ai-clearance {command} ")]


def _run(command: str, repo: Repo, *extra: str) -> subprocess.CompletedProcess[str]:
    """A printed command, run as a user pasting it would (no terminal to ask on)."""
    argv = shlex.split(command)
    return subprocess.run([AI_CLEARANCE, *argv[1:], *extra], cwd=repo.path, text=True,
                          capture_output=True, check=False, stdin=subprocess.DEVNULL)


def test_the_printed_requests_once_approved_and_merged_make_the_check_pass(
        failing: tuple[Repo, Path, str, list[str]]) -> None:
    repo, key, trusted, lines = failing
    requests = _printed(lines, "request")
    # The leak is cleared only by an approval naming its path: a request of its own asks it.
    assert requests == [
        "ai-clearance request --assistant claude --reason 'WHY' --print",
        "ai-clearance request --assistant claude --path .claude/settings.local.json "
        "--reason 'WHY' --print"]
    asked = []
    for request in requests:
        made = _run(request.replace("'WHY'", "'Claude Code pilot, SEC-9'"), repo)
        assert made.returncode == 0 and made.stdout.startswith("aic-request1."), made.stderr
        asked.append(made.stdout.strip())
    repo.git("checkout", "-q", "main")
    for line in asked:
        approved = run_cli("approve", "--key", str(key), "--signer", MAINTAINER, "--request",
                           line, "--yes", cwd=repo.path)
        assert approved.returncode == 0, approved.stderr
    repo.git("add", ".ai-clearance")
    repo.git("commit", "-q", "--no-verify", "-m", "Approve dev for Claude Code")
    after = run_cli("check", "--range", f"{trusted}..feature", "--trust-ref", "main",
                    cwd=repo.path)
    assert after.returncode == 0, after.stdout
    assert "ai-clearance: PASS: 0 unapproved" in after.stdout


def test_one_request_alone_leaves_the_leak_unapproved(
        failing: tuple[Repo, Path, str, list[str]]) -> None:
    # Why the second request line is printed: without it the check still fails.
    repo, key, trusted, lines = failing
    made = _run(_printed(lines, "request")[0], repo)
    repo.git("checkout", "-q", "main")
    assert run_cli("approve", "--key", str(key), "--signer", MAINTAINER, "--request",
                   made.stdout.strip(), "--yes", cwd=repo.path).returncode == 0
    repo.git("add", ".ai-clearance")
    repo.git("commit", "-q", "--no-verify", "-m", "Approve dev for Claude Code")
    after = run_cli("check", "--range", f"{trusted}..feature", "--trust-ref", "main",
                    cwd=repo.path)
    assert after.returncode == 1 and "ai-clearance: FAIL: 1 unapproved" in after.stdout


def test_the_printed_approve_commands_run_as_pasted(
        failing: tuple[Repo, Path, str, list[str]]) -> None:
    repo, key, trusted, lines = failing
    approves = _printed(lines, "approve")
    assert len(approves) == 2 and all(a.endswith(" --reason 'WHY'") for a in approves)
    repo.git("checkout", "-q", "main")
    for command in approves:
        ran = _run(command, repo, "--key", str(key), "--signer", MAINTAINER)
        assert ran.returncode == 0, ran.stdout + ran.stderr
    repo.git("add", ".ai-clearance")
    repo.git("commit", "-q", "--no-verify", "-m", "Approve dev for Claude Code")
    after = run_cli("check", "--range", f"{trusted}..feature", "--trust-ref", "main",
                    cwd=repo.path)
    assert after.returncode == 0, after.stdout
