"""The doctor's checks of trust: maintainers, your signing key, approvals about to end, and
trust files the work tree changes (pending until merged)."""

from __future__ import annotations

from datetime import timedelta

from ai_clearance.approvals import trustfiles
from ai_clearance.approvals.sshsig import validate_signers
from ai_clearance.cli.doctor import FAIL, OK, WARN, Check
from ai_clearance.errors import ClearanceError
from ai_clearance.git import gitio
from ai_clearance.report.words import counted

# How trustfiles names the trust of a repository without a commit; said as a place instead
# ("not in no commits yet" read as nonsense).
_NO_COMMITS = "no commits yet"


def place(trusted: trustfiles.TrustFiles) -> str:
    """The trusted commit as the doctor names it: its label, or HEAD before the first commit."""
    return "HEAD (no commits yet)" if trusted.label == _NO_COMMITS else trusted.label


def maintainers_check(trusted: trustfiles.TrustFiles) -> Check:
    """Whether the trusted commit lists maintainers' keys (no approval verifies without)."""
    text = trusted.text(trustfiles.SIGNERS_FILE)
    if text is None:
        return Check(WARN, f"{trustfiles.SIGNERS_FILE}: none in {place(trusted)}: no approval "
                           "or token can be verified (`ai-clearance init` adds your key)")
    try:
        count = validate_signers(text, trustfiles.SIGNERS_FILE)
    except ClearanceError as exc:
        return Check(FAIL, f"{exc} ({trusted.label})")
    return Check(OK if count else WARN,
                 f"{trustfiles.SIGNERS_FILE}: {counted(count, 'key')} in {place(trusted)}")


def signing_key_check(repo: gitio.Repo, trusted: trustfiles.TrustFiles) -> Check:
    """Whether git's user.signingkey is a maintainer key (it only matters to maintainers)."""
    from ai_clearance.cli.signingkey import public_key

    value = gitio.config_value(repo, "user.signingkey")
    if not value:
        return Check(WARN, "no git config user.signingkey: fine for a developer; a maintainer "
                           "sets it to their SSH key to sign approvals")
    try:
        key = public_key(value)
    except ClearanceError as exc:
        return Check(WARN, f"user.signingkey: {exc}")
    listed = any(key.split()[1] in line.split()
                 for line in (trusted.text(trustfiles.SIGNERS_FILE) or "").splitlines()
                 if not line.lstrip().startswith("#"))
    if listed:
        return Check(OK, f"your signing key is listed in {trustfiles.SIGNERS_FILE}")
    return Check(WARN, f"your signing key is not in {trustfiles.SIGNERS_FILE} of "
                       f"{place(trusted)}: you cannot sign approvals here")


def expiry_checks(trusted: trustfiles.TrustFiles, open_ended: bool,
                  repository_id: str | None, window: timedelta) -> list[Check]:
    """Active approvals and tokens that end within `window`."""
    from ai_clearance.approvals import trust
    from ai_clearance.approvals.records import Approval, Token, format_time, utc_now

    now = utc_now()
    states = trust.build_trust(trusted, now, open_ended, repository_id=repository_id).states
    checks = []
    for state in states:
        record = state.record
        if state.status != "active" or not isinstance(record, (Approval, Token)):
            continue
        if record.valid_until is not None and record.valid_until - now <= window:
            checks.append(Check(WARN, f"{state.kind} {state.id} ends "
                                      f"{format_time(record.valid_until)} (within "
                                      f"{counted(window.days, 'day')})"))
    active = sum(1 for s in states if s.status == "active" and s.kind != "revocation")
    either = "active approval or token" if active == 1 else "active approvals or tokens"
    checks.append(Check(OK, f"{active} {either} in {place(trusted)}, "
                            f"{len(checks)} ending within {counted(window.days, 'day')}"))
    return checks


def _effect(path: str) -> str:
    """What a pending trust file does once merged; a request grants nothing, ever."""
    from ai_clearance.approvals.requests import REQUESTS_DIR

    if path.startswith(f"{REQUESTS_DIR}/"):
        return ("a request grants nothing (`ai-clearance approvals list` says whether it is "
                "still open); once answered, close its pull request or git rm it")
    return "it takes effect once merged"


def pending_checks(root: str, trusted: trustfiles.TrustFiles) -> list[Check]:
    """Trust files that differ between the work tree and the trusted commit."""
    try:
        tree = trustfiles.files_in_dir(root)
    except ClearanceError as exc:
        return [Check(FAIL, f"work tree trust files: {exc}")]
    changed = sorted(p for p, (_, data) in tree.files.items()
                     if trusted.files.get(p, ("", None))[1] != data)
    gone = sorted(p for p in trusted.files if p not in tree.files)
    name = place(trusted)
    checks = [Check(WARN, f"pending: {p} "
                          + ("differs from" if p in trusted.files else "is not in")
                          + f" {name}: " + _effect(p)) for p in changed]
    checks.extend(Check(WARN, f"pending: {p} is in {name} but not in the work tree")
                  for p in gone)
    if not checks:
        checks.append(Check(OK, f"trust files in the work tree match {name}"))
    return checks
