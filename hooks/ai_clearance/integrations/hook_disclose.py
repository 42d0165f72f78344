"""prepare-commit-msg stage hook (optional): when an approved agent session makes the commit
and the policy says `session = "disclose"`, add `Assisted-by: <agent>` to its message, so
that CI and the server see what only the laptop saw."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from ai_clearance.check import Request, check_report, policy_for
from ai_clearance.errors import ClearanceError, UsageError
from ai_clearance.git import gitio
from ai_clearance.report.model import Report

USAGE = "usage: ai-clearance-disclose MESSAGE-FILE [SOURCE [COMMIT]]\n"


def disclosures(report: Report) -> list[str]:
    """The trailers that disclose the approved (or allowed) agent sessions of `report`, one
    per assistant, kernel style (`Assisted-by: AGENT`), in the order found."""
    agents = [f.assistants[0] for f in report.findings
              if f.kind == "session" and f.status in ("cleared", "allowed") and f.assistants]
    return [f"Assisted-by: {agent}" for agent in dict.fromkeys(agents)]


def main(argv: Sequence[str] | None = None) -> int:
    """Disclose an approved agent session in the message git is about to open or use."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["-h"], ["--help"]):
        sys.stdout.write(USAGE)
        return 0
    try:
        if not args or args[0].startswith("-"):
            raise UsageError("ai-clearance-disclose: the commit message file is missing")
        # Approved sessions, not yet disclosed: `mode = "approve"` would fail them until
        # the trailer this hook adds is there.
        request = Request(source="message", argument=args[0],
                          config=os.environ.get("AI_CLEARANCE_CONFIG"),
                          trust_ref=os.environ.get("AI_CLEARANCE_TRUST_REF") or None,
                          judge_disclosures=False)
        if policy_for(request).session != "disclose":
            return 0
        trailers = disclosures(check_report(request))
        if trailers:
            gitio.add_trailers(args[0], trailers)
    except ClearanceError as exc:
        sys.stderr.write(f"ai-clearance: error: {exc}\n")
        return exc.exit_code
    return 0


if __name__ == "__main__":
    from ai_clearance.cli.script import tolerant_streams

    tolerant_streams()
    raise SystemExit(main())
