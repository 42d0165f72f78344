"""The commit stream: whole histories read in batches, the path prefilter run once per batch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.errors import GitError
from ai_clearance.git import gitio, runner
from conftest import git

# Paths that must reach the matcher, spread over the history (a symlink, non-ASCII names,
# an upper-case spelling, a trace folder deep down).
TRACES = {
    37: "CLAUDE.md",
    38: "docs/été/AGENTS.md",
    420: "src/.Cursor/rules/style.mdc",
    777: "a/b/c/d/e/f/.gemini/settings.json",
    1200: "notes/naïve.txt",
    1500: "link-to-settings",
}


def _history(path: Path, commits: int) -> None:
    """A linear history with long messages, so that git's output spans many read batches."""
    git(path.parent, "init", "-q", "-b", "main", str(path))
    out: list[bytes] = []
    for n in range(commits):
        name = TRACES.get(n, f"src/mod{n % 50}/file{n}.py")
        mode = "120000" if name == "link-to-settings" else "100644"
        content = b".claude/settings.json" if mode == "120000" else f"{n}\n".encode()
        message = (f"change {n}\n\n" + "details of the change. " * 40 + "\n").encode()
        out.append(b"commit refs/heads/main\n")
        out.append(b"author Jane Dev <jane@example.com> 1700000000 +0000\n")
        out.append(b"committer Jane Dev <jane@example.com> 1700000000 +0000\n")
        out.append(b"data %d\n%s\n" % (len(message), message))
        out.append(b"M %s inline %s\ndata %d\n%s\n" % (mode.encode(), name.encode(),
                                                       len(content), content))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(out),
                   check=True)


def test_batched_prefilter_keeps_every_commit_whose_paths_a_rule_may_match(
        tmp_path: Path) -> None:
    repo_path = tmp_path / "repo"
    _history(repo_path, 2000)
    repo = gitio.discover(str(repo_path))
    matcher = PathMatcher(load_catalog())
    with_filter = list(gitio.stream_commits(repo, ["main"], prefilter=matcher.region_filter()))
    without = list(gitio.stream_commits(repo, ["main"]))
    assert len(with_filter) == len(without) == 2000
    assert [c.sha for c in with_filter] == [c.sha for c in without]
    # Every path the unfiltered stream gives to the matcher with a hit or a candidate is
    # also in the filtered stream, in the same commit.
    needed = {(c.sha, ch.path) for c in without for ch in c.changes
              if any(matcher.match(ch)) or ch.mode == "120000"}
    kept = {(c.sha, ch.path) for c in with_filter for ch in c.changes}
    assert needed <= kept
    assert {path for _, path in needed} >= {"CLAUDE.md", "src/.Cursor/rules/style.mdc",
                                            "a/b/c/d/e/f/.gemini/settings.json"}
    assert ("docs/été/AGENTS.md" in {p for _, p in kept}
            and "link-to-settings" in {p for _, p in kept})
    # The prefilter is what makes this cheap: most commits keep no paths at all.
    assert sum(1 for c in with_filter if c.changes) < 100
    # Counts do not depend on the filter.
    assert [c.path_count for c in with_filter] == [c.path_count for c in without] == [1] * 2000


def test_path_count_counts_merges_and_empty_commits(tmp_path: Path) -> None:
    repo_path = tmp_path / "repo"
    git(tmp_path, "init", "-q", "-b", "main", str(repo_path))
    (repo_path / "a.txt").write_text("a\n", encoding="utf-8")
    git(repo_path, "add", "a.txt")
    git(repo_path, "commit", "-q", "-m", "one")
    git(repo_path, "commit", "-q", "--allow-empty", "-m", "empty")
    git(repo_path, "checkout", "-q", "-b", "side")
    (repo_path / "b.txt").write_text("b\n", encoding="utf-8")
    (repo_path / ":odd\nname").write_text("c\n", encoding="utf-8")
    git(repo_path, "add", "-A")
    git(repo_path, "commit", "-q", "-m", "side")
    git(repo_path, "checkout", "-q", "main")
    (repo_path / "a.txt").write_text("a2\n", encoding="utf-8")
    git(repo_path, "commit", "-q", "-am", "main")
    git(repo_path, "merge", "-q", "--no-edit", "side")
    repo = gitio.discover(str(repo_path))
    counts = {c.message.split("\n")[0]: c.path_count for c in gitio.stream_commits(repo, ["main"])}
    assert counts["one"] == 1
    assert counts["empty"] == 0
    assert counts["side"] == 2  # a path that starts with ':' and holds a newline counts once
    assert counts["main"] == 1
    assert counts[next(k for k in counts if k.startswith("Merge"))] == 0  # a clean merge


