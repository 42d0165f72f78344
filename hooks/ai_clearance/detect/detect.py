"""Detectors: pure functions from paths, messages, identities and branch names to findings."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from ai_clearance.catalog.globs import could_hold, glob_to_regex
from ai_clearance.catalog.patterns import Pattern, PatternError, any_of
from ai_clearance.catalog.rules import Catalog, Lazy, Rule
from ai_clearance.detect.messages import (
    MessageLine,
    Trailer,
    address_forms,
    addresses,
    inside,
    key_screen,
    line_trailers,
    may_hold_address,
    may_hold_trailer,
    message_lines,
    quoted_spans,
    squashed_key,
    unquoted,
    without_addresses,
)
from ai_clearance.detect.names import name_assistants, product_assistants, value_assistants
from ai_clearance.detect.normalize import (
    ascii_skeleton,
    normalize_path,
    normalize_text,
    printable,
    undisguised,
)
from ai_clearance.model import Commit, Finding, Identity, PathChange, noreply_login


@dataclass(frozen=True)
class ContentCandidate:
    """A changed path whose blob a content rule must read before it can decide."""

    change: PathChange
    rule: Rule


def _affix_rules(components: list[str], by_affix: dict[str, list[Rule]],
                 has: Callable[[str, str], bool]) -> list[Rule]:
    """The rules of each affix that a component has (`str.startswith` or `str.endswith`),
    once for every component that has it."""
    return [rule for component in components for affix, rules in by_affix.items()
            if has(component, affix) for rule in rules]


class PathMatcher:
    """Matches paths against the path and content rules. Each rule's globs imply an anchor
    (a path component, or a prefix or suffix of one); a path is tested against a rule's
    regex only when it has that anchor, so the common miss costs a split and a set lookup."""

    def __init__(self, catalog: Catalog) -> None:
        self.path_rules = catalog.rules_for("paths")
        self.content_rules = catalog.rules_for("content")
        self._by_name: dict[str, list[Rule]] = {}
        self._by_prefix: dict[str, list[Rule]] = {}
        self._by_suffix: dict[str, list[Rule]] = {}
        self._by_final: dict[str, list[Rule]] = {}
        self._always: list[Rule] = []
        for rule in self.path_rules + self.content_rules:
            if rule.anchors is None:
                self._always.append(rule)
                continue
            for kind, text in set(rule.anchors):
                table = {"name": self._by_name, "prefix": self._by_prefix,
                         "suffix": self._by_suffix, "final": self._by_final}[kind]
                table.setdefault(text, []).append(rule)
        self._names = frozenset(self._by_name)
        self._folders: dict[str, bool] = {}
        # The ASCII skeleton prefilter is exact only for ASCII anchors (a policy may add others).
        self.ascii_anchors = all(t.isascii() for t in (*self._by_name, *self._by_prefix,
                                                       *self._by_suffix, *self._by_final))
        self._suffixes = tuple(self._by_suffix)
        self._prefix_re = re.compile("(?:^|/)(?:" + "|".join(
            re.escape(p) for p in self._by_prefix) + ")") if self._by_prefix else None
        self._suffix_re = re.compile("(?:" + "|".join(
            re.escape(s) for s in self._suffixes) + ")(?:/|\\Z)") if self._suffixes else None
        self._holders: dict[str, bool] = {}
        # A folder takes part in a glob's match through a part that is not the last one:
        # most are names (".github"), which a set lookup rules out.
        holding = {part for r in self.path_rules for g in (*r.path_globs, *r.exact_globs)
                   for part in g.casefold().split("/")[:-1] if part != "**"}
        self._holding_names = frozenset(p for p in holding if not _WILD.search(p))
        wild = sorted(p for p in holding if _WILD.search(p))
        self._holding_wild = re.compile("|".join(
            f"(?:{glob_to_regex(p)})" for p in wild) + r"\Z") if wild else None

    def candidates(self, folded: str) -> list[Rule]:
        """Rules whose anchor the (normalized, folded) path has."""
        components = folded.split("/")
        found: list[Rule] = []
        for name in self._names.intersection(components):
            found.extend(self._by_name[name])
        if components[-1] in self._by_final:
            found.extend(self._by_final[components[-1]])
        if self._prefix_re is not None and self._prefix_re.search(folded):
            found.extend(_affix_rules(components, self._by_prefix, str.startswith))
        # Any component: a glob may end in one (`**/*.d/**`), not only the last.
        if self._suffixes and self._suffix_re is not None and self._suffix_re.search(folded):
            found.extend(_affix_rules(components, self._by_suffix, str.endswith))
        if self._always:
            found.extend(self._always)
        return found

    def region_filter(self) -> RegionFilter | None:
        """A filter for raw `-z` git output; None when it cannot be exact (a rule without an
        anchor, or a non-ASCII anchor), and every entry must then be looked at."""
        if not self.ascii_anchors or self._always:
            return None
        key = (self._names, tuple(self._by_prefix), self._suffixes, tuple(self._by_final))
        built = _REGION_FILTERS.get(key)
        if built is None:
            built = _REGION_FILTERS[key] = RegionFilter(*key)
        return built

    def might_match(self, path: str) -> bool:
        """False when no rule can match `path` (checked on its cheap ASCII skeleton).

        The skeleton is made character by character, so a path's skeleton is its folder's
        and its name's joined by '/': the folder's verdict is kept, as a tree or a history
        has many files per non-ASCII folder. (A look-alike slash in a name only splits it
        further, and the name is always checked whole.)"""
        if not self.ascii_anchors:
            return True
        folder, _, name = path.rpartition("/")
        if self.candidates(ascii_skeleton(name)):
            return True
        if not folder:
            return False
        verdict = self._folders.get(folder)
        if verdict is None:
            verdict = bool(self.candidates(ascii_skeleton(folder)))
            if len(self._folders) >= 50_000:
                self._folders.clear()  # memory stays flat
            self._folders[folder] = verdict
        return verdict

    def match(self, change: PathChange) -> tuple[list[Finding], list[ContentCandidate]]:
        """Findings for a changed path, and the content rules that need its blob. A symlink
        or a submodule is judged as a file and as a folder too (`.claude` as `.claude/`):
        either can stand where an agent's folder would be."""
        if not self.might_match(change.path):
            return [], []
        folded = normalize_path(change.path)
        candidates = self.candidates(folded)
        if not candidates:
            return [], []
        exact = normalize_path(change.path, fold=False)
        rules = list(dict.fromkeys(candidates))
        hits = [r for r in rules if path_hit(r, folded, exact)]
        link = _LINK_KINDS.get(change.mode)
        as_folder = [] if link is None else [
            r for r in rules if r.target == "paths" and r not in hits
            and path_hit(r, folded + "/", exact + "/")]
        superseded = {sid for r in (*hits, *as_folder) for sid in r.supersedes}
        shown = printable(change.path)
        findings = [_path_finding(r, change.path, shown) for r in hits
                    if r.target == "paths" and r.id not in superseded]
        findings.extend(_path_finding(r, change.path, f"{shown}/ ({link})") for r in as_folder
                        if r.id not in superseded)
        return findings, [ContentCandidate(change, r) for r in hits if r.target == "content"]

    def could_hold(self, folder: str) -> bool:
        """Whether a path below `folder` could match a path rule with the folder's own name
        taking part (`.github` for `**/.github/copilot-instructions.md`; not `docs`, which a
        rule can match only at any depth below it)."""
        verdict = self._holders.get(folder)
        if verdict is None:
            folded = normalize_path(folder).split("/")
            exact = normalize_path(folder, fold=False).split("/")
            verdict = self._has_holding_part(folded) and any(
                any(could_hold(g if r.case_sensitive else g.casefold(),
                               exact if r.case_sensitive else folded) for g in r.path_globs)
                or any(could_hold(g, exact) for g in r.exact_globs)
                for r in self.path_rules)
            if len(self._holders) >= 10_000:
                self._holders.clear()
            self._holders[folder] = verdict
        return verdict

    def _has_holding_part(self, folded: list[str]) -> bool:
        """Whether a component could be matched by a part of a glob that is not its last."""
        if not self._holding_names.isdisjoint(folded):
            return True
        wild = self._holding_wild
        return wild is not None and any(wild.match(c) for c in folded)


