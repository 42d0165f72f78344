"""What a command runs or fetches through its arguments, read statically (shell.py reads
the words; this module, what a program does with them): the script a shell, eval, iex,
cmd /c, watch, parallel or trap is given; the command find -exec, Start-Process, cmd's
start and package runners (npx, pnpm dlx, yarn X, bunx, uvx, pipx run, deno run npm:X)
run; and arguments as compared (URLs normalized, the package names of managers that
ignore case folded)."""

from __future__ import annotations

import base64
import binascii
import re
import shlex
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import unquote

# Shells whose -c takes a command line (the ksh family, yash, posh, csh, rbash too).
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "pwsh", "powershell",
                    "ksh93", "mksh", "lksh", "oksh", "pdksh", "yash", "posh", "rbash", "csh",
                    "tcsh"})
POWERSHELL = frozenset({"pwsh", "powershell"})


# Package managers whose package names ignore case (winget IDs, Homebrew, Chocolatey,
# Scoop): their arguments are compared folded, `--id=X` as `--id X`.
_CASELESS = frozenset({"winget", "brew", "choco", "scoop"})
_URL = re.compile(r"([a-z][a-z0-9+.-]*://)([^/?#]*)(.*)", re.IGNORECASE | re.DOTALL)
_SLASHES = re.compile(r"//+")


def normalized(program: str, args: list[str]) -> list[str]:
    """Arguments as compared: URLs decoded, without user, port, doubled slashes or dot
    segments (`https://u@claude.ai:443//./install.sh` is claude.ai/install.sh), and the folded
    arguments of package managers that ignore case."""
    if program in _CASELESS:
        folded: list[str] = []
        for arg in args:
            option, equals, value = arg.casefold().partition("=")
            folded.extend([option, value] if equals and option.startswith("--") else
                          [arg.casefold()])
        return folded
    return [_url(a) if "://" in a else a for a in args]


def _url(arg: str) -> str:
    found = _URL.match(arg)
    if found is None:
        return arg
    scheme, authority, rest = found.groups()
    host = authority.rpartition("@")[2]
    if not host.startswith("["):
        host = host.partition(":")[0]
    path, mark, query = rest.partition("?")
    return scheme + unquote(host).rstrip(".") + _dots_removed(_SLASHES.sub("/", unquote(path))) \
        + mark + query


def _dots_removed(path: str) -> str:
    """A URL path without its `.` and `..` segments, as curl and browsers send it
    (`/./install.sh`, `/x/../install.sh`: /install.sh)."""
    if "." not in path:
        return path
    kept: list[str] = []
    segments = path.split("/")
    for k, segment in enumerate(segments):
        last = k == len(segments) - 1
        if segment == ".":
            if last:
                kept.append("")
        elif segment == "..":
            if len(kept) > 1:
                kept.pop()
            if last:
                kept.append("")
        else:
            kept.append(segment)
    return "/".join(kept)


def script_arguments(program: str, args: list[str]) -> list[str]:
    """The scripts that `sh -c SCRIPT`, `pwsh -Command ...`, `pwsh -EncodedCommand B64`,
    `cmd /c ...`, `eval ...`, `iex ...`, `watch ...` and `parallel` run."""
    read = _SCRIPT_READERS.get(program)
    if read is not None:
        return read(args)
    runner = RUNNERS.get(program)
    if runner is not None:
        return _runner_scripts(runner, args)
    if program in POWERSHELL:
        return _powershell(args)
    if program == "trap":
        return _trap_script(args)
    if program in SHELLS:
        return _shell_command(args)
    return []


def _evaluated(args: list[str]) -> list[str]:
    """eval: its words joined."""
    return [" ".join(args)]


def _invoked_expression(args: list[str]) -> list[str]:
    """iex / Invoke-Expression: its words joined, without a -Command option."""
    return [" ".join(a for a in args if a.casefold() not in ("-command", "-c"))]


def _cmd_command(args: list[str]) -> list[str]:
    """cmd /c, /k or /r: the words after it joined."""
    for i, arg in enumerate(args):
        if arg.casefold() in ("/c", "/k", "/r"):
            return [unescaped(" ".join(args[i + 1:]))]
    return []


def _trap_script(args: list[str]) -> list[str]:
    """trap SCRIPT SIGNAL...: the script."""
    rest = args[1:] if args[:1] == ["--"] else args
    return rest[:1] if len(rest) >= 2 and not rest[0].startswith("-") else []


def _shell_command(args: list[str]) -> list[str]:
    """sh -c SCRIPT: the script."""
    script = shell_script(args)[0]
    return [] if script is None else [script]


def shell_script(args: list[str]) -> tuple[str | None, list[str]]:
    """The script of `sh -c SCRIPT NAME ARGS...` (-c, -lc, -ec: a cluster of short
    options that holds c; `--` may follow) and the words after it, its $0, $1..."""
    for i, arg in enumerate(args[:-1]):
        if arg.startswith("-") and not arg.startswith("--") and "c" in arg.casefold():
            rest = args[i + 1:]
            if rest[0] == "--" and len(rest) > 1:
                rest = rest[1:]
            return rest[0], rest[1:]
    return None, []


def _powershell(args: list[str]) -> list[str]:
    """pwsh's -Command (any unambiguous prefix, or -c) runs the rest of its words
    joined; -EncodedCommand (-e, -ec, -enc...) base64 of UTF-16LE text."""
    for i, arg in enumerate(args):
        option = arg.casefold().partition(":")[0]
        if len(option) < 2 or not option.startswith(("-", "/")):
            continue
        name = option[1:]
        if name == "ec" or (name and "encodedcommand".startswith(name) and name[0] == "e"):
            return [decoded_command(args[i + 1])] if i + 1 < len(args) else []
        if name == "c" or (len(name) > 1 and "command".startswith(name)):
            return [unescaped(" ".join(args[i + 1:]))]
        if name in ("f", "file") or (len(name) > 1 and "file".startswith(name)):
            return []
    return []


# An -EncodedCommand longer than this is not decoded (a script that long is not one a
# person typed in; it is left to the words around it).
_MAX_ENCODED = 1 << 16


# PowerShell's escape (`c`laude`, not a continuation line) and cmd's (`cl^aude`).
_ESCAPES = re.compile(r"`(?!\r?\n)|\^")


def unescaped(script: str) -> str:
    """A PowerShell or cmd script with the escape characters gone, as they run it."""
    return _ESCAPES.sub("", script)


def decoded_command(text: str) -> str:
    """The text of a PowerShell -EncodedCommand: base64 of UTF-16LE; empty when it is
    not valid base64 or over _MAX_ENCODED."""
    if len(text) > _MAX_ENCODED:
        return ""
    try:
        data = base64.b64decode(text.strip() + "=" * (-len(text.strip()) % 4), validate=True)
    except (binascii.Error, ValueError):
        return ""
    return data.decode("utf-16-le", "replace")


def _nix_run(args: list[str]) -> list[str]:
    """nix-shell --run SCRIPT / --command SCRIPT: the script."""
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("--run", "--command")]


def _watched(args: list[str]) -> list[str]:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        option = args[i]
        i += 2 if option in ("-n", "--interval", "-q", "--equexit") else 1
    return [" ".join(args[i:])] if i < len(args) else []


_PARALLEL_VALUED = frozenset({"-j", "-P", "-S", "-a", "-I", "-d", "-n", "-N", "-L", "--jobs",
                              "--sshlogin", "--arg-file", "--colsep", "--delay", "--timeout"})