def test_tree_listing_is_read_in_runs_of_whole_entries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small buffers, so that a listing of a few hundred entries spans many runs and one
    entry is longer than the whole buffer: the runs still end on entry boundaries and add
    up to exactly what git printed."""
    repo_path = tmp_path / "repo"
    git(tmp_path, "init", "-q", "-b", "main", str(repo_path))
    names = [f"src/m{n % 7}/file{n}.py" for n in range(300)]
    names += ["deep/" + "/".join(["x" * 200] * 3) + "/CLAUDE.md", "docs/été.md"]
    out = [b"commit refs/heads/main\n", b"committer Jane <j@example.com> 1700000000 +0000\n",
           b"data 4\ntree\n"]
    for n, name in enumerate(names):
        out.append(b"M 100644 inline %s\ndata %d\n%d\n" % (name.encode(), len(str(n)) + 1, n))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo_path, input=b"".join(out),
                   check=True)
    listing = subprocess.run(["git", "ls-tree", "-r", "-z", "--full-tree", "main"],
                             cwd=repo_path, capture_output=True, check=True).stdout
    monkeypatch.setattr(gitio, "_BATCH", 256)
    monkeypatch.setattr(gitio, "_CHUNK", 256)
    repo = gitio.discover(str(repo_path))
    args = ["ls-tree", "-r", "-z", "--full-tree", "main"]
    runs = list(gitio.record_runs(runner.stream(args, repo.cwd, "ls-tree"), b"\0", 1))
    assert len(runs) > 10
    assert b"".join(runs) == listing
    assert all(run.endswith(b"\0") for run in runs)
    assert all(len(run) >= 256 for run in runs[:-1])
    counter = [0]
    paths = [path for path, _ in gitio.tree_entries(repo, "main", None, counter)]
    assert paths == sorted(names) and counter[0] == len(names)
    matcher = PathMatcher(load_catalog())
    hits = [path for path, _ in gitio.tree_entries(repo, "main", matcher.region_filter(), [0])]
    assert names[300] in hits and "docs/été.md" not in hits


def _tree_of(repo_path: Path, entries: list[tuple[str, str, bytes]]) -> str:
    """A tree of (mode, path, content) entries, written without a commit or a work tree."""
    index = {"GIT_INDEX_FILE": str(repo_path / ".git" / "tree-index")}
    git(repo_path, "read-tree", "--empty", env=index)
    lines = []
    for mode, path, content in entries:
        blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo_path,
                              input=content, capture_output=True, check=True).stdout
        lines.append(f"{mode} {blob.decode().strip()}\t{path}\0".encode())
    subprocess.run(["git", "update-index", "-z", "--index-info"], cwd=repo_path,
                   input=b"".join(lines), env={**os.environ, **index}, check=True)
    return git(repo_path, "write-tree", env=index).stdout.strip()


def test_tree_diff_is_read_in_whole_entries_whatever_the_paths_look_like(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Raw diff entries are two tokens (meta, path), and runs of output may end between
    them; paths that look like metas, or hold a trace after one, must not shift the pairs."""
    repo_path = tmp_path / "repo"
    git(tmp_path, "init", "-q", "-b", "main", str(repo_path))
    fake_meta = ":100644 120000 " + "0" * 40 + " " + "1" * 40 + " A"
    tricky = [("100644", f"{fake_meta}/CLAUDE.md", b"x"), ("100644", fake_meta[:-1] + "M", b"y"),
              ("100644", f"src/{fake_meta}", b"z"), ("120000", "docs/notes.md", b"../CLAUDE.md"),
              ("100755", "deep/a/b/.cursor/rules/x.mdc", b"r"),
              ("100644", ":odd\nname/AGENTS.md", b"n")]
    files = [("100644", f"src/m{n % 7}/file{n}.py", str(n).encode()) for n in range(200)]
    base = _tree_of(repo_path, [*files[:100], ("100644", "gone/CLAUDE.md", b"old")])
    head = _tree_of(repo_path, files[50:] + tricky)
    monkeypatch.setattr(gitio, "_BATCH", 200)
    monkeypatch.setattr(gitio, "_CHUNK", 200)
    repo = gitio.discover(str(repo_path))
    every = list(gitio.tree_diff(repo, [base], head, None))
    assert {c.path for c in every} == {p for _, p, _ in files[100:] + tricky}
    assert {c.path: c.mode for c in every if c.path in {p for _, p, _ in tricky}} == {
        p: m for m, p, _ in tricky}
    matcher = PathMatcher(load_catalog())
    filtered = list(gitio.tree_diff(repo, [base], head, matcher.region_filter()))
    assert set(filtered) <= set(every)
    needed = {c for c in every if any(matcher.match(c)) or c.mode == "120000"}
    assert {c.path for c in needed} >= {f"{fake_meta}/CLAUDE.md", "docs/notes.md",
                                        "deep/a/b/.cursor/rules/x.mdc", ":odd\nname/AGENTS.md"}
    assert needed <= set(filtered)
    assert len(filtered) < 20
    assert list(gitio.tree_diff(repo, [head], head, None)) == []


