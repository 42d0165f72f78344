"""A small stand-in for GitHub's REST API on loopback: the issue-comment endpoints the
Action calls, every request recorded. A real HTTP server in a thread, not a mock."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeGitHub:
    url: str = ""
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # per issue
    requests: list[Request] = field(default_factory=list)
    refuse: dict[str, int] = field(default_factory=dict)  # method -> status to answer
    redirect_to: str = ""  # answer every request with a redirect there
    next_id: int = 1000

    def add(self, number: int, body: str, login: str = "someone") -> dict[str, Any]:
        """A comment already on the pull request."""
        self.next_id += 1
        comment = {"id": self.next_id, "body": body, "user": {"login": login},
                   "html_url": f"https://github.com/acme/widgets/pull/{number}"
                               f"#issuecomment-{self.next_id}"}
        self.comments.setdefault(number, []).append(comment)
        return comment

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method != "GET"]


_LIST = re.compile(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments\Z")
_ONE = re.compile(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)\Z")


def _handler(state: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, payload: Any = None) -> None:
            data = json.dumps(payload).encode("utf-8") if payload is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            state.requests.append(Request(self.command, self.path, dict(self.headers.items()),
                                          json.loads(raw) if raw else None))
            if state.redirect_to:
                self.send_response(301)
                self.send_header("Location", state.redirect_to + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.command in state.refuse:
                self._answer(state.refuse[self.command], {"message": "refused"})
                return
            listing, one = _LIST.match(parts.path), _ONE.match(parts.path)
            if listing and self.command == "GET":
                query = parse_qs(parts.query)
                size, page = int(query["per_page"][0]), int(query["page"][0])
                comments = state.comments.get(int(listing.group(2)), [])
                self._answer(200, comments[(page - 1) * size:page * size])
            elif listing and self.command == "POST":
                body = json.loads(raw)["body"]
                self._answer(201, state.add(int(listing.group(2)), body, "github-actions[bot]"))
            elif one and self.command == "PATCH":
                found = [c for cs in state.comments.values() for c in cs
                         if c["id"] == int(one.group(2))]
                if not found:
                    self._answer(404, {"message": "Not Found"})
                    return
                found[0]["body"] = json.loads(raw)["body"]
                self._answer(200, found[0])
            else:
                self._answer(404, {"message": "Not Found"})

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

    return Handler


@contextmanager
def fake_github() -> Iterator[FakeGitHub]:
    """The server on 127.0.0.1 and a free port, stopped on leaving."""
    state = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
