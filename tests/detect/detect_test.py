"""Table-driven detection cases (tests/detect_cases.toml), per assistant, traps included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ai_clearance.catalog.rules import load_catalog, parse_toml
from ai_clearance.detect.attribution import (
    RecordError,
    Scope,
    checkpoint_findings,
    git_ai_findings,
    parse_agent_trace,
    trace_findings,
)
from ai_clearance.detect.detect import (
    PathMatcher,
    RegionFilter,
    findings_for_branch,
    findings_for_identity,
    findings_for_message,
    findings_for_pr_text,
    first_content_matches,
)
from ai_clearance.detect.normalize import normalize_path, normalize_text
from ai_clearance.detect.session import ProcessRecord, findings_for_session
from ai_clearance.detect.workflows import content_matches
from ai_clearance.git.commit_text import stored_messages
from ai_clearance.model import Finding, Identity, PathChange

CASES = parse_toml((Path(__file__).parent / "detect_cases.toml").read_text("utf-8"), "cases")


def _case_id(case: dict[str, Any]) -> str:
    subject = case.get("path") or case.get("name") or case.get("email") or \
        case.get("env") or case.get("processes") or case.get("text", "")
    return f"{case['rule'] or 'none'}:{str(subject)[:40]!r}"


def _check(case: dict[str, Any], findings: list[Finding]) -> None:
    rules = {f.rule for f in findings}
    if not case["rule"]:
        assert findings == [], f"false positive: {findings}"
        return
    assert case["rule"] in rules, f"expected {case['rule']}, got {findings}"
    hit = next(f for f in findings if f.rule == case["rule"])
    assert case["assistant"] in hit.assistants
    if "not_rule" in case:
        assert case["not_rule"] not in rules


@pytest.mark.parametrize("case", CASES["path"], ids=_case_id)
def test_path(case: dict[str, Any]) -> None:
    change = PathChange(case["path"], "0" * 40, case.get("mode", "100644"))
    findings, _ = PathMatcher(load_catalog()).match(change)
    _check(case, findings)


@pytest.mark.parametrize("case", CASES["message"], ids=_case_id)
def test_message(case: dict[str, Any]) -> None:
    _check(case, findings_for_message(load_catalog(), case["text"]))


@pytest.mark.parametrize("case", CASES["identity"], ids=_case_id)
def test_identity(case: dict[str, Any]) -> None:
    who = Identity(case["name"], case["email"])
    _check(case, findings_for_identity(load_catalog(), who, case["role"]))


@pytest.mark.parametrize("case", CASES["branch"], ids=_case_id)
def test_branch(case: dict[str, Any]) -> None:
    _check(case, findings_for_branch(load_catalog(), case["name"]))


@pytest.mark.parametrize("case", CASES["pr"], ids=_case_id)
def test_pull_request_text(case: dict[str, Any]) -> None:
    _check(case, findings_for_pr_text(load_catalog(), case["title"], case["body"]))


@pytest.mark.parametrize("case", CASES["session"], ids=_case_id)
def test_session(case: dict[str, Any]) -> None:
    ancestors = [ProcessRecord(pid, p[0], tuple(p[1:]))
                 for pid, p in enumerate(case.get("processes", []), start=100)]
    _check(case, findings_for_session(load_catalog(), case.get("env", {}), ancestors))


@pytest.mark.parametrize("case", CASES["attribution"], ids=_case_id)
def test_attribution(case: dict[str, Any]) -> None:
    _check(case, git_ai_findings(load_catalog(), case["ref"], case["text"]))


@pytest.mark.parametrize("case", CASES["trace"], ids=_case_id)
def test_agent_trace(case: dict[str, Any]) -> None:
    catalog = load_catalog()
    try:
        records = parse_agent_trace(case["text"])
    except RecordError as exc:
        unreadable = catalog.by_id["AIC903"]
        _check(case, [Finding(rule=unreadable.id, assistants=("generic",), kind="attribution",
                              severity=unreadable.severity, evidence=str(exc))])
        return
    found = [(".agent-trace/traces.jsonl", None, records)]
    _check(case, trace_findings(catalog, found, Scope("tree", {})))


@pytest.mark.parametrize("case", CASES["checkpoint"], ids=_case_id)
def test_entire_checkpoint(case: dict[str, Any]) -> None:
    files = [(name, f"{n:040x}") for n, name in enumerate(case["files"])]
    _check(case, checkpoint_findings(load_catalog(), case["id"], files, case["metadata"]))


@pytest.mark.parametrize("case", CASES["content"], ids=_case_id)
def test_content(case: dict[str, Any]) -> None:
    catalog = load_catalog()
    _, candidates = PathMatcher(catalog).match(PathChange(case["path"], "0" * 40, "100644"))
    rules = {c.rule.id: c.rule for c in candidates}
    matched = content_matches(rules, case["text"].encode().split(b"\n"), [case["path"]])
    findings = [Finding(rule=rid, assistants=rules[rid].assistants, kind="content",
                        severity="block", evidence=text) for rid, (_, text) in matched.items()]
    _check(case, findings)


def test_ignored_identity_is_not_reported() -> None:
    catalog = load_catalog()
    message = "Fix\n\nCo-authored-by: Codex <noreply@openai.com>\n"
    assert findings_for_message(catalog, message)
    assert findings_for_message(catalog, message, frozenset({"noreply@openai.com"})) == []
    who = Identity("Codex", "codex@openai.com")
    assert findings_for_identity(catalog, who, "author", frozenset({"codex@openai.com"})) == []


def test_message_file_is_judged_as_git_will_store_it() -> None:
    """A message file's comments and scissors go only as the cleanup mode says
    (tests/git/cleanup_test.py checks the texts against real git)."""
    catalog = load_catalog()
    message = ("Fix\n# Co-Authored-By: Claude <noreply@anthropic.com>\n"
               "# ------------------------ >8 ------------------------\n"
               "+Co-Authored-By: Claude <noreply@anthropic.com>\n"
               "Made-with: Cursor\n")
    verbose_strip = stored_messages(message, {"commit.verbose": "1"}, ["-e"], True)
    assert [f for t in verbose_strip for f in findings_for_message(catalog, t)] == []
    whitespace = stored_messages(message, {}, ["-m", "x"], False)
    assert [f.line for t in whitespace for f in findings_for_message(catalog, t)]


def test_long_line_is_matched_in_bounded_pieces() -> None:
    catalog = load_catalog()
    rule = catalog.by_id["AIC301"]
    line = b"x" * 100_000 + b"\n      - uses: anthropics/claude-code-action@v1"
    assert "AIC301" in first_content_matches({"AIC301": rule}, line.split(b"\n"))


# ------------------------------------------------------------------------ the raw prefilter
_SEGMENTS = ["src", "a", ".claude", "CLAUDE.md", "AGENTS.md", ".Cursor", "rules", "x.mdc",
             ".aider.tags.cache.v4", "log.jsonl", ".github", "workflows", "ci.yml", "été",
             "ＣＬＡＵＤＥ.md", "docs", "agents.md", ".clinerules-code", "codex_message", "t",
             ".GITHUB", "Codex_Message", "X.JSONL", "Agents.MD", "notes.md", "a.b.json",
             "Dockerfile", "DOCKERFILE", "Containerfile", "x.Dockerfile", "Dockerfile.dev",
             "dockerfiles", "xdockerfile", "run.sh", "a.mjs", "Dockerfile\tb",
             "qwen.md.bak", "x.claude", "_message", ".Aider.Tags.Cache.V9", "sweep.yaml",
             "rovo-config.yaml", "ROVO-CONFIG.YAML", "my-rovo-config.yaml", "rovo-config.yml",
             "ｒｏｖｏ-config.yaml",
             # Disguises: look-alike, full-width and marked letters, a full-width dot and
             # slash, an invisible character; and non-ASCII names that are nothing.
             "\u0421LAUDE.md", "ＡＧＥＮＴＳ．ｍｄ", "C\u0301laude.md", ".cl\u200baude",
             "notes／.claude", "\u0435t\u00e9.md", "日本語", ".gith\u00fcb",
             # A tab inside a name (the search skips an ls-tree entry's header up to a tab).
             "a\tb", "x\tＬＯＧ．jsonl", "y\tlog.jsonl"]


def _tree_bytes(paths: list[str]) -> bytes:
    return b"".join(b"100644 blob " + b"0" * 40 + b"\t" + p.encode() + b"\0" for p in paths)


def _raw_bytes(paths: list[str]) -> bytes:
    meta = b":000000 100644 " + b"0" * 40 + b" " + b"1" * 40 + b" A"
    return b"\0\n" + b"".join(meta + b"\0" + p.encode() + b"\0" for p in paths)


def _flagged(paths: list[str], data: bytes, tree: bool) -> set[str]:
    region_filter = PathMatcher(load_catalog()).region_filter()
    assert region_filter is not None
    flagged = set()
    for start in region_filter.entry_starts(data, raw_diff=not tree):
        entry = data[start:data.find(b"\0", start)]
        flagged.add(entry.partition(b"\t")[2].decode() if tree else entry.decode())
    return flagged


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_SEGMENTS), min_size=1, max_size=5).map("/".join),
                min_size=1, max_size=12, unique=True))
def test_region_filter_never_misses_a_path_a_rule_matches(paths: list[str]) -> None:
    matcher = PathMatcher(load_catalog())
    matching = {p for p in paths if any(matcher.match(PathChange(p, "0" * 40, "100644")))}
    assert matching <= _flagged(paths, _tree_bytes(paths), tree=True)
    assert matching <= _flagged(paths, _raw_bytes(paths), tree=False)


def test_a_disguised_anchor_before_a_tab_is_found_in_both_formats() -> None:
    """An ls-tree entry's header ends at its first tab and is skipped; in a raw diff the
    whole entry is the path, and a tab in it hides nothing before it."""
    paths = [".cl\u200baude/a\tb", "ＣＬＡＵＤＥ.md/x\ty"]
    assert _flagged(paths, _tree_bytes(paths), tree=True) == set(paths)
    assert _flagged(paths, _raw_bytes(paths), tree=False) == set(paths)


def test_region_filter_finds_symlinks_wherever_they_are() -> None:
    """A symlink's target is checked too, so every symlink entry is a candidate, in ls-tree
    output (mode first, after a NUL) and in raw diffs (the new mode after a space)."""
    region_filter = PathMatcher(load_catalog()).region_filter()
    assert region_filter is not None
    sha = b"0" * 40
    tree = (b"120000 blob " + sha + b"\tfirst\x00100644 blob " + sha + b"\tplain\0"
            b"120000 blob " + sha + b"\tsrc/link\0")
    starts = region_filter.entry_starts(tree, raw_diff=False)
    assert [tree[s:tree.find(b"\0", s)].partition(b"\t")[2] for s in starts] == \
        [b"first", b"src/link"]
    raw = (b"\0\n:000000 120000 " + sha + b" " + sha + b" A\0link\0"
           b":100644 100644 " + sha + b" " + sha + b" M\0plain\0")
    assert region_filter.any(raw)
    assert not region_filter.any(raw.replace(b"120000", b"100644"))


def test_a_name_with_a_dot_is_keyed_on_it_wherever_it_sits() -> None:
    """'.' is the preferred key byte even after a '-' or '_' (`rovo-config.yaml`): such
    names share the one '.' search, and still match only as a whole component."""
    region_filter = RegionFilter(frozenset({"rovo-config.yaml", "a_b.md", ".x-y"}), (), ())
    assert region_filter.passes == 1
    paths = ["rovo-config.yaml", "ci/rovo-config.yaml/x", "x/A_B.md", "p/.x-y/q",
             "my-rovo-config.yaml", "rovo-config.yml", "xa_b.md", "a_b.mdx", ".x-yz"]
    data = _tree_bytes(paths)
    found = {data[s:data.find(b"\0", s)].partition(b"\t")[2].decode()
             for s in region_filter.entry_starts(data, raw_diff=False)}
    assert found == set(paths[:4])
    # Without a '.', '_' is preferred to '-' in the same way; '-' alone is its own key.
    assert len(RegionFilter(frozenset({"a-b_c", "d_e"}), (), ())._searches) == 1
    assert len(RegionFilter(frozenset({"a-b", "d_e"}), (), ())._searches) == 2


def test_region_filter_on_every_path_case() -> None:
    paths = [case["path"] for case in CASES["path"] + CASES["content"]]
    matcher = PathMatcher(load_catalog())
    matching = {p for p in paths if any(matcher.match(PathChange(p, "0" * 40, "100644")))}
    assert len(matching) > 80
    assert matching <= _flagged(paths, _tree_bytes(paths), tree=True)
    assert "src/claude_client.py" not in _flagged(paths, _tree_bytes(paths), tree=True)


_MESSAGE_TEXTS = [c["text"] for c in CASES.get("message", [])]


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.one_of(
    st.sampled_from(_MESSAGE_TEXTS),
    st.text(alphabet=st.characters(codec="ascii"), max_size=60),
    # Trace pieces with folds, indents and spacing that the parser joins or strips.
    st.sampled_from(["Co-authored-by: Claude", "  <noreply@anthropic.com>", "   generated",
                     " with claude code", "Made-with:", "\tcursor", "co authored  by :x",
                     "  🤖 Generated with [Claude Code]", "Fix for code scanning alert no. 7",
                     "Note: see", "  Generated with Crush", "aider: x"])),
    min_size=1, max_size=8))
def test_marker_prefilter_and_identity_memo_change_no_result(parts: list[str]) -> None:
    """The message screen, the one-search marker prefilter and the identity memo are
    shortcuts: the findings are the ones rule-by-rule, uncached detection gives."""
    from ai_clearance.detect import detect

    catalog = load_catalog()
    message = "\n".join(parts)
    fast = findings_for_message(catalog, message)
    index = detect.catalog_index(catalog)
    union, index.any_marker = index.any_marker, None
    screen, index.screen = index.screen, None
    try:
        index.identities.clear()
        index.trailer_lines.clear()
        slow = findings_for_message(catalog, message)
    finally:
        index.any_marker, index.screen = union, screen
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*_SEGMENTS, "ＣＬＡＵＤＥ.md", "docs／.claude", "été",
                                          "ｃｌａｕｄｅ", "文档", ".cursor"]),
                         min_size=1, max_size=5).map("/".join), min_size=1, max_size=12))
def test_folder_verdicts_never_hide_a_candidate(paths: list[str]) -> None:
    """might_match keeps one verdict per folder: it still says yes to every path whose
    whole skeleton has a rule's anchor (the same matcher sees all paths, as in a scan)."""
    from ai_clearance.detect.normalize import ascii_skeleton

    matcher = PathMatcher(load_catalog())
    for path in paths:
        if matcher.candidates(ascii_skeleton(path)):
            assert matcher.might_match(path), path


