"""Glob translation used by catalog rules and policy excludes."""

from __future__ import annotations

import pytest

from ai_clearance.globs import GlobError, compile_globs


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
