#!/bin/bash
# Class: shell tricks (variant of repros2 06, now fixed) -- BYPASS (expected exit 1, actual
# exit 0 for each but the controls; low: deliberate obfuscation). A constant variable is
# followed through $T and ${T:-x}, but not through bash's other parameter expansions of
# the same constant: case change ${T,,}, substitution ${T/x/c}, prefix/suffix removal
# ${T#x} ${T%x}, substring ${T:0}, an array element ${A[1]}, nor a value set by
# `printf -v T` or `read T <<< claude`.
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf "%s\n" "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
run() { new_repo; workflow "      - run: |
$(printf '%s\n' "$1" | sed 's/^/          /')"; one "$(printf '%s' "$1" | tr '\n' ';')"; }
run $'T=CLAUDE\n${T,,} -p review'
run $'T=xlaude\n${T/x/c} -p review'
run $'T=xclaude\n${T#x} -p review'
run $'T=claudex\n${T%x} -p review'
run $'T=claude\n${T:0} -p review'
run $'A=(x claude)\n${A[1]} -p review'
run $'printf -v T claude\n$T -p review'
run $'read -r T <<< claude\n$T -p review'
echo "(controls: ARE found)"
run $'T=claude\n$T -p review'
run $'A=(claude -p review)\n"${A[@]}"'
