"""The git-ai note parser on its own: the format read exactly, and hostile notes turned into
a one-line reason (never another exception), in time linear in their size."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.detect.attribution import (
    MAX_RECORD_BYTES,
    Agent,
    AgentLines,
    RecordError,
    git_ai_findings,
    parse_git_ai_note,
)
from conftest import clock

SESSION = "s_0123456789abcd"


def _note(attestation: str, **metadata: Any) -> str:
    return attestation + "---\n" + json.dumps({"schema_version": "authorship/3.0.0",
                                               **metadata})


def _sessions(tool: Any = "claude", model: Any = "claude-opus-4-7") -> dict[str, Any]:
    return {SESSION: {"agent_id": {"tool": tool, "id": "c", "model": model}}}


def test_ranges_of_one_agent_in_one_file_are_gathered_in_order() -> None:
    text = _note(f"a.py\n  {SESSION}::t_0123456789abcd 9,1-4\n"
                 f"  {SESSION}::t_abcdef01234567 6-7\n", sessions=_sessions())
    [lines] = parse_git_ai_note(text).lines
    assert lines == AgentLines("a.py", Agent("claude", "claude-opus-4-7"),
                               ((1, 4), (6, 7), (9, 9)))
    assert lines.count == 7


def test_a_quoted_path_loses_only_its_outer_quotes() -> None:
    text = _note(f'"dir/name with space.py"\n  {SESSION} 1\n', sessions=_sessions())
    assert [x.path for x in parse_git_ai_note(text).lines] == ["dir/name with space.py"]


def test_a_session_the_metadata_does_not_describe_is_still_an_agents() -> None:
    [lines] = parse_git_ai_note(_note(f"a.py\n  {SESSION} 1\n")).lines
    assert lines.agent == Agent("unnamed agent")
    [found] = git_ai_findings(load_catalog(), "refs/notes/ai", _note(f"a.py\n  {SESSION} 1\n"))
    assert found.rule == "AIC901" and found.assistants == ("generic",)


def test_names_are_quoted_as_one_printable_line() -> None:
    text = _note(f"a.py\n  {SESSION} 1\n", sessions=_sessions("claude\n\x1b[31mx" + "y" * 200))
    [lines] = parse_git_ai_note(text).lines
    assert lines.agent.tool.isprintable() and len(lines.agent.tool) <= 80


def test_a_model_names_the_assistant_when_the_tool_does_not() -> None:
    text = _note(f"a.py\n  {SESSION} 1\n", sessions=_sessions("my-wrapper", "gpt-5-codex"))
    [found] = git_ai_findings(load_catalog(), "refs/notes/ai", text)
    assert found.assistants == ("codex",)


def test_the_evidence_quotes_a_bounded_number_of_ranges() -> None:
    ranges = ",".join(str(n) for n in range(1, 20001, 2))
    [found] = git_ai_findings(load_catalog(), "refs/notes/ai",
                              _note(f"a.py\n  {SESSION} {ranges}\n", sessions=_sessions()))
    assert "10000 line(s)" in found.evidence and "(9988 more ranges)" in found.evidence
    assert len(found.evidence) < 300


@pytest.mark.parametrize(("text", "reason"), [
    ("", "no '---' line"),
    ("a.py\n  s_0123456789abcd 1\n---\n[1]", "not a JSON object"),
    ("---\n{\"schema_version\": 3}", "schema_version is not"),
    ("---\n{\"schema_version\": \"authorship/3.0.0\", \"sessions\": []}", "'sessions' is not"),
    ("  s_0123456789abcd 1\n---\n{\"schema_version\": \"authorship/3.0.0\"}",
     "before any file"),
    ("a.py\n  s_0123456789abcd 0\n---\n{\"schema_version\": \"authorship/3.0.0\"}",
     "is empty"),
    ("a.py\n  s_0123456789abcd 1-x\n---\n{\"schema_version\": \"authorship/3.0.0\"}",
     "not a line range"),
    ("a.py\n  s_0123456789abcd 99999999999\n---\n{\"schema_version\": \"authorship/3.0.0\"}",
     "not a line range"),
    ("a.py\n  nobody 1\n---\n{\"schema_version\": \"authorship/3.0.0\"}",
     "not a session, prompt or human key"),
    ("---\n" + "{\"a\":" * 50000 + "1" + "}" * 50000, "not JSON"),
    ("x" * (MAX_RECORD_BYTES + 1), "larger than"),
])
def test_a_malformed_note_has_a_one_line_reason(text: str, reason: str) -> None:
    with pytest.raises(RecordError, match=reason) as caught:
        parse_git_ai_note(text)
    assert "\n" not in str(caught.value)
    [found] = git_ai_findings(load_catalog(), "refs/notes/ai", text)
    assert found.rule == "AIC903" and found.severity == "block"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab.\n -,0123456789s_h:t\"{}[]")) |
               st.characters(), max_size=300))
def test_any_text_is_a_record_or_a_reason(text: str) -> None:
    for candidate in (text, _note(text, sessions=_sessions()), text + "\n---\n{}"):
        try:
            lines = parse_git_ai_note(candidate).lines
        except RecordError as exc:
            assert "\n" not in str(exc)
        else:
            assert all(x.ranges and x.ranges[0][0] >= 1 for x in lines)


def _parse_time(size: int) -> float:
    attestation = "".join(f"f{i}.py\n  {SESSION} 1-3,5,8-9\n" for i in range(size))
    text = _note(attestation, sessions=_sessions())
    start = clock()
    assert len(parse_git_ai_note(text).lines) == size
    return clock() - start


def test_time_is_linear_in_the_notes_size() -> None:
    """Eight times the files costs about eight times the time (a ratio, not a limit)."""
    _parse_time(200)  # warm up
    small = min(_parse_time(2000) for _ in range(3))
    large = min(_parse_time(16000) for _ in range(3))
    assert large / small < 8 * 3


def _trace_time(size: int) -> float:
    from ai_clearance.detect.attribution import parse_agent_trace

    record = {"version": "1.0", "id": "r", "tool": {"name": "cursor"}, "files": [
        {"path": "a.py", "conversations": [{"contributor": {"type": "ai"},
                                             "ranges": [{"start_line": 1, "end_line": 2}]}]}]}
    text = "".join(json.dumps({**record, "id": f"r{i}"}) + "\n" for i in range(size))
    start = clock()
    assert len(parse_agent_trace(text)) == size
    return clock() - start


def test_agent_trace_time_is_linear_in_the_files_size() -> None:
    _trace_time(200)  # warm up
    small = min(_trace_time(1000) for _ in range(3))
    large = min(_trace_time(8000) for _ in range(3))
    assert large / small < 8 * 3
