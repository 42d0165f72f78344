"""Where the kernel refuses memory files or posix_spawn (seccomp, an old kernel: ENOSYS,
EPERM, EMFILE), git runs the portable way (subprocess) and every check gives what it gives
on the ordinary path; where git's output cannot be read back, the check is exit 3.

The refusal is made real in a child process: a wrapper replaces the os function before
ai_clearance is imported, then runs a console script. Each replaced function notes its
calls in a file, so a test knows that the refusal was met, not left aside."""

from __future__ import annotations

import errno
import mmap
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ai_clearance.git import gitio, listing
from conftest import Repo, git, tree_repo

pytestmark = pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="Linux only (memfd)")

_WRAPPER = """
import errno, os, sys
function, code, script = sys.argv[1:4]
del sys.argv[1:4]

def refuse(*args, **kwargs):
    with open(os.environ["REFUSALS"], "a") as log:
        log.write(function + "\\n")
    raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)))

if code == "ABSENT":
    delattr(os, function)  # the portable path as on macOS: CAN_SPAWN is False
else:
    setattr(os, function, refuse)
from ai_clearance.cli import script as scripts
getattr(scripts, script)()
"""
# In the traced repository the assistant commits: only `git var` shows it to the message hook.
AS_CLAUDE = {"GIT_COMMITTER_NAME": "Claude", "GIT_COMMITTER_EMAIL": "noreply@anthropic.com"}
# (console script, its function in ai_clearance.cli.script, arguments)
COMMANDS = {
    "check --staged": ("ai_clearance", ["check", "--staged"]),
    "check --range": ("ai_clearance", ["check", "--range", "HEAD~1..HEAD"]),
    "check --tree": ("ai_clearance", ["check", "--tree", "HEAD"]),
    "files hook": ("files_hook", []),
    "message hook": ("msg_hook", ["{message}"]),
}
REFUSALS = [("memfd_create", "ENOSYS"), ("memfd_create", "EMFILE"),
            ("posix_spawnp", "EPERM"), ("memfd_create", "ABSENT")]


def _repo(path: Path, traced: bool) -> Path:
    """A repository whose last commit and staged change hold a trace, or none."""
    repo = Repo(path)
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    repo.commit("Initial commit", "README.md")
    repo.commit("Add notes", "CLAUDE.md" if traced else "docs/notes.md")
    repo.write("AGENTS.md" if traced else "src/app.py")
    repo.git("add", "-A")
    (path.parent / f"{path.name}.msg").write_text("Fix it\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    root = tmp_path_factory.mktemp("portable")
    return {traced: _repo(root / ("traced" if traced else "clean"), traced)
            for traced in (True, False)}


def _run(repo: Path, command: str, refusal: tuple[str, str] | None,
         log: Path) -> subprocess.CompletedProcess[str]:
    script, args = COMMANDS[command]
    args = [a.format(message=f"{repo}.msg") for a in args]
    if refusal is None:
        argv = [sys.executable, "-c", "from ai_clearance.cli import script; "
                f"script.{script}()", *args]
    else:
        argv = [sys.executable, "-c", _WRAPPER, *refusal, script, *args]
    env = {**os.environ, "REFUSALS": str(log), **(AS_CLAUDE if repo.name == "traced" else {})}
    return subprocess.run(argv, cwd=repo, env=env, text=True, capture_output=True, check=False)


@pytest.fixture(scope="module")
def ordinary(repos: dict[bool, Path], tmp_path_factory: pytest.TempPathFactory,
             ) -> dict[tuple[str, bool], subprocess.CompletedProcess[str]]:
    """What each command gives on the ordinary path (memory files and posix_spawn)."""
    log = tmp_path_factory.mktemp("ordinary") / "refusals"
    results = {(command, traced): _run(repo, command, None, log)
               for command in COMMANDS for traced, repo in repos.items()}
    assert not log.exists()
    return results


@pytest.mark.parametrize("refusal", REFUSALS, ids="-".join)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_refused_memory_files_or_spawn_give_the_same_verdict(
        repos: dict[bool, Path], ordinary: dict[tuple[str, bool], subprocess.CompletedProcess[str]],
        tmp_path: Path, command: str, refusal: tuple[str, str]) -> None:
    log = tmp_path / "refusals"
    for traced, repo in repos.items():
        expected = ordinary[command, traced]
        assert expected.returncode == (1 if traced else 0), expected.stderr
        refused = _run(repo, command, refusal, log)
        assert (refused.returncode, refused.stdout, refused.stderr) == \
            (expected.returncode, expected.stdout, expected.stderr)
        # The refusal was met (not so when the function is absent: nothing calls it).
        assert log.exists() == (refusal[1] != "ABSENT")


@pytest.mark.parametrize(("function", "commands"), [
    ("pread", sorted(COMMANDS)),  # every git's output, read back from its memory file
    ("preadv", ["check --tree"]),  # the tree listing, read as git writes it
])
def test_output_that_cannot_be_read_back_is_exit_3(repos: dict[bool, Path], tmp_path: Path,
                                                   function: str, commands: list[str]) -> None:
    for command in commands:
        for repo in repos.values():
            result = _run(repo, command, (function, "EIO"), tmp_path / "refusals")
            assert result.returncode == 3, result.stdout + result.stderr
            assert result.stderr.startswith("ai-clearance: error: cannot read what git")
            assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_memory_file_refused_halfway_leaves_nothing_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(tmp_path, "init", "-q")
    real, calls = os.memfd_create, []

    def second_refused(name: str, flags: int = 0) -> int:
        calls.append(name)
        if len(calls) % 2 == 0:
            raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))
        return real(name, flags)

    monkeypatch.setattr(os, "memfd_create", second_refused)
    before = _open_fds()
    with pytest.raises(OSError, match="Too many open files"):
        listing.SpawnedGit(str(tmp_path), ["rev-parse", "--git-dir"])
    assert _open_fds() == before
    # run_git meets the same refusal, and runs git the portable way.
    assert gitio.run_git(["rev-parse", "--git-dir"], cwd=str(tmp_path)) == b".git\n"
    assert len(calls) == 4 and _open_fds() == before


def test_a_listing_whose_reads_cannot_be_freed_reads_everything(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = tree_repo(tmp_path / "repo", 3000)
    monkeypatch.setattr(listing, "_FREE_STEP", 1 << 14)
    refused = []

    def no_mapping(*args: object, **kwargs: object) -> mmap.mmap:
        refused.append(args)
        raise OSError(errno.ENOMEM, os.strerror(errno.ENOMEM))

    monkeypatch.setattr(mmap, "mmap", no_mapping)
    started = listing.TreeListing(str(tmp_path / "repo"), "main")
    got = bytearray()
    with started.output() as stream, memoryview(bytearray(1000)) as view:
        while size := stream.readinto(view):
            got += view[:size]
    assert bytes(got) == expected and len(refused) > 10
