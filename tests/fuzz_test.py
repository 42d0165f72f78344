"""Property tests: no input makes the CLI print a traceback, and no disguise of a trace makes
it pass. Writes are atomic even when the writer is killed."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.cli.main import main
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.model import PathChange
from conftest import ROOT, Repo, git

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def fuzz_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "repo"
    git(path.parent, "init", "-q", "-b", "main", str(path))
    repo = Repo(path)
    repo.commit("init", "README.md")
    repo.commit("memory", "CLAUDE.md")
    return path


# Prose that cannot open a code fence, a quotation or an indented block around the trace.
_PROSE = st.text(alphabet=st.characters(blacklist_characters="`~>\r\x0b\x0c\x1c\x1d\x1e\x1f"
                                         "\x85\u2028\u2029",
                                        blacklist_categories=("Cs",)),
                 max_size=200).map(lambda t: "\n".join(line.strip() for line in t.split("\n")))
_TRACES = st.sampled_from([
    "Co-Authored-By: Claude <noreply@anthropic.com>",
    "co-authored-by:\tClaude Opus 4.7 <NOREPLY@ANTHROPIC.COM>",
    "Co\u200b-Authored-By: Claude <noreply@anthropic.com>",
    "Ｃｏ-Ａｕｔｈｏｒｅｄ-Ｂｙ: Codex <noreply@openai.com>",
    "Made-with: Cursor",
    "Claude-Session: https://claude.ai/code/session_01ABCdef",
    "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
    "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
    "Amp-Thread-ID: https://ampcode.com/threads/T-1234",
])


@FUZZ
@given(subject=_PROSE, before=_PROSE, after=_PROSE, trace=_TRACES,
       crlf=st.booleans())
def test_no_disguise_or_surrounding_text_hides_a_trace(tmp_path: Path, subject: str,
                                                      before: str, after: str, trace: str,
                                                      crlf: bool) -> None:
    first = subject.split("\n", maxsplit=1)[0] or "Subject"
    text = f"{first}\n\n{before}\n\n{trace}\n{after}\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    message = tmp_path / "msg"
    message.write_bytes(text.encode("utf-8", "surrogatepass"))
    code, _, err = _cli("check", "--message", str(message), "-C", str(tmp_path))
    assert code == 1, (text, err)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_any_message_bytes(tmp_path: Path, data: bytes) -> None:
    message = tmp_path / "msg"
    message.write_bytes(data)
    code, _, err = _cli("check", "--message", str(message), "-C", str(tmp_path))
    assert code in (0, 1) and "Traceback" not in err


@FUZZ
@given(config=st.text(max_size=300) | st.sampled_from([
    'allowed = ["claude"]', "restricted = 3", '[severity]\nAIC101 = "x"',
    'exclude_paths = ["**"]', 'exclude_paths = ["[", "/x"]', "[[rules]]\nid = 1",
    '[[rules]]\nid="ORG001"\nkind="marker"\nseverity="block"\ndescription="d"\n'
    'assistants=["claude"]\npattern="(a*)*b"',
]))
def test_any_config(fuzz_repo: Path, tmp_path: Path, config: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(config, "utf-8", errors="surrogatepass")
    code, _, err = _cli("check", "--tree", "HEAD", "--config", str(path), "-C", str(fuzz_repo))
    assert code in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err
    if code == 2:
        assert err.count("\n") == 1 and str(path) in err


@FUZZ
@given(token=st.text(max_size=400) | st.from_regex(
    r"aic1\.[A-Za-z0-9_-]{0,80}(\.[A-Za-z0-9_-]{0,80})?", fullmatch=True))
def test_any_token(fuzz_repo: Path, token: str) -> None:
    if not token.strip() or token.startswith("-"):
        return
    code, _, err = _cli("check", "--tree", "HEAD", "--token", token, "-C", str(fuzz_repo))
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err


@FUZZ
@given(path=st.text(min_size=1, max_size=120))
def test_any_path(path: str) -> None:
    findings, _ = PathMatcher(load_catalog()).match(PathChange(path, "0" * 40, "100644"))
    assert all(f.path == path for f in findings)


@FUZZ
@given(args=st.lists(st.sampled_from([
    "check", "--staged", "--history", "--all", "--range", "--tree", "HEAD", "HEAD~9..HEAD",
    "--format", "json", "xml", "--message", "-", "--config", "rules", "explain", "AIC101",
    "--token", "x", "--pull-request", "0", "approvals", "list", "--branch", "claude/x",
]), max_size=6))
def test_any_command_line(fuzz_repo: Path, args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "ai_clearance", *args], cwd=fuzz_repo,
                          input="", capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode in (0, 1, 2, 3), proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


# ------------------------------------------------------------------------ atomic writes
_KILLABLE_WRITER = """
import os, sys, time
sys.path.insert(0, {hooks!r})
from ai_clearance.cli import maintainer
real_fsync = os.fsync
def slow_fsync(fd):
    open({ready!r}, "w").close()
    time.sleep(60)
os.fsync = slow_fsync
maintainer.write_atomic({root!r}, ".ai-clearance/approvals/apv-20260101-00000000.json",
                        b"NEW CONTENT " * 1000)
"""


@pytest.mark.parametrize("existing", [True, False])
def test_killed_write_leaves_old_or_nothing(tmp_path: Path, existing: bool) -> None:
    target = tmp_path / ".ai-clearance" / "approvals" / "apv-20260101-00000000.json"
    target.parent.mkdir(parents=True)
    if existing:
        target.write_bytes(b"OLD CONTENT")
    ready = tmp_path / "ready"
    script = _KILLABLE_WRITER.format(hooks=str(ROOT / "hooks"), ready=str(ready),
                                     root=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ready.exists(), "the writer never reached its flush"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if existing:
        assert target.read_bytes() == b"OLD CONTENT"
    else:
        assert not target.exists()
    leftovers = [p.name for p in target.parent.iterdir() if p != target]
    assert all(name.startswith(".tmp-") and name.endswith(".part") for name in leftovers)
    # A completed write replaces the file whole.
    done = subprocess.run([sys.executable, "-c", script.replace("time.sleep(60)", "pass")
                           .replace("real_fsync = os.fsync", "")
                           .replace("os.fsync = slow_fsync", "")], check=False)
    assert done.returncode == 0
    assert target.read_bytes() == b"NEW CONTENT " * 1000
    assert os.path.getsize(target) == 12000
