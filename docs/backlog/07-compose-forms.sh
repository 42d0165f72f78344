#!/bin/bash
# Class: compose files (variant of repros2 08's compose, now fixed) -- BYPASS (expected
# exit 1, actual exit 0 for each but the control). Compose files are read for a service's
# image/command/entrypoint, but not: an image given as a default of an interpolation
# (`image: ${AI_IMAGE:-paulgauthier/aider}`, Compose's documented form), `build.dockerfile_inline`,
# `extends: file:`, a healthcheck's CMD-SHELL command (run every interval), the name
# podman-compose.yml, a stack file `docker stack deploy -c stack.yml`, and a file named by
# COMPOSE_FILE (`COMPOSE_FILE=ci/stack.yml docker compose up`, or the step's env:).
. "$(dirname "$0")/lib.sh"
put() { mkdir -p "$R/$(dirname "$1")"; printf "%s\n" "$2" > "$R/$1"; }
one() { echo "== $1"; commit_all; LINES_SHOWN=0 check_range; }
A=$'services:\n  ai:\n    image: paulgauthier/aider\n    command: --yes --message "fix the tests"'
new_repo; put docker-compose.yml $'services:\n  ai:\n    image: ${AI_IMAGE:-paulgauthier/aider}\n    command: --yes --message "fix the tests"'; one 'image: ${AI_IMAGE:-paulgauthier/aider}'
new_repo; put docker-compose.yml $'services:\n  ai:\n    build:\n      context: .\n      dockerfile_inline: |\n        FROM node:20\n        RUN npm i -g @anthropic-ai/claude-code'; one "build.dockerfile_inline"
new_repo; put docker-compose.yml $'services:\n  ai:\n    extends:\n      file: ci/ai.yml\n      service: ai'; put ci/ai.yml "$A"; workflow '      - run: docker compose run ai'; one "extends: file: ci/ai.yml"
new_repo; put docker-compose.yml $'services:\n  s:\n    image: node:20\n    healthcheck:\n      test: ["CMD-SHELL", "npx -y @anthropic-ai/claude-code -p review"]'; one "healthcheck CMD-SHELL"
new_repo; put podman-compose.yml "$A"; workflow '      - run: podman-compose run ai'; one "podman-compose.yml"
new_repo; put stack.yml "$A"; workflow '      - run: docker stack deploy -c stack.yml s'; one "docker stack deploy -c stack.yml"
new_repo; put ci/stack.yml "$A"; workflow '      - run: COMPOSE_FILE=ci/stack.yml docker compose run ai'; one "COMPOSE_FILE=ci/stack.yml docker compose run ai"
new_repo; put ci/stack.yml "$A"; workflow '      - run: docker compose run ai
        env:
          COMPOSE_FILE: ci/stack.yml'; one "step env COMPOSE_FILE: ci/stack.yml"
echo "(control: IS found)"
new_repo; put ci/stack.yml "$A"; workflow '      - run: docker compose -f ci/stack.yml run ai'; one "docker compose -f ci/stack.yml"
