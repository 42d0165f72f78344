#!/bin/bash
# Class: CI files not read (variant of repros2 08, now fixed for travis/woodpecker/appveyor/
# forgejo/gitea) -- BYPASS (expected exit 1, actual exit 0 for each). Other hosted CI
# systems whose config file sits at a fixed path and runs shell commands: Drone (.drone.yml),
# Cirrus CI (.cirrus.yml), SourceHut builds (.build.yml, .builds/*.yml), Google Cloud Build
# (cloudbuild.yaml), AWS CodeBuild (buildspec.yml), Bitrise (bitrise.yml), Semaphore
# (.semaphore/semaphore.yml), Codemagic (codemagic.yaml). Each installs and runs the agent.
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf '%s\n' "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
N='npx -y @anthropic-ai/claude-code -p review'
f() { new_repo; put "$2" "$3"; one "$1 ($2)"; }
f drone .drone.yml $'kind: pipeline\nsteps:\n  - name: r\n    image: node:20\n    commands:\n      - '"$N"
f cirrus .cirrus.yml $'task:\n  container:\n    image: node:20\n  script: '"$N"
f sourcehut .build.yml $'image: alpine/edge\ntasks:\n  - r: |\n      '"$N"
f sourcehut .builds/ci.yml $'image: alpine/edge\ntasks:\n  - r: |\n      '"$N"
f cloudbuild cloudbuild.yaml $'steps:\n  - name: node:20\n    entrypoint: npx\n    args: ["-y", "@anthropic-ai/claude-code", "-p", "review"]'
f codebuild buildspec.yml $'version: 0.2\nphases:\n  build:\n    commands:\n      - '"$N"
f bitrise bitrise.yml $'workflows:\n  ci:\n    steps:\n      - script:\n          inputs:\n            - content: '"$N"
f semaphore .semaphore/semaphore.yml $'version: v1.0\nblocks:\n  - task:\n      jobs:\n        - commands:\n            - '"$N"
f codemagic codemagic.yaml $'workflows:\n  r:\n    scripts:\n      - '"$N"
echo "(control: .travis.yml IS read)"
f travis .travis.yml $'script:\n  - '"$N"