_LINK_KINDS = {"120000": "symlink", "160000": "submodule"}
_WILD = re.compile(r"[*?\[]")


def _path_finding(rule: Rule, path: str, evidence: str) -> Finding:
    return Finding(rule=rule.id, assistants=rule.assistants, kind=rule.kind,
                   severity=rule.severity, evidence=evidence, path=path)


# A path component starts after one of these (tab: ls-tree puts one before the path) and
# ends before one of these.
_LEADING = rb"[/\t\x00]"
_TRAILING = rb"[/\x00]"
# The bytes a search for an anchor starts from, by preference: an anchor is keyed on the
# first of these it holds in this order ('.' wherever it sits, so `rovo-config.yaml` joins
# the '.' search rather than cost a pass of its own over every listing). The regex engine
# skips to the next such byte in C and tries the anchor there; paths hold far fewer of
# these than of '/' (about one per path, against one per component).
_KEYS = b"._-"

# A literal, then a lookbehind: (width, body); (0, b"") when there is nothing to look back at.
_Entry = tuple[bytes, tuple[int, bytes]]


def _trie_regex(entries: list[_Entry]) -> bytes:
    """A regex for entries (`rest`, `leaf`): `rest` literally, '/' standing for the end of
    a component, then the lookbehind `leaf`. Factored as a trie, so that a position is
    rejected after a few byte comparisons instead of one per anchor."""
    ends = {leaf for rest, leaf in entries if not rest}
    if (0, b"") in ends:
        return b""  # something ends here unconditionally: a match
    # Lookbehinds of one width are one lookbehind (the regex engine needs a fixed width).
    widths: dict[int, list[bytes]] = {}
    for width, body in sorted(ends):
        widths.setdefault(width, []).append(body)
    branches = []
    groups: dict[int, list[_Entry]] = {}
    for rest, leaf in entries:
        if rest:
            groups.setdefault(rest[0], []).append((rest[1:], leaf))
    for first, tails in sorted(groups.items()):
        head = _TRAILING if first == ord("/") else re.escape(bytes([first]))
        branches.append(head + _trie_regex(tails))
    branches.extend(b"(?<=" + b"|".join(bodies) + b")" for bodies in widths.values())
    return branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"


def _lookbehind(word: bytes) -> tuple[int, bytes]:
    """A lookbehind asserting that `word` ('/' for component boundaries) ends here."""
    parts = [(_LEADING if i == 0 else _TRAILING) if byte == ord("/") else
             re.escape(bytes([byte])) for i, byte in enumerate(word)]
    return len(word), b"".join(parts)


def _anchor_search(key: int, led: list[_Entry], others: list[_Entry]) -> re.Pattern[bytes]:
    """One search for the anchors that share a key byte. `led`: anchors whose key starts a
    component (".claude"), tried only after a one-byte look back; `others`: the rest, each
    confirmed by a lookbehind once the part after the key has matched."""
    branches = []
    if led:
        branches.append(b"(?<=" + _LEADING + re.escape(bytes([key])) + b")" + _trie_regex(led))
    going: list[_Entry] = [(rest, leaf) for rest, leaf in others if rest]
    if going:
        # Most keys in paths start an extension no anchor has: one class test rejects them.
        firsts = {rest[:1] for rest, _ in going}
        if b"/" in firsts:
            firsts.add(b"\x00")
        ahead = b"".join(re.escape(first) for first in sorted(firsts))
        branches.append(b"(?=[" + ahead + b"])" + _trie_regex(going))
    ending: list[_Entry] = [(rest, leaf) for rest, leaf in others if not rest]
    if ending:  # anchors that end at the key (`/dockerfile.`): only their lookbehinds test
        branches.append(_trie_regex(ending))
    # Case folded by the engine (ASCII only, as a prefilter needs), inside the group: a key
    # byte outside it stays a literal the engine can skip to.
    head = re.escape(bytes([key]))
    if bytes([key]).isalpha():
        head = b"(?i:" + head + b")"
    return re.compile(head + b"(?i:" + b"|".join(branches) + b")")


