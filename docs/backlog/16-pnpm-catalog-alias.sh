#!/bin/bash
# Class 1 (package manifests) -- BYPASS, expected 1, actual 0.
# pnpm catalogs: package.json says `"reviewer": "catalog:"` and pnpm-workspace.yaml maps
# reviewer to `npm:@openai/codex`; `pnpm install` installs codex under the alias (its bin
# is still `codex`). The same alias written in package.json directly IS found, so the
# catalog is a one-line way around it. npm/pnpm `overrides` to an npm: alias likewise.
. "$(dirname "$0")/lib2.sh"
new_repo; put pnpm-workspace.yaml $'packages:\n  - .\ncatalog:\n  reviewer: npm:@openai/codex@^0.50.0'; put package.json '{"name":"x","private":true,"devDependencies":{"reviewer":"catalog:"}}'; commit_all
expect 1 "pnpm-workspace.yaml catalog: reviewer: npm:@openai/codex"
new_repo; put pnpm-workspace.yaml $'packages:\n  - .\ncatalogs:\n  tools:\n    reviewer: npm:@anthropic-ai/claude-code@^1'; put package.json '{"name":"x","private":true,"devDependencies":{"reviewer":"catalog:tools"}}'; commit_all
expect 1 "pnpm-workspace.yaml named catalogs: tools: reviewer: npm:@anthropic-ai/claude-code"
new_repo; put package.json '{"name":"x","devDependencies":{"left-pad":"^1"},"overrides":{"left-pad":"npm:@openai/codex@^0.50.0"}}'; commit_all
expect 1 "package.json overrides: left-pad -> npm:@openai/codex"
echo "(control)"
new_repo; put package.json '{"name":"x","devDependencies":{"reviewer":"npm:@openai/codex@^0.50.0"}}'; commit_all
expect 1 "package.json alias directly"