def test_a_run_builds_each_region_filter_once_and_a_policy_rule_gets_its_own() -> None:
    from ai_clearance.clearance.policy import policy_from_texts

    catalog = load_catalog()
    built_in = PathMatcher(catalog).region_filter()
    assert built_in is not None and PathMatcher(catalog).region_filter() is built_in
    own = policy_from_texts(catalog, '[[rules]]\nid = "ORG001"\nassistants = ["claude"]\n'
                            'kind = "instructions"\nseverity = "block"\n'
                            'description = "Prompts"\npaths = ["**/team.prompts"]\n',
                            None, "work tree")
    extended = PathMatcher(own.catalog).region_filter()
    assert extended is not None and extended is not built_in
    listing = b"100644 blob " + b"0" * 40 + b"\tdocs/team.prompts\x00"
    assert built_in.entry_starts(listing, raw_diff=False) == []
    assert extended.entry_starts(listing, raw_diff=False) == [0]


# ------------------------------------------------ the prefilter against the full matcher
def _ascii_of(text: str) -> str:
    return normalize_path(text).encode("ascii", "ignore").decode("ascii")


def _preimages() -> dict[str, list[str]]:
    """Characters that normalization turns into one ASCII letter, digit or dot, by what they
    become: the Greek with tonos, Cyrillic, full-width, small capitals, mathematical and
    enclosed letters an attacker can spell a name with."""
    ranges = [(0x80, 0x3000), (0xA700, 0xA800), (0xFF00, 0xFFF0), (0x1D400, 0x1D800),
              (0x1F130, 0x1F18A)]
    found: dict[str, list[str]] = {}
    for low, high in ranges:
        for code in range(low, high):
            ascii_part = _ascii_of(chr(code))
            if len(ascii_part) == 1:
                found.setdefault(ascii_part, []).append(chr(code))
    return found


