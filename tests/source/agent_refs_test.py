"""Refs that agents' tools keep beside the branches (Entire's checkpoints, attribution notes,
Agent Blame's anchor tag) are judged by name in `check --history --all`, in a real
repository; an ordinary tag or notes ref stays clean."""

from __future__ import annotations

import json

from conftest import Repo, run_cli


def _failing(repo: Repo) -> dict[str, set[str]]:
    result = run_cli("check", "--history", "--all", "--format", "json", cwd=repo.path)
    assert result.returncode in (0, 1), result.stderr
    found: dict[str, set[str]] = {}
    for finding in json.loads(result.stdout)["findings"]:
        if finding["status"] == "fail":
            found.setdefault(finding["rule"], set()).add(finding["evidence"])
    return found


def test_entire_checkpoints_qwen_notes_and_agentblame_tag_are_found(clean_repo: Repo) -> None:
    head = clean_repo.git("rev-parse", "HEAD").stdout.strip()
    clean_repo.git("update-ref", "refs/entire/checkpoints/67/a1b2c3d4e5", head)
    clean_repo.git("branch", "entire/checkpoints/v1", head)
    clean_repo.git("notes", "--ref", "ai-attribution", "add", "-m", "src/a.py: 40%", head)
    clean_repo.git("tag", "agentblame-analytics-anchor", head)
    found = _failing(clean_repo)
    assert found == {
        "AIC711": {"ref refs/entire/checkpoints/67/a1b2c3d4e5",
                   "ref refs/heads/entire/checkpoints/v1"},
        "AIC712": {"ref refs/notes/ai-attribution"},  # not also AIC701: it supersedes it
        "AIC701": {"ref refs/tags/agentblame-analytics-anchor"},
    }


def test_ordinary_tags_and_notes_refs_stay_clean(clean_repo: Repo) -> None:
    head = clean_repo.git("rev-parse", "HEAD").stdout.strip()
    clean_repo.git("tag", "v1.0", head)
    clean_repo.git("tag", "agentblame-analytics-anchor-docs", head)
    clean_repo.git("notes", "--ref", "airflow", "add", "-m", "deployed", head)
    clean_repo.git("branch", "entire/refactor-config", head)
    assert _failing(clean_repo) == {}
