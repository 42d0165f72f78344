"""One sticky pull request comment, kept up to date through GitHub's REST API.

The comment is found again by a hidden marker at the start of its body. The token travels
in a request header only: never in argv, a URL, a log line or an error message.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

MARKER = "<!-- ai-clearance: sticky comment -->"
MAX_BODY = 65_000  # GitHub refuses a comment body over 65,536 characters
PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 comments: a bound on the requests, not a limit anyone meets
TIMEOUT_SECONDS = 30


class CommentError(Exception):
    """A REST call that failed; `status` is the HTTP status, 0 when none came back."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Api:
    """Where and as whom to call: GITHUB_API_URL, the token, `owner/name`."""

    base: str
    token: str = field(repr=False)
    repository: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would send the Authorization header on to wherever a redirect points.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def call(api: Api, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """One REST call: `method` on `api.base` + `path`; returns the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(
        api.base.rstrip("/") + path, data=data, method=method, headers={
            "Authorization": f"Bearer {api.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "Content-Type": "application/json",
            "User-Agent": "ai-clearance",
        })
    where = f"{method} {path.split('?', 1)[0]}"
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise CommentError(f"{where}: HTTP {exc.code}", exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise CommentError(f"{where}: {reason}") from None
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        raise CommentError(f"{where}: the answer is not JSON") from None


def find_sticky(api: Api, number: int) -> dict[str, Any] | None:
    """The pull request's comment that starts with MARKER (the first one), or None."""
    for page in range(1, MAX_PAGES + 1):
        comments = call(api, "GET", f"/repos/{api.repository}/issues/{number}/comments"
                                    f"?per_page={PAGE_SIZE}&page={page}")
        if not isinstance(comments, list):
            raise CommentError("GET comments: the answer is not a list")
        for comment in comments:
            if isinstance(comment, dict) and isinstance(comment.get("id"), int) \
                    and str(comment.get("body") or "").startswith(MARKER):
                return comment
        if len(comments) < PAGE_SIZE:
            break
    return None


def keep_sticky(api: Api, number: int, text: str, failing: bool) -> str:
    """Make the sticky comment say `text`. A failing check creates it when missing; a
    passing one only updates one already there (it says it is resolved). Returns what
    it did, in a few words."""
    body = f"{MARKER}\n{text}"
    old = find_sticky(api, number)
    if old is None:
        if not failing:
            return "no comment needed"
        made = call(api, "POST", f"/repos/{api.repository}/issues/{number}/comments",
                    {"body": body})
        return f"created {_url(made)}"
    if old.get("body") == body:
        return f"unchanged {_url(old)}"
    call(api, "PATCH", f"/repos/{api.repository}/issues/comments/{old['id']}", {"body": body})
    return f"updated {_url(old)}"


def _url(comment: Any) -> str:
    url = comment.get("html_url") if isinstance(comment, dict) else None
    return url if isinstance(url, str) else "the comment"


def quiet_mentions(text: str) -> str:
    """`@name` made inert (a word joiner after the @), so text from the commits notifies
    nobody; e-mail addresses stay as they are."""
    return re.sub(r"(?<![\w.+-])@(?=[A-Za-z0-9])", "@\u2060", text)


def fit(text: str, more: str) -> str:
    """`text` cut to what a comment may hold, ending with `more` when cut."""
    if len(text) <= MAX_BODY - len(MARKER) - 1:
        return text
    room = MAX_BODY - len(MARKER) - len(more) - 10
    return f"{text[:room]}\n\n…{more}\n"
