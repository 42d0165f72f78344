"""Environment twins of `check`'s options, their limits in CI, and `explain`'s suggestions."""

from __future__ import annotations

import click
import pytest

from ai_clearance.cli.envopts import envvar_of
from ai_clearance.cli.main import check
from conftest import Repo, run_cli

TRACE = "Co-Authored-By: Claude <noreply@anthropic.com>"


def test_every_check_option_has_a_twin_shown_in_help(clean_repo: Repo) -> None:
    options = [p for p in check.params if isinstance(p, click.Option) and not p.is_eager]
    assert len(options) >= 15
    help_text = " ".join(run_cli("check", "--help", cwd=clean_repo.path).stdout.split())
    for option in options:
        assert option.show_envvar, option.name
        name = option.envvar if isinstance(option.envvar, str) else None
        assert name and name.startswith("AI_CLEARANCE_"), option.name
        assert name in help_text.replace("- ", "-"), name
    assert envvar_of("--trust-ref") == "AI_CLEARANCE_TRUST_REF"


def _history(repo: Repo) -> str:
    base = repo.head()
    repo.commit(f"Add feature\n\n{TRACE}\n")
    return base


def test_a_twin_does_what_its_option_does(clean_repo: Repo) -> None:
    base = _history(clean_repo)
    assert run_cli("check", cwd=clean_repo.path,
                   env={"AI_CLEARANCE_RANGE": f"{base}..HEAD"}).returncode == 1
    assert run_cli("check", cwd=clean_repo.path,
                   env={"AI_CLEARANCE_RANGE": f"{base}..{base}",
                        "AI_CLEARANCE_ALLOW_EMPTY": "1"}).returncode == 0
    as_json = run_cli("check", cwd=clean_repo.path,
                      env={"AI_CLEARANCE_TREE": "HEAD", "AI_CLEARANCE_FORMAT": "json"})
    assert as_json.stdout.lstrip().startswith("{")


def test_a_source_on_the_command_line_wins_over_a_variable(clean_repo: Repo) -> None:
    base = _history(clean_repo)
    staged = run_cli("check", "--staged", cwd=clean_repo.path,
                     env={"AI_CLEARANCE_RANGE": f"{base}..HEAD"})
    assert staged.returncode == 0, staged.stderr  # the staged change is clean
    both = run_cli("check", cwd=clean_repo.path,
                   env={"AI_CLEARANCE_RANGE": f"{base}..HEAD", "AI_CLEARANCE_STAGED": "1"})
    assert both.returncode == 2 and "exactly one of" in both.stderr


@pytest.mark.parametrize(("env", "why"), [
    ({"AI_CLEARANCE_ALLOW_EMPTY": "1"}, "AI_CLEARANCE_ALLOW_EMPTY is not read in CI"),
    ({"AI_CLEARANCE_DIRECTORY": "."}, "AI_CLEARANCE_DIRECTORY is not read in CI"),
    ({"AI_CLEARANCE_TRUST_REF": "HEAD"}, "is the commit under review"),
    ({"AI_CLEARANCE_TRUST_REF": "feature"}, "is the commit under review"),
])
def test_in_ci_a_variable_cannot_loosen_the_check(clean_repo: Repo, env: dict[str, str],
                                                  why: str) -> None:
    base = _history(clean_repo)
    clean_repo.git("branch", "feature")
    result = run_cli("check", "--range", f"{base}..feature", cwd=clean_repo.path,
                     env={"CI": "true", **env})
    assert result.returncode == 2 and why in result.stderr
    # Outside CI, and as options in CI, the same values are taken as given.
    assert run_cli("check", "--range", f"{base}..feature", cwd=clean_repo.path,
                   env=env).returncode in (0, 1)


def test_in_ci_a_trust_ref_variable_naming_the_base_is_kept(clean_repo: Repo) -> None:
    base = _history(clean_repo)
    clean_repo.git("branch", "trusted", base)
    result = run_cli("check", "--range", f"{base}..HEAD", "--format", "json",
                     cwd=clean_repo.path, env={"CI": "true", "AI_CLEARANCE_TRUST_REF":
                                               "refs/heads/trusted"})
    assert result.returncode == 1 and "refs/heads/trusted" in result.stdout


def test_explain_suggests_close_names_and_lists_an_assistants_rules(clean_repo: Repo) -> None:
    typo = run_cli("explain", "claud", cwd=clean_repo.path)
    assert typo.returncode == 2 and "did you mean claude?" in typo.stderr
    rule_typo = run_cli("explain", "aic1o1", cwd=clean_repo.path)  # a letter O for a zero
    assert rule_typo.returncode == 2 and "did you mean AIC101" in rule_typo.stderr
    far = run_cli("explain", "zzzzzz", cwd=clean_repo.path)
    assert far.returncode == 2 and "did you mean" not in far.stderr
    listed = run_cli("explain", "claude", cwd=clean_repo.path)
    assert listed.returncode == 0 and "AIC101" in listed.stdout
    assert "request --assistant claude" in listed.stdout
    assert "AIC101" not in run_cli("explain", "cursor", cwd=clean_repo.path).stdout
