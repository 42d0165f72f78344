"""Shell commands that start or install an AI coding agent, however the shell is made to
spell or wrap them (shell.py, and the workflow lists of catalog.toml): words the shell
puts together, wrappers and launchers, functions, aliases and variables, PowerShell, and
the vendors' installers. Each positive case has negatives beside it that only name an
agent, so that precision is tested as much as reach."""

from __future__ import annotations

import base64
import json

import pytest
from workflows_test import _found

from ai_clearance.detect.shell import (
    _Brace,
    brace_alternatives,
    invocations,
    screen_text,
    shell_commands,
)
from conftest import best_seconds


def _step(run: str, shell: str | None = None) -> bytes:
    step = {"run": run} if shell is None else {"run": run, "shell": shell}
    return json.dumps({"on": "push", "jobs": {"a": {"runs-on": "ubuntu-latest",
                                                    "steps": [step]}}}).encode()


def _rules_found(run: str, shell: str | None = None) -> set[str]:
    return _found(".github/workflows/w.yml", _step(run, shell))


def _encoded(text: str) -> str:
    return base64.b64encode(text.encode("utf-16-le")).decode()


# ------------------------------------------------------------------ words the shell joins
@pytest.mark.parametrize(("run", "rule"), [
    ("cla\\\nude -p x", "AIC301"),                 # a continuation line inside a word
    ("cl$()aude -p x", "AIC301"),                  # an empty substitution
    ("co$( )dex exec x", "AIC302"),
    ("cl``aude -p x", "AIC301"),
    ('cl""aude -p x', "AIC301"),
    ("cl''aude -p x", "AIC301"),
    ("$'\\x63laude' -p x", "AIC301"),
    ("$'\\143odex' exec x", "AIC302"),
    ("{claude,} -p x", "AIC301"),                  # brace expansion: claude, then ""
    ("{cl,}aude -p x", "AIC301"),
    ("{co,}dex exec y", "AIC302"),                # codex dex exec y
    ("gem{ini,} -p x", "AIC303"),
    ("{{c,}l,z}aude -p x", "AIC301"),              # nested groups
    ("${X:-claude} -p x", "AIC301"),               # the default of an unset variable
    ("${X-codex} exec x", "AIC302"),
    ("${X:=claude} -p x", "AIC301"),
    ('"${X:-claude}" -p x', "AIC301"),
    ("${X:-${Y:-claude}} -p x", "AIC301"),
    ("cl${NOPE}aude -p x", "AIC301"),              # an unset variable inside a word
    ("$SUDO claude -p x", "AIC301"),               # ... and standing alone
    ("$(which claude) -p x", "AIC301"),
    ("`command -v codex` exec x", "AIC302"),
])
def test_words_the_shell_puts_together(run: str, rule: str) -> None:
    assert rule in _rules_found(run), run


# ------------------------------------------------------------------ prefixes and wrappers
@pytest.mark.parametrize("run", [
    "bash -c -- 'claude -p x'", "sh -ec 'claude -p x'", "bash -o pipefail -c 'claude -p x'",
    "env -S 'claude -p x'", "env -S'claude -p' x", "env --split-string='claude -p x'",
    "env -i A=b claude -p x", "env - claude -p x", "command claude -p x", "exec claude -p x",
    "exec -a name claude -p x", "nohup claude -p x &", "time claude -p x",
    "time -p claude -p x", "nice -n 5 claude -p x", "nice -5 claude -p x",
    "timeout 5m claude -p x", "timeout -s KILL --preserve-status 5m claude -p x",
    "xargs -0 -I{} claude -p {} < list", "sudo -u x claude -p y", "sudo -u x -- claude -p y",
    "sudo -E env PATH=/x timeout 9 nohup claude -p x",
    # wrappers that take a command line or an argv
    "script -qec 'claude -p x' /dev/null", "script -c 'claude -p x'",
    "script --command='claude -p x' log", "su -c 'claude -p x' ci", "su ci -c 'claude -p x'",
    "su - ci --command 'claude -p x'", "runuser -u ci -- claude -p x",
    "runuser -l ci -c 'claude -p x'", "setsid claude -p x", "setsid -w claude -p x",
    "flock /tmp/lock claude -p x", "flock -w 5 /tmp/lock -c 'claude -p x'",
    "parallel ::: 'claude -p x' 'make'", "parallel -j 2 claude -p ::: a b",
    "parallel 'claude -p {}' ::: a b", "coproc claude -p x", "coproc C { claude -p x; }",
    "find . -name '*.md' -exec claude -p {} \\;", "find . -execdir claude -p {} +",
    "watch -n 5 claude -p x", "watch 'claude -p x'", "stdbuf -oL claude -p x",
    "unbuffer claude -p x", "ionice -c 3 claude -p x", "taskset -c 0 claude -p x",
    "gosu ci claude -p x", "tini -- claude -p x", "chronic claude -p x",
])
def test_wrappers_are_looked_through(run: str) -> None:
    assert "AIC301" in _rules_found(run), run


