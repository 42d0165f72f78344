"""The repository's policy: which assistants are restricted, severities, excludes, own rules."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ai_clearance.approvals.trustfiles import POLICY_FILE, PYPROJECT
from ai_clearance.catalog.globs import GlobError, compile_globs
from ai_clearance.catalog.patterns import Pattern
from ai_clearance.catalog.rules import Catalog, build_catalog, parse_toml
from ai_clearance.detect.disclosure import DISCLOSURE_KEYS
from ai_clearance.detect.normalize import normalize_text
from ai_clearance.errors import ConfigError
from ai_clearance.localfiles import read_regular
from ai_clearance.model import CONFIDENCES, SEVERITIES

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from typing import Any

_KEYS = frozenset({
    "restricted", "allowed", "severity", "exclude_paths", "ignore_identities", "rules",
    "assistants", "allow_open_ended_approvals", "require_signed_commits", "repository_id",
    "session", "mode", "disclosure_keys", "block_confidence", "names",
})
# What the commit-time checks do about an agent session running the commit: report it as
# a finding (block), the same and let an approved one disclose itself (disclose), or not
# look (off).
SESSION_MODES = ("block", "disclose", "off")
# What a trace needs to pass: an approval (forbid, the default), an approval and a disclosure
# trailer in its commit (approve), or a disclosure trailer alone (disclose).
MODES = ("forbid", "approve", "disclose")
# A disclosure key as git writes one.
_DISCLOSURE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,63}\Z")
# The key `ai-clearance` as TOML could spell it in a table header, a dotted key or an inline
# table. Loose on purpose: when in doubt, a pyproject.toml that does not parse is judged.
_POLICY_KEY = re.compile(r"""\bai-clearance["']?[ \t]*[.=\]]""")


@dataclass(frozen=True)
class Policy:
    """A validated policy, with the catalog extended by the repository's own rules."""

    catalog: Catalog
    restricted: frozenset[str]
    allowed: frozenset[str]
    severity: dict[str, str] = field(default_factory=dict)
    exclude_paths: Pattern | None = None
    ignored_identities: frozenset[str] = frozenset()
    origin: str = "defaults"
    allow_open_ended_approvals: bool = False
    require_signed_commits: bool = False
    # Names this repository in override tokens, so that a token cannot be replayed elsewhere.
    repository_id: str | None = None
    session: str = "block"
    mode: str = "forbid"
    # The disclosure trailers this repository accepts (lower case).
    disclosure_keys: tuple[str, ...] = DISCLOSURE_KEYS
    # The lowest rule confidence whose findings may fail a check; a finding of a lower one
    # (a name, not an address, when this is "high") only warns.
    block_confidence: str = "medium"

    def is_restricted(self, assistant: str) -> bool:
        """Whether using `assistant` needs an approval."""
        if assistant in self.allowed:
            return False
        return "*" in self.restricted or assistant in self.restricted


def default_policy(catalog: Catalog) -> Policy:
    """Everything restricted, nothing excluded: what a repository gets with no config."""
    return Policy(catalog=catalog, restricted=frozenset({"*"}), allowed=frozenset())


def _ids(value: Any, where: str, key: str, catalog: Catalog) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of assistant ids")
    for aid in value:
        if aid != "*" and aid not in catalog.assistants:
            raise ConfigError(f"{where}: '{key}' names unknown assistant '{aid}' "
                              "(see `ai-clearance rules --assistants`)")
    return frozenset(value)


def build_policy(data: dict[str, Any], where: str, catalog: Catalog) -> Policy:
    """Validate policy data read from `where`."""
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key '{sorted(unknown)[0]}' "
                          f"(known: {', '.join(sorted(_KEYS))})")
    if "rules" in data or "assistants" in data or "names" in data:
        catalog = build_catalog(
            {"rules": data.get("rules", []), "assistants": data.get("assistants", {}),
             "names": data.get("names", {})},
            where, base=catalog)
    restricted = _ids(data.get("restricted", ["*"]), where, "restricted", catalog)
    allowed = _ids(data.get("allowed", []), where, "allowed", catalog)
    if "*" in allowed:
        raise ConfigError(f"{where}: 'allowed' cannot be '*'; leave 'restricted' empty instead")
    severity = _severities(data.get("severity", {}), where, catalog)
    exclude_paths = _exclude_paths(data.get("exclude_paths", []), where)
    identities = _ignored_identities(data.get("ignore_identities", []), where)
    repository_id = _repository_id(data.get("repository_id"), where)
    session = data.get("session", "block")
    if session not in SESSION_MODES:
        raise ConfigError(f"{where}: 'session' must be one of {', '.join(SESSION_MODES)}")
    mode = data.get("mode", "forbid")
    if mode not in MODES:
        raise ConfigError(f"{where}: 'mode' must be one of {', '.join(MODES)}")
    disclosure_keys = _disclosure_keys(data.get("disclosure_keys", list(DISCLOSURE_KEYS)),
                                       where)
    block_confidence = data.get("block_confidence", "medium")
    if block_confidence not in CONFIDENCES:
        raise ConfigError(f"{where}: 'block_confidence' must be one of {', '.join(CONFIDENCES)}")
    flags = {key: _flag(data, key, where)
             for key in ("allow_open_ended_approvals", "require_signed_commits")}
    return Policy(
        catalog=catalog,
        allow_open_ended_approvals=flags["allow_open_ended_approvals"],
        require_signed_commits=flags["require_signed_commits"],
        repository_id=repository_id,
        session=session,
        mode=mode,
        disclosure_keys=disclosure_keys,
        block_confidence=block_confidence,
        restricted=restricted,
        allowed=allowed,
        severity=severity,
        exclude_paths=exclude_paths,
        ignored_identities=identities,
        origin=where,
    )


