"""Hostile input ends with a documented exit code and one line, never a hang or a traceback:
empty option values, deep TOML and JSON, globs no path could match, and files that are
not regular files (FIFOs, devices, symlinks out of the tree, directories named like files)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from ai_clearance import localfiles
from ai_clearance.approvals.records import record_file_bytes
from conftest import AI_CLEARANCE, MAINTAINER, Repo, make_key, signer_line

SIGNATURE = "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed command, with a timeout: a read that blocks fails the test, not CI."""
    return subprocess.run([AI_CLEARANCE, *args], cwd=cwd, text=True, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=60, check=False)


def _one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stderr.startswith("ai-clearance: error:"), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for word in words:
        assert word in result.stderr
    return result.stderr


# ------------------------------------------------------------------------ empty values
@pytest.mark.parametrize("option", ["--range=", "--message=", "--tree=", "--config=",
                                    "--branch=", "--trust-ref=", "--pr-text=", "--range= "])
def test_an_empty_option_value_is_a_usage_error(clean_repo: Repo, option: str) -> None:
    source = [] if option.split("=", maxsplit=1)[0] in ("--range", "--message", "--tree") else \
        ["--range", "HEAD"]
    result = _cli("check", *source, option, cwd=clean_repo.path)
    _one_line_error(result, 2, option.split("=", maxsplit=1)[0], "empty")


# ------------------------------------------------------------------------ deep nesting
@pytest.mark.parametrize("value", ["[" * 100_000 + "]" * 100_000,
                                   "{a = " * 50_000 + "1" + "}" * 50_000,
                                   "[" * 600 + "]" * 600])
def test_deeply_nested_toml_is_a_config_error(clean_repo: Repo, tmp_path: Path,
                                              value: str) -> None:
    config = tmp_path / "deep.toml"
    config.write_text(f"x = {value}\n", "utf-8")
    result = _cli("check", "--range", "HEAD", "--config", str(config), cwd=clean_repo.path)
    _one_line_error(result, 2, "deep.toml", "nested too deeply")


