"""The session detector's pieces: executable names, the catalog's session fields, bounds."""

from __future__ import annotations

import pytest

from ai_clearance.catalog.rules import build_catalog, load_catalog
from ai_clearance.clearance.policy import policy_from_text
from ai_clearance.detect.session import (
    MAX_VALUE_CHARS,
    ProcessRecord,
    executable_name,
    findings_for_session,
    first_operand,
    process_names,
)
from ai_clearance.errors import ConfigError


@pytest.mark.parametrize(("text", "name"), [
    ("/usr/local/bin/claude", "claude"),
    ("C:\\Program Files\\Codex\\codex.EXE", "codex"),
    ("gemini.cmd", "gemini"),
    ("Cursor", "cursor"),
    ("claude.js", "claude.js"),
    ("", ""),
])
def test_executable_name(text: str, name: str) -> None:
    assert executable_name(text) == name


def test_first_operand_skips_flags_and_argv0() -> None:
    assert first_operand(["node", "--no-warnings", "-", "/bin/gemini", "x"]) == "/bin/gemini"
    assert first_operand(["node", "--inspect"]) is None
    assert first_operand([]) is None


def test_only_an_interpreter_has_its_script_read() -> None:
    assert ("script", "claude") in process_names(
        ProcessRecord(1, "bash", ("bash", "./claude")))
    assert [n for _, n in process_names(ProcessRecord(1, "git", ("git", "-C", "claude")))] \
        == ["git", "git"]


def test_evidence_names_the_variable_or_the_nearest_process() -> None:
    catalog = load_catalog()
    chain = [ProcessRecord(10, "sh", ("sh", "-c", "git commit")),
             ProcessRecord(20, "claude", ("claude",)), ProcessRecord(30, "claude", ("claude",))]
    [by_process] = findings_for_session(catalog, {}, chain)
    assert by_process.rule == "AIC821" and "ancestor process 20 (2 up)" in by_process.evidence
    [by_env] = findings_for_session(catalog, {"CLAUDECODE": " 1 "}, [])
    assert by_env.evidence == "environment variable CLAUDECODE='1'"


def test_a_huge_value_is_no_marker_and_costs_nothing() -> None:
    value = "codex" + " " * MAX_VALUE_CHARS
    assert findings_for_session(load_catalog(), {"AI_AGENT": value}, []) == []


def _session_rule(extra: str) -> str:
    return ('version = 1\n[kinds]\nsession = "session"\ninstructions = "paths"\n[remedies]\n'
            '[assistants.claude]\n[[rules]]\nid = "AIC801"\nassistants = ["claude"]\n'
            f'severity = "block"\ndescription = "d"\n{extra}')


@pytest.mark.parametrize(("extra", "error"), [
    ('kind = "session"\n', "needs 'env' or 'processes'"),
    ('kind = "session"\nenv = ["1BAD"]\n', "NAME or NAME=VALUE"),
    ('kind = "session"\nenv = ["X= "]\n', "NAME or NAME=VALUE"),
    ('kind = "session"\nprocesses = ["/usr/bin/claude"]\n', "without a folder"),
    ('kind = "instructions"\npaths = ["x"]\nenv = ["X"]\n', "only for 'session' rules"),
])
def test_session_fields_are_validated(extra: str, error: str) -> None:
    from ai_clearance.catalog.rules import parse_toml

    with pytest.raises(ConfigError, match=error):
        build_catalog(parse_toml(_session_rule(extra), "t"), "t")


def test_policy_session_key() -> None:
    catalog = load_catalog()
    assert policy_from_text("", "p", catalog, pyproject=False).session == "block"  # type: ignore[union-attr]
    off = policy_from_text('session = "off"', "p", catalog, pyproject=False)
    assert off is not None and off.session == "off"
    with pytest.raises(ConfigError, match="'session' must be one of block, disclose, off"):
        policy_from_text('session = "warn"', "p", catalog, pyproject=False)
