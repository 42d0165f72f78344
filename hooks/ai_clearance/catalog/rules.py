"""Load and validate the catalog of assistants and rules (the data lives in catalog.toml)."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ai_clearance.catalog.globs import GlobError, check_glob, compile_globs
from ai_clearance.catalog.patterns import Pattern, PatternError
from ai_clearance.errors import ConfigError
from ai_clearance.model import CONFIDENCES, RULE_ID, SEVERITIES

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from typing import Any

CATALOG_TOML = os.path.join(os.path.dirname(__file__), "catalog.toml")
CATALOG_JSON = os.path.join(os.path.dirname(__file__), "catalog.json")

_ASSISTANT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}\Z")
_RULE_KEYS = frozenset({
    "id", "assistants", "kind", "severity", "description", "remedy", "source", "confirmed",
    "paths", "exact_paths", "not_paths", "case_sensitive", "supersedes", "pattern", "scope", "keys",
    "identities", "disclosures", "role",
    "workflow_uses", "workflow_run", "workflow_installs", "workflow_images",
    "devcontainer_features", "editor_extensions", "env", "processes", "process_folders",
    "confidence", "names",
})
# What a content rule may say about a CI workflow or action's structure (workflows.py).
WORKFLOW_KEYS = ("workflow_uses", "workflow_run", "workflow_installs", "workflow_images",
                 "devcontainer_features", "editor_extensions")
_INSTALL_KINDS = ("npm:", "pypi:", "url:", "repo:", "nix:")
# A session rule's environment variable (NAME or NAME=VALUE) and executable names.
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}\Z")
_PROCESS_NAME = re.compile(r"[a-z0-9][a-z0-9._+-]{0,63}\Z")
# A folder an agent is installed in (`cursor-agent`, `amazon q.app`): one path component.
_FOLDER_NAME = re.compile(r"[a-z0-9][a-z0-9 ._+-]{0,63}\Z")
_ASSISTANT_KEYS = frozenset({
    "title", "emails", "logins", "named", "name_suffixes", "disclosure", "source", "confirmed",
})
# Longest message line or trailer value a rule's regex is run on (RE2 runs in linear time
# whatever the length: this bounds what a report quotes and what a message costs).
MAX_MATCH_CHARS = 8192


class Lazy:
    """A regex compiled on first use: a hook pays only for the rules it runs."""

    __slots__ = ("_compiled", "_factory", "ignore_case", "source")

    def __init__(self, source: str, factory: Callable[[], Pattern],
                 ignore_case: bool = False) -> None:
        self.source = source
        self.ignore_case = ignore_case  # as the factory compiles it
        self._factory = factory
        self._compiled: Pattern | None = None

    def get(self) -> Pattern:
        if self._compiled is None:
            self._compiled = self._factory()
        return self._compiled

    @property
    def pattern(self) -> str:
        return self.source

    def match(self, text: str) -> bool:
        return self.get().match(text)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> bool:
        return self.get().search(text, pos, endpos)

    def end(self, text: str) -> int:
        return self.get().end(text)


def glob_anchor(glob: str) -> tuple[str, str] | None:
    """A cheap necessary condition for a glob, case-folded: ("name", c) when some path
    component must equal c, ("final", c) when the last one must, ("prefix", p) or
    ("suffix", s) for the last wildcard component; None when the glob has no such anchor.
    Of several, one with a '.' is taken: the scan of git's output searches for anchors from
    their '.' (most have one), and an anchor without one costs a pass of its own over every
    byte of the listing. A name that ends the path and has no '.' (`**/Dockerfile`,
    `**/pre-commit`) is final: it is searched for from the NUL after the path, a pass far
    cheaper than one from a letter, and shared by all such names (one from '-' or '_'
    would be a pass of its own)."""
    parts = [p for p in glob.casefold().split("/") if p != "**"]
    found: list[tuple[str, str]] = [
        ("name", part) for part in parts if part and not any(ch in part for ch in "*?[")]
    last = parts[-1] if parts else ""
    if last.startswith("*") and not any(ch in last[1:] for ch in "*?["):
        found.append(("suffix", last[1:]))
    else:
        head = re.match(r"[^*?\[]+", last)
        if head:
            found.append(("prefix", head.group(0)))
    dotted = next((a for a in found if "." in a[1]), None)
    if dotted is not None:
        return dotted
    if last and last == glob.casefold().rpartition("/")[2] and \
            not any(ch in last for ch in "*?["):
        return ("final", last)
    return found[0] if found else None


@dataclass(frozen=True)
class Assistant:
    """An assistant family and the exact identities its commits carry."""

    id: str
    title: str
    emails: frozenset[str] = frozenset()
    logins: frozenset[str] = frozenset()
    named: frozenset[str] = frozenset()
    name_suffixes: tuple[str, ...] = ()
    disclosure: Lazy | None = None
    source: str = ""
    confirmed: bool = True


@dataclass(frozen=True)
class Rule:
    """One trace: the matcher fields used depend on `target` (derived from `kind`)."""

    id: str
    assistants: tuple[str, ...]
    kind: str
    target: str
    severity: str
    description: str
    remedy: str
    source: str = ""
    confirmed: bool = True
    path_globs: tuple[str, ...] = ()
    paths: Lazy | None = None
    exact_globs: tuple[str, ...] = ()
    exact_paths: Lazy | None = None
    not_paths: Lazy | None = None
    anchors: tuple[tuple[str, str], ...] | None = None
    case_sensitive: bool = False
    supersedes: frozenset[str] = frozenset()
    pattern: Lazy | None = None
    scope: str = "any"
    keys: frozenset[str] = frozenset()
    identities: bool = False
    disclosures: bool = False
    role: str | None = None
    origin: str = "catalog"
    workflow_uses: tuple[str, ...] = ()
    workflow_run: tuple[str, ...] = ()
    workflow_installs: tuple[str, ...] = ()
    workflow_images: tuple[str, ...] = ()
    devcontainer_features: tuple[str, ...] = ()
    editor_extensions: tuple[str, ...] = ()
    # Session rules: (NAME, VALUE) pairs, VALUE case-folded or None for any non-empty value;
    # executable names (lower case) an ancestor process may run as.
    env: tuple[tuple[str, str | None], ...] = ()
    processes: frozenset[str] = frozenset()
    # Folders (lower case, one path component) one of the process's paths must pass through:
    # the second signal that makes a generic executable name (`agent`, `q`) an agent's.
    process_folders: frozenset[str] = frozenset()
    confidence: str = "high"
    # Trailer and identity rules: match a name that is an assistant product's or a model's,
    # with no person's address behind it ([names] in the catalog; detect/names.py).
    names: bool = False

    @property
    def judges_workflows(self) -> bool:
        """Whether this rule reads a workflow's structure (not only its lines)."""
        return bool(self.workflow_uses or self.workflow_run or self.workflow_installs
                    or self.workflow_images or self.devcontainer_features
                    or self.editor_extensions)


