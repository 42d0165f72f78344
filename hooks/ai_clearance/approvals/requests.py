"""Approval requests: what a developer asks a maintainer to sign (unsigned, pure).

A request is a JSON file under .ai-clearance/requests/ or one pasteable line
(`aic-request1.<base64url of the canonical JSON>`); `approve --request` signs exactly it."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ai_clearance.approvals.records import (
    canonical,
    format_time,
    new_id,
    parse_time,
    strict_json,
)
from ai_clearance.catalog.globs import GlobError, check_glob
from ai_clearance.errors import ConfigError, UsageError

REQUEST_TYPE = "ai-clearance/request"
REQUESTS_DIR = ".ai-clearance/requests"
LINE_PREFIX = "aic-request1."
MAX_DAYS = 3660
MAX_REQUEST_BYTES = 16384
_KEYS = {"type", "version", "id", "author", "assistants", "paths", "days", "reason",
         "requested_at"}
_ID = re.compile(r"req-[0-9]{8}-[0-9a-f]{8}\Z")
_EMAIL = re.compile(r"[^\s<>@]+@[^\s<>@]+\Z")
_ASSISTANT = re.compile(r"\*\Z|[a-z0-9][a-z0-9-]*\Z")


@dataclass(frozen=True)
class ApprovalRequest:
    """One developer asks for these assistants (on these paths) for this many days."""

    id: str
    author: str
    assistants: tuple[str, ...]
    paths: tuple[str, ...]
    days: int
    reason: str
    requested_at: datetime

    def describe(self) -> list[str]:
        """The request in plain words, one line each (what a maintainer is asked to sign)."""
        return [f"request {self.id}, made {format_time(self.requested_at)}",
                f"  author:     {self.author}",
                f"  assistants: {', '.join(self.assistants)}",
                f"  paths:      {', '.join(self.paths) if self.paths else 'any'}",
                f"  for:        {self.days} days from the approval",
                f"  reason:     {self.reason}"]


def new_request(author: str, assistants: tuple[str, ...], paths: tuple[str, ...], days: int,
                reason: str, now: datetime) -> dict[str, Any]:
    """A request payload, validated as `approve --request` will read it."""
    payload: dict[str, Any] = {
        "type": REQUEST_TYPE, "version": 1, "id": new_id("req", now),
        "author": author.strip().casefold(), "assistants": sorted(set(assistants)),
        "paths": list(paths), "days": days, "reason": reason.strip(),
        "requested_at": format_time(now)}
    request_from_payload(payload, "new request")
    return payload


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value) \
            or len(value) > 100:
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def request_from_payload(data: Any, where: str) -> ApprovalRequest:
    """Validate a request payload (ConfigError naming `where` and the field)."""
    if not isinstance(data, dict) or set(data) - _KEYS or data.get("type") != REQUEST_TYPE \
            or data.get("version") != 1:
        raise ConfigError(f"{where}: not a version 1 {REQUEST_TYPE} record")
    if not isinstance(data.get("id"), str) or not _ID.match(data["id"]):
        raise ConfigError(f"{where}: bad id {data.get('id')!r}")
    author = data.get("author")
    if not isinstance(author, str) or not _EMAIL.match(author):
        raise ConfigError(f"{where}: 'author' must be an e-mail address")
    assistants = _strings(data, "assistants", where)
    if not assistants or not all(_ASSISTANT.match(a) for a in assistants):
        raise ConfigError(f"{where}: 'assistants' must list assistant ids")
    paths = _strings(data, "paths", where)
    for glob in paths:
        try:
            check_glob(glob)
        except GlobError as exc:
            raise ConfigError(f"{where}: 'paths': {exc}") from None
    days = data.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise ConfigError(f"{where}: 'days' must be a whole number from 1 to {MAX_DAYS}")
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 2000:
        raise ConfigError(f"{where}: 'reason' must be a non-empty string")
    return ApprovalRequest(id=data["id"], author=author, assistants=assistants, paths=paths,
                           days=days, reason=reason,
                           requested_at=parse_time(str(data.get("requested_at")), where))


def request_file_bytes(payload: dict[str, Any]) -> bytes:
    """The file form: pretty JSON, one request per file."""
    return (json.dumps(payload, indent=2, sort_keys=True) + "\n").encode("utf-8")


def request_line(payload: dict[str, Any]) -> str:
    """The one-line form, to paste into a pull request or a chat."""
    encoded = base64.urlsafe_b64encode(canonical(payload)).decode("ascii").rstrip("=")
    return LINE_PREFIX + encoded


def parse_request(raw: bytes, where: str) -> ApprovalRequest:
    """A request from a file's bytes or a pasted line."""
    if len(raw) > MAX_REQUEST_BYTES:
        raise ConfigError(f"{where}: larger than {MAX_REQUEST_BYTES} bytes: not a request")
    text = raw.decode("utf-8", "replace").strip()
    if text.startswith(LINE_PREFIX):
        body = text[len(LINE_PREFIX):]
        if not re.fullmatch(r"[A-Za-z0-9_-]+", body):
            raise UsageError(f"{where}: malformed request line")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise UsageError(f"{where}: malformed request line (bad base64)") from None
    return request_from_payload(strict_json(raw, where), where)