# ------------------------------------------------------------------ functions, aliases, variables
@pytest.mark.parametrize(("run", "rule"), [
    ('f() { claude "$@"; }; f -p x', "AIC301"),
    ('f () {\n  claude "$@"\n}\nf -p x', "AIC301"),
    ('function f { claude "$@"; }\nf -p x', "AIC301"),
    ('function f() ( codex "$1" "$2" )\nf exec x', "AIC302"),
    ("f() { claude -p x; }", "AIC301"),            # a body counts where it is defined
    ("alias c=claude; c -p x", "AIC301"),
    ("alias c='claude -p'\nc x", "AIC301"),
    ("A=claude; $A -p x", "AIC301"),
    ("export A=codex; $A exec x", "AIC302"),
    ('A="claude -p"; $A x', "AIC301"),            # split where it is unquoted
    ('A=claude; "$A" -p x', "AIC301"),
    ("A=cla; B=ude; $A$B -p x", "AIC301"),
    ("A=cla; A+=ude; ${A} -p x", "AIC301"),
    ('A=(claude -p); "${A[@]}" x', "AIC301"),
    ('A=(claude); "${A[@]}" -p x', "AIC301"),
    ('A=(codex exec); ${A[*]} x', "AIC302"),
    ("A=claude; bash -c \"$A -p x\"", "AIC301"),
])
def test_functions_aliases_and_variables(run: str, rule: str) -> None:
    assert rule in _rules_found(run), run


# ------------------------------------------------------------------ PowerShell
@pytest.mark.parametrize(("run", "shell"), [
    ("iex 'claude -p x'", "pwsh"),
    ("Invoke-Expression 'claude -p x'", "pwsh"),
    ("Invoke-Expression -Command \"claude -p x\"", "powershell"),
    ("Start-Process claude -ArgumentList '-p','x'", "pwsh"),
    ("Start-Process -FilePath claude.exe -ArgumentList '-p x' -Wait", "pwsh"),
    ("saps claude '-p x'", "pwsh"),
    ("& claude -p x", "pwsh"),
    ("& 'C:\\tools\\claude.exe' -p x", "pwsh"),
    (f"pwsh -EncodedCommand {_encoded('claude -p x')}", "pwsh"),
    (f"powershell -enc {_encoded('claude -p x')}", None),
    ("pwsh -ec " + _encoded('iex "claude -p x"'), "bash"),
    ("pwsh -Command claude -p x", None),
    ("pwsh -NoProfile -c \"claude -p x\"", None),
    ("irm https://claude.ai/install.ps1 | iex", "pwsh"),
    ("iwr -useb https://claude.ai/install.ps1 | iex", "powershell"),
    ("cmd /c start \"\" claude -p x", None),
])
def test_powershell(run: str, shell: str | None) -> None:
    assert "AIC301" in _rules_found(run, shell), run


