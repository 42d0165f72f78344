#!/usr/bin/env bash
# Disclosure bypass (mode = "disclose"): a co-author trailer that plainly names a product,
# "Qwen Code" (a catalog assistant of its own, `qwen`), Grok or DeepSeek, is read by the
# name rule AIC452 as the `generic` assistant, and a generic trace is answered by a
# disclosure of ANY agent. So `Assisted-by: GitHub Copilot` "discloses" a commit that says
# Qwen Code / Grok / DeepSeek co-wrote it. Control: a Claude co-author with a Copilot
# disclosure fails as it should.
set -u
VENV=${AIC_VENV:-/tmp/attack5/.venv}; AIC=$VENV/bin/ai-clearance
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" && git init -q r && cd r && git config user.name "Jane Doe" && git config user.email jane@example.com
printf 'mode = "disclose"\nsession = "off"\n' > .ai-clearance.toml; git add -A; git commit -q -m init
fail=0
t() {  # $1 co-author line, $2 expected exit
  echo "$RANDOM" >> f; git add f
  git commit -q -m "Add parser

$1
Assisted-by: GitHub Copilot"
  "$AIC" check --range HEAD~1..HEAD >"$T/o" 2>&1; rc=$?
  echo "'$1' + 'Assisted-by: GitHub Copilot': expected exit $2; actual exit $rc ($(grep -oE 'AIC4[0-9]+ \[block\] [a-z-]+' "$T/o" | head -1); $(grep -oE 'cleared by disclosed by[^(]*' "$T/o" | head -1))"
  [ "$rc" = "$2" ] || fail=1
}
t 'Co-authored-by: Qwen Code <noreply@qwen.ai>' 1
t 'Co-authored-by: Grok' 1
t 'Co-authored-by: DeepSeek-V3.2 <api-service@deepseek.com>' 1
echo "control:"; t 'Co-authored-by: Claude' 1
[ $fail = 1 ] && echo "BUG: a named product's trace passes mode=disclose with another agent's disclosure" || echo OK
