"""The agent at the keyboard, for real: `git commit` through the installed pre-commit hooks,
run by a process named like an agent or with an agent's environment marker."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HUMAN, MAINTAINER, Repo, _bin, make_key, run_cli, signer_line

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
AI_CLEARANCE_MSG = _bin("ai-clearance-msg")


@pytest.fixture(scope="session")
def hook_repo(project_snapshot: tuple[Path, str], pre_commit_home: Path) -> tuple[Path, str]:
    """This project as a committed repository (path, rev), hooks built once per run."""
    return project_snapshot


def _agent(folder: Path, name: str) -> Path:
    """A shell script named like an agent's executable that runs its arguments as a child
    (no exec: the script stays an ancestor of what it runs, as an agent does)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text('#!/bin/sh\n"$@"\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _commit(repo: Repo, message: str, *launcher: str,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*launcher, "git", "commit", "-m", message], cwd=repo.path,
                          text=True, capture_output=True, check=False,
                          env={**os.environ, **(env or {})})


def _setup(repo: Repo, tmp_path: Path, hook_repo: tuple[Path, str],
           policy: str = "") -> Path:
    """Maintainers, `policy`, and the commit-time hooks installed (the disclosure hook
    too); returns the maintainer's key."""
    path, rev = hook_repo
    key = make_key(tmp_path, "maintainer")
    repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    repo.write(".ai-clearance.toml", policy)
    repo.write(".pre-commit-config.yaml",
               "default_install_hook_types: [pre-commit, prepare-commit-msg, commit-msg]\n"
               f"repos:\n- repo: {path}\n  rev: {rev}\n  hooks:\n"
               "  - id: ai-clearance-files\n  - id: ai-clearance-disclose\n"
               "  - id: ai-clearance-msg\n")
    repo.commit("setup", ".ai-clearance/maintainers", ".ai-clearance.toml",
                ".pre-commit-config.yaml")
    installed = subprocess.run([*PRE_COMMIT, "install"], cwd=repo.path, text=True,
                               capture_output=True, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return key


def test_an_agent_session_fails_the_commit_hooks_until_approved(
        hook_repo: tuple[Path, str], repo: Repo, tmp_path: Path) -> None:
    key = _setup(repo, tmp_path, hook_repo)
    head = repo.head()
    claude = _agent(tmp_path / "bin", "claude")
    lookalike = _agent(tmp_path / "bin", "claude-dubois-backup")

    # A person, and a person's script that only looks like the agent's name, commit fine.
    repo.write("a.txt")
    repo.git("add", "a.txt")
    person = _commit(repo, "Add a", str(lookalike))
    assert person.returncode == 0, person.stdout + person.stderr
    head = repo.head()

    # Run by a process named claude, or with Gemini CLI's marker: the hooks fail, with
    # the evidence, and nothing is committed.
    repo.write("b.txt")
    repo.git("add", "b.txt")
    by_process = _commit(repo, "Add b", str(claude))
    assert by_process.returncode != 0
    said = by_process.stdout + by_process.stderr
    assert "AIC821" in said and "process name 'claude'" in said
    by_marker = _commit(repo, "Add b", env={"GEMINI_CLI": "1"})
    assert by_marker.returncode != 0
    said = by_marker.stdout + by_marker.stderr
    assert "AIC802" in said and "GEMINI_CLI='1'" in said
    assert repo.head() == head

    # An approval for this author and Claude Code clears the claude session, not Gemini's.
    repo.git("reset", "-q", "b.txt")
    repo.git("config", "user.signingkey", str(key))
    approved = run_cli("approve", "--key", str(key), "--signer", MAINTAINER,
                       "--author", HUMAN[1], "--assistant", "claude", "--expires", "90d",
                       "--reason", "Claude Code pilot", cwd=repo.path)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    repo.git("add", ".ai-clearance/approvals")
    repo.git("commit", "-q", "--no-verify", "-m", "Approve Jane for Claude Code")
    repo.git("add", "b.txt")
    assert _commit(repo, "Add b", env={"GEMINI_CLI": "1"}).returncode != 0
    cleared = _commit(repo, "Add b", str(claude))
    assert cleared.returncode == 0, cleared.stdout + cleared.stderr
    assert repo.git("log", "-1", "--format=%B").stdout.strip() == "Add b"  # block: as is


def _approve(repo: Repo, key: Path, assistant: str) -> None:
    repo.git("config", "user.signingkey", str(key))
    approved = run_cli("approve", "--key", str(key), "--signer", MAINTAINER,
                       "--author", HUMAN[1], "--assistant", assistant, "--expires", "90d",
                       "--reason", "pilot", cwd=repo.path)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    repo.git("add", ".ai-clearance/approvals")
    repo.git("commit", "-q", "--no-verify", "-m", f"Approve Jane for {assistant}")


def test_an_approved_session_discloses_itself_when_the_policy_says_so(
        hook_repo: tuple[Path, str], repo: Repo, tmp_path: Path) -> None:
    key = _setup(repo, tmp_path, hook_repo, 'session = "disclose"\n')
    _approve(repo, key, "claude")
    claude = _agent(tmp_path / "bin", "claude")
    repo.write("c.txt")
    repo.git("add", "c.txt")
    by_agent = _commit(repo, "Add c\n\nBody.", str(claude))
    assert by_agent.returncode == 0, by_agent.stdout + by_agent.stderr
    assert repo.git("log", "-1", "--format=%B").stdout.strip() == \
        "Add c\n\nBody.\n\nAssisted-by: claude"
    # A person's commit is left as written; an unapproved session still fails.
    repo.write("d.txt")
    repo.git("add", "d.txt")
    person = _commit(repo, "Add d")
    assert person.returncode == 0, person.stdout + person.stderr
    assert repo.git("log", "-1", "--format=%B").stdout.strip() == "Add d"
    repo.write("e.txt")
    repo.git("add", "e.txt")
    gemini = _commit(repo, "Add e", env={"GEMINI_CLI": "1"})
    assert gemini.returncode != 0 and "AIC802" in gemini.stdout + gemini.stderr


def test_the_policy_can_turn_session_detection_off(repo: Repo, tmp_path: Path) -> None:
    """The hook entry run directly (no pre-commit): `session = "off"` stops looking."""
    claude = _agent(tmp_path / "bin", "claude")
    message = tmp_path / "MSG"
    message.write_text("Add c\n", encoding="utf-8")
    command = [str(claude), sys.executable, "-m", "ai_clearance.integrations.hook_msg",
               str(message)]
    looked = subprocess.run(command, cwd=repo.path, text=True, capture_output=True,
                            check=False)
    assert looked.returncode == 1 and "AIC821" in looked.stdout
    repo.write(".ai-clearance.toml", 'session = "off"\n')
    repo.commit("policy", ".ai-clearance.toml")
    off = subprocess.run(command, cwd=repo.path, text=True, capture_output=True, check=False)
    assert off.returncode == 0, off.stdout + off.stderr


def _session_cases() -> list[tuple[str, str, str]]:
    """(rule, how, what) for each session rule: its first variable (NAME=VALUE) or its
    first executable name."""
    from ai_clearance.catalog.rules import load_catalog

    cases = []
    for rule in load_catalog().rules_for("session"):
        if rule.env:
            name, value = rule.env[0]
            cases.append((rule.id, "env", f"{name}={value or 'x'}"))
        else:  # an executable, inside the install folder the rule needs, if any
            name = sorted(rule.processes)[0] if rule.processes else "agent"
            folder = sorted(rule.process_folders)[0] + "/" if rule.process_folders else ""
            cases.append((rule.id, "process", folder + name))
    return cases


@pytest.mark.parametrize(("rule", "how", "what"), _session_cases())
def test_each_session_rule_is_seen_by_the_installed_message_hook(
        repo: Repo, tmp_path: Path, rule: str, how: str, what: str) -> None:
    """Every marker and every executable, for real: the commit-msg entry point started
    with the variable set, or by a script of that name."""
    message = tmp_path / "MSG"
    message.write_text("Add x\n", encoding="utf-8")
    command = [AI_CLEARANCE_MSG, str(message)]
    env = dict(os.environ)
    if how == "env":
        name, _, value = what.partition("=")
        env[name] = value
    else:
        folder, _, name = what.rpartition("/")
        command.insert(0, str(_agent(tmp_path / "bin" / folder, name)))
    ran = subprocess.run(command, cwd=repo.path, text=True, capture_output=True,
                         check=False, env=env)
    from ai_clearance.catalog.rules import load_catalog

    # A warning rule (an AI editor, the generic AGENT=1) is reported and does not fail.
    warns = next(r.severity for r in load_catalog().rules_for("session") if r.id == rule) == "warn"
    assert ran.returncode == (0 if warns else 1), ran.stdout + ran.stderr
    assert rule in ran.stdout
    assert ("the commit was not made" in ran.stdout) is not warns, ran.stdout


def test_mode_approve_passes_an_approved_session_that_discloses_itself(
        hook_repo: tuple[Path, str], repo: Repo, tmp_path: Path) -> None:
    """`mode = "approve"` with `session = "disclose"`: the approved agent's commit passes the
    hooks because the prepare-commit-msg hook adds the trailer; with that hook's trailer
    missing (session = "block" adds none), the commit-msg hook fails and says what to add."""
    key = _setup(repo, tmp_path, hook_repo, 'mode = "approve"\nsession = "disclose"\n')
    _approve(repo, key, "claude")
    claude = _agent(tmp_path / "bin", "claude")
    repo.write("f.txt")
    repo.git("add", "f.txt")
    disclosed = _commit(repo, "Add f", str(claude))
    assert disclosed.returncode == 0, disclosed.stdout + disclosed.stderr
    assert repo.git("log", "-1", "--format=%B").stdout.strip() == "Add f\n\nAssisted-by: claude"
    repo.write(".ai-clearance.toml", 'mode = "approve"\nsession = "block"\n')
    repo.commit("Session block", ".ai-clearance.toml")
    head = repo.head()
    repo.write("g.txt")
    repo.git("add", "g.txt")
    undisclosed = _commit(repo, "Add g", str(claude))
    assert undisclosed.returncode != 0
    said = undisclosed.stdout + undisclosed.stderr
    assert "AIC821" in said and "add a trailer such as `Assisted-by: claude`" in said
    assert repo.head() == head
    by_hand = _commit(repo, "Add g\n\nAssisted-by: Claude:claude-opus-4", str(claude))
    assert by_hand.returncode == 0, by_hand.stdout + by_hand.stderr
