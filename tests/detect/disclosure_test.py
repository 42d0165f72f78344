"""Disclosure trailers read exactly: the vocabularies real projects require, and what is no
agent's declaration (people, disguised keys, the subject, quotations)."""

from __future__ import annotations

import pytest

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.detect.detect import findings_for_message
from ai_clearance.detect.disclosure import (
    DISCLOSURE_LIMIT,
    disclosing,
    generic_families,
    parse_disclosures,
    parse_value,
)
from conftest import best_seconds, clock

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
    # A product by its site or web address (the [names] products table), a vendor's name.
    "a product's site": ("Assisted-by: claude.ai", ("claude.ai", None, (), ("claude",))),
    "a product's site, kernel form": ("Assisted-by: Claude.ai:claude-opus-4",
                                      ("Claude.ai", "claude-opus-4", (), ("claude",))),
    "a product's web address": ("Assisted-by: https://claude.ai/new",
                                ("https://claude.ai/new", None, (), ("claude",))),
    "a site under the vendor's": ("Generated-by: gemini.google.com",
                                  ("gemini.google.com", None, (), ("gemini",))),
    "the vendor's site": ("Assisted-by: chat.openai.com",
                          ("chat.openai.com", None, (), ("codex",))),
    "a product's own domain": ("Assisted-by: devin.ai", ("devin.ai", None, (), ("devin",))),
    "a subdomain of it": ("Assisted-by: app.devin.ai", ("app.devin.ai", None, (), ("devin",))),
    "a top-level domain of the vendor's": ("Assisted-by: jules.google",
                                           ("jules.google", None, (), ("jules",))),
    "chatgpt.com": ("Assisted-by: chatgpt.com", ("chatgpt.com", None, (), ("codex",))),
    "cursor.com": ("Assisted-by: cursor.com", ("cursor.com", None, (), ("cursor",))),
    "a former product name": ("Assisted-by: CodeWhisperer",
                              ("CodeWhisperer", None, (), ("amazon-q",))),
    "a product name in two words": ("Assisted-by: Chat GPT", ("Chat GPT", None, (), ("codex",))),
    "a vendor": ("Assisted-by: Anthropic", ("Anthropic", None, (), ("claude",))),
    "a vendor's domain": ("Assisted-by: anthropic.com", ("anthropic.com", None, (), ("claude",))),
    # OpenAI makes one catalog assistant: Codex's entry covers ChatGPT and the GPT models.
    "a vendor of one catalog assistant": ("Assisted-by: OpenAI",
                                          ("OpenAI", None, (), ("codex",))),
    "a site under the assistant's own": ("Assisted-by: https://docs.claude.com",
                                         ("https://docs.claude.com", None, (), ("claude",))),
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
    "a site no product has": "Fix\n\nAssisted-by: example.ai\n",
    "a person named like a product": "Fix\n\nAssisted-by: Claude Monet\n",
    "a person's login": "Fix\n\nAssisted-by: claude.dubois\n",
    "a person named Jules": "Fix\n\nAssisted-by: Jules Verne\n",
    "a person named Devin": "Fix\n\nAssisted-by: Devin Booker\n",
    "a vendor of several assistants": "Fix\n\nAssisted-by: Google\n",
    "a vendor of several assistants, Devin's and Windsurf's": "Fix\n\nAssisted-by: Cognition\n",
    "a vendor of several assistants, Q's and Kiro's": "Fix\n\nAssisted-by: Amazon\n",
    "a person's own site named like a product": "Fix\n\nAssisted-by: claude.dupont.fr\n",
    "an example host named like a product": "Fix\n\nAssisted-by: claude.example.com\n",
    "a local host named like a product": "Fix\n\nAssisted-by: http://claude.localhost\n",
    "a product's site as a label of another": "Fix\n\nAssisted-by: claude.ai.example.net\n",
    "a vendor's shared site": "Fix\n\nAssisted-by: https://google.com\n",
    "a product's host in a scheme that is no web address": "Fix\n\nAssisted-by: ftp://claude.ai\n",
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
    start = clock()
    found = parse_disclosures(CATALOG, message)
    elapsed = clock() - start
    # The first DISCLOSURE_LIMIT are read (each maps its agent through every assistant's
    # pattern); the rest cost only the reading of their lines.
    assert [d.agent for d in found] == [f"Agent{i}" for i in range(DISCLOSURE_LIMIT)]
    return elapsed


def test_parsing_is_linear_in_the_message_and_reads_a_bounded_number_of_trailers() -> None:
    small = min(_parse_time(1000) for _ in range(3))
    large = min(_parse_time(10000) for _ in range(3))
    assert large / small < 30  # ten times the input: linear, with room for noise


