"""`ai-clearance guard`: agent-side settings that keep an agent from skipping the hooks.
`install` merges a hook entry into the agent's settings file, `status` says where it is,
and `check-command` is that hook: it reads the agent's tool call on stdin and exits 2 (the
agents' "refuse this tool call") with a reason when the command would skip the hooks."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import click

from ai_clearance.errors import UsageError
from ai_clearance.integrations.agent_settings import (
    AGENTS,
    GUARD_SUBCOMMAND,
    MAX_SETTINGS,
    Agent,
    SettingsError,
    installed_commands,
    merge_guard,
    older_install,
    parse_settings,
    remove_guard,
)

EXIT_REFUSE = 2  # what both agents read as "block this tool call"
SCOPE_HELP = ("user (the default): your own settings in the home folder, for every "
              "repository. project: DIR/.claude/settings.json (or .gemini/...); that file "
              "is itself a trace of an agent that ai-clearance finds when it is committed.")


@click.group()
def guard() -> None:
    """Agent-side settings that refuse `git commit --no-verify` and other ways of skipping
    the hooks (Claude Code and Gemini CLI, whose hooks can refuse a shell command)."""


def _agent_choice() -> click.Choice[str]:
    return click.Choice(sorted(AGENTS))


def settings_path(agent: Agent, scope: str, directory: str) -> Path:
    """The settings file of `agent` for `scope`."""
    base = Path.home() if scope == "user" else Path(directory)
    return base / agent.folder / "settings.json"


def _read(path: Path) -> str | None:
    """The file's text, None when there is none; SettingsError when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SETTINGS + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SettingsError(f"it cannot be read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SettingsError("it is not UTF-8 text") from None


def guard_command() -> str:
    """The command the hook entry runs: this installation's `ai-clearance`, by its full
    path when it can be found (an agent's PATH may not have it; a hook that cannot start
    does not refuse anything)."""
    found = shutil.which("ai-clearance", path=os.path.dirname(sys.executable)) \
        or shutil.which("ai-clearance")
    program = os.path.abspath(found) if found else "ai-clearance"
    return f"{shlex.quote(program)} {GUARD_SUBCOMMAND}"


@guard.command()
@click.option("--agent", "agent_id", type=_agent_choice(), default="claude",
              show_default=True, help="The agent whose settings get the hook.")
@click.option("--scope", type=click.Choice(["user", "project"]), default="user",
              show_default=True, help=SCOPE_HELP)
@click.option("-C", "directory", default=".", metavar="DIR",
              help="The project folder, for --scope project.")
def install(agent_id: str, scope: str, directory: str) -> None:
    """Add the guard hook to an agent's settings, keeping every other setting and hook.
    Running it again changes nothing; a settings file that is not valid JSON is left as it
    is (exit 2)."""
    agent = AGENTS[agent_id]
    path = settings_path(agent, scope, directory)
    try:
        merged = merge_guard(_read(path), agent, guard_command())
    except SettingsError as exc:
        raise UsageError(f"{path}: {exc}; left as it is") from None
    if merged is None:
        click.echo(f"{agent.title}: the guard is already in {path}")
        return
    _write(path, merged)
    click.echo(f"{agent.title}: the guard is in {path} ({agent.event}, {agent.matcher})")
    if scope == "project":
        click.echo(f"note: {agent.folder}/settings.json in a repository is a trace of "
                   f"{agent.title} that ai-clearance reports once it is committed")


@guard.command()
@click.option("--agent", "agent_id", type=_agent_choice(), default="claude",
              show_default=True, help="The agent whose settings lose the hook.")
@click.option("--scope", type=click.Choice(["user", "project"]), default="user",
              show_default=True, help="user: the home folder's settings; project: DIR's.")
@click.option("-C", "directory", default=".", metavar="DIR",
              help="The project folder, for --scope project.")
