"""SECURITY.md names the tests behind each guarantee: every one it names must exist."""

from __future__ import annotations

import re

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
