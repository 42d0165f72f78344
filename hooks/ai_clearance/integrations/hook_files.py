"""pre-commit stage hook: the staged paths (and the few contents that matter)."""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Check the change about to be committed."""
    from ai_clearance.git import (
        listing,  # os and time only: the gits it starts need not wait for the rest
    )

    listing.start_staged_reads(".")
    try:
        from ai_clearance.check import hook_request, run
        from ai_clearance.errors import ClearanceError

        try:
            request, _filenames = hook_request(argv, "ai-clearance-files", "staged")
        except ClearanceError as exc:
            sys.stderr.write(f"ai-clearance: error: {exc}\n")
            return exc.exit_code
        return run(request)
    finally:
        listing.stop_untaken()


if __name__ == "__main__":
    from ai_clearance.cli.script import tolerant_streams

    tolerant_streams()
    raise SystemExit(main())