_PARALLEL_SOURCES = frozenset({":::", "::::", ":::+", "::::+"})


def _parallel(args: list[str]) -> list[str]:
    """GNU parallel: the command before its first `:::` (joined, as it runs it through
    a shell), or with none, each argument after it as a command line."""
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] not in _PARALLEL_SOURCES:
        i += 2 if args[i] in _PARALLEL_VALUED else 1
    command: list[str] = []
    while i < len(args) and args[i] not in _PARALLEL_SOURCES:
        command.append(args[i])
        i += 1
    if command:
        return [" ".join(command)]
    return [a for a in args[i:] if a not in _PARALLEL_SOURCES]


def _after_options(args: list[str], valued: str, longs: frozenset[str] = frozenset(),
                   ) -> int:
    """Where the command starts after a program's options: short ones clustered (`-dmS
    name`: a cluster ending in a letter of `valued` takes the next word), long ones in
    `longs` taking a value."""
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        option = args[i]
        takes = option in longs if option.startswith("--") else \
            len(option) > 1 and option[-1] in valued
        i += 2 if takes else 1
    return i + 1 if i < len(args) and args[i] == "--" else i


_TMUX_VERBS = frozenset({"new-session", "new", "new-window", "neww", "split-window", "splitw",
                         "respawn-pane", "respawnp", "respawn-window", "respawnw", "run-shell",
                         "run", "display-popup", "popup"})


def _tmux(args: list[str]) -> list[str]:
    """tmux: the shell command after a verb that starts one (`new-session -d 'CMD'`)."""
    verb = next((i for i, a in enumerate(args) if a in _TMUX_VERBS), None)
    if verb is None:
        return []
    rest = args[verb + 1:]
    return _command_line(rest[_after_options(rest, "ceFfnstxyl"):])


def _screen(args: list[str]) -> list[str]:
    """GNU screen: the command after its options (`screen -dmS name CMD ARGS`)."""
    return _command_line(args[_after_options(args, "SceEhpTstL"):])


def _command_line(words: list[str]) -> list[str]:
    """The command line of a program's last words: one word is a line a shell runs, more
    are the command's own words (quoted again, so `bash -c 'x y'` stays one argument)."""
    if not words:
        return []
    return [words[0]] if len(words) == 1 else [shlex.join(words)]


_CONCURRENTLY_VALUED = frozenset({"-n", "--names", "-c", "--prefix-colors", "-p", "--prefix",
                                  "-s", "--success", "-m", "--max-processes", "-t",
                                  "--timestamp-format", "--restart-tries", "--restart-after",
                                  "--names-separator", "--default-input-target", "-l",
                                  "--prefix-length", "--teardown"})


def _concurrently(args: list[str]) -> list[str]:
    """concurrently: each argument that is no option is a command line a shell runs."""
    commands: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in _CONCURRENTLY_VALUED
        else:
            commands.append(arg)
    return commands


# Programs that run a script given in their arguments, by how each reads it (shells and
# PowerShell have their own options, read after these).
_SCRIPT_READERS: dict[str, Callable[[list[str]], list[str]]] = {
    "eval": _evaluated, "iex": _invoked_expression, "invoke-expression": _invoked_expression,
    "cmd": _cmd_command, "watch": _watched, "parallel": _parallel, "sem": _parallel,
    "nix-shell": _nix_run, "tmux": _tmux, "screen": _screen, "concurrently": _concurrently,
}


class Runner(NamedTuple):
    """A program that runs the command line after its verb (and after its options, the
    words it takes first and a `--`): its verbs, each one or more words (none: the command
    follows the program), its options that take a value, how many words come before the
    command (a container, a profile, a folder), whether those words run up to a `--`
    (chamber's services), whether a version may come first (`nvm exec 20`), whether the
    command is one string a shell runs (`sops exec-env FILE 'CMD'`), and its options whose
    value is such a string (`doppler run --command 'CMD'`)."""

    verbs: tuple[tuple[str, ...], ...] = ()
    valued: frozenset[str] = frozenset()
    positional: int = 0
    until_separator: bool = False
    version: bool = False
    script: bool = False
    scripts: frozenset[str] = frozenset()


def _r(verbs: str = "", valued: str = "", positional: int = 0, *, until_separator: bool = False,
       version: bool = False, script: bool = False, scripts: str = "") -> Runner:
    """A Runner from words: `verbs` comma-separated (`"exec, compose exec"`)."""
    return Runner(tuple(tuple(v.split()) for v in verbs.split(",") if v.strip()),
                  frozenset(valued.split() + scripts.split()), positional, until_separator,
                  version, script, frozenset(scripts.split()))


_DOCKER_RUN = ("-e --env --env-file -v --volume -w --workdir -u --user --name --network --net "
               "-p --publish -m --memory --cpus -l --label --label-file --mount --platform "
               "--pull --restart -h --hostname --add-host --device --cap-add --cap-drop "
               "--security-opt --shm-size --tmpfs --ulimit --gpus --ipc --pid --runtime "
               "--log-driver --log-opt --dns --expose --group-add --cidfile --link "
               "--stop-signal --stop-timeout --volumes-from --cgroupns --userns --uts -a "
               "--attach -c --cpu-shares --memory-swap --detach-keys --entrypoint "
               "--health-cmd --isolation --privileged-mode --domainname --mac-address "
               "--ip --ip6 --network-alias --storage-opt --sysctl --cpuset-cpus")
_DOCKER = _r("exec, container exec, run, container run, compose exec, compose run, create, "
             "container create", _DOCKER_RUN, 1)
_DOTENV = _r("", "-e -v -c -f --file --env-file")
_KUBECTL = "-n --namespace -c --container --context -f --filename --image --restart"
_LXC = "--env --user --group --cwd --mode"
_SECRETS = "-p --project -c --config -t --token --env --path --env-file -f --account " \
    "--projectId --domain --fallback --mount --name-transformer --environment --convention"
