"""Message parsing: which lines can carry a trace, read at least as git reads them, in
linear time."""

from __future__ import annotations

import re
import subprocess
from collections import Counter

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.detect.detect import findings_for_message
from ai_clearance.detect.messages import (
    address_forms,
    addresses,
    git_trailer_lines,
    key_screen,
    message_lines,
    quoted_spans,
    split_identity,
    squashed_key,
    trailers,
)
from ai_clearance.detect.normalize import normalize_text
from conftest import best_seconds


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
    found = trailers(message_lines("S\n\nCo_Authored by : X <x@y.z>\n"))
    assert found[0].key == "co-authored-by" and found[0].value == "x <x@y.z>"


@pytest.mark.parametrize("line", [
    "Co.Authored.By: X <x@y.z>", "co_authored_by: X <x@y.z>", "Co Authored By: X <x@y.z>",
    "Co/Authored/By: X <x@y.z>", "**Co-Authored-By**: X <x@y.z>", "-Co-Authored-By: X <x@y.z>",
    "Co\u00b7Authored\u00b7By: X <x@y.z>", "Co-Authored-By = X <x@y.z>", "Co-Authored-By=X <x@y.z>",
    "Co-Authored-By # X <x@y.z>", "Co-Authored-By - X <x@y.z>", "Co-Authored-By -- X <x@y.z>",
    "Co-Authored-By \u2014 X <x@y.z>", "Co - Authored - By: X <x@y.z>",
])
def test_disguised_keys_and_separators_read_as_one_key(line: str) -> None:
    """Any run of punctuation or blanks between a key's words folds to one dash; `=`, `#`
    (git's `trailer.separators`) and a dash between blanks separate as a colon does."""
    trailer = trailers(message_lines(f"S\n\n{line}\n"))[0]  # (`By:` alone is one more)
    assert (trailer.key, trailer.value, trailer.start) == ("co-authored-by", "x <x@y.z>", 0)


def test_keys_stop_at_quotes_and_prose_holds_none() -> None:
    (line,) = message_lines('Revert "Add Co.Authored.By: Claude <c@x.org>"')
    # Only the key inside the quotation, which the title check excuses; none from the start.
    assert [t.start for t in trailers([line], subject_too=True)] == [line.text.index("co.")]
    assert trailers(message_lines("S\n\nCo-authored by the team\nWritten by hand\n")) == []
    # A bare `e.g.:` introduces code: its indented block stays hidden; a trailer's value
    # takes the indented line after it, whatever its key's spelling.
    assert [ln.text for ln in message_lines("S\n\ne.g.:\n    A: <c@x.org>\n")] == \
        ["s", "e.g.:"]
    assert [ln.text for ln in message_lines("S\n\nCo.Authored.By = C\n    <c@x.org>\n")] == \
        ["s", "co.authored.by = c <c@x.org>"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="madewithaiprompt1 .-_*:=#\n", max_size=40))
def test_the_key_screen_misses_no_trailer(text: str) -> None:
    """Wherever a trailer with one of the keys is read, the screen finds something."""
    keys = ["made-with", "ai-prompt-*"]
    screen = key_screen(keys)
    assert screen is not None
    found = [t for t in trailers(message_lines(text), subject_too=True)
             if squashed_key(t.key) == "madewith"
             or (squashed_key(t.key).rstrip("0123456789") == "aiprompt"
                 and squashed_key(t.key) != "aiprompt")]
    assert not found or screen.search(normalize_text(text)), found


def test_the_key_screen_skips_words_that_only_look_alike() -> None:
    screen = key_screen(["made-with", "ai-prompt-*"])
    assert screen is not None
    for text in ("made.with = cursor", "**made-with**: x", "ai.prompt.12 - x", "x made_with# y"):
        assert screen.search(text), text
    for text in ("made with love", "ai-prompting-guide: x", "homemade-with: x", "made-withx:"):
        assert not screen.search(text), text
    assert key_screen([]) is None


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


def test_an_unclosed_fence_is_an_ordinary_line() -> None:
    lines = message_lines("fix\n\n```\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n")
    assert [t.key for t in trailers(lines)] == ["co-authored-by"]
    closed = message_lines("fix\n\n```\nA: 1\n~~~\n```\n\nB: 2\n```\nC: 3\n")
    assert [t.key for t in trailers(closed)] == ["b", "c"]


