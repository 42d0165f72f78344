"""Text normalization applied before any matching, so that disguise cannot hide a trace."""

from __future__ import annotations

import codecs
import re
import unicodedata
from email.errors import HeaderParseError
from email.header import decode_header

# Characters that render as nothing: Unicode's default-ignorable code points (zero-width
# characters, joiners, bidi controls, soft hyphen, BOM, variation selectors, Hangul fillers,
# tags, the reserved ranges among them) and the other invisible format controls
# (interlinear annotation, shorthand and musical format controls), as ranges. The format
# characters that show (Arabic number signs and other prepended marks) are not here.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFFB), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
_INVISIBLE = frozenset(chr(c) for low, high in _INVISIBLE_RANGES
                       for c in range(low, high + 1))
_INVISIBLE_CLASS = "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}"
                           for low, high in _INVISIBLE_RANGES)

# Letters from other scripts that look like Latin ones (after NFKC and case folding).
# A subset of Unicode's confusables.txt: the letters an attacker can type to spell
# "co-authored-by", "claude" or an e-mail address without any Latin letter changing.
_LOOKALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r",
    "ѕ": "s", "т": "t", "ц": "u", "υ": "u", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y", "ү": "y",
    "ь": "b", "ɡ": "g", "ԍ": "g",
    # Greek
    "α": "a", "β": "b", "ϲ": "c", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "χ": "x", "γ": "y", "ω": "w", "ϳ": "j",
    # Armenian and others
    "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n", "ք": "q",
    # Latin look-alikes (dotless i, long s, small capitals)
    "ı": "i", "ſ": "s", "ȷ": "j", "ʀ": "r", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h",
    "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ꞯ": "q",
    "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
    # Dashes, colons and at signs that survive NFKC
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "⁃": "-", "˗": "-",
    "꞉": ":", "∶": ":", "ː": ":", "׃": ":", "܃": ":", "܄": ":", "᠄": ":",
}


def _with_capitals(table: dict[str, str]) -> dict[str, str]:
    """The look-alikes and their capitals (Cyrillic capital Es for "C"), so that a path keeps
    its case when asked to. A capital maps to its small letter's Latin capital: what case
    folding would make of it anyway, so the exact and the folded forms agree."""
    capitals = {}
    for small, latin in table.items():
        capital = small.upper()
        if len(capital) == 1 and not capital.isascii() and capital.casefold() == small:
            capitals[capital] = latin.upper()
    return {**capitals, **table}


_LOOKALIKES = _with_capitals(_LOOKALIKES)
_TRANSLATE: dict[int, str | None] = {ord(ch): None for ch in _INVISIBLE}
_TRANSLATE.update({ord(k): v for k, v in _LOOKALIKES.items()})
# str.translate with a dict is slow per character; most text has nothing to translate.
_TRANSLATABLE = re.compile("[" + _INVISIBLE_CLASS + re.escape("".join(_LOOKALIKES)) + "]")
# Look-alikes that NFKC would turn into something else first (lunate sigma "ϲ" into "ς").
_BEFORE_NFKC = {ord(k): v for k, v in _LOOKALIKES.items()
                if unicodedata.normalize("NFKC", k) != k}
_BEFORE_NFKC_CHARS = re.compile("[" + re.escape("".join(map(chr, _BEFORE_NFKC))) + "]")


def _translated(text: str) -> str:
    return text.translate(_TRANSLATE) if _TRANSLATABLE.search(text) else text

_HSPACE = re.compile(r"[^\S\n]+")


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _drop_marks(text: str) -> str:
    """Decompose, drop combining marks ("c\u0301laude" reads "claude"), recompose."""
    decomposed = unicodedata.normalize("NFD", text)
    # Only non-ASCII characters can be marks: look at those alone, not every character.
    stripped = _NON_ASCII.sub(lambda m: "" if unicodedata.combining(m.group()) else m.group(),
                              decomposed)
    return unicodedata.normalize("NFC", stripped)


def _unicode_form(text: str) -> str:
    if _BEFORE_NFKC_CHARS.search(text):
        text = text.translate(_BEFORE_NFKC)
    return _drop_marks(_translated(unicodedata.normalize("NFKC", text)))


