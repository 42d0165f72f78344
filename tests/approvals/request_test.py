"""A developer's request, signed as asked by `approve --request`: the whole flow with real
keys, real commits and the installed CLI."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import MAINTAINER, Repo, make_key, run_cli, signer_line

DEV = "dev@example.com"


@pytest.fixture
def base(clean_repo: Repo, tmp_path: Path) -> tuple[Repo, Path]:
    """main trusts one maintainer; the developer's git config says who they are."""
    key = make_key(tmp_path, "maint")
    clean_repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clean_repo.commit("maintainers", ".ai-clearance/maintainers")
    clean_repo.git("config", "user.email", DEV)
    return clean_repo, key


def _request(repo: Repo, *args: str) -> Path:
    made = run_cli("request", "--assistant", "claude", "--reason", "pilot SEC-1", *args,
                   cwd=repo.path)
    assert made.returncode == 0, made.stderr
    assert "next: commit it on a branch of its own and open a pull request" in made.stdout
    return repo.path / made.stdout.split()[1]


def _approve(repo: Repo, key: Path, *args: str,
             stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("approve", "--key", str(key), "--signer", MAINTAINER, *args, cwd=repo.path,
                   stdin=stdin)


def test_request_then_approve_signs_exactly_what_was_asked(base: tuple[Repo, Path]) -> None:
    repo, key = base
    request_file = _request(repo, "--path", "CLAUDE.md", "--days", "10")
    asked = json.loads(request_file.read_text("utf-8"))
    assert asked["author"] == DEV and asked["assistants"] == ["claude"]
    assert asked["paths"] == ["CLAUDE.md"] and asked["days"] == 10
    approved = run_cli("approve", "--key", str(key), "--signer", MAINTAINER, "--request",
                       str(request_file.relative_to(repo.path)), "--yes", cwd=repo.path)
    assert approved.returncode == 0, approved.stderr
    assert f"author:     {DEV}" in approved.stderr and "reason:     pilot SEC-1" in approved.stderr
    assert "next: commit it to the protected branch" in approved.stdout
    assert not request_file.exists()  # the request is answered
    record = next((repo.path / ".ai-clearance" / "approvals").glob("apv-*.json"))
    payload = json.loads(record.read_text("utf-8"))["approval"]
    assert payload["authors"] == [DEV] and payload["assistants"] == ["claude"]
    assert payload["paths"] == ["CLAUDE.md"] and payload["reason"] == "pilot SEC-1"
    start = datetime.strptime(payload["valid_from"], "%Y-%m-%dT%H:%M:%SZ")
    end = datetime.strptime(payload["valid_until"], "%Y-%m-%dT%H:%M:%SZ")
    assert end - start == timedelta(days=10)
    assert abs(start.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)) < \
        timedelta(hours=1)


def test_the_flow_clears_the_developers_change_once_merged(base: tuple[Repo, Path]) -> None:
    repo, key = base
    trusted = repo.head()
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("Add memory", "CLAUDE.md", author=("Dev", DEV))
    assert run_cli("check", "--range", f"{trusted}..feature", "--trust-ref", "main",
                   cwd=repo.path).returncode == 1
    line = run_cli("request", "--assistant", "claude", "--reason", "memory file", "--print",
                   cwd=repo.path)
    assert line.returncode == 0 and line.stdout.startswith("aic-request1.")
    assert "ai-clearance approve --request LINE" in line.stderr
    repo.git("checkout", "-q", "main")
    approved = _approve(repo, key, "--request", line.stdout.strip(), "--yes")
    assert approved.returncode == 0, approved.stderr
    repo.git("add", ".ai-clearance")
    repo.git("commit", "-q", "--no-verify", "-m", "Approve dev")
    after = run_cli("check", "--range", f"{trusted}..feature", "--trust-ref", "main",
                    cwd=repo.path)
    assert after.returncode == 0, after.stdout


@pytest.mark.parametrize("extra", [("--author", "x@example.com"), ("--assistant", "cursor"),
                                   ("--expires", "90d"), ("--reason", "other"),
                                   ("--path", "*.md")])
def test_approve_request_takes_no_other_scope(base: tuple[Repo, Path],
                                              extra: tuple[str, str]) -> None:
    repo, key = base
    request_file = _request(repo)
    result = _approve(repo, key, "--request", str(request_file), "--yes", *extra)
    assert result.returncode == 2 and f"drop {extra[0]}" in result.stderr
    assert request_file.exists()


def test_approve_request_asks_before_signing(base: tuple[Repo, Path]) -> None:
    repo, key = base
    request_file = _request(repo)
    result = _approve(repo, key, "--request", str(request_file), stdin="")
    assert result.returncode == 2 and "give --yes" in result.stderr
    assert not (repo.path / ".ai-clearance" / "approvals").exists()


@pytest.mark.parametrize("content", [
    "{}", "not json", '{"type": "ai-clearance/request", "version": 1}', "aic-request1.!!!",
    "x" * 70000,
])
def test_hostile_requests_are_one_line_errors(base: tuple[Repo, Path], tmp_path: Path,
                                              content: str) -> None:
    repo, key = base
    bad = tmp_path / "bad.json"
    bad.write_text(content, "utf-8")
    result = _approve(repo, key, "--request", str(bad), "--yes")
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_widened_request_line_is_refused(base: tuple[Repo, Path]) -> None:
    repo, key = base
    request_file = _request(repo)
    asked = json.loads(request_file.read_text("utf-8"))
    asked["days"] = 100000
    request_file.write_text(json.dumps(asked), "utf-8")
    result = _approve(repo, key, "--request", str(request_file), "--yes")
    assert result.returncode == 2 and "'days'" in result.stderr


