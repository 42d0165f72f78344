"""The session detector's pieces: executable names, the catalog's session fields, bounds."""

from __future__ import annotations

import pytest

from ai_clearance.catalog.rules import Catalog, build_catalog, load_catalog
from ai_clearance.clearance.policy import policy_from_text
from ai_clearance.detect.session import (
    MAX_VALUE_CHARS,
    ProcessRecord,
    agent_packages,
    executable_name,
    findings_for_session,
    process_names,
    running_program,
    script_operand,
)
from ai_clearance.errors import ConfigError
from conftest import clock


@pytest.mark.parametrize(("text", "name"), [
    ("/usr/local/bin/claude", "claude"),
    ("C:\\Program Files\\Codex\\codex.EXE", "codex"),
    ("gemini.cmd", "gemini"),
    ("Cursor", "cursor"),
    ("claude.js", "claude.js"),
    ("", ""),
])
def test_executable_name(text: str, name: str) -> None:
    assert executable_name(text) == name


@pytest.mark.parametrize(("argv", "runs"), [
    # Inline code is no script, whatever its words: make and npm run recipes this way.
    (("/bin/sh", "-c", "git commit -m x -- third_party/gemini"), None),
    (("bash", "-lc", "cd x && ./claude"), None),
    (("bash", "-ec", "true # ~/notes/codex"), None),
    (("bash", "-c", 'exec "$0"', "claude"), None),  # $0, not a script
    (("bash", "-s", "claude"), None),  # commands from standard input
    (("zsh", "--command", "codex"), None),
    (("fish", "-c", "gemini"), None),
    (("python3", "-c", "import os; os.system('/usr/bin/claude')"), None),
    (("python3", "-Ic", "x"), None),
    (("node", "-e", "require('/x/gemini')"), None),
    (("node", "--eval=1", "/x/gemini"), None),
    (("perl", "-e", "print 1", "/x/codex"), None),
    (("ruby", "-e", "p 1"), None),
    (("pwsh", "-NoProfile", "-Command", "claude"), None),
    (("powershell.exe", "-enc", "ZQBjAGgAbwA="), None),
    (("deno", "fmt", "claude"), None),
    (("bun", "x", "claude"), None),
    (("bash", "-"), None),
    # A script, after the options and their values.
    (("/bin/sh", "/tmp/bin/codex", "git"), ("script", "/tmp/bin/codex")),
    (("bash", "-o", "pipefail", "+O", "extglob", "./claude"), ("script", "./claude")),
    (("bash", "--rcfile", "/x/codex", "/y/gemini"), ("script", "/y/gemini")),
    (("node", "-r", "ts-node/register", "/usr/bin/gemini"), ("script", "/usr/bin/gemini")),
    (("node", "--require=x", "--", "/usr/bin/gemini"), ("script", "/usr/bin/gemini")),
    (("python3", "-W", "ignore", "/u/.local/bin/aider"), ("script", "/u/.local/bin/aider")),
    (("python3", "-Wignore", "/u/aider"), ("script", "/u/aider")),
    (("python3", "-m", "aider.main", "--yes"), ("module", "aider")),
    (("python3", "-Bmaider"), ("module", "aider")),
    (("deno", "run", "-A", "npm:x", "y"), ("script", "npm:x")),
    (("bun", "run", "/x/claude.js"), ("script", "/x/claude.js")),
    (("pwsh", "-ExecutionPolicy", "Bypass", "-File", "C:\\a\\claude.ps1"),
     ("script", "C:\\a\\claude.ps1")),
    (("ruby", "-I", "lib", "/x/claude"), ("script", "/x/claude")),
])
def test_an_interpreter_is_read_as_it_reads_its_command_line(
        argv: tuple[str, ...], runs: tuple[str, str] | None) -> None:
    assert running_program(ProcessRecord(1, executable_name(argv[0]), argv)) == runs


