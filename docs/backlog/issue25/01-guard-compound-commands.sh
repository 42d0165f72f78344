#!/usr/bin/env bash
# Guard bypass: `git commit -n` inside shell compound commands (if/for/while/until/select,
# `!`, `function f {`, coproc) or after a leading redirection (`>/dev/null git ...`) is not
# refused. docs/cli.md says the guard refuses it "wherever they stand".
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
  'if true; then git commit -q --allow-empty -n -m c1; fi' \
  'for i in 1; do git commit -q --allow-empty -n -m c2; done' \
  'until git commit -q --allow-empty -n -m c3; do :; done' \
  'while ! git commit -q --allow-empty -n -m c4; do :; done' \
  '! git commit -q --allow-empty -n -m c5' \
  'if git commit -q --allow-empty -n -m c6; then :; fi' \
  'function f { git commit -q --allow-empty -n -m c7; }; f' \
  'select x in a; do git commit -q --allow-empty -n -m c8; break; done <<< 1' \
  'coproc git commit -q --allow-empty -n -m c9; wait' \
  '>/dev/null git commit -q --allow-empty -n -m c10' \
  '2>&1 git commit -q --allow-empty -n -m c11'; do
  rc=$(guard "$cmd")
  before=$(git rev-list --count HEAD); bash -c "$cmd" >/dev/null 2>&1; after=$(git rev-list --count HEAD)
  echo "command: $cmd"
  echo "  expected: guard exit 2 (refused)   actual: guard exit $rc; run for real: commits $before -> $after with the failing pre-commit hook skipped"
  [ "$rc" = 2 ] || fail=1
done
echo "control: plain form -> guard exit $(guard 'git commit -n -m x')"
[ $fail = 1 ] && echo "BUG: compound commands bypass the guard" || echo "OK"
