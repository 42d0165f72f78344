"""The console scripts end the process themselves once the command is done: the report gets
out whole first, the exit code is the command's, and a reader that goes away early is one
line and exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ai_clearance.cli import script
from conftest import AI_CLEARANCE, Repo, _bin


def _many_traces(repo: Repo, count: int) -> None:
    for i in range(count):
        repo.write(f"pkg{i}/CLAUDE.md", "notes\n")
    repo.commit("Add notes", *[f"pkg{i}" for i in range(count)])


def test_a_report_larger_than_a_pipe_arrives_whole(clean_repo: Repo) -> None:
    _many_traces(clean_repo, 600)
    command = [AI_CLEARANCE, "check", "--tree", "HEAD", "--format", "json"]
    # check=False: exit code 1 (findings) is the expected outcome here.
    proc = subprocess.run(command, cwd=clean_repo.path, capture_output=True, check=False)
    in_process = subprocess.run(
        [sys.executable, "-c", "import sys; from ai_clearance.cli.main import main; "
         "sys.exit(main(sys.argv[1:]))", *command[1:]],
        cwd=clean_repo.path, capture_output=True, check=False)
    assert proc.returncode == in_process.returncode == 1, proc.stderr
    assert len(proc.stdout) > 1 << 16  # more than a pipe holds: it was written while read
    assert proc.stdout == in_process.stdout
    assert len(json.loads(proc.stdout)["findings"]) >= 600


@pytest.mark.parametrize(("name", "expected"), [("ai-clearance-msg", 1),
                                                 ("ai-clearance-files", 0)])
def test_hooks_exit_with_their_verdict_and_print_it(clean_repo: Repo, name: str,
                                                    expected: int) -> None:
    message = clean_repo.path / "MSG"
    message.write_text("Fix it\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n")
    args = [str(message)] if name == "ai-clearance-msg" else []
    proc = subprocess.run([_bin(name), *args], cwd=clean_repo.path, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == expected, proc.stderr
    verdict = "FAIL" if expected else "PASS"
    assert proc.stdout.rstrip().endswith("policy: defaults.") and verdict in proc.stdout


def test_a_reader_that_leaves_early_is_one_line_and_exit_2(clean_repo: Repo) -> None:
    _many_traces(clean_repo, 600)
    read, write = os.pipe()
    os.close(read)  # nobody will read the report
    with os.fdopen(write, "wb") as stdout:
        proc = subprocess.run([AI_CLEARANCE, "check", "--tree", "HEAD"], cwd=clean_repo.path,
                              stdout=stdout, stderr=subprocess.PIPE, text=True, check=False)
    assert proc.returncode == 2
    assert proc.stderr == "ai-clearance: error: the report could not be written: Broken pipe\n"


def test_a_full_disk_is_one_line_and_exit_2(clean_repo: Repo) -> None:
    if not os.path.exists("/dev/full"):
        pytest.fail("this test needs /dev/full (Linux)")
    clean_repo.commit("Add agents", "AGENTS.md")
    with open("/dev/full", "w") as stdout:
        proc = subprocess.run([AI_CLEARANCE, "check", "--tree", "HEAD"], cwd=clean_repo.path,
                              stdout=stdout, stderr=subprocess.PIPE, text=True, check=False)
    assert proc.returncode == 2
    assert proc.stderr == ("ai-clearance: error: the report could not be written: "
                           "No space left on device\n")


def test_leave_flushes_what_is_buffered_then_exits(tmp_path: Path) -> None:
    code = ("import sys\nfrom ai_clearance.cli.script import leave\n"
            "sys.stdout.write('x' * 100000)\nsys.stderr.write('last words')\nleave(3)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 3
    assert proc.stdout == "x" * 100000
    assert proc.stderr == "last words"


def test_every_console_script_goes_through_leave() -> None:
    from importlib.metadata import entry_points

    scripts = {e.name: e.value for e in entry_points(group="console_scripts")
               if e.value.startswith("ai_clearance.")}
    assert len(scripts) == 10
    for name, target in scripts.items():
        module, _, function = target.partition(":")
        assert module == "ai_clearance.cli.script", name
        assert callable(getattr(script, function)), name
