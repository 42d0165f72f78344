"""Developer tool files (devtools.py): git hooks under any folder, lefthook's scripts, the
JavaScript forms of lint-staged / simple-git-hooks / husky configurations, overcommit, VS
Code tasks in a .code-workspace file, Zed tasks, direnv's .envrc, Firebase Studio's dev.nix
and Replit's .replit: what each runs is found, what only looks like it stays clean."""

from __future__ import annotations

import pytest

from ai_clearance.catalog.rules import Rule, glob_anchor, load_catalog
from ai_clearance.detect import devtools, setups
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.workflows import content_matches
from ai_clearance.model import PathChange
from conftest import best_seconds


def _rules(path: str) -> dict[str, Rule]:
    _, candidates = PathMatcher(load_catalog()).match(PathChange(path, "0" * 40, "100644"))
    return {c.rule.id: c.rule for c in candidates}


def _found(path: str, text: str) -> set[str]:
    return set(content_matches(_rules(path), text.encode().split(b"\n"), [path]))


@pytest.mark.parametrize(("path", "kinds"), [
    ("tools/git-hooks/pre-commit", {"shell"}), ("scripts/hooks/commit-msg", {"shell"}),
    (".lefthook/pre-commit/review", {"shell"}), (".envrc", {"shell"}),
    (".overcommit.yml", {"overcommit"}), ("ws.code-workspace", {"codeworkspace"}),
    (".zed/tasks.json", {"zedtasks"}), (".idx/dev.nix", {"nix"}), ("replit.nix", {"nix"}),
    (".replit", {"replit"}), ("devenv.nix", {"nix"}), ("devbox.json", {"devbox"}),
    ("scripts/update", set()), ("docs/pre-commit.md", set()),
    ("zed/tasks.json", set()), ("nix/dev.nix", set()),
])
def test_readings(path: str, kinds: set[str]) -> None:
    assert set(setups.setup_readings(path)) == kinds


def test_the_kinds_read_here_are_the_ones_setups_sends_here() -> None:
    assert devtools.KINDS == setups.DEVTOOL_KINDS


@pytest.mark.parametrize(("path", "text"), [
    ("tools/git-hooks/pre-commit", '#!/bin/sh\ngit diff --cached | claude -p "review"\n'),
    (".config/hooks/pre-push", "#!/usr/bin/env bash\nnpx -y @anthropic-ai/claude-code -p x\n"),
    (".lefthook/pre-commit/review.sh", "claude -p review\n"),
    (".lefthook/pre-push/review", "claude -p review\n"),
    ("lint-staged.config.js", 'export default { "*.js": "claude -p fix" }\n'),
    (".lintstagedrc.mjs", 'export default { "*.js": ["eslint", "claude -p fix"] }\n'),
    (".simple-git-hooks.cjs", 'module.exports = { "pre-commit": "claude -p review" }\n'),
    (".huskyrc.js", 'module.exports = { hooks: { "pre-commit": "claude -p review" } }\n'),
    (".overcommit.yml", 'PreCommit:\n  Review:\n    enabled: true\n'
                        '    command: ["claude", "-p", "review"]\n'),
    (".overcommit.yml", "PrePush:\n  Review:\n    command: claude\n    flags: ['-p', 'x']\n"),
    ("x.code-workspace", '{"folders":[{"path":"."}],"tasks":{"version":"2.0.0","tasks":'
                         '[{"label":"a","type":"shell","command":"claude -p review",'
                         '"runOptions":{"runOn":"folderOpen"}}]}}'),
    (".zed/tasks.json", '[{"label":"review","command":"claude","args":["-p","review"]}]'),
    (".envrc", 'npx -y @anthropic-ai/claude-code -p "review"\n'),
    (".idx/dev.nix", '{pkgs, ...}: { idx.workspace.onCreate = '
                     '{ ai = "npx -y @anthropic-ai/claude-code -p hi"; }; }\n'),
    (".idx/dev.nix", "{pkgs, ...}: {\n  idx.workspace.onStart = {\n    review = ''\n"
                     "      claude -p 'review'\n    '';\n  };\n}\n"),
    (".idx/dev.nix", "{pkgs, ...}: { packages = [ pkgs.nodejs_20 pkgs.claude-code ]; }\n"),
    (".replit", 'run = "npx -y @anthropic-ai/claude-code -p hi"\n'),
    ("devenv.nix", "{ pkgs, ... }: {\n  enterShell = ''\n    claude -p 'review'\n  '';\n}\n"),
    ("devbox.json", '{"packages": ["nodejs@20", "claude-code@latest"]}'),
    ("devbox.json", '{"packages": {"claude-code": "latest"}}'),
    ("devbox.json", '{"shell": {"init_hook": ["echo hi", "claude -p review"]}}'),
    ("devbox.json", '{"shell": {"scripts": {"review": "npx -y @anthropic-ai/claude-code -p x"}}}'),
    (".replit", '[deployment]\nrun = ["claude", "-p", "hi"]\n'),
    (".replit", '[[workflows.workflow]]\nname = "x"\n[[workflows.workflow.tasks]]\n'
                'task = "shell.exec"\nargs = "claude -p review"\n'),
])
def test_what_developer_tools_run_is_found(path: str, text: str) -> None:
    assert "AIC301" in _found(path, text), path


