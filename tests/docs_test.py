"""SECURITY.md names the tests behind each guarantee: every one it names must exist."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT

# `file_test.py::test_name`, then `::test_other` for more tests of the same file.
_REFERENCE = re.compile(r"`(?:([\w/]+_test\.py)(?:::(\w+))?|::(\w+))`")


def _tests_by_file() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / "tests").rglob("*_test.py"):
        names = set(re.findall(r"^def (test_\w+)", path.read_text("utf-8"), re.M))
        found.setdefault(path.name, set()).update(names)
    return found


def test_every_test_security_md_names_exists() -> None:
    tests = _tests_by_file()
    text = (ROOT / "SECURITY.md").read_text("utf-8")
    current: str | None = None
    named: list[tuple[str, str | None]] = []
    for match in _REFERENCE.finditer(text):
        file, test, more = match.groups()
        if file is not None:
            current = file.rsplit("/", 1)[-1]
            named.append((current, test))
        else:
            assert current is not None, f"`::{more}` names no file before it"
            named.append((current, more))
    assert len(named) > 40
    missing = [f"{file}::{test}" if test else file for file, test in named
               if file not in tests or (test is not None and test not in tests[file])]
    assert missing == []


# `[text](target)` outside code: a relative file, a heading anchor, or both.
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_CODE = re.compile(r"`[^`]*`")


def _anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown text (a repeated heading's later
    anchors end in -1, -2, ...)."""
    found: set[str] = set()
    for heading in re.findall(r"^#+ (.+)$", _FENCE.sub("", text), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        count = sum(1 for a in found if a == slug or re.fullmatch(rf"{re.escape(slug)}-\d+", a))
        found.add(f"{slug}-{count}" if count else slug)
    return found


def _pages() -> list[Path]:
    return [ROOT / "README.md", ROOT / "SECURITY.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_relative_link_of_the_readme_and_docs_resolves() -> None:
    broken: list[str] = []
    for page in _pages():
        text = page.read_text("utf-8")
        for target in _LINK.findall(_CODE.sub("", _FENCE.sub("", text))):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and linked.suffix == ".md" \
                    and anchor not in _anchors(linked.read_text("utf-8")):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def test_the_readme_stays_a_page_for_users() -> None:
    """The README holds the commands, the quick starts and links; reference and design
    live in docs/ (issue 22 asked for under ~250 lines, from 773)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) < 250
    assert readme.split("\n", 3)[2] == "```sh"  # it starts with the two commands
    for page in ("docs/cli.md", "docs/policy.md", "docs/ci.md", "docs/detection.md"):
        assert f"]({page})" in readme, page