@dataclass(frozen=True)
class Names:
    """The [names] table: what assistant products and model families are called, so that a
    co-author or an author written as a name alone (`Claude`, `gpt-4-turbo`) is known.
    `products`: a whole name (words joined by one space) -> assistants; `families`: a
    model family's first word -> assistants; `model_words`: words that may follow a family
    word in a model's name (`turbo`, `pro`); `machine_words`: words of an address's local
    part that no person's mailbox is made of alone (`noreply`, `bot`); `sites`: a host name
    an assistant's maker uses for it alone (`claude.ai`, `chatgpt.com`) -> assistants, which
    that host and the hosts under it name."""

    products: dict[str, tuple[str, ...]] = field(default_factory=dict)
    families: dict[str, tuple[str, ...]] = field(default_factory=dict)
    model_words: frozenset[str] = frozenset()
    machine_words: frozenset[str] = frozenset()
    sites: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    """All assistants and rules, with indexes for the detectors."""

    version: int
    assistants: dict[str, Assistant]
    rules: tuple[Rule, ...]
    kinds: dict[str, str] = field(default_factory=dict)
    remedies: dict[str, str] = field(default_factory=dict)
    by_id: dict[str, Rule] = field(default_factory=dict)
    email_index: dict[str, tuple[str, ...]] = field(default_factory=dict)
    login_index: dict[str, tuple[str, ...]] = field(default_factory=dict)
    named_index: dict[str, tuple[str, ...]] = field(default_factory=dict)
    name_suffixes: tuple[tuple[str, str], ...] = ()
    by_target: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    names: Names = field(default_factory=Names)

    def rules_for(self, target: str) -> tuple[Rule, ...]:
        """The rules that look at `target` (paths, content, message, identity, branch)."""
        return self.by_target.get(target, ())


