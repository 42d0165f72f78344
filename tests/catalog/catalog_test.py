"""The shipped catalog: complete, valid, and every rule exercised by a detection case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ai_clearance.catalog.rules import build_catalog, glob_anchor, load_catalog, parse_toml
from ai_clearance.detect.detect import PathMatcher
from ai_clearance.errors import ConfigError

REQUIRED_ASSISTANTS = {
    "claude", "codex", "copilot", "cursor", "gemini", "jules", "aider", "openhands", "devin",
    "continue", "crush", "amp", "windsurf", "cline", "roo", "kilo", "amazon-q", "kiro", "junie",
    "jetbrains-ai", "zed", "goose", "opencode", "augment", "tabnine", "qodo", "sweep", "trae",
    "warp", "factory", "qwen", "replit", "specstory", "coderabbit",
}
CASES_FILE = Path(__file__).parent.parent / "detect" / "detect_cases.toml"
CASES = parse_toml(CASES_FILE.read_text("utf-8"), "cases")


def test_every_required_assistant_is_in_the_catalog() -> None:
    assert set(load_catalog().assistants) >= REQUIRED_ASSISTANTS


def test_every_rule_has_a_positive_case() -> None:
    covered = {case["rule"] for table in CASES.values() for case in table if case["rule"]}
    missing = {r.id for r in load_catalog().rules} - covered
    assert not missing, f"rules without a detection case: {sorted(missing)}"


def test_every_rule_below_high_confidence_has_a_trap() -> None:
    """A rule that matches names, not addresses, is where precision is lost: each has a
    false-positive trap (`trap = RULE` on a case that must find nothing)."""
    catalog = load_catalog()
    traps = {case["trap"] for table in CASES.values() for case in table if "trap" in case}
    assert traps <= set(catalog.by_id), f"traps of unknown rules: {traps - set(catalog.by_id)}"
    assert all(not case["rule"] for table in CASES.values() for case in table
               if "trap" in case), "a trap expects no finding"
    weaker = {r.id for r in catalog.rules if r.confidence != "high"}
    assert {"AIC452", "AIC451", "AIC510", "AIC511"} <= weaker
    assert not weaker - traps, f"rules below high confidence without a trap: {weaker - traps}"


def test_every_rule_names_its_source_and_remedy() -> None:
    for rule in load_catalog().rules:
        assert rule.source, rule.id
        assert rule.remedy, rule.id
        assert rule.description, rule.id


def test_ids_are_unique_and_stable_format() -> None:
    ids = [r.id for r in load_catalog().rules]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("AIC") and len(i) == 6 for i in ids)


def test_leaks_have_the_highest_severity_and_branches_warn() -> None:
    for rule in load_catalog().rules:
        if rule.kind == "leak":
            assert rule.severity == "leak", rule.id
        if rule.kind == "branch":
            assert rule.severity == "warn", rule.id


def test_shared_files_name_many_assistants() -> None:
    catalog = load_catalog()
    assert len(catalog.by_id["AIC103"].assistants) > 10  # AGENTS.md
    assert len(catalog.by_id["AIC105"].assistants) > 5  # .mcp.json


def _minimal(rule: str) -> dict[str, object]:
    return parse_toml(
        "version = 1\n[kinds]\ninstructions = 'paths'\ncontent = 'content'\n[remedies]\n"
        "[assistants.x]\ntitle = 'X'\n" + rule, "test.toml")


@pytest.mark.parametrize(("rule", "message"), [
    ("[[rules]]\nid = 'AIC1'\nassistants=['x']\nkind='instructions'\nseverity='block'\n"
     "description='d'\npaths=['a']\n", "must look like"),
    ("[[rules]]\nid = 'AIC100'\nassistants=['y']\nkind='instructions'\nseverity='block'\n"
     "description='d'\npaths=['a']\n", "unknown assistant"),
    ("[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='instructions'\nseverity='fatal'\n"
     "description='d'\npaths=['a']\n", "severity must be"),
    ("[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='instructions'\nseverity='block'\n"
     "description='d'\n", "needs 'paths'"),
    ("[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='content'\nseverity='block'\n"
     "description='d'\npaths=['a']\npattern='(unclosed'\n", "does not compile"),
    ("[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='content'\nseverity='block'\n"
     "description='d'\npaths=['a']\npattern='(a+)\\1'\n", "back-references"),
    ("[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='instructions'\nseverity='block'\n"
     "description='d'\npaths=['a']\ncolour='red'\n", "unknown key"),
    ("[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='instructions'\nseverity='block'\n"
     "description='d'\npaths=['a/**b']\n", "whole path component"),
    ("[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='content'\nseverity='block'\n"
     "description='d'\npaths=['a']\neditor_extensions=['']\n", "empty or unprintable"),
    ("[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='content'\nseverity='block'\n"
     "description='d'\npaths=['a']\ndevcontainer_features='claude-code'\n", "list of strings"),
    ("[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='instructions'\nseverity='block'\n"
     "description='d'\npaths=['a']\neditor_extensions=['a.b']\n", "only for 'content'"),
])
def test_bad_rules_are_refused_with_a_reason(rule: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_catalog(_minimal(rule), "test.toml")


def test_json_catalog_is_the_toml_catalog() -> None:
    """catalog.json (what the hooks load) is generated from catalog.toml, byte for byte;
    regenerate it with `python -m ai_clearance.catalog` after an edit."""
    from ai_clearance.catalog.rules import CATALOG_JSON, CATALOG_TOML, json_catalog_text

    with open(CATALOG_JSON, encoding="utf-8", newline="") as handle:
        assert handle.read() == json_catalog_text()
    with open(CATALOG_TOML, encoding="utf-8") as handle:
        toml_data = parse_toml(handle.read(), "catalog.toml")
    with open(CATALOG_JSON, encoding="utf-8") as handle:
        json_data = json.load(handle)
    # The TOML names its long path lists once; the JSON has every rule's list written out.
    assert "path_lists" in toml_data and "path_lists" not in json_data
    assert {k: v for k, v in toml_data.items() if k not in ("rules", "path_lists")} == \
        {k: v for k, v in json_data.items() if k != "rules"}
    written = [g for r in json_data["rules"] for k in ("paths", "exact_paths", "not_paths")
               for g in r.get(k, [])]
    assert written and not [g for g in written if g.startswith(("@", "!"))]
    ci_files = load_catalog().by_id["AIC301"].path_globs
    assert len(ci_files) > 300 and ci_files == tuple(json_data["rules"][
        [r["id"] for r in json_data["rules"]].index("AIC301")]["paths"])


_LISTS = ("[path_lists]\nci = ['a/*.yml', '@tools', 'b.sh']\ntools = ['go.mod', 'Brewfile']\n"
          "[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='instructions'\nseverity='block'\n"
          "description='d'\n")


@pytest.mark.parametrize(("paths", "written"), [
    ("['@ci']", ("a/*.yml", "go.mod", "Brewfile", "b.sh")),
    ("['first', '@tools', 'last']", ("first", "go.mod", "Brewfile", "last")),
    ("['@ci', '!b.sh']", ("a/*.yml", "go.mod", "Brewfile")),
    ("['@ci', '!@tools', 'c']", ("a/*.yml", "b.sh", "c")),
])
def test_a_path_list_is_written_out_in_order(paths: str, written: tuple[str, ...]) -> None:
    catalog = build_catalog(_minimal(_LISTS + f"paths = {paths}\n"), "test.toml")
    assert catalog.by_id["AIC100"].path_globs == written


@pytest.mark.parametrize(("lists", "paths", "message"), [
    ("", "['@cl_files']", "rule AIC100: 'paths' names unknown path list '@cl_files'"),
    ("", "['!@cl_files']", "unknown path list '@cl_files'"),
    ("", "['@ci', '!c.sh']", "'paths' drops 'c.sh', which is not in it"),
    ("", "['!a/*.yml', '@ci']", "drops 'a/\\*.yml'"),
    ("loop = ['x', '@loop']\n", "['@loop']", "path list '@loop' contains itself"),
    ("Bad-Name = ['x']\n", "['a']", "names are lower-case"),
    ("bad = 'x'\n", "['a']", "'bad' must be a list of strings"),
])
def test_a_bad_path_list_is_a_catalog_error(lists: str, paths: str, message: str) -> None:
    text = _LISTS.replace("[path_lists]\n", "[path_lists]\n" + lists)
    with pytest.raises(ConfigError, match=message):
        build_catalog(_minimal(text + f"paths = {paths}\n"), "test.toml")


def test_path_lists_are_the_shipped_catalogs_only() -> None:
    """A repository's own rules (read with the shipped catalog as base) keep every glob as
    written: a path list there is not expanded."""
    own = {"id": "ORG100", "assistants": ["claude"], "kind": "instructions",
           "severity": "block", "description": "d", "paths": ["@ci"]}
    rule = build_catalog({"rules": [own]}, "policy", base=load_catalog()).by_id["ORG100"]
    assert rule.path_globs == ("@ci",)


def test_every_shipped_pattern_compiles_and_is_safe() -> None:
    """The shipped catalog compiles its regexes lazily; this compiles and checks them all."""
    from ai_clearance.catalog.rules import CATALOG_TOML

    with open(CATALOG_TOML, encoding="utf-8") as handle:
        catalog = build_catalog(parse_toml(handle.read(), "catalog.toml"), "catalog.toml")
    assert len(catalog.rules) == len(load_catalog().rules)


def test_every_path_rule_has_a_cheap_anchor() -> None:
    """Rules without an anchor are evaluated for every path; the shipped ones all have one."""
    assert [r.id for r in load_catalog().rules if r.paths is not None and r.anchors is None] == []


@pytest.mark.parametrize(("glob", "anchor"), [
    ("**/codex_message/**/*.jsonl", ("suffix", ".jsonl")),  # the one with a '.' wins
    ("**/.github/workflows/*.yml", ("name", ".github")),
    ("**/.vscode/mcp.json", ("name", ".vscode")),
    ("**/notes/**", ("name", "notes")),                      # none has one: the first
    ("**/Prompts/*-ai", ("name", "prompts")),
    ("**/.clinerules-*", ("prefix", ".clinerules-")),
    ("**/Dockerfile", ("final", "dockerfile")),              # ends the path, no key byte
    ("**/Dockerfile.*", ("prefix", "dockerfile.")),
    ("**/*.Dockerfile", ("suffix", ".dockerfile")),
    ("**/.github/**/*.sh", ("name", ".github")),
    ("**/my-agent", ("final", "my-agent")),                  # ends the path: final
    ("**/agent/**", ("name", "agent")),                      # not the path's end
])
def test_anchors_prefer_the_key_byte_the_scan_already_searches(
        glob: str, anchor: tuple[str, str] | None) -> None:
    assert glob_anchor(glob) == anchor


def test_the_shipped_catalog_scans_a_listing_in_two_passes() -> None:
    """Every shipped anchor but the final names has a '.', so the path prefilter is one
    search over git's output keyed on '.' (another key byte would cost a pass over every
    byte of it: 0.07 s on 1M paths, 0.5 s for a letter), and one keyed on the NUL after
    each path for `Dockerfile` and `Containerfile` (0.1 s)."""
    region_filter = PathMatcher(load_catalog()).region_filter()
    assert region_filter is not None and region_filter.passes == 2


def test_exact_paths_keep_the_case_and_see_through_disguise() -> None:
    """`exact_paths` match with the name's case (after normalization); `paths` in any case."""
    from ai_clearance.model import PathChange

    catalog = build_catalog(_minimal(
        "[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='instructions'\nseverity='block'\n"
        "description='d'\npaths=['TEAM.md']\nexact_paths=['**/TEAM.md']\n"), "test.toml")
    matcher = PathMatcher(catalog)
    expected = {"TEAM.md": True, "team.md": True, "a/TEAM.md": True, "a/team.md": False,
                "a/Team.md": False, "a/ＴＥＡＭ.md": True, "a/T\u0415AM.md": True,
                "a/TE\u200bAM.md": True, "a/TEAM.MD": False}
    for path, hit in expected.items():
        findings, _ = matcher.match(PathChange(path, "0" * 40, "100644"))
        assert bool(findings) is hit, path


def test_a_rule_of_extensions_alone_judges_a_devcontainer() -> None:
    """devcontainer_features and editor_extensions are enough for a content rule: a new
    assistant's extension is a data change."""
    from ai_clearance.detect.workflows import content_matches

    catalog = build_catalog(_minimal(
        "[[rules]]\nid = 'AIC100'\nassistants=['x']\nkind='content'\nseverity='block'\n"
        "description='d'\npaths=['**/devcontainer.json']\n"
        "editor_extensions=['Vendor.Agent']\ndevcontainer_features=['x-agent']\n"), "t.toml")
    rules = {"AIC100": catalog.by_id["AIC100"]}
    path = [".devcontainer/devcontainer.json"]
    hit = b'{"customizations": {"vscode": {"extensions": ["vendor.agent"]}}}'
    feature = b'{"features": {"ghcr.io/o/f/x-agent:2": {}}}'
    miss = b'{"customizations": {"vscode": {"extensions": ["vendor.agent-docs"]}}}'
    assert content_matches(rules, [hit], path)["AIC100"][0] == 1
    assert "AIC100" in content_matches(rules, [feature], path)
    assert content_matches(rules, [miss], path) == {}
