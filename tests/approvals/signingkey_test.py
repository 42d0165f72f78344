"""user.signingkey in every form git accepts, and signing through a real ssh-agent."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ai_clearance.cli.signingkey import literal_public_key, public_key
from ai_clearance.errors import UsageError
from conftest import MAINTAINER, Repo, make_key, run_cli, signer_line

ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICJClVsED6ntXj6Q1SrVBi5NCVhpZB2fpnfzL7aepDeC"


@pytest.mark.parametrize("value", [ED25519, f"key::{ED25519}", f"  key:: {ED25519} me@laptop ",
                                   f"{ED25519} comment with spaces"])
def test_literal_forms(value: str) -> None:
    assert literal_public_key(value) == ED25519


@pytest.mark.parametrize("value", ["~/.ssh/id_ed25519", "/home/me/key.pub", "ABCDEF0123456789",
                                   "ssh-ed25519"])
def test_file_names_are_not_literals(value: str) -> None:
    assert literal_public_key(value) is None


@pytest.mark.parametrize(("value", "why"), [
    ("key::ssh-ed25519 not*base64", "not valid base64"),
    ("ssh-rsa " + ED25519.split()[1], "does not match its type"),
    ("key::/home/me/.ssh/id_ed25519", "not a public key"),
])
def test_bad_literals_are_one_line_errors(value: str, why: str) -> None:
    with pytest.raises(UsageError, match=why):
        literal_public_key(value)


def test_public_key_of_a_private_key_file(tmp_path: Path) -> None:
    key = make_key(tmp_path, "k")
    expected = " ".join(key.with_suffix(".pub").read_text("utf-8").split()[:2])
    assert public_key(str(key)) == expected
    key.with_suffix(".pub").unlink()  # derived by ssh-keygen -y instead
    assert public_key(str(key)) == expected


def _agent() -> dict[str, str]:
    started = subprocess.run(["ssh-agent", "-s"], text=True, capture_output=True, check=True)
    return dict(line.split(";")[0].split("=", 1) for line in started.stdout.splitlines()
                if "=" in line.split(";")[0])


@pytest.mark.skipif(shutil.which("ssh-agent") is None or shutil.which("ssh-add") is None,
                    reason="no ssh-agent here; the parsing tests above cover the literal form")
@pytest.mark.parametrize("prefix", ["", "key::"])
def test_approve_with_a_literal_signing_key_in_the_agent(clean_repo: Repo, tmp_path: Path,
                                                          prefix: str) -> None:
    """1Password and others set user.signingkey to the public key itself; the private half
    lives only in the agent."""
    key = make_key(tmp_path, "agent-only")
    clean_repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clean_repo.commit("maintainers", ".ai-clearance/maintainers")
    literal = " ".join(key.with_suffix(".pub").read_text("utf-8").split()[:2])
    clean_repo.git("config", "user.signingkey", prefix + literal)
    clean_repo.git("config", "user.email", MAINTAINER)
    env = _agent()
    try:
        subprocess.run(["ssh-add", "-q", str(key)], env={**os.environ, **env}, check=True,
                       capture_output=True)
        key.unlink()
        result = run_cli("approve", "--author", "jane@example.com", "--assistant", "claude",
                         "--expires", "1d", "--reason", "agent", cwd=clean_repo.path, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert run_cli("approvals", "verify", cwd=clean_repo.path).returncode == 0
        without_agent = run_cli("approve", "--author", "jane@example.com", "--assistant",
                                "claude", "--expires", "1d", "--reason", "agent",
                                cwd=clean_repo.path, env={"SSH_AUTH_SOCK": ""})
        assert without_agent.returncode == 2 and "could not sign" in without_agent.stderr
    finally:
        subprocess.run(["ssh-agent", "-k"], env={**os.environ, **env}, capture_output=True,
                       check=False)
