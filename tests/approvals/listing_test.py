"""`approvals list` and `show`: every record kind, its signer and scope, revocations with who
and when, lists as lists, and pending records; real keys, real commits, the installed CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import MAINTAINER, Repo, make_key, run_cli, signer_line

DEV = "jane@example.com"


@pytest.fixture
def signed(clean_repo: Repo, tmp_path: Path) -> tuple[Repo, Path]:
    key = make_key(tmp_path, "maint")
    clean_repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clean_repo.write(".ai-clearance.toml", 'repository_id = "example.com/widgets"\n')
    clean_repo.commit("trust", ".ai-clearance/maintainers", ".ai-clearance.toml")
    return clean_repo, key


def _cli(repo: Repo, key: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_cli(*args, "--key", str(key), "--signer", MAINTAINER, cwd=repo.path)
    assert result.returncode == 0, result.stderr
    return result


def _commit_all(repo: Repo) -> None:
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", "records")


def _rows(repo: Repo, *args: str) -> list[dict[str, Any]]:
    result = run_cli("approvals", "list", "--format", "json", *args, cwd=repo.path)
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _every_kind(repo: Repo, key: Path) -> dict[str, str]:
    """An approval, a second approval then revoked, and a recorded token; all committed."""
    ids = {}
    ids["kept"] = Path(_cli(repo, key, "approve", "--author", DEV, "--github", "janedev",
                            "--assistant", "claude", "--path", "docs/**", "--expires", "30d",
                            "--reason", "pilot").stdout.split()[1].rstrip(";")).stem
    ids["gone"] = Path(_cli(repo, key, "approve", "--author", DEV, "--assistant", "cursor",
                            "--expires", "30d", "--reason", "trial").stdout.split()[1]
                       .rstrip(";")).stem
    _cli(repo, key, "revoke", ids["gone"], "--reason", "trial over")
    _commit_all(repo)
    base = repo.head()
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("memory", "CLAUDE.md", author=("Jane", DEV))
    repo.git("checkout", "-q", "main")
    token = _cli(repo, key, "override", "--range", f"{base}..feature", "--trust-ref", "main",
                 "--expires", "7d", "--reason", "fixture").stdout.strip()
    added = run_cli("token", "add", "--trust-ref", "main", token, cwd=repo.path)
    assert added.returncode == 0, added.stderr
    _commit_all(repo)
    return ids


def test_every_kind_with_signer_scope_and_revocation(signed: tuple[Repo, Path]) -> None:
    repo, key = signed
    ids = _every_kind(repo, key)
    rows = {r["kind"] + ("-revoked" if r["revoked_by"] else ""): r for r in _rows(repo)}
    assert set(rows) == {"approval", "approval-revoked", "revocation", "token"}
    assert all(r["signer"] == MAINTAINER and r["status"] in ("active", "revoked")
               for r in rows.values())
    kept = rows["approval"]
    assert kept["id"] == ids["kept"] and kept["authors"] == [DEV]
    assert kept["github_logins"] == ["janedev"] and kept["paths"] == ["docs/**"]
    gone = rows["approval-revoked"]
    assert gone["status"] == "revoked" and gone["revoked_reason"] == "trial over"
    assert gone["revoked_with"] == rows["revocation"]["id"] and gone["revoked_at"]
    assert rows["revocation"]["revokes"] == ids["gone"]
    token = rows["token"]
    assert token["repository"] == "example.com/widgets" and token["authors"] == [DEV]
    assert len(token["covers"]) == 1 and "CLAUDE.md" in token["covers"][0]
    assert len({frozenset(r) for r in rows.values()}) == 1  # the same fields in every row


def test_text_has_a_header_and_no_none(signed: tuple[Repo, Path]) -> None:
    repo, key = signed
    ids = _every_kind(repo, key)
    text = run_cli("approvals", "list", cwd=repo.path).stdout
    lines = text.splitlines()
    assert lines[0].split() == ["ID", "KIND", "STATUS", "SIGNER", "UNTIL", "SCOPE"]
    assert len(lines) == 5 and "None" not in text
    assert f"revokes {ids['gone']}" in text and "1 finding of jane@example.com" in text
    assert f"by {MAINTAINER}" in next(ln for ln in lines if ln.startswith(ids["gone"]))
    for record in ids.values():
        shown = run_cli("approvals", "show", record, cwd=repo.path).stdout
        assert "None" not in shown and f"signer:         {MAINTAINER}" in shown
    gone = run_cli("approvals", "show", ids["gone"], cwd=repo.path).stdout
    assert "revoked_reason: trial over" in gone


def test_csv_has_every_column_and_joins_lists(signed: tuple[Repo, Path]) -> None:
    repo, key = signed
    _every_kind(repo, key)
    text = run_cli("approvals", "list", "--format", "csv", cwd=repo.path).stdout
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 4 and "covers" in table[0] and "revoked_by" in table[0]
    approval = next(r for r in table if r["kind"] == "approval" and not r["revoked_by"])
    assert approval["authors"] == DEV and approval["paths"] == "docs/**"
    assert "None" not in text


def test_records_not_yet_in_the_trusted_commit_are_pending(signed: tuple[Repo, Path]) -> None:
    repo, key = signed
    _cli(repo, key, "approve", "--author", DEV, "--assistant", "claude", "--expires", "30d",
         "--reason", "new")
    rows = _rows(repo)
    assert [(r["status"], r["when_merged"]) for r in rows] == [("pending", "active")]
    assert "pending (active once merged)" in run_cli("approvals", "list", cwd=repo.path).stdout
    assert _rows(repo, "--ref", "HEAD") == []  # the trusted commit has none yet
    _commit_all(repo)
    assert [r["status"] for r in _rows(repo)] == ["active"]


def test_an_empty_listing_says_so(clean_repo: Repo) -> None:
    result = run_cli("approvals", "list", cwd=clean_repo.path)
    assert result.returncode == 0 and result.stdout == ""
    assert "no approvals" in result.stderr
    assert run_cli("approvals", "show", "apv-20260101-00000000",
                   cwd=clean_repo.path).returncode == 2
