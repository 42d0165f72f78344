"""Server-side hooks: `pre-receive` (every pushed ref) and `update` (one ref) for self-hosted
git. What a push adds is checked with the policy and approvals of the ref's current tip."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

from . import gitio
from .errors import EXIT_FINDINGS, EXIT_PASS, EXIT_USAGE, ClearanceError
from .run import Request, run

_ZERO = re.compile(r"0{40}(?:0{24})?\Z")
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?\Z")


def request_for_update(repo: gitio.Repo, old: str, new: str, ref: str) -> Request | None:
    """The check for one ref update, or None when it adds nothing to check (a deletion)."""
    if _ZERO.match(new):
        return None
    candidate = old if not _ZERO.match(old) else "HEAD"
    # The first push into an empty repository has no policy yet: defaults apply.
    trust = candidate if gitio.resolve_commit(repo, candidate) is not None else None
    # Only what this push brings: commits no existing ref reaches (refs move after the hook).
    revs = (new, "--not", "--all")
    return Request(source="revs", revs=revs, trust_ref=trust, branch=ref, cwd=repo.cwd,
                   allow_empty=True, argument=f"{ref} {old[:12]}..{new[:12]}")


def _check_update(repo: gitio.Repo, old: str, new: str, ref: str) -> int:
    if not (_SHA.match(old) and _SHA.match(new)):
        sys.stdout.write(f"ai-clearance: error: bad ref update line for {ref!r}\n")
        return EXIT_USAGE
    request = request_for_update(repo, old, new, ref)
    if request is None:
        return EXIT_PASS
    if gitio.resolve_commit(repo, new) is None:
        return EXIT_PASS  # a tag of a tree or blob: no commits
    sys.stdout.write(f"ai-clearance: checking {ref}\n")
    return run(request, out=sys.stdout, err=sys.stdout)


def pre_receive(argv: Sequence[str] | None = None) -> int:
    """Read `old new ref` lines from stdin; reject the whole push if any ref fails."""
    try:
        repo = gitio.discover(".")
    except ClearanceError as exc:
        sys.stdout.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    worst = EXIT_PASS
    for line in sys.stdin.read().splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            sys.stdout.write("ai-clearance: error: pre-receive expects 'old new ref' lines\n")
            return EXIT_USAGE
        code = _check_update(repo, *parts)
        worst = worst if code == EXIT_PASS else max(worst, code)
    if worst == EXIT_FINDINGS:
        sys.stdout.write("ai-clearance: push rejected: remove the traces or ask a maintainer "
                         "for an approval on the target branch\n")
    return worst


def update(argv: Sequence[str] | None = None) -> int:
    """The `update` hook: `update REF OLD NEW`, one ref at a time."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3:
        sys.stdout.write("ai-clearance: error: usage: update REF OLD NEW\n")
        return EXIT_USAGE
    try:
        repo = gitio.discover(".")
    except ClearanceError as exc:
        sys.stdout.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    ref, old, new = args
    return _check_update(repo, old, new, ref)
