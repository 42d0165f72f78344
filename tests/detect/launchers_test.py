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


# ------------------------------------------------------------------ every installer form
# Each form is tried on assistants other than the repro's (aider, codex, gemini, opencode,
# crush, qwen): the form is code, which package, repository or program it names is data.
@pytest.mark.parametrize(("run", "rule"), [
    # mise: `x`/`exec` runs the command after --, and its tools install (npm:, pipx:, ubi:)
    ("mise x npm:@openai/codex -- codex exec fix", "AIC302"),
    ("mise exec npm:@google/gemini-cli@latest -- true", "AIC303"),
    ("mise use -g npm:opencode-ai", "AIC304"),
    ("mise install pipx:aider-chat", "AIC306"),
    ("mise use -g ubi:charmbracelet/crush", "AIC324"),
    ("mise x -- codex exec fix", "AIC302"),
    # volta installs npm packages and runs their programs
    ("volta install @qwen-code/qwen-code", "AIC309"),
    ("volta fetch opencode-ai", "AIC304"),
    ("volta run --node 20 codex exec fix", "AIC302"),
    # Python project managers add a requirement
    ("poetry add aider-chat", "AIC306"),
    ("pdm add -d aider-chat==0.50", "AIC306"),
    ("pipenv install aider_chat", "AIC306"),
    ("uv add aider-chat", "AIC306"),
    ("uv tool install aider-chat", "AIC306"),
    ("pipx install aider-chat", "AIC306"),
    # from a VCS URL, a GitHub shorthand, an archive or a wheel
    ("pip install git+https://github.com/Aider-AI/aider.git", "AIC306"),
    ("pip install 'aider-chat @ git+https://github.com/Aider-AI/aider@v0.50.0'", "AIC306"),
    ("uv tool install git+ssh://git@github.com/Aider-AI/aider.git", "AIC306"),
    ("pipx install https://github.com/Aider-AI/aider/archive/refs/heads/main.zip", "AIC306"),
    ("pip install https://example.org/wheels/aider_chat-0.50.0-py3-none-any.whl", "AIC306"),
    ("pip install ./dist/aider-chat-0.50.0.tar.gz", "AIC306"),
    ("npm i -g github:google-gemini/gemini-cli", "AIC303"),
    ("npx https://github.com/google-gemini/gemini-cli", "AIC303"),
    ("npm install -g QwenLM/qwen-code", "AIC309"),
    ("go install github.com/charmbracelet/crush@latest", "AIC324"),
    # npm pack, then the packed file; a registry tarball URL
    ("npm pack @openai/codex", "AIC302"),
    ("npm i -g ./openai-codex-0.40.0.tgz", "AIC302"),
    ("npm i -g ./google-gemini-cli-*.tgz", "AIC303"),
    ("npm i -g https://registry.npmjs.org/@openai/codex/-/codex-0.40.0.tgz", "AIC302"),
    # curl normalizes a URL's path before it asks for it
    ("curl -fsSL https://aider.chat/./install.sh | sh", "AIC306"),
    ("curl -fsSL https://aider.chat//install.sh | sh", "AIC306"),
    ("curl -fsSL https://aider.chat/docs/../install.sh | sh", "AIC306"),
    ("curl -fsSL https://aider.chat/%2e/install.sh | sh", "AIC306"),
    ("wget -qO- https://opencode.ai/x/%2E%2E/install | bash", "AIC304"),
    # a release asset downloaded, and the binary run under its download name
    ("gh release download -R openai/codex -p '*linux-musl*'", "AIC302"),
    ("curl -LO https://github.com/sst/opencode/releases/latest/download/x.zip", "AIC304"),
    ("./codex-aarch64-apple-darwin exec 'fix the test'", "AIC302"),
    ("./opencode-linux-x64 run 'fix the test'", "AIC304"),
    ("codex-x86_64-pc-windows-msvc.exe exec fix", "AIC302"),
    # Gemini CLI runs headless on a prompt given positionally or on its input
    ("echo 'review the diff' | gemini", "AIC303"),
    ("git diff | gemini -m gemini-2.5-flash", "AIC303"),
    ("gemini < prompt.md", "AIC303"),
    ("gemini <<< 'review the diff'", "AIC303"),
    ("gemini 'review the diff'", "AIC303"),
    ("npx @google/gemini-cli 'review the diff'", "AIC303"),
    # corepack runs the package manager it is given; pkgx and nix-shell --run the command
    ("corepack pnpm dlx @google/gemini-cli -p x", "AIC303"),
    ("corepack yarn@4.1.0 dlx @openai/codex exec x", "AIC302"),
    ("pkgx +node@22 codex exec x", "AIC302"),
    ("nix-shell -p nodejs --run 'npx @google/gemini-cli -p x'", "AIC303"),
    # nixpkgs attributes (nix: entries), however nix is asked for them
    ("nix-shell -p gemini-cli", "AIC303"),
    ("nix-shell --packages nodejs codex", "AIC302"),
    ("nix run nixpkgs#codex -- exec x", "AIC302"),
    ("nix run 'github:NixOS/nixpkgs/nixos-unstable#aider-chat'", "AIC306"),
    ("nix shell nixpkgs#opencode -c opencode run x", "AIC304"),
    ("nix profile install nixpkgs#claude-code", "AIC301"),
    ("nix-env -iA nixpkgs.crush", "AIC324"),
    # go run of a module builds its repository; eget and ubi fetch a repository's release
    ("go run github.com/openai/codex/cmd@latest", "AIC302"),
    ("eget --to=/usr/local/bin google-gemini/gemini-cli", "AIC303"),
    ("eget -a linux https://github.com/charmbracelet/crush", "AIC324"),
    ("ubi -p charmbracelet/crush", "AIC324"),
    ("ubi --project=QwenLM/qwen-code", "AIC309"),
    ("pixi add --pypi claude-agent-sdk", "AIC301"),
    ("pixi exec aider-chat --message x", "AIC306"),
])
def test_every_installer_form_applies_to_every_assistant(run: str, rule: str) -> None:
    assert rule in _rules_found(run), (run, _rules_found(run))


