"""Split a commit message into the lines that can carry a trace (pure, no git).

Every function here is linear in the size of the message: a message is attacker input."""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass

from ai_clearance.detect.normalize import normalize_text, spelled_out

_FENCE = re.compile(r"^ {0,3}(```|~~~)")
# What joins the words of a trailer key, besides git's dash: any punctuation a reader skips
# over (`Co.Authored.By`, `co_authored by`, `**Made-with**`, `Co·Authored·By`). Quotes and
# brackets are left out: a key never runs into a quotation (`Revert "Add Co-Authored-By:`).
_JOINERS = r"\-.,;/\\|+*~^_\u00b7\u2022\u2027\u2219\u22c5\u30fb"
# A trailer in normalized text: a key (letters, digits, joiners and spaces), a separator,
# the value. A key may start with a dash, as in git. The separators are those git can be
# told to read (`trailer.separators`), `:`, `=` and `#`; failing those, a dash between
# blanks (` - `, ` -- `), as people write `Co-Authored-By - Claude` (tried second, so that
# `Co - Authored - By: x` keeps its whole key). Normalized text has no runs of blanks, so
# each length of the key costs one test of the separator: linear.
_KEY = rf"([\w{_JOINERS}][\w {_JOINERS}]*?)"
_TRAILER = re.compile(rf"^{_KEY} ?[:=#] ?(.*)$")
_DASH_TRAILER = re.compile(rf"^{_KEY} -{{1,2}}(?: (.*))?$")
# A key as git writes it (letters, digits and dashes; also spaces and underscores), before
# a colon: the line takes the indented line after it as its continuation, as git does.
_GIT_LIKE_TRAILER = re.compile(r"^[a-z0-9-][a-z0-9 _-]*? ?:")
# A trailer inside a line, between whitespace and whitespace: one-line messages that squashed
# their trailers (`https://x` and the kernel's `Assisted-by: Claude:model` hold no key).
_INLINE_KEY = re.compile(rf"(?<=\s)([\w{_JOINERS}]+) ?[:=#](?=\s|$)")
# Runs of what is no letter or digit: the word breaks of a key.
_KEY_SEPARATORS = re.compile(r"[\W_]+")
# What ends a key before the name of an identity: a separator.
_NAME_AFTER_KEY = re.compile(r"[:=#]| -{1,2} ")
_BRACKETED = re.compile(r"<([^<>]*)>")
_WORD_BREAKS = re.compile(r"[\s<>]+")
_PERCENT = re.compile(r"%([0-7][0-9a-f])")
# What may wrap an address written bare in prose or in a trailer.
_ADDRESS_WRAPPING = "\"'`()[]{},;:!?."
# Brackets that look like `<` and `>` (after NFKC, which already makes fullwidth and small
# forms plain): guillemets, angle brackets of CJK and mathematics, arrowheads, syllabics.
_ANGLE_LOOKALIKES = str.maketrans({
    **dict.fromkeys("\u2039\u00ab\u3008\u27e8\u27ea\u300a\u2329\u29fc\u2991\u2989"
                    "\u276e\u276c\u02c2\u1438\u2aa1\u227a\u22d6\u29c0\ufe64\uff1c", "<"),
    **dict.fromkeys("\u203a\u00bb\u3009\u27e9\u27eb\u300b\u232a\u29fd\u2992\u298a"
                    "\u276f\u276d\u02c3\u1433\u2aa2\u227b\u22d7\u29c1\ufe65\uff1e", ">"),
})
_ANGLE_LOOKALIKE_CHARS = re.compile("[" + re.escape("".join(
    chr(c) for c in _ANGLE_LOOKALIKES)) + "]")
