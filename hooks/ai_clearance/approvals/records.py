"""Approval, revocation and token records: canonical bytes, parsing and validation (pure)."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ai_clearance.catalog.globs import GlobError, check_glob
from ai_clearance.errors import ConfigError, UsageError
from ai_clearance.model import RULE_ID

NAMESPACE = "ai-clearance"
APPROVAL_TYPE = "ai-clearance/approval"
REVOCATION_TYPE = "ai-clearance/revocation"
TOKEN_TYPE = "ai-clearance/token"
TOKEN_PREFIX = "aic1."
MAX_TOKEN_CHARS = 16384
MAX_RECORD_BYTES = 65536
_ID = re.compile(r"(apv|rev|tok)-[0-9]{8}-[0-9a-f]{8}\Z")
_EMAIL = re.compile(r"[^\s<>@]+@[^\s<>@]+\Z")
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\Z")
_PATCH_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?\Z")
_PUBLIC_KEY = re.compile(r"(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|"
                         r"sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) "
                         r"[A-Za-z0-9+/]+={0,2}\Z")


def utc_now() -> datetime:
    """The current time, timezone-aware UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC, second precision: the only time format records use."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str, where: str) -> datetime:
    """Parse a record time (`2026-01-31T00:00:00Z`)."""
    try:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: bad time {text!r} (want YYYY-MM-DDTHH:MM:SSZ)") from None
    return moment.replace(tzinfo=timezone.utc)


def parse_user_time(text: str, now: datetime) -> datetime:
    """A time given on the command line: `90d`, `12h`, `2027-01-31` or a full record time."""
    match = re.fullmatch(r"(\d{1,5})([dh])", text.strip())
    if match:
        amount = int(match.group(1))
        delta = timedelta(days=amount) if match.group(2) == "d" else timedelta(hours=amount)
        return now + delta
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    raise UsageError(f"bad time {text!r}: use 90d, 12h, 2027-01-31 or 2027-01-31T00:00:00Z")


def new_id(prefix: str, now: datetime) -> str:
    """A unique record id, e.g. apv-20261124-1a2b3c4d."""
    return f"{prefix}-{now.strftime('%Y%m%d')}-{secrets.token_hex(4)}"


def canonical(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed: sorted keys, no spaces, ASCII only."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, item in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = item
    return seen


def _reject_floats(text: str) -> Any:
    raise ValueError(f"numbers with fractions are not allowed ({text})")


def strict_json(raw: bytes, where: str) -> Any:
    """JSON with no duplicate keys and no floats (they would make canonical bytes ambiguous)."""
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates,
                          parse_float=_reject_floats, parse_constant=_reject_floats)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{where}: not a valid record: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{where}: not a valid record: nested too deeply") from None


# ------------------------------------------------------------------------ field checks
def _str(data: dict[str, Any], key: str, where: str, optional: bool = False) -> str | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value or len(value) > 2000:
        raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    return value


def _list(data: dict[str, Any], key: str, where: str, pattern: re.Pattern[str] | None,
          allow_empty: bool = True) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or \
            len(value) > 1000:
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    if not allow_empty and not value:
        raise ConfigError(f"{where}: '{key}' must not be empty")
    if pattern is not None:
        for item in value:
            if not pattern.match(item):
                raise ConfigError(f"{where}: '{key}' has a bad entry {item!r}")
    return tuple(value)


def _globs(globs: tuple[str, ...], where: str) -> tuple[str, ...]:
    """`globs` when a check can match paths against each (`[z-a]` it could not)."""
    for glob in globs:
        try:
            check_glob(glob)
        except GlobError as exc:
            raise ConfigError(f"{where}: 'paths': {exc}") from None
    return globs


def _check_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ConfigError(f"{where}: unknown field '{sorted(unknown)[0]}'")


