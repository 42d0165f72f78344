#!/usr/bin/env bash
# False positive: the guard refuses ordinary, valid shell commands as "cannot be read": an
# unquoted here-document whose text holds an apostrophe or a lone double quote (the body is
# parsed as shell code; `<<'EOF'` bodies pass), ANSI-C strings with an escaped quote
# ($'it\'s'), and nested quotes in ${a:-"it's"}. The agent's ordinary `git commit -F - <<EOF`
# or `cat > NOTES.md <<EOF` with "user's" in it is blocked. bash itself runs all of them.
set -u
VENV=${AIC_VENV:-/tmp/attack5/.venv}; AIC=$VENV/bin/ai-clearance; PY=$VENV/bin/python
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" && git init -q r && cd r && git config user.name Jane && git config user.email jane@example.com
git commit -q --allow-empty -m init; echo x > f; git add f
fail=0
guard() { "$PY" -c 'import json,sys; print(json.dumps({"tool_name":"Bash","tool_input":{"command":sys.argv[1]}}))' "$1" \
          | "$AIC" guard check-command 2>"$T/err" >/dev/null; echo $?; }
for cmd in \
  $'git commit -q -F - <<EOF\nFix the user\'s config\nEOF' \
  $'cat > NOTES.md <<EOF\nDon\'t run this on $HOSTNAME\nEOF' \
  $'cat <<-EOF\n\tit\'s done\n\tEOF' \
  $'cat <<EOF\nwidth: 5" screen\nEOF' \
  $'printf \'%s\\n\' $\'it\\\'s\'' \
  $'echo "${a:-"it\'s"}"'; do
  rc=$(guard "$cmd")
  bash -c "$cmd" >/dev/null 2>&1; brc=$?
  printf 'command: %q\n' "$cmd"
  echo "  expected: guard exit 0 (bash runs it: exit $brc)   actual: guard exit $rc: $(cut -c1-90 "$T/err")"
  [ "$rc" = 0 ] || fail=1
done
[ $fail = 1 ] && echo "BUG: valid everyday commands are refused by the guard" || echo OK