def test_tree_diff_against_several_bases_lists_what_differs_from_all(tmp_path: Path) -> None:
    repo_path = tmp_path / "repo"
    git(tmp_path, "init", "-q", "-b", "main", str(repo_path))

    def commit(*entries: tuple[str, str, bytes]) -> str:
        tree = _tree_of(repo_path, list(entries))
        return git(repo_path, "commit-tree", tree, "-m", "x").stdout.strip()

    old, new = ("100644", "a.txt", b"1"), ("100644", "a.txt", b"2")
    claude, agents = ("100644", "CLAUDE.md", b"c"), ("100644", "AGENTS.md", b"a")
    gemini, link = ("100644", "d/GEMINI.md", b"g"), ("120000", "d/link", b"../CLAUDE.md")
    one, two = commit(old, claude), commit(old, agents)
    head = commit(new, claude, agents, gemini, link)
    repo = gitio.discover(str(repo_path))
    # CLAUDE.md is the first base's, AGENTS.md the second's: neither is brought.
    brought = {c.path: c.mode for c in gitio.tree_diff(repo, [one, two], head, None)}
    assert brought == {"a.txt": "100644", "d/GEMINI.md": "100644", "d/link": "120000"}
    assert gitio.range_bases(repo, head, []) == [gitio.empty_tree(repo)]
    assert gitio.range_bases(repo, head, [one]) == [gitio.empty_tree(repo)]  # unrelated


def test_a_run_that_ends_inside_an_entry_keeps_its_meta_for_the_next() -> None:
    meta = b":000000 100644 " + b"0" * 40 + b" " + b"a" * 40 + b" A\0"
    assert gitio.whole_entries(meta + b"x\0" + meta) == (meta + b"x\0", meta)
    assert gitio.whole_entries(meta + b"x\0") == (meta + b"x\0", b"")
    assert gitio.whole_entries(b"") == (b"", b"")


def test_commit_stream_survives_records_longer_than_the_buffer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every commit record (about 1 KB of message) is longer than a 512-byte buffer: the
    stream gives the same commits, paths and counts as with the usual sizes."""
    repo_path = tmp_path / "repo"
    _history(repo_path, 60)
    repo = gitio.discover(str(repo_path))
    matcher = PathMatcher(load_catalog())
    usual = list(gitio.stream_commits(repo, ["main"], prefilter=matcher.region_filter()))
    monkeypatch.setattr(gitio, "_BATCH", 256)
    monkeypatch.setattr(gitio, "_CHUNK", 256)
    small = list(gitio.stream_commits(repo, ["main"], prefilter=matcher.region_filter()))
    assert len(small) == 60
    assert small == usual
    assert any(change.path == "CLAUDE.md" for commit in small for change in commit.changes)


def test_blobs_are_read_in_order_whatever_the_reader_leaves(tmp_path: Path) -> None:
    """All questions go to git at once: answers still pair with their blobs when the
    reader skips some blobs' lines, reads others in part, and stops before the end."""
    repo_path = tmp_path / "repo"
    git(tmp_path, "init", "-q", "-b", "main", str(repo_path))
    contents = [(f"blob {n}\n" * (n % 5 + 1) + "x" * (n * 997 % 300_000)).encode()
                for n in range(400)]
    files = []
    for number, content in enumerate(contents):
        files.append(tmp_path / f"blob{number}")
        files[-1].write_bytes(content)
    shas = git(repo_path, "hash-object", "-w", "--", *map(str, files)).stdout.split()
    repo = gitio.discover(str(repo_path))
    seen = []
    stream = gitio.read_blobs(repo, shas)
    for number, (sha, lines) in enumerate(stream):
        assert sha == shas[number]
        if number % 3 == 0:
            seen.append(next(lines))  # one line, the rest drained
        elif number % 3 == 1:
            assert b"\n".join(lines) == contents[number].rstrip(b"\n")
        if number == 300:
            break
    stream.close()  # git, still answering, stops on the closed pipe
    assert seen == [b"blob %d" % n for n in range(0, 301, 3)]
    with pytest.raises(GitError, match="does not have it"):
        list(gitio.read_blobs(repo, [shas[0], "0" * 40]))


