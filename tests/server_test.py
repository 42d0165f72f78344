"""Server-side hooks in a real bare repository, and the GitLab CI snippet of the README."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from approvals_test import MAINTAINER, make_key, signer_line
from conftest import AI_CLEARANCE, ROOT, Repo, git


def _bare_with_hook(tmp_path: Path, name: str, hook: str, command: str) -> tuple[Path, Repo]:
    """A bare repository running `command` as its `hook`, and an empty clone of it."""
    bare = tmp_path / f"{name}.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    script = bare / "hooks" / hook
    script.write_text(f"#!/bin/sh\nexec {AI_CLEARANCE} {command}\n", "utf-8")
    script.chmod(0o755)
    clone = Repo(tmp_path / f"{name}-clone")
    git(tmp_path, "clone", "-q", str(bare), str(clone.path))
    return bare, clone


@pytest.fixture
def server(tmp_path: Path) -> tuple[Path, Repo, Path]:
    """A bare repository with the pre-receive hook installed, a clone, and a maintainer key."""
    bare, clone = _bare_with_hook(tmp_path, "server", "pre-receive", "pre-receive")
    key = make_key(tmp_path, "maintainer")
    clone.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clone.commit("Initial commit", ".ai-clearance/maintainers", "README.md")
    pushed = clone.git("push", "-q", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stderr
    return bare, clone, key


def test_clean_push_is_accepted_and_a_trace_rejected(server: tuple[Path, Repo, Path]) -> None:
    bare, clone, _ = server
    clone.git("checkout", "-q", "-b", "clean")
    clone.commit("work", "src/a.py")
    assert clone.git("push", "-q", "origin", "clean", check=False).returncode == 0
    clone.git("checkout", "-q", "-b", "agent")
    clone.commit("memory", "CLAUDE.md")
    rejected = clone.git("push", "origin", "agent", check=False)
    assert rejected.returncode != 0
    assert "remote: " in rejected.stderr and "AIC101" in rejected.stderr
    assert "push rejected" in rejected.stderr
    assert git(bare, "rev-parse", "--verify", "-q", "agent", check=False).returncode != 0


def test_approval_on_the_target_branch_lets_the_push_in(server: tuple[Path, Repo, Path]) -> None:
    _, clone, key = server
    clone.git("checkout", "-q", "-b", "agent")
    clone.commit("memory", "CLAUDE.md")
    assert clone.git("push", "origin", "agent", check=False).returncode != 0
    clone.git("checkout", "-q", "main")
    made = subprocess.run([AI_CLEARANCE, "approve", "--key", str(key), "--signer", MAINTAINER,
                           "--author", "jane@example.com", "--assistant", "claude",
                           "--expires", "30d", "--reason", "pilot"], cwd=clone.path, text=True,
                          capture_output=True, check=False)
    assert made.returncode == 0, made.stderr
    clone.git("add", ".ai-clearance")
    clone.git("commit", "-q", "-m", "Approve Jane for Claude")
    assert clone.git("push", "-q", "origin", "main", check=False).returncode == 0
    accepted = clone.git("push", "origin", "agent", check=False)
    assert accepted.returncode == 0, accepted.stderr


def test_update_of_an_existing_branch_checks_only_new_commits(
        server: tuple[Path, Repo, Path]) -> None:
    _, clone, _ = server
    clone.commit("more", "src/b.py")
    assert clone.git("push", "-q", "origin", "main", check=False).returncode == 0
    clone.commit("Fix\n\nMade-with: Cursor")
    rejected = clone.git("push", "origin", "main", check=False)
    assert rejected.returncode != 0 and "AIC412" in rejected.stderr


def test_deletions_and_tags(server: tuple[Path, Repo, Path]) -> None:
    _, clone, _ = server
    clone.git("checkout", "-q", "-b", "temp")
    clone.commit("x", "src/x.py")
    assert clone.git("push", "-q", "origin", "temp", check=False).returncode == 0
    assert clone.git("push", "-q", "origin", "--delete", "temp", check=False).returncode == 0
    clone.git("tag", "-a", "v1", "-m", "release", "main")
    assert clone.git("push", "-q", "origin", "v1", check=False).returncode == 0


def test_update_hook(tmp_path: Path) -> None:
    bare, clone = _bare_with_hook(tmp_path, "u", "update", 'update "$@"')
    clone.commit("ok", "a.txt")
    clone.git("checkout", "-q", "-b", "bad")
    clone.commit("bad", ".codex/config.toml")
    clone.git("checkout", "-q", "main")
    result = clone.git("push", "origin", "main", "bad", check=False)
    assert result.returncode != 0
    assert git(bare, "rev-parse", "--verify", "-q", "main", check=False).returncode == 0
    assert git(bare, "rev-parse", "--verify", "-q", "bad", check=False).returncode != 0
    assert "AIC106" in result.stderr


def test_bad_input_lines(server: tuple[Path, Repo, Path]) -> None:
    bare, _, _ = server
    result = subprocess.run([AI_CLEARANCE, "pre-receive"], cwd=bare, input="not a line\n",
                            text=True, capture_output=True, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr


# ------------------------------------------------------------------------ GitLab CI
def _gitlab_job() -> dict[str, object]:
    readme = (ROOT / "README.md").read_text("utf-8")
    match = re.search(r"```yaml\n(# \.gitlab-ci\.yml.*?)```", readme, re.S)
    assert match, "README has no .gitlab-ci.yml snippet"
    job: dict[str, object] = yaml.safe_load(match.group(1))["ai-clearance"]
    return job


def test_gitlab_merge_request_snippet(tmp_path: Path) -> None:
    origin = tmp_path / "gitlab.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    dev = Repo(tmp_path / "dev")
    git(tmp_path, "clone", "-q", str(origin), str(dev.path))
    dev.commit("base", "a.txt")
    dev.git("push", "-q", "origin", "main")
    base = dev.head()
    dev.git("checkout", "-q", "-b", "mr")
    dev.commit("agent work", ".kiro/steering/tech.md")
    dev.git("push", "-q", "origin", "mr")
    job = _gitlab_job()
    script = [line for line in job["script"] if not str(line).startswith("pip install")]  # type: ignore[attr-defined]
    work = tmp_path / "build"
    git(tmp_path, "clone", "-q", "--branch", "mr", f"file://{origin}", str(work))
    env = {**os.environ, "CI_PIPELINE_SOURCE": "merge_request_event",
           "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_COMMIT_SHA": dev.head(),
           "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
           "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "mr", "CI_MERGE_REQUEST_IID": "12",
           "PATH": f"{Path(AI_CLEARANCE).parent}:{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-e", "-c", "\n".join(map(str, script))], cwd=work,
                            env=env, text=True, capture_output=True, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "AIC119" in result.stdout