# Quoted-printable escapes of what an address is made of: `=40` is `@`, `=2E` is `.`.
_QUOTED_PRINTABLE = re.compile(r"=(40|2e|2d|5f|2b|3c|3e)", re.IGNORECASE)
# A markdown link, `[name](mailto:address)` or `[name](address)`: each part stops at its
# closing bracket (and the target at a space), so the search is linear.
_MARKDOWN_LINK = re.compile(r"\[([^\[\]]*)\]\((?:mailto:)?([^()\s]*)\)", re.IGNORECASE)
# What says an address may be near: an @ or one of its escapes (%40, =40, &#64;, &#x40;,
# &commat;, and an escaped ampersand before any of them).
_AT_SIGN = re.compile(r"@|%40|=40|&(?:#|commat|amp)", re.IGNORECASE)
# How many layers of HTML escaping are undone (`&amp;lt;` is two).
_ENTITY_LAYERS = 3


@dataclass(frozen=True)
class MessageLine:
    """A line that may carry a trace: its 1-based number, original text and normalized text."""

    number: int
    raw: str
    text: str
    is_subject: bool


@dataclass(frozen=True)
class Trailer:
    """A `Key: value` (or `Key = value`, `Key # value`, `Key - value`) in a line, with the key
    normalized (lower case, dashes between its words); `start` is
    where the key starts in the line's text (0 unless the trailer is inside the line)."""

    line: MessageLine
    key: str
    value: str
    start: int = 0


def message_lines(message: str) -> list[MessageLine]:
    """Lines of `message` outside code fences and quotes, with folded continuations joined.

    A fence hides its lines only when it is closed, and never hides a line that git itself
    reads as a trailer. (A message file about to become a commit is cleaned as git will
    clean it before it gets here: `git.commit_text.stored_messages`.)
    """
    lines = message.replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = lines.split("\n")
    # ASCII normalization is line by line (folding, runs of spaces), so a whole ASCII
    # message is normalized in one call; other text goes line by line.
    texts = normalize_text(lines).split("\n") if lines.isascii() else None
    hidden = _hidden_lines(message, raw_lines)
    kept: list[_Kept] = []
    previous_was_trailer = False
    for index, raw in enumerate(raw_lines, start=1):
        if index - 1 in hidden:
            previous_was_trailer = False
            continue
        text = texts[index - 1] if texts is not None else normalize_text(raw)
        stripped = text.strip()
        if not stripped:
            previous_was_trailer = False
            continue
        if previous_was_trailer and raw[:1] in (" ", "\t") and kept:
            # A folded trailer: git joins continuation lines to the trailer above.
            kept[-1].raw.append(raw.strip())
            kept[-1].text.append(stripped)
            continue
        if stripped.startswith(">") or raw.startswith(("    ", "\t")):
            # Quoted and indented lines are quotations or code, not the commit's own trailers.
            previous_was_trailer = False
            continue
        kept.append(_Kept(index, [raw.strip()], [stripped], not kept))
        previous_was_trailer = _takes_continuation(stripped)
    return [MessageLine(k.number, " ".join(k.raw), " ".join(k.text), k.is_subject)
            for k in kept]


def _takes_continuation(text: str) -> bool:
    """Whether a line takes the indented lines after it as its own: a trailer as git reads
    one, or a disguised trailer with a value. (A bare `e.g.:` or `In src/a.c:` before an
    indented block introduces code: that block stays hidden.)"""
    if _GIT_LIKE_TRAILER.match(text):
        return True
    match = _trailer_match(text)
    return match is not None and bool(match.group(2))


def may_hold_trailer(text: str) -> bool:
    """Whether a line has a separator a trailer needs (`:`, `=`, `#` or ` -`): without one
    it holds no trailer, at its start or inside it."""
    return ":" in text or "=" in text or "#" in text or " -" in text


def _trailer_match(text: str) -> re.Match[str] | None:
    """A trailer at the start of `text` (normalized): key and value (see `_TRAILER`)."""
    return _TRAILER.match(text) or _DASH_TRAILER.match(text)