def test_run_git_gives_git_its_input_and_reports_its_failure(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    blob = gitio.run_git(["hash-object", "-w", "--stdin"], cwd=str(tmp_path),
                         stdin=b"x" * 200_000).strip()
    # More than a pipe holds, both ways: nothing waits on a full pipe.
    answer = gitio.run_git(["cat-file", "--batch"], cwd=str(tmp_path), stdin=blob + b"\n")
    assert answer == blob + b" blob 200000\n" + b"x" * 200_000 + b"\n"
    with pytest.raises(GitError, match=r"^git cat-file failed: .*no-such-object"):
        gitio.run_git(["cat-file", "-p", "no-such-object"], cwd=str(tmp_path))
    assert gitio.run_git(["cat-file", "-e", "no-such-object"], cwd=str(tmp_path),
                         ok_codes=(0, 128)) == b""


def test_run_git_in_a_folder_that_is_not_there_is_a_git_error(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="cannot change to"):
        gitio.run_git(["rev-parse", "--git-dir"], cwd=str(tmp_path / "gone"))


def test_a_check_passes_no_stdin_of_its_own_to_git(tmp_path: Path) -> None:
    # git inherits the process's standard input when run_git is given none, as it did with
    # subprocess: the pre-receive hook reads its stdin before any git runs.
    git(tmp_path, "init", "-q")
    code = ("import sys\nfrom ai_clearance.git import gitio\n"
            "sys.stdout.buffer.write(gitio.run_git(['hash-object', '--stdin'], cwd='.'))\n")
    inherited = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, input=b"hello\n",
                               capture_output=True, check=True).stdout
    expected = subprocess.run(["git", "hash-object", "--stdin"], cwd=tmp_path,
                              input=b"hello\n", capture_output=True, check=True).stdout
    assert inherited == expected and len(inherited.strip()) == 40


def test_index_files_are_what_the_next_commit_records(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "sub").mkdir()
    for name, text in (("a.toml", "one\n"), ("sub/a.toml", "nested\n"), ("b.toml", "b\n")):
        (tmp_path / name).write_text(text, "utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "checkout", "-q", "-b", "other")
    (tmp_path / "b.toml").write_text("theirs\n", "utf-8")
    git(tmp_path, "commit", "-q", "-am", "theirs")
    git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "b.toml").write_text("ours\n", "utf-8")
    git(tmp_path, "commit", "-q", "-am", "ours")
    assert git(tmp_path, "merge", "-q", "other", check=False).returncode != 0  # b.toml
    (tmp_path / "a.toml").write_text("staged\n", "utf-8")
    git(tmp_path, "add", "a.toml")
    (tmp_path / "a.toml").write_text("only on disk\n", "utf-8")
    repo = gitio.discover(str(tmp_path / "sub"))  # paths are the top level's, wherever it runs
    entries = gitio.index_files(repo, ["a.toml", "b.toml"])
    assert [(e.path, e.mode) for e in entries] == [("a.toml", "100644")]  # b.toml: unmerged
    assert gitio.read_small_blobs(repo, entries, "in the index") == {
        "a.toml": (entries[0].blob, b"staged\n")}
    with pytest.raises(GitError, match=r"a\.toml in the index is larger than 4 bytes"):
        gitio.read_small_blobs(repo, entries, "in the index", limit=4)


def test_staged_prefetch_gives_the_same_result_again(tmp_path: Path) -> None:
    # The check reads the staged diff twice: for the scan, then for the trust files it adds.
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "a.txt").write_text("a\n", "utf-8")
    git(tmp_path, "add", "a.txt")
    repo = gitio.discover(str(tmp_path))
    prefetch = gitio.StagedPrefetch(repo)
    first = prefetch.result()
    assert first[0].endswith(b"\0a.txt\0") and prefetch.result() == first


def test_paths_are_passed_to_git_in_command_lines_every_system_takes() -> None:
    paths = [f"dir{i}/" + "x" * 90 for i in range(1000)]
    chunks = list(gitio.argument_chunks(paths, 10_000))
    assert [p for chunk in chunks for p in chunk] == paths
    assert all(sum(len(p) + 1 for p in chunk) <= 10_000 for chunk in chunks)
    assert list(gitio.argument_chunks(["y" * 50_000], 10_000)) == [["y" * 50_000]]
    assert list(gitio.argument_chunks([], 10)) == []