def test_deeply_nested_trusted_policy_is_a_config_error(clean_repo: Repo) -> None:
    clean_repo.write(".ai-clearance.toml", "x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    clean_repo.commit("deep policy", ".ai-clearance.toml")
    for args in (("check", "--range", "HEAD"), ("approvals", "list")):
        _one_line_error(_cli(*args, cwd=clean_repo.path), 2, ".ai-clearance.toml", "nested")


def test_deeply_nested_record_is_a_config_error(clean_repo: Repo) -> None:
    clean_repo.write(".ai-clearance/approvals/apv-20260101-00000000.json", "[" * 60_000)
    _one_line_error(_cli("approvals", "list", cwd=clean_repo.path), 2, "nested too deeply")
    clean_repo.commit("deep record", ".ai-clearance/approvals/apv-20260101-00000000.json")
    _one_line_error(_cli("check", "--range", "HEAD", cwd=clean_repo.path), 2, "apv-")


# ------------------------------------------------------------------------ globs
_RULE = ('[[rules]]\nid = "ORG001"\nassistants = ["claude"]\nkind = "instructions"\n'
         'severity = "block"\ndescription = "d"\npaths = ["{glob}"]\n')


@pytest.mark.parametrize("glob", ["[z-a]", "docs/[9-0]*.md", "a/[]"])
@pytest.mark.parametrize("where", ["rule", "exclude_paths"])
def test_a_glob_no_path_could_match_is_a_config_error(clean_repo: Repo, tmp_path: Path,
                                                      glob: str, where: str) -> None:
    config = tmp_path / "policy.toml"
    text = _RULE.format(glob=glob) if where == "rule" else f'exclude_paths = ["{glob}"]\n'
    config.write_text(text, "utf-8")
    result = _cli("check", "--range", "HEAD", "--config", str(config), cwd=clean_repo.path)
    _one_line_error(result, 2, "policy.toml", repr(glob))


def test_approve_refuses_a_glob_a_check_could_not_use(clean_repo: Repo,
                                                      tmp_path: Path) -> None:
    key = make_key(tmp_path, "m")
    clean_repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clean_repo.commit("maintainers", ".ai-clearance/maintainers")
    result = _cli("approve", "--key", str(key), "--signer", MAINTAINER, "--author",
                  "jane@example.com", "--assistant", "claude", "--expires", "30d",
                  "--reason", "r", "--path", "logs/[z-a]", cwd=clean_repo.path)
    _one_line_error(result, 2, "--path", "'logs/[z-a]'")
    assert not (clean_repo.path / ".ai-clearance" / "approvals").exists()


def test_a_recorded_approval_with_a_bad_glob_stops_every_check_with_exit_2(
        clean_repo: Repo) -> None:
    """Recorded before `approve` refused such globs: every check said "internal error"."""
    payload = {
        "type": "ai-clearance/approval", "version": 1, "id": "apv-20260101-0000abcd",
        "authors": ["jane@example.com"], "github_logins": [], "assistants": ["claude"],
        "paths": ["[z-a]"], "author_keys": [], "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2026-12-31T00:00:00Z", "reason": "r", "issued_by": MAINTAINER,
        "issued_at": "2026-01-01T00:00:00Z",
    }
    record = clean_repo.path / ".ai-clearance" / "approvals" / "apv-20260101-0000abcd.json"
    record.parent.mkdir(parents=True)
    record.write_bytes(record_file_bytes("approval", payload, SIGNATURE))
    clean_repo.commit("approval", ".ai-clearance/approvals/apv-20260101-0000abcd.json")
    clean_repo.commit("trace", "CLAUDE.md")
    for args in (("check", "--range", "HEAD"), ("approvals", "list")):
        _one_line_error(_cli(*args, cwd=clean_repo.path), 2, "apv-20260101-0000abcd",
                        "'[z-a]'")


# ------------------------------------------------------------------------ special files
@pytest.fixture
def trusting(clean_repo: Repo, tmp_path: Path) -> tuple[Repo, Path]:
    """A repository whose maintainers file lists a real key."""
    key = make_key(tmp_path, "m")
    clean_repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clean_repo.commit("maintainers", ".ai-clearance/maintainers")
    return clean_repo, key


_LISTINGS = [("approvals", "list"), ("approvals", "show", "apv-20260101-00000000"),
             ("approvals", "verify")]


@pytest.mark.parametrize("name", ["approvals/apv-20260101-0000ffff.json",
                                  "revocations/rev-20260101-0000ffff.json",
                                  "tokens/tok-20260101-0000ffff.token", "maintainers"])
def test_a_fifo_among_the_trust_files_is_refused_not_waited_on(trusting: tuple[Repo, Path],
                                                               name: str) -> None:
    repo, _ = trusting
    fifo = repo.path / ".ai-clearance" / name
    fifo.parent.mkdir(parents=True, exist_ok=True)
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    for args in _LISTINGS:
        _one_line_error(_cli(*args, cwd=repo.path), 2, name, "FIFO")


@pytest.mark.parametrize("name", [".ai-clearance/approvals/apv-20260101-0000ffff.json",
                                  ".ai-clearance/maintainers", ".ai-clearance.toml",
                                  "pyproject.toml"])
def test_a_symlink_out_of_the_tree_is_never_followed(trusting: tuple[Repo, Path],
                                                     name: str) -> None:
    repo, _ = trusting
    link = repo.path / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to("/etc/passwd")
    for args in _LISTINGS:
        stderr = _one_line_error(_cli(*args, cwd=repo.path), 2, name, "symbolic link")
        assert "root:" not in stderr


def test_a_symlinked_trust_folder_is_refused(trusting: tuple[Repo, Path],
                                             tmp_path: Path) -> None:
    repo, _ = trusting
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo.path / ".ai-clearance" / "revocations").symlink_to(elsewhere)
    _one_line_error(_cli("approvals", "list", cwd=repo.path), 2, "revocations",
                    "symbolic link")


