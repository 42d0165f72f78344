"""pre-commit stage hook: the staged paths (and the few contents that matter)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ai_clearance.check import hook_request, run
from ai_clearance.errors import ClearanceError


def main(argv: Sequence[str] | None = None) -> int:
    """Check the change about to be committed."""
    try:
        request, _filenames = hook_request(argv, "ai-clearance-files", "staged")
    except ClearanceError as exc:
        sys.stderr.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    return run(request)


if __name__ == "__main__":
    from ai_clearance.cli.script import tolerant_streams

    tolerant_streams()
    raise SystemExit(main())
