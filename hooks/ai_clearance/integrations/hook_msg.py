"""commit-msg stage hook: the message being committed, and who is committing it."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ai_clearance.check import hook_request, run
from ai_clearance.errors import ClearanceError


def main(argv: Sequence[str] | None = None) -> int:
    """Check the commit message file git passes to the commit-msg hook."""
    try:
        request, _ = hook_request(argv, "ai-clearance-msg", "message", takes_file=True)
    except ClearanceError as exc:
        sys.stderr.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    return run(request)


if __name__ == "__main__":
    from ai_clearance.cli.script import tolerant_streams

    tolerant_streams()
    raise SystemExit(main())
