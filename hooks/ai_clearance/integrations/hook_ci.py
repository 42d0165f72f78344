"""manual stage hook for CI: the range pre-commit was given, else the whole history."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import replace

from ai_clearance.check import hook_request, run
from ai_clearance.errors import ClearanceError


def main(argv: Sequence[str] | None = None) -> int:
    """`pre-commit run --hook-stage manual ai-clearance-ci [--from-ref A --to-ref B]`."""
    try:
        request, _ = hook_request(argv, "ai-clearance-ci", "history")
    except ClearanceError as exc:
        sys.stderr.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF")
    to_ref = os.environ.get("PRE_COMMIT_TO_REF")
    # A gate: no trust from the change itself, and approvals valid now.
    request = replace(request, enforce=True, at_commit_dates=False)
    if from_ref and to_ref:
        request = replace(request, source="range", argument=f"{from_ref}..{to_ref}")
    return run(request)


if __name__ == "__main__":
    from ai_clearance.cli.script import tolerant_streams

    tolerant_streams()
    raise SystemExit(main())