def normalize_text(text: str) -> str:
    """Return `text` case-folded, NFKC-composed, with invisible characters, combining marks,
    look-alike letters, CRLF and odd whitespace reduced to plain forms."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():
        odd_space = "  " in text or any(c in text for c in "\t\x0b\x0c\x1c\x1d\x1e\x1f")
        return _HSPACE.sub(" ", text).casefold() if odd_space else text.casefold()
    text = _translated(_unicode_form(text).casefold())
    return _HSPACE.sub(" ", text)


def normalize_path(path: str, fold: bool = True) -> str:
    """Return a path normalized like text (case-folded unless `fold` is false), keeping its
    separators and spaces."""
    if path.isascii():
        return path.casefold() if fold else path
    text = _unicode_form(path)
    return _translated(text.casefold()) if fold else text


def ascii_skeleton(text: str) -> str:
    """The ASCII characters of `normalize_path(text)`, in order: what an ASCII anchor can be
    found in (the prefilter's view of a path). Made character by character, from what
    normalization makes of each character alone, so a path's skeleton is its folder's and
    its name's joined by '/'; tests check that it agrees with `normalize_path` on whole
    strings."""
    if text.isascii():
        return text.casefold()
    table = _SKELETONS
    unseen = [char for char in set(text) if char > "\x7f" and ord(char) not in table]
    if unseen:
        if len(table) + len(unseen) > 100_000:
            table.clear()  # memory stays flat (a few hundred characters are ever common)
        for char in unseen:
            table[ord(char)] = _ascii_part(char)
    return text.translate(table).lower()


def _ascii_part(char: str) -> str:
    return normalize_path(char).encode("ascii", "ignore").decode("ascii")


# A character's skeleton, by code point; ASCII characters stand for themselves (lowered).
_SKELETONS: dict[int, str] = {}


def printable(text: str, limit: int = 200) -> str:
    """Return `text` safe to print on one terminal line: control characters escaped, cut."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF or ch in _INVISIBLE:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
        if len(out) >= limit:
            out.append("...")
            break
    return "".join(out)


# ------------------------------------------------------------------ disguises of a message
# Encodings and spellings that a reader (a mail client, a browser, a terminal, a person)
# turns back into an address: undone over the whole message, so that the detectors judge
# what is read. Precision stays with the detectors: only a catalog agent address (or
# marker) in the undone text is a finding, so "at" in prose changes nothing.
_SOFT_BREAK = re.compile(r"=\r?\n")  # quoted-printable: the line goes on
# Escapes of what an address is made of (`@ . < > - _ +`) and of the escape characters
# themselves (`%25`, `=3D`: encoded twice); `timeout=30` is left alone.
_QP_OR_PERCENT = re.compile(r"[=%](40|2[BbDdEe5]|3[CcDdEe]|5[Ff])")
# A right-to-left override shows the run after it (to a pop or the end of the line)
# reversed: "\u202emoc.elpmaxe@a" reads "a@example.com".
_OVERRIDDEN = re.compile("\u202e([^\u202c\u2069\n]*)")
# What people and IDNA read as the dot of a domain: ideographic and fullwidth full stops,
# small and halfwidth ones, leaders, middle dots and others.
_DOTS = str.maketrans(dict.fromkeys(
    "\u3002\uff0e\uff61\ufe52\u2024\u00b7\u2027\u30fb\uff65\u2219\u22c5\u06d4\u0589"
    "\u1362\u2e3c\u0701\u0702\ua60e\u2e33", "."))
_DOT_CHARS = re.compile("[\u3002\uff0e\uff61\ufe52\u2024\u00b7\u2027\u30fb\uff65\u2219\u22c5"
                        "\u06d4\u0589\u1362\u2e3c\u0701\u0702\ua60e\u2e33]")
# "[at]", "(at)", "{at}", " at " and the same of "dot", between the parts of an address: a
# spelled " at " only before a domain (a label and a dot, spelled or not, each starting with
# a letter), so that prose ("a commit at push.", "meet at 5.30") stays prose. Runs of
# blanks are bounded, so the search is linear.
_SPELLED = re.compile(r"[ \t]{0,3}[\[({<][ \t]{0,3}(at|dot)[ \t]{0,3}[\])}>][ \t]{0,3}"
                      r"|(?<=[\w.+-])[ \t]{1,3}(at)[ \t]{1,3}"
                      r"(?=[a-z][\w-]*(?:\.[a-z]|[ \t]{1,3}dot[ \t]"
                      r"|[ \t]{0,3}[\[({<][ \t]{0,3}dot))"
                      r"|(?<=[\w-])[ \t]{1,3}(dot)[ \t]{1,3}(?=\w)", re.IGNORECASE)
# An IDNA label (ASCII-compatible encoding); at most 63 characters, as DNS allows.
_ACE_LABEL = re.compile(r"(?i)(?<![\w-])xn--([a-z0-9-]{1,59})(?![\w-])")
_SPELLED_HINT = re.compile(r"[ \t\[({<](?:[aA][tT]|[dD][oO][tT])[ \t\])}>]")
# An RFC 2047 encoded-word, `=?charset?Q?text?=` or `=?charset?B?text?=`, and a run of them
# apart only by blanks, which a decoder drops. The text holds no `?` and no blank, so every
# word is read once from its start: linear, unlike email.header's own search (`.*?`).
_ENCODED_WORD = r"=\?[^?\s]{1,64}\?[bBqQ]\?[^?\s]*\?="
_ENCODED_WORDS = re.compile(rf"{_ENCODED_WORD}(?:[ \t]+{_ENCODED_WORD})*")
_ONE_ENCODED_WORD = re.compile(_ENCODED_WORD)
# Codecs that are no character sets of mail (nor fast on long input): read as UTF-8.
_NOT_CHARSETS = frozenset({"punycode", "idna", "unicode-escape", "raw-unicode-escape"})


def undisguised(text: str) -> str:
    """`text` with the disguises of addresses undone: RFC 2047 encoded-words
    (`=?utf-8?q?noreply=40...?=`, `=?UTF-8?B?...?=`), quoted-printable soft line breaks and
    escapes (`=\\n`, `=40`), percent escapes (`%40`, `%3C`), runs reversed by a
    right-to-left override, IDNA labels (`xn--...`, left to the look-alike folding of
    `normalize_text`) and full stops of other scripts. (Spelled `[at]` and ` dot ` are
    undone where an address is read: `spelled_out`.) Linear in `text`; `text` itself when
    there is nothing to undo."""
    if "=?" in text:
        text = _ENCODED_WORDS.sub(_encoded_words, text)
    if "=\n" in text or "=\r\n" in text:
        text = _SOFT_BREAK.sub("", text)
    # Twice: an escaped escape (`%2540`, `=3D40`) reads as one in a reader that decodes twice.
    for _ in range(2):
        if "=" in text or "%" in text:
            text = _QP_OR_PERCENT.sub(_escaped, text)
    if "\u202e" in text:
        text = _OVERRIDDEN.sub(lambda m: m.group(1)[::-1], text)
    if not text.isascii():
        text = text.translate(_DOTS)
    if "n--" in text or "N--" in text:  # xn-- in any case
        text = _ACE_LABEL.sub(_idna_label, text)
    return text


def spelled_out(text: str) -> str:
    """`text` (an address or a trailer's value) with spelled `[at]`, `(dot)`, ` at ` (before
    a domain) and ` dot ` written as `@` and `.`; `text` itself when it has none."""
    return _SPELLED.sub(_spelled, text) if _SPELLED_HINT.search(text) else text


def _encoded_words(match: re.Match[str]) -> str:
    """A run of encoded-words as the text they encode, joined as a decoder joins them."""
    return "".join(_decoded_word(word.group())
                   for word in _ONE_ENCODED_WORD.finditer(match.group()))


def _decoded_word(word: str) -> str:
    """One encoded-word as its text; a charset Python does not know (or no charset of mail)
    reads as UTF-8, bytes that do not decode as replacement characters."""
    try:
        ((data, charset),) = decode_header(word)
    except (HeaderParseError, ValueError):
        return word
    if not isinstance(data, bytes):  # not decoded: email.header found no encoded-word
        return word
    name = (charset or "utf-8").partition("*")[0]  # RFC 2231 adds `*language`
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        codec = "utf-8"
    if codec in _NOT_CHARSETS:
        codec = "utf-8"
    try:
        return data.decode(codec, "replace")
    except (LookupError, ValueError):  # no text codec: base64, zlib, rot13
        return data.decode("utf-8", "replace")


def _escaped(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def _spelled(match: re.Match[str]) -> str:
    word = next(g for g in match.groups() if g).casefold()
    return "@" if word == "at" else "."


def _idna_label(match: re.Match[str]) -> str:
    """An IDNA label as the Unicode it encodes (the label as it was if it encodes none)."""
    try:
        return match.group(1).encode("ascii").decode("punycode")
    except (UnicodeError, ValueError, IndexError):
        return match.group()
