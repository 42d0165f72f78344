#!/bin/bash
# Class 1 (CI: the agent's repository fetched without an installer) -- BYPASS, expected 1,
# actual 0. The catalog lists the agents' source repositories (repo:github.com/openai/codex,
# anthropics/claude-code-action as an action), but a workflow can check the action out with
# actions/checkout and run it as a local action (`uses: ./rv`), `git clone` the CLI and
# build it, or fetch its release binary with a release-download action. `gh release
# download -R openai/codex` in a run: IS found.
. "$(dirname "$0")/lib2.sh"
new_repo; workflow $'      - uses: actions/checkout@v4\n        with:\n          repository: anthropics/claude-code-action\n          ref: v1\n          path: .rv\n      - uses: ./.rv\n        with:\n          prompt: review the diff'; commit_all
expect 1 "actions/checkout repository: anthropics/claude-code-action, then uses: ./.rv"
new_repo; workflow '      - run: git clone --depth 1 https://github.com/openai/codex && cd codex/codex-rs && cargo build --release'; commit_all
expect 1 "git clone https://github.com/openai/codex && cargo build"
new_repo; workflow $'      - uses: robinraju/release-downloader@v1\n        with:\n          repository: openai/codex\n          latest: true\n          fileName: codex-x86_64-unknown-linux-musl.tar.gz\n          extract: true'; commit_all
expect 1 "robinraju/release-downloader repository: openai/codex"
new_repo; workflow $'      - uses: jaxxstorm/action-install-gh-release@v1\n        with:\n          repo: openai/codex'; commit_all
expect 1 "jaxxstorm/action-install-gh-release repo: openai/codex"
echo "(control)"
new_repo; workflow '      - run: gh release download -R openai/codex -p "codex-x86_64-unknown-linux-musl.tar.gz"'; commit_all
expect 1 "gh release download -R openai/codex"
