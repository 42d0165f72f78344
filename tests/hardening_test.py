"""Hostile input and odd repositories: each gets a correct answer or a clear error."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import Repo, git, run_cli

TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"


def _json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.stdout, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _failing(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {f["rule"] for f in _json(result)["findings"] if f["status"] == "fail"}


def _one_line_error(result: subprocess.CompletedProcess[str], code: int) -> None:
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stderr.startswith("ai-clearance: error:")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# ------------------------------------------------------------------------ evasion
def test_symlink_named_like_a_trace(clean_repo: Repo) -> None:
    os.symlink("README.md", clean_repo.path / "CLAUDE.md")
    clean_repo.commit("link", "CLAUDE.md")
    assert _failing(run_cli("check", "--range", "HEAD", "--format", "json",
                            cwd=clean_repo.path)) == {"AIC101"}


@pytest.mark.parametrize("target", ["../outside/CLAUDE.md", "/home/dev/.claude/settings.json",
                                    ".cursor/rules/x.mdc"])
def test_symlink_pointing_at_a_trace(clean_repo: Repo, target: str) -> None:
    os.symlink(target, clean_repo.path / "notes.md")
    clean_repo.commit("link", "notes.md")
    for args in (("--range", "HEAD"), ("--tree", "HEAD")):
        result = run_cli("check", *args, "--format", "json", cwd=clean_repo.path)
        assert result.returncode == 1, result.stdout
        (finding,) = _json(result)["findings"]
        assert finding["path"] == "notes.md" and "symlink notes.md ->" in finding["evidence"]


def test_symlink_to_an_ordinary_file_is_fine(clean_repo: Repo) -> None:
    os.symlink("README.md", clean_repo.path / "docs.md")
    clean_repo.commit("link", "docs.md")
    assert run_cli("check", "--range", "HEAD", cwd=clean_repo.path).returncode == 0


def test_latin1_commit_message(clean_repo: Repo) -> None:
    clean_repo.git("config", "i18n.commitEncoding", "ISO-8859-1")
    message = "Caf\xe9 r\xe9sum\xe9\n\nCo-authored-by: Cursor <cursoragent@cursor.com>\n"
    (clean_repo.path / "msg").write_bytes(message.encode("latin-1"))
    clean_repo.write("a.txt")
    clean_repo.git("add", "a.txt")
    clean_repo.git("commit", "-q", "--no-verify", "-F", "msg")
    raw = subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=clean_repo.path,
                         capture_output=True, check=True).stdout
    assert b"encoding ISO-8859-1" in raw and b"Caf\xe9" in raw
    result = run_cli("check", "--range", "HEAD", "--format", "json", cwd=clean_repo.path)
    assert _failing(result) == {"AIC401"}


def test_invalid_utf8_in_a_message(clean_repo: Repo) -> None:
    tree = clean_repo.git("rev-parse", "HEAD^{tree}").stdout.strip()
    parent = clean_repo.head()
    body = b"\xff\xfe broken \x80\n\nMade-with: Cursor\n"
    commit = subprocess.run(["git", "commit-tree", tree, "-p", parent], cwd=clean_repo.path,
                            input=body, capture_output=True, check=True).stdout.decode().strip()
    result = run_cli("check", "--range", commit, "--format", "json", cwd=clean_repo.path)
    assert _failing(result) == {"AIC412"}


def test_odd_bytes_in_paths(clean_repo: Repo) -> None:
    names = ["we\nird/CLAUDE.md", 'quo"te/AGENTS.md', "tab\there/.cursorrules"]
    for name in names:
        clean_repo.write(name)
    clean_repo.git("add", "--", *names)
    raw_name = os.fsencode(str(clean_repo.path)) + b"/\xffbad/GEMINI.md"
    os.makedirs(os.path.dirname(raw_name), exist_ok=True)
    with open(raw_name, "wb") as handle:
        handle.write(b"x\n")
    clean_repo.git("add", "-A")
    clean_repo.git("commit", "-q", "--no-verify", "-m", "odd names")
    result = run_cli("check", "--range", "HEAD", "--format", "json", cwd=clean_repo.path)
    assert _failing(result) == {"AIC101", "AIC103", "AIC109", "AIC110"}
    text = run_cli("check", "--range", "HEAD", cwd=clean_repo.path)
    assert text.returncode == 1 and "we\\x0aird/CLAUDE.md" in text.stdout
    assert "\\udcffbad/GEMINI.md" in text.stdout


def test_trace_inside_a_submodule_path(clean_repo: Repo, tmp_path: Path) -> None:
    sub = Repo(tmp_path / "sub")
    git(tmp_path, "init", "-q", "-b", "main", str(sub.path))
    sub.commit("sub", "x.txt")
    clean_repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q",
                   str(sub.path), ".claude/worktrees/agent")
    clean_repo.git("commit", "-q", "--no-verify", "-m", "add submodule")
    result = run_cli("check", "--range", "HEAD", "--format", "json", cwd=clean_repo.path)
    assert "AIC202" in _failing(result)


def test_notes_ref_under_refs_notes_ai(clean_repo: Repo) -> None:
    clean_repo.git("notes", "--ref", "ai", "add", "-m", "authorship/3.0.0 prompt: ...")
    result = run_cli("check", "--history", "--all", "--format", "json", cwd=clean_repo.path)
    # The ref by its name (AIC701), and its note, which is no git-ai note (no `---` line):
    # unreadable, so it fails closed (AIC903) rather than pass unjudged.
    assert _failing(result) == {"AIC701", "AIC903"}
    # Without --all the ref's name is not checked, but the note of a commit checked is.
    history = run_cli("check", "--history", "--format", "json", cwd=clean_repo.path)
    assert _failing(history) == {"AIC903"}


# ------------------------------------------------------------------------ odd repositories
def test_worktree(clean_repo: Repo, tmp_path: Path) -> None:
    clean_repo.commit("memory", "CLAUDE.md")
    linked = tmp_path / "linked"
    clean_repo.git("worktree", "add", "-q", str(linked), "-b", "other")
    assert run_cli("check", "--history", cwd=linked).returncode == 1
    (linked / "GEMINI.md").write_text("x\n")
    git(linked, "add", "GEMINI.md")
    result = run_cli("check", "--staged", "--format", "json", cwd=linked)
    assert _failing(result) == {"AIC110"}


def test_sha256_repository(tmp_path: Path) -> None:
    path = tmp_path / "sha256"
    git(tmp_path, "init", "-q", "--object-format=sha256", "-b", "main", str(path))
    repo = Repo(path)
    repo.commit("one", "a.txt")
    repo.commit(f"two\n\n{TRAILER}\n", "CLAUDE.md")
    assert len(repo.head()) == 64
    result = run_cli("check", "--history", "--format", "json", cwd=path)
    assert _failing(result) == {"AIC101", "AIC401"}
    assert run_cli("check", "--range", "HEAD~1..HEAD", cwd=path).returncode == 1
    staged = run_cli("check", "--tree", "HEAD", cwd=path)
    assert staged.returncode == 1


def test_partial_clone(clean_repo: Repo, tmp_path: Path) -> None:
    clean_repo.write(".github/workflows/a.yml", "steps:\n  - uses: openai/codex-action@v1\n")
    clean_repo.commit("workflow", ".github/workflows/a.yml")
    clean_repo.git("config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "partial"
    git(tmp_path, "clone", "-q", "--filter=blob:none", "--no-checkout",
        f"file://{clean_repo.path}", str(clone))
    result = run_cli("check", "--history", "--format", "json", cwd=clone)
    assert _failing(result) == {"AIC302"}


def test_lfs_pointer_file_is_judged_by_its_path(clean_repo: Repo) -> None:
    pointer = ("version https://git-lfs.github.com/spec/v1\n"
               "oid sha256:" + "a" * 64 + "\nsize 12345\n")
    clean_repo.write(".specstory/history/chat.md", pointer)
    clean_repo.commit("lfs", ".specstory/history/chat.md")
    assert _failing(run_cli("check", "--range", "HEAD", "--format", "json",
                            cwd=clean_repo.path)) == {"AIC206"}


def test_large_transcript_is_read_in_bounded_chunks(clean_repo: Repo) -> None:
    big = clean_repo.path / "logs" / "session.jsonl"
    big.parent.mkdir()
    with big.open("w", encoding="utf-8") as handle:
        line = '{"type":"summary","text":"' + "x" * 1000 + '"}\n'
        for _ in range(40_000):  # about 40 MB
            handle.write(line)
        handle.write('{"parentUuid":"a","sessionId":"b","type":"user"}\n')
    clean_repo.commit("logs", "logs/session.jsonl")
    result = run_cli("check", "--tree", "HEAD", "--format", "json", cwd=clean_repo.path)
    (finding,) = _json(result)["findings"]
    assert finding["rule"] == "AIC310" and finding["line"] == 40_001


def test_ten_megabyte_commit_message(clean_repo: Repo) -> None:
    message = "Big\n\n" + ("filler line of text\n" * 500_000) + f"\n{TRAILER}\n"
    (clean_repo.path / "msg").write_text(message, "utf-8")
    clean_repo.git("commit", "-q", "--no-verify", "--allow-empty", "-F", "msg")
    assert _failing(run_cli("check", "--range", "HEAD", "--format", "json",
                            cwd=clean_repo.path)) == {"AIC401"}
    assert run_cli("check", "--message", str(clean_repo.path / "msg"),
                   cwd=clean_repo.path).returncode == 1


def test_corrupt_object_is_exit_3(clean_repo: Repo) -> None:
    clean_repo.commit("more", "b.txt")
    blob = clean_repo.git("rev-parse", "HEAD:b.txt").stdout.strip()
    tree = clean_repo.git("rev-parse", "HEAD^{tree}").stdout.strip()
    path = clean_repo.path / ".git" / "objects" / tree[:2] / tree[2:]
    path.chmod(0o644)
    path.write_bytes(b"this is not a zlib stream")
    assert blob
    for args in (("--history",), ("--tree", "HEAD"), ("--range", "HEAD~1..HEAD")):
        _one_line_error(run_cli("check", *args, cwd=clean_repo.path), 3)


def test_message_outside_and_empty_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("", "utf-8")
    assert run_cli("check", "--message", str(empty), cwd=tmp_path).returncode == 0
    _one_line_error(run_cli("check", "--staged", cwd=tmp_path), 3)


def test_two_gigabyte_file_in_the_tree(tmp_path: Path) -> None:
    """A 2 GiB blob (zeros, streamed into fast-import) is never read: no rule needs it."""
    path = tmp_path / "big"
    git(tmp_path, "init", "-q", "-b", "main", str(path))
    size = 2 << 30
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=path, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(b"blob\nmark :1\ndata %d\n" % size)
    zeros = b"\0" * (1 << 24)
    for _ in range(size // len(zeros)):
        proc.stdin.write(zeros)
    proc.stdin.write(b"\ncommit refs/heads/main\nmark :2\n"
                     b"author A <a@example.com> 1700000000 +0000\n"
                     b"committer A <a@example.com> 1700000000 +0000\ndata 3\nbig\n"
                     b"M 100644 :1 data/big.bin\nM 100644 inline CLAUDE.md\ndata 2\nx\n\n")
    proc.stdin.close()
    assert proc.wait() == 0
    for args in (("--tree", "HEAD"), ("--history",)):
        result = run_cli("check", *args, "--format", "json", cwd=path)
        assert _failing(result) == {"AIC101"}
        assert _json(result)["coverage"]["blobs_read"] == 0