def test_a_trailer_git_reads_inside_a_fence_is_read() -> None:
    """git knows no fences: a fenced paragraph at the end that git takes for the trailer
    block (here thanks to a Signed-off-by) is read; the same lines mid-message are not."""
    block = "```\nSigned-off-by: Jane <j@example.com>\nCo-Authored-By: Claude <c@x.org>\n```\n"
    assert [t.key for t in trailers(message_lines(f"fix\n\n{block}"))] == \
        ["signed-off-by", "co-authored-by"]
    assert trailers(message_lines(f"fix\n\n{block}\nMore words.\n")) == []


def test_git_trailer_lines_follow_git() -> None:
    def lines_of(message: str) -> list[int]:
        return sorted(git_trailer_lines(message.split("\n")))

    assert lines_of("fix\n\nKey: a\n  more\nOther: b\n") == [2, 3, 4]
    assert lines_of("fix\n\nKey: a\nnot a trailer\n") == []  # half of it is not
    assert lines_of("fix\n\nSigned-off-by: a\nx\ny\nz\n") == [2]  # git's own trailer
    assert lines_of("fix\n\nKey: a\n---\nOther: b\n") == [2]  # a patch follows ---
    assert lines_of("fix\n\nKey: a\n# comment\n\n") == [2]
    assert lines_of("Key: a\n") == []  # the title is never trailers


def test_inline_trailers_take_the_value_up_to_the_next_key() -> None:
    (line,) = message_lines("Add 🤖 Generated with x  Co-Authored-By: C <c@x.org> Made-with: x")
    assert [(t.key, t.value) for t in trailers([line], subject_too=True)] == \
        [("co-authored-by", "c <c@x.org>"), ("made-with", "x")]
    # Not a URL's scheme, nor the kernel's `Agent:model`.
    (line,) = message_lines("S\n\nAssisted-by: Claude:opus https://claude.ai/x\n")[1:]
    assert [(t.key, t.value) for t in trailers([line])] == \
        [("assisted-by", "claude:opus https://claude.ai/x")]


def test_addresses_and_their_disguises() -> None:
    text = "jane <jane@x.org> < noreply @ anthropic.com > claude noreply%40anthropic.com"
    assert addresses(text)[:2] == [("jane", "jane@x.org"), ("", "noreply@anthropic.com")]
    assert ("", "noreply%40anthropic.com") in addresses(text)
    assert address_forms("mailto:noreply+ci@anthropic.com.") == \
        ["noreply+ci@anthropic.com", "noreply@anthropic.com"]
    assert address_forms("noreply%40anthropic%2ecom") == ["noreply@anthropic.com"]
    assert address_forms("1+copilot@users.noreply.github.com") == \
        ["1+copilot@users.noreply.github.com"]


@pytest.mark.parametrize("value", [
    "claude \u2039noreply@anthropic.com\u203a", "claude \u00abnoreply@anthropic.com\u00bb",
    "claude \u3008noreply@anthropic.com\u3009", "claude \u27e8noreply@anthropic.com\u27e9",
    "claude &lt;noreply@anthropic.com&gt;", "claude &#60;noreply@anthropic.com&#62;",
    "claude &amp;lt;noreply&amp;#64;anthropic.com&amp;gt;",
    "claude <noreply&#64;anthropic.com>", "claude <noreply&#x40;anthropic.com>",
    "claude <noreply&commat;anthropic.com>", "claude <noreply=40anthropic=2ecom>",
    "claude =3cnoreply=40anthropic.com=3e", "[claude](mailto:noreply@anthropic.com)",
    "[claude](noreply@anthropic.com)",
])
def test_disguised_brackets_and_at_signs_are_undone(value: str) -> None:
    """Entities, quoted-printable, look-alike brackets and markdown links around or in an
    address: the address and the name before it come out as if written plainly."""
    assert ("claude", "noreply@anthropic.com") in addresses(value)