def _fail(where: str, message: str) -> ConfigError:
    return ConfigError(f"{where}: {message}")


def _str_list(value: Any, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"'{key}' must be a list of strings")
    return tuple(value)


def _text(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, f"'{key}' must be a string")
    return value


def _flag(value: Any, where: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, f"'{key}' must be true or false")
    return value


def compile_pattern(source: str, where: str, ignore_case: bool = False) -> Pattern:
    """Compile a rule's regex with RE2 (linear time), refusing one RE2 does not accept."""
    try:
        return Pattern(source, ignore_case=ignore_case)
    except PatternError as exc:
        raise _fail(where, f"pattern does not compile with RE2: {exc}") from None


def lazy_pattern(source: str, where: str, eager: bool, ignore_case: bool = False) -> Lazy:
    """A rule's regex; `eager` compiles (and checks) it now, as for a repository's own
    rules, whose errors must surface at load time. The shipped catalog is checked by tests."""
    lazy = Lazy(source, lambda: compile_pattern(source, where, ignore_case), ignore_case)
    if eager:
        lazy.get()
    return lazy


def lazy_globs(globs: tuple[str, ...], fold: bool, where: str, eager: bool) -> Lazy | None:
    """Globs as one lazily compiled pattern (None when there are none)."""
    if not globs:
        return None

    def build() -> Pattern:
        try:
            pattern = compile_globs(list(globs), fold=fold)
        except GlobError as exc:
            raise _fail(where, str(exc)) from None
        assert pattern is not None
        return pattern

    lazy = Lazy(" | ".join(globs), build)
    if eager:
        lazy.get()
    return lazy


def _assistant(aid: str, data: Any, where: str, eager: bool) -> Assistant:
    where = f"{where} [assistants.{aid}]"
    if not _ASSISTANT_ID.match(aid):
        raise _fail(where, "assistant ids are lower-case letters, digits and '-'")
    if not isinstance(data, dict):
        raise _fail(where, "must be a table")
    unknown = set(data) - _ASSISTANT_KEYS
    if unknown:
        raise _fail(where, f"unknown key '{sorted(unknown)[0]}'")
    disclosure = data.get("disclosure")
    return Assistant(
        id=aid,
        title=_text(data.get("title", aid), where, "title"),
        emails=frozenset(e.casefold() for e in _str_list(data.get("emails", []), where, "emails")),
        logins=frozenset(x.casefold() for x in _str_list(data.get("logins", []), where, "logins")),
        named=frozenset(x.casefold() for x in _str_list(data.get("named", []), where, "named")),
        name_suffixes=tuple(
            x.casefold() for x in _str_list(data.get("name_suffixes", []), where, "name_suffixes")
        ),
        disclosure=None if disclosure is None else lazy_pattern(
            _text(disclosure, where, "disclosure"), where, eager),
        source=_text(data.get("source", ""), where, "source"),
        confirmed=_flag(data.get("confirmed", True), where, "confirmed"),
    )


