# Shared helpers for the attack scripts: AIC_VENV names a virtual environment with ai-clearance.
. "${AIC_VENV:?set AIC_VENV to a virtual environment with ai-clearance}/bin/activate"
set -u
new_repo() {
  R=$(mktemp -d /tmp/aic-repro.XXXXXX)
  git -C "$R" init -q
  git -C "$R" config user.email dev@example.com; git -C "$R" config user.name Dev
  git -C "$R" commit -q --allow-empty -m base
}
commit_all() { git -C "$R" add -A && git -C "$R" commit -qm "${1:-change}"; }
workflow() {  # workflow STEPS-YAML  -> .github/workflows/ci.yml
  mkdir -p "$R/.github/workflows"
  printf 'on: push\njobs:\n  review:\n    runs-on: ubuntu-latest\n    steps:\n%s\n' "$1" > "$R/.github/workflows/ci.yml"
}
check_range() {  # runs the check on the last commit, prints the verdict
  out=$(cd "$R" && ai-clearance check --no-trust --range HEAD~1..HEAD 2>&1); rc=$?
  echo "$out" | sed 's/^/    | /' | head -${LINES_SHOWN:-12}
  echo "exit code: $rc"
}
check_message() {  # check_message FILE
  out=$(cd "$R" && ai-clearance check --no-trust --message "$1" 2>&1); rc=$?
  echo "$out" | sed 's/^/    | /' | head -12
  echo "exit code: $rc"
}
# Print this repro's header (class, verdict kind, why it matters) before running it.
awk 'NR==1{next} /^#/{sub(/^# ?/,""); print; next} {exit}' "$0"; echo
