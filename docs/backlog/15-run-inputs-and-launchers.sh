#!/bin/bash
# Class 1 (CI: commands handed to other programs) -- BYPASS, expected 1, actual 0.
# devcontainers/ci (the standard way to run CI inside a dev container) takes its script
# in `runCmd:`, which is not read as a command (retry actions' `command:` and ssh-action's
# `script:` are). Shell forms that start a program the launcher table does not know:
# `docker run --entrypoint codex IMG exec`, and a `for` loop variable used as the program
# (tmux, screen and concurrently are read since the fix after this pass).
. "$(dirname "$0")/lib2.sh"
new_repo; workflow $'      - uses: devcontainers/ci@v0.3\n        with:\n          runCmd: claude -p "review the diff"'; commit_all
expect 1 "devcontainers/ci with: runCmd: claude -p"
run() { new_repo; workflow "      - run: $1"; commit_all; expect 1 "$1"; }
run 'docker run --rm --entrypoint codex node-agent exec "review"'
run 'for tool in claude; do "$tool" -p "review"; done'
echo "(controls)"
run 'docker run --rm node-agent claude -p review'
run 'flock /tmp/l claude -p review'
new_repo; workflow $'      - uses: nick-fields/retry@v3\n        with:\n          command: claude -p "review"'; commit_all
expect 1 "nick-fields/retry with: command:"
