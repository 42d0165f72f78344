"""Normalization: disguises that must not hide a trace."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ai_clearance.detect.normalize import (
    ascii_skeleton,
    normalize_path,
    normalize_text,
    printable,
    spelled_out,
    undisguised,
)
from conftest import clock


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


# Characters whose normalization depends on, or acts on, their neighbours if anything does:
# marks (and U+0345, which case folding alone turns into an iota), Greek with tonos and
# ypogegrammeni, compatibility forms, Hangul jamo, look-alikes and their capitals.
_TRICKY = ("aeiouCLAUDE.md/-\n \u0301\u0308\u0345\u0342\u0313\u0340\u0344\u00a8\u0385"
           "\u0386\u03ac\u1fb3\u1f80\u1fbc\u0390\u03f2\u03f9\u0421\u0441\u0410\u0430\u0451"
           "\u0130\u0131\u017f\u00df\ufb01\u2126\u212a\u1100\u1161\u11a8\uac00\uff21\uff41"
           "\u3131\u1d2c\u1d43\u24b6\u2488\u00bd\u200b\u202e\ufe0f\u1e9e")


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.text(alphabet=_TRICKY, max_size=12),
                 st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)))
def test_the_skeleton_is_the_ascii_of_the_normalized_path(text: str) -> None:
    """The prefilter's skeleton is built character by character; the normalized path is
    not, yet the ASCII characters of the two agree on whole strings."""
    assert ascii_skeleton(text) == normalize_path(text).encode("ascii", "ignore").decode()


def test_look_alike_capitals_keep_their_case_and_fold_like_the_small_letters() -> None:
    assert normalize_path("\u0421LAUDE.md", fold=False) == "CLAUDE.md"
    assert normalize_path("\u03f9LAUDE.md", fold=False) == "CLAUDE.md"
    assert normalize_path("\u03f2laude.md") == "claude.md"
    assert normalize_path("\u0421LAUDE.md") == normalize_path("\u0441laude.md") == "claude.md"


# ------------------------------------------------------------------ disguises undone
@pytest.mark.parametrize(("text", "expected"), [
    ("noreply@anthro=\npic.com", "noreply@anthropic.com"),
    ("noreply@anthro=\r\npic=2Ecom", "noreply@anthropic.com"),
    ("noreply=40anthropic.com", "noreply@anthropic.com"),
    ("%3Cnoreply%40anthropic.com%3E", "<noreply@anthropic.com>"),
    ("%253Cnoreply%2540anthropic.com%253E", "<noreply@anthropic.com>"),
    ("x \u202emoc.ciporhtna@ylperon\u202c y", "x noreply@anthropic.com\u202c y"),
    ("noreply@xn--nthropic-06g.com", "noreply@\u0430nthropic.com"),
    ("noreply@anthropic\u3002com", "noreply@anthropic.com"),
    ("noreply@anthropic\uff61com", "noreply@anthropic.com"),
    ("noreply@anthropic\u00b7com", "noreply@anthropic.com"),
    # RFC 2047 encoded-words, Q and B, alone, in a run (the blanks between them go), with a
    # language (RFC 2231), and with an escape inside that is undone after them.
    ("<=?utf-8?q?noreply=40anthropic=2Ecom?=>", "<noreply@anthropic.com>"),
    ("<=?UTF-8?B?bm9yZXBseUBhbnRocm9waWMuY29t?=>", "<noreply@anthropic.com>"),
    ("=?utf-8?q?noreply?=  =?utf-8?b?QGFudGhyb3BpYy5jb20=?=", "noreply@anthropic.com"),
    ("=?utf-8*en?Q?noreply=40anthropic.com?=", "noreply@anthropic.com"),
    ("=?iso-8859-1?q?noreply=2540anthropic.com?=", "noreply@anthropic.com"),
    ("=?x-unknown?q?noreply=40anthropic.com?=", "noreply@anthropic.com"),
])
def test_disguises_are_undone(text: str, expected: str) -> None:
    assert undisguised(text) == expected
    assert "anthropic.com" in normalize_text(undisguised(text))


@pytest.mark.parametrize(("text", "expected"), [
    ("noreply [at] anthropic [dot] com", "noreply@anthropic.com"),
    ("noreply(AT)anthropic(DOT)com", "noreply@anthropic.com"),
    ("noreply {at} anthropic {dot} com", "noreply@anthropic.com"),
    ("noreply at anthropic dot com", "noreply@anthropic.com"),
    ("noreply at anthropic.com", "noreply@anthropic.com"),
    # Prose: " at " before no domain stays.
    ("a commit at push.", "a commit at push."), ("we met at noon", "we met at noon"),
    ("look at it", "look at it"), ("Meet at 5.30", "Meet at 5.30"),
])
def test_spelled_addresses_are_written_out(text: str, expected: str) -> None:
    assert spelled_out(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("=?utf-8?q?Claude_Code?= <a@b>", "Claude Code <a@b>"),
    ("=?utf-8?b?Q2xhdWRl?= x =?utf-8?q?Code?=", "Claude x Code"),  # words stay apart
    ("=?punycode?q?abc-?=", "abc-"),  # no charset of mail: read as UTF-8, not decoded
    ("=?base64?q?abc?=", "abc"),  # a codec of bytes, not of text
    ("=?utf-8?b?/w==?=", "\ufffd"),  # bytes that are no UTF-8
    ("=?utf-8?q?a", "=?utf-8?q?a"), ("=?utf-8?x?a?=", "=?utf-8?x?a?="),  # no encoded-word
    ("=?utf-8?q?a b?=", "=?utf-8?q?a b?="),  # a blank ends the text: no word
])
def test_encoded_words_are_decoded_once(text: str, expected: str) -> None:
    assert undisguised(text) == expected


@pytest.mark.parametrize("text", [
    "Fix the parser", "We met at noon.", "It adds a Made-with: Cursor commit at push.",
    "x = 5% of y", "a = b", "see xn--", "Meet at 5 pm", "the (data) set", "50%off",
    "Jane <jane@example.com>",
])
def test_text_without_disguises_is_left_alone(text: str) -> None:
    assert undisguised(text) == text


def test_an_idna_label_that_encodes_nothing_stays() -> None:
    assert undisguised("a@xn--999999999999.com") in ("a@xn--999999999999.com",
                                                     "a@" + b"999999999999"
                                                     .decode("punycode", "replace") + ".com")


@pytest.mark.parametrize("shape", [
    lambda n: " " * n + "x", lambda n: "(" * n + "@", lambda n: "[" * n + " at",
    lambda n: "a" + " at a" * (n // 5), lambda n: "%2" * (n // 2), lambda n: "=\n" * (n // 2),
    lambda n: "\u202e" + "ab" * (n // 2), lambda n: "xn--" * (n // 4), lambda n: "a at " * (n // 5),
    lambda n: "a" + " " * n + "at" + " " * n + "b",
    lambda n: "=?utf-8?q?" * (n // 10), lambda n: "=?utf-8?b?" + "QUFB" * (n // 4) + "?=",
    lambda n: "=?a?q?b?= " * (n // 10), lambda n: "=?" + "a" * n + "?q?b?=",
    lambda n: "=?punycode?b?" + "YWFh" * (n // 4) + "?=",
])
def test_undoing_disguises_is_linear(shape: Callable[[int], str]) -> None:
    """Four times the text costs about four times the time, never sixteen."""
    def best(text: str) -> float:
        times = []
        for _ in range(7):  # the best of several, each of a few calls: a busy machine
            start = clock()
            for _ in range(3):
                undisguised(text)
            times.append(clock() - start)
        return min(times)

    # Both above the allocator's mmap threshold, so that fresh pages cost the same per byte.
    small, large = best(shape(200_000)), best(shape(800_000))
    assert large / max(small, 1e-6) < 10


@pytest.mark.parametrize("hidden", ["\U000e0001", "\U000e0020", "\U000e007f", "\U000e0100",
                                    "\U0001d173", "\U0001bca0", "\ufff9", "\u2065",
                                    "\u200b", "\ufeff", "\u115f"])
def test_every_invisible_character_is_dropped_from_an_address(hidden: str) -> None:
    from ai_clearance.catalog.rules import load_catalog
    from ai_clearance.detect.detect import findings_for_message

    address = f"noreply@anth{hidden}ropic.com"
    assert normalize_text(address) == "noreply@anthropic.com"
    found = findings_for_message(load_catalog(), f"Fix\n\nCo-Authored-By: Claude <{address}>\n")
    assert {f.rule for f in found} == {"AIC401"}


def test_format_characters_that_show_are_kept() -> None:
    # Arabic number signs are format characters that are drawn: not a disguise.
    assert normalize_text("\u0600\u06dd1") == "\u0600\u06dd1"
