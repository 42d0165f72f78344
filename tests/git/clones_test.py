"""Clones that do not have everything: shallow and partial (blob:none) clones, made with real
`git clone` from a file:// source. What a clone cannot see is exit 3, never a pass or a
false finding."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from conftest import AI_CLEARANCE, Repo, git, run_cli


def _source(repo: Repo) -> Repo:
    """Three commits: the first adds CLAUDE.md, the later ones only ordinary files."""
    repo.commit("memory", "CLAUDE.md")
    repo.commit("two", "two.txt")
    repo.commit("three", "three.txt")
    return repo


def _clone(source: Repo, into: Path, *options: str) -> Path:
    git(into.parent, "clone", "-q", *options, f"file://{source.path}", str(into))
    return into


def test_one_commit_on_the_boundary_of_a_shallow_clone_is_exit_3(repo: Repo,
                                                                 tmp_path: Path) -> None:
    """Its parent is not in the clone: diffed against nothing, its whole tree looked added
    (CLAUDE.md from an older commit was reported: a false finding, exit 1)."""
    clone = _clone(_source(repo), tmp_path / "shallow", "--depth", "1")
    result = run_cli("check", "--range", "HEAD", cwd=clone)
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.startswith("ai-clearance: error: commit ")
    assert "edge of this shallow clone" in result.stderr and result.stderr.count("\n") == 1
    assert "CLAUDE.md" not in result.stdout


def test_one_commit_inside_a_shallow_clone_is_checked(repo: Repo, tmp_path: Path) -> None:
    clone = _clone(_source(repo), tmp_path / "shallow2", "--depth", "2")
    passing = run_cli("check", "--range", "HEAD", "--format", "json", cwd=clone)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert json.loads(passing.stdout)["coverage"]["commits_scanned"] == 1
    edge = run_cli("check", "--range", "HEAD~1", cwd=clone)
    assert edge.returncode == 3, edge.stdout + edge.stderr
    deepened = git(clone, "fetch", "-q", "--deepen=1")
    assert deepened.returncode == 0
    assert run_cli("check", "--range", "HEAD~1", cwd=clone).returncode == 0


def test_a_real_root_commit_of_a_full_clone_is_still_checked(repo: Repo) -> None:
    _source(repo)
    root = git(repo.path, "rev-list", "--max-parents=0", "HEAD").stdout.strip()
    result = run_cli("check", "--range", root, "--format", "json", cwd=repo.path)
    assert result.returncode == 1
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["AIC101"]


def _workflow(repo: Repo, name: str, action: str) -> None:
    repo.write(f".github/workflows/{name}.yml", f"steps:\n  - uses: {action}@v1\n")
    repo.commit(f"workflow {name}", f".github/workflows/{name}.yml")


def _partial_source(repo: Repo) -> Repo:
    repo.commit("init", "README.md")
    _workflow(repo, "a", "openai/codex-action")
    _workflow(repo, "b", "actions/checkout")
    _workflow(repo, "c", "anthropics/claude-code-action")
    repo.git("config", "uploadpack.allowFilter", "true")
    return repo


def _fetches(stderr: str) -> int:
    return sum(1 for line in stderr.splitlines() if "trace: built-in: git fetch" in line)


def test_partial_clone_fetches_what_it_needs_in_one_batch(repo: Repo, tmp_path: Path) -> None:
    clone = _clone(_partial_source(repo), tmp_path / "partial", "--filter=blob:none",
                   "--no-checkout")
    trace = tmp_path / "trace"
    result = subprocess.run(
        [AI_CLEARANCE, "check", "--history", "--format", "json"], cwd=clone, text=True,
        capture_output=True, check=False, env={**os.environ, "GIT_TRACE": str(trace)},
        stdin=subprocess.DEVNULL, timeout=120)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert sorted(f["rule"] for f in data["findings"]) == ["AIC301", "AIC302"]
    assert _fetches(trace.read_text("utf-8")) == 1  # three blobs, one fetch
    assert data["coverage"].get("unjudged", []) == []


def test_partial_clone_without_its_remote_judges_the_rest_and_fails_closed(
        repo: Repo, tmp_path: Path) -> None:
    source = _partial_source(repo)
    clone = _clone(source, tmp_path / "partial", "--filter=blob:none", "--no-checkout")
    # One workflow blob is here already (fetched while the remote was there), one is not.
    first = git(clone, "rev-parse", "HEAD~2:.github/workflows/a.yml").stdout.strip()
    git(clone, "cat-file", "-p", first)
    shutil.move(str(source.path), str(tmp_path / "gone"))
    result = run_cli("check", "--history", "--format", "json", cwd=clone)
    assert result.returncode == 3, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert [f["rule"] for f in data["findings"]] == ["AIC302"]  # the part it could judge
    unjudged = data["coverage"]["unjudged"]
    assert sorted(u["path"] for u in unjudged) == [".github/workflows/b.yml",
                                                  ".github/workflows/c.yml"]
    assert all(len(u["commit"]) == 40 for u in unjudged)
    assert result.stderr.startswith("ai-clearance: error: ")
    assert result.stderr.count("\n") == 1 and ".github/workflows/c.yml" in result.stderr
    text = run_cli("check", "--history", cwd=clone)
    assert text.returncode == 3 and "AIC302" in text.stdout
    assert "could not be judged" in text.stdout
