"""The tree listing started before the check: git writes into a memory file, the check
follows it and frees what it has read; git's failures and unread listings are handled."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ai_clearance import gitio, listing
from ai_clearance.errors import GitError
from conftest import git

pytestmark = pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="Linux only (memfd)")


def _tree_repo(path: Path, files: int) -> bytes:
    """A repository whose main branch has `files` paths; returns git's own listing of it."""
    git(path.parent, "init", "-q", "-b", "main", str(path))
    out = [b"commit refs/heads/main\n", b"committer Jane <j@example.com> 1700000000 +0000\n",
           b"data 4\ntree\n"]
    for n in range(files):
        name = f"src/m{n % 13}/{'é' if n % 97 == 0 else ''}file{n}.py".encode()
        out.append(b"M 100644 inline %s\ndata %d\n%d\n" % (name, len(str(n)) + 1, n))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(out), check=True)
    return subprocess.run(["git", "ls-tree", "-r", "-z", "--full-tree", "main"], cwd=path,
                          capture_output=True, check=True).stdout


def test_listing_gives_what_git_printed_and_frees_what_was_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _tree_repo(tmp_path / "repo", 3000)
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


def test_tree_entries_read_a_started_listing(tmp_path: Path) -> None:
    expected = _tree_repo(tmp_path / "repo", 500)
    repo = gitio.discover(str(tmp_path / "repo"))
    counter = [0]
    started = listing.TreeListing(str(tmp_path / "repo"), "main")
    entries = list(gitio.tree_entries(repo, "main", None, counter, started))
    assert [path.encode("utf-8", "surrogateescape") for path, _ in entries] == [
        entry.partition(b"\t")[2] for entry in expected.split(b"\0")[:-1]]
    assert counter[0] == 500


def test_git_failing_is_a_git_error_with_its_message(tmp_path: Path) -> None:
    _tree_repo(tmp_path / "repo", 3)
    started = listing.TreeListing(str(tmp_path / "repo"), "no-such-rev")
    failure = "git ls-tree failed: Not a valid object name no-such-rev"
    with pytest.raises(GitError, match=failure), started.output() as stream:
        assert stream.readinto(memoryview(bytearray(100))) == 0


def test_listings_no_check_took_are_stopped(tmp_path: Path) -> None:
    _tree_repo(tmp_path / "repo", 20000)
    listing.start_tree_listing(str(tmp_path / "repo"), "main")
    assert listing.started_tree_listing(str(tmp_path / "repo"), "HEAD~1") is None
    assert listing.started_tree_listing("elsewhere", "main") is None
    pid = listing._started[0]._pid
    listing.stop_tree_listings()
    assert listing._started == []
    with pytest.raises(ChildProcessError):  # git has ended and was waited for
        os.waitpid(pid, os.WNOHANG)


def test_a_listing_read_in_part_stops_git(tmp_path: Path) -> None:
    _tree_repo(tmp_path / "repo", 20000)
    listing.start_tree_listing(str(tmp_path / "repo"), "main")
    started = listing.started_tree_listing(str(tmp_path / "repo"), "main")
    assert started is not None and listing._started == []
    with pytest.raises(RuntimeError, match="stopped reading"), started.output() as stream:
        assert stream.readinto(memoryview(bytearray(100))) == 100
        raise RuntimeError("stopped reading")
    with pytest.raises(ChildProcessError):
        os.waitpid(started._pid, os.WNOHANG)
