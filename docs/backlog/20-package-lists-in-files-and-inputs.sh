#!/bin/bash
# Class 1 (CI: what to install kept outside the run: line) -- BYPASS, expected 1, actual 0.
# `pip install -r ANY-FILE` and `uv tool install -r` follow the file, but the npm forms a
# workflow uses for a tools list do not: `npm i -g $(cat ci/tools.txt)` or
# `xargs npm i -g < ci/tools.txt`. jdx/mise-action's inline `mise_toml:` input is not read
# either, though a committed mise.toml with the same [tools] line is found.
. "$(dirname "$0")/lib2.sh"
new_repo; put ci/tools.txt $'prettier\n@openai/codex'; workflow '      - run: npm i -g $(cat ci/tools.txt)'; commit_all
expect 1 "npm i -g \$(cat ci/tools.txt)"
new_repo; put ci/tools.txt $'prettier\n@openai/codex'; workflow '      - run: xargs npm i -g < ci/tools.txt'; commit_all
expect 1 "xargs npm i -g < ci/tools.txt"
new_repo; workflow $'      - uses: jdx/mise-action@v2\n        with:\n          mise_toml: |\n            [tools]\n            "npm:@openai/codex" = "latest"\n      - run: codex --version'; commit_all
expect 1 "jdx/mise-action with: mise_toml: [tools] npm:@openai/codex"
echo "(controls)"
new_repo; put ci/tools.lst 'aider-chat'; workflow '      - run: pip install -r ci/tools.lst'; commit_all
expect 1 "pip install -r ci/tools.lst"
new_repo; put mise.toml $'[tools]\n"npm:@openai/codex" = "latest"'; commit_all
expect 1 "mise.toml [tools]"
