#!/usr/bin/env bash
# Guard bypass: ordinary bash expansions hide `--no-verify` / `-n` / `git` from the guard:
# ANSI-C quoting $'...', brace expansion, a variable set earlier on the same command line,
# positional parameters. The guard reads quotes (`g\it`, "git") but not these.
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
  "git commit -q --allow-empty \$'--no-verify' -m e1" \
  "git commit -q --allow-empty \$'-n' -m e2" \
  'git commit -q --allow-empty {-n,-me3}' \
  'git commit -q --allow-empty --no-verif{y,} -m e4' \
  'N=-n; git commit -q --allow-empty $N -m e5' \
  'set -- --no-verify; git commit -q --allow-empty "$@" -m e6' \
  'G=git; $G commit -q --allow-empty -n -m e7'; do
  rc=$(guard "$cmd")
  before=$(git rev-list --count HEAD); bash -c "$cmd" 2>/dev/null; after=$(git rev-list --count HEAD)
  echo "command: $cmd"
  echo "  expected: guard exit 2   actual: guard exit $rc; run for real: commits $before -> $after (failing pre-commit hook skipped)"
  [ "$rc" = 2 ] || fail=1
done
[ $fail = 1 ] && echo "BUG: shell expansions bypass the guard" || echo OK