def _hidden_lines(message: str, raw_lines: list[str]) -> set[int]:
    """Indices of `raw_lines` (the lines of `message`, a carriage return being a line break
    too) inside closed code fences, less the lines git reads as trailers."""
    if "```" not in message and "~~~" not in message:
        return set()
    hidden = _fenced(raw_lines)
    if hidden:
        git_lines = message.split("\n")  # git's: a carriage return belongs to its line
        forced = git_trailer_lines(git_lines)
        if forced:
            origins = [number for number, line in enumerate(git_lines)
                       for _ in range(line.removesuffix("\r").count("\r") + 1)]
            hidden -= {i for i, origin in enumerate(origins) if origin in forced}
    return hidden


class _Kept:
    """A line being kept, with the continuation lines folded into it so far (joined once at
    the end: joining at each fold would copy the line again for every continuation)."""

    __slots__ = ("is_subject", "number", "raw", "text")

    def __init__(self, number: int, raw: list[str], text: list[str], is_subject: bool) -> None:
        self.number = number
        self.raw = raw
        self.text = text
        self.is_subject = is_subject


def _fenced(raw_lines: list[str]) -> set[int]:
    """Indices of the lines inside closed code fences, the fences included. A fence (``` or
    ~~~) closes at the next line that starts with the same three characters; one that never
    closes is an ordinary line, so it cannot hide the rest of the message."""
    marks = [m.group(1) if (m := _FENCE.match(line)) else None for line in raw_lines]
    closing: list[int | None] = [None] * len(marks)
    following: dict[str, int] = {}
    for i in range(len(marks) - 1, -1, -1):
        mark = marks[i]
        if mark is not None:
            closing[i] = following.get(mark)
            following[mark] = i
    hidden: set[int] = set()
    i = 0
    while i < len(marks):
        end = closing[i] if marks[i] is not None else None
        if end is None:
            i += 1
            continue
        hidden.update(range(i, end + 1))
        i = end + 1
    return hidden


def trailers(lines: list[MessageLine], subject_too: bool = False) -> list[Trailer]:
    """Every `Key: value`, wherever it stands: at the start of a line, and after whitespace
    inside one (a trace does not hide by moving up, or by joining its lines). A trailer
    inside a line takes the value up to the next key. git never reads the subject as a
    trailer; `subject_too` does, for detection: a message that is nothing but
    `Co-authored-by: ...` still names its co-author."""
    found = []
    for line in lines:
        if line.is_subject and not subject_too:
            continue
        found.extend(line_trailers(line))
    return found


def line_trailers(line: MessageLine) -> list[Trailer]:
    """The trailers of one line (see `trailers`)."""
    text = line.text
    spans: list[tuple[int, str, int]] = []  # key start, key, value start
    match = _trailer_match(text)
    if match:
        spans.append((0, match.group(1), match.start(2) if match.group(2) is not None
                      else len(text)))
    # Also inside a line-start key that holds spaces ("Fix it Made-with: Cursor"): both
    # keys end at the same colon, and take the same value.
    spans.extend((m.start(), m.group(1), m.end()) for m in _INLINE_KEY.finditer(text))
    found = []
    following = 0
    for start, key, value_start in spans:
        while following < len(spans) and spans[following][0] < value_start:
            following += 1
        value_end = spans[following][0] if following < len(spans) else len(text)
        value = text[value_start:value_end].strip()
        if start == 0 or _squashed(value):
            found.append(Trailer(line, _KEY_SEPARATORS.sub("-", key).strip("-"), value, start))
    return found


def _squashed(value: str) -> bool:
    """Whether a key inside a line is a trailer squashed into it rather than prose ("a
    Made-with: Cursor commit at push"): a squashed trailer's value is a few words that end
    the line or meet the next key; an address is read either way (its rules are exact)."""
    return len(value.split()) <= 3 or may_hold_address(value)


