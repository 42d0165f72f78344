"""Text normalization applied before any matching, so that disguise cannot hide a trace."""

from __future__ import annotations

import re
import unicodedata

# Characters that render as nothing (zero-width, joiners, bidi controls, soft hyphen, BOM).
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f"
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f"
    "\u3164\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c"
    "\ufe0d\ufe0e\ufe0f\ufeff\uffa0"
)

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
_TRANSLATABLE = re.compile("[" + re.escape("".join(chr(c) for c in _TRANSLATE)) + "]")
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