# ------------------------------------------------------------------ text fed to a shell
# Each positive has a clean twin: the same text fed to a program that does not run it.
@pytest.mark.parametrize(("run", "shell", "found"), [
    ("echo 'claude -p x' | bash", None, True),
    ("echo 'claude -p x' | tee out.txt", None, False),
    ("printf 'npx -y @anthropic-ai/claude-code -p x' | sh", None, True),
    ("printf 'npx -y @anthropic-ai/claude-code -p x' > notes.txt", None, False),
    ("printf '%s\\n' 'claude -p x' | sudo bash -s", None, True),
    ("printf '%s\\n' 'claude -p x' | wc -l", None, False),
    ("cat <<EOF | bash\nclaude -p x\nEOF", None, True),
    ("bash <<< 'claude -p x'", None, True),
    ("grep -c claude <<< 'claude -p x'", None, False),
    ("sh -s -- a <<< 'claude -p x'", None, True),
    ("sh ci/lint.sh <<< 'claude -p x'", None, False),
    ("source <(echo claude -p x)", None, True),
    (". <(printf 'codex exec x')", None, True),
    ("diff <(echo claude -p x) expected.txt", None, False),
    ("bash < <(echo claude -p x)", None, True),
    ("echo 'claude -p x' ||\n  bash", None, False),
    ("python3 -c \"print('claude -p x')\" | bash", None, True),
    ("echo 'claude -p x' | pwsh -", None, True),
    ("echo 'claude -p x' | pwsh -File check.ps1", None, False),
    ("'claude -p x' | iex", "pwsh", True),
    ("Write-Output 'claude -p x' | Invoke-Expression", "pwsh", True),
    ("'claude -p x' | Out-File notes.txt", "pwsh", False),
])
def test_text_fed_to_a_shell_is_its_script(run: str, shell: str | None, found: bool) -> None:
    rules = _rules_found(run, shell)
    assert bool(rules & {"AIC301", "AIC302"}) is found, (run, rules)


# ------------------------------------------------------------------ positional words, traps
@pytest.mark.parametrize(("run", "found"), [
    ("bash -c '$0 -p x' claude", True),
    ("bash -c 'echo $0 -p x' claude", False),
    ("sh -c 'claude \"$@\"' _ -p x", True),
    ("sh -c 'printf %s \"$@\"' _ claude -p x", False),
    ("sh -c '\"$1\" \"$2\" x' sh claude -p", True),
    ("sh -c 'ls \"$1\"' sh claude", False),
    ("$(echo claude) -p x", True),
    ("echo $(echo claude) -p x", False),
    ("`printf claude` -p x", True),
    ("\"$(printf '%s' codex)\" exec x", True),
    ("X=$(echo claude); echo \"$X\" -p x", False),
    ("trap 'claude -p x' EXIT", True),
    ("trap -- 'codex exec x' ERR INT", True),
    ("trap 'rm -f claude.lock' EXIT", False),
    ("trap - EXIT", False),
    ("busybox sh -c 'claude -p x'", True),
    ("busybox ash -c 'codex exec x'", True),
    ("toybox sh -c 'claude -p x'", True),
    ("busybox sh -c 'grep -r claude docs'", False),
    ("busybox wget -q https://example.com/claude.md", False),
])
def test_positional_words_substitutions_and_traps(run: str, found: bool) -> None:
    rules = _rules_found(run)
    assert bool(rules & {"AIC301", "AIC302"}) is found, (run, rules)


# ------------------------------------------------- parameter operators, values read in
@pytest.mark.parametrize(("run", "found"), [
    ("T=CLAUDE\n${T,,} -p review", True),
    ("T=xlaude\n${T/x/c} -p review", True),
    ("T=cXlXaude\n\"${T//X}\" -p review", True),
    ("T=xclaude\n${T#x} -p review", True),
    ("T=claudex\n${T%x} -p review", True),
    ("T=xxcodex\n${T:2} exec fix", True),
    ("T=codex\n${T@U} exec fix", True),  # CODEX runs codex on Windows and macOS
    ("T=Codex\n${T,} exec fix", True),
    ("A=(x claude)\n${A[1]} -p review", True),
    ("A=(x claude)\n${A[-1]} -p review", True),
    ("A=(x claude -p review)\n\"${A[@]:1}\"", True),
    ("N=T\nT=claude\n${!N} -p review", True),
    ("declare -n R=T\nT=claude\n$R -p review", True),
    ("T='\\x63laude'\n${T@E} -p review", True),
    ("printf -v T claude\n$T -p review", True),
    ("printf -v T '%s%s' cla ude\n$T -p review", True),
    ("read -r T <<< claude\n$T -p review", True),
    ("IFS= read -r T A <<< 'claude -p'\n$T $A review", True),
    ("read T < <(echo codex)\n$T exec fix", True),
    ("mapfile -t A <<< claude\n${A[0]} -p review", True),
    ("A=(cla ude)\n${A[0]}${A[1]} -p review", True),
    ("$(printf '\\x63laude') -p review", True),
    ("printf -v T '%b' '\\143odex'\n$T exec fix", True),
    ("eval T=claude\n$T -p review", True),
    # ... and the same operators on values that run no agent, or only print one.
    ("T=CLAUDE\necho ${T,,} -p review", False),
    ("T=xlaude\necho ${T/x/c}", False),
    ("V=1.2.3\ntar czf out-${V//./-}.tgz dist", False),
    ("T=claude\n${T/claude/make} -p review", False),
    ("T=claude\n${T:1} -p review", False),
    ("read -r T <<< claude\necho \"$T\" -p review", False),
    ("read -p 'name? ' T\n$T -p review", False),
    ("git tag -l | read T\n$T -p review", False),
    ("printf '\\x63laude is a name\\n'", False),
    ("printf -v T '%b' '\\x63laude'\necho \"$T\" -p review", False),
    ("echo ${GITHUB_REF//\\//-} claude", False),
])
def test_parameter_operators_and_read_values(run: str, found: bool) -> None:
    rules = _rules_found(run)
    assert bool(rules & {"AIC301", "AIC302"}) is found, (run, rules)


