"""Ranges judged by what they bring: a merge that restores a trace from an old commit shows
nothing in its own combined diff, yet the trace lands on the target branch."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from ai_clearance.source.scan import revision_bottoms
from conftest import Repo, _bin, git, run_cli

MALLORY = ("Mallory", "mallory@example.com")
MALLORY_ENV = {"GIT_AUTHOR_NAME": MALLORY[0], "GIT_AUTHOR_EMAIL": MALLORY[1],
               "GIT_COMMITTER_NAME": MALLORY[0], "GIT_COMMITTER_EMAIL": MALLORY[1]}
BROUGHT = "not in any one commit's own diff"
AGENT_WORKFLOW = ("jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                  "      - uses: anthropics/claude-code-action@v1\n")


def _check(repo: Repo, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("check", *args, "--format", "json", cwd=repo.path)
    assert result.returncode in (0, 1), result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return result.returncode, findings


def _added_then_removed(repo: Repo, *files: str) -> str:
    """Commit `files` (written beforehand, or written now) on the current branch, remove them
    in the next commit, and return the commit that still has them."""
    old = repo.commit("Add files", *files)
    repo.git("rm", "-q", "--", *files)
    repo.commit("Remove them again")
    return old


def _merge_ours(repo: Repo, old: str) -> str:
    """Mallory's branch `attack`: `old` with main merged in by the `ours` strategy, so its
    tree is old's (the trace included) and equals its first parent's: `--cc` shows nothing."""
    repo.git("checkout", "-q", "-b", "attack", old)
    git(repo.path, "merge", "-q", "-s", "ours", "--no-edit", "main", env=MALLORY_ENV)
    merge = repo.head()
    repo.git("checkout", "-q", "main")
    return merge


def _crafted_merge(repo: Repo, old: str, *paths: str) -> str:
    """A merge made with `git commit-tree`: main's tree plus `paths` as `old` has them, first
    parent main, second parent `old`. Each path equals its version in `old`: `--cc` shows
    nothing."""
    index = {"GIT_INDEX_FILE": str(repo.path / ".git" / "crafted-index")}
    git(repo.path, "read-tree", "main", env=index)
    for path in paths:
        mode, _, blob = repo.git("ls-tree", old, "--", path).stdout.split("\t")[0].split()
        git(repo.path, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}",
            env=index)
    tree = git(repo.path, "write-tree", env=index).stdout.strip()
    merge = git(repo.path, "commit-tree", tree, "-p", "main", "-p", old, "-m", "Merge old work",
                env=MALLORY_ENV).stdout.strip()
    repo.git("update-ref", "refs/heads/attack", merge)
    return merge


def _brought(findings: list[dict[str, Any]], merge: str) -> dict[str, Any]:
    (finding,) = findings
    assert finding["commit"] == merge
    assert finding["author"] == f"{MALLORY[0]} <{MALLORY[1]}>"
    assert BROUGHT in finding["evidence"]
    return finding


def test_a_merge_by_the_ours_strategy_cannot_restore_a_memory_file(clean_repo: Repo) -> None:
    old = _added_then_removed(clean_repo, "CLAUDE.md")
    merge = _merge_ours(clean_repo, old)
    # The merge's own combined diff is empty: only the tree it brings shows the file.
    assert clean_repo.git("log", "-1", "--cc", "--raw", "--format=", merge).stdout.strip() == ""
    code, findings = _check(clean_repo, "--range", "main..attack")
    assert code == 1
    finding = _brought(findings, merge)
    assert (finding["rule"], finding["path"]) == ("AIC101", "CLAUDE.md")
    assert finding["evidence"].startswith("CLAUDE.md (in the tree ")
    code, findings = _check(clean_repo, "--range", "main...attack")
    assert code == 1 and _brought(findings, merge)["path"] == "CLAUDE.md"


def test_a_merge_built_with_commit_tree_cannot_restore_a_memory_file(clean_repo: Repo) -> None:
    old = _added_then_removed(clean_repo, "CLAUDE.md")
    clean_repo.commit("main moves on", "src/app.py")
    merge = _crafted_merge(clean_repo, old, "CLAUDE.md")
    assert clean_repo.git("log", "-1", "--cc", "--raw", "--format=", merge).stdout.strip() == ""
    code, findings = _check(clean_repo, "--range", "main..attack")
    assert code == 1
    assert _brought(findings, merge)["path"] == "CLAUDE.md"
    # Main moves on: the range now has two bottoms, and is measured from where they meet.
    clean_repo.commit("main moves on again", "src/later.py")
    code, findings = _check(clean_repo, "--range", "main..attack")
    assert code == 1
    assert _brought(findings, merge)["path"] == "CLAUDE.md"


def test_a_merge_cannot_restore_an_agent_workflow(clean_repo: Repo) -> None:
    clean_repo.write(".github/workflows/ai.yml", AGENT_WORKFLOW)
    old = _added_then_removed(clean_repo, ".github/workflows/ai.yml")
    merge = _crafted_merge(clean_repo, old, ".github/workflows/ai.yml")
    code, findings = _check(clean_repo, "--range", "main..attack")
    assert code == 1
    finding = _brought(findings, merge)
    # The path alone is no trace: the content rule read the workflow and fired.
    assert finding["rule"] == "AIC301" and finding["path"] == ".github/workflows/ai.yml"
    assert "anthropics/claude-code-action" in finding["evidence"]
    assert finding["line"] == 5


def test_a_merge_cannot_restore_a_symlink_to_a_trace(clean_repo: Repo) -> None:
    os.makedirs(clean_repo.path / "docs")
    os.symlink("../CLAUDE.md", clean_repo.path / "docs" / "notes.md")
    old = _added_then_removed(clean_repo, "docs/notes.md")
    merge = _merge_ours(clean_repo, old)
    code, findings = _check(clean_repo, "--range", "main..attack")
    assert code == 1
    finding = _brought(findings, merge)
    assert (finding["rule"], finding["path"]) == ("AIC101", "docs/notes.md")
    assert finding["evidence"].startswith("symlink docs/notes.md -> ../CLAUDE.md (in the tree")


def test_merging_main_into_a_branch_brings_nothing_of_main(clean_repo: Repo) -> None:
    # A trace main has (committed, approved or not, before the branch's base) is not what
    # the branch brings: a diff of the merge against its first parent would report it.
    clean_repo.git("checkout", "-q", "-b", "feature")
    clean_repo.commit("feature work", "src/feature.py")
    clean_repo.git("checkout", "-q", "main")
    clean_repo.commit("Add agent instructions", "CLAUDE.md", "AGENTS.md")
    clean_repo.git("checkout", "-q", "feature")
    clean_repo.git("merge", "-q", "--no-ff", "--no-edit", "main")
    clean_repo.commit("more feature work", "src/more.py")
    clean_repo.git("checkout", "-q", "main")
    clean_repo.commit("main moves on", "src/main.py")
    for spec in ("main..feature", "main...feature"):
        assert _check(clean_repo, "--range", spec) == (0, [])


def test_a_branch_behind_main_keeps_what_main_removed_since(clean_repo: Repo) -> None:
    # CLAUDE.md was on main when the branch started; main has removed it since. The branch
    # still has it, but does not bring it: a merge keeps main's removal.
    clean_repo.commit("Add memory", "CLAUDE.md")
    clean_repo.git("checkout", "-q", "-b", "feature")
    clean_repo.commit("feature work", "src/feature.py")
    clean_repo.git("checkout", "-q", "main")
    clean_repo.git("rm", "-q", "CLAUDE.md")
    clean_repo.commit("Remove memory")
    assert _check(clean_repo, "--range", "main..feature") == (0, [])


def test_a_trace_the_commits_show_is_reported_once(clean_repo: Repo) -> None:
    base = clean_repo.head()
    clean_repo.git("checkout", "-q", "-b", "side")
    kept = clean_repo.commit("add memory", "CLAUDE.md")
    clean_repo.commit("add and remove settings", ".claude/settings.json")
    clean_repo.git("rm", "-q", ".claude/settings.json")
    clean_repo.commit("remove settings")
    clean_repo.git("checkout", "-q", "main")
    clean_repo.commit("main work", "src/main.py")
    clean_repo.git("merge", "-q", "--no-ff", "--no-edit", "side")
    code, findings = _check(clean_repo, "--range", f"{base}..main")
    assert code == 1
    assert sorted((f["rule"], f["path"]) for f in findings) == [
        ("AIC101", "CLAUDE.md"), ("AIC102", ".claude/settings.json")]
    assert next(f for f in findings if f["path"] == "CLAUDE.md")["commit"] == kept
    assert not any(BROUGHT in f["evidence"] for f in findings)


def test_history_finds_what_only_a_merge_brought_into_the_tree(clean_repo: Repo) -> None:
    old = _added_then_removed(clean_repo, "CLAUDE.md")
    _crafted_merge(clean_repo, old, "CLAUDE.md")
    clean_repo.git("checkout", "-q", "attack")
    code, findings = _check(clean_repo, "--history")
    assert code == 1
    # The commit that first added it reports it; the tree of HEAD does not report it again.
    assert [(f["rule"], f["path"], f["commit"]) for f in findings] == [
        ("AIC101", "CLAUDE.md", old)]


def _push_hook(repo: Repo, branch: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_LOCAL_BRANCH": branch, "PRE_COMMIT_REMOTE_NAME": "origin"}
    return subprocess.run([_bin("ai-clearance-push"), "--format", "json"], cwd=repo.path,
                          env=env, text=True, capture_output=True, check=False)


def _with_remote(repo: Repo, tmp_path: Path, *branches: str) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    repo.git("push", "-q", "origin", *branches)
    repo.git("remote", "set-head", "origin", "main")


def test_the_push_hook_checks_what_a_new_branch_brings(clean_repo: Repo, tmp_path: Path) -> None:
    old = _added_then_removed(clean_repo, "CLAUDE.md")
    _with_remote(clean_repo, tmp_path, "main")
    merge = _merge_ours(clean_repo, old)
    result = _push_hook(clean_repo, "attack")
    assert result.returncode == 1, result.stderr
    assert _brought(json.loads(result.stdout)["findings"], merge)["path"] == "CLAUDE.md"


def test_a_new_branch_that_merged_two_remote_branches_brings_neither(
        clean_repo: Repo, tmp_path: Path) -> None:
    # main and develop each have a trace the other lacks; the branch starts from develop and
    # merges main. Its two merge bases with the remote's branches are the tips of both: a
    # diff against either one alone would report the other's trace.
    clean_repo.git("checkout", "-q", "-b", "develop")
    clean_repo.commit("rules", ".cursor/rules/style.mdc")
    clean_repo.git("checkout", "-q", "main")
    clean_repo.commit("memory", "CLAUDE.md")
    _with_remote(clean_repo, tmp_path, "main", "develop")
    clean_repo.git("checkout", "-q", "-b", "feature", "develop")
    clean_repo.commit("feature work", "src/feature.py")
    clean_repo.git("merge", "-q", "--no-edit", "main")
    result = _push_hook(clean_repo, "feature")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["findings"] == []
    clean_repo.commit("and a trace of its own", "GEMINI.md")
    result = _push_hook(clean_repo, "feature")
    assert result.returncode == 1
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["GEMINI.md"]


def test_what_server_revisions_exclude() -> None:
    assert revision_bottoms(["new", "^old"]) == ["old"]
    assert revision_bottoms(["new", "--not", "main", "release"]) == ["main", "release"]
    assert revision_bottoms(["new"]) == []
    assert revision_bottoms(["new", "--not", "main", "--not", "^other"]) == ["main", "other"]
    assert revision_bottoms(["new", "other"]) is None  # two heads
    assert revision_bottoms(["new", "--not", "^other"]) is None  # ^ after --not: a second head
    assert revision_bottoms(["new", "--not", "--remotes=origin"]) is None
    assert revision_bottoms(["^old", "new"]) is None
    assert revision_bottoms([]) is None