@pytest.mark.parametrize(("path", "text"), [
    ("tools/git-hooks/pre-commit", "#!/bin/sh\nnpx lint-staged\n# claude -p review\n"),
    ("lint-staged.config.js",
     '// runs before claude reviews\nexport default { "*.js": "eslint" }\n'),
    (".overcommit.yml", "PreCommit:\n  RuboCop:\n    command: ['bundle', 'exec', 'rubocop']\n"
                        "    description: 'not claude -p'\n"),
    ("x.code-workspace", '{"folders":[{"path":"."}],"settings":{"claude.enabled":true},'
                         '"tasks":{"tasks":[{"label":"b","command":"echo claude -p"}]}}'),
    (".zed/tasks.json", '[{"label":"claude -p review","command":"make","args":["test"]}]'),
    (".envrc", "use flake\nexport CLAUDE_CODE_USE_BEDROCK=0\n"),
    (".idx/dev.nix", '{pkgs, ...}: { packages = [ pkgs.nodejs_20 ];\n'
                     '  # onCreate: "claude -p review" (not yet)\n'
                     '  idx.workspace.onCreate.install = "npm ci"; }\n'),
    (".replit", 'run = "npm start"\nentrypoint = "claude -p notes.md"\n'),
    ("devbox.json", '{"packages": ["nodejs@20"], "shell": {"init_hook": ["echo claude -p"],'
                    ' "scripts": {"claude": "make review"}}, "description": "claude -p"}'),
    ("docs/pre-commit.md", "Run `claude -p review` in your pre-commit hook.\n"),
])
def test_what_developer_tools_only_mention_stays_clean(path: str, text: str) -> None:
    assert _found(path, text) == set(), path


def test_hook_names_share_the_final_anchor_pass() -> None:
    """Names without a '.' end the path: they are searched for from the NUL after it, in
    the one pass such names share, not from their '-' in a pass of their own."""
    assert glob_anchor("**/pre-commit") == ("final", "pre-commit")
    assert glob_anchor("**/pre_commit") == ("final", "pre_commit")
    assert glob_anchor("**/.git-hooks/*") == ("name", ".git-hooks")


@pytest.mark.parametrize("unit", ["''$", "'' ", '"\\', "# x\n", "pkgs.a "])
def test_nix_costs_time_linear_in_the_file(unit: str) -> None:
    """Four times the file costs at most about four times the time (a ratio of sizes)."""
    def cost(text: str) -> float:
        return best_seconds(lambda: devtools.nix_facts(text, lambda _: False))
    small = cost("x = " + unit * 4000)
    large = cost("x = " + unit * 16000)
    assert large / max(small, 1e-4) < 10, unit