@pytest.mark.parametrize("address", [
    '"noreply"@anthropic.com', "noreply(x)@anthropic.com", "noreply@(x)anthropic.com",
    "(a(b))noreply@anthropic.com(c)", "noreply\\@anthropic.com", "n\\o\\reply@anthropic.com",
    "noreply&#64;anthropic.com", "noreply=40anthropic.com", '&quot;noreply&quot;@anthropic.com',
    "(noreply@anthropic.com)",
])
def test_rfc5322_quotes_comments_and_escapes_are_undone(address: str) -> None:
    assert "noreply@anthropic.com" in address_forms(address)


def test_undoing_disguises_keeps_other_addresses_apart() -> None:
    assert address_forms("jane@example.com") == ["jane@example.com"]
    assert "noreply@anthropic.com" not in address_forms("noreply(@anthropic.com")
    assert address_forms("a(b@c.d") == ["a(b@c.d"]  # an unclosed comment is kept
    assert addresses("jane <jane@example.com>") == [("jane", "jane@example.com")] * 1 + \
        [("", "jane@example.com")]
    assert addresses("fix the &amp; in the docs") == []


# --------------------------------------------------- differential: git interpret-trailers
_AGENT_LINES = [
    "Co-Authored-By: Claude <noreply@anthropic.com>", "Signed-off-by: Codex <codex@openai.com>",
    "Reviewed-by: Claude <noreply@anthropic.com>", "Coauthored-by:Claude <noreply@anthropic.com>",
    "Co-Authored-By :Cursor Agent <cursoragent@cursor.com>", "Made-with: Cursor",
    "Assisted-by: Claude Opus 4.6", "Claude-Session: https://claude.ai/code/session_01",
    "Co-authored-by: Jane <jane@example.com>", "Signed-off-by: Jane <jane@example.com>",
    "Co-authored-by: Jane <jane@example.com> <noreply@anthropic.com>", "Key: value",
    "Co-Authored-By: Claude", "-x: y", "Cc: a <noreply%40anthropic.com>",
    'Co-Authored-By: "Claude <noreply@anthropic.com>"', "Made-with: 'Cursor'",
    'Co-authored-by: "Claude" <noreply@anthropic.com>',
]
_OTHER_LINES = [
    "```", "~~~", "   ```", "```python", "~~~~", "> Co-Authored-By: Claude <noreply@anthropic.com>",
    "> quoted", "    Co-Authored-By: Claude <noreply@anthropic.com>", "\tindented",
    " <noreply@anthropic.com>", "  Claude <noreply@anthropic.com>", "", "", " ", "\t",
    "# comment", "# Co-Authored-By: Claude <noreply@anthropic.com>", "---", "--- a/file",
    "Conflicts:", "\tpath.c", "(cherry picked from commit abc)", "Fix the parser", "see: it",
    "# ------------------------ >8 ------------------------", "🤖 Generated with [Claude Code](x)",
]
_LINES = st.one_of(st.sampled_from(_AGENT_LINES), st.sampled_from(_OTHER_LINES),
                   st.text(alphabet="ab :-<>@`~#>\t\r", max_size=12))
# git 2.39 loops forever on a `---` divider followed by a scissors line (a bug of its own).
_DIVIDER_THEN_SCISSORS = re.compile(r"(?m)^---(?:[ \t\r\n]|$)[\s\S]*^# -{24} >8 -{24}$")


def _git_trailers(message: str, separators: str = ":") -> list[str] | None:
    try:
        out = subprocess.run(["git", "-c", f"trailer.separators={separators}",
                              "interpret-trailers", "--parse"], capture_output=True,
                             input=message.encode(), timeout=10, check=True).stdout
    except subprocess.TimeoutExpired:  # pragma: no cover - a git that hangs on this input
        return None
    return [line for line in out.decode().split("\n") if line]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Fix it", "Co-Authored-By: Claude <noreply@anthropic.com>", "# c", "",
                        'Revert "Co-Authored-By: Claude <noreply@anthropic.com>"', "'x", '"']),
       st.lists(_LINES, max_size=10), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_every_agent_trailer_git_reads_is_reported(subject: str, body: list[str],
                                                   newline: str, final: bool) -> None:
    """Whatever surrounds them (fences, quotes, indents, comments, dividers, folds), the
    message's findings include one for each trailer `git interpret-trailers --parse`
    extracts that names an agent (judged by the same detector, on that trailer alone)."""
    message = newline.join([subject, *body]) + (newline if final else "")
    assume(not _DIVIDER_THEN_SCISSORS.search(message))
    parsed = _git_trailers(message)
    assume(parsed is not None)
    assert parsed is not None
    _assert_reported(message, parsed)