def test_a_generic_trace_that_names_a_model_family_needs_a_disclosure_naming_it() -> None:
    # `Co-authored-by: Grok` is the generic assistant's (no catalog entry of its own), but
    # it names who: `Assisted-by: GitHub Copilot` does not disclose it; Grok's does.
    copilot, grok, generic, copilot_grok = parse_disclosures(
        CATALOG, "Fix\n\nAssisted-by: GitHub Copilot\nAssisted-by: Grok:grok-4\n"
        "Assisted-by: AI\nAssisted-by: Copilot (Grok Code Fast 1)\n")
    cases = {
        "Co-authored-by: Grok": {"grok"},
        "Co-authored-by: DeepSeek-V3.2 <api-service@deepseek.com>": {"deepseek"},
        "Co-authored-by: Qwen <noreply@qwen.ai>": {"qwen"},
        "Co-authored-by: qwen2.5-coder": {"qwen"},
    }
    for line, families in cases.items():
        finding = next(f for f in findings_for_message(CATALOG, f"Fix\n\n{line}\n")
                       if f.rule == "AIC452")
        assert finding.assistants == ("generic",), line
        named = generic_families(CATALOG, finding.evidence)
        assert named == families, line
        for other in (copilot, generic):
            assert disclosing([other], finding.assistants, finding.evidence, named) is None
        expected = grok if "grok" in families else None
        assert disclosing([copilot, grok], finding.assistants, finding.evidence,
                          named) is expected
    assert grok.families == {"grok"} and copilot_grok.families == {"grok"}
    assert copilot.families == frozenset() and generic.families == frozenset()
    # A disclosure naming the model through another product (Copilot running Grok) names it.
    assert disclosing([copilot_grok], ["generic"], "Co-authored-by: Grok", {"grok"}) \
        is copilot_grok


def test_a_generic_trace_naming_no_family_is_disclosed_by_any_agent() -> None:
    # `Co-authored-by: AI assistant` says some agent helped; the commit says which one.
    claude, generic = parse_disclosures(
        CATALOG, "Fix\n\nAssisted-by: Claude:claude-opus-4\nAssisted-by: AI\n")
    for text in ("Co-authored-by: AI assistant", "AGENTS.md", "Co-authored-by: LLM"):
        assert generic_families(CATALOG, text) == frozenset(), text
        assert disclosing([claude], ["generic"], text) is claude
        assert disclosing([generic], ["generic"], text) is generic
    # ...but a generic disclosure never answers a catalog assistant's trace.
    assert disclosing([generic], ["claude"], "CLAUDE.md") is None
    assert disclosing([generic], ["cursor", "claude"], ".cursorrules") is None


def test_family_words_inside_other_words_and_peoples_names_name_no_model() -> None:
    # Precision: letters runs must be the family word whole (Philip is no `phi`, Grokking
    # no `grok`), and a trace of a catalog assistant keeps its own rule.
    for text in ("Co-authored-by: Philip Grokker <philip@example.com>",
                 "Co-authored-by: Claude Dubois <claude@example.com>",
                 "Reviewed-by: Gemmaline <g@example.com>"):
        assert generic_families(CATALOG, text) == frozenset(), text


def test_generic_families_is_linear() -> None:
    # Time for 8n against time for n: linear stays near 8, quadratic would be near 64.
    small, large = "grok deepseek-v3 x " * 500, "grok deepseek-v3 x " * 4000
    assert generic_families(CATALOG, large) == {"grok", "deepseek"}

    def timed(text: str) -> float:
        return best_seconds(lambda: [generic_families(CATALOG, text) for _ in range(5)])

    took = [timed(small), timed(large)]
    assert took[1] / max(took[0], 1e-6) < 24


def test_a_generic_disclosure_or_a_persons_name_discloses_no_product() -> None:
    """In disclose mode `Assisted-by: AI` is some agent's, not Claude's; a person named
    Claude discloses nothing; the product's own site does disclose it."""
    trace = "Co-authored-by: Claude <noreply@anthropic.com>"
    for line, wanted in (("Assisted-by: AI", False), ("Assisted-by: Claude Monet", False),
                         ("Assisted-by: claude.ai", True), ("Assisted-by: Anthropic API", True),
                         ("Assisted-by: claude.dupont.fr", False),
                         ("Assisted-by: claude.example.com", False),
                         ("Assisted-by: http://claude.localhost", False)):
        message = f"Fix\n\n{trace}\n{line}\n"
        disclosures = parse_disclosures(CATALOG, message)
        coauthor = [f for f in findings_for_message(CATALOG, message) if "claude" in f.assistants
                    and trace in f.evidence]
        assert coauthor, line
        assert all((disclosing(disclosures, f.assistants) is not None) == wanted
                   for f in coauthor), line

