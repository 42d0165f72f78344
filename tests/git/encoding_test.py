"""Every console script writes its report whatever the console's encoding (cp1252 under
pre-commit on Windows, ascii, strict UTF-8): what the encoding cannot hold, an emoji in a
message or the undecodable bytes of a path, is escaped, and the exit code is the verdict's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Repo, _bin, git

FOOTER = "🤖 Generated with [Claude Code](https://claude.com/claude-code)"
ZERO = "0" * 40
ENCODINGS = ["cp1252", "ascii", "utf-8:strict"]


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A repository whose index holds traces under non-ASCII and undecodable paths, and a
    commit of that index, reachable from no ref, whose message ends with the Claude Code
    footer: (repository, its HEAD, the commit)."""
    root = tmp_path_factory.mktemp("encoding")
    repo = Repo(root / "repo")
    repo.path.mkdir()
    git(repo.path, "init", "-q", "-b", "main")
    base = repo.commit("Initial commit", "README.md")
    repo.write("docs/🤖/CLAUDE.md")
    odd = os.fsencode(str(repo.path)) + b"/\xffbad/GEMINI.md"
    os.makedirs(os.path.dirname(odd))
    with open(odd, "wb") as handle:
        handle.write(b"x\n")
    repo.git("add", "-A")
    tree = repo.git("write-tree").stdout.strip()
    commit = repo.git("commit-tree", tree, "-p", base, "-m", f"Fix it\n\n{FOOTER}").stdout
    (root / "MSG").write_text(f"Fix it\n\n{FOOTER}\n", encoding="utf-8")
    return repo.path, base, commit.strip()


def _commands(base: str, commit: str, message: Path,
              ) -> dict[str, tuple[list[str], dict[str, str], bytes | None, str]]:
    """name -> (argv, environment, stdin, a rule id the report must name)."""
    push = {"PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": commit,
            "AI_CLEARANCE_TRUST_REF": base}  # hooks that review commits never trust HEAD
    update = f"{ZERO} {commit} refs/heads/topic\n".encode()
    return {
        "check --range": ([_bin("ai-clearance"), "check", "--range", f"{base}..{commit}"], {},
                          None, "AIC410"),
        "check --staged": ([_bin("ai-clearance"), "check", "--staged"], {}, None, "AIC101"),
        "msg hook": ([_bin("ai-clearance-msg"), str(message)], {}, None, "AIC410"),
        "python -m hook": ([sys.executable, "-m", "ai_clearance.integrations.hook_msg",
                            str(message)], {}, None, "AIC410"),
        "files hook": ([_bin("ai-clearance-files")], {}, None, "AIC101"),
        "push hook": ([_bin("ai-clearance-push")], push, None, "AIC410"),
        "ci hook": ([_bin("ai-clearance-ci")], push, None, "AIC410"),
        "pre-receive": ([_bin("ai-clearance-pre-receive")], {}, update, "AIC410"),
        "update": ([_bin("ai-clearance-update"), "refs/heads/topic", ZERO, commit], {}, None,
                   "AIC410"),
    }


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("name", sorted(_commands("", "", Path())))
def test_every_console_script_reports_under_any_encoding(
        traced: tuple[Path, str, str], name: str, encoding: str) -> None:
    path, base, commit = traced
    argv, env, stdin, rule = _commands(base, commit, path.parent / "MSG")[name]
    result = subprocess.run(argv, cwd=path, input=stdin, capture_output=True, check=False,
                            env={**os.environ, **env, "PYTHONIOENCODING": encoding})
    stdout = result.stdout.decode("ascii", "replace")
    stderr = result.stderr.decode("ascii", "replace")
    assert result.returncode == 1, stdout + stderr
    assert rule in stdout
    assert "Traceback" not in stderr and "internal error" not in stdout + stderr
    if rule == "AIC410" and encoding != "utf-8:strict":
        assert "\\U0001f916 Generated with" in stdout
    if name in ("check --staged", "files hook"):
        assert "\\udcffbad/GEMINI.md" in stdout


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_action_reports_under_any_encoding(tmp_path: Path, encoding: str) -> None:
    repo = Repo(tmp_path / "repo")
    repo.path.mkdir()
    git(repo.path, "init", "-q", "-b", "main")
    before = repo.commit("Initial commit", "README.md")
    after = repo.commit(f"Fix it\n\n{FOOTER}", "docs/🤖/CLAUDE.md")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"before": before, "after": after, "ref": "refs/heads/main",
                                 "repository": {"default_branch": "main"}}), "utf-8")
    env = {**os.environ, "PYTHONIOENCODING": encoding, "GITHUB_EVENT_NAME": "push",
           "GITHUB_EVENT_PATH": str(event), "GITHUB_WORKSPACE": str(repo.path),
           "GITHUB_OUTPUT": str(tmp_path / "output"), "RUNNER_TEMP": str(tmp_path),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary")}
    result = subprocess.run([_bin("ai-clearance-action")], cwd=repo.path, env=env,
                            capture_output=True, check=False)
    stdout = result.stdout.decode("ascii", "replace")
    assert result.returncode == 1, stdout + result.stderr.decode("ascii", "replace")
    assert "AIC410" in stdout and "AIC101" in stdout and "internal error" not in stdout