def parse_rule(
    data: Any, where: str, kinds: dict[str, str], remedies: dict[str, str],
    assistants: dict[str, Assistant], origin: str, eager: bool = True,
) -> Rule:
    """Validate one [[rules]] table and return it compiled."""
    rid, where = _rule_id(data, where)
    kind, severity = _rule_kind_and_severity(data, where, kinds)
    target = kinds[kind]
    rule_assistants, identities, disclosures = _rule_assistants(data, where, assistants)
    names = _flag(data.get("names", False), where, "names")
    if names and target not in ("message", "identity"):
        raise _fail(where, "'names' is only for trailer and identity rules")
    confidence = _text(data.get("confidence", "high"), where, "confidence")
    if confidence not in CONFIDENCES:
        raise _fail(where, f"confidence must be one of {', '.join(CONFIDENCES)}")
    paths = _rule_paths(data, where, eager)
    pattern_source = data.get("pattern")
    pattern = None if pattern_source is None else lazy_pattern(
        _text(pattern_source, where, "pattern"), where, eager, ignore_case=target == "content")
    keys = frozenset(k.casefold() for k in _str_list(data.get("keys", []), where, "keys"))
    scope = _text(data.get("scope", "any"), where, "scope")
    if scope not in ("any", "subject", "body", "pr"):
        raise _fail(where, "scope must be any, subject, body or pr")
    role = data.get("role")
    has_paths = paths["paths"] is not None or paths["exact_paths"] is not None
    if target == "paths" and not has_paths:
        raise _fail(where, f"a '{kind}' rule needs 'paths'")
    workflow = _workflow_fields(data, where)
    env, processes, folders = _session_fields(data, where, target)
    _check_target_needs(where, kind, target, has_paths, pattern is not None, workflow,
                        bool(keys), identities or disclosures or names, role)
    return Rule(
        id=rid,
        assistants=rule_assistants,
        kind=kind,
        target=target,
        severity=severity,
        description=_text(data["description"], where, "description"),
        remedy=_text(data.get("remedy", remedies.get(kind, "")), where, "remedy"),
        source=_text(data.get("source", ""), where, "source"),
        confirmed=_flag(data.get("confirmed", True), where, "confirmed"),
        **paths,
        supersedes=frozenset(_str_list(data.get("supersedes", []), where, "supersedes")),
        pattern=pattern,
        scope=scope,
        keys=keys,
        identities=identities,
        disclosures=disclosures,
        role=role if isinstance(role, str) else None,
        origin=origin,
        workflow_uses=workflow.get("workflow_uses", ()),
        workflow_run=workflow.get("workflow_run", ()),
        workflow_installs=workflow.get("workflow_installs", ()),
        workflow_images=workflow.get("workflow_images", ()),
        devcontainer_features=workflow.get("devcontainer_features", ()),
        editor_extensions=workflow.get("editor_extensions", ()),
        env=env,
        processes=processes,
        process_folders=folders,
        confidence=confidence,
        names=names,
    )


def _session_fields(data: dict[str, Any], where: str, target: str,
                    ) -> tuple[tuple[tuple[str, str | None], ...], frozenset[str],
                               frozenset[str]]:
    """A session rule's `env` entries (NAME or NAME=VALUE), `processes` (executable names,
    lower case, no folder) and `process_folders` (folder names an ancestor's path must pass
    through): `env` or one of the others, and only on a session rule."""
    raw_env = _str_list(data.get("env", []), where, "env")
    raw_processes = _str_list(data.get("processes", []), where, "processes")
    raw_folders = _str_list(data.get("process_folders", []), where, "process_folders")
    if target != "session":
        if raw_env or raw_processes or raw_folders:
            raise _fail(where, "'env', 'processes' and 'process_folders' are only for "
                               "'session' rules")
        return (), frozenset(), frozenset()
    if not raw_env and not raw_processes and not raw_folders:
        raise _fail(where, "a 'session' rule needs 'env' or 'processes'")
    env: list[tuple[str, str | None]] = []
    for entry in raw_env:
        name, equals, value = entry.partition("=")
        if not _ENV_NAME.match(name) or (equals and not value.strip()):
            raise _fail(where, f"'env' entries are NAME or NAME=VALUE ({entry!r})")
        env.append((name, value.strip().casefold() if equals else None))
    for name in raw_processes:
        if not _PROCESS_NAME.match(name):
            raise _fail(where, f"'processes' entries are lower-case executable names "
                               f"without a folder ({name!r})")
    for name in raw_folders:
        if not _FOLDER_NAME.match(name) or name.endswith(" "):
            raise _fail(where, f"'process_folders' entries are lower-case folder names, "
                               f"one path component ({name!r})")
    return tuple(env), frozenset(raw_processes), frozenset(raw_folders)