def test_a_program_that_is_no_interpreter_runs_no_script() -> None:
    assert running_program(ProcessRecord(1, "git", ("git", "-C", "claude"))) is None
    assert running_program(ProcessRecord(1, "", ())) is None


def test_reading_a_command_line_is_linear() -> None:
    """Many flags, many values: ten times the arguments cost about ten times the time
    (a ratio of two sizes, never an absolute bound)."""

    def cost(count: int, repeats: int) -> float:
        argv = ("bash", *(["-o", "pipefail", "--norc", "-x"] * count), "./claude")
        start = clock()
        for _ in range(repeats):
            assert script_operand(argv, "sh") == ("script", "./claude")
        return clock() - start

    cost(200, 2)
    ratio = min(cost(2000, 2) for _ in range(3)) / min(cost(200, 20) for _ in range(3))
    assert ratio < 3


def test_only_an_interpreter_has_its_script_read() -> None:
    assert ("script", "claude") in process_names(
        ProcessRecord(1, "bash", ("bash", "./claude")))
    assert [n for _, n in process_names(ProcessRecord(1, "git", ("git", "-C", "claude")))] \
        == ["git", "git"]


def test_evidence_names_the_variable_or_the_nearest_process() -> None:
    catalog = load_catalog()
    chain = [ProcessRecord(10, "sh", ("sh", "-c", "git commit")),
             ProcessRecord(20, "claude", ("claude",)), ProcessRecord(30, "claude", ("claude",))]
    [by_process] = findings_for_session(catalog, {}, chain)
    assert by_process.rule == "AIC821" and "ancestor process 20 (2 up)" in by_process.evidence
    [by_env] = findings_for_session(catalog, {"CLAUDECODE": " 1 "}, [])
    assert by_env.evidence == "environment variable CLAUDECODE='1'"


def test_a_huge_value_is_no_marker_and_costs_nothing() -> None:
    value = "codex" + " " * MAX_VALUE_CHARS
    assert findings_for_session(load_catalog(), {"AI_AGENT": value}, []) == []


def _session_rule(extra: str) -> str:
    return ('version = 1\n[kinds]\nsession = "session"\ninstructions = "paths"\n[remedies]\n'
            '[assistants.claude]\n[[rules]]\nid = "AIC801"\nassistants = ["claude"]\n'
            f'severity = "block"\ndescription = "d"\n{extra}')


@pytest.mark.parametrize(("extra", "error"), [
    ('kind = "session"\n', "needs 'env' or 'processes'"),
    ('kind = "session"\nenv = ["1BAD"]\n', "NAME or NAME=VALUE"),
    ('kind = "session"\nenv = ["X= "]\n', "NAME or NAME=VALUE"),
    ('kind = "session"\nprocesses = ["/usr/bin/claude"]\n', "without a folder"),
    ('kind = "session"\nprocess_folders = ["a/b"]\n', "one path component"),
    ('kind = "session"\nprocess_folders = ["Cursor"]\n', "one path component"),
    ('kind = "instructions"\npaths = ["x"]\nenv = ["X"]\n', "only for 'session' rules"),
])
def test_session_fields_are_validated(extra: str, error: str) -> None:
    from ai_clearance.catalog.rules import parse_toml

    with pytest.raises(ConfigError, match=error):
        build_catalog(parse_toml(_session_rule(extra), "t"), "t")


def test_policy_session_key() -> None:
    catalog = load_catalog()
    assert policy_from_text("", "p", catalog, pyproject=False).session == "block"  # type: ignore[union-attr]
    off = policy_from_text('session = "off"', "p", catalog, pyproject=False)
    assert off is not None and off.session == "off"
    with pytest.raises(ConfigError, match="'session' must be one of block, disclose, off"):
        policy_from_text('session = "warn"', "p", catalog, pyproject=False)


