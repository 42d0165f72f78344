"""`ai-clearance doctor`: is this repository set up so that the hooks actually run?"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.clearance.policy import load_policy
from ai_clearance.errors import ClearanceError, GitError
from ai_clearance.git import gitio

HOOK_TYPES = ("pre-commit", "commit-msg", "pre-push")
HOOK_IDS = ("ai-clearance-files", "ai-clearance-msg", "ai-clearance-push")


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report: `ok` or a problem with its fix."""

    ok: bool
    message: str


def diagnose(path: str = ".") -> list[Check]:
    """Inspect the repository at `path`: its hooks, its pre-commit configuration, its
    policy, whether it is shallow."""
    try:
        repo = gitio.discover(path)
    except gitio.NotARepository:
        raise GitError(f"not a git repository: {path}") from None
    checks: list[Check] = []
    hooks_dir = gitio.git_path(repo, "hooks")
    if gitio.config_value(repo, "core.hooksPath"):
        checks.append(Check(True, f"core.hooksPath is set: hooks run from {hooks_dir}"))
    checks.extend(_hook_check(hooks_dir, hook_type) for hook_type in HOOK_TYPES)
    work_tree = repo.toplevel
    if work_tree:
        checks.extend(_pre_commit_config_checks(work_tree))
    checks.append(_policy_check(work_tree))
    if gitio.is_shallow(repo):
        checks.append(Check(False, "this clone is shallow: --history and long ranges fail "
                                   "closed; run git fetch --unshallow"))
    return checks


def _hook_check(hooks_dir: str, hook_type: str) -> Check:
    """Whether the git hook `hook_type` exists, runs pre-commit or ai-clearance, and is
    executable."""
    hook = os.path.join(hooks_dir, hook_type)
    try:
        with open(hook, encoding="utf-8", errors="replace") as handle:
            text = handle.read(65536)
    except OSError:
        return Check(False, f"no {hook_type} hook; run: pre-commit install "
                            f"--hook-type {hook_type}")
    if "pre-commit" not in text and "ai-clearance" not in text:
        return Check(False, f"{hook_type} hook does not run pre-commit or ai-clearance")
    if not os.access(hook, os.X_OK):
        return Check(False, f"{hook_type} hook is not executable; run: chmod +x {hook}")
    return Check(True, f"{hook_type} hook installed")


def _pre_commit_config_checks(work_tree: str) -> list[Check]:
    """Problems of .pre-commit-config.yaml: hooks it lacks, hook types it does not install."""
    checks = []
    config = os.path.join(work_tree, ".pre-commit-config.yaml")
    try:
        with open(config, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        text = ""
    missing = [h for h in HOOK_IDS if h not in text]
    if missing:
        checks.append(Check(False, f".pre-commit-config.yaml lacks {', '.join(missing)}"))
    if text and "default_install_hook_types" not in text:
        checks.append(Check(False, ".pre-commit-config.yaml has no "
                                   "default_install_hook_types: [pre-commit, commit-msg, "
                                   "pre-push]; `pre-commit install` then sets up only "
                                   "pre-commit"))
    return checks


def _policy_check(work_tree: str | None) -> Check:
    """Whether the repository's policy loads, and from where."""
    try:
        policy = load_policy(load_catalog(), work_tree)
    except ClearanceError as exc:
        return Check(False, f"policy: {exc}")
    return Check(True, f"policy: {policy.origin}")