def _rule_id(data: Any, where: str) -> tuple[str, str]:
    """A rule table's id, and `where` extended to name it."""
    if not isinstance(data, dict):
        raise _fail(where, "each [[rules]] entry must be a table")
    rid = data.get("id")
    if not isinstance(rid, str) or not RULE_ID.match(rid):
        raise _fail(where, f"rule id {rid!r} must look like AIC101 (letters then three digits)")
    return rid, f"{where} rule {rid}"


def _rule_kind_and_severity(data: dict[str, Any], where: str,
                            kinds: dict[str, str]) -> tuple[str, str]:
    """A rule's kind and severity, after checking it has only known keys and the required
    ones."""
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise _fail(where, f"unknown key '{sorted(unknown)[0]}'")
    for required in ("kind", "severity", "description"):
        if required not in data:
            raise _fail(where, f"missing '{required}'")
    kind = _text(data["kind"], where, "kind")
    if kind not in kinds:
        raise _fail(where, f"kind must be one of {', '.join(sorted(kinds))}")
    severity = _text(data["severity"], where, "severity")
    if severity not in SEVERITIES:
        raise _fail(where, f"severity must be one of {', '.join(SEVERITIES)}")
    return kind, severity


def _rule_assistants(data: dict[str, Any], where: str,
                     assistants: dict[str, Assistant]) -> tuple[tuple[str, ...], bool, bool]:
    """The assistants a rule names (all known), and its `identities` and `disclosures`
    flags; a rule that matches neither needs at least one assistant."""
    rule_assistants = _str_list(data.get("assistants", []), where, "assistants")
    for aid in rule_assistants:
        if aid not in assistants:
            raise _fail(where, f"unknown assistant '{aid}'")
    identities = _flag(data.get("identities", False), where, "identities")
    disclosures = _flag(data.get("disclosures", False), where, "disclosures")
    if not rule_assistants and not (identities or disclosures or data.get("names") is True):
        raise _fail(where, "'assistants' must name at least one assistant")
    return rule_assistants, identities, disclosures


def _rule_paths(data: dict[str, Any], where: str, eager: bool) -> dict[str, Any]:
    """The path fields of a Rule: its globs checked, compiled (when `eager`) and anchored."""
    case_sensitive = _flag(data.get("case_sensitive", False), where, "case_sensitive")
    globs = _str_list(data.get("paths", []), where, "paths")
    exact_globs = _str_list(data.get("exact_paths", []), where, "exact_paths")
    not_globs = _str_list(data.get("not_paths", []), where, "not_paths")
    for glob in (*globs, *exact_globs, *not_globs) if eager else ():
        try:
            check_glob(glob)
        except GlobError as exc:
            raise _fail(where, str(exc)) from None
    # An exact-case match is a folded one too: the folded anchor is still necessary.
    anchors = tuple(glob_anchor(g) for g in (*globs, *exact_globs))
    return {
        "path_globs": globs,
        "paths": lazy_globs(globs, not case_sensitive, where, eager),
        "exact_globs": exact_globs,
        "exact_paths": lazy_globs(exact_globs, False, where, eager),
        "not_paths": lazy_globs(not_globs, False, where, eager),
        "anchors": None if any(a is None for a in anchors) else tuple(
            a for a in anchors if a is not None),
        "case_sensitive": case_sensitive,
    }


def _check_target_needs(where: str, kind: str, target: str, has_paths: bool,
                        has_pattern: bool, workflow: dict[str, tuple[str, ...]],
                        has_keys: bool, matches_people: bool, role: Any) -> None:
    """Each target needs its own fields: content rules paths and a pattern or workflow
    lists, trailers keys, messages and refs a pattern, identities a role."""
    if workflow and target != "content":
        raise _fail(where, f"'{next(iter(workflow))}' is only for 'content' rules")
    if target == "content" and (not has_paths or (not has_pattern and not workflow)):
        raise _fail(where, "a 'content' rule needs 'paths', and 'pattern' or workflow_* lists")
    if kind == "trailer" and not has_keys:
        raise _fail(where, "a 'trailer' rule needs 'keys'")
    if target == "message" and not has_pattern and not matches_people:
        raise _fail(where, f"a '{kind}' rule needs 'pattern'")
    if target in ("branch", "ref") and not has_pattern:
        raise _fail(where, f"a '{kind}' rule needs 'pattern'")
    if target == "identity" and role not in ("author", "committer"):
        raise _fail(where, "an 'identity' rule needs role = author or committer")


