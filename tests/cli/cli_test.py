"""The installed `ai-clearance` command against real repositories: every source, every exit code."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import Repo, git, run_cli

CLAUDE_TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"


def _json(result: Any) -> dict[str, Any]:
    assert result.stdout, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _rules(result: Any) -> set[str]:
    return {f["rule"] for f in _json(result)["findings"] if f["status"] == "fail"}


# ------------------------------------------------------------------------- --staged
def test_staged_trace_fails_and_clean_passes(clean_repo: Repo) -> None:
    clean_repo.write("src/app.py")
    clean_repo.git("add", "src/app.py")
    ok = run_cli("check", "--staged", cwd=clean_repo.path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "PASS" in ok.stdout
    clean_repo.write("CLAUDE.md", "# memory\n")
    clean_repo.git("add", "CLAUDE.md")
    bad = run_cli("check", "--staged", "--format", "json", cwd=clean_repo.path)
    assert bad.returncode == 1
    data = _json(bad)
    assert data["verdict"] == "fail"
    (finding,) = data["findings"]
    assert finding["rule"] == "AIC101" and finding["path"] == "CLAUDE.md"
    assert finding["next_step"] == \
        "git rm --cached -- CLAUDE.md && echo /CLAUDE.md >> .git/info/exclude"


def test_staged_in_an_opencode_shell_fails_and_agent_alone_warns(clean_repo: Repo) -> None:
    # AGENT=1 alone (a build agent, a profile may set it): a warning, the check passes.
    clean_repo.write("src/app.py")
    clean_repo.git("add", "src/app.py")
    alone = run_cli("check", "--staged", "--format", "json", cwd=clean_repo.path,
                    env={"AGENT": "1"})
    assert alone.returncode == 0, alone.stdout + alone.stderr
    assert _rules(alone) == set()
    assert [(f["rule"], f["status"]) for f in _json(alone)["findings"]] == [("AIC814", "warn")]
    # OpenCode's shell tool: AGENT=1 with its own variables, the check fails.
    opencode = run_cli("check", "--staged", "--format", "json", cwd=clean_repo.path,
                       env={"AGENT": "1", "OPENCODE": "1", "OPENCODE_PID": "4242"})
    assert opencode.returncode == 1
    assert _rules(opencode) == {"AIC811", "AIC812"}


def test_staged_before_the_first_commit(repo: Repo) -> None:
    repo.write(".cursor/rules/a.mdc")
    repo.git("add", ".")
    result = run_cli("check", "--staged", "--format", "json", cwd=repo.path)
    assert result.returncode == 1
    assert _rules(result) == {"AIC109"}


def test_staged_workflow_content_is_read_from_the_index(clean_repo: Repo) -> None:
    clean_repo.write(".github/workflows/ai.yml", "jobs:\n  a:\n    steps:\n"
                     "      - uses: anthropics/claude-code-action@v1\n")
    clean_repo.git("add", ".")
    clean_repo.write(".github/workflows/ai.yml", "jobs: {}\n")  # the work tree differs
    result = run_cli("check", "--staged", "--format", "json", cwd=clean_repo.path)
    assert result.returncode == 1
    (finding,) = _json(result)["findings"]
    assert finding["rule"] == "AIC301" and finding["line"] == 4


def test_removing_a_trace_is_not_a_trace(clean_repo: Repo) -> None:
    clean_repo.commit("add", "CLAUDE.md")
    clean_repo.git("rm", "-q", "--cached", "CLAUDE.md")
    assert run_cli("check", "--staged", cwd=clean_repo.path).returncode == 0


# ------------------------------------------------------------------------- --message
def test_message_file_and_stdin(clean_repo: Repo, tmp_path: Path) -> None:
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(f"Fix\n\n{CLAUDE_TRAILER}\n", "utf-8")
    bad = run_cli("check", "--message", str(message), "--format", "json", cwd=clean_repo.path)
    assert bad.returncode == 1
    assert _rules(bad) == {"AIC401"}
    assert _json(bad)["findings"][0]["line"] == 3
    good = run_cli("check", "--message", "-", cwd=clean_repo.path, stdin="Fix the parser\n")
    assert good.returncode == 0


def test_message_checks_the_identity_git_would_record(clean_repo: Repo, tmp_path: Path) -> None:
    message = tmp_path / "msg"
    message.write_text("Refactor\n", "utf-8")
    result = run_cli("check", "--message", str(message), "--format", "json",
                     cwd=clean_repo.path, env={"GIT_AUTHOR_NAME": "Jane Dev (aider)"})
    assert result.returncode == 1
    assert _rules(result) == {"AIC501"}


def test_message_outside_a_repository(tmp_path: Path) -> None:
    message = tmp_path / "msg"
    message.write_text("Fix\n\nMade-with: Cursor\n", "utf-8")
    result = run_cli("check", "--message", str(message), cwd=tmp_path)
    assert result.returncode == 1


def test_unreadable_message_is_a_usage_error(clean_repo: Repo) -> None:
    result = run_cli("check", "--message", "/nonexistent/msg", cwd=clean_repo.path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_latin1_message_bytes_still_match(clean_repo: Repo, tmp_path: Path) -> None:
    message = tmp_path / "msg"
    message.write_bytes(b"Caf\xe9 fix\n\nCo-authored-by: Codex <noreply@openai.com>\n")
    assert run_cli("check", "--message", str(message), cwd=clean_repo.path).returncode == 1


# ------------------------------------------------------------------------- --range
def _history(repo: Repo) -> tuple[str, str, str]:
    base = repo.commit("base", "a.txt")
    middle = repo.commit(f"feature\n\n{CLAUDE_TRAILER}\n", "b.txt")
    tip = repo.commit("more", "c.txt")
    return base, middle, tip


def test_range_forms(clean_repo: Repo) -> None:
    base, middle, tip = _history(clean_repo)
    two_dots = run_cli("check", "--range", f"{base}..{tip}", "--format", "json",
                       cwd=clean_repo.path)
    assert two_dots.returncode == 1
    data = _json(two_dots)
    assert data["coverage"]["commits_scanned"] == 2
    assert data["findings"][0]["commit"] == middle
    assert run_cli("check", "--range", f"{middle}..{tip}", cwd=clean_repo.path).returncode == 0
    single = run_cli("check", "--range", middle, "--format", "json", cwd=clean_repo.path)
    assert single.returncode == 1 and _json(single)["coverage"]["commits_scanned"] == 1
    assert run_cli("check", "--range", tip, cwd=clean_repo.path).returncode == 0


def test_three_dot_range_is_since_the_merge_base(clean_repo: Repo) -> None:
    fork = clean_repo.head()
    clean_repo.git("checkout", "-q", "-b", "topic")
    clean_repo.commit("topic work", "t.txt")
    clean_repo.git("checkout", "-q", "main")
    clean_repo.commit(f"main work\n\n{CLAUDE_TRAILER}\n", "m.txt")
    result = run_cli("check", "--range", "main...topic", "--format", "json",
                     cwd=clean_repo.path)
    assert result.returncode == 0, result.stdout
    assert _json(result)["coverage"]["range"].startswith(fork)


def test_unresolvable_and_empty_ranges_fail_closed(clean_repo: Repo) -> None:
    missing = run_cli("check", "--range", "nope..HEAD", cwd=clean_repo.path)
    assert missing.returncode == 3
    assert "cannot resolve 'nope'" in missing.stderr
    empty = run_cli("check", "--range", "HEAD..HEAD", cwd=clean_repo.path)
    assert empty.returncode == 3 and "no commits" in empty.stderr
    allowed = run_cli("check", "--range", "HEAD..HEAD", "--allow-empty", cwd=clean_repo.path)
    assert allowed.returncode == 0


def test_trace_added_and_removed_inside_the_range(clean_repo: Repo) -> None:
    base = clean_repo.head()
    clean_repo.commit("add memory", "CLAUDE.md")
    clean_repo.git("rm", "-q", "CLAUDE.md")
    clean_repo.commit("remove memory")
    result = run_cli("check", "--range", f"{base}..HEAD", "--format", "json",
                     cwd=clean_repo.path)
    assert result.returncode == 1 and _rules(result) == {"AIC101"}


def test_conflict_resolution_in_a_merge_is_checked(clean_repo: Repo) -> None:
    base = clean_repo.head()
    clean_repo.git("checkout", "-q", "-b", "side")
    clean_repo.commit("side", "side.txt")
    clean_repo.git("checkout", "-q", "main")
    clean_repo.commit("main", "main.txt")
    clean_repo.git("merge", "-q", "--no-commit", "side")
    clean_repo.write(".claude/settings.json", "{}\n")
    clean_repo.git("add", ".claude/settings.json")
    clean_repo.git("commit", "-q", "--no-verify", "-m", "Merge side")
    merge = clean_repo.head()
    result = run_cli("check", "--range", f"{base}..HEAD", "--format", "json",
                     cwd=clean_repo.path)
    assert result.returncode == 1
    (finding,) = _json(result)["findings"]
    assert finding["commit"] == merge and finding["rule"] == "AIC102"


def test_rename_into_a_traced_path(clean_repo: Repo) -> None:
    clean_repo.commit("notes", "notes.md")
    base = clean_repo.head()
    clean_repo.git("mv", "notes.md", "AGENTS.md")
    clean_repo.commit("rename")
    result = run_cli("check", "--range", f"{base}..HEAD", "--format", "json",
                     cwd=clean_repo.path)
    assert result.returncode == 1 and _rules(result) == {"AIC103"}


def test_shallow_clone_cannot_see_the_range(clean_repo: Repo, tmp_path: Path) -> None:
    base, _, _ = _history(clean_repo)
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{clean_repo.path}", str(clone))
    deep = run_cli("check", "--range", f"{base}..HEAD", cwd=clone)
    assert deep.returncode == 3 and "shallow" in deep.stderr
    near = run_cli("check", "--range", "HEAD~2..HEAD", cwd=clone)
    assert near.returncode == 3
    history = run_cli("check", "--history", cwd=clone)
    assert history.returncode == 3 and "shallow" in history.stderr
    git(clone, "fetch", "-q", "--depth", "2")
    edge = run_cli("check", "--range", "HEAD~1..HEAD", cwd=clone)
    assert edge.returncode == 0, edge.stderr


# ------------------------------------------------------------------------- --tree
def test_tree(clean_repo: Repo) -> None:
    assert run_cli("check", "--tree", "HEAD", cwd=clean_repo.path).returncode == 0
    clean_repo.commit("add", ".aider.chat.history.md")
    result = run_cli("check", "--tree", "HEAD", "--format", "json", cwd=clean_repo.path)
    assert result.returncode == 1
    (finding,) = _json(result)["findings"]
    assert finding["rule"] == "AIC203" and finding["severity"] == "leak"
    assert run_cli("check", "--tree", "HEAD~1", cwd=clean_repo.path).returncode == 0
    assert run_cli("check", "--tree", "no-such-rev", cwd=clean_repo.path).returncode == 3


# ------------------------------------------------------------------------- --history
def test_history_and_all_refs(clean_repo: Repo) -> None:
    assert run_cli("check", "--history", cwd=clean_repo.path).returncode == 0
    clean_repo.git("checkout", "-q", "-b", "claude/experiment")
    clean_repo.commit("experiment", author=("Claude", "noreply@anthropic.com"))
    clean_repo.git("checkout", "-q", "main")
    assert run_cli("check", "--history", cwd=clean_repo.path).returncode == 0
    every = run_cli("check", "--history", "--all", "--format", "json", cwd=clean_repo.path)
    assert every.returncode == 1
    data = _json(every)
    assert _rules(every) == {"AIC501"}
    warned = {f["rule"] for f in data["findings"] if f["status"] == "warn"}
    assert warned == {"AIC601"}


def test_history_of_an_empty_repository_fails_closed(repo: Repo) -> None:
    result = run_cli("check", "--history", cwd=repo.path)
    assert result.returncode == 3 and "no commits" in result.stderr


def test_bare_repository(clean_repo: Repo, tmp_path: Path) -> None:
    clean_repo.commit("add", "GEMINI.md")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(clean_repo.path), str(bare))
    assert run_cli("check", "--history", cwd=bare).returncode == 1
    assert run_cli("check", "--staged", cwd=bare).returncode == 2


def test_detached_head(clean_repo: Repo) -> None:
    clean_repo.commit("add", "QWEN.md")
    clean_repo.git("checkout", "-q", "--detach", "HEAD")
    assert run_cli("check", "--history", cwd=clean_repo.path).returncode == 1


def test_not_a_repository(tmp_path: Path) -> None:
    result = run_cli("check", "--history", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.startswith("ai-clearance: error:") and "Traceback" not in result.stderr


# ------------------------------------------------------------------------- usage, config
@pytest.mark.parametrize("args", [
    ("check",),
    ("check", "--staged", "--history"),
    ("check", "--tree", "HEAD", "--all"),
    ("check", "--staged", "--format", "xml"),
    ("nonsense",),
    ("explain", "AIC000"),
])
def test_usage_errors(clean_repo: Repo, args: tuple[str, ...]) -> None:
    result = run_cli(*args, cwd=clean_repo.path)
    assert result.returncode == 2
    assert result.stderr.startswith("ai-clearance: error:")
    assert result.stderr.count("\n") == 1


def test_broken_config_is_exit_2_naming_the_file(clean_repo: Repo) -> None:
    clean_repo.write(".ai-clearance.toml", "allowed = [\n")
    clean_repo.commit("policy", ".ai-clearance.toml")
    result = run_cli("check", "--history", cwd=clean_repo.path)
    assert result.returncode == 2
    assert ".ai-clearance.toml at HEAD" in result.stderr and "invalid TOML" in result.stderr
    explicit = run_cli("check", "--history", "--config", str(clean_repo.path / "missing.toml"),
                       cwd=clean_repo.path)
    assert explicit.returncode == 2 and "missing.toml" in explicit.stderr


def test_policy_allows_an_assistant(clean_repo: Repo) -> None:
    clean_repo.commit("add", ".github/copilot-instructions.md")
    assert run_cli("check", "--tree", "HEAD", cwd=clean_repo.path).returncode == 1
    clean_repo.write(".ai-clearance.toml", 'allowed = ["copilot"]\n')
    uncommitted = run_cli("check", "--tree", "HEAD", cwd=clean_repo.path)
    assert uncommitted.returncode == 1  # policy comes from a commit, never the work tree
    clean_repo.commit("policy", ".ai-clearance.toml")
    result = run_cli("check", "--tree", "HEAD", "--format", "json", cwd=clean_repo.path)
    assert result.returncode == 0
    (finding,) = _json(result)["findings"]
    assert finding["status"] == "allowed" and finding["cleared_by"] == "policy allows copilot"


def test_branch_name_only_warns(clean_repo: Repo) -> None:
    result = run_cli("check", "--tree", "HEAD", "--branch", "codex/add-cache", "--format",
                     "json", cwd=clean_repo.path)
    assert result.returncode == 0
    assert [f["status"] for f in _json(result)["findings"]] == ["warn"]


# ------------------------------------------------------------------------- output
def test_json_schema_is_stable(clean_repo: Repo) -> None:
    clean_repo.commit(f"x\n\n{CLAUDE_TRAILER}\n", "CLAUDE.md")
    data = _json(run_cli("check", "--range", "HEAD", "--format", "json", cwd=clean_repo.path))
    assert set(data) == {"schema", "verdict", "coverage", "counts", "findings",
                         "approve_commands"}
    assert {"source", "range", "commits_scanned"} <= set(data["coverage"])
    for finding in data["findings"]:
        assert set(finding) == {"rule", "assistants", "kind", "severity", "confidence",
                                "status", "commit", "author", "author_date", "committer_date",
                                "path", "line", "pull_request", "evidence", "cleared_by",
                                "next_step", "why"}
        assert finding["author"] == "Jane Dev <jane@example.com>"


def test_json_findings_carry_the_commits_author_and_committer_dates(clean_repo: Repo) -> None:
    clean_repo.write("CLAUDE.md")
    clean_repo.git("add", "CLAUDE.md")
    git(clean_repo.path, "commit", "-q", "-m", "x", env={
        "GIT_AUTHOR_DATE": "2026-03-04T05:06:07+02:00",
        "GIT_COMMITTER_DATE": "2026-04-05T06:07:08-03:00"})
    data = _json(run_cli("check", "--range", "HEAD", "--format", "json", cwd=clean_repo.path))
    dated = {(f["author_date"], f["committer_date"]) for f in data["findings"]}
    assert dated == {("2026-03-04T05:06:07+02:00", "2026-04-05T06:07:08-03:00")}


def test_text_output_groups_by_commit_and_gives_the_fix(clean_repo: Repo) -> None:
    clean_repo.commit(f"x\n\n{CLAUDE_TRAILER}\n", "CLAUDE.md")
    text = run_cli("check", "--range", "HEAD", cwd=clean_repo.path).stdout
    head = clean_repo.head()[:12]
    assert f"commit {head}  Jane Dev <jane@example.com>" in text
    assert "git rm --cached -- CLAUDE.md && git commit --amend --no-edit" in text
    assert "git commit --amend  (remove line 3 of the message)" in text
    assert "FAIL" in text.splitlines()[-1]


def test_rules_and_explain(clean_repo: Repo) -> None:
    listing = run_cli("rules", cwd=clean_repo.path)
    assert listing.returncode == 0 and "AIC101" in listing.stdout
    rules = json.loads(run_cli("rules", "--format", "json", cwd=clean_repo.path).stdout)
    assert {r["id"] for r in rules} >= {"AIC101", "AIC401", "AIC501", "AIC601"}
    explained = run_cli("explain", "aic203", cwd=clean_repo.path)
    assert explained.returncode == 0 and ".aider.chat.history.md" in explained.stdout


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
        digest.update(str(os.lstat(path).st_mtime_ns).encode())
    return digest.hexdigest()


def test_checks_leave_the_repository_unchanged(clean_repo: Repo) -> None:
    clean_repo.commit(f"x\n\n{CLAUDE_TRAILER}\n", "CLAUDE.md", ".github/workflows/a.yml")
    clean_repo.write("AGENTS.md")
    clean_repo.git("add", "AGENTS.md")
    before = _tree_digest(clean_repo.path)
    for args in (("--staged",), ("--history", "--all"), ("--tree", "HEAD"),
                 ("--range", "HEAD~1..HEAD")):
        run_cli("check", *args, cwd=clean_repo.path)
    assert _tree_digest(clean_repo.path) == before


def test_doctor_lists_missing_hooks(clean_repo: Repo) -> None:
    result = run_cli("doctor", cwd=clean_repo.path)
    assert result.returncode == 1
    assert "pre-commit install --hook-type commit-msg" in result.stdout
    assert "fail  no commit-msg hook" in result.stdout
    assert "ok    policy: defaults" in result.stdout


def test_doctor_outside_a_repository(tmp_path: Path) -> None:
    result = run_cli("doctor", cwd=tmp_path)
    assert result.returncode == 3 and "not a git repository" in result.stderr


def test_a_tree_check_that_stops_early_is_one_line_and_its_exit_code(clean_repo: Repo) -> None:
    result = run_cli("check", "--tree", "HEAD", "--config", "missing.toml",
                     cwd=clean_repo.path)
    assert result.returncode == 2 and "missing.toml" in result.stderr
    failed = run_cli("check", "--tree", "no-such-rev", cwd=clean_repo.path)
    assert failed.returncode == 3
    assert failed.stderr.strip() == \
        "ai-clearance: error: git ls-tree failed: Not a valid object name no-such-rev"
