"""The `ai-clearance` entry point: which command lines start the tree listing early, that
its option tables match click's, and that a check reads the same either way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from ai_clearance.cli import main as cli
from ai_clearance.cli.entry import CHECK_FLAGS, CHECK_VALUE_OPTIONS, tree_check
from conftest import Repo, run_cli


@pytest.mark.parametrize(("args", "expected"), [
    (["check", "--tree", "HEAD"], (".", "HEAD")),
    (["check", "--tree=main~2", "--format", "json"], (".", "main~2")),
    (["check", "-C", "sub dir", "--format=sarif", "--tree", "v1.0", "--token", "a",
      "--token", "b", "--allow-empty"], ("sub dir", "v1.0")),
    (["check", "--tree", "HEAD", "--trust-ref", "origin/main", "--pull-request", "7",
      "--branch", "x", "--config", "c.toml", "--pr-text", "t"], (".", "HEAD")),
])
def test_a_plain_tree_check_starts_its_listing(args: list[str],
                                               expected: tuple[str, str]) -> None:
    assert tree_check(args) == expected


@pytest.mark.parametrize("args", [
    [], ["check"], ["rules"], ["check", "--range", "A..B"],
    ["check", "--tree"],                          # no value: click says so
    ["check", "--tree", "HEAD", "--tree", "X"],   # twice
    ["check", "--tree", "HEAD", "--history"],     # two sources: click refuses it
    ["check", "--tree", "HEAD", "--staged"],
    ["check", "--tree", "--help"],                # a value that is an option
    ["check", "--tree="],                         # empty: click's own reading decides
    ["check", "--tree", "HEAD", "--help"],
    ["check", "--tree", "HEAD", "--bogus"],
    ["check", "--tree", "HEAD", "-Cdir"],
    ["check", "--tree", "HEAD", "-C=dir"],
    ["check", "--tree", "HEAD", "-C", "a", "-C", "b"],
    ["check", "--tree", "HEAD", "--", "x"],
    ["check", "--staged=1", "--tree", "HEAD"],
    ["approvals", "check", "--tree", "HEAD"],
])
def test_anything_else_is_left_to_click(args: list[str]) -> None:
    assert tree_check(args) is None


def test_option_tables_match_the_check_command() -> None:
    flags: set[str] = set()
    values: set[str] = set()
    for param in cli.check.params:
        assert isinstance(param, click.Option)
        (flags if param.is_flag else values).update(param.opts)
    assert flags == CHECK_FLAGS
    assert values == CHECK_VALUE_OPTIONS


def test_a_tree_check_reads_the_same_with_its_listing_started_early(
        clean_repo: Repo, tmp_path: Path) -> None:
    clean_repo.write("CLAUDE.md", "notes\n")
    clean_repo.write("docs/naïve/.cursor/rules/a.mdc", "x\n")
    (clean_repo.path / "link").symlink_to(".claude/settings.json")
    clean_repo.commit("Add files", "CLAUDE.md", "docs", "link")
    early = run_cli("check", "--tree", "HEAD", "--format", "json", "-C", str(clean_repo.path),
                    cwd=tmp_path)
    late = subprocess.run(
        [sys.executable, "-c", "import sys; from ai_clearance.cli.main import main; "
         "sys.exit(main(sys.argv[1:]))", "check", "--tree", "HEAD", "--format", "json"],
        cwd=clean_repo.path, capture_output=True, text=True, check=False)
    assert early.returncode == late.returncode == 1, early.stderr + late.stderr
    assert early.stdout == late.stdout
    report = json.loads(early.stdout)
    assert {f["path"] for f in report["findings"]} >= {
        "CLAUDE.md", "docs/naïve/.cursor/rules/a.mdc", "link"}
    assert report["coverage"]["paths_scanned"] == 4


def test_a_tree_check_that_stops_early_leaves_no_git_behind(clean_repo: Repo) -> None:
    result = run_cli("check", "--tree", "HEAD", "--config", "missing.toml",
                     cwd=clean_repo.path)
    assert result.returncode == 2 and "missing.toml" in result.stderr
    failed = run_cli("check", "--tree", "no-such-rev", cwd=clean_repo.path)
    assert failed.returncode == 3
    assert failed.stderr.strip() == \
        "ai-clearance: error: git ls-tree failed: Not a valid object name no-such-rev"