@pytest.mark.parametrize("run", [
    "npm i -g @anthropic-ai/claude-code-docs-viewer", "npm i -g gemini-utils",
    "pip install gemini-utils", "gemini-utils review", "mise install node@20",
    "mise use -g node@20 python@3.12", "mise x node@20 -- node build.js", "volta install node",
    "volta run --node 20 npm test", "poetry add requests", "pdm add -d pytest", "uv add httpx",
    "pip install git+https://github.com/psf/requests.git",
    "npm i -g github:prettier/prettier", "go install github.com/golangci/golangci-lint@v1",
    "npm pack", "npm pack ./packages/ui", "npm i -g ./my-tool-1.0.0.tgz",
    "curl -I https://aider.chat/install.sh", "curl -sSfI https://claude.ai/./install.sh",
    "curl -fsSL https://aider.chat.example.com/./install.sh",
    "curl -fsSL https://example.com/aider.chat/install.sh",
    "gh release download -R cli/cli", "./node-linux-x64 build.js", "./tool-linux-amd64 --help",
    "gemini", "gemini --version", "gemini -h", "gemini mcp add github npx x",
    "gemini extensions install https://github.com/gemini-cli-extensions/security",
    "echo gemini | tee out.txt", "echo 'review' | grep gemini",
    "nix run nixpkgs#hello", "nix shell nixpkgs#nodejs -c npm test", "nix-env -iA nixpkgs.git",
    "nix-shell -p python3 --run 'pytest -q'", "nix build .#default", "go run ./cmd/tool",
    "go run github.com/golangci/golangci-lint/cmd/golangci-lint@v1 run",
    "corepack enable", "corepack pnpm install", "pkgx +node npm test", "pkgx deno run x.ts",
    "eget cli/cli", "eget https://example.com/tool.tar.gz", "ubi --project cli/cli",
    "pixi global install ruff", "pixi add numpy", "pixi run test", "pixi exec ruff check",
])
def test_installers_of_other_things_stay_clean(run: str) -> None:
    assert _rules_found(run) == set(), run


