"""Message parsing: which lines can carry a trace."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ai_clearance.messages import message_lines, split_identity, trailers
from ai_clearance.normalize import normalize_text


def test_subject_and_trailers() -> None:
    lines = message_lines("Subject: not a trailer\n\nBody\n\nKey: value\nOther-Key: v2\n")
    assert lines[0].is_subject
    assert [(t.key, t.value) for t in trailers(lines)] == [("key", "value"), ("other-key", "v2")]


def test_fences_quotes_and_indented_blocks_are_skipped() -> None:
    text = "S\n\n```\nA: 1\n```\n> B: 2\n    C: 3\n\tD: 4\nE: 5\n"
    assert [t.key for t in trailers(message_lines(text))] == ["e"]


def test_folded_trailer_is_joined_and_keeps_its_line_number() -> None:
    lines = message_lines("S\n\nCo-authored-by: Claude\n  <noreply@anthropic.com>\n")
    (trailer,) = trailers(lines)
    assert trailer.value == "claude <noreply@anthropic.com>"
    assert trailer.line.number == 3


def test_split_identity() -> None:
    assert split_identity("Jane <j@x.org>") == ("Jane", "j@x.org")
    assert split_identity("j@x.org") == ("", "j@x.org")
    assert split_identity("just words") is None


def test_key_spelling_variants() -> None:
    (t,) = trailers(message_lines("S\n\nCo_Authored by : X <x@y.z>\n"))
    assert t.key == "co-authored-by"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="ascii", exclude_characters="\n\r"),
                        max_size=40), max_size=8))
def test_ascii_messages_normalize_line_by_line(raw_lines: list[str]) -> None:
    """An ASCII message is normalized in one call; each kept line is what normalizing its
    own line gives (lines after a trailer may be folded into it, so check the others)."""
    lines = message_lines("\n".join(raw_lines))
    for line in lines:
        raw = raw_lines[line.number - 1]
        if line.raw == raw.strip():
            assert line.text == normalize_text(raw).strip()
