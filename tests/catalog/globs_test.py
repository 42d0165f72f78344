"""Glob translation used by catalog rules and policy excludes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ai_clearance.catalog.globs import GlobError, compile_globs, could_hold


@pytest.mark.parametrize(("glob", "path", "expected"), [
    ("**/CLAUDE.md", "CLAUDE.md", True),
    ("**/CLAUDE.md", "a/b/CLAUDE.md", True),
    ("**/CLAUDE.md", "a/bCLAUDE.md", False),
    (".claude/**", ".claude/x/y", True),
    (".claude/**", "x/.claude/y", False),
    ("**/.aider.tags.cache.v*/**", "p/.aider.tags.cache.v3/db", True),
    ("*.md", "a/b.md", False),
    ("docs/?.md", "docs/a.md", True),
    ("docs/[ab].md", "docs/b.md", True),
    ("docs/[!ab].md", "docs/b.md", False),
    ("a+b(c).md", "a+b(c).md", True),
])
def test_glob_matching(glob: str, path: str, expected: bool) -> None:
    pattern = compile_globs([glob], fold=False)
    assert pattern is not None
    assert bool(pattern.match(path)) is expected


def test_folded_globs_match_folded_paths() -> None:
    pattern = compile_globs(["**/CLAUDE.md"], fold=True)
    assert pattern is not None and pattern.match("x/claude.md")


@pytest.mark.parametrize("bad", ["", "/abs", "a/**b", "[abc"])
def test_bad_globs(bad: str) -> None:
    with pytest.raises(GlobError):
        compile_globs([bad], fold=False)


# ------------------------------------------------------------ against a reference matcher
def _tokens(part: str) -> list[tuple[str, object]]:
    """One glob component as tokens: ("*"), ("?"), ("class", (negated, members)), ("lit", c)."""
    out: list[tuple[str, object]] = []
    i = 0
    while i < len(part):
        ch = part[i]
        if ch == "[":
            negated = part.startswith("[!", i)
            start = i + 2 if negated else i + 1
            end = part.index("]", start + 1)
            body, members = part[start:end], set()
            j = 0
            while j < len(body):
                if j + 2 < len(body) and body[j + 1] == "-":
                    members.update(chr(c) for c in range(ord(body[j]), ord(body[j + 2]) + 1))
                    j += 3
                else:
                    members.add(body[j])
                    j += 1
            out.append(("class", (negated, members)))
            i = end + 1
        else:
            out.append(("*" if ch == "*" else "?" if ch == "?" else "lit", ch))
            i += 1
    return out


def _component_matches(tokens: list[tuple[str, object]], text: str) -> bool:
    if not tokens:
        return text == ""
    kind, arg = tokens[0]
    if kind == "*":
        return any(_component_matches(tokens[1:], text[k:]) for k in range(len(text) + 1))
    if not text:
        return False
    if kind == "?":
        ok = True
    elif kind == "class":
        negated, members = arg  # type: ignore[misc]
        ok = (text[0] in members) != negated
    else:
        ok = text[0] == arg
    return ok and _component_matches(tokens[1:], text[1:])


def reference_match(glob: str, path: str) -> bool:
    """Component by component: a `**` matches any number of whole components (at least one
    when it ends the glob); every other part matches exactly one, byte for byte ('/' only
    separates; a newline or any other character is an ordinary one)."""
    parts, names = glob.split("/"), path.split("/")

    def walk(i: int, j: int) -> bool:
        if i == len(parts):
            return j == len(names)
        if parts[i] == "**":
            least = 1 if i == len(parts) - 1 else 0
            return any(walk(i + 1, k) for k in range(j + least, len(names) + 1))
        return j < len(names) and _component_matches(_tokens(parts[i]), names[j]) \
            and walk(i + 1, j + 1)

    return walk(0, 0)


_CHARS = "ab.\n-é!^\\] Z"
_literal = st.sampled_from(_CHARS)
_class = st.builds(
    lambda negated, members, ranges: "[" + ("!" if negated else "") + members + ranges + "]",
    st.booleans(), st.text(alphabet="ab\n.é^\\Z", min_size=1, max_size=3),
    st.sampled_from(["", "a-c", "\n-.", "A-Z", "-"]))
_part = st.lists(st.one_of(_literal, st.just("*"), st.just("?"), _class),
                 min_size=1, max_size=4).map("".join).filter(lambda p: "**" not in p)
_glob = st.lists(st.one_of(_part, st.just("**")), min_size=1, max_size=4).map("/".join) \
    .filter(lambda g: not g.startswith("/") and "/**/**" not in g)
_path = st.one_of(
    st.lists(st.text(alphabet=_CHARS, max_size=4), min_size=1, max_size=5).map("/".join),
    st.text(max_size=12))


@settings(max_examples=2000, deadline=None)
@given(_glob, _path)
def test_globs_agree_with_a_reference_matcher(glob: str, path: str) -> None:
    """Every character but '/' is alike to a glob, newlines included: `**` crosses them,
    `*`, `?` and classes match them, and none of them matches a '/'."""
    pattern = compile_globs([glob], fold=False)
    assert pattern is not None
    assert bool(pattern.match(path)) is reference_match(glob, path), (glob, path)
    folded = compile_globs([glob], fold=True)
    assert folded is not None
    assert bool(folded.match(path.casefold())) is \
        reference_match(glob.casefold(), path.casefold())


@pytest.mark.parametrize(("glob", "path", "expected"), [
    ("**/.claude/**", ".claude/skills/deploy\n/SKILL.md", True),
    ("**/.claude/**", "a\n/.claude/x", True),
    (".claude/*", ".claude/a\nb", True),
    ("docs/?.md", "docs/\n.md", True),
    ("docs/[!a].md", "docs/\n.md", True),
    ("docs/[!a].md", "docs///.md", False),
    ("a[!x]b", "a/b", False),
    ("a[--0]b", "a/b", False),
    ("**/x", "\n/x", True),
    ("tests/fixtures/**", "tests/fixtures/\n", True),
])
def test_every_byte_but_a_slash_is_alike(glob: str, path: str, expected: bool) -> None:
    pattern = compile_globs([glob], fold=False)
    assert pattern is not None
    assert bool(pattern.match(path)) is expected


@pytest.mark.parametrize("bad", ["a**/b", "[z-a]", "x/[b-a]y"])
def test_more_bad_globs(bad: str) -> None:
    with pytest.raises(GlobError):
        compile_globs([bad], fold=False)


@pytest.mark.parametrize(("glob", "folder", "expected"), [
    ("**/.github/copilot-instructions.md", ".github", True),
    ("**/.github/copilot-instructions.md", "pkg/.github", True),
    ("**/.github/copilot-instructions.md", "docs", False),
    ("**/.claude/**", ".claude", True),
    ("**/.claude/**", "tools/cfg", False),
    ("**/.github/instructions/**/*.instructions.md", ".github/instructions", True),
    ("**/.github/instructions/**/*.instructions.md", ".github/instructions/a/b", True),
    ("**/CLAUDE.md", "CLAUDE.md", False),       # a file's name: nothing can be below it
    ("prompts/**", "prompts", True),
    ("prompts/**", "x/prompts", False),
    ("*/CLAUDE.md", "pkg", True),
    ("**/.aider.tags.cache.v*/**", ".aider.tags.cache.v4", True),
])
def test_could_hold(glob: str, folder: str, expected: bool) -> None:
    assert could_hold(glob, folder.split("/")) is expected
