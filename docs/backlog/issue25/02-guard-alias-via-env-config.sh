#!/usr/bin/env bash
# Guard bypass: a git alias that runs `commit -n`, set through GIT_CONFIG_KEY_n/VALUE_n,
# GIT_CONFIG_PARAMETERS or `--config-env`, is not refused. docs/cli.md: it refuses "a git
# alias set the same ways [-c, --config-env, git config, GIT_CONFIG_*] whose command would
# be refused". Only `-c alias.x=...` and `git config alias.x ...` are caught.
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
  'GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.ci GIT_CONFIG_VALUE_0="commit -n" git ci -q --allow-empty -m a1' \
  'export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.ci GIT_CONFIG_VALUE_0="!git commit --no-verify"; git ci -q --allow-empty -m a2' \
  "GIT_CONFIG_PARAMETERS=\"'alias.ci=commit -n'\" git ci -q --allow-empty -m a3" \
  'X="commit -n" git --config-env=alias.ci=X ci -q --allow-empty -m a4'; do
  rc=$(guard "$cmd")
  before=$(git rev-list --count HEAD); bash -c "$cmd" 2>/dev/null; after=$(git rev-list --count HEAD)
  echo "command: $cmd"
  echo "  expected: guard exit 2   actual: guard exit $rc; run for real: commits $before -> $after (failing pre-commit hook skipped)"
  [ "$rc" = 2 ] || fail=1
done
echo "control: git -c alias.ci='commit -n' ci -> guard exit $(guard "git -c alias.ci='commit -n' ci -m x")"
[ $fail = 1 ] && echo "BUG: aliases set via environment / --config-env bypass the guard" || echo OK
