#!/bin/bash
# Class 1 (CI: env indirection across files) -- BYPASS, expected 1, actual 0.
# A constant `env:` of the workflow (or GitLab `variables:`) is followed inside the same
# `run:`, but not into the script, Makefile or package.json script the step runs, nor
# into a nested `bash -c '$VAR ...'`. The natural way to keep the agent's name out of
# the script: configure it in the workflow, call "$AGENT" in ci/review.sh.
. "$(dirname "$0")/lib2.sh"
new_repo; workflow $'      - env:\n          AGENT: claude\n        run: ./ci/review.sh'; put ci/review.sh $'#!/bin/bash\n"$AGENT" -p "review the diff"'; commit_all
expect 1 "step env AGENT=claude -> ci/review.sh runs \"\$AGENT\" -p"
new_repo; put .github/workflows/ci.yml $'on: push\nenv:\n  REVIEWER: codex\njobs:\n  r:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make review'; put Makefile $'review:\n\t$(REVIEWER) exec "review the diff"'; commit_all
expect 1 "workflow env REVIEWER=codex -> make review -> \$(REVIEWER) exec"
new_repo; workflow $'      - run: npm run review\n        env:\n          AGENT: claude'; put package.json '{"name":"x","scripts":{"review":"$AGENT -p review"}}'; commit_all
expect 1 "step env -> npm run review -> \$AGENT -p"
new_repo; put .gitlab-ci.yml $'variables:\n  AGENT: claude\nreview:\n  script:\n    - ./ci/review.sh'; put ci/review.sh $'#!/bin/sh\n$AGENT -p "review"'; commit_all
expect 1 "GitLab variables -> ci/review.sh"
new_repo; workflow "      - run: export T=claude; bash -c '\$T -p review'"; commit_all
expect 1 "export T=claude; bash -c '\$T -p review'"
echo "(control)"
new_repo; workflow $'      - env:\n          AGENT: claude\n        run: bash -c \'$AGENT -p review\''; commit_all
expect 1 "step env + bash -c (found)"
