"""Launchers, package runners and installers (launchers.py, and the workflow lists of
catalog.toml): the vendors' installers, the package runners that run an agent's program,
and what a program runs through its arguments."""

from __future__ import annotations

import pytest
from shell_agents_test import _encoded, _rules_found

from ai_clearance.detect.launchers import decoded_command
from ai_clearance.detect.shell import invocations, script_commands


# ------------------------------------------------------------------ installers and launchers
@pytest.mark.parametrize(("run", "rule"), [
    # anthropics/claude-code README: install.sh, install.ps1, brew --cask, winget; the
    # setup docs' CMD line fetches install.cmd.
    ("curl -fsSL https://claude.ai/install.sh | bash", "AIC301"),
    ("curl -fsSL https://claude.ai:443/install.sh | bash", "AIC301"),
    ("curl -fsSL https://ci@claude.ai/install.sh | bash", "AIC301"),
    ("curl -fsSL https://user:pw@claude.ai:443//install.sh | bash", "AIC301"),
    ("curl -fsSL HTTPS://CLAUDE.AI/install.sh | bash", "AIC301"),
    ("curl -fsSL https://claude.ai/%69nstall.sh | bash", "AIC301"),
    ("curl -fsSL https://claude.ai/install.cmd -o i.cmd && i.cmd", "AIC301"),
    ("brew install claude-code", "AIC301"),
    ("brew install --cask claude-code", "AIC301"),
    ("winget install Anthropic.ClaudeCode", "AIC301"),
    ("winget install -e --id=anthropic.claudecode", "AIC301"),
    # The Agent SDKs run Claude Code's agent loop (the Python one bundles the CLI).
    ("npm i @anthropic-ai/claude-agent-sdk && node review.mjs", "AIC301"),
    ("pip install claude-agent-sdk", "AIC301"),
    ("uv pip install claude_agent_sdk==0.2", "AIC301"),
    ("pip install claude-code-sdk", "AIC301"),
    # developers.openai.com/codex/sdk: the SDK spawns the codex CLI.
    ("npm install @openai/codex-sdk", "AIC302"),
    ("brew install --cask codex", "AIC302"),
    # gemini-cli docs/get-started/installation.md: brew install gemini-cli.
    ("brew install gemini-cli", "AIC303"),
    ("gemini --yolo 'fix the build'", "AIC303"),
    ("gemini -y 'fix the build'", "AIC303"),
    ("gemini --approval-mode=yolo 'fix the build'", "AIC303"),
    ("curl https://cursor.com/install -fsS | bash", "AIC305"),
    # launchers that run a package's program
    ("npx claude -p x", "AIC301"),
    ("npx -y claude@latest -p x", "AIC301"),
    ("npx --package @anthropic-ai/claude-code claude -p x", "AIC301"),
    ("bunx claude -p x", "AIC301"),
    ("bun x claude -p x", "AIC301"),
    ("pnpm dlx @anthropic-ai/claude-code -p x", "AIC301"),
    ("pnpm exec claude -p x", "AIC301"),
    ("yarn dlx @anthropic-ai/claude-code -p x", "AIC301"),
    ("yarn claude -p x", "AIC301"),
    ("npm exec -- claude -p x", "AIC301"),
    ("deno run -A npm:@anthropic-ai/claude-code -p x", "AIC301"),
    ("deno run --allow-all npm:@openai/codex exec x", "AIC302"),
    ("uvx aider-chat --message x", "AIC306"),
    ("uv tool run --from aider-chat aider -m x", "AIC306"),
    ("pipx run aider-chat -m x", "AIC306"),
])
def test_installers_and_launchers(run: str, rule: str) -> None:
    assert rule in _rules_found(run), run


# ------------------------------------------------------------------ the pieces
def test_decoded_command_is_utf16_base64_or_nothing() -> None:
    assert decoded_command(_encoded("claude -p x")) == "claude -p x"
    assert decoded_command("not base64!") == ""
    assert decoded_command("A" * (1 << 17)) == ""


def test_invocations_of_launchers_and_start_process() -> None:
    def calls(script: str) -> list[tuple[str, ...]]:
        return [c for _, w in script_commands(script, "shell") for c in invocations(w, 0)]
    assert ("claude", "-p", "x") in calls("deno run -A npm:@anthropic-ai/claude-code@1 -p x") \
        or ("claude-code", "-p", "x") in calls("deno run -A npm:@anthropic-ai/claude-code@1 -p x")
    assert ("claude", "-p", "x") in calls("Start-Process claude -ArgumentList '-p','x'")
