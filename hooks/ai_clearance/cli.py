"""The `ai-clearance` command line."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from . import __version__
from .catalog import load_catalog
from .errors import EXIT_INTERNAL, EXIT_USAGE, ClearanceError
from .run import Request, run

EXIT_CODES_HELP = (
    "Exit codes: 0 pass; 1 unapproved findings; 2 usage or configuration error; "
    "3 git error or incomplete history (fail closed); 4 internal error."
)


@click.group(epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="ai-clearance")
def cli() -> None:
    """Find traces of AI coding assistants in git and fail unless they were approved."""


@cli.command(epilog=EXIT_CODES_HELP)
@click.option("--staged", is_flag=True, help="The change about to be committed.")
@click.option("--message", "message_file", metavar="FILE",
              help="A commit message file ('-' for stdin), as the commit-msg hook gets it.")
@click.option("--range", "range_spec", metavar="A..B",
              help="Commits of A..B, of A...B (since the merge base), or one commit.")
@click.option("--tree", "tree_rev", metavar="REV", help="Every path in the tree of REV.")
@click.option("--history", is_flag=True,
              help="Every commit reachable from HEAD (with --all: from every ref).")
@click.option("--all", "all_refs", is_flag=True, help="With --history: every ref, not HEAD.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              envvar="AI_CLEARANCE_FORMAT", show_default=True, help="Report format.")
@click.option("--config", metavar="FILE", envvar="AI_CLEARANCE_CONFIG",
              help="Policy file instead of .ai-clearance.toml / pyproject.toml.")
@click.option("--branch", metavar="NAME", help="Also check this branch name.")
@click.option("--allow-empty", is_flag=True,
              help="With --range: an empty range passes instead of failing closed.")
@click.option("-C", "directory", default=".", metavar="DIR", help="Run as if started in DIR.")
def check(staged: bool, message_file: str | None, range_spec: str | None,
          tree_rev: str | None, history: bool, all_refs: bool, output_format: str,
          config: str | None, branch: str | None, allow_empty: bool, directory: str) -> None:
    """Check one source for traces of AI assistants."""
    chosen = [name for name, given in (
        ("staged", staged), ("message", message_file is not None),
        ("range", range_spec is not None), ("tree", tree_rev is not None),
        ("history", history)) if given]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --staged, --message, --range, --tree, "
                               "--history")
    if all_refs and chosen[0] != "history":
        raise click.UsageError("--all goes with --history")
    argument = message_file or range_spec or tree_rev
    request = Request(source=chosen[0], argument=argument, all_refs=all_refs,
                      output_format=output_format, config=config, branch=branch,
                      allow_empty=allow_empty, cwd=directory)
    sys.exit(run(request))


@cli.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("--assistants", is_flag=True, help="List the assistant ids instead of rules.")
def rules(output_format: str, assistants: bool) -> None:
    """List the catalog: every rule (or assistant) with its id."""
    catalog = load_catalog()
    if assistants:
        rows = [{"id": a.id, "title": a.title, "source": a.source, "confirmed": a.confirmed}
                for a in catalog.assistants.values()]
        if output_format == "json":
            click.echo(json.dumps(rows, indent=2))
        else:
            for row in rows:
                click.echo(f"{row['id']:<16} {row['title']}")
        return
    entries: list[dict[str, Any]] = [{"id": r.id, "kind": r.kind, "severity": r.severity,
                "assistants": list(r.assistants) or ["(by identity)"],
                "description": r.description, "source": r.source, "confirmed": r.confirmed}
               for r in catalog.rules]
    if output_format == "json":
        click.echo(json.dumps(entries, indent=2))
        return
    for e in entries:
        assistants_text = ",".join(e["assistants"])
        if len(assistants_text) > 24:
            assistants_text = assistants_text[:21] + "..."
        click.echo(f"{e['id']}  {e['severity']:<5}  {e['kind']:<12}  {assistants_text:<24}  "
                   f"{e['description']}")


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Explain one rule: what it matches, why, its source and what to do."""
    catalog = load_catalog()
    rule = catalog.by_id.get(rule_id.upper())
    if rule is None:
        raise click.UsageError(f"no rule {rule_id!r}; `ai-clearance rules` lists them")
    names = [catalog.assistants[a].title for a in rule.assistants] or \
        ["whichever assistant the matched identity belongs to"]
    click.echo(f"{rule.id}: {rule.description}")
    click.echo(f"  kind:       {rule.kind} (looks at {rule.target})")
    click.echo(f"  severity:   {rule.severity}")
    click.echo(f"  assistants: {'; '.join(names)}")
    if rule.path_globs:
        click.echo(f"  paths:      {', '.join(rule.path_globs)}"
                   + ("" if rule.case_sensitive else " (any case)"))
    if rule.keys:
        click.echo(f"  trailers:   {', '.join(sorted(rule.keys))}")
    if rule.pattern is not None:
        click.echo(f"  pattern:    {rule.pattern.pattern}")
    if rule.role:
        click.echo(f"  identity:   the commit's {rule.role}")
    click.echo(f"  source:     {rule.source}" + ("" if rule.confirmed else " (unconfirmed)"))
    click.echo(f"  what to do: {rule.remedy}")
    click.echo("  to keep it: a maintainer approves the assistant for the author "
               "(see README, Approvals)")


@cli.command()
@click.option("-C", "directory", default=".", metavar="DIR", help="Run as if started in DIR.")
def doctor(directory: str) -> None:
    """Check that the hooks are installed and the policy loads; exit 1 on any problem."""
    from .doctor import diagnose

    checks = diagnose(directory)
    for item in checks:
        click.echo(f"{'ok  ' if item.ok else 'FIX '} {item.message}")
    sys.exit(0 if all(item.ok for item in checks) else 1)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: click's own errors become one line and exit code 2."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="ai-clearance",
                 standalone_mode=False)
    except click.UsageError as exc:
        click.echo(f"ai-clearance: error: {exc.format_message()}", err=True)
        return EXIT_USAGE
    except click.ClickException as exc:
        click.echo(f"ai-clearance: error: {exc.format_message()}", err=True)
        return EXIT_USAGE
    except click.Abort:
        click.echo("ai-clearance: aborted", err=True)
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_INTERNAL
    except ClearanceError as exc:
        click.echo(f"ai-clearance: error: {exc}", err=True)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - never a traceback
        click.echo(f"ai-clearance: internal error ({type(exc).__name__}: {exc}); "
                   "please report it", err=True)
        return EXIT_INTERNAL
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
