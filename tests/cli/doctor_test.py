"""`ai-clearance doctor` over a whole setup: real repositories, hooks installed by the real
pre-commit, real keys, the installed CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MAINTAINER, Repo, make_key, run_cli

LEVELS = ("ok", "warn", "fail")
# Commit with no hook at all: `--no-verify` still runs prepare-commit-msg (ai-clearance-session),
# which here would fetch the hooks' repository `init` names.
NO_HOOKS = ("-c", "core.hooksPath=/dev/null")


@pytest.fixture
def set_up(clean_repo: Repo, tmp_path: Path) -> tuple[Repo, Path]:
    """`init`, committed, and the hooks installed by pre-commit."""
    key = make_key(tmp_path, "maint")
    clean_repo.git("config", "user.email", MAINTAINER)
    clean_repo.git("config", "user.signingkey", str(key))
    assert run_cli("init", cwd=clean_repo.path).returncode == 0
    clean_repo.git("add", "-A")
    clean_repo.git("commit", "-q", "--no-verify", "-m", "Set up ai-clearance")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"],
                               cwd=clean_repo.path, capture_output=True, text=True, check=False,
                               env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc")})
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return clean_repo, key


def _doctor(repo: Repo, **env: str) -> tuple[int, list[str]]:
    result = run_cli("doctor", cwd=repo.path, env=env or None)
    lines = result.stdout.splitlines()
    assert lines and all(line.split()[0] in LEVELS for line in lines), result.stdout
    return result.returncode, lines


def test_a_complete_setup_is_all_ok(set_up: tuple[Repo, Path]) -> None:
    code, lines = _doctor(set_up[0])
    assert code == 0 and all(line.startswith("ok") for line in lines), lines
    text = "\n".join(lines)
    for found in ("pre-commit hook installed", "commit-msg hook installed",
                  "pre-push hook installed", "prepare-commit-msg hook installed",
                  "names the four hooks and stages", "policy: .ai-clearance.toml", "ssh-keygen:",
                  ".ai-clearance/maintainers: 1 key in HEAD", "your signing key is listed",
                  "trust files in the work tree match HEAD"):
        assert found in text, found


def test_approvals_about_to_end_warn(set_up: tuple[Repo, Path]) -> None:
    repo, _ = set_up
    for days in ("5d", "60d"):
        made = run_cli("approve", "--author", "jane@example.com", "--assistant", "claude",
                       "--expires", days, "--reason", "r", cwd=repo.path)
        assert made.returncode == 0, made.stderr
    repo.git("add", "-A")
    repo.git(*NO_HOOKS, "commit", "-q", "-m", "approvals")
    code, lines = _doctor(repo)
    ending = [line for line in lines if "(within 14 days)" in line]
    assert code == 0 and len(ending) == 1 and ending[0].startswith("warn  approval apv-")
    assert "2 active approvals or tokens in HEAD" in "\n".join(lines)


def test_pending_trust_files_warn(set_up: tuple[Repo, Path]) -> None:
    repo, _ = set_up
    made = run_cli("approve", "--author", "jane@example.com", "--assistant", "claude",
                   "--expires", "30d", "--reason", "r", cwd=repo.path)
    assert made.returncode == 0
    with (repo.path / ".ai-clearance.toml").open("a", encoding="utf-8") as policy:
        policy.write("# reviewed by the security team\n")
    code, lines = _doctor(repo)
    pending = [line for line in lines if line.startswith("warn  pending:")]
    assert code == 0 and len(pending) == 2
    assert any(".ai-clearance.toml differs from HEAD" in line for line in pending)
    assert any(".ai-clearance/approvals/apv-" in line and "is not in HEAD" in line
               for line in pending)


def test_a_broken_trusted_maintainers_file_fails(set_up: tuple[Repo, Path]) -> None:
    repo, _ = set_up
    repo.write(".ai-clearance/maintainers", "me@example.com ssh-ed25519\n")
    repo.git(*NO_HOOKS, "commit", "-q", "-am", "break it")
    code, lines = _doctor(repo)
    assert code == 1
    assert any(line.startswith("fail  .ai-clearance/maintainers:1:") for line in lines)


def test_an_unlisted_key_and_no_maintainers_warn(clean_repo: Repo, tmp_path: Path) -> None:
    key = make_key(tmp_path, "stranger")
    clean_repo.git("config", "user.signingkey", str(key))
    _, lines = _doctor(clean_repo)
    text = "\n".join(lines)
    assert "warn  .ai-clearance/maintainers: none in HEAD" in text
    assert "warn  your signing key is not in .ai-clearance/maintainers" in text


def test_no_ssh_keygen_warns(set_up: tuple[Repo, Path], tmp_path: Path) -> None:
    only_git = tmp_path / "bin"
    only_git.mkdir()
    git_path = shutil.which("git")
    assert git_path is not None
    (only_git / "git").symlink_to(git_path)
    _, lines = _doctor(set_up[0], PATH=str(only_git))
    assert any(line.startswith("warn  ssh-keygen not found") for line in lines)


def test_a_setup_without_the_session_hook_warns(set_up: tuple[Repo, Path]) -> None:
    # The three hooks of an older setup still pass; the session hook's absence is named.
    repo, _ = set_up
    (repo.path / ".git" / "hooks" / "prepare-commit-msg").unlink()
    config = repo.path / ".pre-commit-config.yaml"
    old = config.read_text("utf-8").replace("      - id: ai-clearance-session\n", "")
    config.write_text(old.replace("prepare-commit-msg, ", ""), "utf-8")
    code, lines = _doctor(repo)
    warned = [line for line in lines if "ai-clearance-session" in line]
    assert code == 0 and len(warned) == 1 and warned[0].startswith("warn"), lines
    assert "warn  no prepare-commit-msg hook; run: pre-commit install" in "\n".join(lines)
    assert "names the files, msg and push hooks and stages" in "\n".join(lines)


def test_a_missing_session_hook_fails_when_the_config_names_it(
        set_up: tuple[Repo, Path]) -> None:
    repo, _ = set_up
    (repo.path / ".git" / "hooks" / "prepare-commit-msg").unlink()
    code, lines = _doctor(repo)
    failed = [line for line in lines if line.startswith("fail")]
    assert code == 1 and failed == ["fail  no prepare-commit-msg hook; run: pre-commit install "
                                    "--hook-type prepare-commit-msg"], lines


def test_a_repository_without_commits_names_head(repo: Repo, tmp_path: Path) -> None:
    # Before the first commit `init`'s files are pending on HEAD, said so in words.
    key = make_key(tmp_path, "maint")
    repo.git("config", "user.email", MAINTAINER)
    repo.git("config", "user.signingkey", str(key))
    assert run_cli("init", cwd=repo.path).returncode == 0
    _, lines = _doctor(repo)
    text = "\n".join(lines)
    assert "no commits yet" in text and "in no commits yet" not in text
    assert "warn  pending: .ai-clearance/maintainers is not in HEAD (no commits yet): it " \
        "takes effect once merged" in text
    assert "0 active approvals or tokens in HEAD (no commits yet), 0 ending within 14 days" \
        in text


def test_a_pending_request_is_said_to_grant_nothing(set_up: tuple[Repo, Path]) -> None:
    repo, _ = set_up
    made = run_cli("request", "--assistant", "claude", "--reason", "pilot", cwd=repo.path)
    assert made.returncode == 0, made.stderr
    code, lines = _doctor(repo)
    pending = [line for line in lines if line.startswith("warn  pending:")]
    assert code == 0 and len(pending) == 1, lines
    assert pending[0].startswith("warn  pending: .ai-clearance/requests/req-")
    assert "): a request grants nothing (`ai-clearance approvals list` says" in pending[0]
    assert "takes effect" not in pending[0]
