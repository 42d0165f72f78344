"""`ai-clearance doctor`: is this repository set up so that the hooks actually run?"""

from __future__ import annotations

import os

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.clearance.policy import load_policy
from ai_clearance.errors import ClearanceError, GitError
from ai_clearance.git import gitio
from ai_clearance.values import value

HOOK_TYPES = ("pre-commit", "commit-msg", "pre-push")
HOOK_IDS = ("ai-clearance-files", "ai-clearance-msg", "ai-clearance-push")


@value
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
    for hook_type in HOOK_TYPES:
        hook = os.path.join(hooks_dir, hook_type)
        try:
            with open(hook, encoding="utf-8", errors="replace") as handle:
                text = handle.read(65536)
        except OSError:
            checks.append(Check(False, f"no {hook_type} hook; run: pre-commit install "
                                       f"--hook-type {hook_type}"))
            continue
        if "pre-commit" not in text and "ai-clearance" not in text:
            checks.append(Check(False, f"{hook_type} hook does not run pre-commit or "
                                       "ai-clearance"))
        elif not os.access(hook, os.X_OK):
            checks.append(Check(False, f"{hook_type} hook is not executable; run: "
                                       f"chmod +x {hook}"))
        else:
            checks.append(Check(True, f"{hook_type} hook installed"))
    work_tree = repo.toplevel
    if work_tree:
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
    try:
        policy = load_policy(load_catalog(), work_tree)
        checks.append(Check(True, f"policy: {policy.origin}"))
    except ClearanceError as exc:
        checks.append(Check(False, f"policy: {exc}"))
    if gitio.is_shallow(repo):
        checks.append(Check(False, "this clone is shallow: --history and long ranges fail "
                                   "closed; run git fetch --unshallow"))
    return checks