def uninstall(agent_id: str, scope: str, directory: str) -> None:
    """Take the guard hook out of an agent's settings, keeping everything else."""
    agent = AGENTS[agent_id]
    path = settings_path(agent, scope, directory)
    try:
        changed = remove_guard(_read(path), agent)
    except SettingsError as exc:
        raise UsageError(f"{path}: {exc}; left as it is") from None
    if changed is None:
        click.echo(f"{agent.title}: the guard is not in {path}")
        return
    _write(path, changed)
    click.echo(f"{agent.title}: the guard is out of {path}")


def _write(path: Path, text: str) -> None:
    """Replace the settings file atomically; a file linked from elsewhere stays linked."""
    from ai_clearance.cli.atomic import replace_file

    target = os.path.realpath(path)
    replace_file(os.path.dirname(target), os.path.basename(target), text.encode("utf-8"))


@guard.command()
@click.option("--agent", "agent_id", type=_agent_choice(), default=None,
              help="Only this agent (default: every one).")
@click.option("-C", "directory", default=".", metavar="DIR",
              help="The project folder whose settings are read too.")
def status(agent_id: str | None, directory: str) -> None:
    """Where the guard is installed, one line per settings file. Exit 0 when it is
    installed, and can start, in at least one; 1 otherwise."""
    working = False
    for agent in [AGENTS[agent_id]] if agent_id else list(AGENTS.values()):
        for scope in ("user", "project"):
            path = settings_path(agent, scope, directory)
            state = _state(path, agent)
            working = working or state == "installed"
            click.echo(f"{agent.id:<7} {scope:<8} {state}: {path}")
    sys.exit(0 if working else 1)


def _state(path: Path, agent: Agent) -> str:
    try:
        settings = parse_settings(_read(path))
        commands = installed_commands(settings, agent)
    except SettingsError as exc:
        return f"unreadable ({exc})"
    if not commands:
        return "not installed"
    try:
        program = shlex.split(commands[0])[0]
    except ValueError:
        return "installed, but its command cannot be read"
    if shutil.which(program) is None:
        return f"installed, but {program} is not there (the hook would refuse nothing)"
    if older_install(settings, agent):
        return ("installed for the shell tool only (an earlier install); run `guard "
                "install` again to guard the file tools too")
    return "installed"


def _file_text(path: str) -> str | None:
    """A file's text for the guard ("" when there is none), None when it cannot be read:
    the hook manager's config a file tool is about to rewrite."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SETTINGS + 1)
    except FileNotFoundError:
        return ""
    except OSError:
        return None
    if len(data) > MAX_SETTINGS:
        return None
    return data.decode("utf-8", errors="replace")


def _hooks_ignored(cwd: str) -> bool:
    """Whether the repository around `cwd` (the process's folder for "") has Husky's
    runner folder `.husky/_`, which git ignores (its own `.gitignore` says `*`) and
    core.hooksPath points at: the folder holding `.git` is looked for upwards. Where
    core.hooksPath points is not read (a limit: another ignored hooks folder is not
    known)."""
    folder = Path(cwd or os.getcwd()).absolute()
    for place in (folder, *folder.parents):
        try:
            if (place / ".git").exists():
                return (place / ".husky" / "_").is_dir()
        except OSError:
            return True  # not known: `git clean -x` is refused
    return False


@guard.command("check-command")
def check_command() -> None:
    """The hook itself: reads the agent's tool call (JSON) on stdin; exits 0 to let it run,
    2 with the reason on stderr to refuse it. Input it cannot read is refused."""
    from ai_clearance.integrations.agent_guard import (
        MAX_PAYLOAD,
        decide_payload,
        refusal_message,
    )

    try:
        reason = decide_payload(sys.stdin.buffer.read(MAX_PAYLOAD + 1), _file_text,
                                _hooks_ignored)
    except Exception as exc:  # noqa: BLE001 - any other exit code would let the call run
        reason = f"the guard failed ({type(exc).__name__})"
    if reason is None:
        sys.exit(0)
    click.echo(refusal_message(reason), err=True)
    sys.exit(EXIT_REFUSE)