def _workflow_fields(data: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    """The workflow_* lists of a rule that has any, checked: entries are one line of
    printable text; an install names its kind (npm:, pypi:, url:, repo:)."""
    found = {}
    for key in WORKFLOW_KEYS:
        if key not in data:
            continue
        entries = _str_list(data[key], where, key)
        for entry in entries:
            if not entry.strip() or not entry.isprintable():
                raise _fail(where, f"'{key}' has an empty or unprintable entry")
            if key == "workflow_installs" and (not entry.startswith(_INSTALL_KINDS)
                                               or not entry.partition(":")[2].strip()):
                raise _fail(where, f"'{key}' entries start with npm:, pypi: or url: "
                                   f"(or repo:, nix:) ({entry!r})")
        if entries:
            found[key] = entries
    return found


_LIST_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")
_PATH_KEYS = ("paths", "exact_paths", "not_paths")


def expand_path_lists(data: dict[str, Any], where: str) -> dict[str, Any]:
    """`data` with its [path_lists] written out and the table dropped (catalog.json holds
    the expanded lists). In a rule's paths, exact_paths or not_paths, and in a list, an
    entry "@name" is that list's entries in order, and "!entry" drops that entry ("!@name":
    each of that list's entries) from the entries before it; either must name what exists."""
    raw = data.get("path_lists", {})
    if not isinstance(raw, dict):
        raise _fail(where, "[path_lists] must be a table of name = list of paths")
    for name, entries in raw.items():
        if not _LIST_NAME.match(name):
            raise _fail(where, f"[path_lists] names are lower-case letters, digits and '_' "
                               f"({name!r})")
        _str_list(entries, f"{where} [path_lists]", name)
    expanded = {k: v for k, v in data.items() if k != "path_lists"}
    rules = data.get("rules", [])
    if isinstance(rules, list):
        expanded["rules"] = [_rule_with_lists(rule, raw, where) for rule in rules]
    return expanded


def _rule_with_lists(rule: Any, lists: dict[str, list[str]], where: str) -> Any:
    """One [[rules]] table with the path lists its path keys name written out."""
    if not isinstance(rule, dict) or not any(isinstance(rule.get(k), list) for k in _PATH_KEYS):
        return rule
    where = f"{where} rule {rule.get('id')}"
    written = dict(rule)
    for key in _PATH_KEYS:
        if isinstance(rule.get(key), list):
            written[key] = _listed(_str_list(rule[key], where, key), lists, where, key, ())
    return written


def _listed(entries: tuple[str, ...], lists: dict[str, list[str]], where: str, key: str,
            within: tuple[str, ...]) -> list[str]:
    """`entries` with "@name" written out and "!entry" applied (see `expand_path_lists`);
    `within` holds the lists being written out, to refuse one that names itself."""
    out: list[str] = []
    for entry in entries:
        if entry.startswith("!"):
            dropped = _listed((entry[1:],), lists, where, key, within)
            missing = [item for item in dropped if item not in out]
            if missing or not dropped:
                raise _fail(where, f"'{key}' drops {entry[1:]!r}, which is not in it")
            out = [item for item in out if item not in dropped]
        elif entry.startswith("@"):
            name = entry[1:]
            if name not in lists:
                raise _fail(where, f"'{key}' names unknown path list '{entry}' "
                                   f"(known: {', '.join(sorted(lists)) or 'none'})")
            if name in within:
                raise _fail(where, f"path list '{entry}' contains itself")
            out += _listed(tuple(lists[name]), lists, where, key, (*within, name))
        else:
            out.append(entry)
    return out


def build_catalog(data: dict[str, Any], where: str, base: Catalog | None = None,
                  eager: bool = True) -> Catalog:
    """Validate catalog-format data; with `base`, the data extends that catalog. `eager`
    compiles every regex now (the shipped catalog defers that to first use). Path lists
    ([path_lists], catalog.toml's only: catalog.json has them written out) are expanded first."""
    if base is None and "path_lists" in data:
        data = expand_path_lists(data, where)
    if base is None:
        version = data.get("version")
        if version != 1:
            raise _fail(where, f"unsupported catalog version {version!r}")
        kinds = data.get("kinds")
        remedies = data.get("remedies")
        if not isinstance(kinds, dict) or not isinstance(remedies, dict):
            raise _fail(where, "missing [kinds] or [remedies]")
        assistants: dict[str, Assistant] = {}
        rules: list[Rule] = []
        origin = "catalog"
    else:
        version = base.version
        kinds, remedies = base.kinds, base.remedies
        assistants = dict(base.assistants)
        rules = list(base.rules)
        origin = where
    _add_assistants(data.get("assistants", {}), where, eager, assistants)
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise _fail(where, "'rules' must be an array of tables ([[rules]])")
    names = _names(data.get("names", {}), where, assistants,
                   base.names if base is not None else Names())
    seen = {r.id for r in rules}
    for entry in raw_rules:
        rule = parse_rule(entry, where, kinds, remedies, assistants, origin, eager)
        if rule.id in seen:
            raise _fail(where, f"rule id {rule.id} is already used")
        seen.add(rule.id)
        rules.append(rule)
    _check_supersedes(rules, where)
    return _indexed(Catalog(
        version=version, assistants=assistants, rules=tuple(rules),
        kinds={str(k): str(v) for k, v in kinds.items()},
        remedies={str(k): str(v) for k, v in remedies.items()},
        names=names,
    ))


def _add_assistants(raw: Any, where: str, eager: bool, assistants: dict[str, Assistant]) -> None:
    """Add the [assistants] table's entries to `assistants`; an id may not be reused."""
    if not isinstance(raw, dict):
        raise _fail(where, "[assistants] must be a table")
    for aid, entry in raw.items():
        if aid in assistants:
            raise _fail(where, f"assistant '{aid}' is already in the catalog")
        assistants[aid] = _assistant(aid, entry, where, eager)


_NAME_WORD = re.compile(r"[a-z0-9][a-z0-9.]{0,39}\Z")


def _names(raw: Any, where: str, assistants: dict[str, Assistant], base: Names) -> Names:
    """The [names] table (see `Names`), added to `base`: `products` and `models` map
    assistant ids to lists of names (lower case, words of letters, digits and dots joined
    by one space; a model family is one word); `model_words` and `machine_words` are lists
    of such words; `sites` maps assistant ids to lists of host names (see `Names`)."""
    where = f"{where} [names]"
    if not isinstance(raw, dict):
        raise _fail(where, "must be a table")
    unknown = set(raw) - {"products", "models", "model_words", "machine_words", "sites"}
    if unknown:
        raise _fail(where, f"unknown key '{sorted(unknown)[0]}'")
    words = {key: frozenset(_name_words(raw.get(key, []), where, key, single=True))
             for key in ("model_words", "machine_words")}
    found = {"products": {k: list(v) for k, v in base.products.items()},
             "models": {k: list(v) for k, v in base.families.items()},
             "sites": {k: list(v) for k, v in base.sites.items()}}
    for key, single in (("products", False), ("models", True), ("sites", True)):
        table = raw.get(key, {})
        if not isinstance(table, dict):
            raise _fail(where, f"'{key}' must be a table of assistant id = list of names")
        for aid, entries in table.items():
            if aid not in assistants:
                raise _fail(where, f"'{key}' names unknown assistant '{aid}'")
            named = _hosts(entries, where, f"{key}.{aid}") if key == "sites" \
                else _name_words(entries, where, f"{key}.{aid}", single)
            for name in named:
                ids = found[key].setdefault(name, [])
                if aid not in ids:
                    ids.append(aid)
    return Names(
        products={k: tuple(v) for k, v in found["products"].items()},
        families={k: tuple(v) for k, v in found["models"].items()},
        model_words=base.model_words | words["model_words"],
        machine_words=base.machine_words | words["machine_words"],
        sites={k: tuple(v) for k, v in found["sites"].items()},
    )


# A site's host name: lower-case labels of letters, digits and inner dashes, at least two.
_SITE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]\Z")
MAX_SITE = 253  # a host name's longest (DNS)


