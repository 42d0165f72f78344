#!/usr/bin/env bash
# Commits made without the commit hooks inside an agent session (CLAUDECODE=1).
# Fixed: `git stash` + `git cherry-pick`, `commit -n`, revert, rebase and merge run
# prepare-commit-msg, where ai-clearance-session now judges the session (this script checks
# cherry-pick). STILL OPEN, and not closable by a client hook: `git am` (applypatch-msg and
# pre-applypatch only, which pre-commit does not install) and plumbing (`commit-tree` +
# `update-ref`: no hook) make the commit; the pre-push hook stops the agent's push of it
# (tests/integrations/hook_session_test.py), CI judges its content. The guard (a separate
# finding) could refuse `git am`/plumbing in a session; it does not yet.
set -u
VENV=${AIC_VENV:-/tmp/attack5/.venv}; AIC=$VENV/bin/ai-clearance
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" && git init -q r && cd r && git config user.name Jane && git config user.email jane@example.com
git commit -q --allow-empty -m init
# the commit-time hooks ai-clearance's pre-commit config installs, as plain git hooks
printf '#!/bin/sh\nexec "%s" check --staged\n' "$AIC" > .git/hooks/pre-commit
printf '#!/bin/sh\nexec "%s-session" "$@"\n' "$AIC" > .git/hooks/prepare-commit-msg
printf '#!/bin/sh\nexec "%s" check --message "$1"\n' "$AIC" > .git/hooks/commit-msg
chmod +x .git/hooks/pre-commit .git/hooks/prepare-commit-msg .git/hooks/commit-msg
export CLAUDECODE=1   # Claude Code's standard marker, as in its Bash tool
fail=0
echo a > a.txt; git add a.txt
cmd='git stash -q -m "Add a.txt" && git cherry-pick -m 1 "stash@{0}"'
before=$(git rev-list --count HEAD); bash -c "$cmd" >/dev/null 2>&1; after=$(git rev-list --count HEAD)
echo "command: $cmd"
echo "  expected: refused by prepare-commit-msg   actual: commits $before -> $after"
[ "$after" -gt "$before" ] && fail=1
git cherry-pick --abort 2>/dev/null; git stash drop -q 2>/dev/null
echo b > b.txt
cat > "$T/p.mbox" <<MBOX
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Jane <jane@example.com>
Subject: [PATCH] Add b.txt

---
 b.txt | 1 +
$(git add -N b.txt; git diff b.txt | sed -n '/^diff/,$p'; git reset -q b.txt)
MBOX
rm b.txt
before=$(git rev-list --count HEAD); git am -q "$T/p.mbox" >/dev/null 2>&1; after=$(git rev-list --count HEAD)
echo "command: git am -q \$T/p.mbox"
echo "  OPEN (no client hook can refuse it): commits $before -> $after; the pre-push hook stops the agent's push"
[ $fail = 1 ] && echo "BUG: an agent session cherry-picks without any check" || echo "OK (am: open, see header)"
