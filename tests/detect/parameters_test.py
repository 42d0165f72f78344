"""Bash's parameter operators worked out on known values (parameters.py): each compared
with what bash prints for it, and the bounds that keep an operation's cost fixed."""

from __future__ import annotations

import pytest

from ai_clearance.detect.parameters import MAX_MATCHED, element, operated, sliced


def _none(name: str) -> str | None:
    return {"N": "1", "W": "x"}.get(name)


def _free(amount: int) -> None:
    pass


# (value, operator, rest, what bash 5 prints for "${T<operator><rest>}")
@pytest.mark.parametrize(("value", "operator", "rest", "want"), [
    ("CLAUDE", ",", ",", "claude"),
    ("CLAUDE", ",", "", "cLAUDE"),
    ("claude", "^", "", "Claude"),
    ("claude", "^", "^", "CLAUDE"),
    ("claude", "^", "^[cl]", "CLaude"),
    ("ClAUDE", "~", "~", "cLaude"),
    ("claude", "@", "U", "CLAUDE"),
    ("claude", "@", "u", "Claude"),
    ("CLAUDE", "@", "L", "claude"),
    ("xclaude", "#", "x", "claude"),
    ("a.b.claude", "#", "*.", "b.claude"),
    ("a.b.claude", "#", "#*.", "claude"),
    ("claude.sh.x", "%", ".*", "claude.sh"),
    ("claude.sh.x", "%", "%.*", "claude"),
    ("xclaude", "#", "y", "xclaude"),
    ("xlaude", "/", "x/c", "claude"),
    ("cXlXaude", "/", "/X", "claude"),
    ("cXlXaude", "/", "X", "clXaude"),
    ("xlaudx", "/", "#x/c", "claudx"),
    ("claudx", "/", "%x/e", "claude"),
    ("c*laude", "/", "\\*", "claude"),
    ("c?laude", "/", "'?'", "claude"),
    ("1.2.3", "/", "/./-", "1-2-3"),
    ("abcabc", "/", "b*/X", "aX"),
    ("claude", "/", "/[aeiou]/", "cld"),
    ("claude", "/", "/[!aeiou]/", "aue"),
    ("claude", ":", "0", "claude"),
    ("xclaude", ":", "1", "claude"),
    ("claudex", ":", "0:6", "claude"),
    ("claudex", ":", "0:-1", "claude"),
    ("xxclaude", ":", " -6", "claude"),
    ("xxclaude", ":", "(-6)", "claude"),
    ("xclaude", ":", "N", "claude"),
    ("xclaude", ":", "$N", "claude"),
    ("claude", ":", "-9", ""),
])
def test_operators_give_what_bash_gives(value: str, operator: str, rest: str,
                                         want: str) -> None:
    assert operated(value, operator, rest, _none, _free) == want


@pytest.mark.parametrize(("value", "operator", "rest"), [
    ("claude", "@", "A"),            # a declaration, not a value
    ("claude", ":", "W"),            # an offset that is no number
    ("claude", ":", "$(date)"),
    ("x" * (MAX_MATCHED + 1), "#", "x"),
    ("x" * (MAX_MATCHED + 1), "/", "x/c"),
])
def test_what_is_not_worked_out_is_not_known(value: str, operator: str, rest: str) -> None:
    assert operated(value, operator, rest, _none, _free) is None


def test_array_elements_and_slices() -> None:
    elements = ["x", "claude", "-p"]
    assert element(elements, "1", _none) == "claude"
    assert element(elements, "N", _none) == "claude"
    assert element(elements, "-2", _none) == "claude"
    assert element(elements, "7", _none) == ""
    assert element(elements, "$(f)", _none) is None
    assert sliced(elements, "1", _none) == ["claude", "-p"]
    assert sliced(elements, "1:1", _none) == ["claude"]
    assert sliced(elements, "-2", _none) == ["claude", "-p"]


def test_matching_is_paid_for_and_bounded() -> None:
    """A pattern that never matches a long value tries slices bounded by the square of
    MAX_MATCHED, each paid for."""
    paid: list[int] = []
    value = "a" * MAX_MATCHED
    assert operated(value, "/", "/*a*a*a*b/x", _none, paid.append) == value
    assert 0 < sum(paid) <= (MAX_MATCHED + 1) ** 3
    assert operated(value, "#", "*b", _none, paid.append) == value