def test_a_generic_name_needs_its_install_folder() -> None:
    """`agent` and `q` are common words: Cursor's or Amazon Q's only when their real path
    (the edge follows links) lies in the agent's install folder."""
    catalog = load_catalog()
    installed = ProcessRecord(7, "bash", ("bash", "/home/u/.local/bin/agent", "-p", "x"),
                              ("/bin/bash", "/home/u/.local/share/cursor-agent/versions/1/"
                                            "cursor-agent"))
    [finding] = findings_for_session(catalog, {}, [installed])
    assert finding.rule == "AIC833" and "folder named 'cursor-agent'" in finding.evidence
    elsewhere = ProcessRecord(7, "bash", ("bash", "/home/u/.local/bin/agent"),
                              ("/bin/bash", "/opt/monitoring/bin/agent"))
    assert findings_for_session(catalog, {}, [elsewhere]) == []
    app = "/Applications/Amazon Q.app/Contents/MacOS/q"
    assert [f.rule for f in findings_for_session(
        catalog, {}, [ProcessRecord(8, "q", ("q", "chat"), (app,))])] == ["AIC832"]
    # The folder alone does not make another program in it Amazon Q's `q`.
    assert findings_for_session(catalog, {}, [ProcessRecord(
        8, "qterm", ("qterm",), ("/Applications/Amazon Q.app/Contents/MacOS/qterm",))]) == []
    assert findings_for_session(catalog, {}, [ProcessRecord(9, "q", ("q",),
                                                            ("/usr/local/bin/q",))]) == []


def _rules(catalog: Catalog, *records: ProcessRecord) -> list[str]:
    return [f.rule for f in findings_for_session(catalog, {}, list(records))]


@pytest.mark.parametrize(("argv", "paths", "rule"), [
    # A global install, run as the package's own bin file.
    (("node", "/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js"), (), "AIC821"),
    # pnpm's store layout, and a Windows path (either separator, any case).
    (("node", "/home/u/.local/share/pnpm/global/5/.pnpm/@google+gemini-cli@1.0.0/"
      "node_modules/@google/gemini-cli/dist/index.js", "-p", "x"), (), "AIC823"),
    (("node.exe", "C:\\Users\\u\\AppData\\Roaming\\npm\\Node_Modules\\@OpenAI\\codex\\"
      "bin\\codex.js"), (), "AIC822"),
    # Bun and the Agent SDK, which runs the CLI it bundles.
    (("bun", "run", "/home/u/.bun/install/global/node_modules/@sourcegraph/amp/dist/main.js"),
     (), "AIC827"),
    (("node", "/srv/app/node_modules/@anthropic-ai/claude-agent-sdk/cli.js"), (), "AIC821"),
    # Deno runs a package by its specifier, with or without a version.
    (("deno", "run", "-A", "npm:@openai/codex@0.50.0"), (), "AIC822"),
    (("deno", "run", "npm:@google/gemini-cli/dist/index.js"), (), "AIC823"),
    (("deno", "run", "npm:opencode-ai"), (), "AIC828"),
    # A link whose real path (the edge follows it) is in the package.
    (("node", "/home/u/bin/q.js"), ("/usr/bin/node",
                                   "/usr/lib/node_modules/@qwen-code/qwen-code/cli.js"), "AIC835"),
])
def test_a_script_in_an_agents_npm_package_is_that_agent(
        argv: tuple[str, ...], paths: tuple[str, ...], rule: str) -> None:
    catalog = load_catalog()
    assert _rules(catalog, ProcessRecord(5, executable_name(argv[0]), argv, paths)) == [rule]