@dataclass(frozen=True)
class Approval:
    """A standing approval: these authors may use these assistants, here, for this long."""

    id: str
    authors: tuple[str, ...]
    github_logins: tuple[str, ...]
    assistants: tuple[str, ...]
    paths: tuple[str, ...]
    valid_from: datetime
    valid_until: datetime | None
    reason: str
    issued_by: str
    issued_at: datetime
    payload: dict[str, Any]
    author_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Revocation:
    """A signed statement that an approval or token no longer clears anything."""

    id: str
    revokes: str
    reason: str
    issued_by: str
    issued_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True)
class Cover:
    """Exactly one finding a token clears: its rule, assistant and author, and where it is:
    a path, the patch id of the commit whose message or identity carries it, or a pull
    request's title or body."""

    rule: str
    author: str
    assistant: str | None = None
    path: str | None = None
    patch_id: str | None = None
    commit: str | None = None  # a change with no patch id (empty or a merge): that commit only
    pull_request: int | None = None

    def describe(self) -> str:
        """What this entry clears, in plain words."""
        assistant = f" ({self.assistant})" if self.assistant else ""
        if self.path is not None:
            where = f"the path {self.path}"
        elif self.patch_id is not None:
            where = (f"the message or identity of the change with patch id {self.patch_id[:12]}"
                     " (the same change after a rebase)")
        elif self.commit is not None:
            where = f"the message or identity of commit {self.commit[:12]}"
        else:
            where = f"the title or body of pull request #{self.pull_request}"
        return f"{self.rule}{assistant} in {where}, authored by {self.author}"


@dataclass(frozen=True)
class Token:
    """A maintainer's override: signed, expiring, bound to one repository and to exact
    findings (keys that survive a rebase)."""

    id: str
    repository: str
    covers: tuple[Cover, ...]
    valid_from: datetime
    valid_until: datetime
    reason: str
    issued_by: str
    issued_at: datetime
    payload: dict[str, Any]

    def describe(self) -> list[str]:
        """Everything the token clears, in plain words, one line each."""
        head = (f"token {self.id} for repository {self.repository}, signed by {self.issued_by}, "
                f"valid from {format_time(self.valid_from)} until "
                f"{format_time(self.valid_until)}; reason: {self.reason}")
        return [head, "it clears exactly these findings and nothing else:",
                *(f"  - {cover.describe()}" for cover in self.covers)]


_APPROVAL_KEYS = {"type", "version", "id", "authors", "github_logins", "assistants", "paths",
                  "author_keys",
                  "valid_from", "valid_until", "reason", "issued_by", "issued_at"}
_REVOCATION_KEYS = {"type", "version", "id", "revokes", "reason", "issued_by", "issued_at"}
_TOKEN_KEYS = {"type", "version", "id", "repository", "covers", "valid_from", "valid_until",
               "reason", "issued_by", "issued_at"}
TOKEN_VERSION = 2
_COVER_KEYS = {"rule", "assistant", "path", "author", "patch_id", "commit", "pull_request"}


def _header(data: Any, kind: str, keys: set[str], where: str, version: int = 1,
            ) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a record must be a JSON object")
    if kind == TOKEN_TYPE and data.get("type") == kind and data.get("version") == 1:
        raise ConfigError(f"{where}: a version 1 token is bound to no repository, author or "
                          "finding and is no longer accepted; ask a maintainer for a new one")
    _check_keys(data, keys, where)
    if data.get("type") != kind or data.get("version") != version:
        raise ConfigError(f"{where}: not a version {version} {kind} record")
    rid = data.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise ConfigError(f"{where}: bad id {rid!r}")
    return data


