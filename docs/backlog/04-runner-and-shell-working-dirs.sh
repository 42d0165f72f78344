#!/bin/bash
# Class: scripts CI reaches / path resolution (variant of repros2 04, now fixed) -- BYPASS
# (expected exit 1, actual exit 0 for each but the controls). tools/review.sh runs the agent.
# Fixed: a step's working-directory, `cd tools &&`, pushd, make -C. Still missed: the
# working directory task runners set (justfile `[working-directory]`, Taskfile `dir:`, tox
# `changedir`), `cd` inside a package.json script, `cd "$DIR"` with a constant DIR,
# `cd -- tools`, `env -C tools`, `sh -c "cd tools && ..."`, working-directory: ${{ env.D }}.
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf '%s\n' "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
s() { new_repo; mkdir -p "$R/tools"; printf '#!/bin/sh\nclaude -p review\n' > "$R/tools/review.sh"; chmod +x "$R/tools/review.sh"; }
s; put justfile $'[working-directory: "tools"]\nreview:\n    ./review.sh'; workflow '      - run: just review'; one 'justfile [working-directory: "tools"]'
s; put Taskfile.yml $'version: "3"\ntasks:\n  review:\n    dir: tools\n    cmds:\n      - ./review.sh'; workflow '      - run: task review'; one "Taskfile dir: tools"
s; put tox.ini $'[testenv:r]\nchangedir = tools\nallowlist_externals = ./review.sh\ncommands = ./review.sh'; workflow '      - run: tox -e r'; one "tox changedir = tools"
s; put package.json '{"scripts":{"review":"cd tools && ./review.sh"}}'; workflow '      - run: npm run review'; one "package.json script cd tools && ./review.sh"
s; workflow '      - run: |
          DIR=tools
          cd "$DIR" && ./review.sh'; one 'DIR=tools; cd "$DIR" && ./review.sh'
s; workflow '      - run: cd -- tools && ./review.sh'; one "cd -- tools && ./review.sh"
s; workflow '      - run: env -C tools ./review.sh'; one "env -C tools ./review.sh"
s; workflow '      - run: sh -c "cd tools && ./review.sh"'; one 'sh -c "cd tools && ./review.sh"'
s; workflow '      - run: ./review.sh
        working-directory: ${{ env.D }}
    env:
      D: tools'; one 'working-directory: ${{ env.D }} (job env D: tools)'
echo "(controls: ARE found)"
s; workflow '      - run: cd tools && ./review.sh'; one "cd tools && ./review.sh"
s; put Makefile $'review:\n\tcd tools && ./review.sh'; workflow '      - run: make review'; one "Makefile recipe cd tools && ./review.sh"