# Programs that run a command line they are given, by how they take it: environment and
# version managers, dependency runners, secret injectors (the usual way to hand an agent
# its key in CI), container exec. `env`, `sudo`, `timeout` and their like: shell.py.
RUNNERS: dict[str, Runner] = {
    "poetry": _r("run", "-C --directory -P --project"),
    "pipenv": _r("run"), "rye": _r("run"), "pdm": _r("run", "-p --project"),
    "hatch": _r("run, env run", "-e --env"),
    "conda": _r("run", "-n --name -p --prefix --cwd"),
    "mamba": _r("run", "-n --name -p --prefix --cwd"),
    "micromamba": _r("run", "-n --name -p --prefix --cwd"),
    "pixi": _r("run", "-e --environment --manifest-path"),
    "tox": _r("exec", "-e -c --conf --root --workdir"),
    "asdf": _r("exec"), "pyenv": _r("exec"), "rbenv": _r("exec"), "nodenv": _r("exec"),
    "goenv": _r("exec"), "jenv": _r("exec"), "plenv": _r("exec"),
    "fnm": _r("exec", "--using"), "nvm": _r("exec, run", version=True),
    "devbox": _r("run", "-c --config -e --env --env-file"),
    "flox": _r("activate", "-d --dir -r --remote", scripts="-c --command"),
    "bundle": _r("exec"), "bundler": _r("exec"),
    "direnv": _r("exec", "", 1),
    "rvm": _r("", "", until_separator=True),  # rvm 3.2 do CMD: `do` ends its words
    "doppler": _r("run", _SECRETS, scripts="--command"),
    "infisical": _r("run", _SECRETS, scripts="--command"),
    "op": _r("run", _SECRETS), "dotenvx": _r("run", _SECRETS), "teller": _r("run", _SECRETS),
    "bws": _r("run", "--project-id -t --access-token"),
    "berglas": _r("exec", "--local"), "vals": _r("exec", "-f --file"),
    "chamber": _r("exec", "-b --backend", until_separator=True),
    "aws-vault": _r("exec", "-d --duration -r --region -t --mfa-token --prompt", 1),
    "envchain": _r("", "", 1), "summon": _r("", "-p --provider -f --up -D"),
    "sops": _r("exec-env, exec-file", "--input-type --output-type", 1, script=True),
    "dotenv": _DOTENV, "dotenv-cli": _DOTENV, "env-cmd": _r("", "-f --file -e --environments "
                                                            "-r --rc-file"),
    "cross-env": _r(""),
    "docker": _DOCKER, "podman": _DOCKER, "nerdctl": _DOCKER,
    "docker-compose": _r("exec, run", _DOCKER_RUN, 1), "podman-compose": _r("exec, run",
                                                                            _DOCKER_RUN, 1),
    "finch": _DOCKER, "lima": _r(""), "limactl": _r("shell", "--workdir", 1),
    "kubectl": _r("exec, run", _KUBECTL, 1), "oc": _r("exec, run", _KUBECTL, 1),
    "lxc": _r("exec", _LXC, 1), "incus": _r("exec", _LXC, 1),
    "multipass": _r("exec", "-d --working-directory", 1),
    "distrobox": _r("enter", "-n --name -a --additional-flags", until_separator=True),
    "toolbox": _r("run", "-c --container -r --release -d --distro"),
    "wsl": _r("", "-d --distribution -u --user --cd"),
    "devcontainer": _r("exec", "--workspace-folder --container-id --config --remote-env "
                               "--id-label --docker-path"),
    "vagrant": _r("ssh", "", scripts="-c --command"),
    # ssh runs its command line on another host: the agent still runs for this job.
    "ssh": _r("", "-i -p -o -l -F -J -b -c -D -E -e -I -L -m -O -Q -R -S -W -w -B", 1,
              script=True),
    "opam": _r("exec", "--switch"), "stack": _r("exec", "--package"), "cabal": _r("exec"),
    "guix": _r("shell, environment", "-m --manifest -f --load", until_separator=True),
    "scl": _r("enable", "", 1, script=True), "aqua": _r("exec"), "rtx": _r("exec, x", "",
                                                                           until_separator=True),
    "proto": _r("run"), "saml2aws": _r("exec", "-a --idp-account -p --profile"),
    "chroot": _r("", "--userspec --groups", 1), "fakeroot": _r("", "-l -s -i --lib --faked"),
    "pkexec": _r("", "--user"), "setuidgid": _r("", "", 1), "s6-setuidgid": _r("", "", 1),
    "chpst": _r("", "-u -U -e -n -l -L -m -d -o -p -f -c -r -t"),
    "nsenter": _r("", "-t --target -S -G --setuid --setgid -w --wd -r --root"),
    "ip": _r("netns exec", "", 1),
    "strace": _r("", "-e -o -p -s -u -a -O -S -X -b -P -I -E"),
    "ltrace": _r("", "-e -o -p -s -u -a -n -l"), "valgrind": _r(""),
    "perf": _r("record, stat, trace", "-e -o -F -c -p -t -C -G --call-graph"),
    "watchexec": _r("", "-w --watch -e --exts -i --ignore -d --debounce -s --signal --shell "
                        "-f --filter"),
    "entr": _r(""), "nodemon": _r("", "-w --watch -e --ext -i --ignore", scripts="-x --exec"),
    "retry": _r("", "-t --tries -d --delay -u --until"),
}
# Runners whose `--entrypoint PROG` is the program the command after the image runs with.
_ENTRYPOINT_RUNNERS = (_DOCKER, RUNNERS["docker-compose"])
_VERSION = re.compile(r"v?\d[\w.]*|node|iojs|stable|system|lts/.*|--lts(?:=.*)?")


def _run_by(runner: Runner, args: list[str]) -> list[list[str]]:
    """The command a RUNNERS program runs, as words; for one that runs it through a shell,
    or given an option whose value is one, none (script_arguments reads those)."""
    i = _runner_command(runner, args)
    return [] if i is None or i >= len(args) else [args[i:]]


def _runner_scripts(runner: Runner, args: list[str]) -> list[str]:
    """The command lines a RUNNERS program hands to a shell: its `--command 'CMD'`, and
    all of its command for one that takes a string (sops exec-env)."""
    found = [args[k + 1] for k in range(len(args) - 1) if args[k] in runner.scripts]
    found.extend(value for a in args if "=" in a
                 for option, _, value in [a.partition("=")] if option in runner.scripts)
    if runner.script:
        i = _runner_command(runner, args)
        if i is not None and i < len(args):
            found.append(" ".join(args[i:]))
    return found


def _runner_command(runner: Runner, args: list[str]) -> int | None:
    """Where the command a RUNNERS program runs starts in `args`; None when its words name
    no verb of it."""
    i = _past(args, 0, runner.valued)
    if runner.verbs:
        verb = next((v for v in runner.verbs if tuple(args[i:i + len(v)]) == v), None)
        if verb is None:
            return None
        i = _past(args, i + len(verb), runner.valued)
    if runner.version and i < len(args) and _VERSION.fullmatch(args[i]):
        i = _past(args, i + 1, runner.valued)
    if runner.until_separator:
        ends = [k for k in range(i, len(args)) if args[k] in ("--", "do")]
        return ends[0] + 1 if ends else None
    for _ in range(runner.positional):
        i = _past(args, i + 1, runner.valued)
    if args[i:i + 1] == ["--"]:
        i += 1
    while i < len(args) and _ASSIGNMENT.match(args[i]):  # cross-env A=1 CMD
        i += 1
    return i


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


_CONTAINER_VERBS = frozenset({"run", "pull", "create"})


def container_images(args: tuple[str, ...] | list[str]) -> list[str]:
    """The words of `docker|podman run|pull|create ...` that may name the image: the
    first two words after the verb and its options (an option this table does not know
    to take a value may stand before the image). The words after the image are the
    container's command, read as a command of their own (RUNNERS)."""
    verb = next((k for k, a in enumerate(args) if a in _CONTAINER_VERBS), None)
    if verb is None:
        return []
    found: list[str] = []
    i = verb + 1
    while len(found) < 2:
        i = _past(list(args), i, _DOCKER.valued)
        if i >= len(args):
            break
        found.append(args[i])
        i += 1
    return found


# Image scanners, by the verbs before the image they read (none: it follows the program).
# An image pulled to be scanned is not run (workflows.py: scanned_pulls).
_SCANNERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "trivy": (("image",), ("i",)), "grype": ((),), "syft": ((), ("scan",)), "dockle": ((),),
    "docker": (("scout", "cves"), ("scout", "quickview"), ("scout", "recommendations"),
               ("scan",)),
    "snyk": (("container", "test"), ("container", "monitor")),
}
_SCANNER_VALUED = frozenset({"-f", "--format", "-o", "--output", "-s", "--severity", "-t",
                             "--template", "--exit-code", "--timeout", "--scanners",
                             "--ignorefile", "--cache-dir", "--platform", "-c", "--config",
                             "--file", "--fail-on", "--only-fixed", "--org",
                             "--severity-threshold"})


