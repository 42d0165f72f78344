#!/bin/bash
# Class 1 (task runners / setup files) -- BYPASS, expected 1, actual 0.
# Files that install or run an agent and that CI or a developer's setup runs, but that
# are not read: mise file tasks (.mise/tasks/NAME, `mise run review`), a Brewfile
# (`brew bundle`; `brew install codex` in a run: IS found), an Earthfile (`earthly
# +review`), moon's moon.yml tasks and a docker-bake.hcl `dockerfile-inline`.
. "$(dirname "$0")/lib2.sh"
new_repo; put .mise/tasks/review $'#!/usr/bin/env bash\ncodex exec "review the diff"'; workflow '      - run: mise run review'; commit_all
expect 1 ".mise/tasks/review file task run by mise run review"
new_repo; put Brewfile $'brew "node"\nbrew "codex"'; workflow '      - run: brew bundle'; commit_all
expect 1 "Brewfile brew \"codex\" + brew bundle"
new_repo; put Earthfile $'VERSION 0.8\nreview:\n    FROM node:20\n    RUN npx -y @anthropic-ai/claude-code -p "review"'; workflow '      - run: earthly +review'; commit_all
expect 1 "Earthfile RUN npx @anthropic-ai/claude-code + earthly +review"
new_repo; put moon.yml $'tasks:\n  review:\n    command: "claude -p review"'; workflow '      - run: moon run :review'; commit_all
expect 1 "moon.yml task command + moon run"
new_repo; put docker-bake.hcl $'target "review" {\n  dockerfile-inline = "FROM node:20\\nRUN npm i -g @anthropic-ai/claude-code"\n}'; workflow '      - run: docker buildx bake review'; commit_all
expect 1 "docker-bake.hcl dockerfile-inline + docker buildx bake"
echo "(control)"
new_repo; put mise.toml $'[tasks.review]\nrun = "codex exec review"'; commit_all
expect 1 "mise.toml [tasks] (found)"