_PREIMAGES = _preimages()
# What normalization drops: marks (one of which case folding alone would make an iota),
# invisible characters.
_VANISHING = ["\u0301", "\u0345", "\u0308", "\u200b", "\u200d", "\u2060", "\ufe0f", "\u034f"]
_WORDS = [".claude", "CLAUDE.md", "AGENTS.md", ".github", "copilot-instructions.md", ".cursor",
          "GEMINI.md", "x.jsonl", "codex_message", ".aider.tags.cache.v4", ".clinerules-x",
          "settings.local.json", ".agents", "workflows", "a.yml", ".mcp.json", ".rules",
          "skills", "SKILL.md", "Dockerfile", "Containerfile", "a.dockerfile", "Dockerfile.x",
          "run.sh", "x.py"]
_NO_NUL = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


@st.composite
def _disguised(draw: st.DrawFn) -> str:
    """An anchor word with some letters swapped for characters that normalize to them and
    some vanishing characters put in."""
    word = draw(st.sampled_from(_WORDS))
    out = []
    for ch in word:
        key = ch.casefold()
        if key in _PREIMAGES and draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from(_PREIMAGES[key])))
        else:
            out.append(ch)
        if draw(st.integers(0, 7)) == 0:
            out.append(draw(st.sampled_from(_VANISHING)))
    return "".join(out)