# Scanners' own images, by the program each runs (`docker run aquasec/trivy image X`).
_SCANNER_IMAGES = {"aquasec/trivy": "trivy", "anchore/grype": "grype", "anchore/syft": "syft",
                   "goodwithtech/dockle": "dockle", "snyk/snyk": "snyk"}


def scanned_image(program: str, args: tuple[str, ...] | list[str]) -> str | None:
    """The image an image scanner reads (`trivy image X`, `grype X`, `docker scout cves X`,
    `snyk container test X`, `docker run aquasec/trivy image X`); None for any other
    command."""
    if program in ("docker", "podman", "nerdctl") and "run" in args:
        images = container_images(args)
        image = images[0].partition(":")[0].removeprefix("docker.io/") if images else ""
        command = _run_by(_DOCKER, list(args))
        if image in _SCANNER_IMAGES and command:
            return scanned_image(_SCANNER_IMAGES[image], command[0])
    for verb in sorted(_SCANNERS.get(program, ()), key=len, reverse=True):
        if tuple(args[:len(verb)]) != verb:
            continue
        rest = list(args[len(verb):])
        i = _past(rest, 0, _SCANNER_VALUED)
        if i < len(rest):
            return rest[i]
    return None


_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
# Package runners, by their verbs that run a package's program (none: the runner itself).
_LAUNCHERS: dict[str, frozenset[str]] = {
    "npx": frozenset(), "pnpx": frozenset(), "bunx": frozenset(), "uvx": frozenset(),
    "npm": frozenset({"exec", "x"}), "pnpm": frozenset({"dlx", "exec", "x"}),
    "yarn": frozenset({"dlx", "exec", "run"}), "bun": frozenset({"x", "run", "exec"}),
    "pipx": frozenset({"run"}), "uv": frozenset({"run"}), "deno": frozenset({"run", "x"}),
}
_LAUNCHER_VALUED = frozenset({"-p", "--package", "--from", "--with", "--spec", "--python",
                              "--index-url", "-c", "--config", "--import-map", "--lock",
                              "--cert", "--location", "--seed", "--cwd", "-C", "--dir",
                              "--filter", "-F"})
# Programs of yarn and pnpm's own: any other first word runs a package's program.
_YARN_COMMANDS = frozenset({
    "add", "install", "remove", "run", "test", "build", "why", "init", "upgrade", "up",
    "link", "unlink", "info", "config", "cache", "audit", "outdated", "publish", "pack",
    "version", "workspace", "workspaces", "global", "set", "plugin", "dedupe", "rebuild",
    "store", "list", "ls", "update", "prune", "import", "start", "create", "i", "dlx",
    "exec", "x", "node", "constraints", "npm", "patch", "patch-commit", "explain",
})


def argv_commands(program: str, args: list[str]) -> list[list[str]]:
    """The commands a command runs from its arguments as words: find's -exec, `npx X`
    and the verbs of package runners (`pnpm dlx X`, `deno run npm:X`, `uvx X`, `yarn X`),
    PowerShell's Start-Process and cmd's start, and the command of a RUNNERS program
    (`poetry run X`, `doppler run -- X`, `docker exec C X`)."""
    if program == "find":
        return _find_exec(args)
    if program in ("start-process", "saps", "start"):
        return _started(args)
    found = installer_commands(program, args)
    runner = RUNNERS.get(program)
    if runner is not None and not runner.script:
        found.extend(_run_by(runner, args))
    if runner in _ENTRYPOINT_RUNNERS:
        found.extend(_with_entrypoint(runner, args))
    release = release_program(program)
    if release is not None:
        found.append([release, *args])
    if program in _JS_RUNTIMES:
        found.extend(module_scripts(program, args))
    verbs = _LAUNCHERS.get(program)
    return found if verbs is None else found + _launched(program, verbs, args)


# Runtimes that run a package's installed entry point by its path (`node
# node_modules/@scope/cli/cli.js`, `node "$(npm root -g)/cli/bin.js"`), as npm's Windows
# shims and CI steps that skip the .bin links do: that runs the package, as `npx` would.
_JS_RUNTIMES = frozenset({"node", "nodejs", "bun", "deno", "tsx", "ts-node"})
_RUNTIME_VALUED = frozenset({"-r", "--require", "--import", "--loader", "--experimental-loader",
                             "-C", "--conditions", "--env-file", "--title", "--cwd",
                             "--config", "-c", "--preload", "--watch-path"})
_MODULE_DIR = re.compile(r"(?:^|/)node_modules/+((?:@[^/@]+/+|\.bin/+)?[^/@]+)")
# A package's folder under an expansion (`$(npm root -g)/pkg/cli.js`): its first folder.
_UNDER_SUBSTITUTION = re.compile(r"/+((?:@[^/@]+/+)?[^/@]+)/")


def module_scripts(program: str, args: list[str]) -> list[list[str]]:
    """The packages a JavaScript runtime runs by a path into them: past its verb (`deno
    run`, `bun run`) and options, the script, and the values of options that load a
    module (`-r`, `--import`), as `npx PACKAGE ARGS...`. A path through node_modules, or
    one under a command substitution (`npm root -g`), names the package its folder is."""
    i = 1 if program in ("deno", "bun") and args[:1] in (["run"], ["x"]) else 0
    found: list[list[str]] = []
    while i < len(args):
        word = args[i]
        if word.startswith("$(") and ")" not in word:  # a substitution split into words
            k = next((j for j in range(i, len(args)) if ")" in args[j]), len(args) - 1)
            word, i = " ".join(args[i:k + 1]), k
        option, equals, value = word.partition("=") if word.startswith("-") else ("", "", word)
        if option in _RUNTIME_VALUED and not equals and i + 1 < len(args):
            value, i = args[i + 1], i + 1
        package = _module_package(value.replace("\\", "/"))
        if package is not None and package.startswith(".bin/"):  # the link to a program
            found.append([package[5:], *args[i + 1:]])
        elif package is not None:
            found.append(["npx", package, *args[i + 1:]])
        if not word.startswith("-"):
            break  # past the script, the words are its own arguments
        i += 1
    return found


def _module_package(word: str) -> str | None:
    matches = list(_MODULE_DIR.finditer(word))
    if matches:
        return re.sub(r"/+", "/", matches[-1].group(1))
    # Under an expansion left unknown: `$(npm root -g)/PKG`, `${NODE_PATH}/PKG`, `$G/PKG`.
    if word.startswith(("$(", "${")):
        end = word.find(")" if word[1] == "(" else "}")
        start = -1 if end < 0 else end + 1
    elif word.startswith("/@"):  # an expansion the reading left empty, then a scope
        start = 0
    else:
        name = _VARIABLE.match(word)
        start = -1 if name is None else name.end()
    under = None if start < 0 else _UNDER_SUBSTITUTION.match(word, start)
    return None if under is None else re.sub(r"/+", "/", under.group(1))


_VARIABLE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")


