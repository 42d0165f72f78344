"""`ai-clearance guard`: the installer on a temporary home folder, and the installed hook run
for real with an agent's tool call on stdin."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ai_clearance.integrations.agent_settings import AGENTS
from conftest import git, run_cli

CLAUDE_MATCHER = AGENTS["claude"].matcher


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def _guard(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("guard", *args, cwd=cwd or home, env={"HOME": str(home)})


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _guard_hooks(settings: Any, event: str = "PreToolUse",
                 matcher: str = CLAUDE_MATCHER) -> list[Any]:
    return [hook for group in settings["hooks"][event] if group["matcher"] == matcher
            for hook in group["hooks"] if "guard check-command" in hook["command"]]


def test_install_writes_a_claude_code_pretooluse_entry(home: Path) -> None:
    result = _guard(home, "install")
    assert result.returncode == 0, result.stderr
    settings = _load(home / ".claude" / "settings.json")
    [hook] = _guard_hooks(settings)
    assert hook["type"] == "command"
    assert hook["command"].endswith("ai-clearance guard check-command")


def test_install_keeps_the_other_settings_and_hooks(home: Path) -> None:
    path = home / ".claude" / "settings.json"
    path.parent.mkdir()
    existing = {
        "model": "opus", "permissions": {"deny": ["Bash(rm -rf:*)"]},
        "hooks": {
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command",
                                                          "command": "my-audit"}]},
                           {"matcher": "Write", "hooks": [{"type": "command",
                                                           "command": "fmt"}]}],
            "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
        },
    }
    path.write_text(json.dumps(existing), encoding="utf-8")
    assert _guard(home, "install").returncode == 0
    settings = _load(path)
    assert settings["model"] == "opus"
    assert settings["permissions"] == existing["permissions"]
    assert settings["hooks"]["Stop"] == existing["hooks"]["Stop"]
    # The user's groups stay exactly as they were; the guard comes in a group of its own.
    *kept, ours = settings["hooks"]["PreToolUse"]
    assert kept == existing["hooks"]["PreToolUse"]
    assert ours["matcher"] == CLAUDE_MATCHER
    assert set(ours["matcher"].split("|")) >= {"Bash", "Write", "Edit", "MultiEdit"}
    assert len(_guard_hooks(settings)) == 1


def test_install_twice_changes_nothing(home: Path) -> None:
    assert _guard(home, "install").returncode == 0
    path = home / ".claude" / "settings.json"
    before = path.read_bytes()
    again = _guard(home, "install")
    assert again.returncode == 0
    assert "already" in again.stdout
    assert path.read_bytes() == before


def test_an_older_install_is_replaced_not_doubled(home: Path) -> None:
    path = home / ".claude" / "settings.json"
    path.parent.mkdir()
    old = "/old/venv/bin/ai-clearance guard check-command"
    path.write_text(json.dumps({"hooks": {"PreToolUse": [
        {"matcher": "Bash", "hooks": [{"type": "command", "command": old}]}]}}),
        encoding="utf-8")
    assert _guard(home, "install").returncode == 0
    [hook] = _guard_hooks(_load(path))
    assert hook["command"] != old
    # the entry moved from the shell tool's matcher to the one that has the file tools too
    assert _guard_hooks(_load(path), matcher="Bash") == []


def test_status_says_an_earlier_shell_only_install_misses_the_file_tools(home: Path) -> None:
    assert _guard(home, "install").returncode == 0
    path = home / ".claude" / "settings.json"
    settings = _load(path)
    settings["hooks"]["PreToolUse"][0]["matcher"] = "Bash"
    path.write_text(json.dumps(settings), encoding="utf-8")
    result = _guard(home, "status", "--agent", "claude")
    assert "shell tool only" in result.stdout
    assert _guard(home, "install").returncode == 0
    assert "shell tool only" not in _guard(home, "status", "--agent", "claude").stdout


@pytest.mark.parametrize("text", ["{not json", "[]", '{"hooks": []}',
                                  '{"hooks": {"PreToolUse": {}}}'])
def test_a_settings_file_it_cannot_merge_is_left_alone(home: Path, text: str) -> None:
    path = home / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    result = _guard(home, "install")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_text(encoding="utf-8") == text


def test_a_linked_settings_file_stays_linked(home: Path, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "claude-settings.json"
    real.parent.mkdir()
    real.write_text('{"model": "opus"}', encoding="utf-8")
    (home / ".claude").mkdir()
    link = home / ".claude" / "settings.json"
    link.symlink_to(real)
    assert _guard(home, "install").returncode == 0
    assert link.is_symlink()
    assert _load(real)["model"] == "opus"
    assert len(_guard_hooks(_load(real))) == 1


def test_install_for_gemini_cli_writes_a_beforetool_entry(home: Path) -> None:
    assert _guard(home, "install", "--agent", "gemini").returncode == 0
    settings = _load(home / ".gemini" / "settings.json")
    [hook] = _guard_hooks(settings, "BeforeTool", AGENTS["gemini"].matcher)
    assert set(AGENTS["gemini"].matcher.split("|")) == {"run_shell_command", "write_file",
                                                         "replace"}
    assert hook["name"] == "ai-clearance-guard"
    assert not (home / ".claude").exists()


def test_project_scope_writes_into_the_project_and_says_it_is_a_trace(
        home: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    result = _guard(home, "install", "--scope", "project", "-C", str(project))
    assert result.returncode == 0
    assert "trace" in result.stdout
    assert len(_guard_hooks(_load(project / ".claude" / "settings.json"))) == 1
    assert not (home / ".claude").exists()


def test_the_help_warns_that_project_settings_are_a_trace(home: Path) -> None:
    result = _guard(home, "install", "--help")
    assert "trace" in result.stdout


def test_status_says_where_the_guard_is(home: Path) -> None:
    before = _guard(home, "status", "--agent", "claude")
    assert before.returncode == 1
    assert "not installed" in before.stdout
    _guard(home, "install")
    after = _guard(home, "status", "--agent", "claude")
    assert after.returncode == 0
    assert f"installed: {home / '.claude' / 'settings.json'}" in after.stdout


def test_status_reports_an_unreadable_file(home: Path) -> None:
    (home / ".gemini").mkdir()
    (home / ".gemini" / "settings.json").write_text("{", encoding="utf-8")
    result = _guard(home, "status", "--agent", "gemini")
    assert result.returncode == 1
    assert "unreadable" in result.stdout


def test_status_sees_a_hook_whose_program_is_gone(home: Path) -> None:
    (home / ".claude").mkdir()
    (home / ".claude" / "settings.json").write_text(json.dumps({"hooks": {"PreToolUse": [
        {"matcher": "Bash", "hooks": [{"type": "command",
                                       "command": "/gone/ai-clearance guard check-command"}]}]}}),
        encoding="utf-8")
    result = _guard(home, "status", "--agent", "claude")
    assert result.returncode == 1
    assert "is not there" in result.stdout


def _run_installed_hook(home: Path, payload: str | bytes) -> subprocess.CompletedProcess[bytes]:
    """Run the command the settings name, through a shell as the agent does."""
    [hook] = _guard_hooks(_load(home / ".claude" / "settings.json"))
    data = payload.encode() if isinstance(payload, str) else payload
    return subprocess.run(["/bin/sh", "-c", hook["command"]], input=data,
                          capture_output=True, check=False, cwd=home,
                          env={**os.environ, "PATH": "/usr/bin:/bin"})


def _call(command: str) -> str:
    return json.dumps({"session_id": "abc", "transcript_path": "/tmp/t.jsonl", "cwd": "/w",
                       "hook_event_name": "PreToolUse", "tool_name": "Bash",
                       "tool_input": {"command": command, "description": "Commit"}})


def test_the_installed_hook_refuses_no_verify_with_exit_2(home: Path) -> None:
    assert _guard(home, "install").returncode == 0
    refused = _run_installed_hook(home, _call("git add -A && git commit --no-verify -m wip"))
    assert refused.returncode == 2
    assert b"--no-verify" in refused.stderr
    assert refused.stderr.count(b"\n") == 1
    allowed = _run_installed_hook(home, _call("git commit -m 'wip'"))
    assert allowed.returncode == 0
    assert allowed.stderr == b""


def _file_call(tool: str, path: Path, **tool_input: Any) -> str:
    return json.dumps({"session_id": "abc", "cwd": str(path.parent), "tool_name": tool,
                       "hook_event_name": "PreToolUse",
                       "tool_input": {"file_path": str(path), **tool_input}})


def test_the_installed_hook_refuses_file_tools_aimed_at_the_hooks(home: Path,
                                                                  tmp_path: Path) -> None:
    assert _guard(home, "install").returncode == 0
    hook = tmp_path / "repo" / ".git" / "hooks" / "pre-commit"
    for call in (_file_call("Write", hook, content="#!/bin/sh\nexit 0\n"),
                 _file_call("Edit", hook, old_string="exit 1", new_string="exit 0"),
                 _file_call("MultiEdit", hook, edits=[{"old_string": "1", "new_string": "0"}]),
                 _file_call("Write", tmp_path / "repo" / ".git" / "config", content="")):
        refused = _run_installed_hook(home, call)
        assert refused.returncode == 2, call
        assert refused.stderr.startswith(b"ai-clearance guard: refused:")
    source = _file_call("Write", tmp_path / "repo" / "src" / "app.py", content="x = 1\n")
    assert _run_installed_hook(home, source).returncode == 0


def test_the_installed_hook_reads_the_config_a_write_would_replace(home: Path,
                                                                   tmp_path: Path) -> None:
    assert _guard(home, "install").returncode == 0
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text("repos:\n- repo: local\n  hooks:\n  - id: ai-clearance-files\n"
                      "  - id: black\n", encoding="utf-8")
    dropped = _file_call("Write", config, content="repos:\n- repo: local\n  hooks:\n"
                                                  "  - id: black\n")
    assert _run_installed_hook(home, dropped).returncode == 2
    kept = _file_call("Write", config, content=config.read_text(encoding="utf-8")
                      + "  - id: flake8\n")
    assert _run_installed_hook(home, kept).returncode == 0
    fresh = _file_call("Write", tmp_path / "new" / "lefthook.yml", content="pre-commit: {}\n")
    assert _run_installed_hook(home, fresh).returncode == 0


@pytest.mark.parametrize("payload", [b"", b"{", b"\xff", b'{"tool_name": "Bash"}'])
def test_the_installed_hook_refuses_what_it_cannot_read(home: Path, payload: bytes) -> None:
    assert _guard(home, "install").returncode == 0
    result = _run_installed_hook(home, payload)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert result.stderr.startswith(b"ai-clearance guard: refused:")


def test_uninstall_takes_only_the_guard_out(home: Path) -> None:
    path = home / ".claude" / "settings.json"
    path.parent.mkdir()
    original = {"model": "opus", "hooks": {"PreToolUse": [
        {"matcher": "Bash", "hooks": [{"type": "command", "command": "my-audit"}]}]}}
    path.write_text(json.dumps(original), encoding="utf-8")
    assert _guard(home, "install").returncode == 0
    result = _guard(home, "uninstall")
    assert result.returncode == 0
    assert _load(path) == original
    again = _guard(home, "uninstall")
    assert again.returncode == 0
    assert "not in" in again.stdout


def test_uninstall_of_a_fresh_install_leaves_no_empty_hooks(home: Path) -> None:
    assert _guard(home, "install", "--agent", "gemini").returncode == 0
    assert _guard(home, "uninstall", "--agent", "gemini").returncode == 0
    assert _load(home / ".gemini" / "settings.json") == {}


def _bash_call(command: str, cwd: Path) -> str:
    return json.dumps({"session_id": "abc", "cwd": str(cwd), "tool_name": "Bash",
                       "hook_event_name": "PreToolUse", "tool_input": {"command": command}})


def test_the_installed_hook_refuses_git_clean_x_where_husky_keeps_its_runner(
        home: Path, tmp_path: Path) -> None:
    """Husky's `.husky/_` is git-ignored; `git clean -fdx` from any folder of that
    repository is refused, and runs in a repository without it."""
    assert _guard(home, "install").returncode == 0
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    git(repo, "init", "-q")
    clean, cleaned = _bash_call("git clean -fdx", repo / "src"), _bash_call("git clean -fd", repo)
    assert _run_installed_hook(home, clean).returncode == 0
    (repo / ".husky" / "_").mkdir(parents=True)
    (repo / ".husky" / "_" / ".gitignore").write_text("*\n", encoding="utf-8")
    refused = _run_installed_hook(home, clean)
    assert refused.returncode == 2
    assert b"without -x" in refused.stderr
    assert _run_installed_hook(home, _bash_call("git stash --all", repo)).returncode == 2
    assert _run_installed_hook(home, cleaned).returncode == 0


def test_the_installed_hook_reads_the_patch_git_apply_would_apply(home: Path,
                                                                  tmp_path: Path) -> None:
    assert _guard(home, "install").returncode == 0
    patch = tmp_path / "fix.patch"
    patch.write_text("--- a/.pre-commit-config.yaml\n+++ b/.pre-commit-config.yaml\n",
                     encoding="utf-8")
    assert _run_installed_hook(home, _bash_call("git apply fix.patch", tmp_path)).returncode == 2
    patch.write_text("--- a/src/app.py\n+++ b/src/app.py\n", encoding="utf-8")
    assert _run_installed_hook(home, _bash_call("git apply fix.patch", tmp_path)).returncode == 0