_component = st.one_of(_disguised(), st.sampled_from(_WORDS), st.text(_NO_NUL, max_size=6),
                       st.text(alphabet="aé.ΑάСс\u0301\u0345/\n", max_size=5))
_unicode_paths = st.lists(st.lists(_component, min_size=1, max_size=4).map("/".join),
                          min_size=1, max_size=8, unique=True)


def _truth(matcher: PathMatcher, path: str) -> set[str]:
    """Every rule the path matches, each tried on the normalized path: no anchor, no
    prefilter, no shortcut."""
    from ai_clearance.detect.detect import path_hit

    folded, exact = normalize_path(path), normalize_path(path, fold=False)
    return {r.id for r in (*matcher.path_rules, *matcher.content_rules)
            if path_hit(r, folded, exact)}


def _encoded_tree(paths: list[str]) -> bytes:
    return b"".join(b"100644 blob " + b"0" * 40 + b"\t" + p.encode() + b"\0" for p in paths)


def _encoded_raw(paths: list[str]) -> bytes:
    meta = b":000000 100644 " + b"0" * 40 + b" " + b"1" * 40 + b" A"
    return b"\0\n" + b"".join(meta + b"\0" + p.encode() + b"\0" for p in paths)


def _flagged_entries(data: bytes, tree: bool) -> set[bytes]:
    region_filter = PathMatcher(load_catalog()).region_filter()
    assert region_filter is not None
    entries = {data[s:data.find(b"\0", s)] for s in region_filter.entry_starts(data, not tree)}
    return {e.partition(b"\t")[2] if tree else e for e in entries}