def test_a_directory_named_like_a_record_is_only_a_directory(trusting: tuple[Repo, Path],
                                                             tmp_path: Path) -> None:
    repo, _ = trusting
    (repo.path / ".ai-clearance" / "approvals" / "apv-20260101-0000ffff.json").mkdir(
        parents=True)
    listed = _cli("approvals", "list", "--format", "json", cwd=repo.path)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    folder = tmp_path / "policy.toml"
    folder.mkdir()
    _one_line_error(_cli("check", "--range", "HEAD", "--config", str(folder),
                         cwd=repo.path), 2, "directory")
    _one_line_error(_cli("check", "--message", str(folder), cwd=repo.path), 2, "directory")


def test_maintainer_commands_refuse_special_files(trusting: tuple[Repo, Path],
                                                  tmp_path: Path) -> None:
    repo, key = trusting
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    base = ["approve", "--signer", MAINTAINER, "--author", "jane@example.com",
            "--assistant", "claude", "--expires", "30d", "--reason", "r"]
    _one_line_error(_cli(*base, "--key", str(fifo), cwd=repo.path), 2, "signing key", "FIFO")
    _one_line_error(_cli(*base, "--key", str(key), "--author-key", str(fifo), cwd=repo.path),
                    2, "--author-key", "FIFO")
    maintainers = repo.path / ".ai-clearance" / "maintainers"
    maintainers.unlink()
    maintainers.symlink_to(tmp_path / "m.pub")  # a real key file, out of the tree
    _one_line_error(_cli(*base, "--key", str(key), cwd=repo.path), 2, "maintainers",
                    "symbolic link")
    assert not (repo.path / ".ai-clearance" / "approvals").exists()


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/null"])
def test_message_and_config_files_must_be_regular(clean_repo: Repo, tmp_path: Path,
                                                  special: str) -> None:
    path = special
    if special == "fifo":
        path = str(tmp_path / "fifo")
        os.mkfifo(path)
    _one_line_error(_cli("check", "--message", path, cwd=clean_repo.path), 2, path)
    _one_line_error(_cli("check", "--range", "HEAD", "--config", path, cwd=clean_repo.path),
                    2, path)


def test_a_config_named_through_a_symlink_is_read(clean_repo: Repo, tmp_path: Path) -> None:
    """A path the user names may be a symlink (to a regular file): only the work tree's own
    files are refused as symlinks."""
    real = tmp_path / "real.toml"
    real.write_text('allowed = ["claude"]\n', "utf-8")
    (tmp_path / "link.toml").symlink_to(real)
    clean_repo.commit("trace", "CLAUDE.md")
    result = _cli("check", "--range", "HEAD", "--config", str(tmp_path / "link.toml"),
                  cwd=clean_repo.path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_nonblocking_or_nofollow_flags_stat_comes_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has neither O_NONBLOCK nor O_NOFOLLOW: the stat before the open must then
    refuse a FIFO (never opened, so never waited on) and a symlink on its own."""
    monkeypatch.setattr(localfiles, "_BASE_FLAGS", os.O_RDONLY)
    monkeypatch.setattr(localfiles, "_NOFOLLOW", 0)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to("/etc/passwd")
    (tmp_path / "file").write_bytes(b"abc")
    with pytest.raises(localfiles.NotRegularFile, match="FIFO"):
        localfiles.read_regular(str(fifo))
    with pytest.raises(localfiles.NotRegularFile, match="symbolic link"):
        localfiles.read_regular(str(link))
    assert localfiles.read_regular(str(tmp_path / "file"), 2) == b"ab"
    assert localfiles.read_regular(str(link), 4, follow=True) == b"root"


def test_a_file_swapped_between_stat_and_open_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "policy.toml"
    target.write_bytes(b"a = 1\n")
    other = tmp_path / "other"
    other.write_bytes(b"b = 2\n")
    real_open = os.open

    def swapping_open(path: str, flags: int, *args: int) -> int:
        os.replace(other, target)  # after the stat, before the open
        return real_open(path, flags, *args)

    monkeypatch.setattr(localfiles.os, "open", swapping_open)
    with pytest.raises(localfiles.NotRegularFile, match="replaced"):
        localfiles.read_regular(str(target))
