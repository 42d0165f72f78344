# Helpers of the third attack pass's scripts (13-20), on top of lib.sh's: write a file,
# and check the last commit against an expected exit code.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf '%s\n' "$2" > "$R/$1"; }
workflow() {  # workflow STEPS-YAML  -> .github/workflows/ci.yml
  put .github/workflows/ci.yml "$(printf 'on: push\njobs:\n  review:\n    runs-on: ubuntu-latest\n    steps:\n%s' "$1")"
}
expect() {  # expect CODE LABEL: check the last commit, print expected vs actual
  out=$(cd "$R" && ai-clearance check --no-trust --range HEAD~1..HEAD 2>&1); rc=$?
  if [ "$rc" = "$1" ]; then v=ok; else v=MISMATCH; fi
  printf '  %-8s expected %s, actual %s  %s\n' "$v" "$1" "$rc" "$2"
  [ "$v" = ok ] || echo "$out" | grep -E 'AIC[0-9]+' | sed 's/^/      | /' | head -4
}
