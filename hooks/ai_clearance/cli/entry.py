"""The `ai-clearance` command. A tree check's listing is started here, before the imports and
the policy load: git lists a large tree for about as long as a check takes, and it need not
wait the tenth of a second Python takes to start."""

from __future__ import annotations

import sys
from collections.abc import Sequence

# The options of `check` (cli.check), by whether they take a value; a test keeps them in step.
CHECK_VALUE_OPTIONS = frozenset({
    "--message", "--range", "--tree", "--format", "--config", "--branch", "--trust-ref",
    "--token", "--pull-request", "--pr-text", "-C",
})
CHECK_FLAGS = frozenset({"--staged", "--history", "--all", "--allow-empty", "--no-trust"})
_OTHER_SOURCES = ("--staged", "--message", "--range", "--history")


def tree_check(args: Sequence[str]) -> tuple[str, str] | None:
    """(directory, rev) when `args` are a plain `check --tree REV`, whatever other options
    it has; None for anything else, which click then parses (and rejects) on its own."""
    if not args or args[0] != "check":
        return None
    given: dict[str, list[str]] = {}
    i = 1
    while i < len(args):
        name, equals, inline = args[i].partition("=")
        if name in CHECK_FLAGS and not equals:
            given.setdefault(name, []).append("")
        elif name in CHECK_VALUE_OPTIONS and equals and name.startswith("--"):
            given.setdefault(name, []).append(inline)
        elif name in CHECK_VALUE_OPTIONS and not equals and i + 1 < len(args):
            i += 1
            given.setdefault(name, []).append(args[i])
        else:
            return None  # --help, a typo, `--`, -CDIR: not worth guessing at
        i += 1
    trees, directories = given.get("--tree", []), given.get("-C", ["."])
    if len(trees) != 1 or len(directories) != 1 or trees[0][:1] in ("", "-") \
            or any(source in given for source in _OTHER_SOURCES):
        return None
    return directories[0], trees[0]


def main(argv: Sequence[str] | None = None) -> int:
    from ai_clearance.git import (
        listing,  # os and time only: the git it starts need not wait for the rest
    )

    args = list(sys.argv[1:] if argv is None else argv)
    tree = tree_check(args)
    if tree is not None:
        listing.start_tree_listing(*tree)
    try:
        from ai_clearance.cli.main import main as cli_main

        return cli_main(args)
    finally:
        listing.stop_untaken()
