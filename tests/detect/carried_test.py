"""The constant environment a CI file gives what it runs (carried.py), read loosely and
carried into the scripts, Makefiles and package.json scripts it reaches."""

from __future__ import annotations

import pytest

from ai_clearance.detect.carried import (
    MAX_VALUES,
    given_env,
    merged,
    original_line,
    read_names,
    relevant,
    rows,
    with_env,
)
from ai_clearance.errors import GitError
from conftest import best_seconds


@pytest.mark.parametrize(("text", "name", "value"), [
    ("env:\n  AGENT: claude\njobs: {}\n", "AGENT", "claude"),
    ("    steps:\n      - env:\n          AGENT: 'claude'\n        run: x\n", "AGENT", "claude"),
    ("      - run: make\n        env: {AGENT: claude, B: \"x y\"}\n", "B", "x y"),
    ("variables:\n  AGENT: claude  # the reviewer\n", "AGENT", "claude"),
    ("variables:\n  AGENT:\n    value: claude\n    description: who\n", "AGENT", "claude"),
    ("variables:\n  - name: AGENT\n    value: claude\n", "AGENT", "claude"),
    ("    environment:\n      AGENT: claude\n", "AGENT", "claude"),
    ("run: export AGENT=claude; ./ci/review.sh", "AGENT", "claude"),
    ("run: AGENT=claude make review", "AGENT", "claude"),
    ("run: env AGENT=\"claude\" ./ci/review.sh", "AGENT", "claude"),
    ("environment {\n  AGENT = 'claude'\n}\n", "AGENT", "claude"),
])
def test_what_a_file_gives_the_environment(text: str, name: str, value: str) -> None:
    assert value in dict(given_env(text)).get(name, ()), given_env(text)


@pytest.mark.parametrize("text", [
    "env:\n  AGENT: ${{ vars.AGENT }}\n",  # not known here
    "run: AGENT=$WHO ./ci/review.sh",
    "run: test \"$X\" == claude && echo",
    "if [ $X != claude ]; then :; fi",
    "name: claude\nruns-on: ubuntu-latest\n",  # keys outside an env section
])
def test_what_is_no_constant_of_the_environment(text: str) -> None:
    env = dict(given_env(text))
    assert "claude" not in {v for values in env.values() for v in values}, env


def test_a_name_given_too_many_values_fails_closed_only_when_read() -> None:
    text = "".join(f"A={k}\n" for k in range(MAX_VALUES + 1)) + "B=claude\n"
    env = given_env(text)
    assert relevant(env, frozenset({"B"})) == (("B", ("claude",)),)
    with pytest.raises(GitError, match="more than"):
        relevant(env, frozenset({"A"}))


def test_rows_try_each_value_once_and_merged_puts_values_together() -> None:
    env = merged((("A", ("x",)), ("B", ("1", "2"))), (("A", ("y",)),))
    assert env == (("A", ("x", "y")), ("B", ("1", "2")))
    assert rows(env) == [{"A": "x", "B": "1"}, {"A": "y", "B": "2"}]
    assert read_names("$A ${B} $$C $(D) plain") == {"A", "B", "C", "D"}


def test_a_reached_file_is_read_as_its_runner_reads_it_given_a_row() -> None:
    lines, kind, at, count = with_env("shell", [b"#!/bin/sh", b'"$T" -p x'], {"T": "it's"})
    assert (kind, at, count) == ("shell", 1, 1)
    assert lines == [b"#!/bin/sh", b"export T='it'\\''s'", b'"$T" -p x']
    assert original_line(3, at, count) == 2
    lines, kind, _, _ = with_env("make", [b"all:", b"\t$(T)"], {"T": "a$b#c"})
    assert lines[0] == b"export T = a$$b\\#c"
    lines, kind, _, _ = with_env("npm", [b'{"scripts": {"r": "$T -p x"}}'], {"T": "claude"})
    assert (kind, lines) == ("shell", [b"export T='claude'", b"$T -p x"])


def test_reading_the_environment_takes_time_linear_in_size() -> None:
    def seconds(count: int) -> float:
        text = "env:\n" + "  env:\n" * count + "".join(f"X{k}=v{k} " for k in range(count))
        return best_seconds(lambda: given_env(text))
    small, large = seconds(1_000), seconds(4_000)
    assert large / max(small, 1e-4) < 10, (small, large)
