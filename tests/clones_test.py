"""Clones that do not have everything: shallow and partial (blob:none) clones, made with real
`git clone` from a file:// source. What a clone cannot see is exit 3, never a pass or a
false finding."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Repo, git, run_cli


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
