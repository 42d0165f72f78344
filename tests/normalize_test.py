"""Normalization: disguises that must not hide a trace."""

from __future__ import annotations

import pytest

from ai_clearance.normalize import normalize_path, normalize_text, printable


@pytest.mark.parametrize("disguised", [
    "Co-Authored-By",
    "CO-AUTHORED-BY",
    "Co\u200b-Authored\u200d-By",
    "Co\u2011Authored\u2013By",
    "Ｃｏ－Ａｕｔｈｏｒｅｄ－Ｂｙ",
    "Сo-Authored-Вy",
    "Co-Au\u0301thored-By",
    "\u202eCo-Authored-By\u202c",
    "Co-Authored-By\ufeff",
])
def test_disguised_keys_normalize_to_plain(disguised: str) -> None:
    assert normalize_text(disguised) == "co-authored-by"


def test_line_endings_and_odd_spaces() -> None:
    assert normalize_text("a\r\nb\rc") == "a\nb\nc"
    assert normalize_text("a\u00a0\u2003\tb") == "a b"


def test_paths_keep_case_when_asked() -> None:
    assert normalize_path("ＣＬＡＵＤＥ.md", fold=False) == "CLAUDE.md"
    assert normalize_path(".Сlaude/x") == ".claude/x"
    assert normalize_path("plain/Path.md", fold=False) == "plain/Path.md"


def test_printable_escapes_controls_and_invisible_characters() -> None:
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("x\u202ey") == "x\\u202ey"
    assert printable("bad\udcffbyte") == "bad\\udcffbyte"
    assert printable("é") == "é"
    assert printable("y" * 500, limit=10).endswith("...")
