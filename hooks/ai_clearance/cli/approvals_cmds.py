"""`ai-clearance approvals list|show|verify`."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from typing import Any

import click

from ai_clearance.git import gitio
from ai_clearance.report.words import counted

_TEXT_HEADER = ("ID", "KIND", "STATUS", "SIGNER", "UNTIL", "SCOPE")


@dataclass
class Loaded:
    """Verified records, and the trusted commit's files to mark the work tree's pending."""

    states: list[Any]
    tree: Any = None
    trusted: Any = None
    files: Any = None  # what was read: the work tree's files, or REF's


def _load(directory: str, ref: str | None) -> Loaded:
    from ai_clearance.approvals import trust, trustfiles
    from ai_clearance.approvals.records import utc_now
    from ai_clearance.catalog.rules import load_catalog
    from ai_clearance.clearance.policy import policy_from_texts

    repo = gitio.discover(directory)
    trusted = None
    if ref is not None:
        files = trustfiles.files_at(repo, ref)
    elif repo.toplevel is not None:
        files = trustfiles.files_in_dir(repo.toplevel)
        base = trustfiles.trust_ref(repo, None)
        trusted = trustfiles.files_at(repo, base or "HEAD", explicit=base != "HEAD")
    else:
        files = trustfiles.files_at(repo, "HEAD")
    policy = policy_from_texts(load_catalog(), files.text(trustfiles.POLICY_FILE),
                               files.text(trustfiles.PYPROJECT), files.label)
    states = trust.build_trust(files, utc_now(), policy.allow_open_ended_approvals,
                               repository_id=policy.repository_id).states
    return Loaded(states, files if trusted is not None else None, trusted, files)


def _rows(directory: str, ref: str | None) -> list[dict[str, Any]]:
    from ai_clearance.cli.listing import record_rows

    loaded = _load(directory, ref)
    return record_rows(loaded.states, loaded.trusted, loaded.tree)


_REF = click.option("--ref", metavar="REF", help="Read from REF instead of the work tree "
                    "(default: the work tree, with records the trusted branch lacks shown as "
                    "pending).")
_DIR = click.option("-C", "directory", default=".", metavar="DIR",
                    help="Run as if started in DIR.")


@click.group()
def approvals() -> None:
    """List, show and verify approvals, revocations and recorded tokens."""


@approvals.command("list")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "csv"]),
              default="text", show_default=True)
@_REF
@_DIR
def approvals_list(output_format: str, ref: str | None, directory: str) -> None:
    """Every approval, revocation and token: status, signer, window and what it covers."""
    from ai_clearance.cli.listing import open_requests, record_rows, request_line

    loaded = _load(directory, ref)
    rows = record_rows(loaded.states, loaded.trusted, loaded.tree)
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
    elif output_format == "csv":
        click.echo(_csv(rows), nl=False)
    else:
        # Requests no signed approval answers yet; an answered one is not listed.
        asked = [request_line(r) for r in open_requests(loaded.files, loaded.states)]
        _table(rows)
        for line in asked:
            click.echo(line)


def _csv(rows: list[dict[str, Any]]) -> str:
    import csv  # only this listing needs it

    from ai_clearance.cli.listing import COLUMNS, cell

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows([cell(row[c]) for c in COLUMNS] for row in rows)
    return buffer.getvalue()


def _table(rows: list[dict[str, Any]]) -> None:
    from ai_clearance.cli.listing import cell, summary

    lines = [_TEXT_HEADER]
    for row in rows:
        status = row["status"] + (f" ({row['when_merged']} once merged)"
                                  if row["when_merged"] else "")
        until = row["valid_until"] or ("-" if row["kind"] == "revocation" else "no expiry")
        if row["revoked_at"]:
            status += f" {row['revoked_at']} by {row['revoked_by']}"
        lines.append((row["id"], row["kind"], status, cell(row["signer"]), until,
                      summary(row)))
    if len(lines) == 1:
        click.echo("no approvals, revocations or tokens", err=True)
        return
    widths = [max(len(line[i]) for line in lines) for i in range(len(_TEXT_HEADER) - 1)]
    for line in lines:
        click.echo("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=False))
                   + "  " + line[-1])


@approvals.command("show")
@click.argument("record_id")
@_REF
@_DIR
def approvals_show(record_id: str, ref: str | None, directory: str) -> None:
    """One record in full: every field it has."""
    from ai_clearance.cli.listing import COLUMNS, cell

    rows = [r for r in _rows(directory, ref) if r["id"] == record_id]
    if not rows:
        raise click.UsageError(f"no record {record_id!r}; `ai-clearance approvals list` "
                               "lists them")
    row = rows[0]
    for column in COLUMNS:
        value = row[column]
        if column == "covers":
            if value:
                click.echo("covers:")
                for line in value:
                    click.echo(f"  - {line}")
        elif value not in (None, []):
            click.echo(f"{column + ':':<15} {cell(value)}")


@approvals.command("verify")
@_REF
@_DIR
def approvals_verify(ref: str | None, directory: str) -> None:
    """Verify every record; exit 1 if any signature fails."""
    states = _load(directory, ref).states
    bad = [s for s in states if s.status == "bad-signature"]
    for state in states:
        click.echo(f"{state.status:<13} {state.kind:<10} {state.id}  {state.where}")
    click.echo(f"{counted(len(states), 'record')}, {len(bad)} with a bad signature")
    sys.exit(1 if bad else 0)
