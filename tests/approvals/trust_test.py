"""Where trust comes from: exactly the protected base, never the change under review.

Each test builds the attack with real git and fails if the attack passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Repo, run_cli

PERMISSIVE = "restricted = []\n"
CI = {"CI": "true"}


@pytest.fixture
def reviewed(clean_repo: Repo) -> tuple[Repo, str]:
    """main is the protected base; the change under review (HEAD, branch `change`) loosens
    its own policy and adds CLAUDE.md. Returns the repository and the base commit."""
    base = clean_repo.head()
    clean_repo.git("checkout", "-q", "-b", "change")
    clean_repo.write(".ai-clearance.toml", PERMISSIVE)
    clean_repo.commit("loosen and add memory", ".ai-clearance.toml", "CLAUDE.md")
    return clean_repo, base


def test_in_ci_a_check_of_commits_never_falls_back_to_head(reviewed: tuple[Repo, str]) -> None:
    repo, base = reviewed
    local = run_cli("check", "--range", f"{base}..HEAD", cwd=repo.path)
    # Outside CI the developer is told where trust came from: HEAD, the change itself.
    assert "from HEAD" in local.stdout
    for source in (["--range", f"{base}..HEAD"], ["--history"], ["--tree", "HEAD"]):
        result = run_cli("check", *source, cwd=repo.path, env=CI)
        assert result.returncode == 3, result.stdout + result.stderr
        assert "no trusted base" in result.stderr and "--trust-ref" in result.stderr


def test_in_ci_the_remote_default_branch_is_the_trusted_base(reviewed: tuple[Repo, str]) -> None:
    repo, base = reviewed
    repo.git("update-ref", "refs/remotes/origin/main", base)
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    result = run_cli("check", "--range", f"{base}..HEAD", "--format", "json", cwd=repo.path,
                     env=CI)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["coverage"]["trust"]["commit"] == base
    assert ".ai-clearance.toml" in report["coverage"]["pending"]


def test_in_ci_a_policy_file_from_the_work_tree_is_refused(reviewed: tuple[Repo, str],
                                                          tmp_path: Path) -> None:
    repo, base = reviewed
    args = ("check", "--range", f"{base}..HEAD", "--trust-ref", base)
    inside = run_cli(*args, "--config", ".ai-clearance.toml", cwd=repo.path, env=CI)
    assert inside.returncode == 2 and "work tree" in inside.stderr
    outside = tmp_path / "org-policy.toml"
    outside.write_text('restricted = ["*"]\n', encoding="utf-8")
    assert run_cli(*args, "--config", str(outside), cwd=repo.path, env=CI).returncode == 1


@pytest.mark.parametrize("shadow", ["refs/tags/origin/main", "refs/tags/main",
                                    "refs/heads/origin/main", "refs/origin/main"])
def test_a_ref_named_like_the_trust_ref_cannot_shadow_it(reviewed: tuple[Repo, str],
                                                         shadow: str) -> None:
    """The attacker pushes a tag (or branch) named like the trust ref, pointing at their own
    permissive commit: a short name that two refs share is refused, the full name is exact."""
    repo, base = reviewed
    repo.git("update-ref", "refs/remotes/origin/main", base)
    repo.git("update-ref", shadow, "HEAD")
    short = "main" if shadow == "refs/tags/main" else "origin/main"
    if shadow == "refs/tags/main":
        repo.git("branch", "-f", "main", base)
    ambiguous = run_cli("check", "--range", f"{base}..HEAD", "--trust-ref", short,
                        cwd=repo.path)
    assert ambiguous.returncode == 2 and "ambiguous" in ambiguous.stderr, ambiguous.stderr
    full = "refs/heads/main" if short == "main" else "refs/remotes/origin/main"
    exact = run_cli("check", "--range", f"{base}..HEAD", "--trust-ref", full, cwd=repo.path)
    assert exact.returncode == 1 and "AIC101" in exact.stdout


@pytest.mark.parametrize("expression", ["main~0", "main^{}", "HEAD@{0}", "-main", "ma in"])
def test_a_trust_ref_is_a_name_not_an_expression(reviewed: tuple[Repo, str],
                                                 expression: str) -> None:
    repo, base = reviewed
    result = run_cli("check", "--range", f"{base}..HEAD", "--trust-ref", expression,
                     cwd=repo.path)
    assert result.returncode == 2 and "not a ref name" in result.stderr


def test_replace_refs_do_not_change_what_is_checked(clean_repo: Repo) -> None:
    """A replace ref swaps the traced commit for a clean one in git's eyes; the check reads
    the real object."""
    base = clean_repo.head()
    clean_repo.git("checkout", "-q", "-b", "decoy")
    decoy = clean_repo.commit("harmless", "notes.txt")
    clean_repo.git("checkout", "-q", "main")
    traced = clean_repo.commit("memory", "CLAUDE.md")
    clean_repo.git("replace", traced, decoy)
    shown = clean_repo.git("log", "--name-only", "--format=", f"{base}..{traced}").stdout
    assert "CLAUDE.md" not in shown  # git itself is fooled
    result = run_cli("check", "--range", f"{base}..{traced}", cwd=clean_repo.path)
    assert result.returncode == 1 and "AIC101" in result.stdout


def test_grafts_do_not_change_what_is_checked(clean_repo: Repo) -> None:
    base = clean_repo.head()
    traced = clean_repo.commit("memory", "CLAUDE.md")
    clean = clean_repo.commit("more", "src/a.py")
    # A graft that makes the clean commit parentless hides everything before it.
    (clean_repo.path / ".git" / "info").mkdir(exist_ok=True)
    (clean_repo.path / ".git" / "info" / "grafts").write_text(f"{clean}\n", encoding="ascii")
    result = run_cli("check", "--range", f"{base}..{clean}", cwd=clean_repo.path)
    assert result.returncode == 1 and "AIC101" in result.stdout, result.stdout
    assert traced[:12] in result.stdout


@pytest.mark.parametrize("folder", ["tests\u200b/fixtures", "tests\uff0ffixtures",
                                    "t\u0435sts/fixtures", "tests/fixture\u0301s"])
def test_exclude_paths_do_not_cover_look_alike_folders(clean_repo: Repo, folder: str) -> None:
    clean_repo.write(".ai-clearance.toml", 'exclude_paths = ["tests/fixtures/**"]\n')
    clean_repo.commit("policy", ".ai-clearance.toml")
    base = clean_repo.head()
    clean_repo.commit("fixture", "tests/fixtures/CLAUDE.md")
    excluded = run_cli("check", "--range", f"{base}..HEAD", cwd=clean_repo.path)
    assert excluded.returncode == 0, excluded.stdout
    clean_repo.commit("look-alike", f"{folder}/CLAUDE.md")
    result = run_cli("check", "--range", f"{base}..HEAD", cwd=clean_repo.path)
    assert result.returncode == 1 and "AIC101" in result.stdout, result.stdout


def test_deleting_trust_files_is_reported_as_pending(clean_repo: Repo) -> None:
    """Attack: a tidy-looking change deletes a revocation (reviving what it revoked) or the
    policy; reviewers must see it as a change to trust, like an edit."""
    clean_repo.write(".ai-clearance.toml", 'repository_id = "example.com/widgets"\n')
    clean_repo.write(".ai-clearance/maintainers", "# nobody yet\n")
    clean_repo.commit("trust", ".ai-clearance.toml", ".ai-clearance/maintainers")
    base = clean_repo.head()
    clean_repo.git("rm", "-q", ".ai-clearance.toml", ".ai-clearance/maintainers")
    clean_repo.commit("tidy")
    result = run_cli("check", "--range", f"{base}..HEAD", "--trust-ref", base, "--format",
                     "json", cwd=clean_repo.path)
    assert result.returncode == 0, result.stderr
    pending = json.loads(result.stdout)["coverage"]["pending"]
    assert pending == [".ai-clearance.toml (deleted)", ".ai-clearance/maintainers (deleted)"]
