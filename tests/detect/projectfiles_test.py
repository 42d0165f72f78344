"""Project and tool files read for what they install and run (detect/projectfiles.py):
Brewfile, docker-bake.hcl's inline Dockerfiles, moon's tasks, an Earthfile, mise's file
tasks, go.mod's `tool` directives."""

from __future__ import annotations

import pytest

from ai_clearance.catalog.rules import Rule, load_catalog
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.workflows import MAX_BYTES, content_matches
from ai_clearance.model import PathChange
from conftest import best_seconds


def _rules(path: str) -> dict[str, Rule]:
    _, candidates = PathMatcher(load_catalog()).match(PathChange(path, "0" * 40, "100644"))
    return {c.rule.id: c.rule for c in candidates}


def _matches(path: str, text: str) -> dict[str, tuple[int, str]]:
    return content_matches(_rules(path), text.encode().split(b"\n"), [path])


@pytest.mark.parametrize(("path", "text", "found"), [
    ("Brewfile", 'tap "homebrew/cask"\nbrew "node"\nbrew "codex"\n', True),
    ("tools/Brewfile", "cask 'claude-code'\n", True),
    ("Brewfile", 'npm "@openai/codex"\n', True),
    ("Brewfile", 'brew "node"\n# brew "codex" some day\nbrew "claude-docs-theme"\n'
     'vscode "claude.theme"\n', False),
    ("Earthfile", 'VERSION 0.8\nreview:\n    FROM node:20\n'
     '    RUN npx -y @anthropic-ai/claude-code -p "review"\n', True),
    ("Earthfile", "VERSION 0.8\nbuild:\n    FROM node:20\n    RUN echo claude -p\n", False),
    ("moon.yml", 'tasks:\n  review:\n    command: "claude -p review"\n', True),
    ("apps/web/moon.yml", "tasks:\n  r:\n    command: [codex, exec]\n    args: [review]\n",
     True),
    (".moon/tasks.yml", "tasks:\n  r:\n    script: 'cd x && npx -y @openai/codex exec r'\n",
     True),
    ("moon.yml", "language: typescript\ntasks:\n  build:\n    command: tsc\n"
     "    args: [--project, claude]\n    description: claude -p\n", False),
    ("docker-bake.hcl", 'target "review" {\n  dockerfile-inline = "FROM node:20\\n'
     'RUN npm i -g @anthropic-ai/claude-code"\n}\n', True),
    ("docker-bake.hcl", 'target "r" {\n  dockerfile-inline = <<EOT\nFROM node:20\n'
     "RUN npm i -g @openai/codex\nEOT\n}\n", True),
    ("docker-bake.hcl", 'target "app" {\n  dockerfile = "Dockerfile"\n'
     '  tags = ["claude:latest"]\n  args = { NOTE = "npm i -g @openai/codex" }\n}\n', False),
    (".mise/tasks/review", '#!/usr/bin/env bash\ncodex exec "review the diff"\n', True),
    (".mise-tasks/ci/review", "#!/bin/sh\nclaude -p review\n", True),
    (".config/mise/tasks/review", "#!/bin/sh\ncodex exec review\n", True),
    (".mise/tasks/docs", "#!/bin/sh\necho 'claude -p is documented in docs/'\n", False),
    ("go.mod", "module x\n\ngo 1.24\n\ntool github.com/charmbracelet/crush\n", True),
    ("tools/go.mod", "module x\n\ntool (\n\tgolang.org/x/tools/cmd/stringer\n"
     "\tgithub.com/charmbracelet/crush // the reviewer\n)\n", True),
    ("go.mod", "module github.com/acme/claude-tools\n\ngo 1.24\n\nrequire (\n"
     "\tgithub.com/anthropics/anthropic-sdk-go v1.0.0\n)\n\ntool golang.org/x/tools/cmd/stringer\n"
     "// tool github.com/charmbracelet/crush later\n", False),
])
def test_tool_files_that_install_or_run_an_agent(path: str, text: str, found: bool) -> None:
    assert bool(_matches(path, text)) == found, _matches(path, text)


def test_a_bake_file_reports_the_line_of_its_inline_run() -> None:
    found = _matches("docker-bake.hcl", 'group "x" {}\ntarget "r" {\n  dockerfile-inline = <<EOT\n'
                     "FROM node:20\nRUN npm i -g @openai/codex\nEOT\n}\n")
    assert {line for line, _ in found.values()} == {5}, found


@pytest.mark.parametrize(("path", "head", "unit"), [
    ("Brewfile", "", 'brew "a{}" # "b"\n'),
    ("docker-bake.hcl", "", 'target "t{}" {{ dockerfile-inline = "FROM x\\nRUN a \\"b\\"" }}\n'),
    ("docker-bake.hcl", "", "dockerfile-inline = <<EOT\n"),
    ("moon.yml", "tasks:\n", "  t{}: {{command: [claude, x], args: [-p]}}\n"),
    ("go.mod", "module x\ntool (\n", "\tgithub.com/a/b{} // tool (\n"),
])
def test_tool_files_take_time_linear_in_their_size(path: str, head: str, unit: str) -> None:
    rules = _rules(path)
    times = []
    for count in (1_000, 4_000):
        data = (head + "".join(unit.format(i) for i in range(count))).encode()
        assert len(data) < MAX_BYTES
        times.append(best_seconds(
            lambda data=data: content_matches(rules, data.split(b"\n"), [path])))
    assert times[1] / max(times[0], 1e-3) < 10, times
