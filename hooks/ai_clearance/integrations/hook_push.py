"""pre-push stage hook: every commit the push sends, and the name of the branch it updates."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import replace

from ai_clearance.check import hook_request, run
from ai_clearance.errors import EXIT_USAGE, ClearanceError


def main(argv: Sequence[str] | None = None) -> int:
    """Check the pushed range that pre-commit describes in PRE_COMMIT_* variables.

    pre-commit sets FROM/TO for an update of a branch the remote has; for a new branch whose
    history reaches a root commit it sets neither, and the commits are then the local branch's
    ones that no ref of the remote has.
    """
    try:
        request, _ = hook_request(argv, "ai-clearance-push", "range")
    except ClearanceError as exc:
        sys.stderr.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    env = os.environ
    from_ref, to_ref = env.get("PRE_COMMIT_FROM_REF"), env.get("PRE_COMMIT_TO_REF")
    local, remote = env.get("PRE_COMMIT_LOCAL_BRANCH"), env.get("PRE_COMMIT_REMOTE_NAME")
    branch = env.get("PRE_COMMIT_REMOTE_BRANCH") or local
    # Trust comes from the remote's default branch (refs/remotes/REMOTE/HEAD), never from
    # what is being pushed: with no such ref the hook says how to set it and fails.
    # An agent that pushes is in a session: its commits may have skipped the commit hooks
    # (`git am`, plumbing), so the session rules judge the push too.
    request = replace(request, enforce=True, remote=remote or "origin", session=True)
    if from_ref and to_ref:
        request = replace(request, argument=f"{from_ref}..{to_ref}", branch=branch)
    elif local and remote:
        request = replace(request, source="pushed", argument=local, remote=remote,
                          branch=branch)
    else:
        sys.stderr.write("ai-clearance: error: ai-clearance-push runs in pre-commit's pre-push "
                         "stage (PRE_COMMIT_FROM_REF/TO_REF are unset); use "
                         "`ai-clearance check --range A..B` directly\n")
        return EXIT_USAGE
    return run(request)


if __name__ == "__main__":
    from ai_clearance.cli.script import tolerant_streams

    tolerant_streams()
    raise SystemExit(main())
