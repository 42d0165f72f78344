"""`ai-clearance init`: real repositories, real ssh-keygen keys, the installed CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_clearance.cli.init_cmd import repository_id
from conftest import MAINTAINER, Repo, make_key, run_cli

FILES = (".ai-clearance.toml", ".ai-clearance/maintainers", ".pre-commit-config.yaml")


def _public(key: Path) -> str:
    return " ".join(key.with_suffix(".pub").read_text("utf-8").split()[:2])


@pytest.fixture
def maintainer_repo(clean_repo: Repo, tmp_path: Path) -> tuple[Repo, Path]:
    key = make_key(tmp_path, "maint")
    clean_repo.git("config", "user.email", MAINTAINER)
    clean_repo.git("remote", "add", "origin", "git@github.com:acme/widgets.git")
    return clean_repo, key


@pytest.mark.parametrize("form", ["path", "pub-path", "literal", "key::literal"])
def test_init_writes_everything_and_says_what_to_commit(maintainer_repo: tuple[Repo, Path],
                                                         form: str) -> None:
    repo, key = maintainer_repo
    setting = {"path": str(key), "pub-path": str(key.with_suffix(".pub")),
               "literal": _public(key), "key::literal": "key::" + _public(key)}[form]
    repo.git("config", "user.signingkey", setting)
    result = run_cli("init", cwd=repo.path)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in FILES:
        assert f"wrote {name}" in result.stdout
    assert f"next: git add {' '.join(FILES)} && git commit" in result.stdout
    maintainers = (repo.path / FILES[1]).read_text("utf-8")
    assert maintainers == f'{MAINTAINER} namespaces="ai-clearance" {_public(key)}\n'
    policy = (repo.path / FILES[0]).read_text("utf-8")
    assert 'repository_id = "github.com/acme/widgets"' in policy
    hooks = (repo.path / FILES[2]).read_text("utf-8")
    assert "default_install_hook_types: [pre-commit, prepare-commit-msg, commit-msg, " \
        "pre-push]" in hooks
    assert all(h in hooks for h in ("ai-clearance-files", "ai-clearance-session",
                                    "ai-clearance-msg", "ai-clearance-push"))
    assert not list(repo.path.rglob(".tmp-*"))  # atomic writes leave no temporary file
    # What init wrote loads: committed, it is the trusted setup the check reads.
    repo.git("add", *FILES)
    repo.git("commit", "-q", "--no-verify", "-m", "Set up ai-clearance")
    assert run_cli("check", "--tree", "HEAD", cwd=repo.path).returncode == 0
    assert run_cli("approvals", "verify", "--ref", "HEAD", cwd=repo.path).returncode == 0


def test_init_never_overwrites_and_says_so(maintainer_repo: tuple[Repo, Path],
                                           tmp_path: Path) -> None:
    repo, key = maintainer_repo
    repo.git("config", "user.signingkey", str(key))
    other = make_key(tmp_path, "other")
    mine = {FILES[0]: "restricted = [\"claude\"]\n",
            FILES[1]: f'someone@example.com namespaces="ai-clearance" {_public(other)}\n',
            FILES[2]: "repos: []\n"}
    for name, text in mine.items():
        repo.write(name, text)
    result = run_cli("init", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    for name, text in mine.items():
        assert (repo.path / name).read_text("utf-8") == text
        assert f"{name} exists: left as it is" in result.stdout
    assert "your key is not listed, add this line: " \
           f'{MAINTAINER} namespaces="ai-clearance" {_public(key)}' in result.stdout
    assert "nothing to write" in result.stdout


def test_init_without_a_signing_key_writes_the_rest_and_exits_1(clean_repo: Repo) -> None:
    result = run_cli("init", cwd=clean_repo.path)
    assert result.returncode == 1
    assert "not done: .ai-clearance/maintainers: no signing key" in result.stderr
    assert (clean_repo.path / FILES[0]).exists() and (clean_repo.path / FILES[2]).exists()
    assert not (clean_repo.path / FILES[1]).exists()
    assert "repository_id" in (clean_repo.path / FILES[0]).read_text("utf-8")  # commented


def test_init_refuses_a_broken_literal_key(clean_repo: Repo) -> None:
    clean_repo.git("config", "user.email", MAINTAINER)
    clean_repo.git("config", "user.signingkey", "key::ssh-ed25519 not*base64")
    result = run_cli("init", cwd=clean_repo.path)
    assert result.returncode == 1 and "not valid base64" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_does_not_follow_a_dangling_symlink(clean_repo: Repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    (clean_repo.path / FILES[0]).symlink_to(outside)
    result = run_cli("init", cwd=clean_repo.path)
    assert f"{FILES[0]} exists: left as it is" in result.stdout
    assert not outside.exists()


@pytest.mark.parametrize(("url", "expected"), [
    ("git@github.com:acme/widgets.git", "github.com/acme/widgets"),
    ("https://github.com/acme/widgets", "github.com/acme/widgets"),
    ("https://user:secret@gitlab.example.com/acme/widgets.git/", "gitlab.example.com/acme/widgets"),
    ("ssh://git@git.example.com:2222/acme/widgets.git", "git.example.com/acme/widgets"),
    ("/srv/git/widgets.git", None),
    ("", None),
    (None, None),
])
def test_repository_id_from_the_remote(url: str | None, expected: str | None) -> None:
    assert repository_id(url) == expected
