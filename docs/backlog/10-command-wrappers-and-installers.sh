#!/bin/bash
# Class: launchers / installers (variant of repros2 02) -- BYPASS (expected exit 1, actual
# exit 0). Still open after the wrapper table (launchers.RUNNERS: poetry/conda/pixi run,
# bundle/asdf/nvm exec, doppler/op/infisical run --, docker/kubectl exec..., now found):
# `pkgx install claude` names a program, not a package the catalog lists (a package
# path's last part is read as a nixpkgs name, `github.com/OWNER/NAME` as that repository):
# still open (launchers.py; pkgx's pantry names for the agents are not checked yet).
# Fixed: go.mod's `tool` directive is read (projectfiles.py), so `go tool crush` is found.
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf "%s\n" "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
run() { new_repo; workflow "      - run: $1"; one "$1"; }
run "pkgx install claude"
echo "(controls: ARE found)"
new_repo; put go.mod $'module x\n\ngo 1.24\n\ntool github.com/charmbracelet/crush'; workflow '      - run: go tool crush run "review the diff"'; one "go.mod tool directive + go tool crush"
run "poetry run claude -p review"
run "doppler run -- claude -p review"
run "go tool github.com/charmbracelet/crush run x"
