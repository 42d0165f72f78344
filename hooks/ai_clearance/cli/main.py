"""The `ai-clearance` command line."""

from __future__ import annotations

import difflib
import io
import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from ai_clearance import __version__, rule_docs_url
from ai_clearance.catalog.rules import load_catalog
from ai_clearance.check import Request, run
from ai_clearance.cli.envopts import (
    ENV_HELP,
    ShownEnvOption,
    env_option,
    guard_environment,
    sources_from_command_line,
)
from ai_clearance.errors import EXIT_INTERNAL, EXIT_USAGE, ClearanceError, UsageError

EXIT_CODES_HELP = (
    "Exit codes: 0 pass; 1 unapproved findings; 2 usage or configuration error; "
    "3 git error or incomplete history (fail closed); 4 internal error."
)


@click.group(epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="ai-clearance")
def cli() -> None:
    """Find traces of AI coding assistants in git and fail unless they were approved."""


@cli.command(epilog=EXIT_CODES_HELP + " " + ENV_HELP)
@env_option("--staged", is_flag=True, help="The change about to be committed.")
@env_option("--message", "message_file", metavar="FILE",
      help="A commit message file ('-' for stdin), as the commit-msg hook gets it.")
@env_option("--range", "range_spec", metavar="A..B",
      help="Commits of A..B, of A...B (since the merge base), or one commit.")
@env_option("--tree", "tree_rev", metavar="REV", help="Every path in the tree of REV.")
@env_option("--history", is_flag=True,
      help="Every commit reachable from HEAD (with --all: from every ref).")
@env_option("--all", "all_refs", is_flag=True, help="With --history: every ref, not HEAD.")
@env_option("--format", "output_format", type=click.Choice(["text", "json", "sarif"]),
      default="text", show_default=True, help="Report format.")
@env_option("--config", metavar="FILE",
      help="Policy file instead of .ai-clearance.toml / pyproject.toml.")
@env_option("--branch", metavar="NAME", help="Also check this branch name.")
@env_option("--allow-empty", is_flag=True,
      help="With --range: an empty range passes instead of failing closed.")
@env_option("--trust-ref", metavar="REF",
      help="Read policy, maintainers, approvals and revocations from REF, a full ref "
           "name or commit id (in CI: the protected base). Default: origin's default "
           "branch (refs/remotes/origin/HEAD); outside CI, else HEAD.")
@env_option("--no-trust", is_flag=True,
      help="Use the default policy and no approvals (nothing is trusted yet).")
@env_option("--token", "tokens", multiple=True, metavar="TOKEN", cls=ShownEnvOption,
      help="A maintainer's override token for this run (the variable: tokens separated by "
           "spaces).")
@env_option("--pull-request", type=click.IntRange(min=1), metavar="N",
      help="The pull request being checked.")
@env_option("--pr-text", metavar="FILE", help="A pull request's title (first line) and body "
      "(the rest), checked for markers such as 'Generated with Claude Code'.")
@env_option("-C", "directory", default=".", metavar="DIR", envvar="AI_CLEARANCE_DIRECTORY",
      help="Run as if started in DIR.")
def check(**options: Any) -> None:
    """Check one source for traces of AI assistants."""
    sys.exit(run(request_from_options(**options)))


def check_request(argv: Sequence[str]) -> Request:
    """The request `ai-clearance check ARGV` would run, for a caller that runs it in process
    (raises UsageError for arguments the command would refuse)."""
    try:
        # No --help: it would print the command's help, and there would be no check to run.
        with check.make_context("check", list(argv), help_option_names=[]) as context:
            return request_from_options(**context.params)
    except click.ClickException as exc:
        raise UsageError(exc.format_message()) from None


def request_from_options(staged: bool, message_file: str | None, range_spec: str | None,
                         tree_rev: str | None, history: bool, all_refs: bool,
                         output_format: str, config: str | None, branch: str | None,
                         allow_empty: bool, trust_ref: str | None, no_trust: bool,
                         tokens: tuple[str, ...], pull_request: int | None,
                         pr_text: str | None, directory: str) -> Request:
    """The request for `check`'s options, refused (click.UsageError) where they conflict."""
    staged, message_file, range_spec, tree_rev, history = sources_from_command_line(
        staged, message_file, range_spec, tree_rev, history)
    _refuse_empty({"--message": message_file, "--range": range_spec, "--tree": tree_rev,
                   "--config": config, "--branch": branch, "--trust-ref": trust_ref,
                   "--pr-text": pr_text})
    chosen = [name for name, given in (
        ("staged", staged), ("message", message_file is not None),
        ("range", range_spec is not None), ("tree", tree_rev is not None),
        ("history", history)) if given]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --staged, --message, --range, --tree, "
                               "--history")
    if all_refs and chosen[0] != "history":
        raise click.UsageError("--all goes with --history")
    if no_trust and trust_ref:
        raise click.UsageError("--no-trust and --trust-ref exclude each other")
    argument = message_file or range_spec or tree_rev
    guard_environment(chosen[0], range_spec, trust_ref, allow_empty, directory)
    return Request(source=chosen[0], argument=argument, all_refs=all_refs,
                   output_format=output_format, config=config, branch=branch,
                   allow_empty=allow_empty, cwd=directory, trust_ref=trust_ref,
                   no_trust=no_trust, tokens=tokens, pull_request=pull_request,
                   pr_text=pr_text)


