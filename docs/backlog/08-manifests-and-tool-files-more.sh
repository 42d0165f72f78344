#!/bin/bash
# Class: installers (manifests) / task definitions (variant of repros2 09, now fixed) --
# BYPASS (expected exit 1, actual exit 0 for each but the controls). Files that install or
# run the agent when a developer or CI sets the project up, still not read: pip-tools'
# requirements/dev.in; a requirements file under another name given to `pip install -r`;
# setup.py install_requires; pixi.toml; devbox.json; nix shells (shell.nix, flake.nix);
# .tool-versions and mise.<env>.toml / .mise/config.toml; environment-dev.yml (conda env
# file under another name, used with `conda env create -f`); pyproject task tables
# (hatch scripts, poe tasks, pixi tasks); a package.json dependency on github:openai/codex;
# composer.json scripts; deno.json tasks; Nx project.json run-commands.
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf "%s\n" "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
f() { new_repo; put "$1" "$2"; [ -n "${3:-}" ] && workflow "      - run: $3"; one "$1${3:+ (run: $3)}"; }
f requirements/dev.in 'aider-chat'
f ci/deps.txt 'aider-chat' 'pip install -r ci/deps.txt'
f setup.py $'from setuptools import setup\nsetup(name="x", install_requires=["aider-chat"])'
f pixi.toml $'[project]\nname = "x"\n[pypi-dependencies]\naider-chat = "*"'
f devbox.json '{"packages": ["claude-code@latest"]}'
f shell.nix '{ pkgs ? import <nixpkgs> {} }: pkgs.mkShell { packages = [ pkgs.claude-code ]; }'
f .tool-versions 'npm:@anthropic-ai/claude-code latest'
f mise.ci.toml $'[tools]\n"npm:@anthropic-ai/claude-code" = "latest"'
f .mise/config.toml $'[tools]\n"npm:@anthropic-ai/claude-code" = "latest"'
f environment-dev.yml $'name: dev\ndependencies:\n  - pip:\n    - aider-chat' 'conda env create -f environment-dev.yml'
f pyproject.toml $'[tool.hatch.envs.default.scripts]\nreview = "claude -p review"' 'hatch run review'
f pyproject.toml $'[tool.poe.tasks]\nreview = "claude -p review"' 'poe review'
f pyproject.toml $'[tool.pixi.tasks]\nreview = "claude -p review"' 'pixi run review'
f package.json '{"devDependencies":{"codex":"github:openai/codex"}}'
f composer.json '{"scripts":{"review":"claude -p review"}}' 'composer review'
f deno.json '{"tasks":{"review":"npx -y @anthropic-ai/claude-code -p review"}}' 'deno task review'
f project.json '{"targets":{"review":{"executor":"nx:run-commands","options":{"command":"claude -p review"}}}}' 'npx nx run app:review'
echo "(controls: ARE found)"
f environment.yml $'name: dev\ndependencies:\n  - pip:\n    - aider-chat'
f .config/mise.toml $'[tools]\n"npm:@anthropic-ai/claude-code" = "latest"'