def _with_entrypoint(runner: Runner, args: list[str]) -> list[list[str]]:
    """`docker run --entrypoint PROG IMAGE ARGS...`: PROG run with ARGS (a JSON list, as
    podman takes it, is its words; any other value is split at blanks, as near as a
    static reading gets to what a container finds to run)."""
    entry: str | None = None
    k = 0
    while k < len(args) and args[k] != "--":
        option, equals, value = args[k].partition("=")
        if option == "--entrypoint":
            entry = value if equals else (args[k + 1] if k + 1 < len(args) else "")
        k += 1
    if entry is None or len(entry) > _MAX_NAME * 16:
        return []
    words = _json_words(entry) if entry.lstrip().startswith("[") else entry.split()
    if not words:
        return []
    i = _past(args, 0, runner.valued)
    verb = next((v for v in runner.verbs if tuple(args[i:i + len(v)]) == v), None)
    if verb is None:
        return []
    i = _past(args, i + len(verb), runner.valued)  # the image, then its command's words
    return [[*words, *args[i + 1:]]]


def _json_words(text: str) -> list[str]:
    import json

    try:
        value = json.loads(text)
    except ValueError:
        return text.strip("[] ").replace('"', " ").replace(",", " ").split()
    return [str(v) for v in value] if isinstance(value, list) else []


def _find_exec(args: list[str]) -> list[list[str]]:
    """The commands of find's -exec (and -execdir, -ok, -okdir), up to `;` or `+`."""
    found: list[list[str]] = []
    for i, arg in enumerate(args):
        if arg in _FIND_EXEC:
            command = []
            for word in args[i + 1:]:
                if word in (";", "+"):
                    break
                command.append(word)
            if command:
                found.append(command)
    return found


def _launched(program: str, verbs: frozenset[str], args: list[str]) -> list[list[str]]:
    """What a package runner runs: past its options and its verb (if it has verbs), the
    program of the package named; `yarn X` / `pnpm X` with X not their own: X."""
    i = 0
    if verbs:
        i = _past_options(args, 0)
        if i >= len(args):
            return []
        verb = args[i]
        if program in ("yarn", "pnpm") and verb not in verbs and verb not in _YARN_COMMANDS:
            return [args[i:]]
        after = _past_verb(program, verbs, args, i)
        if after is None:
            return []
        i = after
    return _package_program(program, args, _past_options(args, i))


def _past_verb(program: str, verbs: frozenset[str], args: list[str], i: int) -> int | None:
    """Where the words go on after the runner's verb at `i` (`uv tool run` is two words);
    None when it is not a verb that runs a package."""
    if args[i] == "tool" and program == "uv" and args[i + 1:i + 2] == ["run"]:
        return i + 2
    return i + 1 if args[i] in verbs else None


def _package_program(program: str, args: list[str], i: int) -> list[list[str]]:
    """The program of the package spec at `i`, with the words after it; an `npm:` spec is
    also run as `npx` would (deno runs npm: specs only)."""
    if i >= len(args):
        return []
    spec, rest = args[i], args[i + 1:]
    if spec.startswith("npm:"):
        package = spec[4:]
        return [["npx", package, *rest], [_bin_of(package), *rest]]
    if program == "deno":
        return []
    return [[_bin_of(spec), *rest]]


def _past_options(args: list[str], i: int) -> int:
    while i < len(args) and args[i].startswith("-"):
        if args[i] == "--":
            return i + 1
        i += 2 if args[i] in _LAUNCHER_VALUED else 1
    return i


def _bin_of(spec: str) -> str:
    """The program a package spec most likely runs: its name without scope or version
    (`claude@latest`: claude; `@scope/tool@1`: tool; `pkg==1.0`: pkg)."""
    name = spec[1:].partition("/")[2] if spec.startswith("@") else spec
    return re.split(r"[@=<>!~\[]", name, maxsplit=1)[0]


# Start-Process's parameters (a unique prefix names one), and those that take no value.
_START_PARAMETERS = ("filepath", "argumentlist", "credential", "workingdirectory",
                     "loaduserprofile", "nonewwindow", "passthru", "redirectstandarderror",
                     "redirectstandardinput", "redirectstandardoutput", "verb", "windowstyle",
                     "wait", "usenewenvironment", "environment", "args")
_START_SWITCHES = frozenset({"loaduserprofile", "nonewwindow", "passthru", "wait",
                             "usenewenvironment"})
_ARGUMENT_LIST = re.compile(r"[\s,]+")


def _started(args: list[str]) -> list[list[str]]:
    """PowerShell's Start-Process PROGRAM [-ArgumentList A,B] (or -FilePath), and cmd's
    start [/opts] ["title"] PROGRAM ARGS (`start` is both): the program with its
    arguments. Both of cmd's first two words are tried as the program, as a title may
    come first."""
    file: str | None = None
    arguments: list[str] = []
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        parameter = _start_parameter(arg)
        if parameter is None:
            positional.append(arg)
            i += 1
            continue
        following = args[i + 1] if i + 1 < len(args) else ""
        if parameter == "filepath":
            file = following
        elif parameter in ("argumentlist", "args"):
            arguments = [a for a in _ARGUMENT_LIST.split(following) if a]
        i += 1 if parameter in _START_SWITCHES else 2
    found: list[list[str]] = []
    if file is not None:
        found.append([file, *arguments, *_split_all(positional)])
    elif positional:
        found.append([positional[0], *arguments, *_split_all(positional[1:])])
    # cmd: start [/b /wait /min ...] ["title"] program args...
    k = 0
    while k < len(args) and args[k].startswith("/"):
        k += 1
    found.extend(args[j:] for j in (k, k + 1) if j < len(args))
    return found


def _start_parameter(word: str) -> str | None:
    """The Start-Process parameter `-Word` names (a unique prefix counts), or None."""
    if not word.startswith("-") or len(word) < 2 or any(c.isspace() for c in word):
        return None
    name = word[1:].casefold().partition(":")[0]
    matches = [p for p in _START_PARAMETERS if p.startswith(name)]
    return matches[0] if len(matches) == 1 or name in matches else None


def _split_all(words: list[str]) -> list[str]:
    return [a for word in words for a in _ARGUMENT_LIST.split(word) if a]


# ------------------------------------------------------------------------------ installers
# Every way of installing a package is read as the few forms the catalog's lists are
# matched with (workflows.py): `npm install PKG` for an npm package, `pip install PROJECT`
# for a PyPI project, and `fetch URL` for what is downloaded from a URL (a repository, a
# release asset, an archive). So each installer applies to every assistant the catalog
# lists, and a new assistant stays a data change.
_NPM_TOOLS = frozenset({"npm", "pnpm", "yarn", "bun", "npx", "pnpx", "bunx"})
_PYPI_TOOLS = frozenset({"pip", "pip3", "pipx", "uv", "uvx", "poetry", "pdm", "pipenv", "rye",
                         "conda", "mamba", "micromamba"})
# Python project managers whose `add` (pipenv: `install`) installs a requirement.
_PROJECT_TOOLS = frozenset({"poetry", "pdm", "pipenv", "rye"})
_MISE_VALUED = frozenset({"-C", "--cd", "-E", "--env", "-j", "--jobs", "-p", "--path"})
_VOLTA_VALUED = frozenset({"--node", "--npm", "--yarn", "--pnpm", "--env"})
# Hosts whose `owner/name` paths are repositories (a GitHub shorthand names the first).
_FORGES = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org"}
_VCS = re.compile(r"(?:git|hg|svn|bzr)\+", re.IGNORECASE)
_REPOSITORY = re.compile(r"[a-z][a-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)(?::\d*)?/+"
                         r"([^/?#]+)/+([^/?#@]+)", re.IGNORECASE)
