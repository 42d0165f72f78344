"""Entire checkpoints in real repositories: a commit whose `Entire-Checkpoint:` trailer
names a checkpoint stored on entire/checkpoints/v1 is attributed to the session's agent,
and the transcript the checkpoint keeps is a leak; a trailer alone is left to the trailer
rules."""

from __future__ import annotations

import json
from typing import Any

from conftest import Repo, run_cli

CHECKPOINT = "a3b2c4d5e6f7"


def _store_checkpoint(repo: Repo, agent: str = "Claude Code") -> None:
    repo.git("checkout", "-q", "--orphan", "entire/checkpoints/v1")
    repo.git("rm", "-rq", "--cached", ".")
    folder = f"{CHECKPOINT[:2]}/{CHECKPOINT[2:]}"
    repo.write(f"{folder}/metadata.json", json.dumps({"checkpoint_id": CHECKPOINT}))
    repo.write(f"{folder}/0/metadata.json",
               json.dumps({"checkpoint_id": CHECKPOINT, "agent": agent}))
    repo.write(f"{folder}/0/full.jsonl", '{"type": "user", "text": "the secret plan"}\n')
    repo.commit(f"Checkpoint: {CHECKPOINT}", f"{folder}/metadata.json",
                f"{folder}/0/metadata.json", f"{folder}/0/full.jsonl")
    repo.git("checkout", "-qf", "main")


def _findings(repo: Repo, *args: str) -> list[dict[str, Any]]:
    result = run_cli("check", *args, "--format", "json", cwd=repo.path)
    assert result.returncode in (0, 1), result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return [f for f in found if f["rule"] in ("AIC921", "AIC922")]


def test_a_linked_stored_checkpoint_names_the_agent_and_leaks(clean_repo: Repo) -> None:
    _store_checkpoint(clean_repo)
    linked = clean_repo.commit(f"Login\n\nEntire-Checkpoint: {CHECKPOINT}\n", "login.py")
    found = _findings(clean_repo, "--range", f"{linked}~1..{linked}")
    by_rule = {f["rule"]: f for f in found}
    assert set(by_rule) == {"AIC921", "AIC922"}
    assert by_rule["AIC921"]["assistants"] == ["claude"]
    assert by_rule["AIC921"]["commit"] == linked
    assert "a session of Claude Code" in by_rule["AIC921"]["evidence"]
    assert by_rule["AIC922"]["severity"] == "leak"
    assert "0/full.jsonl" in by_rule["AIC922"]["evidence"]
    assert "secret plan" not in by_rule["AIC922"]["evidence"]


def test_a_trailer_without_a_stored_checkpoint_is_left_to_the_trailer_rules(
        clean_repo: Repo) -> None:
    linked = clean_repo.commit(f"Login\n\nEntire-Checkpoint: {CHECKPOINT}\n", "login.py")
    assert _findings(clean_repo, "--range", f"{linked}~1..{linked}") == []


def test_a_commit_without_the_trailer_is_not_linked(clean_repo: Repo) -> None:
    _store_checkpoint(clean_repo)
    plain = clean_repo.commit(f"Mention {CHECKPOINT} in prose", "login.py")
    assert _findings(clean_repo, "--range", f"{plain}~1..{plain}") == []
