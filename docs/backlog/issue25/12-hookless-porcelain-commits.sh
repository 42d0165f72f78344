#!/usr/bin/env bash
# Bypass of session detection AND the guard with plain porcelain, no flag at all: commits
# that `git cherry-pick` (of a `git stash` commit) and `git am` create run neither the
# pre-commit nor the commit-msg hook, so the AIC8xx session rules never look, and the
# guard (which only refuses hook-skipping flags/config) lets both through. An agent in a
# session with CLAUDECODE=1 lands its change with these one-liners.
set -u
VENV=${AIC_VENV:-/tmp/attack5/.venv}; AIC=$VENV/bin/ai-clearance; PY=$VENV/bin/python
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" && git init -q r && cd r && git config user.name Jane && git config user.email jane@example.com
git commit -q --allow-empty -m init
# the hooks ai-clearance's pre-commit config installs, as plain git hooks
printf '#!/bin/sh\nexec "%s" check --staged\n' "$AIC" > .git/hooks/pre-commit
printf '#!/bin/sh\nexec "%s" check --message "$1"\n' "$AIC" > .git/hooks/commit-msg
chmod +x .git/hooks/pre-commit .git/hooks/commit-msg
export CLAUDECODE=1   # Claude Code's standard marker, as in its Bash tool
guard() { "$PY" -c 'import json,sys; print(json.dumps({"tool_name":"Bash","tool_input":{"command":sys.argv[1]}}))' "$1" \
          | "$AIC" guard check-command >/dev/null 2>&1; echo $?; }
fail=0
echo a > a.txt; git add a.txt
git commit -q -m "control" >/dev/null 2>&1 && c=made || c=refused
echo "control: git commit in the session -> $c (AIC801 fires)"
cmd='git stash -q -m "Add a.txt" && git cherry-pick -m 1 "stash@{0}" && git stash drop -q'
before=$(git rev-list --count HEAD); bash -c "$cmd" >/dev/null 2>&1; after=$(git rev-list --count HEAD)
echo "command: $cmd"
echo "  expected: refused (guard exit 2) or the session hook fails   actual: guard exit $(guard "$cmd"); commits $before -> $after, no hook ran"
[ "$after" -gt "$before" ] && fail=1
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
cmd="git am -q $T/p.mbox"
before=$(git rev-list --count HEAD); bash -c "$cmd" >/dev/null 2>&1; after=$(git rev-list --count HEAD)
echo "command: git am -q \$T/p.mbox"
echo "  expected: refused or the session hook fails   actual: guard exit $(guard "$cmd"); commits $before -> $after, no hook ran"
[ "$after" -gt "$before" ] && fail=1
git log --format='  %h %s' -3
[ $fail = 1 ] && echo "BUG: an agent session commits through cherry-pick / am without any check" || echo OK