def _assert_reported(message: str, parsed: list[str]) -> None:
    """Every agent trailer among those git parsed (each judged alone) is in the message's
    findings."""
    catalog = load_catalog()
    trailer_rules = {r.id for r in catalog.rules_for("message") if r.kind == "trailer"}
    expected: Counter[str] = Counter()
    for line in parsed:
        expected.update({f.rule for f in findings_for_message(catalog, f"x\n\n{line}\n")}
                        & trailer_rules)
    reported = Counter(f.rule for f in findings_for_message(catalog, message))
    assert not expected - reported, (parsed, reported)


_SEPARATED_LINES = [
    "Co-Authored-By = Claude <noreply@anthropic.com>", "Made-with= Cursor",
    "Co-Authored-By #Claude <noreply@anthropic.com>", "Assisted-by # Claude Opus 4.6",
    "Signed-off-by = Jane <jane@example.com>", "Key = value", "a=b", "x # y", "Fix # 12",
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_SEPARATED_LINES), _LINES), max_size=8),
       st.booleans())
def test_trailers_with_other_separators_are_reported(body: list[str], final: bool) -> None:
    """The same with `=` and `#` as separators too (`git -c trailer.separators=:=#`): what
    git so configured reads as an agent's trailer is reported."""
    message = "\n".join(["Fix it", *body]) + ("\n" if final else "")
    assume(not _DIVIDER_THEN_SCISSORS.search(message))
    parsed = _git_trailers(message, separators=":=#")
    assume(parsed is not None)
    assert parsed is not None
    _assert_reported(message, parsed)


