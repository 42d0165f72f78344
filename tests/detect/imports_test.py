"""What code depends on by its own text: PEP 723 inline metadata and imports
(detect/imports.py), judged as a dependency on the package wherever code is read."""

from __future__ import annotations

import pytest

from ai_clearance.catalog.rules import Rule, load_catalog
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.imports import code_dependency_facts, inline_metadata_facts
from ai_clearance.detect.workflows import content_matches
from ai_clearance.model import PathChange
from conftest import clock

_SDK = "import anyio\nfrom claude_agent_sdk import query\n"
_API = "import anthropic\nclient = anthropic.Anthropic()\n"


def _rules() -> dict[str, Rule]:
    change = PathChange(".github/workflows/ci.yml", "0" * 40, "100644")
    _, candidates = PathMatcher(load_catalog()).match(change)
    return {c.rule.id: c.rule for c in candidates}


def _found(path: str, text: str) -> dict[str, tuple[int, str]]:
    return content_matches(_rules(), text.encode().split(b"\n"), [path])


def _block(*lines: str) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in ("/// script", *lines, "///"))


@pytest.mark.parametrize(("path", "text"), [
    # PEP 723: the block `uv run` / `pipx run` install before running the script.
    ("tools/review.py", _block('dependencies = ["claude-agent-sdk", "anyio"]') + "print(1)\n"),
    ("tools/review.py", "#!/usr/bin/env -S uv run --script\n" + _block(
        'requires-python = ">=3.11"', "dependencies = [", '  "anyio",',
        '  "Claude_Code_SDK>=0.0.20",', "]") + "print(1)\n"),
    ("tools/review.py", _block("dependencies = ['aider-chat[browser]==0.86']")),
    # a block that is not TOML is still read, each literal a requirement
    ("tools/review.py", _block('dependencies = ["claude-agent-sdk",,,')),
    ("tools/review.py", "# /// script\r\n# dependencies = ['pr-agent']\r\n# ///\r\n"),
    # Imports of an agent SDK the catalog lists, in Python and in JavaScript or TypeScript.
    ("tools/review.py", _SDK),
    ("tools/review.py", "import os, claude_code_sdk\n"),
    ("tools/review.py", "import importlib\nsdk = importlib.import_module('claude_agent_sdk')\n"),
    ("tools/review.py", "sdk = __import__(\"claude_agent_sdk.types\")\n"),
    ("tools/review.mjs", 'import { Codex } from "@openai/codex-sdk";\n'),
    ("tools/review.ts", "import {query} from '@anthropic-ai/claude-agent-sdk/sdk.mjs'\n"),
    ("tools/review.cjs", "const { Codex } = require('@openai/codex-sdk')\n"),
    ("tools/review.js", "const m = await import(`@openai/codex-sdk`)\n"),
    ("tools/review.ts", 'import { Codex } from "npm:@openai/codex-sdk@0.50";\n'),
])
def test_an_agent_a_script_depends_on_is_found(path: str, text: str) -> None:
    assert _found(path, text), text


@pytest.mark.parametrize(("path", "text"), [
    # API clients are no agents; an agent's name elsewhere in code is no dependency.
    ("tools/review.py", _API),
    ("tools/review.py", _block('dependencies = ["anthropic>=0.40", "openai"]')),
    ("tools/review.py", _block('requires-python = ">=3.11"', "[tool.uv]",
                               'exclude-newer = "2025-01-01"')),
    ("tools/review.py", "# dependencies = ['claude-agent-sdk']  (a comment, no block)\n"),
    ("tools/review.py", "from claude import names  # a module named after a human\n"),
    ("tools/review.py", "def claude_agent_sdk():\n    pass\n"),
    ("tools/review.py", "importlib.import_module('anthropic')\n"),
    ("tools/review.mjs",
     'import Anthropic from "@anthropic-ai/sdk";\nimport OpenAI from "openai";\n'),
    ("tools/review.mjs", 'import x from "./@openai/codex-sdk.js";\n'),
    ("tools/review.mjs", 'console.log("see @openai/codex-sdk docs");\n'),
    ("tools/review.mjs", 'import x from "@openai/codex-sdk-docs";\n'),
])
def test_api_clients_and_mentions_stay_clean(path: str, text: str) -> None:
    assert not _found(path, text), _found(path, text)


def test_the_line_of_a_requirement_is_its_line_in_the_file() -> None:
    text = "import sys\n" + _block("dependencies = [", '  "anyio",', '  "claude-agent-sdk",', "]")
    facts = inline_metadata_facts(text)
    assert [(f.subject, f.line) for f in facts if f.subject[1] == "claude-agent-sdk"] == \
        [(("pypi", "claude-agent-sdk"), 5)]
    found = _found("ci/r.py", text)
    assert [line for line, _ in found.values()] == [5], found


def test_the_language_decides_what_is_read() -> None:
    text = 'import { Codex } from "@openai/codex-sdk";\n'
    assert code_dependency_facts(text, "shell") == []
    assert [f.subject for f in code_dependency_facts(text, "slash")] == \
        [("npm", "@openai/codex-sdk")]


@pytest.mark.parametrize("unit", [
    "# /// script\n# dependencies = ['x']\n",  # blocks never closed
    "import a, b\n",
    "require('a/b');",
])
def test_reading_takes_time_linear_in_the_text(unit: str) -> None:
    small, large = unit * 2000, unit * 20000
    def read(text: str) -> float:
        start = clock()
        code_dependency_facts(text, "hash")
        code_dependency_facts(text, "slash")
        return clock() - start

    short, long = min(read(small) for _ in range(3)), read(large)
    assert long < short * 30, (short, long)
