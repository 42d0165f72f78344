#!/usr/bin/env bash
# False positive: session detection reads the command STRING of `sh -c '...'` as an
# interpreter's script and takes its last path component as a program name. Any ancestor
# `sh -c` whose text ends in `/gemini`, `/codex`, `/claude`, `/amp`, `/goose`... looks like
# that agent. Make and npm run every recipe/script line that way, so a person who runs
# `make vendor` (recipe: git commit ... -- third_party/gemini) in an ordinary terminal gets
# the commit blocked as a Gemini CLI session. docs: `git -C claude` and
# `python3 /home/claude/x.py` are not matched.
set -u
VENV=${AIC_VENV:-/tmp/attack5/.venv}; AIC=$VENV/bin/ai-clearance
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" && git init -q r && cd r && git config user.name Jane && git config user.email jane@example.com
git commit -q --allow-empty -m init
printf '#!/bin/sh\nexec "%s" check --staged\n' "$AIC" > .git/hooks/pre-commit; chmod +x .git/hooks/pre-commit
mkdir -p third_party/gemini; echo "MIT" > third_party/gemini/LICENSE
printf 'vendor:\n\tgit add third_party && git commit -q -m "Update vendored copy" -- third_party/gemini\n' > Makefile
fail=0
env -i PATH="$VENV/bin:/usr/bin:/bin" HOME="$T" TERM=xterm make -s vendor >"$T/out" 2>&1; rc=$?
echo "make vendor (recipe commits third_party/gemini, no agent anywhere):"
echo "  expected: exit 0, commit made   actual: exit $rc, $(grep -oE 'AIC8[0-9]+.*' "$T/out" | head -1 | cut -c1-90)"
grep -E "ancestor process" "$T/out" | sed 's/^ */  evidence: /' | cut -c1-160
[ $rc = 0 ] || fail=1
echo x >> third_party/gemini/LICENSE; git add -A
env -i PATH="$VENV/bin:/usr/bin:/bin" HOME="$T" bash -c 'git commit -q -m "Bump" && echo done # see ~/notes/codex' >"$T/out" 2>&1; rc=$?
echo "bash -c 'git commit ... # see ~/notes/codex' (a comment!):"
echo "  expected: exit 0   actual: exit $rc, $(grep -oE 'AIC8[0-9]+' "$T/out" | head -1)"
[ $rc = 0 ] || fail=1
[ $fail = 1 ] && echo "BUG: a sh -c command line ending in an agent's name is read as that agent's process" || echo OK
