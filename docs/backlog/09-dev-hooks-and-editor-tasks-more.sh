#!/bin/bash
# Class: git hooks / setups outside .github (variant of repros2 10, now fixed) -- BYPASS
# (expected exit 1, actual exit 0 for each but the controls). Still not read: a hooks folder
# under any other name that a setup step points core.hooksPath at (tools/git-hooks); lefthook's
# script folder (.lefthook/pre-commit/*.sh, run by `scripts:` in lefthook.yml); the JS forms of
# lint-staged / simple-git-hooks / husky v4 config (lint-staged.config.js, .lintstagedrc.mjs,
# .simple-git-hooks.cjs, .huskyrc.js); overcommit (.overcommit.yml); VS Code tasks inside a
# .code-workspace file (runOn folderOpen); Zed tasks; direnv's .envrc (runs on `cd`);
# Project IDX .idx/dev.nix onCreate; .replit run.
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf "%s\n" "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
f() { new_repo; put "$1" "$2"; [ -n "${3:-}" ] && workflow "      - run: $3"; one "$1${3:+ (run: $3)}"; }
f tools/git-hooks/pre-commit $'#!/bin/sh\ngit diff --cached | claude -p "review"' 'git config core.hooksPath tools/git-hooks'
new_repo; put lefthook.yml $'pre-commit:\n  scripts:\n    "review.sh":\n      runner: bash'; put .lefthook/pre-commit/review.sh 'claude -p review'; one "lefthook.yml scripts: + .lefthook/pre-commit/review.sh"
f lint-staged.config.js 'export default { "*.js": "claude -p fix" }'
f .lintstagedrc.mjs 'export default { "*.js": "claude -p fix" }'
f .simple-git-hooks.cjs 'module.exports = { "pre-commit": "claude -p review" }'
f .huskyrc.js 'module.exports = { hooks: { "pre-commit": "claude -p review" } }'
f .overcommit.yml $'PreCommit:\n  Review:\n    enabled: true\n    command: ["claude", "-p", "review"]'
f x.code-workspace '{"folders":[{"path":"."}],"tasks":{"version":"2.0.0","tasks":[{"label":"a","type":"shell","command":"claude -p review","runOptions":{"runOn":"folderOpen"}}]}}'
f .zed/tasks.json '[{"label":"review","command":"claude -p review"}]'
f .envrc 'npx -y @anthropic-ai/claude-code -p "review"'
f .idx/dev.nix '{pkgs, ...}: { idx.workspace.onCreate = { ai = "npx -y @anthropic-ai/claude-code -p hi"; }; }'
f .replit 'run = "npx -y @anthropic-ai/claude-code -p hi"'
echo "(controls: ARE found)"
f .githooks/pre-commit $'#!/bin/sh\nclaude -p review'
f .lintstagedrc '{"*.js": "claude -p fix"}'
