#!/bin/bash
# Class: launchers / installers (variant of repros2 02, now fixed) -- BYPASS (expected exit
# 1, actual exit 0 for each but the controls). Programs that run the command line after them
# are not unwrapped: the Python env runners (poetry/pipenv/pdm/hatch/rye run, conda/micromamba
# run, pixi run), version managers (asdf exec, nvm exec, devbox run), bundle exec,
# direnv exec, and the secret injectors that are the usual way to hand the agent its API key
# in CI (doppler run --, op run --, infisical run --, dotenvx run --, chamber exec, sops
# exec-env); `docker exec C claude`; `perl -e` / `awk` system() (python -c, node -e ARE found).
# Installers: proto install npm:..., deno install -g npm:..., devbox add, pkgx install, and
# `go tool crush` with go.mod's `tool` directive (go.mod is not read).
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf "%s\n" "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
run() { new_repo; workflow "      - run: $1"; one "$1"; }
for w in "poetry run" "pipenv run" "pdm run" "hatch run" "rye run" "conda run -n base" "micromamba run -n x" "pixi run"   "asdf exec" "nvm exec 20" "devbox run --" "bundle exec" "direnv exec ."   "doppler run --" "op run --" "infisical run --" "dotenvx run --" "chamber exec svc --" "sops exec-env s.enc.json" "docker exec c"; do
  run "$w claude -p review"; done
run "perl -e 'system q(claude -p review)'"
run "awk 'BEGIN{system(\"claude -p review\")}'"
run "proto install npm:@anthropic-ai/claude-code"
run "deno install -g -A npm:@anthropic-ai/claude-code"
run "devbox global add claude-code"
run "pkgx install claude"
new_repo; put go.mod $'module x\n\ngo 1.24\n\ntool github.com/charmbracelet/crush'; workflow '      - run: go tool crush run "review the diff"'; one "go.mod tool directive + go tool crush"
echo "(controls: ARE found)"
run "uv run claude -p review"
run "mise exec -- claude -p review"
run "python -c 'import os; os.system(\"claude -p review\")'"
