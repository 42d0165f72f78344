#!/bin/bash
# Class: task runner files / scripts CI reaches (variant of repros2 03) -- BYPASS (expected
# exit 1, actual exit 0 for each but the controls). The files a runner's file pulls in are
# not followed unless their own name is a runner's: Makefile `include ci/rules.inc`,
# Taskfile `includes: ci: ./ci/ReviewTasks.yml`, justfile `import "ci/review.just"`; tox's
# config in pyproject.toml (`[tool.tox] legacy_tox_ini`) is not read as tox; a noxfile's
# `session.install("aider-chat")` installs the agent (tox `deps = aider-chat` IS found).
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf '%s\n' "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
new_repo; put Makefile 'include ci/rules.inc'; put ci/rules.inc $'review:\n\tclaude -p review'; workflow '      - run: make review'; one "Makefile include ci/rules.inc"
new_repo; put Taskfile.yml $'version: "3"\nincludes:\n  ci: ./ci/ReviewTasks.yml'; put ci/ReviewTasks.yml $'version: "3"\ntasks:\n  review:\n    cmds:\n      - claude -p review'; workflow '      - run: task ci:review'; one "Taskfile includes ./ci/ReviewTasks.yml"
new_repo; put justfile 'import "ci/review.just"'; put ci/review.just $'review:\n    claude -p review'; workflow '      - run: just review'; one "justfile import ci/review.just"
new_repo; put pyproject.toml $'[tool.tox]\nlegacy_tox_ini = """\n[testenv:review]\ncommands = claude -p review\n"""'; workflow '      - run: tox -e review'; one "pyproject [tool.tox] legacy_tox_ini"
new_repo; put noxfile.py $'import nox\n@nox.session\ndef review(session):\n    session.install("aider-chat")\n    session.run("aider", "--yes")'; one "noxfile session.install(aider-chat) + session.run(aider --yes)"
echo "(controls: ARE found)"
new_repo; put tox.ini $'[testenv:review]\ndeps = aider-chat\ncommands = aider --yes -m fix'; one "tox.ini deps = aider-chat"
new_repo; put ci/review.mk $'review:\n\tclaude -p review'; put Makefile 'include ci/review.mk'; workflow '      - run: make review'; one "Makefile include ci/review.mk"
