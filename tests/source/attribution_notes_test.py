"""git-ai authorship notes (refs/notes/ai) in real repositories: a check reports, per commit
of its range, which agent and model wrote which lines of which files; an approval scoped to
paths clears only the agent lines under them; stored conversations are leaks; a note that
cannot be read fails the check with a finding, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.git import gitio
from ai_clearance.model import Coverage
from ai_clearance.source.scan import notes_update_findings
from conftest import HUMAN, MAINTAINER, Repo, make_key, run_cli, signer_line

SESSION = "s_0123456789abcd"
LEGACY = "0123456789abcdef"
HUMAN_KEY = "h_0123456789abcd"


def _note_text(attestation: str, **metadata: Any) -> str:
    return attestation + "---\n" + json.dumps(
        {"schema_version": "authorship/3.0.0", "base_commit_sha": "0" * 40, **metadata},
        indent=2)


def _sessions(tool: str = "claude", model: str = "claude-opus-4-7") -> dict[str, Any]:
    return {SESSION: {"agent_id": {"tool": tool, "id": "conv-1", "model": model},
                      "human_author": f"{HUMAN[0]} <{HUMAN[1]}>"}}


TWO_FILES = _note_text(
    f"src/app.py\n  {SESSION}::t_0123456789abcd 1-4,9\n  {HUMAN_KEY} 5-8\n"
    f"model/train.py\n  {SESSION}::t_abcdef01234567 2\n",
    sessions=_sessions(), humans={HUMAN_KEY: {"author": f"{HUMAN[0]} <{HUMAN[1]}>"}})


def _ai_note(repo: Repo, commit: str, text: str, ref: str = "ai") -> None:
    source = repo.path.parent / "note.txt"
    source.write_text(text, encoding="utf-8")
    repo.git("notes", f"--ref={ref}", "add", "-f", "-F", str(source), commit)


def _check(repo: Repo, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("check", *args, "--format", "json", cwd=repo.path)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return result.returncode, [f for f in findings if f["rule"].startswith("AIC9")]


def _commit_two_files(repo: Repo) -> str:
    repo.write("src/app.py", "".join(f"line {i}\n" for i in range(1, 10)))
    repo.write("model/train.py", "a\nb\n")
    return repo.commit("Train", "src/app.py", "model/train.py")


def test_history_reports_agent_model_files_and_lines(clean_repo: Repo) -> None:
    noted = _commit_two_files(clean_repo)
    _ai_note(clean_repo, noted, TWO_FILES)
    code, findings = _check(clean_repo, "--history")
    assert code == 1
    by_path = {f["path"]: f for f in findings}
    assert set(by_path) == {"src/app.py", "model/train.py"}
    app = by_path["src/app.py"]
    assert app["rule"] == "AIC901" and app["status"] == "fail"
    assert app["commit"] == noted and app["line"] == 1
    assert app["author"] == f"{HUMAN[0]} <{HUMAN[1]}>"
    assert app["assistants"] == ["claude"]
    # The human's lines 5-8 are not the agent's.
    assert app["evidence"] == \
        "refs/notes/ai: claude (claude-opus-4-7) wrote 5 line(s) of src/app.py: 1-4,9"
    assert by_path["model/train.py"]["line"] == 2


def test_a_range_reads_only_the_notes_of_its_commits(clean_repo: Repo) -> None:
    old = _commit_two_files(clean_repo)
    _ai_note(clean_repo, old, TWO_FILES)
    new = clean_repo.commit("Docs", "docs.md")
    assert _check(clean_repo, "--range", f"{old}..{new}") == (0, [])
    _ai_note(clean_repo, new, _note_text(f"docs.md\n  {LEGACY} 1\n", prompts={
        LEGACY: {"agent_id": {"tool": "cursor", "id": "x", "model": "gpt-5"}}}))
    code, findings = _check(clean_repo, "--range", f"{old}..{new}")
    assert code == 1
    assert [(f["commit"], f["path"], f["assistants"]) for f in findings] == \
        [(new, "docs.md", ["cursor"])]


def test_a_human_only_note_and_another_tools_note_are_no_attribution(clean_repo: Repo) -> None:
    noted = clean_repo.commit("Fix", "a.py")
    _ai_note(clean_repo, noted, _note_text(f"a.py\n  {HUMAN_KEY} 1\n", humans={
        HUMAN_KEY: {"author": "Claude Dubois <claude.dubois@example.com>"}}))
    _ai_note(clean_repo, noted, "Reviewed: looks fine\n---\n{}", ref="review")
    _, findings = _check(clean_repo, "--history")
    assert findings == []


def test_a_git_ai_note_on_another_ref_is_read_by_its_schema(clean_repo: Repo) -> None:
    noted = clean_repo.commit("Fix", "a.py")
    _ai_note(clean_repo, noted, _note_text(f"a.py\n  {SESSION} 1\n", sessions=_sessions(
        tool="codex", model="gpt-5-codex")), ref="mirror")
    code, findings = _check(clean_repo, "--history")
    assert code == 1
    assert [(f["rule"], f["assistants"], f["path"]) for f in findings] == \
        [("AIC901", ["codex"], "a.py")]


@pytest.mark.parametrize(("text", "reason"), [
    ("a.py\n  s_0123456789abcd 1\n", "no '---' line"),
    ("a.py\n  s_0123456789abcd 3-1\n---\n{\"schema_version\": \"authorship/3.0.0\"}",
     "range 3-1 is empty"),
    ("---\n{\"schema_version\": \"authorship/9.0.0\"}", "schema_version is not"),
    ("---\n" + "[" * 100000 + "]" * 100000, "not JSON"),
])
def test_a_note_that_cannot_be_read_fails_closed(clean_repo: Repo, text: str,
                                                 reason: str) -> None:
    noted = clean_repo.commit("Fix", "a.py")
    _ai_note(clean_repo, noted, text)
    code, findings = _check(clean_repo, "--history")
    assert code == 1
    [found] = findings
    assert found["rule"] == "AIC903" and found["commit"] == noted
    assert reason in found["evidence"]


def test_a_stored_conversation_is_a_leak(clean_repo: Repo) -> None:
    noted = clean_repo.commit("Fix", "a.py")
    _ai_note(clean_repo, noted, _note_text(f"a.py\n  {LEGACY} 1\n", prompts={LEGACY: {
        "agent_id": {"tool": "cursor", "id": "x", "model": "gpt-5"},
        "messages": [{"type": "user", "text": "the secret plan"}],
        "messages_url": "https://example.com/conversations/1"}}))
    code, findings = _check(clean_repo, "--history")
    assert code == 1
    leaks = [f for f in findings if f["rule"] == "AIC902"]
    assert [f["severity"] for f in leaks] == ["leak", "leak"]
    assert all("secret plan" not in f["evidence"] for f in leaks)  # never quoted


def test_a_pushed_notes_ref_is_read_for_attribution(clean_repo: Repo) -> None:
    """The server-side path: the notes a push of refs/notes/ai adds."""
    noted = _commit_two_files(clean_repo)
    _ai_note(clean_repo, noted, TWO_FILES)
    here = gitio.discover(str(clean_repo.path))
    tip = clean_repo.git("rev-parse", "refs/notes/ai").stdout.strip()
    found = notes_update_findings(here, load_catalog(), "refs/notes/ai", None, tip,
                                  Coverage("push"), frozenset())
    attributed = sorted((f.rule, f.path, f.commit) for f in found if f.rule == "AIC901")
    assert attributed == [("AIC901", "model/train.py", noted), ("AIC901", "src/app.py", noted)]


# ------------------------------------------------------------- approvals scoped to paths
@pytest.fixture
def trusted(clean_repo: Repo, tmp_path: Path) -> tuple[Repo, Path]:
    key = make_key(tmp_path, "maintainer")
    clean_repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    clean_repo.write(".ai-clearance.toml", 'repository_id = "example.com/widgets"\n')
    clean_repo.commit("maintainers", ".ai-clearance/maintainers", ".ai-clearance.toml")
    return clean_repo, key


def _approve(repo: Repo, key: Path, *args: str) -> None:
    result = run_cli("approve", "--key", str(key), "--signer", MAINTAINER, "--author", HUMAN[1],
                     "--assistant", "claude", "--expires", "90d", "--reason", "pilot", *args,
                     cwd=repo.path)
    assert result.returncode == 0, result.stdout + result.stderr
    repo.git("add", ".ai-clearance/approvals")
    repo.git("commit", "-q", "--no-verify", "-m", "approval")


def test_an_approval_scoped_to_paths_clears_only_the_agent_lines_under_them(
        trusted: tuple[Repo, Path]) -> None:
    """Policy "no agent lines under model/**": approved for src/** only, the agent's line
    in model/train.py still fails the check; the lines in src/app.py are cleared."""
    repo, key = trusted
    base = repo.head()
    repo.git("checkout", "-q", "-b", "feature")
    noted = _commit_two_files(repo)
    _ai_note(repo, noted, TWO_FILES)
    repo.git("checkout", "-q", "main")
    _approve(repo, key, "--path", "src/**")
    result = run_cli("check", "--range", f"{base}..{noted}", "--trust-ref", "main",
                     "--format", "json", cwd=repo.path)
    assert result.returncode == 1, result.stderr
    status = {f["path"]: f["status"] for f in json.loads(result.stdout)["findings"]
              if f["rule"] == "AIC901"}
    assert status == {"src/app.py": "cleared", "model/train.py": "fail"}
