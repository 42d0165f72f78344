"""What GitHub code scanning requires of an uploaded SARIF file, beyond the OASIS schema
(docs.github.com: "SARIF support for code scanning" and "SARIF results exceed one or more
limits"): a file it would refuse fails `assert_code_scanning_accepts`."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# Hard limits: above them the whole upload is refused.
MAX_RUNS = 20
MAX_RESULTS_PER_RUN = 25_000
MAX_RULES_PER_RUN = 25_000
MAX_LOCATIONS_PER_RESULT = 1_000
MAX_TAGS_PER_RULE = 20

# A relative URI reference's path (RFC 3986): unreserved characters, percent escapes,
# sub-delimiters, ':', '@' and '/'.
_URI_PATH = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})+")


def assert_code_scanning_accepts(log: dict[str, Any]) -> None:
    assert log["version"] == "2.1.0"
    runs = log["runs"]
    assert isinstance(runs, list) and len(runs) <= MAX_RUNS
    for run in runs:
        driver = run["tool"]["driver"]
        assert driver["name"]
        rules = driver.get("rules", [])
        assert len(rules) <= MAX_RULES_PER_RUN
        ids = [rule["id"] for rule in rules]
        assert len(ids) == len(set(ids)), "a rule id appears twice"
        for rule in rules:
            assert len(rule.get("properties", {}).get("tags", [])) <= MAX_TAGS_PER_RULE
        results = run["results"]
        assert len(results) <= MAX_RESULTS_PER_RUN
        for result in results:
            _assert_result(result, ids)


def _assert_result(result: dict[str, Any], rule_ids: list[str]) -> None:
    assert result["ruleId"] in rule_ids
    if "ruleIndex" in result:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    assert result["message"]["text"].strip(), "a result needs a message"
    locations = result.get("locations")
    assert locations, f"{result['ruleId']}: code scanning refuses a result with no location"
    assert len(locations) <= MAX_LOCATIONS_PER_RESULT
    for location in locations:
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert isinstance(uri, str) and uri, "the location's uri must not be empty"
        parts = urlsplit(uri)
        assert not parts.scheme and not parts.netloc, f"{uri!r}: not a repository path"
        assert not uri.startswith("/"), f"{uri!r}: not relative to the repository"
        assert not parts.query and not parts.fragment, f"{uri!r}: '?' or '#' cut the path"
        assert _URI_PATH.fullmatch(uri), f"{uri!r}: not a URI reference"
        region = physical.get("region")
        if region is not None:
            assert isinstance(region["startLine"], int) and region["startLine"] >= 1
