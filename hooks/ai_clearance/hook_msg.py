"""commit-msg stage hook: the message being committed, and who is committing it."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .errors import ClearanceError
from .run import hook_request, run


def main(argv: Sequence[str] | None = None) -> int:
    """Check the commit message file git passes to the commit-msg hook."""
    try:
        request, _ = hook_request(argv, "ai-clearance-msg", "message", takes_file=True)
    except ClearanceError as exc:
        sys.stderr.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    return run(request)


if __name__ == "__main__":
    from .script import tolerant_streams

    tolerant_streams()
    raise SystemExit(main())
