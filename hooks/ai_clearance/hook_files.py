"""pre-commit stage hook: the staged paths (and the few contents that matter)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .errors import ClearanceError
from .run import hook_request, run


def main(argv: Sequence[str] | None = None) -> int:
    """Check the change about to be committed."""
    try:
        request, _filenames = hook_request(argv, "ai-clearance-files", "staged")
    except ClearanceError as exc:
        sys.stderr.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    return run(request)


if __name__ == "__main__":
    raise SystemExit(main())
