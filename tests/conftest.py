"""Shared fixtures: real git repositories in temporary folders, with a pinned identity."""

from __future__ import annotations

import gc
import inspect
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ai_clearance.catalog.rules import load_catalog

ROOT = Path(__file__).resolve().parent.parent
HUMAN = ("Jane Dev", "jane@example.com")


def _bin(name: str) -> str:
    """A console script installed next to the running Python (the package under test)."""
    found = shutil.which(name, path=os.path.dirname(sys.executable))
    return found or name


AI_CLEARANCE = _bin("ai-clearance")
SESSION_VARIABLES = frozenset(name for rule in load_catalog().rules_for("session")
                              for name, _ in rule.env)


@pytest.fixture(scope="session", autouse=True)
def _git_identity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Pin git's identity and isolate it from the user's configuration for the whole run."""
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith(("GIT_", "PRE_COMMIT", "AI_CLEARANCE_", "GITHUB_")) or key == "CI" \
                or key in SESSION_VARIABLES:
            del os.environ[key]  # an agent running these tests must not be every hook's finding
    os.environ.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": HUMAN[0], "GIT_AUTHOR_EMAIL": HUMAN[1],
        "GIT_COMMITTER_NAME": HUMAN[0], "GIT_COMMITTER_EMAIL": HUMAN[1],
        "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00",
    })
    (home / ".gitconfig").write_text(
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"
        "[protocol \"file\"]\n\tallow = always\n", encoding="utf-8")
    yield
    os.environ.clear()
    os.environ.update(saved)


def git(cwd: Path, *args: str, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run real git in `cwd`."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(["git", *args], cwd=cwd, env=full_env, text=True,
                          capture_output=True, check=check)


@dataclass
class Repo:
    """A temporary repository with helpers to write files and commit them."""

    path: Path

    def write(self, name: str, text: str = "x\n") -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def commit(self, message: str, *files: str, author: tuple[str, str] | None = None,
               committer: tuple[str, str] | None = None, allow_empty: bool = False) -> str:
        for name in files:
            if not os.path.lexists(self.path / name):
                self.write(name)
        if files:
            git(self.path, "add", "--", *files)
        env: dict[str, str] = {}
        if author:
            env.update({"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]})
        if committer:
            env.update({"GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1]})
        args = ["commit", "-q", "--no-verify", "--cleanup=verbatim", "-m", message]
        if allow_empty or not files:
            args.append("--allow-empty")
        git(self.path, *args, env=env)
        return self.head()

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD").stdout.strip()

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return git(self.path, *args, check=check)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """An empty repository on branch main."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    return Repo(path)


@pytest.fixture
def clean_repo(repo: Repo) -> Repo:
    """A repository with one ordinary commit."""
    repo.commit("Initial commit", "README.md")
    return repo


def run_cli(*args: str, cwd: Path, stdin: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `ai-clearance` console script."""
    return subprocess.run([AI_CLEARANCE, *args], cwd=cwd, input=stdin, text=True,
                          capture_output=True, env={**os.environ, **(env or {})}, check=False)


@pytest.fixture(scope="session")
def project_snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This project as a committed repository (the work tree may be dirty): path and rev."""
    snapshot = tmp_path_factory.mktemp("project") / "ai-clearance"
    shutil.copytree(ROOT, snapshot, ignore=shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "build"))
    git(snapshot, "init", "-q", "-b", "main")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "--no-verify", "-m", "snapshot")
    return snapshot, git(snapshot, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One PRE_COMMIT_HOME for the session, so pip builds the hook environment once."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    os.environ["PRE_COMMIT_HOME"] = str(home)
    yield home
    os.environ.pop("PRE_COMMIT_HOME", None)


# Fixtures that make a test an integration test: it builds real repositories, runs git or
# the installed commands. The rest are unit tests of pure functions, the fast loop:
# `pytest -m "not integration"`.
_INTEGRATION_FIXTURES = frozenset({
    "tmp_path", "repo", "clean_repo", "project_snapshot",
    "pre_commit_home", "hook_repo", "remote", "runner_temp", "act", "installed", "server",
    "setup",
})


# Calls that do the same from a test's own body; and the slow kinds of test: time ratios
# (`clock()`, on inputs large enough to time) and property tests (hypothesis's `@given`).
_INTEGRATION_CALLS = re.compile(r"\b(?:run_cli|subprocess|git|make_key|Repo|gitio\.discover|"
                                r"interpret_trailers|ssh_keygen|clock|_?seconds|_best_time|best|"
                                r"_ratio)\(|"
                                r"subprocess\.|^@given\b|@settings\b", re.M)


# Tests that read inputs made large on purpose: time ratios, files over the size limits.
_SLOW_NAMES = re.compile(r"linear|over_the_limit|oversized|budget|_large|exponential|by_lines")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    sources: dict[object, str] = {}
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        function = getattr(item, "function", None)
        if function not in sources:
            try:
                sources[function] = inspect.getsource(function)  # type: ignore[arg-type]
            except (OSError, TypeError):
                sources[function] = ""
        if fixtures & _INTEGRATION_FIXTURES or _INTEGRATION_CALLS.search(sources[function]) \
                or _SLOW_NAMES.search(item.name):
            item.add_marker(pytest.mark.integration)


# The clock of the ratio tests (time for 4n against time for n): this process's CPU time
# where that clock is fine-grained, so that a machine busy with other work does not stretch
# one of the two readings; wall time elsewhere (Windows counts CPU time in 15.6 ms ticks).
clock = time.process_time if time.get_clock_info("process_time").resolution <= 1e-6 \
    else time.perf_counter


def best_seconds(call: Callable[[], object], tries: int = 3, repeat: int = 1) -> float:
    """The best of a few timings of `call` (made `repeat` times in each, so that a short
    call is timed over more than the timer's noise) on `clock`, the collector off: a
    collection landing in one timing alone skews a ratio on a loaded host."""
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(tries):
            started = clock()
            for _ in range(repeat):
                call()
            best = min(best, clock() - started)
    finally:
        gc.enable()
    return best


# Shared by the tests of several folders.
MAINTAINER = "maintainer@example.com"


def make_key(folder: Path, name: str, kind: str = "ed25519") -> Path:
    """A real SSH key pair made by ssh-keygen; returns the private key path."""
    path = folder / name
    args = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", name, "-f", str(path)]
    if kind == "rsa":
        args[4:4] = ["-b", "2048"]
    subprocess.run(args, check=True)
    return path


def signer_line(principal: str, key: Path, options: str = 'namespaces="ai-clearance"') -> str:
    public = key.with_suffix(".pub").read_text("utf-8").split()
    return f"{principal} {options} {public[0]} {public[1]}\n"