def test_a_command_fed_its_input_is_read_with_the_prompt_word() -> None:
    from ai_clearance.detect.shell import STDIN, shell_commands

    commands = [words for _, words in shell_commands("echo x | gemini; gemini <<< y; a || b")]
    assert commands.count(["gemini", STDIN]) == 2
    assert ["b", STDIN] not in commands and ["echo", "x", STDIN] not in commands


@pytest.mark.parametrize(("url", "same"), [
    ("https://claude.ai/./install.sh", "https://claude.ai/install.sh"),
    ("https://claude.ai/a/b/../../install.sh", "https://claude.ai/install.sh"),
    ("https://claude.ai/../install.sh", "https://claude.ai/install.sh"),
    ("https://claude.ai/%2E%2e/x/%2e/install.sh?a=/../", "https://claude.ai/x/install.sh?a=/../"),
    ("https://claude.ai/a/.", "https://claude.ai/a/"),
    ("https://claude.ai/a.b/..c/install.sh", "https://claude.ai/a.b/..c/install.sh"),
])
def test_urls_are_compared_as_curl_sends_them(url: str, same: str) -> None:
    from ai_clearance.detect.launchers import normalized

    assert normalized("curl", [url]) == [same]


@pytest.mark.parametrize(("name", "program"), [
    ("codex-x86_64-unknown-linux-musl", "codex"), ("codex-aarch64-apple-darwin", "codex"),
    ("opencode-linux-x64", "opencode"), ("crush_Linux_x86_64".casefold(), "crush"),
    ("gemini-utils", None), ("x86_64-linux-gnu-gcc", None), ("linux", None),
    ("tool-x86_64", None),
])
def test_release_binaries_are_their_program(name: str, program: str | None) -> None:
    from ai_clearance.detect.launchers import release_program

    assert release_program(name) == program


@pytest.mark.parametrize(("path", "text", "found"), [
    (".github/scripts/forbidden.js", 'module.exports = { forbidden: ["claude", "-p"] }\n', False),
    (".github/scripts/lint.py", 'BANNED = [("codex", "exec"), ("gemini", "-p")]\n', False),
    (".github/scripts/review.js", "spawn('codex', ['exec', 'fix'])\n", True),
    (".github/scripts/review.py", 'a = ["aider", "-m", "x"]\nsubprocess.run(a)\n', True),
])
def test_lists_in_code_are_commands_only_when_a_process_runs_them(
        path: str, text: str, found: bool) -> None:
    from workflows_test import _found

    assert bool(_found(path, text.encode())) is found, path



@pytest.mark.parametrize(("head", "unit", "tail"), [
    ("./a", "-a", "-1.tgz"), ("a", "-1", ".whl"), ("./x", "-linux", "-z"),
    ("git+https://h/", "o/", ""), ("github:", "a", ""), ("https://c.ai/", "./..", ""),
    ("npm:", "@a/", ""),
])
def test_hostile_installer_words_cost_time_linear_in_their_length(
        head: str, unit: str, tail: str) -> None:
    """Four times the word costs at most about four times the time (a ratio of sizes)."""
    from conftest import best_seconds

    def cost(word: str) -> float:
        def once() -> None:
            for command in (["npm", "i", word], ["pip", "install", word], [word, "x"],
                            ["mise", "x", word, "--", "x"], ["nix", "run", word, "x"],
                            ["nix-shell", "-p", word], ["eget", word], ["ubi", "-p", word],
                            ["pixi", "exec", word, word], ["corepack", word], ["pkgx", word]):
                list(invocations(command, 0))
        return best_seconds(once)
    small = cost(head + unit * 2000 + tail)
    large = cost(head + unit * 8000 + tail)
    assert large / max(small, 1e-4) < 10, (head, unit)


