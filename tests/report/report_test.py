"""Reports are written piece by piece: a history with thousands of findings is never held
as one text. Every piece must still add up to the one document the schema describes."""
# (JSON goes out in batches of 64 KiB: an unbuffered stdout then costs a write per batch.)

from __future__ import annotations

import io
import json

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.model import Coverage, Decision, Finding, Identity
from ai_clearance.report.model import build_report
from ai_clearance.report.render import report_json, write_json, write_text


class _Pieces(io.StringIO):
    """A text stream that also keeps each write apart."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []

    def write(self, text: str) -> int:
        self.pieces.append(text)
        return super().write(text)

    @property
    def text(self) -> str:
        return self.getvalue()


def _decisions(count: int) -> list[Decision]:
    author = Identity("Dev", "dev@example.com")
    return [Decision(Finding(rule="AIC101", assistants=("claude",), kind="file",
                             severity="block", evidence=f"dir{i}/CLAUDE.md",
                             commit=f"{i:040x}", author=author, path=f"dir{i}/CLAUDE.md"),
                     "fail" if i % 3 else "cleared", None if i % 3 else "approval a-1")
            for i in range(count)]


def test_json_report_is_written_in_pieces_and_parses_as_one_document() -> None:
    decisions = _decisions(2000)
    coverage = Coverage(source="history", commits_scanned=2000)
    report = build_report(decisions, coverage, "fail", None, load_catalog())
    out = _Pieces()
    write_json(out, report)
    document = json.loads(out.text)
    assert document == json.loads(json.dumps(report_json(report)))
    assert len(document["findings"]) == 2000
    assert out.text == json.dumps(report_json(report), indent=2) + "\n"
    # Each piece is one batch, a small part of the whole, and there are only a few of them.
    assert max(len(piece) for piece in out.pieces) < (1 << 16) + 4096 < len(out.text) // 10
    assert len(out.pieces) <= len(out.text) // (1 << 16) + 2


def test_text_report_is_written_line_by_line() -> None:
    decisions = _decisions(300)
    coverage = Coverage(source="history", commits_scanned=300)
    out = _Pieces()
    write_text(out, build_report(decisions, coverage, "fail", None, load_catalog()))
    assert all(piece.endswith("\n") and piece.count("\n") == 1 for piece in out.pieces)
    lines = out.text.splitlines()
    assert lines[0] == "Unapproved traces:"
    assert sum(1 for line in lines if line.strip().startswith("AIC101 ")) == 300
    assert lines[-1].startswith("ai-clearance: FAIL: 200 unapproved, 0 warnings, 100 cleared.")