def approval_from_payload(data: Any, where: str) -> Approval:
    """Validate an approval payload."""
    payload = _header(data, APPROVAL_TYPE, _APPROVAL_KEYS, where)
    if not payload.get("authors") and not payload.get("github_logins"):
        raise ConfigError(f"{where}: an approval names at least one author or GitHub login")
    until = payload.get("valid_until")
    return Approval(
        id=payload["id"],
        authors=tuple(a.casefold() for a in _list(payload, "authors", where, _EMAIL)),
        github_logins=tuple(x.casefold() for x in _list(payload, "github_logins", where, _LOGIN)),
        assistants=_list(payload, "assistants", where, re.compile(r"\*\Z|[a-z0-9][a-z0-9-]*\Z"),
                         allow_empty=False),
        paths=_globs(_list(payload, "paths", where, None), where),
        author_keys=_list(payload, "author_keys", where, _PUBLIC_KEY),
        valid_from=parse_time(_str(payload, "valid_from", where) or "", where),
        valid_until=None if until is None else parse_time(str(until), where),
        reason=_str(payload, "reason", where) or "",
        issued_by=_str(payload, "issued_by", where) or "",
        issued_at=parse_time(_str(payload, "issued_at", where) or "", where),
        payload=payload,
    )


def revocation_from_payload(data: Any, where: str) -> Revocation:
    """Validate a revocation payload."""
    payload = _header(data, REVOCATION_TYPE, _REVOCATION_KEYS, where)
    revokes = payload.get("revokes")
    if not isinstance(revokes, str) or not _ID.match(revokes):
        raise ConfigError(f"{where}: 'revokes' must be an approval or token id")
    return Revocation(
        id=payload["id"], revokes=revokes, reason=_str(payload, "reason", where) or "",
        issued_by=_str(payload, "issued_by", where) or "",
        issued_at=parse_time(_str(payload, "issued_at", where) or "", where), payload=payload,
    )


def _cover(data: Any, where: str) -> Cover:
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"{where}: each entry of 'covers' must be a non-empty object")
    _check_keys(data, _COVER_KEYS, where)
    places = [k for k in ("path", "patch_id", "commit", "pull_request")
              if data.get(k) is not None]
    if len(places) != 1 or not isinstance(data.get("rule"), str) or \
            not isinstance(data.get("author"), str):
        raise ConfigError(f"{where}: each entry of 'covers' names a rule, an author and one of "
                          "path, patch_id, commit or pull_request")
    commit = data.get("commit")
    if commit is not None and (not isinstance(commit, str) or not _PATCH_ID.match(commit)):
        raise ConfigError(f"{where}: 'commit' must be a full commit id")
    number = data.get("pull_request")
    if number is not None and (not isinstance(number, int) or isinstance(number, bool)
                               or number <= 0):
        raise ConfigError(f"{where}: 'pull_request' must be a positive integer")
    patch = data.get("patch_id")
    if patch is not None and (not isinstance(patch, str) or not _PATCH_ID.match(patch)):
        raise ConfigError(f"{where}: 'patch_id' must be a git patch id")
    rule = data.get("rule")
    if rule is not None and (not isinstance(rule, str) or not RULE_ID.match(rule)):
        raise ConfigError(f"{where}: bad rule id {rule!r}")
    for key in ("assistant", "path", "author"):
        if key in data and (not isinstance(data[key], str) or not data[key]):
            raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    if not _EMAIL.match(data["author"]):
        raise ConfigError(f"{where}: 'author' must be an e-mail address")
    return Cover(rule=data["rule"], author=data["author"].casefold(),
                 assistant=data.get("assistant"), path=data.get("path"), patch_id=patch,
                 commit=commit, pull_request=number)


def token_from_payload(data: Any, where: str) -> Token:
    """Validate a token payload."""
    payload = _header(data, TOKEN_TYPE, _TOKEN_KEYS, where, TOKEN_VERSION)
    covers = payload.get("covers")
    if not isinstance(covers, list) or not covers or len(covers) > 500:
        raise ConfigError(f"{where}: 'covers' must list what the token clears")
    return Token(
        id=payload["id"], repository=_str(payload, "repository", where) or "",
        covers=tuple(_cover(c, where) for c in covers),
        valid_from=parse_time(_str(payload, "valid_from", where) or "", where),
        valid_until=parse_time(_str(payload, "valid_until", where) or "", where),
        reason=_str(payload, "reason", where) or "",
        issued_by=_str(payload, "issued_by", where) or "",
        issued_at=parse_time(_str(payload, "issued_at", where) or "", where), payload=payload,
    )


