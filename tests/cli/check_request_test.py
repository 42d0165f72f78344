"""`check_request`: `ai-clearance check`'s options parsed by the CLI's own parser, for a caller
that runs the check in process (the Action, with its `args` input)."""

from __future__ import annotations

import pytest

from ai_clearance.check import Request
from ai_clearance.cli.main import check_request
from ai_clearance.errors import EXIT_USAGE, UsageError


def test_options_become_the_request_the_cli_would_run() -> None:
    request = check_request(["--range", "a..b", "--branch", "topic", "--no-trust",
                             "--pull-request", "7", "--token", "t1", "--token", "t2",
                             "--config", "/etc/policy.toml", "-C", "sub"])
    assert request == Request(source="range", argument="a..b", branch="topic", no_trust=True,
                              pull_request=7, tokens=("t1", "t2"), config="/etc/policy.toml",
                              cwd="sub")
    assert check_request(["--history"]).source == "history"


@pytest.mark.parametrize(("argv", "says"), [
    (["--range", "a..b", "--frobnicate"], "No such option"),
    (["--range", "a..b", "--history"], "give exactly one of"),
    (["--range", "a..b", "--pull-request", "0"], "--pull-request"),
    (["--range="], "--range was given an empty value"),
    (["--history", "--help"], "No such option"),  # no help printed, and no check run
])
def test_arguments_the_cli_refuses_are_a_usage_error(argv: list[str], says: str) -> None:
    with pytest.raises(UsageError) as raised:
        check_request(argv)
    message = str(raised.value)
    assert says in message and "\n" not in message
    assert argv[-1].partition("=")[0] in message
    assert raised.value.exit_code == EXIT_USAGE