# ------------------------------------------------------------------ runners of a command line
@pytest.mark.parametrize("wrapper", [
    "poetry run", "poetry -C sub run", "pipenv run", "pdm run", "hatch run", "hatch env run --",
    "rye run", "conda run -n base", "conda run --no-capture-output -p /opt/env",
    "micromamba run -n x", "mamba run -n x", "pixi run", "pixi run -e ci", "tox exec -e py --",
    "asdf exec", "pyenv exec", "rbenv exec", "fnm exec --using 20", "nvm exec 20", "nvm exec",
    "nvm exec lts/iron", "devbox run --", "devbox run", "bundle exec", "direnv exec .",
    "rvm 3.2 do", "flox activate --", "doppler run --", "doppler run -p api -c ci --",
    "op run --env-file=.env --", "infisical run --env=prod --", "dotenvx run -f .env --",
    "teller run --", "bws run --", "berglas exec --", "chamber exec svc other --",
    "aws-vault exec ci --", "envchain ci", "summon -p keyring", "dotenv -e .env --",
    "env-cmd -f .env", "cross-env A=1 B=2", "docker exec c", "docker exec -it -u root c",
    "docker exec -w /src -e A=1 c", "podman exec c", "docker compose exec app",
    "docker compose run --rm -e A=1 app", "docker-compose exec app",
    "docker run --rm -v $PWD:/src -w /src node:22", "docker container exec c",
    "kubectl exec pod --", "kubectl exec -n ci -c main pod --", "yarn run",
    "ssh ci@host", "ssh -i k.pem -p 2222 host", "lxc exec c --", "incus exec c --",
    "multipass exec vm --", "distrobox enter box --", "toolbox run", "wsl -e", "wsl --",
    "devcontainer exec --workspace-folder .", "opam exec --", "stack exec --",
    "guix shell node --", "scl enable devtoolset-9", "scl enable devtoolset-9 --",
    "aqua exec --", "rtx exec node@20 --", "chroot /mnt", "fakeroot", "pkexec", "chpst -u ci",
    "nsenter -t 1 -m --", "ip netns exec ns", "strace -f -o t", "valgrind",
    "perf record -g --", "watchexec -e py --", "entr", "retry -t 3 --",
    "kubectl run ai --image=node:22 --restart=Never --", "finch exec c",
    "limactl shell default", "saml2aws exec --",
])
def test_runners_run_the_command_after_them(wrapper: str) -> None:
    assert "AIC301" in _rules_found(f"{wrapper} claude -p review"), wrapper


@pytest.mark.parametrize("run", [
    "sops exec-env secrets.enc.json 'claude -p review'",
    "sops exec-file --no-fifo s.enc.json 'claude -p {}'",
    "doppler run --command 'claude -p review'", "infisical run --command='claude -p review'",
    "flox activate -c 'claude -p review'", "vagrant ssh -c 'claude -p review'",
    "nodemon --exec 'claude -p review'", "ssh host 'claude -p review'",
    "scl enable devtoolset-9 'claude -p review'",
    "perl -e 'system q(claude -p review)'", "perl -e 'system qq{claude -p review}'",
    "perl -e 'print qx/claude -p review/'",
    "awk 'BEGIN{system(\"claude -p review\")}'", "gawk -v x=1 'BEGIN { system(\"claude -p x\") }'",
])
def test_runners_that_take_a_command_line_or_code(run: str) -> None:
    assert "AIC301" in _rules_found(run), run


@pytest.mark.parametrize(("run", "rule"), [
    ("proto install npm:@anthropic-ai/claude-code", "AIC301"),
    ("deno install -g -A npm:@anthropic-ai/claude-code", "AIC301"),
    ("deno add npm:@google/gemini-cli", "AIC303"),
    ("devbox global add claude-code", "AIC301"),
    ("devbox add claude-code@latest", "AIC301"),
    ("pkgx install github.com/charmbracelet/crush", "AIC324"),
    ("go tool github.com/charmbracelet/crush run x", "AIC324"),
])
def test_tool_installers(run: str, rule: str) -> None:
    assert rule in _rules_found(run), (run, _rules_found(run))