# ----------------------------------------------- nested shells given a command line
@pytest.mark.parametrize(("run", "found"), [
    ("CMD=\"claude -p review\"\nbash -c \"$CMD\"", True),
    ("CMD='codex exec fix'; sh -c \"$CMD\"", True),
    ("bash -c \"$(printf %q claude) -p review\"", True),
    ("sh -c \"$(printf '%q ' claude -p review)\"", True),
    ("CMD=$(printf '%q ' claude -p review)\nbash -c \"$CMD\"", True),
    ("printf -v CMD '%q ' codex exec fix\nbash -c \"$CMD\"", True),
    ("A=(claude -p review)\nbash -c \"$(printf '%q ' \"${A[@]}\")\"", True),
    ("T=claude\nX=$(echo $T)\n$X -p review", True),
    ("P=cla; bash -c \"${P}ude -p review\"", True),
    ("mksh -c 'claude -p review'", True),
    ("ksh93 -c \"$CMD\"\nCMD=x", False),
    ("CMD='claude -p review'; tcsh -c \"$CMD\"", True),
    ("set -- claude -p review\n\"$@\"", True),
    ("set -- codex exec fix\nbash -c \"$*\"", True),
    ("CMD='claude -p review'\nsh -c '$1' _ \"$CMD\"", True),
    # Printed, or handed as text to what only prints it.
    ("CMD=\"claude -p review\"\necho \"$CMD\"", False),
    ("CMD=\"claude -p review\"\nbash -c 'echo \"$CMD\" > cmd.txt'", False),
    ("bash -c \"echo $(printf %q claude) -p review\"", False),
    ("X=$(printf '%q' \"$HOME\")\nbash -c \"ls $X\"", False),
    ("X=$(date +%s)\nbash -c \"echo $X\"", False),
    ("set -- claude -p review\necho \"$@\"", False),
    ("set -e\nset -o pipefail\nmake test", False),
    ("CMD='claude -p review'\nsh -c 'echo \"$1\"' _ \"$CMD\"", False),
])
def test_nested_shells_given_constant_command_lines(run: str, found: bool) -> None:
    rules = _rules_found(run)
    assert bool(rules & {"AIC301", "AIC302"}) is found, (run, rules)


