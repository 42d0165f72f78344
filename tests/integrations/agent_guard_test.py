"""The agent guard's decision: which shell commands an agent may run, from the tool input."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ai_clearance.integrations.agent_guard import (
    MAX_NESTING,
    MAX_PAYLOAD,
    commit_skips_hooks,
    decide_command,
    decide_payload,
)
from ai_clearance.integrations.shell_words import ShellSyntaxError, split_commands
from conftest import best_seconds

REFUSED = [
    "git commit --no-verify -m x",
    "git commit -m x --no-verify",
    "git commit --no-veri -m x",  # git takes an unambiguous abbreviation
    "git commit -nm x",
    "git commit -anm x",
    "git commit -n",
    "git commit -m msg -n",
    "git -c core.hooksPath=/dev/null commit -m x",
    "git -c core.hookspath=/dev/null commit",
    "git -ccore.hooksPath=/tmp/none commit -m x",
    "git --config-env=core.hooksPath=EMPTY commit",
    "git -C sub -c core.hooksPath= commit -m x",
    "git config core.hooksPath /dev/null",
    "git config set --global core.hooksPath /dev/null",
    "git -c alias.ci='commit -n' ci -m x",
    "git -c 'alias.ci=!git commit --no-verify' ci",
    "git config --global alias.ci 'commit --no-verify'",
    "git config --local core.hooksPath .nohooks && git commit -m x",
    "SKIP=ai-clearance-msg git commit -m x",
    "SKIP=flake8,ai-clearance-files git commit -m x",
    "export SKIP=ai-clearance-push; git push",
    "export PATH HUSKY=0",
    "declare -x SKIP=ai-clearance-files",
    "env SKIP=ai-clearance-msg git commit -m x",
    "env -u HOME git commit -n -m x",
    "env -u HOME SKIP=ai-clearance-msg git commit -m x",
    "HUSKY=0 git commit -m x",
    "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.hooksPath GIT_CONFIG_VALUE_0=/x git commit",
    "git push --no-verify",
    "git push origin main --no-verify",
    "git merge --no-verify topic",
    "cd repo && git add . && git commit --no-verify -m 'wip'",
    "git status; git commit -n -m x",
    "true || git commit --no-verify -m x",
    "(cd repo; git commit -n -m x)",
    "{ git commit -n -m x; }",
    'echo "$(git commit --no-verify -m x)"',
    "echo `git commit -n -m x`",
    'git commit -m "$(cat msg.txt)" --no-verify',
    "bash -c 'git commit --no-verify -m x'",
    'sh -lc "git commit -n -m x"',
    "eval git commit --no-verify -m x",
    "sudo -u me git commit --no-verify -m x",
    "/usr/bin/git commit --no-verify -m x",
    "git.exe commit --no-verify -m x",
    "nohup git commit -n -m x &",
    "timeout 60 git push --no-verify",
    "xargs -I{} git commit -n -m {}",
    "pre-commit uninstall",
    "git commit -m x\ngit push --no-verify",
    'git commit -m "unclosed',  # cannot be read: refused
    "git commit -m 'unclosed",
    "echo $(git status",
]

ALLOWED = [
    "git commit -m x",
    'git commit -m "--no-verify docs"',
    "git commit -m 'explain -n and --no-verify in docs'",
    "git commit -mn",  # the message is "n"
    "git commit -m -n",  # the message is "-n"
    "git commit -F -n",
    "git commit --message --no-verify",  # the message is "--no-verify"
    "git commit --no-verify --verify -m x",  # the last one wins: hooks run
    "git commit -am 'fix: (a) b' && git push",
    "git commit -m x -- --no-verify",  # a path after --
    "git push -n origin main",  # push's -n is --dry-run
    "git log --oneline -n 5",
    "git log --no-verify",
    "git config --get core.hooksPath",
    "git config core.editor vim",
    "git config --global alias.ci 'commit -v'",
    "git config --global alias.lg 'log -n 5'",
    "git -c user.name=x commit -m x",
    "SKIP=flake8 git commit -m x",
    "export PATH=/usr/bin SKIP=",
    "env -u HOME FOO=1 git commit -m x",
    "grep -rn -- --no-verify docs/",
    "echo 'git commit --no-verify' > notes.txt",
    "git commit -m x # --no-verify is not used",
    "pre-commit run --all-files",
    "git rev-parse --verify HEAD",
    "ls -la",
    "sudo apt-get install git",
    "",
]


@pytest.mark.parametrize("command", REFUSED)
def test_commands_that_skip_the_hooks_are_refused(command: str) -> None:
    assert decide_command(command) is not None


@pytest.mark.parametrize("command", ALLOWED)
def test_other_commands_run(command: str) -> None:
    assert decide_command(command) is None


def test_a_refusal_says_what_and_what_to_do_instead() -> None:
    reason = decide_command("git commit --no-verify -m x") or ""
    assert "--no-verify" in reason
    assert "without" in reason
    assert "\n" not in reason


@pytest.mark.parametrize(("arguments", "skips"), [
    (["-n"], True), (["-qn"], True), (["-nm", "x"], True), (["-mn"], False),
    (["-m", "-n"], False), (["-Sn"], False), (["-c", "HEAD", "-n"], True),
    (["--author", "-n", "-m", "x"], False), (["--author=x", "-n"], True),
    (["--no-verify", "--verify"], False), (["--", "-n"], False),
])
def test_commit_options_are_read_as_git_reads_them(arguments: list[str],
                                                   skips: bool) -> None:
    assert commit_skips_hooks(arguments) is skips


@pytest.mark.parametrize(("line", "commands"), [
    ("a b", [["a", "b"]]),
    ("a 'b c' \"d\\\"e\" f\\ g", [["a", "b c", 'd"e', "f g"]]),
    ("a && b || c; d | e & f", [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]]),
    ('x "$(y "(z)")" w', [["y", "(z)"], ["x", "$", "w"]]),
    ("x `y` w", [["y"], ["x", "$", "w"]]),
    ("x $(( 1 + 2 )) w", [["1", "+", "2"], ["x", "$", "w"]]),
    ("a # b c\nd", [["a"], ["d"]]),
    ("a '' b", [["a", "", "b"]]),
])
def test_the_shell_reader_splits_simple_commands(line: str,
                                                 commands: list[list[str]]) -> None:
    assert split_commands(line) == commands


@pytest.mark.parametrize("line", ["a 'b", 'a "b', "a $(b", 'a "$(b"', "a `b"])
def test_the_shell_reader_refuses_what_it_cannot_close(line: str) -> None:
    with pytest.raises(ShellSyntaxError):
        split_commands(line)


def _payload(command: object, tool: str = "Bash") -> bytes:
    return json.dumps({"session_id": "s", "hook_event_name": "PreToolUse",
                       "tool_name": tool, "tool_input": {"command": command}}).encode()


def test_the_payload_of_a_claude_code_bash_call_is_judged() -> None:
    assert decide_payload(_payload("git commit --no-verify -m x")) is not None
    assert decide_payload(_payload("git commit -m x")) is None


def test_the_payload_of_a_gemini_shell_call_is_judged() -> None:
    assert decide_payload(_payload("git commit -n -m x", "run_shell_command")) is not None
    assert decide_payload(_payload("git status", "run_shell_command")) is None


def test_another_tool_is_not_judged() -> None:
    data = json.dumps({"tool_name": "Write",
                       "tool_input": {"file_path": "a", "content": "--no-verify"}})
    assert decide_payload(data.encode()) is None


@pytest.mark.parametrize("data", [
    b"", b"not json", b"[1, 2]", b'"git commit"', b"\xff\xfe", b'{"tool_name": "Bash"}',
    b'{"tool_name": "Bash", "tool_input": {"command": 3}}',
    b'{"tool_name": "Bash", "tool_input": "git commit -n"}',
    b'{"tool_input": {}}',
])
def test_input_that_cannot_be_read_is_refused(data: bytes) -> None:
    reason = decide_payload(data)
    assert reason is not None
    assert "\n" not in reason


def test_deeply_nested_json_is_refused_not_a_crash() -> None:
    assert decide_payload(b"[" * 200_000 + b"]" * 200_000) is not None


def test_an_oversized_payload_is_refused_unread() -> None:
    assert decide_payload(b" " * (MAX_PAYLOAD + 1)) is not None


def test_nesting_is_bounded() -> None:
    command = "git status"
    for _ in range(MAX_NESTING + 2):
        command = f"sh -c {json.dumps(command)}"
    assert decide_command(command) is not None
    assert decide_command("sh -c 'sh -c \"git status\"'") is None


@pytest.mark.parametrize("unit", [
    "git commit -m x && ", "'a' \"b\" ", "$(a ", '"$(a ', "\\x", "-n ",
])
def test_the_decision_costs_linear_time(unit: str) -> None:
    """Four times the command line costs about four times the time (a ratio of two sizes;
    a quadratic reader would be near 16)."""

    def make(n: int) -> Callable[[], object]:
        line = "git commit " + unit * n
        return lambda: decide_command(line)

    small, large = make(2_000), make(8_000)
    small()
    # The best of five: a deep `$(` nesting makes many objects (the collector is off).
    repeat = max(1, round(0.02 / max(best_seconds(small, tries=5), 1e-7)))
    assert best_seconds(large, 5, repeat) / best_seconds(small, 5, repeat) < 8
