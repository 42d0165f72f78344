#!/bin/bash
# Class 1 (CI: Dockerfiles named outside `docker build -f`) -- BYPASS, expected 1, actual 0.
# A Dockerfile with a non-standard name (Dockerfile-ci, common) is read only when a `run:`
# says `docker build -f NAME`. Named by docker/build-push-action's `file:` input (the most
# used Docker action), a Compose `build.dockerfile`, a Makefile recipe or a dev
# container's `build.dockerfile`, its `RUN npm i -g @openai/codex` is never read.
. "$(dirname "$0")/lib2.sh"
df=$'FROM node:20\nRUN npm i -g @openai/codex'
new_repo; put Dockerfile-ci "$df"; workflow $'      - uses: docker/build-push-action@v6\n        with:\n          file: Dockerfile-ci\n          push: false'; commit_all
expect 1 "docker/build-push-action with: file: Dockerfile-ci"
new_repo; put Dockerfile-ci "$df"; put compose.yaml $'services:\n  review:\n    build:\n      context: .\n      dockerfile: Dockerfile-ci'; commit_all
expect 1 "compose.yaml build.dockerfile: Dockerfile-ci"
new_repo; put Dockerfile-ci "$df"; put Makefile $'image:\n\tdocker build -f Dockerfile-ci -t review .'; commit_all
expect 1 "Makefile recipe docker build -f Dockerfile-ci"
new_repo; put .devcontainer/agent.df "$df"; put .devcontainer/devcontainer.json '{"build":{"dockerfile":"agent.df"}}'; commit_all
expect 1 "devcontainer.json build.dockerfile: agent.df"
echo "(control)"
new_repo; put Dockerfile-ci "$df"; workflow '      - run: docker build -f Dockerfile-ci .'; commit_all
expect 1 "run: docker build -f Dockerfile-ci"