_SHORTHAND = re.compile(r"(?:(github|gitlab|bitbucket):)?([A-Za-z0-9][\w.-]*)/"
                        r"([\w.-]+?)(?:\.git)?(?:[#@].*)?")
# A built distribution or source archive: its file name begins with the project's name
# (PyPI: `aider_chat-0.50.0-py3-none-any.whl`, `aider-chat-0.50.0.tar.gz`; npm pack:
# `anthropic-ai-claude-code-1.0.0.tgz`, a scope's `@` dropped and its `/` a `-`).
# Names longer than this are not split or matched (npm names are at most 214 characters;
# the patterns below would cost time quadratic in a hostile word's length).
_MAX_NAME = 256
_ARCHIVE = re.compile(r"(.+?)-(?:v?[0-9*][^/]*?)?(?:-[^/]*)?\.(?:whl|tar\.gz|tgz|zip|tar\.bz2)",
                      re.IGNORECASE)


def installer_commands(program: str, args: list[str]) -> list[list[str]]:
    """What an installer command fetches, as the commands the catalog is matched with:
    mise's and volta's tools, Poetry/PDM/Pipenv/Rye requirements, `npm pack X`, `go
    install`, `gh release download`, and the URLs, VCS references, GitHub shorthands and
    archives a package manager is given."""
    if program == "mise":
        return _mise(args)
    if program == "volta":
        return _volta(args)
    other = _OTHER_INSTALLERS.get(program)
    if other is not None:
        return other(args)
    found = _verb_installs(program, args)
    if program in ("go", "cargo") and any(a in ("install", "get", "run", "tool") for a in args):
        found.extend(["fetch", url] for a in args if (url := _go_module(a)) is not None)
    if program == "gh":
        found.extend(_gh_fetches(args))
        found.extend(_gh_extensions(args))
    if program == "git":
        found.extend(_git_fetches(args))
    npm = program in _NPM_TOOLS
    if npm or program in _PYPI_TOOLS or program in ("go", "cargo"):
        for arg in args:
            found.extend(_package_sources(arg, npm))
    return found


def _verb_installs(program: str, args: list[str]) -> list[list[str]]:
    """What the install verbs of Poetry/PDM/Pipenv/Rye, `npm pack`, `deno install npm:X`,
    proto and devbox fetch."""
    found: list[list[str]] = []
    verb = next((k for k, a in enumerate(args) if not a.startswith("-")), len(args))
    if program in _PROJECT_TOOLS and args[verb:verb + 1] in (["add"], ["install"]):
        found.append(["pip", "install", *args[verb + 1:]])
    if program in ("npm", "pnpm") and args[verb:verb + 1] == ["pack"]:
        found.append(["npm", "install", *args[verb + 1:]])
    if program == "deno" and args[verb:verb + 1] in (["install"], ["i"], ["add"]):
        found.extend(["npm", "install", a[4:]] for a in args if a.startswith("npm:"))
    if program in ("proto", "devbox"):
        found.extend(_tool_installs(program, args))
    return found


def _package_sources(arg: str, npm: bool) -> list[list[str]]:
    """What one argument of a package manager fetches: a VCS or archive URL, a GitHub
    shorthand (npm: `owner/name`, `github:owner/name`), a local archive (its name says
    its package)."""
    if arg.startswith("-"):
        return []
    spec = arg[arg.index("git+"):] if "@git+" in arg.replace(" ", "") else arg
    spec = _VCS.sub("", spec, count=1) if _VCS.match(spec) else spec
    found: list[list[str]] = []
    repository = _REPOSITORY.match(spec)
    if repository is not None:
        host, owner, name = repository.groups()
        found.append(["fetch", spec])
        found.append(["fetch", f"https://{host}/{owner}/{name.removesuffix('.git')}"])
    elif npm and not spec.startswith(("@", ".", "/", "~")):
        short = _SHORTHAND.fullmatch(spec)
        if short is not None:
            forge, owner, name = short.groups()
            found.append(["fetch", f"https://{_FORGES[forge or 'github']}/{owner}/{name}"])
    file = spec.rpartition("/")[2].partition("?")[0]
    archive = _ARCHIVE.fullmatch(file) if len(file) <= _MAX_NAME else None
    if archive is not None:
        stem = archive.group(1)
        found.append(["npm", "install", *_packed_names(stem)] if npm else
                     ["pip", "install", stem])
    return found


def _packed_names(stem: str) -> list[str]:
    """The npm packages `npm pack` names a file `stem-VERSION.tgz` for: `stem` itself, and
    `@a/b` for each split of it at a hyphen (a scope's `@` is dropped, its `/` a `-`)."""
    names = [stem]
    for k, c in enumerate(stem):
        if c == "-" and 0 < k < len(stem) - 1:
            names.append(f"@{stem[:k]}/{stem[k + 1:]}")
    return names


def _go_module(arg: str) -> str | None:
    """The repository a `go install` module path or a `cargo install --git` URL is on."""
    if arg.startswith("-"):
        return None
    path = arg.split("://", 1)[-1].partition("@")[0]
    parts = path.split("/")
    if len(parts) < 3 or "." not in parts[0]:
        return None
    return f"https://{parts[0]}/{parts[1]}/{parts[2].removesuffix('.git')}"


def repository_url(value: str, shorthand: bool = False) -> str | None:
    """The repository a word names, as `https://HOST/OWNER/NAME`: a URL under it (with a
    VCS prefix, `.git`, a user or a port), scp's `git@HOST:OWNER/NAME.git`, `HOST/OWNER/
    NAME`, and with `shorthand` GitHub's `OWNER/NAME` (a ref after `@` or `#`, a forge's
    `gitlab:` before it). None for any other word."""
    if len(value) > _MAX_NAME * 4 or value.startswith("-"):
        return None
    spec = _VCS.sub("", value, count=1)
    scp = _SCP.fullmatch(spec)
    if scp is not None:
        spec = f"ssh://{scp.group(1)}/{scp.group(2)}"
    elif "://" not in spec and "." in spec.partition("/")[0] and spec.count("/") >= 2 \
            and not spec.startswith("."):
        spec = "https://" + spec
    repository = _REPOSITORY.match(spec)
    if repository is not None:
        host, owner, name = repository.groups()
        return f"https://{host.casefold()}/{owner}/{name.removesuffix('.git')}"
    short = _SHORTHAND.fullmatch(spec) if shorthand and "://" not in spec else None
    if short is None:
        return None
    forge, owner, name = short.groups()
    return f"https://{_FORGES[forge or 'github']}/{owner}/{name}"


# scp's form of a repository's address: `git@github.com:owner/name.git`.
_SCP = re.compile(r"(?:[^@/:\s]+@)?([A-Za-z0-9.-]+\.[A-Za-z]+):/*([^/\s]+/[^\s]+)")
# Global options of git that take a value (before its verb).
_GIT_VALUED = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace",
                         "--config-env", "--exec-path"})
# git's verbs that fetch from a repository they are given (`submodule add URL`, `remote
# add NAME URL`: the next fetch does).
_GIT_FETCHING = frozenset({"clone", "fetch", "pull", "submodule", "remote"})


def _git_fetches(args: list[str]) -> list[list[str]]:
    """What `git clone|fetch|pull|submodule add|remote add URL` fetches: the repository."""
    i = _past(args, 0, _GIT_VALUED)
    if i >= len(args) or args[i] not in _GIT_FETCHING:
        return []
    return [["fetch", url] for arg in args[i + 1:]
            if (url := repository_url(arg)) is not None]


