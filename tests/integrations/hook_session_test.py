"""Commits that skip the commit hooks, made inside an agent session, for real: git runs
prepare-commit-msg for cherry-pick, revert, rebase, merge and `commit --no-verify`, where
ai-clearance-session stops them; `git am` runs no hook pre-commit installs, so the pre-push
hook judges the session that pushes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Repo, _bin, git

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
AI_CLEARANCE_SESSION = _bin("ai-clearance-session")
AGENT = {"CLAUDECODE": "1"}  # Claude Code's marker in its Bash tool's environment
# A person's environment that only looks like an agent's: no session.
PERSON = {"CLAUDE_NAME": "Claude Dubois", "EDITOR": "claude-editor"}


@pytest.fixture(scope="session")
def hook_repo(project_snapshot: tuple[Path, str], pre_commit_home: Path) -> tuple[Path, str]:
    """This project as a committed repository (path, rev), hooks built once per run."""
    return project_snapshot


def _run(repo: Repo, *args: str, env: dict[str, str] | None = None,
         ) -> subprocess.CompletedProcess[str]:
    return git(repo.path, *args, env=env, check=False)


def _setup(repo: Repo, tmp_path: Path, hook_repo: tuple[Path, str]) -> Path:
    """The four hook types installed, a bare remote as origin that has main, and a branch
    `side` with one commit; returns the remote."""
    path, rev = hook_repo
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    repo.write(".pre-commit-config.yaml",
               "default_install_hook_types: [pre-commit, prepare-commit-msg, commit-msg, "
               "pre-push]\n"
               f"repos:\n- repo: {path}\n  rev: {rev}\n  hooks:\n"
               "  - id: ai-clearance-files\n  - id: ai-clearance-session\n"
               "  - id: ai-clearance-msg\n  - id: ai-clearance-push\n")
    repo.commit("setup", ".pre-commit-config.yaml")
    installed = subprocess.run([*PRE_COMMIT, "install"], cwd=repo.path, text=True,
                               capture_output=True, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (repo.path / ".git" / "hooks" / "prepare-commit-msg").exists()
    pushed = repo.git("push", "-q", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    repo.git("remote", "set-head", "origin", "--auto")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("Add s", "s.txt")
    repo.git("checkout", "-q", "main")
    repo.commit("Add m", "m.txt")
    return remote


def _hookless(repo: Repo, env: dict[str, str]) -> dict[str, subprocess.CompletedProcess[str]]:
    """Each way to commit without pre-commit and commit-msg, run with `env`, each from the
    same starting point (main); returns how each went."""
    ran: dict[str, subprocess.CompletedProcess[str]] = {}
    start = repo.head()

    def back() -> None:
        for abort in (("cherry-pick", "--abort"), ("revert", "--abort"),
                      ("rebase", "--abort"), ("merge", "--abort")):
            _run(repo, *abort)
        repo.git("checkout", "-q", "-f", "main")
        repo.git("reset", "-q", "--hard", start)

    repo.write("n.txt", "n\n")
    repo.git("add", "n.txt")
    ran["commit -n"] = _run(repo, "commit", "-n", "-m", "Add n", env=env)
    back()
    repo.write("n.txt", "stashed\n")
    repo.git("add", "n.txt")
    repo.git("stash", "-q")
    ran["stash + cherry-pick"] = _run(repo, "cherry-pick", "-m", "1", "stash@{0}", env=env)
    repo.git("stash", "drop", "-q")
    back()
    ran["cherry-pick"] = _run(repo, "cherry-pick", "side", env=env)
    back()
    ran["revert"] = _run(repo, "revert", "--no-edit", "HEAD", env=env)
    back()
    ran["merge --no-verify"] = _run(repo, "merge", "--no-verify", "--no-edit", "side", env=env)
    back()
    repo.git("checkout", "-q", "side")
    ran["rebase"] = _run(repo, "rebase", "main", env=env)  # last: it moves `side`
    back()
    return ran


def test_an_agent_session_cannot_commit_around_the_commit_hooks(
        hook_repo: tuple[Path, str], repo: Repo, tmp_path: Path) -> None:
    _setup(repo, tmp_path, hook_repo)
    side = repo.git("rev-parse", "side").stdout
    for how, ran in _hookless(repo, AGENT).items():
        said = ran.stdout + ran.stderr
        assert ran.returncode != 0 and "AIC801" in said, f"{how}: {said}"
    assert repo.git("rev-parse", "side").stdout == side  # the rebase made nothing
    assert repo.git("stash", "list").stdout == ""


def test_people_commit_around_the_commit_hooks_as_before(
        hook_repo: tuple[Path, str], repo: Repo, tmp_path: Path) -> None:
    # Precision: a person (even one whose environment says Claude) cherry-picks, reverts,
    # merges and rebases with the hook installed.
    _setup(repo, tmp_path, hook_repo)
    for how, ran in _hookless(repo, PERSON).items():
        assert ran.returncode == 0, f"{how}: {ran.stdout + ran.stderr}"


def _mbox(repo: Repo, tmp_path: Path) -> Path:
    """A patch of a new file a.txt, as `git am` reads it (made on a throwaway branch)."""
    repo.git("checkout", "-q", "-b", "patch")
    repo.commit("Add a", "a.txt")
    made = repo.git("format-patch", "-1", "-o", str(tmp_path / "patches")).stdout.strip()
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-q", "-D", "patch")
    return Path(made)


def test_git_am_in_a_session_is_stopped_at_push(
        hook_repo: tuple[Path, str], repo: Repo, tmp_path: Path) -> None:
    remote = _setup(repo, tmp_path, hook_repo)
    patch = _mbox(repo, tmp_path)
    # `git am` runs applypatch-msg and pre-applypatch, which pre-commit does not install:
    # the commit is made (what the client cannot stop)...
    applied = _run(repo, "am", "-q", str(patch), env=AGENT)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    # ...and the agent's push fails, where the same push by a person passes.
    by_agent = _run(repo, "push", "origin", "main", env=AGENT)
    assert by_agent.returncode != 0
    assert "AIC801" in by_agent.stdout + by_agent.stderr
    assert git(remote, "rev-parse", "main").stdout != repo.head() + "\n"
    by_person = _run(repo, "push", "-q", "origin", "main", env=PERSON)
    assert by_person.returncode == 0, by_person.stdout + by_person.stderr
    assert git(remote, "rev-parse", "main").stdout.strip() == repo.head()


def _session_hook(repo: Repo, message: str, *source: str, policy: str,
                  ) -> subprocess.CompletedProcess[str]:
    """The hook entry as git runs it (FILE SOURCE [COMMIT]), in an agent session."""
    repo.write(".ai-clearance.toml", policy)
    if repo.git("status", "--porcelain", ".ai-clearance.toml").stdout:
        repo.commit("policy", ".ai-clearance.toml")
    target = repo.path / ".git" / "COMMIT_EDITMSG"
    target.write_text(message, encoding="utf-8")
    return subprocess.run([AI_CLEARANCE_SESSION, str(target), *source], cwd=repo.path,
                          text=True, capture_output=True, check=False,
                          env={**os.environ, **AGENT})


def test_the_session_hook_reads_the_mode_with_the_message_git_will_store(repo: Repo) -> None:
    repo.commit("init", allow_empty=True)
    disclose = 'mode = "disclose"\n'
    # A cherry-pick's message is final: disclosed passes, undisclosed fails.
    disclosed = _session_hook(repo, "Add x\n\nAssisted-by: Claude Code\n", "message",
                              policy=disclose)
    assert disclosed.returncode == 0, disclosed.stdout + disclosed.stderr
    undisclosed = _session_hook(repo, "Add x\n", "message", policy=disclose)
    assert undisclosed.returncode == 1 and "AIC801" in undisclosed.stdout
    # An editor still opens (no source, a template): commit-msg judges the disclosure.
    for source in ((), ("template",)):
        edited = _session_hook(repo, "\n# Please enter the commit message\n", *source,
                               policy=disclose)
        assert edited.returncode == 0, edited.stdout + edited.stderr
        assert "must be in the commit message" in edited.stdout
    # Forbid (the default) fails the session whatever the message says; `off` stops looking.
    forbid = _session_hook(repo, "Add x\n\nAssisted-by: Claude Code\n", "message", policy="")
    assert forbid.returncode == 1 and "AIC801" in forbid.stdout
    off = _session_hook(repo, "Add x\n", "message", policy='session = "off"\n')
    assert off.returncode == 0, off.stdout + off.stderr


def test_the_session_hook_judges_the_session_not_the_message(repo: Repo) -> None:
    # An amend opens the old message (source `commit`) that the person may still edit: its
    # traces are commit-msg's and CI's to judge, so a person is not stopped here.
    repo.commit("init", allow_empty=True)
    target = repo.path / ".git" / "COMMIT_EDITMSG"
    target.write_text("Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if k not in AGENT}
    ran = subprocess.run([AI_CLEARANCE_SESSION, str(target), "commit", "HEAD"],
                         cwd=repo.path, text=True, capture_output=True, check=False, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "AIC401" not in ran.stdout


def _push_hook(repo: Repo, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The push hook's entry as pre-commit runs it for main, over origin/main..main."""
    hook_env = {**os.environ, **env, "PRE_COMMIT_FROM_REF": "origin/main",
                "PRE_COMMIT_TO_REF": "main", "PRE_COMMIT_LOCAL_BRANCH": "main",
                "PRE_COMMIT_REMOTE_NAME": "origin"}
    return subprocess.run([_bin("ai-clearance-push")], cwd=repo.path, env=hook_env,
                          text=True, capture_output=True, check=False)


@pytest.mark.parametrize(("policy", "expected"), [
    ("", 1),                                 # forbid: an agent session fails the push
    ('mode = "approve"\n', 1),               # approve: it needs an approval
    ('mode = "disclose"\n', 0),              # disclose: warns; each commit's trailer decides
    ('session = "off"\n', 0),                # off: nothing is read
])
def test_the_push_hook_judges_the_session_by_the_policy(
        repo: Repo, tmp_path: Path, policy: str, expected: int) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    repo.write(".ai-clearance.toml", policy)
    repo.commit("policy", ".ai-clearance.toml")
    repo.git("push", "-q", "origin", "main")
    repo.git("remote", "set-head", "origin", "main")
    repo.commit("Add a", "a.txt")
    by_agent = _push_hook(repo, AGENT)
    assert by_agent.returncode == expected, by_agent.stdout + by_agent.stderr
    assert ("AIC801" in by_agent.stdout) == (policy != 'session = "off"\n')
    if expected == 0 and "AIC801" in by_agent.stdout:
        assert "must be in the commit message" in by_agent.stdout
    by_person = _push_hook(repo, PERSON)
    assert by_person.returncode == 0, by_person.stdout + by_person.stderr
    assert "AIC8" not in by_person.stdout
