#!/usr/bin/env bash
# Guard bypass: core.hooksPath set through a config FILE the command points git at, rather
# than by its key: `-c include.path=FILE`, `git config include.path FILE`, GIT_CONFIG_GLOBAL,
# GIT_CONFIG_SYSTEM, HOME / XDG_CONFIG_HOME. Same families the guard claims (git -c, git
# config, GIT_CONFIG_*), just one level of indirection.
set -u
VENV=${AIC_VENV:-/tmp/attack5/.venv}; AIC=$VENV/bin/ai-clearance; PY=$VENV/bin/python
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" && git init -q r && cd r && git config user.name Jane && git config user.email jane@example.com
git commit -q --allow-empty -m init
printf '#!/bin/sh\necho "pre-commit hook ran: refusing" >&2\nexit 1\n' > .git/hooks/pre-commit; chmod +x .git/hooks/pre-commit
mkdir -p "$T/h/git"; printf '[core]\n\thooksPath = /dev/null\n' > "$T/c"; cp "$T/c" "$T/h/.gitconfig"; cp "$T/c" "$T/h/git/config"
fail=0
guard() { "$PY" -c 'import json,sys; print(json.dumps({"tool_name":"Bash","tool_input":{"command":sys.argv[1]}}))' "$1" \
          | "$AIC" guard check-command >/dev/null 2>&1; echo $?; }
for cmd in \
  "git -c include.path=$T/c commit -q --allow-empty -m i1" \
  "git config include.path $T/c && git commit -q --allow-empty -m i2 && git config --unset include.path" \
  "GIT_CONFIG_GLOBAL=$T/c git commit -q --allow-empty -m i3" \
  "GIT_CONFIG_SYSTEM=$T/c GIT_CONFIG_NOSYSTEM= git commit -q --allow-empty -m i4" \
  "HOME=$T/h git commit -q --allow-empty -m i5" \
  "XDG_CONFIG_HOME=$T/h HOME=/nonexistent git commit -q --allow-empty -m i6"; do
  rc=$(guard "$cmd")
  before=$(git rev-list --count HEAD); bash -c "$cmd" 2>/dev/null; after=$(git rev-list --count HEAD)
  echo "command: ${cmd//$T/\$T}"
  echo "  expected: guard exit 2   actual: guard exit $rc; run for real: commits $before -> $after (failing pre-commit hook skipped)"
  [ "$rc" = 2 ] || fail=1
done
echo "control: git -c core.hooksPath=/dev/null commit -> guard exit $(guard 'git -c core.hooksPath=/dev/null commit -m x')"
[ $fail = 1 ] && echo "BUG: core.hooksPath through an included/alternate config file passes the guard" || echo OK
