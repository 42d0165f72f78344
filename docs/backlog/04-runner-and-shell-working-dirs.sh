#!/bin/bash
# Class: scripts CI reaches / path resolution (variant of repros2 04, now fixed) -- BYPASS
# (expected exit 1, actual exit 0 for each but the control). tools/review.sh runs the agent.
# Fixed (reach.py, tests in tests/detect/reach_test.py): a step's working-directory and
# `${{ env.D }}` in it, `cd tools &&`, `cd -- tools`, `cd "$DIR"` with a constant DIR or
# env entry, pushd, `env -C tools`, `sh -c "cd tools && ..."`, a package.json script's cd.
# Still missed (task runner files, owned by the task-runner work): the working directory
# a runner sets (justfile `[working-directory]`, Taskfile `dir:`, tox `changedir`), and a
# Makefile recipe's `cd tools && ./review.sh` (listed as a control before, it is not found).
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf '%s\n' "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
s() { new_repo; mkdir -p "$R/tools"; printf '#!/bin/sh\nclaude -p review\n' > "$R/tools/review.sh"; chmod +x "$R/tools/review.sh"; }
s; put justfile $'[working-directory: "tools"]\nreview:\n    ./review.sh'; workflow '      - run: just review'; one 'justfile [working-directory: "tools"]'
s; put Taskfile.yml $'version: "3"\ntasks:\n  review:\n    dir: tools\n    cmds:\n      - ./review.sh'; workflow '      - run: task review'; one "Taskfile dir: tools"
s; put tox.ini $'[testenv:r]\nchangedir = tools\nallowlist_externals = ./review.sh\ncommands = ./review.sh'; workflow '      - run: tox -e r'; one "tox changedir = tools"
s; put Makefile $'review:\n\tcd tools && ./review.sh'; workflow '      - run: make review'; one "Makefile recipe cd tools && ./review.sh"
echo "(control: IS found)"
s; workflow '      - run: cd tools && ./review.sh'; one "cd tools && ./review.sh"
