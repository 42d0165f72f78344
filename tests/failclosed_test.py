"""Fail closed: a git that cannot run, a repository git cannot read, an identity git cannot
tell and a ref git cannot follow are exit 3, never a pass. Only a folder that is truly
outside any repository lets a commit message be checked on its own."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ai_clearance.errors import GitError
from ai_clearance.git import gitio
from conftest import AI_CLEARANCE, Repo, _bin

TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"
# Committing as the assistant: only the repository's `git var` can show it.
AS_CLAUDE = {"GIT_COMMITTER_NAME": "Claude", "GIT_COMMITTER_EMAIL": "noreply@anthropic.com"}
ZERO = "0" * 40


def _msg_hook(cwd: Path, message: Path, env: dict[str, str] | None = None,
              drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in drop}
    return subprocess.run([_bin("ai-clearance-msg"), str(message)], cwd=cwd, env=full,
                          text=True, capture_output=True, check=False)


def _exit_3(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("ai-clearance: error: ") and says in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.fixture
def clean_message(tmp_path: Path) -> Path:
    path = tmp_path / "MSG"
    path.write_text("Fix the parser\n", encoding="utf-8")
    return path


def test_outside_a_repository_the_message_is_checked_alone(tmp_path: Path) -> None:
    outside = tmp_path / "plain folder"
    outside.mkdir()
    clean, traced = tmp_path / "clean", tmp_path / "traced"
    clean.write_text("Fix the parser\n", encoding="utf-8")
    traced.write_text(f"Fix the parser\n\n{TRAILER}\n", encoding="utf-8")
    passed = _msg_hook(outside, clean, AS_CLAUDE)
    assert passed.returncode == 0, passed.stderr
    assert "PASS" in passed.stdout and passed.stderr == ""
    failed = _msg_hook(outside, traced)
    assert failed.returncode == 1, failed.stderr
    assert "AIC401" in failed.stdout


def test_the_committer_identity_fails_the_message_in_a_repository(
        clean_repo: Repo, clean_message: Path) -> None:
    result = _msg_hook(clean_repo.path, clean_message, AS_CLAUDE)
    assert result.returncode == 1 and "AIC502" in result.stdout, result.stderr


@pytest.mark.parametrize("inside", [True, False])
def test_without_git_the_message_hook_is_exit_3(clean_repo: Repo, clean_message: Path,
                                                tmp_path: Path, inside: bool) -> None:
    # The script runs by its absolute path (its interpreter too): only git is missing.
    no_git = tmp_path / "bin"
    no_git.mkdir()
    cwd = clean_repo.path if inside else tmp_path
    _exit_3(_msg_hook(cwd, clean_message, {**AS_CLAUDE, "PATH": str(no_git)}),
            "cannot run git")


# How to break a repository, and what the one line then says.
CORRUPTIONS = {
    "HEAD of garbage": (lambda top: (top / ".git" / "HEAD").write_text("garbage\n"),
                        "git cannot read the repository at "),
    "empty .git folder": (lambda top: _replace_dot_git(top, None),
                          "git cannot read the repository at "),
    "gitfile to nowhere": (lambda top: _replace_dot_git(top, "gitdir: /nowhere/at/all\n"),
                           "not a git repository: /nowhere/at/all"),
    "gitfile of garbage": (lambda top: _replace_dot_git(top, "garbage\n"),
                           "invalid gitfile format"),
}


def _replace_dot_git(top: Path, gitfile: str | None) -> None:
    (top / ".git").rename(top / "moved-git")
    if gitfile is None:
        (top / ".git").mkdir()
    else:
        (top / ".git").write_text(gitfile, encoding="utf-8")


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
@pytest.mark.parametrize("from_subfolder", [False, True])
def test_a_repository_git_cannot_read_is_exit_3(clean_repo: Repo, clean_message: Path,
                                                corruption: str, from_subfolder: bool) -> None:
    (clean_repo.path / "src").mkdir()
    corrupt, says = CORRUPTIONS[corruption]
    corrupt(clean_repo.path)
    cwd = clean_repo.path / "src" if from_subfolder else clean_repo.path
    result = _msg_hook(cwd, clean_message, AS_CLAUDE)
    _exit_3(result, says)
    # The staged check says the same: neither guesses at a repository it cannot read.
    staged = subprocess.run([AI_CLEARANCE, "check", "--staged"], cwd=cwd, text=True,
                            capture_output=True, check=False)
    assert (staged.returncode, staged.stderr) == (3, result.stderr)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="only root can give the repository to another user")
def test_a_repository_git_refuses_to_trust_is_exit_3(clean_repo: Repo,
                                                     clean_message: Path) -> None:
    for path in (clean_repo.path, clean_repo.path / ".git"):
        os.chown(path, 65534, 65534)
    _exit_3(_msg_hook(clean_repo.path, clean_message, AS_CLAUDE), "dubious ownership")


@pytest.mark.parametrize("role", ["AUTHOR", "COMMITTER"])
def test_an_identity_git_cannot_tell_is_exit_3(clean_repo: Repo, clean_message: Path,
                                               role: str) -> None:
    # No name or e-mail from the environment, and no guessing one from the host name.
    config = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.useConfigOnly",
              "GIT_CONFIG_VALUE_0": "true"}
    result = _msg_hook(clean_repo.path, clean_message, config,
                       drop=(f"GIT_{role}_NAME", f"GIT_{role}_EMAIL", "EMAIL"))
    _exit_3(result, f"git var GIT_{role}_IDENT")


def test_ident_is_a_git_error_when_git_var_fails(clean_repo: Repo,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    repo = gitio.discover(str(clean_repo.path))
    assert gitio.ident(repo, "committer").email == "jane@example.com"
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    for name in ("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(GitError, match="cannot tell who the committer is"):
        gitio.ident(repo, "committer")


def _corrupt(repo: Repo, sha: str) -> None:
    path = repo.path / ".git" / "objects" / sha[:2] / sha[2:]
    path.chmod(0o644)
    path.write_bytes(b"this is not a zlib stream")


def test_a_commit_git_cannot_read_is_an_error_not_an_absent_commit(clean_repo: Repo) -> None:
    head = clean_repo.head()
    repo = gitio.discover(str(clean_repo.path))
    assert gitio.resolve_commit(repo, "no-such-branch") is None
    _corrupt(clean_repo, head)
    with pytest.raises(GitError, match=r"^git rev-parse failed: "):
        gitio.resolve_commit(repo, head)


def _dangling_commit(repo: Repo, message: str, *files: str) -> str:
    """A commit no ref reaches, as a push brings it to a server's pre-receive hook."""
    for name in files:
        repo.write(name)
    repo.git("add", "--", *files)
    tree = repo.git("write-tree").stdout.strip()
    commit = repo.git("commit-tree", tree, "-p", "HEAD", "-m", message).stdout.strip()
    repo.git("reset", "-q", "--hard")
    return commit