# ----------------------------------------------------------------------- linear time
_HOSTILE = {
    "Assisted-by: <@@@": lambda n: "Assisted-by: \u2039<" + "@" * n,
    "many <": lambda n: "Co-authored-by: " + "<" * n,
    "many addresses": lambda n: "Co-authored-by: " + "a <b@c.d> " * (n // 10),
    "many keys": lambda n: "Co-authored-by:" + " a:" * (n // 3),
    "many folds": lambda n: "Co-authored-by: x\n" + " <a@b.c>\n" * (n // 9),
    "many fences": lambda n: "```\n~~~\n" * (n // 8),
    "escapes": lambda n: "Cc: <" + "%40%2" * (n // 5) + ">",
    "entities": lambda n: "Cc: <" + "&amp;#6" * (n // 7) + ">",
    "named entities": lambda n: "Cc: x@y &" + "a" * n,
    "quoted-printable": lambda n: "Cc: <" + "=40=2" * (n // 5) + ">",
    "markdown links": lambda n: "Cc: x@y " + "[a](" * (n // 4),
    "markdown targets": lambda n: "Cc: [a](mailto:" + "@" * n,
    "comments": lambda n: "Cc: <" + "(" * (n // 2) + "@" + ")" * (n // 2) + ">",
    "guillemets": lambda n: "Cc: " + "\u00ab@\u00bb" * (n // 3),
    "quotes never closed": lambda n: "'a \u201cb `c " * (n // 9),
    "quoted keys": lambda n: "x \"a: b\" Cc: " * (n // 14),
    "encoded-words never closed": lambda n: "Cc: <" + "=?utf-8?q?" * (n // 10) + ">",
    "encoded-word runs": lambda n: "Cc: " + "=?a?q?b=40?= " * (n // 13),
    "a long encoded-word": lambda n: "Cc: =?utf-8?b?" + "QUBC" * (n // 4) + "?=",
    "key joiners": lambda n: "c.o." * (n // 4) + ": x",
    "dash separators": lambda n: "co - " * (n // 5),
    "key letters far apart": lambda n: ("c" + "." * 40) * (n // 41) + "o",
}


def _best_time(message: str) -> float:
    catalog = load_catalog()
    return best_seconds(lambda: findings_for_message(catalog, message))


@pytest.mark.parametrize("shape", sorted(_HOSTILE))
def test_message_parsing_is_linear(shape: str) -> None:
    """Four times the text costs about four times the time, never sixteen: both longer
    lines and more of them (200 lines of 8 KB like these ran for minutes)."""
    line = _HOSTILE[shape]
    for lines, size in ((10, 2000), (3, 8000)):
        small = _best_time("fix\n\n" + "\n".join([line(size)] * lines))
        longer = _best_time("fix\n\n" + "\n".join([line(size * 4)] * lines))
        more = _best_time("fix\n\n" + "\n".join([line(size)] * lines * 4))
        assert longer / small < 8 and more / small < 8, (shape, small, longer, more)


@pytest.mark.parametrize("message", [
    "fix\n\n" + "-" * 9000 + "\U0001f916 Generated with Claude Code\n",
    "fix\n\n" + "x " * 6000 + "\U0001f916 Generated with [Claude Code](https://claude.com/claude-code)\n",
    "fix\n\nAssisted-by: " + "-" * 9000 + " Claude Code\n",
    "fix\n\nCo-authored-by: " + "x" * 20000 + " <noreply@anthropic.com>\n",
])
def test_a_long_line_hides_nothing(message: str) -> None:
    """Rules run on whole lines (RE2 is linear): padding a line hides no marker."""
    from ai_clearance.catalog.rules import load_catalog
    from ai_clearance.detect.detect import findings_for_message

    assert findings_for_message(load_catalog(), message)


def test_a_footer_quoted_in_a_code_span_is_talked_about_not_left() -> None:
    from ai_clearance.catalog.rules import load_catalog
    from ai_clearance.detect.detect import findings_for_message

    catalog = load_catalog()
    quoted = "Catch squashed footers\n\nLike `... \U0001f916 Generated with [Claude Code](x)`.\n"
    assert not findings_for_message(catalog, quoted)
    open_span = "Fix\n\n(squashed `... \U0001f916 Generated with [Claude Code](...)\n...`).\n"
    assert not findings_for_message(catalog, open_span)
    assert not findings_for_message(catalog, "Fix\n\nIt adds a Made-with: Cursor commit at push.\n")
    left = "Fix\n\nDone. \U0001f916 Generated with [Claude Code](https://claude.com/claude-code)\n"
    assert [f.rule for f in findings_for_message(catalog, left)] == ["AIC410"]


@pytest.mark.parametrize(("text", "quoted"), [
    ("strip 'generated with' footers", ["'generated with'"]),
    ('revert "add \'x\' to y" now', ['"add \'x\' to y"']),
    ("drop \u201cmade-with: cursor\u201d and `cc: x`",
     ["\u201cmade-with: cursor\u201d", "`cc: x`"]),
    ("don't touch users' files", []),
    ("rock 'n' roll", ["'n'"]),
    ("fix 'it", []),
    ("fix \u2018it\u2019s done\u2019 here", ["\u2018it\u2019s done\u2019"]),
    ('a "b', []),
])
def test_quoted_spans_tell_quotes_from_apostrophes(text: str, quoted: list[str]) -> None:
    assert [text[a:b + 1] for a, b in quoted_spans(text)] == quoted


def test_a_quoted_subject_is_talked_about_not_left() -> None:
    """The hostile review's cases: a human subject that quotes the footer, a revert whose
    subject quotes a trailer; what stands outside the quotes is still read."""
    catalog = load_catalog()
    assert not findings_for_message(
        catalog, "Strip 'Generated with [Claude Code]' footers in the squash hook\n")
    assert not findings_for_message(
        catalog, 'Revert "Template: drop Co-Authored-By: Claude <noreply@anthropic.com>"\n\n'
                 "This reverts commit 1234567.\n")
    outside = 'Revert "x" Co-Authored-By: Claude <noreply@anthropic.com>\n'
    assert [f.rule for f in findings_for_message(catalog, outside)] == ["AIC401"]
    both = 'Drop "Co-Authored-By: x" Co-Authored-By: Claude <noreply@anthropic.com>\n'
    assert [f.rule for f in findings_for_message(catalog, both)] == ["AIC401"]