# Quotation marks a subject may quote with, each opener with its closer. A straight or
# curly single quote inside a word is an apostrophe ("don't", "users'"), not a quote.
_QUOTE_PAIRS = {'"': '"', "'": "'", "`": "`", "\u201c": "\u201d", "\u2018": "\u2019"}
_QUOTE_MARKS = re.compile("[" + re.escape("".join(set(_QUOTE_PAIRS) | set(_QUOTE_PAIRS.values())))
                          + "]")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The quotations in one line, as (opening mark, closing mark) positions: '...',
    "...", `...`, \u201c...\u201d, \u2018...\u2019, the outer one when they nest. A mark
    opens only where no letter or digit stands before it and closes only where none
    follows it; a mark never closed on its line quotes nothing. Linear in `text`."""
    marks = [m.start() for m in _QUOTE_MARKS.finditer(text)]
    if len(marks) < 2:
        return []
    closers: dict[str, list[int]] = {}
    for i in marks:
        if i + 1 == len(text) or not text[i + 1].isalnum():
            closers.setdefault(text[i], []).append(i)
    seen = dict.fromkeys(closers, 0)  # how far each closer list has been passed
    spans: list[tuple[int, int]] = []
    after = 0  # where the last quotation ended
    for i in marks:
        closer = _QUOTE_PAIRS.get(text[i])
        if i < after or closer is None or (i and text[i - 1].isalnum()):
            continue
        positions = closers.get(closer, [])
        k = seen.get(closer, 0)
        while k < len(positions) and positions[k] <= i:
            k += 1
        if closer in seen:
            seen[closer] = k
        if k < len(positions):
            spans.append((i, positions[k]))
            after = positions[k] + 1
    return spans


def inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether `position` lies within one of `spans` (sorted and apart, as `quoted_spans`
    gives them): a binary search, so a line of many quotations and keys stays fast."""
    k = bisect.bisect_left(spans, (position, position))
    return k > 0 and spans[k - 1][0] < position < spans[k - 1][1]