@pytest.mark.parametrize("run", [
    "poetry run pytest -q", "poetry run claude-test-helper", "pipenv run python manage.py",
    "conda run -n claude pytest", "docker exec claude ls", "docker run claude-image make",
    "docker run --rm -e CLAUDE=1 node:22 npm test", "kubectl exec claude -- ls",
    "direnv exec claude make", "doppler run -- npm test", "doppler secrets get CLAUDE_KEY",
    "sops exec-env claude.enc.json 'make deploy'", "nvm exec 20 node build.js",
    "bundle exec rake", "rvm 3.2 do bundle install", "chamber exec claude -- make",
    "cross-env CLAUDE=1 jest", "yarn run build", "perl -e 'print q(claude -p review)'",
    "awk '{print \"claude -p review\"}' f", "awk -f claude.awk x",
    "proto install node", "devbox add nodejs@20", "deno install -g -A jsr:@std/fmt",
    "pkgx install node", "op read op://vault/claude/key",
    "ssh host ls", "ssh claude@host make", "ip addr", "perf stat make", "scl enable claude make",
    "kubectl run claude --image=nginx", "lxc exec claude -- ls", "chroot claude ls",
    "strace -p 1", "distrobox enter claude", "ssh -T git@github.com",
])
def test_runners_of_other_things_stay_clean(run: str) -> None:
    assert _rules_found(run) == set(), (run, _rules_found(run))


@pytest.mark.parametrize("unit", ["q(", "q/", "qq{a", "q<q("])
def test_perl_quotes_cost_time_linear_in_the_code(unit: str) -> None:
    """Four times the code costs at most about four times the time (a ratio of sizes)."""
    from ai_clearance.detect.runners import perl_quoted
    from conftest import best_seconds

    def cost(code: str) -> float:
        return best_seconds(lambda: perl_quoted(code))
    small = cost(unit * 5000)
    large = cost(unit * 20000)
    assert large / max(small, 1e-4) < 10, unit


@pytest.mark.parametrize("words", [["-e", "A=1"], ["svc"], ["--"], ["A=1"], ["do"], ["-it"]])
def test_runners_cost_time_linear_in_their_words(words: list[str]) -> None:
    """Four times the words cost at most about four times the time (a ratio of sizes)."""
    from conftest import best_seconds

    def cost(n: int) -> float:
        def once() -> None:
            for head in (["docker", "run"], ["chamber", "exec"], ["cross-env"], ["rvm"],
                         ["doppler", "run"], ["sops", "exec-env", "f"], ["kubectl", "exec"]):
                list(invocations([*head, *words * n, "claude", "-p", "x"], 0))
        return best_seconds(once)
    small = cost(1000)
    large = cost(4000)
    assert large / max(small, 1e-4) < 10, words


@pytest.mark.parametrize(("run", "found"), [
    ('tmux new-session -d "claude -p review"', True),
    ("tmux new-session -d -s rv -c ci claude -p review", True),
    ("tmux split-window -t 0 'codex exec fix'", True),
    ("screen -dmS rv claude -p review", True),
    ("screen -S rv -dm bash -c 'claude -p review'", True),
    ('npx concurrently -n a,b "claude -p review" "npm test"', True),
    ('concurrently --kill-others "codex exec review" "vitest run"', True),
    # Sessions and processes that run no agent, and names that only look alike.
    ("tmux new-session -d -s claude 'npm run dev'", False),
    ("screen -dmS codex npm start", False),
    ('concurrently -n claude,api "npm:dev" "npm:api"', False),
])
def test_session_multiplexers_and_concurrently_run_their_commands(run: str,
                                                                    found: bool) -> None:
    assert bool(_rules_found(run)) is found, (run, _rules_found(run))