def _hosts(value: Any, where: str, key: str) -> tuple[str, ...]:
    """A list of host names as [names.sites] writes them, checked (see `Names`)."""
    entries = _str_list(value, where, key)
    for entry in entries:
        if len(entry) > MAX_SITE or not _SITE.match(entry):
            raise _fail(where, f"'{key}' entries are lower-case host names of two labels "
                               f"or more, without a scheme or a path ({entry!r})")
    return entries


def _name_words(value: Any, where: str, key: str, single: bool) -> tuple[str, ...]:
    """A list of names as the [names] table writes them, checked (see `_names`)."""
    entries = _str_list(value, where, key)
    for entry in entries:
        words = entry.split(" ")
        if not all(_NAME_WORD.match(w) for w in words) or (single and len(words) > 1):
            raise _fail(where, f"'{key}' entries are lower-case words of letters, digits "
                               f"and dots{'' if single else ' joined by one space'} "
                               f"({entry!r})")
    return entries


def _check_supersedes(rules: list[Rule], where: str) -> None:
    """Every rule a rule supersedes must exist."""
    ids = {r.id for r in rules}
    for rule in rules:
        for sid in rule.supersedes:
            if sid not in ids:
                raise _fail(where, f"rule {rule.id} supersedes unknown rule {sid}")


