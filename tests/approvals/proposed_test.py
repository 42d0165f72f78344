"""A change cannot commit or merge a trust file that would not load, and a broken trusted file
names the way out (docs/policy.md: Where trust comes from)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from ai_clearance.approvals.proposed import Problem, problems
from conftest import Repo, _bin, run_cli

BROKEN_TOML = 'allowed = ["copilot"]\nrestricted =\n'  # line 2: a key with no value
SIGNATURE = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"
APPROVAL = ".ai-clearance/approvals/apv-20260101-0a1b2c3d.json"
TOKEN = ".ai-clearance/tokens/tok-20260101-0a1b2c3d.token"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
BAD_JSON = '{\n  "approval": {},\n  "signature" "x"\n}\n'  # line 3: no colon


def _approval(**changes: object) -> str:
    """A well-formed approval record whose signature nobody checks here (it is pending)."""
    payload: dict[str, object] = {
        "type": "ai-clearance/approval", "version": 1, "id": "apv-20260101-0a1b2c3d",
        "authors": ["jane@example.com"], "assistants": ["claude"],
        "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2026-03-01T00:00:00Z",
        "reason": "pilot", "issued_by": "maintainer@example.com",
        "issued_at": "2026-01-01T00:00:00Z", **changes}
    return json.dumps({"approval": payload, "signature": SIGNATURE}, indent=2) + "\n"


# ------------------------------------------------------------------------ each parser
@pytest.mark.parametrize(("path", "text", "expected"), [
    (".ai-clearance.toml", BROKEN_TOML,
     Problem(".ai-clearance.toml", "invalid TOML: Invalid value (column 13)", 2)),
    (".ai-clearance.toml", "restrcted = []\n", "unknown key 'restrcted'"),
    (".ai-clearance.toml", 'exclude_paths = ["docs/[a"]\n',
     "exclude_paths: invalid glob 'docs/[a': unclosed '['"),
    (".ai-clearance.toml",
     '[[rules]]\nid = "ORG001"\nassistants = ["claude"]\nkind = "marker"\n'
     'severity = "block"\ndescription = "d"\npattern = "(unclosed"\n', "ORG001"),
    ("pyproject.toml", '[tool.ai-clearance]\ncolour = 1\n',
     "[tool.ai-clearance]: unknown key 'colour'"),
    ("pyproject.toml", '[project]\nname = "x"\n\n[tool.ai-clearance]\nallowed = [\n',
     Problem("pyproject.toml", "invalid TOML: Invalid value (the file ends first)", 5)),
    (".ai-clearance/maintainers",
     f"# maintainers\nalice@example.com {KEY}\nbob@example.com ssh-ed25519\n",
     Problem(".ai-clearance/maintainers",
             "want 'principals [options] keytype key'", 3)),
    (APPROVAL, BAD_JSON,
     Problem(APPROVAL, "not valid JSON: Expecting ':' delimiter (column 15)", 3)),
    (APPROVAL, _approval(authors=["not an address"]), "'authors' has a bad entry"),
    (APPROVAL, '{"approval": {}}\n', "want an object with 'approval' and 'signature'"),
    (".ai-clearance/revocations/rev-20260101-0a1b2c3d.json", _approval(),
     "want an object with 'revocation' and 'signature'"),
    (TOKEN, "garbage\n", "malformed token"),
    (TOKEN, "aic1.e30.U1NIU0lH\n", "not a version 2 ai-clearance/token record"),
])
def test_each_kind_of_trust_file_is_read_as_the_trusted_side_reads_it(
        path: str, text: str, expected: Problem | str) -> None:
    found = problems({path: text.encode()}, [path])
    assert len(found) == 1, found
    if isinstance(expected, Problem):
        assert found[0] == expected
    else:
        assert found[0].path == path and expected in found[0].detail, found[0]


@pytest.mark.parametrize(("path", "text"), [
    (".ai-clearance.toml", 'allowed = ["copilot"]\nexclude_paths = ["docs/**"]\n'),
    ("pyproject.toml", '[project]\nname = "x"\n[tool.ai-clearance]\nrestricted = []\n'),
    ("pyproject.toml", '[project]\nname = "x"\nversion = \n'),  # broken, but not ours
    (".ai-clearance/maintainers", f'alice@example.com namespaces="ai-clearance" {KEY}\n'),
    (".ai-clearance/maintainers", ""),
    (APPROVAL, _approval()),  # its signature is not checked: the record is pending
    (".ai-clearance/notes.md", "anything\n"),  # nothing reads it
])
def test_what_the_trusted_side_would_load_is_no_problem(path: str, text: str) -> None:
    assert problems({path: text.encode()}, [path]) == []


def test_pyproject_that_does_not_parse_is_judged_when_the_trusted_one_had_the_table() -> None:
    files = {"pyproject.toml": b'[project]\nname = "x"\nversion = \n'}
    found = problems(files, ["pyproject.toml"], trusted_table=True)
    assert [(p.path, p.line) for p in found] == [("pyproject.toml", 3)]


def test_both_policies_at_once_and_bad_utf8() -> None:
    files = {".ai-clearance.toml": b"restricted = []\n",
             "pyproject.toml": b"[tool.ai-clearance]\nrestricted = []\n"}
    found = problems(files, ["pyproject.toml"])
    assert found == [Problem(".ai-clearance.toml",
                             "pyproject.toml has a [tool.ai-clearance] table too; keep one "
                             "policy")]
    found = problems({".ai-clearance/maintainers": b"\xff\n"}, [".ai-clearance/maintainers"])
    assert found == [Problem(".ai-clearance/maintainers", "not valid UTF-8")]


# ------------------------------------------------------------------------ real checks
def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("ai-clearance: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    return result.stderr


def _files_hook(repo: Repo, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_bin("ai-clearance-files")], cwd=repo.path, text=True,
                          capture_output=True, env={**os.environ, **env}, check=False)


def _change(repo: Repo, files: dict[str, str]) -> None:
    """Branch `change` off main, committing `files`."""
    repo.git("checkout", "-q", "-b", "change", "main")
    for name, text in files.items():
        repo.write(name, text)
    repo.commit("change trust files", *files)
    repo.git("checkout", "-q", "main")


def _check_change(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("check", "--range", "main..change", "--trust-ref", "refs/heads/main", *args,
                   cwd=repo.path)


def test_files_hook_refuses_a_staged_broken_policy(clean_repo: Repo) -> None:
    clean_repo.write(".ai-clearance.toml", BROKEN_TOML)
    clean_repo.git("add", ".ai-clearance.toml")
    error = _one_line_error(_files_hook(clean_repo))
    assert error.startswith("ai-clearance: error: this change breaks .ai-clearance.toml: "
                            "line 2: invalid TOML: Invalid value")
    clean_repo.write(".ai-clearance.toml", 'allowed = ["copilot"]\n')
    clean_repo.git("add", ".ai-clearance.toml")
    assert _files_hook(clean_repo).returncode == 0  # fixed in the index: the work tree is moot


def test_files_hook_reads_the_index_not_the_work_tree(clean_repo: Repo) -> None:
    clean_repo.write(".ai-clearance/maintainers", "jane@example.com ssh-ed25519\n")
    clean_repo.git("add", ".ai-clearance/maintainers")
    clean_repo.write(".ai-clearance/maintainers", "")  # fixed on disk, not staged
    error = _one_line_error(_files_hook(clean_repo))
    assert "this change breaks .ai-clearance/maintainers: line 1: want" in error


def test_files_hook_judges_a_staged_policy_with_the_committed_one(clean_repo: Repo) -> None:
    clean_repo.write("pyproject.toml", '[tool.ai-clearance]\nallowed = ["copilot"]\n')
    clean_repo.commit("policy in pyproject", "pyproject.toml")
    clean_repo.write(".ai-clearance.toml", "restricted = []\n")
    clean_repo.write("sub/pyproject.toml", "not [ toml\n")  # not a trust file: not judged
    clean_repo.git("add", ".")
    error = _one_line_error(_files_hook(clean_repo))
    assert "this change breaks .ai-clearance.toml: pyproject.toml has a [tool.ai-clearance] " \
           "table too; keep one policy" in error
    clean_repo.git("rm", "-q", "--cached", ".ai-clearance.toml")
    assert _files_hook(clean_repo).returncode == 0


@pytest.mark.parametrize(("path", "text", "says"), [
    (".ai-clearance.toml", BROKEN_TOML, ".ai-clearance.toml: line 2: invalid TOML"),
    (".ai-clearance/maintainers", f"alice@example.com {KEY}\nbob@example.com ssh-ed25519 %\n",
     ".ai-clearance/maintainers: line 2: "),
    (APPROVAL, BAD_JSON, f"{APPROVAL}: line 3: not valid JSON: Expecting ':' delimiter"),
    (TOKEN, "not a token at all\n", f"{TOKEN}: malformed token"),
])
def test_range_that_adds_a_broken_trust_file_is_exit_2(clean_repo: Repo, path: str, text: str,
                                                       says: str) -> None:
    _change(clean_repo, {path: text})
    error = _one_line_error(_check_change(clean_repo))
    assert f"ai-clearance: error: this change breaks {says}" in error


def test_every_broken_file_is_named(clean_repo: Repo) -> None:
    _change(clean_repo, {".ai-clearance.toml": "colour = 1\n", TOKEN: "x\n"})
    error = _one_line_error(_check_change(clean_repo))
    assert ".ai-clearance.toml: unknown key 'colour'" in error and f"{TOKEN}: malformed" in error


def test_a_valid_proposed_change_is_pending(clean_repo: Repo) -> None:
    _change(clean_repo, {".ai-clearance.toml": 'allowed = ["copilot"]\n',
                         ".ai-clearance/maintainers": f"alice@example.com {KEY}\n",
                         APPROVAL: _approval()})
    result = _check_change(clean_repo)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in (".ai-clearance.toml", ".ai-clearance/maintainers", APPROVAL):
        assert f"pending (takes effect after merge): {path}" in result.stdout


def test_a_build_file_without_the_policy_table_is_not_judged(clean_repo: Repo) -> None:
    _change(clean_repo, {"pyproject.toml": '[project]\nname = "x"\nversion = \n'})
    result = _check_change(clean_repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pending (takes effect after merge): pyproject.toml" in result.stdout


def test_a_second_policy_beside_the_trusted_one_is_refused(clean_repo: Repo) -> None:
    clean_repo.write("pyproject.toml", '[tool.ai-clearance]\nallowed = ["copilot"]\n')
    clean_repo.commit("policy in pyproject", "pyproject.toml")
    _change(clean_repo, {".ai-clearance.toml": "restricted = []\n"})
    error = _one_line_error(_check_change(clean_repo))
    assert "this change breaks .ai-clearance.toml: pyproject.toml has a [tool.ai-clearance] " \
           "table too" in error


@pytest.mark.parametrize("hook", ["ai-clearance-push", "ai-clearance-ci"])
def test_push_and_ci_hooks_refuse_a_broken_policy(clean_repo: Repo, hook: str) -> None:
    _change(clean_repo, {".ai-clearance.toml": BROKEN_TOML})
    env = {**os.environ, "PRE_COMMIT_FROM_REF": "main", "PRE_COMMIT_TO_REF": "change",
           "AI_CLEARANCE_TRUST_REF": "refs/heads/main"}
    result = subprocess.run([_bin(hook)], cwd=clean_repo.path, text=True, capture_output=True,
                            env=env, check=False)
    assert "this change breaks .ai-clearance.toml: line 2" in _one_line_error(result)


# ------------------------------------------------------------------------ a broken base
def _broken_main(repo: Repo, path: str, text: str) -> str:
    good = repo.head()
    repo.write(path, text)
    repo.commit("break it", path)
    return good


def test_fixing_a_broken_trusted_policy_names_the_way_out(clean_repo: Repo,
                                                          tmp_path: Path) -> None:
    good = _broken_main(clean_repo, ".ai-clearance.toml", BROKEN_TOML)
    broken = clean_repo.head()
    _change(clean_repo, {".ai-clearance.toml": 'allowed = ["copilot"]\n'})
    error = _one_line_error(_check_change(clean_repo))
    assert error.startswith("ai-clearance: error: the trusted .ai-clearance.toml at "
                            f"refs/heads/main ({broken[:12]}) is broken: line 2: invalid TOML")
    for words in ("push", "admin bypass of the required check", "--trust-ref", "--config"):
        assert words in error
    # The ways out it names work locally.
    passed = run_cli("check", "--range", "main..change", "--trust-ref", good, cwd=clean_repo.path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    policy = tmp_path / "policy.toml"
    policy.write_text("restricted = []\n", "utf-8")
    passed = _check_change(clean_repo, "--config", str(policy))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    # The files hook, committing the fix where trust comes from HEAD, says the same.
    clean_repo.write(".ai-clearance.toml", 'allowed = ["copilot"]\n')
    clean_repo.git("add", ".ai-clearance.toml")
    assert "the trusted .ai-clearance.toml at HEAD" in _one_line_error(_files_hook(clean_repo))
    assert _files_hook(clean_repo, AI_CLEARANCE_TRUST_REF=good).returncode == 0


def test_a_broken_trusted_maintainers_file_names_the_way_out(clean_repo: Repo) -> None:
    _broken_main(clean_repo, ".ai-clearance/maintainers", "alice@example.com\n")
    _change(clean_repo, {"src/a.py": "x\n"})
    error = _one_line_error(_check_change(clean_repo))
    assert "the trusted .ai-clearance/maintainers at refs/heads/main" in error
    assert "is broken: line 1: want 'principals [options] keytype key'" in error
    assert "--trust-ref" in error and "--config" not in error  # a policy file would not help


def test_a_bad_token_given_on_the_command_line_is_not_blamed_on_the_base(
        clean_repo: Repo) -> None:
    clean_repo.write(".ai-clearance/maintainers", f"alice@example.com {KEY}\n")
    clean_repo.commit("maintainers", ".ai-clearance/maintainers")
    _change(clean_repo, {"src/a.py": "x\n"})
    error = _one_line_error(_check_change(clean_repo, "--token", "garbage"))
    assert "--token: malformed token" in error and "trusted" not in error
