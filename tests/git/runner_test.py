"""The one git runner: to completion, streamed, and as a cat-file batch, with the tool's
environment, through the real git."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ai_clearance.errors import GitError
from ai_clearance.git import runner
from conftest import Repo, git


def test_run_gives_the_output_and_failures_are_one_line(clean_repo: Repo) -> None:
    cwd = str(clean_repo.path)
    assert runner.run(["rev-parse", "--is-inside-work-tree"], cwd) == b"true\n"
    with pytest.raises(GitError) as raised:
        runner.run(["rev-parse", "--verify", "no-such-rev"], cwd)
    assert str(raised.value) == "git rev-parse failed: Needed a single revision"
    assert runner.run(["config", "--get", "no.such"], cwd, ok_codes=(0, 1)) == b""


def test_a_folder_that_is_not_there_is_gits_own_error(tmp_path: Path) -> None:
    code, _, errors = runner.completed(["status"], str(tmp_path / "missing"))
    assert code == 128 and "cannot change to" in runner.first_line(errors)


def test_every_git_gets_the_overrides(clean_repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                      ) -> None:
    monkeypatch.setenv("GIT_OPTIONAL_LOCKS", "1")
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    out = runner.run(["var", "-l"], str(clean_repo.path))
    env = runner.git_env({"EXTRA": "x"})
    assert env["GIT_OPTIONAL_LOCKS"] == "0" and env["LC_ALL"] == "C" and env["EXTRA"] == "x"
    assert env["GIT_NO_REPLACE_OBJECTS"] == "1" and env["GIT_GRAFT_FILE"] == os.devnull
    assert out  # git ran with that environment


def _big_tree(path: Path, entries: int) -> str:
    """A repository holding one tree of `entries` files (made with mktree: no work tree)."""
    git(path.parent, "init", "-q", "-b", "main", str(path))
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=path, input="x\n",
                          capture_output=True, text=True, check=True).stdout.strip()
    listing = "".join(f"100644 blob {blob}\tf{i}\n" for i in range(entries))
    return subprocess.run(["git", "mktree"], cwd=path, input=listing, capture_output=True,
                          text=True, check=True).stdout.strip()


def test_stream_reads_what_git_writes_and_reports_failure(tmp_path: Path) -> None:
    tree = _big_tree(tmp_path / "r", 3000)
    with runner.stream(["ls-tree", "-z", "--name-only", tree], str(tmp_path / "r"),
                       "ls-tree") as out:
        listed = out.read()
    assert listed is not None
    assert sorted(listed.decode().split("\0")[:-1]) == sorted(f"f{i}" for i in range(3000))
    with pytest.raises(GitError, match="git ls-tree failed: Not a valid object name nope"), \
            runner.stream(["ls-tree", "nope"], str(tmp_path / "r"), "ls-tree") as out:
        out.read()


def test_a_reader_that_stops_early_stops_git(tmp_path: Path) -> None:
    """Closing the pipe ends git (it dies of the closed pipe) and it is waited for: nothing
    is left running, and a listing cut short is never taken for a whole one."""
    tree = _big_tree(tmp_path / "r", 200_000)
    with pytest.raises(GitError, match="ls-tree failed"), \
            runner.stream(["ls-tree", tree], str(tmp_path / "r"), "ls-tree") as out:
        assert out.read(4096)


def test_a_batch_answers_in_the_order_asked(clean_repo: Repo) -> None:
    cwd = str(clean_repo.path)
    head = runner.run(["rev-parse", "HEAD"], cwd).decode().strip()
    tree = runner.run(["rev-parse", "HEAD^{tree}"], cwd).decode().strip()
    with runner.Batch(cwd) as batch:
        batch.ask([tree, head.encode()])
        assert batch.answers.readline().split()[:2] == [tree.encode(), b"tree"]
    # Closed with an answer unread: git stops on the closed pipe and is waited for.
