"""Names as well as addresses: an assistant product's or model's name where a person's goes
(detect/names.py), judged from the catalog's [names] table, and end to end through the
policy's block_confidence on a real repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ai_clearance.catalog.rules import Names, build_catalog, load_catalog
from ai_clearance.detect.detect import findings_for_identity, findings_for_message
from ai_clearance.detect.names import (
    MAX_NAME,
    machine_address,
    model_assistants,
    name_assistants,
    name_words,
    product_assistants,
    value_assistants,
)
from ai_clearance.errors import ConfigError
from ai_clearance.model import Identity
from conftest import Repo, clock, run_cli

NAMES = load_catalog().names


@pytest.mark.parametrize(("name", "expected"), [
    ("claude-sonnet-4", ("claude",)),
    ("claude 3.5 sonnet", ("claude",)),
    ("gpt-4-turbo", ("codex",)),
    ("gpt 4 turbo", ("codex",)),
    ("gpt-5-codex", ("codex",)),
    ("gpt4o", ("codex",)),
    ("gemini-2.5-pro-exp-03-25", ("gemini",)),
    ("llama 3.1 70b", ("generic",)),  # a size reads as a version
    ("llama 3.1", ("generic",)),
    ("claude", ()),  # a family word alone is no model (it is a product: see below)
    ("claude dubois", ()),
    ("claude dubois 3rd", ()),
    ("claude 3rd", ()),
    ("phi nguyen", ()),
    ("max sonnet", ()),
    ("claude42", ()),  # a login's digits are no version
    ("gemma92", ()),
    ("claude3.5", ("claude",)),
])
def test_a_model_is_a_family_word_then_versions_and_model_words(
        name: str, expected: tuple[str, ...]) -> None:
    assert model_assistants(NAMES, name_words(name)) == expected


@pytest.mark.parametrize(("email", "machine"), [
    ("", True),
    ("noreply@example.com", True),
    ("no-reply@example.com", True),
    ("ai.bot@example.com", True),
    ("12345+claude@users.noreply.github.com", True),  # the login is the name
    ("claude@users.noreply.github.com", True),
    ("12345+someapp[bot]@users.noreply.github.com", True),
    ("claude@example.com", False),  # a mailbox of its own: a person's
    ("claude.dubois@example.fr", False),
    ("12345+claude-dubois@users.noreply.github.com", False),
    ("%6eoreply@example.com", True),  # an escape undone
])
def test_a_machine_mailbox_is_made_of_machine_words_or_the_name(email: str,
                                                                machine: bool) -> None:
    assert machine_address(NAMES, email, ["claude"]) is machine


def test_a_product_counts_only_with_no_person_behind_it() -> None:
    assert name_assistants(NAMES, "claude", "") == ("claude",)
    assert name_assistants(NAMES, "github copilot", "noreply@github.com") == ("copilot",)
    assert name_assistants(NAMES, "claude", "claude@dubois.fr") == ()
    # A model's name is nobody's, whatever the address.
    assert name_assistants(NAMES, "gemini 2.5 pro", "jane@example.com") == ("gemini",)


@pytest.mark.parametrize(("name", "email", "expected"), [
    # A family word that is a given name, then a word that is a surname and a model word:
    # a person with a mailbox of their own; the same name with no person behind it is not.
    ("claude small", "claude.small@orange.fr", ()),
    ("gemma low", "gemma.low@gmail.com", ()),
    ("kimi max", "kimi.max@gmail.com", ()),
    ("gemma large", "gemma.large@btinternet.com", ()),
    ("claude 1987", "claude1987@gmail.com", ()),
    ("gpt4o", "gpt4o@gmail.com", ()),  # login-shaped
    ("claude42", "claude42@gmail.com", ()),
    ("gemma low", "", ("generic",)),
    ("gemini pro", "noreply@example.com", ("gemini",)),
    ("gpt4o", "", ("codex",)),
    # A version or a second family word: no person is called that, whatever the address.
    ("claude sonnet 4", "jane@example.com", ("claude",)),
    ("claude sonnet", "jane@example.com", ("claude",)),
    ("gpt-4-turbo", "jane@example.com", ("codex",)),
    ("gemma-3-27b-it", "x@gmail.com", ("generic",)),
])
def test_a_model_made_of_common_words_needs_no_person_behind_it(
        name: str, email: str, expected: tuple[str, ...]) -> None:
    assert name_assistants(NAMES, name, email) == expected


def test_a_generic_name_takes_the_model_its_aside_names() -> None:
    """As in rails/rails history: `Co-authored-by: AI (Pi/GPT-5.5) <noreply@pi.dev>`."""
    assert name_assistants(NAMES, "ai (pi/gpt-5.5)", "noreply@pi.dev") == ("codex",)
    assert name_assistants(NAMES, "ai (pi/claude opus 4.7)", "noreply@pi.dev") == ("claude",)
    assert name_assistants(NAMES, "ai (pi)", "noreply@pi.dev") == ("generic",)
    assert name_assistants(NAMES, "claude dubois (claude-3-opus)", "") == ()  # a person


def test_the_policy_ignores_an_address_it_lists() -> None:
    value = "copilot <noreply@example.com>"
    assert value_assistants(NAMES, value, frozenset()) == ("copilot",)
    assert value_assistants(NAMES, value, frozenset({"noreply@example.com"})) == ()
    message = "Fix\n\nCo-authored-by: Copilot <noreply@example.com>\n"
    assert findings_for_message(load_catalog(), message,
                                frozenset({"noreply@example.com"})) == []


def test_names_are_data_a_policy_catalog_can_extend() -> None:
    base = load_catalog()
    extended = build_catalog({"names": {"products": {"claude": ["house model"]},
                                        "models": {"codex": ["davinci"]}}},
                             "policy", base=base)
    assert extended.names.products["house model"] == ("claude",)
    assert extended.names.families["davinci"] == ("codex",)
    assert extended.names.products["claude"] == ("claude",)  # the base's kept
    with_site = build_catalog({"names": {"sites": {"claude": ["claude.internal.example"]}}},
                              "policy", base=base)
    assert product_assistants(with_site.names, "https://x.claude.internal.example/") == \
        ("claude",)
    assert product_assistants(with_site.names, "claude.ai") == ("claude",)  # the base's kept
    assert product_assistants(base.names, "claude.internal.example") == ()
    who = Identity("house model", "noreply@example.com")
    assert [f.rule for f in findings_for_identity(extended, who, "author")] == ["AIC510"]
    assert findings_for_identity(base, who, "author") == []


@pytest.mark.parametrize(("names", "says"), [
    ({"products": {"nobody": ["x"]}}, "unknown assistant 'nobody'"),
    ({"models": {"claude": ["two words"]}}, "lower-case words"),
    ({"products": {"claude": ["Claude"]}}, "lower-case words"),
    ({"model_words": "turbo"}, "must be a list of strings"),
    ({"colours": []}, "unknown key 'colours'"),
    ({"sites": {"claude": ["https://claude.ai"]}}, "lower-case host names"),
    ({"sites": {"claude": ["claude"]}}, "two labels or more"),
    ({"sites": {"claude": ["Claude.AI"]}}, "lower-case host names"),
    ({"sites": {"claude": ["a." * 130 + "ai"]}}, "lower-case host names"),
    ({"sites": {"nobody": ["x.ai"]}}, "unknown assistant 'nobody'"),
])
def test_a_bad_names_table_is_refused_with_a_reason(names: object, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        build_catalog({"names": names}, "policy", base=load_catalog())


@pytest.mark.parametrize(("rule", "says"), [
    ({"confidence": "certain"}, "confidence must be one of low, medium, high"),
    ({"names": True, "kind": "instructions", "paths": ["x"]}, "'names' is only for trailer"),
])
def test_a_bad_rule_field_is_refused_with_a_reason(rule: dict[str, object], says: str) -> None:
    data = {"id": "ORG001", "assistants": ["claude"], "kind": "trailer", "severity": "block",
            "description": "d", "keys": ["x-tool"], "pattern": "."} | rule
    with pytest.raises(ConfigError, match=says):
        build_catalog({"rules": [data]}, "policy", base=load_catalog())


def _cost(value: str, repeats: int) -> float:
    start = clock()
    for _ in range(repeats):
        value_assistants(NAMES, value, frozenset())
    return clock() - start


def test_hostile_values_cost_linear_time() -> None:
    """Long values full of name words, dashes and addresses: ten times the text costs about
    ten times the time (a ratio of two sizes, never an absolute bound)."""
    unit = "claude-sonnet-4-gpt-4 <a-b@x> ((( [[[ "
    small, large = unit * 200, unit * 2000
    _cost(small, 3)  # warm up
    ratio = min(_cost(large, 3) for _ in range(3)) / min(_cost(small, 30) for _ in range(3))
    assert ratio < 3  # 10x the text over 10x the repeats: about 1, quadratic would be 10
    assert name_words("claude " * MAX_NAME) == []  # too long to be a name


@pytest.mark.parametrize(("text", "assistants"), [
    ("claude.ai", ("claude",)), ("Claude.AI", ("claude",)),
    ("https://www.claude.ai/new", ("claude",)), ("see https://claude.ai", ("claude",)),
    ("chatgpt.com", ("codex",)), ("gemini.google.com", ("gemini",)), ("cursor.com", ("cursor",)),
    ("chat.openai.com", ("codex",)), ("CodeWhisperer", ("amazon-q",)), ("grok.com", ("generic",)),
    ("example.com", ()), ("claude.dubois", ()), ("Claude Monet", ()), ("claude@example.com", ()),
    ("mailto://claude.ai", ()), ("claude..ai", ()), ("x.claude-.ai", ()),
    ("devin.ai", ("devin",)), ("https://docs.claude.com/x", ("claude",)),
    ("https://user@claude.ai:443/", ("claude",)), ("claude.ai.", ("claude",)),
    ("jules.google", ("jules",)), ("https://jules.google.com", ("jules",)),
    ("Anthropic", ("claude",)), ("OpenAI", ("codex",)), ("openai.com", ("codex",)),
    # A host counts only as an assistant's own site or one under it, never by a label:
    # a person's site (Claude Dupont's), an example, a local name, a vendor's shared site.
    ("claude.dupont.fr", ()), ("claude.example.com", ()), ("http://claude.localhost", ()),
    ("https://claude.ai.evil.example", ()), ("notclaude.ai", ()), ("devin.smith.io", ()),
    ("cursor.example.org", ()), ("google.com", ()), ("mail.google.com", ()),
    ("github.com", ()), ("Google", ()), ("Cognition", ()), ("Amazon", ()),
])
def test_a_product_is_known_by_its_name_or_its_site(text: str,
                                                     assistants: tuple[str, ...]) -> None:
    assert product_assistants(NAMES, text) == assistants


def test_reading_hosts_costs_linear_time() -> None:
    """Many host-shaped words, none a product's: ten times the text, about ten times the
    time."""
    unit = "www." + "a." * 20 + "b-c.dev https://x.y/z.ai "

    def cost(value: str, repeats: int) -> float:
        start = clock()
        for _ in range(repeats):
            product_assistants(NAMES, value)
        return clock() - start

    small, large = unit * 100, unit * 1000
    cost(small, 3)
    ratio = min(cost(large, 3) for _ in range(3)) / min(cost(small, 30) for _ in range(3))
    assert ratio < 3


def test_a_name_in_prose_or_under_another_key_is_no_trace() -> None:
    catalog = load_catalog()
    for message in ("Use gpt-4-turbo for summaries\n\nclaude-sonnet-4 was slower.\n",
                    "Fix\n\nSee-also: Claude\n",
                    "Fix\n\nCo-authored-by: Claude Monet\n"):
        assert findings_for_message(catalog, message) == []


def _check(repo: Repo, *args: str) -> tuple[int, dict[str, object]]:
    result = run_cli("check", "--range", "HEAD~1..HEAD", "--format", "json", *args,
                     cwd=repo.path)
    return result.returncode, json.loads(result.stdout)


def test_a_name_blocks_by_default_and_warns_below_the_policys_confidence(
        clean_repo: Repo, tmp_path: Path) -> None:
    clean_repo.commit("Fix parser\n\nCo-authored-by: Claude\n", allow_empty=True)
    code, report = _check(clean_repo)
    findings = report["findings"]
    assert isinstance(findings, list)
    assert code == 1 and [(f["rule"], f["confidence"], f["status"]) for f in findings] == \
        [("AIC452", "medium", "fail")]
    policy = tmp_path / "policy.toml"
    policy.write_text('block_confidence = "high"\n', encoding="utf-8")
    code, report = _check(clean_repo, "--config", str(policy))
    findings = report["findings"]
    assert isinstance(findings, list)
    assert code == 0 and [(f["rule"], f["confidence"], f["status"]) for f in findings] == \
        [("AIC452", "medium", "warn")]
    policy.write_text('block_confidence = "certain"\n', encoding="utf-8")
    refused = run_cli("check", "--range", "HEAD~1..HEAD", "--config", str(policy),
                      cwd=clean_repo.path)
    assert refused.returncode == 2 and "block_confidence" in refused.stderr
    assert "Traceback" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1


def test_an_author_named_as_a_model_is_found_and_a_person_named_claude_is_not(
        clean_repo: Repo) -> None:
    clean_repo.commit("Fix parser", allow_empty=True,
                      author=("claude-sonnet-4", "bot@example.com"))
    code, report = _check(clean_repo)
    findings = report["findings"]
    assert code == 1 and isinstance(findings, list) and [f["rule"] for f in findings] == \
        ["AIC510"]
    clean_repo.commit("Fix parser again", allow_empty=True,
                      author=("Claude Dubois", "claude.dubois@example.fr"),
                      committer=("Claude Dubois", "claude.dubois@example.fr"))
    code, report = _check(clean_repo)
    assert code == 0 and report["findings"] == []


def test_people_named_like_model_words_pass_end_to_end(clean_repo: Repo) -> None:
    """Authors and a co-author whose given name is a family word and surname a model word,
    with their own mailboxes: no finding; a model with a version as author still is."""
    for author in (("Claude Small", "claude.small@orange.fr"),
                   ("Gemma Low", "gemma.low@gmail.com"), ("claude42", "claude42@gmail.com")):
        clean_repo.commit("Fix typo", allow_empty=True, author=author, committer=author)
        code, report = _check(clean_repo)
        assert (code, report["findings"]) == (0, []), author
    clean_repo.commit("Pair\n\nCo-authored-by: Gemma Low <gemma.low@gmail.com>\n",
                      allow_empty=True)
    code, report = _check(clean_repo)
    assert (code, report["findings"]) == (0, [])
    clean_repo.commit("Fix", allow_empty=True, author=("Gemma 3 27b", "gemma.low@gmail.com"))
    code, report = _check(clean_repo)
    findings = report["findings"]
    assert code == 1 and isinstance(findings, list) and [f["rule"] for f in findings] == \
        ["AIC510"]


def test_names_default_is_empty() -> None:
    assert Names().products == {} and not Names().model_words


def test_a_product_with_its_own_catalog_entry_is_that_assistant_not_generic() -> None:
    """Qwen Code has rules of its own: its name is Qwen Code's trace, while the bare family
    name (a model anyone can run) stays the generic assistant's."""
    def named(line: str) -> set[tuple[str, ...]]:
        return {f.assistants for f in findings_for_message(load_catalog(), f"Fix\n\n{line}\n")}
    assert named("Co-authored-by: Qwen Code <noreply@qwen.ai>") == {("qwen",)}
    assert named("Co-authored-by: qwen code") == {("qwen",)}
    assert named("Co-authored-by: Qwen <noreply@qwen.ai>") == {("generic",)}


def test_a_long_host_costs_linear_time() -> None:
    """One host-shaped token of a single-letter label after another, longer than any host:
    it is cut at a host name's longest, so ten times the token costs about what its
    casefolding does, not a lookup per label."""
    def cost(labels: int, repeats: int) -> float:
        value = "a." * labels + "ai"
        start = clock()
        for _ in range(repeats):
            assert product_assistants(NAMES, value) == ()
        return clock() - start

    cost(2000, 3)
    ratio = min(cost(200_000, 3) for _ in range(3)) / min(cost(20_000, 30) for _ in range(3))
    assert ratio < 3
    assert product_assistants(NAMES, "x." * 120 + "claude.ai") == ("claude",)  # 249 long
    assert product_assistants(NAMES, "x." * 130 + "claude.ai") == ()  # longer than a host
