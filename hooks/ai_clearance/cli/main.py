"""The `ai-clearance` command line."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from ai_clearance import __version__, rule_docs_url
from ai_clearance.approvals.trustfiles import POLICY_FILE, PYPROJECT
from ai_clearance.catalog.rules import load_catalog
from ai_clearance.check import Request, run
from ai_clearance.clearance.policy import policy_from_texts
from ai_clearance.errors import EXIT_INTERNAL, EXIT_USAGE, ClearanceError, UsageError
from ai_clearance.git import gitio

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
@click.option("--format", "output_format", type=click.Choice(["text", "json", "sarif"]),
              default="text", envvar="AI_CLEARANCE_FORMAT", show_default=True,
              help="Report format.")
@click.option("--config", metavar="FILE", envvar="AI_CLEARANCE_CONFIG",
              help="Policy file instead of .ai-clearance.toml / pyproject.toml.")
@click.option("--branch", metavar="NAME", help="Also check this branch name.")
@click.option("--allow-empty", is_flag=True,
              help="With --range: an empty range passes instead of failing closed.")
@click.option("--trust-ref", metavar="REF", envvar="AI_CLEARANCE_TRUST_REF",
              help="Read policy, maintainers, approvals and revocations from REF, a full ref "
                   "name or commit id (in CI: the protected base). Default: origin's default "
                   "branch (refs/remotes/origin/HEAD); outside CI, else HEAD.")
@click.option("--no-trust", is_flag=True,
              help="Use the default policy and no approvals (nothing is trusted yet).")
@click.option("--token", "tokens", multiple=True, metavar="TOKEN",
              help="A maintainer's override token for this run (also AI_CLEARANCE_TOKEN).")
@click.option("--pull-request", type=click.IntRange(min=1), metavar="N",
              envvar="AI_CLEARANCE_PULL_REQUEST", help="The pull request being checked.")
@click.option("--pr-text", metavar="FILE", help="A pull request's title (first line) and body "
              "(the rest), checked for markers such as 'Generated with Claude Code'.")
@click.option("-C", "directory", default=".", metavar="DIR", help="Run as if started in DIR.")
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
               "(see README, Approvals)")


def _reason(given: str | None) -> str:
    """The reason to sign: as given, else asked for on a terminal; never made up."""
    reason = given
    if reason is None and sys.stdin.isatty():
        reason = click.prompt("Why is this approved (recorded and signed)")
    if not reason or not reason.strip():
        raise click.UsageError("give --reason: why this is approved (it is recorded and signed)")
    return reason.strip()


def _read_public_key(path: str) -> str:
    from ai_clearance.localfiles import read_regular

    try:
        return read_regular(path, 1 << 16, follow=True).decode("utf-8", "replace").strip()
    except OSError as exc:
        raise UsageError(f"--author-key {path}: cannot read: {exc.strerror}") from None


def _root(directory: str) -> str:
    repo = gitio.discover(directory)
    if repo.toplevel is None:
        raise UsageError("maintainer commands need a work tree (this repository is bare)")
    return repo.toplevel


_KEY = click.option("--key", metavar="FILE", help="SSH private key, or a public key whose "
                    "private half is in ssh-agent (default: git config user.signingkey).")
_SIGNER = click.option("--signer", metavar="EMAIL", help="Your principal in "
                       ".ai-clearance/maintainers (default: git config user.email).")


@cli.command()
@click.option("--author", "authors", multiple=True, metavar="EMAIL", help="Author e-mail.")
@click.option("--github", "logins", multiple=True, metavar="LOGIN", help="GitHub login.")
@click.option("--assistant", "assistants", multiple=True, required=True, metavar="ID",
              help="Assistant id, or '*' for any.")
@click.option("--path", "paths", multiple=True, metavar="GLOB",
              help="Only these paths (needed to clear a leak).")
@click.option("--valid-from", metavar="WHEN", help="Start (default: now).")
@click.option("--expires", metavar="WHEN", help="End: 90d, 12h, 2027-01-31 (required unless "
              "policy allows open-ended approvals and --no-expiry is given).")
@click.option("--no-expiry", is_flag=True, help="An open-ended approval.")
@click.option("--author-key", "author_keys", multiple=True, metavar="FILE.pub",
              type=click.Path(exists=True, dir_okay=False),
              help="The author's public signing key (for require_signed_commits).")
@click.option("--reason", help="Why (recorded and signed); asked for when not given.")
@_KEY
@_SIGNER
@click.option("-C", "directory", default=".", metavar="DIR")
def approve(authors: tuple[str, ...], logins: tuple[str, ...], assistants: tuple[str, ...],
            paths: tuple[str, ...], valid_from: str | None, expires: str | None,
            no_expiry: bool, author_keys: tuple[str, ...], reason: str | None,
            key: str | None, signer: str | None, directory: str) -> None:
    """Sign an approval and record it under .ai-clearance/approvals/."""
    from ai_clearance.approvals.records import parse_user_time, utc_now
    from ai_clearance.catalog.globs import GlobError, check_glob
    from ai_clearance.cli import maintainer

    if not authors and not logins:
        raise click.UsageError("give --author or --github")
    for glob in paths:  # refused before anything is signed: a check could not use it
        try:
            check_glob(glob)
        except GlobError as exc:
            raise click.UsageError(f"--path: {exc}") from None
    if (expires is None) == (not no_expiry):
        raise click.UsageError("give --expires, or --no-expiry for an open-ended approval")
    reason = _reason(reason)
    root = _root(directory)
    now = utc_now()
    start = parse_user_time(valid_from, now) if valid_from else now
    until = parse_user_time(expires, now) if expires else None
    path = maintainer.approve(
        root, maintainer.resolve_signer(root, key, signer), now, authors=authors,
        logins=logins, assistants=assistants, paths=paths, valid_from=start,
        valid_until=until, reason=reason,
        author_keys=[_read_public_key(p) for p in author_keys])
    click.echo(f"recorded {path}; commit it to the protected branch to take effect")


@cli.command()
@click.argument("record_id")
@click.option("--reason", required=True, help="Why (recorded and signed).")
@_KEY
@_SIGNER
@click.option("-C", "directory", default=".", metavar="DIR")
def revoke(record_id: str, reason: str, key: str | None, signer: str | None,
           directory: str) -> None:
    """Sign a revocation of an approval or token."""
    from ai_clearance.approvals.records import utc_now
    from ai_clearance.cli import maintainer

    root = _root(directory)
    path = maintainer.revoke(root, maintainer.resolve_signer(root, key, signer), utc_now(),
                             record_id, reason)
    click.echo(f"recorded {path}; commit it to the protected branch to take effect")


@cli.command()
@click.option("--range", "range_spec", required=True, metavar="A..B",
              help="The range whose findings the token is for.")
@click.option("--rule", metavar="ID", help="Only findings of this rule.")
@click.option("--path", metavar="PATH", help="Only findings at this path.")
@click.option("--author", metavar="EMAIL", help="Only findings of commits by this author.")
@click.option("--commit", metavar="SHA", help="Only findings of this commit.")
@click.option("--all", "everything", is_flag=True,
              help="Every finding of the range (needed when it has several and no filter).")
@click.option("--trust-ref", metavar="REF", envvar="AI_CLEARANCE_TRUST_REF",
              help="The protected branch, whose policy names the repository and its rules "
                   "(default: refs/remotes/origin/HEAD).")
@click.option("--expires", required=True, metavar="WHEN", help="End: 7d, 12h, 2027-01-31.")
@click.option("--reason", required=True, help="Why (signed into the token).")
@_KEY
@_SIGNER
@click.option("-C", "directory", default=".", metavar="DIR")
def override(range_spec: str, rule: str | None, path: str | None, author: str | None,
             commit: str | None, everything: bool, trust_ref: str | None, expires: str,
             reason: str, key: str | None, signer: str | None, directory: str) -> None:
    """Issue a one-line token that clears exactly the chosen findings, in this repository.

    Everything the token clears is printed on stderr first; the token on stdout."""
    from ai_clearance.approvals.records import parse_user_time, utc_now
    from ai_clearance.cli import maintainer

    root = _root(directory)
    now = utc_now()
    select = maintainer.Selection(rule=rule, path=path, commit=commit, everything=everything,
                                  author=author.strip().casefold() if author else None)
    token_text, lines = maintainer.override(
        root, maintainer.resolve_signer(root, key, signer), now, range_spec=range_spec,
        select=select, valid_until=parse_user_time(expires, now), reason=reason,
        trust_ref=trust_ref)
    for line in lines:
        click.echo(line, err=True)
    click.echo(token_text)


@cli.group()
def token() -> None:
    """Show and record override tokens."""


@token.command("show")
@click.argument("token_text", metavar="TOKEN")
def token_show(token_text: str) -> None:
    """Say in plain words what TOKEN clears (its signature is checked where it is used)."""
    from ai_clearance.cli import maintainer

    for line in maintainer.describe_token(token_text):
        click.echo(line)


@token.command("add")
@click.argument("token_text", metavar="TOKEN")
@click.option("--trust-ref", metavar="REF", envvar="AI_CLEARANCE_TRUST_REF",
              help="The protected branch, whose policy names the repository "
                   "(default: refs/remotes/origin/HEAD).")
@click.option("-C", "directory", default=".", metavar="DIR")
def token_add(token_text: str, trust_ref: str | None, directory: str) -> None:
    """Verify TOKEN against the maintainers file and record it under .ai-clearance/tokens/."""
    from ai_clearance.approvals.records import utc_now
    from ai_clearance.cli import maintainer

    root = _root(directory)
    click.echo(f"recorded {maintainer.add_token(root, token_text, utc_now(), trust_ref)}")


@cli.group()
def approvals() -> None:
    """List, show and verify approvals, revocations and recorded tokens."""


def _states(directory: str, ref: str | None) -> list[Any]:
    from ai_clearance.approvals import trust, trustfiles
    from ai_clearance.approvals.records import utc_now

    repo = gitio.discover(directory)
    if ref is not None:
        files = trustfiles.files_at(repo, ref)
    elif repo.toplevel is not None:
        files = trustfiles.files_in_dir(repo.toplevel)
    else:
        files = trustfiles.files_at(repo, "HEAD")
    policy = policy_from_texts(load_catalog(), files.text(POLICY_FILE), files.text(PYPROJECT),
                               files.label)
    return trust.build_trust(files, utc_now(), policy.allow_open_ended_approvals,
                             repository_id=policy.repository_id).states


_COLUMNS = ("id", "kind", "status", "authors", "assistants", "paths", "valid_from",
            "valid_until", "issued_by", "reason", "file")


@approvals.command("list")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "csv"]),
              default="text")
@click.option("--ref", metavar="REF", help="Read from REF instead of the work tree.")
@click.option("-C", "directory", default=".", metavar="DIR")
def approvals_list(output_format: str, ref: str | None, directory: str) -> None:
    """Every approval, revocation and token with its status."""
    from ai_clearance.cli.maintainer import record_rows

    rows = record_rows(_states(directory, ref))
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
    elif output_format == "csv":
        import csv  # only this listing needs it

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        for row in rows:
            click.echo(f"{row['id']}  {row['status']:<13} {row.get('authors', ''):<30} "
                       f"{row.get('assistants', ''):<16} until {row.get('valid_until')}  "
                       f"by {row.get('issued_by')}")


@approvals.command("show")
@click.argument("record_id")
@click.option("--ref", metavar="REF", help="Read from REF instead of the work tree.")
@click.option("-C", "directory", default=".", metavar="DIR")
def approvals_show(record_id: str, ref: str | None, directory: str) -> None:
    """One record in full."""
    from ai_clearance.cli.maintainer import record_rows

    rows = [r for r in record_rows(_states(directory, ref)) if r["id"] == record_id]
    if not rows:
        raise click.UsageError(f"no record {record_id!r}")
    for column in _COLUMNS:
        if column in rows[0]:
            click.echo(f"{column + ':':<12} {rows[0][column]}")


@approvals.command("verify")
@click.option("--ref", metavar="REF", help="Read from REF instead of the work tree.")
@click.option("-C", "directory", default=".", metavar="DIR")
def approvals_verify(ref: str | None, directory: str) -> None:
    """Verify every record; exit 1 if any signature fails."""
    states = _states(directory, ref)
    bad = [s for s in states if s.status == "bad-signature"]
    for state in states:
        click.echo(f"{state.status:<13} {state.kind:<10} {state.id}  {state.where}")
    click.echo(f"{len(states)} records, {len(bad)} with a bad signature")
    sys.exit(1 if bad else 0)


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
    """Check that the hooks are installed and the policy loads; exit 1 on any problem."""
    from ai_clearance.cli.doctor import diagnose

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
