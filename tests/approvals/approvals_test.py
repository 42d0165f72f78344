"""Approvals and override tokens, end to end with real ssh-keygen keys and real commits."""

from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ai_clearance.approvals.records import decode_token, encode_token
from conftest import AI_CLEARANCE, MAINTAINER, Repo, git, make_key, run_cli, signer_line

DEV = "jane@example.com"
TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"
REPOSITORY = "example.com/widgets"


@dataclass
class Setup:
    repo: Repo
    key: Path
    base: str

    def approve(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli("approve", "--key", str(self.key), "--signer", MAINTAINER, *args,
                       cwd=self.repo.path)

    def record(self, *args: str, message: str = "record approval") -> Path:
        result = self.approve(*args)
        assert result.returncode == 0, result.stdout + result.stderr
        path = result.stdout.split()[1].rstrip(";")
        self.repo.git("checkout", "-q", "main")
        self.repo.git("add", path)
        self.repo.git("commit", "-q", "--no-verify", "-m", message)
        return self.repo.path / path

    def check(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return run_cli("check", *args, cwd=self.repo.path, **kwargs)


@pytest.fixture
def setup(clean_repo: Repo, tmp_path: Path) -> Setup:
    """main has a maintainers file; branch `feature` adds CLAUDE.md and a Claude trailer."""
    key = make_key(tmp_path, "maintainer")
    clean_repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clean_repo.write(".ai-clearance.toml", f'repository_id = "{REPOSITORY}"\n')
    clean_repo.commit("maintainers", ".ai-clearance/maintainers", ".ai-clearance.toml")
    base = clean_repo.head()
    clean_repo.git("checkout", "-q", "-b", "feature")
    clean_repo.commit(f"Add memory\n\n{TRAILER}\n", "CLAUDE.md")
    clean_repo.git("checkout", "-q", "main")
    return Setup(clean_repo, key, base)


def _json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.stdout, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _statuses(result: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted(f["status"] for f in _json(result)["findings"])


# ------------------------------------------------------------------------ the round trip
def test_printed_approval_commands_make_the_same_check_pass(setup: Setup) -> None:
    """Every finding the report fails is cleared by the commands it prints: instruction
    files, a trailer, a file that many assistants read, and leaks (which only an approval
    naming their path clears), one with glob characters in its path."""
    repo = setup.repo
    repo.git("checkout", "-q", "feature")
    repo.commit("More", "AGENTS.md", ".claude/settings.local.json", "CLAUDE.local.md",
                "odd[1]/CLAUDE.local.md")
    repo.git("checkout", "-q", "main")
    failing = setup.check("--range", "main..feature", "--trust-ref", "main")
    assert failing.returncode == 1
    commands = [ln.strip() for ln in failing.stdout.splitlines()
                if ln.strip().startswith("ai-clearance approve ")]
    assert commands == [
        # AGENTS.md is read by many assistants, none of them Claude Code: one of them.
        f"ai-clearance approve --author {DEV} --assistant claude --assistant codex "
        "--expires 90d --reason 'WHY'",
        f"ai-clearance approve --author {DEV} --assistant claude --path "
        ".claude/settings.local.json --path CLAUDE.local.md "
        "--path 'odd[[]1]/CLAUDE.local.md' --expires 90d --reason 'WHY'"]
    repo.git("config", "user.signingkey", str(setup.key))
    repo.git("config", "user.email", MAINTAINER)
    for command in commands:
        # The reason is the maintainer's own: the printed command asks them to replace WHY.
        pasted = command.replace("'WHY'", "'Claude Code pilot, ticket SEC-12'")
        ran = subprocess.run(shlex.split(pasted.replace("ai-clearance", AI_CLEARANCE, 1)),
                             cwd=repo.path, text=True, capture_output=True, check=False,
                             stdin=subprocess.DEVNULL)
        assert ran.returncode == 0, ran.stdout + ran.stderr
    repo.git("add", ".ai-clearance/approvals")
    repo.git("commit", "-q", "--no-verify", "-m", "Approve Jane for Claude")
    passing = setup.check("--range", f"{setup.base}..feature", "--trust-ref", "main")
    assert passing.returncode == 0, passing.stdout
    assert "Cleared or allowed:" in passing.stdout and "approval apv-" in passing.stdout
    data = _json(setup.check("--range", f"{setup.base}..feature", "--trust-ref", "main",
                             "--format", "json"))
    assert len(data["findings"]) >= 6
    assert {f["status"] for f in data["findings"]} == {"cleared"}
    assert all(f["cleared_by"].startswith("approval apv-") for f in data["findings"])
    assert data["coverage"]["trust"]["approvals_active"] == 2


def test_approve_without_a_reason_asks_for_one_and_never_makes_one_up(setup: Setup) -> None:
    refused = subprocess.run(
        [AI_CLEARANCE, "approve", "--key", str(setup.key), "--signer", MAINTAINER,
         "--author", DEV, "--assistant", "claude", "--expires", "30d"],
        cwd=setup.repo.path, text=True, capture_output=True, check=False,
        stdin=subprocess.DEVNULL)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1].endswith(
        "give --reason: why this is approved (it is recorded and signed)")
    assert not (setup.repo.path / ".ai-clearance" / "approvals").exists()


def run_cli_path() -> str:
    return AI_CLEARANCE


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
def test_key_types(clean_repo: Repo, tmp_path: Path, kind: str) -> None:
    key = make_key(tmp_path, f"m-{kind}", kind)
    clean_repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clean_repo.commit("maintainers", ".ai-clearance/maintainers")
    setup = Setup(clean_repo, key, clean_repo.head())
    setup.record("--author", DEV, "--assistant", "gemini", "--expires", "30d", "--reason", "r")
    clean_repo.commit("add", "GEMINI.md")
    result = setup.check("--range", "HEAD", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _statuses(result) == ["cleared"]


def test_each_author_is_cleared_by_their_own_approval_among_many(clean_repo: Repo,
                                                                 tmp_path: Path) -> None:
    """Approvals are looked up by the author and login they name: among several, each
    finding is cleared by its author's approval (e-mail or GitHub noreply login) only."""
    key = make_key(tmp_path, "m")
    clean_repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clean_repo.commit("maintainers", ".ai-clearance/maintainers")
    setup = Setup(clean_repo, key, clean_repo.head())
    for who in ("a@example.com", "b@example.com", DEV):
        setup.record("--author", who, "--assistant", "cursor", "--expires", "30d",
                     "--reason", "r")
    setup.record("--author", "c@example.com", "--github", "JaneDev", "--assistant", "claude",
                 "--expires", "30d", "--reason", "r")
    base = clean_repo.head()
    clean_repo.commit(f"x\n\n{TRAILER}\n", allow_empty=True,
                      author=("Jane", "123+janedev@users.noreply.github.com"))
    clean_repo.commit(f"y\n\n{TRAILER}\n", allow_empty=True, author=("Jane", DEV))
    clean_repo.commit("z", ".cursor/rules/style.mdc", author=("Jane", DEV))
    data = _json(setup.check("--range", f"{base}..HEAD", "--format", "json"))
    outcome = sorted((f["commit"] == clean_repo.head(), f["status"]) for f in data["findings"])
    assert outcome == [(False, "cleared"), (False, "fail"), (True, "cleared")], outcome
    assert data["coverage"]["trust"]["approvals_active"] == 4


# ------------------------------------------------------------------------ refused records
def _tamper(path: Path, edit: Any) -> None:
    data = json.loads(path.read_text("utf-8"))
    edit(data)
    path.write_text(json.dumps(data, indent=2), "utf-8")


def _commit_all(repo: Repo, message: str = "edit") -> None:
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", message)


def _approved_then(setup: Setup, edit: Any) -> subprocess.CompletedProcess[str]:
    path = setup.record("--author", DEV, "--assistant", "claude", "--expires", "30d",
                        "--reason", "ok")
    _tamper(path, edit)
    _commit_all(setup.repo)
    return setup.check("--range", f"{setup.base}..feature", "--trust-ref", "main", "--format",
                       "json")


def test_changed_payload_byte_is_refused(setup: Setup) -> None:
    result = _approved_then(setup, lambda d: d["approval"].update(reason="oj"))
    assert result.returncode == 1
    assert "bad-signature" in " ".join(_json(result)["coverage"]["trust"]["notes"])


def test_widened_scope_is_refused(setup: Setup) -> None:
    result = _approved_then(setup, lambda d: d["approval"].update(assistants=["*"]))
    assert result.returncode == 1


def test_changed_signature_byte_is_refused(setup: Setup) -> None:
    def flip(data: dict[str, Any]) -> None:
        lines = data["signature"].split("\n")
        body = lines[3]
        lines[3] = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
        data["signature"] = "\n".join(lines)
    result = _approved_then(setup, flip)
    assert result.returncode == 1


def test_unknown_key_cannot_record_or_clear(setup: Setup, tmp_path: Path) -> None:
    stranger = make_key(tmp_path, "stranger")
    refused = run_cli("approve", "--key", str(stranger), "--signer", MAINTAINER, "--author",
                      DEV, "--assistant", "claude", "--expires", "30d", "--reason", "x",
                      cwd=setup.repo.path)
    assert refused.returncode == 2 and "not a maintainer" in refused.stderr
    # A record signed by the stranger and committed by hand still clears nothing.
    good = setup.record("--author", DEV, "--assistant", "claude", "--expires", "30d",
                        "--reason", "ok")
    data = json.loads(good.read_text("utf-8"))
    payload = json.dumps(data["approval"], sort_keys=True, separators=(",", ":")).encode()
    forged = subprocess.run(["ssh-keygen", "-Y", "sign", "-f", str(stranger), "-n",
                             "ai-clearance"], input=payload, capture_output=True, check=True)
    data["signature"] = forged.stdout.decode()
    good.write_text(json.dumps(data), "utf-8")
    _commit_all(setup.repo)
    assert setup.check("--range", f"{setup.base}..feature").returncode == 1


def test_key_not_listed_for_the_namespace(clean_repo: Repo, tmp_path: Path) -> None:
    key = make_key(tmp_path, "gitonly")
    clean_repo.write(".ai-clearance/maintainers",
                     signer_line(MAINTAINER, key, options='namespaces="git"'))
    clean_repo.commit("maintainers", ".ai-clearance/maintainers")
    result = run_cli("approve", "--key", str(key), "--signer", MAINTAINER, "--author", DEV,
                     "--assistant", "claude", "--expires", "1d", "--reason", "x",
                     cwd=clean_repo.path)
    assert result.returncode == 2 and "not a maintainer" in result.stderr


def test_a_future_window_clears_nothing_yet(setup: Setup) -> None:
    setup.record("--author", DEV, "--assistant", "claude", "--valid-from", "2999-01-01",
                  "--expires", "2999-02-01", "--reason", "r")
    result = setup.check("--range", f"{setup.base}..feature", "--format", "json")
    assert result.returncode == 1
    assert "not-yet-valid" in " ".join(_json(result)["coverage"]["trust"]["notes"])


def test_approve_refuses_a_window_that_has_ended(setup: Setup) -> None:
    made = setup.approve("--author", DEV, "--assistant", "claude", "--valid-from", "2020-01-01",
                         "--expires", "2020-02-01", "--reason", "r")
    assert made.returncode == 2 and "ended" in made.stderr
    assert not (setup.repo.path / ".ai-clearance" / "approvals").exists()


def _signed_approval(setup: Setup, valid_from: str, valid_until: str) -> str:
    """An approval signed while it was valid (built directly: `approve` now refuses a window
    that has ended). Recorded on main; returns its id."""
    from ai_clearance.approvals.records import canonical, record_file_bytes
    from ai_clearance.approvals.sshsig import sign

    record_id = "apv-20251201-0a0b0c0d"
    payload = {"type": "ai-clearance/approval", "version": 1, "id": record_id,
               "authors": [DEV], "github_logins": [], "assistants": ["claude"], "paths": [],
               "author_keys": [], "valid_from": valid_from, "valid_until": valid_until,
               "reason": "pilot", "issued_by": MAINTAINER, "issued_at": valid_from}
    path = setup.repo.path / ".ai-clearance" / "approvals" / f"{record_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(record_file_bytes("approval", payload,
                                       sign(canonical(payload), str(setup.key))))
    setup.repo.git("checkout", "-q", "main")
    _commit_all(setup.repo, "record an approval made last year")
    return record_id


def test_an_audit_judges_each_commit_at_its_date(setup: Setup) -> None:
    """The feature commits are dated 2026-01-01, inside the approval's window, which has
    since ended: a gate (range) fails them, an audit of history clears them."""
    _signed_approval(setup, "2025-12-01T00:00:00Z", "2026-02-01T00:00:00Z")
    setup.repo.git("checkout", "-q", "feature")
    setup.repo.git("merge", "-q", "--no-edit", "main")
    gate = setup.check("--range", f"{setup.base}..feature", "--format", "json")
    assert gate.returncode == 1
    audit = setup.check("--history", "--format", "json")
    assert audit.returncode == 0, audit.stdout
    cleared = [f for f in _json(audit)["findings"] if f["status"] == "cleared"]
    assert cleared and all("at the commit's date" in f["cleared_by"] for f in cleared)
    # Commits the protected branch does not have yet are judged now, whatever date they
    # claim: a pull request cannot backdate itself into an old approval.
    not_yet_protected = setup.check("--history", "--trust-ref", "main")
    assert not_yet_protected.returncode == 1
    # A commit made after the window ended is not cleared by it.
    setup.repo.commit("late\n\n" + TRAILER, allow_empty=True)
    late = git(setup.repo.path, "commit", "-q", "--amend", "--no-edit", "--allow-empty",
               env={"GIT_COMMITTER_DATE": "2026-06-01T00:00:00+00:00"})
    assert late.returncode == 0
    assert setup.check("--history").returncode == 1


def test_an_audit_honours_revocation_from_its_date(setup: Setup) -> None:
    approval_id = _signed_approval(setup, "2025-12-01T00:00:00Z", "2099-01-01T00:00:00Z")
    setup.repo.git("checkout", "-q", "feature")
    setup.repo.git("merge", "-q", "--no-edit", "main")
    assert setup.check("--history").returncode == 0
    revoked = run_cli("revoke", approval_id, "--reason", "left", "--key", str(setup.key),
                      "--signer", MAINTAINER, cwd=setup.repo.path)
    assert revoked.returncode == 0, revoked.stderr
    _commit_all(setup.repo, "revoke")
    setup.repo.git("checkout", "-q", "feature")
    setup.repo.git("merge", "-q", "--no-edit", "main")
    # Revoked now: the gate fails; commits made before the revocation stay cleared in audit.
    assert setup.check("--range", f"{setup.base}..feature").returncode == 1
    assert setup.check("--history").returncode == 0
    future = {"GIT_COMMITTER_DATE": "2098-01-01T00:00:00+00:00"}
    assert git(setup.repo.path, "commit", "-q", "--allow-empty", "-m", "x\n\n" + TRAILER,
               env=future).returncode == 0
    assert setup.check("--history").returncode == 1


def test_open_ended_needs_policy(setup: Setup) -> None:
    setup.record("--author", DEV, "--assistant", "claude", "--no-expiry", "--reason", "r")
    assert setup.check("--range", f"{setup.base}..feature").returncode == 1
    setup.repo.write(".ai-clearance.toml", "allow_open_ended_approvals = true\n")
    setup.repo.commit("policy", ".ai-clearance.toml")
    assert setup.check("--range", f"{setup.base}..feature").returncode == 0


def test_revoked(setup: Setup) -> None:
    path = setup.record("--author", DEV, "--assistant", "claude", "--expires", "30d",
                        "--reason", "r")
    assert setup.check("--range", f"{setup.base}..feature").returncode == 0
    approval_id = path.stem
    revoked = run_cli("revoke", approval_id, "--reason", "left the team", "--key",
                      str(setup.key), "--signer", MAINTAINER, cwd=setup.repo.path)
    assert revoked.returncode == 0, revoked.stderr
    _commit_all(setup.repo, "revoke")
    result = setup.check("--range", f"{setup.base}..feature", "--format", "json")
    assert result.returncode == 1
    assert "revoked" in " ".join(_json(result)["coverage"]["trust"]["notes"])


@pytest.mark.parametrize("args", [
    ("--author", "someone@example.com", "--assistant", "claude"),
    ("--author", DEV, "--assistant", "codex"),
    ("--author", DEV, "--assistant", "claude", "--path", "docs/**"),
])
def test_out_of_scope(setup: Setup, args: tuple[str, ...]) -> None:
    setup.record(*args, "--expires", "30d", "--reason", "r")
    assert setup.check("--range", f"{setup.base}..feature").returncode == 1


def test_path_scoped_approval_clears_only_that_path(setup: Setup) -> None:
    setup.record("--author", DEV, "--assistant", "claude", "--path", "CLAUDE.md",
                 "--expires", "30d", "--reason", "r")
    result = setup.check("--range", f"{setup.base}..feature", "--format", "json")
    by_rule = {f["rule"]: f["status"] for f in _json(result)["findings"]}
    assert by_rule == {"AIC101": "cleared", "AIC401": "fail"}


def test_leak_needs_a_path_specific_approval(setup: Setup) -> None:
    repo = setup.repo
    repo.git("checkout", "-q", "-b", "leak", setup.base)
    repo.commit("history", ".aider.chat.history.md")
    repo.git("checkout", "-q", "main")
    setup.record("--author", DEV, "--assistant", "aider", "--expires", "30d", "--reason", "r")
    failing = setup.check("--range", f"{setup.base}..leak")
    assert failing.returncode == 1
    assert "--path .aider.chat.history.md" in failing.stdout
    setup.record("--author", DEV, "--assistant", "aider", "--path", ".aider.chat.history.md",
                 "--expires", "30d", "--reason", "r")
    assert setup.check("--range", f"{setup.base}..leak").returncode == 0


def test_approval_added_by_the_change_itself_is_pending(setup: Setup, tmp_path: Path) -> None:
    repo = setup.repo
    own = make_key(tmp_path, "own")
    repo.git("checkout", "-q", "feature")
    with (repo.path / ".ai-clearance/maintainers").open("a", encoding="utf-8") as handle:
        handle.write(signer_line(DEV, own))
    repo.commit("add myself as maintainer", ".ai-clearance/maintainers")
    made = run_cli("approve", "--key", str(own), "--signer", DEV, "--author", DEV,
                   "--assistant", "*", "--expires", "30d", "--reason", "self", cwd=repo.path)
    assert made.returncode == 0, made.stderr
    repo.write(".ai-clearance.toml", "restricted = []\n")
    _commit_all(repo, "approve myself and relax the policy")
    # Trusting the change itself (HEAD) it would pass; trusting the base it must not.
    assert setup.check("--range", f"{setup.base}..feature", "--trust-ref", "feature"
                       ).returncode == 0
    result = setup.check("--range", f"{setup.base}..feature", "--trust-ref", "main")
    assert result.returncode == 1
    assert "pending (takes effect after merge): .ai-clearance/maintainers" in result.stdout
    assert "pending (takes effect after merge): .ai-clearance.toml" in result.stdout


def test_a_mailmap_cannot_borrow_an_approved_identity(setup: Setup) -> None:
    """Attack: the change adds a .mailmap that maps the attacker onto an approved author."""
    repo = setup.repo
    setup.record("--author", DEV, "--assistant", "gemini", "--expires", "30d", "--reason", "r")
    # Even a .mailmap on the trusted branch does not rewrite who wrote a commit.
    repo.write(".mailmap", f"Jane Dev <{DEV}> <jane@old-laptop.local>\n")
    repo.commit("mailmap on main", ".mailmap")
    repo.git("checkout", "-q", "-b", "mallory", "main")
    repo.write(".mailmap", f"Jane Dev <{DEV}> <mallory@evil.example>\n")
    repo.commit("mailmap", ".mailmap", author=("Mallory", "mallory@evil.example"))
    repo.commit("x", "GEMINI.md", author=("Mallory", "mallory@evil.example"))
    repo.git("checkout", "-q", "-b", "alias", "main")
    repo.commit("y", "GEMINI.md", author=("Jane", "jane@old-laptop.local"))
    for branch, who in (("mallory", "mallory@evil.example"), ("alias", "jane@old-laptop.local")):
        result = setup.check("--range", f"main..{branch}", "--trust-ref", "main",
                             "--format", "json")
        assert result.returncode == 1, result.stdout + result.stderr
        failing = [f for f in _json(result)["findings"] if f["status"] == "fail"]
        assert failing and all(who in f["author"] for f in failing)


# ------------------------------------------------------------------------ tokens
def _override(setup: Setup, *args: str, cwd: Path | None = None) -> str:
    result = run_cli("override", "--trust-ref", "main",
                     "--key", str(setup.key), "--signer", MAINTAINER,
                     "--expires", "7d", "--reason", "one-off", *args,
                     cwd=cwd or setup.repo.path)
    assert result.returncode == 0, result.stdout + result.stderr
    token = result.stdout.strip()
    assert token.startswith("aic1.") and "\n" not in token
    assert "it clears exactly these findings and nothing else:" in result.stderr
    return token


def _all(setup: Setup) -> str:
    return _override(setup, "--range", f"{setup.base}..feature", "--all")


def test_override_token_from_option_env_and_record(setup: Setup) -> None:
    token = _all(setup)
    spec = f"{setup.base}..feature"
    assert setup.check("--range", spec).returncode == 1
    by_option = setup.check("--range", spec, "--token", token, "--format", "json")
    assert by_option.returncode == 0
    assert all(f["cleared_by"].startswith("token tok-") for f in _json(by_option)["findings"])
    assert setup.check("--range", spec, env={"AI_CLEARANCE_TOKEN": token}).returncode == 0
    added = run_cli("token", "add", "--trust-ref", "main", token, cwd=setup.repo.path)
    assert added.returncode == 0, added.stderr
    _commit_all(setup.repo, "record token")
    assert setup.check("--range", spec).returncode == 0


def test_override_says_what_it_clears_and_targets_one_finding(setup: Setup) -> None:
    spec = f"{setup.base}..feature"
    several = run_cli("override", "--trust-ref", "main",
                      "--key", str(setup.key), "--signer", MAINTAINER,
                      "--expires", "7d", "--reason", "r", "--range", spec, cwd=setup.repo.path)
    assert several.returncode == 2 and "--all" in several.stderr
    made = run_cli("override", "--trust-ref", "main",
                   "--key", str(setup.key), "--signer", MAINTAINER, "--expires",
                   "7d", "--reason", "fixture", "--range", spec, "--path", "CLAUDE.md",
                   cwd=setup.repo.path)
    assert made.returncode == 0, made.stderr
    assert f"repository {REPOSITORY}" in made.stderr and "reason: fixture" in made.stderr
    assert f"AIC101 (claude) in the path CLAUDE.md, authored by {DEV}" in made.stderr
    assert "AIC401" not in made.stderr
    token = made.stdout.strip()
    shown = run_cli("token", "show", token, cwd=setup.repo.path)
    assert shown.returncode == 0 and shown.stdout.splitlines()[2:] == \
        made.stderr.splitlines()[2:]
    result = setup.check("--range", spec, "--token", token, "--format", "json")
    assert result.returncode == 1
    statuses = {f["rule"]: f["status"] for f in _json(result)["findings"]}
    assert statuses["AIC101"] == "cleared" and statuses["AIC401"] == "fail"


def test_a_token_does_not_cover_another_author(setup: Setup) -> None:
    token = _all(setup)
    repo = setup.repo
    repo.git("checkout", "-q", "-b", "mallory", setup.base)
    repo.commit(f"Add memory\n\n{TRAILER}\n", "CLAUDE.md",
                author=("Mallory", "mallory@evil.example"))
    result = setup.check("--range", f"{setup.base}..mallory", "--token", token)
    assert result.returncode == 1


def test_a_token_replayed_in_another_repository_clears_nothing(setup: Setup,
                                                               tmp_path: Path) -> None:
    """The same maintainer key is trusted in two repositories; a token issued for one, pasted
    as a trailer or given on the command line in the other, clears nothing there."""
    token = _all(setup)
    other = Repo(tmp_path / "other")
    other.path.mkdir()
    other.git("init", "-q", "-b", "main")
    other.write(".ai-clearance/maintainers", signer_line(MAINTAINER, setup.key))
    other.write(".ai-clearance.toml", 'repository_id = "example.com/gadgets"\n')
    other.commit("trust", ".ai-clearance/maintainers", ".ai-clearance.toml")
    base = other.head()
    other.commit(f"Add memory\n\n{TRAILER}\nAI-Clearance-Token: {token}\n", "CLAUDE.md")
    pasted = run_cli("check", "--range", f"{base}..HEAD", "--trust-ref", "main",
                     "--format", "json", cwd=other.path)
    assert pasted.returncode == 1
    assert "other-repository" in " ".join(_json(pasted)["coverage"]["trust"]["notes"])
    given = run_cli("check", "--range", f"{base}..HEAD", "--token", token, cwd=other.path)
    assert given.returncode == 2 and "other-repository" in given.stderr


def test_tokens_need_a_repository_id(setup: Setup) -> None:
    token = _all(setup)
    setup.repo.write(".ai-clearance.toml", "")
    _commit_all(setup.repo, "drop the repository id")
    spec = f"{setup.base}..feature"
    assert setup.check("--range", spec, "--token", token).returncode == 2
    refused = run_cli("override", "--trust-ref", "main",
                      "--key", str(setup.key), "--signer", MAINTAINER, "--expires",
                      "7d", "--reason", "r", "--range", spec, "--all", cwd=setup.repo.path)
    assert refused.returncode == 2 and "repository_id" in refused.stderr


def test_a_version_1_token_is_refused(setup: Setup) -> None:
    from ai_clearance.approvals.records import canonical
    from ai_clearance.approvals.sshsig import sign

    payload = decode_token(_all(setup), "t").payload
    old = {k: v for k, v in payload.items() if k != "repository"}
    old.update(version=1, covers=[{"pull_request": 1}])
    token = encode_token(old, sign(canonical(old), str(setup.key)))
    result = setup.check("--range", f"{setup.base}..feature", "--token", token)
    assert result.returncode == 2 and "version 1" in result.stderr


def test_token_survives_rebase(setup: Setup) -> None:
    token = _all(setup)
    repo = setup.repo
    repo.commit("unrelated work on main", "other.txt")
    repo.git("checkout", "-q", "feature")
    repo.git("rebase", "-q", "main")
    assert setup.check("--range", "main..feature").returncode == 1
    assert setup.check("--range", "main..feature", "--token", token).returncode == 0


def test_token_in_a_commit_trailer(setup: Setup) -> None:
    token = _all(setup)
    repo = setup.repo
    repo.git("checkout", "-q", "feature")
    repo.commit(f"Record override\n\nAI-Clearance-Token: {token}\n", allow_empty=True)
    assert setup.check("--range", f"{setup.base}..feature").returncode == 0


def test_revoked_token_given_explicitly_is_an_error(setup: Setup) -> None:
    token = _all(setup)
    token_id = decode_token(token, "t").payload["id"]
    run_cli("revoke", token_id, "--reason", "no", "--key", str(setup.key), "--signer",
            MAINTAINER, cwd=setup.repo.path)
    _commit_all(setup.repo, "revoke")
    result = setup.check("--range", f"{setup.base}..feature", "--token", token)
    assert result.returncode == 2 and "revoked" in result.stderr


@pytest.mark.parametrize("bad", [
    "aic1.", "aic1.abc", "nonsense", "aic1.e30.", "aic1.!!!.AAAA", "aic1." + "A" * 20000,
    "aic1.eyJhIjoxfQ.U1NIU0lH",
])
def test_malformed_tokens_are_exit_2(setup: Setup, bad: str) -> None:
    result = setup.check("--range", f"{setup.base}..feature", "--token", bad)
    assert result.returncode == 2
    assert result.stderr.startswith("ai-clearance: error:")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_truncated_token_is_exit_2(setup: Setup) -> None:
    token = _all(setup)
    result = setup.check("--range", f"{setup.base}..feature", "--token", token[:-9])
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_git_commit_signature_is_not_a_token(setup: Setup) -> None:
    repo = setup.repo
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", str(setup.key))
    repo.git("commit", "-q", "--allow-empty", "--no-verify", "-S", "-m", "signed")
    raw = repo.git("cat-file", "commit", "HEAD").stdout
    signature_lines: list[str] = []
    inside = False
    for line in raw.splitlines():
        if line.startswith("gpgsig "):
            inside = True
            signature_lines.append(line[len("gpgsig "):].strip())
        elif inside and line.startswith(" "):
            signature_lines.append(line.strip())
        elif inside:
            break
    assert signature_lines[0] == "-----BEGIN SSH SIGNATURE-----"
    armored = "\n".join(signature_lines) + "\n"
    payload = decode_token(_all(setup), "t").payload
    forged = encode_token(payload, armored)
    result = setup.check("--range", f"{setup.base}..feature", "--token", forged)
    assert result.returncode == 2 and "bad-signature" in result.stderr


def test_token_add_refuses_a_forged_token(setup: Setup, tmp_path: Path) -> None:
    token = _all(setup)
    head, _, sig = token.rpartition(".")
    tampered = f"{head}.{sig[:-4]}{'AAAA' if sig[-4:] != 'AAAA' else 'BBBB'}"
    result = run_cli("token", "add", "--trust-ref", "main", tampered, cwd=setup.repo.path)
    assert result.returncode == 2
    assert not (setup.repo.path / ".ai-clearance" / "tokens").exists()


# ------------------------------------------------------------------------ listing
def test_approvals_list_show_verify(setup: Setup) -> None:
    path = setup.record("--author", DEV, "--github", "janedev", "--assistant", "claude",
                        "--expires", "30d", "--reason", "pilot")
    repo = setup.repo.path
    listing = run_cli("approvals", "list", cwd=repo)
    assert listing.returncode == 0 and path.stem in listing.stdout and "active" in listing.stdout
    rows = json.loads(run_cli("approvals", "list", "--format", "json", cwd=repo).stdout)
    assert rows[0]["authors"] == [DEV] and rows[0]["github_logins"] == ["janedev"]
    assert rows[0]["status"] == "active" and rows[0]["signer"] == MAINTAINER
    csv_text = run_cli("approvals", "list", "--format", "csv", cwd=repo).stdout
    assert csv_text.splitlines()[0].startswith("id,kind,status,when_merged,signer")
    shown = run_cli("approvals", "show", path.stem, cwd=repo)
    assert "reason:         pilot" in shown.stdout and "None" not in shown.stdout
    assert run_cli("approvals", "verify", cwd=repo).returncode == 0
    _tamper(path, lambda d: d["approval"].update(reason="changed"))
    bad = run_cli("approvals", "verify", cwd=repo)
    assert bad.returncode == 1 and "bad-signature" in bad.stdout
    assert run_cli("approvals", "verify", "--ref", "main", cwd=repo).returncode == 0


def test_writes_touch_only_the_trust_folder(setup: Setup) -> None:
    before = set(git(setup.repo.path, "status", "--porcelain", "--untracked-files=all"
                     ).stdout.splitlines())
    setup.approve("--author", DEV, "--assistant", "claude", "--expires", "1d", "--reason", "r")
    after = set(git(setup.repo.path, "status", "--porcelain", "--untracked-files=all"
                    ).stdout.splitlines())
    added = after - before
    assert len(added) == 1 and next(iter(added)).startswith("?? .ai-clearance/approvals/apv-")


# ------------------------------------------------------------------------ provable identity
def test_require_signed_commits(setup: Setup, tmp_path: Path) -> None:
    repo = setup.repo
    dev_key = make_key(tmp_path, "dev")
    other_key = make_key(tmp_path, "other")
    repo.write(".ai-clearance.toml", "require_signed_commits = true\n")
    repo.commit("policy", ".ai-clearance.toml")
    setup.record("--author", DEV, "--assistant", "gemini", "--author-key",
                 str(dev_key.with_suffix(".pub")), "--expires", "30d", "--reason", "r")
    base = repo.head()

    def commit_on_branch(branch: str, key: Path | None) -> None:
        repo.git("checkout", "-q", "-b", branch, base)
        repo.write("GEMINI.md", f"{branch}\n")
        repo.git("add", "GEMINI.md")
        args = ["commit", "-q", "--no-verify", "-m", branch]
        if key is not None:
            args = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", *args, "-S"]
        repo.git(*args)
        repo.git("checkout", "-q", "main")

    commit_on_branch("unsigned", None)
    commit_on_branch("signed", dev_key)
    commit_on_branch("wrong-key", other_key)
    unsigned = setup.check("--range", f"{base}..unsigned", "--format", "json")
    assert unsigned.returncode == 1
    assert "not provable" in " ".join(_json(unsigned)["coverage"]["trust"]["notes"])
    assert setup.check("--range", f"{base}..signed").returncode == 0
    assert setup.check("--range", f"{base}..wrong-key").returncode == 1


def test_signing_through_ssh_agent(clean_repo: Repo, tmp_path: Path) -> None:
    key = make_key(tmp_path, "agent-key")
    clean_repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clean_repo.commit("maintainers", ".ai-clearance/maintainers")
    agent = subprocess.run(["ssh-agent", "-s"], text=True, capture_output=True, check=True)
    env = dict(line.split(";")[0].split("=", 1) for line in agent.stdout.splitlines()
               if "=" in line.split(";")[0])
    try:
        subprocess.run(["ssh-add", "-q", str(key)], env={**env, "PATH": "/usr/bin:/bin"},
                       check=True, capture_output=True)
        public_only = tmp_path / "only.pub"
        public_only.write_text(key.with_suffix(".pub").read_text("utf-8"), "utf-8")
        key.unlink()  # the private key now exists only inside the agent
        result = run_cli("approve", "--key", str(public_only), "--signer", MAINTAINER,
                         "--author", DEV, "--assistant", "claude", "--expires", "1d",
                         "--reason", "agent", cwd=clean_repo.path, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert run_cli("approvals", "verify", cwd=clean_repo.path).returncode == 0
    finally:
        subprocess.run(["ssh-agent", "-k"], env=env, capture_output=True, check=False)


def test_override_reads_the_repository_from_the_protected_branch(setup: Setup) -> None:
    """Attack: the branch under review names another repository in its own policy, and the
    maintainer issues a token with that branch checked out in a clone with no origin/HEAD."""
    repo = setup.repo
    repo.git("checkout", "-q", "feature")
    repo.write(".ai-clearance.toml", 'repository_id = "example.com/elsewhere"\n')
    _commit_all(repo, "name another repository")
    args = ("override", "--key", str(setup.key), "--signer", MAINTAINER, "--expires", "7d",
            "--reason", "r", "--range", f"{setup.base}..feature", "--path", "CLAUDE.md")
    unsure = run_cli(*args, cwd=repo.path)
    assert unsure.returncode == 3 and "no trusted base" in unsure.stderr
    made = run_cli(*args, "--trust-ref", "main", cwd=repo.path)
    assert made.returncode == 0, made.stderr
    assert f"for repository {REPOSITORY}," in made.stderr and "elsewhere" not in made.stderr


def test_a_token_for_a_change_does_not_cover_a_whitespace_variant(setup: Setup) -> None:
    """Indentation can change what code does: a token bound to one change's patch id does not
    clear another that differs from it only in whitespace."""
    repo = setup.repo
    repo.git("checkout", "-q", "-b", "p1", setup.base)
    repo.write("a.py", "if x:\n        return 1\n")
    repo.commit(f"Edit\n\n{TRAILER}\n", "a.py")
    token = _override(setup, "--range", f"{setup.base}..p1", "--rule", "AIC401")
    assert setup.check("--range", f"{setup.base}..p1", "--token", token).returncode == 0
    repo.git("checkout", "-q", "-b", "p2", setup.base)
    repo.write("a.py", "if x:\n    return 1\n")
    repo.commit(f"Edit\n\n{TRAILER}\n", "a.py")
    assert setup.check("--range", f"{setup.base}..p2", "--token", token).returncode == 1
