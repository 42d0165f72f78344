#!/usr/bin/env bash
# False positive: the model-name rule (AIC510/511 author/committer, AIC452 co-author) reads a
# person as a model whenever a family word (claude, gemma, kimi, phi, ...) is a given name and
# what follows is a common surname that is also a "model word" (Small, Low, Max, Large, Fast,
# Next, Chat) or a username's digits (claude42, gemma92, kimi1); "any address behind it
# counts", so a personal gmail address does not help. With the default block_confidence
# ("medium") these commits FAIL. docs: "no person is called that".
set -u
VENV=${AIC_VENV:-/tmp/attack5/.venv}; AIC=$VENV/bin/ai-clearance
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" && git init -q r && cd r && git config user.name "Jane Doe" && git config user.email jane@example.com
git commit -q --allow-empty -m init
fail=0
check() { "$AIC" check --range HEAD~1..HEAD >"$T/out" 2>&1; echo "$? $(grep -oE 'AIC[0-9]+' "$T/out" | sort -u | tr '\n' ' ')"; }
while IFS='|' read -r name mail; do
  git -c user.name="$name" -c user.email="$mail" commit -q --allow-empty -m "Fix typo"
  res=$(check)
  echo "author '$name <$mail>': expected exit 0 (a person); actual: exit $res"
  [ "${res%% *}" = 0 ] || fail=1
done <<'PEOPLE'
Claude Small|claude.small@orange.fr
Gemma Low|gemma.low@gmail.com
Kimi Max|kimi.max@gmail.com
Gemma Large|gemma.large@btinternet.com
claude42|claude42@gmail.com
gemma92|gemma92@yahoo.co.uk
PEOPLE
git commit -q --allow-empty -m "Pair on parser

Co-authored-by: Gemma Low <gemma.low@gmail.com>"
res=$(check); echo "co-author 'Gemma Low <gemma.low@gmail.com>': expected exit 0; actual: exit $res"; [ "${res%% *}" = 0 ] || fail=1
echo "control: 'Claude Dubois <claude.dubois@example.fr>' ->"; git -c user.name="Claude Dubois" -c user.email=claude.dubois@example.fr commit -q --allow-empty -m x; echo "  exit $(check)"
[ $fail = 1 ] && echo "BUG: real people's names fail the check as AI model names" || echo OK
