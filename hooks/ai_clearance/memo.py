"""A bounded memo: what was worked out for the inputs met lately, so the versions of a file
in a history, which share most of their text, are not worked out again, while memory stays
flat however long the history."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

_Key = TypeVar("_Key")
_Value = TypeVar("_Value")


class Memo(Generic[_Key, _Value]):
    """A mapping that drops its oldest entries once it holds more than `limit`: entries, or,
    with `cost`, the sum of `cost(key, value)` over its entries (characters, say). The entry
    just put is always kept, even when it alone is over the limit."""

    __slots__ = ("_costs", "_known", "cost", "limit", "size")

    def __init__(self, limit: int, cost: Callable[[_Key, _Value], int] | None = None) -> None:
        self.limit = limit
        self.cost = cost
        self.size = 0  # entries, or the sum of their costs
        self._known: OrderedDict[_Key, _Value] = OrderedDict()
        self._costs: dict[_Key, int] = {}

    def __len__(self) -> int:
        return len(self._known)

    def __contains__(self, key: _Key) -> bool:
        return key in self._known

    def get(self, key: _Key) -> _Value | None:
        """What was put for `key`, or None when it was never put or has been dropped."""
        return self._known.get(key)

    def put(self, key: _Key, value: _Value) -> _Value:
        """Remember `value` for `key` (the newest entry), dropping the oldest entries past
        the limit; returns `value`."""
        if key in self._known:
            del self._known[key]
            self._dropped(key)
        cost = 1 if self.cost is None else self.cost(key, value)
        self._known[key] = value
        if self.cost is not None:
            self._costs[key] = cost
        self.size += cost
        while self.size > self.limit and len(self._known) > 1:
            self._dropped(self._known.popitem(last=False)[0])
        return value

    def clear(self) -> None:
        """Forget every entry."""
        self._known.clear()
        self._costs.clear()
        self.size = 0

    def _dropped(self, key: _Key) -> None:
        self.size -= 1 if self.cost is None else self._costs.pop(key)
