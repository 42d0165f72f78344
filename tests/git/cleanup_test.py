"""git's message cleanup, reproduced: for real `git commit`s run with a commit-msg hook that
predicts the stored text, the prediction is exactly what git stored."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from ai_clearance.git.commit_text import (
    auto_comment,
    cleanup_mode,
    stored_messages,
    stripspace,
)
from conftest import Repo, git

CUT = "# ------------------------ >8 ------------------------"
TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"
_PREDICT = """#!{python}
import json, os, sys
from ai_clearance.git import gitio
from ai_clearance.git.commit_text import stored_messages
repo = gitio.discover(".")
with open(sys.argv[1], encoding="utf-8", errors="replace", newline="") as file:
    message = file.read()
command = gitio.committing_command()
texts = stored_messages(message, gitio.commit_cleanup_config(repo), command,
                        os.environ.get("GIT_EDITOR") != ":")
with open(os.environ["PREDICTION"], "w", encoding="utf-8") as out:
    json.dump({{"texts": texts, "found": command is not None}}, out)
"""
# An editor that appends $APPEND to the message file (what a person types).
_EDITOR = """#!{python}
import os, sys
with open(sys.argv[1], "a", encoding="utf-8") as file:
    file.write(os.environ.get("APPEND", ""))
"""

# name -> (config, commit arguments, appended in the editor (None: no editor), whether
# the hook can tell the one text git stores)
CASES: dict[str, tuple[dict[str, str], list[str], str | None, bool]] = {
    "default -m keeps # lines (whitespace)": (
        {}, ["-m", f"fix\n# {TRAILER}\n; x"], None, True),
    "default with an editor strips # lines": (
        {}, ["-m", "fix"], f"# {TRAILER}\n", True),
    "commentChar ; keeps # lines under strip": (
        {"core.commentChar": ";"}, ["--cleanup=strip", "-m", f"fix\n# {TRAILER}\n; x"],
        None, True),
    "commentChar ; with an editor": (
        {"core.commentChar": ";"}, ["-m", "fix"], f"# {TRAILER}\n; dropped\n", True),
    "commit.cleanup=verbatim with an editor keeps # lines": (
        {"commit.cleanup": "verbatim"}, ["-m", "fix"], f"# {TRAILER}\n  \n\n\n", True),
    "--cleanup=verbatim overrides commit.cleanup=strip": (
        {"commit.cleanup": "strip"}, ["--cleanup", "verbatim", "-m", f"fix\n# {TRAILER}"],
        None, True),
    "scissors with an editor cuts below its line": (
        {}, ["--cleanup=scissors", "-m", f"fix\n# kept\n{CUT}\n{TRAILER}"], "", True),
    "scissors without an editor is whitespace": (
        {}, ["--cleanup=scissors", "-m", f"fix\n{CUT}\n{TRAILER}"], None, True),
    "strip without verbose does not cut": (
        {}, ["--cleanup=strip", "-m", f"fix\n{CUT}\n{TRAILER}"], None, True),
    "commit.verbose cuts even with -m": (
        {"commit.verbose": "true"}, ["-m", f"fix\n{CUT}\n{TRAILER}"], None, True),
    "--no-verbose undoes commit.verbose": (
        {"commit.verbose": "2"}, ["--no-verbose", "-m", f"fix\n{CUT}\n{TRAILER}"], None, True),
    "bundled -qvm cuts": (
        {}, ["-qvm", f"fix\n{CUT}\n{TRAILER}"], None, True),
    "a message that reads like an option": (
        {}, ["-m", "--cleanup=verbatim", "-m", f"# {TRAILER}"], None, True),
    "-e with whitespace keeps comments and git's status": (
        {}, ["-e", "--cleanup=whitespace", "-m", "fix"], f"{TRAILER}\n", True),
    "default mode named": (
        {"commit.cleanup": "strip"}, ["--cleanup=default", "-m", f"fix\n# {TRAILER}"],
        None, True),
    "auto comment char without an editor": (
        {"core.commentChar": "auto"}, ["--cleanup=strip", "-m", f"# {TRAILER}\n; y\n! z"],
        None, True),
    "auto comment char after an editor": (
        {"core.commentChar": "auto"}, ["-m", "#1 fix"], f"# {TRAILER}\n; dropped?\n", False),
    "an abbreviated option is not read: every mode": (
        {}, ["--clean=verbatim", "-m", f"fix\n# {TRAILER}"], None, False),
    "trailing blanks and runs of blank lines": (
        {}, ["-m", "fix   \n\n\n\nbody\t\r\n\n"], None, True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_predicted_text_is_what_git_stores(clean_repo: Repo, tmp_path: Path, name: str) -> None:
    config, args, append, known = CASES[name]
    hook = clean_repo.path / ".git" / "hooks" / "commit-msg"
    hook.write_text(_PREDICT.format(python=sys.executable), encoding="utf-8")
    hook.chmod(0o755)
    editor = tmp_path / "editor"
    editor.write_text(_EDITOR.format(python=sys.executable), encoding="utf-8")
    editor.chmod(0o755)
    prediction = tmp_path / "prediction.json"
    env = {"PREDICTION": str(prediction), "APPEND": append or "", "GIT_EDITOR": str(editor)}
    options = [part for key, val in config.items() for part in ("-c", f"{key}={val}")]
    edit = ["-e"] if append is not None and "-e" not in args else []
    git(clean_repo.path, *options, "commit", "-q", "--allow-empty", *edit, *args, env=env)
    stored = git(clean_repo.path, "cat-file", "commit", "HEAD").stdout.partition("\n\n")[2]
    predicted = json.loads(prediction.read_text(encoding="utf-8"))
    assert predicted["found"]  # the hook found the `git commit` that runs it
    assert stored in predicted["texts"]
    if known:
        assert predicted["texts"] == [stored]
    else:  # every mode it may name: more than one text
        assert len(predicted["texts"]) > 1


def test_stripspace_is_gits() -> None:
    message = "\n\n a \t\n\n\n# c\n\nb\r\n\n"
    assert stripspace(message, "#") == " a\n\nb\n"
    assert stripspace(message, None) == " a\n\n# c\n\nb\n"
    assert stripspace("", "#") == ""


@pytest.mark.parametrize(("message", "expected"), [
    ("no hash", "#"), ("a # inside", "#"), ("# start", ";"), ("x\n# a\n;b\r@c", "!"),
    ("".join(f"{c}\n" for c in "#;@!$%^&|:"), None),
])
def test_auto_comment_is_gits_choice(message: str, expected: str | None) -> None:
    assert auto_comment(message) == expected


@pytest.mark.parametrize(("arg", "editor", "mode"), [
    (None, True, "strip"), (None, False, "whitespace"), ("default", False, "whitespace"),
    ("scissors", False, "whitespace"), ("scissors", True, "scissors"),
    ("verbatim", False, "verbatim"), ("strip", False, "strip"),
])
def test_cleanup_mode_is_gits(arg: str | None, editor: bool, mode: str) -> None:
    assert cleanup_mode(arg, editor) == mode


def test_unknown_command_judges_each_mode() -> None:
    message = f"fix\n# {TRAILER}\n{CUT}\n{TRAILER}\n"
    texts = stored_messages(message, {}, None, use_editor=True)
    assert any(f"# {TRAILER}" in t for t in texts)  # whitespace and verbatim keep it
    assert all(t.endswith(f"{TRAILER}\n") for t in texts)  # no mode is taken to cut
    known = stored_messages(message, {}, ["-m", "x"], use_editor=True)
    assert known == ["fix\n" + f"{TRAILER}\n"]  # strip: comments and the cut line go


def test_message_without_git_parent_is_every_mode(tmp_path: Path) -> None:
    # Outside any git process (a person running the check by hand) nothing names the mode.
    from ai_clearance.git import gitio

    assert os.getppid() > 0
    assert gitio.committing_command() is None


@pytest.mark.parametrize(("argv", "expected"), [
    (["commit", "-m", "x"], ["-m", "x"]),
    (["-c", "commit.cleanup=strip", "-C", "/r", "--no-pager", "commit", "-v"], ["-v"]),
    (["--git-dir=/r/.git", "commit"], []),
    (["ci", "-m", "x"], None),  # an alias: what it expands to is not read
    (["merge", "topic"], None),
    (["-c", "commit", "merge"], None),  # `commit` here is -c's value
])
def test_the_committing_command_line_is_found(argv: list[str],
                                             expected: list[str] | None) -> None:
    from ai_clearance.git.gitio import subcommand_args

    assert subcommand_args(argv, "commit") == expected
