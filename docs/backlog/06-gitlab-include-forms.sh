#!/bin/bash
# Class: CI files not read (variant of repros2 08's GitLab include) -- BYPASS (expected
# exit 1, actual exit 0 for the first). The flow forms (`include: ["ci/review.yml"]`,
# `include: { local: ... }`) are fixed; still open: a wildcard, which GitLab supports for
# local includes (`local: "ci/*.yml"`, `ci/**.yml`): expanding it needs a listing of the
# tree (source/reach.py resolves named paths one by one).
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf '%s\n' "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
R_=$'review:\n  image: node:20\n  script:\n    - npx -y @anthropic-ai/claude-code -p "review the MR"'
g() { new_repo; put .gitlab-ci.yml "$1"; put ci/review.yml "$R_"; one "$1"; }
g $'include:\n  - local: "ci/*.yml"'
echo "(control: IS found)"
g $'include:\n  - local: ci/review.yml'
g 'include: { local: ci/review.yml }'