def _gh_fetches(args: list[str]) -> list[list[str]]:
    """What gh downloads from a repository: `gh release download` and `gh run download`
    with -R, `gh repo clone|fork OWNER/NAME`, `gh api repos/OWNER/NAME/...`."""
    verb = [a for a in args[:3] if not a.startswith("-")][:2]
    if verb in (["release", "download"], ["run", "download"]):
        return [["fetch", f"https://github.com/{r}/releases"] for r in _gh_repos(args)]
    words = [a for a in args[2:] if not a.startswith("-")]
    if verb in (["repo", "clone"], ["repo", "fork"]) and words:
        url = repository_url(words[0], shorthand=True)
        return [] if url is None else [["fetch", url]]
    if verb[:1] == ["api"]:
        paths = [a.lstrip("/") for a in args[1:] if a.lstrip("/").startswith("repos/")]
        return [["fetch", f"https://api.github.com/{p}"] for p in paths[:1]]
    return []


_GH_EXTENSION = frozenset({"extension", "extensions", "ext"})


def _gh_extensions(args: list[str]) -> list[list[str]]:
    """gh's extensions: `gh NAME ARGS` and `gh extension exec NAME ARGS` run the program
    gh-NAME (a rule lists it so: `gh-copilot`); `gh extension install|upgrade OWNER/NAME`
    (or its URL) fetches that repository."""
    words = [a for a in args if not a.startswith("-")]
    if not words:
        return []
    if words[0] not in _GH_EXTENSION:
        at = args.index(words[0])
        return [[f"gh-{words[0].casefold()}", *args[at + 1:]]]
    if words[1:2] == ["exec"] and len(words) > 2:
        at = args.index(words[2], args.index("exec") + 1)
        return [[f"gh-{words[2].casefold()}", *args[at + 1:]]]
    if words[1:2] in (["install"], ["upgrade"]):
        urls = (repository_url(w, shorthand=True) for w in words[2:])
        return [["fetch", url] for url in urls if url is not None]
    return []


def _gh_repos(args: list[str]) -> list[str]:
    """The repositories of `gh release download -R owner/name` (--repo)."""
    found = []
    for i, arg in enumerate(args):
        option, equals, value = arg.partition("=")
        if option in ("-R", "--repo"):
            found.append(value if equals else (args[i + 1] if i + 1 < len(args) else ""))
        elif arg.startswith("-R") and len(arg) > 2:
            found.append(arg[2:])
    return [r for r in found if r.count("/") == 1]


def _mise(args: list[str]) -> list[list[str]]:
    """mise (`x`/`exec`, `use`, `install`): its tools as installs (`npm:PKG`, `pipx:X`,
    `ubi:`/`github:`/`aqua:` OWNER/NAME), and the command after `--` that `mise x` runs."""
    i = _past(args, 0, _MISE_VALUED)
    if i >= len(args) or args[i] not in ("x", "exec", "use", "u", "install", "i"):
        return []
    found: list[list[str]] = []
    i += 1
    while i < len(args) and args[i] != "--":
        if args[i].startswith("-"):
            i += 2 if args[i] in _MISE_VALUED and "=" not in args[i] else 1
            continue
        found.extend(_mise_tool(args[i]))
        i += 1
    if i + 1 < len(args):
        found.append(args[i + 1:])
    return found


def _mise_tool(spec: str) -> list[list[str]]:
    backend, colon, tool = spec.partition(":")
    if not colon:
        return []
    backend = backend.casefold()
    if backend == "npm":
        return [["npm", "install", "-g", tool]]
    if backend in ("pipx", "pypi", "uv"):
        return [["pipx", "install", tool]]
    if backend in ("ubi", "github", "aqua", "gitlab"):
        host = "gitlab.com" if backend == "gitlab" else "github.com"
        return [["fetch", f"https://{host}/{tool.partition('@')[0]}/releases"]]
    if backend in ("go", "cargo"):
        module = _go_module(tool)
        return [] if module is None else [["fetch", module]]
    return []


def _volta(args: list[str]) -> list[list[str]]:
    """volta: `install`/`fetch PKG...` as npm installs, `run CMD` as CMD."""
    if not args:
        return []
    if args[0] in ("install", "fetch"):
        return [["npm", "install", "-g", a] for a in args[1:] if not a.startswith("-")]
    if args[0] == "run":
        i = _past(args, 1, _VOLTA_VALUED)
        return [args[i:]] if i < len(args) else []
    return []


def _tool_installs(program: str, args: list[str]) -> list[list[str]]:
    """proto install|use TOOL (a `backend:name` as mise reads it), devbox [global] add PKG
    (a nixpkgs package, `@version` after it), pkgx install PKG (its last path part as a
    nixpkgs name; `github.com/owner/name` as that repository)."""
    words = [a for a in args if not a.startswith("-")]
    if words[:1] == ["global"]:
        words = words[1:]
    verbs = {"proto": ("install", "i", "use", "pin"), "devbox": ("add",),
             "pkgx": ("install",)}[program]
    if not words or words[0] not in verbs:
        return []
    found: list[list[str]] = []
    for spec in words[1:]:
        if program == "proto":
            found.extend(_mise_tool(spec))
            continue
        name = spec.rpartition("@")[0] if spec.rfind("@") > 0 else spec
        found.append(["nix", "install", _nix_attribute(name).rpartition("/")[2]])
        module = _go_module(name) if program == "pkgx" else None
        if module is not None:
            found.append(["fetch", module])
    return found


def _corepack(args: list[str]) -> list[list[str]]:
    """corepack PM[@VERSION] ARGS: the package manager it is given, run with ARGS."""
    i = _past(args, 0, frozenset())
    if i >= len(args):
        return []
    return [[args[i].partition("@")[0], *args[i + 1:]]]


def _pkgx(args: list[str]) -> list[list[str]]:
    """pkgx [+PKG...] [options] CMD ARGS: the command it runs (its `+PKG`s are tools it
    adds to the environment); `pkgx install PKG` installs PKG."""
    if args[:1] == ["install"]:
        return _tool_installs("pkgx", args)
    i = 0
    while i < len(args) and (args[i].startswith(("+", "-")) or args[i] in ("x", "exec")):
        if args[i] == "--":
            i += 1
            break
        i += 1
    return [args[i:]] if i < len(args) else []


# Options of nix and nix-shell that take a value (their words are no package).
_NIX_VALUED = frozenset({"-I", "--include", "--arg", "--argstr", "-A", "--attr", "-f",
                         "--file", "--option", "--expr", "-E", "--profile", "--keep",
                         "-k", "--override-input", "--inputs-from", "--store"})


def _nix_attribute(ref: str) -> str:
    """The package a flake reference or attribute path names: `nixpkgs#claude-code`,
    `nixpkgs.claude-code`, `github:NixOS/nixpkgs/unstable#legacyPackages.x86_64-linux.X`
    (the last part of the attribute path)."""
    return (ref.partition("#")[2] if "#" in ref else ref).rpartition(".")[2]


