"""Trust files read on a thread: the same files as read in line, and the same errors."""

from __future__ import annotations

import pytest

from ai_clearance.approvals import trustfiles
from ai_clearance.errors import GitError
from ai_clearance.git import gitio
from conftest import Repo


def test_prefetched_files_are_those_of_the_trust_ref(clean_repo: Repo) -> None:
    clean_repo.write(".ai-clearance.toml", 'allowed = ["copilot"]\n')
    clean_repo.write(".ai-clearance/maintainers", "")
    clean_repo.commit("Policy", ".ai-clearance.toml", ".ai-clearance")
    clean_repo.write(".ai-clearance.toml", "restricted = []\n")  # not committed: not trusted
    repo = gitio.discover(str(clean_repo.path))
    files = trustfiles.FilesPrefetch(repo, None).result()
    assert files == trustfiles.files_at(repo, "HEAD", explicit=False)
    assert files.text(".ai-clearance.toml") == 'allowed = ["copilot"]\n'
    assert sorted(files.files) == [".ai-clearance.toml", ".ai-clearance/maintainers"]


def test_prefetch_before_the_first_commit_has_nothing_to_trust(repo: Repo) -> None:
    files = trustfiles.FilesPrefetch(gitio.discover(str(repo.path)), None).result()
    assert files.commit is None and files.files == {}


def test_an_unresolvable_trust_ref_is_raised_by_result(clean_repo: Repo) -> None:
    prefetch = trustfiles.FilesPrefetch(gitio.discover(str(clean_repo.path)), "no-such-ref")
    with pytest.raises(GitError, match="cannot resolve trust ref 'no-such-ref'"):
        prefetch.result()
