"""The prepare-commit-msg disclosure hook: which trailers, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_clearance.integrations.hook_disclose import disclosures, main
from ai_clearance.model import Coverage
from ai_clearance.report.model import Report, Reported


def _reported(kind: str, status: str, *assistants: str) -> Reported:
    return Reported(rule="AIC821", assistants=assistants, kind=kind, severity="block",
                    status=status, evidence="e")


def test_only_approved_or_allowed_sessions_are_disclosed_once_each() -> None:
    report = Report(verdict="pass", coverage=Coverage(source="message"), rules={},
                    findings=(_reported("session", "cleared", "claude"),
                              _reported("session", "cleared", "claude"),
                              _reported("session", "allowed", "codex"),
                              _reported("session", "warn", "cursor"),
                              _reported("trailer", "cleared", "gemini")))
    assert disclosures(report) == ["Assisted-by: claude", "Assisted-by: codex"]


def test_a_missing_file_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert capsys.readouterr().err == \
        "ai-clearance: error: ai-clearance-disclose: the commit message file is missing\n"


def test_the_default_policy_leaves_the_message_alone(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """session = "block" (the default): nothing is added, even in an agent's session."""
    message = tmp_path / "MSG"
    message.write_text("Add x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLAUDECODE", "1")
    assert main([str(message)]) == 0
    assert message.read_text("utf-8") == "Add x\n"