def _final_search(names: tuple[str, ...]) -> re.Pattern[bytes]:
    """One search for names that end a path and hold no key byte (`Dockerfile`): keyed on
    the NUL after each path, a literal the engine skips to as fast as to '.', with the
    name's last byte tested before the whole name (0.1 s on the bench's 1M-path listing,
    against 0.5 s for a search keyed on a letter, which folding case makes a class)."""
    lasts = sorted({n.encode()[-1:] for n in names} | {n.upper().encode()[-1:] for n in names})
    widths: dict[int, list[bytes]] = {}
    for name in sorted(names):
        widths.setdefault(len(name.encode()), []).append(re.escape(name.encode()))
    wholes = [_LEADING + b"(?i:" + b"|".join(bodies) + b")\x00" for bodies in widths.values()]
    return re.compile(b"\x00(?<=[" + re.escape(b"".join(lasts)) + b"]\x00)(?:" + b"|".join(
        b"(?<=" + whole + b")" for whole in wholes) + b")")


class RegionFilter:
    """Finds, in raw `-z` output of git (NUL-separated paths, a tab before ls-tree paths),
    the entries that could hold a path some rule matches: each needs a rule's anchor as a
    whole component (or a prefix or suffix of one), in its bytes or, for an entry with
    non-ASCII bytes, in its ASCII skeleton; or a symlink's mode. Everything else is skipped
    without being parsed or copied."""

    def __init__(self, names: frozenset[str], prefixes: tuple[str, ...],
                 suffixes: tuple[str, ...], finals: tuple[str, ...] = ()) -> None:
        words = ([b"/" + n.encode() + b"/" for n in names] + [b"/" + p.encode() for p in prefixes]
                 + [s.encode() + b"/" for s in suffixes])
        led: dict[int, list[_Entry]] = {}
        others: dict[int, list[_Entry]] = {}
        for word in sorted(set(words)):
            first = 1 if word.startswith(b"/") else 0
            at = next((word.index(key, first) for key in _KEYS if key in word[first:]),
                      first)
            rest = word[at + 1:]
            if first and at == 1:
                led.setdefault(word[at], []).append((rest, (0, b"")))
            else:
                # Nothing before the key (a suffix that starts with it): nothing to look at.
                leaf = _lookbehind(word) if at else (0, b"")
                others.setdefault(word[at], []).append((rest, leaf))
        self._searches = [_anchor_search(key, led.get(key, []), others.get(key, []))
                          for key in sorted({*led, *others})]
        self._final_search = _final_search(finals) if finals else None

    @property
    def passes(self) -> int:
        """How many searches a listing costs: one per key byte of the anchors, one for the
        names matched at the NUL after a path (each is a pass over every byte)."""
        return len(self._searches) + (self._final_search is not None)

    def entry_starts(self, region: bytes, raw_diff: bool = True) -> list[int]:
        """Offsets of the entries (after the previous NUL) that need a closer look, in
        ls-tree output or (`raw_diff`) in `--raw` diff output."""
        hits = self.hit_positions(region, raw_diff)
        return sorted({region.rfind(b"\x00", 0, pos + 1) + 1 for pos in hits})

    def hit_positions(self, region: bytes, raw_diff: bool = True) -> list[int]:
        """Positions inside the entries that need a closer look (unsorted, repeats)."""
        hits: list[int] = []
        for search in self._searches:
            hits.extend(m.start() for m in search.finditer(region))
        if self._final_search is not None:  # matched at the NUL after the entry's path
            hits.extend(m.start() - 1 for m in self._final_search.finditer(region))
        # A symlink: where it points is checked too. Its mode starts an ls-tree entry; in a
        # raw diff the new mode follows a space. (A hit on the NUL before an entry is in it.)
        if raw_diff:
            _find_all(region, b" 120000 ", hits)
        else:
            if region.startswith(b"120000 "):
                hits.append(0)
            _find_all(region, b"\x00120000 ", hits)
        if not region.isascii():
            self._disguised_hits(region, hits, raw_diff)
        return hits

    def _disguised_hits(self, region: bytes, into: list[int], raw_diff: bool) -> None:
        """Entries with non-ASCII bytes hold an anchor only in disguise (full-width or
        look-alike letters, marks, invisible characters): their ASCII skeletons, joined
        with the NULs kept, get the same searches. A skeleton keeps every ASCII character
        of what normalization makes of a path, so it misses nothing a rule could match."""
        positions: list[int] = []
        _non_ascii_positions(region, positions)
        starts = sorted({region.rfind(b"\0", 0, pos) + 1 for pos in positions})
        entries = []
        for start in starts:
            end = region.find(b"\0", start)
            end = end if end >= 0 else len(region)
            # Not the ASCII header of an ls-tree entry (half its bytes), which ends at its
            # first tab; a raw diff has a path alone between NULs (a tab in it is its own).
            head = start if raw_diff else region.find(b"\t", start, end) + 1 or start
            entries.append(region[head:end])
        text = b"\0".join(entries).decode("utf-8", "surrogateescape")
        skeleton = b"\0" + ascii_skeleton(text).encode("ascii") + b"\0"
        searches = self._searches if self._final_search is None else \
            [*self._searches, self._final_search]
        for search in searches:
            for match in search.finditer(skeleton):
                # Normalization never makes or removes a NUL: they still count the entries.
                # (A final name's match is on the NUL after it: that entry's, counted so.)
                into.append(starts[skeleton.count(b"\0", 0, match.start()) - 1])

    def any(self, region: bytes) -> bool:
        """Whether any entry of `region` needs a closer look."""
        return bool(self.hit_positions(region))