# ------------------------------------------------------------------ PowerShell blocks, escapes
@pytest.mark.parametrize(("run", "shell", "found"), [
    ("1 | ForEach-Object { claude -p x }", "pwsh", True),
    ("1 | ForEach-Object { Write-Host 'claude -p x' }", "pwsh", False),
    ("1..2 | %{codex exec x}", "pwsh", True),
    ("1..2 | %{ \"codex exec x\" }", "pwsh", False),
    ("Invoke-Command -ScriptBlock { claude -p x }", "pwsh", True),
    ("Invoke-Command -ComputerName claude -ScriptBlock { Get-Date }", "pwsh", False),
    ("& { claude -p x }", "pwsh", True),
    ("& {claude -p x}", "pwsh", True),
    ("Write-Host {claude -p x}", "pwsh", False),
    ("& ([scriptblock]::Create('claude -p x'))", "pwsh", True),
    ("Write-Host ('claude -p x')", "pwsh", False),
    ("iex('codex exec x')", "pwsh", True),
    ("$ExecutionContext.InvokeCommand.InvokeScript('claude -p x')", "pwsh", True),
    ("c`laude -p x", "pwsh", True),
    ("Write-Host 'c`laude -p x'", "pwsh", False),
    ("pwsh -Command \"c`odex exec x\"", None, True),
    ("cl^aude -p x", "cmd", True),
    ("echo cl^aude -p x", "cmd", False),
    ("cmd /c co^dex exec x", None, True),
    ("grep '^claude -p' notes.txt", None, False),
])
def test_powershell_blocks_and_escapes(run: str, shell: str | None, found: bool) -> None:
    rules = _rules_found(run, shell)
    assert bool(rules & {"AIC301", "AIC302"}) is found, (run, rules)


# ------------------------------------------------------------------ printed, not run
@pytest.mark.parametrize(("run", "found"), [
    ("python -c \"print('To reproduce, run:'); print('claude -p x')\"", False),
    ("python -c \"import os; os.system('claude -p x')\"", True),
    ("node -e \"console.log('  npm i -g @anthropic-ai/claude-code')\"", False),
    ("node -e \"require('child_process').execSync('npm i -g @anthropic-ai/claude-code')\"", True),
    ("curl -sSfI https://claude.ai/install.sh", False),
    ("curl --head https://claude.ai/install.sh", False),
    ("curl -sSf https://claude.ai/install.sh | bash", True),
    ("curl -o I https://claude.ai/install.sh && bash I", True),   # -o's value, not -I
    ("curl -sSfI https://example.com && curl -fsSL https://claude.ai/install.sh | sh", True),
])
def test_what_is_printed_or_only_probed_runs_nothing(run: str, found: bool) -> None:
    rules = _rules_found(run)
    assert bool(rules & {"AIC301"}) is found, (run, rules)


@pytest.mark.parametrize(("uses", "rule"), [
    ("grll/claude-code-action@beta", "AIC301"),
    ("some-org/claude-code-base-action@v1", "AIC301"),
    ("a-fork/run-gemini-cli@main", "AIC303"),
])
def test_forks_of_agent_actions_count_by_their_name(uses: str, rule: str) -> None:
    text = f"jobs:\n  a:\n    steps:\n      - uses: {uses}\n".encode()
    assert rule in _found(".github/workflows/w.yml", text)


@pytest.mark.parametrize("uses", [
    "grll/claude-code-action-docs@v1", "claude-code-action/setup@v1", "me/claude-tools@v1",
])
def test_actions_only_named_like_agents_stay_clean(uses: str) -> None:
    text = f"jobs:\n  a:\n    steps:\n      - uses: {uses}\n".encode()
    assert _found(".github/workflows/w.yml", text) == set()


# ------------------------------------------------------------------ precision
@pytest.mark.parametrize(("run", "shell"), [
    ("echo claude", None), ("grep -r codex docs/", None), ("cat claude-notes.sh", None),
    ("bash claude-notes.sh", None), ("./claude-notes.sh --dry-run", None),
    # The plain API SDKs call a model; they run no agent (decided: left out).
    ("pip install anthropic", None), ("npm i @anthropic-ai/sdk openai", None),
    ("pip install google-genai", None),
    ("echo '{claude,} -p x'", None), ('echo "${X:-claude -p x}"', None),
    ("echo $A; A=claude", None), ("A=claude; echo $A -p x", None),
    ("command -v claude", None), ("which claude", None),
    ("find . -name claude -print", None), ("find . -name '*.md' -exec cat {} \\;", None),
    ("alias ll='ls -l'; ll claude", None), ("watch -n 5 echo claude -p", None),
    ("brew install jq", None), ("brew uninstall --cask claude-code-router", None),
    ("winget install Microsoft.PowerShell", None), ("f() { echo \"$@\"; }; f claude -p x", None),
    ("mkdir -p {src,docs}/claude", None), ("cp notes.{md,txt} /tmp", None),
    ("npx prettier --check .", None), ("yarn build", None), ("pnpm install", None),
    ("deno run -A main.ts -p x", None), ("uvx ruff check", None),
    ("Write-Host 'claude -p x'", "pwsh"),
    ("Start-Process notepad -ArgumentList 'claude.md'", "pwsh"),
    (f"pwsh -EncodedCommand {_encoded('Write-Host claude -p x')}", None),
    ("pwsh -enc !!!notbase64!!!", None), ("gemini --version", None),
    ("su -c 'make test' ci", None), ("parallel echo ::: claude codex", None),
    ("curl -fsSL https://claude.ai.example.com/install.sh | bash", None),
    ("curl -fsSL https://example.com/claude.ai/install.sh", None),
])
def test_what_only_names_an_agent_stays_clean(run: str, shell: str | None) -> None:
    assert _rules_found(run, shell) == set(), run


