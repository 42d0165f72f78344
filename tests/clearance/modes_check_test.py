"""Policy `mode`, end to end: real commits with and without a disclosure trailer, by an
approved author and not, checked by `ai-clearance check` in each mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import HUMAN, MAINTAINER, Repo, make_key, run_cli, signer_line

DISCLOSED = "Add settings\n\nAssisted-by: Claude:claude-opus-4 sparse\n"
UNDISCLOSED = "Add memory\n"


def _setup(repo: Repo, tmp_path: Path, mode: str, approved: bool) -> str:
    """main: maintainers, the policy, maybe an approval of Claude Code for the author; then
    one disclosed and one undisclosed commit that each add a Claude Code file. Returns the
    base of those two commits."""
    key = make_key(tmp_path, "maintainer")
    repo.write(".ai-clearance/maintainers", signer_line(MAINTAINER, key))
    repo.write(".ai-clearance.toml", f'mode = "{mode}"\n')
    repo.commit("Policy", ".ai-clearance/maintainers", ".ai-clearance.toml")
    if approved:
        repo.git("config", "user.signingkey", str(key))
        result = run_cli("approve", "--key", str(key), "--signer", MAINTAINER, "--author",
                         HUMAN[1], "--assistant", "claude", "--expires", "90d", "--reason",
                         "Claude Code pilot", cwd=repo.path)
        assert result.returncode == 0, result.stdout + result.stderr
        repo.git("add", ".ai-clearance/approvals")
        repo.git("commit", "-q", "--no-verify", "-m", "Approve Jane for Claude Code")
    base = repo.head()
    repo.commit(DISCLOSED, ".claude/settings.json")
    repo.commit(UNDISCLOSED, "CLAUDE.md")
    return base


def _check(repo: Repo, base: str) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    """The exit code, and the findings of each commit by its subject."""
    result = run_cli("check", "--range", f"{base}..HEAD", "--format", "json", cwd=repo.path)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    subjects = dict(line.split(" ", 1) for line in
                    repo.git("log", "--format=%H %s", f"{base}..HEAD").stdout.splitlines())
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for finding in json.loads(result.stdout)["findings"]:
        by_subject.setdefault(subjects[finding["commit"]], []).append(finding)
    return result.returncode, by_subject


def _statuses(findings: list[dict[str, Any]]) -> set[str]:
    return {f["status"] for f in findings}


# mode, approved: (exit code, statuses of the disclosed commit, of the undisclosed one)
CASES = {
    ("forbid", False): (1, {"fail"}, {"fail"}),
    ("forbid", True): (0, {"cleared"}, {"cleared"}),
    ("approve", False): (1, {"fail"}, {"fail"}),
    ("approve", True): (1, {"cleared"}, {"fail"}),
    ("disclose", False): (1, {"cleared"}, {"fail"}),
    ("disclose", True): (1, {"cleared"}, {"fail"}),
}


@pytest.mark.parametrize("mode, approved", CASES, ids=[f"{m}-{'approved' if a else 'not'}"
                                                       for m, a in CASES])
def test_each_mode_judges_disclosed_and_undisclosed_commits(
        repo: Repo, tmp_path: Path, mode: str, approved: bool) -> None:
    base = _setup(repo, tmp_path, mode, approved)
    code, found = _check(repo, base)
    expected_code, disclosed, undisclosed = CASES[(mode, approved)]
    assert (code, _statuses(found["Add settings"]), _statuses(found["Add memory"])) == \
        (expected_code, disclosed, undisclosed)
    rules = {f["rule"] for f in found["Add settings"]}
    assert {"AIC102", "AIC402"} <= rules  # the file, and the disclosure itself
    if mode != "forbid" and "cleared" in disclosed:
        # The report shows the disclosure with its parsed agent and model.
        for finding in found["Add settings"]:
            assert finding["cleared_by"].endswith(
                "disclosed by Assisted-by: Claude:claude-opus-4 sparse (agent Claude, model "
                "claude-opus-4)")
    if mode != "forbid":
        # The undisclosed commit says which trailer to add.
        assert all("`Assisted-by: claude`" in f["why"] for f in found["Add memory"])


def test_the_commit_msg_hook_passes_a_disclosed_message_in_disclose_mode(
        repo: Repo, tmp_path: Path) -> None:
    _setup(repo, tmp_path, "disclose", approved=False)
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", "utf-8")
    undisclosed = run_cli("check", "--message", str(message), cwd=repo.path)
    assert undisclosed.returncode == 1
    assert "add a trailer such as `Assisted-by: claude`" in undisclosed.stdout
    message.write_text("Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
                       "Assisted-by: Claude:claude-opus-4\n", "utf-8")
    disclosed = run_cli("check", "--message", str(message), cwd=repo.path)
    assert disclosed.returncode == 0, disclosed.stdout + disclosed.stderr
    assert "agent Claude, model claude-opus-4" in disclosed.stdout
    # A disclosure git would strip (a comment line) discloses nothing.
    message.write_text("Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
                       "# Assisted-by: Claude:claude-opus-4\n", "utf-8")
    assert run_cli("check", "--message", str(message), cwd=repo.path).returncode == 1


def test_an_agent_sign_off_fails_approved_and_disclosed(repo: Repo, tmp_path: Path) -> None:
    _setup(repo, tmp_path, "approve", approved=True)
    for mode in ("approve", "disclose"):
        repo.write(".ai-clearance.toml", f'mode = "{mode}"\n')
        repo.commit(f"Mode {mode}", ".ai-clearance.toml", allow_empty=True)
        base = repo.head()
        repo.commit("Fix\n\nAssisted-by: Claude:claude-opus-4\n"
                    "Signed-off-by: Claude <noreply@anthropic.com>\n", allow_empty=True)
        code, found = _check(repo, base)
        by_rule = {f["rule"]: f for f in found["Fix"]}
        assert code == 1 and by_rule["AIC450"]["status"] == "fail", mode
        assert "never signs off" in by_rule["AIC450"]["why"]
        assert by_rule["AIC402"]["status"] == "cleared"  # the disclosure itself passes


# (co-author line, disclosure line, exit code in mode disclose): a disclosure clears the
# traces of the agent it names, and a generic trace that names a model family only with a
# disclosure that names that family too.
NAMED = {
    "Grok, Copilot disclosed": ("Co-authored-by: Grok", "Assisted-by: GitHub Copilot", 1),
    "Qwen Code, Copilot disclosed": ("Co-authored-by: Qwen Code <noreply@qwen.ai>",
                                     "Assisted-by: GitHub Copilot", 1),
    "DeepSeek, generic AI disclosed": (
        "Co-authored-by: DeepSeek-V3.2 <api-service@deepseek.com>", "Assisted-by: AI", 1),
    "DeepSeek, Grok disclosed": ("Co-authored-by: DeepSeek-V3.2", "Assisted-by: Grok", 1),
    "Claude, AI disclosed": ("Co-authored-by: Claude", "Assisted-by: AI", 1),
    "Grok, Grok disclosed": ("Co-authored-by: Grok", "Assisted-by: Grok:grok-4", 0),
    "Qwen Code, Qwen Code disclosed": ("Co-authored-by: Qwen Code <noreply@qwen.ai>",
                                       "Assisted-by: Qwen Code", 0),
    "DeepSeek, OpenCode running it disclosed": (
        "Co-authored-by: DeepSeek-V3.2 <api-service@deepseek.com>",
        "Assisted-by: OpenCode:deepseek-chat", 0),
    "DeepSeek, the trailer the report asks for": ("Co-authored-by: DeepSeek-V3.2",
                                                  "Assisted-by: deepseek", 0),
    "AI assistant, Claude disclosed": ("Co-authored-by: AI assistant",
                                       "Assisted-by: Claude:claude-opus-4", 0),
    "Claude, its site disclosed": ("Co-authored-by: Claude", "Assisted-by: claude.ai", 0),
    "ChatGPT, its web address disclosed": ("Co-authored-by: ChatGPT",
                                           "Assisted-by: https://chatgpt.com", 0),
    "Claude, its vendor disclosed": ("Co-authored-by: Claude", "Assisted-by: Anthropic", 0),
    "Claude, a person's own site disclosed": ("Co-authored-by: Claude",
                                              "Assisted-by: claude.dupont.fr", 1),
    "Claude, a local host named claude disclosed": ("Co-authored-by: Claude",
                                                    "Assisted-by: http://claude.localhost", 1),
    "Codex, its vendor disclosed (its only catalog assistant)": (
        "Co-authored-by: Codex <codex@openai.com>", "Assisted-by: OpenAI", 0),
    "Gemini, a vendor of several disclosed": ("Co-authored-by: Gemini",
                                              "Assisted-by: Google", 1),
    "Claude, a person named Claude disclosed": ("Co-authored-by: Claude",
                                                "Assisted-by: Claude Monet", 1),
    "a person named Claude, nothing disclosed": (
        "Co-authored-by: Claude Dubois <claude.dubois@example.com>", "Reviewed-by: Jo", 0),
}


@pytest.mark.parametrize("case", NAMED)
def test_a_disclosure_clears_only_the_agent_it_names(repo: Repo, case: str) -> None:
    coauthor, disclosure, expected = NAMED[case]
    repo.write(".ai-clearance.toml", 'mode = "disclose"\nsession = "off"\n')
    repo.commit("Policy", ".ai-clearance.toml")
    base = repo.head()
    repo.commit(f"Add parser\n\n{coauthor}\n{disclosure}\n", "parser.py")
    code, found = _check(repo, base)
    assert code == expected, found
    statuses = {f["rule"]: f["status"] for f in found.get("Add parser", [])}
    if expected == 1:
        assert statuses["AIC452"] == "fail", statuses
        why = next(f["why"] for f in found["Add parser"] if f["rule"] == "AIC452")
        assert "does not disclose" in why
        if "DeepSeek" in coauthor:  # the trailer it asks for names the model family
            assert "does not disclose deepseek" in why and "`Assisted-by: deepseek`" in why
    elif "AIC452" in statuses:
        assert statuses["AIC452"] == "cleared"
