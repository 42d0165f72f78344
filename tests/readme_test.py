"""The README's quick starts, run as written: its shell blocks, with real git, ssh-keygen and
pre-commit, in fresh repositories."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from ai_clearance import HOME_URL
from conftest import AI_CLEARANCE, ROOT, Repo, git

README = (ROOT / "README.md").read_text("utf-8")
TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"


def _block_after(label: str, language: str = "sh") -> str:
    """The first fenced block of `language` after the paragraph that starts with `label`."""
    start = README.index(label)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(README, start)
    assert match is not None, f"no {language} block after {label!r}"
    return match.group(1)


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # `ai-clearance` and `pre-commit` as the README's first command installs them.
    path = f"{Path(AI_CLEARANCE).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, text=True,
                          capture_output=True, check=False,
                          env={**os.environ, **env, "PATH": path})


def _commands(block: str) -> list[str]:
    """The commands of a shell block, one per line, without their comments."""
    lines = (line.split("  #", 1)[0].strip() for line in block.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_the_maintainer_quick_start_and_the_approval_flow_clear_a_trace(
        repo: Repo, tmp_path: Path, pre_commit_home: Path,
        project_snapshot: tuple[Path, str]) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    key = home / ".ssh" / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    repo.git("config", "user.email", "maintainer@example.com")
    repo.git("config", "user.signingkey", str(key))
    repo.commit("Initial commit", "README.md")
    env = {"HOME": str(home), "PRE_COMMIT_HOME": str(pre_commit_home)}
    done = _bash(_block_after("**A maintainer**"), repo.path, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fail" not in done.stdout  # doctor: every check ok or warn
    # The hooks it installed come from this project's snapshot, not from the network.
    path, rev = project_snapshot
    config = repo.path / ".pre-commit-config.yaml"
    config.write_text(config.read_text("utf-8").replace(HOME_URL, str(path))
                      .replace("v0.1.0", rev), "utf-8")
    repo.git("commit", "-q", "--no-verify", "-am", "Hooks from the local snapshot")
    # The approval flow, each command run by whom its comment names: the request by the
    # developer (her address from git config), the rest by the maintainer. Off a terminal,
    # `approve --request` signs only with --yes (on one it shows the request and asks).
    request, approve, *rest = _commands(_block_after("**Approval, step by step**"))
    repo.git("config", "user.email", "jane@example.com")
    asked = _bash(request, repo.path, env)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    repo.git("config", "user.email", "maintainer@example.com")
    for command in (f"{approve} --yes", *rest):
        ran = _bash(command, repo.path, env)
        assert ran.returncode == 0, command + "\n" + ran.stdout + ran.stderr
    assert "active" in ran.stdout  # `approvals list`
    trusted = repo.head()
    repo.commit(f"Add parser\n\n{TRAILER}", "src/parser.py",
                author=("Jane", "jane@example.com"))
    cleared = repo.git("log", "-1", "--format=%H").stdout.strip()
    result = subprocess.run([AI_CLEARANCE, "check", "--range", f"{trusted}..{cleared}",
                             "--trust-ref", trusted], cwd=repo.path, text=True,
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cleared" in result.stdout
    repo.commit(f"Add lexer\n\n{TRAILER}", "src/lexer.py",
                author=("Mallory", "mallory@example.com"))
    other = subprocess.run([AI_CLEARANCE, "check", "--range", f"{trusted}..HEAD",
                            "--trust-ref", trusted], cwd=repo.path, text=True,
                           capture_output=True, check=False)
    assert other.returncode == 1, other.stdout + other.stderr


def test_the_developer_quick_start_installs_hooks_that_stop_a_trace(
        repo: Repo, project_snapshot: tuple[Path, str], pre_commit_home: Path) -> None:
    path, rev = project_snapshot
    config = _block_after("## Use it with pre-commit", "yaml")
    config = config.replace(HOME_URL, str(path))
    config = config.replace("v0.1.0", rev)
    repo.commit("Initial commit", "README.md")
    repo.write(".pre-commit-config.yaml", config)
    repo.git("add", ".pre-commit-config.yaml")
    repo.git("commit", "-q", "--no-verify", "-m", "Add pre-commit")
    repo.write("CLAUDE.md", "notes\n")
    repo.git("add", "CLAUDE.md")
    started = _bash(_block_after("**A developer**").replace("pip install pre-commit\n", ""),
                    repo.path, {})
    # The last command checks the staged CLAUDE.md: the trace fails it.
    assert started.returncode == 1 and "AIC101" in started.stdout, started.stderr
    hooks = Path(git(repo.path, "rev-parse", "--git-path", "hooks").stdout.strip())
    hooks = hooks if hooks.is_absolute() else repo.path / hooks
    assert {"pre-commit", "commit-msg", "pre-push"} <= {p.name for p in hooks.iterdir()}
    blocked = repo.git("commit", "-m", "Add notes", check=False)
    assert blocked.returncode != 0 and "AIC101" in blocked.stdout + blocked.stderr
    repo.git("rm", "-q", "--cached", "CLAUDE.md")
    repo.write("src/app.py", "print(1)\n")
    repo.git("add", "src/app.py")
    trailer = repo.git("commit", "-m", f"Add app\n\n{TRAILER}", check=False)
    assert trailer.returncode != 0, trailer.stdout  # the commit-msg hook
    assert repo.git("commit", "-m", "Add app", check=False).returncode == 0
