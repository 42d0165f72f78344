"""`ai-clearance init`: the policy file, your key as a maintainer, the pre-commit config; it
never replaces a file that exists, and says what to commit next."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import click

from ai_clearance import __version__
from ai_clearance.approvals.trustfiles import POLICY_FILE, SIGNERS_FILE
from ai_clearance.errors import UsageError
from ai_clearance.git import gitio

PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
HOOKS_REPO = "https://github.com/ai-clearance/ai-clearance"
# Remote URLs: scp-like (git@host:owner/repo.git) or URL-like (https://host/owner/repo.git).
_REMOTE = re.compile(r"^(?:[a-z+]+://(?:[^@/]+@)?([^/:]+)(?::\d+)?/|[^@/]+@([^:/]+):)"
                     r"([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/?\Z")


@dataclass
class Outcome:
    """What init did: files written, files left alone and why, and problems."""

    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def repository_id(url: str | None) -> str | None:
    """`host/owner/repo` from a remote URL, or None when it does not look like one."""
    match = _REMOTE.match((url or "").strip())
    if match is None:
        return None
    host = (match.group(1) or match.group(2)).lower()
    return f"{host}/{match.group(3)}/{match.group(4)}"


def policy_text(repo_id: str | None) -> str:
    """A starting policy: every assistant restricted, tokens bound to this repository."""
    binding = f'repository_id = "{repo_id}"' if repo_id else \
        '# repository_id = "github.com/OWNER/REPO"  # needed for override tokens'
    return ("# ai-clearance policy, read from the protected branch (docs/policy.md).\n"
            f"{binding}\n"
            "restricted = [\"*\"]                # assistants that need an approval\n"
            "allowed = []                     # assistants allowed outright\n"
            "allow_open_ended_approvals = false\n"
            "require_signed_commits = false\n")


def pre_commit_text() -> str:
    """The pre-commit configuration with the client hooks on their stages (the session
    hook on prepare-commit-msg: git runs it for cherry-pick, rebase and `commit -n`)."""
    return ("default_install_hook_types: [pre-commit, prepare-commit-msg, commit-msg, "
            "pre-push]\n"
            "repos:\n"
            f"  - repo: {HOOKS_REPO}\n"
            f"    rev: v{__version__}\n"
            "    hooks:\n"
            "      - id: ai-clearance-files\n"
            "      - id: ai-clearance-session\n"
            "      - id: ai-clearance-msg\n"
            "      - id: ai-clearance-push\n")


def signer_line(principal: str, public_key: str) -> str:
    """A maintainers (allowed_signers) line for the `ai-clearance` namespace."""
    return f'{principal} namespaces="ai-clearance" {public_key}\n'


def _write(root: str, relative: str, text: str, outcome: Outcome) -> None:
    from ai_clearance.cli.atomic import create_file

    if create_file(root, relative, text.encode("utf-8")):
        outcome.written.append(relative)
    else:
        outcome.notes.append(f"{relative} exists: left as it is")


def _add_maintainer(root: str, repo: gitio.Repo, key: str | None, principal: str | None,
                    outcome: Outcome) -> None:
    from ai_clearance.cli.signingkey import public_key

    key = key or gitio.config_value(repo, "user.signingkey")
    principal = principal or gitio.config_value(repo, "user.email")
    if not key or not principal:
        outcome.problems.append(
            f"{SIGNERS_FILE}: no {'signing key' if not key else 'e-mail'} to add: set git "
            "config user.signingkey (an SSH key) and user.email, or pass --key and --signer")
        return
    try:
        line = signer_line(principal, public_key(key))
    except UsageError as exc:
        outcome.problems.append(f"{SIGNERS_FILE}: {exc}")
        return
    from ai_clearance.cli.atomic import create_file

    if create_file(root, SIGNERS_FILE, line.encode("utf-8")):
        outcome.written.append(SIGNERS_FILE)
        return
    listed = _listed(root, line.split()[-1])
    outcome.notes.append(f"{SIGNERS_FILE} exists: left as it is; your key is "
                         + ("listed" if listed else
                            f"not listed, add this line: {line.strip()}"))


def _listed(root: str, key_base64: str) -> bool:
    import os

    from ai_clearance.localfiles import read_regular

    try:
        text = read_regular(os.path.join(root, SIGNERS_FILE), 1 << 20).decode("utf-8",
                                                                              "replace")
    except OSError:
        return False
    return any(key_base64 in line.split() for line in text.splitlines()
               if not line.lstrip().startswith("#"))


def set_up(root: str, key: str | None, principal: str | None) -> Outcome:
    """Write what is missing of the policy, maintainers file and pre-commit config."""
    repo = gitio.discover(root)
    outcome = Outcome()
    _write(root, POLICY_FILE, policy_text(repository_id(
        gitio.config_value(repo, "remote.origin.url"))), outcome)
    _add_maintainer(root, repo, key, principal, outcome)
    _write(root, PRE_COMMIT_CONFIG, pre_commit_text(), outcome)
    return outcome


@click.command()
@click.option("--key", metavar="FILE|KEY", help="Your SSH signing key: a key file or a "
              "literal 'ssh-ed25519 AAAA...' (default: git config user.signingkey).")
@click.option("--signer", metavar="EMAIL", help="Your principal in the maintainers file "
              "(default: git config user.email).")
@click.option("-C", "directory", default=".", metavar="DIR", help="Run as if started in DIR.")
def init(key: str | None, signer: str | None, directory: str) -> None:
    """Set up a repository: .ai-clearance.toml, your key in .ai-clearance/maintainers and
    .pre-commit-config.yaml. Existing files are never changed. Exit 1 when a part could not
    be done (it says why)."""
    import sys

    from ai_clearance.cli.maintainer_cmds import root_of

    root = root_of(directory)
    outcome = set_up(root, key, signer)
    for path in outcome.written:
        click.echo(f"wrote {path}")
    for note in outcome.notes:
        click.echo(note)
    for problem in outcome.problems:
        click.echo(f"not done: {problem}", err=True)
    if outcome.written:
        click.echo("next: git add " + " ".join(outcome.written)
                   + " && git commit -m \"Set up ai-clearance\"; merge it into the protected "
                     "branch; each clone then runs `pre-commit install`, and "
                     "`ai-clearance doctor` checks the setup")
    else:
        click.echo("nothing to write; `ai-clearance doctor` checks the setup")
    sys.exit(1 if outcome.problems else 0)