@settings(max_examples=1500, deadline=None)
@given(_unicode_paths)
def test_the_prefilter_never_drops_a_path_the_full_matcher_matches(paths: list[str]) -> None:
    """Where the prefilter says "cannot match" (the region filter over git's raw output, or
    might_match over a path), no rule matches the normalized path; and the matcher finds
    what every rule, tried alone, finds."""
    matcher = PathMatcher(load_catalog())
    truth = {p: _truth(matcher, p) for p in paths}
    matching = {p.encode() for p, rules in truth.items() if rules}
    assert matching <= _flagged_entries(_encoded_tree(paths), tree=True)
    assert matching <= _flagged_entries(_encoded_raw(paths), tree=False)
    for path, rules in truth.items():
        if not rules:
            continue
        assert matcher.might_match(path), path
        findings, candidates = matcher.match(PathChange(path, "0" * 40, "100644"))
        found = {f.rule for f in findings} | {c.rule.id for c in candidates}
        superseded = {s for rid in found for s in load_catalog().by_id[rid].supersedes}
        assert found <= rules and rules - found <= superseded, (path, rules, found)



def test_marker_screen_over_all_lines_keeps_every_line_finding() -> None:
    """Markers are first searched over all lines at once: a marker on one line among many
    plain ones, on the subject or deep in the body, is still found on its own line."""
    from ai_clearance.detect import detect

    catalog = load_catalog()
    assert detect.catalog_index(catalog).markers_anywhere is not None  # the shortcut is in use
    plain = [f"Line {i} of a long body, Signed-off-by: Dev <dev@example.com>" for i in range(60)]
    marker = "🤖 Generated with [Claude Code](https://claude.com/claude-code)"
    for where in (0, 30, 60):
        lines = [*plain[:where], marker, *plain[where:]]
        found = findings_for_message(catalog, "\n".join(["Fix the parser", "", *lines]))
        assert [f.line for f in found if "Generated" in f.evidence] == [where + 3]
    assert findings_for_message(catalog, "\n".join(["Fix", "", *plain])) == []


