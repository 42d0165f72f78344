"""Disclosure trailers read exactly: the vocabularies real projects require, and what is no
agent's declaration (people, disguised keys, the subject, quotations)."""

from __future__ import annotations

import time

import pytest

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.detect.detect import findings_for_message
from ai_clearance.detect.disclosure import (
    DISCLOSURE_LIMIT,
    disclosing,
    parse_disclosures,
    parse_value,
)

CATALOG = load_catalog()

# (trailer line, (agent, model, tools, assistants)) for each vocabulary.
DECLARED = {
    "kernel": ("Assisted-by: Claude:claude-3-opus coccinelle sparse",
               ("Claude", "claude-3-opus", ("coccinelle", "sparse"), ("claude",))),
    "kernel, tools in brackets": ("Assisted-by: Claude:claude-opus-4 [sparse] [smatch]",
                                  ("Claude", "claude-opus-4", ("sparse", "smatch"),
                                   ("claude",))),
    "kernel, unknown agent": ("Assisted-by: FooBot:foo-1",
                              ("FooBot", "foo-1", (), ("generic",))),
    "kernel, unknown agent of a known vendor's model": (
        "Assisted-by: MyTool:gpt-4o", ("MyTool", "gpt-4o", (), ("generic",))),
    "the disclosure hook's own": ("Assisted-by: claude", ("claude", None, (), ("claude",))),
    "LLVM free form": ("Assisted-by: Claude Code", ("Claude Code", None, (), ("claude",))),
    "Fedora generic": ("Assisted-by: generic LLM chatbot",
                       ("generic LLM chatbot", None, (), ("generic",))),
    "OpenStack tool and model": ("Generated-By: claude-code claude-opus-4",
                                 ("claude-code", "claude-opus-4", (), ("claude",))),
    "OpenStack tool alone": ("Assisted-By: OpenAI ChatGPT",
                             ("OpenAI ChatGPT", None, (), ("codex",))),
    "OpenStack model alone": ("Assisted-By: deepseek-r1",
                              ("deepseek-r1", None, (), ("generic",))),
    "ASF": ("Generated-by: ChatGPT", ("ChatGPT", None, (), ("codex",))),
    "OpenLiberty": ("Co-authored-by-AI: GitHub Copilot (GPT-4.1)",
                    ("GitHub Copilot", "GPT-4.1", (), ("copilot",))),
    "OpenLiberty, another vendor's model": ("Co-authored-by-AI: Cursor (claude-4.5-sonnet)",
                                            ("Cursor", "claude-4.5-sonnet", (), ("cursor",))),
    "an agent's own address": ("Assisted-by: Claude <noreply@anthropic.com>",
                               ("Claude", None, (), ("claude",))),
    "key in another case": ("ASSISTED-BY: Gemini CLI", ("Gemini CLI", None, (), ("gemini",))),
}

# Messages that declare no agent.
UNDECLARED = {
    "a person with an address": "Fix\n\nAssisted-by: Jane Doe <jane@example.com>\n",
    "a person named Claude": "Fix\n\nAssisted-by: Claude <claude.dubois@example.fr>\n",
    "a person named Claude, no address": "Fix\n\nAssisted-by: Claude Dubois\n",
    "a person without an address": "Fix\n\nAssisted-by: John Smith\n",
    "not an accepted key": "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    "a key that only looks like one": "Fix\n\nAssisted_by: Claude:claude-opus-4\n",
    "a fullwidth key": "Fix\n\nＡｓｓｉｓｔｅｄ-by: Claude:claude-opus-4\n",
    "the subject": "Assisted-by: Claude:claude-opus-4\n",
    "inside a line": "Fix\n\nWe tried Assisted-by: Claude:claude-opus-4 once.\n",
    "quoted": "Fix\n\n> Assisted-by: Claude:claude-opus-4\n",
    "in a code fence": "Fix\n\n```\nAssisted-by: Claude:claude-opus-4\n```\n",
    "empty value": "Fix\n\nAssisted-by:\n",
    "a link": "Fix\n\nAssisted-by: https://example.com/policy\n",
}


