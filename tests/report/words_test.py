"""Counts in words: singular for one, plural for none and many."""

from __future__ import annotations

import pytest

from ai_clearance.report.words import counted, number


@pytest.mark.parametrize(("count", "said"), [(0, "0 keys"), (1, "1 key"), (2, "2 keys")])
def test_a_count_agrees_with_its_noun(count: int, said: str) -> None:
    assert counted(count, "key") == said


def test_an_irregular_plural_is_given() -> None:
    assert [counted(n, "entry", "entries") for n in (0, 1, 2)] == [
        "0 entries", "1 entry", "2 entries"]


@pytest.mark.parametrize(("value", "read"), [(3, 3), (None, 0), ("2", 0), (True, 0)])
def test_a_count_from_loose_data_is_an_int_or_zero(value: object, read: int) -> None:
    assert number(value) == read