def _indexed(catalog: Catalog) -> Catalog:
    emails: dict[str, list[str]] = {}
    logins: dict[str, list[str]] = {}
    named: dict[str, list[str]] = {}
    suffixes: list[tuple[str, str]] = []
    for a in catalog.assistants.values():
        for e in a.emails:
            emails.setdefault(e, []).append(a.id)
        for login in a.logins:
            logins.setdefault(login, []).append(a.id)
        for n in a.named:
            named.setdefault(n, []).append(a.id)
        suffixes.extend((s, a.id) for s in a.name_suffixes)
    return replace(
        catalog,
        by_id={r.id: r for r in catalog.rules},
        email_index={k: tuple(v) for k, v in emails.items()},
        login_index={k: tuple(v) for k, v in logins.items()},
        named_index={k: tuple(v) for k, v in named.items()},
        name_suffixes=tuple(suffixes),
        by_target={t: tuple(r for r in catalog.rules if r.target == t)
                   for t in {r.target for r in catalog.rules}},
    )


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """Parse TOML, turning a syntax error into a one-line ConfigError naming the file."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(where, f"invalid TOML: {exc}") from None
    except RecursionError:  # the parser recurses once per nested array or inline table
        raise _fail(where, "invalid TOML: arrays or inline tables nested too deeply") from None


_CACHE: list[Catalog] = []


def load_catalog() -> Catalog:
    """The catalog shipped with the package, parsed once per process from its fastest form:
    catalog.json, generated from catalog.toml (`python -m ai_clearance.catalog`)."""
    if not _CACHE:
        with open(CATALOG_JSON, encoding="utf-8") as handle:
            data = json.load(handle)
        _CACHE.append(build_catalog(data, "catalog.json", eager=False))
    return _CACHE[0]


def json_catalog_text() -> str:
    """catalog.json's text: catalog.toml validated (every pattern compiled), its path
    lists written out."""
    with open(CATALOG_TOML, encoding="utf-8") as handle:
        data = expand_path_lists(parse_toml(handle.read(), "catalog.toml"), "catalog.toml")
    build_catalog(data, "catalog.toml")
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def write_json_catalog() -> None:
    """Regenerate catalog.json from catalog.toml (run after editing the catalog)."""
    text = json_catalog_text()
    with open(CATALOG_JSON, "w", encoding="utf-8") as handle:
        handle.write(text)


if __name__ == "__main__":
    write_json_catalog()