# ------------------------------------------------------------------ an agent's repository fetched
@pytest.mark.parametrize(("run", "rule"), [
    # git: clone, fetch, submodule add, remote add (the next fetch gets it)
    ("git clone --depth 1 https://github.com/openai/codex && cd codex/codex-rs && "
     "cargo build --release", "AIC302"),
    ("git clone git@github.com:sst/opencode.git", "AIC304"),
    ("git -C vendor clone https://github.com/google-gemini/gemini-cli.git", "AIC303"),
    ("git -c advice.detachedHead=false clone -b v1 github.com/QwenLM/qwen-code x", "AIC309"),
    ("git submodule add https://github.com/charmbracelet/crush tools/crush", "AIC324"),
    ("git remote add up https://github.com/Aider-AI/aider && git fetch up", "AIC306"),
    ("git fetch git+https://github.com/openai/codex main", "AIC302"),
    # gh: a clone or fork, artifacts of its runs, an archive through the API
    ("gh repo clone openai/codex", "AIC302"),
    ("gh repo clone https://github.com/Aider-AI/aider -- --depth 1", "AIC306"),
    ("gh repo fork sst/opencode --clone", "AIC304"),
    ("gh run download -R google-gemini/gemini-cli -n bundle", "AIC303"),
    ("gh api repos/sst/opencode/tarball/dev > o.tgz", "AIC304"),
    # the hosts GitHub serves a repository's archives, files and API from
    ("curl -L https://codeload.github.com/openai/codex/tar.gz/refs/heads/main | tar xz",
     "AIC302"),
    ("curl -L https://api.github.com/repos/google-gemini/gemini-cli/tarball -o g.tgz",
     "AIC303"),
    ("curl -fsSL https://raw.githubusercontent.com/sst/opencode/dev/install | bash", "AIC304"),
    ("wget https://github.com/charmbracelet/crush.git/info/refs", "AIC324"),
    # a copy of its files
    ("npx degit openai/codex codex-src", "AIC302"),
    ("npx tiged github:charmbracelet/crush#main crush", "AIC324"),
    # an agent's action fetched, then run as a local action (`uses: ./rv`)
    ("git clone --depth 1 https://github.com/anthropics/claude-code-action rv", "AIC301"),
    ("curl -L https://codeload.github.com/openai/codex-action/tar.gz/main | tar xz", "AIC302"),
])
def test_an_agents_repository_fetched_without_an_installer(run: str, rule: str) -> None:
    assert rule in _rules_found(run), (run, _rules_found(run))


@pytest.mark.parametrize("run", [
    "git clone https://github.com/cli/cli", "git clone git@github.com:octo/claude.git",
    "git clone https://github.com/anthropics/anthropic-sdk-python",
    "git clone https://github.com/openai/codex-plugin-examples x",
    "git log --oneline codex", "git commit -m 'clone https://github.com/openai/codex'",
    "gh repo clone cli/cli", "gh repo view openai/codex", "gh api repos/cli/cli/tarball",
    "curl -fsSL https://raw.githubusercontent.com/octo/claude/main/install.sh | bash",
    "curl -L https://codeload.github.com/cli/cli/tar.gz/main | tar xz",
    "npx degit sveltejs/template app", "degit ./openai/codex",
    "git clone https://github.com/anthropics/claude-code-action-docs",
])
def test_other_repositories_fetched_stay_clean(run: str) -> None:
    assert _rules_found(run) == set(), (run, _rules_found(run))


@pytest.mark.parametrize(("run", "rule"), [
    ('docker run --rm --entrypoint codex node-agent exec "review"', "AIC302"),
    ("docker run --entrypoint=claude -v $PWD:/w img -p review", "AIC301"),
    ("podman run --entrypoint '[\"gemini\",\"-p\"]' img review", "AIC303"),
    ("docker compose run --entrypoint 'codex exec' app review", "AIC302"),
    ("docker-compose run --rm --entrypoint opencode app run review", "AIC304"),
    ("docker create --name rv --entrypoint claude img -p review && docker start -a rv",
     "AIC301"),
    ("docker run --entrypoint /bin/sh img -c 'claude -p review'", "AIC301"),
])
def test_a_containers_entrypoint_runs_the_words_after_the_image(run: str, rule: str) -> None:
    assert rule in _rules_found(run), (run, _rules_found(run))


@pytest.mark.parametrize("run", [
    "docker run --entrypoint /bin/sh img -c 'make test'",
    "docker run --rm --entrypoint '' img npm test",
    "docker run --entrypoint node claude-notes app.js -p x",
    "podman run --entrypoint '[\"python\"]' img -m pytest",
])
def test_entrypoints_of_other_programs_stay_clean(run: str) -> None:
    assert _rules_found(run) == set(), (run, _rules_found(run))


