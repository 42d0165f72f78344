#!/usr/bin/env bash
# Guard bypass through `env`, which the guard claims to read through: `env -S "..."` /
# `--split-string=...` (GNU coreutils and BSD env split the string into the command) is not
# split, and a wrapper option's value that spells a read program (`sudo -u git`,
# `exec -a git`, `env -u GIT`, `timeout -s git`) is taken for the program, so the real
# `git commit -n` after it is read as `git git commit -n` (subcommand "git").
set -u
VENV=${AIC_VENV:-/tmp/attack5/.venv}; AIC=$VENV/bin/ai-clearance; PY=$VENV/bin/python
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" && git init -q r && cd r && git config user.name Jane && git config user.email jane@example.com
git commit -q --allow-empty -m init
printf '#!/bin/sh\necho "pre-commit hook ran: refusing" >&2\nexit 1\n' > .git/hooks/pre-commit; chmod +x .git/hooks/pre-commit
fail=0
guard() { "$PY" -c 'import json,sys; print(json.dumps({"tool_name":"Bash","tool_input":{"command":sys.argv[1]}}))' "$1" \
          | "$AIC" guard check-command >/dev/null 2>&1; echo $?; }
for cmd in \
  'env -S "git commit -q --allow-empty -n -m s1"' \
  'env --split-string="git commit -q --allow-empty -n -m s2"' \
  'exec -a git git commit -q --allow-empty -n -m s3' \
  'env -u GIT git commit -q --allow-empty -n -m s4'; do
  rc=$(guard "$cmd")
  before=$(git rev-list --count HEAD); bash -c "$cmd" >/dev/null 2>&1; after=$(git rev-list --count HEAD)
  echo "command: $cmd"
  echo "  expected: guard exit 2   actual: guard exit $rc; run for real: commits $before -> $after (failing pre-commit hook skipped)"
  [ "$rc" = 2 ] || fail=1
done
echo "control: env FOO=1 git commit -n -> guard exit $(guard 'env FOO=1 git commit -n -m x')"
echo "(not run for real: 'sudo -u git git commit -n' -> guard exit $(guard 'sudo -u git git commit -n -m x'))"
[ $fail = 1 ] && echo "BUG: env -S and wrapper option values hide git commit -n from the guard" || echo OK