_CONTENT_TEXTS = [c["text"] for c in CASES["content"]]


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.one_of(st.sampled_from(_CONTENT_TEXTS),
                                st.text(alphabet=st.characters(codec="ascii"), max_size=40)),
                      min_size=1, max_size=6))
def test_content_screen_changes_no_result(parts: list[str]) -> None:
    """One search of a whole blob for all content rules is a shortcut: the first lines each
    rule matches are those line by line, rule by rule search finds."""
    from ai_clearance.detect import detect

    rules = {r.id: r for r in load_catalog().rules_for("content") if r.pattern is not None}
    lines = "\n".join(parts).encode().split(b"\n")
    fast = first_content_matches(rules, lines)
    slow = first_content_matches(rules, iter(lines))  # not a list: no screen
    assert fast == slow
    assert detect.content_screen((("x", False),)) is not None


def test_content_screen_stands_aside_for_patterns_bound_to_the_text() -> None:
    from ai_clearance.detect import detect

    assert detect.content_screen((("\\Aclaude", True),)) is None
    assert detect.content_screen((("(?-m:^)claude", True),)) is None
    folded = detect.content_screen((("claude", True), ("Codex", False)))
    assert folded is not None
    assert folded[0].search("x\nCLAUDE") and not folded[0].search("codex")


def test_trailer_lines_are_judged_once_and_reported_where_each_stands() -> None:
    """A repeated trailer line is judged once; each message still reports its own line,
    and an identity the policy ignores is judged apart."""
    from ai_clearance.detect import detect

    catalog = load_catalog()
    trailer = "Co-authored-by: Claude <noreply@anthropic.com>"
    first = findings_for_message(catalog, f"Fix\n\nBody\n\n{trailer}")
    second = findings_for_message(catalog, f"Fix\n\nBody\n\nMore\n\n{trailer}")
    assert [f.line for f in first] == [5] and [f.line for f in second] == [7]
    assert first[0].rule == second[0].rule
    assert (normalize_text(trailer), frozenset()) in detect.catalog_index(catalog).trailer_lines
    ignored = frozenset({"noreply@anthropic.com"})
    assert findings_for_message(catalog, f"Fix\n\n{trailer}", ignored) == []


def test_trailer_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """At most _TRAILER_MEMO lines, none longer than MEMO_LINE characters."""
    from ai_clearance.detect import detect

    monkeypatch.setattr(detect, "_TRAILER_MEMO", 3)
    catalog = load_catalog()
    for i in range(10):
        findings_for_message(catalog, f"Fix\n\nSigned-off-by: Dev {i} <d{i}@example.com>")
        assert len(detect.catalog_index(catalog).trailer_lines) <= 3
    detect.catalog_index(catalog).trailer_lines.clear()
    long_line = "Co-authored-by: Claude <noreply@anthropic.com>" + " x" * detect.MEMO_LINE
    assert findings_for_message(catalog, f"Fix\n\n{long_line}")
    assert not detect.catalog_index(catalog).trailer_lines


def test_pull_request_text_is_read_as_the_message_a_squash_merge_makes() -> None:
    catalog = load_catalog()
    body = ("Summary\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n"
            "Co-Authored-By: Claude <noreply%40anthropic.com>\n"
            "Co-authored-by: Jane Dev <jane@example.com>\n")
    found = findings_for_pr_text(catalog, "Fix the parser", body)
    # One line, one finding (the pull request's own rule first); the trailer below it is
    # found too, its disguise undone; the human co-author is not.
    assert [(f.rule, f.line, f.pull_request) for f in found] == [
        ("AIC430", 3, "description"), ("AIC401", 4, "description")]
    assert found[1].evidence == "Co-Authored-By: Claude <noreply%40anthropic.com>"


def test_a_marker_in_the_pull_request_title_is_the_titles() -> None:
    found = findings_for_pr_text(load_catalog(), "Issue #7: Changes from Claude", "Fixes #7\n")
    assert [(f.rule, f.line, f.pull_request) for f in found] == [("AIC434", None, "title")]
    # The title becomes the subject of a squash merge: a subject's marker counts there.
    found = findings_for_pr_text(load_catalog(), "aider: fix the build", "Details\n")
    assert [(f.rule, f.pull_request) for f in found] == [("AIC413", "title")]
