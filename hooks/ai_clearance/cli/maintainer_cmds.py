"""Commands that sign: `approve`, `revoke`, `override`, `token`, and the developer's
`request` that `approve --request` signs."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ai_clearance.errors import GitError, UsageError
from ai_clearance.git import gitio

_KEY = click.option("--key", metavar="FILE", help="SSH private key, or a public key whose "
                    "private half is in ssh-agent (default: git config user.signingkey, a "
                    "file or a literal key::ssh-ed25519 AAAA...).")
_SIGNER = click.option("--signer", metavar="EMAIL", help="Your principal in "
                       ".ai-clearance/maintainers (default: git config user.email).")
_DIR = click.option("-C", "directory", default=".", metavar="DIR",
                    help="Run as if started in DIR.")
_TRUST_REF = click.option("--trust-ref", metavar="REF", envvar="AI_CLEARANCE_TRUST_REF",
                          show_envvar=True,
                          help="The protected branch, whose policy names the repository "
                               "(default: refs/remotes/origin/HEAD).")
NEXT_AFTER_APPROVE = ("next: commit it to the protected branch (a pull request: the approval "
                      "takes effect once merged), then the developer re-runs the check")


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


def root_of(directory: str) -> str:
    """The work tree the maintainer commands write into."""
    repo = gitio.discover(directory)
    if repo.toplevel is None:
        raise UsageError("maintainer commands need a work tree (this repository is bare)")
    return repo.toplevel


def _check_paths(paths: tuple[str, ...]) -> None:
    from ai_clearance.catalog.globs import GlobError, check_glob

    for glob in paths:  # refused before anything is signed: a check could not use it
        try:
            check_glob(glob)
        except GlobError as exc:
            raise click.UsageError(f"--path: {exc}") from None


@click.command()
@click.option("--author", "authors", multiple=True, metavar="EMAIL", help="Author e-mail.")
@click.option("--github", "logins", multiple=True, metavar="LOGIN", help="GitHub login.")
@click.option("--assistant", "assistants", multiple=True, metavar="ID",
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
@click.option("--request", "request_source", metavar="FILE|LINE",
              help="Sign exactly what a developer's `ai-clearance request` asked: its file, "
                   "the line it printed, or REV:PATH of the file committed on the "
                   "developer's branch; no other scope option goes with it.")
@click.option("--yes", is_flag=True, help="With --request: sign without asking (needed when "
              "stdin is not a terminal).")
@_KEY
@_SIGNER
@_DIR
def approve(authors: tuple[str, ...], logins: tuple[str, ...], assistants: tuple[str, ...],
            paths: tuple[str, ...], valid_from: str | None, expires: str | None,
            no_expiry: bool, author_keys: tuple[str, ...], reason: str | None,
            request_source: str | None, yes: bool, key: str | None, signer: str | None,
            directory: str) -> None:
    """Sign an approval and record it under .ai-clearance/approvals/."""
    from ai_clearance.approvals.records import parse_user_time, utc_now
    from ai_clearance.cli import maintainer

    if request_source is not None:
        given = [name for name, value in (
            ("--author", authors), ("--github", logins), ("--assistant", assistants),
            ("--path", paths), ("--valid-from", valid_from), ("--expires", expires),
            ("--no-expiry", no_expiry), ("--author-key", author_keys), ("--reason", reason))
            if value]
        if given:
            raise click.UsageError(f"--request signs exactly what was asked: drop "
                                   f"{', '.join(given)}")
        _approve_request(request_source, yes, key, signer, directory)
        return
    if not authors and not logins:
        raise click.UsageError("give --author or --github (or --request)")
    if not assistants:
        raise click.UsageError("give --assistant (an id, or '*' for any)")
    _check_paths(paths)
    if (expires is None) == (not no_expiry):
        raise click.UsageError("give --expires, or --no-expiry for an open-ended approval")
    reason = _reason(reason)
    root = root_of(directory)
    now = utc_now()
    start = parse_user_time(valid_from, now) if valid_from else now
    until = parse_user_time(expires, now) if expires else None
    path = maintainer.approve(
        root, maintainer.resolve_signer(root, key, signer), now, authors=authors,
        logins=logins, assistants=assistants, paths=paths, valid_from=start,
        valid_until=until, reason=reason,
        author_keys=[_read_public_key(p) for p in author_keys])
    click.echo(f"recorded {path}; {NEXT_AFTER_APPROVE}")


def _load_request(source: str, root: str) -> tuple[Any, str | None]:
    """The request a FILE or pasted LINE holds, and its file when it lies in the requests
    folder of this work tree (removed once signed)."""
    from ai_clearance.approvals.requests import LINE_PREFIX, REQUESTS_DIR, parse_request
    from ai_clearance.localfiles import read_regular

    if source.strip().startswith(LINE_PREFIX):
        return parse_request(source.encode("utf-8"), "--request"), None
    if ":" in source and not os.path.lexists(source):
        # REV:PATH, a request committed on the developer's branch, read from git without
        # checking that branch out (its file is answered there, so nothing is removed).
        return parse_request(_committed_request(source, root), source), None
    try:
        raw = read_regular(source, 1 << 16, follow=True)
    except OSError as exc:
        raise UsageError(f"--request {source}: cannot read: {exc.strerror}") from None
    request = parse_request(raw, source)
    folder = os.path.realpath(os.path.join(root, REQUESTS_DIR))
    inside = os.path.dirname(os.path.realpath(source)) == folder
    return request, (source if inside else None)


def _committed_request(source: str, root: str) -> bytes:
    """The bytes of the request file REV:PATH names, or a one-line usage error."""
    rev, _, path = source.partition(":")
    try:
        repo = gitio.discover(root)
        commit = gitio.resolve_commit(repo, rev) if rev else None
        files = gitio.read_small_files(repo, commit, [path], 1 << 16) if commit and path \
            else {}
    except GitError as exc:
        raise UsageError(f"--request {source}: {exc}") from None
    if path not in files:
        raise UsageError(f"--request {source}: no such file at that revision (give a file, "
                         "the line `request --print` printed, or REV:PATH)")
    return files[path][1]


def _approve_request(source: str, yes: bool, key: str | None, signer: str | None,
                     directory: str) -> None:
    """Show the request, ask (on a terminal), sign it, and say what comes next."""
    from datetime import timedelta

    from ai_clearance.approvals.records import format_time, utc_now
    from ai_clearance.cli import maintainer

    root = root_of(directory)
    request, request_file = _load_request(source, root)
    now = utc_now()
    until = now + timedelta(days=request.days)
    for line in request.describe():
        click.echo(line, err=True)
    click.echo(f"to sign: an approval for {request.author}, valid {format_time(now)} until "
               f"{format_time(until)}", err=True)
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("--request: give --yes to sign without a terminal to ask on")
        if not click.confirm("Sign this approval?", default=False, err=True):
            raise click.Abort
    path = maintainer.approve(
        root, maintainer.resolve_signer(root, key, signer), now, authors=(request.author,),
        logins=(), assistants=request.assistants, paths=request.paths, valid_from=now,
        valid_until=until, reason=request.reason)
    click.echo(f"recorded {path} for request {request.id}")
    if request_file is not None:
        os.unlink(request_file)
        click.echo(f"removed the request {os.path.relpath(request_file, root)}")
    click.echo(f"{NEXT_AFTER_APPROVE}: git add -A .ai-clearance && git commit -m "
               f"\"Approve {request.author} for {', '.join(request.assistants)}\"")


@click.command()
@click.option("--assistant", "assistants", multiple=True, required=True, metavar="ID",
              help="Assistant id (`ai-clearance rules --assistants`), or '*' for any.")
@click.option("--reason", required=True, help="Why you need it (the maintainer signs it).")
@click.option("--path", "paths", multiple=True, metavar="GLOB",
              help="Only these paths (needed to clear a leak).")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True,
              help="How long, counted from the approval.")
@click.option("--print", "print_line", is_flag=True,
              help="Print one line to paste for a maintainer instead of writing a file.")
@_DIR
def request(assistants: tuple[str, ...], reason: str, paths: tuple[str, ...], days: int,
            print_line: bool, directory: str) -> None:
    """Ask a maintainer for an approval: writes .ai-clearance/requests/<id>.json (you, from
    git config user.email, for these assistants and paths, for DAYS)."""
    from ai_clearance.approvals.records import utc_now
    from ai_clearance.approvals.requests import (
        REQUESTS_DIR,
        new_request,
        request_file_bytes,
        request_line,
    )
    from ai_clearance.catalog.rules import load_catalog
    from ai_clearance.cli.atomic import create_file

    catalog = load_catalog()
    unknown = [a for a in assistants if a != "*" and a not in catalog.assistants]
    if unknown:
        raise click.UsageError(f"unknown assistant {unknown[0]!r} (see `ai-clearance rules "
                               "--assistants`)")
    _check_paths(paths)
    if not reason.strip():
        raise click.UsageError("--reason is empty: say why you need it")
    root = root_of(directory)
    author = gitio.config_value(gitio.discover(root), "user.email")
    if not author:
        raise UsageError("no e-mail to request for: set git config user.email (the address "
                         "your commits carry)")
    payload = new_request(author, assistants, paths, days, reason, utc_now())
    if print_line:
        click.echo(request_line(payload))
        click.echo("next: send this line to a maintainer; they run `ai-clearance approve "
                   "--request LINE`, commit the approval and merge it; then re-run the check",
                   err=True)
        return
    relative = f"{REQUESTS_DIR}/{payload['id']}.json"
    if not create_file(root, relative, request_file_bytes(payload)):
        raise UsageError(f"{relative} exists already")
    click.echo(f"wrote {relative}")
    click.echo(f"next: commit it on a branch of its own and open a pull request; a "
               f"maintainer checks that branch out, runs `ai-clearance approve --request "
               f"{relative}` (it replaces the request with the signed approval), commits and "
               "merges it; then re-run your check")


@click.command()
@click.argument("record_id")
@click.option("--reason", required=True, help="Why (recorded and signed).")
@_KEY
@_SIGNER
@_DIR
def revoke(record_id: str, reason: str, key: str | None, signer: str | None,
           directory: str) -> None:
    """Sign a revocation of an approval or token."""
    from ai_clearance.approvals.records import utc_now
    from ai_clearance.cli import maintainer

    root = root_of(directory)
    path = maintainer.revoke(root, maintainer.resolve_signer(root, key, signer), utc_now(),
                             record_id, reason)
    click.echo(f"recorded {path}; commit it to the protected branch to take effect")


@click.command()
@click.option("--range", "range_spec", required=True, metavar="A..B",
              help="The range whose findings the token is for.")
@click.option("--rule", metavar="ID", help="Only findings of this rule.")
@click.option("--path", metavar="PATH", help="Only findings at this path.")
@click.option("--author", metavar="EMAIL", help="Only findings of commits by this author.")
@click.option("--commit", metavar="SHA", help="Only findings of this commit.")
@click.option("--all", "everything", is_flag=True,
              help="Every finding of the range (needed when it has several and no filter).")
@_TRUST_REF
@click.option("--expires", required=True, metavar="WHEN", help="End: 7d, 12h, 2027-01-31.")
@click.option("--reason", required=True, help="Why (signed into the token).")
@_KEY
@_SIGNER
@_DIR
def override(range_spec: str, rule: str | None, path: str | None, author: str | None,
             commit: str | None, everything: bool, trust_ref: str | None, expires: str,
             reason: str, key: str | None, signer: str | None, directory: str) -> None:
    """Issue a one-line token that clears exactly the chosen findings, in this repository.

    Everything the token clears is printed on stderr first; the token on stdout."""
    from ai_clearance.approvals.records import parse_user_time, utc_now
    from ai_clearance.cli import maintainer

    root = root_of(directory)
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


@click.group()
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
@_TRUST_REF
@_DIR
def token_add(token_text: str, trust_ref: str | None, directory: str) -> None:
    """Verify TOKEN against the maintainers file and record it under .ai-clearance/tokens/."""
    from ai_clearance.approvals.records import utc_now
    from ai_clearance.cli import maintainer

    root = root_of(directory)
    click.echo(f"recorded {maintainer.add_token(root, token_text, utc_now(), trust_ref)}")


COMMANDS = (approve, request, revoke, override, token)
