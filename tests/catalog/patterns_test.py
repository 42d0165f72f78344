"""Regexes a catalog, policy or approval supplies run in time linear in the text (RE2)."""

from __future__ import annotations

import faulthandler
from collections.abc import Callable, Iterator

import pytest

from ai_clearance.catalog.globs import GlobError, compile_globs
from ai_clearance.catalog.patterns import Pattern, PatternError
from ai_clearance.catalog.rules import load_catalog
from ai_clearance.clearance.policy import Policy, policy_from_text
from ai_clearance.detect.detect import findings_for_message, first_content_matches
from ai_clearance.errors import ConfigError
from conftest import best_seconds

# The known families that make a backtracking engine take exponential (or high polynomial)
# time, each with the input that triggers it: a long run the pattern almost matches, then a
# character that makes it fail.
PATHOLOGICAL = [
    (r"(a|aa)+$", "a", "!"),            # alternation with overlap under a quantifier
    (r"(a+x?)+$", "a", "!"),            # nested quantifier with an optional tail
    (r"(\w+\s?)+$", "ab ", "!"),        # word runs with optional separators
    (r"(.*)*$", "x", "\n!"),            # a quantified group that can match the empty text
    (r"(a+)+b", "a", "c"),              # the classic nested quantifier
    (r"(a|a)*b", "a", "c"),             # identical alternatives
    (r"(x+x+)+y", "x", "z"),
    (r"([a-z]+)*[0-9]", "abc", "!"),
    (r"(?:a*)*b", "a", "c"),
    (r"^(a?){25}a{25}$", "a", "!"),     # optional repeats then required ones
    (r"(.*a){12}", "a", "!"),           # a polynomial family
]


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """A backtracking engine would not return: fail the run loudly instead of hanging CI."""
    faulthandler.dump_traceback_later(300, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _policy(rules: str) -> Policy:
    policy = policy_from_text(rules, ".ai-clearance.toml", load_catalog(), pyproject=False)
    assert policy is not None
    return policy


def _rule(kind: str, pattern: str, extra: str = "") -> str:
    quoted = pattern.replace("\\", "\\\\")
    return (f'[[rules]]\nid = "ORG001"\nassistants = ["claude"]\nkind = "{kind}"\n'
            f'severity = "block"\ndescription = "d"\npattern = "{quoted}"\n{extra}')


def _ratio(make: Callable[[int], Callable[[], object]], n: int) -> float:
    """How much longer 4n characters take than n: about 4 when linear, 16 when quadratic.
    Each is repeated until the smaller takes ~20 ms, so timer noise does not count; 4n stays
    under 128 KiB, where malloc switches to mmap (a page fault per page would be counted)."""
    small, large = make(n), make(4 * n)
    small()  # compile and warm up
    repeat = max(1, round(0.02 / max(best_seconds(small), 1e-7)))
    return best_seconds(large, repeat=repeat) / best_seconds(small, repeat=repeat)


@pytest.mark.parametrize(("pattern", "unit", "tail"), PATHOLOGICAL)
def test_a_content_rule_costs_linear_time(pattern: str, unit: str, tail: str) -> None:
    policy = _policy(_rule("content", pattern, 'paths = ["**/*.log"]\n'))
    rules = {"ORG001": policy.catalog.by_id["ORG001"]}

    def make(n: int) -> Callable[[], object]:
        line = (unit * (n // len(unit)) + tail).encode()
        return lambda: first_content_matches(rules, [line])

    assert _ratio(make, 25_000) < 8


@pytest.mark.parametrize(("pattern", "unit", "tail"), PATHOLOGICAL)
def test_a_message_rule_costs_linear_time(pattern: str, unit: str, tail: str) -> None:
    catalog = _policy(_rule("marker", pattern)).catalog

    def make(n: int) -> Callable[[], object]:
        line = unit * (8000 // len(unit)) + tail.strip()
        message = "subject\n\n" + "\n".join([line] * (n // 8000))
        return lambda: findings_for_message(catalog, message)

    assert _ratio(make, 24_000) < 8


@pytest.mark.parametrize("glob", ["**/*a*a*a*a*a*a*a*a*a*a*b", "*[a-z]*[a-z]*[a-z]*[a-z]*!"])
def test_a_glob_costs_linear_time(glob: str) -> None:
    pattern = compile_globs([glob], fold=False)
    assert pattern is not None

    def make(n: int) -> Callable[[], object]:
        path = "d/" + "a" * n
        return lambda: pattern.match(path)

    assert _ratio(make, 25_000) < 8


@pytest.mark.parametrize(("pattern", "reason"), [
    (r"(a+)\1", "back-references"),
    (r"(?P<x>a)(?P=x)", "back-references"),
    (r"^(?=.*a)(?=.*b)", "look-around"),
    (r"a(?!b)", "look-around"),
    (r"(?<=a)b", "look-around"),
    (r"(?<!a)b", "look-around"),
    (r"end\Z", r"write \\z"),
    (r"a++", "repetition"),
    (r"(unclosed", "missing"),
])
def test_what_cannot_run_in_linear_time_is_refused_naming_the_file(pattern: str,
                                                                   reason: str) -> None:
    for kind, extra in (("marker", ""), ("content", 'paths = ["x"]\n'), ("branch", "")):
        with pytest.raises(ConfigError, match=reason) as info:
            _policy(_rule(kind, pattern, extra))
        message = str(info.value)
        assert message.startswith(".ai-clearance.toml rule ORG001: pattern does not compile")
        assert "\n" not in message


def test_a_disclosure_pattern_is_refused_the_same_way() -> None:
    text = '[assistants.inhouse]\ntitle = "In-house"\ndisclosure = "(a)\\\\1"\n'
    with pytest.raises(ConfigError, match="back-references"):
        _policy(text)


def test_the_shipped_catalog_runs_on_re2_and_still_finds_transcripts() -> None:
    rules = {r.id: r for r in load_catalog().rules_for("content") if r.id == "AIC310"}
    either_order = [b'{"sessionId": "s", "x": 1, "parentUuid": "p"}',
                    b'{"parentUuid":"p","sessionId":"s"}']
    for line in either_order:
        assert first_content_matches(rules, [line]) == {"AIC310": (1, line.decode())}
    assert first_content_matches(rules, [b'{"parentUuid":"p"}', b'{"sessionId":"s"}']) == {}


def test_paths_with_undecodable_bytes_still_match() -> None:
    pattern = compile_globs(["**/CLAUDE.md", "x/?/y"], fold=False)
    assert pattern is not None
    assert pattern.match("bad\udcff\udcfe/CLAUDE.md")
    assert pattern.match("x/\udcff/y")  # one byte is one character, as before
    assert not pattern.match("x/\udcff\udcfe/y")


@pytest.mark.parametrize(("glob", "folds"), [
    ("[z-a]", (False, True)), ("docs/[9-0].md", (False, True)), ("[!z-a]x", (False, True)),
    ("a/[]", (False, True)), ("[Z-a]", (True,)),  # a range only once case-folded
])
def test_a_glob_no_path_could_match_is_refused(glob: str, folds: tuple[bool, ...]) -> None:
    for fold in folds:
        with pytest.raises(GlobError) as info:
            compile_globs(["ok/**", glob], fold=fold)
        assert repr(glob) in str(info.value)


def test_errors_are_one_line_and_say_why() -> None:
    with pytest.raises(PatternError) as info:
        Pattern("(a)\\1")
    assert "\n" not in str(info.value) and "linear time" in str(info.value)