def _severities(value: Any, where: str, catalog: Catalog) -> dict[str, str]:
    """The `severity` table: known rule ids mapped to known severities."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: 'severity' must be a table of rule id = severity")
    for rid, level in value.items():
        if rid not in catalog.by_id:
            raise ConfigError(f"{where}: 'severity' names unknown rule '{rid}'")
        if level not in SEVERITIES:
            raise ConfigError(f"{where}: severity of {rid} must be one of {', '.join(SEVERITIES)}")
    return {str(k): str(v) for k, v in value.items()}


def _disclosure_keys(value: Any, where: str) -> tuple[str, ...]:
    """The `disclosure_keys`: trailer keys as git writes them (`Assisted-by`), lower case."""
    if not isinstance(value, list) or not value or not all(
            isinstance(v, str) and _DISCLOSURE_KEY.match(v) for v in value):
        raise ConfigError(f"{where}: 'disclosure_keys' must be a non-empty list of trailer "
                          "keys (letters, digits and dashes, e.g. \"Assisted-by\")")
    return tuple(dict.fromkeys(v.casefold() for v in value))


def _exclude_paths(value: Any, where: str) -> Pattern | None:
    """The `exclude_paths` globs, compiled into one pattern."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: 'exclude_paths' must be a list of globs")
    try:
        return compile_globs(value, fold=False)
    except GlobError as exc:
        raise ConfigError(f"{where}: exclude_paths: {exc}") from None


def _ignored_identities(value: Any, where: str) -> frozenset[str]:
    """The `ignore_identities` e-mails or 'Name <email>' identities, normalized."""
    if not isinstance(value, list) or not all(isinstance(v, str) and "@" in v for v in value):
        raise ConfigError(f"{where}: 'ignore_identities' must be a list of e-mail addresses "
                          "or 'Name <email>' identities")
    return frozenset(normalize_text(v).strip() for v in value)


def _repository_id(value: Any, where: str) -> str | None:
    """The `repository_id`, stripped; None when the policy does not set one."""
    if value is not None and (not isinstance(value, str) or
                              not 0 < len(value.strip()) <= 200):
        raise ConfigError(f"{where}: 'repository_id' must be a short string naming this "
                          "repository (e.g. \"github.com/acme/widgets\")")
    return value.strip() if value else None


def _flag(data: dict[str, Any], key: str, where: str) -> bool:
    """A true/false setting, false when absent."""
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: '{key}' must be true or false")
    return value


def policy_from_text(text: str, where: str, catalog: Catalog, pyproject: bool) -> Policy | None:
    """Parse a policy file's text; for pyproject.toml, None when it has no policy table."""
    try:
        data = parse_toml(text, where)
    except ConfigError:
        if pyproject and not mentions_policy(text):
            return None  # not ours to judge: a broken build file must not stop every check
        raise
    if pyproject:
        tool = data.get("tool", {})
        section = tool.get("ai-clearance") if isinstance(tool, dict) else None
        if section is None:
            return None
        if not isinstance(section, dict):
            raise ConfigError(f"{where}: [tool.ai-clearance] must be a table")
        return build_policy(section, f"{where} [tool.ai-clearance]", catalog)
    return build_policy(data, where, catalog)


def mentions_policy(pyproject: str) -> bool:
    """Whether a pyproject.toml text may hold a [tool.ai-clearance] table (without parsing
    it: it may not parse)."""
    return _POLICY_KEY.search(pyproject) is not None


def _read(path: str, follow: bool = True) -> str:
    """A policy file's text: a regular file (a FIFO or device is refused, never waited on;
    without `follow`, as in a work tree, so is a symlink)."""
    try:
        raw = read_regular(path, follow=follow)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None


def policy_from_texts(catalog: Catalog, own: str | None, pyproject: str | None,
                      label: str) -> Policy:
    """The policy given the texts of .ai-clearance.toml and pyproject.toml (None: absent),
    as read from `label` (a commit or the work tree; empty: name the files alone)."""
    suffix = "" if label in ("", "work tree") else f" at {label}"
    from_pyproject = None
    if pyproject is not None:
        from_pyproject = policy_from_text(pyproject, f"{PYPROJECT}{suffix}", catalog,
                                          pyproject=True)
    if own is not None:
        if from_pyproject is not None:
            raise ConfigError(f"{POLICY_FILE} and {PYPROJECT} [tool.ai-clearance] both define "
                              f"a policy{suffix}; keep one")
        policy = policy_from_text(own, f"{POLICY_FILE}{suffix}", catalog, pyproject=False)
        assert policy is not None
        return policy
    return from_pyproject or default_policy(catalog)


def load_policy(catalog: Catalog, root: str | None, explicit: str | None = None) -> Policy:
    """The policy for a work tree: `explicit` if given, else .ai-clearance.toml, else the
    [tool.ai-clearance] table of pyproject.toml, else defaults."""
    if explicit is not None:
        return policy_from_text(_read(explicit), explicit, catalog, pyproject=False) or \
            default_policy(catalog)
    if root is None:
        return default_policy(catalog)
    own = os.path.join(root, POLICY_FILE)
    pyproject = os.path.join(root, PYPROJECT)
    return policy_from_texts(
        catalog,
        _read(own, follow=False) if os.path.lexists(own) else None,
        _read(pyproject, follow=False) if os.path.lexists(pyproject) else None,
        "work tree",
    )
