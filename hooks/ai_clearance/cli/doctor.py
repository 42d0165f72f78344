"""`ai-clearance doctor`: is this repository set up so that the hooks run and approvals work?

One line per check: `ok`, `warn` (works, but something is missing or about to end) or `fail`
(a hook will not run, or a check will stop). Exit 0 without a failure, 1 with one."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import timedelta

from ai_clearance.approvals import trustfiles
from ai_clearance.catalog.rules import load_catalog
from ai_clearance.clearance.policy import load_policy, policy_from_texts
from ai_clearance.errors import ClearanceError, GitError
from ai_clearance.git import gitio

HOOK_TYPES = ("pre-commit", "commit-msg", "pre-push")
HOOK_IDS = ("ai-clearance-files", "ai-clearance-msg", "ai-clearance-push")
# The fourth stage: required when the configuration names its hook, a warning otherwise
# (a setup from before it existed still works, its commits checked at push).
SESSION_HOOK_TYPE, SESSION_HOOK_ID = "prepare-commit-msg", "ai-clearance-session"
EXPIRY_WARNING = timedelta(days=14)
OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report: its level and what it found (with the fix)."""

    level: str
    message: str

    @property
    def ok(self) -> bool:
        return self.level != FAIL


def exit_code(checks: list[Check]) -> int:
    """0 when no check fails (warnings allowed), else 1."""
    return 1 if any(c.level == FAIL for c in checks) else 0


def diagnose(path: str = ".") -> list[Check]:
    """Inspect the repository at `path`: hooks, pre-commit configuration, policy, ssh-keygen,
    maintainers, your signing key, approvals about to end, pending trust files, shallowness."""
    try:
        repo = gitio.discover(path)
    except gitio.NotARepository:
        raise GitError(f"not a git repository: {path}") from None
    checks: list[Check] = []
    hooks_dir = gitio.git_path(repo, "hooks")
    if gitio.config_value(repo, "core.hooksPath"):
        checks.append(Check(OK, f"core.hooksPath is set: hooks run from {hooks_dir}"))
    checks.extend(_hook_check(hooks_dir, hook_type) for hook_type in HOOK_TYPES)
    work_tree = repo.toplevel
    config = _pre_commit_config(work_tree) if work_tree else None
    session = _hook_check(hooks_dir, SESSION_HOOK_TYPE)
    if session.level == FAIL and config is not None and not _names_session(config):
        session = Check(WARN, session.message)
    checks.append(session)
    if config is not None:
        checks.extend(_pre_commit_config_checks(config))
    checks.append(_policy_check(work_tree))
    checks.append(_ssh_keygen_check())
    checks.extend(_trust_checks(repo))
    if gitio.is_shallow(repo):
        checks.append(Check(WARN, "this clone is shallow: --history and long ranges fail "
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
        return Check(FAIL, f"no {hook_type} hook; run: pre-commit install "
                           f"--hook-type {hook_type}")
    if "pre-commit" not in text and "ai-clearance" not in text:
        return Check(FAIL, f"{hook_type} hook does not run pre-commit or ai-clearance")
    if not os.access(hook, os.X_OK):
        return Check(FAIL, f"{hook_type} hook is not executable; run: chmod +x {hook}")
    return Check(OK, f"{hook_type} hook installed")


def _pre_commit_config(work_tree: str) -> str:
    """The text of the work tree's .pre-commit-config.yaml; empty when there is none."""
    try:
        with open(os.path.join(work_tree, ".pre-commit-config.yaml"), encoding="utf-8",
                  errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _names_session(config: str) -> bool:
    """Whether the configuration runs ai-clearance-session on its prepare-commit-msg stage."""
    return SESSION_HOOK_ID in config and SESSION_HOOK_TYPE in config


def _pre_commit_config_checks(text: str) -> list[Check]:
    """Problems of .pre-commit-config.yaml: hooks it lacks, hook types it does not install."""
    checks = []
    missing = [h for h in HOOK_IDS if h not in text]
    if missing:
        checks.append(Check(FAIL, f".pre-commit-config.yaml lacks {', '.join(missing)} "
                                  "(`ai-clearance init` writes one when there is none)"))
    if text and "default_install_hook_types" not in text:
        checks.append(Check(FAIL, ".pre-commit-config.yaml has no "
                                  "default_install_hook_types: [pre-commit, "
                                  "prepare-commit-msg, commit-msg, pre-push]; `pre-commit "
                                  "install` then sets up only pre-commit"))
    elif not missing and _names_session(text):
        checks.append(Check(OK, ".pre-commit-config.yaml names the four hooks and stages"))
    elif not missing:
        checks.append(Check(OK, ".pre-commit-config.yaml names the files, msg and push hooks "
                                "and stages"))
    if text and not missing and not _names_session(text):
        checks.append(Check(WARN, ".pre-commit-config.yaml lacks ai-clearance-session on "
                                  "prepare-commit-msg: an agent's cherry-pick, rebase or "
                                  "`commit -n` is seen only at push"))
    return checks


def _policy_check(work_tree: str | None) -> Check:
    """Whether the repository's policy loads, and from where."""
    try:
        policy = load_policy(load_catalog(), work_tree)
    except ClearanceError as exc:
        return Check(FAIL, f"policy: {exc}")
    return Check(OK, f"policy: {policy.origin}")


def _ssh_keygen_check() -> Check:
    found = shutil.which("ssh-keygen")
    if found is None:
        return Check(WARN, "ssh-keygen not found: approve, revoke and override cannot sign "
                           "(install OpenSSH)")
    return Check(OK, f"ssh-keygen: {found}")


def _trust_checks(repo: gitio.Repo) -> list[Check]:
    """The trusted commit's maintainers and records, your key, and what the work tree
    changes of them."""
    from ai_clearance.cli import doctor_trust

    try:
        ref = trustfiles.trust_ref(repo, None)
        trusted = trustfiles.files_at(repo, ref or "HEAD", explicit=ref != "HEAD")
    except ClearanceError as exc:
        return [Check(FAIL, f"trusted commit: {exc}")]
    checks = [doctor_trust.maintainers_check(trusted)]
    checks.append(doctor_trust.signing_key_check(repo, trusted))
    try:
        policy = policy_from_texts(load_catalog(), trusted.text(trustfiles.POLICY_FILE),
                                   trusted.text(trustfiles.PYPROJECT), trusted.label)
        checks.extend(doctor_trust.expiry_checks(trusted, policy.allow_open_ended_approvals,
                                                 policy.repository_id, EXPIRY_WARNING))
    except ClearanceError as exc:
        checks.append(Check(FAIL, f"trusted policy or records ({trusted.label}): {exc}"))
    if repo.toplevel is not None:
        checks.extend(doctor_trust.pending_checks(repo.toplevel, trusted))
    return checks
