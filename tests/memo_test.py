"""The bounded memo: the oldest entries go first, by count or by cost, in constant time."""

from __future__ import annotations

from ai_clearance.memo import Memo
from conftest import best_seconds


def test_past_its_limit_the_oldest_entries_are_dropped() -> None:
    memo: Memo[str, int] = Memo(3)
    for n, key in enumerate("abcd"):
        assert memo.put(key, n) == n
    assert [memo.get(k) for k in "abcd"] == [None, 1, 2, 3]
    assert len(memo) == memo.size == 3 and "a" not in memo and "d" in memo


def test_a_key_put_again_is_the_newest() -> None:
    memo: Memo[str, int] = Memo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    memo.put("a", 3)
    memo.put("c", 4)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (3, None, 4)


def test_a_cost_bounds_the_sum_of_the_entries_costs() -> None:
    memo: Memo[str, str] = Memo(10, cost=lambda key, value: len(key) + len(value))
    memo.put("ab", "cd")      # 4
    memo.put("efg", "h")      # 4: 8 in all
    memo.put("i", "j")        # 2: 10, at the limit
    assert len(memo) == 3 and memo.size == 10
    memo.put("k", "l")        # 12: the oldest goes
    assert memo.get("ab") is None and memo.size == 8
    memo.put("m" * 20, "n")   # over the limit alone: kept, and only it
    assert len(memo) == 1 and memo.get("m" * 20) == "n" and memo.size == 21
    memo.clear()
    assert len(memo) == memo.size == 0 and memo.get("m" * 20) is None


def test_putting_costs_the_same_however_long_it_has_been_dropping() -> None:
    """Dropping the oldest is constant time: many puts past the limit cost in proportion."""
    def puts(count: int) -> None:
        memo: Memo[int, int] = Memo(1000)
        for n in range(count):
            memo.put(n, n)

    small = best_seconds(lambda: puts(20_000))
    large = best_seconds(lambda: puts(80_000))
    assert large / small < 8
