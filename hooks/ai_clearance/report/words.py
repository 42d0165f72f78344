"""Counts in words: the one place a printed count picks the singular or the plural."""

from __future__ import annotations


def counted(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and the noun that agrees with it: "1 key", "0 keys", "2 keys" (`nouns` for a
    plural that is not the noun and an "s")."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def number(value: object) -> int:
    """A count read from loosely typed data (a report's trust summary): 0 unless an int."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
