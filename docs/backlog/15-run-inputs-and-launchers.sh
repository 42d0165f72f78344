#!/bin/bash
# Class 1 (CI: commands handed to other programs) -- BYPASS, expected 1, actual 0.
# devcontainers/ci (the standard way to run CI inside a dev container) takes its script
# in `runCmd:`, which is not read as a command (retry actions' `command:` and ssh-action's
# `script:` are). Shell forms that start a program the launcher table does not know:
# `docker run --entrypoint codex IMG exec`, `tmux new -d "..."`, `screen -dm ...`, npm's
# `concurrently "..."`, and a `for` loop variable used as the program.
. "$(dirname "$0")/lib2.sh"
new_repo; workflow $'      - uses: devcontainers/ci@v0.3\n        with:\n          runCmd: claude -p "review the diff"'; commit_all
expect 1 "devcontainers/ci with: runCmd: claude -p"
run() { new_repo; workflow "      - run: $1"; commit_all; expect 1 "$1"; }
run 'docker run --rm --entrypoint codex node-agent exec "review"'
run 'tmux new-session -d "claude -p review"'
run 'screen -dmS rv claude -p review'
run 'npx concurrently "claude -p review" "npm test"'
run 'for tool in claude; do "$tool" -p "review"; done'
new_repo; put package.json '{"name":"x","scripts":{"ci":"concurrently \"codex exec review\" \"vitest run\""}}'; commit_all
expect 1 "package.json script: concurrently \"codex exec review\" ..."
echo "(controls)"
run 'docker run --rm node-agent claude -p review'
run 'flock /tmp/l claude -p review'
new_repo; workflow $'      - uses: nick-fields/retry@v3\n        with:\n          command: claude -p "review"'; commit_all
expect 1 "nick-fields/retry with: command:"