def _nix(args: list[str]) -> list[list[str]]:
    """nix run|shell|profile install|build|develop INSTALLABLE...: each package as
    `nix install NAME` (matched with a rule's `nix:` entries); `nix run X -- ARGS` also
    runs X's program, `nix shell X -c CMD` runs CMD."""
    i = _past(args, 0, _NIX_VALUED)
    if i >= len(args):
        return []
    verb = args[i]
    i += 2 if verb == "profile" and args[i + 1:i + 2] in (["install"], ["add"]) else 1
    if verb not in ("run", "shell", "profile", "build", "develop", "env"):
        return []
    found: list[list[str]] = []
    names: list[str] = []
    while i < len(args) and args[i] not in ("--", "-c", "--command"):
        if args[i].startswith("-"):
            i += 2 if args[i] in _NIX_VALUED else 1
            continue
        names.append(_nix_attribute(args[i]))
        i += 1
    found.extend(["nix", "install", n] for n in names if n)
    rest = args[i + 1:]
    if i < len(args) and args[i] in ("-c", "--command") and rest:
        found.append(rest)
    elif verb == "run" and names and names[0]:
        found.append([names[0], *rest])
    return found


def _nix_shell(args: list[str]) -> list[list[str]]:
    """nix-shell -p PKG... (and nix-env -i/-iA PKG): each package as `nix install NAME`;
    the script of `--run`/`--command` is read by script_arguments."""
    found: list[list[str]] = []
    packages = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("--run", "--command"):
            i += 2
            continue
        if arg.startswith("-"):
            packages = arg in ("-p", "--packages", "-i", "--install", "-iA") or \
                (packages and arg in ("-A", "--attr"))
            i += 2 if arg in _NIX_VALUED and not packages else 1
            continue
        if packages:
            found.append(["nix", "install", _nix_attribute(arg)])
        i += 1
    return found


_EGET_VALUED = frozenset({"-t", "--tag", "-a", "--asset", "-f", "--file", "--to", "-s",
                          "--system", "--rate", "--sha256", "--verify-sha256",
                          "--download-only"})


def _release_fetchers(args: list[str], project: frozenset[str], url: frozenset[str],
                      positional: bool) -> list[list[str]]:
    """eget REPO / ubi --project REPO: a download from REPO's GitHub releases (`--url`,
    or a URL given: that URL)."""
    found: list[list[str]] = []
    i = 0
    while i < len(args):
        option, equals, value = args[i].partition("=")
        if option in project or option in url:
            value = value if equals else (args[i + 1] if i + 1 < len(args) else "")
            found.extend(_release_source(value))
            i += 1 if equals else 2
        elif args[i].startswith("-"):
            i += 2 if args[i] in _EGET_VALUED and not equals else 1
        else:
            if positional:
                found.extend(_release_source(args[i]))
            i += 1
    return found


def _release_source(value: str) -> list[list[str]]:
    if "://" in value:
        return [["fetch", value]]
    short = _SHORTHAND.fullmatch(value) if len(value) <= _MAX_NAME else None
    if short is None:
        return []
    forge, owner, name = short.groups()
    return [["fetch", f"https://{_FORGES[forge or 'github']}/{owner}/{name}/releases"]]


def _degit(args: list[str]) -> list[list[str]]:
    """degit / tiged SRC [DEST]: a copy of SRC's files (`owner/name#ref`, `github:...`,
    a URL)."""
    words = [a for a in args if not a.startswith("-")]
    url = repository_url(words[0], shorthand=True) if words else None
    return [] if url is None else [["fetch", url]]


def _eget(args: list[str]) -> list[list[str]]:
    return _release_fetchers(args, frozenset(), frozenset(), positional=True)


def _ubi(args: list[str]) -> list[list[str]]:
    return _release_fetchers(args, frozenset({"-p", "--project"}),
                             frozenset({"-u", "--url"}), positional=False)


def _pixi(args: list[str]) -> list[list[str]]:
    """pixi global install / add / exec PKG: the packages as PyPI installs (conda-forge
    packages Python tools under their PyPI names), and `pixi exec PKG ARGS` runs PKG."""
    verb = next((k for k, a in enumerate(args) if not a.startswith("-")), len(args))
    if args[verb:verb + 1] == ["global"]:
        verb = next((k for k, a in enumerate(args) if k > verb and not a.startswith("-")),
                    len(args))
    found: list[list[str]] = []
    if args[verb:verb + 1] in (["install"], ["add"], ["exec"], ["x"]):
        names = [a for a in args[verb + 1:] if not a.startswith("-")]
        found.append(["pip", "install", *names])
        if args[verb] in ("exec", "x") and names:
            i = args.index(names[0], verb + 1)
            found.append([_bin_of(names[0]), *args[i + 1:]])
    return found


_OTHER_INSTALLERS: dict[str, Callable[[list[str]], list[list[str]]]] = {
    "corepack": _corepack, "pkgx": _pkgx, "nix": _nix, "nix-shell": _nix_shell,
    "nix-env": _nix_shell, "eget": _eget, "ubi": _ubi, "pixi": _pixi,
    "degit": _degit, "tiged": _degit,
}


def _past(args: list[str], i: int, valued: frozenset[str]) -> int:
    """Where the words go on past the options at `i` (`--` ends them)."""
    while i < len(args) and args[i].startswith("-"):
        if args[i] == "--":
            return i + 1
        i += 2 if args[i] in valued and "=" not in args[i] else 1
    return i


# A release binary under its download name: the program's name, then its platform
# (`codex-x86_64-unknown-linux-musl`, `opencode-linux-x64`, `tool_darwin_arm64`).
_PLATFORM_WORDS = ("x86_64|x86-64|x64|amd64|aarch64|arm64|armv7l?|armv6l?|i686|i386|riscv64|"
                   "ppc64le|s390x|universal|unknown|pc|apple|musl|gnu|msvc|gnueabihf|"
                   "musleabihf|eabihf")
_OS_WORDS = "linux|darwin|macos|mac|osx|windows|win32|win64|freebsd"
_RELEASE = re.compile(rf"(.+?)((?:[-_](?:{_PLATFORM_WORDS}|{_OS_WORDS}))+)")
_OS = re.compile(rf"[-_](?:{_OS_WORDS})(?![a-z0-9])")


def release_program(program: str) -> str | None:
    """The program a release binary named for its platform is (`codex` for
    `codex-x86_64-unknown-linux-musl`); None for a name with no platform in it."""
    found = _RELEASE.fullmatch(program) if len(program) <= _MAX_NAME else None
    if found is None or _OS.search(found.group(2)) is None:
        return None
    return found.group(1)


# ------------------------------------------------------------------------------ arguments
def arguments_hit(args: tuple[str, ...], required: tuple[str, ...]) -> bool:
    """Whether a command's arguments hold what a catalog.toml `workflow_run` entry asks
    after its program: each `arg` (has_argument), none of the `!arg`, and for `{prompt}`
    a word that is no option (what the command reads on its input counts: shell.STDIN)."""
    for want in required:
        if want.startswith("!"):
            if has_argument(args, want[1:]):
                return False
        elif want == "{prompt}":
            if all(a.startswith("-") for a in args):
                return False
        elif not has_argument(args, want):
            return False
    return True


def has_argument(args: tuple[str, ...], want: str) -> bool:
    """`want` among `args`: itself, `--long=value` for `--long`, or inside a cluster of
    short options (`-sp` holds `-p`)."""
    short = len(want) == 2 and want[0] == "-" and want[1] != "-"
    for arg in args:
        if arg == want or (want.startswith("--") and arg.startswith(want + "=")):
            return True
        if short and len(arg) > 2 and arg[0] == "-" and arg[1:].isalpha() and want[1] in arg:
            return True
    return False
