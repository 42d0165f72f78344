"""Policy: restricted and allowed assistants, severities, excludes, identities, own rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_clearance.catalog.rules import load_catalog
from ai_clearance.clearance.decide import decide, verdict
from ai_clearance.clearance.policy import (
    Policy,
    default_policy,
    load_policy,
    policy_from_text,
    policy_from_texts,
)
from ai_clearance.errors import ConfigError
from ai_clearance.model import Decision, Finding


def _decide(findings: list[Finding], policy: Policy) -> list[Decision]:
    return decide(findings, policy).decisions


def _policy(text: str):  # type: ignore[no-untyped-def]
    policy = policy_from_text(text, ".ai-clearance.toml", load_catalog(), pyproject=False)
    assert policy is not None
    return policy


def _finding(rule: str, assistants: tuple[str, ...], severity: str = "block",
             path: str | None = None) -> Finding:
    return Finding(rule=rule, assistants=assistants, kind="instructions", severity=severity,
                   evidence="e", path=path)


def test_default_restricts_everything() -> None:
    decisions = _decide([_finding("AIC101", ("claude",))], default_policy(load_catalog()))
    assert [d.status for d in decisions] == ["fail"]
    assert verdict(decisions) == "fail"


def test_allowed_assistant_passes_and_shared_file_needs_only_one() -> None:
    policy = _policy('allowed = ["copilot"]\n')
    decisions = _decide([_finding("AIC107", ("copilot",)), _finding("AIC101", ("claude",)),
                        _finding("AIC103", ("codex", "copilot"))], policy)
    assert [d.status for d in decisions] == ["allowed", "fail", "allowed"]


def test_only_listed_assistants_are_restricted() -> None:
    policy = _policy('restricted = ["claude", "codex"]\n')
    decisions = _decide([_finding("AIC101", ("claude",)), _finding("AIC110", ("gemini",))],
                       policy)
    assert [d.status for d in decisions] == ["fail", "allowed"]


def test_severity_override_and_off() -> None:
    policy = _policy('[severity]\nAIC101 = "warn"\nAIC110 = "off"\n')
    decisions = _decide([_finding("AIC101", ("claude",)), _finding("AIC110", ("gemini",))],
                       policy)
    assert [(d.status, d.finding.severity) for d in decisions] == [("warn", "warn")]
    assert verdict(decisions) == "pass"


def test_excluded_paths() -> None:
    policy = _policy('exclude_paths = ["tests/fixtures/**"]\n')
    decisions = _decide([_finding("AIC101", ("claude",), path="tests/fixtures/CLAUDE.md"),
                        _finding("AIC101", ("claude",), path="CLAUDE.md")], policy)
    assert [d.finding.path for d in decisions] == ["CLAUDE.md"]


def test_own_rules_extend_the_catalog() -> None:
    policy = _policy(
        '[[rules]]\nid = "ORG001"\nassistants = ["claude"]\nkind = "instructions"\n'
        'severity = "block"\ndescription = "Our prompt folder"\npaths = ["prompts/**"]\n')
    assert "ORG001" in policy.catalog.by_id
    assert "ORG001" not in load_catalog().by_id


@pytest.mark.parametrize(("text", "message"), [
    ("restricted = [\n", "invalid TOML"),
    ("colour = 1\n", "unknown key 'colour'"),
    ('allowed = ["chatgpt-desktop"]\n', "unknown assistant"),
    ('allowed = ["*"]\n', "cannot be"),
    ('[severity]\nAIC999 = "warn"\n', "unknown rule"),
    ('[severity]\nAIC101 = "fatal"\n', "must be one of"),
    ('block_confidence = "sure"\n', "'block_confidence' must be one of low, medium, high"),
    ('[names.products]\nnobody = ["x"]\n', "unknown assistant 'nobody'"),
    ('[[rules]]\nid = "ORG001"\nassistants=["claude"]\nkind="marker"\n'
     'severity="block"\ndescription="d"\npattern="x"\nconfidence="maybe"\n', "confidence"),
    ('exclude_paths = "tests"\n', "list of globs"),
    ('ignore_identities = ["not an address"]\n', "e-mail"),
    ('[[rules]]\nid = "AIC101"\nassistants=["claude"]\nkind="instructions"\n'
     'severity="block"\ndescription="d"\npaths=["x"]\n', "already used"),
    ('[[rules]]\nid = "ORG001"\nassistants=["claude"]\nkind="marker"\n'
     'severity="block"\ndescription="d"\npattern="(?<!x)y"\n', "look-around"),
    ('mode = "require"\n', "'mode' must be one of forbid, approve, disclose"),
    ('mode = 1\n', "'mode' must be one of"),
    ('disclosure_keys = "Assisted-by"\n', "'disclosure_keys' must be a non-empty list"),
    ('disclosure_keys = []\n', "'disclosure_keys' must be a non-empty list"),
    ('disclosure_keys = ["Assisted by"]\n', "'disclosure_keys' must be a non-empty list"),
])
def test_broken_policy_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        _policy(text)
    assert ".ai-clearance.toml" in str(info.value)
    assert "\n" not in str(info.value).strip()


def test_pyproject_table_and_conflict(tmp_path: Path) -> None:
    catalog = load_catalog()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.ai-clearance]\nallowed = ["copilot"]\n', "utf-8")
    assert load_policy(catalog, str(tmp_path)).allowed == {"copilot"}
    (tmp_path / ".ai-clearance.toml").write_text('allowed = ["cursor"]\n', "utf-8")
    with pytest.raises(ConfigError, match="both define"):
        load_policy(catalog, str(tmp_path))


def test_pyproject_without_table_means_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")
    policy = load_policy(load_catalog(), str(tmp_path))
    assert policy.origin == "defaults"


def test_a_pyproject_that_does_not_parse_is_judged_only_if_it_may_hold_the_policy() -> None:
    catalog = load_catalog()
    # Not ours: a build file's syntax error must not stop every check.
    broken = '[project]\nname = "x"\nversion =\n'
    assert policy_from_texts(catalog, None, broken, "HEAD").origin == "defaults"
    for spelling in ("[tool.ai-clearance]\nrestricted = [\n", '[tool."ai-clearance"]\nx =\n',
                     "[tool]\nai-clearance = { restricted = [ }\n",
                     "tool.ai-clearance.restricted = [\n"):
        with pytest.raises(ConfigError, match=r"pyproject\.toml at HEAD: invalid TOML"):
            policy_from_texts(catalog, None, spelling, "HEAD")


@pytest.mark.parametrize(("path", "excluded"), [
    ("tests/fixtures/CLAUDE.md", True),
    ("tests/fixtures/deep/.claude/settings.json", True),
    ("tests/fixtures/a\nb/CLAUDE.md", True),            # a newline is a byte like any other
    ("Tests/fixtures/CLAUDE.md", False),               # exact case
    ("tests/FIXTURES/CLAUDE.md", False),
    ("tests/fixture\u0301s/CLAUDE.md", False),         # a combining mark
    ("te\u0301sts/fixtures/CLAUDE.md", False),
    ("t\u0435sts/fixtures/CLAUDE.md", False),          # Cyrillic small ie
    ("tests/fixtur\u0435s/CLAUDE.md", False),
    ("\u0442ests/fixtures/CLAUDE.md", False),          # Cyrillic small te
    ("tests/\uff46ixtures/CLAUDE.md", False),          # full-width f
    ("tests\uff0ffixtures/CLAUDE.md", False),          # full-width slash
    ("tests\u200b/fixtures/CLAUDE.md", False),         # zero-width space
    ("tests/fixtures\n/CLAUDE.md", False),
])
def test_exclude_paths_match_the_raw_path_case_sensitively(path: str, excluded: bool) -> None:
    """An excluded folder is the one the policy names, byte for byte: detection sees
    through a look-alike, the exclusion does not."""
    policy = _policy('exclude_paths = ["tests/fixtures/**"]\n')
    decisions = _decide([_finding("AIC101", ("claude",), path=path)], policy)
    assert (decisions == []) is excluded


def test_excluded_precomposed_folder_does_not_cover_its_decomposed_twin() -> None:
    policy = _policy('exclude_paths = ["docs/caf\u00e9/**"]\n')
    assert _decide([_finding("AIC101", ("claude",), path="docs/caf\u00e9/CLAUDE.md")],
                  policy) == []
    assert _decide([_finding("AIC101", ("claude",), path="docs/cafe\u0301/CLAUDE.md")], policy)


def test_mode_and_disclosure_keys() -> None:
    default = _policy("")
    assert default.mode == "forbid"
    assert default.disclosure_keys == ("assisted-by", "generated-by", "co-authored-by-ai")
    policy = _policy('mode = "disclose"\ndisclosure_keys = ["Assisted-by", "ASSISTED-BY", '
                     '"Generated-By"]\n')
    assert policy.mode == "disclose"
    assert policy.disclosure_keys == ("assisted-by", "generated-by")
    assert _policy('mode = "approve"\n').mode == "approve"


def test_block_confidence_and_own_names_and_confidences() -> None:
    assert default_policy(load_catalog()).block_confidence == "medium"
    policy = _policy(
        'block_confidence = "high"\n'
        '[names.products]\nclaude = ["house bot"]\n'
        '[[rules]]\nid = "ORG001"\nassistants = ["claude"]\nkind = "marker"\n'
        'severity = "block"\nconfidence = "medium"\ndescription = "Our footer"\n'
        'pattern = "made by house bot"\n')
    assert policy.block_confidence == "high"
    assert policy.catalog.by_id["ORG001"].confidence == "medium"
    assert policy.catalog.names.products["house bot"] == ("claude",)
    assert "house bot" not in load_catalog().names.products
    decided = _decide([_finding("ORG001", ("claude",)), _finding("AIC101", ("claude",))],
                      policy)
    assert [d.status for d in decided] == ["warn", "fail"]
