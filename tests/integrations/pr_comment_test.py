"""The sticky pull request comment against a real HTTP server on loopback that stands in for
GitHub's REST API and records every request."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from ai_clearance.integrations.pr_comment import (
    MARKER,
    MAX_BODY,
    Api,
    CommentError,
    call,
    find_sticky,
    fit,
    keep_sticky,
    quiet_mentions,
)
from fake_github import FakeGitHub, fake_github

TOKEN = "ghs_" + "s3cr3t" * 6


@pytest.fixture
def server() -> Iterator[FakeGitHub]:
    with fake_github() as state:
        yield state


def _api(server: FakeGitHub) -> Api:
    return Api(server.url, TOKEN, "acme/widgets")


def test_one_comment_created_then_updated_then_resolved(server: FakeGitHub) -> None:
    api = _api(server)
    assert keep_sticky(api, 7, "no comment while passing", failing=False) == "no comment needed"
    assert server.writes() == []
    done = keep_sticky(api, 7, "## ❌ FAIL\n\n2 unapproved", failing=True)
    [comment] = server.comments[7]
    assert done == f"created {comment['html_url']}"
    assert comment["body"] == f"{MARKER}\n## ❌ FAIL\n\n2 unapproved"
    assert keep_sticky(api, 7, "## ❌ FAIL\n\n2 unapproved", failing=True).startswith(
        "unchanged")
    assert len(server.writes()) == 1  # the same text is not written again
    keep_sticky(api, 7, "## ❌ FAIL\n\n1 unapproved", failing=True)
    keep_sticky(api, 7, "## ✅ resolved", failing=False)
    assert [(r.method, r.path) for r in server.writes()] == [
        ("POST", "/repos/acme/widgets/issues/7/comments"),
        ("PATCH", f"/repos/acme/widgets/issues/comments/{comment['id']}"),
        ("PATCH", f"/repos/acme/widgets/issues/comments/{comment['id']}")]
    assert server.comments[7] == [comment] and comment["body"] == f"{MARKER}\n## ✅ resolved"


def test_the_marker_is_found_on_a_later_page_and_only_at_the_start(server: FakeGitHub) -> None:
    for i in range(130):
        server.add(3, f"review {i}")
    server.add(3, f"Quoting it: {MARKER} is not ours")
    ours = server.add(3, f"{MARKER}\nold report")
    assert find_sticky(_api(server), 3) == ours
    pages = [r.path for r in server.requests]
    assert pages == ["/repos/acme/widgets/issues/3/comments?per_page=100&page=1",
                     "/repos/acme/widgets/issues/3/comments?per_page=100&page=2"]
    assert find_sticky(_api(server), 4) is None


def test_the_token_goes_in_the_header_only(server: FakeGitHub) -> None:
    keep_sticky(_api(server), 1, "x", failing=True)
    assert server.requests and all(
        r.headers["Authorization"] == f"Bearer {TOKEN}" and TOKEN not in r.path
        for r in server.requests)
    assert all(r.headers["Accept"] == "application/vnd.github+json" for r in server.requests)
    assert TOKEN not in repr(_api(server))
    server.refuse["POST"] = 403
    with pytest.raises(CommentError) as raised:
        keep_sticky(_api(server), 2, "x", failing=True)
    assert raised.value.status == 403
    assert str(raised.value) == "POST /repos/acme/widgets/issues/2/comments: HTTP 403"


def test_a_redirect_is_not_followed_with_the_token(server: FakeGitHub) -> None:
    with fake_github() as elsewhere:
        server.redirect_to = elsewhere.url
        with pytest.raises(CommentError) as raised:
            find_sticky(_api(server), 1)
        assert raised.value.status == 301
        assert elsewhere.requests == []


def test_no_server_is_an_error_of_one_line() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(CommentError) as raised:
        call(Api(f"http://127.0.0.1:{port}", TOKEN, "acme/widgets"), "GET", "/x?token=no")
    assert raised.value.status == 0 and str(raised.value).startswith("GET /x: ")
    assert "\n" not in str(raised.value)


def test_an_answer_that_is_not_json_or_not_a_list(server: FakeGitHub) -> None:
    server.refuse["GET"] = 200  # answers {"message": "refused"}: an object, not a list
    with pytest.raises(CommentError, match="not a list"):
        find_sticky(_api(server), 1)


def test_mentions_from_commits_notify_nobody() -> None:
    text = "@octocat and (@acme/security) but jane@example.com stays, `a@b`"
    quiet = quiet_mentions(text)
    assert "@\u2060octocat" in quiet and "(@\u2060acme/security)" in quiet
    assert "jane@example.com" in quiet and "`a@b`" in quiet
    assert quiet_mentions("no mention @ here") == "no mention @ here"


def test_a_long_report_is_cut_to_what_a_comment_holds() -> None:
    assert fit("short", "more") == "short"
    cut = fit("x" * 200_000, "the whole report is in the run's summary")
    assert len(MARKER) + 1 + len(cut) <= MAX_BODY
    assert cut.endswith("…the whole report is in the run's summary\n")