# ------------------------------------------------------------------ entry points by path
@pytest.mark.parametrize(("run", "rule"), [
    # An agent's installed entry point run by a JavaScript runtime is that agent (npm's
    # Windows shims run `node <prefix>/node_modules/<package>/<bin>`).
    ('node node_modules/@anthropic-ai/claude-code/cli.js -p "review"', "AIC301"),
    ('node ./node_modules//@anthropic-ai/claude-code/cli.js -p "review"', "AIC301"),
    ('node "$(npm root -g)/@anthropic-ai/claude-code/cli.js" -p "review"', "AIC301"),
    ("node $(npm root -g)/@anthropic-ai/claude-code/cli.js -p review", "AIC301"),
    ('NR="$(npm root -g)"; node "$NR/@google/gemini-cli/dist/index.js" -p x', "AIC303"),
    ("node node_modules/@google/gemini-cli/dist/index.js -p x", "AIC303"),
    ("nodejs --no-warnings /usr/lib/node_modules/@openai/codex/bin/codex.js exec x",
     "AIC302"),
    ("bun run node_modules/@openai/codex/bin/codex.js exec x", "AIC302"),
    ("deno run -A node_modules/@openai/codex/bin/codex.js exec x", "AIC302"),
    ("node --require node_modules/@openai/codex/bin/codex.js build.js", "AIC302"),
    ("node node_modules/.bin/claude -p x", "AIC301"),
    ('node "$NODE_PATH/@anthropic-ai/claude-code/cli.js" -p x', "AIC301"),
    ("node ${PREFIX}/@openai/codex/bin/codex.js exec x", "AIC302"),
])
def test_a_runtime_running_an_agents_package_by_its_path(run: str, rule: str) -> None:
    assert rule in _rules_found(run), run


@pytest.mark.parametrize("run", [
    "node node_modules/typescript/bin/tsc -p .",
    "node node_modules/@anthropic-ai/sdk/bin/cli.js",  # the API client is no agent
    "node scripts/check-deps.js node_modules/@openai/codex",  # a path given to a script
    "node $(npm root -g)/npm/bin/npm-cli.js ci",
    "node docs/claude-code/cli.js",
    "node $GITHUB_WORKSPACE/scripts/review.js claude",
    'echo "node node_modules/@openai/codex/bin/codex.js"',
])
def test_runtimes_running_other_packages_stay_clean(run: str) -> None:
    assert _rules_found(run) == set(), run


def test_a_substitution_split_into_words_costs_time_linear_in_them() -> None:
    from ai_clearance.detect.launchers import module_scripts
    from conftest import best_seconds

    def cost(n: int) -> float:
        def once() -> None:
            module_scripts("node", ["--require", "x", "$(npm", *["-g"] * n])
            module_scripts("node", ["$(x)" + "/@a" * n])
        return best_seconds(once)
    assert cost(80000) / max(cost(20000), 1e-4) < 10


# ------------------------------------------------------------------ gh extensions
@pytest.mark.parametrize("run", [
    # github/gh-copilot README: the extension's install, upgrade and commands.
    "gh extension install github/gh-copilot",
    "gh extensions install https://github.com/github/gh-copilot",
    "gh ext upgrade github/gh-copilot",
    'gh copilot suggest -t shell "list big files"',
    "gh copilot explain 'git lfs migrate import'",
    "gh extension exec copilot suggest -t git 'undo'",
    "gh-copilot suggest -t shell x",
])
def test_copilot_in_the_cli_as_a_gh_extension(run: str) -> None:
    assert "AIC307" in _rules_found(run), run


@pytest.mark.parametrize("run", [
    "gh issue edit 1 --add-assignee copilot",
    "gh label create copilot --color 000000",
    "gh extension install dlvhdr/gh-dash",
    "gh pr comment 1 --body 'try gh copilot suggest'",
    'echo "gh copilot suggest x"',
    "gh extension list",
])
def test_gh_commands_that_run_no_copilot_stay_clean(run: str) -> None:
    assert _rules_found(run) == set(), run
