"""Atomic writes of the maintainer commands: create never replaces, replace never tears."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_clearance.cli.atomic import create_file, replace_file
from ai_clearance.errors import UsageError


def test_create_only_where_nothing_is(tmp_path: Path) -> None:
    assert create_file(str(tmp_path), "a/b.txt", b"one")
    assert not create_file(str(tmp_path), "a/b.txt", b"two")
    assert (tmp_path / "a" / "b.txt").read_bytes() == b"one"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b.txt"]


def test_replace_writes_whole_files(tmp_path: Path) -> None:
    replace_file(str(tmp_path), "x/y", b"old")
    replace_file(str(tmp_path), "x/y", b"new")
    assert (tmp_path / "x" / "y").read_bytes() == b"new"
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["y"]


@pytest.mark.parametrize("where", ["../escape", "/etc/passwd", "a/../../escape"])
def test_nothing_is_written_outside_the_root(tmp_path: Path, where: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(UsageError, match="outside the work tree"):
        create_file(str(root), where, b"x")
    assert not (tmp_path / "escape").exists()
