"""The edge that reads a hook's session: the real process tree, bounded, on every OS."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ai_clearance.source import session

_PRINT_ANCESTORS = (
    "import json; from ai_clearance.source.session import ancestors; "
    "print(json.dumps([[r.pid, r.name, list(r.argv)] for r in ancestors()]))")


def test_the_walk_sees_a_script_named_like_an_agent_above_it(tmp_path: Path) -> None:
    agent = tmp_path / "codex"
    agent.write_text('#!/bin/sh\n"$@"\n', encoding="utf-8")
    agent.chmod(agent.stat().st_mode | stat.S_IXUSR)
    ran = subprocess.run([str(agent), sys.executable, "-c", _PRINT_ANCESTORS],
                         capture_output=True, text=True, check=True)
    records = json.loads(ran.stdout)
    assert records[0][1] == "codex"  # the parent: the script, by its name
    assert any(r[0] == __import__("os").getpid() for r in records)  # and this test above it


def test_the_walk_is_bounded() -> None:
    assert len(session.ancestors(limit=1)) == 1
    assert len(session.ancestors()) <= session.MAX_ANCESTORS


def test_without_psutil_the_check_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psutil", None)
    with pytest.raises(session.SessionError, match="psutil is not installed") as caught:
        session.ancestors()
    assert caught.value.exit_code == 3


def test_no_session_rule_reads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from ai_clearance.catalog.rules import load_catalog

    catalog = load_catalog()
    bare = replace(catalog, by_target={k: v for k, v in catalog.by_target.items()
                                       if k != "session"})
    monkeypatch.setitem(sys.modules, "psutil", None)  # would fail if it were imported
    assert session.session_findings(None, bare, {"CLAUDECODE": "1"}) == []
    assert [f.rule for f in session.session_findings(
        None, replace(bare, by_target={"session": catalog.rules_for("session")[:1]}),
        {"CLAUDECODE": "1"})] == ["AIC801"]


def _script(path: Path) -> Path:
    """A shell script that runs its arguments as a child (it stays an ancestor)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('#!/bin/sh\n"$@"\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


_FINDINGS = (
    "from ai_clearance.catalog.rules import load_catalog; "
    "from ai_clearance.source.session import session_findings; "
    "print(' '.join(sorted(f.rule for f in session_findings(None, load_catalog(), {}))))")


def _session_rules(*command: str) -> set[str]:
    ran = subprocess.run([*command, sys.executable, "-c", _FINDINGS], capture_output=True,
                         text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    return set(ran.stdout.split())


def test_a_link_named_agent_into_cursors_install_folder_is_cursor(tmp_path: Path) -> None:
    """Cursor's installer links ~/.local/bin/agent to its versioned folder: the edge follows
    the link of the script a real shell runs, so the generic name gets its second signal."""
    real = _script(tmp_path / ".local/share/cursor-agent/versions/2026.1/cursor-agent")
    link = tmp_path / ".local/bin/agent"
    link.parent.mkdir(parents=True)
    link.symlink_to(real)
    baseline = _session_rules()  # whatever runs this test, if anything
    assert "AIC833" in _session_rules(str(link)) - baseline
    # A program called agent anywhere else is nobody's agent.
    assert _session_rules(str(_script(tmp_path / "opt/monitor/agent"))) == baseline


def test_the_words_of_a_shell_c_string_are_no_program(tmp_path: Path) -> None:
    """A real `sh -c` whose text ends in an agent's name (a make recipe), then the same
    name run as a script: only the script is an agent."""
    baseline = _session_rules()
    # A second command keeps the shell from exec'ing the first: it stays an ancestor.
    inline = _session_rules("/bin/sh", "-c", '"$@"; : third_party/gemini', "sh")
    assert inline == baseline
    script = _script(tmp_path / "bin" / "gemini")
    assert "AIC823" in _session_rules("/bin/sh", str(script)) - baseline


@pytest.mark.parametrize(("package", "script", "rule"), [
    ("@anthropic-ai/claude-code", "cli.js", "AIC821"),
    ("@google/gemini-cli", "dist/index.js", "AIC823"),
    ("@qwen-code/qwen-code", "cli.js", "AIC835"),
    ("@sourcegraph/amp", "dist/main.js", "AIC827"),
])
def test_a_script_run_from_an_agents_npm_package_is_that_agent(
        tmp_path: Path, package: str, script: str, rule: str) -> None:
    """An interpreter running a file inside an agent's npm package folder (a global
    install, npx's cache) is the agent, whatever the file is called."""
    baseline = _session_rules()
    installed = _script(tmp_path / "lib/node_modules" / package / script)
    assert rule in _session_rules("/bin/sh", str(installed)) - baseline


def test_a_projects_own_dependency_is_no_agent(tmp_path: Path) -> None:
    baseline = _session_rules()
    for path in ("app/node_modules/foo/cli.js",
                 "app/node_modules/@anthropic-ai/claude-code-router/cli.js",
                 "src/@anthropic-ai/claude-code/cli.js"):  # a checkout, not an install
        assert _session_rules("/bin/sh", str(_script(tmp_path / path))) == baseline, path


_NODE_RUNS_ITS_ARGUMENTS = (
    "const r = require('child_process').spawnSync(process.argv[2], process.argv.slice(3), "
    "{stdio: 'inherit'}); process.exit(r.status === null ? 1 : r.status);\n")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_node_running_an_agents_bin_file_is_that_agent(tmp_path: Path) -> None:
    """A real node, as `npx @google/gemini-cli` or an IDE extension starts the CLI; the
    same file in a project's own dependency is nobody's agent."""
    node = str(shutil.which("node"))
    baseline = _session_rules()
    agent = tmp_path / "npx/node_modules/@google/gemini-cli/dist/index.js"
    own = tmp_path / "app/node_modules/gemini-utils/dist/index.js"
    for path in (agent, own):
        path.parent.mkdir(parents=True)
        path.write_text(_NODE_RUNS_ITS_ARGUMENTS, encoding="utf-8")
    assert "AIC823" in _session_rules(node, str(agent)) - baseline
    assert _session_rules(node, str(own)) == baseline
