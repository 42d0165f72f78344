"""prepare-commit-msg stage hook: is an agent session making this commit?

git runs prepare-commit-msg for every commit it makes through `git commit` (with
`--no-verify` too), `git merge`, `git cherry-pick`, `git revert` and the picks of `git
rebase`; pre-commit and commit-msg run for `git commit` and `git merge` only, and not with
`--no-verify`. So the session rules (AIC8xx) are judged here as well, and a non-zero exit
stops the commit. `git am`, `git stash` and plumbing (`commit-tree`, `update-ref`) run no
hook that can stop them: the pre-push hook, CI and the server judge what they make."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import replace

from ai_clearance.check import hook_request, run
from ai_clearance.errors import ClearanceError

# The SOURCE argument git passes when an editor still opens on the message (no -m/-F/-C,
# or a template): the message's disclosures are judged by commit-msg, as at pre-commit.
_EDITED = ("", "template")


def main(argv: Sequence[str] | None = None) -> int:
    """Judge the session that runs this commit, with the message git passes (FILE [SOURCE
    [COMMIT]]) for the policy's `mode`."""
    try:
        request, rest = hook_request(argv, "ai-clearance-session", "message", takes_file=True)
    except ClearanceError as exc:
        sys.stderr.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    # git passes SOURCE after the file; pre-commit passes it in the environment.
    source = rest[0] if rest else os.environ.get("PRE_COMMIT_COMMIT_MSG_SOURCE", "")
    request = replace(request, session_only=True, message_pending=source in _EDITED)
    return run(request)


if __name__ == "__main__":
    from ai_clearance.cli.script import tolerant_streams

    tolerant_streams()
    raise SystemExit(main())
