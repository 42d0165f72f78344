# Shared helpers for the backlog scripts 13-20 of the third attack pass (AIC_VENV: a venv with ai-clearance).
. "${AIC_VENV:?set AIC_VENV to a virtual environment with ai-clearance}/bin/activate"
set -u
new_repo() {
  R=$(mktemp -d /tmp/aic-repro.XXXXXX)
  git -C "$R" init -q
  git -C "$R" config user.email dev@example.com; git -C "$R" config user.name Dev
  git -C "$R" commit -q --allow-empty -m base
}
put() { mkdir -p "$R/$(dirname "$1")"; printf '%s\n' "$2" > "$R/$1"; }
commit_all() { git -C "$R" add -A && git -C "$R" commit -qm "${1:-change}"; }
workflow() {  # workflow STEPS-YAML  -> .github/workflows/ci.yml
  put .github/workflows/ci.yml "$(printf 'on: push\njobs:\n  review:\n    runs-on: ubuntu-latest\n    steps:\n%s' "$1")"
}
# expect CODE LABEL: check the last commit, print expected vs actual
expect() {
  out=$(cd "$R" && ai-clearance check --no-trust --range HEAD~1..HEAD 2>&1); rc=$?
  if [ "$rc" = "$1" ]; then v=ok; else v=MISMATCH; fi
  printf '  %-8s expected %s, actual %s  %s\n' "$v" "$1" "$rc" "$2"
  [ "$v" = ok ] || echo "$out" | grep -E 'AIC[0-9]+' | sed 's/^/      | /' | head -4
}
expect_message() {  # expect_message CODE LABEL TEXT
  printf '%b' "$3" > "$R/.msg"
  out=$(cd "$R" && ai-clearance check --no-trust --message .msg 2>&1); rc=$?
  if [ "$rc" = "$1" ]; then v=ok; else v=MISMATCH; fi
  printf '  %-8s expected %s, actual %s  %s\n' "$v" "$1" "$rc" "$2"
  [ "$v" = ok ] || echo "$out" | grep -E 'AIC[0-9]+' | sed 's/^/      | /' | head -4
}
awk 'NR==1{next} /^#/{sub(/^# ?/,""); print; next} {exit}' "$0"; echo