def _refuse_empty(values: dict[str, str | None]) -> None:
    """An option given an empty value (`--range=`) names nothing: a usage error, never a
    default or a pass."""
    for option, given in values.items():
        if given is not None and not given.strip():
            raise click.UsageError(f"{option} was given an empty value")


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
                "confidence": r.confidence,
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
@click.argument("rule_id", metavar="RULE_OR_ASSISTANT")
def explain(rule_id: str) -> None:
    """Explain one rule (what it matches, why, its source and what to do), or list the rules
    of one assistant id."""
    catalog = load_catalog()
    rule = catalog.by_id.get(rule_id.upper())
    if rule is None and rule_id.strip().lower() in catalog.assistants:
        _explain_assistant(rule_id.strip().lower())
        return
    if rule is None:
        close = suggestions(rule_id, [*catalog.by_id, *catalog.assistants])
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise click.UsageError(f"no rule or assistant {rule_id!r}; {hint}`ai-clearance rules "
                               "[--assistants]` lists them")
    names = [catalog.assistants[a].title for a in rule.assistants] or \
        ["whichever assistant the matched identity or name belongs to"]
    click.echo(f"{rule.id}: {rule.description}")
    click.echo(f"  kind:       {rule.kind} (looks at {rule.target})")
    click.echo(f"  severity:   {rule.severity}")
    click.echo(f"  confidence: {rule.confidence}")
    click.echo(f"  assistants: {'; '.join(names)}")
    if rule.path_globs:
        click.echo(f"  paths:      {', '.join(rule.path_globs)}"
                   + ("" if rule.case_sensitive else " (any case)"))
    if rule.exact_globs:
        click.echo(f"  paths:      {', '.join(rule.exact_globs)} (exact case)")
    if rule.keys:
        click.echo(f"  trailers:   {', '.join(sorted(rule.keys))}")
    if rule.pattern is not None:
        click.echo(f"  pattern:    {rule.pattern.pattern}")
    if rule.role:
        click.echo(f"  identity:   the commit's {rule.role}")
    click.echo(f"  source:     {rule.source}" + ("" if rule.confirmed else " (unconfirmed)"))
    click.echo(f"  what to do: {rule.remedy}")
    click.echo(f"  docs:       {rule_docs_url(rule.id)}")
    click.echo("  to keep it: a maintainer approves the assistant for the author "
               "(see docs/policy.md, Approvals)")


def suggestions(word: str, known: Sequence[str], limit: int = 3) -> list[str]:
    """The known names closest to `word` (any case): difflib's ratio, ties broken by how
    many characters differ in place (AIC1O1 is AIC101 before AIC411)."""
    wanted = word.strip().upper()

    def distance(name: str) -> tuple[float, int, str]:
        upper = name.upper()
        ratio = difflib.SequenceMatcher(None, wanted, upper).ratio()
        misplaced = sum(a != b for a, b in zip(wanted, upper, strict=False)) \
            + abs(len(wanted) - len(upper))
        return (-ratio, misplaced, name)

    ranked = sorted(known, key=distance)
    return [name for name in ranked[:limit] if -distance(name)[0] >= 0.6]


def _explain_assistant(assistant_id: str) -> None:
    """An assistant's title and source, and every rule that names it."""
    catalog = load_catalog()
    assistant = catalog.assistants[assistant_id]
    click.echo(f"{assistant.id}: {assistant.title}")
    click.echo(f"  source: {assistant.source}" + ("" if assistant.confirmed else
                                                   " (unconfirmed)"))
    click.echo("  rules:")
    for rule in catalog.rules:
        if assistant_id in rule.assistants:
            click.echo(f"    {rule.id}  {rule.severity:<5}  {rule.kind:<12}  {rule.description}")
    click.echo(f"  `ai-clearance explain RULE` says more; to use {assistant.id}, ask for an "
               f"approval: ai-clearance request --assistant {assistant.id} --reason ...")


@cli.command("pre-receive")
def pre_receive_command() -> None:
    """Server-side pre-receive hook: reads 'old new ref' lines on stdin."""
    from ai_clearance.integrations.server import pre_receive

    sys.exit(pre_receive())


@cli.command("update")
@click.argument("ref")
@click.argument("old")
@click.argument("new")
def update_command(ref: str, old: str, new: str) -> None:
    """Server-side update hook for one ref."""
    from ai_clearance.integrations.server import update

    sys.exit(update([ref, old, new]))


@cli.command()
@click.option("-C", "directory", default=".", metavar="DIR", help="Run as if started in DIR.")
def doctor(directory: str) -> None:
    """Check the whole setup, one line per check: ok, warn or fail.

    Exit 0 when nothing fails (warnings allowed), 1 when a check fails, 3 outside a
    repository."""
    from ai_clearance.cli.doctor import diagnose, exit_code

    checks = diagnose(directory)
    for item in checks:
        click.echo(f"{item.level:<4}  {item.message}")
    sys.exit(exit_code(checks))


def _register() -> None:
    from ai_clearance.cli.approvals_cmds import approvals
    from ai_clearance.cli.audit import audit
    from ai_clearance.cli.guard_cmd import guard
    from ai_clearance.cli.init_cmd import init
    from ai_clearance.cli.maintainer_cmds import COMMANDS

    for command in (init, *COMMANDS, approvals, guard, audit):
        cli.add_command(command)


_register()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: click's own errors become one line and exit code 2."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="ai-clearance",
                 standalone_mode=False)
    except click.ClickException as exc:  # usage errors included
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
