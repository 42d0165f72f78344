"""Agent Trace records (.agent-trace/traces.jsonl) in real repositories: a record is placed
on the commit made on its revision, so a range reports the records of its own commits (not
the ones the file already held), a staged check those made on HEAD; a file that cannot be
read fails the check."""

from __future__ import annotations

import json
from typing import Any

from conftest import Repo, run_cli

TRACES = ".agent-trace/traces.jsonl"
BOT = ("Pat Coder", "pat@example.com")


def _record(number: int, revision: str | None, path: str, kind: str = "ai",
            model: str = "anthropic/claude-opus-4-5") -> str:
    record: dict[str, Any] = {
        "version": "1.0", "id": f"{number:08d}-1111-4111-8111-111111111111",
        "timestamp": "2026-01-01T00:00:00Z", "tool": {"name": "claude-code"},
        "files": [{"path": path, "conversations": [{
            "url": "file:///home/pat/.claude/projects/p/s.jsonl",
            "contributor": {"type": kind, "model_id": model},
            "ranges": [{"start_line": 2, "end_line": 3}]}]}]}
    if revision is not None:
        record["vcs"] = {"type": "git", "revision": revision}
    return json.dumps(record) + "\n"


def _append(repo: Repo, text: str) -> None:
    target = repo.path / TRACES
    old = target.read_text("utf-8") if target.exists() else ""
    repo.write(TRACES, old + text)


def _attributed(repo: Repo, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("check", *args, "--format", "json", cwd=repo.path)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    return result.returncode, [f for f in findings if f["rule"] in ("AIC911", "AIC903")]


def test_a_range_reports_the_records_of_its_own_commits(clean_repo: Repo) -> None:
    first = clean_repo.head()
    _append(clean_repo, _record(1, first, "old.py"))
    old = clean_repo.commit("Old work", TRACES, "old.py")
    _append(clean_repo, _record(2, old, "src/app.py"))
    new = clean_repo.commit("New work", TRACES, "src/app.py", author=BOT)
    code, findings = _attributed(clean_repo, "--range", f"{old}..{new}")
    assert code == 1
    [found] = findings  # record 1 is of the commit before the range
    assert (found["commit"], found["path"], found["line"]) == (new, "src/app.py", 2)
    assert found["author"] == f"{BOT[0]} <{BOT[1]}>"
    assert found["assistants"] == ["claude"]
    assert "claude-code (anthropic/claude-opus-4-5) wrote 2 line(s) of src/app.py: 2-3" in \
        found["evidence"]
    # The whole history: each record once, on the commit made on its revision.
    code, findings = _attributed(clean_repo, "--history")
    assert sorted((f["commit"], f["path"]) for f in findings) == \
        sorted([(old, "old.py"), (new, "src/app.py")])


def test_a_human_record_is_no_finding(clean_repo: Repo) -> None:
    _append(clean_repo, _record(1, clean_repo.head(), "a.py", kind="human"))
    new = clean_repo.commit("Work", TRACES, "a.py")
    code, findings = _attributed(clean_repo, "--range", f"{new}~1..{new}")
    assert findings == []
    assert code == 1  # the trace file itself is still a leak (AIC211) by its path


def test_staged_records_made_on_head_are_the_commits_being_made(clean_repo: Repo) -> None:
    head = clean_repo.head()
    _append(clean_repo, _record(1, "f" * 40, "elsewhere.py") + _record(2, head, "src/app.py"))
    clean_repo.write("src/app.py", "a\nb\nc\n")
    clean_repo.git("add", TRACES, "src/app.py")
    code, findings = _attributed(clean_repo, "--staged")
    assert code == 1
    assert [(f["path"], f["commit"]) for f in findings] == [("src/app.py", None)]


def test_a_trace_file_that_cannot_be_read_fails_the_check(clean_repo: Repo) -> None:
    _append(clean_repo, _record(1, clean_repo.head(), "a.py") + "{not json\n")
    new = clean_repo.commit("Work", TRACES)
    code, findings = _attributed(clean_repo, "--range", f"{new}~1..{new}")
    assert code == 1
    [found] = findings
    assert found["rule"] == "AIC903" and found["path"] == TRACES
    assert "record on line 2" in found["evidence"]
