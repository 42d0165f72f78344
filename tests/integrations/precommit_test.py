"""The hooks through the real pre-commit: try-repo, and hooks installed in a repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import AI_CLEARANCE, Repo, git

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
AUTOFIX_SUBJECT = "Potential fix for code scanning alert no. 7: Incomplete URL sanitization"


@pytest.fixture(scope="session")
def hook_repo(project_snapshot: tuple[Path, str], pre_commit_home: Path) -> tuple[Path, str]:
    """This project as a committed repository: path and rev."""
    return project_snapshot


def pre_commit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PRE_COMMIT, *args], cwd=cwd, text=True, capture_output=True,
                          check=False)


def test_try_repo_files_hook(hook_repo: tuple[Path, str], clean_repo: Repo) -> None:
    path, _ = hook_repo
    clean_repo.write("src/main.py")
    clean_repo.git("add", ".")
    ok = pre_commit(clean_repo.path, "try-repo", str(path), "ai-clearance-files")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    clean_repo.write("CLAUDE.md")
    clean_repo.git("add", ".")
    bad = pre_commit(clean_repo.path, "try-repo", str(path), "ai-clearance-files")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "AIC101" in bad.stdout and "git rm --cached -- CLAUDE.md" in bad.stdout


def test_try_repo_files_hook_refuses_a_broken_policy(hook_repo: tuple[Path, str],
                                                     clean_repo: Repo) -> None:
    path, _ = hook_repo
    clean_repo.write(".ai-clearance.toml", 'allowed = ["copilot"]\nrestricted =\n')
    clean_repo.git("add", ".")
    bad = pre_commit(clean_repo.path, "try-repo", str(path), "ai-clearance-files")
    assert bad.returncode == 1, bad.stdout + bad.stderr  # pre-commit's own code for a failure
    assert "hook id: ai-clearance-files\n- exit code: 2" in bad.stdout
    assert "this change breaks .ai-clearance.toml: line 2: invalid TOML" in bad.stdout


def test_try_repo_message_hook(hook_repo: tuple[Path, str], clean_repo: Repo,
                               tmp_path: Path) -> None:
    path, _ = hook_repo
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", "utf-8")
    bad = pre_commit(clean_repo.path, "try-repo", str(path), "ai-clearance-msg",
                     "--hook-stage", "commit-msg", "--commit-msg-filename", str(message))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "AIC401" in bad.stdout


def _install(repo: Repo, hook_path: Path, rev: str, remote: Path | None = None) -> None:
    """Install the three hook types from `hook_path` at `rev`; with `remote`, also add an empty
    bare repository there as origin."""
    if remote is not None:
        git(remote.parent, "init", "-q", "--bare", str(remote))
        repo.git("remote", "add", "origin", str(remote))
    repo.write(".pre-commit-config.yaml",
               "default_install_hook_types: [pre-commit, commit-msg, pre-push]\n"
               f"repos:\n- repo: {hook_path}\n  rev: {rev}\n  hooks:\n"
               "  - id: ai-clearance-files\n  - id: ai-clearance-msg\n"
               "  - id: ai-clearance-push\n")
    installed = pre_commit(repo.path, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    for hook in ("pre-commit", "commit-msg", "pre-push"):
        assert (repo.path / ".git" / "hooks" / hook).exists()
    doctor = subprocess.run([AI_CLEARANCE, "doctor"], cwd=repo.path, text=True,
                            capture_output=True, check=False)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr


def _commit(repo: Repo, message: str) -> subprocess.CompletedProcess[str]:
    return repo.git("commit", "-m", message, check=False)


def test_installed_hooks_at_commit_and_push(hook_repo: tuple[Path, str], repo: Repo,
                                            tmp_path: Path) -> None:
    path, rev = hook_repo
    remote = tmp_path / "remote.git"
    _install(repo, path, rev, remote)

    # A clean commit passes every stage, and a first push (new branch from a root) too.
    repo.write("README.md", "hello\n")
    repo.git("add", "README.md", ".pre-commit-config.yaml")
    clean = _commit(repo, "Initial commit")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    pushed = repo.git("push", "-q", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    # The remote now has a default branch, but this clone does not know it yet: the push
    # hook will not trust the pushed commits instead, and says how to learn it.
    repo.git("commit", "-q", "--no-verify", "--allow-empty", "-m", "second")
    unknown = repo.git("push", "origin", "main", check=False)
    assert unknown.returncode != 0
    assert "git remote set-head origin --auto" in unknown.stdout + unknown.stderr
    repo.git("remote", "set-head", "origin", "--auto")
    pushed = repo.git("push", "-q", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr

    # Committing CLAUDE.md fails in the pre-commit stage; nothing is committed.
    head = repo.head()
    repo.write("CLAUDE.md", "# memory\n")
    repo.git("add", "CLAUDE.md")
    blocked = _commit(repo, "Add notes")
    assert blocked.returncode != 0
    assert "AIC101" in blocked.stdout + blocked.stderr
    assert repo.head() == head
    repo.git("rm", "-q", "--cached", "CLAUDE.md")
    (repo.path / "CLAUDE.md").unlink()

    # A co-author trailer fails in the commit-msg stage.
    repo.write("src/a.py")
    repo.git("add", "src/a.py")
    trailer = _commit(repo, "Add a\n\nCo-Authored-By: Claude <noreply@anthropic.com>")
    assert trailer.returncode != 0
    assert "AIC401" in trailer.stdout + trailer.stderr
    assert repo.head() == head

    # An Autofix commit made with --no-verify is stopped at push time.
    repo.git("commit", "-q", "--no-verify", "-m", AUTOFIX_SUBJECT)
    rejected = repo.git("push", "origin", "main", check=False)
    assert rejected.returncode != 0
    assert "AIC417" in rejected.stdout + rejected.stderr
    remote_head = git(remote, "rev-parse", "main").stdout.strip()
    assert remote_head == head

    # A new branch whose commits carry a trace is stopped too.
    repo.git("checkout", "-q", "-b", "feature")
    repo.git("reset", "-q", "--hard", head)
    repo.write("b.txt")
    repo.git("add", "b.txt")
    repo.git("commit", "-q", "--no-verify", "-m", "b\n\nMade-with: Cursor")
    new_branch = repo.git("push", "origin", "feature", check=False)
    assert new_branch.returncode != 0
    assert "AIC412" in new_branch.stdout + new_branch.stderr


def test_first_push_of_a_branch_from_a_root_commit(hook_repo: tuple[Path, str], repo: Repo,
                                                    tmp_path: Path) -> None:
    """pre-commit sets no FROM/TO here; the hook checks what the remote does not have."""
    path, rev = hook_repo
    remote = tmp_path / "remote.git"
    _install(repo, path, rev, remote)
    repo.write("a.txt")
    repo.git("add", "a.txt", ".pre-commit-config.yaml")
    repo.git("commit", "-q", "--no-verify", "-m", "start")
    repo.git("commit", "-q", "--no-verify", "--allow-empty", "-m",
             "work\n\nCo-authored-by: Codex <noreply@openai.com>")
    rejected = repo.git("push", "origin", "main", check=False)
    assert rejected.returncode != 0
    assert "AIC401" in rejected.stdout + rejected.stderr
    assert git(remote, "rev-parse", "--verify", "-q", "main", check=False).returncode != 0


def test_ci_hook_in_the_manual_stage(hook_repo: tuple[Path, str], clean_repo: Repo,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = hook_repo
    base = clean_repo.head()
    clean_repo.commit("x\n\nClaude-Session: https://claude.ai/code/session_0191Avbm6aA49svQ58",
                      allow_empty=True)
    no_base = pre_commit(clean_repo.path, "try-repo", str(path), "ai-clearance-ci",
                         "--hook-stage", "manual", "--from-ref", base, "--to-ref", "HEAD")
    # In CI, HEAD is the change under review: no trust from it, and no fallback.
    assert no_base.returncode != 0 and "no trusted base" in no_base.stdout, no_base.stdout
    monkeypatch.setenv("AI_CLEARANCE_TRUST_REF", base)
    ranged = pre_commit(clean_repo.path, "try-repo", str(path), "ai-clearance-ci",
                        "--hook-stage", "manual", "--from-ref", base, "--to-ref", "HEAD")
    assert ranged.returncode == 1, ranged.stdout + ranged.stderr
    assert "AIC411" in ranged.stdout
    empty = pre_commit(clean_repo.path, "try-repo", str(path), "ai-clearance-ci",
                       "--hook-stage", "manual", "--from-ref", "HEAD", "--to-ref", "HEAD")
    assert empty.returncode == 1  # an empty range fails closed, never passes blind
    assert "no commits" in empty.stdout