def unquoted(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each of `spans` (quotation marks included) replaced by a space."""
    parts = []
    end = 0
    for start, stop in spans:
        parts.append(text[end:start])
        parts.append(" ")
        end = stop + 1
    parts.append(text[end:])
    return "".join(parts)


def squashed_key(key: str) -> str:
    """A trailer key without its separators: `Co-Authored-By`, `Coauthored-by`,
    `co_authored by` and `Co.Authored.By` are one key (every run of what is no letter or
    digit goes)."""
    return _KEY_SEPARATORS.sub("", key)


def key_screen(keys: list[str]) -> re.Pattern[str] | None:
    """A search that finds, in a normalized ASCII message, every trailer whose key is one of
    `keys` (as the catalog writes them; `ai-prompt-*` for numbered ones, never a `*-by`
    ending), at the start of a line or inside it: the key's letters and digits with any
    other characters between them, then any more and a separator. It may find more than
    the trailers (`timeout-made-with: 1`), never less. None for no keys. Linear: it starts
    only where a word starts, and reads on only while the key's letters follow."""
    gap = "[^a-z0-9\n]*"
    spelled = []
    for key in sorted(set(keys)):
        stem = squashed_key(key.removesuffix("*"))
        if stem:
            number = f"(?:{gap}[0-9])*" if key.endswith("*") else ""
            spelled.append(gap.join(re.escape(char) for char in stem) + number)
    if not spelled:
        return None
    return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(spelled)}){gap}[:=#-]")


def split_identity(value: str) -> tuple[str, str] | None:
    """The first `Name <email>` (or bare address) in `value` as name and email, or None."""
    found = addresses(value)
    return found[0] if found else None


def may_hold_address(text: str) -> bool:
    """Whether `text` holds an @, an escape of one, or an address spelled out (`noreply at
    example dot com`): without any it holds no address."""
    return _AT_SIGN.search(text) is not None or "@" in spelled_out(text)


def unmasked(text: str) -> str:
    """`text` (normalized) with the disguises of addresses around and in it undone: HTML
    entities (`&lt;`, `&#64;`, `&commat;`, layered `&amp;lt;`), quoted-printable `=40` and
    `=2E`, spelled `[at]` and ` dot ` (`spelled_out`), brackets that look like `<>`
    (guillemets, CJK and mathematical angle brackets,
    `_ANGLE_LOOKALIKES`), and markdown links
    `[name](mailto:address)`, which become `name <address>`. Linear in `text`."""
    for _ in range(_ENTITY_LAYERS):
        if "&" not in text:
            break
        plain = html.unescape(text)
        if plain == text:
            break
        text = normalize_text(plain)
    if "=" in text:
        text = _QUOTED_PRINTABLE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = spelled_out(text)
    if not text.isascii() and _ANGLE_LOOKALIKE_CHARS.search(text):
        text = text.translate(_ANGLE_LOOKALIKES)
    if "](" in text:
        text = _MARKDOWN_LINK.sub(_markdown_address, text)
    return text


def _markdown_address(link: re.Match[str]) -> str:
    """A markdown link to an address as `name <address>`; any other link as it was."""
    name, target = link.group(1), link.group(2)
    return f"{name} <{target}>" if "@" in target else link.group()


def addresses(text: str) -> list[tuple[str, str]]:
    """Every e-mail address in `text` with the name before it: each `<...>` holding an @
    (spaces inside dropped, as in `< noreply @ example.com >`), then each bare word holding
    one. The name is what stands between the previous address (or a separator, as after a
    key) and the `<`.
    Disguises of the address and its brackets are undone first (`unmasked`)."""
    if not may_hold_address(text):
        return []
    text = unmasked(text)
    found = []
    end = 0
    for match in _BRACKETED.finditer(text):
        inner = "".join(match.group(1).split())
        if "@" in inner or "%40" in inner:
            name = _NAME_AFTER_KEY.split(text[end:match.start()])[-1].strip()
            found.append((name, inner))
        end = match.end()
    found.extend(("", word) for word in _WORD_BREAKS.split(text)
                 if "@" in word or "%40" in word)
    return found


def address_forms(address: str) -> list[str]:
    """The spellings of an address that name the same mailbox, disguises undone:
    `mailto:`, %-escapes (`%40`), HTML entities (`&#64;`), quoted-printable (`=40`),
    RFC 5322 quotes (`"noreply"@`), comments (`noreply(x)@`) and backslash escapes
    (`noreply\\@`), surrounding punctuation and a trailing dot, and plus-addressing
    (`noreply+x@example.com` is `noreply@example.com`)."""
    plain = "".join(address.split())
    if "&" in plain or "=" in plain:
        plain = "".join(unmasked(normalize_text(plain)).split())
    if "%" in plain:
        plain = _PERCENT.sub(lambda m: chr(int(m.group(1), 16)), plain.casefold())
    candidates = [plain]
    if '"' in plain or "\\" in plain:
        plain = plain.replace('"', "").replace("\\", "")
        candidates.append(plain)
    if "(" in plain:
        # Both readings: `(x)` as a comment, and `(address)` as wrapping punctuation.
        candidates.append(_without_comments(plain))
    forms = []
    for candidate in candidates:
        form = candidate.strip(_ADDRESS_WRAPPING)
        if form.casefold().startswith("mailto:"):
            form = form[len("mailto:"):].strip(_ADDRESS_WRAPPING)
        forms.append(form)
        local, at, domain = form.rpartition("@")
        if at and "+" in local and not domain.endswith("noreply.github.com"):
            # (A GitHub noreply address's `<id>+<login>` is not plus-addressing.)
            forms.append(f"{local.partition('+')[0]}{at}{domain}")
    return list(dict.fromkeys(forms))


def _without_comments(address: str) -> str:
    """`address` without its RFC 5322 comments, nested ones included (`a(b(c))@d` is `a@d`);
    a comment that never closes is kept as it is. One pass."""
    out: list[str] = []
    depth = 0
    opened = 0
    for i, char in enumerate(address):
        if char == "(":
            if depth == 0:
                opened = i
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(char)
    if depth:
        out.append(address[opened:])
    return "".join(out)


def without_addresses(text: str) -> str:
    """`text` with its addresses left out: the names a trailer value gives."""
    if may_hold_address(text):
        text = unmasked(text)
    text = _BRACKETED.sub(" ", text)
    return " ".join(word for word in text.split() if "@" not in word and "%40" not in word)


# ------------------------------------------------------------------ git's trailer block
# git interpret-trailers reads trailers only in a message's last paragraph, by the rules of
# git's trailer.c, reproduced here so that no line git reads as a trailer is left unread.
_GIT_KEY = re.compile(r"[A-Za-z0-9-]+[ \t]*:")
_GIT_GENERATED = ("Signed-off-by: ", "(cherry picked from commit ")
_GIT_SPACE = " \t\n\r"  # git's isspace()
_GIT_CUT_LINE = "# ------------------------ >8 ------------------------"


def git_trailer_lines(lines: list[str]) -> set[int]:
    """Indices of the lines (of `message.split("\\n")`) that `git interpret-trailers
    --parse` reads as trailers or as their continuation lines."""
    count = len(lines) - 1 if lines and lines[-1] == "" else len(lines)  # a final newline
    end = _git_block_end(lines, count)
    start = _git_block_start(lines, end)
    found: set[int] = set()
    if start is None:
        return found
    last_is_trailer = False
    for i in range(start, end):
        line = lines[i]
        if last_is_trailer and (not line or line[0] in _GIT_SPACE):
            found.add(i)
            continue
        last_is_trailer = _GIT_KEY.match(line) is not None
        if last_is_trailer:
            found.add(i)
    return found


def _git_blank(line: str) -> bool:
    return not line.strip(_GIT_SPACE)


def _git_block_end(lines: list[str], count: int) -> int:
    """Where git's search for trailers ends: before a `---` divider (or a scissors line,
    which wins even after the divider, as in git), and before trailing comments, blank lines
    and an old `Conflicts:` block."""
    end = count
    for i in range(count):
        line = lines[i]
        if line.startswith("---") and ((line[3:4] and line[3] in _GIT_SPACE) or
                                       (len(line) == 3 and i + 1 < len(lines))):
            end = i
            break
    for i in range(count):
        if lines[i] == _GIT_CUT_LINE and i + 1 < len(lines):
            end = i
            break
    run = 0  # first line of the trailing run of comments (0: none yet, as in git)
    in_conflicts = False
    for i in range(end):
        line = lines[i]
        if line.startswith("#") or not line:
            run = run or i
        elif line == "Conflicts:" and i + 1 < len(lines):
            in_conflicts = True
            run = run or i
        elif in_conflicts and line.startswith("\t"):
            pass
        elif run:
            run, in_conflicts = 0, False
    return run or end


def _git_block_start(lines: list[str], end: int) -> int | None:
    """The first line of git's trailer block before `end`, or None when there is none: a
    paragraph after the title whose lines are all trailers, or a quarter of them with one
    that git itself writes."""
    title_end = end
    for i in range(end):
        if not lines[i].startswith("#") and _git_blank(lines[i]):
            title_end = i
            break
    only_spaces, recognized = True, False
    trailer_lines = other_lines = continuations = 0
    for i in range(end - 1, title_end - 1, -1):
        line = lines[i]
        if line.startswith("#"):
            other_lines, continuations = other_lines + continuations, 0
        elif _git_blank(line):
            if only_spaces:
                continue
            other_lines += continuations
            if (recognized and trailer_lines * 3 >= other_lines) or \
                    (trailer_lines and not other_lines):
                return i + 1
            return None
        elif line.startswith(_GIT_GENERATED) or _GIT_KEY.match(line):
            only_spaces = False
            recognized = recognized or line.startswith(_GIT_GENERATED)
            trailer_lines, continuations = trailer_lines + 1, 0
        elif line[0] in _GIT_SPACE:
            only_spaces = False
            continuations += 1
        else:
            only_spaces = False
            other_lines, continuations = other_lines + 1 + continuations, 0
    return None