# ------------------------------------------------------------------ the pieces
def test_brace_alternatives_keep_order_and_stay_bounded() -> None:
    words = [w for _, ws in shell_commands("echo {a,b}{1,2} x{,y}z {solo} {open") for w in ws]
    assert words == ["echo", "a1", "a2", "b1", "b2", "xz", "xyz", "{solo}", "{open"]
    # Past the bound a word is left as written, in bounded time.
    many = "".join(["{a,b}"] * 12)
    assert [w for _, ws in shell_commands(many) for w in ws] == [many]
    parts = [_Brace("{"), "a", _Brace(","), "b", _Brace("}")] * 200
    assert brace_alternatives(parts) == [parts]


def test_function_calls_put_their_arguments_in() -> None:
    commands = [w for _, w in shell_commands('f() { run "$1" --then "$@"; }\nf a b')]
    assert ["run", "a", "--then", "a", "b"] in commands


def test_screen_text_joins_what_the_shell_joins() -> None:
    assert "claude" in screen_text("cla\\\nude; cl$()aude")
    assert screen_text("A=cla; B=ude; $A$B -p x").count("claude") == 1
    assert "claude" in screen_text("cl${UNSET}aude")


# ------------------------------------------------------------------ cost
def _seconds(work: object, text: str) -> float:
    return best_seconds(lambda: work(text), tries=5)  # type: ignore[operator]


def _all_invocations(script: str) -> None:
    for _, words in shell_commands(script):
        for _ in invocations(words, 0):
            pass


@pytest.mark.parametrize("unit", [
    "{a,b}{c,d}{e,f} ",            # brace words within the bound
    "{a,b}" * 10 + " ",            # brace words over it
    "{" * 50 + "a,b ",             # groups that never close
    "{a,{b,{c,{d,e}}}} ",
    f"pwsh -enc {_encoded('claude -p x ' * 4)}; ",
    "f() { g \"$@\"; }; f a; ",    # a function called over and over
    "A=cla; $A$A$A ",
    "alias c=claude; c ",
    "find . -exec find -exec x \\; \\; ",
    "Start-Process a -ArgumentList b,c ",
    "echo 'a b' | bash; ",         # text fed to a shell is read again as a script
    "bash <<< 'echo a | sh'; ",
    "source <(printf '%s' x); ",
    "sh -c '$0 \"$@\" $1' a b c; ",  # positional words put in
    "$(echo a b) $(printf c) ",
    "trap 'a b' EXIT; ",
    "c`l^a x | % { b {c} } ",     # blocks, and the reading without escapes
    "& ([scriptblock]::Create('a b')); ",
    "T=xaxbx; ${T//x/c} ${T#*a} ${T%%b*} ${T,,} ${T:1:2}; ",  # operators on a value
    "A=(a b c); ${A[1]} ${A[@]:1} ${!T}; ",
    "read -r T <<< 'a b'; printf -v T '%s' $T; X=$(printf %q $T); ",
])
def test_expansion_costs_time_linear_in_the_script(unit: str) -> None:
    """Four times the input costs at most about four times the time (a ratio of two
    sizes): brace expansion, base64 decoding and function calls stay bounded."""
    small = _seconds(_all_invocations, unit * 500)
    large = _seconds(_all_invocations, unit * 2000)
    assert large / max(small, 1e-4) < 10, unit
    small = _seconds(screen_text, unit * 8000)
    large = _seconds(screen_text, unit * 32000)
    assert large / max(small, 1e-4) < 10, unit