def test_a_pushed_commit_git_cannot_read_is_exit_3_at_the_server(clean_repo: Repo) -> None:
    pushed = _dangling_commit(clean_repo, "memory", "CLAUDE.md")
    hook = [_bin("ai-clearance-pre-receive")]
    update = f"{ZERO} {pushed} refs/heads/topic\n"
    run = subprocess.run(hook, cwd=clean_repo.path, input=update, text=True,
                         capture_output=True, check=False)
    assert run.returncode == 1 and "AIC101" in run.stdout, run.stdout + run.stderr
    _corrupt(clean_repo, pushed)
    for command, stdin in ((hook, update),
                           ([_bin("ai-clearance-update"), "refs/heads/topic", ZERO, pushed],
                            None)):
        result = subprocess.run(command, cwd=clean_repo.path, input=stdin, text=True,
                                capture_output=True, check=False)
        # A server hook's stdout and stderr both reach the pusher: one error line on either.
        said = result.stdout + result.stderr
        assert result.returncode == 3, said
        assert said.startswith("ai-clearance: error: ") and said.count("\n") == 1, said


def test_a_broken_origin_head_does_not_move_trust_to_head(clean_repo: Repo) -> None:
    base = clean_repo.head()
    clean_repo.git("update-ref", "refs/remotes/origin/main", base)
    clean_repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    # The change under review allows the assistant in its own policy: never trusted.
    clean_repo.write(".ai-clearance.toml", 'allowed = ["claude"]\n')
    clean_repo.commit("memory", ".ai-clearance.toml", "CLAUDE.md")
    command = [AI_CLEARANCE, "check", "--range", f"{base}..HEAD"]
    trusted = subprocess.run(command, cwd=clean_repo.path, text=True, capture_output=True,
                             check=False)
    assert trusted.returncode == 1 and "AIC101" in trusted.stdout, trusted.stderr
    (clean_repo.path / ".git" / "refs" / "remotes" / "origin" / "HEAD").write_text("garbage\n")
    _exit_3(subprocess.run(command, cwd=clean_repo.path, text=True, capture_output=True,
                           check=False), "symbolic-ref")


def test_a_branch_git_cannot_read_is_exit_3_for_the_staged_check(clean_repo: Repo) -> None:
    (clean_repo.path / ".git" / "HEAD").write_text("ref: refs/heads/claude/..x\n")
    clean_repo.write("notes.txt")
    clean_repo.git("add", "notes.txt")
    for command in ([AI_CLEARANCE, "check", "--staged"], [_bin("ai-clearance-files")]):
        _exit_3(subprocess.run(command, cwd=clean_repo.path, text=True, capture_output=True,
                               check=False), "symbolic-ref")
