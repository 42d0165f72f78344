"""The commit-msg hook judges the text git will store: real `git commit`s with the hook
installed are refused exactly when the stored message would carry the trailer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Repo, _bin, git

TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"
CUT = "# ------------------------ >8 ------------------------"
_EDITOR = """#!{python}
import os, sys
with open(sys.argv[1], "a", encoding="utf-8") as file:
    file.write(os.environ.get("APPEND", ""))
"""

# name -> (config, commit arguments, appended in the editor (None: no editor), refused)
CASES: dict[str, tuple[dict[str, str], list[str], str | None, bool]] = {
    "commentChar ; keeps a # trailer": (
        {"core.commentChar": ";"}, ["-m", "fix"], f"# {TRAILER}\n", True),
    "commentChar ; drops a ; trailer": (
        {"core.commentChar": ";"}, ["-m", "fix"], f"; {TRAILER}\n", False),
    "default editor drops a # trailer": ({}, ["-m", "fix"], f"# {TRAILER}\n", False),
    "-m keeps a # trailer (whitespace)": ({}, ["-m", f"fix\n\n# {TRAILER}"], None, True),
    "verbatim keeps a # trailer": (
        {"commit.cleanup": "verbatim"}, ["-m", "fix"], f"# {TRAILER}\n", True),
    "--cleanup=verbatim keeps a # trailer": (
        {}, ["--cleanup=verbatim", "-m", "fix"], f"# {TRAILER}\n", True),
    "--cleanup=strip drops it": ({}, ["--cleanup=strip", "-m", f"fix\n\n# {TRAILER}"], None,
                                 False),
    "scissors drops what is below": (
        {}, ["--cleanup=scissors", "-m", "fix"], f"\n{TRAILER}\n", False),
    "scissors keeps what is above": (
        {}, ["--cleanup=scissors", "-m", f"fix\n\n# {TRAILER}"], "", True),
    "strip keeps what is below a scissors line": (
        {}, ["--cleanup=strip", "-m", f"fix\n{CUT}\n{TRAILER}"], None, True),
    "verbose cuts it": ({"commit.verbose": "true"}, ["-m", f"fix\n{CUT}\n{TRAILER}"], None,
                        False),
    "auto comment char: # is not the comment": (
        {"core.commentChar": "auto"}, ["--cleanup=strip", "-m", f"# {TRAILER}"], None, True),
    "auto comment char after an editor: git picked ;": (
        {"core.commentChar": "auto"}, ["-m", "#1 fix"], f"# {TRAILER}\n", True),
    "a person writing # lines": ({}, ["-m", "fix #12\n\n# not a trailer"], None, False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hook_refuses_what_git_would_store(clean_repo: Repo, tmp_path: Path, name: str) -> None:
    config, args, append, refused = CASES[name]
    hook = clean_repo.path / ".git" / "hooks" / "commit-msg"
    # Not exec'd: the hook finds the committing git two processes up.
    hook.write_text(f'#!/bin/sh\n"{_bin("ai-clearance-msg")}" "$1"\n', encoding="utf-8")
    hook.chmod(0o755)
    editor = tmp_path / "editor"
    editor.write_text(_EDITOR.format(python=sys.executable), encoding="utf-8")
    editor.chmod(0o755)
    env = {"APPEND": append or "", "GIT_EDITOR": str(editor)}
    options = [part for key, val in config.items() for part in ("-c", f"{key}={val}")]
    edit = ["-e"] if append is not None else []
    before = clean_repo.head()
    result = git(clean_repo.path, *options, "commit", "-q", "--allow-empty", *edit, *args,
                 env=env, check=False)
    assert (result.returncode != 0) is refused, result.stdout + result.stderr
    if refused:
        assert clean_repo.head() == before
        assert "AIC4" in result.stdout + result.stderr
        git(clean_repo.path, *options, "commit", "-q", "--no-verify", "--allow-empty", *edit,
            *args, env=env)
    stored = git(clean_repo.path, "log", "-1", "--format=%B").stdout
    assert (TRAILER in stored) is refused


_LOADED = """
import sys
from ai_clearance.check import Request, run
code = run(Request(source=sys.argv[1], argument=sys.argv[2] or None))
print(code, *sorted(m for m in sys.modules if m.startswith("ai_clearance.")))
"""


def _modules_loaded(repo: Repo, source: str, argument: str) -> tuple[str, set[str]]:
    done = subprocess.run([sys.executable, "-c", _LOADED, source, argument], cwd=repo.path,
                          text=True, capture_output=True, check=True)
    code, *modules = done.stdout.split("\n")[-2].split()
    return code, set(modules)


def test_the_message_check_loads_none_of_the_range_and_ci_readers(repo: Repo) -> None:
    """The commit-msg hook runs on every commit: it loads what a message needs, not the
    stream of commits and the CI readers a staged or range check loads."""
    repo.commit("Initial commit", "README.md")
    repo.write("msg.txt", f"Fix bug\n\n{TRAILER}\n")
    heavy = {"ai_clearance.source.scan", "ai_clearance.detect.workflows",
             "ai_clearance.detect.reach", "ai_clearance.detect.shell"}
    code, loaded = _modules_loaded(repo, "message", str(repo.path / "msg.txt"))
    assert code == "1" and "ai_clearance.source.message" in loaded  # the trailer found
    assert loaded & heavy == set()
    repo.git("add", "msg.txt")
    code, loaded = _modules_loaded(repo, "staged", "")
    assert code == "0" and heavy <= loaded