# ------------------------------------------------------------------------ files and tokens
@dataclass(frozen=True)
class SignedRecord:
    """A record as stored: its payload and the armored SSH signature over canonical(payload)."""

    payload: Any
    signature: str
    where: str


def record_file_bytes(field_name: str, payload: dict[str, Any], signature: str) -> bytes:
    """The on-disk form of a signed record (pretty JSON; the payload is re-canonicalized)."""
    document = {field_name: payload, "signature": signature}
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def read_record_file(raw: bytes, field_name: str, where: str) -> SignedRecord:
    """Parse a stored record file into payload and signature (no verification yet)."""
    if len(raw) > MAX_RECORD_BYTES:
        raise ConfigError(f"{where}: record larger than {MAX_RECORD_BYTES} bytes")
    data = strict_json(raw, where)
    if not isinstance(data, dict) or set(data) != {field_name, "signature"}:
        raise ConfigError(f"{where}: want an object with '{field_name}' and 'signature'")
    signature = data["signature"]
    if not isinstance(signature, str) or "BEGIN SSH SIGNATURE" not in signature:
        raise ConfigError(f"{where}: 'signature' is not an SSH signature")
    return SignedRecord(data[field_name], signature, where)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64url(text: str, where: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise UsageError(f"{where}: malformed token (bad characters)")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise UsageError(f"{where}: malformed token (bad base64)") from None
    if _b64url(data) != text:
        # Unused low bits in the last character would give two spellings of one token.
        raise UsageError(f"{where}: malformed token (non-canonical base64)")
    return data


def armor_to_blob(armored: str) -> bytes:
    """The binary SSHSIG blob inside an armored signature."""
    lines = [ln.strip() for ln in armored.strip().splitlines()]
    body = "".join(ln for ln in lines if ln and not ln.startswith("-----"))
    return base64.b64decode(body)


def blob_to_armor(blob: bytes) -> str:
    """Armor an SSHSIG blob the way ssh-keygen does (70 columns)."""
    text = base64.b64encode(blob).decode("ascii")
    body = "\n".join(text[i:i + 70] for i in range(0, len(text), 70))
    return f"-----BEGIN SSH SIGNATURE-----\n{body}\n-----END SSH SIGNATURE-----\n"


def encode_token(payload: dict[str, Any], armored_signature: str) -> str:
    """One line a maintainer can paste anywhere: aic1.<payload>.<signature>."""
    signature = _b64url(armor_to_blob(armored_signature))
    return f"{TOKEN_PREFIX}{_b64url(canonical(payload))}.{signature}"


def decode_token(text: str, where: str) -> SignedRecord:
    """Split a token line into payload and armored signature; UsageError if malformed."""
    text = text.strip()
    if len(text) > MAX_TOKEN_CHARS:
        raise UsageError(f"{where}: token longer than {MAX_TOKEN_CHARS} characters")
    if not text.startswith(TOKEN_PREFIX):
        raise UsageError(f"{where}: malformed token (it starts with '{TOKEN_PREFIX}')")
    parts = text[len(TOKEN_PREFIX):].split(".")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise UsageError(f"{where}: malformed or truncated token")
    payload_bytes = _unb64url(parts[0], where)
    blob = _unb64url(parts[1], where)
    if not blob.startswith(b"SSHSIG"):
        raise UsageError(f"{where}: malformed token (no SSH signature)")
    try:
        payload = strict_json(payload_bytes, where)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if not isinstance(payload, dict) or canonical(payload) != payload_bytes:
        raise UsageError(f"{where}: malformed token (payload is not canonical)")
    return SignedRecord(payload, blob_to_armor(blob), where)