@pytest.mark.parametrize(("argv", "paths"), [
    # A project's own dependency, and a package whose name only starts like an agent's.
    (("node", "/work/app/node_modules/foo/cli.js"), ()),
    (("node", "/work/app/node_modules/@anthropic-ai/claude-code-router/cli.js"), ()),
    (("node", "/work/app/node_modules/@anthropic-ai/sdk/cli.js"), ()),
    # The same folder names outside any node_modules (a checkout), or the package folder
    # itself as the script.
    (("node", "/home/u/src/@anthropic-ai/claude-code/cli.js"), ()),
    (("node", "/x/node_modules/@anthropic-ai/claude-code"), ()),
    # Inline code naming the path runs no script; a program that is no interpreter.
    (("node", "-e", "require('/x/node_modules/@google/gemini-cli/dist/index.js')"), ()),
    (("rg", "/x/node_modules/@google/gemini-cli/dist/index.js"), ()),
    (("rg",), ("/usr/lib/node_modules/@anthropic-ai/claude-code/vendor/rg",)),
    # Another package by its specifier, one named like an agent's, a scope alone.
    (("deno", "run", "npm:chalk@5"), ()),
    (("deno", "run", "npm:@openai/codex-helper"), ()),
    (("deno", "run", "npm:opencode-ai-tools@1"), ()),
    (("deno", "run", "npm:@anthropic-ai"), ()),
])
def test_no_agent_package_no_finding(argv: tuple[str, ...], paths: tuple[str, ...]) -> None:
    assert _rules(load_catalog(), ProcessRecord(5, executable_name(argv[0]), argv, paths)) == []


def test_agent_packages_are_the_catalogs_npm_installs() -> None:
    """The package folders are the catalog's data: an editor rule shared by two assistants
    (AIC831) takes no single one's package; Cursor's SDK is Cursor's CLI rule's."""
    catalog = load_catalog()
    packages = agent_packages(catalog)
    assert packages[("@anthropic-ai", "claude-code")] == {"claude"}
    assert packages[("opencode-ai",)] == {"opencode"}
    assert _rules(catalog, ProcessRecord(5, "node", (
        "node", "/opt/node_modules/@cursor/sdk/dist/cli.js"))) == ["AIC824"]


def test_a_new_agents_package_is_a_data_change() -> None:
    from ai_clearance.catalog.rules import parse_toml

    text = ('version = 1\n[kinds]\nsession = "session"\nworkflows = "content"\n[remedies]\n'
            '[assistants.newbot]\n[[rules]]\nid = "AIC801"\nassistants = ["newbot"]\n'
            'kind = "session"\nseverity = "block"\ndescription = "d"\nprocesses = ["newbot"]\n'
            '[[rules]]\nid = "AIC501"\nassistants = ["newbot"]\nkind = "workflows"\n'
            'severity = "block"\ndescription = "d"\npaths = ["**/*.yml"]\n'
            'workflow_installs = ["npm:@new/bot"]\n')
    catalog = build_catalog(parse_toml(text, "t"), "t")
    record = ProcessRecord(5, "node", ("node", "/g/node_modules/@new/bot/main.js"))
    assert _rules(catalog, record) == ["AIC801"]
    assert _rules(load_catalog(), record) == []


def test_the_generic_agent_marker_alone_warns_and_a_second_signal_blocks() -> None:
    """AGENT=1 (the cross-tool convention OpenCode and Kilo CLI set) is a common name that a
    build agent or a profile may set too: alone it only warns, naming no assistant; the
    agent's own variable beside it blocks."""
    catalog = load_catalog()
    [alone] = findings_for_session(catalog, {"AGENT": "1"}, [])
    assert (alone.rule, alone.severity, alone.assistants) == ("AIC814", "warn", ("generic",))
    assert catalog.by_id["AIC814"].confidence == "low"
    opencode = findings_for_session(
        catalog, {"AGENT": "1", "OPENCODE": "1", "OPENCODE_PID": "4242"}, [])
    blocking = {f.rule: f.assistants for f in opencode if f.severity == "block"}
    assert blocking == {"AIC811": ("opencode",), "AIC812": ("opencode", "kilo")}
    kilo = findings_for_session(catalog, {"AGENT": "1", "KILO": "1", "KILO_PID": "9"}, [])
    assert {f.rule for f in kilo if f.severity == "block"} == {"AIC813"}
    assert findings_for_session(catalog, {"AGENT": "true-agent", "KILO": "0"}, []) == []
