"""run(): errors become one line and their documented exit code, never a traceback."""

from __future__ import annotations

import io
import subprocess

import pytest

from ai_clearance.check import Request, hook_request, run
from ai_clearance.errors import UsageError
from conftest import Repo, _bin


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


def test_hook_options_in_both_spellings_and_file_names_passed_through() -> None:
    request, rest = hook_request(["--config", "a.toml", "--format=json", "x.py", "y.py"],
                                 "ai-clearance-files", "staged")
    assert (request.config, request.output_format, request.source) == ("a.toml", "json",
                                                                        "staged")
    assert rest == ["x.py", "y.py"]
    request, rest = hook_request(["--config=b.toml", "MSG", "--", "--format"],
                                 "ai-clearance-msg", "message", takes_file=True)
    assert (request.config, request.argument, request.output_format) == ("b.toml", "MSG",
                                                                         "text")
    assert rest == ["--format"]


def test_hook_config_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_CLEARANCE_CONFIG", "env.toml")
    assert hook_request([], "ai-clearance-files", "staged")[0].config == "env.toml"
    assert hook_request(["--config", "arg.toml"], "ai-clearance-files",
                        "staged")[0].config == "arg.toml"


@pytest.mark.parametrize(("argv", "takes_file", "says"), [
    (["--format", "yaml"], False, "--format must be text or json"),
    (["--config"], False, "--config needs a value"),
    ([], True, "commit message file is missing"),
])
def test_bad_hook_arguments_are_usage_errors(argv: list[str], takes_file: bool,
                                             says: str) -> None:
    with pytest.raises(UsageError, match=says):
        hook_request(argv, "ai-clearance-msg", "message", takes_file=takes_file)


def test_hook_processes_report_bad_arguments_in_one_line(clean_repo: Repo) -> None:
    proc = subprocess.run([_bin("ai-clearance-files"), "--format", "yaml"],
                          cwd=clean_repo.path, capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert proc.stderr == ("ai-clearance: error: ai-clearance-files: --format must be text or "
                           "json, not 'yaml'\n")
    helped = subprocess.run([_bin("ai-clearance-msg"), "--help"], cwd=clean_repo.path,
                            capture_output=True, text=True, check=False)
    assert helped.returncode == 0
    assert helped.stdout.startswith("usage: ai-clearance-msg [--config FILE]")


def test_staged_check_reports_what_the_index_holds(clean_repo: Repo) -> None:
    """The staged diff is read on a thread while trust loads: the result is the same."""
    clean_repo.write("CLAUDE.md")
    clean_repo.write("src/ok.py")
    clean_repo.git("add", "CLAUDE.md", "src/ok.py")
    out = io.StringIO()
    code = run(Request(source="staged", output_format="json", cwd=str(clean_repo.path)),
               out=out)
    assert code == 1
    assert '"paths_scanned": 2' in out.getvalue()
    assert '"path": "CLAUDE.md"' in out.getvalue()


def test_a_git_error_on_the_staged_thread_is_one_line_and_exit_3(clean_repo: Repo) -> None:
    (clean_repo.path / ".git" / "index").write_bytes(b"DIRC\x00\x00\x00\x09garbage")
    err = io.StringIO()
    code = run(Request(source="staged", cwd=str(clean_repo.path)), out=io.StringIO(), err=err)
    assert code == 3
    assert err.getvalue().startswith("ai-clearance: error: git diff-index failed: ")
    assert err.getvalue().count("\n") == 1
