"""The gits started before the check: the tree listing, which git writes into a memory file
and the check follows, freeing what it has read; the pre-commit hook's diff and branch, which
give what the ordinary reads give. git's failures and untaken reads are handled."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ai_clearance.errors import GitError
from ai_clearance.git import gitio, listing
from conftest import Repo, tree_repo

pytestmark = pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="Linux only (memfd)")


def test_listing_gives_what_git_printed_and_frees_what_was_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = tree_repo(tmp_path / "repo", 3000)
    monkeypatch.setattr(listing, "_FREE_STEP", 1 << 14)
    started = listing.TreeListing(str(tmp_path / "repo"), "main")
    buffer = bytearray(1000)  # far less than git writes at a time
    got = bytearray()
    allocated_at_end = -1
    with started.output() as stream, memoryview(buffer) as view:
        while size := stream.readinto(view):
            got += buffer[:size]
            if len(got) == len(expected):
                allocated_at_end = os.fstat(started._file).st_blocks * 512
    assert bytes(got) == expected
    assert len(expected) > 10 * (1 << 14)
    # Only the part read since the last step is still held (blocks are 512 bytes).
    assert 0 <= allocated_at_end <= (1 << 14) + 4096


def _listing_of(path: Path, rev: str = "main") -> tuple[listing.TreeListing, bytes]:
    started = listing.TreeListing(str(path), rev)
    got = bytearray()
    with started.output() as stream, memoryview(bytearray(1 << 16)) as view:
        while size := stream.readinto(view):
            got += view[:size]
    return started, bytes(got)


def _path_with(tmp_path: Path, stdbuf: str | None, with_git: bool = True) -> str:
    """A PATH that has git (or not) and, if given, a `stdbuf` script with that body."""
    tools = tmp_path / "bin"
    tools.mkdir()
    real_git = shutil.which("git")
    assert real_git is not None
    if with_git:
        (tools / "git").symlink_to(real_git)
    if stdbuf is not None:
        (tools / "stdbuf").write_text(f"#!/bin/sh\n{stdbuf}\n", encoding="utf-8")
        (tools / "stdbuf").chmod(0o755)
    return str(tools)


def test_the_listing_goes_through_stdbuf_with_a_large_buffer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = tree_repo(tmp_path / "repo", 2000)
    real = shutil.which("stdbuf")
    assert real is not None, "coreutils' stdbuf is part of this suite's test environment"
    log = tmp_path / "stdbuf-args"
    monkeypatch.setenv("PATH", _path_with(tmp_path, f'echo "$@" > {log}; exec {real} "$@"'))
    started, got = _listing_of(tmp_path / "repo")
    assert got == expected and started._via_stdbuf
    assert log.read_text(encoding="utf-8").split()[:4] == ["-o1M", "git", "-C",
                                                           str(tmp_path / "repo")]


def test_without_stdbuf_git_lists_alone(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    expected = tree_repo(tmp_path / "repo", 300)
    monkeypatch.setenv("PATH", _path_with(tmp_path, None))
    started, got = _listing_of(tmp_path / "repo")
    assert got == expected and not started._via_stdbuf


def test_a_stdbuf_that_fails_is_left_out(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    expected = tree_repo(tmp_path / "repo", 300)
    broken = "echo 'stdbuf: failed to find libstdbuf.so' >&2; exit 125"
    monkeypatch.setenv("PATH", _path_with(tmp_path, broken))
    started, got = _listing_of(tmp_path / "repo")
    assert got == expected and not started._via_stdbuf
    # git's own failure is reported, not stdbuf's.
    with pytest.raises(GitError, match=r"^git ls-tree failed: Not a valid object name nope$"):
        _listing_of(tmp_path / "repo", "nope")


def test_no_git_at_all_is_a_git_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree_repo(tmp_path / "repo", 3)
    no_git = "echo \"stdbuf: failed to run command 'git'\" >&2; exit 127"
    monkeypatch.setenv("PATH", _path_with(tmp_path, no_git, with_git=False))
    with pytest.raises(GitError, match=r"^git ls-tree failed: cannot run git: No such file"):
        _listing_of(tmp_path / "repo")


def test_tree_entries_read_a_started_listing(tmp_path: Path) -> None:
    expected = tree_repo(tmp_path / "repo", 500)
    repo = gitio.discover(str(tmp_path / "repo"))
    counter = [0]
    started = listing.TreeListing(str(tmp_path / "repo"), "main")
    entries = list(gitio.tree_entries(repo, "main", None, counter, started))
    assert [path.encode("utf-8", "surrogateescape") for path, _ in entries] == [
        entry.partition(b"\t")[2] for entry in expected.split(b"\0")[:-1]]
    assert counter[0] == 500


def test_git_failing_is_a_git_error_with_its_message(tmp_path: Path) -> None:
    tree_repo(tmp_path / "repo", 3)
    started = listing.TreeListing(str(tmp_path / "repo"), "no-such-rev")
    failure = "git ls-tree failed: Not a valid object name no-such-rev"
    with pytest.raises(GitError, match=failure), started.output() as stream:
        assert stream.readinto(memoryview(bytearray(100))) == 0


def test_listings_no_check_took_are_stopped(tmp_path: Path) -> None:
    tree_repo(tmp_path / "repo", 20000)
    listing.start_tree_listing(str(tmp_path / "repo"), "main")
    assert listing.started_tree_listing(str(tmp_path / "repo"), "HEAD~1") is None
    assert listing.started_tree_listing("elsewhere", "main") is None
    pid = listing._started[0]._pid
    listing.stop_untaken()
    assert listing._started == []
    with pytest.raises(ChildProcessError):  # git has ended and was waited for
        os.waitpid(pid, os.WNOHANG)


def test_a_listing_read_in_part_stops_git(tmp_path: Path) -> None:
    tree_repo(tmp_path / "repo", 20000)
    listing.start_tree_listing(str(tmp_path / "repo"), "main")
    started = listing.started_tree_listing(str(tmp_path / "repo"), "main")
    assert started is not None and listing._started == []
    with pytest.raises(RuntimeError, match="stopped reading"), started.output() as stream:
        assert stream.readinto(memoryview(bytearray(100))) == 100
        raise RuntimeError("stopped reading")
    with pytest.raises(ChildProcessError):
        os.waitpid(started._pid, os.WNOHANG)


def _staged_scan(started: bool, cwd: Path) -> tuple[bytes, str | None]:
    found = gitio.discover(str(cwd))
    if started:
        listing.start_staged_reads(str(cwd))
        reads = listing.started_staged_reads(str(cwd))
        assert reads is not None and listing._staged == {}
        return gitio.StagedPrefetch(found, reads).result()
    return gitio.StagedPrefetch(found).result()


def test_staged_reads_started_early_give_what_the_thread_reads(repo: Repo) -> None:
    repo.commit("Initial commit", "README.md")
    repo.write("src/naïve/CLAUDE.md")
    repo.write("src/x.py")
    repo.git("add", "src")
    (repo.path / "src" / "link").symlink_to("../.claude/settings.json")
    repo.git("add", "src/link")
    # From a subfolder, where diff.relative would cut the paths of a plain diff-index.
    repo.git("config", "diff.relative", "true")
    early = _staged_scan(True, repo.path / "src")
    late = _staged_scan(False, repo.path / "src")
    assert early == late
    raw, branch = early
    assert branch == "refs/heads/main"
    assert raw.split(b"\0")[1::2][:3] == [b"src/link", "src/naïve/CLAUDE.md".encode(),
                                          b"src/x.py"]


def test_staged_reads_before_the_first_commit_and_on_a_detached_head(repo: Repo) -> None:
    repo.write("AGENTS.md")
    repo.git("add", "AGENTS.md")
    raw, branch = _staged_scan(True, repo.path)
    assert raw.endswith(b"\0AGENTS.md\0") and branch == "refs/heads/main"
    repo.commit("First", "AGENTS.md")
    repo.git("checkout", "-q", "--detach")
    repo.write("GEMINI.md")
    repo.git("add", "GEMINI.md")
    assert _staged_scan(True, repo.path) == (
        _staged_scan(False, repo.path)[0], None)


def test_staged_reads_no_check_took_are_stopped(repo: Repo) -> None:
    repo.commit("Initial commit", "README.md")
    listing.start_staged_reads(str(repo.path))
    assert listing.started_staged_reads("elsewhere") is None
    pids = [early._pid for early in listing._staged[str(repo.path)]]
    listing.stop_untaken()
    assert listing._staged == {}
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_the_files_hook_reads_the_same_with_its_reads_started_early(repo: Repo) -> None:
    repo.commit("Initial commit", "README.md")
    repo.write(".cursor/rules/a.mdc")
    repo.git("add", ".cursor")
    early_code = ("import sys; from ai_clearance.integrations.hook_files import main; "
                  "sys.exit(main(['--format', 'json']))")
    late_code = ("import sys; from ai_clearance.check import hook_request, run; "
                 "sys.exit(run(hook_request(['--format', 'json'], 'x', 'staged')[0]))")
    early, late = (subprocess.run([sys.executable, "-c", code], cwd=repo.path,
                                  capture_output=True, text=True, check=False)
                   for code in (early_code, late_code))
    assert early.returncode == late.returncode == 1, early.stderr + late.stderr
    assert early.stdout == late.stdout
    assert [f["path"] for f in json.loads(early.stdout)["findings"]] == [".cursor/rules/a.mdc"]