@pytest.mark.parametrize(("args", "why"), [
    (("--assistant", "clade", "--reason", "r"), "unknown assistant"),
    (("--assistant", "claude", "--reason", " "), "--reason is empty"),
    (("--assistant", "claude", "--reason", "r", "--path", "[z-a]"), "--path"),
    (("--assistant", "claude", "--reason", "r", "--days", "0"), "--days"),
])
def test_request_refuses_what_could_not_be_signed(base: tuple[Repo, Path],
                                                  args: tuple[str, ...], why: str) -> None:
    repo, _ = base
    result = run_cli("request", *args, cwd=repo.path)
    assert result.returncode == 2 and why in result.stderr
    assert not (repo.path / ".ai-clearance" / "requests").exists()


def test_request_needs_the_developers_address(clean_repo: Repo) -> None:
    result = run_cli("request", "--assistant", "claude", "--reason", "r", cwd=clean_repo.path)
    assert result.returncode == 2 and "git config user.email" in result.stderr


def test_a_fifo_request_is_refused_not_waited_on(base: tuple[Repo, Path], tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    repo, key = base
    fifo = tmp_path / "request.fifo"
    os.mkfifo(fifo)
    result = _approve(repo, key, "--request", str(fifo), "--yes")
    assert result.returncode == 2 and "not a regular file" in result.stderr


def test_a_request_committed_on_the_developers_branch_is_signed_from_main(
        base: tuple[Repo, Path]) -> None:
    """The maintainer stays on main and names the request as REV:PATH: nothing is checked
    out, and the file on the developer's branch is left as it is."""
    repo, key = base
    repo.git("checkout", "-q", "-b", "ask")
    request_file = _request(repo, "--days", "7")
    relative = request_file.relative_to(repo.path).as_posix()
    repo.git("add", relative)
    repo.git("commit", "-q", "--no-verify", "-m", "Ask for claude")
    repo.git("checkout", "-q", "main")
    assert not request_file.exists()
    approved = _approve(repo, key, "--request", f"ask:{relative}", "--yes")
    assert approved.returncode == 0, approved.stderr
    record = next((repo.path / ".ai-clearance" / "approvals").glob("apv-*.json"))
    payload = json.loads(record.read_text("utf-8"))["approval"]
    assert payload["authors"] == [DEV] and payload["reason"] == "pilot SEC-1"
    assert repo.git("cat-file", "-e", f"ask:{relative}").returncode == 0


@pytest.mark.parametrize("source", ["nosuchbranch:.ai-clearance/requests/x.json",
                                    "main:.ai-clearance/requests/none.json",
                                    "main:.ai-clearance", "-x:y", "main:"])
def test_a_request_named_by_revision_that_is_not_there_is_a_one_line_error(
        base: tuple[Repo, Path], source: str) -> None:
    repo, key = base
    result = _approve(repo, key, "--request", source, "--yes")
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (repo.path / ".ai-clearance" / "approvals").exists()


def test_approvals_list_shows_open_requests_and_not_answered_ones(
        base: tuple[Repo, Path]) -> None:
    """Approved from main by REV:PATH, the request file stays on the developer's branch;
    once main's approval is merged there, `approvals list` no longer lists it as open."""
    repo, key = base
    repo.git("checkout", "-q", "-b", "ask")
    request_file = _request(repo, "--path", "docs/**")
    relative = request_file.relative_to(repo.path).as_posix()
    repo.git("add", relative)
    repo.git("commit", "-q", "--no-verify", "-m", "Ask for claude")
    listed = run_cli("approvals", "list", cwd=repo.path)
    asked = [ln for ln in listed.stdout.splitlines() if ln.startswith("open request ")]
    assert listed.returncode == 0 and asked == [
        f"open request {request_file.stem}: {DEV} asks for claude on docs/**, 30 days; a "
        f"maintainer runs: ai-clearance approve --request {relative}"], listed.stdout
    repo.git("checkout", "-q", "main")
    assert _approve(repo, key, "--request", f"ask:{relative}", "--yes").returncode == 0
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", "Approve dev")
    repo.git("checkout", "-q", "ask")
    repo.git("merge", "-q", "--no-verify", "--no-edit", "main")
    assert request_file.exists()
    listed = run_cli("approvals", "list", cwd=repo.path)
    assert listed.returncode == 0 and "approval  active" in listed.stdout
    assert "request" not in listed.stdout, listed.stdout


def test_a_request_an_approval_does_not_match_stays_open(base: tuple[Repo, Path]) -> None:
    # Another approval of the same developer (a different scope) answers nothing.
    repo, key = base
    request_file = _request(repo, "--path", "docs/**")
    made = _approve(repo, key, "--author", DEV, "--assistant", "claude", "--expires", "30d",
                    "--reason", "pilot SEC-1")
    assert made.returncode == 0, made.stderr
    listed = run_cli("approvals", "list", cwd=repo.path)
    assert f"open request {request_file.stem}: " in listed.stdout
    broken = repo.write(".ai-clearance/requests/req-20260101-00000000.json", "{}\n")
    listed = run_cli("approvals", "list", cwd=repo.path)
    assert listed.returncode == 0
    assert f"unreadable request .ai-clearance/requests/{broken.name}: " in listed.stdout