@pytest.mark.parametrize("line, expected", DECLARED.values(), ids=DECLARED.keys())
def test_each_vocabulary_is_read_into_agent_model_and_tools(
        line: str, expected: tuple[str, str | None, tuple[str, ...], tuple[str, ...]]) -> None:
    found = parse_disclosures(CATALOG, f"Fix the parser\n\nBody.\n\n{line}\n")
    assert [(d.agent, d.model, d.tools, d.assistants) for d in found] == [expected]
    assert found[0].line == 5
    # What the report shows: the key as written and the parsed agent and model.
    described = found[0].describe()
    assert described.startswith(line.split(":", maxsplit=1)[0] + ": ")
    assert f"agent {expected[0]}" in described
    assert (f"model {expected[1]}" in described) == (expected[1] is not None)


@pytest.mark.parametrize("message", UNDECLARED.values(), ids=UNDECLARED.keys())
def test_what_declares_no_agent(message: str) -> None:
    assert parse_disclosures(CATALOG, message) == []


def test_every_disclosure_is_a_trace_the_message_rules_find_on_its_line() -> None:
    # Detection and declaration agree: what declares an agent is also a finding, and the
    # disclosure answers that finding (in `disclose` mode it passes it).
    for line, _ in DECLARED.values():
        message = f"Fix\n\n{line}\n"
        findings = findings_for_message(CATALOG, message)
        assert findings, line
        declared = parse_disclosures(CATALOG, message)[0]
        for finding in findings:
            assert disclosing([declared], finding.assistants, finding.evidence) is declared


def test_accepted_keys_are_the_policys() -> None:
    message = "Fix\n\nGenerated-by: ChatGPT\nAssisted-by: Claude:claude-opus-4\n"
    assert [d.agent for d in parse_disclosures(CATALOG, message, ["assisted-by"])] == ["Claude"]
    assert [d.agent for d in parse_disclosures(CATALOG, message)] == ["ChatGPT", "Claude"]


def test_disclosing_matches_the_assistant_the_generic_one_or_the_line_itself() -> None:
    claude, generic = parse_disclosures(
        CATALOG, "Fix\n\nAssisted-by: Claude:claude-opus-4\nAssisted-by: FooBot:foo-1\n")
    assert disclosing([claude, generic], ["claude"]) is claude
    assert disclosing([claude], ["codex"]) is None
    assert disclosing([generic], ["codex"]) is None
    assert disclosing([generic], ["generic"]) is generic  # a trace that names no product
    assert disclosing([generic], ["codex"], generic.evidence) is generic


def test_parse_value_forms() -> None:
    assert parse_value("Claude:claude-3-opus coccinelle") == ("Claude", "claude-3-opus",
                                                                ("coccinelle",))
    assert parse_value("GitHub  Copilot (GPT-4.1)") == ("GitHub Copilot", "GPT-4.1", ())
    assert parse_value("Aider 0.85") == ("Aider", "0.85", ())
    assert parse_value("Claude Code") == ("Claude Code", None, ())
    assert parse_value("https://example.com/x") == ("https://example.com/x", None, ())


def _parse_time(n: int) -> float:
    message = "Fix\n\n" + "".join(f"Assisted-by: Agent{i}:model-{i} sparse\n" for i in range(n))
    message += "Assisted-by: " + ":" * n + "(" * n + "\n"
    start = time.perf_counter()
    found = parse_disclosures(CATALOG, message)
    elapsed = time.perf_counter() - start
    # The first DISCLOSURE_LIMIT are read (each maps its agent through every assistant's
    # pattern); the rest cost only the reading of their lines.
    assert [d.agent for d in found] == [f"Agent{i}" for i in range(DISCLOSURE_LIMIT)]
    return elapsed


def test_parsing_is_linear_in_the_message_and_reads_a_bounded_number_of_trailers() -> None:
    small = min(_parse_time(1000) for _ in range(3))
    large = min(_parse_time(10000) for _ in range(3))
    assert large / small < 30  # ten times the input: linear, with room for noise