# Filters by their anchors (names, prefixes, suffixes): compiling one costs about 8 ms, so a
# run builds each once (run.check builds the built-in rules' one while git works).
_REGION_FILTERS: dict[tuple[frozenset[str], tuple[str, ...], tuple[str, ...], tuple[str, ...]],
                      RegionFilter] = {}


def _find_all(data: bytes, needle: bytes, into: list[int]) -> None:
    pos = data.find(needle)
    while pos >= 0:
        into.append(pos)
        pos = data.find(needle, pos + 1)


_ASCII_BLOCK = 4096


def _non_ascii_positions(region: bytes, into: list[int]) -> None:
    """A position inside each NUL-separated entry of `region` that has a non-ASCII byte.
    Blocks are tested with isascii() (word-at-a-time in C) and only the blocks that fail are
    split into entries. (Halving the region instead copies it once per level: on the bench
    tree, where 1.2% of paths are non-ASCII, that took 0.073 s against 0.053 s.)"""
    for lo in range(0, len(region), _ASCII_BLOCK):
        if region[lo:lo + _ASCII_BLOCK].isascii():
            continue
        # Then eighths of the block: most non-ASCII entries are alone in theirs.
        for sub in range(lo, min(lo + _ASCII_BLOCK, len(region)), _ASCII_BLOCK // 8):
            block = region[sub:sub + _ASCII_BLOCK // 8]
            if block.isascii():
                continue
            offset = sub
            for piece in block.split(b"\x00"):
                if not piece.isascii():
                    into.append(offset)
                offset += len(piece) + 1


def path_hit(rule: Rule, folded: str, exact: str) -> bool:
    subject = exact if rule.case_sensitive else folded
    if not ((rule.paths is not None and rule.paths.match(subject))
            or (rule.exact_paths is not None and rule.exact_paths.match(exact))):
        return False
    return rule.not_paths is None or not rule.not_paths.match(exact)


def first_content_matches(
    rules: dict[str, Rule], lines: Iterable[bytes],
) -> dict[str, tuple[int, str]]:
    """For each content rule, the first line of a blob it matches: rule id -> (line, text).
    A line costs time linear in its length (the patterns run on RE2). A blob given whole
    (a list) that no rule matches anywhere costs one search, not one per line and rule."""
    if isinstance(lines, list) and len(lines) > 1:
        screen = content_screen(tuple((r.pattern.source, r.pattern.ignore_case)
                                       for r in rules.values() if isinstance(r.pattern, Lazy)))
        if screen is not None and len(screen[1]) == len(rules) and \
                not screen[0].search(b"\n".join(lines).decode("utf-8", "replace")):
            return {}
    pending = dict(rules)
    matched: dict[str, tuple[int, str]] = {}
    for number, raw in enumerate(lines, start=1):
        text = raw.decode("utf-8", "replace")
        for rid, rule in list(pending.items()):
            assert rule.pattern is not None
            if rule.pattern.search(text):
                matched[rid] = (number, printable(text.strip()))
                del pending[rid]
        if not pending:
            break
    return matched


@functools.lru_cache(maxsize=64)
def content_screen(sources: tuple[tuple[str, bool], ...],
                    ) -> tuple[Pattern, tuple[tuple[str, bool], ...]] | None:
    """The content patterns as one, in multi-line mode, each with its own case folding: a
    line one of them matches is a match in the lines joined by newlines. None where that
    does not hold (a pattern bound to the ends of the text, or that turns a flag off), or
    the union is too large for RE2."""
    if not sources or any(_LINE_BOUND.search(src) or _FLAGS_OFF.search(src)
                          for src, _ in sources):
        return None
    try:
        union = Pattern("|".join(f"(?i:{src})" if fold else f"(?:{src})"
                                 for src, fold in sources), multiline=True)
    except PatternError:
        return None
    return union, sources


def assistants_for_identity(catalog: Catalog, name: str, email: str) -> tuple[str, ...]:
    """Assistant ids whose exact identity this is: e-mail (in any spelling `address_forms`
    undoes), GitHub login, name suffix."""
    if len(name) + len(email) > _MEMO_KEY_LIMIT:
        return _assistants_for_identity(catalog, name, email)  # attacker text: not kept
    memo = catalog_index(catalog).identities
    key = (name, email)
    found = memo.get(key)
    if found is None:
        found = _assistants_for_identity(catalog, name, email)
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()  # memory stays flat on histories with millions of identities
        memo[key] = found
    return found


def _assistants_for_identity(catalog: Catalog, name: str, email: str) -> tuple[str, ...]:
    email_n = normalize_text(email).strip()
    name_n = normalize_text(name).strip()
    found: list[str] = []
    for form in address_forms(email_n):
        found.extend(catalog.email_index.get(form, ()))
        login = noreply_login(form)
        if login:
            found.extend(catalog.login_index.get(login, ()))
        found.extend(catalog.named_index.get(f"{name_n} <{form}>", ()))
    found.extend(aid for suffix, aid in catalog.name_suffixes if name_n.endswith(suffix))
    return tuple(dict.fromkeys(found))


_MEMO_LIMIT = 100_000
_MEMO_KEY_LIMIT = 512


class _KeyMatcher:
    """The trailer keys of a rule, compared without their separators; `*-by` stands for
    every key that ends in `by` (Reviewed-by, Tested-by, Coauthored-By ...), `ai-prompt-*`
    for the numbered ones (AI-Prompt-1, AI-Prompt-12)."""

    def __init__(self, keys: frozenset[str]) -> None:
        self.exact = frozenset(squashed_key(k) for k in keys if "*" not in k)
        self.endings = tuple(squashed_key(k[1:]) for k in keys if k.startswith("*"))
        self.numbered = frozenset(squashed_key(k[:-1]) for k in keys if k.endswith("-*"))

    def __call__(self, key: str) -> bool:
        squashed = squashed_key(key)
        if squashed in self.exact or (self.endings and squashed.endswith(self.endings)):
            return True
        stem = squashed.rstrip("0123456789")
        return bool(self.numbered) and stem != squashed and stem in self.numbered


class CatalogIndex:
    """What the message and identity detectors derive from one catalog, once: the marker
    rules as one alternation (a line none of them can match costs one search, not one per
    rule) and the identities already looked up (histories repeat a few hundred authors)."""

    def __init__(self, catalog: Catalog) -> None:
        rules = catalog.rules_for("message")
        self.trailer_rules = [r for r in rules if r.kind == "trailer"]
        self.keys = {r.id: _KeyMatcher(r.keys) for r in self.trailer_rules}
        self.marker_rules = [r for r in rules if r.kind != "trailer" and r.scope != "pr"]
        self.any_marker: Pattern | None = None
        sources = [r.pattern.source for r in self.marker_rules if r.pattern is not None]
        if sources:
            try:
                self.any_marker = any_of(sources)
            except PatternError:  # too large to combine: each rule runs on its own
                self.any_marker = None
        self.screen = _message_screen(self.trailer_rules, sources)
        # The same alternation over all lines at once, to skip a message none of whose lines
        # a marker can match with one search rather than one per line. Exact where no source
        # is bound to the ends of the text or turns multi-line mode off: a match in one line
        # is then a match in the lines joined by newlines.
        self.markers_anywhere: Pattern | None = None
        if self.any_marker is not None and not any(
                _LINE_BOUND.search(src) or _FLAGS_OFF.search(src) for src in sources):
            try:
                self.markers_anywhere = any_of(sources, multiline=True)
            except PatternError:
                self.markers_anywhere = None
        # All assistants' disclosure patterns as one: most values name none of them.
        self.any_disclosure: Pattern | None = None
        disclosures = [a.disclosure.source for a in catalog.assistants.values()
                       if a.disclosure is not None]
        if disclosures:
            try:
                self.any_disclosure = any_of(disclosures)
            except PatternError:
                self.any_disclosure = None
        self.identities: dict[tuple[str, str], tuple[str, ...]] = {}
        self.trailer_lines: dict[tuple[str, frozenset[str]],
                                 tuple[tuple[Rule, tuple[str, ...]], ...]] = {}
        self.identity_findings: dict[tuple[str, str, str, frozenset[str]],
                                     tuple[Finding, ...]] = {}


# Pattern pieces whose meaning changes when a line is searched inside a whole message.
_LINE_BOUND = re.compile(r"\\[AZz]|\(\?<?!")
# Inline flags that turn something off, such as multi-line mode: (?-m), (?i-m:...).
_FLAGS_OFF = re.compile(r"\(\?[A-Za-z]*-")
# A folded line joins the one above with a single space, as messages.message_lines does.
_CONTINUATION = re.compile(r"[ \t]*\n[ \t]+")
_INDENTED = re.compile(r"^[ \t]", re.MULTILINE)


class _MessageScreen:
    """Says, for an ASCII message, when no message rule can fire, from a few searches over
    the whole text. Exact as a screen: it may say "look closer" for nothing, never "skip"
    for a message with a finding (the marker rules run on every line, stripped, and on
    folded trailer lines, which are one line joined with the next; an identity needs an
    address, so an @ or one of its escapes: see `messages.may_hold_address`)."""

    def __init__(self, trailer_keys: re.Pattern[str] | None, addresses: bool,
                 markers: Pattern | None, line_ends: bool) -> None:
        self._keys = trailer_keys
        self._addresses = addresses
        self._markers = markers
        self._line_ends = line_ends

    def could_match(self, normalized: str) -> bool:
        if self._keys is not None and self._keys.search(normalized):
            return True
        if self._addresses and may_hold_address(normalized):
            return True
        if self._markers is None:
            return False
        if not self._line_ends and not _INDENTED.search(normalized):
            # No line to strip or fold: the message is its own view.
            return self._markers.search(normalized)
        for text in (normalized, _CONTINUATION.sub(" ", normalized)):
            view = "\n".join(line.strip() for line in text.split("\n"))
            if self._markers.search(view):
                return True
        return False


def _message_screen(trailer_rules: list[Rule], markers: list[str]) -> _MessageScreen | None:
    """None when a screen could miss something (a pattern bound to the ends of a line, or
    a key pattern on a rule that also judges values without an address)."""
    if any(_LINE_BOUND.search(src) for src in markers):
        return None
    # Rules that judge a value by its words: their keys, however separated, at the start
    # of a line or after whitespace, then a colon. Identity rules need an address.
    by_words = [r for r in trailer_rules if r.pattern is not None or r.disclosures or r.names]
    keys = [k for r in by_words for k in r.keys]
    if any(k.startswith("*") for k in keys):
        return None
    try:
        # The keys however spelled (messages.key_screen, linear); the markers come from
        # rules: RE2.
        keys_screen = key_screen(keys)
        marker_screen = any_of(markers, multiline=True) if markers else None
    except (re.error, PatternError):
        return None
    addresses = any(r.identities for r in trailer_rules)
    return _MessageScreen(keys_screen, addresses, marker_screen,
                          any("$" in src for src in markers))


_INDEXES: dict[int, tuple[Catalog, CatalogIndex]] = {}
# The assistant a trace that names none of the catalog's stands for.
GENERIC = "generic"


def catalog_index(catalog: Catalog) -> CatalogIndex:
    entry = _INDEXES.get(id(catalog))
    if entry is None or entry[0] is not catalog:
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        entry = (catalog, CatalogIndex(catalog))
        _INDEXES[id(catalog)] = entry
    return entry[1]


def _assistants_for_disclosure(catalog: Catalog, value: str) -> tuple[str, ...]:
    """The assistants a disclosure names, by their disclosure patterns or else by what the
    [names] table calls their products (`claude.ai`, `devin.ai`, `CodeWhisperer`); the
    generic one (a model or an `AGENT:MODEL` no entry names) only when no other is named."""
    screen = catalog_index(catalog).any_disclosure
    found: tuple[str, ...] = ()
    if screen is None or screen.search(value):
        found = tuple(
            a.id for a in catalog.assistants.values()
            if a.disclosure is not None and a.disclosure.search(value)
        )
    named = tuple(a for a in found if a != GENERIC)
    return named or product_assistants(catalog.names, value) or found


def findings_for_message(
    catalog: Catalog, message: str, ignored: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Findings for a commit message: trailers naming assistants, footers, subject markers.

    `ignored` holds normalized identities (`email` or `name <email>`) the policy ignores.
    A NUL byte is read both as nothing and as a line break: readers of a message that do
    not stop at it show the text around it either way.
    """
    findings = _nul_findings(catalog, message, ignored)
    plain = undisguised(message)
    if plain != message:
        # What a reader shows once the disguises are undone; a trace found only there says so.
        seen = {(f.rule, f.assistants) for f in findings}
        findings.extend(replace(f, evidence=f"{f.evidence} (disguise undone)")
                        for f in _nul_findings(catalog, plain, ignored)
                        if (f.rule, f.assistants) not in seen)
    return findings


def _nul_findings(catalog: Catalog, message: str, ignored: frozenset[str]) -> list[Finding]:
    if "\0" not in message:
        return _message_findings(catalog, message, ignored)
    findings = _message_findings(catalog, message.replace("\0", "\n"), ignored)
    seen = {(f.rule, f.evidence) for f in findings}
    findings.extend(f for f in _message_findings(catalog, message.replace("\0", ""), ignored)
                    if (f.rule, f.evidence) not in seen)
    return findings


def _message_findings(catalog: Catalog, message: str, ignored: frozenset[str],
                      ) -> list[Finding]:
    index = catalog_index(catalog)
    if index.screen is not None and message.isascii() and \
            not index.screen.could_match(normalize_text(message)):
        return []
    lines = message_lines(message)
    title = _title(message, lines)
    spans = quoted_spans(title.text) if title is not None else []
    findings: list[Finding] = []
    memo = index.trailer_lines
    for line in lines if index.trailer_rules else ():
        if not may_hold_trailer(line.text):
            continue  # every trailer, at the start of a line or inside it, has a separator
        if spans and line is title:
            # A quotation in the title is talked about: its trailers are not judged.
            found = [t for t in line_trailers(line) if not inside(spans, t.start)]
            judged = _trailer_verdicts(catalog, index, found, ignored) if found else ()
        else:
            judged = _judged_line(catalog, index, memo, line, ignored)
        findings.extend(Finding(
            rule=rule.id, assistants=assistants, kind=rule.kind, severity=rule.severity,
            evidence=printable(line.raw), line=line.number,
        ) for rule, assistants in judged)
    if spans:
        lines = [replace(ln, text=unquoted(ln.text, spans)) if ln is title else ln
                 for ln in lines]
    findings.extend(_marker_findings(catalog, index, lines))
    return findings


def _title(message: str, lines: list[MessageLine]) -> MessageLine | None:
    """The message's title line, where a quotation is talked about, not left: a subject
    such as `Strip 'Generated with [Claude Code]' footers` or `Revert "Add Co-Authored-By:
    ..."` names what it is about. Only the first line of the message counts (blank lines
    before it aside), which git never reads as a trailer; the first line kept after hidden
    (quoted, indented, fenced) lines may be one git reads, so it is no title here.
    A trailer's key or a footer that stands outside the quotes is still read."""
    if not lines or not lines[0].is_subject:
        return None
    first = lines[0]
    before = message.replace("\r\n", "\n").replace("\r", "\n").split("\n", first.number - 1)
    if any(part.strip(" \t") for part in before[:-1]):
        return None
    return first


def _judged_line(catalog: Catalog, index: CatalogIndex,
                 memo: dict[tuple[str, frozenset[str]], tuple[tuple[Rule, tuple[str, ...]], ...]],
                 line: MessageLine, ignored: frozenset[str],
                 ) -> tuple[tuple[Rule, tuple[str, ...]], ...]:
    """The trailer rules that fire on one line. Trailer lines repeat across a history (the
    same sign-offs, thousands of times): what a line's trailers say depends on its text
    alone, so a short line is judged once and remembered."""
    short = len(line.text) <= MEMO_LINE
    judged = memo.get((line.text, ignored)) if short else None
    if judged is None:
        found = line_trailers(line)
        judged = _trailer_verdicts(catalog, index, found, ignored) if found else ()
        if short:
            if len(memo) >= _TRAILER_MEMO:
                memo.clear()  # a bound, so memory stays flat however long the history
            memo[(line.text, ignored)] = judged
    return judged


# Distinct trailer lines judged and remembered at most, per catalog, and the longest line
# remembered: sign-offs are short; a long line is rarely repeated, and would make the memo
# hold megabytes.
_TRAILER_MEMO = 4096
MEMO_LINE = 256


def _trailer_verdicts(catalog: Catalog, index: CatalogIndex, found: list[Trailer],
                      ignored: frozenset[str]) -> tuple[tuple[Rule, tuple[str, ...]], ...]:
    """The trailer rules that fire on the trailers of one line, each with its assistants."""
    verdicts = []
    for rule in index.trailer_rules:
        keyed = [t for t in found if index.keys[rule.id](t.key)]
        assistants = _trailer_assistants(catalog, rule, keyed, ignored) if keyed else ()
        if assistants:
            verdicts.append((rule, assistants))
    if any(rule.names for rule, _ in verdicts) and not all(rule.names for rule, _ in verdicts):
        # A name is a fallback: a line another rule already names needs no weaker finding.
        verdicts = [(rule, assistants) for rule, assistants in verdicts if not rule.names]
    return tuple(verdicts)


def _trailer_assistants(catalog: Catalog, rule: Rule, keyed: list[Trailer],
                        ignored: frozenset[str]) -> tuple[str, ...]:
    """The assistants a rule finds in the trailers of one line that have its keys: an
    assistant's address anywhere after the first key (names between addresses, a second
    `<...>`, a folded value), a disclosure in the names a value gives, or the rule's
    pattern."""
    agents: tuple[str, ...] = ()
    skip_names = False
    if rule.names:
        for trailer in keyed:
            agents = value_assistants(catalog.names, trailer.value, ignored)
            if agents:
                return agents
    if rule.identities or rule.disclosures:
        agents, skip_names = _identities_in(catalog, keyed[0].line.text[keyed[0].start:],
                                            ignored)
        if rule.identities and agents:
            return agents
    for trailer in keyed:
        if rule.disclosures and not (agents or skip_names):
            names = without_addresses(trailer.value)
            found = _assistants_for_disclosure(catalog, names)
            if found:
                return found
        if rule.pattern is not None and rule.pattern.search(trailer.value):
            return rule.assistants
    return ()


def _identities_in(catalog: Catalog, text: str, ignored: frozenset[str],
                   ) -> tuple[tuple[str, ...], bool]:
    """The assistants whose addresses `text` holds, and whether it holds an address the
    policy ignores."""
    found: list[str] = []
    ignored_any = False
    for name, address in addresses(text):
        forms = address_forms(address)
        if any(f in ignored or f"{name} <{f}>" in ignored for f in forms):
            ignored_any = True
            continue
        found.extend(assistants_for_identity(catalog, name, address))
    return tuple(dict.fromkeys(found)), ignored_any


# An inline code span (`...`) quotes what it holds, as a fenced block does: a footer written
# there is being talked about, never left by an assistant.
# One left open runs on to a later line: the rest of its line is quoted too.
_CODE_SPAN = re.compile(r"`[^`\n]*(?:`|\Z)")


def _marker_findings(catalog: Catalog, index: CatalogIndex,
                     lines: list[MessageLine]) -> list[Finding]:
    lines = [replace(ln, text=_CODE_SPAN.sub(" ", ln.text)) if "`" in ln.text else ln
             for ln in lines]
    if index.any_marker is not None:
        if index.markers_anywhere is not None and \
                not index.markers_anywhere.search("\n".join(ln.text for ln in lines)):
            return []
        # Only lines some marker rule matches: most lines of most messages match none.
        lines = [ln for ln in lines if index.any_marker.search(ln.text)]
    findings: list[Finding] = []
    # A rule that judges names (a footer's lead-in) runs last, on lines no other found.
    rules = sorted(index.marker_rules, key=lambda r: r.disclosures) if lines else []
    for rule in rules:
        assert rule.pattern is not None
        found_on = {f.line for f in findings} if rule.disclosures else set()
        for line in lines:
            if rule.scope == "subject" and not line.is_subject:
                continue
            if rule.scope == "body" and line.is_subject:
                continue
            if line.number in found_on:
                continue
            assistants = _marker_assistants(catalog, rule, line.text)
            if assistants:
                findings.append(Finding(
                    rule=rule.id, assistants=assistants, kind=rule.kind,
                    severity=rule.severity, evidence=printable(line.raw), line=line.number,
                ))
    return findings


# Of a footer's text after its lead-in ("Generated by ..."), what names the tool.
_FOOTER_NAME = 80
# Where the name ends: a link or an address, a dash, a sentence's end.
_FOOTER_NAME_END = re.compile(r"[(<]|\s[-\u2013\u2014|]\s|[.!;,](?:\s|$)")


def _marker_assistants(catalog: Catalog, rule: Rule, text: str) -> tuple[str, ...]:
    """The assistants a marker rule finds in one line: its own where its pattern matches;
    for a rule with `disclosures`, those the text after the match names (a footer's
    lead-in, "Built with", says nothing until an assistant's name follows it)."""
    assert rule.pattern is not None
    if not rule.disclosures:
        return rule.assistants if rule.pattern.search(text) else ()
    end = rule.pattern.end(text)
    if end < 0:
        return ()
    name = _FOOTER_NAME_END.split(text[end:end + _FOOTER_NAME], maxsplit=1)[0]
    name = _FOOTER_JOINER.split(name, maxsplit=1)[0].strip(" \t*_[]'\"")
    if not _names_a_tool(name):
        return ()
    return _assistants_for_disclosure(catalog, name)


# Where a tool's name ends in a footer: "Generated with Claude via Bedrock".
_FOOTER_JOINER = re.compile(r"\s(?:via|and|using|in|on|with|from|for|&|\+)\s", re.IGNORECASE)
# Words a product's name goes on with after its first ("Claude Code", "Gemini CLI 0.9").
_PRODUCT_WORDS = frozenset({"code", "cli", "agent", "ai", "chat", "assistant", "pro", "max",
                            "mini", "flash", "opus", "sonnet", "haiku", "preview"})
_VERSION = re.compile(r"v?\d")


def _names_a_tool(name: str) -> bool:
    """Whether the text after a footer's lead-in is a tool's name, not prose that a line
    wrap put after "generated by" ("goose create add_orders", "a cursor over (id)"): a
    few words, each after the first capitalized, a version or a product's word."""
    words = name.split()
    return 0 < len(words) <= 4 and all(
        word[:1].isupper() or _VERSION.match(word) or word.casefold() in _PRODUCT_WORDS
        for word in words[1:])


def findings_for_commit_text(catalog: Catalog, commit: Commit,
                             ignored: frozenset[str] = frozenset()) -> list[Finding]:
    """Findings for what a commit says about itself (message, author, committer) in each of
    its readings: a trace found only in another reading names that reading."""
    findings = findings_for_message(catalog, commit.message, ignored)
    for role, who in (("author", commit.author), ("committer", commit.committer)):
        findings.extend(findings_for_identity(catalog, who, role, ignored))
    seen = {_sameness(f) for f in findings}
    for reading in commit.readings:
        found = findings_for_message(catalog, reading.message, ignored) \
            if reading.message is not None else []
        for role, who in reading.identities:
            found.extend(findings_for_identity(catalog, who, role, ignored))
        for finding in found:
            if _sameness(finding) not in seen:
                seen.add(_sameness(finding))
                findings.append(replace(finding,
                                        evidence=f"{finding.evidence} ({reading.how})"))
    return findings


def _sameness(finding: Finding) -> tuple[object, ...]:
    """What makes findings in two readings of a commit the same: for a message, the rule
    and the line's text (its number differs between readings); for an identity, the rule
    and the assistants (any one address of theirs will do)."""
    if finding.line is None:
        return (finding.rule, finding.assistants)
    return (finding.rule, finding.evidence)


def findings_for_pr_text(catalog: Catalog, title: str, body: str) -> list[Finding]:
    """Traces in a pull request's title and description: the pull request markers (rules
    with scope "pr") and whatever a commit message would show (markers, trailers, their
    disguises), since a squash merge makes the title and description the commit's message.
    One finding per line: the first rule that names it, the pull request's own first."""
    text = f"{title}\n\n{body}"
    found: list[Finding] = []
    lines = message_lines(text)
    for rule in catalog.rules_for("message"):
        if rule.scope == "pr" and rule.pattern is not None:
            found.extend(Finding(rule=rule.id, assistants=rule.assistants, kind=rule.kind,
                                 severity=rule.severity, evidence=printable(line.raw),
                                 line=line.number)
                         for line in lines if rule.pattern.search(line.text))
    found.extend(findings_for_message(catalog, text))  # the title is the subject
    findings: list[Finding] = []
    seen: set[int | None] = set()
    for finding in found:
        if finding.line in seen:
            continue
        seen.add(finding.line)
        findings.append(_in_pull_request(finding))
    return findings


def _in_pull_request(finding: Finding) -> Finding:
    """A finding of the title (line 1) or the description (line 3 on: its line N - 2)."""
    if finding.line == 1:
        return replace(finding, line=None, pull_request="title")
    line = finding.line - 2 if finding.line is not None else None
    return replace(finding, line=line, pull_request="description")


def findings_for_identity(
    catalog: Catalog, identity: Identity, role: str, ignored: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Findings when the author or committer (`role`) is an assistant's identity."""
    memo = catalog_index(catalog).identity_findings
    key = (role, identity.name, identity.email, ignored)
    found = memo.get(key)
    if found is None:
        found = _findings_for_identity(catalog, identity, role, ignored)
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = found
    return list(found)


def _findings_for_identity(catalog: Catalog, identity: Identity, role: str,
                           ignored: frozenset[str]) -> tuple[Finding, ...]:
    email = normalize_text(identity.email).strip()
    if email in ignored or f"{normalize_text(identity.name).strip()} <{email}>" in ignored:
        return ()
    findings = []
    exact = assistants_for_identity(catalog, identity.name, identity.email)
    for rule in catalog.rules_for("identity"):
        if rule.role != role:
            continue
        assistants = exact if rule.identities else ()
        if rule.names and not exact:
            # A name is a fallback: an identity an exact rule names needs no weaker finding.
            assistants = name_assistants(catalog.names, normalize_text(identity.name).strip(),
                                         email)
        if assistants:
            findings.append(Finding(
                rule=rule.id, assistants=assistants, kind=rule.kind, severity=rule.severity,
                evidence=f"{role} {printable(str(identity))}",
            ))
    return tuple(findings)


def findings_for_branch(catalog: Catalog, branch: str) -> list[Finding]:
    """Findings for a ref or branch name: branch rules on the short name of a branch
    (refs/heads/ stripped; a name without refs/ is a branch), ref rules on the full name."""
    findings = _name_findings(catalog.rules_for("ref"), branch, "ref")
    if branch.startswith("refs/heads/") or not branch.startswith("refs/"):
        short = branch.removeprefix("refs/heads/")
        findings[:0] = _name_findings(catalog.rules_for("branch"), short, "branch")
    return findings


def _name_findings(rules: tuple[Rule, ...], name: str, label: str) -> list[Finding]:
    """A rule that `supersedes` a broader one replaces it for the same name (Qwen's
    refs/notes/ai-attribution, not also the family refs/notes/ai-*), as for paths."""
    text = normalize_text(name).strip()
    hits = [r for r in rules if r.pattern is not None and r.pattern.search(text)]
    superseded = {sid for r in hits for sid in r.supersedes}
    return [Finding(rule=r.id, assistants=r.assistants, kind=r.kind, severity=r.severity,
                    evidence=f"{label} {printable(name)}")
            for r in hits if r.id not in superseded]


def assistants_for_disclosure(catalog: Catalog, value: str) -> tuple[str, ...]:
    """The assistants a disclosure's value (normalized, addresses left out) names, as the
    disclosure rules judge it: detect/disclosure.py reads declarations by the same map."""
    return _assistants_for_disclosure(catalog, without_addresses(value))
