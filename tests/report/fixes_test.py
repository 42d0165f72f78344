"""Fixes that remove a trace and keep it out: the ignore line git reads back as exactly
that path, one removal for a folder of traces, a branch renamed where it was pushed too."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.model import Finding
from ai_clearance.report.fixes import agent_folder, exclude_line, next_step
from conftest import Repo, git, run_cli


@pytest.mark.parametrize("path", ["CLAUDE.md", "a b/.cursorrules", "x*y/AGENTS.md",
                                  "!important/GEMINI.md", "#notes/CLAUDE.md",
                                  "q?[1]/.windsurfrules", "back\\slash/CLAUDE.md",
                                  "trailing /CLAUDE.md", "end space "])
def test_the_exclude_line_matches_that_path_and_no_other(tmp_path: Path, path: str) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / ".git" / "info").mkdir(exist_ok=True)
    (tmp_path / ".git" / "info" / "exclude").write_text(exclude_line(path, False) + "\n",
                                                          "utf-8")
    others = [f"sub/{path}", f"{path}x", "CLAUDE.mdx", "other"]
    found = subprocess.run(["git", "check-ignore", "--no-index", "-z", "--stdin"],
                           cwd=tmp_path, input="\0".join([path, *others]) + "\0",
                           capture_output=True, text=True, check=False).stdout
    assert found.split("\0")[:-1] == [path]


def test_a_folder_of_traces_is_removed_and_kept_out_once(repo: Repo) -> None:
    repo.commit("Initial commit", "README.md")
    repo.commit("Add agent config", ".claude/settings.json", ".claude/commands/deploy.md",
                ".claude/agents/review.md", "CLAUDE.md", "src/app.py")
    result = run_cli("check", "--no-trust", "--range", "HEAD~1..HEAD", "--format", "json",
                     cwd=repo.path)
    steps = {f["path"]: f["next_step"] for f in json.loads(result.stdout)["findings"]}
    folder_step = ("git rm -r --cached -- .claude && git commit --amend --no-edit && "
                   "echo /.claude/ >> .git/info/exclude")
    assert {steps[p] for p in steps if p.startswith(".claude/")} == {folder_step}
    assert steps["CLAUDE.md"].startswith("git rm --cached -- CLAUDE.md &&")
    text = run_cli("check", "--no-trust", "--range", "HEAD~1..HEAD", cwd=repo.path).stdout
    assert text.count(f"fix: {folder_step}") == 1, text
    # The fix does what it says: the trace is gone from the commit, and `git add -A` does
    # not bring it back.
    for command in (folder_step, steps["CLAUDE.md"]):
        for part in command.split(" && "):
            if part.startswith("echo "):
                line, target = shlex.split(part)[1], part.rpartition(">> ")[2]
                with open(repo.path / target, "a", encoding="utf-8") as handle:
                    handle.write(line + "\n")
            else:
                repo.git(*shlex.split(part)[1:])
    repo.git("add", "-A")
    again = run_cli("check", "--no-trust", "--range", "HEAD~1..HEAD", cwd=repo.path)
    assert again.returncode == 0, again.stdout


def test_agent_folder_is_the_folder_a_folder_rule_names() -> None:
    globs = ("**/.claude/**", "**/.worktreeinclude")
    assert agent_folder("pkg/.Claude/x/y.json", globs) == "pkg/.Claude"
    assert agent_folder(".claude", globs) is None
    assert agent_folder("CLAUDE.md", ("CLAUDE.md",)) is None


def test_a_branch_is_renamed_where_it_was_pushed_too() -> None:
    [finding] = [Finding(rule="AIC602", assistants=("codex",), kind="branch",
                         severity="warn", evidence="branch codex/fix-it")]
    assert next_step(finding, "range", None) == (
        "git branch -m codex/fix-it NEW-NAME && git push -u origin NEW-NAME && "
        "git push origin --delete codex/fix-it")
    catalog = load_catalog()
    assert catalog.by_id["AIC602"].kind == "branch"


@pytest.mark.parametrize(("finding", "step"), [
    (Finding("AIC901", ("claude",), "attribution", "block", "e", commit="c" * 40,
             path="src/a b.py", line=3, note="refs/notes/ai"),
     "ask for an approval of claude for these lines (a maintainer can scope it with --path "
     "'src/a b.py'), or rewrite them yourself"),
    (Finding("AIC911", ("cursor",), "record", "block", "e", path="src/a.py", line=1),
     "ask for an approval of cursor for these lines (a maintainer can scope it with --path "
     "src/a.py), or rewrite them yourself"),
    (Finding("AIC902", ("generic",), "attribution", "leak", "e", commit="c" * 40,
             note="refs/notes/ai"),
     "git notes --ref=refs/notes/ai edit cccccccccccc  (remove what the record says it "
     "stores, then push refs/notes/ai)"),
    (Finding("AIC903", ("generic",), "attribution", "block", "e",
             path=".agent-trace/traces.jsonl"),
     "fix or remove the record file .agent-trace/traces.jsonl, then check again"),
    (Finding("AIC922", ("generic",), "attribution", "leak", "e", commit="c" * 40),
     "ai-clearance explain AIC922  (what the record is, and what to do)"),
])
def test_an_attribution_record_is_fixed_by_approval_or_in_the_record(finding: Finding,
                                                                     step: str) -> None:
    """Agent lines are never a file to remove: the fix is an approval scoped to the file."""
    assert next_step(finding, "range", None) == step


def test_a_notes_or_checkpoint_ref_is_deleted_by_its_own_name() -> None:
    """The fix names the ref found (refs/notes/ai-stash, Entire's branch), not refs/notes/ai."""
    stash = Finding(rule="AIC701", assistants=("generic",), kind="notes", severity="leak",
                    evidence="ref refs/notes/ai-stash")
    assert next_step(stash, "history", None) == (
        "git push origin --delete refs/notes/ai-stash; git update-ref -d refs/notes/ai-stash")
    branch = Finding(rule="AIC711", assistants=("generic",), kind="notes", severity="leak",
                     evidence="ref entire/checkpoints/v1")
    assert next_step(branch, "staged", None).endswith(
        "git update-ref -d refs/heads/entire/checkpoints/v1")
    odd = Finding(rule="AIC701", assistants=("generic",), kind="notes", severity="leak",
                  evidence="ref refs/notes/ai-x\\x1b")
    assert "REF" in next_step(odd, "history", None)
