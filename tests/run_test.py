"""run(): errors become one line and their documented exit code, never a traceback."""

from __future__ import annotations

import io

from ai_clearance.run import Request, run
from conftest import Repo


class _BrokenOutput(io.StringIO):
    def write(self, text: str) -> int:
        raise RuntimeError("disk full")


def test_internal_error_is_exit_4_and_one_line(clean_repo: Repo) -> None:
    err = io.StringIO()
    code = run(Request(source="history", cwd=str(clean_repo.path)), out=_BrokenOutput(), err=err)
    assert code == 4
    assert err.getvalue().startswith("ai-clearance: internal error (RuntimeError: disk full)")
    assert err.getvalue().count("\n") == 1


def test_unknown_source_is_a_usage_error(clean_repo: Repo) -> None:
    err = io.StringIO()
    assert run(Request(source="bogus", cwd=str(clean_repo.path)), err=err) == 2


def test_pass_and_fail_codes(clean_repo: Repo) -> None:
    out = io.StringIO()
    assert run(Request(source="tree", argument="HEAD", cwd=str(clean_repo.path)), out=out) == 0
    clean_repo.commit("add", "AGENTS.md")
    assert run(Request(source="tree", argument="HEAD", cwd=str(clean_repo.path)), out=out) == 1
