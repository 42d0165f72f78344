"""What is remembered across the versions of a file in a history (script commands and
context-free substitutions of workflows, env assignments, installer lines, recipe lines,
what a file names) gives exactly what a fresh reading gives, and stays bounded."""

from __future__ import annotations

import random

import pytest

from ai_clearance.catalog.rules import Rule, load_catalog
from ai_clearance.detect import carried, expressions, workflows
from ai_clearance.detect import reach as detect_reach
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.detect.reach import named_paths
from ai_clearance.model import PathChange
from ai_clearance.source import reach

_STEPS = [
    "      - run: npm ci\n",
    "      - run: npx @anthropic-ai/claude-code -p review\n",
    "      - run: ${{ matrix.tool }} --yes\n",
    "      - run: |\n          make test\n          $AGENT -p fix\n",
    "      - uses: actions/checkout@v4\n",
    "      - uses: anthropics/claude-code-action@v1\n",
    "      - run: echo ${{ env.AGENT }} && aider --yes\n",
    "      - run: pip install openai-codex\n",
    "      - shell: python\n        run: import os; os.system('codex exec x')\n",
    "      - run: ${{ inputs.tool == 'x' && 'claude' || 'make' }} -p go\n",
]


def _edited_workflows(count: int) -> list[bytes]:
    """Versions of a workflow, each an edit of the last: a step added, removed or moved,
    the env or the matrix changed."""
    rng = random.Random(11)
    steps = list(_STEPS[:4])
    env = ["AGENT: claude"]
    tools = ["claude", "codex"]
    versions = []
    for _ in range(count):
        edit = rng.randrange(5)
        if edit == 0:
            steps.insert(rng.randrange(len(steps) + 1), rng.choice(_STEPS))
        elif edit == 1 and len(steps) > 1:
            steps.pop(rng.randrange(len(steps)))
        elif edit == 2:
            env = [rng.choice(["AGENT: claude", "AGENT: make", "AGENT: gemini"])]
        elif edit == 3:
            tools = rng.sample(["claude", "codex", "aider", "make"], rng.randrange(1, 4))
        else:
            steps.append(f"      - run: echo {rng.randrange(100)}\n")
        versions.append((
            "on:\n  workflow_dispatch:\n    inputs:\n      tool: {default: x}\n"
            f"env:\n  {env[0]}\njobs:\n  a:\n    strategy:\n      matrix:\n"
            f"        tool: [{', '.join(tools)}]\n    steps:\n" + "".join(steps)
            + "  b:\n    steps:\n" + "".join(reversed(steps))).encode())
    return versions


def _rules(path: str) -> dict[str, Rule]:
    _, candidates = PathMatcher(load_catalog()).match(PathChange(path, "0" * 40, "100644"))
    return {c.rule.id: c.rule for c in candidates}


def _forget() -> None:
    workflows._SCRIPTS.clear()
    expressions._PLAIN.clear()


def test_workflow_versions_read_with_memory_give_what_fresh_readings_do() -> None:
    versions = _edited_workflows(120)
    rules = _rules(".github/workflows/ci.yml")
    remembered = [(workflows.workflow_facts(v),
                   workflows.content_matches(rules, v.split(b"\n"), [".github/workflows/ci.yml"]))
                  for v in versions]
    fresh = []
    for v in versions:
        _forget()
        fresh.append((workflows.workflow_facts(v), workflows.content_matches(
            rules, v.split(b"\n"), [".github/workflows/ci.yml"])))
    assert remembered == fresh
    assert sum(bool(matched) for _, matched in fresh) > 10  # the agents are found
    assert sum(not matched for _, matched in fresh) > 0 or len(fresh) == 120


def test_script_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    _forget()
    monkeypatch.setattr(workflows._SCRIPTS, "limit", 20000)
    monkeypatch.setattr(expressions._PLAIN, "limit", 20000)
    for n in range(40):
        workflows.workflow_facts(f"jobs:\n  a:\n    steps:\n      - run: |\n"
                                 f"          echo ${{{{ github.sha }}}} {n}\n".encode()
                                 + b"          claude -p x\n" * 200)
    assert 0 < workflows._SCRIPTS.size <= 20000
    assert 0 < expressions._PLAIN.size <= 20000


def _edited_texts(count: int) -> list[str]:
    """Versions of a large Makefile-like script: lines added, removed, joined."""
    rng = random.Random(5)
    lines = [f"V{i} = value{i}" if i % 3 else "" for i in range(900)]
    lines += ["\tnpm install -g $(cat tools.txt)", "\tcd tools && ./review.sh",
              "build:", "\tdocker build -f ci/Dockerfile .", 'export AGENT="claude"']
    versions = []
    for n in range(count):
        at = rng.randrange(len(lines) + 1)
        choice = rng.randrange(4)
        if choice == 0:
            lines.insert(at, f"X{n} = 'v{n}'")
        elif choice == 1 and lines:
            lines.pop(min(at, len(lines) - 1))
        elif choice == 2:
            lines.insert(at, "")
        else:
            lines.insert(at, rng.choice(["\tpip install -r req.txt", "\t./x.sh",
                                         "done < list.txt", "A=b make review"]))
        versions.append("\n".join(lines))
    return versions


def test_env_assignments_by_paragraphs_give_what_a_whole_reading_does() -> None:
    for text in _edited_texts(150):
        assert carried._assignments(text) == carried._assigned(text)
        assert len(text) >= carried._WHOLE


def test_names_by_paragraphs_and_lines_give_what_a_fresh_reading_does() -> None:
    for text in _edited_texts(60):
        detect_reach._RUNS.clear()
        detect_reach._INSTALLS.clear()
        fresh = named_paths("Makefile", text.encode())
        again = named_paths("Makefile", text.encode())
        shared = reach.names_and_env("Makefile", text.encode(), (), "make")
        assert fresh == again == shared[0]
        assert shared[1] == (reach._env_of(text.encode(), "make") if fresh else ())
        assert any(n.path == "tools/review.sh" for n in fresh)


def test_remembered_lines_and_paragraphs_stay_bounded(monkeypatch: pytest.MonkeyPatch,
                                                      ) -> None:
    monkeypatch.setattr(carried._ASSIGNMENTS, "limit", 20000)
    monkeypatch.setattr(detect_reach._INSTALLS, "limit", 20000)
    monkeypatch.setattr(detect_reach._RUNS, "limit", 20000)
    for n in range(30):
        text = f"# {n}\n" + "\n\n".join(f"V{n}_{i} = x\n\tnpm i -g a" for i in range(200))
        carried.given_env(text)
        named_paths("Makefile", text.encode())
        reach.names_and_env("Makefile", text.encode())
    assert 0 < carried._ASSIGNMENTS.size <= 20000 + len(text)
    assert 0 < detect_reach._INSTALLS.size <= 20000 + len(text)
    assert 0 < detect_reach._RUNS.size <= 20000 + len(text)
    assert 0 < len(reach._NAMES.known) <= reach._NAMES_KEPT
