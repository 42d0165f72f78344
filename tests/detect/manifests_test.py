"""Package manifests and the files that pin what they install: pnpm's catalogs and
overrides, npm's overrides, yarn's resolutions and packageExtensions."""

from __future__ import annotations

import pytest

from ai_clearance.catalog.rules import Rule, load_catalog
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.manifests import pnpm_workspace_facts
from ai_clearance.detect.workflows import MAX_BYTES, content_matches
from ai_clearance.model import PathChange
from conftest import best_seconds


def _rules(path: str) -> dict[str, Rule]:
    _, candidates = PathMatcher(load_catalog()).match(PathChange(path, "0" * 40, "100644"))
    return {c.rule.id: c.rule for c in candidates}


def _matches(path: str, text: str) -> dict[str, tuple[int, str]]:
    return content_matches(_rules(path), text.encode().split(b"\n"), [path])


@pytest.mark.parametrize(("path", "text", "found"), [
    ("pnpm-workspace.yaml", "packages:\n  - .\ncatalog:\n  reviewer: npm:@openai/codex@^0.50.0\n",
     True),
    ("pnpm-workspace.yaml",
     "catalogs:\n  tools:\n    reviewer: 'npm:@anthropic-ai/claude-code@^1'\n", True),
    ("pnpm-workspace.yaml", "overrides:\n  left-pad: npm:@google/gemini-cli@1\n", True),
    ("pnpm-workspace.yaml", "catalog:\n  x: github:openai/codex\n", True),
    ("packages/web/pnpm-workspace.yml", "packageExtensions:\n  left-pad@*:\n"
     "    dependencies:\n      '@openai/codex': '*'\n", True),
    (".yarnrc.yml", "packageExtensions:\n  'left-pad@*':\n    peerDependencies:\n"
     "      '@anthropic-ai/claude-code': '*'\n", True),
    # precision: an agent's name as a catalog key, a version, a comment or another key
    ("pnpm-workspace.yaml", "packages:\n  - apps/claude\ncatalog:\n  claude: ^1\n"
     "  react: ^18  # codex later\n  x: workspace:*\n  y: catalog:tools\n", False),
    ("pnpm-workspace.yaml", "onlyBuiltDependencies:\n  - npm:@openai/codex\n", False),
    (".yarnrc.yml", "nodeLinker: node-modules\nnpmScopes:\n  openai: {npmRegistryServer: x}\n",
     False),
    ("package.json", '{"devDependencies":{"left-pad":"^1"},'
     '"overrides":{"left-pad":"npm:@openai/codex@^0.50.0"}}', True),
    ("package.json", '{"overrides":{"react":{"left-pad":"npm:@openai/codex@1"}}}', True),
    ("package.json", '{"resolutions":{"**/left-pad":"npm:@anthropic-ai/claude-code@1"}}', True),
    ("package.json", '{"pnpm":{"overrides":{"left-pad":"npm:@google/gemini-cli"}}}', True),
    ("package.json", '{"pnpm":{"packageExtensions":{"left-pad":'
     '{"dependencies":{"@openai/codex":"*"}}}}}', True),
    ("package.json", '{"resolutions":{"left-pad":"https://github.com/openai/codex"}}', True),
    ("package.json", '{"overrides":{"@openai/codex-docs":"1.0.0", "claude":"$claude",'
     ' "x": "npm:left-pad@1"}, "resolutions": {"y": "file:./codex", "z": "portal:./claude"}}',
     False),
])
def test_what_pins_or_aliases_a_package_is_read(path: str, text: str, found: bool) -> None:
    assert bool(_matches(path, text)) == found, _matches(path, text)


def test_a_pnpm_workspace_reports_the_line_of_the_alias() -> None:
    found = _matches("pnpm-workspace.yaml",
                     "packages:\n  - .\ncatalogs:\n  a:\n    r: npm:@openai/codex@1\n")
    assert {line for line, _ in found.values()} == {5}
    assert all("npm:@openai/codex" in evidence for _, evidence in found.values())


def _seconds(path: str, data: bytes) -> float:
    rules = _rules(path)
    return best_seconds(lambda: content_matches(rules, data.split(b"\n"), [path]))


@pytest.mark.parametrize(("path", "head", "unit"), [
    ("pnpm-workspace.yaml", "catalog:\n", "  a{}: npm:x@1\n"),
    ("pnpm-workspace.yaml", "a: &a {x: npm:y, y: {z: w}}\ncatalogs:\n", "  k{}: *a\n"),
    ("package.json", '{"overrides": {', '"a": {"b": "npm:c@1"},'),
])
def test_pinning_tables_take_time_linear_in_their_size(path: str, head: str, unit: str,
                                                       ) -> None:
    """Four times the input costs at most about four times the time (a ratio)."""
    times = []
    for count in (2_000, 8_000):
        data = (head + "".join(unit.replace("{}", str(i)) for i in range(count))).encode()
        assert len(data) < MAX_BYTES
        times.append(_seconds(path, data))
    assert times[1] / max(times[0], 1e-3) < 10, times


def test_aliases_that_multiply_are_judged_by_lines_not_walked() -> None:
    """Each alias level uses the last nine times: walked in full, 9**8 tables; the walk
    stops at a budget of the file's size, and the file is judged line by line."""
    levels = ["a0: &a0 {x: npm:y}"] + [
        f"a{i}: &a{i} {{{', '.join(f'k{j}: *a{i - 1}' for j in range(9))}}}"
        for i in range(1, 9)]
    text = "\n".join(levels) + "\ncatalogs:\n  t: *a8\n"
    assert pnpm_workspace_facts(text.encode()) is None
    assert _matches("pnpm-workspace.yaml", text) == {}
