"""What a commit object holds, not what `git log` prints of it: commit objects with encoding
headers, NUL bytes and hidden identities, built with real git, are read in every reading."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.detect.detect import findings_for_commit_text
from ai_clearance.git import gitio
from ai_clearance.git.commit_text import read_commit
from ai_clearance.model import Commit, Finding, Identity
from conftest import Repo, git, run_cli

EMPTY_TREE = b"4b825dc642cb6eb9a060e54bf8d69288fbee4904"
DATE = b" 1767225600 +0000"
JANE = b"Jane Dev <jane@example.com>" + DATE
CLAUDE = b"Claude <noreply@anthropic.com>" + DATE
TRAILER = "fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"


def _object(author: bytes, committer: bytes = JANE, headers: bytes = b"",
            message: bytes = b"fix\n") -> bytes:
    return (b"tree " + EMPTY_TREE + b"\nauthor " + author + b"\ncommitter " + committer +
            b"\n" + headers + b"\n" + message)


# name -> (commit object, the rule its trace must fire)
ODD = {
    "UTF-16 message under `encoding UTF-16`": (
        _object(JANE, headers=b"encoding UTF-16\n", message=TRAILER.encode("utf-16")),
        "AIC401"),
    "ASCII author under `encoding IBM037` (git log prints no author)": (
        _object(CLAUDE, headers=b"encoding IBM037\n"), "AIC501"),
    "author written in EBCDIC under `encoding IBM037`": (
        _object(CLAUDE.decode().encode("cp037"), headers=b"encoding IBM037\n"), "AIC501"),
    "EBCDIC message under an encoding Python does not know": (
        _object(JANE, headers=b"encoding IBM1047\n", message=TRAILER.encode("cp037")),
        "AIC401"),
    "an encoding nobody knows": (_object(CLAUDE, headers=b"encoding x-bogus\n"), "AIC501"),
    "a NUL before the trailer": (_object(JANE, message=b"fix\n\n\0" + TRAILER.encode()[5:]),
                                 "AIC401"),
    "a NUL as the line break": (_object(JANE, message=b"fix\0" + TRAILER.encode()[5:]),
                                "AIC401"),
    "a NUL in the author line before a second address": (
        _object(b"Jane Dev <jane@example.com>\0<noreply@anthropic.com>" + DATE), "AIC501"),
    "two author lines (git log shows the last)": (
        _object(CLAUDE + b"\nauthor " + JANE), "AIC501"),
    "a second address in the author line": (
        _object(b"Jane Dev <jane@example.com> <noreply@anthropic.com>" + DATE), "AIC501"),
    "an escaped address in the committer line": (
        _object(JANE, committer=b"Jane Dev <jane@example.com> noreply%40anthropic.com" + DATE),
        "AIC502"),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("objects") / "repo"
    git(path.parent, "init", "-q", "-b", "main", str(path))
    return path


def _write(path: Path, obj: bytes) -> str:
    out = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--literally", "--stdin"],
                         cwd=path, input=obj, capture_output=True, check=True)
    return out.stdout.decode().strip()


def _commit(path: Path, sha: str) -> Commit:
    (commit,) = gitio.stream_commits(gitio.discover(str(path)), [sha], no_walk=True)
    return commit


def _findings(path: Path, sha: str) -> list[Finding]:
    return findings_for_commit_text(load_catalog(), _commit(path, sha))


def _git_object(path: Path, sha: str) -> bytes:
    return subprocess.run(["git", "cat-file", "commit", sha], cwd=path, capture_output=True,
                          check=True).stdout


def _as_git_log_prints(path: Path, sha: str) -> str:
    out = subprocess.run(["git", "log", "--no-walk", "--encoding=UTF-8",
                          "--format=%an <%ae>%x00%cn <%ce>%x00%B", sha],
                         cwd=path, capture_output=True, check=True).stdout
    return out.decode("utf-8", "replace")


@pytest.mark.parametrize("name", sorted(ODD))
def test_a_trace_the_object_holds_is_found(store: Path, name: str) -> None:
    obj, rule = ODD[name]
    sha = _write(store, obj)
    findings = _findings(store, sha)
    assert rule in {f.rule for f in findings}, findings
    assert all(f.assistants == ("claude",) for f in findings)


def test_git_log_hides_what_these_objects_hold(store: Path) -> None:
    """The cases are real: what git prints of each misses the trace (for most of them:
    git does print a Latin-1 bogus encoding or two author lines' last line plainly)."""
    hidden = [name for name, (obj, _) in ODD.items()
              if "noreply@anthropic.com" not in _as_git_log_prints(store, _write(store, obj))]
    assert len(hidden) >= 8, hidden


def test_the_reading_that_found_a_trace_is_named(store: Path) -> None:
    obj, _ = ODD["two author lines (git log shows the last)"]
    (finding,) = _findings(store, _write(store, obj))
    assert finding.evidence == \
        "author Claude <noreply@anthropic.com> (every author and committer line)"
    obj, _ = ODD["EBCDIC message under an encoding Python does not know"]
    found = _findings(store, _write(store, obj))
    assert [f.evidence for f in found] == [
        "Co-Authored-By: Claude <noreply@anthropic.com> (values and message decoded as cp037)"]


def test_a_latin1_commit_reads_as_its_header_says(store: Path) -> None:
    """A legitimate commit in another encoding: its names read right, nothing is found."""
    message = "Corrige l'accès\n\nSigned-off-by: Clément Dubois <clement@example.com>\n"
    sha = subprocess.run(
        ["git", "-c", "i18n.commitEncoding=ISO-8859-1", "commit-tree", EMPTY_TREE.decode()],
        cwd=store, input=message.encode("latin-1"), capture_output=True, check=True,
        env={**os.environ, "GIT_AUTHOR_NAME": "Clément Dubois",
             "GIT_AUTHOR_EMAIL": "clement@example.com"}).stdout.decode().strip()
    assert b"\nencoding ISO-8859-1\n" in _git_object(store, sha)
    commit = _commit(store, sha)
    assert commit.message == message
    assert _findings(store, sha) == []


def test_people_are_no_traces_in_any_reading(store: Path) -> None:
    for obj in (_object(b"Claude Dubois <claude.dubois@example.com>" + DATE,
                        headers=b"encoding UTF-16\n", message="Docs\n".encode("utf-16")),
                _object(JANE + b"\nauthor Devin Walsh <devin@example.org>" + DATE),
                _object(b"Jules <jules@example.com> <jules.bernard@example.com>" + DATE),
                _object(JANE, headers=b"encoding IBM037\n",
                        message="Docs\n\nCo-authored-by: Ashwin <ashwin@anthropic.com>\n"
                        .encode("cp037"))):
        assert _findings(store, _write(store, obj)) == []


def test_an_ordinary_commit_has_one_reading() -> None:
    text = read_commit(b"tree " + EMPTY_TREE + b"\nparent " + b"1" * 40 + b"\nauthor " + JANE +
                       b"\ncommitter " + JANE + b"\ngpgsig -----BEGIN SSH SIGNATURE-----\n"
                       b" U1NIU0lHAAAAAQ==\n -----END SSH SIGNATURE-----\n\nfix\n")
    assert (text.author, text.message, text.readings) == \
        (Identity("Jane Dev", "jane@example.com"), "fix\n", ())


def test_check_range_reports_the_hidden_author(repo: Repo) -> None:
    base = repo.commit("Initial commit", "README.md")
    tree = git(repo.path, "rev-parse", "HEAD^{tree}").stdout.strip().encode()
    obj = (b"tree " + tree + b"\nparent " + base.encode() + b"\nauthor " + CLAUDE +
           b"\ncommitter " + JANE + b"\nencoding IBM037\n\nfix\n")
    sha = _write(repo.path, obj)
    result = run_cli("check", "--range", f"{base}..{sha}", "--format", "json", cwd=repo.path)
    assert result.returncode == 1, result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["commit"], f["author"]) for f in findings] == \
        [("AIC501", sha, "Claude <noreply@anthropic.com>")]

