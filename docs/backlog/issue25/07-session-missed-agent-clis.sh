#!/usr/bin/env bash
# Session detection misses agent CLIs of catalog families whose executables are standard:
# Amazon Q Developer CLI runs as `q` (`q chat`; AIC830 looks for `amazon-q`, which is no
# executable of it), Cursor's CLI is also installed and documented as `agent`, and Qwen
# Code (`qwen`), Crush (`crush`), Factory (`droid`), Kiro CLI (`kiro-cli`) have no session
# rule at all although their families are in the catalog. Each "agent" below is a copy of
# bash under the agent's executable name that runs `check --staged` as its shell tool would.
set -u
VENV=${AIC_VENV:-/tmp/attack5/.venv}; AIC=$VENV/bin/ai-clearance
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir "$T/bin"
cd "$T" && git init -q r && cd r && git config user.name Jane && git config user.email jane@example.com
git commit -q --allow-empty -m init; echo x > f; git add f
fail=0
run_as() {  # $1 = executable name of the agent process
  cp /bin/bash "$T/bin/$1"
  env -i PATH="$VENV/bin:/usr/bin:/bin" HOME="$T" "$T/bin/$1" -c "\"$AIC\" check --staged >'$T/out' 2>&1; echo \$? >'$T/rc'"
  echo "$(cat "$T/rc") $(grep -o 'AIC8[0-9][0-9]' "$T/out" | sort -u | tr '\n' ' ')"
}
echo "control: process 'claude' -> $(run_as claude)  (exit 1, AIC821: detected)"
for name in q qchat agent qwen crush droid kiro-cli; do
  res=$(run_as "$name")
  echo "process '$name': expected exit 1 with an AIC8xx session finding; actual: exit ${res% *}${res#* }"
  case "$res" in 1*AIC8*) ;; *) fail=1 ;; esac
done
[ $fail = 1 ] && echo "BUG: agent sessions of these standard CLIs are not detected at commit time" || echo OK
